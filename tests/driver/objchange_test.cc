// Unit tests of the driver's re-implementation of Terraform core's
// object-change rules: a protocol test is only as strict as these checks.
#include "tests/driver/objchange.h"

#include <gtest/gtest.h>

namespace pxc::tfdriver {
namespace {

using schema::AttributePath;
using schema::Block;
using schema::NestedBlock;
using schema::Nesting;
using schema::Type;
using schema::Value;

// name (optional), size (optional+computed), id (computed), secret
// (optional, sensitive), and a list block "rule" of {port (required),
// state (computed)} plus a set block "tag" of {key (required), uid
// (computed)}.
Block TestBlock() {
  Block rule;
  rule.attributes.push_back(schema::RequiredAttr("port", Type::Number()));
  rule.attributes.push_back(schema::ComputedAttr("state", Type::String()));
  Block tag;
  tag.attributes.push_back(schema::RequiredAttr("key", Type::String()));
  tag.attributes.push_back(schema::ComputedAttr("uid", Type::String()));
  Block b;
  b.attributes.push_back(schema::OptionalAttr("name", Type::String()));
  b.attributes.push_back(schema::OptionalComputedAttr("size", Type::Number()));
  b.attributes.push_back(schema::ComputedAttr("id", Type::String()));
  b.attributes.push_back(schema::OptionalAttr("secret", Type::String()).Sensitive());
  b.blocks.push_back(NestedBlock{"rule", rule, Nesting::kList, 0, 0});
  b.blocks.push_back(NestedBlock{"tag", tag, Nesting::kSet, 0, 0});
  return b;
}

Value Obj(const Block& b, std::map<std::string, Value> attrs) {
  Value empty = EmptyValue(b);
  for (const auto& [k, v] : empty.Entries()) attrs.emplace(k, v);
  auto v = Value::ObjectOf(ImpliedType(b), attrs);
  EXPECT_TRUE(v.ok()) << v.status().message();
  return *v;
}

Value Rule(const Block& b, int64_t port, Value state) {
  const Block& rb = b.FindBlock("rule")->block;
  return Obj(rb, {{"port", Value::Num(port)}, {"state", std::move(state)}});
}

Value Tag(const Block& b, const std::string& key, Value uid) {
  const Block& tb = b.FindBlock("tag")->block;
  return Obj(tb, {{"key", Value::String(key)}, {"uid", std::move(uid)}});
}

Value Rules(const Block& b, std::vector<Value> rules) {
  return Value::List(ImpliedType(b.FindBlock("rule")->block), std::move(rules));
}

Value Tags(const Block& b, std::vector<Value> tags) {
  return Value::Set(ImpliedType(b.FindBlock("tag")->block), std::move(tags));
}

std::string Paths(const std::vector<PathError>& errs) {
  std::string out;
  for (const auto& e : errs) {
    if (!out.empty()) out += ' ';  // not `" " + s`: GCC 12 -O3 -Wrestrict (ssh_client.cc)
    out += e.path.ToString();
  }
  return out;
}

TEST(ProposedNew, TakesConfigAndPriorComputedValues) {
  Block b = TestBlock();
  Value prior = Obj(
      b,
      {{"name", Value::String("old")},
       {"size", Value::Num(3)},
       {"id", Value::String("x1")},
       {"rule", Rules(b, {Rule(b, 80, Value::String("up"))})},
       {"tag", Tags(b, {Tag(b, "a", Value::String("u-a")), Tag(b, "b", Value::String("u-b"))})}});
  Value config = Obj(b, {{"size", Value::Num(5)},
                         {"rule", Rules(b, {Rule(b, 81, Value::Null(Type::String())),
                                            Rule(b, 82, Value::Null(Type::String()))})},
                         {"tag", Tags(b, {Tag(b, "a", Value::Null(Type::String())),
                                          Tag(b, "c", Value::Null(Type::String()))})}});
  Value p = ProposedNew(b, prior, config);
  EXPECT_TRUE(p.GetAttr("name").IsNull()) << "non-computed: the config value, even null";
  EXPECT_EQ(p.GetAttr("size"), Value::Num(5)) << "optional+computed set: the config value";
  EXPECT_EQ(p.GetAttr("id"), Value::String("x1")) << "computed: the prior value";
  const auto& rules = p.GetAttr("rule").Elements();
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0].GetAttr("port"), Value::Num(81));
  EXPECT_EQ(rules[0].GetAttr("state"), Value::String("up")) << "list blocks correlate by index";
  EXPECT_TRUE(rules[1].GetAttr("state").IsNull());
  // Set elements correlate by their non-computed attributes.
  Value tags = p.GetAttr("tag");
  EXPECT_EQ(tags,
            Tags(b, {Tag(b, "a", Value::String("u-a")), Tag(b, "c", Value::Null(Type::String()))}));
}

TEST(ProposedNew, NullPriorKeepsComputedNull) {
  Block b = TestBlock();
  Value config = Obj(b, {{"name", Value::Unknown(Type::String())}});
  Value p = ProposedNew(b, Value::Null(ImpliedType(b)), config);
  EXPECT_TRUE(p.GetAttr("name").IsUnknown());
  EXPECT_TRUE(p.GetAttr("id").IsNull());
  EXPECT_TRUE(p.GetAttr("size").IsNull());
  EXPECT_TRUE(ProposedNew(b, Value::Null(ImpliedType(b)), Value::Null(ImpliedType(b))).IsNull());
}

TEST(PlannedDataResourceObject, ComputedNullsBecomeUnknownConfigKept) {
  Block b = TestBlock();
  Value config = Obj(b, {{"name", Value::Unknown(Type::String())},
                         {"size", Value::Num(4)},
                         {"rule", Rules(b, {Rule(b, 80, Value::Null(Type::String()))})}});
  Value p = PlannedDataResourceObject(b, config);
  EXPECT_TRUE(p.GetAttr("name").IsUnknown()) << "configured (unknown) value kept";
  EXPECT_EQ(p.GetAttr("size"), Value::Num(4)) << "optional+computed set: the config value";
  EXPECT_TRUE(p.GetAttr("id").IsUnknown()) << "computed null: unknown";
  EXPECT_TRUE(p.GetAttr("secret").IsNull()) << "non-computed null stays null";
  ASSERT_EQ(p.GetAttr("rule").Elements().size(), 1u);
  EXPECT_EQ(p.GetAttr("rule").Elements()[0].GetAttr("port"), Value::Num(80));
  EXPECT_TRUE(p.GetAttr("rule").Elements()[0].GetAttr("state").IsUnknown())
      << "computed attributes of nested blocks too";
  EXPECT_TRUE(AssertPlanValid(b, Value::Null(ImpliedType(b)), config, p).empty());
}

TEST(AssertPlanValid, AcceptsAValidPlan) {
  Block b = TestBlock();
  Value config = Obj(b, {{"name", Value::String("n")}});
  Value planned = Obj(b, {{"name", Value::String("n")},
                          {"size", Value::Num(10)},
                          {"id", Value::Unknown(Type::String())}});
  EXPECT_TRUE(AssertPlanValid(b, Value::Null(ImpliedType(b)), config, planned).empty());
}

TEST(AssertPlanValid, RejectsChangesToConfiguredOrNonComputedValues) {
  Block b = TestBlock();
  const Value null_prior = Value::Null(ImpliedType(b));
  struct Case {
    const char* what;
    Value config;
    Value planned;
    std::string paths;
  };
  std::vector<Case> cases = {
      {"configured value changed", Obj(b, {{"name", Value::String("n")}}),
       Obj(b, {{"name", Value::String("N")}}), "name"},
      {"configured value planned unknown", Obj(b, {{"name", Value::String("n")}}),
       Obj(b, {{"name", Value::Unknown(Type::String())}}), "name"},
      {"non-computed value invented", Obj(b, {}), Obj(b, {{"name", Value::String("x")}}), "name"},
      {"optional+computed set value changed", Obj(b, {{"size", Value::Num(1)}}),
       Obj(b, {{"size", Value::Num(2)}}), "size"},
      {"sensitive value changed", Obj(b, {{"secret", Value::String("s")}}),
       Obj(b, {{"secret", Value::String("t")}}), "secret"},
      {"block count", Obj(b, {{"rule", Rules(b, {Rule(b, 1, Value::Null(Type::String()))})}}),
       Obj(b, {}), "rule"},
      {"configured attribute in a block",
       Obj(b, {{"rule", Rules(b, {Rule(b, 1, Value::Null(Type::String()))})}}),
       Obj(b, {{"rule", Rules(b, {Rule(b, 2, Value::String("up"))})}}), "rule[0].port"},
  };
  for (const auto& c : cases) {
    auto errs = AssertPlanValid(b, null_prior, c.config, c.planned);
    EXPECT_EQ(Paths(errs), c.paths) << c.what;
  }
  auto errs = AssertPlanValid(b, null_prior, Obj(b, {{"secret", Value::String("s")}}),
                              Obj(b, {{"secret", Value::String("t")}}));
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].message.find("\"t\""), std::string::npos) << "sensitive values stay hidden";
}

TEST(AssertPlanValid, AllowsThePriorValueForAConfiguredAttribute) {
  Block b = TestBlock();
  Value prior = Obj(b, {{"name", Value::String("Old")}, {"id", Value::String("x")}});
  Value config = Obj(b, {{"name", Value::String("old")}});
  EXPECT_TRUE(AssertPlanValid(b, prior, config, prior).empty());
}

TEST(AssertObjectCompatible, KnownPlannedValuesMustNotChange) {
  Block b = TestBlock();
  Value planned = Obj(b, {{"name", Value::String("n")},
                          {"size", Value::Num(4)},
                          {"id", Value::Unknown(Type::String())},
                          {"tag", Tags(b, {Tag(b, "a", Value::String("u"))})}});
  Value good = Obj(b, {{"name", Value::String("n")},
                       {"size", Value::Num(4)},
                       {"id", Value::String("any")},
                       {"tag", Tags(b, {Tag(b, "a", Value::String("u"))})}});
  EXPECT_TRUE(AssertObjectCompatible(b, planned, good).empty());

  EXPECT_EQ(Paths(AssertObjectCompatible(b, planned, good.WithAttr("size", Value::Num(5)))),
            "size");
  EXPECT_EQ(
      Paths(AssertObjectCompatible(b, planned, good.WithAttr("name", Value::Null(Type::String())))),
      "name");
  EXPECT_EQ(Paths(AssertObjectCompatible(b, planned,
                                         good.WithAttr("id", Value::Unknown(Type::String())))),
            "")
      << "unknown stays allowed here; Apply checks IsWhollyKnown separately";
  EXPECT_EQ(Paths(AssertObjectCompatible(
                b, planned, good.WithAttr("tag", Tags(b, {Tag(b, "a", Value::String("v"))})))),
            "tag");
  EXPECT_EQ(Paths(AssertObjectCompatible(b, planned, Value::Null(ImpliedType(b)))), "");
  EXPECT_FALSE(AssertObjectCompatible(b, planned, Value::Null(ImpliedType(b))).empty());
  EXPECT_EQ(Paths(AssertObjectCompatible(b, good, planned)), "id")
      << "a known value may not become unknown";
}

TEST(AssertPlanValid, WriteOnlyAttributesMustBePlannedNull) {
  Block rule;
  rule.attributes.push_back(schema::RequiredAttr("port", Type::Number()));
  rule.attributes.push_back(schema::OptionalAttr("token_wo", Type::String()).WriteOnly());
  Block b;
  b.attributes.push_back(schema::OptionalAttr("secret_wo", Type::String()).WriteOnly());
  b.blocks.push_back(NestedBlock{"rule", rule, Nesting::kList, 0, 0});
  auto r = [&](Value token) {
    return Value::List(ImpliedType(rule),
                       {Obj(rule, {{"port", Value::Num(1)}, {"token_wo", std::move(token)}})});
  };
  Value config = Obj(b, {{"secret_wo", Value::String("s")}, {"rule", r(Value::String("t"))}});
  Value nulled = Obj(b, {{"rule", r(Value::Null(Type::String()))}});
  EXPECT_TRUE(AssertPlanValid(b, Value::Null(ImpliedType(b)), config, nulled).empty());
  EXPECT_TRUE(WriteOnlyNotNull(b, nulled).empty());
  // Echoing the configuration is what Terraform 1.11 refuses.
  auto errs = WriteOnlyNotNull(b, config);
  ASSERT_EQ(errs.size(), 2u);
  EXPECT_EQ(errs[0].path, AttributePath::Root("secret_wo"));
  EXPECT_EQ(errs[1].path, AttributePath::Root("rule").Index(0).Attr("token_wo"));
  Value changed = nulled.WithAttr("secret_wo", Value::String("other"));
  auto plan_errs = AssertPlanValid(b, Value::Null(ImpliedType(b)), config, changed);
  ASSERT_EQ(plan_errs.size(), 1u);
  EXPECT_EQ(plan_errs[0].message, "planned value for write-only attribute is not null");
}

TEST(KnownEqual, IsFalseWithUnknowns) {
  Value u = Value::Unknown(Type::String());
  EXPECT_FALSE(KnownEqual(u, u));
  EXPECT_TRUE(KnownEqual(Value::Null(Type::String()), Value::Null(Type::String())));
  EXPECT_TRUE(KnownEqual(Value::String("a"), Value::String("a")));
  EXPECT_FALSE(KnownEqual(Value::String("a"), Value::String("b")));
}

}  // namespace
}  // namespace pxc::tfdriver
