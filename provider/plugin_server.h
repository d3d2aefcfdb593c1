// The plugin process side of go-plugin's protocol, as Terraform core expects
// it: magic cookie check, protocol version negotiation, a Unix socket in a
// private temporary directory, AutoMTLS with an ephemeral server certificate
// pinned through the handshake line (the environment it reads and the line
// it prints: provider/handshake.h), the side services (health,
// GRPCController, GRPCStdio) and graceful shutdown.
#pragma once

#include <memory>
#include <string>

#include "provider/handshake.h"
#include "schema/resource.h"

namespace pxc::provider {

inline constexpr int kMaxMessageBytes = 256 << 20;

struct ServeOptions {
  // Serve standalone in plaintext and print TF_REATTACH_PROVIDERS instead of
  // the handshake line; runs until SIGINT/SIGTERM.
  bool debug = false;
  // Registry address used in the reattach JSON.
  std::string provider_address;
  // Once shut down, end the process at once (std::_Exit, after flushing
  // stdio) instead of returning and running destructors. main() sets it
  // except under sanitizers, whose leak checks run at a normal exit.
  bool exit_when_done = false;
};

// Serves until Terraform asks the plugin to shut down. Returns the process
// exit code. Writes nothing to stdout except the handshake line (or, with
// debug, the reattach instructions).
int Serve(std::shared_ptr<const schema::ProviderDefinition> def, const ServeOptions& options);

}  // namespace pxc::provider
