// pxc-bench: the provider side of the benchmarks in bench/ (see
// bench/README.md). Not a test: it measures, it does not check more than it
// needs to know the work was really done.
//
//   pxc-bench apply --provider <binary> --config <file.json> [--parallelism N]
//                   [--state <file>]
//     Runs `terraform apply` as Terraform core would, through the protocol
//     driver's library (tests/driver): one plugin process validates,
//     configures and plans every resource, a second one applies the plan.
//     Resources of the same dependency level are planned and applied
//     concurrently, up to N at a time (Terraform's -parallelism, default 10).
//     Prints one JSON object: phase times, the plugin processes' peak RSS
//     (VmHWM read from /proc before each one is shut down), errors.
//
//   pxc-bench rpc --provider <binary> [--count N] [--warmup N]
//     P3: on one connected plugin, N PlanResourceChange calls for a
//     pxc_node_cert (create, RSA) and N grpc.health.v1 Check calls on the
//     same channel, interleaved in blocks; prints their mean/median latency.
//
//   pxc-bench launch --provider <binary> [--count N]
//     L1: N launches of any go-plugin provider (pxc or the bench's Go
//     provider) the way Terraform starts one: posix_spawn with the handshake
//     environment and an ECDSA P-521 PLUGIN_CLIENT_CERT, then per launch the
//     time from just before the spawn to the handshake line on stdout, to a
//     SERVING health check over the pinned mutual-TLS connection, and from the
//     GRPCController.Shutdown call to waitpid seeing the process gone (a
//     thread blocked in waitpid, so no polling interval). Prints one JSON
//     object with the samples and their medians.
//
// Configuration file of `apply`:
//   { "provider": { <provider configuration> },
//     "resources": [ { "address": "pxc_ca.c0", "type": "pxc_ca",
//                      "config": { <attributes> } }, ... ] }
// A top-level attribute whose value is exactly "${<address>.<attr>}" refers
// to another resource's attribute (planned value at plan time, applied value
// at apply time), which also orders the walk as Terraform's graph does.
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "resources/pki/x509.h"
#include "schema/json_codec.h"
#include "tests/driver/health.grpc.pb.h"
#include "tests/driver/objchange.h"
#include "tests/driver/plugin_client.h"
#include "tests/driver/terraform.h"

namespace {

using json = nlohmann::json;
using pxc::schema::Value;
using pxc::tfdriver::PluginClient;
using pxc::tfdriver::Terraform;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// VmHWM (peak resident set) of a live process in KiB, 0 when unreadable.
long PeakRssKib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}

struct Ref {
  std::string attr;    // attribute of this resource
  std::string target;  // referenced address
  std::string from;    // referenced attribute
};

struct Resource {
  std::string address;
  std::string type;
  json config;  // with references removed
  std::vector<Ref> refs;
  int level = 0;
  pxc::tfdriver::PlannedChange change;
  Value applied;
};

// Runs fn(i) for i in [0, n) on up to `parallelism` threads.
void ParallelFor(size_t n, int parallelism, const std::function<void(size_t)>& fn) {
  std::atomic<size_t> next{0};
  std::vector<std::thread> threads;
  int count = std::max(1, std::min<int>(parallelism, static_cast<int>(n)));
  for (int t = 0; t < count; ++t) {
    threads.emplace_back([&] {
      for (size_t i = next++; i < n; i = next++) fn(i);
    });
  }
  for (auto& t : threads) t.join();
}

struct Walk {
  std::vector<Resource> resources;
  std::map<std::string, size_t> index;
  json provider_config;
  int parallelism = 10;
  std::mutex mu;
  std::vector<std::string> errors;

  void Error(const std::string& what) {
    std::lock_guard<std::mutex> lock(mu);
    errors.push_back(what);
  }
};

bool ParseConfig(const std::string& path, Walk* w) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "pxc-bench: cannot read " << path << "\n";
    return false;
  }
  json doc = json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.contains("resources")) {
    std::cerr << "pxc-bench: " << path << " is not a configuration\n";
    return false;
  }
  w->provider_config = doc.value("provider", json::object());
  for (const auto& r : doc["resources"]) {
    Resource res;
    res.address = r.at("address").get<std::string>();
    res.type = r.at("type").get<std::string>();
    res.config = r.value("config", json::object());
    for (auto it = res.config.begin(); it != res.config.end();) {
      if (it->is_string()) {
        std::string s = it->get<std::string>();
        if (s.size() > 3 && s.rfind("${", 0) == 0 && s.back() == '}') {
          std::string ref = s.substr(2, s.size() - 3);
          size_t dot = ref.rfind('.');
          res.refs.push_back({it.key(), ref.substr(0, dot), ref.substr(dot + 1)});
          it = res.config.erase(it);
          continue;
        }
      }
      ++it;
    }
    w->index[res.address] = w->resources.size();
    w->resources.push_back(std::move(res));
  }
  // Dependency levels (configurations list resources after what they use).
  for (auto& res : w->resources) {
    for (const auto& ref : res.refs) {
      auto it = w->index.find(ref.target);
      if (it == w->index.end()) {
        std::cerr << "pxc-bench: " << res.address << " refers to unknown " << ref.target << "\n";
        return false;
      }
      res.level = std::max(res.level, w->resources[it->second].level + 1);
    }
  }
  return true;
}

// The configuration value of `res`, references taken from `source(target)`;
// without a source, references are unknown (as Terraform validates a
// configuration: ValidateResourceConfig sees an unknown where a reference is).
std::optional<Value> ConfigValue(Walk& w, const Terraform& tf, const Resource& res,
                                 const std::function<Value(const Resource&)>& source) {
  const auto* s = tf.ResourceSchema(res.type);
  if (!s) {
    w.Error(res.address + ": no such resource type");
    return std::nullopt;
  }
  auto v = pxc::schema::DecodeJson(res.config.dump(), pxc::tfdriver::ImpliedType(s->block));
  if (!v.ok()) {
    w.Error(res.address + ": " + v.status().message());
    return std::nullopt;
  }
  Value out = *v;
  for (const auto& ref : res.refs) {
    const Resource& target = w.resources[w.index.at(ref.target)];
    out = out.WithAttr(ref.attr, source ? source(target).GetAttr(ref.from)
                                        : Value::Unknown(out.GetAttr(ref.attr).type()));
  }
  return out;
}

// Launches the plugin (its start-up time added to `*launch_s`), loads the
// schemas and configures the provider.
std::unique_ptr<PluginClient> LaunchConfigured(Walk& w, const std::string& binary,
                                               std::unique_ptr<Terraform>* tf, double* launch_s) {
  auto t0 = Clock::now();
  auto client = PluginClient::Launch(binary);
  *launch_s += Seconds(t0, Clock::now());
  if (!client.ok()) {
    w.Error("launch: " + client.status().message());
    return nullptr;
  }
  auto c = std::move(*client);
  *tf = std::make_unique<Terraform>(*c);
  auto diags = (*tf)->LoadSchemas();
  auto pc = pxc::schema::DecodeJson(w.provider_config.dump(),
                                    pxc::tfdriver::ImpliedType((*tf)->schemas().provider.block));
  if (diags.HasError() || !pc.ok()) {
    w.Error("schemas/provider config: " +
            (pc.ok() ? pxc::tfdriver::FormatDiagnostics(diags) : pc.status().message()));
    return nullptr;
  }
  diags = (*tf)->ValidateProviderConfig(*pc);
  if (!diags.HasError()) diags = (*tf)->ConfigureProvider(*pc);
  if (diags.HasError()) {
    w.Error("configure: " + pxc::tfdriver::FormatDiagnostics(diags));
    return nullptr;
  }
  return c;
}

int RunApply(const std::string& binary, const std::string& config_path, int parallelism,
             const std::string& state_path) {
  Walk w;
  w.parallelism = parallelism;
  if (!ParseConfig(config_path, &w)) return 2;
  int max_level = 0;
  for (const auto& r : w.resources) max_level = std::max(max_level, r.level);
  auto by_level = [&](int level) {
    std::vector<size_t> out;
    for (size_t i = 0; i < w.resources.size(); ++i) {
      if (w.resources[i].level == level) out.push_back(i);
    }
    return out;
  };

  json report;
  long peak_rss = 0;
  double launch_s = 0, close_s = 0;
  auto t0 = Clock::now();
  // Plan walk (validate + plan), as `terraform apply` does before applying.
  {
    std::unique_ptr<Terraform> tf;
    auto client = LaunchConfigured(w, binary, &tf, &launch_s);
    if (client) {
      for (auto& r : w.resources) {
        auto cfg = ConfigValue(w, *tf, r, nullptr);
        if (!cfg) continue;
        auto d = tf->ValidateResourceConfig(r.type, *cfg);
        if (d.HasError()) w.Error(r.address + ": " + pxc::tfdriver::FormatDiagnostics(d));
      }
      for (int level = 0; level <= max_level && w.errors.empty(); ++level) {
        auto ids = by_level(level);
        ParallelFor(ids.size(), parallelism, [&](size_t k) {
          Resource& r = w.resources[ids[k]];
          auto cfg = ConfigValue(w, *tf, r, [](const Resource& t) { return t.change.planned; });
          if (!cfg) return;
          const auto* s = tf->ResourceSchema(r.type);
          auto out = tf->Plan(r.address, r.type, Value::Null(pxc::tfdriver::ImpliedType(s->block)),
                              "", *cfg);
          if (out.diags.HasError()) {
            w.Error(r.address + " plan: " + pxc::tfdriver::FormatDiagnostics(out.diags));
          }
          r.change = std::move(out.change);
        });
      }
      peak_rss = std::max(peak_rss, PeakRssKib(client->process().pid()));
      auto tc = Clock::now();
      client->Close();
      close_s += Seconds(tc, Clock::now());
    }
  }
  auto t_planned = Clock::now();
  report["plan_s"] = Seconds(t0, t_planned);
  // Apply walk in a fresh plugin process.
  pxc::tfdriver::State state;
  if (w.errors.empty()) {
    std::unique_ptr<Terraform> tf;
    auto client = LaunchConfigured(w, binary, &tf, &launch_s);
    if (client) {
      for (int level = 0; level <= max_level && w.errors.empty(); ++level) {
        auto ids = by_level(level);
        ParallelFor(ids.size(), parallelism, [&](size_t k) {
          Resource& r = w.resources[ids[k]];
          auto cfg = ConfigValue(w, *tf, r, [](const Resource& t) { return t.applied; });
          if (!cfg) return;
          auto out = tf->Apply(r.change, *cfg);
          if (out.diags.HasError() || !out.new_object) {
            w.Error(r.address + " apply: " + pxc::tfdriver::FormatDiagnostics(out.diags));
            return;
          }
          r.applied = out.new_object->value;
          std::lock_guard<std::mutex> lock(w.mu);
          state.Set(r.address, *out.new_object);
        });
      }
      if (!state_path.empty() && w.errors.empty()) {
        auto st = state.Save(state_path, tf->schemas());
        if (!st.ok()) w.Error("state: " + st.message());
      }
      peak_rss = std::max(peak_rss, PeakRssKib(client->process().pid()));
      auto tc = Clock::now();
      client->Close();
      close_s += Seconds(tc, Clock::now());
    }
  }
  auto t_applied = Clock::now();
  report["apply_s"] = Seconds(t_planned, t_applied);
  report["total_s"] = Seconds(t0, t_applied);
  // Time in the two plugins' start-up (exec, handshake, mTLS connection,
  // health check) and shut-down, which Terraform pays the same way.
  report["launch_s"] = launch_s;
  report["close_s"] = close_s;
  report["resources"] = w.resources.size();
  report["applied"] = state.objects().size();
  report["peak_rss_kib"] = peak_rss;
  report["errors"] = w.errors;
  report["ok"] = w.errors.empty() && state.objects().size() == w.resources.size();
  std::cout << report.dump() << std::endl;
  return report["ok"].get<bool>() ? 0 : 1;
}

struct LatencyStats {
  double mean_us = 0;
  double median_us = 0;
  double min_us = 0;
};

LatencyStats Stats(std::vector<double> us) {
  LatencyStats s;
  if (us.empty()) return s;
  std::sort(us.begin(), us.end());
  double sum = 0;
  for (double x : us) sum += x;
  s.mean_us = sum / us.size();
  s.median_us = us[us.size() / 2];
  s.min_us = us.front();
  return s;
}

int RunRpc(const std::string& binary, int count, int warmup) {
  auto launched = PluginClient::Launch(binary);
  if (!launched.ok()) {
    std::cerr << "pxc-bench: " << launched.status().message() << "\n";
    return 1;
  }
  auto client = std::move(*launched);
  Terraform tf(*client);
  auto diags = tf.LoadSchemas();
  const auto* s = tf.ResourceSchema("pxc_node_cert");
  if (diags.HasError() || !s) {
    std::cerr << "pxc-bench: schemas: " << pxc::tfdriver::FormatDiagnostics(diags) << "\n";
    return 1;
  }
  const auto pt = pxc::tfdriver::ImpliedType(tf.schemas().provider.block);
  diags = tf.ConfigureProvider(*pxc::schema::DecodeJson("{}", pt));
  if (diags.HasError()) {
    std::cerr << "pxc-bench: configure: " << pxc::tfdriver::FormatDiagnostics(diags) << "\n";
    return 1;
  }
  // A node certificate's create plan with its CA known (a CA made here).
  const auto t = pxc::tfdriver::ImpliedType(s->block);
  auto key =
      pxc::schema::DecodeJson(R"({"key_algorithm":"ECDSA","common_name":"PXC-CA"})",
                              pxc::tfdriver::ImpliedType(tf.ResourceSchema("pxc_ca")->block));
  auto ca_plan = tf.Plan(
      "pxc_ca.ca", "pxc_ca",
      Value::Null(pxc::tfdriver::ImpliedType(tf.ResourceSchema("pxc_ca")->block)), "", *key);
  auto ca = tf.Apply(ca_plan.change, *key);
  if (ca.diags.HasError() || !ca.new_object) {
    std::cerr << "pxc-bench: CA: " << pxc::tfdriver::FormatDiagnostics(ca.diags) << "\n";
    return 1;
  }
  auto cfg = pxc::schema::DecodeJson(
      R"({"common_name":"pxc1","ip_addresses":["10.77.0.11","10.77.0.10"],"dns_names":["pxc0"]})",
      t);
  Value config =
      cfg->WithAttr("ca_cert_pem", ca.new_object->value.GetAttr("cert_pem"))
          .WithAttr("ca_private_key_pem", ca.new_object->value.GetAttr("private_key_pem"));
  Value prior = Value::Null(t);
  tfplugin6::PlanResourceChange::Request plan_req;
  plan_req.set_type_name("pxc_node_cert");
  *plan_req.mutable_prior_state() = *Terraform::Encode(prior, t);
  *plan_req.mutable_proposed_new_state() =
      *Terraform::Encode(pxc::tfdriver::ProposedNew(s->block, prior, config), t);
  *plan_req.mutable_config() = *Terraform::Encode(config, t);
  auto health = grpc::health::v1::Health::NewStub(client->channel());
  grpc::health::v1::HealthCheckRequest health_req;
  health_req.set_service("plugin");

  auto plan_once = [&]() {
    grpc::ClientContext ctx;
    tfplugin6::PlanResourceChange::Response resp;
    auto t0 = Clock::now();
    grpc::Status st = client->provider().PlanResourceChange(&ctx, plan_req, &resp);
    double us = Seconds(t0, Clock::now()) * 1e6;
    if (!st.ok() || resp.diagnostics_size() != 0 || resp.planned_state().msgpack().empty()) {
      std::cerr << "pxc-bench: PlanResourceChange failed\n";
      std::exit(1);
    }
    return us;
  };
  auto health_once = [&]() {
    grpc::ClientContext ctx;
    grpc::health::v1::HealthCheckResponse resp;
    auto t0 = Clock::now();
    grpc::Status st = health->Check(&ctx, health_req, &resp);
    double us = Seconds(t0, Clock::now()) * 1e6;
    if (!st.ok()) {
      std::cerr << "pxc-bench: health check failed\n";
      std::exit(1);
    }
    return us;
  };
  for (int i = 0; i < warmup; ++i) {
    plan_once();
    health_once();
  }
  std::vector<double> plan_us, health_us;
  const int block = 10;
  for (int done = 0; done < count; done += block) {
    int n = std::min(block, count - done);
    for (int i = 0; i < n; ++i) plan_us.push_back(plan_once());
    for (int i = 0; i < n; ++i) health_us.push_back(health_once());
  }
  long rss = PeakRssKib(client->process().pid());
  client->Close();
  auto p = Stats(plan_us), h = Stats(health_us);
  json report = {{"count", count},
                 {"plan_mean_us", p.mean_us},
                 {"plan_median_us", p.median_us},
                 {"plan_min_us", p.min_us},
                 {"health_mean_us", h.mean_us},
                 {"health_median_us", h.median_us},
                 {"health_min_us", h.min_us},
                 {"ratio_mean", h.mean_us > 0 ? p.mean_us / h.mean_us : 0.0},
                 {"peak_rss_kib", rss}};
  std::cout << report.dump() << std::endl;
  return 0;
}

// One launch of `binary` as Terraform does it; see the header comment.
struct LaunchSample {
  double handshake_ms = 0, serving_ms = 0, shutdown_to_exit_ms = 0, lifetime_ms = 0;
  bool exited_by_itself = false;
};

extern "C" char** environ;

pxc::StatusOr<LaunchSample> LaunchOnce(const std::string& binary,
                                       const pxc::tfdriver::TlsIdentity& id) {
  std::vector<std::string> env_store;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    if (kv.rfind("PLUGIN_", 0) == 0 || kv.rfind("TF_PLUGIN_", 0) == 0) continue;
    env_store.push_back(kv);
  }
  env_store.push_back(std::string(pxc::tfdriver::kMagicCookieKey) + "=" +
                      pxc::tfdriver::kMagicCookieValue);
  env_store.push_back("PLUGIN_PROTOCOL_VERSIONS=6");
  env_store.push_back("PLUGIN_MIN_PORT=10000");
  env_store.push_back("PLUGIN_MAX_PORT=25000");
  env_store.push_back("PLUGIN_CLIENT_CERT=" + id.cert_pem);
  std::vector<char*> envp;
  for (auto& kv : env_store) envp.push_back(kv.data());
  envp.push_back(nullptr);
  std::string path = binary;
  char* argv[] = {path.data(), nullptr};

  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return pxc::InternalError("pipe failed");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  // The plugin's stderr: discarded, or appended to $PXC_BENCH_PLUGIN_STDERR.
  const char* err_file = std::getenv("PXC_BENCH_PLUGIN_STDERR");
  posix_spawn_file_actions_addopen(&fa, 2, err_file ? err_file : "/dev/null",
                                   O_WRONLY | O_CREAT | O_APPEND, 0600);
  pid_t pid = 0;
  auto t0 = Clock::now();
  int rc = posix_spawn(&pid, path.c_str(), &fa, nullptr, argv, envp.data());
  posix_spawn_file_actions_destroy(&fa);
  ::close(out[1]);
  if (rc != 0) {
    ::close(out[0]);
    return pxc::InternalError("cannot start " + binary);
  }
  // The handshake line (the plugin writes nothing else before it).
  std::string line;
  bool got = false;
  while (!got) {
    pollfd pfd{out[0], POLLIN, 0};
    if (::poll(&pfd, 1, 20000) <= 0) break;
    char buf[4096];
    ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<size_t>(n));
    if (line.find('\n') != std::string::npos) got = true;
  }
  auto t1 = Clock::now();
  // Exits are seen the moment they happen: a thread waits in waitpid.
  std::atomic<bool> exited{false};
  Clock::time_point t_exit;
  std::thread reaper([&] {
    int status = 0;
    ::waitpid(pid, &status, 0);
    t_exit = Clock::now();
    exited = true;
  });
  auto fail = [&](const std::string& what) {
    ::kill(pid, SIGKILL);
    reaper.join();
    ::close(out[0]);
    return pxc::UnavailableError(binary + ": " + what);
  };
  if (!got) return fail("no handshake line");
  line.resize(line.find('\n'));
  auto hs = pxc::tfdriver::ParseHandshake(line);
  if (!hs.ok()) return fail(hs.status().message());
  auto cert = pxc::resources::Certificate::FromDer(hs->server_cert_der);
  if (!cert.ok()) return fail("no server certificate in the handshake");
  auto channel = pxc::tfdriver::DialPlugin(hs->network, hs->address, cert->ToPem(), id);
  {
    auto health = grpc::health::v1::Health::NewStub(channel);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::health::v1::HealthCheckRequest req;
    req.set_service("plugin");
    grpc::health::v1::HealthCheckResponse resp;
    if (!health->Check(&ctx, req, &resp).ok() ||
        resp.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
      return fail("health check failed");
    }
  }
  auto t2 = Clock::now();
  auto controller = plugin::GRPCController::NewStub(channel);
  auto t3 = Clock::now();
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    plugin::Empty req, resp;
    (void)controller->Shutdown(&ctx, req, &resp);  // may fail as the server goes
  }
  controller.reset();
  channel.reset();  // go-plugin closes its connection right after Shutdown
  // go-plugin waits 2 s for the exit, then kills.
  auto deadline = Clock::now() + std::chrono::seconds(2);
  while (!exited && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  LaunchSample s;
  s.exited_by_itself = exited;
  if (!exited) ::kill(pid, SIGKILL);
  reaper.join();
  ::close(out[0]);
  auto ms = [](Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
  };
  s.handshake_ms = ms(t0, t1);
  s.serving_ms = ms(t0, t2);
  s.shutdown_to_exit_ms = ms(t3, t_exit);
  s.lifetime_ms = ms(t0, t_exit);
  return s;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int RunLaunch(const std::string& provider, int count) {
  auto id = pxc::tfdriver::GenerateAutoMtlsIdentity();
  if (!id.ok()) {
    std::cerr << "pxc-bench: " << id.status().message() << "\n";
    return 1;
  }
  std::vector<double> hs, serving, gone, life;
  int killed = 0;
  for (int i = 0; i < count; ++i) {
    auto s = LaunchOnce(provider, *id);
    if (!s.ok()) {
      std::cerr << "pxc-bench: launch: " << s.status().message() << "\n";
      return 1;
    }
    hs.push_back(s->handshake_ms);
    serving.push_back(s->serving_ms);
    gone.push_back(s->shutdown_to_exit_ms);
    life.push_back(s->lifetime_ms);
    if (!s->exited_by_itself) ++killed;
  }
  json report = {{"count", count},
                 {"handshake_ms", hs},
                 {"serving_ms", serving},
                 {"shutdown_to_exit_ms", gone},
                 {"lifetime_ms", life},
                 {"handshake_median_ms", Median(hs)},
                 {"serving_median_ms", Median(serving)},
                 {"shutdown_to_exit_median_ms", Median(gone)},
                 {"lifetime_median_ms", Median(life)},
                 {"killed_after_2s", killed}};
  std::cout << report.dump() << std::endl;
  return killed == 0 ? 0 : 1;
}

int Usage() {
  std::cerr << "usage: pxc-bench apply --provider BIN --config FILE [--parallelism N] "
               "[--state FILE]\n"
               "       pxc-bench rpc --provider BIN [--count N] [--warmup N]\n"
               "       pxc-bench launch --provider BIN [--count N]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage();
  std::string mode = argv[1], provider, config, state;
  int parallelism = 10, count = 1000, warmup = 50;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) return Usage();
    std::string v = argv[++i];
    if (a == "--provider") {
      provider = v;
    } else if (a == "--config") {
      config = v;
    } else if (a == "--state") {
      state = v;
    } else if (a == "--parallelism") {
      parallelism = std::atoi(v.c_str());
    } else if (a == "--count") {
      count = std::atoi(v.c_str());
    } else if (a == "--warmup") {
      warmup = std::atoi(v.c_str());
    } else {
      return Usage();
    }
  }
  if (provider.empty()) return Usage();
  if (mode == "apply" && !config.empty()) return RunApply(provider, config, parallelism, state);
  if (mode == "rpc") return RunRpc(provider, count, warmup);
  if (mode == "launch") return RunLaunch(provider, count);
  return Usage();
}
