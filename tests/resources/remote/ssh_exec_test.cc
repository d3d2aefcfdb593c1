// Tests for resources/remote/ssh_exec.cc against a real OpenSSH server:
// output, exit status, large input and output, timeouts that keep the
// session, sessions across threads.
#include <gtest/gtest.h>

#include "resources/remote/ssh_client.h"
#include "tests/resources/remote/ssh_client_test_util.h"

namespace pxc::resources {
namespace {

using namespace ssh_test;  // NOLINT(build/namespaces)

TEST_F(SshClientTest, ExecReturnsOutputErrorsAndExitStatus) {
  SshSession s = Connect(sshd_->Target());
  auto r = s.Exec("printf 'out\\n'; printf 'err\\n' >&2; exit 3");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_status, 3);
  EXPECT_EQ(r->stdout_text, "out\n");
  EXPECT_EQ(r->stderr_text, "err\n");

  auto killed = s.Exec("kill -KILL $$");
  ASSERT_TRUE(killed.ok()) << killed.status().ToString();
  EXPECT_EQ(killed->exit_status, -1);
}

TEST_F(SshClientTest, ExecStreamsLargeInputAndOutputBothWays) {
  SshSession s = Connect(sshd_->Target());
  const std::string data = RandomBytes(6 << 20, 1);
  auto r = s.Exec("cat", data);  // 6 MiB in while 6 MiB come back.
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_status, 0);
  EXPECT_TRUE(r->stdout_text == data) << "got " << r->stdout_text.size() << " bytes";

  auto big = s.Exec("head -c 20000000 /dev/zero; head -c 3000000 /dev/zero >&2");
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->stdout_text.size(), 20000000u);
  EXPECT_EQ(big->stderr_text.size(), 3000000u);
}

TEST_F(SshClientTest, ExecWhoseCommandIgnoresInputFinishes) {
  SshSession s = Connect(sshd_->Target());
  auto r = s.Exec("head -c 5", RandomBytes(8 << 20, 2));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_status, 0);
  EXPECT_EQ(r->stdout_text.size(), 5u);
  auto t = s.Exec("true", RandomBytes(8 << 20, 3));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->exit_status, 0);
}

TEST_F(SshClientTest, ExecTimeoutIsDeadlineExceededAndSessionSurvives) {
  // The test user's login shell is /bin/sh: quick to start, so a short
  // timeout is enough for the follow-up command even on a loaded machine.
  SshTarget target = sshd_->Target(sshd_->user());
  target.command_timeout_seconds = 2;
  SshSession s = Connect(target);
  for (const char* command : {"sleep 30", "exec >/dev/null 2>&1; sleep 30"}) {
    auto start = Clock::now();
    auto r = s.Exec(command);
    EXPECT_LT(SecondsSince(start), 6.0) << command;
    ASSERT_EQ(r.status().code(), StatusCode::kDeadlineExceeded) << command;
    EXPECT_NE(r.status().message().find(Where()), std::string::npos);
    EXPECT_NE(r.status().message().find("command_timeout_seconds"), std::string::npos);
  }
  auto after = s.Exec("echo still here");
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->stdout_text, "still here\n");
}

TEST_F(SshClientTest, SessionsAreMovableAndIndependentAcrossThreads) {
  SshSession a = Connect(sshd_->Target());
  SshSession moved = std::move(a);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      auto s = SshSession::Connect(sshd_->Target());
      if (!s.ok()) return;
      for (int j = 0; j < 5; ++j) {
        auto r = s->Exec("echo " + std::to_string(i * 10 + j));
        if (r.ok() && r->stdout_text == std::to_string(i * 10 + j) + "\n") ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 20);
  auto r = moved.Exec("echo moved");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->stdout_text, "moved\n");
}

// --- files -----------------------------------------------------------------------

}  // namespace
}  // namespace pxc::resources
