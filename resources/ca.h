// pxc_ca: a CA private key and its self-signed CA certificate, generated with
// OpenSSL 3, or an existing CA adopted from PEM (validated: the key matches
// the certificate, the certificate is a CA). Every input change replaces the
// CA; the renewal window replaces it when due. With `private_key_file` the
// key is kept in that file on the machine running Terraform, never in state
// (resources/remote/local_key_file.h); destroy leaves the file in place.
#pragma once

#include "schema/resource.h"

namespace pxc::resources {

class CaResource final : public schema::Resource {
 public:
  CaResource();
  std::string TypeName() const override { return "pxc_ca"; }
  const schema::Schema& GetSchema() const override { return schema_; }
  void ValidateConfig(const schema::Value& config, schema::Diagnostics& diags) const override;
  void ModifyPlan(schema::PlanContext& ctx) const override;
  void Create(schema::ApplyContext& ctx) const override;
  void Read(schema::ReadContext& ctx) const override;
  void Update(schema::ApplyContext& ctx) const override;
  void Delete(schema::ApplyContext& ctx) const override;
  void ImportState(schema::ImportContext& ctx) const override;

 private:
  schema::Schema schema_;
};

}  // namespace pxc::resources
