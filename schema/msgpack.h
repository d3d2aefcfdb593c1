// The msgpack encoding of cty values, as Terraform sends and expects them in
// DynamicValue.msgpack (see hashicorp/terraform
// docs/plugin-protocol/object-wire-format.md and go-cty's cty/msgpack). The
// encoder writes the same bytes go-cty writes; the decoder accepts anything
// go-cty writes and is hardened against hostile input (it is fuzzed).
//
// Wire rules, in short:
//  - null is nil (c0) at any type; a wholly unknown value is the fixext1
//    extension `d4 00 00`; any extension value (including type 12, a refined
//    unknown) decodes as a plain unknown of the expected type;
//  - numbers are the most compact int when the number is an exact int64, a
//    float64 when it is an exact double (also +/-infinity), else a decimal
//    string;
//  - lists, sets and tuples are arrays (sets in the Value's canonical order);
//    maps are maps with sorted string keys; objects are maps carrying every
//    attribute of the type, keys sorted by name;
//  - a value in a dynamic-typed slot whose own type is concrete is the
//    2-element array [type JSON as bin bytes, value encoded with that type];
//    a null or unknown of dynamic type itself is just c0 or d4 00 00.
//
// Stateless and thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "schema/status.h"
#include "schema/type.h"
#include "schema/value.h"

namespace pxc::schema {

// Nesting limit (containers plus dynamic wrappers) both codecs enforce.
inline constexpr int kMaxCodecDepth = 128;

// Encodes `v` as a value of `type`. When v's type differs from `type` it is
// first converted with Conform (null/unknown retyping, list to set, object
// attribute types...). Unknown values (at any depth) encode as `d4 00 00`,
// nulls as c0. Returns InvalidArgument, naming the attribute path, when the
// value does not conform to the type or holds a NaN.
StatusOr<std::string> EncodeMsgpack(const Value& v, const Type& type);

// Decodes msgpack `bytes` as a value of `type`. Objects must carry exactly the
// type's attributes; a value in a dynamic slot gets the concrete type named by
// its wrapper. Extension values become unknowns (refinements are dropped).
// Returns InvalidArgument "at <path>: <what>" for malformed or truncated
// input, a type mismatch, a missing, unsupported or duplicate object
// attribute, trailing bytes after the value, or nesting deeper than
// kMaxCodecDepth. Never allocates more than the input size warrants.
StatusOr<Value> DecodeMsgpack(std::string_view bytes, const Type& type);

}  // namespace pxc::schema
