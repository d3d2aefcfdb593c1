// MySQL connection settings shared by pxc_ssl_user and pxc_cluster_status:
// the provider-level `mysql` block, the same block on each resource / data
// source as an override, and the resolution of
//   resource `mysql` block > provider `mysql` block > environment > default
// into a SqlEndpoint, attribute by attribute (so a resource can override only
// `endpoint` and keep the provider's credentials and TLS settings).
//
// Environment fallbacks: PXC_MYSQL_ENDPOINT, PXC_MYSQL_USERNAME,
// PXC_MYSQL_PASSWORD. Connections come from one process-wide SqlPool and are
// opened only when a resource really runs SQL (Read, Create, Update, Delete,
// never while planning).
//
// Thread-safety: all functions are thread-safe.
#pragma once

#include <optional>
#include <string>

#include "resources/mysql/sql_client.h"
#include "resources/mysql/user_sql.h"
#include "schema/resource.h"

namespace pxc::resources::mysql_settings {

// The `mysql` block (nesting single): endpoint, username, password,
// connect_timeout_seconds and a nested `tls` block (ca_pem, cert_pem,
// key_pem, verify_server_cert, server_name, required). `for_provider`
// only changes the description.
schema::NestedBlock MysqlBlock(bool for_provider);

// Parses "host", "host:port", "[v6addr]:port" or "unix:/path/to.sock".
// kInvalidArgument with a message saying what to write otherwise.
StatusOr<SqlEndpoint> ParseEndpoint(const std::string& text);

// Checks a `mysql` block value (may be null or contain unknowns): endpoint
// syntax, cert_pem and key_pem together. Diagnostics at `at`.mysql....
void Validate(const schema::Value& obj, const schema::AttributePath& at,
              schema::Diagnostics& diags);

// Resolves the endpoint for an object holding a `mysql` block (resource
// state, plan or data source config) and the provider configuration. Adds an
// error diagnostic and returns nullopt when no endpoint or user is configured
// or a value is invalid.
std::optional<SqlEndpoint> Resolve(const schema::Value& obj,
                                   const schema::ProviderContext& provider,
                                   schema::Diagnostics& diags);

// Warnings about what an object's effective `mysql` settings (its block,
// then the provider's) leave open to someone on the network path: no `tls`
// block (credentials and passwords in clear), `tls` without ca_pem (server
// not authenticated), verify_server_cert = false with ca_pem (any
// certificate of the CA accepted). Unknown values give no warning. For
// plan time (resources) and data source reads; paths under `at`.mysql.
void AddTransportWarnings(const schema::Value& obj, const schema::ProviderContext& provider,
                          schema::Diagnostics& diags,
                          const schema::AttributePath& at = schema::AttributePath());

// The process-wide pool.
SqlPool& Pool();

// A pooled connection with the server's dialect.
struct Session {
  SqlPool::Handle conn;
  SqlDialect dialect;
};

// Resolves, connects and detects the dialect. On failure adds a diagnostic
// (summary `what`, detail naming the endpoint and what to check) and returns
// nullopt.
std::optional<Session> Connect(const schema::Value& obj, const schema::ProviderContext& provider,
                               const std::string& what, schema::Diagnostics& diags);

// Turns a SQL Status into a diagnostic with a hint by code.
void AddSqlError(const Status& st, const std::string& what, schema::Diagnostics& diags,
                 std::optional<schema::AttributePath> path = std::nullopt);

}  // namespace pxc::resources::mysql_settings
