// Galera's TLS as a node's configuration and its running provider describe
// it, per server flavor (pxc57, pxc80, mariadb), and the Galera generation
// of a provider version. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "resources/galera/mycnf.h"

namespace pxc::resources {

// True when a wsrep_provider_options list (as configured, or as Galera
// reports it running) has Galera TLS on: a non-empty socket.ssl_cert and
// socket.ssl not switched off.
bool GaleraTlsEnabled(const ProviderOptions& options);

// The Galera generation (3 or 4) of a wsrep_provider_version value:
// Codership numbers releases 25.3.x (Galera 3, wsrep API 25) and 26.4.x
// (Galera 4, API 26); Percona's builds report 3.x (PXC 5.7) and 4.x (PXC
// 8.0). nullopt when the text does not start with a version number.
std::optional<int> GaleraGeneration(std::string_view provider_version);

// Whether Galera of that generation has socket.dynamic and
// socket.ssl_reload: both are Galera 4 options (MariaDB documents them from
// 10.4, whose Galera is 26.4; Galera 3's garbd 25.3.37 answers "Unrecognized
// parameter" for each).
bool GaleraHasDynamicTls(int generation);

// Whether the configuration in `doc` (the node's my.cnf) has Galera TLS on
// for `flavor`: for pxc57 and mariadb, the socket.ssl_* options of [mysqld]
// wsrep_provider_options (GaleraTlsEnabled); for pxc80 also
// pxc-encrypt-cluster-traffic (ON by default in 8.0), from which PXC derives
// socket.ssl_key/ca/cert itself; an explicit socket.ssl=no turns it off for
// every flavor.
bool ConfiguredGaleraTls(const std::string& flavor, const Document& doc);

// The socket.ssl_cert, socket.ssl_key and socket.ssl_ca a node configured by
// `doc` runs Galera with: from wsrep_provider_options, or for pxc80 with
// pxc-encrypt-cluster-traffic on, [mysqld] ssl-cert/ssl-key/ssl-ca (PXC
// appends them after the user's provider options, so they win). "" when
// unset.
struct GaleraTlsFiles {
  std::string cert, key, ca;
  bool operator==(const GaleraTlsFiles&) const = default;
};
GaleraTlsFiles ConfiguredGaleraTlsFiles(const std::string& flavor, const Document& doc);

// `text` (a my.cnf) with socket.dynamic=yes added to (on) or removed from
// (off) [mysqld] wsrep_provider_options, every other option and byte kept.
// Errors: those of Document::Parse and ApplyManaged.
StatusOr<std::string> WithSocketDynamic(const std::string& text, bool on);

// A my.cnf boolean ("yes", "1", "true", "on", any case) that is set and true.
bool Truthy(const std::optional<std::string>& value);

}  // namespace pxc::resources
