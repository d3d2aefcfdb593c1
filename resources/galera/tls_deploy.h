// pxc_node_tls_config's work on a node, over its NodeHost: reading the
// option tree the server reads, checking the result with the server's own
// my_print_defaults, making sure cert_dir is a directory no other account
// can change (creating it root-owned when missing), and the private state
// that lets destroy undo exactly what was done. The layout itself (which
// files and options) is resources/galera/tls_options.h.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "resources/galera/mycnf.h"
#include "resources/galera/tls_options.h"
#include "resources/remote/node_host.h"
#include "resources/remote/ssh_client.h"
#include "schema/diagnostics.h"

namespace pxc::resources {

// The option tree of the configuration file `path` on the node, with `root`
// as that file's (possibly edited) text. Errors: the node's.
StatusOr<std::vector<TreeOption>> ReadTree(NodeHost& session, const std::string& path,
                                           const Document& root);

// Runs my_print_defaults on the node for every section pxc writes to and
// returns one line per managed option whose value the server would not get.
// Empty when everything is in effect, or when the node has no
// my_print_defaults (then only pxc's own reading of the tree stands).
std::vector<std::string> CheckWithPrintDefaults(NodeHost& session, const TlsLayout& layout);

// What pxc found at cert_dir and did with it.
struct CertDirRecord {
  std::string path;      // normalised
  bool created = false;  // pxc created it (root:<group> 0750); destroy removes it when empty
  // Owner, group and mode it had when pxc found it (not created by pxc).
  std::optional<FileStat> found;
  // Made by a version of pxc that gave it to owner:group (mysql:mysql); pxc
  // made it root-owned. Destroy leaves it so.
  bool repaired = false;
};

// What pxc keeps in Terraform's private state for a node: its my.cnf edits
// (to undo them byte for byte), the files it wrote, its backup and cert_dir.
struct PrivateData {
  std::vector<ManagedEdit> edits;
  std::vector<std::string> files;  // paths pxc wrote
  std::string backup;              // path of the my.cnf backup pxc made, "" if none
  std::optional<CertDirRecord> cert_dir;
  // Written by a version of pxc that kept no cert_dir record (and made
  // cert_dir owner:group 0750, owner mysql by default).
  bool legacy = false;
};

std::string EncodePrivate(const PrivateData& p);
// kInvalidArgument when `bytes` is not a JSON object; "" gives an empty
// record. JSON without a cert_dir record comes from an older pxc (legacy).
StatusOr<PrivateData> DecodePrivate(const std::string& bytes);

// cert_dir's entry in `files`: kSafeDirectory, or what is wrong with it.
std::string DirectoryVerdict(const DirectoryReport& r);

// Makes sure cert_dir is a directory no account but root can change before
// any file goes into it, and says what pxc found and did. pxc creates a
// missing cert_dir as root:<group> 0750 and keeps a directory it created
// that way; it never changes the owner or mode of a directory it did not
// create, except one an older pxc gave to owner:group (the legacy case),
// which it makes root-owned. Returns nullopt after adding an error; then
// nothing was changed on the node. `made` tells whether it created it now.
std::optional<CertDirRecord> PrepareCertDir(NodeHost& session, const TlsLayout& l,
                                            const SshTarget& target, const PrivateData& prior,
                                            bool creating, bool* made, schema::Diagnostics& diags);

}  // namespace pxc::resources
