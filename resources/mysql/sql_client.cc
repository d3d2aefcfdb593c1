// Implementation of resources/mysql/sql_client.h over MariaDB Connector/C.
// About 800 lines in one file: the connection, its TLS files, error
// classification and the pool all hold MYSQL handles and share their
// clean-up rules, which a split would spread over several files.
#include "resources/mysql/sql_client.h"

#include <errmsg.h>
#include <fcntl.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <utility>

#include "schema/text.h"

namespace pxc::resources {
namespace {

// ---------------------------------------------------------------------------
// Library and thread initialisation.

void EnsureLibraryAndThread() {
  static std::once_flag once;
  std::call_once(once, [] { mysql_library_init(0, nullptr, nullptr); });
  struct ThreadState {
    ThreadState() { mysql_thread_init(); }
    ~ThreadState() { mysql_thread_end(); }
  };
  thread_local ThreadState state;
  (void)state;
}

// ---------------------------------------------------------------------------
// Small helpers.

std::string ErrnoText(int err) {
  char buf[256];
  // GNU strerror_r may return a static string instead of filling buf.
  const char* s = strerror_r(err, buf, sizeof buf);
  return s ? std::string(s) : std::string("errno ") + std::to_string(err);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    unsigned char x = static_cast<unsigned char>(a[i]);
    unsigned char y = static_cast<unsigned char>(b[i]);
    if (x >= 'A' && x <= 'Z') x = static_cast<unsigned char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<unsigned char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

void ReplaceAll(std::string* s, std::string_view from, std::string_view to) {
  if (from.empty()) return;
  size_t pos = 0;
  while ((pos = s->find(from, pos)) != std::string::npos) {
    s->replace(pos, from.size(), to);
    pos += to.size();
  }
}

// Removes every secret (and, for quoted literals, the unquoted inner text)
// from a message.
std::string Scrub(std::string message, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    ReplaceAll(&message, secret, "<redacted>");
    if (secret.size() > 2 && secret.front() == '\'' && secret.back() == '\'') {
      ReplaceAll(&message, std::string_view(secret).substr(1, secret.size() - 2), "<redacted>");
    }
  }
  return message;
}

std::mutex g_last_tls_dir_mu;
std::string g_last_tls_dir;  // guarded by g_last_tls_dir_mu

void SetLastTlsDir(const std::string& dir) {
  std::lock_guard<std::mutex> lock(g_last_tls_dir_mu);
  g_last_tls_dir = dir;
}

// Owns the private directory holding the PEM files for one connect attempt.
// Remove() deletes them (key overwritten with zeros first); the destructor
// calls it too so that no path (including exceptions) leaves files behind.
class TlsFiles {
 public:
  TlsFiles() = default;
  TlsFiles(const TlsFiles&) = delete;
  TlsFiles& operator=(const TlsFiles&) = delete;
  ~TlsFiles() { Remove(); }

  Status CreateDir() {
    std::error_code ec;
    std::filesystem::path base = std::filesystem::temp_directory_path(ec);
    if (ec) base = "/tmp";
    std::string tmpl = (base / "pxc-sql-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) {
      return InternalError("creating a private directory for TLS files under " + base.string() +
                           ": " + ErrnoText(errno));
    }
    dir_ = tmpl;
    // mkdtemp creates 0700 already; be explicit in case of an odd umask.
    if (chmod(dir_.c_str(), 0700) != 0) {
      return InternalError("chmod 0700 " + dir_ + ": " + ErrnoText(errno));
    }
    SetLastTlsDir(dir_);
    return OkStatus();
  }

  // Writes `pem` to <dir>/<name> with mode 0600 and returns the path.
  StatusOr<std::string> Write(const char* name, const std::string& pem, bool secret) {
    std::string path = dir_ + "/" + name;
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return InternalError("creating " + path + ": " + ErrnoText(errno));
    files_.push_back({path, secret ? pem.size() : 0});
    if (fchmod(fd, 0600) != 0) {
      int err = errno;
      close(fd);
      return InternalError("chmod 0600 " + path + ": " + ErrnoText(err));
    }
    size_t done = 0;
    while (done < pem.size()) {
      ssize_t n = write(fd, pem.data() + done, pem.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        int err = errno;
        close(fd);
        return InternalError("writing " + path + ": " + ErrnoText(err));
      }
      done += static_cast<size_t>(n);
    }
    if (close(fd) != 0) return InternalError("closing " + path + ": " + ErrnoText(errno));
    return path;
  }

  void Remove() {
    for (const File& f : files_) {
      if (f.wipe_bytes > 0) {
        int fd = open(f.path.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) {
          std::string zeros(f.wipe_bytes, '\0');
          ssize_t ignored = write(fd, zeros.data(), zeros.size());
          (void)ignored;
          fsync(fd);
          close(fd);
        }
      }
      unlink(f.path.c_str());
    }
    files_.clear();
    if (!dir_.empty()) {
      rmdir(dir_.c_str());
      dir_.clear();
    }
  }

 private:
  struct File {
    std::string path;
    size_t wipe_bytes;
  };
  std::string dir_;
  std::vector<File> files_;
};

int ClampTimeout(int seconds) { return seconds <= 0 ? 1 : seconds; }

// What a query may return (values plus one byte per field), and the largest
// packet the library accepts: a server (or a machine posing as one) cannot
// make the provider use unbounded memory.
constexpr size_t kMaxResultBytes = 16u << 20;
constexpr unsigned long kMaxPacketBytes = 16ul << 20;

}  // namespace

SqlTls::~SqlTls() { WipeString(&key_pem); }
SqlEndpoint::~SqlEndpoint() { WipeString(&password); }

// ---------------------------------------------------------------------------
// Errors.

std::string DescribeEndpoint(const SqlEndpoint& endpoint) {
  std::string where = endpoint.socket.empty() ? endpoint.host + ":" + std::to_string(endpoint.port)
                                              : "unix socket " + endpoint.socket;
  return "\"" + endpoint.user + "\" at " + where;
}

StatusCode StatusCodeForMysqlError(unsigned int n) {
  switch (n) {
    case ER_DBACCESS_DENIED_ERROR:            // 1044
    case ER_ACCESS_DENIED_ERROR:              // 1045
    case ER_TABLEACCESS_DENIED_ERROR:         // 1142
    case ER_COLUMNACCESS_DENIED_ERROR:        // 1143
    case ER_SPECIFIC_ACCESS_DENIED_ERROR:     // 1227
    case ER_HOST_NOT_PRIVILEGED:              // 1130
    case ER_PASSWORD_ANONYMOUS_USER:          // 1131
    case ER_PROCACCESS_DENIED_ERROR:          // 1370
    case ER_ACCESS_DENIED_NO_PASSWORD_ERROR:  // 1698
    case ER_ACCESS_DENIED_CHANGE_USER_ERROR:  // 1873
    case 1251:                                // client does not support auth protocol
    case 1820:                                // must reset password (expired)
    case 1862:                                // password expired
    case 3159:                                // MySQL: insecure transport prohibited
    case 4151:                                // MariaDB: account locked
    case 3118:                                // MySQL: account locked
      return StatusCode::kPermissionDenied;
    case ER_CON_COUNT_ERROR:            // 1040 too many connections
    case ER_UNKNOWN_COM_ERROR:          // 1047 (Galera: node not ready)
    case ER_SERVER_SHUTDOWN:            // 1053
    case ER_LOCK_WAIT_TIMEOUT:          // 1205
    case ER_LOCK_DEADLOCK:              // 1213
    case ER_TOO_MANY_USER_CONNECTIONS:  // 1203
    case ER_HOST_IS_BLOCKED:            // 1129
    case 1180:                          // error during commit (Galera conflict)
    case 4031:                          // MariaDB: disconnected (interactive timeout)
      return StatusCode::kUnavailable;
    case ER_BAD_DB_ERROR:             // 1049
    case ER_NO_SUCH_TABLE:            // 1146
    case ER_NONEXISTING_GRANT:        // 1141
    case ER_NONEXISTING_TABLE_GRANT:  // 1147
    case ER_NONEXISTING_PROC_GRANT:   // 1403
    case ER_SP_DOES_NOT_EXIST:        // 1305
    case ER_PASSWORD_NO_MATCH:        // 1133 no such account
      return StatusCode::kNotFound;
    case ER_PARSE_ERROR:               // 1064
    case ER_SYNTAX_ERROR:              // 1149
    case ER_BAD_FIELD_ERROR:           // 1054
    case ER_NO_DB_ERROR:               // 1046
    case ER_WRONG_STRING_LENGTH:       // 1470
    case ER_UNKNOWN_SYSTEM_VARIABLE:   // 1193
    case ER_WRONG_VALUE_FOR_VAR:       // 1231
    case ER_WRONG_DB_NAME:             // 1102
    case ER_WRONG_TABLE_NAME:          // 1103
    case ER_ILLEGAL_GRANT_FOR_TABLE:   // 1144
    case ER_GRANT_WRONG_HOST_OR_USER:  // 1145
    case ER_NOT_VALID_PASSWORD:        // 1819
    case ER_PASSWD_LENGTH:             // 1372
    case ER_TOO_LONG_IDENT:            // 1059
      return StatusCode::kInvalidArgument;
    case ER_CANNOT_USER:                  // 1396
    case ER_PLUGIN_IS_NOT_LOADED:         // 1524
    case ER_OPTION_PREVENTS_STATEMENT:    // 1290 (read_only)
    case ER_READ_ONLY_MODE:               // 1836
    case ER_CANT_CREATE_USER_WITH_GRANT:  // 1410
      return StatusCode::kFailedPrecondition;
    case CR_UNKNOWN_HOST:          // 2005
    case CR_CONNECTION_ERROR:      // 2002
    case CR_CONN_HOST_ERROR:       // 2003
    case CR_SERVER_GONE_ERROR:     // 2006
    case CR_SERVER_LOST:           // 2013
    case CR_SSL_CONNECTION_ERROR:  // 2026
    case CR_SERVER_LOST_EXTENDED:  // 2055
      return StatusCode::kUnavailable;
    case CR_CONN_UNKNOWN_PROTOCOL:  // 2047
    case 2034:                      // CR_INVALID_PARAMETER_NO
      return StatusCode::kInvalidArgument;
    default:
      return n >= 2000 ? StatusCode::kUnavailable : StatusCode::kInternal;
  }
}

Status StatusFromMysqlError(unsigned int error_number, std::string_view message,
                            std::string_view context) {
  std::string text(context);
  text += ": ";
  text += message.empty() ? std::string_view("unknown error") : message;
  text += " (error " + std::to_string(error_number) + ")";
  return Status(StatusCodeForMysqlError(error_number), std::move(text));
}

std::string SqlStatement::Redacted() const {
  std::string out = sql;
  for (const std::string& secret : secrets) ReplaceAll(&out, secret, "'<redacted>'");
  return out;
}

// ---------------------------------------------------------------------------
// SqlConnection.

void SqlConnection::MysqlCloser::operator()(MYSQL* m) const {
  if (m != nullptr) {
    EnsureLibraryAndThread();
    mysql_close(m);
  }
}

SqlConnection::SqlConnection(std::unique_ptr<MYSQL, MysqlCloser> mysql, std::string description)
    : mysql_(std::move(mysql)), description_(std::move(description)) {}

SqlConnection::SqlConnection(SqlConnection&& other) noexcept
    : mysql_(std::move(other.mysql_)),
      description_(std::move(other.description_)),
      broken_(other.broken_) {
  other.broken_ = true;
}

SqlConnection& SqlConnection::operator=(SqlConnection&& other) noexcept {
  if (this != &other) {
    mysql_ = std::move(other.mysql_);
    description_ = std::move(other.description_);
    broken_ = other.broken_;
    other.broken_ = true;
  }
  return *this;
}

SqlConnection::~SqlConnection() = default;

std::string SqlConnection::LastTlsDirForTesting() {
  std::lock_guard<std::mutex> lock(g_last_tls_dir_mu);
  return g_last_tls_dir;
}

StatusOr<SqlConnection> SqlConnection::Connect(const SqlEndpoint& endpoint) {
  EnsureLibraryAndThread();
  const std::string description = DescribeEndpoint(endpoint);
  const std::string context = "connecting to " + description;

  if (endpoint.user.empty()) return InvalidArgumentError(context + ": the user name is empty");
  if (endpoint.socket.empty() && endpoint.host.empty()) {
    return InvalidArgumentError(context + ": the host is empty");
  }
  if (endpoint.socket.empty() && (endpoint.port <= 0 || endpoint.port > 65535)) {
    return InvalidArgumentError(context + ": port " + std::to_string(endpoint.port) +
                                " is not in 1..65535");
  }
  if (endpoint.tls) {
    const SqlTls& tls = *endpoint.tls;
    if (tls.cert_pem.empty() != tls.key_pem.empty()) {
      return InvalidArgumentError(context +
                                  ": a client certificate needs its private key and vice "
                                  "versa; set both cert_pem and key_pem or neither");
    }
    if (!tls.server_name.empty() && !EqualsIgnoreCase(tls.server_name, endpoint.host)) {
      return InvalidArgumentError(
          context + ": server_name \"" + tls.server_name +
          "\" differs from the host; MariaDB Connector/C checks the server certificate "
          "against the connection host, so connect using the name in the certificate");
    }
  }

  std::unique_ptr<MYSQL, MysqlCloser> mysql(mysql_init(nullptr));
  if (!mysql) return InternalError(context + ": mysql_init failed (out of memory)");
  MYSQL* m = mysql.get();

  unsigned int connect_timeout =
      static_cast<unsigned int>(ClampTimeout(endpoint.connect_timeout_seconds));
  unsigned int rw_timeout = static_cast<unsigned int>(ClampTimeout(endpoint.read_timeout_seconds));
  unsigned int local_infile = 0;
  unsigned int protocol = endpoint.socket.empty() ? MYSQL_PROTOCOL_TCP : MYSQL_PROTOCOL_SOCKET;
  my_bool no = 0;
  bool options_ok = mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout) == 0 &&
                    mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &rw_timeout) == 0 &&
                    mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &rw_timeout) == 0 &&
                    mysql_optionsv(m, MYSQL_OPT_LOCAL_INFILE, &local_infile) == 0 &&
                    mysql_optionsv(m, MYSQL_OPT_PROTOCOL, &protocol) == 0 &&
                    mysql_optionsv(m, MYSQL_OPT_RECONNECT, &no) == 0 &&
                    mysql_optionsv(m, MYSQL_OPT_MAX_ALLOWED_PACKET, &kMaxPacketBytes) == 0 &&
                    mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4") == 0;
  if (!options_ok) return StatusFromMysqlError(mysql_errno(m), mysql_error(m), context);

  TlsFiles files;
  if (endpoint.tls) {
    const SqlTls& tls = *endpoint.tls;
    if (!tls.ca_pem.empty() || !tls.cert_pem.empty()) {
      PXC_RETURN_IF_ERROR(files.CreateDir().WithContext(context));
    } else {
      SetLastTlsDir("");
    }
    if (!tls.ca_pem.empty()) {
      PXC_ASSIGN_OR_RETURN(std::string ca, files.Write("ca.pem", tls.ca_pem, false));
      if (mysql_optionsv(m, MYSQL_OPT_SSL_CA, ca.c_str()) != 0) {
        return StatusFromMysqlError(mysql_errno(m), mysql_error(m), context);
      }
    }
    if (!tls.cert_pem.empty()) {
      PXC_ASSIGN_OR_RETURN(std::string cert, files.Write("cert.pem", tls.cert_pem, false));
      PXC_ASSIGN_OR_RETURN(std::string key, files.Write("key.pem", tls.key_pem, true));
      if (mysql_optionsv(m, MYSQL_OPT_SSL_CERT, cert.c_str()) != 0 ||
          mysql_optionsv(m, MYSQL_OPT_SSL_KEY, key.c_str()) != 0) {
        return StatusFromMysqlError(mysql_errno(m), mysql_error(m), context);
      }
    }
    my_bool verify = tls.verify_server_cert ? 1 : 0;
    my_bool enforce = tls.required ? 1 : 0;
    if (mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify) != 0 ||
        (tls.required && mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &enforce) != 0)) {
      return StatusFromMysqlError(mysql_errno(m), mysql_error(m), context);
    }
  } else {
    SetLastTlsDir("");
  }

  const char* host = endpoint.socket.empty() ? endpoint.host.c_str() : "localhost";
  const char* socket = endpoint.socket.empty() ? nullptr : endpoint.socket.c_str();
  MYSQL* connected =
      mysql_real_connect(m, host, endpoint.user.c_str(), endpoint.password.c_str(), nullptr,
                         static_cast<unsigned int>(endpoint.port), socket, 0);
  // The TLS material is needed only during the handshake.
  files.Remove();
  if (connected == nullptr) {
    std::string message = Scrub(mysql_error(m), {endpoint.password});
    // Connector/C's words when the certificate's names do not cover the host
    // (the chain itself was fine: a bad chain fails earlier, in OpenSSL's words).
    if (mysql_errno(m) == CR_SSL_CONNECTION_ERROR && endpoint.tls &&
        endpoint.tls->verify_server_cert &&
        message.find("Validation of SSL server certificate failed") != std::string::npos) {
      message += ": the server's certificate does not name " + endpoint.host +
                 " (its DNS and IP subjectAltNames are checked against the host of the "
                 "endpoint). Connect by a name the certificate carries, or add " +
                 endpoint.host +
                 " to the server certificates (ip_addresses or dns_names of pxc_node_cert); "
                 "verify_server_cert = false would accept any certificate of that CA";
    }
    return StatusFromMysqlError(mysql_errno(m), message, context);
  }
  // The handshake asked for utf8mb4, but a server may ignore that or switch
  // the session to another character set (init_connect = 'SET NAMES gbk'):
  // quoting for utf8mb4 in a GBK/Big5/SJIS session can end a literal early.
  // SET NAMES after login, which also tells the library which set to escape
  // for.
  if (mysql_set_character_set(m, "utf8mb4") != 0) {
    return StatusFromMysqlError(mysql_errno(m), Scrub(mysql_error(m), {endpoint.password}),
                                context + ": setting the character set utf8mb4");
  }
  if (endpoint.tls && endpoint.tls->required) {
    const char* cipher = mysql_get_ssl_cipher(m);
    if (cipher == nullptr || *cipher == '\0') {
      return UnavailableError(context +
                              ": TLS is required but the connection is not encrypted (does "
                              "the server have ssl-cert and ssl-key configured?)");
    }
  }
  return SqlConnection(std::move(mysql), description);
}

Status SqlConnection::ErrorStatus(std::string_view what, const std::vector<std::string>& secrets) {
  MYSQL* m = mysql_.get();
  unsigned int n = mysql_errno(m);
  if (n == CR_SERVER_GONE_ERROR || n == CR_SERVER_LOST || n == CR_SERVER_LOST_EXTENDED ||
      n == 4031 || n == ER_SERVER_SHUTDOWN) {
    broken_ = true;
  }
  std::string message = mysql_error(m);
  if (!secrets.empty() && (n == ER_PARSE_ERROR || n == ER_SYNTAX_ERROR)) {
    // The server quotes the statement near the error, possibly cutting a
    // secret in half where scrubbing cannot find it: withhold the excerpt.
    message = "syntax error in a statement that carries a secret (server excerpt withheld)";
  }
  return StatusFromMysqlError(n, Scrub(std::move(message), secrets),
                              std::string(what) + " on " + description_);
}

Status SqlConnection::RunQuery(std::string_view sql, const std::vector<std::string>& secrets,
                               std::string_view what) {
  if (!mysql_) return FailedPreconditionError("SQL connection used after move");
  EnsureLibraryAndThread();
  MYSQL* m = mysql_.get();
  if (mysql_real_query(m, sql.data(), static_cast<unsigned long>(sql.size())) != 0) {
    return ErrorStatus(what, secrets);
  }
  return OkStatus();
}

Status SqlConnection::Execute(const std::string& sql) { return Execute(SqlStatement{sql, {}}); }

Status SqlConnection::Execute(const SqlStatement& statement) {
  PXC_RETURN_IF_ERROR(RunQuery(statement.sql, statement.secrets, "executing SQL"));
  MYSQL* m = mysql_.get();
  // Drain every result (a CALL may return several) so the connection stays
  // usable; rows are read and dropped one by one, never kept.
  for (;;) {
    MYSQL_RES* res = mysql_use_result(m);
    if (res != nullptr) {
      mysql_free_result(res);
      if (mysql_errno(m) != 0) return ErrorStatus("reading a result", statement.secrets);
    } else if (mysql_field_count(m) != 0) {
      return ErrorStatus("reading a result", statement.secrets);
    }
    int next = mysql_next_result(m);
    if (next == -1) break;
    if (next > 0) return ErrorStatus("executing SQL", statement.secrets);
  }
  return OkStatus();
}

StatusOr<SqlResult> SqlConnection::Query(const std::string& sql) {
  PXC_RETURN_IF_ERROR(RunQuery(sql, {}, "running a query"));
  MYSQL* m = mysql_.get();
  SqlResult result;
  bool first = true;
  size_t total = 0;
  for (;;) {
    // Unbuffered: rows arrive one at a time, so the size cap below holds
    // before anything larger is allocated.
    MYSQL_RES* res = mysql_use_result(m);
    if (res == nullptr && mysql_field_count(m) != 0) return ErrorStatus("reading a result", {});
    if (res != nullptr) {
      std::unique_ptr<MYSQL_RES, void (*)(MYSQL_RES*)> owned(res, mysql_free_result);
      unsigned int n = mysql_num_fields(res);
      if (first) {
        MYSQL_FIELD* fields = mysql_fetch_fields(res);
        for (unsigned int i = 0; i < n; ++i) {
          result.columns.emplace_back(fields[i].name, fields[i].name_length);
        }
      }
      while (MYSQL_ROW row = mysql_fetch_row(res)) {
        unsigned long* lengths = mysql_fetch_lengths(res);
        for (unsigned int i = 0; i < n; ++i) total += lengths[i] + 1;
        if (total > kMaxResultBytes) {
          // Stop reading: cancel the connection so that freeing the result
          // does not read (possibly forever) what is left; it is not reused.
          broken_ = true;
          mariadb_cancel(m);
          return FailedPreconditionError(
              "running a query on " + description_ + ": the result is larger than " +
              std::to_string(kMaxResultBytes >> 20) + " MiB; the connection was closed");
        }
        if (!first) continue;  // later result sets are read and dropped
        std::vector<std::optional<std::string>> values;
        values.reserve(n);
        for (unsigned int i = 0; i < n; ++i) {
          if (row[i] == nullptr) {
            values.emplace_back(std::nullopt);
          } else {
            values.emplace_back(std::string(row[i], lengths[i]));
          }
        }
        result.rows.push_back(std::move(values));
      }
      if (mysql_errno(m) != 0) return ErrorStatus("reading a result", {});
      first = false;
    }
    int next = mysql_next_result(m);
    if (next == -1) break;
    if (next > 0) return ErrorStatus("running a query", {});
  }
  return result;
}

StatusOr<SqlConnection::ServerInfo> SqlConnection::Info() {
  PXC_ASSIGN_OR_RETURN(SqlResult r, Query("SELECT VERSION(), @@version_comment"));
  if (r.rows.size() != 1 || r.rows[0].size() != 2 || !r.rows[0][0]) {
    return InternalError("reading the server version on " + description_ +
                         ": unexpected result shape");
  }
  ServerInfo info;
  info.version = *r.rows[0][0];
  std::string comment = r.rows[0][1].value_or("");
  auto contains_ci = [](std::string_view hay, std::string_view needle) {
    auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
      return std::tolower(static_cast<unsigned char>(a)) ==
             std::tolower(static_cast<unsigned char>(b));
    });
    return it != hay.end();
  };
  if (contains_ci(info.version, "mariadb") || contains_ci(comment, "mariadb")) {
    info.flavor = "mariadb";
  } else if (contains_ci(comment, "percona") || contains_ci(info.version, "percona")) {
    info.flavor = "percona";
  } else {
    info.flavor = "mysql";
  }
  // "10.11.19-MariaDB-..." (servers speaking the old protocol prefix
  // "5.5.5-" are reported by VERSION() without it).
  std::string_view v = info.version;
  int* parts[3] = {&info.major, &info.minor, &info.patch};
  size_t i = 0;
  for (int p = 0; p < 3; ++p) {
    int value = 0;
    bool any = false;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9') {
      value = value * 10 + (v[i] - '0');
      any = true;
      ++i;
      if (value > 100000) break;
    }
    if (!any) break;
    *parts[p] = value;
    if (i < v.size() && v[i] == '.') {
      ++i;
    } else {
      break;
    }
  }
  return info;
}

StatusOr<std::string> SqlConnection::TlsCipher() {
  PXC_ASSIGN_OR_RETURN(SqlResult r, Query("SHOW SESSION STATUS LIKE 'Ssl_cipher'"));
  if (r.rows.empty() || r.rows[0].size() < 2 || !r.rows[0][1]) return std::string();
  return *r.rows[0][1];
}

std::string SqlConnection::Quote(std::string_view s) {
  if (!mysql_) return "''";
  EnsureLibraryAndThread();
  std::string out(2 * s.size() + 3, '\0');
  out[0] = '\'';
  unsigned long n = mysql_real_escape_string(mysql_.get(), out.data() + 1, s.data(),
                                             static_cast<unsigned long>(s.size()));
  if (n == static_cast<unsigned long>(-1)) {
    // Not expected with utf8mb4 and a 2n+1 buffer; never return a wrong
    // literal: quote by hand for the session's mode.
    std::string manual = "'";
    for (char c : s) {
      if (c == '\'') {
        manual += "''";
      } else if (c == '\\' && !NoBackslashEscapes()) {
        manual += "\\\\";
      } else {
        manual += c;
      }
    }
    return manual + "'";
  }
  out.resize(1 + n);
  out.push_back('\'');
  return out;
}

bool SqlConnection::NoBackslashEscapes() const {
  return mysql_ && (mysql_->server_status & SERVER_STATUS_NO_BACKSLASH_ESCAPES) != 0;
}

Status SqlConnection::Ping() {
  if (!mysql_) return FailedPreconditionError("SQL connection used after move");
  EnsureLibraryAndThread();
  if (mysql_ping(mysql_.get()) != 0) {
    broken_ = true;
    return ErrorStatus("pinging", {});
  }
  return OkStatus();
}

// ---------------------------------------------------------------------------
// SqlPool.

namespace {

void AppendField(std::string* key, std::string_view field) {
  *key += std::to_string(field.size());
  *key += ':';
  *key += field;
}

// Every field of the endpoint, length-prefixed, hashed with a random
// per-process salt: equal keys mean identical endpoints, and the key holds
// no password or private key.
std::string PoolKey(const SqlEndpoint& e) {
  static const std::string salt = [] {
    std::string s(32, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(s.data()), static_cast<int>(s.size())) != 1) {
      s = "pxc-pool-key-salt";
    }
    return s;
  }();
  std::string key;
  // One allocation, so no stale partial copy of a secret is left behind.
  key.reserve(512 + salt.size() + e.host.size() + e.socket.size() + e.user.size() +
              e.password.size() +
              (e.tls ? e.tls->ca_pem.size() + e.tls->cert_pem.size() + e.tls->key_pem.size() +
                           e.tls->server_name.size()
                     : 0));
  AppendField(&key, salt);
  AppendField(&key, e.host);
  AppendField(&key, std::to_string(e.port));
  AppendField(&key, e.socket);
  AppendField(&key, e.user);
  AppendField(&key, e.password);
  AppendField(&key, std::to_string(e.connect_timeout_seconds));
  AppendField(&key, std::to_string(e.read_timeout_seconds));
  if (e.tls) {
    AppendField(&key, "tls");
    AppendField(&key, e.tls->ca_pem);
    AppendField(&key, e.tls->cert_pem);
    AppendField(&key, e.tls->key_pem);
    AppendField(&key, e.tls->verify_server_cert ? "1" : "0");
    AppendField(&key, e.tls->server_name);
    AppendField(&key, e.tls->required ? "1" : "0");
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(key.data(), key.size(), md, &len, EVP_sha256(), nullptr) != 1 || len == 0) {
    return key;  // never share connections between different endpoints
  }
  WipeString(&key);
  return std::string(reinterpret_cast<const char*>(md), len);
}

}  // namespace

struct SqlPool::Handle::Shared {
  struct Idle {
    SqlConnection conn;
    std::chrono::steady_clock::time_point since;
  };
  explicit Shared(Options o) : options(o) {}
  const Options options;
  mutable std::mutex mu;
  std::map<std::string, std::vector<Idle>> idle;  // guarded by mu
  Stats stats;                                    // guarded by mu (idle computed)
};

SqlPool::SqlPool() : SqlPool(Options{}) {}
SqlPool::SqlPool(Options options) : shared_(std::make_shared<Handle::Shared>(options)) {}
SqlPool::~SqlPool() = default;

StatusOr<SqlPool::Handle> SqlPool::Acquire(const SqlEndpoint& endpoint) {
  std::string key = PoolKey(endpoint);
  for (;;) {
    std::optional<Handle::Shared::Idle> candidate;
    {
      std::lock_guard<std::mutex> lock(shared_->mu);
      auto it = shared_->idle.find(key);
      if (it != shared_->idle.end() && !it->second.empty()) {
        candidate.emplace(std::move(it->second.back()));
        it->second.pop_back();
      }
    }
    if (!candidate) break;
    bool stale =
        std::chrono::steady_clock::now() - candidate->since >= shared_->options.ping_after_idle;
    if (stale && !candidate->conn.Ping().ok()) {
      std::lock_guard<std::mutex> lock(shared_->mu);
      ++shared_->stats.dropped;
      continue;  // closes the dead connection, try the next idle one
    }
    {
      std::lock_guard<std::mutex> lock(shared_->mu);
      ++shared_->stats.reused;
    }
    return Handle(shared_, std::move(key), std::move(candidate->conn));
  }
  PXC_ASSIGN_OR_RETURN(SqlConnection conn, SqlConnection::Connect(endpoint));
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    ++shared_->stats.opened;
  }
  return Handle(shared_, std::move(key), std::move(conn));
}

SqlPool::Stats SqlPool::stats() const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  Stats s = shared_->stats;
  s.idle = 0;
  for (const auto& [key, list] : shared_->idle) s.idle += list.size();
  return s;
}

void SqlPool::Clear() {
  std::map<std::string, std::vector<Handle::Shared::Idle>> doomed;
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    doomed.swap(shared_->idle);
  }
  // Connections close here, outside the lock.
}

SqlPool::Handle::Handle(std::shared_ptr<Shared> shared, std::string key, SqlConnection conn)
    : shared_(std::move(shared)), key_(std::move(key)), conn_(std::move(conn)) {}

SqlPool::Handle::Handle(Handle&& other) noexcept
    : shared_(std::move(other.shared_)),
      key_(std::move(other.key_)),
      conn_(std::move(other.conn_)) {
  other.conn_.reset();
}

SqlPool::Handle& SqlPool::Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    Release();
    shared_ = std::move(other.shared_);
    key_ = std::move(other.key_);
    conn_ = std::move(other.conn_);
    other.conn_.reset();
  }
  return *this;
}

SqlPool::Handle::~Handle() { Release(); }

void SqlPool::Handle::Discard() {
  if (!conn_) return;
  conn_.reset();
  if (shared_) {
    std::lock_guard<std::mutex> lock(shared_->mu);
    ++shared_->stats.dropped;
  }
}

void SqlPool::Handle::Release() {
  if (!conn_ || !shared_) {
    conn_.reset();
    return;
  }
  std::optional<SqlConnection> closing;  // closed outside the lock
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    std::vector<Shared::Idle>& list = shared_->idle[key_];
    if (conn_->broken() || list.size() >= shared_->options.max_idle_per_endpoint) {
      ++shared_->stats.dropped;
      closing = std::move(conn_);
    } else {
      list.push_back({std::move(*conn_), std::chrono::steady_clock::now()});
    }
    conn_.reset();
  }
}

}  // namespace pxc::resources
