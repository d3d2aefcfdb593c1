// pxc_node_cert: a node or client key and certificate signed by a pxc_ca (or
// any CA given as PEM), or a certificate for a CSR made elsewhere so the
// private key never leaves the node. Verified against the CA at creation and
// at every plan; replaced when the CA changes, when it no longer verifies, or
// inside the renewal window.
#pragma once

#include "schema/resource.h"

namespace pxc::resources {

class NodeCertResource final : public schema::Resource {
 public:
  NodeCertResource();
  std::string TypeName() const override { return "pxc_node_cert"; }
  const schema::Schema& GetSchema() const override { return schema_; }
  void ValidateConfig(const schema::Value& config, schema::Diagnostics& diags) const override;
  void ModifyPlan(schema::PlanContext& ctx) const override;
  void Create(schema::ApplyContext& ctx) const override;
  void Read(schema::ReadContext& ctx) const override;
  void Update(schema::ApplyContext& ctx) const override;

 private:
  schema::Schema schema_;
};

}  // namespace pxc::resources
