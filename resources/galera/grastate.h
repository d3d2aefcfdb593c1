// grastate.dat, the file in which Galera keeps a stopped node's position in
// the cluster's history, and the choice of the node to bootstrap a cluster
// from. Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "schema/status.h"

namespace pxc::resources {

// Parses grastate.dat ("seqno:   1234", "safe_to_bootstrap: 1"). A missing or
// unreadable seqno is -1.
struct GraState {
  int64_t seqno = -1;
  bool safe_to_bootstrap = false;
  std::string uuid;
};
GraState ParseGraState(const std::string& text);

// Picks the node to bootstrap from: the highest seqno; among equals, one
// with safe_to_bootstrap, then the earliest in the list. kFailedPrecondition
// (with the reason and what to do) when a seqno is unknown (-1): the
// operator must recover it first; or when the nodes belong to different
// clusters (uuid).
struct BootstrapChoice {
  size_t index = 0;
  bool needs_safe_flag = false;  // the chosen node's grastate says 0: set it
};
StatusOr<BootstrapChoice> ChooseBootstrapNode(const std::vector<std::string>& names,
                                              const std::vector<GraState>& states);

}  // namespace pxc::resources
