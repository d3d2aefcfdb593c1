// A child process with piped stdout and stderr, for the protocol test driver:
// the plugin Terraform launches, and the shell commands scenarios run.
//
// Both output streams are drained by background threads into buffers, so the
// child never blocks on a full pipe and tests can inspect everything it
// printed. stdin is /dev/null.
//
// Thread-safety: all const methods and ReadLine/WaitExit may be called from
// several threads; Kill/WaitExit are idempotent.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "schema/status.h"

namespace pxc::tfdriver {

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] is the program path
  // The child's environment is the parent's, minus `unset_env`, plus `env`
  // (which overrides inherited values).
  std::map<std::string, std::string> env;
  std::vector<std::string> unset_env;
  std::string working_dir;  // empty: the parent's
  // Start the child in its own process group; Signal/Kill then reach the
  // whole group (shell commands and whatever they started).
  bool new_process_group = false;
};

// How a process ended.
struct ExitStatus {
  bool exited = false;  // normal exit (then `code`), else killed by `signal`
  int code = 0;
  int signal = 0;
  std::string ToString() const;
};

class Process {
 public:
  // Starts the process. kInternal when the pipes or posix_spawn fail
  // (e.g. the program does not exist: "posix_spawn <path>: No such file...").
  static StatusOr<std::unique_ptr<Process>> Spawn(const SpawnOptions& options);

  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  // Kills the process (SIGKILL) if it still runs, reaps it and joins the
  // reader threads.
  ~Process();

  pid_t pid() const { return pid_; }

  // Reads the next line from stdout (without the '\n'), waiting at most
  // `timeout`. nullopt on timeout or when stdout reached EOF first (then
  // stdout_eof() is true). A final unterminated line is returned at EOF.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout);
  // Everything printed on stdout since the last ReadLine (unread output).
  std::string UnreadStdout() const;
  bool stdout_eof() const;

  // Everything the process has written to stderr so far, and its last
  // `bytes` bytes (cut at a line start when possible).
  std::string Stderr() const;
  std::string StderrTail(size_t bytes = 4000) const;

  // Waits up to `timeout` for the process to exit; the status once it has.
  std::optional<ExitStatus> WaitExit(std::chrono::milliseconds timeout);
  // Waits until the process has exited and both pipes reached EOF (so all
  // output is in the buffers). Returns the exit status, or nullopt after
  // `timeout` (the process still runs).
  std::optional<ExitStatus> WaitDone(std::chrono::milliseconds timeout);
  // Sends `sig` unless the process has been reaped.
  void Signal(int sig);
  // SIGKILL and reap.
  ExitStatus Kill();

 private:
  Process() = default;
  void StartReaders(int out_fd, int err_fd);
  std::optional<ExitStatus> TryReap();

  pid_t pid_ = -1;
  bool group_ = false;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string stdout_buf_;          // guarded by mu_: unread stdout
  std::string stderr_buf_;          // guarded by mu_
  bool stdout_eof_ = false;         // guarded by mu_
  bool stderr_eof_ = false;         // guarded by mu_
  std::optional<ExitStatus> exit_;  // guarded by reap_mu_
  std::mutex reap_mu_;
  std::thread out_reader_;
  std::thread err_reader_;
};

// Runs a process to completion (killing it after `timeout`) and returns its
// exit status and all its output.
struct RunResult {
  ExitStatus status;
  bool timed_out = false;
  std::string stdout_text;
  std::string stderr_text;
};
StatusOr<RunResult> RunProcess(const SpawnOptions& options, std::chrono::milliseconds timeout);

}  // namespace pxc::tfdriver
