#include "resources/node_cert.h"

#include "resources/pki/cert_common.h"
#include "resources/pki/x509.h"
#include "resources/schema_names.h"
#include "schema/model.h"

namespace pxc::resources {

namespace {

constexpr int64_t kDefaultLeafValidityHours = 8760;  // one year

std::vector<std::string> StringList(const Value& v) {
  std::vector<std::string> out;
  if (!v.IsKnown()) return out;
  for (const auto& e : v.Elements()) {
    if (e.IsKnown()) out.push_back(e.AsString());
  }
  return out;
}

struct Ca {
  Certificate cert;
  PrivateKey key;
};

// The attribute holding the CA key: ca_private_key_pem, or the write-only
// ca_private_key_pem_wo when that is the one set.
const char* CaKeyAttr(const Value& v) {
  return v.GetAttr("ca_private_key_pem").IsNull() && !v.GetAttr("ca_private_key_pem_wo").IsNull()
             ? "ca_private_key_pem_wo"
             : "ca_private_key_pem";
}

// Parses the CA inputs, adding diagnostics at their paths. nullopt when
// either is unknown or invalid.
std::optional<Ca> ParseCa(const Value& v, Diagnostics& diags) {
  auto cert_pem = v.GetString("ca_cert_pem");
  const char* key_attr = CaKeyAttr(v);
  auto key_pem = v.GetString(key_attr);
  std::optional<Certificate> cert;
  if (cert_pem) {
    auto c = Certificate::FromPem(*cert_pem);
    if (!c.ok()) {
      diags.AddStatus(c.status(), "Invalid CA Certificate",
                      "ca_cert_pem must hold the CA certificate in PEM, e.g. pxc_ca.x.cert_pem.",
                      AttributePath::Root("ca_cert_pem"));
    } else if (!c->IsCa()) {
      diags.AddError("Certificate Is Not a CA",
                     "The certificate in ca_cert_pem (" + c->SubjectString() +
                         ") is not a CA certificate (basicConstraints CA:TRUE is missing), so it "
                         "cannot sign node certificates. Use the CA's certificate.",
                     AttributePath::Root("ca_cert_pem"));
    } else {
      cert = *std::move(c);
    }
  }
  if (!key_pem) return std::nullopt;
  auto key = PrivateKey::FromPem(*key_pem);
  if (!key.ok()) {
    diags.AddStatus(key.status(), "Invalid CA Private Key",
                    std::string(key_attr) +
                        " must hold the CA private key in PEM, e.g. pxc_ca.x.private_key_pem.",
                    AttributePath::Root(key_attr));
    return std::nullopt;
  }
  if (!cert) return std::nullopt;
  if (!key->MatchesCertificate(*cert)) {
    diags.AddError("CA Key Does Not Match CA Certificate",
                   std::string(key_attr) + " is not the key of the CA certificate " +
                       cert->SubjectString() + " given in ca_cert_pem.",
                   AttributePath::Root(key_attr));
    return std::nullopt;
  }
  return Ca{*std::move(cert), *std::move(key)};
}

// Subject alternative names: the configured ones, plus the CN as a DNS name
// unless disabled (and unless it is not a valid DNS name).
void SansFrom(const Value& v, std::vector<std::string>* dns, std::vector<std::string>* ips) {
  *dns = StringList(v.GetAttr("dns_names"));
  *ips = StringList(v.GetAttr("ip_addresses"));
  auto cn = v.GetString("common_name");
  if (cn && v.GetBool("cn_as_dns_name").value_or(true) && ValidateDnsName(*cn).ok() &&
      std::find(dns->begin(), dns->end(), *cn) == dns->end()) {
    dns->insert(dns->begin(), *cn);
  }
}

}  // namespace

NodeCertResource::NodeCertResource() {
  auto& attrs = schema_.block.attributes;
  schema_.block.description =
      "A node or client certificate signed by the cluster CA: X.509 v3 with a random 128-bit "
      "serial, subjectAltNames (the common name is added as a DNS name), extendedKeyUsage for "
      "server and/or client authentication. Replaces the manual `openssl req` / `openssl x509 "
      "-req -CA … -set_serial 01` steps. With `cert_request_pem` it signs a CSR made on the node "
      "instead, so the private key never travels. The certificate is checked against the CA at "
      "every plan: a CA change, a certificate that no longer verifies, or the renewal window "
      "plans a replacement.";
  attrs.push_back(RequiredAttr("ca_cert_pem", Type::String())
                      .RequiresReplace()
                      .Describe("The CA certificate in PEM, e.g. `pxc_ca.cluster.cert_pem`."));
  // Not RequiresReplace: it must be the key of ca_cert_pem (checked), so a
  // change is the same CA (another encoding, or a move to the write-only
  // attribute), and ca_cert_pem replaces the certificate when the CA changes.
  attrs.push_back(OptionalAttr("ca_private_key_pem", Type::String())
                      .Sensitive()
                      .Describe("The CA private key in PEM, e.g. "
                                "`pxc_ca.cluster.private_key_pem`. Stored in state (sensitive). "
                                "Exactly one of `ca_private_key_pem` and "
                                "`ca_private_key_pem_wo` is required."));
  attrs.push_back(
      OptionalAttr("ca_private_key_pem_wo", Type::String())
          .Sensitive()
          .WriteOnly()
          .Describe("The CA private key in PEM as a write-only value (Terraform 1.11 or later): "
                    "used to sign when the certificate is created or replaced, never stored in "
                    "state or plan, so it may come from an ephemeral value (e.g. an "
                    "`ephemeral = true` variable) and the state holds no CA key. The "
                    "certificate is still checked against `ca_cert_pem` at every plan."));
  attrs.push_back(RequiredAttr("common_name", Type::String())
                      .RequiresReplace()
                      .Validate(schema::StringNotEmpty())
                      .Describe("Subject common name, e.g. the node name `pxc1`. Must differ "
                                "from the CA's (PXC 8.0 refuses a leaf with the CA's CN)."));
  cert_common::AddOptionalSubjectAttributes(attrs);
  attrs.push_back(OptionalAttr("dns_names", Type::List(Type::String()))
                      .RequiresReplace()
                      .Describe("DNS subjectAltNames. Add the load balancer's name when clients "
                                "verify the server certificate through it."));
  attrs.push_back(OptionalAttr("ip_addresses", Type::List(Type::String()))
                      .RequiresReplace()
                      .Describe("IP subjectAltNames (IPv4 or IPv6)."));
  attrs.push_back(OptionalComputedAttr("cn_as_dns_name", Type::Bool())
                      .Default(Value::Bool(true))
                      .RequiresReplace()
                      .Describe("Add the common name as a DNS subjectAltName (default true; "
                                "modern clients check SANs, not the CN)."));
  attrs.push_back(OptionalComputedAttr("usage", Type::String())
                      .Default(Value::String("server_and_client"))
                      .RequiresReplace()
                      .Validate(schema::OneOf({"server", "client", "server_and_client"}))
                      .Describe("`server`, `client` or `server_and_client` (default; Galera "
                                "nodes authenticate each other both ways): the extendedKeyUsage. "
                                "Use `client` for client identities (applications, users with "
                                "REQUIRE X509/SUBJECT): a certificate with serverAuth can pose "
                                "as a server to every client that trusts the CA."));
  cert_common::AddKeyAttributes(attrs);
  attrs.push_back(OptionalAttr("cert_request_pem", Type::String())
                      .RequiresReplace()
                      .Describe("Sign this PEM certificate request instead of generating a key. "
                                "The subject and SANs still come from this resource's attributes; "
                                "`private_key_pem` is then null."));
  {
    std::vector<schema::Attribute> validity;
    cert_common::AddValidityAttributes(validity, kDefaultLeafValidityHours);
    validity[0].description +=
        " A validity reaching past the CA's end is clamped to the CA's end (with a warning), "
        "since a certificate cannot outlive its issuer.";
    for (auto& a : validity) attrs.push_back(std::move(a));
  }
  cert_common::AddCertificateOutputs(attrs);
  attrs.push_back(ComputedAttr("private_key_pem", Type::String())
                      .Sensitive()
                      .UseStateForUnknown()
                      .Describe("The private key in PKCS#8 PEM (null with `cert_request_pem`)."));
  attrs.push_back(ComputedAttr("ca_chain_pem", Type::String())
                      .UseStateForUnknown()
                      .Describe("The certificate followed by the CA certificate, for "
                                "`socket.ssl_cert` chains."));
}

void NodeCertResource::ValidateConfig(const Value& config, Diagnostics& diags) const {
  if (!config.IsKnown()) return;
  {
    const bool key = !config.GetAttr("ca_private_key_pem").IsNull();
    const bool key_wo = !config.GetAttr("ca_private_key_pem_wo").IsNull();
    if (key == key_wo) {
      diags.AddError(key ? "Conflicting Attributes" : "Missing Attribute",
                     "Exactly one of ca_private_key_pem (stored in state) and "
                     "ca_private_key_pem_wo (write-only, never stored) must be set: the CA key "
                     "signs the certificate.",
                     AttributePath::Root(key ? "ca_private_key_pem_wo" : "ca_private_key_pem"));
    }
  }
  cert_common::ValidateKeyAttributes(config, schema_.block, diags);
  cert_common::ValidateValidity(config, schema_.block, diags);
  auto ca = ParseCa(config, diags);
  if (auto cn = config.GetString("common_name");
      cn && ca && *cn == ca->cert.Subject().common_name) {
    diags.AddError("Common Name Equals the CA's",
                   "common_name \"" + *cn +
                       "\" is the CA's common name. Percona XtraDB Cluster 8.0 refuses a "
                       "certificate whose CN equals its CA's; use the node's name.",
                   AttributePath::Root("common_name"));
  }
  Value ips = config.GetAttr("ip_addresses");
  if (ips.IsKnown()) {
    for (size_t i = 0; i < ips.Elements().size(); ++i) {
      const Value& ip = ips.Elements()[i];
      if (!ip.IsKnown()) continue;
      if (auto st = NormalizeIpAddress(ip.AsString()); !st.ok()) {
        diags.AddError("Invalid IP Address",
                       "\"" + ip.AsString() + "\" is not an IPv4 or IPv6 address.",
                       AttributePath::Root("ip_addresses").Index(static_cast<int64_t>(i)));
      }
    }
  }
  Value dns = config.GetAttr("dns_names");
  if (dns.IsKnown()) {
    for (size_t i = 0; i < dns.Elements().size(); ++i) {
      const Value& name = dns.Elements()[i];
      if (!name.IsKnown()) continue;
      if (auto st = ValidateDnsName(name.AsString()); !st.ok()) {
        diags.AddStatus(st, "Invalid DNS Name", "",
                        AttributePath::Root("dns_names").Index(static_cast<int64_t>(i)));
      }
    }
  }
  if (!config.GetAttr("cert_request_pem").IsNull()) {
    for (const char* name : {"key_algorithm", "rsa_bits", "ecdsa_curve"}) {
      if (!config.GetAttr(name).IsNull()) {
        diags.AddError(
            "Conflicting Attributes",
            std::string(name) + " cannot be set with cert_request_pem: the key is the request's.",
            AttributePath::Root(name));
      }
    }
    if (auto csr = config.GetString("cert_request_pem")) {
      if (auto r = CertificateRequest::FromPem(*csr); !r.ok()) {
        diags.AddStatus(r.status(), "Invalid Certificate Request", "",
                        AttributePath::Root("cert_request_pem"));
      }
    }
  }
  std::optional<int64_t> validity =
      schema::ModelReader(config, schema_.block).OptInt("validity_period_hours");
  if (ca && validity &&
      std::chrono::system_clock::now() + std::chrono::hours(*validity) > ca->cert.NotAfter()) {
    diags.AddWarning("Validity Clamped to the CA's",
                     "validity_period_hours reaches past the CA's end (" +
                         FormatRfc3339(ca->cert.NotAfter()) +
                         "); the certificate will end with the CA.",
                     AttributePath::Root("validity_period_hours"));
  }
}

void NodeCertResource::ModifyPlan(schema::PlanContext& ctx) const {
  if (!ctx.config.GetAttr("cert_request_pem").IsNull()) {
    // The key is the request's: nothing to generate, no private key.
    ctx.planned = ctx.planned.WithAttr("key_algorithm", Value::Null(Type::String()))
                      .WithAttr("rsa_bits", Value::Null(Type::Number()))
                      .WithAttr("ecdsa_curve", Value::Null(Type::String()))
                      .WithAttr("private_key_pem", Value::Null(Type::String()));
    // The pipeline planned the key settings' defaults, saw a change and left
    // ready_for_renewal unknown; with them null again the object may be
    // unchanged (the write-only CA key, here from the configuration, is
    // never in the prior state), and then the plan must be empty.
    if (!ctx.prior.IsNull() &&
        ctx.planned.WithAttr("ready_for_renewal", ctx.prior.GetAttr("ready_for_renewal"))
                .WithAttr("ca_private_key_pem_wo", Value::Null(Type::String())) == ctx.prior) {
      ctx.planned =
          ctx.prior.WithAttr("ca_private_key_pem_wo", ctx.planned.GetAttr("ca_private_key_pem_wo"));
    }
  }
  if (ctx.prior.IsNull() || !ctx.requires_replace.empty()) return;
  // The stored certificate must still verify against the CA.
  auto pem = ctx.prior.GetString("cert_pem");
  auto ca_pem = ctx.planned.GetString("ca_cert_pem");
  if (pem && ca_pem) {
    auto cert = Certificate::FromPem(*pem);
    auto ca = Certificate::FromPem(*ca_pem);
    Status st = !cert.ok() ? cert.status() : !ca.ok() ? ca.status() : cert->VerifySignedBy(*ca);
    if (!st.ok()) {
      ctx.diags.AddWarning("Certificate Will Be Replaced",
                           "The stored certificate no longer verifies against the CA: " +
                               st.message() + ". The plan replaces it.",
                           AttributePath::Root("cert_pem"));
      bool prior_true = ctx.prior.GetBool("ready_for_renewal") == std::optional<bool>(true);
      ctx.planned = ctx.planned.WithAttr(
          "ready_for_renewal", prior_true ? Value::Unknown(Type::Bool()) : Value::Bool(true));
      ctx.requires_replace.push_back(AttributePath::Root("ready_for_renewal"));
      return;
    }
  }
  cert_common::PlanRenewal(ctx, "cert_pem");
}

void NodeCertResource::Create(schema::ApplyContext& ctx) const {
  const Value& plan = ctx.planned;
  auto ca = ParseCa(plan, ctx.diags);
  if (!ca) {
    if (!ctx.diags.HasError()) {
      ctx.diags.AddError("CA Not Known",
                         "ca_cert_pem and ca_private_key_pem (or ca_private_key_pem_wo) must be "
                         "known.");
    }
    return;
  }
  std::optional<PrivateKey> key;
  std::optional<PublicKey> subject_key;
  if (auto csr_pem = plan.GetString("cert_request_pem")) {
    auto csr = CertificateRequest::FromPem(*csr_pem);
    if (!csr.ok()) {
      return ctx.diags.AddStatus(csr.status(), "Invalid Certificate Request", "",
                                 AttributePath::Root("cert_request_pem"));
    }
    subject_key = csr->GetPublicKey();
  } else {
    auto spec = cert_common::KeySpecFrom(plan, schema_.block);
    if (!spec) {
      return ctx.diags.AddError("Invalid Key Settings",
                                "key_algorithm, rsa_bits and ecdsa_curve do not describe a "
                                "supported key.",
                                AttributePath::Root("key_algorithm"));
    }
    auto k = PrivateKey::Generate(*spec);
    if (!k.ok()) return ctx.diags.AddStatus(k.status(), "Unable to Generate the Key");
    auto pub = k->GetPublicKey();
    if (!pub.ok()) return ctx.diags.AddStatus(pub.status(), "Unable to Generate the Key");
    subject_key = *std::move(pub);
    key = *std::move(k);
  }
  LeafSpec spec;
  spec.subject = cert_common::SubjectFrom(plan, schema_.block);
  SansFrom(plan, &spec.dns_names, &spec.ip_addresses);
  schema::ModelReader r(plan, schema_.block);
  const std::string usage = r.String("usage");
  spec.server_auth = usage != "client";
  spec.client_auth = usage != "server";
  int64_t hours = r.Int("validity_period_hours");
  auto now = std::chrono::system_clock::now();
  auto max_hours =
      std::chrono::duration_cast<std::chrono::hours>(ca->cert.NotAfter() - now).count();
  if (max_hours < 1) {
    return ctx.diags.AddError("CA Expired",
                              "The CA certificate ends at " + FormatRfc3339(ca->cert.NotAfter()) +
                                  ": it cannot sign new certificates. Renew the CA first.",
                              AttributePath::Root("ca_cert_pem"));
  }
  spec.validity_period_hours = static_cast<int>(std::min<int64_t>(hours, max_hours));
  auto cert = Certificate::SignLeaf(ca->cert, ca->key, *subject_key, spec);
  if (!cert.ok()) return ctx.diags.AddStatus(cert.status(), "Unable to Sign the Certificate");
  if (Status st = cert->VerifySignedBy(ca->cert); !st.ok()) {
    return ctx.diags.AddStatus(st, "Issued Certificate Does Not Verify");
  }
  Value next = plan;
  if (key) {
    auto pem = key->ToPem();
    if (!pem.ok()) return ctx.diags.AddStatus(pem.status(), "Unable to Encode the Key");
    next = next.WithAttr("private_key_pem", Value::String(*pem));
  } else {
    next = next.WithAttr("private_key_pem", Value::Null(Type::String()));
  }
  next = next.WithAttr("ca_chain_pem", Value::String(cert->ToPem() + ca->cert.ToPem()));
  ctx.new_state = cert_common::WithCertificateOutputs(
      std::move(next), *cert, plan.GetInt("early_renewal_hours").value_or(0));
}

void NodeCertResource::Read(schema::ReadContext& ctx) const {
  ctx.new_state = ctx.current;
  auto pem = ctx.current.GetString("cert_pem");
  if (!pem) return;
  auto cert = Certificate::FromPem(*pem);
  if (!cert.ok()) {
    return ctx.diags.AddStatus(cert.status(), "Stored Certificate Is Unreadable",
                               "Replace the resource with terraform apply -replace.",
                               AttributePath::Root("cert_pem"));
  }
  if (auto key_pem = ctx.current.GetString("private_key_pem")) {
    auto key = PrivateKey::FromPem(*key_pem);
    if (!key.ok() || !key->MatchesCertificate(*cert)) {
      ctx.diags.AddError("Stored Key Does Not Match Certificate",
                         "The private key in state is not the certificate's key; replace the "
                         "resource with terraform apply -replace.",
                         AttributePath::Root("private_key_pem"));
    }
  }
}

void NodeCertResource::Update(schema::ApplyContext& ctx) const {
  // Only early_renewal_hours changes in place.
  Value next = ctx.planned;
  auto cert = Certificate::FromPem(ctx.prior.GetString("cert_pem").value_or(""));
  if (!cert.ok()) return ctx.diags.AddStatus(cert.status(), "Stored Certificate Is Unreadable");
  if (next.GetAttr("ready_for_renewal").IsUnknown()) {
    next = next.WithAttr("ready_for_renewal",
                         Value::Bool(cert_common::InRenewalWindow(
                             *cert, next.GetInt("early_renewal_hours").value_or(0))));
  }
  ctx.new_state = next;
}

}  // namespace pxc::resources
