// pxc_node_tls_config: deploys a node's TLS files over SSH (atomically, with
// owner and modes) and enables TLS in its my.cnf: ssl-ca/ssl-cert/ssl-key
// under [mysqld] and the socket.ssl_* options merged INTO the existing
// wsrep_provider_options (role server), or under [client] (role client).
// Drift in files or managed configuration shows in the plan; destroy undoes
// exactly what was added and restores the rest of my.cnf byte for byte.
#pragma once

#include "resources/galera/mycnf.h"
#include "schema/resource.h"

namespace pxc::resources {

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

class NodeTlsConfigResource final : public schema::Resource {
 public:
  NodeTlsConfigResource();
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
};

}  // namespace pxc::resources
