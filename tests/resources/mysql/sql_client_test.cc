// Tests for resources/mysql/sql_client.{h,cc}, and for resources/mysql/user_sql.{h,cc}
// against a real server: a standalone mariadbd started by
// tests/resources/mysql/mariadb_fixture.h (skipped when not root or MariaDB is not
// installed). The first tests need no server. About 1000 lines in one
// file: every case shares the one mariadbd the fixture starts per binary.
#include "resources/mysql/sql_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "resources/mysql/user_sql.h"
#include "tests/resources/mysql/mariadb_fixture.h"

namespace pxc::resources {
namespace {

namespace fs = std::filesystem;
using fixtures::MariaDbServer;

template <typename T>
T Unwrap(StatusOr<T> s) {
  if (!s.ok()) ADD_FAILURE() << s.status().ToString();
  return std::move(s).value();
}

#define ASSERT_OK(expr)                                     \
  do {                                                      \
    ::pxc::Status _s = (expr);                              \
    ASSERT_TRUE(_s.ok()) << #expr << ": " << _s.ToString(); \
  } while (0)

bool Contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

// The pxc-sql-* directories under the temporary directory.
std::set<std::string> TlsTempDirs() {
  std::set<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::temp_directory_path(), ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("pxc-sql-", 0) == 0) out.insert(entry.path().string());
  }
  return out;
}

// ---------------------------------------------------------------------------
// Without a server.

TEST(SqlClient, MapsErrorNumbersToCodes) {
  struct Case {
    unsigned int number;
    StatusCode code;
  } cases[] = {
      {1045, StatusCode::kPermissionDenied},   {1044, StatusCode::kPermissionDenied},
      {1142, StatusCode::kPermissionDenied},   {1227, StatusCode::kPermissionDenied},
      {1698, StatusCode::kPermissionDenied},   {3159, StatusCode::kPermissionDenied},
      {2002, StatusCode::kUnavailable},        {2003, StatusCode::kUnavailable},
      {2005, StatusCode::kUnavailable},        {2006, StatusCode::kUnavailable},
      {2013, StatusCode::kUnavailable},        {2026, StatusCode::kUnavailable},
      {1040, StatusCode::kUnavailable},        {1047, StatusCode::kUnavailable},
      {1213, StatusCode::kUnavailable},        {1049, StatusCode::kNotFound},
      {1146, StatusCode::kNotFound},           {1141, StatusCode::kNotFound},
      {1133, StatusCode::kNotFound},           {1064, StatusCode::kInvalidArgument},
      {1054, StatusCode::kInvalidArgument},    {1470, StatusCode::kInvalidArgument},
      {1396, StatusCode::kFailedPrecondition}, {1524, StatusCode::kFailedPrecondition},
      {1290, StatusCode::kFailedPrecondition}, {1999, StatusCode::kInternal},
      {2999, StatusCode::kUnavailable},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(StatusCodeForMysqlError(c.number), c.code) << c.number;
  }
  Status s = StatusFromMysqlError(1045, "Access denied for user 'u'@'h'", "connecting to x");
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(), "connecting to x: Access denied for user 'u'@'h' (error 1045)");
}

TEST(SqlClient, DescribesEndpointsWithoutThePassword) {
  SqlEndpoint e;
  e.host = "db1";
  e.port = 3307;
  e.user = "admin";
  e.password = "s3cret";
  EXPECT_EQ(DescribeEndpoint(e), "\"admin\" at db1:3307");
  e.socket = "/run/mysqld/mysqld.sock";
  EXPECT_EQ(DescribeEndpoint(e), "\"admin\" at unix socket /run/mysqld/mysqld.sock");
}

TEST(SqlClient, StatementRedactsSecrets) {
  SqlStatement st{"CREATE USER 'u'@'%' IDENTIFIED BY 'p''w'", {"'p''w'"}};
  EXPECT_EQ(st.Redacted(), "CREATE USER 'u'@'%' IDENTIFIED BY '<redacted>'");
}

TEST(SqlClient, RejectsInvalidEndpointsBeforeConnecting) {
  SqlEndpoint e;
  e.port = 1;
  e.user = "";
  EXPECT_EQ(SqlConnection::Connect(e).status().code(), StatusCode::kInvalidArgument);

  e.user = "u";
  e.tls = SqlTls{};
  e.tls->cert_pem = "-----BEGIN CERTIFICATE-----";
  auto r = SqlConnection::Connect(e);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(r.status().message(), "cert_pem and key_pem")) << r.status().message();

  e.tls = SqlTls{};
  e.tls->verify_server_cert = true;
  e.tls->server_name = "db.example.com";
  r = SqlConnection::Connect(e);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(r.status().message(), "server_name \"db.example.com\""))
      << r.status().message();
  EXPECT_TRUE(Contains(r.status().message(), "\"u\" at 127.0.0.1:1")) << r.status().message();

  e.tls = std::nullopt;
  e.port = 70000;
  EXPECT_EQ(SqlConnection::Connect(e).status().code(), StatusCode::kInvalidArgument);
}

TEST(SqlClient, ConnectionRefusedIsUnavailableAndRemovesTlsFiles) {
  SqlEndpoint e;
  e.host = "127.0.0.1";
  e.port = 1;  // nothing listens on port 1
  e.user = "nobody";
  e.password = "do-not-print-me";
  e.connect_timeout_seconds = 2;
  e.tls = SqlTls{};
  e.tls->ca_pem = "-----BEGIN CERTIFICATE-----\nnot really\n-----END CERTIFICATE-----\n";
  e.tls->cert_pem = "cert";
  e.tls->key_pem = "key";
  std::set<std::string> before = TlsTempDirs();
  auto r = SqlConnection::Connect(e);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
  EXPECT_TRUE(Contains(r.status().message(), "\"nobody\" at 127.0.0.1:1")) << r.status().message();
  EXPECT_FALSE(Contains(r.status().message(), "do-not-print-me"));
  std::string dir = SqlConnection::LastTlsDirForTesting();
  ASSERT_FALSE(dir.empty());
  EXPECT_EQ(dir.rfind((fs::temp_directory_path() / "pxc-sql-").string(), 0), 0u) << dir;
  EXPECT_FALSE(fs::exists(dir)) << dir;
  EXPECT_EQ(TlsTempDirs(), before);
}

// A TCP listener on 127.0.0.1 that accepts one connection, sends `greeting`
// (may be empty: then the client waits for a handshake that never comes) and
// records what the client sends until it closes or `linger` passes.
class FakeServer {
 public:
  FakeServer(std::string greeting, std::chrono::milliseconds linger)
      : greeting_(std::move(greeting)), linger_(linger) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd_, 1) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ADD_FAILURE() << "cannot listen";
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeServer() {
    if (thread_.joinable()) thread_.join();
    close(fd_);
  }
  int port() const { return port_; }
  // What the client sent; waits for the connection to end.
  std::string received() {
    if (thread_.joinable()) thread_.join();
    return received_;
  }

 private:
  void Serve() {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 10000) <= 0) return;
    int c = accept(fd_, nullptr, nullptr);
    if (c < 0) return;
    if (!greeting_.empty()) {
      ssize_t n = write(c, greeting_.data(), greeting_.size());
      (void)n;
    }
    auto deadline = std::chrono::steady_clock::now() + linger_;
    char buf[4096];
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd q{c, POLLIN, 0};
      if (poll(&q, 1, 50) <= 0) continue;
      ssize_t n = read(c, buf, sizeof buf);
      if (n <= 0) break;
      received_.append(buf, static_cast<size_t>(n));
    }
    close(c);
  }

  std::string greeting_;
  std::chrono::milliseconds linger_;
  int fd_ = -1;
  int port_ = 0;
  std::string received_;
  std::thread thread_;
};

// A MySQL protocol v10 handshake from a server without TLS (no CLIENT_SSL).
std::string HandshakeWithoutTls() {
  std::string p;
  p += '\x0a';
  p += std::string("5.5.5-10.11.0-MariaDB-fake") + '\0';
  p += std::string("\x01\x00\x00\x00", 4);  // connection id
  p += "abcdefgh";                          // scramble part 1
  p += '\0';
  p += std::string("\x01\x82", 2);          // LONG_PASSWORD|PROTOCOL_41|SECURE_CONNECTION
  p += '\x21';                              // utf8 charset
  p += std::string("\x02\x00", 2);          // status: autocommit
  p += std::string("\x08\x00", 2);          // PLUGIN_AUTH
  p += '\x15';                              // scramble length 21
  p += std::string(10, '\0');               // reserved
  p += std::string("ijklmnopqrst") + '\0';  // scramble part 2
  p += std::string("mysql_native_password") + '\0';
  std::string packet;
  packet += static_cast<char>(p.size() & 0xff);
  packet += static_cast<char>((p.size() >> 8) & 0xff);
  packet += static_cast<char>((p.size() >> 16) & 0xff);
  packet += '\0';  // sequence id
  return packet + p;
}

TEST(SqlClient, RequiredTlsFailsAgainstAServerWithoutTls) {
  // Connector/C 3.3 treats MYSQL_OPT_SSL_ENFORCE as a request: against a
  // server without TLS it continues in plain text (the login packet goes
  // out), and Connect then fails on the cipher check, so no statement is
  // ever sent unencrypted.
  FakeServer fake(HandshakeWithoutTls(), std::chrono::milliseconds(1500));
  SqlEndpoint e;
  e.host = "127.0.0.1";
  e.port = fake.port();
  e.user = "app_user_name";
  e.password = "never-in-messages";
  e.connect_timeout_seconds = 2;
  e.read_timeout_seconds = 2;
  e.tls = SqlTls{};
  e.tls->required = true;
  auto r = SqlConnection::Connect(e);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
  EXPECT_TRUE(Contains(r.status().message(), "\"app_user_name\" at 127.0.0.1:"))
      << r.status().message();
  EXPECT_FALSE(Contains(r.status().message(), "never-in-messages"));
}

TEST(SqlClient, VerifiedTlsRefusesAServerWithoutTlsBeforeSendingCredentials) {
  FakeServer fake(HandshakeWithoutTls(), std::chrono::milliseconds(1500));
  SqlEndpoint e;
  e.host = "127.0.0.1";
  e.port = fake.port();
  e.user = "app_user_name";
  e.password = "pw";
  e.connect_timeout_seconds = 2;
  e.read_timeout_seconds = 2;
  e.tls = SqlTls{};
  e.tls->required = true;
  e.tls->verify_server_cert = true;
  auto r = SqlConnection::Connect(e);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
  EXPECT_TRUE(Contains(r.status().message(), "error 2026")) << r.status().message();
  EXPECT_TRUE(Contains(r.status().message(), "\"app_user_name\" at 127.0.0.1:"))
      << r.status().message();
  EXPECT_FALSE(Contains(fake.received(), "app_user_name")) << "login sent in plain text";
}

TEST(SqlClient, TlsFilesArePrivateWhileConnectingAndGoneAfterwards) {
  FakeServer fake("", std::chrono::milliseconds(3000));  // never answers
  SqlEndpoint e;
  e.host = "127.0.0.1";
  e.port = fake.port();
  e.user = "u";
  e.connect_timeout_seconds = 2;
  e.read_timeout_seconds = 2;
  e.tls = SqlTls{};
  e.tls->ca_pem = "CA PEM";
  e.tls->cert_pem = "CERT PEM";
  e.tls->key_pem = "KEY PEM";
  const std::string previous = SqlConnection::LastTlsDirForTesting();
  std::atomic<bool> done{false};
  StatusCode code = StatusCode::kOk;
  std::thread connecting([&] {
    code = SqlConnection::Connect(e).status().code();
    done = true;
  });
  // Wait for the directory with its three files, then look at them.
  std::string dir;
  bool seen = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!done && std::chrono::steady_clock::now() < deadline) {
    dir = SqlConnection::LastTlsDirForTesting();
    if (dir != previous && !dir.empty() && fs::exists(dir + "/key.pem") &&
        fs::file_size(dir + "/key.pem") == 7) {
      seen = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(seen) << "TLS directory not observed";
  struct stat st {};
  ASSERT_EQ(stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ(st.st_uid, geteuid());
  for (const char* f : {"ca.pem", "cert.pem", "key.pem"}) {
    ASSERT_EQ(stat((dir + "/" + f).c_str(), &st), 0) << f;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << f;
  }
  connecting.join();
  EXPECT_NE(code, StatusCode::kOk);
  EXPECT_FALSE(fs::exists(dir)) << dir;
}

// ---------------------------------------------------------------------------
// Against a real mariadbd.

class SqlServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto s = MariaDbServer::Start(&skip_reason_);
    if (!s.ok()) {
      start_error_ = s.status().ToString();
    } else {
      server_ = std::move(s).value();
    }
  }
  static void TearDownTestSuite() { server_.reset(); }

  void SetUp() override {
    if (!start_error_.empty()) FAIL() << "MariaDB fixture: " << start_error_;
    if (!server_) GTEST_SKIP() << skip_reason_;
  }

  static SqlConnection Root() { return Unwrap(SqlConnection::Connect(server_->RootSocket())); }
  static SqlDialect Dialect(SqlConnection& c) {
    return SqlDialect::From(Unwrap(c.Info()), c.NoBackslashEscapes());
  }
  static void Apply(SqlConnection& c, const std::vector<SqlStatement>& statements) {
    Status s = ApplyStatements(c, statements);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  // Creates a user from `spec` (dropping any previous one).
  static void CreateUser(const UserSpec& spec) {
    SqlConnection root = Root();
    SqlDialect d = Dialect(root);
    Apply(root, {Unwrap(DropUserStatement(spec.name, spec.host, d))});
    Apply(root, Unwrap(CreateUserStatements(spec, d)));
  }
  static SqlEndpoint Tcp(const std::string& user, const std::string& password) {
    return server_->Tcp(user, password);
  }
  static SqlTls CaOnly() {
    SqlTls t;
    t.ca_pem = server_->tls().ca_pem;
    return t;
  }
  static SqlTls WithClientCert() {
    SqlTls t = CaOnly();
    t.cert_pem = server_->tls().client_cert_pem;
    t.key_pem = server_->tls().client_key_pem;
    return t;
  }

  static std::unique_ptr<MariaDbServer> server_;
  static std::string skip_reason_;
  static std::string start_error_;
};

std::unique_ptr<MariaDbServer> SqlServerTest::server_;
std::string SqlServerTest::skip_reason_;
std::string SqlServerTest::start_error_;

TEST_F(SqlServerTest, ConnectsOverSocketAndTcpAndReportsMariaDb1011) {
  SqlConnection root = Root();
  auto info = Unwrap(root.Info());
  EXPECT_EQ(info.flavor, "mariadb");
  EXPECT_EQ(info.major, 10);
  EXPECT_EQ(info.minor, 11);
  EXPECT_GT(info.patch, 0);
  EXPECT_TRUE(Contains(info.version, "MariaDB")) << info.version;
  EXPECT_EQ(Unwrap(root.TlsCipher()), "");  // Unix socket, no TLS

  SqlConnection admin = Unwrap(SqlConnection::Connect(server_->AdminTcp()));
  auto r = Unwrap(admin.Query("SELECT CURRENT_USER(), 1 + 1, NULL, X'00FF41'"));
  ASSERT_EQ(r.rows.size(), 1u);
  ASSERT_EQ(r.columns.size(), 4u);
  EXPECT_EQ(r.columns[1], "1 + 1");
  EXPECT_EQ(r.rows[0][0], std::optional<std::string>("pxcadmin@127.0.0.1"));
  EXPECT_EQ(r.rows[0][1], std::optional<std::string>("2"));
  EXPECT_EQ(r.rows[0][2], std::nullopt);
  EXPECT_EQ(r.rows[0][3], std::optional<std::string>(std::string("\0\xff"
                                                                 "A",
                                                                 3)));
  EXPECT_EQ(SqlConnection::LastTlsDirForTesting(), "");
}

TEST_F(SqlServerTest, ServerErrorsBecomeSpecificCodes) {
  SqlConnection root = Root();
  Status s = root.Execute("SELEC 1");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_TRUE(Contains(s.message(), "error 1064")) << s.message();
  EXPECT_TRUE(Contains(s.message(), "\"root\" at unix socket")) << s.message();

  s = root.Execute("USE no_such_database");
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();

  auto q = root.Query("SELECT * FROM mysql.no_such_table");
  EXPECT_EQ(q.status().code(), StatusCode::kNotFound) << q.status().ToString();

  // A failing statement that carries a secret never shows it.
  SqlStatement st{"CREATE USER 'x'@'%' IDENTIFIED BY 'Sup3rSecret' REQUIRE BOGUS",
                  {"'Sup3rSecret'"}};
  s = root.Execute(st);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_FALSE(Contains(s.message(), "Sup3rSecret")) << s.message();
  EXPECT_TRUE(Contains(s.message(), "withheld")) << s.message();

  // The connection is still usable after errors; multi-statements are off.
  EXPECT_EQ(root.Execute("SELECT 1; SELECT 2").code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(root.Execute("SELECT 1").ok());
}

TEST_F(SqlServerTest, QuoteFollowsTheSessionsBackslashMode) {
  SqlConnection root = Root();
  const std::string nasty = "it's a \\ back'slash \"q\" `b` % _ \xC3\xA9 \n end";
  for (const char* mode : {"", "NO_BACKSLASH_ESCAPES"}) {
    ASSERT_OK(root.Execute(std::string("SET SESSION sql_mode = '") + mode + "'"));
    EXPECT_EQ(root.NoBackslashEscapes(), std::string(mode) == "NO_BACKSLASH_ESCAPES");
    auto r = Unwrap(root.Query("SELECT " + root.Quote(nasty)));
    ASSERT_EQ(r.rows.size(), 1u);
    EXPECT_EQ(r.rows[0][0], std::optional<std::string>(nasty)) << mode;
    // The offline quoting of user_sql gives the same result.
    SqlDialect d = Dialect(root);
    auto r2 = Unwrap(root.Query("SELECT " + Unwrap(QuoteString(nasty, d))));
    EXPECT_EQ(r2.rows[0][0], std::optional<std::string>(nasty)) << mode;
  }
}

// A server may switch the session to another character set behind the
// client's back (init_connect = 'SET NAMES gbk', or a server that ignores the
// handshake's charset). Escaping for utf8mb4 is then unsound: in GBK the
// bytes of "€\\" escaped (E2 82 AC 5C 5C) read as two characters and an
// escape of the closing quote. The connection sets utf8mb4 itself.
TEST_F(SqlServerTest, CharacterSetIsUtf8mb4EvenWhenTheServerSwitchesIt) {
  {
    SqlConnection root = Root();
    ASSERT_TRUE(root.Execute("DROP USER IF EXISTS 'cs'@'127.0.0.1'").ok());
    ASSERT_TRUE(root.Execute("CREATE USER 'cs'@'127.0.0.1' IDENTIFIED BY 'cspass'").ok());
    ASSERT_TRUE(root.Execute("SET GLOBAL init_connect = 'SET NAMES gbk'").ok());
  }
  struct Reset {
    ~Reset() {
      SqlConnection root = Root();
      (void)root.Execute("SET GLOBAL init_connect = ''");
      (void)root.Execute("DROP USER IF EXISTS 'cs'@'127.0.0.1'");
    }
  } reset;
  SqlConnection c = Unwrap(SqlConnection::Connect(Tcp("cs", "cspass")));
  SqlConnection::Result cs =
      Unwrap(c.Query("SELECT @@character_set_client, @@character_set_connection"));
  ASSERT_EQ(cs.rows.size(), 1u);
  EXPECT_EQ(cs.rows[0][0].value_or(""), "utf8mb4");
  EXPECT_EQ(cs.rows[0][1].value_or(""), "utf8mb4");
  const std::string tricky = "\xe2\x82\xac\\";  // "€\"
  auto r = c.Query("SELECT " + c.Quote(tricky) + " AS a, 'second' AS b");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->rows.size(), 1u);
  ASSERT_EQ(r->rows[0].size(), 2u);
  EXPECT_EQ(r->rows[0][0].value_or(""), tricky);
  EXPECT_EQ(r->rows[0][1].value_or(""), "second");
  // The statements of pxc_ssl_user quote the same way.
  SqlDialect d = Dialect(c);
  auto q = Unwrap(QuoteString(tricky, d));
  r = c.Query("SELECT " + q);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows[0][0].value_or(""), tricky);
}

TEST_F(SqlServerTest, ResultsAreBounded) {
  SqlConnection c = Root();
  // 12 MiB in 1 MiB rows is read ...
  auto ok = c.Query("SELECT REPEAT('x', 1048576) FROM mysql.seq_1_to_12");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->rows.size(), 12u);
  EXPECT_FALSE(c.broken());
  // ... 40 MiB is refused after 16 MiB, and the connection is given up.
  auto big = c.Query("SELECT REPEAT('x', 1048576) FROM mysql.seq_1_to_40");
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), StatusCode::kFailedPrecondition) << big.status().ToString();
  EXPECT_NE(big.status().message().find("16 MiB"), std::string::npos) << big.status().message();
  EXPECT_TRUE(c.broken());
  // A fresh connection works.
  EXPECT_TRUE(Root().Query("SELECT 1").ok());
}

TEST_F(SqlServerTest, RequireSslUserNeedsTlsButNoClientCertificate) {
  UserSpec spec;
  spec.name = "ssl_user";
  spec.password = "ssl-pass-1";
  spec.require.kind = UserSpec::Require::kSsl;
  CreateUser(spec);

  SqlEndpoint plain = Tcp("ssl_user", "ssl-pass-1");
  auto r = SqlConnection::Connect(plain);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied) << r.status().ToString();
  EXPECT_TRUE(Contains(r.status().message(), "error 1045")) << r.status().message();
  EXPECT_TRUE(Contains(r.status().message(),
                       "\"ssl_user\" at 127.0.0.1:" + std::to_string(server_->port())))
      << r.status().message();
  EXPECT_FALSE(Contains(r.status().message(), "ssl-pass-1"));

  SqlEndpoint tls = plain;
  tls.tls = CaOnly();
  tls.tls->required = true;
  SqlConnection c = Unwrap(SqlConnection::Connect(tls));
  std::string cipher = Unwrap(c.TlsCipher());
  EXPECT_FALSE(cipher.empty());

  // A wrong password is also 1045, and says nothing of the password.
  tls.password = "wrong-password";
  r = SqlConnection::Connect(tls);
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_FALSE(Contains(r.status().message(), "wrong-password"));
}

TEST_F(SqlServerTest, RequireX509UserNeedsATrustedClientCertificate) {
  UserSpec spec;
  spec.name = "x509_user";
  spec.password = "x509-pass";
  spec.require.kind = UserSpec::Require::kX509;
  CreateUser(spec);

  SqlEndpoint e = Tcp("x509_user", "x509-pass");
  e.tls = WithClientCert();
  SqlConnection c = Unwrap(SqlConnection::Connect(e));
  EXPECT_FALSE(Unwrap(c.TlsCipher()).empty());

  e.tls = CaOnly();
  auto r = SqlConnection::Connect(e);
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied) << r.status().ToString();
  EXPECT_TRUE(Contains(r.status().message(), "error 1045")) << r.status().message();

  // A client certificate from a CA the server does not trust: the server
  // aborts the handshake.
  e.tls = CaOnly();
  e.tls->cert_pem = server_->tls().other_client_cert_pem;
  e.tls->key_pem = server_->tls().other_client_key_pem;
  r = SqlConnection::Connect(e);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
  EXPECT_TRUE(Contains(r.status().message(), "\"x509_user\" at 127.0.0.1")) << r.status().message();
}

TEST_F(SqlServerTest, CompoundRequireIsEnforcedAndRoundTrips) {
  // Learn the cipher this client/server pair negotiates, to require it.
  SqlEndpoint probe = server_->AdminTcp();
  probe.tls = CaOnly();
  std::string cipher = Unwrap(Unwrap(SqlConnection::Connect(probe)).TlsCipher());
  ASSERT_FALSE(cipher.empty());

  UserSpec spec;
  spec.name = "subject_user";
  spec.password = "subj-pass";
  spec.require.kind = UserSpec::Require::kSpecified;
  spec.require.subject = server_->tls().client_subject;
  spec.require.issuer = server_->tls().ca_subject;
  spec.require.cipher = cipher;
  spec.grants = {{{"select"}, "mysql.*", false}};
  CreateUser(spec);

  SqlEndpoint e = Tcp("subject_user", "subj-pass");
  e.tls = WithClientCert();
  EXPECT_TRUE(SqlConnection::Connect(e).ok());

  SqlConnection root = Root();
  SqlDialect d = Dialect(root);
  auto read = Unwrap(ReadUser(root, "subject_user", "%", d));
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->require, spec.require);
  read->password = spec.password;  // the server cannot report it; state has it

  // Only the issuer (other CA's client has the same subject but is refused
  // at the TLS layer); now require a different subject: denied.
  UserSpec other = spec;
  other.require.subject = "/O=pxc tests/CN=someone-else";
  other.require.cipher = "";
  std::vector<SqlStatement> diff = Unwrap(DiffUserStatements(*read, other, d));
  ASSERT_EQ(diff.size(), 1u);
  EXPECT_EQ(diff[0].sql,
            "ALTER USER 'subject_user'@'%' REQUIRE SUBJECT "
            "'/O=pxc tests/CN=someone-else' AND ISSUER '/CN=pxc test CA'");
  Apply(root, diff);
  auto r = SqlConnection::Connect(e);
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied) << r.status().ToString();
}

TEST_F(SqlServerTest, VerifiesTheServerCertificate) {
  SqlEndpoint e = server_->AdminTcp();
  e.tls = CaOnly();
  e.tls->verify_server_cert = true;
  e.tls->required = true;
  EXPECT_TRUE(SqlConnection::Connect(e).ok());  // IP SAN 127.0.0.1

  e.tls->server_name = "127.0.0.1";
  EXPECT_TRUE(SqlConnection::Connect(e).ok());

  // DNS SAN: connect by name over TCP.
  SqlEndpoint by_name = e;
  by_name.host = "localhost";
  by_name.tls->server_name = "LOCALHOST";
  // pxcadmin exists for 127.0.0.1, which is where a TCP "localhost" comes from.
  auto r = SqlConnection::Connect(by_name);
  EXPECT_TRUE(r.ok()) << r.status().ToString();

  // A CA that did not sign the server certificate.
  SqlEndpoint wrong_ca = e;
  wrong_ca.tls->ca_pem = server_->tls().other_ca_pem;
  r = SqlConnection::Connect(wrong_ca);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
  EXPECT_TRUE(Contains(r.status().message(), "error 2026")) << r.status().message();
  EXPECT_TRUE(Contains(r.status().message(),
                       "\"pxcadmin\" at 127.0.0.1:" + std::to_string(server_->port())))
      << r.status().message();
  // Connector/C verifies the chain whenever a CA is given.
  wrong_ca.tls->verify_server_cert = false;
  EXPECT_EQ(SqlConnection::Connect(wrong_ca).status().code(), StatusCode::kUnavailable);

  // The server also listens on 127.0.0.2, which its certificate does not name.
  SqlEndpoint mismatch = e;
  mismatch.host = "127.0.0.2";
  mismatch.tls->server_name = "";
  r = SqlConnection::Connect(mismatch);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
  EXPECT_TRUE(Contains(r.status().message(), "127.0.0.2")) << r.status().message();
}

TEST_F(SqlServerTest, TlsTempDirIsGoneAfterConnectOnSuccessAndFailure) {
  std::set<std::string> before = TlsTempDirs();
  SqlEndpoint e = server_->AdminTcp();
  e.tls = WithClientCert();
  {
    SqlConnection c = Unwrap(SqlConnection::Connect(e));
    std::string dir = SqlConnection::LastTlsDirForTesting();
    ASSERT_FALSE(dir.empty());
    EXPECT_FALSE(fs::exists(dir)) << dir;
    // Still connected and encrypted after the files are gone.
    EXPECT_FALSE(Unwrap(c.TlsCipher()).empty());
  }
  e.password = "wrong";
  EXPECT_EQ(SqlConnection::Connect(e).status().code(), StatusCode::kPermissionDenied);
  EXPECT_FALSE(fs::exists(SqlConnection::LastTlsDirForTesting()));

  e.tls->ca_pem = server_->tls().other_ca_pem;
  EXPECT_EQ(SqlConnection::Connect(e).status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(fs::exists(SqlConnection::LastTlsDirForTesting()));

  e.tls->key_pem = "-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n";
  EXPECT_FALSE(SqlConnection::Connect(e).ok());
  EXPECT_FALSE(fs::exists(SqlConnection::LastTlsDirForTesting()));
  EXPECT_EQ(TlsTempDirs(), before);
}

// A grant on my_db.* covers the database my_db only, not myXdb (which the
// unescaped `_` would match); database_pattern makes it a pattern again.
TEST_F(SqlServerTest, DatabaseWildcardsAreEscapedUnlessAPattern) {
  SqlConnection root = Root();
  for (const char* st :
       {"CREATE DATABASE IF NOT EXISTS my_db", "CREATE DATABASE IF NOT EXISTS myXdb",
        "CREATE TABLE IF NOT EXISTS my_db.t (a INT)",
        "CREATE TABLE IF NOT EXISTS myXdb.t (a INT)"}) {
    ASSERT_TRUE(root.Execute(st).ok()) << st;
  }
  UserSpec s;
  s.name = "wild";
  s.host = "127.0.0.1";
  s.password = "wildpw";
  s.grants = {{{"SELECT"}, "my_db.*", false}};
  CreateUser(s);
  auto can_read = [&](const std::string& db) {
    SqlConnection c = Unwrap(SqlConnection::Connect(Tcp("wild", "wildpw")));
    return c.Query("SELECT COUNT(*) FROM " + db + ".t").ok();
  };
  EXPECT_TRUE(can_read("my_db"));
  EXPECT_FALSE(can_read("myXdb")) << "my_db.* also granted myXdb";
  auto back = Unwrap(ReadUser(root, "wild", "127.0.0.1", Dialect(root)));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->grants, Unwrap(NormalizeUserSpec(s)).grants);

  s.grants = {{{"SELECT"}, "my_db.*", false, /*database_pattern=*/true}};
  CreateUser(s);
  EXPECT_TRUE(can_read("my_db"));
  EXPECT_TRUE(can_read("myXdb"));
  back = Unwrap(ReadUser(root, "wild", "127.0.0.1", Dialect(root)));
  EXPECT_EQ(back->grants, Unwrap(NormalizeUserSpec(s)).grants);
  ASSERT_TRUE(root.Execute("DROP USER 'wild'@'127.0.0.1'").ok());
  ASSERT_TRUE(root.Execute("DROP DATABASE my_db").ok());
  ASSERT_TRUE(root.Execute("DROP DATABASE myXdb").ok());
}

TEST_F(SqlServerTest, CreatedUsersReadBackAsTheirSpec) {
  std::vector<UserSpec> specs;
  {
    UserSpec s;
    s.name = "rt_ssl";
    s.password = "pw1";
    s.require.kind = UserSpec::Require::kSsl;
    s.grants = {{{"select", "Insert"}, "db.*", true},
                {{"ALL PRIVILEGES"}, "`my db`.*", false},
                {{"PROCESS", "REPLICATION CLIENT", "replication slave", "RELOAD"}, "*.*", false}};
    specs.push_back(s);
  }
  {
    UserSpec s;
    s.name = "rt_x509";
    s.host = "10.0.%";
    s.password = "pw2";
    s.auth_plugin = "mysql_native_password";
    s.require.kind = UserSpec::Require::kX509;
    s.grants = {{{"SELECT", "UPDATE"}, "`we``ird`.`t``x`", false},
                {{"USAGE"}, "*.*", true},
                {{"binlog monitor", "SLAVE MONITOR"}, "*.*", false}};
    specs.push_back(s);
  }
  {
    UserSpec s;
    s.name = "rt_subject";
    s.host = "";
    s.password = "pw3";
    s.require.kind = UserSpec::Require::kSpecified;
    s.require.subject = "/O=O'Brien \\ Co/CN=client";
    s.require.issuer = "/CN=pxc test CA";
    s.grants = {{{"ALL"}, "*.*", true}};
    specs.push_back(s);
  }
  {
    UserSpec s;
    s.name = "rt_none";
    s.grants = {};
    specs.push_back(s);
  }

  SqlConnection root = Root();
  SqlDialect d = Dialect(root);
  ASSERT_OK(root.Execute("CREATE DATABASE IF NOT EXISTS db"));
  ASSERT_OK(root.Execute("CREATE DATABASE IF NOT EXISTS `my db`"));
  ASSERT_OK(root.Execute("CREATE DATABASE IF NOT EXISTS `we``ird`"));
  ASSERT_OK(root.Execute("CREATE TABLE IF NOT EXISTS `we``ird`.`t``x` (a INT)"));
  for (const UserSpec& spec : specs) {
    SCOPED_TRACE(spec.name);
    CreateUser(spec);
    UserSpec expected = Unwrap(NormalizeUserSpec(spec));
    auto read = Unwrap(ReadUser(root, spec.name, spec.host, d));
    ASSERT_TRUE(read.has_value());
    EXPECT_EQ(read->auth_plugin, "mysql_native_password");
    EXPECT_FALSE(read->password.has_value());
    expected.password = std::nullopt;
    expected.auth_plugin = read->auth_plugin;
    EXPECT_EQ(*read, expected);
    // A plan right after apply is empty.
    UserSpec current = *read;
    current.password = spec.password;
    EXPECT_EQ(Unwrap(DiffUserStatements(current, spec, d)).size(), 0u);
  }
}

TEST_F(SqlServerTest, DiffStatementsApplyAndConverge) {
  UserSpec v1;
  v1.name = "diff_user";
  v1.password = "first-pass";
  v1.require.kind = UserSpec::Require::kSsl;
  v1.grants = {{{"SELECT", "INSERT"}, "db.*", true}, {{"ALL"}, "`my db`.*", false}};
  SqlConnection root = Root();
  ASSERT_OK(root.Execute("CREATE DATABASE IF NOT EXISTS db"));
  ASSERT_OK(root.Execute("CREATE DATABASE IF NOT EXISTS `my db`"));
  ASSERT_OK(root.Execute("CREATE DATABASE IF NOT EXISTS other"));
  CreateUser(v1);
  SqlDialect d = Dialect(root);

  UserSpec v2 = v1;
  v2.password = "second-pass";
  v2.require.kind = UserSpec::Require::kNone;
  v2.grants = {{{"SELECT", "DELETE"}, "db.*", false},
               {{"SELECT"}, "`my db`.*", true},
               {{"CREATE"}, "other.*", false}};
  auto read = Unwrap(ReadUser(root, "diff_user", "%", d));
  ASSERT_TRUE(read);
  UserSpec current = *read;
  current.password = v1.password;
  std::vector<SqlStatement> diff = Unwrap(DiffUserStatements(current, v2, d));
  ASSERT_FALSE(diff.empty());
  Apply(root, diff);

  read = Unwrap(ReadUser(root, "diff_user", "%", d));
  ASSERT_TRUE(read);
  UserSpec expected = Unwrap(NormalizeUserSpec(v2));
  EXPECT_EQ(read->grants, expected.grants);
  EXPECT_EQ(read->require, expected.require);
  current = *read;
  current.password = v2.password;
  EXPECT_TRUE(Unwrap(DiffUserStatements(current, v2, d)).empty());
  // The new password works, without TLS now that REQUIRE is NONE.
  EXPECT_TRUE(SqlConnection::Connect(Tcp("diff_user", "second-pass")).ok());

  // Rename, back to ALL everywhere.
  UserSpec v3 = v2;
  v3.name = "diff_user_renamed";
  v3.grants = {{{"ALL"}, "db.*", false}};
  diff = Unwrap(DiffUserStatements(current, v3, d));
  ASSERT_FALSE(diff.empty());
  EXPECT_EQ(diff[0].sql, "RENAME USER 'diff_user'@'%' TO 'diff_user_renamed'@'%'");
  Apply(root, diff);
  EXPECT_FALSE(Unwrap(ReadUser(root, "diff_user", "%", d)).has_value());
  read = Unwrap(ReadUser(root, "diff_user_renamed", "%", d));
  ASSERT_TRUE(read);
  EXPECT_EQ(read->grants, Unwrap(NormalizeUserSpec(v3)).grants);

  Apply(root, {Unwrap(DropUserStatement("diff_user_renamed", "%", d))});
  EXPECT_FALSE(Unwrap(ReadUser(root, "diff_user_renamed", "%", d)).has_value());
  // Dropping again is fine (IF EXISTS).
  Apply(root, {Unwrap(DropUserStatement("diff_user_renamed", "%", d))});
}

TEST_F(SqlServerTest, AwkwardNamesAreCreatedReadAndDropped) {
  const std::vector<std::pair<std::string, std::string>> accounts = {
      {"o'brien", "%"},
      {"back\\slash", "h'o"},
      {"tick`tock", "10.0.0.%"},
      {"per%cent_", "%"},
      {"\xC3\xBC"
       "ser-\xE2\x9C\x93",
       "%"},  // "üser-✓"
      {"quote\"d", ""},
  };
  SqlConnection root = Root();
  for (const char* mode : {"", "NO_BACKSLASH_ESCAPES"}) {
    ASSERT_OK(root.Execute(std::string("SET SESSION sql_mode = '") + mode + "'"));
    SqlDialect d = Dialect(root);
    ASSERT_EQ(d.no_backslash_escapes, std::string(mode) != "");
    for (const auto& [name, host] : accounts) {
      SCOPED_TRACE(name + "@" + host + " " + mode);
      UserSpec spec;
      spec.name = name;
      spec.host = host;
      spec.password = "p'w\\d";
      spec.require.kind = UserSpec::Require::kSsl;
      spec.grants = {{{"SELECT"}, "`my db`.*", false}};
      ASSERT_OK(root.Execute("CREATE DATABASE IF NOT EXISTS `my db`"));
      Apply(root, {Unwrap(DropUserStatement(name, host, d))});
      Apply(root, Unwrap(CreateUserStatements(spec, d)));
      // Exactly one row, with exactly this name.
      auto rows =
          Unwrap(root.Query("SELECT User, Host FROM mysql.user WHERE User = " + root.Quote(name)));
      ASSERT_EQ(rows.rows.size(), 1u);
      EXPECT_EQ(rows.rows[0][0], std::optional<std::string>(name));
      EXPECT_EQ(rows.rows[0][1], std::optional<std::string>(host.empty() ? "%" : host));
      auto read = Unwrap(ReadUser(root, name, host, d));
      ASSERT_TRUE(read.has_value());
      EXPECT_EQ(read->name, name);
      EXPECT_EQ(read->grants, Unwrap(NormalizeUserSpec(spec)).grants);
      EXPECT_EQ(read->require.kind, UserSpec::Require::kSsl);
      Apply(root, {Unwrap(DropUserStatement(name, host, d))});
      EXPECT_FALSE(Unwrap(ReadUser(root, name, host, d)).has_value());
    }
  }
  // The password with a quote and a backslash was stored exactly: log in.
  {
    ASSERT_OK(root.Execute("SET SESSION sql_mode = DEFAULT"));
    SqlDialect d = Dialect(root);
    UserSpec spec;
    spec.name = "o'brien";
    spec.host = "127.0.0.1";
    spec.password = "p'w\\d";
    Apply(root, {Unwrap(DropUserStatement(spec.name, spec.host, d))});
    Apply(root, Unwrap(CreateUserStatements(spec, d)));
    EXPECT_TRUE(SqlConnection::Connect(Tcp("o'brien", "p'w\\d")).ok());
    Apply(root, {Unwrap(DropUserStatement(spec.name, spec.host, d))});
  }
}

TEST_F(SqlServerTest, PoolIsLazyReusesConnectionsAndIsThreadSafe) {
  SqlPool pool;
  EXPECT_EQ(pool.stats().opened, 0u);
  EXPECT_EQ(pool.stats().idle, 0u);
  SqlEndpoint e = server_->AdminTcp();
  e.tls = CaOnly();

  constexpr int kThreads = 8;
  constexpr int kQueries = 20;
  std::mutex mu;
  std::set<std::string> connection_ids;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int q = 0; q < kQueries; ++q) {
        auto h = pool.Acquire(e);
        if (!h.ok()) {
          ++failures;
          continue;
        }
        auto r = (*h)->Query("SELECT CONNECTION_ID()");
        if (!r.ok() || r->rows.size() != 1) {
          ++failures;
          continue;
        }
        std::lock_guard<std::mutex> lock(mu);
        connection_ids.insert(r->rows[0][0].value_or(""));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  SqlPool::Stats s = pool.stats();
  EXPECT_GE(s.opened, 1u);
  EXPECT_LE(s.opened, static_cast<uint64_t>(kThreads));
  EXPECT_EQ(s.opened + s.reused, static_cast<uint64_t>(kThreads * kQueries));
  EXPECT_LE(connection_ids.size(), static_cast<size_t>(kThreads));
  EXPECT_LE(s.idle, 4u);  // max_idle_per_endpoint

  // A different endpoint (other user) does not share connections.
  SqlEndpoint root = server_->RootSocket();
  {
    auto h = Unwrap(pool.Acquire(root));
    EXPECT_EQ(Unwrap(h->Query("SELECT CURRENT_USER()")).rows[0][0],
              std::optional<std::string>("root@localhost"));
  }
  EXPECT_EQ(pool.stats().opened, s.opened + 1);
  pool.Clear();
  EXPECT_EQ(pool.stats().idle, 0u);
}

TEST_F(SqlServerTest, PoolDropsBrokenConnections) {
  SqlPool::Options options;
  options.ping_after_idle = std::chrono::seconds(0);  // always ping before reuse
  SqlPool pool(options);
  SqlEndpoint e = server_->AdminTcp();
  std::string id;
  {
    auto h = Unwrap(pool.Acquire(e));
    id = *Unwrap(h->Query("SELECT CONNECTION_ID()")).rows[0][0];
  }
  SqlConnection root = Root();
  ASSERT_OK(root.Execute("KILL " + id));
  {
    // The idle connection fails its ping and is replaced.
    auto h = Unwrap(pool.Acquire(e));
    std::string id2 = *Unwrap(h->Query("SELECT CONNECTION_ID()")).rows[0][0];
    EXPECT_NE(id2, id);
    // Kill the one in use: the query fails as kUnavailable, the handle marks
    // it broken and the pool closes it on return.
    ASSERT_OK(root.Execute("KILL " + id2));
    auto r = h->Query("SELECT 1");
    EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
    EXPECT_TRUE(h->broken());
  }
  EXPECT_EQ(pool.stats().idle, 0u);
  EXPECT_EQ(pool.stats().dropped, 2u);
  EXPECT_EQ(pool.stats().opened, 2u);
}

}  // namespace
}  // namespace pxc::resources
