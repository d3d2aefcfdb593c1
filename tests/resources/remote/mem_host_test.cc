// resources/remote/mem_host.h: the in-memory node keeps the rules pxc's
// safety rests on, as SshSession does on a real node (ssh_client_test).
#include "resources/remote/mem_host.h"

#include <gtest/gtest.h>

namespace pxc::resources {
namespace {

MemHost Node() {
  MemHost h("pxc1");
  h.PutDirectory("/etc/mysql/certs", 0750, "root", "mysql");
  h.PutFile("/etc/mysql/certs/a.pem", "old", 0644, "mysql", "mysql");
  return h;
}

TEST(MemHost, AFailedWriteLeavesTheOldFile) {
  MemHost h = Node();
  const MemHost::Tree before = h.tree();
  h.FailWrites([](const std::string&) { return UnavailableError("disk full"); });
  Status st = h.WriteFileAtomic("/etc/mysql/certs/a.pem", "new", 0600, "mysql", "mysql");
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_EQ(h.tree(), before);
  h.FailWrites(nullptr);
  ASSERT_TRUE(h.WriteFileAtomic("/etc/mysql/certs/a.pem", "new", 0600, "mysql", "mysql").ok());
  EXPECT_EQ(h.Find("/etc/mysql/certs/a.pem")->content, "new");
  EXPECT_EQ(h.Find("/etc/mysql/certs/a.pem")->mode, 0600u);
}

TEST(MemHost, RefusesDirectoriesOtherAccountsCanChange) {
  struct Case {
    const char* what;
    uint32_t mode;
    const char* owner;
  };
  for (const Case& c : {Case{"owned by mysql", 0750, "mysql"}, Case{"group-writable", 0770, "root"},
                        Case{"world-writable", 0777, "root"}}) {
    MemHost h("pxc1");
    h.PutDirectory("/etc/mysql/certs", c.mode, c.owner, "mysql");
    Status st = h.WriteFileAtomic("/etc/mysql/certs/k.pem", "key", 0600, "mysql", "mysql");
    EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << c.what;
    EXPECT_EQ(h.Find("/etc/mysql/certs/k.pem"), nullptr) << c.what;
  }
  // A parent that another account can change counts too, and so does the
  // directory a symbolic link leads to.
  MemHost parent("pxc1");
  parent.PutDirectory("/srv", 0755, "mysql", "mysql");
  parent.PutDirectory("/srv/certs", 0750, "root", "mysql");
  EXPECT_EQ(parent.WriteFileAtomic("/srv/certs/k.pem", "k", 0600, "", "").code(),
            StatusCode::kFailedPrecondition);
  MemHost link("pxc1");
  link.PutDirectory("/tmp/evil", 0777, "mysql", "mysql");
  link.PutDirectory("/etc/mysql");
  link.PutSymlink("/etc/mysql/certs", "/tmp/evil");
  EXPECT_EQ(link.WriteFileAtomic("/etc/mysql/certs/k.pem", "k", 0600, "", "").code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(link.Find("/tmp/evil/k.pem"), nullptr);
  auto report = link.InspectDirectory("/etc/mysql/certs");
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->symlink);
  EXPECT_TRUE(report->problem.has_value());
}

TEST(MemHost, ALinkAtThePathIsReplacedNotFollowed) {
  MemHost h = Node();
  h.PutFile("/etc/shadow", "secret", 0640, "root", "root");
  h.PutSymlink("/etc/mysql/certs/k.pem", "/etc/shadow");
  ASSERT_TRUE(h.WriteFileAtomic("/etc/mysql/certs/k.pem", "key", 0600, "mysql", "mysql").ok());
  EXPECT_EQ(h.Find("/etc/shadow")->content, "secret");
  EXPECT_EQ(h.Find("/etc/shadow")->owner, "root");
  EXPECT_EQ(h.Find("/etc/mysql/certs/k.pem")->type, FileType::kRegular);
}

TEST(MemHost, DirectoriesAsSshSessionTreatsThem) {
  MemHost h = Node();
  h.PutSymlink("/etc/mysql/link", "/tmp");
  EXPECT_EQ(h.MakeDirectory("/etc/mysql/link", 0750, "root", "mysql").status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(h.SetDirectoryOwnerAndMode("/etc/mysql/link", 0750, "root", "mysql").code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(h.RemoveDirectory("/etc/mysql/link").status().code(), StatusCode::kFailedPrecondition);
  auto kept = h.RemoveDirectory("/etc/mysql/certs");
  ASSERT_TRUE(kept.ok());
  EXPECT_FALSE(*kept) << "not empty";
  auto made = h.MakeDirectory("/srv/a/b", 0750, "root", "nosuchgroup");
  EXPECT_EQ(made.status().code(), StatusCode::kNotFound);
  made = h.MakeDirectory("/srv/a/b", 0750, "root", "mysql");
  ASSERT_TRUE(made.ok());
  EXPECT_TRUE(*made);
  EXPECT_EQ(h.Find("/srv/a")->mode, 0755u);
  EXPECT_EQ(h.Find("/srv/a/b")->group, "mysql");
  auto again = h.MakeDirectory("/srv/a/b", 0700, "root", "root");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_EQ(h.Find("/srv/a/b")->mode, 0750u) << "an existing directory is left alone";
  EXPECT_EQ(h.RemoveFile("/srv/a").code(), StatusCode::kFailedPrecondition);
  auto removed = h.RemoveDirectory("/srv/a/b");
  ASSERT_TRUE(removed.ok());
  EXPECT_TRUE(*removed);
  EXPECT_EQ(h.Find("/srv/a/b"), nullptr);
}

}  // namespace
}  // namespace pxc::resources
