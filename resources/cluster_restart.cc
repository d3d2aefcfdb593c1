#include "resources/cluster_restart.h"

#include <chrono>
#include <set>
#include <sstream>
#include <thread>

#include "resources/mycnf.h"
#include "resources/ssh_settings.h"
#include "resources/x509.h"

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

struct Commands {
  std::string stop, start, bootstrap, mysql;
};

Commands CommandsFor(const Value& v) {
  const std::string flavor = v.GetString("flavor").value_or("pxc57");
  Commands c;
  if (flavor == "pxc80") {
    c = {"systemctl stop mysql", "systemctl start mysql", "systemctl start mysql@bootstrap.service",
         "mysql"};
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

struct Node {
  std::string name, host, datadir;
  SshTarget target;
  std::optional<SshSession> session;
};

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

struct WsrepStatus {
  std::string state;  // wsrep_local_state_comment
  int64_t cluster_size = 0;
};

StatusOr<WsrepStatus> QueryStatus(Node& n, const Commands& c) {
  auto res = n.session->Exec(c.mysql +
                             " -N -B -e \"SHOW GLOBAL STATUS WHERE Variable_name IN "
                             "('wsrep_local_state_comment','wsrep_cluster_size')\"");
  if (!res.ok()) return res.status();
  if (res->exit_status != 0) return UnavailableError(Trim(res->stderr_text));
  WsrepStatus s;
  std::istringstream in(res->stdout_text);
  std::string k, v;
  while (in >> k >> v) {
    if (k == "wsrep_local_state_comment") s.state = v;
    if (k == "wsrep_cluster_size") s.cluster_size = std::atoll(v.c_str());
  }
  return s;
}

// Waits until `n` is Synced in a cluster of at least `size` nodes.
Status WaitSynced(Node& n, const Commands& c, int64_t size, std::chrono::seconds timeout,
                  const std::atomic<bool>& stopping) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last = "no answer";
  while (std::chrono::steady_clock::now() < deadline) {
    if (stopping.load()) return DeadlineExceededError("interrupted by Terraform");
    auto s = QueryStatus(n, c);
    if (s.ok()) {
      if (s->state == "Synced" && s->cluster_size >= size) return OkStatus();
      last = "state " + s->state + ", cluster size " + std::to_string(s->cluster_size);
    } else {
      last = s.status().message();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return DeadlineExceededError(n.name + " was not Synced in a cluster of " + std::to_string(size) +
                               " within " + std::to_string(timeout.count()) +
                               " s (last seen: " + last + ")");
}

Status Run(Node& n, const std::string& cmd) {
  auto res = n.session->Exec(cmd);
  if (!res.ok()) return res.status().WithContext(n.name + ": `" + cmd + "`");
  if (res->exit_status != 0) {
    return FailedPreconditionError(
        n.name + ": `" + cmd + "` exited with status " + std::to_string(res->exit_status) + ": " +
        Trim(res->stderr_text.empty() ? res->stdout_text : res->stderr_text));
  }
  return OkStatus();
}

std::string DownMessage(const std::vector<std::string>& down) {
  if (down.empty()) return "";
  std::string s;
  for (const auto& d : down) s += (s.empty() ? "" : ", ") + d;
  return " THESE NODES ARE DOWN NOW: " + s +
         ". Bring them back (bootstrap the most advanced "
         "node, see grastate.dat) before anything else.";
}

}  // namespace

ClusterRestartResource::ClusterRestartResource() {
  auto& attrs = schema_.block.attributes;
  schema_.block.description =
      "Restarts a Galera cluster so that configuration changes (e.g. TLS enabled by "
      "`pxc_node_tls_config`) take effect, without losing data. Strategy `full` (the manual "
      "procedure, done safely): stop the nodes one at a time with the first listed node last, "
      "read every node's `grastate.dat`, bootstrap the MOST ADVANCED node (highest seqno; "
      "`safe_to_bootstrap` breaks ties) instead of blindly the first, then start the others one "
      "at a time, each time waiting until the node is `Synced` and `wsrep_cluster_size` has "
      "grown. Strategy `rolling` restarts one node at a time and waits for it to be `Synced` "
      "before the next, so the cluster keeps quorum (use it when the change is compatible with "
      "the running nodes, e.g. rotated certificate files; enabling TLS on a plain cluster needs "
      "`full`). The restart runs when the resource is created and whenever `triggers` change; "
      "destroying the resource does nothing on the nodes. Every wait is bounded and a failure "
      "names the nodes that are down.";
  attrs.push_back(OptionalComputedAttr("strategy", Type::String())
                      .Default(Value::String("full"))
                      .RequiresReplace()
                      .Validate(schema::OneOf({"full", "rolling"}))
                      .Describe("`full` (default) or `rolling`."));
  attrs.push_back(OptionalComputedAttr("flavor", Type::String())
                      .Default(Value::String("pxc57"))
                      .Validate(schema::OneOf({"pxc57", "pxc80", "mariadb"}))
                      .Describe("Chooses the default service commands: `pxc57` (`service mysql "
                                "stop|start|bootstrap-pxc`), `pxc80` (`systemctl … mysql`, "
                                "`mysql@bootstrap.service`), `mariadb` (`systemctl … mariadb`, "
                                "`galera_new_cluster`)."));
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
  schema_.block.blocks.push_back(node);
}

void ClusterRestartResource::ValidateConfig(const Value& config, Diagnostics& diags) const {
  if (!config.IsKnown()) return;
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
  // A change of the node list restarts again.
  if (!ctx.prior.IsNull() && ctx.prior.GetAttr("node") != ctx.planned.GetAttr("node")) {
    ctx.requires_replace.push_back(AttributePath::Root("node"));
  }
}

void ClusterRestartResource::Update(schema::ApplyContext& ctx) const {
  // Only timeouts or connection settings changed: nothing to restart.
  ctx.new_state = ctx.planned;
}

void ClusterRestartResource::Create(schema::ApplyContext& ctx) const {
  const Value& plan = ctx.planned;
  const Commands cmd = CommandsFor(plan);
  const auto timeout = std::chrono::seconds(plan.GetInt("timeout_seconds").value_or(600));
  const auto& stopping = *ctx.provider.stopping;
  std::vector<Node> nodes;
  const Value nodes_v = plan.GetAttr("node");
  for (size_t i = 0; i < nodes_v.Elements().size(); ++i) {
    const Value& nv = nodes_v.Elements()[i];
    Node n;
    n.name = nv.GetString("name").value_or("");
    n.host = nv.GetString("host").value_or("");
    n.datadir = nv.GetString("datadir").value_or("");
    auto t = ssh_settings::Resolve(plan, "ssh_", n.host, n.name, ctx.provider, AttributePath(),
                                   ctx.diags);
    if (!t) return;
    n.target = *t;
    nodes.push_back(std::move(n));
  }
  // 1. Reach every node before touching any.
  for (size_t i = 0; i < nodes.size(); ++i) {
    auto s = SshSession::Connect(nodes[i].target);
    if (!s.ok()) {
      return ssh_settings::AddSshError(
          s.status(), "Cannot Connect (No Node Was Stopped)", nodes[i].target,
          AttributePath::Root("node").Index(static_cast<int64_t>(i)).Attr("host"), ctx.diags);
    }
    nodes[i].session = *std::move(s);
    if (nodes[i].datadir.empty()) {
      auto text = nodes[i].session->ReadFile("/etc/mysql/my.cnf");
      std::string dir = "/var/lib/mysql";
      if (text.ok() && text->has_value()) {
        if (auto doc = Document::Parse(**text); doc.ok()) {
          if (auto d = doc->Get("mysqld", "datadir")) dir = *d;
        }
      }
      nodes[i].datadir = dir;
    }
  }
  std::vector<std::string> down;
  auto fail = [&](const Status& st, const std::string& summary) {
    ctx.diags.AddError(summary, st.message() + "." + DownMessage(down));
  };
  std::string bootstrap_name;
  if (plan.GetString("strategy").value_or("full") == "rolling") {
    for (auto& n : nodes) {
      if (Status st = WaitSynced(n, cmd, static_cast<int64_t>(nodes.size()), timeout, stopping);
          !st.ok()) {
        return fail(st, "Cluster Not Healthy Before the Rolling Restart (No Node Was Stopped)");
      }
    }
    for (auto& n : nodes) {
      if (Status st = Run(n, cmd.stop); !st.ok()) return fail(st, "Stop Failed");
      down.push_back(n.name);
      if (Status st = Run(n, cmd.start); !st.ok()) return fail(st, "Start Failed");
      if (Status st = WaitSynced(n, cmd, static_cast<int64_t>(nodes.size()), timeout, stopping);
          !st.ok()) {
        return fail(st, "Node Did Not Rejoin");
      }
      down.pop_back();
    }
  } else {
    // 2. Stop in reverse order: the preferred bootstrap node stops last.
    for (size_t i = nodes.size(); i-- > 0;) {
      if (Status st = Run(nodes[i], cmd.stop); !st.ok()) return fail(st, "Stop Failed");
      down.push_back(nodes[i].name);
    }
    // 3. Most advanced node from grastate.dat.
    std::vector<std::string> names;
    std::vector<GraState> states;
    for (auto& n : nodes) {
      auto text = n.session->ReadFile(n.datadir + "/grastate.dat");
      if (!text.ok() || !text->has_value()) {
        return fail(text.ok() ? NotFoundError(n.name + ": " + n.datadir +
                                              "/grastate.dat not found; set node.datadir")
                              : text.status(),
                    "Cannot Read grastate.dat");
      }
      names.push_back(n.name);
      states.push_back(ParseGraState(**text));
    }
    auto choice = ChooseBootstrapNode(names, states);
    if (!choice.ok()) return fail(choice.status(), "Cannot Choose a Node to Bootstrap");
    Node& boot = nodes[choice->index];
    bootstrap_name = boot.name;
    if (choice->needs_safe_flag) {
      ctx.diags.AddWarning("safe_to_bootstrap Set",
                           boot.name + " is the most advanced node (seqno " +
                               std::to_string(states[choice->index].seqno) +
                               ") but its grastate.dat said safe_to_bootstrap: 0; pxc set it to 1 "
                               "before bootstrapping.");
      if (Status st = Run(boot, "sed -i 's/^safe_to_bootstrap:.*/safe_to_bootstrap: 1/' " +
                                    ShellQuote(boot.datadir + "/grastate.dat"));
          !st.ok()) {
        return fail(st, "Cannot Mark the Bootstrap Node");
      }
    }
    // 4. Bootstrap, then the others one at a time.
    if (Status st = Run(boot, cmd.bootstrap); !st.ok()) return fail(st, "Bootstrap Failed");
    if (Status st = WaitSynced(boot, cmd, 1, timeout, stopping); !st.ok()) {
      return fail(st, "Bootstrap Node Not Synced");
    }
    std::erase(down, boot.name);
    int64_t size = 1;
    for (auto& n : nodes) {
      if (&n == &boot) continue;
      if (Status st = Run(n, cmd.start); !st.ok()) return fail(st, "Start Failed");
      if (Status st = WaitSynced(n, cmd, size + 1, timeout, stopping); !st.ok()) {
        return fail(st, "Node Did Not Join");
      }
      ++size;
      std::erase(down, n.name);
    }
  }
  auto final_status = QueryStatus(nodes.front(), cmd);
  int64_t size = final_status.ok() ? final_status->cluster_size : 0;
  if (size != static_cast<int64_t>(nodes.size())) {
    return ctx.diags.AddError("Cluster Incomplete After Restart",
                              "wsrep_cluster_size is " + std::to_string(size) + ", expected " +
                                  std::to_string(nodes.size()) + ".");
  }
  std::string now = FormatRfc3339(std::chrono::system_clock::now());
  ctx.new_state =
      plan.WithAttr("id", Value::String(now))
          .WithAttr("bootstrap_node",
                    bootstrap_name.empty() ? Value::String("") : Value::String(bootstrap_name))
          .WithAttr("cluster_size", Value::Num(size))
          .WithAttr("restarted_at", Value::String(now));
}

}  // namespace pxc::resources
