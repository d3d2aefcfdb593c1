#include "resources/cluster_tls.h"

#include <chrono>
#include <future>
#include <set>

#include "resources/galera/mycnf.h"
#include "resources/galera/tls_deploy.h"
#include "resources/galera/tls_options.h"
#include "resources/pki/x509.h"
#include "resources/remote/ssh_settings.h"
#include "resources/schema_names.h"
#include "resources/tlsprobe/cluster_tls_report.h"
#include "resources/tlsprobe/tls_probe.h"
#include "schema/model.h"
#include "schema/text.h"

namespace pxc::resources {

namespace {

using tlsprobe::CertSummary;
using tlsprobe::NodeReport;
using tlsprobe::PortReport;
using Clock = std::chrono::system_clock;

constexpr int kDefaultMysqlPort = 3306;
constexpr int kDefaultGaleraPort = 4567;
// Longer than the 750 ms a Galera node with socket.dynamic waits for a
// ClientHello before it speaks plain (galerautils AsioDynamicStreamEngine).
constexpr std::chrono::milliseconds kPlainWait{1100};
// Another read of the same node within this time (two data sources over
// the same nodes in one plan) uses the same plain-Galera probe.
constexpr std::chrono::milliseconds kPlainReuse{5000};

struct NodeModel {
  std::string name, host, config_file;
  int mysql_port = kDefaultMysqlPort, galera_port = kDefaultGaleraPort;
};

struct Model {
  int64_t warn_days = 30;
  int64_t timeout_seconds = 3;
  std::string flavor;
  std::vector<NodeModel> nodes;
};

Model ModelFrom(const Value& v, const schema::Block& block) {
  schema::ModelReader r(v, block);
  Model m;
  m.warn_days = r.Int("warn_days");
  m.timeout_seconds = r.Int("timeout_seconds");
  m.flavor = r.String("flavor");
  const schema::NestedBlock* nb = block.FindBlock("node");
  const Value nodes = v.IsKnown() ? v.GetAttr("node") : Value();
  if (nb != nullptr && nodes.IsKnown()) {
    for (const Value& nv : nodes.Elements()) {
      schema::ModelReader nr(nv, nb->block);
      NodeModel n;
      n.name = nr.String("name");
      n.host = nr.String("host");
      n.config_file = nr.OptString("config_file").value_or(kDefaultConfigFile);
      n.mysql_port = static_cast<int>(nr.OptInt("mysql_port").value_or(kDefaultMysqlPort));
      n.galera_port = static_cast<int>(nr.OptInt("galera_port").value_or(kDefaultGaleraPort));
      m.nodes.push_back(std::move(n));
    }
  }
  return m;
}

Type StrList() { return Type::List(Type::String()); }

std::map<std::string, Type> PortAttrTypes() {
  return {
      {"port", Type::Number()},
      {"reachable", Type::Bool()},
      {"error", Type::String()},
      {"tls_versions", StrList()},
      {"subject", Type::String()},
      {"issuer", Type::String()},
      {"serial", Type::String()},
      {"sha256_fingerprint", Type::String()},
      {"not_after", Type::String()},
      {"days_left", Type::Number()},
      {"dns_names", StrList()},
      {"ip_addresses", StrList()},
      {"ca_file", Type::String()},
      {"cert_file", Type::String()},
      {"key_file", Type::String()},
      {"ca_fingerprints", StrList()},
      {"cert_file_fingerprint", Type::String()},
      {"key_file_sha256", Type::String()},
      {"key_matches_cert", Type::Bool()},
      {"matches_file", Type::Bool()},
      {"verified", Type::Bool()},
      {"verify_error", Type::String()},
      {"plain_accepted", Type::Bool()},
  };
}

Value Strings(const std::vector<std::string>& v) {
  std::vector<Value> out;
  out.reserve(v.size());
  for (const auto& s : v) out.push_back(Value::String(s));
  return Value::List(Type::String(), std::move(out));
}

Value OptBool(std::optional<bool> b) { return b ? Value::Bool(*b) : Value::Null(Type::Bool()); }
Value OptStr(const std::string& s) {
  return s.empty() ? Value::Null(Type::String()) : Value::String(s);
}

// What the node's files say beyond PortReport (the key).
struct KeyInfo {
  std::string sha256;
  std::optional<bool> matches_cert;
};

Value PortValue(const PortReport& p, const KeyInfo& key) {
  std::map<std::string, Value> a;
  a["port"] = Value::Num(schema::Number(static_cast<int64_t>(p.port)));
  a["reachable"] = Value::Bool(p.reachable);
  a["error"] = Value::String(p.error);
  a["tls_versions"] = Strings(p.tls_versions);
  const CertSummary* c = p.served ? &*p.served : nullptr;
  a["subject"] = c ? Value::String(c->subject) : Value::Null(Type::String());
  a["issuer"] = c ? Value::String(c->issuer) : Value::Null(Type::String());
  a["serial"] = c ? Value::String(c->serial) : Value::Null(Type::String());
  a["sha256_fingerprint"] = c ? Value::String(c->sha256_fingerprint) : Value::Null(Type::String());
  a["not_after"] = c ? Value::String(c->not_after) : Value::Null(Type::String());
  a["days_left"] = c ? Value::Num(schema::Number(c->days_left)) : Value::Null(Type::Number());
  a["dns_names"] = c ? Strings(c->dns_names) : Value::Null(StrList());
  a["ip_addresses"] = c ? Strings(c->ip_addresses) : Value::Null(StrList());
  a["ca_file"] = OptStr(p.ca_file);
  a["cert_file"] = OptStr(p.cert_file);
  a["key_file"] = OptStr(p.key_file);
  a["ca_fingerprints"] = Strings(p.ca_fingerprints);
  a["cert_file_fingerprint"] = OptStr(p.cert_file_fingerprint);
  a["key_file_sha256"] = OptStr(key.sha256);
  a["key_matches_cert"] = OptBool(key.matches_cert);
  a["matches_file"] = OptBool(p.matches_file);
  a["verified"] = OptBool(p.verified);
  a["verify_error"] = Value::String(p.verify_error);
  a["plain_accepted"] = OptBool(p.plain_accepted);
  return Value::Object(std::move(a));
}

// Every "BEGIN CERTIFICATE" block of a PEM file, parsed; unparsable blocks
// are skipped.
std::vector<Certificate> CertificatesIn(const std::string& pem) {
  static constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
  static constexpr std::string_view kEnd = "-----END CERTIFICATE-----";
  std::vector<Certificate> out;
  std::size_t at = 0;
  while ((at = pem.find(kBegin, at)) != std::string::npos) {
    std::size_t end = pem.find(kEnd, at);
    if (end == std::string::npos) break;
    end += kEnd.size();
    auto c = Certificate::FromPem(std::string_view(pem).substr(at, end - at));
    if (c.ok()) out.push_back(*c);
    at = end;
  }
  return out;
}

// The TLS files one port uses, as the node's option files name them, and
// their contents.
struct PortFiles {
  std::string ca_file, cert_file, key_file;
  std::optional<std::string> ca_pem, cert_pem, key_pem;
  std::vector<std::string> missing;  // sentences
  ~PortFiles() {
    if (key_pem) WipeString(&*key_pem);
  }
};

struct NodeFiles {
  bool ok = false;
  std::string error;
  PortFiles mysql, galera;
};

// Reads my.cnf (and its includes) as the server reads it, then the files it
// names. `ssl_*` from the sections mysqld reads; Galera's from
// wsrep_provider_options' socket.ssl_*, or (pxc80, whose Galera takes
// mysqld's files when pxc-encrypt-cluster-traffic is on) from ssl-*.
void ReadNodeFiles(NodeHost& host, const NodeModel& n, const std::string& flavor, NodeFiles& out) {
  auto text = host.ReadFile(n.config_file);
  if (!text.ok()) {
    out.error = text.status().message();
    return;
  }
  if (!*text) {
    out.error = n.config_file + " does not exist";
    return;
  }
  auto doc = Document::Parse(**text);
  if (!doc.ok()) {
    out.error = n.config_file + ": " + doc.status().message();
    return;
  }
  auto tree = ReadTree(host, n.config_file, *doc);
  if (!tree.ok()) {
    out.error = tree.status().message();
    return;
  }
  TlsLayout layout;
  layout.role = "server";
  layout.flavor = flavor;
  const auto sections = layout.ReadBy("mysqld", *tree);
  auto get = [&](std::string_view key) -> std::string {
    auto e = EffectiveOption(*tree, sections, key);
    return e ? e->ref.value.value_or("") : "";
  };
  out.mysql.ca_file = get("ssl_ca");
  out.mysql.cert_file = get("ssl_cert");
  out.mysql.key_file = get("ssl_key");
  ProviderOptions opts = ParseProviderOptions(get("wsrep_provider_options"));
  out.galera.ca_file = GetProviderOption(opts, "socket.ssl_ca").value_or("");
  out.galera.cert_file = GetProviderOption(opts, "socket.ssl_cert").value_or("");
  out.galera.key_file = GetProviderOption(opts, "socket.ssl_key").value_or("");
  if (flavor == "pxc80" && out.galera.cert_file.empty()) {
    out.galera.ca_file = out.mysql.ca_file;
    out.galera.cert_file = out.mysql.cert_file;
    out.galera.key_file = out.mysql.key_file;
  }
  // The same path is read once. The contents (a key among them) are wiped
  // on every way out.
  std::map<std::string, std::optional<std::string>> cache;
  struct Wipe {
    std::map<std::string, std::optional<std::string>>& c;
    ~Wipe() {
      for (auto& [_, v] : c) {
        if (v) WipeString(&*v);
      }
    }
  } wipe{cache};
  auto read = [&](const std::string& option, const std::string& path, PortFiles& pf,
                  std::optional<std::string>& into) -> Status {
    if (path.empty()) return OkStatus();
    if (!path.starts_with('/')) {
      pf.missing.push_back(option + " is the relative path " + path +
                           ", which pxc does not resolve: use an absolute path.");
      return OkStatus();
    }
    auto it = cache.find(path);
    if (it == cache.end()) {
      auto r = host.ReadFile(path);
      if (!r.ok()) {
        // A lost connection ends the node's reading; a file pxc may not
        // read (a key without sudo) is a problem of that file only.
        const StatusCode c = r.status().code();
        if (c == StatusCode::kUnavailable || c == StatusCode::kDeadlineExceeded) {
          return r.status();
        }
        pf.missing.push_back(option + " names " + path +
                             ", which pxc cannot read: " + r.status().message() + ".");
        return OkStatus();
      }
      it = cache.emplace(path, *r).first;
    }
    if (!it->second) {
      pf.missing.push_back(option + " names " + path + ", which does not exist.");
    } else {
      into = it->second;
    }
    return OkStatus();
  };
  struct Want {
    const char* option;
    std::string PortFiles::*path;
    std::optional<std::string> PortFiles::*content;
  };
  const Want wants[] = {{"ssl-ca", &PortFiles::ca_file, &PortFiles::ca_pem},
                        {"ssl-cert", &PortFiles::cert_file, &PortFiles::cert_pem},
                        {"ssl-key", &PortFiles::key_file, &PortFiles::key_pem}};
  const Want galera_wants[] = {{"socket.ssl_ca", &PortFiles::ca_file, &PortFiles::ca_pem},
                               {"socket.ssl_cert", &PortFiles::cert_file, &PortFiles::cert_pem},
                               {"socket.ssl_key", &PortFiles::key_file, &PortFiles::key_pem}};
  for (const auto& w : wants) {
    Status st = read(w.option, out.mysql.*w.path, out.mysql, out.mysql.*w.content);
    if (!st.ok()) {
      out.error = st.message();
      return;
    }
  }
  for (const auto& w : galera_wants) {
    Status st = read(w.option, out.galera.*w.path, out.galera, out.galera.*w.content);
    if (!st.ok()) {
      out.error = st.message();
      return;
    }
  }
  out.ok = true;
}

// Two handshakes (TLS 1.2 only, TLS 1.3 only) and, for Galera, the plain
// probe; then what the node's files say about the served chain.
struct PortProbe {
  StatusOr<tlsprobe::HandshakeResult> tls12 = UnavailableError("not run");
  StatusOr<tlsprobe::HandshakeResult> tls13 = UnavailableError("not run");
  std::optional<StatusOr<tlsprobe::PlainAnswer>> plain;
};

PortReport Combine(const std::string& kind, int port, const PortProbe& probe,
                   const NodeFiles& files, const PortFiles& pf, Clock::time_point now,
                   KeyInfo& key) {
  PortReport p;
  p.kind = kind;
  p.port = port;
  p.reachable = probe.tls12.ok() || probe.tls13.ok();
  const tlsprobe::HandshakeResult* served = nullptr;
  if (probe.tls13.ok() && probe.tls13->served) served = &*probe.tls13;
  if (probe.tls12.ok() && probe.tls12->served) {
    p.tls_versions.push_back("TLSv1.2");
    if (served == nullptr) served = &*probe.tls12;
  }
  if (probe.tls13.ok() && probe.tls13->served) p.tls_versions.push_back("TLSv1.3");
  if (!p.reachable) {
    p.error = probe.tls13.status().message();
  } else if (served == nullptr) {
    p.error = probe.tls13.ok() ? probe.tls13->refusal : probe.tls12->refusal;
    if (p.error.empty() && probe.tls12.ok()) p.error = probe.tls12->refusal;
  }
  std::optional<Certificate> leaf;
  if (served != nullptr) {
    auto c = Certificate::FromDer(served->chain_der.front());
    if (c.ok()) {
      leaf = *c;
      p.served = tlsprobe::Summarize(*c, now);
    } else {
      p.error = "the served certificate cannot be parsed: " + c.status().message();
    }
  }
  if (probe.plain) {
    p.plain_accepted = probe.plain->ok() && **probe.plain == tlsprobe::PlainAnswer::kPlain;
  }
  p.ca_file = pf.ca_file;
  p.cert_file = pf.cert_file;
  p.key_file = pf.key_file;
  if (!files.ok) return p;
  p.files_read = true;
  std::vector<Certificate> cas;
  if (pf.ca_pem) {
    cas = CertificatesIn(*pf.ca_pem);
    for (const auto& c : cas) p.ca_fingerprints.push_back(c.Sha256Fingerprint());
  }
  std::optional<Certificate> file_cert;
  if (pf.cert_pem) {
    auto certs = CertificatesIn(*pf.cert_pem);
    if (!certs.empty()) {
      file_cert = certs.front();
      p.cert_file_fingerprint = file_cert->Sha256Fingerprint();
      p.cert_file_serial = file_cert->SerialDecimal();
    }
  }
  if (pf.key_pem) {
    key.sha256 = Sha256Hex(*pf.key_pem);
    if (file_cert) {
      auto k = PrivateKey::FromPem(*pf.key_pem);
      key.matches_cert = k.ok() && k->MatchesCertificate(*file_cert);
    }
  }
  std::string problem;
  for (const auto& m : pf.missing) problem += (problem.empty() ? "" : " ") + m;
  if (pf.ca_pem && cas.empty()) {
    problem += std::string(problem.empty() ? "" : " ") + pf.ca_file + " holds no certificate.";
  }
  if (pf.cert_pem && !file_cert) {
    problem += std::string(problem.empty() ? "" : " ") + pf.cert_file + " holds no certificate.";
  }
  if (key.matches_cert == std::optional<bool>(false)) {
    problem += std::string(problem.empty() ? "" : " ") + pf.key_file + " is not the key of " +
               pf.cert_file + ".";
  }
  p.file_problem = problem;
  if (leaf) {
    if (file_cert) p.matches_file = file_cert->Sha256Fingerprint() == leaf->Sha256Fingerprint();
    if (cas.empty()) {
      p.verified = false;
      p.verify_error = pf.ca_file.empty() ? "no CA file is configured" : "no CA certificate read";
    } else {
      std::string why;
      bool ok = false;
      for (const auto& ca : cas) {
        Status st = leaf->VerifySignedBy(ca);
        if (st.ok()) {
          ok = true;
          break;
        }
        if (why.empty()) why = st.message();
      }
      p.verified = ok;
      if (!ok) p.verify_error = why;
    }
  }
  return p;
}

}  // namespace

ClusterTlsDataSource::ClusterTlsDataSource(NodeConnector connector)
    : connector_(connector ? std::move(connector) : NodeConnector(ConnectSsh)) {
  schema_.block.description =
      "What every node of the cluster actually serves, for `check` blocks. For each node, from "
      "the network: the certificate on the MySQL port (after the MySQL protocol's STARTTLS, "
      "without logging in) and on Galera's port, the TLS versions each accepts (a handshake "
      "limited to TLS 1.2 and one limited to TLS 1.3) and whether Galera still answers a peer "
      "that does not speak TLS (`socket.dynamic=yes` left on after a rolling enablement). Over "
      "SSH: the files `ssl-ca`, `ssl-cert`, `ssl-key` and `socket.ssl_*` point to in my.cnf "
      "as the server reads it (includes followed), their fingerprints, whether the served "
      "certificate is the one on disk (a rotation written but not reloaded shows here) and "
      "whether it verifies against the configured CA. Cluster-wide: `min_days_left`, the "
      "distinct CAs, `consistent` and `problems`, one sentence each.\n\n"
      "Every problem is also a warning; only a node that cannot be reached at all (neither "
      "port nor SSH) is an error. Nodes are read in parallel (a 3-node cluster in about 1.2 s: "
      "the plain-Galera check waits 1.1 s, longer than the 750 ms a Galera node with "
      "`socket.dynamic` waits for a TLS ClientHello before it speaks plain).\n\n"
      "Each read opens two connections to every node's MySQL port that end after the TLS "
      "handshake, before any login. On a server that resolves client host names (no "
      "`skip_name_resolve`) MySQL counts such connections toward `max_connect_errors` until "
      "the next successful login from the same address resets the count. The server logs them "
      "(MariaDB: \"Aborted connection ... closed normally without authentication\"), and "
      "Galera logs the probes of its port (\"peer did not return a certificate\").";
  auto& a = schema_.block.attributes;
  a.push_back(OptionalComputedAttr("warn_days", Type::Number())
                  .Default(Value::Num(schema::Number(int64_t{30})))
                  .Describe("A served certificate with this many days left or fewer is a "
                            "problem (and a warning)."));
  a.push_back(OptionalComputedAttr("timeout_seconds", Type::Number())
                  .Default(Value::Num(schema::Number(int64_t{3})))
                  .Describe("Bound of each network connection (connect and handshake)."));
  a.push_back(OptionalComputedAttr("flavor", Type::String())
                  .Default(Value::String("pxc57"))
                  .Describe("`pxc57`, `pxc80` or `mariadb`: the sections the server reads my.cnf "
                            "from, and for `pxc80` Galera's files taken from `ssl-*` when "
                            "`socket.ssl_*` are not set."));
  ssh_settings::AddConnectionAttributes(a, "ssh_");
  a.push_back(ComputedAttr("id", Type::String()).Describe("The node names, comma-separated."));
  a.push_back(ComputedAttr("min_days_left", Type::Number())
                  .Describe("Fewest days left of any served certificate (null when none was "
                            "served)."));
  a.push_back(ComputedAttr("ca_fingerprints", StrList())
                  .Describe("SHA-256 fingerprints (lowercase hex) of the distinct CA "
                            "certificates in the nodes' configured CA files."));
  a.push_back(ComputedAttr("consistent", Type::Bool())
                  .Describe("One CA across the nodes, every port of every node serving a "
                            "certificate that verifies against it, no Galera port accepting "
                            "plain peers, every node reached."));
  a.push_back(ComputedAttr("problems", StrList())
                  .Describe("What is wrong, one plain sentence each; empty when nothing is."));

  schema::NestedBlock node;
  node.type_name = "node";
  node.nesting = schema::Nesting::kList;
  node.min_items = 1;
  node.block.description = "A cluster node.";
  auto& na = node.block.attributes;
  na.push_back(RequiredAttr("name", Type::String()).Describe("Node name, used in `problems`."));
  na.push_back(RequiredAttr("host", Type::String())
                   .Describe("Address of the node: its MySQL and Galera ports and SSH."));
  na.push_back(OptionalAttr("mysql_port", Type::Number()).Describe("MySQL port (default 3306)."));
  na.push_back(OptionalAttr("galera_port", Type::Number())
                   .Describe("Galera's group communication port (default 4567)."));
  na.push_back(OptionalAttr("config_file", Type::String())
                   .Describe("The server's option file (default `/etc/mysql/my.cnf`)."));
  const std::string port_doc =
      "`port`, `reachable`, `error` (why it was not reachable or served no certificate), "
      "`tls_versions` (of TLSv1.2 and TLSv1.3, those it accepted); the served certificate's "
      "`subject`, `issuer`, `serial` (decimal, as `pxc_node_cert`'s `serial_number`), "
      "`sha256_fingerprint`, `not_after`, `days_left`, `dns_names`, `ip_addresses`; from the "
      "node's configuration: `ca_file`, `cert_file`, `key_file`, `ca_fingerprints`, "
      "`cert_file_fingerprint`, `key_file_sha256`, `key_matches_cert`, `matches_file` (the "
      "served certificate is the file's), `verified` and `verify_error` (against the "
      "configured CA). Unknown facts are null.";
  na.push_back(ComputedAttr("mysql", Type::Object(PortAttrTypes()))
                   .Describe("The MySQL port: " + port_doc + " `plain_accepted` is null."));
  na.push_back(ComputedAttr("galera", Type::Object(PortAttrTypes()))
                   .Describe("Galera's port: " + port_doc +
                             " `plain_accepted`: a peer that connects and sends nothing gets "
                             "Galera's plain handshake."));
  schema_.block.blocks.push_back(node);
}

void ClusterTlsDataSource::ValidateConfig(const Value& config, Diagnostics& diags) const {
  if (!config.IsKnown()) return;
  auto flavor = config.GetString("flavor");
  if (flavor && *flavor != "pxc57" && *flavor != "pxc80" && *flavor != "mariadb") {
    diags.AddError("Invalid Attribute Value",
                   "flavor must be \"pxc57\", \"pxc80\" or \"mariadb\", not \"" + *flavor + "\".",
                   AttributePath::Root("flavor"));
  }
  for (const char* attr : {"warn_days", "timeout_seconds"}) {
    auto v = config.GetInt(attr);
    if (v && (*v < 0 || (*v == 0 && std::string(attr) == "timeout_seconds") || *v > 3650)) {
      diags.AddError("Invalid Attribute Value",
                     std::string(attr) + " must be between " +
                         (std::string(attr) == "timeout_seconds" ? "1" : "0") + " and 3650.",
                     AttributePath::Root(attr));
    }
  }
  Value nodes = config.GetAttr("node");
  if (!nodes.IsKnown()) return;
  std::set<std::string> names;
  for (size_t i = 0; i < nodes.Length(); ++i) {
    const Value& n = nodes.Elements()[i];
    const auto at = AttributePath::Root("node").Index(static_cast<int64_t>(i));
    auto name = n.GetString("name");
    if (name && !names.insert(*name).second) {
      diags.AddError("Duplicate Node Name",
                     "Node names must be unique; \"" + *name + "\" is given more than once.",
                     at.Attr("name"));
    }
    for (const char* port : {"mysql_port", "galera_port"}) {
      auto p = n.GetInt(port);
      if (p && (*p < 1 || *p > 65535)) {
        diags.AddError("Invalid Attribute Value",
                       std::string(port) + " must be a TCP port (1-65535).", at.Attr(port));
      }
    }
    auto cf = n.GetString("config_file");
    if (cf && !cf->starts_with('/')) {
      diags.AddError("Invalid Attribute Value", "config_file must be an absolute path.",
                     at.Attr("config_file"));
    }
  }
}

void ClusterTlsDataSource::Read(const schema::ProviderContext& provider, const Value& config,
                                Value& state, Diagnostics& diags) const {
  const auto started = std::chrono::steady_clock::now();
  Model m = ModelFrom(config, schema_.block);
  // SSH targets first (their diagnostics are not thread-safe).
  std::vector<std::optional<SshTarget>> targets;
  for (size_t i = 0; i < m.nodes.size(); ++i) {
    targets.push_back(
        ssh_settings::Resolve(config, "ssh_", m.nodes[i].host, m.nodes[i].name, provider,
                              AttributePath::Root("node").Index(static_cast<int64_t>(i)), diags));
  }
  if (diags.HasError()) return;

  const auto timeout = std::chrono::milliseconds(m.timeout_seconds * 1000);
  const Clock::time_point now = Clock::now();
  struct NodeWork {
    PortProbe mysql, galera;
    NodeFiles files;
    std::string ssh_error;
  };
  std::vector<NodeWork> work(m.nodes.size());
  std::vector<std::future<void>> jobs;
  using tlsprobe::Preamble;
  using tlsprobe::TlsVersion;
  for (size_t i = 0; i < m.nodes.size(); ++i) {
    const NodeModel& n = m.nodes[i];
    NodeWork& w = work[i];
    const tlsprobe::Endpoint my{n.host, n.mysql_port, timeout};
    const tlsprobe::Endpoint gal{n.host, n.galera_port, timeout};
    auto spawn = [&jobs](auto fn) { jobs.push_back(std::async(std::launch::async, fn)); };
    spawn([&w, my] { w.mysql.tls12 = ProbeTls(my, Preamble::kMysqlStartTls, TlsVersion::kTls12); });
    spawn([&w, my] { w.mysql.tls13 = ProbeTls(my, Preamble::kMysqlStartTls, TlsVersion::kTls13); });
    spawn([&w, gal] { w.galera.tls12 = ProbeTls(gal, Preamble::kNone, TlsVersion::kTls12); });
    spawn([&w, gal] { w.galera.tls13 = ProbeTls(gal, Preamble::kNone, TlsVersion::kTls13); });
    spawn([&w, gal] {
      w.galera.plain = tlsprobe::SharedProbePlainGalera(gal, kPlainWait, kPlainReuse);
    });
    if (targets[i]) {
      const SshTarget* target = &*targets[i];
      spawn([this, &w, &n, target, flavor = m.flavor] {
        auto host = connector_(*target);
        if (!host.ok()) {
          w.ssh_error = host.status().message();
          return;
        }
        ReadNodeFiles(**host, n, flavor, w.files);
        if (!w.files.ok) w.ssh_error = w.files.error;
      });
    }
  }
  for (auto& j : jobs) j.get();

  std::vector<NodeReport> reports;
  std::vector<std::pair<KeyInfo, KeyInfo>> keys(m.nodes.size());
  for (size_t i = 0; i < m.nodes.size(); ++i) {
    NodeWork& w = work[i];
    NodeReport r;
    r.name = m.nodes[i].name;
    r.host = m.nodes[i].host;
    r.ssh_ok = w.files.ok;
    r.ssh_error = w.ssh_error;
    r.mysql = Combine("MySQL", m.nodes[i].mysql_port, w.mysql, w.files, w.files.mysql, now,
                      keys[i].first);
    r.galera = Combine("Galera", m.nodes[i].galera_port, w.galera, w.files, w.files.galera, now,
                       keys[i].second);
    reports.push_back(std::move(r));
  }
  tlsprobe::ClusterVerdict v = tlsprobe::Judge(reports, m.warn_days);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - started)
                      .count();
  provider.Progress("pxc_cluster_tls: read " + std::to_string(m.nodes.size()) + " nodes in " +
                        std::to_string(ms) + " ms",
                    {{"elapsed_ms", std::to_string(ms)}});

  for (size_t i : v.unreachable) {
    diags.AddError("Node Unreachable",
                   reports[i].name + " (" + reports[i].host +
                       ") cannot be reached: neither its MySQL port, its Galera port nor SSH "
                       "answered. MySQL: " +
                       reports[i].mysql.error + ". Galera: " + reports[i].galera.error +
                       ". SSH: " + reports[i].ssh_error + ".",
                   AttributePath::Root("node").Index(static_cast<int64_t>(i)).Attr("host"));
  }
  if (diags.HasError()) return;
  if (!v.problems.empty()) {
    std::string detail;
    for (const auto& p : v.problems) {
      detail += "- ";
      detail += p;
      detail += "\n";
    }
    detail.pop_back();
    diags.AddWarning(v.problems.size() == 1 ? "Cluster TLS Problem" : "Cluster TLS Problems",
                     detail);
  }

  Value out = state;
  out = out.WithAttr("warn_days", Value::Num(schema::Number(m.warn_days)));
  out = out.WithAttr("timeout_seconds", Value::Num(schema::Number(m.timeout_seconds)));
  out = out.WithAttr("flavor", Value::String(m.flavor));
  std::string id;
  for (const auto& n : m.nodes) {
    if (!id.empty()) id += ",";
    id += n.name;
  }
  out = out.WithAttr("id", Value::String(id));
  out = out.WithAttr("min_days_left", v.min_days_left ? Value::Num(schema::Number(*v.min_days_left))
                                                      : Value::Null(Type::Number()));
  out = out.WithAttr("ca_fingerprints", Strings(v.ca_fingerprints));
  out = out.WithAttr("consistent", Value::Bool(v.consistent));
  out = out.WithAttr("problems", Strings(v.problems));
  Value nodes = config.GetAttr("node");
  std::vector<Value> nv;
  for (size_t i = 0; i < nodes.Length() && i < reports.size(); ++i) {
    nv.push_back(nodes.Elements()[i]
                     .WithAttr("mysql", PortValue(reports[i].mysql, keys[i].first))
                     .WithAttr("galera", PortValue(reports[i].galera, keys[i].second)));
  }
  const schema::NestedBlock* nb = schema_.block.FindBlock("node");
  out = out.WithAttr("node", Value::List(nb->block.ImpliedType(), std::move(nv)));
  state = out;
}

}  // namespace pxc::resources
