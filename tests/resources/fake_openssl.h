// A stand-in for the node's `openssl` on a MemHost, for the unit tests of
// pxc_node_key and of pxc_node_tls_config with key_on_node: it answers the
// commands those resources run (the key-making script, the owner/mode
// repair, a request for an imported key, `openssl pkey -pubout -in <path>`) with real keys and
// requests made by the PKI library, reading and writing the MemHost's files as the node's openssl
// would. Anything else is "command not found" (exit 127), as on a node without the tool. The
// scripts themselves run on real nodes in the real-CLI tests (tests/terraform/tutorial_no_secrets).
#pragma once

#include <optional>
#include <regex>
#include <string>

#include "resources/pki/x509.h"
#include "resources/remote/mem_host.h"

namespace pxc::resources::testing {

struct FakeOpenSsl {
  // Set to make genpkey fail (exit 1, this on stderr).
  std::optional<std::string> genpkey_error;
  int keys_made = 0;
};

inline std::optional<std::string> ScriptVar(const std::string& script, const std::string& var) {
  std::smatch m;
  std::regex re("(^|\\n)" + var + "='([^']*)'\\n");
  if (!std::regex_search(script, m, re)) return std::nullopt;
  return m[2].str();
}

inline void InstallFakeOpenSsl(MemHost* host, FakeOpenSsl* fake) {
  host->OnCommand([host, fake](const std::string& cmd,
                               std::string_view) -> std::optional<ExecResult> {
    ExecResult r;
    r.exit_status = 0;
    static const std::string kPub = "openssl pkey -pubout -in '";
    if (cmd.starts_with(kPub)) {
      std::string path = cmd.substr(kPub.size(), cmd.size() - kPub.size() - 1);
      const MemHost::Entry* e = host->Find(path);
      if (e == nullptr || e->type != FileType::kRegular) {
        r.exit_status = 1;
        r.stderr_text = "Could not open file or uri for loading private key from " + path + "\n";
        return r;
      }
      auto key = PrivateKey::FromPem(e->content);
      auto pem = key.ok() ? key->PublicKeyPem() : StatusOr<std::string>(key.status());
      if (!pem.ok()) {
        r.exit_status = 1;
        r.stderr_text = "Could not read private key from " + path + "\n";
        return r;
      }
      r.stdout_text = *pem;
      return r;
    }
    auto k = ScriptVar(cmd, "k");
    if (k && cmd.find("openssl req") != std::string::npos &&
        cmd.find("openssl genpkey") == std::string::npos) {
      // A request for the key at k.
      const MemHost::Entry* e = host->Find(*k);
      auto key = e ? PrivateKey::FromPem(e->content) : StatusOr<PrivateKey>(NotFoundError(*k));
      if (!key.ok()) {
        r.exit_status = 1;
        r.stderr_text = "Could not read private key from " + *k + "\n";
        return r;
      }
      DistinguishedName dn;
      dn.common_name = ScriptVar(cmd, "s").value_or("/CN=x").substr(4);
      r.stdout_text = *CertificateRequest::Create(*key, dn)->ToPem();
      return r;
    }
    auto o = ScriptVar(cmd, "o");
    auto m = ScriptVar(cmd, "m");
    if (!k || !o || !m) return std::nullopt;
    const std::string owner = o->substr(0, o->find(':')), group = o->substr(o->find(':') + 1);
    const uint32_t mode = static_cast<uint32_t>(std::stoul(*m, nullptr, 8));
    const MemHost::Entry* existing = host->Find(*k);
    if (cmd.find("openssl genpkey") != std::string::npos) {
      if (existing != nullptr) {
        r.exit_status = 3;
        r.stderr_text = "pxc: " + *k + " already exists\n";
        return r;
      }
      if (fake->genpkey_error) {
        r.exit_status = 1;
        r.stderr_text = *fake->genpkey_error;
        return r;
      }
      const std::string a = ScriptVar(cmd, "a").value_or("");
      KeySpec spec;
      if (a == "RSA") {
        spec.algorithm = KeyAlgorithm::kRsa;
        spec.rsa_bits = std::stoi(ScriptVar(cmd, "b").value_or("2048"));
      } else if (a == "EC") {
        spec.algorithm = KeyAlgorithm::kEcdsa;
        const std::string c = ScriptVar(cmd, "c").value_or("");
        spec.ecdsa_curve = c == "secp384r1" ? "P384" : c == "secp521r1" ? "P521" : "P256";
      } else {
        spec.algorithm = KeyAlgorithm::kEd25519;
      }
      auto key = PrivateKey::Generate(spec);
      DistinguishedName dn;
      dn.common_name = ScriptVar(cmd, "s").value_or("/CN=x").substr(4);
      auto csr = CertificateRequest::Create(*key, dn);
      host->PutFile(*k, *key->ToPem(), mode, owner, group);
      ++fake->keys_made;
      r.stdout_text = *key->PublicKeyPem() + *csr->ToPem();
      return r;
    }
    if (cmd.find("chmod") != std::string::npos) {
      if (existing == nullptr || existing->type != FileType::kRegular) {
        r.exit_status = 3;
        return r;
      }
      host->PutFile(*k, existing->content, mode, owner, group);
      return r;
    }
    return std::nullopt;
  });
}

}  // namespace pxc::resources::testing
