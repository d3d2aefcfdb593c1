#include "resources/galera/galera_tls.h"

#include <cctype>

namespace pxc::resources {

namespace {

constexpr char kProviderOptions[] = "wsrep_provider_options";

}  // namespace

bool Truthy(const std::optional<std::string>& v) {
  if (!v) return false;
  std::string s = *v;
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s == "yes" || s == "1" || s == "true" || s == "on";
}

bool GaleraTlsEnabled(const ProviderOptions& o) {
  auto cert = GetProviderOption(o, "socket.ssl_cert");
  auto ssl = GetProviderOption(o, "socket.ssl");
  if (ssl && !Truthy(ssl)) return false;
  return cert && !cert->empty();
}

StatusOr<std::string> WithSocketDynamic(const std::string& text, bool on) {
  PXC_ASSIGN_OR_RETURN(Document doc, Document::Parse(text));
  std::optional<std::string> value;
  if (on) value = "yes";
  PXC_ASSIGN_OR_RETURN(
      auto records, ApplyManaged(&doc, {DesiredOption::SubOptions("mysqld", kProviderOptions,
                                                                  {{"socket.dynamic", value}})}));
  (void)records;
  return doc.Serialize();
}

std::optional<int> GaleraGeneration(std::string_view v) {
  size_t i = 0;
  while (i < v.size() && v[i] == ' ') ++i;
  auto number = [&]() -> std::optional<int> {
    if (i >= v.size() || !std::isdigit(static_cast<unsigned char>(v[i]))) return std::nullopt;
    int n = 0;
    while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i])) && n < 100000) {
      n = n * 10 + (v[i++] - '0');
    }
    return n;
  };
  auto first = number();
  if (!first) return std::nullopt;
  if (*first == 25 || *first == 26) {  // Codership: 25.3.37, 26.4.23
    if (i >= v.size() || v[i] != '.') return std::nullopt;
    ++i;
    return number();
  }
  return first;  // Percona: 3.55(r…), 4.7(r…)
}

bool GaleraHasDynamicTls(int generation) { return generation >= 4; }

namespace {

// [mysqld] pxc-encrypt-cluster-traffic as PXC 8.0 reads it: ON unless set
// to a false value (default ON since 8.0; Percona XtraDB Cluster 8.0 docs,
// "Traffic encryption is enabled by default").
bool PxcEncryptClusterTraffic(const Document& doc) {
  auto v = doc.Get("mysqld", "pxc-encrypt-cluster-traffic");
  if (!v) return true;
  std::string s = *v;
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return !(s == "off" || s == "0" || s == "false" || s == "no");
}

bool ExplicitlyOff(const ProviderOptions& o) {
  auto ssl = GetProviderOption(o, "socket.ssl");
  return ssl && !Truthy(ssl);
}

}  // namespace

bool ConfiguredGaleraTls(const std::string& flavor, const Document& doc) {
  ProviderOptions o = ParseProviderOptions(doc.Get("mysqld", kProviderOptions).value_or(""));
  if (flavor == "pxc80" && PxcEncryptClusterTraffic(doc)) {
    // PXC appends socket.ssl_key/ca/cert from ssl-key/ssl-ca/ssl-cert (and
    // refuses to start when one is missing); an explicit socket.ssl=no in
    // the user's provider options still wins in Galera.
    return !ExplicitlyOff(o);
  }
  return GaleraTlsEnabled(o);
}

GaleraTlsFiles ConfiguredGaleraTlsFiles(const std::string& flavor, const Document& doc) {
  ProviderOptions o = ParseProviderOptions(doc.Get("mysqld", kProviderOptions).value_or(""));
  if (flavor == "pxc80" && PxcEncryptClusterTraffic(doc)) {
    return {doc.Get("mysqld", "ssl-cert").value_or(""), doc.Get("mysqld", "ssl-key").value_or(""),
            doc.Get("mysqld", "ssl-ca").value_or("")};
  }
  return {GetProviderOption(o, "socket.ssl_cert").value_or(""),
          GetProviderOption(o, "socket.ssl_key").value_or(""),
          GetProviderOption(o, "socket.ssl_ca").value_or("")};
}

}  // namespace pxc::resources
