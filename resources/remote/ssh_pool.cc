// Implementation of resources/remote/ssh_pool.h.
#include "resources/remote/ssh_pool.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "schema/text.h"

namespace pxc::resources {

namespace {

using Clock = std::chrono::steady_clock;

void AppendField(std::string* out, std::string_view field) {
  out->append(std::to_string(field.size())).append(":").append(field).append(";");
}

// Forwards every call to the leased connection; gives it back at the end.
class LeasedHost final : public NodeHost {
 public:
  LeasedHost(std::shared_ptr<SshPool::Shared> shared, std::string key,
             std::unique_ptr<ReusableHost> host)
      : shared_(std::move(shared)), key_(std::move(key)), host_(std::move(host)) {}
  LeasedHost(const LeasedHost&) = delete;
  LeasedHost& operator=(const LeasedHost&) = delete;
  ~LeasedHost() override;

  const std::string& Describe() const override { return host_->Describe(); }
  StatusOr<ExecResult> Exec(const std::string& command, std::string_view stdin_data) override {
    return host_->Exec(command, stdin_data);
  }
  StatusOr<std::optional<std::string>> ReadFile(const std::string& path) override {
    return host_->ReadFile(path);
  }
  StatusOr<std::optional<FileStat>> Stat(const std::string& path) override {
    return host_->Stat(path);
  }
  StatusOr<std::optional<FileStat>> Lstat(const std::string& path) override {
    return host_->Lstat(path);
  }
  StatusOr<std::vector<std::string>> ListDirectory(const std::string& dir) override {
    return host_->ListDirectory(dir);
  }
  StatusOr<DirectoryReport> InspectDirectory(const std::string& dir) override {
    return host_->InspectDirectory(dir);
  }
  Status WriteFileAtomic(const std::string& path, std::string_view content, uint32_t mode,
                         const std::string& owner, const std::string& group) override {
    return host_->WriteFileAtomic(path, content, mode, owner, group);
  }
  Status RemoveFile(const std::string& path) override { return host_->RemoveFile(path); }
  StatusOr<bool> MakeDirectory(const std::string& path, uint32_t mode, const std::string& owner,
                               const std::string& group) override {
    return host_->MakeDirectory(path, mode, owner, group);
  }
  Status SetDirectoryOwnerAndMode(const std::string& path, uint32_t mode, const std::string& owner,
                                  const std::string& group) override {
    return host_->SetDirectoryOwnerAndMode(path, mode, owner, group);
  }
  StatusOr<bool> RemoveDirectory(const std::string& path) override {
    return host_->RemoveDirectory(path);
  }

 private:
  std::shared_ptr<SshPool::Shared> shared_;
  std::string key_;
  std::unique_ptr<ReusableHost> host_;
};

}  // namespace

struct SshPool::Shared {
  struct Idle {
    std::unique_ptr<ReusableHost> host;
    Clock::time_point since;
  };
  struct Entry {
    std::vector<Idle> idle;  // most recently returned last
    size_t leased = 0;
    size_t connecting = 0;
    size_t count() const { return idle.size() + leased + connecting; }
  };
  using Doomed = std::vector<std::unique_ptr<ReusableHost>>;

  Shared(Options o, Connector c) : options(o), connector(std::move(c)) {}

  const Options options;
  const Connector connector;
  mutable std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, Entry> keys;  // guarded by mu
  size_t total = 0;                   // guarded by mu: idle + leased + connecting
  bool shut = false;                  // guarded by mu
  Stats stats;                        // guarded by mu (idle, leased computed)

  // Requires mu. Moves idle connections older than idle_timeout to `doomed`.
  void SweepLocked(Clock::time_point now, Doomed& doomed) {
    for (auto it = keys.begin(); it != keys.end();) {
      auto& idle = it->second.idle;
      for (auto i = idle.begin(); i != idle.end();) {
        if (now - i->since >= options.idle_timeout) {
          doomed.push_back(std::move(i->host));
          i = idle.erase(i);
          --total;
          ++stats.expired;
        } else {
          ++i;
        }
      }
      it = it->second.count() == 0 ? keys.erase(it) : std::next(it);
    }
  }

  // Requires mu. Closes the longest idle connection of another key than
  // `except`; false when there is none.
  bool EvictOneLocked(const std::string& except, Doomed& doomed) {
    auto best = keys.end();
    for (auto it = keys.begin(); it != keys.end(); ++it) {
      if (it->first == except || it->second.idle.empty()) continue;
      if (best == keys.end() || it->second.idle.front().since < best->second.idle.front().since) {
        best = it;
      }
    }
    if (best == keys.end()) return false;
    auto& idle = best->second.idle;
    doomed.push_back(std::move(idle.front().host));
    idle.erase(idle.begin());
    --total;
    ++stats.expired;
    if (best->second.count() == 0) keys.erase(best);
    return true;
  }

  void Release(const std::string& key, std::unique_ptr<ReusableHost> host) {
    Doomed doomed;
    {
      std::lock_guard<std::mutex> lock(mu);
      const Clock::time_point now = Clock::now();
      Entry& e = keys[key];
      --e.leased;
      if (shut || !host || !host->Usable()) {
        doomed.push_back(std::move(host));
        --total;
        ++stats.discarded;
      } else {
        e.idle.push_back({std::move(host), now});
      }
      SweepLocked(now, doomed);
    }
    cv.notify_all();
    // `doomed` disconnects here, outside the lock.
  }
};

LeasedHost::~LeasedHost() { shared_->Release(key_, std::move(host_)); }

std::string SshPool::KeyOf(const SshTarget& t) {
  static const std::string salt = [] {
    std::string s(32, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(s.data()), static_cast<int>(s.size())) != 1) {
      s = "pxc-ssh-pool-key-salt";
    }
    return s;
  }();
  std::string agent;
  if (t.use_agent) {
    const char* sock = std::getenv("SSH_AUTH_SOCK");
    agent = sock != nullptr ? sock : "";
  }
  std::string key;
  // One allocation, so no stale partial copy of a secret is left behind.
  key.reserve(512 + salt.size() + t.host.size() + t.user.size() + t.private_key_pem.size() +
              t.private_key_passphrase.size() + t.password.size() + agent.size() +
              t.host_key.size() + t.known_hosts.size());
  AppendField(&key, salt);
  AppendField(&key, AsciiLower(t.host));
  AppendField(&key, std::to_string(t.port));
  AppendField(&key, t.user);
  AppendField(&key, t.private_key_pem);
  AppendField(&key, t.private_key_passphrase);
  AppendField(&key, t.password);
  AppendField(&key, t.use_agent ? "agent" : "no-agent");
  AppendField(&key, agent);
  AppendField(&key, t.host_key);
  AppendField(&key, t.known_hosts);
  AppendField(&key, t.insecure_ignore_host_key ? "insecure" : "verify");
  AppendField(&key, std::to_string(t.connect_timeout_seconds));
  AppendField(&key, std::to_string(t.command_timeout_seconds));
  AppendField(&key, t.sudo ? "sudo" : "no-sudo");
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const bool hashed =
      EVP_Digest(key.data(), key.size(), md, &len, EVP_sha256(), nullptr) == 1 && len > 0;
  WipeString(&key);
  if (!hashed) return "";  // an empty key is never shared (see Lease)
  return HexEncode(std::string_view(reinterpret_cast<const char*>(md), len));
}

SshPool::SshPool() : SshPool(Options{}) {}

SshPool::SshPool(Options options, Connector connector) {
  if (!connector) {
    connector = [](const SshTarget& t) -> StatusOr<std::unique_ptr<ReusableHost>> {
      PXC_ASSIGN_OR_RETURN(SshSession session, SshSession::Connect(t));
      return std::unique_ptr<ReusableHost>(std::make_unique<SshSession>(std::move(session)));
    };
  }
  options.max_total = std::max<size_t>(options.max_total, 1);
  options.max_per_key = std::max<size_t>(options.max_per_key, 1);
  options.max_per_key_burst = std::max(options.max_per_key_burst, options.max_per_key);
  shared_ = std::make_shared<Shared>(options, std::move(connector));
}

SshPool::~SshPool() { Shutdown(); }

StatusOr<std::unique_ptr<NodeHost>> SshPool::Lease(const SshTarget& target) {
  Shared& sh = *shared_;
  const Options& o = sh.options;
  std::string key = KeyOf(target);
  if (key.empty()) {
    // No key could be computed: a connection of its own, never pooled.
    PXC_ASSIGN_OR_RETURN(std::unique_ptr<ReusableHost> host, sh.connector(target));
    return std::unique_ptr<NodeHost>(std::move(host));
  }
  const Clock::time_point start = Clock::now();
  bool counted_wait = false;
  for (;;) {
    Shared::Doomed doomed;  // closed outside the lock, at the end of the iteration
    std::unique_ptr<ReusableHost> reuse;
    Clock::time_point idle_since;
    bool connect = false;
    {
      std::unique_lock<std::mutex> lock(sh.mu);
      if (sh.shut) {
        return UnavailableError("the SSH connections of this provider process are shut down");
      }
      const Clock::time_point now = Clock::now();
      sh.SweepLocked(now, doomed);
      Shared::Entry& e = sh.keys[key];
      if (!e.idle.empty()) {
        reuse = std::move(e.idle.back().host);
        idle_since = e.idle.back().since;
        e.idle.pop_back();
        ++e.leased;
      } else {
        const size_t cap = now - start >= o.share_wait ? o.max_per_key_burst : o.max_per_key;
        if (e.count() < cap && sh.total >= o.max_total) sh.EvictOneLocked(key, doomed);
        Shared::Entry& entry = sh.keys[key];  // EvictOneLocked never erases `key`
        if (entry.count() < cap && sh.total < o.max_total) {
          ++entry.connecting;
          ++sh.total;
          connect = true;
        } else {
          if (now - start >= o.max_wait) {
            if (entry.count() == 0) sh.keys.erase(key);
            return UnavailableError("no SSH connection to " + target.host + ":" +
                                    std::to_string(target.port) + " became free within " +
                                    std::to_string(o.max_wait.count() / 1000) + " s (" +
                                    std::to_string(sh.total) + " connections open, at most " +
                                    std::to_string(o.max_total) + " per provider process)");
          }
          if (!counted_wait) {
            counted_wait = true;
            ++sh.stats.waited;
          }
          Clock::time_point until = start + o.max_wait;
          if (now - start < o.share_wait) until = std::min(until, start + o.share_wait);
          sh.cv.wait_until(lock, until);
          continue;
        }
      }
    }
    if (reuse) {
      const bool round_trip = Clock::now() - idle_since >= o.probe_after_idle;
      Status alive = reuse->Probe(round_trip, o.probe_timeout);
      std::lock_guard<std::mutex> lock(sh.mu);
      if (!alive.ok()) {
        // Closed and replaced: the next iteration takes another idle one
        // or connects anew. Nothing was run on the node.
        --sh.keys[key].leased;
        --sh.total;
        ++sh.stats.replaced;
        doomed.push_back(std::move(reuse));
        sh.cv.notify_all();
        continue;
      }
      ++sh.stats.reused;
      reuse->BeginUse(target.label);
      return std::unique_ptr<NodeHost>(
          std::make_unique<LeasedHost>(shared_, std::move(key), std::move(reuse)));
    }
    if (connect) {
      auto host = sh.connector(target);
      bool shut_now = false;
      {
        std::lock_guard<std::mutex> lock(sh.mu);
        Shared::Entry& e = sh.keys[key];
        --e.connecting;
        if (host.ok() && !sh.shut) {
          ++e.leased;
          ++sh.stats.connected;
        } else {
          --sh.total;
          if (!host.ok()) ++sh.stats.connect_errors;
          shut_now = sh.shut;
          if (e.count() == 0) sh.keys.erase(key);
        }
      }
      sh.cv.notify_all();
      if (!host.ok()) return host.status();
      if (shut_now) {
        return UnavailableError("the SSH connections of this provider process are shut down");
      }
      return std::unique_ptr<NodeHost>(
          std::make_unique<LeasedHost>(shared_, std::move(key), std::move(host).value()));
    }
  }
}

void SshPool::Shutdown() {
  Shared::Doomed doomed;
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    shared_->shut = true;
    for (auto it = shared_->keys.begin(); it != shared_->keys.end();) {
      for (auto& idle : it->second.idle) doomed.push_back(std::move(idle.host));
      shared_->total -= it->second.idle.size();
      it->second.idle.clear();
      it = it->second.count() == 0 ? shared_->keys.erase(it) : std::next(it);
    }
  }
  shared_->cv.notify_all();
}

void SshPool::Clear() {
  Shared::Doomed doomed;
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    for (auto it = shared_->keys.begin(); it != shared_->keys.end();) {
      for (auto& idle : it->second.idle) doomed.push_back(std::move(idle.host));
      shared_->total -= it->second.idle.size();
      shared_->stats.expired += it->second.idle.size();
      it->second.idle.clear();
      it = it->second.count() == 0 ? shared_->keys.erase(it) : std::next(it);
    }
  }
  shared_->cv.notify_all();
}

SshPool::Stats SshPool::stats() const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  Stats s = shared_->stats;
  s.idle = 0;
  s.leased = 0;
  for (const auto& [key, e] : shared_->keys) {
    s.idle += e.idle.size();
    s.leased += e.leased;
  }
  return s;
}

SshPool& DefaultSshPool() {
  static SshPool* pool = new SshPool();
  return *pool;
}

StatusOr<std::unique_ptr<NodeHost>> ConnectSsh(const SshTarget& target) {
  return DefaultSshPool().Lease(target);
}

}  // namespace pxc::resources
