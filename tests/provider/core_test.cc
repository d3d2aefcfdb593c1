// Tests of the core's plan pipeline and consistency checks (pure logic).
#include "provider/core.h"

#include <gtest/gtest.h>

namespace pxc::provider {
namespace {

using schema::AttributePath;
using schema::Block;
using schema::Type;
using schema::Value;

Block TestBlock() {
  Block b;
  b.attributes.push_back(schema::RequiredAttr("name", Type::String()).RequiresReplace());
  b.attributes.push_back(schema::OptionalAttr("note", Type::String()));
  b.attributes.push_back(
      schema::OptionalComputedAttr("size", Type::Number()).Default(Value::Num(7)));
  b.attributes.push_back(schema::ComputedAttr("id", Type::String()).UseStateForUnknown());
  b.attributes.push_back(schema::ComputedAttr("digest", Type::String()));
  return b;
}

Value Obj(const Block& b, std::map<std::string, Value> attrs) {
  return *Value::ObjectOf(b.ImpliedType(), std::move(attrs));
}

TEST(PlanPipeline, CreateSetsDefaultsAndUnknownComputed) {
  Block b = TestBlock();
  Value config = Obj(b, {{"name", Value::String("a")}});
  Value planned = pipeline::PlanObject(b, Value::Null(b.ImpliedType()), config, config);
  EXPECT_EQ(planned.GetAttr("name"), Value::String("a"));
  EXPECT_EQ(planned.GetAttr("size"), Value::Num(7));
  EXPECT_TRUE(planned.GetAttr("id").IsUnknown());
  EXPECT_TRUE(planned.GetAttr("digest").IsUnknown());
  EXPECT_TRUE(planned.GetAttr("note").IsNull());
}

TEST(PlanPipeline, UnchangedUpdateKeepsPriorValues) {
  Block b = TestBlock();
  Value prior = Obj(b, {{"name", Value::String("a")},
                        {"size", Value::Num(7)},
                        {"id", Value::String("x1")},
                        {"digest", Value::String("d1")}});
  Value config = Obj(b, {{"name", Value::String("a")}});
  // Terraform's proposed new state carries prior values for computed attrs.
  Value proposed = prior;
  Value planned = pipeline::PlanObject(b, prior, proposed, config);
  EXPECT_EQ(planned, prior);
  EXPECT_TRUE(pipeline::RequiresReplacePaths(b, prior, planned).empty());
}

TEST(PlanPipeline, ChangedUpdateMarksComputedUnknownExceptUseStateForUnknown) {
  Block b = TestBlock();
  Value prior = Obj(b, {{"name", Value::String("a")},
                        {"size", Value::Num(7)},
                        {"id", Value::String("x1")},
                        {"digest", Value::String("d1")}});
  Value config = Obj(b, {{"name", Value::String("a")}, {"note", Value::String("n")}});
  Value proposed = prior.WithAttr("note", Value::String("n"));
  Value planned = pipeline::PlanObject(b, prior, proposed, config);
  EXPECT_EQ(planned.GetAttr("id"), Value::String("x1"));
  EXPECT_TRUE(planned.GetAttr("digest").IsUnknown());
  EXPECT_EQ(planned.GetAttr("note"), Value::String("n"));
}

TEST(PlanPipeline, RequiresReplaceOnlyWhereChanged) {
  Block b = TestBlock();
  Value prior = Obj(b, {{"name", Value::String("a")}, {"size", Value::Num(7)}});
  Value planned = prior.WithAttr("name", Value::String("b"));
  auto paths = pipeline::RequiresReplacePaths(b, prior, planned);
  ASSERT_EQ(paths.size(), 1u);
  EXPECT_EQ(paths[0], AttributePath::Root("name"));
  EXPECT_TRUE(pipeline::RequiresReplacePaths(b, prior, prior).empty());
  EXPECT_TRUE(pipeline::RequiresReplacePaths(b, Value::Null(b.ImpliedType()), planned).empty());
}

TEST(PlanPipeline, CheckPlanRejectsChangedConfigValue) {
  Block b = TestBlock();
  Value config = Obj(b, {{"name", Value::String("a")}, {"note", Value::String("n")}});
  Value planned = config.WithAttr("note", Value::String("other"));
  schema::Diagnostics diags;
  pipeline::CheckPlan(b, config, planned, AttributePath(), diags);
  ASSERT_TRUE(diags.HasError());
  EXPECT_EQ(diags.items()[0].summary, "Provider Produced Invalid Plan");
  EXPECT_EQ(diags.items()[0].path, AttributePath::Root("note"));
}

TEST(PlanPipeline, CheckPlanRejectsValueForUnsetNonComputed) {
  Block b = TestBlock();
  Value config = Obj(b, {{"name", Value::String("a")}});
  Value planned = config.WithAttr("note", Value::String("invented"));
  schema::Diagnostics diags;
  pipeline::CheckPlan(b, config, planned, AttributePath(), diags);
  EXPECT_TRUE(diags.HasError());
}

TEST(PlanPipeline, CheckPlanAcceptsComputedValues) {
  Block b = TestBlock();
  Value config = Obj(b, {{"name", Value::String("a")}});
  Value planned =
      config.WithAttr("digest", Value::Unknown(Type::String())).WithAttr("size", Value::Num(7));
  schema::Diagnostics diags;
  pipeline::CheckPlan(b, config, planned, AttributePath(), diags);
  EXPECT_FALSE(diags.HasError());
}

TEST(ApplyCheck, RejectsChangedKnownValueAndLeftoverUnknown) {
  Block b = TestBlock();
  Value planned = Obj(b, {{"name", Value::String("a")},
                          {"size", Value::Num(7)},
                          {"id", Value::Unknown(Type::String())},
                          {"digest", Value::Unknown(Type::String())}});
  Value good = planned.WithAttr("id", Value::String("i")).WithAttr("digest", Value::String("d"));
  schema::Diagnostics ok;
  pipeline::CheckApply(planned, good, ok);
  EXPECT_FALSE(ok.HasError());

  schema::Diagnostics changed;
  pipeline::CheckApply(planned, good.WithAttr("size", Value::Num(8)), changed);
  ASSERT_TRUE(changed.HasError());
  EXPECT_EQ(changed.items()[0].summary, "Provider Produced Inconsistent Result After Apply");
  EXPECT_EQ(changed.items()[0].path, AttributePath::Root("size"));

  schema::Diagnostics unknown;
  pipeline::CheckApply(planned, good.WithAttr("id", Value::Unknown(Type::String())), unknown);
  ASSERT_TRUE(unknown.HasError());
  EXPECT_EQ(unknown.items()[0].summary, "Provider Returned Invalid Result Object After Apply");
}

TEST(PlanPipeline, ValidatorsReportAttributePaths) {
  Block b;
  b.attributes.push_back(
      schema::OptionalAttr("bits", Type::Number()).Validate(schema::IntBetween(2048, 8192)));
  schema::NestedBlock nb;
  nb.type_name = "grant";
  nb.nesting = schema::Nesting::kList;
  nb.block.attributes.push_back(
      schema::RequiredAttr("on", Type::String()).Validate(schema::StringNotEmpty()));
  b.blocks.push_back(nb);
  Value grant_ok = *Value::ObjectOf(nb.block.ImpliedType(), {{"on", Value::String("db.*")}});
  Value grant_bad = *Value::ObjectOf(nb.block.ImpliedType(), {{"on", Value::String("")}});
  Value config = *Value::ObjectOf(
      b.ImpliedType(), {{"bits", Value::Num(1024)},
                        {"grant", Value::List(nb.block.ImpliedType(), {grant_ok, grant_bad})}});
  schema::Diagnostics diags;
  pipeline::RunValidators(b, config, AttributePath(), diags);
  ASSERT_EQ(diags.size(), 2u);
  EXPECT_EQ(diags.items()[0].path, AttributePath::Root("bits"));
  EXPECT_EQ(diags.items()[1].path, AttributePath::Root("grant").Index(1).Attr("on"));
}

}  // namespace
}  // namespace pxc::provider
