// data.pxc_cluster_tls through the core: nodes whose MySQL and Galera ports
// are OpenSSL servers on 127.0.0.1 (tests/resources/tlsprobe/
// tls_test_servers.h) and whose files are in memory (MemHost): a healthy
// pair, a certificate file that is not what the port serves, another CA, and
// a node that cannot be reached at all.
#include "resources/cluster_tls.h"

#include <gtest/gtest.h>

#include "provider/core.h"
#include "resources/remote/mem_host.h"
#include "tests/resources/tlsprobe/tls_test_servers.h"

namespace pxc::resources {
namespace {

using schema::AttributePath;
using schema::Type;
using schema::Value;
using tlsprobe::testing::AcceptTls;
using tlsprobe::testing::FakeMysql;
using tlsprobe::testing::MakePki;
using tlsprobe::testing::Pki;
using tlsprobe::testing::Server;

constexpr char kType[] = "pxc_cluster_tls";

class TestProvider final : public schema::ProviderDefinition {
 public:
  explicit TestProvider(NodeConnector connector)
      : ds_(std::make_shared<ClusterTlsDataSource>(std::move(connector))) {}
  std::string Name() const override { return "pxc"; }
  std::string Version() const override { return "test"; }
  const schema::Schema& GetSchema() const override { return schema_; }
  std::vector<std::shared_ptr<const schema::Resource>> Resources() const override { return {}; }
  std::vector<std::shared_ptr<const schema::DataSource>> DataSources() const override {
    return {ds_};
  }

 private:
  schema::Schema schema_;
  std::shared_ptr<const schema::DataSource> ds_;
};

// One node: its two ports and its files.
struct Node {
  explicit Node(const std::string& name)
      : name(name), pki(MakePki(name)), host(name), mysql(pki), galera([this](int fd) {
          AcceptTls(fd, pki, 0, true);
        }) {
    host.PutDirectory("/etc/mysql/certs");
    host.PutFile("/etc/mysql/my.cnf",
                 "[client]\nport=3306\n\n[mysqld]\nuser=mysql\nssl-ca=/etc/mysql/certs/ca.pem\n"
                 "ssl-cert=/etc/mysql/certs/" +
                     name + "-cert.pem\nssl-key=/etc/mysql/certs/" + name +
                     "-key.pem\nwsrep_provider_options=\"gcache.size=32M;socket.ssl_ca=/etc/mysql/"
                     "certs/ca.pem;socket.ssl_cert=/etc/mysql/certs/" +
                     name + "-cert.pem;socket.ssl_key=/etc/mysql/certs/" + name +
                     "-key.pem\"\n!includedir /etc/mysql/conf.d/\n");
    host.PutFile("/etc/mysql/certs/ca.pem", pki.ca_pem);
    host.PutFile("/etc/mysql/certs/" + name + "-cert.pem", pki.cert_pem);
    host.PutFile("/etc/mysql/certs/" + name + "-key.pem", pki.key_pem, 0600);
  }
  std::string name;
  Pki pki;
  MemHost host;
  FakeMysql mysql;
  Server galera;
};

std::string Diags(const schema::Diagnostics& d) {
  std::string s;
  for (const auto& x : d.items()) s += x.summary + ": " + x.detail + "\n";
  return s;
}

class ClusterTlsTest : public ::testing::Test {
 protected:
  ClusterTlsTest()
      : pxc1_("pxc1"),
        pxc2_("pxc2"),
        core_(std::make_shared<TestProvider>(MemConnector({&pxc1_.host, &pxc2_.host}))) {
    const auto& block = core_.FindDataSource(kType)->GetSchema().block;
    type_ = block.ImpliedType();
    node_type_ = block.FindBlock("node")->block.ImpliedType();
  }

  Value NodeValue(const std::string& name, int mysql_port, int galera_port) const {
    auto v = Value::ObjectOf(node_type_, {{"name", Value::String(name)},
                                          {"host", Value::String("127.0.0.1")},
                                          {"mysql_port", Value::Num(mysql_port)},
                                          {"galera_port", Value::Num(galera_port)}});
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return *v;
  }

  Value Config(std::vector<Value> nodes) const {
    auto v = Value::ObjectOf(type_, {{"ssh_insecure_ignore_host_key", Value::Bool(true)},
                                     {"ssh_password", Value::String("pw")},
                                     {"node", Value::List(node_type_, std::move(nodes))}});
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return *v;
  }

  Value Healthy() const {
    return Config({NodeValue("pxc1", pxc1_.mysql.port(), pxc1_.galera.port()),
                   NodeValue("pxc2", pxc2_.mysql.port(), pxc2_.galera.port())});
  }

  static std::vector<std::string> Strings(const Value& v) {
    std::vector<std::string> out;
    for (const auto& e : v.Elements()) out.push_back(e.AsString());
    return out;
  }

  Node pxc1_, pxc2_;
  provider::Core core_;
  Type type_, node_type_;
};

TEST_F(ClusterTlsTest, HealthyNodesServeTheirFilesCertificates) {
  Value config = Healthy();
  EXPECT_FALSE(core_.ValidateDataResourceConfig(kType, config).HasError());
  const auto started = std::chrono::steady_clock::now();
  auto r = core_.ReadDataSource(kType, config);
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(r.diags.HasError()) << Diags(r.diags);
  EXPECT_TRUE(r.diags.empty()) << Diags(r.diags);
  const Value& s = r.new_state;
  EXPECT_EQ(s.GetAttr("consistent"), Value::Bool(true));
  EXPECT_TRUE(Strings(s.GetAttr("problems")).empty());
  EXPECT_EQ(Strings(s.GetAttr("ca_fingerprints")),
            std::vector<std::string>{tlsprobe::testing::Ca().cert.Sha256Fingerprint()});
  EXPECT_EQ(s.GetAttr("min_days_left"), Value::Num(364));
  EXPECT_EQ(s.GetAttr("warn_days"), Value::Num(30));
  EXPECT_EQ(s.GetAttr("id"), Value::String("pxc1,pxc2"));
  const Node* nodes[] = {&pxc1_, &pxc2_};
  for (size_t i = 0; i < 2; ++i) {
    const Value n = s.GetAttr("node").Elements()[i];
    for (const char* port : {"mysql", "galera"}) {
      SCOPED_TRACE(nodes[i]->name + " " + port);
      const Value p = n.GetAttr(port);
      EXPECT_EQ(p.GetAttr("serial"), Value::String(nodes[i]->pki.cert_serial));
      EXPECT_EQ(p.GetAttr("sha256_fingerprint"), Value::String(nodes[i]->pki.cert_fingerprint));
      EXPECT_EQ(p.GetAttr("subject"), Value::String("CN=" + nodes[i]->name));
      EXPECT_EQ(p.GetAttr("issuer"), Value::String("CN=Probe-CA"));
      EXPECT_EQ(Strings(p.GetAttr("ip_addresses")), std::vector<std::string>{"127.0.0.1"});
      EXPECT_EQ(Strings(p.GetAttr("tls_versions")),
                (std::vector<std::string>{"TLSv1.2", "TLSv1.3"}));
      EXPECT_EQ(p.GetAttr("cert_file"),
                Value::String("/etc/mysql/certs/" + nodes[i]->name + "-cert.pem"));
      EXPECT_EQ(p.GetAttr("cert_file_fingerprint"), Value::String(nodes[i]->pki.cert_fingerprint));
      EXPECT_EQ(p.GetAttr("matches_file"), Value::Bool(true));
      EXPECT_EQ(p.GetAttr("verified"), Value::Bool(true));
      EXPECT_EQ(p.GetAttr("key_matches_cert"), Value::Bool(true));
      EXPECT_EQ(p.GetAttr("key_file_sha256"), Value::String(Sha256Hex(nodes[i]->pki.key_pem)));
    }
    EXPECT_EQ(n.GetAttr("mysql").GetAttr("plain_accepted"), Value::Null(Type::Bool()));
    EXPECT_EQ(n.GetAttr("galera").GetAttr("plain_accepted"), Value::Bool(false));
  }
  // Both nodes in parallel: one plain-Galera wait (1.1 s), not two.
  EXPECT_LT(took, std::chrono::milliseconds(2000));
}

TEST_F(ClusterTlsTest, FileOtherThanServedIsAProblemAndAWarning) {
  const Pki rotated = MakePki("pxc1");
  pxc1_.host.PutFile("/etc/mysql/certs/pxc1-cert.pem", rotated.cert_pem);
  pxc1_.host.PutFile("/etc/mysql/certs/pxc1-key.pem", rotated.key_pem, 0600);
  auto r = core_.ReadDataSource(kType, Healthy());
  ASSERT_FALSE(r.diags.HasError()) << Diags(r.diags);
  const auto problems = Strings(r.new_state.GetAttr("problems"));
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0], "pxc1: MySQL port " + std::to_string(pxc1_.mysql.port()) +
                             " serves serial " + pxc1_.pki.cert_serial +
                             " but /etc/mysql/certs/pxc1-cert.pem holds serial " +
                             rotated.cert_serial +
                             ": the file changed and the server has not loaded it yet (reload "
                             "or restart).");
  ASSERT_EQ(r.diags.items().size(), 1u);
  EXPECT_EQ(r.diags.items()[0].severity, schema::Severity::kWarning);
  EXPECT_EQ(r.diags.items()[0].summary, "Cluster TLS Problems");
  EXPECT_EQ(r.diags.items()[0].detail, "- " + problems[0] + "\n- " + problems[1]);
  const Value p = r.new_state.GetAttr("node").Elements()[0].GetAttr("mysql");
  EXPECT_EQ(p.GetAttr("matches_file"), Value::Bool(false));
  EXPECT_EQ(p.GetAttr("verified"), Value::Bool(true));
}

TEST_F(ClusterTlsTest, AnotherCaInOneNodesCaFile) {
  // A CA file on pxc2 with a CA of its own (not the one that signed).
  auto key = PrivateKey::Generate(KeySpec{KeyAlgorithm::kEcdsa, 0, "P256"});
  CaSpec cs;
  cs.subject.common_name = "Other-CA";
  cs.validity_period_hours = 48;
  auto other = Certificate::SelfSignCa(*key, cs);
  pxc2_.host.PutFile("/etc/mysql/certs/ca.pem", other->ToPem());
  auto r = core_.ReadDataSource(kType, Healthy());
  ASSERT_FALSE(r.diags.HasError()) << Diags(r.diags);
  EXPECT_EQ(r.new_state.GetAttr("consistent"), Value::Bool(false));
  EXPECT_EQ(r.new_state.GetAttr("ca_fingerprints").Length(), 2u);
  const auto problems = Strings(r.new_state.GetAttr("problems"));
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_NE(problems[0].find("pxc2: the certificate served on MySQL port"), std::string::npos);
  EXPECT_NE(problems[0].find("does not verify against the configured CA /etc/mysql/certs/ca.pem"),
            std::string::npos)
      << problems[0];
  EXPECT_EQ(problems[2].rfind("The nodes trust 2 different CAs: ", 0), 0u) << problems[2];
}

TEST_F(ClusterTlsTest, NodeThatCannotBeReachedIsAnError) {
  int closed;
  {
    closed = Server([](int) {}).port();
  }
  Value config = Config({NodeValue("pxc1", pxc1_.mysql.port(), pxc1_.galera.port()),
                         NodeValue("pxc9", closed, closed)});
  auto r = core_.ReadDataSource(kType, config);
  ASSERT_TRUE(r.diags.HasError());
  const auto& d = r.diags.items()[0];
  EXPECT_EQ(d.summary, "Node Unreachable");
  EXPECT_EQ(d.path, AttributePath::Root("node").Index(1).Attr("host"));
  EXPECT_NE(d.detail.find("pxc9 (127.0.0.1) cannot be reached"), std::string::npos) << d.detail;
}

TEST_F(ClusterTlsTest, ValidationNamesTheAttribute) {
  Value bad = Config({NodeValue("pxc1", 0, 4567), NodeValue("pxc1", 3306, 4567)})
                  .WithAttr("flavor", Value::String("pxc99"));
  auto d = core_.ValidateDataResourceConfig(kType, bad);
  std::vector<std::string> paths;
  for (const auto& x : d.items()) paths.push_back(x.path ? x.path->ToString() : "");
  EXPECT_EQ(paths, (std::vector<std::string>{"flavor", "node[0].mysql_port", "node[1].name"}))
      << Diags(d);
}

}  // namespace
}  // namespace pxc::resources
