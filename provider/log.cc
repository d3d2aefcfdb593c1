#include "provider/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>

namespace pxc::provider {

namespace {

LogLevel ParseLevel(const char* s) {
  if (!s || !*s) return LogLevel::kWarn;
  std::string v(s);
  for (auto& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (v == "trace" || v == "json") return LogLevel::kTrace;
  if (v == "debug") return LogLevel::kDebug;
  if (v == "info") return LogLevel::kInfo;
  if (v == "warn") return LogLevel::kWarn;
  if (v == "error") return LogLevel::kError;
  if (v == "off") return LogLevel::kOff;
  return LogLevel::kWarn;
}

std::atomic<int>& LevelStore() {
  static std::atomic<int> level{[] {
    const char* p = std::getenv("TF_LOG_PROVIDER");
    if (!p || !*p) p = std::getenv("TF_LOG");
    return static_cast<int>(ParseLevel(p));
  }()};
  return level;
}

const char* LevelName(LogLevel l) {
  switch (l) {
    case LogLevel::kTrace:
      return "trace";
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
    case LogLevel::kOff:
      return "off";
  }
  return "info";
}

std::string Timestamp() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::system_clock::to_time_t(now);
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() %
      1000000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  char out[96];
  std::snprintf(out, sizeof(out), "%s.%06ldZ", buf, static_cast<long>(micros));
  return out;
}

}  // namespace

LogLevel CurrentLogLevel() { return static_cast<LogLevel>(LevelStore().load()); }
void SetLogLevel(LogLevel level) { LevelStore().store(static_cast<int>(level)); }

bool IsSecretFieldName(const std::string& name) {
  static const std::regex kSecret("(password|passwd|private_key|secret|token|_key_pem)",
                                  std::regex::icase);
  return std::regex_search(name, kSecret);
}

std::string Redact(const std::string& text) {
  static const std::regex kPem(
      "-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\\s\\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)");
  if (text.find("PRIVATE KEY") == std::string::npos) return text;
  return std::regex_replace(text, kPem, "[REDACTED PRIVATE KEY]");
}

void Log(LogLevel level, const std::string& message, const LogFields& fields) {
  if (level < CurrentLogLevel() || level == LogLevel::kOff) return;
  nlohmann::json j;
  j["@level"] = LevelName(level);
  j["@message"] = Redact(message);
  j["@module"] = "provider.terraform-provider-pxc";
  j["@timestamp"] = Timestamp();
  for (const auto& [k, v] : fields) {
    j[k] = IsSecretFieldName(k) ? std::string("[REDACTED]") : Redact(v);
  }
  std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace pxc::provider
