// Evidence for the secrets scan (tests/security/secrets_scan.py): with
// `pxc-tfdriver --capture-plugin-proc`, every provider process the driver
// starts leaves in <workdir>/plugin-capture/:
//
//   plugin-stderr.log          the full stderr of every walk's plugin, in
//                              order, each preceded by a "# pxc-tfdriver:"
//                              header line naming the walk and pid
//   proc/NNN-<walk>-<pid>.cmdline, .environ
//                              raw copies of /proc/<pid>/cmdline and environ
//                              (NUL-separated), taken while the plugin runs:
//                              right before it is shut down (after the walk's
//                              RPCs, so after the applies of an apply walk)
//   proc/NNN-<walk>-<pid>-child-<cpid>.cmdline, .environ
//                              the same for every descendant process of the
//                              plugin, sampled every 20 ms while it runs
//   driver.environ             the driver's own environment, which the plugin
//                              inherits as from Terraform (the scanner tells
//                              inherited entries from ones added later)
//   state/NNN.tfstate          a copy of the state file after each walk that
//                              changed it, so that secrets of resources
//                              destroyed later are still known to the scanner
//
// Thread-safety: the public methods are called from the driver's thread; a
// private sampler thread reads /proc for descendants while a plugin is being
// watched. All shared state is guarded by mu_.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>

namespace pxc::tfdriver {

class PluginCapture {
 public:
  // Creates <workdir>/plugin-capture (emptied if present) and writes
  // driver.environ. Errors creating files are reported by ok()/error().
  explicit PluginCapture(const std::string& workdir);
  PluginCapture(const PluginCapture&) = delete;
  PluginCapture& operator=(const PluginCapture&) = delete;
  // Stops the sampler thread.
  ~PluginCapture();

  // A plugin process for `walk` was started: sample its descendants.
  void Started(pid_t pid, const std::string& walk);
  // The walk's RPCs are done and the plugin still runs: snapshot its
  // cmdline/environ and its descendants'.
  void BeforeClose(pid_t pid);
  // The plugin has exited: stop watching it, append its complete stderr to
  // the log and copy `state_path` if it changed since the last copy.
  void AfterClose(pid_t pid, const std::string& stderr_text, const std::string& state_path);

  // The first file error, or "" when every capture file was written.
  std::string error() const;

 private:
  struct Watched {
    std::string walk;
    int seq = 0;
  };
  void SamplerLoop();
  // Snapshots descendants of the watched pids not yet captured. mu_ held.
  void SnapshotDescendantsLocked();
  // Copies /proc/<pid>/{cmdline,environ} to proc/<base>.{cmdline,environ};
  // false when the process could not be read (it has exited).
  bool SnapshotLocked(pid_t pid, const std::string& base);
  void WriteLocked(const std::string& path, const std::string& data, bool append);

  std::string dir_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;                 // guarded by mu_
  int seq_ = 0;                       // guarded by mu_: walks started
  int state_copies_ = 0;              // guarded by mu_
  std::string last_state_;            // guarded by mu_
  std::map<pid_t, Watched> watched_;  // guarded by mu_
  // (pid, start time) of descendants already captured; guarded by mu_.
  std::set<std::pair<pid_t, std::string>> captured_;
  std::string error_;  // guarded by mu_
  std::thread sampler_;
};

}  // namespace pxc::tfdriver
