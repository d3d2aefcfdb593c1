// SSH connection settings shared by the resources that work on nodes
// (pxc_node_tls_config, pxc_cluster_restart): the schema attributes, the
// provider-level `ssh` block holding defaults for them, and the resolution
// of resource value > provider default > built-in default into an SshTarget.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "resources/remote/ssh_client.h"
#include "schema/resource.h"

namespace pxc::resources::ssh_settings {

// Connection attributes: port, user, private_key, private_key_passphrase,
// password, use_agent, host_key, known_hosts, insecure_ignore_host_key, sudo,
// connect_timeout_seconds, command_timeout_seconds. All optional (they fall
// back to the provider's `ssh` block); `host` is added by each resource.
// `prefix` is prepended to every name ("ssh_" for resources, "" inside the
// provider block).
void AddConnectionAttributes(std::vector<schema::Attribute>& attrs, const std::string& prefix);

// The provider's `ssh` block (nesting single).
schema::NestedBlock ProviderSshBlock();

// Resolves the connection for `host` from an object that holds the
// attributes with `prefix` and the provider configuration. Adds an error
// diagnostic (path under `at`) when no host key verification is configured.
std::optional<SshTarget> Resolve(const schema::Value& obj, const std::string& prefix,
                                 const std::string& host, const std::string& label,
                                 const schema::ProviderContext& provider,
                                 const schema::AttributePath& at, schema::Diagnostics& diags);

// Turns a connection/transfer Status into a diagnostic that names the node
// and says what to do.
void AddSshError(const Status& st, const std::string& what, const SshTarget& target,
                 const schema::AttributePath& path, schema::Diagnostics& diags);

// Connects to `target` through `connector`. On failure adds the "Cannot
// Connect" diagnostic (path `host`) and returns null.
std::unique_ptr<NodeHost> Connect(const NodeConnector& connector, const SshTarget& target,
                                  schema::Diagnostics& diags);

}  // namespace pxc::resources::ssh_settings
