// The plugin's own TLS identity for go-plugin's AutoMTLS handshake, and the
// OpenSSL set-up of the plugin process. The provider's certificate is made
// here, with OpenSSL directly, so that the plugin server needs nothing of the
// PKI library its resources use (resources/pki/).
//
// Thread safety: MakeAutoMtlsIdentity may be called concurrently.
#pragma once

#include <chrono>
#include <string>

#include "schema/status.h"

namespace pxc::provider {

// Initializes OpenSSL without its atexit clean-up (OPENSSL_INIT_NO_ATEXIT).
// Call first thing in main() of a process with gRPC's threads: gRPC's event
// engine thread was still alive at exit in half of the plugin's exits, and
// OPENSSL_cleanup frees the state such a thread uses. One that exited after
// the clean-up had deleted OpenSSL's thread-local keys lost its error queue
// state (LeakSanitizer: 904 bytes, an OpenSSL 3.0 ERR_STATE, in 1 of 150 runs
// of a scenario with six plugin launches). Must come before any other
// OpenSSL call, which would register the handler.
void InitOpenSslWithoutAtExit();

inline constexpr std::chrono::hours kAutoMtlsValidity{262980};
inline constexpr std::chrono::seconds kAutoMtlsBackdate{30};

// The key of an AutoMTLS identity. go-plugin's own generateCert uses P-521
// (and so does Terraform's client certificate); the server side may use any
// curve Go's TLS client accepts, since the client pins the certificate from
// the handshake line. P-256 costs about a tenth of P-521 to generate and sign
// with, and the provider makes one at every launch (4 per `terraform apply`).
enum class AutoMtlsKey { kP256, kP521 };

// A key and the self-signed certificate that certifies it.
struct AutoMtlsIdentity {
  AutoMtlsIdentity() = default;
  AutoMtlsIdentity(AutoMtlsIdentity&&) = default;
  AutoMtlsIdentity& operator=(AutoMtlsIdentity&&) = default;
  AutoMtlsIdentity(const AutoMtlsIdentity&) = delete;
  AutoMtlsIdentity& operator=(const AutoMtlsIdentity&) = delete;
  ~AutoMtlsIdentity();  // wipes key_pem

  std::string key_pem;   // unencrypted PKCS#8 ("-----BEGIN PRIVATE KEY-----")
  std::string cert_pem;  // "-----BEGIN CERTIFICATE-----"
  std::string cert_der;  // send Base64Encode(cert_der, kUnpadded) in the handshake line
};

// Generates the provider's server identity for go-plugin's AutoMTLS like
// go-plugin's generateCert (minus its O=HashiCorp subject attribute, which
// Terraform does not check): ECDSA key on `curve`, subject CN=localhost, SAN
// DNS:localhost, extendedKeyUsage serverAuth+clientAuth, keyUsage critical
// digitalSignature|keyEncipherment|keyAgreement|keyCertSign, basicConstraints
// critical CA:TRUE, subject and authority key identifiers, random positive
// 127-bit serial, valid from now - kAutoMtlsBackdate to now +
// kAutoMtlsValidity, signed ecdsa-with-SHA256 (P-256) or ecdsa-with-SHA512
// (P-521), as Go's x509 picks. The provider's server identity uses P-256; the
// driver that plays Terraform in the tests makes Terraform's P-521 client
// identity.
// kInternal with OpenSSL's reason if OpenSSL fails.
StatusOr<AutoMtlsIdentity> MakeAutoMtlsIdentity(AutoMtlsKey curve = AutoMtlsKey::kP256);

}  // namespace pxc::provider
