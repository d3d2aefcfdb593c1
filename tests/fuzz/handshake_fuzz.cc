// libFuzzer target: the go-plugin handshake environment as the plugin reads
// it (provider/plugin_server.h: ParseHandshakeEnv, OffersProtocol6,
// HandshakeLine).
//
// Input: a flags byte, then the values of TF_PLUGIN_MAGIC_COOKIE,
// PLUGIN_PROTOCOL_VERSIONS, PLUGIN_CLIENT_CERT, PLUGIN_UNIX_SOCKET_DIR and
// TMPDIR separated by NUL bytes (environment values cannot contain NUL).
// Flags: bit 0 debug mode, bits 1..5 the variable is set (else unset), bit 6
// use the real magic cookie instead of the given one.
//
// Properties (abort on violation): the result is exactly what the contract in
// plugin_server.h says for these variables (accepted iff debug or the right
// cookie with protocol 6 offered; TLS iff a client certificate is given
// outside debug mode; the socket directory under the first non-empty base),
// and whenever it is accepted the handshake line built from the socket path
// is one line of exactly six '|'-separated fields, as go-plugin's client
// splits it.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "provider/plugin_server.h"

using pxc::provider::HandshakeEnv;

namespace {

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

std::vector<std::string> Split(std::string_view in, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t pos = in.find(sep, start);
    if (pos == std::string_view::npos) {
      out.emplace_back(in.substr(start));
      return out;
    }
    out.emplace_back(in.substr(start, pos - start));
    start = pos + 1;
  }
}

bool Offers6(const std::string& versions) {
  if (versions.empty()) return true;
  for (const std::string& item : Split(versions, ',')) {
    if (item == "6") return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t flags = data[0];
  std::vector<std::string> fields =
      Split(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1), '\0');
  fields.resize(5);
  std::optional<std::string> v[5];
  for (int i = 0; i < 5; ++i) {
    if (flags & (1u << (i + 1))) v[i] = fields[i];
  }
  if (flags & 0x40) v[0] = pxc::provider::kMagicCookieValue;
  const bool debug = flags & 1;
  const HandshakeEnv env{v[0], v[1], v[2], v[3], v[4]};

  auto got = pxc::provider::ParseHandshakeEnv(env, debug);
  Check(pxc::provider::OffersProtocol6(v[1] ? v[1]->c_str() : nullptr) ==
        Offers6(v[1].value_or("")));

  const bool cookie_ok = v[0] == std::string(pxc::provider::kMagicCookieValue);
  const bool want_ok = debug || (cookie_ok && Offers6(v[1].value_or("")));
  std::string base = v[3].value_or("");
  if (base.empty()) base = v[4].value_or("");
  if (base.empty()) base = "/tmp";
  const bool base_ok = base.find_first_of("|\r\n") == std::string::npos;
  if (!got.ok()) {
    Check(!want_ok || !base_ok);
    Check(!got.status().message().empty());
    return 0;
  }
  Check(want_ok);
  Check(base_ok);
  const bool want_tls = !debug && v[2] && !v[2]->empty();
  Check(got->tls == want_tls);
  Check(got->client_cert_pem == (want_tls ? *v[2] : ""));
  Check(got->socket_dir_template == base + "/plugin-pxc-XXXXXX");

  // mkdtemp replaces the X's with letters and digits; Serve adds the socket.
  std::string path = got->socket_dir_template;
  path.replace(path.size() - 6, 6, "a1B2c3");
  path += "/plugin.sock";
  const std::string line = pxc::provider::HandshakeLine(path, "MIIBcert");
  Check(line.find_first_of("\r\n") == std::string::npos);
  const std::vector<std::string> parts = Split(line, '|');
  Check(parts.size() == 6);
  Check(parts[3] == path);
  return 0;
}
