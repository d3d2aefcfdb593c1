#include "schema/schema.h"

#include <regex>
#include <set>

namespace pxc::schema {

namespace {
Attribute Make(std::string name, Type type, Constraint c) {
  Attribute a;
  a.name = std::move(name);
  a.type = std::move(type);
  a.constraint = c;
  return a;
}
}  // namespace

Attribute RequiredAttr(std::string name, Type type) {
  return Make(std::move(name), std::move(type), Constraint::kRequired);
}
Attribute OptionalAttr(std::string name, Type type) {
  return Make(std::move(name), std::move(type), Constraint::kOptional);
}
Attribute ComputedAttr(std::string name, Type type) {
  return Make(std::move(name), std::move(type), Constraint::kComputed);
}
Attribute OptionalComputedAttr(std::string name, Type type) {
  return Make(std::move(name), std::move(type), Constraint::kOptionalComputed);
}

Type Block::ImpliedType() const {
  std::map<std::string, Type> attrs;
  for (const auto& a : attributes) attrs.emplace(a.name, a.type);
  for (const auto& b : blocks) {
    Type inner = b.block.ImpliedType();
    switch (b.nesting) {
      case Nesting::kSingle:
      case Nesting::kGroup:
        attrs.emplace(b.type_name, inner);
        break;
      case Nesting::kList:
        attrs.emplace(b.type_name, Type::List(inner));
        break;
      case Nesting::kSet:
        attrs.emplace(b.type_name, Type::Set(inner));
        break;
      case Nesting::kMap:
        attrs.emplace(b.type_name, Type::Map(inner));
        break;
    }
  }
  return Type::Object(std::move(attrs));
}

const Attribute* Block::FindAttribute(const std::string& name) const {
  for (const auto& a : attributes) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

const NestedBlock* Block::FindBlock(const std::string& name) const {
  for (const auto& b : blocks) {
    if (b.type_name == name) return &b;
  }
  return nullptr;
}

namespace {
Status ValidateBlock(const Block& block, const std::string& where, bool allow_write_only,
                     bool in_set) {
  static const std::regex kName("^[a-z0-9_]+$");
  std::set<std::string> names;
  for (const auto& a : block.attributes) {
    const std::string at = where + a.name;
    if (!std::regex_match(a.name, kName)) {
      return InvalidArgumentError(at + ": attribute names must be lowercase letters, digits and _");
    }
    if (!names.insert(a.name).second) return InvalidArgumentError(at + ": duplicate name");
    if (a.default_value && a.constraint != Constraint::kOptionalComputed) {
      return InvalidArgumentError(at + ": a default needs an optional+computed attribute");
    }
    if (a.default_value && !a.default_value->IsNull() && a.default_value->type() != a.type &&
        a.type.kind() != TypeKind::kDynamic) {
      return InvalidArgumentError(at + ": default value has the wrong type");
    }
    if (a.use_state_for_unknown && !a.computed()) {
      return InvalidArgumentError(at + ": UseStateForUnknown needs a computed attribute");
    }
    if (a.type.kind() == TypeKind::kSet && a.type.element().HasDynamic()) {
      return InvalidArgumentError(at + ": sets cannot hold dynamic types");
    }
    if (a.write_only) {
      if (!allow_write_only) {
        return InvalidArgumentError(at + ": only managed resources may have write-only attributes");
      }
      if (a.computed())
        return InvalidArgumentError(at + ": a write-only attribute cannot be computed");
      if (a.requires_replace || a.use_state_for_unknown) {
        return InvalidArgumentError(at + ": a write-only attribute has no prior value to compare");
      }
      if (in_set) {
        return InvalidArgumentError(at + ": write-only attributes cannot be inside a set block");
      }
    }
  }
  for (const auto& b : block.blocks) {
    const std::string at = where + b.type_name;
    if (!std::regex_match(b.type_name, kName)) {
      return InvalidArgumentError(at + ": block names must be lowercase letters, digits and _");
    }
    if (!names.insert(b.type_name).second) return InvalidArgumentError(at + ": duplicate name");
    if (b.min_items < 0 || b.max_items < 0)
      return InvalidArgumentError(at + ": negative item count");
    if (b.max_items != 0 && b.min_items > b.max_items) {
      return InvalidArgumentError(at + ": min_items greater than max_items");
    }
    if ((b.nesting == Nesting::kSingle || b.nesting == Nesting::kGroup ||
         b.nesting == Nesting::kMap) &&
        (b.min_items != 0 || b.max_items != 0)) {
      if (!(b.nesting == Nesting::kSingle && b.min_items <= 1 && b.max_items <= 1)) {
        return InvalidArgumentError(at + ": min/max items only apply to list and set blocks");
      }
    }
    PXC_RETURN_IF_ERROR(
        ValidateBlock(b.block, at + ".", allow_write_only, in_set || b.nesting == Nesting::kSet));
  }
  return OkStatus();
}
}  // namespace

Status ValidateSchema(const Schema& schema, bool allow_write_only) {
  if (schema.version < 0) return InvalidArgumentError("schema version must not be negative");
  return ValidateBlock(schema.block, "", allow_write_only, /*in_set=*/false);
}

bool HasWriteOnly(const Block& block) {
  for (const auto& a : block.attributes) {
    if (a.write_only) return true;
  }
  for (const auto& b : block.blocks) {
    if (HasWriteOnly(b.block)) return true;
  }
  return false;
}

Validator OneOf(std::vector<std::string> allowed) {
  return [allowed](const Value& v, const AttributePath& path, Diagnostics& diags) {
    if (!v.IsKnown() || v.type().kind() != TypeKind::kString) return;
    for (const auto& a : allowed) {
      if (v.AsString() == a) return;
    }
    std::string list;
    for (size_t i = 0; i < allowed.size(); ++i) {
      list += (i ? ", " : "") + ("\"" + allowed[i] + "\"");
    }
    diags.AddError("Invalid Attribute Value",
                   "Attribute " + path.ToString() + " value must be one of: " + list + ", got \"" +
                       v.AsString() + "\".",
                   path);
  };
}

Validator IntBetween(int64_t min, int64_t max) {
  return [min, max](const Value& v, const AttributePath& path, Diagnostics& diags) {
    if (!v.IsKnown() || v.type().kind() != TypeKind::kNumber) return;
    const Number& n = v.AsNumber();
    if (!n.IsInt64()) {
      diags.AddError(
          "Invalid Attribute Value",
          "Attribute " + path.ToString() + " must be a whole number, got " + n.ToString() + ".",
          path);
      return;
    }
    if (n.AsInt64() < min || n.AsInt64() > max) {
      diags.AddError("Invalid Attribute Value",
                     "Attribute " + path.ToString() + " value must be between " +
                         std::to_string(min) + " and " + std::to_string(max) + ", got " +
                         n.ToString() + ".",
                     path);
    }
  };
}

Validator StringNotEmpty() {
  return [](const Value& v, const AttributePath& path, Diagnostics& diags) {
    if (!v.IsKnown() || v.type().kind() != TypeKind::kString) return;
    if (v.AsString().empty()) {
      diags.AddError("Invalid Attribute Value",
                     "Attribute " + path.ToString() + " must not be empty.", path);
    }
  };
}

}  // namespace pxc::schema
