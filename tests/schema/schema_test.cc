// Tests of the schema model: implied types, Terraform's schema rules, and
// the common validators.
#include "schema/schema.h"

#include <gtest/gtest.h>

namespace pxc::schema {
namespace {

TEST(Schema, ImpliedTypeFollowsNestingModes) {
  Block b;
  b.attributes.push_back(RequiredAttr("name", Type::String()));
  NestedBlock single{"tls", Block{{OptionalAttr("ca_pem", Type::String())}, {}, "", false},
                     Nesting::kSingle, 0, 1};
  NestedBlock set{"grant", Block{{RequiredAttr("on", Type::String())}, {}, "", false},
                  Nesting::kSet, 0, 0};
  b.blocks = {single, set};
  Type t = b.ImpliedType();
  EXPECT_EQ(t.ToJsonString(),
            R"(["object",{"grant":["set",["object",{"on":"string"}]],"name":"string",)"
            R"("tls":["object",{"ca_pem":"string"}]}])");
}

TEST(Schema, ConstraintFlags) {
  EXPECT_TRUE(RequiredAttr("a", Type::String()).required());
  EXPECT_FALSE(RequiredAttr("a", Type::String()).computed());
  Attribute oc = OptionalComputedAttr("a", Type::String());
  EXPECT_TRUE(oc.optional());
  EXPECT_TRUE(oc.computed());
  EXPECT_FALSE(ComputedAttr("a", Type::String()).optional());
}

TEST(Schema, ValidateSchemaRejectsTerraformViolations) {
  struct Case {
    const char* name;
    Schema schema;
    const char* message;
  };
  auto with_attr = [](Attribute a) {
    Schema s;
    s.block.attributes.push_back(std::move(a));
    return s;
  };
  Schema dup;
  dup.block.attributes = {RequiredAttr("a", Type::String()), OptionalAttr("a", Type::String())};
  const Case cases[] = {
      {"uppercase", with_attr(RequiredAttr("Bad", Type::String())), "lowercase"},
      {"duplicate", dup, "duplicate"},
      {"default on required",
       with_attr(RequiredAttr("a", Type::String()).Default(Value::String("x"))), "default"},
      {"state for unknown on optional",
       with_attr(OptionalAttr("a", Type::String()).UseStateForUnknown()), "UseStateForUnknown"},
      {"dynamic in set", with_attr(OptionalAttr("a", Type::Set(Type::Dynamic()))), "dynamic"},
      {"default type",
       with_attr(OptionalComputedAttr("a", Type::Number()).Default(Value::String("x"))),
       "wrong type"},
      {"computed write-only", with_attr(OptionalComputedAttr("a", Type::String()).WriteOnly()),
       "cannot be computed"},
      {"write-only forcing replacement",
       with_attr(OptionalAttr("a", Type::String()).WriteOnly().RequiresReplace()),
       "no prior value"},
  };
  for (const auto& c : cases) {
    Status st = ValidateSchema(c.schema);
    ASSERT_FALSE(st.ok()) << c.name;
    EXPECT_NE(st.message().find(c.message), std::string::npos) << c.name << ": " << st.message();
  }
  EXPECT_TRUE(ValidateSchema(with_attr(OptionalComputedAttr("a", Type::Number())
                                           .Default(Value::Num(1))
                                           .UseStateForUnknown()))
                  .ok());
}

TEST(Schema, WriteOnlyOnlyInManagedResourcesAndNeverInSets) {
  Schema flat;
  flat.block.attributes.push_back(OptionalAttr("secret_wo", Type::String()).WriteOnly());
  EXPECT_TRUE(ValidateSchema(flat).ok());
  EXPECT_TRUE(HasWriteOnly(flat.block));
  Status st = ValidateSchema(flat, /*allow_write_only=*/false);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("only managed resources"), std::string::npos) << st.message();

  NestedBlock set_block;
  set_block.type_name = "item";
  set_block.nesting = Nesting::kSet;
  set_block.block.attributes.push_back(OptionalAttr("secret_wo", Type::String()).WriteOnly());
  Schema in_set;
  in_set.block.blocks.push_back(set_block);
  st = ValidateSchema(in_set);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("item.secret_wo: write-only attributes cannot be inside a set"),
            std::string::npos)
      << st.message();
  // A single block inside a set block is still inside the set.
  NestedBlock single = set_block;
  single.type_name = "inner";
  single.nesting = Nesting::kSingle;
  NestedBlock outer;
  outer.type_name = "outer";
  outer.nesting = Nesting::kSet;
  outer.block.blocks.push_back(single);
  Schema deep;
  deep.block.blocks.push_back(outer);
  EXPECT_FALSE(ValidateSchema(deep).ok());
  // In a list block it is fine.
  set_block.nesting = Nesting::kList;
  Schema in_list;
  in_list.block.blocks.push_back(set_block);
  EXPECT_TRUE(ValidateSchema(in_list).ok());
  EXPECT_FALSE(HasWriteOnly(Schema{}.block));
}

TEST(Schema, ValidatorsReportPathAndValue) {
  Diagnostics diags;
  AttributePath p = AttributePath::Root("rsa_bits");
  IntBetween(2048, 8192)(Value::Num(1024), p, diags);
  OneOf({"RSA", "ECDSA"})(Value::String("DSA"), AttributePath::Root("alg"), diags);
  StringNotEmpty()(Value::String(""), AttributePath::Root("cn"), diags);
  IntBetween(1, 2)(Value::Num(Number::FromDouble(1.5)), AttributePath::Root("n"), diags);
  ASSERT_EQ(diags.size(), 4u);
  EXPECT_EQ(diags.items()[0].path, p);
  EXPECT_NE(diags.items()[0].detail.find("between 2048 and 8192, got 1024"), std::string::npos);
  EXPECT_NE(diags.items()[1].detail.find("\"RSA\", \"ECDSA\""), std::string::npos);
  EXPECT_EQ(diags.items()[2].path, AttributePath::Root("cn"));
  EXPECT_NE(diags.items()[3].detail.find("whole number"), std::string::npos);
  // Unknown and null values are not validated.
  Diagnostics none;
  IntBetween(2048, 8192)(Value::Unknown(Type::Number()), p, none);
  IntBetween(2048, 8192)(Value::Null(Type::Number()), p, none);
  EXPECT_TRUE(none.empty());
}

TEST(Schema, PathRendering) {
  AttributePath p = AttributePath::Root("grants").Index(2).Attr("on");
  EXPECT_EQ(p.ToString(), "grants[2].on");
  EXPECT_EQ(AttributePath::Root("m").Key("k\"x").ToString(), "m[\"k\\\"x\"]");
}

}  // namespace
}  // namespace pxc::schema
