// A Galera cluster in memory for the tests of the restart engine and of
// pxc_cluster_restart: each node is a MemHost (its files: my.cnf,
// grastate.dat, what pxc writes) whose commands act like PXC/MariaDB under
// systemd or SysV: `systemctl stop mysql` does not stop a mysqld running
// under mysql@bootstrap.service and `systemctl start mysql` refuses while it
// runs; a mysqld whose my.cnf holds `bad_option` does not start; the mysql
// client answers the wsrep status queries with the cluster size the running
// nodes make. A new node (AddNewNode) has a datadir and my.cnf but has never
// been a member: no grastate.dat, not running; started into a running
// cluster, it joins by state transfer (SST) and gets a grastate.dat.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "resources/remote/mem_host.h"

namespace pxc::resources::fake_galera {

inline constexpr char kConfig[] = "/etc/mysql/my.cnf";
inline constexpr char kGrastate[] = "/var/lib/mysql/grastate.dat";

struct Node {
  explicit Node(const std::string& name) : host(name) {}
  MemHost host;
  bool running = true;
  int duplicate_uuid_refusals = 0;  // starts Galera refuses for the node's old UUID
  bool bootstrap_unit = false;      // runs under mysql@bootstrap.service
  bool bootstrapped = false;        // was started with the bootstrap command
  bool joined_by_sst = false;       // had no grastate.dat and joined a running cluster
  std::string version = "4.7(r752664d)";
  std::string running_options = "gcache.size = 32M";
  std::string running_ssl_vars = "NULL\tNULL\tNULL";
  const std::string& name() const { return host.Describe(); }
  std::string File(const std::string& path) const {
    const MemHost::Entry* e = host.Find(path);
    return e == nullptr ? "(none)" : e->content;
  }
};

class Cluster {
 public:
  // Nodes pxc1..pxc<n>, each with `cnf` and a grastate.dat of `seqnos[i]`
  // (safe_to_bootstrap on the first node only).
  Cluster(int n, const std::string& cnf, const std::vector<int64_t>& seqnos = {}) {
    for (int i = 0; i < n; ++i) {
      Node& node = Add(cnf);
      const int64_t seqno = i < static_cast<int>(seqnos.size()) ? seqnos[i] : 10;
      node.host.PutFile(
          kGrastate,
          "# GALERA saved state\nversion: 2.1\nuuid: u\nseqno: " + std::to_string(seqno) +
              "\nsafe_to_bootstrap: " + (i == 0 ? "1" : "0") + "\n",
          0660, "mysql", "mysql");
    }
  }

  // A node pxc<n+1> that has never been a member: its datadir and `cnf`, no
  // grastate.dat, mysqld not running.
  Node& AddNewNode(const std::string& cnf) {
    Node& node = Add(cnf);
    node.running = false;
    return node;
  }

  std::vector<std::unique_ptr<Node>> nodes;
  // "<node>: <command>" for every command and "<node>: write <path>" for
  // every file written, in order.
  std::vector<std::string> log;

  NodeConnector Connector() {
    std::vector<MemHost*> hosts;
    for (auto& n : nodes) hosts.push_back(&n->host);
    return MemConnector(hosts);
  }
  int64_t Running() const {
    int64_t r = 0;
    for (const auto& n : nodes) r += n->running;
    return r;
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

 private:
  Node& Add(const std::string& cnf) {
    auto node = std::make_unique<Node>("pxc" + std::to_string(nodes.size() + 1));
    node->host.PutDirectory("/etc/mysql");
    node->host.PutDirectory("/var/lib/mysql", 0750, "mysql", "mysql");
    node->host.PutFile(kConfig, cnf);
    Node* raw = node.get();
    node->host.OnCommand(
        [this, raw](const std::string& cmd, std::string_view) { return Run(*raw, cmd); });
    // Writes go into the log too (a test may replace this with a fault).
    node->host.FailWrites([this, raw](const std::string& path) -> std::optional<Status> {
      log.push_back(raw->name() + ": write " + path);
      return std::nullopt;
    });
    nodes.push_back(std::move(node));
    return *raw;
  }

  // A node without grastate.dat started: bootstrapped, it founds a cluster
  // of its own (another uuid); joining, it receives a full state transfer
  // from a running member and with it that member's grastate.dat.
  void ReceiveState(Node& n, bool bootstrap) {
    if (n.host.Find(kGrastate) != nullptr) return;
    std::string state = "# GALERA saved state\nversion: 2.1\nuuid: other\nseqno: 0\n";
    if (!bootstrap) {
      for (const auto& d : nodes) {
        if (d.get() != &n && d->running) {
          state = d->File(kGrastate);
          break;
        }
      }
      n.joined_by_sst = true;
    }
    const size_t at = state.find("safe_to_bootstrap: ");
    if (at != std::string::npos) state.erase(at, state.find('\n', at) + 1 - at);
    n.host.PutFile(kGrastate, state + "safe_to_bootstrap: 0\n", 0660, "mysql", "mysql");
  }

  std::optional<ExecResult> Run(Node& n, const std::string& cmd) {
    log.push_back(n.name() + ": " + cmd);
    ExecResult r;
    r.exit_status = 0;
    auto is = [&](const char* s) { return cmd == s; };
    const bool start =
        is("systemctl start mysql") || is("service mysql start") || is("systemctl start mariadb");
    const bool bootstrap = is("systemctl start mysql@bootstrap.service") ||
                           is("service mysql bootstrap-pxc") || is("galera_new_cluster");
    if (cmd.rfind("mysql ", 0) == 0 || cmd.rfind("mariadb ", 0) == 0) {
      if (!n.running) {
        r.exit_status = 1;
        r.stderr_text = "ERROR 2002 (HY000): Can't connect to local MySQL server";
      } else if (cmd.find("wsrep_provider_version") != std::string::npos) {
        r.stdout_text = "wsrep_provider_version\t" + n.version + "\n";
      } else if (cmd.find("wsrep_local_state_comment") != std::string::npos) {
        r.stdout_text = "wsrep_cluster_size\t" + std::to_string(Running()) +
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
    } else if (is("systemctl stop mysql") || is("service mysql stop") ||
               is("systemctl stop mariadb")) {
      if (!n.bootstrap_unit) n.running = false;  // the mysql unit is not the one running
    } else if (start || bootstrap) {
      if (n.running && n.bootstrap_unit && start) {
        r.exit_status = 1;
        r.stderr_text = "mysql@bootstrap.service is running";
      } else if (start && n.duplicate_uuid_refusals > 0) {
        --n.duplicate_uuid_refusals;
        r.exit_status = 1;
        r.stderr_text =
            "WSREP: failed to open gcomm backend connection: 131: A node with the same UUID "
            "already exists in the cluster. Removing gvwstate.dat file";
      } else if (n.File(kConfig).find("bad_option") != std::string::npos) {
        r.exit_status = 1;
        r.stderr_text = "Job for mysql.service failed";
      } else if (!bootstrap && Running() == 0) {
        r.exit_status = 1;  // nothing to join
        r.stderr_text = "failed to reach primary view";
      } else {
        ReceiveState(n, bootstrap);
        n.running = true;
        n.bootstrapped = bootstrap;
        n.bootstrap_unit = cmd == "systemctl start mysql@bootstrap.service";
      }
    } else if (cmd.rfind("sed -i 's/^safe_to_bootstrap:.*/safe_to_bootstrap: 1/' ", 0) == 0) {
      std::string g = n.File(kGrastate);
      const size_t at = g.find("safe_to_bootstrap: ");
      if (at != std::string::npos) g.replace(at, g.find('\n', at) - at, "safe_to_bootstrap: 1");
      n.host.PutFile(kGrastate, g, 0660, "mysql", "mysql");
    } else if (cmd.rfind("journalctl ", 0) == 0 || cmd.rfind("tail ", 0) == 0) {
      r.stdout_text = "[ERROR] unknown variable 'bad_option'\n";
    } else if (cmd.rfind("command -v mariadbd", 0) == 0) {
      r.exit_status = 0;  // not MariaDB: nothing to check
    } else {
      return std::nullopt;
    }
    return r;
  }
};

}  // namespace pxc::resources::fake_galera
