#include "schema/resource.h"

namespace pxc::schema {

void Resource::ValidateConfig(const Value&, Diagnostics&) const {}
void Resource::ModifyPlan(PlanContext&) const {}
void Resource::Read(ReadContext& ctx) const { ctx.new_state = ctx.current; }

void Resource::Update(ApplyContext& ctx) const {
  ctx.diags.AddError("Update Not Supported",
                     "The resource type " + TypeName() +
                         " cannot be updated in place; this is a provider bug, please report it.");
}

void Resource::Delete(ApplyContext&) const {}

void Resource::ImportState(ImportContext& ctx) const {
  ctx.diags.AddError("Import Not Supported",
                     "The resource type " + TypeName() + " does not support terraform import.");
}

void Resource::UpgradeState(UpgradeContext& ctx) const {
  ctx.diags.AddError("Unable to Upgrade Resource State",
                     "The resource type " + TypeName() + " has no upgrade from schema version " +
                         std::to_string(ctx.from_version) + " to version " +
                         std::to_string(GetSchema().version) + ".");
}

void DataSource::ValidateConfig(const Value&, Diagnostics&) const {}

void EphemeralResource::ValidateConfig(const Value&, Diagnostics&) const {}
void EphemeralResource::Renew(RenewContext&) const {}
void EphemeralResource::Close(CloseContext&) const {}

void ProviderDefinition::ValidateConfig(const Value&, Diagnostics&) const {}
void ProviderDefinition::Configure(ProviderContext&, Diagnostics&) const {}

}  // namespace pxc::schema
