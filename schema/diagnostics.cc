#include "schema/diagnostics.h"

namespace pxc::schema {

void Diagnostics::AddError(std::string summary, std::string detail,
                           std::optional<AttributePath> path) {
  items_.push_back({Severity::kError, std::move(summary), std::move(detail), std::move(path)});
}

void Diagnostics::AddWarning(std::string summary, std::string detail,
                             std::optional<AttributePath> path) {
  items_.push_back({Severity::kWarning, std::move(summary), std::move(detail), std::move(path)});
}

void Diagnostics::AddStatus(const Status& status, std::string summary, std::string hint,
                            std::optional<AttributePath> path) {
  std::string detail = status.message();
  if (!detail.empty() && detail.back() != '.') detail += '.';
  if (!hint.empty()) detail += ' ' + hint;
  AddError(std::move(summary), std::move(detail), std::move(path));
}

void Diagnostics::Append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

bool Diagnostics::HasError() const {
  for (const auto& d : items_) {
    if (d.severity == Severity::kError) return true;
  }
  return false;
}

}  // namespace pxc::schema
