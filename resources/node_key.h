// pxc_node_key: makes a node's private key ON the node, over SSH, with the
// node's own `openssl` (genpkey into a 0600 temporary file in cert_dir, a
// certificate request from it, owner and mode set, then linked into place
// without overwriting anything), and keeps only the public key and the
// request in state: the key never crosses the wire. pxc_node_cert signs the
// request; pxc_node_tls_config (key_on_node) deploys the certificate next to
// the key. Read looks at the key on the node (lstat, and its public key from
// `openssl pkey -pubout` there): a missing key plans a new one, another key
// (or something that is not a key file) plans a replacement, a changed mode
// or owner is repaired in place. Destroy removes the key.
#pragma once

#include "resources/remote/ssh_client.h"
#include "schema/resource.h"

namespace pxc::resources {

class NodeKeyResource final : public schema::Resource {
 public:
  // `connector` empty: SSH (ConnectSsh); tests hand in MemHosts.
  explicit NodeKeyResource(NodeConnector connector = {});
  std::string TypeName() const override { return "pxc_node_key"; }
  const schema::Schema& GetSchema() const override { return schema_; }
  void ValidateConfig(const schema::Value& config, schema::Diagnostics& diags) const override;
  void ModifyPlan(schema::PlanContext& ctx) const override;
  void Create(schema::ApplyContext& ctx) const override;
  void Read(schema::ReadContext& ctx) const override;
  void Update(schema::ApplyContext& ctx) const override;
  void Delete(schema::ApplyContext& ctx) const override;
  // ID "<host>:<key path>", e.g. "10.0.0.11:/etc/mysql/certs/pxc1-key.pem":
  // a key already on the node. Read then takes its public key, algorithm,
  // owner and mode from the node and makes a request for it there.
  void ImportState(schema::ImportContext& ctx) const override;

 private:
  schema::Schema schema_;
  NodeConnector connector_;
};

// The shell script pxc_node_key runs on the node to make the key (exposed
// for the tests' stand-in of openssl on a MemHost). Its first lines set
// k (the key path), d (cert_dir), o (owner:group), m (mode), a (algorithm:
// RSA, EC or ED25519), b (RSA bits), c (curve name) and s (the request's
// subject), each on its own line as `x='value'`.
std::string NodeKeyCreateScript(const std::string& key_path, const std::string& dir,
                                const std::string& owner_group, const std::string& mode,
                                const std::string& algorithm, int rsa_bits,
                                const std::string& curve, const std::string& subject);
// The script that makes a certificate request for the key at k with
// subject s (as above), on the node: an imported key's request.
std::string NodeKeyRequestScript(const std::string& key_path, const std::string& subject,
                                 bool ed25519);
// The script that gives the key file back its owner and mode (k, o, m as
// above).
std::string NodeKeyRepairScript(const std::string& key_path, const std::string& owner_group,
                                const std::string& mode);

}  // namespace pxc::resources
