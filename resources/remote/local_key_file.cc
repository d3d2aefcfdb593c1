// Implementation of resources/remote/local_key_file.h.
#include "resources/remote/local_key_file.h"

#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <vector>

#include "resources/remote/path_safety.h"
#include "schema/text.h"

namespace pxc::resources::local_key_file {
namespace {

// Closes a descriptor on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now; false (errno set) when close(2) reports an error.
  bool Close() {
    const int fd = fd_;
    fd_ = -1;
    return fd < 0 || ::close(fd) == 0;
  }

 private:
  int fd_;
};

std::string ErrnoText(int err) { return std::strerror(err); }

std::string UserName(uint32_t uid) {
  struct passwd pw;
  struct passwd* found = nullptr;
  char buf[1024];
  if (getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found != nullptr) return pw.pw_name;
  return std::to_string(uid);
}

std::string GroupName(uint32_t gid) {
  struct group gr;
  struct group* found = nullptr;
  char buf[1024];
  if (getgrgid_r(gid, &gr, buf, sizeof buf, &found) == 0 && found != nullptr) return gr.gr_name;
  return std::to_string(gid);
}

PathEntry Lstat(const std::string& path) {
  PathEntry e;
  e.path = path;
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return e;
  e.exists = true;
  e.mode = st.st_mode;
  e.uid = st.st_uid;
  e.gid = st.st_gid;
  e.owner = UserName(st.st_uid);
  e.group = GroupName(st.st_gid);
  return e;
}

std::vector<PathEntry> Chain(const std::string& dir) {
  std::vector<PathEntry> out;
  for (const std::string& p : PathPrefixes(dir)) out.push_back(Lstat(p));
  return out;
}

struct Target {
  std::string path;  // normalised
  std::string dir;
  std::string base;
};

StatusOr<Target> Split(std::string_view path) {
  PXC_ASSIGN_OR_RETURN(std::string norm, NormalizeAbsolutePath(path));
  if (norm == "/") return InvalidArgumentError("\"/\" is a directory, not a key file path");
  Target t;
  t.dir = ParentDirectory(norm);
  t.base = norm.substr(norm.find_last_of('/') + 1);
  t.path = std::move(norm);
  return t;
}

// The directory `t.dir` exists, is a directory, and it and every directory
// above it (and above where it leads) is safe for the current user to write
// a key into.
Status CheckDirectory(const Target& t) {
  struct stat st;
  if (::stat(t.dir.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR) {
      return NotFoundError("the directory " + DoubleQuoted(t.dir) + " of the key file " +
                           DoubleQuoted(t.path) +
                           " does not exist: create it, readable by you only (mkdir -m 700)");
    }
    return InternalError("cannot inspect the directory " + DoubleQuoted(t.dir) + ": " +
                         ErrnoText(err));
  }
  if (!S_ISDIR(st.st_mode)) {
    return FailedPreconditionError(DoubleQuoted(t.dir) + " (the directory of the key file " +
                                   DoubleQuoted(t.path) + ") is not a directory");
  }
  std::vector<PathEntry> chain = Chain(t.dir);
  std::vector<PathEntry> resolved;
  if (char* real = ::realpath(t.dir.c_str(), nullptr)) {
    std::string r = real;
    ::free(real);
    if (r != t.dir) resolved = Chain(r);
  }
  const uint32_t me = ::geteuid();
  if (auto problem = DirectoryChainProblem(chain, resolved, me)) {
    return FailedPreconditionError(
        "pxc does not write a key into " + t.dir + ": " + *problem +
        ". Another account that can change it could read the key or replace the file. Use a "
        "directory owned by you (" +
        UserName(me) + ") or root and not writable by group or others, e.g. `chmod 700 " + t.dir +
        "`, below directories that are not writable by others either");
  }
  return OkStatus();
}

// kAlreadyExists describing what is at `t.path`, or OK when nothing is.
Status CheckAbsent(const Target& t) {
  PathEntry e = Lstat(t.path);
  if (!e.exists) return OkStatus();
  std::string what = S_ISLNK(e.mode)   ? "a symbolic link"
                     : S_ISDIR(e.mode) ? "a directory"
                     : S_ISREG(e.mode) ? "a file"
                                       : "a special file";
  return Status(StatusCode::kAlreadyExists, DoubleQuoted(t.path) + " already exists (" + what +
                                                ", " + e.owner + ":" + e.group + " " +
                                                FormatOctalMode(e.mode) + ")");
}

std::string RandomSuffix() {
  std::random_device rd;
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 4; ++i) {
    uint32_t v = rd();
    for (int j = 0; j < 4; ++j) {
      out.push_back(kHex[v & 15]);
      v >>= 4;
    }
  }
  return out;
}

// Renames dir/from to dir/to unless dir/to exists (EEXIST then).
int RenameNoReplace(int dirfd, const std::string& from, const std::string& to) {
  if (::renameat2(dirfd, from.c_str(), dirfd, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return -1;
  // The file system has no RENAME_NOREPLACE: link(2) fails with EEXIST too.
  if (::linkat(dirfd, from.c_str(), dirfd, to.c_str(), 0) != 0) return -1;
  ::unlinkat(dirfd, from.c_str(), 0);
  return 0;
}

}  // namespace

StatusOr<std::string> Read(std::string_view path) {
  PXC_ASSIGN_OR_RETURN(Target t, Split(path));
  Fd fd(::open(t.path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR) {
      return NotFoundError("there is no key file at " + DoubleQuoted(t.path));
    }
    if (err == ELOOP) {
      return FailedPreconditionError(
          DoubleQuoted(t.path) +
          " is a symbolic link: pxc reads a key only from the file itself (give the path it "
          "points to)");
    }
    if (err == EACCES) {
      return PermissionDeniedError("cannot read " + DoubleQuoted(t.path) + ": " + ErrnoText(err) +
                                   " (run Terraform as the key file's owner)");
    }
    return InternalError("cannot open " + DoubleQuoted(t.path) + ": " + ErrnoText(err));
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) {
    return InternalError("cannot inspect " + DoubleQuoted(t.path) + ": " + ErrnoText(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return FailedPreconditionError(DoubleQuoted(t.path) + " is not a regular file");
  }
  const uint32_t me = ::geteuid();
  if (st.st_uid != me) {
    return PermissionDeniedError(DoubleQuoted(t.path) + " is owned by " + UserName(st.st_uid) +
                                 ", not by the user running Terraform (" + UserName(me) +
                                 "): a private key file must belong to the one who uses it");
  }
  if ((st.st_mode & 077) != 0) {
    return PermissionDeniedError(
        DoubleQuoted(t.path) + " has mode " + FormatOctalMode(st.st_mode) +
        ": group or others have access to a private key. Make it private to its owner "
        "(`chmod 600 " +
        t.path + "`) and consider the key exposed if others may have read it");
  }
  if (static_cast<uint64_t>(st.st_size) > kMaxKeyFileSize) {
    return FailedPreconditionError(DoubleQuoted(t.path) + " holds " + std::to_string(st.st_size) +
                                   " bytes: too large for a PEM private key");
  }
  std::string out;
  out.reserve(static_cast<size_t>(st.st_size) + 1);
  char buf[4096];
  while (true) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      WipeString(&out);
      ::explicit_bzero(buf, sizeof buf);
      return InternalError("cannot read " + DoubleQuoted(t.path) + ": " + ErrnoText(err));
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > kMaxKeyFileSize) {
      WipeString(&out);
      ::explicit_bzero(buf, sizeof buf);
      return FailedPreconditionError(DoubleQuoted(t.path) + " is too large for a PEM private key");
    }
    out.append(buf, static_cast<size_t>(n));
  }
  ::explicit_bzero(buf, sizeof buf);
  return out;
}

Status CheckNew(std::string_view path) {
  PXC_ASSIGN_OR_RETURN(Target t, Split(path));
  PXC_RETURN_IF_ERROR(CheckDirectory(t));
  return CheckAbsent(t);
}

Status WriteNew(std::string_view path, std::string_view contents) {
  PXC_ASSIGN_OR_RETURN(Target t, Split(path));
  PXC_RETURN_IF_ERROR(CheckDirectory(t));
  PXC_RETURN_IF_ERROR(CheckAbsent(t));
  Fd dir(::open(t.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) {
    return InternalError("cannot open the directory " + DoubleQuoted(t.dir) + ": " +
                         ErrnoText(errno));
  }
  // The directory opened is the one checked: its owner and mode again, on
  // the descriptor (it cannot be swapped between the check and the writes).
  struct stat dst;
  if (::fstat(dir.get(), &dst) != 0 || !S_ISDIR(dst.st_mode) ||
      (dst.st_uid != 0 && dst.st_uid != ::geteuid()) || (dst.st_mode & (S_IWGRP | S_IWOTH))) {
    return FailedPreconditionError("the directory " + DoubleQuoted(t.dir) +
                                   " changed while the key file was being written; nothing "
                                   "was written");
  }
  std::string tmp = ".";
  tmp += t.base;
  tmp += ".pxc-tmp-";
  tmp += RandomSuffix();
  Fd fd(::openat(dir.get(), tmp.c_str(),
                 O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600));
  if (fd.get() < 0) {
    return InternalError("cannot create a temporary file in " + DoubleQuoted(t.dir) + ": " +
                         ErrnoText(errno));
  }
  auto fail = [&](const std::string& what, int err) {
    ::unlinkat(dir.get(), tmp.c_str(), 0);
    return InternalError(what + " (" + DoubleQuoted(t.path) + "): " + ErrnoText(err) +
                         "; nothing was written");
  };
  if (::fchmod(fd.get(), 0600) != 0) return fail("cannot set mode 0600", errno);
  size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = ::write(fd.get(), contents.data() + done, contents.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write the key file", errno);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return fail("cannot fsync the key file", errno);
  if (!fd.Close()) return fail("cannot close the key file", errno);
  if (RenameNoReplace(dir.get(), tmp, t.base) != 0) {
    const int err = errno;
    ::unlinkat(dir.get(), tmp.c_str(), 0);
    if (err == EEXIST) {
      return Status(StatusCode::kAlreadyExists,
                    DoubleQuoted(t.path) +
                        " appeared while the key was being written; it was left as "
                        "it is and nothing was written");
    }
    return InternalError("cannot rename the key file into place (" + DoubleQuoted(t.path) +
                         "): " + ErrnoText(err) + "; nothing was written");
  }
  // The rename made durable. The key is in place whatever this returns, and
  // a failure here is not one the caller could undo: not reported.
  (void)::fsync(dir.get());
  return OkStatus();
}

}  // namespace pxc::resources::local_key_file
