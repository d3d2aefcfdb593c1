#include "tests/driver/plugin_client.h"

#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "provider/auto_mtls.h"
#include "resources/pki/x509.h"
#include "schema/text.h"
#include "tests/driver/health.grpc.pb.h"

namespace pxc::tfdriver {

namespace {

std::string WithStderr(const std::string& message, const Process& p) {
  std::string tail = p.StderrTail(3000);
  if (tail.empty()) return message;
  return message + "\n--- plugin stderr (tail) ---\n" + tail;
}

}  // namespace

StatusOr<TlsIdentity> GenerateAutoMtlsIdentity() {
  auto id = provider::MakeAutoMtlsIdentity(provider::AutoMtlsKey::kP521);
  if (!id.ok()) return id.status();
  return TlsIdentity{id->cert_pem, id->key_pem};
}

StatusOr<std::string> DecodeBase64RawStd(std::string_view text) {
  std::string clean;
  for (char c : text) {
    if (c != '\r' && c != '\n') clean.push_back(c);
  }
  auto out = Base64Decode(clean, Base64Padding::kUnpadded);
  if (!out) {
    return InvalidArgumentError("illegal base64 data (" + std::to_string(text.size()) +
                                " bytes of unpadded base64 expected)");
  }
  return *std::move(out);
}

std::string EncodeBase64(std::string_view bytes) { return Base64Encode(bytes); }

StatusOr<std::string> DecodeBase64(std::string_view text) {
  auto out = Base64Decode(text);
  if (!out) {
    return InvalidArgumentError("invalid padded base64 (length " + std::to_string(text.size()) +
                                ")");
  }
  return *std::move(out);
}

StatusOr<Handshake> ParseHandshake(std::string_view line_in, int want_app_version) {
  Handshake h;
  h.raw = std::string(line_in);
  // strings.TrimSpace
  std::string line(line_in);
  const char* ws = " \t\r\n\v\f";
  line.erase(0, line.find_first_not_of(ws) == std::string::npos ? line.size()
                                                                : line.find_first_not_of(ws));
  line.erase(line.find_last_not_of(ws) + 1);
  std::vector<std::string> parts;
  {
    size_t start = 0;
    for (;;) {
      size_t bar = line.find('|', start);
      parts.push_back(
          line.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
      if (bar == std::string::npos) break;
      start = bar + 1;
    }
  }
  if (parts.size() < 4) {
    return InvalidArgumentError("Unrecognized remote plugin message: " + line);
  }
  auto parse_int = [](const std::string& s, int* out) {
    if (s.empty() || s.size() > 9) return false;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
    }
    *out = std::atoi(s.c_str());
    return true;
  };
  if (!parse_int(parts[0], &h.core_version) || h.core_version != 1) {
    return InvalidArgumentError("Incompatible core API version with plugin. Plugin version: " +
                                parts[0] + ", Core version: 1");
  }
  if (!parse_int(parts[1], &h.app_version) || h.app_version != want_app_version) {
    return InvalidArgumentError(
        "Incompatible API version with plugin. Plugin version: " + parts[1] +
        ", Client versions: [" + std::to_string(want_app_version) + "]");
  }
  h.network = parts[2];
  h.address = parts[3];
  if (h.network != "unix" && h.network != "tcp") {
    return InvalidArgumentError("Unknown address type: " + h.address);
  }
  if (h.address.empty()) return InvalidArgumentError("empty plugin address");
  h.protocol = parts.size() >= 5 ? parts[4] : "netrpc";
  if (h.protocol != "grpc") {
    return InvalidArgumentError("Unsupported plugin protocol \"" + h.protocol +
                                "\". Supported: [grpc]");
  }
  if (parts.size() >= 6 && parts[5].size() > 50) {
    auto der = DecodeBase64RawStd(parts[5]);
    if (!der.ok())
      return InvalidArgumentError("error parsing server cert: " + der.status().message());
    auto cert = resources::Certificate::FromDer(*der);
    if (!cert.ok()) {
      return InvalidArgumentError("error parsing server cert: " + cert.status().message());
    }
    h.server_cert_der = *der;
  }
  return h;
}

std::string GrpcStatusText(const grpc::Status& s) {
  static const char* const kNames[] = {"OK",
                                       "CANCELLED",
                                       "UNKNOWN",
                                       "INVALID_ARGUMENT",
                                       "DEADLINE_EXCEEDED",
                                       "NOT_FOUND",
                                       "ALREADY_EXISTS",
                                       "PERMISSION_DENIED",
                                       "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION",
                                       "ABORTED",
                                       "OUT_OF_RANGE",
                                       "UNIMPLEMENTED",
                                       "INTERNAL",
                                       "UNAVAILABLE",
                                       "DATA_LOSS",
                                       "UNAUTHENTICATED"};
  int code = static_cast<int>(s.error_code());
  std::string name = (code >= 0 && code <= 16) ? kNames[code] : std::to_string(code);
  return s.error_message().empty() ? name : name + ": " + s.error_message();
}

std::string CloseResult::ToString() const {
  std::ostringstream os;
  os << (graceful ? "exited gracefully" : "killed after the 2 s grace period") << " ("
     << status.ToString() << ", Shutdown RPC " << (shutdown_rpc_ok ? "ok" : "failed") << ", "
     << took.count() << " ms)";
  return os.str();
}

std::shared_ptr<grpc::Channel> DialPlugin(const std::string& network, const std::string& address,
                                          const std::string& server_cert_pem,
                                          const std::optional<TlsIdentity>& client_identity) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxMessageBytes);
  args.SetMaxSendMessageSize(kMaxMessageBytes);
  // Each dial gets its own connection (no subchannel sharing between test
  // channels with different identities).
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  std::string target = network == "unix" ? "unix:" + address : address;
  std::shared_ptr<grpc::ChannelCredentials> creds;
  if (server_cert_pem.empty()) {
    creds = grpc::InsecureChannelCredentials();
  } else {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = server_cert_pem;
    if (client_identity) {
      ssl.pem_private_key = client_identity->key_pem;
      ssl.pem_cert_chain = client_identity->cert_pem;
    }
    creds = grpc::SslCredentials(ssl);
    args.SetSslTargetNameOverride("localhost");
  }
  return grpc::CreateCustomChannel(target, creds, args);
}

StatusOr<std::unique_ptr<PluginClient>> PluginClient::Launch(const std::string& binary,
                                                             const LaunchOptions& options) {
  std::unique_ptr<PluginClient> c(new PluginClient());
  SpawnOptions spawn;
  // The plugin may run in another working directory: resolve the path here.
  std::error_code ec;
  std::string path = binary.find('/') == std::string::npos
                         ? binary
                         : std::filesystem::absolute(binary, ec).string();
  spawn.argv.push_back(path);
  for (const auto& a : options.args) spawn.argv.push_back(a);
  spawn.unset_env = options.unset_env;
  spawn.unset_env.push_back("PLUGIN_CLIENT_CERT");
  if (options.magic_cookie) {
    spawn.env[kMagicCookieKey] = kMagicCookieValue;
  } else {
    spawn.unset_env.push_back(kMagicCookieKey);
  }
  spawn.env["PLUGIN_PROTOCOL_VERSIONS"] = options.protocol_versions;
  spawn.env["PLUGIN_MIN_PORT"] = "10000";
  spawn.env["PLUGIN_MAX_PORT"] = "25000";
  if (options.auto_mtls) {
    auto id = GenerateAutoMtlsIdentity();
    if (!id.ok()) return id.status().WithContext("generating the client certificate");
    c->client_identity_ = *id;
    spawn.env["PLUGIN_CLIENT_CERT"] = c->client_identity_.cert_pem;
  }
  for (const auto& [k, v] : options.env) spawn.env[k] = v;
  spawn.working_dir = options.working_dir;

  auto proc = Process::Spawn(spawn);
  if (!proc.ok()) return proc.status();
  c->process_ = *std::move(proc);
  Process& p = *c->process_;

  auto line = p.ReadLine(options.handshake_timeout);
  if (!line) {
    if (auto st = p.WaitDone(std::chrono::milliseconds(500))) {
      return FailedPreconditionError(
          WithStderr("plugin exited before completing the handshake (" + st->ToString() + ")", p));
    }
    p.Kill();
    return DeadlineExceededError(
        WithStderr("timeout while waiting for plugin to start (no handshake line after " +
                       std::to_string(options.handshake_timeout.count()) + " ms)",
                   p));
  }
  auto hs = ParseHandshake(*line);
  if (!hs.ok()) return InvalidArgumentError(WithStderr(hs.status().message(), p));
  c->handshake_ = *hs;
  if (options.auto_mtls && c->handshake_.server_cert_der.empty() && !options.connect.plaintext) {
    return FailedPreconditionError(WithStderr(
        "the client sent PLUGIN_CLIENT_CERT (AutoMTLS) but the plugin's handshake carries no "
        "server certificate: \"" +
            *line + "\"",
        p));
  }

  auto channel = c->NewChannel(options.connect);
  if (!channel.ok()) return channel.status();
  c->channel_ = *channel;
  c->provider_ = tfplugin6::Provider::NewStub(c->channel_);
  c->controller_ = plugin::GRPCController::NewStub(c->channel_);

  if (options.require_serving) {
    auto health = c->HealthCheck("plugin");
    if (!health.ok() || *health != "SERVING") {
      std::string what = health.ok() ? *health : health.status().message();
      c->Close();
      return UnavailableError(WithStderr("plugin health check failed: " + what, p));
    }
  }
  return c;
}

StatusOr<std::shared_ptr<grpc::Channel>> PluginClient::NewChannel(
    const ConnectOptions& options) const {
  if (options.plaintext || handshake_.server_cert_der.empty()) {
    return DialPlugin(handshake_.network, handshake_.address, "", std::nullopt);
  }
  std::string server_pem;
  if (options.pinned_server_pem) {
    server_pem = *options.pinned_server_pem;
  } else {
    auto cert = resources::Certificate::FromDer(handshake_.server_cert_der);
    if (!cert.ok()) return cert.status();
    server_pem = cert->ToPem();
  }
  std::optional<TlsIdentity> identity;
  switch (options.client_cert) {
    case ConnectOptions::ClientCert::kAnnounced:
      if (!client_identity_.cert_pem.empty()) identity = client_identity_;
      break;
    case ConnectOptions::ClientCert::kNone:
      break;
    case ConnectOptions::ClientCert::kOther: {
      auto other = GenerateAutoMtlsIdentity();
      if (!other.ok()) return other.status();
      identity = *other;
      break;
    }
  }
  return DialPlugin(handshake_.network, handshake_.address, server_pem, identity);
}

StatusOr<std::string> PluginClient::HealthCheck(const std::string& service,
                                                std::shared_ptr<grpc::Channel> channel,
                                                std::chrono::milliseconds timeout) {
  if (!channel) channel = channel_;
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + timeout);
  grpc::health::v1::HealthCheckRequest req;
  req.set_service(service);
  grpc::health::v1::HealthCheckResponse resp;
  grpc::Status s = stub->Check(&ctx, req, &resp);
  if (!s.ok()) {
    return Status(s.error_code() == grpc::StatusCode::UNAVAILABLE ? StatusCode::kUnavailable
                                                                  : StatusCode::kInternal,
                  GrpcStatusText(s));
  }
  return grpc::health::v1::HealthCheckResponse::ServingStatus_Name(resp.status());
}

CloseResult PluginClient::Close() {
  if (close_result_) return *close_result_;
  CloseResult r;
  auto start = std::chrono::steady_clock::now();
  if (controller_) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    plugin::Empty req, resp;
    r.shutdown_rpc_ok = controller_->Shutdown(&ctx, req, &resp).ok();
  }
  // go-plugin's GRPCClient.Close closes the connection right after the
  // Shutdown call; so do we (the server's shutdown may wait for it).
  provider_.reset();
  controller_.reset();
  channel_.reset();
  auto st = process_->WaitExit(std::chrono::seconds(2));
  if (st) {
    r.graceful = true;
    r.status = *st;
  } else {
    r.status = process_->Kill();
  }
  process_->WaitDone(std::chrono::seconds(2));
  r.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start);
  close_result_ = r;
  return r;
}

PluginClient::~PluginClient() {
  if (process_ && !close_result_) Close();
}

}  // namespace pxc::tfdriver
