// See sshd_fixture.h.
#include "tests/resources/remote/sshd_fixture.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

extern char** environ;

namespace pxc::resources::testing {
namespace {

namespace fs = std::filesystem;

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Status WriteWholeFile(const std::string& path, const std::string& data, mode_t mode) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << data;
    if (!out) return InternalError("cannot write " + path);
  }
  if (::chmod(path.c_str(), mode) != 0) return InternalError("cannot chmod " + path);
  return OkStatus();
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string RandomToken(size_t n) {
  static const char kChars[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::random_device rd;
  std::string out;
  for (size_t i = 0; i < n; ++i) out.push_back(kChars[rd() % (sizeof(kChars) - 1)]);
  return out;
}

Status Run(const std::string& command) {
  CommandResult r = RunCommand(command);
  if (r.exit_code != 0) {
    return InternalError("`" + command + "` failed (" + std::to_string(r.exit_code) +
                         "): " + r.output);
  }
  return OkStatus();
}

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    socklen_t len = sizeof addr;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port = ntohs(addr.sin_port);
    }
  }
  ::close(fd);
  return port;
}

bool CanConnect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

void RemoveUsersAndSudoers(const std::string& pid) {
  for (const std::string& name : {"pxcs" + pid, "pxcp" + pid}) {
    (void)RunCommand("getent passwd " + name + " >/dev/null && userdel -r -f " + name +
                     " >/dev/null 2>&1");
  }
  ::unlink(("/etc/sudoers.d/pxc-ssh-test-" + pid).c_str());
}

// A test process that was killed (ctest timeout, broken pipe) leaves its sshd,
// users and directory behind; the next run removes them. Only fixtures whose
// owning process is gone are touched, and only the sshd recorded in their
// own pid file.
void CleanUpStaleFixtures() {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/tmp", ec)) {
    std::string dir = entry.path();
    if (entry.path().filename().string().rfind("pxc-sshd-", 0) != 0) continue;
    std::string owner = Trim(ReadWholeFile(dir + "/owner.pid"));
    if (owner.empty() || owner.find_first_not_of("0123456789") != std::string::npos) continue;
    if (::kill(static_cast<pid_t>(std::stol(owner)), 0) == 0 || errno != ESRCH) continue;
    std::string sshd_pid = Trim(ReadWholeFile(dir + "/sshd.pid"));
    if (!sshd_pid.empty() && sshd_pid.find_first_not_of("0123456789") == std::string::npos) {
      std::string cmdline = ReadWholeFile("/proc/" + sshd_pid + "/cmdline");
      if (cmdline.find(dir + "/sshd_config") != std::string::npos) {
        ::kill(static_cast<pid_t>(std::stol(sshd_pid)), SIGTERM);
      }
    }
    RemoveUsersAndSudoers(owner);
    fs::remove_all(dir, ec);
  }
}

}  // namespace

CommandResult RunCommand(const std::string& command) {
  CommandResult result;
  std::string full = "(" + command + ") 2>&1";
  FILE* p = ::popen(full.c_str(), "r");
  if (p == nullptr) return result;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) result.output.append(buf, n);
  int status = ::pclose(p);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

StatusOr<KeyPair> MakeKeyPair(const std::string& scratch_dir, const std::string& passphrase) {
  std::string base = scratch_dir + "/key-" + RandomToken(8);
  PXC_RETURN_IF_ERROR(Run("ssh-keygen -q -t ed25519 -C pxc-test -N " + ShellQuote(passphrase) +
                          " -f " + ShellQuote(base)));
  KeyPair kp;
  kp.private_pem = ReadWholeFile(base);
  kp.public_line = Trim(ReadWholeFile(base + ".pub"));
  CommandResult fp = RunCommand("ssh-keygen -lf " + ShellQuote(base + ".pub"));
  std::istringstream fields(fp.output);
  std::string bits;
  fields >> bits >> kp.fingerprint;
  fs::remove(base);
  fs::remove(base + ".pub");
  if (kp.private_pem.empty() || kp.fingerprint.rfind("SHA256:", 0) != 0) {
    return InternalError("ssh-keygen did not produce a key: " + fp.output);
  }
  return kp;
}

std::string Sshd::SkipReason() {
  if (::geteuid() != 0) return "needs root: starts its own sshd and creates local users";
  for (const char* tool : {"/usr/sbin/sshd", "/usr/bin/ssh-keygen", "/usr/sbin/useradd"}) {
    if (::access(tool, X_OK) != 0) {
      return std::string(tool) + " is missing (run `bash scripts/install-deps.sh test`)";
    }
  }
  return "";
}

StatusOr<std::unique_ptr<Sshd>> Sshd::Start() {
  CleanUpStaleFixtures();
  std::unique_ptr<Sshd> sshd(new Sshd());
  Status st = sshd->Init();
  if (!st.ok()) return st;  // The destructor cleans up what was made.
  return sshd;
}

Status Sshd::Init() {
  char tmpl[] = "/tmp/pxc-sshd-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) return InternalError("mkdtemp failed");
  dir_ = tmpl;
  ::chmod(dir_.c_str(), 0755);
  PXC_RETURN_IF_ERROR(WriteWholeFile(dir_ + "/owner.pid", std::to_string(::getpid()), 0644));
  ::mkdir("/run/sshd", 0755);  // Privilege separation directory.

  for (auto [type, key] : {std::pair<std::string, KeyPair*>{"ed25519", &host_key_},
                           std::pair<std::string, KeyPair*>{"rsa", &rsa_host_key_}}) {
    const std::string file = dir_ + "/host_" + type + "_key";
    PXC_RETURN_IF_ERROR(Run("ssh-keygen -q -t " + type + (type == "rsa" ? " -b 2048" : "") +
                            " -N '' -C pxc-test-host -f " + ShellQuote(file)));
    key->private_pem = ReadWholeFile(file);
    key->public_line = Trim(ReadWholeFile(file + ".pub"));
    std::istringstream fields(RunCommand("ssh-keygen -lf " + ShellQuote(file + ".pub")).output);
    std::string bits;
    fields >> bits >> key->fingerprint;
  }
  PXC_ASSIGN_OR_RETURN(client_key_, MakeKeyPair(dir_));
  PXC_RETURN_IF_ERROR(
      WriteWholeFile(dir_ + "/authorized_keys", client_key_.public_line + "\n", 0644));

  // Users. A password also unlocks the account, which sshd requires without PAM.
  const std::string pid = std::to_string(::getpid());
  user_ = "pxcs" + pid;
  plain_user_ = "pxcp" + pid;
  password_ = RandomToken(24);
  for (const std::string& name : {user_, plain_user_}) {
    (void)RunCommand("userdel -r -f " + name + " 2>/dev/null");  // Stale from a crashed run.
    PXC_RETURN_IF_ERROR(
        Run("useradd -m -d " + ShellQuote(dir_ + "/home-" + name) + " -s /bin/sh -U " + name));
    users_created_.push_back(name);
    PXC_RETURN_IF_ERROR(Run("echo " +
                            ShellQuote(name + ":" + (name == user_ ? password_ : RandomToken(24))) +
                            " | chpasswd"));
  }
  ::mkdir(root_only_dir().c_str(), 0755);
  ::mkdir(user_dir().c_str(), 0755);
  PXC_RETURN_IF_ERROR(Run("chown " + user_ + ":" + user_ + " " + ShellQuote(user_dir())));

  if (::access("/usr/bin/sudo", X_OK) == 0) {
    ::mkdir("/etc/sudoers.d", 0755);
    sudoers_file_ = "/etc/sudoers.d/pxc-ssh-test-" + pid;
    PXC_RETURN_IF_ERROR(WriteWholeFile(sudoers_file_, user_ + " ALL=(ALL) NOPASSWD: ALL\n", 0440));
    if (::access("/usr/sbin/visudo", X_OK) == 0) {
      PXC_RETURN_IF_ERROR(Run("visudo -cqf " + ShellQuote(sudoers_file_)));
    }
    has_sudo_ = true;
  }
  return Launch();
}

Status Sshd::Launch() {
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = FreePort();
    if (port_ == 0) return InternalError("no free port");
    std::string config = "Port " + std::to_string(port_) +
                         "\n"
                         "ListenAddress 127.0.0.1\n"
                         "HostKey " +
                         dir_ +
                         "/host_ed25519_key\n"
                         "HostKey " +
                         dir_ +
                         "/host_rsa_key\n"
                         "PidFile " +
                         dir_ +
                         "/sshd.pid\n"
                         "AuthorizedKeysFile " +
                         dir_ +
                         "/authorized_keys\n"
                         "PermitRootLogin prohibit-password\n"
                         "PubkeyAuthentication yes\n"
                         "PasswordAuthentication yes\n"
                         "KbdInteractiveAuthentication no\n"
                         "StrictModes no\n"
                         "UsePAM no\n"
                         "UseDNS no\n"
                         "MaxStartups 100\n"
                         "MaxSessions 100\n"
                         "LogLevel VERBOSE\n"
                         "Subsystem sftp internal-sftp\n";
    PXC_RETURN_IF_ERROR(WriteWholeFile(dir_ + "/sshd_config", config, 0644));
    PXC_RETURN_IF_ERROR(Run("/usr/sbin/sshd -t -f " + ShellQuote(dir_ + "/sshd_config")));

    std::string log = dir_ + "/sshd.log";
    std::string conf = dir_ + "/sshd_config";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    std::vector<std::string> args = {"/usr/sbin/sshd", "-D", "-e", "-f", conf};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) return InternalError("posix_spawn sshd failed");
    pid_ = pid;

    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    bool exited = false;
    while (std::chrono::steady_clock::now() < deadline) {
      int status;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exited = true;
        pid_ = -1;
        break;
      }
      if (CanConnect(port_)) return OkStatus();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!exited) return InternalError("sshd did not start listening: " + Log());
    if (Log().find("Address already in use") == std::string::npos) {
      return InternalError("sshd exited: " + Log());
    }
  }
  return InternalError("sshd could not bind a port: " + Log());
}

std::vector<pid_t> Sshd::SessionPids(bool sshd_only) const {
  std::vector<pid_t> out;
  if (pid_ <= 0) return out;
  std::map<pid_t, std::vector<pid_t>> children;
  std::map<pid_t, std::string> comm;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string stat = ReadWholeFile("/proc/" + name + "/stat");
    size_t close = stat.rfind(')');
    size_t open = stat.find('(');
    if (close == std::string::npos || open == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    char state;
    pid_t ppid;
    rest >> state >> ppid;
    pid_t p = static_cast<pid_t>(std::stol(name));
    children[ppid].push_back(p);
    comm[p] = stat.substr(open + 1, close - open - 1);
  }
  std::deque<pid_t> queue(children[pid_].begin(), children[pid_].end());
  while (!queue.empty()) {
    pid_t p = queue.front();
    queue.pop_front();
    if (!sshd_only || comm[p] == "sshd") out.push_back(p);
    for (pid_t c : children[p]) queue.push_back(c);
  }
  return out;
}

void Sshd::SignalSessions(int sig, bool sshd_only) const {
  for (pid_t p : SessionPids(sshd_only)) ::kill(p, sig);
}

Status Sshd::Authorize(const std::string& public_line) const {
  std::ofstream out(dir_ + "/authorized_keys", std::ios::app);
  out << public_line << "\n";
  return out ? OkStatus() : InternalError("cannot append to authorized_keys");
}

std::string Sshd::Log() const { return ReadWholeFile(dir_ + "/sshd.log"); }

SshTarget Sshd::Target(const std::string& user) const {
  SshTarget t;
  t.host = "127.0.0.1";
  t.port = port_;
  t.user = user;
  t.label = "test-sshd";
  t.private_key_pem = client_key_.private_pem;
  t.host_key = host_key_.public_line;
  t.connect_timeout_seconds = 10;
  t.command_timeout_seconds = 60;
  return t;
}

void Sshd::Stop() {
  if (pid_ > 0) {
    SignalSessions(SIGCONT);
    SignalSessions(SIGKILL);
    ::kill(pid_, SIGTERM);
    int status;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
  }
}

Sshd::~Sshd() {
  Stop();
  if (!sudoers_file_.empty()) ::unlink(sudoers_file_.c_str());
  for (const std::string& name : users_created_) {
    (void)RunCommand("userdel -r -f " + name + " 2>/dev/null");
  }
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

}  // namespace pxc::resources::testing
