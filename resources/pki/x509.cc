// Implementation of the X.509 primitives declared in resources/pki/x509.h on
// top of OpenSSL 3's EVP/OSSL APIs (the OpenSSL-level pieces are in
// x509_internal.{h,cc}). Every OpenSSL object lives in an RAII wrapper from
// the first line that creates it.
#include "resources/pki/x509.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "resources/pki/x509_internal.h"

namespace pxc::resources {

using namespace x509_internal;

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

StatusOr<std::string> NormalizeIpAddress(std::string_view ip) {
  PXC_ASSIGN_OR_RETURN(std::string bytes, IpToBytes(ip));
  std::optional<std::string> text = BytesToIp(reinterpret_cast<const unsigned char*>(bytes.data()),
                                              static_cast<int>(bytes.size()));
  if (!text) return InternalError("formatting IP address " + DoubleQuoted(ip));
  return *std::move(text);
}

Status ValidateDnsName(std::string_view name) {
  const std::string prefix = DoubleQuoted(name) + " is not a valid DNS name: ";
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
      return InvalidArgumentError(prefix + "label " + DoubleQuoted(label) +
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
      return InvalidArgumentError(prefix + "label " + DoubleQuoted(label) +
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
  return InvalidArgumentError("key algorithm " + DoubleQuoted(name) +
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
  return InvalidArgumentError("ECDSA curve " + DoubleQuoted(curve) +
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

StatusOr<std::string> PublicKey::Sha256Fingerprint() const {
  unsigned char* der = nullptr;
  const int der_len = i2d_PUBKEY(pkey_.get(), &der);
  if (der_len <= 0) {
    return StatusFromOpenSslErrors(StatusCode::kInternal, "encoding the public key as DER");
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  size_t md_len = 0;
  const int rc =
      EVP_Q_digest(nullptr, "SHA256", nullptr, der, static_cast<size_t>(der_len), md, &md_len);
  OPENSSL_free(der);
  if (rc != 1) {
    return StatusFromOpenSslErrors(StatusCode::kInternal, "computing the public key's SHA-256");
  }
  return HexEncode(std::string_view(reinterpret_cast<const char*>(md), md_len));
}

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
  std::string message = "certificate " + DoubleQuoted(SubjectString()) +
                        " does not verify against CA " + DoubleQuoted(ca.SubjectString()) + ": " +
                        X509_verify_cert_error_string(err);
  X509* failing = X509_STORE_CTX_get_current_cert(ctx.get());
  if (failing != nullptr && X509_cmp(failing, x509_.get()) != 0) {
    message +=
        " (in certificate " + DoubleQuoted(NameToString(X509_get_subject_name(failing))) + ")";
  }
  return FailedPreconditionError(std::move(message));
}

Status CheckCaKeyPair(const Certificate& ca_cert, const PrivateKey& ca_key) {
  const std::string name = DoubleQuoted(ca_cert.SubjectString());
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

}  // namespace pxc::resources
