// Reading a resource's configuration, plan or state into its typed model.
// A resource keeps a plain struct of what it is given, filled by a Decode
// function through a ModelReader, which takes the default of an attribute
// left null from the schema: a default is declared once, in the schema the
// documentation is generated from, and never restated in code. Computed
// attributes are written back with Value::WithAttr.
//
// Thread safety: a ModelReader is used by one thread; the Value and Block it
// reads are immutable.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "schema/diagnostics.h"
#include "schema/schema.h"
#include "schema/value.h"

namespace pxc::schema {

class ModelReader {
 public:
  // `obj` is an object of `block`'s type, or null or unknown (then every
  // attribute reads as null or unknown). Both must outlive the reader.
  ModelReader(const Value& obj, const Block& block);

  // The attribute's value; when it is null, the schema's default (a null
  // when the schema declares none). Throws std::out_of_range for a name the
  // block does not have, so a misspelt attribute fails every test.
  Value Get(const std::string& name) const;

  // Typed views of Get: nullopt (or the fallback "", 0, false) when the
  // value is null or unknown. Reading an unknown value is recorded, see
  // Unknown().
  std::optional<std::string> OptString(const std::string& name);
  std::optional<int64_t> OptInt(const std::string& name);
  std::optional<bool> OptBool(const std::string& name);
  std::string String(const std::string& name) { return OptString(name).value_or(""); }
  int64_t Int(const std::string& name) { return OptInt(name).value_or(0); }
  bool Bool(const std::string& name) { return OptBool(name).value_or(false); }

  // Whether the attribute is set in `obj` itself (not null; unknown counts
  // as set), as opposed to taken from the default or absent.
  bool IsSet(const std::string& name) const;
  // Whether its value (after defaults) is unknown.
  bool IsUnknown(const std::string& name) const { return Get(name).IsUnknown(); }

  // The attributes read so far whose value was unknown: a model decoded
  // from a plan with unknowns must not be used to act.
  const std::set<std::string>& Unknown() const { return unknown_; }

 private:
  const Value& obj_;
  const Block& block_;
  std::set<std::string> unknown_;
};

// The checks of a write-only argument with its version (protocol 6.8): the
// plain attribute `plain` (stored in state) and the write-only `wo` exclude
// each other, and `wo` needs `version` (Terraform never stores `wo`, so a
// change of `version` is how a new value is applied) and the other way
// round. `what` names the value ("the key"), `version_why` finishes the
// sentence that says why the version is required. Errors at `wo` or
// `version`.
void ValidateWriteOnlyVersioned(const Value& config, const std::string& plain,
                                const std::string& wo, const std::string& version,
                                const std::string& what, const std::string& version_why,
                                Diagnostics& diags);

}  // namespace pxc::schema
