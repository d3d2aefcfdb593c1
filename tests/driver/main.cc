// pxc-tfdriver: runs a scenario file against a provider binary the way
// Terraform core would (see tests/driver/scenario.h for the file format).
//
//   pxc-tfdriver --provider <binary> --scenario <file.json> [--workdir DIR]
//                [--plugin-log LEVEL] [--capture-plugin-proc]
//
// Prints one "ok - ..." / "not ok - ..." line per check and a final
// "N passed, M failed" line; exits 0 iff nothing failed (2 on bad usage).
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include "provider/auto_mtls.h"
#include "tests/driver/scenario.h"

namespace {

int Usage(const char* why) {
  std::fprintf(
      stderr,
      "pxc-tfdriver: %s\n"
      "usage: pxc-tfdriver --provider <binary> --scenario <file.json> [--workdir DIR] "
      "[--keep-state] [--plugin-log trace|debug|info|warn|error] [--capture-plugin-proc]\n",
      why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  pxc::provider::InitOpenSslWithoutAtExit();  // gRPC's threads outlive main
  pxc::tfdriver::ScenarioOptions options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return true;
    };
    bool ok = true;
    if (arg == "--provider") {
      ok = value(&options.provider_binary);
    } else if (arg == "--scenario") {
      ok = value(&options.scenario_path);
    } else if (arg == "--workdir") {
      ok = value(&options.workdir);
    } else if (arg == "--keep-state") {
      options.keep_state = true;
    } else if (arg == "--plugin-log") {
      ok = value(&options.plugin_log_level);
    } else if (arg == "--capture-plugin-proc") {
      options.capture_plugin_proc = true;
    } else if (arg == "--help" || arg == "-h") {
      Usage("run a protocol scenario");
      return 0;
    } else {
      return Usage(("unknown argument " + arg).c_str());
    }
    if (!ok) return Usage((arg + " needs a value").c_str());
  }
  if (options.provider_binary.empty()) return Usage("--provider is required");
  if (options.scenario_path.empty()) return Usage("--scenario is required");
  std::signal(SIGPIPE, SIG_IGN);
  auto result = pxc::tfdriver::RunScenario(options);
  return result.failed == 0 ? 0 : 1;
}
