#include "resources/tlsprobe/cluster_tls_report.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace pxc::resources::tlsprobe {
namespace {

using std::chrono::hours;
using Clock = std::chrono::system_clock;

CertSummary Cert(const std::string& serial, int64_t days_left) {
  CertSummary c;
  c.serial = serial;
  c.days_left = days_left;
  c.not_after = "2027-01-01T00:00:00Z";
  return c;
}

PortReport Healthy(const std::string& kind, int port, const std::string& serial) {
  PortReport p;
  p.kind = kind;
  p.port = port;
  p.reachable = true;
  p.served = Cert(serial, 300);
  p.tls_versions = {"TLSv1.2", "TLSv1.3"};
  p.ca_file = "/etc/mysql/certs/ca-cert.pem";
  p.cert_file = "/etc/mysql/certs/node-cert.pem";
  p.files_read = true;
  p.ca_fingerprints = {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
  p.cert_file_serial = serial;
  p.matches_file = true;
  p.verified = true;
  if (kind == "Galera") p.plain_accepted = false;
  return p;
}

NodeReport Node(const std::string& name, const std::string& serial) {
  NodeReport n;
  n.name = name;
  n.host = "10.0.0." + std::to_string(name.back() - '0');
  n.ssh_ok = true;
  n.mysql = Healthy("MySQL", 3306, serial);
  n.galera = Healthy("Galera", 4567, serial);
  return n;
}

std::vector<NodeReport> Cluster() {
  return {Node("pxc1", "11"), Node("pxc2", "22"), Node("pxc3", "33")};
}

TEST(ClusterTlsReport, HealthyClusterIsConsistent) {
  auto v = Judge(Cluster(), 30);
  EXPECT_TRUE(v.consistent);
  EXPECT_TRUE(v.problems.empty());
  EXPECT_EQ(v.ca_fingerprints, std::vector<std::string>{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"});
  EXPECT_EQ(v.min_days_left, 300);
  EXPECT_TRUE(v.unreachable.empty());
}

TEST(ClusterTlsReport, ServedCertificateOtherThanTheFile) {
  auto c = Cluster();
  c[0].mysql.matches_file = false;
  c[0].mysql.cert_file_serial = "99";
  auto v = Judge(c, 30);
  EXPECT_TRUE(v.consistent) << "a file not yet loaded is a problem, not an inconsistency";
  ASSERT_EQ(v.problems.size(), 1u);
  EXPECT_EQ(v.problems[0],
            "pxc1: MySQL port 3306 serves serial 11 but /etc/mysql/certs/node-cert.pem holds "
            "serial 99: the file changed and the server has not loaded it yet (reload or "
            "restart).");
}

TEST(ClusterTlsReport, AnotherCaMakesTheClusterInconsistent) {
  auto c = Cluster();
  for (PortReport* p : {&c[2].mysql, &c[2].galera}) {
    p->ca_fingerprints = {"bbbbbbbbbbbbbbbbbbbbbbbb"};
    p->verified = false;
    p->verify_error = "unable to get local issuer certificate";
  }
  auto v = Judge(c, 30);
  EXPECT_FALSE(v.consistent);
  EXPECT_EQ(v.ca_fingerprints.size(), 2u);
  ASSERT_EQ(v.problems.size(), 3u);
  EXPECT_EQ(v.problems[0],
            "pxc3: the certificate served on MySQL port 3306 does not verify against the "
            "configured CA /etc/mysql/certs/ca-cert.pem (unable to get local issuer "
            "certificate).");
  EXPECT_EQ(v.problems[2],
            "The nodes trust 2 different CAs: aaaaaaaaaaaaaaaa (pxc1, pxc2); bbbbbbbbbbbbbbbb "
            "(pxc3).");
}

TEST(ClusterTlsReport, CertificateWithinWarnDays) {
  auto c = Cluster();
  c[1].galera.served->days_left = 4;
  c[1].galera.served->not_after = "2026-12-12T10:00:00Z";
  auto v = Judge(c, 30);
  EXPECT_TRUE(v.consistent);
  EXPECT_EQ(v.min_days_left, 4);
  ASSERT_EQ(v.problems.size(), 1u);
  EXPECT_EQ(v.problems[0],
            "pxc2: the certificate served on Galera port 4567 (serial 22) expires at "
            "2026-12-12T10:00:00Z, in 4 days (warn_days is 30).");
  // At exactly warn_days it is a problem; one day more is not.
  c[1].galera.served->days_left = 30;
  EXPECT_EQ(Judge(c, 30).problems.size(), 1u);
  c[1].galera.served->days_left = 31;
  EXPECT_TRUE(Judge(c, 30).problems.empty());
}

TEST(ClusterTlsReport, ExpiredCertificate) {
  auto c = Cluster();
  c[0].mysql.served->days_left = -2;
  auto v = Judge(c, 30);
  EXPECT_EQ(v.min_days_left, -2);
  ASSERT_EQ(v.problems.size(), 1u);
  EXPECT_EQ(v.problems[0],
            "pxc1: the certificate served on MySQL port 3306 (serial 11) expired at "
            "2027-01-01T00:00:00Z.");
}

TEST(ClusterTlsReport, PlainGaleraIsInconsistent) {
  auto c = Cluster();
  c[1].galera.plain_accepted = true;
  auto v = Judge(c, 30);
  EXPECT_FALSE(v.consistent);
  ASSERT_EQ(v.problems.size(), 1u);
  EXPECT_EQ(v.problems[0],
            "pxc2: Galera port 4567 still accepts unencrypted peers (a plain connection got "
            "Galera's own handshake): remove socket.dynamic from wsrep_provider_options and "
            "restart.");
}

TEST(ClusterTlsReport, UnreachableNodeIsOneProblem) {
  auto c = Cluster();
  NodeReport& n = c[2];
  n.ssh_ok = false;
  n.ssh_error = "cannot connect";
  n.mysql = PortReport{.kind = "MySQL", .port = 3306, .error = "No route to host"};
  n.galera = PortReport{.kind = "Galera", .port = 4567, .error = "No route to host"};
  auto v = Judge(c, 30);
  EXPECT_FALSE(v.consistent);
  EXPECT_EQ(v.unreachable, std::vector<std::size_t>{2});
  ASSERT_EQ(v.problems.size(), 1u);
  EXPECT_EQ(v.problems[0],
            "pxc3 (10.0.0.3) cannot be reached: MySQL port 3306: No route to host; Galera port "
            "4567: No route to host; SSH: cannot connect.");
}

TEST(ClusterTlsReport, PortWithoutTlsAndNodeWithoutSsh) {
  auto c = Cluster();
  c[0].mysql.served.reset();
  c[0].mysql.verified.reset();
  c[0].mysql.matches_file.reset();
  c[0].mysql.error = "the server does not offer TLS (no CLIENT_SSL in its greeting)";
  c[1].ssh_ok = false;
  c[1].ssh_error = "permission denied";
  auto v = Judge(c, 30);
  EXPECT_FALSE(v.consistent);
  ASSERT_EQ(v.problems.size(), 2u);
  EXPECT_EQ(v.problems[0],
            "pxc1: MySQL port 3306 does not serve TLS (the server does not offer TLS (no "
            "CLIENT_SSL in its greeting)).");
  EXPECT_EQ(v.problems[1],
            "pxc2: its configuration and certificate files could not be read over SSH "
            "(permission denied), so nothing was compared with them.");
}

TEST(ClusterTlsReport, DaysLeftRoundsDown) {
  const auto now = Clock::time_point(std::chrono::seconds(1'800'000'000));
  EXPECT_EQ(DaysLeft(now + hours(24 * 5) - std::chrono::seconds(10), now), 4);
  EXPECT_EQ(DaysLeft(now + hours(24 * 5), now), 5);
  EXPECT_EQ(DaysLeft(now, now), 0);
  EXPECT_EQ(DaysLeft(now - std::chrono::seconds(1), now), -1);
  EXPECT_EQ(DaysLeft(now - hours(24), now), -1);
  EXPECT_EQ(DaysLeft(now - hours(25), now), -2);
}

}  // namespace
}  // namespace pxc::resources::tlsprobe
