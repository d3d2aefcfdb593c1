// Implementation of resources/remote/ssh_client.h: commands and the fixed
// remote scripts (Exec, RunScript), with sudo and deadlines. See
// ssh_internal.h.
#include <poll.h>

#include <algorithm>
#include <cstring>

#include "resources/remote/ssh_internal.h"
#include "schema/text.h"

namespace pxc::resources {

using namespace ssh_internal;

// ---------------------------------------------------------------------------
// Exec.

StatusOr<SshSession::ExecResult> SshSession::Impl::Exec(const std::string& command,
                                                        std::string_view stdin_data) {
  PXC_RETURN_IF_ERROR(CheckUsable());
  ssh_session s = session.get();
  const Clock::time_point deadline = Deadline();
  NonBlockingScope nonblocking(s);
  ChannelPtr ch(ssh_channel_new(s));
  if (!ch) return InternalError("cannot create an SSH channel to " + desc);

  auto timed_out = [&]() {
    ssh_channel_request_send_signal(ch.get(), "TERM");
    ssh_channel_close(ch.get());
    return DeadlineExceededError("a command on " + desc + " did not finish within " +
                                 std::to_string(command_timeout_seconds) +
                                 " s (command_timeout_seconds); it was sent SIGTERM");
  };

  int rc;
  while ((rc = ssh_channel_open_session(ch.get())) == SSH_AGAIN) {
    if (Clock::now() >= deadline) return TimedOut("cannot open a channel", false);
    WaitSocket(deadline);
  }
  if (rc != SSH_OK) return ConnectionLost("opening a channel");
  while ((rc = ssh_channel_request_exec(ch.get(), command.c_str())) == SSH_AGAIN) {
    if (Clock::now() >= deadline) return timed_out();
    WaitSocket(deadline);
  }
  if (rc != SSH_OK) {
    if (!ssh_is_connected(s)) return ConnectionLost("starting a command");
    return FailedPreconditionError("the SSH server on " + desc +
                                   " refused to run a command: " + ssh_get_error(s));
  }

  ExecResult result;
  size_t written = 0;
  bool eof_sent = false;
  bool eof[2] = {false, false};
  std::string* sink[2] = {&result.stdout_text, &result.stderr_text};
  std::string buf(kExecReadChunk, '\0');
  WipeOnExit wipe_buf(buf);
  auto fail = [&](Status st) {
    WipeString(&result.stdout_text);
    WipeString(&result.stderr_text);
    return st;
  };

  while (!(eof[0] && eof[1])) {
    if (Clock::now() >= deadline) return fail(timed_out());
    bool progress = false;
    if (written < stdin_data.size()) {
      uint32_t window = ssh_channel_window_size(ch.get());
      if (window > 0) {
        size_t n = std::min<size_t>({stdin_data.size() - written, window, 1u << 20});
        int w = ssh_channel_write(ch.get(), stdin_data.data() + written, static_cast<uint32_t>(n));
        if (w == SSH_ERROR) {
          if (!ssh_is_connected(s)) return fail(ConnectionLost("sending input to a command"));
          written = stdin_data.size();  // The command stopped reading its input.
          eof_sent = true;
        } else if (w > 0) {
          written += static_cast<size_t>(w);
          progress = true;
        }
      }
    } else if (!eof_sent) {
      ssh_channel_send_eof(ch.get());
      eof_sent = true;
      progress = true;
    }
    for (int is_stderr = 0; is_stderr < 2; ++is_stderr) {
      while (!eof[is_stderr]) {
        int n = ssh_channel_read_nonblocking(ch.get(), buf.data(),
                                             static_cast<uint32_t>(buf.size()), is_stderr);
        if (n > 0) {
          if (sink[is_stderr]->size() + static_cast<size_t>(n) > kMaxExecOutputBytes) {
            ssh_channel_request_send_signal(ch.get(), "TERM");
            ssh_channel_close(ch.get());
            return fail(FailedPreconditionError("a command on " + desc + " wrote more than " +
                                                std::to_string(kMaxExecOutputBytes >> 20) +
                                                " MiB of output"));
          }
          AppendWiping(*sink[is_stderr], buf.data(), static_cast<size_t>(n));
          progress = true;
        } else if (n == SSH_EOF) {
          eof[is_stderr] = true;
        } else if (n == 0) {
          if (ssh_channel_is_closed(ch.get())) eof[is_stderr] = true;
          break;
        } else {
          return fail(ConnectionLost("reading the output of a command"));
        }
      }
    }
    if (progress) continue;
    if (written < stdin_data.size() && ssh_channel_window_size(ch.get()) > 0) continue;
    if (!ssh_is_connected(s)) return fail(ConnectionLost("running a command"));
    WaitSocket(deadline);
  }

  // Output is complete; the exit status follows (or the channel closes).
  while (true) {
    int status = ssh_channel_get_exit_status(ch.get());
    if (status != -1 || ssh_channel_is_closed(ch.get())) {
      result.exit_status = status;
      break;
    }
    if (!ssh_is_connected(s)) return fail(ConnectionLost("waiting for a command to exit"));
    if (Clock::now() >= deadline) return fail(timed_out());
    WaitSocket(deadline);
  }
  ssh_channel_close(ch.get());
  return result;
}

std::optional<Status> SshSession::Impl::SudoFailure(const ExecResult& r) const {
  if (!use_sudo) return std::nullopt;
  const std::string& err = r.stderr_text;
  if (r.exit_status == 1 &&
      (Contains(err, "sudo: a password is required") ||
       Contains(err, "sudo: a terminal is required") || Contains(err, "is not in the sudoers") ||
       Contains(err, "is not allowed to execute") || Contains(err, "sudo: sorry"))) {
    return PermissionDeniedError("sudo -n was refused for user \"" + user + "\" on " + desc + ": " +
                                 FirstLine(err) +
                                 ". Give the user passwordless sudo (NOPASSWD) or connect as "
                                 "root");
  }
  if (r.exit_status == 127 && Contains(err, "sudo") && Contains(err, "not found")) {
    return FailedPreconditionError("sudo is not installed on " + desc +
                                   "; install it or connect as root");
  }
  return std::nullopt;
}

StatusOr<SshSession::ExecResult> SshSession::Exec(const std::string& command,
                                                  std::string_view stdin_data) {
  if (!impl_->use_sudo) return impl_->Exec(command, stdin_data);
  PXC_ASSIGN_OR_RETURN(ExecResult r,
                       impl_->Exec("sudo -n -- sh -c " + ShellQuote(command), stdin_data));
  if (std::optional<Status> st = impl_->SudoFailure(r)) return *st;
  return r;
}

StatusOr<SshSession::ExecResult> SshSession::Impl::RunScript(std::string_view script,
                                                             const std::vector<std::string>& args,
                                                             std::string_view stdin_data) {
  // Built front to back by appending: `"literal" + std::move(s)` inserts at
  // position 0, where GCC 12 at -O3 reports a false -Wrestrict inside
  // std::string (GCC bugs 105329, 105651).
  std::string command;
  if (use_sudo) command.append("sudo -n -- ");
  command.append("sh -c ").append(ShellQuote(script)).append(" sh");
  for (const std::string& a : args) command.append(" ").append(ShellQuote(a));
  PXC_ASSIGN_OR_RETURN(ExecResult r, Exec(command, stdin_data));
  if (std::optional<Status> st = SudoFailure(r)) return *st;
  return r;
}

Status SshSession::Impl::ScriptFailure(const ExecResult& r, const std::string& action,
                                       const std::string& path) {
  std::string detail = StderrSummary(r.stderr_text);
  if (detail.empty()) detail = "exit status " + std::to_string(r.exit_status);
  std::string what = "cannot " + action + " " + path + " on " + desc;
  if (Contains(r.stderr_text, "Permission denied") ||
      Contains(r.stderr_text, "Operation not permitted")) {
    return PermissionDeniedError(
        what + " as user \"" + user + "\": permission denied (" + detail + ")" +
        (use_sudo || user == "root" ? "" : "; connect as root or set sudo = true"));
  }
  return FailedPreconditionError(what + ": " + detail);
}

}  // namespace pxc::resources
