// (About 900 lines in one file: every case launches the binary through the
// same driver helpers, and they are grouped by RPC below.)
//
// Protocol tests: the real terraform-provider-pxc binary, launched and
// spoken to exactly as Terraform core does (tests/driver/plugin_client.h):
// the go-plugin handshake and AutoMTLS, the side services, robustness of the
// tfplugin6 service against bad input, concurrency, debug/reattach mode and
// logging.
//
// The binary comes from the PXC_PROVIDER_BINARY environment variable, else
// from the path compiled in by CMake.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include "resources/pki/x509.h"
#include "schema/msgpack.h"
#include "tests/driver/health.grpc.pb.h"
#include "tests/driver/plugin_client.h"
#include "tests/driver/terraform.h"

namespace pxc::tfdriver {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

std::string Binary() {
  const char* env = std::getenv("PXC_PROVIDER_BINARY");
  if (env && *env) return env;
#ifdef PXC_PROVIDER_BINARY
  return PXC_PROVIDER_BINARY;
#else
  return "terraform-provider-pxc";
#endif
}

std::string ValueOr(const StatusOr<std::string>& v, const std::string& otherwise) {
  return v.ok() ? *v : otherwise + " (" + v.status().message() + ")";
}

std::unique_ptr<PluginClient> MustLaunch(const LaunchOptions& options = {}) {
  auto c = PluginClient::Launch(Binary(), options);
  EXPECT_TRUE(c.ok()) << c.status().message();
  if (!c.ok()) return nullptr;
  return *std::move(c);
}

// A private temporary directory, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "pxc-protocol-XXXXXX").string();
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    path_ = mkdtemp(buf.data()) ? buf.data() : "";
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Runs the binary to completion with the given extra environment.
RunResult RunBinary(const std::vector<std::string>& args, std::map<std::string, std::string> env,
                    std::vector<std::string> unset_env = {}) {
  SpawnOptions so;
  so.argv.push_back(Binary());
  for (const auto& a : args) so.argv.push_back(a);
  so.env = std::move(env);
  so.unset_env = std::move(unset_env);
  so.unset_env.push_back("TF_PLUGIN_MAGIC_COOKIE");
  so.unset_env.push_back("PLUGIN_CLIENT_CERT");
  so.unset_env.push_back("PLUGIN_PROTOCOL_VERSIONS");
  auto r = RunProcess(so, seconds(20));
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : RunResult{};
}

// An RPC context with a deadline.
std::unique_ptr<grpc::ClientContext> Ctx(seconds timeout = seconds(30)) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + timeout);
  return ctx;
}

bool HasError(const google::protobuf::RepeatedPtrField<tfplugin6::Diagnostic>& diags) {
  for (const auto& d : diags) {
    if (d.severity() == tfplugin6::Diagnostic::ERROR) return true;
  }
  return false;
}

std::string Summaries(const google::protobuf::RepeatedPtrField<tfplugin6::Diagnostic>& diags) {
  std::string out;
  for (const auto& d : diags) out += "[" + d.summary() + ": " + d.detail() + "] ";
  return out;
}

// ---------------------------------------------------------------- launch

TEST(Launch, BareRunExitsWithHumanMessage) {
  RunResult r = RunBinary({}, {});
  EXPECT_TRUE(r.status.exited);
  EXPECT_EQ(r.status.code, 1);
  EXPECT_NE(r.stderr_text.find("This binary is a plugin"), std::string::npos) << r.stderr_text;
  EXPECT_EQ(r.stdout_text, "");
}

TEST(Launch, VersionFlagPrintsVersion) {
  RunResult r = RunBinary({"--version"}, {});
  EXPECT_TRUE(r.status.exited);
  EXPECT_EQ(r.status.code, 0);
  EXPECT_NE(r.stdout_text.find("terraform-provider-pxc"), std::string::npos) << r.stdout_text;
  EXPECT_TRUE(std::regex_search(r.stdout_text, std::regex("[0-9]+\\.[0-9]+\\.[0-9]+")))
      << r.stdout_text;
}

TEST(Launch, OnlyProtocol5OfferedIsRefused) {
  auto id = GenerateAutoMtlsIdentity();
  ASSERT_TRUE(id.ok());
  RunResult r = RunBinary({}, {{kMagicCookieKey, kMagicCookieValue},
                               {"PLUGIN_PROTOCOL_VERSIONS", "5"},
                               {"PLUGIN_CLIENT_CERT", id->cert_pem}});
  EXPECT_TRUE(r.status.exited);
  EXPECT_NE(r.status.code, 0);
  EXPECT_EQ(r.stdout_text, "") << "no handshake may be printed";
  EXPECT_NE(r.stderr_text.find("protocol 6"), std::string::npos) << r.stderr_text;

  // Through the client: Launch fails and says the plugin exited.
  LaunchOptions lo;
  lo.protocol_versions = "5";
  auto c = PluginClient::Launch(Binary(), lo);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("exited before completing the handshake"), std::string::npos)
      << c.status().message();
}

TEST(Launch, OffersOfFiveAndSixNegotiateSix) {
  LaunchOptions lo;
  lo.protocol_versions = "5,6";
  auto c = MustLaunch(lo);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->handshake().app_version, 6);
}

TEST(Handshake, ExactlyOneLineWithUnpaddedP256Certificate) {
  auto c = MustLaunch();
  ASSERT_TRUE(c);
  const std::string& line = c->handshake().raw;
  EXPECT_TRUE(
      std::regex_match(line, std::regex("^1\\|6\\|unix\\|/.+\\|grpc\\|[A-Za-z0-9+/]{50,}$")))
      << line;
  EXPECT_EQ(line.find('='), std::string::npos) << "the certificate must not be padded";
  auto cert = resources::Certificate::FromDer(c->handshake().server_cert_der);
  ASSERT_TRUE(cert.ok()) << cert.status().message();
  auto dns = cert->DnsNames();
  EXPECT_NE(std::find(dns.begin(), dns.end(), "localhost"), dns.end());
  auto pub = cert->GetPublicKey();
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(pub->algorithm(), resources::KeyAlgorithm::kEcdsa);
  // P-256, not go-plugin's P-521: a tenth of the cost at every launch, and
  // the client (here P-521, as Terraform's) pins it whatever its curve.
  EXPECT_EQ(pub->Spec().ecdsa_curve, "P256");
  // Nothing else on stdout, then or later.
  EXPECT_EQ(ValueOr(c->HealthCheck(), "?"), "SERVING");
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(c->process().UnreadStdout(), "");
}

TEST(Handshake, ParserFollowsGoPlugin) {
  auto c = MustLaunch();
  ASSERT_TRUE(c);
  const std::string line = c->handshake().raw;
  EXPECT_TRUE(ParseHandshake(line + "\n").ok()) << "TrimSpace";
  // A padded certificate fails in go-plugin (RawStdEncoding).
  auto padded = ParseHandshake(line + "==");
  EXPECT_FALSE(padded.ok());
  EXPECT_NE(padded.status().message().find("error parsing server cert"), std::string::npos);
  EXPECT_FALSE(ParseHandshake("2|6|unix|/x|grpc|").ok());
  EXPECT_FALSE(ParseHandshake("1|5|unix|/x|grpc|").ok());
  EXPECT_FALSE(ParseHandshake("1|6|unix|/x|netrpc|").ok());
  EXPECT_FALSE(ParseHandshake("1|6|unix|/x").ok()) << "protocol defaults to netrpc";
  EXPECT_FALSE(ParseHandshake("1|6|pipe|/x|grpc|").ok());
  auto plain = ParseHandshake("1|6|unix|/x|grpc|short-field-is-not-a-cert");
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->server_cert_der.empty());
  EXPECT_FALSE(DecodeBase64RawStd("QUJD=").ok());
  EXPECT_FALSE(DecodeBase64RawStd("Q").ok());
  EXPECT_EQ(ValueOr(DecodeBase64RawStd("QUJDRA"), "?"), "ABCD");
}

TEST(Launch, WithoutAutoMtlsServesPlaintext) {
  LaunchOptions lo;
  lo.auto_mtls = false;
  auto c = MustLaunch(lo);
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->handshake().server_cert_der.empty());
  EXPECT_TRUE(std::regex_match(c->handshake().raw, std::regex("^1\\|6\\|unix\\|/.+\\|grpc\\|$")))
      << c->handshake().raw;
  EXPECT_EQ(ValueOr(c->HealthCheck(), "?"), "SERVING");
}

TEST(Launch, UnixSocketDirIsHonouredAndCleanedUp) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  LaunchOptions lo;
  lo.env["PLUGIN_UNIX_SOCKET_DIR"] = dir.path();
  auto c = MustLaunch(lo);
  ASSERT_TRUE(c);
  const std::string addr = c->handshake().address;
  EXPECT_EQ(addr.rfind(dir.path() + "/", 0), 0u) << addr;
  struct stat st {};
  ASSERT_EQ(::stat(addr.c_str(), &st), 0) << addr;
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0077, 0u) << "the socket must be private";
  CloseResult r = c->Close();
  EXPECT_TRUE(r.graceful) << r.ToString();
  EXPECT_FALSE(fs::exists(addr));
  EXPECT_TRUE(fs::is_empty(dir.path())) << "the plugin's socket directory must be removed";
}

// ---------------------------------------------------------------- TLS

TEST(Tls, PinnedConnectionIsServing) {
  auto c = MustLaunch();
  ASSERT_TRUE(c);
  EXPECT_EQ(ValueOr(c->HealthCheck("plugin"), "?"), "SERVING");
  tfplugin6::GetMetadataRpc::Request req;
  tfplugin6::GetMetadataRpc::Response resp;
  EXPECT_TRUE(c->provider().GetMetadata(Ctx().get(), req, &resp).ok());
}

TEST(Tls, ClientWithoutCertificateIsRefused) {
  LaunchOptions lo;
  lo.connect.client_cert = ConnectOptions::ClientCert::kNone;
  lo.require_serving = false;
  auto c = MustLaunch(lo);
  ASSERT_TRUE(c);
  auto h = c->HealthCheck("plugin", nullptr, seconds(5));
  ASSERT_FALSE(h.ok()) << "a client without certificate got an answer: " << *h;
  EXPECT_EQ(h.status().code(), StatusCode::kUnavailable) << h.status().message();
  // The plugin still serves a proper client.
  auto good = c->NewChannel({});
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(ValueOr(c->HealthCheck("plugin", *good), "?"), "SERVING");
}

TEST(Tls, ClientWithAnotherCertificateIsRefused) {
  auto c = MustLaunch();
  ASSERT_TRUE(c);
  ConnectOptions other;
  other.client_cert = ConnectOptions::ClientCert::kOther;
  auto ch = c->NewChannel(other);
  ASSERT_TRUE(ch.ok());
  auto h = c->HealthCheck("plugin", *ch, seconds(5));
  ASSERT_FALSE(h.ok()) << "a client with an unannounced certificate got an answer";
  EXPECT_EQ(h.status().code(), StatusCode::kUnavailable) << h.status().message();
  EXPECT_EQ(ValueOr(c->HealthCheck(), "?"), "SERVING");
}

TEST(Tls, ClientPinningAnotherServerCertificateRefusesToConnect) {
  auto other_server = GenerateAutoMtlsIdentity();
  ASSERT_TRUE(other_server.ok());
  LaunchOptions lo;
  lo.connect.pinned_server_pem = other_server->cert_pem;
  lo.require_serving = false;
  auto c = MustLaunch(lo);
  ASSERT_TRUE(c);
  auto h = c->HealthCheck("plugin", nullptr, seconds(5));
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), StatusCode::kUnavailable) << h.status().message();
}

TEST(Tls, PlaintextClientIsRefused) {
  auto c = MustLaunch();
  ASSERT_TRUE(c);
  ConnectOptions plain;
  plain.plaintext = true;
  auto ch = c->NewChannel(plain);
  ASSERT_TRUE(ch.ok());
  auto h = c->HealthCheck("plugin", *ch, seconds(5));
  EXPECT_FALSE(h.ok());
}

// ---------------------------------------------------------------- shutdown

TEST(Shutdown, ControllerShutdownEndsTheProcessGracefully) {
  auto c = MustLaunch();
  ASSERT_TRUE(c);
  CloseResult r = c->Close();
  EXPECT_TRUE(r.shutdown_rpc_ok) << r.ToString();
  EXPECT_TRUE(r.graceful) << r.ToString();
  EXPECT_TRUE(r.status.exited && r.status.code == 0) << r.ToString();
  EXPECT_LT(r.took, seconds(2)) << r.ToString();
}

TEST(Shutdown, SigtermEndsTheProcess) {
  auto c = MustLaunch();
  ASSERT_TRUE(c);
  const std::string addr = c->handshake().address;
  c->process().Signal(SIGTERM);
  auto st = c->process().WaitExit(seconds(5));
  ASSERT_TRUE(st.has_value()) << "still running 5 s after SIGTERM";
  EXPECT_TRUE(st->exited) << st->ToString();
  EXPECT_FALSE(fs::exists(addr));
}

// ---------------------------------------------------------------- RPCs

class Rpc : public ::testing::Test {
 protected:
  void SetUp() override {
    client_ = MustLaunch();
    ASSERT_TRUE(client_);
    tf_ = std::make_unique<Terraform>(*client_);
    auto d = tf_->LoadSchemas();
    ASSERT_FALSE(d.HasError()) << FormatDiagnostics(d);
    ASSERT_NE(tf_->ResourceSchema("pxc_ca"), nullptr);
    ca_type_ = ImpliedType(tf_->ResourceSchema("pxc_ca")->block);
    d = tf_->ConfigureProvider(Value::Null(ImpliedType(tf_->schemas().provider.block)));
    ASSERT_FALSE(d.HasError()) << FormatDiagnostics(d);
  }
  void TearDown() override {
    if (!client_) return;
    // Whatever a test sent, the plugin must still be serving.
    EXPECT_EQ(ValueOr(client_->HealthCheck(), "not serving"), "SERVING");
    CloseResult r = client_->Close();
    EXPECT_TRUE(r.graceful) << r.ToString();
    if (HasFailure()) std::cerr << "plugin stderr:\n" << client_->StderrTail() << "\n";
  }

  // A pxc_ca configuration with the given attributes.
  Value CaConfig(std::map<std::string, Value> attrs) {
    auto v = Value::ObjectOf(ca_type_, std::move(attrs));
    EXPECT_TRUE(v.ok()) << v.status().message();
    return v.ok() ? *v : Value::Null(ca_type_);
  }

  std::unique_ptr<PluginClient> client_;
  std::unique_ptr<Terraform> tf_;
  Type ca_type_;
};

TEST_F(Rpc, GetMetadataListsPxcCa) {
  std::vector<std::string> types;
  auto d = tf_->GetMetadata(&types);
  EXPECT_FALSE(d.HasError()) << FormatDiagnostics(d);
  EXPECT_NE(std::find(types.begin(), types.end(), "pxc_ca"), types.end());
  EXPECT_TRUE(tf_->schemas().plan_destroy);
  EXPECT_FALSE(tf_->schemas().move_resource_state) << "MoveResourceState is not implemented";
}

TEST_F(Rpc, UnknownResourceTypeIsADiagnosticNotAnRpcError) {
  auto& stub = client_->provider();
  {
    tfplugin6::ValidateResourceConfig::Request req;
    req.set_type_name("pxc_nope");
    tfplugin6::ValidateResourceConfig::Response resp;
    ASSERT_TRUE(stub.ValidateResourceConfig(Ctx().get(), req, &resp).ok());
    EXPECT_TRUE(HasError(resp.diagnostics()));
  }
  {
    tfplugin6::PlanResourceChange::Request req;
    req.set_type_name("pxc_nope");
    tfplugin6::PlanResourceChange::Response resp;
    ASSERT_TRUE(stub.PlanResourceChange(Ctx().get(), req, &resp).ok());
    EXPECT_TRUE(HasError(resp.diagnostics()));
  }
  {
    tfplugin6::ApplyResourceChange::Request req;
    req.set_type_name("pxc_nope");
    tfplugin6::ApplyResourceChange::Response resp;
    ASSERT_TRUE(stub.ApplyResourceChange(Ctx().get(), req, &resp).ok());
    EXPECT_TRUE(HasError(resp.diagnostics()));
  }
  {
    tfplugin6::ReadResource::Request req;
    req.set_type_name("pxc_nope");
    tfplugin6::ReadResource::Response resp;
    ASSERT_TRUE(stub.ReadResource(Ctx().get(), req, &resp).ok());
    EXPECT_TRUE(HasError(resp.diagnostics()));
  }
  {
    tfplugin6::UpgradeResourceState::Request req;
    req.set_type_name("pxc_nope");
    req.mutable_raw_state()->set_json("{}");
    tfplugin6::UpgradeResourceState::Response resp;
    ASSERT_TRUE(stub.UpgradeResourceState(Ctx().get(), req, &resp).ok());
    EXPECT_TRUE(HasError(resp.diagnostics()));
  }
  {
    tfplugin6::ImportResourceState::Request req;
    req.set_type_name("pxc_nope");
    req.set_id("x");
    tfplugin6::ImportResourceState::Response resp;
    ASSERT_TRUE(stub.ImportResourceState(Ctx().get(), req, &resp).ok());
    EXPECT_TRUE(HasError(resp.diagnostics()));
  }
  {
    tfplugin6::ReadDataSource::Request req;
    req.set_type_name("pxc_nope");
    tfplugin6::ReadDataSource::Response resp;
    ASSERT_TRUE(stub.ReadDataSource(Ctx().get(), req, &resp).ok());
    EXPECT_TRUE(HasError(resp.diagnostics()));
  }
  {
    tfplugin6::ValidateDataResourceConfig::Request req;
    req.set_type_name("pxc_nope");
    tfplugin6::ValidateDataResourceConfig::Response resp;
    ASSERT_TRUE(stub.ValidateDataResourceConfig(Ctx().get(), req, &resp).ok());
    EXPECT_TRUE(HasError(resp.diagnostics()));
  }
}

TEST_F(Rpc, MoveResourceStateIsAnErrorDiagnostic) {
  tfplugin6::MoveResourceState::Request req;
  req.set_source_provider_address("registry.terraform.io/hashicorp/tls");
  req.set_source_type_name("tls_self_signed_cert");
  req.set_target_type_name("pxc_ca");
  req.mutable_source_state()->set_json("{}");
  tfplugin6::MoveResourceState::Response resp;
  ASSERT_TRUE(client_->provider().MoveResourceState(Ctx().get(), req, &resp).ok());
  EXPECT_TRUE(HasError(resp.diagnostics())) << Summaries(resp.diagnostics());
}

TEST_F(Rpc, MalformedDynamicValuesGiveDiagnostics) {
  auto& stub = client_->provider();
  std::vector<std::string> inputs = {
      std::string("\xc1"),                   // never used
      std::string("\x8f"),                   // map of 15, truncated
      std::string("\xdf\xff\xff\xff\xff"),   // map of 4G entries
      std::string("\xdd\xff\xff\xff\xff"),   // array of 4G entries
      std::string(100000, '\x91') + "\xc0",  // very deep nesting
      std::string("\x81\xa3"
                  "abc\xc0"),                   // unsupported attribute
      std::string("\xa5hello"),                 // a string, not an object
      std::string("\x80\xc0"),                  // trailing bytes
      std::string("\xc7\x03\x0c\x81\x01\xc2"),  // refined unknown (ext 12) object
      std::string("\xd4\x00\x00"),              // unknown object
      std::string("\xd4\x05\x00"),              // another extension
  };
  std::mt19937 rng(20261129);
  for (int i = 0; i < 200; ++i) {
    std::string s(rng() % 64, '\0');
    for (auto& ch : s) ch = static_cast<char>(rng() & 0xff);
    inputs.push_back(s);
  }
  int index = 0;
  for (const auto& bytes : inputs) {
    SCOPED_TRACE("input #" + std::to_string(index++));
    tfplugin6::DynamicValue dv;
    dv.set_msgpack(bytes);
    {
      tfplugin6::ValidateResourceConfig::Request req;
      req.set_type_name("pxc_ca");
      *req.mutable_config() = dv;
      tfplugin6::ValidateResourceConfig::Response resp;
      grpc::Status st = stub.ValidateResourceConfig(Ctx().get(), req, &resp);
      ASSERT_TRUE(st.ok()) << GrpcStatusText(st);
    }
    {
      tfplugin6::PlanResourceChange::Request req;
      req.set_type_name("pxc_ca");
      *req.mutable_prior_state() = dv;
      *req.mutable_proposed_new_state() = dv;
      *req.mutable_config() = dv;
      tfplugin6::PlanResourceChange::Response resp;
      grpc::Status st = stub.PlanResourceChange(Ctx().get(), req, &resp);
      ASSERT_TRUE(st.ok()) << GrpcStatusText(st);
    }
    {
      tfplugin6::ApplyResourceChange::Request req;
      req.set_type_name("pxc_ca");
      *req.mutable_prior_state() = dv;
      *req.mutable_planned_state() = dv;
      *req.mutable_config() = dv;
      tfplugin6::ApplyResourceChange::Response resp;
      grpc::Status st = stub.ApplyResourceChange(Ctx().get(), req, &resp);
      ASSERT_TRUE(st.ok()) << GrpcStatusText(st);
    }
    {
      tfplugin6::ReadResource::Request req;
      req.set_type_name("pxc_ca");
      *req.mutable_current_state() = dv;
      tfplugin6::ReadResource::Response resp;
      grpc::Status st = stub.ReadResource(Ctx().get(), req, &resp);
      ASSERT_TRUE(st.ok()) << GrpcStatusText(st);
    }
    {
      tfplugin6::UpgradeResourceState::Request req;
      req.set_type_name("pxc_ca");
      req.mutable_raw_state()->set_json(bytes);
      tfplugin6::UpgradeResourceState::Response resp;
      grpc::Status st = stub.UpgradeResourceState(Ctx().get(), req, &resp);
      ASSERT_TRUE(st.ok()) << GrpcStatusText(st);
    }
  }
  // Random bytes as a whole configuration are an error diagnostic.
  tfplugin6::ValidateResourceConfig::Request req;
  req.set_type_name("pxc_ca");
  req.mutable_config()->set_msgpack("\xa5hello");
  tfplugin6::ValidateResourceConfig::Response resp;
  ASSERT_TRUE(stub.ValidateResourceConfig(Ctx().get(), req, &resp).ok());
  EXPECT_TRUE(HasError(resp.diagnostics()));
}

// Unknown attribute values, plain (ext 0) or refined (ext 12), are unknowns:
// accepted by validation and planned as unknown.
TEST_F(Rpc, UnknownAndRefinedUnknownAttributesAreUnknowns) {
  Value config = CaConfig({{"validity_period_hours", Value::Unknown(Type::Number())},
                           {"common_name", Value::Unknown(Type::String())}});
  auto bytes = schema::EncodeMsgpack(config, ca_type_);
  ASSERT_TRUE(bytes.ok());
  // Make common_name a refined unknown: not null, prefix "ca-".
  const std::string plain_unknown("\xd4\x00\x00", 3);
  const std::string key = std::string("\xab") + "common_name";
  size_t at = bytes->find(key + plain_unknown);
  ASSERT_NE(at, std::string::npos);
  const std::string refined(
      "\xc7\x08\x0c\x82\x01\xc2\x02\xa3"
      "ca-",
      11);
  std::string wire = bytes->substr(0, at + key.size()) + refined +
                     bytes->substr(at + key.size() + plain_unknown.size());
  tfplugin6::DynamicValue dv;
  dv.set_msgpack(wire);

  tfplugin6::ValidateResourceConfig::Request vreq;
  vreq.set_type_name("pxc_ca");
  *vreq.mutable_config() = dv;
  tfplugin6::ValidateResourceConfig::Response vresp;
  ASSERT_TRUE(client_->provider().ValidateResourceConfig(Ctx().get(), vreq, &vresp).ok());
  EXPECT_FALSE(HasError(vresp.diagnostics())) << Summaries(vresp.diagnostics());

  tfplugin6::PlanResourceChange::Request preq;
  preq.set_type_name("pxc_ca");
  *preq.mutable_prior_state() = *Terraform::Encode(Value::Null(ca_type_), ca_type_);
  *preq.mutable_proposed_new_state() = dv;
  *preq.mutable_config() = dv;
  tfplugin6::PlanResourceChange::Response presp;
  ASSERT_TRUE(client_->provider().PlanResourceChange(Ctx().get(), preq, &presp).ok());
  ASSERT_FALSE(HasError(presp.diagnostics())) << Summaries(presp.diagnostics());
  auto planned = Terraform::Decode(presp.planned_state(), ca_type_);
  ASSERT_TRUE(planned.ok()) << planned.status().message();
  EXPECT_TRUE(planned->GetAttr("common_name").IsUnknown());
  EXPECT_TRUE(planned->GetAttr("validity_period_hours").IsUnknown());
  EXPECT_TRUE(planned->GetAttr("cert_pem").IsUnknown());
}

TEST_F(Rpc, FullLifecycleThroughTheDriver) {
  Value config = CaConfig(
      {{"key_algorithm", Value::String("ED25519")}, {"validity_period_hours", Value::Num(5)}});
  auto plan = tf_->Plan("pxc_ca.t", "pxc_ca", Value::Null(ca_type_), "", config);
  ASSERT_FALSE(plan.diags.HasError()) << FormatDiagnostics(plan.diags);
  EXPECT_EQ(plan.change.action, Action::kCreate);
  auto applied = tf_->Apply(plan.change, config);
  ASSERT_FALSE(applied.diags.HasError()) << FormatDiagnostics(applied.diags);
  ASSERT_TRUE(applied.new_object.has_value());
  const ResourceObject obj = *applied.new_object;
  auto read = tf_->ReadResource("pxc_ca.t", "pxc_ca", obj.value, obj.private_data);
  ASSERT_FALSE(read.diags.HasError()) << FormatDiagnostics(read.diags);
  EXPECT_EQ(read.value, obj.value);
  auto again = tf_->Plan("pxc_ca.t", "pxc_ca", read.value, read.private_data, config);
  ASSERT_FALSE(again.diags.HasError()) << FormatDiagnostics(again.diags);
  EXPECT_EQ(again.change.action, Action::kNoOp);
  auto destroy = tf_->Plan("pxc_ca.t", "pxc_ca", read.value, read.private_data, std::nullopt);
  ASSERT_FALSE(destroy.diags.HasError()) << FormatDiagnostics(destroy.diags);
  EXPECT_EQ(destroy.change.action, Action::kDelete);
  auto gone = tf_->Apply(destroy.change, Value::Null(ca_type_));
  ASSERT_FALSE(gone.diags.HasError()) << FormatDiagnostics(gone.diags);
  ASSERT_TRUE(gone.new_object.has_value());
  EXPECT_TRUE(gone.new_object->value.IsNull());
}

// ---------------------------------------------------------------- 6.7-6.9

TEST_F(Rpc, AdvertisesWriteOnlyAttributesEphemeralResourcesAndNoIdentity) {
  std::vector<std::string> types, ephemeral;
  auto d = tf_->GetMetadata(&types, &ephemeral);
  ASSERT_FALSE(d.HasError()) << FormatDiagnostics(d);
  EXPECT_EQ(std::set<std::string>(ephemeral.begin(), ephemeral.end()),
            (std::set<std::string>{"pxc_ca_key", "pxc_client_cert"}));
  ASSERT_NE(tf_->EphemeralResourceSchema("pxc_client_cert"), nullptr);
  ASSERT_NE(tf_->EphemeralResourceSchema("pxc_ca_key"), nullptr);
  std::set<std::string> write_only;
  for (const auto& [type, s] : tf_->schemas().resources) {
    for (const auto& a : s.block.attributes) {
      if (a.write_only) write_only.insert(type + "." + a.name);
    }
  }
  EXPECT_EQ(write_only,
            (std::set<std::string>{"pxc_node_cert.ca_private_key_pem_wo",
                                   "pxc_node_tls_config.key_pem_wo", "pxc_ssl_user.password_wo"}));
  // Resource identity (6.9): no identity schemas, answered OK as Terraform
  // >= 1.12 expects; an identity upgrade is a diagnostic, not an RPC error.
  tfplugin6::GetResourceIdentitySchemas::Request ireq;
  tfplugin6::GetResourceIdentitySchemas::Response iresp;
  grpc::Status st = client_->provider().GetResourceIdentitySchemas(Ctx().get(), ireq, &iresp);
  ASSERT_TRUE(st.ok()) << GrpcStatusText(st);
  EXPECT_TRUE(iresp.identity_schemas().empty());
  EXPECT_TRUE(iresp.diagnostics().empty());
  tfplugin6::UpgradeResourceIdentity::Request ureq;
  ureq.set_type_name("pxc_ssl_user");
  ureq.mutable_raw_identity()->set_json(R"({"name":"a","host":"%"})");
  tfplugin6::UpgradeResourceIdentity::Response uresp;
  st = client_->provider().UpgradeResourceIdentity(Ctx().get(), ureq, &uresp);
  ASSERT_TRUE(st.ok()) << GrpcStatusText(st);
  EXPECT_TRUE(HasError(uresp.diagnostics())) << Summaries(uresp.diagnostics());
}

TEST_F(Rpc, WriteOnlyAttributeIsRefusedForAClientWithoutTheCapability) {
  const auto* s = tf_->ResourceSchema("pxc_ssl_user");
  ASSERT_NE(s, nullptr);
  const Type t = ImpliedType(s->block);
  Value config = *Value::ObjectOf(t, {{"name", Value::String("app")},
                                      {"password_wo", Value::String("n0t-in-state")},
                                      {"password_wo_version", Value::Num(1)}});
  // As Terraform 1.0-1.10: no client_capabilities in the request at all.
  tfplugin6::ValidateResourceConfig::Request req;
  req.set_type_name("pxc_ssl_user");
  *req.mutable_config() = *Terraform::Encode(config, t);
  ASSERT_FALSE(req.has_client_capabilities());
  tfplugin6::ValidateResourceConfig::Response resp;
  ASSERT_TRUE(client_->provider().ValidateResourceConfig(Ctx().get(), req, &resp).ok());
  ASSERT_EQ(resp.diagnostics_size(), 1) << Summaries(resp.diagnostics());
  const auto& diag = resp.diagnostics(0);
  EXPECT_EQ(diag.severity(), tfplugin6::Diagnostic::ERROR);
  EXPECT_EQ(diag.summary(), "Write-Only Attribute Not Supported by This Terraform");
  EXPECT_NE(diag.detail().find("Terraform 1.11 or later"), std::string::npos) << diag.detail();
  EXPECT_NE(diag.detail().find("Or set password instead"), std::string::npos) << diag.detail();
  EXPECT_EQ(diag.detail().find("n0t-in-state"), std::string::npos);
  ASSERT_EQ(diag.attribute().steps_size(), 1);
  EXPECT_EQ(diag.attribute().steps(0).attribute_name(), "password_wo");
  // The driver as an old core (its default) sees the same error at the path.
  auto old_core = tf_->ValidateResourceConfig("pxc_ssl_user", config);
  ASSERT_TRUE(old_core.HasError());
  EXPECT_EQ(old_core.items()[0].path, AttributePath::Root("password_wo"));
  // Terraform 1.11 sends the capability: accepted.
  tf_->set_client({"1.11.4", true});
  auto new_core = tf_->ValidateResourceConfig("pxc_ssl_user", config);
  EXPECT_FALSE(new_core.HasError()) << FormatDiagnostics(new_core);
}

TEST_F(Rpc, WriteOnlyCaKeyNeverComesBackThroughTheDriver) {
  tf_->set_client({"1.11.4", true});
  Value ca_config = CaConfig({{"key_algorithm", Value::String("ECDSA")}});
  auto ca_plan = tf_->Plan("pxc_ca.c", "pxc_ca", Value::Null(ca_type_), "", ca_config);
  ASSERT_FALSE(ca_plan.diags.HasError()) << FormatDiagnostics(ca_plan.diags);
  auto ca = tf_->Apply(ca_plan.change, ca_config);
  ASSERT_FALSE(ca.diags.HasError()) << FormatDiagnostics(ca.diags);
  const std::string ca_key = *ca.new_object->value.GetString("private_key_pem");
  const auto* s = tf_->ResourceSchema("pxc_node_cert");
  const Type t = ImpliedType(s->block);
  Value config = *Value::ObjectOf(t, {{"ca_cert_pem", ca.new_object->value.GetAttr("cert_pem")},
                                      {"ca_private_key_pem_wo", Value::String(ca_key)},
                                      {"common_name", Value::String("pxc1")},
                                      {"key_algorithm", Value::String("ED25519")}});
  // Plan and apply with the driver's checks (write-only planned and applied
  // null, the apply-time re-plan consistent).
  auto plan = tf_->Plan("pxc_node_cert.n", "pxc_node_cert", Value::Null(t), "", config);
  ASSERT_FALSE(plan.diags.HasError()) << FormatDiagnostics(plan.diags);
  EXPECT_TRUE(plan.change.planned.GetAttr("ca_private_key_pem_wo").IsNull());
  auto applied = tf_->Apply(plan.change, config);
  ASSERT_FALSE(applied.diags.HasError()) << FormatDiagnostics(applied.diags);
  const Value state = applied.new_object->value;
  EXPECT_EQ(state.DebugString().find(ca_key.substr(30, 40)), std::string::npos);
  auto read = tf_->ReadResource("pxc_node_cert.n", "pxc_node_cert", state, "");
  ASSERT_FALSE(read.diags.HasError()) << FormatDiagnostics(read.diags);
  EXPECT_EQ(read.value, state);
  auto again = tf_->Plan("pxc_node_cert.n", "pxc_node_cert", read.value, "", config);
  ASSERT_FALSE(again.diags.HasError()) << FormatDiagnostics(again.diags);
  EXPECT_EQ(again.change.action, Action::kNoOp);
}

TEST_F(Rpc, ClientCertOpensRenewsAndCloses) {
  Value ca_config = CaConfig({{"key_algorithm", Value::String("ECDSA")}});
  auto ca_plan = tf_->Plan("pxc_ca.c", "pxc_ca", Value::Null(ca_type_), "", ca_config);
  ASSERT_FALSE(ca_plan.diags.HasError()) << FormatDiagnostics(ca_plan.diags);
  auto ca = tf_->Apply(ca_plan.change, ca_config);
  ASSERT_FALSE(ca.diags.HasError()) << FormatDiagnostics(ca.diags);
  const auto* s = tf_->EphemeralResourceSchema("pxc_client_cert");
  ASSERT_NE(s, nullptr);
  const Type t = ImpliedType(s->block);
  Value config =
      *Value::ObjectOf(t, {{"ca_cert_pem", ca.new_object->value.GetAttr("cert_pem")},
                           {"ca_private_key_pem", ca.new_object->value.GetAttr("private_key_pem")},
                           {"common_name", Value::String("app")}});
  auto open =
      tf_->OpenEphemeralResource("ephemeral.pxc_client_cert.app", "pxc_client_cert", config);
  ASSERT_FALSE(open.diags.HasError()) << FormatDiagnostics(open.diags);
  EXPECT_FALSE(open.renew_at.has_value()) << "nothing to renew";
  auto cert = resources::Certificate::FromPem(*open.result.GetString("cert_pem"));
  auto ca_cert = resources::Certificate::FromPem(*ca.new_object->value.GetString("cert_pem"));
  ASSERT_TRUE(cert.ok() && ca_cert.ok());
  EXPECT_TRUE(cert->VerifySignedBy(*ca_cert).ok());
  EXPECT_EQ(cert->Subject().common_name, "app");
  EXPECT_EQ(cert->NotAfter() - cert->NotBefore(), std::chrono::hours(1));
  // Renew (Terraform calls it only when renew_at was set) and Close answer
  // without error.
  auto renew = tf_->RenewEphemeralResource("pxc_client_cert", open.private_data);
  EXPECT_FALSE(renew.diags.HasError()) << FormatDiagnostics(renew.diags);
  EXPECT_FALSE(renew.renew_at.has_value());
  auto closed = tf_->CloseEphemeralResource("pxc_client_cert", open.private_data);
  EXPECT_FALSE(closed.HasError()) << FormatDiagnostics(closed);
  // A configuration that cannot be opened yet (plan before the CA exists).
  Value unknown = config.WithAttr("ca_cert_pem", Value::Unknown(Type::String()));
  auto pending =
      tf_->OpenEphemeralResource("ephemeral.pxc_client_cert.app", "pxc_client_cert", unknown);
  ASSERT_FALSE(pending.diags.HasError()) << FormatDiagnostics(pending.diags);
  EXPECT_TRUE(pending.result.GetAttr("cert_pem").IsUnknown());
  // An unknown ephemeral type is a diagnostic.
  tfplugin6::OpenEphemeralResource::Request req;
  req.set_type_name("pxc_nope");
  tfplugin6::OpenEphemeralResource::Response resp;
  ASSERT_TRUE(client_->provider().OpenEphemeralResource(Ctx().get(), req, &resp).ok());
  EXPECT_TRUE(HasError(resp.diagnostics()));
}

// Terraform runs up to 10 operations at once.
TEST_F(Rpc, TenConcurrentWorkersPlanAndApplyThirtyCas) {
  constexpr int kResources = 30;
  constexpr int kWorkers = 10;
  const char* const kAlgorithms[] = {"ECDSA", "ED25519"};
  std::atomic<int> next{0};
  std::mutex mu;
  std::vector<std::string> errors;
  std::set<std::string> serials;
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&] {
      for (int i = next++; i < kResources; i = next++) {
        const std::string address = "pxc_ca.c" + std::to_string(i);
        // RSA key generation is slow: a few RSA CAs, the rest ECDSA/Ed25519.
        const char* algorithm = i % 10 == 0 ? "RSA" : kAlgorithms[i % 2];
        Value config = CaConfig({{"key_algorithm", Value::String(algorithm)},
                                 {"common_name", Value::String("ca-" + std::to_string(i))},
                                 {"validity_period_hours", Value::Num(24)}});
        auto plan = tf_->Plan(address, "pxc_ca", Value::Null(ca_type_), "", config);
        std::string problem;
        if (plan.diags.HasError()) {
          problem = "plan: " + FormatDiagnostics(plan.diags);
        } else if (plan.change.action != Action::kCreate) {
          problem = std::string("planned ") + ActionName(plan.change.action);
        } else {
          auto applied = tf_->Apply(plan.change, config);
          if (applied.diags.HasError()) {
            problem = "apply: " + FormatDiagnostics(applied.diags);
          } else if (!applied.new_object || applied.new_object->value.GetString("common_name") !=
                                                "ca-" + std::to_string(i)) {
            problem = "apply returned the wrong object";
          } else {
            std::lock_guard<std::mutex> lock(mu);
            serials.insert(applied.new_object->value.GetString("serial_number").value_or(""));
          }
        }
        if (!problem.empty()) {
          std::lock_guard<std::mutex> lock(mu);
          errors.push_back(address + ": " + problem);
        }
      }
    });
  }
  for (auto& t : workers) t.join();
  for (const auto& e : errors) ADD_FAILURE() << e;
  EXPECT_EQ(serials.size(), static_cast<size_t>(kResources)) << "serials must be unique";
}

// GRPCController.Shutdown while a call is running: the plugin answers the
// call before it exits (it waits up to 2 s for calls in flight, as go-plugin's
// client waits for the process), and still exits by itself.
TEST(Shutdown, AnswersTheCallInFlightBeforeExiting) {
  LaunchOptions lo;
  lo.env["TF_LOG"] = "trace";  // to see the call arrive
  lo.unset_env = {"TF_LOG_PROVIDER"};
  auto client = MustLaunch(lo);
  ASSERT_TRUE(client);
  Terraform tf(*client);
  auto d = tf.LoadSchemas();
  ASSERT_FALSE(d.HasError()) << FormatDiagnostics(d);
  d = tf.ConfigureProvider(Value::Null(ImpliedType(tf.schemas().provider.block)));
  ASSERT_FALSE(d.HasError()) << FormatDiagnostics(d);
  const Type ca_type = ImpliedType(tf.ResourceSchema("pxc_ca")->block);
  // An RSA-3072 key takes tens to hundreds of milliseconds: still in the
  // making when the Shutdown comes, and well within the 2 s.
  auto config = Value::ObjectOf(ca_type, {{"key_algorithm", Value::String("RSA")},
                                          {"rsa_bits", Value::Num(3072)},
                                          {"common_name", Value::String("in-flight")},
                                          {"validity_period_hours", Value::Num(24)}});
  ASSERT_TRUE(config.ok()) << config.status().message();
  auto plan = tf.Plan("pxc_ca.f", "pxc_ca", Value::Null(ca_type), "", *config);
  ASSERT_FALSE(plan.diags.HasError()) << FormatDiagnostics(plan.diags);
  std::atomic<bool> answered{false};
  ApplyOutcome applied;
  std::thread call([&] {
    applied = tf.Apply(plan.change, *config);
    answered = true;
  });
  // Shut down once the plugin has received the apply.
  const auto until = std::chrono::steady_clock::now() + seconds(10);
  while (client->Stderr().find("\"tf_rpc\":\"ApplyResourceChange\"") == std::string::npos &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  const bool in_flight = !answered;
  CloseResult r = client->Close();
  call.join();
  EXPECT_TRUE(in_flight) << "the apply ended before the Shutdown: nothing was tested";
  EXPECT_FALSE(applied.diags.HasError()) << FormatDiagnostics(applied.diags);
  ASSERT_TRUE(applied.new_object.has_value());
  EXPECT_NE(applied.new_object->value.GetString("cert_pem").value_or(""), "");
  EXPECT_TRUE(r.shutdown_rpc_ok) << r.ToString();
  EXPECT_TRUE(r.graceful) << r.ToString();
  EXPECT_TRUE(r.status.exited && r.status.code == 0) << r.ToString();
}

// ---------------------------------------------------------------- debug mode

TEST(Debug, ReattachAddressServesPlaintext) {
  SpawnOptions so;
  so.argv = {Binary(), "--debug"};
  so.unset_env = {"TF_PLUGIN_MAGIC_COOKIE", "PLUGIN_CLIENT_CERT"};
  auto p = Process::Spawn(so);
  ASSERT_TRUE(p.ok()) << p.status().message();
  Process& proc = **p;
  std::string reattach;
  auto deadline = std::chrono::steady_clock::now() + seconds(20);
  while (reattach.empty() && std::chrono::steady_clock::now() < deadline) {
    auto line = proc.ReadLine(milliseconds(500));
    if (!line) {
      if (proc.stdout_eof()) break;
      continue;
    }
    auto pos = line->find("TF_REATTACH_PROVIDERS='");
    if (pos == std::string::npos) continue;
    std::string rest = line->substr(pos + 23);
    reattach = rest.substr(0, rest.rfind('\''));
  }
  ASSERT_FALSE(reattach.empty()) << "no TF_REATTACH_PROVIDERS line; stderr: " << proc.Stderr();
  auto j = nlohmann::json::parse(reattach, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << reattach;
  ASSERT_TRUE(j.contains("registry.terraform.io/pxc/pxc")) << reattach;
  const auto& e = j["registry.terraform.io/pxc/pxc"];
  EXPECT_EQ(e.value("Protocol", ""), "grpc");
  EXPECT_EQ(e.value("ProtocolVersion", 0), 6);
  EXPECT_EQ(e.value("Pid", 0), proc.pid());
  ASSERT_TRUE(e.contains("Addr"));
  EXPECT_EQ(e["Addr"].value("Network", ""), "unix");
  const std::string addr = e["Addr"].value("String", "");
  ASSERT_FALSE(addr.empty());

  auto channel = DialPlugin("unix", addr, "", std::nullopt);
  auto health = grpc::health::v1::Health::NewStub(channel);
  grpc::health::v1::HealthCheckRequest hreq;
  hreq.set_service("plugin");
  grpc::health::v1::HealthCheckResponse hresp;
  grpc::Status st = health->Check(Ctx(seconds(10)).get(), hreq, &hresp);
  ASSERT_TRUE(st.ok()) << GrpcStatusText(st);
  EXPECT_EQ(hresp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  auto provider = tfplugin6::Provider::NewStub(channel);
  tfplugin6::GetMetadataRpc::Request mreq;
  tfplugin6::GetMetadataRpc::Response mresp;
  st = provider->GetMetadata(Ctx().get(), mreq, &mresp);
  ASSERT_TRUE(st.ok()) << GrpcStatusText(st);
  EXPECT_GE(mresp.resources_size(), 1);

  channel.reset();
  provider.reset();
  health.reset();
  proc.Signal(SIGINT);
  auto ended = proc.WaitExit(seconds(5));
  ASSERT_TRUE(ended.has_value()) << "debug server ignored SIGINT";
  EXPECT_TRUE(ended->exited && ended->code == 0) << ended->ToString();
  EXPECT_FALSE(fs::exists(addr));
}

// ---------------------------------------------------------------- logging

TEST(Logging, TraceLogsAreJsonLinesWithoutKeyMaterial) {
  LaunchOptions lo;
  lo.env["TF_LOG"] = "trace";
  lo.unset_env = {"TF_LOG_PROVIDER"};
  auto c = MustLaunch(lo);
  ASSERT_TRUE(c);
  std::string key_pem;
  {
    Terraform tf(*c);
    ASSERT_FALSE(tf.LoadSchemas().HasError());
    const Type t = ImpliedType(tf.ResourceSchema("pxc_ca")->block);
    ASSERT_FALSE(
        tf.ConfigureProvider(Value::Null(ImpliedType(tf.schemas().provider.block))).HasError());
    auto config = Value::ObjectOf(t, {{"validity_period_hours", Value::Num(3)}});
    ASSERT_TRUE(config.ok());
    auto plan = tf.Plan("pxc_ca.log", "pxc_ca", Value::Null(t), "", *config);
    ASSERT_FALSE(plan.diags.HasError()) << FormatDiagnostics(plan.diags);
    auto applied = tf.Apply(plan.change, *config);
    ASSERT_FALSE(applied.diags.HasError()) << FormatDiagnostics(applied.diags);
    key_pem = applied.new_object->value.GetString("private_key_pem").value_or("");
    const std::string cert_pem = applied.new_object->value.GetString("cert_pem").value_or("");
    auto read = tf.ReadResource("pxc_ca.log", "pxc_ca", applied.new_object->value,
                                applied.new_object->private_data);
    ASSERT_FALSE(read.diags.HasError());
    // Send the key back in a configuration that fails validation, so the
    // provider has every reason to mention it.
    auto adopt = Value::ObjectOf(t, {{"existing_private_key_pem", Value::String(key_pem)},
                                     {"existing_cert_pem", Value::String(cert_pem)},
                                     {"rsa_bits", Value::Num(1)}});
    ASSERT_TRUE(adopt.ok());
    EXPECT_TRUE(tf.ValidateResourceConfig("pxc_ca", *adopt).HasError());
    auto broken = Value::ObjectOf(t, {{"existing_private_key_pem", Value::String(key_pem + "x")},
                                      {"existing_cert_pem", Value::String("junk")}});
    ASSERT_TRUE(broken.ok());
    EXPECT_TRUE(tf.ValidateResourceConfig("pxc_ca", *broken).HasError());
  }
  ASSERT_FALSE(key_pem.empty());
  CloseResult r = c->Close();
  EXPECT_TRUE(r.graceful) << r.ToString();
  const std::string logs = c->Stderr();
  int lines = 0, trace = 0;
  std::istringstream in(logs);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    ++lines;
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(!j.is_discarded() && j.is_object()) << "not a JSON line: " << line;
    for (const char* k : {"@level", "@message", "@timestamp", "@module"}) {
      EXPECT_TRUE(j.contains(k) && j[k].is_string()) << k << " missing in " << line;
    }
    static const std::set<std::string> kLevels = {"trace", "debug", "info", "warn", "error"};
    EXPECT_TRUE(kLevels.count(j.value("@level", ""))) << line;
    EXPECT_TRUE(std::regex_match(j.value("@timestamp", ""),
                                 std::regex("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d.*")))
        << line;
    trace += j.value("@level", "") == "trace";
  }
  EXPECT_GT(lines, 5);
  EXPECT_GT(trace, 0) << "TF_LOG=trace gave no trace lines";
  EXPECT_EQ(logs.find("PRIVATE KEY"), std::string::npos) << logs;
  // Nor any line of the key's base64 body.
  std::istringstream key_lines(key_pem);
  while (std::getline(key_lines, line)) {
    if (line.size() < 40 || line.rfind("-----", 0) == 0) continue;
    EXPECT_EQ(logs.find(line), std::string::npos) << "key material in the logs";
  }
}

}  // namespace
}  // namespace pxc::tfdriver
