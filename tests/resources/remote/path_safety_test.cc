// Tests for resources/remote/path_safety.h: which directories pxc may write into,
// lexical normalisation of paths and the system directories refused as
// cert_dir.
#include "resources/remote/path_safety.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

namespace pxc::resources {
namespace {

PathEntry Dir(const std::string& path, uint32_t perm, uint32_t uid = 0, uint32_t gid = 0,
              const std::string& owner = "root", const std::string& group = "root") {
  return PathEntry{path, true, S_IFDIR | perm, uid, gid, owner, group};
}
PathEntry Link(const std::string& path, uint32_t uid = 0) {
  return PathEntry{path, true, S_IFLNK | 0777, uid, 0, uid == 0 ? "root" : "mysql", "root"};
}
PathEntry Missing(const std::string& path) { return PathEntry{path, false, 0, 0, 0, "", ""}; }

std::vector<PathEntry> SafeEtcMysqlCerts(uint32_t certs_uid = 0, uint32_t certs_perm = 0750) {
  return {
      Dir("/etc/mysql/certs", certs_perm, certs_uid, 105, certs_uid ? "mysql" : "root", "mysql"),
      Dir("/etc/mysql", 0755), Dir("/etc", 0755), Dir("/", 0755)};
}

TEST(PathPrefixes, ListsLeafFirst) {
  EXPECT_EQ(PathPrefixes("/etc/mysql/certs"),
            (std::vector<std::string>{"/etc/mysql/certs", "/etc/mysql", "/etc", "/"}));
  EXPECT_EQ(PathPrefixes("/"), (std::vector<std::string>{"/"}));
  EXPECT_EQ(PathPrefixes("/a"), (std::vector<std::string>{"/a", "/"}));
}

TEST(NormalizeAbsolutePath, CollapsesSlashesAndDots) {
  EXPECT_EQ(*NormalizeAbsolutePath("/etc/mysql/"), "/etc/mysql");
  EXPECT_EQ(*NormalizeAbsolutePath("//etc//./mysql/."), "/etc/mysql");
  EXPECT_EQ(*NormalizeAbsolutePath("/"), "/");
  EXPECT_EQ(*NormalizeAbsolutePath("///"), "/");
  EXPECT_EQ(NormalizeAbsolutePath("etc/mysql").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(NormalizeAbsolutePath("").status().code(), StatusCode::kInvalidArgument);
  auto dots = NormalizeAbsolutePath("/etc/mysql/certs/../..");
  EXPECT_EQ(dots.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(dots.status().message().find(".."), std::string::npos);
  EXPECT_FALSE(NormalizeAbsolutePath("/etc/my\nsql").ok());
}

TEST(IsSystemDirectory, RefusesSystemPathsOnly) {
  for (const char* p : {"/", "/etc", "/etc/mysql", "/usr", "/var/lib/mysql", "/etc/ssl/private",
                        "/root", "/tmp", "/etc/mysql/conf.d"}) {
    EXPECT_TRUE(IsSystemDirectory(p)) << p;
  }
  for (const char* p : {"/etc/mysql/certs", "/etc/mysql/ssl", "/etc/pxc", "/srv/mysql-certs"}) {
    EXPECT_FALSE(IsSystemDirectory(p)) << p;
  }
}

TEST(CheckDirectoryChain, RootOwnedChainIsSafe) {
  EXPECT_TRUE(CheckDirectoryChain(SafeEtcMysqlCerts(), {}, 0).ok());
  // Group mysql may read and traverse (0750), which is how mysqld reads the keys.
  EXPECT_TRUE(CheckDirectoryChain(SafeEtcMysqlCerts(0, 0750), {}, 0).ok());
  // Components that do not exist yet are created by pxc.
  EXPECT_TRUE(CheckDirectoryChain({Missing("/etc/mysql/certs"), Dir("/etc/mysql", 0755),
                                   Dir("/etc", 0755), Dir("/", 0755)},
                                  {}, 0)
                  .ok());
}

TEST(CheckDirectoryChain, DirectoryOwnedByMysqlIsRefusedWithTheFix) {
  // What pxc itself made before: cert_dir owned by mysql:mysql 0750.
  Status st = CheckDirectoryChain(SafeEtcMysqlCerts(105, 0750), {}, 0);
  ASSERT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(st.message().find("/etc/mysql/certs is owned by mysql (mysql:mysql 0750)"),
            std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("symbolic links"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("chown root /etc/mysql/certs"), std::string::npos) << st.message();
  EXPECT_EQ(*DirectoryChainProblem(SafeEtcMysqlCerts(105, 0750), {}, 0),
            "/etc/mysql/certs is owned by mysql (mysql:mysql 0750)");
}

TEST(CheckDirectoryChain, GroupOrOtherWritableIsRefused) {
  auto group = SafeEtcMysqlCerts(0, 0770);
  auto problem = DirectoryChainProblem(group, {}, 0);
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(*problem, "/etc/mysql/certs is writable by group mysql (root:mysql 0770)");
  auto world = SafeEtcMysqlCerts(0, 0757);
  problem = DirectoryChainProblem(world, {}, 0);
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("writable by every account"), std::string::npos) << *problem;
  // Sticky does not help the directory written into ...
  EXPECT_TRUE(DirectoryChainProblem(SafeEtcMysqlCerts(0, 01777), {}, 0).has_value());
  // ... but a sticky parent such as /tmp is fine.
  EXPECT_FALSE(
      DirectoryChainProblem({Dir("/tmp/pxc", 0755), Dir("/tmp", 01777), Dir("/", 0755)}, {}, 0)
          .has_value());
  // A non-sticky writable parent is not: the directory itself can be swapped.
  problem = DirectoryChainProblem(
      {Dir("/srv/x/certs", 0750), Dir("/srv/x", 0775, 0, 105, "root", "mysql"), Dir("/srv", 0755),
       Dir("/", 0755)},
      {}, 0);
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(*problem, "/srv/x is writable by group mysql (root:mysql 0775)");
}

TEST(CheckDirectoryChain, ParentOwnedByAnotherAccountIsRefused) {
  // e.g. cert_dir inside the datadir.
  auto problem = DirectoryChainProblem(
      {Dir("/var/lib/mysql/certs", 0750), Dir("/var/lib/mysql", 0750, 105, 105, "mysql", "mysql"),
       Dir("/var/lib", 0755), Dir("/var", 0755), Dir("/", 0755)},
      {}, 0);
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(*problem, "/var/lib/mysql is owned by mysql (mysql:mysql 0750)");
}

TEST(CheckDirectoryChain, TheWritingAccountMayOwnTheDirectory) {
  // SSH as a non-root user without sudo, writing into its own directory.
  auto chain =
      std::vector<PathEntry>{Dir("/home/deploy/certs", 0700, 1000, 1000, "deploy", "deploy"),
                             Dir("/home/deploy", 0755, 1000, 1000, "deploy", "deploy"),
                             Dir("/home", 0755), Dir("/", 0755)};
  EXPECT_TRUE(CheckDirectoryChain(chain, {}, 1000).ok());
  EXPECT_FALSE(CheckDirectoryChain(chain, {}, 0).ok());  // root must not write there
}

TEST(CheckDirectoryChain, SymbolicLinksAreJudgedByWhereTheyLead) {
  // /etc/mysql/certs -> /var/lib/mysql/certs: the target's parent is mysql's.
  std::vector<PathEntry> chain{Link("/etc/mysql/certs"), Dir("/etc/mysql", 0755), Dir("/etc", 0755),
                               Dir("/", 0755)};
  std::vector<PathEntry> resolved{Dir("/var/lib/mysql/certs", 0750),
                                  Dir("/var/lib/mysql", 0750, 105, 105, "mysql", "mysql"),
                                  Dir("/var/lib", 0755), Dir("/var", 0755), Dir("/", 0755)};
  EXPECT_EQ(*DirectoryChainProblem(chain, resolved, 0),
            "/var/lib/mysql is owned by mysql (mysql:mysql 0750)");
  // Leading to a safe directory, a root-owned link in a root-owned directory is fine.
  resolved[1] = Dir("/var/lib/mysql", 0755);
  EXPECT_FALSE(DirectoryChainProblem(chain, resolved, 0).has_value());
  // The leaf of the resolved chain gets no sticky exception.
  std::vector<PathEntry> to_tmp{Dir("/tmp", 01777), Dir("/", 0755)};
  EXPECT_TRUE(DirectoryChainProblem(chain, to_tmp, 0).has_value());
  // A symbolic link in the resolved chain means it changed meanwhile.
  std::vector<PathEntry> odd{Link("/x"), Dir("/", 0755)};
  EXPECT_EQ(*DirectoryChainProblem(chain, odd, 0), "/x is a symbolic link");
}

TEST(CheckDirectoryChain, NonDirectoryComponentIsRefused) {
  std::vector<PathEntry> chain{
      PathEntry{"/etc/mysql/certs", true, S_IFREG | 0644, 0, 0, "root", "root"},
      Dir("/etc/mysql", 0755), Dir("/etc", 0755), Dir("/", 0755)};
  EXPECT_EQ(*DirectoryChainProblem(chain, {}, 0), "/etc/mysql/certs is not a directory");
}

}  // namespace
}  // namespace pxc::resources
