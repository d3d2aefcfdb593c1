#include "schema/type.h"

namespace pxc::schema {

Type::Type() : Type(Dynamic()) {}

Type Type::Dynamic() {
  static const auto rep = std::make_shared<const Rep>(Rep{TypeKind::kDynamic, {}, {}, {}});
  return Type(rep);
}
Type Type::Bool() {
  static const auto rep = std::make_shared<const Rep>(Rep{TypeKind::kBool, {}, {}, {}});
  return Type(rep);
}
Type Type::Number() {
  static const auto rep = std::make_shared<const Rep>(Rep{TypeKind::kNumber, {}, {}, {}});
  return Type(rep);
}
Type Type::String() {
  static const auto rep = std::make_shared<const Rep>(Rep{TypeKind::kString, {}, {}, {}});
  return Type(rep);
}
Type Type::List(Type element) {
  return Type(std::make_shared<const Rep>(Rep{TypeKind::kList, {std::move(element)}, {}, {}}));
}
Type Type::Set(Type element) {
  return Type(std::make_shared<const Rep>(Rep{TypeKind::kSet, {std::move(element)}, {}, {}}));
}
Type Type::Map(Type element) {
  return Type(std::make_shared<const Rep>(Rep{TypeKind::kMap, {std::move(element)}, {}, {}}));
}
Type Type::Object(std::map<std::string, Type> attributes) {
  return Type(std::make_shared<const Rep>(Rep{TypeKind::kObject, {}, std::move(attributes), {}}));
}
Type Type::Tuple(std::vector<Type> elements) {
  return Type(std::make_shared<const Rep>(Rep{TypeKind::kTuple, {}, {}, std::move(elements)}));
}

bool Type::IsPrimitive() const {
  return kind() == TypeKind::kBool || kind() == TypeKind::kNumber || kind() == TypeKind::kString;
}
bool Type::IsCollection() const {
  return kind() == TypeKind::kList || kind() == TypeKind::kSet || kind() == TypeKind::kMap;
}
const Type& Type::element() const {
  if (!IsCollection()) throw std::logic_error("Type::element on " + FriendlyName());
  return rep_->element.front();
}

bool Type::HasDynamic() const {
  switch (kind()) {
    case TypeKind::kDynamic:
      return true;
    case TypeKind::kList:
    case TypeKind::kSet:
    case TypeKind::kMap:
      return element().HasDynamic();
    case TypeKind::kObject:
      for (const auto& [_, t] : attributes()) {
        if (t.HasDynamic()) return true;
      }
      return false;
    case TypeKind::kTuple:
      for (const auto& t : elements()) {
        if (t.HasDynamic()) return true;
      }
      return false;
    default:
      return false;
  }
}

bool Type::operator==(const Type& other) const {
  if (rep_ == other.rep_) return true;
  if (kind() != other.kind()) return false;
  switch (kind()) {
    case TypeKind::kList:
    case TypeKind::kSet:
    case TypeKind::kMap:
      return element() == other.element();
    case TypeKind::kObject:
      return attributes() == other.attributes();
    case TypeKind::kTuple:
      return elements() == other.elements();
    default:
      return true;
  }
}

nlohmann::json Type::ToJson() const {
  using nlohmann::json;
  switch (kind()) {
    case TypeKind::kDynamic:
      return "dynamic";
    case TypeKind::kBool:
      return "bool";
    case TypeKind::kNumber:
      return "number";
    case TypeKind::kString:
      return "string";
    case TypeKind::kList:
      return json::array({"list", element().ToJson()});
    case TypeKind::kSet:
      return json::array({"set", element().ToJson()});
    case TypeKind::kMap:
      return json::array({"map", element().ToJson()});
    case TypeKind::kObject: {
      json attrs = json::object();
      for (const auto& [name, t] : attributes()) attrs[name] = t.ToJson();
      return json::array({"object", attrs});
    }
    case TypeKind::kTuple: {
      json elems = json::array();
      for (const auto& t : elements()) elems.push_back(t.ToJson());
      return json::array({"tuple", elems});
    }
  }
  return "dynamic";
}

StatusOr<Type> Type::FromJson(const nlohmann::json& j) {
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    if (s == "bool") return Bool();
    if (s == "number") return Number();
    if (s == "string") return String();
    if (s == "dynamic") return Dynamic();
    return InvalidArgumentError("invalid primitive type name \"" + s + "\"");
  }
  if (!j.is_array() || j.size() != 2 || !j[0].is_string()) {
    return InvalidArgumentError("invalid type JSON " + j.dump());
  }
  const auto& kind = j[0].get_ref<const std::string&>();
  if (kind == "list" || kind == "set" || kind == "map") {
    PXC_ASSIGN_OR_RETURN(Type elem, FromJson(j[1]));
    if (kind == "list") return List(std::move(elem));
    if (kind == "set") return Set(std::move(elem));
    return Map(std::move(elem));
  }
  if (kind == "object") {
    if (!j[1].is_object()) return InvalidArgumentError("object type needs an attribute map");
    std::map<std::string, Type> attrs;
    for (const auto& [name, tj] : j[1].items()) {
      PXC_ASSIGN_OR_RETURN(Type t, FromJson(tj));
      attrs.emplace(name, std::move(t));
    }
    return Object(std::move(attrs));
  }
  if (kind == "tuple") {
    if (!j[1].is_array()) return InvalidArgumentError("tuple type needs an element list");
    std::vector<Type> elems;
    for (const auto& tj : j[1]) {
      PXC_ASSIGN_OR_RETURN(Type t, FromJson(tj));
      elems.push_back(std::move(t));
    }
    return Tuple(std::move(elems));
  }
  return InvalidArgumentError("invalid complex type kind \"" + kind + "\"");
}

StatusOr<Type> Type::FromJsonString(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgumentError("type JSON is not valid JSON");
  return FromJson(j);
}

std::string Type::FriendlyName() const {
  switch (kind()) {
    case TypeKind::kDynamic:
      return "dynamic";
    case TypeKind::kBool:
      return "bool";
    case TypeKind::kNumber:
      return "number";
    case TypeKind::kString:
      return "string";
    case TypeKind::kList:
      return "list of " + element().FriendlyName();
    case TypeKind::kSet:
      return "set of " + element().FriendlyName();
    case TypeKind::kMap:
      return "map of " + element().FriendlyName();
    case TypeKind::kObject:
      return "object";
    case TypeKind::kTuple:
      return "tuple";
  }
  return "dynamic";
}

}  // namespace pxc::schema
