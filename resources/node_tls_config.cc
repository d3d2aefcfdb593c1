#include "resources/node_tls_config.h"

#include <algorithm>
#include <set>

#include "resources/galera/mycnf.h"
#include "resources/galera/tls_deploy.h"
#include "resources/galera/tls_options.h"
#include "resources/node_key_file.h"
#include "resources/pki/x509.h"
#include "resources/remote/path_safety.h"
#include "resources/remote/ssh_settings.h"
#include "resources/schema_names.h"
#include "schema/model.h"

namespace pxc::resources {

namespace {

constexpr char kProviderOptionsKey[] = "wsrep_provider_options";

Value StringMap(const std::map<std::string, std::string>& m) {
  std::map<std::string, Value> out;
  for (const auto& [k, v] : m) out.emplace(k, Value::String(v));
  return Value::Map(Type::String(), std::move(out));
}

// The typed model of pxc_node_tls_config: the TLS layout on the node, the
// node's address and the optional restart of a standalone server. Defaults
// come from the schema (ModelReader); the file names derived from `name`
// are the only defaults made here (FileNames).
struct NodeTlsModel {
  std::string host, restart, restart_command;
  TlsLayout layout;
};

// key_file, cert_file and ca_file as the plan will use them, and where each
// comes from: configured, or (key_file, cert_file) "<name>-key.pem" and
// "<name>-cert.pem" built from `name`, or (ca_file) the schema's default.
// `value` is nullopt while what it comes from is unknown.
struct FileName {
  const char* attr;
  std::optional<std::string> value;
  bool from_name = false;
};

// The `files` entry of a key on the node as `probe` found it.
std::string NodeKeyEntry(const KeyFileProbe& probe) {
  switch (probe.kind) {
    case KeyFileProbe::Kind::kAbsent:
      return kAbsent;
    case KeyFileProbe::Kind::kNotRegular:
      return "not a regular file: " + probe.detail;
    case KeyFileProbe::Kind::kUnreadable:
      return "unreadable " + ModeOwner(probe.stat) + ": " + probe.detail;
    case KeyFileProbe::Kind::kKey:
      break;
  }
  return "public key " + PublicKeyDigest(*probe.public_key) + " " + ModeOwner(probe.stat);
}

// The digest of cert_pem's (first certificate's) public key.
std::string CertPublicKeyDigest(const std::string& cert_pem) {
  auto cert = Certificate::FromPem(cert_pem);
  auto pub = cert.ok() ? cert->GetPublicKey() : StatusOr<PublicKey>(cert.status());
  return pub.ok() ? PublicKeyDigest(*pub) : "of cert_pem (unreadable certificate)";
}

// The expected entry of the key on the node: the public key of cert_pem,
// with key_mode, owner and group.
std::string ExpectedNodeKeyEntry(const std::string& cert_pem, uint32_t mode,
                                 const std::string& owner, const std::string& group) {
  return "public key " + CertPublicKeyDigest(cert_pem) + " " + FormatFileMode(mode) + " " + owner +
         ":" + group;
}

std::vector<FileName> FileNames(schema::ModelReader& r) {
  std::vector<FileName> out;
  const std::pair<const char*, const char*> derived[] = {{"key_file", "-key.pem"},
                                                         {"cert_file", "-cert.pem"}};
  for (const auto& [attr, suffix] : derived) {
    if (r.IsSet(attr)) {
      out.push_back({attr, r.OptString(attr), false});
    } else {
      auto name = r.OptString("name");
      out.push_back({attr, name ? std::optional<std::string>(*name + suffix) : std::nullopt, true});
    }
  }
  out.push_back({"ca_file", r.OptString("ca_file"), false});
  return out;
}

// A name pxc may join to cert_dir: no '/', not "." or "..", not empty.
bool IsPlainFileName(const std::string& f) {
  return !f.empty() && f.find('/') == std::string::npos && f != "." && f != "..";
}

// Refuses a file name that would not be a plain name in cert_dir, whether
// configured (at its own attribute) or derived from `name` (at `name`, the
// attribute to change). Values not known yet are checked when they are.
void ValidateFileNames(const Value& config, const schema::Block& block, Diagnostics& diags) {
  schema::ModelReader r(config, block);
  for (const FileName& f : FileNames(r)) {
    if (!f.value || IsPlainFileName(*f.value)) continue;
    if (!f.from_name) {
      diags.AddError("Invalid File Name", std::string(f.attr) + " must be a plain file name.",
                     AttributePath::Root(f.attr));
      continue;
    }
    diags.AddError("Invalid File Name",
                   std::string(f.attr) + " defaults to \"" + *f.value +
                       "\", built from name, which is not a plain file name: the file would not "
                       "be written into cert_dir. Set " +
                       f.attr + " to a plain file name, or use a name without '/'.",
                   AttributePath::Root("name"));
  }
}

// Reads the model from a config/plan/state value; nullopt when an input it
// needs is unknown.
std::optional<NodeTlsModel> ModelFrom(const Value& v, const schema::Block& block) {
  if (!v.IsKnown()) return std::nullopt;
  schema::ModelReader r(v, block);
  NodeTlsModel m;
  TlsLayout& l = m.layout;
  m.host = r.String("host");
  l.name = r.String("name");
  l.role = r.String("role");
  l.flavor = r.String("flavor");
  l.cert_dir = r.String("cert_dir");
  for (const FileName& f : FileNames(r)) {
    std::string& field = f.attr == std::string("key_file")    ? l.key_file
                         : f.attr == std::string("cert_file") ? l.cert_file
                                                              : l.ca_file;
    field = f.value.value_or("");
  }
  l.owner = r.String("owner");
  l.group = r.String("group");
  l.config_file = r.String("config_file");
  m.restart = r.String("restart");
  m.restart_command = r.String("restart_command");
  l.key_mode = ParseFileMode(r.String("key_mode")).value_or(0);
  l.cert_mode = ParseFileMode(r.String("cert_mode")).value_or(0);
  l.ca_pem = r.String("ca_pem");
  l.key_pem = r.OptString("key_pem");
  if (!l.key_pem) l.key_pem = r.OptString("key_pem_wo");
  l.key_managed = l.key_pem.has_value() || r.IsSet("key_pem_wo_version");
  l.cert_pem = r.OptString("cert_pem");
  (void)r.OptInt("key_pem_wo_version");
  l.key_on_node = r.Bool("key_on_node");
  if (!r.Unknown().empty()) return std::nullopt;
  if (l.key_on_node) {
    l.node_key_entry = ExpectedNodeKeyEntry(l.cert_pem.value_or(""), l.key_mode, l.owner, l.group);
  }
  return m;
}

}  // namespace

NodeTlsConfigResource::NodeTlsConfigResource(NodeConnector connector)
    : connector_(connector ? std::move(connector) : NodeConnector(ConnectSsh)) {
  auto& attrs = schema_.block.attributes;
  schema_.block.description =
      "Deploys a node's TLS files over SSH and enables TLS in its MySQL configuration, the part "
      "of the manual procedure where clusters get broken. Files are written atomically (temporary "
      "file, fsync, rename) with their owner and mode. In `my.cnf`, role `server` sets "
      "`ssl-ca`/`ssl-cert`/`ssl-key` under `[mysqld]` and merges `socket.ssl_cert`, "
      "`socket.ssl_key` and `socket.ssl_ca` INTO the existing `wsrep_provider_options` (every "
      "other provider option, such as `gcache.size`, is kept; several such lines are "
      "consolidated so nothing is lost) and removes an explicit `socket.ssl=no`, which would "
      "switch Galera TLS off whatever the files say. Per flavor: `pxc57` (Percona XtraDB "
      "Cluster 5.7, Galera 3) also writes `[sst]` `encrypt=4` with `ssl-ca`/`ssl-cert`/`ssl-key` "
      "so State Snapshot Transfer is encrypted too (xtrabackup-v2); `pxc80` (PXC 8.0) sets "
      "`pxc-encrypt-cluster-traffic=ON` instead of `socket.ssl_*` (PXC derives Galera's and "
      "SST's TLS from `[mysqld] ssl-*`); `mariadb` writes the `socket.ssl_*` options (its SST "
      "scripts take `[mysqld] ssl-*`). Before anything is written, pxc reads the files the "
      "server reads after this one (`!include`, `!includedir`) and the other sections it reads "
      "(`[server]`, `[mysqld-8.0]`, MariaDB's `[galera]`, `[mariadb]`, ...): a line there that "
      "would override a managed option is refused with its file and line; after writing, "
      "`my_print_defaults` on the node (when installed) must give pxc's values, else the file "
      "is put back. The `config` attribute shows what is in effect through those files. Role "
      "`client` sets the files under `[client]`. Drift (a file's content, mode or "
      "owner, or a managed line edited or removed) shows in the plan and apply repairs it. "
      "Destroy removes the files and what was added to `my.cnf`, restoring the rest byte for "
      "byte. The change takes effect when the server restarts: see `pxc_cluster_restart`.";
  attrs.push_back(RequiredAttr("host", Type::String())
                      .RequiresReplace()
                      .Describe("The node's address for SSH."));
  attrs.push_back(RequiredAttr("name", Type::String())
                      .Validate(schema::StringNotEmpty())
                      .Describe("The node's name (e.g. `pxc1`), used in default file names and "
                                "messages."));
  attrs.push_back(OptionalComputedAttr("role", Type::String())
                      .Default(Value::String("server"))
                      .Validate(schema::OneOf({"server", "client"}))
                      .Describe("`server` (a database node) or `client` (e.g. the load balancer "
                                "or application host)."));
  attrs.push_back(OptionalComputedAttr("flavor", Type::String())
                      .Default(Value::String("pxc57"))
                      .Validate(schema::OneOf({"pxc57", "pxc80", "mariadb"}))
                      .Describe("Server flavor: `pxc57` (default; PXC 5.7) merges the "
                                "`socket.ssl_*` provider options and encrypts SST with `[sst] "
                                "encrypt=4`; `mariadb` merges the `socket.ssl_*` provider "
                                "options; `pxc80` (PXC 8.0) sets "
                                "`pxc-encrypt-cluster-traffic=ON`. Every flavor removes an "
                                "explicit `socket.ssl=no`."));
  attrs.push_back(RequiredAttr("ca_pem", Type::String())
                      .Describe("The CA certificate, e.g. `pxc_ca.cluster.cert_pem`."));
  attrs.push_back(OptionalAttr("cert_pem", Type::String())
                      .Describe("The node's certificate (or chain), e.g. "
                                "`pxc_node_cert.pxc1.cert_pem`. Required for role `server`."));
  attrs.push_back(OptionalAttr("key_pem", Type::String())
                      .Sensitive()
                      .Describe("The node's private key. Stored in state (sensitive); see "
                                "`key_pem_wo` to avoid that. Role `server` requires `key_pem` "
                                "or `key_pem_wo`."));
  attrs.push_back(
      OptionalAttr("key_pem_wo", Type::String())
          .Sensitive()
          .WriteOnly()
          .Describe("The node's private key as a write-only value (Terraform 1.11 or later): "
                    "written to the node, never stored in state or plan, so it may come from "
                    "an ephemeral value. Drift is still detected from the node (the key file's "
                    "hash and mode in `files`); a different key in the configuration shows as "
                    "a change of `files`. Conflicts with `key_pem`; requires "
                    "`key_pem_wo_version`."));
  attrs.push_back(OptionalAttr("key_pem_wo_version", Type::Number())
                      .Describe("Version of `key_pem_wo`, any number you choose: a change "
                                "writes the current `key_pem_wo` to the node again. Required "
                                "with `key_pem_wo`."));
  attrs.push_back(
      OptionalAttr("key_on_node", Type::Bool())
          .Describe(
              "`true`: the key is already on the node as `<cert_dir>/<key_file>` (made there by "
              "`pxc_node_key`, or by hand) and no key attribute is given: pxc deploys the "
              "certificate and CA next to it and points the configuration at it, and "
              "never writes, changes or removes the key. Before anything is written, "
              "apply checks on the node (with its `openssl`, so the key never leaves it) "
              "that it is the key of `cert_pem`, with `key_mode`, `owner` and `group`; "
              "otherwise a diagnostic says what differs. Drift (key missing, another "
              "key, mode or owner) is read from the node and shown in `files` as the "
              "public key's digest with mode and owner (nothing secret). Conflicts with "
              "`key_pem`, `key_pem_wo` and `key_pem_wo_version`; requires `cert_pem`. Unset or "
              "`false`: the key comes from `key_pem` or "
              "`key_pem_wo` (role `server`)."));
  attrs.push_back(
      OptionalComputedAttr("cert_dir", Type::String())
          .Default(Value::String("/etc/mysql/certs"))
          .RequiresReplace()
          .Describe("Directory for the files. When it does not exist pxc creates it as "
                    "`root:<group>` mode 0750: mysqld reads the files through the group, "
                    "and no account but root can add, rename or remove entries, so none "
                    "can redirect pxc's writes (as root) to another file. Destroy removes "
                    "it again when nothing else is left in it. An existing directory is "
                    "used as it is (pxc never changes its owner or mode) and must not be "
                    "changeable by any account but root: the directory and each parent "
                    "must be owned by root and not writable by group or others, else "
                    "apply refuses and says how to fix it. Symbolic links and system "
                    "directories (`/`, `/etc`, `/etc/mysql`, `/usr`, `/var/lib/mysql`, "
                    "...) are refused. Keep it outside the datadir: SST overwrites the "
                    "datadir."));
  attrs.push_back(OptionalComputedAttr("key_file", Type::String())
                      .Describe("Key file name. Default `<name>-key.pem`, which must then be "
                                "a plain file name like a configured one."));
  attrs.push_back(OptionalComputedAttr("cert_file", Type::String())
                      .Describe("Certificate file name. Default `<name>-cert.pem`, which must "
                                "then be a plain file name like a configured one."));
  attrs.push_back(OptionalComputedAttr("ca_file", Type::String())
                      .Default(Value::String("ca-cert.pem"))
                      .Describe("CA file name."));
  attrs.push_back(OptionalComputedAttr("owner", Type::String())
                      .Default(Value::String("mysql"))
                      .Describe("Owner of the files (cert_dir itself belongs to root). "
                                "Default `mysql`."));
  attrs.push_back(OptionalComputedAttr("group", Type::String())
                      .Default(Value::String("mysql"))
                      .Describe("Group of the files and of the cert_dir pxc creates. "
                                "Default `mysql`."));
  attrs.push_back(OptionalComputedAttr("key_mode", Type::String())
                      .Default(Value::String("0600"))
                      .Describe("Mode of the key file, octal: `0600` (default) or `0640`."));
  attrs.push_back(OptionalComputedAttr("cert_mode", Type::String())
                      .Default(Value::String("0644"))
                      .Describe("Mode of the certificate and CA files, octal. Default `0644`; "
                                "`0640` matches the manual procedure's `o-rwx`."));
  attrs.push_back(OptionalComputedAttr("config_file", Type::String())
                      .Default(Value::String(kDefaultConfigFile))
                      .RequiresReplace()
                      .Describe("The option file edited in place. A copy of the original is "
                                "kept as `<config_file>.pxc.bak` until destroy."));
  attrs.push_back(OptionalComputedAttr("restart", Type::String())
                      .Default(Value::String("none"))
                      .Validate(schema::OneOf({"none", "restart"}))
                      .Describe("`none` (default: restart the cluster with "
                                "`pxc_cluster_restart`) or `restart` (run `restart_command` after "
                                "a change; for standalone servers)."));
  attrs.push_back(OptionalComputedAttr("restart_command", Type::String())
                      .Default(Value::String("service mysql restart"))
                      .Describe("Command run on the node when `restart = \"restart\"`."));
  ssh_settings::AddConnectionAttributes(attrs, "ssh_");
  attrs.push_back(
      ComputedAttr("id", Type::String()).UseStateForUnknown().Describe("`<host>:<config_file>`."));
  attrs.push_back(ComputedAttr("files", Type::Map(Type::String()))
                      .Describe("Each managed file's path with `sha256:<hex> <mode> "
                                "<owner>:<group>` as found on the node, and `<cert_dir>/` with "
                                "`directory not writable by other accounts` (or what is wrong "
                                "with it); a difference from the configuration shows as "
                                "drift."));
  attrs.push_back(ComputedAttr("config", Type::Map(Type::String()))
                      .Describe("Each managed option (`[section] key` or `[section] "
                                "wsrep_provider_options: name`) with its value as found on the "
                                "node, `(absent)` when missing."));
}

void NodeTlsConfigResource::ValidateConfig(const Value& config, Diagnostics& diags) const {
  if (!config.IsKnown()) return;
  schema::ValidateWriteOnlyVersioned(
      config, "key_pem", "key_pem_wo", "key_pem_wo_version", "the key",
      "so the key is known to be managed from key_pem_wo_version, and a change of it writes the "
      "key again.",
      diags);
  const bool key_on_node = config.GetBool("key_on_node") == std::optional<bool>(true);
  if (key_on_node) {
    for (const char* n : {"key_pem", "key_pem_wo", "key_pem_wo_version"}) {
      if (!config.GetAttr(n).IsNull()) {
        diags.AddError("Conflicting Attributes",
                       std::string(n) +
                           " cannot be set with key_on_node = true: the key is the one already "
                           "on the node, and pxc does not write it.",
                       AttributePath::Root(n));
      }
    }
    if (config.GetAttr("cert_pem").IsNull()) {
      diags.AddError("Missing Attribute",
                     "key_on_node = true requires cert_pem: the certificate deployed next to "
                     "the key, which must be its certificate.",
                     AttributePath::Root("cert_pem"));
    }
  }
  const bool has_key = !config.GetAttr("key_pem").IsNull() ||
                       !config.GetAttr("key_pem_wo").IsNull() || key_on_node ||
                       config.GetAttr("key_on_node").IsUnknown();
  schema::ModelReader r(config, schema_.block);
  if (r.IsUnknown("role") || r.String("role") == "server") {
    if (config.GetAttr("cert_pem").IsNull()) {
      diags.AddError("Missing Attribute",
                     "cert_pem is required for role \"server\": a database node needs its own "
                     "certificate and key.",
                     AttributePath::Root("cert_pem"));
    }
    if (!has_key) {
      diags.AddError("Missing Attribute",
                     "key_pem (or the write-only key_pem_wo, or key_on_node = true for a key "
                     "already on the node, e.g. from pxc_node_key) is required for role "
                     "\"server\": a database node needs its own certificate and key.",
                     AttributePath::Root("key_pem"));
    }
  }
  if ((config.GetAttr("cert_pem").IsNull()) == has_key &&
      config.GetString("role") == std::optional<std::string>("client")) {
    diags.AddError(
        "Incomplete Client Identity", "Give both cert_pem and key_pem (or key_pem_wo), or neither.",
        AttributePath::Root(config.GetAttr("cert_pem").IsNull() ? "cert_pem" : "key_pem"));
  }
  for (const char* n : {"key_mode", "cert_mode"}) {
    if (auto m = config.GetString(n); m && !ParseFileMode(*m)) {
      diags.AddError("Invalid File Mode",
                     std::string(n) + " must be an octal mode like \"0600\", got \"" + *m + "\".",
                     AttributePath::Root(n));
    }
  }
  if (auto m = config.GetString("key_mode"); m && ParseFileMode(*m) && (*ParseFileMode(*m) & 07)) {
    diags.AddError("Private Key Readable by Others",
                   "key_mode " + *m +
                       " lets every user of the node read the private key; use "
                       "0600 or 0640.",
                   AttributePath::Root("key_mode"));
  }
  for (const char* n : {"cert_dir", "config_file"}) {
    if (auto p = config.GetString(n); p && (p->empty() || (*p)[0] != '/')) {
      diags.AddError("Path Must Be Absolute", std::string(n) + " must be an absolute path.",
                     AttributePath::Root(n));
    }
  }
  if (auto dir = config.GetString("cert_dir"); dir && !dir->empty() && (*dir)[0] == '/') {
    auto norm = NormalizeAbsolutePath(*dir);
    std::string plain = *dir;
    while (plain.size() > 1 && plain.ends_with('/')) plain.pop_back();
    auto config_dir = NormalizeAbsolutePath(ParentDirectory(r.String("config_file")));
    if (!norm.ok()) {
      diags.AddError("Invalid cert_dir", "cert_dir " + norm.status().message() + ".",
                     AttributePath::Root("cert_dir"));
    } else if (plain != *norm) {
      diags.AddError(
          "Invalid cert_dir",
          "Write cert_dir as a plain absolute path: \"" + *norm + "\", not \"" + *dir + "\".",
          AttributePath::Root("cert_dir"));
    } else if (IsSystemDirectory(*norm) || (config_dir.ok() && *config_dir == *norm)) {
      diags.AddError(
          "System Directory as cert_dir",
          "cert_dir \"" + *dir +
              "\" is a system directory (or the directory of config_file). pxc writes the node's "
              "key and certificates into cert_dir and removes them on destroy, and it never "
              "changes the owner or mode of a directory it did not create; keeping them among the "
              "system's files is refused. Use a directory of their own, e.g. "
              "\"/etc/mysql/certs\" (pxc creates it as root:<group> 0750).",
          AttributePath::Root("cert_dir"));
    }
  }
  ValidateFileNames(config, schema_.block, diags);
  for (const char* n : {"ca_pem", "cert_pem"}) {
    if (auto pem = config.GetString(n);
        pem && pem->find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
      diags.AddError("Not a PEM Certificate",
                     std::string(n) +
                         " must hold a PEM certificate (\"-----BEGIN "
                         "CERTIFICATE-----\").",
                     AttributePath::Root(n));
    }
  }
  for (const char* n : {"key_pem", "key_pem_wo"}) {
    if (auto pem = config.GetString(n); pem && pem->find("PRIVATE KEY-----") == std::string::npos) {
      diags.AddError("Not a PEM Private Key", std::string(n) + " must hold a PEM private key.",
                     AttributePath::Root(n));
    }
  }
}

void NodeTlsConfigResource::ModifyPlan(schema::PlanContext& ctx) const {
  // The file names the plan will use, derived ones included, get the checks
  // of configured ones now that `name` is known.
  ValidateFileNames(ctx.config, schema_.block, ctx.diags);
  if (ctx.diags.HasError()) return;
  schema::ModelReader r(ctx.config, schema_.block);
  for (const FileName& f : FileNames(r)) {
    if (f.from_name && f.value) ctx.planned = ctx.planned.WithAttr(f.attr, Value::String(*f.value));
  }
  auto model = ModelFrom(ctx.planned, schema_.block);
  if (!model) return;  // unknown inputs: the pipeline left the outputs unknown
  const TlsLayout* layout = &model->layout;
  ctx.planned = ctx.planned.WithAttr("id", Value::String(model->host + ":" + layout->config_file))
                    .WithAttr("files", StringMap(layout->DesiredFiles()))
                    .WithAttr("config", StringMap(layout->DesiredConfig()));
}

void NodeTlsConfigResource::Create(schema::ApplyContext& ctx) const { Apply(ctx, true); }
void NodeTlsConfigResource::Update(schema::ApplyContext& ctx) const { Apply(ctx, false); }

void NodeTlsConfigResource::Apply(schema::ApplyContext& ctx, bool creating) const {
  auto model = ModelFrom(ctx.planned, schema_.block);
  if (!model) {
    return ctx.diags.AddError(
        "Unknown Values at Apply",
        "Some inputs are still unknown at apply time." + std::string(" This is a provider bug."));
  }
  const TlsLayout* layout = &model->layout;
  if (layout->key_managed && !layout->key_pem) {
    return ctx.diags.AddError("Key Not Available",
                              "key_pem_wo_version is set but no key_pem_wo reached the provider "
                              "at apply. Nothing was changed on the node.",
                              AttributePath::Root("key_pem_wo"));
  }
  auto target = ssh_settings::Resolve(ctx.planned, "ssh_", model->host, layout->name, ctx.provider,
                                      AttributePath(), ctx.diags);
  if (!target) return;
  auto prior_private = DecodePrivate(ctx.planned_private);
  if (!prior_private.ok()) {
    return ctx.diags.AddStatus(prior_private.status(), "Unreadable Private State",
                               "Remove the resource from state and apply again.");
  }
  auto connected = ssh_settings::Connect(connector_, *target, ctx.diags);
  if (!connected) return;
  NodeHost* session = connected.get();
  // 0. A key already on the node must be the certificate's, with its mode
  //    and owner, before anything points the server at it.
  if (layout->key_on_node) {
    auto probe = ProbeKeyFile(*session, layout->KeyPath());
    if (!probe.ok()) {
      return ssh_settings::AddSshError(probe.status(), "Cannot Inspect " + layout->KeyPath(),
                                       *target, AttributePath::Root("key_on_node"), ctx.diags);
    }
    const std::string found = NodeKeyEntry(*probe);
    if (found != layout->node_key_entry) {
      const std::string where =
          layout->KeyPath() + " on " + layout->name + " (" + model->host + ")";
      std::string summary, detail;
      if (probe->kind == KeyFileProbe::Kind::kAbsent) {
        summary = "No Key on the Node";
        detail = where +
                 " does not exist. key_on_node = true deploys the certificate next to a key "
                 "already there: make it with pxc_node_key (same cert_dir and key_file), or "
                 "give the key with key_pem_wo.";
      } else if (probe->kind != KeyFileProbe::Kind::kKey) {
        summary = "Key on the Node Is Not Usable";
        detail = where + " is " + found + ".";
      } else if (auto cert_key = CertPublicKeyDigest(layout->cert_pem.value_or(""));
                 PublicKeyDigest(*probe->public_key) != cert_key) {
        summary = "Key on the Node Does Not Match the Certificate";
        detail = where + " has the public key " + PublicKeyDigest(*probe->public_key) +
                 ", cert_pem the public key " + cert_key +
                 ": the server would refuse to start with them. Sign the key's own request "
                 "(pxc_node_cert's cert_request_pem = pxc_node_key's cert_request_pem).";
      } else {
        summary = "Key File Mode or Owner Differs";
        detail = where + " is " + ModeOwner(probe->stat) + "; key_mode, owner and group say " +
                 FormatFileMode(layout->key_mode) + " " + layout->owner + ":" + layout->group +
                 ". pxc_node_tls_config does not change a key it did not write: pxc_node_key "
                 "repairs it on apply (or set it with chown/chmod on the node).";
      }
      return ctx.diags.AddError(summary, detail + " Nothing was changed on the node.",
                                AttributePath::Root("key_on_node"));
    }
  }
  // 1. Read and edit my.cnf in memory: any problem stops here, before the
  //    node is touched.
  auto cnf_text = session->ReadFile(layout->config_file);
  if (!cnf_text.ok()) {
    return ssh_settings::AddSshError(cnf_text.status(), "Cannot Read " + layout->config_file,
                                     *target, AttributePath::Root("config_file"), ctx.diags);
  }
  if (!cnf_text->has_value()) {
    return ctx.diags.AddError("Configuration File Not Found",
                              layout->config_file + " does not exist on " + layout->name + " (" +
                                  model->host +
                                  "). Set config_file to the server's option "
                                  "file. Nothing was changed on the node.",
                              AttributePath::Root("config_file"));
  }
  const std::string original_text = **cnf_text;
  auto doc = Document::Parse(original_text);
  if (!doc.ok()) {
    return ctx.diags.AddStatus(doc.status(), "Cannot Parse " + layout->config_file,
                               "Nothing was changed on the node.",
                               AttributePath::Root("config_file"));
  }
  if (layout->role == "server" && !doc->HasSection("mysqld")) {
    return ctx.diags.AddError(
        "No [mysqld] Section",
        layout->config_file + " on " + layout->name + " (" + model->host +
            ") has no [mysqld] section, so it is probably not the server's option file (it may "
            "only include others). Set config_file to the file that holds [mysqld]. Nothing was "
            "changed on the node.",
        AttributePath::Root("config_file"));
  }
  if (doc->FindAll(layout->Section(), kProviderOptionsKey).size() > 1) {
    ctx.diags.AddWarning("Several wsrep_provider_options Lines",
                         layout->config_file + " on " + layout->name +
                             " has several wsrep_provider_options lines; Galera only reads the "
                             "last, silently resetting the others. pxc consolidates them into "
                             "one line (the earlier ones are commented out, nothing is lost).",
                         AttributePath::Root("config_file"));
  }
  Document edited = *doc;
  if (!creating) {
    UndoReport undo = UndoManaged(&edited, prior_private->edits);
    for (const auto& c : undo.conflicts) {
      ctx.diags.AddWarning("Managed Configuration Was Changed on the Node", c.message,
                           AttributePath::Root("config"));
    }
  }
  auto records = ApplyManaged(&edited, layout->Desired());
  if (!records.ok()) {
    return ctx.diags.AddStatus(records.status(), "Cannot Edit " + layout->config_file,
                               "Nothing was changed on the node.",
                               AttributePath::Root("config_file"));
  }
  // What the server will read: the edited file and every file it includes.
  // A managed option that a line read later overrides (an included file,
  // another section the server reads) is refused with its file and line
  // before anything is changed: pxc must never report TLS on while the
  // server would run without it.
  auto tree = ReadTree(*session, layout->config_file, edited);
  if (!tree.ok()) {
    return ssh_settings::AddSshError(tree.status(),
                                     "Cannot Read the Files " + layout->config_file + " Includes",
                                     *target, AttributePath::Root("config_file"), ctx.diags);
  }
  if (auto conflicts = layout->Conflicts(*tree); !conflicts.empty()) {
    std::string d;
    for (const auto& c : conflicts) d += "\n  - " + c;
    return ctx.diags.AddError(
        "Conflicting Option Overrides pxc's Setting",
        "On " + layout->name + " (" + model->host + "), the server would not use what pxc " +
            "writes to " + layout->config_file + ":" + d + "\npxc only edits " +
            layout->config_file +
            ". Remove or change those lines (or set config_file to the file the server reads "
            "last) and apply again. Nothing was changed on the node.",
        AttributePath::Root("config_file"));
  }
  auto cnf_stat = session->Stat(layout->config_file);
  if (!cnf_stat.ok() || !cnf_stat->has_value()) {
    return ssh_settings::AddSshError(
        cnf_stat.ok() ? NotFoundError(layout->config_file + " vanished") : cnf_stat.status(),
        "Cannot Stat " + layout->config_file, *target, AttributePath::Root("config_file"),
        ctx.diags);
  }

  // 2. Files, each written atomically.
  PrivateData next_private;
  next_private.edits = *records;
  next_private.backup = prior_private->backup;
  // A create that fails part way removes what it made (files and, when it
  // created it, the directory), so a failed apply leaves nothing partial.
  bool made_dir = false;
  auto dir_record =
      PrepareCertDir(*session, *layout, *target, *prior_private, creating, &made_dir, ctx.diags);
  if (!dir_record) return;
  next_private.cert_dir = dir_record;
  Status st;
  std::vector<std::string> written;
  for (const auto& f : layout->Files()) {
    st = session->WriteFileAtomic(f.path, f.content, f.mode, layout->owner, layout->group);
    if (!st.ok()) {
      if (creating) {
        bool clean = true;
        for (const auto& w : written) clean &= session->RemoveFile(w).ok();
        if (made_dir) {
          auto r = session->RemoveDirectory(layout->Dir());
          clean &= r.ok() && *r;
        }
        st = Status(st.code(), st.message() + (clean ? ". Nothing was left on the node: the "
                                                       "files written before it were removed "
                                                       "and the configuration was not changed"
                                                     : ". The configuration was not changed"));
      }
      return ssh_settings::AddSshError(
          st, "Cannot Write " + f.path, *target,
          AttributePath::Root(f.path == layout->KeyPath() ? "key_pem" : "cert_dir"), ctx.diags);
    }
    written.push_back(f.path);
  }
  next_private.files = written;
  // Files of the prior layout that are no longer used. A key pxc wrote
  // before and now finds in place as the node's own (key_on_node) stays:
  // the configuration points at it.
  for (const auto& old : prior_private->files) {
    if (layout->key_on_node && old == layout->KeyPath()) continue;
    if (std::find(written.begin(), written.end(), old) == written.end()) {
      (void)session->RemoveFile(old);
    }
  }

  // 3. my.cnf: keep the original once, then replace atomically.
  const std::string new_text = edited.Serialize();
  if (new_text != original_text) {
    const auto& stat = **cnf_stat;
    if (next_private.backup.empty()) {
      std::string backup = layout->config_file + ".pxc.bak";
      st = session->WriteFileAtomic(backup, original_text, stat.mode, stat.owner, stat.group);
      if (!st.ok()) {
        return ssh_settings::AddSshError(st, "Cannot Back Up " + layout->config_file, *target,
                                         AttributePath::Root("config_file"), ctx.diags);
      }
      next_private.backup = backup;
    }
    st = session->WriteFileAtomic(layout->config_file, new_text, stat.mode, stat.owner, stat.group);
    if (!st.ok()) {
      return ssh_settings::AddSshError(st, "Cannot Write " + layout->config_file, *target,
                                       AttributePath::Root("config_file"), ctx.diags);
    }
    // The server's own reader has the last word: my_print_defaults (as the
    // server reads its groups, following includes) must give pxc's values.
    // When it does not, the file goes back to what it was.
    if (auto wrong = CheckWithPrintDefaults(*session, *layout); !wrong.empty()) {
      Status back = session->WriteFileAtomic(layout->config_file, original_text, stat.mode,
                                             stat.owner, stat.group);
      std::string d;
      for (const auto& w : wrong) d += "\n  - " + w;
      return ctx.diags.AddError(
          "Configuration Not in Effect",
          "After writing " + layout->config_file + " on " + layout->name +
              ", my_print_defaults (which reads the options as the server does) does not give "
              "pxc's values:" +
              d + "\n" +
              (back.ok() ? layout->config_file + " was put back as it was"
                         : "Putting " + layout->config_file + " back failed: " + back.message()) +
              ". Find what else sets these options and apply again.",
          AttributePath::Root("config_file"));
    }
  }

  Value next = ctx.planned;
  next = next.WithAttr("id", Value::String(model->host + ":" + layout->config_file))
             .WithAttr("files", StringMap(layout->DesiredFiles()))
             .WithAttr("config", StringMap(layout->ActualConfig(*tree)));
  ctx.new_state = next;
  ctx.private_data = EncodePrivate(next_private);
  if (next.GetAttr("config") != StringMap(layout->DesiredConfig())) {
    ctx.diags.AddError("Configuration Not Applied",
                       "After editing, " + layout->config_file + " on " + layout->name +
                           " does not hold the managed values. This is a provider bug.");
    return;
  }

  // 4. Optional restart of a standalone server.
  if (model->restart == "restart" && new_text != original_text) {
    auto res = session->Exec(model->restart_command);
    if (!res.ok() || res->exit_status != 0) {
      ctx.diags.AddError(
          "Restart Failed",
          "The files and configuration are in place on " + layout->name + " (" + model->host +
              "), but `" + model->restart_command + "` failed" +
              (res.ok() ? " with exit status " + std::to_string(res->exit_status) + ": " +
                              res->stderr_text
                        : ": " + res.status().message()) +
              ". THE SERVER MAY BE DOWN: check it now (e.g. `service mysql status`).",
          AttributePath::Root("restart_command"));
    }
  }
}

void NodeTlsConfigResource::Read(schema::ReadContext& ctx) const {
  ctx.new_state = ctx.current;
  auto model = ModelFrom(ctx.current, schema_.block);
  if (!model) return;
  const TlsLayout* layout = &model->layout;
  auto target = ssh_settings::Resolve(ctx.current, "ssh_", model->host, layout->name, ctx.provider,
                                      AttributePath(), ctx.diags);
  if (!target) return;
  auto connected = ssh_settings::Connect(connector_, *target, ctx.diags);
  if (!connected) return;
  NodeHost* session = connected.get();
  std::map<std::string, std::string> files;
  bool any_file = false;
  for (const auto& f : layout->Files()) {
    auto stat = session->Stat(f.path);
    if (!stat.ok()) {
      return ssh_settings::AddSshError(stat.status(), "Cannot Inspect " + f.path, *target,
                                       AttributePath::Root("files"), ctx.diags);
    }
    if (!stat->has_value()) {
      files[f.path] = kAbsent;
      continue;
    }
    auto content = session->ReadFile(f.path);
    if (!content.ok()) {
      return ssh_settings::AddSshError(content.status(), "Cannot Read " + f.path, *target,
                                       AttributePath::Root("files"), ctx.diags);
    }
    any_file = true;
    const auto& s = **stat;
    files[f.path] = "sha256:" + Sha256Hex(content->value_or("")) + " " + FormatFileMode(s.mode) +
                    " " + s.owner + ":" + s.group;
  }
  if (layout->key_on_node) {
    // The key pxc did not write: read from the node (its public key, mode
    // and owner), never from state. Not counted in any_file: it is not
    // pxc_node_tls_config's.
    auto probe = ProbeKeyFile(*session, layout->KeyPath());
    if (!probe.ok()) {
      return ssh_settings::AddSshError(probe.status(), "Cannot Inspect " + layout->KeyPath(),
                                       *target, AttributePath::Root("files"), ctx.diags);
    }
    files[layout->KeyPath()] = NodeKeyEntry(*probe);
  }
  auto dir = session->InspectDirectory(layout->Dir());
  if (!dir.ok()) {
    return ssh_settings::AddSshError(dir.status(), "Cannot Inspect " + layout->Dir(), *target,
                                     AttributePath::Root("files"), ctx.diags);
  }
  files[layout->DirKey()] = DirectoryVerdict(*dir);
  if (dir->exists && DirectoryVerdict(*dir) != kSafeDirectory) {
    auto priv = DecodePrivate(ctx.private_data);
    bool pxc_made = priv.ok() && ((priv->cert_dir && priv->cert_dir->created) || priv->legacy);
    ctx.diags.AddWarning(
        "cert_dir Can Be Changed by Other Accounts",
        (dir->symlink ? layout->Dir() + " on " + layout->name + " is a symbolic link"
                      : dir->refusal) +
            ". " +
            (pxc_made ? "The next apply makes it root:" + layout->group + " " +
                            FormatFileMode(kCertDirMode) + ", as pxc creates it."
                      : "pxc did not create it and does not change it: the next apply refuses "
                        "to write into it until it is fixed."),
        AttributePath::Root("cert_dir"));
  }
  auto text = session->ReadFile(layout->config_file);
  if (!text.ok()) {
    return ssh_settings::AddSshError(text.status(), "Cannot Read " + layout->config_file, *target,
                                     AttributePath::Root("config_file"), ctx.diags);
  }
  // What is in effect: the file and what it includes (a line an included
  // file adds later shows as drift).
  std::vector<TreeOption> tree;
  if (text->has_value()) {
    auto parsed = Document::Parse(**text);
    if (parsed.ok()) {
      auto t = ReadTree(*session, layout->config_file, *parsed);
      if (!t.ok()) {
        return ssh_settings::AddSshError(
            t.status(), "Cannot Read the Files " + layout->config_file + " Includes", *target,
            AttributePath::Root("config_file"), ctx.diags);
      }
      tree = *std::move(t);
    }
  }
  auto config = layout->ActualConfig(tree);
  bool any_config = false;
  for (const auto& [k, v] : config) any_config |= v != kAbsent;
  if (!any_file && !any_config) {
    // Nothing pxc made is there any more: plan to create it again.
    ctx.new_state = Value::Null(ctx.current.type());
    return;
  }
  ctx.new_state =
      ctx.current.WithAttr("files", StringMap(files)).WithAttr("config", StringMap(config));
}

void NodeTlsConfigResource::Delete(schema::ApplyContext& ctx) const {
  auto model = ModelFrom(ctx.prior, schema_.block);
  if (!model) return;
  const TlsLayout* layout = &model->layout;
  auto target = ssh_settings::Resolve(ctx.prior, "ssh_", model->host, layout->name, ctx.provider,
                                      AttributePath(), ctx.diags);
  if (!target) return;
  auto priv = DecodePrivate(ctx.planned_private);
  if (!priv.ok()) {
    return ctx.diags.AddStatus(priv.status(), "Unreadable Private State",
                               "Remove the managed lines by hand (see " + layout->config_file +
                                   ".pxc.bak) and run terraform state rm.");
  }
  auto connected = ssh_settings::Connect(connector_, *target, ctx.diags);
  if (!connected) return;
  NodeHost* session = connected.get();
  auto text = session->ReadFile(layout->config_file);
  if (!text.ok()) {
    return ssh_settings::AddSshError(text.status(), "Cannot Read " + layout->config_file, *target,
                                     AttributePath::Root("config_file"), ctx.diags);
  }
  if (text->has_value()) {
    auto doc = Document::Parse(**text);
    if (!doc.ok()) {
      return ctx.diags.AddStatus(doc.status(), "Cannot Parse " + layout->config_file);
    }
    UndoReport undo = UndoManaged(&*doc, priv->edits);
    for (const auto& c : undo.conflicts) {
      ctx.diags.AddWarning("Configuration Left in Place", c.message,
                           AttributePath::Root("config_file"));
    }
    std::string restored = doc->Serialize();
    if (restored != **text) {
      auto stat = session->Stat(layout->config_file);
      if (!stat.ok() || !stat->has_value()) {
        return ssh_settings::AddSshError(stat.ok() ? NotFoundError("vanished") : stat.status(),
                                         "Cannot Stat " + layout->config_file, *target,
                                         AttributePath::Root("config_file"), ctx.diags);
      }
      Status st = session->WriteFileAtomic(layout->config_file, restored, (*stat)->mode,
                                           (*stat)->owner, (*stat)->group);
      if (!st.ok()) {
        return ssh_settings::AddSshError(st, "Cannot Write " + layout->config_file, *target,
                                         AttributePath::Root("config_file"), ctx.diags);
      }
    }
  }
  std::vector<std::string> files = priv->files;
  if (files.empty()) {
    for (const auto& f : layout->Files()) files.push_back(f.path);
  }
  for (const auto& f : files) {
    Status st = session->RemoveFile(f);
    if (!st.ok()) {
      return ssh_settings::AddSshError(st, "Cannot Remove " + f, *target,
                                       AttributePath::Root("cert_dir"), ctx.diags);
    }
  }
  // The directory pxc created goes too, when nothing else is left in it (a
  // directory it found stays exactly as it was).
  if (priv->cert_dir && priv->cert_dir->created && priv->cert_dir->path == layout->Dir()) {
    auto removed = session->RemoveDirectory(layout->Dir());
    if (!removed.ok()) {
      ctx.diags.AddWarning("cert_dir Left in Place",
                           "pxc created " + layout->Dir() + " on " + layout->name +
                               " but could not remove it: " + removed.status().message(),
                           AttributePath::Root("cert_dir"));
    }
  }
  if (!priv->backup.empty()) (void)session->RemoveFile(priv->backup);
  // The copy pxc_cluster_restart keeps of the configuration the node last
  // started with (its rollback source) and its rolling-pass marker go with
  // the configuration.
  (void)session->RemoveFile(layout->config_file + ".pxc.good");
  (void)session->RemoveFile(layout->config_file + ".pxc.dynamic");
}

}  // namespace pxc::resources
