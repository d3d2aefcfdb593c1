// SSH access to database nodes: one authenticated connection per SshSession,
// used to run commands and to read, inspect, atomically replace and remove
// files (TLS keys and certificates, my.cnf fragments) on the node.
//
// Security contract:
//  - The server's host key is verified BEFORE any credential is sent: it must
//    equal one of the keys in SshTarget::host_key or a known_hosts entry in
//    SshTarget::known_hosts that matches the host, unless the caller opts out
//    with insecure_ignore_host_key. ~/.ssh/config and ~/.ssh/known_hosts are
//    never read, so the provider behaves the same on every machine.
//  - Private keys are imported from memory (no temporary files). Key material
//    and passwords never appear in a Status message. Secrets are not copied
//    into the session; libssh's own key objects are freed as soon as
//    authentication is over.
//  - WriteFileAtomic never exposes a partially written file under the final
//    name and never lets the new file be readable by anyone but its writer
//    before its final owner and mode are set (see there).
//  - No other account can redirect pxc's writes: WriteFileAtomic refuses a
//    directory that an account other than root (and the SSH user) can change
//    (resources/remote/path_safety.h), and owner and mode are set on the open file,
//    never by a name a symbolic link could stand in for. Directory changes
//    (MakeDirectory, SetDirectoryOwnerAndMode) refuse symbolic links and act
//    on an open descriptor too.
//
// Errors (every message names the node as "label (host:port)"):
//  - kInvalidArgument: the SshTarget is unusable (no credentials, a bad key,
//    wrong passphrase, malformed host_key line, relative path, ...).
//  - kUnavailable: the node cannot be reached (DNS, refused, connect or
//    handshake timeout) or the connection was lost; the session is then
//    unusable and every later call returns kUnavailable too.
//  - kPermissionDenied: host key verification failed (unknown host, changed
//    or revoked key; the message shows the offered key's type and SHA256
//    fingerprint as OpenSSH prints it), authentication failed (the message
//    lists the methods tried and those the server accepts), `sudo -n` was
//    refused, or the remote user may not access a path (the path is named).
//  - kDeadlineExceeded: a command or file operation ran longer than
//    command_timeout_seconds. A timed-out Exec leaves the session usable; a
//    timed-out file transfer closes the connection.
//  - kFailedPrecondition: the remote path is of the wrong kind (a directory
//    where a file is expected, a missing parent directory, a file too large).
//  - kNotFound: an owner or group name does not exist on the node.
//  - kInternal: libssh failed in a way no input explains.
//
// Remote requirements: Linux (/dev/fd), a POSIX shell, GNU coreutils
// (`stat -c`, `readlink -m`, `mv -T`, `chown`, `chmod`), `id`, `getent`, an
// SFTP subsystem when sudo is false, and `sudo` with a NOPASSWD rule when
// sudo is true.
//
// Thread safety: an SshSession is not thread-safe; use one per thread.
// Different sessions are independent and may be used concurrently (libssh is
// initialised once per process and uses pthreads).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "resources/remote/node_host.h"
#include "schema/status.h"

namespace pxc::resources {

// Where and how to connect. Secret fields are only read during Connect and
// are overwritten (OPENSSL_cleanse) when a target is destroyed.
struct SshTarget {
  SshTarget() = default;
  SshTarget(const SshTarget&) = default;
  SshTarget(SshTarget&&) = default;
  SshTarget& operator=(const SshTarget&) = default;
  SshTarget& operator=(SshTarget&&) = default;
  ~SshTarget();

  std::string host;  // DNS name or IP address.
  int port = 22;
  std::string user = "root";
  // Optional name of the node used in messages ("pxc1"), e.g. the Terraform
  // resource's node name. Messages read "pxc1 (10.77.0.11:22)".
  std::string label;

  // Credentials, tried in this order: private key, agent, password.
  std::string private_key_pem;  // OpenSSH ("BEGIN OPENSSH PRIVATE KEY") or PEM.
  std::string private_key_passphrase;
  std::string password;    // Used for "password", else "keyboard-interactive".
  bool use_agent = false;  // The agent at $SSH_AUTH_SOCK.

  // Host key verification (at least one of these, or the explicit opt-out).
  // host_key: one key per line, "ssh-ed25519 AAAA... [comment]"; a line as
  // printed by ssh-keyscan ("host ssh-ed25519 AAAA...", "[host]:port ...",
  // comma lists, hashed names) pins that key for the hosts it names only:
  // it is used when it names `host` (with or without the port). Blank lines
  // and '#' comments are allowed.
  std::string host_key;
  // known_hosts file content: entries match "host" (port 22) or "[host]:port",
  // with comma lists, '*'/'?' wildcards, '!' negation, hashed "|1|" names and
  // the @revoked marker (@cert-authority lines are ignored).
  std::string known_hosts;
  bool insecure_ignore_host_key = false;

  int connect_timeout_seconds = 15;   // TCP connect, handshake, authentication.
  int command_timeout_seconds = 300;  // Each Exec and each file operation.
  // Run commands and file operations as root through `sudo -n` (for a
  // non-root user). Ignored when user is "root".
  bool sudo = false;
};

// Quotes `s` for a POSIX shell: 'it'\''s'. Safe for any byte except NUL.
std::string ShellQuote(std::string_view s);

// One SSH connection: the NodeHost of a real node. Move-only; the destructor
// disconnects. A moved-from session may only be destroyed or assigned to.
class SshSession final : public ReusableHost {
 public:
  // Resolves and connects (bounded by connect_timeout_seconds), verifies the
  // host key, then authenticates. See the file comment for the errors.
  static StatusOr<SshSession> Connect(const SshTarget& target);

  SshSession(SshSession&&) noexcept;
  SshSession& operator=(SshSession&&) noexcept;
  SshSession(const SshSession&) = delete;
  SshSession& operator=(const SshSession&) = delete;
  ~SshSession() override;

  using ExecResult = ::pxc::resources::ExecResult;
  using FileType = ::pxc::resources::FileType;
  using FileStat = ::pxc::resources::FileStat;
  using DirectoryReport = ::pxc::resources::DirectoryReport;

  // Runs `command` with the login shell (through `sudo -n -- sh -c` when
  // SshTarget::sudo), feeding `stdin_data` and then end-of-file. A non-zero
  // exit status is returned in ExecResult, not as an error; errors are
  // kUnavailable (connection), kDeadlineExceeded (command_timeout_seconds;
  // the command is sent SIGTERM and its channel closed), kPermissionDenied
  // (sudo refused) and kFailedPrecondition (sudo missing, or more than
  // 64 MiB of output).
  StatusOr<ExecResult> Exec(const std::string& command, std::string_view stdin_data = {}) override;

  // Contents of the regular file at absolute `path`; nullopt when it (or a
  // parent) does not exist. kFailedPrecondition for a directory or a file
  // larger than 16 MiB; kPermissionDenied naming the path.
  StatusOr<std::optional<std::string>> ReadFile(const std::string& path) override;

  // Follows symlinks. nullopt when `path` does not exist.
  StatusOr<std::optional<FileStat>> Stat(const std::string& path) override;
  // Does not follow a final symbolic link (its type is then kSymlink).
  StatusOr<std::optional<FileStat>> Lstat(const std::string& path) override;
  // `ls -1A` of the directory; empty when it does not exist.
  StatusOr<std::vector<std::string>> ListDirectory(const std::string& dir) override;

  // The directory and its parents as the node reports them (see
  // DirectoryReport).
  // kInvalidArgument for a path with "..".
  StatusOr<DirectoryReport> InspectDirectory(const std::string& dir) override;

  // Replaces (or creates) the file at absolute `path` atomically: the data is
  // written to a new, randomly named file ".<name>.pxc-tmp-<random>" in the
  // same directory, created exclusively with mode 0600, flushed to disk,
  // given `owner`/`group` (empty: leave as created) and then `mode` through
  // a descriptor of that very file, and only then renamed over `path` (which
  // is replaced, never followed, when it is a symbolic link to a file). On
  // failure the temporary file is removed and `path` is untouched; if the
  // connection itself was lost the temporary file may remain (the message
  // names it) but `path` is still untouched. Without sudo the data goes over
  // SFTP; with sudo through `sudo -n sh` with the data on stdin, verified by
  // size and SHA-256 before the rename.
  // Before anything is written the directory is checked (once per session):
  // if an account other than root and the SSH user can change it or one of
  // its parents, nothing is written (kFailedPrecondition explaining why and
  // how to fix it). A temporary file replaced by someone else meanwhile is
  // never installed and never changed (kFailedPrecondition, "replaced").
  // Errors: kPermissionDenied naming the path, kFailedPrecondition when the
  // directory is missing, unsafe or `path` is a directory, kNotFound for an
  // unknown owner/group, kInvalidArgument for ".." in the path,
  // kUnavailable, kDeadlineExceeded.
  Status WriteFileAtomic(const std::string& path, std::string_view content, uint32_t mode,
                         const std::string& owner, const std::string& group) override;

  // Removes the file (or symlink) at absolute `path`; OK if it does not
  // exist. kFailedPrecondition if it is a directory.
  Status RemoveFile(const std::string& path) override;

  // Creates `path` when it does not exist (missing parents: 0755, owned by
  // the SSH user or root) and then sets `mode` and `owner`/`group` (empty:
  // leave as created) on the directory it made, through an open descriptor.
  // An existing directory is left exactly as it is. Returns true when it
  // created the directory. kFailedPrecondition if `path` is a symbolic link
  // or exists and is not a directory.
  StatusOr<bool> MakeDirectory(const std::string& path, uint32_t mode, const std::string& owner,
                               const std::string& group) override;

  // Sets `mode` and `owner`/`group` (empty: unchanged) of the existing
  // directory `path` through an open descriptor. kFailedPrecondition for a
  // symbolic link or a non-directory.
  Status SetDirectoryOwnerAndMode(const std::string& path, uint32_t mode, const std::string& owner,
                                  const std::string& group) override;

  // Removes the directory `path` if it is empty: true when removed (or
  // absent), false when it still holds entries (it is left alone).
  // kFailedPrecondition for a symbolic link or a non-directory.
  StatusOr<bool> RemoveDirectory(const std::string& path) override;

  // The server's host key fingerprint as OpenSSH prints it: "SHA256:..." .
  std::string HostKeyFingerprint() const;
  // The server's host key type, e.g. "ssh-ed25519".
  std::string HostKeyType() const;
  // "label (host:port)" or "host:port", as used in messages.
  const std::string& Describe() const override;

  // ReusableHost (resources/remote/ssh_pool.h keeps sessions). Probe's round
  // trip opens a session channel and closes it again (no command runs).
  bool Usable() const override;
  Status Probe(bool round_trip, std::chrono::milliseconds timeout) override;
  void BeginUse(const std::string& label) override;

 private:
  struct Impl;
  explicit SshSession(std::unique_ptr<Impl> impl);
  StatusOr<std::optional<FileStat>> StatImpl(const std::string& path, bool follow);
  std::unique_ptr<Impl> impl_;
};

// Opens a NodeHost for a node; errors as SshSession::Connect. Resources take
// one, so that unit tests can hand them in-memory nodes (MemHost).
using NodeConnector = std::function<StatusOr<std::unique_ptr<NodeHost>>(const SshTarget&)>;

// The production NodeConnector: a lease of a session to the node from the
// process-wide pool (DefaultSshPool() in resources/remote/ssh_pool.h), so
// that every resource and data source working on the same node with the same
// settings in one plugin process shares one SSH connection. The lease is
// exclusive (one user at a time, as SshSession requires) and goes back to
// the pool when the returned NodeHost is destroyed. Errors as
// SshSession::Connect, plus kUnavailable when the pool is at its bound.
StatusOr<std::unique_ptr<NodeHost>> ConnectSsh(const SshTarget& target);

}  // namespace pxc::resources
