// The plugin process side of go-plugin's protocol, as Terraform core expects
// it: magic cookie check, protocol version negotiation, a Unix socket in a
// private temporary directory, AutoMTLS with an ephemeral server certificate
// pinned through the handshake line, the side services (health,
// GRPCController, GRPCStdio) and graceful shutdown.
#pragma once

#include <memory>
#include <string>

#include "schema/resource.h"

namespace pxc::provider {

inline constexpr char kMagicCookieKey[] = "TF_PLUGIN_MAGIC_COOKIE";
inline constexpr char kMagicCookieValue[] =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
inline constexpr int kProtocolVersion = 6;
inline constexpr int kMaxMessageBytes = 256 << 20;

struct ServeOptions {
  // Serve standalone in plaintext and print TF_REATTACH_PROVIDERS instead of
  // the handshake line; runs until SIGINT/SIGTERM.
  bool debug = false;
  // Registry address used in the reattach JSON.
  std::string provider_address;
};

// Serves until Terraform asks the plugin to shut down. Returns the process
// exit code. Writes nothing to stdout except the handshake line (or, with
// debug, the reattach instructions).
int Serve(std::shared_ptr<const schema::ProviderDefinition> def, const ServeOptions& options);

// Parses PLUGIN_PROTOCOL_VERSIONS ("5,6"). Returns true when 6 is offered or
// the variable is empty/unset (go-plugin then uses the plugin's version).
bool OffersProtocol6(const char* env_value);

// Builds the handshake line (without newline): 1|6|unix|<path>|grpc|<cert>.
std::string HandshakeLine(const std::string& socket_path, const std::string& cert_b64);

}  // namespace pxc::provider
