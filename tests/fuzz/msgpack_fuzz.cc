// libFuzzer target: DecodeMsgpack against a schema type with every kind of
// value (objects, sets, maps, lists, dynamic, numbers), then re-encoding what
// decoded. Must never crash, hang or leak; decode(encode(v)) must equal v.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "schema/msgpack.h"

using pxc::schema::Type;

namespace {
const Type& FuzzType() {
  static const Type t = Type::Object({
      {"s", Type::String()},
      {"n", Type::Number()},
      {"b", Type::Bool()},
      {"l", Type::List(Type::String())},
      {"set", Type::Set(Type::Object({{"on", Type::String()}, {"p", Type::List(Type::String())}}))},
      {"m", Type::Map(Type::Number())},
      {"d", Type::Dynamic()},
      {"t", Type::Tuple({Type::String(), Type::Bool()})},
  });
  return t;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto v = pxc::schema::DecodeMsgpack(bytes, FuzzType());
  if (!v.ok()) return 0;
  auto enc = pxc::schema::EncodeMsgpack(*v, FuzzType());
  if (!enc.ok()) return 0;  // e.g. a dynamic value whose type cannot be written
  auto again = pxc::schema::DecodeMsgpack(*enc, FuzzType());
  if (!again.ok() || !(*again == *v)) std::abort();
  return 0;
}
