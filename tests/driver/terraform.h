// The resource lifecycle as Terraform core runs it over a connected plugin:
// schemas, validation, provider configuration, refresh (UpgradeResourceState
// then ReadResource), planning (ProposedNew, PlanResourceChange, the plan
// checks, requires_replace filtering, the action, the re-plan with a null
// prior on replace), apply (the apply-time re-plan checked against the first
// plan, ApplyResourceChange and the result checks), import and destroy; and
// data sources (ValidateDataResourceConfig, ReadDataSource with core's checks
// of the result).
// Violations are reported with Terraform's own error summaries, e.g.
// "Provider produced invalid plan", so a failure here is a failure a user
// would see.
//
// Values are pxc::schema::Value, sent as msgpack and decoded with the
// schema's implied type. The state (address -> type, value, private bytes)
// is kept by the caller in a State, which can be saved to and loaded from a
// JSON file (attributes JSON as Terraform stores them, private bytes in
// base64), so that each walk can run in a fresh provider process.
//
// Thread-safety: after LoadSchemas, the RPC methods of Terraform are const
// and may be called concurrently (Terraform itself runs up to 10 at once).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "schema/diagnostics.h"
#include "schema/schema.h"
#include "schema/value.h"
#include "tests/driver/objchange.h"
#include "tests/driver/plugin_client.h"

namespace pxc::tfdriver {

using schema::AttributePath;
using schema::Diagnostics;
using schema::Type;
using schema::Value;

inline constexpr char kTerraformVersion[] = "1.9.8";

// kRead: a data source read deferred to apply (its configuration is not
// wholly known at plan time).
enum class Action { kNoOp, kCreate, kUpdate, kReplace, kDelete, kRead };
// "no-op", "create", "update", "replace", "delete", "read".
const char* ActionName(Action a);
std::optional<Action> ParseAction(std::string_view name);

struct ProviderSchemas {
  schema::Schema provider;
  std::map<std::string, schema::Schema> resources;
  std::map<std::string, schema::Schema> data_sources;
  std::map<std::string, schema::Schema> ephemeral_resources;
  bool plan_destroy = false;
  bool move_resource_state = false;
};

// Converts a tfplugin6 schema, checking it as core would: every attribute
// has exactly one of required / optional / optional+computed / computed and
// a type that parses; names are unique; nesting modes are valid.
StatusOr<schema::Schema> SchemaFromProto(const tfplugin6::Schema& in);

// Diagnostics of a response, with their attribute paths.
Diagnostics DiagnosticsFromProto(
    const google::protobuf::RepeatedPtrField<tfplugin6::Diagnostic>& in);
schema::AttributePath PathFromProto(const tfplugin6::AttributePath& in);
// One line per diagnostic: "Error: <summary> (at <path>): <detail>".
std::string FormatDiagnostics(const Diagnostics& diags);

// One resource instance in state.
struct ResourceObject {
  std::string type;
  Value value;
  std::string private_data;
};

// A planned change to one resource instance (what core keeps in a plan).
struct PlannedChange {
  std::string address;
  std::string type;
  Action action = Action::kNoOp;
  Value prior;  // refreshed prior state; null for create
  std::string prior_private;
  Value config;   // as planned (may contain unknowns); null for delete
  Value planned;  // planned new state; null for delete
  std::string planned_private;
  // requires_replace paths left after core's filtering (prior != planned).
  std::vector<AttributePath> requires_replace;
  // On replace: the first plan (from the prior), whose requires_replace
  // paths caused the replacement; `planned` is the re-plan from null.
  Value replaced_plan;
};

struct PlanOutcome {
  PlannedChange change;
  Diagnostics diags;
};

struct ApplyOutcome {
  // The new state object; nullopt when nothing may be stored (the previous
  // state stays). Null value = the object is gone.
  std::optional<ResourceObject> new_object;
  Action final_action = Action::kNoOp;  // after the apply-time re-plan
  Diagnostics diags;
};

struct ReadOutcome {
  Value value;  // null: the remote object is gone
  std::string private_data;
  Diagnostics diags;
};

// What the emulated core says it can do (tfplugin6 ClientCapabilities) and
// which version it announces in ConfigureProvider. The default is a core
// before Terraform 1.11: no write-only attributes.
struct ClientOptions {
  std::string terraform_version = kTerraformVersion;
  bool write_only_attributes_allowed = false;
};

// An opened ephemeral resource instance (OpenEphemeralResource).
struct EphemeralOpenOutcome {
  Value result;
  std::optional<std::chrono::system_clock::time_point> renew_at;
  std::optional<std::string> private_data;
  Diagnostics diags;
};

struct EphemeralRenewOutcome {
  std::optional<std::chrono::system_clock::time_point> renew_at;
  std::optional<std::string> private_data;
  Diagnostics diags;
};

// True for a data source address ("data.<type>.<name>").
bool IsDataAddress(const std::string& address);

class Terraform {
 public:
  // `client` must outlive this object. `provider_address` is used in
  // messages, as core writes it.
  explicit Terraform(PluginClient& client,
                     std::string provider_address = "registry.terraform.io/pxc/pxc");

  void set_client(ClientOptions client) { client_options_ = std::move(client); }
  const ClientOptions& client() const { return client_options_; }

  // GetProviderSchema (once) and the sanity checks of SchemaFromProto, plus
  // core's: write-only attributes only in managed resources.
  Diagnostics LoadSchemas();
  const ProviderSchemas& schemas() const { return schemas_; }
  // nullptr when the provider has no such resource type.
  const schema::Schema* ResourceSchema(const std::string& type) const;
  // nullptr when the provider has no such data source.
  const schema::Schema* DataSourceSchema(const std::string& type) const;
  const schema::Schema* EphemeralResourceSchema(const std::string& type) const;

  // GetMetadata: the resource type names, or error diagnostics.
  Diagnostics GetMetadata(std::vector<std::string>* resource_types,
                          std::vector<std::string>* ephemeral_types = nullptr) const;

  Diagnostics ValidateProviderConfig(const Value& config) const;
  // `terraform_version` empty: the client's.
  Diagnostics ConfigureProvider(const Value& config,
                                const std::string& terraform_version = "") const;
  // Sends the client's write_only_attributes_allowed capability.
  Diagnostics ValidateResourceConfig(const std::string& type, const Value& config) const;
  Diagnostics ValidateDataResourceConfig(const std::string& type, const Value& config) const;

  // UpgradeResourceState with the stored attributes JSON; the result must
  // conform to the schema and be wholly known.
  Diagnostics UpgradeResourceState(const std::string& address, const std::string& type,
                                   int64_t version, const std::string& json, Value* out) const;
  // ReadResource (refresh): the result must conform and be wholly known, or
  // be null (the object is gone).
  ReadOutcome ReadResource(const std::string& address, const std::string& type,
                           const Value& current, const std::string& private_data) const;

  // Plans one instance. `config` nullopt plans its deletion (with
  // PlanResourceChange when the provider advertises plan_destroy). Otherwise
  // re-validates the config (ValidateResourceConfig, as core's plan does),
  // sends ProposedNew, checks the plan (AssertPlanValid, requires_replace
  // paths), decides the action and, on replace, plans again with a null
  // prior (whose plan the change then carries).
  PlanOutcome Plan(const std::string& address, const std::string& type, const Value& prior,
                   const std::string& prior_private, const std::optional<Value>& config) const;

  // Applies a planned change as core's apply walk does: a delete (or the
  // delete half of a replace) is ApplyResourceChange with a null planned
  // state; a create/update/replace is first re-planned with `final_config`
  // (references now known) and checked against the first plan ("Provider
  // produced inconsistent final plan"), then applied and the result checked
  // against the re-plan ("Provider produced inconsistent result after
  // apply", "Provider returned invalid result object after apply").
  ApplyOutcome Apply(const PlannedChange& change, const Value& final_config) const;

  // Reads a data source as core's readDataSource does, at plan time (config
  // wholly known) or at apply time (a deferred read): ValidateDataResourceConfig
  // again with the known configuration, ReadDataSource, then core's checks of
  // the result: it must conform to the schema ("Provider produced invalid
  // object"), be non-null ("Provider produced null object") and wholly known
  // (unknowns become null in the returned value, with an error), and keep
  // every configured value of a non-computed or configured attribute, as
  // AssertPlanValid checks a plan from a null prior ("Provider produced
  // invalid object", with the attribute path). The provider's diagnostics
  // keep their attribute paths. `config` must be wholly known.
  ReadOutcome ReadDataSource(const std::string& address, const std::string& type,
                             const Value& config) const;

  // Ephemeral resources as core's ephemeralResourceOpen does:
  // ValidateEphemeralResourceConfig, then (with a wholly known
  // configuration) OpenEphemeralResource, the result checked like a plan
  // from a null prior ("Provider produced invalid ephemeral resource
  // instance"). Renew and Close pass the private bytes through.
  Diagnostics ValidateEphemeralResourceConfig(const std::string& type, const Value& config) const;
  EphemeralOpenOutcome OpenEphemeralResource(const std::string& address, const std::string& type,
                                             const Value& config) const;
  EphemeralRenewOutcome RenewEphemeralResource(
      const std::string& type, const std::optional<std::string>& private_data) const;
  Diagnostics CloseEphemeralResource(const std::string& type,
                                     const std::optional<std::string>& private_data) const;

  // ImportResourceState then ReadResource of each imported object, as
  // `terraform import` does.
  Diagnostics Import(const std::string& address, const std::string& type, const std::string& id,
                     std::vector<ResourceObject>* imported) const;

  // Encodes a value for the wire (msgpack with the type).
  static StatusOr<tfplugin6::DynamicValue> Encode(const Value& v, const Type& type);
  // Decodes a DynamicValue: msgpack, else JSON, else (both empty) null.
  static StatusOr<Value> Decode(const tfplugin6::DynamicValue& dv, const Type& type);

  // A guard against a hung plugin, not a limit: Terraform core sets no
  // deadline on its RPCs, and a rolling restart of a cluster legitimately
  // runs for many minutes inside one ApplyResourceChange.
  std::chrono::seconds rpc_timeout{3600};

 private:
  // Sends one RPC and appends the diagnostics of its response to `diags`.
  // False (with core's "Plugin did not respond" error) if the plugin did not
  // answer; the caller decides what the response's errors stop.
  template <typename Req, typename Resp, typename Method>
  bool Call(const char* rpc, Method method, const Req& req, Resp* resp, Diagnostics& diags) const;
  // Core's error for a resource type the provider's schema does not have;
  // `where` is appended to its detail (e.g. " (found in state at …)").
  Diagnostics UnsupportedResourceType(const std::string& type, const std::string& where) const;
  // One plan call + checks (no replace handling).
  bool PlanOnce(const std::string& address, const std::string& type, const schema::Schema& s,
                const Value& prior, const std::string& prior_private, const Value& config,
                Value* planned, std::string* planned_private,
                std::vector<AttributePath>* requires_replace, Diagnostics& diags) const;
  ApplyOutcome ApplyOnce(const PlannedChange& change, const schema::Schema& s, const Value& prior,
                         const Value& planned, const Value& config,
                         const std::string& planned_private, Action action) const;

  // Terraform 1.11's ValidateWriteOnlyAttributes on a returned value: an
  // error with `summary` per write-only attribute that is not null.
  bool CheckWriteOnlyNull(const schema::Block& block, const Value& v, const std::string& address,
                          const std::string& summary, Diagnostics& diags) const;

  PluginClient& client_;
  std::string provider_address_;
  ProviderSchemas schemas_;
  ClientOptions client_options_;
};

// A Terraform state: resource instances by address, in creation order. Data
// sources are kept as Terraform keeps them (mode "data", address
// "data.<type>.<name>", the data source's schema); they are never upgraded
// nor refreshed, only replaced by the next read.
class State {
 public:
  const ResourceObject* Find(const std::string& address) const;
  void Set(const std::string& address, ResourceObject object);
  void Remove(const std::string& address);
  const std::vector<std::pair<std::string, ResourceObject>>& objects() const { return objects_; }
  bool empty() const { return objects_.empty(); }

  // Writes the state as JSON: for each instance its address, type, schema
  // version, attributes (EncodeJson of the value, as Terraform stores them)
  // and private bytes in base64.
  Status Save(const std::string& path, const ProviderSchemas& schemas) const;

  // One stored instance before decoding.
  struct Stored {
    std::string address;
    std::string type;
    int64_t schema_version = 0;
    std::string attributes_json;
    std::string private_data;
  };
  static StatusOr<std::vector<Stored>> LoadFile(const std::string& path);
  // Loads a state file and decodes every managed instance through the
  // provider's UpgradeResourceState, as core does at the start of every walk
  // (data source results are decoded with their schema, without an RPC).
  static Diagnostics Load(const std::string& path, const Terraform& tf, State* out);

 private:
  std::vector<std::pair<std::string, ResourceObject>> objects_;
};

}  // namespace pxc::tfdriver
