// Tests for schema/value: Number, Value (sets, equality, attribute access,
// paths, Transform) and Conform.
#include "schema/value.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace pxc::schema {
namespace {

Value Obj(const Type& type, std::map<std::string, Value> attrs) {
  return Value::ObjectOf(type, std::move(attrs)).value();
}

std::vector<std::string> Strings(const Value& v) {
  std::vector<std::string> out;
  for (const auto& e : v.Elements()) out.push_back(e.IsKnown() ? e.AsString() : "?");
  return out;
}

// ------------------------------------------------------------------ Number

TEST(Number, ParsesIntoTheNarrowestExactRepresentation) {
  struct Case {
    std::string text;
    enum { kInt, kDouble, kBig } kind;
    std::string to_string;
  };
  const std::vector<Case> cases = {
      {"0", Case::kInt, "0"},
      {"12", Case::kInt, "12"},
      {"-7", Case::kInt, "-7"},
      {"9223372036854775807", Case::kInt, "9223372036854775807"},
      {"-9223372036854775808", Case::kInt, "-9223372036854775808"},
      {"1.0", Case::kInt, "1"},
      {"2.5e3", Case::kInt, "2500"},
      {"-0", Case::kInt, "0"},
      {"1.5", Case::kDouble, "1.5"},
      {"-1.5", Case::kDouble, "-1.5"},
      {"0.1", Case::kDouble, "0.1"},
      {"1e300", Case::kDouble, "1e+300"},
      {"1e21", Case::kDouble, "1e+21"},
      {"123456789012345678901234567890", Case::kBig, "123456789012345678901234567890"},
      {"9223372036854775809", Case::kBig, "9223372036854775809"},
      {"0.30000000000000004", Case::kBig, "0.30000000000000004"},
      // cty numbers are arbitrary precision: out-of-range exponents are kept
      // as text, never turned into infinity or zero.
      {"1e400", Case::kBig, "1e400"},
      {"-1e400", Case::kBig, "-1e400"},
      {"1e-400", Case::kBig, "1e-400"},
  };
  for (const auto& c : cases) {
    auto n = Number::Parse(c.text);
    ASSERT_TRUE(n.ok()) << c.text << ": " << n.status().ToString();
    EXPECT_EQ(n->IsInt64(), c.kind == Case::kInt) << c.text;
    EXPECT_EQ(n->IsDouble(), c.kind == Case::kDouble) << c.text;
    EXPECT_EQ(n->IsBig(), c.kind == Case::kBig) << c.text;
    EXPECT_EQ(n->ToString(), c.to_string) << c.text;
    if (c.kind == Case::kBig) {
      EXPECT_EQ(n->BigText(), c.text);
    }
  }
}

TEST(Number, ParseRejectsText) {
  for (std::string text : {"", "abc", "1.2.3", "0x10", " 1", "1 ", "--1", "+-1", "+", "-", ".",
                           "1e", "1e+", "inf", "NaN", "1,5"}) {
    auto n = Number::Parse(text);
    EXPECT_FALSE(n.ok()) << "\"" << text << "\" parsed as " << n->ToString();
    if (!n.ok()) {
      EXPECT_EQ(n.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

// Regression: an explicit '+' used to be kept as big text "+5".
TEST(Number, PlusSignIsAcceptedAndDropped) {
  EXPECT_EQ(Number::Parse("+5").value(), Number(5));
  EXPECT_TRUE(Number::Parse("+5").value().IsInt64());
  EXPECT_EQ(Number::Parse("+1.5").value(), Number::FromDouble(1.5));
}

// Regression: trailing zeros used to count as significant digits, so an
// exactly representable number became big text and compared unequal.
TEST(Number, TrailingZerosDoNotMakeANumberBig) {
  EXPECT_EQ(Number::Parse("1.50000000000000000000").value(), Number::FromDouble(1.5));
  EXPECT_EQ(Number::Parse("1000000000000000000000").value(), Number::FromDouble(1e21));
  EXPECT_EQ(Number::Parse("1.0000000000000000").value(), Number(1));
}

TEST(Number, FromDoubleKeepsExactIntegersAsInt64) {
  EXPECT_TRUE(Number::FromDouble(3.0).IsInt64());
  EXPECT_EQ(Number::FromDouble(-0.0), Number(0));
  EXPECT_TRUE(Number::FromDouble(0.5).IsDouble());
  EXPECT_TRUE(Number::FromDouble(9223372036854775808.0).IsDouble());
  EXPECT_TRUE(Number::FromDouble(HUGE_VAL).IsDouble());
  EXPECT_EQ(Number::FromDouble(HUGE_VAL).ToString(), "inf");
}

TEST(Number, ComparesAcrossRepresentations) {
  EXPECT_EQ(Number(2), Number::FromDouble(2.0));
  EXPECT_EQ(Number::Parse("0.1").value(), Number::FromDouble(0.1));
  EXPECT_LT(Number(1), Number::FromDouble(1.5));
  EXPECT_LT(Number::FromDouble(1.5), Number::Parse("123456789012345678901234567890").value());
  EXPECT_FALSE(Number(1) == Number(2));
}

// ------------------------------------------------------------------- Value

TEST(Value, SetRemovesDuplicatesAndKeepsCanonicalOrder) {
  const Type str = Type::String();
  Value s = Value::Set(
      str, {Value::String("b"), Value::String("c"), Value::String("a"), Value::String("b")});
  EXPECT_EQ(Strings(s), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(s, Value::Set(str, {Value::String("c"), Value::String("a"), Value::String("b")}));

  Value nums = Value::Set(Type::Number(), {Value::Num(10), Value::Num(Number::FromDouble(2.5)),
                                           Value::Num(-1), Value::Num(10)});
  ASSERT_EQ(nums.Length(), 3u);
  EXPECT_EQ(nums.Elements()[0], Value::Num(-1));
  EXPECT_EQ(nums.Elements()[1], Value::Num(Number::FromDouble(2.5)));
  EXPECT_EQ(nums.Elements()[2], Value::Num(10));

  Value bools = Value::Set(Type::Bool(), {Value::Bool(true), Value::Bool(false)});
  EXPECT_EQ(bools.Elements()[0], Value::Bool(false));
}

TEST(Value, SetOrderOfObjectsIsIndependentOfInputOrder) {
  const Type t = Type::Object({{"host", Type::String()}, {"port", Type::Number()}});
  Value a = Obj(t, {{"host", Value::String("a")}, {"port", Value::Num(1)}});
  Value b = Obj(t, {{"host", Value::String("b")}, {"port", Value::Num(1)}});
  Value c = Obj(t, {{"host", Value::String("a")}, {"port", Value::Num(2)}});
  Value s1 = Value::Set(t, {a, b, c, a});
  Value s2 = Value::Set(t, {c, a, b});
  EXPECT_EQ(s1.Length(), 3u);
  EXPECT_EQ(s1, s2);
}

// Regression: null elements used to be kept twice.
TEST(Value, SetKeepsEveryUnknownButMergesEqualNulls) {
  const Type str = Type::String();
  Value s = Value::Set(str, {Value::Unknown(str), Value::String("a"), Value::Unknown(str),
                             Value::Null(str), Value::Null(str)});
  ASSERT_EQ(s.Length(), 4u);
  EXPECT_TRUE(s.Elements()[0].IsNull());
  EXPECT_EQ(s.Elements()[1], Value::String("a"));
  EXPECT_TRUE(s.Elements()[2].IsUnknown());
  EXPECT_TRUE(s.Elements()[3].IsUnknown());
  EXPECT_FALSE(s.IsWhollyKnown());
}

TEST(Value, EqualityComparesStateTypeAndContent) {
  const Type str = Type::String();
  EXPECT_EQ(Value::Null(str), Value::Null(str));
  EXPECT_NE(Value::Null(str), Value::Null(Type::Number()));
  EXPECT_NE(Value::Null(str), Value::Unknown(str));
  EXPECT_EQ(Value::Unknown(str), Value::Unknown(str));
  EXPECT_NE(Value::Unknown(str), Value::Unknown(Type::Dynamic()));
  EXPECT_NE(Value::String(""), Value::Null(str));
  EXPECT_NE(Value::String("a"), Value::String("b"));
  EXPECT_EQ(Value::Num(1), Value::Num(Number::FromDouble(1.0)));
  EXPECT_NE(Value::String("1"), Value::Num(1));
  EXPECT_EQ(Value::List(str, {Value::String("a")}), Value::List(str, {Value::String("a")}));
  EXPECT_NE(Value::List(str, {Value::String("a")}), Value::Set(str, {Value::String("a")}));
  EXPECT_NE(Value::List(str, {}), Value::List(Type::Number(), {}));
  EXPECT_EQ(Value(), Value::Null(Type::Dynamic()));
}

TEST(Value, ObjectOfKeepsTheSchemaTypeAndNullsMissingAttributes) {
  const Type t = Type::Object({{"a", Type::String()}, {"v", Type::Dynamic()}});
  auto o = Value::ObjectOf(t, {{"v", Value::Num(1)}});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->type(), t);
  EXPECT_EQ(o->GetAttr("a"), Value::Null(Type::String()));
  EXPECT_EQ(o->GetAttr("v"), Value::Num(1));  // keeps its concrete type

  auto bad = Value::ObjectOf(t, {{"zz", Value::Num(1)}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "unexpected attribute \"zz\"");
  auto mismatch = Value::ObjectOf(t, {{"a", Value::Num(1)}});
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.status().message(), "string required, got number");
}

TEST(Value, GetAttrOnNullAndUnknownObjects) {
  const Type t = Type::Object({{"a", Type::String()}, {"l", Type::List(Type::Number())}});
  EXPECT_EQ(Value::Null(t).GetAttr("a"), Value::Null(Type::String()));
  EXPECT_EQ(Value::Unknown(t).GetAttr("l"), Value::Unknown(Type::List(Type::Number())));
  EXPECT_THROW(Value::Null(t).GetAttr("nope"), std::out_of_range);
  EXPECT_EQ(Value::Unknown(Type::Dynamic()).GetAttr("x"), Value::Unknown(Type::Dynamic()));

  Value o = Obj(t, {{"a", Value::String("x")}});
  EXPECT_EQ(o.GetString("a"), "x");
  EXPECT_EQ(Value::Unknown(t).GetString("a"), std::nullopt);
  EXPECT_EQ(Value::Null(t).GetString("a"), std::nullopt);
}

TEST(Value, TypedGetters) {
  const Type t = Type::Object(
      {{"s", Type::String()}, {"n", Type::Number()}, {"b", Type::Bool()}, {"u", Type::Number()}});
  Value o = Obj(t, {{"s", Value::String("x")},
                    {"n", Value::Num(3306)},
                    {"b", Value::Bool(true)},
                    {"u", Value::Unknown(Type::Number())}});
  EXPECT_EQ(o.GetString("s"), "x");
  EXPECT_EQ(o.GetInt("n"), 3306);
  EXPECT_EQ(o.GetBool("b"), true);
  EXPECT_EQ(o.GetInt("u"), std::nullopt);
  Value changed = o.WithAttr("n", Value::Num(3307));
  EXPECT_EQ(changed.GetInt("n"), 3307);
  EXPECT_EQ(o.GetInt("n"), 3306);
  EXPECT_EQ(changed.type(), t);
}

TEST(Value, AtFollowsAttributeKeyAndIndexSteps) {
  const Type grant = Type::Object({{"on", Type::String()}});
  const Type t = Type::Object({{"name", Type::String()},
                               {"tags", Type::Map(Type::String())},
                               {"grants", Type::List(grant)},
                               {"meta", Type::Object({{"a", Type::String()}})},
                               {"later", Type::List(grant)}});
  Value v = Obj(t, {{"name", Value::String("n")},
                    {"tags", Value::Map(Type::String(), {{"k", Value::String("v")}})},
                    {"grants", Value::List(grant, {Obj(grant, {{"on", Value::String("*.*")}})})},
                    {"later", Value::Unknown(Type::List(grant))}});
  EXPECT_EQ(v.At(AttributePath()), v);
  EXPECT_EQ(v.At(AttributePath::Root("name")), Value::String("n"));
  EXPECT_EQ(v.At(AttributePath::Root("tags").Key("k")), Value::String("v"));
  EXPECT_EQ(v.At(AttributePath::Root("grants").Index(0).Attr("on")), Value::String("*.*"));
  // Into a null or unknown: null or unknown of the nested type.
  EXPECT_EQ(v.At(AttributePath::Root("meta").Attr("a")), Value::Null(Type::String()));
  EXPECT_EQ(v.At(AttributePath::Root("later").Index(3).Attr("on")), Value::Unknown(Type::String()));
  // Steps that do not exist.
  EXPECT_EQ(v.At(AttributePath::Root("nope")), std::nullopt);
  EXPECT_EQ(v.At(AttributePath::Root("grants").Index(1)), std::nullopt);
  EXPECT_EQ(v.At(AttributePath::Root("grants").Index(-1)), std::nullopt);
  EXPECT_EQ(v.At(AttributePath::Root("tags").Key("missing")), std::nullopt);
  EXPECT_EQ(v.At(AttributePath::Root("tags").Index(0)), std::nullopt);
  EXPECT_EQ(v.At(AttributePath::Root("name").Attr("x")), std::nullopt);
}

TEST(Value, TransformVisitsParentsFirstAndReplaces) {
  const Type t = Type::Object(
      {{"a", Type::String()}, {"l", Type::List(Type::String())}, {"s", Type::Set(Type::String())}});
  Value v = Obj(t, {{"a", Value::String("x")},
                    {"l", Value::List(Type::String(), {Value::String("y")})},
                    {"s", Value::Set(Type::String(), {Value::String("a"), Value::String("b")})}});
  std::vector<std::string> visited;
  Value out = v.Transform([&](const AttributePath& p, const Value& e) -> std::optional<Value> {
    visited.push_back(p.ToString());
    if (e.type() == Type::String() && e.IsKnown()) {
      return Value::String(e.AsString() == "a" ? "z" : e.AsString() + "!");
    }
    return std::nullopt;
  });
  EXPECT_EQ(visited, (std::vector<std::string>{"", "a", "l", "l[0]", "s", "s[0]", "s[1]"}));
  EXPECT_EQ(out.GetAttr("a"), Value::String("x!"));
  EXPECT_EQ(Strings(out.GetAttr("l")), (std::vector<std::string>{"y!"}));
  // Sets are put back into canonical order after the change.
  EXPECT_EQ(Strings(out.GetAttr("s")), (std::vector<std::string>{"b!", "z"}));
  EXPECT_EQ(out.type(), t);

  // A replacement's children are not visited.
  int calls = 0;
  Value nulled = v.Transform([&](const AttributePath& p, const Value&) -> std::optional<Value> {
    ++calls;
    if (p == AttributePath::Root("l")) return Value::Null(Type::List(Type::String()));
    return std::nullopt;
  });
  EXPECT_EQ(calls, 6);
  EXPECT_TRUE(nulled.GetAttr("l").IsNull());
}

TEST(Value, IsWhollyKnown) {
  const Type t = Type::Object({{"l", Type::List(Type::String())}});
  EXPECT_TRUE(Obj(t, {}).IsWhollyKnown());
  EXPECT_TRUE(Value::Null(t).IsWhollyKnown());
  EXPECT_FALSE(Value::Unknown(t).IsWhollyKnown());
  EXPECT_FALSE(Obj(t, {{"l", Value::List(Type::String(), {Value::Unknown(Type::String())})}})
                   .IsWhollyKnown());
}

// Regression: DebugString (and so Value::Set of objects) threw on strings
// that are not valid UTF-8, which the msgpack decoder may produce.
TEST(Value, DebugStringAcceptsInvalidUtf8) {
  Value s = Value::String("a\xff");
  EXPECT_NO_THROW(s.DebugString());
  const Type t = Type::Object({{"k", Type::String()}});
  Value set = Value::Set(
      t, {Obj(t, {{"k", Value::String("\xfe")}}), Obj(t, {{"k", Value::String("\xff")}})});
  EXPECT_EQ(set.Length(), 2u);
  Value map = Value::Map(Type::String(), {{"\xc3", Value::String("x")}});
  EXPECT_NO_THROW(map.DebugString());
}

TEST(Value, DebugString) {
  const Type t = Type::Object({{"a", Type::String()}, {"b", Type::Number()}});
  EXPECT_EQ(
      Obj(t, {{"a", Value::String("x")}, {"b", Value::Unknown(Type::Number())}}).DebugString(),
      R"({"a":"x","b":(unknown)})");
  EXPECT_EQ(Value::List(Type::Bool(), {Value::Bool(true), Value::Null(Type::Bool())}).DebugString(),
            "[true,null]");
}

// ----------------------------------------------------------------- Conform

TEST(Conform, ListAndTupleBecomeACanonicalSet) {
  const Type set = Type::Set(Type::String());
  auto got = Conform(
      Value::List(Type::String(), {Value::String("b"), Value::String("a"), Value::String("b")}),
      set);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->type(), set);
  EXPECT_EQ(Strings(*got), (std::vector<std::string>{"a", "b"}));

  got = Conform(Value::Tuple({Value::String("y"), Value::String("x")}), set);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(Strings(*got), (std::vector<std::string>{"x", "y"}));
}

TEST(Conform, RetypesNullAndUnknownAndConvertsCollections) {
  EXPECT_EQ(Conform(Value::Null(Type::Dynamic()), Type::String()).value(),
            Value::Null(Type::String()));
  EXPECT_EQ(Conform(Value::Unknown(Type::Dynamic()), Type::List(Type::Bool())).value(),
            Value::Unknown(Type::List(Type::Bool())));
  EXPECT_EQ(Conform(Value::String("x"), Type::Dynamic()).value(), Value::String("x"));

  Value set = Value::Set(Type::Number(), {Value::Num(2), Value::Num(1)});
  auto list = Conform(set, Type::List(Type::Number()));
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(*list, Value::List(Type::Number(), {Value::Num(1), Value::Num(2)}));

  const Type map = Type::Map(Type::String());
  auto m = Conform(Value::Object({{"k", Value::String("v")}}), map);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(*m, Value::Map(Type::String(), {{"k", Value::String("v")}}));

  const Type obj = Type::Object({{"k", Type::String()}, {"other", Type::Bool()}});
  auto o = Conform(Value::Map(Type::String(), {{"k", Value::String("v")}}), obj);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->type(), obj);
  EXPECT_TRUE(o->GetAttr("other").IsNull());
}

TEST(Conform, RejectsWhatDoesNotConform) {
  auto got = Conform(Value::Num(1), Type::String());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(), "string required, got number");
  got = Conform(Value::String("x"), Type::List(Type::String()));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(), "list of string required, got string");
  got = Conform(Value::List(Type::Number(), {Value::Num(1)}), Type::Set(Type::String()));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(), "string required, got number");
  got = Conform(Value::Tuple({Value::Num(1)}), Type::Tuple({Type::Number(), Type::Number()}));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(), "tuple length mismatch");
}

}  // namespace
}  // namespace pxc::schema
