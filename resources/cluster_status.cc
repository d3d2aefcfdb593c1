#include "resources/cluster_status.h"

#include "resources/mysql/mysql_settings.h"
#include "resources/schema_names.h"

namespace pxc::resources {

namespace {

// name -> value of a two-column SHOW ... result.
StatusOr<std::map<std::string, std::string>> NameValues(SqlConnection& conn,
                                                        const std::string& sql) {
  PXC_ASSIGN_OR_RETURN(SqlResult r, conn.Query(sql));
  std::map<std::string, std::string> out;
  for (const auto& row : r.rows) {
    if (row.size() < 2 || !row[0]) continue;
    out[*row[0]] = row[1].value_or("");
  }
  return out;
}

Value StringOrNull(const std::map<std::string, std::string>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? Value::Null(Type::String()) : Value::String(it->second);
}

}  // namespace

ClusterStatusDataSource::ClusterStatusDataSource() {
  schema_.block.description =
      "Connects to the cluster (through the provider's `mysql` block or this data source's own, "
      "e.g. with a client certificate through HAProxy) and reports its Galera state and the TLS "
      "session of the connection: the tutorial's final check (`SHOW STATUS LIKE 'wsrep%'` over "
      "TLS) as data. On a server without Galera the `wsrep_*` attributes are null and `wsrep` "
      "is empty.";
  auto& a = schema_.block.attributes;
  a.push_back(OptionalAttr("require_tls", Type::Bool())
                  .Describe("Fail unless this connection is encrypted. Default false (use a "
                            "`tls` block with `required = true` to also refuse the login in "
                            "plain text)."));
  a.push_back(ComputedAttr("id", Type::String())
                  .Describe("`wsrep_local_state_uuid`, or the "
                            "endpoint when it is not a Galera node."));
  a.push_back(
      ComputedAttr("wsrep_local_state_uuid", Type::String()).Describe("The cluster's state UUID."));
  a.push_back(ComputedAttr("wsrep_cluster_size", Type::Number())
                  .Describe("Number of nodes in the cluster component."));
  a.push_back(ComputedAttr("wsrep_cluster_status", Type::String())
                  .Describe("`Primary` when the node is part of the primary component."));
  a.push_back(ComputedAttr("wsrep_local_state_comment", Type::String())
                  .Describe("The node's state, e.g. `Synced`."));
  a.push_back(ComputedAttr("wsrep_node_name", Type::String())
                  .Describe("The `wsrep_node_name` variable of the node answering (through a "
                            "load balancer: the one it chose)."));
  a.push_back(ComputedAttr("ssl_version", Type::String())
                  .Describe("TLS version of this connection (`Ssl_version`); empty when not "
                            "encrypted."));
  a.push_back(ComputedAttr("ssl_cipher", Type::String())
                  .Describe("TLS cipher of this connection (`Ssl_cipher`); empty when not "
                            "encrypted."));
  a.push_back(ComputedAttr("version", Type::String()).Describe("The server's `VERSION()`."));
  a.push_back(
      ComputedAttr("wsrep", Type::Map(Type::String()))
          .Describe("Every `wsrep%` status variable (`SHOW GLOBAL STATUS LIKE 'wsrep%'`)."));
  schema_.block.blocks.push_back(mysql_settings::MysqlBlock(/*for_provider=*/false));
}

void ClusterStatusDataSource::ValidateConfig(const Value& config, Diagnostics& diags) const {
  mysql_settings::Validate(config, AttributePath(), diags);
}

void ClusterStatusDataSource::Read(const schema::ProviderContext& provider, const Value& config,
                                   Value& state, Diagnostics& diags) const {
  const std::string what = "Unable to Read the Cluster Status";
  mysql_settings::AddTransportWarnings(config, provider, diags);
  Diagnostics connect_diags;
  auto session = mysql_settings::Connect(config, provider, what, connect_diags);
  // A failed connection points at this data source's own endpoint when it
  // sets one (else the provider's, outside this configuration).
  Value own = config.GetAttr("mysql");
  const bool own_endpoint = own.IsKnown() && own.GetAttr("endpoint").IsKnown();
  for (const auto& d : connect_diags.items()) {
    auto path = d.path;
    if (!path && own_endpoint) path = AttributePath::Root("mysql").Attr("endpoint");
    if (d.severity == schema::Severity::kError) {
      diags.AddError(d.summary, d.detail, path);
    } else {
      diags.AddWarning(d.summary, d.detail, path);
    }
  }
  if (!session) return;
  SqlConnection& conn = *session->conn;
  auto info = conn.Info();
  if (!info.ok()) return mysql_settings::AddSqlError(info.status(), what, diags);
  auto session_status = NameValues(conn, "SHOW SESSION STATUS LIKE 'Ssl_%'");
  if (!session_status.ok())
    return mysql_settings::AddSqlError(session_status.status(), what, diags);
  auto wsrep = NameValues(conn, "SHOW GLOBAL STATUS LIKE 'wsrep%'");
  if (!wsrep.ok()) return mysql_settings::AddSqlError(wsrep.status(), what, diags);
  auto vars = NameValues(conn, "SHOW GLOBAL VARIABLES LIKE 'wsrep_node_name'");
  if (!vars.ok()) return mysql_settings::AddSqlError(vars.status(), what, diags);

  const std::string cipher = (*session_status)["Ssl_cipher"];
  if (config.GetBool("require_tls").value_or(false) && cipher.empty()) {
    diags.AddError("Connection Not Encrypted",
                   "require_tls is set but the connection to " + conn.endpoint_description() +
                       " is not encrypted. Add a `tls` block to the `mysql` settings and check "
                       "that the server (and HAProxy, if any) offers TLS.",
                   AttributePath::Root("require_tls"));
    return;
  }
  std::map<std::string, Value> all;
  for (const auto& [k, v] : *wsrep) all.emplace(k, Value::String(v));
  Value size = Value::Null(Type::Number());
  if (auto it = wsrep->find("wsrep_cluster_size"); it != wsrep->end()) {
    auto n = schema::Number::Parse(it->second);
    if (n.ok()) size = Value::Num(*n);
  }
  Value uuid = StringOrNull(*wsrep, "wsrep_local_state_uuid");
  Value out = state;
  out = out.WithAttr("id", uuid.IsKnown() && !uuid.AsString().empty()
                               ? uuid
                               : Value::String(conn.endpoint_description()));
  out = out.WithAttr("wsrep_local_state_uuid", uuid);
  out = out.WithAttr("wsrep_cluster_size", size);
  out = out.WithAttr("wsrep_cluster_status", StringOrNull(*wsrep, "wsrep_cluster_status"));
  out =
      out.WithAttr("wsrep_local_state_comment", StringOrNull(*wsrep, "wsrep_local_state_comment"));
  out = out.WithAttr("wsrep_node_name", StringOrNull(*vars, "wsrep_node_name"));
  out = out.WithAttr("ssl_version", Value::String((*session_status)["Ssl_version"]));
  out = out.WithAttr("ssl_cipher", Value::String(cipher));
  out = out.WithAttr("version", Value::String(info->version));
  out = out.WithAttr("wsrep", Value::Map(Type::String(), std::move(all)));
  state = out;
}

}  // namespace pxc::resources
