// pxc_node_key, and pxc_node_tls_config with key_on_node, through the core's
// lifecycle against a node in memory (MemHost) whose `openssl` is the
// stand-in of fake_openssl.h: the key is made on the node and only its
// public half and a request come back; drift of the key file (missing,
// another key, mode, owner) is read from the node and planned as a new key,
// a replacement or a repair; a failing openssl leaves nothing behind;
// destroy removes the key. pxc_node_tls_config deploys a certificate signed
// from the request next to that key without any key attribute, checks it
// against the certificate on the node, and never removes it.
#include "resources/node_key.h"

#include <gtest/gtest.h>

#include <memory>

#include "provider/core.h"
#include "resources/node_tls_config.h"
#include "resources/pki/x509.h"
#include "resources/remote/mem_host.h"
#include "tests/resources/fake_openssl.h"

namespace pxc::resources {
namespace {

using schema::Value;

constexpr char kKeyType[] = "pxc_node_key";
constexpr char kTlsType[] = "pxc_node_tls_config";
constexpr char kKeyPath[] = "/etc/mysql/certs/pxc1-key.pem";
constexpr char kCnf[] =
    "# pxc1\n[client]\nsocket = /run/mysqld/mysqld.sock\n\n[mysqld]\nuser = mysql\n"
    "wsrep_provider_options = \"gcache.size=32M\"\n";

class TestProvider final : public schema::ProviderDefinition {
 public:
  explicit TestProvider(NodeConnector connector)
      : key_(std::make_shared<NodeKeyResource>(connector)),
        tls_(std::make_shared<NodeTlsConfigResource>(connector)) {}
  std::string Name() const override { return "pxc"; }
  std::string Version() const override { return "test"; }
  const schema::Schema& GetSchema() const override { return schema_; }
  std::vector<std::shared_ptr<const schema::Resource>> Resources() const override {
    return {key_, tls_};
  }
  std::vector<std::shared_ptr<const schema::DataSource>> DataSources() const override { return {}; }

 private:
  schema::Schema schema_;
  std::shared_ptr<const schema::Resource> key_, tls_;
};

std::string Diags(const schema::Diagnostics& d) {
  std::string s;
  for (const auto& x : d.items()) s += x.summary + ": " + x.detail + "\n";
  return s;
}

bool HasReplace(const provider::PlanResult& p, const std::string& attr) {
  for (const auto& path : p.requires_replace) {
    if (path == schema::AttributePath::Root(attr)) return true;
  }
  return false;
}

// Every string in a state (and every map key), joined: what must hold no
// private key.
std::string Strings(const Value& v) {
  std::string out;
  v.Transform([&](const schema::AttributePath&, const Value& x) -> std::optional<Value> {
    if (x.IsKnown() && x.type() == schema::Type::String()) out += x.AsString() + "\n";
    if (x.IsKnown() && x.type().kind() == schema::TypeKind::kMap) {
      for (const auto& [k, e] : x.Entries()) out += k + "\n";
    }
    return std::nullopt;
  });
  return out;
}

class NodeKeyTest : public ::testing::Test {
 protected:
  NodeKeyTest() : node_("pxc1"), core_(std::make_shared<TestProvider>(MemConnector({&node_}))) {
    node_.PutDirectory("/etc/mysql");
    node_.PutFile("/etc/mysql/my.cnf", kCnf);
    testing::InstallFakeOpenSsl(&node_, &openssl_);
    key_type_ = core_.FindResource(kKeyType)->GetSchema().ImpliedType();
    tls_type_ = core_.FindResource(kTlsType)->GetSchema().ImpliedType();
  }

  Value Object(const schema::Type& t, std::map<std::string, Value> attrs) const {
    attrs.emplace("ssh_insecure_ignore_host_key", Value::Bool(true));
    attrs.emplace("ssh_password", Value::String("pw"));
    auto v = Value::ObjectOf(t, attrs);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return *v;
  }
  Value KeyConfig(std::map<std::string, Value> extra = {}) const {
    std::map<std::string, Value> attrs = {{"host", Value::String("10.0.0.1")},
                                          {"name", Value::String("pxc1")},
                                          {"key_algorithm", Value::String("ECDSA")}};
    for (auto& [k, v] : extra) attrs[k] = v;
    return Object(key_type_, attrs);
  }
  Value TlsConfig(const std::string& cert_pem) const {
    return Object(tls_type_, {{"host", Value::String("10.0.0.1")},
                              {"name", Value::String("pxc1")},
                              {"ca_pem", Value::String(ca_cert_->ToPem())},
                              {"cert_pem", Value::String(cert_pem)},
                              {"key_on_node", Value::Bool(true)}});
  }

  provider::PlanResult Plan(const char* type, const Value& state, const Value& config,
                            const std::string& priv) {
    return core_.PlanResourceChange(type, state, config, config, priv);
  }
  // Plans and applies `config` over `state` (null: create).
  provider::ApplyResult Apply(const char* type, const Value& state, const Value& config,
                              std::string* priv) {
    auto plan = Plan(type, state, config, *priv);
    EXPECT_FALSE(plan.diags.HasError()) << Diags(plan.diags);
    auto applied =
        core_.ApplyResourceChange(type, state, plan.planned, config, plan.planned_private);
    if (!applied.diags.HasError()) *priv = applied.private_data;
    return applied;
  }
  provider::ApplyResult Destroy(const char* type, const Value& state, const std::string& priv) {
    const schema::Type& t = std::string(type) == kKeyType ? key_type_ : tls_type_;
    return core_.ApplyResourceChange(type, state, Value::Null(t), Value::Null(t), priv);
  }
  provider::ReadResult Read(const char* type, const Value& state, const std::string& priv) {
    return core_.ReadResource(type, state, priv);
  }

  // A CA and a certificate it signs for `public_key_pem`.
  std::string SignFor(const std::string& public_key_pem) {
    if (!ca_key_) {
      KeySpec spec;
      spec.algorithm = KeyAlgorithm::kEcdsa;
      ca_key_ = *PrivateKey::Generate(spec);
      CaSpec ca;
      ca.subject.common_name = "Test CA";
      ca.validity_period_hours = 24;
      ca_cert_ = *Certificate::SelfSignCa(*ca_key_, ca);
    }
    LeafSpec leaf;
    leaf.subject.common_name = "pxc1";
    leaf.validity_period_hours = 12;
    auto cert =
        Certificate::SignLeaf(*ca_cert_, *ca_key_, *PublicKey::FromPem(public_key_pem), leaf);
    EXPECT_TRUE(cert.ok()) << cert.status().ToString();
    return cert->ToPem();
  }

  MemHost node_;
  testing::FakeOpenSsl openssl_;
  provider::Core core_;
  schema::Type key_type_, tls_type_;
  std::string key_priv_, tls_priv_;
  std::optional<PrivateKey> ca_key_;
  std::optional<Certificate> ca_cert_;
};

TEST_F(NodeKeyTest, CreateMakesTheKeyOnTheNodeAndKeepsOnlyItsPublicHalf) {
  auto created = Apply(kKeyType, Value::Null(key_type_), KeyConfig(), &key_priv_);
  ASSERT_FALSE(created.diags.HasError()) << Diags(created.diags);
  const MemHost::Entry* key = node_.Find(kKeyPath);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(key->mode, 0600u);
  EXPECT_EQ(key->owner + ":" + key->group, "mysql:mysql");
  const MemHost::Entry* dir = node_.Find("/etc/mysql/certs");
  ASSERT_NE(dir, nullptr);
  EXPECT_EQ(dir->owner + ":" + dir->group + " " + std::to_string(dir->mode), "root:mysql 488")
      << "cert_dir created root:mysql 0750";

  // The state holds the key's public half and a request for it, nothing
  // private.
  const Value& st = created.new_state;
  auto node_key = *PrivateKey::FromPem(key->content);
  auto pub = PublicKey::FromPem(*st.GetString("public_key_pem"));
  ASSERT_TRUE(pub.ok());
  EXPECT_TRUE(node_key.MatchesPublicKey(*pub));
  auto csr = CertificateRequest::FromPem(*st.GetString("cert_request_pem"));
  ASSERT_TRUE(csr.ok()) << csr.status().ToString();
  EXPECT_TRUE(csr->GetPublicKey().Equals(*pub));
  EXPECT_EQ(csr->Subject().common_name, "pxc1");
  EXPECT_EQ(pub->Spec().algorithm, KeyAlgorithm::kEcdsa);
  EXPECT_EQ(*st.GetString("key_status"), "0600 mysql:mysql");
  EXPECT_EQ(*st.GetString("key_path"), kKeyPath);
  EXPECT_EQ(*st.GetString("id"), std::string("10.0.0.1:") + kKeyPath);
  const std::string all = Strings(st);
  EXPECT_EQ(all.find("PRIVATE KEY"), std::string::npos) << all;
  EXPECT_EQ(all.find(key->content.substr(40, 40)), std::string::npos);

  // Read finds it as made; the next plan changes nothing.
  auto read = Read(kKeyType, st, key_priv_);
  ASSERT_FALSE(read.diags.HasError()) << Diags(read.diags);
  EXPECT_EQ(read.new_state, st);
  auto again = Plan(kKeyType, read.new_state, KeyConfig(), key_priv_);
  ASSERT_FALSE(again.diags.HasError()) << Diags(again.diags);
  EXPECT_EQ(again.planned, st);
  EXPECT_TRUE(again.requires_replace.empty());
  EXPECT_EQ(openssl_.keys_made, 1);
}

TEST_F(NodeKeyTest, AlgorithmsAsPxcCaOffers) {
  for (const auto& [alg, want] : std::vector<std::pair<std::string, KeyAlgorithm>>{
           {"RSA", KeyAlgorithm::kRsa}, {"ED25519", KeyAlgorithm::kEd25519}}) {
    node_.Remove(kKeyPath);
    std::string priv;
    auto created = Apply(kKeyType, Value::Null(key_type_),
                         KeyConfig({{"key_algorithm", Value::String(alg)}}), &priv);
    ASSERT_FALSE(created.diags.HasError()) << alg << Diags(created.diags);
    EXPECT_EQ(PublicKey::FromPem(*created.new_state.GetString("public_key_pem"))->Spec().algorithm,
              want);
  }
}

TEST_F(NodeKeyTest, ModeAndOwnerDriftIsReadFromTheNodeAndRepairedInPlace) {
  auto created = Apply(kKeyType, Value::Null(key_type_), KeyConfig(), &key_priv_);
  ASSERT_FALSE(created.diags.HasError()) << Diags(created.diags);
  const std::string content = node_.Find(kKeyPath)->content;
  node_.PutFile(kKeyPath, content, 0644, "root", "root");

  auto read = Read(kKeyType, created.new_state, key_priv_);
  ASSERT_FALSE(read.diags.HasError()) << Diags(read.diags);
  EXPECT_EQ(*read.new_state.GetString("key_status"), "0644 root:root");
  auto plan = Plan(kKeyType, read.new_state, KeyConfig(), key_priv_);
  ASSERT_FALSE(plan.diags.HasError()) << Diags(plan.diags);
  EXPECT_TRUE(plan.requires_replace.empty()) << "a repair, not a new key";
  EXPECT_EQ(*plan.planned.GetString("key_status"), "0600 mysql:mysql");

  auto repaired = Apply(kKeyType, read.new_state, KeyConfig(), &key_priv_);
  ASSERT_FALSE(repaired.diags.HasError()) << Diags(repaired.diags);
  const MemHost::Entry* key = node_.Find(kKeyPath);
  EXPECT_EQ(key->mode, 0600u);
  EXPECT_EQ(key->owner + ":" + key->group, "mysql:mysql");
  EXPECT_EQ(key->content, content) << "the same key";
  EXPECT_EQ(repaired.new_state.GetString("public_key_pem"),
            created.new_state.GetString("public_key_pem"));
  EXPECT_EQ(openssl_.keys_made, 1);
  auto again = Plan(kKeyType, Read(kKeyType, repaired.new_state, key_priv_).new_state, KeyConfig(),
                    key_priv_);
  EXPECT_EQ(again.planned, repaired.new_state);
}

TEST_F(NodeKeyTest, MissingKeyIsMadeAgainAndAnotherKeyIsReplaced) {
  auto created = Apply(kKeyType, Value::Null(key_type_), KeyConfig(), &key_priv_);
  ASSERT_FALSE(created.diags.HasError()) << Diags(created.diags);

  // Another key in its place: the plan replaces the resource.
  KeySpec spec;
  spec.algorithm = KeyAlgorithm::kEcdsa;
  node_.PutFile(kKeyPath, *PrivateKey::Generate(spec)->ToPem(), 0600, "mysql", "mysql");
  auto read = Read(kKeyType, created.new_state, key_priv_);
  ASSERT_FALSE(read.diags.HasError()) << Diags(read.diags);
  EXPECT_TRUE(
      read.new_state.GetString("key_status")->starts_with("another key (public key sha256:"))
      << *read.new_state.GetString("key_status");
  auto plan = Plan(kKeyType, read.new_state, KeyConfig(), key_priv_);
  ASSERT_FALSE(plan.diags.HasError()) << Diags(plan.diags);
  EXPECT_TRUE(HasReplace(plan, "key_status"));

  // Something that is not a key file: replaced too.
  node_.PutFile(kKeyPath, "garbage", 0600, "mysql", "mysql");
  read = Read(kKeyType, created.new_state, key_priv_);
  EXPECT_TRUE(read.new_state.GetString("key_status")->starts_with("unreadable 0600 mysql:mysql"))
      << *read.new_state.GetString("key_status");
  EXPECT_TRUE(HasReplace(Plan(kKeyType, read.new_state, KeyConfig(), key_priv_), "key_status"));

  // No key at all: gone from state, so the plan makes a new one.
  node_.Remove(kKeyPath);
  read = Read(kKeyType, created.new_state, key_priv_);
  ASSERT_FALSE(read.diags.HasError()) << Diags(read.diags);
  EXPECT_TRUE(read.new_state.IsNull());
  auto remade = Apply(kKeyType, Value::Null(key_type_), KeyConfig(), &key_priv_);
  ASSERT_FALSE(remade.diags.HasError()) << Diags(remade.diags);
  EXPECT_NE(remade.new_state.GetString("public_key_pem"),
            created.new_state.GetString("public_key_pem"));
  EXPECT_EQ(node_.Find(kKeyPath)->mode, 0600u);
}

TEST_F(NodeKeyTest, DestroyRemovesTheKeyAndTheDirectoryItMade) {
  auto created = Apply(kKeyType, Value::Null(key_type_), KeyConfig(), &key_priv_);
  ASSERT_FALSE(created.diags.HasError()) << Diags(created.diags);
  auto destroyed = Destroy(kKeyType, created.new_state, key_priv_);
  ASSERT_FALSE(destroyed.diags.HasError()) << Diags(destroyed.diags);
  EXPECT_EQ(node_.Find(kKeyPath), nullptr);
  EXPECT_EQ(node_.Find("/etc/mysql/certs"), nullptr);
  EXPECT_EQ(node_.Find("/etc/mysql/my.cnf")->content, kCnf);
}

TEST_F(NodeKeyTest, FailingOpensslLeavesNothingOnTheNode) {
  const MemHost::Tree before = node_.tree();
  openssl_.genpkey_error = "genpkey: Error setting ec_paramgen_curve:prime256v1 parameter\n";
  auto failed = Apply(kKeyType, Value::Null(key_type_), KeyConfig(), &key_priv_);
  ASSERT_TRUE(failed.diags.HasError());
  EXPECT_NE(Diags(failed.diags).find("ec_paramgen_curve"), std::string::npos)
      << Diags(failed.diags);
  EXPECT_NE(Diags(failed.diags).find("Nothing was left on the node"), std::string::npos);
  EXPECT_EQ(node_.tree(), before) << "no key, no temporary file, no cert_dir";

  // No openssl at all on the node.
  node_.OnCommand({});
  failed = Apply(kKeyType, Value::Null(key_type_), KeyConfig(), &key_priv_);
  ASSERT_TRUE(failed.diags.HasError());
  EXPECT_NE(Diags(failed.diags).find("openssl"), std::string::npos) << Diags(failed.diags);
  EXPECT_EQ(node_.tree(), before);
}

TEST_F(NodeKeyTest, AnExistingFileIsNeverOverwritten) {
  node_.PutDirectory("/etc/mysql/certs", 0750, "root", "mysql");
  node_.PutFile(kKeyPath, "someone's key", 0600, "mysql", "mysql");
  auto failed = Apply(kKeyType, Value::Null(key_type_), KeyConfig(), &key_priv_);
  ASSERT_TRUE(failed.diags.HasError());
  EXPECT_NE(Diags(failed.diags).find("Key File Already Exists"), std::string::npos);
  EXPECT_EQ(node_.Find(kKeyPath)->content, "someone's key");
  EXPECT_EQ(openssl_.keys_made, 0);
}

TEST_F(NodeKeyTest, UnsafeCertDirIsRefused) {
  node_.PutDirectory("/etc/mysql/certs", 0770, "mysql", "mysql");
  auto failed = Apply(kKeyType, Value::Null(key_type_), KeyConfig(), &key_priv_);
  ASSERT_TRUE(failed.diags.HasError());
  EXPECT_NE(Diags(failed.diags).find("cert_dir Can Be Changed by Other Accounts"),
            std::string::npos)
      << Diags(failed.diags);
  EXPECT_EQ(openssl_.keys_made, 0);
}

TEST_F(NodeKeyTest, ImportTakesAKeyAlreadyOnTheNode) {
  node_.PutDirectory("/etc/mysql/certs", 0750, "root", "mysql");
  KeySpec spec;
  spec.algorithm = KeyAlgorithm::kEcdsa;
  spec.ecdsa_curve = "P384";
  auto key = PrivateKey::Generate(spec);
  node_.PutFile(kKeyPath, *key->ToPem(), 0600, "mysql", "mysql");
  auto imported = core_.ImportResourceState(kKeyType, std::string("10.0.0.1:") + kKeyPath);
  ASSERT_FALSE(imported.diags.HasError()) << Diags(imported.diags);
  ASSERT_EQ(imported.objects.size(), 1u);
  // The test provider has no ssh block: the connection settings the
  // configuration will give.
  auto read = Read(kKeyType,
                   imported.objects[0]
                       .state.WithAttr("ssh_insecure_ignore_host_key", Value::Bool(true))
                       .WithAttr("ssh_password", Value::String("pw")),
                   imported.objects[0].private_data);
  ASSERT_FALSE(read.diags.HasError()) << Diags(read.diags);
  const Value& st = read.new_state;
  EXPECT_TRUE(key->MatchesPublicKey(*PublicKey::FromPem(*st.GetString("public_key_pem"))));
  auto csr = CertificateRequest::FromPem(*st.GetString("cert_request_pem"));
  ASSERT_TRUE(csr.ok());
  EXPECT_TRUE(key->MatchesPublicKey(csr->GetPublicKey()));
  EXPECT_EQ(*st.GetString("key_algorithm"), "ECDSA");
  EXPECT_EQ(*st.GetString("ecdsa_curve"), "P384");
  // The configuration that describes it plans no change.
  auto config = KeyConfig({{"ecdsa_curve", Value::String("P384")}});
  auto plan = Plan(kKeyType, st, config, read.private_data);
  ASSERT_FALSE(plan.diags.HasError()) << Diags(plan.diags);
  EXPECT_TRUE(plan.requires_replace.empty());
  EXPECT_EQ(openssl_.keys_made, 0);

  auto bad = core_.ImportResourceState(kKeyType, "pxc1-key.pem");
  EXPECT_NE(Diags(bad.diags).find("Invalid Import ID"), std::string::npos);
}

// pxc_node_tls_config with key_on_node = true: no key attribute at all.
TEST_F(NodeKeyTest, TlsConfigDeploysNextToTheKeyOnTheNodeAndLeavesIt) {
  auto key = Apply(kKeyType, Value::Null(key_type_), KeyConfig(), &key_priv_);
  ASSERT_FALSE(key.diags.HasError()) << Diags(key.diags);
  const std::string key_content = node_.Find(kKeyPath)->content;
  const std::string cert = SignFor(*key.new_state.GetString("public_key_pem"));

  auto tls = Apply(kTlsType, Value::Null(tls_type_), TlsConfig(cert), &tls_priv_);
  ASSERT_FALSE(tls.diags.HasError()) << Diags(tls.diags);
  EXPECT_EQ(node_.Find("/etc/mysql/certs/pxc1-cert.pem")->content, cert);
  EXPECT_EQ(node_.Find(kKeyPath)->content, key_content) << "the key is not written";
  const std::string cnf = node_.Find("/etc/mysql/my.cnf")->content;
  EXPECT_NE(cnf.find("ssl-key = /etc/mysql/certs/pxc1-key.pem"), std::string::npos) << cnf;
  EXPECT_NE(cnf.find("socket.ssl_key=/etc/mysql/certs/pxc1-key.pem"), std::string::npos) << cnf;
  const std::string files_entry = tls.new_state.GetAttr("files").Entries().at(kKeyPath).AsString();
  EXPECT_EQ(
      files_entry, "public key " + [&] {
        auto p = PublicKey::FromPem(*key.new_state.GetString("public_key_pem"));
        return "sha256:" + Sha256Hex(*p->ToPem());
      }() + " 0600 mysql:mysql");
  EXPECT_EQ(Strings(tls.new_state).find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(Strings(tls.new_state).find(Sha256Hex(key_content)), std::string::npos)
      << "no hash of the key file in state";
  auto read = Read(kTlsType, tls.new_state, tls_priv_);
  ASSERT_FALSE(read.diags.HasError()) << Diags(read.diags);
  EXPECT_EQ(read.new_state, tls.new_state);
  auto again = Plan(kTlsType, read.new_state, TlsConfig(cert), tls_priv_);
  EXPECT_EQ(again.planned, tls.new_state) << "empty re-plan";

  // Drift of the key's mode is read from the node; pxc_node_tls_config does
  // not change a key it did not write: apply explains, pxc_node_key repairs.
  node_.PutFile(kKeyPath, key_content, 0644, "mysql", "mysql");
  read = Read(kTlsType, tls.new_state, tls_priv_);
  EXPECT_EQ(read.new_state.GetAttr("files").Entries().at(kKeyPath).AsString(),
            files_entry.substr(0, files_entry.size() - 16) + "0644 mysql:mysql");
  auto plan = Plan(kTlsType, read.new_state, TlsConfig(cert), tls_priv_);
  EXPECT_NE(plan.planned, read.new_state) << "drift shows in the plan";
  auto refused = core_.ApplyResourceChange(kTlsType, read.new_state, plan.planned, TlsConfig(cert),
                                           plan.planned_private);
  EXPECT_NE(Diags(refused.diags).find("Key File Mode or Owner Differs"), std::string::npos)
      << Diags(refused.diags);
  auto key_read = Read(kKeyType, key.new_state, key_priv_);
  ASSERT_FALSE(Apply(kKeyType, key_read.new_state, KeyConfig(), &key_priv_).diags.HasError());
  auto tls2 = Apply(kTlsType, read.new_state, TlsConfig(cert), &tls_priv_);
  ASSERT_FALSE(tls2.diags.HasError()) << Diags(tls2.diags);
  EXPECT_EQ(tls2.new_state, tls.new_state);

  // Destroy: my.cnf byte for byte as it was, the key stays (pxc_node_key's).
  auto gone = Destroy(kTlsType, tls2.new_state, tls_priv_);
  ASSERT_FALSE(gone.diags.HasError()) << Diags(gone.diags);
  EXPECT_EQ(node_.Find("/etc/mysql/my.cnf")->content, kCnf);
  EXPECT_EQ(node_.Find("/etc/mysql/certs/pxc1-cert.pem"), nullptr);
  ASSERT_NE(node_.Find(kKeyPath), nullptr);
  EXPECT_EQ(node_.Find(kKeyPath)->content, key_content);
  ASSERT_FALSE(Destroy(kKeyType, key.new_state, key_priv_).diags.HasError());
  EXPECT_EQ(node_.Find("/etc/mysql/certs"), nullptr);
}

// A node whose key pxc_node_tls_config wrote (key_pem) moves to that key as
// the node's own (key_on_node): the key file stays where it is.
TEST_F(NodeKeyTest, TlsConfigMovingFromKeyPemToKeyOnNodeKeepsTheKey) {
  KeySpec spec;
  spec.algorithm = KeyAlgorithm::kEcdsa;
  auto key = PrivateKey::Generate(spec);
  const std::string cert = SignFor(*key->PublicKeyPem());
  auto with_key = Object(tls_type_, {{"host", Value::String("10.0.0.1")},
                                     {"name", Value::String("pxc1")},
                                     {"ca_pem", Value::String(ca_cert_->ToPem())},
                                     {"cert_pem", Value::String(cert)},
                                     {"key_pem", Value::String(*key->ToPem())}});
  auto created = Apply(kTlsType, Value::Null(tls_type_), with_key, &tls_priv_);
  ASSERT_FALSE(created.diags.HasError()) << Diags(created.diags);
  ASSERT_NE(node_.Find(kKeyPath), nullptr);
  auto moved = Apply(kTlsType, created.new_state, TlsConfig(cert), &tls_priv_);
  ASSERT_FALSE(moved.diags.HasError()) << Diags(moved.diags);
  ASSERT_NE(node_.Find(kKeyPath), nullptr) << "the key the configuration points at stays";
  EXPECT_EQ(node_.Find(kKeyPath)->content, *key->ToPem());
  EXPECT_NE(node_.Find("/etc/mysql/my.cnf")->content.find("ssl-key = " + std::string(kKeyPath)),
            std::string::npos);
  // From now on the key is not pxc_node_tls_config's: destroy leaves it.
  ASSERT_FALSE(Destroy(kTlsType, moved.new_state, tls_priv_).diags.HasError());
  EXPECT_NE(node_.Find(kKeyPath), nullptr);
  EXPECT_EQ(node_.Find("/etc/mysql/my.cnf")->content, kCnf);
}

TEST_F(NodeKeyTest, TlsConfigRefusesACertificateOfAnotherKeyOrNoKey) {
  KeySpec spec;
  spec.algorithm = KeyAlgorithm::kEcdsa;
  auto other = PrivateKey::Generate(spec);
  const std::string cert = SignFor(*other->PublicKeyPem());
  // No key on the node yet.
  auto failed = Apply(kTlsType, Value::Null(tls_type_), TlsConfig(cert), &tls_priv_);
  EXPECT_NE(Diags(failed.diags).find("No Key on the Node"), std::string::npos)
      << Diags(failed.diags);
  EXPECT_EQ(node_.Find("/etc/mysql/my.cnf")->content, kCnf);

  auto key = Apply(kKeyType, Value::Null(key_type_), KeyConfig(), &key_priv_);
  ASSERT_FALSE(key.diags.HasError()) << Diags(key.diags);
  const MemHost::Tree before = node_.tree();
  failed = Apply(kTlsType, Value::Null(tls_type_), TlsConfig(cert), &tls_priv_);
  ASSERT_TRUE(failed.diags.HasError());
  EXPECT_NE(Diags(failed.diags).find("Key on the Node Does Not Match the Certificate"),
            std::string::npos)
      << Diags(failed.diags);
  EXPECT_EQ(node_.tree(), before) << "nothing written";
}

TEST_F(NodeKeyTest, TlsConfigKeyOnNodeConflictsWithKeyAttributes) {
  auto config = Object(tls_type_, {{"host", Value::String("10.0.0.1")},
                                   {"name", Value::String("pxc1")},
                                   {"ca_pem", Value::String("-----BEGIN CERTIFICATE-----\n")},
                                   {"cert_pem", Value::String("-----BEGIN CERTIFICATE-----\n")},
                                   {"key_pem", Value::String("-----BEGIN PRIVATE KEY-----\n")},
                                   {"key_on_node", Value::Bool(true)}});
  schema::Diagnostics diags;
  core_.FindResource(kTlsType)->ValidateConfig(config, diags);
  EXPECT_NE(Diags(diags).find("key_pem cannot be set with key_on_node"), std::string::npos)
      << Diags(diags);
}

}  // namespace
}  // namespace pxc::resources

namespace pxc::resources {
namespace {

TEST(NodeKeyValidate, RefusesWhatWouldEndBadlyOnTheNode) {
  NodeKeyResource r;
  const schema::Type t = r.GetSchema().ImpliedType();
  auto diags_for = [&](std::map<std::string, Value> attrs) {
    attrs.emplace("host", Value::String("10.0.0.1"));
    attrs.emplace("name", Value::String("pxc1"));
    schema::Diagnostics d;
    r.ValidateConfig(*Value::ObjectOf(t, attrs), d);
    return Diags(d);
  };
  EXPECT_EQ(diags_for({}), "");
  EXPECT_NE(diags_for({{"key_mode", Value::String("0644")}}).find("Invalid File Mode"),
            std::string::npos);
  EXPECT_NE(diags_for({{"cert_dir", Value::String("/etc/mysql")}}).find("System Directory"),
            std::string::npos);
  EXPECT_NE(diags_for({{"cert_dir", Value::String("certs")}}).find("Invalid cert_dir"),
            std::string::npos);
  EXPECT_NE(diags_for({{"name", Value::String("../../root/x")}}).find("Invalid File Name"),
            std::string::npos);
  EXPECT_NE(diags_for({{"common_name", Value::String("a/CN=b")}}).find("Invalid Common Name"),
            std::string::npos);
  EXPECT_NE(diags_for({{"owner", Value::String("my sql")}}).find("Invalid Account Name"),
            std::string::npos);
}

}  // namespace
}  // namespace pxc::resources
