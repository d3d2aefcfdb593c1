// Implementation of resources/pki/x509_internal.h: the OpenSSL-level pieces
// (key description, names, subjectAltNames, times, serials, extensions).
#include "resources/pki/x509_internal.h"

#include "schema/text.h"

namespace pxc::resources::x509_internal {

std::shared_ptr<EVP_PKEY> ShareKey(EVP_PKEY* pkey) {
  return std::shared_ptr<EVP_PKEY>(pkey, FreeFn<&EVP_PKEY_free>());
}

std::string MemBioContents(BIO* bio) {
  BUF_MEM* mem = nullptr;
  if (BIO_get_mem_ptr(bio, &mem) <= 0 || mem == nullptr || mem->data == nullptr) return "";
  return std::string(mem->data, mem->length);
}

StatusOr<BioPtr> ReadOnlyBio(std::string_view text, std::string_view what) {
  if (text.size() > static_cast<size_t>(INT_MAX)) {
    return InvalidArgumentError(std::string(what) + " is too large");
  }
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (bio == nullptr) return StatusFromOpenSslErrors(StatusCode::kInternal, "allocating a BIO");
  return bio;
}

Status RequirePemBlock(std::string_view pem, std::initializer_list<std::string_view> labels,
                       std::string_view what) {
  std::string expected;
  for (std::string_view label : labels) {
    const std::string line = "-----BEGIN " + std::string(label) + "-----";
    if (pem.find(line) != std::string_view::npos) return OkStatus();
    expected += expected.empty() ? "" : " or ";
    expected += "\"" + line + "\"";
  }
  return InvalidArgumentError("no " + std::string(what) +
                              " found: expected a PEM block starting with " + expected);
}

int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) { return -1; }

StatusOr<KeySpec> DescribeKey(const EVP_PKEY* pkey) {
  KeySpec spec;
  spec.rsa_bits = 0;
  spec.ecdsa_curve.clear();
  if (EVP_PKEY_is_a(pkey, "RSA")) {
    spec.algorithm = KeyAlgorithm::kRsa;
    spec.rsa_bits = EVP_PKEY_get_bits(pkey);
    PXC_RETURN_IF_ERROR(ValidateRsaBits(spec.rsa_bits));
    return spec;
  }
  if (EVP_PKEY_is_a(pkey, "EC")) {
    spec.algorithm = KeyAlgorithm::kEcdsa;
    char group[80] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_group_name(pkey, group, sizeof(group), &len) != 1) {
      ERR_clear_error();
      return InvalidArgumentError(
          "the ECDSA key does not use a named curve: use P256, P384 or P521");
    }
    for (const CurveInfo& curve : kCurves) {
      if (std::strcmp(group, curve.openssl_group) == 0) {
        spec.ecdsa_curve = curve.terraform_name;
        return spec;
      }
    }
    return InvalidArgumentError("ECDSA curve " + std::string(group) +
                                " is not supported: use P256, P384 or P521");
  }
  if (EVP_PKEY_is_a(pkey, "ED25519")) {
    spec.algorithm = KeyAlgorithm::kEd25519;
    return spec;
  }
  const char* name = EVP_PKEY_get0_type_name(pkey);
  return InvalidArgumentError("key algorithm " + std::string(name != nullptr ? name : "unknown") +
                              " is not supported: use RSA, ECDSA or ED25519");
}

bool KeysEqual(const EVP_PKEY* a, const EVP_PKEY* b) {
  if (a == nullptr || b == nullptr) return false;
  const bool equal = EVP_PKEY_eq(a, b) == 1;
  ERR_clear_error();  // a type mismatch may leave an entry behind
  return equal;
}

StatusOr<std::string> PublicPem(EVP_PKEY* pkey) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_PUBKEY(bio.get(), pkey) != 1) {
    return StatusFromOpenSslErrors(StatusCode::kInternal, "encoding the public key as PEM");
  }
  return MemBioContents(bio.get());
}

size_t Utf8Length(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

Status ValidateName(const DistinguishedName& dn) {
  if (dn.empty()) {
    return InvalidArgumentError("the subject is empty: set at least common_name");
  }
  if (!dn.country.empty() &&
      (dn.country.size() != 2 || !std::isalpha(static_cast<unsigned char>(dn.country[0])) ||
       !std::isalpha(static_cast<unsigned char>(dn.country[1])))) {
    return InvalidArgumentError("subject country " + DoubleQuoted(dn.country) +
                                " is not a two-letter country code such as \"FR\"");
  }
  for (const NameField& field : kNameFields) {
    const std::string& value = dn.*field.member;
    if (value.empty()) continue;
    if (value.find('\0') != std::string::npos) {
      return InvalidArgumentError(std::string("subject ") + field.attribute +
                                  " must not contain NUL characters");
    }
    const size_t chars = Utf8Length(value);
    if (chars > field.max_chars) {
      return InvalidArgumentError(std::string("subject ") + field.attribute + " " +
                                  DoubleQuoted(value) + " is " + std::to_string(chars) +
                                  " characters long: the maximum is " +
                                  std::to_string(field.max_chars));
    }
  }
  return OkStatus();
}

StatusOr<X509NamePtr> BuildName(const DistinguishedName& dn) {
  PXC_RETURN_IF_ERROR(ValidateName(dn));
  X509NamePtr name(X509_NAME_new());
  if (name == nullptr) return StatusFromOpenSslErrors(StatusCode::kInternal, "allocating a name");
  for (const NameField& field : kNameFields) {
    const std::string& value = dn.*field.member;
    if (value.empty()) continue;
    if (X509_NAME_add_entry_by_NID(name.get(), field.nid, MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value.data()),
                                   static_cast<int>(value.size()), -1, 0) != 1) {
      return StatusFromOpenSslErrors(StatusCode::kInvalidArgument,
                                     std::string("subject ") + field.attribute + " " +
                                         DoubleQuoted(value) + " cannot be encoded");
    }
  }
  return name;
}

DistinguishedName ReadName(const X509_NAME* name) {
  DistinguishedName dn;
  if (name == nullptr) return dn;
  for (const NameField& field : kNameFields) {
    const int index = X509_NAME_get_index_by_NID(name, field.nid, -1);
    if (index < 0) continue;
    const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
    unsigned char* utf8 = nullptr;
    const int len = ASN1_STRING_to_UTF8(&utf8, data);
    if (len < 0) {
      ERR_clear_error();
      continue;
    }
    OpenSslBytesPtr owned(utf8);
    dn.*field.member = std::string(reinterpret_cast<const char*>(utf8), static_cast<size_t>(len));
  }
  return dn;
}

std::string NameToString(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || name == nullptr) return "";
  // RFC 2253, but keep UTF-8 as is instead of escaping every non-ASCII byte.
  if (X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0) {
    ERR_clear_error();
    return "";
  }
  return MemBioContents(bio.get());
}

std::string EscapeRfc2253(std::string_view value) {
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(value[i]);
    const bool first = i == 0;
    const bool last = i + 1 == value.size();
    if (std::strchr(",+\"\\<>;", c) != nullptr && c != '\0') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if ((first && (c == '#' || c == ' ')) || (last && c == ' ')) {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c == 0x7f) {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "\\%02X", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

StatusOr<std::string> IpToBytes(std::string_view ip) {
  const std::string text(ip);
  if (!ip.empty() && ip.find('\0') == std::string_view::npos) {
    if (ip.find(':') != std::string_view::npos) {
      in6_addr addr6{};
      if (inet_pton(AF_INET6, text.c_str(), &addr6) == 1) {
        return std::string(reinterpret_cast<const char*>(&addr6), sizeof(addr6));
      }
    } else {
      in_addr addr4{};
      if (inet_pton(AF_INET, text.c_str(), &addr4) == 1) {
        return std::string(reinterpret_cast<const char*>(&addr4), sizeof(addr4));
      }
    }
  }
  return InvalidArgumentError(DoubleQuoted(ip) +
                              " is not a valid IP address: use an IPv4 address such as "
                              "\"10.0.0.1\" or an IPv6 address such as \"fd00::1\"");
}

std::optional<std::string> BytesToIp(const unsigned char* data, int len) {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (len == 4 && inet_ntop(AF_INET, data, buf, sizeof(buf)) != nullptr) return std::string(buf);
  if (len == 16 && inet_ntop(AF_INET6, data, buf, sizeof(buf)) != nullptr) return std::string(buf);
  return std::nullopt;
}

StatusOr<GeneralNamesPtr> BuildSubjectAltNames(const std::vector<std::string>& dns_names,
                                               const std::vector<std::string>& ip_addresses) {
  if (dns_names.empty() && ip_addresses.empty()) return GeneralNamesPtr();
  GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  if (names == nullptr) {
    return StatusFromOpenSslErrors(StatusCode::kInternal, "allocating subjectAltName");
  }
  auto push = [&](int type, const std::string& bytes, bool ia5) -> Status {
    GeneralNamePtr gn(GENERAL_NAME_new());
    if (gn == nullptr) {
      return StatusFromOpenSslErrors(StatusCode::kInternal, "allocating subjectAltName");
    }
    if (ia5) {
      Asn1Ia5StringPtr value(ASN1_IA5STRING_new());
      if (value == nullptr ||
          ASN1_STRING_set(value.get(), bytes.data(), static_cast<int>(bytes.size())) != 1) {
        return StatusFromOpenSslErrors(StatusCode::kInternal, "encoding a DNS name");
      }
      GENERAL_NAME_set0_value(gn.get(), type, value.release());
    } else {
      Asn1OctetStringPtr value(ASN1_OCTET_STRING_new());
      if (value == nullptr ||
          ASN1_OCTET_STRING_set(value.get(), reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size())) != 1) {
        return StatusFromOpenSslErrors(StatusCode::kInternal, "encoding an IP address");
      }
      GENERAL_NAME_set0_value(gn.get(), type, value.release());
    }
    if (sk_GENERAL_NAME_push(names.get(), gn.get()) <= 0) {
      return StatusFromOpenSslErrors(StatusCode::kInternal, "building subjectAltName");
    }
    gn.release();  // now owned by `names`
    return OkStatus();
  };
  for (const std::string& dns : dns_names) {
    PXC_RETURN_IF_ERROR(ValidateDnsName(dns));
    PXC_RETURN_IF_ERROR(push(GEN_DNS, dns, /*ia5=*/true));
  }
  for (const std::string& ip : ip_addresses) {
    PXC_ASSIGN_OR_RETURN(std::string bytes, IpToBytes(ip));
    PXC_RETURN_IF_ERROR(push(GEN_IPADD, bytes, /*ia5=*/false));
  }
  return names;
}

void ReadSubjectAltNames(const GENERAL_NAMES* names, std::vector<std::string>* dns,
                         std::vector<std::string>* ips) {
  if (names == nullptr) return;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    if (gn->type == GEN_DNS && dns != nullptr) {
      const ASN1_IA5STRING* s = gn->d.dNSName;
      dns->emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                        static_cast<size_t>(ASN1_STRING_length(s)));
    } else if (gn->type == GEN_IPADD && ips != nullptr) {
      const ASN1_OCTET_STRING* s = gn->d.iPAddress;
      if (auto text = BytesToIp(ASN1_STRING_get0_data(s), ASN1_STRING_length(s))) {
        ips->push_back(*std::move(text));
      }
    }
  }
}

Clock::time_point FromTm(const std::tm& tm) {
  using namespace std::chrono;
  const sys_days date = year{tm.tm_year + 1900} / month{static_cast<unsigned>(tm.tm_mon + 1)} /
                        day{static_cast<unsigned>(tm.tm_mday)};
  return time_point_cast<Clock::duration>(date + hours{tm.tm_hour} + minutes{tm.tm_min} +
                                          seconds{tm.tm_sec});
}

StatusOr<Clock::time_point> ReadTime(const ASN1_TIME* t, std::string_view what) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    return StatusFromOpenSslErrors(StatusCode::kInvalidArgument,
                                   "the certificate's " + std::string(what) + " time is invalid");
  }
  return FromTm(tm);
}

Status SetTime(ASN1_TIME* field, Clock::time_point t, std::string_view what) {
  const std::time_t seconds = Clock::to_time_t(std::chrono::floor<std::chrono::seconds>(t));
  if (ASN1_TIME_set(field, seconds) == nullptr) {
    return StatusFromOpenSslErrors(StatusCode::kInvalidArgument,
                                   std::string(what) + " " + FormatRfc3339(t) +
                                       " cannot be encoded in a certificate (years 1950..9999)");
  }
  return OkStatus();
}

Clock::time_point NowSeconds() { return Clock::from_time_t(std::time(nullptr)); }

Status ValidateValidity(int hours) {
  if (hours <= 0) {
    return InvalidArgumentError("validity_period_hours must be positive, got " +
                                std::to_string(hours));
  }
  return OkStatus();
}

StatusOr<Asn1IntegerPtr> RandomSerial() {
  std::array<unsigned char, 16> bytes{};
  do {
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
      return StatusFromOpenSslErrors(StatusCode::kInternal, "generating a serial number");
    }
    bytes[0] &= 0x7f;  // positive and below 2^127 without DER sign padding
  } while (std::all_of(bytes.begin(), bytes.end(), [](unsigned char b) { return b == 0; }));
  BignumPtr bn(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
  Asn1IntegerPtr serial(bn == nullptr ? nullptr : BN_to_ASN1_INTEGER(bn.get(), nullptr));
  if (serial == nullptr) {
    return StatusFromOpenSslErrors(StatusCode::kInternal, "encoding a serial number");
  }
  return serial;
}

StatusOr<Asn1OctetStringPtr> KeyIdentifier(const X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  Asn1OctetStringPtr id(ASN1_OCTET_STRING_new());
  if (id == nullptr || X509_pubkey_digest(cert, EVP_sha1(), md, &len) != 1 ||
      ASN1_OCTET_STRING_set(id.get(), md, static_cast<int>(len)) != 1) {
    return StatusFromOpenSslErrors(StatusCode::kInternal, "computing a key identifier");
  }
  return id;
}

Status AddExtension(X509* cert, int nid, void* value, bool critical, std::string_view what) {
  if (X509_add1_ext_i2d(cert, nid, value, critical ? 1 : 0, X509V3_ADD_DEFAULT) != 1) {
    return StatusFromOpenSslErrors(StatusCode::kInternal,
                                   "adding the " + std::string(what) + " extension");
  }
  return OkStatus();
}

const EVP_MD* SigningDigest(const EVP_PKEY* signer, const EVP_MD* preferred) {
  return EVP_PKEY_is_a(signer, "ED25519") ? nullptr : preferred;
}

}  // namespace pxc::resources::x509_internal
