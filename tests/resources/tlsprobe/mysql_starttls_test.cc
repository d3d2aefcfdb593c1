#include "resources/tlsprobe/mysql_starttls.h"

#include <gtest/gtest.h>

#include <string>

namespace pxc::resources::tlsprobe {
namespace {

// A protocol-10 greeting payload as MariaDB 10.11 sends it.
std::string Greeting10(uint32_t caps, uint8_t charset = 45) {
  std::string p;
  p.push_back(10);
  p.append("10.11.6-MariaDB-0+deb12u1");
  p.push_back('\0');
  p.append(std::string("\x2a\x00\x00\x00", 4));  // connection id 42
  p.append("abcdefgh");                          // auth data part 1
  p.push_back('\0');
  p.push_back(static_cast<char>(caps & 0xff));
  p.push_back(static_cast<char>((caps >> 8) & 0xff));
  p.push_back(static_cast<char>(charset));
  p.append(std::string("\x02\x00", 2));  // status
  p.push_back(static_cast<char>((caps >> 16) & 0xff));
  p.push_back(static_cast<char>((caps >> 24) & 0xff));
  p.push_back(21);
  p.append(std::string(10, '\0'));
  p.append("ijklmnopqrst");
  p.push_back('\0');
  p.append("mysql_native_password");
  p.push_back('\0');
  return p;
}

TEST(MysqlStartTls, ParsesAGreetingWithTls) {
  const uint32_t caps = kClientLongPassword | kClientProtocol41 | kClientSsl |
                        kClientSecureConnection | kClientPluginAuth;
  auto g = ParseGreeting(Greeting10(caps));
  ASSERT_TRUE(g.ok()) << g.status().message();
  EXPECT_EQ(g->protocol_version, 10);
  EXPECT_EQ(g->server_version, "10.11.6-MariaDB-0+deb12u1");
  EXPECT_EQ(g->connection_id, 42u);
  EXPECT_EQ(g->capabilities, caps);
  EXPECT_EQ(g->charset, 45);
  EXPECT_TRUE(g->SupportsTls());
}

TEST(MysqlStartTls, GreetingWithoutSslFlagOffersNoTls) {
  auto g = ParseGreeting(Greeting10(kClientProtocol41 | kClientSecureConnection));
  ASSERT_TRUE(g.ok());
  EXPECT_FALSE(g->SupportsTls());
}

TEST(MysqlStartTls, ErrorPacketIsUnavailableWithTheServersMessage) {
  std::string p("\xff\x69\x04", 3);  // 1129
  p.append("Host '10.0.0.1' is blocked because of many connection errors");
  auto g = ParseGreeting(p);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(g.status().message(),
            "server refused the connection: 1129 Host '10.0.0.1' is blocked because of many "
            "connection errors");
}

TEST(MysqlStartTls, RefusesWhatIsNotAGreeting) {
  struct Case {
    std::string payload, want;
  } cases[] = {
      {"", "not a MySQL server greeting: empty packet"},
      {std::string("\x09", 1) + "5.0",
       "not a MySQL server greeting: protocol version 9 (expected 10)"},
      {std::string("\x0a", 1) + "no terminator",
       "not a MySQL server greeting: server version not terminated"},
      {std::string("\x0a", 1) + "8.0" + std::string(1, '\0') + "abc",
       "not a MySQL server greeting: packet cut short"},
      // TLS alert bytes, as a TLS server answers a connection: not MySQL.
      {std::string("\x15\x03\x03\x00\x02", 5),
       "not a MySQL server greeting: protocol version 21 (expected 10)"},
  };
  for (const auto& c : cases) {
    auto g = ParseGreeting(c.payload);
    ASSERT_FALSE(g.ok());
    EXPECT_EQ(g.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(g.status().message(), c.want);
  }
}

TEST(MysqlStartTls, GreetingWithoutOptionalTailKeepsLowerCapabilities) {
  std::string p = Greeting10(kClientSsl | kClientProtocol41);
  // Cut after the lower capability flags (protocol 10 allows it).
  p.resize(1 + std::string("10.11.6-MariaDB-0+deb12u1").size() + 1 + 4 + 8 + 1 + 2);
  auto g = ParseGreeting(p);
  ASSERT_TRUE(g.ok()) << g.status().message();
  EXPECT_EQ(g->capabilities, kClientSsl | kClientProtocol41);
  EXPECT_EQ(g->charset, 0);
}

TEST(MysqlStartTls, SslRequestIsThirtySixBytesWithSequenceOne) {
  Greeting g;
  g.capabilities = kClientLongPassword | kClientProtocol41 | kClientSsl | kClientSecureConnection |
                   kClientPluginAuth | 0x00100000 /* not asked for */;
  g.charset = 33;
  const std::string p = BuildSslRequest(g);
  ASSERT_EQ(p.size(), 36u);
  auto h = ParsePacketHeader(p);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->length, 32u);
  EXPECT_EQ(h->sequence, 1);
  const auto byte = [&](size_t i) {
    return static_cast<uint32_t>(static_cast<unsigned char>(p[i]));
  };
  const uint32_t caps = byte(4) | byte(5) << 8 | byte(6) << 16 | byte(7) << 24;
  EXPECT_EQ(caps, kClientLongPassword | kClientProtocol41 | kClientSsl | kClientSecureConnection |
                      kClientPluginAuth);
  const uint32_t max_packet = byte(8) | byte(9) << 8 | byte(10) << 16 | byte(11) << 24;
  EXPECT_EQ(max_packet, 16u << 20);
  EXPECT_EQ(byte(12), 33u);
  EXPECT_EQ(p.substr(13), std::string(23, '\0'));
}

TEST(MysqlStartTls, SslRequestAsksForTlsEvenWithFewCapabilities) {
  Greeting g;  // no capabilities, no charset
  const std::string p = BuildSslRequest(g);
  ASSERT_EQ(p.size(), 36u);
  EXPECT_EQ(static_cast<unsigned char>(p[4]), 0x00);
  EXPECT_EQ(static_cast<unsigned char>(p[5]), 0x08);  // CLIENT_SSL
  EXPECT_EQ(static_cast<unsigned char>(p[12]), 45);   // utf8mb4_general_ci
}

TEST(MysqlStartTls, PacketHeader) {
  EXPECT_FALSE(ParsePacketHeader("abc"));
  auto h = ParsePacketHeader(std::string("\x4a\x00\x01\x00", 4));
  ASSERT_TRUE(h);
  EXPECT_EQ(h->length, 0x1004au);
  EXPECT_EQ(h->sequence, 0);
}

}  // namespace
}  // namespace pxc::resources::tlsprobe
