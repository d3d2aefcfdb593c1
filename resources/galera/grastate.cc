#include "resources/galera/grastate.h"

#include <sstream>

namespace pxc::resources {

GraState ParseGraState(const std::string& text) {
  GraState g;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, colon);
    std::string val = line.substr(colon + 1);
    val.erase(0, val.find_first_not_of(" \t"));
    while (!val.empty() && (val.back() == '\r' || val.back() == ' ')) val.pop_back();
    if (key == "seqno") {
      try {
        g.seqno = std::stoll(val);
      } catch (...) {
        g.seqno = -1;
      }
    } else if (key == "safe_to_bootstrap") {
      g.safe_to_bootstrap = val == "1";
    } else if (key == "uuid") {
      g.uuid = val;
    }
  }
  return g;
}

StatusOr<BootstrapChoice> ChooseBootstrapNode(const std::vector<std::string>& names,
                                              const std::vector<GraState>& states) {
  if (states.empty()) return InvalidArgumentError("no nodes");
  for (size_t i = 0; i < states.size(); ++i) {
    if (states[i].seqno < 0) {
      return FailedPreconditionError(
          "the last committed transaction of " + names[i] +
          " is unknown (grastate.dat seqno -1, e.g. after a crash); recover it with "
          "`mysqld --wsrep-recover` on every node and bootstrap the most advanced by hand");
    }
  }
  size_t best = 0;
  for (size_t i = 1; i < states.size(); ++i) {
    const auto& a = states[i];
    const auto& b = states[best];
    if (a.seqno > b.seqno || (a.seqno == b.seqno && a.safe_to_bootstrap && !b.safe_to_bootstrap)) {
      best = i;
    }
  }
  for (size_t i = 0; i < states.size(); ++i) {
    if (!states[i].uuid.empty() && !states[best].uuid.empty() &&
        states[i].uuid != states[best].uuid) {
      return FailedPreconditionError("the nodes belong to different clusters (" + names[best] +
                                     " has uuid " + states[best].uuid + ", " + names[i] + " has " +
                                     states[i].uuid + ")");
    }
  }
  return BootstrapChoice{best, !states[best].safe_to_bootstrap};
}

}  // namespace pxc::resources
