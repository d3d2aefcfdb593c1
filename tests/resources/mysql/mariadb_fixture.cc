// Implementation of tests/resources/mysql/mariadb_fixture.h.
#include "tests/resources/mysql/mariadb_fixture.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

extern char** environ;

namespace pxc::resources::fixtures {
namespace {

namespace fs = std::filesystem;

// The full path of `name` from PATH, /usr/sbin or /usr/bin; "" if absent.
std::string FindProgram(const std::string& name) {
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH")) {
    std::stringstream ss(path);
    std::string d;
    while (std::getline(ss, d, ':')) dirs.push_back(d);
  }
  dirs.push_back("/usr/sbin");
  dirs.push_back("/usr/bin");
  for (const std::string& d : dirs) {
    std::string p = d + "/" + name;
    if (access(p.c_str(), X_OK) == 0) return p;
  }
  return "";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Status WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) return InternalError("cannot write " + path);
  return OkStatus();
}

std::string Tail(const std::string& text, size_t lines) {
  size_t pos = text.size();
  for (size_t n = 0; n <= lines && pos > 0; ++n) {
    size_t nl = text.rfind('\n', pos - 1);
    if (nl == std::string::npos) return text;
    pos = nl;
  }
  return text.substr(pos);
}

// Spawns argv with stdout and stderr appended to `log`; returns the pid.
StatusOr<pid_t> Spawn(const std::vector<std::string>& argv, const std::string& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return InternalError("cannot start " + argv[0] + ": " + std::strerror(rc));
  return pid;
}

// Runs argv to completion (bounded by `timeout`).
Status Run(const std::vector<std::string>& argv, const std::string& log,
           std::chrono::seconds timeout = std::chrono::seconds(120)) {
  PXC_ASSIGN_OR_RETURN(pid_t pid, Spawn(argv, log));
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return OkStatus();
      return InternalError(argv[0] + " failed (status " + std::to_string(status) +
                           "):" + Tail(ReadFile(log), 15));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return DeadlineExceededError(argv[0] + " timed out");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

StatusOr<int> FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return InternalError("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return InternalError("cannot find a free port");
  }
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

std::string RandomPassword() {
  std::random_device rd;
  std::string out = "Pw-";
  const char* alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  for (int i = 0; i < 20; ++i) out += alphabet[rd() % 57];
  return out;
}

}  // namespace

StatusOr<std::unique_ptr<MariaDbServer>> MariaDbServer::Start(std::string* skip_reason) {
  skip_reason->clear();
  if (geteuid() != 0) {
    *skip_reason = "the MariaDB fixture runs mariadbd --user=root and needs root";
    return std::unique_ptr<MariaDbServer>();
  }
  for (const char* p : {"mariadbd", "mariadb-install-db", "openssl"}) {
    if (FindProgram(p).empty()) {
      *skip_reason = std::string(p) + " is not installed (Debian: mariadb-server, openssl)";
      return std::unique_ptr<MariaDbServer>();
    }
  }
  std::unique_ptr<MariaDbServer> server(new MariaDbServer());
  Status s = server->StartImpl();
  if (!s.ok()) return s;
  return server;
}

Status MariaDbServer::StartImpl() {
  std::string tmpl = (fs::temp_directory_path() / "pxc-mariadb-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) return InternalError("mkdtemp failed");
  dir_ = tmpl;
  socket_ = dir_ + "/mysqld.sock";
  const std::string log = dir_ + "/setup.log";
  const std::string openssl = FindProgram("openssl");

  // --- TLS material.
  auto key_and_csr = [&](const std::string& name, const std::string& subject) {
    return Run({openssl, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-keyout", dir_ + "/" + name + ".key", "-out", dir_ + "/" + name + ".csr",
                "-subj", subject},
               log);
  };
  auto make_ca = [&](const std::string& name, const std::string& subject) {
    return Run({openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", dir_ + "/" + name + ".key",
                "-out", dir_ + "/" + name + ".pem", "-subj", subject, "-days", "2"},
               log);
  };
  auto sign = [&](const std::string& name, const std::string& ca, const std::string& ext) {
    PXC_RETURN_IF_ERROR(WriteFile(dir_ + "/" + name + ".ext", ext));
    return Run({openssl, "x509", "-req", "-in", dir_ + "/" + name + ".csr", "-CA",
                dir_ + "/" + ca + ".pem", "-CAkey", dir_ + "/" + ca + ".key", "-CAcreateserial",
                "-CAserial", dir_ + "/" + ca + ".srl", "-out", dir_ + "/" + name + ".pem", "-days",
                "2", "-extfile", dir_ + "/" + name + ".ext"},
               log);
  };
  const std::string client_ext =
      "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
      "extendedKeyUsage=clientAuth\n";
  PXC_RETURN_IF_ERROR(make_ca("ca", "/CN=pxc test CA"));
  PXC_RETURN_IF_ERROR(key_and_csr("server", "/CN=pxc test server"));
  PXC_RETURN_IF_ERROR(sign("server", "ca",
                           "basicConstraints=critical,CA:FALSE\n"
                           "keyUsage=critical,digitalSignature,keyEncipherment\n"
                           "extendedKeyUsage=serverAuth\n"
                           "subjectAltName=IP:127.0.0.1,DNS:localhost\n"));
  PXC_RETURN_IF_ERROR(key_and_csr("client", "/O=pxc tests/CN=pxc-client"));
  PXC_RETURN_IF_ERROR(sign("client", "ca", client_ext));
  PXC_RETURN_IF_ERROR(make_ca("other-ca", "/CN=pxc other CA"));
  PXC_RETURN_IF_ERROR(key_and_csr("other-client", "/O=pxc tests/CN=pxc-client"));
  PXC_RETURN_IF_ERROR(sign("other-client", "other-ca", client_ext));
  tls_.ca_pem = ReadFile(dir_ + "/ca.pem");
  tls_.ca_subject = "/CN=pxc test CA";
  tls_.server_cert_pem = ReadFile(dir_ + "/server.pem");
  tls_.client_cert_pem = ReadFile(dir_ + "/client.pem");
  tls_.client_key_pem = ReadFile(dir_ + "/client.key");
  tls_.client_subject = "/O=pxc tests/CN=pxc-client";
  tls_.other_ca_pem = ReadFile(dir_ + "/other-ca.pem");
  tls_.other_client_cert_pem = ReadFile(dir_ + "/other-client.pem");
  tls_.other_client_key_pem = ReadFile(dir_ + "/other-client.key");

  // --- Data directory.
  fs::create_directory(dir_ + "/data");
  PXC_RETURN_IF_ERROR(Run(
      {FindProgram("mariadb-install-db"), "--no-defaults", "--user=root",
       "--datadir=" + dir_ + "/data", "--auth-root-authentication-method=normal", "--skip-test-db"},
      log));

  // --- Server (retry with another port if the one picked was taken).
  Status last;
  for (int attempt = 0; attempt < 3; ++attempt) {
    PXC_ASSIGN_OR_RETURN(port_, FreePort());
    std::vector<std::string> argv = {FindProgram("mariadbd"),
                                     "--no-defaults",
                                     "--user=root",
                                     "--datadir=" + dir_ + "/data",
                                     "--socket=" + socket_,
                                     "--port=" + std::to_string(port_),
                                     "--bind-address=127.0.0.1,127.0.0.2",
                                     "--skip-name-resolve",
                                     "--innodb-buffer-pool-size=32M",
                                     "--performance-schema=OFF",
                                     "--pid-file=" + dir_ + "/mysqld.pid",
                                     "--log-error=" + dir_ + "/error.log",
                                     "--ssl-ca=" + dir_ + "/ca.pem",
                                     "--ssl-cert=" + dir_ + "/server.pem",
                                     "--ssl-key=" + dir_ + "/server.key"};
    PXC_ASSIGN_OR_RETURN(pid_, Spawn(argv, dir_ + "/mysqld.out"));
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    bool exited = false;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited = true;
        pid_ = -1;
        break;
      }
      SqlEndpoint e = RootSocket();
      e.connect_timeout_seconds = 2;
      auto conn = SqlConnection::Connect(e);
      if (conn.ok()) {
        admin_password_ = RandomPassword();
        Status st = conn->Execute("CREATE USER 'pxcadmin'@'127.0.0.1' IDENTIFIED BY '" +
                                  admin_password_ + "'");
        if (st.ok()) {
          st = conn->Execute(
              "GRANT ALL PRIVILEGES ON *.* TO 'pxcadmin'@'127.0.0.1' WITH GRANT "
              "OPTION");
        }
        return st;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!exited) {
      return DeadlineExceededError("mariadbd did not become ready within 60 s:" + LogTail());
    }
    last = InternalError("mariadbd exited during start-up:" + LogTail());
  }
  return last;
}

MariaDbServer::~MariaDbServer() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    int status = 0;
    bool done = false;
    while (std::chrono::steady_clock::now() < deadline) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        done = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!done) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
  }
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

SqlEndpoint MariaDbServer::RootSocket() const {
  SqlEndpoint e;
  e.socket = socket_;
  e.port = port_;
  e.user = "root";
  return e;
}

SqlEndpoint MariaDbServer::AdminTcp() const { return Tcp("pxcadmin", admin_password_); }

SqlEndpoint MariaDbServer::Tcp(const std::string& user, const std::string& password) const {
  SqlEndpoint e;
  e.host = "127.0.0.1";
  e.port = port_;
  e.user = user;
  e.password = password;
  e.connect_timeout_seconds = 5;
  return e;
}

std::string MariaDbServer::LogTail() const {
  // Appended, not `"\n" + Tail(...)`: see SshSession::Impl::RunScript (GCC 12
  // -Wrestrict false positive at -O3).
  std::string out = "\n";
  out += Tail(ReadFile(dir_ + "/error.log"), 20);
  return out;
}

}  // namespace pxc::resources::fixtures
