// Implementation of resources/remote/path_safety.h.
#include "resources/remote/path_safety.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>

#include "schema/text.h"

namespace pxc::resources {
namespace {

std::string Describe(const PathEntry& e) {
  return e.owner + ":" + e.group + " " + FormatOctalMode(e.mode);
}

// The problem with one existing component, or nullopt. `leaf`: the
// directory written into (no sticky-bit exception there).
std::optional<std::string> EntryProblem(const PathEntry& e, bool leaf, bool symlink_ok,
                                        uint32_t writer_uid) {
  if (!e.exists) return std::nullopt;
  if (S_ISLNK(e.mode)) {
    if (symlink_ok) return std::nullopt;
    return e.path + " is a symbolic link";
  }
  if (!S_ISDIR(e.mode)) return e.path + " is not a directory";
  if (e.uid != 0 && e.uid != writer_uid) {
    return e.path + " is owned by " + e.owner + " (" + Describe(e) + ")";
  }
  const bool sticky = (e.mode & S_ISVTX) != 0;
  if ((e.mode & S_IWOTH) && (leaf || !sticky)) {
    return e.path + " is writable by every account (" + Describe(e) + ")";
  }
  if ((e.mode & S_IWGRP) && (leaf || !sticky)) {
    return e.path + " is writable by group " + e.group + " (" + Describe(e) + ")";
  }
  return std::nullopt;
}

struct Found {
  std::string problem;
  std::string component;
};

std::optional<Found> FirstProblem(const std::vector<PathEntry>& chain,
                                  const std::vector<PathEntry>& resolved, uint32_t writer_uid) {
  // The directory written into: the first existing entry of the resolved
  // chain when the path goes through a symbolic link, else the path itself.
  const PathEntry* leaf = nullptr;
  if (!chain.empty() && chain.front().exists && !S_ISLNK(chain.front().mode)) {
    leaf = &chain.front();
  } else if (!resolved.empty() && resolved.front().exists) {
    leaf = &resolved.front();
  }
  for (const PathEntry& e : chain) {
    if (auto p = EntryProblem(e, &e == leaf, /*symlink_ok=*/true, writer_uid)) {
      return Found{*p, e.path};
    }
  }
  for (const PathEntry& e : resolved) {
    if (auto p = EntryProblem(e, &e == leaf, /*symlink_ok=*/false, writer_uid)) {
      return Found{*p, e.path};
    }
  }
  return std::nullopt;
}

}  // namespace

std::string FormatOctalMode(uint32_t mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777u);
  return buf;
}

std::vector<std::string> PathPrefixes(const std::string& path) {
  std::vector<std::string> out;
  std::string p = path;
  while (true) {
    out.push_back(p);
    if (p == "/" || p.empty()) break;
    size_t slash = p.find_last_of('/');
    p = slash == 0 || slash == std::string::npos ? "/" : p.substr(0, slash);
  }
  return out;
}

StatusOr<std::string> NormalizeAbsolutePath(std::string_view path) {
  if (path.empty() || path[0] != '/') {
    return InvalidArgumentError(DoubleQuoted(path).append(" is not an absolute path"));
  }
  if (path.find_first_of(std::string_view("\0\n\r", 3)) != std::string_view::npos) {
    return InvalidArgumentError("the path contains a NUL byte or a line break");
  }
  std::string out;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view part = path.substr(i, j - i);
    i = j;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      return InvalidArgumentError(
          DoubleQuoted(path).append(" contains \"..\"; write the directory without it"));
    }
    out += "/";
    out += part;
  }
  return out.empty() ? std::string("/") : out;
}

bool IsSystemDirectory(std::string_view p) {
  static const char* const kSystem[] = {
      "/",
      "/bin",
      "/boot",
      "/dev",
      "/etc",
      "/etc/alternatives",
      "/etc/my.cnf.d",
      "/etc/mysql",
      "/etc/mysql/conf.d",
      "/etc/mysql/mariadb.conf.d",
      "/etc/mysql/mysql.conf.d",
      "/etc/percona-server.conf.d",
      "/etc/percona-xtradb-cluster.conf.d",
      "/etc/pki",
      "/etc/pki/tls",
      "/etc/ssh",
      "/etc/ssl",
      "/etc/ssl/certs",
      "/etc/ssl/private",
      "/home",
      "/lib",
      "/lib32",
      "/lib64",
      "/libx32",
      "/media",
      "/mnt",
      "/opt",
      "/proc",
      "/root",
      "/run",
      "/run/mysqld",
      "/sbin",
      "/srv",
      "/sys",
      "/tmp",
      "/usr",
      "/usr/bin",
      "/usr/lib",
      "/usr/lib64",
      "/usr/local",
      "/usr/local/bin",
      "/usr/local/etc",
      "/usr/local/lib",
      "/usr/local/sbin",
      "/usr/sbin",
      "/usr/share",
      "/var",
      "/var/lib",
      "/var/lib/mysql",
      "/var/log",
      "/var/log/mysql",
      "/var/run",
      "/var/tmp",
  };
  return std::any_of(std::begin(kSystem), std::end(kSystem), [&](const char* s) { return p == s; });
}

std::optional<std::string> DirectoryChainProblem(const std::vector<PathEntry>& chain,
                                                 const std::vector<PathEntry>& resolved,
                                                 uint32_t writer_uid) {
  auto found = FirstProblem(chain, resolved, writer_uid);
  if (!found) return std::nullopt;
  return found->problem;
}

Status CheckDirectoryChain(const std::vector<PathEntry>& chain,
                           const std::vector<PathEntry>& resolved, uint32_t writer_uid) {
  auto found = FirstProblem(chain, resolved, writer_uid);
  if (!found) return OkStatus();
  const std::string dir = chain.empty() ? found->component : chain.front().path;
  const std::string& c = found->component;
  return FailedPreconditionError(
      "pxc does not write into " + dir + ": " + found->problem + ". An account that can change " +
      c +
      " could replace the files pxc writes below it, e.g. with symbolic links to system files "
      "that pxc, running as root, would then give away or overwrite. Make " +
      c + " owned by root and not writable by group or others (e.g. `chown root " + c +
      " && chmod go-w " + c + "`), or use another directory");
}

std::string ParentDirectory(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

DirectoryReport MakeDirectoryReport(const std::string& dir, uint32_t writer_uid,
                                    const std::vector<PathEntry>& chain,
                                    const std::vector<PathEntry>& resolved,
                                    const std::string& where) {
  DirectoryReport report;
  report.path = dir;
  report.writer_uid = writer_uid;
  if (!chain.empty() && chain.front().exists) {
    const PathEntry& leaf = chain.front();
    report.exists = true;
    report.symlink = S_ISLNK(leaf.mode);
    FileStat st;
    st.mode = leaf.mode & 07777u;
    st.type = S_ISREG(leaf.mode)   ? FileType::kRegular
              : S_ISDIR(leaf.mode) ? FileType::kDirectory
              : S_ISLNK(leaf.mode) ? FileType::kSymlink
                                   : FileType::kOther;
    st.owner = leaf.owner;
    st.group = leaf.group;
    report.stat = std::move(st);
  }
  report.problem = DirectoryChainProblem(chain, resolved, writer_uid);
  Status verdict = CheckDirectoryChain(chain, resolved, writer_uid);
  if (!verdict.ok()) report.refusal = verdict.message() + " (on " + where + ")";
  return report;
}

}  // namespace pxc::resources
