// Attribute paths: where in a value a diagnostic or a plan change applies, as
// Terraform's AttributePath (attribute name, string key, integer index).
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace pxc::schema {

struct PathStep {
  enum class Kind { kAttribute, kStringKey, kIntKey };
  Kind kind = Kind::kAttribute;
  std::string name;   // attribute name or string key
  int64_t index = 0;  // integer key

  static PathStep Attr(std::string n) { return {Kind::kAttribute, std::move(n), 0}; }
  static PathStep Key(std::string k) { return {Kind::kStringKey, std::move(k), 0}; }
  static PathStep Index(int64_t i) { return {Kind::kIntKey, {}, i}; }
  bool operator==(const PathStep& o) const {
    return kind == o.kind && name == o.name && index == o.index;
  }
};

class AttributePath {
 public:
  AttributePath() = default;
  explicit AttributePath(std::vector<PathStep> steps) : steps_(std::move(steps)) {}
  // Shorthand for a top-level attribute.
  static AttributePath Root(std::string attr) {
    return AttributePath({PathStep::Attr(std::move(attr))});
  }

  AttributePath Attr(std::string n) const { return Append(PathStep::Attr(std::move(n))); }
  AttributePath Key(std::string k) const { return Append(PathStep::Key(std::move(k))); }
  AttributePath Index(int64_t i) const { return Append(PathStep::Index(i)); }
  AttributePath Append(PathStep s) const {
    AttributePath p = *this;
    p.steps_.push_back(std::move(s));
    return p;
  }

  const std::vector<PathStep>& steps() const { return steps_; }
  bool empty() const { return steps_.empty(); }
  bool operator==(const AttributePath& o) const { return steps_ == o.steps_; }
  // Terraform-style rendering: a.b["k"][0]
  std::string ToString() const;

 private:
  std::vector<PathStep> steps_;
};

}  // namespace pxc::schema
