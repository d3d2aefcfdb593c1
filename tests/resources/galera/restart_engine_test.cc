// resources/galera/restart_engine.h against a cluster in memory
// (fake_galera.h): the node bootstrapped from grastate.dat, the order of a
// rolling restart, and the rollback of a node that does not start with its
// new configuration. No mariadbd needed; the end-to-end tests run the same
// engine against a real Galera cluster.
#include "resources/galera/restart_engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/resources/galera/fake_galera.h"

namespace pxc::resources {
namespace {

using fake_galera::Cluster;
using fake_galera::kConfig;
using fake_galera::kGrastate;

constexpr char kCnf[] =
    "[mysqld]\ndatadir=/var/lib/mysql\nwsrep_provider_options=\"gcache.size=32M\"\n";
constexpr char kBadCnf[] =
    "[mysqld]\ndatadir=/var/lib/mysql\nbad_option=1\nwsrep_provider_options=\"gcache.size=32M\"\n";

RestartOptions Options(const std::string& strategy) {
  RestartOptions o;
  o.strategy = strategy;
  o.flavor = "mariadb";
  o.commands = DefaultRestartCommands("mariadb");
  o.timeout = std::chrono::seconds(5);
  o.drain = false;
  return o;
}

std::vector<RestartNode> Nodes(const Cluster& c) {
  std::vector<RestartNode> out;
  for (const auto& n : c.nodes) {
    RestartNode r;
    r.name = n->name();
    r.host = "10.0.0." + n->name().substr(3);
    r.config_file = kConfig;
    r.target.label = r.name;
    r.target.host = r.host;
    out.push_back(std::move(r));
  }
  return out;
}

struct RestartRun {
  std::optional<RestartResult> result;
  schema::Diagnostics diags;
};

RestartRun Restart(Cluster& c, const RestartOptions& options) {
  RestartRun run;
  schema::ProviderContext provider;
  run.result = RunRestart(options, Nodes(c), c.Connector(), provider, run.diags);
  return run;
}

std::string Messages(const schema::Diagnostics& d) {
  std::string s;
  for (const auto& x : d.items()) s += x.summary + ": " + x.detail + "\n";
  return s;
}

// The service commands without the node prefix' separator, e.g.
// "pxc2: galera_new_cluster".
std::vector<std::string> Services(const Cluster& c) {
  std::vector<std::string> out;
  for (const auto& l : c.log) {
    if (l.find(": systemctl") != std::string::npos ||
        l.find(": galera_new_cluster") != std::string::npos)
      out.push_back(l);
  }
  return out;
}

TEST(RestartEngine, FullBootstrapsTheMostAdvancedNodeFromGrastate) {
  // pxc2 has the highest seqno but safe_to_bootstrap: 0 (only pxc1 has 1).
  Cluster c(3, kCnf, {10, 12, 11});
  RestartRun r = Restart(c, Options("full"));
  ASSERT_TRUE(r.result) << Messages(r.diags);
  EXPECT_EQ(r.result->bootstrap_node, "pxc2");
  EXPECT_EQ(r.result->cluster_size, 3);
  EXPECT_EQ(Services(c), (std::vector<std::string>{
                             // The first listed node stops last.
                             "pxc3: systemctl stop mariadb", "pxc2: systemctl stop mariadb",
                             "pxc1: systemctl stop mariadb", "pxc2: galera_new_cluster",
                             "pxc1: systemctl start mariadb", "pxc3: systemctl start mariadb"}));
  EXPECT_TRUE(c.nodes[1]->bootstrapped);
  // pxc set safe_to_bootstrap on the chosen node and said so.
  EXPECT_NE(c.nodes[1]->File(kGrastate).find("safe_to_bootstrap: 1"), std::string::npos);
  EXPECT_NE(Messages(r.diags).find("safe_to_bootstrap Set"), std::string::npos);
  for (const auto& n : c.nodes) EXPECT_TRUE(n->running) << n->name();
  // The configuration the cluster now runs is recorded for later rollbacks.
  EXPECT_EQ(c.nodes[0]->File(std::string(kConfig) + ".pxc.good"), kCnf);
}

TEST(RestartEngine, FullRefusesAnUnknownSeqnoBeforeBootstrappingAnything) {
  Cluster c(3, kCnf, {10, -1, 11});
  RestartRun r = Restart(c, Options("full"));
  EXPECT_FALSE(r.result);
  const std::string m = Messages(r.diags);
  EXPECT_NE(m.find("Cannot Choose a Node to Bootstrap"), std::string::npos) << m;
  EXPECT_NE(m.find("--wsrep-recover"), std::string::npos) << m;
  // Every node was stopped and none started: the error names them all.
  EXPECT_NE(m.find("THESE NODES ARE DOWN NOW: pxc3, pxc2, pxc1"), std::string::npos) << m;
  for (const auto& l : c.log) EXPECT_EQ(l.find("galera_new_cluster"), std::string::npos) << l;
}

TEST(RestartEngine, RollingRestartsOneNodeAtATimeInListOrder) {
  Cluster c(3, kCnf);
  RestartRun r = Restart(c, Options("rolling"));
  ASSERT_TRUE(r.result) << Messages(r.diags);
  EXPECT_EQ(r.result->passes, 1);
  EXPECT_EQ(Services(c), (std::vector<std::string>{
                             "pxc1: systemctl stop mariadb", "pxc1: systemctl start mariadb",
                             "pxc2: systemctl stop mariadb", "pxc2: systemctl start mariadb",
                             "pxc3: systemctl stop mariadb", "pxc3: systemctl start mariadb"}));
  // Between a node's stop and the next node's stop, the node was waited
  // for until Synced in a cluster of 3.
  for (const char* next : {"pxc2: systemctl stop mariadb", "pxc3: systemctl stop mariadb"}) {
    auto stop = std::find(c.log.begin(), c.log.end(), next);
    ASSERT_NE(stop, c.log.end());
    auto before = std::find_if(std::make_reverse_iterator(stop), c.log.rend(), [](const auto& l) {
      return l.find("wsrep_local_state_comment") != std::string::npos;
    });
    EXPECT_NE(before, c.log.rend()) << next;
  }
}

TEST(RestartEngine, ANodeThatDoesNotStartGetsItsPreviousConfigurationBack) {
  Cluster c(3, kCnf);
  // pxc2's configuration was changed to one its mysqld refuses; the one it
  // last started with under pxc is kept as .pxc.good.
  for (const auto& n : c.nodes) n->host.PutFile(std::string(kConfig) + ".pxc.good", kCnf);
  c.nodes[1]->host.PutFile(kConfig, kBadCnf);
  RestartRun r = Restart(c, Options("rolling"));
  EXPECT_FALSE(r.result);
  const std::string m = Messages(r.diags);
  EXPECT_NE(m.find("Node Failed to Start; Configuration Rolled Back"), std::string::npos) << m;
  EXPECT_NE(m.find("unknown variable 'bad_option'"), std::string::npos) << "error log tail: " << m;
  EXPECT_EQ(m.find("THESE NODES ARE DOWN NOW"), std::string::npos) << m;
  EXPECT_EQ(c.nodes[1]->File(kConfig), kCnf) << "rolled back to .pxc.good";
  for (const auto& n : c.nodes) EXPECT_TRUE(n->running) << n->name();
  // No node after it was touched.
  for (const auto& l : c.log) EXPECT_NE(l, "pxc3: systemctl stop mariadb");
}

// Galera refuses a node started again before the others dropped its previous
// incarnation ("A node with the same UUID already exists"; seen in the
// rolling test against the lab) and removes gvwstate.dat: one more start.
TEST(RestartEngine, ANodeRefusedForItsOldUuidIsStartedOnceMore) {
  Cluster c(3, kCnf);
  c.nodes[1]->duplicate_uuid_refusals = 1;
  RestartRun r = Restart(c, Options("rolling"));
  EXPECT_TRUE(r.result) << Messages(r.diags);
  for (const auto& n : c.nodes) EXPECT_TRUE(n->running) << n->name();
  EXPECT_EQ(c.nodes[1]->duplicate_uuid_refusals, 0);
}

TEST(RestartEngine, ASecondRefusalIsAFailureWithRollback) {
  Cluster c(3, kCnf);
  for (const auto& n : c.nodes) n->host.PutFile(std::string(kConfig) + ".pxc.good", kCnf);
  c.nodes[1]->duplicate_uuid_refusals = 2;
  RestartRun r = Restart(c, Options("rolling"));
  EXPECT_FALSE(r.result);
  const std::string m = Messages(r.diags);
  EXPECT_NE(m.find("Node Failed to Start"), std::string::npos) << m;
  EXPECT_EQ(c.nodes[1]->duplicate_uuid_refusals, 0) << "started twice, not more";
}

TEST(RestartEngine, NothingIsStoppedWhenANodeCannotBeReached) {
  Cluster c(3, kCnf);
  std::vector<RestartNode> nodes = Nodes(c);
  nodes[2].target.label = "pxc9";  // not in the cluster
  schema::ProviderContext provider;
  schema::Diagnostics diags;
  auto result = RunRestart(Options("full"), nodes, c.Connector(), provider, diags);
  EXPECT_FALSE(result);
  EXPECT_NE(Messages(diags).find("Cannot Connect (No Node Was Stopped)"), std::string::npos)
      << Messages(diags);
  EXPECT_TRUE(Services(c).empty());
}

}  // namespace
}  // namespace pxc::resources
