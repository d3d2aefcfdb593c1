// Tests for the wsrep_provider_options layer of resources/galera/mycnf.h
// (provider_options.cc): parsing, formatting, merging, consolidating lines.
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

}  // namespace
}  // namespace pxc::resources
