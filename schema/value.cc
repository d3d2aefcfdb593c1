#include "schema/value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace pxc::schema {

// ---------------------------------------------------------------- Number

Number Number::FromDouble(double v) {
  if (std::isfinite(v) && std::trunc(v) == v && v >= -9223372036854775808.0 &&
      v < 9223372036854775808.0) {
    return Number(static_cast<int64_t>(v));
  }
  Number n;
  n.rep_ = v;
  return n;
}

StatusOr<Number> Number::Parse(std::string_view text) {
  if (text.empty()) return InvalidArgumentError("empty number");
  // An explicit '+' sign is accepted (as Go's big.Float does) but not kept.
  if (text.size() > 1 && text[0] == '+' && text[1] != '+' && text[1] != '-') {
    text.remove_prefix(1);
  }
  const char* b = text.data();
  const char* e = b + text.size();
  int64_t i = 0;
  auto [ip, iec] = std::from_chars(b, e, i);
  if (iec == std::errc() && ip == e) return Number(i);
  // Validate decimal syntax: -?digits(.digits)?([eE][+-]?digits)?
  size_t pos = 0;
  auto digits = [&]() {
    size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    return pos > start;
  };
  if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) ++pos;
  bool int_digits = digits();
  bool frac_digits = false;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    frac_digits = digits();
  }
  if (!int_digits && !frac_digits)
    return InvalidArgumentError("invalid number \"" + std::string(text) + "\"");
  if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
    ++pos;
    if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) ++pos;
    if (!digits()) return InvalidArgumentError("invalid number \"" + std::string(text) + "\"");
  }
  if (pos != text.size())
    return InvalidArgumentError("invalid number \"" + std::string(text) + "\"");
  double d = 0;
  auto [dp, dec] = std::from_chars(b, e, d);
  if (dec == std::errc() && dp == e && std::isfinite(d)) {
    // Exact when printing the double back gives the same number of
    // significant digits the text has, i.e. shortest form round-trips.
    Number n = FromDouble(d);
    // Leading and trailing zeros are not significant ("1.50", "1000").
    size_t sig = 0;
    size_t zeros = 0;
    bool leading = true;
    for (char c : text) {
      if (c == 'e' || c == 'E') break;
      if (c >= '1' && c <= '9') {
        leading = false;
        sig += zeros + 1;
        zeros = 0;
      } else if (c == '0' && !leading) {
        ++zeros;
      }
    }
    if (sig <= 15) return n;
  }
  Number n;
  n.rep_ = std::string(text);
  return n;
}

int64_t Number::AsInt64() const { return std::get<int64_t>(rep_); }

double Number::AsDouble() const {
  if (IsInt64()) return static_cast<double>(std::get<int64_t>(rep_));
  if (IsDouble()) return std::get<double>(rep_);
  return std::strtod(std::get<std::string>(rep_).c_str(), nullptr);
}

const std::string& Number::BigText() const { return std::get<std::string>(rep_); }

std::string Number::ToString() const {
  if (IsInt64()) return std::to_string(std::get<int64_t>(rep_));
  if (IsDouble()) {
    char buf[64];
    auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), std::get<double>(rep_));
    return std::string(buf, p);
  }
  return std::get<std::string>(rep_);
}

bool Number::operator==(const Number& o) const {
  if (IsInt64() && o.IsInt64()) return AsInt64() == o.AsInt64();
  if (IsBig() || o.IsBig()) return ToString() == o.ToString();
  return AsDouble() == o.AsDouble();
}

bool Number::operator<(const Number& o) const {
  if (IsInt64() && o.IsInt64()) return AsInt64() < o.AsInt64();
  return AsDouble() < o.AsDouble();
}

// ---------------------------------------------------------------- Value

Value::Value() : type_(Type::Dynamic()), state_(State::kNull), rep_(nullptr) {}

Value::Value(Type type, State state, Rep rep)
    : type_(std::move(type)), state_(state), rep_(std::make_shared<const Rep>(std::move(rep))) {}

Value Value::Null(Type type) { return Value(std::move(type), State::kNull, std::monostate{}); }
Value Value::Unknown(Type type) {
  return Value(std::move(type), State::kUnknown, std::monostate{});
}
Value Value::Bool(bool v) { return Value(Type::Bool(), State::kKnown, v); }
Value Value::Num(Number v) { return Value(Type::Number(), State::kKnown, std::move(v)); }
Value Value::String(std::string v) { return Value(Type::String(), State::kKnown, std::move(v)); }

Value Value::List(Type element_type, std::vector<Value> elements) {
  return Value(Type::List(std::move(element_type)), State::kKnown, std::move(elements));
}

Value Value::Set(Type element_type, std::vector<Value> elements) {
  std::stable_sort(elements.begin(), elements.end(), SetLess);
  std::vector<Value> unique;
  for (auto& e : elements) {
    // Unknown elements never compare equal to each other: keep them all.
    if (!unique.empty() && !e.IsUnknown() && unique.back() == e) continue;
    unique.push_back(std::move(e));
  }
  return Value(Type::Set(std::move(element_type)), State::kKnown, std::move(unique));
}

Value Value::Map(Type element_type, std::map<std::string, Value> elements) {
  return Value(Type::Map(std::move(element_type)), State::kKnown, std::move(elements));
}

Value Value::Object(std::map<std::string, Value> attributes) {
  std::map<std::string, Type> types;
  for (const auto& [k, v] : attributes) types.emplace(k, v.type());
  return Value(Type::Object(std::move(types)), State::kKnown, std::move(attributes));
}

StatusOr<Value> Value::ObjectOf(const Type& type, std::map<std::string, Value> attributes) {
  if (type.kind() != TypeKind::kObject)
    return InvalidArgumentError("ObjectOf needs an object type");
  std::map<std::string, Value> out;
  for (const auto& [name, at] : type.attributes()) {
    auto it = attributes.find(name);
    if (it == attributes.end()) {
      out.emplace(name, Null(at));
      continue;
    }
    PXC_ASSIGN_OR_RETURN(Value conv, Conform(it->second, at));
    out.emplace(name, std::move(conv));
    attributes.erase(it);
  }
  if (!attributes.empty()) {
    return InvalidArgumentError("unexpected attribute \"" + attributes.begin()->first + "\"");
  }
  return Value(type, State::kKnown, std::move(out));
}

Value Value::Tuple(std::vector<Value> elements) {
  std::vector<Type> types;
  for (const auto& e : elements) types.push_back(e.type());
  return Value(Type::Tuple(std::move(types)), State::kKnown, std::move(elements));
}

bool Value::IsWhollyKnown() const {
  if (IsUnknown()) return false;
  if (IsNull()) return true;
  if (const auto* v = std::get_if<std::vector<Value>>(rep_.get())) {
    for (const auto& e : *v) {
      if (!e.IsWhollyKnown()) return false;
    }
  } else if (const auto* m = std::get_if<std::map<std::string, Value>>(rep_.get())) {
    for (const auto& [_, e] : *m) {
      if (!e.IsWhollyKnown()) return false;
    }
  }
  return true;
}

namespace {
[[noreturn]] void Bad(const char* what, const Type& t) {
  throw std::logic_error(std::string("Value::") + what + " on " + t.FriendlyName() +
                         " (null, unknown or wrong kind)");
}
}  // namespace

bool Value::AsBool() const {
  if (!IsKnown() || !std::holds_alternative<bool>(*rep_)) Bad("AsBool", type_);
  return std::get<bool>(*rep_);
}
const Number& Value::AsNumber() const {
  if (!IsKnown() || !std::holds_alternative<Number>(*rep_)) Bad("AsNumber", type_);
  return std::get<Number>(*rep_);
}
const std::string& Value::AsString() const {
  if (!IsKnown() || !std::holds_alternative<std::string>(*rep_)) Bad("AsString", type_);
  return std::get<std::string>(*rep_);
}
const std::vector<Value>& Value::Elements() const {
  if (!IsKnown() || !std::holds_alternative<std::vector<Value>>(*rep_)) Bad("Elements", type_);
  return std::get<std::vector<Value>>(*rep_);
}
const std::map<std::string, Value>& Value::Entries() const {
  if (!IsKnown() || !std::holds_alternative<std::map<std::string, Value>>(*rep_)) {
    Bad("Entries", type_);
  }
  return std::get<std::map<std::string, Value>>(*rep_);
}

Value Value::GetAttr(const std::string& name) const {
  if (type_.kind() != TypeKind::kObject) {
    if (type_.kind() == TypeKind::kDynamic && !IsKnown()) {
      return IsNull() ? Null(Type::Dynamic()) : Unknown(Type::Dynamic());
    }
    Bad("GetAttr", type_);
  }
  auto tit = type_.attributes().find(name);
  if (tit == type_.attributes().end()) throw std::out_of_range("no attribute \"" + name + "\"");
  if (IsNull()) return Null(tit->second);
  if (IsUnknown()) return Unknown(tit->second);
  return Entries().at(name);
}

size_t Value::Length() const {
  if (const auto* v = std::get_if<std::vector<Value>>(rep_.get())) return v->size();
  if (const auto* m = std::get_if<std::map<std::string, Value>>(rep_.get())) return m->size();
  if (const auto* s = std::get_if<std::string>(rep_.get())) return s->size();
  return 0;
}

std::optional<std::string> Value::GetString(const std::string& attr) const {
  Value v = GetAttr(attr);
  if (!v.IsKnown()) return std::nullopt;
  return v.AsString();
}
std::optional<int64_t> Value::GetInt(const std::string& attr) const {
  Value v = GetAttr(attr);
  if (!v.IsKnown()) return std::nullopt;
  const Number& n = v.AsNumber();
  if (n.IsInt64()) return n.AsInt64();
  return static_cast<int64_t>(n.AsDouble());
}
std::optional<bool> Value::GetBool(const std::string& attr) const {
  Value v = GetAttr(attr);
  if (!v.IsKnown()) return std::nullopt;
  return v.AsBool();
}

Value Value::WithAttr(const std::string& name, Value v) const {
  auto entries = Entries();
  if (!type_.attributes().count(name)) throw std::out_of_range("no attribute \"" + name + "\"");
  entries[name] = std::move(v);
  return Value(type_, State::kKnown, std::move(entries));
}

std::optional<Value> Value::At(const AttributePath& path) const {
  Value cur = *this;
  for (const auto& step : path.steps()) {
    if (cur.IsNull() || cur.IsUnknown()) {
      // Stepping into null/unknown: find the nested type where possible.
      Type t = Type::Dynamic();
      if (step.kind == PathStep::Kind::kAttribute && cur.type().kind() == TypeKind::kObject) {
        auto it = cur.type().attributes().find(step.name);
        if (it == cur.type().attributes().end()) return std::nullopt;
        t = it->second;
      } else if (cur.type().IsCollection()) {
        t = cur.type().element();
      }
      cur = cur.IsNull() ? Null(t) : Unknown(t);
      continue;
    }
    switch (step.kind) {
      case PathStep::Kind::kAttribute: {
        if (cur.type().kind() != TypeKind::kObject) return std::nullopt;
        auto it = cur.Entries().find(step.name);
        if (it == cur.Entries().end()) return std::nullopt;
        cur = it->second;
        break;
      }
      case PathStep::Kind::kStringKey: {
        if (cur.type().kind() != TypeKind::kMap) return std::nullopt;
        auto it = cur.Entries().find(step.name);
        if (it == cur.Entries().end()) return std::nullopt;
        cur = it->second;
        break;
      }
      case PathStep::Kind::kIntKey: {
        auto k = cur.type().kind();
        if (k != TypeKind::kList && k != TypeKind::kTuple) return std::nullopt;
        if (step.index < 0 || static_cast<size_t>(step.index) >= cur.Elements().size()) {
          return std::nullopt;
        }
        cur = cur.Elements()[step.index];
        break;
      }
    }
  }
  return cur;
}

bool Value::operator==(const Value& o) const {
  if (state_ != o.state_) return false;
  if (type_ != o.type_) return false;
  if (state_ != State::kKnown) return true;
  if (rep_ == o.rep_) return true;
  return *rep_ == *o.rep_;
}

std::string Value::DebugString() const {
  if (IsNull()) return "null";
  if (IsUnknown()) return "(unknown)";
  if (const auto* b = std::get_if<bool>(rep_.get())) return *b ? "true" : "false";
  if (const auto* n = std::get_if<Number>(rep_.get())) return n->ToString();
  // Replace invalid UTF-8 rather than throw: strings may hold arbitrary bytes.
  constexpr auto kReplace = nlohmann::json::error_handler_t::replace;
  if (const auto* s = std::get_if<std::string>(rep_.get())) {
    return nlohmann::json(*s).dump(-1, ' ', false, kReplace);
  }
  if (const auto* v = std::get_if<std::vector<Value>>(rep_.get())) {
    std::string out = "[";
    for (size_t i = 0; i < v->size(); ++i) {
      if (i) out += ',';
      out += (*v)[i].DebugString();
    }
    return out + "]";
  }
  if (const auto* m = std::get_if<std::map<std::string, Value>>(rep_.get())) {
    std::string out = "{";
    bool first = true;
    for (const auto& [k, e] : *m) {
      if (!first) out += ',';
      first = false;
      out += nlohmann::json(k).dump(-1, ' ', false, kReplace) + ":" + e.DebugString();
    }
    return out + "}";
  }
  return "?";
}

Value Value::Transform(const TransformFn& fn) const { return TransformAt(AttributePath(), fn); }

Value Value::TransformAt(const AttributePath& path, const TransformFn& fn) const {
  if (auto repl = fn(path, *this)) return *repl;
  if (!IsKnown()) return *this;
  if (const auto* v = std::get_if<std::vector<Value>>(rep_.get())) {
    std::vector<Value> out;
    out.reserve(v->size());
    for (size_t i = 0; i < v->size(); ++i) {
      out.push_back((*v)[i].TransformAt(path.Index(static_cast<int64_t>(i)), fn));
    }
    if (type_.kind() == TypeKind::kSet) return Set(type_.element(), std::move(out));
    return Value(type_, State::kKnown, std::move(out));
  }
  if (const auto* m = std::get_if<std::map<std::string, Value>>(rep_.get())) {
    std::map<std::string, Value> out;
    bool obj = type_.kind() == TypeKind::kObject;
    for (const auto& [k, e] : *m) {
      out.emplace(k, e.TransformAt(obj ? path.Attr(k) : path.Key(k), fn));
    }
    return Value(type_, State::kKnown, std::move(out));
  }
  return *this;
}

bool Value::SetLess(const Value& a, const Value& b) {
  if (a.IsUnknown() != b.IsUnknown()) return b.IsUnknown();
  if (a.IsUnknown()) return false;
  if (a.IsNull() != b.IsNull()) return a.IsNull();
  if (a.IsNull()) return false;
  const auto& ra = *a.rep_;
  const auto& rb = *b.rep_;
  if (ra.index() != rb.index()) return ra.index() < rb.index();
  if (const auto* x = std::get_if<bool>(&ra)) return !*x && std::get<bool>(rb);
  if (const auto* x = std::get_if<Number>(&ra)) return *x < std::get<Number>(rb);
  if (const auto* x = std::get_if<std::string>(&ra)) return *x < std::get<std::string>(rb);
  return a.DebugString() < b.DebugString();
}

// ---------------------------------------------------------------- Conform

StatusOr<Value> Conform(const Value& v, const Type& type) {
  if (type.kind() == TypeKind::kDynamic) return v;
  if (v.type() == type) return v;
  if (v.IsNull()) return Value::Null(type);
  if (v.IsUnknown()) return Value::Unknown(type);
  switch (type.kind()) {
    case TypeKind::kBool:
    case TypeKind::kNumber:
    case TypeKind::kString:
      return InvalidArgumentError(type.FriendlyName() + " required, got " +
                                  v.type().FriendlyName());
    case TypeKind::kList:
    case TypeKind::kSet: {
      auto k = v.type().kind();
      if (k != TypeKind::kList && k != TypeKind::kSet && k != TypeKind::kTuple) {
        return InvalidArgumentError(type.FriendlyName() + " required, got " +
                                    v.type().FriendlyName());
      }
      std::vector<Value> out;
      for (const auto& e : v.Elements()) {
        PXC_ASSIGN_OR_RETURN(Value c, Conform(e, type.element()));
        out.push_back(std::move(c));
      }
      if (type.kind() == TypeKind::kSet) return Value::Set(type.element(), std::move(out));
      return Value::List(type.element(), std::move(out));
    }
    case TypeKind::kMap: {
      auto k = v.type().kind();
      if (k != TypeKind::kMap && k != TypeKind::kObject) {
        return InvalidArgumentError(type.FriendlyName() + " required, got " +
                                    v.type().FriendlyName());
      }
      std::map<std::string, Value> out;
      for (const auto& [key, e] : v.Entries()) {
        PXC_ASSIGN_OR_RETURN(Value c, Conform(e, type.element()));
        out.emplace(key, std::move(c));
      }
      return Value::Map(type.element(), std::move(out));
    }
    case TypeKind::kObject: {
      auto k = v.type().kind();
      if (k != TypeKind::kObject && k != TypeKind::kMap) {
        return InvalidArgumentError("object required, got " + v.type().FriendlyName());
      }
      return Value::ObjectOf(type, v.Entries());
    }
    case TypeKind::kTuple: {
      if (v.type().kind() != TypeKind::kTuple && v.type().kind() != TypeKind::kList) {
        return InvalidArgumentError("tuple required, got " + v.type().FriendlyName());
      }
      if (v.Elements().size() != type.elements().size()) {
        return InvalidArgumentError("tuple length mismatch");
      }
      std::vector<Value> out;
      for (size_t i = 0; i < type.elements().size(); ++i) {
        PXC_ASSIGN_OR_RETURN(Value c, Conform(v.Elements()[i], type.elements()[i]));
        out.push_back(std::move(c));
      }
      return Value::Tuple(std::move(out));
    }
    case TypeKind::kDynamic:
      return v;
  }
  return v;
}

}  // namespace pxc::schema
