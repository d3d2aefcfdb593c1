// Tests for the document layer of resources/galera/mycnf.h (mycnf.cc):
// lossless parsing, mysqld's reading rules and minimal edits.
#include "resources/galera/mycnf.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "tests/resources/galera/mycnf_test_util.h"

namespace pxc::resources {
namespace {

using namespace std::string_literals;
using namespace mycnf_test;

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

}  // namespace
}  // namespace pxc::resources
