// ephemeral "pxc_client_cert": a short-lived client key and certificate
// (clientAuth only, default one hour) signed by the CA given as PEM, made
// when Terraform opens the ephemeral resource and never stored in state or
// plan. For the provider's own `mysql.tls` block (as an account with
// REQUIRE X509/SUBJECT/ISSUER) or anything else that takes ephemeral values.
// The CA key may itself be ephemeral.
//
// Thread-safety: stateless; Open may run concurrently.
#pragma once

#include "schema/resource.h"

namespace pxc::resources {

class ClientCertEphemeral final : public schema::EphemeralResource {
 public:
  ClientCertEphemeral();
  std::string TypeName() const override { return "pxc_client_cert"; }
  const schema::Schema& GetSchema() const override { return schema_; }
  void ValidateConfig(const schema::Value& config, schema::Diagnostics& diags) const override;
  void Open(schema::OpenContext& ctx) const override;

 private:
  schema::Schema schema_;
};

}  // namespace pxc::resources
