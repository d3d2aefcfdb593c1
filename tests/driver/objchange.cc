#include "tests/driver/objchange.h"

#include "schema/json_codec.h"

namespace pxc::tfdriver {

using schema::Attribute;
using schema::AttributePath;
using schema::Block;
using schema::NestedBlock;
using schema::Nesting;
using schema::Type;
using schema::TypeKind;
using schema::Value;

namespace {

Type BlockCollectionType(const NestedBlock& nb) {
  Type obj = ImpliedType(nb.block);
  switch (nb.nesting) {
    case Nesting::kSingle:
    case Nesting::kGroup:
      return obj;
    case Nesting::kList:
      return Type::List(obj);
    case Nesting::kSet:
      return Type::Set(obj);
    case Nesting::kMap:
      return Type::Map(obj);
  }
  return obj;
}

Value MakeObject(const Block& block, std::map<std::string, Value> attrs) {
  auto v = Value::ObjectOf(ImpliedType(block), std::move(attrs));
  if (!v.ok()) throw std::logic_error("objchange: " + v.status().message());
  return *v;
}

// setElementComputedAsNull: every computed attribute (also in nested
// blocks) becomes null, for correlating set elements with configuration.
Value ComputedAsNull(const Block& block, const Value& v) {
  if (!v.IsKnown()) return v;
  std::map<std::string, Value> attrs = v.Entries();
  for (const auto& a : block.attributes) {
    if (a.computed() && !attrs[a.name].IsNull()) attrs[a.name] = Value::Null(a.type);
  }
  for (const auto& nb : block.blocks) {
    Value bv = attrs[nb.type_name];
    if (!bv.IsKnown()) continue;
    switch (nb.nesting) {
      case Nesting::kSingle:
      case Nesting::kGroup:
        attrs[nb.type_name] = ComputedAsNull(nb.block, bv);
        break;
      case Nesting::kList:
      case Nesting::kSet: {
        std::vector<Value> elems;
        for (const auto& e : bv.Elements()) elems.push_back(ComputedAsNull(nb.block, e));
        attrs[nb.type_name] = nb.nesting == Nesting::kList
                                  ? Value::List(bv.type().element(), std::move(elems))
                                  : Value::Set(bv.type().element(), std::move(elems));
        break;
      }
      case Nesting::kMap: {
        std::map<std::string, Value> m;
        for (const auto& [k, e] : bv.Entries()) m[k] = ComputedAsNull(nb.block, e);
        attrs[nb.type_name] = Value::Map(bv.type().element(), std::move(m));
        break;
      }
    }
  }
  return MakeObject(block, std::move(attrs));
}

Value ProposedNewInner(const Block& block, const Value& prior, const Value& config);

Value ProposedNewNested(const NestedBlock& nb, const Value& prior, const Value& config) {
  if (!config.IsKnown() && !config.IsNull()) return config;  // unknown (dynamic block)
  switch (nb.nesting) {
    case Nesting::kSingle:
      if (config.IsNull()) return config;
      return ProposedNew(nb.block, prior, config);
    case Nesting::kGroup:
      return ProposedNew(nb.block, prior, config);
    case Nesting::kList: {
      Type et = ImpliedType(nb.block);
      if (config.IsNull() || config.Length() == 0) return Value::List(et, {});
      std::vector<Value> out;
      const auto& ce = config.Elements();
      for (size_t i = 0; i < ce.size(); ++i) {
        if (prior.IsKnown() && i < prior.Elements().size()) {
          out.push_back(ProposedNew(nb.block, prior.Elements()[i], ce[i]));
        } else if (prior.IsUnknown()) {
          out.push_back(ProposedNew(nb.block, Value::Unknown(et), ce[i]));
        } else {
          out.push_back(ce[i]);
        }
      }
      return Value::List(et, std::move(out));
    }
    case Nesting::kMap: {
      Type et = ImpliedType(nb.block);
      if (config.IsNull() || config.Length() == 0) return Value::Map(et, {});
      std::map<std::string, Value> out;
      for (const auto& [k, cv] : config.Entries()) {
        if (prior.IsKnown() && prior.Entries().count(k)) {
          out[k] = ProposedNew(nb.block, prior.Entries().at(k), cv);
        } else {
          out[k] = cv;
        }
      }
      return Value::Map(et, std::move(out));
    }
    case Nesting::kSet: {
      Type et = ImpliedType(nb.block);
      std::vector<std::pair<Value, Value>> cmp;
      if (prior.IsKnown()) {
        for (const auto& pe : prior.Elements()) cmp.emplace_back(pe, ComputedAsNull(nb.block, pe));
      }
      if (config.IsNull() || config.Length() == 0) return Value::Set(et, {});
      std::vector<bool> used(cmp.size(), false);
      std::vector<Value> out;
      for (const auto& ce : config.Elements()) {
        Value prior_e = Value::Null(et);
        for (size_t i = 0; i < cmp.size(); ++i) {
          if (used[i]) continue;
          if (cmp[i].second == ce) {
            prior_e = cmp[i].first;
            used[i] = true;
            break;
          }
        }
        out.push_back(ProposedNew(nb.block, prior_e, ce));
      }
      return Value::Set(et, std::move(out));
    }
  }
  return config;
}

Value ProposedNewInner(const Block& block, const Value& prior, const Value& config) {
  if (config.IsNull() || !config.IsKnown()) return prior;
  std::map<std::string, Value> attrs;
  for (const auto& a : block.attributes) {
    Value prior_v = prior.IsNull()      ? Value::Null(a.type)
                    : prior.IsUnknown() ? Value::Unknown(a.type)
                                        : prior.GetAttr(a.name);
    Value config_v = config.GetAttr(a.name);
    attrs[a.name] = (a.computed() && config_v.IsNull()) ? prior_v : config_v;
  }
  for (const auto& nb : block.blocks) {
    Value prior_v = prior.IsNull()      ? Value::Null(BlockCollectionType(nb))
                    : prior.IsUnknown() ? Value::Unknown(BlockCollectionType(nb))
                                        : prior.GetAttr(nb.type_name);
    attrs[nb.type_name] = ProposedNewNested(nb, prior_v, config.GetAttr(nb.type_name));
  }
  return MakeObject(block, std::move(attrs));
}

std::string Where(const AttributePath& p) { return p.empty() ? "" : p.ToString(); }

// ---------------------------------------------------------------- plan

void WriteOnlyNotNullAt(const Block& block, const Value& v, const AttributePath& path,
                        std::vector<PathError>& errs) {
  if (!v.IsKnown()) return;
  for (const auto& a : block.attributes) {
    if (a.write_only && !v.GetAttr(a.name).IsNull()) {
      errs.push_back({path.Attr(a.name), "value for write-only attribute is not null"});
    }
  }
  for (const auto& nb : block.blocks) {
    Value bv = v.GetAttr(nb.type_name);
    if (!bv.IsKnown()) continue;
    const AttributePath bp = path.Attr(nb.type_name);
    switch (nb.nesting) {
      case Nesting::kSingle:
      case Nesting::kGroup:
        WriteOnlyNotNullAt(nb.block, bv, bp, errs);
        break;
      case Nesting::kList:
      case Nesting::kSet: {
        int64_t i = 0;
        for (const auto& e : bv.Elements()) WriteOnlyNotNullAt(nb.block, e, bp.Index(i++), errs);
        break;
      }
      case Nesting::kMap:
        for (const auto& [k, e] : bv.Entries()) WriteOnlyNotNullAt(nb.block, e, bp.Key(k), errs);
        break;
    }
  }
}

void AssertPlanValidAt(const Block& block, const Value& prior, const Value& config,
                       const Value& planned, const AttributePath& path,
                       std::vector<PathError>& errs);

void AssertPlannedValueValid(const Attribute& a, const Value& prior_v, const Value& config_v,
                             const Value& planned_v, const AttributePath& path,
                             std::vector<PathError>& errs) {
  if (planned_v == config_v) return;
  if (planned_v == prior_v && !prior_v.IsNull() && !config_v.IsNull()) return;
  if (a.write_only) {
    // Terraform >= 1.11: a write-only attribute is planned null.
    if (!planned_v.IsNull())
      errs.push_back({path, "planned value for write-only attribute is not null"});
    return;
  }
  if (a.computed() && !a.optional()) return;
  if (config_v.IsNull() && a.computed()) return;
  if (config_v.IsNull() && !planned_v.IsNull()) {
    errs.push_back({path, a.sensitive ? "sensitive planned value for a non-computed attribute"
                                      : "planned value " + ShortValue(planned_v) +
                                            " for a non-computed attribute"});
    return;
  }
  if (prior_v.IsNull()) {
    errs.push_back({path, a.sensitive
                              ? "sensitive planned value does not match config value"
                              : "planned value " + ShortValue(planned_v) +
                                    " does not match config value " + ShortValue(config_v)});
    return;
  }
  errs.push_back({path, a.sensitive
                            ? "sensitive planned value does not match config value nor prior value"
                            : "planned value " + ShortValue(planned_v) +
                                  " does not match config value " + ShortValue(config_v) +
                                  " nor prior value " + ShortValue(prior_v)});
}

void AssertPlanValidAt(const Block& block, const Value& prior, const Value& config,
                       const Value& planned, const AttributePath& path,
                       std::vector<PathError>& errs) {
  if (planned.IsNull() && !config.IsNull()) {
    errs.push_back({path, "planned for absence but config wants existence"});
    return;
  }
  if (config.IsNull() && !planned.IsNull()) {
    errs.push_back({path, "planned for existence but config wants absence"});
    return;
  }
  if (planned.IsNull()) return;
  if (planned.IsUnknown()) {
    errs.push_back({path, "planned an unknown object: set the attributes to unknown instead"});
    return;
  }
  for (const auto& a : block.attributes) {
    Value config_v = config.IsKnown() ? config.GetAttr(a.name) : Value::Unknown(a.type);
    Value prior_v = prior.IsKnown() ? prior.GetAttr(a.name) : Value::Null(a.type);
    AssertPlannedValueValid(a, prior_v, config_v, planned.GetAttr(a.name), path.Attr(a.name), errs);
  }
  for (const auto& nb : block.blocks) {
    const AttributePath bp = path.Attr(nb.type_name);
    Value planned_v = planned.GetAttr(nb.type_name);
    Value config_v = config.GetAttr(nb.type_name);
    Value prior_v =
        prior.IsKnown() ? prior.GetAttr(nb.type_name) : Value::Null(BlockCollectionType(nb));
    if (nb.nesting != Nesting::kSingle && planned_v.IsNull()) {
      errs.push_back({bp,
                      "attribute representing nested blocks must be empty to indicate no "
                      "blocks, not null"});
      continue;
    }
    if (planned_v == config_v) continue;
    if (!config_v.IsKnown() && !config_v.IsNull()) {
      errs.push_back({bp, "planned value " + ShortValue(planned_v) + " for unknown dynamic block"});
      continue;
    }
    if (planned_v.IsUnknown()) {
      errs.push_back({bp, "planned unknown value for non-computed block"});
      continue;
    }
    switch (nb.nesting) {
      case Nesting::kSingle:
      case Nesting::kGroup:
        AssertPlanValidAt(nb.block, prior_v, config_v, planned_v, bp, errs);
        break;
      case Nesting::kList: {
        size_t pl = planned_v.IsNull() ? 0 : planned_v.Length();
        size_t cl = config_v.IsNull() ? 0 : config_v.Length();
        if (pl != cl) {
          errs.push_back({bp, "block count in plan (" + std::to_string(pl) +
                                  ") disagrees with count in config (" + std::to_string(cl) + ")"});
          continue;
        }
        for (size_t i = 0; i < pl; ++i) {
          const Value& pe = planned_v.Elements()[i];
          const AttributePath ep = bp.Index(static_cast<int64_t>(i));
          if (pe.IsUnknown()) {
            errs.push_back({ep,
                            "element representing nested block must not be unknown itself; "
                            "set nested attribute values to unknown instead"});
            continue;
          }
          Value prior_e = (prior_v.IsKnown() && i < prior_v.Elements().size())
                              ? prior_v.Elements()[i]
                              : Value::Null(ImpliedType(nb.block));
          AssertPlanValidAt(nb.block, prior_e, config_v.Elements()[i], pe, ep, errs);
        }
        break;
      }
      case Nesting::kMap: {
        for (const auto& [k, pe] : planned_v.Entries()) {
          const AttributePath ep = bp.Key(k);
          if (pe.IsUnknown()) {
            errs.push_back({ep,
                            "element representing nested block must not be unknown itself; "
                            "set nested attribute values to unknown instead"});
            continue;
          }
          if (config_v.IsNull() || !config_v.Entries().count(k)) {
            errs.push_back({bp, "block key \"" + k + "\" from plan is not present in config"});
            continue;
          }
          Value prior_e = (prior_v.IsKnown() && prior_v.Entries().count(k))
                              ? prior_v.Entries().at(k)
                              : Value::Null(ImpliedType(nb.block));
          AssertPlanValidAt(nb.block, prior_e, config_v.Entries().at(k), pe, ep, errs);
        }
        if (config_v.IsKnown()) {
          for (const auto& [k, _] : config_v.Entries()) {
            if (!planned_v.Entries().count(k)) {
              errs.push_back({bp, "block key \"" + k + "\" from config is not present in plan"});
            }
          }
        }
        break;
      }
      case Nesting::kSet: {
        int64_t i = 0;
        for (const auto& pe : planned_v.Elements()) {
          if (pe.IsUnknown()) {
            errs.push_back({bp.Index(i),
                            "element representing nested block must not be unknown "
                            "itself; set nested attribute values to unknown instead"});
          }
          ++i;
        }
        break;
      }
    }
  }
}

// ---------------------------------------------------------------- compatible

void AssertValueCompatible(const Value& planned, const Value& actual, const AttributePath& path,
                           std::vector<PathError>& errs);

bool SetsCorrelate(const Value& planned, const Value& actual, const AttributePath& path,
                   std::vector<PathError>& errs) {
  const auto& as = planned.Elements();
  const auto& bs = actual.Elements();
  std::vector<bool> aeq(as.size(), false), beq(bs.size(), false);
  for (size_t ai = 0; ai < as.size(); ++ai) {
    for (size_t bi = 0; bi < bs.size(); ++bi) {
      if (aeq[ai] && beq[bi]) continue;
      std::vector<PathError> sub;
      AssertValueCompatible(as[ai], bs[bi], path, sub);
      if (sub.empty()) aeq[ai] = beq[bi] = true;
    }
  }
  bool ok = true;
  for (size_t i = 0; i < as.size(); ++i) {
    if (!aeq[i]) {
      errs.push_back({path, "planned set element " + ShortValue(as[i]) +
                                " does not correlate with any element in actual"});
      ok = false;
    }
  }
  if (!ok) return false;
  for (size_t i = 0; i < bs.size(); ++i) {
    if (!beq[i]) {
      errs.push_back({path, "actual set element " + ShortValue(bs[i]) +
                                " does not correlate with any element in plan"});
      ok = false;
    }
  }
  return ok;
}

void AssertValueCompatible(const Value& planned, const Value& actual, const AttributePath& path,
                           std::vector<PathError>& errs) {
  if (planned.type().kind() == TypeKind::kDynamic) return;
  if (planned.type() != actual.type() && !planned.IsUnknown()) {
    errs.push_back({path, "wrong final value type"});
    return;
  }
  if (planned.IsUnknown()) return;
  if (actual.IsNull()) {
    if (!planned.IsNull()) errs.push_back({path, "was " + ShortValue(planned) + ", but now null"});
    return;
  }
  if (planned.IsNull()) {
    errs.push_back({path, "was null, but now " + ShortValue(actual)});
    return;
  }
  if (actual.IsUnknown()) {
    errs.push_back({path, "was known, but now unknown"});
    return;
  }
  const Type& t = planned.type();
  if (t.IsPrimitive()) {
    if (planned != actual) {
      errs.push_back({path, "was " + ShortValue(planned) + ", but now " + ShortValue(actual)});
    }
    return;
  }
  switch (t.kind()) {
    case TypeKind::kList:
    case TypeKind::kTuple: {
      const auto& pe = planned.Elements();
      const auto& ae = actual.Elements();
      for (size_t i = 0; i < pe.size(); ++i) {
        if (i >= ae.size()) {
          errs.push_back({path, "element " + std::to_string(i) + " has vanished"});
          continue;
        }
        AssertValueCompatible(pe[i], ae[i], path.Index(static_cast<int64_t>(i)), errs);
      }
      for (size_t i = pe.size(); i < ae.size(); ++i) {
        errs.push_back({path, "new element " + std::to_string(i) + " has appeared"});
      }
      return;
    }
    case TypeKind::kMap: {
      for (const auto& [k, pv] : planned.Entries()) {
        auto it = actual.Entries().find(k);
        if (it == actual.Entries().end()) {
          errs.push_back({path, "element " + schema::JsonQuote(k) + " has vanished"});
          continue;
        }
        AssertValueCompatible(pv, it->second, path.Key(k), errs);
      }
      for (const auto& [k, _] : actual.Entries()) {
        if (!planned.Entries().count(k)) {
          errs.push_back({path, "new element " + schema::JsonQuote(k) + " has appeared"});
        }
      }
      return;
    }
    case TypeKind::kObject:
      for (const auto& [k, pv] : planned.Entries()) {
        AssertValueCompatible(pv, actual.Entries().at(k), path.Attr(k), errs);
      }
      return;
    case TypeKind::kSet:
      SetsCorrelate(planned, actual, path, errs);
      if (planned.Length() < actual.Length()) {
        errs.push_back({path, "length changed from " + std::to_string(planned.Length()) + " to " +
                                  std::to_string(actual.Length())});
      }
      return;
    default:
      return;
  }
}

void AssertObjectCompatibleAt(const Block& block, const Value& planned, const Value& actual,
                              const AttributePath& path, std::vector<PathError>& errs) {
  const std::string root = path.empty() ? "Root object " : "";
  if (planned.IsNull() && !actual.IsNull()) {
    errs.push_back({path, root + "was absent, but now present"});
    return;
  }
  if (actual.IsNull() && !planned.IsNull()) {
    errs.push_back({path, root + "was present, but now absent"});
    return;
  }
  if (planned.IsNull()) return;
  if (actual.IsUnknown()) {
    errs.push_back({path, root + "was known, but now unknown"});
    return;
  }
  if (planned.IsUnknown()) return;
  for (const auto& a : block.attributes) {
    std::vector<PathError> sub;
    AssertValueCompatible(planned.GetAttr(a.name), actual.GetAttr(a.name), path.Attr(a.name), sub);
    if (a.sensitive && !sub.empty()) {
      errs.push_back({path.Attr(a.name), "inconsistent values for sensitive attribute"});
    } else {
      errs.insert(errs.end(), sub.begin(), sub.end());
    }
  }
  for (const auto& nb : block.blocks) {
    const AttributePath bp = path.Attr(nb.type_name);
    Value pv = planned.GetAttr(nb.type_name);
    Value av = actual.GetAttr(nb.type_name);
    switch (nb.nesting) {
      case Nesting::kSingle:
      case Nesting::kGroup:
        if (pv.IsUnknown() && av.IsNull()) continue;
        AssertObjectCompatibleAt(nb.block, pv, av, bp, errs);
        break;
      case Nesting::kList: {
        if (!pv.IsKnown() || !av.IsKnown()) continue;
        if (pv.Length() != av.Length()) {
          errs.push_back({bp, "block count changed from " + std::to_string(pv.Length()) + " to " +
                                  std::to_string(av.Length())});
          continue;
        }
        for (size_t i = 0; i < pv.Elements().size(); ++i) {
          AssertObjectCompatibleAt(nb.block, pv.Elements()[i], av.Elements()[i],
                                   bp.Index(static_cast<int64_t>(i)), errs);
        }
        break;
      }
      case Nesting::kMap: {
        if (!pv.IsKnown() || !av.IsKnown()) continue;
        if (pv.Length() != av.Length()) {
          errs.push_back({bp, "block count changed from " + std::to_string(pv.Length()) + " to " +
                                  std::to_string(av.Length())});
          continue;
        }
        for (const auto& [k, pe] : pv.Entries()) {
          auto it = av.Entries().find(k);
          if (it == av.Entries().end()) {
            errs.push_back({bp, "block key \"" + k + "\" has vanished"});
            continue;
          }
          AssertObjectCompatibleAt(nb.block, pe, it->second, bp.Key(k), errs);
        }
        break;
      }
      case Nesting::kSet: {
        if (!pv.IsKnown() || !av.IsKnown()) continue;
        const auto& as = pv.Elements();
        const auto& bs = av.Elements();
        std::vector<bool> aeq(as.size(), false), beq(bs.size(), false);
        for (size_t ai = 0; ai < as.size(); ++ai) {
          for (size_t bi = 0; bi < bs.size(); ++bi) {
            if (aeq[ai] && beq[bi]) continue;
            std::vector<PathError> sub;
            AssertObjectCompatibleAt(nb.block, as[ai], bs[bi], bp, sub);
            if (sub.empty()) aeq[ai] = beq[bi] = true;
          }
        }
        bool ok = true;
        for (size_t i = 0; i < as.size(); ++i) {
          if (!aeq[i]) {
            ok = false;
            errs.push_back({bp, "planned set element " + ShortValue(as[i]) +
                                    " does not correlate with any element in actual"});
          }
        }
        for (size_t i = 0; ok && i < bs.size(); ++i) {
          if (!beq[i]) {
            errs.push_back({bp, "actual set element " + ShortValue(bs[i]) +
                                    " does not correlate with any element in plan"});
          }
        }
        if (as.size() < bs.size()) {
          errs.push_back({bp, "block set length changed from " + std::to_string(as.size()) +
                                  " to " + std::to_string(bs.size())});
        }
        break;
      }
    }
  }
}

}  // namespace

Type ImpliedType(const Block& block) {
  std::map<std::string, Type> attrs;
  for (const auto& a : block.attributes) attrs[a.name] = a.type;
  for (const auto& nb : block.blocks) attrs[nb.type_name] = BlockCollectionType(nb);
  return Type::Object(std::move(attrs));
}

Value EmptyValue(const Block& block) {
  std::map<std::string, Value> attrs;
  for (const auto& a : block.attributes) attrs[a.name] = Value::Null(a.type);
  for (const auto& nb : block.blocks) {
    Type et = ImpliedType(nb.block);
    switch (nb.nesting) {
      case Nesting::kSingle:
        attrs[nb.type_name] = Value::Null(et);
        break;
      case Nesting::kGroup:
        attrs[nb.type_name] = EmptyValue(nb.block);
        break;
      case Nesting::kList:
        attrs[nb.type_name] = Value::List(et, {});
        break;
      case Nesting::kSet:
        attrs[nb.type_name] = Value::Set(et, {});
        break;
      case Nesting::kMap:
        attrs[nb.type_name] = Value::Map(et, {});
        break;
    }
  }
  return MakeObject(block, std::move(attrs));
}

Value ProposedNew(const Block& block, const Value& prior, const Value& config) {
  if (config.IsNull() && prior.IsNull()) return prior;
  return ProposedNewInner(block, prior.IsNull() ? EmptyValue(block) : prior, config);
}

Value PlannedDataResourceObject(const Block& block, const Value& config) {
  // As core does: ProposedNew from a wholly unknown prior, so that every
  // computed attribute left null in the configuration becomes unknown.
  return ProposedNew(block, Value::Unknown(ImpliedType(block)), config);
}

std::string PathError::Format(const std::string& address) const {
  std::string where = Where(path);
  if (where.empty()) return address + ": " + message;
  return address + "." + where + ": " + message;
}

std::vector<PathError> AssertPlanValid(const Block& block, const Value& prior, const Value& config,
                                       const Value& planned) {
  std::vector<PathError> errs;
  AssertPlanValidAt(block, prior, config, planned, AttributePath(), errs);
  return errs;
}

std::vector<PathError> AssertObjectCompatible(const Block& block, const Value& planned,
                                              const Value& actual) {
  std::vector<PathError> errs;
  AssertObjectCompatibleAt(block, planned, actual, AttributePath(), errs);
  return errs;
}

bool KnownEqual(const Value& a, const Value& b) { return a == b && a.IsWhollyKnown(); }

std::string ShortValue(const Value& v) {
  if (v.IsNull()) return "null";
  if (v.IsUnknown()) return "(unknown)";
  std::string s = v.DebugString();
  if (s.size() > 100) s = s.substr(0, 80) + "...(" + std::to_string(s.size()) + " chars)";
  return s;
}

std::vector<PathError> WriteOnlyNotNull(const Block& block, const Value& v) {
  std::vector<PathError> errs;
  WriteOnlyNotNullAt(block, v, AttributePath(), errs);
  return errs;
}

}  // namespace pxc::tfdriver
