// Scenarios as data: a JSON file lists steps (configurations to plan and
// apply, imports, destroys, files to write from state and shell commands to
// check them), and the runner drives the provider through each step the way
// Terraform core would, printing one TAP-like line per check:
//
//   ok - <step>: <what>
//   not ok - <step>: <what>: <detail>
//   ...
//   N passed, M failed
//
// File format (all keys optional unless stated):
//
//   {
//     "provider": { <provider configuration> },
//     "client": { "terraform_version": "1.11.4",
//                 "write_only_attributes_allowed": true },
//         The core being emulated: the version sent in ConfigureProvider
//         and whether ValidateResourceConfig carries the write-only
//         capability (Terraform >= 1.11). Default: 1.9.8, without it, so a
//         configured write-only attribute is refused as by an old core.
//         Write-only attributes are always checked to come back null.
//     "steps": [ <step>, ... ]                                   (required)
//   }
//
// A step:
//   "name": "create CA"                                          (required)
//   "resources": { "<type>.<name>": { "type": "<type>",
//                                     "config": { <attributes> } }, ... }
//       The whole configuration of this step, planned in the order listed.
//       Resources in state but missing here are destroyed, as when removed
//       from a configuration. "resources": "same" repeats the previous step's
//       configuration.
//       An address "data.<type>.<name>" is a `data` block (data source), planned
//       in its place in the list, as core does:
//        - validate walk: ValidateDataResourceConfig (references unknown);
//        - plan walk: when its configuration is wholly known (and nothing in
//          its optional "depends_on": [ "<address>", ... ], listed before it,
//          has a change planned) it is read now: ValidateDataResourceConfig
//          again, ReadDataSource, then core's checks of the result (conforms
//          to the schema, not null, wholly known, configured values kept;
//          "Provider produced invalid object" / "... null object"). Its
//          action is "no-op". Otherwise the read is deferred: action "read",
//          planned value = the configuration with unset computed attributes
//          unknown, and it is read in the apply walk at its place in the
//          list, with the configuration then known;
//        - the result is stored in the state (mode "data") and, like a
//          resource's attributes, is what "${data.<type>.<name>.<attr>}"
//          refers to, in configurations, "outputs", "expect" matchers,
//          "files" and "run" templates. Stored results are never refreshed
//          nor upgraded: every plan drops them and reads again; a data block
//          removed from the configuration (or "destroy") just leaves the state.
//       Provider errors keep their attribute paths, so "expect.error" can
//       match "attribute" and "during": "validate|plan|apply" for them.
//       When a step reads data sources but has nothing to apply, the state
//       file is still written (as `terraform apply` saves the refreshed state).
//   "add_resources": { <as "resources"> }      added to (or replacing in)
//       the step's (or the previous step's) configuration
//   "remove_resources": [ "<address>", ... ]    removed from it
//   "patch": { "<address>": { "<attr>": <value>, ... } }
//       Changes attributes of the (previous or given) configuration; a JSON
//       null unsets an attribute.
//   "outputs": { "<name>": "<template>" }    evaluated at the end of the
//                          step (after the plan for plan_only, else after
//                          apply), printed as "# output <name> = <value>" or
//                          "(known after apply)"; a whole "${...}" keeps the
//                          referenced value's type
//   "plan_only": true      plan, check, do not apply
//   "destroy": true        destroy everything in state
//   "import": { "address": "...", "type": "...", "id": "..." }
//                          ImportResourceState + ReadResource into state
//   "expect": {
//     "actions": { "<address>": "create|update|replace|delete|no-op|read" },
//     "planned": { "<address>": { "<attr>": <matcher> } },
//     "wholly_known": [ "<address>", ... ],     planned value has no unknowns
//     "state":   { "<address>": { "<attr>": <matcher> } },     (after apply)
//     "outputs": { "<name>": <matcher> },
//     "error": { "summary_contains": "...", "detail_contains": "...",
//                "attribute": "a.b[0]", "address": "...",
//                "during": "validate|plan|apply|import|refresh" },
//     "warning": { "summary_contains": "...", "detail_contains": "...",
//                  "attribute": "...", "address": "...",
//                  "during": "plan|apply|..." (apply) }
//   }
//   "files": { "<name>": "<template>" }   written into the work directory
//   "run": [ { "cmd": "<template>", "expect_exit": 0, "timeout_seconds": 300,
//              "expect_stdout_contains": "..." or [...],
//              "expect_stdout_not_contains": "..." or [...],
//              "expect_stderr_contains": "..." or [...] } ]
//       run with /bin/sh -c in the work directory, after the step completed
//       or failed with the error it expected (to check nothing changed).
// A step with none of resources/destroy/import only writes files and runs
// commands (e.g. to prepare input files with openssl).
//
// Values in configurations are JSON converted with the attribute's schema
// type (go-cty's JSON conversions; missing attributes are null). Strings may
// hold templates:
//   "${<type>.<name>.<attr>}"  a reference to another resource's attribute
//                              (nested: attr.sub, attr[0]). As a whole string
//                              it keeps the referenced type. At plan time it
//                              is the planned value (unknown while that
//                              resource is being created or replaced), at
//                              apply time the applied value, so references
//                              exercise the apply-time re-plan. During the
//                              validate walk every reference is unknown, as
//                              in Terraform.
//   "${data.<type>.<name>.<attr>}"  the same for a data source's attribute
//   "${unknown}"               (whole string) an unknown value of the
//                              attribute's type
//   "${file:<name>}"           the contents of a work directory file
//   "${workdir}"               the absolute work directory
//   "$${"                      a literal "${"
// Templates embedded in a longer string concatenate (unknown if any part is).
// Matchers in "planned"/"state": a JSON value (converted to the attribute's
// type and compared exactly), null, "${unknown}" (must be unknown) or
// "${known}" (known and not null).
//
// Each step runs its walks in fresh provider processes, like Terraform:
// validate+refresh+plan in one, apply in another, and a refresh check
// (ReadResource must return the stored state unchanged) in a third. State
// goes through a JSON state file in the work directory between them
// (UpgradeResourceState decodes it at the start of every walk), so nothing can
// depend on the provider's process memory.
#pragma once

#include <ostream>
#include <string>

namespace pxc::tfdriver {

struct ScenarioOptions {
  std::string provider_binary;
  std::string scenario_path;
  // Created when missing. An existing non-empty directory is reused only if
  // an earlier run of the driver created it (it is then emptied first).
  // Empty: a new temporary directory.
  std::string workdir;
  // Reuse a work directory an earlier run created as it is, with its state
  // file (like running Terraform again in the same directory) instead of
  // emptying it.
  bool keep_state = false;
  // TF_LOG_PROVIDER for the plugin ("" = leave the environment alone).
  std::string plugin_log_level;
  // Keep the plugins' stderr, /proc cmdline/environ snapshots and state
  // copies in <workdir>/plugin-capture (tests/driver/plugin_capture.h).
  bool capture_plugin_proc = false;
  std::ostream* out = nullptr;  // default std::cout
};

struct ScenarioResult {
  int passed = 0;
  int failed = 0;
};

// Runs the scenario and prints its checks and the final "N passed, M failed"
// line. A scenario file that cannot be read or parsed counts as one failure.
ScenarioResult RunScenario(const ScenarioOptions& options);

}  // namespace pxc::tfdriver
