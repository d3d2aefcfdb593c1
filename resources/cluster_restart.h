// pxc_cluster_restart: makes configuration changes (such as TLS enabled by
// pxc_node_tls_config) take effect across a Galera cluster without losing
// data. Strategy `full` stops every node, reads each node's grastate.dat and
// bootstraps the most advanced node (not blindly the first), then starts the
// others one at a time, waiting for each to be Synced. Strategy `rolling`
// restarts one node at a time, keeping quorum. Runs on create and whenever
// `triggers` change; never leaves the cluster down without saying so.
#pragma once

#include "resources/mycnf.h"
#include "schema/resource.h"

namespace pxc::resources {

class ClusterRestartResource final : public schema::Resource {
 public:
  ClusterRestartResource();
  std::string TypeName() const override { return "pxc_cluster_restart"; }
  const schema::Schema& GetSchema() const override { return schema_; }
  void ValidateConfig(const schema::Value& config, schema::Diagnostics& diags) const override;
  void ModifyPlan(schema::PlanContext& ctx) const override;
  void Create(schema::ApplyContext& ctx) const override;
  void Update(schema::ApplyContext& ctx) const override;

 private:
  schema::Schema schema_;
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

// `text` (a my.cnf) with socket.dynamic=yes added to (on) or removed from
// (off) [mysqld] wsrep_provider_options, every other option and byte kept.
// Errors: those of Document::Parse and ApplyManaged.
StatusOr<std::string> WithSocketDynamic(const std::string& text, bool on);

}  // namespace pxc::resources
