// cty types: the type system of Terraform values (bool, number, string,
// list, set, map, object, tuple and the dynamic pseudo-type), with the type
// JSON encoding used in schemas and dynamic values ("string",
// ["list","string"], ["object",{"a":"bool"}]).
//
// Type is an immutable value type; copies share their structure. Thread-safe
// for concurrent reads.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "schema/status.h"

namespace pxc::schema {

enum class TypeKind { kDynamic, kBool, kNumber, kString, kList, kSet, kMap, kObject, kTuple };

class Type {
 public:
  // The dynamic pseudo-type ("any").
  Type();

  static Type Dynamic();
  static Type Bool();
  static Type Number();
  static Type String();
  static Type List(Type element);
  static Type Set(Type element);
  static Type Map(Type element);
  // Attributes are kept sorted by name (cty's order).
  static Type Object(std::map<std::string, Type> attributes);
  static Type Tuple(std::vector<Type> elements);

  TypeKind kind() const { return rep_->kind; }
  bool IsPrimitive() const;
  bool IsCollection() const;  // list, set or map
  // Element type of a list, set or map. Precondition: IsCollection().
  const Type& element() const;
  // Attribute types of an object (empty for other kinds).
  const std::map<std::string, Type>& attributes() const { return rep_->attributes; }
  // Element types of a tuple (empty for other kinds).
  const std::vector<Type>& elements() const { return rep_->elements; }
  // True when the type or a nested type is dynamic.
  bool HasDynamic() const;

  bool operator==(const Type& other) const;
  bool operator!=(const Type& other) const { return !(*this == other); }

  // Type JSON, as in Terraform's schema and cty's json.MarshalType.
  nlohmann::json ToJson() const;
  std::string ToJsonString() const { return ToJson().dump(); }
  static StatusOr<Type> FromJson(const nlohmann::json& json);
  static StatusOr<Type> FromJsonString(std::string_view text);
  // Human-readable form, e.g. "list of string", "object".
  std::string FriendlyName() const;

 private:
  struct Rep {
    TypeKind kind = TypeKind::kDynamic;
    std::vector<Type> element;  // one entry for collections
    std::map<std::string, Type> attributes;
    std::vector<Type> elements;
  };
  explicit Type(std::shared_ptr<const Rep> rep) : rep_(std::move(rep)) {}
  std::shared_ptr<const Rep> rep_;
};

}  // namespace pxc::schema
