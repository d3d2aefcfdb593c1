// The parts of SshSession's implementation (resources/remote/ssh_client.h)
// that its files share: libssh handle ownership, deadlines, SshSession::Impl,
// and small text helpers for what the node prints. ssh_session.cc connects
// and verifies the host key, ssh_exec.cc runs commands and scripts,
// ssh_files.cc reads, inspects and writes files. Not for other callers.
//
// Timeouts. libssh's blocking calls wait at most SSH_OPTIONS_TIMEOUT per
// wait, but its SFTP client retries such waits forever, so a stalled server
// would hang an SFTP call. Every blocking phase (authentication, SFTP
// transfers) therefore runs under a Watchdog that shuts the socket down when
// the deadline passes, which makes libssh fail promptly; the session is then
// marked broken. Exec instead runs the channel in non-blocking mode with its
// own deadline, so a timed-out command does not cost the connection.
//
// Remote scripts. Everything that needs more than SFTP (sudo, names of
// owners, rename over an existing file, mkdir -p) runs a fixed POSIX sh
// script whose arguments are passed as quoted positional parameters, with
// LC_ALL=C so that error texts can be classified. File contents only ever
// travel on stdin or over SFTP, never on a command line.
#pragma once

#include <libssh/libssh.h>
#include <libssh/sftp.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "resources/remote/ssh_client.h"
#include "schema/text.h"

namespace pxc::resources {
namespace ssh_internal {

using Clock = std::chrono::steady_clock;

inline constexpr size_t kMaxReadFileBytes = 16u << 20;
inline constexpr size_t kMaxExecOutputBytes = 64u << 20;
// OpenSSH's sftp-server drops the connection for packets above 256 KiB;
// 32 KiB is what OpenSSH's own client uses.
inline constexpr size_t kSftpChunk = 32u << 10;
inline constexpr size_t kExecReadChunk = 64u << 10;

// ssh_init() once per process.
void InitLibssh();

// Wipes a buffer when it goes out of scope.
class WipeOnExit {
 public:
  explicit WipeOnExit(std::string& s) : s_(s) {}
  WipeOnExit(const WipeOnExit&) = delete;
  WipeOnExit& operator=(const WipeOnExit&) = delete;
  ~WipeOnExit() { WipeString(&s_); }

 private:
  std::string& s_;
};

// std::string::append that wipes the old buffer when it has to grow, so no
// stale copy of (possibly secret) data is left on the heap.
void AppendWiping(std::string& s, const char* data, size_t n);

// ---------------------------------------------------------------------------
// RAII for libssh handles.

struct KeyDeleter {
  void operator()(ssh_key k) const { ssh_key_free(k); }
};
using KeyPtr = std::unique_ptr<std::remove_pointer_t<ssh_key>, KeyDeleter>;

struct SessionDeleter {
  void operator()(ssh_session s) const {
    if (ssh_is_connected(s)) ssh_disconnect(s);
    ssh_free(s);
  }
};
using SessionPtr = std::unique_ptr<std::remove_pointer_t<ssh_session>, SessionDeleter>;

struct ChannelDeleter {
  void operator()(ssh_channel c) const { ssh_channel_free(c); }
};
using ChannelPtr = std::unique_ptr<std::remove_pointer_t<ssh_channel>, ChannelDeleter>;

struct SftpDeleter {
  void operator()(sftp_session s) const { sftp_free(s); }
};
using SftpPtr = std::unique_ptr<std::remove_pointer_t<sftp_session>, SftpDeleter>;

struct SftpFileDeleter {
  void operator()(sftp_file f) const { sftp_close(f); }
};
using SftpFilePtr = std::unique_ptr<std::remove_pointer_t<sftp_file>, SftpFileDeleter>;

struct SftpAttrDeleter {
  void operator()(sftp_attributes a) const { sftp_attributes_free(a); }
};
using SftpAttrPtr = std::unique_ptr<std::remove_pointer_t<sftp_attributes>, SftpAttrDeleter>;

// Shuts the socket `fd` down when `deadline` passes before destruction. A
// shut-down socket makes every pending and later libssh call on it fail
// quickly; the descriptor itself stays owned (and later closed) by libssh.
class Watchdog {
 public:
  Watchdog(int fd, Clock::time_point deadline)
      : deadline_(deadline), thread_([this, fd] {
          std::unique_lock<std::mutex> lock(mu_);
          if (!cv_.wait_until(lock, deadline_, [this] { return done_; })) {
            fired_ = true;
            if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
          }
        }) {}
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  // Whether the deadline has passed (so a failure is the timeout's doing,
  // whether it came from the shut-down socket or from libssh's own timer).
  bool expired() {
    std::lock_guard<std::mutex> lock(mu_);
    return fired_ || Clock::now() >= deadline_;
  }

 private:
  const Clock::time_point deadline_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;   // Guarded by mu_.
  bool fired_ = false;  // Guarded by mu_.
  std::thread thread_;  // Last: starts after the members above exist.
};

// Puts the session in non-blocking mode for the lifetime of the object.
class NonBlockingScope {
 public:
  explicit NonBlockingScope(ssh_session s) : s_(s) { ssh_set_blocking(s_, 0); }
  NonBlockingScope(const NonBlockingScope&) = delete;
  NonBlockingScope& operator=(const NonBlockingScope&) = delete;
  ~NonBlockingScope() { ssh_set_blocking(s_, 1); }

 private:
  ssh_session s_;
};

// Small string helpers.

// Lines of `text` without their '\n' (and a '\r' before it).
std::vector<std::string_view> SplitLines(std::string_view text);
// Fields separated by spaces or tabs.
std::vector<std::string> SplitFields(std::string_view line);
// The first non-blank line, trimmed and bounded.
std::string FirstLine(std::string_view text);
// All non-empty lines of remote stderr, joined with "; " (bounded).
std::string StderrSummary(std::string_view text);
bool Contains(std::string_view haystack, std::string_view needle);
// "0640".
std::string OctalMode(uint32_t mode);
// `bytes` random bytes as hex.
std::string RandomHex(size_t bytes);

}  // namespace ssh_internal

// ---------------------------------------------------------------------------

struct SshSession::Impl {
  using Clock = ssh_internal::Clock;
  using Watchdog = ssh_internal::Watchdog;
  using SessionPtr = ssh_internal::SessionPtr;
  using SftpPtr = ssh_internal::SftpPtr;

  std::string desc;      // "label (host:port)"
  std::string hostport;  // "host:port" or "[v6]:port"
  std::string user;
  bool use_sudo = false;
  int command_timeout_seconds = 300;
  std::string fingerprint;
  std::string key_type;
  SessionPtr session;
  SftpPtr sftp;        // Created on first use; destroyed before `session`.
  std::string broken;  // Why the connection is unusable; empty while usable.
  // Owner/group names resolved on the node during this session (one remote
  // `id`/`getent` round trip per distinct pair instead of one per file).
  std::map<std::pair<std::string, std::string>, std::pair<long, long>> resolved_ids;
  // Directories found safe to write into during this session (normalised).
  // Only root or the writing user could make them unsafe again.
  std::set<std::string> safe_dirs;

  Status CheckUsable() const {
    if (broken.empty()) return OkStatus();
    return UnavailableError("the SSH connection to " + desc + " is no longer usable (" + broken +
                            "); reconnect");
  }

  Clock::time_point Deadline() const {
    return Clock::now() + std::chrono::seconds(command_timeout_seconds);
  }

  // Marks the connection broken and describes the failure of `what`.
  Status ConnectionLost(const std::string& what) {
    std::string err = ssh_get_error(session.get());
    broken = "connection lost while " + what;
    return UnavailableError("lost the SSH connection to " + desc + " while " + what +
                            (err.empty() ? "" : ": " + err));
  }

  // `failed` reads like "cannot write /etc/x".
  Status TimedOut(const std::string& failed, bool connection_closed) {
    if (connection_closed) {
      broken = "an operation timed out";
      ::shutdown(ssh_get_fd(session.get()), SHUT_RDWR);  // libssh's state is unknown now
    }
    return DeadlineExceededError(
        failed + " on " + desc + ": no result within " + std::to_string(command_timeout_seconds) +
        " s (command_timeout_seconds)" + (connection_closed ? "; the connection was closed" : ""));
  }

  // Waits until the socket has something for libssh to do, at most until
  // `deadline` and never longer than 2 ms: libssh may already hold the next
  // message (an exit status, an SFTP reply) in its own buffer, and a poll on
  // the socket would then sleep for nothing. With a 200 ms cap every remote
  // operation paid up to 200 ms (bench P2: 1.9 s -> 0.41 s for 3 nodes).
  void WaitSocket(Clock::time_point deadline) {
    auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (remaining <= 0) return;
    struct pollfd pfd;
    pfd.fd = ssh_get_fd(session.get());
    pfd.events = POLLIN;
    if (ssh_get_poll_flags(session.get()) & SSH_WRITE_PENDING) pfd.events |= POLLOUT;
    pfd.revents = 0;
    ::poll(&pfd, 1, static_cast<int>(std::min<long long>(remaining, 2)));
  }

  StatusOr<ExecResult> Exec(const std::string& command, std::string_view stdin_data);
  StatusOr<ExecResult> RunScript(std::string_view script, const std::vector<std::string>& args,
                                 std::string_view stdin_data = {});
  std::optional<Status> SudoFailure(const ExecResult& r) const;
  Status ScriptFailure(const ExecResult& r, const std::string& action, const std::string& path);
  Status EnsureSftp(Watchdog& wd);
  Status SftpFailure(Watchdog& wd, const std::string& action, const std::string& path);
  StatusOr<std::pair<long, long>> ResolveIds(const std::string& owner, const std::string& group);
  Status WriteViaSftp(const std::string& path, std::string_view content, uint32_t mode,
                      const std::string& owner, const std::string& group);
  Status WriteViaShell(const std::string& path, std::string_view content, uint32_t mode,
                       const std::string& owner, const std::string& group);
  StatusOr<std::optional<std::string>> ReadViaSftp(const std::string& path);
  StatusOr<DirectoryReport> Inspect(const std::string& dir);
  Status CheckWritable(const std::string& dir);
  Status FinishFailure(const ExecResult& r, const std::string& path, const std::string& tmp);
};

}  // namespace pxc::resources
