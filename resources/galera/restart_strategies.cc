// The strategies of resources/galera/restart_engine.h: full (bootstrap the
// most advanced node from grastate.dat), rolling (node by node, two passes
// with socket.dynamic when Galera TLS is switched) and reload (certificates
// re-read without a restart).
#include <algorithm>
#include <chrono>
#include <optional>
#include <sstream>
#include <thread>

#include "resources/galera/galera_tls.h"
#include "resources/galera/grastate.h"
#include "resources/galera/mycnf.h"
#include "resources/galera/restart_engine_internal.h"
#include "schema/text.h"

namespace pxc::resources::restart_internal {

using schema::AttributePath;

void Restarter::Rolling() {
  const int64_t size = static_cast<int64_t>(nodes_.size());
  // A node whose mysqld does not answer (e.g. an earlier run was killed
  // between its stop and its start) is started first, as long as the others
  // still form a cluster it can join.
  std::vector<Node*> not_answering;
  for (auto& n : nodes_) {
    if (!QueryStatus(n).ok()) not_answering.push_back(&n);
  }
  if (!not_answering.empty() && not_answering.size() == nodes_.size()) {
    return diags_.AddError(
        "No Node Answers (No Node Was Stopped)",
        "mysqld answers on none of the nodes, so there is no running cluster to restart node by "
        "node. Use strategy \"full\", which bootstraps the most advanced node.",
        AttributePath::Root("strategy"));
  }
  std::vector<const Node*> joined;
  for (Node* n : not_answering) {
    // A node without grastate.dat has never been a member (e.g. it was just
    // added to the node list): it joins by a full state transfer.
    auto state = n->session->ReadFile(n->datadir + "/grastate.dat");
    const bool fresh = state.ok() && !state->has_value();
    if (!fresh) {
      diags_.AddWarning("Node Was Down",
                        n->name +
                            " did not answer before the rolling restart; pxc started it "
                            "(with the configuration in its file) before going on.");
    }
    if (Status st = StartAndWait(*n, false, 1); !st.ok()) {
      // pxc did not take it down, and stopped no node: the cluster runs on.
      std::string detail = st.message();
      detail += ". ";
      detail += n->name;
      detail += fresh ? " (new: no grastate.dat, never a member)" : "";
      detail +=
          " did not answer before the rolling restart and does not run in the cluster now; no "
          "other node was stopped. Fix the cause and apply again.";
      return diags_.AddError("Cannot Start a Node That Was Down (No Node Was Stopped)", detail);
    }
    if (fresh) joined.push_back(n);
  }
  WarnNewNodesJoined(joined, "first, before the rolling restart of every node");
  for (auto& n : nodes_) {
    if (Status st = WaitSynced(n, size); !st.ok()) {
      return Fail(st, "Cluster Not Healthy Before the Rolling Restart (No Node Was Stopped)");
    }
    auto ver = Sql(n, "SELECT VERSION()");
    if (ver.ok()) n.mariadb = ver->find("MariaDB") != std::string::npos;
  }
  // Is Galera TLS being switched on (or off)? Then peers with and without
  // TLS must talk during the restart: pass 1 with socket.dynamic=yes, pass 2
  // without it (with socket.dynamic left on, traffic stays plaintext).
  bool transition = false;
  bool user_dynamic = false;
  std::vector<std::optional<std::string>> dynamic_text(nodes_.size());
  for (size_t i = 0; i < nodes_.size(); ++i) {
    Node& n = nodes_[i];
    auto running = Sql(n, "SELECT @@wsrep_provider_options");
    if (!running.ok()) {
      return Fail(running.status(), "Cannot Read wsrep_provider_options (No Node Was Stopped)");
    }
    auto doc = Document::Parse(n.config_text);
    if (!doc.ok()) return Fail(doc.status(), "Cannot Parse " + n.config_file);
    ProviderOptions configured =
        ParseProviderOptions(doc->Get("mysqld", kProviderOptions).value_or(""));
    if (Truthy(GetProviderOption(configured, "socket.dynamic"))) user_dynamic = true;
    // Galera reports the options it runs with, including the socket.ssl_*
    // that PXC 8.0 derives from ssl-* when pxc-encrypt-cluster-traffic is
    // ON; the configuration is read the way the flavor reads it.
    if (ConfiguredGaleraTls(flavor_, *doc) !=
        GaleraTlsEnabled(ParseProviderOptions(Trim(*running)))) {
      transition = true;
    }
    auto with = WithSocketDynamic(n.config_text, true);
    if (!with.ok())
      return Fail(with.status().WithContext(n.config_file), "Cannot Prepare the Restart");
    dynamic_text[i] = *with;
  }
  if (transition && user_dynamic) {
    diags_.AddWarning(
        "socket.dynamic Left On",
        "wsrep_provider_options sets socket.dynamic=yes, so this restart switches Galera TLS in "
        "one pass; while socket.dynamic stays on, Galera keeps accepting plaintext peers.");
    transition = false;
  }
  passes = transition ? 2 : 1;
  if (transition) {
    for (size_t i = 0; i < nodes_.size(); ++i) {
      Node& n = nodes_[i];
      Progress(n, "pass1", "pass 1 of 2: TLS with socket.dynamic=yes");
      // The marker says the socket.dynamic is pxc's, should pass 2 never run.
      if (Status st = n.session->WriteFileAtomic(n.config_file + kDynamicMarkerSuffix,
                                                 "socket.dynamic=yes in " + n.config_file +
                                                     " was added by pxc_cluster_restart (rolling "
                                                     "pass 1) and is removed by its pass 2\n",
                                                 0600, "", "");
          !st.ok()) {
        return Fail(st, "Cannot Prepare the Restart");
      }
      // Pass 1 failed: every node goes back to its previous file (the ones
      // already restarted run socket.dynamic and get on with both).
      std::vector<Node*> all;
      for (auto& o : nodes_) all.push_back(&o);
      if (!RestartOne(n, dynamic_text[i], n.previous_config, n.previous_source, all)) return;
    }
    for (size_t i = 0; i < nodes_.size(); ++i) {
      Node& n = nodes_[i];
      Progress(n, "pass2", "pass 2 of 2: TLS only (socket.dynamic removed)");
      if (!RestartOne(n, n.config_text, dynamic_text[i], "the pass-1 configuration")) return;
    }
  } else {
    for (size_t i = 0; i < nodes_.size(); ++i) {
      Node& n = nodes_[i];
      std::optional<std::string> text;
      if (n.strip_dynamic) text = n.config_text;
      // On failure the nodes not restarted yet go back to their previous
      // files too; those restarted already run the new ones.
      std::vector<Node*> rest;
      for (size_t j = i + 1; j < nodes_.size(); ++j) rest.push_back(&nodes_[j]);
      if (!RestartOne(n, text, n.previous_config, n.previous_source, rest)) return;
    }
  }
  RecordGood();
}

bool Restarter::FindNewNodes() {
  std::vector<std::string> looked;  // "<node>: <path>" for every node, for the error
  size_t with_state = 0;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    Node& n = nodes_[i];
    const AttributePath datadir_path =
        AttributePath::Root("node").Index(static_cast<int64_t>(i)).Attr("datadir");
    const std::string path = n.datadir + "/grastate.dat";
    looked.push_back(n.name + ": " + path);
    auto text = n.session->ReadFile(path);
    if (!text.ok()) {
      diags_.AddError("Cannot Read grastate.dat (No Node Was Stopped)",
                      text.status().WithContext(n.name).message() + ".", datadir_path);
      return false;
    }
    if (text->has_value()) {
      ++with_state;
      continue;
    }
    // No grastate.dat: a new node, unless it runs as a cluster member (a
    // running Galera node always has grastate.dat in its datadir).
    auto status = QueryStatus(n);
    if (status.ok() && (status->cluster_size > 0 || !status->state.empty())) {
      diags_.AddError(
          "No grastate.dat on a Running Node (No Node Was Stopped)",
          n.name + " runs as a Galera cluster member (" + status->state + ", cluster size " +
              std::to_string(status->cluster_size) + ") but " + path +
              " does not exist, and a running Galera node always has grastate.dat in its "
              "datadir: " +
              n.datadir + " is probably not " + n.name +
              "'s datadir. Set node.datadir (or datadir under [mysqld] in " + n.config_file +
              ") to the directory the node uses (SELECT @@datadir on the node) and apply "
              "again. Nothing was stopped.",
          datadir_path);
      return false;
    }
    // A new node has its datadir (pxc_node_tls_config wrote its my.cnf, the
    // package made the directory); none at all is a wrong node.datadir.
    auto dir = n.session->Stat(n.datadir);
    if (!dir.ok() || !dir->has_value() || (*dir)->type != FileType::kDirectory) {
      std::string detail = !dir.ok() ? dir.status().WithContext(n.name).message()
                                     : n.name + ": " + n.datadir + " is not a directory";
      detail +=
          ". The node has no grastate.dat there and does not run, so it would be taken for a "
          "new node, but a new node has its datadir. Set node.datadir (or datadir under "
          "[mysqld] in ";
      detail += n.config_file;
      detail += ") to the directory the node uses and apply again. Nothing was stopped.";
      diags_.AddError("No Datadir (No Node Was Stopped)", detail, datadir_path);
      return false;
    }
    n.new_node = true;
    n.new_node_was_running = status.ok();
  }
  if (with_state == 0) {
    std::string detail = "None of the nodes has grastate.dat in its datadir (";
    detail += Join(looked, ", ");
    detail +=
        "), so there is no node whose data the cluster can be bootstrapped from. If the nodes "
        "keep their data elsewhere, set node.datadir; a cluster that has never run must be "
        "bootstrapped by hand first. Nothing was stopped.";
    diags_.AddError("No Node Has grastate.dat (No Node Was Stopped)", detail,
                    AttributePath::Root("node"));
    return false;
  }
  // A node without grastate.dat is taken for a new one only while the
  // cluster runs: then a member that is down (with a node.datadir pointing
  // elsewhere) is behind the running ones anyway, and a state transfer is
  // what it would get. With every member down, such a node may be the most
  // advanced one, and joining it by SST would lose its last transactions.
  std::vector<std::string> fresh;
  for (const auto& n : nodes_) {
    if (n.new_node) fresh.push_back(n.name);
  }
  if (fresh.empty()) return true;
  for (auto& n : nodes_) {
    if (n.new_node) continue;
    auto status = QueryStatus(n);
    if (status.ok() && status->cluster_size > 0) return true;
  }
  std::string detail = Join(fresh, ", ");
  detail +=
      " has no grastate.dat and does not run, which makes it a new node only if the cluster "
      "runs; but no node with grastate.dat answers as a cluster member. With the whole cluster "
      "down, pxc cannot tell a new node from a member whose node.datadir is wrong, and starting "
      "such a member by state transfer could lose its last transactions. Start the cluster "
      "first (bootstrap the most advanced node), or set node.datadir, and apply again. Nothing "
      "was stopped.";
  diags_.AddError("Cluster Down While Adding a Node (No Node Was Stopped)", detail,
                  AttributePath::Root("node"));
  return false;
}

void Restarter::WarnNewNodesJoined(const std::vector<const Node*>& joined,
                                   const std::string& when) {
  if (joined.empty()) return;
  const bool one = joined.size() == 1;
  std::vector<std::string> names, paths;
  for (const Node* n : joined) {
    names.push_back(n->name);
    paths.push_back(n->datadir + "/grastate.dat");
  }
  std::string detail = Join(names, ", ");
  detail += " had no grastate.dat (";
  detail += Join(paths, ", ");
  detail += one ? ") and was" : ") and were";
  detail += " not running in the cluster, so pxc took ";
  detail += one ? "it for a new node" : "them for new nodes";
  detail += ": never chosen to bootstrap from, started ";
  detail += when;
  detail += one ? ". It" : ". Each";
  detail +=
      " joined by a full state transfer (SST) from the cluster, which replaced whatever data "
      "its datadir held. If a node was in fact a member whose data is elsewhere, set its "
      "node.datadir.";
  diags_.AddWarning(
      one ? "New Node Joined by Full State Transfer" : "New Nodes Joined by Full State Transfer",
      detail);
}

void Restarter::Full() {
  full_ = true;
  // Before anything is stopped: every node's grastate.dat, and which nodes
  // have never been members.
  if (!FindNewNodes()) return;
  // New nodes first: they hold none of the cluster's data (one may run
  // outside the cluster; it must not when it joins).
  for (auto& n : nodes_) {
    if (!n.new_node) continue;
    Progress(n, "stop", "stopping (a new node: no grastate.dat)");
    if (Status st = Stop(n); !st.ok()) {
      return Fail(st, "Stop Failed (No Cluster Member Was Stopped)");
    }
    if (n.new_node_was_running) down_.push_back(n.name);
  }
  // Then the members in reverse order: the preferred bootstrap node stops
  // last.
  for (size_t i = nodes_.size(); i-- > 0;) {
    if (nodes_[i].new_node) continue;
    Progress(nodes_[i], "stop", "stopping");
    if (Status st = Stop(nodes_[i]); !st.ok()) return Fail(st, "Stop Failed");
    down_.push_back(nodes_[i].name);
  }
  for (auto& n : nodes_) {
    if (!n.strip_dynamic) continue;
    if (Status st = WriteConfig(n, n.config_text); !st.ok()) {
      return Fail(st, "Cannot Write the Configuration");
    }
  }
  // The most advanced member from grastate.dat (new nodes have none).
  std::vector<Node*> members;
  std::vector<std::string> names;
  std::vector<GraState> states;
  for (auto& n : nodes_) {
    if (n.new_node) continue;
    auto text = n.session->ReadFile(n.datadir + "/grastate.dat");
    if (!text.ok() || !text->has_value()) {
      return Fail(text.ok() ? NotFoundError(n.name + ": " + n.datadir +
                                            "/grastate.dat not found; set node.datadir")
                            : text.status(),
                  "Cannot Read grastate.dat");
    }
    members.push_back(&n);
    names.push_back(n.name);
    states.push_back(ParseGraState(**text));
  }
  auto choice = ChooseBootstrapNode(names, states);
  if (!choice.ok()) return Fail(choice.status(), "Cannot Choose a Node to Bootstrap");
  Node& boot = *members[choice->index];
  bootstrap_name = boot.name;
  if (choice->needs_safe_flag) {
    diags_.AddWarning("safe_to_bootstrap Set",
                      boot.name + " is the most advanced node (seqno " +
                          std::to_string(states[choice->index].seqno) +
                          ") but its grastate.dat said safe_to_bootstrap: 0; pxc set it to 1 "
                          "before bootstrapping.");
    if (Status st = MarkSafeToBootstrap(boot); !st.ok()) {
      return Fail(st, "Cannot Mark the Bootstrap Node");
    }
  }
  // Bootstrap. If the new configuration keeps it from starting, every member
  // goes back to its previous configuration (they must agree on TLS) and
  // the cluster is started again as it was, without the new nodes.
  bool rolled_back = false;
  if (Status st = StartAndWait(boot, true, 1); !st.ok()) {
    for (Node* n : members) {
      if (n == &boot || !n->previous_config || !boot.previous_config) continue;
      if (Status w = WriteConfig(*n, *n->previous_config); !w.ok()) {
        return Fail(w, "Cannot Roll Back " + n->name);
      }
    }
    (void)MarkSafeToBootstrap(boot);
    if (!RollBack(boot, st, boot.previous_config, boot.previous_source, true, 1)) return;
    rolled_back = true;
  }
  std::erase(down_, boot.name);
  // The other members one at a time, then the new nodes, which join by state
  // transfer from them; one that fails gets its previous configuration back
  // and the rest are still started.
  int64_t size = 1;
  bool failed = false;
  std::vector<const Node*> joined;
  std::vector<const Node*> not_started;
  for (bool fresh : {false, true}) {
    for (auto& n : nodes_) {
      if (&n == &boot || n.new_node != fresh) continue;
      if (fresh && rolled_back) {
        not_started.push_back(&n);
        continue;
      }
      Status st = StartAndWait(n, false, size + 1);
      if (st.ok()) {
        std::erase(down_, n.name);
      } else if (rolled_back) {
        failed = true;
        Fail(st, "Node Did Not Join After the Rollback");
        continue;
      } else {
        failed = true;
        if (!RollBack(n, st, n.previous_config, n.previous_source, false, size + 1)) {
          if (fresh) not_started.push_back(&n);
          continue;
        }
      }
      if (fresh) joined.push_back(&n);
      ++size;
    }
  }
  WarnNewNodesJoined(joined, "after the other nodes had joined");
  if (!not_started.empty()) {
    std::vector<std::string> names_down, running;
    for (const Node* n : not_started) names_down.push_back(n->name);
    for (const auto& n : nodes_) {
      if (std::find(not_started.begin(), not_started.end(), &n) != not_started.end() ||
          std::find(down_.begin(), down_.end(), n.name) != down_.end()) {
        continue;
      }
      running.push_back(n.name);
    }
    const bool one = not_started.size() == 1;
    std::string detail = Join(names_down, ", ");
    detail += " (new: no grastate.dat) ";
    if (rolled_back) {
      detail += one ? "was" : "were";
      detail += " not started, since the cluster went back to its previous configuration";
    } else {
      detail += "did not start";
    }
    detail += " (see the error above) and ";
    detail += one ? "is" : "are";
    detail += " not running; ";
    detail += one ? "it has" : "they have";
    detail += " never been a member. The cluster runs on ";
    detail += running.empty() ? std::string("no node") : Join(running, ", ");
    detail += ". Fix the cause and apply again: a new node then joins by state transfer.";
    diags_.AddError(one ? "New Node Not Started" : "New Nodes Not Started", detail);
  }
  if (failed || !not_started.empty()) return;
  LeaveBootstrapUnit();
  if (!rolled_back && !diags_.HasError()) RecordGood();
}

void Restarter::LeaveBootstrapUnit() {
  if (cmd_.bootstrap_stop.empty()) return;
  const int64_t size = static_cast<int64_t>(nodes_.size());
  for (auto& n : nodes_) {
    if (!n.under_bootstrap_unit) continue;
    if (nodes_.size() == 1) {
      diags_.AddWarning("Node Left Under mysql@bootstrap.service",
                        n.name +
                            " is the only node: stopping it to start it under "
                            "mysql.service would leave no cluster to join, so it keeps "
                            "running under mysql@bootstrap.service.");
      continue;
    }
    Drain(n);
    Progress(n, "unit", "moving from mysql@bootstrap.service to mysql.service");
    if (Status st = Stop(n); !st.ok()) {
      if (drain_) (void)Sql(n, "SET GLOBAL wsrep_desync=OFF");
      return Fail(st, "Cannot Stop mysql@bootstrap.service");
    }
    down_.push_back(n.name);
    if (Status st = StartAndWait(n, false, size); !st.ok()) {
      return Fail(st, "Node Did Not Rejoin Under mysql.service");
    }
    std::erase(down_, n.name);
  }
}

void Restarter::Reload() {
  // Certificates and keys are re-read at the same paths: refuse (before
  // touching anything) when a path changed, which needs a restart.
  for (size_t i = 0; i < nodes_.size(); ++i) {
    Node& n = nodes_[i];
    auto ver = Sql(n, "SELECT VERSION()");
    if (!ver.ok()) {
      // A node that is down, or new in the node list (never started).
      std::string detail = ver.status().message();
      detail += ". \"reload\" re-reads the certificates of running nodes only, and ";
      detail += n.name;
      detail +=
          " does not answer. Nothing was reloaded, on any node. Start it first, or use strategy "
          "\"rolling\" (which starts a node that does not answer, a new one by state transfer) "
          "or \"full\".";
      return diags_.AddError(
          "Cannot Query " + n.name + " (Nothing Was Reloaded)", detail,
          AttributePath::Root("node").Index(static_cast<int64_t>(i)).Attr("host"));
    }
    n.version = Trim(*ver);
    n.mariadb = n.version.find("MariaDB") != std::string::npos;
    if (!n.mariadb && n.version.rfind("5.", 0) == 0) {
      return diags_.AddError(
          "Reload Not Supported",
          n.name + " runs " + n.version +
              ", which cannot reload its TLS certificate at runtime (MySQL 5.7 has no ALTER "
              "INSTANCE RELOAD TLS). Use strategy \"rolling\". Nothing was reloaded.",
          AttributePath::Root("strategy"));
    }
    auto running = Sql(n, "SELECT @@wsrep_provider_options");
    // Batch output: the three values separated by tabs, NULL as "NULL".
    auto vars = Sql(n, "SELECT @@ssl_cert, @@ssl_key, @@ssl_ca");
    auto doc = Document::Parse(n.config_text);
    if (!running.ok() || !vars.ok() || !doc.ok()) {
      return Fail(!running.ok() ? running.status()
                  : !vars.ok()  ? vars.status()
                                : doc.status(),
                  "Cannot Compare the Running Configuration (Nothing Was Reloaded)");
    }
    ProviderOptions run_opts = ParseProviderOptions(Trim(*running));
    // For pxc80 the configured Galera files are [mysqld] ssl-*, which PXC
    // passes to Galera as socket.ssl_* (see ConfiguredGaleraTlsFiles).
    const GaleraTlsFiles cnf = ConfiguredGaleraTlsFiles(flavor_, *doc);
    std::vector<std::string> diffs;
    const std::pair<const char*, const std::string*> galera[] = {
        {"socket.ssl_cert", &cnf.cert}, {"socket.ssl_key", &cnf.key}, {"socket.ssl_ca", &cnf.ca}};
    for (const auto& [o, configured] : galera) {
      std::string a = GetProviderOption(run_opts, o).value_or("");
      const std::string& b = *configured;
      if (a != b) diffs.push_back(std::string(o) + " runs \"" + a + "\", configured \"" + b + "\"");
    }
    std::istringstream in(*vars);
    std::string running_vars[3];
    for (auto& v : running_vars) std::getline(in, v, '\t');
    const char* keys[3] = {"ssl_cert", "ssl_key", "ssl_ca"};
    for (int k = 0; k < 3; ++k) {
      std::string a = Trim(running_vars[k]);
      if (a == "NULL") a.clear();
      std::string b = doc->Get("mysqld", keys[k]).value_or("");
      if (a != b) {
        diffs.push_back(std::string(keys[k]) + " runs \"" + a + "\", configured \"" + b + "\"");
      }
    }
    if (!diffs.empty()) {
      std::string d;
      for (const auto& x : diffs) d += "\n  - " + x;
      return diags_.AddError(
          "Restart Needed, Not a Reload",
          n.name +
              " runs with other certificate paths or TLS settings than its configuration:" + d +
              "\nA reload only re-reads files at the paths in use; use strategy \"rolling\" (or "
              "\"full\") for this change. Nothing was reloaded.",
          AttributePath::Root("strategy"));
    }
  }
  for (auto& n : nodes_) {
    Progress(n, "reload", "reloading TLS certificates");
    const std::string sql = n.mariadb ? "FLUSH SSL" : "ALTER INSTANCE RELOAD TLS";
    if (auto r = Sql(n, sql); !r.ok()) return Fail(r.status(), "Reload Failed");
    if (auto r = Sql(n, "SET GLOBAL wsrep_provider_options='socket.ssl_reload=1'"); !r.ok()) {
      return Fail(r.status(), "Reload Failed");
    }
    if (Status st = WaitSynced(n, static_cast<int64_t>(nodes_.size())); !st.ok()) {
      return Fail(st, "Node Not Synced After the Reload");
    }
  }
}

}  // namespace pxc::resources::restart_internal
