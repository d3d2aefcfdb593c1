#include "schema/model.h"

#include <stdexcept>

namespace pxc::schema {

ModelReader::ModelReader(const Value& obj, const Block& block) : obj_(obj), block_(block) {}

Value ModelReader::Get(const std::string& name) const {
  const Attribute* attr = block_.FindAttribute(name);
  if (attr == nullptr) throw std::out_of_range("model reads unknown attribute " + name);
  Value v = obj_.GetAttr(name);
  if (v.IsNull() && attr->default_value) return *attr->default_value;
  return v;
}

bool ModelReader::IsSet(const std::string& name) const {
  if (block_.FindAttribute(name) == nullptr) {
    throw std::out_of_range("model reads unknown attribute " + name);
  }
  return !obj_.GetAttr(name).IsNull();
}

std::optional<std::string> ModelReader::OptString(const std::string& name) {
  Value v = Get(name);
  if (v.IsUnknown()) unknown_.insert(name);
  if (!v.IsKnown()) return std::nullopt;
  return v.AsString();
}

std::optional<int64_t> ModelReader::OptInt(const std::string& name) {
  Value v = Get(name);
  if (v.IsUnknown()) unknown_.insert(name);
  if (!v.IsKnown() || !v.AsNumber().IsInt64()) return std::nullopt;
  return v.AsNumber().AsInt64();
}

std::optional<bool> ModelReader::OptBool(const std::string& name) {
  Value v = Get(name);
  if (v.IsUnknown()) unknown_.insert(name);
  if (!v.IsKnown()) return std::nullopt;
  return v.AsBool();
}

void ValidateWriteOnlyVersioned(const Value& config, const std::string& plain,
                                const std::string& wo, const std::string& version,
                                const std::string& what, const std::string& version_why,
                                Diagnostics& diags) {
  const bool has_plain = !config.GetAttr(plain).IsNull();
  const bool has_wo = !config.GetAttr(wo).IsNull();
  const bool has_version = !config.GetAttr(version).IsNull();
  if (has_plain && has_wo) {
    diags.AddError("Conflicting Attributes",
                   "Set " + what + " either as " + plain + " (stored in state) or as " + wo +
                       " (write-only, never stored), not both.",
                   AttributePath::Root(wo));
  }
  if (has_wo && !has_version) {
    diags.AddError("Missing Attribute",
                   version + " is required with " + wo + ": Terraform never stores " + wo + ", " +
                       version_why + " Start with " + version + " = 1.",
                   AttributePath::Root(version));
  }
  if (has_version && !has_wo) {
    diags.AddError("Missing Attribute",
                   version + " only versions " + wo + "; set " + wo + " or remove " + version + ".",
                   AttributePath::Root(version));
  }
}

}  // namespace pxc::schema
