#include "schema/path.h"

#include <nlohmann/json.hpp>

namespace pxc::schema {

std::string AttributePath::ToString() const {
  std::string out;
  for (const auto& s : steps_) {
    switch (s.kind) {
      case PathStep::Kind::kAttribute:
        if (!out.empty()) out += '.';
        out += s.name;
        break;
      case PathStep::Kind::kStringKey:
        out +=
            '[' +
            nlohmann::json(s.name).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
            ']';
        break;
      case PathStep::Kind::kIntKey:
        out += '[' + std::to_string(s.index) + ']';
        break;
    }
  }
  return out;
}

}  // namespace pxc::schema
