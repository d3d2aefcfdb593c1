// pxc_node_cert through the protocol-agnostic core: validation with
// attribute paths, certificates that verify against the CA with the right
// SANs and key usages, CA changes and broken chains planned as replacements,
// CSR signing, and validity clamped to the CA's.
#include <gtest/gtest.h>

#include "provider/core.h"
#include "resources/pki/x509.h"
#include "resources/provider_def.h"

namespace pxc::provider {
namespace {

using resources::Certificate;
using resources::PrivateKey;
using schema::AttributePath;
using schema::Type;
using schema::Value;

class NodeCertTest : public ::testing::Test {
 protected:
  NodeCertTest() : core_(resources::MakeProvider("test")) {
    ca_type_ = core_.FindResource("pxc_ca")->GetSchema().ImpliedType();
    type_ = core_.FindResource("pxc_node_cert")->GetSchema().ImpliedType();
    ca_ = ApplyType("pxc_ca", ca_type_,
                    Obj(ca_type_, {{"key_algorithm", Value::String("ECDSA")},
                                   {"validity_period_hours", Value::Num(48)}}));
    other_ca_ =
        ApplyType("pxc_ca", ca_type_, Obj(ca_type_, {{"key_algorithm", Value::String("ECDSA")}}));
  }
  static Value Obj(const Type& t, std::map<std::string, Value> attrs) {
    return *Value::ObjectOf(t, std::move(attrs));
  }
  Value ApplyType(const std::string& type, const Type& t, const Value& config) {
    auto plan = core_.PlanResourceChange(type, Value::Null(t), config, config, "");
    EXPECT_FALSE(plan.diags.HasError()) << plan.diags.items()[0].detail;
    auto applied = core_.ApplyResourceChange(type, Value::Null(t), plan.planned, config, "");
    EXPECT_FALSE(applied.diags.HasError()) << applied.diags.items()[0].detail;
    return applied.new_state;
  }
  Value Config(std::map<std::string, Value> extra, const Value* ca = nullptr) {
    if (!ca) ca = &ca_;
    std::map<std::string, Value> attrs = {{"ca_cert_pem", ca->GetAttr("cert_pem")},
                                          {"ca_private_key_pem", ca->GetAttr("private_key_pem")},
                                          {"common_name", Value::String("pxc1")}};
    for (auto& [k, v] : extra) attrs[k] = v;
    return Obj(type_, attrs);
  }
  Value Proposed(const Value& prior, const Value& config) {
    std::map<std::string, Value> attrs = config.Entries();
    for (const auto& a : core_.FindResource("pxc_node_cert")->GetSchema().block.attributes) {
      if (a.computed() && config.GetAttr(a.name).IsNull()) attrs[a.name] = prior.GetAttr(a.name);
    }
    return Obj(type_, attrs);
  }
  Value Apply(const Value& config) { return ApplyType("pxc_node_cert", type_, config); }
  static Value Strings(std::vector<std::string> v) {
    std::vector<Value> out;
    for (auto& s : v) out.push_back(Value::String(s));
    return Value::List(Type::String(), out);
  }

  Core core_;
  Type ca_type_, type_;
  Value ca_, other_ca_;
};

TEST_F(NodeCertTest, InvalidConfigsGetAttributePathDiagnostics) {
  Value leaf = Apply(Config({}));
  struct Case {
    const char* name;
    Value config;
    AttributePath path;
  };
  const Case cases[] = {
      {"leaf as CA", Config({{"ca_cert_pem", leaf.GetAttr("cert_pem")}}),
       AttributePath::Root("ca_cert_pem")},
      {"mismatched CA key", Config({{"ca_private_key_pem", other_ca_.GetAttr("private_key_pem")}}),
       AttributePath::Root("ca_private_key_pem")},
      {"CN equals CA CN", Config({{"common_name", Value::String("PXC-CA")}}),
       AttributePath::Root("common_name")},
      {"empty CN", Config({{"common_name", Value::String("")}}),
       AttributePath::Root("common_name")},
      {"bad IP", Config({{"ip_addresses", Strings({"10.0.0.1", "10.0.0.300"})}}),
       AttributePath::Root("ip_addresses").Index(1)},
      {"bad DNS", Config({{"dns_names", Strings({"bad_name!"})}}),
       AttributePath::Root("dns_names").Index(0)},
      {"usage", Config({{"usage", Value::String("both")}}), AttributePath::Root("usage")},
      // Regression: checked against the default validity (8760 h) too, not
      // only against a configured one.
      {"early renewal past the default validity",
       Config({{"early_renewal_hours", Value::Num(9000)}}),
       AttributePath::Root("early_renewal_hours")},
      {"CSR with key settings",
       Config({{"cert_request_pem", Value::String("x")}, {"key_algorithm", Value::String("RSA")}}),
       AttributePath::Root("key_algorithm")},
  };
  for (const auto& c : cases) {
    auto diags = core_.ValidateResourceConfig("pxc_node_cert", c.config);
    ASSERT_TRUE(diags.HasError()) << c.name;
    bool found = false;
    for (const auto& d : diags.items()) found |= d.path == c.path;
    EXPECT_TRUE(found) << c.name << ": no diagnostic at " << c.path.ToString();
  }
}

TEST_F(NodeCertTest, CreatesVerifyingCertificateWithSansAndEmptySecondPlan) {
  Value config = Config({{"dns_names", Strings({"pxc0.lab"})},
                         {"ip_addresses", Strings({"10.77.0.11"})},
                         {"usage", Value::String("server")},
                         {"key_algorithm", Value::String("ECDSA")}});
  EXPECT_FALSE(core_.ValidateResourceConfig("pxc_node_cert", config).HasError());
  Value state = Apply(config);
  ASSERT_TRUE(state.IsWhollyKnown());
  auto cert = Certificate::FromPem(*state.GetString("cert_pem"));
  auto ca = Certificate::FromPem(*ca_.GetString("cert_pem"));
  ASSERT_TRUE(cert.ok() && ca.ok());
  EXPECT_TRUE(cert->VerifySignedBy(*ca).ok());
  EXPECT_FALSE(cert->IsCa());
  EXPECT_EQ(cert->DnsNames(), (std::vector<std::string>{"pxc1", "pxc0.lab"}));
  EXPECT_EQ(cert->IpAddresses(), (std::vector<std::string>{"10.77.0.11"}));
  EXPECT_EQ(cert->Subject().common_name, "pxc1");
  auto key = PrivateKey::FromPem(*state.GetString("private_key_pem"));
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(key->MatchesCertificate(*cert));
  EXPECT_EQ(*state.GetString("ca_chain_pem"), cert->ToPem() + ca->ToPem());
  // The CA ends in 48 hours: the default one-year validity is clamped to it.
  EXPECT_LE(cert->NotAfter(), ca->NotAfter());
  auto diags = core_.ValidateResourceConfig("pxc_node_cert", config);
  bool warned = false;
  for (const auto& d : diags.items()) {
    warned |= d.severity == schema::Severity::kWarning &&
              d.path == AttributePath::Root("validity_period_hours");
  }
  EXPECT_TRUE(warned);

  auto plan = core_.PlanResourceChange("pxc_node_cert", state, Proposed(state, config), config, "");
  ASSERT_FALSE(plan.diags.HasError());
  EXPECT_EQ(plan.planned, state);
  EXPECT_TRUE(plan.requires_replace.empty());
}

TEST_F(NodeCertTest, CaChangePlansReplacement) {
  Value state = Apply(Config({}));
  Value moved = Config({}, &other_ca_);
  auto plan = core_.PlanResourceChange("pxc_node_cert", state, Proposed(state, moved), moved, "");
  ASSERT_FALSE(plan.diags.HasError());
  ASSERT_FALSE(plan.requires_replace.empty());
  EXPECT_EQ(plan.requires_replace[0], AttributePath::Root("ca_cert_pem"));
}

TEST_F(NodeCertTest, CertificateThatNoLongerVerifiesIsReplacedWithAWarning) {
  Value config = Config({});
  Value state = Apply(config);
  // A state whose certificate was signed by another CA (e.g. edited by hand).
  Value foreign = Apply(Config({}, &other_ca_));
  Value broken = state.WithAttr("cert_pem", foreign.GetAttr("cert_pem"));
  auto plan =
      core_.PlanResourceChange("pxc_node_cert", broken, Proposed(broken, config), config, "");
  ASSERT_FALSE(plan.diags.HasError());
  ASSERT_EQ(plan.requires_replace.size(), 1u);
  EXPECT_EQ(plan.requires_replace[0], AttributePath::Root("ready_for_renewal"));
  ASSERT_FALSE(plan.diags.empty());
  EXPECT_EQ(plan.diags.items()[0].summary, "Certificate Will Be Replaced");
}

TEST_F(NodeCertTest, CertificateInItsRenewalWindowIsReplacedWithAWarning) {
  // The CA ends in 48 hours, so the certificate does too: with
  // early_renewal_hours = 72 it is due.
  Value state = Apply(Config({}));
  Value due = Config({{"early_renewal_hours", Value::Num(72)}});
  auto plan = core_.PlanResourceChange("pxc_node_cert", state, Proposed(state, due), due, "");
  ASSERT_FALSE(plan.diags.HasError());
  ASSERT_EQ(plan.requires_replace.size(), 1u);
  EXPECT_EQ(plan.requires_replace[0], AttributePath::Root("ready_for_renewal"));
  ASSERT_EQ(plan.diags.items().size(), 1u);
  EXPECT_EQ(plan.diags.items()[0].severity, schema::Severity::kWarning);
  EXPECT_EQ(plan.diags.items()[0].summary, "Certificate Due for Renewal");
  EXPECT_NE(plan.diags.items()[0].detail.find("within early_renewal_hours (72)"), std::string::npos)
      << plan.diags.items()[0].detail;
  // Outside the window: no warning.
  Value config = Config({});
  auto quiet =
      core_.PlanResourceChange("pxc_node_cert", state, Proposed(state, config), config, "");
  ASSERT_FALSE(quiet.diags.HasError());
  EXPECT_TRUE(quiet.diags.empty());
}

TEST_F(NodeCertTest, SignsACertificateRequestWithoutHandlingTheKey) {
  auto node_key = PrivateKey::Generate({resources::KeyAlgorithm::kEd25519, 0, ""});
  ASSERT_TRUE(node_key.ok());
  auto csr = resources::CertificateRequest::Create(*node_key, {"pxc2", "", "", "", "", ""});
  ASSERT_TRUE(csr.ok());
  Value config = Config({{"common_name", Value::String("pxc2")},
                         {"usage", Value::String("client")},
                         {"cert_request_pem", Value::String(*csr->ToPem())}});
  EXPECT_FALSE(core_.ValidateResourceConfig("pxc_node_cert", config).HasError());
  auto plan = core_.PlanResourceChange("pxc_node_cert", Value::Null(type_), config, config, "");
  ASSERT_FALSE(plan.diags.HasError());
  EXPECT_TRUE(plan.planned.GetAttr("private_key_pem").IsNull());
  auto applied =
      core_.ApplyResourceChange("pxc_node_cert", Value::Null(type_), plan.planned, config, "");
  ASSERT_FALSE(applied.diags.HasError()) << applied.diags.items()[0].detail;
  auto cert = Certificate::FromPem(*applied.new_state.GetString("cert_pem"));
  ASSERT_TRUE(cert.ok());
  EXPECT_TRUE(node_key->MatchesCertificate(*cert));
  EXPECT_TRUE(applied.new_state.GetAttr("private_key_pem").IsNull());
  // The next plan is empty: the key settings the pipeline defaults (and
  // ModifyPlan nulls again) are no change (regression: every plan showed
  // ready_for_renewal -> (known after apply)).
  const Value state = applied.new_state;
  auto again =
      core_.PlanResourceChange("pxc_node_cert", state, Proposed(state, config), config, "");
  ASSERT_FALSE(again.diags.HasError());
  EXPECT_EQ(again.planned, state) << again.planned.DebugString();
  EXPECT_TRUE(again.requires_replace.empty());
}

TEST_F(NodeCertTest, ThousandCertificatesHaveDistinctSerials) {
  std::set<std::string> serials;
  Value config = Config({{"key_algorithm", Value::String("ED25519")}});
  for (int i = 0; i < 1000; ++i) {
    Value state = Apply(config);
    serials.insert(*state.GetString("serial_number"));
  }
  EXPECT_EQ(serials.size(), 1000u);
}

}  // namespace
}  // namespace pxc::provider
