// The verdicts of data.pxc_cluster_tls as pure functions: from what each
// node served on its MySQL and Galera ports and what its configuration
// names on disk, the days left, the distinct CAs, whether the cluster is
// consistent and the problems, one plain sentence each. No I/O.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "resources/pki/x509.h"

namespace pxc::resources::tlsprobe {

// A certificate as the data source reports it.
struct CertSummary {
  std::string subject, issuer;
  std::string serial;  // decimal, as pxc_node_cert's serial_number
  std::string sha256_fingerprint;
  std::string not_after;  // RFC 3339
  int64_t days_left = 0;  // whole days until not_after, negative once expired
  std::vector<std::string> dns_names, ip_addresses;
};

// Whole days from `now` to `not_after`, rounded down (-1 within the first day
// after it ended).
int64_t DaysLeft(std::chrono::system_clock::time_point not_after,
                 std::chrono::system_clock::time_point now);
CertSummary Summarize(const Certificate& cert, std::chrono::system_clock::time_point now);

// One port of a node: what it served and what the node's configuration says.
struct PortReport {
  std::string kind;  // "MySQL" or "Galera"
  int port = 0;
  bool reachable = false;  // a TCP connection was made
  std::string error;       // why it was not reachable or served no certificate
  std::optional<CertSummary> served;
  std::vector<std::string> tls_versions;  // "TLSv1.2", "TLSv1.3" it accepted
  // From the node's option files (empty when unset or not read).
  std::string ca_file, cert_file, key_file;
  bool files_read = false;                   // the configuration and the files were read over SSH
  std::vector<std::string> ca_fingerprints;  // each certificate of ca_file
  std::string cert_file_fingerprint;         // "" when absent or unreadable
  std::string cert_file_serial;
  std::string file_problem;            // ca_file/cert_file missing or unreadable, "" when fine
  std::optional<bool> matches_file;    // served == cert_file; nullopt: not known
  std::optional<bool> verified;        // served chain verifies against ca_file
  std::string verify_error;            // why not
  std::optional<bool> plain_accepted;  // Galera only: a plain peer is answered
};

struct NodeReport {
  std::string name, host;
  bool ssh_ok = false;
  std::string ssh_error;
  PortReport mysql, galera;
  // Neither port could be connected to and SSH failed.
  bool Unreachable() const { return !ssh_ok && !mysql.reachable && !galera.reachable; }
};

struct ClusterVerdict {
  std::optional<int64_t> min_days_left;      // over every served certificate
  std::vector<std::string> ca_fingerprints;  // distinct, sorted
  bool consistent = false;
  std::vector<std::string> problems;
  std::vector<std::size_t> unreachable;  // indexes of nodes that could not be reached
};

// The rules: a problem for every port that is unreachable, serves no TLS,
// serves a certificate within `warn_days` of its end (or past it), other
// than the file its configuration names, or one that does not verify
// against the configured CA; for Galera accepting plain peers; for a node
// whose files could not be read; and one when the nodes' CA files hold
// different CAs. Consistent: exactly one CA across the nodes, every port of
// every node serving a chain that verifies against it, no plain Galera and
// every node reached.
ClusterVerdict Judge(const std::vector<NodeReport>& nodes, int64_t warn_days);

}  // namespace pxc::resources::tlsprobe
