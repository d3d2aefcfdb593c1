// Registry-style documentation generated from the provider's schemas (the
// descriptions are the single source), embedding the examples:
//   docs/index.md, docs/resources/<name>.md, docs/data-sources/<name>.md
// `terraform-provider-pxc docs [--check] <repo root>` writes them, or with
// --check reports which committed files differ (CI fails on drift).
#pragma once

#include <map>
#include <string>

#include "schema/resource.h"

namespace pxc::provider {

// Relative path -> Markdown content.
std::map<std::string, std::string> GenerateDocs(const schema::ProviderDefinition& def,
                                                const std::string& repo_root);

// Writes (or with check=true compares) the docs under repo_root. Returns the
// process exit code; prints what it did or which files differ.
int RunDocsCommand(const schema::ProviderDefinition& def, const std::string& repo_root, bool check);

}  // namespace pxc::provider
