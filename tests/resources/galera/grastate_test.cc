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

TEST(Grastate, ChoosesTheMostAdvancedNodeThenSafeToBootstrapThenListOrder) {
  const std::vector<std::string> names = {"pxc1", "pxc2", "pxc3"};
  struct Case {
    const char* what;
    std::vector<GraState> states;
    size_t index;
    bool needs_safe_flag;
  };
  const Case cases[] = {
      {"the highest seqno, not the first node",
       {{10, false, "u"}, {12, false, "u"}, {11, true, "u"}},
       1,
       true},
      {"a tie: safe_to_bootstrap wins",
       {{7, false, "u"}, {7, true, "u"}, {7, false, "u"}},
       1,
       false},
      {"a tie without it: list order",
       {{7, false, "u"}, {7, false, "u"}, {7, false, "u"}},
       0,
       true},
  };
  for (const Case& c : cases) {
    auto choice = ChooseBootstrapNode(names, c.states);
    ASSERT_TRUE(choice.ok()) << c.what << ": " << choice.status().message();
    EXPECT_EQ(choice->index, c.index) << c.what;
    EXPECT_EQ(choice->needs_safe_flag, c.needs_safe_flag) << c.what;
  }
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
