// MemHost: a database node in memory, the NodeHost of unit tests (as
// leveldb's memenv is the Env of its tests). It keeps a file tree with
// owners, groups and modes, user and group tables, and answers commands
// through a handler the test installs, so a resource or the restart engine
// runs unchanged against it, without sshd or mariadbd.
//
// What it models honestly, because pxc's safety rests on it:
//   - WriteFileAtomic replaces the file as one step: after a failure (a
//     fault injected with FailWrites, a refused directory, an unknown owner)
//     the old file is there unchanged and no temporary file is left; a
//     symbolic link at the path is replaced, never followed.
//   - Directory safety is decided by the same code as on a real node
//     (MakeDirectoryReport in path_safety.h) from owners and modes of every
//     component, symbolic links resolved: WriteFileAtomic refuses a directory
//     another account can change, as SshSession does.
//   - MakeDirectory, SetDirectoryOwnerAndMode and RemoveDirectory refuse
//     symbolic links and non-directories; RemoveDirectory keeps a directory
//     that is not empty.
// What it does not model: ACLs, concurrent writers, sudo, partial reads.
//
// Thread safety: not thread-safe; one test thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "resources/remote/node_host.h"
#include "resources/remote/ssh_client.h"

namespace pxc::resources {

class MemHost final : public NodeHost {
 public:
  struct Entry {
    FileType type = FileType::kRegular;
    std::string content;   // regular file: the data; symbolic link: its target
    uint32_t mode = 0644;  // permission bits
    std::string owner = "root";
    std::string group = "root";
    bool operator==(const Entry&) const = default;
  };
  // Every entry by absolute path ("/" is always a root-owned 0755 directory).
  using Tree = std::map<std::string, Entry>;

  // The answer to a command, or nullopt for "command not found" (exit 127).
  using CommandHandler =
      std::function<std::optional<ExecResult>(const std::string& command, std::string_view stdin)>;
  // Called before a write installs anything: a Status fails that write (the
  // file stays as it was), nullopt lets it through.
  using WriteFault = std::function<std::optional<Status>(const std::string& path)>;

  // `name` is what Describe says. The node knows users and groups root (0)
  // and mysql (27); pxc writes as root.
  explicit MemHost(std::string name);

  // --- Setting the node up (tests) ---
  void AddUser(const std::string& name, uint32_t uid);
  void AddGroup(const std::string& name, uint32_t gid);
  // Creates a directory (and missing parents as root:root 0755).
  void PutDirectory(const std::string& path, uint32_t mode = 0755,
                    const std::string& owner = "root", const std::string& group = "root");
  // Creates or replaces a file; its directory must exist.
  void PutFile(const std::string& path, std::string content, uint32_t mode = 0644,
               const std::string& owner = "root", const std::string& group = "root");
  void PutSymlink(const std::string& path, std::string target);
  void Remove(const std::string& path);  // an entry and everything below it
  void OnCommand(CommandHandler handler) { handler_ = std::move(handler); }
  void FailWrites(WriteFault fault) { fault_ = std::move(fault); }

  // --- Looking at it (tests) ---
  const Tree& tree() const { return tree_; }
  // The entry at `path` itself (a symbolic link is not followed).
  const Entry* Find(const std::string& path) const;
  // Every command run, in order.
  const std::vector<std::string>& commands() const { return commands_; }

  // --- NodeHost ---
  const std::string& Describe() const override { return name_; }
  StatusOr<ExecResult> Exec(const std::string& command, std::string_view stdin_data = {}) override;
  StatusOr<std::optional<std::string>> ReadFile(const std::string& path) override;
  StatusOr<std::optional<FileStat>> Stat(const std::string& path) override;
  StatusOr<std::optional<FileStat>> Lstat(const std::string& path) override;
  StatusOr<std::vector<std::string>> ListDirectory(const std::string& dir) override;
  StatusOr<DirectoryReport> InspectDirectory(const std::string& dir) override;
  Status WriteFileAtomic(const std::string& path, std::string_view content, uint32_t mode,
                         const std::string& owner, const std::string& group) override;
  Status RemoveFile(const std::string& path) override;
  StatusOr<bool> MakeDirectory(const std::string& path, uint32_t mode, const std::string& owner,
                               const std::string& group) override;
  Status SetDirectoryOwnerAndMode(const std::string& path, uint32_t mode, const std::string& owner,
                                  const std::string& group) override;
  StatusOr<bool> RemoveDirectory(const std::string& path) override;

 private:
  // `path` with every symbolic link resolved (the last one too when
  // `follow_last`); missing components are kept, as `readlink -m` does.
  // kInvalidArgument for a relative path, ".." or a link loop.
  StatusOr<std::string> Resolve(const std::string& path, bool follow_last) const;
  StatusOr<std::optional<FileStat>> StatAt(const std::string& path, bool follow) const;
  Status CheckNames(const std::string& owner, const std::string& group) const;

  std::string name_;
  Tree tree_;
  std::map<std::string, uint32_t> users_, groups_;
  CommandHandler handler_;
  WriteFault fault_;
  std::vector<std::string> commands_;
};

// A NodeConnector that hands out the MemHost whose Describe() equals the
// target's label (the node name resources pass), or kUnavailable. The hosts
// must outlive every connection made.
NodeConnector MemConnector(std::vector<MemHost*> hosts);

}  // namespace pxc::resources
