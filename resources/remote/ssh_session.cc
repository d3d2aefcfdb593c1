// Implementation of resources/remote/ssh_client.h on libssh 0.10: the
// connection (host key verification before any credential, then
// authentication) and the helpers the other parts share. Commands are in
// ssh_exec.cc, files in ssh_files.cc (see ssh_internal.h).
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <poll.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>

#include "resources/remote/ssh_internal.h"
#include "schema/text.h"

namespace pxc::resources {
namespace ssh_internal {

void InitLibssh() {
  static std::once_flag once;
  std::call_once(once, [] { ssh_init(); });
}

// std::string::append that wipes the old buffer when it has to grow, so no
// stale copy of (possibly secret) data is left on the heap.
void AppendWiping(std::string& s, const char* data, size_t n) {
  if (s.size() + n > s.capacity()) {
    std::string bigger;
    bigger.reserve(std::max(s.capacity() * 2, s.size() + n));
    bigger.append(s);
    WipeString(&s);
    s = std::move(bigger);
  }
  s.append(data, n);
}

// ---------------------------------------------------------------------------
// Small string helpers.

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

std::vector<std::string> SplitFields(std::string_view line) {
  std::vector<std::string> fields;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
    if (j > i) fields.emplace_back(line.substr(i, j - i));
    i = j;
  }
  return fields;
}

std::string FirstLine(std::string_view text) {
  size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return "";
  text.remove_prefix(start);
  std::string line(text.substr(0, text.find('\n')));
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
  if (line.size() > 300) line = line.substr(0, 300) + "...";
  return line;
}

// All non-empty lines of remote stderr, joined with "; " (bounded).
std::string StderrSummary(std::string_view text) {
  std::string out;
  for (std::string_view line : SplitLines(text)) {
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    if (!out.empty()) out += "; ";
    out += line;
    if (out.size() > 600) {
      out = out.substr(0, 600) + "...";
      break;
    }
  }
  return out;
}

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

std::string OctalMode(uint32_t mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777u);
  return buf;
}

std::string RandomHex(size_t bytes) {
  std::random_device rd;
  std::string raw;
  while (raw.size() < bytes) {
    uint32_t v = rd();
    for (int i = 0; i < 4 && raw.size() < bytes; ++i)
      raw.push_back(static_cast<char>(v >> (8 * i)));
  }
  return HexEncode(raw);
}

}  // namespace ssh_internal

using namespace ssh_internal;

namespace {

// ---------------------------------------------------------------------------
// Host key verification against host_key / known_hosts content.

// OpenSSH's match_pattern: '*' any sequence, '?' any one character.
bool GlobMatch(std::string_view pattern, std::string_view name) {
  size_t p = 0, n = 0, star = std::string_view::npos, mark = 0;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
      ++p;
      ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// "|1|base64(salt)|base64(HMAC-SHA1(salt, name))"
bool HashedHostMatches(std::string_view entry, std::string_view name) {
  entry.remove_prefix(3);
  size_t bar = entry.find('|');
  if (bar == std::string_view::npos) return false;
  if (bar == 0 || bar + 1 == entry.size()) return false;
  std::optional<std::string> salt = Base64Decode(entry.substr(0, bar));
  std::optional<std::string> want = Base64Decode(entry.substr(bar + 1));
  if (!salt || !want) return false;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(EVP_sha1(), salt->data(), static_cast<int>(salt->size()),
           reinterpret_cast<const unsigned char*>(name.data()), name.size(), md, &len) == nullptr) {
    return false;
  }
  return len == want->size() && CRYPTO_memcmp(md, want->data(), len) == 0;
}

// Whether the host field of a known_hosts line covers `name` ("host" or
// "[host]:port", lower case).
bool KnownHostsFieldMatches(std::string_view field, const std::string& name) {
  if (field.substr(0, 3) == "|1|") return HashedHostMatches(field, name);
  bool matched = false;
  size_t start = 0;
  while (start <= field.size()) {
    size_t end = field.find(',', start);
    if (end == std::string_view::npos) end = field.size();
    std::string pattern = AsciiLower(field.substr(start, end - start));
    bool negated = !pattern.empty() && pattern[0] == '!';
    if (negated) pattern.erase(0, 1);
    if (!pattern.empty() && GlobMatch(pattern, name)) {
      if (negated) return false;
      matched = true;
    }
    start = end + 1;
  }
  return matched;
}

struct PinnedKey {
  KeyPtr key;
  bool revoked = false;
};

KeyPtr ImportPublicKey(const std::string& type_name, const std::string& base64) {
  enum ssh_keytypes_e type = ssh_key_type_from_name(type_name.c_str());
  if (type == SSH_KEYTYPE_UNKNOWN) return nullptr;
  ssh_key key = nullptr;
  if (ssh_pki_import_pubkey_base64(base64.c_str(), type, &key) != SSH_OK) return nullptr;
  return KeyPtr(key);
}

std::string KeyTypeName(ssh_key key) {
  const char* name = ssh_key_type_to_char(ssh_key_type(key));
  return name != nullptr ? name : "unknown";
}

std::optional<std::string> Fingerprint(ssh_key key) {
  unsigned char* hash = nullptr;
  size_t hlen = 0;
  if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) != SSH_OK) {
    return std::nullopt;
  }
  char* fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
  ssh_clean_pubkey_hash(&hash);
  if (fp == nullptr) return std::nullopt;
  std::string out = fp;
  ssh_string_free_char(fp);
  return out;
}

// Host key algorithms that make the server present a key of `type`.
std::vector<std::string> AlgorithmsFor(ssh_key key) {
  switch (ssh_key_type(key)) {
    case SSH_KEYTYPE_RSA:
      return {"rsa-sha2-512", "rsa-sha2-256"};
    default:
      return {KeyTypeName(key)};
  }
}

std::string HostPort(const SshTarget& t) {
  std::string hostport;
  if (t.host.find(':') != std::string::npos) {
    hostport.append("[").append(t.host).append("]");
  } else {
    hostport.append(t.host);
  }
  hostport.append(":").append(std::to_string(t.port));
  return hostport;
}

std::string DescribeHost(const std::string& label, const std::string& hostport) {
  if (label.empty()) return hostport;
  std::string desc = label;
  desc.append(" (").append(hostport).append(")");
  return desc;
}

}  // namespace

SshTarget::~SshTarget() {
  WipeString(&private_key_pem);
  WipeString(&private_key_passphrase);
  WipeString(&password);
}

std::string ShellQuote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += "'";
  return out;
}

SshSession::SshSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SshSession::SshSession(SshSession&&) noexcept = default;
SshSession& SshSession::operator=(SshSession&&) noexcept = default;
SshSession::~SshSession() = default;

std::string SshSession::HostKeyFingerprint() const { return impl_->fingerprint; }
std::string SshSession::HostKeyType() const { return impl_->key_type; }
const std::string& SshSession::Describe() const { return impl_->desc; }

bool SshSession::Usable() const {
  return impl_ && impl_->session && impl_->broken.empty() && ssh_is_connected(impl_->session.get());
}

void SshSession::BeginUse(const std::string& label) {
  impl_->desc = DescribeHost(label, impl_->hostport);
  impl_->resolved_ids.clear();
  impl_->safe_dirs.clear();
}

Status SshSession::Probe(bool round_trip, std::chrono::milliseconds timeout) {
  Impl& im = *impl_;
  PXC_RETURN_IF_ERROR(im.CheckUsable());
  ssh_session s = im.session.get();
  if (!ssh_is_connected(s)) {
    im.broken = "the connection was closed";
    return im.CheckUsable();
  }
  // The socket: a peer that closed the connection (sshd restarted, the
  // node's sshd killed) has left an end-of-file or a reset to read.
  const int fd = ssh_get_fd(s);
  struct pollfd pfd;
  pfd.fd = fd;
  pfd.events = POLLIN;
  pfd.revents = 0;
  if (fd < 0 || ::poll(&pfd, 1, 0) < 0 || (pfd.revents & (POLLERR | POLLHUP | POLLNVAL))) {
    im.broken = "the connection was closed";
    return im.CheckUsable();
  }
  if (pfd.revents & POLLIN) {
    char c;
    ssize_t n = ::recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      im.broken = "the server closed the connection";
      return im.CheckUsable();
    }
  }
  if (!round_trip) return OkStatus();
  // One exchange: open a session channel (the server answers) and close it.
  const Clock::time_point deadline = Clock::now() + timeout;
  NonBlockingScope nonblocking(s);
  ChannelPtr ch(ssh_channel_new(s));
  if (!ch) return InternalError("cannot create an SSH channel to " + im.desc);
  int rc;
  while ((rc = ssh_channel_open_session(ch.get())) == SSH_AGAIN) {
    if (Clock::now() >= deadline) {
      im.broken = "no answer to a probe";
      ::shutdown(fd, SHUT_RDWR);
      return UnavailableError("the SSH connection to " + im.desc + " did not answer within " +
                              std::to_string(timeout.count()) + " ms");
    }
    im.WaitSocket(deadline);
  }
  if (rc != SSH_OK) {
    if (!ssh_is_connected(s)) return im.ConnectionLost("probing the connection");
    return UnavailableError("the SSH server on " + im.desc +
                            " refused a channel: " + ssh_get_error(s));
  }
  ssh_channel_close(ch.get());
  return OkStatus();
}

// ---------------------------------------------------------------------------
// Connect: host key first, then credentials.

namespace {

StatusOr<std::vector<PinnedKey>> ParsePins(const SshTarget& t, const std::string& name,
                                           std::vector<std::string>* other_hosts) {
  std::vector<PinnedKey> pins;
  const std::string bare_host = AsciiLower(t.host);
  if (Contains(t.host_key, "PRIVATE KEY")) {
    return InvalidArgumentError(
        "host_key must hold the server's public host key (\"ssh-ed25519 AAAA...\"), but it "
        "contains a private key");
  }
  int line_no = 0;
  for (std::string_view line : SplitLines(t.host_key)) {
    ++line_no;
    std::vector<std::string> f = SplitFields(line);
    if (f.empty() || f[0][0] == '#') continue;
    KeyPtr key;
    if (f.size() >= 2) key = ImportPublicKey(f[0], f[1]);
    if (!key && f.size() >= 3) {
      // ssh-keyscan form "host keytype base64": the key of that host only
      // (the host as known_hosts writes it, with or without the port).
      key = ImportPublicKey(f[1], f[2]);
      if (key && !KnownHostsFieldMatches(f[0], name) && !KnownHostsFieldMatches(f[0], bare_host)) {
        other_hosts->push_back(f[0]);
        continue;
      }
    }
    if (!key) {
      return InvalidArgumentError("host_key line " + std::to_string(line_no) +
                                  " is not a public key of the form \"<type> <base64>\", e.g. "
                                  "\"ssh-ed25519 AAAAC3Nza...\" (see ssh-keyscan)");
    }
    pins.push_back({std::move(key), false});
  }
  for (std::string_view line : SplitLines(t.known_hosts)) {
    std::vector<std::string> f = SplitFields(line);
    if (f.empty() || f[0][0] == '#') continue;
    bool revoked = false;
    if (f[0][0] == '@') {
      if (f[0] != "@revoked") continue;  // @cert-authority: certificates are not used.
      revoked = true;
      f.erase(f.begin());
    }
    if (f.size() < 3 || !KnownHostsFieldMatches(f[0], name)) continue;
    KeyPtr key = ImportPublicKey(f[1], f[2]);
    if (key) pins.push_back({std::move(key), revoked});
  }
  return pins;
}

Status VerifyHostKey(ssh_key offered, const std::vector<PinnedKey>& pins, const std::string& desc,
                     const std::string& offered_desc, const std::string& lookup_name,
                     const std::vector<std::string>& other_hosts) {
  const std::string skipped =
      other_hosts.empty()
          ? ""
          : " (host_key lines for other hosts were not used: " + Join(other_hosts, ", ") +
                "; a line \"<host> <type> <base64>\" pins the key of that host only)";
  std::vector<std::string> expected;
  for (const PinnedKey& pin : pins) {
    if (ssh_key_cmp(offered, pin.key.get(), SSH_KEY_CMP_PUBLIC) != 0) {
      if (!pin.revoked) {
        expected.push_back(KeyTypeName(pin.key.get()) + " " +
                           Fingerprint(pin.key.get()).value_or("?"));
      }
      continue;
    }
    if (pin.revoked) {
      return PermissionDeniedError("host key verification failed for " + desc +
                                   ": the server offered " + offered_desc +
                                   ", which known_hosts marks as @revoked");
    }
  }
  for (const PinnedKey& pin : pins) {
    if (!pin.revoked && ssh_key_cmp(offered, pin.key.get(), SSH_KEY_CMP_PUBLIC) == 0) {
      return OkStatus();
    }
  }
  if (expected.empty()) {
    return PermissionDeniedError(
        "host key verification failed for " + desc +
        ": host_key and known_hosts have no key for \"" + lookup_name + "\"" + skipped +
        "; the server offered " + offered_desc +
        ". Check that fingerprint out of band (e.g. `ssh-keygen -lf "
        "/etc/ssh/ssh_host_ed25519_key.pub` on the node) and put the key into host_key or "
        "known_hosts; to skip verification set insecure_ignore_host_key = true");
  }
  return PermissionDeniedError(
      "host key verification failed for " + desc + ": the server offered " + offered_desc +
      ", which is not in host_key/known_hosts (expected " + Join(expected, " or ") + ")" + skipped +
      ". If the node was reinstalled, update known_hosts; otherwise someone may be "
      "intercepting the connection. To skip verification set insecure_ignore_host_key = true");
}

std::string AuthMethodNames(int methods) {
  std::vector<std::string> names;
  if (methods & SSH_AUTH_METHOD_PUBLICKEY) names.push_back("publickey");
  if (methods & SSH_AUTH_METHOD_PASSWORD) names.push_back("password");
  if (methods & SSH_AUTH_METHOD_INTERACTIVE) names.push_back("keyboard-interactive");
  if (methods & SSH_AUTH_METHOD_GSSAPI_MIC) names.push_back("gssapi-with-mic");
  if (methods & SSH_AUTH_METHOD_HOSTBASED) names.push_back("hostbased");
  return names.empty() ? "none" : Join(names, ", ");
}

// Answers keyboard-interactive prompts: the password for each hidden prompt.
int KeyboardInteractive(ssh_session s, const std::string& password) {
  int rc = ssh_userauth_kbdint(s, nullptr, nullptr);
  for (int round = 0; rc == SSH_AUTH_INFO && round < 8; ++round) {
    int n = ssh_userauth_kbdint_getnprompts(s);
    for (int i = 0; i < n; ++i) {
      char echo = 0;
      ssh_userauth_kbdint_getprompt(s, static_cast<unsigned int>(i), &echo);
      if (ssh_userauth_kbdint_setanswer(s, static_cast<unsigned int>(i),
                                        echo ? "" : password.c_str()) < 0) {
        return SSH_AUTH_ERROR;
      }
    }
    rc = ssh_userauth_kbdint(s, nullptr, nullptr);
  }
  return rc;
}

}  // namespace

StatusOr<SshSession> SshSession::Connect(const SshTarget& t) {
  InitLibssh();
  auto impl = std::make_unique<Impl>();
  impl->hostport = HostPort(t);
  impl->desc = DescribeHost(t.label, impl->hostport);
  impl->user = t.user;
  impl->use_sudo = t.sudo && t.user != "root";
  impl->command_timeout_seconds = t.command_timeout_seconds;
  const std::string& desc = impl->desc;

  if (t.host.empty() || t.host.find_first_of("@ \t\r\n") != std::string::npos) {
    return InvalidArgumentError("SSH host \"" + t.host + "\" is not a host name or address");
  }
  if (t.port < 1 || t.port > 65535) {
    return InvalidArgumentError("SSH port " + std::to_string(t.port) + " for " + desc +
                                " is out of range 1-65535");
  }
  if (t.user.empty()) return InvalidArgumentError("SSH user for " + desc + " is empty");
  if (t.connect_timeout_seconds <= 0 || t.command_timeout_seconds <= 0) {
    return InvalidArgumentError("SSH timeouts for " + desc + " must be positive");
  }
  if (t.private_key_pem.empty() && t.password.empty() && !t.use_agent) {
    return InvalidArgumentError("no SSH credentials for " + desc +
                                ": set private_key_pem, password or use_agent");
  }
  // Without host_key and known_hosts Connect still connects, so that the
  // "unknown host" error can show the fingerprint the server offers.

  const std::string lookup_name =
      t.port == 22 ? AsciiLower(t.host) : "[" + AsciiLower(t.host) + "]:" + std::to_string(t.port);
  std::vector<PinnedKey> pins;
  std::vector<std::string> other_hosts;
  if (!t.insecure_ignore_host_key) {
    PXC_ASSIGN_OR_RETURN(pins, ParsePins(t, lookup_name, &other_hosts));
  }

  KeyPtr client_key;
  if (!t.private_key_pem.empty()) {
    ssh_key key = nullptr;
    const char* passphrase =
        t.private_key_passphrase.empty() ? nullptr : t.private_key_passphrase.c_str();
    if (ssh_pki_import_privkey_base64(t.private_key_pem.c_str(), passphrase, nullptr, nullptr,
                                      &key) != SSH_OK) {
      return InvalidArgumentError("private_key_pem for " + desc +
                                  " could not be loaded: it is not an OpenSSH or PEM "
                                  "private key, or private_key_passphrase is " +
                                  (passphrase == nullptr ? "missing" : "wrong"));
    }
    client_key.reset(key);
  }

  impl->session.reset(ssh_new());
  ssh_session s = impl->session.get();
  if (s == nullptr) return InternalError("ssh_new failed");
  {
    unsigned int port = static_cast<unsigned int>(t.port);
    long timeout = t.connect_timeout_seconds;
    int verbosity = SSH_LOG_NOLOG;
    int nodelay = 1;
    bool process_config = false;
    // Prefer the algorithms of the pinned keys, so that a server with several
    // host keys presents the one configured; then libssh's usual order.
    std::vector<std::string> algos;
    for (const PinnedKey& pin : pins) {
      if (pin.revoked) continue;
      for (std::string& a : AlgorithmsFor(pin.key.get())) {
        if (std::find(algos.begin(), algos.end(), a) == algos.end()) algos.push_back(a);
      }
    }
    for (const char* a : {"ssh-ed25519", "ecdsa-sha2-nistp521", "ecdsa-sha2-nistp384",
                          "ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256"}) {
      if (std::find(algos.begin(), algos.end(), a) == algos.end()) algos.push_back(a);
    }
    std::string hostkeys = Join(algos, ",");
    if (ssh_options_set(s, SSH_OPTIONS_LOG_VERBOSITY, &verbosity) != SSH_OK ||
        ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &process_config) != SSH_OK ||
        ssh_options_set(s, SSH_OPTIONS_HOST, t.host.c_str()) != SSH_OK ||
        ssh_options_set(s, SSH_OPTIONS_PORT, &port) != SSH_OK ||
        ssh_options_set(s, SSH_OPTIONS_USER, t.user.c_str()) != SSH_OK ||
        ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &timeout) != SSH_OK ||
        ssh_options_set(s, SSH_OPTIONS_NODELAY, &nodelay) != SSH_OK ||
        ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, "/dev/null") != SSH_OK ||
        ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null") != SSH_OK ||
        ssh_options_set(s, SSH_OPTIONS_HOSTKEYS, hostkeys.c_str()) != SSH_OK) {
      return InvalidArgumentError("invalid SSH options for " + desc + ": " + ssh_get_error(s));
    }
  }

  if (ssh_connect(s) != SSH_OK) {
    std::string err = ssh_get_error(s);
    return UnavailableError("cannot connect to " + desc + ": " +
                            (err.empty() ? "connection failed" : err));
  }

  // 1. The server's identity, before any credential is sent.
  {
    ssh_key raw = nullptr;
    if (ssh_get_server_publickey(s, &raw) != SSH_OK || raw == nullptr) {
      return UnavailableError("cannot connect to " + desc +
                              ": the server did not present a host key");
    }
    KeyPtr server_key(raw);
    std::optional<std::string> fp = Fingerprint(server_key.get());
    if (!fp) return InternalError("cannot compute the host key fingerprint of " + desc);
    impl->fingerprint = *fp;
    impl->key_type = KeyTypeName(server_key.get());
    if (!t.insecure_ignore_host_key) {
      PXC_RETURN_IF_ERROR(VerifyHostKey(server_key.get(), pins, desc,
                                        impl->key_type + " " + impl->fingerprint, lookup_name,
                                        other_hosts));
    }
  }

  // 2. Credentials: key, agent, password.
  {
    Watchdog wd(ssh_get_fd(s), Clock::now() + std::chrono::seconds(t.connect_timeout_seconds));
    std::vector<std::string> tried;
    auto conn_error = [&]() -> Status {
      if (wd.expired()) {
        return UnavailableError("cannot connect to " + desc +
                                ": authentication did not finish "
                                "within " +
                                std::to_string(t.connect_timeout_seconds) +
                                " s (connect_timeout_seconds)");
      }
      return UnavailableError("cannot connect to " + desc +
                              ": connection lost during "
                              "authentication: " +
                              ssh_get_error(s));
    };
    // SSH_AUTH_AGAIN only happens when libssh's own timer ran out.
    auto hard_failure = [](int rc) { return rc == SSH_AUTH_ERROR || rc == SSH_AUTH_AGAIN; };
    int rc = ssh_userauth_none(s, nullptr);
    if (hard_failure(rc)) return conn_error();
    int methods = ssh_userauth_list(s, nullptr);
    auto step = [&](int result) {
      if (result == SSH_AUTH_PARTIAL) methods = ssh_userauth_list(s, nullptr);
      return result;
    };
    if (rc != SSH_AUTH_SUCCESS && client_key) {
      if (methods & SSH_AUTH_METHOD_PUBLICKEY) {
        tried.push_back("publickey (private_key_pem)");
        rc = step(ssh_userauth_publickey(s, nullptr, client_key.get()));
        if (hard_failure(rc)) return conn_error();
      } else {
        tried.push_back("publickey (private_key_pem: not accepted by the server)");
      }
    }
    client_key.reset();  // Not needed any more.
    if (rc != SSH_AUTH_SUCCESS && t.use_agent) {
      const char* sock = std::getenv("SSH_AUTH_SOCK");
      if (sock == nullptr || *sock == '\0') {
        tried.push_back("agent (SSH_AUTH_SOCK is not set)");
      } else if (methods & SSH_AUTH_METHOD_PUBLICKEY) {
        tried.push_back("agent");
        rc = step(ssh_userauth_agent(s, nullptr));
        if (hard_failure(rc) && (!ssh_is_connected(s) || wd.expired())) return conn_error();
        if (hard_failure(rc)) rc = SSH_AUTH_DENIED;  // The agent itself failed.
      } else {
        tried.push_back("agent (publickey not accepted by the server)");
      }
    }
    if (rc != SSH_AUTH_SUCCESS && !t.password.empty()) {
      if (methods & SSH_AUTH_METHOD_PASSWORD) {
        tried.push_back("password");
        rc = step(ssh_userauth_password(s, nullptr, t.password.c_str()));
        if (hard_failure(rc)) return conn_error();
      }
      if (rc != SSH_AUTH_SUCCESS && (methods & SSH_AUTH_METHOD_INTERACTIVE)) {
        tried.push_back("keyboard-interactive (password)");
        rc = step(KeyboardInteractive(s, t.password));
        if (hard_failure(rc)) return conn_error();
      }
      if (!(methods & (SSH_AUTH_METHOD_PASSWORD | SSH_AUTH_METHOD_INTERACTIVE))) {
        tried.push_back("password (not accepted by the server)");
      }
    }
    if (wd.expired()) return conn_error();
    if (rc != SSH_AUTH_SUCCESS) {
      return PermissionDeniedError(
          "SSH authentication as \"" + t.user + "\" failed on " + desc + ": tried " +
          (tried.empty() ? std::string("nothing") : Join(tried, ", ")) + "; the server accepts " +
          AuthMethodNames(methods) +
          ". Check that the key is in the user's authorized_keys and the user and password are "
          "right");
    }
  }

  // From now on the Watchdog (file transfers) and Exec's own clock enforce
  // command_timeout_seconds; libssh's per-wait timer only backs them up.
  long op_timeout = t.command_timeout_seconds + 60L;
  ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &op_timeout);
  return SshSession(std::move(impl));
}

}  // namespace pxc::resources
