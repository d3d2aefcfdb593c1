#include "resources/node_key.h"

#include <regex>

#include "resources/galera/tls_deploy.h"
#include "resources/galera/tls_options.h"
#include "resources/node_key_file.h"
#include "resources/pki/cert_common.h"
#include "resources/pki/x509.h"
#include "resources/remote/path_safety.h"
#include "resources/remote/ssh_settings.h"
#include "resources/schema_names.h"
#include "schema/model.h"

namespace pxc::resources {

namespace {

constexpr char kCreatedDir[] = "cert_dir_created";
// How key_status begins when the file is not (or no longer) the key in
// state: the plan replaces the resource.
constexpr char kAnotherKey[] = "another key";
constexpr char kNotRegular[] = "not a regular file";
constexpr char kUnreadable[] = "unreadable";

struct NodeKeyModel {
  std::string host, name, common_name, cert_dir, key_file, owner, group, mode_text;
  uint32_t mode = 0600;
  KeySpec spec;
  std::string Dir() const {
    std::string d = cert_dir;
    while (d.size() > 1 && d.ends_with('/')) d.pop_back();
    return d;
  }
  std::string Path() const {
    std::string p = Dir();
    if (p != "/") p.append("/");
    p.append(key_file);
    return p;
  }
  std::string OwnerGroup() const {
    std::string s = owner;
    s.append(":").append(group);
    return s;
  }
  // key_status when all is well: "0600 mysql:mysql".
  std::string Desired() const {
    std::string s = FormatFileMode(mode);
    s.append(" ").append(OwnerGroup());
    return s;
  }
  // What pxc_node_tls_config's PrepareCertDir needs to know of the layout.
  TlsLayout Layout() const {
    TlsLayout l;
    l.name = name;
    l.cert_dir = cert_dir;
    l.owner = owner;
    l.group = group;
    return l;
  }
};

// key_file and common_name default to "<name>-key.pem" and `name`.
std::optional<std::string> DefaultFor(schema::ModelReader& r, const char* attr) {
  if (r.IsSet(attr)) return r.OptString(attr);
  auto name = r.OptString("name");
  if (!name) return std::nullopt;
  return std::string(attr) == "key_file" ? *name + "-key.pem" : *name;
}

std::optional<NodeKeyModel> ModelFrom(const Value& v, const schema::Block& block) {
  if (!v.IsKnown()) return std::nullopt;
  schema::ModelReader r(v, block);
  NodeKeyModel m;
  m.host = r.String("host");
  m.name = r.String("name");
  m.common_name = DefaultFor(r, "common_name").value_or("");
  m.key_file = DefaultFor(r, "key_file").value_or("");
  m.cert_dir = r.String("cert_dir");
  m.owner = r.String("owner");
  m.group = r.String("group");
  m.mode_text = r.String("key_mode");
  m.mode = ParseFileMode(m.mode_text).value_or(0600);
  auto spec = cert_common::KeySpecFrom(v, block);
  (void)r.OptString("key_algorithm");
  (void)r.OptInt("rsa_bits");
  (void)r.OptString("ecdsa_curve");
  if (!r.Unknown().empty() || !spec || m.key_file.empty() || m.common_name.empty()) {
    return std::nullopt;
  }
  m.spec = *spec;
  return m;
}

// OpenSSL's name of a curve pxc_ca calls P256/P384/P521.
std::string OpenSslCurve(const std::string& c) {
  if (c == "P384") return "secp384r1";
  if (c == "P521") return "secp521r1";
  return "prime256v1";
}

// The first PEM block labelled `label` in `text`, or "".
std::string ExtractPem(const std::string& text, const std::string& label) {
  const std::string begin = "-----BEGIN " + label + "-----";
  const std::string end = "-----END " + label + "-----";
  auto b = text.find(begin);
  if (b == std::string::npos) return "";
  auto e = text.find(end, b);
  if (e == std::string::npos) return "";
  return text.substr(b, e + end.size() - b) + "\n";
}

std::string Tail(const std::string& s) {
  constexpr size_t kMax = 600;
  std::string t = s.size() > kMax ? s.substr(s.size() - kMax) : s;
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
  return t.empty() ? "(no output)" : t;
}

std::string Assign(const char* var, const std::string& value) {
  std::string s = var;
  s.append("=").append(ShellQuote(value)).append("\n");
  return s;
}

// key_status for what the probe found, given the public key in state.
std::string StatusOf(const KeyFileProbe& p, const std::optional<PublicKey>& expected) {
  switch (p.kind) {
    case KeyFileProbe::Kind::kAbsent:
      return kAbsent;
    case KeyFileProbe::Kind::kNotRegular:
      return std::string(kNotRegular) + ": " + p.detail;
    case KeyFileProbe::Kind::kUnreadable:
      return std::string(kUnreadable) + " " + ModeOwner(p.stat) + ": " + p.detail;
    case KeyFileProbe::Kind::kKey:
      break;
  }
  if (expected && !p.public_key->Equals(*expected)) {
    return std::string(kAnotherKey) + " (public key " + PublicKeyDigest(*p.public_key) + ") " +
           ModeOwner(p.stat);
  }
  return ModeOwner(p.stat);
}

bool NeedsReplacement(const std::string& status) {
  return status.starts_with(kAnotherKey) || status.starts_with(kNotRegular) ||
         status.starts_with(kUnreadable);
}

bool IsPlainFileName(const std::string& f) {
  return !f.empty() && f.find('/') == std::string::npos && f != "." && f != "..";
}

}  // namespace

std::string NodeKeyCreateScript(const std::string& key_path, const std::string& dir,
                                const std::string& owner_group, const std::string& mode,
                                const std::string& algorithm, int rsa_bits,
                                const std::string& curve, const std::string& subject) {
  std::string s;
  s.append(Assign("k", key_path))
      .append(Assign("d", dir))
      .append(Assign("o", owner_group))
      .append(Assign("m", mode))
      .append(Assign("a", algorithm))
      .append(Assign("b", std::to_string(rsa_bits)))
      .append(Assign("c", curve))
      .append(Assign("s", subject));
  // The key is made in a file only root can read (umask 077, mktemp 0600)
  // in cert_dir (which no other account can change), given its owner and
  // mode, and linked to its name: `ln` never replaces an existing file, so a
  // key that appeared meanwhile is kept and the run fails. Only the public
  // key and the request are printed.
  s.append(R"(set -eu
umask 077
if [ -e "$k" ] || [ -L "$k" ]; then echo "pxc: $k already exists" >&2; exit 3; fi
t=$(mktemp "$d/.pxc-key.XXXXXX")
trap 'rm -f "$t"' EXIT
case $a in
  RSA) openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$b" -out "$t" ;;
  EC) openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:$c" -pkeyopt ec_param_enc:named_curve -out "$t" ;;
  *) openssl genpkey -algorithm "$a" -out "$t" ;;
esac
chown "$o" "$t"
chmod "$m" "$t"
openssl pkey -pubout -in "$t"
if [ "$a" = ED25519 ]; then openssl req -new -key "$t" -subj "$s"; else openssl req -new -sha256 -key "$t" -subj "$s"; fi
ln "$t" "$k"
rm -f "$t"
trap - EXIT
)");
  return s;
}

std::string NodeKeyRequestScript(const std::string& key_path, const std::string& subject,
                                 bool ed25519) {
  std::string s;
  s.append(Assign("k", key_path)).append(Assign("s", subject));
  s.append(ed25519 ? "openssl req -new -key \"$k\" -subj \"$s\"\n"
                   : "openssl req -new -sha256 -key \"$k\" -subj \"$s\"\n");
  return s;
}

std::string NodeKeyRepairScript(const std::string& key_path, const std::string& owner_group,
                                const std::string& mode) {
  std::string s;
  s.append(Assign("k", key_path)).append(Assign("o", owner_group)).append(Assign("m", mode));
  s.append(R"(set -eu
if [ -L "$k" ] || [ ! -f "$k" ]; then echo "pxc: $k is not a regular file" >&2; exit 3; fi
chown "$o" "$k"
chmod "$m" "$k"
)");
  return s;
}

NodeKeyResource::NodeKeyResource(NodeConnector connector)
    : connector_(connector ? std::move(connector) : NodeConnector(ConnectSsh)) {
  auto& attrs = schema_.block.attributes;
  schema_.block.description =
      "A node's private key, made **on the node** over SSH with the node's own `openssl`, so "
      "it never crosses the wire and never enters Terraform's state or plan. The key is "
      "generated into a 0600 temporary file in `cert_dir`, given its owner and mode, and linked "
      "to `<cert_dir>/<key_file>` (an existing file is never overwritten); the resource keeps "
      "only `public_key_pem` and a certificate request (`cert_request_pem`) for "
      "`pxc_node_cert` to sign. Deploy the certificate next to the key with "
      "`pxc_node_tls_config` and `key_on_node = true`. `cert_dir` follows the rules of "
      "`pxc_node_tls_config` (created as `root:<group>` 0750 when missing; a directory other "
      "accounts can change, a symbolic link or a system directory is refused). Every plan "
      "looks at the key on the node (its mode and owner, and its public key from `openssl pkey "
      "-pubout` there): a missing key plans a new key; another key, or something that is not a "
      "key file, plans a replacement; a changed mode or owner is repaired in place. Destroy "
      "removes the key (and cert_dir when pxc created it and it is empty).";
  attrs.push_back(RequiredAttr("host", Type::String())
                      .RequiresReplace()
                      .Describe("The node's address for SSH."));
  attrs.push_back(RequiredAttr("name", Type::String())
                      .RequiresReplace()
                      .Validate(schema::StringNotEmpty())
                      .Describe("The node's name (e.g. `pxc1`): the default key file name "
                                "`<name>-key.pem` (as `pxc_node_tls_config` uses it) and the "
                                "request's common name."));
  attrs.push_back(OptionalComputedAttr("common_name", Type::String())
                      .RequiresReplace()
                      .Describe("Common name of the certificate request; default `name`. "
                                "`pxc_node_cert` takes the certificate's subject and SANs from "
                                "its own attributes: the request contributes the key. Letters, "
                                "digits, space and `.-_@` only."));
  cert_common::AddKeyAttributes(attrs);
  attrs.push_back(OptionalComputedAttr("cert_dir", Type::String())
                      .Default(Value::String("/etc/mysql/certs"))
                      .RequiresReplace()
                      .Describe("Directory of the key, as `pxc_node_tls_config`'s `cert_dir` "
                                "(default `/etc/mysql/certs`; created as `root:<group>` 0750 "
                                "when missing)."));
  attrs.push_back(OptionalComputedAttr("key_file", Type::String())
                      .RequiresReplace()
                      .Describe("Key file name in `cert_dir`. Default `<name>-key.pem`."));
  attrs.push_back(OptionalComputedAttr("owner", Type::String())
                      .Default(Value::String("mysql"))
                      .Describe("Owner of the key file. Default `mysql`."));
  attrs.push_back(OptionalComputedAttr("group", Type::String())
                      .Default(Value::String("mysql"))
                      .Describe("Group of the key file and of the cert_dir pxc creates. "
                                "Default `mysql`."));
  attrs.push_back(OptionalComputedAttr("key_mode", Type::String())
                      .Default(Value::String("0600"))
                      .Describe("Mode of the key file: `0600` (default) or `0640`."));
  ssh_settings::AddConnectionAttributes(attrs, "ssh_");
  attrs.push_back(
      ComputedAttr("id", Type::String()).UseStateForUnknown().Describe("`<host>:<key_path>`."));
  attrs.push_back(ComputedAttr("key_path", Type::String())
                      .UseStateForUnknown()
                      .Describe("The key file's path on the node (`<cert_dir>/<key_file>`)."));
  attrs.push_back(ComputedAttr("public_key_pem", Type::String())
                      .UseStateForUnknown()
                      .Describe("The public key in PEM (SubjectPublicKeyInfo)."));
  attrs.push_back(ComputedAttr("cert_request_pem", Type::String())
                      .UseStateForUnknown()
                      .Describe("A PKCS#10 certificate request signed with the key, for "
                                "`pxc_node_cert.cert_request_pem`."));
  attrs.push_back(
      ComputedAttr("key_status", Type::String())
          .Describe("The key file as found on the node: `<mode> <owner>:<group>` when it is "
                    "the key of `public_key_pem`; otherwise what is wrong (`another key …`, "
                    "`not a regular file: …`, `unreadable …`), which plans a replacement."));
}

void NodeKeyResource::ValidateConfig(const Value& config, Diagnostics& diags) const {
  if (!config.IsKnown()) return;
  schema::ModelReader r(config, schema_.block);
  if (auto alg = r.OptString("key_algorithm")) {
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
  if (auto m = config.GetString("key_mode");
      m && *m != "0600" && *m != "0640" && *m != "600" && *m != "640") {
    diags.AddError("Invalid File Mode",
                   "key_mode must be \"0600\" or \"0640\" (a private key must not be readable "
                   "by other users), got \"" +
                       *m + "\".",
                   AttributePath::Root("key_mode"));
  }
  static const std::regex kAccount("^[A-Za-z_][A-Za-z0-9_.-]*$");
  for (const char* n : {"owner", "group"}) {
    if (auto v = config.GetString(n); v && !std::regex_match(*v, kAccount)) {
      diags.AddError("Invalid Account Name",
                     std::string(n) + " must be a user or group name, got \"" + *v + "\".",
                     AttributePath::Root(n));
    }
  }
  static const std::regex kCn("^[A-Za-z0-9 ._@-]+$");
  if (auto cn = DefaultFor(r, "common_name"); cn && !std::regex_match(*cn, kCn)) {
    diags.AddError(
        "Invalid Common Name",
        "The request's common name \"" + *cn + "\" may hold only letters, digits, space and .-_@" +
            (config.GetAttr("common_name").IsNull() ? " (it defaults to name; set "
                                                      "common_name)"
                                                    : "") +
            ".",
        AttributePath::Root(config.GetAttr("common_name").IsNull() ? "name" : "common_name"));
  }
  if (auto f = DefaultFor(r, "key_file"); f && !IsPlainFileName(*f)) {
    diags.AddError(
        "Invalid File Name",
        "The key file name \"" + *f + "\" must be a plain file name in cert_dir" +
            (config.GetAttr("key_file").IsNull() ? " (it defaults to <name>-key.pem; set key_file)"
                                                 : "") +
            ".",
        AttributePath::Root(config.GetAttr("key_file").IsNull() ? "name" : "key_file"));
  }
  if (auto dir = config.GetString("cert_dir")) {
    auto norm = NormalizeAbsolutePath(*dir);
    std::string plain = *dir;
    while (plain.size() > 1 && plain.ends_with('/')) plain.pop_back();
    if (!norm.ok()) {
      diags.AddError("Invalid cert_dir", "cert_dir " + norm.status().message() + ".",
                     AttributePath::Root("cert_dir"));
    } else if (plain != *norm) {
      diags.AddError(
          "Invalid cert_dir",
          "Write cert_dir as a plain absolute path: \"" + *norm + "\", not \"" + *dir + "\".",
          AttributePath::Root("cert_dir"));
    } else if (IsSystemDirectory(*norm)) {
      diags.AddError("System Directory as cert_dir",
                     "cert_dir \"" + *dir +
                         "\" is a system directory. pxc keeps the node's key in a directory of "
                         "its own, e.g. \"/etc/mysql/certs\" (pxc creates it as root:<group> "
                         "0750).",
                     AttributePath::Root("cert_dir"));
    }
  }
}

void NodeKeyResource::ModifyPlan(schema::PlanContext& ctx) const {
  schema::ModelReader r(ctx.config, schema_.block);
  for (const char* attr : {"key_file", "common_name"}) {
    if (r.IsSet(attr)) continue;
    if (auto v = DefaultFor(r, attr)) ctx.planned = ctx.planned.WithAttr(attr, Value::String(*v));
  }
  auto model = ModelFrom(ctx.planned, schema_.block);
  if (!model) return;
  ctx.planned = ctx.planned.WithAttr("key_path", Value::String(model->Path()))
                    .WithAttr("id", Value::String(model->host + ":" + model->Path()))
                    .WithAttr("key_status", Value::String(model->Desired()));
  // (requires_replace may still list key_file and common_name here: the
  // pipeline judged them before their defaults were filled in above; the
  // core judges them again on the final plan.)
  if (ctx.prior.IsNull()) return;
  auto found = ctx.prior.GetString("key_status");
  if (found && NeedsReplacement(*found)) {
    ctx.diags.AddWarning("Node Key Will Be Replaced",
                         model->Path() + " on " + model->name + " is no longer the key of " +
                             "public_key_pem (" + *found +
                             "). The plan makes a new key there (and a new certificate request, "
                             "so the certificate signed from it is replaced too).",
                         AttributePath::Root("key_status"));
    ctx.requires_replace.push_back(AttributePath::Root("key_status"));
  }
}

void NodeKeyResource::Create(schema::ApplyContext& ctx) const {
  auto model = ModelFrom(ctx.planned, schema_.block);
  if (!model) {
    return ctx.diags.AddError("Unknown Values at Apply",
                              "Some inputs are still unknown at apply time. This is a provider "
                              "bug.");
  }
  auto target = ssh_settings::Resolve(ctx.planned, "ssh_", model->host, model->name, ctx.provider,
                                      AttributePath(), ctx.diags);
  if (!target) return;
  auto connected = ssh_settings::Connect(connector_, *target, ctx.diags);
  if (!connected) return;
  NodeHost* node = connected.get();
  const std::string path = model->Path();
  const auto at_file = AttributePath::Root("key_file");
  auto existing = node->Lstat(path);
  if (!existing.ok()) {
    return ssh_settings::AddSshError(existing.status(), "Cannot Inspect " + path, *target, at_file,
                                     ctx.diags);
  }
  if (existing->has_value()) {
    return ctx.diags.AddError(
        "Key File Already Exists",
        path + " already exists on " + model->name + " (" + model->host +
            "). pxc_node_key makes a new key and never overwrites a file it did not make: move "
            "that file away (or set key_file to another name) and apply again, or adopt that "
            "key with terraform import (ID \"" +
            model->host + ":" + path + "\"). Nothing was changed on the node.",
        at_file);
  }
  bool made_dir = false;
  TlsLayout layout = model->Layout();
  auto dir = PrepareCertDir(*node, layout, *target, PrivateData{}, true, &made_dir, ctx.diags);
  if (!dir) return;
  // Undoes what this create did on the node when a later step fails.
  auto undo = [&](bool key_made) {
    bool clean = true;
    if (key_made) clean &= node->RemoveFile(path).ok();
    if (made_dir) {
      auto removed = node->RemoveDirectory(model->Dir());
      clean &= removed.ok() && *removed;
    }
    return std::string(clean ? " Nothing was left on the node."
                             : " Cleaning up failed: check " + path + " on the node.");
  };

  const std::string alg = model->spec.algorithm == KeyAlgorithm::kRsa     ? "RSA"
                          : model->spec.algorithm == KeyAlgorithm::kEcdsa ? "EC"
                                                                          : "ED25519";
  auto run = node->Exec(NodeKeyCreateScript(
      path, model->Dir(), model->OwnerGroup(), FormatFileMode(model->mode), alg,
      model->spec.rsa_bits, OpenSslCurve(model->spec.ecdsa_curve), "/CN=" + model->common_name));
  if (!run.ok()) {
    std::string tail = undo(false);
    return ssh_settings::AddSshError(
        Status(run.status().code(), run.status().message() + "." + tail),
        "Cannot Make the Key on the Node", *target, at_file, ctx.diags);
  }
  if (run->exit_status != 0) {
    std::string why = run->exit_status == 127
                          ? "openssl (or a tool it needs) is not installed on the node: the key is "
                            "made there with the node's own openssl. Install it (Debian: apt-get "
                            "install openssl) and apply again."
                          : "Making the key with the node's openssl failed (exit status " +
                                std::to_string(run->exit_status) + "): " + Tail(run->stderr_text);
    return ctx.diags.AddError("Cannot Make the Key on " + model->name, why + undo(false),
                              AttributePath::Root("key_algorithm"));
  }
  // What came back: the public key and a request signed with the key, both
  // checked here (the request's signature, the same public key, the
  // algorithm asked for), and the file on the node that holds it.
  auto pub = PublicKey::FromPem(ExtractPem(run->stdout_text, "PUBLIC KEY"));
  auto csr = CertificateRequest::FromPem(ExtractPem(run->stdout_text, "CERTIFICATE REQUEST"));
  std::string problem;
  if (!pub.ok()) {
    problem = "the public key it printed is not usable: " + pub.status().message();
  } else if (!csr.ok()) {
    problem = "the certificate request it printed is not usable: " + csr.status().message();
  } else if (!csr->GetPublicKey().Equals(*pub)) {
    problem = "the certificate request is not for the key made";
  } else if (pub->Spec().algorithm != model->spec.algorithm ||
             (model->spec.algorithm == KeyAlgorithm::kRsa &&
              pub->Spec().rsa_bits != model->spec.rsa_bits) ||
             (model->spec.algorithm == KeyAlgorithm::kEcdsa &&
              pub->Spec().ecdsa_curve != model->spec.ecdsa_curve)) {
    problem = "the key is " + pub->AlgorithmName() + ", not the key asked for";
  }
  std::optional<KeyFileProbe> probe;
  if (problem.empty()) {
    auto p = ProbeKeyFile(*node, path);
    if (!p.ok()) {
      problem = "looking at it failed: " + p.status().message();
    } else if (p->kind != KeyFileProbe::Kind::kKey || !p->public_key->Equals(*pub)) {
      problem = path + " is not the key made (" + StatusOf(*p, *pub) + ")";
    } else if (ModeOwner(p->stat) != model->Desired()) {
      problem = path + " is " + ModeOwner(p->stat) + ", not " + model->Desired();
    } else {
      probe = *std::move(p);
    }
  }
  if (!problem.empty()) {
    std::string tail = undo(true);
    return ctx.diags.AddError("Key Made on " + model->name + " Is Not Usable",
                              "The node's openssl ran, but " + problem + "." + tail,
                              AttributePath::Root("key_algorithm"));
  }
  auto pub_pem = pub->ToPem();
  auto csr_pem = csr->ToPem();
  if (!pub_pem.ok() || !csr_pem.ok()) {
    std::string tail = undo(true);
    return ctx.diags.AddError(
        "Cannot Encode the Public Key",
        (pub_pem.ok() ? csr_pem.status() : pub_pem.status()).message() + "." + tail);
  }
  ctx.new_state = ctx.planned.WithAttr("public_key_pem", Value::String(*pub_pem))
                      .WithAttr("cert_request_pem", Value::String(*csr_pem))
                      .WithAttr("key_status", Value::String(ModeOwner(probe->stat)));
  ctx.private_data = dir->created ? std::string("{\"") + kCreatedDir + "\":true}" : "{}";
}

namespace {

// Read of an imported key (no public key in state yet): what the node has,
// and a request for it made there.
void ReadImported(schema::ReadContext& ctx, const NodeKeyModel& model, NodeHost& node,
                  const KeyFileProbe& probe) {
  const auto at = AttributePath::Root("key_file");
  if (probe.kind != KeyFileProbe::Kind::kKey) {
    return ctx.diags.AddError("Not a Key File",
                              model.Path() + " on " + model.name + " is " + StatusOf(probe, {}) +
                                  ": there is no key to import.",
                              at);
  }
  const PublicKey& pub = *probe.public_key;
  const KeySpec& spec = pub.Spec();
  const bool ed25519 = spec.algorithm == KeyAlgorithm::kEd25519;
  auto run = node.Exec(NodeKeyRequestScript(model.Path(), "/CN=" + model.common_name, ed25519));
  if (!run.ok() || run->exit_status != 0) {
    return ctx.diags.AddError("Cannot Make a Request for the Imported Key",
                              "openssl req on " + model.name + " failed: " +
                                  (run.ok() ? Tail(run->stderr_text) : run.status().message()),
                              at);
  }
  auto csr = CertificateRequest::FromPem(ExtractPem(run->stdout_text, "CERTIFICATE REQUEST"));
  if (!csr.ok() || !csr->GetPublicKey().Equals(pub)) {
    return ctx.diags.AddError("Cannot Make a Request for the Imported Key",
                              "The request openssl made on " + model.name +
                                  " is not usable or not for the key at " + model.Path() + ".",
                              at);
  }
  auto pub_pem = pub.ToPem();
  auto csr_pem = csr->ToPem();
  if (!pub_pem.ok() || !csr_pem.ok()) {
    return ctx.diags.AddError("Cannot Encode the Public Key",
                              (pub_pem.ok() ? csr_pem.status() : pub_pem.status()).message());
  }
  // The key settings as the key is (the defaults where they do not apply,
  // as a configuration that leaves them unset plans them), and the file's
  // owner and mode as they are.
  ctx.new_state =
      ctx.current.WithAttr("public_key_pem", Value::String(*pub_pem))
          .WithAttr("cert_request_pem", Value::String(*csr_pem))
          .WithAttr("key_algorithm", Value::String(std::string(KeyAlgorithmName(spec.algorithm))))
          .WithAttr("rsa_bits", Value::Num(static_cast<int64_t>(
                                    spec.algorithm == KeyAlgorithm::kRsa ? spec.rsa_bits : 2048)))
          .WithAttr(
              "ecdsa_curve",
              Value::String(spec.algorithm == KeyAlgorithm::kEcdsa ? spec.ecdsa_curve : "P256"))
          .WithAttr("owner", Value::String(probe.stat.owner))
          .WithAttr("group", Value::String(probe.stat.group))
          .WithAttr("key_mode", Value::String(FormatFileMode(probe.stat.mode)))
          .WithAttr("key_status", Value::String(ModeOwner(probe.stat)));
}

}  // namespace

void NodeKeyResource::ImportState(schema::ImportContext& ctx) const {
  auto sep = ctx.id.find(":/");
  std::string host = sep == std::string::npos ? "" : ctx.id.substr(0, sep);
  auto path = NormalizeAbsolutePath(sep == std::string::npos ? "" : ctx.id.substr(sep + 1));
  if (host.empty() || !path.ok() || *path == "/") {
    return ctx.diags.AddError("Invalid Import ID",
                              "Import a key with the ID \"<host>:<key path>\", for example "
                              "\"10.0.0.11:/etc/mysql/certs/pxc1-key.pem\", got \"" +
                                  ctx.id + "\".");
  }
  const std::string dir = ParentDirectory(*path);
  const std::string file = path->substr(dir == "/" ? 1 : dir.size() + 1);
  std::string name = file;
  if (name.size() > 8 && name.ends_with("-key.pem")) name.resize(name.size() - 8);
  auto obj = Value::ObjectOf(schema_.ImpliedType(), {{"host", Value::String(host)},
                                                     {"name", Value::String(name)},
                                                     {"common_name", Value::String(name)},
                                                     {"cert_dir", Value::String(dir)},
                                                     {"key_file", Value::String(file)},
                                                     {"key_path", Value::String(*path)},
                                                     {"id", Value::String(host + ":" + *path)}});
  if (!obj.ok()) return ctx.diags.AddStatus(obj.status(), "Internal Provider Error");
  ctx.state = *obj;
}

void NodeKeyResource::Read(schema::ReadContext& ctx) const {
  ctx.new_state = ctx.current;
  auto model = ModelFrom(ctx.current, schema_.block);
  if (!model) return;
  auto target = ssh_settings::Resolve(ctx.current, "ssh_", model->host, model->name, ctx.provider,
                                      AttributePath(), ctx.diags);
  if (!target) return;
  auto connected = ssh_settings::Connect(connector_, *target, ctx.diags);
  if (!connected) return;
  auto probe = ProbeKeyFile(*connected, model->Path());
  if (!probe.ok()) {
    return ssh_settings::AddSshError(probe.status(), "Cannot Inspect " + model->Path(), *target,
                                     AttributePath::Root("key_status"), ctx.diags);
  }
  if (probe->kind == KeyFileProbe::Kind::kAbsent) {
    // The key is gone: plan a new one (and so a new request and certificate).
    ctx.new_state = Value::Null(ctx.current.type());
    return;
  }
  if (ctx.current.GetAttr("public_key_pem").IsNull()) {
    return ReadImported(ctx, *model, *connected, *probe);
  }
  std::optional<PublicKey> expected;
  if (auto pem = ctx.current.GetString("public_key_pem")) {
    auto k = PublicKey::FromPem(*pem);
    if (k.ok()) expected = *std::move(k);
  }
  ctx.new_state = ctx.current.WithAttr("key_status", Value::String(StatusOf(*probe, expected)));
}

void NodeKeyResource::Update(schema::ApplyContext& ctx) const {
  auto model = ModelFrom(ctx.planned, schema_.block);
  if (!model) {
    return ctx.diags.AddError("Unknown Values at Apply",
                              "Some inputs are still unknown at apply time. This is a provider "
                              "bug.");
  }
  auto target = ssh_settings::Resolve(ctx.planned, "ssh_", model->host, model->name, ctx.provider,
                                      AttributePath(), ctx.diags);
  if (!target) return;
  auto connected = ssh_settings::Connect(connector_, *target, ctx.diags);
  if (!connected) return;
  NodeHost* node = connected.get();
  const std::string path = model->Path();
  auto expected = PublicKey::FromPem(ctx.prior.GetString("public_key_pem").value_or(""));
  if (!expected.ok()) {
    return ctx.diags.AddStatus(expected.status(), "Stored Public Key Is Unreadable",
                               "Replace the resource with terraform apply -replace.",
                               AttributePath::Root("public_key_pem"));
  }
  auto check = [&]() -> std::optional<KeyFileProbe> {
    auto p = ProbeKeyFile(*node, path);
    if (!p.ok()) {
      ssh_settings::AddSshError(p.status(), "Cannot Inspect " + path, *target,
                                AttributePath::Root("key_status"), ctx.diags);
      return std::nullopt;
    }
    if (p->kind != KeyFileProbe::Kind::kKey || !p->public_key->Equals(*expected)) {
      ctx.diags.AddError("Node Key Changed Since the Plan",
                         path + " on " + model->name + " is no longer the key of public_key_pem (" +
                             StatusOf(*p, *expected) +
                             "). Nothing was changed; plan again (a missing or different key "
                             "plans a new one).",
                         AttributePath::Root("key_status"));
      return std::nullopt;
    }
    return *std::move(p);
  };
  auto probe = check();
  if (!probe) return;
  if (ModeOwner(probe->stat) != model->Desired()) {
    // The directory must still be one no other account can change before
    // root changes a file in it.
    auto report = node->InspectDirectory(model->Dir());
    if (!report.ok()) {
      return ssh_settings::AddSshError(report.status(), "Cannot Inspect " + model->Dir(), *target,
                                       AttributePath::Root("cert_dir"), ctx.diags);
    }
    if (report->symlink || report->problem) {
      return ctx.diags.AddError(
          "cert_dir Can Be Changed by Other Accounts",
          (report->symlink ? model->Dir() + " is a symbolic link" : report->refusal) +
              ". pxc does not change the key's owner or mode there. Nothing was changed on the "
              "node.",
          AttributePath::Root("cert_dir"));
    }
    auto run =
        node->Exec(NodeKeyRepairScript(path, model->OwnerGroup(), FormatFileMode(model->mode)));
    if (!run.ok()) {
      return ssh_settings::AddSshError(run.status(), "Cannot Repair " + path, *target,
                                       AttributePath::Root("key_status"), ctx.diags);
    }
    if (run->exit_status != 0) {
      return ctx.diags.AddError("Cannot Repair " + path,
                                "Setting the owner and mode of " + path + " on " + model->name +
                                    " failed (exit status " + std::to_string(run->exit_status) +
                                    "): " + Tail(run->stderr_text),
                                AttributePath::Root("key_status"));
    }
    probe = check();
    if (!probe) return;
    if (ModeOwner(probe->stat) != model->Desired()) {
      return ctx.diags.AddError("Key File Not Repaired",
                                path + " on " + model->name + " is still " +
                                    ModeOwner(probe->stat) + ", not " + model->Desired() + ".",
                                AttributePath::Root("key_status"));
    }
  }
  ctx.new_state = ctx.planned.WithAttr("key_status", Value::String(ModeOwner(probe->stat)));
  ctx.private_data = ctx.planned_private;
}

void NodeKeyResource::Delete(schema::ApplyContext& ctx) const {
  auto model = ModelFrom(ctx.prior, schema_.block);
  if (!model) return;
  auto target = ssh_settings::Resolve(ctx.prior, "ssh_", model->host, model->name, ctx.provider,
                                      AttributePath(), ctx.diags);
  if (!target) return;
  auto connected = ssh_settings::Connect(connector_, *target, ctx.diags);
  if (!connected) return;
  NodeHost* node = connected.get();
  if (Status st = node->RemoveFile(model->Path()); !st.ok()) {
    return ssh_settings::AddSshError(st, "Cannot Remove " + model->Path(), *target,
                                     AttributePath::Root("key_file"), ctx.diags);
  }
  if (ctx.planned_private.find(kCreatedDir) != std::string::npos) {
    // The directory pxc created goes too when nothing else is left in it.
    (void)node->RemoveDirectory(model->Dir());
  }
}

}  // namespace pxc::resources
