// Tests for schema/msgpack: golden bytes as go-cty writes them, decoding of
// every wire form Terraform may send, and hostile input.
#include "schema/msgpack.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace pxc::schema {
namespace {

// "c0 d4 00 00" -> bytes. Spaces are ignored.
std::string Bytes(std::string_view hex) {
  std::string out;
  int nibble = -1;
  for (char c : hex) {
    if (c == ' ') continue;
    int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
    if (v < 0) ADD_FAILURE() << "bad hex digit " << c;
    if (nibble < 0) {
      nibble = v;
    } else {
      out.push_back(static_cast<char>(nibble * 16 + v));
      nibble = -1;
    }
  }
  return out;
}

// bytes -> "c0 d4 00 00".
std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    if (!out.empty()) out.push_back(' ');
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

// The hex of a text's bytes, e.g. HexOf("ab") == "61 62".
std::string HexOf(std::string_view text) { return Hex(text); }

// A bin8 item holding `text`, as go-cty writes the type JSON of a dynamic
// value: BinOf("ab") == "c4 02 61 62".
std::string BinOf(std::string_view text) {
  return Hex(std::string{static_cast<char>(0xc4), static_cast<char>(text.size())}) + " " +
         HexOf(text);
}

Value Obj(const Type& type, std::map<std::string, Value> attrs) {
  return Value::ObjectOf(type, std::move(attrs)).value();
}

struct GoldenCase {
  std::string name;
  Value value;
  Type type;
  std::string hex;
};

std::vector<GoldenCase> GoldenCases() {
  const Type str = Type::String();
  const Type num = Type::Number();
  const Type obj_ab = Type::Object({{"a", num}, {"b", str}});
  const Type grant = Type::Object({{"name", str}});
  const Type with_dyn = Type::Object({{"v", Type::Dynamic()}});
  const std::string s31(31, 'x');
  const std::string s32(32, 'x');
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  return {
      {"NullString", Value::Null(str), str, "c0"},
      {"NullObject", Value::Null(obj_ab), obj_ab, "c0"},
      {"UnknownString", Value::Unknown(str), str, "d4 00 00"},
      {"UnknownList", Value::Unknown(Type::List(str)), Type::List(str), "d4 00 00"},
      {"True", Value::Bool(true), Type::Bool(), "c3"},
      {"False", Value::Bool(false), Type::Bool(), "c2"},
      {"EmptyString", Value::String(""), str, "a0"},
      {"FixStr", Value::String("x"), str, "a1 78"},
      {"FixStr31", Value::String(s31), str, "bf " + HexOf(s31)},
      {"Str8At32", Value::String(s32), str, "d9 20 " + HexOf(s32)},
      {"Zero", Value::Num(0), num, "00"},
      {"PositiveFixint127", Value::Num(127), num, "7f"},
      {"Uint8At128", Value::Num(128), num, "cc 80"},
      {"Uint8At255", Value::Num(255), num, "cc ff"},
      {"Uint16At256", Value::Num(256), num, "cd 01 00"},
      {"Uint32At65536", Value::Num(65536), num, "ce 00 01 00 00"},
      {"Uint64At2Pow32", Value::Num(int64_t{1} << 32), num, "cf 00 00 00 01 00 00 00 00"},
      {"Int64Max", Value::Num(kMax), num, "cf 7f ff ff ff ff ff ff ff"},
      {"MinusOne", Value::Num(-1), num, "ff"},
      {"NegativeFixintMinus32", Value::Num(-32), num, "e0"},
      {"Int8AtMinus33", Value::Num(-33), num, "d0 df"},
      {"Int8AtMinus128", Value::Num(-128), num, "d0 80"},
      {"Int16AtMinus129", Value::Num(-129), num, "d1 ff 7f"},
      {"Int32AtMinus32769", Value::Num(-32769), num, "d2 ff ff 7f ff"},
      {"Int64Min", Value::Num(kMin), num, "d3 80 00 00 00 00 00 00 00"},
      {"Float64OnePointFive", Value::Num(Number::FromDouble(1.5)), num,
       "cb 3f f8 00 00 00 00 00 00"},
      {"Float64BeyondInt64", Value::Num(Number::FromDouble(1e20)), num,
       "cb 44 15 af 1d 78 b5 8c 40"},
      {"PositiveInfinity", Value::Num(Number::FromDouble(HUGE_VAL)), num,
       "cb 7f f0 00 00 00 00 00 00"},
      {"NegativeInfinity", Value::Num(Number::FromDouble(-HUGE_VAL)), num,
       "cb ff f0 00 00 00 00 00 00"},
      {"BigDecimalAsString", Value::Num(Number::Parse("123456789012345678901234567890").value()),
       num, "be " + HexOf("123456789012345678901234567890")},
      {"ObjectSortedAttributes", Obj(obj_ab, {{"b", Value::String("x")}, {"a", Value::Num(1)}}),
       obj_ab, "82 a1 61 01 a1 62 a1 78"},
      {"ObjectNullAndUnknownAttributes",
       Obj(obj_ab, {{"a", Value::Unknown(num)}, {"b", Value::Null(str)}}), obj_ab,
       "82 a1 61 d4 00 00 a1 62 c0"},
      {"EmptyObject", Obj(Type::Object({}), {}), Type::Object({}), "80"},
      {"ListOfStrings", Value::List(str, {Value::String("b"), Value::String("a")}), Type::List(str),
       "92 a1 62 a1 61"},
      {"EmptyList", Value::List(str, {}), Type::List(str), "90"},
      {"SetCanonicalOrder",
       Value::Set(str, {Value::String("b"), Value::String("a"), Value::String("b")}),
       Type::Set(str), "92 a1 61 a1 62"},
      {"SetWithUnknownLast", Value::Set(str, {Value::Unknown(str), Value::String("a")}),
       Type::Set(str), "92 a1 61 d4 00 00"},
      {"MapSortedKeys", Value::Map(num, {{"z", Value::Num(1)}, {"a", Value::Num(2)}}),
       Type::Map(num), "82 a1 61 02 a1 7a 01"},
      {"NestedObjectInList", Value::List(grant, {Obj(grant, {{"name", Value::String("x")}})}),
       Type::List(grant), "91 81 a4 " + HexOf("name") + " a1 78"},
      {"DynamicString", Value::String("x"), Type::Dynamic(),
       "92 c4 08 22 73 74 72 69 6e 67 22 a1 78"},
      {"DynamicNullOfDynamicType", Value::Null(Type::Dynamic()), Type::Dynamic(), "c0"},
      {"DynamicUnknownOfDynamicType", Value::Unknown(Type::Dynamic()), Type::Dynamic(), "d4 00 00"},
      {"DynamicNullOfConcreteType", Value::Null(str), Type::Dynamic(),
       "92 " + BinOf("\"string\"") + " c0"},
      {"DynamicUnknownOfConcreteType", Value::Unknown(num), Type::Dynamic(),
       "92 " + BinOf("\"number\"") + " d4 00 00"},
      {"DynamicList", Value::List(str, {Value::String("x")}), Type::Dynamic(),
       "92 " + BinOf("[\"list\",\"string\"]") + " 91 a1 78"},
      {"ObjectWithDynamicAttribute", Obj(with_dyn, {{"v", Value::Num(1)}}), with_dyn,
       "81 a1 76 92 " + BinOf("\"number\"") + " 01"},
      {"ObjectWithNullDynamicAttribute", Obj(with_dyn, {}), with_dyn, "81 a1 76 c0"},
      {"Tuple", Value::Tuple({Value::String("a"), Value::Num(1)}), Type::Tuple({str, num}),
       "92 a1 61 01"},
  };
}

TEST(Msgpack, EncodesGoldenBytes) {
  for (const auto& c : GoldenCases()) {
    auto got = EncodeMsgpack(c.value, c.type);
    ASSERT_TRUE(got.ok()) << c.name << ": " << got.status().ToString();
    EXPECT_EQ(Hex(*got), c.hex) << c.name;
  }
}

TEST(Msgpack, DecodesGoldenBytesAndRoundTrips) {
  for (const auto& c : GoldenCases()) {
    auto got = DecodeMsgpack(Bytes(c.hex), c.type);
    ASSERT_TRUE(got.ok()) << c.name << ": " << got.status().ToString();
    EXPECT_EQ(*got, c.value) << c.name << ": got " << got->DebugString();
    auto again = EncodeMsgpack(*got, c.type);
    ASSERT_TRUE(again.ok()) << c.name;
    EXPECT_EQ(Hex(*again), c.hex) << c.name;
  }
}

TEST(Msgpack, DecodesEveryStrictPrefixAsError) {
  for (const auto& c : GoldenCases()) {
    std::string bytes = Bytes(c.hex);
    for (size_t n = 0; n < bytes.size(); ++n) {
      auto got = DecodeMsgpack(std::string_view(bytes).substr(0, n), c.type);
      EXPECT_FALSE(got.ok()) << c.name << " prefix " << n;
    }
  }
}

TEST(Msgpack, DecodesRefinedUnknownAsUnknown) {
  struct Case {
    std::string name;
    std::string hex;
    Type type;
  };
  const Type str = Type::String();
  const Type num = Type::Number();
  const std::vector<Case> cases = {
      {"Ext8NotNull", "c7 03 0c 81 01 c2", str},
      {"Ext8StringPrefix", "c7 07 0c 82 01 c2 02 a2 61 62", str},
      {"Ext8NumberBounds", "c7 09 0c 82 03 92 01 c3 04 92 05 c2", num},
      {"Ext8LengthBounds", "c7 05 0c 82 05 01 06 03", Type::List(str)},
      {"FixExt1Type12", "d4 0c 00", str},
      {"FixExt2Type12", "d5 0c 80 00", str},
      {"FixExt4Type12", "d6 0c 81 01 c2 00", str},
      {"FixExt8Type12", "d7 0c 81 01 c2 00 00 00 00 00", str},
      {"FixExt16Type12", "d8 0c 81 01 c2 00 00 00 00 00 00 00 00 00 00 00 00 00", str},
      {"Ext16Type12", "c8 00 03 0c 81 01 c2", str},
      {"Ext32Type12", "c9 00 00 00 03 0c 81 01 c2", str},
      {"Ext8Empty", "c7 00 0c", str},
      {"OtherExtType", "d4 05 00", str},
      {"NegativeExtType", "d5 ff 01 02", num},
      {"Ext8OtherTypeWithGarbage", "c7 02 07 c1 c1", Type::Map(str)},
      {"RefinedUnknownDynamic", "c7 03 0c 81 01 c2", Type::Dynamic()},
      {"RefinedUnknownObject", "c7 03 0c 81 01 c2", Type::Object({{"a", str}})},
  };
  for (const auto& c : cases) {
    auto got = DecodeMsgpack(Bytes(c.hex), c.type);
    ASSERT_TRUE(got.ok()) << c.name << ": " << got.status().ToString();
    EXPECT_EQ(*got, Value::Unknown(c.type)) << c.name;
    // pxc never sends refinements: the re-encoded form is the plain unknown.
    EXPECT_EQ(Hex(EncodeMsgpack(*got, c.type).value()), "d4 00 00") << c.name;
  }
}

TEST(Msgpack, DecodesUnknownsNestedInCollections) {
  const Type str = Type::String();
  const Type obj = Type::Object({{"a", str}, {"b", Type::List(str)}});
  auto v = DecodeMsgpack(Bytes("82 a1 61 c7 03 0c 81 01 c2 a1 62 92 d4 00 00 a1 78"), obj);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v->GetAttr("a").IsUnknown());
  EXPECT_EQ(v->GetAttr("a").type(), str);
  ASSERT_EQ(v->GetAttr("b").Length(), 2u);
  EXPECT_TRUE(v->GetAttr("b").Elements()[0].IsUnknown());
  EXPECT_EQ(v->GetAttr("b").Elements()[1], Value::String("x"));

  auto set = DecodeMsgpack(Bytes("93 d4 00 00 a1 62 d4 00 00"), Type::Set(str));
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  ASSERT_EQ(set->Length(), 3u);  // unknown elements are never merged
  EXPECT_EQ(set->Elements()[0], Value::String("b"));
  EXPECT_TRUE(set->Elements()[1].IsUnknown());
  EXPECT_TRUE(set->Elements()[2].IsUnknown());

  auto map = DecodeMsgpack(Bytes("81 a1 6b d4 00 00"), Type::Map(str));
  ASSERT_TRUE(map.ok());
  EXPECT_TRUE(map->Entries().at("k").IsUnknown());
  EXPECT_FALSE(map->IsWhollyKnown());
}

TEST(Msgpack, DecodesEveryIntegerAndFloatForm) {
  struct Case {
    std::string hex;
    Number want;
  };
  const std::vector<Case> cases = {
      {"05", 5},
      {"e0", -32},
      {"cc ff", 255},
      {"cd ff ff", 65535},
      {"ce ff ff ff ff", int64_t{4294967295}},
      {"cf 00 00 00 00 00 00 00 07", 7},
      {"d0 ff", -1},
      {"d0 7f", 127},
      {"d1 80 00", -32768},
      {"d2 80 00 00 00", int64_t{-2147483648LL}},
      {"d3 ff ff ff ff ff ff ff fe", -2},
      {"ca 3f c0 00 00", Number::FromDouble(1.5)},
      {"ca 40 40 00 00", 3},
      {"cb 40 09 21 fb 54 44 2d 18", Number::FromDouble(3.141592653589793)},
      {"cb 3f f0 00 00 00 00 00 00", 1},
      {"cb 80 00 00 00 00 00 00 00", 0},  // -0 is 0
      {"a3 " + HexOf("1.5"), Number::FromDouble(1.5)},
      {"a2 " + HexOf("42"), 42},
      {"c4 02 " + HexOf("-7"), -7},
      {"d9 05 " + HexOf("1e400"), Number::Parse("1e400").value()},
      {"cf 80 00 00 00 00 00 00 00", Number::FromDouble(9223372036854775808.0)},
  };
  for (const auto& c : cases) {
    auto got = DecodeMsgpack(Bytes(c.hex), Type::Number());
    ASSERT_TRUE(got.ok()) << c.hex << ": " << got.status().ToString();
    EXPECT_EQ(got->AsNumber(), c.want) << c.hex << " got " << got->DebugString();
  }
  auto huge = DecodeMsgpack(Bytes("cf ff ff ff ff ff ff ff ff"), Type::Number());
  ASSERT_TRUE(huge.ok());
  ASSERT_TRUE(huge->AsNumber().IsBig());
  EXPECT_EQ(huge->AsNumber().BigText(), "18446744073709551615");
  EXPECT_EQ(Hex(EncodeMsgpack(*huge, Type::Number()).value()),
            "b4 " + HexOf("18446744073709551615"));
  auto big = DecodeMsgpack(Bytes("d9 05 " + HexOf("1e400")), Type::Number());
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->AsNumber().BigText(), "1e400");
}

TEST(Msgpack, DecodesEveryStringAndContainerForm) {
  const Type str = Type::String();
  struct Case {
    std::string hex;
    Type type;
    Value want;
  };
  const std::vector<Case> cases = {
      {"d9 01 78", str, Value::String("x")},
      {"da 00 01 78", str, Value::String("x")},
      {"db 00 00 00 01 78", str, Value::String("x")},
      {"c4 01 78", str, Value::String("x")},
      {"c5 00 01 78", str, Value::String("x")},
      {"c6 00 00 00 01 78", str, Value::String("x")},
      {"dc 00 01 a1 78", Type::List(str), Value::List(str, {Value::String("x")})},
      {"dd 00 00 00 01 a1 78", Type::List(str), Value::List(str, {Value::String("x")})},
      {"de 00 01 a1 61 a1 78", Type::Map(str), Value::Map(str, {{"a", Value::String("x")}})},
      {"df 00 00 00 01 c4 01 61 a1 78", Type::Map(str),
       Value::Map(str, {{"a", Value::String("x")}})},
      {"82 a1 61 a1 78 a1 61 a1 79", Type::Map(str),  // duplicate key: last wins
       Value::Map(str, {{"a", Value::String("y")}})},
      // The type JSON of a dynamic value may also be a str (not only bin).
      {"92 a8 22 73 74 72 69 6e 67 22 a1 78", Type::Dynamic(), Value::String("x")},
      {"92 a8 " + HexOf("\"number\"") + " c0", Type::Dynamic(), Value::Null(Type::Number())},
      {"92 a9 " + HexOf("\"dynamic\"") + " c0", Type::Dynamic(), Value::Null(Type::Dynamic())},
      {"92 " + BinOf("[\"object\",{\"a\":\"bool\"}]") + " 81 a1 61 c3", Type::Dynamic(),
       Obj(Type::Object({{"a", Type::Bool()}}), {{"a", Value::Bool(true)}})},
      {"c0", Type::Set(str), Value::Null(Type::Set(str))},
  };
  for (const auto& c : cases) {
    auto got = DecodeMsgpack(Bytes(c.hex), c.type);
    ASSERT_TRUE(got.ok()) << c.hex << ": " << got.status().ToString();
    EXPECT_EQ(*got, c.want) << c.hex << " got " << got->DebugString();
  }
}

TEST(Msgpack, DecodeErrorsNameThePathAndTheProblem) {
  const Type str = Type::String();
  const Type grants =
      Type::Object({{"grants", Type::List(Type::Object({{"on", str}, {"to", str}}))}});
  const Type ab = Type::Object({{"a", str}, {"b", str}});
  struct Case {
    std::string name;
    std::string hex;
    Type type;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"Empty", "", str, "unexpected end of msgpack data"},
      {"WrongScalar", "01", str, "string required, got number"},
      {"BoolFromString", "a1 78", Type::Bool(), "bool required, got string"},
      {"NumberFromArray", "90", Type::Number(), "number required, got array"},
      {"ListFromMap", "80", Type::List(str), "list of string required, got map"},
      {"ObjectFromArray", "90", ab, "object required, got array"},
      {"InvalidByte", "c1", str, "string required, got invalid msgpack byte"},
      {"NestedPath", "81 a6 " + HexOf("grants") + " 91 82 a2 6f 6e 01 a2 74 6f a1 78", grants,
       "at .grants[0].on: string required, got number"},
      {"MapKeyPath", "81 a1 6b 01", Type::Map(str), "at [\"k\"]: string required, got number"},
      {"MissingAttribute", "81 a1 61 a1 78", ab, "missing attribute \"b\""},
      {"ExtraAttribute", "83 a1 61 a1 78 a1 62 a1 78 a1 63 a1 78", ab,
       "unsupported attribute \"c\""},
      {"DuplicateAttribute", "82 a1 61 a1 78 a1 61 a1 78", ab, "duplicate attribute \"a\""},
      {"NonStringAttributeName", "81 01 a1 78", ab,
       "object attribute names must be strings, got number"},
      {"NonStringMapKey", "81 c3 a1 78", Type::Map(str), "map keys must be strings, got bool"},
      {"TupleTooLong", "93 a1 61 a1 62 a1 63", Type::Tuple({str, str}),
       "tuple of 2 elements required, got 3"},
      {"DynamicNotArray", "a1 78", Type::Dynamic(),
       "dynamic value must be a [type, value] array, got string"},
      {"DynamicWrongLength", "93 a1 61 a1 62 a1 63", Type::Dynamic(),
       "dynamic value must be a [type, value] array of 2 elements, got 3"},
      {"DynamicTypeNotBytes", "92 01 01", Type::Dynamic(),
       "type JSON of dynamic value must be bytes, got number"},
      {"DynamicBadTypeJson", "92 a3 " + HexOf("foo") + " 01", Type::Dynamic(),
       "invalid type in dynamic value"},
      {"DynamicUnknownTypeName", "92 a5 " + HexOf("\"foo\"") + " 01", Type::Dynamic(),
       "invalid type in dynamic value: invalid primitive type name \"foo\""},
      {"DynamicValueMismatch", "92 a8 " + HexOf("\"string\"") + " 01", Type::Dynamic(),
       "string required, got number"},
      {"NaN", "cb 7f f8 00 00 00 00 00 00", Type::Number(), "NaN is not a valid number"},
      {"NumberFromText", "a3 " + HexOf("abc"), Type::Number(),
       "number required, got a string that is not a number"},
      {"TrailingBytes", "c0 c0", str, "unexpected 1 bytes after the msgpack value"},
      {"TruncatedString", "a5 61 62", str, "unexpected end of msgpack data"},
      {"TruncatedInt", "cd 01", Type::Number(), "unexpected end of msgpack data"},
      {"TruncatedExtHeader", "c7", str, "unexpected end of msgpack data"},
      {"TruncatedExtPayload", "c7 05 0c 81", str, "unexpected end of msgpack data"},
      {"TruncatedFixExtType", "d4", str, "unexpected end of msgpack data"},
      {"HugeArrayLength", "dd ff ff ff ff c0", Type::List(str),
       "array of 4294967295 items is longer than the remaining input"},
      {"HugeMapLength", "df ff ff ff ff c0 c0", Type::Map(str),
       "map of 4294967295 items is longer than the remaining input"},
      {"HugeStringLength", "db ff ff ff ff 61", str, "unexpected end of msgpack data"},
      {"HugeBinLength", "c6 ff ff ff ff 61", str, "unexpected end of msgpack data"},
      {"HugeExtLength", "c9 ff ff ff ff 00 00", str, "unexpected end of msgpack data"},
  };
  for (const auto& c : cases) {
    auto got = DecodeMsgpack(Bytes(c.hex), c.type);
    ASSERT_FALSE(got.ok()) << c.name << " decoded as " << got->DebugString();
    EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument) << c.name;
    EXPECT_NE(got.status().message().find(c.want), std::string::npos)
        << c.name << ": " << got.status().message();
  }
}

TEST(Msgpack, RejectsDeepNesting) {
  // A schema type deeper than the limit, with matching input.
  Type deep = Type::String();
  for (int i = 0; i < 200; ++i) deep = Type::List(deep);
  std::string bytes(200, static_cast<char>(0x91));
  bytes += Bytes("a1 78");
  auto got = DecodeMsgpack(bytes, deep);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("nested too deeply"), std::string::npos)
      << got.status().message();

  // Dynamic wrappers nested without end: [ "dynamic", [ "dynamic", ... ] ].
  std::string wrappers;
  for (int i = 0; i < 10000; ++i) wrappers += Bytes("92 a9") + "\"dynamic\"";
  got = DecodeMsgpack(wrappers + Bytes("c0"), Type::Dynamic());
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("nested too deeply"), std::string::npos)
      << got.status().message();

  // Hostile type JSON: ["list",["list",[... 100000 deep.
  std::string type_json;
  for (int i = 0; i < 100000; ++i) type_json += "[\"list\",";
  type_json += "\"string\"" + std::string(100000, ']');
  std::string dyn = Bytes("92 c6");
  for (int shift = 24; shift >= 0; shift -= 8) {
    dyn.push_back(static_cast<char>((type_json.size() >> shift) & 0xff));
  }
  dyn += type_json + Bytes("c0");
  got = DecodeMsgpack(dyn, Type::Dynamic());
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("nested too deeply"), std::string::npos)
      << got.status().message();
}

TEST(Msgpack, SurvivesRandomMutations) {
  std::mt19937 rng(12345);
  const auto cases = GoldenCases();
  const std::vector<Type> types = {
      Type::Dynamic(),
      Type::String(),
      Type::List(Type::Dynamic()),
      Type::Object({{"a", Type::Number()}, {"b", Type::String()}}),
      Type::Set(Type::Object({{"name", Type::String()}})),
      Type::Map(Type::List(Type::Number())),
  };
  int decoded = 0;
  for (int round = 0; round < 20000; ++round) {
    const auto& c = cases[rng() % cases.size()];
    std::string bytes = Bytes(c.hex);
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      switch (rng() % 4) {
        case 0:
          if (!bytes.empty()) bytes[rng() % bytes.size()] = static_cast<char>(rng());
          break;
        case 1:
          bytes.insert(bytes.begin() + (bytes.empty() ? 0 : rng() % bytes.size()),
                       static_cast<char>(rng()));
          break;
        case 2:
          if (!bytes.empty()) bytes.erase(rng() % bytes.size(), 1);
          break;
        default:
          bytes += Bytes(cases[rng() % cases.size()].hex);
      }
    }
    const Type& type = (rng() % 2) ? c.type : types[rng() % types.size()];
    auto got = DecodeMsgpack(bytes, type);
    if (got.ok()) {
      ++decoded;
      // Whatever decodes must encode again.
      EXPECT_TRUE(EncodeMsgpack(*got, type).ok()) << Hex(bytes);
    }
  }
  EXPECT_GT(decoded, 0);
}

// Strings are kept byte for byte, even when they are not UTF-8; sets of
// such objects must still sort (regression: Value::DebugString threw).
TEST(Msgpack, KeepsStringsThatAreNotUtf8) {
  const Type t = Type::Set(Type::Object({{"k", Type::String()}}));
  auto got = DecodeMsgpack(Bytes("92 81 a1 6b a1 ff 81 a1 6b a1 fe"), t);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->Length(), 2u);
  EXPECT_EQ(Hex(EncodeMsgpack(*got, t).value()).size(),
            Hex(Bytes("92 81 a1 6b a1 ff 81 a1 6b a1 fe")).size());
  auto s = DecodeMsgpack(Bytes("a2 61 ff"), Type::String());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->AsString(), "a\xff");
}

TEST(Msgpack, EncodeConvertsToTheSchemaType) {
  // A list value for a set attribute becomes a canonical set.
  const Type set = Type::Set(Type::String());
  Value list = Value::List(Type::String(), {Value::String("b"), Value::String("a")});
  EXPECT_EQ(Hex(EncodeMsgpack(list, set).value()), "92 a1 61 a1 62");
  // A null or unknown of dynamic type fits any slot.
  EXPECT_EQ(Hex(EncodeMsgpack(Value::Null(Type::Dynamic()), set).value()), "c0");
  EXPECT_EQ(Hex(EncodeMsgpack(Value::Unknown(Type::Dynamic()), set).value()), "d4 00 00");
  // An object built from its attributes gets the schema's attribute set.
  const Type obj = Type::Object({{"a", Type::String()}, {"b", Type::Number()}});
  Value partial = Value::Object({{"a", Value::String("x")}});
  EXPECT_EQ(Hex(EncodeMsgpack(partial, obj).value()), "82 a1 61 a1 78 a1 62 c0");
}

TEST(Msgpack, EncodeErrorsNameThePath) {
  const Type obj = Type::Object({{"a", Type::List(Type::Number())}});
  Value bad = Obj(obj, {{"a", Value::List(Type::Number(), {Value::String("x")})}});
  auto got = EncodeMsgpack(bad, obj);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(), "at .a[0]: number required, got string");

  got = EncodeMsgpack(Value::String("x"), Type::Bool());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(), "bool required, got string");

  got = EncodeMsgpack(Value::Num(Number::FromDouble(std::nan(""))), Type::Number());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(), "NaN is not a valid number");

  got = EncodeMsgpack(Value::Object({{"zz", Value::String("x")}}),
                      Type::Object({{"a", Type::String()}}));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(), "unexpected attribute \"zz\"");
}

}  // namespace
}  // namespace pxc::schema
