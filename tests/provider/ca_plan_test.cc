// pxc_ca through the protocol-agnostic core: validation diagnostics with
// attribute paths, the plan/apply lifecycle and Terraform's consistency
// rules, renewal and adoption.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "provider/core.h"
#include "resources/pki/x509.h"
#include "resources/provider_def.h"

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
  // The plan says why it replaces the CA (issue 19 item 3).
  ASSERT_EQ(plan.diags.items().size(), 1u);
  EXPECT_EQ(plan.diags.items()[0].severity, schema::Severity::kWarning);
  EXPECT_EQ(plan.diags.items()[0].summary, "Certificate Due for Renewal");
  EXPECT_EQ(plan.diags.items()[0].path, AttributePath::Root("early_renewal_hours"));
  EXPECT_NE(plan.diags.items()[0].detail.find("within early_renewal_hours (1)"), std::string::npos)
      << plan.diags.items()[0].detail;
  // Without early renewal the same certificate is not due yet.
  auto not_due = core_.PlanResourceChange("pxc_ca", aged, Proposed(aged, config), config, "");
  ASSERT_FALSE(not_due.diags.HasError());
  EXPECT_TRUE(not_due.requires_replace.empty());
  EXPECT_TRUE(not_due.diags.empty());

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

// What `terraform plan -generate-config-out` writes for an imported
// resource: every optional attribute of the state that is not sensitive (a
// sensitive one is left for the user to fill in).
Value GeneratedConfig(const schema::Schema& s, const Value& state) {
  std::map<std::string, Value> attrs;
  for (const auto& a : s.block.attributes) {
    if (!a.optional() || a.sensitive) continue;
    attrs[a.name] = state.GetAttr(a.name);
  }
  return *Value::ObjectOf(s.ImpliedType(), attrs);
}

TEST_F(CaCoreTest, AdoptionAcceptsGenerationAttributesThatAgreeWithTheCa) {
  Value made = Apply(Config({{"key_algorithm", Value::String("ECDSA")},
                             {"ecdsa_curve", Value::String("P384")},
                             {"common_name", Value::String("Kept CA")},
                             {"organization", Value::String("Acme")},
                             {"validity_period_hours", Value::Num(100)}}));
  // Everything the adopted CA says, spelled out as a user (or Terraform's
  // config generation) would.
  Value adopt = Config({{"existing_private_key_pem", made.GetAttr("private_key_pem")},
                        {"existing_cert_pem", made.GetAttr("cert_pem")},
                        {"key_algorithm", Value::String("ECDSA")},
                        {"ecdsa_curve", Value::String("P384")},
                        {"common_name", Value::String("Kept CA")},
                        {"organization", Value::String("Acme")},
                        {"validity_period_hours", Value::Num(100)}});
  auto vd = core_.ValidateResourceConfig("pxc_ca", adopt);
  ASSERT_FALSE(vd.HasError()) << vd.items()[0].summary << ": " << vd.items()[0].detail;
  Value null = Value::Null(type_);
  auto plan = core_.PlanResourceChange("pxc_ca", null, adopt, adopt, "");
  ASSERT_FALSE(plan.diags.HasError()) << plan.diags.items()[0].detail;
  EXPECT_TRUE(plan.planned.IsWhollyKnown());
  EXPECT_EQ(plan.planned.GetAttr("ecdsa_curve"), Value::String("P384"));
  EXPECT_EQ(plan.planned.GetAttr("organization"), Value::String("Acme"));
  auto applied = core_.ApplyResourceChange("pxc_ca", null, plan.planned, adopt, "");
  ASSERT_FALSE(applied.diags.HasError());
  EXPECT_EQ(applied.new_state, plan.planned);
  auto again = core_.PlanResourceChange("pxc_ca", applied.new_state,
                                        Proposed(applied.new_state, adopt), adopt, "");
  ASSERT_FALSE(again.diags.HasError());
  EXPECT_EQ(again.planned, applied.new_state);

  // Values the CA does not have are refused, each at its own attribute.
  Value wrong = adopt.WithAttr("common_name", Value::String("Other"))
                    .WithAttr("key_algorithm", Value::String("RSA"))
                    .WithAttr("rsa_bits", Value::Num(2048))
                    .WithAttr("country", Value::String("FR"))
                    .WithAttr("validity_period_hours", Value::Num(99));
  auto diags = core_.ValidateResourceConfig("pxc_ca", wrong);
  std::set<std::string> paths;
  for (const auto& d : diags.items()) {
    if (d.summary == "Conflicting Attributes" && d.path) paths.insert(d.path->ToString());
  }
  EXPECT_EQ(paths, (std::set<std::string>{"common_name", "key_algorithm", "rsa_bits", "country",
                                          "validity_period_hours"}));
}

// The import flow of Terraform >= 1.5: `import` block, `terraform plan
// -generate-config-out`, the user fills in the sensitive key; the plan must
// then accept the configuration and change nothing.
TEST_F(CaCoreTest, GeneratedConfigurationOfAnImportedCaPlansNoChange) {
  Value made = Apply(Config({{"key_algorithm", Value::String("RSA")},
                             {"common_name", Value::String("Manual CA")},
                             {"validity_period_hours", Value::Num(240)}}));
  char dir[] = "/tmp/pxc-ca-import-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string key_path = std::string(dir) + "/ca-key.pem";
  const std::string cert_path = std::string(dir) + "/ca.pem";
  {
    std::ofstream(key_path) << made.GetString("private_key_pem").value();
    std::ofstream(cert_path) << made.GetString("cert_pem").value();
  }
  auto imported = core_.ImportResourceState("pxc_ca", key_path + "," + cert_path);
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(imported.diags.HasError());
  ASSERT_EQ(imported.objects.size(), 1u);
  auto read = core_.ReadResource("pxc_ca", imported.objects[0].state, "");
  ASSERT_FALSE(read.diags.HasError());
  const Value& state = read.new_state;

  const auto& s = core_.FindResource("pxc_ca")->GetSchema();
  Value generated = GeneratedConfig(s, state);
  // Terraform writes them, so they are what this test is about.
  EXPECT_EQ(generated.GetAttr("common_name"), Value::String("Manual CA"));
  EXPECT_EQ(generated.GetAttr("key_algorithm"), Value::String("RSA"));
  EXPECT_EQ(generated.GetAttr("validity_period_hours"), Value::Num(240));
  // As generated, the sensitive key is missing: a diagnostic that says so.
  auto incomplete = core_.ValidateResourceConfig("pxc_ca", generated);
  ASSERT_TRUE(incomplete.HasError());
  EXPECT_NE(incomplete.items()[0].detail.find("-generate-config-out"), std::string::npos);
  // Filled in, it validates and plans no change.
  Value filled = generated.WithAttr("existing_private_key_pem", made.GetAttr("private_key_pem"));
  auto vd = core_.ValidateResourceConfig("pxc_ca", filled);
  ASSERT_FALSE(vd.HasError()) << vd.items()[0].summary << ": " << vd.items()[0].detail;
  auto plan = core_.PlanResourceChange("pxc_ca", state, Proposed(state, filled), filled, "");
  ASSERT_FALSE(plan.diags.HasError()) << plan.diags.items()[0].detail;
  EXPECT_TRUE(plan.requires_replace.empty());
  EXPECT_EQ(plan.planned, state);
}

TEST_F(CaCoreTest, UnknownResourceTypeIsADiagnostic) {
  auto diags = core_.ValidateResourceConfig("pxc_nope", Value::Null(type_));
  ASSERT_TRUE(diags.HasError());
  EXPECT_EQ(diags.items()[0].summary, "Unknown Resource Type");
}

}  // namespace
}  // namespace pxc::provider
