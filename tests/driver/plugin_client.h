// The client side of go-plugin's launch protocol, behaving like Terraform
// core (hashicorp/go-plugin client.go with AutoMTLS): starts the provider
// binary with the magic cookie, the offered protocol versions, the port range
// and a freshly generated ECDSA P-521 client certificate in
// PLUGIN_CLIENT_CERT; reads exactly one handshake line
// CORE|APP|NETWORK|ADDR|PROTOCOL|CERT from stdout; connects over gRPC with
// the server certificate from the handshake as the only trusted root and the
// client certificate as identity; pings grpc.health.v1.Health for service
// "plugin"; and ends the plugin with plugin.GRPCController/Shutdown, killing
// it after 2 s as go-plugin does.
//
// Fault injection for negative tests: connect without a client certificate,
// with a different client certificate than the one announced, or pinning a
// different server certificate (LaunchOptions::connect, NewChannel).
//
// Thread-safety: after Launch, the stubs and channel may be used from several
// threads (gRPC stubs are thread-safe); Close must not race with RPCs.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "provider/proto/plugin.grpc.pb.h"
#include "provider/proto/tfplugin6.grpc.pb.h"
#include "schema/status.h"
#include "tests/driver/process.h"

namespace pxc::tfdriver {

inline constexpr char kMagicCookieKey[] = "TF_PLUGIN_MAGIC_COOKIE";
inline constexpr char kMagicCookieValue[] =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
inline constexpr int kMaxMessageBytes = 256 << 20;

// A PEM certificate and its private key.
struct TlsIdentity {
  std::string cert_pem;
  std::string key_pem;
};

// Generates an identity like go-plugin's generateCert (ECDSA P-521, CN and
// SAN localhost, usable as client and server certificate).
StatusOr<TlsIdentity> GenerateAutoMtlsIdentity();

// Decodes base64 with the standard alphabet and no padding, like Go's
// base64.RawStdEncoding.DecodeString: '\r' and '\n' are skipped, '=' and any
// other character outside the alphabet are errors, and so is a length that
// leaves a single dangling character. kInvalidArgument names the offset.
StatusOr<std::string> DecodeBase64RawStd(std::string_view text);
// Standard base64 with padding (used for private bytes in state files).
std::string EncodeBase64(std::string_view bytes);
StatusOr<std::string> DecodeBase64(std::string_view text);

// The parsed handshake line.
struct Handshake {
  std::string raw;  // the line as read (without '\n')
  int core_version = 0;
  int app_version = 0;
  std::string network;  // "unix" or "tcp"
  std::string address;
  std::string protocol;         // "grpc"
  std::string server_cert_der;  // empty: plaintext
};

// Parses a handshake line as go-plugin's client does (after TrimSpace):
// at least 4 '|'-separated fields; core version must be 1; the app version
// must be `want_app_version`; network unix or tcp; protocol (field 5,
// default netrpc) must be grpc; field 6 is a certificate only when longer
// than 50 characters, decoded with DecodeBase64RawStd. kInvalidArgument with
// go-plugin's wording otherwise.
StatusOr<Handshake> ParseHandshake(std::string_view line, int want_app_version = 6);

// How to dial the plugin. By default exactly like Terraform: the client
// identity that was announced in PLUGIN_CLIENT_CERT and the server
// certificate from the handshake as the only root.
struct ConnectOptions {
  enum class ClientCert { kAnnounced, kNone, kOther };
  ClientCert client_cert = ClientCert::kAnnounced;
  // Trust this PEM instead of the handshake's certificate (pin another cert).
  std::optional<std::string> pinned_server_pem;
  // Dial plaintext whatever the handshake says (debug/reattach mode).
  bool plaintext = false;
};

struct LaunchOptions {
  std::vector<std::string> args;           // extra arguments
  std::string protocol_versions = "6";     // PLUGIN_PROTOCOL_VERSIONS
  bool auto_mtls = true;                   // send PLUGIN_CLIENT_CERT
  bool magic_cookie = true;                // set TF_PLUGIN_MAGIC_COOKIE
  std::map<std::string, std::string> env;  // extra environment (overrides)
  std::vector<std::string> unset_env;
  std::string working_dir;  // the plugin's cwd; empty: ours
  std::chrono::milliseconds handshake_timeout{20000};
  ConnectOptions connect;
  // Ping health "plugin" after connecting and fail Launch unless SERVING.
  bool require_serving = true;
};

struct CloseResult {
  bool shutdown_rpc_ok = false;  // GRPCController/Shutdown answered OK
  bool graceful = false;         // exited by itself within 2 s
  ExitStatus status;
  std::chrono::milliseconds took{0};
  std::string ToString() const;
};

class PluginClient {
 public:
  // Starts `binary` and connects as described above. On failure the error
  // says what went wrong and, when the plugin printed anything, ends with its
  // stderr tail.
  static StatusOr<std::unique_ptr<PluginClient>> Launch(const std::string& binary,
                                                        const LaunchOptions& options = {});

  PluginClient(const PluginClient&) = delete;
  PluginClient& operator=(const PluginClient&) = delete;
  // Closes (Shutdown, then kill after 2 s) if not closed yet.
  ~PluginClient();

  const Handshake& handshake() const { return handshake_; }
  const TlsIdentity& client_identity() const { return client_identity_; }
  Process& process() { return *process_; }
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  tfplugin6::Provider::Stub& provider() { return *provider_; }
  plugin::GRPCController::Stub& controller() { return *controller_; }

  // grpc.health.v1.Health/Check for `service` on `channel` (default: ours).
  // Returns the serving status name ("SERVING", "NOT_SERVING", ...) or the
  // gRPC error as kUnavailable/kInternal with the gRPC code and message.
  StatusOr<std::string> HealthCheck(const std::string& service = "plugin",
                                    std::shared_ptr<grpc::Channel> channel = nullptr,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // Another channel to the same plugin with different connect options.
  StatusOr<std::shared_ptr<grpc::Channel>> NewChannel(const ConnectOptions& options) const;

  std::string Stderr() const { return process_->Stderr(); }
  std::string StderrTail(size_t bytes = 4000) const { return process_->StderrTail(bytes); }

  // Shutdown via GRPCController, close our connection (as go-plugin does),
  // wait up to 2 s for the process to exit, else SIGKILL. The stubs and
  // channel are gone afterwards. Idempotent: later calls return the first
  // result.
  CloseResult Close();
  bool closed() const { return close_result_.has_value(); }

 private:
  PluginClient() = default;

  std::unique_ptr<Process> process_;
  Handshake handshake_;
  TlsIdentity client_identity_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<tfplugin6::Provider::Stub> provider_;
  std::unique_ptr<plugin::GRPCController::Stub> controller_;
  std::optional<CloseResult> close_result_;
};

// Dials a plugin address. `server_cert_pem` empty means plaintext.
std::shared_ptr<grpc::Channel> DialPlugin(const std::string& network, const std::string& address,
                                          const std::string& server_cert_pem,
                                          const std::optional<TlsIdentity>& client_identity);

// A gRPC status as text: "UNAVAILABLE: failed to connect".
std::string GrpcStatusText(const grpc::Status& s);

}  // namespace pxc::tfdriver
