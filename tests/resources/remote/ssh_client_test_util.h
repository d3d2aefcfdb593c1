// Helpers and fixtures shared by the tests of resources/remote/ssh_client.h
// against a real OpenSSH server on this machine (sshd_fixture.h): one sshd
// for the whole binary, a scratch directory per test, and watchers for the
// temporary files pxc writes.
#pragma once

#include <arpa/inet.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "resources/remote/ssh_client.h"
#include "tests/resources/remote/sshd_fixture.h"

namespace pxc::resources::ssh_test {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::MakeKeyPair;
using testing::RunCommand;
using testing::Sshd;
using Clock = std::chrono::steady_clock;

inline std::string ReadLocal(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteLocal(const std::string& path, const std::string& data, mode_t mode = 0644) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
  ::chmod(path.c_str(), mode);
}

inline std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(gen());
  return out;
}

inline std::vector<std::string> TempFilesIn(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename();
    if (name.find(".pxc-tmp-") != std::string::npos) out.push_back(name);
  }
  return out;
}

inline uid_t UidOf(const std::string& user) {
  struct passwd* pw = ::getpwnam(user.c_str());
  return pw ? pw->pw_uid : static_cast<uid_t>(-1);
}
inline gid_t GidOf(const std::string& group) {
  struct group* gr = ::getgrnam(group.c_str());
  return gr ? gr->gr_gid : static_cast<gid_t>(-1);
}

inline double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Watches a directory with inotify and reports every temporary file event.
class TempFileWatcher {
 public:
  using OnCreate = std::function<void(const std::string& name)>;
  explicit TempFileWatcher(std::string dir, OnCreate on_create = nullptr)
      : dir_(std::move(dir)), on_create_(std::move(on_create)) {
    fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    ::inotify_add_watch(fd_, dir_.c_str(),
                        IN_CREATE | IN_ATTRIB | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM);
    thread_ = std::thread([this] { Loop(); });
  }
  ~TempFileWatcher() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  // Modes (st_mode & 07777) seen on temporary files while they existed.
  std::set<uint32_t> modes() {
    std::lock_guard<std::mutex> l(mu_);
    return modes_;
  }
  std::set<std::string> names() {
    std::lock_guard<std::mutex> l(mu_);
    return names_;
  }

 private:
  void Loop() {
    alignas(struct inotify_event) char buf[8192];
    while (!stop_) {
      struct pollfd pfd = {fd_, POLLIN, 0};
      if (::poll(&pfd, 1, 10) <= 0) continue;
      ssize_t n = ::read(fd_, buf, sizeof buf);
      for (ssize_t off = 0; off < n;) {
        auto* ev = reinterpret_cast<struct inotify_event*>(buf + off);
        off += static_cast<ssize_t>(sizeof(struct inotify_event) + ev->len);
        if (ev->len == 0) continue;
        std::string name = ev->name;
        if (name.find(".pxc-tmp-") == std::string::npos) continue;
        struct stat st;
        bool exists = ::lstat((dir_ + "/" + name).c_str(), &st) == 0;
        {
          std::lock_guard<std::mutex> l(mu_);
          names_.insert(name);
          if (exists) modes_.insert(st.st_mode & 07777);
        }
        if ((ev->mask & IN_CREATE) && on_create_) on_create_(name);
      }
    }
  }

  std::string dir_;
  OnCreate on_create_;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::set<uint32_t> modes_;
  std::set<std::string> names_;
  std::thread thread_;
};

// Plays a process that can write to a directory pxc writes into (as `mysql`
// could when it owned cert_dir): at a chosen moment it replaces pxc's
// temporary file with a symbolic link to `target`, atomically (symlink at a
// side name, then rename over the temporary name). Once per temporary file.
class TempFileSwapper {
 public:
  enum class When {
    kCreated,     // right after the temporary file appears
    kWritten,     // when a writer closes it (the content is complete)
    kFirstRead,   // when a reader closes it for the first time
    kSecondRead,  // ... and the second time (after a size and a digest check)
  };
  static const char* Name(When w) {
    switch (w) {
      case When::kCreated:
        return "created";
      case When::kWritten:
        return "written";
      case When::kFirstRead:
        return "first read";
      case When::kSecondRead:
        return "second read";
    }
    return "?";
  }
  TempFileSwapper(std::string dir, std::string target, When when)
      : dir_(std::move(dir)), target_(std::move(target)), when_(when) {
    fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    ::inotify_add_watch(fd_, dir_.c_str(), IN_CREATE | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE);
    thread_ = std::thread([this] { Loop(); });
  }
  ~TempFileSwapper() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  int swaps() const { return swaps_; }

 private:
  void Loop() {
    alignas(struct inotify_event) char buf[8192];
    std::map<std::string, int> reads;
    std::set<std::string> done;
    while (!stop_) {
      struct pollfd pfd = {fd_, POLLIN, 0};
      if (::poll(&pfd, 1, 5) <= 0) continue;
      ssize_t n = ::read(fd_, buf, sizeof buf);
      for (ssize_t off = 0; off < n;) {
        auto* ev = reinterpret_cast<struct inotify_event*>(buf + off);
        off += static_cast<ssize_t>(sizeof(struct inotify_event) + ev->len);
        if (ev->len == 0) continue;
        std::string name = ev->name;
        if (name.find(".pxc-tmp-") == std::string::npos || done.count(name)) continue;
        bool fire = false;
        switch (when_) {
          case When::kCreated:
            fire = ev->mask & IN_CREATE;
            break;
          case When::kWritten:
            fire = ev->mask & IN_CLOSE_WRITE;
            break;
          case When::kFirstRead:
            fire = (ev->mask & IN_CLOSE_NOWRITE) && ++reads[name] == 1;
            break;
          case When::kSecondRead:
            fire = (ev->mask & IN_CLOSE_NOWRITE) && ++reads[name] == 2;
            break;
        }
        if (!fire) continue;
        const std::string tmp = dir_ + "/" + name;
        const std::string side = dir_ + "/swap-" + std::to_string(swaps_);
        struct stat st;
        if (::lstat(tmp.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        if (::symlink(target_.c_str(), side.c_str()) == 0 &&
            ::rename(side.c_str(), tmp.c_str()) == 0) {
          ++swaps_;
          done.insert(name);
        }
        ::unlink(side.c_str());
      }
    }
  }

  std::string dir_, target_;
  When when_;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<int> swaps_{0};
  std::thread thread_;
};

// The tests against the real sshd.
class SshClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    skip_reason_ = Sshd::SkipReason();
    if (!skip_reason_.empty()) return;
    auto started = Sshd::Start();
    if (started.ok()) {
      sshd_ = std::move(started).value();
    } else {
      start_error_ = started.status().ToString();
    }
  }
  static void TearDownTestSuite() { sshd_.reset(); }

  void SetUp() override {
    if (!skip_reason_.empty()) GTEST_SKIP() << "sshd tests skipped: " << skip_reason_;
    ASSERT_TRUE(sshd_ != nullptr) << "cannot start the test sshd: " << start_error_;
    files_ =
        sshd_->dir() + "/files-" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::create_directories(files_);
    ::chmod(files_.c_str(), 0755);
  }
  void TearDown() override {
    if (sshd_ && HasFailure()) {
      std::string log = sshd_->Log();
      if (log.size() > 4000) log = log.substr(log.size() - 4000);
      std::cerr << "---- sshd log (tail) ----\n" << log << "\n";
    }
  }

  static SshSession Connect(const SshTarget& t) {
    auto s = SshSession::Connect(t);
    if (!s.ok()) {
      ADD_FAILURE() << s.status().ToString();
      throw std::runtime_error("connect failed");
    }
    return std::move(s).value();
  }
  std::string Where() const {
    return "test-sshd (127.0.0.1:" + std::to_string(sshd_->port()) + ")";
  }
  std::string KnownHostsName() const { return "[127.0.0.1]:" + std::to_string(sshd_->port()); }
  // The base64 part of the host's public key.
  std::string HostKeyBody() const {
    std::istringstream in(sshd_->host_key().public_line);
    std::string type, body;
    in >> type >> body;
    return body;
  }

  static inline std::unique_ptr<Sshd> sshd_;
  static inline std::string skip_reason_;
  static inline std::string start_error_;
  std::string files_;  // A scratch directory for this test, mode 0755, owned by root.
};

// --- host keys --------------------------------------------------------------

class SshSudoTest : public SshClientTest {
 protected:
  void SetUp() override {
    SshClientTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (!sshd_->has_sudo()) {
      GTEST_SKIP() << "sudo is not installed (add `sudo` to the test packages to run these)";
    }
  }
  SshTarget SudoTarget() const {
    SshTarget t = sshd_->Target(sshd_->user());
    t.sudo = true;
    return t;
  }
};

}  // namespace pxc::resources::ssh_test
