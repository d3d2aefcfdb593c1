// A private key file on a node, looked at without the key leaving the node:
// its lstat (type, owner, group, mode) from the NodeHost, and its public key
// from the node's own `openssl pkey -pubout` (only the public key crosses
// the wire). Shared by pxc_node_key, which makes the key there, and
// pxc_node_tls_config, which deploys a certificate next to it.
//
// Thread safety: the functions use the NodeHost they are given (one thread
// at a time, as NodeHost requires).
#pragma once

#include <optional>
#include <string>

#include "resources/pki/x509.h"
#include "resources/remote/node_host.h"

namespace pxc::resources {

struct KeyFileProbe {
  enum class Kind {
    kAbsent,      // nothing at the path
    kNotRegular,  // a symbolic link, a directory or another kind of file
    kUnreadable,  // a regular file openssl cannot read as a private key
    kKey,         // a private key; `public_key` is its public half
  };
  Kind kind = Kind::kAbsent;
  FileStat stat;                        // lstat, unless kAbsent
  std::optional<PublicKey> public_key;  // kKey
  std::string detail;                   // kNotRegular/kUnreadable: what is wrong
};

// Looks at the key file `path` on `node`. Errors: the node's (connection,
// a command that cannot run), and kFailedPrecondition when the node has no
// `openssl` (exit 127).
StatusOr<KeyFileProbe> ProbeKeyFile(NodeHost& node, const std::string& path);

// "sha256:<hex>" of the public key's SubjectPublicKeyInfo PEM as OpenSSL
// writes it: how state names a key without holding anything secret.
std::string PublicKeyDigest(const PublicKey& key);

// "<mode> <owner>:<group>" ("0600 mysql:mysql").
std::string ModeOwner(const FileStat& st);

// The node's command for the public key of `path` (exposed for the tests'
// stand-in of openssl on a MemHost).
std::string PublicKeyCommand(const std::string& path);

}  // namespace pxc::resources
