#include "resources/ca.h"

#include <fstream>
#include <sstream>

#include "resources/pki/cert_common.h"
#include "resources/pki/x509.h"
#include "resources/schema_names.h"

namespace pxc::resources {

namespace {

constexpr int64_t kDefaultCaValidityHours = 87600;  // 10 years

// Attributes that describe how a CA is generated. When an existing CA is
// adopted its key and certificate say all of them: they may be set only to
// what those say (see CheckAdoptedAgrees).
const char* const kGenerationAttrs[] = {
    "key_algorithm",       "rsa_bits", "ecdsa_curve", "common_name", "organization",
    "organizational_unit", "country",  "locality",    "province",    "validity_period_hours"};

bool AdoptMode(const Value& v) {
  return !v.GetAttr("existing_private_key_pem").IsNull() ||
         !v.GetAttr("existing_cert_pem").IsNull();
}

Value NullableString(const std::string& s) {
  return s.empty() ? Value::Null(Type::String()) : Value::String(s);
}

struct AdoptedCa {
  PrivateKey key;
  Certificate cert;
};

// What an adopted CA's key and certificate say for a generation attribute;
// null where the attribute does not apply (rsa_bits of an ECDSA key, a
// subject field the certificate does not have).
Value AdoptedValue(const std::string& name, const PrivateKey& key, const Certificate& cert) {
  const KeySpec& spec = key.Spec();
  if (name == "key_algorithm") return Value::String(key.AlgorithmName());
  if (name == "rsa_bits") {
    return spec.algorithm == KeyAlgorithm::kRsa ? Value::Num(static_cast<int64_t>(spec.rsa_bits))
                                                : Value::Null(Type::Number());
  }
  if (name == "ecdsa_curve") {
    return spec.algorithm == KeyAlgorithm::kEcdsa ? Value::String(spec.ecdsa_curve)
                                                  : Value::Null(Type::String());
  }
  if (name == "validity_period_hours") {
    auto hours =
        std::chrono::duration_cast<std::chrono::hours>(cert.NotAfter() - cert.NotBefore()).count();
    return Value::Num(static_cast<int64_t>(hours));
  }
  DistinguishedName dn = cert.Subject();
  if (name == "common_name") return NullableString(dn.common_name);
  if (name == "organization") return NullableString(dn.organization);
  if (name == "organizational_unit") return NullableString(dn.organizational_unit);
  if (name == "country") return NullableString(dn.country);
  if (name == "locality") return NullableString(dn.locality);
  if (name == "province") return NullableString(dn.province);
  return Value::Null(Type::String());
}

std::string Show(const Value& v) {
  if (v.IsNull()) return "nothing";
  if (v.type() == Type::Number()) return v.AsNumber().ToString();
  return "\"" + v.AsString() + "\"";
}

bool ReadFromKey(const std::string& name) {
  return name == "key_algorithm" || name == "rsa_bits" || name == "ecdsa_curve";
}

// Adopting a CA reads the generation attributes from its key and
// certificate. They may still be set (`terraform plan -generate-config-out`
// writes them for an imported CA) when they say the same; a value that
// differs is an error, since no CA is generated that could honour it.
void CheckAdoptedAgrees(const Value& config, const PrivateKey& key, const Certificate& cert,
                        Diagnostics& diags) {
  for (const std::string name : kGenerationAttrs) {
    Value v = config.GetAttr(name);
    if (!v.IsKnown()) continue;  // unset or not known yet
    Value have = AdoptedValue(name, key, cert);
    if (v == have) continue;
    const bool from_key = ReadFromKey(name);
    diags.AddError(
        "Conflicting Attributes",
        name + " = " + Show(v) + " does not match the CA being adopted: its " +
            (from_key ? "key (existing_private_key_pem)" : "certificate (existing_cert_pem)") +
            " says " + Show(have) + ". An adopted CA is not generated: remove " + name +
            " (it is read from the " + (from_key ? "key" : "certificate") +
            ") or set it to that value.",
        AttributePath::Root(name));
  }
}

// Fills every attribute derived from an adopted or generated CA. For an
// adopted CA, `config` (null on import) holds what the configuration sets:
// those values are kept (CheckAdoptedAgrees has checked them), the others
// are read from the key and certificate.
StatusOr<Value> FillFromCa(Value obj, const PrivateKey& key, const Certificate& cert, bool adopted,
                           const Value& config) {
  PXC_ASSIGN_OR_RETURN(std::string key_pem, key.ToPem());
  PXC_ASSIGN_OR_RETURN(std::string pub_pem, key.PublicKeyPem());
  if (adopted) {
    auto derive = [&](const char* name, Value derived) {
      if (config.IsKnown() && !config.GetAttr(name).IsNull()) return;
      obj = obj.WithAttr(name, std::move(derived));
    };
    derive("key_algorithm", AdoptedValue("key_algorithm", key, cert));
    // rsa_bits and ecdsa_curve stay null unless set: an adopted CA never had
    // them in state.
    derive("rsa_bits", Value::Null(Type::Number()));
    derive("ecdsa_curve", Value::Null(Type::String()));
    // The other subject fields are optional inputs (never computed): they stay
    // as configured (null when unset); the subject is in cert_pem.
    derive("common_name", AdoptedValue("common_name", key, cert));
    derive("validity_period_hours", AdoptedValue("validity_period_hours", key, cert));
  }
  obj = obj.WithAttr("private_key_pem", Value::String(key_pem));
  obj = obj.WithAttr("public_key_pem", Value::String(pub_pem));
  auto early = obj.GetInt("early_renewal_hours").value_or(0);
  return cert_common::WithCertificateOutputs(std::move(obj), cert, early);
}

// Parses and checks an adopted CA; diagnostics carry the attribute paths.
std::optional<AdoptedCa> ParseAdopted(const Value& v, Diagnostics& diags) {
  auto key_pem = v.GetString("existing_private_key_pem");
  auto cert_pem = v.GetString("existing_cert_pem");
  if (!key_pem || !cert_pem) return std::nullopt;
  auto key = PrivateKey::FromPem(*key_pem);
  if (!key.ok()) {
    diags.AddStatus(key.status(), "Invalid CA Private Key",
                    "existing_private_key_pem must hold one PEM private key (RSA, ECDSA or "
                    "Ed25519).",
                    AttributePath::Root("existing_private_key_pem"));
  }
  auto cert = Certificate::FromPem(*cert_pem);
  if (!cert.ok()) {
    diags.AddStatus(cert.status(), "Invalid CA Certificate",
                    "existing_cert_pem must hold one PEM certificate.",
                    AttributePath::Root("existing_cert_pem"));
  }
  if (!key.ok() || !cert.ok()) return std::nullopt;
  if (!cert->IsCa() || !cert->HasKeyCertSign()) {
    diags.AddError("Certificate Is Not a CA",
                   "The certificate in existing_cert_pem (" + cert->SubjectString() +
                       ") is not a CA certificate: it needs basicConstraints CA:TRUE and keyUsage "
                       "keyCertSign. Give the CA's own certificate, not a node certificate.",
                   AttributePath::Root("existing_cert_pem"));
    return std::nullopt;
  }
  if (!key->MatchesCertificate(*cert)) {
    diags.AddError("CA Key Does Not Match Certificate",
                   "The private key in existing_private_key_pem is not the key of the "
                   "certificate in existing_cert_pem (" +
                       cert->SubjectString() + "). Give the key the CA certificate was made for.",
                   AttributePath::Root("existing_private_key_pem"));
    return std::nullopt;
  }
  return AdoptedCa{*std::move(key), *std::move(cert)};
}

std::optional<std::string> ReadLocalFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

CaResource::CaResource() {
  schema_.version = 0;
  auto& attrs = schema_.block.attributes;
  schema_.block.description =
      "A certificate authority for a Galera / Percona XtraDB Cluster: a private key and a "
      "self-signed X.509 v3 CA certificate (basicConstraints CA:TRUE critical, keyUsage "
      "keyCertSign and cRLSign, a random 128-bit serial). Replaces the manual `openssl genrsa` / "
      "`openssl req -x509` steps. An existing CA can be adopted with `existing_private_key_pem` "
      "and `existing_cert_pem` instead of generating one.";
  cert_common::AddKeyAttributes(attrs);
  cert_common::AddSubjectAttributes(attrs, "PXC-CA");
  cert_common::AddValidityAttributes(attrs, kDefaultCaValidityHours);
  attrs.push_back(OptionalAttr("existing_private_key_pem", Type::String())
                      .Sensitive()
                      .RequiresReplace()
                      .Describe("Adopt an existing CA: its private key in PEM. Requires "
                                "`existing_cert_pem`. The key and subject attributes and "
                                "`validity_period_hours` are then read from the key and "
                                "certificate: leave them unset or set them to what these say "
                                "(as `terraform plan -generate-config-out` writes them for an "
                                "imported CA)."));
  attrs.push_back(OptionalAttr("existing_cert_pem", Type::String())
                      .RequiresReplace()
                      .Describe("Adopt an existing CA: its certificate in PEM. Requires "
                                "`existing_private_key_pem`."));
  cert_common::AddCertificateOutputs(attrs);
  attrs.push_back(ComputedAttr("private_key_pem", Type::String())
                      .Sensitive()
                      .UseStateForUnknown()
                      .Describe("The CA private key in PKCS#8 PEM. Stored in the Terraform state: "
                                "protect the state accordingly."));
  attrs.push_back(ComputedAttr("public_key_pem", Type::String())
                      .UseStateForUnknown()
                      .Describe("The CA public key in PEM."));
}

void CaResource::ValidateConfig(const Value& config, Diagnostics& diags) const {
  if (!config.IsKnown()) return;
  cert_common::ValidateKeyAttributes(config, schema_.block, diags);
  cert_common::ValidateValidity(config, schema_.block, diags);
  if (!AdoptMode(config)) return;
  const bool has_key = !config.GetAttr("existing_private_key_pem").IsNull();
  const bool has_cert = !config.GetAttr("existing_cert_pem").IsNull();
  if (has_key != has_cert) {
    diags.AddError("Incomplete CA to Adopt",
                   "Adopting an existing CA needs both existing_private_key_pem and "
                   "existing_cert_pem." +
                       std::string(has_key ? ""
                                           : " A configuration generated for an imported CA "
                                             "(terraform plan -generate-config-out) leaves the "
                                             "sensitive existing_private_key_pem out: set it, "
                                             "e.g. file(\"ca-key.pem\")."),
                   AttributePath::Root(has_key ? "existing_cert_pem" : "existing_private_key_pem"));
    return;
  }
  auto adopted = ParseAdopted(config, diags);
  if (adopted) CheckAdoptedAgrees(config, adopted->key, adopted->cert, diags);
}

void CaResource::ModifyPlan(schema::PlanContext& ctx) const {
  if (AdoptMode(ctx.config)) {
    // Everything is known from the given PEM: show it in the plan.
    auto adopted = ParseAdopted(ctx.planned, ctx.diags);
    if (!adopted) return;
    // Again here: the PEM may have been unknown when the configuration was
    // validated.
    CheckAdoptedAgrees(ctx.config, adopted->key, adopted->cert, ctx.diags);
    if (ctx.diags.HasError()) return;
    auto filled =
        FillFromCa(ctx.planned, adopted->key, adopted->cert, /*adopted=*/true, ctx.config);
    if (!filled.ok()) {
      ctx.diags.AddStatus(filled.status(), "Unable to Read the CA to Adopt");
      return;
    }
    ctx.planned = *filled;
  }
  cert_common::PlanRenewal(ctx, "cert_pem");
}

void CaResource::Create(schema::ApplyContext& ctx) const {
  const Value& plan = ctx.planned;
  if (AdoptMode(plan)) {
    auto adopted = ParseAdopted(plan, ctx.diags);
    if (!adopted) return;
    CheckAdoptedAgrees(ctx.config, adopted->key, adopted->cert, ctx.diags);
    if (ctx.diags.HasError()) return;
    auto filled = FillFromCa(plan, adopted->key, adopted->cert, /*adopted=*/true, ctx.config);
    if (!filled.ok()) return ctx.diags.AddStatus(filled.status(), "Unable to Adopt the CA");
    ctx.new_state = *filled;
    return;
  }
  auto spec = cert_common::KeySpecFrom(plan, schema_.block);
  if (!spec) {
    ctx.diags.AddError("Invalid Key Settings",
                       "key_algorithm, rsa_bits and ecdsa_curve do not describe a supported key.",
                       AttributePath::Root("key_algorithm"));
    return;
  }
  auto key = PrivateKey::Generate(*spec);
  if (!key.ok()) {
    return ctx.diags.AddStatus(key.status(), "Unable to Generate the CA Key", "",
                               AttributePath::Root("key_algorithm"));
  }
  CaSpec ca;
  ca.subject = cert_common::SubjectFrom(plan, schema_.block);
  ca.validity_period_hours = static_cast<int>(plan.GetInt("validity_period_hours").value_or(0));
  auto cert = Certificate::SelfSignCa(*key, ca);
  if (!cert.ok()) return ctx.diags.AddStatus(cert.status(), "Unable to Create the CA Certificate");
  auto filled = FillFromCa(plan, *key, *cert, /*adopted=*/false, ctx.config);
  if (!filled.ok()) return ctx.diags.AddStatus(filled.status(), "Unable to Encode the CA");
  ctx.new_state = *filled;
}

void CaResource::Read(schema::ReadContext& ctx) const {
  ctx.new_state = ctx.current;
  auto pem = ctx.current.GetString("cert_pem");
  if (!pem) return;
  auto cert = Certificate::FromPem(*pem);
  if (!cert.ok()) {
    ctx.diags.AddStatus(cert.status(), "Stored CA Certificate Is Unreadable",
                        "The state holds a cert_pem that cannot be parsed; replace the resource "
                        "with terraform apply -replace.",
                        AttributePath::Root("cert_pem"));
  }
}

void CaResource::Update(schema::ApplyContext& ctx) const {
  // Only early_renewal_hours changes in place; recompute ready_for_renewal.
  Value next = ctx.planned;
  auto pem = ctx.prior.GetString("cert_pem");
  auto cert = Certificate::FromPem(pem.value_or(""));
  if (!cert.ok()) return ctx.diags.AddStatus(cert.status(), "Stored CA Certificate Is Unreadable");
  if (next.GetAttr("ready_for_renewal").IsUnknown()) {
    next = next.WithAttr("ready_for_renewal",
                         Value::Bool(cert_common::InRenewalWindow(
                             *cert, next.GetInt("early_renewal_hours").value_or(0))));
  }
  ctx.new_state = next;
}

void CaResource::ImportState(schema::ImportContext& ctx) const {
  // ID: "<key file>,<cert file>" on the machine running Terraform. The state
  // then adopts that CA; the configuration must set existing_private_key_pem
  // and existing_cert_pem to the same contents (e.g. with file()).
  auto comma = ctx.id.find(',');
  if (comma == std::string::npos) {
    ctx.diags.AddError("Invalid Import ID",
                       "Import a CA with the ID \"<key file>,<cert file>\", for example "
                       "\"/etc/mysql/certs/ca-key.pem,/etc/mysql/certs/ca.pem\", got \"" +
                           ctx.id + "\".");
    return;
  }
  std::string key_path = ctx.id.substr(0, comma);
  std::string cert_path = ctx.id.substr(comma + 1);
  auto key_pem = ReadLocalFile(key_path);
  auto cert_pem = ReadLocalFile(cert_path);
  if (!key_pem || !cert_pem) {
    ctx.diags.AddError("Cannot Read CA Files",
                       "Cannot read " + (!key_pem ? key_path : cert_path) +
                           ". Give paths readable by the user running Terraform.");
    return;
  }
  auto obj =
      Value::ObjectOf(schema_.ImpliedType(), {{"existing_private_key_pem", Value::String(*key_pem)},
                                              {"existing_cert_pem", Value::String(*cert_pem)},
                                              {"early_renewal_hours", Value::Num(0)}});
  if (!obj.ok()) return ctx.diags.AddStatus(obj.status(), "Internal Provider Error");
  auto adopted = ParseAdopted(*obj, ctx.diags);
  if (!adopted) return;
  auto filled = FillFromCa(*obj, adopted->key, adopted->cert, /*adopted=*/true,
                           Value::Null(schema_.ImpliedType()));
  if (!filled.ok()) return ctx.diags.AddStatus(filled.status(), "Unable to Import the CA");
  ctx.state = *filled;
}

}  // namespace pxc::resources
