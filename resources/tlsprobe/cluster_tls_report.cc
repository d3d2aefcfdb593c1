#include "resources/tlsprobe/cluster_tls_report.h"

#include <algorithm>
#include <map>
#include <set>

namespace pxc::resources::tlsprobe {

namespace {

std::string PortName(const PortReport& p) {
  std::string s = p.kind;
  s.append(" port ");
  s.append(std::to_string(p.port));
  return s;
}

std::string Short(const std::string& fingerprint) {
  return fingerprint.size() > 16 ? fingerprint.substr(0, 16) : fingerprint;
}

void PortProblems(const NodeReport& n, const PortReport& p, int64_t warn_days,
                  std::vector<std::string>& out) {
  const std::string who = n.name + ": ";
  if (!p.reachable) {
    if (n.Unreachable()) return;  // said once for the node
    out.push_back(who + PortName(p) + " cannot be reached (" + p.error + ").");
    return;
  }
  if (!p.served) {
    out.push_back(who + PortName(p) + " does not serve TLS (" + p.error + ").");
    return;
  }
  const CertSummary& c = *p.served;
  if (c.days_left < 0) {
    out.push_back(who + "the certificate served on " + PortName(p) + " (serial " + c.serial +
                  ") expired at " + c.not_after + ".");
  } else if (c.days_left <= warn_days) {
    out.push_back(who + "the certificate served on " + PortName(p) + " (serial " + c.serial +
                  ") expires at " + c.not_after + ", in " + std::to_string(c.days_left) +
                  " days (warn_days is " + std::to_string(warn_days) + ").");
  }
  if (p.files_read && !p.file_problem.empty()) {
    out.push_back(who + p.file_problem);
  }
  if (p.matches_file == std::optional<bool>(false)) {
    out.push_back(who + PortName(p) + " serves serial " + c.serial + " but " + p.cert_file +
                  " holds serial " + p.cert_file_serial +
                  ": the file changed and the server has not loaded it yet (reload or restart).");
  }
  if (p.verified == std::optional<bool>(false)) {
    out.push_back(who + "the certificate served on " + PortName(p) +
                  " does not verify against the configured CA " + p.ca_file + " (" +
                  p.verify_error + ").");
  }
  if (p.plain_accepted == std::optional<bool>(true)) {
    out.push_back(who + PortName(p) +
                  " still accepts unencrypted peers (a plain connection got Galera's own "
                  "handshake): remove socket.dynamic from wsrep_provider_options and restart.");
  }
}

}  // namespace

int64_t DaysLeft(std::chrono::system_clock::time_point not_after,
                 std::chrono::system_clock::time_point now) {
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(not_after - now).count();
  const int64_t day = 86400;
  return secs >= 0 ? secs / day : -((-secs + day - 1) / day);
}

CertSummary Summarize(const Certificate& cert, std::chrono::system_clock::time_point now) {
  CertSummary s;
  s.subject = cert.SubjectString();
  s.issuer = cert.IssuerString();
  s.serial = cert.SerialDecimal();
  s.sha256_fingerprint = cert.Sha256Fingerprint();
  s.not_after = FormatRfc3339(cert.NotAfter());
  s.days_left = DaysLeft(cert.NotAfter(), now);
  s.dns_names = cert.DnsNames();
  s.ip_addresses = cert.IpAddresses();
  return s;
}

ClusterVerdict Judge(const std::vector<NodeReport>& nodes, int64_t warn_days) {
  ClusterVerdict v;
  bool all_verified = true;
  bool any_plain = false;
  // CA fingerprint -> nodes whose CA files hold it.
  std::map<std::string, std::set<std::string>> cas;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const NodeReport& n = nodes[i];
    if (n.Unreachable()) {
      v.unreachable.push_back(i);
      v.problems.push_back(n.name + " (" + n.host + ") cannot be reached: " + n.mysql.kind +
                           " port " + std::to_string(n.mysql.port) + ": " + n.mysql.error + "; " +
                           n.galera.kind + " port " + std::to_string(n.galera.port) + ": " +
                           n.galera.error + "; SSH: " + n.ssh_error + ".");
      all_verified = false;
      continue;
    }
    if (!n.ssh_ok) {
      v.problems.push_back(n.name +
                           ": its configuration and certificate files could not be read "
                           "over SSH (" +
                           n.ssh_error + "), so nothing was compared with them.");
    }
    for (const PortReport* p : {&n.mysql, &n.galera}) {
      PortProblems(n, *p, warn_days, v.problems);
      if (p->served) {
        v.min_days_left = v.min_days_left ? std::min(*v.min_days_left, p->served->days_left)
                                          : p->served->days_left;
      }
      if (p->verified != std::optional<bool>(true)) all_verified = false;
      if (p->plain_accepted == std::optional<bool>(true)) any_plain = true;
      for (const auto& f : p->ca_fingerprints) cas[f].insert(n.name);
    }
  }
  for (const auto& [f, _] : cas) v.ca_fingerprints.push_back(f);
  if (cas.size() > 1) {
    std::string s = "The nodes trust " + std::to_string(cas.size()) + " different CAs:";
    bool first = true;
    for (const auto& [f, who] : cas) {
      s.append(first ? " " : "; ");
      first = false;
      s.append(Short(f));
      s.append(" (");
      bool first_node = true;
      for (const auto& name : who) {
        if (!first_node) s.append(", ");
        first_node = false;
        s.append(name);
      }
      s.push_back(')');
    }
    s.push_back('.');
    v.problems.push_back(std::move(s));
  }
  v.consistent =
      !nodes.empty() && cas.size() == 1 && all_verified && !any_plain && v.unreachable.empty();
  return v;
}

}  // namespace pxc::resources::tlsprobe
