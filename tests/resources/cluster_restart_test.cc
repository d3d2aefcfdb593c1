// The pure decisions of pxc_cluster_restart: reading grastate.dat, choosing
// the node to bootstrap (never blindly the first one), telling whether a
// restart switches Galera TLS, and the pass-1 socket.dynamic edit.
#include "resources/cluster_restart.h"

#include <gtest/gtest.h>

namespace pxc::resources {
namespace {

TEST(ClusterRestart, ParsesGrastate) {
  GraState g = ParseGraState(
      "# GALERA saved state\nversion: 2.1\nuuid:    9f2a-11\nseqno:   1234\n"
      "safe_to_bootstrap: 1\n");
  EXPECT_EQ(g.seqno, 1234);
  EXPECT_TRUE(g.safe_to_bootstrap);
  EXPECT_EQ(g.uuid, "9f2a-11");
  GraState crashed = ParseGraState("uuid: x\nseqno: -1\nsafe_to_bootstrap: 0\r\n");
  EXPECT_EQ(crashed.seqno, -1);
  EXPECT_FALSE(crashed.safe_to_bootstrap);
  EXPECT_EQ(ParseGraState("garbage").seqno, -1);
}

TEST(ClusterRestart, BootstrapsTheMostAdvancedNodeNotTheFirst) {
  std::vector<std::string> names = {"pxc1", "pxc2", "pxc3"};
  auto c = ChooseBootstrapNode(names, {{10, false, "u"}, {12, false, "u"}, {11, true, "u"}});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->index, 1u);
  EXPECT_TRUE(c->needs_safe_flag);
}

TEST(ClusterRestart, TiesPreferSafeToBootstrapThenListOrder) {
  std::vector<std::string> names = {"pxc1", "pxc2", "pxc3"};
  auto safe = ChooseBootstrapNode(names, {{7, false, "u"}, {7, true, "u"}, {7, false, "u"}});
  ASSERT_TRUE(safe.ok());
  EXPECT_EQ(safe->index, 1u);
  EXPECT_FALSE(safe->needs_safe_flag);
  auto first = ChooseBootstrapNode(names, {{7, false, "u"}, {7, false, "u"}, {7, false, "u"}});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->index, 0u);
}

TEST(ClusterRestart, RefusesUnknownSeqnoAndMixedClusters) {
  std::vector<std::string> names = {"pxc1", "pxc2"};
  auto unknown = ChooseBootstrapNode(names, {{5, true, "u"}, {-1, false, "u"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("pxc2"), std::string::npos);
  EXPECT_NE(unknown.status().message().find("--wsrep-recover"), std::string::npos);
  auto mixed = ChooseBootstrapNode(names, {{5, true, "a"}, {4, false, "b"}});
  ASSERT_FALSE(mixed.ok());
  EXPECT_NE(mixed.status().message().find("different clusters"), std::string::npos);
}

TEST(ClusterRestart, TellsGaleraTlsFromProviderOptions) {
  // As configured (my.cnf) and as Galera reports them running.
  EXPECT_FALSE(GaleraTlsEnabled(ParseProviderOptions("gcache.size=32M")));
  EXPECT_TRUE(GaleraTlsEnabled(
      ParseProviderOptions("gcache.size=32M; socket.ssl_cert=/c.pem; socket.ssl_key=/k.pem")));
  EXPECT_TRUE(GaleraTlsEnabled(
      ParseProviderOptions("gcache.size = 32M; socket.ssl = YES; socket.ssl_cert = /c.pem")));
  EXPECT_FALSE(GaleraTlsEnabled(ParseProviderOptions("socket.ssl = NO; socket.ssl_cert = /c.pem")));
  EXPECT_FALSE(GaleraTlsEnabled(ParseProviderOptions("socket.ssl_cert=")));
}

TEST(ClusterRestart, AddsAndRemovesSocketDynamicKeepingEverythingElse) {
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

}  // namespace
}  // namespace pxc::resources
