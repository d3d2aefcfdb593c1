// Tests for the option-tree layer of resources/galera/mycnf.h
// (option_tree.cc): includes read as mysys/my_default.cc reads them.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "resources/galera/mycnf.h"
#include "tests/resources/galera/mycnf_test_util.h"

namespace pxc::resources {
namespace {

using namespace std::string_literals;
using namespace mycnf_test;

// ---------------------------------------------------------------------------
// Option trees (includes), as mysys/my_default.cc reads them.

OptionFileSource MapSource(const std::map<std::string, std::string>& files) {
  OptionFileSource src;
  src.read_file = [files](const std::string& p) -> StatusOr<std::optional<std::string>> {
    auto it = files.find(p);
    if (it == files.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  };
  src.list_dir = [files](const std::string& dir) -> StatusOr<std::vector<std::string>> {
    std::vector<std::string> names;  // deliberately not sorted
    for (auto it = files.rbegin(); it != files.rend(); ++it) {
      if (it->first.rfind(dir + "/", 0) == 0) names.push_back(it->first.substr(dir.size() + 1));
    }
    return names;
  };
  return src;
}

TEST(MycnfTree, ReadsIncludesWhereTheyStandInNameOrderCnfOnly) {
  auto root = Document::Parse(
      "[mysqld]\na=1\n!includedir /d\nb=2\n!include /f.cnf\n!include /missing.cnf\n"
      "!includedir /nodir\n");
  ASSERT_TRUE(root.ok());
  auto tree = ReadOptionTree(
      "/my.cnf", *root,
      MapSource({{"/d/20-b.cnf", "[mysqld]\na=3\n"},
                 {"/d/10-a.cnf", "early=1\n[server]\nc=4\n"},  // before a header: not read
                 {"/d/30-c.cnf.bak", "[mysqld]\na=9\n"},
                 {"/d/notes", "[mysqld]\na=9\n"},
                 {"/f.cnf", "[galera]\nd=5\n"}}));
  ASSERT_TRUE(tree.ok()) << tree.status().message();
  std::vector<std::string> seen;
  for (const auto& t : *tree) {
    seen.push_back(t.file + ":" + std::to_string(t.ref.line) + " [" + t.ref.section + "] " +
                   t.ref.key + "=" + t.ref.value.value_or(""));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"/my.cnf:2 [mysqld] a=1", "/d/10-a.cnf:3 [server] c=4",
                                            "/d/20-b.cnf:2 [mysqld] a=3", "/my.cnf:4 [mysqld] b=2",
                                            "/f.cnf:2 [galera] d=5"}));
  // The effective one is the last read, in any of the sections asked for.
  auto a = EffectiveOption(*tree, {"mysqld", "server"}, "a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->file, "/d/20-b.cnf");
  EXPECT_EQ(a->ref.line, 2);
  EXPECT_FALSE(EffectiveOption(*tree, {"mysqld"}, "d"));
  EXPECT_EQ(EffectiveOption(*tree, {"mysqld", "galera"}, "D"), std::nullopt);  // case-sensitive
  EXPECT_EQ(EffectiveOption(*tree, {"galera"}, "d")->ref.value, std::optional<std::string>("5"));
  // Names are normalised: loose- prefix, '-' == '_'.
  auto root2 = Document::Parse("[mysqld]\nloose-ssl-ca=/x\n");
  auto tree2 = ReadOptionTree("/r", *root2, MapSource({}));
  ASSERT_TRUE(tree2.ok());
  EXPECT_EQ(EffectiveOption(*tree2, {"mysqld"}, "ssl_ca")->ref.value,
            std::optional<std::string>("/x"));
}

TEST(MycnfTree, IncludeLoopsStopAtTheDepthLimitAndErrorsNameTheFile) {
  auto root = Document::Parse("[mysqld]\n!include /loop.cnf\n");
  ASSERT_TRUE(root.ok());
  auto tree = ReadOptionTree("/r", *root,
                             MapSource({{"/loop.cnf", "[mysqld]\nx=1\n!include /loop.cnf\n"}}));
  ASSERT_TRUE(tree.ok());
  EXPECT_EQ(tree->size(), static_cast<size_t>(kMycnfMaxIncludeDepth));
  OptionFileSource failing;
  failing.read_file = [](const std::string&) -> StatusOr<std::optional<std::string>> {
    return PermissionDeniedError("no access");
  };
  auto err = ReadOptionTree("/r", *root, failing);
  ASSERT_FALSE(err.ok());
  EXPECT_NE(err.status().message().find("/loop.cnf"), std::string::npos);
}

}  // namespace
}  // namespace pxc::resources
