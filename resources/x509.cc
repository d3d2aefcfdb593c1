// Implementation of the X.509 primitives declared in resources/x509.h on top
// of OpenSSL 3's EVP/OSSL APIs. Every OpenSSL object lives in an RAII
// wrapper from the first line that creates it.
#include "resources/x509.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/buffer.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <climits>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <initializer_list>
#include <optional>
#include <thread>

namespace pxc::resources {
namespace {

using Clock = std::chrono::system_clock;

// ---------------------------------------------------------------------------
// RAII wrappers.

template <auto Fn>
struct FreeFn {
  template <typename T>
  void operator()(T* p) const {
    Fn(p);
  }
};

struct OpenSslFree {
  void operator()(void* p) const { OPENSSL_free(p); }
};

struct ExtensionStackFree {
  void operator()(STACK_OF(X509_EXTENSION) * p) const {
    sk_X509_EXTENSION_pop_free(p, X509_EXTENSION_free);
  }
};

using BioPtr = std::unique_ptr<BIO, FreeFn<&BIO_free_all>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, FreeFn<&EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, FreeFn<&X509_free>>;
using X509ReqPtr = std::unique_ptr<X509_REQ, FreeFn<&X509_REQ_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, FreeFn<&X509_NAME_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, FreeFn<&X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, FreeFn<&X509_STORE_CTX_free>>;
using X509ExtensionPtr = std::unique_ptr<X509_EXTENSION, FreeFn<&X509_EXTENSION_free>>;
using ExtensionStackPtr = std::unique_ptr<STACK_OF(X509_EXTENSION), ExtensionStackFree>;
using BignumPtr = std::unique_ptr<BIGNUM, FreeFn<&BN_free>>;
using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, FreeFn<&ASN1_INTEGER_free>>;
using Asn1OctetStringPtr = std::unique_ptr<ASN1_OCTET_STRING, FreeFn<&ASN1_OCTET_STRING_free>>;
using Asn1BitStringPtr = std::unique_ptr<ASN1_BIT_STRING, FreeFn<&ASN1_BIT_STRING_free>>;
using Asn1Ia5StringPtr = std::unique_ptr<ASN1_IA5STRING, FreeFn<&ASN1_IA5STRING_free>>;
using BasicConstraintsPtr = std::unique_ptr<BASIC_CONSTRAINTS, FreeFn<&BASIC_CONSTRAINTS_free>>;
using AuthorityKeyIdPtr = std::unique_ptr<AUTHORITY_KEYID, FreeFn<&AUTHORITY_KEYID_free>>;
using ExtendedKeyUsagePtr = std::unique_ptr<EXTENDED_KEY_USAGE, FreeFn<&EXTENDED_KEY_USAGE_free>>;
using GeneralNamePtr = std::unique_ptr<GENERAL_NAME, FreeFn<&GENERAL_NAME_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, FreeFn<&GENERAL_NAMES_free>>;
using OpenSslBytesPtr = std::unique_ptr<unsigned char, OpenSslFree>;
using OpenSslCharsPtr = std::unique_ptr<char, OpenSslFree>;

std::shared_ptr<EVP_PKEY> ShareKey(EVP_PKEY* pkey) {
  return std::shared_ptr<EVP_PKEY>(pkey, FreeFn<&EVP_PKEY_free>());
}

// A memory BIO whose buffer is wiped before it is freed: it uses the secure
// heap variant (whose BUF_MEM is freed with a clearing free) and, on top,
// cleanses the whole allocated buffer itself in the destructor.
class SecretMemBio {
 public:
  SecretMemBio() : bio_(BIO_new(BIO_s_secmem())) {}
  SecretMemBio(const SecretMemBio&) = delete;
  SecretMemBio& operator=(const SecretMemBio&) = delete;
  ~SecretMemBio() {
    BUF_MEM* mem = nullptr;
    if (bio_ != nullptr && BIO_get_mem_ptr(bio_.get(), &mem) > 0 && mem != nullptr &&
        mem->data != nullptr) {
      OPENSSL_cleanse(mem->data, mem->max);
    }
  }
  BIO* get() const { return bio_.get(); }

 private:
  BioPtr bio_;
};

// Contents of a memory BIO as a string.
std::string MemBioContents(BIO* bio) {
  BUF_MEM* mem = nullptr;
  if (BIO_get_mem_ptr(bio, &mem) <= 0 || mem == nullptr || mem->data == nullptr) return "";
  return std::string(mem->data, mem->length);
}

// A read-only memory BIO over caller-owned text (no copy is made).
StatusOr<BioPtr> ReadOnlyBio(std::string_view text, std::string_view what) {
  if (text.size() > static_cast<size_t>(INT_MAX)) {
    return InvalidArgumentError(std::string(what) + " is too large");
  }
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (bio == nullptr) return StatusFromOpenSslErrors(StatusCode::kInternal, "allocating a BIO");
  return bio;
}

// kInvalidArgument unless `pem` has a "-----BEGIN <label>-----" line for one
// of `labels`; OpenSSL's own message for that case ("No supported data to
// decode") does not tell the user what was expected.
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

// Never prompt for a passphrase: encrypted keys are rejected.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) { return -1; }

std::string LowerHex(const unsigned char* data, size_t len) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (size_t i = 0; i < len; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0x0f]);
  }
  return out;
}

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

// ---------------------------------------------------------------------------
// Keys.

struct CurveInfo {
  const char* terraform_name;
  const char* openssl_group;
};
constexpr std::array<CurveInfo, 3> kCurves = {{
    {"P256", "prime256v1"},
    {"P384", "secp384r1"},
    {"P521", "secp521r1"},
}};

// The supported-key description of `pkey`, or kInvalidArgument.
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

// Digest to sign with: none for Ed25519 (pure EdDSA), `preferred` otherwise.
const EVP_MD* SigningDigest(const EVP_PKEY* signer, const EVP_MD* preferred) {
  return EVP_PKEY_is_a(signer, "ED25519") ? nullptr : preferred;
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

// ---------------------------------------------------------------------------
// Names.

struct NameField {
  int nid;
  const char* short_name;
  std::string DistinguishedName::*member;
  const char* attribute;
  size_t max_chars;  // upper bounds from RFC 5280 appendix A
};

// In encoding order (least specific first); RFC 2253 strings reverse it.
const std::array<NameField, 6> kNameFields = {{
    {NID_countryName, "C", &DistinguishedName::country, "country", 2},
    {NID_stateOrProvinceName, "ST", &DistinguishedName::province, "province", 128},
    {NID_localityName, "L", &DistinguishedName::locality, "locality", 128},
    {NID_organizationName, "O", &DistinguishedName::organization, "organization", 64},
    {NID_organizationalUnitName, "OU", &DistinguishedName::organizational_unit,
     "organizational_unit", 64},
    {NID_commonName, "CN", &DistinguishedName::common_name, "common_name", 64},
}};

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
    return InvalidArgumentError("subject country " + Quote(dn.country) +
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
      return InvalidArgumentError(std::string("subject ") + field.attribute + " " + Quote(value) +
                                  " is " + std::to_string(chars) +
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
      return StatusFromOpenSslErrors(
          StatusCode::kInvalidArgument,
          std::string("subject ") + field.attribute + " " + Quote(value) + " cannot be encoded");
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

// RFC 2253 attribute value escaping, matching OpenSSL's XN_FLAG_RFC2253
// output without ASN1_STRFLGS_ESC_MSB.
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

// ---------------------------------------------------------------------------
// Subject alternative names.

// The 4- or 16-byte binary form of an IP literal.
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
  return InvalidArgumentError(Quote(ip) +
                              " is not a valid IP address: use an IPv4 address such as "
                              "\"10.0.0.1\" or an IPv6 address such as \"fd00::1\"");
}

std::optional<std::string> BytesToIp(const unsigned char* data, int len) {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (len == 4 && inet_ntop(AF_INET, data, buf, sizeof(buf)) != nullptr) return std::string(buf);
  if (len == 16 && inet_ntop(AF_INET6, data, buf, sizeof(buf)) != nullptr) return std::string(buf);
  return std::nullopt;
}

// A GENERAL_NAMES with the given names; null when both lists are empty.
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

// ---------------------------------------------------------------------------
// Time.

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

// The current time in whole seconds, from time(), the clock OpenSSL checks
// validity against. system_clock::now() can run up to a scheduler tick ahead
// of time() (CLOCK_REALTIME vs CLOCK_REALTIME_COARSE on Linux), so a
// certificate starting at floor(now()) could be "not yet valid" right after
// it was issued.
Clock::time_point NowSeconds() { return Clock::from_time_t(std::time(nullptr)); }

Status ValidateValidity(int hours) {
  if (hours <= 0) {
    return InvalidArgumentError("validity_period_hours must be positive, got " +
                                std::to_string(hours));
  }
  return OkStatus();
}

// ---------------------------------------------------------------------------
// Certificate construction.

constexpr int kKuDigitalSignature = 0;
constexpr int kKuKeyEncipherment = 2;
constexpr int kKuKeyAgreement = 4;
constexpr int kKuKeyCertSign = 5;
constexpr int kKuCrlSign = 6;

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

// The SHA-1 of the subjectPublicKey bits (RFC 5280 section 4.2.1.2 method 1).
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

// Everything that differs between the certificates pxc issues.
struct IssueRequest {
  EVP_PKEY* subject_key = nullptr;
  const DistinguishedName* subject = nullptr;
  X509* issuer = nullptr;  // null: self-signed
  EVP_PKEY* signing_key = nullptr;
  const EVP_MD* digest = nullptr;  // replaced by null for Ed25519 signers
  Clock::time_point not_before;
  Clock::time_point not_after;
  bool is_ca = false;
  std::vector<int> key_usage_bits;
  bool server_auth = false;
  bool client_auth = false;
  const std::vector<std::string>* dns_names = nullptr;
  const std::vector<std::string>* ip_addresses = nullptr;
};

}  // namespace

// Private access to the classes of x509.h for this file only.
struct X509Internal {
  static EVP_PKEY* Key(const PrivateKey& key) { return key.pkey_.get(); }
  static EVP_PKEY* Key(const PublicKey& key) { return key.pkey_.get(); }
  static X509* Cert(const Certificate& cert) { return cert.x509_.get(); }

  static StatusOr<PublicKey> MakePublicKey(EvpPkeyPtr pkey) {
    if (pkey == nullptr) {
      return StatusFromOpenSslErrors(StatusCode::kInvalidArgument, "reading the public key");
    }
    PXC_ASSIGN_OR_RETURN(KeySpec spec, DescribeKey(pkey.get()));
    return PublicKey(ShareKey(pkey.release()), std::move(spec));
  }

  static StatusOr<PrivateKey> MakePrivateKey(EvpPkeyPtr pkey) {
    PXC_ASSIGN_OR_RETURN(KeySpec spec, DescribeKey(pkey.get()));
    return PrivateKey(pkey.release(), std::move(spec));
  }

  static StatusOr<CertificateRequest> MakeRequest(X509ReqPtr req) {
    EvpPkeyPtr pkey(X509_REQ_get_pubkey(req.get()));
    if (pkey == nullptr) {
      return StatusFromOpenSslErrors(StatusCode::kInvalidArgument,
                                     "the certificate request has no usable public key");
    }
    PXC_ASSIGN_OR_RETURN(PublicKey public_key, MakePublicKey(std::move(pkey)));
    return CertificateRequest(std::shared_ptr<X509_REQ>(req.release(), FreeFn<&X509_REQ_free>()),
                              std::move(public_key));
  }

  // Takes ownership of `x509` and caches its encodings and validity.
  static StatusOr<Certificate> MakeCertificate(X509Ptr x509) {
    Certificate cert;
    unsigned char* der = nullptr;
    const int der_len = i2d_X509(x509.get(), &der);
    if (der_len <= 0) {
      return StatusFromOpenSslErrors(StatusCode::kInvalidArgument,
                                     "encoding the certificate as DER");
    }
    OpenSslBytesPtr der_owner(der);
    cert.der_.assign(reinterpret_cast<const char*>(der), static_cast<size_t>(der_len));

    BioPtr bio(BIO_new(BIO_s_mem()));
    if (bio == nullptr || PEM_write_bio_X509(bio.get(), x509.get()) != 1) {
      return StatusFromOpenSslErrors(StatusCode::kInternal, "encoding the certificate as PEM");
    }
    cert.pem_ = MemBioContents(bio.get());

    unsigned char md[EVP_MAX_MD_SIZE];
    size_t md_len = 0;
    if (EVP_Q_digest(nullptr, "SHA256", nullptr, der, static_cast<size_t>(der_len), md, &md_len) !=
        1) {
      return StatusFromOpenSslErrors(StatusCode::kInternal, "computing the SHA-256 fingerprint");
    }
    cert.sha256_fingerprint_ = LowerHex(md, md_len);

    PXC_ASSIGN_OR_RETURN(cert.not_before_, ReadTime(X509_get0_notBefore(x509.get()), "notBefore"));
    PXC_ASSIGN_OR_RETURN(cert.not_after_, ReadTime(X509_get0_notAfter(x509.get()), "notAfter"));
    cert.x509_ = std::shared_ptr<X509>(x509.release(), FreeFn<&X509_free>());
    return cert;
  }

  static StatusOr<Certificate> Issue(const IssueRequest& r) {
    X509Ptr x(X509_new());
    if (x == nullptr)
      return StatusFromOpenSslErrors(StatusCode::kInternal, "allocating a certificate");
    if (X509_set_version(x.get(), X509_VERSION_3) != 1) {
      return StatusFromOpenSslErrors(StatusCode::kInternal, "setting the certificate version");
    }
    PXC_ASSIGN_OR_RETURN(Asn1IntegerPtr serial, RandomSerial());
    if (X509_set_serialNumber(x.get(), serial.get()) != 1) {
      return StatusFromOpenSslErrors(StatusCode::kInternal, "setting the serial number");
    }
    PXC_ASSIGN_OR_RETURN(X509NamePtr subject, BuildName(*r.subject));
    if (X509_set_subject_name(x.get(), subject.get()) != 1 ||
        X509_set_issuer_name(
            x.get(), r.issuer != nullptr ? X509_get_subject_name(r.issuer) : subject.get()) != 1) {
      return StatusFromOpenSslErrors(StatusCode::kInternal, "setting the subject and issuer");
    }
    PXC_RETURN_IF_ERROR(SetTime(X509_getm_notBefore(x.get()), r.not_before, "notBefore"));
    PXC_RETURN_IF_ERROR(SetTime(X509_getm_notAfter(x.get()), r.not_after, "notAfter"));
    if (X509_set_pubkey(x.get(), r.subject_key) != 1) {
      return StatusFromOpenSslErrors(StatusCode::kInternal, "setting the public key");
    }

    BasicConstraintsPtr bc(BASIC_CONSTRAINTS_new());
    if (bc == nullptr) return StatusFromOpenSslErrors(StatusCode::kInternal, "basicConstraints");
    bc->ca = r.is_ca ? 0xFF : 0;  // DER encodes TRUE as 0xFF
    PXC_RETURN_IF_ERROR(
        AddExtension(x.get(), NID_basic_constraints, bc.get(), true, "basicConstraints"));

    Asn1BitStringPtr ku(ASN1_BIT_STRING_new());
    if (ku == nullptr) return StatusFromOpenSslErrors(StatusCode::kInternal, "keyUsage");
    for (int bit : r.key_usage_bits) {
      if (ASN1_BIT_STRING_set_bit(ku.get(), bit, 1) != 1) {
        return StatusFromOpenSslErrors(StatusCode::kInternal, "setting keyUsage");
      }
    }
    PXC_RETURN_IF_ERROR(AddExtension(x.get(), NID_key_usage, ku.get(), true, "keyUsage"));

    if (r.server_auth || r.client_auth) {
      ExtendedKeyUsagePtr eku(sk_ASN1_OBJECT_new_null());
      if (eku == nullptr ||
          (r.server_auth && sk_ASN1_OBJECT_push(eku.get(), OBJ_nid2obj(NID_server_auth)) <= 0) ||
          (r.client_auth && sk_ASN1_OBJECT_push(eku.get(), OBJ_nid2obj(NID_client_auth)) <= 0)) {
        return StatusFromOpenSslErrors(StatusCode::kInternal, "building extendedKeyUsage");
      }
      PXC_RETURN_IF_ERROR(
          AddExtension(x.get(), NID_ext_key_usage, eku.get(), false, "extendedKeyUsage"));
    }

    static const std::vector<std::string> kNone;
    PXC_ASSIGN_OR_RETURN(GeneralNamesPtr san,
                         BuildSubjectAltNames(r.dns_names != nullptr ? *r.dns_names : kNone,
                                              r.ip_addresses != nullptr ? *r.ip_addresses : kNone));
    if (san != nullptr) {
      PXC_RETURN_IF_ERROR(
          AddExtension(x.get(), NID_subject_alt_name, san.get(), false, "subjectAltName"));
    }

    PXC_ASSIGN_OR_RETURN(Asn1OctetStringPtr ski, KeyIdentifier(x.get()));
    PXC_RETURN_IF_ERROR(AddExtension(x.get(), NID_subject_key_identifier, ski.get(), false,
                                     "subjectKeyIdentifier"));

    AuthorityKeyIdPtr akid(AUTHORITY_KEYID_new());
    if (akid == nullptr) return StatusFromOpenSslErrors(StatusCode::kInternal, "authorityKeyId");
    if (r.issuer == nullptr) {
      akid->keyid = ASN1_OCTET_STRING_dup(ski.get());
    } else if (const ASN1_OCTET_STRING* issuer_ski = X509_get0_subject_key_id(r.issuer)) {
      akid->keyid = ASN1_OCTET_STRING_dup(issuer_ski);
    } else {
      PXC_ASSIGN_OR_RETURN(Asn1OctetStringPtr computed, KeyIdentifier(r.issuer));
      akid->keyid = computed.release();
    }
    if (akid->keyid == nullptr) {
      return StatusFromOpenSslErrors(StatusCode::kInternal, "copying the authority key identifier");
    }
    PXC_RETURN_IF_ERROR(AddExtension(x.get(), NID_authority_key_identifier, akid.get(), false,
                                     "authorityKeyIdentifier"));

    if (X509_sign(x.get(), r.signing_key, SigningDigest(r.signing_key, r.digest)) <= 0) {
      return StatusFromOpenSslErrors(StatusCode::kInternal, "signing the certificate");
    }
    return MakeCertificate(std::move(x));
  }
};

// ---------------------------------------------------------------------------
// Helpers.

Status StatusFromOpenSslErrors(StatusCode code, std::string_view context) {
  std::vector<std::string> reasons;
  const char* data = nullptr;
  int flags = 0;
  unsigned long err = 0;
  while ((err = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) != 0) {
    const char* reason = ERR_reason_error_string(err);
    std::string item;
    if (reason != nullptr) {
      item = reason;
    } else {
      char buf[256];
      ERR_error_string_n(err, buf, sizeof(buf));
      item = buf;
    }
    if (data != nullptr && (flags & ERR_TXT_STRING) != 0 && *data != '\0') {
      item += " (" + std::string(data) + ")";
    }
    if (std::find(reasons.begin(), reasons.end(), item) == reasons.end()) {
      reasons.push_back(std::move(item));
    }
  }
  std::string message(context);
  message += ": ";
  if (reasons.empty()) {
    message += "unknown OpenSSL error";
  } else {
    for (size_t i = 0; i < reasons.size(); ++i) {
      if (i > 0) message += "; ";
      message += reasons[i];
    }
  }
  return Status(code, std::move(message));
}

void InitOpenSslWithoutAtExit() {
  // With the option in the first initialisation call, no handler is
  // registered; later calls (gRPC's, libssh's) do not add one.
  (void)OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr);
}

void CleanseString(std::string* s) {
  if (s == nullptr) return;
  // Cover bytes past size() left over from earlier, longer contents.
  s->resize(s->capacity());
  if (!s->empty()) OPENSSL_cleanse(s->data(), s->size());
  s->clear();
}

std::string FormatRfc3339(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(t);
  const auto date = floor<days>(secs);
  const year_month_day ymd{date};
  const hh_mm_ss<seconds> hms{secs - date};
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

std::string Base64RawStd(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  size_t i = 0;
  auto at = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  const size_t rest = bytes.size() - i;
  if (rest == 1) {
    const uint32_t v = at(i) << 16;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
  } else if (rest == 2) {
    const uint32_t v = (at(i) << 16) | (at(i + 1) << 8);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
  }
  return out;
}

StatusOr<std::string> NormalizeIpAddress(std::string_view ip) {
  PXC_ASSIGN_OR_RETURN(std::string bytes, IpToBytes(ip));
  std::optional<std::string> text = BytesToIp(reinterpret_cast<const unsigned char*>(bytes.data()),
                                              static_cast<int>(bytes.size()));
  if (!text) return InternalError("formatting IP address " + Quote(ip));
  return *std::move(text);
}

Status ValidateDnsName(std::string_view name) {
  const std::string prefix = Quote(name) + " is not a valid DNS name: ";
  if (name.empty()) return InvalidArgumentError("a DNS name must not be empty");
  if (name.size() > 253) return InvalidArgumentError(prefix + "it is longer than 253 characters");
  std::string_view rest = name;
  if (rest.substr(0, 2) == "*.") rest.remove_prefix(2);
  if (rest.empty()) return InvalidArgumentError(prefix + "a wildcard needs a domain after \"*.\"");
  size_t start = 0;
  while (start <= rest.size()) {
    size_t end = rest.find('.', start);
    if (end == std::string_view::npos) end = rest.size();
    const std::string_view label = rest.substr(start, end - start);
    if (label.empty()) return InvalidArgumentError(prefix + "it has an empty label");
    if (label.size() > 63) {
      return InvalidArgumentError(prefix + "label " + Quote(label) +
                                  " is longer than 63 characters");
    }
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') {
        return InvalidArgumentError(prefix +
                                    "labels may contain only letters, digits and hyphens "
                                    "(use punycode for international names)");
      }
    }
    if (label.front() == '-' || label.back() == '-') {
      return InvalidArgumentError(prefix + "label " + Quote(label) +
                                  " starts or ends with a hyphen");
    }
    start = end + 1;
  }
  return OkStatus();
}

// ---------------------------------------------------------------------------
// Key specs.

std::string_view KeyAlgorithmName(KeyAlgorithm algorithm) {
  switch (algorithm) {
    case KeyAlgorithm::kRsa:
      return "RSA";
    case KeyAlgorithm::kEcdsa:
      return "ECDSA";
    case KeyAlgorithm::kEd25519:
      return "ED25519";
  }
  return "UNKNOWN";
}

StatusOr<KeyAlgorithm> ParseKeyAlgorithm(std::string_view name) {
  for (KeyAlgorithm a : {KeyAlgorithm::kRsa, KeyAlgorithm::kEcdsa, KeyAlgorithm::kEd25519}) {
    if (name == KeyAlgorithmName(a)) return a;
  }
  return InvalidArgumentError("key algorithm " + Quote(name) +
                              " is not supported: use \"RSA\", \"ECDSA\" or \"ED25519\"");
}

Status ValidateRsaBits(int bits) {
  if (bits < kMinRsaBits) {
    return InvalidArgumentError("RSA key size " + std::to_string(bits) +
                                " is too small: use at least " + std::to_string(kMinRsaBits) +
                                " bits");
  }
  if (bits > kMaxRsaBits) {
    return InvalidArgumentError("RSA key size " + std::to_string(bits) +
                                " is too large: use at most " + std::to_string(kMaxRsaBits) +
                                " bits");
  }
  return OkStatus();
}

Status ValidateEcdsaCurve(std::string_view curve) {
  for (const CurveInfo& info : kCurves) {
    if (curve == info.terraform_name) return OkStatus();
  }
  return InvalidArgumentError("ECDSA curve " + Quote(curve) +
                              " is not supported: use \"P256\", \"P384\" or \"P521\"");
}

Status ValidateKeySpec(const KeySpec& spec) {
  switch (spec.algorithm) {
    case KeyAlgorithm::kRsa:
      return ValidateRsaBits(spec.rsa_bits);
    case KeyAlgorithm::kEcdsa:
      return ValidateEcdsaCurve(spec.ecdsa_curve);
    case KeyAlgorithm::kEd25519:
      return OkStatus();
  }
  return InvalidArgumentError("unknown key algorithm");
}

StatusOr<KeySpec> ParseKeySpec(std::string_view algorithm, int rsa_bits,
                               std::string_view ecdsa_curve) {
  KeySpec spec;
  PXC_ASSIGN_OR_RETURN(spec.algorithm, ParseKeyAlgorithm(algorithm));
  spec.rsa_bits = rsa_bits;
  spec.ecdsa_curve = std::string(ecdsa_curve);
  PXC_RETURN_IF_ERROR(ValidateKeySpec(spec));
  return spec;
}

// ---------------------------------------------------------------------------
// PublicKey.

StatusOr<PublicKey> PublicKey::FromPem(std::string_view pem) {
  PXC_RETURN_IF_ERROR(RequirePemBlock(pem, {"PUBLIC KEY"}, "public key"));
  PXC_ASSIGN_OR_RETURN(BioPtr bio, ReadOnlyBio(pem, "the public key PEM"));
  EvpPkeyPtr pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassphrase, nullptr));
  if (pkey == nullptr) {
    return StatusFromOpenSslErrors(StatusCode::kInvalidArgument,
                                   "the public key PEM could not be parsed");
  }
  return X509Internal::MakePublicKey(std::move(pkey));
}

StatusOr<std::string> PublicKey::ToPem() const { return PublicPem(pkey_.get()); }

std::string PublicKey::AlgorithmName() const {
  return std::string(KeyAlgorithmName(spec_.algorithm));
}

bool PublicKey::Equals(const PublicKey& other) const {
  return KeysEqual(pkey_.get(), other.pkey_.get());
}

// ---------------------------------------------------------------------------
// PrivateKey.

void PrivateKey::Deleter::operator()(EVP_PKEY* p) const {
  EVP_PKEY_free(p);  // clears the key data before freeing it
}

namespace {

// RSA generations running in this process, racers included.
std::atomic<unsigned> g_rsa_in_flight{0};

// One RSA key; the callback, called between prime candidates, aborts the
// search once `abandon` is set. Null when aborted or failed.
EvpPkeyPtr RsaKeygen(int bits, const std::atomic<bool>* abandon) {
  std::unique_ptr<EVP_PKEY_CTX, FreeFn<&EVP_PKEY_CTX_free>> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits) <= 0) {
    return nullptr;
  }
  if (abandon != nullptr) {
    EVP_PKEY_CTX_set_app_data(ctx.get(), const_cast<std::atomic<bool>*>(abandon));
    EVP_PKEY_CTX_set_cb(ctx.get(), [](EVP_PKEY_CTX* c) -> int {
      return static_cast<std::atomic<bool>*>(EVP_PKEY_CTX_get_app_data(c))->load() ? 0 : 1;
    });
  }
  EVP_PKEY* out = nullptr;
  if (EVP_PKEY_keygen(ctx.get(), &out) <= 0) return nullptr;
  return EvpPkeyPtr(out);
}

// An RSA key search takes a random number of prime candidates, so its time
// varies severalfold from key to key. When a core is idle (fewer RSA
// generations in flight than hardware threads), a second, independent
// generation races the first and the key finished first is kept; the other
// search is abandoned. Both are ordinary OpenSSL generations from its DRBG;
// keeping one of two independent keys costs at most one bit of the key's
// entropy. The racer is joined before returning.
EvpPkeyPtr GenerateRsa(int bits) {
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  struct InFlight {
    unsigned n = 0;
    void Add() {
      g_rsa_in_flight.fetch_add(1);
      ++n;
    }
    ~InFlight() { g_rsa_in_flight.fetch_sub(n); }
  } in_flight;
  in_flight.Add();
  if (g_rsa_in_flight.load() >= cores) return RsaKeygen(bits, nullptr);
  in_flight.Add();
  std::atomic<bool> done{false};
  EvpPkeyPtr theirs;
  std::thread racer([&] {
    EvpPkeyPtr k = RsaKeygen(bits, &done);
    if (k != nullptr && !done.exchange(true)) theirs = std::move(k);
    ERR_clear_error();  // an abandoned search leaves an error on this thread
  });
  EvpPkeyPtr mine = RsaKeygen(bits, &done);
  bool mine_first = mine != nullptr && !done.exchange(true);
  // The racer stops at its next candidate, or finished already.
  done.store(true);
  racer.join();
  if (mine_first) {
    ERR_clear_error();
    return mine;
  }
  if (theirs != nullptr) {
    ERR_clear_error();
    return theirs;
  }
  return nullptr;  // both failed: OpenSSL's errors are on this thread's queue
}

}  // namespace

StatusOr<PrivateKey> PrivateKey::Generate(const KeySpec& spec) {
  PXC_RETURN_IF_ERROR(ValidateKeySpec(spec));
  EvpPkeyPtr pkey;
  switch (spec.algorithm) {
    case KeyAlgorithm::kRsa:
      pkey = GenerateRsa(spec.rsa_bits);
      break;
    case KeyAlgorithm::kEcdsa:
      for (const CurveInfo& curve : kCurves) {
        if (spec.ecdsa_curve == curve.terraform_name) {
          pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve.openssl_group));
        }
      }
      break;
    case KeyAlgorithm::kEd25519:
      pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
      break;
  }
  if (pkey == nullptr) {
    return StatusFromOpenSslErrors(
        StatusCode::kInternal,
        "generating " + std::string(KeyAlgorithmName(spec.algorithm)) + " key");
  }
  return X509Internal::MakePrivateKey(std::move(pkey));
}

StatusOr<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
  if (pem.find("ENCRYPTED") != std::string_view::npos) {
    return InvalidArgumentError(
        "the private key PEM is encrypted: provide it unencrypted (\"-----BEGIN PRIVATE "
        "KEY-----\" or a traditional RSA/EC key)");
  }
  PXC_RETURN_IF_ERROR(
      RequirePemBlock(pem, {"PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"}, "private key"));
  PXC_ASSIGN_OR_RETURN(BioPtr bio, ReadOnlyBio(pem, "the private key PEM"));
  EvpPkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  if (pkey == nullptr) {
    return StatusFromOpenSslErrors(StatusCode::kInvalidArgument,
                                   "the private key PEM could not be parsed");
  }
  return X509Internal::MakePrivateKey(std::move(pkey));
}

StatusOr<std::string> PrivateKey::ToPem() const {
  SecretMemBio bio;
  if (bio.get() == nullptr || PEM_write_bio_PKCS8PrivateKey(bio.get(), pkey_.get(), nullptr,
                                                            nullptr, 0, nullptr, nullptr) != 1) {
    return StatusFromOpenSslErrors(StatusCode::kInternal, "encoding the private key as PEM");
  }
  return MemBioContents(bio.get());
}

StatusOr<std::string> PrivateKey::PublicKeyPem() const { return PublicPem(pkey_.get()); }

StatusOr<PublicKey> PrivateKey::GetPublicKey() const {
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(pkey_.get(), &der);
  if (len <= 0) return StatusFromOpenSslErrors(StatusCode::kInternal, "encoding the public key");
  OpenSslBytesPtr owner(der);
  const unsigned char* p = der;
  return X509Internal::MakePublicKey(EvpPkeyPtr(d2i_PUBKEY(nullptr, &p, len)));
}

std::string PrivateKey::AlgorithmName() const {
  return std::string(KeyAlgorithmName(spec_.algorithm));
}

bool PrivateKey::MatchesCertificate(const Certificate& cert) const {
  X509* x = X509Internal::Cert(cert);
  return x != nullptr && KeysEqual(pkey_.get(), X509_get0_pubkey(x));
}

bool PrivateKey::MatchesPublicKey(const PublicKey& key) const {
  return KeysEqual(pkey_.get(), X509Internal::Key(key));
}

// ---------------------------------------------------------------------------
// DistinguishedName.

bool DistinguishedName::empty() const {
  return std::all_of(kNameFields.begin(), kNameFields.end(),
                     [this](const NameField& f) { return (this->*f.member).empty(); });
}

std::string DistinguishedName::ToString() const {
  std::string out;
  for (auto it = kNameFields.rbegin(); it != kNameFields.rend(); ++it) {
    const std::string& value = this->*(it->member);
    if (value.empty()) continue;
    if (!out.empty()) out += ',';
    out += it->short_name;
    out += '=';
    out += EscapeRfc2253(value);
  }
  return out;
}

// ---------------------------------------------------------------------------
// CertificateRequest.

StatusOr<CertificateRequest> CertificateRequest::FromPem(std::string_view pem) {
  PXC_RETURN_IF_ERROR(RequirePemBlock(pem, {"CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"},
                                      "certificate request"));
  PXC_ASSIGN_OR_RETURN(BioPtr bio, ReadOnlyBio(pem, "the certificate request PEM"));
  X509ReqPtr req(PEM_read_bio_X509_REQ(bio.get(), nullptr, NoPassphrase, nullptr));
  if (req == nullptr) {
    return StatusFromOpenSslErrors(StatusCode::kInvalidArgument,
                                   "the certificate request PEM could not be parsed");
  }
  EVP_PKEY* pkey = X509_REQ_get0_pubkey(req.get());
  if (pkey == nullptr) {
    return StatusFromOpenSslErrors(StatusCode::kInvalidArgument,
                                   "the certificate request has no usable public key");
  }
  // Check the algorithm first: it gives the clearer message.
  PXC_RETURN_IF_ERROR(DescribeKey(pkey).status());
  if (X509_REQ_verify(req.get(), pkey) != 1) {
    return StatusFromOpenSslErrors(StatusCode::kInvalidArgument,
                                   "the certificate request's signature does not verify with "
                                   "its own public key (the request is corrupt or was altered)");
  }
  return X509Internal::MakeRequest(std::move(req));
}

StatusOr<CertificateRequest> CertificateRequest::Create(
    const PrivateKey& key, const DistinguishedName& subject,
    const std::vector<std::string>& dns_names, const std::vector<std::string>& ip_addresses) {
  X509ReqPtr req(X509_REQ_new());
  if (req == nullptr) return StatusFromOpenSslErrors(StatusCode::kInternal, "allocating a CSR");
  PXC_ASSIGN_OR_RETURN(X509NamePtr name, BuildName(subject));
  EVP_PKEY* pkey = X509Internal::Key(key);
  if (X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) != 1 ||
      X509_REQ_set_subject_name(req.get(), name.get()) != 1 ||
      X509_REQ_set_pubkey(req.get(), pkey) != 1) {
    return StatusFromOpenSslErrors(StatusCode::kInternal, "filling in the certificate request");
  }
  PXC_ASSIGN_OR_RETURN(GeneralNamesPtr san, BuildSubjectAltNames(dns_names, ip_addresses));
  if (san != nullptr) {
    ExtensionStackPtr exts(sk_X509_EXTENSION_new_null());
    X509ExtensionPtr ext(X509V3_EXT_i2d(NID_subject_alt_name, 0, san.get()));
    if (exts == nullptr || ext == nullptr || sk_X509_EXTENSION_push(exts.get(), ext.get()) <= 0) {
      return StatusFromOpenSslErrors(StatusCode::kInternal, "encoding the requested names");
    }
    ext.release();  // now owned by `exts`
    if (X509_REQ_add_extensions(req.get(), exts.get()) != 1) {
      return StatusFromOpenSslErrors(StatusCode::kInternal, "adding the requested names");
    }
  }
  if (X509_REQ_sign(req.get(), pkey, SigningDigest(pkey, EVP_sha256())) <= 0) {
    return StatusFromOpenSslErrors(StatusCode::kInternal, "signing the certificate request");
  }
  return X509Internal::MakeRequest(std::move(req));
}

StatusOr<std::string> CertificateRequest::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_X509_REQ(bio.get(), req_.get()) != 1) {
    return StatusFromOpenSslErrors(StatusCode::kInternal,
                                   "encoding the certificate request as PEM");
  }
  return MemBioContents(bio.get());
}

DistinguishedName CertificateRequest::Subject() const {
  return ReadName(X509_REQ_get_subject_name(req_.get()));
}

std::string CertificateRequest::SubjectString() const {
  return NameToString(X509_REQ_get_subject_name(req_.get()));
}

namespace {
void ReadRequestedNames(X509_REQ* req, std::vector<std::string>* dns,
                        std::vector<std::string>* ips) {
  ExtensionStackPtr exts(X509_REQ_get_extensions(req));
  if (exts == nullptr) {
    ERR_clear_error();
    return;
  }
  GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509V3_get_d2i(exts.get(), NID_subject_alt_name, nullptr, nullptr)));
  ERR_clear_error();
  ReadSubjectAltNames(names.get(), dns, ips);
}
}  // namespace

std::vector<std::string> CertificateRequest::DnsNames() const {
  std::vector<std::string> dns;
  ReadRequestedNames(req_.get(), &dns, nullptr);
  return dns;
}

std::vector<std::string> CertificateRequest::IpAddresses() const {
  std::vector<std::string> ips;
  ReadRequestedNames(req_.get(), nullptr, &ips);
  return ips;
}

// ---------------------------------------------------------------------------
// Certificate.

StatusOr<Certificate> Certificate::FromPem(std::string_view pem) {
  PXC_RETURN_IF_ERROR(RequirePemBlock(pem, {"CERTIFICATE"}, "certificate"));
  static constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
  size_t count = 0;
  for (size_t pos = pem.find(kBegin); pos != std::string_view::npos;
       pos = pem.find(kBegin, pos + kBegin.size())) {
    ++count;
  }
  if (count > 1) {
    return InvalidArgumentError("found " + std::to_string(count) +
                                " certificates where exactly one was expected");
  }
  PXC_ASSIGN_OR_RETURN(BioPtr bio, ReadOnlyBio(pem, "the certificate PEM"));
  X509Ptr x509(PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr));
  if (x509 == nullptr) {
    return StatusFromOpenSslErrors(StatusCode::kInvalidArgument,
                                   "the certificate PEM could not be parsed");
  }
  return X509Internal::MakeCertificate(std::move(x509));
}

StatusOr<Certificate> Certificate::FromDer(std::string_view der) {
  if (der.size() > static_cast<size_t>(LONG_MAX)) {
    return InvalidArgumentError("the certificate DER is too large");
  }
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* end = p + der.size();
  X509Ptr x509(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (x509 == nullptr) {
    return StatusFromOpenSslErrors(StatusCode::kInvalidArgument,
                                   "the certificate DER could not be parsed");
  }
  if (p != end) {
    return InvalidArgumentError("the certificate DER is followed by " + std::to_string(end - p) +
                                " unexpected bytes");
  }
  return X509Internal::MakeCertificate(std::move(x509));
}

StatusOr<Certificate> Certificate::SelfSignCa(const PrivateKey& key, const CaSpec& spec) {
  PXC_RETURN_IF_ERROR(ValidateValidity(spec.validity_period_hours));
  const auto not_before =
      std::chrono::floor<std::chrono::seconds>(spec.not_before.value_or(NowSeconds()));
  IssueRequest r;
  r.subject_key = X509Internal::Key(key);
  r.subject = &spec.subject;
  r.signing_key = X509Internal::Key(key);
  r.digest = EVP_sha256();
  r.not_before = not_before;
  r.not_after = not_before + std::chrono::hours(spec.validity_period_hours);
  r.is_ca = true;
  r.key_usage_bits = {kKuDigitalSignature, kKuKeyCertSign, kKuCrlSign};
  return X509Internal::Issue(r);
}

StatusOr<Certificate> Certificate::SignLeaf(const Certificate& ca_cert, const PrivateKey& ca_key,
                                            const PublicKey& subject_key, const LeafSpec& spec) {
  PXC_RETURN_IF_ERROR(CheckCaKeyPair(ca_cert, ca_key));
  PXC_RETURN_IF_ERROR(ValidateValidity(spec.validity_period_hours));
  if (!spec.server_auth && !spec.client_auth) {
    return InvalidArgumentError(
        "a leaf certificate needs server_auth, client_auth or both: neither is set");
  }
  const auto not_before =
      std::chrono::floor<std::chrono::seconds>(spec.not_before.value_or(NowSeconds()));
  IssueRequest r;
  r.subject_key = X509Internal::Key(subject_key);
  r.subject = &spec.subject;
  r.issuer = X509Internal::Cert(ca_cert);
  r.signing_key = X509Internal::Key(ca_key);
  r.digest = EVP_sha256();
  r.not_before = not_before;
  r.not_after = not_before + std::chrono::hours(spec.validity_period_hours);
  r.is_ca = false;
  r.key_usage_bits = {kKuDigitalSignature};
  if (subject_key.algorithm() == KeyAlgorithm::kRsa) r.key_usage_bits.push_back(kKuKeyEncipherment);
  r.server_auth = spec.server_auth;
  r.client_auth = spec.client_auth;
  r.dns_names = &spec.dns_names;
  r.ip_addresses = &spec.ip_addresses;
  return X509Internal::Issue(r);
}

std::string Certificate::SerialHex() const {
  BignumPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(x509_.get()), nullptr));
  OpenSslCharsPtr hex(bn == nullptr ? nullptr : BN_bn2hex(bn.get()));
  if (hex == nullptr) {
    ERR_clear_error();
    return "";
  }
  std::string out(hex.get());
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string Certificate::SerialDecimal() const {
  BignumPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(x509_.get()), nullptr));
  OpenSslCharsPtr dec(bn == nullptr ? nullptr : BN_bn2dec(bn.get()));
  if (dec == nullptr) {
    ERR_clear_error();
    return "";
  }
  return std::string(dec.get());
}

DistinguishedName Certificate::Subject() const {
  return ReadName(X509_get_subject_name(x509_.get()));
}
DistinguishedName Certificate::Issuer() const {
  return ReadName(X509_get_issuer_name(x509_.get()));
}
std::string Certificate::SubjectString() const {
  return NameToString(X509_get_subject_name(x509_.get()));
}
std::string Certificate::IssuerString() const {
  return NameToString(X509_get_issuer_name(x509_.get()));
}

bool Certificate::IsCa() const { return (X509_get_extension_flags(x509_.get()) & EXFLAG_CA) != 0; }

bool Certificate::HasKeyCertSign() const {
  if ((X509_get_extension_flags(x509_.get()) & EXFLAG_KUSAGE) == 0) return true;
  return (X509_get_key_usage(x509_.get()) & KU_KEY_CERT_SIGN) != 0;
}

std::vector<std::string> Certificate::DnsNames() const {
  std::vector<std::string> dns;
  GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(x509_.get(), NID_subject_alt_name, nullptr, nullptr)));
  ERR_clear_error();
  ReadSubjectAltNames(names.get(), &dns, nullptr);
  return dns;
}

std::vector<std::string> Certificate::IpAddresses() const {
  std::vector<std::string> ips;
  GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(x509_.get(), NID_subject_alt_name, nullptr, nullptr)));
  ERR_clear_error();
  ReadSubjectAltNames(names.get(), nullptr, &ips);
  return ips;
}

StatusOr<PublicKey> Certificate::GetPublicKey() const {
  return X509Internal::MakePublicKey(EvpPkeyPtr(X509_get_pubkey(x509_.get())));
}

StatusOr<std::string> Certificate::PublicKeyPem() const {
  EVP_PKEY* pkey = X509_get0_pubkey(x509_.get());
  if (pkey == nullptr) {
    return StatusFromOpenSslErrors(StatusCode::kInvalidArgument,
                                   "the certificate's public key cannot be read");
  }
  return PublicPem(pkey);
}

Status Certificate::VerifySignedBy(const Certificate& ca) const {
  X509StorePtr store(X509_STORE_new());
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (store == nullptr || ctx == nullptr || X509_STORE_add_cert(store.get(), ca.x509_.get()) != 1 ||
      X509_STORE_CTX_init(ctx.get(), store.get(), x509_.get(), nullptr) != 1) {
    return StatusFromOpenSslErrors(StatusCode::kInternal, "setting up certificate verification");
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  if (X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_ANY) != 1 ||
      X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN) != 1) {
    return StatusFromOpenSslErrors(StatusCode::kInternal, "setting up certificate verification");
  }
  const int rc = X509_verify_cert(ctx.get());
  if (rc == 1) {
    ERR_clear_error();
    return OkStatus();
  }
  const int err = X509_STORE_CTX_get_error(ctx.get());
  if (rc < 0 || err == X509_V_OK) {
    return StatusFromOpenSslErrors(StatusCode::kInternal, "running certificate verification");
  }
  ERR_clear_error();
  std::string message = "certificate " + Quote(SubjectString()) + " does not verify against CA " +
                        Quote(ca.SubjectString()) + ": " + X509_verify_cert_error_string(err);
  X509* failing = X509_STORE_CTX_get_current_cert(ctx.get());
  if (failing != nullptr && X509_cmp(failing, x509_.get()) != 0) {
    message += " (in certificate " + Quote(NameToString(X509_get_subject_name(failing))) + ")";
  }
  return FailedPreconditionError(std::move(message));
}

Status CheckCaKeyPair(const Certificate& ca_cert, const PrivateKey& ca_key) {
  const std::string name = Quote(ca_cert.SubjectString());
  if (!ca_cert.IsCa()) {
    return InvalidArgumentError("certificate " + name +
                                " is not a CA certificate: its basicConstraints extension does "
                                "not say CA:TRUE");
  }
  if (!ca_cert.HasKeyCertSign()) {
    return InvalidArgumentError("certificate " + name +
                                " cannot sign certificates: its keyUsage extension does not "
                                "include keyCertSign");
  }
  if (!ca_key.MatchesCertificate(ca_cert)) {
    return InvalidArgumentError("the CA private key does not match the CA certificate " + name +
                                ": their public keys differ");
  }
  return OkStatus();
}

StatusOr<std::pair<PrivateKey, Certificate>> MakeAutoMtlsServerCert(AutoMtlsKey curve) {
  const bool p521 = curve == AutoMtlsKey::kP521;
  KeySpec spec;
  spec.algorithm = KeyAlgorithm::kEcdsa;
  spec.ecdsa_curve = p521 ? "P521" : "P256";
  PXC_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::Generate(spec));
  const auto now = NowSeconds();
  DistinguishedName subject;
  subject.common_name = "localhost";
  const std::vector<std::string> dns_names = {"localhost"};
  IssueRequest r;
  r.subject_key = X509Internal::Key(key);
  r.subject = &subject;
  r.signing_key = X509Internal::Key(key);
  r.digest = p521 ? EVP_sha512() : EVP_sha256();
  r.not_before = now - kAutoMtlsBackdate;
  r.not_after = now + kAutoMtlsValidity;
  r.is_ca = true;
  r.key_usage_bits = {kKuDigitalSignature, kKuKeyEncipherment, kKuKeyAgreement, kKuKeyCertSign};
  r.server_auth = true;
  r.client_auth = true;
  r.dns_names = &dns_names;
  PXC_ASSIGN_OR_RETURN(Certificate cert, X509Internal::Issue(r));
  return std::make_pair(std::move(key), std::move(cert));
}

}  // namespace pxc::resources
