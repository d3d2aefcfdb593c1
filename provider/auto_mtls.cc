#include "provider/auto_mtls.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <memory>

#include "schema/text.h"

namespace pxc::provider {
namespace {

template <auto Fn>
struct FreeFn {
  template <typename T>
  void operator()(T* p) const {
    Fn(p);
  }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, FreeFn<&EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, FreeFn<&X509_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, FreeFn<&X509_NAME_free>>;
using X509ExtensionPtr = std::unique_ptr<X509_EXTENSION, FreeFn<&X509_EXTENSION_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, FreeFn<&BN_free>>;
using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, FreeFn<&ASN1_INTEGER_free>>;
using BioPtr = std::unique_ptr<BIO, FreeFn<&BIO_free>>;

// The first reason in this thread's OpenSSL error queue (which is emptied).
Status OpenSslError(const std::string& what) {
  const unsigned long err = ERR_get_error();
  ERR_clear_error();
  char buf[256] = "unknown OpenSSL error";
  if (err != 0) ERR_error_string_n(err, buf, sizeof(buf));
  return InternalError("AutoMTLS certificate: " + what + ": " + buf);
}

// A BIO's contents; the BIO is cleared before it is freed when it held a
// private key (BIO_s_secmem).
std::string BioContents(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

// A positive serial below 2^127, never zero (as pxc's other certificates).
StatusOr<Asn1IntegerPtr> RandomSerial() {
  std::array<unsigned char, 16> bytes{};
  do {
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
      return OpenSslError("generating the serial number");
    }
    bytes[0] &= 0x7f;
  } while (std::all_of(bytes.begin(), bytes.end(), [](unsigned char b) { return b == 0; }));
  BignumPtr bn(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
  Asn1IntegerPtr serial(bn == nullptr ? nullptr : BN_to_ASN1_INTEGER(bn.get(), nullptr));
  if (serial == nullptr) return OpenSslError("encoding the serial number");
  return serial;
}

}  // namespace

void InitOpenSslWithoutAtExit() {
  // With the option in the first initialisation call, no handler is
  // registered; later calls (gRPC's, libssh's) do not add one.
  (void)OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr);
}

AutoMtlsIdentity::~AutoMtlsIdentity() { WipeString(&key_pem); }

StatusOr<AutoMtlsIdentity> MakeAutoMtlsIdentity(AutoMtlsKey curve) {
  const bool p521 = curve == AutoMtlsKey::kP521;
  EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", p521 ? "P-521" : "P-256"));
  if (key == nullptr) return OpenSslError("generating the ECDSA key");

  X509Ptr x(X509_new());
  if (x == nullptr || X509_set_version(x.get(), X509_VERSION_3) != 1) {
    return OpenSslError("allocating the certificate");
  }
  PXC_ASSIGN_OR_RETURN(Asn1IntegerPtr serial, RandomSerial());
  if (X509_set_serialNumber(x.get(), serial.get()) != 1) {
    return OpenSslError("setting the serial number");
  }
  X509NamePtr name(X509_NAME_new());
  static constexpr char kLocalhost[] = "localhost";
  if (name == nullptr ||
      X509_NAME_add_entry_by_NID(name.get(), NID_commonName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(kLocalhost), -1, -1,
                                 0) != 1 ||
      X509_set_subject_name(x.get(), name.get()) != 1 ||
      X509_set_issuer_name(x.get(), name.get()) != 1) {
    return OpenSslError("setting the subject");
  }
  // time(), the clock OpenSSL checks validity against (see resources/pki).
  const std::time_t now = std::time(nullptr);
  const std::time_t not_before = now - kAutoMtlsBackdate.count();
  const std::time_t not_after =
      now + std::chrono::duration_cast<std::chrono::seconds>(kAutoMtlsValidity).count();
  if (ASN1_TIME_set(X509_getm_notBefore(x.get()), not_before) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(x.get()), not_after) == nullptr) {
    return OpenSslError("setting the validity");
  }
  if (X509_set_pubkey(x.get(), key.get()) != 1) return OpenSslError("setting the public key");

  // In the order pxc's other certificates carry them.
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x.get(), x.get(), nullptr, nullptr, 0);
  const std::pair<int, const char*> extensions[] = {
      {NID_basic_constraints, "critical,CA:TRUE"},
      {NID_key_usage, "critical,digitalSignature,keyEncipherment,keyAgreement,keyCertSign"},
      {NID_ext_key_usage, "serverAuth,clientAuth"},
      {NID_subject_alt_name, "DNS:localhost"},
      {NID_subject_key_identifier, "hash"},
      {NID_authority_key_identifier, "keyid:always"},
  };
  for (const auto& [nid, value] : extensions) {
    X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    if (ext == nullptr || X509_add_ext(x.get(), ext.get(), -1) != 1) {
      return OpenSslError(std::string("adding ") + OBJ_nid2sn(nid));
    }
  }
  if (X509_sign(x.get(), key.get(), p521 ? EVP_sha512() : EVP_sha256()) <= 0) {
    return OpenSslError("signing the certificate");
  }

  AutoMtlsIdentity id;
  BioPtr key_bio(BIO_new(BIO_s_secmem()));
  if (key_bio == nullptr || PEM_write_bio_PKCS8PrivateKey(key_bio.get(), key.get(), nullptr,
                                                          nullptr, 0, nullptr, nullptr) != 1) {
    return OpenSslError("encoding the key");
  }
  id.key_pem = BioContents(key_bio.get());
  BioPtr cert_bio(BIO_new(BIO_s_mem()));
  if (cert_bio == nullptr || PEM_write_bio_X509(cert_bio.get(), x.get()) != 1) {
    return OpenSslError("encoding the certificate");
  }
  id.cert_pem = BioContents(cert_bio.get());
  unsigned char* der = nullptr;
  const int der_len = i2d_X509(x.get(), &der);
  if (der_len <= 0) return OpenSslError("encoding the certificate as DER");
  id.cert_der.assign(reinterpret_cast<const char*>(der), static_cast<size_t>(der_len));
  OPENSSL_free(der);
  return id;
}

}  // namespace pxc::provider
