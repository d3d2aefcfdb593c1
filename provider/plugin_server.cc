#include "provider/plugin_server.h"

#include <grpc/grpc.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <thread>

#include "provider/auto_mtls.h"
#include "provider/core.h"
#include "provider/grpc_service.h"
#include "provider/log.h"
#include "provider/proto/plugin.grpc.pb.h"
#include "schema/text.h"

namespace pxc::provider {

namespace {

// Signalled by GRPCController.Shutdown or SIGTERM; the main thread then
// shuts the server down (a handler must not wait on its own server).
class ShutdownLatch {
 public:
  void Trigger(const char* why) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!triggered_) Log(LogLevel::kDebug, std::string("shutting down: ") + why);
    triggered_ = true;
    cv_.notify_all();
  }
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return triggered_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool triggered_ = false;
};

class ControllerService final : public plugin::GRPCController::Service {
 public:
  explicit ControllerService(ShutdownLatch* latch) : latch_(latch) {}
  grpc::Status Shutdown(grpc::ServerContext*, const plugin::Empty*, plugin::Empty*) override {
    latch_->Trigger("GRPCController.Shutdown");
    return grpc::Status::OK;
  }

 private:
  ShutdownLatch* latch_;
};

// pxc writes nothing to stdout after the handshake and logs go to stderr,
// which Terraform reads directly, so there is nothing to stream.
class StdioService final : public plugin::GRPCStdio::Service {
 public:
  grpc::Status StreamStdio(grpc::ServerContext*, const google::protobuf::Empty*,
                           grpc::ServerWriter<plugin::StdioData>*) override {
    return grpc::Status::OK;
  }
};

std::string MakeSocketDir(const std::string& tmpl) {
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) return "";
  return std::string(buf.data());
}

}  // namespace

int Serve(std::shared_ptr<const schema::ProviderDefinition> def, const ServeOptions& options) {
  using Clock = std::chrono::steady_clock;
  const auto t_start = Clock::now();
  auto settings = ParseHandshakeEnv(HandshakeEnv::FromProcess(), options.debug);
  if (!settings.ok()) {
    std::fprintf(stderr, "%s\n", settings.status().message().c_str());
    return 1;
  }

  // Signals: SIGTERM ends the plugin; SIGINT is Terraform's to handle (it
  // sends StopProvider), except in debug mode where it ends the server.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  ShutdownLatch latch;
  std::thread([&latch, sigs, debug = options.debug]() {
    for (;;) {
      int sig = 0;
      if (sigwait(&sigs, &sig) != 0) continue;
      if (sig == SIGINT && !debug) continue;
      latch.Trigger(sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : "SIGHUP");
      return;
    }
  }).detach();

  // Start-up is paid at every launch (4 per `terraform apply`), so the two
  // costly steps overlap: the AutoMTLS identity (OpenSSL's first use, key and
  // certificate: ~2-3 ms) is made on a second thread while this one
  // initialises gRPC and builds the server (~2-3 ms).
  struct Identity {
    Status status;
    std::string key_pem, cert_pem, cert_b64;
  };
  Identity identity;
  std::thread identity_thread;
  if (settings->tls) {
    identity_thread = std::thread([&identity] {
      auto id = MakeAutoMtlsIdentity();
      if (!id.ok()) {
        identity.status = id.status();
        return;
      }
      identity.key_pem = std::move(id->key_pem);
      identity.cert_pem = std::move(id->cert_pem);
      identity.cert_b64 = Base64Encode(id->cert_der, Base64Padding::kUnpadded);
    });
  }
  auto join_identity = [&identity_thread] {
    if (identity_thread.joinable()) identity_thread.join();
  };

  std::string dir = MakeSocketDir(settings->socket_dir_template);
  if (dir.empty()) {
    std::fprintf(stderr, "terraform-provider-pxc: cannot create a private socket directory: %s\n",
                 std::strerror(errno));
    join_identity();
    return 1;
  }
  const std::string socket_path = dir + "/plugin.sock";

  auto core = std::make_shared<Core>(def);
  ProviderService provider_service(core);
  ControllerService controller(&latch);
  StdioService stdio;

  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;  // initialises gRPC
  builder.RegisterService(&provider_service);
  builder.RegisterService(&controller);
  builder.RegisterService(&stdio);
  builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  builder.SetMaxSendMessageSize(kMaxMessageBytes);

  const auto t_cert = Clock::now();
  join_identity();
  std::shared_ptr<grpc::ServerCredentials> creds = grpc::InsecureServerCredentials();
  std::string cert_b64;
  if (settings->tls) {
    if (!identity.status.ok()) {
      std::fprintf(stderr, "terraform-provider-pxc: cannot create the TLS certificate: %s\n",
                   identity.status.message().c_str());
      std::filesystem::remove_all(dir);
      return 1;
    }
    grpc::SslServerCredentialsOptions ssl(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    ssl.pem_root_certs = settings->client_cert_pem;
    ssl.pem_key_cert_pairs.push_back({identity.key_pem, identity.cert_pem});
    creds = grpc::SslServerCredentials(ssl);
    cert_b64 = identity.cert_b64;
  }
  builder.AddListeningPort("unix:" + socket_path, creds);
  const auto t_server = Clock::now();
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server) {
    std::fprintf(stderr, "terraform-provider-pxc: cannot listen on %s\n", socket_path.c_str());
    std::filesystem::remove_all(dir);
    return 1;
  }
  ::chmod(socket_path.c_str(), 0600);
  server->GetHealthCheckService()->SetServingStatus("plugin", true);

  if (options.debug) {
    std::printf(
        "Provider started. To attach Terraform CLI, set the TF_REATTACH_PROVIDERS environment "
        "variable with the following:\n\n\tTF_REATTACH_PROVIDERS='{\"%s\":{\"Protocol\":\"grpc\","
        "\"ProtocolVersion\":6,\"Pid\":%d,\"Test\":true,\"Addr\":{\"Network\":\"unix\","
        "\"String\":\"%s\"}}}'\n\n",
        options.provider_address.c_str(), static_cast<int>(getpid()), socket_path.c_str());
  } else {
    std::printf("%s\n", HandshakeLine(socket_path, cert_b64).c_str());
  }
  std::fflush(stdout);
  const auto t_ready = Clock::now();
  auto ms = [](Clock::time_point a, Clock::time_point b) {
    return std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(b - a).count() /
                          1000.0);
  };
  Log(LogLevel::kDebug, "plugin server started",
      {{"address", socket_path},
       {"tls", cert_b64.empty() ? "false" : "true"},
       {"setup_ms", ms(t_start, t_cert)},
       {"automtls_wait_ms", ms(t_cert, t_server)},
       {"grpc_start_ms", ms(t_server, t_ready)}});

  latch.Wait();
  const auto t_stop = Clock::now();
  core->Stop();
  // At most 2 s for the calls in flight, as go-plugin's client waits that
  // long for the process before it kills it.
  const auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(2);
  if (options.exit_when_done) {
    // What the resources hold for later calls (pooled SSH connections) is
    // released on a thread of its own while gRPC drains: a disconnect
    // message per connection, which wakes the node's sshd on the same cores
    // (measured 0.2-6 ms for 3-6 connections when done after the drain). A
    // call still in flight keeps its connection until it returns. The
    // process waits at most kReleaseWait for it after the drain; whatever
    // is not closed by then is closed by the kernel at exit.
    struct Release {
      std::mutex mu;
      std::condition_variable cv;
      bool done = false;
      std::string what;
      double ms = 0;
    };
    auto release = std::make_shared<Release>();
    std::thread([def, release] {
      const auto t0 = Clock::now();
      std::string what = def->Shutdown();
      const double ms =
          std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count() / 1000.0;
      std::lock_guard<std::mutex> lock(release->mu);
      release->what = std::move(what);
      release->ms = ms;
      release->done = true;
      release->cv.notify_all();
    }).detach();
    // Terraform waits for the process to be gone after every walk. gRPC's
    // own Shutdown waits for the calls in flight and then joins its threads
    // one by one, each of which has to be scheduled first (milliseconds to
    // tens of milliseconds on a busy machine). Here only the first part is
    // waited for: the core's shutdown notification comes once no call is
    // being served any more (every answer handed to the transport); then
    // the socket directory is removed and the process ends.
    grpc_completion_queue* cq = grpc_completion_queue_create_for_pluck(nullptr);
    int tag = 0;
    grpc_server_shutdown_and_notify(server->c_server(), cq, &tag);
    auto wait = [&](std::chrono::system_clock::time_point until) {
      return grpc_completion_queue_pluck(
                 cq, &tag,
                 gpr_time_from_millis(
                     std::chrono::duration_cast<std::chrono::milliseconds>(until.time_since_epoch())
                         .count(),
                     GPR_CLOCK_REALTIME),
                 nullptr)
                 .type == GRPC_OP_COMPLETE;
    };
    bool drained = wait(deadline);
    if (!drained) {
      grpc_server_cancel_all_calls(server->c_server());
      drained = wait(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
    }
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    constexpr auto kReleaseWait = std::chrono::milliseconds(1);
    const auto t_release = Clock::now();
    std::string released = "unfinished";
    std::string release_ms = "";
    {
      std::unique_lock<std::mutex> lock(release->mu);
      if (release->cv.wait_until(lock, t_release + kReleaseWait, [&] { return release->done; })) {
        released = release->what;
        release_ms = std::to_string(release->ms);
      }
    }
    Log(LogLevel::kDebug, "plugin server stopped",
        {{"shutdown_ms", ms(t_stop, Clock::now())},
         {"release_ms", release_ms},
         {"release_wait_ms", ms(t_release, Clock::now())},
         {"released", released},
         {"calls_cancelled", drained ? "no" : "yes"}});
    std::fflush(nullptr);
    std::_Exit(0);
  }
  server->Shutdown(deadline);
  server->Wait();
  def->Shutdown();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return 0;
}

}  // namespace pxc::provider
