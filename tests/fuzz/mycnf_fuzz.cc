// libFuzzer target: the my.cnf document model (resources/galera/mycnf.h).
//
// Input: one selector byte, then the bytes of an option file (or, for one
// selector value, the JSON of pxc's private state). Checked properties, each
// promised by mycnf.h; a violation aborts:
//   1. Parse accepts every input within the limits and Serialize(Parse(x))
//      == x.
//   2. ApplyManaged with the edits pxc_node_tls_config makes (server with
//      socket.ssl_* provider options, PXC 8.0, client, a disabled key, a removed
//      provider sub-option) either fails with kInvalidArgument leaving the
//      document unchanged, or succeeds; then every desired value reads back
//      through Get / GetProviderOption, CheckManaged reports no drift (also
//      after the file is serialized and read back, as the provider reads it
//      from the node), the records survive the JSON round trip of private
//      state, and UndoManaged with them is clean and gives back the original
//      bytes exactly.
//   3. Arbitrary private state JSON (ManagedEditsFromJson) never crashes
//      UndoManaged / CheckManaged on a realistic document.
// The read-only accessors are called on every document; none may crash.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "resources/galera/mycnf.h"

using pxc::StatusCode;
using pxc::resources::DesiredOption;
using pxc::resources::Document;
using pxc::resources::ManagedEdit;
using pxc::resources::ManagedKind;

namespace {

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

constexpr char kCert[] = "/etc/mysql/certs/pxc1-cert.pem";
constexpr char kKey[] = "/etc/mysql/certs/pxc1-key.pem";
constexpr char kCa[] = "/etc/mysql/certs/ca.pem";

std::vector<DesiredOption> Desired(uint8_t selector) {
  switch (selector % 6) {
    case 0:  // server, socket.ssl_* provider sub-options (MariaDB, PXC 5.7)
      return {DesiredOption::Value("mysqld", "ssl-ca", kCa),
              DesiredOption::Value("mysqld", "ssl-cert", kCert),
              DesiredOption::Value("mysqld", "ssl-key", kKey),
              DesiredOption::SubOptions(
                  "mysqld", "wsrep_provider_options",
                  {{"socket.ssl_cert", kCert}, {"socket.ssl_key", kKey}, {"socket.ssl_ca", kCa}})};
    case 1:  // server, PXC 8.0
      return {DesiredOption::Value("mysqld", "ssl-ca", kCa),
              DesiredOption::Value("mysqld", "ssl-cert", kCert),
              DesiredOption::Value("mysqld", "ssl-key", kKey),
              DesiredOption::Value("mysqld", "pxc-encrypt-cluster-traffic", "ON")};
    case 2:  // client role
      return {DesiredOption::Value("client", "ssl-ca", kCa),
              DesiredOption::Value("client", "ssl-cert", kCert),
              DesiredOption::Value("client", "ssl-key", kKey)};
    case 3:  // a disabled key and a removed sub-option
      return {DesiredOption::Absent("mysqld", "ssl-cipher"),
              DesiredOption::SubOptions("mysqld", "wsrep_provider_options",
                                        {{"socket.ssl", std::nullopt}, {"socket.ssl_ca", kCa}})};
    case 4:  // values that need quoting, in a section that may not exist
      return {DesiredOption::Value("sst", "encrypt", "4"),
              DesiredOption::Value("sst", "tca", "/etc/my certs/ca #1.pem"),
              DesiredOption::Value("mysqld", "loose_ssl_ca", "")};
    default:  // the CA only (a server without its own key pair)
      return {DesiredOption::Value("mysqld", "ssl_ca", kCa)};
  }
}

void ExerciseReaders(const Document& d) {
  (void)d.Warnings();
  (void)d.Sections();
  (void)d.Includes();
  (void)d.HasSection("mysqld");
  (void)d.FindAcross({"server", "mysqld", "galera", "mariadb"}, "wsrep_provider_options");
  if (auto v = d.Get("mysqld", "wsrep_provider_options")) {
    auto opts = pxc::resources::ParseProviderOptions(*v);
    (void)pxc::resources::FormatProviderOptions(opts);
  }
  for (int i = 0; i <= d.LineCount() + 1; i += 7) {
    (void)d.LineText(i);
    (void)d.KindOf(i);
    (void)d.SectionOfLine(i);
  }
}

// The desired state reads back from `d`.
void CheckDesiredIsSet(const Document& d, const std::vector<DesiredOption>& desired) {
  for (const DesiredOption& want : desired) {
    const std::optional<std::string> got = d.Get(want.section, want.key);
    if (want.kind == ManagedKind::kValue) {
      Check(got == want.value);
      continue;
    }
    Check(got.has_value());
    const auto opts = pxc::resources::ParseProviderOptions(*got);
    for (const auto& change : want.sub_options) {
      Check(pxc::resources::GetProviderOption(opts, change.name) == change.value);
    }
  }
}

std::vector<ManagedEdit> ThroughJson(const std::vector<ManagedEdit>& edits) {
  const std::string dumped = pxc::resources::ManagedEditsToJson(edits).dump();
  auto back = pxc::resources::ManagedEditsFromJson(nlohmann::json::parse(dumped));
  Check(back.ok());
  Check(*back == edits);
  return *back;
}

void FuzzDocument(uint8_t selector, std::string_view text) {
  auto parsed = Document::Parse(text);
  if (!parsed.ok()) {
    Check(parsed.status().code() == StatusCode::kInvalidArgument);
    return;
  }
  Document d = std::move(*parsed);
  Check(d.Serialize() == text);
  ExerciseReaders(d);

  const std::vector<DesiredOption> desired = Desired(selector);
  auto records = pxc::resources::ApplyManaged(&d, desired);
  if (!records.ok()) {
    Check(records.status().code() == StatusCode::kInvalidArgument);
    Check(d.Serialize() == text);
    return;
  }
  CheckDesiredIsSet(d, desired);
  Check(pxc::resources::CheckManaged(d, *records).empty());

  // The provider writes the file, reads it back later and undoes its edits
  // with the records kept in private state.
  auto reread = Document::Parse(d.Serialize());
  Check(reread.ok());
  Document back = std::move(*reread);
  Check(back.Serialize() == d.Serialize());
  ExerciseReaders(back);
  Check(pxc::resources::CheckManaged(back, *records).empty());
  const auto report = pxc::resources::UndoManaged(&back, ThroughJson(*records));
  Check(report.clean());
  Check(back.Serialize() == text);
}

void FuzzPrivateState(std::string_view text) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return;
  auto records = pxc::resources::ManagedEditsFromJson(j);
  if (!records.ok()) return;
  (void)pxc::resources::ManagedEditsToJson(*records).dump();
  auto d = Document::Parse(
      "[client]\nsocket=/run/mysqld/mysqld.sock\n\n[mysqld]\nssl-ca=/etc/mysql/certs/ca.pem\n"
      "wsrep_provider_options=\"gcache.size=1G; socket.ssl_ca=/etc/mysql/certs/ca.pem\"\n"
      "# [pxc] ssl-cipher=AES128-SHA\n\n[sst]\nencrypt=4\n");
  Check(d.ok());
  (void)pxc::resources::CheckManaged(*d, *records);
  (void)pxc::resources::UndoManaged(&*d, *records);
  ExerciseReaders(*d);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t selector = data[0];
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (selector == 0xff) {
    FuzzPrivateState(rest);
  } else {
    FuzzDocument(selector, rest);
  }
  return 0;
}
