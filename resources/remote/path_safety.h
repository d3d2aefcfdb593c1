// Whether a directory on a node is safe for pxc to write into, and the
// lexical checks of the directories pxc is given (cert_dir). Pure logic, no
// I/O: a NodeHost (SshSession, MemHost) collects what the node says about
// each component of a path and asks MakeDirectoryReport.
//
// Why. pxc writes as root. A file is written to a temporary name in the
// target directory, given its owner and mode, and renamed over the target.
// Any account that can create, rename or remove entries of that directory
// (or of one of its parents, which lets it swap the directory itself) can put
// a symbolic link where pxc expects its temporary file, and root's later
// steps then act on whatever the link points to (/etc/shadow handed to
// `mysql`, /etc/ld.so.preload rewritten). So pxc writes only into a directory
// that no account other than root (and the SSH user pxc writes as, when that
// is not root) can change: every existing component of the path, and of the
// path its symbolic links resolve to, must be owned by root (or that user)
// and not writable by group or others. A sticky, world-writable parent such
// as /tmp is accepted (others cannot rename or remove entries they do not
// own there), never as the directory written into. ACLs are not inspected.
//
// Thread safety: all functions are thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "resources/remote/node_host.h"
#include "schema/status.h"

namespace pxc::resources {

// What lstat(2) says about one component of a path.
struct PathEntry {
  std::string path;     // absolute, e.g. "/etc/mysql"
  bool exists = false;  // false: the other fields are unset
  uint32_t mode = 0;    // st_mode including the file type bits
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string owner;  // user name, or the uid as text
  std::string group;  // group name, or the gid as text
};

// "/a/b/c" -> {"/a/b/c", "/a/b", "/a", "/"}; "/" -> {"/"}. `path` must be
// absolute and normalised (see NormalizeAbsolutePath).
std::vector<std::string> PathPrefixes(const std::string& path);

// The directory part of an absolute path: "/a/b" -> "/a", "/a" -> "/",
// "/" -> "/" (and "/" for a path without '/').
std::string ParentDirectory(const std::string& path);

// Lexically normalises an absolute path: repeated slashes collapse, "."
// components and a trailing slash go. kInvalidArgument for a relative path,
// a ".." component, NUL bytes, line breaks or an empty path.
StatusOr<std::string> NormalizeAbsolutePath(std::string_view path);

// Whether a normalised path is a system directory that must never be used as
// cert_dir (/, /etc, /etc/mysql, /usr, /var/lib/mysql, ...): pxc writes keys
// into cert_dir and removes them on destroy, and mixing them with the
// system's files (or the server's option files) is refused outright.
bool IsSystemDirectory(std::string_view normalized_path);

// Checks the directory `chain` (lstat of every prefix of the directory pxc
// writes into, leaf first, as PathPrefixes lists them) and `resolved` (the
// same for the path with every symbolic link resolved, empty when the path
// has none or does not exist yet). Components that do not exist are fine
// (pxc creates them); a symbolic link is fine as a component of `chain`
// because `resolved` covers where it leads (its own directory is checked as
// the next component). `writer_uid` is the account pxc writes as (0 for root
// or sudo).
//
// OK when no other account can change the directory; otherwise
// kFailedPrecondition whose message names the component, what makes it
// unsafe and its owner, group and mode, and says how to fix it.
Status CheckDirectoryChain(const std::vector<PathEntry>& chain,
                           const std::vector<PathEntry>& resolved, uint32_t writer_uid);

// The first problem CheckDirectoryChain would report, in short ("/etc/mysql/certs
// is owned by mysql (mysql:mysql 0750)"), or nullopt when the chain is safe.
std::optional<std::string> DirectoryChainProblem(const std::vector<PathEntry>& chain,
                                                 const std::vector<PathEntry>& resolved,
                                                 uint32_t writer_uid);

// "0750".
std::string FormatOctalMode(uint32_t mode);

// The DirectoryReport of `dir` from what a node says about it (`chain` and
// `resolved` as for CheckDirectoryChain, `writer_uid` the writing account);
// `where` (the node, as NodeHost::Describe says) ends the refusal text.
DirectoryReport MakeDirectoryReport(const std::string& dir, uint32_t writer_uid,
                                    const std::vector<PathEntry>& chain,
                                    const std::vector<PathEntry>& resolved,
                                    const std::string& where);

}  // namespace pxc::resources
