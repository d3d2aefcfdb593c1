// ephemeral "pxc_ca_key": the private key of a `pxc_ca` kept with
// `private_key_file`, read from that file on the machine running Terraform
// when Terraform opens the ephemeral resource, checked (a regular file, not a
// symbolic link, owned by the user running Terraform, mode 0600 or 0400, one
// PEM private key, the key of `ca_cert_pem`) and returned as an ephemeral
// value: for `pxc_node_cert.ca_private_key_pem_wo` and the ephemeral
// `pxc_client_cert`. Never written to state or plan.
//
// Thread-safety: stateless; Open may run concurrently.
#pragma once

#include "schema/resource.h"

namespace pxc::resources {

class CaKeyEphemeral final : public schema::EphemeralResource {
 public:
  CaKeyEphemeral();
  std::string TypeName() const override { return "pxc_ca_key"; }
  const schema::Schema& GetSchema() const override { return schema_; }
  void ValidateConfig(const schema::Value& config, schema::Diagnostics& diags) const override;
  void Open(schema::OpenContext& ctx) const override;

 private:
  schema::Schema schema_;
};

}  // namespace pxc::resources
