// The write-only arguments of pxc_node_cert, pxc_node_tls_config and
// pxc_ssl_user, and the ephemeral pxc_client_cert, through the core (no
// remote host: what validation and planning decide, and what pxc_node_cert
// and pxc_client_cert make). pxc_ssl_user against a real server is in
// ssl_user_test; the node side of pxc_node_tls_config in the end-to-end run.
#include <gtest/gtest.h>
#include <openssl/evp.h>

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

std::string Sha256Hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

class WriteOnlyResources : public ::testing::Test {
 protected:
  WriteOnlyResources() : core_(resources::MakeProvider("test")) {
    allowed_.write_only_attributes_allowed = true;
    ca_ = Apply("pxc_ca", Obj("pxc_ca", {{"key_algorithm", Value::String("ECDSA")}}));
  }
  Type TypeOf(const std::string& type) const {
    return core_.FindResource(type)->GetSchema().ImpliedType();
  }
  Value Obj(const std::string& type, std::map<std::string, Value> attrs) const {
    auto v = Value::ObjectOf(TypeOf(type), std::move(attrs));
    EXPECT_TRUE(v.ok()) << v.status().message();
    return *v;
  }
  // What Terraform proposes: the configuration, prior values for computed
  // attributes left null.
  Value Proposed(const std::string& type, const Value& prior, const Value& config) const {
    std::map<std::string, Value> attrs = config.Entries();
    for (const auto& a : core_.FindResource(type)->GetSchema().block.attributes) {
      if (a.computed() && config.GetAttr(a.name).IsNull()) attrs[a.name] = prior.GetAttr(a.name);
    }
    return Obj(type, attrs);
  }
  Value Apply(const std::string& type, const Value& config) {
    const Type t = TypeOf(type);
    auto plan = core_.PlanResourceChange(type, Value::Null(t), config, config, "");
    EXPECT_FALSE(plan.diags.HasError()) << plan.diags.items()[0].detail;
    auto applied = core_.ApplyResourceChange(type, Value::Null(t), plan.planned, config, "");
    EXPECT_FALSE(applied.diags.HasError()) << applied.diags.items()[0].detail;
    return applied.new_state;
  }
  Value NodeCertConfig(bool write_only) {
    return Obj("pxc_node_cert", {{"ca_cert_pem", ca_.GetAttr("cert_pem")},
                                 {write_only ? "ca_private_key_pem_wo" : "ca_private_key_pem",
                                  ca_.GetAttr("private_key_pem")},
                                 {"common_name", Value::String("pxc1")},
                                 {"key_algorithm", Value::String("ECDSA")}});
  }
  static bool HasErrorAt(const schema::Diagnostics& d, const AttributePath& p) {
    for (const auto& i : d.items()) {
      if (i.severity == schema::Severity::kError && i.path == p) return true;
    }
    return false;
  }

  Core core_;
  ClientCapabilities allowed_;
  Value ca_;
};

TEST_F(WriteOnlyResources, SchemasDeclareTheThreeWriteOnlyArguments) {
  EXPECT_TRUE(core_.schema_diags().empty());
  const std::pair<const char*, const char*> wo[] = {{"pxc_ssl_user", "password_wo"},
                                                    {"pxc_node_cert", "ca_private_key_pem_wo"},
                                                    {"pxc_node_tls_config", "key_pem_wo"}};
  for (const auto& [type, attr] : wo) {
    const auto* a = core_.FindResource(type)->GetSchema().block.FindAttribute(attr);
    ASSERT_NE(a, nullptr) << type << "." << attr;
    EXPECT_TRUE(a->write_only && a->sensitive && a->optional()) << type << "." << attr;
  }
}

TEST_F(WriteOnlyResources, NodeCertNeedsExactlyOneCaKey) {
  Value wo = NodeCertConfig(true);
  EXPECT_FALSE(core_.ValidateResourceConfig("pxc_node_cert", wo, allowed_).HasError());
  auto old_client = core_.ValidateResourceConfig("pxc_node_cert", wo);
  EXPECT_TRUE(HasErrorAt(old_client, AttributePath::Root("ca_private_key_pem_wo")));
  Value both = wo.WithAttr("ca_private_key_pem", ca_.GetAttr("private_key_pem"));
  EXPECT_TRUE(HasErrorAt(core_.ValidateResourceConfig("pxc_node_cert", both, allowed_),
                         AttributePath::Root("ca_private_key_pem_wo")));
  Value none = wo.WithAttr("ca_private_key_pem_wo", Value::Null(Type::String()));
  EXPECT_TRUE(HasErrorAt(core_.ValidateResourceConfig("pxc_node_cert", none, allowed_),
                         AttributePath::Root("ca_private_key_pem")));
  // A wrong write-only key is reported at its own path.
  Value other = Apply("pxc_ca", Obj("pxc_ca", {{"key_algorithm", Value::String("ECDSA")}}));
  Value wrong = wo.WithAttr("ca_private_key_pem_wo", other.GetAttr("private_key_pem"));
  EXPECT_TRUE(HasErrorAt(core_.ValidateResourceConfig("pxc_node_cert", wrong, allowed_),
                         AttributePath::Root("ca_private_key_pem_wo")));
}

TEST_F(WriteOnlyResources, NodeCertSignsWithWriteOnlyCaKeyAndStoresNone) {
  Value config = NodeCertConfig(true);
  const std::string ca_key = *ca_.GetString("private_key_pem");
  auto plan = core_.PlanResourceChange("pxc_node_cert", Value::Null(TypeOf("pxc_node_cert")),
                                       config, config, "");
  ASSERT_FALSE(plan.diags.HasError()) << plan.diags.items()[0].detail;
  EXPECT_TRUE(plan.planned.GetAttr("ca_private_key_pem_wo").IsNull());
  Value state = Apply("pxc_node_cert", config);
  ASSERT_TRUE(state.IsWhollyKnown());
  EXPECT_TRUE(state.GetAttr("ca_private_key_pem_wo").IsNull());
  EXPECT_TRUE(state.GetAttr("ca_private_key_pem").IsNull());
  EXPECT_EQ(state.DebugString().find(ca_key.substr(40, 40)), std::string::npos);
  auto cert = Certificate::FromPem(*state.GetString("cert_pem"));
  auto ca = Certificate::FromPem(*ca_.GetString("cert_pem"));
  ASSERT_TRUE(cert.ok() && ca.ok());
  EXPECT_TRUE(cert->VerifySignedBy(*ca).ok());
  // Re-plan: no change.
  auto again = core_.PlanResourceChange("pxc_node_cert", state,
                                        Proposed("pxc_node_cert", state, config), config, "");
  ASSERT_FALSE(again.diags.HasError());
  EXPECT_EQ(again.planned, state);
  EXPECT_TRUE(again.requires_replace.empty());
}

TEST_F(WriteOnlyResources, NodeCertFromACsrWithWriteOnlyCaKeyReplansEmpty) {
  auto node_key = PrivateKey::Generate({resources::KeyAlgorithm::kEcdsa, 0, "P256"});
  ASSERT_TRUE(node_key.ok());
  auto csr = resources::CertificateRequest::Create(*node_key, {"pxc2", "", "", "", "", ""});
  ASSERT_TRUE(csr.ok());
  Value config = NodeCertConfig(true)
                     .WithAttr("key_algorithm", Value::Null(Type::String()))
                     .WithAttr("cert_request_pem", Value::String(*csr->ToPem()));
  Value state = Apply("pxc_node_cert", config);
  ASSERT_TRUE(state.IsWhollyKnown());
  EXPECT_TRUE(state.GetAttr("private_key_pem").IsNull());
  // Regression (seen with Terraform 1.11.4): every plan showed
  // ready_for_renewal -> (known after apply).
  auto again = core_.PlanResourceChange("pxc_node_cert", state,
                                        Proposed("pxc_node_cert", state, config), config, "");
  ASSERT_FALSE(again.diags.HasError()) << again.diags.items()[0].detail;
  EXPECT_EQ(again.planned, state) << again.planned.DebugString();
}

TEST_F(WriteOnlyResources, NodeCertMovesBetweenStoredAndWriteOnlyKeyWithoutReplacement) {
  Value stored = NodeCertConfig(false);
  Value state = Apply("pxc_node_cert", stored);
  Value wo = NodeCertConfig(true);
  auto plan = core_.PlanResourceChange("pxc_node_cert", state, Proposed("pxc_node_cert", state, wo),
                                       wo, "");
  ASSERT_FALSE(plan.diags.HasError()) << plan.diags.items()[0].detail;
  EXPECT_TRUE(plan.requires_replace.empty());
  EXPECT_TRUE(plan.planned.GetAttr("ca_private_key_pem").IsNull());
  auto applied = core_.ApplyResourceChange("pxc_node_cert", state, plan.planned, wo, "");
  ASSERT_FALSE(applied.diags.HasError()) << applied.diags.items()[0].detail;
  EXPECT_EQ(applied.new_state.GetAttr("cert_pem"), state.GetAttr("cert_pem"));
  EXPECT_TRUE(applied.new_state.GetAttr("ca_private_key_pem").IsNull());
  // The certificate is still checked against the CA: another CA certificate
  // (with its own key) replaces it.
  Value other = Apply("pxc_ca", Obj("pxc_ca", {{"key_algorithm", Value::String("ECDSA")}}));
  Value moved = wo.WithAttr("ca_cert_pem", other.GetAttr("cert_pem"))
                    .WithAttr("ca_private_key_pem_wo", other.GetAttr("private_key_pem"));
  auto replan =
      core_.PlanResourceChange("pxc_node_cert", applied.new_state,
                               Proposed("pxc_node_cert", applied.new_state, moved), moved, "");
  ASSERT_FALSE(replan.diags.HasError());
  ASSERT_FALSE(replan.requires_replace.empty());
  EXPECT_EQ(replan.requires_replace[0], AttributePath::Root("ca_cert_pem"));
}

TEST_F(WriteOnlyResources, NodeTlsConfigValidation) {
  const std::string key =
      *PrivateKey::Generate({resources::KeyAlgorithm::kEd25519, 0, ""})->ToPem();
  Value base = Obj("pxc_node_tls_config", {{"host", Value::String("10.0.0.11")},
                                           {"name", Value::String("pxc1")},
                                           {"ca_pem", ca_.GetAttr("cert_pem")},
                                           {"cert_pem", ca_.GetAttr("cert_pem")}});
  Value wo =
      base.WithAttr("key_pem_wo", Value::String(key)).WithAttr("key_pem_wo_version", Value::Num(1));
  auto ok = core_.ValidateResourceConfig("pxc_node_tls_config", wo, allowed_);
  EXPECT_FALSE(ok.HasError()) << ok.items()[0].detail;
  EXPECT_TRUE(HasErrorAt(core_.ValidateResourceConfig("pxc_node_tls_config", wo),
                         AttributePath::Root("key_pem_wo")));
  EXPECT_TRUE(HasErrorAt(core_.ValidateResourceConfig("pxc_node_tls_config", base, allowed_),
                         AttributePath::Root("key_pem")))
      << "role server needs a key";
  EXPECT_TRUE(
      HasErrorAt(core_.ValidateResourceConfig("pxc_node_tls_config",
                                              wo.WithAttr("key_pem", Value::String(key)), allowed_),
                 AttributePath::Root("key_pem_wo")));
  EXPECT_TRUE(HasErrorAt(
      core_.ValidateResourceConfig("pxc_node_tls_config",
                                   wo.WithAttr("key_pem_wo_version", Value::Null(Type::Number())),
                                   allowed_),
      AttributePath::Root("key_pem_wo_version")));
  EXPECT_TRUE(HasErrorAt(
      core_.ValidateResourceConfig("pxc_node_tls_config",
                                   wo.WithAttr("key_pem_wo", Value::String("not a key")), allowed_),
      AttributePath::Root("key_pem_wo")));
}

TEST_F(WriteOnlyResources, NodeTlsConfigPlansTheKeyFileFromTheWriteOnlyKey) {
  const std::string key =
      *PrivateKey::Generate({resources::KeyAlgorithm::kEd25519, 0, ""})->ToPem();
  Value base = Obj("pxc_node_tls_config", {{"host", Value::String("10.0.0.11")},
                                           {"name", Value::String("pxc1")},
                                           {"ca_pem", ca_.GetAttr("cert_pem")},
                                           {"cert_pem", ca_.GetAttr("cert_pem")}});
  Value stored = base.WithAttr("key_pem", Value::String(key));
  Value wo =
      base.WithAttr("key_pem_wo", Value::String(key)).WithAttr("key_pem_wo_version", Value::Num(1));
  const Type t = TypeOf("pxc_node_tls_config");
  auto plan_stored =
      core_.PlanResourceChange("pxc_node_tls_config", Value::Null(t), stored, stored, "");
  auto plan_wo = core_.PlanResourceChange("pxc_node_tls_config", Value::Null(t), wo, wo, "");
  ASSERT_FALSE(plan_stored.diags.HasError());
  ASSERT_FALSE(plan_wo.diags.HasError()) << plan_wo.diags.items()[0].detail;
  EXPECT_TRUE(plan_wo.planned.GetAttr("key_pem_wo").IsNull());
  // The same files and my.cnf options as with key_pem, the key file's hash
  // computed from the write-only key.
  EXPECT_EQ(plan_wo.planned.GetAttr("files"), plan_stored.planned.GetAttr("files"));
  EXPECT_EQ(plan_wo.planned.GetAttr("config"), plan_stored.planned.GetAttr("config"));
  auto files = plan_wo.planned.GetAttr("files").Entries();
  ASSERT_EQ(files.count("/etc/mysql/certs/pxc1-key.pem"), 1u);
  EXPECT_EQ(files.at("/etc/mysql/certs/pxc1-key.pem").AsString().substr(0, 71),
            "sha256:" + Sha256Hex(key));
  EXPECT_EQ(plan_wo.planned.GetAttr("config").Entries().count("[mysqld] ssl-key"), 1u);

  // A stored object (as read back from the node: key file as configured)
  // plans no change; a different key in the configuration changes `files`.
  Value state = plan_wo.planned;
  auto same = core_.PlanResourceChange("pxc_node_tls_config", state,
                                       Proposed("pxc_node_tls_config", state, wo), wo, "");
  ASSERT_FALSE(same.diags.HasError());
  EXPECT_EQ(same.planned, state);
  const std::string key2 =
      *PrivateKey::Generate({resources::KeyAlgorithm::kEd25519, 0, ""})->ToPem();
  Value rotated = wo.WithAttr("key_pem_wo", Value::String(key2));
  auto changed = core_.PlanResourceChange(
      "pxc_node_tls_config", state, Proposed("pxc_node_tls_config", state, rotated), rotated, "");
  ASSERT_FALSE(changed.diags.HasError());
  EXPECT_NE(changed.planned.GetAttr("files"), state.GetAttr("files"));
  EXPECT_TRUE(changed.planned.GetAttr("key_pem_wo").IsNull());
}

TEST_F(WriteOnlyResources, SslUserPasswordWoRules) {
  auto cfg = [&](std::map<std::string, Value> extra) {
    extra["name"] = Value::String("app");
    return Obj("pxc_ssl_user", extra);
  };
  Value wo = cfg({{"password_wo", Value::String("pw")}, {"password_wo_version", Value::Num(1)}});
  EXPECT_FALSE(core_.ValidateResourceConfig("pxc_ssl_user", wo, allowed_).HasError());
  auto old_client = core_.ValidateResourceConfig("pxc_ssl_user", wo);
  ASSERT_TRUE(HasErrorAt(old_client, AttributePath::Root("password_wo")));
  EXPECT_NE(old_client.items()[0].detail.find("Terraform 1.11 or later"), std::string::npos);
  EXPECT_NE(old_client.items()[0].detail.find("Or set password instead"), std::string::npos);
  EXPECT_TRUE(HasErrorAt(core_.ValidateResourceConfig(
                             "pxc_ssl_user", wo.WithAttr("password", Value::String("x")), allowed_),
                         AttributePath::Root("password_wo")));
  EXPECT_TRUE(HasErrorAt(core_.ValidateResourceConfig(
                             "pxc_ssl_user", cfg({{"password_wo", Value::String("pw")}}), allowed_),
                         AttributePath::Root("password_wo_version")));
  EXPECT_TRUE(
      HasErrorAt(core_.ValidateResourceConfig(
                     "pxc_ssl_user", cfg({{"password_wo_version", Value::Num(1)}}), allowed_),
                 AttributePath::Root("password_wo_version")));
  // Without any password, as before.
  EXPECT_FALSE(core_.ValidateResourceConfig("pxc_ssl_user", cfg({}), allowed_).HasError());
  // Planned: no password anywhere.
  auto plan =
      core_.PlanResourceChange("pxc_ssl_user", Value::Null(TypeOf("pxc_ssl_user")), wo, wo, "");
  ASSERT_FALSE(plan.diags.HasError());
  EXPECT_TRUE(plan.planned.GetAttr("password_wo").IsNull());
  EXPECT_EQ(plan.planned.GetAttr("password_wo_version"), Value::Num(1));
}

TEST(ClientCert, OpensAShortLivedClientCertificateFromTheCa) {
  Core core(resources::MakeProvider("test"));
  const auto* e = core.FindEphemeralResource("pxc_client_cert");
  ASSERT_NE(e, nullptr);
  const Type t = e->GetSchema().ImpliedType();
  auto ca_key = PrivateKey::Generate({resources::KeyAlgorithm::kEcdsa, 0, "P256"});
  ASSERT_TRUE(ca_key.ok());
  auto ca = Certificate::SelfSignCa(*ca_key, {{"Test-CA", "", "", "", "", ""}, 48, std::nullopt});
  ASSERT_TRUE(ca.ok());
  Value config = *Value::ObjectOf(t, {{"ca_cert_pem", Value::String(ca->ToPem())},
                                      {"ca_private_key_pem", Value::String(*ca_key->ToPem())},
                                      {"common_name", Value::String("app")},
                                      {"key_algorithm", Value::String("ECDSA")}});
  EXPECT_FALSE(core.ValidateEphemeralResourceConfig("pxc_client_cert", config).HasError());
  auto before = std::chrono::system_clock::now();
  auto open = core.OpenEphemeralResource("pxc_client_cert", config);
  ASSERT_FALSE(open.diags.HasError()) << open.diags.items()[0].detail;
  EXPECT_FALSE(open.renew_at.has_value());
  EXPECT_TRUE(open.private_data.empty()) << "nothing to hand to Renew/Close";
  auto cert = Certificate::FromPem(*open.result.GetString("cert_pem"));
  ASSERT_TRUE(cert.ok());
  EXPECT_TRUE(cert->VerifySignedBy(*ca).ok());
  EXPECT_EQ(cert->Subject().common_name, "app");
  EXPECT_FALSE(cert->IsCa());
  auto key = PrivateKey::FromPem(*open.result.GetString("private_key_pem"));
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(key->MatchesCertificate(*cert));
  EXPECT_EQ(key->Spec().algorithm, resources::KeyAlgorithm::kEcdsa);
  EXPECT_EQ(key->Spec().ecdsa_curve, "P256");
  // One hour by default.
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::minutes>(cert->NotAfter() - cert->NotBefore())
                .count(),
            60);
  EXPECT_LE(cert->NotBefore(), std::chrono::system_clock::now());
  // Whole seconds from time(), whose coarse clock may still show the
  // previous second a few milliseconds after system_clock has passed it
  // (this check with a 1 s margin failed once in about 200 runs).
  EXPECT_GE(cert->NotBefore() + std::chrono::seconds(2), before);
  EXPECT_EQ(open.result.GetAttr("validity_period_hours"), Value::Num(1));
  // Every open makes a new key.
  auto again = core.OpenEphemeralResource("pxc_client_cert", config);
  ASSERT_FALSE(again.diags.HasError());
  EXPECT_NE(again.result.GetAttr("private_key_pem"), open.result.GetAttr("private_key_pem"));
  EXPECT_FALSE(core.CloseEphemeralResource("pxc_client_cert", "").HasError());
  // A CA key that is not the CA certificate's is refused at its path.
  auto other = PrivateKey::Generate({resources::KeyAlgorithm::kEcdsa, 0, "P256"});
  auto bad = core.ValidateEphemeralResourceConfig(
      "pxc_client_cert", config.WithAttr("ca_private_key_pem", Value::String(*other->ToPem())));
  ASSERT_TRUE(bad.HasError());
  EXPECT_EQ(bad.items()[0].path, AttributePath::Root("ca_private_key_pem"));
}

}  // namespace
}  // namespace pxc::provider
