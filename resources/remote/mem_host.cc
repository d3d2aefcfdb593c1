#include "resources/remote/mem_host.h"

#include <sys/stat.h>

#include "resources/remote/path_safety.h"

namespace pxc::resources {
namespace {

std::string Join(const std::string& dir, const std::string& name) {
  return dir == "/" ? "/" + name : dir + "/" + name;
}

std::vector<std::string> Components(const std::string& normalized) {
  std::vector<std::string> out;
  size_t i = 1;
  while (i < normalized.size()) {
    size_t slash = normalized.find('/', i);
    if (slash == std::string::npos) slash = normalized.size();
    out.push_back(normalized.substr(i, slash - i));
    i = slash + 1;
  }
  return out;
}

uint32_t TypeBits(FileType t) {
  switch (t) {
    case FileType::kRegular:
      return S_IFREG;
    case FileType::kDirectory:
      return S_IFDIR;
    case FileType::kSymlink:
      return S_IFLNK;
    case FileType::kOther:
      return S_IFIFO;
  }
  return 0;
}

}  // namespace

MemHost::MemHost(std::string name) : name_(std::move(name)) {
  users_ = {{"root", 0}, {"mysql", 27}};
  groups_ = {{"root", 0}, {"mysql", 27}};
  tree_["/"] = Entry{FileType::kDirectory, "", 0755, "root", "root"};
}

void MemHost::AddUser(const std::string& name, uint32_t uid) { users_[name] = uid; }
void MemHost::AddGroup(const std::string& name, uint32_t gid) { groups_[name] = gid; }

void MemHost::PutDirectory(const std::string& path, uint32_t mode, const std::string& owner,
                           const std::string& group) {
  std::string at = "/";
  for (const std::string& c : Components(path)) {
    at = Join(at, c);
    if (!tree_.count(at)) tree_[at] = Entry{FileType::kDirectory, "", 0755, "root", "root"};
  }
  tree_[at] = Entry{FileType::kDirectory, "", mode, owner, group};
}

void MemHost::PutFile(const std::string& path, std::string content, uint32_t mode,
                      const std::string& owner, const std::string& group) {
  tree_[path] = Entry{FileType::kRegular, std::move(content), mode, owner, group};
}

void MemHost::PutSymlink(const std::string& path, std::string target) {
  tree_[path] = Entry{FileType::kSymlink, std::move(target), 0777, "root", "root"};
}

void MemHost::Remove(const std::string& path) {
  tree_.erase(path);
  const std::string prefix = path == "/" ? "/" : path + "/";
  for (auto it = tree_.lower_bound(prefix); it != tree_.end() && it->first.starts_with(prefix);) {
    it = tree_.erase(it);
  }
}

const MemHost::Entry* MemHost::Find(const std::string& path) const {
  auto it = tree_.find(path);
  return it == tree_.end() ? nullptr : &it->second;
}

StatusOr<std::string> MemHost::Resolve(const std::string& path, bool follow_last) const {
  PXC_ASSIGN_OR_RETURN(std::string norm, NormalizeAbsolutePath(path));
  std::vector<std::string> todo = Components(norm);
  std::string at = "/";
  int links = 0;
  for (size_t i = 0; i < todo.size(); ++i) {
    if (todo[i].empty() || todo[i] == ".") continue;
    if (todo[i] == "..") {
      at = ParentDirectory(at);
      continue;
    }
    const std::string next = Join(at, todo[i]);
    const Entry* e = Find(next);
    const bool last = i + 1 == todo.size();
    if (e == nullptr || e->type != FileType::kSymlink || (last && !follow_last)) {
      at = next;
      continue;
    }
    if (++links > 40) return InvalidArgumentError("too many levels of symbolic links: " + path);
    // Go on with the link's target (relative to the link's directory, `at`,
    // unless absolute), then the rest of the path.
    if (e->content.starts_with('/')) at = "/";
    std::vector<std::string> rest = Components("/" + e->content);
    rest.insert(rest.end(), todo.begin() + static_cast<long>(i) + 1, todo.end());
    todo = std::move(rest);
    i = static_cast<size_t>(-1);
  }
  return at;
}

StatusOr<std::optional<FileStat>> MemHost::StatAt(const std::string& path, bool follow) const {
  PXC_ASSIGN_OR_RETURN(std::string where, Resolve(path, follow));
  const Entry* e = Find(where);
  if (e == nullptr) return std::optional<FileStat>();
  FileStat st;
  st.mode = e->mode & 07777;
  st.type = e->type;
  st.owner = e->owner;
  st.group = e->group;
  st.size = e->content.size();
  return std::optional<FileStat>(st);
}

Status MemHost::CheckNames(const std::string& owner, const std::string& group) const {
  if (!owner.empty() && !users_.count(owner)) {
    return NotFoundError("no such user on " + name_ + ": " + owner);
  }
  if (!group.empty() && !groups_.count(group)) {
    return NotFoundError("no such group on " + name_ + ": " + group);
  }
  return OkStatus();
}

StatusOr<ExecResult> MemHost::Exec(const std::string& command, std::string_view stdin_data) {
  commands_.push_back(command);
  if (handler_) {
    if (std::optional<ExecResult> r = handler_(command, stdin_data)) return *r;
  }
  ExecResult r;
  r.exit_status = 127;
  r.stderr_text = "sh: 1: " + command.substr(0, command.find(' ')) + ": not found\n";
  return r;
}

StatusOr<std::optional<std::string>> MemHost::ReadFile(const std::string& path) {
  PXC_ASSIGN_OR_RETURN(std::string where, Resolve(path, true));
  const Entry* e = Find(where);
  if (e == nullptr) return std::optional<std::string>();
  if (e->type == FileType::kDirectory) {
    return FailedPreconditionError("cannot read " + path + " on " + name_ + ": it is a directory");
  }
  return std::optional<std::string>(e->content);
}

StatusOr<std::optional<FileStat>> MemHost::Stat(const std::string& path) {
  return StatAt(path, true);
}

StatusOr<std::optional<FileStat>> MemHost::Lstat(const std::string& path) {
  return StatAt(path, false);
}

StatusOr<std::vector<std::string>> MemHost::ListDirectory(const std::string& dir) {
  PXC_ASSIGN_OR_RETURN(std::string where, Resolve(dir, true));
  std::vector<std::string> names;
  const Entry* e = Find(where);
  if (e == nullptr || e->type != FileType::kDirectory) return names;
  const std::string prefix = where == "/" ? "/" : where + "/";
  for (auto it = tree_.lower_bound(prefix); it != tree_.end() && it->first.starts_with(prefix);
       ++it) {
    const std::string rest = it->first.substr(prefix.size());
    if (!rest.empty() && rest.find('/') == std::string::npos) names.push_back(rest);
  }
  return names;
}

StatusOr<DirectoryReport> MemHost::InspectDirectory(const std::string& dir_in) {
  PXC_ASSIGN_OR_RETURN(std::string dir, NormalizeAbsolutePath(dir_in));
  auto chain_of = [&](const std::string& path) {
    std::vector<PathEntry> chain;
    for (const std::string& p : PathPrefixes(path)) {
      PathEntry pe;
      pe.path = p;
      // lstat(p): every component but the last followed.
      auto where = Resolve(p, /*follow_last=*/false);
      if (const Entry* e = where.ok() ? Find(*where) : nullptr) {
        pe.exists = true;
        pe.mode = TypeBits(e->type) | (e->mode & 07777);
        pe.owner = e->owner;
        pe.group = e->group;
        pe.uid = users_.count(e->owner) ? users_.at(e->owner) : 65534;
        pe.gid = groups_.count(e->group) ? groups_.at(e->group) : 65534;
      }
      chain.push_back(std::move(pe));
    }
    return chain;
  };
  std::vector<PathEntry> chain = chain_of(dir);
  PXC_ASSIGN_OR_RETURN(std::string resolved_path, Resolve(dir, true));
  std::vector<PathEntry> resolved;
  if (resolved_path != dir) resolved = chain_of(resolved_path);
  return MakeDirectoryReport(dir, /*writer_uid=*/0, chain, resolved, name_);
}

Status MemHost::WriteFileAtomic(const std::string& path, std::string_view content, uint32_t mode,
                                const std::string& owner, const std::string& group) {
  PXC_ASSIGN_OR_RETURN(std::string norm, NormalizeAbsolutePath(path));
  if (norm == "/") return InvalidArgumentError("remote path \"/\" is not a file");
  PXC_ASSIGN_OR_RETURN(std::string dir, Resolve(ParentDirectory(norm), true));
  const Entry* d = Find(dir);
  if (d == nullptr || d->type != FileType::kDirectory) {
    return FailedPreconditionError("cannot write " + path + " on " + name_ + ": directory " +
                                   ParentDirectory(norm) + " does not exist");
  }
  PXC_ASSIGN_OR_RETURN(DirectoryReport report, InspectDirectory(ParentDirectory(norm)));
  if (report.problem) return FailedPreconditionError(report.refusal);
  const std::string target = Join(dir, norm.substr(norm.find_last_of('/') + 1));
  if (const Entry* e = Find(target); e != nullptr && e->type == FileType::kDirectory) {
    return FailedPreconditionError("cannot write " + path + " on " + name_ + ": it is a directory");
  }
  PXC_RETURN_IF_ERROR(CheckNames(owner, group));
  if (fault_) {
    if (std::optional<Status> failure = fault_(norm)) return *failure;
  }
  // One step: the name now holds the new file (a link there is replaced).
  tree_[target] = Entry{FileType::kRegular, std::string(content), mode & 07777,
                        owner.empty() ? "root" : owner, group.empty() ? "root" : group};
  return OkStatus();
}

Status MemHost::RemoveFile(const std::string& path) {
  PXC_ASSIGN_OR_RETURN(std::string where, Resolve(path, false));
  const Entry* e = Find(where);
  if (e == nullptr) return OkStatus();
  if (e->type == FileType::kDirectory) {
    return FailedPreconditionError("cannot remove " + path + " on " + name_ +
                                   ": it is a directory");
  }
  tree_.erase(where);
  return OkStatus();
}

StatusOr<bool> MemHost::MakeDirectory(const std::string& path, uint32_t mode,
                                      const std::string& owner, const std::string& group) {
  PXC_ASSIGN_OR_RETURN(std::string where, Resolve(path, false));
  if (const Entry* e = Find(where)) {
    if (e->type == FileType::kSymlink) {
      return FailedPreconditionError(path + " on " + name_ + " is a symbolic link");
    }
    if (e->type != FileType::kDirectory) {
      return FailedPreconditionError(path + " on " + name_ + " exists and is not a directory");
    }
    return false;
  }
  PXC_RETURN_IF_ERROR(CheckNames(owner, group));
  // Missing parents as root:root 0755 (`mkdir -p` under umask 022); existing
  // ones are left as they are.
  std::string at = "/";
  for (const std::string& c : Components(ParentDirectory(where))) {
    at = Join(at, c);
    const Entry* e = Find(at);
    if (e == nullptr) {
      tree_[at] = Entry{FileType::kDirectory, "", 0755, "root", "root"};
    } else if (e->type != FileType::kDirectory) {
      return FailedPreconditionError("cannot create " + path + " on " + name_ + ": " + at +
                                     " is not a directory");
    }
  }
  tree_[where] = Entry{FileType::kDirectory, "", mode & 07777, owner.empty() ? "root" : owner,
                       group.empty() ? "root" : group};
  return true;
}

Status MemHost::SetDirectoryOwnerAndMode(const std::string& path, uint32_t mode,
                                         const std::string& owner, const std::string& group) {
  PXC_ASSIGN_OR_RETURN(std::string where, Resolve(path, false));
  auto it = tree_.find(where);
  if (it == tree_.end() || it->second.type != FileType::kDirectory) {
    return FailedPreconditionError(path + " on " + name_ +
                                   (it != tree_.end() && it->second.type == FileType::kSymlink
                                        ? " is a symbolic link"
                                        : " is not a directory"));
  }
  PXC_RETURN_IF_ERROR(CheckNames(owner, group));
  it->second.mode = mode & 07777;
  if (!owner.empty()) it->second.owner = owner;
  if (!group.empty()) it->second.group = group;
  return OkStatus();
}

StatusOr<bool> MemHost::RemoveDirectory(const std::string& path) {
  PXC_ASSIGN_OR_RETURN(std::string where, Resolve(path, false));
  const Entry* e = Find(where);
  if (e == nullptr) return true;
  if (e->type != FileType::kDirectory) {
    return FailedPreconditionError(
        path + " on " + name_ +
        (e->type == FileType::kSymlink ? " is a symbolic link" : " is not a directory"));
  }
  PXC_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDirectory(where));
  if (!names.empty()) return false;
  tree_.erase(where);
  return true;
}

NodeConnector MemConnector(std::vector<MemHost*> hosts) {
  return [hosts](const SshTarget& target) -> StatusOr<std::unique_ptr<NodeHost>> {
    for (MemHost* h : hosts) {
      if (h->Describe() != target.label) continue;
      // A handle that forwards to the host the test owns.
      class Handle final : public NodeHost {
       public:
        explicit Handle(MemHost* h) : h_(h) {}
        const std::string& Describe() const override { return h_->Describe(); }
        StatusOr<ExecResult> Exec(const std::string& c, std::string_view in) override {
          return h_->Exec(c, in);
        }
        StatusOr<std::optional<std::string>> ReadFile(const std::string& p) override {
          return h_->ReadFile(p);
        }
        StatusOr<std::optional<FileStat>> Stat(const std::string& p) override {
          return h_->Stat(p);
        }
        StatusOr<std::optional<FileStat>> Lstat(const std::string& p) override {
          return h_->Lstat(p);
        }
        StatusOr<std::vector<std::string>> ListDirectory(const std::string& d) override {
          return h_->ListDirectory(d);
        }
        StatusOr<DirectoryReport> InspectDirectory(const std::string& d) override {
          return h_->InspectDirectory(d);
        }
        Status WriteFileAtomic(const std::string& p, std::string_view c, uint32_t m,
                               const std::string& o, const std::string& g) override {
          return h_->WriteFileAtomic(p, c, m, o, g);
        }
        Status RemoveFile(const std::string& p) override { return h_->RemoveFile(p); }
        StatusOr<bool> MakeDirectory(const std::string& p, uint32_t m, const std::string& o,
                                     const std::string& g) override {
          return h_->MakeDirectory(p, m, o, g);
        }
        Status SetDirectoryOwnerAndMode(const std::string& p, uint32_t m, const std::string& o,
                                        const std::string& g) override {
          return h_->SetDirectoryOwnerAndMode(p, m, o, g);
        }
        StatusOr<bool> RemoveDirectory(const std::string& p) override {
          return h_->RemoveDirectory(p);
        }

       private:
        MemHost* h_;
      };
      return std::unique_ptr<NodeHost>(std::make_unique<Handle>(h));
    }
    return UnavailableError("cannot connect to " + target.label + " (" + target.host +
                            "): no such node");
  };
}

}  // namespace pxc::resources
