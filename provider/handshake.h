// The pure part of go-plugin's handshake on the plugin side: the environment
// Terraform sets for the plugin process (magic cookie, offered protocol
// versions, AutoMTLS client certificate, socket directory) and the handshake
// line the plugin prints. No I/O besides HandshakeEnv::FromProcess reading
// the environment; Serve (provider/plugin_server.h) does the rest. Fuzzed by
// tests/fuzz/handshake_fuzz.cc.
//
// Thread safety: every function is reentrant; FromProcess reads the process
// environment (getenv), which must not be modified concurrently.
#pragma once

#include <optional>
#include <string>

#include "schema/status.h"

namespace pxc::provider {

inline constexpr char kMagicCookieKey[] = "TF_PLUGIN_MAGIC_COOKIE";
inline constexpr char kMagicCookieValue[] =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
inline constexpr int kProtocolVersion = 6;

// The environment variables go-plugin's client (Terraform) sets for the
// plugin process, as Serve reads them. nullopt: the variable is unset.
struct HandshakeEnv {
  std::optional<std::string> magic_cookie;       // TF_PLUGIN_MAGIC_COOKIE
  std::optional<std::string> protocol_versions;  // PLUGIN_PROTOCOL_VERSIONS, e.g. "5,6"
  std::optional<std::string> client_cert;        // PLUGIN_CLIENT_CERT (PEM), AutoMTLS
  std::optional<std::string> unix_socket_dir;    // PLUGIN_UNIX_SOCKET_DIR
  std::optional<std::string> tmpdir;             // TMPDIR

  // Reads the variables from this process's environment.
  static HandshakeEnv FromProcess();
};

// What Serve does with a HandshakeEnv.
struct HandshakeSettings {
  // AutoMTLS: serve TLS and require client certificates that verify against
  // client_cert_pem. Set when PLUGIN_CLIENT_CERT is non-empty and not in
  // debug mode; otherwise the server is plaintext and client_cert_pem is "".
  bool tls = false;
  // PLUGIN_CLIENT_CERT verbatim; not parsed here (gRPC loads it as the only
  // trusted root for client certificates).
  std::string client_cert_pem;
  // mkdtemp template of the private socket directory:
  // "<base>/plugin-pxc-XXXXXX", base = the first non-empty of
  // PLUGIN_UNIX_SOCKET_DIR, TMPDIR, "/tmp".
  std::string socket_dir_template;
};

// Checks and interprets the handshake environment. Pure; accepts arbitrary
// strings. Unless `debug`: kFailedPrecondition when the magic cookie is
// missing or wrong (go-plugin's "This binary is a plugin..." text), or when
// PLUGIN_PROTOCOL_VERSIONS does not offer 6 (see OffersProtocol6; the message
// names the offered versions). Debug mode ignores the cookie, the versions
// and PLUGIN_CLIENT_CERT. Always: kInvalidArgument when the socket directory
// base contains '|', '\r' or '\n' (the socket path could not be carried by
// the handshake line). Messages are the exact text Serve prints to stderr
// (without the final newline).
StatusOr<HandshakeSettings> ParseHandshakeEnv(const HandshakeEnv& env, bool debug);

// Parses PLUGIN_PROTOCOL_VERSIONS ("5,6"). Returns true when 6 is offered or
// the variable is empty/unset (go-plugin then uses the plugin's version).
// Items are compared exactly, as go-plugin's strconv.Atoi would reject " 6".
bool OffersProtocol6(const char* env_value);

// Builds the handshake line (without newline): 1|6|unix|<path>|grpc|<cert>.
std::string HandshakeLine(const std::string& socket_path, const std::string& cert_b64);

}  // namespace pxc::provider
