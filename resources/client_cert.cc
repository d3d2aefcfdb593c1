#include "resources/client_cert.h"

#include "resources/pki/cert_common.h"
#include "resources/pki/x509.h"
#include "resources/schema_names.h"
#include "schema/model.h"
#include "schema/text.h"

namespace pxc::resources {

namespace {

constexpr int64_t kDefaultValidityHours = 1;
constexpr int64_t kMaxValidityHours = 168;  // one week: short-lived

struct Ca {
  Certificate cert;
  PrivateKey key;
};

// The CA from ca_cert_pem and ca_private_key_pem, with diagnostics at their
// paths. nullopt when either is unknown or invalid.
std::optional<Ca> ParseCa(const Value& v, Diagnostics& diags) {
  auto cert_pem = v.GetString("ca_cert_pem");
  auto key_pem = v.GetString("ca_private_key_pem");
  std::optional<Certificate> cert;
  if (cert_pem) {
    auto c = Certificate::FromPem(*cert_pem);
    if (!c.ok()) {
      diags.AddStatus(c.status(), "Invalid CA Certificate",
                      "ca_cert_pem must hold the CA certificate in PEM, e.g. pxc_ca.x.cert_pem.",
                      AttributePath::Root("ca_cert_pem"));
    } else {
      cert = *std::move(c);
    }
  }
  if (!key_pem) return std::nullopt;
  auto key = PrivateKey::FromPem(*key_pem);
  if (!key.ok()) {
    diags.AddStatus(key.status(), "Invalid CA Private Key",
                    "ca_private_key_pem must hold the CA private key in PEM.",
                    AttributePath::Root("ca_private_key_pem"));
    return std::nullopt;
  }
  if (!cert) return std::nullopt;
  if (Status st = CheckCaKeyPair(*cert, *key); !st.ok()) {
    diags.AddStatus(st, "CA Cannot Sign",
                    "ca_cert_pem must be a CA certificate (CA:TRUE, keyCertSign) and "
                    "ca_private_key_pem its key.",
                    AttributePath::Root("ca_private_key_pem"));
    return std::nullopt;
  }
  return Ca{*std::move(cert), *std::move(key)};
}

}  // namespace

ClientCertEphemeral::ClientCertEphemeral() {
  schema_.block.description =
      "A short-lived client key and certificate (extendedKeyUsage clientAuth only; one hour by "
      "default) signed by the CA, made each time Terraform opens it and never written to state "
      "or plan. Use it for the provider's own `mysql.tls` block to connect as an account with "
      "`require = \"x509\"` (or `specified`) without a client key in state, or for anything else "
      "that takes ephemeral values. The CA key may itself be ephemeral. A provider block cannot "
      "use an ephemeral resource of its own configuration, so open it with a second (aliased) "
      "`pxc` provider block, as in the example. Terraform opens it again in every run (plan and "
      "apply), so each run gets a new key.";
  auto& attrs = schema_.block.attributes;
  attrs.push_back(RequiredAttr("ca_cert_pem", Type::String())
                      .Describe("The CA certificate in PEM, e.g. `pxc_ca.cluster.cert_pem`."));
  attrs.push_back(RequiredAttr("ca_private_key_pem", Type::String())
                      .Sensitive()
                      .Describe("The CA private key in PEM, e.g. `pxc_ca.cluster.private_key_pem` "
                                "or an ephemeral value."));
  attrs.push_back(RequiredAttr("common_name", Type::String())
                      .Validate(schema::StringNotEmpty())
                      .Describe("Subject common name, e.g. the account name. Must differ from "
                                "the CA's."));
  cert_common::AddOptionalSubjectAttributes(attrs);
  cert_common::AddKeyAttributes(attrs);
  attrs.push_back(OptionalComputedAttr("validity_period_hours", Type::Number())
                      .Default(Value::Num(kDefaultValidityHours))
                      .Validate(schema::IntBetween(1, kMaxValidityHours))
                      .Describe("Hours the certificate is valid for, from when it is opened: 1 "
                                "(default) to 168. Clamped to the CA's end. It must outlast the "
                                "Terraform run that uses it."));
  // Nothing is planned or replaced for an ephemeral resource.
  for (auto& a : attrs) {
    a.requires_replace = false;
    const std::string replaces = " Changing it replaces the resource.";
    if (auto at = a.description.find(replaces); at != std::string::npos) {
      a.description.erase(at, replaces.size());
    }
  }
  attrs.push_back(ComputedAttr("private_key_pem", Type::String())
                      .Sensitive()
                      .Describe("The client's private key in PKCS#8 PEM."));
  attrs.push_back(
      ComputedAttr("cert_pem", Type::String()).Describe("The client certificate in PEM."));
  attrs.push_back(ComputedAttr("serial_number", Type::String())
                      .Describe("The certificate's random 128-bit serial number, in decimal."));
  attrs.push_back(ComputedAttr("validity_start_time", Type::String())
                      .Describe("Start of validity (RFC 3339)."));
  attrs.push_back(
      ComputedAttr("validity_end_time", Type::String()).Describe("End of validity (RFC 3339)."));
}

void ClientCertEphemeral::ValidateConfig(const Value& config, Diagnostics& diags) const {
  if (!config.IsKnown()) return;
  cert_common::ValidateKeyAttributes(config, schema_.block, diags);
  auto ca = ParseCa(config, diags);
  if (auto cn = config.GetString("common_name");
      cn && ca && *cn == ca->cert.Subject().common_name) {
    diags.AddError("Common Name Equals the CA's",
                   "common_name \"" + *cn +
                       "\" is the CA's common name; MySQL and MariaDB refuse such a client "
                       "certificate. Use the account's name.",
                   AttributePath::Root("common_name"));
  }
}

void ClientCertEphemeral::Open(schema::OpenContext& ctx) const {
  const Value& in = ctx.result;  // the configuration with defaults
  auto ca = ParseCa(in, ctx.diags);
  if (!ca) {
    if (!ctx.diags.HasError()) {
      ctx.diags.AddError("CA Not Known", "ca_cert_pem and ca_private_key_pem must be known.");
    }
    return;
  }
  auto spec = cert_common::KeySpecFrom(in, schema_.block);
  if (!spec) {
    return ctx.diags.AddError(
        "Invalid Key Settings",
        "key_algorithm, rsa_bits and ecdsa_curve do not describe a supported key.",
        AttributePath::Root("key_algorithm"));
  }
  auto key = PrivateKey::Generate(*spec);
  if (!key.ok()) return ctx.diags.AddStatus(key.status(), "Unable to Generate the Key");
  auto pub = key->GetPublicKey();
  if (!pub.ok()) return ctx.diags.AddStatus(pub.status(), "Unable to Generate the Key");
  LeafSpec leaf;
  leaf.subject = cert_common::SubjectFrom(in, schema_.block);
  leaf.server_auth = false;
  leaf.client_auth = true;
  const int64_t hours = schema::ModelReader(in, schema_.block).Int("validity_period_hours");
  const auto max_hours = std::chrono::duration_cast<std::chrono::hours>(
                             ca->cert.NotAfter() - std::chrono::system_clock::now())
                             .count();
  if (max_hours < 1) {
    return ctx.diags.AddError("CA Expired",
                              "The CA certificate ends at " + FormatRfc3339(ca->cert.NotAfter()) +
                                  ": it cannot sign client certificates any more.",
                              AttributePath::Root("ca_cert_pem"));
  }
  leaf.validity_period_hours = static_cast<int>(std::min<int64_t>(hours, max_hours));
  auto cert = Certificate::SignLeaf(ca->cert, ca->key, *pub, leaf);
  if (!cert.ok()) return ctx.diags.AddStatus(cert.status(), "Unable to Sign the Certificate");
  if (Status st = cert->VerifySignedBy(ca->cert); !st.ok()) {
    return ctx.diags.AddStatus(st, "Issued Certificate Does Not Verify");
  }
  auto key_pem = key->ToPem();
  if (!key_pem.ok()) return ctx.diags.AddStatus(key_pem.status(), "Unable to Encode the Key");
  ctx.result = in.WithAttr("private_key_pem", Value::String(*key_pem))
                   .WithAttr("cert_pem", Value::String(cert->ToPem()))
                   .WithAttr("serial_number", Value::String(cert->SerialDecimal()))
                   .WithAttr("validity_start_time", Value::String(FormatRfc3339(cert->NotBefore())))
                   .WithAttr("validity_end_time", Value::String(FormatRfc3339(cert->NotAfter())));
  WipeString(&*key_pem);
}

}  // namespace pxc::resources
