// The interfaces a provider, its resources and data sources implement. They
// see typed values, a plan and diagnostics; nothing here knows about gRPC or
// protobuf. The core server (provider/core.h) runs Terraform's lifecycle over
// these interfaces and enforces the protocol's consistency rules.
//
// Thread-safety: Terraform runs up to 10 RPCs at once, so every method may be
// called concurrently on the same object; implementations keep no mutable
// state outside the context objects they are handed (or guard it).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "schema/diagnostics.h"
#include "schema/schema.h"
#include "schema/value.h"

namespace pxc::schema {

// What ConfigureProvider established: the provider configuration (an object
// of the provider schema's type; null before configuration) and a flag set
// by StopProvider that long operations poll, and a progress log.
struct ProviderContext {
  Value config;
  std::string terraform_version;
  std::shared_ptr<std::atomic<bool>> stopping = std::make_shared<std::atomic<bool>>(false);
  bool configured = false;
  // Progress messages of long operations ("pxc2: stopping"), with fields
  // such as node and step. The core logs them at info level (secrets are
  // redacted there); empty in unit tests. Callable from any thread.
  using LogFields = std::vector<std::pair<std::string, std::string>>;
  std::function<void(const std::string& message, const LogFields& fields)> progress;
  void Progress(const std::string& message, const LogFields& fields = {}) const {
    if (progress) progress(message, fields);
  }
};

// Write-only attributes: `config`, and `planned` in PlanContext and
// ApplyContext, carry their configured values (the core copies them from the
// configuration); the core nulls them in everything it returns to Terraform,
// so a resource may leave them in place. `prior`, `current` and stored state
// always have them null.
struct PlanContext {
  const ProviderContext& provider;
  const Value& prior;   // null when creating
  const Value& config;  // may contain unknowns
  Value planned;        // after the core's pipeline; the resource may change it
  // On entry, the RequiresReplace attributes that differ from prior. The
  // resource may add paths; after ModifyPlan the core recomputes the
  // attribute-based ones from the final plan and keeps the added ones.
  std::vector<AttributePath> requires_replace;
  std::string private_data;  // becomes planned_private
  Diagnostics diags;
};

struct ApplyContext {
  const ProviderContext& provider;
  const Value& prior;    // null when creating
  const Value& planned;  // null when deleting
  const Value& config;   // null when deleting
  const std::string& planned_private;
  Value new_state;           // set by Create/Update; must be wholly known
  std::string private_data;  // stored with the new state
  Diagnostics diags;
};

struct ReadContext {
  const ProviderContext& provider;
  const Value& current;
  Value new_state;           // set to null when the remote object is gone
  std::string private_data;  // in: stored private data; out: new
  Diagnostics diags;
};

struct ImportContext {
  const ProviderContext& provider;
  std::string id;
  Value state;  // an object of the schema type; the core then calls Read
  std::string private_data;
  Diagnostics diags;
};

struct UpgradeContext {
  int64_t from_version = 0;
  nlohmann::json raw;  // state JSON as stored by that version
  Value upgraded;      // an object of the current schema type
  Diagnostics diags;
};

class Resource {
 public:
  virtual ~Resource() = default;
  virtual std::string TypeName() const = 0;
  virtual const Schema& GetSchema() const = 0;

  // Checks configuration that may contain unknowns. Attribute validators of
  // the schema have already run.
  virtual void ValidateConfig(const Value& config, Diagnostics& diags) const;
  // Adjusts a plan the core has prepared (defaults, unknown computed
  // attributes, RequiresReplace paths). Not called for destroy plans.
  virtual void ModifyPlan(PlanContext& ctx) const;
  virtual void Create(ApplyContext& ctx) const = 0;
  virtual void Read(ReadContext& ctx) const;  // default: state unchanged
  virtual void Update(ApplyContext& ctx) const;
  virtual void Delete(ApplyContext& ctx) const;  // default: nothing to delete
  virtual void ImportState(ImportContext& ctx) const;
  // Called only when the stored version differs from GetSchema().version.
  virtual void UpgradeState(UpgradeContext& ctx) const;
};

// Ephemeral resources (protocol 6.7): opened by Terraform in every walk that
// needs their values and closed at its end; the result is never stored in
// state or plan.
struct OpenContext {
  const ProviderContext& provider;
  const Value& config;  // wholly known (the core does not call Open otherwise)
  // Starts as `config` with the schema's defaults applied (read inputs from
  // here); set the computed attributes.
  Value result;
  // When set, Terraform calls Renew at that time if the walk still runs.
  std::optional<std::chrono::system_clock::time_point> renew_at;
  std::string private_data;  // handed to Renew and Close; not secret material
  Diagnostics diags;
};

struct RenewContext {
  const ProviderContext& provider;
  const std::string& private_data;  // from Open (or the previous Renew)
  std::optional<std::chrono::system_clock::time_point> renew_at;  // next renewal
  std::string next_private;                                       // for the next Renew
  Diagnostics diags;
};

struct CloseContext {
  const ProviderContext& provider;
  const std::string& private_data;  // from Open
  Diagnostics diags;
};

class EphemeralResource {
 public:
  virtual ~EphemeralResource() = default;
  virtual std::string TypeName() const = 0;
  virtual const Schema& GetSchema() const = 0;
  virtual void ValidateConfig(const Value& config, Diagnostics& diags) const;
  virtual void Open(OpenContext& ctx) const = 0;
  // Default: nothing to renew (never called unless Open set renew_at).
  virtual void Renew(RenewContext& ctx) const;
  // Default: nothing to release.
  virtual void Close(CloseContext& ctx) const;
};

class DataSource {
 public:
  virtual ~DataSource() = default;
  virtual std::string TypeName() const = 0;
  virtual const Schema& GetSchema() const = 0;
  virtual void ValidateConfig(const Value& config, Diagnostics& diags) const;
  // `state` starts as the configuration with computed attributes null.
  virtual void Read(const ProviderContext& provider, const Value& config, Value& state,
                    Diagnostics& diags) const = 0;
};

class ProviderDefinition {
 public:
  virtual ~ProviderDefinition() = default;
  virtual std::string Name() const = 0;  // "pxc"
  virtual std::string Version() const = 0;
  virtual const Schema& GetSchema() const = 0;
  virtual void ValidateConfig(const Value& config, Diagnostics& diags) const;
  // Checks the known configuration at ConfigureProvider.
  virtual void Configure(ProviderContext& ctx, Diagnostics& diags) const;
  virtual std::vector<std::shared_ptr<const Resource>> Resources() const = 0;
  virtual std::vector<std::shared_ptr<const DataSource>> DataSources() const = 0;
  virtual std::vector<std::shared_ptr<const EphemeralResource>> EphemeralResources() const {
    return {};
  }
  // Releases what the process holds for later calls (connections to nodes),
  // once no call is being served any more; must be quick (the plugin exits
  // right after). Returns a short account for the provider's log ("" when
  // nothing was held).
  virtual std::string Shutdown() const { return ""; }
};

}  // namespace pxc::schema
