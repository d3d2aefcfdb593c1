#include "resources/node_key_file.h"

#include "resources/galera/tls_options.h"
#include "resources/remote/ssh_client.h"

namespace pxc::resources {

namespace {

std::string FirstLine(const std::string& s) {
  std::string line = s.substr(0, s.find('\n'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line.empty() ? "no output" : line;
}

const char* TypeName(FileType t) {
  switch (t) {
    case FileType::kSymlink:
      return "a symbolic link";
    case FileType::kDirectory:
      return "a directory";
    default:
      return "not a regular file";
  }
}

}  // namespace

std::string PublicKeyCommand(const std::string& path) {
  std::string cmd = "openssl pkey -pubout -in ";
  cmd.append(ShellQuote(path));
  return cmd;
}

std::string PublicKeyDigest(const PublicKey& key) {
  auto pem = key.ToPem();
  std::string out = "sha256:";
  out.append(Sha256Hex(pem.ok() ? *pem : std::string()));
  return out;
}

std::string ModeOwner(const FileStat& st) {
  std::string out = FormatFileMode(st.mode);
  out.append(" ").append(st.owner).append(":").append(st.group);
  return out;
}

StatusOr<KeyFileProbe> ProbeKeyFile(NodeHost& node, const std::string& path) {
  KeyFileProbe probe;
  PXC_ASSIGN_OR_RETURN(std::optional<FileStat> st, node.Lstat(path));
  if (!st) return probe;
  probe.stat = *st;
  if (st->type != FileType::kRegular) {
    probe.kind = KeyFileProbe::Kind::kNotRegular;
    probe.detail = TypeName(st->type);
    return probe;
  }
  PXC_ASSIGN_OR_RETURN(ExecResult r, node.Exec(PublicKeyCommand(path)));
  if (r.exit_status == 127) {
    std::string msg = "openssl is not installed on ";
    msg.append(node.Describe()).append(" (the key is read there, never copied off the node)");
    return FailedPreconditionError(msg);
  }
  if (r.exit_status != 0) {
    probe.kind = KeyFileProbe::Kind::kUnreadable;
    probe.detail = "openssl cannot read it as a private key: ";
    probe.detail.append(FirstLine(r.stderr_text));
    return probe;
  }
  auto pub = PublicKey::FromPem(r.stdout_text);
  if (!pub.ok()) {
    probe.kind = KeyFileProbe::Kind::kUnreadable;
    probe.detail = "its public key is not usable: ";
    probe.detail.append(pub.status().message());
    return probe;
  }
  probe.kind = KeyFileProbe::Kind::kKey;
  probe.public_key = *std::move(pub);
  return probe;
}

}  // namespace pxc::resources
