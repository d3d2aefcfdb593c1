// The pxc provider: its configuration schema and the list of resources, data
// sources and ephemeral resources it offers (AllResources / AllDataSources /
// AllEphemeralResources).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "schema/resource.h"

namespace pxc::resources {

std::vector<std::shared_ptr<const schema::Resource>> AllResources();
std::vector<std::shared_ptr<const schema::DataSource>> AllDataSources();
std::vector<std::shared_ptr<const schema::EphemeralResource>> AllEphemeralResources();

// The provider definition served by terraform-provider-pxc.
std::shared_ptr<const schema::ProviderDefinition> MakeProvider(std::string version);

}  // namespace pxc::resources
