#include "resources/provider_def.h"

#include "resources/ca.h"
#include "resources/ca_key.h"
#include "resources/client_cert.h"
#include "resources/cluster_restart.h"
#include "resources/cluster_status.h"
#include "resources/cluster_tls.h"
#include "resources/mysql/mysql_settings.h"
#include "resources/node_cert.h"
#include "resources/node_key.h"
#include "resources/node_tls_config.h"
#include "resources/remote/ssh_pool.h"
#include "resources/remote/ssh_settings.h"
#include "resources/ssl_user.h"

namespace pxc::resources {

namespace {

class PxcProvider final : public schema::ProviderDefinition {
 public:
  explicit PxcProvider(std::string version) : version_(std::move(version)) {
    schema_.block.description =
        "The pxc provider secures Percona XtraDB Cluster and other Galera clusters with TLS: "
        "it creates the CA and the node and client certificates, deploys them to the nodes, "
        "enables TLS in their configuration and manages SSL-only users.";
    schema_.block.blocks.push_back(ssh_settings::ProviderSshBlock());
    schema_.block.blocks.push_back(mysql_settings::MysqlBlock(/*for_provider=*/true));
  }
  std::string Name() const override { return "pxc"; }
  std::string Version() const override { return version_; }
  const schema::Schema& GetSchema() const override { return schema_; }
  std::vector<std::shared_ptr<const schema::Resource>> Resources() const override {
    return AllResources();
  }
  std::vector<std::shared_ptr<const schema::DataSource>> DataSources() const override {
    return AllDataSources();
  }
  std::vector<std::shared_ptr<const schema::EphemeralResource>> EphemeralResources()
      const override {
    return AllEphemeralResources();
  }
  // The pooled SSH connections (ConnectSsh): idle ones are closed here.
  std::string Shutdown() const override {
    SshPool& pool = DefaultSshPool();
    const SshPool::Stats before = pool.stats();
    pool.Shutdown();
    if (before.connected == 0 && before.connect_errors == 0) return "";
    std::string out = "ssh connections: ";
    out.append(std::to_string(before.connected)).append(" opened, ");
    out.append(std::to_string(before.reused)).append(" reuses, ");
    out.append(std::to_string(before.replaced)).append(" replaced after a failed probe, ");
    out.append(std::to_string(before.waited)).append(" waits, ");
    out.append(std::to_string(before.idle)).append(" closed at shutdown, ");
    out.append(std::to_string(before.leased)).append(" still leased");
    return out;
  }

 private:
  std::string version_;
  schema::Schema schema_;
};

}  // namespace

std::vector<std::shared_ptr<const schema::Resource>> AllResources() {
  static const std::vector<std::shared_ptr<const schema::Resource>> kAll = {
      std::make_shared<CaResource>(),
      std::make_shared<NodeCertResource>(),
      std::make_shared<NodeKeyResource>(),
      std::make_shared<NodeTlsConfigResource>(),
      std::make_shared<ClusterRestartResource>(),
      std::make_shared<SslUserResource>(),
  };
  return kAll;
}

std::vector<std::shared_ptr<const schema::DataSource>> AllDataSources() {
  static const std::vector<std::shared_ptr<const schema::DataSource>> kAll = {
      std::make_shared<ClusterStatusDataSource>(),
      std::make_shared<ClusterTlsDataSource>(),
  };
  return kAll;
}

std::vector<std::shared_ptr<const schema::EphemeralResource>> AllEphemeralResources() {
  static const std::vector<std::shared_ptr<const schema::EphemeralResource>> kAll = {
      std::make_shared<ClientCertEphemeral>(),
      std::make_shared<CaKeyEphemeral>(),
  };
  return kAll;
}

std::shared_ptr<const schema::ProviderDefinition> MakeProvider(std::string version) {
  return std::make_shared<PxcProvider>(std::move(version));
}

}  // namespace pxc::resources
