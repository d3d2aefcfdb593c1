#include "tests/driver/plugin_capture.h"

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

extern char** environ;

namespace pxc::tfdriver {

namespace {

namespace fs = std::filesystem;

// The whole file, or nullopt-like "" with ok=false when it cannot be read
// (the process may be gone).
std::string ReadAll(const std::string& path, bool* ok) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *ok = false;
    return "";
  }
  std::stringstream ss;
  ss << in.rdbuf();
  *ok = static_cast<bool>(in) || in.eof();
  return ss.str();
}

std::string Pad3(int n) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%03d", n);
  return buf;
}

std::string SafeName(const std::string& s) {
  std::string out;
  for (char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-') ? c : '_';
  return out;
}

struct ProcStat {
  pid_t ppid = 0;
  std::string start_time;
};

// ppid and start time from /proc/<pid>/stat (fields after the last ')').
bool ReadStat(pid_t pid, ProcStat* out) {
  bool ok = true;
  std::string text = ReadAll("/proc/" + std::to_string(pid) + "/stat", &ok);
  size_t close = text.rfind(')');
  if (!ok || close == std::string::npos) return false;
  std::istringstream in(text.substr(close + 1));
  std::vector<std::string> f;
  std::string word;
  while (in >> word) f.push_back(word);
  // f[0] is field 3 (state), f[1] field 4 (ppid), f[19] field 22 (starttime).
  if (f.size() < 20) return false;
  out->ppid = static_cast<pid_t>(std::stol(f[1]));
  out->start_time = f[19];
  return true;
}

}  // namespace

PluginCapture::PluginCapture(const std::string& workdir)
    : dir_((fs::path(workdir) / "plugin-capture").string()) {
  std::error_code ec;
  fs::remove_all(dir_, ec);
  fs::create_directories(fs::path(dir_) / "proc", ec);
  if (!ec) fs::create_directories(fs::path(dir_) / "state", ec);
  std::lock_guard<std::mutex> lock(mu_);
  if (ec) {
    error_ = "cannot create " + dir_ + ": " + ec.message();
  } else {
    std::string env;
    for (char** e = environ; *e; ++e) env.append(*e).push_back('\0');
    WriteLocked((fs::path(dir_) / "driver.environ").string(), env, false);
  }
  sampler_ = std::thread([this] { SamplerLoop(); });
}

PluginCapture::~PluginCapture() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  sampler_.join();
}

void PluginCapture::Started(pid_t pid, const std::string& walk) {
  std::lock_guard<std::mutex> lock(mu_);
  watched_[pid] = Watched{walk, ++seq_};
}

void PluginCapture::BeforeClose(pid_t pid) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = watched_.find(pid);
  if (it == watched_.end()) return;
  if (!SnapshotLocked(pid, Pad3(it->second.seq) + "-" + SafeName(it->second.walk) + "-" +
                               std::to_string(pid)) &&
      error_.empty()) {
    error_ = "cannot read /proc/" + std::to_string(pid) + " of the running plugin";
  }
  SnapshotDescendantsLocked();
}

void PluginCapture::AfterClose(pid_t pid, const std::string& stderr_text,
                               const std::string& state_path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = watched_.find(pid);
  if (it == watched_.end()) return;
  std::string header = "# pxc-tfdriver: stderr of the " + it->second.walk + " walk (" +
                       Pad3(it->second.seq) + ", pid " + std::to_string(pid) + ")\n";
  std::string body = stderr_text;
  if (!body.empty() && body.back() != '\n') body.push_back('\n');
  WriteLocked((fs::path(dir_) / "plugin-stderr.log").string(), header + body, true);
  watched_.erase(it);

  bool ok = true;
  std::string state = ReadAll(state_path, &ok);
  if (ok && state != last_state_) {
    last_state_ = state;
    WriteLocked((fs::path(dir_) / "state" / (Pad3(++state_copies_) + ".tfstate")).string(), state,
                false);
  }
}

std::string PluginCapture::error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

void PluginCapture::SamplerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, std::chrono::milliseconds(20), [this] { return stop_; });
    if (!stop_ && !watched_.empty()) SnapshotDescendantsLocked();
  }
}

void PluginCapture::SnapshotDescendantsLocked() {
  std::map<pid_t, ProcStat> procs;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    ProcStat st;
    pid_t pid = static_cast<pid_t>(std::stol(name));
    if (ReadStat(pid, &st)) procs[pid] = st;
  }
  for (const auto& [root, w] : watched_) {
    // Breadth-first over the parent links: every descendant of `root`.
    std::vector<pid_t> frontier{root};
    while (!frontier.empty()) {
      pid_t parent = frontier.back();
      frontier.pop_back();
      for (const auto& [pid, st] : procs) {
        if (st.ppid != parent) continue;
        frontier.push_back(pid);
        if (!captured_.insert({pid, st.start_time}).second) continue;
        SnapshotLocked(pid, Pad3(w.seq) + "-" + SafeName(w.walk) + "-" + std::to_string(root) +
                                "-child-" + std::to_string(pid));
      }
    }
  }
}

bool PluginCapture::SnapshotLocked(pid_t pid, const std::string& base) {
  bool all = true;
  for (const char* what : {"cmdline", "environ"}) {
    bool ok = true;
    std::string data = ReadAll("/proc/" + std::to_string(pid) + "/" + what, &ok);
    if (!ok) {  // exited meanwhile
      all = false;
      continue;
    }
    WriteLocked((fs::path(dir_) / "proc" / (base + "." + what)).string(), data, false);
  }
  return all;
}

void PluginCapture::WriteLocked(const std::string& path, const std::string& data, bool append) {
  std::ofstream out(path, std::ios::binary | (append ? std::ios::app : std::ios::trunc));
  out << data;
  if (!out && error_.empty()) error_ = "cannot write " + path + ": " + std::strerror(errno);
}

}  // namespace pxc::tfdriver
