// Tests for resources/galera/mycnf.{h,cc}: lossless parsing, mysqld's reading rules,
// minimal edits, wsrep_provider_options merging and byte-exact undo of
// managed edits.
#include "resources/galera/mycnf.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace pxc::resources {
namespace {

using namespace std::string_literals;

template <typename T>
T Unwrap(StatusOr<T> s) {
  if (!s.ok()) ADD_FAILURE() << s.status().ToString();
  return std::move(s).value();
}

Document MustParse(std::string_view text) { return Unwrap(Document::Parse(text)); }

std::string SetAndSerialize(std::string_view text, std::string_view section, std::string_view key,
                            std::string_view value) {
  Document d = MustParse(text);
  StatusOr<SetResult> r = d.Set(section, key, value);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return d.Serialize();
}

// Replaces the first occurrence of `from` in the document text (a human's
// edit with a text editor) and re-parses.
Document HumanEdit(const Document& d, const std::string& from, const std::string& to) {
  std::string text = d.Serialize();
  const std::size_t pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return MustParse(text);
}

// Private state goes through JSON text between Apply and Undo.
std::vector<ManagedEdit> ThroughJson(const std::vector<ManagedEdit>& edits) {
  const std::string dumped = ManagedEditsToJson(edits).dump();
  return Unwrap(ManagedEditsFromJson(nlohmann::json::parse(dumped)));
}

const std::vector<DesiredOption> kTlsDesired = {
    DesiredOption::Value("mysqld", "ssl_cert", "/etc/mysql/certs/pxc1-cert.pem"),
    DesiredOption::Value("mysqld", "ssl_key", "/etc/mysql/certs/pxc1-key.pem"),
    DesiredOption::Value("mysqld", "ssl_ca", "/etc/mysql/certs/ca.pem"),
    DesiredOption::SubOptions("mysqld", "wsrep_provider_options",
                              {{"socket.ssl_cert", "/etc/mysql/certs/pxc1-cert.pem"},
                               {"socket.ssl_key", "/etc/mysql/certs/pxc1-key.pem"},
                               {"socket.ssl_ca", "/etc/mysql/certs/ca.pem"}}),
};

// ---------------------------------------------------------------------------
// Parsing.

TEST(Mycnf, RoundTripsTrickyInputsByteForByte) {
  const std::vector<std::string> inputs = {
      "",
      "\n",
      "\r\n",
      "\n\n\n",
      "[mysqld]",
      "[mysqld]\nport=3306",
      "[mysqld]\r\nport = 3306\r\n",
      "[mysqld]\r\nport=3306\nsocket=/tmp/s\r\n",
      "\xEF\xBB\xBF[mysqld]\nport=3306\n",
      "\xEF\xBB\xBF",
      "  [ mysqld ]  # comment\n\tkey\t=\tvalue\t# trailing\n",
      "; semicolon comment\n# hash comment\n[client]\npassword = \"p#ss;w'rd\" # c\n",
      "[mysqld]\nssl-cert='/etc/my cert.pem'\nx=\"a\\\"b\"\n",
      "[mysqld]\nunterminated = \"abc # not a comment\n",
      "[mysqld\ngarbage line with spaces\n= no key\n!bogus\n!include\n",
      "option_before_section=1\n[mysqld]\n",
      "!include /etc/mysql/extra.cnf\n!includedir /etc/mysql/conf.d/\n",
      "[mysqld]\nnul\0byte=1\n"s,
      "[mysqld]\n\xff\xfe\x80 = \xc3\x28\n",
      "[mysqld]\nkey = value\r\r\n",
      "[mysqld]\r",
      "[mysqld]\nwsrep_provider_options=gcache.size=32M;gc.fc_limit=128 # tail\n",
      std::string(5000, 'x') + "\n[mysqld]\n",
      "[]\n[  ]\n[a]]\n",
      "\\\n\"\n'\n#\n=\n",
  };
  for (const std::string& in : inputs) {
    const Document d = MustParse(in);
    EXPECT_EQ(d.Serialize(), in) << "input: " << testing::PrintToString(in);
  }
}

TEST(Mycnf, RoundTripsRandomBytes) {
  std::mt19937 rng(1234);
  for (int n = 0; n < 2000; ++n) {
    std::string in(rng() % 200, '\0');
    for (char& c : in) c = static_cast<char>(rng() % 256);
    const Document d = MustParse(in);
    ASSERT_EQ(d.Serialize(), in);
  }
}

TEST(Mycnf, RejectsInputOverTheSizeLimit) {
  const std::string big(kMycnfMaxBytes + 1, '\n');
  const StatusOr<Document> d = Document::Parse(big);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(d.status().message().find("at most 4194304 bytes"), std::string::npos)
      << d.status().message();
  const StatusOr<Document> lines = Document::Parse(std::string(kMycnfMaxLines + 1, '\n'));
  ASSERT_FALSE(lines.ok());
  EXPECT_EQ(lines.status().message(), "my.cnf has 100001 lines; pxc reads at most 100000");
  EXPECT_TRUE(Document::Parse(std::string(kMycnfMaxLines, '\n')).ok());
  std::string widest;
  while (widest.size() + 4000 <= kMycnfMaxBytes) widest += std::string(3999, 'x') + "\n";
  EXPECT_TRUE(Document::Parse(widest).ok());
}

TEST(Mycnf, ClassifiesLines) {
  const Document d = MustParse(
      "# c\n"
      "\n"
      "[mysqld]\n"
      "  ; c2\n"
      "port=3306\n"
      "skip-name-resolve\n"
      "! include /etc/a.cnf\n"
      "!includedir /etc/mysql/conf.d/\n"
      "[broken\n");
  ASSERT_EQ(d.LineCount(), 9);
  EXPECT_EQ(d.KindOf(1), LineKind::kComment);
  EXPECT_EQ(d.KindOf(2), LineKind::kBlank);
  EXPECT_EQ(d.KindOf(3), LineKind::kSection);
  EXPECT_EQ(d.KindOf(4), LineKind::kComment);
  EXPECT_EQ(d.KindOf(5), LineKind::kOption);
  EXPECT_EQ(d.KindOf(6), LineKind::kOption);
  EXPECT_EQ(d.KindOf(7), LineKind::kInclude);
  EXPECT_EQ(d.KindOf(8), LineKind::kIncludeDir);
  EXPECT_EQ(d.KindOf(9), LineKind::kInvalid);
  EXPECT_EQ(d.KindOf(10), LineKind::kInvalid);
  EXPECT_EQ(d.LineText(5), "port=3306");
  EXPECT_EQ(d.SectionOfLine(5), "mysqld");
  EXPECT_EQ(d.SectionOfLine(1), std::nullopt);
}

TEST(Mycnf, GetFollowsMysqldReadingRules) {
  const Document d = MustParse(
      "[mysqld]\n"
      "a = plain value   # trailing comment\n"
      "b=\"quoted # not comment\"  # comment\n"
      "c='single ; quoted'\n"
      "d=semi;colons;stay\n"
      "e=\"esc \\\"q\\\" and \\\\ and \\n\"\n"
      "f\n"
      "g=\n"
      "h=x#y\n"
      "i=\"a\" b\n"
      "j = C:\\path\\new\n"
      "k=\"unterminated # still value\n"
      "l=a=b=c\n");
  EXPECT_EQ(d.Get("mysqld", "a"), "plain value");
  EXPECT_EQ(d.Get("mysqld", "b"), "quoted # not comment");
  EXPECT_EQ(d.Get("mysqld", "c"), "single ; quoted");
  EXPECT_EQ(d.Get("mysqld", "d"), "semi;colons;stay");
  EXPECT_EQ(d.Get("mysqld", "e"), "esc \"q\" and \\ and \n");
  EXPECT_EQ(d.Get("mysqld", "f"), "");
  EXPECT_FALSE(d.Lookup("mysqld", "f")->value.has_value());
  EXPECT_EQ(d.Lookup("mysqld", "g")->value, "");
  EXPECT_EQ(d.Get("mysqld", "h"), "x");
  EXPECT_EQ(d.Get("mysqld", "i"), "\"a\" b");  // quotes kept, as mysqld does
  EXPECT_EQ(d.Get("mysqld", "j"), "C:\\path\new");
  EXPECT_EQ(d.Get("mysqld", "k"), "\"unterminated # still value");
  EXPECT_TRUE(d.Lookup("mysqld", "k")->unterminated_quote);
  EXPECT_EQ(d.Get("mysqld", "l"), "a=b=c");
  EXPECT_EQ(d.Get("mysqld", "missing"), std::nullopt);
  EXPECT_EQ(d.Get("client", "a"), std::nullopt);
}

TEST(Mycnf, OptionNamesTreatDashAndUnderscoreAlikeAndIgnoreLoose) {
  const Document d = MustParse(
      "[mysqld]\n"
      "ssl-cert=/a.pem\n"
      "loose_ssl_key=/k.pem\n"
      "[client]\n"
      "ssl_cert=/client.pem\n"
      "[mysqld]\n"
      "loose-ssl_cert=/b.pem\n");
  EXPECT_EQ(NormalizeOptionName("loose-ssl-cert"), "ssl_cert");
  EXPECT_EQ(NormalizeOptionName("SSL-Cert"), "SSL_Cert");  // case matters
  EXPECT_EQ(d.Get("mysqld", "ssl_cert"), "/b.pem");        // last wins across occurrences
  EXPECT_EQ(d.Get("mysqld", "ssl-cert"), "/b.pem");
  EXPECT_EQ(d.Get("mysqld", "ssl-key"), "/k.pem");
  EXPECT_EQ(d.Get("mysqld", "SSL_CERT"), std::nullopt);
  const std::vector<OptionRef> all = d.FindAll("mysqld", "ssl_cert");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].line, 2);
  EXPECT_EQ(all[0].key, "ssl-cert");
  EXPECT_EQ(all[1].line, 7);
  EXPECT_EQ(all[1].key, "loose-ssl_cert");
  const std::vector<OptionRef> across = d.FindAcross({"client", "mysqld"}, "ssl-cert");
  ASSERT_EQ(across.size(), 3u);
  EXPECT_EQ(across[1].section, "client");
}

TEST(Mycnf, SectionNamesFollowMysqld) {
  const Document d = MustParse(
      "  [mysqld ]   # comment\n"
      "a=1\n"
      "[ galera]\n"
      "b=2\n"
      "[MySQLd]\n"
      "c=3\n");
  EXPECT_TRUE(d.HasSection("mysqld"));
  EXPECT_TRUE(d.HasSection(" galera"));  // leading whitespace is part of the name
  EXPECT_FALSE(d.HasSection("galera"));
  EXPECT_TRUE(d.HasSection("MySQLd"));
  EXPECT_EQ(d.Get("mysqld", "c"), std::nullopt);  // case-sensitive
  const std::vector<SectionRef> s = d.Sections();
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].line, 1);
  EXPECT_EQ(s[0].name, "mysqld");
}

TEST(Mycnf, ReportsWarningsWithLineNumbers) {
  const Document d = MustParse(
      "orphan=1\n"
      "[mysqld]\n"
      "ssl_cert = \"/etc/a.pem # oops\n"
      "[client\n"
      "!includes /x\n"
      "!includedir   \n"
      "= value\n"
      "two words = x\n"
      "x=\"a\" b\n"
      "nul\0=1\n"
      "[mysqld] junk\n"s +
      std::string(kMycnfMaxLineBytes, 'y') + "\n");
  std::vector<std::string> got;
  for (const ParseWarning& w : d.Warnings()) got.push_back(w.ToString());
  const std::vector<std::string> want = {
      "my.cnf line 1: option outside any [section] (mysqld refuses to start)",
      "my.cnf line 3: unterminated quote: mysqld reads the rest of the line, '#' included, as "
      "the value",
      "my.cnf line 4: section header without ']' (mysqld refuses to start)",
      "my.cnf line 5: unknown '!' directive (mysqld ignores it)",
      "my.cnf line 6: '!includedir' without a path (mysqld refuses to start)",
      "my.cnf line 7: option without a name",
      "my.cnf line 8: not an option line: the name contains whitespace, quotes or control bytes",
      "my.cnf line 9: text after the closing quote: mysqld keeps the quotes as part of the value",
      "my.cnf line 10: line contains a NUL byte, where mysqld stops reading the line",
      "my.cnf line 11: text after ']' is ignored by mysqld",
      "my.cnf line 12: line is 4095 bytes long; mysqld reads at most 4094 bytes per line and "
      "would split it",
  };
  EXPECT_EQ(got, want);
  EXPECT_TRUE(
      MustParse("[mysqld]\n" + std::string(kMycnfMaxLineBytes - 1, 'y') + "\n").Warnings().empty());
}

TEST(Mycnf, ExposesIncludeDirectives) {
  const Document d = MustParse(
      "[client-server]\n"
      "!include /etc/mysql/extra.cnf  \n"
      "!includedir /etc/mysql/conf.d/\n"
      "!  includedir\t/etc/mysql/mariadb.conf.d/\n");
  const std::vector<IncludeRef> inc = d.Includes();
  ASSERT_EQ(inc.size(), 3u);
  EXPECT_FALSE(inc[0].is_dir);
  EXPECT_EQ(inc[0].path, "/etc/mysql/extra.cnf");
  EXPECT_EQ(inc[0].section, "client-server");
  EXPECT_EQ(inc[0].line, 2);
  EXPECT_TRUE(inc[1].is_dir);
  EXPECT_EQ(inc[1].path, "/etc/mysql/conf.d/");
  EXPECT_EQ(inc[2].path, "/etc/mysql/mariadb.conf.d/");
}

TEST(Mycnf, EmptyFile) {
  Document d = MustParse("");
  EXPECT_EQ(d.LineCount(), 0);
  EXPECT_EQ(d.Serialize(), "");
  EXPECT_FALSE(d.HasSection("mysqld"));
  EXPECT_TRUE(d.Warnings().empty());
  EXPECT_EQ(d.Get("mysqld", "ssl_ca"), std::nullopt);
  const SetResult r = Unwrap(d.Set("mysqld", "ssl_ca", "/etc/mysql/certs/ca.pem"));
  EXPECT_TRUE(r.created_section);
  EXPECT_FALSE(r.added_blank_line);
  EXPECT_EQ(r.line, 2);
  EXPECT_EQ(d.Serialize(), "[mysqld]\nssl_ca=/etc/mysql/certs/ca.pem\n");
}

TEST(Mycnf, FileWithOnlyIncludedir) {
  const std::string original = "!includedir /etc/mysql/conf.d/\n";
  Document d = MustParse(original);
  EXPECT_FALSE(d.HasSection("mysqld"));
  ASSERT_EQ(d.Includes().size(), 1u);
  EXPECT_EQ(d.Includes()[0].path, "/etc/mysql/conf.d/");
  EXPECT_EQ(d.Includes()[0].section, "");
  const std::vector<ManagedEdit> records = Unwrap(ApplyManaged(&d, kTlsDesired));
  EXPECT_EQ(d.Serialize(),
            "!includedir /etc/mysql/conf.d/\n"
            "\n"
            "[mysqld]\n"
            "ssl_cert=/etc/mysql/certs/pxc1-cert.pem\n"
            "ssl_key=/etc/mysql/certs/pxc1-key.pem\n"
            "ssl_ca=/etc/mysql/certs/ca.pem\n"
            "wsrep_provider_options=\"socket.ssl_cert=/etc/mysql/certs/pxc1-cert.pem; "
            "socket.ssl_key=/etc/mysql/certs/pxc1-key.pem; socket.ssl_ca=/etc/mysql/certs/ca.pem\""
            "\n");
  const UndoReport rep = UndoManaged(&d, ThroughJson(records));
  EXPECT_TRUE(rep.clean());
  EXPECT_EQ(d.Serialize(), original);
}

// ---------------------------------------------------------------------------
// Set / Remove.

TEST(Mycnf, SetInsertsIntoMysqldWhenItIsNotTheLastSection) {
  const std::string in =
      "[client]\n"
      "port = 3306\n"
      "socket = /run/mysqld/mysqld.sock\n"
      "\n"
      "[mysqld]\n"
      "user = mysql\n"
      "datadir = /var/lib/mysql\n"
      "# replication\n"
      "\n"
      "[mysqldump]\n"
      "quick\n"
      "max_allowed_packet = 16M\n";
  EXPECT_EQ(SetAndSerialize(in, "mysqld", "ssl-cert", "/etc/mysql/certs/pxc1-cert.pem"),
            "[client]\n"
            "port = 3306\n"
            "socket = /run/mysqld/mysqld.sock\n"
            "\n"
            "[mysqld]\n"
            "user = mysql\n"
            "datadir = /var/lib/mysql\n"
            "ssl-cert = /etc/mysql/certs/pxc1-cert.pem\n"
            "# replication\n"
            "\n"
            "[mysqldump]\n"
            "quick\n"
            "max_allowed_packet = 16M\n");
}

TEST(Mycnf, SetInsertsIntoTheLastOccurrenceOfARepeatedSection) {
  const std::string in =
      "[mysqld]\n"
      "port=3306\n"
      "[client]\n"
      "port=3306\n"
      "[mysqld]\n"
      "  user=mysql\n"
      "[mysqldump]\n"
      "quick\n";
  EXPECT_EQ(SetAndSerialize(in, "mysqld", "ssl_ca", "/ca.pem"),
            "[mysqld]\n"
            "port=3306\n"
            "[client]\n"
            "port=3306\n"
            "[mysqld]\n"
            "  user=mysql\n"
            "  ssl_ca=/ca.pem\n"
            "[mysqldump]\n"
            "quick\n");
  EXPECT_EQ(SetAndSerialize("[mysqld]\n# only a comment\n[client]\n", "mysqld", "ssl_ca", "/c"),
            "[mysqld]\nssl_ca=/c\n# only a comment\n[client]\n");
}

TEST(Mycnf, SetReplacesTheLastOccurrenceKeepingSpelling) {
  const std::string in =
      "[mysqld]\n"
      "ssl-cert=/old/a.pem\n"
      "ssl_key = /old/k.pem\n"
      "[client]\n"
      "ssl_cert=/client.pem\n"
      "[mysqld]\n"
      "  loose_ssl_cert   =   \"/old/b.pem\"   # TLS\n";
  Document d = MustParse(in);
  SetResult r = Unwrap(d.Set("mysqld", "ssl-cert", "/etc/mysql/certs/pxc1-cert.pem"));
  EXPECT_TRUE(r.changed);
  EXPECT_FALSE(r.inserted);
  EXPECT_EQ(r.line, 7);
  r = Unwrap(d.Set("mysqld", "ssl-key", "/etc/mysql/certs/pxc1-key.pem"));
  EXPECT_EQ(r.line, 3);
  EXPECT_EQ(d.Serialize(),
            "[mysqld]\n"
            "ssl-cert=/old/a.pem\n"
            "ssl_key = /etc/mysql/certs/pxc1-key.pem\n"
            "[client]\n"
            "ssl_cert=/client.pem\n"
            "[mysqld]\n"
            "  loose_ssl_cert   =   \"/etc/mysql/certs/pxc1-cert.pem\"   # TLS\n");
  EXPECT_EQ(d.Get("mysqld", "ssl_cert"), "/etc/mysql/certs/pxc1-cert.pem");
  EXPECT_EQ(d.Get("client", "ssl_cert"), "/client.pem");
}

TEST(Mycnf, SetKeepsCommentsQuotesAndStyles) {
  struct Case {
    std::string in;
    std::string value;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"[m]\nk = v # c\n", "new", "[m]\nk = new # c\n"},
      {"[m]\nk='v'\n", "it's", "[m]\nk='it\\'s'\n"},
      {"[m]\nk=v\n", "has space", "[m]\nk=\"has space\"\n"},
      {"[m]\nk=v\n", "a#b", "[m]\nk=\"a#b\"\n"},
      {"[m]\nk=v\n", "a;b", "[m]\nk=\"a;b\"\n"},
      {"[m]\nk=v\n", "q\"uote", "[m]\nk=\"q\\\"uote\"\n"},
      {"[m]\nk=v\n", "back\\slash", "[m]\nk=\"back\\\\slash\"\n"},
      {"[m]\nk=v\n", "", "[m]\nk=\n"},
      {"[m]\nk   # bare\n", "1", "[m]\nk=1   # bare\n"},
      {"[m]\nk =  # empty\n", "1", "[m]\nk =  1 # empty\n"},
      {"[m]\nk=\n", "1", "[m]\nk=1\n"},
      {"[m]\nk = \"unterminated # x\n", "v", "[m]\nk = v\n"},
      {"[m]\r\nk=v\r\n", "w", "[m]\r\nk=w\r\n"},
      {"[m]\nk=v", "w", "[m]\nk=w"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(SetAndSerialize(c.in, "m", "k", c.value), c.want) << c.in;
    EXPECT_EQ(MustParse(c.want).Get("m", "k"), c.value) << c.want;
  }
}

TEST(Mycnf, SetLeavesAnEqualValueUntouched) {
  const std::string in = "[mysqld]\nssl_ca = '/ca.pem'   # same\n";
  Document d = MustParse(in);
  const SetResult r = Unwrap(d.Set("mysqld", "ssl-ca", "/ca.pem"));
  EXPECT_FALSE(r.changed);
  EXPECT_EQ(r.line, 2);
  EXPECT_EQ(d.Serialize(), in);
  // kDouble rewrites a value that is not double-quoted.
  ASSERT_TRUE(d.Set("mysqld", "ssl-ca", "/ca.pem", QuoteMode::kDouble).ok());
  EXPECT_EQ(d.Serialize(), "[mysqld]\nssl_ca = \"/ca.pem\"   # same\n");
}

TEST(Mycnf, SetUsesPrevailingStyleLineEndingsAndFinalNewline) {
  EXPECT_EQ(SetAndSerialize("[client]\r\nport = 3306\r\n\r\n[mysqld]\r\nuser = mysql\r\n\r\n"
                            "[mysqldump]\r\nquick\r\n",
                            "mysqld", "ssl_ca", "/ca.pem"),
            "[client]\r\nport = 3306\r\n\r\n[mysqld]\r\nuser = mysql\r\nssl_ca = /ca.pem\r\n\r\n"
            "[mysqldump]\r\nquick\r\n");
  EXPECT_EQ(SetAndSerialize("[mysqld]\nport=3306", "mysqld", "ssl_ca", "/ca.pem"),
            "[mysqld]\nport=3306\nssl_ca=/ca.pem");
  EXPECT_EQ(SetAndSerialize("[client]\nport=1", "mysqld", "ssl_ca", "/ca.pem"),
            "[client]\nport=1\n\n[mysqld]\nssl_ca=/ca.pem");
  EXPECT_EQ(SetAndSerialize("[client]\nport=1\n\n", "mysqld", "ssl_ca", "/ca.pem"),
            "[client]\nport=1\n\n[mysqld]\nssl_ca=/ca.pem\n");
  EXPECT_EQ(SetAndSerialize("\xEF\xBB\xBF[mysqld]\n", "mysqld", "ssl_ca", "/ca.pem"),
            "\xEF\xBB\xBF[mysqld]\nssl_ca=/ca.pem\n");
}

TEST(Mycnf, SetRejectsInvalidInputWithoutChangingTheDocument) {
  const std::string in = "[mysqld]\nport=3306\n";
  Document d = MustParse(in);
  struct Case {
    std::string section, key, value, message;
  };
  const std::vector<Case> cases = {
      {"", "k", "v", "section name is empty"},
      {"my]sqld", "k", "v", "section name \"my]sqld\" is not valid"},
      {" mysqld", "k", "v", "surrounding whitespace"},
      {"mysqld", "", "v", "option name \"\" is not valid: it is empty"},
      {"mysqld", "loose-", "v", "it is empty"},
      {"mysqld", "ssl cert", "v", "option name \"ssl cert\" is not valid"},
      {"mysqld", "a=b", "v", "is not valid"},
      {"mysqld", "#a", "v", "is not valid"},
      {"mysqld", "[a", "v", "starts with '[' or '!'"},
      {"mysqld", "k", "nul\0byte"s, "value contains a NUL byte"},
      {"mysqld", "k", std::string(kMycnfMaxLineBytes, 'v'), "mysqld reads at most 4094"},
      {"mysqld", "port", std::string(kMycnfMaxLineBytes, 'v'),
       "my.cnf line 2: setting port would make the line"},
  };
  for (const Case& c : cases) {
    const StatusOr<SetResult> r = d.Set(c.section, c.key, c.value);
    ASSERT_FALSE(r.ok()) << c.key;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.message), std::string::npos) << r.status().message();
    EXPECT_EQ(d.Serialize(), in);
  }
}

TEST(Mycnf, EncodedValuesReadBackExactly) {
  std::mt19937 rng(99);
  const std::string alphabet = "ab #;'\"\\\t\r\n\b\v=x\x01\x7f\xc3\xa9 ns";
  for (int n = 0; n < 3000; ++n) {
    std::string v(rng() % 12, ' ');
    for (char& c : v) c = alphabet[rng() % alphabet.size()];
    for (const char quote : {'\0', '"', '\''}) {
      const std::string enc = Unwrap(EncodeOptionValue(v, QuoteMode::kAuto, quote));
      Document d = MustParse("[m]\nk=" + enc + " # c\n");
      ASSERT_EQ(d.Get("m", "k"), v) << testing::PrintToString(enc);
      ASSERT_TRUE(d.Set("m", "k", v).ok());
      ASSERT_EQ(MustParse(d.Serialize()).Get("m", "k"), v);
    }
  }
  // The surrounding quotes go first, escaped or not (as in mysqld).
  EXPECT_EQ(DecodeOptionValue("\"a\\sb\\x\\\""), "a b\\x\\");
  EXPECT_EQ(DecodeOptionValue("ends\\"), "ends\\");
}

TEST(Mycnf, RemoveDeletesEveryOccurrence) {
  Document d = MustParse(
      "[mysqld]\n"
      "ssl-cert=/a\n"
      "port=1\n"
      "[client]\n"
      "ssl_cert=/c\n"
      "[mysqld]\n"
      "loose_ssl_cert=/b");
  EXPECT_EQ(d.Remove("mysqld", "ssl_cert"), 2);
  EXPECT_EQ(d.Serialize(), "[mysqld]\nport=1\n[client]\nssl_cert=/c\n[mysqld]");
  EXPECT_EQ(d.Remove("mysqld", "ssl_cert"), 0);
}

TEST(Mycnf, LowLevelLineEdits) {
  Document d = MustParse("[a]\nx=1\r\ny=2");
  ASSERT_TRUE(d.ReplaceLine(2, "x=5").ok());
  EXPECT_EQ(d.Serialize(), "[a]\nx=5\r\ny=2");
  EXPECT_EQ(d.Get("a", "x"), "5");
  EXPECT_EQ(d.ReplaceLine(4, "z").message(), "line 4 is out of range (1..3)");
  EXPECT_EQ(d.ReplaceLine(1, "a\nb").code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(d.RemoveLine(3).ok());
  EXPECT_EQ(d.Serialize(), "[a]\nx=5");
  EXPECT_EQ(d.RemoveLine(0).code(), StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------
// wsrep_provider_options.

TEST(Mycnf, ParsesAndFormatsProviderOptions) {
  const ProviderOptions o = ParseProviderOptions(" a=b; c = d;e=f=g;;  h ; i=x\\;y ;");
  const ProviderOptions want = {
      {"a", "b"}, {"c", "d"}, {"e", "f=g"}, {"h", std::nullopt}, {"i", "x\\;y"}};
  EXPECT_EQ(o, want);
  EXPECT_EQ(FormatProviderOptions(o), "a=b; c=d; e=f=g; h; i=x\\;y");
  EXPECT_EQ(ParseProviderOptions(FormatProviderOptions(o)), o);
  EXPECT_TRUE(ParseProviderOptions("").empty());
  EXPECT_TRUE(ParseProviderOptions(" ; ;").empty());
  EXPECT_EQ(GetProviderOption(o, "e"), "f=g");
  EXPECT_EQ(GetProviderOption(o, "h"), "");
  EXPECT_EQ(GetProviderOption(o, "zz"), std::nullopt);
  EXPECT_EQ(GetProviderOption(ParseProviderOptions("a=1;a=2"), "a"), "2");
}

TEST(Mycnf, MergingProviderOptionsKeepsEverythingAndOrder) {
  ProviderOptions o = ParseProviderOptions("gcache.size=32M; socket.ssl=NO; gcs.fc_limit=128");
  SetProviderOption(&o, "socket.ssl_cert", "/etc/mysql/certs/pxc1-cert.pem");
  SetProviderOption(&o, "socket.ssl_key", "/etc/mysql/certs/pxc1-key.pem");
  SetProviderOption(&o, "socket.ssl", "YES");
  EXPECT_EQ(FormatProviderOptions(o),
            "gcache.size=32M; socket.ssl=YES; gcs.fc_limit=128; "
            "socket.ssl_cert=/etc/mysql/certs/pxc1-cert.pem; "
            "socket.ssl_key=/etc/mysql/certs/pxc1-key.pem");
  EXPECT_TRUE(RemoveProviderOption(&o, "socket.ssl"));
  EXPECT_FALSE(RemoveProviderOption(&o, "socket.ssl"));
  EXPECT_EQ(FormatProviderOptions(o),
            "gcache.size=32M; gcs.fc_limit=128; socket.ssl_cert=/etc/mysql/certs/pxc1-cert.pem; "
            "socket.ssl_key=/etc/mysql/certs/pxc1-key.pem");
  ProviderOptions dup = ParseProviderOptions("a=1; b=2; a=3");
  SetProviderOption(&dup, "a", "4");
  EXPECT_EQ(FormatProviderOptions(dup), "a=4; b=2");
  EXPECT_EQ(FormatProviderOptions(UnionProviderOptions(ParseProviderOptions("x=1; y=2; x=5"),
                                                       ParseProviderOptions("z=3; y=9"))),
            "x=5; y=9; z=3");
}

TEST(Mycnf, ValidatesProviderOptions) {
  EXPECT_TRUE(ValidateProviderOption("socket.ssl_cert", "/etc/a b.pem").ok());
  EXPECT_EQ(ValidateProviderOption("", "v").message(), "provider option name is empty");
  EXPECT_EQ(ValidateProviderOption("a;b", "v").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateProviderOption("a", "x;y").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateProviderOption("a", " x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateProviderOption("a", "x\\y").code(), StatusCode::kInvalidArgument);
}

TEST(Mycnf, ConsolidatesSeveralProviderOptionsLines) {
  Document d = MustParse(
      "[mysqld]\n"
      "wsrep_provider_options=\"gcache.size=32M; gcs.fc_limit=128\"\n"
      "binlog_format=ROW\n"
      "  wsrep-provider-options = 'socket.ssl_key=/k.pem;gcs.fc_limit=256'  # tutorial\n"
      "[mysqldump]\n"
      "quick\n");
  EXPECT_EQ(d.FindAll("mysqld", "wsrep_provider_options").size(), 2u);  // the caller warns
  EXPECT_EQ(Unwrap(ConsolidateProviderOptions(&d, "mysqld")), 1);
  EXPECT_EQ(d.Serialize(),
            "[mysqld]\n"
            "# [pxc] wsrep_provider_options=\"gcache.size=32M; gcs.fc_limit=128\"\n"
            "binlog_format=ROW\n"
            "  wsrep-provider-options = \"gcache.size=32M; gcs.fc_limit=256; "
            "socket.ssl_key=/k.pem\"  # tutorial\n"
            "[mysqldump]\n"
            "quick\n");
  EXPECT_EQ(d.FindAll("mysqld", "wsrep_provider_options").size(), 1u);
  EXPECT_EQ(Unwrap(ConsolidateProviderOptions(&d, "mysqld")), 0);
}

TEST(Mycnf, ConsolidateRefusesAnUnterminatedQuote) {
  const std::string in =
      "[mysqld]\n"
      "wsrep_provider_options=\"gcache.size=32M\n"
      "wsrep_provider_options=\"socket.ssl=yes\"\n";
  Document d = MustParse(in);
  const StatusOr<int> r = ConsolidateProviderOptions(&d, "mysqld");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "my.cnf line 2: unterminated quote in wsrep_provider_options; fix the line by hand");
  EXPECT_EQ(d.Serialize(), in);
}

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

// ---------------------------------------------------------------------------
// Option trees (includes), as mysys/my_default.cc reads them.

OptionFileSource MapSource(const std::map<std::string, std::string>& files) {
  OptionFileSource src;
  src.read_file = [files](const std::string& p) -> StatusOr<std::optional<std::string>> {
    auto it = files.find(p);
    if (it == files.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  };
  src.list_dir = [files](const std::string& dir) -> StatusOr<std::vector<std::string>> {
    std::vector<std::string> names;  // deliberately not sorted
    for (auto it = files.rbegin(); it != files.rend(); ++it) {
      if (it->first.rfind(dir + "/", 0) == 0) names.push_back(it->first.substr(dir.size() + 1));
    }
    return names;
  };
  return src;
}

TEST(MycnfTree, ReadsIncludesWhereTheyStandInNameOrderCnfOnly) {
  auto root = Document::Parse(
      "[mysqld]\na=1\n!includedir /d\nb=2\n!include /f.cnf\n!include /missing.cnf\n"
      "!includedir /nodir\n");
  ASSERT_TRUE(root.ok());
  auto tree = ReadOptionTree(
      "/my.cnf", *root,
      MapSource({{"/d/20-b.cnf", "[mysqld]\na=3\n"},
                 {"/d/10-a.cnf", "early=1\n[server]\nc=4\n"},  // before a header: not read
                 {"/d/30-c.cnf.bak", "[mysqld]\na=9\n"},
                 {"/d/notes", "[mysqld]\na=9\n"},
                 {"/f.cnf", "[galera]\nd=5\n"}}));
  ASSERT_TRUE(tree.ok()) << tree.status().message();
  std::vector<std::string> seen;
  for (const auto& t : *tree) {
    seen.push_back(t.file + ":" + std::to_string(t.ref.line) + " [" + t.ref.section + "] " +
                   t.ref.key + "=" + t.ref.value.value_or(""));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"/my.cnf:2 [mysqld] a=1", "/d/10-a.cnf:3 [server] c=4",
                                            "/d/20-b.cnf:2 [mysqld] a=3", "/my.cnf:4 [mysqld] b=2",
                                            "/f.cnf:2 [galera] d=5"}));
  // The effective one is the last read, in any of the sections asked for.
  auto a = EffectiveOption(*tree, {"mysqld", "server"}, "a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->file, "/d/20-b.cnf");
  EXPECT_EQ(a->ref.line, 2);
  EXPECT_FALSE(EffectiveOption(*tree, {"mysqld"}, "d"));
  EXPECT_EQ(EffectiveOption(*tree, {"mysqld", "galera"}, "D"), std::nullopt);  // case-sensitive
  EXPECT_EQ(EffectiveOption(*tree, {"galera"}, "d")->ref.value, std::optional<std::string>("5"));
  // Names are normalised: loose- prefix, '-' == '_'.
  auto root2 = Document::Parse("[mysqld]\nloose-ssl-ca=/x\n");
  auto tree2 = ReadOptionTree("/r", *root2, MapSource({}));
  ASSERT_TRUE(tree2.ok());
  EXPECT_EQ(EffectiveOption(*tree2, {"mysqld"}, "ssl_ca")->ref.value,
            std::optional<std::string>("/x"));
}

TEST(MycnfTree, IncludeLoopsStopAtTheDepthLimitAndErrorsNameTheFile) {
  auto root = Document::Parse("[mysqld]\n!include /loop.cnf\n");
  ASSERT_TRUE(root.ok());
  auto tree = ReadOptionTree("/r", *root,
                             MapSource({{"/loop.cnf", "[mysqld]\nx=1\n!include /loop.cnf\n"}}));
  ASSERT_TRUE(tree.ok());
  EXPECT_EQ(tree->size(), static_cast<size_t>(kMycnfMaxIncludeDepth));
  OptionFileSource failing;
  failing.read_file = [](const std::string&) -> StatusOr<std::optional<std::string>> {
    return PermissionDeniedError("no access");
  };
  auto err = ReadOptionTree("/r", *root, failing);
  ASSERT_FALSE(err.ok());
  EXPECT_NE(err.status().message().find("/loop.cnf"), std::string::npos);
}

}  // namespace
}  // namespace pxc::resources
