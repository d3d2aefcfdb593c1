// Tests for the managed-edits layer of resources/galera/mycnf.h
// (managed_edits.cc): what ApplyManaged records, byte-exact undo, drift, and
// the records' JSON in private state.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "resources/galera/mycnf.h"
#include "tests/resources/galera/mycnf_test_util.h"

namespace pxc::resources {
namespace {

using namespace std::string_literals;
using namespace mycnf_test;

// ---------------------------------------------------------------------------
// Managed edits.

const char kNode[] =
    "# PXC node 1\n"
    "[client]\n"
    "socket=/var/run/mysqld/mysqld.sock\n"
    "\n"
    "[mysqld]\n"
    "server-id=1\n"
    "datadir=/var/lib/mysql\n"
    "wsrep_provider=/usr/lib/galera4/libgalera_smm.so\n"
    "wsrep_provider_options = 'gcache.size = 32M;gcs.fc_limit=128;'\n"
    "wsrep_cluster_address=gcomm://10.0.0.1,10.0.0.2\n"
    "ssl-cert = /etc/mysql/old-cert.pem   # old cert\n"
    "\n"
    "[mysqld_safe]\n"
    "log-error=/var/log/mysqld.log\n";

std::vector<DesiredOption> NodeDesired() {
  std::vector<DesiredOption> d = kTlsDesired;
  d.push_back(DesiredOption::Value("sst", "encrypt", "4"));
  return d;
}

const char kNodeApplied[] =
    "# PXC node 1\n"
    "[client]\n"
    "socket=/var/run/mysqld/mysqld.sock\n"
    "\n"
    "[mysqld]\n"
    "server-id=1\n"
    "datadir=/var/lib/mysql\n"
    "wsrep_provider=/usr/lib/galera4/libgalera_smm.so\n"
    "wsrep_provider_options = \"gcache.size=32M; gcs.fc_limit=128; "
    "socket.ssl_cert=/etc/mysql/certs/pxc1-cert.pem; "
    "socket.ssl_key=/etc/mysql/certs/pxc1-key.pem; socket.ssl_ca=/etc/mysql/certs/ca.pem\"\n"
    "wsrep_cluster_address=gcomm://10.0.0.1,10.0.0.2\n"
    "ssl-cert = /etc/mysql/certs/pxc1-cert.pem   # old cert\n"
    "ssl_key=/etc/mysql/certs/pxc1-key.pem\n"
    "ssl_ca=/etc/mysql/certs/ca.pem\n"
    "\n"
    "[mysqld_safe]\n"
    "log-error=/var/log/mysqld.log\n"
    "\n"
    "[sst]\n"
    "encrypt=4\n";

TEST(Mycnf, ApplyManagedEditsTheRightLines) {
  Document d = MustParse(kNode);
  const std::vector<ManagedEdit> records = Unwrap(ApplyManaged(&d, NodeDesired()));
  EXPECT_EQ(d.Serialize(), kNodeApplied);
  ASSERT_EQ(records.size(), 5u);
  EXPECT_EQ(records[0].original_line, "ssl-cert = /etc/mysql/old-cert.pem   # old cert");
  EXPECT_EQ(records[0].managed_value, "/etc/mysql/certs/pxc1-cert.pem");
  EXPECT_EQ(records[1].original_line, std::nullopt);
  EXPECT_EQ(records[3].kind, ManagedKind::kProviderOptions);
  EXPECT_EQ(records[3].original_line,
            "wsrep_provider_options = 'gcache.size = 32M;gcs.fc_limit=128;'");
  ASSERT_EQ(records[3].sub_options.size(), 3u);
  EXPECT_EQ(records[3].sub_options[0],
            (SubOptionEdit{"socket.ssl_cert", std::nullopt, "/etc/mysql/certs/pxc1-cert.pem"}));
  EXPECT_TRUE(records[4].created_section);
  EXPECT_TRUE(records[4].added_blank_line);
  EXPECT_TRUE(CheckManaged(d, records).empty());
}

TEST(Mycnf, UndoRestoresTheOriginalBytesAfterAnUnrelatedEdit) {
  Document d = MustParse(kNode);
  const std::vector<ManagedEdit> records = ThroughJson(Unwrap(ApplyManaged(&d, NodeDesired())));
  // A human edits unrelated lines in between.
  d = HumanEdit(d, "server-id=1\n", "server-id=7\n");
  d = HumanEdit(d, "log-error=/var/log/mysqld.log\n", "log-error=/var/log/mysqld.log\nnice=-5\n");
  EXPECT_TRUE(CheckManaged(d, records).empty());
  const UndoReport rep = UndoManaged(&d, records);
  EXPECT_TRUE(rep.clean()) << rep.conflicts[0].message;
  std::string want = kNode;
  want.replace(want.find("server-id=1"), 11, "server-id=7");
  want += "nice=-5\n";
  EXPECT_EQ(d.Serialize(), want);
}

TEST(Mycnf, UndoRestoresCrlfAndMissingFinalNewline) {
  for (const std::string& original :
       {"[mysqld]\r\nport = 3306\r\nwsrep_provider_options=gcache.size=1G\r\n\r\n[client]\r\n"
        "port = 3306"s,
        "[client]\nport=1"s, "[mysqld]\nport=1"s, ""s, "\n"s, "\xEF\xBB\xBF"s,
        // Regression (found by fuzzing): a last line ending in a bare CR lost
        // it once the file was read back between Apply and Undo.
        "[client]\nport=1\r"s, "[mysqld]\r\nport=1\r\r"s}) {
    Document d = MustParse(original);
    const std::vector<ManagedEdit> records = ThroughJson(Unwrap(ApplyManaged(&d, kTlsDesired)));
    EXPECT_NE(d.Serialize(), original);
    d = MustParse(d.Serialize());  // the provider reads the file back from the node
    EXPECT_TRUE(CheckManaged(d, records).empty());
    const UndoReport rep = UndoManaged(&d, records);
    EXPECT_TRUE(rep.clean()) << testing::PrintToString(original);
    EXPECT_EQ(d.Serialize(), original);
  }
}

TEST(Mycnf, UndoLeavesALineTheUserChangedAndReportsIt) {
  Document d = MustParse(kNode);
  const std::vector<ManagedEdit> records = Unwrap(ApplyManaged(&d, NodeDesired()));
  d = HumanEdit(d, "\nssl_key=/etc/mysql/certs/pxc1-key.pem", "\nssl_key=/custom/key.pem");
  d = HumanEdit(d, "socket.ssl_ca=/etc/mysql/certs/ca.pem", "socket.ssl_ca=/custom/ca.pem");
  const UndoReport rep = UndoManaged(&d, records);
  ASSERT_EQ(rep.conflicts.size(), 2u);
  EXPECT_EQ(rep.conflicts[0].key, "wsrep_provider_options");
  EXPECT_EQ(rep.conflicts[0].sub_option, "socket.ssl_ca");
  EXPECT_EQ(rep.conflicts[0].expected, "/etc/mysql/certs/ca.pem");
  EXPECT_EQ(rep.conflicts[0].actual, "/custom/ca.pem");
  EXPECT_EQ(rep.conflicts[1].key, "ssl_key");
  EXPECT_EQ(rep.conflicts[1].line, 12);
  EXPECT_EQ(rep.conflicts[1].actual, "/custom/key.pem");
  EXPECT_EQ(rep.conflicts[1].message,
            "[mysqld] ssl_key was changed after pxc set it (\"/etc/mysql/certs/pxc1-key.pem\" -> "
            "\"/custom/key.pem\"); it was left as is.");
  std::string want = kNode;
  const std::string old_line = "wsrep_provider_options = 'gcache.size = 32M;gcs.fc_limit=128;'";
  want.replace(want.find(old_line), old_line.size(),
               "wsrep_provider_options = \"gcache.size=32M; gcs.fc_limit=128; "
               "socket.ssl_ca=/custom/ca.pem\"");
  want.replace(want.find("# old cert\n") + 11, 0, "ssl_key=/custom/key.pem\n");
  EXPECT_EQ(d.Serialize(), want);
}

TEST(Mycnf, CheckManagedDetectsDrift) {
  Document d = MustParse(kNode);
  const std::vector<ManagedEdit> records = Unwrap(ApplyManaged(&d, NodeDesired()));
  EXPECT_TRUE(CheckManaged(d, records).empty());
  EXPECT_EQ(d.Remove("mysqld", "ssl_ca"), 1);
  d = HumanEdit(d, "socket.ssl_cert=/etc/mysql/certs/pxc1-cert.pem",
                "socket.ssl_cert=/tmp/other.pem");
  d = HumanEdit(d, "encrypt=4", "encrypt=0");
  const std::vector<ManagedIssue> drift = CheckManaged(d, records);
  ASSERT_EQ(drift.size(), 3u);
  EXPECT_EQ(drift[0].key, "ssl_ca");
  EXPECT_EQ(drift[0].line, 0);
  EXPECT_EQ(drift[0].actual, std::nullopt);
  EXPECT_EQ(drift[0].message, "[mysqld] ssl_ca, which pxc manages, was removed.");
  EXPECT_EQ(drift[1].key, "wsrep_provider_options");
  EXPECT_EQ(drift[1].sub_option, "socket.ssl_cert");
  EXPECT_EQ(drift[1].line, 9);
  EXPECT_EQ(drift[1].expected, "/etc/mysql/certs/pxc1-cert.pem");
  EXPECT_EQ(drift[1].actual, "/tmp/other.pem");
  EXPECT_EQ(drift[2].section, "sst");
  EXPECT_EQ(drift[2].actual, "0");
  // A later duplicate line overrides pxc's line: drift too.
  Document dup = MustParse(kNodeApplied);
  dup = HumanEdit(dup, "[mysqld_safe]", "wsrep_provider_options=\"gcache.size=1G\"\n[mysqld_safe]");
  EXPECT_EQ(CheckManaged(dup, records).size(), 3u);
  // The whole provider options line removed.
  Document gone = MustParse(kNodeApplied);
  EXPECT_EQ(gone.Remove("mysqld", "wsrep_provider_options"), 1);
  const std::vector<ManagedIssue> g = CheckManaged(gone, records);
  ASSERT_EQ(g.size(), 3u);
  EXPECT_EQ(g[0].message,
            "[mysqld] wsrep_provider_options option socket.ssl_cert was changed "
            "(\"/etc/mysql/certs/pxc1-cert.pem\" -> absent): the line was removed.");
}

TEST(Mycnf, ApplyConsolidatesDuplicatesAndUndoRestoresThem) {
  const std::string original =
      "[mysqld]\n"
      "wsrep_provider_options=\"gcache.size=32M; gcs.fc_limit=128\"\n"
      "binlog_format=ROW\n"
      "wsrep_provider_options=\"socket.ssl=yes;gcs.fc_limit=256\"\n";
  Document d = MustParse(original);
  const std::vector<ManagedEdit> records = ThroughJson(
      Unwrap(ApplyManaged(&d, {DesiredOption::SubOptions("mysqld", "wsrep_provider_options",
                                                         {{"socket.ssl_cert", "/c.pem"}})})));
  EXPECT_EQ(d.Serialize(),
            "[mysqld]\n"
            "# [pxc] wsrep_provider_options=\"gcache.size=32M; gcs.fc_limit=128\"\n"
            "binlog_format=ROW\n"
            "wsrep_provider_options=\"gcache.size=32M; gcs.fc_limit=256; socket.ssl=yes; "
            "socket.ssl_cert=/c.pem\"\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(
      records[0].disabled_lines,
      std::vector<std::string>{"wsrep_provider_options=\"gcache.size=32M; gcs.fc_limit=128\""});
  ASSERT_EQ(records[0].sub_options.size(), 2u);
  EXPECT_EQ(records[0].sub_options[1],
            (SubOptionEdit{"gcache.size", std::nullopt, "32M", /*from_duplicate=*/true}));
  // A carried-over option changed by the user is not drift and survives undo.
  d = HumanEdit(d, "gcache.size=32M; gcs.fc_limit=256", "gcache.size=64M; gcs.fc_limit=256");
  EXPECT_TRUE(CheckManaged(d, records).empty());
  const UndoReport rep = UndoManaged(&d, records);
  EXPECT_TRUE(rep.clean());
  EXPECT_EQ(d.Serialize(),
            "[mysqld]\n"
            "wsrep_provider_options=\"gcache.size=32M; gcs.fc_limit=128\"\n"
            "binlog_format=ROW\n"
            "wsrep_provider_options=\"gcache.size=64M; gcs.fc_limit=256; socket.ssl=yes\"\n");
  // Without that change, undo is byte-exact.
  Document e = MustParse(original);
  const std::vector<ManagedEdit> r2 =
      Unwrap(ApplyManaged(&e, {DesiredOption::SubOptions("mysqld", "wsrep_provider_options",
                                                         {{"socket.ssl_cert", "/c.pem"}})}));
  EXPECT_TRUE(UndoManaged(&e, r2).clean());
  EXPECT_EQ(e.Serialize(), original);
}

TEST(Mycnf, UndoKeepsOtherSubOptionChangesOfTheUser) {
  const std::string original = "[mysqld]\nwsrep_provider_options=\"gcache.size=32M\"\n";
  Document d = MustParse(original);
  const std::vector<ManagedEdit> records =
      Unwrap(ApplyManaged(&d, {DesiredOption::SubOptions("mysqld", "wsrep_provider_options",
                                                         {{"socket.ssl_cert", "/c.pem"}})}));
  d = HumanEdit(d, "gcache.size=32M", "gcache.size=64M; evs.suspect_timeout=PT10S");
  const UndoReport rep = UndoManaged(&d, records);
  EXPECT_TRUE(rep.clean());
  EXPECT_EQ(d.Serialize(),
            "[mysqld]\nwsrep_provider_options=\"gcache.size=64M; evs.suspect_timeout=PT10S\"\n");
}

TEST(Mycnf, RemovesAndRestoresSubOptions) {
  const std::string original =
      "[mysqld]\nwsrep_provider_options=socket.dynamic=yes;gcache.size=1G  # pass 1\n";
  Document d = MustParse(original);
  const std::vector<ManagedEdit> records = Unwrap(ApplyManaged(
      &d, {DesiredOption::SubOptions("mysqld", "wsrep_provider_options",
                                     {{"socket.dynamic", std::nullopt}, {"socket.ssl", "YES"}})}));
  EXPECT_EQ(d.Serialize(),
            "[mysqld]\nwsrep_provider_options=\"gcache.size=1G; socket.ssl=YES\"  # pass 1\n");
  EXPECT_EQ(records[0].sub_options[0], (SubOptionEdit{"socket.dynamic", "yes", std::nullopt}));
  EXPECT_TRUE(CheckManaged(d, records).empty());
  d = HumanEdit(d, "gcache.size=1G;", "socket.dynamic=no; gcache.size=1G;");
  ASSERT_EQ(CheckManaged(d, records).size(), 1u);
  d = HumanEdit(d, "socket.dynamic=no; ", "");
  EXPECT_TRUE(UndoManaged(&d, records).clean());
  EXPECT_EQ(d.Serialize(), original);
}

TEST(Mycnf, DisablesAKeyAndReenablesIt) {
  const std::string original = "[mysqld]\nskip-ssl\nport=1\n[mysqld]\n  skip_ssl = 1\n";
  Document d = MustParse(original);
  const std::vector<ManagedEdit> records =
      ThroughJson(Unwrap(ApplyManaged(&d, {DesiredOption::Absent("mysqld", "skip-ssl")})));
  EXPECT_EQ(d.Serialize(),
            "[mysqld]\n# [pxc] skip-ssl\nport=1\n[mysqld]\n# [pxc]   skip_ssl = 1\n");
  EXPECT_EQ(d.Get("mysqld", "skip_ssl"), std::nullopt);
  EXPECT_TRUE(CheckManaged(d, records).empty());
  Document again = HumanEdit(d, "port=1\n", "port=1\nskip-ssl\n");
  ASSERT_EQ(CheckManaged(again, records).size(), 1u);
  EXPECT_EQ(CheckManaged(again, records)[0].message,
            "[mysqld] skip-ssl, which pxc disabled, is set again.");
  const UndoReport rep = UndoManaged(&d, records);
  EXPECT_TRUE(rep.clean());
  EXPECT_EQ(rep.restored, 2);
  EXPECT_EQ(d.Serialize(), original);
}

TEST(Mycnf, UndoLeavesACreatedSectionThatGainedLines) {
  Document d = MustParse("[client]\nport=1\n");
  const std::vector<ManagedEdit> records =
      Unwrap(ApplyManaged(&d, {DesiredOption::Value("mysqld", "ssl_ca", "/ca.pem")}));
  ASSERT_TRUE(d.Set("mysqld", "port", "3306").ok());
  EXPECT_EQ(d.Serialize(), "[client]\nport=1\n\n[mysqld]\nssl_ca=/ca.pem\nport=3306\n");
  const UndoReport rep = UndoManaged(&d, records);
  ASSERT_EQ(rep.conflicts.size(), 1u);
  EXPECT_EQ(rep.conflicts[0].message,
            "Section [mysqld], which pxc created, still has lines; it was left in place.");
  EXPECT_EQ(d.Serialize(), "[client]\nport=1\n\n[mysqld]\nport=3306\n");
}

TEST(Mycnf, UndoReportsAManagedLineThatWasRemoved) {
  Document d = MustParse(kNode);
  const std::vector<ManagedEdit> records = Unwrap(ApplyManaged(&d, NodeDesired()));
  EXPECT_EQ(d.Remove("mysqld", "ssl_cert"), 1);
  EXPECT_EQ(d.Remove("mysqld", "wsrep_provider_options"), 1);
  const UndoReport rep = UndoManaged(&d, records);
  ASSERT_EQ(rep.conflicts.size(), 2u);
  EXPECT_EQ(rep.conflicts[0].message,
            "[mysqld] wsrep_provider_options, which pxc edited, is no longer in the file; nothing "
            "was restored.");
  EXPECT_EQ(rep.conflicts[1].message,
            "[mysqld] ssl_cert, which pxc set, is no longer in the file; nothing was restored.");
}

TEST(Mycnf, ApplyManagedErrorsLeaveTheDocumentUnchanged) {
  const std::string in =
      "[mysqld]\n"
      "port=1\n"
      "wsrep_provider_options=\"gcache.size=32M\n";
  Document d = MustParse(in);
  struct Case {
    std::vector<DesiredOption> desired;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{DesiredOption::Value("mysqld", "ssl_ca", "/a"),
        DesiredOption::SubOptions("mysqld", "wsrep_provider_options", {{"socket.ssl", "YES"}})},
       "my.cnf line 3: unterminated quote in wsrep_provider_options; fix the line by hand"},
      {{DesiredOption::Value("mysqld", "ssl-ca", "/a"),
        DesiredOption::Value("mysqld", "ssl_ca", "/b")},
       "[mysqld] ssl_ca is listed twice"},
      {{DesiredOption::SubOptions("galera", "wsrep_provider_options",
                                  {{"socket.ssl", "YES"}, {"socket.ssl", "NO"}})},
       "[galera] wsrep_provider_options: sub-option socket.ssl is listed twice"},
      {{DesiredOption::SubOptions("galera", "wsrep_provider_options", {{"socket ssl", "YES"}})},
       "[galera] wsrep_provider_options: provider option name \"socket ssl\" is not valid"},
      {{DesiredOption::Value("", "ssl_ca", "/a")}, "section name is empty"},
  };
  for (const Case& c : cases) {
    const StatusOr<std::vector<ManagedEdit>> r = ApplyManaged(&d, c.desired);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message().substr(0, c.message.size()), c.message);
    EXPECT_EQ(d.Serialize(), in);
  }
  Document dangling = MustParse("[mysqld]\nwsrep_provider_options=a=b\\\\\n");
  const StatusOr<std::vector<ManagedEdit>> r = ApplyManaged(
      &dangling,
      {DesiredOption::SubOptions("mysqld", "wsrep_provider_options", {{"socket.ssl", "YES"}})});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("my.cnf line 2: the provider options do not split"),
            std::string::npos)
      << r.status().message();
}

TEST(Mycnf, ApplyManagedIsANoOpWhenAlreadyConfigured) {
  const std::string in =
      "[mysqld]\nssl_ca = /ca.pem\nwsrep_provider_options='socket.ssl_ca=/ca.pem'\n";
  Document d = MustParse(in);
  const std::vector<ManagedEdit> records =
      Unwrap(ApplyManaged(&d, {DesiredOption::Value("mysqld", "ssl_ca", "/ca.pem"),
                               DesiredOption::SubOptions("mysqld", "wsrep_provider_options",
                                                         {{"socket.ssl_ca", "/ca.pem"}})}));
  EXPECT_EQ(d.Serialize(), in);
  EXPECT_TRUE(CheckManaged(d, records).empty());
  EXPECT_TRUE(UndoManaged(&d, records).clean());
  EXPECT_EQ(d.Serialize(), in);
}

TEST(Mycnf, ManagedEditsRoundTripThroughJsonWithArbitraryBytes) {
  ManagedEdit e;
  e.kind = ManagedKind::kProviderOptions;
  e.section = "mysqld";
  e.key = "wsrep_provider_options";
  e.original_line = "wsrep_provider_options=\"x=caf\xe9\"  # Latin-1 \xff\x80";
  e.managed_value = std::nullopt;
  e.sub_options = {{"socket.ssl", std::nullopt, "YES", false}, {"x", "caf\xe9", "\xc3\xa9", true}};
  e.disabled_lines = {"a=\xfe", "caf\xc3\xa9"};
  e.disabled_skip = {0, 2};
  e.created_section = true;
  e.added_blank_line = true;
  const nlohmann::json j = ManagedEditsToJson({e});
  const std::string dumped = j.dump();  // must not throw on invalid UTF-8
  EXPECT_EQ(j["edits"][0]["disabled_lines"][1], "caf\xc3\xa9");
  EXPECT_TRUE(j["edits"][0]["disabled_lines"][0].is_object());
  const std::vector<ManagedEdit> back = Unwrap(ManagedEditsFromJson(nlohmann::json::parse(dumped)));
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0], e);
}

TEST(Mycnf, ManagedEditsFromJsonRejectsBadShapes) {
  EXPECT_EQ(ManagedEditsFromJson(nlohmann::json::array()).status().message(),
            "managed my.cnf edits must be {\"version\": 1, \"edits\": [...]}");
  EXPECT_EQ(ManagedEditsFromJson(nlohmann::json{{"version", 2}, {"edits", nlohmann::json::array()}})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  const auto err = [](nlohmann::json edit) {
    return ManagedEditsFromJson(nlohmann::json{{"version", 1}, {"edits", {edit}}})
        .status()
        .message();
  };
  EXPECT_EQ(err({{"kind", "value"}, {"section", "mysqld"}}),
            "managed edit 0: field \"key\" is missing");
  EXPECT_EQ(err({{"kind", "other"}}),
            "managed edit 0: field \"kind\" must be \"value\" or \"provider_options\"");
  EXPECT_EQ(err({{"kind", "value"}, {"section", 3}, {"key", "k"}}),
            "managed edit 0: field \"section\" is not a string");
  EXPECT_EQ(err({{"kind", "value"}, {"section", {{"base64", "!!"}}}, {"key", "k"}}),
            "managed edit 0: field \"section\" has invalid base64");
  EXPECT_EQ(err({{"kind", "value"}, {"section", "s"}, {"key", "k"}, {"created_section", "yes"}}),
            "managed edit 0: field \"created_section\" is not a boolean");
  EXPECT_TRUE(ManagedEditsFromJson(
                  nlohmann::json{{"version", 1},
                                 {"edits", {{{"kind", "value"}, {"section", "s"}, {"key", "k"}}}}})
                  .ok());
}

// Found by mycnf_fuzz: the user's file already had a line reading exactly
// like one pxc disables ("# [pxc] " + the option line). Undo must re-enable
// pxc's line, not the user's comment.
TEST(Mycnf, UndoReenablesPxcsLineNotAUsersLineWithTheSameText) {
  const std::string original =
      "[mysqld]\n"
      "# [pxc] ssl-cipher=AES128-SHA\n"
      "ssl-cipher=AES128-SHA\n"
      "[mysqld]\n"
      "wsrep_provider_options=\"gcs.fc_limit=128\"\n"
      "# [pxc] ssl-cipher=AES128-SHA\n"
      "ssl-cipher=AES128-SHA\n"
      "# [pxc] wsrep_provider_options=\"gcs.fc_limit=128\"\n"
      "wsrep_provider_options=\"gcs.fc_limit=128\"\n"
      "wsrep_provider_options=\"gcache.size=1G\"\n";
  Document d = MustParse(original);
  const std::vector<ManagedEdit> records = ThroughJson(
      Unwrap(ApplyManaged(&d, {DesiredOption::Absent("mysqld", "ssl-cipher"),
                               DesiredOption::SubOptions("mysqld", "wsrep_provider_options",
                                                         {{"socket.ssl_ca", "/ca.pem"}})})));
  EXPECT_EQ(d.Serialize(),
            "[mysqld]\n"
            "# [pxc] ssl-cipher=AES128-SHA\n"
            "# [pxc] ssl-cipher=AES128-SHA\n"
            "[mysqld]\n"
            "# [pxc] wsrep_provider_options=\"gcs.fc_limit=128\"\n"
            "# [pxc] ssl-cipher=AES128-SHA\n"
            "# [pxc] ssl-cipher=AES128-SHA\n"
            "# [pxc] wsrep_provider_options=\"gcs.fc_limit=128\"\n"
            "# [pxc] wsrep_provider_options=\"gcs.fc_limit=128\"\n"
            "wsrep_provider_options=\"gcs.fc_limit=128; gcache.size=1G; "
            "socket.ssl_ca=/ca.pem\"\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].disabled_skip, (std::vector<int>{1, 2}));
  EXPECT_EQ(records[1].disabled_skip, (std::vector<int>{0, 1}));
  Document back = MustParse(d.Serialize());
  const UndoReport report = UndoManaged(&back, records);
  EXPECT_TRUE(report.clean());
  EXPECT_EQ(back.Serialize(), original);
}

TEST(Mycnf, DisabledSkipIsOptionalInStateAndMustBeCounts) {
  const auto edit = [](nlohmann::json skip) {
    nlohmann::json e = {{"kind", "value"},
                        {"section", "mysqld"},
                        {"key", "ssl-cipher"},
                        {"disabled_lines", {"ssl-cipher=A", "ssl-cipher=A"}}};
    if (!skip.is_null()) e["disabled_skip"] = skip;
    return ManagedEditsFromJson(nlohmann::json{{"version", 1}, {"edits", {e}}});
  };
  // State written before the field existed: the first matching lines.
  const auto old_state = edit(nullptr);
  ASSERT_TRUE(old_state.ok()) << old_state.status().message();
  EXPECT_EQ((*old_state)[0].disabled_skip, (std::vector<int>{0, 0}));
  const auto counted = edit({1, 3});
  ASSERT_TRUE(counted.ok()) << counted.status().message();
  EXPECT_EQ((*counted)[0].disabled_skip, (std::vector<int>{1, 3}));
  for (const nlohmann::json& bad :
       {nlohmann::json{1}, nlohmann::json{0, -1}, nlohmann::json{0, "1"}, nlohmann::json{0, 1.5},
        nlohmann::json{0, 100001}, nlohmann::json("0")}) {
    EXPECT_EQ(edit(bad).status().code(), StatusCode::kInvalidArgument) << bad.dump();
  }
  // Undo with a skip larger than the lines found (the user removed their own
  // "# [pxc] ..." line since): the last matching line is re-enabled.
  Document d = MustParse("[mysqld]\n# [pxc] ssl-cipher=A\n");
  EXPECT_EQ(UndoManaged(&d, {(*counted)[0]}).conflicts.size(), 1u);
  EXPECT_EQ(d.Serialize(), "[mysqld]\nssl-cipher=A\n");
}

// Apply then Undo with nothing in between gives the input back, for random
// documents built from my.cnf's syntax; every function accepts them.
TEST(Mycnf, ApplyThenUndoIsIdentityOnRandomDocuments) {
  const std::vector<std::string> tokens = {"[mysqld]",
                                           "[client]",
                                           "[sst]",
                                           "[",
                                           "]",
                                           "mysqld",
                                           " ",
                                           "\t",
                                           "=",
                                           " = ",
                                           "#",
                                           ";",
                                           "\"",
                                           "'",
                                           "\\",
                                           "\n",
                                           "\n",
                                           "\n",
                                           "\r\n",
                                           "\r",
                                           "!include ",
                                           "!includedir ",
                                           "/etc/x",
                                           "wsrep_provider_options",
                                           "wsrep-provider-options=",
                                           "\"gcache.size=1G;\"",
                                           "a=b;",
                                           "socket.ssl_ca=/x",
                                           "ssl_ca",
                                           "ssl-cert=",
                                           "loose-ssl-key",
                                           "encrypt=4",
                                           "value",
                                           "\xff",
                                           "\xEF\xBB\xBF",
                                           "\0"s};
  std::mt19937 rng(4242);
  int applied = 0;
  for (int n = 0; n < 1500; ++n) {
    std::string in;
    const int count = static_cast<int>(rng() % 40);
    for (int k = 0; k < count; ++k) in += tokens[rng() % tokens.size()];
    Document d = MustParse(in);
    ASSERT_EQ(d.Serialize(), in);
    (void)d.Warnings();
    (void)d.Includes();
    (void)d.Get("mysqld", "ssl_ca");
    StatusOr<std::vector<ManagedEdit>> records = ApplyManaged(&d, NodeDesired());
    if (!records.ok()) {
      ASSERT_EQ(records.status().code(), StatusCode::kInvalidArgument)
          << records.status().ToString();
      ASSERT_EQ(d.Serialize(), in);
      continue;
    }
    ++applied;
    ASSERT_EQ(d.Get("mysqld", "ssl_ca"), "/etc/mysql/certs/ca.pem") << testing::PrintToString(in);
    ASSERT_TRUE(CheckManaged(d, *records).empty()) << testing::PrintToString(in);
    const UndoReport rep = UndoManaged(&d, ThroughJson(*records));
    ASSERT_TRUE(rep.clean()) << testing::PrintToString(in) << rep.conflicts[0].message;
    ASSERT_EQ(d.Serialize(), in) << testing::PrintToString(in);
  }
  EXPECT_GT(applied, 500);
}

}  // namespace
}  // namespace pxc::resources
