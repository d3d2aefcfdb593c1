// pxc_node_tls_config through the core's lifecycle against a node in memory
// (MemHost): create, drift shown by Read, repair by apply, destroy that gives
// the node back byte for byte, a write that fails half-way, and directories
// other accounts can change. No sshd needed; the end-to-end tests run the
// same resource against real nodes.
#include "resources/node_tls_config.h"

#include <gtest/gtest.h>

#include <memory>

#include "provider/core.h"
#include "resources/remote/mem_host.h"

namespace pxc::resources {
namespace {

using schema::Value;

constexpr char kType[] = "pxc_node_tls_config";
constexpr char kCa[] = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";
constexpr char kCert[] = "-----BEGIN CERTIFICATE-----\nNODE\n-----END CERTIFICATE-----\n";
constexpr char kKey[] = "-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n";
constexpr char kCnf[] =
    "# pxc1\n[client]\nsocket = /run/mysqld/mysqld.sock\n\n[mysqld]\nuser = mysql\n"
    "wsrep_provider_options = \"gcache.size=32M\"\n";

// A provider with only pxc_node_tls_config, connected to MemHosts.
class TestProvider final : public schema::ProviderDefinition {
 public:
  explicit TestProvider(NodeConnector connector)
      : resource_(std::make_shared<NodeTlsConfigResource>(std::move(connector))) {}
  std::string Name() const override { return "pxc"; }
  std::string Version() const override { return "test"; }
  const schema::Schema& GetSchema() const override { return schema_; }
  std::vector<std::shared_ptr<const schema::Resource>> Resources() const override {
    return {resource_};
  }
  std::vector<std::shared_ptr<const schema::DataSource>> DataSources() const override { return {}; }

 private:
  schema::Schema schema_;
  std::shared_ptr<const schema::Resource> resource_;
};

std::string Errors(const schema::Diagnostics& d) {
  std::string s;
  for (const auto& x : d.items()) s += x.summary + ": " + x.detail + "\n";
  return s;
}

class NodeTlsConfigTest : public ::testing::Test {
 protected:
  NodeTlsConfigTest()
      : node_("pxc1"), core_(std::make_shared<TestProvider>(MemConnector({&node_}))) {
    node_.PutDirectory("/etc/mysql");
    node_.PutFile("/etc/mysql/my.cnf", kCnf);
    type_ = core_.FindResource(kType)->GetSchema().ImpliedType();
  }

  Value Config(std::map<std::string, Value> extra = {}) const {
    std::map<std::string, Value> attrs = {
        {"host", Value::String("10.0.0.1")},  {"name", Value::String("pxc1")},
        {"ca_pem", Value::String(kCa)},       {"cert_pem", Value::String(kCert)},
        {"key_pem", Value::String(kKey)},     {"ssh_insecure_ignore_host_key", Value::Bool(true)},
        {"ssh_password", Value::String("pw")}};
    for (auto& [k, v] : extra) attrs[k] = v;
    auto v = Value::ObjectOf(type_, attrs);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return *v;
  }

  // Plans and applies `config` over `state` (null: create); returns the
  // apply's result.
  provider::ApplyResult Apply(const Value& state, const Value& config) {
    auto plan = core_.PlanResourceChange(kType, state, config, config, private_);
    EXPECT_FALSE(plan.diags.HasError()) << Errors(plan.diags);
    auto applied =
        core_.ApplyResourceChange(kType, state, plan.planned, config, plan.planned_private);
    if (!applied.diags.HasError()) private_ = applied.private_data;
    return applied;
  }
  provider::ApplyResult Destroy(const Value& state) {
    return core_.ApplyResourceChange(kType, state, Value::Null(type_), Value::Null(type_),
                                     private_);
  }
  provider::ReadResult Read(const Value& state) {
    return core_.ReadResource(kType, state, private_);
  }

  MemHost node_;
  provider::Core core_;
  schema::Type type_;
  std::string private_;
};

TEST_F(NodeTlsConfigTest, CreateWritesTheFilesAndTheConfigurationAndPlansNoChangeAfter) {
  auto created = Apply(Value::Null(type_), Config());
  ASSERT_FALSE(created.diags.HasError()) << Errors(created.diags);

  const MemHost::Entry* dir = node_.Find("/etc/mysql/certs");
  ASSERT_NE(dir, nullptr);
  EXPECT_EQ(dir->type, FileType::kDirectory);
  EXPECT_EQ(dir->owner + ":" + dir->group, "root:mysql") << "cert_dir belongs to root";
  EXPECT_EQ(dir->mode, 0750u);
  const MemHost::Entry* key = node_.Find("/etc/mysql/certs/pxc1-key.pem");
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(key->content, kKey);
  EXPECT_EQ(key->mode, 0600u);
  EXPECT_EQ(key->owner + ":" + key->group, "mysql:mysql");
  EXPECT_EQ(node_.Find("/etc/mysql/certs/pxc1-cert.pem")->content, kCert);
  EXPECT_EQ(node_.Find("/etc/mysql/certs/pxc1-cert.pem")->mode, 0644u);
  EXPECT_EQ(node_.Find("/etc/mysql/certs/ca-cert.pem")->content, kCa);
  EXPECT_EQ(node_.Find("/etc/mysql/my.cnf.pxc.bak")->content, kCnf);
  const std::string cnf = node_.Find("/etc/mysql/my.cnf")->content;
  // Written in the file's own style (" = "), beside what was there.
  EXPECT_NE(cnf.find("[mysqld]\nuser = mysql\n"), std::string::npos) << cnf;
  EXPECT_NE(cnf.find("ssl-key = /etc/mysql/certs/pxc1-key.pem"), std::string::npos) << cnf;
  EXPECT_NE(cnf.find("gcache.size=32M; socket.ssl_cert=/etc/mysql/certs/pxc1-cert.pem"),
            std::string::npos)
      << cnf;
  EXPECT_NE(cnf.find("[sst]\nencrypt = 4"), std::string::npos) << "pxc57 encrypts SST";

  // What Read finds is what was planned, and the next plan changes nothing.
  auto read = Read(created.new_state);
  ASSERT_FALSE(read.diags.HasError()) << Errors(read.diags);
  EXPECT_EQ(read.new_state, created.new_state);
  auto again = core_.PlanResourceChange(kType, read.new_state, Config(), Config(), private_);
  ASSERT_FALSE(again.diags.HasError()) << Errors(again.diags);
  EXPECT_EQ(again.planned, read.new_state);
  EXPECT_TRUE(again.requires_replace.empty());
}

TEST_F(NodeTlsConfigTest, DriftShowsInReadAndApplyRepairsIt) {
  auto created = Apply(Value::Null(type_), Config());
  ASSERT_FALSE(created.diags.HasError()) << Errors(created.diags);
  // Someone loosens the key, replaces the certificate and removes a line.
  node_.PutFile("/etc/mysql/certs/pxc1-key.pem", kKey, 0644, "mysql", "mysql");
  node_.PutFile("/etc/mysql/certs/pxc1-cert.pem", "tampered", 0644, "mysql", "mysql");
  std::string cnf = node_.Find("/etc/mysql/my.cnf")->content;
  const std::string line = "ssl-ca = /etc/mysql/certs/ca-cert.pem\n";
  ASSERT_NE(cnf.find(line), std::string::npos) << cnf;
  cnf.erase(cnf.find(line), line.size());
  node_.PutFile("/etc/mysql/my.cnf", cnf);

  auto read = Read(created.new_state);
  ASSERT_FALSE(read.diags.HasError()) << Errors(read.diags);
  auto files = read.new_state.GetAttr("files").Entries();
  EXPECT_NE(files.at("/etc/mysql/certs/pxc1-key.pem").AsString().find(" 0644 "), std::string::npos);
  EXPECT_NE(files.at("/etc/mysql/certs/pxc1-cert.pem"),
            created.new_state.GetAttr("files").Entries().at("/etc/mysql/certs/pxc1-cert.pem"));
  EXPECT_EQ(read.new_state.GetAttr("config").Entries().at("[mysqld] ssl-ca"),
            Value::String("(absent)"));
  auto plan = core_.PlanResourceChange(kType, read.new_state, Config(), Config(), private_);
  ASSERT_FALSE(plan.diags.HasError()) << Errors(plan.diags);
  EXPECT_NE(plan.planned, read.new_state) << "drift must show in the plan";

  auto repaired = Apply(read.new_state, Config());
  ASSERT_FALSE(repaired.diags.HasError()) << Errors(repaired.diags);
  EXPECT_EQ(node_.Find("/etc/mysql/certs/pxc1-key.pem")->mode, 0600u);
  EXPECT_EQ(node_.Find("/etc/mysql/certs/pxc1-cert.pem")->content, kCert);
  EXPECT_NE(node_.Find("/etc/mysql/my.cnf")->content.find(line), std::string::npos);
  EXPECT_EQ(Read(repaired.new_state).new_state, created.new_state);
}

TEST_F(NodeTlsConfigTest, DestroyGivesTheNodeBackByteForByte) {
  const MemHost::Tree before = node_.tree();
  auto created = Apply(Value::Null(type_), Config());
  ASSERT_FALSE(created.diags.HasError()) << Errors(created.diags);
  auto destroyed = Destroy(created.new_state);
  ASSERT_FALSE(destroyed.diags.HasError()) << Errors(destroyed.diags);
  EXPECT_EQ(node_.Find("/etc/mysql/my.cnf")->content, kCnf);
  EXPECT_EQ(node_.tree(), before) << "files, cert_dir and backup removed; my.cnf restored";
}

TEST_F(NodeTlsConfigTest, AWriteThatFailsHalfWayLeavesNothingBehind) {
  const MemHost::Tree before = node_.tree();
  // The disk fills up at the key, after the CA and the certificate.
  node_.FailWrites([](const std::string& path) -> std::optional<Status> {
    if (path.ends_with("pxc1-key.pem")) return UnavailableError("No space left on device");
    return std::nullopt;
  });
  auto plan = core_.PlanResourceChange(kType, Value::Null(type_), Config(), Config(), "");
  ASSERT_FALSE(plan.diags.HasError()) << Errors(plan.diags);
  auto applied = core_.ApplyResourceChange(kType, Value::Null(type_), plan.planned, Config(), "");
  ASSERT_TRUE(applied.diags.HasError());
  const std::string e = Errors(applied.diags);
  EXPECT_NE(e.find("No space left on device"), std::string::npos) << e;
  EXPECT_NE(e.find("Nothing was left on the node"), std::string::npos) << e;
  EXPECT_EQ(node_.tree(), before) << "the files written before it and cert_dir were removed";
}

TEST_F(NodeTlsConfigTest, ACertDirOtherAccountsCanChangeIsRefusedBeforeAnythingIsWritten) {
  node_.PutDirectory("/etc/mysql/certs", 0750, "mysql", "mysql");
  const MemHost::Tree before = node_.tree();
  auto plan = core_.PlanResourceChange(kType, Value::Null(type_), Config(), Config(), "");
  auto applied = core_.ApplyResourceChange(kType, Value::Null(type_), plan.planned, Config(), "");
  ASSERT_TRUE(applied.diags.HasError());
  EXPECT_EQ(applied.diags.items()[0].summary, "cert_dir Can Be Changed by Other Accounts")
      << Errors(applied.diags);
  EXPECT_EQ(node_.tree(), before);

  // A symbolic link as cert_dir is not followed either.
  node_.Remove("/etc/mysql/certs");
  node_.PutDirectory("/srv/tls", 0750, "root", "mysql");
  node_.PutSymlink("/etc/mysql/certs", "/srv/tls");
  applied = core_.ApplyResourceChange(kType, Value::Null(type_), plan.planned, Config(), "");
  ASSERT_TRUE(applied.diags.HasError());
  EXPECT_EQ(applied.diags.items()[0].summary, "cert_dir Is a Symbolic Link")
      << Errors(applied.diags);
  EXPECT_EQ(node_.Find("/srv/tls/pxc1-key.pem"), nullptr);
}

}  // namespace
}  // namespace pxc::resources
