// data "pxc_cluster_tls": what every node of a Galera cluster actually
// serves, for `check` blocks. Per node, from the network: the certificate
// chain on the MySQL port (after the MySQL protocol's STARTTLS, without
// logging in) and on Galera's port, the TLS versions each accepts (1.2 and
// 1.3 tried separately) and whether Galera still answers an unencrypted
// peer; over SSH: the files my.cnf names (ssl-ca/ssl-cert/ssl-key and
// socket.ssl_* as the server reads them, includes followed), their
// fingerprints, whether the served certificate is the file's and whether it
// verifies against the configured CA. Cluster-wide: min_days_left,
// ca_fingerprints, consistent and problems (resources/tlsprobe/
// cluster_tls_report.h). Nodes are read in parallel. Problems are warnings;
// only a node that cannot be reached at all is an error.
#pragma once

#include "resources/remote/ssh_client.h"
#include "schema/resource.h"

namespace pxc::resources {

class ClusterTlsDataSource final : public schema::DataSource {
 public:
  // `connector` empty: SSH (ConnectSsh); tests hand in MemHosts.
  explicit ClusterTlsDataSource(NodeConnector connector = {});
  std::string TypeName() const override { return "pxc_cluster_tls"; }
  const schema::Schema& GetSchema() const override { return schema_; }
  void ValidateConfig(const schema::Value& config, schema::Diagnostics& diags) const override;
  void Read(const schema::ProviderContext& provider, const schema::Value& config,
            schema::Value& state, schema::Diagnostics& diags) const override;

 private:
  schema::Schema schema_;
  NodeConnector connector_;
};

}  // namespace pxc::resources
