// X.509 primitives for the pxc PKI: private and public keys, certificate
// signing requests, self-signed CA certificates, leaf (node/client)
// certificates signed by such a CA. (The provider's own AutoMTLS certificate
// is made in provider/auto_mtls.h.)
//
// Everything here is a thin, typed layer over OpenSSL 3 (EVP/OSSL APIs only).
// Every OpenSSL handle is owned by an RAII wrapper; no OpenSSL header other
// than <openssl/types.h> (type names only) leaks to includers.
//
// Errors: input the user supplied (PEM text, key sizes, curves, names,
// addresses, validity) that is wrong yields kInvalidArgument with a message
// saying what was wrong and what to use instead. A certificate that does not
// verify yields kFailedPrecondition with OpenSSL's verify error text. A failure
// inside OpenSSL that no input explains yields kInternal carrying the
// library's own error text (see StatusFromOpenSslErrors).
//
// Thread safety: all free functions and static factories are safe to call
// concurrently. Objects are immutable after construction, so const methods
// may be called concurrently on the same object. There is no global mutable
// state besides OpenSSL's own (which is thread-safe in OpenSSL 3).
//
// Secrets: PrivateKey never logs or prints key material. EVP_PKEY_free
// already clears internal key data when a PrivateKey is destroyed; temporary
// PEM buffers are cleansed before they are freed (see PrivateKey::ToPem).
// Callers holding a private key PEM in a std::string may wipe it with
// WipeString (schema/text.h).
#pragma once

#include <openssl/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "schema/status.h"

// <openssl/types.h> does not name the CSR type; <openssl/x509.h> declares
// this same typedef.
typedef struct X509_req_st X509_REQ;

namespace pxc::resources {

// ---------------------------------------------------------------------------
// Errors and small helpers.

// Drains this thread's OpenSSL error queue into a Status with `code` and the
// message "<context>: <reason>[: <detail>]; <reason>...", using the library's
// own reason strings (e.g. "no start line"). When the queue is empty the
// reason is "unknown OpenSSL error". Always leaves the queue empty.
Status StatusFromOpenSslErrors(StatusCode code, std::string_view context);

// Formats `t` (truncated to whole seconds) as RFC 3339 in UTC, e.g.
// "2026-11-29T14:17:04Z".
std::string FormatRfc3339(std::chrono::system_clock::time_point t);

// Returns the canonical text form of an IPv4 or IPv6 address (inet_ntop
// output, e.g. "0:0::1" -> "::1"). kInvalidArgument if `ip` is not a literal
// IPv4 or IPv6 address (zone suffixes such as "%eth0" and CIDR masks are
// rejected).
StatusOr<std::string> NormalizeIpAddress(std::string_view ip);

// OK if `name` may be used as a DNS subjectAltName: 1..253 characters,
// dot-separated labels of 1..63 letters, digits and hyphens not starting or
// ending with a hyphen, optionally starting with "*." (a wildcard). Internationalised
// names must be given in their ASCII (punycode) form. kInvalidArgument
// otherwise.
Status ValidateDnsName(std::string_view name);

// ---------------------------------------------------------------------------
// Key algorithms.

enum class KeyAlgorithm { kRsa, kEcdsa, kEd25519 };

inline constexpr int kMinRsaBits = 2048;
inline constexpr int kMaxRsaBits = 8192;

// What key to generate, or what an existing key is. `rsa_bits` is meaningful
// only for kRsa, `ecdsa_curve` ("P256", "P384" or "P521") only for kEcdsa;
// the Spec() of an existing key sets the field that does not apply to 0 or "".
struct KeySpec {
  KeyAlgorithm algorithm = KeyAlgorithm::kRsa;
  int rsa_bits = 2048;
  std::string ecdsa_curve = "P256";

  bool operator==(const KeySpec&) const = default;
};

// "RSA", "ECDSA" or "ED25519", the spelling used in Terraform configuration.
std::string_view KeyAlgorithmName(KeyAlgorithm algorithm);

// Parses "RSA", "ECDSA" or "ED25519" (exact spelling). kInvalidArgument
// naming the accepted values otherwise.
StatusOr<KeyAlgorithm> ParseKeyAlgorithm(std::string_view name);

// OK for kMinRsaBits..kMaxRsaBits, e.g. kInvalidArgument
// "RSA key size 1024 is too small: use at least 2048 bits".
Status ValidateRsaBits(int bits);

// OK for "P256", "P384" and "P521"; kInvalidArgument naming them otherwise.
Status ValidateEcdsaCurve(std::string_view curve);

// Validates the fields of `spec` that matter for its algorithm.
Status ValidateKeySpec(const KeySpec& spec);

// Builds and validates a KeySpec from Terraform attribute values.
StatusOr<KeySpec> ParseKeySpec(std::string_view algorithm, int rsa_bits,
                               std::string_view ecdsa_curve);

class Certificate;
class PrivateKey;

// ---------------------------------------------------------------------------
// Keys.

// A public key of a supported algorithm (RSA 2048..8192 bits, ECDSA on P-256,
// P-384 or P-521, or Ed25519). Copies share the same immutable OpenSSL object.
class PublicKey {
 public:
  // Parses a SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----").
  // kInvalidArgument if the text is not such a PEM or the key is of an
  // unsupported algorithm, curve or size.
  static StatusOr<PublicKey> FromPem(std::string_view pem);

  // SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----"), kInternal on an
  // OpenSSL failure.
  StatusOr<std::string> ToPem() const;

  // Lowercase hex SHA-256 of the SubjectPublicKeyInfo DER, without colons
  // (what `openssl pkey -pubin -outform DER | sha256sum` prints): names the
  // key pair without revealing anything of the private half. kInternal on an
  // OpenSSL failure.
  StatusOr<std::string> Sha256Fingerprint() const;

  KeyAlgorithm algorithm() const { return spec_.algorithm; }
  // "RSA", "ECDSA" or "ED25519".
  std::string AlgorithmName() const;
  // Algorithm plus RSA size or ECDSA curve of this key (see KeySpec).
  const KeySpec& Spec() const { return spec_; }

  // True if both keys are the same public key (EVP_PKEY_eq).
  bool Equals(const PublicKey& other) const;

 private:
  friend struct X509Internal;
  PublicKey(std::shared_ptr<EVP_PKEY> pkey, KeySpec spec)
      : pkey_(std::move(pkey)), spec_(std::move(spec)) {}

  std::shared_ptr<EVP_PKEY> pkey_;
  KeySpec spec_;
};

// A private key of a supported algorithm. Move-only: the key material has a
// single owner, and destroying it frees (and clears) the OpenSSL key.
class PrivateKey {
 public:
  // Generates a fresh key. kInvalidArgument if `spec` is invalid (see
  // ValidateKeySpec), kInternal if OpenSSL fails.
  static StatusOr<PrivateKey> Generate(const KeySpec& spec);

  // Parses the first unencrypted private key in `pem`: PKCS#8 ("BEGIN
  // PRIVATE KEY") or traditional ("BEGIN RSA PRIVATE KEY", "BEGIN EC PRIVATE
  // KEY"). The text is read in place, not copied.
  // kInvalidArgument if the text holds no such key, if the key is encrypted
  // (never prompts for a passphrase), or if its algorithm, curve or size is
  // not supported (RSA below 2048 bits is rejected). Error messages never
  // contain key material.
  static StatusOr<PrivateKey> FromPem(std::string_view pem);

  PrivateKey(PrivateKey&&) noexcept = default;
  PrivateKey& operator=(PrivateKey&&) noexcept = default;
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;
  ~PrivateKey() = default;

  // Unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"). The OpenSSL
  // buffer the PEM is written to is cleansed before it is freed; the caller
  // owns the returned secret (see WipeString). kInternal on failure.
  StatusOr<std::string> ToPem() const;

  // PEM of the public half ("-----BEGIN PUBLIC KEY-----").
  StatusOr<std::string> PublicKeyPem() const;

  // The public half as its own object (holds no private material).
  StatusOr<PublicKey> GetPublicKey() const;

  KeyAlgorithm algorithm() const { return spec_.algorithm; }
  // "RSA", "ECDSA" or "ED25519".
  std::string AlgorithmName() const;
  // Algorithm plus RSA size or ECDSA curve of this key (see KeySpec).
  const KeySpec& Spec() const { return spec_; }

  // True if `cert` certifies this key's public half (EVP_PKEY_eq).
  bool MatchesCertificate(const Certificate& cert) const;
  // True if `key` is this key's public half.
  bool MatchesPublicKey(const PublicKey& key) const;

 private:
  friend struct X509Internal;
  struct Deleter {
    void operator()(EVP_PKEY* p) const;
  };
  PrivateKey(EVP_PKEY* pkey, KeySpec spec) : pkey_(pkey), spec_(std::move(spec)) {}

  std::unique_ptr<EVP_PKEY, Deleter> pkey_;
  KeySpec spec_;
};

// ---------------------------------------------------------------------------
// Names.

// The subject or issuer attributes pxc sets. Empty fields are omitted from
// the encoded name. `country` must be a two-letter code.
struct DistinguishedName {
  std::string common_name;
  std::string organization;
  std::string organizational_unit;
  std::string country;
  std::string locality;
  std::string province;

  bool operator==(const DistinguishedName&) const = default;

  bool empty() const;
  // One line in RFC 2253 order and escaping, most specific first:
  // "CN=node1,OU=db,O=Acme\, Inc.,L=Paris,ST=IDF,C=FR". For certificates
  // pxc issued this equals Certificate::SubjectString().
  std::string ToString() const;
};

// ---------------------------------------------------------------------------
// Certificate signing requests.

// A PKCS#10 request whose self-signature has been verified. Copies share the
// same immutable OpenSSL object.
class CertificateRequest {
 public:
  // Parses "-----BEGIN CERTIFICATE REQUEST-----" PEM and verifies the
  // request's signature with its own public key. kInvalidArgument if the PEM
  // is malformed, the signature does not verify, or the key's algorithm or
  // size is unsupported.
  static StatusOr<CertificateRequest> FromPem(std::string_view pem);

  // Creates a request for `key` (borrowed, not retained) with `subject` and
  // optional subjectAltNames, signed with SHA-256 (Ed25519: pure EdDSA).
  // kInvalidArgument for an invalid subject, DNS name or IP address.
  static StatusOr<CertificateRequest> Create(const PrivateKey& key,
                                             const DistinguishedName& subject,
                                             const std::vector<std::string>& dns_names = {},
                                             const std::vector<std::string>& ip_addresses = {});

  StatusOr<std::string> ToPem() const;
  // The attributes of DistinguishedName found in the subject (first value of
  // each); other attributes are ignored.
  DistinguishedName Subject() const;
  // The full subject in RFC 2253 form.
  std::string SubjectString() const;
  // subjectAltNames requested through the extensionRequest attribute
  // (IP addresses in canonical text form). Empty when there are none.
  std::vector<std::string> DnsNames() const;
  std::vector<std::string> IpAddresses() const;
  const PublicKey& GetPublicKey() const { return public_key_; }
  StatusOr<std::string> PublicKeyPem() const { return public_key_.ToPem(); }

 private:
  friend struct X509Internal;
  CertificateRequest(std::shared_ptr<X509_REQ> req, PublicKey public_key)
      : req_(std::move(req)), public_key_(std::move(public_key)) {}

  std::shared_ptr<X509_REQ> req_;
  PublicKey public_key_;
};

// ---------------------------------------------------------------------------
// Certificates.

// A self-signed CA certificate. The CA is valid from `not_before` (default:
// now, truncated to whole seconds) for exactly `validity_period_hours`.
struct CaSpec {
  DistinguishedName subject;      // at least one field must be set
  int validity_period_hours = 0;  // > 0
  // For tests and imports; unset means now.
  std::optional<std::chrono::system_clock::time_point> not_before;
};

// A leaf (node or client) certificate, valid from `not_before` (default: now,
// truncated to whole seconds) for exactly `validity_period_hours`. Key usage
// is derived from the subject key: digitalSignature, plus keyEncipherment for
// RSA keys.
struct LeafSpec {
  DistinguishedName subject;              // at least one field must be set
  int validity_period_hours = 0;          // > 0
  std::vector<std::string> dns_names;     // each must pass ValidateDnsName
  std::vector<std::string> ip_addresses;  // IPv4 or IPv6 literals
  bool server_auth = true;                // extendedKeyUsage serverAuth
  bool client_auth = true;                // extendedKeyUsage clientAuth; at least one set
  // For tests and imports; unset means now.
  std::optional<std::chrono::system_clock::time_point> not_before;
};

// An X.509 certificate. Immutable; copies share the same OpenSSL object.
class Certificate {
 public:
  // Parses exactly one "-----BEGIN CERTIFICATE-----" PEM block.
  // kInvalidArgument if there is none, more than one, or it is malformed.
  static StatusOr<Certificate> FromPem(std::string_view pem);
  // Parses DER. kInvalidArgument if malformed or followed by extra bytes.
  static StatusOr<Certificate> FromDer(std::string_view der);

  // Issues a self-signed X.509 v3 CA certificate for `key`: random positive
  // 127-bit non-zero serial, basicConstraints critical CA:TRUE, keyUsage
  // critical keyCertSign|cRLSign|digitalSignature, subject and authority key
  // identifiers, signed with SHA-256 (Ed25519: pure EdDSA).
  // kInvalidArgument for an invalid spec, kInternal if OpenSSL fails.
  static StatusOr<Certificate> SelfSignCa(const PrivateKey& key, const CaSpec& spec);

  // Issues a leaf certificate for `subject_key` (a generated key's
  // GetPublicKey() or a CSR's), signed by `ca_key` as
  // `ca_cert`: v3, random serial, issuer = CA subject, basicConstraints
  // critical CA:FALSE, keyUsage critical digitalSignature (+keyEncipherment
  // for RSA subject keys), extendedKeyUsage serverAuth and/or clientAuth,
  // subjectAltName with the DNS names and IPs, subject key identifier and an
  // authority key identifier from the CA. Signed with SHA-256 (Ed25519 CA
  // key: pure EdDSA). The validity is exactly what `spec` asks for, even past
  // ca_cert.NotAfter(): clamping is the caller's decision. All arguments are
  // borrowed; the result does not refer to them.
  // kInvalidArgument for an invalid spec or when CheckCaKeyPair fails.
  static StatusOr<Certificate> SignLeaf(const Certificate& ca_cert, const PrivateKey& ca_key,
                                        const PublicKey& subject_key, const LeafSpec& spec);

  // PEM ("-----BEGIN CERTIFICATE-----", trailing newline) and DER encodings.
  const std::string& ToPem() const { return pem_; }
  const std::string& Der() const { return der_; }

  // Serial number as lowercase hex without colons (an even number of digits,
  // as OpenSSL prints it) and as decimal.
  std::string SerialHex() const;
  std::string SerialDecimal() const;

  std::chrono::system_clock::time_point NotBefore() const { return not_before_; }
  std::chrono::system_clock::time_point NotAfter() const { return not_after_; }

  // The attributes of DistinguishedName found in the name (first value of
  // each); other attributes are ignored, see SubjectString()/IssuerString().
  DistinguishedName Subject() const;
  DistinguishedName Issuer() const;
  // Full names in RFC 2253 form, e.g. "CN=node1,O=Acme".
  std::string SubjectString() const;
  std::string IssuerString() const;

  // True if basicConstraints is present with CA:TRUE.
  bool IsCa() const;
  // True if the certificate may sign certificates as far as keyUsage goes:
  // the extension asserts keyCertSign, or is absent (RFC 5280: no keyUsage
  // means no restriction; `openssl req -x509` CAs have none).
  bool HasKeyCertSign() const;

  // Lowercase hex SHA-256 of the DER encoding, without colons (what
  // `openssl x509 -fingerprint -sha256` prints, lowercased, colons removed).
  const std::string& Sha256Fingerprint() const { return sha256_fingerprint_; }

  // subjectAltName DNS names and IP addresses (canonical text form).
  std::vector<std::string> DnsNames() const;
  std::vector<std::string> IpAddresses() const;

  // The certified public key. kInvalidArgument if its algorithm, curve or
  // size is not one pxc supports.
  StatusOr<PublicKey> GetPublicKey() const;
  StatusOr<std::string> PublicKeyPem() const;

  // Runs OpenSSL's full chain verification (X509_verify_cert) of this
  // certificate against a trust store holding only `ca` (which is trusted as
  // an anchor even if it is itself an intermediate), for any purpose, at the
  // current time. OK if it verifies; kFailedPrecondition with OpenSSL's
  // reason otherwise, e.g. "certificate CN=node1 does not verify against CA
  // CN=Root: certificate has expired"; kInternal if OpenSSL fails to run.
  Status VerifySignedBy(const Certificate& ca) const;

 private:
  friend struct X509Internal;
  Certificate() = default;

  std::shared_ptr<X509> x509_;
  std::string der_;
  std::string pem_;
  std::string sha256_fingerprint_;
  std::chrono::system_clock::time_point not_before_;
  std::chrono::system_clock::time_point not_after_;
};

// OK if `ca_cert` can act as a CA for `ca_key`: basicConstraints CA:TRUE,
// keyUsage keyCertSign, and `ca_key` is the key the certificate certifies.
// kInvalidArgument naming the first failed check otherwise. Use it when
// adopting an existing CA key and certificate.
Status CheckCaKeyPair(const Certificate& ca_cert, const PrivateKey& ca_key);

}  // namespace pxc::resources
