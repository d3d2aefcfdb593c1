// Implementation of provider/core.h: the protocol-agnostic lifecycle of
// every RPC (validate, configure, read, plan, apply, import, upgrade,
// ephemeral open/renew/close). About 800 lines in one file: each RPC's
// pipeline step is short, and they share the consistency checks Terraform
// core applies to every answer.
#include "provider/core.h"

#include <algorithm>
#include <cctype>
#include <functional>

#include "provider/log.h"
#include "schema/json_codec.h"

namespace pxc::provider {

using schema::Block;
using schema::Nesting;
using schema::Type;
using schema::TypeKind;

namespace {

const char kBugHint[] =
    " This is a bug in the pxc provider; please report it with the configuration that caused it.";

void LogProgress(const std::string& message, const schema::ProviderContext::LogFields& fields) {
  Log(LogLevel::kInfo, message, fields);
}

}  // namespace

// ------------------------------------------------------------ pipeline

namespace pipeline {

void RunValidators(const Block& block, const Value& config, const AttributePath& at,
                   Diagnostics& diags) {
  if (!config.IsKnown()) return;
  for (const auto& a : block.attributes) {
    Value v = config.GetAttr(a.name);
    if (!v.IsKnown()) continue;
    for (const auto& validator : a.validators) validator(v, at.Attr(a.name), diags);
  }
  for (const auto& b : block.blocks) {
    Value v = config.GetAttr(b.type_name);
    if (!v.IsKnown()) continue;
    const AttributePath bp = at.Attr(b.type_name);
    switch (b.nesting) {
      case Nesting::kSingle:
      case Nesting::kGroup:
        RunValidators(b.block, v, bp, diags);
        break;
      case Nesting::kList:
      case Nesting::kSet: {
        int64_t i = 0;
        for (const auto& e : v.Elements()) RunValidators(b.block, e, bp.Index(i++), diags);
        break;
      }
      case Nesting::kMap:
        for (const auto& [k, e] : v.Entries()) RunValidators(b.block, e, bp.Key(k), diags);
        break;
    }
  }
}

Value ApplyDefaults(const Block& block, const Value& proposed, const Value& config) {
  if (!proposed.IsKnown() || !config.IsKnown()) return proposed;
  Value out = proposed;
  for (const auto& a : block.attributes) {
    if (a.default_value && config.GetAttr(a.name).IsNull()) {
      out = out.WithAttr(a.name, *a.default_value);
    }
  }
  for (const auto& b : block.blocks) {
    Value pv = out.GetAttr(b.type_name);
    Value cv = config.GetAttr(b.type_name);
    if (!pv.IsKnown() || !cv.IsKnown()) continue;
    if (b.nesting == Nesting::kSingle || b.nesting == Nesting::kGroup) {
      out = out.WithAttr(b.type_name, ApplyDefaults(b.block, pv, cv));
    } else if (b.nesting == Nesting::kList && pv.Length() == cv.Length()) {
      std::vector<Value> elems;
      for (size_t i = 0; i < pv.Elements().size(); ++i) {
        elems.push_back(ApplyDefaults(b.block, pv.Elements()[i], cv.Elements()[i]));
      }
      out = out.WithAttr(b.type_name, Value::List(pv.type().element(), std::move(elems)));
    }
  }
  return out;
}

namespace {

Value MarkUnknown(const Block& block, const Value& prior, const Value& planned,
                  const Value& config) {
  if (!planned.IsKnown() || !config.IsKnown()) return planned;
  Value out = planned;
  for (const auto& a : block.attributes) {
    if (!a.computed() || !config.GetAttr(a.name).IsNull() || a.default_value) continue;
    Value prior_attr = prior.IsKnown() ? prior.GetAttr(a.name) : Value::Null(a.type);
    if (a.use_state_for_unknown && !prior_attr.IsNull()) {
      out = out.WithAttr(a.name, prior_attr);
      continue;
    }
    out = out.WithAttr(a.name, Value::Unknown(a.type));
  }
  for (const auto& b : block.blocks) {
    Value pv = out.GetAttr(b.type_name);
    Value cv = config.GetAttr(b.type_name);
    Value rv = prior.IsKnown() ? prior.GetAttr(b.type_name) : Value::Null(pv.type());
    if (!pv.IsKnown() || !cv.IsKnown()) continue;
    if (b.nesting == Nesting::kSingle || b.nesting == Nesting::kGroup) {
      out = out.WithAttr(b.type_name, MarkUnknown(b.block, rv, pv, cv));
    } else if (b.nesting == Nesting::kList && pv.Length() == cv.Length()) {
      std::vector<Value> elems;
      for (size_t i = 0; i < pv.Elements().size(); ++i) {
        Value re = (rv.IsKnown() && i < rv.Elements().size()) ? rv.Elements()[i]
                                                              : Value::Null(pv.type().element());
        elems.push_back(MarkUnknown(b.block, re, pv.Elements()[i], cv.Elements()[i]));
      }
      out = out.WithAttr(b.type_name, Value::List(pv.type().element(), std::move(elems)));
    }
  }
  return out;
}

}  // namespace

Value PlanObject(const Block& block, const Value& prior, const Value& proposed,
                 const Value& config) {
  Value planned = ApplyDefaults(block, proposed, config);
  bool changed = prior.IsNull() || planned != prior;
  if (!changed) return planned;
  return MarkUnknown(block, prior, planned, config);
}

std::vector<AttributePath> RequiresReplacePaths(const Block& block, const Value& prior,
                                                const Value& planned) {
  std::vector<AttributePath> out;
  if (prior.IsNull() || !planned.IsKnown()) return out;
  for (const auto& a : block.attributes) {
    if (!a.requires_replace) continue;
    Value pv = planned.GetAttr(a.name);
    if (pv.IsUnknown() || pv != prior.GetAttr(a.name)) out.push_back(AttributePath::Root(a.name));
  }
  return out;
}

void CheckPlan(const Block& block, const Value& config, const Value& planned,
               const AttributePath& at, Diagnostics& diags) {
  if (!config.IsKnown()) return;
  if (!planned.IsKnown()) {
    diags.AddError("Provider Produced Invalid Plan",
                   "The planned value for " +
                       (at.empty() ? std::string("the object") : at.ToString()) +
                       " is null or unknown although the configuration sets it." + kBugHint,
                   at.empty() ? std::nullopt : std::optional<AttributePath>(at));
    return;
  }
  for (const auto& a : block.attributes) {
    Value cv = config.GetAttr(a.name);
    Value pv = planned.GetAttr(a.name);
    const AttributePath p = at.Attr(a.name);
    if (a.computed() && cv.IsNull()) continue;
    if (a.write_only) continue;  // always returned null (NullWriteOnly)
    if (cv != pv) {
      diags.AddError("Provider Produced Invalid Plan",
                     "The planned value for " + p.ToString() +
                         " does not match the configuration: Terraform requires a configured "
                         "value to be planned exactly." +
                         kBugHint,
                     p);
    }
  }
  for (const auto& b : block.blocks) {
    Value cv = config.GetAttr(b.type_name);
    Value pv = planned.GetAttr(b.type_name);
    const AttributePath p = at.Attr(b.type_name);
    if (!cv.IsKnown()) continue;
    if (!pv.IsKnown()) {
      diags.AddError("Provider Produced Invalid Plan",
                     "The planned block " + p.ToString() + " is null or unknown." + kBugHint, p);
      continue;
    }
    switch (b.nesting) {
      case Nesting::kSingle:
      case Nesting::kGroup:
        CheckPlan(b.block, cv, pv, p, diags);
        break;
      case Nesting::kList:
      case Nesting::kSet:
      case Nesting::kMap:
        if (cv.Length() != pv.Length()) {
          diags.AddError("Provider Produced Invalid Plan",
                         "The planned block " + p.ToString() + " has " +
                             std::to_string(pv.Length()) + " elements but the configuration has " +
                             std::to_string(cv.Length()) + "." + kBugHint,
                         p);
        } else if (b.nesting == Nesting::kList) {
          for (size_t i = 0; i < cv.Elements().size(); ++i) {
            CheckPlan(b.block, cv.Elements()[i], pv.Elements()[i], p.Index(static_cast<int64_t>(i)),
                      diags);
          }
        }
        break;
    }
  }
}

namespace {
void CheckApplyAt(const Value& planned, const Value& applied, const AttributePath& at,
                  Diagnostics& diags) {
  auto where = [&]() { return at.empty() ? std::string("the object") : at.ToString(); };
  auto path = [&]() { return at.empty() ? std::nullopt : std::optional<AttributePath>(at); };
  if (!applied.IsWhollyKnown()) {
    diags.AddError("Provider Returned Invalid Result Object After Apply",
                   "The applied value of " + where() + " is still unknown." + kBugHint, path());
    return;
  }
  if (planned.IsUnknown()) return;
  const bool structural = planned.type().IsCollection() ||
                          planned.type().kind() == TypeKind::kObject ||
                          planned.type().kind() == TypeKind::kTuple;
  if (planned.IsNull() || applied.IsNull() || !structural) {
    if (planned != applied) {
      diags.AddError(
          "Provider Produced Inconsistent Result After Apply",
          "The applied value of " + where() + " differs from the planned value." + kBugHint,
          path());
    }
    return;
  }
  switch (planned.type().kind()) {
    case TypeKind::kObject:
    case TypeKind::kMap: {
      const auto& pe = planned.Entries();
      const auto& ae = applied.Entries();
      bool obj = planned.type().kind() == TypeKind::kObject;
      if (pe.size() != ae.size()) {
        diags.AddError(
            "Provider Produced Inconsistent Result After Apply",
            "The applied value of " + where() + " has a different number of elements." + kBugHint,
            path());
        return;
      }
      for (const auto& [k, pv] : pe) {
        auto it = ae.find(k);
        if (it == ae.end()) {
          diags.AddError(
              "Provider Produced Inconsistent Result After Apply",
              "The applied value of " + where() + " lacks the key \"" + k + "\"." + kBugHint,
              path());
          continue;
        }
        CheckApplyAt(pv, it->second, obj ? at.Attr(k) : at.Key(k), diags);
      }
      return;
    }
    case TypeKind::kSet:
      if (planned.IsWhollyKnown() && planned != applied) {
        diags.AddError("Provider Produced Inconsistent Result After Apply",
                       "The applied set " + where() + " differs from the planned set." + kBugHint,
                       path());
      }
      return;
    default: {  // list, tuple
      const auto& pe = planned.Elements();
      const auto& ae = applied.Elements();
      if (pe.size() != ae.size()) {
        diags.AddError(
            "Provider Produced Inconsistent Result After Apply",
            "The applied value of " + where() + " has a different number of elements." + kBugHint,
            path());
        return;
      }
      for (size_t i = 0; i < pe.size(); ++i) {
        CheckApplyAt(pe[i], ae[i], at.Index(static_cast<int64_t>(i)), diags);
      }
    }
  }
}
}  // namespace

void CheckApply(const Value& planned, const Value& applied, Diagnostics& diags) {
  CheckApplyAt(planned, applied, AttributePath(), diags);
}

namespace {

// Applies `fn(nested_block, element, config_element)` to every element of
// the block values of `b` in `v` and `config` (correlated by position or
// key; `config` may be null or unknown, then each config element is null).
Value MapBlockElements(const schema::NestedBlock& b, const Value& v, const Value& config,
                       const std::function<Value(const Value&, const Value&)>& fn) {
  if (!v.IsKnown()) return v;
  const Type& t = v.type();
  switch (b.nesting) {
    case Nesting::kSingle:
    case Nesting::kGroup:
      return fn(v, config.IsKnown() ? config : Value::Null(t));
    case Nesting::kList: {
      std::vector<Value> out;
      const auto& elems = v.Elements();
      for (size_t i = 0; i < elems.size(); ++i) {
        Value ce = config.IsKnown() && i < config.Elements().size() ? config.Elements()[i]
                                                                    : Value::Null(t.element());
        out.push_back(fn(elems[i], ce));
      }
      return Value::List(t.element(), std::move(out));
    }
    case Nesting::kMap: {
      std::map<std::string, Value> out;
      for (const auto& [k, e] : v.Entries()) {
        Value ce = Value::Null(t.element());
        if (config.IsKnown()) {
          auto it = config.Entries().find(k);
          if (it != config.Entries().end()) ce = it->second;
        }
        out.emplace(k, fn(e, ce));
      }
      return Value::Map(t.element(), std::move(out));
    }
    case Nesting::kSet:
      return v;  // ValidateSchema keeps write-only attributes out of sets
  }
  return v;
}

}  // namespace

Value NullWriteOnly(const Block& block, const Value& v) {
  if (!v.IsKnown()) return v;
  Value out = v;
  for (const auto& a : block.attributes) {
    if (a.write_only && !out.GetAttr(a.name).IsNull())
      out = out.WithAttr(a.name, Value::Null(a.type));
  }
  for (const auto& b : block.blocks) {
    if (!schema::HasWriteOnly(b.block)) continue;
    out = out.WithAttr(b.type_name, MapBlockElements(b, out.GetAttr(b.type_name), Value(),
                                                     [&](const Value& e, const Value&) {
                                                       return NullWriteOnly(b.block, e);
                                                     }));
  }
  return out;
}

Value CopyWriteOnly(const Block& block, const Value& config, const Value& v) {
  if (!v.IsKnown() || !config.IsKnown()) return v;
  Value out = v;
  for (const auto& a : block.attributes) {
    if (a.write_only) out = out.WithAttr(a.name, config.GetAttr(a.name));
  }
  for (const auto& b : block.blocks) {
    if (!schema::HasWriteOnly(b.block)) continue;
    out = out.WithAttr(b.type_name,
                       MapBlockElements(b, out.GetAttr(b.type_name), config.GetAttr(b.type_name),
                                        [&](const Value& e, const Value& ce) {
                                          return CopyWriteOnly(b.block, ce, e);
                                        }));
  }
  return out;
}

void RefuseWriteOnly(const Block& block, const Value& config, const AttributePath& at,
                     Diagnostics& diags) {
  if (!config.IsKnown()) return;
  for (const auto& a : block.attributes) {
    if (!a.write_only || config.GetAttr(a.name).IsNull()) continue;
    std::string alternative;
    if (a.name.size() > 3 && a.name.ends_with("_wo")) {
      const std::string stored = a.name.substr(0, a.name.size() - 3);
      if (block.FindAttribute(stored)) {
        alternative = " Or set " + stored +
                      " instead, which Terraform stores in state (marked "
                      "sensitive).";
      }
    }
    diags.AddError("Write-Only Attribute Not Supported by This Terraform",
                   at.Attr(a.name).ToString() +
                       " is a write-only attribute: its value is used during apply and never "
                       "stored in state or plan. Write-only attributes need Terraform 1.11 or "
                       "later (plugin protocol 6.8), and the Terraform running this "
                       "configuration did not say it supports them. Upgrade Terraform to 1.11 "
                       "or later." +
                       alternative,
                   at.Attr(a.name));
  }
  for (const auto& b : block.blocks) {
    if (!schema::HasWriteOnly(b.block)) continue;
    Value v = config.GetAttr(b.type_name);
    if (!v.IsKnown()) continue;
    const AttributePath bp = at.Attr(b.type_name);
    switch (b.nesting) {
      case Nesting::kSingle:
      case Nesting::kGroup:
        RefuseWriteOnly(b.block, v, bp, diags);
        break;
      case Nesting::kList: {
        int64_t i = 0;
        for (const auto& e : v.Elements()) RefuseWriteOnly(b.block, e, bp.Index(i++), diags);
        break;
      }
      case Nesting::kMap:
        for (const auto& [k, e] : v.Entries()) RefuseWriteOnly(b.block, e, bp.Key(k), diags);
        break;
      case Nesting::kSet:
        break;
    }
  }
}

}  // namespace pipeline

// ------------------------------------------------------------ Core

Core::Core(std::shared_ptr<const schema::ProviderDefinition> def)
    : def_(std::move(def)), stopping_(std::make_shared<std::atomic<bool>>(false)) {
  auto ctx = std::make_shared<schema::ProviderContext>();
  ctx->config = Value::Null(def_->GetSchema().ImpliedType());
  ctx->stopping = stopping_;
  ctx->progress = LogProgress;
  context_ = ctx;
  auto check = [this](const std::string& what, const schema::Schema& s,
                      bool allow_write_only = false) {
    Status st = schema::ValidateSchema(s, allow_write_only);
    if (!st.ok()) {
      schema_diags_.AddError("Invalid Provider Schema", "The schema of " + what + " is invalid: " +
                                                            st.message() + "." + kBugHint);
    }
  };
  check("the provider", def_->GetSchema());
  for (auto& r : def_->Resources()) {
    check(r->TypeName(), r->GetSchema(), /*allow_write_only=*/true);
    resources_.emplace(r->TypeName(), r);
  }
  for (auto& d : def_->DataSources()) {
    check(d->TypeName(), d->GetSchema());
    data_sources_.emplace(d->TypeName(), d);
  }
  for (auto& e : def_->EphemeralResources()) {
    check(e->TypeName(), e->GetSchema());
    ephemeral_.emplace(e->TypeName(), e);
  }
}

const schema::Resource* Core::FindResource(const std::string& type) const {
  auto it = resources_.find(type);
  return it == resources_.end() ? nullptr : it->second.get();
}

const schema::DataSource* Core::FindDataSource(const std::string& type) const {
  auto it = data_sources_.find(type);
  return it == data_sources_.end() ? nullptr : it->second.get();
}

const schema::EphemeralResource* Core::FindEphemeralResource(const std::string& type) const {
  auto it = ephemeral_.find(type);
  return it == ephemeral_.end() ? nullptr : it->second.get();
}

Diagnostics Core::UnknownType(const std::string& kind, const std::string& type) {
  Diagnostics d;
  std::string lower = kind;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  d.AddError("Unknown " + kind + " Type",
             "The pxc provider has no " + lower + " type \"" + type +
                 "\". Check the type name, or upgrade the provider if it was added later.");
  return d;
}

std::shared_ptr<const schema::ProviderContext> Core::Context() const {
  std::lock_guard<std::mutex> lock(mu_);
  return context_;
}

Diagnostics Core::ValidateProviderConfig(const Value& config) const {
  Diagnostics diags;
  pipeline::RunValidators(def_->GetSchema().block, config, AttributePath(), diags);
  def_->ValidateConfig(config, diags);
  return diags;
}

Diagnostics Core::ValidateResourceConfig(const std::string& type, const Value& config,
                                         const ClientCapabilities& client) const {
  const auto* r = FindResource(type);
  if (!r) return UnknownType("Resource", type);
  Diagnostics diags;
  if (!client.write_only_attributes_allowed) {
    pipeline::RefuseWriteOnly(r->GetSchema().block, config, AttributePath(), diags);
  }
  pipeline::RunValidators(r->GetSchema().block, config, AttributePath(), diags);
  r->ValidateConfig(config, diags);
  return diags;
}

Diagnostics Core::ValidateDataResourceConfig(const std::string& type, const Value& config) const {
  const auto* d = FindDataSource(type);
  if (!d) return UnknownType("Data Source", type);
  Diagnostics diags;
  pipeline::RunValidators(d->GetSchema().block, config, AttributePath(), diags);
  d->ValidateConfig(config, diags);
  return diags;
}

Diagnostics Core::ConfigureProvider(const std::string& terraform_version, const Value& config) {
  Diagnostics diags;
  auto ctx = std::make_shared<schema::ProviderContext>();
  ctx->config = config;
  ctx->terraform_version = terraform_version;
  ctx->stopping = stopping_;
  ctx->progress = LogProgress;
  ctx->configured = true;
  pipeline::RunValidators(def_->GetSchema().block, config, AttributePath(), diags);
  def_->Configure(*ctx, diags);
  if (diags.HasError()) return diags;
  std::lock_guard<std::mutex> lock(mu_);
  context_ = ctx;
  return diags;
}

UpgradeResult Core::UpgradeResourceState(const std::string& type, int64_t version,
                                         const std::string& raw_json) const {
  UpgradeResult res;
  const auto* r = FindResource(type);
  if (!r) {
    res.diags = UnknownType("Resource", type);
    return res;
  }
  const auto& s = r->GetSchema();
  const Type t = s.ImpliedType();
  if (version > s.version) {
    res.diags.AddError(
        "Resource State From a Newer Provider",
        "The stored state of this " + type + " has schema version " + std::to_string(version) +
            " but this provider knows only versions up to " + std::to_string(s.version) +
            ". Use the provider version that wrote the state, or a newer one.");
    return res;
  }
  if (version == s.version) {
    std::vector<std::string> dropped;
    auto v = schema::DecodeJsonLenient(raw_json, t, &dropped);
    if (!v.ok()) {
      res.diags.AddStatus(v.status(), "Unable to Read Stored State",
                          "The stored state of this " + type + " could not be decoded.");
      return res;
    }
    res.upgraded = pipeline::NullWriteOnly(s.block, *v);
    return res;
  }
  schema::UpgradeContext ctx;
  ctx.from_version = version;
  ctx.raw = nlohmann::json::parse(raw_json, nullptr, false);
  if (ctx.raw.is_discarded()) {
    res.diags.AddError("Unable to Read Stored State", "The stored state is not valid JSON.");
    return res;
  }
  r->UpgradeState(ctx);
  res.diags = ctx.diags;
  if (ctx.diags.HasError()) return res;
  if (ctx.upgraded.type() != t || !ctx.upgraded.IsWhollyKnown()) {
    res.diags.AddError(
        "Invalid Resource State Upgrade",
        "The upgraded state does not conform to the current schema." + std::string(kBugHint));
    return res;
  }
  res.upgraded = pipeline::NullWriteOnly(s.block, ctx.upgraded);
  return res;
}

ReadResult Core::ReadResource(const std::string& type, const Value& current,
                              const std::string& private_data) const {
  ReadResult res;
  const auto* r = FindResource(type);
  if (!r) {
    res.diags = UnknownType("Resource", type);
    return res;
  }
  auto provider = Context();
  schema::ReadContext ctx{*provider, current, current, private_data, {}};
  if (!current.IsNull()) r->Read(ctx);
  res.diags = ctx.diags;
  res.private_data = ctx.private_data;
  res.new_state = ctx.new_state;
  const auto& block = r->GetSchema().block;
  if (ctx.diags.HasError()) {
    res.new_state = pipeline::NullWriteOnly(block, current);
    return res;
  }
  if (!res.new_state.IsNull() &&
      (res.new_state.type() != r->GetSchema().ImpliedType() || !res.new_state.IsWhollyKnown())) {
    res.diags.AddError(
        "Provider Produced Invalid Object",
        "Reading " + type + " produced a value that does not conform to its schema." + kBugHint);
    res.new_state = current;
  }
  res.new_state = pipeline::NullWriteOnly(block, res.new_state);
  return res;
}

PlanResult Core::PlanResourceChange(const std::string& type, const Value& prior,
                                    const Value& proposed, const Value& config,
                                    const std::string& prior_private) const {
  PlanResult res;
  const auto* r = FindResource(type);
  if (!r) {
    res.diags = UnknownType("Resource", type);
    return res;
  }
  const auto& block = r->GetSchema().block;
  if (proposed.IsNull()) {  // destroy
    res.planned = proposed;
    res.planned_private = prior_private;
    return res;
  }
  auto provider = Context();
  // The pipeline decides on the value Terraform will see (write-only
  // attributes null, so a configured secret alone never counts as a
  // change); the resource then sees the configured secrets in `planned`.
  const Value planned = pipeline::CopyWriteOnly(
      block, config,
      pipeline::PlanObject(block, prior, pipeline::NullWriteOnly(block, proposed), config));
  schema::PlanContext ctx{*provider, prior, config, planned, {}, prior_private, {}};
  // RequiresReplace attributes are judged on the final plan (ModifyPlan may
  // fill values); paths the resource adds itself are kept.
  const auto before = pipeline::RequiresReplacePaths(block, prior, ctx.planned);
  ctx.requires_replace = before;
  r->ModifyPlan(ctx);
  {
    std::vector<AttributePath> paths = pipeline::RequiresReplacePaths(block, prior, ctx.planned);
    for (const auto& p : ctx.requires_replace) {
      bool from_attrs = std::find(before.begin(), before.end(), p) != before.end();
      bool present = std::find(paths.begin(), paths.end(), p) != paths.end();
      if (!from_attrs && !present) paths.push_back(p);
    }
    ctx.requires_replace = std::move(paths);
  }
  res.diags = ctx.diags;
  if (ctx.diags.HasError()) return res;
  if (ctx.planned.type() != block.ImpliedType()) {
    res.diags.AddError(
        "Provider Produced Invalid Plan",
        "The planned value of " + type + " does not conform to its schema." + kBugHint);
    return res;
  }
  pipeline::CheckPlan(block, config, ctx.planned, AttributePath(), res.diags);
  if (res.diags.HasError()) return res;
  res.planned = pipeline::NullWriteOnly(block, ctx.planned);
  res.requires_replace = ctx.requires_replace;
  if (prior.IsNull()) res.requires_replace.clear();
  res.planned_private = ctx.private_data;
  return res;
}

ApplyResult Core::ApplyResourceChange(const std::string& type, const Value& prior,
                                      const Value& planned, const Value& config,
                                      const std::string& planned_private) const {
  ApplyResult res;
  const auto* r = FindResource(type);
  if (!r) {
    res.diags = UnknownType("Resource", type);
    return res;
  }
  auto provider = Context();
  const auto& block = r->GetSchema().block;
  // Terraform sends write-only attributes null in `planned`: the resource
  // gets the configured values there, and the result has them null again.
  const Value planned_with_secrets = pipeline::CopyWriteOnly(block, config, planned);
  schema::ApplyContext ctx{*provider,
                           prior,
                           planned_with_secrets,
                           config,
                           planned_private,
                           Value::Null(planned.type()),
                           planned_private,
                           {}};
  if (planned.IsNull()) {
    r->Delete(ctx);
    res.diags = ctx.diags;
    // A failed delete keeps the object in state.
    res.new_state = ctx.diags.HasError() ? prior : Value::Null(prior.type());
    res.private_data = ctx.diags.HasError() ? planned_private : "";
    return res;
  }
  if (prior.IsNull()) {
    r->Create(ctx);
  } else {
    r->Update(ctx);
  }
  res.diags = ctx.diags;
  res.private_data = ctx.private_data;
  if (ctx.diags.HasError()) {
    // Keep what exists: on a failed create the object may be partially made
    // (the resource then returns what it made); otherwise keep the prior.
    res.new_state = pipeline::NullWriteOnly(
        block, ctx.new_state.IsNull() || !ctx.new_state.IsWhollyKnown() ? prior : ctx.new_state);
    return res;
  }
  if (ctx.new_state.IsNull()) {
    res.diags.AddError("Provider Returned Invalid Result Object After Apply",
                       "Applying " + type + " returned no object." + kBugHint);
    res.new_state = prior;
    return res;
  }
  const Value applied = pipeline::NullWriteOnly(block, ctx.new_state);
  pipeline::CheckApply(planned, applied, res.diags);
  res.new_state = res.diags.HasError() ? prior : applied;
  return res;
}

ImportResult Core::ImportResourceState(const std::string& type, const std::string& id) const {
  ImportResult res;
  const auto* r = FindResource(type);
  if (!r) {
    res.diags = UnknownType("Resource", type);
    return res;
  }
  auto provider = Context();
  schema::ImportContext ctx{*provider, id, Value::Null(r->GetSchema().ImpliedType()), {}, {}};
  r->ImportState(ctx);
  res.diags = ctx.diags;
  if (ctx.diags.HasError()) return res;
  if (ctx.state.IsNull() || ctx.state.type() != r->GetSchema().ImpliedType()) {
    res.diags.AddError("Provider Produced Invalid Object",
                       "Importing " + type + " produced no valid object." + kBugHint);
    return res;
  }
  res.objects.push_back(
      {type, pipeline::NullWriteOnly(r->GetSchema().block, ctx.state), ctx.private_data});
  return res;
}

ReadResult Core::ReadDataSource(const std::string& type, const Value& config) const {
  ReadResult res;
  const auto* d = FindDataSource(type);
  if (!d) {
    res.diags = UnknownType("Data Source", type);
    return res;
  }
  auto provider = Context();
  Value state = config;
  d->Read(*provider, config, state, res.diags);
  if (res.diags.HasError()) return res;
  if (state.type() != d->GetSchema().ImpliedType() || !state.IsWhollyKnown()) {
    res.diags.AddError("Provider Produced Invalid Object",
                       "Reading data source " + type +
                           " produced a value that does not conform "
                           "to its schema." +
                           std::string(kBugHint));
    return res;
  }
  res.new_state = state;
  return res;
}

Diagnostics Core::ValidateEphemeralResourceConfig(const std::string& type,
                                                  const Value& config) const {
  const auto* e = FindEphemeralResource(type);
  if (!e) return UnknownType("Ephemeral Resource", type);
  Diagnostics diags;
  pipeline::RunValidators(e->GetSchema().block, config, AttributePath(), diags);
  e->ValidateConfig(config, diags);
  return diags;
}

OpenResult Core::OpenEphemeralResource(const std::string& type, const Value& config) const {
  OpenResult res;
  const auto* e = FindEphemeralResource(type);
  if (!e) {
    res.diags = UnknownType("Ephemeral Resource", type);
    return res;
  }
  const auto& block = e->GetSchema().block;
  if (!config.IsWhollyKnown()) {
    // Nothing can be opened yet: computed attributes are unknown (defaults
    // and the configured values are kept, as a plan would).
    Value planned = pipeline::PlanObject(block, Value::Null(config.type()), config, config);
    res.result = planned;
    return res;
  }
  auto provider = Context();
  schema::OpenContext ctx{*provider,    config, pipeline::ApplyDefaults(block, config, config),
                          std::nullopt, {},     {}};
  e->Open(ctx);
  res.diags = ctx.diags;
  if (ctx.diags.HasError()) return res;
  if (ctx.result.type() != block.ImpliedType() || !ctx.result.IsWhollyKnown()) {
    res.diags.AddError("Provider Produced Invalid Ephemeral Resource",
                       "Opening " + type +
                           " produced a value that does not conform to its schema or is not "
                           "wholly known." +
                           kBugHint);
    return res;
  }
  pipeline::CheckPlan(block, config, ctx.result, AttributePath(), res.diags);
  if (res.diags.HasError()) return res;
  res.result = ctx.result;
  res.renew_at = ctx.renew_at;
  res.private_data = ctx.private_data;
  return res;
}

RenewResult Core::RenewEphemeralResource(const std::string& type,
                                         const std::string& private_data) const {
  RenewResult res;
  const auto* e = FindEphemeralResource(type);
  if (!e) {
    res.diags = UnknownType("Ephemeral Resource", type);
    return res;
  }
  auto provider = Context();
  schema::RenewContext ctx{*provider, private_data, std::nullopt, private_data, {}};
  e->Renew(ctx);
  res.diags = ctx.diags;
  res.renew_at = ctx.renew_at;
  res.private_data = ctx.next_private;
  return res;
}

Diagnostics Core::CloseEphemeralResource(const std::string& type,
                                         const std::string& private_data) const {
  const auto* e = FindEphemeralResource(type);
  if (!e) return UnknownType("Ephemeral Resource", type);
  auto provider = Context();
  schema::CloseContext ctx{*provider, private_data, {}};
  e->Close(ctx);
  return ctx.diags;
}

void Core::Stop() { stopping_->store(true); }

}  // namespace pxc::provider
