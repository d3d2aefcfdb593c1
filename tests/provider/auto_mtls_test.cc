// provider/auto_mtls.h: the plugin's own certificate is the one go-plugin's
// generateCert makes, read back with OpenSSL and with the PKI library.
#include "provider/auto_mtls.h"

#include <gtest/gtest.h>
#include <openssl/obj_mac.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <memory>

#include "resources/pki/x509.h"
#include "schema/text.h"

namespace pxc::provider {
namespace {

using Clock = std::chrono::system_clock;
using std::chrono::seconds;

template <typename T>
T Unwrap(StatusOr<T> v) {
  EXPECT_TRUE(v.ok()) << v.status().message();
  return *std::move(v);
}

class AutoMtlsCurve : public ::testing::TestWithParam<AutoMtlsKey> {};

TEST_P(AutoMtlsCurve, CertificateMatchesGoPlugin) {
  const bool p521 = GetParam() == AutoMtlsKey::kP521;
  // notBefore is whole seconds from time(), whose coarse clock may still
  // show the previous second a few milliseconds after Clock has passed it:
  // one second of margin (without it this failed about once in 200 runs).
  const auto before = std::chrono::floor<seconds>(Clock::now()) - seconds(1);
  AutoMtlsIdentity id = Unwrap(MakeAutoMtlsIdentity(GetParam()));
  const auto after = Clock::now();

  auto key = Unwrap(resources::PrivateKey::FromPem(id.key_pem));
  auto cert = Unwrap(resources::Certificate::FromDer(id.cert_der));
  EXPECT_EQ(id.key_pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u) << "not PKCS#8";
  EXPECT_EQ(cert.ToPem(), id.cert_pem);
  EXPECT_EQ(key.Spec().algorithm, resources::KeyAlgorithm::kEcdsa);
  EXPECT_EQ(key.Spec().ecdsa_curve, p521 ? "P521" : "P256");
  EXPECT_TRUE(key.MatchesCertificate(cert));
  resources::DistinguishedName localhost;
  localhost.common_name = "localhost";
  EXPECT_EQ(cert.Subject(), localhost);
  EXPECT_EQ(cert.Issuer(), localhost);
  EXPECT_EQ(cert.DnsNames(), std::vector<std::string>{"localhost"});
  EXPECT_TRUE(cert.IpAddresses().empty());
  EXPECT_TRUE(cert.IsCa());
  EXPECT_TRUE(cert.HasKeyCertSign());
  EXPECT_GE(cert.NotBefore(), before - kAutoMtlsBackdate);
  EXPECT_LE(cert.NotBefore(), after - kAutoMtlsBackdate);
  EXPECT_EQ(cert.NotAfter() - cert.NotBefore(), kAutoMtlsValidity + kAutoMtlsBackdate);
  EXPECT_TRUE(cert.VerifySignedBy(cert).ok());
  // A random positive serial below 2^127: at most 16 bytes, fewer when its
  // leading byte happens to be zero (1 in 128; asserting exactly 32 hex
  // digits failed that often).
  EXPECT_LE(cert.SerialHex().size(), 32u);
  EXPECT_NE(cert.SerialHex().find_first_not_of('0'), std::string::npos) << "zero serial";

  const unsigned char* p = reinterpret_cast<const unsigned char*>(id.cert_der.data());
  std::unique_ptr<X509, decltype(&X509_free)> x(
      d2i_X509(nullptr, &p, static_cast<long>(id.cert_der.size())), &X509_free);
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(X509_get_version(x.get()), X509_VERSION_3);
  EXPECT_EQ(X509_get_signature_nid(x.get()), p521 ? NID_ecdsa_with_SHA512 : NID_ecdsa_with_SHA256);
  EXPECT_EQ(X509_get_key_usage(x.get()),
            KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT | KU_KEY_AGREEMENT | KU_KEY_CERT_SIGN);
  EXPECT_EQ(X509_get_extended_key_usage(x.get()), XKU_SSL_SERVER | XKU_SSL_CLIENT);
  EXPECT_NE(X509_get0_subject_key_id(x.get()), nullptr);
  EXPECT_EQ(
      ASN1_OCTET_STRING_cmp(X509_get0_subject_key_id(x.get()), X509_get0_authority_key_id(x.get())),
      0);
  // basicConstraints CA:TRUE and critical, keyUsage critical.
  EXPECT_GE(X509_check_ca(x.get()), 1);
  for (int nid : {NID_basic_constraints, NID_key_usage}) {
    const int at = X509_get_ext_by_NID(x.get(), nid, -1);
    ASSERT_GE(at, 0) << OBJ_nid2sn(nid);
    EXPECT_EQ(X509_EXTENSION_get_critical(X509_get_ext(x.get(), at)), 1) << OBJ_nid2sn(nid);
  }
  // A host name check as Go's TLS client performs it.
  EXPECT_EQ(X509_check_host(x.get(), "localhost", 0, 0, nullptr), 1);
}

INSTANTIATE_TEST_SUITE_P(AutoMtls, AutoMtlsCurve,
                         ::testing::Values(AutoMtlsKey::kP256, AutoMtlsKey::kP521));

TEST(AutoMtls, ServerIdentityIsP256ByDefault) {
  AutoMtlsIdentity id = Unwrap(MakeAutoMtlsIdentity());
  auto key = Unwrap(resources::PrivateKey::FromPem(id.key_pem));
  EXPECT_EQ(key.Spec().ecdsa_curve, "P256");
}

TEST(AutoMtls, EveryIdentityIsNew) {
  AutoMtlsIdentity a = Unwrap(MakeAutoMtlsIdentity());
  AutoMtlsIdentity b = Unwrap(MakeAutoMtlsIdentity());
  EXPECT_NE(a.key_pem, b.key_pem);
  EXPECT_NE(a.cert_der, b.cert_der);
}

TEST(AutoMtls, HandshakeEncodingIsUnpaddedAndRoundTrips) {
  AutoMtlsIdentity id = Unwrap(MakeAutoMtlsIdentity());
  const std::string encoded = Base64Encode(id.cert_der, Base64Padding::kUnpadded);
  EXPECT_EQ(encoded.find('='), std::string::npos);
  EXPECT_EQ(encoded.find('\n'), std::string::npos);
  EXPECT_EQ(Base64Decode(encoded, Base64Padding::kUnpadded), id.cert_der);
}

}  // namespace
}  // namespace pxc::provider
