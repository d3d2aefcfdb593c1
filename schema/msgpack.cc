// Hand-written msgpack encoder/decoder for cty values; see msgpack.h.
#include "schema/msgpack.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <exception>
#include <limits>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "schema/json_codec.h"

namespace pxc::schema {
namespace {

Status PathError(const AttributePath& path, const std::string& message) {
  std::string where = FormatValuePath(path);
  if (where.empty()) return InvalidArgumentError(message);
  return InvalidArgumentError("at " + where + ": " + message);
}

// ------------------------------------------------------------------ encoder

class Writer {
 public:
  std::string& out() { return out_; }

  void Byte(uint8_t b) { out_.push_back(static_cast<char>(b)); }
  void BigEndian(uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) Byte(static_cast<uint8_t>(v >> (8 * i)));
  }
  void Nil() { Byte(0xc0); }
  void Unknown() {
    Byte(0xd4);
    Byte(0x00);
    Byte(0x00);
  }
  void Bool(bool b) { Byte(b ? 0xc3 : 0xc2); }

  // The compact form vmihailenco/msgpack's EncodeInt picks (go-cty uses it).
  void Int(int64_t n) {
    if (n >= 0) {
      uint64_t u = static_cast<uint64_t>(n);
      if (u <= 0x7f) {
        Byte(static_cast<uint8_t>(u));
      } else if (u <= 0xff) {
        Byte(0xcc);
        BigEndian(u, 1);
      } else if (u <= 0xffff) {
        Byte(0xcd);
        BigEndian(u, 2);
      } else if (u <= 0xffffffffULL) {
        Byte(0xce);
        BigEndian(u, 4);
      } else {
        Byte(0xcf);
        BigEndian(u, 8);
      }
      return;
    }
    uint64_t bits = static_cast<uint64_t>(n);
    if (n >= -32) {
      Byte(static_cast<uint8_t>(bits));
    } else if (n >= std::numeric_limits<int8_t>::min()) {
      Byte(0xd0);
      BigEndian(bits, 1);
    } else if (n >= std::numeric_limits<int16_t>::min()) {
      Byte(0xd1);
      BigEndian(bits, 2);
    } else if (n >= std::numeric_limits<int32_t>::min()) {
      Byte(0xd2);
      BigEndian(bits, 4);
    } else {
      Byte(0xd3);
      BigEndian(bits, 8);
    }
  }

  void Double(double d) {
    uint64_t bits;
    std::memcpy(&bits, &d, sizeof bits);
    Byte(0xcb);
    BigEndian(bits, 8);
  }

  void Str(std::string_view s) {
    size_t n = s.size();
    if (n < 32) {
      Byte(static_cast<uint8_t>(0xa0 | n));
    } else if (n <= 0xff) {
      Byte(0xd9);
      BigEndian(n, 1);
    } else if (n <= 0xffff) {
      Byte(0xda);
      BigEndian(n, 2);
    } else {
      Byte(0xdb);
      BigEndian(n, 4);
    }
    out_.append(s);
  }

  void Bin(std::string_view s) {
    size_t n = s.size();
    if (n <= 0xff) {
      Byte(0xc4);
      BigEndian(n, 1);
    } else if (n <= 0xffff) {
      Byte(0xc5);
      BigEndian(n, 2);
    } else {
      Byte(0xc6);
      BigEndian(n, 4);
    }
    out_.append(s);
  }

  void ArrayLen(size_t n) {
    if (n < 16) {
      Byte(static_cast<uint8_t>(0x90 | n));
    } else if (n <= 0xffff) {
      Byte(0xdc);
      BigEndian(n, 2);
    } else {
      Byte(0xdd);
      BigEndian(n, 4);
    }
  }

  void MapLen(size_t n) {
    if (n < 16) {
      Byte(static_cast<uint8_t>(0x80 | n));
    } else if (n <= 0xffff) {
      Byte(0xde);
      BigEndian(n, 2);
    } else {
      Byte(0xdf);
      BigEndian(n, 4);
    }
  }

 private:
  std::string out_;
};

constexpr size_t kMaxWireLength = 0xffffffffULL;

Status CheckLength(size_t n, const AttributePath& path) {
  if (n > kMaxWireLength) return PathError(path, "value too large for msgpack");
  return OkStatus();
}

Status Encode(const Value& v, const Type& type, const AttributePath& path, int depth, Writer& w) {
  if (depth > kMaxCodecDepth) return PathError(path, "value nested too deeply");
  if (type.kind() == TypeKind::kDynamic) {
    if (v.type().kind() == TypeKind::kDynamic) {
      if (v.IsUnknown()) {
        w.Unknown();
        return OkStatus();
      }
      if (v.IsNull()) {
        w.Nil();
        return OkStatus();
      }
      return PathError(path, "known value without a concrete type");
    }
    // go-cty's dynamicVal: [type JSON as bytes, value of that type].
    std::string type_json;
    try {
      type_json = v.type().ToJsonString();
    } catch (const std::exception& e) {  // an attribute name that is not UTF-8
      return PathError(path, std::string("cannot write type JSON: ") + e.what());
    }
    w.ArrayLen(2);
    w.Bin(type_json);
    return Encode(v, v.type(), path, depth + 1, w);
  }
  if (v.IsUnknown()) {
    w.Unknown();
    return OkStatus();
  }
  if (v.IsNull()) {
    w.Nil();
    return OkStatus();
  }

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
      w.Bool(cur->AsBool());
      return OkStatus();
    case TypeKind::kString:
      PXC_RETURN_IF_ERROR(CheckLength(cur->AsString().size(), path));
      w.Str(cur->AsString());
      return OkStatus();
    case TypeKind::kNumber: {
      const Number& n = cur->AsNumber();
      if (n.IsInt64()) {
        w.Int(n.AsInt64());
      } else if (n.IsDouble()) {
        double d = n.AsDouble();
        if (std::isnan(d)) return PathError(path, "NaN is not a valid number");
        w.Double(d);
      } else {
        w.Str(NumberToJsonText(n));
      }
      return OkStatus();
    }
    case TypeKind::kList:
    case TypeKind::kSet: {
      const auto& elems = cur->Elements();
      PXC_RETURN_IF_ERROR(CheckLength(elems.size(), path));
      w.ArrayLen(elems.size());
      for (size_t i = 0; i < elems.size(); ++i) {
        PXC_RETURN_IF_ERROR(
            Encode(elems[i], type.element(), path.Index(static_cast<int64_t>(i)), depth + 1, w));
      }
      return OkStatus();
    }
    case TypeKind::kTuple: {
      const auto& elems = cur->Elements();
      const auto& types = type.elements();
      if (elems.size() != types.size()) {
        return PathError(path, "tuple of " + std::to_string(types.size()) +
                                   " elements required, got " + std::to_string(elems.size()));
      }
      w.ArrayLen(elems.size());
      for (size_t i = 0; i < elems.size(); ++i) {
        PXC_RETURN_IF_ERROR(
            Encode(elems[i], types[i], path.Index(static_cast<int64_t>(i)), depth + 1, w));
      }
      return OkStatus();
    }
    case TypeKind::kMap: {
      const auto& entries = cur->Entries();
      PXC_RETURN_IF_ERROR(CheckLength(entries.size(), path));
      w.MapLen(entries.size());
      for (const auto& [key, e] : entries) {
        AttributePath at = path.Key(key);
        PXC_RETURN_IF_ERROR(CheckLength(key.size(), at));
        w.Str(key);
        PXC_RETURN_IF_ERROR(Encode(e, type.element(), at, depth + 1, w));
      }
      return OkStatus();
    }
    case TypeKind::kObject: {
      const auto& entries = cur->Entries();
      const auto& attrs = type.attributes();
      w.MapLen(attrs.size());
      for (const auto& [name, at] : attrs) {
        AttributePath p = path.Attr(name);
        w.Str(name);
        auto it = entries.find(name);
        if (it == entries.end()) {
          w.Nil();  // unreachable: known objects carry every attribute
          continue;
        }
        PXC_RETURN_IF_ERROR(Encode(it->second, at, p, depth + 1, w));
      }
      return OkStatus();
    }
    case TypeKind::kDynamic:
      break;
  }
  return PathError(path, "cannot encode " + type.FriendlyName());
}

// ------------------------------------------------------------------ decoder

bool IsExtCode(uint8_t c) { return (c >= 0xd4 && c <= 0xd8) || (c >= 0xc7 && c <= 0xc9); }
bool IsStrCode(uint8_t c) { return (c >= 0xa0 && c <= 0xbf) || (c >= 0xd9 && c <= 0xdb); }
bool IsBinCode(uint8_t c) { return c >= 0xc4 && c <= 0xc6; }
bool IsArrayCode(uint8_t c) { return (c >= 0x90 && c <= 0x9f) || c == 0xdc || c == 0xdd; }
bool IsMapCode(uint8_t c) { return (c >= 0x80 && c <= 0x8f) || c == 0xde || c == 0xdf; }

// What a msgpack item is, for "X required, got Y" messages.
const char* Describe(uint8_t c) {
  if (c <= 0x7f || c >= 0xe0 || (c >= 0xca && c <= 0xd3)) return "number";
  if (IsStrCode(c)) return "string";
  if (IsBinCode(c)) return "binary data";
  if (IsArrayCode(c)) return "array";
  if (IsMapCode(c)) return "map";
  if (c == 0xc0) return "null";
  if (c == 0xc2 || c == 0xc3) return "bool";
  if (IsExtCode(c)) return "extension";
  return "invalid msgpack byte";
}

class Decoder {
 public:
  explicit Decoder(std::string_view data) : data_(data) {}

  size_t remaining() const { return data_.size() - pos_; }

  StatusOr<Value> DecodeValue(const Type& type, const AttributePath& path, int depth);

 private:
  Status Truncated(const AttributePath& path) const {
    return PathError(path, "unexpected end of msgpack data");
  }
  Status Mismatch(const Type& type, uint8_t code, const AttributePath& path) const {
    return PathError(path, type.FriendlyName() + " required, got " + Describe(code));
  }

  bool PeekByte(uint8_t* c) const {
    if (pos_ >= data_.size()) return false;
    *c = static_cast<uint8_t>(data_[pos_]);
    return true;
  }
  bool ReadBigEndian(int bytes, uint64_t* v) {
    if (remaining() < static_cast<size_t>(bytes)) return false;
    uint64_t r = 0;
    for (int i = 0; i < bytes; ++i) r = (r << 8) | static_cast<uint8_t>(data_[pos_ + i]);
    pos_ += bytes;
    *v = r;
    return true;
  }
  bool ReadBytes(uint64_t n, std::string_view* out) {
    if (n > remaining()) return false;
    *out = data_.substr(pos_, n);
    pos_ += n;
    return true;
  }

  // Skips one extension item of any format. The code byte is at pos_.
  Status SkipExt(const AttributePath& path);
  // Reads a str or bin item (the code byte is at pos_).
  Status ReadStringLike(std::string_view* out, const AttributePath& path);
  // Reads an array or map header (the code byte is at pos_). Rejects a length
  // the remaining input cannot hold (an element needs at least 1 byte, a map
  // entry 2), so no allocation is ever sized by an untrusted length alone.
  Status ReadContainerLen(bool map, uint64_t* n, const AttributePath& path);

  StatusOr<Value> DecodeNumber(const AttributePath& path);
  StatusOr<Value> DecodeDynamic(const AttributePath& path, int depth);

  std::string_view data_;
  size_t pos_ = 0;
};

Status Decoder::SkipExt(const AttributePath& path) {
  uint8_t c = static_cast<uint8_t>(data_[pos_++]);
  uint64_t len = 0;
  if (c >= 0xd4) {
    len = uint64_t{1} << (c - 0xd4);                   // fixext 1, 2, 4, 8, 16
  } else if (!ReadBigEndian(1 << (c - 0xc7), &len)) {  // ext 8, 16, 32
    return Truncated(path);
  }
  // One byte of extension type, then the payload. The payload of type 12
  // (refinements of an unknown) is deliberately not interpreted.
  if (remaining() < 1) return Truncated(path);
  ++pos_;
  std::string_view payload;
  if (!ReadBytes(len, &payload)) return Truncated(path);
  return OkStatus();
}

Status Decoder::ReadStringLike(std::string_view* out, const AttributePath& path) {
  uint8_t c = static_cast<uint8_t>(data_[pos_]);
  uint64_t len = 0;
  ++pos_;
  if (c >= 0xa0 && c <= 0xbf) {
    len = c & 0x1f;
  } else if (c == 0xd9 || c == 0xc4) {
    if (!ReadBigEndian(1, &len)) return Truncated(path);
  } else if (c == 0xda || c == 0xc5) {
    if (!ReadBigEndian(2, &len)) return Truncated(path);
  } else if (c == 0xdb || c == 0xc6) {
    if (!ReadBigEndian(4, &len)) return Truncated(path);
  } else {
    --pos_;
    return PathError(path, std::string("string required, got ") + Describe(c));
  }
  if (!ReadBytes(len, out)) return Truncated(path);
  return OkStatus();
}

Status Decoder::ReadContainerLen(bool map, uint64_t* n, const AttributePath& path) {
  uint8_t c = static_cast<uint8_t>(data_[pos_++]);
  if (map ? (c >= 0x80 && c <= 0x8f) : (c >= 0x90 && c <= 0x9f)) {
    *n = c & 0x0f;
  } else if (c == (map ? 0xde : 0xdc)) {
    if (!ReadBigEndian(2, n)) return Truncated(path);
  } else if (!ReadBigEndian(4, n)) {
    return Truncated(path);
  }
  uint64_t min_bytes = map ? 2 : 1;
  if (*n > remaining() / min_bytes) {
    return PathError(path, std::string(map ? "map" : "array") + " of " + std::to_string(*n) +
                               " items is longer than the remaining input");
  }
  return OkStatus();
}

StatusOr<Value> Decoder::DecodeNumber(const AttributePath& path) {
  uint8_t c = static_cast<uint8_t>(data_[pos_]);
  if (c <= 0x7f) {
    ++pos_;
    return Value::Num(Number(static_cast<int64_t>(c)));
  }
  if (c >= 0xe0) {
    ++pos_;
    return Value::Num(Number(static_cast<int64_t>(static_cast<int8_t>(c))));
  }
  if (IsStrCode(c) || IsBinCode(c)) {
    std::string_view text;
    PXC_RETURN_IF_ERROR(ReadStringLike(&text, path));
    auto n = Number::Parse(text);
    if (!n.ok()) return PathError(path, "number required, got a string that is not a number");
    return Value::Num(*n);
  }
  int width = 0;
  switch (c) {
    case 0xcc:
    case 0xd0:
      width = 1;
      break;
    case 0xcd:
    case 0xd1:
      width = 2;
      break;
    case 0xca:
    case 0xce:
    case 0xd2:
      width = 4;
      break;
    case 0xcb:
    case 0xcf:
    case 0xd3:
      width = 8;
      break;
    default:
      return PathError(path, std::string("number required, got ") + Describe(c));
  }
  ++pos_;
  uint64_t raw = 0;
  if (!ReadBigEndian(width, &raw)) return Truncated(path);
  double d = 0;
  switch (c) {
    case 0xcc:
    case 0xcd:
    case 0xce:
      return Value::Num(Number(static_cast<int64_t>(raw)));
    case 0xcf: {
      if (raw <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return Value::Num(Number(static_cast<int64_t>(raw)));
      }
      // Beyond int64: a double when exactly one (e.g. 2^63), else the text.
      double as_double = static_cast<double>(raw);
      if (as_double < 18446744073709551616.0 && static_cast<uint64_t>(as_double) == raw) {
        return Value::Num(Number::FromDouble(as_double));
      }
      auto n = Number::Parse(std::to_string(raw));
      if (!n.ok()) return PathError(path, n.status().message());
      return Value::Num(*n);
    }
    case 0xd0:
      return Value::Num(Number(static_cast<int64_t>(static_cast<int8_t>(raw))));
    case 0xd1:
      return Value::Num(Number(static_cast<int64_t>(static_cast<int16_t>(raw))));
    case 0xd2:
      return Value::Num(Number(static_cast<int64_t>(static_cast<int32_t>(raw))));
    case 0xd3:
      return Value::Num(Number(static_cast<int64_t>(raw)));
    case 0xca: {
      uint32_t bits = static_cast<uint32_t>(raw);
      float f;
      std::memcpy(&f, &bits, sizeof f);
      d = f;
      break;
    }
    default:
      std::memcpy(&d, &raw, sizeof d);
      break;
  }
  if (std::isnan(d)) return PathError(path, "NaN is not a valid number");
  return Value::Num(Number::FromDouble(d));
}

StatusOr<Value> Decoder::DecodeDynamic(const AttributePath& path, int depth) {
  uint8_t c = static_cast<uint8_t>(data_[pos_]);
  if (!IsArrayCode(c)) {
    return PathError(
        path, std::string("dynamic value must be a [type, value] array, got ") + Describe(c));
  }
  uint64_t n = 0;
  PXC_RETURN_IF_ERROR(ReadContainerLen(false, &n, path));
  if (n != 2) {
    return PathError(path, "dynamic value must be a [type, value] array of 2 elements, got " +
                               std::to_string(n));
  }
  uint8_t tc = 0;
  if (!PeekByte(&tc)) return Truncated(path);
  if (!IsStrCode(tc) && !IsBinCode(tc)) {
    return PathError(path,
                     std::string("type JSON of dynamic value must be bytes, got ") + Describe(tc));
  }
  std::string_view type_json;
  PXC_RETURN_IF_ERROR(ReadStringLike(&type_json, path));
  auto type = ParseTypeJson(type_json);
  if (!type.ok()) {
    return PathError(path, "invalid type in dynamic value: " + type.status().message());
  }
  return DecodeValue(*type, path, depth + 1);
}

StatusOr<Value> Decoder::DecodeValue(const Type& type, const AttributePath& path, int depth) {
  if (depth > kMaxCodecDepth) return PathError(path, "value nested too deeply");
  uint8_t c = 0;
  if (!PeekByte(&c)) return Truncated(path);
  if (IsExtCode(c)) {
    // go-cty: every extension is an unknown value (0 plain, 12 refined).
    PXC_RETURN_IF_ERROR(SkipExt(path));
    return Value::Unknown(type);
  }
  if (type.kind() == TypeKind::kDynamic) {
    if (c == 0xc0) {
      ++pos_;
      return Value::Null(type);
    }
    return DecodeDynamic(path, depth);
  }
  if (c == 0xc0) {
    ++pos_;
    return Value::Null(type);
  }

  switch (type.kind()) {
    case TypeKind::kBool:
      if (c != 0xc2 && c != 0xc3) return Mismatch(type, c, path);
      ++pos_;
      return Value::Bool(c == 0xc3);
    case TypeKind::kNumber:
      return DecodeNumber(path);
    case TypeKind::kString: {
      if (!IsStrCode(c) && !IsBinCode(c)) return Mismatch(type, c, path);
      std::string_view s;
      PXC_RETURN_IF_ERROR(ReadStringLike(&s, path));
      return Value::String(std::string(s));
    }
    case TypeKind::kList:
    case TypeKind::kSet:
    case TypeKind::kTuple: {
      if (!IsArrayCode(c)) return Mismatch(type, c, path);
      uint64_t n = 0;
      PXC_RETURN_IF_ERROR(ReadContainerLen(false, &n, path));
      bool tuple = type.kind() == TypeKind::kTuple;
      if (tuple && n != type.elements().size()) {
        return PathError(path, "tuple of " + std::to_string(type.elements().size()) +
                                   " elements required, got " + std::to_string(n));
      }
      std::vector<Value> elems;
      elems.reserve(n);  // bounded by the remaining input
      for (uint64_t i = 0; i < n; ++i) {
        const Type& et = tuple ? type.elements()[i] : type.element();
        PXC_ASSIGN_OR_RETURN(Value e,
                             DecodeValue(et, path.Index(static_cast<int64_t>(i)), depth + 1));
        elems.push_back(std::move(e));
      }
      if (tuple) return Value::Tuple(std::move(elems));
      if (type.kind() == TypeKind::kSet) return Value::Set(type.element(), std::move(elems));
      return Value::List(type.element(), std::move(elems));
    }
    case TypeKind::kMap: {
      if (!IsMapCode(c)) return Mismatch(type, c, path);
      uint64_t n = 0;
      PXC_RETURN_IF_ERROR(ReadContainerLen(true, &n, path));
      std::map<std::string, Value> entries;
      for (uint64_t i = 0; i < n; ++i) {
        uint8_t kc = 0;
        if (!PeekByte(&kc)) return Truncated(path);
        if (!IsStrCode(kc) && !IsBinCode(kc)) {
          return PathError(path, std::string("map keys must be strings, got ") + Describe(kc));
        }
        std::string_view key;
        PXC_RETURN_IF_ERROR(ReadStringLike(&key, path));
        std::string k(key);
        PXC_ASSIGN_OR_RETURN(Value e, DecodeValue(type.element(), path.Key(k), depth + 1));
        entries.insert_or_assign(std::move(k), std::move(e));  // last wins, as go-cty
      }
      return Value::Map(type.element(), std::move(entries));
    }
    case TypeKind::kObject: {
      if (!IsMapCode(c)) return Mismatch(type, c, path);
      uint64_t n = 0;
      PXC_RETURN_IF_ERROR(ReadContainerLen(true, &n, path));
      const auto& attrs = type.attributes();
      std::map<std::string, Value> values;
      for (uint64_t i = 0; i < n; ++i) {
        uint8_t kc = 0;
        if (!PeekByte(&kc)) return Truncated(path);
        if (!IsStrCode(kc) && !IsBinCode(kc)) {
          return PathError(
              path, std::string("object attribute names must be strings, got ") + Describe(kc));
        }
        std::string_view key;
        PXC_RETURN_IF_ERROR(ReadStringLike(&key, path));
        std::string k(key);
        auto it = attrs.find(k);
        if (it == attrs.end()) return PathError(path, "unsupported attribute \"" + k + "\"");
        if (values.count(k)) return PathError(path, "duplicate attribute \"" + k + "\"");
        PXC_ASSIGN_OR_RETURN(Value e, DecodeValue(it->second, path.Attr(k), depth + 1));
        values.emplace(std::move(k), std::move(e));
      }
      for (const auto& [name, _] : attrs) {
        if (!values.count(name)) return PathError(path, "missing attribute \"" + name + "\"");
      }
      auto obj = Value::ObjectOf(type, std::move(values));
      if (!obj.ok()) return PathError(path, obj.status().message());
      return std::move(obj).value();
    }
    case TypeKind::kDynamic:
      break;
  }
  return PathError(path, "cannot decode " + type.FriendlyName());
}

}  // namespace

StatusOr<std::string> EncodeMsgpack(const Value& v, const Type& type) {
  Writer w;
  PXC_RETURN_IF_ERROR(Encode(v, type, AttributePath(), 0, w));
  return std::move(w.out());
}

StatusOr<Value> DecodeMsgpack(std::string_view bytes, const Type& type) {
  Decoder d(bytes);
  PXC_ASSIGN_OR_RETURN(Value v, d.DecodeValue(type, AttributePath(), 0));
  if (d.remaining() != 0) {
    return InvalidArgumentError("unexpected " + std::to_string(d.remaining()) +
                                " bytes after the msgpack value");
  }
  return v;
}

}  // namespace pxc::schema
