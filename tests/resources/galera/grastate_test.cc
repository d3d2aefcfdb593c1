// resources/galera/grastate.h: reading grastate.dat and choosing the node to
// bootstrap from.
#include "resources/galera/grastate.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pxc::resources {
namespace {

TEST(Grastate, ParsesGrastate) {
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

TEST(Grastate, BootstrapsTheMostAdvancedNodeNotTheFirst) {
  std::vector<std::string> names = {"pxc1", "pxc2", "pxc3"};
  auto c = ChooseBootstrapNode(names, {{10, false, "u"}, {12, false, "u"}, {11, true, "u"}});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->index, 1u);
  EXPECT_TRUE(c->needs_safe_flag);
}

TEST(Grastate, TiesPreferSafeToBootstrapThenListOrder) {
  std::vector<std::string> names = {"pxc1", "pxc2", "pxc3"};
  auto safe = ChooseBootstrapNode(names, {{7, false, "u"}, {7, true, "u"}, {7, false, "u"}});
  ASSERT_TRUE(safe.ok());
  EXPECT_EQ(safe->index, 1u);
  EXPECT_FALSE(safe->needs_safe_flag);
  auto first = ChooseBootstrapNode(names, {{7, false, "u"}, {7, false, "u"}, {7, false, "u"}});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->index, 0u);
}

TEST(Grastate, RefusesUnknownSeqnoAndMixedClusters) {
  std::vector<std::string> names = {"pxc1", "pxc2"};
  auto unknown = ChooseBootstrapNode(names, {{5, true, "u"}, {-1, false, "u"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("pxc2"), std::string::npos);
  EXPECT_NE(unknown.status().message().find("--wsrep-recover"), std::string::npos);
  auto mixed = ChooseBootstrapNode(names, {{5, true, "a"}, {4, false, "b"}});
  ASSERT_FALSE(mixed.ok());
  EXPECT_NE(mixed.status().message().find("different clusters"), std::string::npos);
}

}  // namespace
}  // namespace pxc::resources
