// data "pxc_cluster_status": the tutorial's final check as a data source. It
// connects (through the provider's or its own `mysql` settings, e.g. with a
// client certificate through HAProxy) and returns the Galera state
// (wsrep_cluster_size, wsrep_cluster_status, wsrep_local_state_uuid,
// wsrep_local_state_comment, wsrep_node_name), the negotiated TLS version and
// cipher of this connection, the server version and a map of every `wsrep%`
// status variable. With `require_tls` the read fails unless the connection
// is encrypted.
#pragma once

#include "schema/resource.h"

namespace pxc::resources {

class ClusterStatusDataSource final : public schema::DataSource {
 public:
  ClusterStatusDataSource();
  std::string TypeName() const override { return "pxc_cluster_status"; }
  const schema::Schema& GetSchema() const override { return schema_; }
  void ValidateConfig(const schema::Value& config, schema::Diagnostics& diags) const override;
  void Read(const schema::ProviderContext& provider, const schema::Value& config,
            schema::Value& state, schema::Diagnostics& diags) const override;

 private:
  schema::Schema schema_;
};

}  // namespace pxc::resources
