// schema/text.h: base64 (padded and Go's raw encoding), hex, UTF-8, joins and
// wiping, against known values and an independent decoder.
#include "schema/text.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace pxc {
namespace {

TEST(Text, Base64KnownValues) {
  // RFC 4648 section 10, and bytes above 0x7f.
  const std::vector<std::pair<std::string, std::string>> known = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
      {"\xff\xfe\xfd", "//79"},
  };
  for (const auto& [bytes, padded] : known) {
    EXPECT_EQ(Base64Encode(bytes), padded);
    EXPECT_EQ(Base64Decode(padded), bytes) << padded;
    std::string raw = padded.substr(0, padded.find('='));
    EXPECT_EQ(Base64Encode(bytes, Base64Padding::kUnpadded), raw);
    EXPECT_EQ(Base64Decode(raw, Base64Padding::kUnpadded), bytes) << raw;
  }
}

TEST(Text, Base64RoundTripsEveryLength) {
  std::string bytes;
  for (int i = 0; i < 70; ++i) {
    EXPECT_EQ(Base64Decode(Base64Encode(bytes)), bytes) << i;
    const std::string raw = Base64Encode(bytes, Base64Padding::kUnpadded);
    EXPECT_EQ(raw, Base64Encode(bytes).substr(0, raw.size())) << i;
    EXPECT_EQ(Base64Decode(raw, Base64Padding::kUnpadded), bytes) << i;
    bytes.push_back(static_cast<char>(i * 37 + 11));
  }
}

TEST(Text, Base64RefusesWhatIsNotStrictlyBase64) {
  for (const char* bad : {"Zg", "Zg=", "Z===", "Zm9v=", "Zm=v", "Zm9v\n", "Zm9!", "=Zm9"}) {
    EXPECT_EQ(Base64Decode(bad), std::nullopt) << bad;
  }
  // Go's RawStdEncoding: no '=', no dangling single character.
  for (const char* bad : {"QUJD=", "Q", "QUJDR", "Zg==", "Zm 9"}) {
    EXPECT_EQ(Base64Decode(bad, Base64Padding::kUnpadded), std::nullopt) << bad;
  }
  EXPECT_EQ(Base64Decode("QUJDRA", Base64Padding::kUnpadded), "ABCD");
}

TEST(Text, HexIsLowercaseTwoDigitsPerByte) {
  EXPECT_EQ(HexEncode(""), "");
  EXPECT_EQ(HexEncode(std::string("\x00\x0f\xa0\xff", 4)), "000fa0ff");
}

TEST(Text, Utf8FollowsTheUnicodeTable) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8(std::string("a\0b", 3)));
  EXPECT_TRUE(IsValidUtf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));  // é € 😀
  for (const char* bad : {"\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xC3",
                          "\x80", "\xF8\x88\x80\x80\x80", "\xFF"}) {
    EXPECT_FALSE(IsValidUtf8(bad)) << HexEncode(bad);
  }
  EXPECT_EQ(Utf8SequenceLength("\xF0\x9F\x98\x80", 0), 4u);
  EXPECT_EQ(Utf8SequenceLength("a", 1), 0u);
  for (uint32_t cp : {0x41u, 0xE9u, 0x20ACu, 0x1F600u, 0x10FFFFu}) {
    std::string s;
    AppendUtf8(cp, s);
    EXPECT_TRUE(IsValidUtf8(s)) << cp;
    EXPECT_EQ(Utf8SequenceLength(s, 0), s.size()) << cp;
  }
}

TEST(Text, DoubleQuoted) {
  EXPECT_EQ(DoubleQuoted(""), "\"\"");
  EXPECT_EQ(DoubleQuoted("/etc/my cnf"), "\"/etc/my cnf\"");
  EXPECT_EQ(DoubleQuoted(std::string_view("a\0b", 3)), std::string("\"a\0b\"", 5));
}

TEST(Text, CaseJoinAndWipe) {
  EXPECT_EQ(AsciiLower("SeLeCt \xC3\x89"), "select \xC3\x89");
  EXPECT_EQ(AsciiUpper("grant all"), "GRANT ALL");
  EXPECT_EQ(Join({}, ", "), "");
  EXPECT_EQ(Join({"a", "b", "c"}, ", "), "a, b, c");
  std::string secret = "-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----\n";
  WipeString(&secret);
  EXPECT_TRUE(secret.empty());
  WipeString(nullptr);  // no-op
}

}  // namespace
}  // namespace pxc
