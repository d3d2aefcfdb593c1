// The pxc provider: its configuration schema and the list of resources and
// data sources it offers (AllResources / AllDataSources).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "schema/resource.h"

namespace pxc::resources {

std::vector<std::shared_ptr<const schema::Resource>> AllResources();
std::vector<std::shared_ptr<const schema::DataSource>> AllDataSources();

// The provider definition served by terraform-provider-pxc.
std::shared_ptr<const schema::ProviderDefinition> MakeProvider(std::string version);

}  // namespace pxc::resources
