// What a node serves on the network: a TLS handshake with OpenSSL on a plain
// socket (for the MySQL port after the protocol's STARTTLS, for Galera's
// port directly) that stops once the server's certificate chain is in hand,
// and the check whether Galera's port still accepts an unencrypted peer.
// Nothing logs in: the MySQL probe ends after the handshake (no credentials
// are sent), the Galera probes close before any group communication.
//
// Every call is bounded by its timeout (connect, each read and write) and
// contacts only the host and port it is given.
//
// Thread safety: every function may be called concurrently from several
// threads (each uses its own socket and OpenSSL objects).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "schema/status.h"

namespace pxc::resources::tlsprobe {

enum class Preamble {
  kNone,           // TLS from the first byte (Galera with socket.ssl)
  kMysqlStartTls,  // the server's greeting, then an SSLRequest
};

struct Endpoint {
  std::string host;
  int port = 0;
  std::chrono::milliseconds timeout{3000};
};

// TLS protocol versions a handshake may be limited to.
enum class TlsVersion { kAny, kTls12, kTls13 };
// "TLSv1.2", "TLSv1.3", "any".
std::string_view TlsVersionName(TlsVersion v);

struct HandshakeResult {
  // The server answered the ClientHello with its certificate. A server that
  // then refuses the probe for having no client certificate (Galera's
  // mutual TLS) still counts: it offered that version and its chain.
  bool served = false;
  std::string version;  // negotiated, e.g. "TLSv1.3"; "" when not served
  // The chain the server sent, leaf first, DER.
  std::vector<std::string> chain_der;
  // Why the server did not serve a certificate (OpenSSL's reason, or the
  // greeting's), "" when served.
  std::string refusal;
  // The MySQL greeting's server version ("" for Galera).
  std::string server_version;
  bool server_offers_tls = true;  // MySQL: CLIENT_SSL in the greeting
};

// Connects to `ep`, runs `preamble`, then a TLS handshake limited to
// `version` without verifying anything (the caller verifies the chain
// against the CA it trusts). Errors: kUnavailable when the port cannot be
// reached (refused, no route, timeout before the connection is made, a
// server that closes before its greeting, or whose greeting refuses the
// host); every other outcome is a HandshakeResult.
StatusOr<HandshakeResult> ProbeTls(const Endpoint& ep, Preamble preamble, TlsVersion version);

// How Galera's port answers a peer that connects and sends nothing.
enum class PlainAnswer {
  kPlain,   // it sent bytes that are not TLS: its group-communication handshake
  kTls,     // it sent a TLS record (not expected from a TLS server; counted as TLS)
  kSilent,  // nothing within the wait: it waits for a ClientHello (TLS only)
  kClosed,  // it closed the connection without sending anything
};
std::string_view PlainAnswerName(PlainAnswer a);

// Classifies the first bytes a server sent: a TLS record starts with
// content type 0x14..0x17 and version major 3.
PlainAnswer ClassifyFirstBytes(std::string_view bytes);

// Connects to Galera's port, sends nothing and waits up to `wait` for the
// server's first bytes. Measured with MariaDB 10.11 + galera-4 26.4 (a node
// on 127.0.0.1, each mode 3-5 times): without TLS the node sends its plain
// group-communication handshake at once (0 ms); with socket.ssl_* and
// socket.dynamic=yes it waits 750 ms for a ClientHello (galerautils'
// AsioDynamicStreamEngine server timeout) and then sends the same plain
// handshake (751 ms every time); with socket.ssl_* alone it waits for a
// ClientHello and sends nothing (silent until `wait` ends). `wait` must
// therefore exceed 750 ms. Errors: kUnavailable when the port cannot be
// reached.
StatusOr<PlainAnswer> ProbePlainGalera(const Endpoint& ep, std::chrono::milliseconds wait);

// ProbePlainGalera shared within the process. A Galera node with
// socket.dynamic handles silent peers one after the other: its network
// thread polls 750 ms for each (measured: three silent connections at once
// were all answered after 2254 ms), so two reads of the same node at the
// same time (two data sources in one plan) would each push the other past
// its wait. A probe of the same host and port already running is joined,
// and an answer is reused for `reuse` after its probe started.
StatusOr<PlainAnswer> SharedProbePlainGalera(const Endpoint& ep, std::chrono::milliseconds wait,
                                             std::chrono::milliseconds reuse);

}  // namespace pxc::resources::tlsprobe
