// The engine behind pxc_cluster_restart: makes configuration changes take
// effect across a Galera cluster without losing data, over each node's
// NodeHost (SSH in production, MemHost in unit tests).
//   full     checks every node's grastate.dat before stopping anything (a
//            running member without one has a wrong datadir: refused), stops
//            every node (the first listed last), bootstraps the most
//            advanced node (not blindly the first), then starts the others
//            one at a time, each waited for until Synced; a node that has
//            never been a member (no grastate.dat, not running: e.g. just
//            added) is never bootstrapped from and is started last, so it
//            joins by state transfer;
//   rolling  restarts one node at a time, keeping quorum (two passes with
//            socket.dynamic when Galera TLS is switched on or off);
//   reload   re-reads certificates at unchanged paths without a restart.
// A node that does not start with its new configuration gets its previous
// one back (<config_file>.pxc.good, else .pxc.bak) and is started again; a
// cluster is never left down without an error that names the nodes.
//
// Thread safety: RunRestart may run concurrently for different clusters;
// the NodeHosts it opens are used by its own thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "resources/remote/ssh_client.h"
#include "schema/resource.h"

namespace pxc::resources {

// The service commands of a flavor (and the client used for SQL).
struct RestartCommands {
  std::string stop, start, bootstrap, mysql;
  // pxc80 under systemd: the unit a bootstrapped node runs under, which must
  // be stopped with that unit (PXC's mysql unit refuses to start while it
  // runs); empty for the other flavors.
  std::string bootstrap_stop, bootstrap_active;
};

// pxc57: service mysql stop|start|bootstrap-pxc; pxc80: systemctl
// stop|start mysql, systemctl start mysql@bootstrap.service; mariadb:
// systemctl stop|start mariadb, galera_new_cluster.
RestartCommands DefaultRestartCommands(const std::string& flavor);

// What a restart needs to know (pxc_cluster_restart's model fills it from
// the plan; every field is set by the caller).
struct RestartOptions {
  std::string strategy;  // "full", "rolling" or "reload"
  std::string flavor;    // "pxc57", "pxc80" or "mariadb"
  RestartCommands commands;
  std::chrono::seconds timeout{0};  // each wait for a node
  bool drain = false;               // rolling: wsrep_desync before a stop
  std::chrono::seconds drain_grace{0};
  std::chrono::seconds drain_timeout{0};
};

struct RestartNode {
  std::string name, host;
  std::string datadir;      // "": from my.cnf, else /var/lib/mysql
  std::string config_file;  // the option file rolled back on failure
  std::string error_log;    // "": from my.cnf, else the journal
  SshTarget target;         // handed to the NodeConnector
};

struct RestartResult {
  std::string bootstrap_node;  // full: the node bootstrapped from
  int passes = 0;              // rolling: 1 or 2
  int64_t cluster_size = 0;    // wsrep_cluster_size at the end
};

// Runs the restart. Every node is connected and read before anything is
// stopped. nullopt after adding error diagnostics (which say what is down,
// if anything); warnings may be added either way. Progress goes to
// provider.Progress, and provider.stopping interrupts the waits.
std::optional<RestartResult> RunRestart(const RestartOptions& options,
                                        std::vector<RestartNode> nodes,
                                        const NodeConnector& connector,
                                        const schema::ProviderContext& provider,
                                        schema::Diagnostics& diags);

// wsrep_provider_version of the node's running mysqld ("26.4.23(r…)"), read
// with the client command `mysql`. kUnavailable when it does not answer.
StatusOr<std::string> QueryProviderVersion(NodeHost& host, const std::string& mysql,
                                           const std::string& name);

// Why `strategy` cannot run on a node whose Galera reports `version`;
// nullopt when it can. Galera 3 (PXC 5.7, MariaDB 10.3 and older) has
// neither socket.dynamic, which `rolling` needs while Galera TLS is switched
// node by node, nor socket.ssl_reload, which `reload` needs.
std::optional<std::string> GaleraRefusal(const std::string& strategy, const std::string& name,
                                         const std::string& version);

}  // namespace pxc::resources
