// Tests for schema/json_codec: go-cty's JSON form of values, the lenient
// decode used for state upgrades, and hostile input.
#include "schema/json_codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace pxc::schema {
namespace {

Value Obj(const Type& type, std::map<std::string, Value> attrs) {
  return Value::ObjectOf(type, std::move(attrs)).value();
}

Value Num(std::string_view text) { return Value::Num(Number::Parse(text).value()); }

struct GoldenCase {
  std::string name;
  Value value;
  Type type;
  std::string json;
};

std::vector<GoldenCase> GoldenCases() {
  const Type str = Type::String();
  const Type num = Type::Number();
  const Type all = Type::Object({{"a", str},
                                 {"b", num},
                                 {"c", Type::Bool()},
                                 {"d", Type::List(str)},
                                 {"e", Type::List(num)},
                                 {"f", Type::Map(str)},
                                 {"g", Type::Set(str)}});
  const Type with_dyn = Type::Object({{"v", Type::Dynamic()}});
  return {
      {"Null", Value::Null(str), str, "null"},
      {"String", Value::String("x"), str, "\"x\""},
      {"Escapes", Value::String("<a&b>\"\\\n\t\x01/\xe2\x80\xa8"), str,
       "\"\\u003ca\\u0026b\\u003e\\\"\\\\\\n\\t\\u0001/\\u2028\""},
      {"Unicode", Value::String("h\xc3\xa9llo \xf0\x9f\x98\x80"), str,
       "\"h\xc3\xa9llo \xf0\x9f\x98\x80\""},
      {"True", Value::Bool(true), Type::Bool(), "true"},
      {"Int", Value::Num(-42), num, "-42"},
      {"Int64Max", Value::Num(std::numeric_limits<int64_t>::max()), num, "9223372036854775807"},
      {"Double", Value::Num(Number::FromDouble(1.5)), num, "1.5"},
      {"DoubleTenth", Num("0.1"), num, "0.1"},
      {"DoubleBeyondInt64", Value::Num(Number::FromDouble(1e21)), num, "1000000000000000000000"},
      {"DoubleShortestDigits", Value::Num(Number::FromDouble(2e24)), num,
       "2000000000000000000000000"},
      {"SmallDouble", Value::Num(Number::FromDouble(-1.25e-7)), num, "-0.000000125"},
      {"DoubleWithFraction", Value::Num(Number::FromDouble(123.456)), num, "123.456"},
      {"BigDecimalKeptExactly", Num("123456789012345678901234567890"), num,
       "123456789012345678901234567890"},
      {"BigFraction", Num("0.30000000000000000000000000001"), num,
       "0.30000000000000000000000000001"},
      {"BigExponent", Num("1e400"), num, "1e400"},
      {"Object",
       Obj(all, {{"a", Value::String("x")},
                 {"b", Value::Num(1)},
                 {"c", Value::Bool(false)},
                 {"e", Value::List(num, {Num("1.5"), Value::Num(2)})},
                 {"f", Value::Map(str, {{"k", Value::String("v")}})},
                 {"g", Value::Set(str, {Value::String("b"), Value::String("a")})}}),
       all, R"({"a":"x","b":1,"c":false,"d":null,"e":[1.5,2],"f":{"k":"v"},"g":["a","b"]})"},
      {"EmptyCollections",
       Obj(all,
           {{"d", Value::List(str, {})}, {"f", Value::Map(str, {})}, {"g", Value::Set(str, {})}}),
       all, R"({"a":null,"b":null,"c":null,"d":[],"e":null,"f":{},"g":[]})"},
      {"Tuple", Value::Tuple({Value::String("a"), Value::Num(1)}), Type::Tuple({str, num}),
       R"(["a",1])"},
      {"DynamicString", Value::String("x"), Type::Dynamic(), R"({"value":"x","type":"string"})"},
      {"DynamicNullOfDynamicType", Value::Null(Type::Dynamic()), Type::Dynamic(), "null"},
      {"DynamicNullOfConcreteType", Value::Null(str), Type::Dynamic(),
       R"({"value":null,"type":"string"})"},
      {"DynamicObject", Obj(Type::Object({{"n", num}}), {{"n", Value::Num(1)}}), Type::Dynamic(),
       R"({"value":{"n":1},"type":["object",{"n":"number"}]})"},
      {"ObjectWithDynamicAttribute", Obj(with_dyn, {{"v", Value::List(str, {Value::String("x")})}}),
       with_dyn, R"({"v":{"value":["x"],"type":["list","string"]}})"},
  };
}

TEST(JsonCodec, EncodesGoldenText) {
  for (const auto& c : GoldenCases()) {
    auto got = EncodeJson(c.value, c.type);
    ASSERT_TRUE(got.ok()) << c.name << ": " << got.status().ToString();
    EXPECT_EQ(*got, c.json) << c.name;
  }
}

TEST(JsonCodec, DecodesGoldenTextAndRoundTrips) {
  for (const auto& c : GoldenCases()) {
    auto got = DecodeJson(c.json, c.type);
    ASSERT_TRUE(got.ok()) << c.name << ": " << got.status().ToString();
    EXPECT_EQ(*got, c.value) << c.name << ": got " << got->DebugString();
    auto again = EncodeJson(*got, c.type);
    ASSERT_TRUE(again.ok()) << c.name;
    EXPECT_EQ(*again, c.json) << c.name;
  }
}

TEST(JsonCodec, KeepsBigNumberText) {
  auto v = DecodeJson(" 123456789012345678901234567890.5 ", Type::Number());
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_TRUE(v->AsNumber().IsBig());
  EXPECT_EQ(v->AsNumber().BigText(), "123456789012345678901234567890.5");
  EXPECT_EQ(EncodeJson(*v, Type::Number()).value(), "123456789012345678901234567890.5");

  v = DecodeJson("-1E+400", Type::Number());
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->AsNumber().BigText(), "-1E+400");
  EXPECT_EQ(EncodeJson(*v, Type::Number()).value(), "-1E+400");

  // Big text that is not a JSON number token is normalised on output.
  EXPECT_EQ(EncodeJson(Num("+000123456789012345678901234567890."), Type::Number()).value(),
            "123456789012345678901234567890");
  EXPECT_EQ(EncodeJson(Num("-.50000000000000000000000001"), Type::Number()).value(),
            "-0.50000000000000000000000001");
}

TEST(JsonCodec, DecodesConvertibleScalarsAsGoCty) {
  struct Case {
    std::string json;
    Type type;
    Value want;
  };
  const std::vector<Case> cases = {
      {R"("42")", Type::Number(), Value::Num(42)},
      {R"("1.5")", Type::Number(), Num("1.5")},
      {R"("1e400")", Type::Number(), Num("1e400")},
      {R"("true")", Type::Bool(), Value::Bool(true)},
      {R"("1")", Type::Bool(), Value::Bool(true)},
      {R"("false")", Type::Bool(), Value::Bool(false)},
      {R"("0")", Type::Bool(), Value::Bool(false)},
      {"1.50", Type::String(), Value::String("1.50")},
      {"-0e5", Type::String(), Value::String("-0e5")},
      {"true", Type::String(), Value::String("true")},
      {"0", Type::Number(), Value::Num(0)},
      {"-0", Type::Number(), Value::Num(0)},
      {"2.5e3", Type::Number(), Value::Num(2500)},
      {R"(["b","a","b"])", Type::Set(Type::String()),
       Value::Set(Type::String(), {Value::String("a"), Value::String("b")})},
      {R"({"k":1,"k":2})", Type::Map(Type::Number()),
       Value::Map(Type::Number(), {{"k", Value::Num(2)}})},
      {R"({"type":"string","value":"x"})", Type::Dynamic(), Value::String("x")},
      {R"(  { "a" : [ 1 , 2 ] }  )", Type::Object({{"a", Type::List(Type::Number())}}),
       Obj(Type::Object({{"a", Type::List(Type::Number())}}),
           {{"a", Value::List(Type::Number(), {Value::Num(1), Value::Num(2)})}})},
      {R"("\u00e9\ud83d\ude00\/")", Type::String(), Value::String("\xc3\xa9\xf0\x9f\x98\x80/")},
      {R"("\ud800x")", Type::String(), Value::String("\xef\xbf\xbdx")},
      {R"("\udc00\ud800\u0041")", Type::String(),
       Value::String("\xef\xbf\xbd\xef\xbf\xbd"
                     "A")},
      {"\"a\xff\xc3\"", Type::String(), Value::String("a\xef\xbf\xbd\xef\xbf\xbd")},
  };
  for (const auto& c : cases) {
    auto got = DecodeJson(c.json, c.type);
    ASSERT_TRUE(got.ok()) << c.json << ": " << got.status().ToString();
    EXPECT_EQ(*got, c.want) << c.json << " got " << got->DebugString();
  }
}

TEST(JsonCodec, MissingAttributesAreNull) {
  const Type t = Type::Object({{"a", Type::String()}, {"b", Type::List(Type::String())}});
  auto got = DecodeJson(R"({"a":"x"})", t);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->type(), t);
  EXPECT_EQ(got->GetAttr("b"), Value::Null(Type::List(Type::String())));
  got = DecodeJson("{}", t);
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->GetAttr("a").IsNull());
}

TEST(JsonCodec, DecodeErrorsNameThePathAndTheProblem) {
  const Type str = Type::String();
  const Type grants = Type::Object({{"grants", Type::List(Type::Object({{"on", Type::Bool()}}))}});
  struct Case {
    std::string name;
    std::string json;
    Type type;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"NestedPath", R"({"grants":[{"on":1}]})", grants,
       "at .grants[0].on: bool required, got number"},
      {"UnsupportedAttribute", R"({"grants":[],"zzz":1})", grants, "unsupported attribute \"zzz\""},
      {"NestedUnsupportedAttribute", R"({"grants":[{"on":true,"x":1}]})", grants,
       "at .grants[0]: unsupported attribute \"x\""},
      {"StringFromObject", "{}", str, "string required, got object"},
      {"ListFromObject", "{}", Type::List(str), "list of string required, got object"},
      {"MapKeyPath", R"({"k":[]})", Type::Map(str), "at [\"k\"]: string required, got array"},
      {"NumberFromBadString", R"("abc")", Type::Number(),
       "number required, got a string that is not a number"},
      {"BoolFromBadString", R"("yes")", Type::Bool(),
       "bool required, got a string that is not a bool"},
      {"TooManyTupleElements", R"([1,2,3])", Type::Tuple({Type::Number(), Type::Number()}),
       "too many tuple elements (need 2)"},
      {"NotEnoughTupleElements", R"([1])", Type::Tuple({Type::Number(), Type::Number()}),
       "not enough tuple elements (need 2)"},
      {"DynamicMissingType", R"({"value":1})", Type::Dynamic(),
       "missing type in dynamically-typed value"},
      {"DynamicMissingValue", R"({"type":"number"})", Type::Dynamic(),
       "missing value in dynamically-typed value"},
      {"DynamicBadKey", R"({"value":1,"type":"number","x":1})", Type::Dynamic(),
       "invalid key \"x\" in dynamically-typed value"},
      {"DynamicBadType", R"({"value":1,"type":"nope"})", Type::Dynamic(),
       "invalid type in dynamically-typed value: invalid primitive type name \"nope\""},
      {"DynamicNotObject", R"("x")", Type::Dynamic(),
       "dynamically-typed value must be a {\"value\", \"type\"} object"},
      {"DynamicValueMismatch", R"({"value":[],"type":"number"})", Type::Dynamic(),
       "number required, got array"},
      {"Empty", "", str, "invalid JSON: unexpected end of input"},
      {"OnlySpace", "   ", str, "invalid JSON: unexpected end of input"},
      {"TrailingData", R"("x" "y")", str,
       "invalid JSON at byte 4: unexpected data after the value"},
      {"TrailingComma", "[1,]", Type::List(Type::Number()), "invalid JSON at byte 3"},
      {"MissingComma", "[1 2]", Type::List(Type::Number()),
       "invalid JSON at byte 3: expected ',' or ']'"},
      {"UnterminatedString", "\"abc", str, "invalid JSON: unexpected end of input"},
      {"ControlCharacter", "\"a\nb\"", str, "control character in string"},
      {"BadEscape", R"("\x")", str, "invalid escape in string"},
      {"BadUnicodeEscape", R"("\u12g4")", str, "invalid \\u escape"},
      {"LeadingZero", "01", Type::Number(), "unexpected data after the value"},
      {"BareDot", "1.e5", Type::Number(), "invalid JSON at byte 2: invalid number"},
      {"PlusSign", "+1", Type::Number(), "unexpected character"},
      {"NaNLiteral", "NaN", Type::Number(), "unexpected character"},
      {"BadLiteral", "tru", Type::Bool(), "invalid literal"},
      {"SingleQuotes", "'x'", str, "unexpected character"},
      {"Comment", "/* */ 1", Type::Number(), "unexpected character"},
      {"KeyNotString", "{1:2}", Type::Map(str), "expected an object key"},
      {"MissingColon", R"({"a" 1})", Type::Map(str), "expected ':'"},
  };
  for (const auto& c : cases) {
    auto got = DecodeJson(c.json, c.type);
    ASSERT_FALSE(got.ok()) << c.name << " decoded as " << got->DebugString();
    EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument) << c.name;
    EXPECT_NE(got.status().message().find(c.want), std::string::npos)
        << c.name << ": " << got.status().message();
  }
}

TEST(JsonCodec, LenientDecodeDropsUnknownAttributesAndNullsMissingOnes) {
  const Type grant =
      Type::Object({{"on", Type::String()}, {"privileges", Type::Set(Type::String())}});
  const Type t = Type::Object(
      {{"name", Type::String()}, {"port", Type::Number()}, {"grants", Type::List(grant)}});
  const std::string raw = R"({
    "name": "db1",
    "legacy_flag": {"nested": [1, 2, {"deep": null}]},
    "grants": [{"on": "*.*", "with_grant_option": true}],
    "old_id": "x"
  })";
  std::vector<std::string> dropped;
  auto got = DecodeJsonLenient(raw, t, &dropped);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(dropped,
            (std::vector<std::string>{"legacy_flag", "grants[0].with_grant_option", "old_id"}));
  EXPECT_EQ(got->GetAttr("name"), Value::String("db1"));
  EXPECT_EQ(got->GetAttr("port"), Value::Null(Type::Number()));
  Value g = got->GetAttr("grants").Elements().at(0);
  EXPECT_EQ(g.GetAttr("on"), Value::String("*.*"));
  EXPECT_EQ(g.GetAttr("privileges"), Value::Null(Type::Set(Type::String())));

  // The strict decoder refuses the same document.
  auto strict = DecodeJson(raw, t);
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.status().message(), "unsupported attribute \"legacy_flag\"");

  // A null `dropped` is allowed; type mismatches are still errors.
  EXPECT_TRUE(DecodeJsonLenient(raw, t, nullptr).ok());
  auto mismatch = DecodeJsonLenient(R"({"port":"eighty"})", t, &dropped);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.status().message(),
            "at .port: number required, got a string that is not a number");
  // A dropped attribute must still be valid JSON.
  auto broken = DecodeJsonLenient(R"({"old":[1,})", t, nullptr);
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("invalid JSON"), std::string::npos);
}

TEST(JsonCodec, EncodeRejectsUnknownValues) {
  auto got = EncodeJson(Value::Unknown(Type::String()), Type::String());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(got.status().message(), "value is unknown; JSON cannot hold unknown values");

  const Type t = Type::Object({{"a", Type::List(Type::String())}});
  Value v = Obj(t, {{"a", Value::List(Type::String(), {Value::Unknown(Type::String())})}});
  got = EncodeJson(v, t);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(), "at .a[0]: value is unknown; JSON cannot hold unknown values");

  got = EncodeJson(Value::Unknown(Type::Dynamic()), Type::Dynamic());
  ASSERT_FALSE(got.ok());
  got = EncodeJson(Value::Unknown(Type::Number()), Type::Dynamic());
  ASSERT_FALSE(got.ok());
}

TEST(JsonCodec, EncodeRejectsNonFiniteAndMismatchedValues) {
  auto got = EncodeJson(Value::Num(Number::FromDouble(HUGE_VAL)), Type::Number());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(), "JSON cannot hold the number inf");
  got = EncodeJson(Value::String("x"), Type::Number());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(), "number required, got string");
  // Conversions go-cty would make before encoding.
  EXPECT_EQ(EncodeJson(Value::List(Type::String(), {Value::String("b"), Value::String("a")}),
                       Type::Set(Type::String()))
                .value(),
            R"(["a","b"])");
  EXPECT_EQ(EncodeJson(Value::Object({{"a", Value::Num(1)}}),
                       Type::Object({{"a", Type::Number()}, {"b", Type::String()}}))
                .value(),
            R"({"a":1,"b":null})");
}

TEST(JsonCodec, RejectsDeepNesting) {
  // Inside a dropped attribute, the parser skips any JSON: still bounded.
  std::string deep = R"({"old":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  auto got = DecodeJsonLenient(deep, Type::Object({}), nullptr);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("nested too deeply"), std::string::npos)
      << got.status().message();

  std::string type_json;
  for (int i = 0; i < 100000; ++i) type_json += "[\"list\",";
  type_json += "\"string\"" + std::string(100000, ']');
  got = DecodeJson(R"({"value":null,"type":)" + type_json + "}", Type::Dynamic());
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("nested too deeply"), std::string::npos);

  auto type = ParseTypeJson(type_json);
  ASSERT_FALSE(type.ok());
  EXPECT_NE(type.status().message().find("nested too deeply"), std::string::npos);

  Type t = Type::String();
  for (int i = 0; i < 200; ++i) t = Type::List(t);
  got = DecodeJson(std::string(200, '[') + "\"x\"" + std::string(200, ']'), t);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("nested too deeply"), std::string::npos);
}

TEST(JsonCodec, ParseTypeJson) {
  EXPECT_EQ(ParseTypeJson(R"( ["map", ["set", "number"]] )").value(),
            Type::Map(Type::Set(Type::Number())));
  EXPECT_EQ(ParseTypeJson(R"(["object",{"b":"bool","a":"dynamic"}])").value(),
            Type::Object({{"a", Type::Dynamic()}, {"b", Type::Bool()}}));
  EXPECT_FALSE(ParseTypeJson(R"("string" x)").ok());
  EXPECT_FALSE(ParseTypeJson(R"(["list"])").ok());
  EXPECT_FALSE(ParseTypeJson("").ok());
}

TEST(JsonCodec, FormatsPathsAsTerraformDoes) {
  AttributePath p = AttributePath::Root("grants").Index(0).Attr("on").Key("a\"b");
  EXPECT_EQ(FormatValuePath(p), R"(.grants[0].on["a\"b"])");
  EXPECT_EQ(FormatValuePath(AttributePath()), "");
}

TEST(JsonCodec, SurvivesRandomMutations) {
  std::mt19937 rng(777);
  const auto cases = GoldenCases();
  const std::string alphabet = "{}[]\",:0123456789-+.eEtrufalsn \\u\xff\xc3";
  int decoded = 0;
  for (int round = 0; round < 20000; ++round) {
    const auto& c = cases[rng() % cases.size()];
    std::string text = c.json;
    int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      size_t at = text.empty() ? 0 : rng() % text.size();
      switch (rng() % 3) {
        case 0:
          if (!text.empty()) text[at] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          text.insert(text.begin() + at, alphabet[rng() % alphabet.size()]);
          break;
        default:
          if (!text.empty()) text.erase(at, 1);
      }
    }
    std::vector<std::string> dropped;
    auto got = (rng() % 2) ? DecodeJson(text, c.type) : DecodeJsonLenient(text, c.type, &dropped);
    if (got.ok()) {
      ++decoded;
      auto again = EncodeJson(*got, c.type);
      EXPECT_TRUE(again.ok()) << text;
    }
  }
  EXPECT_GT(decoded, 0);
}

}  // namespace
}  // namespace pxc::schema
