// pxc_ca with private_key_file and the ephemeral pxc_ca_key, through the core
// with key files in a temporary directory: the key written there and never
// in state or plan, the plan's checks of the file (missing: a warning;
// another or unusable key: an error; never a new CA), adoption from a key
// file, destroy leaving the file, and signing a node certificate with the key
// read back into ca_private_key_pem_wo.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "provider/core.h"
#include "resources/pki/x509.h"
#include "resources/provider_def.h"

namespace pxc::provider {
namespace {

namespace fs = std::filesystem;
using resources::Certificate;
using resources::PrivateKey;
using schema::AttributePath;
using schema::Severity;
using schema::Type;
using schema::Value;

class CaKeyFileTest : public ::testing::Test {
 protected:
  CaKeyFileTest() : core_(resources::MakeProvider("test")) {
    type_ = core_.FindResource("pxc_ca")->GetSchema().ImpliedType();
    allowed_.write_only_attributes_allowed = true;
    std::string tmpl = (fs::temp_directory_path() / "pxc-cakey-XXXXXX").string();
    EXPECT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    key_file_ = (dir_ / "ca-key.pem").string();
  }
  ~CaKeyFileTest() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  Value Obj(const std::string& type, std::map<std::string, Value> attrs) const {
    auto v = Value::ObjectOf(core_.FindResource(type)->GetSchema().ImpliedType(), std::move(attrs));
    EXPECT_TRUE(v.ok()) << v.status().message();
    return *v;
  }
  Value FileCaConfig() const {
    return Obj("pxc_ca", {{"key_algorithm", Value::String("ECDSA")},
                          {"common_name", Value::String("File-CA")},
                          {"private_key_file", Value::String(key_file_)}});
  }
  Value Proposed(const Value& prior, const Value& config) const {
    std::map<std::string, Value> attrs = config.Entries();
    for (const auto& a : core_.FindResource("pxc_ca")->GetSchema().block.attributes) {
      if (a.computed() && config.GetAttr(a.name).IsNull()) attrs[a.name] = prior.GetAttr(a.name);
    }
    return *Value::ObjectOf(type_, attrs);
  }
  Value Create(const std::string& type, const Value& config) {
    const Type t = core_.FindResource(type)->GetSchema().ImpliedType();
    auto plan = core_.PlanResourceChange(type, Value::Null(t), config, config, "");
    EXPECT_FALSE(plan.diags.HasError()) << plan.diags.items()[0].detail;
    auto applied = core_.ApplyResourceChange(type, Value::Null(t), plan.planned, config, "");
    EXPECT_FALSE(applied.diags.HasError()) << applied.diags.items()[0].detail;
    return applied.new_state;
  }
  // Plans `config` against `state` (no change in the configuration).
  PlanResult Replan(const Value& state, const Value& config) {
    return core_.PlanResourceChange("pxc_ca", state, Proposed(state, config), config, "");
  }
  static std::string Contents(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  static void WriteKey(const std::string& path, const std::string& pem, mode_t mode = 0600) {
    std::ofstream(path, std::ios::binary) << pem;
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
  }
  static std::string NewKeyPem() {
    auto k = PrivateKey::Generate({resources::KeyAlgorithm::kEcdsa, 0, "P256"});
    return *k->ToPem();
  }
  static const schema::Diagnostic* Find(const schema::Diagnostics& d, Severity s,
                                        const std::string& summary) {
    for (const auto& i : d.items()) {
      if (i.severity == s && i.summary == summary) return &i;
    }
    return nullptr;
  }
  Value CaKeyConfig(const Value& ca) const {
    const Type t = core_.FindEphemeralResource("pxc_ca_key")->GetSchema().ImpliedType();
    return *Value::ObjectOf(t, {{"private_key_file", Value::String(key_file_)},
                                {"ca_cert_pem", ca.GetAttr("cert_pem")}});
  }

  Core core_;
  Type type_;
  ClientCapabilities allowed_;
  fs::path dir_;
  std::string key_file_;
};

TEST_F(CaKeyFileTest, CreateWritesTheKeyFileAndKeepsNoKeyInState) {
  Value config = FileCaConfig();
  ASSERT_FALSE(core_.ValidateResourceConfig("pxc_ca", config).HasError());
  auto plan = core_.PlanResourceChange("pxc_ca", Value::Null(type_), config, config, "");
  ASSERT_FALSE(plan.diags.HasError()) << plan.diags.items()[0].detail;
  EXPECT_TRUE(plan.planned.GetAttr("private_key_pem").IsNull()) << "known null in the plan";
  EXPECT_FALSE(fs::exists(key_file_)) << "planning writes nothing";
  auto applied = core_.ApplyResourceChange("pxc_ca", Value::Null(type_), plan.planned, config, "");
  ASSERT_FALSE(applied.diags.HasError()) << applied.diags.items()[0].detail;
  const Value& state = applied.new_state;
  ASSERT_TRUE(state.IsWhollyKnown());
  EXPECT_TRUE(state.GetAttr("private_key_pem").IsNull());

  struct stat st;
  ASSERT_EQ(::stat(key_file_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  const std::string pem = Contents(key_file_);
  auto key = PrivateKey::FromPem(pem);
  ASSERT_TRUE(key.ok());
  auto cert = Certificate::FromPem(*state.GetString("cert_pem"));
  ASSERT_TRUE(cert.ok());
  EXPECT_TRUE(key->MatchesCertificate(*cert));
  EXPECT_EQ(state.GetString("public_key_fingerprint_sha256"),
            key->GetPublicKey()->Sha256Fingerprint().value());
  EXPECT_EQ(state.GetString("public_key_pem"), *key->PublicKeyPem());
  // Nothing of the key in the state: its PEM body, in any piece.
  const std::string dump = state.DebugString();
  for (size_t at = 28; at + 40 < pem.size() - 26; at += 20) {
    ASSERT_EQ(dump.find(pem.substr(at, 20)), std::string::npos) << "a piece of the key in state";
  }

  // Re-plan: nothing to do, nothing to say.
  auto again = Replan(state, config);
  EXPECT_TRUE(again.diags.empty()) << again.diags.items()[0].summary;
  EXPECT_EQ(again.planned, state);
  EXPECT_TRUE(again.requires_replace.empty());

  // A second CA at the same path is refused when planned.
  auto second = core_.PlanResourceChange("pxc_ca", Value::Null(type_), config, config, "");
  const auto* d = Find(second.diags, Severity::kError, "CA Key File Exists");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->path, AttributePath::Root("private_key_file"));
  EXPECT_NE(d->detail.find("never overwrites a key file"), std::string::npos) << d->detail;
  EXPECT_EQ(Contents(key_file_), pem);
}

TEST_F(CaKeyFileTest, PlanChecksTheKeyFileAndNeverMakesANewCa) {
  Value config = FileCaConfig();
  Value state = Create("pxc_ca", config);
  const std::string pem = Contents(key_file_);

  // Missing: a warning at private_key_file, no change.
  fs::rename(key_file_, key_file_ + ".bak");
  auto missing = Replan(state, config);
  EXPECT_FALSE(missing.diags.HasError());
  const auto* w = Find(missing.diags, Severity::kWarning, "CA Key File Missing");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->path, AttributePath::Root("private_key_file"));
  EXPECT_NE(w->detail.find("nothing can be signed with it"), std::string::npos) << w->detail;
  EXPECT_EQ(missing.planned, state);
  EXPECT_TRUE(missing.requires_replace.empty());

  // Another key: an error naming both fingerprints.
  WriteKey(key_file_, NewKeyPem());
  auto other = Replan(state, config);
  const auto* e = Find(other.diags, Severity::kError, "CA Key File Does Not Match the CA");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->path, AttributePath::Root("private_key_file"));
  EXPECT_NE(e->detail.find(*state.GetString("public_key_fingerprint_sha256")), std::string::npos);
  EXPECT_TRUE(other.requires_replace.empty());

  // Not a key; the right key readable by others: errors.
  WriteKey(key_file_, "not a key");
  EXPECT_NE(Find(Replan(state, config).diags, Severity::kError, "Invalid CA Key File"), nullptr);
  WriteKey(key_file_, pem, 0644);
  const auto readable = Replan(state, config);  // kept: `mode` points into its diagnostics
  const auto* mode = Find(readable.diags, Severity::kError, "Unusable CA Key File");
  ASSERT_NE(mode, nullptr);
  EXPECT_NE(mode->detail.find("has mode 0644"), std::string::npos) << mode->detail;

  // The right key back: nothing to say.
  WriteKey(key_file_, pem);
  EXPECT_TRUE(Replan(state, config).diags.empty());

  // early_renewal_hours changes in place.
  Value early = config.WithAttr("early_renewal_hours", Value::Num(24));
  auto update = core_.PlanResourceChange("pxc_ca", state, Proposed(state, early), early, "");
  ASSERT_FALSE(update.diags.HasError()) << update.diags.items()[0].detail;
  EXPECT_TRUE(update.requires_replace.empty());
  EXPECT_TRUE(update.planned.GetAttr("private_key_pem").IsNull());
  auto updated = core_.ApplyResourceChange("pxc_ca", state, update.planned, early, "");
  ASSERT_FALSE(updated.diags.HasError()) << updated.diags.items()[0].detail;
  EXPECT_EQ(updated.new_state.GetAttr("ready_for_renewal"), Value::Bool(false));
  EXPECT_EQ(Contents(key_file_), pem);

  // A new path replaces the CA (the old file is not looked at).
  fs::remove(key_file_);
  Value moved = config.WithAttr("private_key_file", Value::String((dir_ / "new.pem").string()));
  auto replace = core_.PlanResourceChange("pxc_ca", state, Proposed(state, moved), moved, "");
  EXPECT_FALSE(replace.diags.HasError());
  EXPECT_FALSE(replace.requires_replace.empty());
}

TEST_F(CaKeyFileTest, RenewalNeedsANewKeyFilePath) {
  Value config = FileCaConfig().WithAttr("early_renewal_hours", Value::Num(1));
  Value state = Create("pxc_ca", config);
  // The stored certificate (same key) ends within early_renewal_hours.
  auto key = PrivateKey::FromPem(Contents(key_file_));
  ASSERT_TRUE(key.ok());
  auto soon =
      Certificate::SelfSignCa(*key, {{"File-CA", "", "", "", "", ""},
                                     2,
                                     std::chrono::system_clock::now() - std::chrono::minutes(90)});
  ASSERT_TRUE(soon.ok());
  state = state.WithAttr("cert_pem", Value::String(soon->ToPem()));
  // Terraform's first call: the renewal replaces the CA, no error.
  auto renew = Replan(state, config);
  ASSERT_FALSE(renew.diags.HasError()) << renew.diags.items()[0].detail;
  EXPECT_FALSE(renew.requires_replace.empty());
  // Its second call plans the new CA as a create: the key file is there.
  auto create = core_.PlanResourceChange("pxc_ca", Value::Null(type_), config, config, "");
  EXPECT_NE(Find(create.diags, Severity::kError, "CA Key File Exists"), nullptr);
  // With a new path it goes through.
  Value moved = config.WithAttr("private_key_file", Value::String((dir_ / "2027.pem").string()));
  auto create2 = core_.PlanResourceChange("pxc_ca", Value::Null(type_), moved, moved, "");
  EXPECT_FALSE(create2.diags.HasError());
}

TEST_F(CaKeyFileTest, DestroyLeavesTheKeyFileWithAWarning) {
  Value state = Create("pxc_ca", FileCaConfig());
  const std::string pem = Contents(key_file_);
  auto destroyed =
      core_.ApplyResourceChange("pxc_ca", state, Value::Null(type_), Value::Null(type_), "");
  EXPECT_FALSE(destroyed.diags.HasError());
  EXPECT_TRUE(destroyed.new_state.IsNull());
  const auto* w = Find(destroyed.diags, Severity::kWarning, "CA Key File Left in Place");
  ASSERT_NE(w, nullptr);
  EXPECT_NE(w->detail.find(key_file_), std::string::npos);
  EXPECT_EQ(Contents(key_file_), pem);
}

TEST_F(CaKeyFileTest, AdoptsACaFromItsKeyFile) {
  auto key = PrivateKey::Generate({resources::KeyAlgorithm::kEcdsa, 0, "P384"});
  auto cert = Certificate::SelfSignCa(*key, {{"Old-CA", "", "", "", "", ""}, 1000, std::nullopt});
  ASSERT_TRUE(cert.ok());
  WriteKey(key_file_, *key->ToPem());
  Value config = Obj("pxc_ca", {{"existing_cert_pem", Value::String(cert->ToPem())},
                                {"private_key_file", Value::String(key_file_)}});
  ASSERT_FALSE(core_.ValidateResourceConfig("pxc_ca", config).HasError());
  auto plan = core_.PlanResourceChange("pxc_ca", Value::Null(type_), config, config, "");
  ASSERT_FALSE(plan.diags.HasError()) << plan.diags.items()[0].detail;
  EXPECT_EQ(plan.planned.GetString("cert_pem"), cert->ToPem()) << "known when planned";
  EXPECT_TRUE(plan.planned.GetAttr("private_key_pem").IsNull());
  Value state = Create("pxc_ca", config);
  EXPECT_TRUE(state.GetAttr("private_key_pem").IsNull());
  EXPECT_EQ(state.GetString("key_algorithm"), "ECDSA");
  EXPECT_EQ(state.GetString("public_key_fingerprint_sha256"),
            key->GetPublicKey()->Sha256Fingerprint().value());
  auto again = Replan(state, config);
  EXPECT_TRUE(again.diags.empty());
  EXPECT_EQ(again.planned, state);
  for (const auto& p : again.requires_replace) ADD_FAILURE() << "replaces for " << p.ToString();

  // Another key in the file: refused at private_key_file.
  fs::remove(key_file_);
  WriteKey(key_file_, NewKeyPem());
  auto wrong = core_.PlanResourceChange("pxc_ca", Value::Null(type_), config, config, "");
  const auto* e = Find(wrong.diags, Severity::kError, "CA Key Does Not Match Certificate");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->path, AttributePath::Root("private_key_file"));
  // No file: refused (adopting never writes one).
  fs::remove(key_file_);
  auto none = core_.PlanResourceChange("pxc_ca", Value::Null(type_), config, config, "");
  const auto* n = Find(none.diags, Severity::kError, "Cannot Read the CA Key File");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->path, AttributePath::Root("private_key_file"));
  EXPECT_FALSE(fs::exists(key_file_));
}

TEST_F(CaKeyFileTest, ConfigurationErrors) {
  Value conflict = FileCaConfig().WithAttr("existing_private_key_pem", Value::String(NewKeyPem()));
  auto d = core_.ValidateResourceConfig("pxc_ca", conflict);
  ASSERT_TRUE(d.HasError());
  EXPECT_EQ(d.items()[0].path, AttributePath::Root("existing_private_key_pem"));
  auto rel = core_.ValidateResourceConfig(
      "pxc_ca", FileCaConfig().WithAttr("private_key_file", Value::String("ca-key.pem")));
  ASSERT_TRUE(rel.HasError());
  EXPECT_EQ(rel.items()[0].path, AttributePath::Root("private_key_file"));
  // A directory others can write into is refused when planned, before
  // anything is made.
  const std::string open_dir = (dir_ / "open").string();
  fs::create_directory(open_dir);
  ::chmod(open_dir.c_str(), 0777);
  Value config = FileCaConfig().WithAttr("private_key_file", Value::String(open_dir + "/k.pem"));
  auto plan = core_.PlanResourceChange("pxc_ca", Value::Null(type_), config, config, "");
  const auto* e = Find(plan.diags, Severity::kError, "Unusable CA Key File Location");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->path, AttributePath::Root("private_key_file"));
}

TEST_F(CaKeyFileTest, ReadFillsTheFingerprintOfAnOlderState) {
  Value state = Create("pxc_ca", Obj("pxc_ca", {{"key_algorithm", Value::String("ECDSA")}}));
  ASSERT_TRUE(state.GetString("private_key_pem").has_value()) << "the in-state mode is unchanged";
  Value old = state.WithAttr("public_key_fingerprint_sha256", Value::Null(Type::String()));
  auto read = core_.ReadResource("pxc_ca", old, "");
  ASSERT_FALSE(read.diags.HasError());
  EXPECT_EQ(read.new_state, state);
}

TEST_F(CaKeyFileTest, CaKeyOpensTheKeyAndSignsANodeCertificateWriteOnly) {
  Value ca = Create("pxc_ca", FileCaConfig());
  Value config = CaKeyConfig(ca);
  EXPECT_FALSE(core_.ValidateEphemeralResourceConfig("pxc_ca_key", config).HasError());
  auto open = core_.OpenEphemeralResource("pxc_ca_key", config);
  ASSERT_FALSE(open.diags.HasError()) << open.diags.items()[0].detail;
  auto key = PrivateKey::FromPem(*open.result.GetString("private_key_pem"));
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(key->MatchesCertificate(*Certificate::FromPem(*ca.GetString("cert_pem"))));
  EXPECT_EQ(open.result.GetAttr("public_key_fingerprint_sha256"),
            ca.GetAttr("public_key_fingerprint_sha256"));

  // Into pxc_node_cert.ca_private_key_pem_wo: signed, no CA key stored.
  Value node =
      Obj("pxc_node_cert", {{"ca_cert_pem", ca.GetAttr("cert_pem")},
                            {"ca_private_key_pem_wo", open.result.GetAttr("private_key_pem")},
                            {"common_name", Value::String("pxc1")},
                            {"key_algorithm", Value::String("ECDSA")}});
  EXPECT_FALSE(core_.ValidateResourceConfig("pxc_node_cert", node, allowed_).HasError());
  Value signed_state = Create("pxc_node_cert", node);
  auto cert = Certificate::FromPem(*signed_state.GetString("cert_pem"));
  ASSERT_TRUE(cert.ok());
  EXPECT_TRUE(cert->VerifySignedBy(*Certificate::FromPem(*ca.GetString("cert_pem"))).ok());
  EXPECT_TRUE(signed_state.GetAttr("ca_private_key_pem_wo").IsNull());

  // Into the ephemeral pxc_client_cert.
  const Type ct = core_.FindEphemeralResource("pxc_client_cert")->GetSchema().ImpliedType();
  Value client =
      *Value::ObjectOf(ct, {{"ca_cert_pem", ca.GetAttr("cert_pem")},
                            {"ca_private_key_pem", open.result.GetAttr("private_key_pem")},
                            {"common_name", Value::String("app")}});
  auto client_open = core_.OpenEphemeralResource("pxc_client_cert", client);
  EXPECT_FALSE(client_open.diags.HasError());
}

TEST_F(CaKeyFileTest, CaKeyRefusesAnotherKeyAndUnsafeFiles) {
  Value ca = Create("pxc_ca", FileCaConfig());
  const std::string pem = Contents(key_file_);
  Value config = CaKeyConfig(ca);
  auto refused = [&](const std::string& summary, const std::string& says) {
    auto open = core_.OpenEphemeralResource("pxc_ca_key", config);
    const auto* e = Find(open.diags, Severity::kError, summary);
    ASSERT_NE(e, nullptr) << summary;
    EXPECT_EQ(e->path, AttributePath::Root("private_key_file")) << summary;
    EXPECT_NE(e->detail.find(says), std::string::npos) << e->detail;
    EXPECT_FALSE(open.result.GetString("private_key_pem").has_value()) << summary;
  };
  fs::remove(key_file_);
  WriteKey(key_file_, NewKeyPem());
  refused("CA Key File Does Not Match the CA",
          "is not the key of the CA certificate in ca_cert_pem");
  WriteKey(key_file_, pem, 0640);
  refused("Cannot Read the CA Key File", "has mode 0640");
  fs::remove(key_file_);
  refused("Cannot Read the CA Key File", "there is no key file at");
  ASSERT_EQ(::symlink((dir_ / "elsewhere.pem").c_str(), key_file_.c_str()), 0);
  WriteKey((dir_ / "elsewhere.pem").string(), pem);
  refused("Cannot Read the CA Key File", "is a symbolic link");
  fs::remove(key_file_);
  WriteKey(key_file_, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
  refused("Invalid CA Key File", "unencrypted PEM private key");
  // The right key again opens.
  fs::remove(key_file_);
  WriteKey(key_file_, pem);
  EXPECT_FALSE(core_.OpenEphemeralResource("pxc_ca_key", config).diags.HasError());
}

}  // namespace
}  // namespace pxc::provider
