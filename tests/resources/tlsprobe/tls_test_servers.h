// Servers on 127.0.0.1 made with OpenSSL for the tests of resources/tlsprobe
// and data.pxc_cluster_tls: a CA and node certificates, a MySQL-like server
// that sends a protocol-10 greeting, reads the SSLRequest and accepts TLS,
// and TLS servers (optionally demanding a client certificate, as Galera's
// port does). Each connection is served on its own thread.
#pragma once

#include <netinet/in.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "resources/pki/x509.h"
#include "resources/tlsprobe/mysql_starttls.h"
#include "resources/tlsprobe/tls_probe.h"

namespace pxc::resources::tlsprobe::testing {

struct Pki {
  std::string ca_pem, cert_pem, key_pem, cert_fingerprint, cert_serial;
};

// The test CA, made once per process.
struct TestCa {
  std::shared_ptr<PrivateKey> key;
  Certificate cert;
};
inline const TestCa& Ca() {
  static const TestCa ca = [] {
    auto key = std::make_shared<PrivateKey>(
        std::move(*PrivateKey::Generate(KeySpec{KeyAlgorithm::kEcdsa, 0, "P256"})));
    CaSpec cs;
    cs.subject.common_name = "Probe-CA";
    cs.validity_period_hours = 24 * 400;
    return TestCa{key, *Certificate::SelfSignCa(*key, cs)};
  }();
  return ca;
}

// A node certificate for `cn` (127.0.0.1 in its SANs) from the test CA,
// valid `hours`.
inline Pki MakePki(const std::string& cn = "node1", int hours = 24 * 365) {
  const TestCa& ca = Ca();
  auto key = PrivateKey::Generate(KeySpec{KeyAlgorithm::kEcdsa, 0, "P256"});
  LeafSpec ls;
  ls.subject.common_name = cn;
  ls.validity_period_hours = hours;
  ls.ip_addresses = {"127.0.0.1"};
  auto leaf = Certificate::SignLeaf(ca.cert, *ca.key, *key->GetPublicKey(), ls);
  Pki p;
  p.ca_pem = ca.cert.ToPem();
  p.cert_pem = leaf->ToPem();
  p.key_pem = *key->ToPem();
  p.cert_fingerprint = leaf->Sha256Fingerprint();
  p.cert_serial = leaf->SerialDecimal();
  return p;
}

inline const Pki& TestPki() {
  static const Pki pki = MakePki();
  return pki;
}

// A server on 127.0.0.1; `serve` runs for each connection on its own
// thread. The destructor stops accepting and waits for every handler.
class Server {
 public:
  explicit Server(std::function<void(int fd)> serve) : serve_(std::move(serve)) {
    // The servers write with OpenSSL (write()) to clients that may have
    // closed first.
    std::signal(SIGPIPE, SIG_IGN);
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(fd_, 16);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      while (!stop_) {
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0) break;
        std::lock_guard<std::mutex> lock(mu_);
        handlers_.emplace_back([this, c] {
          if (!stop_) serve_(c);
          close(c);
        });
      }
    });
  }
  ~Server() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& h : handlers_) h.join();
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  int port() const { return port_; }
  Endpoint At() const { return Endpoint{"127.0.0.1", port_, std::chrono::milliseconds(2000)}; }

 private:
  std::function<void(int)> serve_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::thread> handlers_;
};

inline SSL_CTX* ServerCtx(const Pki& p, int max_version, bool require_client_cert) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  BIO* b = BIO_new_mem_buf(p.cert_pem.data(), static_cast<int>(p.cert_pem.size()));
  X509* x = PEM_read_bio_X509(b, nullptr, nullptr, nullptr);
  BIO_free(b);
  b = BIO_new_mem_buf(p.key_pem.data(), static_cast<int>(p.key_pem.size()));
  EVP_PKEY* k = PEM_read_bio_PrivateKey(b, nullptr, nullptr, nullptr);
  BIO_free(b);
  SSL_CTX_use_certificate(ctx, x);
  SSL_CTX_use_PrivateKey(ctx, k);
  X509_free(x);
  EVP_PKEY_free(k);
  if (max_version != 0) SSL_CTX_set_max_proto_version(ctx, max_version);
  if (require_client_cert) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  return ctx;
}

// TLS on `fd` with `p`'s certificate, until the client closes.
inline void AcceptTls(int fd, const Pki& p, int max_version, bool require_client_cert) {
  SSL_CTX* ctx = ServerCtx(p, max_version, require_client_cert);
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  if (SSL_accept(ssl) == 1) {
    char buf[16];
    SSL_read(ssl, buf, sizeof buf);
  }
  SSL_free(ssl);
  SSL_CTX_free(ctx);
}

inline std::string GreetingPacket(uint32_t caps) {
  std::string p;
  p.push_back(10);
  p.append("10.11.6-MariaDB");
  p.push_back('\0');
  p.append(std::string("\x07\x00\x00\x00", 4));
  p.append("12345678");
  p.push_back('\0');
  p.push_back(static_cast<char>(caps & 0xff));
  p.push_back(static_cast<char>((caps >> 8) & 0xff));
  p.push_back(45);
  p.append(std::string("\x02\x00", 2));
  p.push_back(static_cast<char>((caps >> 16) & 0xff));
  p.push_back(static_cast<char>((caps >> 24) & 0xff));
  p.append(std::string(11, '\0'));
  std::string out;
  out.push_back(static_cast<char>(p.size()));
  out.append(std::string("\x00\x00\x00", 3));
  out.append(p);
  return out;
}

// A MySQL-like server: greeting, SSLRequest (recorded), TLS with `pki`.
class FakeMysql {
 public:
  explicit FakeMysql(Pki pki = TestPki(),
                     uint32_t caps = kClientProtocol41 | kClientSsl | kClientSecureConnection)
      : pki_(std::move(pki)), caps_(caps) {}
  uint32_t caps() const { return caps_; }
  std::string ssl_request() {
    std::lock_guard<std::mutex> lock(mu_);
    return ssl_request_;
  }
  int port() const { return server_.port(); }
  Endpoint At() const { return server_.At(); }

 private:
  void Serve(int fd) {
    std::string g = GreetingPacket(caps_);
    send(fd, g.data(), g.size(), MSG_NOSIGNAL);
    if (!(caps_ & kClientSsl)) {
      char buf[64];
      recv(fd, buf, sizeof buf, 0);
      return;
    }
    char buf[36];
    size_t got = 0;
    while (got < sizeof buf) {
      ssize_t r = recv(fd, buf + got, sizeof buf - got, 0);
      if (r <= 0) return;
      got += static_cast<size_t>(r);
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      ssl_request_.assign(buf, got);
    }
    AcceptTls(fd, pki_, 0, false);
  }

  Pki pki_;
  uint32_t caps_;
  std::mutex mu_;
  std::string ssl_request_;
  Server server_{[this](int fd) { Serve(fd); }};
};

}  // namespace pxc::resources::tlsprobe::testing
