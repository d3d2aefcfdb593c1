// Tests for resources/pki/x509.{h,cc}: key generation and parsing, CA and
// leaf issuance, CSR signing, verification, and agreement with the real
// `openssl` command line tool. One file of about 1000 lines: the cases
// share key and CA fixtures generated once, and most are tables.
#include "resources/pki/x509.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "schema/text.h"

namespace pxc::resources {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using Clock = std::chrono::system_clock;

template <typename T>
T Unwrap(StatusOr<T> s) {
  if (!s.ok()) ADD_FAILURE() << s.status().ToString();
  return std::move(s).value();
}

KeySpec Rsa(int bits) { return KeySpec{KeyAlgorithm::kRsa, bits, ""}; }
KeySpec Ecdsa(const std::string& curve) { return KeySpec{KeyAlgorithm::kEcdsa, 0, curve}; }
KeySpec Ed25519() { return KeySpec{KeyAlgorithm::kEd25519, 0, ""}; }

DistinguishedName Cn(const std::string& cn) {
  DistinguishedName dn;
  dn.common_name = cn;
  return dn;
}

CaSpec MakeCaSpec(const std::string& cn, int hours = 24 * 365) {
  CaSpec spec;
  spec.subject = Cn(cn);
  spec.subject.organization = "Acme";
  spec.validity_period_hours = hours;
  return spec;
}

LeafSpec MakeLeafSpec(const std::string& cn) {
  LeafSpec spec;
  spec.subject = Cn(cn);
  spec.validity_period_hours = 24 * 30;
  spec.dns_names = {cn + ".db.internal", "localhost"};
  spec.ip_addresses = {"10.0.0.5", "fd00::5"};
  return spec;
}

struct Ca {
  PrivateKey key;
  Certificate cert;
};

Ca MakeCa(const KeySpec& spec, const std::string& cn = "Test Root") {
  PrivateKey key = Unwrap(PrivateKey::Generate(spec));
  Certificate cert = Unwrap(Certificate::SelfSignCa(key, MakeCaSpec(cn)));
  return Ca{std::move(key), std::move(cert)};
}

// The certificate as an OpenSSL object, for checks independent of x509.cc.
std::unique_ptr<X509, decltype(&X509_free)> Parse(const Certificate& cert) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(cert.Der().data());
  return {d2i_X509(nullptr, &p, static_cast<long>(cert.Der().size())), &X509_free};
}

std::string Sha256Hex(const std::string& bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EXPECT_EQ(EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr), 1);
  std::string hex;
  char buf[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof(buf), "%02x", md[i]);
    hex += buf;
  }
  return hex;
}

// ---------------------------------------------------------------------------
// Key specs.

TEST(X509, ParsesKeyAlgorithmNamesUsedInConfiguration) {
  EXPECT_EQ(*ParseKeyAlgorithm("RSA"), KeyAlgorithm::kRsa);
  EXPECT_EQ(*ParseKeyAlgorithm("ECDSA"), KeyAlgorithm::kEcdsa);
  EXPECT_EQ(*ParseKeyAlgorithm("ED25519"), KeyAlgorithm::kEd25519);
  const auto bad = ParseKeyAlgorithm("DSA");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(),
            "key algorithm \"DSA\" is not supported: use \"RSA\", \"ECDSA\" or \"ED25519\"");
}

TEST(X509, RejectsKeySpecsWithSpecificMessages) {
  struct Case {
    std::string algorithm;
    int rsa_bits;
    std::string curve;
    std::string message;  // empty: valid
  };
  const std::vector<Case> cases = {
      {"RSA", 2048, "", ""},
      {"RSA", 8192, "", ""},
      {"RSA", 1024, "", "RSA key size 1024 is too small: use at least 2048 bits"},
      {"RSA", 16384, "", "RSA key size 16384 is too large: use at most 8192 bits"},
      {"ECDSA", 0, "P256", ""},
      {"ECDSA", 0, "P384", ""},
      {"ECDSA", 0, "P521", ""},
      {"ECDSA", 0, "P224",
       "ECDSA curve \"P224\" is not supported: use \"P256\", \"P384\" or \"P521\""},
      {"ECDSA", 0, "secp256k1",
       "ECDSA curve \"secp256k1\" is not supported: use \"P256\", \"P384\" or \"P521\""},
      {"ED25519", 0, "", ""},
      {"ED25519", 1024, "bogus", ""},  // fields of other algorithms are ignored
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.algorithm + "/" + std::to_string(c.rsa_bits) + "/" + c.curve);
    const auto spec = ParseKeySpec(c.algorithm, c.rsa_bits, c.curve);
    if (c.message.empty()) {
      EXPECT_TRUE(spec.ok()) << spec.status().ToString();
    } else {
      ASSERT_FALSE(spec.ok());
      EXPECT_EQ(spec.status().code(), StatusCode::kInvalidArgument);
      EXPECT_EQ(spec.status().message(), c.message);
    }
  }
}

TEST(X509, GenerateRejectsRsa1024) {
  const auto key = PrivateKey::Generate(Rsa(1024));
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(key.status().message(), "RSA key size 1024 is too small: use at least 2048 bits");
}

// RSA generation races a second search when a core is idle (x509.cc
// GenerateRsa): alone or side by side, every call returns its own complete,
// usable key, and no OpenSSL error from an abandoned search leaks out.
TEST(X509, RsaGenerationAloneAndConcurrentGivesDistinctWorkingKeys) {
  std::vector<std::string> pems(5);
  pems[0] = Unwrap(Unwrap(PrivateKey::Generate(Rsa(2048))).ToPem());
  std::vector<std::thread> threads;
  for (size_t i = 1; i < pems.size(); ++i) {
    threads.emplace_back([&pems, i] {
      auto key = PrivateKey::Generate(Rsa(2048));
      if (!key.ok()) return;
      auto pem = key->ToPem();
      if (pem.ok()) pems[i] = *pem;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ERR_peek_error(), 0u);
  std::set<std::string> distinct(pems.begin(), pems.end());
  EXPECT_EQ(distinct.size(), pems.size());
  for (const std::string& pem : pems) {
    ASSERT_FALSE(pem.empty());
    auto key = Unwrap(PrivateKey::FromPem(pem));
    EXPECT_EQ(key.Spec(), Rsa(2048));
    // A certificate signed with it verifies with its public key.
    Certificate cert = Unwrap(Certificate::SelfSignCa(key, MakeCaSpec("racer")));
    EXPECT_TRUE(key.MatchesCertificate(cert));
    EXPECT_TRUE(cert.VerifySignedBy(cert).ok());
  }
}

TEST(X509, GenerateRejectsUnknownCurve) {
  const auto key = PrivateKey::Generate(Ecdsa("P999"));
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().message(),
            "ECDSA curve \"P999\" is not supported: use \"P256\", \"P384\" or \"P521\"");
}

// ---------------------------------------------------------------------------
// Keys.

struct KeyCase {
  KeySpec spec;
  std::string name;
};

const std::vector<KeyCase>& AllKeyCases() {
  static const std::vector<KeyCase> cases = {
      {Rsa(2048), "RSA"},       {Ecdsa("P256"), "ECDSA"}, {Ecdsa("P384"), "ECDSA"},
      {Ecdsa("P521"), "ECDSA"}, {Ed25519(), "ED25519"},
  };
  return cases;
}

TEST(X509, GeneratesEachKeyAlgorithmAndRoundTripsPkcs8Pem) {
  for (const KeyCase& c : AllKeyCases()) {
    SCOPED_TRACE(c.name + " " + c.spec.ecdsa_curve);
    PrivateKey key = Unwrap(PrivateKey::Generate(c.spec));
    EXPECT_EQ(key.AlgorithmName(), c.name);
    EXPECT_EQ(key.Spec(), c.spec);
    std::string pem = Unwrap(key.ToPem());
    EXPECT_EQ(pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u) << "not PKCS#8";
    PrivateKey parsed = Unwrap(PrivateKey::FromPem(pem));
    EXPECT_EQ(parsed.Spec(), c.spec);
    PublicKey pub = Unwrap(key.GetPublicKey());
    EXPECT_TRUE(parsed.MatchesPublicKey(pub));
    EXPECT_EQ(Unwrap(parsed.PublicKeyPem()), Unwrap(key.PublicKeyPem()));
    EXPECT_EQ(Unwrap(pub.ToPem()), Unwrap(key.PublicKeyPem()));
    EXPECT_EQ(Unwrap(key.PublicKeyPem()).rfind("-----BEGIN PUBLIC KEY-----\n", 0), 0u);
    WipeString(&pem);
    EXPECT_TRUE(pem.empty());
  }
}

TEST(X509, GeneratedKeysAreDistinct) {
  PrivateKey a = Unwrap(PrivateKey::Generate(Ecdsa("P256")));
  PrivateKey b = Unwrap(PrivateKey::Generate(Ecdsa("P256")));
  EXPECT_FALSE(a.MatchesPublicKey(Unwrap(b.GetPublicKey())));
  EXPECT_TRUE(a.MatchesPublicKey(Unwrap(a.GetPublicKey())));
}

TEST(X509, PublicKeyFingerprintIsTheSha256OfItsDer) {
  for (const KeyCase& c : AllKeyCases()) {
    SCOPED_TRACE(c.name + " " + c.spec.ecdsa_curve);
    PrivateKey key = Unwrap(PrivateKey::Generate(c.spec));
    const std::string fp = Unwrap(Unwrap(key.GetPublicKey()).Sha256Fingerprint());
    // What `openssl pkey -pubout -outform DER | sha256sum` prints.
    const std::string pub_pem = Unwrap(key.PublicKeyPem());
    BIO* bio = BIO_new_mem_buf(pub_pem.data(), static_cast<int>(pub_pem.size()));
    EVP_PKEY* pkey = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    ASSERT_NE(pkey, nullptr);
    unsigned char* der = nullptr;
    const int len = i2d_PUBKEY(pkey, &der);
    EVP_PKEY_free(pkey);
    ASSERT_GT(len, 0);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    EVP_Digest(der, static_cast<size_t>(len), md, &md_len, EVP_sha256(), nullptr);
    OPENSSL_free(der);
    char hex[2 * EVP_MAX_MD_SIZE + 1] = {};
    for (unsigned int i = 0; i < md_len; ++i) std::snprintf(hex + 2 * i, 3, "%02x", md[i]);
    EXPECT_EQ(fp, hex);
    // The certificate's public key has the same; another key another.
    Certificate ca = Unwrap(Certificate::SelfSignCa(key, {{"FP-CA", "", "", "", "", ""}, 24, {}}));
    EXPECT_EQ(Unwrap(Unwrap(ca.GetPublicKey()).Sha256Fingerprint()), fp);
    PrivateKey other = Unwrap(PrivateKey::Generate(c.spec));
    EXPECT_NE(Unwrap(Unwrap(other.GetPublicKey()).Sha256Fingerprint()), fp);
  }
}

TEST(X509, PublicKeyRoundTripsThroughPem) {
  for (const KeyCase& c : AllKeyCases()) {
    PrivateKey key = Unwrap(PrivateKey::Generate(c.spec));
    PublicKey pub = Unwrap(PublicKey::FromPem(Unwrap(key.PublicKeyPem())));
    EXPECT_EQ(pub.Spec(), c.spec);
    EXPECT_EQ(pub.AlgorithmName(), c.name);
    EXPECT_TRUE(pub.Equals(Unwrap(key.GetPublicKey())));
    EXPECT_TRUE(key.MatchesPublicKey(pub));
  }
  const auto from_private =
      PublicKey::FromPem(Unwrap(Unwrap(PrivateKey::Generate(Ed25519())).ToPem()));
  ASSERT_FALSE(from_private.ok());
  EXPECT_EQ(from_private.status().message(),
            "no public key found: expected a PEM block starting with \"-----BEGIN PUBLIC "
            "KEY-----\"");
}

TEST(X509, ParsesTraditionalRsaAndEcPrivateKeys) {
  for (const KeySpec& spec : {Rsa(2048), Ecdsa("P384")}) {
    PrivateKey key = Unwrap(PrivateKey::Generate(spec));
    // Re-encode in the traditional format with OpenSSL directly.
    PrivateKey copy = Unwrap(PrivateKey::FromPem(Unwrap(key.ToPem())));
    std::unique_ptr<BIO, decltype(&BIO_free)> in(BIO_new(BIO_s_mem()), &BIO_free);
    const std::string pkcs8 = Unwrap(key.ToPem());
    BIO_write(in.get(), pkcs8.data(), static_cast<int>(pkcs8.size()));
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(
        PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
    ASSERT_NE(pkey, nullptr);
    std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), &BIO_free);
    ASSERT_EQ(PEM_write_bio_PrivateKey_traditional(out.get(), pkey.get(), nullptr, nullptr, 0,
                                                   nullptr, nullptr),
              1);
    char* data = nullptr;
    const long len = BIO_get_mem_data(out.get(), &data);
    const std::string traditional(data, static_cast<size_t>(len));
    EXPECT_NE(
        traditional.find(spec.algorithm == KeyAlgorithm::kRsa ? "-----BEGIN RSA PRIVATE KEY-----"
                                                              : "-----BEGIN EC PRIVATE KEY-----"),
        std::string::npos);
    PrivateKey parsed = Unwrap(PrivateKey::FromPem(traditional));
    EXPECT_EQ(parsed.Spec(), spec);
    EXPECT_TRUE(parsed.MatchesPublicKey(Unwrap(key.GetPublicKey())));
  }
}

TEST(X509, PrivateKeyFromPemRejectsBadInput) {
  struct Case {
    std::string pem;
    std::string message_part;
  };
  const std::vector<Case> cases = {
      {"",
       "no private key found: expected a PEM block starting with \"-----BEGIN PRIVATE "
       "KEY-----\" or \"-----BEGIN RSA PRIVATE KEY-----\" or \"-----BEGIN EC PRIVATE "
       "KEY-----\""},
      {"not a key", "no private key found"},
      {"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "no private key found"},
      {"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
       "the private key PEM is encrypted"},
      {"-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
       "the private key PEM could not be parsed"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.pem);
    const auto key = PrivateKey::FromPem(c.pem);
    ASSERT_FALSE(key.ok());
    EXPECT_EQ(key.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(key.status().message().find(c.message_part), std::string::npos)
        << key.status().message();
  }
  EXPECT_EQ(ERR_peek_error(), 0u) << "the OpenSSL error queue must be drained";
}

TEST(X509, PrivateKeyFromPemRejectsUnsupportedAlgorithms) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> x25519(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"), &EVP_PKEY_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> rsa1024(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(1024)), &EVP_PKEY_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> k256(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "secp256k1"), &EVP_PKEY_free);
  struct Case {
    EVP_PKEY* pkey;
    std::string message;
  };
  const std::vector<Case> cases = {
      {x25519.get(), "key algorithm X25519 is not supported: use RSA, ECDSA or ED25519"},
      {rsa1024.get(), "RSA key size 1024 is too small: use at least 2048 bits"},
      {k256.get(), "ECDSA curve secp256k1 is not supported: use P256, P384 or P521"},
  };
  for (const Case& c : cases) {
    ASSERT_NE(c.pkey, nullptr);
    std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), &BIO_free);
    ASSERT_EQ(
        PEM_write_bio_PKCS8PrivateKey(out.get(), c.pkey, nullptr, nullptr, 0, nullptr, nullptr), 1);
    char* data = nullptr;
    const long len = BIO_get_mem_data(out.get(), &data);
    const auto key = PrivateKey::FromPem(std::string(data, static_cast<size_t>(len)));
    ASSERT_FALSE(key.ok());
    EXPECT_EQ(key.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(key.status().message(), c.message);
  }
}

TEST(X509, OpenSslErrorConverterUsesLibraryTextAndDrainsQueue) {
  std::unique_ptr<BIO, decltype(&BIO_free)> in(BIO_new_mem_buf("garbage", -1), &BIO_free);
  EXPECT_EQ(PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr), nullptr);
  const Status status = StatusFromOpenSslErrors(StatusCode::kInvalidArgument, "reading cert");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message().rfind("reading cert: ", 0), 0u);
  EXPECT_NE(status.message().find("no start line"), std::string::npos) << status.message();
  EXPECT_EQ(ERR_peek_error(), 0u);
  EXPECT_EQ(StatusFromOpenSslErrors(StatusCode::kInternal, "nothing").message(),
            "nothing: unknown OpenSSL error");
}

// ---------------------------------------------------------------------------
// CA certificates.

TEST(X509, SelfSignedCaWithEachAlgorithmHasCaProperties) {
  for (const KeyCase& c : AllKeyCases()) {
    SCOPED_TRACE(c.name + " " + c.spec.ecdsa_curve);
    PrivateKey key = Unwrap(PrivateKey::Generate(c.spec));
    const CaSpec spec = MakeCaSpec("Galera Root CA", 24 * 365 * 10);
    Certificate ca = Unwrap(Certificate::SelfSignCa(key, spec));

    EXPECT_TRUE(ca.IsCa());
    EXPECT_TRUE(ca.HasKeyCertSign());
    EXPECT_TRUE(key.MatchesCertificate(ca));
    EXPECT_EQ(ca.Subject(), spec.subject);
    EXPECT_EQ(ca.Issuer(), spec.subject);
    EXPECT_EQ(ca.SubjectString(), "CN=Galera Root CA,O=Acme");
    EXPECT_EQ(ca.SubjectString(), spec.subject.ToString());
    EXPECT_EQ(ca.NotAfter() - ca.NotBefore(), hours(spec.validity_period_hours));
    EXPECT_LE(ca.NotBefore(), Clock::now());
    EXPECT_GE(ca.NotBefore(), Clock::now() - seconds(60));
    EXPECT_TRUE(ca.VerifySignedBy(ca).ok()) << ca.VerifySignedBy(ca).ToString();
    EXPECT_EQ(Unwrap(ca.PublicKeyPem()), Unwrap(key.PublicKeyPem()));
    EXPECT_TRUE(Unwrap(ca.GetPublicKey()).Equals(Unwrap(key.GetPublicKey())));
    EXPECT_EQ(CheckCaKeyPair(ca, key).ToString(), "OK");

    // Serial: non-zero, positive, below 2^128, 16 bytes of hex at most.
    const std::string hex = ca.SerialHex();
    EXPECT_FALSE(hex.empty());
    EXPECT_LE(hex.size(), 32u);
    EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos) << hex;
    EXPECT_NE(hex.find_first_not_of('0'), std::string::npos) << "serial is zero";
    EXPECT_EQ(hex.find('-'), std::string::npos);
    EXPECT_FALSE(ca.SerialDecimal().empty());
    EXPECT_NE(ca.SerialDecimal(), "0");

    // Fingerprint: SHA-256 of the DER, as `openssl x509 -fingerprint -sha256`.
    EXPECT_EQ(ca.Sha256Fingerprint(), Sha256Hex(ca.Der()));
    EXPECT_EQ(ca.Sha256Fingerprint().size(), 64u);

    // Independent checks with OpenSSL directly.
    auto x = Parse(ca);
    ASSERT_NE(x, nullptr);
    EXPECT_EQ(X509_get_version(x.get()), X509_VERSION_3);
    int crit = -1;
    std::unique_ptr<BASIC_CONSTRAINTS, decltype(&BASIC_CONSTRAINTS_free)> bc(
        static_cast<BASIC_CONSTRAINTS*>(
            X509_get_ext_d2i(x.get(), NID_basic_constraints, &crit, nullptr)),
        &BASIC_CONSTRAINTS_free);
    ASSERT_NE(bc, nullptr);
    EXPECT_NE(bc->ca, 0);
    EXPECT_EQ(crit, 1);
    crit = -1;
    std::unique_ptr<ASN1_BIT_STRING, decltype(&ASN1_BIT_STRING_free)> ku(
        static_cast<ASN1_BIT_STRING*>(X509_get_ext_d2i(x.get(), NID_key_usage, &crit, nullptr)),
        &ASN1_BIT_STRING_free);
    ASSERT_NE(ku, nullptr);
    EXPECT_EQ(crit, 1);
    EXPECT_EQ(X509_get_key_usage(x.get()), KU_KEY_CERT_SIGN | KU_CRL_SIGN | KU_DIGITAL_SIGNATURE);
    ASSERT_NE(X509_get0_subject_key_id(x.get()), nullptr);
    ASSERT_NE(X509_get0_authority_key_id(x.get()), nullptr);
    EXPECT_EQ(ASN1_OCTET_STRING_cmp(X509_get0_subject_key_id(x.get()),
                                    X509_get0_authority_key_id(x.get())),
              0);
    const int sig_nid = X509_get_signature_nid(x.get());
    if (c.spec.algorithm == KeyAlgorithm::kEd25519) {
      EXPECT_EQ(sig_nid, NID_ED25519);
    } else if (c.spec.algorithm == KeyAlgorithm::kRsa) {
      EXPECT_EQ(sig_nid, NID_sha256WithRSAEncryption);
    } else {
      EXPECT_EQ(sig_nid, NID_ecdsa_with_SHA256);
    }
  }
}

TEST(X509, CaValidityEqualsRequestedHoursFromGivenStart) {
  PrivateKey key = Unwrap(PrivateKey::Generate(Ecdsa("P256")));
  CaSpec spec = MakeCaSpec("Root", 87600);
  // 2026-11-29T14:17:04.750Z: sub-second parts are truncated.
  spec.not_before =
      Clock::time_point(
          std::chrono::sys_days(std::chrono::year(2026) / std::chrono::November / 29)) +
      hours(14) + std::chrono::minutes(17) + seconds(4) + std::chrono::milliseconds(750);
  Certificate ca = Unwrap(Certificate::SelfSignCa(key, spec));
  EXPECT_EQ(FormatRfc3339(ca.NotBefore()), "2026-11-29T14:17:04Z");
  EXPECT_EQ(FormatRfc3339(ca.NotAfter()), "2036-11-26T14:17:04Z");
  EXPECT_EQ(ca.NotAfter() - ca.NotBefore(), hours(87600));
}

TEST(X509, RejectsInvalidCaSpecs) {
  PrivateKey key = Unwrap(PrivateKey::Generate(Ed25519()));
  struct Case {
    CaSpec spec;
    std::string message;
  };
  CaSpec zero_hours = MakeCaSpec("Root", 0);
  CaSpec empty_subject = MakeCaSpec("Root");
  empty_subject.subject = DistinguishedName{};
  CaSpec bad_country = MakeCaSpec("Root");
  bad_country.subject.country = "USA";
  CaSpec long_cn = MakeCaSpec(std::string(65, 'x'));
  const std::vector<Case> cases = {
      {zero_hours, "validity_period_hours must be positive, got 0"},
      {empty_subject, "the subject is empty: set at least common_name"},
      {bad_country, "subject country \"USA\" is not a two-letter country code such as \"FR\""},
      {long_cn, "subject common_name \"" + std::string(65, 'x') +
                    "\" is 65 characters long: the maximum is 64"},
  };
  for (const Case& c : cases) {
    const auto ca = Certificate::SelfSignCa(key, c.spec);
    ASSERT_FALSE(ca.ok());
    EXPECT_EQ(ca.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(ca.status().message(), c.message);
  }
}

TEST(X509, DistinguishedNameToStringMatchesOpenSslRfc2253) {
  PrivateKey key = Unwrap(PrivateKey::Generate(Ecdsa("P256")));
  CaSpec spec;
  spec.validity_period_hours = 1;
  spec.subject.common_name = "node 1; \"primary\" <db>";
  spec.subject.organization = "Acme, Inc.";
  spec.subject.organizational_unit = "#ops+dba\\";
  spec.subject.country = "FR";
  spec.subject.locality = "Paris ";
  spec.subject.province = "Île-de-France";
  Certificate ca = Unwrap(Certificate::SelfSignCa(key, spec));
  EXPECT_EQ(spec.subject.ToString(),
            "CN=node 1\\; \\\"primary\\\" \\<db\\>,OU=\\#ops\\+dba\\\\,O=Acme\\, Inc.,"
            "L=Paris\\ ,ST=Île-de-France,C=FR");
  EXPECT_EQ(ca.SubjectString(), spec.subject.ToString());
  EXPECT_EQ(ca.Subject(), spec.subject);
}

// ---------------------------------------------------------------------------
// Leaf certificates.

TEST(X509, LeafSignedByCaVerifiesForEachAlgorithmPair) {
  for (const KeyCase& ca_case : AllKeyCases()) {
    Ca ca = MakeCa(ca_case.spec);
    for (const KeyCase& leaf_case : AllKeyCases()) {
      SCOPED_TRACE("CA " + ca_case.name + ca_case.spec.ecdsa_curve + ", leaf " + leaf_case.name +
                   leaf_case.spec.ecdsa_curve);
      PrivateKey leaf_key = Unwrap(PrivateKey::Generate(leaf_case.spec));
      const LeafSpec spec = MakeLeafSpec("node1");
      Certificate leaf =
          Unwrap(Certificate::SignLeaf(ca.cert, ca.key, Unwrap(leaf_key.GetPublicKey()), spec));

      EXPECT_TRUE(leaf.VerifySignedBy(ca.cert).ok()) << leaf.VerifySignedBy(ca.cert).ToString();
      EXPECT_FALSE(leaf.IsCa());
      EXPECT_FALSE(leaf.HasKeyCertSign());
      EXPECT_TRUE(leaf_key.MatchesCertificate(leaf));
      EXPECT_FALSE(ca.key.MatchesCertificate(leaf));
      EXPECT_EQ(leaf.Issuer(), ca.cert.Subject());
      EXPECT_EQ(leaf.IssuerString(), ca.cert.SubjectString());
      EXPECT_EQ(leaf.Subject(), spec.subject);
      EXPECT_EQ(leaf.NotAfter() - leaf.NotBefore(), hours(spec.validity_period_hours));
      EXPECT_NE(leaf.SerialHex(), ca.cert.SerialHex());

      auto x = Parse(leaf);
      ASSERT_NE(x, nullptr);
      const uint32_t expected_ku = leaf_case.spec.algorithm == KeyAlgorithm::kRsa
                                       ? (KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT)
                                       : KU_DIGITAL_SIGNATURE;
      EXPECT_EQ(X509_get_key_usage(x.get()), expected_ku);
      EXPECT_EQ(X509_get_extended_key_usage(x.get()), XKU_SSL_SERVER | XKU_SSL_CLIENT);
      int crit = -1;
      std::unique_ptr<BASIC_CONSTRAINTS, decltype(&BASIC_CONSTRAINTS_free)> bc(
          static_cast<BASIC_CONSTRAINTS*>(
              X509_get_ext_d2i(x.get(), NID_basic_constraints, &crit, nullptr)),
          &BASIC_CONSTRAINTS_free);
      ASSERT_NE(bc, nullptr);
      EXPECT_EQ(bc->ca, 0);
      EXPECT_EQ(crit, 1);
      // AKI of the leaf is the CA's SKI.
      auto ca_x = Parse(ca.cert);
      ASSERT_NE(X509_get0_authority_key_id(x.get()), nullptr);
      EXPECT_EQ(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(x.get()),
                                      X509_get0_subject_key_id(ca_x.get())),
                0);
      EXPECT_NE(X509_get0_subject_key_id(x.get()), nullptr);
    }
  }
}

TEST(X509, LeafExtendedKeyUsageFollowsSpec) {
  Ca ca = MakeCa(Ecdsa("P256"));
  PublicKey pub = Unwrap(Unwrap(PrivateKey::Generate(Ecdsa("P256"))).GetPublicKey());
  struct Case {
    bool server;
    bool client;
    uint32_t xku;
  };
  for (const Case& c : {Case{true, false, XKU_SSL_SERVER}, Case{false, true, XKU_SSL_CLIENT},
                        Case{true, true, XKU_SSL_SERVER | XKU_SSL_CLIENT}}) {
    LeafSpec spec = MakeLeafSpec("n");
    spec.server_auth = c.server;
    spec.client_auth = c.client;
    Certificate leaf = Unwrap(Certificate::SignLeaf(ca.cert, ca.key, pub, spec));
    EXPECT_EQ(X509_get_extended_key_usage(Parse(leaf).get()), c.xku);
  }
  LeafSpec neither = MakeLeafSpec("n");
  neither.server_auth = false;
  neither.client_auth = false;
  const auto leaf = Certificate::SignLeaf(ca.cert, ca.key, pub, neither);
  ASSERT_FALSE(leaf.ok());
  EXPECT_EQ(leaf.status().message(),
            "a leaf certificate needs server_auth, client_auth or both: neither is set");
}

TEST(X509, LeafSubjectAltNamesContainDnsNamesAndCanonicalIps) {
  Ca ca = MakeCa(Ecdsa("P256"));
  PublicKey pub = Unwrap(Unwrap(PrivateKey::Generate(Ed25519())).GetPublicKey());
  LeafSpec spec = MakeLeafSpec("db1");
  spec.dns_names = {"db1.example.com", "*.galera.example.com", "DB1"};
  spec.ip_addresses = {"192.168.1.10", "0:0:0:0:0:0:0:1", "FD00::0:5", "::ffff:10.0.0.1"};
  Certificate leaf = Unwrap(Certificate::SignLeaf(ca.cert, ca.key, pub, spec));
  EXPECT_EQ(leaf.DnsNames(), spec.dns_names);
  EXPECT_EQ(leaf.IpAddresses(),
            (std::vector<std::string>{"192.168.1.10", "::1", "fd00::5", "::ffff:10.0.0.1"}));
  EXPECT_TRUE(ca.cert.DnsNames().empty());
  EXPECT_TRUE(ca.cert.IpAddresses().empty());
}

TEST(X509, LeafWithoutAltNamesHasNone) {
  Ca ca = MakeCa(Ecdsa("P256"));
  PublicKey pub = Unwrap(Unwrap(PrivateKey::Generate(Ecdsa("P256"))).GetPublicKey());
  LeafSpec spec = MakeLeafSpec("client");
  spec.dns_names.clear();
  spec.ip_addresses.clear();
  Certificate leaf = Unwrap(Certificate::SignLeaf(ca.cert, ca.key, pub, spec));
  EXPECT_TRUE(leaf.DnsNames().empty());
  EXPECT_EQ(X509_get_ext_by_NID(Parse(leaf).get(), NID_subject_alt_name, -1), -1);
}

TEST(X509, RejectsInvalidIpAddresses) {
  Ca ca = MakeCa(Ecdsa("P256"));
  PublicKey pub = Unwrap(Unwrap(PrivateKey::Generate(Ecdsa("P256"))).GetPublicKey());
  const std::vector<std::string> bad = {"300.1.1.1",    "1.2.3", "10.0.0.1/24",
                                        "fe80::1%eth0", "",      "localhost",
                                        "1.2.3.4 ",     "::g",   std::string("1.2.3.4\0x", 9)};
  for (const std::string& ip : bad) {
    SCOPED_TRACE(ip);
    const auto normalized = NormalizeIpAddress(ip);
    ASSERT_FALSE(normalized.ok());
    EXPECT_EQ(normalized.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(normalized.status().message(),
              "\"" + ip +
                  "\" is not a valid IP address: use an IPv4 address such as \"10.0.0.1\" or an "
                  "IPv6 address such as \"fd00::1\"");
    LeafSpec spec = MakeLeafSpec("n");
    spec.ip_addresses = {"10.0.0.1", ip};
    const auto leaf = Certificate::SignLeaf(ca.cert, ca.key, pub, spec);
    ASSERT_FALSE(leaf.ok());
    EXPECT_EQ(leaf.status().message(), normalized.status().message());
  }
  EXPECT_EQ(*NormalizeIpAddress("10.0.0.1"), "10.0.0.1");
  EXPECT_EQ(*NormalizeIpAddress("2001:DB8:0:0:0:0:0:1"), "2001:db8::1");
}

TEST(X509, ValidatesDnsNames) {
  for (const std::string ok :
       {"localhost", "db-1.example.com", "*.example.com", "A1", "xn--bcher-kva.example"}) {
    EXPECT_TRUE(ValidateDnsName(ok).ok()) << ok << ": " << ValidateDnsName(ok).ToString();
  }
  struct Case {
    std::string name;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"", "a DNS name must not be empty"},
      {"under_score.example",
       "\"under_score.example\" is not a valid DNS name: labels may contain only letters, digits "
       "and hyphens (use punycode for international names)"},
      {"a..b", "\"a..b\" is not a valid DNS name: it has an empty label"},
      {"example.com.", "\"example.com.\" is not a valid DNS name: it has an empty label"},
      {"-a.example",
       "\"-a.example\" is not a valid DNS name: label \"-a\" starts or ends with a hyphen"},
      {"*.", "\"*.\" is not a valid DNS name: a wildcard needs a domain after \"*.\""},
      {"a.*.example",
       "\"a.*.example\" is not a valid DNS name: labels may contain only letters, digits and "
       "hyphens (use punycode for international names)"},
      {std::string(64, 'a') + ".example",
       "\"" + std::string(64, 'a') + ".example\" is not a valid DNS name: label \"" +
           std::string(64, 'a') + "\" is longer than 63 characters"},
  };
  for (const Case& c : cases) {
    const Status status = ValidateDnsName(c.name);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << c.name;
    EXPECT_EQ(status.message(), c.message);
  }
}

TEST(X509, LeafSignedByAnotherCaFailsVerificationWithSpecificMessage) {
  // Both CAs have the same subject name, so only the keys tell them apart.
  Ca ca = MakeCa(Ecdsa("P256"), "Same Name");
  Ca other = MakeCa(Ecdsa("P256"), "Same Name");
  PublicKey pub = Unwrap(Unwrap(PrivateKey::Generate(Ecdsa("P256"))).GetPublicKey());
  Certificate leaf = Unwrap(Certificate::SignLeaf(ca.cert, ca.key, pub, MakeLeafSpec("node1")));
  ASSERT_TRUE(leaf.VerifySignedBy(ca.cert).ok());
  const Status status = leaf.VerifySignedBy(other.cert);
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(),
            "certificate \"CN=node1\" does not verify against CA \"CN=Same Name,O=Acme\": "
            "unable to get local issuer certificate");
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(X509, ExpiredLeafFailsVerificationWithExpiredMessage) {
  Ca ca = MakeCa(Ecdsa("P256"));
  PublicKey pub = Unwrap(Unwrap(PrivateKey::Generate(Ecdsa("P256"))).GetPublicKey());
  LeafSpec spec = MakeLeafSpec("old");
  spec.not_before = Clock::now() - hours(48);
  spec.validity_period_hours = 24;
  Certificate leaf = Unwrap(Certificate::SignLeaf(ca.cert, ca.key, pub, spec));
  const Status status = leaf.VerifySignedBy(ca.cert);
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(),
            "certificate \"CN=old\" does not verify against CA \"CN=Test Root,O=Acme\": "
            "certificate has expired");
}

TEST(X509, LeafValidityIsNotClampedToCa) {
  PrivateKey ca_key = Unwrap(PrivateKey::Generate(Ecdsa("P256")));
  Certificate ca = Unwrap(Certificate::SelfSignCa(ca_key, MakeCaSpec("Short Root", 10)));
  PublicKey pub = Unwrap(Unwrap(PrivateKey::Generate(Ecdsa("P256"))).GetPublicKey());
  LeafSpec spec = MakeLeafSpec("n");
  spec.validity_period_hours = 100;
  Certificate leaf = Unwrap(Certificate::SignLeaf(ca, ca_key, pub, spec));
  EXPECT_EQ(leaf.NotAfter() - leaf.NotBefore(), hours(100));
  EXPECT_GT(leaf.NotAfter(), ca.NotAfter());
}

TEST(X509, KeyMatchesOnlyItsOwnCertificate) {
  Ca a = MakeCa(Rsa(2048));
  Ca b = MakeCa(Rsa(2048));
  EXPECT_TRUE(a.key.MatchesCertificate(a.cert));
  EXPECT_TRUE(b.key.MatchesCertificate(b.cert));
  EXPECT_FALSE(a.key.MatchesCertificate(b.cert));
  EXPECT_FALSE(b.key.MatchesCertificate(a.cert));
  PrivateKey ed = Unwrap(PrivateKey::Generate(Ed25519()));
  EXPECT_FALSE(ed.MatchesCertificate(a.cert));  // different algorithm
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(X509, CheckCaKeyPairExplainsWhatIsWrong) {
  Ca ca = MakeCa(Ecdsa("P256"));
  Ca other = MakeCa(Ecdsa("P256"), "Other");
  PrivateKey leaf_key = Unwrap(PrivateKey::Generate(Ecdsa("P256")));
  Certificate leaf = Unwrap(Certificate::SignLeaf(ca.cert, ca.key, Unwrap(leaf_key.GetPublicKey()),
                                                  MakeLeafSpec("node1")));
  EXPECT_TRUE(CheckCaKeyPair(ca.cert, ca.key).ok());
  Status status = CheckCaKeyPair(ca.cert, other.key);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "the CA private key does not match the CA certificate \"CN=Test Root,O=Acme\": their "
            "public keys differ");
  status = CheckCaKeyPair(leaf, leaf_key);
  EXPECT_EQ(status.message(),
            "certificate \"CN=node1\" is not a CA certificate: its basicConstraints extension "
            "does not say CA:TRUE");
  // SignLeaf refuses the same mistakes.
  const auto bad =
      Certificate::SignLeaf(ca.cert, other.key, Unwrap(leaf_key.GetPublicKey()), MakeLeafSpec("x"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "the CA private key does not match the CA certificate \"CN=Test Root,O=Acme\": their "
            "public keys differ");
}

TEST(X509, AdoptsExistingCaFromPem) {
  Ca ca = MakeCa(Rsa(2048));
  PrivateKey key = Unwrap(PrivateKey::FromPem(Unwrap(ca.key.ToPem())));
  Certificate cert = Unwrap(Certificate::FromPem(ca.cert.ToPem()));
  EXPECT_TRUE(CheckCaKeyPair(cert, key).ok());
  EXPECT_EQ(cert.Der(), ca.cert.Der());
  EXPECT_EQ(cert.Sha256Fingerprint(), ca.cert.Sha256Fingerprint());
  EXPECT_EQ(cert.SerialHex(), ca.cert.SerialHex());
  EXPECT_EQ(cert.NotBefore(), ca.cert.NotBefore());
  EXPECT_EQ(cert.NotAfter(), ca.cert.NotAfter());
  Certificate from_der = Unwrap(Certificate::FromDer(ca.cert.Der()));
  EXPECT_EQ(from_der.ToPem(), ca.cert.ToPem());
}

TEST(X509, CertificateParsingRejectsBadInput) {
  Ca ca = MakeCa(Ecdsa("P256"));
  struct Case {
    std::string pem;
    std::string message_part;
  };
  const std::vector<Case> cases = {
      {"",
       "no certificate found: expected a PEM block starting with \"-----BEGIN "
       "CERTIFICATE-----\""},
      {ca.cert.ToPem() + ca.cert.ToPem(), "found 2 certificates where exactly one was expected"},
      {"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
       "the certificate PEM could not be parsed: "},
  };
  for (const Case& c : cases) {
    const auto cert = Certificate::FromPem(c.pem);
    ASSERT_FALSE(cert.ok());
    EXPECT_EQ(cert.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(cert.status().message().find(c.message_part), std::string::npos)
        << cert.status().message();
  }
  const auto trailing = Certificate::FromDer(ca.cert.Der() + "x");
  ASSERT_FALSE(trailing.ok());
  EXPECT_EQ(trailing.status().message(), "the certificate DER is followed by 1 unexpected bytes");
  EXPECT_FALSE(Certificate::FromDer("junk").ok());
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(X509, ThousandLeafCertificatesFromOneCaHaveDistinctSerials) {
  Ca ca = MakeCa(Ecdsa("P256"));
  PublicKey pub = Unwrap(Unwrap(PrivateKey::Generate(Ecdsa("P256"))).GetPublicKey());
  LeafSpec spec = MakeLeafSpec("n");
  std::set<std::string> serials;
  for (int i = 0; i < 1000; ++i) {
    Certificate leaf = Unwrap(Certificate::SignLeaf(ca.cert, ca.key, pub, spec));
    serials.insert(leaf.SerialHex());
  }
  EXPECT_EQ(serials.size(), 1000u);
}

TEST(X509, SignsLeavesConcurrentlyFromOneCa) {
  Ca ca = MakeCa(Ecdsa("P256"));
  PublicKey pub = Unwrap(Unwrap(PrivateKey::Generate(Ecdsa("P256"))).GetPublicKey());
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::vector<std::vector<std::string>> serials(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto leaf = Certificate::SignLeaf(ca.cert, ca.key, pub, MakeLeafSpec("n"));
        if (leaf.ok() && leaf->VerifySignedBy(ca.cert).ok()) {
          serials[t].push_back(leaf->SerialHex());
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::set<std::string> all;
  for (const auto& s : serials) all.insert(s.begin(), s.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kPerThread));
}

// Regression: not_before came from system_clock::now() while OpenSSL checks
// against time(), which may lag behind, so a fresh certificate was sometimes
// "not yet valid" when verified in the same second it was issued.
TEST(X509, FreshCertificatesVerifyImmediately) {
  Ca ca = MakeCa(Ecdsa("P256"));
  PublicKey pub = Unwrap(Unwrap(PrivateKey::Generate(Ecdsa("P256"))).GetPublicKey());
  LeafSpec spec = MakeLeafSpec("n");
  spec.dns_names.clear();
  spec.ip_addresses.clear();
  const auto deadline = Clock::now() + std::chrono::milliseconds(2500);  // crosses 2 seconds
  int count = 0;
  while (Clock::now() < deadline) {
    Certificate leaf = Unwrap(Certificate::SignLeaf(ca.cert, ca.key, pub, spec));
    const Status status = leaf.VerifySignedBy(ca.cert);
    ASSERT_TRUE(status.ok()) << "after " << count << " certificates: " << status.ToString();
    ++count;
  }
}

// ---------------------------------------------------------------------------
// Certificate signing requests.

TEST(X509, SignsLeafFromCertificateSigningRequest) {
  Ca ca = MakeCa(Ecdsa("P384"));
  for (const KeyCase& c : AllKeyCases()) {
    SCOPED_TRACE(c.name + c.spec.ecdsa_curve);
    PrivateKey node_key = Unwrap(PrivateKey::Generate(c.spec));
    DistinguishedName subject = Cn("node7");
    subject.organizational_unit = "galera";
    CertificateRequest created = Unwrap(CertificateRequest::Create(
        node_key, subject, {"node7.example"}, {"10.1.2.3", "2001:db8::7"}));
    const std::string pem = Unwrap(created.ToPem());
    EXPECT_EQ(pem.rfind("-----BEGIN CERTIFICATE REQUEST-----\n", 0), 0u);

    CertificateRequest csr = Unwrap(CertificateRequest::FromPem(pem));
    EXPECT_EQ(csr.Subject(), subject);
    EXPECT_EQ(csr.SubjectString(), "CN=node7,OU=galera");
    EXPECT_EQ(csr.DnsNames(), std::vector<std::string>{"node7.example"});
    EXPECT_EQ(csr.IpAddresses(), (std::vector<std::string>{"10.1.2.3", "2001:db8::7"}));
    EXPECT_TRUE(node_key.MatchesPublicKey(csr.GetPublicKey()));
    EXPECT_EQ(Unwrap(csr.PublicKeyPem()), Unwrap(node_key.PublicKeyPem()));
    EXPECT_EQ(csr.GetPublicKey().Spec(), c.spec);

    LeafSpec spec;
    spec.subject = csr.Subject();
    spec.dns_names = csr.DnsNames();
    spec.ip_addresses = csr.IpAddresses();
    spec.validity_period_hours = 48;
    Certificate leaf = Unwrap(Certificate::SignLeaf(ca.cert, ca.key, csr.GetPublicKey(), spec));
    EXPECT_TRUE(node_key.MatchesCertificate(leaf));
    EXPECT_TRUE(leaf.VerifySignedBy(ca.cert).ok());
    EXPECT_EQ(leaf.DnsNames(), csr.DnsNames());
    EXPECT_EQ(leaf.IpAddresses(), csr.IpAddresses());
  }
}

TEST(X509, CsrWithoutAltNamesHasNone) {
  PrivateKey key = Unwrap(PrivateKey::Generate(Ecdsa("P256")));
  CertificateRequest csr = Unwrap(CertificateRequest::Create(key, Cn("plain")));
  CertificateRequest parsed = Unwrap(CertificateRequest::FromPem(Unwrap(csr.ToPem())));
  EXPECT_TRUE(parsed.DnsNames().empty());
  EXPECT_TRUE(parsed.IpAddresses().empty());
}

TEST(X509, RejectsCsrWhoseSignatureDoesNotVerify) {
  PrivateKey claimed = Unwrap(PrivateKey::Generate(Ecdsa("P256")));
  PrivateKey signer = Unwrap(PrivateKey::Generate(Ecdsa("P256")));
  // Build with OpenSSL directly: the public key of one key, signed by another.
  auto load = [](const PrivateKey& k) {
    const std::string pem = Unwrap(k.ToPem());
    std::unique_ptr<BIO, decltype(&BIO_free)> in(BIO_new_mem_buf(pem.data(), -1), &BIO_free);
    return std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>(
        PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  };
  auto claimed_pkey = load(claimed);
  auto signer_pkey = load(signer);
  std::unique_ptr<X509_REQ, decltype(&X509_REQ_free)> req(X509_REQ_new(), &X509_REQ_free);
  X509_NAME* name = X509_REQ_get_subject_name(req.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("forged"), -1, -1, 0);
  ASSERT_EQ(X509_REQ_set_pubkey(req.get(), claimed_pkey.get()), 1);
  ASSERT_GT(X509_REQ_sign(req.get(), signer_pkey.get(), EVP_sha256()), 0);
  std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), &BIO_free);
  ASSERT_EQ(PEM_write_bio_X509_REQ(out.get(), req.get()), 1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(out.get(), &data);

  const auto csr = CertificateRequest::FromPem(std::string(data, static_cast<size_t>(len)));
  ASSERT_FALSE(csr.ok());
  EXPECT_EQ(csr.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(csr.status().message().rfind(
                "the certificate request's signature does not verify with its own public key "
                "(the request is corrupt or was altered)",
                0),
            0u)
      << csr.status().message();
  EXPECT_EQ(ERR_peek_error(), 0u);

  const auto garbage = CertificateRequest::FromPem("hello");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.status().message(),
            "no certificate request found: expected a PEM block starting with \"-----BEGIN "
            "CERTIFICATE REQUEST-----\" or \"-----BEGIN NEW CERTIFICATE REQUEST-----\"");
}

// ---------------------------------------------------------------------------
// Encodings.

TEST(X509, FormatsRfc3339InUtc) {
  using namespace std::chrono;
  EXPECT_EQ(FormatRfc3339(Clock::time_point{}), "1970-01-01T00:00:00Z");
  const auto t = sys_days(year(2026) / November / 29) + hours(14) + minutes(17) + seconds(4) +
                 milliseconds(999);
  EXPECT_EQ(FormatRfc3339(t), "2026-11-29T14:17:04Z");
  EXPECT_EQ(FormatRfc3339(sys_days(year(2056) / February / 29)), "2056-02-29T00:00:00Z");
}

// ---------------------------------------------------------------------------
// Agreement with the openssl command line tool.

struct CommandResult {
  int exit_code;
  std::string output;
};

CommandResult RunShell(const std::string& command) {
  CommandResult result{-1, ""};
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buf[4096];
  size_t n = 0;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) result.output.append(buf, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

void WriteFile(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

TEST(X509, OpenSslCliVerifiesCaAndLeafAndShowsCriticalCaConstraints) {
  if (RunShell("openssl version").exit_code != 0) GTEST_SKIP() << "openssl CLI not installed";
  char dir_template[] = "/tmp/pxc_x509_test_XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::filesystem::path dir(dir_template);

  for (const KeyCase& c : AllKeyCases()) {
    SCOPED_TRACE(c.name + c.spec.ecdsa_curve);
    Ca ca = MakeCa(c.spec);
    PrivateKey leaf_key = Unwrap(PrivateKey::Generate(c.spec));
    Certificate leaf = Unwrap(Certificate::SignLeaf(
        ca.cert, ca.key, Unwrap(leaf_key.GetPublicKey()), MakeLeafSpec("node1")));
    Ca other = MakeCa(c.spec);
    WriteFile(dir / "ca.pem", ca.cert.ToPem());
    WriteFile(dir / "other.pem", other.cert.ToPem());
    WriteFile(dir / "leaf.pem", leaf.ToPem());
    WriteFile(dir / "leaf.key", Unwrap(leaf_key.ToPem()));
    const std::string d = dir.string() + "/";

    CommandResult r = RunShell("openssl verify -CAfile " + d + "ca.pem " + d + "ca.pem");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("ca.pem: OK"), std::string::npos) << r.output;

    r = RunShell("openssl verify -x509_strict -CAfile " + d + "ca.pem " + d + "leaf.pem");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("leaf.pem: OK"), std::string::npos) << r.output;

    r = RunShell("openssl verify -CAfile " + d + "other.pem " + d + "leaf.pem");
    EXPECT_NE(r.exit_code, 0) << r.output;

    r = RunShell("openssl x509 -noout -text -in " + d + "ca.pem");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("X509v3 Basic Constraints: critical\n                CA:TRUE"),
              std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find("X509v3 Key Usage: critical\n                Digital Signature, "
                            "Certificate Sign, CRL Sign"),
              std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find("Version: 3 (0x2)"), std::string::npos);

    r = RunShell("openssl x509 -noout -text -in " + d + "leaf.pem");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("X509v3 Basic Constraints: critical\n                CA:FALSE"),
              std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find("TLS Web Server Authentication, TLS Web Client Authentication"),
              std::string::npos);
    EXPECT_NE(r.output.find("DNS:node1.db.internal, DNS:localhost, IP Address:10.0.0.5, IP "
                            "Address:FD00:0:0:0:0:0:0:5"),
              std::string::npos)
        << r.output;

    // Fingerprint and serial as openssl prints them.
    r = RunShell("openssl x509 -noout -fingerprint -sha256 -serial -in " + d + "ca.pem");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    std::string printed;
    for (char ch : r.output) {
      if (ch != ':')
        printed.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
    }
    EXPECT_NE(printed.find("sha256 fingerprint=" + ca.cert.Sha256Fingerprint()), std::string::npos)
        << r.output;
    EXPECT_NE(printed.find("serial=" + ca.cert.SerialHex()), std::string::npos) << r.output;

    // The key and the certificate agree from openssl's point of view too.
    r = RunShell("openssl pkey -pubout -in " + d + "leaf.key");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(r.output, Unwrap(leaf.PublicKeyPem()));
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pxc::resources

namespace pxc::resources {
namespace {

// Regression: a CA made by the manual procedure (`openssl req -x509`) has no
// keyUsage extension, which RFC 5280 reads as unrestricted; pxc must accept it.
TEST(X509, CaWithoutKeyUsageExtensionCanSign) {
  char dir_template[] = "/tmp/pxc-x509-ku-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  std::string dir = dir_template;
  std::string cmd = "cd " + dir +
                    " && openssl genrsa -out ca-key.pem 2048 2>/dev/null"
                    " && openssl req -new -x509 -nodes -days 30 -key ca-key.pem -out ca.pem"
                    " -subj /CN=ManualCA -addext keyUsage=digitalSignature 2>/dev/null"
                    " && openssl req -new -x509 -nodes -days 30 -key ca-key.pem"
                    " -out ca-noku.pem -subj /CN=ManualCA 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  auto read = [&](const std::string& name) {
    std::ifstream in(dir + "/" + name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  auto key = PrivateKey::FromPem(read("ca-key.pem"));
  ASSERT_TRUE(key.ok());
  // keyUsage present without keyCertSign: not a signing CA.
  auto restricted = Certificate::FromPem(read("ca.pem"));
  ASSERT_TRUE(restricted.ok());
  EXPECT_FALSE(restricted->HasKeyCertSign());
  // openssl req -x509 with its default extensions: basicConstraints CA:TRUE
  // and no keyUsage.
  auto plain = Certificate::FromPem(read("ca-noku.pem"));
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->IsCa());
  EXPECT_TRUE(plain->HasKeyCertSign());
  EXPECT_TRUE(CheckCaKeyPair(*plain, *key).ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pxc::resources
