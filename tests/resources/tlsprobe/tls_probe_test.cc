// ProbeTls and ProbePlainGalera against servers on 127.0.0.1 made here with
// OpenSSL: a MySQL-like server that sends a protocol-10 greeting, reads the
// SSLRequest and then accepts TLS; a TLS server that demands a client
// certificate (as Galera's port does); TLS limited to 1.2; and servers that
// answer a silent client with plain bytes, a TLS record, nothing, or a close.
#include "resources/tlsprobe/tls_probe.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <functional>
#include <thread>

#include "resources/pki/x509.h"
#include "resources/tlsprobe/mysql_starttls.h"

namespace pxc::resources::tlsprobe {
namespace {

struct Pki {
  std::string ca_pem, cert_pem, key_pem, cert_fingerprint;
};

const Pki& TestPki() {
  static const Pki pki = [] {
    Pki p;
    auto ca_key = PrivateKey::Generate(KeySpec{KeyAlgorithm::kEcdsa, 0, "P256"});
    CaSpec cs;
    cs.subject.common_name = "Probe-CA";
    cs.validity_period_hours = 24;
    auto ca = Certificate::SelfSignCa(*ca_key, cs);
    auto key = PrivateKey::Generate(KeySpec{KeyAlgorithm::kEcdsa, 0, "P256"});
    LeafSpec ls;
    ls.subject.common_name = "node1";
    ls.validity_period_hours = 24;
    ls.ip_addresses = {"127.0.0.1"};
    auto leaf = Certificate::SignLeaf(*ca, *ca_key, *key->GetPublicKey(), ls);
    p.ca_pem = ca->ToPem();
    p.cert_pem = leaf->ToPem();
    p.key_pem = *key->ToPem();
    p.cert_fingerprint = leaf->Sha256Fingerprint();
    return p;
  }();
  return pki;
}

// A server on 127.0.0.1 that handles one connection at a time with `serve`
// until destroyed.
class Server {
 public:
  explicit Server(std::function<void(int fd)> serve) : serve_(std::move(serve)) {
    // The test servers write with OpenSSL (write()) to clients that may have
    // closed first; the probes themselves are covered by ScopedSigpipeBlock.
    std::signal(SIGPIPE, SIG_IGN);
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(fd_, 8);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      while (!stop_) {
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0) break;
        if (!stop_) serve_(c);
        close(c);
      }
    });
  }
  ~Server() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  Endpoint At() const { return Endpoint{"127.0.0.1", port_, std::chrono::milliseconds(2000)}; }

 private:
  std::function<void(int)> serve_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

SSL_CTX* ServerCtx(int max_version, bool require_client_cert) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  const Pki& p = TestPki();
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

void AcceptTls(int fd, int max_version, bool require_client_cert) {
  SSL_CTX* ctx = ServerCtx(max_version, require_client_cert);
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  if (SSL_accept(ssl) == 1) {
    char buf[16];
    SSL_read(ssl, buf, sizeof buf);  // until the client closes
  }
  SSL_free(ssl);
  SSL_CTX_free(ctx);
}

std::string GreetingPacket(uint32_t caps) {
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

// A MySQL-like server: greeting, SSLRequest (recorded), TLS.
struct FakeMysql {
  std::string ssl_request;
  uint32_t caps = kClientProtocol41 | kClientSsl | kClientSecureConnection;
  Server server{[this](int fd) {
    std::string g = GreetingPacket(caps);
    send(fd, g.data(), g.size(), MSG_NOSIGNAL);
    if (!(caps & kClientSsl)) {
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
    ssl_request.assign(buf, got);
    AcceptTls(fd, 0, false);
  }};
};

TEST(TlsProbe, MysqlStartTlsGetsTheServedChain) {
  FakeMysql mysql;
  for (TlsVersion v : {TlsVersion::kTls12, TlsVersion::kTls13}) {
    auto r = ProbeTls(mysql.server.At(), Preamble::kMysqlStartTls, v);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_TRUE(r->served) << r->refusal;
    EXPECT_EQ(r->version, std::string(TlsVersionName(v)));
    EXPECT_EQ(r->server_version, "10.11.6-MariaDB");
    ASSERT_FALSE(r->chain_der.empty());
    auto leaf = Certificate::FromDer(r->chain_der.front());
    ASSERT_TRUE(leaf.ok());
    EXPECT_EQ(leaf->Sha256Fingerprint(), TestPki().cert_fingerprint);
  }
  // The server received exactly the SSLRequest the pure code builds.
  Greeting g;
  g.capabilities = mysql.caps;
  g.charset = 45;
  EXPECT_EQ(mysql.ssl_request, BuildSslRequest(g));
}

TEST(TlsProbe, MysqlServerWithoutTls) {
  FakeMysql mysql;
  mysql.caps = kClientProtocol41 | kClientSecureConnection;
  auto r = ProbeTls(mysql.server.At(), Preamble::kMysqlStartTls, TlsVersion::kTls13);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_FALSE(r->served);
  EXPECT_FALSE(r->server_offers_tls);
  EXPECT_EQ(r->refusal, "the server does not offer TLS (no CLIENT_SSL in its greeting)");
}

TEST(TlsProbe, MutualTlsServerStillShowsItsChain) {
  // Galera's port refuses a peer without a client certificate, after it has
  // sent its own.
  for (TlsVersion v : {TlsVersion::kTls12, TlsVersion::kTls13}) {
    Server galera([](int fd) { AcceptTls(fd, 0, true); });
    auto r = ProbeTls(galera.At(), Preamble::kNone, v);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_TRUE(r->served) << TlsVersionName(v) << ": " << r->refusal;
    EXPECT_EQ(r->version, std::string(TlsVersionName(v)));
    ASSERT_FALSE(r->chain_der.empty());
    EXPECT_EQ(Certificate::FromDer(r->chain_der.front())->Sha256Fingerprint(),
              TestPki().cert_fingerprint);
  }
}

TEST(TlsProbe, ServerLimitedToTls12RefusesTls13) {
  Server s([](int fd) { AcceptTls(fd, TLS1_2_VERSION, false); });
  auto r13 = ProbeTls(s.At(), Preamble::kNone, TlsVersion::kTls13);
  ASSERT_TRUE(r13.ok()) << r13.status().message();
  EXPECT_FALSE(r13->served);
  EXPECT_FALSE(r13->refusal.empty());
  auto r12 = ProbeTls(s.At(), Preamble::kNone, TlsVersion::kTls12);
  ASSERT_TRUE(r12.ok());
  EXPECT_TRUE(r12->served);
}

TEST(TlsProbe, ClosedPortIsUnavailable) {
  int port;
  {
    Server s([](int) {});
    port = s.At().port;
  }
  Endpoint ep{"127.0.0.1", port, std::chrono::milliseconds(1000)};
  auto r = ProbeTls(ep, Preamble::kNone, TlsVersion::kTls13);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("cannot connect to 127.0.0.1:"), std::string::npos)
      << r.status().message();
  auto p = ProbePlainGalera(ep, std::chrono::milliseconds(100));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kUnavailable);
}

TEST(TlsProbe, PlainProbeTellsHowTheServerAnswersSilence) {
  struct Case {
    std::string name;
    std::function<void(int)> serve;
    PlainAnswer want;
  } cases[] = {
      {"plain handshake",
       [](int fd) {
         // Sent after a delay, as Galera with socket.dynamic does.
         usleep(200 * 1000);
         send(fd, "\x01\x00\x00\x00gcomm", 9, MSG_NOSIGNAL);
         usleep(300 * 1000);
       },
       PlainAnswer::kPlain},
      {"tls record",
       [](int fd) {
         send(fd, "\x15\x03\x03\x00\x02\x02\x28", 7, MSG_NOSIGNAL);
         usleep(300 * 1000);
       },
       PlainAnswer::kTls},
      {"silent", [](int) { usleep(600 * 1000); }, PlainAnswer::kSilent},
      {"closed", [](int) {}, PlainAnswer::kClosed},
  };
  for (const auto& c : cases) {
    Server s(c.serve);
    auto r = ProbePlainGalera(s.At(), std::chrono::milliseconds(400));
    ASSERT_TRUE(r.ok()) << c.name << ": " << r.status().message();
    EXPECT_EQ(PlainAnswerName(*r), PlainAnswerName(c.want)) << c.name;
  }
}

TEST(TlsProbe, ClassifyFirstBytes) {
  EXPECT_EQ(ClassifyFirstBytes(""), PlainAnswer::kClosed);
  EXPECT_EQ(ClassifyFirstBytes(std::string("\x16\x03\x01", 3)), PlainAnswer::kTls);
  EXPECT_EQ(ClassifyFirstBytes(std::string("\x15", 1)), PlainAnswer::kTls);
  EXPECT_EQ(ClassifyFirstBytes(std::string("\x16\x00", 2)), PlainAnswer::kPlain);
  EXPECT_EQ(ClassifyFirstBytes(std::string("\x01\x00\x00", 3)), PlainAnswer::kPlain);
}

}  // namespace
}  // namespace pxc::resources::tlsprobe
