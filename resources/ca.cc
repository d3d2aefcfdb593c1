#include "resources/ca.h"

#include <fstream>
#include <sstream>

#include "resources/pki/cert_common.h"
#include "resources/pki/x509.h"
#include "resources/remote/local_key_file.h"
#include "resources/remote/path_safety.h"
#include "resources/schema_names.h"
#include "schema/text.h"

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

// The key is kept in a file on the machine running Terraform, not in state.
bool FileMode(const Value& v) { return !v.GetAttr("private_key_file").IsNull(); }

// Where the adopted CA's key comes from.
const char* AdoptedKeyAttr(const Value& v) {
  return FileMode(v) ? "private_key_file" : "existing_private_key_pem";
}

// What to do about a key file that cannot be used; ends every diagnostic
// about it.
constexpr const char* kKeyFileHint =
    "pxc never makes a new CA because its key file is missing or different: restore the CA key "
    "from your backup (mode 0600, owned by the user running Terraform). To make a new CA "
    "deliberately, set private_key_file to a new path: the plan then replaces the CA and every "
    "certificate signed by it.";

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
  const std::string key_attr = AdoptedKeyAttr(config);
  for (const std::string name : kGenerationAttrs) {
    Value v = config.GetAttr(name);
    if (!v.IsKnown()) continue;  // unset or not known yet
    Value have = AdoptedValue(name, key, cert);
    if (v == have) continue;
    const bool from_key = ReadFromKey(name);
    diags.AddError(
        "Conflicting Attributes",
        name + " = " + Show(v) + " does not match the CA being adopted: its " +
            (from_key ? "key (" + key_attr + ")" : std::string("certificate (existing_cert_pem)")) +
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
// With private_key_file the key stays out of state: private_key_pem is null.
StatusOr<Value> FillFromCa(Value obj, const PrivateKey& key, const Certificate& cert, bool adopted,
                           const Value& config) {
  PXC_ASSIGN_OR_RETURN(PublicKey pub, key.GetPublicKey());
  PXC_ASSIGN_OR_RETURN(std::string pub_pem, pub.ToPem());
  PXC_ASSIGN_OR_RETURN(std::string pub_fingerprint, pub.Sha256Fingerprint());
  Value key_value = Value::Null(Type::String());
  if (!FileMode(obj)) {
    PXC_ASSIGN_OR_RETURN(std::string key_pem, key.ToPem());
    key_value = Value::String(key_pem);
    WipeString(&key_pem);
  }
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
  obj = obj.WithAttr("private_key_pem", std::move(key_value));
  obj = obj.WithAttr("public_key_pem", Value::String(pub_pem));
  obj = obj.WithAttr("public_key_fingerprint_sha256", Value::String(pub_fingerprint));
  auto early = obj.GetInt("early_renewal_hours").value_or(0);
  return cert_common::WithCertificateOutputs(std::move(obj), cert, early);
}

// Parses and checks an adopted CA; diagnostics carry the attribute paths.
// With private_key_file, the key is read from that file (which must exist:
// adopting never writes it).
std::optional<AdoptedCa> ParseAdopted(const Value& v, Diagnostics& diags) {
  const std::string key_attr = AdoptedKeyAttr(v);
  auto cert_pem = v.GetString("existing_cert_pem");
  std::optional<std::string> key_pem;
  if (FileMode(v)) {
    auto path = v.GetString("private_key_file");
    if (!path || !cert_pem) return std::nullopt;
    auto read = local_key_file::Read(*path);
    if (!read.ok()) {
      diags.AddStatus(read.status(), "Cannot Read the CA Key File",
                      "Adopting a CA with existing_cert_pem and private_key_file reads its key "
                      "from that file, which must exist.",
                      AttributePath::Root("private_key_file"));
      return std::nullopt;
    }
    key_pem = *std::move(read);
  } else {
    key_pem = v.GetString("existing_private_key_pem");
  }
  if (!key_pem || !cert_pem) return std::nullopt;
  auto key = PrivateKey::FromPem(*key_pem);
  WipeString(&*key_pem);
  if (!key.ok()) {
    diags.AddStatus(key.status(), "Invalid CA Private Key",
                    key_attr == "private_key_file"
                        ? "The file at private_key_file must hold one unencrypted PEM private key "
                          "(RSA, ECDSA or Ed25519)."
                        : "existing_private_key_pem must hold one PEM private key (RSA, ECDSA or "
                          "Ed25519).",
                    AttributePath::Root(key_attr));
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
                   "The private key in " + key_attr +
                       " is not the key of the certificate in existing_cert_pem (" +
                       cert->SubjectString() + "). Give the key the CA certificate was made for.",
                   AttributePath::Root(key_attr));
    return std::nullopt;
  }
  return AdoptedCa{*std::move(key), *std::move(cert)};
}

// In a plan of a new CA with private_key_file (not adopted): the key file
// can be written there. Nothing may be at that path: a CA key file is never
// overwritten, not even by the key of a CA that replaces this one.
void CheckNewKeyFile(const std::string& path, Diagnostics& diags) {
  Status st = local_key_file::CheckNew(path);
  if (st.ok()) return;
  if (st.code() == StatusCode::kAlreadyExists) {
    diags.AddStatus(st, "CA Key File Exists",
                    "pxc_ca never overwrites a key file, so a new CA (created, replaced or "
                    "renewed) needs a path where nothing is yet. To adopt the CA this key "
                    "belongs to, set existing_cert_pem to its certificate. To make a new CA, "
                    "give a new path, e.g. with the year in its name; keep the old key as a "
                    "backup until no certificate it signed is in use.",
                    AttributePath::Root("private_key_file"));
    return;
  }
  diags.AddStatus(st, "Unusable CA Key File Location", "", AttributePath::Root("private_key_file"));
}

// In a plan of an existing CA with private_key_file: the file must still hold
// the key of the certificate in state. A missing file is a warning (the CA
// and what it signed are unchanged; the key may be kept on another machine,
// and nothing can sign until it is back); a file that cannot be used or holds
// another key is an error. Never a replacement.
void CheckKeyFileOfState(const Value& state, Diagnostics& diags) {
  auto path = state.GetString("private_key_file");
  auto pem = state.GetString("cert_pem");
  if (!path || !pem) return;
  auto cert = Certificate::FromPem(*pem);
  if (!cert.ok()) return;  // Read reports it
  std::string ca = cert->SubjectString();
  if (auto fp = state.GetString("public_key_fingerprint_sha256")) {
    ca += ", public key SHA-256 ";
    ca += *fp;
  }
  auto read = local_key_file::Read(*path);
  if (!read.ok()) {
    if (read.status().code() == StatusCode::kNotFound) {
      diags.AddWarning("CA Key File Missing",
                       read.status().message() + ": the key of this CA (" + ca +
                           ") is not on this machine. The CA and the certificates it signed stay "
                           "as they are, but nothing can be signed with it (the ephemeral "
                           "pxc_ca_key fails) until the key is back. " +
                           kKeyFileHint,
                       AttributePath::Root("private_key_file"));
      return;
    }
    diags.AddStatus(read.status(), "Unusable CA Key File", kKeyFileHint,
                    AttributePath::Root("private_key_file"));
    return;
  }
  auto key = PrivateKey::FromPem(*read);
  WipeString(&*read);
  if (!key.ok()) {
    diags.AddStatus(key.status(), "Invalid CA Key File",
                    "The file at private_key_file no longer holds the CA's private key in PEM. " +
                        std::string(kKeyFileHint),
                    AttributePath::Root("private_key_file"));
    return;
  }
  if (!key->MatchesCertificate(*cert)) {
    std::string have;
    if (auto pub = key->GetPublicKey(); pub.ok()) {
      if (auto fp = pub->Sha256Fingerprint(); fp.ok()) {
        have = " (its public key SHA-256 is ";
        have += *fp;
        have += ")";
      }
    }
    diags.AddError("CA Key File Does Not Match the CA",
                   "\"" + *path + "\" holds a private key" + have +
                       " that is not the key of this CA's certificate (" + ca +
                       "): the CA key was replaced or overwritten. " + kKeyFileHint,
                   AttributePath::Root("private_key_file"));
  }
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
      "and `existing_cert_pem` instead of generating one. With `private_key_file` the key is "
      "kept in a file on the machine running Terraform and never in state (see the guide "
      "\"Secrets out of state\").";
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
  attrs.push_back(
      OptionalAttr("private_key_file", Type::String())
          .RequiresReplace()
          .Validate([](const Value& v, const AttributePath& path, Diagnostics& diags) {
            if (auto st = NormalizeAbsolutePath(v.AsString()); !st.ok()) {
              diags.AddStatus(st.status(), "Invalid Key File Path",
                              "private_key_file is a file on the machine running Terraform, "
                              "given as an absolute path.",
                              path);
            }
          })
          .Describe(
              "Keep the CA private key out of Terraform state, in this file (an absolute path on "
              "the machine running Terraform). A new CA's key is written there when it is "
              "created: atomically (a temporary file in the same directory, fsync, rename), mode "
              "0600 from the start, never over an existing file, and only into a directory owned "
              "by the user running Terraform (or root) that neither it nor a directory above it "
              "is writable by group or others; the file must not be a symbolic link. With "
              "`existing_cert_pem` the CA is adopted from a key already in that file instead. "
              "State then holds the certificate, the public key and its fingerprint, and "
              "`private_key_pem` is null; sign with the ephemeral `pxc_ca_key`, which reads the "
              "file, and `pxc_node_cert.ca_private_key_pem_wo`. Every plan checks the file: "
              "missing is a warning (nothing can be signed until it is restored), a different "
              "or unusable key an error; pxc never makes a new CA for either. Destroying the CA "
              "leaves the file in place (with a warning): deleting a CA key cannot be undone. "
              "Conflicts with `existing_private_key_pem`."));
  cert_common::AddCertificateOutputs(attrs);
  attrs.push_back(ComputedAttr("private_key_pem", Type::String())
                      .Sensitive()
                      .UseStateForUnknown()
                      .Describe("The CA private key in PKCS#8 PEM. Stored in the Terraform state: "
                                "protect the state accordingly. Null with `private_key_file`."));
  attrs.push_back(ComputedAttr("public_key_pem", Type::String())
                      .UseStateForUnknown()
                      .Describe("The CA public key in PEM."));
  attrs.push_back(ComputedAttr("public_key_fingerprint_sha256", Type::String())
                      .UseStateForUnknown()
                      .Describe("Lowercase hex SHA-256 of the CA public key's DER "
                                "(SubjectPublicKeyInfo), as `openssl pkey -pubout -outform DER "
                                "| sha256sum` prints it: names the key pair, e.g. to tell which "
                                "backup holds this CA's key, without revealing anything of it."));
}

void CaResource::ValidateConfig(const Value& config, Diagnostics& diags) const {
  if (!config.IsKnown()) return;
  cert_common::ValidateKeyAttributes(config, schema_.block, diags);
  cert_common::ValidateValidity(config, schema_.block, diags);
  if (!AdoptMode(config)) return;
  const bool has_key = !config.GetAttr("existing_private_key_pem").IsNull();
  const bool has_cert = !config.GetAttr("existing_cert_pem").IsNull();
  if (FileMode(config)) {
    if (has_key) {
      diags.AddError("Conflicting Attributes",
                     "existing_private_key_pem cannot be set with private_key_file: it would "
                     "put the key into state. To adopt a CA whose key is kept in a file, put "
                     "the key into that file (mode 0600) and set only existing_cert_pem.",
                     AttributePath::Root("existing_private_key_pem"));
    }
    // The key is read from the file when planning, not when validating.
    return;
  }
  if (has_key != has_cert) {
    diags.AddError("Incomplete CA to Adopt",
                   "Adopting an existing CA needs both existing_private_key_pem and "
                   "existing_cert_pem (or existing_cert_pem and private_key_file, to keep the "
                   "key in a file)." +
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
  if (FileMode(ctx.config) && !ctx.prior.IsNull()) {
    if (AdoptMode(ctx.config)) {
      // The generation attributes were read from the adopted CA when it was
      // created, and say the same while its certificate is the same; the
      // pipeline planned their defaults where the configuration leaves them
      // unset.
      for (const std::string name : kGenerationAttrs) {
        if (ctx.config.GetAttr(name).IsNull()) {
          ctx.planned = ctx.planned.WithAttr(name, ctx.prior.GetAttr(name));
        }
      }
    }
    // An existing CA whose key is in a file: the file must still hold its
    // key, unless the CA is being replaced anyway (then Terraform plans the
    // new one again, as a create).
    bool replacing = false;
    for (const auto& a : schema_.block.attributes) {
      if (a.requires_replace && ctx.planned.GetAttr(a.name) != ctx.prior.GetAttr(a.name)) {
        replacing = true;
      }
    }
    if (!replacing) {
      // Nothing generated changes in place: the computed attributes the
      // pipeline left unknown (the adopted attributes differed from their
      // defaults above) are the stored ones; ready_for_renewal is recomputed
      // by Update when early_renewal_hours changes.
      const bool early_changed =
          ctx.planned.GetAttr("early_renewal_hours") != ctx.prior.GetAttr("early_renewal_hours");
      for (const auto& a : schema_.block.attributes) {
        if (a.constraint != schema::Constraint::kComputed) continue;
        if (!ctx.planned.GetAttr(a.name).IsUnknown()) continue;
        if (a.name == "ready_for_renewal" && early_changed) continue;
        ctx.planned = ctx.planned.WithAttr(a.name, ctx.prior.GetAttr(a.name));
      }
      CheckKeyFileOfState(ctx.prior, ctx.diags);
    }
    if (ctx.diags.HasError()) return;
    cert_common::PlanRenewal(ctx, "cert_pem");
    return;
  }
  if (FileMode(ctx.config) && !AdoptMode(ctx.config)) {
    // A new CA whose key will be written to the file: none in state.
    ctx.planned = ctx.planned.WithAttr("private_key_pem", Value::Null(Type::String()));
    if (auto path = ctx.config.GetString("private_key_file")) CheckNewKeyFile(*path, ctx.diags);
    if (ctx.diags.HasError()) return;
  }
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
  if (auto path = plan.GetString("private_key_file")) {
    // Last: once the key file exists, the CA is made.
    auto pem = key->ToPem();
    if (!pem.ok()) return ctx.diags.AddStatus(pem.status(), "Unable to Encode the CA Key");
    Status st = local_key_file::WriteNew(*path, *pem);
    WipeString(&*pem);
    if (!st.ok()) {
      return ctx.diags.AddStatus(st, "Unable to Write the CA Key File",
                                 "No CA was made and nothing was written.",
                                 AttributePath::Root("private_key_file"));
    }
  }
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
    return;
  }
  // A state written before public_key_fingerprint_sha256 existed.
  if (ctx.current.GetAttr("public_key_fingerprint_sha256").IsNull()) {
    auto pub = cert->GetPublicKey();
    if (!pub.ok()) return;
    if (auto fp = pub->Sha256Fingerprint(); fp.ok()) {
      ctx.new_state = ctx.new_state.WithAttr("public_key_fingerprint_sha256", Value::String(*fp));
    }
  }
}

void CaResource::Delete(schema::ApplyContext& ctx) const {
  // The key file is left in place: deleting a CA key cannot be undone, and
  // certificates it signed may still be in use.
  if (auto path = ctx.prior.GetString("private_key_file")) {
    ctx.diags.AddWarning(
        "CA Key File Left in Place",
        "The CA is gone from Terraform, but its private key is still in \"" + *path +
            "\": pxc never deletes a CA key. Keep it while certificates this CA signed are in "
            "use (e.g. to revoke or re-sign them); when none is, remove it and its backups "
            "yourself (e.g. `shred -u " +
            *path + "`).");
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
