#include "resources/pki/cert_common.h"

#include "schema/model.h"
#include "schema/resource.h"

namespace pxc::resources::cert_common {

using schema::AttributePath;
using schema::ComputedAttr;
using schema::OptionalAttr;
using schema::OptionalComputedAttr;
using schema::Type;
using schema::Value;

void AddKeyAttributes(std::vector<schema::Attribute>& attrs) {
  attrs.push_back(OptionalComputedAttr("key_algorithm", Type::String())
                      .Default(Value::String("RSA"))
                      .RequiresReplace()
                      .Validate(schema::OneOf({"RSA", "ECDSA", "ED25519"}))
                      .Describe("Algorithm of the generated private key: `RSA` (default), "
                                "`ECDSA` or `ED25519`. Changing it replaces the resource."));
  attrs.push_back(OptionalComputedAttr("rsa_bits", Type::Number())
                      .Default(Value::Num(2048))
                      .RequiresReplace()
                      .Validate(schema::IntBetween(2048, 8192))
                      .Describe("RSA key size in bits, 2048 (default) to 8192. Used only when "
                                "`key_algorithm` is `RSA`."));
  attrs.push_back(OptionalComputedAttr("ecdsa_curve", Type::String())
                      .Default(Value::String("P256"))
                      .RequiresReplace()
                      .Validate(schema::OneOf({"P256", "P384", "P521"}))
                      .Describe("ECDSA curve: `P256` (default), `P384` or `P521`. Used only when "
                                "`key_algorithm` is `ECDSA`."));
}

void AddSubjectAttributes(std::vector<schema::Attribute>& attrs, const std::string& default_cn) {
  attrs.push_back(OptionalComputedAttr("common_name", Type::String())
                      .Default(Value::String(default_cn))
                      .RequiresReplace()
                      .Validate(schema::StringNotEmpty())
                      .Describe("Subject common name (CN). Default `" + default_cn + "`."));
  AddOptionalSubjectAttributes(attrs);
}

void AddOptionalSubjectAttributes(std::vector<schema::Attribute>& attrs) {
  const std::pair<const char*, const char*> fields[] = {
      {"organization", "Subject organization (O)."},
      {"organizational_unit", "Subject organizational unit (OU)."},
      {"country", "Subject country (C), two letters."},
      {"locality", "Subject locality (L)."},
      {"province", "Subject state or province (ST)."},
  };
  for (const auto& [name, desc] : fields) {
    attrs.push_back(OptionalAttr(name, Type::String()).RequiresReplace().Describe(desc));
  }
}

void AddValidityAttributes(std::vector<schema::Attribute>& attrs, int64_t default_hours) {
  attrs.push_back(OptionalComputedAttr("validity_period_hours", Type::Number())
                      .Default(Value::Num(default_hours))
                      .RequiresReplace()
                      .Validate(schema::IntBetween(1, 100 * 8766))
                      .Describe("Hours the certificate is valid for, from its creation. Default " +
                                std::to_string(default_hours) + "."));
  attrs.push_back(OptionalComputedAttr("early_renewal_hours", Type::Number())
                      .Default(Value::Num(0))
                      .Validate(schema::IntBetween(0, 100 * 8766))
                      .Describe("When the certificate is this many hours or less from its end, "
                                "`ready_for_renewal` becomes true and the next plan replaces it. "
                                "Default 0 (renew only once expired)."));
}

void AddCertificateOutputs(std::vector<schema::Attribute>& attrs) {
  auto out = [&](const char* name, Type t, const char* desc) {
    attrs.push_back(ComputedAttr(name, std::move(t)).UseStateForUnknown().Describe(desc));
  };
  out("id", Type::String(), "The certificate's serial number (lowercase hex).");
  out("cert_pem", Type::String(), "The certificate in PEM format.");
  out("serial_number", Type::String(), "The certificate's serial number, in decimal.");
  out("validity_start_time", Type::String(), "Start of validity (RFC 3339).");
  out("validity_end_time", Type::String(), "End of validity (RFC 3339).");
  out("cert_sha256_fingerprint", Type::String(),
      "SHA-256 fingerprint of the DER certificate, lowercase hex without colons.");
  attrs.push_back(ComputedAttr("ready_for_renewal", Type::Bool())
                      .Describe("True when the certificate is within `early_renewal_hours` of "
                                "its end (or expired): the plan then replaces it."));
}

std::optional<KeySpec> KeySpecFrom(const Value& v, const schema::Block& block) {
  schema::ModelReader r(v, block);
  auto alg = r.OptString("key_algorithm");
  auto bits = r.OptInt("rsa_bits");
  auto curve = r.OptString("ecdsa_curve");
  if (!alg || !bits || !curve) return std::nullopt;
  auto spec = ParseKeySpec(*alg, static_cast<int>(*bits), *curve);
  if (!spec.ok()) return std::nullopt;
  return *spec;
}

DistinguishedName SubjectFrom(const Value& v, const schema::Block& block) {
  schema::ModelReader r(v, block);
  DistinguishedName dn;
  dn.common_name = r.String("common_name");
  dn.organization = r.String("organization");
  dn.organizational_unit = r.String("organizational_unit");
  dn.country = r.String("country");
  dn.locality = r.String("locality");
  dn.province = r.String("province");
  return dn;
}

void ValidateKeyAttributes(const Value& config, const schema::Block& block,
                           schema::Diagnostics& diags) {
  schema::ModelReader r(config, block);
  if (auto country = r.OptString("country"); country && country->size() != 2) {
    diags.AddError(
        "Invalid Attribute Value",
        "country must be a two-letter ISO 3166 code such as \"US\", got \"" + *country + "\".",
        AttributePath::Root("country"));
  }
  auto alg = r.OptString("key_algorithm");
  if (!alg) return;
  if (*alg != "RSA" && !config.GetAttr("rsa_bits").IsNull()) {
    diags.AddWarning("Attribute Ignored",
                     "rsa_bits applies only to RSA keys; key_algorithm is " + *alg + ".",
                     AttributePath::Root("rsa_bits"));
  }
  if (*alg != "ECDSA" && !config.GetAttr("ecdsa_curve").IsNull()) {
    diags.AddWarning("Attribute Ignored",
                     "ecdsa_curve applies only to ECDSA keys; key_algorithm is " + *alg + ".",
                     AttributePath::Root("ecdsa_curve"));
  }
}

void ValidateValidity(const Value& config, const schema::Block& block, schema::Diagnostics& diags) {
  schema::ModelReader r(config, block);
  auto validity = r.OptInt("validity_period_hours");
  auto early = r.OptInt("early_renewal_hours");
  if (validity && early && *early >= *validity) {
    diags.AddError("Invalid Attribute Value",
                   "early_renewal_hours (" + std::to_string(*early) +
                       ") must be less than validity_period_hours (" + std::to_string(*validity) +
                       "), otherwise the certificate would be due for renewal as soon as it is "
                       "created.",
                   AttributePath::Root("early_renewal_hours"));
  }
}

bool InRenewalWindow(const Certificate& cert, int64_t early_renewal_hours,
                     std::chrono::system_clock::time_point now) {
  return now >= cert.NotAfter() - std::chrono::hours(early_renewal_hours);
}

Value WithCertificateOutputs(Value obj, const Certificate& cert, int64_t early_renewal_hours) {
  obj = obj.WithAttr("id", Value::String(cert.SerialHex()));
  obj = obj.WithAttr("cert_pem", Value::String(cert.ToPem()));
  obj = obj.WithAttr("serial_number", Value::String(cert.SerialDecimal()));
  obj = obj.WithAttr("validity_start_time", Value::String(FormatRfc3339(cert.NotBefore())));
  obj = obj.WithAttr("validity_end_time", Value::String(FormatRfc3339(cert.NotAfter())));
  obj = obj.WithAttr("cert_sha256_fingerprint", Value::String(cert.Sha256Fingerprint()));
  obj = obj.WithAttr("ready_for_renewal", Value::Bool(InRenewalWindow(cert, early_renewal_hours)));
  return obj;
}

void PlanRenewal(schema::PlanContext& ctx, const std::string& cert_attr) {
  if (ctx.prior.IsNull()) return;
  auto pem = ctx.prior.GetString(cert_attr);
  auto early = ctx.planned.GetInt("early_renewal_hours");
  if (!pem || !early) return;
  auto cert = Certificate::FromPem(*pem);
  if (!cert.ok()) return;
  bool due = InRenewalWindow(*cert, *early);
  if (due) {
    const auto now = std::chrono::system_clock::now();
    std::string detail = "The certificate (serial ";
    detail += cert->SerialDecimal();
    detail += now >= cert->NotAfter() ? ") ended at " : ") ends at ";
    detail += FormatRfc3339(cert->NotAfter());
    detail += ", within early_renewal_hours (";
    detail += std::to_string(*early);
    detail +=
        ") of its end: this plan replaces it with a new one, and what uses it (node "
        "certificates signed by a CA, files deployed with pxc_node_tls_config) follows in the "
        "same apply. Deploy the new certificate before the old one ends.";
    ctx.diags.AddWarning("Certificate Due for Renewal", std::move(detail),
                         AttributePath::Root("early_renewal_hours"));
    // Terraform replaces only where the planned value differs from the prior
    // one or is unknown.
    bool prior_true = ctx.prior.GetBool("ready_for_renewal") == std::optional<bool>(true);
    ctx.planned = ctx.planned.WithAttr(
        "ready_for_renewal", prior_true ? Value::Unknown(Type::Bool()) : Value::Bool(true));
    ctx.requires_replace.push_back(AttributePath::Root("ready_for_renewal"));
  } else {
    ctx.planned = ctx.planned.WithAttr("ready_for_renewal", Value::Bool(false));
  }
}

}  // namespace pxc::resources::cert_common
