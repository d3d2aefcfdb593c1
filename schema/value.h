// cty values: a typed value that is known, null or unknown, as Terraform
// exchanges them with providers. Values are immutable; copies share nothing
// mutable, so a Value may be read from several threads at once.
//
// Invariants kept by the constructors:
//  - a known object carries exactly the attributes of its type;
//  - a known set holds no duplicates and is kept in canonical order
//    (see SetLess), so equal sets compare equal element by element;
//  - a known map's keys are sorted (std::map).
// Unknown values may carry refinements on the wire; pxc reads them as plain
// unknowns and never sends refinements.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "schema/path.h"
#include "schema/status.h"
#include "schema/type.h"

namespace pxc::schema {

// A cty number. cty numbers are arbitrary-precision; pxc keeps an int64 when
// the number is an exact integer in range, a double when it is exactly a
// float64, and otherwise the decimal text it was given.
class Number {
 public:
  Number() : rep_(int64_t{0}) {}
  Number(int64_t v) : rep_(v) {}       // NOLINT(runtime/explicit)
  Number(int v) : rep_(int64_t{v}) {}  // NOLINT(runtime/explicit)
  // Doubles with an exact int64 value are stored as int64.
  static Number FromDouble(double v);
  // Parses a decimal number ("12", "-1.5", "1e300", "123456789012345678901").
  static StatusOr<Number> Parse(std::string_view text);

  bool IsInt64() const { return std::holds_alternative<int64_t>(rep_); }
  bool IsDouble() const { return std::holds_alternative<double>(rep_); }
  bool IsBig() const { return std::holds_alternative<std::string>(rep_); }
  int64_t AsInt64() const;             // precondition IsInt64()
  double AsDouble() const;             // any representation, possibly rounded
  const std::string& BigText() const;  // precondition IsBig()
  // Shortest decimal text that reads back as the same number.
  std::string ToString() const;

  bool operator==(const Number& o) const;
  bool operator<(const Number& o) const;

 private:
  std::variant<int64_t, double, std::string> rep_;
};

class Value {
 public:
  // A null value of dynamic type.
  Value();

  static Value Null(Type type);
  static Value Unknown(Type type);
  static Value Bool(bool v);
  static Value Num(Number v);
  static Value String(std::string v);
  static Value List(Type element_type, std::vector<Value> elements);
  // Duplicates are removed and elements put in canonical order.
  static Value Set(Type element_type, std::vector<Value> elements);
  static Value Map(Type element_type, std::map<std::string, Value> elements);
  // The object's type is taken from the attribute values' types.
  static Value Object(std::map<std::string, Value> attributes);
  // An object of the given type; attributes missing from `attributes` are
  // null. Returns InvalidArgument for attributes the type does not have.
  static StatusOr<Value> ObjectOf(const Type& type, std::map<std::string, Value> attributes);
  static Value Tuple(std::vector<Value> elements);
  // A known value of a dynamic attribute: the concrete value, marked as held
  // by a dynamic-typed slot is not needed: dynamic slots hold any value.

  const Type& type() const { return type_; }
  bool IsNull() const { return state_ == State::kNull; }
  bool IsUnknown() const { return state_ == State::kUnknown; }
  bool IsKnown() const { return state_ == State::kKnown; }
  // Known, and every nested value known too.
  bool IsWhollyKnown() const;

  // Accessors. Preconditions: IsKnown() and the matching type kind.
  bool AsBool() const;
  const Number& AsNumber() const;
  const std::string& AsString() const;
  // Elements of a list, set or tuple.
  const std::vector<Value>& Elements() const;
  // Entries of a map or attributes of an object.
  const std::map<std::string, Value>& Entries() const;
  // Object attribute; a null of the attribute's type when the object itself
  // is null; unknown of the attribute's type when the object is unknown.
  // Throws std::out_of_range for an attribute the type does not have.
  Value GetAttr(const std::string& name) const;
  size_t Length() const;

  // Convenience getters for typed models: nullopt when null or unknown.
  std::optional<std::string> GetString(const std::string& attr) const;
  std::optional<int64_t> GetInt(const std::string& attr) const;
  std::optional<bool> GetBool(const std::string& attr) const;

  // Returns a copy of this object with attribute `name` replaced.
  Value WithAttr(const std::string& name, Value v) const;

  // The value at `path`, or nullopt when a step does not exist. A step into a
  // null gives null, into an unknown gives unknown.
  std::optional<Value> At(const AttributePath& path) const;

  // Exact structural equality, including null/unknown state and type.
  bool operator==(const Value& o) const;
  bool operator!=(const Value& o) const { return !(*this == o); }

  // Debug rendering, e.g. {"a":"x","b":(unknown)}. Not for secrets.
  std::string DebugString() const;

  // Calls fn(path, value) for this value and every nested value, parents
  // first. If fn returns a replacement, it replaces that value (and its
  // children are not visited).
  using TransformFn =
      std::function<std::optional<Value>(const AttributePath& path, const Value& v)>;
  Value Transform(const TransformFn& fn) const;

  // The order sets are kept in: known before unknown; null first among
  // known; bools false<true; numbers numerically; strings by bytes; other
  // kinds by their debug text.
  static bool SetLess(const Value& a, const Value& b);

 private:
  enum class State { kNull, kUnknown, kKnown };
  using Rep = std::variant<std::monostate, bool, Number, std::string, std::vector<Value>,
                           std::map<std::string, Value>>;
  Value(Type type, State state, Rep rep);
  Value TransformAt(const AttributePath& path, const TransformFn& fn) const;

  Type type_;
  State state_ = State::kNull;
  std::shared_ptr<const Rep> rep_;
};

// Converts a value to the given type where cty would do so for a provider
// (e.g. a known value into a dynamic slot, null/unknown retyping, list to
// set). Returns InvalidArgument when it does not conform.
StatusOr<Value> Conform(const Value& v, const Type& type);

}  // namespace pxc::schema
