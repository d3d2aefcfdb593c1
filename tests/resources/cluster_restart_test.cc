// pxc_cluster_restart through fake nodes that act like systemd/PXC units:
// the command sequences of the strategies, and the checks at plan and
// validation. (Its pure decisions are tested under tests/resources/galera/.)
#include "resources/cluster_restart.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "schema/json_codec.h"

namespace pxc::resources {
namespace {

// ---------------------------------------------------------------------------
// Fake nodes: a node's mysqld (running or not, under which unit), its files
// and the answers of the mysql client, acting as PXC 8.0 under systemd does:
// `systemctl stop mysql` does not stop a mysqld running under
// mysql@bootstrap.service and `systemctl start mysql` refuses while it runs.

struct FakeNode {
  std::string name;
  bool running = true;
  bool bootstrap_unit = false;
  std::string version = "4.7(r752664d)";
  std::string running_options = "gcache.size = 32M";
  std::string running_ssl_vars = "NULL\tNULL\tNULL";
  std::map<std::string, std::string> files;
};

struct FakeCluster {
  std::vector<std::shared_ptr<FakeNode>> nodes;
  std::vector<std::string> log;  // "<node>: <command>" for every command run
  int64_t Running() const {
    int64_t n = 0;
    for (const auto& x : nodes) n += x->running;
    return n;
  }
  // The service commands in order (SQL and file commands left out).
  std::vector<std::string> ServiceCommands() const {
    std::vector<std::string> out;
    for (const auto& l : log) {
      if (l.find(": systemctl") != std::string::npos || l.find(": service") != std::string::npos)
        out.push_back(l);
    }
    return out;
  }
};

class FakeHost final : public NodeHost {
 public:
  FakeHost(FakeCluster* c, std::shared_ptr<FakeNode> n) : c_(c), n_(std::move(n)) {}
  const std::string& Describe() const override { return n_->name; }
  StatusOr<ExecResult> Exec(const std::string& cmd, std::string_view = {}) override {
    c_->log.push_back(n_->name + ": " + cmd);
    FakeNode& n = *n_;
    ExecResult r;
    r.exit_status = 0;
    auto is = [&](const char* s) { return cmd == s; };
    if (cmd.rfind("mysql ", 0) == 0 || cmd.rfind("mariadb ", 0) == 0) {
      if (!n.running) {
        r.exit_status = 1;
        r.stderr_text = "ERROR 2002 (HY000): Can't connect to local MySQL server";
      } else if (cmd.find("wsrep_provider_version") != std::string::npos) {
        r.stdout_text = "wsrep_provider_version\t" + n.version + "\n";
      } else if (cmd.find("wsrep_local_state_comment") != std::string::npos) {
        r.stdout_text = "wsrep_cluster_size\t" + std::to_string(c_->Running()) +
                        "\nwsrep_local_state_comment\tSynced\n";
      } else if (cmd.find("@@wsrep_provider_options") != std::string::npos) {
        r.stdout_text = n.running_options + "\n";
      } else if (cmd.find("@@ssl_cert") != std::string::npos) {
        r.stdout_text = n.running_ssl_vars + "\n";
      } else if (cmd.find("VERSION()") != std::string::npos) {
        r.stdout_text = "8.0.36-28.1\n";
      } else if (cmd.find("PROCESSLIST") != std::string::npos) {
        r.stdout_text = "0\n";
      }
    } else if (is("systemctl is-active --quiet mysql@bootstrap.service")) {
      r.exit_status = n.running && n.bootstrap_unit ? 0 : 3;
    } else if (is("systemctl stop mysql@bootstrap.service")) {
      if (n.bootstrap_unit) n.running = n.bootstrap_unit = false;
    } else if (is("systemctl stop mysql") || is("service mysql stop")) {
      if (!n.bootstrap_unit) n.running = false;  // the mysql unit is not the one running
    } else if (is("systemctl start mysql") || is("service mysql start")) {
      if (n.running && n.bootstrap_unit) {
        r.exit_status = 1;
        r.stderr_text = "mysql@bootstrap.service is running";
      } else {
        n.running = true;
      }
    } else if (is("systemctl start mysql@bootstrap.service") || is("service mysql bootstrap-pxc")) {
      n.running = true;
      n.bootstrap_unit = cmd.rfind("systemctl", 0) == 0;
    }
    return r;
  }
  StatusOr<std::optional<std::string>> ReadFile(const std::string& path) override {
    auto it = n_->files.find(path);
    if (it == n_->files.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  StatusOr<std::optional<FileStat>> Stat(const std::string& path) override {
    if (!n_->files.count(path)) return std::optional<FileStat>();
    FileStat st;
    st.mode = 0644;
    st.type = FileType::kRegular;
    st.owner = st.group = "root";
    return std::optional<FileStat>(st);
  }
  StatusOr<std::optional<FileStat>> Lstat(const std::string& path) override { return Stat(path); }
  StatusOr<std::vector<std::string>> ListDirectory(const std::string&) override {
    return UnimplementedError("ListDirectory");
  }
  StatusOr<DirectoryReport> InspectDirectory(const std::string&) override {
    return UnimplementedError("InspectDirectory");
  }
  Status WriteFileAtomic(const std::string& path, std::string_view content, uint32_t,
                         const std::string&, const std::string&) override {
    c_->log.push_back(n_->name + ": write " + path);
    n_->files[path] = std::string(content);
    return OkStatus();
  }
  Status RemoveFile(const std::string& path) override {
    n_->files.erase(path);
    return OkStatus();
  }
  StatusOr<bool> MakeDirectory(const std::string&, uint32_t, const std::string&,
                               const std::string&) override {
    return UnimplementedError("MakeDirectory");
  }
  Status SetDirectoryOwnerAndMode(const std::string&, uint32_t, const std::string&,
                                  const std::string&) override {
    return UnimplementedError("SetDirectoryOwnerAndMode");
  }
  StatusOr<bool> RemoveDirectory(const std::string&) override {
    return UnimplementedError("RemoveDirectory");
  }

 private:
  FakeCluster* c_;
  std::shared_ptr<FakeNode> n_;
};

constexpr char kPxc80Cnf[] =
    "[mysqld]\ndatadir=/var/lib/mysql\nssl-ca=/etc/mysql/certs/ca-cert.pem\n"
    "ssl-cert=/etc/mysql/certs/n-cert.pem\nssl-key=/etc/mysql/certs/n-key.pem\n"
    "pxc-encrypt-cluster-traffic=ON\nwsrep_provider_options=\"gcache.size=32M\"\n";
// What Galera reports running on such a node: PXC appended socket.ssl_*.
constexpr char kPxc80Running[] =
    "gcache.size = 32M; socket.ssl = YES; socket.ssl_ca = /etc/mysql/certs/ca-cert.pem; "
    "socket.ssl_cert = /etc/mysql/certs/n-cert.pem; socket.ssl_key = /etc/mysql/certs/n-key.pem";

FakeCluster MakeCluster(const std::string& cnf, int64_t seqno_first = 12) {
  FakeCluster c;
  for (int i = 1; i <= 3; ++i) {
    auto n = std::make_shared<FakeNode>();
    n->name = "pxc" + std::to_string(i);
    n->files["/etc/mysql/my.cnf"] = cnf;
    n->files["/var/lib/mysql/grastate.dat"] =
        "uuid: u\nseqno: " + std::to_string(i == 1 ? seqno_first : 10) +
        "\nsafe_to_bootstrap: " + (i == 1 ? "1" : "0") + "\n";
    c.nodes.push_back(n);
  }
  return c;
}

NodeConnector ConnectorFor(FakeCluster* c) {
  return [c](const SshTarget& t) -> StatusOr<std::unique_ptr<NodeHost>> {
    for (auto& n : c->nodes) {
      if (t.label == n->name) return std::unique_ptr<NodeHost>(new FakeHost(c, n));
    }
    return UnavailableError("no such node " + t.label);
  };
}

std::string PlanJson(const std::string& strategy, const std::string& flavor) {
  return R"({"strategy":")" + strategy + R"(","flavor":")" + flavor +
         R"(","drain":"none","drain_grace_seconds":0,"drain_timeout_seconds":0,)"
         R"("timeout_seconds":10,"ssh_insecure_ignore_host_key":true,"ssh_password":"x",)"
         R"("node":[{"name":"pxc1","host":"10.0.0.1"},{"name":"pxc2","host":"10.0.0.2"},)"
         R"({"name":"pxc3","host":"10.0.0.3"}]})";
}

struct RestartRun {
  schema::Diagnostics diags;
  schema::Value state;
};

RestartRun ApplyRestart(FakeCluster* c, const std::string& strategy, const std::string& flavor) {
  ClusterRestartResource res(ConnectorFor(c));
  const schema::Type type = res.GetSchema().ImpliedType();
  auto planned = schema::DecodeJsonLenient(PlanJson(strategy, flavor), type, nullptr);
  EXPECT_TRUE(planned.ok()) << planned.status().message();
  schema::ProviderContext provider;
  const schema::Value prior = schema::Value::Null(type);
  const std::string priv;
  schema::ApplyContext ctx{provider, prior, *planned, *planned, priv, {}, {}, {}};
  res.Create(ctx);
  return {ctx.diags, ctx.new_state};
}

std::string Errors(const schema::Diagnostics& d) {
  std::string s;
  for (const auto& x : d.items()) s += x.summary + ": " + x.detail + "\n";
  return s;
}

TEST(ClusterRestartSequence, Pxc80FullEndsWithEveryNodeUnderItsNormalUnit) {
  FakeCluster c = MakeCluster(kPxc80Cnf);
  for (auto& n : c.nodes) n->running_options = kPxc80Running;
  RestartRun r = ApplyRestart(&c, "full", "pxc80");
  ASSERT_FALSE(r.diags.HasError()) << Errors(r.diags);
  EXPECT_EQ(c.ServiceCommands(),
            (std::vector<std::string>{
                "pxc1: systemctl is-active --quiet mysql@bootstrap.service",
                "pxc2: systemctl is-active --quiet mysql@bootstrap.service",
                "pxc3: systemctl is-active --quiet mysql@bootstrap.service",
                "pxc3: systemctl stop mysql", "pxc2: systemctl stop mysql",
                "pxc1: systemctl stop mysql", "pxc1: systemctl start mysql@bootstrap.service",
                "pxc2: systemctl start mysql", "pxc3: systemctl start mysql",
                // Percona's "Bootstrapping the first node": back to the normal unit.
                "pxc1: systemctl stop mysql@bootstrap.service", "pxc1: systemctl start mysql"}));
  for (const auto& n : c.nodes) {
    EXPECT_TRUE(n->running) << n->name;
    EXPECT_FALSE(n->bootstrap_unit) << n->name;
  }
  EXPECT_EQ(r.state.GetString("bootstrap_node"), std::optional<std::string>("pxc1"));
}

TEST(ClusterRestartSequence, Pxc80LaterRunStopsANodeFoundUnderTheBootstrapUnitWithThatUnit) {
  FakeCluster c = MakeCluster(kPxc80Cnf);
  for (auto& n : c.nodes) n->running_options = kPxc80Running;
  c.nodes[0]->bootstrap_unit = true;  // left there by an earlier run or by hand
  RestartRun r = ApplyRestart(&c, "full", "pxc80");
  ASSERT_FALSE(r.diags.HasError()) << Errors(r.diags);
  auto cmds = c.ServiceCommands();
  EXPECT_NE(std::find(cmds.begin(), cmds.end(), "pxc1: systemctl stop mysql@bootstrap.service"),
            cmds.end());
  for (const auto& n : c.nodes) EXPECT_FALSE(n->bootstrap_unit) << n->name;

  FakeCluster c2 = MakeCluster(kPxc80Cnf);
  for (auto& n : c2.nodes) n->running_options = kPxc80Running;
  c2.nodes[1]->bootstrap_unit = true;
  RestartRun r2 = ApplyRestart(&c2, "rolling", "pxc80");
  ASSERT_FALSE(r2.diags.HasError()) << Errors(r2.diags);
  auto rolled = c2.ServiceCommands();
  EXPECT_EQ(std::vector<std::string>(rolled.begin() + 3, rolled.end()),
            (std::vector<std::string>{"pxc1: systemctl stop mysql", "pxc1: systemctl start mysql",
                                      "pxc2: systemctl stop mysql@bootstrap.service",
                                      "pxc2: systemctl start mysql", "pxc3: systemctl stop mysql",
                                      "pxc3: systemctl start mysql"}));
  for (const auto& n : c2.nodes) EXPECT_FALSE(n->bootstrap_unit) << n->name;
  // TLS derived by PXC runs already and is configured: one pass.
  EXPECT_EQ(r2.state.GetInt("passes"), std::optional<int64_t>(1));
}

TEST(ClusterRestartSequence, Pxc80RollingSeesEncryptClusterTrafficSwitchedOn) {
  // Running without Galera TLS (pxc-encrypt-cluster-traffic was OFF); the
  // configuration now has it ON: two passes with socket.dynamic.
  FakeCluster c = MakeCluster(kPxc80Cnf);
  RestartRun r = ApplyRestart(&c, "rolling", "pxc80");
  ASSERT_FALSE(r.diags.HasError()) << Errors(r.diags);
  EXPECT_EQ(r.state.GetInt("passes"), std::optional<int64_t>(2));
  EXPECT_EQ(c.ServiceCommands().size(), 3u + 12u);
  // Pass 2 left the configuration as written (no socket.dynamic).
  EXPECT_EQ(c.nodes[2]->files["/etc/mysql/my.cnf"], kPxc80Cnf);
}

TEST(ClusterRestartSequence, Pxc80ReloadComparesWithTheFilesPxcDerives) {
  FakeCluster c = MakeCluster(kPxc80Cnf);
  for (auto& n : c.nodes) {
    n->running_options = kPxc80Running;
    n->running_ssl_vars =
        "/etc/mysql/certs/n-cert.pem\t/etc/mysql/certs/n-key.pem\t/etc/mysql/certs/ca-cert.pem";
  }
  RestartRun r = ApplyRestart(&c, "reload", "pxc80");
  ASSERT_FALSE(r.diags.HasError()) << Errors(r.diags);
  int reloads = 0;
  for (const auto& l : c.log) reloads += l.find("socket.ssl_reload=1") != std::string::npos;
  EXPECT_EQ(reloads, 3);
  EXPECT_TRUE(c.ServiceCommands().size() == 3u);  // the unit checks only: nothing restarted
}

TEST(ClusterRestartSequence, RefusesRollingAndReloadOnGalera3BeforeAnythingChanges) {
  for (const char* strategy : {"rolling", "reload"}) {
    for (const char* version : {"25.3.37(r3e2ad6b)", "3.55(r8b4f6e1)"}) {
      FakeCluster c = MakeCluster(kPxc80Cnf);
      c.nodes[1]->version = version;
      RestartRun r = ApplyRestart(&c, strategy, "mariadb");
      ASSERT_TRUE(r.diags.HasError()) << strategy << " " << version;
      const std::string e = Errors(r.diags);
      EXPECT_NE(e.find("Strategy Not Supported by This Galera"), std::string::npos) << e;
      EXPECT_NE(e.find("pxc2 runs Galera " + std::string(version)), std::string::npos) << e;
      EXPECT_NE(e.find(std::string(strategy) == "rolling" ? "socket.dynamic" : "socket.ssl_reload"),
                std::string::npos)
          << e;
      EXPECT_NE(e.find("\"full\""), std::string::npos) << e;
      EXPECT_TRUE(c.ServiceCommands().empty());
      for (const auto& l : c.log) {
        EXPECT_EQ(l.find("write"), std::string::npos) << l;
        EXPECT_EQ(l.find("wsrep_desync"), std::string::npos) << l;
        EXPECT_EQ(l.find("RELOAD"), std::string::npos) << l;
      }
    }
  }
}

schema::Diagnostics Plan(FakeCluster* c, const std::string& strategy, const std::string& flavor) {
  ClusterRestartResource res(ConnectorFor(c));
  const schema::Type type = res.GetSchema().ImpliedType();
  auto planned = schema::DecodeJsonLenient(PlanJson(strategy, flavor), type, nullptr);
  EXPECT_TRUE(planned.ok());
  schema::ProviderContext provider;
  const schema::Value prior = schema::Value::Null(type);
  schema::PlanContext ctx{provider, prior, *planned, *planned, {}, {}, {}};
  res.ModifyPlan(ctx);
  return ctx.diags;
}

TEST(ClusterRestartPlan, RefusesAtPlanWhereANodesGaleraLacksTheOptions) {
  FakeCluster c = MakeCluster(kPxc80Cnf);
  c.nodes[2]->version = "25.3.37(r3e2ad6b)";
  auto d = Plan(&c, "rolling", "mariadb");
  ASSERT_TRUE(d.HasError());
  EXPECT_NE(Errors(d).find("pxc3 runs Galera 25.3.37"), std::string::npos) << Errors(d);
  EXPECT_EQ(d.items()[0].path->ToString(), "strategy");
  EXPECT_TRUE(Plan(&c, "reload", "mariadb").HasError());
  EXPECT_FALSE(Plan(&c, "full", "mariadb").HasError());
  EXPECT_TRUE(c.ServiceCommands().empty());
  c.nodes[2]->version = "26.4.23(r5a3a1c6)";
  EXPECT_FALSE(Plan(&c, "rolling", "mariadb").HasError()) << Errors(Plan(&c, "rolling", "mariadb"));
  // A node that cannot be queried at plan is checked again at apply.
  c.nodes[0]->running = false;
  EXPECT_FALSE(Plan(&c, "reload", "mariadb").HasError());
}

TEST(ClusterRestartPlan, Pxc57FlavorRefusesRollingAndReloadAtValidate) {
  ClusterRestartResource res;
  const schema::Type type = res.GetSchema().ImpliedType();
  auto validate = [&](const std::string& json) {
    auto v = schema::DecodeJsonLenient(json, type, nullptr);
    EXPECT_TRUE(v.ok());
    schema::Diagnostics d;
    res.ValidateConfig(*v, d);
    return d;
  };
  const std::string nodes = R"("node":[{"name":"pxc1","host":"h"}])";
  for (const char* s : {"rolling", "reload"}) {
    auto d = validate(R"({"strategy":")" + std::string(s) + R"(","flavor":"pxc57",)" + nodes + "}");
    ASSERT_TRUE(d.HasError()) << s;
    EXPECT_EQ(d.items()[0].summary, "Strategy Not Supported by PXC 5.7");
    EXPECT_EQ(d.items()[0].path->ToString(), "strategy");
    EXPECT_NE(d.items()[0].detail.find("Use strategy \"full\""), std::string::npos);
    // The default flavor is pxc57.
    EXPECT_TRUE(validate(R"({"strategy":")" + std::string(s) + R"(",)" + nodes + "}").HasError());
    EXPECT_FALSE(
        validate(R"({"strategy":")" + std::string(s) + R"(","flavor":"pxc80",)" + nodes + "}")
            .HasError());
  }
  EXPECT_FALSE(validate(R"({"strategy":"full","flavor":"pxc57",)" + nodes + "}").HasError());
  EXPECT_FALSE(validate(R"({"flavor":"pxc57",)" + nodes + "}").HasError());
}

}  // namespace
}  // namespace pxc::resources
