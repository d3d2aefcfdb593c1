// resources/galera/tls_options.h, pxc_node_tls_config's my.cnf logic: the
// options written per flavor (PXC 5.7's [sst] encrypt=4, pxc80's
// pxc-encrypt-cluster-traffic, an explicit socket.ssl=no removed), their
// byte-exact undo, and the options read later through includes or other
// sections that override them (file and line).
#include "resources/galera/tls_options.h"

#include <gtest/gtest.h>

#include <map>

#include "resources/galera/galera_tls.h"

namespace pxc::resources {
namespace {

TlsOptionsSpec Spec(const std::string& flavor) {
  TlsOptionsSpec s;
  s.flavor = flavor;
  return s;
}

struct Applied {
  Document doc;
  std::vector<ManagedEdit> records;
};

Applied Apply(const std::string& text, const std::string& flavor) {
  auto doc = Document::Parse(text);
  EXPECT_TRUE(doc.ok());
  auto records = ApplyManaged(&*doc, ManagedTlsOptions(Spec(flavor)));
  EXPECT_TRUE(records.ok()) << records.status().message();
  return {*doc, records.ok() ? *records : std::vector<ManagedEdit>{}};
}

std::string Undone(Applied a) {
  UndoReport rep = UndoManaged(&a.doc, a.records);
  EXPECT_TRUE(rep.clean());
  return a.doc.Serialize();
}

std::vector<TreeOption> TreeOf(const Document& root,
                               const std::map<std::string, std::string>& files = {}) {
  OptionFileSource src;
  src.read_file = [&](const std::string& p) -> StatusOr<std::optional<std::string>> {
    auto it = files.find(p);
    if (it == files.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  };
  src.list_dir = [&](const std::string& dir) -> StatusOr<std::vector<std::string>> {
    std::vector<std::string> names;
    for (const auto& [p, _] : files) {
      if (p.rfind(dir + "/", 0) == 0) names.push_back(p.substr(dir.size() + 1));
    }
    return names;
  };
  auto t = ReadOptionTree("/etc/mysql/my.cnf", root, src);
  EXPECT_TRUE(t.ok());
  return t.ok() ? *t : std::vector<TreeOption>{};
}

constexpr char kCnf[] =
    "[mysqld]\nuser = mysql\nwsrep_provider_options = \"gcache.size=32M\"\n\n"
    "[client]\nsocket = /run/mysqld/mysqld.sock\n";

TEST(NodeTlsConfigOptions, Pxc57EncryptsSstWithTheNodeFilesAndUndoesItByteExactly) {
  Applied a = Apply(kCnf, "pxc57");
  const Document& d = a.doc;
  EXPECT_EQ(d.Get("sst", "encrypt"), std::optional<std::string>("4"));
  EXPECT_EQ(d.Get("sst", "ssl-ca"), std::optional<std::string>("/etc/mysql/certs/ca-cert.pem"));
  EXPECT_EQ(d.Get("sst", "ssl-cert"), std::optional<std::string>("/etc/mysql/certs/pxc1-cert.pem"));
  EXPECT_EQ(d.Get("sst", "ssl-key"), std::optional<std::string>("/etc/mysql/certs/pxc1-key.pem"));
  EXPECT_EQ(d.Get("mysqld", "ssl-cert"),
            std::optional<std::string>("/etc/mysql/certs/pxc1-cert.pem"));
  auto opts = ParseProviderOptions(d.Get("mysqld", "wsrep_provider_options").value_or(""));
  EXPECT_EQ(GetProviderOption(opts, "socket.ssl_key"),
            std::optional<std::string>("/etc/mysql/certs/pxc1-key.pem"));
  EXPECT_EQ(GetProviderOption(opts, "gcache.size"), std::optional<std::string>("32M"));
  // No Galera 4 option is ever written for PXC 5.7 (Galera 3).
  EXPECT_FALSE(GetProviderOption(opts, "socket.dynamic"));
  EXPECT_FALSE(GetProviderOption(opts, "socket.ssl_reload"));
  EXPECT_EQ(Undone(a), kCnf);
  // An [sst] section of the user's (clear-text encrypt=0) is changed in place
  // and given back as it was.
  const std::string with_sst = std::string(kCnf) + "\n[sst]\nstreamfmt=xbstream\nencrypt = 0\n";
  Applied b = Apply(with_sst, "pxc57");
  EXPECT_EQ(b.doc.Get("sst", "encrypt"), std::optional<std::string>("4"));
  EXPECT_EQ(b.doc.Get("sst", "streamfmt"), std::optional<std::string>("xbstream"));
  EXPECT_EQ(Undone(b), with_sst);
  // Other flavors have no [sst] edit: PXC 8.0 derives SST TLS itself and
  // MariaDB's SST scripts take [mysqld] ssl-*.
  EXPECT_FALSE(Apply(kCnf, "pxc80").doc.HasSection("sst"));
  EXPECT_FALSE(Apply(kCnf, "mariadb").doc.HasSection("sst"));
}

TEST(NodeTlsConfigOptions, Pxc80SetsEncryptClusterTrafficAndNoProviderTlsOptions) {
  const std::string cnf =
      "[mysqld]\nwsrep_provider_options=\"gcache.size=32M\"\npxc-encrypt-cluster-traffic=ON\n"
      "datadir=/var/lib/mysql\npxc_encrypt_cluster_traffic = OFF\n";
  Applied a = Apply(cnf, "pxc80");
  // The OFF further down is the one mysqld uses: that is the line changed.
  EXPECT_EQ(a.doc.Get("mysqld", "pxc-encrypt-cluster-traffic"), std::optional<std::string>("ON"));
  EXPECT_EQ(a.doc.LineText(5), "pxc_encrypt_cluster_traffic = ON");
  auto opts = ParseProviderOptions(a.doc.Get("mysqld", "wsrep_provider_options").value_or(""));
  EXPECT_FALSE(GetProviderOption(opts, "socket.ssl_cert"));
  EXPECT_TRUE(ConfiguredGaleraTls("pxc80", a.doc));
  EXPECT_EQ(Undone(a), cnf);
  // Without any wsrep_provider_options line, none is added.
  Applied b = Apply("[mysqld]\nuser=mysql\n", "pxc80");
  EXPECT_FALSE(b.doc.Get("mysqld", "wsrep_provider_options"));
}

TEST(NodeTlsConfigOptions, AnExplicitSocketSslNoIsRemovedForEveryFlavorAndPutBack) {
  const std::string cnf = "[mysqld]\nwsrep_provider_options = \"gcache.size=32M; socket.ssl=no\"\n";
  for (const char* flavor : {"pxc57", "pxc80", "mariadb"}) {
    Applied a = Apply(cnf, flavor);
    auto opts = ParseProviderOptions(a.doc.Get("mysqld", "wsrep_provider_options").value_or(""));
    EXPECT_FALSE(GetProviderOption(opts, "socket.ssl")) << flavor;
    EXPECT_EQ(GetProviderOption(opts, "gcache.size"), std::optional<std::string>("32M"));
    EXPECT_TRUE(ConfiguredGaleraTls(flavor, a.doc)) << flavor;
    // The plan shows it: the managed configuration lists it as "(absent)".
    auto eff = EffectiveTlsConfig(Spec(flavor), TreeOf(a.doc));
    EXPECT_EQ(eff.at("[mysqld] wsrep_provider_options: socket.ssl"), "(absent)") << flavor;
    EXPECT_EQ(Undone(a), cnf) << flavor;
  }
}

TEST(NodeTlsConfigOptions, ConflictsReadLaterNameTheirFileAndLine) {
  // Debian-style: the drop-in directory is read after [mysqld].
  const std::string cnf = std::string(kCnf) + "!includedir /etc/mysql/conf.d\n";
  Applied a = Apply(cnf, "mariadb");
  const std::map<std::string, std::string> files = {
      {"/etc/mysql/conf.d/10-other.cnf", "[client]\nport=3306\n"},
      {"/etc/mysql/conf.d/50-galera.cnf",
       "# galera\n[galera]\nwsrep_provider_options=\"socket.ssl=no\"\n"},
      {"/etc/mysql/conf.d/readme.txt", "[mysqld]\nssl-ca=/ignored\n"}};
  auto tree = TreeOf(a.doc, files);
  auto conflicts = TlsConfigConflicts(Spec("mariadb"), tree);
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_NE(conflicts[0].find("/etc/mysql/conf.d/50-galera.cnf line 3 ([galera] "
                              "wsrep_provider_options)"),
            std::string::npos)
      << conflicts[0];
  EXPECT_NE(conflicts[0].find("socket.ssl_cert="), std::string::npos) << conflicts[0];
  // What is in effect shows the override (so a refresh shows drift).
  auto eff = EffectiveTlsConfig(Spec("mariadb"), tree);
  EXPECT_EQ(eff.at("[mysqld] wsrep_provider_options: socket.ssl_cert"), "(absent)");
  EXPECT_EQ(eff.at("[mysqld] wsrep_provider_options: socket.ssl"), "no");
  EXPECT_EQ(eff.at("[mysqld] ssl-ca"), "/etc/mysql/certs/ca-cert.pem");
  // pxc57 reads no [galera]: no conflict there.
  EXPECT_TRUE(TlsConfigConflicts(Spec("pxc57"), TreeOf(Apply(cnf, "pxc57").doc, files)).empty());

  // An included file read BEFORE pxc's lines is overridden by them: fine.
  const std::string before = "!includedir /etc/mysql/conf.d\n" + std::string(kCnf);
  EXPECT_TRUE(
      TlsConfigConflicts(Spec("mariadb"), TreeOf(Apply(before, "mariadb").doc, files)).empty());

  // Another section the server reads, later in the same file.
  const std::string server_section =
      "[mysqld]\nuser=mysql\n[server]\npxc-encrypt-cluster-traffic=OFF\nssl-key=/other.pem\n";
  auto c80 = TlsConfigConflicts(Spec("pxc80"), TreeOf(Apply(server_section, "pxc80").doc));
  ASSERT_EQ(c80.size(), 2u);
  EXPECT_NE(c80[0].find("/etc/mysql/my.cnf line "), std::string::npos);
  EXPECT_NE(c80[0].find("([server] ssl-key)"), std::string::npos) << c80[0];
  EXPECT_NE(c80[1].find("([server] pxc-encrypt-cluster-traffic)"), std::string::npos) << c80[1];

  // [sst] overridden by an included file (pxc57).
  const std::map<std::string, std::string> sst = {
      {"/etc/mysql/conf.d/sst.cnf", "[sst]\nencrypt=0\n"}};
  // pxc's new [sst] section goes to the end of the file, after the include:
  // it wins.
  EXPECT_TRUE(TlsConfigConflicts(Spec("pxc57"), TreeOf(Apply(cnf, "pxc57").doc, sst)).empty());
  // The user's own [sst] before the include is where pxc writes: overridden.
  const std::string user_sst =
      std::string(kCnf) + "[sst]\nencrypt=0\n!includedir /etc/mysql/conf.d\n";
  auto c57 = TlsConfigConflicts(Spec("pxc57"), TreeOf(Apply(user_sst, "pxc57").doc, sst));
  ASSERT_EQ(c57.size(), 1u);
  EXPECT_NE(c57[0].find("/etc/mysql/conf.d/sst.cnf line 2 ([sst] encrypt)"), std::string::npos)
      << c57[0];
}

}  // namespace
}  // namespace pxc::resources
