// resources/remote/local_key_file.h on real files in a temporary directory:
// the key file written once, atomically, mode 0600, never over anything; the
// directory rules; the checks made when a key file is read.
#include "resources/remote/local_key_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace pxc::resources {
namespace {

namespace fs = std::filesystem;

constexpr char kPem[] =
    "-----BEGIN PRIVATE KEY-----\nnot really a key\n-----END PRIVATE KEY-----\n";

class LocalKeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "pxc-keyfile-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  static std::string Contents(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  static void Write(const std::string& path, const std::string& data, mode_t mode) {
    std::ofstream(path, std::ios::binary) << data;
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
  }
  static mode_t Mode(const std::string& path) {
    struct stat st;
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
  }
  // The names in the directory (a failed write leaves no temporary file).
  std::vector<std::string> Entries() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) out.push_back(e.path().filename());
    std::sort(out.begin(), out.end());
    return out;
  }

  fs::path dir_;
};

TEST_F(LocalKeyFileTest, WritesANewFileMode0600WithNothingElseLeft) {
  const mode_t old = ::umask(0);  // the mode does not depend on the umask
  Status st = local_key_file::WriteNew(Path("ca-key.pem"), kPem);
  ::umask(old);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(Contents(Path("ca-key.pem")), kPem);
  EXPECT_EQ(Mode(Path("ca-key.pem")), 0600u);
  EXPECT_EQ(Entries(), std::vector<std::string>{"ca-key.pem"});
  auto read = local_key_file::Read(Path("ca-key.pem"));
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(*read, kPem);
}

TEST_F(LocalKeyFileTest, NeverWritesOverAnything) {
  Write(Path("ca-key.pem"), "the old key", 0600);
  Status st = local_key_file::WriteNew(Path("ca-key.pem"), kPem);
  EXPECT_EQ(st.code(), StatusCode::kAlreadyExists) << st.message();
  EXPECT_NE(st.message().find("already exists (a file"), std::string::npos) << st.message();
  EXPECT_EQ(Contents(Path("ca-key.pem")), "the old key");
  EXPECT_EQ(local_key_file::CheckNew(Path("ca-key.pem")).code(), StatusCode::kAlreadyExists);

  // A symbolic link, even to nothing: never followed, never replaced.
  ASSERT_EQ(::symlink(Path("target").c_str(), Path("link.pem").c_str()), 0);
  st = local_key_file::WriteNew(Path("link.pem"), kPem);
  EXPECT_EQ(st.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(st.message().find("a symbolic link"), std::string::npos) << st.message();
  EXPECT_FALSE(fs::exists(Path("target")));
  fs::create_directory(Path("sub"));
  EXPECT_EQ(local_key_file::WriteNew(Path("sub"), kPem).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(Entries(), (std::vector<std::string>{"ca-key.pem", "link.pem", "sub"}));
}

TEST_F(LocalKeyFileTest, RefusesUnsafeOrMissingDirectories) {
  struct Case {
    const char* name;
    mode_t mode;
    const char* says;
  };
  const Case cases[] = {
      {"group-writable", 0770, "is writable by group"},
      {"world-writable", 0777, "is writable by every account"},
      {"sticky-world-writable", 01777, "is writable by every account"},
  };
  for (const auto& c : cases) {
    const std::string d = Path(c.name);
    ASSERT_EQ(::mkdir(d.c_str(), 0700), 0);
    ASSERT_EQ(::chmod(d.c_str(), c.mode), 0);
    Status st = local_key_file::WriteNew(d + "/ca-key.pem", kPem);
    EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << c.name;
    EXPECT_NE(st.message().find(c.says), std::string::npos) << c.name << ": " << st.message();
    EXPECT_TRUE(fs::is_empty(d)) << c.name;
    EXPECT_EQ(local_key_file::CheckNew(d + "/ca-key.pem").code(), StatusCode::kFailedPrecondition);
  }
  // Below an unsafe directory, a safe one is not enough.
  const std::string below = Path("group-writable") + "/private";
  ASSERT_EQ(::mkdir(below.c_str(), 0700), 0);
  EXPECT_EQ(local_key_file::WriteNew(below + "/ca-key.pem", kPem).code(),
            StatusCode::kFailedPrecondition);
  // A safe directory reached through a symbolic link is fine.
  ASSERT_EQ(::mkdir(Path("real").c_str(), 0700), 0);
  ASSERT_EQ(::symlink(Path("real").c_str(), Path("alias").c_str()), 0);
  EXPECT_TRUE(local_key_file::WriteNew(Path("alias") + "/ca-key.pem", kPem).ok());
  EXPECT_EQ(Contents(Path("real") + "/ca-key.pem"), kPem);
  // ...but not an unsafe one.
  ASSERT_EQ(::symlink(Path("world-writable").c_str(), Path("bad-alias").c_str()), 0);
  EXPECT_EQ(local_key_file::WriteNew(Path("bad-alias") + "/ca-key.pem", kPem).code(),
            StatusCode::kFailedPrecondition);

  Status st = local_key_file::WriteNew(Path("missing") + "/ca-key.pem", kPem);
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_NE(st.message().find("does not exist"), std::string::npos) << st.message();
  EXPECT_EQ(local_key_file::WriteNew("ca-key.pem", kPem).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(local_key_file::WriteNew("/", kPem).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(local_key_file::Read("relative/key.pem").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(LocalKeyFileTest, RefusesADirectoryOwnedByAnotherAccount) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to chown";
  ASSERT_EQ(::mkdir(Path("theirs").c_str(), 0700), 0);
  ASSERT_EQ(::chown(Path("theirs").c_str(), 65534, 65534), 0);
  Status st = local_key_file::WriteNew(Path("theirs") + "/ca-key.pem", kPem);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(st.message().find("is owned by"), std::string::npos) << st.message();
}

TEST_F(LocalKeyFileTest, ReadsOnlyAPrivateRegularFileOfItsOwner) {
  Write(Path("ok.pem"), kPem, 0600);
  Write(Path("readonly.pem"), kPem, 0400);
  EXPECT_TRUE(local_key_file::Read(Path("ok.pem")).ok());
  EXPECT_TRUE(local_key_file::Read(Path("readonly.pem")).ok());
  for (mode_t mode : {0640, 0604, 0660, 0644, 0610}) {
    Write(Path("open.pem"), kPem, mode);
    auto r = local_key_file::Read(Path("open.pem"));
    EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied) << std::oct << mode;
    EXPECT_NE(r.status().message().find("chmod 600"), std::string::npos) << r.status().message();
  }
  ASSERT_EQ(::symlink(Path("ok.pem").c_str(), Path("link.pem").c_str()), 0);
  auto link = local_key_file::Read(Path("link.pem"));
  EXPECT_EQ(link.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(link.status().message().find("is a symbolic link"), std::string::npos);
  ASSERT_EQ(::mkdir(Path("dir.pem").c_str(), 0700), 0);
  EXPECT_EQ(local_key_file::Read(Path("dir.pem")).status().code(), StatusCode::kFailedPrecondition);
  ASSERT_EQ(::mkfifo(Path("fifo.pem").c_str(), 0600), 0);  // never blocks
  EXPECT_EQ(local_key_file::Read(Path("fifo.pem")).status().code(),
            StatusCode::kFailedPrecondition);
  Write(Path("big.pem"), std::string(local_key_file::kMaxKeyFileSize + 1, 'x'), 0600);
  EXPECT_EQ(local_key_file::Read(Path("big.pem")).status().code(), StatusCode::kFailedPrecondition);
  auto missing = local_key_file::Read(Path("missing.pem"));
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("there is no key file at"), std::string::npos);
  if (::geteuid() == 0) {
    ASSERT_EQ(::chown(Path("ok.pem").c_str(), 65534, 65534), 0);
    auto theirs = local_key_file::Read(Path("ok.pem"));
    EXPECT_EQ(theirs.status().code(), StatusCode::kPermissionDenied);
    EXPECT_NE(theirs.status().message().find("not by the user running Terraform"),
              std::string::npos)
        << theirs.status().message();
  }
}

}  // namespace
}  // namespace pxc::resources
