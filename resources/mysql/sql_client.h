// A small, safe SQL client for MySQL-protocol servers (MariaDB, MySQL,
// Percona Server / Percona XtraDB Cluster) over MariaDB Connector/C.
//
// What it adds to the C library:
//  - RAII for the MYSQL handle (SqlConnection is move-only; mysql_close on
//    destruction), one-time library initialisation and per-thread
//    mysql_thread_init/mysql_thread_end.
//  - TLS material given as PEM text. Connector/C only reads files, so the PEM
//    is written to a private directory (mkdtemp, 0700; files 0600, created
//    O_EXCL|O_NOFOLLOW) that is removed right after mysql_real_connect
//    returns, on success and on every error path (the key file is overwritten
//    with zeros before it is unlinked).
//  - One error converter (StatusFromMysqlError): the server's or library's
//    own text, the error number and the endpoint ("user" at host:port) in
//    every message; never the password.
//  - Safe defaults: utf8mb4 (requested at the handshake and set again after
//    login, SET NAMES, in case the server switched it), no multi-statements,
//    LOAD DATA LOCAL disabled, no option files read, no automatic reconnect,
//    bounded timeouts, bounded results (see Query).
//  - SqlPool: connection reuse per endpoint, thread-safe.
//
// Thread safety: a SqlConnection is used by one thread at a time (it may move
// between threads). SqlPool is fully thread-safe. Free functions are
// thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schema/status.h"

// Connector/C's handle type; <mysql.h> stays out of this header.
typedef struct st_mysql MYSQL;

namespace pxc::resources {

// TLS settings for a client connection. PEM text, never file paths. The key
// is overwritten (OPENSSL_cleanse) when the object is destroyed.
struct SqlTls {
  SqlTls() = default;
  SqlTls(const SqlTls&) = default;
  SqlTls(SqlTls&&) = default;
  SqlTls& operator=(const SqlTls&) = default;
  SqlTls& operator=(SqlTls&&) = default;
  ~SqlTls();

  // CA certificate(s) used to verify the server's certificate chain. When set,
  // Connector/C always verifies the chain (even without verify_server_cert).
  std::string ca_pem;
  // Client certificate and its private key, for accounts with REQUIRE X509,
  // SUBJECT or ISSUER. Both or neither.
  std::string cert_pem;
  std::string key_pem;
  // Also check that the server certificate names the host (DNS or IP SAN).
  // Without ca_pem the system trust store is used.
  bool verify_server_cert = false;
  // The name the certificate must carry. Connector/C checks the certificate
  // against the connection host only, so a non-empty server_name must equal
  // `host` (case-insensitively); anything else is kInvalidArgument. Connect by
  // the certificate's name (e.g. host = "db1.example.com") instead.
  std::string server_name;
  // Fail unless TLS is negotiated: TLS is requested (MYSQL_OPT_SSL_ENFORCE)
  // and Connect fails with kUnavailable if the session has no cipher, so no
  // statement is ever sent in plain text. Caveat (Connector/C 3.3): only
  // verify_server_cert makes the library refuse a server that offers no TLS
  // *before* the login packet; with `required` alone, the user name and the
  // password scramble reach such a server unencrypted before Connect fails.
  // Use verify_server_cert where that matters. Without `required`, TLS is
  // requested only when ca_pem, cert_pem or verify_server_cert is set, and a
  // server without TLS is then accepted in plain text (except with
  // verify_server_cert, which always refuses it).
  bool required = false;
};

// Where and how to connect. Either TCP (host, port) or, when `socket` is
// set, a Unix socket (host and port are then only used in messages). The
// password is overwritten (OPENSSL_cleanse) when the object is destroyed.
struct SqlEndpoint {
  SqlEndpoint() = default;
  SqlEndpoint(const SqlEndpoint&) = default;
  SqlEndpoint(SqlEndpoint&&) = default;
  SqlEndpoint& operator=(const SqlEndpoint&) = default;
  SqlEndpoint& operator=(SqlEndpoint&&) = default;
  ~SqlEndpoint();

  std::string host = "127.0.0.1";
  int port = 3306;
  std::string socket;
  std::string user;
  std::string password;  // secret: never logged, never in messages
  std::optional<SqlTls> tls;
  int connect_timeout_seconds = 10;
  int read_timeout_seconds = 30;  // also used as the write timeout
};

// `"user" at host:port` or `"user" at unix socket /path`: how messages name an
// endpoint. Never includes the password.
std::string DescribeEndpoint(const SqlEndpoint& endpoint);

// The status code used for a MySQL/MariaDB server or client error number:
//  - access denied (1044, 1045, 1142, 1143, 1227, 1698, 3159 ...)
//    -> kPermissionDenied;
//  - cannot connect / connection lost / server busy or not ready (2002, 2003,
//    2005, 2006, 2013, 2026 TLS handshake or certificate failure, 2055, 1040,
//    1047 Galera node not ready, 1205, 1213 ...) -> kUnavailable;
//  - unknown database, table, user or grant (1049, 1146, 1141, 1133, 1147)
//    -> kNotFound;
//  - syntax errors and bad values (1064, 1054, 1046, 1470, 1819, ...)
//    -> kInvalidArgument;
//  - operation failed on an account (1396), missing plugin (1524), read-only
//    server (1290, 1836) -> kFailedPrecondition;
//  - anything else -> kInternal for server errors, kUnavailable for client
//    library errors (2000-2999).
StatusCode StatusCodeForMysqlError(unsigned int error_number);

// Builds the Status for a failed call: "<context>: <message> (error <n>)"
// with the code from StatusCodeForMysqlError. `context` should name what was
// being done and the endpoint (see DescribeEndpoint).
Status StatusFromMysqlError(unsigned int error_number, std::string_view message,
                            std::string_view context);

// A statement with the secrets it carries (e.g. the quoted password literal
// of CREATE USER ... IDENTIFIED BY '...'). `secrets` hold the exact text as it
// appears inside `sql`; they are removed from error messages, and a syntax
// error (which echoes statement text) on such a statement is reported without
// the server's excerpt.
struct SqlStatement {
  std::string sql;
  std::vector<std::string> secrets;

  // `sql` with every secret replaced by '<redacted>': safe to log.
  std::string Redacted() const;
  bool operator==(const SqlStatement&) const = default;
};

// The rows of a query. NULL is std::nullopt; values are the server's text
// (binary-safe).
struct SqlResult {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
};

// The two calls resources need, so that unit tests can give logic a fake.
class SqlExecutor {
 public:
  virtual ~SqlExecutor() = default;
  // Runs a statement, discarding any result set.
  virtual Status Execute(const SqlStatement& statement) = 0;
  // Runs a statement and returns its result set (empty when it has none).
  virtual StatusOr<SqlResult> Query(const std::string& sql) = 0;
};

// One open connection. Move-only; closed on destruction.
class SqlConnection final : public SqlExecutor {
 public:
  using Result = SqlResult;

  struct ServerInfo {
    std::string version;  // SELECT VERSION(), e.g. "10.11.19-MariaDB-0+deb12u1"
    std::string flavor;   // "mariadb", "mysql" or "percona"
    int major = 0;
    int minor = 0;
    int patch = 0;
  };

  // Opens a connection. TLS files (if any) exist only for the duration of
  // mysql_real_connect. Errors (see StatusCodeForMysqlError) name the
  // endpoint: kPermissionDenied for rejected credentials or a missing client
  // certificate, kUnavailable for network/TLS failures and when `tls.required`
  // is set but the session is not encrypted, kInvalidArgument for an invalid
  // endpoint (empty user, cert without key, server_name != host, ...),
  // kInternal when the temporary TLS files cannot be written.
  [[nodiscard]] static StatusOr<SqlConnection> Connect(const SqlEndpoint& endpoint);

  SqlConnection(SqlConnection&& other) noexcept;
  SqlConnection& operator=(SqlConnection&& other) noexcept;
  SqlConnection(const SqlConnection&) = delete;
  SqlConnection& operator=(const SqlConnection&) = delete;
  ~SqlConnection() override;

  // Runs one statement (multi-statements are disabled), discarding results.
  Status Execute(const std::string& sql);
  Status Execute(const SqlStatement& statement) override;
  // Runs one statement and returns all rows of its first result set. A
  // result of more than 16 MiB is kFailedPrecondition, and the connection
  // is closed (broken()) rather than drained.
  StatusOr<Result> Query(const std::string& sql) override;

  // Server version and flavor (VERSION() and @@version_comment).
  StatusOr<ServerInfo> Info();
  // The session's TLS cipher (SHOW SESSION STATUS LIKE 'Ssl_cipher'); "" when
  // the connection is not encrypted.
  StatusOr<std::string> TlsCipher();
  // `s` as a string literal for this connection ('...'), escaped by
  // mysql_real_escape_string, which follows the session's
  // NO_BACKSLASH_ESCAPES mode and character set (utf8mb4).
  std::string Quote(std::string_view s);
  // Whether the session's sql_mode has NO_BACKSLASH_ESCAPES (as last
  // reported by the server), for building statements offline (user_sql.h).
  bool NoBackslashEscapes() const;
  // Round trip to the server; kUnavailable when the connection is gone.
  Status Ping();
  // True after an error that lost the connection (2006, 2013, ...): the pool
  // then drops it instead of reusing it.
  bool broken() const { return broken_; }
  // `"user" at host:port`, for messages.
  const std::string& endpoint_description() const { return description_; }

  // The private directory the most recent Connect (on any thread) used for
  // TLS files, "" when none was needed. For tests that check it is gone.
  static std::string LastTlsDirForTesting();

 private:
  struct MysqlCloser {
    void operator()(MYSQL* m) const;
  };
  SqlConnection(std::unique_ptr<MYSQL, MysqlCloser> mysql, std::string description);
  Status RunQuery(std::string_view sql, const std::vector<std::string>& secrets,
                  std::string_view what);
  Status ErrorStatus(std::string_view what, const std::vector<std::string>& secrets);

  std::unique_ptr<MYSQL, MysqlCloser> mysql_;
  std::string description_;
  bool broken_ = false;
};

// Reuses connections per endpoint. The pool key covers every field of the
// endpoint (host, port, socket, user, password, TLS material and flags,
// timeouts), so two endpoints share connections only if they are identical;
// it is a salted SHA-256 of them, so the pool keeps no password or key.
// Lazy: nothing is opened before the first Acquire. Connections are opened
// outside the pool's lock, so a slow server does not block other endpoints.
// Thread-safe; Handles may outlive the SqlPool object.
class SqlPool {
 public:
  struct Options {
    // Idle connections kept per endpoint; extra ones are closed on return.
    size_t max_idle_per_endpoint = 4;
    // An idle connection older than this is pinged before reuse (and
    // replaced if the ping fails).
    std::chrono::seconds ping_after_idle{30};
  };
  struct Stats {
    uint64_t opened = 0;   // connections opened
    uint64_t reused = 0;   // Acquire calls served from the idle list
    uint64_t dropped = 0;  // broken or discarded connections closed
    size_t idle = 0;       // idle connections now
  };

  // Exclusive use of one connection; returns it to the pool on destruction
  // unless it is broken or Discard() was called. Move-only.
  class Handle {
   public:
    Handle(Handle&& other) noexcept;
    Handle& operator=(Handle&& other) noexcept;
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    ~Handle();

    SqlConnection& operator*() { return *conn_; }
    SqlConnection* operator->() { return &*conn_; }
    // Closes the connection instead of returning it (e.g. after changing
    // session state).
    void Discard();

   private:
    friend class SqlPool;
    struct Shared;
    Handle(std::shared_ptr<Shared> shared, std::string key, SqlConnection conn);
    void Release();
    std::shared_ptr<Shared> shared_;
    std::string key_;
    std::optional<SqlConnection> conn_;
  };

  SqlPool();
  explicit SqlPool(Options options);
  ~SqlPool();
  SqlPool(const SqlPool&) = delete;
  SqlPool& operator=(const SqlPool&) = delete;

  // An idle connection to `endpoint` or a new one (errors as
  // SqlConnection::Connect).
  [[nodiscard]] StatusOr<Handle> Acquire(const SqlEndpoint& endpoint);
  Stats stats() const;
  // Closes all idle connections.
  void Clear();

 private:
  std::shared_ptr<Handle::Shared> shared_;
};

}  // namespace pxc::resources
