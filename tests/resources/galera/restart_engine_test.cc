// resources/galera/restart_engine.h against a cluster in memory
// (fake_galera.h): the node bootstrapped from grastate.dat, the order of a
// rolling restart, the rollback of a node that does not start with its
// new configuration, and a new node (never a member, no grastate.dat) added
// to the node list. No mariadbd needed; the end-to-end tests run the same
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

bool AnyStop(const Cluster& c) {
  return std::any_of(c.log.begin(), c.log.end(),
                     [](const std::string& l) { return l.find(" stop ") != std::string::npos; });
}

const schema::Diagnostic* Find(const schema::Diagnostics& d, const std::string& summary) {
  for (const auto& x : d.items()) {
    if (x.summary.find(summary) != std::string::npos) return &x;
  }
  return nullptr;
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
  EXPECT_NE(m.find("no other node was restarted after it"), std::string::npos) << m;
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

// Issue 18: a fourth entry in the node map. The new node has its my.cnf and
// datadir but no grastate.dat and no running mysqld; before, `full` stopped
// every node and then failed on its missing grastate.dat with the whole
// cluster down.
TEST(RestartEngine, FullStartsANewNodeLastSoItJoinsByStateTransfer) {
  Cluster c(3, kCnf, {10, 12, 11});
  c.AddNewNode(kCnf);
  RestartRun r = Restart(c, Options("full"));
  ASSERT_TRUE(r.result) << Messages(r.diags);
  EXPECT_FALSE(r.diags.HasError()) << Messages(r.diags);
  // Chosen among the three members by seqno, never the new node.
  EXPECT_EQ(r.result->bootstrap_node, "pxc2");
  EXPECT_EQ(r.result->cluster_size, 4);
  EXPECT_EQ(Services(c), (std::vector<std::string>{
                             // Stopping a node that does not run is harmless.
                             "pxc4: systemctl stop mariadb", "pxc3: systemctl stop mariadb",
                             "pxc2: systemctl stop mariadb", "pxc1: systemctl stop mariadb",
                             "pxc2: galera_new_cluster", "pxc1: systemctl start mariadb",
                             "pxc3: systemctl start mariadb",
                             // Last, once the members run again.
                             "pxc4: systemctl start mariadb"}));
  EXPECT_TRUE(c.nodes[3]->joined_by_sst);
  EXPECT_FALSE(c.nodes[3]->bootstrapped);
  // It was waited for until Synced in a cluster of 4.
  auto start = std::find(c.log.begin(), c.log.end(), "pxc4: systemctl start mariadb");
  EXPECT_TRUE(std::any_of(start, c.log.end(), [](const std::string& l) {
    return l.rfind("pxc4: mariadb ", 0) == 0 && l.find("wsrep_local_state_comment") != l.npos;
  }));
  const schema::Diagnostic* w = Find(r.diags, "New Node");
  ASSERT_NE(w, nullptr) << Messages(r.diags);
  EXPECT_EQ(w->severity, schema::Severity::kWarning);
  EXPECT_NE(w->detail.find("pxc4"), std::string::npos) << w->detail;
  EXPECT_NE(w->detail.find("SST"), std::string::npos) << w->detail;
  EXPECT_EQ(Messages(r.diags).find("DOWN"), std::string::npos) << Messages(r.diags);
  for (const auto& n : c.nodes) EXPECT_TRUE(n->running) << n->name();
  EXPECT_EQ(c.nodes[3]->File(std::string(kConfig) + ".pxc.good"), kCnf);
}

// Terraform lists a node map's entries by key: the new node may come first,
// where `full` would otherwise prefer it among equals.
TEST(RestartEngine, FullNeverBootstrapsANewNodeListedFirst) {
  Cluster c(3, kCnf);
  c.AddNewNode(kCnf);
  std::vector<RestartNode> nodes = Nodes(c);
  std::rotate(nodes.begin(), nodes.begin() + 3, nodes.end());  // pxc4, pxc1, pxc2, pxc3
  schema::ProviderContext provider;
  schema::Diagnostics diags;
  auto result = RunRestart(Options("full"), nodes, c.Connector(), provider, diags);
  ASSERT_TRUE(result) << Messages(diags);
  EXPECT_EQ(result->bootstrap_node, "pxc1");
  EXPECT_EQ(result->cluster_size, 4);
  EXPECT_FALSE(c.nodes[3]->bootstrapped);
  EXPECT_TRUE(c.nodes[3]->joined_by_sst);
  EXPECT_EQ(Services(c).back(), "pxc4: systemctl start mariadb");
}

// A running Galera node always has grastate.dat: a running member without
// one at node.datadir means the datadir is wrong. Before, every node was
// stopped first and the whole cluster left down.
TEST(RestartEngine, FullRefusesARunningMemberWithoutGrastateBeforeStoppingAnything) {
  Cluster c(3, kCnf);
  std::vector<RestartNode> nodes = Nodes(c);
  nodes[1].datadir = "/var/lib/mysql-data";  // not where pxc2 keeps its data
  schema::ProviderContext provider;
  schema::Diagnostics diags;
  auto result = RunRestart(Options("full"), nodes, c.Connector(), provider, diags);
  EXPECT_FALSE(result);
  const schema::Diagnostic* e = Find(diags, "No Node Was Stopped");
  ASSERT_NE(e, nullptr) << Messages(diags);
  EXPECT_EQ(e->severity, schema::Severity::kError);
  ASSERT_TRUE(e->path);
  EXPECT_EQ(e->path->ToString(), "node[1].datadir");
  EXPECT_NE(e->detail.find("pxc2"), std::string::npos) << e->detail;
  EXPECT_NE(e->detail.find("/var/lib/mysql-data/grastate.dat"), std::string::npos) << e->detail;
  EXPECT_NE(e->detail.find("datadir"), std::string::npos) << e->detail;
  EXPECT_FALSE(AnyStop(c)) << Messages(diags);
  EXPECT_EQ(Messages(diags).find("DOWN"), std::string::npos) << Messages(diags);
  for (const auto& n : c.nodes) EXPECT_TRUE(n->running) << n->name();
}

// A node that does not run and has no grastate.dat is taken for a new node
// only when its datadir exists: none at all is a wrong node.datadir.
TEST(RestartEngine, FullRefusesANodeWhoseDatadirDoesNotExistBeforeStoppingAnything) {
  Cluster c(3, kCnf);
  c.nodes[2]->running = false;
  std::vector<RestartNode> nodes = Nodes(c);
  nodes[2].datadir = "/srv/mysql";  // no such directory
  schema::ProviderContext provider;
  schema::Diagnostics diags;
  auto result = RunRestart(Options("full"), nodes, c.Connector(), provider, diags);
  EXPECT_FALSE(result);
  const schema::Diagnostic* e = Find(diags, "No Datadir (No Node Was Stopped)");
  ASSERT_NE(e, nullptr) << Messages(diags);
  ASSERT_TRUE(e->path);
  EXPECT_EQ(e->path->ToString(), "node[2].datadir");
  EXPECT_NE(e->detail.find("/srv/mysql"), std::string::npos) << e->detail;
  EXPECT_FALSE(AnyStop(c)) << Messages(diags);
  EXPECT_TRUE(c.nodes[0]->running);
  EXPECT_TRUE(c.nodes[1]->running);
}

TEST(RestartEngine, FullRefusesWhenNoNodeHasGrastateBeforeStoppingAnything) {
  Cluster c(3, kCnf);
  for (auto& n : c.nodes) {
    n->host.Remove(kGrastate);
    n->running = false;
  }
  RestartRun r = Restart(c, Options("full"));
  EXPECT_FALSE(r.result);
  const schema::Diagnostic* e = Find(r.diags, "No Node Was Stopped");
  ASSERT_NE(e, nullptr) << Messages(r.diags);
  EXPECT_NE(e->detail.find("/var/lib/mysql/grastate.dat"), std::string::npos) << e->detail;
  EXPECT_NE(e->detail.find("node.datadir"), std::string::npos) << e->detail;
  EXPECT_FALSE(AnyStop(c)) << Messages(r.diags);
  for (const auto& l : c.log) EXPECT_EQ(l.find("galera_new_cluster"), std::string::npos) << l;
}

// With every member down, a node without grastate.dat may be a member whose
// node.datadir is wrong (and the most advanced one): not taken for a new
// node, nothing started.
TEST(RestartEngine, FullRefusesANewNodeWhileTheWholeClusterIsDown) {
  Cluster c(3, kCnf, {10, 12, 11});
  for (auto& n : c.nodes) n->running = false;
  c.AddNewNode(kCnf);
  RestartRun r = Restart(c, Options("full"));
  EXPECT_FALSE(r.result);
  const schema::Diagnostic* e = Find(r.diags, "Cluster Down While Adding a Node");
  ASSERT_NE(e, nullptr) << Messages(r.diags);
  ASSERT_TRUE(e->path);
  EXPECT_EQ(e->path->ToString(), "node");
  EXPECT_NE(e->detail.find("pxc4"), std::string::npos) << e->detail;
  EXPECT_FALSE(AnyStop(c)) << Messages(r.diags);
  for (const auto& l : c.log) EXPECT_EQ(l.find("galera_new_cluster"), std::string::npos) << l;
}

// A new node that does not start gets the rollback any node gets; the
// members keep running and nothing says the cluster is down.
TEST(RestartEngine, FullRollsBackANewNodeThatDoesNotStartAndKeepsTheOthersUp) {
  Cluster c(3, kCnf);
  fake_galera::Node& fresh = c.AddNewNode(kBadCnf);
  fresh.host.PutFile(std::string(kConfig) + ".pxc.bak", kCnf);
  RestartRun r = Restart(c, Options("full"));
  EXPECT_FALSE(r.result);
  const std::string m = Messages(r.diags);
  EXPECT_NE(m.find("Node Failed to Start; Configuration Rolled Back"), std::string::npos) << m;
  EXPECT_EQ(m.find("DOWN"), std::string::npos) << m;
  EXPECT_EQ(fresh.File(kConfig), kCnf) << "rolled back to .pxc.bak";
  for (const auto& n : c.nodes) EXPECT_TRUE(n->running) << n->name();
  EXPECT_FALSE(fresh.bootstrapped);
  // full goes on after a rollback; the message must not say otherwise.
  EXPECT_EQ(m.find("no other node was restarted after it"), std::string::npos) << m;
}

TEST(RestartEngine, FullSaysANewNodeWithNothingToRollBackToIsNotRunning) {
  Cluster c(3, kCnf);
  c.AddNewNode(kBadCnf);
  RestartRun r = Restart(c, Options("full"));
  EXPECT_FALSE(r.result);
  const std::string m = Messages(r.diags);
  EXPECT_NE(m.find("Node Failed to Start"), std::string::npos) << m;
  const schema::Diagnostic* e = Find(r.diags, "New Node Not Started");
  ASSERT_NE(e, nullptr) << m;
  EXPECT_NE(e->detail.find("pxc1, pxc2, pxc3"), std::string::npos) << e->detail;
  // The members run; only the new node does not, which never ran in it.
  EXPECT_EQ(m.find("THESE NODES ARE DOWN NOW"), std::string::npos) << m;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(c.nodes[i]->running) << c.nodes[i]->name();
  EXPECT_FALSE(c.nodes[3]->running);
}

// The bootstrap node refuses the new configuration: the members go back to
// their previous one and run as before; the new node, never part of that
// configuration, is not started, and its file is left as it is.
TEST(RestartEngine, FullDoesNotStartANewNodeAfterTheBootstrapWasRolledBack) {
  Cluster c(3, kBadCnf);
  for (const auto& n : c.nodes) n->host.PutFile(std::string(kConfig) + ".pxc.good", kCnf);
  fake_galera::Node& fresh = c.AddNewNode(kCnf);
  fresh.host.PutFile(std::string(kConfig) + ".pxc.bak", "[mysqld]\n");
  RestartRun r = Restart(c, Options("full"));
  EXPECT_FALSE(r.result);
  const std::string m = Messages(r.diags);
  EXPECT_NE(m.find("Node Failed to Start; Configuration Rolled Back"), std::string::npos) << m;
  const schema::Diagnostic* e = Find(r.diags, "New Node Not Started");
  ASSERT_NE(e, nullptr) << m;
  EXPECT_NE(e->detail.find("pxc1, pxc2, pxc3"), std::string::npos) << e->detail;
  EXPECT_EQ(m.find("DOWN"), std::string::npos) << m;
  EXPECT_NE(m.find("got their previous configurations back too"), std::string::npos) << m;
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(c.nodes[i]->running) << c.nodes[i]->name();
    EXPECT_EQ(c.nodes[i]->File(kConfig), kCnf) << c.nodes[i]->name();
  }
  EXPECT_FALSE(fresh.running);
  EXPECT_EQ(fresh.File(kConfig), kCnf);
  for (const auto& l : c.log) EXPECT_NE(l, "pxc4: systemctl start mariadb");
}

// `rolling` starts a node that does not answer first; a new node joins by
// state transfer there, and the pass then restarts every node, it too.
TEST(RestartEngine, RollingStartsANewNodeFirstThenRestartsEveryNode) {
  Cluster c(3, kCnf);
  c.AddNewNode(kCnf);
  RestartRun r = Restart(c, Options("rolling"));
  ASSERT_TRUE(r.result) << Messages(r.diags);
  EXPECT_FALSE(r.diags.HasError()) << Messages(r.diags);
  EXPECT_EQ(r.result->cluster_size, 4);
  EXPECT_EQ(Services(c), (std::vector<std::string>{
                             "pxc4: systemctl start mariadb", "pxc1: systemctl stop mariadb",
                             "pxc1: systemctl start mariadb", "pxc2: systemctl stop mariadb",
                             "pxc2: systemctl start mariadb", "pxc3: systemctl stop mariadb",
                             "pxc3: systemctl start mariadb", "pxc4: systemctl stop mariadb",
                             "pxc4: systemctl start mariadb"}));
  EXPECT_TRUE(c.nodes[3]->joined_by_sst);
  const std::string m = Messages(r.diags);
  EXPECT_NE(m.find("pxc4"), std::string::npos) << m;
  EXPECT_NE(m.find("SST"), std::string::npos) << m;
  for (const auto& n : c.nodes) EXPECT_TRUE(n->running) << n->name();
}

// `reload` only re-reads certificates in running nodes: one that does not
// answer (a new node, say) is refused before any node is reloaded.
TEST(RestartEngine, ReloadRefusesANodeThatDoesNotAnswerBeforeReloadingAny) {
  Cluster c(3, kCnf);
  c.AddNewNode(kCnf);
  RestartRun r = Restart(c, Options("reload"));
  EXPECT_FALSE(r.result);
  ASSERT_FALSE(r.diags.items().empty());
  const schema::Diagnostic& e = r.diags.items().front();
  EXPECT_NE(e.summary.find("Nothing Was Reloaded"), std::string::npos) << e.summary;
  EXPECT_NE(e.detail.find("pxc4"), std::string::npos) << e.detail;
  EXPECT_NE(e.detail.find("Nothing was reloaded"), std::string::npos) << e.detail;
  EXPECT_NE(e.detail.find("\"rolling\""), std::string::npos) << e.detail;
  ASSERT_TRUE(e.path);
  EXPECT_EQ(e.path->ToString(), "node[3].host");
  for (const auto& l : c.log) EXPECT_EQ(l.find("FLUSH SSL"), std::string::npos) << l;
  EXPECT_FALSE(AnyStop(c));
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
