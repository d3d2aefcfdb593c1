// A real, standalone MariaDB server for tests (no Galera): a fresh datadir
// from mariadb-install-db in a private temporary directory, TLS material made
// with the openssl command line tool, mariadbd on a free port on 127.0.0.1
// (and 127.0.0.2, for certificate name-mismatch tests) and a Unix socket.
// Stopped (SIGTERM, then SIGKILL after 30 s) and deleted on destruction.
//
// TLS material: a CA with a server certificate (SAN IP:127.0.0.1 and
// DNS:localhost) and a client certificate; a second, unrelated CA with its own
// client certificate. The server trusts only the first CA.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "resources/mysql/sql_client.h"
#include "schema/status.h"

namespace pxc::resources::fixtures {

struct TestTlsMaterial {
  std::string ca_pem;
  std::string ca_subject;  // "/CN=pxc test CA", the form REQUIRE ISSUER uses
  std::string server_cert_pem;
  std::string client_cert_pem;
  std::string client_key_pem;
  std::string client_subject;  // "/O=pxc tests/CN=pxc-client"
  std::string other_ca_pem;
  std::string other_client_cert_pem;
  std::string other_client_key_pem;
};

class MariaDbServer {
 public:
  // Starts a server. When the environment cannot run one (not root, no
  // mariadbd / mariadb-install-db / openssl), returns nullptr and sets
  // `*skip_reason`. Any other failure is an error carrying the tail of the
  // server's log.
  static StatusOr<std::unique_ptr<MariaDbServer>> Start(std::string* skip_reason);
  ~MariaDbServer();
  MariaDbServer(const MariaDbServer&) = delete;
  MariaDbServer& operator=(const MariaDbServer&) = delete;

  int port() const { return port_; }
  const std::string& socket_path() const { return socket_; }
  const std::string& dir() const { return dir_; }
  const TestTlsMaterial& tls() const { return tls_; }

  // root over the Unix socket (no password).
  SqlEndpoint RootSocket() const;
  // An administrator with all privileges over TCP (127.0.0.1), no TLS.
  SqlEndpoint AdminTcp() const;
  // A TCP endpoint for `user` / `password` on 127.0.0.1.
  SqlEndpoint Tcp(const std::string& user, const std::string& password) const;

  // The last lines of the server's error log, for failure messages.
  std::string LogTail() const;

 private:
  MariaDbServer() = default;
  Status StartImpl();

  std::string dir_;
  std::string socket_;
  int port_ = 0;
  pid_t pid_ = -1;
  std::string admin_password_;
  TestTlsMaterial tls_;
};

}  // namespace pxc::resources::fixtures
