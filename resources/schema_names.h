// The schema vocabulary the resource type files use (attributes, values,
// paths, diagnostics), brought into pxc::resources once instead of a block
// of using-declarations in every file. For the .cc files of resources/.
#pragma once

#include "schema/diagnostics.h"
#include "schema/path.h"
#include "schema/schema.h"
#include "schema/value.h"

namespace pxc::resources {

using schema::AttributePath;
using schema::ComputedAttr;
using schema::Diagnostics;
using schema::OptionalAttr;
using schema::OptionalComputedAttr;
using schema::RequiredAttr;
using schema::Type;
using schema::Value;

}  // namespace pxc::resources
