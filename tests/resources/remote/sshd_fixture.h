// A private OpenSSH server for tests of resources/remote/ssh_client: its own sshd
// on 127.0.0.1 and a free port, with fresh ed25519 and RSA host keys, its own
// authorized_keys, two throw-away local users (one with NOPASSWD sudo when
// sudo is installed) and a scratch directory. Everything is removed again
// when the Sshd object is destroyed.
//
// Needs root (it runs sshd and useradd) and /usr/sbin/sshd; SkipReason()
// says why not when either is missing. Names carry the process id, so test
// processes may run in parallel (ctest -j).
//
// Thread safety: const methods may be called from any thread.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "resources/remote/ssh_client.h"
#include "schema/status.h"

namespace pxc::resources::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together.
};
// Runs `command` with /bin/sh -c and waits for it.
CommandResult RunCommand(const std::string& command);

// An ed25519 key pair made with ssh-keygen.
struct KeyPair {
  std::string private_pem;  // OpenSSH format
  std::string public_line;  // "ssh-ed25519 AAAA... comment"
  std::string fingerprint;  // "SHA256:..." as ssh-keygen -lf prints it
};
// `passphrase` empty: unencrypted. `scratch_dir` must exist.
StatusOr<KeyPair> MakeKeyPair(const std::string& scratch_dir, const std::string& passphrase = "");

class Sshd {
 public:
  // Empty when Start() can work here; otherwise the reason to skip.
  static std::string SkipReason();
  static StatusOr<std::unique_ptr<Sshd>> Start();

  Sshd(const Sshd&) = delete;
  Sshd& operator=(const Sshd&) = delete;
  ~Sshd();

  int port() const { return port_; }
  // Scratch directory (mode 0755). Holds `root_only_dir()` (root, 0755) and
  // `user_dir()` (owned by user(), 0755).
  const std::string& dir() const { return dir_; }
  std::string root_only_dir() const { return dir_ + "/rootonly"; }
  std::string user_dir() const { return dir_ + "/userdir"; }

  const KeyPair& host_key() const { return host_key_; }          // ed25519
  const KeyPair& rsa_host_key() const { return rsa_host_key_; }  // the server has both
  const KeyPair& client_key() const { return client_key_; }      // authorized for all users

  // A non-root user with a password and, if has_sudo(), NOPASSWD sudo.
  const std::string& user() const { return user_; }
  const std::string& password() const { return password_; }
  // A second non-root user without any sudo rule.
  const std::string& plain_user() const { return plain_user_; }
  bool has_sudo() const { return has_sudo_; }

  // Adds a public key line to the authorized_keys file used for all users.
  Status Authorize(const std::string& public_line) const;

  // A target for `user` with the client key and the pinned host key.
  SshTarget Target(const std::string& user = "root") const;

  // Sends `sig` to the processes serving connections (never the listener).
  // With sshd_only, only to the sshd processes, not to the commands they run.
  void SignalSessions(int sig, bool sshd_only = false) const;
  std::vector<pid_t> SessionPids(bool sshd_only) const;

  std::string Log() const;

 private:
  Sshd() = default;
  Status Init();
  Status Launch();
  void Stop();

  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
  KeyPair host_key_;
  KeyPair rsa_host_key_;
  KeyPair client_key_;
  std::string user_;
  std::string plain_user_;
  std::string password_;
  bool has_sudo_ = false;
  std::string sudoers_file_;
  std::vector<std::string> users_created_;
};

}  // namespace pxc::resources::testing
