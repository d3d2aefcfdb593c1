// pxc_ssl_user: a MySQL / MariaDB / PXC account with its TLS requirement
// (REQUIRE NONE | SSL | X509 | SUBJECT/ISSUER/CIPHER) and its grants, managed
// as one object that reads back exactly (an apply is followed by an empty
// plan). SQL comes from resources/mysql/user_sql.h; the connection from the
// provider's or the resource's `mysql` block (resources/mysql/mysql_settings.h).
//
// Create: CREATE USER ... IDENTIFIED ... REQUIRE ..., then one GRANT per
// target (the account is dropped again if a GRANT fails). Read: the account
// from the server; gone -> removed from state. Update: ALTER USER for the
// password / plugin / REQUIRE, REVOKE then GRANT per target. Replace only for
// name and host. Delete: DROP USER IF EXISTS. Import ID: `name@host` (split
// at the last '@'; `name` alone means host '%').
#pragma once

#include "schema/resource.h"

namespace pxc::resources {

class SslUserResource final : public schema::Resource {
 public:
  SslUserResource();
  std::string TypeName() const override { return "pxc_ssl_user"; }
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
