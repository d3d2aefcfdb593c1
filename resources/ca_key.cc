#include "resources/ca_key.h"

#include "resources/pki/x509.h"
#include "resources/remote/local_key_file.h"
#include "resources/remote/path_safety.h"
#include "resources/schema_names.h"
#include "schema/text.h"

namespace pxc::resources {

CaKeyEphemeral::CaKeyEphemeral() {
  schema_.block.description =
      "The private key of a `pxc_ca` kept out of state with `private_key_file`, read from that "
      "file each time Terraform opens it and never written to state or plan. The file must be "
      "a regular file (not a symbolic link) owned by the user running Terraform, with no "
      "permission for group or others (0600 or 0400), holding one unencrypted PEM private key: "
      "the key of `ca_cert_pem`; anything else is refused. Pass `private_key_pem` to "
      "`pxc_node_cert.ca_private_key_pem_wo` (Terraform 1.11 or later) and to the ephemeral "
      "`pxc_client_cert`. Ephemeral resources need Terraform 1.10 or later. Every plan and "
      "apply that opens it needs the key file on the machine running Terraform; with "
      "`pxc_ca.cert_pem` from state and the path in the configuration, a fresh working "
      "directory can sign.";
  auto& attrs = schema_.block.attributes;
  attrs.push_back(
      RequiredAttr("private_key_file", Type::String())
          .Validate([](const Value& v, const AttributePath& path, Diagnostics& diags) {
            if (auto st = NormalizeAbsolutePath(v.AsString()); !st.ok()) {
              diags.AddStatus(st.status(), "Invalid Key File Path",
                              "private_key_file is a file on the machine running Terraform, "
                              "given as an absolute path.",
                              path);
            }
          })
          .Describe("The CA key file, an absolute path on the machine running Terraform: "
                    "usually `pxc_ca.<name>.private_key_file`."));
  attrs.push_back(RequiredAttr("ca_cert_pem", Type::String())
                      .Describe("The CA certificate the key must belong to, e.g. "
                                "`pxc_ca.cluster.cert_pem`. A key that is not its key is "
                                "refused."));
  attrs.push_back(ComputedAttr("private_key_pem", Type::String())
                      .Sensitive()
                      .Describe("The CA private key in PKCS#8 PEM."));
  attrs.push_back(ComputedAttr("public_key_fingerprint_sha256", Type::String())
                      .Describe("Lowercase hex SHA-256 of the public key's DER, as "
                                "`pxc_ca.public_key_fingerprint_sha256`."));
}

void CaKeyEphemeral::ValidateConfig(const Value& config, Diagnostics& diags) const {
  if (!config.IsKnown()) return;
  if (auto pem = config.GetString("ca_cert_pem")) {
    if (auto cert = Certificate::FromPem(*pem); !cert.ok()) {
      diags.AddStatus(cert.status(), "Invalid CA Certificate",
                      "ca_cert_pem must hold the CA certificate in PEM, e.g. pxc_ca.x.cert_pem.",
                      AttributePath::Root("ca_cert_pem"));
    }
  }
}

void CaKeyEphemeral::Open(schema::OpenContext& ctx) const {
  const Value& in = ctx.result;
  auto path = in.GetString("private_key_file");
  auto cert_pem = in.GetString("ca_cert_pem");
  if (!path || !cert_pem) {
    return ctx.diags.AddError("CA Not Known", "private_key_file and ca_cert_pem must be known.");
  }
  auto cert = Certificate::FromPem(*cert_pem);
  if (!cert.ok()) {
    return ctx.diags.AddStatus(cert.status(), "Invalid CA Certificate",
                               "ca_cert_pem must hold the CA certificate in PEM, e.g. "
                               "pxc_ca.x.cert_pem.",
                               AttributePath::Root("ca_cert_pem"));
  }
  auto read = local_key_file::Read(*path);
  if (!read.ok()) {
    return ctx.diags.AddStatus(
        read.status(), "Cannot Read the CA Key File",
        "The CA key (of " + cert->SubjectString() +
            ") is needed here to sign. Restore it from your backup if it is lost; pxc never "
            "makes a new CA for a missing key.",
        AttributePath::Root("private_key_file"));
  }
  auto key = PrivateKey::FromPem(*read);
  WipeString(&*read);
  if (!key.ok()) {
    return ctx.diags.AddStatus(key.status(), "Invalid CA Key File",
                               "The file must hold one unencrypted PEM private key (RSA, ECDSA "
                               "or Ed25519): the CA's.",
                               AttributePath::Root("private_key_file"));
  }
  auto pub = key->GetPublicKey();
  if (!pub.ok()) return ctx.diags.AddStatus(pub.status(), "Unable to Read the CA Key");
  auto fp = pub->Sha256Fingerprint();
  if (!fp.ok()) return ctx.diags.AddStatus(fp.status(), "Unable to Read the CA Key");
  if (!key->MatchesCertificate(*cert)) {
    std::string want;
    if (auto cert_pub = cert->GetPublicKey(); cert_pub.ok()) {
      if (auto cfp = cert_pub->Sha256Fingerprint(); cfp.ok()) {
        want = ", public key SHA-256 ";
        want += *cfp;
      }
    }
    return ctx.diags.AddError(
        "CA Key File Does Not Match the CA",
        "\"" + *path + "\" holds a private key (public key SHA-256 " + *fp +
            ") that is not the key of the CA certificate in ca_cert_pem (" + cert->SubjectString() +
            want +
            "): nothing is signed with it. Restore the CA's key from your backup, or point "
            "private_key_file at the file holding it.",
        AttributePath::Root("private_key_file"));
  }
  if (Status st = CheckCaKeyPair(*cert, *key); !st.ok()) {
    return ctx.diags.AddStatus(st, "CA Cannot Sign",
                               "ca_cert_pem must be a CA certificate (CA:TRUE, keyCertSign).",
                               AttributePath::Root("ca_cert_pem"));
  }
  auto pem = key->ToPem();
  if (!pem.ok()) return ctx.diags.AddStatus(pem.status(), "Unable to Encode the CA Key");
  ctx.result = in.WithAttr("private_key_pem", Value::String(*pem))
                   .WithAttr("public_key_fingerprint_sha256", Value::String(*fp));
  WipeString(&*pem);
}

}  // namespace pxc::resources
