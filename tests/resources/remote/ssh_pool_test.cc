// Unit tests of resources/remote/ssh_pool.h without a network: the pool
// opens fake connections through an injected connector, so keying, leases,
// bounds, probes, eviction and shutdown are checked exactly. The same pool
// against a real sshd is in ssh_pool_sshd_test.cc.
#include "resources/remote/ssh_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace pxc::resources {
namespace {

using std::chrono::milliseconds;

// What the test sees of every fake connection the pool opened.
struct World {
  std::mutex mu;
  int connects = 0;
  int closed = 0;
  int probes = 0;
  int round_trips = 0;
  int execs = 0;
  bool fail_connect = false;
  std::vector<std::string> connected_labels;
  // Set when two threads used one connection at the same time.
  std::atomic<bool> overlap{false};
};

class FakeHost final : public ReusableHost {
 public:
  FakeHost(World* w, const SshTarget& t) : w_(w), desc_(t.label + " (" + t.host + ")") {}
  ~FakeHost() override {
    std::lock_guard<std::mutex> lock(w_->mu);
    ++w_->closed;
  }
  const std::string& Describe() const override { return desc_; }
  StatusOr<ExecResult> Exec(const std::string& command, std::string_view) override {
    if (in_use_.exchange(true)) w_->overlap = true;
    std::this_thread::sleep_for(milliseconds(1));
    in_use_ = false;
    {
      std::lock_guard<std::mutex> lock(w_->mu);
      ++w_->execs;
    }
    if (!alive) return UnavailableError("lost the SSH connection to " + desc_);
    if (command == "break") {
      usable = false;
      return UnavailableError("lost the SSH connection to " + desc_);
    }
    ExecResult r;
    r.exit_status = 0;
    r.stdout_text = desc_;
    return r;
  }
  StatusOr<std::optional<std::string>> ReadFile(const std::string&) override {
    return std::optional<std::string>();
  }
  StatusOr<std::optional<FileStat>> Stat(const std::string&) override {
    return std::optional<FileStat>();
  }
  StatusOr<std::optional<FileStat>> Lstat(const std::string&) override {
    return std::optional<FileStat>();
  }
  StatusOr<std::vector<std::string>> ListDirectory(const std::string&) override {
    return std::vector<std::string>();
  }
  StatusOr<DirectoryReport> InspectDirectory(const std::string&) override {
    return DirectoryReport();
  }
  Status WriteFileAtomic(const std::string&, std::string_view, uint32_t, const std::string&,
                         const std::string&) override {
    return OkStatus();
  }
  Status RemoveFile(const std::string&) override { return OkStatus(); }
  StatusOr<bool> MakeDirectory(const std::string&, uint32_t, const std::string&,
                               const std::string&) override {
    return true;
  }
  Status SetDirectoryOwnerAndMode(const std::string&, uint32_t, const std::string&,
                                  const std::string&) override {
    return OkStatus();
  }
  StatusOr<bool> RemoveDirectory(const std::string&) override { return true; }

  bool Usable() const override { return usable; }
  Status Probe(bool round_trip, milliseconds) override {
    std::lock_guard<std::mutex> lock(w_->mu);
    ++w_->probes;
    if (round_trip) ++w_->round_trips;
    if (!alive) {
      usable = false;
      return UnavailableError("the server closed the connection");
    }
    return OkStatus();
  }
  void BeginUse(const std::string& label) override {
    desc_ = label + " (" + desc_.substr(desc_.find('(') + 1);
    ++uses;
  }

  bool alive = true;   // false: the server has gone (the probe sees it)
  bool usable = true;  // false: the connection broke while leased
  int uses = 0;

 private:
  World* w_;
  std::string desc_;
  std::atomic<bool> in_use_{false};
};

class SshPoolTest : public ::testing::Test {
 protected:
  SshPool::Connector Connector() {
    return [this](const SshTarget& t) -> StatusOr<std::unique_ptr<ReusableHost>> {
      std::lock_guard<std::mutex> lock(world_.mu);
      if (world_.fail_connect) return UnavailableError("cannot connect to " + t.host);
      ++world_.connects;
      world_.connected_labels.push_back(t.label);
      auto h = std::make_unique<FakeHost>(&world_, t);
      last_ = h.get();
      return std::unique_ptr<ReusableHost>(std::move(h));
    };
  }
  static SshTarget Target(const std::string& host = "10.0.0.1", const std::string& label = "n1") {
    SshTarget t;
    t.host = host;
    t.label = label;
    t.private_key_pem = "-----BEGIN OPENSSH PRIVATE KEY-----\nsecret-key\n";
    t.host_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostKey";
    return t;
  }
  static SshPool::Options Fast() {
    SshPool::Options o;
    o.share_wait = milliseconds(200);
    o.max_wait = milliseconds(400);
    o.probe_after_idle = milliseconds(50);
    return o;
  }
  int Connects() {
    std::lock_guard<std::mutex> lock(world_.mu);
    return world_.connects;
  }
  int Closed() {
    std::lock_guard<std::mutex> lock(world_.mu);
    return world_.closed;
  }

  World world_;
  FakeHost* last_ = nullptr;  // the connection opened last
};

TEST_F(SshPoolTest, SequentialLeasesOfOneNodeConnectOnce) {
  SshPool pool(Fast(), Connector());
  for (int i = 0; i < 5; ++i) {
    auto lease = pool.Lease(Target());
    ASSERT_TRUE(lease.ok()) << lease.status().ToString();
    auto r = (*lease)->Exec("true");
    ASSERT_TRUE(r.ok());
  }
  EXPECT_EQ(Connects(), 1);
  SshPool::Stats s = pool.stats();
  EXPECT_EQ(s.connected, 1u);
  EXPECT_EQ(s.reused, 4u);
  EXPECT_EQ(s.idle, 1u);
  EXPECT_EQ(s.leased, 0u);
  EXPECT_EQ(world_.execs, 5);
  EXPECT_EQ(Closed(), 0);
}

TEST_F(SshPoolTest, OnlyTheLabelMayDifferBetweenSharers) {
  SshPool pool(Fast(), Connector());
  {
    auto a = pool.Lease(Target("10.0.0.1", "pxc1"));
    ASSERT_TRUE(a.ok());
    EXPECT_EQ((*a)->Describe(), "pxc1 (10.0.0.1)");
  }
  {
    // Same node, same settings, another name in messages: shared, and the
    // messages use the new name.
    auto b = pool.Lease(Target("10.0.0.1", "node-one"));
    ASSERT_TRUE(b.ok());
    EXPECT_EQ((*b)->Describe(), "node-one (10.0.0.1)");
    EXPECT_EQ(last_->uses, 1);  // told that a new user has it
  }
  EXPECT_EQ(Connects(), 1);
  // Host names compare case-insensitively.
  EXPECT_EQ(SshPool::KeyOf(Target("Node1.example")), SshPool::KeyOf(Target("node1.EXAMPLE")));

  // Every setting that decides identity or trust separates connections.
  std::vector<std::function<void(SshTarget&)>> changes = {
      [](SshTarget& t) { t.host = "10.0.0.2"; },
      [](SshTarget& t) { t.port = 2222; },
      [](SshTarget& t) { t.user = "deploy"; },
      [](SshTarget& t) { t.private_key_pem += "x"; },
      [](SshTarget& t) { t.private_key_passphrase = "pass"; },
      [](SshTarget& t) { t.password = "pw"; },
      [](SshTarget& t) { t.use_agent = true; },
      [](SshTarget& t) { t.host_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOther"; },
      [](SshTarget& t) { t.known_hosts = "10.0.0.1 ssh-ed25519 AAAA"; },
      [](SshTarget& t) { t.insecure_ignore_host_key = true; },
      [](SshTarget& t) { t.sudo = true; },
      [](SshTarget& t) { t.connect_timeout_seconds = 3; },
      [](SshTarget& t) { t.command_timeout_seconds = 30; },
  };
  std::set<std::string> keys = {SshPool::KeyOf(Target())};
  for (size_t i = 0; i < changes.size(); ++i) {
    SshTarget t = Target();
    changes[i](t);
    keys.insert(SshPool::KeyOf(t));
    EXPECT_EQ(keys.size(), i + 2) << "change " << i << " did not change the key";
    auto lease = pool.Lease(t);
    ASSERT_TRUE(lease.ok());
  }
  EXPECT_EQ(Connects(), static_cast<int>(changes.size()) + 1);
}

TEST_F(SshPoolTest, KeyHoldsNoSecret) {
  SshTarget t = Target();
  t.password = "hunter2-password";
  t.private_key_passphrase = "passphrase-xyz";
  const std::string key = SshPool::KeyOf(t);
  EXPECT_EQ(key.size(), 64u);  // SHA-256, hex
  for (const std::string& secret :
       {t.password, t.private_key_passphrase, std::string("secret-key"), std::string("10.0.0.1")}) {
    EXPECT_EQ(key.find(secret), std::string::npos) << secret;
  }
}

TEST_F(SshPoolTest, LeaseIsExclusiveAndWaitersShareTheConnection) {
  SshPool::Options o = Fast();
  o.share_wait = milliseconds(5000);  // long: waiters wait for the one connection
  o.max_wait = milliseconds(10000);
  SshPool pool(o, Connector());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 20; ++j) {
        auto lease = pool.Lease(Target());
        if (!lease.ok() || !(*lease)->Exec("true").ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  EXPECT_FALSE(world_.overlap) << "two threads used one connection at once";
  EXPECT_EQ(Connects(), 1);
  EXPECT_EQ(world_.execs, 160);
  EXPECT_GT(pool.stats().waited, 0u);
}

TEST_F(SshPoolTest, LongLeaseOrNestedLeaseGetsAnotherConnectionAfterShareWait) {
  SshPool pool(Fast(), Connector());
  auto held = pool.Lease(Target());
  ASSERT_TRUE(held.ok());
  const auto start = std::chrono::steady_clock::now();
  auto nested = pool.Lease(Target());  // same thread, same node: no deadlock
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(nested.ok()) << nested.status().ToString();
  EXPECT_GE(waited, milliseconds(190));
  EXPECT_LT(waited, milliseconds(2000));
  EXPECT_EQ(Connects(), 2);
}

TEST_F(SshPoolTest, PerKeyBurstAndTotalAreBounded) {
  SshPool::Options o = Fast();
  o.max_per_key_burst = 2;
  o.max_total = 3;
  SshPool pool(o, Connector());
  auto a = pool.Lease(Target());
  auto b = pool.Lease(Target());  // after share_wait: the burst connection
  ASSERT_TRUE(a.ok() && b.ok());
  auto c = pool.Lease(Target());  // burst used up: fails after max_wait
  ASSERT_EQ(c.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(c.status().message().find("became free"), std::string::npos) << c.status().message();
  auto d = pool.Lease(Target("10.0.0.2"));
  ASSERT_TRUE(d.ok());
  auto e = pool.Lease(Target("10.0.0.3"));  // 3 open: the total bound
  ASSERT_EQ(e.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(Connects(), 3);
  // An idle connection of another node makes room (the longest idle one).
  d->reset();
  auto f = pool.Lease(Target("10.0.0.3"));
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(Connects(), 4);
  EXPECT_EQ(Closed(), 1);
  EXPECT_EQ(pool.stats().expired, 1u);
}

TEST_F(SshPoolTest, WaiterGetsTheConnectionWhenItComesBack) {
  SshPool::Options o = Fast();
  o.share_wait = milliseconds(5000);
  SshPool pool(o, Connector());
  auto held = pool.Lease(Target());
  ASSERT_TRUE(held.ok());
  std::thread releaser([&] {
    std::this_thread::sleep_for(milliseconds(50));
    held->reset();
  });
  const auto start = std::chrono::steady_clock::now();
  auto second = pool.Lease(Target());
  releaser.join();
  ASSERT_TRUE(second.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
  EXPECT_EQ(Connects(), 1);
}

TEST_F(SshPoolTest, ConnectionBrokenWhileLeasedIsNeverHandedOutAgain) {
  SshPool pool(Fast(), Connector());
  {
    auto lease = pool.Lease(Target());
    ASSERT_TRUE(lease.ok());
    EXPECT_EQ((*lease)->Exec("break").status().code(), StatusCode::kUnavailable);
  }
  EXPECT_EQ(Closed(), 1);
  EXPECT_EQ(pool.stats().discarded, 1u);
  auto again = pool.Lease(Target());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE((*again)->Exec("true").ok());
  EXPECT_EQ(Connects(), 2);
}

TEST_F(SshPoolTest, DeadIdleConnectionIsReplacedWithoutRunningAnythingOnIt) {
  SshPool pool(Fast(), Connector());
  { ASSERT_TRUE(pool.Lease(Target()).ok()); }
  FakeHost* first = last_;
  first->alive = false;  // e.g. sshd restarted while the connection was idle
  auto lease = pool.Lease(Target());
  ASSERT_TRUE(lease.ok()) << lease.status().ToString();
  EXPECT_NE(last_, first);
  auto r = (*lease)->Exec("true");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(world_.execs, 1);  // only on the new connection
  EXPECT_EQ(Connects(), 2);
  EXPECT_EQ(Closed(), 1);
  EXPECT_EQ(pool.stats().replaced, 1u);
}

TEST_F(SshPoolTest, ProbeRoundTripOnlyAfterIdleTime) {
  SshPool pool(Fast(), Connector());
  { ASSERT_TRUE(pool.Lease(Target()).ok()); }
  { ASSERT_TRUE(pool.Lease(Target()).ok()); }  // at once: socket check only
  EXPECT_EQ(world_.probes, 1);
  EXPECT_EQ(world_.round_trips, 0);
  std::this_thread::sleep_for(milliseconds(80));  // > probe_after_idle
  { ASSERT_TRUE(pool.Lease(Target()).ok()); }
  EXPECT_EQ(world_.probes, 2);
  EXPECT_EQ(world_.round_trips, 1);
  EXPECT_EQ(Connects(), 1);
}

TEST_F(SshPoolTest, IdleConnectionsExpire) {
  SshPool::Options o = Fast();
  o.idle_timeout = milliseconds(50);
  SshPool pool(o, Connector());
  { ASSERT_TRUE(pool.Lease(Target()).ok()); }
  std::this_thread::sleep_for(milliseconds(80));
  { ASSERT_TRUE(pool.Lease(Target("10.0.0.2")).ok()); }
  EXPECT_EQ(Closed(), 1);
  EXPECT_EQ(pool.stats().expired, 1u);
  EXPECT_EQ(pool.stats().idle, 1u);
}

TEST_F(SshPoolTest, ConnectErrorsAreReturnedAndFreeTheirSlot) {
  SshPool::Options o = Fast();
  o.max_total = 1;
  SshPool pool(o, Connector());
  world_.fail_connect = true;
  auto bad = pool.Lease(Target());
  ASSERT_EQ(bad.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(bad.status().message().find("cannot connect to 10.0.0.1"), std::string::npos);
  world_.fail_connect = false;
  auto good = pool.Lease(Target());
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(pool.stats().connect_errors, 1u);
}

TEST_F(SshPoolTest, ShutdownClosesIdleNowAndLeasedAtRelease) {
  SshPool pool(Fast(), Connector());
  { ASSERT_TRUE(pool.Lease(Target("10.0.0.1")).ok()); }
  auto held = pool.Lease(Target("10.0.0.2"));
  ASSERT_TRUE(held.ok());
  pool.Shutdown();
  EXPECT_EQ(Closed(), 1);
  EXPECT_EQ(pool.Lease(Target("10.0.0.1")).status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE((*held)->Exec("true").ok());  // a lease in use keeps working
  held->reset();
  EXPECT_EQ(Closed(), 2);
  EXPECT_EQ(pool.stats().idle, 0u);
}

TEST_F(SshPoolTest, LeaseMayOutliveThePool) {
  std::unique_ptr<NodeHost> lease;
  {
    SshPool pool(Fast(), Connector());
    auto l = pool.Lease(Target());
    ASSERT_TRUE(l.ok());
    lease = std::move(l).value();
  }
  EXPECT_TRUE(lease->Exec("true").ok());
  lease.reset();
  EXPECT_EQ(Closed(), 1);
}

}  // namespace
}  // namespace pxc::resources
