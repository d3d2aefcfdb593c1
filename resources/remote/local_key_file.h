// A private key kept in a file on the machine running Terraform (the CA key
// of `pxc_ca` with `private_key_file`, read back by the ephemeral
// `pxc_ca_key`): read with the checks an operator expects of a key file, and
// written once, atomically, never over an existing file. Bytes only; parsing
// and matching the key to a certificate is the caller's (pki/x509.h).
//
// The rules, as for the files pxc writes on nodes (remote/path_safety.h):
// the directory a key is written into, and every directory above it (and
// above where its symbolic links lead), must be owned by the user running
// Terraform or root and not writable by group or others (a sticky
// world-writable parent such as /tmp is accepted, never as the directory
// itself); the key file itself must not be a symbolic link. A key file is
// read only when it is a regular file owned by that user with no permission
// for group or others (0600 or 0400).
//
// Thread-safety: all functions are thread-safe (no shared state; the file
// system is the only shared resource).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "schema/status.h"

namespace pxc::resources::local_key_file {

// Larger files are refused: a PEM private key is at most a few KiB.
inline constexpr size_t kMaxKeyFileSize = 64 * 1024;

// Reads the key file at `path` (absolute; see NormalizeAbsolutePath). The
// contents are a secret: the caller wipes them (WipeString).
// kInvalidArgument: not an absolute path. kNotFound: nothing at `path` (or a
// directory above it is missing). kFailedPrecondition: a symbolic link (never
// followed), not a regular file, or larger than kMaxKeyFileSize.
// kPermissionDenied: owned by another user, any permission for group or
// others, or not readable. kInternal: another I/O error. Every message names
// the path and says how to fix it.
StatusOr<std::string> Read(std::string_view path);

// Whether a new key file may be written at `path`, without writing anything:
// the directory exists and is safe (see above) and nothing is at `path`.
// kInvalidArgument: not an absolute path (or it names "/"). kNotFound: the
// directory does not exist. kFailedPrecondition: the directory (or one above
// it) is unsafe, or is not a directory. kAlreadyExists: something is at
// `path` (its message says what).
Status CheckNew(std::string_view path);

// Writes `contents` as a new file at `path`: CheckNew, then a temporary file
// in the same directory created with mode 0600 (O_EXCL, O_NOFOLLOW), written,
// fsync'd and renamed to `path` without replacing anything (renameat2
// RENAME_NOREPLACE, or link(2) where the file system lacks it), then the
// directory fsync'd (best effort: the key is in place by then). The file never exists at `path`
// half-written or with a wider mode; on any failure the temporary file is removed and nothing is
// left. Errors as CheckNew (kAlreadyExists also when a file appeared at
// `path` meanwhile), kInternal for an I/O error.
Status WriteNew(std::string_view path, std::string_view contents);

}  // namespace pxc::resources::local_key_file
