// pxc_ca through the protocol-agnostic core: validation diagnostics with
// attribute paths, the plan/apply lifecycle and Terraform's consistency
// rules, renewal and adoption.
#include <gtest/gtest.h>

#include "provider/core.h"
#include "resources/provider_def.h"
#include "resources/x509.h"

namespace pxc::provider {
namespace {

using schema::AttributePath;
using schema::Type;
using schema::Value;

class CaCoreTest : public ::testing::Test {
 protected:
  CaCoreTest() : core_(resources::MakeProvider("test")) {
    type_ = core_.FindResource("pxc_ca")->GetSchema().ImpliedType();
    EXPECT_TRUE(core_.schema_diags().empty());
    EXPECT_FALSE(
        core_.ConfigureProvider("1.9.8", Value::Null(core_.definition().GetSchema().ImpliedType()))
            .HasError());
  }
  Value Config(std::map<std::string, Value> attrs) {
    return *Value::ObjectOf(type_, std::move(attrs));
  }
  // The proposed new state Terraform computes: config, with prior values for
  // computed attributes the config leaves null.
  Value Proposed(const Value& prior, const Value& config) {
    if (prior.IsNull()) return config;
    std::map<std::string, Value> attrs = config.Entries();
    const auto& s = core_.FindResource("pxc_ca")->GetSchema();
    for (const auto& a : s.block.attributes) {
      if (a.computed() && config.GetAttr(a.name).IsNull()) attrs[a.name] = prior.GetAttr(a.name);
    }
    return *Value::ObjectOf(type_, attrs);
  }
  Value Apply(const Value& config) {
    Value null = Value::Null(type_);
    auto plan = core_.PlanResourceChange("pxc_ca", null, config, config, "");
    EXPECT_FALSE(plan.diags.HasError()) << plan.diags.items()[0].detail;
    auto applied = core_.ApplyResourceChange("pxc_ca", null, plan.planned, config, "");
    EXPECT_FALSE(applied.diags.HasError()) << applied.diags.items()[0].detail;
    return applied.new_state;
  }

  Core core_;
  Type type_;
};

struct BadCase {
  std::string name;
  std::map<std::string, Value> attrs;
  std::string path;
};

TEST_F(CaCoreTest, InvalidConfigsGetAttributePathDiagnostics) {
  const BadCase cases[] = {
      {"rsa1024", {{"rsa_bits", Value::Num(1024)}}, "rsa_bits"},
      {"curve",
       {{"key_algorithm", Value::String("ECDSA")}, {"ecdsa_curve", Value::String("P999")}},
       "ecdsa_curve"},
      {"algorithm", {{"key_algorithm", Value::String("DSA")}}, "key_algorithm"},
      {"zero_validity", {{"validity_period_hours", Value::Num(0)}}, "validity_period_hours"},
      {"early_ge_validity",
       {{"validity_period_hours", Value::Num(10)}, {"early_renewal_hours", Value::Num(10)}},
       "early_renewal_hours"},
      {"empty_cn", {{"common_name", Value::String("")}}, "common_name"},
      {"country", {{"country", Value::String("USA")}}, "country"},
      {"adopt_half", {{"existing_cert_pem", Value::String("x")}}, "existing_private_key_pem"},
  };
  for (const auto& c : cases) {
    auto diags = core_.ValidateResourceConfig("pxc_ca", Config(c.attrs));
    ASSERT_TRUE(diags.HasError()) << c.name;
    bool found = false;
    for (const auto& d : diags.items()) {
      if (d.path == AttributePath::Root(c.path)) found = true;
      EXPECT_FALSE(d.summary.empty()) << c.name;
      EXPECT_FALSE(d.detail.empty()) << c.name;
    }
    EXPECT_TRUE(found) << c.name << ": no diagnostic at " << c.path;
  }
}

TEST_F(CaCoreTest, ValidConfigWithUnknownsValidates) {
  auto diags = core_.ValidateResourceConfig("pxc_ca",
                                            Config({{"common_name", Value::Unknown(Type::String())},
                                                    {"rsa_bits", Value::Unknown(Type::Number())}}));
  EXPECT_FALSE(diags.HasError());
}

TEST_F(CaCoreTest, LifecycleCreateThenEmptyPlan) {
  Value config = Config({{"key_algorithm", Value::String("ECDSA")},
                         {"common_name", Value::String("Test CA")},
                         {"validity_period_hours", Value::Num(48)}});
  Value null = Value::Null(type_);
  auto plan = core_.PlanResourceChange("pxc_ca", null, config, config, "");
  ASSERT_FALSE(plan.diags.HasError());
  EXPECT_TRUE(plan.planned.GetAttr("cert_pem").IsUnknown());
  EXPECT_TRUE(plan.planned.GetAttr("private_key_pem").IsUnknown());
  EXPECT_EQ(plan.planned.GetAttr("rsa_bits"), Value::Num(2048));
  auto applied = core_.ApplyResourceChange("pxc_ca", null, plan.planned, config, "");
  ASSERT_FALSE(applied.diags.HasError()) << applied.diags.items()[0].detail;
  Value state = applied.new_state;
  ASSERT_TRUE(state.IsWhollyKnown());

  auto cert = resources::Certificate::FromPem(*state.GetString("cert_pem"));
  ASSERT_TRUE(cert.ok());
  EXPECT_TRUE(cert->IsCa());
  EXPECT_EQ(cert->Subject().common_name, "Test CA");
  EXPECT_EQ(
      std::chrono::duration_cast<std::chrono::hours>(cert->NotAfter() - cert->NotBefore()).count(),
      48);
  EXPECT_EQ(*state.GetString("id"), cert->SerialHex());
  auto key = resources::PrivateKey::FromPem(*state.GetString("private_key_pem"));
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(key->MatchesCertificate(*cert));
  EXPECT_EQ(key->AlgorithmName(), "ECDSA");

  auto read = core_.ReadResource("pxc_ca", state, applied.private_data);
  ASSERT_FALSE(read.diags.HasError());
  EXPECT_EQ(read.new_state, state);

  auto plan2 = core_.PlanResourceChange("pxc_ca", state, Proposed(state, config), config, "");
  ASSERT_FALSE(plan2.diags.HasError());
  EXPECT_EQ(plan2.planned, state) << "second plan must be empty";
  EXPECT_TRUE(plan2.requires_replace.empty());
}

TEST_F(CaCoreTest, InputChangeRequiresReplace) {
  Value config = Config({{"key_algorithm", Value::String("ED25519")}});
  Value state = Apply(config);
  Value changed = config.WithAttr("common_name", Value::String("Other CA"));
  auto plan = core_.PlanResourceChange("pxc_ca", state, Proposed(state, changed), changed, "");
  ASSERT_FALSE(plan.diags.HasError());
  ASSERT_EQ(plan.requires_replace.size(), 1u);
  EXPECT_EQ(plan.requires_replace[0], AttributePath::Root("common_name"));
}

TEST_F(CaCoreTest, EarlyRenewalHoursUpdatesInPlaceAndPlansRenewalWhenDue) {
  Value config = Config(
      {{"key_algorithm", Value::String("ECDSA")}, {"validity_period_hours", Value::Num(100)}});
  Value state = Apply(config);
  // A stored certificate with half an hour left: due with early_renewal_hours = 1.
  auto key = resources::PrivateKey::FromPem(*state.GetString("private_key_pem"));
  ASSERT_TRUE(key.ok());
  resources::CaSpec old_spec;
  old_spec.subject.common_name = "PXC-CA";
  old_spec.validity_period_hours = 100;
  old_spec.not_before = std::chrono::system_clock::now() - std::chrono::minutes(99 * 60 + 30);
  auto old = resources::Certificate::SelfSignCa(*key, old_spec);
  ASSERT_TRUE(old.ok());
  Value aged = state.WithAttr("cert_pem", Value::String(old->ToPem()));
  Value due = config.WithAttr("early_renewal_hours", Value::Num(1));
  auto plan = core_.PlanResourceChange("pxc_ca", aged, Proposed(aged, due), due, "");
  ASSERT_FALSE(plan.diags.HasError());
  EXPECT_EQ(plan.planned.GetAttr("ready_for_renewal"), Value::Bool(true));
  ASSERT_EQ(plan.requires_replace.size(), 1u);
  EXPECT_EQ(plan.requires_replace[0], AttributePath::Root("ready_for_renewal"));
  // Without early renewal the same certificate is not due yet.
  auto not_due = core_.PlanResourceChange("pxc_ca", aged, Proposed(aged, config), config, "");
  ASSERT_FALSE(not_due.diags.HasError());
  EXPECT_TRUE(not_due.requires_replace.empty());

  // Not due: an in-place update keeps the certificate.
  Value later = config.WithAttr("early_renewal_hours", Value::Num(1));
  auto plan2 = core_.PlanResourceChange("pxc_ca", state, Proposed(state, later), later, "");
  ASSERT_FALSE(plan2.diags.HasError());
  EXPECT_TRUE(plan2.requires_replace.empty());
  auto applied = core_.ApplyResourceChange("pxc_ca", state, plan2.planned, later, "");
  ASSERT_FALSE(applied.diags.HasError());
  EXPECT_EQ(applied.new_state.GetAttr("cert_pem"), state.GetAttr("cert_pem"));
  EXPECT_EQ(applied.new_state.GetAttr("early_renewal_hours"), Value::Num(1));
}

TEST_F(CaCoreTest, AdoptsExistingCaAndRejectsMismatchedKey) {
  Value made = Apply(Config({{"key_algorithm", Value::String("ECDSA")}}));
  Value other = Apply(Config({{"key_algorithm", Value::String("ECDSA")}}));
  Value adopt = Config({{"existing_private_key_pem", made.GetAttr("private_key_pem")},
                        {"existing_cert_pem", made.GetAttr("cert_pem")}});
  EXPECT_FALSE(core_.ValidateResourceConfig("pxc_ca", adopt).HasError());
  auto plan = core_.PlanResourceChange("pxc_ca", Value::Null(type_), adopt, adopt, "");
  ASSERT_FALSE(plan.diags.HasError());
  // Everything is known at plan time when adopting.
  EXPECT_TRUE(plan.planned.IsWhollyKnown());
  EXPECT_EQ(plan.planned.GetAttr("cert_sha256_fingerprint"),
            made.GetAttr("cert_sha256_fingerprint"));
  auto applied = core_.ApplyResourceChange("pxc_ca", Value::Null(type_), plan.planned, adopt, "");
  ASSERT_FALSE(applied.diags.HasError());
  EXPECT_EQ(applied.new_state, plan.planned);

  Value mismatched = adopt.WithAttr("existing_private_key_pem", other.GetAttr("private_key_pem"));
  auto diags = core_.ValidateResourceConfig("pxc_ca", mismatched);
  ASSERT_TRUE(diags.HasError());
  EXPECT_EQ(diags.items().back().path, AttributePath::Root("existing_private_key_pem"));

  Value conflicting = adopt.WithAttr("common_name", Value::String("x"));
  auto diags2 = core_.ValidateResourceConfig("pxc_ca", conflicting);
  ASSERT_TRUE(diags2.HasError());
  EXPECT_EQ(diags2.items()[0].path, AttributePath::Root("common_name"));
}

TEST_F(CaCoreTest, UnknownResourceTypeIsADiagnostic) {
  auto diags = core_.ValidateResourceConfig("pxc_nope", Value::Null(type_));
  ASSERT_TRUE(diags.HasError());
  EXPECT_EQ(diags.items()[0].summary, "Unknown Resource Type");
}

}  // namespace
}  // namespace pxc::provider
