// Logging to stderr in hclog's JSON line format, which Terraform core reads
// from a plugin's stderr (@level, @message, @module, @timestamp plus extra
// fields). The level comes from TF_LOG_PROVIDER, else TF_LOG (trace, debug,
// info, warn, error, off; json is read as trace); default warn.
//
// Every message and field value passes through Redact(), so a private key or
// a field named like a secret never reaches a log line. Thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace pxc::provider {

enum class LogLevel { kTrace = 0, kDebug, kInfo, kWarn, kError, kOff };

// Reads the level from the environment once; later calls are cheap.
LogLevel CurrentLogLevel();
// For tests and --debug: override the level.
void SetLogLevel(LogLevel level);

using LogFields = std::vector<std::pair<std::string, std::string>>;
void Log(LogLevel level, const std::string& message, const LogFields& fields = {});

// Replaces PEM private key blocks and the values of fields whose names look
// secret (password, private_key, secret, token) with "[REDACTED]".
std::string Redact(const std::string& text);
bool IsSecretFieldName(const std::string& name);

}  // namespace pxc::provider
