// The OpenSSL-level pieces the X.509 primitives of resources/pki/x509.h are
// built from: RAII wrappers for OpenSSL handles, key description, names,
// subjectAltNames, times, and X509Internal, which issues certificates and
// has private access to the classes of x509.h. Shared by x509.cc and
// x509_internal.cc only; not for other callers.
#pragma once

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
#include <cctype>
#include <climits>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "resources/pki/x509.h"
#include "schema/text.h"

namespace pxc::resources {
namespace x509_internal {

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

std::shared_ptr<EVP_PKEY> ShareKey(EVP_PKEY* pkey);

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
std::string MemBioContents(BIO* bio);

// A read-only memory BIO over caller-owned text (no copy is made).
StatusOr<BioPtr> ReadOnlyBio(std::string_view text, std::string_view what);

// kInvalidArgument unless `pem` has a "-----BEGIN <label>-----" line for one
// of `labels`; OpenSSL's own message for that case ("No supported data to
// decode") does not tell the user what was expected.
Status RequirePemBlock(std::string_view pem, std::initializer_list<std::string_view> labels,
                       std::string_view what);

// Never prompt for a passphrase: encrypted keys are rejected.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/);

// ---------------------------------------------------------------------------
// Keys.

struct CurveInfo {
  const char* terraform_name;
  const char* openssl_group;
};
inline constexpr std::array<CurveInfo, 3> kCurves = {{
    {"P256", "prime256v1"},
    {"P384", "secp384r1"},
    {"P521", "secp521r1"},
}};

// The supported-key description of `pkey`, or kInvalidArgument.
StatusOr<KeySpec> DescribeKey(const EVP_PKEY* pkey);

// Digest to sign with: none for Ed25519 (pure EdDSA), `preferred` otherwise.
const EVP_MD* SigningDigest(const EVP_PKEY* signer, const EVP_MD* preferred);

bool KeysEqual(const EVP_PKEY* a, const EVP_PKEY* b);

StatusOr<std::string> PublicPem(EVP_PKEY* pkey);

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
inline const std::array<NameField, 6> kNameFields = {{
    {NID_countryName, "C", &DistinguishedName::country, "country", 2},
    {NID_stateOrProvinceName, "ST", &DistinguishedName::province, "province", 128},
    {NID_localityName, "L", &DistinguishedName::locality, "locality", 128},
    {NID_organizationName, "O", &DistinguishedName::organization, "organization", 64},
    {NID_organizationalUnitName, "OU", &DistinguishedName::organizational_unit,
     "organizational_unit", 64},
    {NID_commonName, "CN", &DistinguishedName::common_name, "common_name", 64},
}};

size_t Utf8Length(std::string_view s);

Status ValidateName(const DistinguishedName& dn);

StatusOr<X509NamePtr> BuildName(const DistinguishedName& dn);

DistinguishedName ReadName(const X509_NAME* name);

std::string NameToString(const X509_NAME* name);

// RFC 2253 attribute value escaping, matching OpenSSL's XN_FLAG_RFC2253
// output without ASN1_STRFLGS_ESC_MSB.
std::string EscapeRfc2253(std::string_view value);

// ---------------------------------------------------------------------------
// Subject alternative names.

// The 4- or 16-byte binary form of an IP literal.
StatusOr<std::string> IpToBytes(std::string_view ip);

std::optional<std::string> BytesToIp(const unsigned char* data, int len);

// A GENERAL_NAMES with the given names; null when both lists are empty.
StatusOr<GeneralNamesPtr> BuildSubjectAltNames(const std::vector<std::string>& dns_names,
                                               const std::vector<std::string>& ip_addresses);

void ReadSubjectAltNames(const GENERAL_NAMES* names, std::vector<std::string>* dns,
                         std::vector<std::string>* ips);

// ---------------------------------------------------------------------------
// Time.

Clock::time_point FromTm(const std::tm& tm);

StatusOr<Clock::time_point> ReadTime(const ASN1_TIME* t, std::string_view what);

Status SetTime(ASN1_TIME* field, Clock::time_point t, std::string_view what);

// The current time in whole seconds, from time(), the clock OpenSSL checks
// validity against. system_clock::now() can run up to a scheduler tick ahead
// of time() (CLOCK_REALTIME vs CLOCK_REALTIME_COARSE on Linux), so a
// certificate starting at floor(now()) could be "not yet valid" right after
// it was issued.
Clock::time_point NowSeconds();

Status ValidateValidity(int hours);

// ---------------------------------------------------------------------------
// Certificate construction.

inline constexpr int kKuDigitalSignature = 0;
inline constexpr int kKuKeyEncipherment = 2;
inline constexpr int kKuKeyAgreement = 4;
inline constexpr int kKuKeyCertSign = 5;
inline constexpr int kKuCrlSign = 6;

StatusOr<Asn1IntegerPtr> RandomSerial();

// The SHA-1 of the subjectPublicKey bits (RFC 5280 section 4.2.1.2 method 1).
StatusOr<Asn1OctetStringPtr> KeyIdentifier(const X509* cert);

Status AddExtension(X509* cert, int nid, void* value, bool critical, std::string_view what);

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

}  // namespace x509_internal

// Both files that include this header use the helpers unqualified.
using namespace x509_internal;  // NOLINT(build/namespaces)

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
    cert.sha256_fingerprint_ =
        HexEncode(std::string_view(reinterpret_cast<const char*>(md), md_len));

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

}  // namespace pxc::resources
