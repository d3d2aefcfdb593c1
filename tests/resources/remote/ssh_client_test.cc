// Tests for resources/remote/ssh_client.{h,cc} against a real OpenSSH server (see
// sshd_fixture.h): host key verification in all its forms, authentication,
// Exec with timeouts, and the file operations including atomicity when the
// connection dies mid-transfer. The sshd runs on this machine, so results
// are checked with plain stat(2)/read(2) on the local file system.
#include "resources/remote/ssh_client.h"

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

#include "tests/resources/remote/sshd_fixture.h"

namespace pxc::resources {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::MakeKeyPair;
using testing::RunCommand;
using testing::Sshd;
using Clock = std::chrono::steady_clock;

std::string ReadLocal(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteLocal(const std::string& path, const std::string& data, mode_t mode = 0644) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
  ::chmod(path.c_str(), mode);
}

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(gen());
  return out;
}

std::vector<std::string> TempFilesIn(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename();
    if (name.find(".pxc-tmp-") != std::string::npos) out.push_back(name);
  }
  return out;
}

uid_t UidOf(const std::string& user) {
  struct passwd* pw = ::getpwnam(user.c_str());
  return pw ? pw->pw_uid : static_cast<uid_t>(-1);
}
gid_t GidOf(const std::string& group) {
  struct group* gr = ::getgrnam(group.c_str());
  return gr ? gr->gr_gid : static_cast<gid_t>(-1);
}

double SecondsSince(Clock::time_point start) {
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

// ---------------------------------------------------------------------------
// Without a server.

TEST(ShellQuote, QuotesEverythingForPosixSh) {
  struct Case {
    std::string in, want;
  } cases[] = {
      {"", "''"},
      {"plain", "'plain'"},
      {"it's", "'it'\\''s'"},
      {"$(rm -rf /) `x` \"y\" \\ ;|&", "'$(rm -rf /) `x` \"y\" \\ ;|&'"},
      {"line\nbreak", "'line\nbreak'"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ShellQuote(c.in), c.want);
    // And the shell gives back the original.
    if (c.in.find('\n') == std::string::npos) {
      EXPECT_EQ(RunCommand("printf %s " + ShellQuote(c.in)).output, c.in);
    }
  }
}

TEST(SshConnect, RejectsUnusableTargetsBeforeConnecting) {
  SshTarget t;
  t.host = "127.0.0.1";
  t.port = 1;
  t.insecure_ignore_host_key = true;
  auto no_creds = SshSession::Connect(t);
  EXPECT_EQ(no_creds.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(no_creds.status().message().find("private_key_pem, password or use_agent"),
            std::string::npos);

  t.password = "hunter2-secret";
  t.host = "root@evil";
  EXPECT_EQ(SshSession::Connect(t).status().code(), StatusCode::kInvalidArgument);
  t.host = "127.0.0.1";
  t.port = 70000;
  EXPECT_EQ(SshSession::Connect(t).status().code(), StatusCode::kInvalidArgument);

  t.port = 22;
  t.private_key_pem =
      "-----BEGIN OPENSSH PRIVATE KEY-----\nbm90IGEga2V5\n-----END OPENSSH PRIVATE KEY-----\n";
  auto bad_key = SshSession::Connect(t);
  EXPECT_EQ(bad_key.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_key.status().message().find("private_key_pem"), std::string::npos);
  EXPECT_EQ(bad_key.status().message().find("bm90IGEga2V5"), std::string::npos);
  EXPECT_EQ(bad_key.status().message().find("hunter2"), std::string::npos);
}

// ---------------------------------------------------------------------------
// Against the real sshd.

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

TEST_F(SshClientTest, ConnectsWithPinnedHostKeyAndReportsFingerprint) {
  SshSession s = Connect(sshd_->Target());
  EXPECT_EQ(s.HostKeyFingerprint(), sshd_->host_key().fingerprint);
  EXPECT_EQ(s.HostKeyType(), "ssh-ed25519");
  EXPECT_EQ(s.Describe(), Where());
  auto r = s.Exec("id -un");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stdout_text, "root\n");
}

TEST_F(SshClientTest, NegotiatesTheTypeOfThePinnedKey) {
  // The server has ed25519 and RSA host keys; whichever is pinned is used.
  SshTarget t = sshd_->Target();
  t.host_key = sshd_->rsa_host_key().public_line;
  auto rsa = SshSession::Connect(t);
  ASSERT_TRUE(rsa.ok()) << rsa.status().ToString();
  EXPECT_EQ(rsa->HostKeyType(), "ssh-rsa");
  EXPECT_EQ(rsa->HostKeyFingerprint(), sshd_->rsa_host_key().fingerprint);

  t.host_key.clear();
  t.known_hosts = KnownHostsName() + " " + sshd_->rsa_host_key().public_line;
  auto kh = SshSession::Connect(t);
  ASSERT_TRUE(kh.ok()) << kh.status().ToString();
  EXPECT_EQ(kh->HostKeyType(), "ssh-rsa");

  t.known_hosts.clear();
  t.insecure_ignore_host_key = true;  // Without pins libssh prefers ed25519.
  auto any = SshSession::Connect(t);
  ASSERT_TRUE(any.ok()) << any.status().ToString();
  EXPECT_EQ(any->HostKeyType(), "ssh-ed25519");
}

TEST_F(SshClientTest, AcceptsKeyscanLinesCommentsAndSeveralKeys) {
  auto other = MakeKeyPair(sshd_->dir());
  ASSERT_TRUE(other.ok());
  SshTarget t = sshd_->Target();
  t.host_key = "# pinned keys\n\n" + other->public_line + "\r\n127.0.0.1 " +
               sshd_->host_key().public_line + "\n";
  EXPECT_TRUE(SshSession::Connect(t).ok());
}

// A keyscan line pins the key for the host it names, not for every host:
// one node's line must not let another node (or an impostor with that
// node's key) in.
TEST_F(SshClientTest, KeyscanLinesAreMatchedByHost) {
  SshTarget t = sshd_->Target();
  t.host_key = "10.9.9.9 " + sshd_->host_key().public_line + "\n";
  auto s = SshSession::Connect(t);
  ASSERT_EQ(s.status().code(), StatusCode::kPermissionDenied) << s.status().ToString();
  EXPECT_NE(s.status().message().find("other hosts were not used: 10.9.9.9"), std::string::npos)
      << s.status().message();
  // The same key for this host, with the port as ssh-keyscan -p prints it,
  // or in a comma list, is accepted.
  t.host_key = KnownHostsName() + " " + sshd_->host_key().public_line;
  EXPECT_TRUE(SshSession::Connect(t).ok());
  t.host_key = "pxc9,127.0.0.1 " + sshd_->host_key().public_line;
  EXPECT_TRUE(SshSession::Connect(t).ok());
  // A line for another host next to a wrong key for this one: refused, and
  // the message says the other line was not used.
  auto other = MakeKeyPair(sshd_->dir());
  ASSERT_TRUE(other.ok());
  t.host_key = "10.9.9.9 " + sshd_->host_key().public_line + "\n127.0.0.1 " + other->public_line;
  s = SshSession::Connect(t);
  ASSERT_EQ(s.status().code(), StatusCode::kPermissionDenied) << s.status().ToString();
  EXPECT_NE(s.status().message().find(other->fingerprint), std::string::npos);
  EXPECT_NE(s.status().message().find("10.9.9.9"), std::string::npos);
}

TEST_F(SshClientTest, RefusesWrongHostKeyNamingTheOfferedFingerprint) {
  auto other = MakeKeyPair(sshd_->dir());
  ASSERT_TRUE(other.ok());
  SshTarget t = sshd_->Target();
  t.host_key = other->public_line;
  auto s = SshSession::Connect(t);
  ASSERT_EQ(s.status().code(), StatusCode::kPermissionDenied) << s.status().ToString();
  const std::string m = s.status().message();
  EXPECT_NE(m.find("host key verification failed for " + Where()), std::string::npos) << m;
  EXPECT_NE(m.find("ssh-ed25519 " + sshd_->host_key().fingerprint), std::string::npos) << m;
  EXPECT_NE(m.find(other->fingerprint), std::string::npos) << m;  // what was expected
  EXPECT_NE(m.find("insecure_ignore_host_key = true"), std::string::npos) << m;
  EXPECT_NE(m.find("update known_hosts"), std::string::npos) << m;
}

TEST_F(SshClientTest, RefusesUnknownHostWithoutAnyPins) {
  SshTarget t = sshd_->Target();
  t.host_key.clear();
  const size_t log_before = sshd_->Log().size();
  auto s = SshSession::Connect(t);
  ASSERT_EQ(s.status().code(), StatusCode::kPermissionDenied) << s.status().ToString();
  EXPECT_NE(s.status().message().find(sshd_->host_key().fingerprint), std::string::npos);
  EXPECT_NE(s.status().message().find("no key for \"" + KnownHostsName() + "\""), std::string::npos)
      << s.status().message();
  // The server never saw a credential.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let sshd log
  const std::string log = sshd_->Log().substr(log_before);
  EXPECT_EQ(log.find("publickey"), std::string::npos) << log;
  EXPECT_NE(log.find("[preauth]"), std::string::npos) << log;
}

TEST_F(SshClientTest, InsecureIgnoreHostKeyConnectsToAnyKey) {
  SshTarget t = sshd_->Target();
  t.host_key.clear();
  t.insecure_ignore_host_key = true;
  auto s = SshSession::Connect(t);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->HostKeyFingerprint(), sshd_->host_key().fingerprint);
}

TEST_F(SshClientTest, KnownHostsEntriesMatchLikeOpenSsh) {
  const std::string key = sshd_->host_key().public_line;
  const std::string port = std::to_string(sshd_->port());
  auto other = MakeKeyPair(sshd_->dir());
  ASSERT_TRUE(other.ok());
  struct Case {
    std::string name, known_hosts;
    bool ok;
  } cases[] = {
      {"bracketed host:port", "[127.0.0.1]:" + port + " " + key, true},
      {"comma list", "db1,[127.0.0.1]:" + port + ",db2 " + key, true},
      {"wildcard", "[127.0.0.*]:" + port + " " + key, true},
      {"plain host is port 22 only", "127.0.0.1 " + key, false},
      {"other port", "[127.0.0.1]:1" + port + " " + key, false},
      {"negated", "*,![127.0.0.1]:" + port + " " + key, false},
      {"other host", "[10.0.0.1]:" + port + " " + key, false},
      {"changed key", "[127.0.0.1]:" + port + " " + other->public_line, false},
      {"revoked wins", "[127.0.0.1]:" + port + " " + key + "\n@revoked * " + key, false},
      {"cert-authority ignored", "@cert-authority * " + key, false},
      {"garbage lines skipped",
       "not a line\n# comment\n[127.0.0.1]:" + port + " ssh-ed25519 !!!\n[127.0.0.1]:" + port +
           " " + key,
       true},
  };
  for (const Case& c : cases) {
    SshTarget t = sshd_->Target();
    t.host_key.clear();
    t.known_hosts = c.known_hosts;
    auto s = SshSession::Connect(t);
    if (c.ok) {
      EXPECT_TRUE(s.ok()) << c.name << ": " << s.status().ToString();
    } else {
      EXPECT_EQ(s.status().code(), StatusCode::kPermissionDenied) << c.name;
      EXPECT_NE(s.status().message().find(sshd_->host_key().fingerprint), std::string::npos)
          << c.name << ": " << s.status().message();
    }
  }
}

TEST_F(SshClientTest, KnownHostsRevokedAndChangedKeysAreExplained) {
  const std::string port = std::to_string(sshd_->port());
  SshTarget t = sshd_->Target();
  t.host_key.clear();
  t.known_hosts = "@revoked [127.0.0.1]:" + port + " " + sshd_->host_key().public_line;
  auto s = SshSession::Connect(t);
  ASSERT_EQ(s.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(s.status().message().find("@revoked"), std::string::npos) << s.status().message();
}

TEST_F(SshClientTest, HashedKnownHostsEntriesWork) {
  std::string file = sshd_->dir() + "/known_hosts_hashed";
  WriteLocal(file, KnownHostsName() + " " + sshd_->host_key().public_line + "\n", 0600);
  CommandResult r = RunCommand("ssh-keygen -q -H -f " + ShellQuote(file));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string hashed = ReadLocal(file);
  ASSERT_EQ(hashed.rfind("|1|", 0), 0u) << hashed;
  SshTarget t = sshd_->Target();
  t.host_key.clear();
  t.known_hosts = hashed;
  auto s = SshSession::Connect(t);
  EXPECT_TRUE(s.ok()) << s.status().ToString();

  // The same hashed line does not vouch for another port.
  t.port = sshd_->port() == 65535 ? 1 : sshd_->port() + 1;
  WriteLocal(file, "[127.0.0.1]:" + std::to_string(t.port) + " " + sshd_->host_key().public_line,
             0600);
  ASSERT_EQ(RunCommand("ssh-keygen -q -H -f " + ShellQuote(file)).exit_code, 0);
  t.port = sshd_->port();
  t.known_hosts = ReadLocal(file);
  EXPECT_EQ(SshSession::Connect(t).status().code(), StatusCode::kPermissionDenied);
}

TEST_F(SshClientTest, MalformedHostKeyIsInvalidArgumentWithoutEchoingSecrets) {
  SshTarget t = sshd_->Target();
  t.host_key = "ssh-ed25519 not-base64!!";
  auto s = SshSession::Connect(t);
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("host_key line 1"), std::string::npos);

  t.host_key = sshd_->client_key().private_pem;  // A classic mix-up.
  s = SshSession::Connect(t);
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("contains a private key"), std::string::npos);
  std::istringstream pem(sshd_->client_key().private_pem);
  std::string line;
  std::getline(pem, line);
  std::getline(pem, line);  // First base64 line of the key.
  EXPECT_EQ(s.status().message().find(line), std::string::npos);
}

// --- authentication ----------------------------------------------------------

TEST_F(SshClientTest, WrongClientKeyIsPermissionDeniedListingMethods) {
  auto other = MakeKeyPair(sshd_->dir());
  ASSERT_TRUE(other.ok());
  SshTarget t = sshd_->Target();
  t.private_key_pem = other->private_pem;
  auto s = SshSession::Connect(t);
  ASSERT_EQ(s.status().code(), StatusCode::kPermissionDenied) << s.status().ToString();
  const std::string m = s.status().message();
  EXPECT_NE(m.find("authentication as \"root\" failed on " + Where()), std::string::npos) << m;
  EXPECT_NE(m.find("tried publickey (private_key_pem)"), std::string::npos) << m;
  EXPECT_NE(m.find("the server accepts publickey, password"), std::string::npos) << m;
  EXPECT_EQ(m.find("PRIVATE KEY"), std::string::npos);
}

TEST_F(SshClientTest, EncryptedKeyNeedsItsPassphrase) {
  auto enc = MakeKeyPair(sshd_->dir(), "correct horse");
  ASSERT_TRUE(enc.ok());
  ASSERT_TRUE(sshd_->Authorize(enc->public_line).ok());
  SshTarget t = sshd_->Target();
  t.private_key_pem = enc->private_pem;
  auto missing = SshSession::Connect(t);
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("missing"), std::string::npos);
  t.private_key_passphrase = "wrong horse";
  auto wrong = SshSession::Connect(t);
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(wrong.status().message().find("wrong horse"), std::string::npos);
  t.private_key_passphrase = "correct horse";
  auto ok = SshSession::Connect(t);
  EXPECT_TRUE(ok.ok()) << ok.status().ToString();
}

TEST_F(SshClientTest, PasswordAuthentication) {
  SshTarget t = sshd_->Target(sshd_->user());
  t.private_key_pem.clear();
  t.password = sshd_->password();
  auto s = SshSession::Connect(t);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto r = s->Exec("id -un");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->stdout_text, sshd_->user() + "\n");

  t.password = "not-" + sshd_->password();
  auto bad = SshSession::Connect(t);
  ASSERT_EQ(bad.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(bad.status().message().find("tried password"), std::string::npos)
      << bad.status().message();
  EXPECT_EQ(bad.status().message().find(sshd_->password()), std::string::npos);
}

TEST_F(SshClientTest, KeyIsTriedBeforePassword) {
  auto other = MakeKeyPair(sshd_->dir());
  ASSERT_TRUE(other.ok());
  SshTarget t = sshd_->Target(sshd_->user());
  t.private_key_pem = other->private_pem;  // rejected
  t.password = sshd_->password();          // accepted
  auto s = SshSession::Connect(t);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
}

TEST_F(SshClientTest, AgentAuthentication) {
  const char* saved = std::getenv("SSH_AUTH_SOCK");
  std::string saved_value = saved ? saved : "";
  std::string sock = sshd_->dir() + "/agent.sock";
  CommandResult agent = RunCommand("ssh-agent -s -a " + ShellQuote(sock));
  ASSERT_EQ(agent.exit_code, 0) << agent.output;
  size_t at = agent.output.find("SSH_AGENT_PID=");
  ASSERT_NE(at, std::string::npos);
  pid_t agent_pid = static_cast<pid_t>(std::stol(agent.output.substr(at + 14)));
  std::string keyfile = sshd_->dir() + "/agent-key";
  WriteLocal(keyfile, sshd_->client_key().private_pem, 0600);
  CommandResult add =
      RunCommand("SSH_AUTH_SOCK=" + ShellQuote(sock) + " ssh-add " + ShellQuote(keyfile));
  fs::remove(keyfile);
  ASSERT_EQ(add.exit_code, 0) << add.output;

  SshTarget t = sshd_->Target();
  t.private_key_pem.clear();
  t.use_agent = true;
  ::setenv("SSH_AUTH_SOCK", sock.c_str(), 1);
  auto s = SshSession::Connect(t);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  ::unsetenv("SSH_AUTH_SOCK");
  auto no_sock = SshSession::Connect(t);
  EXPECT_EQ(no_sock.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(no_sock.status().message().find("SSH_AUTH_SOCK is not set"), std::string::npos)
      << no_sock.status().message();
  if (saved) ::setenv("SSH_AUTH_SOCK", saved_value.c_str(), 1);
  ::kill(agent_pid, SIGTERM);
}

// --- reachability --------------------------------------------------------------

TEST_F(SshClientTest, ClosedPortIsUnavailableQuickly) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);  // Nobody listens there now.

  SshTarget t = sshd_->Target();
  t.label.clear();
  t.port = port;
  auto start = Clock::now();
  auto s = SshSession::Connect(t);
  EXPECT_LT(SecondsSince(start), 3.0);
  ASSERT_EQ(s.status().code(), StatusCode::kUnavailable) << s.status().ToString();
  EXPECT_NE(s.status().message().find("cannot connect to 127.0.0.1:" + std::to_string(port) + ": "),
            std::string::npos)
      << s.status().message();
  EXPECT_NE(s.status().message().find("refused"), std::string::npos) << s.status().message();
}

TEST_F(SshClientTest, SilentServerTimesOutAsUnavailable) {
  // A socket that listens but never speaks SSH.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);

  SshTarget t = sshd_->Target();
  t.port = ntohs(addr.sin_port);
  t.connect_timeout_seconds = 1;
  auto start = Clock::now();
  auto s = SshSession::Connect(t);
  double took = SecondsSince(start);
  ::close(fd);
  EXPECT_EQ(s.status().code(), StatusCode::kUnavailable) << s.status().ToString();
  EXPECT_LT(took, 5.0);
}

TEST_F(SshClientTest, UnresolvableHostIsUnavailable) {
  SshTarget t = sshd_->Target();
  t.host = "no-such-host.invalid";
  auto s = SshSession::Connect(t);
  EXPECT_EQ(s.status().code(), StatusCode::kUnavailable) << s.status().ToString();
  EXPECT_NE(s.status().message().find("no-such-host.invalid"), std::string::npos);
}

// --- Exec ----------------------------------------------------------------------

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

TEST_F(SshClientTest, ReadFileAndStat) {
  SshSession s = Connect(sshd_->Target());
  std::string data = RandomBytes(100000, 4);  // binary, with NULs
  WriteLocal(files_ + "/data.bin", data, 0640);
  ASSERT_EQ(::chown((files_ + "/data.bin").c_str(), UidOf(sshd_->user()), GidOf(sshd_->user())), 0);

  auto absent = s.ReadFile(files_ + "/absent");
  ASSERT_TRUE(absent.ok()) << absent.status().ToString();
  EXPECT_FALSE(absent->has_value());
  auto under_file = s.ReadFile(files_ + "/data.bin/x");
  ASSERT_TRUE(under_file.ok()) << under_file.status().ToString();
  EXPECT_FALSE(under_file->has_value());

  auto read = s.ReadFile(files_ + "/data.bin");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_TRUE(read->has_value());
  EXPECT_TRUE(**read == data);

  auto dir = s.ReadFile(files_);
  EXPECT_EQ(dir.status().code(), StatusCode::kFailedPrecondition) << dir.status().ToString();
  EXPECT_EQ(s.ReadFile("relative/path").status().code(), StatusCode::kInvalidArgument);

  auto st = s.Stat(files_ + "/data.bin");
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  ASSERT_TRUE(st->has_value());
  EXPECT_EQ((*st)->mode, 0640u);
  EXPECT_EQ((*st)->type, SshSession::FileType::kRegular);
  EXPECT_EQ((*st)->owner, sshd_->user());
  EXPECT_EQ((*st)->group, sshd_->user());
  EXPECT_EQ((*st)->size, data.size());
  auto dst = s.Stat(files_);
  ASSERT_TRUE(dst.ok() && dst->has_value());
  EXPECT_EQ((*dst)->type, SshSession::FileType::kDirectory);
  auto none = s.Stat(files_ + "/absent");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_F(SshClientTest, ReadFileRefusesFilesOverTheLimit) {
  SshSession s = Connect(sshd_->Target());
  WriteLocal(files_ + "/big", "");
  ASSERT_EQ(::truncate((files_ + "/big").c_str(), (16 << 20) + 1), 0);
  auto r = s.ReadFile(files_ + "/big");
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("16 MiB"), std::string::npos) << r.status().message();
}

TEST_F(SshClientTest, WriteFileAtomicSetsContentModeAndOwner) {
  SshSession s = Connect(sshd_->Target());
  const std::string path = files_ + "/server-key.pem";
  const std::string content =
      "-----BEGIN PRIVATE KEY-----\nnot really\n-----END PRIVATE KEY-----\n";
  for (uint32_t mode : {0600u, 0640u}) {
    TempFileWatcher watcher(files_);
    Status st = s.WriteFileAtomic(path, content, mode, sshd_->user(), sshd_->user());
    ASSERT_TRUE(st.ok()) << st.ToString();
    struct stat info;
    ASSERT_EQ(::stat(path.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 07777, mode);
    EXPECT_EQ(info.st_uid, UidOf(sshd_->user()));
    EXPECT_EQ(info.st_gid, GidOf(sshd_->user()));
    EXPECT_EQ(ReadLocal(path), content);
    EXPECT_TRUE(TempFilesIn(files_).empty());
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let inotify catch up
    // The data went through a temporary file next to the target that was
    // never readable by anyone but its writer, and never more open than `mode`.
    std::set<std::string> names = watcher.names();
    ASSERT_FALSE(names.empty());
    EXPECT_EQ(names.begin()->rfind(".server-key.pem.pxc-tmp-", 0), 0u) << *names.begin();
    for (uint32_t seen : watcher.modes()) {
      EXPECT_EQ(seen & ~mode & 0777, 0u) << std::oct << seen;
      EXPECT_EQ(seen & 0007, 0u) << std::oct << seen;
    }
  }
  // Replace with new content, empty owner/group: the temporary file keeps
  // the connecting user's ownership.
  Status st = s.WriteFileAtomic(path, "v2", 0644, "", "");
  ASSERT_TRUE(st.ok()) << st.ToString();
  struct stat info;
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0644u);
  EXPECT_EQ(info.st_uid, 0u);
  EXPECT_EQ(ReadLocal(path), "v2");

  // Empty content and a group only.
  st = s.WriteFileAtomic(files_ + "/empty", "", 0640, "", sshd_->user());
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(::stat((files_ + "/empty").c_str(), &info), 0);
  EXPECT_EQ(info.st_size, 0);
  EXPECT_EQ(info.st_uid, 0u);
  EXPECT_EQ(info.st_gid, GidOf(sshd_->user()));
  EXPECT_TRUE(TempFilesIn(files_).empty());
}

TEST_F(SshClientTest, WriteFileAtomicFailuresLeaveTargetAndNoTempFile) {
  SshSession s = Connect(sshd_->Target());
  const std::string path = files_ + "/target";
  WriteLocal(path, "old", 0600);

  Status unknown_owner = s.WriteFileAtomic(path, "new", 0600, "no-such-user-pxc", "");
  EXPECT_EQ(unknown_owner.code(), StatusCode::kNotFound) << unknown_owner.ToString();
  EXPECT_NE(unknown_owner.message().find("no-such-user-pxc"), std::string::npos);
  Status unknown_group = s.WriteFileAtomic(path, "new", 0600, "", "no-such-group-pxc");
  EXPECT_EQ(unknown_group.code(), StatusCode::kNotFound) << unknown_group.ToString();

  Status missing_dir = s.WriteFileAtomic(files_ + "/nope/target", "new", 0600, "", "");
  EXPECT_EQ(missing_dir.code(), StatusCode::kFailedPrecondition) << missing_dir.ToString();
  EXPECT_NE(missing_dir.message().find("does not exist"), std::string::npos);

  fs::create_directory(files_ + "/adir");
  Status over_dir = s.WriteFileAtomic(files_ + "/adir", "new", 0600, "", "");
  EXPECT_EQ(over_dir.code(), StatusCode::kFailedPrecondition) << over_dir.ToString();
  EXPECT_NE(over_dir.message().find("directory"), std::string::npos);

  // The rename itself fails: a symlink to a directory stands where the file goes.
  fs::create_directory_symlink(files_ + "/adir", files_ + "/dirlink");
  Status rename_fails = s.WriteFileAtomic(files_ + "/dirlink", "new", 0600, "", "");
  EXPECT_EQ(rename_fails.code(), StatusCode::kFailedPrecondition) << rename_fails.ToString();
  EXPECT_TRUE(fs::is_empty(files_ + "/adir"));

  EXPECT_EQ(s.WriteFileAtomic("relative", "x", 0600, "", "").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadLocal(path), "old");
  EXPECT_TRUE(TempFilesIn(files_).empty());
}

TEST_F(SshClientTest, NonRootUserGetsPermissionDeniedNamingThePath) {
  SshSession s = Connect(sshd_->Target(sshd_->user()));
  const std::string denied = sshd_->root_only_dir() + "/server-key.pem";
  Status st = s.WriteFileAtomic(denied, "secret", 0600, "", "");
  ASSERT_EQ(st.code(), StatusCode::kPermissionDenied) << st.ToString();
  EXPECT_NE(st.message().find(denied), std::string::npos) << st.message();
  EXPECT_NE(st.message().find(Where()), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("sudo = true"), std::string::npos) << st.message();
  EXPECT_EQ(st.message().find("secret"), std::string::npos);
  EXPECT_TRUE(TempFilesIn(sshd_->root_only_dir()).empty());
  EXPECT_FALSE(fs::exists(denied));

  // Writable directory, but handing the file to root is not allowed.
  const std::string own = sshd_->user_dir() + "/file";
  Status ok = s.WriteFileAtomic(own, "v1", 0600, "", "");
  ASSERT_TRUE(ok.ok()) << ok.ToString();
  Status chown = s.WriteFileAtomic(own, "v2", 0600, "root", "root");
  ASSERT_EQ(chown.code(), StatusCode::kPermissionDenied) << chown.ToString();
  EXPECT_NE(chown.message().find(own), std::string::npos) << chown.message();
  EXPECT_EQ(ReadLocal(own), "v1");
  EXPECT_TRUE(TempFilesIn(sshd_->user_dir()).empty());

  // Reading and removing are refused the same way.
  WriteLocal(sshd_->root_only_dir() + "/private", "x", 0600);
  auto read = s.ReadFile(sshd_->root_only_dir() + "/private");
  EXPECT_EQ(read.status().code(), StatusCode::kPermissionDenied) << read.status().ToString();
  Status rm = s.RemoveFile(sshd_->root_only_dir() + "/private");
  EXPECT_EQ(rm.code(), StatusCode::kPermissionDenied) << rm.ToString();
  EXPECT_NE(rm.message().find(sshd_->root_only_dir() + "/private"), std::string::npos);
  auto mkdir = s.MakeDirectory(sshd_->root_only_dir() + "/sub", 0700, "", "");
  EXPECT_EQ(mkdir.status().code(), StatusCode::kPermissionDenied) << mkdir.status().ToString();
}

TEST_F(SshClientTest, ConnectionKilledMidUploadKeepsTheOldFile) {
  SshSession s = Connect(sshd_->Target());
  const std::string path = files_ + "/big.bin";
  WriteLocal(path, "old content", 0600);
  std::atomic<bool> stopped{false};
  TempFileWatcher watcher(files_, [&](const std::string&) {
    if (!stopped.exchange(true)) sshd_->SignalSessions(SIGSTOP);
  });
  Status result;
  std::thread writer(
      [&] { result = s.WriteFileAtomic(path, RandomBytes(8 << 20, 5), 0600, "", ""); });
  auto start = Clock::now();
  while (!stopped && SecondsSince(start) < 20)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(stopped) << "the upload never started";
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(ReadLocal(path), "old content");  // mid-transfer
  EXPECT_EQ(TempFilesIn(files_).size(), 1u);
  sshd_->SignalSessions(SIGKILL);
  writer.join();
  EXPECT_EQ(result.code(), StatusCode::kUnavailable) << result.ToString();
  EXPECT_NE(result.message().find(path), std::string::npos) << result.message();
  EXPECT_NE(result.message().find("may remain"), std::string::npos) << result.message();
  EXPECT_EQ(ReadLocal(path), "old content");
  // The session knows it is dead.
  EXPECT_EQ(s.Exec("true").status().code(), StatusCode::kUnavailable);
  for (const std::string& name : TempFilesIn(files_)) fs::remove(files_ + "/" + name);
}

TEST_F(SshClientTest, StalledServerTimesOutFileTransfers) {
  SshTarget target = sshd_->Target();
  target.command_timeout_seconds = 2;
  SshSession s = Connect(target);
  // The directory is checked once per session: do that before the stall, so
  // that the stall hits the transfer itself.
  ASSERT_TRUE(s.WriteFileAtomic(files_ + "/warm", "data", 0600, "", "").ok());
  sshd_->SignalSessions(SIGSTOP);
  auto start = Clock::now();
  Status st = s.WriteFileAtomic(files_ + "/x", "data", 0600, "", "");
  double took = SecondsSince(start);
  sshd_->SignalSessions(SIGCONT);
  EXPECT_EQ(st.code(), StatusCode::kDeadlineExceeded) << st.ToString();
  EXPECT_LT(took, 6.0);
  auto after = s.Exec("true");
  EXPECT_EQ(after.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(after.status().message().find("reconnect"), std::string::npos);
  EXPECT_FALSE(fs::exists(files_ + "/x"));
}

TEST_F(SshClientTest, RemoveFile) {
  SshSession s = Connect(sshd_->Target());
  WriteLocal(files_ + "/f", "x");
  EXPECT_TRUE(s.RemoveFile(files_ + "/f").ok());
  EXPECT_FALSE(fs::exists(files_ + "/f"));
  EXPECT_TRUE(s.RemoveFile(files_ + "/f").ok());  // absent is fine
  EXPECT_TRUE(s.RemoveFile(files_ + "/no/such/dir/f").ok());
  fs::create_directory(files_ + "/d");
  Status dir = s.RemoveFile(files_ + "/d");
  EXPECT_EQ(dir.code(), StatusCode::kFailedPrecondition) << dir.ToString();
  EXPECT_TRUE(fs::exists(files_ + "/d"));
}

TEST_F(SshClientTest, MakeDirectory) {
  SshSession s = Connect(sshd_->Target());
  const std::string path = files_ + "/a/b/ssl";
  auto made = s.MakeDirectory(path, 0750, "root", sshd_->user());
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  EXPECT_TRUE(*made);
  struct stat info;
  ASSERT_EQ(::lstat(path.c_str(), &info), 0);
  EXPECT_TRUE(S_ISDIR(info.st_mode));
  EXPECT_EQ(info.st_mode & 07777, 0750u);
  EXPECT_EQ(info.st_uid, 0u);
  EXPECT_EQ(info.st_gid, GidOf(sshd_->user()));
  ASSERT_EQ(::lstat((files_ + "/a/b").c_str(), &info), 0);  // missing parents: 0755
  EXPECT_EQ(info.st_mode & 07777, 0755u);
  // Again, with another mode and owner: an existing directory is left alone.
  made = s.MakeDirectory(path, 0700, sshd_->user(), "");
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  EXPECT_FALSE(*made);
  ASSERT_EQ(::lstat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0750u);
  EXPECT_EQ(info.st_uid, 0u);

  WriteLocal(files_ + "/plain", "x");
  auto file = s.MakeDirectory(files_ + "/plain", 0700, "", "");
  EXPECT_EQ(file.status().code(), StatusCode::kFailedPrecondition) << file.status().ToString();
  EXPECT_EQ(s.MakeDirectory(files_ + "/x", 0700, "no-such-user-pxc", "").status().code(),
            StatusCode::kNotFound);
  // A symbolic link is refused, also one to a directory, and nothing it
  // points to changes.
  fs::create_directory_symlink(sshd_->root_only_dir(), files_ + "/link");
  struct stat before;
  ASSERT_EQ(::stat(sshd_->root_only_dir().c_str(), &before), 0);
  auto link = s.MakeDirectory(files_ + "/link", 0700, sshd_->user(), sshd_->user());
  EXPECT_EQ(link.status().code(), StatusCode::kFailedPrecondition) << link.status().ToString();
  EXPECT_NE(link.status().message().find("symbolic link"), std::string::npos);
  Status chown = s.SetDirectoryOwnerAndMode(files_ + "/link", 0700, sshd_->user(), "");
  EXPECT_EQ(chown.code(), StatusCode::kFailedPrecondition) << chown.ToString();
  ASSERT_EQ(::stat(sshd_->root_only_dir().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode, before.st_mode);
  EXPECT_EQ(info.st_uid, before.st_uid);

  // SetDirectoryOwnerAndMode changes an existing directory; RemoveDirectory
  // removes it only when empty.
  ASSERT_TRUE(s.SetDirectoryOwnerAndMode(path, 0710, "", "root").ok());
  ASSERT_EQ(::lstat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0710u);
  EXPECT_EQ(info.st_gid, 0u);
  WriteLocal(path + "/keep", "x");
  auto removed = s.RemoveDirectory(path);
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_FALSE(*removed);
  EXPECT_TRUE(fs::exists(path + "/keep"));
  fs::remove(path + "/keep");
  removed = s.RemoveDirectory(path);
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_TRUE(*removed);
  EXPECT_FALSE(fs::exists(path));
  removed = s.RemoveDirectory(path);  // absent is fine
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(s.RemoveDirectory(files_ + "/link").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(fs::exists(sshd_->root_only_dir()));
}

TEST_F(SshClientTest, LstatAndInspectDirectory) {
  SshSession s = Connect(sshd_->Target());
  fs::create_directory_symlink(files_, files_ + "/self");
  auto l = s.Lstat(files_ + "/self");
  ASSERT_TRUE(l.ok() && l->has_value()) << l.status().ToString();
  EXPECT_EQ((*l)->type, SshSession::FileType::kSymlink);
  auto st = s.Stat(files_ + "/self");
  ASSERT_TRUE(st.ok() && st->has_value());
  EXPECT_EQ((*st)->type, SshSession::FileType::kDirectory);

  auto safe = s.InspectDirectory(files_);
  ASSERT_TRUE(safe.ok()) << safe.status().ToString();
  EXPECT_TRUE(safe->exists);
  EXPECT_FALSE(safe->symlink);
  EXPECT_FALSE(safe->problem.has_value()) << *safe->problem;
  EXPECT_EQ(safe->writer_uid, 0u);
  auto missing = s.InspectDirectory(files_ + "/not/yet");
  ASSERT_TRUE(missing.ok()) << missing.status().ToString();
  EXPECT_FALSE(missing->exists);
  EXPECT_FALSE(missing->problem.has_value());
  auto via_link = s.InspectDirectory(files_ + "/self/");
  ASSERT_TRUE(via_link.ok()) << via_link.status().ToString();
  EXPECT_TRUE(via_link->symlink);
  EXPECT_FALSE(via_link->problem.has_value());
  EXPECT_EQ(s.InspectDirectory(files_ + "/../x").status().code(), StatusCode::kInvalidArgument);
}

// Directories another account can change are refused before anything is
// written: owned by that account, group- or world-writable (also sticky),
// a parent it owns, or a symbolic link leading there.
void ExpectUnsafeDirectoriesRefused(SshSession& s, const std::string& base,
                                    const std::string& other_user) {
  struct Case {
    std::string name;
    std::function<std::string()> make;  // returns the directory to write into
    std::string expect;                 // in the message
  };
  const uid_t other = UidOf(other_user);
  const gid_t other_gid = GidOf(other_user);
  auto mk = [&](const std::string& d, mode_t mode, uid_t uid, gid_t gid) {
    fs::create_directories(d);
    EXPECT_EQ(::chown(d.c_str(), uid, gid), 0);
    EXPECT_EQ(::chmod(d.c_str(), mode), 0);
    return d;
  };
  const std::vector<Case> cases = {
      {"owned by the other account", [&] { return mk(base + "/owned", 0750, other, other_gid); },
       "is owned by " + other_user},
      {"group-writable", [&] { return mk(base + "/groupw", 0770, 0, other_gid); },
       "writable by group " + other_user},
      {"world-writable and sticky", [&] { return mk(base + "/sticky", 01777, 0, 0); },
       "writable by every account"},
      {"parent owned by the other account",
       [&] {
         mk(base + "/parent", 0755, other, other_gid);
         return mk(base + "/parent/certs", 0750, 0, 0);
       },
       base + "/parent is owned by " + other_user},
      {"symbolic link to such a directory",
       [&] {
         mk(base + "/target", 0755, other, other_gid);
         fs::create_directory_symlink(base + "/target", base + "/link");
         return base + "/link";
       },
       base + "/target is owned by " + other_user},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string dir = c.make();
    Status st = s.WriteFileAtomic(dir + "/server-key.pem", "secret key", 0600, "", "");
    ASSERT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
    EXPECT_NE(st.message().find(c.expect), std::string::npos) << st.message();
    EXPECT_NE(st.message().find("symbolic links"), std::string::npos) << st.message();
    EXPECT_NE(st.message().find("chmod go-w"), std::string::npos) << st.message();
    EXPECT_EQ(st.message().find("secret key"), std::string::npos);
    EXPECT_FALSE(fs::exists(dir + "/server-key.pem"));
    EXPECT_TRUE(TempFilesIn(dir).empty());
  }
}

TEST_F(SshClientTest, DirectoriesOtherAccountsCanChangeAreRefused) {
  SshSession s = Connect(sshd_->Target());
  ExpectUnsafeDirectoriesRefused(s, files_, sshd_->plain_user());
}

TEST_F(SshClientTest, PathsWithShellMetacharactersAreSafe) {
  SshSession s = Connect(sshd_->Target());
  const std::string dir = files_ + "/we'ird $(touch pwned) dir";
  ASSERT_TRUE(s.MakeDirectory(dir, 0755, "", "").ok());
  const std::string path = dir + "/file ; rm -rf x`id`";
  Status st = s.WriteFileAtomic(path, "ok", 0600, "", "");
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(ReadLocal(path), "ok");
  auto stat = s.Stat(path);
  ASSERT_TRUE(stat.ok() && stat->has_value());
  EXPECT_TRUE(s.RemoveFile(path).ok());
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists("pwned"));
  EXPECT_FALSE(fs::exists(sshd_->dir() + "/pwned"));
}

// --- a process that can write to the directory ---------------------------------

// Whatever moment a process with write access to the directory swaps pxc's
// temporary file for a symbolic link to a root-owned file, pxc must not
// change that file's owner, mode or content, and must not install the link.
void ExpectSwapsNeverReachTheTarget(SshSession& s, const std::string& dir,
                                    const std::string& target_dir, const std::string& owner) {
  int total_swaps = 0;
  for (auto when : {TempFileSwapper::When::kCreated, TempFileSwapper::When::kWritten,
                    TempFileSwapper::When::kFirstRead, TempFileSwapper::When::kSecondRead}) {
    SCOPED_TRACE(std::string("swapped when ") + TempFileSwapper::Name(when));
    const std::string target = target_dir + "/standin-shadow";
    const std::string secret = "root:$6$standin-hash:19000:0:99999:7:::\n";
    WriteLocal(target, secret, 0600);
    ASSERT_EQ(::chown(target.c_str(), 0, 0), 0);
    const std::string path = dir + "/server-key.pem";
    WriteLocal(path, "old", 0600);
    const std::string content = RandomBytes(1 << 20, 11);
    Status st;
    int swaps = 0;
    {
      TempFileSwapper swapper(dir, target, when);
      st = s.WriteFileAtomic(path, content, 0644, owner, owner);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      swaps = swapper.swaps();
    }
    total_swaps += swaps;
    std::cout << "swapped when " << TempFileSwapper::Name(when) << ": " << swaps << " -> "
              << st.ToString().substr(0, 60) << "\n";
    struct stat info;
    ASSERT_EQ(::lstat(target.c_str(), &info), 0);
    EXPECT_EQ(info.st_uid, 0u);
    EXPECT_EQ(info.st_gid, 0u);
    EXPECT_EQ(info.st_mode & 07777, 0600u);
    EXPECT_EQ(ReadLocal(target), secret);
    // Never a link where the file goes.
    bool present = ::lstat(path.c_str(), &info) == 0;
    EXPECT_TRUE(!present || S_ISREG(info.st_mode)) << "the link was installed as " << path;
    if (swaps > 0) {
      // A replaced temporary file is never installed: the old file stays, or
      // (swapped right between the last check and the rename) what the
      // rename put there is removed again.
      EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
      EXPECT_NE(st.message().find("replaced"), std::string::npos) << st.message();
      if (present) {
        EXPECT_EQ(ReadLocal(path), "old");
      }
    } else {
      EXPECT_TRUE(st.ok()) << st.ToString();
    }
    EXPECT_TRUE(TempFilesIn(dir).empty());
    ::unlink(target.c_str());
  }
  // The race was really run: the swap on creation always lands.
  EXPECT_GE(total_swaps, 1);
}

TEST_F(SshClientTest, SwappedTemporaryFileNeverReachesTheLinkTarget) {
  SshSession s = Connect(sshd_->Target());
  ExpectSwapsNeverReachTheTarget(s, files_, sshd_->root_only_dir(), sshd_->user());
}

// --- sudo --------------------------------------------------------------------------

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

TEST_F(SshSudoTest, ExecRunsAsRoot) {
  SshSession s = Connect(SudoTarget());
  auto r = s.Exec("id -u; echo \"$0\" >&2", "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stdout_text, "0\n");
  auto in = s.Exec("cat", "through sudo");
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(in->stdout_text, "through sudo");
}

TEST_F(SshSudoTest, FileOperationsAsRoot) {
  SshSession s = Connect(SudoTarget());
  const std::string dir = sshd_->root_only_dir() + "/sudo-" + std::to_string(::getpid());
  ASSERT_TRUE(s.MakeDirectory(dir, 0750, "root", sshd_->user()).ok());
  ASSERT_TRUE(s.SetDirectoryOwnerAndMode(dir, 0750, "root", sshd_->user()).ok());
  struct stat info;
  ASSERT_EQ(::stat(dir.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0750u);
  EXPECT_EQ(info.st_gid, GidOf(sshd_->user()));

  const std::string path = dir + "/server-key.pem";
  const std::string content = RandomBytes(300000, 6);
  WriteLocal(path, "old", 0600);
  TempFileWatcher watcher(dir);
  Status st = s.WriteFileAtomic(path, content, 0640, "root", sshd_->user());
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0640u);
  EXPECT_EQ(info.st_uid, 0u);
  EXPECT_EQ(info.st_gid, GidOf(sshd_->user()));
  EXPECT_TRUE(ReadLocal(path) == content);
  EXPECT_TRUE(TempFilesIn(dir).empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(watcher.names().empty());
  for (uint32_t seen : watcher.modes()) {
    EXPECT_EQ(seen & ~0640u & 0777, 0u) << std::oct << seen;
    EXPECT_EQ(seen & 0007, 0u) << std::oct << seen;
  }

  auto read = s.ReadFile(path);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_TRUE(read->has_value());
  EXPECT_TRUE(**read == content);
  auto absent = s.ReadFile(dir + "/absent");
  ASSERT_TRUE(absent.ok()) << absent.status().ToString();
  EXPECT_FALSE(absent->has_value());
  EXPECT_EQ(s.ReadFile(dir).status().code(), StatusCode::kFailedPrecondition);

  auto stat = s.Stat(path);
  ASSERT_TRUE(stat.ok() && stat->has_value()) << stat.status().ToString();
  EXPECT_EQ((*stat)->owner, "root");
  EXPECT_EQ((*stat)->group, sshd_->user());
  EXPECT_EQ((*stat)->mode, 0640u);

  Status missing_dir = s.WriteFileAtomic(dir + "/no/file", "x", 0600, "", "");
  EXPECT_EQ(missing_dir.code(), StatusCode::kFailedPrecondition) << missing_dir.ToString();
  Status bad_owner = s.WriteFileAtomic(path, "x", 0600, "no-such-user-pxc", "");
  EXPECT_EQ(bad_owner.code(), StatusCode::kNotFound) << bad_owner.ToString();
  EXPECT_TRUE(ReadLocal(path) == content);

  ASSERT_TRUE(s.RemoveFile(path).ok());
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(TempFilesIn(dir).empty());
}

TEST_F(SshSudoTest, RefusedSudoIsPermissionDenied) {
  SshTarget t = SudoTarget();
  t.user = sshd_->plain_user();
  SshSession s = Connect(t);
  auto r = s.Exec("true");
  ASSERT_EQ(r.status().code(), StatusCode::kPermissionDenied) << r.status().ToString();
  EXPECT_NE(r.status().message().find("NOPASSWD"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find(sshd_->plain_user()), std::string::npos);
  Status w = s.WriteFileAtomic(files_ + "/x", "x", 0600, "", "");
  EXPECT_EQ(w.code(), StatusCode::kPermissionDenied) << w.ToString();
  EXPECT_FALSE(fs::exists(files_ + "/x"));
}

TEST_F(SshSudoTest, ConnectionKilledMidUploadKeepsTheOldFile) {
  SshSession s = Connect(SudoTarget());
  const std::string path = files_ + "/big.bin";
  WriteLocal(path, "old content", 0600);
  std::atomic<bool> stopped{false};
  // Stop only sshd: the remote shell then sees its input end early, as when
  // the network goes away, and must not install the partial file.
  TempFileWatcher watcher(files_, [&](const std::string&) {
    if (!stopped.exchange(true)) sshd_->SignalSessions(SIGSTOP, /*sshd_only=*/true);
  });
  Status result;
  std::thread writer(
      [&] { result = s.WriteFileAtomic(path, RandomBytes(8 << 20, 7), 0600, "", ""); });
  auto start = Clock::now();
  while (!stopped && SecondsSince(start) < 20)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(stopped) << "the upload never started";
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(ReadLocal(path), "old content");
  sshd_->SignalSessions(SIGKILL, /*sshd_only=*/true);
  writer.join();
  EXPECT_EQ(result.code(), StatusCode::kUnavailable) << result.ToString();
  // The remote script notices the short input, removes its temporary file
  // and leaves the target alone.
  start = Clock::now();
  while (!TempFilesIn(files_).empty() && SecondsSince(start) < 10) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(TempFilesIn(files_).empty());
  EXPECT_EQ(ReadLocal(path), "old content");
}

TEST_F(SshSudoTest, DirectoriesOtherAccountsCanChangeAreRefused) {
  SshSession s = Connect(SudoTarget());
  ExpectUnsafeDirectoriesRefused(s, files_, sshd_->plain_user());
}

TEST_F(SshSudoTest, SwappedTemporaryFileNeverReachesTheLinkTarget) {
  SshSession s = Connect(SudoTarget());
  ExpectSwapsNeverReachTheTarget(s, files_, sshd_->root_only_dir(), sshd_->plain_user());
}

}  // namespace
}  // namespace pxc::resources
