#include "resources/remote/node_host.h"

#include <openssl/evp.h>

#include "schema/text.h"

namespace pxc::resources {

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1) return "";
  return HexEncode(std::string_view(reinterpret_cast<const char*>(md), len));
}

}  // namespace pxc::resources
