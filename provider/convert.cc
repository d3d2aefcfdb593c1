#include "provider/convert.h"

#include "schema/json_codec.h"
#include "schema/msgpack.h"

namespace pxc::provider {

namespace {

void AttrToProto(const schema::Attribute& a, tfplugin6::Schema::Attribute* out) {
  out->set_name(a.name);
  out->set_type(a.type.ToJsonString());
  out->set_description(a.description);
  out->set_description_kind(tfplugin6::MARKDOWN);
  out->set_required(a.required());
  out->set_optional(a.optional());
  out->set_computed(a.computed());
  out->set_sensitive(a.sensitive);
  out->set_deprecated(a.deprecated);
  out->set_write_only(a.write_only);
}

void BlockToProto(const schema::Block& b, int64_t version, tfplugin6::Schema::Block* out) {
  out->set_version(version);
  out->set_description(b.description);
  out->set_description_kind(tfplugin6::MARKDOWN);
  out->set_deprecated(b.deprecated);
  for (const auto& a : b.attributes) AttrToProto(a, out->add_attributes());
  for (const auto& nb : b.blocks) {
    auto* pb = out->add_block_types();
    pb->set_type_name(nb.type_name);
    BlockToProto(nb.block, version, pb->mutable_block());
    using NM = tfplugin6::Schema::NestedBlock;
    switch (nb.nesting) {
      case schema::Nesting::kSingle:
        pb->set_nesting(NM::SINGLE);
        break;
      case schema::Nesting::kList:
        pb->set_nesting(NM::LIST);
        break;
      case schema::Nesting::kSet:
        pb->set_nesting(NM::SET);
        break;
      case schema::Nesting::kMap:
        pb->set_nesting(NM::MAP);
        break;
      case schema::Nesting::kGroup:
        pb->set_nesting(NM::GROUP);
        break;
    }
    pb->set_min_items(nb.min_items);
    pb->set_max_items(nb.max_items);
  }
}

}  // namespace

void ToProto(const schema::Schema& in, tfplugin6::Schema* out) {
  out->set_version(in.version);
  BlockToProto(in.block, in.version, out->mutable_block());
}

void ToProto(const schema::AttributePath& in, tfplugin6::AttributePath* out) {
  for (const auto& s : in.steps()) {
    auto* step = out->add_steps();
    switch (s.kind) {
      case schema::PathStep::Kind::kAttribute:
        step->set_attribute_name(s.name);
        break;
      case schema::PathStep::Kind::kStringKey:
        step->set_element_key_string(s.name);
        break;
      case schema::PathStep::Kind::kIntKey:
        step->set_element_key_int(s.index);
        break;
    }
  }
}

schema::AttributePath FromProto(const tfplugin6::AttributePath& in) {
  std::vector<schema::PathStep> steps;
  for (const auto& s : in.steps()) {
    switch (s.selector_case()) {
      case tfplugin6::AttributePath::Step::kAttributeName:
        steps.push_back(schema::PathStep::Attr(s.attribute_name()));
        break;
      case tfplugin6::AttributePath::Step::kElementKeyString:
        steps.push_back(schema::PathStep::Key(s.element_key_string()));
        break;
      case tfplugin6::AttributePath::Step::kElementKeyInt:
        steps.push_back(schema::PathStep::Index(s.element_key_int()));
        break;
      default:
        break;
    }
  }
  return schema::AttributePath(std::move(steps));
}

void ToProto(const schema::Diagnostic& in, tfplugin6::Diagnostic* out) {
  out->set_severity(in.severity == schema::Severity::kError ? tfplugin6::Diagnostic::ERROR
                                                            : tfplugin6::Diagnostic::WARNING);
  out->set_summary(in.summary);
  out->set_detail(in.detail);
  if (in.path && !in.path->empty()) ToProto(*in.path, out->mutable_attribute());
}

StatusOr<schema::Value> DecodeDynamicValue(const tfplugin6::DynamicValue& dv,
                                           const schema::Type& type, const std::string& what) {
  StatusOr<schema::Value> v = schema::Value::Null(type);
  if (!dv.msgpack().empty()) {
    v = schema::DecodeMsgpack(dv.msgpack(), type);
  } else if (!dv.json().empty()) {
    v = schema::DecodeJson(dv.json(), type);
  } else {
    return schema::Value::Null(type);
  }
  if (!v.ok()) return v.status().WithContext("decoding " + what);
  return v;
}

Status EncodeDynamicValue(const schema::Value& v, const schema::Type& type,
                          tfplugin6::DynamicValue* out) {
  PXC_ASSIGN_OR_RETURN(std::string bytes, schema::EncodeMsgpack(v, type));
  out->set_msgpack(std::move(bytes));
  return OkStatus();
}

}  // namespace pxc::provider
