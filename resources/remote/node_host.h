// What a resource does on a database node: run a command, read, inspect and
// atomically replace files, create and remove directories. Two
// implementations, as leveldb's Env has PosixEnv and memenv:
//   - SshSession (resources/remote/ssh_client.h): the real node over SSH;
//   - MemHost (resources/remote/mem_host.h): a node in memory, for unit
//     tests of the resources and of the restart engine, which keeps the
//     same safety rules (atomic replace, owners and modes, directories no
//     other account can change).
// Resources and engines take a NodeConnector, so a test hands them MemHosts
// and production the SSH connector.
//
// The contract of each method, including its error codes, is the one
// SshSession documents; an implementation returns the same codes for the
// same situations.
//
// Thread safety: a NodeHost is used by one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schema/status.h"

namespace pxc::resources {

enum class FileType { kRegular, kDirectory, kSymlink, kOther };

struct FileStat {
  uint32_t mode = 0;  // Permission bits, st_mode & 07777.
  FileType type = FileType::kOther;
  std::string owner;  // User name, or the numeric uid if it has no name.
  std::string group;  // Group name, or the numeric gid.
  uint64_t size = 0;
};

struct ExecResult {
  int exit_status = -1;  // -1 when the command died from a signal.
  std::string stdout_text;
  std::string stderr_text;
};

// What pxc needs to know before it writes into a directory: the directory
// itself (lstat) and whether any account other than root and the writing
// user can change it or one of its parents (resources/remote/path_safety.h).
struct DirectoryReport {
  std::string path;  // normalised
  uint32_t writer_uid = 0;
  bool exists = false;
  bool symlink = false;
  std::optional<FileStat> stat;  // lstat of the directory, when it exists
  // Short reason it is unsafe ("/etc/mysql/certs is owned by mysql
  // (mysql:mysql 0750)"), nullopt when safe. Missing components are safe.
  std::optional<std::string> problem;
  std::string refusal;  // the full explanation and fix, when unsafe
};

class NodeHost {
 public:
  virtual ~NodeHost() = default;

  // "label (host:port)" or "host:port", as used in messages.
  virtual const std::string& Describe() const = 0;

  // Runs `command` with a POSIX shell as root (or the SSH user), feeding
  // `stdin_data`. A non-zero exit status is a result, not an error.
  virtual StatusOr<ExecResult> Exec(const std::string& command,
                                    std::string_view stdin_data = {}) = 0;

  // Contents of the regular file at absolute `path`; nullopt when it (or a
  // parent) does not exist; kFailedPrecondition for a directory.
  virtual StatusOr<std::optional<std::string>> ReadFile(const std::string& path) = 0;
  // Follows symbolic links; nullopt when `path` does not exist.
  virtual StatusOr<std::optional<FileStat>> Stat(const std::string& path) = 0;
  // Does not follow a final symbolic link.
  virtual StatusOr<std::optional<FileStat>> Lstat(const std::string& path) = 0;
  // Names of the entries of directory `dir` (not "." or ".."), in no
  // particular order; empty when it does not exist.
  virtual StatusOr<std::vector<std::string>> ListDirectory(const std::string& dir) = 0;
  // kInvalidArgument for a relative path or one with "..".
  virtual StatusOr<DirectoryReport> InspectDirectory(const std::string& dir) = 0;

  // Replaces (or creates) `path` atomically with `content`, then `owner`/
  // `group` (empty: as created) and `mode`; a reader sees the old file or
  // the new one, never a part. Refuses (kFailedPrecondition) a directory
  // another account can change, a missing directory, or a directory at
  // `path`; kNotFound for an unknown owner or group.
  virtual Status WriteFileAtomic(const std::string& path, std::string_view content, uint32_t mode,
                                 const std::string& owner, const std::string& group) = 0;
  // Removes the file or symbolic link; OK when absent; kFailedPrecondition
  // for a directory.
  virtual Status RemoveFile(const std::string& path) = 0;
  // Creates `path` (parents 0755) and only then sets its owner and mode;
  // an existing directory is left alone. True when it created it.
  // kFailedPrecondition for a symbolic link or a non-directory.
  virtual StatusOr<bool> MakeDirectory(const std::string& path, uint32_t mode,
                                       const std::string& owner, const std::string& group) = 0;
  // kFailedPrecondition for a symbolic link or a non-directory.
  virtual Status SetDirectoryOwnerAndMode(const std::string& path, uint32_t mode,
                                          const std::string& owner, const std::string& group) = 0;
  // Removes `path` if it is empty: true when removed (or absent), false
  // when it still holds entries.
  virtual StatusOr<bool> RemoveDirectory(const std::string& path) = 0;
};

// A NodeHost that a connection pool (resources/remote/ssh_pool.h) may keep
// and hand to one user after another: SshSession, and the fakes of the
// pool's unit tests. MemHost is not one (tests hand MemHosts out directly).
class ReusableHost : public NodeHost {
 public:
  // False once the connection is known to be unusable (lost, closed, a
  // transfer timed out): the pool then closes it instead of keeping it.
  virtual bool Usable() const = 0;
  // Checks that the connection still works before it is reused: the local
  // socket state and, with `round_trip`, one exchange with the server that
  // runs nothing on the node, bounded by `timeout`. An error means: do not
  // use this connection (it is then unusable).
  virtual Status Probe(bool round_trip, std::chrono::milliseconds timeout) = 0;
  // Called when the connection is handed to a new user: messages name the
  // node as `label` says ("label (host:port)"), and what was learned on the
  // node for the previous user (owner ids, directories found safe) is
  // forgotten, so each user checks the node as with a connection of its own.
  virtual void BeginUse(const std::string& label) = 0;
};

// SHA-256 of `data` as lowercase hex (as sha256sum prints it): how pxc
// compares a file on a node with what it wrote.
std::string Sha256Hex(std::string_view data);

}  // namespace pxc::resources
