#include "resources/cluster_restart.h"

#include <chrono>
#include <set>

#include "resources/galera/restart_engine.h"
#include "resources/galera/tls_options.h"
#include "resources/pki/x509.h"
#include "resources/remote/ssh_settings.h"
#include "resources/schema_names.h"
#include "schema/model.h"

namespace pxc::resources {

namespace {

// The typed model of pxc_cluster_restart: what the restart engine is given.
// Defaults come from the schema (ModelReader); a node's config_file, which
// has no schema default (it sits in a list block), defaults to the
// kDefaultConfigFile pxc_node_tls_config declares.
struct ClusterRestartModel {
  RestartOptions options;
  std::vector<RestartNode> nodes;  // targets are resolved at apply
};

ClusterRestartModel ModelFrom(const Value& v, const schema::Block& block) {
  schema::ModelReader r(v, block);
  ClusterRestartModel m;
  RestartOptions& o = m.options;
  o.strategy = r.String("strategy");
  o.flavor = r.String("flavor");
  o.commands = DefaultRestartCommands(o.flavor);
  if (auto s = r.OptString("stop_command")) o.commands.stop = *s;
  if (auto s = r.OptString("start_command")) o.commands.start = *s;
  if (auto s = r.OptString("bootstrap_command")) o.commands.bootstrap = *s;
  if (auto s = r.OptString("mysql_command")) o.commands.mysql = *s;
  o.timeout = std::chrono::seconds(r.Int("timeout_seconds"));
  o.drain = r.String("drain") != "none";
  o.drain_grace = std::chrono::seconds(r.Int("drain_grace_seconds"));
  o.drain_timeout = std::chrono::seconds(r.Int("drain_timeout_seconds"));
  const schema::NestedBlock* node_block = block.FindBlock("node");
  const Value nodes = v.IsKnown() ? v.GetAttr("node") : Value();
  if (node_block != nullptr && nodes.IsKnown()) {
    for (const Value& nv : nodes.Elements()) {
      schema::ModelReader nr(nv, node_block->block);
      RestartNode n;
      n.name = nr.String("name");
      n.host = nr.String("host");
      n.datadir = nr.String("datadir");
      n.config_file = nr.OptString("config_file").value_or(kDefaultConfigFile);
      n.error_log = nr.String("error_log");
      m.nodes.push_back(std::move(n));
    }
  }
  return m;
}

}  // namespace

ClusterRestartResource::ClusterRestartResource(NodeConnector connector)
    : connector_(connector ? std::move(connector) : NodeConnector(ConnectSsh)) {
  auto& attrs = schema_.block.attributes;
  schema_.block.description =
      "Makes configuration changes (e.g. TLS enabled by `pxc_node_tls_config`) take effect "
      "across a Galera cluster without losing data, and never leaves a node down without saying "
      "so. Strategies:\n\n"
      "* `full` (the manual procedure, done safely): stop the nodes one at a time with the first "
      "listed node last, read every node's `grastate.dat`, bootstrap the MOST ADVANCED node "
      "(highest seqno; `safe_to_bootstrap` breaks ties) instead of blindly the first, then start "
      "the others one at a time, each time waiting until the node is `Synced` and "
      "`wsrep_cluster_size` has grown. The cluster is down meanwhile. Before anything is "
      "stopped, pxc looks for `<datadir>/grastate.dat` on every node: a node that runs as a "
      "cluster member without one is refused (its `datadir` is wrong: a running Galera node "
      "always has `grastate.dat`); so are a list where no node has one (nothing to bootstrap "
      "from) and a node whose datadir does not exist. A node that has its datadir but no "
      "`grastate.dat` there and does not run in the cluster is a NEW node "
      "(e.g. a fourth entry added to the node list, its `my.cnf` written by "
      "`pxc_node_tls_config`): it is never bootstrapped from, it is started after every other "
      "node has joined (waited for until `Synced` in the grown cluster like the others; "
      "`timeout_seconds` must cover the transfer of the whole data set), so it "
      "joins by a full state transfer (SST) from the cluster that replaces whatever its datadir "
      "held, and a warning names it. Only while the cluster runs: with every member down, such "
      "a node may be a member whose `datadir` is wrong, and it is refused. With `pxc80`, the "
      "bootstrapped node runs under `mysql@bootstrap.service`; once every node is `Synced`, pxc "
      "stops it with `systemctl stop mysql@bootstrap.service` and starts it with `systemctl "
      "start mysql`, waiting until it is `Synced` again (Percona's \"Bootstrapping the first "
      "node\"), so every node ends under its normal unit. Works with every flavor and Galera "
      "version.\n"
      "* `rolling` (no downtime): one node at a time, keeping quorum. Each node is first drained "
      "from the load balancer (`drain`), then stopped, started and waited for until `Synced`. "
      "A node whose mysqld does not answer (a new node, or one left down) is started first and "
      "joins the running cluster (a new node by SST) before the others are restarted. "
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
      "when a node does not answer (a new node: use `rolling` or `full`), or "
      "runs with other certificate paths than its configuration (for `pxc80`, the "
      "`[mysqld] ssl-*` files PXC passes to Galera), or runs MySQL 5.7 (no runtime reload).\n\n"
      "Every node must be reachable and its configuration readable before anything is stopped, "
      "and prerequisites are checked first (MariaDB with rsync SST and `ssl-*` under `[mysqld]` "
      "needs stunnel on every node). "
      "When a node does not start with its new configuration, pxc puts its previous "
      "configuration back (`<config_file>.pxc.good`, the configuration it last started with "
      "under pxc, else `pxc_node_tls_config`'s `<config_file>.pxc.bak`), starts it again and "
      "reports the failure with the tail of the node's error log; with `full`, a bootstrap node "
      "that fails takes every node back to its previous configuration (a new node is then not "
      "started). The restart runs when the "
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
  schema::ModelReader r(config, schema_.block);
  if (!r.IsUnknown("flavor") && !r.IsUnknown("strategy")) {
    const std::string f = r.String("flavor");
    const std::string st = r.String("strategy");
    if (f == "pxc57" && (st == "rolling" || st == "reload")) {
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
  const ClusterRestartModel model = ModelFrom(ctx.planned, schema_.block);
  const std::string& mysql = model.options.commands.mysql;
  for (const RestartNode& node : model.nodes) {
    const std::string& name = node.name;
    const std::string& host = node.host;
    Diagnostics scratch;  // connection settings problems are reported at apply
    auto target = ssh_settings::Resolve(ctx.planned, "ssh_", host, name, ctx.provider,
                                        AttributePath(), scratch);
    if (!target || scratch.HasError()) continue;
    auto h = connector_(*target);
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
  ClusterRestartModel model = ModelFrom(plan, schema_.block);
  for (RestartNode& n : model.nodes) {
    auto t = ssh_settings::Resolve(plan, "ssh_", n.host, n.name, ctx.provider, AttributePath(),
                                   ctx.diags);
    if (!t) return;
    n.target = *t;
  }
  auto result =
      RunRestart(model.options, std::move(model.nodes), connector_, ctx.provider, ctx.diags);
  if (!result) return;
  std::string now = FormatRfc3339(std::chrono::system_clock::now());
  ctx.new_state = plan.WithAttr("id", Value::String(now))
                      .WithAttr("bootstrap_node", Value::String(result->bootstrap_node))
                      .WithAttr("passes", Value::Num(result->passes))
                      .WithAttr("cluster_size", Value::Num(result->cluster_size))
                      .WithAttr("restarted_at", Value::String(now));
}

}  // namespace pxc::resources
