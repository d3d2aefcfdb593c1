// Helpers shared by the tests of resources/galera/mycnf.h.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "resources/galera/mycnf.h"

namespace pxc::resources::mycnf_test {

template <typename T>
T Unwrap(StatusOr<T> s) {
  if (!s.ok()) ADD_FAILURE() << s.status().ToString();
  return std::move(s).value();
}

inline Document MustParse(std::string_view text) { return Unwrap(Document::Parse(text)); }

inline std::string SetAndSerialize(std::string_view text, std::string_view section,
                                   std::string_view key, std::string_view value) {
  Document d = MustParse(text);
  StatusOr<SetResult> r = d.Set(section, key, value);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return d.Serialize();
}

// Replaces the first occurrence of `from` in the document text (a human's
// edit with a text editor) and re-parses.
inline Document HumanEdit(const Document& d, const std::string& from, const std::string& to) {
  std::string text = d.Serialize();
  const std::size_t pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return MustParse(text);
}

// Private state goes through JSON text between Apply and Undo.
inline std::vector<ManagedEdit> ThroughJson(const std::vector<ManagedEdit>& edits) {
  const std::string dumped = ManagedEditsToJson(edits).dump();
  return Unwrap(ManagedEditsFromJson(nlohmann::json::parse(dumped)));
}

inline const std::vector<DesiredOption> kTlsDesired = {
    DesiredOption::Value("mysqld", "ssl_cert", "/etc/mysql/certs/pxc1-cert.pem"),
    DesiredOption::Value("mysqld", "ssl_key", "/etc/mysql/certs/pxc1-key.pem"),
    DesiredOption::Value("mysqld", "ssl_ca", "/etc/mysql/certs/ca.pem"),
    DesiredOption::SubOptions("mysqld", "wsrep_provider_options",
                              {{"socket.ssl_cert", "/etc/mysql/certs/pxc1-cert.pem"},
                               {"socket.ssl_key", "/etc/mysql/certs/pxc1-key.pem"},
                               {"socket.ssl_ca", "/etc/mysql/certs/ca.pem"}}),
};

}  // namespace pxc::resources::mycnf_test
