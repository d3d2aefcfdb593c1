// pxc_node_tls_config without a node: validation of cert_dir (system
// directories, odd spellings) and the planned `files` map, which carries
// cert_dir's safety next to the files.
#include <gtest/gtest.h>

#include "provider/core.h"
#include "resources/provider_def.h"
#include "resources/remote/ssh_settings.h"

namespace pxc::provider {
namespace {

using schema::AttributePath;
using schema::Value;

constexpr char kType[] = "pxc_node_tls_config";
constexpr char kCa[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

class NodeTlsConfigPlanTest : public ::testing::Test {
 protected:
  NodeTlsConfigPlanTest() : core_(resources::MakeProvider("test")) {}

  Value Config(std::map<std::string, Value> extra) const {
    std::map<std::string, Value> attrs = {
        {"host", Value::String("10.0.0.1")},   {"name", Value::String("lb")},
        {"role", Value::String("client")},     {"ssh_insecure_ignore_host_key", Value::Bool(true)},
        {"ssh_password", Value::String("pw")}, {"ca_pem", Value::String(kCa)}};
    for (auto& [k, v] : extra) attrs[k] = v;
    auto type = core_.FindResource(kType)->GetSchema().ImpliedType();
    auto v = Value::ObjectOf(type, attrs);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return *v;
  }
  std::vector<std::string> ErrorsAtCertDir(const std::string& cert_dir,
                                           const std::string& config_file = "") const {
    std::map<std::string, Value> extra = {{"cert_dir", Value::String(cert_dir)}};
    if (!config_file.empty()) extra["config_file"] = Value::String(config_file);
    auto diags = core_.ValidateResourceConfig(kType, Config(extra));
    std::vector<std::string> out;
    for (const auto& d : diags.items()) {
      if (d.severity == schema::Severity::kError && d.path == AttributePath::Root("cert_dir")) {
        out.push_back(d.summary + ": " + d.detail);
      }
    }
    return out;
  }

  Core core_;
};

TEST_F(NodeTlsConfigPlanTest, SystemDirectoriesAreRefusedAsCertDir) {
  for (const char* dir : {"/etc/mysql", "/etc/mysql/", "/etc", "/", "/usr", "/var/lib/mysql",
                          "/etc/ssl/private", "/root"}) {
    auto errors = ErrorsAtCertDir(dir);
    ASSERT_EQ(errors.size(), 1u) << dir;
    EXPECT_EQ(errors[0].rfind("System Directory as cert_dir: ", 0), 0u) << errors[0];
    EXPECT_NE(errors[0].find("/etc/mysql/certs"), std::string::npos) << errors[0];
  }
  // The directory of config_file, wherever that is.
  auto errors = ErrorsAtCertDir("/srv/db", "/srv/db/my.cnf");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rfind("System Directory as cert_dir", 0), 0u) << errors[0];
}

TEST_F(NodeTlsConfigPlanTest, OddSpellingsOfCertDirAreRefused) {
  for (const char* dir :
       {"/etc//mysql", "/etc/./mysql", "/etc/mysql/certs/..", "/etc/mysql/../x"}) {
    auto errors = ErrorsAtCertDir(dir);
    ASSERT_EQ(errors.size(), 1u) << dir;
    EXPECT_EQ(errors[0].rfind("Invalid cert_dir: ", 0), 0u) << errors[0];
  }
  EXPECT_EQ(ErrorsAtCertDir("relative/certs").size(), 1u);
}

TEST_F(NodeTlsConfigPlanTest, OrdinaryCertDirsAreAccepted) {
  for (const char* dir : {"/etc/mysql/certs", "/etc/mysql/certs/", "/etc/pxc/tls", "/srv/db/tls"}) {
    EXPECT_TRUE(ErrorsAtCertDir(dir).empty()) << dir;
  }
}

TEST_F(NodeTlsConfigPlanTest, PlannedFilesIncludeCertDirSafety) {
  Value config = Config({{"cert_dir", Value::String("/etc/mysql/certs/")}});
  auto type = core_.FindResource(kType)->GetSchema().ImpliedType();
  auto plan = core_.PlanResourceChange(kType, Value::Null(type), config, config, "");
  ASSERT_FALSE(plan.diags.HasError());
  Value files = plan.planned.GetAttr("files");
  ASSERT_TRUE(files.IsKnown());
  auto entries = files.Entries();
  ASSERT_TRUE(entries.count("/etc/mysql/certs/"));
  EXPECT_EQ(entries.at("/etc/mysql/certs/"),
            Value::String("directory not writable by other accounts"));
  EXPECT_TRUE(entries.count("/etc/mysql/certs/ca-cert.pem"));
}

// Regression: the default file names derived from `name` (<name>-key.pem,
// <name>-cert.pem) skipped the checks key_file and cert_file get when set,
// so a name with '/' or ".." put the key outside cert_dir. The derived value
// is refused like the explicit one, at validation when `name` is known and
// at plan when it becomes known only then, with the attribute path of
// `name` (the attribute to change).
TEST_F(NodeTlsConfigPlanTest, DerivedFileNamesGetTheChecksOfExplicitOnes) {
  auto type = core_.FindResource(kType)->GetSchema().ImpliedType();
  auto file_name_errors = [](const schema::Diagnostics& diags) {
    std::vector<std::string> out;
    for (const auto& d : diags.items()) {
      if (d.severity == schema::Severity::kError && d.summary == "Invalid File Name") {
        out.push_back((d.path ? d.path->ToString() : "") + ": " + d.detail);
      }
    }
    return out;
  };
  for (const char* name : {"../../root/.ssh/x", "a/b", "/etc/x"}) {
    Value config = Config({{"name", Value::String(name)}});
    auto at_validation = file_name_errors(core_.ValidateResourceConfig(kType, config));
    ASSERT_EQ(at_validation.size(), 2u) << name;  // key_file and cert_file
    EXPECT_EQ(at_validation[0].rfind(
                  "name: key_file defaults to \"" + std::string(name) + "-key.pem\"", 0),
              0u)
        << at_validation[0];
    EXPECT_EQ(at_validation[1].rfind(
                  "name: cert_file defaults to \"" + std::string(name) + "-cert.pem\"", 0),
              0u)
        << at_validation[1];
    // Known only at plan (e.g. from another resource): refused there.
    Value unknown_name = Config({{"name", Value::Unknown(schema::Type::String())}});
    EXPECT_TRUE(file_name_errors(core_.ValidateResourceConfig(kType, unknown_name)).empty());
    auto plan = core_.PlanResourceChange(kType, Value::Null(type), config, config, "");
    auto at_plan = file_name_errors(plan.diags);
    ASSERT_EQ(at_plan.size(), 2u) << name;
    EXPECT_EQ(at_plan[0].rfind("name: ", 0), 0u) << at_plan[0];
    EXPECT_TRUE(plan.diags.HasError());
  }
  // Set explicitly, the same value is refused at its own attribute; set
  // explicitly to a plain name, a name with '/' is fine (it is only a label).
  auto explicit_bad = file_name_errors(
      core_.ValidateResourceConfig(kType, Config({{"key_file", Value::String("../x-key.pem")}})));
  ASSERT_EQ(explicit_bad.size(), 1u);
  EXPECT_EQ(explicit_bad[0].rfind("key_file: ", 0), 0u) << explicit_bad[0];
  Value labelled = Config({{"name", Value::String("db/1")},
                           {"key_file", Value::String("db1-key.pem")},
                           {"cert_file", Value::String("db1-cert.pem")}});
  EXPECT_TRUE(file_name_errors(core_.ValidateResourceConfig(kType, labelled)).empty());
  auto plan = core_.PlanResourceChange(kType, Value::Null(type), labelled, labelled, "");
  EXPECT_FALSE(plan.diags.HasError());
  EXPECT_TRUE(plan.planned.GetAttr("files").Entries().count("/etc/mysql/certs/ca-cert.pem"));
}

// A resource's own pinned host key is not overridden by the provider's
// insecure_ignore_host_key; the resource's own opt-out still works.
TEST_F(NodeTlsConfigPlanTest, PinnedHostKeysWinOverTheProvidersOptOut) {
  schema::ProviderContext provider;
  auto ptype = core_.definition().GetSchema().ImpliedType();
  auto stype = ptype.attributes().at("ssh");
  auto ssh = Value::ObjectOf(
      stype, {{"insecure_ignore_host_key", Value::Bool(true)}, {"password", Value::String("pw")}});
  ASSERT_TRUE(ssh.ok()) << ssh.status().ToString();
  auto pconfig = Value::ObjectOf(ptype, {{"ssh", *ssh}});
  ASSERT_TRUE(pconfig.ok());
  provider.config = *pconfig;
  auto resolve = [&](std::map<std::string, Value> attrs) {
    attrs["ssh_insecure_ignore_host_key"] = attrs.count("ssh_insecure_ignore_host_key")
                                                ? attrs["ssh_insecure_ignore_host_key"]
                                                : Value::Null(schema::Type::Bool());
    attrs["ssh_password"] = Value::Null(schema::Type::String());
    schema::Diagnostics diags;
    auto t = resources::ssh_settings::Resolve(Config(attrs), "ssh_", "10.0.0.1", "lb", provider,
                                              AttributePath(), diags);
    EXPECT_TRUE(t.has_value());
    return t.value_or(resources::SshTarget{});
  };
  const std::string key =
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO1lL+kVgiPG4vt0JrCs1zpRlEOgzW3wL5ro";
  // Nothing pinned on the resource: the provider's opt-out applies.
  EXPECT_TRUE(resolve({}).insecure_ignore_host_key);
  // Pinned on the resource: verified anyway.
  auto pinned = resolve({{"ssh_host_key", Value::String(key)}});
  EXPECT_FALSE(pinned.insecure_ignore_host_key);
  EXPECT_EQ(pinned.host_key, key);
  EXPECT_FALSE(
      resolve({{"ssh_known_hosts", Value::String("10.0.0.1 " + key)}}).insecure_ignore_host_key);
  // The resource's own opt-out is honoured.
  EXPECT_TRUE(resolve({{"ssh_host_key", Value::String(key)},
                       {"ssh_insecure_ignore_host_key", Value::Bool(true)}})
                  .insecure_ignore_host_key);
}

}  // namespace
}  // namespace pxc::provider
