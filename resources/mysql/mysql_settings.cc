#include "resources/mysql/mysql_settings.h"

#include <cstdlib>

namespace pxc::resources::mysql_settings {

using schema::AttributePath;
using schema::OptionalAttr;
using schema::Type;
using schema::Value;

namespace {

constexpr char kDefaultEndpointNote[] =
    "Set `endpoint` in the provider's `mysql` block, in the resource's `mysql` block or in "
    "PXC_MYSQL_ENDPOINT.";

// The value of a `mysql` block attribute (or of its `tls` block when `tls`):
// the object's block first, then the provider's.
Value Pick(const Value& obj, const Value& provider_mysql, const std::string& name, bool tls) {
  auto from = [&](const Value& block) -> Value {
    if (!block.IsKnown()) return Value::Null(Type::Dynamic());
    Value b = block;
    if (tls) {
      b = b.GetAttr("tls");
      if (!b.IsKnown()) return Value::Null(Type::Dynamic());
    }
    return b.GetAttr(name);
  };
  Value v = from(obj);
  if (!v.IsNull()) return v;
  return from(provider_mysql);
}

bool HasTls(const Value& block) { return block.IsKnown() && block.GetAttr("tls").IsKnown(); }

Value BlockOf(const Value& obj) {
  if (!obj.IsKnown() || !obj.type().attributes().count("mysql")) {
    return Value::Null(Type::Dynamic());
  }
  return obj.GetAttr("mysql");
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

}  // namespace

schema::NestedBlock MysqlBlock(bool for_provider) {
  schema::NestedBlock b;
  b.type_name = "mysql";
  b.nesting = schema::Nesting::kSingle;
  b.block.description =
      for_provider
          ? "Defaults for the MySQL connection used by `pxc_ssl_user` and `pxc_cluster_status` "
            "(e.g. through HAProxy). Each resource or data source can override any attribute "
            "with its own `mysql` block. Connections are opened only when SQL is needed (never "
            "for a plan that reads no state) and pooled per endpoint."
          : "Overrides the provider's `mysql` block for this object, attribute by attribute "
            "(unset attributes fall back to the provider's block, then to the environment).";
  auto& a = b.block.attributes;
  a.push_back(OptionalAttr("endpoint", Type::String())
                  .Describe("Server address: `host`, `host:port`, `[ipv6]:port` or "
                            "`unix:/path/to/mysqld.sock`. Port 3306 by default. Falls back to "
                            "`PXC_MYSQL_ENDPOINT`."));
  a.push_back(OptionalAttr("username", Type::String())
                  .Describe("User to connect as (needs CREATE USER and GRANT OPTION for "
                            "`pxc_ssl_user`). Falls back to `PXC_MYSQL_USERNAME`."));
  a.push_back(OptionalAttr("password", Type::String())
                  .Sensitive()
                  .Describe("Password of `username`. Falls back to `PXC_MYSQL_PASSWORD`. Never "
                            "logged."));
  a.push_back(OptionalAttr("connect_timeout_seconds", Type::Number())
                  .Validate(schema::IntBetween(1, 600))
                  .Describe("Timeout for connecting. Default 10."));
  schema::NestedBlock tls;
  tls.type_name = "tls";
  tls.nesting = schema::Nesting::kSingle;
  tls.block.description =
      "Connect with TLS. When the block is present the connection must be encrypted "
      "(unless `required = false`).";
  auto& t = tls.block.attributes;
  t.push_back(OptionalAttr("ca_pem", Type::String())
                  .Describe("CA certificate(s) in PEM that the server's certificate must chain "
                            "to. When set, the chain is always verified and, unless "
                            "`verify_server_cert = false`, so is the server's name."));
  t.push_back(OptionalAttr("cert_pem", Type::String())
                  .Describe("Client certificate in PEM (for accounts with REQUIRE X509, SUBJECT "
                            "or ISSUER). Requires `key_pem`."));
  t.push_back(OptionalAttr("key_pem", Type::String())
                  .Sensitive()
                  .Describe("Private key of `cert_pem` in PEM."));
  t.push_back(OptionalAttr("verify_server_cert", Type::Bool())
                  .Describe("Check that the server certificate names the host of `endpoint` "
                            "(a DNS or IP subjectAltName). Default: true when `ca_pem` is set, "
                            "so that a certificate of the right CA issued for another name "
                            "(any other node's) is refused; false without `ca_pem`. `false` "
                            "with `ca_pem` accepts any certificate of that CA and warns at "
                            "plan."));
  t.push_back(OptionalAttr("server_name", Type::String())
                  .Describe("The name the server certificate must carry; the client library "
                            "checks the connection host only, so this must equal the host of "
                            "`endpoint`."));
  t.push_back(OptionalAttr("required", Type::Bool())
                  .Describe("Fail unless TLS is negotiated. Default true."));
  b.block.blocks.push_back(std::move(tls));
  return b;
}

StatusOr<SqlEndpoint> ParseEndpoint(const std::string& text) {
  SqlEndpoint ep;
  if (text.starts_with("unix:")) {
    ep.socket = text.substr(5);
    if (ep.socket.empty() || ep.socket[0] != '/') {
      return InvalidArgumentError("endpoint \"" + text +
                                  "\": a socket needs an absolute path, e.g. "
                                  "unix:/run/mysqld/mysqld.sock");
    }
    ep.host = "localhost";
    return ep;
  }
  std::string host = text, port;
  if (text.starts_with("[")) {
    auto close = text.find(']');
    if (close == std::string::npos) {
      return InvalidArgumentError("endpoint \"" + text + "\": missing ']' after an IPv6 address");
    }
    host = text.substr(1, close - 1);
    std::string rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') {
        return InvalidArgumentError("endpoint \"" + text + "\": expected :port after ']'");
      }
      port = rest.substr(1);
    }
  } else {
    auto colon = text.rfind(':');
    if (colon != std::string::npos) {
      if (text.find(':') != colon) {
        return InvalidArgumentError("endpoint \"" + text +
                                    "\": write an IPv6 address in brackets, e.g. [::1]:3306");
      }
      host = text.substr(0, colon);
      port = text.substr(colon + 1);
    }
  }
  if (host.empty()) {
    return InvalidArgumentError("endpoint \"" + text + "\" has no host; write host:port");
  }
  ep.host = host;
  if (!port.empty() || text.ends_with(":")) {
    int p = 0;
    bool ok = !port.empty() && port.size() <= 5;
    for (char c : port) ok = ok && c >= '0' && c <= '9';
    if (ok) p = std::stoi(port);
    if (!ok || p < 1 || p > 65535) {
      return InvalidArgumentError("endpoint \"" + text + "\": the port must be 1-65535");
    }
    ep.port = p;
  }
  return ep;
}

void Validate(const Value& obj, const AttributePath& at, schema::Diagnostics& diags) {
  if (!obj.IsKnown()) return;
  Value m = obj.GetAttr("mysql");
  if (!m.IsKnown()) return;
  const AttributePath mp = at.empty() ? AttributePath::Root("mysql") : at.Attr("mysql");
  if (auto e = m.GetString("endpoint")) {
    auto parsed = ParseEndpoint(*e);
    if (!parsed.ok()) {
      diags.AddStatus(parsed.status(), "Invalid MySQL Endpoint", "", mp.Attr("endpoint"));
    }
  }
  Value tls = m.GetAttr("tls");
  if (tls.IsKnown()) {
    Value c = tls.GetAttr("cert_pem"), k = tls.GetAttr("key_pem");
    if (c.IsKnown() != k.IsKnown() && !c.IsUnknown() && !k.IsUnknown()) {
      diags.AddError("Incomplete Client Certificate",
                     "tls.cert_pem and tls.key_pem must be given together.",
                     mp.Attr("tls").Attr(c.IsKnown() ? "key_pem" : "cert_pem"));
    }
  }
}

std::optional<SqlEndpoint> Resolve(const Value& obj, const schema::ProviderContext& provider,
                                   schema::Diagnostics& diags) {
  Value own = BlockOf(obj);
  Value prov = BlockOf(provider.config);
  auto str = [&](const char* n, bool tls = false) -> std::optional<std::string> {
    Value v = Pick(own, prov, n, tls);
    if (!v.IsKnown()) return std::nullopt;
    return v.AsString();
  };
  std::string endpoint = str("endpoint").value_or(Env("PXC_MYSQL_ENDPOINT"));
  if (endpoint.empty()) {
    diags.AddError("No MySQL Endpoint",
                   std::string("No MySQL server is configured. ") + kDefaultEndpointNote);
    return std::nullopt;
  }
  auto ep = ParseEndpoint(endpoint);
  if (!ep.ok()) {
    diags.AddStatus(ep.status(), "Invalid MySQL Endpoint");
    return std::nullopt;
  }
  ep->user = str("username").value_or(Env("PXC_MYSQL_USERNAME"));
  if (ep->user.empty()) {
    diags.AddError("No MySQL Username",
                   "No user to connect to " + endpoint +
                       " as. Set `username` in the provider's or the resource's `mysql` block, "
                       "or PXC_MYSQL_USERNAME.");
    return std::nullopt;
  }
  ep->password = str("password").value_or(Env("PXC_MYSQL_PASSWORD"));
  Value timeout = Pick(own, prov, "connect_timeout_seconds", false);
  if (timeout.IsKnown() && timeout.AsNumber().IsInt64()) {
    ep->connect_timeout_seconds = static_cast<int>(timeout.AsNumber().AsInt64());
  }
  if (HasTls(own) || HasTls(prov)) {
    SqlTls tls;
    tls.ca_pem = str("ca_pem", true).value_or("");
    tls.cert_pem = str("cert_pem", true).value_or("");
    tls.key_pem = str("key_pem", true).value_or("");
    tls.server_name = str("server_name", true).value_or("");
    // With ca_pem the server's name is verified unless explicitly turned off
    // (any certificate of the cluster CA would do otherwise: every node's,
    // and every pxc_node_cert with usage server_and_client).
    Value verify = Pick(own, prov, "verify_server_cert", true);
    tls.verify_server_cert = verify.IsKnown() ? verify.AsBool() : !tls.ca_pem.empty();
    Value required = Pick(own, prov, "required", true);
    tls.required = !required.IsKnown() || required.AsBool();
    ep->tls = std::move(tls);
  }
  return *std::move(ep);
}

void AddTransportWarnings(const Value& obj, const schema::ProviderContext& provider,
                          schema::Diagnostics& diags, const AttributePath& at) {
  Value own = BlockOf(obj);
  Value prov = BlockOf(provider.config);
  if (!obj.IsKnown() || own.IsUnknown() || prov.IsUnknown()) return;
  const AttributePath mp = at.empty() ? AttributePath::Root("mysql") : at.Attr("mysql");
  Value endpoint_v = Pick(own, prov, "endpoint", false);
  std::string endpoint = endpoint_v.IsKnown() ? endpoint_v.AsString() : Env("PXC_MYSQL_ENDPOINT");
  if (endpoint_v.IsUnknown()) endpoint.clear();
  const std::string server = endpoint.empty() ? "the MySQL server" : endpoint;
  if (!HasTls(own) && !HasTls(prov)) {
    if (own.IsUnknown() || (own.IsKnown() && own.GetAttr("tls").IsUnknown())) return;
    diags.AddWarning(
        "MySQL Connection Without TLS",
        "The connection to " + server +
            " has no `tls` block, so the login of `username`, every statement and, for "
            "pxc_ssl_user, every password it sets travel in clear: anyone on the network path "
            "can read them. Add `tls { ca_pem = pxc_ca.<name>.cert_pem }` to the provider's or "
            "this object's `mysql` block.",
        mp);
    return;
  }
  Value ca = Pick(own, prov, "ca_pem", true);
  Value verify = Pick(own, prov, "verify_server_cert", true);
  if (ca.IsUnknown() || verify.IsUnknown()) return;
  const bool has_ca = ca.IsKnown() && !ca.AsString().empty();
  if (has_ca && verify.IsKnown() && !verify.AsBool()) {
    diags.AddWarning(
        "MySQL Server Name Not Verified",
        "verify_server_cert = false: any server holding a certificate from the CA in ca_pem is "
        "accepted as " +
            server +
            " (every node certificate, and every pxc_node_cert with usage = "
            "\"server_and_client\"), so a machine in the middle holding one can relay the "
            "login and read what is sent, passwords included. Put the endpoint's name or address "
            "in the server certificates (ip_addresses / dns_names of pxc_node_cert) and remove "
            "verify_server_cert = false.",
        mp.Attr("tls").Attr("verify_server_cert"));
  } else if (!has_ca && !(verify.IsKnown() && verify.AsBool())) {
    diags.AddWarning(
        "MySQL Server Not Authenticated",
        "The connection to " + server +
            " is encrypted, but without ca_pem the server's certificate is not checked: a "
            "machine in the middle can pose as the server and read the login and every "
            "password sent. Set `ca_pem` in the `tls` block (e.g. pxc_ca.<name>.cert_pem).",
        mp.Attr("tls"));
  }
}

SqlPool& Pool() {
  static SqlPool* pool = new SqlPool();  // never destroyed: used until exit
  return *pool;
}

void AddSqlError(const Status& st, const std::string& what, schema::Diagnostics& diags,
                 std::optional<AttributePath> path) {
  std::string hint;
  switch (st.code()) {
    case StatusCode::kUnavailable:
      hint =
          "Check that the server (or HAProxy) is up and reachable from where Terraform runs, "
          "and the TLS settings of the `mysql` block.";
      break;
    case StatusCode::kPermissionDenied:
      hint =
          "Check the `mysql` block's username and password (or PXC_MYSQL_USERNAME / "
          "PXC_MYSQL_PASSWORD) and that the user has CREATE USER and GRANT OPTION.";
      break;
    default:
      break;
  }
  diags.AddStatus(st, what, hint, path);
}

std::optional<Session> Connect(const Value& obj, const schema::ProviderContext& provider,
                               const std::string& what, schema::Diagnostics& diags) {
  auto ep = Resolve(obj, provider, diags);
  if (!ep) return std::nullopt;
  auto handle = Pool().Acquire(*ep);
  if (!handle.ok()) {
    AddSqlError(handle.status(), what, diags);
    return std::nullopt;
  }
  auto info = (*handle)->Info();
  if (!info.ok()) {
    AddSqlError(info.status(), what, diags);
    return std::nullopt;
  }
  SqlDialect dialect = SqlDialect::From(*info, (*handle)->NoBackslashEscapes());
  if (!dialect.IsMariaDB() && dialect.major >= 8) {
    // MySQL 8.0.16+: with partial_revokes = ON, `_` and `%` in database
    // names of GRANT are literal (no such variable before 8.0.16: wildcards).
    auto pr = (*handle)->Query("SELECT @@GLOBAL.partial_revokes");
    if (pr.ok() && !pr->rows.empty() && !pr->rows[0].empty()) {
      dialect.db_wildcards = pr->rows[0][0].value_or("0") != "1";
    }
  }
  return Session{*std::move(handle), dialect};
}

}  // namespace pxc::resources::mysql_settings
