// The MySQL client/server protocol's STARTTLS, as pure functions: reading
// the server's initial handshake packet (protocol 10) and building the
// SSLRequest packet a client sends to switch the connection to TLS before
// it logs in. resources/tlsprobe/tls_probe.h does the socket part. Nothing
// here does I/O; every function accepts arbitrary bytes and never crashes.
//
// Packet framing: 3-byte little-endian payload length, 1-byte sequence id,
// payload. The server's greeting has sequence id 0; the SSLRequest is the
// client's first packet, sequence id 1.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "schema/status.h"

namespace pxc::resources::tlsprobe {

// Capability flags (include/mysql_com.h).
inline constexpr uint32_t kClientLongPassword = 0x00000001;
inline constexpr uint32_t kClientProtocol41 = 0x00000200;
inline constexpr uint32_t kClientSsl = 0x00000800;
inline constexpr uint32_t kClientSecureConnection = 0x00008000;
inline constexpr uint32_t kClientPluginAuth = 0x00080000;

// Largest packet the probe accepts from the server before TLS (a greeting is
// about 100 bytes; an error packet a few hundred).
inline constexpr std::size_t kMaxGreetingBytes = 4096;

struct PacketHeader {
  uint32_t length = 0;  // payload length
  uint8_t sequence = 0;
};

// The 4-byte header at the start of `bytes`; nullopt when fewer than 4 bytes.
std::optional<PacketHeader> ParsePacketHeader(std::string_view bytes);

// What the server's first packet says.
struct Greeting {
  uint8_t protocol_version = 0;  // 10
  std::string server_version;    // "10.11.6-MariaDB-0+deb12u1-log"
  uint32_t connection_id = 0;
  uint32_t capabilities = 0;  // lower and upper 16 bits
  uint8_t charset = 0;
  bool SupportsTls() const { return (capabilities & kClientSsl) != 0; }
};

// Parses the payload (without the header) of the server's first packet.
// Errors: an error packet (0xff) is kUnavailable with the server's message,
// e.g. "server refused the connection: 1129 Host '10.0.0.1' is blocked
// because of many connection errors"; a protocol other than 10, or a packet
// cut short, is kFailedPrecondition ("not a MySQL server greeting: ...").
StatusOr<Greeting> ParseGreeting(std::string_view payload);

// The SSLRequest packet, header included (36 bytes): the client's
// capabilities (protocol 4.1, secure connection, SSL, long password, plugin
// auth, each only when the server has it; SSL always), max packet size
// 16 MiB, the server's character set (utf8mb4 general, 45, when it sent
// none) and 23 zero bytes. Sequence id 1.
std::string BuildSslRequest(const Greeting& greeting);

}  // namespace pxc::resources::tlsprobe
