// libFuzzer target: the JSON value decoders (DynamicValue.json and raw
// state) against a schema type. Must never crash or hang.
#include <cstdint>
#include <string_view>

#include "schema/json_codec.h"

using pxc::schema::Type;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Type t = Type::Object({
      {"s", Type::String()},
      {"n", Type::Number()},
      {"l", Type::Set(Type::String())},
      {"m", Type::Map(Type::Bool())},
      {"d", Type::Dynamic()},
      {"o", Type::Object({{"x", Type::List(Type::Number())}})},
  });
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)pxc::schema::DecodeJson(text, t);
  std::vector<std::string> dropped;
  auto v = pxc::schema::DecodeJsonLenient(text, t, &dropped);
  if (v.ok() && v->IsWhollyKnown()) (void)pxc::schema::EncodeJson(*v, t);
  return 0;
}
