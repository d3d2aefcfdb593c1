// The protocol-agnostic core of the provider server: Terraform's resource
// lifecycle over schema-level values. The gRPC adapter decodes requests into
// these calls and encodes the results; resources are reached only through
// the interfaces in schema/resource.h.
//
// The core runs the plan pipeline (defaults, computed-and-unset attributes
// become unknown when anything changes unless UseStateForUnknown, collecting
// RequiresReplace paths, then the resource's ModifyPlan) and checks every
// answer a resource gives against the rules Terraform core enforces, turning
// a violation into an error diagnostic instead of an invalid response.
//
// Write-only attributes are handled here for every resource: refused at
// validation unless the client allows them, handed to ModifyPlan and
// Create/Update in `planned` (copied from the configuration), and nulled in
// every value returned (planned state, new state, read, upgraded and
// imported state), whatever the resource put there.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "schema/resource.h"

namespace pxc::provider {

using schema::AttributePath;
using schema::Diagnostics;
using schema::Value;

struct PlanResult {
  Value planned;
  std::vector<AttributePath> requires_replace;
  std::string planned_private;
  Diagnostics diags;
};

struct ApplyResult {
  Value new_state;
  std::string private_data;
  Diagnostics diags;
};

struct ReadResult {
  Value new_state;
  std::string private_data;
  Diagnostics diags;
};

struct ImportedObject {
  std::string type_name;
  Value state;
  std::string private_data;
};

struct ImportResult {
  std::vector<ImportedObject> objects;
  Diagnostics diags;
};

struct UpgradeResult {
  Value upgraded;
  Diagnostics diags;
};

struct OpenResult {
  Value result;
  std::optional<std::chrono::system_clock::time_point> renew_at;
  std::string private_data;
  Diagnostics diags;
};

struct RenewResult {
  std::optional<std::chrono::system_clock::time_point> renew_at;
  std::string private_data;
  Diagnostics diags;
};

// What the calling Terraform said it can handle (tfplugin6
// ClientCapabilities). Cores before Terraform 1.11 send none of it.
struct ClientCapabilities {
  bool write_only_attributes_allowed = false;
};

class Core {
 public:
  explicit Core(std::shared_ptr<const schema::ProviderDefinition> def);

  const schema::ProviderDefinition& definition() const { return *def_; }
  // Schemas by type name; nullptr when unknown.
  const schema::Resource* FindResource(const std::string& type) const;
  const schema::DataSource* FindDataSource(const std::string& type) const;
  const schema::EphemeralResource* FindEphemeralResource(const std::string& type) const;
  // Diagnostics from checking every schema at start (a provider bug when
  // not empty).
  const Diagnostics& schema_diags() const { return schema_diags_; }

  Diagnostics ValidateProviderConfig(const Value& config) const;
  // Refuses a set write-only attribute unless `client` allows them.
  Diagnostics ValidateResourceConfig(const std::string& type, const Value& config,
                                     const ClientCapabilities& client = {}) const;
  Diagnostics ValidateDataResourceConfig(const std::string& type, const Value& config) const;
  Diagnostics ConfigureProvider(const std::string& terraform_version, const Value& config);
  UpgradeResult UpgradeResourceState(const std::string& type, int64_t version,
                                     const std::string& raw_json) const;
  ReadResult ReadResource(const std::string& type, const Value& current,
                          const std::string& private_data) const;
  PlanResult PlanResourceChange(const std::string& type, const Value& prior, const Value& proposed,
                                const Value& config, const std::string& prior_private) const;
  ApplyResult ApplyResourceChange(const std::string& type, const Value& prior, const Value& planned,
                                  const Value& config, const std::string& planned_private) const;
  ImportResult ImportResourceState(const std::string& type, const std::string& id) const;
  ReadResult ReadDataSource(const std::string& type, const Value& config) const;

  // Ephemeral resources. Open with a configuration that is not wholly known
  // (a plan before its inputs exist) does not call the resource: the result
  // is the configuration with every computed attribute unknown, as core
  // plans a deferred data source read.
  Diagnostics ValidateEphemeralResourceConfig(const std::string& type, const Value& config) const;
  OpenResult OpenEphemeralResource(const std::string& type, const Value& config) const;
  RenewResult RenewEphemeralResource(const std::string& type,
                                     const std::string& private_data) const;
  Diagnostics CloseEphemeralResource(const std::string& type,
                                     const std::string& private_data) const;
  void Stop();

  // Diagnostic for an unknown resource/data source type name.
  static Diagnostics UnknownType(const std::string& kind, const std::string& type);

 private:
  // A snapshot of the provider context (configured once, read often).
  std::shared_ptr<const schema::ProviderContext> Context() const;

  std::shared_ptr<const schema::ProviderDefinition> def_;
  std::map<std::string, std::shared_ptr<const schema::Resource>> resources_;
  std::map<std::string, std::shared_ptr<const schema::DataSource>> data_sources_;
  std::map<std::string, std::shared_ptr<const schema::EphemeralResource>> ephemeral_;
  Diagnostics schema_diags_;
  std::shared_ptr<std::atomic<bool>> stopping_;
  mutable std::mutex mu_;
  std::shared_ptr<const schema::ProviderContext> context_;  // guarded by mu_
};

// Exposed for tests: the plan pipeline's pure steps.
namespace pipeline {
// Validators of every attribute (recursively through nested blocks) on the
// known values of `config`.
void RunValidators(const schema::Block& block, const Value& config, const AttributePath& at,
                   Diagnostics& diags);
// `proposed` with the default of every optional+computed attribute that
// `config` leaves null (through single, group and list blocks).
Value ApplyDefaults(const schema::Block& block, const Value& proposed, const Value& config);
// Returns the planned value for a create or update before the resource's
// ModifyPlan: defaults for null optional+computed attributes, and
// computed attributes left null by config set to unknown (on update only when
// the object changes, and never for UseStateForUnknown attributes that have a
// prior value).
Value PlanObject(const schema::Block& block, const Value& prior, const Value& proposed,
                 const Value& config);
// Paths of RequiresReplace attributes whose planned value differs from prior
// (or is unknown). Empty when prior is null.
std::vector<AttributePath> RequiresReplacePaths(const schema::Block& block, const Value& prior,
                                                const Value& planned);
// Terraform's checks: the planned value keeps every non-null config value and
// nulls every unset non-computed attribute. Adds a "Provider Produced Invalid
// Plan" error per violation.
void CheckPlan(const schema::Block& block, const Value& config, const Value& planned,
               const AttributePath& at, Diagnostics& diags);
// Apply must keep every known planned value and leave nothing unknown.
void CheckApply(const Value& planned, const Value& applied, Diagnostics& diags);
// `v` with every write-only attribute of `block` null (through single,
// group, list and map blocks; sets cannot hold write-only attributes). Null
// and unknown `v` are returned as they are.
Value NullWriteOnly(const schema::Block& block, const Value& v);
// `v` with every write-only attribute set to its value in `config` (list
// blocks by index, map blocks by key). `v` is returned as it is when it or
// `config` is not known.
Value CopyWriteOnly(const schema::Block& block, const Value& config, const Value& v);
// An error per write-only attribute that `config` sets (known or unknown),
// for a client that does not allow them: the Terraform version needed and,
// for `<name>_wo`, the stored alternative `<name>` when the block has one.
void RefuseWriteOnly(const schema::Block& block, const Value& config, const AttributePath& at,
                     Diagnostics& diags);
}  // namespace pipeline

}  // namespace pxc::provider
