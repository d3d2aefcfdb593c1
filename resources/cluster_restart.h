// pxc_cluster_restart: makes configuration changes (such as TLS enabled by
// pxc_node_tls_config) take effect across a Galera cluster without losing
// data. Strategy `full` stops every node, reads each node's grastate.dat and
// bootstraps the most advanced node (not blindly the first), then starts the
// others one at a time, waiting for each to be Synced. Strategy `rolling`
// restarts one node at a time, keeping quorum. Runs on create and whenever
// `triggers` change; never leaves the cluster down without saying so. The
// work on the nodes is done by the engine in resources/galera/
// restart_engine.h.
#pragma once

#include "resources/remote/ssh_client.h"
#include "schema/resource.h"

namespace pxc::resources {

class ClusterRestartResource final : public schema::Resource {
 public:
  // `connector` empty: SSH (ConnectSsh); tests hand in MemHosts.
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

}  // namespace pxc::resources
