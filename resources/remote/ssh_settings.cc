#include "resources/remote/ssh_settings.h"

namespace pxc::resources::ssh_settings {

using schema::AttributePath;
using schema::OptionalAttr;
using schema::Type;
using schema::Value;

void AddConnectionAttributes(std::vector<schema::Attribute>& attrs, const std::string& p) {
  attrs.push_back(OptionalAttr(p + "port", Type::Number())
                      .Validate(schema::IntBetween(1, 65535))
                      .Describe("SSH port. Default 22."));
  attrs.push_back(OptionalAttr(p + "user", Type::String()).Describe("SSH user. Default `root`."));
  attrs.push_back(OptionalAttr(p + "private_key", Type::String())
                      .Sensitive()
                      .Describe("SSH private key (OpenSSH or PEM format), used from memory."));
  attrs.push_back(OptionalAttr(p + "private_key_passphrase", Type::String())
                      .Sensitive()
                      .Describe("Passphrase of `private_key`."));
  attrs.push_back(OptionalAttr(p + "password", Type::String())
                      .Sensitive()
                      .Describe("SSH password (tried after the key and the agent)."));
  attrs.push_back(OptionalAttr(p + "use_agent", Type::Bool())
                      .Describe("Authenticate with the agent at `SSH_AUTH_SOCK`."));
  attrs.push_back(OptionalAttr(p + "host_key", Type::String())
                      .Describe("The node's SSH host public key(s), e.g. `ssh-ed25519 AAAA…`, "
                                "one per line. A line as ssh-keyscan prints it (`<host> "
                                "<type> <base64>`) pins the key for the host it names only."));
  attrs.push_back(OptionalAttr(p + "known_hosts", Type::String())
                      .Describe("known_hosts content used to verify the node's host key."));
  attrs.push_back(OptionalAttr(p + "insecure_ignore_host_key", Type::Bool())
                      .Describe(p.empty() ? "Skip host key verification. Off by default; only for "
                                            "labs. Does not apply to a resource that pins its own "
                                            "`ssh_host_key` or `ssh_known_hosts`."
                                          : "Skip host key verification. Off by default; only for "
                                            "labs. The provider's setting does not apply when this "
                                            "resource sets `" +
                                                p + "host_key` or `" + p + "known_hosts`."));
  attrs.push_back(OptionalAttr(p + "sudo", Type::Bool())
                      .Describe("Run commands and file operations through `sudo -n` (for a "
                                "non-root user)."));
  attrs.push_back(OptionalAttr(p + "connect_timeout_seconds", Type::Number())
                      .Validate(schema::IntBetween(1, 600))
                      .Describe("Timeout for connecting and authenticating. Default 15."));
  attrs.push_back(OptionalAttr(p + "command_timeout_seconds", Type::Number())
                      .Validate(schema::IntBetween(1, 86400))
                      .Describe("Timeout for each remote command or file operation. Default 300."));
}

schema::NestedBlock ProviderSshBlock() {
  schema::NestedBlock b;
  b.type_name = "ssh";
  b.nesting = schema::Nesting::kSingle;
  b.block.description =
      "Defaults for the SSH connection to nodes; each resource can override any of them with "
      "its `ssh_*` attributes.";
  AddConnectionAttributes(b.block.attributes, "");
  return b;
}

namespace {

// The value of `name`: the resource's `prefix+name`, else the provider ssh
// block's `name`.
Value Pick(const Value& obj, const std::string& prefix, const std::string& name,
           const Value& provider_ssh) {
  Value v = obj.GetAttr(prefix + name);
  if (!v.IsNull()) return v;
  if (provider_ssh.IsKnown()) return provider_ssh.GetAttr(name);
  return Value::Null(v.type());
}

}  // namespace

std::optional<SshTarget> Resolve(const Value& obj, const std::string& prefix,
                                 const std::string& host, const std::string& label,
                                 const schema::ProviderContext& provider, const AttributePath& at,
                                 schema::Diagnostics& diags) {
  Value pssh = Value::Null(Type::Dynamic());
  if (provider.config.IsKnown() && provider.config.type().attributes().count("ssh")) {
    pssh = provider.config.GetAttr("ssh");
  }
  auto str = [&](const char* n) {
    Value v = Pick(obj, prefix, n, pssh);
    return v.IsKnown() ? v.AsString() : std::string();
  };
  auto num = [&](const char* n, int64_t def) {
    Value v = Pick(obj, prefix, n, pssh);
    return v.IsKnown() && v.AsNumber().IsInt64() ? v.AsNumber().AsInt64() : def;
  };
  auto flag = [&](const char* n) {
    Value v = Pick(obj, prefix, n, pssh);
    return v.IsKnown() && v.AsBool();
  };
  SshTarget t;
  t.host = host;
  t.label = label;
  t.port = static_cast<int>(num("port", 22));
  t.user = str("user");
  if (t.user.empty()) t.user = "root";
  t.private_key_pem = str("private_key");
  t.private_key_passphrase = str("private_key_passphrase");
  t.password = str("password");
  t.use_agent = flag("use_agent");
  t.host_key = str("host_key");
  t.known_hosts = str("known_hosts");
  // Keys pinned on the object itself win over a provider-wide opt-out: only
  // the object's own insecure_ignore_host_key can turn its pins off.
  const bool pinned_here =
      !obj.GetAttr(prefix + "host_key").IsNull() || !obj.GetAttr(prefix + "known_hosts").IsNull();
  if (pinned_here) {
    Value own = obj.GetAttr(prefix + "insecure_ignore_host_key");
    t.insecure_ignore_host_key = own.IsKnown() && own.AsBool();
  } else {
    t.insecure_ignore_host_key = flag("insecure_ignore_host_key");
  }
  t.sudo = flag("sudo");
  t.connect_timeout_seconds = static_cast<int>(num("connect_timeout_seconds", 15));
  t.command_timeout_seconds = static_cast<int>(num("command_timeout_seconds", 300));
  if (t.host_key.empty() && t.known_hosts.empty() && !t.insecure_ignore_host_key) {
    diags.AddError(
        "No Host Key Verification",
        "The SSH connection to " + label + " (" + host +
            ") has neither a host key nor known_hosts content to verify the node "
            "with. Set " +
            prefix + "known_hosts or " + prefix +
            "host_key (or the provider's ssh block); to connect without "
            "verification set " +
            prefix + "insecure_ignore_host_key = true.",
        at.empty() ? AttributePath::Root(prefix + "known_hosts") : at.Attr(prefix + "known_hosts"));
    return std::nullopt;
  }
  if (t.private_key_pem.empty() && t.password.empty() && !t.use_agent) {
    diags.AddError(
        "No SSH Credentials",
        "The SSH connection to " + label + " (" + host +
            ") has no private key, password or agent. Set " + prefix +
            "private_key (or the provider's ssh block).",
        at.empty() ? AttributePath::Root(prefix + "private_key") : at.Attr(prefix + "private_key"));
    return std::nullopt;
  }
  return t;
}

void AddSshError(const Status& st, const std::string& what, const SshTarget& target,
                 const AttributePath& path, schema::Diagnostics& diags) {
  std::string hint;
  switch (st.code()) {
    case StatusCode::kUnavailable:
      hint = "Check that the node is up, that sshd listens on " + target.host + ":" +
             std::to_string(target.port) +
             " and that no firewall blocks it. Nothing was changed on the node.";
      break;
    case StatusCode::kPermissionDenied:
      hint = "Check the host key, the SSH credentials and the permissions of the paths involved.";
      break;
    case StatusCode::kDeadlineExceeded:
      hint = "The node did not answer in time; raise the timeouts if it is just slow.";
      break;
    default:
      break;
  }
  diags.AddStatus(st, what + " on " + (target.label.empty() ? target.host : target.label), hint,
                  path);
}

std::unique_ptr<NodeHost> Connect(const NodeConnector& connector, const SshTarget& target,
                                  schema::Diagnostics& diags) {
  auto connected = connector(target);
  if (!connected.ok()) {
    AddSshError(connected.status(), "Cannot Connect", target, schema::AttributePath::Root("host"),
                diags);
    return nullptr;
  }
  return *std::move(connected);
}

}  // namespace pxc::resources::ssh_settings
