// Conversions between tfplugin6 protobuf messages and pxc's schema-level
// types: schemas, diagnostics, attribute paths and DynamicValues. Used only by
// the gRPC adapter.
#pragma once

#include "provider/proto/tfplugin6.pb.h"
#include "schema/diagnostics.h"
#include "schema/schema.h"
#include "schema/value.h"

namespace pxc::provider {

void ToProto(const schema::Schema& in, tfplugin6::Schema* out);
void ToProto(const schema::Diagnostic& in, tfplugin6::Diagnostic* out);
void ToProto(const schema::AttributePath& in, tfplugin6::AttributePath* out);
schema::AttributePath FromProto(const tfplugin6::AttributePath& in);

template <typename Repeated>
void AddDiagnostics(const schema::Diagnostics& diags, Repeated* out) {
  for (const auto& d : diags.items()) ToProto(d, out->Add());
}

// Decodes msgpack, or JSON when msgpack is empty. An entirely empty
// DynamicValue decodes as null. Errors name `what` (e.g. "prior_state").
StatusOr<schema::Value> DecodeDynamicValue(const tfplugin6::DynamicValue& dv,
                                           const schema::Type& type, const std::string& what);
// Always msgpack.
Status EncodeDynamicValue(const schema::Value& v, const schema::Type& type,
                          tfplugin6::DynamicValue* out);

}  // namespace pxc::provider
