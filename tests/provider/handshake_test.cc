// Tests of the handshake environment parsing (provider/handshake.h).
#include "provider/handshake.h"

#include <gtest/gtest.h>

namespace pxc::provider {
namespace {

HandshakeEnv Terraform() {
  HandshakeEnv env;
  env.magic_cookie = kMagicCookieValue;
  env.protocol_versions = "5,6";
  return env;
}

TEST(Handshake, RefusesAMissingOrWrongMagicCookie) {
  for (const std::optional<std::string>& cookie :
       {std::optional<std::string>(), std::optional<std::string>(""),
        std::optional<std::string>("hello"),
        std::optional<std::string>(std::string(kMagicCookieValue) + " ")}) {
    HandshakeEnv env = Terraform();
    env.magic_cookie = cookie;
    auto got = ParseHandshakeEnv(env, /*debug=*/false);
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(got.status().message(),
              "This binary is a plugin. These are not meant to be executed directly.\n"
              "Please execute the program that consumes these plugins, which will\n"
              "load any plugins automatically");
  }
}

TEST(Handshake, NegotiatesProtocol6Only) {
  struct Case {
    std::optional<std::string> versions;
    bool ok;
  };
  for (const Case& c : {Case{std::nullopt, true}, Case{"", true}, Case{"6", true},
                        Case{"5,6", true}, Case{"6,7", true}, Case{"5", false}, Case{"4,5", false},
                        Case{" 6", false}, Case{"56", false}, Case{",", false}}) {
    HandshakeEnv env = Terraform();
    env.protocol_versions = c.versions;
    auto got = ParseHandshakeEnv(env, /*debug=*/false);
    EXPECT_EQ(got.ok(), c.ok) << c.versions.value_or("(unset)");
    EXPECT_EQ(OffersProtocol6(c.versions ? c.versions->c_str() : nullptr), c.ok);
  }
  HandshakeEnv env = Terraform();
  env.protocol_versions = "4,5";
  EXPECT_EQ(ParseHandshakeEnv(env, false).status().message(),
            "terraform-provider-pxc speaks plugin protocol 6 only, but this Terraform offers "
            "protocol versions 4,5. Use Terraform 1.0 or newer (or OpenTofu).");
}

TEST(Handshake, AutoMtlsOnlyWithAClientCertificateOutsideDebug) {
  HandshakeEnv env = Terraform();
  auto plain = ParseHandshakeEnv(env, false);
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->tls);
  EXPECT_EQ(plain->client_cert_pem, "");

  env.client_cert = "";
  EXPECT_FALSE(ParseHandshakeEnv(env, false)->tls);

  env.client_cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  auto tls = ParseHandshakeEnv(env, false);
  ASSERT_TRUE(tls.ok());
  EXPECT_TRUE(tls->tls);
  EXPECT_EQ(tls->client_cert_pem, *env.client_cert);

  // Debug mode serves plaintext and needs neither cookie nor versions.
  HandshakeEnv debug_env;
  debug_env.client_cert = env.client_cert;
  debug_env.protocol_versions = "5";
  auto debug = ParseHandshakeEnv(debug_env, /*debug=*/true);
  ASSERT_TRUE(debug.ok());
  EXPECT_FALSE(debug->tls);
  EXPECT_EQ(debug->client_cert_pem, "");
}

TEST(Handshake, SocketDirectoryFromTheFirstNonEmptyBase) {
  HandshakeEnv env = Terraform();
  EXPECT_EQ(ParseHandshakeEnv(env, false)->socket_dir_template, "/tmp/plugin-pxc-XXXXXX");
  env.tmpdir = "";
  EXPECT_EQ(ParseHandshakeEnv(env, false)->socket_dir_template, "/tmp/plugin-pxc-XXXXXX");
  env.tmpdir = "/var/tmp";
  EXPECT_EQ(ParseHandshakeEnv(env, false)->socket_dir_template, "/var/tmp/plugin-pxc-XXXXXX");
  env.unix_socket_dir = "";
  EXPECT_EQ(ParseHandshakeEnv(env, false)->socket_dir_template, "/var/tmp/plugin-pxc-XXXXXX");
  env.unix_socket_dir = "/run/user/1000";
  EXPECT_EQ(ParseHandshakeEnv(env, false)->socket_dir_template, "/run/user/1000/plugin-pxc-XXXXXX");
}

// Regression: a '|' or line break in the socket directory made the socket
// path break the '|'-separated handshake line that Terraform splits.
TEST(Handshake, RefusesASocketDirectoryTheLineCannotCarry) {
  for (const char* dir : {"/tmp/a|b", "/tmp/a\nb", "/tmp/a\r", "|"}) {
    HandshakeEnv env = Terraform();
    env.unix_socket_dir = dir;
    auto got = ParseHandshakeEnv(env, false);
    ASSERT_FALSE(got.ok()) << dir;
    EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(got.status().message(),
              "terraform-provider-pxc: the socket directory in PLUGIN_UNIX_SOCKET_DIR contains "
              "'|' or a line break, which the plugin handshake line cannot carry; point "
              "PLUGIN_UNIX_SOCKET_DIR to another directory");
    EXPECT_FALSE(ParseHandshakeEnv(env, /*debug=*/true).ok());
  }
  HandshakeEnv env = Terraform();
  env.tmpdir = "/home/a|b";
  EXPECT_EQ(ParseHandshakeEnv(env, false).status().code(), StatusCode::kInvalidArgument);
  env.unix_socket_dir = "/run/user/1000";  // the first non-empty base is used
  EXPECT_TRUE(ParseHandshakeEnv(env, false).ok());
}

TEST(Handshake, LineHasSixFields) {
  EXPECT_EQ(HandshakeLine("/tmp/plugin-pxc-a1B2c3/plugin.sock", "MIIB"),
            "1|6|unix|/tmp/plugin-pxc-a1B2c3/plugin.sock|grpc|MIIB");
  EXPECT_EQ(HandshakeLine("/tmp/p/plugin.sock", ""), "1|6|unix|/tmp/p/plugin.sock|grpc|");
}

}  // namespace
}  // namespace pxc::provider
