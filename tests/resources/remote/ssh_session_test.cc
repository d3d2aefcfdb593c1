// Tests for resources/remote/ssh_session.cc against a real OpenSSH server:
// targets refused before connecting, host key verification in all its
// forms, authentication and connection failures.
#include <gtest/gtest.h>

#include "resources/remote/ssh_client.h"
#include "tests/resources/remote/ssh_client_test_util.h"

namespace pxc::resources {
namespace {

using namespace ssh_test;  // NOLINT(build/namespaces)

// ---------------------------------------------------------------------------
// Without a server.

TEST(ShellQuote, QuotesEverythingForPosixSh) {
  struct Case {
    std::string in, want;
  } cases[] = {
      {"", "''"},
      {"plain", "'plain'"},
      {"it's", "'it'\\''s'"},
      {"$(rm -rf /) `x` \"y\" \\ ;|&", "'$(rm -rf /) `x` \"y\" \\ ;|&'"},
      {"line\nbreak", "'line\nbreak'"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ShellQuote(c.in), c.want);
    // And the shell gives back the original.
    if (c.in.find('\n') == std::string::npos) {
      EXPECT_EQ(RunCommand("printf %s " + ShellQuote(c.in)).output, c.in);
    }
  }
}

TEST(SshConnect, RejectsUnusableTargetsBeforeConnecting) {
  SshTarget t;
  t.host = "127.0.0.1";
  t.port = 1;
  t.insecure_ignore_host_key = true;
  auto no_creds = SshSession::Connect(t);
  EXPECT_EQ(no_creds.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(no_creds.status().message().find("private_key_pem, password or use_agent"),
            std::string::npos);

  t.password = "hunter2-secret";
  t.host = "root@evil";
  EXPECT_EQ(SshSession::Connect(t).status().code(), StatusCode::kInvalidArgument);
  t.host = "127.0.0.1";
  t.port = 70000;
  EXPECT_EQ(SshSession::Connect(t).status().code(), StatusCode::kInvalidArgument);

  t.port = 22;
  t.private_key_pem =
      "-----BEGIN OPENSSH PRIVATE KEY-----\nbm90IGEga2V5\n-----END OPENSSH PRIVATE KEY-----\n";
  auto bad_key = SshSession::Connect(t);
  EXPECT_EQ(bad_key.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_key.status().message().find("private_key_pem"), std::string::npos);
  EXPECT_EQ(bad_key.status().message().find("bm90IGEga2V5"), std::string::npos);
  EXPECT_EQ(bad_key.status().message().find("hunter2"), std::string::npos);
}

TEST_F(SshClientTest, ConnectsWithPinnedHostKeyAndReportsFingerprint) {
  SshSession s = Connect(sshd_->Target());
  EXPECT_EQ(s.HostKeyFingerprint(), sshd_->host_key().fingerprint);
  EXPECT_EQ(s.HostKeyType(), "ssh-ed25519");
  EXPECT_EQ(s.Describe(), Where());
  auto r = s.Exec("id -un");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stdout_text, "root\n");
}

TEST_F(SshClientTest, NegotiatesTheTypeOfThePinnedKey) {
  // The server has ed25519 and RSA host keys; whichever is pinned is used.
  SshTarget t = sshd_->Target();
  t.host_key = sshd_->rsa_host_key().public_line;
  auto rsa = SshSession::Connect(t);
  ASSERT_TRUE(rsa.ok()) << rsa.status().ToString();
  EXPECT_EQ(rsa->HostKeyType(), "ssh-rsa");
  EXPECT_EQ(rsa->HostKeyFingerprint(), sshd_->rsa_host_key().fingerprint);

  t.host_key.clear();
  t.known_hosts = KnownHostsName() + " " + sshd_->rsa_host_key().public_line;
  auto kh = SshSession::Connect(t);
  ASSERT_TRUE(kh.ok()) << kh.status().ToString();
  EXPECT_EQ(kh->HostKeyType(), "ssh-rsa");

  t.known_hosts.clear();
  t.insecure_ignore_host_key = true;  // Without pins libssh prefers ed25519.
  auto any = SshSession::Connect(t);
  ASSERT_TRUE(any.ok()) << any.status().ToString();
  EXPECT_EQ(any->HostKeyType(), "ssh-ed25519");
}

TEST_F(SshClientTest, AcceptsKeyscanLinesCommentsAndSeveralKeys) {
  auto other = MakeKeyPair(sshd_->dir());
  ASSERT_TRUE(other.ok());
  SshTarget t = sshd_->Target();
  t.host_key = "# pinned keys\n\n" + other->public_line + "\r\n127.0.0.1 " +
               sshd_->host_key().public_line + "\n";
  EXPECT_TRUE(SshSession::Connect(t).ok());
}

// A keyscan line pins the key for the host it names, not for every host:
// one node's line must not let another node (or an impostor with that
// node's key) in.
TEST_F(SshClientTest, KeyscanLinesAreMatchedByHost) {
  SshTarget t = sshd_->Target();
  t.host_key = "10.9.9.9 " + sshd_->host_key().public_line + "\n";
  auto s = SshSession::Connect(t);
  ASSERT_EQ(s.status().code(), StatusCode::kPermissionDenied) << s.status().ToString();
  EXPECT_NE(s.status().message().find("other hosts were not used: 10.9.9.9"), std::string::npos)
      << s.status().message();
  // The same key for this host, with the port as ssh-keyscan -p prints it,
  // or in a comma list, is accepted.
  t.host_key = KnownHostsName() + " " + sshd_->host_key().public_line;
  EXPECT_TRUE(SshSession::Connect(t).ok());
  t.host_key = "pxc9,127.0.0.1 " + sshd_->host_key().public_line;
  EXPECT_TRUE(SshSession::Connect(t).ok());
  // A line for another host next to a wrong key for this one: refused, and
  // the message says the other line was not used.
  auto other = MakeKeyPair(sshd_->dir());
  ASSERT_TRUE(other.ok());
  t.host_key = "10.9.9.9 " + sshd_->host_key().public_line + "\n127.0.0.1 " + other->public_line;
  s = SshSession::Connect(t);
  ASSERT_EQ(s.status().code(), StatusCode::kPermissionDenied) << s.status().ToString();
  EXPECT_NE(s.status().message().find(other->fingerprint), std::string::npos);
  EXPECT_NE(s.status().message().find("10.9.9.9"), std::string::npos);
}

TEST_F(SshClientTest, RefusesWrongHostKeyNamingTheOfferedFingerprint) {
  auto other = MakeKeyPair(sshd_->dir());
  ASSERT_TRUE(other.ok());
  SshTarget t = sshd_->Target();
  t.host_key = other->public_line;
  auto s = SshSession::Connect(t);
  ASSERT_EQ(s.status().code(), StatusCode::kPermissionDenied) << s.status().ToString();
  const std::string m = s.status().message();
  EXPECT_NE(m.find("host key verification failed for " + Where()), std::string::npos) << m;
  EXPECT_NE(m.find("ssh-ed25519 " + sshd_->host_key().fingerprint), std::string::npos) << m;
  EXPECT_NE(m.find(other->fingerprint), std::string::npos) << m;  // what was expected
  EXPECT_NE(m.find("insecure_ignore_host_key = true"), std::string::npos) << m;
  EXPECT_NE(m.find("update known_hosts"), std::string::npos) << m;
}

TEST_F(SshClientTest, RefusesUnknownHostWithoutAnyPins) {
  SshTarget t = sshd_->Target();
  t.host_key.clear();
  const size_t log_before = sshd_->Log().size();
  auto s = SshSession::Connect(t);
  ASSERT_EQ(s.status().code(), StatusCode::kPermissionDenied) << s.status().ToString();
  EXPECT_NE(s.status().message().find(sshd_->host_key().fingerprint), std::string::npos);
  EXPECT_NE(s.status().message().find("no key for \"" + KnownHostsName() + "\""), std::string::npos)
      << s.status().message();
  // The server never saw a credential.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let sshd log
  const std::string log = sshd_->Log().substr(log_before);
  EXPECT_EQ(log.find("publickey"), std::string::npos) << log;
  EXPECT_NE(log.find("[preauth]"), std::string::npos) << log;
}

TEST_F(SshClientTest, InsecureIgnoreHostKeyConnectsToAnyKey) {
  SshTarget t = sshd_->Target();
  t.host_key.clear();
  t.insecure_ignore_host_key = true;
  auto s = SshSession::Connect(t);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->HostKeyFingerprint(), sshd_->host_key().fingerprint);
}

TEST_F(SshClientTest, KnownHostsEntriesMatchLikeOpenSsh) {
  const std::string key = sshd_->host_key().public_line;
  const std::string port = std::to_string(sshd_->port());
  auto other = MakeKeyPair(sshd_->dir());
  ASSERT_TRUE(other.ok());
  struct Case {
    std::string name, known_hosts;
    bool ok;
  } cases[] = {
      {"bracketed host:port", "[127.0.0.1]:" + port + " " + key, true},
      {"comma list", "db1,[127.0.0.1]:" + port + ",db2 " + key, true},
      {"wildcard", "[127.0.0.*]:" + port + " " + key, true},
      {"plain host is port 22 only", "127.0.0.1 " + key, false},
      {"other port", "[127.0.0.1]:1" + port + " " + key, false},
      {"negated", "*,![127.0.0.1]:" + port + " " + key, false},
      {"other host", "[10.0.0.1]:" + port + " " + key, false},
      {"changed key", "[127.0.0.1]:" + port + " " + other->public_line, false},
      {"revoked wins", "[127.0.0.1]:" + port + " " + key + "\n@revoked * " + key, false},
      {"cert-authority ignored", "@cert-authority * " + key, false},
      {"garbage lines skipped",
       "not a line\n# comment\n[127.0.0.1]:" + port + " ssh-ed25519 !!!\n[127.0.0.1]:" + port +
           " " + key,
       true},
  };
  for (const Case& c : cases) {
    SshTarget t = sshd_->Target();
    t.host_key.clear();
    t.known_hosts = c.known_hosts;
    auto s = SshSession::Connect(t);
    if (c.ok) {
      EXPECT_TRUE(s.ok()) << c.name << ": " << s.status().ToString();
    } else {
      EXPECT_EQ(s.status().code(), StatusCode::kPermissionDenied) << c.name;
      EXPECT_NE(s.status().message().find(sshd_->host_key().fingerprint), std::string::npos)
          << c.name << ": " << s.status().message();
    }
  }
}

TEST_F(SshClientTest, KnownHostsRevokedAndChangedKeysAreExplained) {
  const std::string port = std::to_string(sshd_->port());
  SshTarget t = sshd_->Target();
  t.host_key.clear();
  t.known_hosts = "@revoked [127.0.0.1]:" + port + " " + sshd_->host_key().public_line;
  auto s = SshSession::Connect(t);
  ASSERT_EQ(s.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(s.status().message().find("@revoked"), std::string::npos) << s.status().message();
}

TEST_F(SshClientTest, HashedKnownHostsEntriesWork) {
  std::string file = sshd_->dir() + "/known_hosts_hashed";
  WriteLocal(file, KnownHostsName() + " " + sshd_->host_key().public_line + "\n", 0600);
  CommandResult r = RunCommand("ssh-keygen -q -H -f " + ShellQuote(file));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string hashed = ReadLocal(file);
  ASSERT_EQ(hashed.rfind("|1|", 0), 0u) << hashed;
  SshTarget t = sshd_->Target();
  t.host_key.clear();
  t.known_hosts = hashed;
  auto s = SshSession::Connect(t);
  EXPECT_TRUE(s.ok()) << s.status().ToString();

  // The same hashed line does not vouch for another port.
  t.port = sshd_->port() == 65535 ? 1 : sshd_->port() + 1;
  WriteLocal(file, "[127.0.0.1]:" + std::to_string(t.port) + " " + sshd_->host_key().public_line,
             0600);
  ASSERT_EQ(RunCommand("ssh-keygen -q -H -f " + ShellQuote(file)).exit_code, 0);
  t.port = sshd_->port();
  t.known_hosts = ReadLocal(file);
  EXPECT_EQ(SshSession::Connect(t).status().code(), StatusCode::kPermissionDenied);
}

TEST_F(SshClientTest, MalformedHostKeyIsInvalidArgumentWithoutEchoingSecrets) {
  SshTarget t = sshd_->Target();
  t.host_key = "ssh-ed25519 not-base64!!";
  auto s = SshSession::Connect(t);
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("host_key line 1"), std::string::npos);

  t.host_key = sshd_->client_key().private_pem;  // A classic mix-up.
  s = SshSession::Connect(t);
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("contains a private key"), std::string::npos);
  std::istringstream pem(sshd_->client_key().private_pem);
  std::string line;
  std::getline(pem, line);
  std::getline(pem, line);  // First base64 line of the key.
  EXPECT_EQ(s.status().message().find(line), std::string::npos);
}

// --- authentication ----------------------------------------------------------

TEST_F(SshClientTest, WrongClientKeyIsPermissionDeniedListingMethods) {
  auto other = MakeKeyPair(sshd_->dir());
  ASSERT_TRUE(other.ok());
  SshTarget t = sshd_->Target();
  t.private_key_pem = other->private_pem;
  auto s = SshSession::Connect(t);
  ASSERT_EQ(s.status().code(), StatusCode::kPermissionDenied) << s.status().ToString();
  const std::string m = s.status().message();
  EXPECT_NE(m.find("authentication as \"root\" failed on " + Where()), std::string::npos) << m;
  EXPECT_NE(m.find("tried publickey (private_key_pem)"), std::string::npos) << m;
  EXPECT_NE(m.find("the server accepts publickey, password"), std::string::npos) << m;
  EXPECT_EQ(m.find("PRIVATE KEY"), std::string::npos);
}

TEST_F(SshClientTest, EncryptedKeyNeedsItsPassphrase) {
  auto enc = MakeKeyPair(sshd_->dir(), "correct horse");
  ASSERT_TRUE(enc.ok());
  ASSERT_TRUE(sshd_->Authorize(enc->public_line).ok());
  SshTarget t = sshd_->Target();
  t.private_key_pem = enc->private_pem;
  auto missing = SshSession::Connect(t);
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("missing"), std::string::npos);
  t.private_key_passphrase = "wrong horse";
  auto wrong = SshSession::Connect(t);
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(wrong.status().message().find("wrong horse"), std::string::npos);
  t.private_key_passphrase = "correct horse";
  auto ok = SshSession::Connect(t);
  EXPECT_TRUE(ok.ok()) << ok.status().ToString();
}

TEST_F(SshClientTest, PasswordAuthentication) {
  SshTarget t = sshd_->Target(sshd_->user());
  t.private_key_pem.clear();
  t.password = sshd_->password();
  auto s = SshSession::Connect(t);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto r = s->Exec("id -un");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->stdout_text, sshd_->user() + "\n");

  t.password = "not-" + sshd_->password();
  auto bad = SshSession::Connect(t);
  ASSERT_EQ(bad.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(bad.status().message().find("tried password"), std::string::npos)
      << bad.status().message();
  EXPECT_EQ(bad.status().message().find(sshd_->password()), std::string::npos);
}

TEST_F(SshClientTest, KeyIsTriedBeforePassword) {
  auto other = MakeKeyPair(sshd_->dir());
  ASSERT_TRUE(other.ok());
  SshTarget t = sshd_->Target(sshd_->user());
  t.private_key_pem = other->private_pem;  // rejected
  t.password = sshd_->password();          // accepted
  auto s = SshSession::Connect(t);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
}

TEST_F(SshClientTest, AgentAuthentication) {
  const char* saved = std::getenv("SSH_AUTH_SOCK");
  std::string saved_value = saved ? saved : "";
  std::string sock = sshd_->dir() + "/agent.sock";
  CommandResult agent = RunCommand("ssh-agent -s -a " + ShellQuote(sock));
  ASSERT_EQ(agent.exit_code, 0) << agent.output;
  size_t at = agent.output.find("SSH_AGENT_PID=");
  ASSERT_NE(at, std::string::npos);
  pid_t agent_pid = static_cast<pid_t>(std::stol(agent.output.substr(at + 14)));
  std::string keyfile = sshd_->dir() + "/agent-key";
  WriteLocal(keyfile, sshd_->client_key().private_pem, 0600);
  CommandResult add =
      RunCommand("SSH_AUTH_SOCK=" + ShellQuote(sock) + " ssh-add " + ShellQuote(keyfile));
  fs::remove(keyfile);
  ASSERT_EQ(add.exit_code, 0) << add.output;

  SshTarget t = sshd_->Target();
  t.private_key_pem.clear();
  t.use_agent = true;
  ::setenv("SSH_AUTH_SOCK", sock.c_str(), 1);
  auto s = SshSession::Connect(t);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  ::unsetenv("SSH_AUTH_SOCK");
  auto no_sock = SshSession::Connect(t);
  EXPECT_EQ(no_sock.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(no_sock.status().message().find("SSH_AUTH_SOCK is not set"), std::string::npos)
      << no_sock.status().message();
  if (saved) ::setenv("SSH_AUTH_SOCK", saved_value.c_str(), 1);
  ::kill(agent_pid, SIGTERM);
}

// --- reachability --------------------------------------------------------------

TEST_F(SshClientTest, ClosedPortIsUnavailableQuickly) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);  // Nobody listens there now.

  SshTarget t = sshd_->Target();
  t.label.clear();
  t.port = port;
  auto start = Clock::now();
  auto s = SshSession::Connect(t);
  EXPECT_LT(SecondsSince(start), 3.0);
  ASSERT_EQ(s.status().code(), StatusCode::kUnavailable) << s.status().ToString();
  EXPECT_NE(s.status().message().find("cannot connect to 127.0.0.1:" + std::to_string(port) + ": "),
            std::string::npos)
      << s.status().message();
  EXPECT_NE(s.status().message().find("refused"), std::string::npos) << s.status().message();
}

TEST_F(SshClientTest, SilentServerTimesOutAsUnavailable) {
  // A socket that listens but never speaks SSH.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);

  SshTarget t = sshd_->Target();
  t.port = ntohs(addr.sin_port);
  t.connect_timeout_seconds = 1;
  auto start = Clock::now();
  auto s = SshSession::Connect(t);
  double took = SecondsSince(start);
  ::close(fd);
  EXPECT_EQ(s.status().code(), StatusCode::kUnavailable) << s.status().ToString();
  EXPECT_LT(took, 5.0);
}

TEST_F(SshClientTest, UnresolvableHostIsUnavailable) {
  SshTarget t = sshd_->Target();
  t.host = "no-such-host.invalid";
  auto s = SshSession::Connect(t);
  EXPECT_EQ(s.status().code(), StatusCode::kUnavailable) << s.status().ToString();
  EXPECT_NE(s.status().message().find("no-such-host.invalid"), std::string::npos);
}

// --- Exec ----------------------------------------------------------------------

}  // namespace
}  // namespace pxc::resources
