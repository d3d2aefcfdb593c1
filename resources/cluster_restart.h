// pxc_cluster_restart: makes configuration changes (such as TLS enabled by
// pxc_node_tls_config) take effect across a Galera cluster without losing
// data. Strategy `full` stops every node, reads each node's grastate.dat and
// bootstraps the most advanced node (not blindly the first), then starts the
// others one at a time, waiting for each to be Synced. Strategy `rolling`
// restarts one node at a time, keeping quorum. Runs on create and whenever
// `triggers` change; never leaves the cluster down without saying so.
#pragma once

#include <functional>
#include <memory>

#include "resources/galera/mycnf.h"
#include "resources/remote/ssh_client.h"
#include "schema/resource.h"

namespace pxc::resources {

// What pxc_cluster_restart does on a node: run commands, read and replace
// files. An SshSession in production; a fake in unit tests, which then see
// every command in order. Not thread-safe (one per node, used by one apply).
class NodeHost {
 public:
  virtual ~NodeHost() = default;
  // As SshSession::Exec / ReadFile / Stat / WriteFileAtomic / RemoveFile.
  virtual StatusOr<SshSession::ExecResult> Exec(const std::string& command) = 0;
  virtual StatusOr<std::optional<std::string>> ReadFile(const std::string& path) = 0;
  virtual StatusOr<std::optional<SshSession::FileStat>> Stat(const std::string& path) = 0;
  virtual Status WriteFileAtomic(const std::string& path, std::string_view content, uint32_t mode,
                                 const std::string& owner, const std::string& group) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
};

// Opens a NodeHost for a node; errors as SshSession::Connect.
using NodeConnector = std::function<StatusOr<std::unique_ptr<NodeHost>>(const SshTarget&)>;

class ClusterRestartResource final : public schema::Resource {
 public:
  // `connector` empty: SSH (SshSession::Connect).
  explicit ClusterRestartResource(NodeConnector connector = {});
  std::string TypeName() const override { return "pxc_cluster_restart"; }
  const schema::Schema& GetSchema() const override { return schema_; }
  void ValidateConfig(const schema::Value& config, schema::Diagnostics& diags) const override;
  void ModifyPlan(schema::PlanContext& ctx) const override;
  void Create(schema::ApplyContext& ctx) const override;
  void Update(schema::ApplyContext& ctx) const override;

 private:
  schema::Schema schema_;
  NodeConnector connector_;
};

// Parses grastate.dat ("seqno:   1234", "safe_to_bootstrap: 1"). Exposed for
// tests.
struct GraState {
  int64_t seqno = -1;
  bool safe_to_bootstrap = false;
  std::string uuid;
};
GraState ParseGraState(const std::string& text);

// Picks the node to bootstrap from: the highest seqno; among equals, one
// with safe_to_bootstrap, then the earliest in the list. nullopt (with a
// reason) when a seqno is unknown (-1): the operator must recover it first.
struct BootstrapChoice {
  size_t index = 0;
  bool needs_safe_flag = false;  // the chosen node's grastate says 0: set it
};
StatusOr<BootstrapChoice> ChooseBootstrapNode(const std::vector<std::string>& names,
                                              const std::vector<GraState>& states);

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

}  // namespace pxc::resources
