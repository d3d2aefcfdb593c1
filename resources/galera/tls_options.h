// The TLS configuration pxc_node_tls_config puts on a node, as pure logic:
// where the key and certificates go, with which modes and owners, which
// my.cnf options each role and flavor (pxc57, pxc80, mariadb) needs and how
// they are merged into wsrep_provider_options, which sections the server
// reads them from, what is in effect through the option tree, and which
// later lines would override them. No I/O (resources/galera/tls_deploy.h
// does the node's part).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "resources/galera/mycnf.h"

namespace pxc::resources {

// The server's option file when none is named (pxc_node_tls_config's
// config_file, pxc_cluster_restart's node.config_file).
inline constexpr char kDefaultConfigFile[] = "/etc/mysql/my.cnf";

// What `files` and `config` say of something that is not there.
inline constexpr char kAbsent[] = "(absent)";
// The `files` entry of cert_dir (key "<cert_dir>/") when it is safe.
inline constexpr char kSafeDirectory[] = "directory not writable by other accounts";
// cert_dir as pxc creates it: root:<group> 0750 (mysqld reads through the group).
inline constexpr uint32_t kCertDirMode = 0750;

// "0600" or "600" -> 0600; nullopt for anything else.
std::optional<uint32_t> ParseFileMode(const std::string& text);
// 0600 -> "0600".
std::string FormatFileMode(uint32_t mode);

// Everything pxc_node_tls_config writes to a node, derived from its
// (known) inputs: the files, their modes and owners, and the my.cnf options
// of the role and flavor; what is in effect through an option tree, and
// which later lines override it.
struct TlsLayout {
  std::string name, role, flavor, cert_dir, key_file, cert_file, ca_file, owner, group, config_file;
  uint32_t key_mode = 0600, cert_mode = 0644;
  // key_managed: the node has a key file of pxc's (key_pem, or the
  // write-only key_pem_wo with key_pem_wo_version). Its content is known
  // from key_pem, or from key_pem_wo in a configuration or a plan being
  // planned or applied; never in stored state, where only the paths matter
  // (what is on the node is read back, hash and mode).
  bool key_managed = false;
  // key_on_node: the key is already on the node (pxc_node_key made it) and
  // pxc does not write, change or remove it; `node_key_entry` is its
  // expected entry in `files` ("public key sha256:<hex> <mode>
  // <owner>:<group>", the public key of cert_pem), checked from the node.
  bool key_on_node = false;
  std::string node_key_entry;
  std::optional<std::string> key_pem, cert_pem;
  std::string ca_pem;

  std::string Path(const std::string& file) const {
    return cert_dir + (cert_dir.ends_with('/') ? "" : "/") + file;
  }
  // cert_dir without trailing slashes (ValidateConfig refuses other oddities).
  std::string Dir() const;
  // The key of cert_dir's entry in `files`.
  std::string DirKey() const { return Dir() == "/" ? "/" : Dir() + "/"; }
  std::string KeyPath() const { return Path(key_file); }
  std::string CertPath() const { return Path(cert_file); }
  std::string CaPath() const { return Path(ca_file); }
  std::string Section() const { return role == "client" ? "client" : "mysqld"; }

  struct File {
    std::string path, content;
    uint32_t mode;
  };
  std::vector<File> Files() const;
  // A file's entry in `files`: "sha256:<hex> <mode> <owner>:<group>".
  std::string FileEntry(const std::string& content, uint32_t mode) const;
  std::map<std::string, std::string> DesiredFiles() const;

  // The my.cnf options pxc manages for this role and flavor.
  std::vector<DesiredOption> Desired() const;

  // The sections of the option files in which the server (or, for [sst],
  // the SST script) reads what pxc writes to `section`: mysqld reads
  // [mysqld], [server] and [mysqld-<major.minor>] (mysqld.cc,
  // load_default_groups); MariaDB also [mariadb], [mariadbd], [galera],
  // [client-server] and their versioned forms. Names found in `tree` are
  // matched, so versioned sections count whatever the version.
  std::vector<std::string> ReadBy(const std::string& section,
                                  const std::vector<TreeOption>& tree) const;

  // The groups my_print_defaults reads for `section` as the server does.
  std::string PrintDefaultsGroups(const std::string& section) const;

  // "[mysqld] ssl-ca" -> value, "[mysqld] wsrep_provider_options: socket.ssl_ca" -> value.
  std::map<std::string, std::string> DesiredConfig() const;

  // The same keys, with what `get(section, key)` says is in effect (the
  // decoded value; "" for a bare key; nullopt when absent).
  using Getter =
      std::function<std::optional<std::string>(const std::string& section, const std::string& key)>;
  std::map<std::string, std::string> ActualConfig(const Getter& get) const;

  // What is in effect through the option tree (the file and its includes).
  std::map<std::string, std::string> ActualConfig(const std::vector<TreeOption>& tree) const;

  // Every managed option that a line read after pxc's own overrides (in an
  // included file, or in another section the server reads), with the file
  // and line. `tree` is read from the edited configuration.
  std::vector<std::string> Conflicts(const std::vector<TreeOption>& tree) const;
};

// The my.cnf part of pxc_node_tls_config, as pure functions (for tests and
// the Galera 3 check): what it writes for a node, what is in effect through
// an option tree, and which lines of the tree override it.
struct TlsOptionsSpec {
  std::string role = "server";   // "server" or "client"
  std::string flavor = "pxc57";  // "pxc57", "pxc80" or "mariadb"
  std::string config_file = "/etc/mysql/my.cnf";
  std::string cert_dir = "/etc/mysql/certs";
  std::string name = "pxc1";  // files <name>-cert.pem, <name>-key.pem, ca-cert.pem
};
// The options managed for `spec`, in the order they are applied.
std::vector<DesiredOption> ManagedTlsOptions(const TlsOptionsSpec& spec);
// "[section] key" (or "[section] key: sub.option") -> the value in effect
// through `tree` ("(absent)" when unset), for every managed option.
std::map<std::string, std::string> EffectiveTlsConfig(const TlsOptionsSpec& spec,
                                                      const std::vector<TreeOption>& tree);
// One sentence per managed option overridden by a line the server reads
// later (another file, or another section it reads), naming file and line.
std::vector<std::string> TlsConfigConflicts(const TlsOptionsSpec& spec,
                                            const std::vector<TreeOption>& tree);

// Parses my_print_defaults output ("--key=value" per line) into the last
// value of each normalised key.
std::map<std::string, std::string> ParsePrintDefaults(const std::string& out);

}  // namespace pxc::resources
