// Implementation of resources/galera/restart_engine.h: the steps the
// strategies are made of (stop, start and wait, drain, roll back, ...),
// preparing the nodes, and RunRestart. The strategies themselves are in
// restart_strategies.cc.
#include "resources/galera/restart_engine.h"

#include <cctype>
#include <chrono>
#include <optional>
#include <sstream>
#include <thread>

#include "resources/galera/galera_tls.h"
#include "resources/galera/mycnf.h"
#include "resources/galera/restart_engine_internal.h"
#include "resources/remote/ssh_settings.h"
#include "schema/text.h"

namespace pxc::resources {
namespace restart_internal {

using schema::AttributePath;

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  size_t b = 0;
  while (b < s.size() && (s[b] == ' ' || s[b] == '\n')) ++b;
  return s.substr(b);
}

void Restarter::ReportDown() {
  if (down_.empty()) return;
  diags_.AddError("Nodes Left Down",
                  "THESE NODES ARE DOWN NOW: " + Join(down_, ", ") +
                      ". Bring them back (bootstrap the most advanced node, see "
                      "grastate.dat) before anything else; the errors above say why.");
}

StatusOr<int64_t> Restarter::ClusterSize() {
  PXC_ASSIGN_OR_RETURN(WsrepStatus s, QueryStatus(nodes_.front()));
  return s.cluster_size;
}

StatusOr<std::string> Restarter::Sql(Node& n, const std::string& sql) {
  auto res = n.session->Exec(cmd_.mysql + " -N -B -e " + ShellQuote(sql));
  if (!res.ok()) return res.status();
  if (res->exit_status != 0) {
    return UnavailableError(n.name + ": " +
                            Trim(res->stderr_text.empty() ? res->stdout_text : res->stderr_text));
  }
  return res->stdout_text;
}

StatusOr<WsrepStatus> Restarter::QueryStatus(Node& n) {
  PXC_ASSIGN_OR_RETURN(std::string out, Sql(n,
                                            "SHOW GLOBAL STATUS WHERE Variable_name IN "
                                            "('wsrep_local_state_comment','wsrep_cluster_size')"));
  WsrepStatus s;
  std::istringstream in(out);
  std::string k, v;
  while (in >> k >> v) {
    if (k == "wsrep_local_state_comment") s.state = v;
    if (k == "wsrep_cluster_size") s.cluster_size = std::atoll(v.c_str());
  }
  return s;
}

Status Restarter::WaitSynced(Node& n, int64_t size) {
  auto deadline = std::chrono::steady_clock::now() + timeout_;
  std::string last = "no answer";
  while (std::chrono::steady_clock::now() < deadline) {
    if (provider_.stopping->load()) return DeadlineExceededError("interrupted by Terraform");
    auto s = QueryStatus(n);
    if (s.ok()) {
      if (s->state == "Synced" && s->cluster_size >= size) return OkStatus();
      last = "state " + s->state + ", cluster size " + std::to_string(s->cluster_size);
    } else {
      last = s.status().message();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return DeadlineExceededError(n.name + " was not Synced in a cluster of " + std::to_string(size) +
                               " within " + std::to_string(timeout_.count()) +
                               " s (last seen: " + last + ")");
}

Status Restarter::Run(Node& n, const std::string& cmd) {
  auto res = n.session->Exec(cmd);
  if (!res.ok()) return res.status().WithContext(n.name + ": `" + cmd + "`");
  if (res->exit_status != 0) {
    return FailedPreconditionError(
        n.name + ": `" + cmd + "` exited with status " + std::to_string(res->exit_status) + ": " +
        Trim(res->stderr_text.empty() ? res->stdout_text : res->stderr_text));
  }
  return OkStatus();
}

Status Restarter::WriteConfig(Node& n, const std::string& text) {
  return n.session->WriteFileAtomic(n.config_file, text, n.config_stat.mode, n.config_stat.owner,
                                    n.config_stat.group);
}

std::string Restarter::ErrorLogTail(Node& n) {
  std::string cmd;
  if (!n.error_log.empty()) {
    cmd = "tail -n 20 " + ShellQuote(n.error_log);
  } else {
    cmd = "journalctl -u " + std::string(flavor_ == "mariadb" ? "mariadb" : "mysql") +
          " -n 20 --no-pager";
  }
  auto res = n.session->Exec(cmd + " 2>&1");
  if (!res.ok() || res->exit_status != 0) return "";
  std::string t = Trim(res->stdout_text);
  if (t.size() > 4000) t = "…" + t.substr(t.size() - 4000);
  return t;
}

void Restarter::Drain(Node& n) {
  if (!drain_ || nodes_.size() < 2) return;
  // A node out of Synced state fails its load balancer health check
  // (clustercheck answers 503), so new connections go elsewhere; the
  // connections it already has are left to finish.
  Progress(n, "drain", "draining (wsrep_desync=ON), waiting for client connections to end");
  if (auto st = Sql(n, "SET GLOBAL wsrep_desync=ON"); !st.ok()) {
    diags_.AddWarning("Node Not Drained", n.name + ": " + st.status().message() +
                                              ". It was restarted without draining.");
    return;
  }
  std::this_thread::sleep_for(drain_grace_);
  auto deadline = std::chrono::steady_clock::now() + drain_timeout_;
  int64_t left = -1;
  while (std::chrono::steady_clock::now() < deadline && !provider_.stopping->load()) {
    auto out = Sql(n,
                   "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID <> "
                   "CONNECTION_ID() AND USER NOT IN ('system user','event_scheduler') AND "
                   "HOST NOT LIKE 'localhost%' AND COMMAND <> 'Daemon'");
    if (!out.ok()) break;
    left = std::atoll(Trim(*out).c_str());
    if (left == 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (left > 0) {
    diags_.AddWarning("Client Connections Cut",
                      n.name + " still had " + std::to_string(left) +
                          " client connection(s) after " + std::to_string(drain_timeout_.count()) +
                          " s of draining (drain_timeout_seconds); they were closed by the "
                          "restart.");
  }
}

Status Restarter::StartAndWait(Node& n, bool bootstrap, int64_t size) {
  Progress(n, bootstrap ? "bootstrap" : "start", bootstrap ? "bootstrapping" : "starting");
  Status st = Run(n, bootstrap ? cmd_.bootstrap : cmd_.start);
  // A node started again before the others have dropped its previous
  // incarnation is refused by Galera with "A node with the same UUID already
  // exists in the cluster"; Galera then removes gvwstate.dat, so the next
  // start joins with a new UUID (seen in the rolling test against the lab).
  // One more start after a short wait, for that refusal only.
  // The error log is read at most once per failed start, and reused for the
  // failure's message when no second start follows.
  std::optional<std::string> tail;
  if (!bootstrap && !st.ok()) {
    static constexpr char kDuplicateUuid[] = "A node with the same UUID already exists";
    bool refused = st.message().find(kDuplicateUuid) != std::string::npos;
    if (!refused) {
      tail = ErrorLogTail(n);
      refused = tail->find(kDuplicateUuid) != std::string::npos;
    }
    if (refused) {
      Progress(n, "start",
               "Galera refused the node's previous UUID (the cluster had not yet dropped it); "
               "starting again");
      std::this_thread::sleep_for(std::chrono::seconds(3));
      st = Run(n, cmd_.start);
      tail.reset();
    }
  }
  if (bootstrap && !cmd_.bootstrap_stop.empty()) n.under_bootstrap_unit = true;
  if (st.ok()) st = WaitSynced(n, size);
  if (st.ok()) {
    Progress(n, "synced", "Synced, cluster size >= " + std::to_string(size));
    return st;
  }
  if (!tail) tail = ErrorLogTail(n);
  if (!tail->empty()) st = Status(st.code(), st.message() + "; error log tail:\n" + *tail);
  return st;
}

std::string Restarter::AfterRollBack(bool bootstrap) const {
  if (!full_) return "no other node was restarted after it.";
  if (bootstrap) {
    return "the other nodes got their previous configurations back too and were started after "
           "it (the errors below say if one was not).";
  }
  return "the nodes after it were still started, with their new configurations (the errors "
         "below say if one was not).";
}

bool Restarter::RollBack(Node& n, const Status& failure,
                         const std::optional<std::string>& rollback_text,
                         const std::string& rollback_source, bool bootstrap, int64_t size,
                         const std::vector<Node*>& also) {
  (void)Stop(n);  // it may be half up
  if (!rollback_text) {
    diags_.AddError("Node Failed to Start",
                    failure.message() + ". There is no earlier configuration of " + n.name +
                        " to roll back to (no " + n.config_file + ".pxc.good or .pxc.bak).");
    return false;
  }
  Progress(n, "rollback", "rolling back to " + rollback_source);
  std::string others;
  for (Node* o : also) {
    if (o == &n || !o->previous_config) continue;
    Progress(*o, "rollback", "configuration file back to " + o->previous_source + " (no restart)");
    if (Status st = WriteConfig(*o, *o->previous_config); !st.ok()) {
      diags_.AddWarning("Rollback Incomplete", st.message() + ".");
      continue;
    }
    others += (others.empty() ? "" : ", ") + o->name;
  }
  if (!others.empty()) {
    others = " The configuration files of " + others +
             " were put back the same way (they keep running as they are until their next "
             "restart), so that state transfers between the nodes agree on TLS.";
  }
  if (Status st = WriteConfig(n, *rollback_text); !st.ok()) {
    diags_.AddError(
        "Node Failed to Start; Rollback Failed",
        failure.message() + ". Restoring " + rollback_source + " failed: " + st.message() + ".");
    return false;
  }
  Status again = StartAndWait(n, bootstrap, size);
  if (!again.ok()) {
    diags_.AddError("Node Failed to Start; Rollback Failed",
                    failure.message() + ". Its previous configuration (" + rollback_source +
                        ") was restored to " + n.config_file +
                        ", but it did not start with it either: " + again.message() + ".");
    return false;
  }
  std::erase(down_, n.name);
  diags_.AddError(
      "Node Failed to Start; Configuration Rolled Back",
      failure.message() + ". pxc restored its previous configuration (" + rollback_source +
          ") to " + n.config_file + " and " + n.name + " is running and Synced again; " +
          AfterRollBack(bootstrap) + others +
          " Fix the cause and apply again (pxc_node_tls_config shows the restored files as "
          "drift).");
  return true;
}

bool Restarter::RestartOne(Node& n, const std::optional<std::string>& new_text,
                           const std::optional<std::string>& rollback_text,
                           const std::string& rollback_source, const std::vector<Node*>& also) {
  const int64_t size = static_cast<int64_t>(nodes_.size());
  Drain(n);
  Progress(n, "stop", "stopping");
  if (Status st = Stop(n); !st.ok()) {
    if (drain_) (void)Sql(n, "SET GLOBAL wsrep_desync=OFF");
    Fail(st, "Stop Failed");
    return false;
  }
  down_.push_back(n.name);
  if (new_text) {
    if (Status st = WriteConfig(n, *new_text); !st.ok()) {
      Status start = StartAndWait(n, false, size);
      if (start.ok()) std::erase(down_, n.name);
      Fail(st.WithContext("writing " + n.config_file), "Cannot Write the Configuration");
      return false;
    }
  }
  Status st = StartAndWait(n, false, size);
  if (!st.ok()) {
    RollBack(n, st, rollback_text, rollback_source, false, size, also);
    return false;
  }
  std::erase(down_, n.name);
  // Let the load balancer see the node healthy again before the next one
  // leaves it.
  if (drain_ && nodes_.size() > 1) std::this_thread::sleep_for(drain_grace_);
  return true;
}

bool Restarter::Prepare() {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    Node& n = nodes_[i];
    const AttributePath host_path =
        AttributePath::Root("node").Index(static_cast<int64_t>(i)).Attr("host");
    auto s = connector_(n.target);
    if (!s.ok()) {
      ssh_settings::AddSshError(s.status(), "Cannot Connect (No Node Was Stopped)", n.target,
                                host_path, diags_);
      return false;
    }
    n.session = *std::move(s);
    if (!cmd_.bootstrap_active.empty()) {
      auto r = n.session->Exec(cmd_.bootstrap_active);
      n.under_bootstrap_unit = r.ok() && r->exit_status == 0;
    }
    auto text = n.session->ReadFile(n.config_file);
    auto stat = n.session->Stat(n.config_file);
    if (!text.ok() || !stat.ok() || !text->has_value() || !stat->has_value()) {
      Status st = !text.ok()   ? text.status()
                  : !stat.ok() ? stat.status()
                               : NotFoundError(n.config_file + " does not exist on " + n.name +
                                               "; set node.config_file");
      diags_.AddError("Cannot Read the Configuration (No Node Was Stopped)", st.message() + ".",
                      AttributePath::Root("node").Index(static_cast<int64_t>(i)));
      return false;
    }
    n.config_text = **text;
    n.config_stat = **stat;
    auto doc = Document::Parse(n.config_text);
    if (n.datadir.empty()) {
      n.datadir = "/var/lib/mysql";
      if (doc.ok()) {
        if (auto d = doc->Get("mysqld", "datadir")) n.datadir = *d;
      }
    }
    // MariaDB's rsync SST runs through stunnel once [mysqld] has ssl-*:
    // without it every join would fail, so check before stopping anything.
    if (doc.ok() && (doc->Get("mysqld", "ssl_cert") || doc->Get("mysqld", "ssl_key"))) {
      const std::string sst = doc->Get("mysqld", "wsrep_sst_method").value_or("rsync");
      if (sst == "rsync" || sst == "rsync_wan") {
        auto r = n.session->Exec(
            "command -v mariadbd >/dev/null 2>&1 || exit 0; command -v stunnel >/dev/null 2>&1 "
            "|| command -v stunnel4 >/dev/null 2>&1 || exit 4");
        if (r.ok() && r->exit_status == 4) {
          diags_.AddError(
              "stunnel Missing (No Node Was Stopped)",
              n.name + " runs MariaDB with wsrep_sst_method=" + sst +
                  " and ssl-cert/ssl-key under " + "[mysqld] in " + n.config_file +
                  ": MariaDB's rsync state transfer then encrypts through stunnel, which is not "
                  "installed, so every node joining after the restart would fail. Install it on "
                  "every node (Debian: apt install stunnel4) and apply again.",
              host_path);
          return false;
        }
      }
    }
    if (n.error_log.empty() && doc.ok()) {
      if (auto e = doc->Get("mysqld", "log_error"); e && !e->empty()) {
        n.error_log = (*e)[0] == '/' ? *e : n.datadir + "/" + *e;
      }
    }
    auto marker = n.session->Stat(n.config_file + kDynamicMarkerSuffix);
    if (doc.ok() && marker.ok() && marker->has_value() &&
        GetProviderOption(ParseProviderOptions(doc->Get("mysqld", kProviderOptions).value_or("")),
                          "socket.dynamic")) {
      auto stripped = WithSocketDynamic(n.config_text, false);
      if (!stripped.ok()) {
        diags_.AddError("Cannot Read the Configuration (No Node Was Stopped)",
                        stripped.status().WithContext(n.config_file).message() + ".",
                        AttributePath::Root("node").Index(static_cast<int64_t>(i)));
        return false;
      }
      n.config_text = *stripped;
      n.strip_dynamic = true;
    }
    for (const char* suffix : {".pxc.good", ".pxc.bak"}) {
      auto prev = n.session->ReadFile(n.config_file + suffix);
      if (prev.ok() && prev->has_value()) {
        n.previous_config = **prev;
        n.previous_source = n.config_file + suffix;
        break;
      }
    }
  }
  return true;
}

bool Restarter::CheckGalera(const std::string& strategy) {
  if (strategy != "rolling" && strategy != "reload") return true;
  for (auto& n : nodes_) {
    auto v = QueryProviderVersion(*n.session, cmd_.mysql, n.name);
    if (!v.ok()) continue;
    if (auto why = GaleraRefusal(strategy, n.name, *v)) {
      diags_.AddError("Strategy Not Supported by This Galera",
                      *why +
                          ". Use strategy \"full\" (every node is stopped, then the "
                          "most advanced one is bootstrapped). Nothing was changed.",
                      AttributePath::Root("strategy"));
      return false;
    }
  }
  return true;
}

void Restarter::RecordGood() {
  for (auto& n : nodes_) {
    (void)n.session->RemoveFile(n.config_file + kDynamicMarkerSuffix);
    auto text = n.session->ReadFile(n.config_file);
    if (!text.ok() || !text->has_value()) continue;
    Status st = n.session->WriteFileAtomic(n.config_file + ".pxc.good", **text, n.config_stat.mode,
                                           n.config_stat.owner, n.config_stat.group);
    if (!st.ok()) {
      diags_.AddWarning("Cannot Record the Working Configuration",
                        st.message() + ". A later failed restart of " + n.name +
                            " can then only roll back to the configuration from before pxc.");
    }
  }
}

}  // namespace restart_internal

using restart_internal::Node;
using restart_internal::Restarter;
using restart_internal::Trim;

RestartCommands DefaultRestartCommands(const std::string& flavor) {
  RestartCommands c;
  if (flavor == "pxc80") {
    // Percona XtraDB Cluster 8.0 docs, "Bootstrapping the first node": the
    // first node starts with `systemctl start mysql@bootstrap.service`, the
    // others with `systemctl start mysql`; once the cluster is formed, a
    // node started under the bootstrap unit is stopped with
    // `systemctl stop mysql@bootstrap.service` and started again with
    // `systemctl start mysql`.
    c = {"systemctl stop mysql", "systemctl start mysql", "systemctl start mysql@bootstrap.service",
         "mysql"};
    c.bootstrap_stop = "systemctl stop mysql@bootstrap.service";
    c.bootstrap_active = "systemctl is-active --quiet mysql@bootstrap.service";
  } else if (flavor == "mariadb") {
    c = {"systemctl stop mariadb", "systemctl start mariadb", "galera_new_cluster", "mariadb"};
  } else {
    c = {"service mysql stop", "service mysql start", "service mysql bootstrap-pxc", "mysql"};
  }
  return c;
}

// wsrep_provider_version of the node's running mysqld ("26.4.23(r…)").
StatusOr<std::string> QueryProviderVersion(NodeHost& host, const std::string& mysql,
                                           const std::string& name) {
  auto r = host.Exec(mysql + " -N -B -e " +
                     ShellQuote("SHOW GLOBAL STATUS LIKE 'wsrep_provider_version'"));
  if (!r.ok()) return r.status();
  if (r->exit_status != 0) {
    return UnavailableError(name + ": " +
                            Trim(r->stderr_text.empty() ? r->stdout_text : r->stderr_text));
  }
  std::string out = Trim(r->stdout_text);
  auto tab = out.find('\t');
  return tab == std::string::npos ? std::string() : Trim(out.substr(tab + 1));
}

// Why `strategy` cannot run on a node whose Galera reports `version`;
// nullopt when it can. Galera 3 (PXC 5.7, MariaDB 10.3 and older) has
// neither socket.dynamic, which `rolling` needs while Galera TLS is switched
// node by node, nor socket.ssl_reload, which `reload` needs.
std::optional<std::string> GaleraRefusal(const std::string& strategy, const std::string& name,
                                         const std::string& version) {
  if (strategy != "rolling" && strategy != "reload") return std::nullopt;
  const std::string option = strategy == "rolling" ? "socket.dynamic" : "socket.ssl_reload";
  const std::string why =
      strategy == "rolling"
          ? "which \"rolling\" needs to let TLS and plaintext peers talk while Galera TLS is "
            "switched node by node"
          : "which \"reload\" needs to reload Galera's certificate without a restart";
  auto gen = GaleraGeneration(version);
  if (!gen) {
    return name + " reports wsrep_provider_version \"" + version +
           "\", which is not a Galera version pxc knows, so it cannot tell whether the provider "
           "has " +
           option + " (" + why + ")";
  }
  if (GaleraHasDynamicTls(*gen)) return std::nullopt;
  return name + " runs Galera " + version + " (Galera " + std::to_string(*gen) +
         "), which has no " + option + " (a Galera 4 option), " + why;
}

std::optional<RestartResult> RunRestart(const RestartOptions& options,
                                        std::vector<RestartNode> nodes,
                                        const NodeConnector& connector,
                                        const schema::ProviderContext& provider,
                                        schema::Diagnostics& diags) {
  std::vector<Node> engine_nodes;
  for (RestartNode& rn : nodes) {
    Node n;
    n.name = std::move(rn.name);
    n.host = std::move(rn.host);
    n.datadir = std::move(rn.datadir);
    n.config_file = std::move(rn.config_file);
    n.error_log = std::move(rn.error_log);
    n.target = std::move(rn.target);
    engine_nodes.push_back(std::move(n));
  }
  const int64_t expected = static_cast<int64_t>(engine_nodes.size());
  Restarter r(options, std::move(engine_nodes), connector, provider, diags);
  if (!r.Prepare()) return std::nullopt;
  if (!r.CheckGalera(options.strategy)) return std::nullopt;
  if (options.strategy == "rolling") {
    r.Rolling();
  } else if (options.strategy == "reload") {
    r.Reload();
  } else {
    r.Full();
  }
  r.ReportDown();
  if (diags.HasError()) return std::nullopt;
  auto size = r.ClusterSize();
  if (!size.ok() || *size != expected) {
    diags.AddError("Cluster Incomplete After Restart",
                   "wsrep_cluster_size is " +
                       (size.ok() ? std::to_string(*size) : size.status().message()) +
                       ", expected " + std::to_string(expected) + ".");
    return std::nullopt;
  }
  return RestartResult{r.bootstrap_name, r.passes, *size};
}

}  // namespace pxc::resources
