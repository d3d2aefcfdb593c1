// The schema model: what a provider, resource or data source declares about
// its configuration and state. Attributes carry their constraint (required /
// optional / computed / optional+computed, so impossible flag combinations
// cannot be written), sensitivity, write-only (protocol 6.8: the value is in
// the configuration only and never in state or plan), Markdown description,
// plan modifiers, default and validators. The protocol layer converts this to tfplugin6's
// Schema message; the core uses it to run the plan pipeline.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "schema/diagnostics.h"
#include "schema/path.h"
#include "schema/type.h"
#include "schema/value.h"

namespace pxc::schema {

enum class Constraint { kRequired, kOptional, kComputed, kOptionalComputed };

// Checks a known, non-null configuration value and adds diagnostics at `path`.
using Validator =
    std::function<void(const Value& value, const AttributePath& path, Diagnostics& diags)>;

struct Attribute {
  std::string name;
  Type type;
  Constraint constraint = Constraint::kOptional;
  std::string description;  // Markdown
  bool sensitive = false;
  bool deprecated = false;
  // Write-only (managed resources only, never computed, never inside a set
  // block): the core passes the configured value to ModifyPlan and
  // Create/Update (in `planned`) and returns null for it in every state and
  // plan. Terraform >= 1.11 only; older cores are refused at validation.
  bool write_only = false;
  // Plan modifiers.
  bool requires_replace = false;       // a change replaces the object
  bool use_state_for_unknown = false;  // computed: keep the prior value on update
  // Used when the configuration leaves the attribute null. Only valid with
  // kOptionalComputed (the planned value then differs from config null).
  std::optional<Value> default_value;
  std::vector<Validator> validators;

  bool required() const { return constraint == Constraint::kRequired; }
  bool optional() const {
    return constraint == Constraint::kOptional || constraint == Constraint::kOptionalComputed;
  }
  bool computed() const {
    return constraint == Constraint::kComputed || constraint == Constraint::kOptionalComputed;
  }

  // Fluent construction helpers.
  Attribute& Describe(std::string d) {
    description = std::move(d);
    return *this;
  }
  Attribute& Sensitive() {
    sensitive = true;
    return *this;
  }
  Attribute& WriteOnly() {
    write_only = true;
    return *this;
  }
  Attribute& RequiresReplace() {
    requires_replace = true;
    return *this;
  }
  Attribute& UseStateForUnknown() {
    use_state_for_unknown = true;
    return *this;
  }
  Attribute& Default(Value v) {
    default_value = std::move(v);
    return *this;
  }
  Attribute& Validate(Validator v) {
    validators.push_back(std::move(v));
    return *this;
  }
};

Attribute RequiredAttr(std::string name, Type type);
Attribute OptionalAttr(std::string name, Type type);
Attribute ComputedAttr(std::string name, Type type);
Attribute OptionalComputedAttr(std::string name, Type type);

enum class Nesting { kSingle, kList, kSet, kMap, kGroup };

struct NestedBlock;

struct Block {
  std::vector<Attribute> attributes;
  std::vector<NestedBlock> blocks;
  std::string description;  // Markdown
  bool deprecated = false;

  // The object type a value of this block has (blocks become attributes of
  // list/set/map/object type by nesting mode).
  Type ImpliedType() const;
  const Attribute* FindAttribute(const std::string& name) const;
  const NestedBlock* FindBlock(const std::string& name) const;
};

struct NestedBlock {
  std::string type_name;
  Block block;
  Nesting nesting = Nesting::kList;
  int64_t min_items = 0;
  int64_t max_items = 0;
};

struct Schema {
  int64_t version = 0;
  Block block;

  Type ImpliedType() const { return block.ImpliedType(); }
};

// Checks a schema against Terraform's InternalValidate rules (names,
// constraint combinations, defaults only on optional+computed, min/max items
// per nesting mode, no dynamic in sets, write-only attributes neither
// computed nor defaulted nor plan-modified nor inside set blocks, and only
// where `allow_write_only`: managed resources). Returns the first violation.
Status ValidateSchema(const Schema& schema, bool allow_write_only = true);

// True when `block` or a nested block declares a write-only attribute.
bool HasWriteOnly(const Block& block);

// Common validators.
Validator OneOf(std::vector<std::string> allowed);
Validator IntBetween(int64_t min, int64_t max);
Validator StringNotEmpty();

}  // namespace pxc::schema
