// Implementation of resources/ssh_client.h on libssh 0.10.
//
// Timeouts. libssh's blocking calls wait at most SSH_OPTIONS_TIMEOUT per
// wait, but its SFTP client retries such waits forever, so a stalled server
// would hang an SFTP call. Every blocking phase (authentication, SFTP
// transfers) therefore runs under a Watchdog that shuts the socket down when
// the deadline passes, which makes libssh fail promptly; the session is then
// marked broken. Exec instead runs the channel in non-blocking mode with its
// own deadline, so a timed-out command does not cost the connection.
//
// Remote scripts. Everything that needs more than SFTP (sudo, names of
// owners, rename over an existing file, mkdir -p) runs a fixed POSIX sh
// script whose arguments are passed as quoted positional parameters, with
// LC_ALL=C so that error texts can be classified. File contents only ever
// travel on stdin or over SFTP, never on a command line.
#include "resources/ssh_client.h"

#include <fcntl.h>
#include <libssh/libssh.h>
#include <libssh/sftp.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "resources/path_safety.h"

namespace pxc::resources {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxReadFileBytes = 16u << 20;
constexpr size_t kMaxExecOutputBytes = 64u << 20;
// OpenSSH's sftp-server drops the connection for packets above 256 KiB;
// 32 KiB is what OpenSSH's own client uses.
constexpr size_t kSftpChunk = 32u << 10;
constexpr size_t kExecReadChunk = 64u << 10;

void InitLibssh() {
  static std::once_flag once;
  std::call_once(once, [] { ssh_init(); });
}

// Overwrites the whole buffer of `s` (including spare capacity) and empties it.
void Cleanse(std::string& s) {
  if (s.capacity() > 0) {
    s.resize(s.capacity());
    OPENSSL_cleanse(s.data(), s.size());
  }
  s.clear();
}

// Wipes a buffer when it goes out of scope.
class WipeOnExit {
 public:
  explicit WipeOnExit(std::string& s) : s_(s) {}
  WipeOnExit(const WipeOnExit&) = delete;
  WipeOnExit& operator=(const WipeOnExit&) = delete;
  ~WipeOnExit() { Cleanse(s_); }

 private:
  std::string& s_;
};

// std::string::append that wipes the old buffer when it has to grow, so no
// stale copy of (possibly secret) data is left on the heap.
void AppendWiping(std::string& s, const char* data, size_t n) {
  if (s.size() + n > s.capacity()) {
    std::string bigger;
    bigger.reserve(std::max(s.capacity() * 2, s.size() + n));
    bigger.append(s);
    Cleanse(s);
    s = std::move(bigger);
  }
  s.append(data, n);
}

// ---------------------------------------------------------------------------
// RAII for libssh handles.

struct KeyDeleter {
  void operator()(ssh_key k) const { ssh_key_free(k); }
};
using KeyPtr = std::unique_ptr<std::remove_pointer_t<ssh_key>, KeyDeleter>;

struct SessionDeleter {
  void operator()(ssh_session s) const {
    if (ssh_is_connected(s)) ssh_disconnect(s);
    ssh_free(s);
  }
};
using SessionPtr = std::unique_ptr<std::remove_pointer_t<ssh_session>, SessionDeleter>;

struct ChannelDeleter {
  void operator()(ssh_channel c) const { ssh_channel_free(c); }
};
using ChannelPtr = std::unique_ptr<std::remove_pointer_t<ssh_channel>, ChannelDeleter>;

struct SftpDeleter {
  void operator()(sftp_session s) const { sftp_free(s); }
};
using SftpPtr = std::unique_ptr<std::remove_pointer_t<sftp_session>, SftpDeleter>;

struct SftpFileDeleter {
  void operator()(sftp_file f) const { sftp_close(f); }
};
using SftpFilePtr = std::unique_ptr<std::remove_pointer_t<sftp_file>, SftpFileDeleter>;

struct SftpAttrDeleter {
  void operator()(sftp_attributes a) const { sftp_attributes_free(a); }
};
using SftpAttrPtr = std::unique_ptr<std::remove_pointer_t<sftp_attributes>, SftpAttrDeleter>;

// Shuts the socket `fd` down when `deadline` passes before destruction. A
// shut-down socket makes every pending and later libssh call on it fail
// quickly; the descriptor itself stays owned (and later closed) by libssh.
class Watchdog {
 public:
  Watchdog(int fd, Clock::time_point deadline)
      : deadline_(deadline), thread_([this, fd] {
          std::unique_lock<std::mutex> lock(mu_);
          if (!cv_.wait_until(lock, deadline_, [this] { return done_; })) {
            fired_ = true;
            if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
          }
        }) {}
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  // Whether the deadline has passed (so a failure is the timeout's doing,
  // whether it came from the shut-down socket or from libssh's own timer).
  bool expired() {
    std::lock_guard<std::mutex> lock(mu_);
    return fired_ || Clock::now() >= deadline_;
  }

 private:
  const Clock::time_point deadline_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;   // Guarded by mu_.
  bool fired_ = false;  // Guarded by mu_.
  std::thread thread_;  // Last: starts after the members above exist.
};

// Puts the session in non-blocking mode for the lifetime of the object.
class NonBlockingScope {
 public:
  explicit NonBlockingScope(ssh_session s) : s_(s) { ssh_set_blocking(s_, 0); }
  NonBlockingScope(const NonBlockingScope&) = delete;
  NonBlockingScope& operator=(const NonBlockingScope&) = delete;
  ~NonBlockingScope() { ssh_set_blocking(s_, 1); }

 private:
  ssh_session s_;
};

// ---------------------------------------------------------------------------
// Small string helpers.

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

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

std::string HexEncode(const unsigned char* data, size_t len) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (size_t i = 0; i < len; ++i) {
    out.push_back(kHex[data[i] >> 4]);
    out.push_back(kHex[data[i] & 0xf]);
  }
  return out;
}

std::string RandomHex(size_t bytes) {
  std::random_device rd;
  std::string raw;
  while (raw.size() < bytes) {
    uint32_t v = rd();
    for (int i = 0; i < 4 && raw.size() < bytes; ++i)
      raw.push_back(static_cast<char>(v >> (8 * i)));
  }
  return HexEncode(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

std::optional<std::string> Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1) {
    return std::nullopt;
  }
  return HexEncode(md, len);
}

std::optional<std::string> DecodeBase64(std::string_view in) {
  if (in.empty() || in.size() % 4 != 0) return std::nullopt;
  std::string out(in.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  if (n < 0) return std::nullopt;
  size_t pad = 0;
  if (in.back() == '=') ++pad;
  if (in.size() >= 2 && in[in.size() - 2] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

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
  std::optional<std::string> salt = DecodeBase64(entry.substr(0, bar));
  std::optional<std::string> want = DecodeBase64(entry.substr(bar + 1));
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
    std::string pattern = ToLower(field.substr(start, end - start));
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

std::string JoinStrings(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Remote scripts. $1.. are the arguments; see RunScript.

// $1 path, $2 byte cap.
constexpr char kReadScript[] = R"sh(export LC_ALL=C
if [ -d "$1" ]; then echo "pxc: $1 is a directory" >&2; exit 21; fi
exec head -c "$2" -- "$1")sh";

// $1 path, $2 "-L" to follow a final symbolic link or "-P" not to. Prints
// "rawmode-hex uid gid size user group".
constexpr char kStatScript[] = R"sh(export LC_ALL=C
if [ "$2" = -L ]; then exec stat -L -c '%f %u %g %s %U %G' -- "$1"; fi
exec stat -c '%f %u %g %s %U %G' -- "$1")sh";

// $1 path.
constexpr char kRemoveScript[] = R"sh(export LC_ALL=C
if [ -d "$1" ] && [ ! -L "$1" ]; then echo "pxc: $1 is a directory" >&2; exit 21; fi
exec rm -f -- "$1")sh";

// What the node says about a directory and every parent, for
// CheckDirectoryChain (resources/path_safety.h). $1 normalised absolute path.
// Prints "uid <writer uid>", then for each prefix of $1 (leaf first) either
// "- <path>" (does not exist) or "<rawmode-hex> <uid> <gid> <user> <group>
// <path>" (lstat), then "resolved <path>" (every symbolic link resolved,
// missing components kept) and the same lines for each prefix of that path.
constexpr char kInspectDirScript[] = R"sh(export LC_ALL=C
echo "uid $(id -u)"
walk() {
  p=$1
  while :; do
    if [ -e "$p" ] || [ -L "$p" ]; then
      stat -c '%f %u %g %U %G %n' -- "$p" || exit 1
    else
      echo "- $p"
    fi
    [ "$p" = / ] && break
    p=$(dirname -- "$p")
  done
}
walk "$1"
r=$(readlink -m -- "$1") || exit 1
echo "resolved $r"
if [ "$r" != "$1" ]; then walk "$r"; fi)sh";

// $1 path, $2 octal mode, $3 chown spec ("" for none). Creates the directory
// when it does not exist (missing parents: root-owned 0755) and only then
// sets its owner and mode, on the directory it opened (fchown/fchmod through
// /dev/fd), never by a name someone could redirect. An existing directory is
// left as it is. Prints "created" or "existed".
constexpr char kMkdirScript[] = R"sh(export LC_ALL=C
p=$1
if [ -L "$p" ]; then echo "pxc: $p is a symbolic link" >&2; exit 24; fi
if [ -e "$p" ]; then
  if [ -d "$p" ]; then echo existed; exit 0; fi
  echo "pxc: $p exists and is not a directory" >&2; exit 21
fi
d=$(dirname -- "$p")
if [ ! -d "$d" ]; then (umask 022 && mkdir -p -- "$d") || exit 1; fi
(umask 077 && mkdir -- "$p") || exit 1
exec 3<"$p" || exit 1
if [ ! -d /dev/fd/3 ] || [ -L "$p" ] || [ ! "$p" -ef /dev/fd/3 ]; then
  echo "pxc: $p was replaced while pxc created it" >&2; exit 29
fi
if [ -n "$3" ]; then chown -- "$3" /dev/fd/3 || exit 1; fi
chmod -- "$2" /dev/fd/3 || exit 1
echo created)sh";

// $1 path, $2 octal mode, $3 chown spec. Sets owner and mode of an existing
// directory through an open descriptor; refuses a symbolic link.
constexpr char kChownDirScript[] = R"sh(export LC_ALL=C
p=$1
if [ -L "$p" ]; then echo "pxc: $p is a symbolic link" >&2; exit 24; fi
if [ ! -d "$p" ]; then echo "pxc: $p is not a directory" >&2; exit 21; fi
exec 3<"$p" || exit 1
if [ ! -d /dev/fd/3 ] || [ -L "$p" ] || [ ! "$p" -ef /dev/fd/3 ]; then
  echo "pxc: $p was replaced" >&2; exit 29
fi
if [ -n "$3" ]; then chown -- "$3" /dev/fd/3 || exit 1; fi
exec chmod -- "$2" /dev/fd/3)sh";

// $1 path. Removes an empty directory (not a symbolic link). Exit 0 removed
// or absent, 23 not empty.
constexpr char kRmdirScript[] = R"sh(export LC_ALL=C
p=$1
if [ -L "$p" ]; then echo "pxc: $p is a symbolic link" >&2; exit 24; fi
[ -e "$p" ] || exit 0
if [ ! -d "$p" ]; then echo "pxc: $p is not a directory" >&2; exit 21; fi
rmdir -- "$p" 2>/dev/null && exit 0
[ -n "$(ls -A -- "$p" 2>/dev/null)" ] && exit 23
rmdir -- "$p")sh";

// $1 owner name ("" for none), $2 group name. Prints "uid gid" (-1 for none).
constexpr char kResolveIdsScript[] = R"sh(export LC_ALL=C
u=-1; g=-1
if [ -n "$1" ]; then
  u=$(id -u -- "$1" 2>/dev/null) || { echo "pxc: no such user: $1" >&2; exit 31; }
fi
if [ -n "$2" ]; then
  g=$(getent group -- "$2" | cut -d: -f3)
  [ -n "$g" ] || { echo "pxc: no such group: $2" >&2; exit 32; }
fi
echo "$u $g")sh";

// How both write paths finish a temporary file that holds the data: fd 3 is
// the temporary file, opened by this shell, $t its name, $p the final path.
// Owner and mode are set through /dev/fd/3, i.e. on the file the shell holds
// open (fchown/fchmod semantics), so a name swapped for a symbolic link in
// the meantime cannot redirect them; right before the rename the name must
// still be that very file (same inode, not a link), and `mv -T` neither
// follows nor descends into the target. Exit 29: the file was replaced. A
// swap between that check and the rename (a window no shell tool closes) is
// found right after it: what was installed is removed again (unlink, never
// followed), so a link is never left in place; the path is then absent. Only
// an account that can write to the directory could do that, and
// WriteFileAtomic refuses such directories to begin with.
constexpr char kFinishTail[] = R"sh(
same() { [ -f /dev/fd/3 ] && [ ! -L "$t" ] && [ "$t" -ef /dev/fd/3 ]; }
same || { echo "pxc: the temporary file $t was replaced" >&2; exit 29; }
n=$(wc -c < /dev/fd/3)
if [ "$n" -ne "$size" ]; then echo "pxc: received $n of $size bytes" >&2; exit 25; fi
if [ -n "$sum" ] && command -v sha256sum >/dev/null 2>&1; then
  s=$(sha256sum < /dev/fd/3); s=${s%% *}
  if [ "$s" != "$sum" ]; then echo "pxc: SHA-256 mismatch after transfer" >&2; exit 25; fi
fi
if [ -n "$spec" ]; then chown -- "$spec" /dev/fd/3 || exit 26; fi
chmod -- "$mode" /dev/fd/3 || exit 27
sync -- /dev/fd/3 2>/dev/null || sync
if [ -d "$p" ]; then echo "pxc: $p is a directory" >&2; exit 21; fi
same || { echo "pxc: the temporary file $t was replaced" >&2; exit 29; }
mv -f -T -- "$t" "$p" || exit 28
if [ -L "$p" ] || [ ! "$p" -ef /dev/fd/3 ]; then
  rm -f -- "$p"
  echo "pxc: the temporary file $t was replaced; what was installed as $p was removed" >&2
  exit 29
fi
exec 3<&-
sync -- "$(dirname -- "$p")" 2>/dev/null || true
)sh";

// SFTP path, after the data was written over SFTP to $1 (created there
// exclusively with mode 0600). $1 temporary file, $2 final path, $3 octal
// mode, $4 chown spec, $5 size. On failure the caller removes $1.
const std::string& FinishScript() {
  static const std::string script = std::string(R"sh(export LC_ALL=C
t=$1 p=$2 mode=$3 spec=$4 size=$5 sum=
exec 3<"$t" || exit 23)sh") + kFinishTail;
  return script;
}

// sudo path. $1 path, $2 temporary name (".<name>.pxc-tmp-<random>" in the
// same directory), $3 octal mode, $4 chown spec, $5 size, $6 sha256 hex;
// data on stdin. The temporary file is created exclusively (noclobber: never
// an existing file or link) with mode 0600 and filled through the descriptor
// the shell holds. The size and digest check catches a connection lost
// mid-transfer (cat then sees a premature end of file).
const std::string& WriteScript() {
  static const std::string script = std::string(R"sh(export LC_ALL=C
p=$1 t=$2 mode=$3 spec=$4 size=$5 sum=$6
d=$(dirname -- "$p")
if [ -d "$p" ]; then echo "pxc: $p is a directory" >&2; exit 21; fi
if [ ! -d "$d" ]; then echo "pxc: directory $d does not exist" >&2; exit 22; fi
umask 077
set -C
exec 3>"$t" || exit 23
set +C
trap 'rm -f -- "$t"' EXIT
trap 'exit 129' HUP INT TERM PIPE
cat >&3 || exit 24)sh") + kFinishTail +
                                    "trap - EXIT\n";
  return script;
}

std::string ChownSpec(const std::string& owner, const std::string& group) {
  if (owner.empty() && group.empty()) return "";
  if (group.empty()) return owner;
  return owner + ":" + group;
}

std::string DescribeTarget(const SshTarget& t) {
  std::string hostport = t.host.find(':') != std::string::npos
                             ? "[" + t.host + "]:" + std::to_string(t.port)
                             : t.host + ":" + std::to_string(t.port);
  return t.label.empty() ? hostport : t.label + " (" + hostport + ")";
}

Status ValidatePath(const std::string& path) {
  if (path.empty() || path[0] != '/') {
    return InvalidArgumentError("remote path \"" + path + "\" must be absolute");
  }
  if (path.find('\0') != std::string::npos) {
    return InvalidArgumentError("remote path must not contain NUL characters");
  }
  if (path.size() > 1 && path.back() == '/') {
    return InvalidArgumentError("remote path \"" + path + "\" must not end with '/'");
  }
  return OkStatus();
}

std::string DirName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string BaseName(const std::string& path) { return path.substr(path.find_last_of('/') + 1); }

}  // namespace

SshTarget::~SshTarget() {
  Cleanse(private_key_pem);
  Cleanse(private_key_passphrase);
  Cleanse(password);
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

// ---------------------------------------------------------------------------

struct SshSession::Impl {
  std::string desc;  // "label (host:port)"
  std::string user;
  bool use_sudo = false;
  int command_timeout_seconds = 300;
  std::string fingerprint;
  std::string key_type;
  SessionPtr session;
  SftpPtr sftp;        // Created on first use; destroyed before `session`.
  std::string broken;  // Why the connection is unusable; empty while usable.
  // Owner/group names resolved on the node during this session (one remote
  // `id`/`getent` round trip per distinct pair instead of one per file).
  std::map<std::pair<std::string, std::string>, std::pair<long, long>> resolved_ids;
  // Directories found safe to write into during this session (normalised).
  // Only root or the writing user could make them unsafe again.
  std::set<std::string> safe_dirs;

  Status CheckUsable() const {
    if (broken.empty()) return OkStatus();
    return UnavailableError("the SSH connection to " + desc + " is no longer usable (" + broken +
                            "); reconnect");
  }

  Clock::time_point Deadline() const {
    return Clock::now() + std::chrono::seconds(command_timeout_seconds);
  }

  // Marks the connection broken and describes the failure of `what`.
  Status ConnectionLost(const std::string& what) {
    std::string err = ssh_get_error(session.get());
    broken = "connection lost while " + what;
    return UnavailableError("lost the SSH connection to " + desc + " while " + what +
                            (err.empty() ? "" : ": " + err));
  }

  // `failed` reads like "cannot write /etc/x".
  Status TimedOut(const std::string& failed, bool connection_closed) {
    if (connection_closed) {
      broken = "an operation timed out";
      ::shutdown(ssh_get_fd(session.get()), SHUT_RDWR);  // libssh's state is unknown now
    }
    return DeadlineExceededError(
        failed + " on " + desc + ": no result within " + std::to_string(command_timeout_seconds) +
        " s (command_timeout_seconds)" + (connection_closed ? "; the connection was closed" : ""));
  }

  // Waits until the socket has something for libssh to do, at most until
  // `deadline` and never longer than 2 ms: libssh may already hold the next
  // message (an exit status, an SFTP reply) in its own buffer, and a poll on
  // the socket would then sleep for nothing. With a 200 ms cap every remote
  // operation paid up to 200 ms (bench P2: 1.9 s -> 0.41 s for 3 nodes).
  void WaitSocket(Clock::time_point deadline) {
    auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (remaining <= 0) return;
    struct pollfd pfd;
    pfd.fd = ssh_get_fd(session.get());
    pfd.events = POLLIN;
    if (ssh_get_poll_flags(session.get()) & SSH_WRITE_PENDING) pfd.events |= POLLOUT;
    pfd.revents = 0;
    ::poll(&pfd, 1, static_cast<int>(std::min<long long>(remaining, 2)));
  }

  StatusOr<ExecResult> Exec(const std::string& command, std::string_view stdin_data);
  StatusOr<ExecResult> RunScript(std::string_view script, const std::vector<std::string>& args,
                                 std::string_view stdin_data = {});
  std::optional<Status> SudoFailure(const ExecResult& r) const;
  Status ScriptFailure(const ExecResult& r, const std::string& action, const std::string& path);
  Status EnsureSftp(Watchdog& wd);
  Status SftpFailure(Watchdog& wd, const std::string& action, const std::string& path);
  StatusOr<std::pair<long, long>> ResolveIds(const std::string& owner, const std::string& group);
  Status WriteViaSftp(const std::string& path, std::string_view content, uint32_t mode,
                      const std::string& owner, const std::string& group);
  Status WriteViaShell(const std::string& path, std::string_view content, uint32_t mode,
                       const std::string& owner, const std::string& group);
  StatusOr<std::optional<std::string>> ReadViaSftp(const std::string& path);
  StatusOr<DirectoryReport> Inspect(const std::string& dir);
  Status CheckWritable(const std::string& dir);
  Status FinishFailure(const ExecResult& r, const std::string& path, const std::string& tmp);
};

SshSession::SshSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SshSession::SshSession(SshSession&&) noexcept = default;
SshSession& SshSession::operator=(SshSession&&) noexcept = default;
SshSession::~SshSession() = default;

std::string SshSession::HostKeyFingerprint() const { return impl_->fingerprint; }
std::string SshSession::HostKeyType() const { return impl_->key_type; }
const std::string& SshSession::Describe() const { return impl_->desc; }

// ---------------------------------------------------------------------------
// Connect: host key first, then credentials.

namespace {

StatusOr<std::vector<PinnedKey>> ParsePins(const SshTarget& t, const std::string& name,
                                           std::vector<std::string>* other_hosts) {
  std::vector<PinnedKey> pins;
  const std::string bare_host = ToLower(t.host);
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
          : " (host_key lines for other hosts were not used: " + JoinStrings(other_hosts, ", ") +
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
      ", which is not in host_key/known_hosts (expected " + JoinStrings(expected, " or ") + ")" +
      skipped +
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
  return names.empty() ? "none" : JoinStrings(names, ", ");
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
  impl->desc = DescribeTarget(t);
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
      t.port == 22 ? ToLower(t.host) : "[" + ToLower(t.host) + "]:" + std::to_string(t.port);
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
    std::string hostkeys = JoinStrings(algos, ",");
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
          (tried.empty() ? std::string("nothing") : JoinStrings(tried, ", ")) +
          "; the server accepts " + AuthMethodNames(methods) +
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

// ---------------------------------------------------------------------------
// Exec.

StatusOr<SshSession::ExecResult> SshSession::Impl::Exec(const std::string& command,
                                                        std::string_view stdin_data) {
  PXC_RETURN_IF_ERROR(CheckUsable());
  ssh_session s = session.get();
  const Clock::time_point deadline = Deadline();
  NonBlockingScope nonblocking(s);
  ChannelPtr ch(ssh_channel_new(s));
  if (!ch) return InternalError("cannot create an SSH channel to " + desc);

  auto timed_out = [&]() {
    ssh_channel_request_send_signal(ch.get(), "TERM");
    ssh_channel_close(ch.get());
    return DeadlineExceededError("a command on " + desc + " did not finish within " +
                                 std::to_string(command_timeout_seconds) +
                                 " s (command_timeout_seconds); it was sent SIGTERM");
  };

  int rc;
  while ((rc = ssh_channel_open_session(ch.get())) == SSH_AGAIN) {
    if (Clock::now() >= deadline) return TimedOut("cannot open a channel", false);
    WaitSocket(deadline);
  }
  if (rc != SSH_OK) return ConnectionLost("opening a channel");
  while ((rc = ssh_channel_request_exec(ch.get(), command.c_str())) == SSH_AGAIN) {
    if (Clock::now() >= deadline) return timed_out();
    WaitSocket(deadline);
  }
  if (rc != SSH_OK) {
    if (!ssh_is_connected(s)) return ConnectionLost("starting a command");
    return FailedPreconditionError("the SSH server on " + desc +
                                   " refused to run a command: " + ssh_get_error(s));
  }

  ExecResult result;
  size_t written = 0;
  bool eof_sent = false;
  bool eof[2] = {false, false};
  std::string* sink[2] = {&result.stdout_text, &result.stderr_text};
  std::string buf(kExecReadChunk, '\0');
  WipeOnExit wipe_buf(buf);
  auto fail = [&](Status st) {
    Cleanse(result.stdout_text);
    Cleanse(result.stderr_text);
    return st;
  };

  while (!(eof[0] && eof[1])) {
    if (Clock::now() >= deadline) return fail(timed_out());
    bool progress = false;
    if (written < stdin_data.size()) {
      uint32_t window = ssh_channel_window_size(ch.get());
      if (window > 0) {
        size_t n = std::min<size_t>({stdin_data.size() - written, window, 1u << 20});
        int w = ssh_channel_write(ch.get(), stdin_data.data() + written, static_cast<uint32_t>(n));
        if (w == SSH_ERROR) {
          if (!ssh_is_connected(s)) return fail(ConnectionLost("sending input to a command"));
          written = stdin_data.size();  // The command stopped reading its input.
          eof_sent = true;
        } else if (w > 0) {
          written += static_cast<size_t>(w);
          progress = true;
        }
      }
    } else if (!eof_sent) {
      ssh_channel_send_eof(ch.get());
      eof_sent = true;
      progress = true;
    }
    for (int is_stderr = 0; is_stderr < 2; ++is_stderr) {
      while (!eof[is_stderr]) {
        int n = ssh_channel_read_nonblocking(ch.get(), buf.data(),
                                             static_cast<uint32_t>(buf.size()), is_stderr);
        if (n > 0) {
          if (sink[is_stderr]->size() + static_cast<size_t>(n) > kMaxExecOutputBytes) {
            ssh_channel_request_send_signal(ch.get(), "TERM");
            ssh_channel_close(ch.get());
            return fail(FailedPreconditionError("a command on " + desc + " wrote more than " +
                                                std::to_string(kMaxExecOutputBytes >> 20) +
                                                " MiB of output"));
          }
          AppendWiping(*sink[is_stderr], buf.data(), static_cast<size_t>(n));
          progress = true;
        } else if (n == SSH_EOF) {
          eof[is_stderr] = true;
        } else if (n == 0) {
          if (ssh_channel_is_closed(ch.get())) eof[is_stderr] = true;
          break;
        } else {
          return fail(ConnectionLost("reading the output of a command"));
        }
      }
    }
    if (progress) continue;
    if (written < stdin_data.size() && ssh_channel_window_size(ch.get()) > 0) continue;
    if (!ssh_is_connected(s)) return fail(ConnectionLost("running a command"));
    WaitSocket(deadline);
  }

  // Output is complete; the exit status follows (or the channel closes).
  while (true) {
    int status = ssh_channel_get_exit_status(ch.get());
    if (status != -1 || ssh_channel_is_closed(ch.get())) {
      result.exit_status = status;
      break;
    }
    if (!ssh_is_connected(s)) return fail(ConnectionLost("waiting for a command to exit"));
    if (Clock::now() >= deadline) return fail(timed_out());
    WaitSocket(deadline);
  }
  ssh_channel_close(ch.get());
  return result;
}

std::optional<Status> SshSession::Impl::SudoFailure(const ExecResult& r) const {
  if (!use_sudo) return std::nullopt;
  const std::string& err = r.stderr_text;
  if (r.exit_status == 1 &&
      (Contains(err, "sudo: a password is required") ||
       Contains(err, "sudo: a terminal is required") || Contains(err, "is not in the sudoers") ||
       Contains(err, "is not allowed to execute") || Contains(err, "sudo: sorry"))) {
    return PermissionDeniedError("sudo -n was refused for user \"" + user + "\" on " + desc + ": " +
                                 FirstLine(err) +
                                 ". Give the user passwordless sudo (NOPASSWD) or connect as "
                                 "root");
  }
  if (r.exit_status == 127 && Contains(err, "sudo") && Contains(err, "not found")) {
    return FailedPreconditionError("sudo is not installed on " + desc +
                                   "; install it or connect as root");
  }
  return std::nullopt;
}

StatusOr<SshSession::ExecResult> SshSession::Exec(const std::string& command,
                                                  std::string_view stdin_data) {
  if (!impl_->use_sudo) return impl_->Exec(command, stdin_data);
  PXC_ASSIGN_OR_RETURN(ExecResult r,
                       impl_->Exec("sudo -n -- sh -c " + ShellQuote(command), stdin_data));
  if (std::optional<Status> st = impl_->SudoFailure(r)) return *st;
  return r;
}

StatusOr<SshSession::ExecResult> SshSession::Impl::RunScript(std::string_view script,
                                                             const std::vector<std::string>& args,
                                                             std::string_view stdin_data) {
  // Built front to back by appending: `"literal" + std::move(s)` inserts at
  // position 0, where GCC 12 at -O3 reports a false -Wrestrict inside
  // std::string (GCC bugs 105329, 105651).
  std::string command;
  if (use_sudo) command.append("sudo -n -- ");
  command.append("sh -c ").append(ShellQuote(script)).append(" sh");
  for (const std::string& a : args) command.append(" ").append(ShellQuote(a));
  PXC_ASSIGN_OR_RETURN(ExecResult r, Exec(command, stdin_data));
  if (std::optional<Status> st = SudoFailure(r)) return *st;
  return r;
}

Status SshSession::Impl::ScriptFailure(const ExecResult& r, const std::string& action,
                                       const std::string& path) {
  std::string detail = StderrSummary(r.stderr_text);
  if (detail.empty()) detail = "exit status " + std::to_string(r.exit_status);
  std::string what = "cannot " + action + " " + path + " on " + desc;
  if (Contains(r.stderr_text, "Permission denied") ||
      Contains(r.stderr_text, "Operation not permitted")) {
    return PermissionDeniedError(
        what + " as user \"" + user + "\": permission denied (" + detail + ")" +
        (use_sudo || user == "root" ? "" : "; connect as root or set sudo = true"));
  }
  return FailedPreconditionError(what + ": " + detail);
}

// ---------------------------------------------------------------------------
// Files.

Status SshSession::Impl::EnsureSftp(Watchdog& wd) {
  if (sftp) return OkStatus();
  SftpPtr sf(sftp_new(session.get()));
  if (!sf) {
    if (wd.expired()) return TimedOut("cannot start SFTP", true);
    if (!ssh_is_connected(session.get())) return ConnectionLost("starting SFTP");
    return FailedPreconditionError("cannot start the SFTP subsystem on " + desc + ": " +
                                   ssh_get_error(session.get()) +
                                   ". Enable `Subsystem sftp` in sshd_config or set sudo = true");
  }
  if (sftp_init(sf.get()) != SSH_OK) {
    if (wd.expired()) return TimedOut("cannot start SFTP", true);
    if (!ssh_is_connected(session.get())) return ConnectionLost("starting SFTP");
    return FailedPreconditionError("cannot start the SFTP subsystem on " + desc + ": " +
                                   ssh_get_error(session.get()));
  }
  sftp = std::move(sf);
  return OkStatus();
}

Status SshSession::Impl::SftpFailure(Watchdog& wd, const std::string& action,
                                     const std::string& path) {
  if (wd.expired()) return TimedOut("cannot " + action + " " + path, true);
  if (!ssh_is_connected(session.get())) return ConnectionLost(action + " " + path);
  int code = sftp_get_error(sftp.get());
  std::string what = "cannot " + action + " " + path + " on " + desc;
  if (code == SSH_FX_PERMISSION_DENIED) {
    return PermissionDeniedError(what + " as user \"" + user + "\": permission denied" +
                                 (user == "root" ? "" : "; connect as root or set sudo = true"));
  }
  if (code == SSH_FX_NO_SUCH_FILE) return FailedPreconditionError(what + ": no such file");
  return FailedPreconditionError(what + ": " + ssh_get_error(session.get()));
}

StatusOr<std::pair<long, long>> SshSession::Impl::ResolveIds(const std::string& owner,
                                                             const std::string& group) {
  if (auto it = resolved_ids.find({owner, group}); it != resolved_ids.end()) return it->second;
  PXC_ASSIGN_OR_RETURN(ExecResult r, RunScript(kResolveIdsScript, {owner, group}));
  if (r.exit_status == 31) {
    return NotFoundError("owner \"" + owner + "\" does not exist on " + desc);
  }
  if (r.exit_status == 32) {
    return NotFoundError("group \"" + group + "\" does not exist on " + desc);
  }
  long uid = 0, gid = 0;
  if (r.exit_status != 0 || std::sscanf(r.stdout_text.c_str(), "%ld %ld", &uid, &gid) != 2) {
    return FailedPreconditionError("cannot look up owner \"" + owner + "\" and group \"" + group +
                                   "\" on " + desc + ": " + StderrSummary(r.stderr_text));
  }
  resolved_ids[{owner, group}] = {uid, gid};
  return std::make_pair(uid, gid);
}

namespace {

// The temporary name next to `path`: ".<name>.pxc-tmp-<16 hex digits>".
std::string TempNameFor(const std::string& path) {
  const std::string dir = DirName(path);
  return (dir == "/" ? "" : dir) + "/." + BaseName(path) + ".pxc-tmp-" + RandomHex(8);
}

}  // namespace

Status SshSession::Impl::FinishFailure(const ExecResult& r, const std::string& path,
                                       const std::string& tmp) {
  switch (r.exit_status) {
    case 21:
      return FailedPreconditionError("cannot write " + path + " on " + desc +
                                     ": it is a directory");
    case 22:
      return FailedPreconditionError("cannot write " + path + " on " + desc + ": directory " +
                                     DirName(path) + " does not exist");
    case 25:
      return UnavailableError("cannot write " + path + " on " + desc +
                              ": the data arrived incomplete (" + StderrSummary(r.stderr_text) +
                              "); the file was left unchanged");
    case 29:
      return FailedPreconditionError(
          "cannot write " + path + " on " + desc + ": the temporary file " + tmp +
          " was replaced by another process while pxc wrote it, so nothing was installed and "
          "its owner and mode were not changed. Some account other than root can change " +
          DirName(path) + "; find out which and why");
    default:
      return ScriptFailure(r, "write", path);
  }
}

StatusOr<SshSession::DirectoryReport> SshSession::Impl::Inspect(const std::string& dir_in) {
  PXC_ASSIGN_OR_RETURN(std::string dir, NormalizeAbsolutePath(dir_in));
  PXC_ASSIGN_OR_RETURN(ExecResult r, RunScript(kInspectDirScript, {dir}));
  if (r.exit_status != 0) return ScriptFailure(r, "inspect", dir);
  auto bad = [&](const std::string& why) {
    return InternalError("cannot inspect " + dir + " on " + desc + ": " + why +
                         " in: " + FirstLine(r.stdout_text));
  };
  std::vector<std::string_view> lines = SplitLines(r.stdout_text);
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  size_t at = 0;
  auto next = [&]() -> std::optional<std::string_view> {
    if (at >= lines.size()) return std::nullopt;
    return lines[at++];
  };
  auto first = next();
  unsigned long writer = 0;
  if (!first || first->substr(0, 4) != "uid " ||
      std::sscanf(std::string(first->substr(4)).c_str(), "%lu", &writer) != 1) {
    return bad("no uid line");
  }
  // One line per prefix: "- <path>" or "<hex> <uid> <gid> <user> <group> <path>".
  auto walk = [&](const std::string& path) -> StatusOr<std::vector<PathEntry>> {
    std::vector<PathEntry> out;
    for (const std::string& want : PathPrefixes(path)) {
      auto line = next();
      if (!line) return bad("missing line for " + want);
      PathEntry e;
      e.path = want;
      if (*line == "- " + want) {
        out.push_back(std::move(e));
        continue;
      }
      std::vector<std::string> f = SplitFields(*line);
      unsigned int mode = 0;
      unsigned long uid = 0, gid = 0;
      std::string_view rest = *line;
      for (int i = 0; i < 5 && !rest.empty(); ++i) {
        size_t sp = rest.find(' ');
        rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
      }
      if (f.size() < 6 || rest != want || std::sscanf(f[0].c_str(), "%x", &mode) != 1 ||
          std::sscanf(f[1].c_str(), "%lu", &uid) != 1 ||
          std::sscanf(f[2].c_str(), "%lu", &gid) != 1) {
        return bad("unexpected line for " + want);
      }
      e.exists = true;
      e.mode = mode;
      e.uid = static_cast<uint32_t>(uid);
      e.gid = static_cast<uint32_t>(gid);
      e.owner = f[3] == "UNKNOWN" ? f[1] : f[3];
      e.group = f[4] == "UNKNOWN" ? f[2] : f[4];
      out.push_back(std::move(e));
    }
    return out;
  };
  DirectoryReport report;
  PXC_ASSIGN_OR_RETURN(std::vector<PathEntry> chain, walk(dir));
  auto resolved_line = next();
  if (!resolved_line || resolved_line->substr(0, 9) != "resolved ") return bad("no resolved line");
  std::vector<PathEntry> resolved;
  std::string resolved_path(resolved_line->substr(9));
  if (resolved_path != dir) {
    auto norm = NormalizeAbsolutePath(resolved_path);
    if (!norm.ok() || *norm != resolved_path) return bad("odd resolved path");
    PXC_ASSIGN_OR_RETURN(resolved, walk(resolved_path));
  }
  const PathEntry& leaf = chain.front();
  report.path = dir;
  report.writer_uid = static_cast<uint32_t>(writer);
  report.exists = leaf.exists;
  report.symlink = leaf.exists && S_ISLNK(leaf.mode);
  if (leaf.exists) {
    FileStat st;
    st.mode = leaf.mode & 07777u;
    st.type = S_ISREG(leaf.mode)   ? FileType::kRegular
              : S_ISDIR(leaf.mode) ? FileType::kDirectory
              : S_ISLNK(leaf.mode) ? FileType::kSymlink
                                   : FileType::kOther;
    st.owner = leaf.owner;
    st.group = leaf.group;
    report.stat = std::move(st);
  }
  report.problem = DirectoryChainProblem(chain, resolved, report.writer_uid);
  Status verdict = CheckDirectoryChain(chain, resolved, report.writer_uid);
  if (!verdict.ok()) report.refusal = verdict.message() + " (on " + desc + ")";
  return report;
}

Status SshSession::Impl::CheckWritable(const std::string& dir) {
  PXC_ASSIGN_OR_RETURN(std::string norm, NormalizeAbsolutePath(dir));
  if (safe_dirs.count(norm)) return OkStatus();
  PXC_ASSIGN_OR_RETURN(DirectoryReport report, Inspect(norm));
  if (report.problem) return FailedPreconditionError(report.refusal);
  if (report.exists) safe_dirs.insert(norm);
  return OkStatus();
}

Status SshSession::Impl::WriteViaSftp(const std::string& path, std::string_view content,
                                      uint32_t mode, const std::string& owner,
                                      const std::string& group) {
  if (!owner.empty() || !group.empty()) {
    // Distinguish "no such user" from other failures with a clear message.
    PXC_RETURN_IF_ERROR(ResolveIds(owner, group).status());
  }
  Watchdog wd(ssh_get_fd(session.get()), Deadline());
  PXC_RETURN_IF_ERROR(EnsureSftp(wd));
  sftp_session sf = sftp.get();

  SftpAttrPtr existing(sftp_lstat(sf, path.c_str()));
  if (existing && existing->type == SSH_FILEXFER_TYPE_DIRECTORY) {
    return FailedPreconditionError("cannot write " + path + " on " + desc + ": it is a directory");
  }
  if (!existing && sftp_get_error(sf) != SSH_FX_NO_SUCH_FILE) {
    return SftpFailure(wd, "write", path);
  }

  const std::string dir = DirName(path);
  const std::string tmp = TempNameFor(path);
  auto leftover = [&](const Status& st) {
    return Status(st.code(), st.message() + " (the temporary file " + tmp +
                                 " may remain; it is safe to delete)");
  };
  SftpFilePtr file(sftp_open(sf, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600));
  if (!file) {
    if (!wd.expired() && ssh_is_connected(session.get()) &&
        sftp_get_error(sf) == SSH_FX_NO_SUCH_FILE) {
      return FailedPreconditionError("cannot write " + path + " on " + desc + ": directory " + dir +
                                     " does not exist");
    }
    Status st = SftpFailure(wd, "write", path);
    // Without an answer it is unknown whether the server created the file.
    return wd.expired() || !ssh_is_connected(session.get()) ? leftover(st) : st;
  }

  // From here on, a failure removes the temporary file (or whatever was put
  // in its place: unlink never follows a link) if it still can.
  auto failed = [&](Status st) -> Status {
    file.reset();
    if (!wd.expired() && ssh_is_connected(session.get()) &&
        sftp_unlink(sf, tmp.c_str()) == SSH_OK) {
      return st;
    }
    return leftover(st);
  };

  size_t off = 0;
  while (off < content.size()) {
    size_t n = std::min(kSftpChunk, content.size() - off);
    ssize_t w = sftp_write(file.get(), content.data() + off, n);
    if (w <= 0) return failed(SftpFailure(wd, "write", path));
    off += static_cast<size_t>(w);
  }
  if (sftp_extension_supported(sf, "fsync@openssh.com", "1") && sftp_fsync(file.get()) != SSH_OK) {
    return failed(SftpFailure(wd, "flush", path));
  }
  int close_rc = sftp_close(file.release());
  if (close_rc != SSH_OK) return failed(SftpFailure(wd, "write", path));

  // libssh 0.10 has neither fsetstat nor lsetstat (setstat by name follows
  // symbolic links) nor posix-rename@openssh.com (its sftp_rename refuses to
  // replace an existing file): owner, mode and the rename are done by a
  // shell that opens the temporary file, checks it is the file just written
  // and changes that open file (see kFinishTail).
  StatusOr<ExecResult> fin = RunScript(
      FinishScript(),
      {tmp, path, OctalMode(mode), ChownSpec(owner, group), std::to_string(content.size())});
  if (wd.expired()) return failed(TimedOut("cannot write " + path, true));
  if (!fin.ok()) return failed(fin.status());
  if (fin->exit_status != 0) return failed(FinishFailure(*fin, path, tmp));
  return OkStatus();
}

Status SshSession::Impl::WriteViaShell(const std::string& path, std::string_view content,
                                       uint32_t mode, const std::string& owner,
                                       const std::string& group) {
  std::optional<std::string> digest = Sha256Hex(content);
  if (!digest) return InternalError("SHA-256 failed");
  if (!owner.empty() || !group.empty()) {
    // Distinguish "no such user" from other failures with a clear message.
    PXC_RETURN_IF_ERROR(ResolveIds(owner, group).status());
  }
  const std::string tmp = TempNameFor(path);
  PXC_ASSIGN_OR_RETURN(ExecResult r, RunScript(WriteScript(),
                                               {path, tmp, OctalMode(mode), ChownSpec(owner, group),
                                                std::to_string(content.size()), *digest},
                                               content));
  if (r.exit_status == 0) return OkStatus();
  return FinishFailure(r, path, tmp);
}

Status SshSession::WriteFileAtomic(const std::string& path, std::string_view content, uint32_t mode,
                                   const std::string& owner, const std::string& group) {
  PXC_RETURN_IF_ERROR(ValidatePath(path));
  if (path == "/") return InvalidArgumentError("cannot write a file at /");
  PXC_RETURN_IF_ERROR(impl_->CheckUsable());
  PXC_RETURN_IF_ERROR(impl_->CheckWritable(DirName(path)));
  if (impl_->use_sudo) return impl_->WriteViaShell(path, content, mode, owner, group);
  return impl_->WriteViaSftp(path, content, mode, owner, group);
}

StatusOr<std::optional<std::string>> SshSession::Impl::ReadViaSftp(const std::string& path) {
  Watchdog wd(ssh_get_fd(session.get()), Deadline());
  PXC_RETURN_IF_ERROR(EnsureSftp(wd));
  SftpFilePtr file(sftp_open(sftp.get(), path.c_str(), O_RDONLY, 0));
  if (!file) {
    if (!wd.expired() && ssh_is_connected(session.get()) &&
        sftp_get_error(sftp.get()) == SSH_FX_NO_SUCH_FILE) {
      return std::optional<std::string>();
    }
    return SftpFailure(wd, "read", path);
  }
  SftpAttrPtr attrs(sftp_fstat(file.get()));
  if (!attrs) return SftpFailure(wd, "read", path);
  if ((attrs->permissions & S_IFMT) != S_IFREG) {
    return FailedPreconditionError("cannot read " + path + " on " + desc +
                                   ": it is not a regular file");
  }
  if (attrs->size > kMaxReadFileBytes) {
    return FailedPreconditionError("cannot read " + path + " on " + desc + ": it has " +
                                   std::to_string(attrs->size) + " bytes, more than the " +
                                   std::to_string(kMaxReadFileBytes >> 20) + " MiB limit");
  }
  std::string data;
  data.reserve(static_cast<size_t>(attrs->size));
  std::string buf(kSftpChunk, '\0');
  WipeOnExit wipe_buf(buf);
  while (true) {
    ssize_t n = sftp_read(file.get(), buf.data(), buf.size());
    if (n == 0) break;
    if (n < 0) {
      Cleanse(data);
      return SftpFailure(wd, "read", path);
    }
    if (data.size() + static_cast<size_t>(n) > kMaxReadFileBytes) {
      Cleanse(data);
      return FailedPreconditionError("cannot read " + path + " on " + desc +
                                     ": it is larger than the " +
                                     std::to_string(kMaxReadFileBytes >> 20) + " MiB limit");
    }
    AppendWiping(data, buf.data(), static_cast<size_t>(n));
  }
  return std::optional<std::string>(std::move(data));
}

StatusOr<std::optional<std::string>> SshSession::ReadFile(const std::string& path) {
  PXC_RETURN_IF_ERROR(ValidatePath(path));
  PXC_RETURN_IF_ERROR(impl_->CheckUsable());
  if (!impl_->use_sudo) return impl_->ReadViaSftp(path);
  PXC_ASSIGN_OR_RETURN(
      ExecResult r, impl_->RunScript(kReadScript, {path, std::to_string(kMaxReadFileBytes + 1)}));
  if (r.exit_status == 0) {
    if (r.stdout_text.size() > kMaxReadFileBytes) {
      Cleanse(r.stdout_text);
      return FailedPreconditionError("cannot read " + path + " on " + impl_->desc +
                                     ": it is larger than the " +
                                     std::to_string(kMaxReadFileBytes >> 20) + " MiB limit");
    }
    return std::optional<std::string>(std::move(r.stdout_text));
  }
  Cleanse(r.stdout_text);
  if (Contains(r.stderr_text, "No such file or directory") ||
      Contains(r.stderr_text, "Not a directory")) {
    return std::optional<std::string>();
  }
  if (r.exit_status == 21) {
    return FailedPreconditionError("cannot read " + path + " on " + impl_->desc +
                                   ": it is a directory");
  }
  return impl_->ScriptFailure(r, "read", path);
}

StatusOr<std::optional<SshSession::FileStat>> SshSession::StatImpl(const std::string& path,
                                                                   bool follow) {
  PXC_RETURN_IF_ERROR(ValidatePath(path));
  PXC_ASSIGN_OR_RETURN(ExecResult r, impl_->RunScript(kStatScript, {path, follow ? "-L" : "-P"}));
  if (r.exit_status != 0) {
    if (Contains(r.stderr_text, "No such file or directory") ||
        Contains(r.stderr_text, "Not a directory")) {
      return std::optional<FileStat>();
    }
    return impl_->ScriptFailure(r, "inspect", path);
  }
  unsigned int raw_mode = 0;
  unsigned long long size = 0;
  char uid[64], gid[64], user[256], group[256];
  if (std::sscanf(r.stdout_text.c_str(), "%x %63s %63s %llu %255s %255s", &raw_mode, uid, gid,
                  &size, user, group) != 6) {
    return InternalError("cannot parse `stat` output for " + path + " on " + impl_->desc + ": " +
                         FirstLine(r.stdout_text));
  }
  FileStat st;
  st.mode = raw_mode & 07777u;
  st.type = (raw_mode & S_IFMT) == S_IFREG   ? FileType::kRegular
            : (raw_mode & S_IFMT) == S_IFDIR ? FileType::kDirectory
            : (raw_mode & S_IFMT) == S_IFLNK ? FileType::kSymlink
                                             : FileType::kOther;
  st.owner = std::string(user) == "UNKNOWN" ? uid : user;
  st.group = std::string(group) == "UNKNOWN" ? gid : group;
  st.size = size;
  return std::optional<FileStat>(std::move(st));
}

StatusOr<std::optional<SshSession::FileStat>> SshSession::Stat(const std::string& path) {
  return StatImpl(path, true);
}

StatusOr<std::optional<SshSession::FileStat>> SshSession::Lstat(const std::string& path) {
  return StatImpl(path, false);
}

StatusOr<SshSession::DirectoryReport> SshSession::InspectDirectory(const std::string& dir) {
  PXC_RETURN_IF_ERROR(impl_->CheckUsable());
  return impl_->Inspect(dir);
}

Status SshSession::RemoveFile(const std::string& path) {
  PXC_RETURN_IF_ERROR(ValidatePath(path));
  PXC_ASSIGN_OR_RETURN(ExecResult r, impl_->RunScript(kRemoveScript, {path}));
  if (r.exit_status == 0) return OkStatus();
  if (r.exit_status == 21) {
    return FailedPreconditionError("cannot remove " + path + " on " + impl_->desc +
                                   ": it is a directory");
  }
  if (Contains(r.stderr_text, "Not a directory")) return OkStatus();  // Cannot exist.
  return impl_->ScriptFailure(r, "remove", path);
}

StatusOr<bool> SshSession::MakeDirectory(const std::string& path, uint32_t mode,
                                         const std::string& owner, const std::string& group) {
  PXC_RETURN_IF_ERROR(ValidatePath(path));
  if (!owner.empty() || !group.empty()) {
    PXC_RETURN_IF_ERROR(impl_->ResolveIds(owner, group).status());
  }
  PXC_ASSIGN_OR_RETURN(ExecResult r, impl_->RunScript(kMkdirScript, {path, OctalMode(mode),
                                                                     ChownSpec(owner, group)}));
  if (r.exit_status == 0) return Contains(r.stdout_text, "created");
  switch (r.exit_status) {
    case 21:
      return FailedPreconditionError("cannot create directory " + path + " on " + impl_->desc +
                                     ": a file of that name exists");
    case 24:
      return FailedPreconditionError("cannot create directory " + path + " on " + impl_->desc +
                                     ": it is a symbolic link");
    case 29:
      return FailedPreconditionError("cannot create directory " + path + " on " + impl_->desc +
                                     ": it was replaced by another process while pxc created "
                                     "it; some account other than root can change " +
                                     DirName(path));
    default:
      return impl_->ScriptFailure(r, "create directory", path);
  }
}

Status SshSession::SetDirectoryOwnerAndMode(const std::string& path, uint32_t mode,
                                            const std::string& owner, const std::string& group) {
  PXC_RETURN_IF_ERROR(ValidatePath(path));
  if (!owner.empty() || !group.empty()) {
    PXC_RETURN_IF_ERROR(impl_->ResolveIds(owner, group).status());
  }
  PXC_ASSIGN_OR_RETURN(ExecResult r, impl_->RunScript(kChownDirScript, {path, OctalMode(mode),
                                                                        ChownSpec(owner, group)}));
  switch (r.exit_status) {
    case 0:
      impl_->safe_dirs.clear();  // the verdicts may have changed
      return OkStatus();
    case 21:
      return FailedPreconditionError("cannot change directory " + path + " on " + impl_->desc +
                                     ": it is not a directory");
    case 24:
      return FailedPreconditionError("cannot change directory " + path + " on " + impl_->desc +
                                     ": it is a symbolic link");
    case 29:
      return FailedPreconditionError("cannot change directory " + path + " on " + impl_->desc +
                                     ": it was replaced by another process meanwhile");
    default:
      return impl_->ScriptFailure(r, "change owner and mode of", path);
  }
}

StatusOr<bool> SshSession::RemoveDirectory(const std::string& path) {
  PXC_RETURN_IF_ERROR(ValidatePath(path));
  PXC_ASSIGN_OR_RETURN(ExecResult r, impl_->RunScript(kRmdirScript, {path}));
  switch (r.exit_status) {
    case 0:
      impl_->safe_dirs.clear();
      return true;
    case 23:
      return false;
    case 21:
      return FailedPreconditionError("cannot remove directory " + path + " on " + impl_->desc +
                                     ": it is not a directory");
    case 24:
      return FailedPreconditionError("cannot remove directory " + path + " on " + impl_->desc +
                                     ": it is a symbolic link");
    default:
      return impl_->ScriptFailure(r, "remove directory", path);
  }
}

}  // namespace pxc::resources
