// JSON codec for cty values with a hand-written, depth-limited parser that
// keeps the exact text of numbers; see json_codec.h.
//
// Why a parser of its own when nlohmann-json is a dependency (and is used
// for every other JSON in pxc): go-cty's decoder, which this one must match
// on the wire, keeps the exact decimal text of every number (nlohmann turns
// big ones into doubles), replaces invalid UTF-8 and lone surrogates with
// U+FFFD (nlohmann refuses them), and decodes against the expected type with
// the value path in every error. The encoder, the strict and the lenient
// decoder share those rules, hence one file of about 900 lines.
#include "schema/json_codec.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "schema/msgpack.h"
#include "schema/text.h"

namespace pxc::schema {
namespace {

Status PathError(const AttributePath& path, const std::string& message) {
  std::string where = FormatValuePath(path);
  if (where.empty()) return InvalidArgumentError(message);
  return InvalidArgumentError("at " + where + ": " + message);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

constexpr uint32_t kReplacementChar = 0xfffd;

void AppendJsonString(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            out += "\\u00";
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xf]);
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    size_t len = Utf8SequenceLength(s, i);
    if (len == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    std::string_view seq = s.substr(i, len);
    if (seq == "\xe2\x80\xa8") {
      out += "\\u2028";
    } else if (seq == "\xe2\x80\xa9") {
      out += "\\u2029";
    } else {
      out.append(seq);
    }
    i += len;
  }
  out.push_back('"');
}

// True when `t` is exactly a JSON number token (RFC 8259 section 6).
bool IsJsonNumber(std::string_view t) {
  size_t i = 0;
  auto digits = [&]() {
    size_t start = i;
    while (i < t.size() && IsDigit(t[i])) ++i;
    return i > start;
  };
  if (i < t.size() && t[i] == '-') ++i;
  if (i < t.size() && t[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < t.size() && t[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == t.size();
}

// A decimal accepted by Number::Parse as a valid JSON number: verbatim when
// it already is one (so the text round-trips), else minimally rewritten.
std::string NormalizeDecimal(std::string_view t) {
  if (IsJsonNumber(t)) return std::string(t);
  std::string out;
  size_t i = 0;
  if (i < t.size() && (t[i] == '-' || t[i] == '+')) {
    if (t[i] == '-') out.push_back('-');
    ++i;
  }
  size_t start = i;
  while (i < t.size() && IsDigit(t[i])) ++i;
  std::string_view int_part = t.substr(start, i - start);
  while (int_part.size() > 1 && int_part.front() == '0') int_part.remove_prefix(1);
  out.append(int_part.empty() ? std::string_view("0") : int_part);
  if (i < t.size() && t[i] == '.') {
    ++i;
    start = i;
    while (i < t.size() && IsDigit(t[i])) ++i;
    if (i > start) {
      out.push_back('.');
      out.append(t.substr(start, i - start));
    }
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    out.push_back(t[i]);
    ++i;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) out.push_back(t[i++]);
    start = i;
    while (i < t.size() && IsDigit(t[i])) ++i;
    out.append(i > start ? t.substr(start, i - start) : std::string_view("0"));
  }
  return out;
}

StatusOr<std::string> TypeJsonText(const Type& t, const AttributePath& path) {
  try {
    return t.ToJsonString();
  } catch (const std::exception& e) {
    return PathError(path, std::string("cannot write type JSON: ") + e.what());
  }
}

// ------------------------------------------------------------------ encoder

Status Encode(const Value& v, const Type& type, const AttributePath& path, int depth,
              std::string& out) {
  if (depth > kMaxCodecDepth) return PathError(path, "value nested too deeply");
  if (type.kind() == TypeKind::kDynamic) {
    if (v.type().kind() == TypeKind::kDynamic) {
      if (v.IsNull()) {
        out += "null";
        return OkStatus();
      }
      if (v.IsUnknown())
        return PathError(path, "value is unknown; JSON cannot hold unknown values");
      return PathError(path, "known value without a concrete type");
    }
    PXC_ASSIGN_OR_RETURN(std::string type_json, TypeJsonText(v.type(), path));
    out += "{\"value\":";
    PXC_RETURN_IF_ERROR(Encode(v, v.type(), path, depth + 1, out));
    out += ",\"type\":";
    out += type_json;
    out.push_back('}');
    return OkStatus();
  }
  if (v.IsNull()) {
    out += "null";
    return OkStatus();
  }
  if (v.IsUnknown()) return PathError(path, "value is unknown; JSON cannot hold unknown values");

  std::optional<Value> converted;
  const Value* cur = &v;
  if (v.type() != type) {
    auto c = Conform(v, type);
    if (!c.ok()) return PathError(path, c.status().message());
    converted = std::move(c).value();
    cur = &*converted;
  }

  switch (type.kind()) {
    case TypeKind::kBool:
      out += cur->AsBool() ? "true" : "false";
      return OkStatus();
    case TypeKind::kString:
      AppendJsonString(cur->AsString(), out);
      return OkStatus();
    case TypeKind::kNumber: {
      const Number& n = cur->AsNumber();
      if (n.IsDouble() && !std::isfinite(n.AsDouble())) {
        return PathError(path, "JSON cannot hold the number " + n.ToString());
      }
      out += NumberToJsonText(n);
      return OkStatus();
    }
    case TypeKind::kList:
    case TypeKind::kSet:
    case TypeKind::kTuple: {
      const auto& elems = cur->Elements();
      bool tuple = type.kind() == TypeKind::kTuple;
      if (tuple && elems.size() != type.elements().size()) {
        return PathError(path, "tuple of " + std::to_string(type.elements().size()) +
                                   " elements required, got " + std::to_string(elems.size()));
      }
      out.push_back('[');
      for (size_t i = 0; i < elems.size(); ++i) {
        if (i) out.push_back(',');
        const Type& et = tuple ? type.elements()[i] : type.element();
        PXC_RETURN_IF_ERROR(
            Encode(elems[i], et, path.Index(static_cast<int64_t>(i)), depth + 1, out));
      }
      out.push_back(']');
      return OkStatus();
    }
    case TypeKind::kMap: {
      out.push_back('{');
      bool first = true;
      for (const auto& [key, e] : cur->Entries()) {
        if (!first) out.push_back(',');
        first = false;
        AppendJsonString(key, out);
        out.push_back(':');
        PXC_RETURN_IF_ERROR(Encode(e, type.element(), path.Key(key), depth + 1, out));
      }
      out.push_back('}');
      return OkStatus();
    }
    case TypeKind::kObject: {
      const auto& entries = cur->Entries();
      out.push_back('{');
      bool first = true;
      for (const auto& [name, at] : type.attributes()) {
        if (!first) out.push_back(',');
        first = false;
        AppendJsonString(name, out);
        out.push_back(':');
        auto it = entries.find(name);
        if (it == entries.end()) {
          out += "null";  // unreachable: known objects carry every attribute
          continue;
        }
        PXC_RETURN_IF_ERROR(Encode(it->second, at, path.Attr(name), depth + 1, out));
      }
      out.push_back('}');
      return OkStatus();
    }
    case TypeKind::kDynamic:
      break;
  }
  return PathError(path, "cannot encode " + type.FriendlyName());
}

// ------------------------------------------------------------------ decoder

class JsonDecoder {
 public:
  // With `lenient`, unsupported object attributes are skipped and their paths
  // appended to `dropped` (when not null).
  JsonDecoder(std::string_view text, bool lenient, std::vector<std::string>* dropped)
      : text_(text), lenient_(lenient), dropped_(dropped) {}

  StatusOr<Value> DecodeValue(const Type& type, const AttributePath& path, int depth);
  // Parses any JSON value into `out`, or just validates and skips it when
  // `out` is null.
  Status ParseAny(nlohmann::json* out, const AttributePath& path, int depth);
  // Succeeds when only whitespace is left.
  Status ExpectEnd() {
    SkipWs();
    if (pos_ != text_.size())
      return SyntaxError(AttributePath(), "unexpected data after the value");
    return OkStatus();
  }

 private:
  void SkipWs() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
      ++pos_;
    }
  }
  // The next significant character, or '\0' at the end of the input.
  char Peek() {
    SkipWs();
    return pos_ < text_.size() ? text_[pos_] : '\0';
  }
  Status SyntaxError(const AttributePath& path, const std::string& what) const {
    if (pos_ >= text_.size()) return PathError(path, "invalid JSON: unexpected end of input");
    return PathError(path, "invalid JSON at byte " + std::to_string(pos_) + ": " + what);
  }
  // "got <kind>" for a mismatch, or a syntax error when `c` starts no value.
  Status Mismatch(const Type& type, char c, const AttributePath& path) const {
    const char* kind = nullptr;
    switch (c) {
      case '{':
        kind = "object";
        break;
      case '[':
        kind = "array";
        break;
      case '"':
        kind = "string";
        break;
      case 't':
      case 'f':
        kind = "bool";
        break;
      case 'n':
        kind = "null";
        break;
      default:
        if (c == '-' || IsDigit(c)) kind = "number";
    }
    if (kind == nullptr) return SyntaxError(path, "unexpected character");
    return PathError(path, type.FriendlyName() + " required, got " + kind);
  }
  Status Expect(char c, const AttributePath& path) {
    if (Peek() != c) return SyntaxError(path, std::string("expected '") + c + "'");
    ++pos_;
    return OkStatus();
  }
  Status ParseLiteral(std::string_view lit, const AttributePath& path) {
    if (text_.substr(pos_, lit.size()) != lit) return SyntaxError(path, "invalid literal");
    pos_ += lit.size();
    return OkStatus();
  }
  Status ParseString(std::string* out, const AttributePath& path);
  Status ParseNumberToken(std::string_view* out, const AttributePath& path);
  Status ReadHex4(uint32_t* out, const AttributePath& path);
  // After a value inside an array or object: consumes ',' (returns true) or
  // the closing `close` (returns false).
  StatusOr<bool> NextItem(char close, const AttributePath& path) {
    char c = Peek();
    if (c == ',') {
      ++pos_;
      return true;
    }
    if (c == close) {
      ++pos_;
      return false;
    }
    return SyntaxError(path, std::string("expected ',' or '") + close + "'");
  }
  StatusOr<std::string> ParseKey(const AttributePath& path) {
    if (Peek() != '"') return SyntaxError(path, "expected an object key");
    std::string key;
    PXC_RETURN_IF_ERROR(ParseString(&key, path));
    PXC_RETURN_IF_ERROR(Expect(':', path));
    return key;
  }

  StatusOr<Value> DecodeDynamic(const AttributePath& path, int depth);
  StatusOr<Value> DecodeArray(const Type& type, const AttributePath& path, int depth);
  StatusOr<Value> DecodeMap(const Type& type, const AttributePath& path, int depth);
  StatusOr<Value> DecodeObject(const Type& type, const AttributePath& path, int depth);

  std::string_view text_;
  size_t pos_ = 0;
  bool lenient_;
  std::vector<std::string>* dropped_;
};

Status JsonDecoder::ReadHex4(uint32_t* out, const AttributePath& path) {
  if (text_.size() - pos_ < 4) return SyntaxError(path, "truncated \\u escape");
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    char c = text_[pos_ + i];
    v <<= 4;
    if (c >= '0' && c <= '9') {
      v |= c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v |= c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      v |= c - 'A' + 10;
    } else {
      return SyntaxError(path, "invalid \\u escape");
    }
  }
  pos_ += 4;
  *out = v;
  return OkStatus();
}

Status JsonDecoder::ParseString(std::string* out, const AttributePath& path) {
  ++pos_;  // opening quote
  std::string s;
  while (true) {
    if (pos_ >= text_.size()) return SyntaxError(path, "unterminated string");
    unsigned char c = static_cast<unsigned char>(text_[pos_]);
    if (c == '"') {
      ++pos_;
      break;
    }
    if (c == '\\') {
      ++pos_;
      if (pos_ >= text_.size()) return SyntaxError(path, "unterminated string");
      char e = text_[pos_++];
      switch (e) {
        case '"':
          s.push_back('"');
          break;
        case '\\':
          s.push_back('\\');
          break;
        case '/':
          s.push_back('/');
          break;
        case 'b':
          s.push_back('\b');
          break;
        case 'f':
          s.push_back('\f');
          break;
        case 'n':
          s.push_back('\n');
          break;
        case 'r':
          s.push_back('\r');
          break;
        case 't':
          s.push_back('\t');
          break;
        case 'u': {
          uint32_t cp = 0;
          PXC_RETURN_IF_ERROR(ReadHex4(&cp, path));
          if (cp >= 0xd800 && cp <= 0xdbff) {
            // A high surrogate pairs only with an immediately following low
            // one; otherwise it is replaced, as Go does.
            uint32_t low = 0;
            if (text_.substr(pos_, 2) == "\\u") {
              size_t save = pos_;
              pos_ += 2;
              PXC_RETURN_IF_ERROR(ReadHex4(&low, path));
              if (low >= 0xdc00 && low <= 0xdfff) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
              } else {
                pos_ = save;
                cp = kReplacementChar;
              }
            } else {
              cp = kReplacementChar;
            }
          } else if (cp >= 0xdc00 && cp <= 0xdfff) {
            cp = kReplacementChar;
          }
          AppendUtf8(cp, s);
          break;
        }
        default:
          --pos_;
          return SyntaxError(path, "invalid escape in string");
      }
      continue;
    }
    if (c < 0x20) return SyntaxError(path, "control character in string");
    if (c < 0x80) {
      s.push_back(static_cast<char>(c));
      ++pos_;
      continue;
    }
    size_t len = Utf8SequenceLength(text_, pos_);
    if (len == 0) {
      AppendUtf8(kReplacementChar, s);
      ++pos_;
    } else {
      s.append(text_.substr(pos_, len));
      pos_ += len;
    }
  }
  *out = std::move(s);
  return OkStatus();
}

Status JsonDecoder::ParseNumberToken(std::string_view* out, const AttributePath& path) {
  size_t start = pos_;
  auto digits = [&]() {
    size_t s = pos_;
    while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    return pos_ > s;
  };
  if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
  if (pos_ < text_.size() && text_[pos_] == '0') {
    ++pos_;
  } else if (!digits()) {
    return SyntaxError(path, "invalid number");
  }
  if (pos_ < text_.size() && text_[pos_] == '.') {
    ++pos_;
    if (!digits()) return SyntaxError(path, "invalid number");
  }
  if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
    ++pos_;
    if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
    if (!digits()) return SyntaxError(path, "invalid number");
  }
  *out = text_.substr(start, pos_ - start);
  return OkStatus();
}

Status JsonDecoder::ParseAny(nlohmann::json* out, const AttributePath& path, int depth) {
  if (depth > kMaxCodecDepth) return PathError(path, "JSON nested too deeply");
  char c = Peek();
  switch (c) {
    case 'n':
      PXC_RETURN_IF_ERROR(ParseLiteral("null", path));
      if (out) *out = nullptr;
      return OkStatus();
    case 't':
      PXC_RETURN_IF_ERROR(ParseLiteral("true", path));
      if (out) *out = true;
      return OkStatus();
    case 'f':
      PXC_RETURN_IF_ERROR(ParseLiteral("false", path));
      if (out) *out = false;
      return OkStatus();
    case '"': {
      std::string s;
      PXC_RETURN_IF_ERROR(ParseString(&s, path));
      if (out) *out = std::move(s);
      return OkStatus();
    }
    case '[': {
      ++pos_;
      if (out) *out = nlohmann::json::array();
      if (Peek() == ']') {
        ++pos_;
        return OkStatus();
      }
      while (true) {
        nlohmann::json item;
        PXC_RETURN_IF_ERROR(ParseAny(out ? &item : nullptr, path, depth + 1));
        if (out) out->push_back(std::move(item));
        PXC_ASSIGN_OR_RETURN(bool more, NextItem(']', path));
        if (!more) return OkStatus();
      }
    }
    case '{': {
      ++pos_;
      if (out) *out = nlohmann::json::object();
      if (Peek() == '}') {
        ++pos_;
        return OkStatus();
      }
      while (true) {
        PXC_ASSIGN_OR_RETURN(std::string key, ParseKey(path));
        nlohmann::json item;
        PXC_RETURN_IF_ERROR(ParseAny(out ? &item : nullptr, path, depth + 1));
        if (out) (*out)[key] = std::move(item);
        PXC_ASSIGN_OR_RETURN(bool more, NextItem('}', path));
        if (!more) return OkStatus();
      }
    }
    default: {
      if (c != '-' && !IsDigit(c)) return SyntaxError(path, "unexpected character");
      std::string_view tok;
      PXC_RETURN_IF_ERROR(ParseNumberToken(&tok, path));
      if (out) *out = std::strtod(std::string(tok).c_str(), nullptr);
      return OkStatus();
    }
  }
}

StatusOr<Value> JsonDecoder::DecodeDynamic(const AttributePath& path, int depth) {
  if (Peek() != '{') {
    char c = Peek();
    if (c == '[' || c == '"' || c == 't' || c == 'f' || c == '-' || IsDigit(c)) {
      return PathError(path, "dynamically-typed value must be a {\"value\", \"type\"} object");
    }
    return SyntaxError(path, "unexpected character");
  }
  ++pos_;
  std::optional<Type> type;
  std::optional<size_t> value_pos;
  if (Peek() == '}') {
    ++pos_;
  } else {
    while (true) {
      PXC_ASSIGN_OR_RETURN(std::string key, ParseKey(path));
      if (key == "type") {
        nlohmann::json tj;
        PXC_RETURN_IF_ERROR(ParseAny(&tj, path, depth + 1));
        auto t = Type::FromJson(tj);
        if (!t.ok()) {
          return PathError(path,
                           "invalid type in dynamically-typed value: " + t.status().message());
        }
        type = std::move(t).value();
      } else if (key == "value") {
        SkipWs();
        value_pos = pos_;
        PXC_RETURN_IF_ERROR(ParseAny(nullptr, path, depth + 1));
      } else {
        return PathError(path, "invalid key " + JsonQuote(key) + " in dynamically-typed value");
      }
      PXC_ASSIGN_OR_RETURN(bool more, NextItem('}', path));
      if (!more) break;
    }
  }
  if (!type) return PathError(path, "missing type in dynamically-typed value");
  if (!value_pos) return PathError(path, "missing value in dynamically-typed value");
  size_t end = pos_;
  pos_ = *value_pos;
  PXC_ASSIGN_OR_RETURN(Value v, DecodeValue(*type, path, depth + 1));
  pos_ = end;
  return v;
}

StatusOr<Value> JsonDecoder::DecodeArray(const Type& type, const AttributePath& path, int depth) {
  ++pos_;  // '['
  bool tuple = type.kind() == TypeKind::kTuple;
  std::vector<Value> elems;
  if (Peek() == ']') {
    ++pos_;
  } else {
    while (true) {
      if (tuple && elems.size() >= type.elements().size()) {
        return PathError(
            path, "too many tuple elements (need " + std::to_string(type.elements().size()) + ")");
      }
      const Type& et = tuple ? type.elements()[elems.size()] : type.element();
      PXC_ASSIGN_OR_RETURN(
          Value e, DecodeValue(et, path.Index(static_cast<int64_t>(elems.size())), depth + 1));
      elems.push_back(std::move(e));
      PXC_ASSIGN_OR_RETURN(bool more, NextItem(']', path));
      if (!more) break;
    }
  }
  if (tuple) {
    if (elems.size() != type.elements().size()) {
      return PathError(
          path, "not enough tuple elements (need " + std::to_string(type.elements().size()) + ")");
    }
    return Value::Tuple(std::move(elems));
  }
  if (type.kind() == TypeKind::kSet) return Value::Set(type.element(), std::move(elems));
  return Value::List(type.element(), std::move(elems));
}

StatusOr<Value> JsonDecoder::DecodeMap(const Type& type, const AttributePath& path, int depth) {
  ++pos_;  // '{'
  std::map<std::string, Value> entries;
  if (Peek() == '}') {
    ++pos_;
  } else {
    while (true) {
      PXC_ASSIGN_OR_RETURN(std::string key, ParseKey(path));
      PXC_ASSIGN_OR_RETURN(Value e, DecodeValue(type.element(), path.Key(key), depth + 1));
      entries.insert_or_assign(std::move(key), std::move(e));  // last wins, as go-cty
      PXC_ASSIGN_OR_RETURN(bool more, NextItem('}', path));
      if (!more) break;
    }
  }
  return Value::Map(type.element(), std::move(entries));
}

StatusOr<Value> JsonDecoder::DecodeObject(const Type& type, const AttributePath& path, int depth) {
  ++pos_;  // '{'
  const auto& attrs = type.attributes();
  std::map<std::string, Value> values;
  if (Peek() == '}') {
    ++pos_;
  } else {
    while (true) {
      PXC_ASSIGN_OR_RETURN(std::string key, ParseKey(path));
      auto it = attrs.find(key);
      if (it == attrs.end()) {
        if (!lenient_) return PathError(path, "unsupported attribute " + JsonQuote(key));
        AttributePath dropped_path = path.Attr(key);
        PXC_RETURN_IF_ERROR(ParseAny(nullptr, dropped_path, depth + 1));
        if (dropped_) dropped_->push_back(dropped_path.ToString());
      } else {
        PXC_ASSIGN_OR_RETURN(Value e, DecodeValue(it->second, path.Attr(key), depth + 1));
        values.insert_or_assign(std::move(key), std::move(e));  // last wins, as go-cty
      }
      PXC_ASSIGN_OR_RETURN(bool more, NextItem('}', path));
      if (!more) break;
    }
  }
  // Attributes absent from the JSON are null (go-cty's unmarshalObject).
  auto obj = Value::ObjectOf(type, std::move(values));
  if (!obj.ok()) return PathError(path, obj.status().message());
  return std::move(obj).value();
}

StatusOr<Value> JsonDecoder::DecodeValue(const Type& type, const AttributePath& path, int depth) {
  if (depth > kMaxCodecDepth) return PathError(path, "value nested too deeply");
  char c = Peek();
  if (c == 'n') {
    PXC_RETURN_IF_ERROR(ParseLiteral("null", path));
    return Value::Null(type);
  }
  switch (type.kind()) {
    case TypeKind::kDynamic:
      return DecodeDynamic(path, depth);
    case TypeKind::kBool:
      if (c == 't') {
        PXC_RETURN_IF_ERROR(ParseLiteral("true", path));
        return Value::Bool(true);
      }
      if (c == 'f') {
        PXC_RETURN_IF_ERROR(ParseLiteral("false", path));
        return Value::Bool(false);
      }
      if (c == '"') {
        std::string s;
        PXC_RETURN_IF_ERROR(ParseString(&s, path));
        if (s == "true" || s == "1") return Value::Bool(true);
        if (s == "false" || s == "0") return Value::Bool(false);
        return PathError(path, "bool required, got a string that is not a bool");
      }
      return Mismatch(type, c, path);
    case TypeKind::kNumber: {
      std::string text;
      if (c == '"') {
        PXC_RETURN_IF_ERROR(ParseString(&text, path));
        auto n = Number::Parse(text);
        if (!n.ok()) return PathError(path, "number required, got a string that is not a number");
        return Value::Num(*n);
      }
      if (c != '-' && !IsDigit(c)) return Mismatch(type, c, path);
      std::string_view tok;
      PXC_RETURN_IF_ERROR(ParseNumberToken(&tok, path));
      auto n = Number::Parse(tok);
      if (!n.ok()) return PathError(path, n.status().message());
      return Value::Num(*n);
    }
    case TypeKind::kString: {
      if (c == '"') {
        std::string s;
        PXC_RETURN_IF_ERROR(ParseString(&s, path));
        return Value::String(std::move(s));
      }
      if (c == 't' || c == 'f') {
        bool b = c == 't';
        PXC_RETURN_IF_ERROR(ParseLiteral(b ? "true" : "false", path));
        return Value::String(b ? "true" : "false");
      }
      if (c == '-' || IsDigit(c)) {
        std::string_view tok;
        PXC_RETURN_IF_ERROR(ParseNumberToken(&tok, path));
        return Value::String(std::string(tok));
      }
      return Mismatch(type, c, path);
    }
    case TypeKind::kList:
    case TypeKind::kSet:
    case TypeKind::kTuple:
      if (c != '[') return Mismatch(type, c, path);
      return DecodeArray(type, path, depth);
    case TypeKind::kMap:
      if (c != '{') return Mismatch(type, c, path);
      return DecodeMap(type, path, depth);
    case TypeKind::kObject:
      if (c != '{') return Mismatch(type, c, path);
      return DecodeObject(type, path, depth);
  }
  return PathError(path, "cannot decode " + type.FriendlyName());
}

StatusOr<Value> Decode(std::string_view json, const Type& type, bool lenient,
                       std::vector<std::string>* dropped) {
  JsonDecoder d(json, lenient, dropped);
  PXC_ASSIGN_OR_RETURN(Value v, d.DecodeValue(type, AttributePath(), 0));
  PXC_RETURN_IF_ERROR(d.ExpectEnd());
  return v;
}

}  // namespace

std::string JsonQuote(std::string_view s) {
  std::string out;
  AppendJsonString(s, out);
  return out;
}

std::string FormatValuePath(const AttributePath& path) {
  std::string out;
  for (const auto& step : path.steps()) {
    switch (step.kind) {
      case PathStep::Kind::kAttribute:
        out += '.';
        out += step.name;
        break;
      case PathStep::Kind::kStringKey:
        out += '[' + JsonQuote(step.name) + ']';
        break;
      case PathStep::Kind::kIntKey:
        out += '[' + std::to_string(step.index) + ']';
        break;
    }
  }
  return out;
}

std::string NumberToJsonText(const Number& n) {
  if (n.IsInt64()) return std::to_string(n.AsInt64());
  if (n.IsDouble()) {
    // The shortest digits that read back as the same double, written without
    // an exponent, like Go's big.Float Text('f', -1): 2e24 is
    // "2000000000000000000000000", not the double's exact binary value.
    char buf[64];
    auto [end, ec] =
        std::to_chars(buf, buf + sizeof buf, n.AsDouble(), std::chars_format::scientific);
    if (ec != std::errc()) return n.ToString();
    std::string_view sci(buf, end - buf);  // e.g. "-1.2345e-07"
    size_t e_pos = sci.find('e');
    if (e_pos == std::string_view::npos) return std::string(sci);  // inf or nan
    std::string out;
    std::string digits;
    for (char c : sci.substr(0, e_pos)) {
      if (c == '-') {
        out.push_back('-');
      } else if (IsDigit(c)) {
        digits.push_back(c);
      }
    }
    int exp = 0;
    std::string_view exp_text = sci.substr(e_pos + 1);
    if (!exp_text.empty() && exp_text.front() == '+') exp_text.remove_prefix(1);
    std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exp);
    int point = exp + 1;  // digits before the decimal point
    if (point <= 0) {
      out += "0." + std::string(-point, '0') + digits;
    } else if (static_cast<size_t>(point) >= digits.size()) {
      out += digits + std::string(point - digits.size(), '0');
    } else {
      out += digits.substr(0, point) + "." + digits.substr(point);
    }
    return out;
  }
  return NormalizeDecimal(n.BigText());
}

StatusOr<Type> ParseTypeJson(std::string_view text) {
  JsonDecoder d(text, false, nullptr);
  nlohmann::json j;
  PXC_RETURN_IF_ERROR(d.ParseAny(&j, AttributePath(), 0));
  PXC_RETURN_IF_ERROR(d.ExpectEnd());
  return Type::FromJson(j);
}

StatusOr<std::string> EncodeJson(const Value& v, const Type& type) {
  std::string out;
  PXC_RETURN_IF_ERROR(Encode(v, type, AttributePath(), 0, out));
  return out;
}

StatusOr<Value> DecodeJson(std::string_view json, const Type& type) {
  return Decode(json, type, false, nullptr);
}

StatusOr<Value> DecodeJsonLenient(std::string_view json, const Type& type,
                                  std::vector<std::string>* dropped) {
  return Decode(json, type, true, dropped);
}

}  // namespace pxc::schema
