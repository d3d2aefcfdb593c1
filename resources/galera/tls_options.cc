#include "resources/galera/tls_options.h"

#include <cctype>
#include <regex>
#include <set>
#include <sstream>

#include "resources/remote/node_host.h"
#include "resources/remote/ssh_client.h"

namespace pxc::resources {
namespace {

constexpr char kProviderOptionsKey[] = "wsrep_provider_options";

TlsLayout LayoutFor(const TlsOptionsSpec& spec) {
  TlsLayout l;
  l.role = spec.role;
  l.flavor = spec.flavor;
  l.config_file = spec.config_file;
  l.cert_dir = spec.cert_dir;
  l.name = spec.name;
  l.key_file = spec.name + "-key.pem";
  l.cert_file = spec.name + "-cert.pem";
  l.ca_file = "ca-cert.pem";
  l.key_pem = "key";
  l.key_managed = true;
  l.cert_pem = "cert";
  return l;
}

}  // namespace

std::optional<uint32_t> ParseFileMode(const std::string& s) {
  static const std::regex kMode("^0?[0-7]{3}$");
  if (!std::regex_match(s, kMode)) return std::nullopt;
  return static_cast<uint32_t>(std::stoul(s, nullptr, 8));
}

std::string FormatFileMode(uint32_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "%04o", mode & 07777);
  return buf;
}

std::string TlsLayout::Dir() const {
  std::string d = cert_dir;
  while (d.size() > 1 && d.ends_with('/')) d.pop_back();
  return d;
}

std::vector<TlsLayout::File> TlsLayout::Files() const {
  std::vector<File> out{{CaPath(), ca_pem, cert_mode}};
  if (cert_pem) out.push_back({CertPath(), *cert_pem, cert_mode});
  if (key_managed) out.push_back({KeyPath(), key_pem.value_or(""), key_mode});
  return out;
}

std::map<std::string, std::string> TlsLayout::DesiredFiles() const {
  std::map<std::string, std::string> out;
  for (const auto& f : Files()) out[f.path] = FileEntry(f.content, f.mode);
  if (key_on_node) out[KeyPath()] = node_key_entry;
  out[DirKey()] = kSafeDirectory;
  return out;
}

std::vector<DesiredOption> TlsLayout::Desired() const {
  const std::string sec = Section();
  std::vector<DesiredOption> out{DesiredOption::Value(sec, "ssl-ca", CaPath())};
  if (cert_pem) out.push_back(DesiredOption::Value(sec, "ssl-cert", CertPath()));
  if (key_managed || key_on_node) out.push_back(DesiredOption::Value(sec, "ssl-key", KeyPath()));
  if (role != "server") return out;
  // An explicit socket.ssl=no switches Galera TLS off whatever the key and
  // certificate say (Galera, galerautils/src/gu_asio.cpp: init_use_ssl and
  // ssl_check_conf, "SSL is explicitly disabled"), and PXC 8.0 does not
  // override it either: it only appends socket.ssl_key/ca/cert. pxc removes
  // it (Galera then enables TLS from socket.ssl_key + socket.ssl_cert); the
  // plan shows it as "(absent)" and destroy puts it back.
  const ProviderOptionChange no_ssl_switch{"socket.ssl", std::nullopt};
  if (flavor == "pxc80") {
    // PXC 8.0 derives Galera's and SST's TLS from [mysqld] ssl-ca/ssl-cert/
    // ssl-key when pxc-encrypt-cluster-traffic is ON: it appends
    // socket.ssl_key/ca/cert to the provider options it passes to Galera
    // (percona-xtradb-cluster sql/wsrep_mysqld.cc, wsrep_init), and the
    // SST script uses encrypt=4 with the same files (Percona XtraDB Cluster
    // 8.0 docs, "Encrypt PXC traffic", SSL automatic configuration).
    out.push_back(DesiredOption::Value(sec, "pxc-encrypt-cluster-traffic", "ON"));
    out.push_back(DesiredOption::SubOptions(sec, kProviderOptionsKey, {no_ssl_switch}));
  } else {
    out.push_back(DesiredOption::SubOptions(sec, kProviderOptionsKey,
                                            {{"socket.ssl_cert", CertPath()},
                                             {"socket.ssl_key", KeyPath()},
                                             {"socket.ssl_ca", CaPath()},
                                             no_ssl_switch}));
  }
  if (flavor == "pxc57") {
    // PXC 5.7 leaves State Snapshot Transfer in clear text unless [sst]
    // encrypt=4 names the certificate files (pxc-encrypt-cluster-traffic is
    // OFF by default in 5.7): wsrep_sst_xtrabackup-v2.sh reads encrypt and
    // ssl-ca/ssl-cert/ssl-key from [sst] (falling back to [mysqld]) and
    // runs socat with openssl-listen/openssl-connect and verify=1 (Percona
    // XtraDB Cluster 5.7 docs, "Encrypting PXC Traffic" and "Percona
    // XtraBackup SST Configuration"). Modes 2 and 3 (tca/tcert/tkey) are
    // deprecated there.
    out.push_back(DesiredOption::Value("sst", "encrypt", "4"));
    out.push_back(DesiredOption::Value("sst", "ssl-ca", CaPath()));
    out.push_back(DesiredOption::Value("sst", "ssl-cert", CertPath()));
    out.push_back(DesiredOption::Value("sst", "ssl-key", KeyPath()));
  }
  return out;
}

std::string TlsLayout::PrintDefaultsGroups(const std::string& section) const {
  if (section != "mysqld" || role != "server") return ShellQuote(section);
  if (flavor == "mariadb") return "--mysqld";
  return flavor == "pxc80" ? "mysqld server mysqld-8.0" : "mysqld server mysqld-5.7";
}

std::map<std::string, std::string> TlsLayout::DesiredConfig() const {
  std::map<std::string, std::string> out;
  for (const auto& d : Desired()) {
    if (d.kind == ManagedKind::kValue) {
      out["[" + d.section + "] " + d.key] = d.value.value_or(kAbsent);
    } else {
      for (const auto& so : d.sub_options) {
        out["[" + d.section + "] " + d.key + ": " + so.name] = so.value.value_or(kAbsent);
      }
    }
  }
  return out;
}

std::map<std::string, std::string> TlsLayout::ActualConfig(const Getter& get) const {
  std::map<std::string, std::string> out;
  for (const auto& d : Desired()) {
    if (d.kind == ManagedKind::kValue) {
      out["[" + d.section + "] " + d.key] = get(d.section, d.key).value_or(kAbsent);
    } else {
      std::optional<std::string> line = get(d.section, d.key);
      ProviderOptions opts = line ? ParseProviderOptions(*line) : ProviderOptions{};
      for (const auto& so : d.sub_options) {
        out["[" + d.section + "] " + d.key + ": " + so.name] =
            GetProviderOption(opts, so.name).value_or(kAbsent);
      }
    }
  }
  return out;
}

std::map<std::string, std::string> TlsLayout::ActualConfig(
    const std::vector<TreeOption>& tree) const {
  return ActualConfig([&](const std::string& section, const std::string& key) {
    auto e = EffectiveOption(tree, ReadBy(section, tree), key);
    return e ? std::optional<std::string>(e->ref.value.value_or("")) : std::nullopt;
  });
}

std::vector<std::string> TlsLayout::Conflicts(const std::vector<TreeOption>& tree) const {
  std::vector<std::string> out;
  for (const auto& d : Desired()) {
    auto e = EffectiveOption(tree, ReadBy(d.section, tree), d.key);
    if (!e) continue;  // only a removal was asked and nothing is there
    const bool ours = e->file == config_file && e->ref.section == d.section;
    std::string what;
    if (d.kind == ManagedKind::kValue) {
      if (ours && e->ref.value == d.value) continue;
      what = d.key + " is \"" + e->ref.value.value_or("") + "\" there, pxc sets \"" +
             d.value.value_or("") + "\"";
    } else {
      ProviderOptions opts = ParseProviderOptions(e->ref.value.value_or(""));
      std::vector<std::string> differ;
      for (const auto& so : d.sub_options) {
        if (GetProviderOption(opts, so.name) != so.value) {
          differ.push_back(so.name + (so.value ? "=" + *so.value : " removed"));
        }
      }
      if (differ.empty()) continue;
      what = "that " + d.key +
             " line replaces pxc's whole line (Galera reads only the last), "
             "so the server would not get";
      for (size_t i = 0; i < differ.size(); ++i) what += (i ? ", " : " ") + differ[i];
    }
    out.push_back(e->file + " line " + std::to_string(e->ref.line) + " ([" + e->ref.section + "] " +
                  e->ref.key + ") is read by the server after pxc's [" + d.section + "] " + d.key +
                  " in " + config_file + " and overrides it: " + what);
  }
  return out;
}

std::string TlsLayout::FileEntry(const std::string& content, uint32_t mode) const {
  return "sha256:" + Sha256Hex(content) + " " + FormatFileMode(mode) + " " + owner + ":" + group;
}

std::vector<std::string> TlsLayout::ReadBy(const std::string& section,
                                           const std::vector<TreeOption>& tree) const {
  if (section != "mysqld" || role != "server") return {section};
  std::set<std::string> names{"mysqld", "server"};
  for (const auto& t : tree) {
    const std::string& n = t.ref.section;
    auto versioned = [&](std::string_view prefix) {
      return n.size() > prefix.size() && n.starts_with(prefix) &&
             std::isdigit(static_cast<unsigned char>(n[prefix.size()]));
    };
    if (flavor == "pxc57" && n == "mysqld-5.7") names.insert(n);
    if (flavor == "pxc80" && n == "mysqld-8.0") names.insert(n);
    if (flavor == "mariadb" &&
        (n == "mariadb" || n == "mariadbd" || n == "galera" || n == "client-server" ||
         versioned("mysqld-") || versioned("mariadb-") || versioned("mariadbd-"))) {
      names.insert(n);
    }
  }
  return {names.begin(), names.end()};
}

std::map<std::string, std::string> ParsePrintDefaults(const std::string& out) {
  std::map<std::string, std::string> m;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("--")) continue;
    line = line.substr(2);
    auto eq = line.find('=');
    m[NormalizeOptionName(line.substr(0, eq))] = eq == std::string::npos ? "" : line.substr(eq + 1);
  }
  return m;
}

// Runs my_print_defaults on the node for every section pxc writes to and
// returns one line per managed option whose value the server would not get.
// Empty when everything is in effect, or when the node has no
// my_print_defaults (then only pxc's own reading of the tree stands).

std::vector<DesiredOption> ManagedTlsOptions(const TlsOptionsSpec& spec) {
  return LayoutFor(spec).Desired();
}

std::map<std::string, std::string> EffectiveTlsConfig(const TlsOptionsSpec& spec,
                                                      const std::vector<TreeOption>& tree) {
  return LayoutFor(spec).ActualConfig(tree);
}

std::vector<std::string> TlsConfigConflicts(const TlsOptionsSpec& spec,
                                            const std::vector<TreeOption>& tree) {
  return LayoutFor(spec).Conflicts(tree);
}

}  // namespace pxc::resources
