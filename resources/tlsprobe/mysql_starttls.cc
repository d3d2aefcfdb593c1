#include "resources/tlsprobe/mysql_starttls.h"

#include <cstring>

namespace pxc::resources::tlsprobe {

namespace {

uint32_t Le(std::string_view b, std::size_t at, std::size_t n) {
  uint32_t v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    v |= static_cast<uint32_t>(static_cast<unsigned char>(b[at + i])) << (8 * i);
  }
  return v;
}

void PutLe(std::string& out, uint32_t v, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

Status NotAGreeting(const std::string& why) {
  std::string m = "not a MySQL server greeting: ";
  m.append(why);
  return FailedPreconditionError(std::move(m));
}

// Printable ASCII only, at most 200 bytes: a server's message in our own.
std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 200)) {
    out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  }
  return out;
}

}  // namespace

std::optional<PacketHeader> ParsePacketHeader(std::string_view bytes) {
  if (bytes.size() < 4) return std::nullopt;
  PacketHeader h;
  h.length = Le(bytes, 0, 3);
  h.sequence = static_cast<uint8_t>(bytes[3]);
  return h;
}

StatusOr<Greeting> ParseGreeting(std::string_view p) {
  if (p.empty()) return NotAGreeting("empty packet");
  const auto first = static_cast<unsigned char>(p[0]);
  if (first == 0xff) {
    // ERR packet: 0xff, 2-byte error code, then the message (a server that
    // refuses a host sends no SQL state marker here).
    std::string m = "server refused the connection";
    if (p.size() >= 3) {
      m.append(": ");
      m.append(std::to_string(Le(p, 1, 2)));
      std::string_view msg = p.substr(3);
      if (!msg.empty() && msg[0] == '#' && msg.size() >= 6) msg = msg.substr(6);
      if (!msg.empty()) {
        m.push_back(' ');
        m.append(Printable(msg));
      }
    }
    return UnavailableError(std::move(m));
  }
  if (first != 10) {
    std::string why = "protocol version ";
    why.append(std::to_string(first));
    why.append(" (expected 10)");
    return NotAGreeting(why);
  }
  Greeting g;
  g.protocol_version = 10;
  const std::size_t nul = p.find('\0', 1);
  if (nul == std::string_view::npos) return NotAGreeting("server version not terminated");
  g.server_version = Printable(p.substr(1, nul - 1));
  std::size_t at = nul + 1;
  // connection id (4), auth-plugin-data part 1 (8), filler (1), capability
  // flags lower (2).
  if (p.size() < at + 4 + 8 + 1 + 2) return NotAGreeting("packet cut short");
  g.connection_id = Le(p, at, 4);
  at += 4 + 8 + 1;
  g.capabilities = Le(p, at, 2);
  at += 2;
  // Optional: character set (1), status flags (2), capability flags upper (2).
  if (p.size() >= at + 1) g.charset = static_cast<uint8_t>(p[at]);
  if (p.size() >= at + 5) g.capabilities |= Le(p, at + 3, 2) << 16;
  return g;
}

std::string BuildSslRequest(const Greeting& greeting) {
  uint32_t caps = kClientSsl;
  for (uint32_t flag :
       {kClientLongPassword, kClientProtocol41, kClientSecureConnection, kClientPluginAuth}) {
    if (greeting.capabilities & flag) caps |= flag;
  }
  std::string payload;
  PutLe(payload, caps, 4);
  PutLe(payload, 16u << 20, 4);
  payload.push_back(static_cast<char>(greeting.charset != 0 ? greeting.charset : 45));
  payload.append(23, '\0');
  std::string out;
  PutLe(out, static_cast<uint32_t>(payload.size()), 3);
  out.push_back(1);
  out.append(payload);
  return out;
}

}  // namespace pxc::resources::tlsprobe
