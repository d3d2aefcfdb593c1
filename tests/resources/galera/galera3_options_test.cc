// The provider options the pxc57 flavor writes, checked against Galera 3
// itself: Debian's galera-arbitrator-3 (garbd 25.3.x, the Galera generation
// Percona XtraDB Cluster 5.7 ships) parses wsrep provider options as mysqld's
// Galera does and stops with "Unrecognized parameter '<name>'" at the first
// it does not know. Two garbd run on loopback only (127.0.0.1 and
// 127.0.0.2, each the other's peer) with pc.wait_prim_timeout=PT2S, so an
// accepted option list ends in a connection timeout ("failed to reach
// primary view") after a TLS handshake between them with the node's files,
// and a rejected one in "Unrecognized parameter" at once. Needs garbd
// (scripts/install-deps.sh test).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "resources/galera/mycnf.h"
#include "resources/galera/tls_options.h"
#include "resources/remote/ssh_client.h"

namespace pxc::resources {
namespace {

struct Result {
  int status = -1;
  std::string output;
};

Result Sh(const std::string& cmd) {
  Result r;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

class Galera3Options : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(Sh("command -v garbd").status, 0)
        << "garbd (Debian package galera-arbitrator-3) is not installed; run "
           "scripts/install-deps.sh test";
    Result v = Sh("garbd --version");
    // Galera 3: "3.37.r" (Debian's galera-3 25.3.37).
    ASSERT_NE(v.output.find(" 3."), std::string::npos) << "not Galera 3's garbd: " << v.output;
    char tmpl[] = "/tmp/pxc-galera3-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    // A CA and a node certificate, as pxc_node_cert makes them (ECDSA P-256).
    Result certs =
        Sh("cd " + ShellQuote(dir_) +
           " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "
           "ca-key.pem -out ca-cert.pem -subj /CN=Galera3-Test-CA -days 1"
           " && openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "
           "n1-key.pem -out n1.csr -subj /CN=n1"
           " && openssl x509 -req -in n1.csr -CA ca-cert.pem -CAkey ca-key.pem -CAcreateserial "
           "-out n1-cert.pem -days 1");
    ASSERT_EQ(certs.status, 0) << certs.output;
    std::random_device rd;
    port_ = 20000 + static_cast<int>(rd() % 20000);
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // The wsrep_provider_options value pxc57 leaves in a my.cnf that had
  // `socket.ssl=no` (which pxc removes) and nothing else: exactly the
  // options pxc57 writes.
  std::string Pxc57ProviderOptions() {
    TlsOptionsSpec spec;
    spec.flavor = "pxc57";
    spec.cert_dir = dir_;
    spec.name = "n1";
    auto doc = Document::Parse("[mysqld]\nwsrep_provider_options=\"socket.ssl=no\"\n");
    EXPECT_TRUE(doc.ok());
    auto rec = ApplyManaged(&*doc, ManagedTlsOptions(spec));
    EXPECT_TRUE(rec.ok()) << rec.status().message();
    return doc->Get("mysqld", "wsrep_provider_options").value_or("");
  }

  // Runs two garbd with `options` (plus their loopback listener and a short
  // wait for a primary view), each listening on its own loopback address
  // (127.0.0.1 and 127.0.0.2, same port) with the other as its peer, and
  // returns both outputs. Two arbitrators never form a primary component,
  // so accepted options end in "failed to reach primary view" after the TLS
  // handshake between them.
  Result Garbd(const std::string& options) {
    const std::string port = std::to_string(port_);
    auto cmd = [&](const std::string& me, const std::string& peer) {
      return "timeout 60 garbd --address gcomm://" + peer + ":" + port +
             " --group pxc-galera3-test --options " +
             ShellQuote("gmcast.listen_addr=tcp://" + me + ":" + port +
                        "; pc.wait_prim_timeout=PT2S; " + options);
    };
    // Each in its own working directory (garbd keeps its state there). The
    // second starts half a second after the first: started together, the
    // two once made the same time-based node UUID and the handshake ended
    // in "duplicate uuid" instead of the TLS handshake and no primary view.
    return Sh("cd " + ShellQuote(dir_) + " && mkdir -p a b && { cd b && " +
              cmd("127.0.0.2", "127.0.0.1") + " > ../b.log 2>&1 & } ; sleep 0.5; cd a && " +
              cmd("127.0.0.1", "127.0.0.2") + "; rc=$?; wait; cat ../b.log; exit $rc");
  }

  std::string dir_;
  int port_ = 0;
};

TEST_F(Galera3Options, AcceptsEveryProviderOptionPxc57Writes) {
  const std::string written = Pxc57ProviderOptions();
  auto opts = ParseProviderOptions(written);
  ASSERT_EQ(opts.size(), 3u) << written;  // socket.ssl_cert, socket.ssl_key, socket.ssl_ca
  // garbd 25.3.x does not default socket.ssl_cipher as mysqld's Galera does
  // (fixed for garbd in Galera 26.4.12, MDEV-28158): give it one, as
  // Percona's garbd setups do. It is not something pxc writes.
  Result r = Garbd(written + "; socket.ssl_cipher=AES128-SHA256");
  EXPECT_EQ(r.output.find("Unrecognized parameter"), std::string::npos) << r.output;
  // It got as far as the network: TLS with the node's files (garbd reached
  // itself), then no primary view since it is alone.
  EXPECT_NE(r.output.find("initializing ssl context"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("SSL handshake successful"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("failed to reach primary view"), std::string::npos) << r.output;
}

TEST_F(Galera3Options, RejectsTheGalera4OptionsPxc57MustNeverWrite) {
  const std::string written = Pxc57ProviderOptions();
  EXPECT_EQ(written.find("socket.dynamic"), std::string::npos);
  EXPECT_EQ(written.find("socket.ssl_reload"), std::string::npos);
  // What `rolling` (pass 1) and `reload` would need: Galera 3 refuses both,
  // which is why pxc refuses those strategies for pxc57.
  for (const char* extra : {"socket.dynamic=yes", "socket.ssl_reload=1"}) {
    Result r = Garbd(written + "; socket.ssl_cipher=AES128-SHA256; " + extra);
    const std::string name = std::string(extra).substr(0, std::string(extra).find('='));
    EXPECT_NE(r.output.find("Unrecognized parameter '" + name + "'"), std::string::npos)
        << r.output;
    EXPECT_NE(r.status, 0);
  }
}

}  // namespace
}  // namespace pxc::resources
