// The JSON encoding of cty values (go-cty's cty/json), used for
// DynamicValue.json and for the raw state that UpgradeResourceState receives.
// JSON cannot represent unknown values.
//
// Encoding: null is null; bools, strings and numbers are JSON scalars (numbers
// in plain decimal, big decimals written exactly as held); lists, sets and
// tuples are arrays; maps and objects are objects with sorted keys, objects
// carrying every attribute; a value in a dynamic-typed slot whose own type is
// concrete is {"value": <value>, "type": <type JSON>}.
//
// Decoding follows go-cty: a number may be given as a JSON number or as a
// string holding a decimal; a string may be given as a number (its text) or
// a bool; a bool may be given as "true"/"false"/"1"/"0"; an object attribute
// missing from the JSON is null; an attribute the type does not have is an
// error. The parser is strict RFC 8259 (no comments, no trailing commas),
// replaces invalid UTF-8 and lone surrogates with U+FFFD as Go does, keeps the
// exact text of every number, and limits nesting to kMaxCodecDepth (msgpack.h).
//
// Stateless and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "schema/path.h"
#include "schema/status.h"
#include "schema/type.h"
#include "schema/value.h"

namespace pxc::schema {

// Encodes a wholly known `v` as JSON text of `type` (converted with Conform
// first when v's type differs). Returns InvalidArgument naming the attribute
// path for an unknown value anywhere inside, a value that does not conform to
// the type, or a number JSON cannot hold (infinity, NaN).
StatusOr<std::string> EncodeJson(const Value& v, const Type& type);

// Decodes JSON text as a value of `type` (DynamicValue.json, raw state).
// Object attributes missing from the JSON are null; unsupported attributes,
// syntax errors, type mismatches, trailing data and excessive nesting are
// InvalidArgument "at <path>: <what>".
StatusOr<Value> DecodeJson(std::string_view json, const Type& type);

// As DecodeJson, but object attributes the type does not have (at any depth)
// are skipped instead of rejected, for reading state written under an older
// schema. Each skipped attribute's path (AttributePath::ToString form, e.g.
// "old_flag" or "grants[0].old_flag") is appended to `*dropped` when
// `dropped` is not null. Type mismatches are still errors.
StatusOr<Value> DecodeJsonLenient(std::string_view json, const Type& type,
                                  std::vector<std::string>* dropped);

// ---- Helpers shared by the codecs.

// `s` as a JSON string literal, escaped as Go's encoding/json does (also
// <, >, & and U+2028/U+2029); invalid UTF-8 becomes U+FFFD.
std::string JsonQuote(std::string_view s);

// Terraform's rendering of a value path in messages: `.grants[0].on`,
// `.tags["env"]`; empty for the root.
std::string FormatValuePath(const AttributePath& path);

// The decimal text of `n` as a valid JSON number token, as go-cty writes it:
// integers in full, doubles in the shortest plain (non-exponent) decimal that
// reads back exactly, big decimals verbatim when their text is a JSON number
// (else rewritten with no redundant leading zeros and a digit on both sides
// of the '.'). Precondition:
// `n` is finite (a double may be +/-infinity; the caller must reject that).
std::string NumberToJsonText(const Number& n);

// Parses type JSON (as Type::FromJsonString) with the nesting limit of the
// codecs, so hostile type JSON inside a dynamic value cannot exhaust the
// stack. Returns InvalidArgument for invalid JSON or an invalid type.
StatusOr<Type> ParseTypeJson(std::string_view text);

}  // namespace pxc::schema
