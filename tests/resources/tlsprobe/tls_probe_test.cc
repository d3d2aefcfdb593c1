// ProbeTls and ProbePlainGalera against servers on 127.0.0.1 made here with
// OpenSSL: a MySQL-like server that sends a protocol-10 greeting, reads the
// SSLRequest and then accepts TLS; a TLS server that demands a client
// certificate (as Galera's port does); TLS limited to 1.2; and servers that
// answer a silent client with plain bytes, a TLS record, nothing, or a close.
#include "resources/tlsprobe/tls_probe.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <future>
#include <mutex>
#include <vector>

#include "resources/pki/x509.h"
#include "resources/tlsprobe/mysql_starttls.h"
#include "tests/resources/tlsprobe/tls_test_servers.h"

namespace pxc::resources::tlsprobe {
namespace {

using testing::AcceptTls;
using testing::FakeMysql;
using testing::Server;
using testing::TestPki;

TEST(TlsProbe, MysqlStartTlsGetsTheServedChain) {
  FakeMysql mysql;
  for (TlsVersion v : {TlsVersion::kTls12, TlsVersion::kTls13}) {
    auto r = ProbeTls(mysql.At(), Preamble::kMysqlStartTls, v);
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
  g.capabilities = mysql.caps();
  g.charset = 45;
  EXPECT_EQ(mysql.ssl_request(), BuildSslRequest(g));
}

TEST(TlsProbe, MysqlServerWithoutTls) {
  FakeMysql mysql(TestPki(), kClientProtocol41 | kClientSecureConnection);
  auto r = ProbeTls(mysql.At(), Preamble::kMysqlStartTls, TlsVersion::kTls13);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_FALSE(r->served);
  EXPECT_FALSE(r->server_offers_tls);
  EXPECT_EQ(r->refusal, "the server does not offer TLS (no CLIENT_SSL in its greeting)");
}

TEST(TlsProbe, MutualTlsServerStillShowsItsChain) {
  // Galera's port refuses a peer without a client certificate, after it has
  // sent its own.
  for (TlsVersion v : {TlsVersion::kTls12, TlsVersion::kTls13}) {
    Server galera([](int fd) { AcceptTls(fd, TestPki(), 0, true); });
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
  Server s([](int fd) { AcceptTls(fd, TestPki(), TLS1_2_VERSION, false); });
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

TEST(TlsProbe, SharedPlainProbeJoinsOneInFlight) {
  // A server that, like Galera with socket.dynamic, answers silent peers one
  // after the other, 300 ms each: two probes at once would take 600 ms.
  std::mutex one_at_a_time;
  std::atomic<int> connections{0};
  Server s([&](int fd) {
    ++connections;
    std::lock_guard<std::mutex> lock(one_at_a_time);
    usleep(300 * 1000);
    send(fd, "\x01\x00gcomm", 7, MSG_NOSIGNAL);
    usleep(100 * 1000);
  });
  std::vector<std::future<StatusOr<PlainAnswer>>> probes;
  for (int i = 0; i < 3; ++i) {
    probes.push_back(std::async(std::launch::async, [&] {
      return SharedProbePlainGalera(s.At(), std::chrono::milliseconds(450),
                                    std::chrono::milliseconds(2000));
    }));
  }
  for (auto& p : probes) {
    auto r = p.get();
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(PlainAnswerName(*r), "plain");
  }
  EXPECT_EQ(connections.load(), 1);
  // Within `reuse` the answer is reused; after it, the node is asked again.
  EXPECT_TRUE(SharedProbePlainGalera(s.At(), std::chrono::milliseconds(450),
                                     std::chrono::milliseconds(2000))
                  .ok());
  EXPECT_EQ(connections.load(), 1);
  EXPECT_TRUE(
      SharedProbePlainGalera(s.At(), std::chrono::milliseconds(450), std::chrono::milliseconds(0))
          .ok());
  EXPECT_EQ(connections.load(), 2);
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
