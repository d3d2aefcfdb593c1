// pxc_node_tls_config: deploys a node's TLS files over SSH (atomically, with
// owner and modes) and enables TLS in its my.cnf: ssl-ca/ssl-cert/ssl-key
// under [mysqld] and the socket.ssl_* options merged INTO the existing
// wsrep_provider_options (role server), or under [client] (role client).
// Drift in files or managed configuration shows in the plan; destroy undoes
// exactly what was added and restores the rest of my.cnf byte for byte. The
// layout is resources/galera/tls_options.h, the node's part
// resources/galera/tls_deploy.h.
#pragma once

#include "resources/remote/ssh_client.h"
#include "schema/resource.h"

namespace pxc::resources {

class NodeTlsConfigResource final : public schema::Resource {
 public:
  // `connector` empty: SSH (ConnectSsh); tests hand in MemHosts.
  explicit NodeTlsConfigResource(NodeConnector connector = {});
  std::string TypeName() const override { return "pxc_node_tls_config"; }
  const schema::Schema& GetSchema() const override { return schema_; }
  void ValidateConfig(const schema::Value& config, schema::Diagnostics& diags) const override;
  void ModifyPlan(schema::PlanContext& ctx) const override;
  void Create(schema::ApplyContext& ctx) const override;
  void Read(schema::ReadContext& ctx) const override;
  void Update(schema::ApplyContext& ctx) const override;
  void Delete(schema::ApplyContext& ctx) const override;

 private:
  void Apply(schema::ApplyContext& ctx, bool creating) const;
  schema::Schema schema_;
  NodeConnector connector_;
};

}  // namespace pxc::resources
