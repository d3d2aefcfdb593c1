#include "resources/tlsprobe/tls_probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "resources/tlsprobe/mysql_starttls.h"

namespace pxc::resources::tlsprobe {

namespace {

using Clock = std::chrono::steady_clock;

std::string Where(const Endpoint& ep) {
  std::string s = ep.host;
  s.push_back(':');
  s.append(std::to_string(ep.port));
  return s;
}

// A connected TCP socket; closed on destruction.
class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Socket& operator=(Socket&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() {
    if (fd_ >= 0) close(fd_);
  }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

int RemainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

void SetTimeouts(int fd, Clock::time_point deadline) {
  int ms = std::max(RemainingMs(deadline), 1);
  timeval tv{};
  tv.tv_sec = ms / 1000;
  tv.tv_usec = (ms % 1000) * 1000;
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

// Connects (non-blocking, bounded by the deadline), then leaves the socket
// blocking with receive and send timeouts up to the deadline.
StatusOr<Socket> Connect(const Endpoint& ep, Clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const std::string port = std::to_string(ep.port);
  int rc = getaddrinfo(ep.host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0) {
    std::string m = "cannot resolve ";
    m.append(ep.host);
    m.append(": ");
    m.append(gai_strerror(rc));
    return UnavailableError(std::move(m));
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(res, freeaddrinfo);
  std::string last = "no address";
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
    Socket s(socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol));
    if (s.fd() < 0) {
      last = std::strerror(errno);
      continue;
    }
    if (connect(s.fd(), a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
      last = std::strerror(errno);
      continue;
    }
    pollfd pfd{s.fd(), POLLOUT, 0};
    int n = poll(&pfd, 1, RemainingMs(deadline));
    if (n == 0) {
      last = "connection timed out";
      continue;
    }
    int err = 0;
    socklen_t len = sizeof err;
    if (n < 0 || getsockopt(s.fd(), SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
      last = std::strerror(n < 0 ? errno : err);
      continue;
    }
    int flags = fcntl(s.fd(), F_GETFL, 0);
    fcntl(s.fd(), F_SETFL, flags & ~O_NONBLOCK);
    SetTimeouts(s.fd(), deadline);
    return s;
  }
  std::string m = "cannot connect to ";
  m.append(Where(ep));
  m.append(": ");
  m.append(last);
  return UnavailableError(std::move(m));
}

// Reads exactly n bytes; false on EOF, error or timeout.
bool ReadFull(int fd, std::string& out, std::size_t n) {
  out.resize(n);
  std::size_t got = 0;
  while (got < n) {
    ssize_t r = recv(fd, out.data() + got, n - got, 0);
    if (r <= 0) {
      if (r < 0 && errno == EINTR) continue;
      out.resize(got);
      return false;
    }
    got += static_cast<std::size_t>(r);
  }
  return true;
}

bool WriteFull(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t w = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (w <= 0) {
      if (w < 0 && errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(w));
  }
  return true;
}

std::string OpenSslReason() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    const char* reason = ERR_reason_error_string(e);
    if (!out.empty()) out.append("; ");
    out.append(reason != nullptr ? reason : buf);
  }
  return out;
}

struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};

// OpenSSL writes to the socket with write(): a peer that closed first would
// raise SIGPIPE. Blocks it on this thread for the scope and discards one
// raised meanwhile, so the probe gets EPIPE whatever the process does with
// the signal.
class ScopedSigpipeBlock {
 public:
  ScopedSigpipeBlock() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~ScopedSigpipeBlock() {
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    if (!was_pending_ && sigismember(&pending, SIGPIPE) == 1) {
      timespec zero{};
      sigtimedwait(&pipe_, nullptr, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  ScopedSigpipeBlock(const ScopedSigpipeBlock&) = delete;
  ScopedSigpipeBlock& operator=(const ScopedSigpipeBlock&) = delete;

 private:
  sigset_t pipe_{}, old_{};
  bool was_pending_ = false;
};

bool IsIpLiteral(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

std::string_view TlsVersionName(TlsVersion v) {
  switch (v) {
    case TlsVersion::kTls12:
      return "TLSv1.2";
    case TlsVersion::kTls13:
      return "TLSv1.3";
    case TlsVersion::kAny:
      break;
  }
  return "any";
}

std::string_view PlainAnswerName(PlainAnswer a) {
  switch (a) {
    case PlainAnswer::kPlain:
      return "plain";
    case PlainAnswer::kTls:
      return "tls";
    case PlainAnswer::kSilent:
      return "silent";
    case PlainAnswer::kClosed:
      return "closed";
  }
  return "closed";
}

PlainAnswer ClassifyFirstBytes(std::string_view bytes) {
  if (bytes.empty()) return PlainAnswer::kClosed;
  const auto type = static_cast<unsigned char>(bytes[0]);
  if (type >= 0x14 && type <= 0x17 && (bytes.size() < 2 || bytes[1] == 0x03)) {
    return PlainAnswer::kTls;
  }
  return PlainAnswer::kPlain;
}

StatusOr<HandshakeResult> ProbeTls(const Endpoint& ep, Preamble preamble, TlsVersion version) {
  ScopedSigpipeBlock no_sigpipe;
  const auto deadline = Clock::now() + ep.timeout;
  PXC_ASSIGN_OR_RETURN(Socket sock, Connect(ep, deadline));
  HandshakeResult r;
  if (preamble == Preamble::kMysqlStartTls) {
    std::string header;
    if (!ReadFull(sock.fd(), header, 4)) {
      std::string m = Where(ep);
      m.append(" closed the connection before its MySQL greeting");
      return UnavailableError(std::move(m));
    }
    auto h = ParsePacketHeader(header);
    if (!h || h->length > kMaxGreetingBytes) {
      r.refusal = "not a MySQL server (greeting too long)";
      return r;
    }
    std::string payload;
    if (!ReadFull(sock.fd(), payload, h->length)) {
      r.refusal = "the MySQL greeting was cut short";
      return r;
    }
    auto g = ParseGreeting(payload);
    if (!g.ok()) {
      if (g.status().code() == StatusCode::kUnavailable) {
        std::string m = Where(ep);
        m.append(": ");
        m.append(g.status().message());
        return UnavailableError(std::move(m));
      }
      r.refusal = g.status().message();
      return r;
    }
    r.server_version = g->server_version;
    if (!g->SupportsTls()) {
      r.server_offers_tls = false;
      r.refusal = "the server does not offer TLS (no CLIENT_SSL in its greeting)";
      return r;
    }
    if (!WriteFull(sock.fd(), BuildSslRequest(*g))) {
      r.refusal = "the connection closed when the SSLRequest was sent";
      return r;
    }
  }

  ERR_clear_error();
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return InternalError("SSL_CTX_new: " + OpenSslReason());
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  if (version == TlsVersion::kTls12) {
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(ctx.get(), TLS1_2_VERSION);
  } else if (version == TlsVersion::kTls13) {
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_3_VERSION);
    SSL_CTX_set_max_proto_version(ctx.get(), TLS1_3_VERSION);
  }
  std::unique_ptr<SSL, SslFree> ssl(SSL_new(ctx.get()));
  if (!ssl) return InternalError("SSL_new: " + OpenSslReason());
  SSL_set_fd(ssl.get(), sock.fd());
  if (!IsIpLiteral(ep.host)) SSL_set_tlsext_host_name(ssl.get(), ep.host.c_str());
  const int rc = SSL_connect(ssl.get());
  // The chain is kept from the server's Certificate message even when the
  // handshake fails afterwards (Galera refusing a peer without a client
  // certificate under TLS 1.2).
  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl.get());
  if (chain != nullptr) {
    for (int i = 0; i < sk_X509_num(chain); ++i) {
      X509* x = sk_X509_value(chain, i);
      unsigned char* der = nullptr;
      int len = i2d_X509(x, &der);
      if (len > 0) {
        r.chain_der.emplace_back(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
        OPENSSL_free(der);
      }
    }
  }
  if (r.chain_der.empty()) {
    if (X509* leaf = SSL_get0_peer_certificate(ssl.get())) {
      unsigned char* der = nullptr;
      int len = i2d_X509(leaf, &der);
      if (len > 0) {
        r.chain_der.emplace_back(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
        OPENSSL_free(der);
      }
    }
  }
  r.served = !r.chain_der.empty();
  if (r.served) {
    r.version = SSL_get_version(ssl.get());
    if (rc == 1) SSL_shutdown(ssl.get());
  } else {
    std::string why = OpenSslReason();
    if (why.empty()) why = rc == 0 ? "the server closed the connection" : "handshake failed";
    r.refusal = std::move(why);
  }
  ERR_clear_error();
  return r;
}

StatusOr<PlainAnswer> ProbePlainGalera(const Endpoint& ep, std::chrono::milliseconds wait) {
  const auto start = Clock::now();
  PXC_ASSIGN_OR_RETURN(Socket sock, Connect(ep, start + ep.timeout));
  const auto deadline = Clock::now() + wait;
  pollfd pfd{sock.fd(), POLLIN, 0};
  int n = poll(&pfd, 1, RemainingMs(deadline));
  if (n <= 0) return PlainAnswer::kSilent;
  char buf[16];
  ssize_t got = recv(sock.fd(), buf, sizeof buf, MSG_DONTWAIT);
  if (got <= 0) return PlainAnswer::kClosed;
  return ClassifyFirstBytes(std::string_view(buf, static_cast<std::size_t>(got)));
}

StatusOr<PlainAnswer> SharedProbePlainGalera(const Endpoint& ep, std::chrono::milliseconds wait,
                                             std::chrono::milliseconds reuse) {
  struct Flight {
    std::shared_future<StatusOr<PlainAnswer>> answer;
    Clock::time_point started;
  };
  static std::mutex mu;
  static std::map<std::string, Flight> flights;
  const std::string key = Where(ep);
  std::promise<StatusOr<PlainAnswer>> mine;
  std::optional<std::shared_future<StatusOr<PlainAnswer>>> joined;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = flights.find(key);
    if (it != flights.end() && Clock::now() - it->second.started < reuse) {
      joined = it->second.answer;
    } else {
      flights[key] = Flight{mine.get_future().share(), Clock::now()};
    }
  }
  if (joined) return joined->get();
  StatusOr<PlainAnswer> out = ProbePlainGalera(ep, wait);
  mine.set_value(out);
  return out;
}

}  // namespace pxc::resources::tlsprobe
