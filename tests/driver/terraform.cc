// Implementation of tests/driver/terraform.h: Terraform core's side of the
// resource lifecycle (plan, apply, refresh, import, state files) as the
// driver plays it. About 1250 lines in one file: it mirrors one Terraform
// walk and its consistency checks, which share the state model.
#include "tests/driver/terraform.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "schema/json_codec.h"
#include "schema/msgpack.h"

namespace pxc::tfdriver {

using schema::Attribute;
using schema::Block;
using schema::Constraint;
using schema::NestedBlock;
using schema::Nesting;

namespace {

constexpr char kBug[] =
    "\n\nThis is a bug in the provider, which should be reported in the provider's own issue "
    "tracker.";

StatusOr<Type> NestedObjectType(const tfplugin6::Schema::Object& obj, const std::string& at);

StatusOr<Type> AttributeType(const tfplugin6::Schema::Attribute& a, const std::string& at) {
  if (a.has_nested_type()) {
    if (!a.type().empty()) {
      return InvalidArgumentError(at + ": has both a type and a nested_type");
    }
    return NestedObjectType(a.nested_type(), at);
  }
  auto t = Type::FromJsonString(a.type());
  if (!t.ok()) {
    return InvalidArgumentError(at + ": type " + a.type() +
                                " does not parse: " + t.status().message());
  }
  return *t;
}

StatusOr<Type> NestedObjectType(const tfplugin6::Schema::Object& obj, const std::string& at) {
  std::map<std::string, Type> attrs;
  for (const auto& a : obj.attributes()) {
    auto t = AttributeType(a, at + "." + a.name());
    if (!t.ok()) return t.status();
    attrs[a.name()] = *t;
  }
  Type o = Type::Object(std::move(attrs));
  switch (obj.nesting()) {
    case tfplugin6::Schema::Object::SINGLE:
      return o;
    case tfplugin6::Schema::Object::LIST:
      return Type::List(o);
    case tfplugin6::Schema::Object::SET:
      return Type::Set(o);
    case tfplugin6::Schema::Object::MAP:
      return Type::Map(o);
    default:
      return InvalidArgumentError(at + ": nested_type has an invalid nesting mode");
  }
}

StatusOr<Block> BlockFromProto(const tfplugin6::Schema::Block& in, const std::string& prefix) {
  Block out;
  out.description = in.description();
  out.deprecated = in.deprecated();
  std::set<std::string> names;
  for (const auto& a : in.attributes()) {
    const std::string at = prefix + a.name();
    if (a.name().empty()) return InvalidArgumentError(prefix + "<empty>: attribute without a name");
    if (!names.insert(a.name()).second) {
      return InvalidArgumentError(at + ": attribute declared twice");
    }
    Attribute attr;
    attr.name = a.name();
    auto t = AttributeType(a, at);
    if (!t.ok()) return t.status();
    attr.type = *t;
    const bool r = a.required(), o = a.optional(), c = a.computed();
    if (r && !o && !c) {
      attr.constraint = Constraint::kRequired;
    } else if (!r && o && !c) {
      attr.constraint = Constraint::kOptional;
    } else if (!r && !o && c) {
      attr.constraint = Constraint::kComputed;
    } else if (!r && o && c) {
      attr.constraint = Constraint::kOptionalComputed;
    } else {
      return InvalidArgumentError(at +
                                  ": must be exactly one of required, optional, "
                                  "optional+computed or computed (required=" +
                                  std::to_string(r) + " optional=" + std::to_string(o) +
                                  " computed=" + std::to_string(c) + ")");
    }
    attr.sensitive = a.sensitive();
    attr.deprecated = a.deprecated();
    attr.write_only = a.write_only();
    if (attr.write_only && c) {
      return InvalidArgumentError(at + ": a write-only attribute cannot be computed");
    }
    attr.description = a.description();
    out.attributes.push_back(std::move(attr));
  }
  for (const auto& b : in.block_types()) {
    const std::string at = prefix + b.type_name();
    if (b.type_name().empty())
      return InvalidArgumentError(prefix + "<empty>: block without a name");
    if (!names.insert(b.type_name()).second) {
      return InvalidArgumentError(at + ": name used twice (attribute or block)");
    }
    NestedBlock nb;
    nb.type_name = b.type_name();
    nb.min_items = b.min_items();
    nb.max_items = b.max_items();
    switch (b.nesting()) {
      case tfplugin6::Schema::NestedBlock::SINGLE:
        nb.nesting = Nesting::kSingle;
        break;
      case tfplugin6::Schema::NestedBlock::LIST:
        nb.nesting = Nesting::kList;
        break;
      case tfplugin6::Schema::NestedBlock::SET:
        nb.nesting = Nesting::kSet;
        break;
      case tfplugin6::Schema::NestedBlock::MAP:
        nb.nesting = Nesting::kMap;
        break;
      case tfplugin6::Schema::NestedBlock::GROUP:
        nb.nesting = Nesting::kGroup;
        break;
      default:
        return InvalidArgumentError(at + ": block has an invalid nesting mode");
    }
    auto inner = BlockFromProto(b.block(), at + ".");
    if (!inner.ok()) return inner.status();
    nb.block = *std::move(inner);
    out.blocks.push_back(std::move(nb));
  }
  return out;
}

// Replaces unknowns left in an applied value by null, as core does before
// saving it.
Value UnknownsToNull(const Value& v) {
  return v.Transform([](const AttributePath&, const Value& x) -> std::optional<Value> {
    if (x.IsUnknown()) return Value::Null(x.type());
    return std::nullopt;
  });
}

// The first path inside `v` that is unknown ("" for the root).
std::string FirstUnknownPath(const Value& v) {
  std::string found;
  bool done = false;
  v.Transform([&](const AttributePath& p, const Value& x) -> std::optional<Value> {
    if (!done && x.IsUnknown()) {
      found = p.ToString();
      done = true;
    }
    return std::nullopt;
  });
  return found;
}

std::string Join(const std::string& address, const std::string& path) {
  return path.empty() ? address : address + "." + path;
}

}  // namespace

// ---------------------------------------------------------------- helpers

const char* ActionName(Action a) {
  switch (a) {
    case Action::kNoOp:
      return "no-op";
    case Action::kCreate:
      return "create";
    case Action::kUpdate:
      return "update";
    case Action::kReplace:
      return "replace";
    case Action::kDelete:
      return "delete";
    case Action::kRead:
      return "read";
  }
  return "?";
}

bool IsDataAddress(const std::string& address) { return address.rfind("data.", 0) == 0; }

std::optional<Action> ParseAction(std::string_view name) {
  for (Action a : {Action::kNoOp, Action::kCreate, Action::kUpdate, Action::kReplace,
                   Action::kDelete, Action::kRead}) {
    if (name == ActionName(a)) return a;
  }
  return std::nullopt;
}

StatusOr<schema::Schema> SchemaFromProto(const tfplugin6::Schema& in) {
  schema::Schema s;
  s.version = in.version();
  if (s.version < 0) return InvalidArgumentError("negative schema version");
  auto b = BlockFromProto(in.block(), "");
  if (!b.ok()) return b.status();
  s.block = *std::move(b);
  return s;
}

schema::AttributePath PathFromProto(const tfplugin6::AttributePath& in) {
  schema::AttributePath p;
  for (const auto& step : in.steps()) {
    switch (step.selector_case()) {
      case tfplugin6::AttributePath::Step::kAttributeName:
        p = p.Attr(step.attribute_name());
        break;
      case tfplugin6::AttributePath::Step::kElementKeyString:
        p = p.Key(step.element_key_string());
        break;
      case tfplugin6::AttributePath::Step::kElementKeyInt:
        p = p.Index(step.element_key_int());
        break;
      default:
        break;
    }
  }
  return p;
}

Diagnostics DiagnosticsFromProto(
    const google::protobuf::RepeatedPtrField<tfplugin6::Diagnostic>& in) {
  Diagnostics out;
  for (const auto& d : in) {
    std::optional<AttributePath> path;
    if (d.has_attribute() && d.attribute().steps_size() > 0) path = PathFromProto(d.attribute());
    // Core treats anything but WARNING as an error.
    if (d.severity() == tfplugin6::Diagnostic::WARNING) {
      out.AddWarning(d.summary(), d.detail(), path);
    } else {
      out.AddError(d.summary(), d.detail(), path);
    }
  }
  return out;
}

std::string FormatDiagnostics(const Diagnostics& diags) {
  std::string out;
  for (const auto& d : diags.items()) {
    if (!out.empty()) out += "\n";
    out += d.severity == schema::Severity::kError ? "Error: " : "Warning: ";
    out += d.summary;
    if (d.path) out += " (at " + d.path->ToString() + ")";
    if (!d.detail.empty()) out += ": " + d.detail;
  }
  return out;
}

StatusOr<tfplugin6::DynamicValue> Terraform::Encode(const Value& v, const Type& type) {
  auto bytes = schema::EncodeMsgpack(v, type);
  if (!bytes.ok()) return bytes.status();
  tfplugin6::DynamicValue dv;
  dv.set_msgpack(*bytes);
  return dv;
}

StatusOr<Value> Terraform::Decode(const tfplugin6::DynamicValue& dv, const Type& type) {
  if (!dv.msgpack().empty()) return schema::DecodeMsgpack(dv.msgpack(), type);
  if (!dv.json().empty()) return schema::DecodeJson(dv.json(), type);
  return Value::Null(type);
}

// ---------------------------------------------------------------- Terraform

Terraform::Terraform(PluginClient& client, std::string provider_address)
    : client_(client), provider_address_(std::move(provider_address)) {}

template <typename Req, typename Resp, typename Method>
bool Terraform::Call(const char* rpc, Method method, const Req& req, Resp* resp,
                     Diagnostics& diags) const {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + rpc_timeout);
  grpc::Status s = (client_.provider().*method)(&ctx, req, resp);
  if (!s.ok()) {
    diags.AddError("Plugin did not respond",
                   std::string("The plugin encountered an error, and failed to respond to the "
                               "plugin.(*GRPCProvider).") +
                       rpc + " call. The plugin logs may contain more details. (gRPC status " +
                       GrpcStatusText(s) + ")");
    return false;
  }
  diags.Append(DiagnosticsFromProto(resp->diagnostics()));
  return true;
}

Diagnostics Terraform::UnsupportedResourceType(const std::string& type,
                                               const std::string& where) const {
  Diagnostics diags;
  diags.AddError("Invalid resource type", "The provider \"" + provider_address_ +
                                              "\" does not support resource type \"" + type + "\"" +
                                              where + ".");
  return diags;
}

Diagnostics Terraform::LoadSchemas() {
  Diagnostics diags;
  tfplugin6::GetProviderSchema::Request req;
  tfplugin6::GetProviderSchema::Response resp;
  if (!Call("GetProviderSchema", &tfplugin6::Provider::Stub::GetProviderSchema, req, &resp,
            diags)) {
    return diags;
  }
  if (diags.HasError()) return diags;
  auto bad = [&](const std::string& what, const Status& st) {
    diags.AddError("Invalid provider schema", "The schema of " + what + " returned by provider \"" +
                                                  provider_address_ +
                                                  "\" is invalid: " + st.message() + kBug);
  };
  auto p = SchemaFromProto(resp.provider());
  if (!p.ok()) {
    bad("the provider configuration", p.status());
  } else {
    schemas_.provider = *p;
  }
  for (const auto& [name, s] : resp.resource_schemas()) {
    auto r = SchemaFromProto(s);
    if (!r.ok()) {
      bad("resource type " + name, r.status());
    } else {
      schemas_.resources[name] = *r;
    }
  }
  for (const auto& [name, s] : resp.data_source_schemas()) {
    auto r = SchemaFromProto(s);
    if (!r.ok()) {
      bad("data source " + name, r.status());
    } else if (schema::HasWriteOnly(r->block)) {
      bad("data source " + name, InvalidArgumentError("write-only attributes are only allowed in "
                                                      "managed resources"));
    } else {
      schemas_.data_sources[name] = *r;
    }
  }
  for (const auto& [name, s] : resp.ephemeral_resource_schemas()) {
    auto r = SchemaFromProto(s);
    if (!r.ok()) {
      bad("ephemeral resource " + name, r.status());
    } else if (schema::HasWriteOnly(r->block)) {
      bad("ephemeral resource " + name,
          InvalidArgumentError("write-only attributes are only allowed in managed resources"));
    } else {
      schemas_.ephemeral_resources[name] = *r;
    }
  }
  if (schema::HasWriteOnly(schemas_.provider.block)) {
    bad("the provider configuration",
        InvalidArgumentError("write-only attributes are only allowed in managed resources"));
  }
  schemas_.plan_destroy = resp.server_capabilities().plan_destroy();
  schemas_.move_resource_state = resp.server_capabilities().move_resource_state();
  return diags;
}

const schema::Schema* Terraform::ResourceSchema(const std::string& type) const {
  auto it = schemas_.resources.find(type);
  return it == schemas_.resources.end() ? nullptr : &it->second;
}

const schema::Schema* Terraform::DataSourceSchema(const std::string& type) const {
  auto it = schemas_.data_sources.find(type);
  return it == schemas_.data_sources.end() ? nullptr : &it->second;
}

const schema::Schema* Terraform::EphemeralResourceSchema(const std::string& type) const {
  auto it = schemas_.ephemeral_resources.find(type);
  return it == schemas_.ephemeral_resources.end() ? nullptr : &it->second;
}

Diagnostics Terraform::GetMetadata(std::vector<std::string>* resource_types,
                                   std::vector<std::string>* ephemeral_types) const {
  Diagnostics diags;
  tfplugin6::GetMetadataRpc::Request req;
  tfplugin6::GetMetadataRpc::Response resp;
  if (!Call("GetMetadata", &tfplugin6::Provider::Stub::GetMetadata, req, &resp, diags))
    return diags;
  for (const auto& r : resp.resources()) resource_types->push_back(r.type_name());
  if (ephemeral_types) {
    for (const auto& e : resp.ephemeral_resources()) ephemeral_types->push_back(e.type_name());
  }
  return diags;
}

bool Terraform::CheckWriteOnlyNull(const Block& block, const Value& v, const std::string& address,
                                   const std::string& summary, Diagnostics& diags) const {
  bool ok = true;
  for (const auto& e : WriteOnlyNotNull(block, v)) {
    diags.AddError(summary,
                   "Provider \"" + provider_address_ +
                       "\" returned a value for the write-only "
                       "attribute \"" +
                       Join(address, e.path.ToString()) +
                       "\". Write-only attributes cannot be read back from the provider." + kBug,
                   e.path);
    ok = false;
  }
  return ok;
}

Diagnostics Terraform::ValidateProviderConfig(const Value& config) const {
  Diagnostics diags;
  tfplugin6::ValidateProviderConfig::Request req;
  auto dv = Encode(config, ImpliedType(schemas_.provider.block));
  if (!dv.ok()) {
    diags.AddError("Invalid provider configuration", dv.status().message());
    return diags;
  }
  *req.mutable_config() = *dv;
  tfplugin6::ValidateProviderConfig::Response resp;
  Call("ValidateProviderConfig", &tfplugin6::Provider::Stub::ValidateProviderConfig, req, &resp,
       diags);
  return diags;
}

Diagnostics Terraform::ConfigureProvider(const Value& config,
                                         const std::string& terraform_version) const {
  Diagnostics diags;
  tfplugin6::ConfigureProvider::Request req;
  req.set_terraform_version(terraform_version.empty() ? client_options_.terraform_version
                                                      : terraform_version);
  req.mutable_client_capabilities()->set_write_only_attributes_allowed(
      client_options_.write_only_attributes_allowed);
  auto dv = Encode(config, ImpliedType(schemas_.provider.block));
  if (!dv.ok()) {
    diags.AddError("Invalid provider configuration", dv.status().message());
    return diags;
  }
  *req.mutable_config() = *dv;
  tfplugin6::ConfigureProvider::Response resp;
  Call("ConfigureProvider", &tfplugin6::Provider::Stub::ConfigureProvider, req, &resp, diags);
  return diags;
}

Diagnostics Terraform::ValidateResourceConfig(const std::string& type, const Value& config) const {
  Diagnostics diags;
  const auto* s = ResourceSchema(type);
  tfplugin6::ValidateResourceConfig::Request req;
  req.set_type_name(type);
  // Terraform >= 1.11 sets it; older cores never send client capabilities.
  if (client_options_.write_only_attributes_allowed) {
    req.mutable_client_capabilities()->set_write_only_attributes_allowed(true);
  }
  if (s) {
    auto dv = Encode(config, ImpliedType(s->block));
    if (!dv.ok()) {
      diags.AddError("Invalid resource configuration", dv.status().message());
      return diags;
    }
    *req.mutable_config() = *dv;
  }
  tfplugin6::ValidateResourceConfig::Response resp;
  Call("ValidateResourceConfig", &tfplugin6::Provider::Stub::ValidateResourceConfig, req, &resp,
       diags);
  return diags;
}

Diagnostics Terraform::ValidateDataResourceConfig(const std::string& type,
                                                  const Value& config) const {
  Diagnostics diags;
  tfplugin6::ValidateDataResourceConfig::Request req;
  req.set_type_name(type);
  auto it = schemas_.data_sources.find(type);
  if (it != schemas_.data_sources.end()) {
    auto dv = Encode(config, ImpliedType(it->second.block));
    if (!dv.ok()) {
      diags.AddError("Invalid data source configuration", dv.status().message());
      return diags;
    }
    *req.mutable_config() = *dv;
  }
  tfplugin6::ValidateDataResourceConfig::Response resp;
  Call("ValidateDataResourceConfig", &tfplugin6::Provider::Stub::ValidateDataResourceConfig, req,
       &resp, diags);
  return diags;
}

Diagnostics Terraform::UpgradeResourceState(const std::string& address, const std::string& type,
                                            int64_t version, const std::string& json,
                                            Value* out) const {
  Diagnostics diags;
  const auto* s = ResourceSchema(type);
  if (!s) {
    diags.Append(UnsupportedResourceType(type, " (found in state at " + address + ")"));
    return diags;
  }
  tfplugin6::UpgradeResourceState::Request req;
  req.set_type_name(type);
  req.set_version(version);
  req.mutable_raw_state()->set_json(json);
  tfplugin6::UpgradeResourceState::Response resp;
  if (!Call("UpgradeResourceState", &tfplugin6::Provider::Stub::UpgradeResourceState, req, &resp,
            diags)) {
    return diags;
  }
  if (diags.HasError()) return diags;
  auto v = Decode(resp.upgraded_state(), ImpliedType(s->block));
  if (!v.ok()) {
    diags.AddError("Invalid resource state upgrade",
                   "The " + provider_address_ + " provider upgraded the state for " + address +
                       " from a previous version, but produced an invalid result: " +
                       v.status().message() + "." + kBug);
    return diags;
  }
  if (!v->IsWhollyKnown()) {
    diags.AddError("Invalid resource state upgrade", "The upgraded state for " + address +
                                                         " contains unknown values (at " +
                                                         FirstUnknownPath(*v) + ")." + kBug);
    return diags;
  }
  if (!CheckWriteOnlyNull(s->block, *v, address, "Invalid resource state upgrade", diags)) {
    return diags;
  }
  *out = *v;
  return diags;
}

ReadOutcome Terraform::ReadResource(const std::string& address, const std::string& type,
                                    const Value& current, const std::string& private_data) const {
  ReadOutcome out;
  out.value = current;
  out.private_data = private_data;
  const auto* s = ResourceSchema(type);
  if (!s) {
    out.diags.Append(UnsupportedResourceType(type, ""));
    return out;
  }
  const Type t = ImpliedType(s->block);
  auto cur = Encode(current, t);
  if (!cur.ok()) {
    out.diags.AddError("Invalid state", cur.status().message());
    return out;
  }
  tfplugin6::ReadResource::Request req;
  req.set_type_name(type);
  *req.mutable_current_state() = *cur;
  req.set_private_(private_data);
  tfplugin6::ReadResource::Response resp;
  if (!Call("ReadResource", &tfplugin6::Provider::Stub::ReadResource, req, &resp, out.diags)) {
    return out;
  }
  if (out.diags.HasError()) return out;
  auto v = Decode(resp.new_state(), t);
  if (!v.ok()) {
    out.diags.AddError("Provider produced invalid object",
                       "Provider \"" + provider_address_ + "\" planned an invalid value for " +
                           address + " during refresh: " + v.status().message() + "." + kBug);
    return out;
  }
  if (!v->IsNull() && !v->IsWhollyKnown()) {
    out.diags.AddError("Provider produced invalid object",
                       "Provider \"" + provider_address_ + "\" produced an unknown value for " +
                           Join(address, FirstUnknownPath(*v)) +
                           " during refresh: all values must be known after refresh." + kBug);
    return out;
  }
  if (!CheckWriteOnlyNull(s->block, *v, address, "Provider produced invalid object", out.diags)) {
    return out;
  }
  out.value = *v;
  out.private_data = resp.private_();
  return out;
}

ReadOutcome Terraform::ReadDataSource(const std::string& address, const std::string& type,
                                      const Value& config) const {
  ReadOutcome out;
  const auto* s = DataSourceSchema(type);
  if (!s) {
    out.diags.AddError("Invalid data source", "The provider \"" + provider_address_ +
                                                  "\" does not support data source \"" + type +
                                                  "\".");
    return out;
  }
  const Type t = ImpliedType(s->block);
  out.value = Value::Null(t);
  // Core re-validates the configuration, now wholly known, before reading.
  out.diags.Append(ValidateDataResourceConfig(type, config));
  if (out.diags.HasError()) return out;
  auto c = Encode(config, t);
  if (!c.ok()) {
    out.diags.AddError("pxc-tfdriver cannot encode a value", c.status().message());
    return out;
  }
  tfplugin6::ReadDataSource::Request req;
  req.set_type_name(type);
  *req.mutable_config() = *c;
  tfplugin6::ReadDataSource::Response resp;
  if (!Call("ReadDataSource", &tfplugin6::Provider::Stub::ReadDataSource, req, &resp, out.diags)) {
    return out;
  }
  if (out.diags.HasError()) return out;
  auto v = Decode(resp.state(), t);
  if (!v.ok()) {
    out.diags.AddError("Provider produced invalid object",
                       "Provider \"" + provider_address_ + "\" produced an invalid value for " +
                           address + ": " + v.status().message() + "." + kBug);
    return out;
  }
  if (v->IsNull()) {
    out.diags.AddError(
        "Provider produced null object",
        "Provider \"" + provider_address_ + "\" produced a null value for " + address + "." + kBug);
    return out;
  }
  Value nv = *v;
  if (!nv.IsWhollyKnown()) {
    out.diags.AddError("Provider produced invalid object",
                       "Provider \"" + provider_address_ + "\" produced a value for " + address +
                           " that is not wholly known (at " + FirstUnknownPath(nv) + ")." + kBug);
    nv = UnknownsToNull(nv);
  }
  // What was configured must come back as configured: a data source may
  // only fill in computed attributes (and optional+computed ones left null).
  for (const auto& e : AssertPlanValid(s->block, Value::Null(t), config, nv)) {
    out.diags.AddError("Provider produced invalid object",
                       "Provider \"" + provider_address_ + "\" produced an invalid value for " +
                           e.Format(address) + "." + kBug,
                       e.path.empty() ? std::nullopt : std::optional<AttributePath>(e.path));
  }
  out.value = nv;
  return out;
}

bool Terraform::PlanOnce(const std::string& address, const std::string& type,
                         const schema::Schema& s, const Value& prior,
                         const std::string& prior_private, const Value& config, Value* planned,
                         std::string* planned_private, std::vector<AttributePath>* requires_replace,
                         Diagnostics& diags) const {
  const Type t = ImpliedType(s.block);
  const Value proposed = ProposedNew(s.block, prior, config);
  tfplugin6::PlanResourceChange::Request req;
  req.set_type_name(type);
  auto p = Encode(prior, t), pn = Encode(proposed, t), c = Encode(config, t);
  for (const auto* e : {&p, &pn, &c}) {
    if (!e->ok()) {
      diags.AddError("pxc-tfdriver cannot encode a value", e->status().message());
      return false;
    }
  }
  *req.mutable_prior_state() = *p;
  *req.mutable_proposed_new_state() = *pn;
  *req.mutable_config() = *c;
  req.set_prior_private(prior_private);
  tfplugin6::PlanResourceChange::Response resp;
  if (!Call("PlanResourceChange", &tfplugin6::Provider::Stub::PlanResourceChange, req, &resp,
            diags)) {
    return false;
  }
  if (diags.HasError()) return false;
  if (resp.legacy_type_system()) {
    diags.AddError("Provider produced invalid plan",
                   "Provider \"" + provider_address_ + "\" set legacy_type_system for " + address +
                       ": only HashiCorp's legacy SDK may set it, and it makes core tolerate "
                       "invalid plans." +
                       kBug);
    return false;
  }
  auto v = Decode(resp.planned_state(), t);
  if (!v.ok()) {
    diags.AddError("Provider produced invalid plan",
                   "Provider \"" + provider_address_ + "\" planned a value for " + address +
                       " that does not conform to the schema: " + v.status().message() + "." +
                       kBug);
    return false;
  }
  bool ok = true;
  for (const auto& e : AssertPlanValid(s.block, prior, config, *v)) {
    diags.AddError("Provider produced invalid plan",
                   "Provider \"" + provider_address_ + "\" planned an invalid value for " +
                       e.Format(address) + "." + kBug,
                   e.path.empty() ? std::nullopt : std::optional<AttributePath>(e.path));
    ok = false;
  }
  if (!ok) return false;
  *planned = *v;
  *planned_private = resp.planned_private();
  requires_replace->clear();
  for (const auto& rp : resp.requires_replace()) requires_replace->push_back(PathFromProto(rp));
  return true;
}

namespace {

// Core's filtering of requires_replace and its choice of action.
Action DecideAction(const std::string& provider, const std::string& address, const Value& prior,
                    const Value& planned, const std::vector<AttributePath>& requires_replace,
                    std::vector<AttributePath>* kept, Diagnostics& diags) {
  kept->clear();
  if (!prior.IsNull()) {
    for (const auto& path : requires_replace) {
      auto pv = prior.At(path);
      auto nv = planned.At(path);
      if (!pv && !nv) {
        diags.AddError("Provider produced invalid plan",
                       "Provider \"" + provider + "\" has indicated \"requires replacement\" on " +
                           address + " for a non-existent attribute path " + path.ToString() + "." +
                           kBug);
        continue;
      }
      Value a = pv ? *pv : Value::Null(nv->type());
      Value b = nv ? *nv : Value::Null(pv->type());
      if (!KnownEqual(a, b)) kept->push_back(path);
    }
  }
  if (prior.IsNull()) return Action::kCreate;
  if (KnownEqual(planned, prior)) return Action::kNoOp;
  if (!kept->empty()) return Action::kReplace;
  return Action::kUpdate;
}

}  // namespace

PlanOutcome Terraform::Plan(const std::string& address, const std::string& type, const Value& prior,
                            const std::string& prior_private,
                            const std::optional<Value>& config) const {
  PlanOutcome out;
  PlannedChange& ch = out.change;
  ch.address = address;
  ch.type = type;
  ch.prior = prior;
  ch.prior_private = prior_private;
  const auto* s = ResourceSchema(type);
  if (!s) {
    out.diags.Append(UnsupportedResourceType(type, ""));
    return out;
  }
  const Type t = ImpliedType(s->block);
  if (!config) {
    ch.config = Value::Null(t);
    ch.planned = Value::Null(t);
    if (prior.IsNull()) {
      ch.action = Action::kNoOp;
      return out;
    }
    ch.action = Action::kDelete;
    ch.planned_private = prior_private;
    if (!schemas_.plan_destroy) return out;
    tfplugin6::PlanResourceChange::Request req;
    req.set_type_name(type);
    auto p = Encode(prior, t);
    if (!p.ok()) {
      out.diags.AddError("Invalid state", p.status().message());
      return out;
    }
    *req.mutable_prior_state() = *p;
    *req.mutable_proposed_new_state() = *Encode(Value::Null(t), t);
    *req.mutable_config() = *Encode(Value::Null(t), t);
    req.set_prior_private(prior_private);
    tfplugin6::PlanResourceChange::Response resp;
    if (!Call("PlanResourceChange", &tfplugin6::Provider::Stub::PlanResourceChange, req, &resp,
              out.diags)) {
      return out;
    }
    if (out.diags.HasError()) return out;
    auto v = Decode(resp.planned_state(), t);
    if (!v.ok() || !v->IsNull()) {
      out.diags.AddError("Provider produced invalid plan",
                         "Provider \"" + provider_address_ +
                             "\" planned a non-null destroy value for " + address + "." + kBug);
      return out;
    }
    ch.planned_private = resp.planned_private();
    return out;
  }

  ch.config = *config;
  out.diags.Append(ValidateResourceConfig(type, *config));
  if (out.diags.HasError()) return out;
  Value planned;
  std::string planned_private;
  std::vector<AttributePath> rr;
  if (!PlanOnce(address, type, *s, prior, prior_private, *config, &planned, &planned_private, &rr,
                out.diags)) {
    return out;
  }
  Action action =
      DecideAction(provider_address_, address, prior, planned, rr, &ch.requires_replace, out.diags);
  if (out.diags.HasError()) return out;
  if (action == Action::kReplace) {
    // Core plans again from a null prior and shows that as the new object.
    Diagnostics d;
    Value planned2;
    std::string private2;
    std::vector<AttributePath> rr2;
    if (!PlanOnce(address, type, *s, Value::Null(t), planned_private, *config, &planned2, &private2,
                  &rr2, d)) {
      out.diags.Append(d);
      return out;
    }
    ch.replaced_plan = planned;
    planned = planned2;
    planned_private = private2;
  }
  ch.action = action;
  ch.planned = planned;
  ch.planned_private = planned_private;
  return out;
}

ApplyOutcome Terraform::ApplyOnce(const PlannedChange& ch, const schema::Schema& s,
                                  const Value& prior, const Value& planned, const Value& config,
                                  const std::string& planned_private, Action action) const {
  ApplyOutcome out;
  out.final_action = action;
  const Type t = ImpliedType(s.block);
  tfplugin6::ApplyResourceChange::Request req;
  req.set_type_name(ch.type);
  auto p = Encode(prior, t), pl = Encode(planned, t), c = Encode(config, t);
  for (const auto* e : {&p, &pl, &c}) {
    if (!e->ok()) {
      out.diags.AddError("pxc-tfdriver cannot encode a value", e->status().message());
      return out;
    }
  }
  *req.mutable_prior_state() = *p;
  *req.mutable_planned_state() = *pl;
  *req.mutable_config() = *c;
  req.set_planned_private(planned_private);
  tfplugin6::ApplyResourceChange::Response resp;
  if (!Call("ApplyResourceChange", &tfplugin6::Provider::Stub::ApplyResourceChange, req, &resp,
            out.diags)) {
    return out;
  }
  if (resp.legacy_type_system()) {
    out.diags.AddError("Provider returned invalid result object after apply",
                       "Provider \"" + provider_address_ + "\" set legacy_type_system for " +
                           ch.address + ": only HashiCorp's legacy SDK may set it." + kBug);
  }
  auto v = Decode(resp.new_state(), t);
  if (!v.ok()) {
    out.diags.AddError("Provider returned invalid result object after apply",
                       "Provider \"" + provider_address_ + "\" returned a value for " + ch.address +
                           " that does not conform to the schema: " + v.status().message() + "." +
                           kBug);
    return out;
  }
  Value nv = *v;
  if (!nv.IsWhollyKnown()) {
    out.diags.AddError("Provider returned invalid result object after apply",
                       "After the apply operation, the provider still indicated an unknown value "
                       "for " +
                           Join(ch.address, FirstUnknownPath(nv)) +
                           ". All values must be known after apply, so this is always a bug in "
                           "the provider and should be reported in the provider's own "
                           "repository. Terraform will still save the other known object values "
                           "in the state.");
    nv = UnknownsToNull(nv);
  }
  if (!out.diags.HasError()) {
    if (action == Action::kDelete && !nv.IsNull()) {
      out.diags.AddError("Provider returned invalid result object after apply",
                         "After applying a destroy for " + ch.address + ", provider \"" +
                             provider_address_ +
                             "\" returned a non-null object. Destroying must always remove the "
                             "object." +
                             kBug);
    } else if (action != Action::kDelete && nv.IsNull()) {
      out.diags.AddError("Provider produced null object", "Provider \"" + provider_address_ +
                                                              "\" produced a null value for " +
                                                              ch.address + " after apply." + kBug);
    } else if (action != Action::kDelete &&
               CheckWriteOnlyNull(s.block, nv, ch.address, "Provider produced invalid object",
                                  out.diags)) {
      for (const auto& e : AssertObjectCompatible(s.block, planned, nv)) {
        out.diags.AddError(
            "Provider produced inconsistent result after apply",
            "When applying changes to " + ch.address + ", provider \"" + provider_address_ +
                "\" produced an unexpected new value: " + e.Format(ch.address) + "." + kBug,
            e.path.empty() ? std::nullopt : std::optional<AttributePath>(e.path));
      }
    }
  }
  out.new_object = ResourceObject{ch.type, nv, resp.private_()};
  return out;
}

ApplyOutcome Terraform::Apply(const PlannedChange& ch, const Value& final_config) const {
  ApplyOutcome out;
  out.final_action = ch.action;
  const auto* s = ResourceSchema(ch.type);
  if (!s) {
    out.diags.Append(UnsupportedResourceType(ch.type, ""));
    return out;
  }
  const Type t = ImpliedType(s->block);
  switch (ch.action) {
    case Action::kNoOp:
      out.new_object = ResourceObject{ch.type, ch.prior, ch.prior_private};
      return out;
    case Action::kDelete:
      return ApplyOnce(ch, *s, ch.prior, Value::Null(t), Value::Null(t), ch.planned_private,
                       Action::kDelete);
    case Action::kReplace: {
      ApplyOutcome del = ApplyOnce(ch, *s, ch.prior, Value::Null(t), Value::Null(t),
                                   ch.planned_private, Action::kDelete);
      del.final_action = Action::kReplace;
      if (del.diags.HasError()) return del;
      out.diags = del.diags;
      // The old object is gone; from here on a failure leaves no object.
      out.new_object = ResourceObject{ch.type, Value::Null(t), ""};
      break;
    }
    case Action::kRead:
      out.diags.AddError("Invalid action",
                         "pxc-tfdriver: " + ch.address +
                             " is a data source read; it is applied with ReadDataSource.");
      return out;
    case Action::kCreate:
    case Action::kUpdate:
      break;
  }

  // The apply-time re-plan, with the now-known configuration.
  const bool replacing = ch.action == Action::kReplace;
  const Value& prior = replacing ? Value::Null(t) : ch.prior;
  const std::string prior_private = replacing ? "" : ch.prior_private;
  out.diags.Append(ValidateResourceConfig(ch.type, final_config));
  if (out.diags.HasError()) return out;
  Value planned;
  std::string planned_private;
  std::vector<AttributePath> rr, kept;
  if (!PlanOnce(ch.address, ch.type, *s, prior, prior_private, final_config, &planned,
                &planned_private, &rr, out.diags)) {
    return out;
  }
  Action action = DecideAction(provider_address_, ch.address, prior, planned, rr, &kept, out.diags);
  if (out.diags.HasError()) return out;
  if (replacing && action == Action::kCreate) action = Action::kReplace;
  if (action != ch.action && !(ch.action == Action::kUpdate && action == Action::kNoOp)) {
    out.diags.AddError("Provider produced inconsistent final plan",
                       "When expanding the plan for " + ch.address +
                           " to include new values learned so far during apply, provider \"" +
                           provider_address_ + "\" changed the planned action from " +
                           ActionName(ch.action) + " to " + ActionName(action) + "." + kBug);
    return out;
  }
  for (const auto& e : AssertObjectCompatible(s->block, ch.planned, planned)) {
    out.diags.AddError("Provider produced inconsistent final plan",
                       "When expanding the plan for " + ch.address +
                           " to include new values learned so far during apply, provider \"" +
                           provider_address_ + "\" produced an invalid new value for " +
                           e.Format(ch.address) + "." + kBug,
                       e.path.empty() ? std::nullopt : std::optional<AttributePath>(e.path));
  }
  if (out.diags.HasError()) return out;
  if (action == Action::kNoOp) {
    out.final_action = Action::kNoOp;
    out.new_object = ResourceObject{ch.type, ch.prior, ch.prior_private};
    return out;
  }
  ApplyOutcome applied = ApplyOnce(ch, *s, prior, planned, final_config, planned_private,
                                   replacing ? Action::kCreate : action);
  applied.final_action = action;
  Diagnostics all = out.diags;
  all.Append(applied.diags);
  applied.diags = all;
  if (!applied.new_object && out.new_object) applied.new_object = out.new_object;
  return applied;
}

Diagnostics Terraform::ValidateEphemeralResourceConfig(const std::string& type,
                                                       const Value& config) const {
  Diagnostics diags;
  const auto* s = EphemeralResourceSchema(type);
  if (!s) {
    diags.AddError("Invalid ephemeral resource type",
                   "The provider \"" + provider_address_ +
                       "\" does not support ephemeral resource type \"" + type + "\".");
    return diags;
  }
  auto dv = Encode(config, ImpliedType(s->block));
  if (!dv.ok()) {
    diags.AddError("Invalid ephemeral resource configuration", dv.status().message());
    return diags;
  }
  tfplugin6::ValidateEphemeralResourceConfig::Request req;
  req.set_type_name(type);
  *req.mutable_config() = *dv;
  tfplugin6::ValidateEphemeralResourceConfig::Response resp;
  Call("ValidateEphemeralResourceConfig",
       &tfplugin6::Provider::Stub::ValidateEphemeralResourceConfig, req, &resp, diags);
  return diags;
}

namespace {
std::optional<std::chrono::system_clock::time_point> FromTimestamp(
    const google::protobuf::Timestamp& t) {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::seconds(t.seconds()) + std::chrono::nanoseconds(t.nanos())));
}
}  // namespace

EphemeralOpenOutcome Terraform::OpenEphemeralResource(const std::string& address,
                                                      const std::string& type,
                                                      const Value& config) const {
  EphemeralOpenOutcome out;
  const auto* s = EphemeralResourceSchema(type);
  out.diags.Append(ValidateEphemeralResourceConfig(type, config));
  if (out.diags.HasError() || !s) return out;
  const Type t = ImpliedType(s->block);
  out.result = Value::Null(t);
  tfplugin6::OpenEphemeralResource::Request req;
  req.set_type_name(type);
  *req.mutable_config() = *Encode(config, t);
  req.mutable_client_capabilities()->set_write_only_attributes_allowed(
      client_options_.write_only_attributes_allowed);
  tfplugin6::OpenEphemeralResource::Response resp;
  if (!Call("OpenEphemeralResource", &tfplugin6::Provider::Stub::OpenEphemeralResource, req, &resp,
            out.diags)) {
    return out;
  }
  if (out.diags.HasError()) return out;
  if (resp.has_deferred()) {
    out.diags.AddError("Provider deferred an ephemeral resource",
                       "Provider \"" + provider_address_ + "\" deferred " + address +
                           " although pxc-tfdriver did not allow deferrals." + kBug);
    return out;
  }
  auto v = Decode(resp.result(), t);
  if (!v.ok()) {
    out.diags.AddError("Provider produced invalid ephemeral resource instance",
                       "The provider for " + type +
                           " produced a value that does not conform to "
                           "the schema: " +
                           v.status().message() + "." + kBug);
    return out;
  }
  for (const auto& e : AssertPlanValid(s->block, Value::Null(t), config, *v)) {
    out.diags.AddError(
        "Provider produced invalid ephemeral resource instance",
        "The provider for " + type + " produced an inconsistent result: " + e.Format(address) + ".",
        e.path.empty() ? std::nullopt : std::optional<AttributePath>(e.path));
  }
  if (out.diags.HasError()) return out;
  out.result = *v;
  if (resp.has_renew_at()) out.renew_at = FromTimestamp(resp.renew_at());
  if (resp.has_private_()) out.private_data = resp.private_();
  return out;
}

EphemeralRenewOutcome Terraform::RenewEphemeralResource(
    const std::string& type, const std::optional<std::string>& private_data) const {
  EphemeralRenewOutcome out;
  tfplugin6::RenewEphemeralResource::Request req;
  req.set_type_name(type);
  if (private_data) req.set_private_(*private_data);
  tfplugin6::RenewEphemeralResource::Response resp;
  if (!Call("RenewEphemeralResource", &tfplugin6::Provider::Stub::RenewEphemeralResource, req,
            &resp, out.diags)) {
    return out;
  }
  if (resp.has_renew_at()) out.renew_at = FromTimestamp(resp.renew_at());
  if (resp.has_private_()) out.private_data = resp.private_();
  return out;
}

Diagnostics Terraform::CloseEphemeralResource(
    const std::string& type, const std::optional<std::string>& private_data) const {
  Diagnostics diags;
  tfplugin6::CloseEphemeralResource::Request req;
  req.set_type_name(type);
  if (private_data) req.set_private_(*private_data);
  tfplugin6::CloseEphemeralResource::Response resp;
  Call("CloseEphemeralResource", &tfplugin6::Provider::Stub::CloseEphemeralResource, req, &resp,
       diags);
  return diags;
}

Diagnostics Terraform::Import(const std::string& address, const std::string& type,
                              const std::string& id, std::vector<ResourceObject>* imported) const {
  Diagnostics diags;
  tfplugin6::ImportResourceState::Request req;
  req.set_type_name(type);
  req.set_id(id);
  tfplugin6::ImportResourceState::Response resp;
  if (!Call("ImportResourceState", &tfplugin6::Provider::Stub::ImportResourceState, req, &resp,
            diags)) {
    return diags;
  }
  if (diags.HasError()) return diags;
  if (resp.imported_resources_size() == 0) {
    diags.AddError("Import returned no resources", "Provider \"" + provider_address_ +
                                                       "\" returned no objects for the import of " +
                                                       address + " with ID \"" + id + "\".");
    return diags;
  }
  for (const auto& ir : resp.imported_resources()) {
    const auto* s = ResourceSchema(ir.type_name());
    if (!s) {
      diags.AddError("Invalid resource type", "The import of " + address +
                                                  " returned an object of unknown type \"" +
                                                  ir.type_name() + "\".");
      continue;
    }
    auto v = Decode(ir.state(), ImpliedType(s->block));
    if (!v.ok() || v->IsNull() || !v->IsWhollyKnown()) {
      diags.AddError("Provider produced invalid object",
                     "Provider \"" + provider_address_ +
                         "\" returned an invalid object for the "
                         "import of " +
                         address + ": " +
                         (v.ok() ? std::string("null or not wholly known") : v.status().message()) +
                         "." + kBug);
      continue;
    }
    if (!CheckWriteOnlyNull(s->block, *v, address, "Provider produced invalid object", diags)) {
      continue;
    }
    ReadOutcome read = ReadResource(address, ir.type_name(), *v, ir.private_());
    diags.Append(read.diags);
    if (read.diags.HasError()) continue;
    if (read.value.IsNull()) {
      diags.AddError("Cannot import non-existent remote object",
                     "While attempting to import an existing object to \"" + address +
                         "\", the provider detected that no object exists with the given id. "
                         "Only pre-existing objects can be imported; check that the id is "
                         "correct.");
      continue;
    }
    imported->push_back(ResourceObject{ir.type_name(), read.value, read.private_data});
  }
  return diags;
}

// ---------------------------------------------------------------- State

const ResourceObject* State::Find(const std::string& address) const {
  for (const auto& [a, o] : objects_) {
    if (a == address) return &o;
  }
  return nullptr;
}

void State::Set(const std::string& address, ResourceObject object) {
  for (auto& [a, o] : objects_) {
    if (a == address) {
      o = std::move(object);
      return;
    }
  }
  objects_.emplace_back(address, std::move(object));
}

void State::Remove(const std::string& address) {
  for (auto it = objects_.begin(); it != objects_.end(); ++it) {
    if (it->first == address) {
      objects_.erase(it);
      return;
    }
  }
}

Status State::Save(const std::string& path, const ProviderSchemas& schemas) const {
  nlohmann::json doc;
  doc["format"] = "pxc-tfdriver-state";
  doc["version"] = 1;
  doc["resources"] = nlohmann::json::array();
  for (const auto& [address, obj] : objects_) {
    const bool data = IsDataAddress(address);
    const auto& by_type = data ? schemas.data_sources : schemas.resources;
    auto it = by_type.find(obj.type);
    if (it == by_type.end()) {
      return InvalidArgumentError(std::string("state: unknown ") +
                                  (data ? "data source " : "resource type ") + obj.type);
    }
    auto json = schema::EncodeJson(obj.value, ImpliedType(it->second.block));
    if (!json.ok()) return json.status().WithContext("state: " + address);
    nlohmann::json r;
    r["address"] = address;
    r["mode"] = data ? "data" : "managed";
    r["type"] = obj.type;
    r["schema_version"] = it->second.version;
    r["attributes"] = nlohmann::json::parse(*json);
    r["private"] = EncodeBase64(obj.private_data);
    doc["resources"].push_back(std::move(r));
  }
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return InternalError("cannot write " + tmp);
    out << doc.dump(2) << "\n";
    if (!out) return InternalError("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return InternalError("cannot rename " + tmp);
  return OkStatus();
}

StatusOr<std::vector<State::Stored>> State::LoadFile(const std::string& path) {
  std::vector<Stored> out;
  std::ifstream in(path, std::ios::binary);
  if (!in) return out;  // no state yet
  std::stringstream ss;
  ss << in.rdbuf();
  auto doc = nlohmann::json::parse(ss.str(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("resources")) {
    return InvalidArgumentError("state file " + path + " is not a pxc-tfdriver state");
  }
  for (const auto& r : doc["resources"]) {
    Stored s;
    s.address = r.at("address").get<std::string>();
    s.type = r.at("type").get<std::string>();
    s.schema_version = r.at("schema_version").get<int64_t>();
    s.attributes_json = r.at("attributes").dump();
    auto priv = DecodeBase64(r.at("private").get<std::string>());
    if (!priv.ok()) return priv.status().WithContext("state file " + path + ": " + s.address);
    s.private_data = *priv;
    out.push_back(std::move(s));
  }
  return out;
}

Diagnostics State::Load(const std::string& path, const Terraform& tf, State* out) {
  Diagnostics diags;
  *out = State();
  auto stored = LoadFile(path);
  if (!stored.ok()) {
    diags.AddError("Failed to load state", stored.status().message());
    return diags;
  }
  for (const auto& s : *stored) {
    Value v;
    if (IsDataAddress(s.address)) {
      // Core never upgrades a data source's stored result: it is read again.
      const auto* ds = tf.DataSourceSchema(s.type);
      auto dv = ds ? schema::DecodeJson(s.attributes_json, ImpliedType(ds->block))
                   : StatusOr<Value>(NotFoundError("no such data source in the provider"));
      if (!dv.ok()) {
        diags.AddError("Failed to load state", s.address + ": " + dv.status().message());
        continue;
      }
      out->Set(s.address, ResourceObject{s.type, *dv, s.private_data});
      continue;
    }
    Diagnostics d =
        tf.UpgradeResourceState(s.address, s.type, s.schema_version, s.attributes_json, &v);
    diags.Append(d);
    if (d.HasError()) continue;
    if (!v.IsNull()) out->Set(s.address, ResourceObject{s.type, v, s.private_data});
  }
  return diags;
}

}  // namespace pxc::tfdriver
