// pxc_cluster_restart through fake nodes that act like systemd/PXC units:
// the command sequences of the strategies, and the checks at plan and
// validation. (Its pure decisions are tested under tests/resources/galera/.)
#include "resources/cluster_restart.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>

#include "schema/json_codec.h"
#include "tests/resources/galera/fake_galera.h"

namespace pxc::resources {
namespace {

constexpr char kPxc80Cnf[] =
    "[mysqld]\ndatadir=/var/lib/mysql\nssl-ca=/etc/mysql/certs/ca-cert.pem\n"
    "ssl-cert=/etc/mysql/certs/n-cert.pem\nssl-key=/etc/mysql/certs/n-key.pem\n"
    "pxc-encrypt-cluster-traffic=ON\nwsrep_provider_options=\"gcache.size=32M\"\n";
// What Galera reports running on such a node: PXC appended socket.ssl_*.
constexpr char kPxc80Running[] =
    "gcache.size = 32M; socket.ssl = YES; socket.ssl_ca = /etc/mysql/certs/ca-cert.pem; "
    "socket.ssl_cert = /etc/mysql/certs/n-cert.pem; socket.ssl_key = /etc/mysql/certs/n-key.pem";

using fake_galera::Cluster;

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

RestartRun ApplyRestart(Cluster* c, const std::string& strategy, const std::string& flavor) {
  ClusterRestartResource res(c->Connector());
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
  Cluster c(3, kPxc80Cnf, {12, 10, 10});
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
    EXPECT_TRUE(n->running) << n->name();
    EXPECT_FALSE(n->bootstrap_unit) << n->name();
  }
  EXPECT_EQ(r.state.GetString("bootstrap_node"), std::optional<std::string>("pxc1"));
}

TEST(ClusterRestartSequence, Pxc80LaterRunStopsANodeFoundUnderTheBootstrapUnitWithThatUnit) {
  Cluster c(3, kPxc80Cnf, {12, 10, 10});
  for (auto& n : c.nodes) n->running_options = kPxc80Running;
  c.nodes[0]->bootstrap_unit = true;  // left there by an earlier run or by hand
  RestartRun r = ApplyRestart(&c, "full", "pxc80");
  ASSERT_FALSE(r.diags.HasError()) << Errors(r.diags);
  auto cmds = c.ServiceCommands();
  EXPECT_NE(std::find(cmds.begin(), cmds.end(), "pxc1: systemctl stop mysql@bootstrap.service"),
            cmds.end());
  for (const auto& n : c.nodes) EXPECT_FALSE(n->bootstrap_unit) << n->name();

  Cluster c2(3, kPxc80Cnf, {12, 10, 10});
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
  for (const auto& n : c2.nodes) EXPECT_FALSE(n->bootstrap_unit) << n->name();
  // TLS derived by PXC runs already and is configured: one pass.
  EXPECT_EQ(r2.state.GetInt("passes"), std::optional<int64_t>(1));
}

TEST(ClusterRestartSequence, Pxc80RollingSeesEncryptClusterTrafficSwitchedOn) {
  // Running without Galera TLS (pxc-encrypt-cluster-traffic was OFF); the
  // configuration now has it ON: two passes with socket.dynamic.
  Cluster c(3, kPxc80Cnf, {12, 10, 10});
  RestartRun r = ApplyRestart(&c, "rolling", "pxc80");
  ASSERT_FALSE(r.diags.HasError()) << Errors(r.diags);
  EXPECT_EQ(r.state.GetInt("passes"), std::optional<int64_t>(2));
  EXPECT_EQ(c.ServiceCommands().size(), 3u + 12u);
  // Pass 2 left the configuration as written (no socket.dynamic).
  EXPECT_EQ(c.nodes[2]->File(fake_galera::kConfig), kPxc80Cnf);
}

TEST(ClusterRestartSequence, Pxc80ReloadComparesWithTheFilesPxcDerives) {
  Cluster c(3, kPxc80Cnf, {12, 10, 10});
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
      Cluster c(3, kPxc80Cnf, {12, 10, 10});
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

schema::Diagnostics Plan(Cluster* c, const std::string& strategy, const std::string& flavor) {
  ClusterRestartResource res(c->Connector());
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
  Cluster c(3, kPxc80Cnf, {12, 10, 10});
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
