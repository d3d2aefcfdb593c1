// SshPool: the SSH connections of one plugin process, shared by every
// resource and data source that works on the same node with the same
// settings, so that a walk over N resources on one node connects once.
//
// Keys. Two targets share connections only when everything that decides
// the connection's identity and trust is equal: host (case-insensitive),
// port, user, the credentials (private key and its passphrase, password,
// use_agent together with the agent socket $SSH_AUTH_SOCK names at lease
// time), host_key, known_hosts, insecure_ignore_host_key, sudo and both
// timeouts. Only the label (the name used in messages) may differ. The key
// is a salted SHA-256 of those fields: the pool keeps no secret and logs
// nothing.
//
// Leases. A lease is exclusive (an SshSession serves one thread at a time).
// Lease() hands out an idle connection of the key, or connects a new one
// while the key has fewer than max_per_key, or else waits for one to come
// back: up to share_wait, after which it opens one more for the key (up to
// max_per_key_burst, so that a long lease, e.g. a rolling restart holding
// its nodes, or a nested lease of the same node never deadlocks), and up to
// max_wait in all, after which it fails with kUnavailable. The whole pool
// holds at most max_total connections (idle ones of other keys are closed
// to make room). Connections are opened outside the pool's lock.
//
// Health. Before an idle connection is reused it is probed: the socket
// always (a closed or reset connection is seen at once), and with a round
// trip to the server (a channel opened and closed, nothing runs on the node)
// when it was idle for probe_after_idle or more. A connection that fails
// the probe is closed and replaced by a new one, once per lease; no command
// is ever sent twice. A connection that breaks while leased (lost, timed
// out) is closed when the lease ends, never handed out again.
//
// Idle connections are closed after idle_timeout (checked at each Lease and
// release; the pool runs no thread of its own) and by Shutdown(), which the
// provider calls once no call is being served any more.
//
// Thread-safe. Leases may outlive the pool object.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "resources/remote/ssh_client.h"
#include "schema/status.h"

namespace pxc::resources {

class SshPool {
 public:
  // Opens a connection (SshSession::Connect in production).
  using Connector = std::function<StatusOr<std::unique_ptr<ReusableHost>>(const SshTarget&)>;

  struct Options {
    size_t max_total = 32;
    size_t max_per_key = 1;
    size_t max_per_key_burst = 4;
    std::chrono::milliseconds share_wait{1000};
    std::chrono::milliseconds max_wait{60000};
    std::chrono::milliseconds probe_after_idle{1000};
    std::chrono::milliseconds probe_timeout{5000};
    std::chrono::milliseconds idle_timeout{120000};
  };

  struct Stats {
    uint64_t connected = 0;  // connections opened
    uint64_t reused = 0;     // leases served by an idle connection
    uint64_t replaced = 0;   // idle connections that failed the probe
    uint64_t discarded = 0;  // closed at release: broken, or the pool shut down
    uint64_t expired = 0;    // closed after idle_timeout or to make room
    uint64_t waited = 0;     // leases that waited for a busy connection
    uint64_t connect_errors = 0;
    size_t idle = 0;    // connections idle now
    size_t leased = 0;  // connections leased now
  };

  SshPool();
  explicit SshPool(Options options, Connector connector = {});
  ~SshPool();
  SshPool(const SshPool&) = delete;
  SshPool& operator=(const SshPool&) = delete;

  // An exclusive lease of a connection for `target` (its label names the
  // node in messages); the connection returns to the pool when the NodeHost
  // is destroyed. Errors as the connector's, kUnavailable when the pool is
  // at its bound for max_wait or shut down.
  StatusOr<std::unique_ptr<NodeHost>> Lease(const SshTarget& target);

  // Closes every idle connection; connections leased now are closed when
  // their lease ends. Later Lease calls fail (kUnavailable).
  void Shutdown();
  // Closes every idle connection (the pool stays usable).
  void Clear();

  Stats stats() const;

  // The identity of a target as the pool keys it (exposed for tests).
  static std::string KeyOf(const SshTarget& target);

  struct Shared;

 private:
  std::shared_ptr<Shared> shared_;
};

// The process-wide pool ConnectSsh leases from (never destroyed).
SshPool& DefaultSshPool();

}  // namespace pxc::resources
