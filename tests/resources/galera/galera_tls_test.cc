// resources/galera/galera_tls.h: telling Galera TLS from provider options
// and from each flavor's my.cnf, Galera generations, and the pass-1
// socket.dynamic edit.
#include "resources/galera/galera_tls.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>

namespace pxc::resources {
namespace {

TEST(GaleraTls, TellsGaleraTlsFromProviderOptions) {
  // As configured (my.cnf) and as Galera reports them running.
  EXPECT_FALSE(GaleraTlsEnabled(ParseProviderOptions("gcache.size=32M")));
  EXPECT_TRUE(GaleraTlsEnabled(
      ParseProviderOptions("gcache.size=32M; socket.ssl_cert=/c.pem; socket.ssl_key=/k.pem")));
  EXPECT_TRUE(GaleraTlsEnabled(
      ParseProviderOptions("gcache.size = 32M; socket.ssl = YES; socket.ssl_cert = /c.pem")));
  EXPECT_FALSE(GaleraTlsEnabled(ParseProviderOptions("socket.ssl = NO; socket.ssl_cert = /c.pem")));
  EXPECT_FALSE(GaleraTlsEnabled(ParseProviderOptions("socket.ssl_cert=")));
}

TEST(GaleraTls, AddsAndRemovesSocketDynamicKeepingEverythingElse) {
  const std::string cnf =
      "[mysqld]\nuser = mysql\nwsrep_provider_options = \"gcache.size=32M; "
      "socket.ssl_cert=/etc/mysql/certs/pxc1-cert.pem\"\n\n[client]\nsocket = /run/x.sock\n";
  auto on = WithSocketDynamic(cnf, true);
  ASSERT_TRUE(on.ok()) << on.status().message();
  auto doc = Document::Parse(*on);
  ASSERT_TRUE(doc.ok());
  auto opts = ParseProviderOptions(doc->Get("mysqld", "wsrep_provider_options").value_or(""));
  EXPECT_EQ(GetProviderOption(opts, "socket.dynamic"), std::optional<std::string>("yes"));
  EXPECT_EQ(GetProviderOption(opts, "gcache.size"), std::optional<std::string>("32M"));
  EXPECT_EQ(GetProviderOption(opts, "socket.ssl_cert"),
            std::optional<std::string>("/etc/mysql/certs/pxc1-cert.pem"));
  EXPECT_EQ(doc->Get("client", "socket"), std::optional<std::string>("/run/x.sock"));
  // Removing it again gives back the original bytes (the line was canonical).
  auto off = WithSocketDynamic(*on, false);
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(*off, cnf);
  // A file without the option gets it inserted under [mysqld], not at the end.
  auto inserted = WithSocketDynamic("[mysqld]\nuser=mysql\n[client]\nport=3306\n", true);
  ASSERT_TRUE(inserted.ok());
  EXPECT_EQ(*inserted,
            "[mysqld]\nuser=mysql\nwsrep_provider_options=\"socket.dynamic=yes\"\n[client]\n"
            "port=3306\n");
}

TEST(GaleraTls, TellsTheGaleraGenerationFromWsrepProviderVersion) {
  const std::pair<const char*, std::optional<int>> cases[] = {
      {"26.4.23(r5a3a1c6)", 4},  // Codership Galera 4 (MariaDB 10.4+)
      {"25.3.37(r3e2ad6b)", 3},  // Codership Galera 3 (Debian galera-3)
      {"3.55(r8b4f6e1)", 3},     // Percona XtraDB Cluster 5.7
      {"4.7(r752664d)", 4},      // Percona XtraDB Cluster 8.0
      {" 4.18(r1)", 4},          {"", std::nullopt},
      {"garbage", std::nullopt}, {"26.", std::nullopt},
  };
  for (const auto& [text, gen] : cases) EXPECT_EQ(GaleraGeneration(text), gen) << text;
  EXPECT_FALSE(GaleraHasDynamicTls(3));
  EXPECT_TRUE(GaleraHasDynamicTls(4));
}

Document Cnf(const std::string& text) {
  auto d = Document::Parse(text);
  EXPECT_TRUE(d.ok());
  return *d;
}

TEST(GaleraTls, ConfiguredGaleraTlsFollowsWhatEachFlavorDerives) {
  // pxc80: PXC derives socket.ssl_* from ssl-* when pxc-encrypt-cluster-traffic
  // is ON (the default); they are never in my.cnf. An explicit socket.ssl=no
  // wins in Galera for every flavor.
  const std::string pxc80_on =
      "[mysqld]\nssl-ca=/c/ca.pem\nssl-cert=/c/n.pem\nssl-key=/c/k.pem\n"
      "pxc-encrypt-cluster-traffic=ON\nwsrep_provider_options=\"gcache.size=32M\"\n";
  const std::string provider =
      "[mysqld]\nwsrep_provider_options=\"socket.ssl_cert=/n.pem; socket.ssl_key=/k.pem; "
      "socket.ssl_ca=/ca.pem\"\n";
  struct Case {
    const char* flavor;
    std::string cnf;
    bool tls;
    GaleraTlsFiles files;  // cert, key, ca
  };
  const Case cases[] = {
      {"pxc80", pxc80_on, true, {"/c/n.pem", "/c/k.pem", "/c/ca.pem"}},
      {"pxc57", pxc80_on, false, {}},
      {"pxc80", "[mysqld]\nssl-ca=/a\n", true, {"", "", "/a"}},  // ON by default
      {"pxc80", "[mysqld]\nssl-ca=/a\npxc_encrypt_cluster_traffic = off\n", false, {}},
      {"pxc80",
       "[mysqld]\npxc-encrypt-cluster-traffic=ON\nwsrep_provider_options=\"socket.ssl=no\"\n",
       false,
       {}},
      {"pxc57", provider, true, {"/n.pem", "/k.pem", "/ca.pem"}},
      {"mariadb", provider, true, {"/n.pem", "/k.pem", "/ca.pem"}},
      {"mariadb",
       "[mysqld]\nwsrep_provider_options=\"socket.ssl_cert=/n.pem; socket.ssl_key=/k.pem; "
       "socket.ssl=NO\"\n",
       false,
       {"/n.pem", "/k.pem", ""}},
  };
  for (const Case& c : cases) {
    const Document doc = Cnf(c.cnf);
    EXPECT_EQ(ConfiguredGaleraTls(c.flavor, doc), c.tls) << c.flavor << " " << c.cnf;
    EXPECT_EQ(ConfiguredGaleraTlsFiles(c.flavor, doc), c.files) << c.flavor << " " << c.cnf;
  }
}

}  // namespace
}  // namespace pxc::resources
