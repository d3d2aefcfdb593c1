// Diagnostics: the only way errors and warnings reach a Terraform user. Each
// has a severity, a summary (Title Case), a detail (full sentences) and
// optionally the attribute path it is about.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "schema/path.h"
#include "schema/status.h"

namespace pxc::schema {

enum class Severity { kError, kWarning };

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string summary;
  std::string detail;
  std::optional<AttributePath> path;
};

class Diagnostics {
 public:
  void AddError(std::string summary, std::string detail,
                std::optional<AttributePath> path = std::nullopt);
  void AddWarning(std::string summary, std::string detail,
                  std::optional<AttributePath> path = std::nullopt);
  // Adds an error built from a non-OK status: summary as given, detail the
  // status message (plus `hint` when non-empty).
  void AddStatus(const Status& status, std::string summary, std::string hint = "",
                 std::optional<AttributePath> path = std::nullopt);
  void Append(const Diagnostics& other);

  bool HasError() const;
  const std::vector<Diagnostic>& items() const { return items_; }
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace pxc::schema
