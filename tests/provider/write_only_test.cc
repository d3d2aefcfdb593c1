// Tests of the core's handling of write-only attributes (protocol 6.8) and
// ephemeral resources (protocol 6.7) with fake resources: what a resource
// sees, and that nothing it does can put a write-only value into a state or
// plan the core returns.
#include <gtest/gtest.h>

#include <mutex>

#include "provider/core.h"

namespace pxc::provider {
namespace {

using schema::AttributePath;
using schema::Block;
using schema::Type;
using schema::Value;

constexpr char kSecret[] = "s3cret-value";

// A resource with a write-only `secret_wo` (paired with `secret` and
// `secret_wo_version`) and a list block holding a write-only `token_wo`.
// It records what it saw and, to prove the core cleans up, returns the
// write-only values in every state it produces.
class FakeResource final : public schema::Resource {
 public:
  FakeResource() {
    auto& a = schema_.block.attributes;
    a.push_back(schema::RequiredAttr("name", Type::String()));
    a.push_back(schema::OptionalAttr("secret", Type::String()).Sensitive());
    a.push_back(schema::OptionalAttr("secret_wo", Type::String()).Sensitive().WriteOnly());
    a.push_back(schema::OptionalAttr("secret_wo_version", Type::Number()));
    a.push_back(schema::ComputedAttr("digest", Type::String()));
    schema::NestedBlock item;
    item.type_name = "item";
    item.nesting = schema::Nesting::kList;
    item.block.attributes.push_back(schema::RequiredAttr("key", Type::String()));
    item.block.attributes.push_back(schema::OptionalAttr("token_wo", Type::String()).WriteOnly());
    schema_.block.blocks.push_back(item);
  }
  std::string TypeName() const override { return "fake_thing"; }
  const schema::Schema& GetSchema() const override { return schema_; }
  void ModifyPlan(schema::PlanContext& ctx) const override {
    Record(ctx.planned);
    if (ctx.planned.GetAttr("digest").IsUnknown()) return;
    ctx.planned = ctx.planned.WithAttr("digest", Value::String("d"));
  }
  void Create(schema::ApplyContext& ctx) const override {
    Record(ctx.planned);
    ctx.new_state = ctx.planned.WithAttr("digest", Value::String("d"));
  }
  void Update(schema::ApplyContext& ctx) const override { Create(ctx); }
  void Read(schema::ReadContext& ctx) const override {
    ctx.new_state = ctx.current.WithAttr("secret_wo", Value::String(kSecret));
  }
  void ImportState(schema::ImportContext& ctx) const override {
    ctx.state = *Value::ObjectOf(schema_.ImpliedType(), {{"name", Value::String(ctx.id)},
                                                         {"secret_wo", Value::String(kSecret)},
                                                         {"digest", Value::String("d")}});
  }
  Value last_seen() const {
    std::lock_guard<std::mutex> l(mu_);
    return last_seen_;
  }

 private:
  void Record(const Value& v) const {
    std::lock_guard<std::mutex> l(mu_);
    last_seen_ = v;
  }
  schema::Schema schema_;
  mutable std::mutex mu_;
  mutable Value last_seen_;
};

// An ephemeral resource echoing `input` into `output`, renewing hourly.
class FakeEphemeral final : public schema::EphemeralResource {
 public:
  explicit FakeEphemeral(bool misbehave = false) : misbehave_(misbehave) {
    schema_.block.attributes.push_back(schema::RequiredAttr("input", Type::String()));
    schema_.block.attributes.push_back(
        schema::OptionalComputedAttr("hours", Type::Number()).Default(Value::Num(1)));
    schema_.block.attributes.push_back(schema::ComputedAttr("output", Type::String()));
  }
  std::string TypeName() const override { return "fake_token"; }
  const schema::Schema& GetSchema() const override { return schema_; }
  void Open(schema::OpenContext& ctx) const override {
    opened_ = true;
    ctx.result =
        ctx.result.WithAttr("output", Value::String("out:" + *ctx.config.GetString("input")));
    if (misbehave_) ctx.result = ctx.result.WithAttr("input", Value::String("changed"));
    ctx.renew_at = std::chrono::system_clock::time_point(std::chrono::seconds(1000));
    ctx.private_data = "handle-1";
  }
  void Renew(schema::RenewContext& ctx) const override {
    ctx.renew_at = std::chrono::system_clock::time_point(std::chrono::seconds(2000));
    ctx.next_private = ctx.private_data + "+renewed";
  }
  void Close(schema::CloseContext& ctx) const override {
    if (ctx.private_data != "handle-1") ctx.diags.AddError("Wrong Handle", ctx.private_data);
  }
  mutable bool opened_ = false;

 private:
  bool misbehave_;
  schema::Schema schema_;
};

class FakeProvider final : public schema::ProviderDefinition {
 public:
  explicit FakeProvider(bool misbehaving_ephemeral = false)
      : resource_(std::make_shared<FakeResource>()),
        ephemeral_(std::make_shared<FakeEphemeral>(misbehaving_ephemeral)) {}
  std::string Name() const override { return "fake"; }
  std::string Version() const override { return "0.0.0"; }
  const schema::Schema& GetSchema() const override { return schema_; }
  std::vector<std::shared_ptr<const schema::Resource>> Resources() const override {
    return {resource_};
  }
  std::vector<std::shared_ptr<const schema::DataSource>> DataSources() const override { return {}; }
  std::vector<std::shared_ptr<const schema::EphemeralResource>> EphemeralResources()
      const override {
    return {ephemeral_};
  }
  std::shared_ptr<FakeResource> resource_;
  std::shared_ptr<FakeEphemeral> ephemeral_;

 private:
  schema::Schema schema_;
};

class WriteOnly : public ::testing::Test {
 protected:
  WriteOnly() : def_(std::make_shared<FakeProvider>()), core_(def_) {}
  const Block& block() const { return def_->resource_->GetSchema().block; }
  Type type() const { return block().ImpliedType(); }
  Type item_type() const { return type().attributes().at("item").element(); }
  Value Item(const std::string& key, std::optional<std::string> token) {
    return *Value::ObjectOf(
        item_type(), {{"key", Value::String(key)},
                      {"token_wo", token ? Value::String(*token) : Value::Null(Type::String())}});
  }
  // name = "n", secret_wo = kSecret (version 1), one item with a token.
  Value Config() {
    return *Value::ObjectOf(type(),
                            {{"name", Value::String("n")},
                             {"secret_wo", Value::String(kSecret)},
                             {"secret_wo_version", Value::Num(1)},
                             {"item", Value::List(item_type(), {Item("k", std::string("tok"))})}});
  }
  static bool Contains(const Value& v, const std::string& needle) {
    return v.DebugString().find(needle) != std::string::npos;
  }

  std::shared_ptr<FakeProvider> def_;
  Core core_;
};

TEST_F(WriteOnly, SchemaDeclaresThemWithoutError) {
  EXPECT_TRUE(core_.schema_diags().empty());
  EXPECT_TRUE(block().FindAttribute("secret_wo")->write_only);
}

TEST_F(WriteOnly, RefusedWithoutTheClientCapability) {
  auto diags = core_.ValidateResourceConfig("fake_thing", Config());
  ASSERT_EQ(diags.size(), 2u) << diags.items()[0].detail;
  const auto& d = diags.items()[0];
  EXPECT_TRUE(d.severity == schema::Severity::kError);
  EXPECT_EQ(d.summary, "Write-Only Attribute Not Supported by This Terraform");
  EXPECT_EQ(d.path, AttributePath::Root("secret_wo"));
  EXPECT_NE(d.detail.find("Terraform 1.11 or later"), std::string::npos) << d.detail;
  EXPECT_NE(d.detail.find("Or set secret instead"), std::string::npos) << d.detail;
  EXPECT_EQ(diags.items()[1].path, AttributePath::Root("item").Index(0).Attr("token_wo"));
  EXPECT_EQ(diags.items()[1].detail.find("Or set"), std::string::npos) << "no token attribute";
  // An unknown value is set as well (its value arrives later).
  auto unknown = core_.ValidateResourceConfig(
      "fake_thing", Config().WithAttr("secret_wo", Value::Unknown(Type::String())));
  EXPECT_EQ(unknown.size(), 2u);
  // Never the value itself.
  for (const auto& item : diags.items()) EXPECT_EQ(item.detail.find(kSecret), std::string::npos);
}

TEST_F(WriteOnly, AcceptedWithTheCapabilityAndWhenUnset) {
  ClientCapabilities client;
  client.write_only_attributes_allowed = true;
  EXPECT_TRUE(core_.ValidateResourceConfig("fake_thing", Config(), client).empty());
  Value unset = Config()
                    .WithAttr("secret_wo", Value::Null(Type::String()))
                    .WithAttr("item", Value::List(item_type(), {Item("k", std::nullopt)}));
  EXPECT_TRUE(core_.ValidateResourceConfig("fake_thing", unset).empty());
}

TEST_F(WriteOnly, PlanShowsSecretsToTheResourceAndReturnsThemNull) {
  Value config = Config();
  auto res = core_.PlanResourceChange("fake_thing", Value::Null(type()), config, config, "");
  ASSERT_FALSE(res.diags.HasError()) << res.diags.items()[0].detail;
  Value seen = def_->resource_->last_seen();
  EXPECT_EQ(seen.GetAttr("secret_wo"), Value::String(kSecret));
  EXPECT_EQ(seen.GetAttr("item").Elements()[0].GetAttr("token_wo"), Value::String("tok"));
  EXPECT_TRUE(res.planned.GetAttr("secret_wo").IsNull());
  EXPECT_TRUE(res.planned.GetAttr("item").Elements()[0].GetAttr("token_wo").IsNull());
  EXPECT_EQ(res.planned.GetAttr("secret_wo_version"), Value::Num(1));
  EXPECT_FALSE(Contains(res.planned, kSecret));
  EXPECT_FALSE(Contains(res.planned, "tok\""));
}

TEST_F(WriteOnly, ASecretAloneIsNoChange) {
  // The stored object (write-only attributes null) and the same
  // configuration with its secret: the plan must equal the prior, or every
  // plan would show a change.
  Value config = Config();
  Value prior = pipeline::NullWriteOnly(block(), config).WithAttr("digest", Value::String("d"));
  Value proposed = prior.WithAttr("secret_wo", config.GetAttr("secret_wo"));
  auto res = core_.PlanResourceChange("fake_thing", prior, proposed, config, "");
  ASSERT_FALSE(res.diags.HasError()) << res.diags.items()[0].detail;
  EXPECT_EQ(res.planned, prior);
}

TEST_F(WriteOnly, ApplyGivesSecretsAndStoresNone) {
  Value config = Config();
  auto plan = core_.PlanResourceChange("fake_thing", Value::Null(type()), config, config, "");
  ASSERT_FALSE(plan.diags.HasError());
  // Terraform sends the planned state as the core returned it (secrets null).
  auto res = core_.ApplyResourceChange("fake_thing", Value::Null(type()), plan.planned, config,
                                       plan.planned_private);
  ASSERT_FALSE(res.diags.HasError()) << res.diags.items()[0].detail;
  EXPECT_EQ(def_->resource_->last_seen().GetAttr("secret_wo"), Value::String(kSecret));
  EXPECT_TRUE(res.new_state.GetAttr("secret_wo").IsNull());
  EXPECT_TRUE(res.new_state.GetAttr("item").Elements()[0].GetAttr("token_wo").IsNull());
  EXPECT_EQ(res.new_state.GetAttr("digest"), Value::String("d"));
  EXPECT_FALSE(Contains(res.new_state, kSecret));
}

TEST_F(WriteOnly, ReadUpgradeAndImportNeverReturnThem) {
  Value stored = pipeline::NullWriteOnly(block(), Config()).WithAttr("digest", Value::String("d"));
  auto read = core_.ReadResource("fake_thing", stored, "");
  ASSERT_FALSE(read.diags.HasError());
  EXPECT_TRUE(read.new_state.GetAttr("secret_wo").IsNull()) << "the fake Read sets it";

  auto upgraded = core_.UpgradeResourceState(
      "fake_thing", 0,
      R"({"name":"n","secret_wo":"s3cret-value","item":[{"key":"k","token_wo":"tok"}]})");
  ASSERT_FALSE(upgraded.diags.HasError());
  EXPECT_TRUE(upgraded.upgraded.GetAttr("secret_wo").IsNull());
  EXPECT_TRUE(upgraded.upgraded.GetAttr("item").Elements()[0].GetAttr("token_wo").IsNull());

  auto imported = core_.ImportResourceState("fake_thing", "n");
  ASSERT_FALSE(imported.diags.HasError());
  ASSERT_EQ(imported.objects.size(), 1u);
  EXPECT_TRUE(imported.objects[0].state.GetAttr("secret_wo").IsNull());
}

TEST_F(WriteOnly, CopyAndNullFollowListElementsAndLeaveUnknownsAlone) {
  Value config = Config().WithAttr(
      "item", Value::List(item_type(), {Item("a", std::string("t1")), Item("b", std::nullopt)}));
  Value bare = pipeline::NullWriteOnly(block(), config);
  EXPECT_TRUE(bare.GetAttr("item").Elements()[0].GetAttr("token_wo").IsNull());
  Value copied = pipeline::CopyWriteOnly(block(), config, bare);
  EXPECT_EQ(copied, config);
  EXPECT_EQ(pipeline::NullWriteOnly(block(), Value::Unknown(type())), Value::Unknown(type()));
  EXPECT_EQ(pipeline::CopyWriteOnly(block(), Value::Unknown(type()), bare), bare);
}

TEST(Ephemeral, OpenRenewAndCloseThroughTheCore) {
  auto def = std::make_shared<FakeProvider>();
  Core core(def);
  const auto* e = core.FindEphemeralResource("fake_token");
  ASSERT_NE(e, nullptr);
  const Type t = e->GetSchema().ImpliedType();
  Value config = *Value::ObjectOf(t, {{"input", Value::String("x")}});
  EXPECT_TRUE(core.ValidateEphemeralResourceConfig("fake_token", config).empty());
  auto open = core.OpenEphemeralResource("fake_token", config);
  ASSERT_FALSE(open.diags.HasError()) << open.diags.items()[0].detail;
  EXPECT_EQ(open.result.GetAttr("output"), Value::String("out:x"));
  EXPECT_EQ(open.result.GetAttr("hours"), Value::Num(1)) << "the default is applied";
  ASSERT_TRUE(open.renew_at.has_value());
  EXPECT_EQ(open.private_data, "handle-1");
  auto renew = core.RenewEphemeralResource("fake_token", open.private_data);
  ASSERT_FALSE(renew.diags.HasError());
  EXPECT_EQ(renew.private_data, "handle-1+renewed");
  EXPECT_EQ(renew.renew_at, std::chrono::system_clock::time_point(std::chrono::seconds(2000)));
  EXPECT_FALSE(core.CloseEphemeralResource("fake_token", open.private_data).HasError());
  EXPECT_TRUE(core.CloseEphemeralResource("fake_token", "other").HasError());
  auto unknown_type = core.OpenEphemeralResource("fake_nope", config);
  ASSERT_TRUE(unknown_type.diags.HasError());
  EXPECT_EQ(unknown_type.diags.items()[0].summary, "Unknown Ephemeral Resource Type");
}

TEST(Ephemeral, UnknownConfigurationIsNotOpened) {
  auto def = std::make_shared<FakeProvider>();
  Core core(def);
  const Type t = core.FindEphemeralResource("fake_token")->GetSchema().ImpliedType();
  Value config = *Value::ObjectOf(t, {{"input", Value::Unknown(Type::String())}});
  auto open = core.OpenEphemeralResource("fake_token", config);
  ASSERT_FALSE(open.diags.HasError());
  EXPECT_FALSE(def->ephemeral_->opened_);
  EXPECT_TRUE(open.result.GetAttr("input").IsUnknown());
  EXPECT_TRUE(open.result.GetAttr("output").IsUnknown());
  EXPECT_EQ(open.result.GetAttr("hours"), Value::Num(1));
  EXPECT_FALSE(open.renew_at.has_value());
}

TEST(Ephemeral, AResultThatChangesTheConfigurationIsRefused) {
  auto def = std::make_shared<FakeProvider>(/*misbehaving_ephemeral=*/true);
  Core core(def);
  const Type t = core.FindEphemeralResource("fake_token")->GetSchema().ImpliedType();
  auto open = core.OpenEphemeralResource("fake_token",
                                         *Value::ObjectOf(t, {{"input", Value::String("x")}}));
  ASSERT_TRUE(open.diags.HasError());
  EXPECT_EQ(open.diags.items()[0].summary, "Provider Produced Invalid Plan");
  EXPECT_EQ(open.diags.items()[0].path, AttributePath::Root("input"));
}

}  // namespace
}  // namespace pxc::provider
