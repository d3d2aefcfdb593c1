#include "tests/driver/process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

extern char** environ;

namespace pxc::tfdriver {

namespace {

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

// RAII for the spawn attribute objects.
struct FileActions {
  posix_spawn_file_actions_t fa;
  FileActions() { posix_spawn_file_actions_init(&fa); }
  ~FileActions() { posix_spawn_file_actions_destroy(&fa); }
};

void ReadAll(int fd, std::mutex& mu, std::condition_variable& cv, std::string& buf, bool& eof) {
  char chunk[8192];
  for (;;) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    std::lock_guard<std::mutex> lock(mu);
    if (n <= 0) {
      eof = true;
      cv.notify_all();
      break;
    }
    buf.append(chunk, static_cast<size_t>(n));
    cv.notify_all();
  }
  ::close(fd);
}

}  // namespace

std::string ExitStatus::ToString() const {
  if (exited) return "exit status " + std::to_string(code);
  return std::string("killed by signal ") + std::to_string(signal) + " (" + strsignal(signal) + ")";
}

StatusOr<std::unique_ptr<Process>> Process::Spawn(const SpawnOptions& options) {
  if (options.argv.empty()) return InvalidArgumentError("Spawn: empty argv");
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return InternalError(Errno("pipe2"));
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    return InternalError(Errno("pipe2"));
  }

  // Environment: the parent's minus what we unset or override.
  std::set<std::string> drop(options.unset_env.begin(), options.unset_env.end());
  for (const auto& [k, v] : options.env) drop.insert(k);
  std::vector<std::string> env_strings;
  for (char** e = environ; e && *e; ++e) {
    std::string entry(*e);
    std::string key = entry.substr(0, entry.find('='));
    if (!drop.count(key)) env_strings.push_back(std::move(entry));
  }
  for (const auto& [k, v] : options.env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_strings = options.argv;
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  FileActions fa;
  posix_spawn_file_actions_addopen(&fa.fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa.fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa.fa, err[1], 2);
  if (!options.working_dir.empty()) {
    posix_spawn_file_actions_addchdir_np(&fa.fa, options.working_dir.c_str());
  }
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // The child starts with default signal dispositions and an empty mask,
  // whatever this process blocks or ignores.
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  short flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
  if (options.new_process_group) {
    posix_spawnattr_setpgroup(&attr, 0);
    flags |= POSIX_SPAWN_SETPGROUP;
  }
  posix_spawnattr_setflags(&attr, flags);

  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, argv[0], &fa.fa, &attr, argv.data(), envp.data());
  posix_spawnattr_destroy(&attr);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    ::close(out[0]);
    ::close(err[0]);
    return InternalError("posix_spawn " + options.argv[0] + ": " + std::strerror(rc));
  }
  std::unique_ptr<Process> p(new Process());
  p->pid_ = pid;
  p->group_ = options.new_process_group;
  p->StartReaders(out[0], err[0]);
  return p;
}

void Process::StartReaders(int out_fd, int err_fd) {
  out_reader_ =
      std::thread([this, out_fd] { ReadAll(out_fd, mu_, cv_, stdout_buf_, stdout_eof_); });
  err_reader_ =
      std::thread([this, err_fd] { ReadAll(err_fd, mu_, cv_, stderr_buf_, stderr_eof_); });
}

Process::~Process() {
  if (!TryReap()) Kill();
  if (out_reader_.joinable()) out_reader_.join();
  if (err_reader_.joinable()) err_reader_.join();
}

std::optional<std::string> Process::ReadLine(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  bool ready = cv_.wait_for(
      lock, timeout, [this] { return stdout_buf_.find('\n') != std::string::npos || stdout_eof_; });
  if (!ready) return std::nullopt;
  size_t nl = stdout_buf_.find('\n');
  if (nl == std::string::npos) {
    if (stdout_buf_.empty()) return std::nullopt;
    std::string line = std::move(stdout_buf_);
    stdout_buf_.clear();
    return line;
  }
  std::string line = stdout_buf_.substr(0, nl);
  stdout_buf_.erase(0, nl + 1);
  return line;
}

std::string Process::UnreadStdout() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stdout_buf_;
}

bool Process::stdout_eof() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stdout_eof_;
}

std::string Process::Stderr() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stderr_buf_;
}

std::string Process::StderrTail(size_t bytes) const {
  std::string all = Stderr();
  if (all.size() <= bytes) return all;
  std::string tail = all.substr(all.size() - bytes);
  size_t nl = tail.find('\n');
  if (nl != std::string::npos && nl + 1 < tail.size()) tail.erase(0, nl + 1);
  return tail;
}

std::optional<ExitStatus> Process::TryReap() {
  std::lock_guard<std::mutex> lock(reap_mu_);
  if (exit_) return exit_;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == 0) return std::nullopt;
  ExitStatus es;
  if (r < 0) {
    // Not our child any more (should not happen); treat as gone.
    es.exited = true;
    es.code = -1;
  } else if (WIFEXITED(status)) {
    es.exited = true;
    es.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    es.signal = WTERMSIG(status);
  }
  exit_ = es;
  return exit_;
}

std::optional<ExitStatus> Process::WaitExit(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (auto st = TryReap()) return st;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::optional<ExitStatus> Process::WaitDone(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto st = WaitExit(timeout);
  if (!st) return std::nullopt;
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_until(lock, deadline, [this] { return stdout_eof_ && stderr_eof_; });
  return st;
}

void Process::Signal(int sig) {
  std::lock_guard<std::mutex> lock(reap_mu_);
  if (!exit_) ::kill(group_ ? -pid_ : pid_, sig);
}

ExitStatus Process::Kill() {
  Signal(SIGKILL);
  for (;;) {
    if (auto st = TryReap()) {
      // The leader is reaped; its group may still have members holding the
      // pipes.
      if (group_) ::kill(-pid_, SIGKILL);
      return *st;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

StatusOr<RunResult> RunProcess(const SpawnOptions& options, std::chrono::milliseconds timeout) {
  auto p = Process::Spawn(options);
  if (!p.ok()) return p.status();
  RunResult r;
  auto st = (*p)->WaitDone(timeout);
  if (!st) {
    r.timed_out = true;
    r.status = (*p)->Kill();
    (*p)->WaitDone(std::chrono::seconds(2));
  } else {
    r.status = *st;
  }
  r.stdout_text = (*p)->UnreadStdout();
  r.stderr_text = (*p)->Stderr();
  return r;
}

}  // namespace pxc::tfdriver
