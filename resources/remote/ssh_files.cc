// Implementation of resources/remote/ssh_client.h: reading, inspecting and
// atomically writing files and directories on the node, over SFTP or, with
// sudo, through fixed POSIX sh scripts whose arguments are quoted positional
// parameters. File contents only ever travel on stdin or over SFTP, never on
// a command line. See ssh_internal.h.
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "resources/remote/path_safety.h"
#include "resources/remote/ssh_internal.h"
#include "schema/text.h"

namespace pxc::resources {

using namespace ssh_internal;

namespace {

// ---------------------------------------------------------------------------
// Remote scripts. $1.. are the arguments; see RunScript.

// $1 path, $2 byte cap.
constexpr char kReadScript[] = R"sh(export LC_ALL=C
if [ -d "$1" ]; then echo "pxc: $1 is a directory" >&2; exit 21; fi
exec head -c "$2" -- "$1")sh";

// $1 path, $2 "-L" to follow a final symbolic link or "-P" not to. Prints
// "rawmode-hex uid gid size user group".
constexpr char kStatScript[] = R"sh(export LC_ALL=C
if [ "$2" = -L ]; then exec stat -L -c '%f %u %g %s %U %G' -- "$1"; fi
exec stat -c '%f %u %g %s %U %G' -- "$1")sh";

// $1 path.
constexpr char kRemoveScript[] = R"sh(export LC_ALL=C
if [ -d "$1" ] && [ ! -L "$1" ]; then echo "pxc: $1 is a directory" >&2; exit 21; fi
exec rm -f -- "$1")sh";

// What the node says about a directory and every parent, for
// CheckDirectoryChain (resources/remote/path_safety.h). $1 normalised absolute path.
// Prints "uid <writer uid>", then for each prefix of $1 (leaf first) either
// "- <path>" (does not exist) or "<rawmode-hex> <uid> <gid> <user> <group>
// <path>" (lstat), then "resolved <path>" (every symbolic link resolved,
// missing components kept) and the same lines for each prefix of that path.
constexpr char kInspectDirScript[] = R"sh(export LC_ALL=C
echo "uid $(id -u)"
walk() {
  p=$1
  while :; do
    if [ -e "$p" ] || [ -L "$p" ]; then
      stat -c '%f %u %g %U %G %n' -- "$p" || exit 1
    else
      echo "- $p"
    fi
    [ "$p" = / ] && break
    p=$(dirname -- "$p")
  done
}
walk "$1"
r=$(readlink -m -- "$1") || exit 1
echo "resolved $r"
if [ "$r" != "$1" ]; then walk "$r"; fi)sh";

// $1 path, $2 octal mode, $3 chown spec ("" for none). Creates the directory
// when it does not exist (missing parents: root-owned 0755) and only then
// sets its owner and mode, on the directory it opened (fchown/fchmod through
// /dev/fd), never by a name someone could redirect. An existing directory is
// left as it is. Prints "created" or "existed".
constexpr char kMkdirScript[] = R"sh(export LC_ALL=C
p=$1
if [ -L "$p" ]; then echo "pxc: $p is a symbolic link" >&2; exit 24; fi
if [ -e "$p" ]; then
  if [ -d "$p" ]; then echo existed; exit 0; fi
  echo "pxc: $p exists and is not a directory" >&2; exit 21
fi
d=$(dirname -- "$p")
if [ ! -d "$d" ]; then (umask 022 && mkdir -p -- "$d") || exit 1; fi
(umask 077 && mkdir -- "$p") || exit 1
exec 3<"$p" || exit 1
if [ ! -d /dev/fd/3 ] || [ -L "$p" ] || [ ! "$p" -ef /dev/fd/3 ]; then
  echo "pxc: $p was replaced while pxc created it" >&2; exit 29
fi
if [ -n "$3" ]; then chown -- "$3" /dev/fd/3 || exit 1; fi
chmod -- "$2" /dev/fd/3 || exit 1
echo created)sh";

// $1 path, $2 octal mode, $3 chown spec. Sets owner and mode of an existing
// directory through an open descriptor; refuses a symbolic link.
constexpr char kChownDirScript[] = R"sh(export LC_ALL=C
p=$1
if [ -L "$p" ]; then echo "pxc: $p is a symbolic link" >&2; exit 24; fi
if [ ! -d "$p" ]; then echo "pxc: $p is not a directory" >&2; exit 21; fi
exec 3<"$p" || exit 1
if [ ! -d /dev/fd/3 ] || [ -L "$p" ] || [ ! "$p" -ef /dev/fd/3 ]; then
  echo "pxc: $p was replaced" >&2; exit 29
fi
if [ -n "$3" ]; then chown -- "$3" /dev/fd/3 || exit 1; fi
exec chmod -- "$2" /dev/fd/3)sh";

// $1 path. Removes an empty directory (not a symbolic link). Exit 0 removed
// or absent, 23 not empty.
constexpr char kRmdirScript[] = R"sh(export LC_ALL=C
p=$1
if [ -L "$p" ]; then echo "pxc: $p is a symbolic link" >&2; exit 24; fi
[ -e "$p" ] || exit 0
if [ ! -d "$p" ]; then echo "pxc: $p is not a directory" >&2; exit 21; fi
rmdir -- "$p" 2>/dev/null && exit 0
[ -n "$(ls -A -- "$p" 2>/dev/null)" ] && exit 23
rmdir -- "$p")sh";

// $1 owner name ("" for none), $2 group name. Prints "uid gid" (-1 for none).
constexpr char kResolveIdsScript[] = R"sh(export LC_ALL=C
u=-1; g=-1
if [ -n "$1" ]; then
  u=$(id -u -- "$1" 2>/dev/null) || { echo "pxc: no such user: $1" >&2; exit 31; }
fi
if [ -n "$2" ]; then
  g=$(getent group -- "$2" | cut -d: -f3)
  [ -n "$g" ] || { echo "pxc: no such group: $2" >&2; exit 32; }
fi
echo "$u $g")sh";

// How both write paths finish a temporary file that holds the data: fd 3 is
// the temporary file, opened by this shell, $t its name, $p the final path.
// Owner and mode are set through /dev/fd/3, i.e. on the file the shell holds
// open (fchown/fchmod semantics), so a name swapped for a symbolic link in
// the meantime cannot redirect them; right before the rename the name must
// still be that very file (same inode, not a link), and `mv -T` neither
// follows nor descends into the target. Exit 29: the file was replaced. A
// swap between that check and the rename (a window no shell tool closes) is
// found right after it: what was installed is removed again (unlink, never
// followed), so a link is never left in place; the path is then absent. Only
// an account that can write to the directory could do that, and
// WriteFileAtomic refuses such directories to begin with.
constexpr char kFinishTail[] = R"sh(
same() { [ -f /dev/fd/3 ] && [ ! -L "$t" ] && [ "$t" -ef /dev/fd/3 ]; }
same || { echo "pxc: the temporary file $t was replaced" >&2; exit 29; }
n=$(wc -c < /dev/fd/3)
if [ "$n" -ne "$size" ]; then echo "pxc: received $n of $size bytes" >&2; exit 25; fi
if [ -n "$sum" ] && command -v sha256sum >/dev/null 2>&1; then
  s=$(sha256sum < /dev/fd/3); s=${s%% *}
  if [ "$s" != "$sum" ]; then echo "pxc: SHA-256 mismatch after transfer" >&2; exit 25; fi
fi
if [ -n "$spec" ]; then chown -- "$spec" /dev/fd/3 || exit 26; fi
chmod -- "$mode" /dev/fd/3 || exit 27
sync -- /dev/fd/3 2>/dev/null || sync
if [ -d "$p" ]; then echo "pxc: $p is a directory" >&2; exit 21; fi
same || { echo "pxc: the temporary file $t was replaced" >&2; exit 29; }
mv -f -T -- "$t" "$p" || exit 28
if [ -L "$p" ] || [ ! "$p" -ef /dev/fd/3 ]; then
  rm -f -- "$p"
  echo "pxc: the temporary file $t was replaced; what was installed as $p was removed" >&2
  exit 29
fi
exec 3<&-
sync -- "$(dirname -- "$p")" 2>/dev/null || true
)sh";

// SFTP path, after the data was written over SFTP to $1 (created there
// exclusively with mode 0600). $1 temporary file, $2 final path, $3 octal
// mode, $4 chown spec, $5 size. On failure the caller removes $1.
const std::string& FinishScript() {
  static const std::string script = std::string(R"sh(export LC_ALL=C
t=$1 p=$2 mode=$3 spec=$4 size=$5 sum=
exec 3<"$t" || exit 23)sh") + kFinishTail;
  return script;
}

// sudo path. $1 path, $2 temporary name (".<name>.pxc-tmp-<random>" in the
// same directory), $3 octal mode, $4 chown spec, $5 size, $6 sha256 hex;
// data on stdin. The temporary file is created exclusively (noclobber: never
// an existing file or link) with mode 0600 and filled through the descriptor
// the shell holds. The size and digest check catches a connection lost
// mid-transfer (cat then sees a premature end of file).
const std::string& WriteScript() {
  static const std::string script = std::string(R"sh(export LC_ALL=C
p=$1 t=$2 mode=$3 spec=$4 size=$5 sum=$6
d=$(dirname -- "$p")
if [ -d "$p" ]; then echo "pxc: $p is a directory" >&2; exit 21; fi
if [ ! -d "$d" ]; then echo "pxc: directory $d does not exist" >&2; exit 22; fi
umask 077
set -C
exec 3>"$t" || exit 23
set +C
trap 'rm -f -- "$t"' EXIT
trap 'exit 129' HUP INT TERM PIPE
cat >&3 || exit 24)sh") + kFinishTail +
                                    "trap - EXIT\n";
  return script;
}

std::string ChownSpec(const std::string& owner, const std::string& group) {
  if (owner.empty() && group.empty()) return "";
  if (group.empty()) return owner;
  return owner + ":" + group;
}

Status ValidatePath(const std::string& path) {
  if (path.empty() || path[0] != '/') {
    return InvalidArgumentError("remote path \"" + path + "\" must be absolute");
  }
  if (path.find('\0') != std::string::npos) {
    return InvalidArgumentError("remote path must not contain NUL characters");
  }
  if (path.size() > 1 && path.back() == '/') {
    return InvalidArgumentError("remote path \"" + path + "\" must not end with '/'");
  }
  return OkStatus();
}

std::string BaseName(const std::string& path) { return path.substr(path.find_last_of('/') + 1); }

}  // namespace

// ---------------------------------------------------------------------------
// Files.

Status SshSession::Impl::EnsureSftp(Watchdog& wd) {
  if (sftp) return OkStatus();
  SftpPtr sf(sftp_new(session.get()));
  if (!sf) {
    if (wd.expired()) return TimedOut("cannot start SFTP", true);
    if (!ssh_is_connected(session.get())) return ConnectionLost("starting SFTP");
    return FailedPreconditionError("cannot start the SFTP subsystem on " + desc + ": " +
                                   ssh_get_error(session.get()) +
                                   ". Enable `Subsystem sftp` in sshd_config or set sudo = true");
  }
  if (sftp_init(sf.get()) != SSH_OK) {
    if (wd.expired()) return TimedOut("cannot start SFTP", true);
    if (!ssh_is_connected(session.get())) return ConnectionLost("starting SFTP");
    return FailedPreconditionError("cannot start the SFTP subsystem on " + desc + ": " +
                                   ssh_get_error(session.get()));
  }
  sftp = std::move(sf);
  return OkStatus();
}

Status SshSession::Impl::SftpFailure(Watchdog& wd, const std::string& action,
                                     const std::string& path) {
  if (wd.expired()) return TimedOut("cannot " + action + " " + path, true);
  if (!ssh_is_connected(session.get())) return ConnectionLost(action + " " + path);
  int code = sftp_get_error(sftp.get());
  std::string what = "cannot " + action + " " + path + " on " + desc;
  if (code == SSH_FX_PERMISSION_DENIED) {
    return PermissionDeniedError(what + " as user \"" + user + "\": permission denied" +
                                 (user == "root" ? "" : "; connect as root or set sudo = true"));
  }
  if (code == SSH_FX_NO_SUCH_FILE) return FailedPreconditionError(what + ": no such file");
  return FailedPreconditionError(what + ": " + ssh_get_error(session.get()));
}

StatusOr<std::pair<long, long>> SshSession::Impl::ResolveIds(const std::string& owner,
                                                             const std::string& group) {
  if (auto it = resolved_ids.find({owner, group}); it != resolved_ids.end()) return it->second;
  PXC_ASSIGN_OR_RETURN(ExecResult r, RunScript(kResolveIdsScript, {owner, group}));
  if (r.exit_status == 31) {
    return NotFoundError("owner \"" + owner + "\" does not exist on " + desc);
  }
  if (r.exit_status == 32) {
    return NotFoundError("group \"" + group + "\" does not exist on " + desc);
  }
  long uid = 0, gid = 0;
  if (r.exit_status != 0 || std::sscanf(r.stdout_text.c_str(), "%ld %ld", &uid, &gid) != 2) {
    return FailedPreconditionError("cannot look up owner \"" + owner + "\" and group \"" + group +
                                   "\" on " + desc + ": " + StderrSummary(r.stderr_text));
  }
  resolved_ids[{owner, group}] = {uid, gid};
  return std::make_pair(uid, gid);
}

namespace {

// The temporary name next to `path`: ".<name>.pxc-tmp-<16 hex digits>".
std::string TempNameFor(const std::string& path) {
  const std::string dir = ParentDirectory(path);
  return (dir == "/" ? "" : dir) + "/." + BaseName(path) + ".pxc-tmp-" + RandomHex(8);
}

}  // namespace

Status SshSession::Impl::FinishFailure(const ExecResult& r, const std::string& path,
                                       const std::string& tmp) {
  switch (r.exit_status) {
    case 21:
      return FailedPreconditionError("cannot write " + path + " on " + desc +
                                     ": it is a directory");
    case 22:
      return FailedPreconditionError("cannot write " + path + " on " + desc + ": directory " +
                                     ParentDirectory(path) + " does not exist");
    case 25:
      return UnavailableError("cannot write " + path + " on " + desc +
                              ": the data arrived incomplete (" + StderrSummary(r.stderr_text) +
                              "); the file was left unchanged");
    case 29:
      return FailedPreconditionError(
          "cannot write " + path + " on " + desc + ": the temporary file " + tmp +
          " was replaced by another process while pxc wrote it, so nothing was installed and "
          "its owner and mode were not changed. Some account other than root can change " +
          ParentDirectory(path) + "; find out which and why");
    default:
      return ScriptFailure(r, "write", path);
  }
}

StatusOr<SshSession::DirectoryReport> SshSession::Impl::Inspect(const std::string& dir_in) {
  PXC_ASSIGN_OR_RETURN(std::string dir, NormalizeAbsolutePath(dir_in));
  PXC_ASSIGN_OR_RETURN(ExecResult r, RunScript(kInspectDirScript, {dir}));
  if (r.exit_status != 0) return ScriptFailure(r, "inspect", dir);
  auto bad = [&](const std::string& why) {
    return InternalError("cannot inspect " + dir + " on " + desc + ": " + why +
                         " in: " + FirstLine(r.stdout_text));
  };
  std::vector<std::string_view> lines = SplitLines(r.stdout_text);
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  size_t at = 0;
  auto next = [&]() -> std::optional<std::string_view> {
    if (at >= lines.size()) return std::nullopt;
    return lines[at++];
  };
  auto first = next();
  unsigned long writer = 0;
  if (!first || first->substr(0, 4) != "uid " ||
      std::sscanf(std::string(first->substr(4)).c_str(), "%lu", &writer) != 1) {
    return bad("no uid line");
  }
  // One line per prefix: "- <path>" or "<hex> <uid> <gid> <user> <group> <path>".
  auto walk = [&](const std::string& path) -> StatusOr<std::vector<PathEntry>> {
    std::vector<PathEntry> out;
    for (const std::string& want : PathPrefixes(path)) {
      auto line = next();
      if (!line) return bad("missing line for " + want);
      PathEntry e;
      e.path = want;
      if (*line == "- " + want) {
        out.push_back(std::move(e));
        continue;
      }
      std::vector<std::string> f = SplitFields(*line);
      unsigned int mode = 0;
      unsigned long uid = 0, gid = 0;
      std::string_view rest = *line;
      for (int i = 0; i < 5 && !rest.empty(); ++i) {
        size_t sp = rest.find(' ');
        rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
      }
      if (f.size() < 6 || rest != want || std::sscanf(f[0].c_str(), "%x", &mode) != 1 ||
          std::sscanf(f[1].c_str(), "%lu", &uid) != 1 ||
          std::sscanf(f[2].c_str(), "%lu", &gid) != 1) {
        return bad("unexpected line for " + want);
      }
      e.exists = true;
      e.mode = mode;
      e.uid = static_cast<uint32_t>(uid);
      e.gid = static_cast<uint32_t>(gid);
      e.owner = f[3] == "UNKNOWN" ? f[1] : f[3];
      e.group = f[4] == "UNKNOWN" ? f[2] : f[4];
      out.push_back(std::move(e));
    }
    return out;
  };
  PXC_ASSIGN_OR_RETURN(std::vector<PathEntry> chain, walk(dir));
  auto resolved_line = next();
  if (!resolved_line || resolved_line->substr(0, 9) != "resolved ") return bad("no resolved line");
  std::vector<PathEntry> resolved;
  std::string resolved_path(resolved_line->substr(9));
  if (resolved_path != dir) {
    auto norm = NormalizeAbsolutePath(resolved_path);
    if (!norm.ok() || *norm != resolved_path) return bad("odd resolved path");
    PXC_ASSIGN_OR_RETURN(resolved, walk(resolved_path));
  }
  return MakeDirectoryReport(dir, static_cast<uint32_t>(writer), chain, resolved, desc);
}

Status SshSession::Impl::CheckWritable(const std::string& dir) {
  PXC_ASSIGN_OR_RETURN(std::string norm, NormalizeAbsolutePath(dir));
  if (safe_dirs.count(norm)) return OkStatus();
  PXC_ASSIGN_OR_RETURN(DirectoryReport report, Inspect(norm));
  if (report.problem) return FailedPreconditionError(report.refusal);
  if (report.exists) safe_dirs.insert(norm);
  return OkStatus();
}

Status SshSession::Impl::WriteViaSftp(const std::string& path, std::string_view content,
                                      uint32_t mode, const std::string& owner,
                                      const std::string& group) {
  if (!owner.empty() || !group.empty()) {
    // Distinguish "no such user" from other failures with a clear message.
    PXC_RETURN_IF_ERROR(ResolveIds(owner, group).status());
  }
  Watchdog wd(ssh_get_fd(session.get()), Deadline());
  PXC_RETURN_IF_ERROR(EnsureSftp(wd));
  sftp_session sf = sftp.get();

  SftpAttrPtr existing(sftp_lstat(sf, path.c_str()));
  if (existing && existing->type == SSH_FILEXFER_TYPE_DIRECTORY) {
    return FailedPreconditionError("cannot write " + path + " on " + desc + ": it is a directory");
  }
  if (!existing && sftp_get_error(sf) != SSH_FX_NO_SUCH_FILE) {
    return SftpFailure(wd, "write", path);
  }

  const std::string dir = ParentDirectory(path);
  const std::string tmp = TempNameFor(path);
  auto leftover = [&](const Status& st) {
    return Status(st.code(), st.message() + " (the temporary file " + tmp +
                                 " may remain; it is safe to delete)");
  };
  SftpFilePtr file(sftp_open(sf, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600));
  if (!file) {
    if (!wd.expired() && ssh_is_connected(session.get()) &&
        sftp_get_error(sf) == SSH_FX_NO_SUCH_FILE) {
      return FailedPreconditionError("cannot write " + path + " on " + desc + ": directory " + dir +
                                     " does not exist");
    }
    Status st = SftpFailure(wd, "write", path);
    // Without an answer it is unknown whether the server created the file.
    return wd.expired() || !ssh_is_connected(session.get()) ? leftover(st) : st;
  }

  // From here on, a failure removes the temporary file (or whatever was put
  // in its place: unlink never follows a link) if it still can.
  auto failed = [&](Status st) -> Status {
    file.reset();
    if (!wd.expired() && ssh_is_connected(session.get()) &&
        sftp_unlink(sf, tmp.c_str()) == SSH_OK) {
      return st;
    }
    return leftover(st);
  };

  size_t off = 0;
  while (off < content.size()) {
    size_t n = std::min(kSftpChunk, content.size() - off);
    ssize_t w = sftp_write(file.get(), content.data() + off, n);
    if (w <= 0) return failed(SftpFailure(wd, "write", path));
    off += static_cast<size_t>(w);
  }
  if (sftp_extension_supported(sf, "fsync@openssh.com", "1") && sftp_fsync(file.get()) != SSH_OK) {
    return failed(SftpFailure(wd, "flush", path));
  }
  int close_rc = sftp_close(file.release());
  if (close_rc != SSH_OK) return failed(SftpFailure(wd, "write", path));

  // libssh 0.10 has neither fsetstat nor lsetstat (setstat by name follows
  // symbolic links) nor posix-rename@openssh.com (its sftp_rename refuses to
  // replace an existing file): owner, mode and the rename are done by a
  // shell that opens the temporary file, checks it is the file just written
  // and changes that open file (see kFinishTail).
  StatusOr<ExecResult> fin = RunScript(
      FinishScript(),
      {tmp, path, OctalMode(mode), ChownSpec(owner, group), std::to_string(content.size())});
  if (wd.expired()) return failed(TimedOut("cannot write " + path, true));
  if (!fin.ok()) return failed(fin.status());
  if (fin->exit_status != 0) return failed(FinishFailure(*fin, path, tmp));
  return OkStatus();
}

Status SshSession::Impl::WriteViaShell(const std::string& path, std::string_view content,
                                       uint32_t mode, const std::string& owner,
                                       const std::string& group) {
  const std::string digest = Sha256Hex(content);
  if (digest.empty()) return InternalError("SHA-256 failed");
  if (!owner.empty() || !group.empty()) {
    // Distinguish "no such user" from other failures with a clear message.
    PXC_RETURN_IF_ERROR(ResolveIds(owner, group).status());
  }
  const std::string tmp = TempNameFor(path);
  PXC_ASSIGN_OR_RETURN(ExecResult r, RunScript(WriteScript(),
                                               {path, tmp, OctalMode(mode), ChownSpec(owner, group),
                                                std::to_string(content.size()), digest},
                                               content));
  if (r.exit_status == 0) return OkStatus();
  return FinishFailure(r, path, tmp);
}

Status SshSession::WriteFileAtomic(const std::string& path, std::string_view content, uint32_t mode,
                                   const std::string& owner, const std::string& group) {
  PXC_RETURN_IF_ERROR(ValidatePath(path));
  if (path == "/") return InvalidArgumentError("cannot write a file at /");
  PXC_RETURN_IF_ERROR(impl_->CheckUsable());
  PXC_RETURN_IF_ERROR(impl_->CheckWritable(ParentDirectory(path)));
  if (impl_->use_sudo) return impl_->WriteViaShell(path, content, mode, owner, group);
  return impl_->WriteViaSftp(path, content, mode, owner, group);
}

StatusOr<std::optional<std::string>> SshSession::Impl::ReadViaSftp(const std::string& path) {
  Watchdog wd(ssh_get_fd(session.get()), Deadline());
  PXC_RETURN_IF_ERROR(EnsureSftp(wd));
  SftpFilePtr file(sftp_open(sftp.get(), path.c_str(), O_RDONLY, 0));
  if (!file) {
    if (!wd.expired() && ssh_is_connected(session.get()) &&
        sftp_get_error(sftp.get()) == SSH_FX_NO_SUCH_FILE) {
      return std::optional<std::string>();
    }
    return SftpFailure(wd, "read", path);
  }
  SftpAttrPtr attrs(sftp_fstat(file.get()));
  if (!attrs) return SftpFailure(wd, "read", path);
  if ((attrs->permissions & S_IFMT) != S_IFREG) {
    return FailedPreconditionError("cannot read " + path + " on " + desc +
                                   ": it is not a regular file");
  }
  if (attrs->size > kMaxReadFileBytes) {
    return FailedPreconditionError("cannot read " + path + " on " + desc + ": it has " +
                                   std::to_string(attrs->size) + " bytes, more than the " +
                                   std::to_string(kMaxReadFileBytes >> 20) + " MiB limit");
  }
  std::string data;
  data.reserve(static_cast<size_t>(attrs->size));
  std::string buf(kSftpChunk, '\0');
  WipeOnExit wipe_buf(buf);
  while (true) {
    ssize_t n = sftp_read(file.get(), buf.data(), buf.size());
    if (n == 0) break;
    if (n < 0) {
      WipeString(&data);
      return SftpFailure(wd, "read", path);
    }
    if (data.size() + static_cast<size_t>(n) > kMaxReadFileBytes) {
      WipeString(&data);
      return FailedPreconditionError("cannot read " + path + " on " + desc +
                                     ": it is larger than the " +
                                     std::to_string(kMaxReadFileBytes >> 20) + " MiB limit");
    }
    AppendWiping(data, buf.data(), static_cast<size_t>(n));
  }
  return std::optional<std::string>(std::move(data));
}

StatusOr<std::optional<std::string>> SshSession::ReadFile(const std::string& path) {
  PXC_RETURN_IF_ERROR(ValidatePath(path));
  PXC_RETURN_IF_ERROR(impl_->CheckUsable());
  if (!impl_->use_sudo) return impl_->ReadViaSftp(path);
  PXC_ASSIGN_OR_RETURN(
      ExecResult r, impl_->RunScript(kReadScript, {path, std::to_string(kMaxReadFileBytes + 1)}));
  if (r.exit_status == 0) {
    if (r.stdout_text.size() > kMaxReadFileBytes) {
      WipeString(&r.stdout_text);
      return FailedPreconditionError("cannot read " + path + " on " + impl_->desc +
                                     ": it is larger than the " +
                                     std::to_string(kMaxReadFileBytes >> 20) + " MiB limit");
    }
    return std::optional<std::string>(std::move(r.stdout_text));
  }
  WipeString(&r.stdout_text);
  if (Contains(r.stderr_text, "No such file or directory") ||
      Contains(r.stderr_text, "Not a directory")) {
    return std::optional<std::string>();
  }
  if (r.exit_status == 21) {
    return FailedPreconditionError("cannot read " + path + " on " + impl_->desc +
                                   ": it is a directory");
  }
  return impl_->ScriptFailure(r, "read", path);
}

StatusOr<std::optional<SshSession::FileStat>> SshSession::StatImpl(const std::string& path,
                                                                   bool follow) {
  PXC_RETURN_IF_ERROR(ValidatePath(path));
  PXC_ASSIGN_OR_RETURN(ExecResult r, impl_->RunScript(kStatScript, {path, follow ? "-L" : "-P"}));
  if (r.exit_status != 0) {
    if (Contains(r.stderr_text, "No such file or directory") ||
        Contains(r.stderr_text, "Not a directory")) {
      return std::optional<FileStat>();
    }
    return impl_->ScriptFailure(r, "inspect", path);
  }
  unsigned int raw_mode = 0;
  unsigned long long size = 0;
  char uid[64], gid[64], user[256], group[256];
  if (std::sscanf(r.stdout_text.c_str(), "%x %63s %63s %llu %255s %255s", &raw_mode, uid, gid,
                  &size, user, group) != 6) {
    return InternalError("cannot parse `stat` output for " + path + " on " + impl_->desc + ": " +
                         FirstLine(r.stdout_text));
  }
  FileStat st;
  st.mode = raw_mode & 07777u;
  st.type = (raw_mode & S_IFMT) == S_IFREG   ? FileType::kRegular
            : (raw_mode & S_IFMT) == S_IFDIR ? FileType::kDirectory
            : (raw_mode & S_IFMT) == S_IFLNK ? FileType::kSymlink
                                             : FileType::kOther;
  st.owner = std::string(user) == "UNKNOWN" ? uid : user;
  st.group = std::string(group) == "UNKNOWN" ? gid : group;
  st.size = size;
  return std::optional<FileStat>(std::move(st));
}

StatusOr<std::optional<SshSession::FileStat>> SshSession::Stat(const std::string& path) {
  return StatImpl(path, true);
}

StatusOr<std::optional<SshSession::FileStat>> SshSession::Lstat(const std::string& path) {
  return StatImpl(path, false);
}

StatusOr<std::vector<std::string>> SshSession::ListDirectory(const std::string& dir) {
  PXC_ASSIGN_OR_RETURN(ExecResult r, Exec("ls -1A -- " + ShellQuote(dir) + " 2>/dev/null"));
  std::vector<std::string> names;
  if (r.exit_status != 0) return names;  // no such directory
  for (std::string_view line : SplitLines(r.stdout_text)) {
    if (!line.empty()) names.emplace_back(line);
  }
  return names;
}

StatusOr<SshSession::DirectoryReport> SshSession::InspectDirectory(const std::string& dir) {
  PXC_RETURN_IF_ERROR(impl_->CheckUsable());
  return impl_->Inspect(dir);
}

Status SshSession::RemoveFile(const std::string& path) {
  PXC_RETURN_IF_ERROR(ValidatePath(path));
  PXC_ASSIGN_OR_RETURN(ExecResult r, impl_->RunScript(kRemoveScript, {path}));
  if (r.exit_status == 0) return OkStatus();
  if (r.exit_status == 21) {
    return FailedPreconditionError("cannot remove " + path + " on " + impl_->desc +
                                   ": it is a directory");
  }
  if (Contains(r.stderr_text, "Not a directory")) return OkStatus();  // Cannot exist.
  return impl_->ScriptFailure(r, "remove", path);
}

StatusOr<bool> SshSession::MakeDirectory(const std::string& path, uint32_t mode,
                                         const std::string& owner, const std::string& group) {
  PXC_RETURN_IF_ERROR(ValidatePath(path));
  if (!owner.empty() || !group.empty()) {
    PXC_RETURN_IF_ERROR(impl_->ResolveIds(owner, group).status());
  }
  PXC_ASSIGN_OR_RETURN(ExecResult r, impl_->RunScript(kMkdirScript, {path, OctalMode(mode),
                                                                     ChownSpec(owner, group)}));
  if (r.exit_status == 0) return Contains(r.stdout_text, "created");
  switch (r.exit_status) {
    case 21:
      return FailedPreconditionError("cannot create directory " + path + " on " + impl_->desc +
                                     ": a file of that name exists");
    case 24:
      return FailedPreconditionError("cannot create directory " + path + " on " + impl_->desc +
                                     ": it is a symbolic link");
    case 29:
      return FailedPreconditionError("cannot create directory " + path + " on " + impl_->desc +
                                     ": it was replaced by another process while pxc created "
                                     "it; some account other than root can change " +
                                     ParentDirectory(path));
    default:
      return impl_->ScriptFailure(r, "create directory", path);
  }
}

Status SshSession::SetDirectoryOwnerAndMode(const std::string& path, uint32_t mode,
                                            const std::string& owner, const std::string& group) {
  PXC_RETURN_IF_ERROR(ValidatePath(path));
  if (!owner.empty() || !group.empty()) {
    PXC_RETURN_IF_ERROR(impl_->ResolveIds(owner, group).status());
  }
  PXC_ASSIGN_OR_RETURN(ExecResult r, impl_->RunScript(kChownDirScript, {path, OctalMode(mode),
                                                                        ChownSpec(owner, group)}));
  switch (r.exit_status) {
    case 0:
      impl_->safe_dirs.clear();  // the verdicts may have changed
      return OkStatus();
    case 21:
      return FailedPreconditionError("cannot change directory " + path + " on " + impl_->desc +
                                     ": it is not a directory");
    case 24:
      return FailedPreconditionError("cannot change directory " + path + " on " + impl_->desc +
                                     ": it is a symbolic link");
    case 29:
      return FailedPreconditionError("cannot change directory " + path + " on " + impl_->desc +
                                     ": it was replaced by another process meanwhile");
    default:
      return impl_->ScriptFailure(r, "change owner and mode of", path);
  }
}

StatusOr<bool> SshSession::RemoveDirectory(const std::string& path) {
  PXC_RETURN_IF_ERROR(ValidatePath(path));
  PXC_ASSIGN_OR_RETURN(ExecResult r, impl_->RunScript(kRmdirScript, {path}));
  switch (r.exit_status) {
    case 0:
      impl_->safe_dirs.clear();
      return true;
    case 23:
      return false;
    case 21:
      return FailedPreconditionError("cannot remove directory " + path + " on " + impl_->desc +
                                     ": it is not a directory");
    case 24:
      return FailedPreconditionError("cannot remove directory " + path + " on " + impl_->desc +
                                     ": it is a symbolic link");
    default:
      return impl_->ScriptFailure(r, "remove directory", path);
  }
}

}  // namespace pxc::resources
