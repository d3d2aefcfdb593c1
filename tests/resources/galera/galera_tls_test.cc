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
  // is ON (the default); they are never in my.cnf.
  const Document pxc80_on =
      Cnf("[mysqld]\nssl-ca=/c/ca.pem\nssl-cert=/c/n.pem\nssl-key=/c/k.pem\n"
          "pxc-encrypt-cluster-traffic=ON\nwsrep_provider_options=\"gcache.size=32M\"\n");
  EXPECT_TRUE(ConfiguredGaleraTls("pxc80", pxc80_on));
  EXPECT_FALSE(ConfiguredGaleraTls("pxc57", pxc80_on));
  EXPECT_EQ(ConfiguredGaleraTlsFiles("pxc80", pxc80_on),
            (GaleraTlsFiles{"/c/n.pem", "/c/k.pem", "/c/ca.pem"}));
  EXPECT_TRUE(ConfiguredGaleraTls("pxc80", Cnf("[mysqld]\nssl-ca=/a\n")));  // ON by default
  const Document pxc80_off = Cnf("[mysqld]\nssl-ca=/a\npxc_encrypt_cluster_traffic = off\n");
  EXPECT_FALSE(ConfiguredGaleraTls("pxc80", pxc80_off));
  EXPECT_EQ(ConfiguredGaleraTlsFiles("pxc80", pxc80_off), GaleraTlsFiles{});
  // An explicit socket.ssl=no wins in Galera for every flavor.
  EXPECT_FALSE(ConfiguredGaleraTls("pxc80", Cnf("[mysqld]\npxc-encrypt-cluster-traffic=ON\n"
                                                "wsrep_provider_options=\"socket.ssl=no\"\n")));
  const Document provider =
      Cnf("[mysqld]\nwsrep_provider_options=\"socket.ssl_cert=/n.pem; socket.ssl_key=/k.pem; "
          "socket.ssl_ca=/ca.pem\"\n");
  EXPECT_TRUE(ConfiguredGaleraTls("pxc57", provider));
  EXPECT_TRUE(ConfiguredGaleraTls("mariadb", provider));
  EXPECT_EQ(ConfiguredGaleraTlsFiles("mariadb", provider),
            (GaleraTlsFiles{"/n.pem", "/k.pem", "/ca.pem"}));
  EXPECT_FALSE(ConfiguredGaleraTls("mariadb",
                                   Cnf("[mysqld]\nwsrep_provider_options=\"socket.ssl_cert=/n.pem; "
                                       "socket.ssl_key=/k.pem; socket.ssl=NO\"\n")));
}

}  // namespace
}  // namespace pxc::resources
