// SshPool (resources/remote/ssh_pool.h) against a real OpenSSH server: the
// server's own log counts the connections ("Accepted ..." once per
// authenticated connection), so "N operations on one node connect once" and
// "different settings never share" are checked from the server's side.
#include <gtest/gtest.h>

#include "resources/remote/ssh_pool.h"
#include "tests/resources/remote/ssh_client_test_util.h"

namespace pxc::resources {
namespace {

using namespace ssh_test;  // NOLINT(build/namespaces)

class SshPoolSshdTest : public SshClientTest {
 protected:
  // Authenticated connections the server has accepted so far ("Accepted
  // publickey for root from ...", "Accepted password for ...").
  int Accepted() const {
    const std::string log = sshd_->Log();
    int n = 0;
    for (std::string_view line : Lines(log)) {
      if (line.rfind("Accepted ", 0) == 0 && line.find(" for ") != std::string_view::npos &&
          line.find(" from ") != std::string_view::npos) {
        ++n;
      }
    }
    return n;
  }
  static std::vector<std::string_view> Lines(const std::string& text) {
    std::vector<std::string_view> lines;
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      lines.emplace_back(text.data() + start, end - start);
      start = end + 1;
    }
    return lines;
  }
  // The server's processes serving connections (one per connection).
  size_t Served() const { return sshd_->SessionPids(/*sshd_only=*/true).size(); }
  bool WaitServed(size_t n) const {
    for (int i = 0; i < 200; ++i) {
      if (Served() == n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  static std::string Run(NodeHost& h, const std::string& command) {
    auto r = h.Exec(command);
    if (!r.ok()) return "error: " + r.status().ToString();
    return r->stdout_text;
  }
};

TEST_F(SshPoolSshdTest, ManyOperationsOnOneNodeConnectOnce) {
  SshPool pool;
  const int before = Accepted();
  for (int i = 0; i < 6; ++i) {
    SshTarget t = sshd_->Target();
    t.label = "op" + std::to_string(i);  // each resource names the node its way
    auto lease = pool.Lease(t);
    ASSERT_TRUE(lease.ok()) << lease.status().ToString();
    NodeHost& h = **lease;
    EXPECT_NE(h.Describe().find("op" + std::to_string(i) + " (127.0.0.1:"), std::string::npos)
        << h.Describe();
    EXPECT_EQ(Run(h, "echo $$ >/dev/null; id -un"), "root\n");
    const std::string path = files_ + "/f" + std::to_string(i);
    ASSERT_TRUE(h.WriteFileAtomic(path, "data " + std::to_string(i), 0640, "", "").ok());
    auto read = h.ReadFile(path);
    ASSERT_TRUE(read.ok() && read->has_value());
    EXPECT_EQ(**read, "data " + std::to_string(i));
  }
  EXPECT_EQ(Accepted() - before, 1) << "6 leases of one node must share one connection";
  EXPECT_EQ(pool.stats().connected, 1u);
  EXPECT_EQ(pool.stats().reused, 5u);
  pool.Shutdown();
  EXPECT_TRUE(WaitServed(0)) << "the server still serves a connection after Shutdown";
}

TEST_F(SshPoolSshdTest, DifferentCredentialsOrTrustSettingsNeverShare) {
  SshPool pool;
  const int before = Accepted();
  SshTarget root_key = sshd_->Target();
  SshTarget user_password = sshd_->Target(sshd_->user());
  user_password.private_key_pem.clear();
  user_password.password = sshd_->password();
  SshTarget user_key = sshd_->Target(sshd_->user());
  SshTarget root_known_hosts = sshd_->Target();
  root_known_hosts.host_key.clear();
  root_known_hosts.known_hosts = KnownHostsName() + " " + sshd_->host_key().public_line + "\n";
  // Each twice, interleaved: the second round reuses.
  for (int round = 0; round < 2; ++round) {
    for (const SshTarget* t : {&root_key, &user_password, &user_key, &root_known_hosts}) {
      auto lease = pool.Lease(*t);
      ASSERT_TRUE(lease.ok()) << lease.status().ToString();
      EXPECT_EQ(Run(**lease, "id -un"), t->user + "\n");
    }
  }
  EXPECT_EQ(Accepted() - before, 4);
  EXPECT_EQ(pool.stats().connected, 4u);
  EXPECT_EQ(pool.stats().reused, 4u);

  // A wrong password never gets the connection the right one opened.
  SshTarget wrong = user_password;
  wrong.password = "not-" + sshd_->password();
  auto denied = pool.Lease(wrong);
  EXPECT_EQ(denied.status().code(), StatusCode::kPermissionDenied) << denied.status().ToString();
  // Nor does a host key pin that does not match the server.
  SshTarget other_pin = sshd_->Target();
  other_pin.host_key = sshd_->client_key().public_line;  // not the server's key
  auto refused = pool.Lease(other_pin);
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied) << refused.status().ToString();
}

TEST_F(SshPoolSshdTest, ConnectionClosedByTheServerIsReplacedOnce) {
  SshPool pool;
  {
    auto lease = pool.Lease(sshd_->Target());
    ASSERT_TRUE(lease.ok());
    EXPECT_EQ(Run(**lease, "echo one"), "one\n");
  }
  ASSERT_GT(Served(), 0u);
  const int before = Accepted();
  // The server side of the idle connection goes away (as when sshd is
  // restarted or the node's session is killed).
  sshd_->SignalSessions(SIGTERM, /*sshd_only=*/true);
  ASSERT_TRUE(WaitServed(0));
  auto lease = pool.Lease(sshd_->Target());
  ASSERT_TRUE(lease.ok()) << lease.status().ToString();
  EXPECT_EQ(Run(**lease, "echo two"), "two\n");
  EXPECT_EQ(Accepted() - before, 1);
  EXPECT_EQ(pool.stats().replaced, 1u);
  EXPECT_EQ(pool.stats().connected, 2u);
}

// Six threads, three leases each, on one node: with one connection per node
// (waiters wait for it) the server accepts one connection; with up to six
// per node it accepts up to six. Prints the wall time of both, which is how
// the default (one per node, another only after share_wait) was chosen.
TEST_F(SshPoolSshdTest, ConcurrentLeasesShareAndShutdownIsQuick) {
  for (size_t per_key : {size_t{1}, size_t{6}}) {
    SshPool::Options o;
    o.max_per_key = per_key;
    o.max_per_key_burst = per_key;
    o.share_wait = std::chrono::seconds(60);
    SshPool pool(o);
    const int before = Accepted();
    const auto start = Clock::now();
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int i = 0; i < 6; ++i) {
      threads.emplace_back([&] {
        for (int j = 0; j < 3; ++j) {
          auto lease = pool.Lease(sshd_->Target());
          if (!lease.ok()) continue;
          if (Run(**lease, "echo x") == "x\n" && (**lease).ReadFile("/etc/hostname").ok()) ++ok;
        }
      });
    }
    for (auto& t : threads) t.join();
    const double wall_ms = SecondsSince(start) * 1000;
    EXPECT_EQ(ok, 18);
    const int accepted = Accepted() - before;
    if (per_key == 1) {
      EXPECT_EQ(accepted, 1);
    } else {
      EXPECT_GE(accepted, 1);
      EXPECT_LE(accepted, 6);
    }
    const size_t open = pool.stats().idle;
    // Closing the idle connections politely costs no noticeable time.
    const auto closing = Clock::now();
    pool.Shutdown();
    const double close_ms = SecondsSince(closing) * 1000;
    EXPECT_LT(close_ms, 100.0);
    std::cerr << "per node " << per_key << ": 18 leases from 6 threads in " << wall_ms << " ms, "
              << accepted << " connections; Shutdown closed " << open << " in " << close_ms
              << " ms\n";
    EXPECT_TRUE(WaitServed(0));
  }
}

}  // namespace
}  // namespace pxc::resources
