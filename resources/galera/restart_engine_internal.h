// The Restarter: one restart (one apply of pxc_cluster_restart) over the
// nodes' NodeHosts, with what is down at any moment. Shared by
// restart_engine.cc (the steps on one node, preparing, RunRestart) and
// restart_strategies.cc (full, rolling, reload). Not for other callers.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "resources/galera/restart_engine.h"

namespace pxc::resources::restart_internal {

inline constexpr char kProviderOptions[] = "wsrep_provider_options";

// `s` without surrounding spaces and line breaks.
std::string Trim(std::string s);

// A node of the restart: what it is, its host, and what was read from it.
struct Node {
  std::string name, host, datadir, config_file, error_log;
  SshTarget target;
  std::unique_ptr<NodeHost> session;
  // pxc80: mysqld runs under mysql@bootstrap.service (found before the
  // restart, or pxc bootstrapped it); it is stopped with that unit.
  bool under_bootstrap_unit = false;
  // my.cnf as found before the restart, its file attributes, and the
  // configuration to go back to if the node does not start with it.
  std::string config_text;
  SshSession::FileStat config_stat;
  std::optional<std::string> previous_config;  // from .pxc.good, else .pxc.bak
  std::string previous_source;                 // the file it came from
  bool mariadb = false;
  std::string version;
  // The socket.dynamic=yes in the file is pxc's own, left by an interrupted
  // rolling pass 1 (marker file present): config_text is the file without it.
  bool strip_dynamic = false;
  // full: no grastate.dat in its datadir and not a running cluster member,
  // so never a member (e.g. just added to the node list): never bootstrapped
  // from, started after the others so that it joins by state transfer.
  bool new_node = false;
  bool new_node_was_running = false;  // its mysqld answered (outside the cluster)
};

inline constexpr char kDynamicMarkerSuffix[] = ".pxc.dynamic";

struct WsrepStatus {
  std::string state;  // wsrep_local_state_comment
  int64_t cluster_size = 0;
};

// The restart of one apply: the nodes, their sessions and what is down.
class Restarter {
 public:
  Restarter(const RestartOptions& options, std::vector<Node> nodes, NodeConnector connector,
            const schema::ProviderContext& provider, schema::Diagnostics& diags)
      : provider_(provider),
        diags_(diags),
        flavor_(options.flavor),
        connector_(std::move(connector)),
        cmd_(options.commands),
        timeout_(options.timeout),
        nodes_(std::move(nodes)),
        drain_(options.drain),
        drain_grace_(options.drain_grace),
        drain_timeout_(options.drain_timeout) {}

  // Connects to every node and reads what the strategies need. Touches
  // nothing. False (with a diagnostic) on failure.
  bool Prepare();
  // Refuses `strategy` (before anything is changed) when a node's Galera
  // lacks what it needs. Nodes that do not answer are not checked.
  bool CheckGalera(const std::string& strategy);
  void Full();
  void Rolling();
  void Reload();

  // One error naming every node that is down now, if any.
  void ReportDown();
  // wsrep_cluster_size as the first node sees it.
  StatusOr<int64_t> ClusterSize();

  std::string bootstrap_name;
  int passes = 0;

 private:
  void Progress(const Node& n, const std::string& step, const std::string& message) {
    provider_.Progress("pxc_cluster_restart: " + n.name + ": " + message,
                       {{"node", n.name}, {"step", step}});
  }
  // full, before anything is stopped: reads where every node keeps
  // grastate.dat and marks the new nodes (Node::new_node). False (with an
  // error) when a running member has none there (its datadir is wrong) or
  // no node has one (nothing to bootstrap from).
  bool FindNewNodes();
  // The warning that names the new nodes that joined by state transfer,
  // started `when` ("after the other nodes had joined").
  void WarnNewNodesJoined(const std::vector<const Node*>& joined, const std::string& when);
  StatusOr<std::string> Sql(Node& n, const std::string& sql);
  StatusOr<WsrepStatus> QueryStatus(Node& n);
  Status WaitSynced(Node& n, int64_t size);
  Status Run(Node& n, const std::string& cmd);
  Status WriteConfig(Node& n, const std::string& text);
  // Sets safe_to_bootstrap: 1 in the node's grastate.dat.
  Status MarkSafeToBootstrap(Node& n) {
    return Run(n, "sed -i 's/^safe_to_bootstrap:.*/safe_to_bootstrap: 1/' " +
                      ShellQuote(n.datadir + "/grastate.dat"));
  }
  std::string ErrorLogTail(Node& n);
  void Drain(Node& n);
  // Starts `n` (bootstrapping when `bootstrap`) and waits until it is Synced
  // in a cluster of `size`. On failure the error log tail is appended.
  Status StartAndWait(Node& n, bool bootstrap, int64_t size);
  // After `n` failed to start with its new configuration: writes
  // `rollback_text` (when there is one), starts it again and says in one
  // diagnostic what happened. Returns true when the node is running again.
  // The nodes in `also` get their previous configuration file back too
  // (without a restart) first: a joining node and its state transfer donor
  // must agree on TLS (MariaDB's SST scripts read my.cnf at transfer time).
  bool RollBack(Node& n, const Status& failure, const std::optional<std::string>& rollback_text,
                const std::string& rollback_source, bool bootstrap, int64_t size,
                const std::vector<Node*>& also = {});
  // Restarts one node of a running cluster (rolling), writing `new_text`
  // first when given. False (with diagnostics) when it failed (see
  // RollBack for `also`).
  bool RestartOne(Node& n, const std::optional<std::string>& new_text,
                  const std::optional<std::string>& rollback_text,
                  const std::string& rollback_source, const std::vector<Node*>& also = {});
  // What happened to the other nodes after `RollBack` of one, for its
  // message: rolling stops there; full goes on starting them.
  std::string AfterRollBack(bool bootstrap) const;
  void Fail(const Status& st, const std::string& summary) {
    diags_.AddError(summary, st.message() + ".");
  }
  void RecordGood();

  // The command that stops `n`: its bootstrap unit's when it runs under it.
  const std::string& StopCommand(const Node& n) const {
    return n.under_bootstrap_unit && !cmd_.bootstrap_stop.empty() ? cmd_.bootstrap_stop : cmd_.stop;
  }
  Status Stop(Node& n) {
    Status st = Run(n, StopCommand(n));
    if (st.ok()) n.under_bootstrap_unit = false;
    return st;
  }
  // pxc80: moves every node still under mysql@bootstrap.service to the
  // normal unit, one at a time, each waited for until Synced again.
  void LeaveBootstrapUnit();

  const schema::ProviderContext& provider_;
  schema::Diagnostics& diags_;
  const std::string flavor_;
  NodeConnector connector_;
  const RestartCommands cmd_;
  const std::chrono::seconds timeout_;
  std::vector<Node> nodes_;
  std::vector<std::string> down_;
  bool full_ = false;  // Full() runs (the rollback message differs)
  const bool drain_;
  const std::chrono::seconds drain_grace_;
  const std::chrono::seconds drain_timeout_;
};

}  // namespace pxc::resources::restart_internal
