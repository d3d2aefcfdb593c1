// Small text helpers every layer of pxc uses: base64, hex, UTF-8 checks,
// ASCII case, joining, and wiping secrets held in strings. One home for
// them, so that each is written (and tested) once.
//
// Thread safety: all functions are pure and reentrant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pxc {

// Base64 with the standard alphabet (RFC 4648 section 4), without line
// breaks. kUnpadded is Go's base64.RawStdEncoding (go-plugin's handshake).
enum class Base64Padding { kPadded, kUnpadded };

std::string Base64Encode(std::string_view bytes, Base64Padding padding = Base64Padding::kPadded);

// Strict decoding: only alphabet bytes. kPadded: a length that is a multiple
// of 4, with at most two '=' at the very end. kUnpadded: no '=' at all and a
// length that is not 1 more than a multiple of 4. nullopt otherwise. Unused
// bits of the last character are ignored (as Go and OpenSSL do).
std::optional<std::string> Base64Decode(std::string_view text,
                                        Base64Padding padding = Base64Padding::kPadded);

// Lowercase hex, two digits per byte.
std::string HexEncode(std::string_view bytes);

// Length of the well-formed UTF-8 sequence that starts at s[i] (1 to 4), or
// 0 when the bytes there are not one (Unicode 15, table 3-7: no overlong
// forms, no surrogates, nothing above U+10FFFF) or i is past the end.
size_t Utf8SequenceLength(std::string_view s, size_t i);

// True when all of `s` is well-formed UTF-8 (NUL bytes are well-formed).
bool IsValidUtf8(std::string_view s);

// Appends `code_point` (at most U+10FFFF) encoded as UTF-8.
void AppendUtf8(uint32_t code_point, std::string& out);

// ASCII-only case mapping; other bytes are kept.
std::string AsciiLower(std::string_view s);
std::string AsciiUpper(std::string_view s);

// "\"" + s + "\"", built by appending: GCC 12 at -O3 reports a false
// -Wrestrict inside std::string for `"\"" + std::string(s) + ...`.
std::string DoubleQuoted(std::string_view s);

// parts[0] + sep + parts[1] + ...; "" for no parts.
std::string Join(const std::vector<std::string>& parts, std::string_view sep);

// Overwrites every byte `*s` holds, up to its capacity (bytes left over from
// earlier, longer contents included), in a way the compiler may not elide,
// then clears it. For strings that held a private key or a password. Null
// is a no-op.
void WipeString(std::string* s);

}  // namespace pxc
