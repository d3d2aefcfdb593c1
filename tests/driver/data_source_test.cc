// Data sources through the driver and the real provider binary, without a
// database: the validate/plan/apply walks that plan and read `data` blocks as
// Terraform core does (read while planning, read deferred to apply when the
// configuration is unknown or a depends_on has changes, outputs, references),
// and the diagnostics of failed reads (summary, attribute path) with the
// provider still shutting down gracefully.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/driver/scenario.h"

namespace pxc::tfdriver {
namespace {

namespace fs = std::filesystem;

// Connection refused at once: nothing listens on port 1 of the loopback.
constexpr char kUnreachable[] = R"("mysql": {
  "endpoint": "127.0.0.1:1", "username": "nobody", "password": "x",
  "connect_timeout_seconds": 2 })";

struct RunOutput {
  ScenarioResult result;
  std::string out;
};

RunOutput RunJson(const std::string& name, const std::string& scenario) {
  const fs::path dir =
      fs::temp_directory_path() / ("pxc-ds-test-" + std::to_string(getpid()) + "-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path file = dir / "scenario.json";
  std::ofstream(file) << scenario;
  std::ostringstream out;
  ScenarioOptions o;
  o.provider_binary = PXC_PROVIDER_BINARY;
  o.scenario_path = file.string();
  o.workdir = (dir / "work").string();
  o.out = &out;
  RunOutput r{RunScenario(o), out.str()};
  fs::remove_all(dir);
  return r;
}

bool Has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

TEST(DriverDataSource, ReadFailingOnAnUnreachableEndpointIsAnErrorAtMysqlEndpoint) {
  RunOutput r = RunJson("unreachable", std::string(R"({"steps": [{
    "name": "read",
    "resources": { "data.pxc_cluster_status.s": { "config": { "require_tls": true, )") +
                                           kUnreachable + R"( } } },
    "expect": { "error": { "during": "plan", "address": "data.pxc_cluster_status.s",
                           "summary_contains": "Unable to Read the Cluster Status",
                           "detail_contains": "127.0.0.1:1",
                           "attribute": "mysql.endpoint" } } }]})");
  EXPECT_EQ(r.result.failed, 0) << r.out;
  EXPECT_TRUE(Has(r.out,
                  "ok - read: error during plan as expected: data.pxc_cluster_status.s: \"Unable "
                  "to Read the Cluster Status\" at mysql.endpoint"))
      << r.out;
  EXPECT_TRUE(Has(r.out, "ok - read: validate: 1 resource(s) valid")) << r.out;
  EXPECT_TRUE(Has(r.out, "ok - read: plan walk: provider shut down gracefully")) << r.out;
}

TEST(DriverDataSource, InvalidConfigurationFailsValidationWithItsPath) {
  RunOutput r = RunJson("invalid", R"({"steps": [{
    "name": "validate",
    "resources": { "data.pxc_cluster_status.s": { "config": {
      "mysql": { "endpoint": "db:99999", "username": "u" } } } },
    "expect": { "error": { "during": "validate", "summary_contains": "Invalid MySQL Endpoint",
                           "attribute": "mysql.endpoint" } } },
   { "name": "unknown attribute",
    "resources": { "data.pxc_cluster_status.s": { "config": { "wsrep_cluster_size": 3 } } },
    "expect": { "error": { "during": "validate",
                           "summary_contains": "Value for unconfigurable attribute",
                           "attribute": "wsrep_cluster_size" } } },
   { "name": "no such data source",
    "resources": { "data.pxc_nothing.s": { "config": {} } },
    "expect": { "error": { "during": "validate", "summary_contains": "Invalid data source" } } },
   { "name": "undeclared",
    "resources": { "pxc_ca.ca": { "config": {
      "common_name": "${data.pxc_cluster_status.nope.id}" } } },
    "expect": { "error": { "during": "plan",
                           "detail_contains": "Reference to undeclared data source" } } }]})");
  EXPECT_EQ(r.result.failed, 0) << r.out;
  EXPECT_TRUE(Has(r.out, "\"Invalid MySQL Endpoint\" at mysql.endpoint")) << r.out;
  EXPECT_TRUE(Has(r.out, "at wsrep_cluster_size")) << r.out;
}

TEST(DriverDataSource, UnknownConfigurationOrPendingDependencyDefersTheReadToApply) {
  // s: its password is the id of a CA not created yet (unknown at plan);
  // t: wholly known, but depends_on the CA, which has a change planned.
  const std::string resources = std::string(R"({
      "pxc_ca.ca": { "config": { "common_name": "DS-CA", "key_algorithm": "ECDSA" } },
      "data.pxc_cluster_status.s": { "config": { "require_tls": true,
        "mysql": { "endpoint": "127.0.0.1:1", "username": "nobody",
                   "password": "${pxc_ca.ca.id}", "connect_timeout_seconds": 2 } } },
      "data.pxc_cluster_status.t": { "depends_on": [ "pxc_ca.ca" ], "config": { )") +
                                kUnreachable + R"( } } })";
  const std::string read_error = R"({ "address": "data.pxc_cluster_status.s",
      "summary_contains": "Unable to Read the Cluster Status", "attribute": "mysql.endpoint", )";
  RunOutput r = RunJson("deferred", R"({"steps": [{
    "name": "plan",
    "plan_only": true,
    "resources": )" + resources + R"(,
    "outputs": { "uuid": "${data.pxc_cluster_status.s.wsrep_local_state_uuid}",
                 "tls": "${data.pxc_cluster_status.s.require_tls}",
                 "text": "size ${data.pxc_cluster_status.t.wsrep_cluster_size}" },
    "expect": {
      "actions": { "pxc_ca.ca": "create", "data.pxc_cluster_status.s": "read",
                   "data.pxc_cluster_status.t": "read" },
      "planned": { "data.pxc_cluster_status.s": { "require_tls": true,
                                                  "mysql.username": "nobody",
                                                  "mysql.password": "${unknown}",
                                                  "ssl_cipher": "${unknown}",
                                                  "wsrep": "${unknown}" },
                   "data.pxc_cluster_status.t": { "require_tls": null, "id": "${unknown}" } },
      "outputs": { "uuid": "${unknown}", "tls": true, "text": "${unknown}" } } },
   { "name": "apply",
     "resources": )" + resources + R"(,
     "expect": { "error": )" + read_error +
                                        R"("during": "apply" } },
     "run": [ { "cmd": "grep -c '\"mode\": \"managed\"' terraform.tfstate; grep -c '\"mode\": \"data\"' terraform.tfstate",
                "expect_exit": 1, "expect_stdout_contains": "1\n0" } ] },
   { "name": "the CA is known now: the read happens while planning",
     "plan_only": true,
     "resources": )" + resources + R"(,
     "expect": { "error": )" + read_error +
                                        R"("during": "plan" } } },
   { "name": "destroy", "destroy": true }]})");
  EXPECT_EQ(r.result.failed, 0) << r.out;
  EXPECT_TRUE(Has(r.out, "ok - plan: plan data.pxc_cluster_status.s: read")) << r.out;
  EXPECT_TRUE(Has(r.out, "read deferred to apply (configuration unknown at mysql.password)"))
      << r.out;
  EXPECT_TRUE(Has(r.out, "read deferred to apply (depends on pxc_ca.ca, which has changes"))
      << r.out;
  EXPECT_TRUE(Has(r.out, "# output uuid = (known after apply)")) << r.out;
  EXPECT_TRUE(Has(r.out, "ok - apply: apply pxc_ca.ca: create")) << r.out;
  EXPECT_TRUE(Has(r.out, "ok - apply: error during apply as expected: data.pxc_cluster_status.s"))
      << r.out;
  EXPECT_TRUE(Has(r.out, "ok - destroy: state is empty")) << r.out;
}

}  // namespace
}  // namespace pxc::tfdriver
