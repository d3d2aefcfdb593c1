// Tests for resources/remote/ssh_files.cc against a real OpenSSH server:
// reading, stat, atomic writes (owner, mode, a connection killed
// mid-transfer), directories, directories other accounts can change, a
// temporary file swapped by another process; over SFTP as root and through
// sudo. The sshd runs on this machine, so results are checked with plain
// stat(2)/read(2) on the local file system.
#include <gtest/gtest.h>

#include "resources/remote/ssh_client.h"
#include "tests/resources/remote/ssh_client_test_util.h"

namespace pxc::resources {
namespace {

using namespace ssh_test;  // NOLINT(build/namespaces)

TEST_F(SshClientTest, ReadFileAndStat) {
  SshSession s = Connect(sshd_->Target());
  std::string data = RandomBytes(100000, 4);  // binary, with NULs
  WriteLocal(files_ + "/data.bin", data, 0640);
  ASSERT_EQ(::chown((files_ + "/data.bin").c_str(), UidOf(sshd_->user()), GidOf(sshd_->user())), 0);

  auto absent = s.ReadFile(files_ + "/absent");
  ASSERT_TRUE(absent.ok()) << absent.status().ToString();
  EXPECT_FALSE(absent->has_value());
  auto under_file = s.ReadFile(files_ + "/data.bin/x");
  ASSERT_TRUE(under_file.ok()) << under_file.status().ToString();
  EXPECT_FALSE(under_file->has_value());

  auto read = s.ReadFile(files_ + "/data.bin");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_TRUE(read->has_value());
  EXPECT_TRUE(**read == data);

  auto dir = s.ReadFile(files_);
  EXPECT_EQ(dir.status().code(), StatusCode::kFailedPrecondition) << dir.status().ToString();
  EXPECT_EQ(s.ReadFile("relative/path").status().code(), StatusCode::kInvalidArgument);

  auto st = s.Stat(files_ + "/data.bin");
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  ASSERT_TRUE(st->has_value());
  EXPECT_EQ((*st)->mode, 0640u);
  EXPECT_EQ((*st)->type, SshSession::FileType::kRegular);
  EXPECT_EQ((*st)->owner, sshd_->user());
  EXPECT_EQ((*st)->group, sshd_->user());
  EXPECT_EQ((*st)->size, data.size());
  auto dst = s.Stat(files_);
  ASSERT_TRUE(dst.ok() && dst->has_value());
  EXPECT_EQ((*dst)->type, SshSession::FileType::kDirectory);
  auto none = s.Stat(files_ + "/absent");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_F(SshClientTest, ReadFileRefusesFilesOverTheLimit) {
  SshSession s = Connect(sshd_->Target());
  WriteLocal(files_ + "/big", "");
  ASSERT_EQ(::truncate((files_ + "/big").c_str(), (16 << 20) + 1), 0);
  auto r = s.ReadFile(files_ + "/big");
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("16 MiB"), std::string::npos) << r.status().message();
}

TEST_F(SshClientTest, WriteFileAtomicSetsContentModeAndOwner) {
  SshSession s = Connect(sshd_->Target());
  const std::string path = files_ + "/server-key.pem";
  const std::string content =
      "-----BEGIN PRIVATE KEY-----\nnot really\n-----END PRIVATE KEY-----\n";
  for (uint32_t mode : {0600u, 0640u}) {
    TempFileWatcher watcher(files_);
    Status st = s.WriteFileAtomic(path, content, mode, sshd_->user(), sshd_->user());
    ASSERT_TRUE(st.ok()) << st.ToString();
    struct stat info;
    ASSERT_EQ(::stat(path.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 07777, mode);
    EXPECT_EQ(info.st_uid, UidOf(sshd_->user()));
    EXPECT_EQ(info.st_gid, GidOf(sshd_->user()));
    EXPECT_EQ(ReadLocal(path), content);
    EXPECT_TRUE(TempFilesIn(files_).empty());
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let inotify catch up
    // The data went through a temporary file next to the target that was
    // never readable by anyone but its writer, and never more open than `mode`.
    std::set<std::string> names = watcher.names();
    ASSERT_FALSE(names.empty());
    EXPECT_EQ(names.begin()->rfind(".server-key.pem.pxc-tmp-", 0), 0u) << *names.begin();
    for (uint32_t seen : watcher.modes()) {
      EXPECT_EQ(seen & ~mode & 0777, 0u) << std::oct << seen;
      EXPECT_EQ(seen & 0007, 0u) << std::oct << seen;
    }
  }
  // Replace with new content, empty owner/group: the temporary file keeps
  // the connecting user's ownership.
  Status st = s.WriteFileAtomic(path, "v2", 0644, "", "");
  ASSERT_TRUE(st.ok()) << st.ToString();
  struct stat info;
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0644u);
  EXPECT_EQ(info.st_uid, 0u);
  EXPECT_EQ(ReadLocal(path), "v2");

  // Empty content and a group only.
  st = s.WriteFileAtomic(files_ + "/empty", "", 0640, "", sshd_->user());
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(::stat((files_ + "/empty").c_str(), &info), 0);
  EXPECT_EQ(info.st_size, 0);
  EXPECT_EQ(info.st_uid, 0u);
  EXPECT_EQ(info.st_gid, GidOf(sshd_->user()));
  EXPECT_TRUE(TempFilesIn(files_).empty());
}

TEST_F(SshClientTest, WriteFileAtomicFailuresLeaveTargetAndNoTempFile) {
  SshSession s = Connect(sshd_->Target());
  const std::string path = files_ + "/target";
  WriteLocal(path, "old", 0600);

  Status unknown_owner = s.WriteFileAtomic(path, "new", 0600, "no-such-user-pxc", "");
  EXPECT_EQ(unknown_owner.code(), StatusCode::kNotFound) << unknown_owner.ToString();
  EXPECT_NE(unknown_owner.message().find("no-such-user-pxc"), std::string::npos);
  Status unknown_group = s.WriteFileAtomic(path, "new", 0600, "", "no-such-group-pxc");
  EXPECT_EQ(unknown_group.code(), StatusCode::kNotFound) << unknown_group.ToString();

  Status missing_dir = s.WriteFileAtomic(files_ + "/nope/target", "new", 0600, "", "");
  EXPECT_EQ(missing_dir.code(), StatusCode::kFailedPrecondition) << missing_dir.ToString();
  EXPECT_NE(missing_dir.message().find("does not exist"), std::string::npos);

  fs::create_directory(files_ + "/adir");
  Status over_dir = s.WriteFileAtomic(files_ + "/adir", "new", 0600, "", "");
  EXPECT_EQ(over_dir.code(), StatusCode::kFailedPrecondition) << over_dir.ToString();
  EXPECT_NE(over_dir.message().find("directory"), std::string::npos);

  // The rename itself fails: a symlink to a directory stands where the file goes.
  fs::create_directory_symlink(files_ + "/adir", files_ + "/dirlink");
  Status rename_fails = s.WriteFileAtomic(files_ + "/dirlink", "new", 0600, "", "");
  EXPECT_EQ(rename_fails.code(), StatusCode::kFailedPrecondition) << rename_fails.ToString();
  EXPECT_TRUE(fs::is_empty(files_ + "/adir"));

  EXPECT_EQ(s.WriteFileAtomic("relative", "x", 0600, "", "").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadLocal(path), "old");
  EXPECT_TRUE(TempFilesIn(files_).empty());
}

TEST_F(SshClientTest, NonRootUserGetsPermissionDeniedNamingThePath) {
  SshSession s = Connect(sshd_->Target(sshd_->user()));
  const std::string denied = sshd_->root_only_dir() + "/server-key.pem";
  Status st = s.WriteFileAtomic(denied, "secret", 0600, "", "");
  ASSERT_EQ(st.code(), StatusCode::kPermissionDenied) << st.ToString();
  EXPECT_NE(st.message().find(denied), std::string::npos) << st.message();
  EXPECT_NE(st.message().find(Where()), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("sudo = true"), std::string::npos) << st.message();
  EXPECT_EQ(st.message().find("secret"), std::string::npos);
  EXPECT_TRUE(TempFilesIn(sshd_->root_only_dir()).empty());
  EXPECT_FALSE(fs::exists(denied));

  // Writable directory, but handing the file to root is not allowed.
  const std::string own = sshd_->user_dir() + "/file";
  Status ok = s.WriteFileAtomic(own, "v1", 0600, "", "");
  ASSERT_TRUE(ok.ok()) << ok.ToString();
  Status chown = s.WriteFileAtomic(own, "v2", 0600, "root", "root");
  ASSERT_EQ(chown.code(), StatusCode::kPermissionDenied) << chown.ToString();
  EXPECT_NE(chown.message().find(own), std::string::npos) << chown.message();
  EXPECT_EQ(ReadLocal(own), "v1");
  EXPECT_TRUE(TempFilesIn(sshd_->user_dir()).empty());

  // Reading and removing are refused the same way.
  WriteLocal(sshd_->root_only_dir() + "/private", "x", 0600);
  auto read = s.ReadFile(sshd_->root_only_dir() + "/private");
  EXPECT_EQ(read.status().code(), StatusCode::kPermissionDenied) << read.status().ToString();
  Status rm = s.RemoveFile(sshd_->root_only_dir() + "/private");
  EXPECT_EQ(rm.code(), StatusCode::kPermissionDenied) << rm.ToString();
  EXPECT_NE(rm.message().find(sshd_->root_only_dir() + "/private"), std::string::npos);
  auto mkdir = s.MakeDirectory(sshd_->root_only_dir() + "/sub", 0700, "", "");
  EXPECT_EQ(mkdir.status().code(), StatusCode::kPermissionDenied) << mkdir.status().ToString();
}

TEST_F(SshClientTest, ConnectionKilledMidUploadKeepsTheOldFile) {
  SshSession s = Connect(sshd_->Target());
  const std::string path = files_ + "/big.bin";
  WriteLocal(path, "old content", 0600);
  std::atomic<bool> stopped{false};
  TempFileWatcher watcher(files_, [&](const std::string&) {
    if (!stopped.exchange(true)) sshd_->SignalSessions(SIGSTOP);
  });
  Status result;
  std::thread writer(
      [&] { result = s.WriteFileAtomic(path, RandomBytes(8 << 20, 5), 0600, "", ""); });
  auto start = Clock::now();
  while (!stopped && SecondsSince(start) < 20)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(stopped) << "the upload never started";
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(ReadLocal(path), "old content");  // mid-transfer
  EXPECT_EQ(TempFilesIn(files_).size(), 1u);
  sshd_->SignalSessions(SIGKILL);
  writer.join();
  EXPECT_EQ(result.code(), StatusCode::kUnavailable) << result.ToString();
  EXPECT_NE(result.message().find(path), std::string::npos) << result.message();
  EXPECT_NE(result.message().find("may remain"), std::string::npos) << result.message();
  EXPECT_EQ(ReadLocal(path), "old content");
  // The session knows it is dead.
  EXPECT_EQ(s.Exec("true").status().code(), StatusCode::kUnavailable);
  for (const std::string& name : TempFilesIn(files_)) fs::remove(files_ + "/" + name);
}

TEST_F(SshClientTest, StalledServerTimesOutFileTransfers) {
  SshTarget target = sshd_->Target();
  target.command_timeout_seconds = 2;
  SshSession s = Connect(target);
  // The directory is checked once per session: do that before the stall, so
  // that the stall hits the transfer itself.
  ASSERT_TRUE(s.WriteFileAtomic(files_ + "/warm", "data", 0600, "", "").ok());
  sshd_->SignalSessions(SIGSTOP);
  auto start = Clock::now();
  Status st = s.WriteFileAtomic(files_ + "/x", "data", 0600, "", "");
  double took = SecondsSince(start);
  sshd_->SignalSessions(SIGCONT);
  EXPECT_EQ(st.code(), StatusCode::kDeadlineExceeded) << st.ToString();
  EXPECT_LT(took, 6.0);
  auto after = s.Exec("true");
  EXPECT_EQ(after.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(after.status().message().find("reconnect"), std::string::npos);
  EXPECT_FALSE(fs::exists(files_ + "/x"));
}

TEST_F(SshClientTest, RemoveFile) {
  SshSession s = Connect(sshd_->Target());
  WriteLocal(files_ + "/f", "x");
  EXPECT_TRUE(s.RemoveFile(files_ + "/f").ok());
  EXPECT_FALSE(fs::exists(files_ + "/f"));
  EXPECT_TRUE(s.RemoveFile(files_ + "/f").ok());  // absent is fine
  EXPECT_TRUE(s.RemoveFile(files_ + "/no/such/dir/f").ok());
  fs::create_directory(files_ + "/d");
  Status dir = s.RemoveFile(files_ + "/d");
  EXPECT_EQ(dir.code(), StatusCode::kFailedPrecondition) << dir.ToString();
  EXPECT_TRUE(fs::exists(files_ + "/d"));
}

TEST_F(SshClientTest, MakeDirectory) {
  SshSession s = Connect(sshd_->Target());
  const std::string path = files_ + "/a/b/ssl";
  auto made = s.MakeDirectory(path, 0750, "root", sshd_->user());
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  EXPECT_TRUE(*made);
  struct stat info;
  ASSERT_EQ(::lstat(path.c_str(), &info), 0);
  EXPECT_TRUE(S_ISDIR(info.st_mode));
  EXPECT_EQ(info.st_mode & 07777, 0750u);
  EXPECT_EQ(info.st_uid, 0u);
  EXPECT_EQ(info.st_gid, GidOf(sshd_->user()));
  ASSERT_EQ(::lstat((files_ + "/a/b").c_str(), &info), 0);  // missing parents: 0755
  EXPECT_EQ(info.st_mode & 07777, 0755u);
  // Again, with another mode and owner: an existing directory is left alone.
  made = s.MakeDirectory(path, 0700, sshd_->user(), "");
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  EXPECT_FALSE(*made);
  ASSERT_EQ(::lstat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0750u);
  EXPECT_EQ(info.st_uid, 0u);

  WriteLocal(files_ + "/plain", "x");
  auto file = s.MakeDirectory(files_ + "/plain", 0700, "", "");
  EXPECT_EQ(file.status().code(), StatusCode::kFailedPrecondition) << file.status().ToString();
  EXPECT_EQ(s.MakeDirectory(files_ + "/x", 0700, "no-such-user-pxc", "").status().code(),
            StatusCode::kNotFound);
  // A symbolic link is refused, also one to a directory, and nothing it
  // points to changes.
  fs::create_directory_symlink(sshd_->root_only_dir(), files_ + "/link");
  struct stat before;
  ASSERT_EQ(::stat(sshd_->root_only_dir().c_str(), &before), 0);
  auto link = s.MakeDirectory(files_ + "/link", 0700, sshd_->user(), sshd_->user());
  EXPECT_EQ(link.status().code(), StatusCode::kFailedPrecondition) << link.status().ToString();
  EXPECT_NE(link.status().message().find("symbolic link"), std::string::npos);
  Status chown = s.SetDirectoryOwnerAndMode(files_ + "/link", 0700, sshd_->user(), "");
  EXPECT_EQ(chown.code(), StatusCode::kFailedPrecondition) << chown.ToString();
  ASSERT_EQ(::stat(sshd_->root_only_dir().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode, before.st_mode);
  EXPECT_EQ(info.st_uid, before.st_uid);

  // SetDirectoryOwnerAndMode changes an existing directory; RemoveDirectory
  // removes it only when empty.
  ASSERT_TRUE(s.SetDirectoryOwnerAndMode(path, 0710, "", "root").ok());
  ASSERT_EQ(::lstat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0710u);
  EXPECT_EQ(info.st_gid, 0u);
  WriteLocal(path + "/keep", "x");
  auto removed = s.RemoveDirectory(path);
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_FALSE(*removed);
  EXPECT_TRUE(fs::exists(path + "/keep"));
  fs::remove(path + "/keep");
  removed = s.RemoveDirectory(path);
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_TRUE(*removed);
  EXPECT_FALSE(fs::exists(path));
  removed = s.RemoveDirectory(path);  // absent is fine
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(s.RemoveDirectory(files_ + "/link").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(fs::exists(sshd_->root_only_dir()));
}

TEST_F(SshClientTest, LstatAndInspectDirectory) {
  SshSession s = Connect(sshd_->Target());
  fs::create_directory_symlink(files_, files_ + "/self");
  auto l = s.Lstat(files_ + "/self");
  ASSERT_TRUE(l.ok() && l->has_value()) << l.status().ToString();
  EXPECT_EQ((*l)->type, SshSession::FileType::kSymlink);
  auto st = s.Stat(files_ + "/self");
  ASSERT_TRUE(st.ok() && st->has_value());
  EXPECT_EQ((*st)->type, SshSession::FileType::kDirectory);

  auto safe = s.InspectDirectory(files_);
  ASSERT_TRUE(safe.ok()) << safe.status().ToString();
  EXPECT_TRUE(safe->exists);
  EXPECT_FALSE(safe->symlink);
  EXPECT_FALSE(safe->problem.has_value()) << *safe->problem;
  EXPECT_EQ(safe->writer_uid, 0u);
  auto missing = s.InspectDirectory(files_ + "/not/yet");
  ASSERT_TRUE(missing.ok()) << missing.status().ToString();
  EXPECT_FALSE(missing->exists);
  EXPECT_FALSE(missing->problem.has_value());
  auto via_link = s.InspectDirectory(files_ + "/self/");
  ASSERT_TRUE(via_link.ok()) << via_link.status().ToString();
  EXPECT_TRUE(via_link->symlink);
  EXPECT_FALSE(via_link->problem.has_value());
  EXPECT_EQ(s.InspectDirectory(files_ + "/../x").status().code(), StatusCode::kInvalidArgument);
}

// Directories another account can change are refused before anything is
// written: owned by that account, group- or world-writable (also sticky),
// a parent it owns, or a symbolic link leading there.
void ExpectUnsafeDirectoriesRefused(SshSession& s, const std::string& base,
                                    const std::string& other_user) {
  struct Case {
    std::string name;
    std::function<std::string()> make;  // returns the directory to write into
    std::string expect;                 // in the message
  };
  const uid_t other = UidOf(other_user);
  const gid_t other_gid = GidOf(other_user);
  auto mk = [&](const std::string& d, mode_t mode, uid_t uid, gid_t gid) {
    fs::create_directories(d);
    EXPECT_EQ(::chown(d.c_str(), uid, gid), 0);
    EXPECT_EQ(::chmod(d.c_str(), mode), 0);
    return d;
  };
  const std::vector<Case> cases = {
      {"owned by the other account", [&] { return mk(base + "/owned", 0750, other, other_gid); },
       "is owned by " + other_user},
      {"group-writable", [&] { return mk(base + "/groupw", 0770, 0, other_gid); },
       "writable by group " + other_user},
      {"world-writable and sticky", [&] { return mk(base + "/sticky", 01777, 0, 0); },
       "writable by every account"},
      {"parent owned by the other account",
       [&] {
         mk(base + "/parent", 0755, other, other_gid);
         return mk(base + "/parent/certs", 0750, 0, 0);
       },
       base + "/parent is owned by " + other_user},
      {"symbolic link to such a directory",
       [&] {
         mk(base + "/target", 0755, other, other_gid);
         fs::create_directory_symlink(base + "/target", base + "/link");
         return base + "/link";
       },
       base + "/target is owned by " + other_user},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string dir = c.make();
    Status st = s.WriteFileAtomic(dir + "/server-key.pem", "secret key", 0600, "", "");
    ASSERT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
    EXPECT_NE(st.message().find(c.expect), std::string::npos) << st.message();
    EXPECT_NE(st.message().find("symbolic links"), std::string::npos) << st.message();
    EXPECT_NE(st.message().find("chmod go-w"), std::string::npos) << st.message();
    EXPECT_EQ(st.message().find("secret key"), std::string::npos);
    EXPECT_FALSE(fs::exists(dir + "/server-key.pem"));
    EXPECT_TRUE(TempFilesIn(dir).empty());
  }
}

TEST_F(SshClientTest, DirectoriesOtherAccountsCanChangeAreRefused) {
  SshSession s = Connect(sshd_->Target());
  ExpectUnsafeDirectoriesRefused(s, files_, sshd_->plain_user());
}

TEST_F(SshClientTest, PathsWithShellMetacharactersAreSafe) {
  SshSession s = Connect(sshd_->Target());
  const std::string dir = files_ + "/we'ird $(touch pwned) dir";
  ASSERT_TRUE(s.MakeDirectory(dir, 0755, "", "").ok());
  const std::string path = dir + "/file ; rm -rf x`id`";
  Status st = s.WriteFileAtomic(path, "ok", 0600, "", "");
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(ReadLocal(path), "ok");
  auto stat = s.Stat(path);
  ASSERT_TRUE(stat.ok() && stat->has_value());
  EXPECT_TRUE(s.RemoveFile(path).ok());
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists("pwned"));
  EXPECT_FALSE(fs::exists(sshd_->dir() + "/pwned"));
}

// --- a process that can write to the directory ---------------------------------

// Whatever moment a process with write access to the directory swaps pxc's
// temporary file for a symbolic link to a root-owned file, pxc must not
// change that file's owner, mode or content, and must not install the link.
void ExpectSwapsNeverReachTheTarget(SshSession& s, const std::string& dir,
                                    const std::string& target_dir, const std::string& owner) {
  int total_swaps = 0;
  for (auto when : {TempFileSwapper::When::kCreated, TempFileSwapper::When::kWritten,
                    TempFileSwapper::When::kFirstRead, TempFileSwapper::When::kSecondRead}) {
    SCOPED_TRACE(std::string("swapped when ") + TempFileSwapper::Name(when));
    const std::string target = target_dir + "/standin-shadow";
    const std::string secret = "root:$6$standin-hash:19000:0:99999:7:::\n";
    WriteLocal(target, secret, 0600);
    ASSERT_EQ(::chown(target.c_str(), 0, 0), 0);
    const std::string path = dir + "/server-key.pem";
    WriteLocal(path, "old", 0600);
    const std::string content = RandomBytes(1 << 20, 11);
    Status st;
    int swaps = 0;
    {
      TempFileSwapper swapper(dir, target, when);
      st = s.WriteFileAtomic(path, content, 0644, owner, owner);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      swaps = swapper.swaps();
    }
    total_swaps += swaps;
    std::cout << "swapped when " << TempFileSwapper::Name(when) << ": " << swaps << " -> "
              << st.ToString().substr(0, 60) << "\n";
    struct stat info;
    ASSERT_EQ(::lstat(target.c_str(), &info), 0);
    EXPECT_EQ(info.st_uid, 0u);
    EXPECT_EQ(info.st_gid, 0u);
    EXPECT_EQ(info.st_mode & 07777, 0600u);
    EXPECT_EQ(ReadLocal(target), secret);
    // Never a link where the file goes.
    bool present = ::lstat(path.c_str(), &info) == 0;
    EXPECT_TRUE(!present || S_ISREG(info.st_mode)) << "the link was installed as " << path;
    if (swaps > 0) {
      // A replaced temporary file is never installed: the old file stays, or
      // (swapped right between the last check and the rename) what the
      // rename put there is removed again.
      EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
      EXPECT_NE(st.message().find("replaced"), std::string::npos) << st.message();
      if (present) {
        EXPECT_EQ(ReadLocal(path), "old");
      }
    } else {
      EXPECT_TRUE(st.ok()) << st.ToString();
    }
    EXPECT_TRUE(TempFilesIn(dir).empty());
    ::unlink(target.c_str());
  }
  // The race was really run: the swap on creation always lands.
  EXPECT_GE(total_swaps, 1);
}

TEST_F(SshClientTest, SwappedTemporaryFileNeverReachesTheLinkTarget) {
  SshSession s = Connect(sshd_->Target());
  ExpectSwapsNeverReachTheTarget(s, files_, sshd_->root_only_dir(), sshd_->user());
}

// --- sudo --------------------------------------------------------------------------

TEST_F(SshSudoTest, ExecRunsAsRoot) {
  SshSession s = Connect(SudoTarget());
  auto r = s.Exec("id -u; echo \"$0\" >&2", "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stdout_text, "0\n");
  auto in = s.Exec("cat", "through sudo");
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(in->stdout_text, "through sudo");
}

TEST_F(SshSudoTest, FileOperationsAsRoot) {
  SshSession s = Connect(SudoTarget());
  const std::string dir = sshd_->root_only_dir() + "/sudo-" + std::to_string(::getpid());
  ASSERT_TRUE(s.MakeDirectory(dir, 0750, "root", sshd_->user()).ok());
  ASSERT_TRUE(s.SetDirectoryOwnerAndMode(dir, 0750, "root", sshd_->user()).ok());
  struct stat info;
  ASSERT_EQ(::stat(dir.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0750u);
  EXPECT_EQ(info.st_gid, GidOf(sshd_->user()));

  const std::string path = dir + "/server-key.pem";
  const std::string content = RandomBytes(300000, 6);
  WriteLocal(path, "old", 0600);
  TempFileWatcher watcher(dir);
  Status st = s.WriteFileAtomic(path, content, 0640, "root", sshd_->user());
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0640u);
  EXPECT_EQ(info.st_uid, 0u);
  EXPECT_EQ(info.st_gid, GidOf(sshd_->user()));
  EXPECT_TRUE(ReadLocal(path) == content);
  EXPECT_TRUE(TempFilesIn(dir).empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(watcher.names().empty());
  for (uint32_t seen : watcher.modes()) {
    EXPECT_EQ(seen & ~0640u & 0777, 0u) << std::oct << seen;
    EXPECT_EQ(seen & 0007, 0u) << std::oct << seen;
  }

  auto read = s.ReadFile(path);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_TRUE(read->has_value());
  EXPECT_TRUE(**read == content);
  auto absent = s.ReadFile(dir + "/absent");
  ASSERT_TRUE(absent.ok()) << absent.status().ToString();
  EXPECT_FALSE(absent->has_value());
  EXPECT_EQ(s.ReadFile(dir).status().code(), StatusCode::kFailedPrecondition);

  auto stat = s.Stat(path);
  ASSERT_TRUE(stat.ok() && stat->has_value()) << stat.status().ToString();
  EXPECT_EQ((*stat)->owner, "root");
  EXPECT_EQ((*stat)->group, sshd_->user());
  EXPECT_EQ((*stat)->mode, 0640u);

  Status missing_dir = s.WriteFileAtomic(dir + "/no/file", "x", 0600, "", "");
  EXPECT_EQ(missing_dir.code(), StatusCode::kFailedPrecondition) << missing_dir.ToString();
  Status bad_owner = s.WriteFileAtomic(path, "x", 0600, "no-such-user-pxc", "");
  EXPECT_EQ(bad_owner.code(), StatusCode::kNotFound) << bad_owner.ToString();
  EXPECT_TRUE(ReadLocal(path) == content);

  ASSERT_TRUE(s.RemoveFile(path).ok());
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(TempFilesIn(dir).empty());
}

TEST_F(SshSudoTest, RefusedSudoIsPermissionDenied) {
  SshTarget t = SudoTarget();
  t.user = sshd_->plain_user();
  SshSession s = Connect(t);
  auto r = s.Exec("true");
  ASSERT_EQ(r.status().code(), StatusCode::kPermissionDenied) << r.status().ToString();
  EXPECT_NE(r.status().message().find("NOPASSWD"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find(sshd_->plain_user()), std::string::npos);
  Status w = s.WriteFileAtomic(files_ + "/x", "x", 0600, "", "");
  EXPECT_EQ(w.code(), StatusCode::kPermissionDenied) << w.ToString();
  EXPECT_FALSE(fs::exists(files_ + "/x"));
}

TEST_F(SshSudoTest, ConnectionKilledMidUploadKeepsTheOldFile) {
  SshSession s = Connect(SudoTarget());
  const std::string path = files_ + "/big.bin";
  WriteLocal(path, "old content", 0600);
  std::atomic<bool> stopped{false};
  // Stop only sshd: the remote shell then sees its input end early, as when
  // the network goes away, and must not install the partial file.
  TempFileWatcher watcher(files_, [&](const std::string&) {
    if (!stopped.exchange(true)) sshd_->SignalSessions(SIGSTOP, /*sshd_only=*/true);
  });
  Status result;
  std::thread writer(
      [&] { result = s.WriteFileAtomic(path, RandomBytes(8 << 20, 7), 0600, "", ""); });
  auto start = Clock::now();
  while (!stopped && SecondsSince(start) < 20)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(stopped) << "the upload never started";
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(ReadLocal(path), "old content");
  sshd_->SignalSessions(SIGKILL, /*sshd_only=*/true);
  writer.join();
  EXPECT_EQ(result.code(), StatusCode::kUnavailable) << result.ToString();
  // The remote script notices the short input, removes its temporary file
  // and leaves the target alone.
  start = Clock::now();
  while (!TempFilesIn(files_).empty() && SecondsSince(start) < 10) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(TempFilesIn(files_).empty());
  EXPECT_EQ(ReadLocal(path), "old content");
}

TEST_F(SshSudoTest, DirectoriesOtherAccountsCanChangeAreRefused) {
  SshSession s = Connect(SudoTarget());
  ExpectUnsafeDirectoriesRefused(s, files_, sshd_->plain_user());
}

TEST_F(SshSudoTest, SwappedTemporaryFileNeverReachesTheLinkTarget) {
  SshSession s = Connect(SudoTarget());
  ExpectSwapsNeverReachTheTarget(s, files_, sshd_->root_only_dir(), sshd_->plain_user());
}

}  // namespace
}  // namespace pxc::resources
