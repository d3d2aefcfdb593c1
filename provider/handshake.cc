#include "provider/handshake.h"

#include <cstdlib>
#include <sstream>

namespace pxc::provider {

namespace {

std::optional<std::string> GetEnv(const char* name) {
  const char* v = std::getenv(name);
  if (!v) return std::nullopt;
  return std::string(v);
}

}  // namespace

bool OffersProtocol6(const char* env_value) {
  if (!env_value || !*env_value) return true;
  std::stringstream ss(env_value);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item == "6") return true;
  }
  return false;
}

HandshakeEnv HandshakeEnv::FromProcess() {
  return HandshakeEnv{GetEnv(kMagicCookieKey), GetEnv("PLUGIN_PROTOCOL_VERSIONS"),
                      GetEnv("PLUGIN_CLIENT_CERT"), GetEnv("PLUGIN_UNIX_SOCKET_DIR"),
                      GetEnv("TMPDIR")};
}

StatusOr<HandshakeSettings> ParseHandshakeEnv(const HandshakeEnv& env, bool debug) {
  if (!debug) {
    if (!env.magic_cookie || *env.magic_cookie != kMagicCookieValue) {
      return Status(StatusCode::kFailedPrecondition,
                    "This binary is a plugin. These are not meant to be executed directly.\n"
                    "Please execute the program that consumes these plugins, which will\n"
                    "load any plugins automatically");
    }
    const std::string versions = env.protocol_versions.value_or("");
    if (!OffersProtocol6(versions.c_str())) {
      return Status(StatusCode::kFailedPrecondition,
                    "terraform-provider-pxc speaks plugin protocol 6 only, but this Terraform "
                    "offers protocol versions " +
                        versions + ". Use Terraform 1.0 or newer (or OpenTofu).");
    }
  }
  HandshakeSettings out;
  if (!debug && env.client_cert && !env.client_cert->empty()) {
    out.tls = true;
    out.client_cert_pem = *env.client_cert;
  }
  std::string base = env.unix_socket_dir.value_or("");
  const char* from = "PLUGIN_UNIX_SOCKET_DIR";
  if (base.empty()) {
    base = env.tmpdir.value_or("");
    from = "TMPDIR";
  }
  if (base.empty()) base = "/tmp";
  // The socket path travels in the '|'-separated handshake line (and, in
  // debug mode, in a JSON string printed on one line).
  if (base.find_first_of("|\r\n") != std::string::npos) {
    return Status(StatusCode::kInvalidArgument,
                  std::string("terraform-provider-pxc: the socket directory in ") + from +
                      " contains '|' or a line break, which the plugin handshake line cannot "
                      "carry; point " +
                      from + " to another directory");
  }
  out.socket_dir_template = base + "/plugin-pxc-XXXXXX";
  return out;
}

std::string HandshakeLine(const std::string& socket_path, const std::string& cert_b64) {
  return "1|" + std::to_string(kProtocolVersion) + "|unix|" + socket_path + "|grpc|" + cert_b64;
}

}  // namespace pxc::provider
