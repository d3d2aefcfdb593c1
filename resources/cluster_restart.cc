#include "resources/cluster_restart.h"

#include <cctype>
#include <chrono>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "resources/galera/mycnf.h"
#include "resources/pki/x509.h"
#include "resources/remote/ssh_settings.h"

namespace pxc::resources {

using schema::AttributePath;
using schema::ComputedAttr;
using schema::Diagnostics;
using schema::OptionalAttr;
using schema::OptionalComputedAttr;
using schema::RequiredAttr;
using schema::Type;
using schema::Value;

GraState ParseGraState(const std::string& text) {
  GraState g;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, colon);
    std::string val = line.substr(colon + 1);
    val.erase(0, val.find_first_not_of(" \t"));
    while (!val.empty() && (val.back() == '\r' || val.back() == ' ')) val.pop_back();
    if (key == "seqno") {
      try {
        g.seqno = std::stoll(val);
      } catch (...) {
        g.seqno = -1;
      }
    } else if (key == "safe_to_bootstrap") {
      g.safe_to_bootstrap = val == "1";
    } else if (key == "uuid") {
      g.uuid = val;
    }
  }
  return g;
}

StatusOr<BootstrapChoice> ChooseBootstrapNode(const std::vector<std::string>& names,
                                              const std::vector<GraState>& states) {
  if (states.empty()) return InvalidArgumentError("no nodes");
  for (size_t i = 0; i < states.size(); ++i) {
    if (states[i].seqno < 0) {
      return FailedPreconditionError(
          "the last committed transaction of " + names[i] +
          " is unknown (grastate.dat seqno -1, e.g. after a crash); recover it with "
          "`mysqld --wsrep-recover` on every node and bootstrap the most advanced by hand");
    }
  }
  size_t best = 0;
  for (size_t i = 1; i < states.size(); ++i) {
    const auto& a = states[i];
    const auto& b = states[best];
    if (a.seqno > b.seqno || (a.seqno == b.seqno && a.safe_to_bootstrap && !b.safe_to_bootstrap)) {
      best = i;
    }
  }
  for (size_t i = 0; i < states.size(); ++i) {
    if (!states[i].uuid.empty() && !states[best].uuid.empty() &&
        states[i].uuid != states[best].uuid) {
      return FailedPreconditionError("the nodes belong to different clusters (" + names[best] +
                                     " has uuid " + states[best].uuid + ", " + names[i] + " has " +
                                     states[i].uuid + ")");
    }
  }
  return BootstrapChoice{best, !states[best].safe_to_bootstrap};
}

namespace {

constexpr char kProviderOptions[] = "wsrep_provider_options";

bool Truthy(const std::optional<std::string>& v) {
  if (!v) return false;
  std::string s = *v;
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s == "yes" || s == "1" || s == "true" || s == "on";
}

}  // namespace

bool GaleraTlsEnabled(const ProviderOptions& o) {
  auto cert = GetProviderOption(o, "socket.ssl_cert");
  auto ssl = GetProviderOption(o, "socket.ssl");
  if (ssl && !Truthy(ssl)) return false;
  return cert && !cert->empty();
}

StatusOr<std::string> WithSocketDynamic(const std::string& text, bool on) {
  PXC_ASSIGN_OR_RETURN(Document doc, Document::Parse(text));
  std::optional<std::string> value;
  if (on) value = "yes";
  PXC_ASSIGN_OR_RETURN(
      auto records, ApplyManaged(&doc, {DesiredOption::SubOptions("mysqld", kProviderOptions,
                                                                  {{"socket.dynamic", value}})}));
  (void)records;
  return doc.Serialize();
}

std::optional<int> GaleraGeneration(std::string_view v) {
  size_t i = 0;
  while (i < v.size() && v[i] == ' ') ++i;
  auto number = [&]() -> std::optional<int> {
    if (i >= v.size() || !std::isdigit(static_cast<unsigned char>(v[i]))) return std::nullopt;
    int n = 0;
    while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i])) && n < 100000) {
      n = n * 10 + (v[i++] - '0');
    }
    return n;
  };
  auto first = number();
  if (!first) return std::nullopt;
  if (*first == 25 || *first == 26) {  // Codership: 25.3.37, 26.4.23
    if (i >= v.size() || v[i] != '.') return std::nullopt;
    ++i;
    return number();
  }
  return first;  // Percona: 3.55(r…), 4.7(r…)
}

bool GaleraHasDynamicTls(int generation) { return generation >= 4; }

namespace {

// [mysqld] pxc-encrypt-cluster-traffic as PXC 8.0 reads it: ON unless set
// to a false value (default ON since 8.0; Percona XtraDB Cluster 8.0 docs,
// "Traffic encryption is enabled by default").
bool PxcEncryptClusterTraffic(const Document& doc) {
  auto v = doc.Get("mysqld", "pxc-encrypt-cluster-traffic");
  if (!v) return true;
  std::string s = *v;
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return !(s == "off" || s == "0" || s == "false" || s == "no");
}

bool ExplicitlyOff(const ProviderOptions& o) {
  auto ssl = GetProviderOption(o, "socket.ssl");
  return ssl && !Truthy(ssl);
}

}  // namespace

bool ConfiguredGaleraTls(const std::string& flavor, const Document& doc) {
  ProviderOptions o = ParseProviderOptions(doc.Get("mysqld", kProviderOptions).value_or(""));
  if (flavor == "pxc80" && PxcEncryptClusterTraffic(doc)) {
    // PXC appends socket.ssl_key/ca/cert from ssl-key/ssl-ca/ssl-cert (and
    // refuses to start when one is missing); an explicit socket.ssl=no in
    // the user's provider options still wins in Galera.
    return !ExplicitlyOff(o);
  }
  return GaleraTlsEnabled(o);
}

GaleraTlsFiles ConfiguredGaleraTlsFiles(const std::string& flavor, const Document& doc) {
  ProviderOptions o = ParseProviderOptions(doc.Get("mysqld", kProviderOptions).value_or(""));
  if (flavor == "pxc80" && PxcEncryptClusterTraffic(doc)) {
    return {doc.Get("mysqld", "ssl-cert").value_or(""), doc.Get("mysqld", "ssl-key").value_or(""),
            doc.Get("mysqld", "ssl-ca").value_or("")};
  }
  return {GetProviderOption(o, "socket.ssl_cert").value_or(""),
          GetProviderOption(o, "socket.ssl_key").value_or(""),
          GetProviderOption(o, "socket.ssl_ca").value_or("")};
}

namespace {

class SshNodeHost final : public NodeHost {
 public:
  explicit SshNodeHost(SshSession s) : s_(std::move(s)) {}
  StatusOr<SshSession::ExecResult> Exec(const std::string& command) override {
    return s_.Exec(command);
  }
  StatusOr<std::optional<std::string>> ReadFile(const std::string& path) override {
    return s_.ReadFile(path);
  }
  StatusOr<std::optional<SshSession::FileStat>> Stat(const std::string& path) override {
    return s_.Stat(path);
  }
  Status WriteFileAtomic(const std::string& path, std::string_view content, uint32_t mode,
                         const std::string& owner, const std::string& group) override {
    return s_.WriteFileAtomic(path, content, mode, owner, group);
  }
  Status RemoveFile(const std::string& path) override { return s_.RemoveFile(path); }

 private:
  SshSession s_;
};

StatusOr<std::unique_ptr<NodeHost>> ConnectSsh(const SshTarget& target) {
  auto s = SshSession::Connect(target);
  if (!s.ok()) return s.status();
  return std::unique_ptr<NodeHost>(new SshNodeHost(*std::move(s)));
}

struct Commands {
  std::string stop, start, bootstrap, mysql;
  // pxc80 under systemd: the unit a bootstrapped node runs under, which must
  // be stopped with that unit (PXC's mysql unit refuses to start while it
  // runs); empty for the other flavors.
  std::string bootstrap_stop, bootstrap_active;
};

Commands CommandsFor(const Value& v) {
  const std::string flavor = v.GetString("flavor").value_or("pxc57");
  Commands c;
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
  if (auto s = v.GetString("stop_command")) c.stop = *s;
  if (auto s = v.GetString("start_command")) c.start = *s;
  if (auto s = v.GetString("bootstrap_command")) c.bootstrap = *s;
  if (auto s = v.GetString("mysql_command")) c.mysql = *s;
  return c;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  size_t b = 0;
  while (b < s.size() && (s[b] == ' ' || s[b] == '\n')) ++b;
  return s.substr(b);
}

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
};

constexpr char kDynamicMarkerSuffix[] = ".pxc.dynamic";

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

struct WsrepStatus {
  std::string state;  // wsrep_local_state_comment
  int64_t cluster_size = 0;
};

// The restart of one apply: the nodes, their sessions and what is down.
class Restarter {
 public:
  Restarter(schema::ApplyContext& ctx, std::vector<Node> nodes, NodeConnector connector)
      : ctx_(ctx),
        plan_(ctx.planned),
        flavor_(ctx.planned.GetString("flavor").value_or("pxc57")),
        connector_(std::move(connector)),
        cmd_(CommandsFor(ctx.planned)),
        timeout_(std::chrono::seconds(ctx.planned.GetInt("timeout_seconds").value_or(600))),
        nodes_(std::move(nodes)) {
    drain_ = plan_.GetString("drain").value_or("wsrep_desync") != "none";
    drain_grace_ = std::chrono::seconds(plan_.GetInt("drain_grace_seconds").value_or(5));
    drain_timeout_ = std::chrono::seconds(plan_.GetInt("drain_timeout_seconds").value_or(60));
  }

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
    ctx_.provider.Progress("pxc_cluster_restart: " + n.name + ": " + message,
                           {{"node", n.name}, {"step", step}});
  }
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
  void Fail(const Status& st, const std::string& summary) {
    ctx_.diags.AddError(summary, st.message() + ".");
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

  schema::ApplyContext& ctx_;
  const Value& plan_;
  const std::string flavor_;
  NodeConnector connector_;
  const Commands cmd_;
  const std::chrono::seconds timeout_;
  std::vector<Node> nodes_;
  std::vector<std::string> down_;
  bool drain_ = true;
  std::chrono::seconds drain_grace_{5};
  std::chrono::seconds drain_timeout_{60};
};

void Restarter::ReportDown() {
  if (down_.empty()) return;
  std::string s;
  for (const auto& d : down_) s += (s.empty() ? "" : ", ") + d;
  ctx_.diags.AddError("Nodes Left Down",
                      "THESE NODES ARE DOWN NOW: " + s +
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
    if (ctx_.provider.stopping->load()) return DeadlineExceededError("interrupted by Terraform");
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
    const std::string flavor = plan_.GetString("flavor").value_or("pxc57");
    cmd = "journalctl -u " + std::string(flavor == "mariadb" ? "mariadb" : "mysql") +
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
    ctx_.diags.AddWarning("Node Not Drained", n.name + ": " + st.status().message() +
                                                  ". It was restarted without draining.");
    return;
  }
  std::this_thread::sleep_for(drain_grace_);
  auto deadline = std::chrono::steady_clock::now() + drain_timeout_;
  int64_t left = -1;
  while (std::chrono::steady_clock::now() < deadline && !ctx_.provider.stopping->load()) {
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
    ctx_.diags.AddWarning("Client Connections Cut",
                          n.name + " still had " + std::to_string(left) +
                              " client connection(s) after " +
                              std::to_string(drain_timeout_.count()) +
                              " s of draining (drain_timeout_seconds); they were closed by the "
                              "restart.");
  }
}

Status Restarter::StartAndWait(Node& n, bool bootstrap, int64_t size) {
  Progress(n, bootstrap ? "bootstrap" : "start", bootstrap ? "bootstrapping" : "starting");
  Status st = Run(n, bootstrap ? cmd_.bootstrap : cmd_.start);
  if (bootstrap && !cmd_.bootstrap_stop.empty()) n.under_bootstrap_unit = true;
  if (st.ok()) st = WaitSynced(n, size);
  if (st.ok()) {
    Progress(n, "synced", "Synced, cluster size >= " + std::to_string(size));
    return st;
  }
  std::string tail = ErrorLogTail(n);
  if (!tail.empty()) st = Status(st.code(), st.message() + "; error log tail:\n" + tail);
  return st;
}

bool Restarter::RollBack(Node& n, const Status& failure,
                         const std::optional<std::string>& rollback_text,
                         const std::string& rollback_source, bool bootstrap, int64_t size,
                         const std::vector<Node*>& also) {
  (void)Stop(n);  // it may be half up
  if (!rollback_text) {
    ctx_.diags.AddError("Node Failed to Start",
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
      ctx_.diags.AddWarning("Rollback Incomplete", st.message() + ".");
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
    ctx_.diags.AddError(
        "Node Failed to Start; Rollback Failed",
        failure.message() + ". Restoring " + rollback_source + " failed: " + st.message() + ".");
    return false;
  }
  Status again = StartAndWait(n, bootstrap, size);
  if (!again.ok()) {
    ctx_.diags.AddError("Node Failed to Start; Rollback Failed",
                        failure.message() + ". Its previous configuration (" + rollback_source +
                            ") was restored to " + n.config_file +
                            ", but it did not start with it either: " + again.message() + ".");
    return false;
  }
  std::erase(down_, n.name);
  ctx_.diags.AddError(
      "Node Failed to Start; Configuration Rolled Back",
      failure.message() + ". pxc restored its previous configuration (" + rollback_source +
          ") to " + n.config_file + " and " + n.name +
          " is running and Synced again; no other node was restarted after it." + others +
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
    auto s = connector_ ? connector_(n.target) : ConnectSsh(n.target);
    if (!s.ok()) {
      ssh_settings::AddSshError(s.status(), "Cannot Connect (No Node Was Stopped)", n.target,
                                host_path, ctx_.diags);
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
      ctx_.diags.AddError("Cannot Read the Configuration (No Node Was Stopped)", st.message() + ".",
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
          ctx_.diags.AddError(
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
        ctx_.diags.AddError("Cannot Read the Configuration (No Node Was Stopped)",
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
      ctx_.diags.AddError("Strategy Not Supported by This Galera",
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
      ctx_.diags.AddWarning("Cannot Record the Working Configuration",
                            st.message() + ". A later failed restart of " + n.name +
                                " can then only roll back to the configuration from before pxc.");
    }
  }
}

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
    return ctx_.diags.AddError(
        "No Node Answers (No Node Was Stopped)",
        "mysqld answers on none of the nodes, so there is no running cluster to restart node by "
        "node. Use strategy \"full\", which bootstraps the most advanced node.",
        AttributePath::Root("strategy"));
  }
  for (Node* n : not_answering) {
    ctx_.diags.AddWarning("Node Was Down",
                          n->name +
                              " did not answer before the rolling restart; pxc started it "
                              "(with the configuration in its file) before going on.");
    down_.push_back(n->name);
    if (Status st = StartAndWait(*n, false, 1); !st.ok()) {
      return Fail(st, "Cannot Start a Node That Was Down");
    }
    std::erase(down_, n->name);
  }
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
    ctx_.diags.AddWarning(
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

void Restarter::Full() {
  // Stop in reverse order: the preferred bootstrap node stops last.
  for (size_t i = nodes_.size(); i-- > 0;) {
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
  // The most advanced node from grastate.dat.
  std::vector<std::string> names;
  std::vector<GraState> states;
  for (auto& n : nodes_) {
    auto text = n.session->ReadFile(n.datadir + "/grastate.dat");
    if (!text.ok() || !text->has_value()) {
      return Fail(text.ok() ? NotFoundError(n.name + ": " + n.datadir +
                                            "/grastate.dat not found; set node.datadir")
                            : text.status(),
                  "Cannot Read grastate.dat");
    }
    names.push_back(n.name);
    states.push_back(ParseGraState(**text));
  }
  auto choice = ChooseBootstrapNode(names, states);
  if (!choice.ok()) return Fail(choice.status(), "Cannot Choose a Node to Bootstrap");
  Node& boot = nodes_[choice->index];
  bootstrap_name = boot.name;
  if (choice->needs_safe_flag) {
    ctx_.diags.AddWarning("safe_to_bootstrap Set",
                          boot.name + " is the most advanced node (seqno " +
                              std::to_string(states[choice->index].seqno) +
                              ") but its grastate.dat said safe_to_bootstrap: 0; pxc set it to 1 "
                              "before bootstrapping.");
    if (Status st = MarkSafeToBootstrap(boot); !st.ok()) {
      return Fail(st, "Cannot Mark the Bootstrap Node");
    }
  }
  // Bootstrap. If the new configuration keeps it from starting, every node
  // goes back to its previous configuration (they must agree on TLS) and
  // the cluster is started again as it was.
  bool rolled_back = false;
  if (Status st = StartAndWait(boot, true, 1); !st.ok()) {
    for (auto& n : nodes_) {
      if (&n == &boot || !n.previous_config || !boot.previous_config) continue;
      if (Status w = WriteConfig(n, *n.previous_config); !w.ok()) {
        return Fail(w, "Cannot Roll Back " + n.name);
      }
    }
    (void)MarkSafeToBootstrap(boot);
    if (!RollBack(boot, st, boot.previous_config, boot.previous_source, true, 1)) return;
    rolled_back = true;
  }
  std::erase(down_, boot.name);
  // The others one at a time; one that fails gets its previous
  // configuration back and the rest are still started.
  int64_t size = 1;
  bool failed = false;
  for (auto& n : nodes_) {
    if (&n == &boot) continue;
    Status st = StartAndWait(n, false, size + 1);
    if (st.ok()) {
      std::erase(down_, n.name);
    } else if (rolled_back) {
      failed = true;
      Fail(st, "Node Did Not Join After the Rollback");
      continue;
    } else {
      failed = true;
      if (!RollBack(n, st, n.previous_config, n.previous_source, false, size + 1)) continue;
    }
    ++size;
  }
  if (failed) return;
  LeaveBootstrapUnit();
  if (!rolled_back && !ctx_.diags.HasError()) RecordGood();
}

void Restarter::LeaveBootstrapUnit() {
  if (cmd_.bootstrap_stop.empty()) return;
  const int64_t size = static_cast<int64_t>(nodes_.size());
  for (auto& n : nodes_) {
    if (!n.under_bootstrap_unit) continue;
    if (nodes_.size() == 1) {
      ctx_.diags.AddWarning("Node Left Under mysql@bootstrap.service",
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
  for (auto& n : nodes_) {
    auto ver = Sql(n, "SELECT VERSION()");
    if (!ver.ok()) return Fail(ver.status(), "Cannot Query " + n.name + " (Nothing Was Reloaded)");
    n.version = Trim(*ver);
    n.mariadb = n.version.find("MariaDB") != std::string::npos;
    if (!n.mariadb && n.version.rfind("5.", 0) == 0) {
      return ctx_.diags.AddError(
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
      return ctx_.diags.AddError(
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

}  // namespace

ClusterRestartResource::ClusterRestartResource(NodeConnector connector)
    : connector_(std::move(connector)) {
  auto& attrs = schema_.block.attributes;
  schema_.block.description =
      "Makes configuration changes (e.g. TLS enabled by `pxc_node_tls_config`) take effect "
      "across a Galera cluster without losing data, and never leaves a node down without saying "
      "so. Strategies:\n\n"
      "* `full` (the manual procedure, done safely): stop the nodes one at a time with the first "
      "listed node last, read every node's `grastate.dat`, bootstrap the MOST ADVANCED node "
      "(highest seqno; `safe_to_bootstrap` breaks ties) instead of blindly the first, then start "
      "the others one at a time, each time waiting until the node is `Synced` and "
      "`wsrep_cluster_size` has grown. The cluster is down meanwhile. With `pxc80`, the "
      "bootstrapped node runs under `mysql@bootstrap.service`; once every node is `Synced`, pxc "
      "stops it with `systemctl stop mysql@bootstrap.service` and starts it with `systemctl "
      "start mysql`, waiting until it is `Synced` again (Percona's \"Bootstrapping the first "
      "node\"), so every node ends under its normal unit. Works with every flavor and Galera "
      "version.\n"
      "* `rolling` (no downtime): one node at a time, keeping quorum. Each node is first drained "
      "from the load balancer (`drain`), then stopped, started and waited for until `Synced`. "
      "When the restart switches Galera TLS on (or off), peers with and without TLS must talk "
      "meanwhile, so it takes two passes: pass 1 adds `socket.dynamic=yes` to the node's "
      "`wsrep_provider_options`, pass 2 restarts every node again with the configuration as "
      "written by `pxc_node_tls_config` (with `socket.dynamic` left on, Galera traffic stays "
      "plaintext). Needs Galera 4 (`socket.dynamic`): PXC 8.0 and MariaDB 10.4+. Not PXC 5.7, "
      "whose Galera 3 has no `socket.dynamic`: refused for flavor `pxc57` at validation and, "
      "for any flavor, at plan (and again before anything is stopped) when a node's "
      "`wsrep_provider_version` is Galera 3 (`25.3.x` or `3.x`).\n"
      "* `reload` (certificate rotation at unchanged paths, no restart): `FLUSH SSL` (MariaDB) "
      "or `ALTER INSTANCE RELOAD TLS` (MySQL/PXC 8.0) plus `socket.ssl_reload=1` for Galera on "
      "every node. Needs Galera 4 (`socket.ssl_reload`) and MySQL 8.0 or MariaDB: PXC 8.0 and "
      "MariaDB 10.4+, not PXC 5.7 (refused like `rolling`). Refused, before anything is done, "
      "when a node runs with other certificate paths than its configuration (for `pxc80`, the "
      "`[mysqld] ssl-*` files PXC passes to Galera), or runs MySQL 5.7 (no runtime reload).\n\n"
      "Every node must be reachable and its configuration readable before anything is stopped, "
      "and prerequisites are checked first (MariaDB with rsync SST and `ssl-*` under `[mysqld]` "
      "needs stunnel on every node). "
      "When a node does not start with its new configuration, pxc puts its previous "
      "configuration back (`<config_file>.pxc.good`, the configuration it last started with "
      "under pxc, else `pxc_node_tls_config`'s `<config_file>.pxc.bak`), starts it again and "
      "reports the failure with the tail of the node's error log; with `full`, a bootstrap node "
      "that fails takes every node back to its previous configuration. The restart runs when the "
      "resource is created and whenever `triggers` or the node list change; destroying the "
      "resource does nothing on the nodes. Progress is logged per node and step (TF_LOG=info).";
  attrs.push_back(OptionalComputedAttr("strategy", Type::String())
                      .Default(Value::String("full"))
                      .RequiresReplace()
                      .Validate(schema::OneOf({"full", "rolling", "reload"}))
                      .Describe("`full` (default), `rolling` or `reload`."));
  attrs.push_back(
      OptionalComputedAttr("drain", Type::String())
          .Default(Value::String("wsrep_desync"))
          .Validate(schema::OneOf({"wsrep_desync", "none"}))
          .Describe("`rolling` only: how a node leaves the load balancer before it is "
                    "stopped. `wsrep_desync` (default) sets `wsrep_desync=ON`, so the "
                    "node is no longer `Synced` and a clustercheck-style health check "
                    "fails; pxc then waits `drain_grace_seconds` and until the node has "
                    "no client connections left (at most `drain_timeout_seconds`). "
                    "`none` stops nodes with their connections."));
  attrs.push_back(
      OptionalComputedAttr("drain_grace_seconds", Type::Number())
          .Default(Value::Num(5))
          .Validate(schema::IntBetween(0, 600))
          .Describe("How long the load balancer needs to notice a node's health "
                    "change: at least HAProxy's `inter` x `fall` (or `rise`) plus the time "
                    "a health check takes on a busy node (default 5, for `inter 1s fall 2 "
                    "rise 2`). Waited after draining and again after a node is back, "
                    "before the next one is drained."));
  attrs.push_back(OptionalComputedAttr("drain_timeout_seconds", Type::Number())
                      .Default(Value::Num(60))
                      .Validate(schema::IntBetween(0, 86400))
                      .Describe("Longest wait for a drained node's client connections to end; "
                                "the rest are cut by the restart (with a warning)."));
  attrs.push_back(
      OptionalComputedAttr("flavor", Type::String())
          .Default(Value::String("pxc57"))
          .Validate(schema::OneOf({"pxc57", "pxc80", "mariadb"}))
          .Describe("The server, as for `pxc_node_tls_config`; chooses the default service "
                    "commands, how Galera TLS is read and which strategies exist. `pxc57` "
                    "(Percona XtraDB Cluster 5.7, Galera 3): `service mysql "
                    "stop|start|bootstrap-pxc`; `full` only. `pxc80` (PXC 8.0, Galera 4): "
                    "`systemctl stop|start mysql`, `systemctl start "
                    "mysql@bootstrap.service` to bootstrap, then back to `mysql.service` "
                    "(a node found running under `mysql@bootstrap.service` is stopped with "
                    "that unit); Galera TLS is what PXC derives from "
                    "`pxc-encrypt-cluster-traffic` and `[mysqld] ssl-*`; `full`, `rolling`, "
                    "`reload`. `mariadb` (MariaDB 10.4+, Galera 4): `systemctl stop|start "
                    "mariadb`, `galera_new_cluster`; `full`, `rolling`, `reload`."));
  attrs.push_back(
      OptionalAttr("stop_command", Type::String()).Describe("Overrides the stop command."));
  attrs.push_back(
      OptionalAttr("start_command", Type::String()).Describe("Overrides the start command."));
  attrs.push_back(OptionalAttr("bootstrap_command", Type::String())
                      .Describe("Overrides the command that starts a new cluster on a node."));
  attrs.push_back(OptionalAttr("mysql_command", Type::String())
                      .Describe("Client command run on the nodes to read wsrep status (default "
                                "`mysql`, `mariadb` for flavor mariadb); add options such as "
                                "`--defaults-extra-file=…` when root needs credentials."));
  attrs.push_back(OptionalAttr("triggers", Type::Map(Type::String()))
                      .RequiresReplace()
                      .Describe("Arbitrary values; any change runs the restart again (e.g. the "
                                "`id`s or `files` of the `pxc_node_tls_config` resources)."));
  attrs.push_back(OptionalComputedAttr("timeout_seconds", Type::Number())
                      .Default(Value::Num(600))
                      .Validate(schema::IntBetween(10, 86400))
                      .Describe("Bound for each wait (a node stopping, joining, syncing)."));
  ssh_settings::AddConnectionAttributes(attrs, "ssh_");
  attrs.push_back(ComputedAttr("id", Type::String()).UseStateForUnknown().Describe("Restart id."));
  attrs.push_back(ComputedAttr("bootstrap_node", Type::String())
                      .UseStateForUnknown()
                      .Describe("The node the cluster was bootstrapped from (`full`)."));
  attrs.push_back(ComputedAttr("passes", Type::Number())
                      .UseStateForUnknown()
                      .Describe("`rolling`: how many rolling passes ran (2 when Galera TLS was "
                                "switched, else 1); 0 for the other strategies."));
  attrs.push_back(ComputedAttr("cluster_size", Type::Number())
                      .UseStateForUnknown()
                      .Describe("`wsrep_cluster_size` after the restart."));
  attrs.push_back(ComputedAttr("restarted_at", Type::String())
                      .UseStateForUnknown()
                      .Describe("When the restart finished (RFC 3339)."));
  schema::NestedBlock node;
  node.type_name = "node";
  node.nesting = schema::Nesting::kList;
  node.min_items = 1;
  node.block.description = "A cluster node, in order of preference for bootstrapping.";
  node.block.attributes.push_back(RequiredAttr("name", Type::String()).Describe("Node name."));
  node.block.attributes.push_back(RequiredAttr("host", Type::String()).Describe("SSH address."));
  node.block.attributes.push_back(
      OptionalAttr("datadir", Type::String())
          .Describe("Data directory holding grastate.dat; read from the node's my.cnf "
                    "(`[mysqld] datadir`) when unset, else `/var/lib/mysql`."));
  node.block.attributes.push_back(
      OptionalAttr("config_file", Type::String())
          .Describe("The node's option file (default `/etc/mysql/my.cnf`, as for "
                    "`pxc_node_tls_config`); rolled back when the node fails to start."));
  node.block.attributes.push_back(
      OptionalAttr("error_log", Type::String())
          .Describe("mysqld's error log, whose tail is reported when the node fails to start; "
                    "read from my.cnf (`[mysqld] log_error`) when unset, else the systemd "
                    "journal."));
  schema_.block.blocks.push_back(node);
}

void ClusterRestartResource::ValidateConfig(const Value& config, Diagnostics& diags) const {
  if (!config.IsKnown()) return;
  // PXC 5.7 ships Galera 3 (percona-xtradb-cluster-galera-3), which has
  // neither socket.dynamic nor socket.ssl_reload, and MySQL 5.7 cannot
  // reload its TLS certificate at runtime: only `full` works there.
  const Value flavor = config.GetAttr("flavor");
  const Value strategy = config.GetAttr("strategy");
  if (flavor.IsKnown() || flavor.IsNull()) {
    const std::string f = config.GetString("flavor").value_or("pxc57");
    const std::string st = config.GetString("strategy").value_or("full");
    if (f == "pxc57" && strategy.IsKnown() && (st == "rolling" || st == "reload")) {
      diags.AddError(
          "Strategy Not Supported by PXC 5.7",
          "flavor \"pxc57\" (the default) is Percona XtraDB Cluster 5.7, which ships Galera 3: "
          "it has no socket.dynamic, which \"rolling\" needs while Galera TLS is switched node "
          "by node, and no socket.ssl_reload, which \"reload\" needs (MySQL 5.7 cannot reload "
          "its own certificate at runtime either). Use strategy \"full\". For another server, "
          "set flavor to \"pxc80\" or \"mariadb\" (pxc then checks each node's Galera).",
          AttributePath::Root("strategy"));
    }
  }
  Value nodes = config.GetAttr("node");
  if (!nodes.IsKnown()) return;
  std::set<std::string> names;
  for (size_t i = 0; i < nodes.Elements().size(); ++i) {
    auto name = nodes.Elements()[i].GetString("name");
    if (name && !names.insert(*name).second) {
      diags.AddError("Duplicate Node", "Node \"" + *name + "\" is listed twice.",
                     AttributePath::Root("node").Index(static_cast<int64_t>(i)).Attr("name"));
    }
  }
}

void ClusterRestartResource::ModifyPlan(schema::PlanContext& ctx) const {
  if (ctx.planned.IsNull()) return;  // destroy: nothing is done on the nodes
  // A change of the node list restarts again.
  if (!ctx.prior.IsNull() && ctx.prior.GetAttr("node") != ctx.planned.GetAttr("node")) {
    ctx.requires_replace.push_back(AttributePath::Root("node"));
  }
  // The restart runs at apply: check now that every node's Galera has what
  // the strategy needs, so the plan already says so. Nodes that cannot be
  // reached or queried now are checked again at apply, before anything is
  // stopped.
  if (!ctx.prior.IsNull() && ctx.requires_replace.empty()) return;
  auto strategy = ctx.planned.GetString("strategy");
  if (!strategy || (*strategy != "rolling" && *strategy != "reload")) return;
  for (const auto& a : schema_.block.attributes) {
    if ((a.name.starts_with("ssh_") || a.name == "mysql_command") &&
        !ctx.planned.GetAttr(a.name).IsWhollyKnown()) {
      return;
    }
  }
  const Value nodes = ctx.planned.GetAttr("node");
  if (!nodes.IsWhollyKnown()) return;
  const std::string mysql = CommandsFor(ctx.planned).mysql;
  for (const Value& nv : nodes.Elements()) {
    const std::string name = nv.GetString("name").value_or("");
    const std::string host = nv.GetString("host").value_or("");
    Diagnostics scratch;  // connection settings problems are reported at apply
    auto target = ssh_settings::Resolve(ctx.planned, "ssh_", host, name, ctx.provider,
                                        AttributePath(), scratch);
    if (!target || scratch.HasError()) continue;
    auto h = connector_ ? connector_(*target) : ConnectSsh(*target);
    if (!h.ok()) continue;
    auto v = QueryProviderVersion(**h, mysql, name);
    if (!v.ok()) continue;
    if (auto why = GaleraRefusal(*strategy, name, *v)) {
      ctx.diags.AddError("Strategy Not Supported by This Galera",
                         *why +
                             ". Use strategy \"full\" (every node is stopped, then the most "
                             "advanced one is bootstrapped).",
                         AttributePath::Root("strategy"));
      return;
    }
  }
}

void ClusterRestartResource::Update(schema::ApplyContext& ctx) const {
  // Only timeouts or connection settings changed: nothing to restart.
  ctx.new_state = ctx.planned;
}

void ClusterRestartResource::Create(schema::ApplyContext& ctx) const {
  const Value& plan = ctx.planned;
  std::vector<Node> nodes;
  const Value nodes_v = plan.GetAttr("node");
  for (size_t i = 0; i < nodes_v.Elements().size(); ++i) {
    const Value& nv = nodes_v.Elements()[i];
    Node n;
    n.name = nv.GetString("name").value_or("");
    n.host = nv.GetString("host").value_or("");
    n.datadir = nv.GetString("datadir").value_or("");
    n.config_file = nv.GetString("config_file").value_or("/etc/mysql/my.cnf");
    n.error_log = nv.GetString("error_log").value_or("");
    auto t = ssh_settings::Resolve(plan, "ssh_", n.host, n.name, ctx.provider, AttributePath(),
                                   ctx.diags);
    if (!t) return;
    n.target = *t;
    nodes.push_back(std::move(n));
  }
  Restarter r(ctx, std::move(nodes), connector_);
  if (!r.Prepare()) return;
  const std::string strategy = plan.GetString("strategy").value_or("full");
  if (!r.CheckGalera(strategy)) return;
  if (strategy == "rolling") {
    r.Rolling();
  } else if (strategy == "reload") {
    r.Reload();
  } else {
    r.Full();
  }
  r.ReportDown();
  if (ctx.diags.HasError()) return;
  auto size = r.ClusterSize();
  if (!size.ok() || *size != static_cast<int64_t>(nodes_v.Elements().size())) {
    return ctx.diags.AddError("Cluster Incomplete After Restart",
                              "wsrep_cluster_size is " +
                                  (size.ok() ? std::to_string(*size) : size.status().message()) +
                                  ", expected " + std::to_string(nodes_v.Elements().size()) + ".");
  }
  std::string now = FormatRfc3339(std::chrono::system_clock::now());
  ctx.new_state = plan.WithAttr("id", Value::String(now))
                      .WithAttr("bootstrap_node", Value::String(r.bootstrap_name))
                      .WithAttr("passes", Value::Num(r.passes))
                      .WithAttr("cluster_size", Value::Num(*size))
                      .WithAttr("restarted_at", Value::String(now));
}

}  // namespace pxc::resources
