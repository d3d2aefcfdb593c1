// pxc_ssl_user and data "pxc_cluster_status" through the protocol-agnostic
// core: validation diagnostics with attribute paths and plan logic (no
// server), then the full lifecycle against a real standalone mariadbd
// (tests/resources/mysql/mariadb_fixture.h): create, read back with an empty second
// plan, update, drift repaired, drop by hand re-created, import, hostile
// names, and the server enforcing REQUIRE SSL / SUBJECT / ISSUER.
#include <gtest/gtest.h>

#include "provider/core.h"
#include "resources/mysql/mysql_settings.h"
#include "resources/mysql/sql_client.h"
#include "resources/provider_def.h"
#include "tests/resources/mysql/mariadb_fixture.h"

namespace pxc::provider {
namespace {

using resources::SqlConnection;
using resources::SqlEndpoint;
using resources::SqlTls;
using resources::fixtures::MariaDbServer;
using schema::AttributePath;
using schema::Type;
using schema::Value;

constexpr char kType[] = "pxc_ssl_user";

class SslUserCoreTest : public ::testing::Test {
 protected:
  SslUserCoreTest() : core_(resources::MakeProvider("test")) {
    type_ = core_.FindResource(kType)->GetSchema().ImpliedType();
    grant_type_ = type_.attributes().at("grant").element();
  }
  static Value Obj(const Type& t, std::map<std::string, Value> attrs) {
    auto v = Value::ObjectOf(t, std::move(attrs));
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return *v;
  }
  static Value Strings(std::vector<std::string> v) {
    std::vector<Value> out;
    for (auto& s : v) out.push_back(Value::String(s));
    return Value::Set(Type::String(), out);
  }
  Value Grant(std::vector<std::string> privs, const std::string& on, bool wgo = false,
              bool pattern = false) const {
    return Obj(grant_type_,
               {{"privileges", Strings(std::move(privs))},
                {"on", Value::String(on)},
                {"with_grant_option", wgo ? Value::Bool(true) : Value::Null(Type::Bool())},
                {"database_pattern", pattern ? Value::Bool(true) : Value::Null(Type::Bool())}});
  }
  Value Grants(std::vector<Value> g) const { return Value::Set(grant_type_, std::move(g)); }
  Value Config(const std::string& name, std::map<std::string, Value> extra = {}) const {
    std::map<std::string, Value> attrs = {{"name", Value::String(name)}, {"grant", Grants({})}};
    for (auto& [k, v] : extra) attrs[k] = v;
    return Obj(type_, attrs);
  }
  // Terraform's proposed new state: config, with prior values for computed
  // attributes the configuration leaves null.
  Value Proposed(const Value& prior, const Value& config) const {
    if (prior.IsNull()) return config;
    std::map<std::string, Value> attrs = config.Entries();
    for (const auto& a : core_.FindResource(kType)->GetSchema().block.attributes) {
      if (a.computed() && config.GetAttr(a.name).IsNull()) attrs[a.name] = prior.GetAttr(a.name);
    }
    return Obj(type_, attrs);
  }
  PlanResult Plan(const Value& prior, const Value& config) const {
    return core_.PlanResourceChange(kType, prior, Proposed(prior, config), config, "");
  }
  // Plans and applies; returns the new state.
  Value Apply(const Value& prior, const Value& config) {
    auto plan = Plan(prior, config);
    EXPECT_FALSE(plan.diags.HasError()) << Describe(plan.diags);
    if (plan.diags.HasError()) return prior;
    auto applied = core_.ApplyResourceChange(kType, prior, plan.planned, config, "");
    EXPECT_FALSE(applied.diags.HasError()) << Describe(applied.diags);
    return applied.new_state;
  }
  Value Read(const Value& state) const {
    auto r = core_.ReadResource(kType, state, "");
    EXPECT_FALSE(r.diags.HasError()) << Describe(r.diags);
    return r.new_state;
  }
  static std::string Describe(const schema::Diagnostics& d) {
    std::string out;
    for (const auto& i : d.items()) {
      out += i.summary + ": " + i.detail + (i.path ? " @" + i.path->ToString() : "") + "\n";
    }
    return out;
  }
  static bool HasErrorAt(const schema::Diagnostics& d, const AttributePath& p) {
    for (const auto& i : d.items()) {
      if (i.severity == schema::Severity::kError && i.path == p) return true;
    }
    return false;
  }

  Core core_;
  Type type_, grant_type_;
};

// ---------------------------------------------------------------------------
// No server needed.

TEST_F(SslUserCoreTest, InvalidConfigsGetAttributePathDiagnostics) {
  const auto g0 = AttributePath::Root("grant").Index(0);
  struct Case {
    const char* name;
    Value config;
    AttributePath path;
  };
  const Case cases[] = {
      {"empty name", Config(""), AttributePath::Root("name")},
      {"bad privilege", Config("u", {{"grant", Grants({Grant({"SELEKT"}, "db.*")})}}),
       g0.Attr("privileges")},
      {"column list", Config("u", {{"grant", Grants({Grant({"SELECT (a)"}, "db.t")})}}),
       g0.Attr("privileges")},
      {"bad target", Config("u", {{"grant", Grants({Grant({"SELECT"}, "db")})}}), g0.Attr("on")},
      {"usage only", Config("u", {{"grant", Grants({Grant({"USAGE"}, "*.*")})}}),
       g0.Attr("privileges")},
      {"subject without specified", Config("u", {{"require_subject", Value::String("/CN=x")}}),
       AttributePath::Root("require_subject")},
      {"issuer with x509",
       Config("u",
              {{"require", Value::String("x509")}, {"require_issuer", Value::String("/CN=x")}}),
       AttributePath::Root("require_issuer")},
      {"specified without parts", Config("u", {{"require", Value::String("specified")}}),
       AttributePath::Root("require")},
      {"unknown require", Config("u", {{"require", Value::String("tls")}}),
       AttributePath::Root("require")},
      {"bad plugin", Config("u", {{"auth_plugin", Value::String("x; DROP")}}),
       AttributePath::Root("auth_plugin")},
      {"pattern without wildcard",
       Config("u", {{"grant", Grants({Grant({"SELECT"}, "shop.*", false, true)})}}),
       g0.Attr("database_pattern")},
      {"pattern on a table",
       Config("u", {{"grant", Grants({Grant({"SELECT"}, "shop_db.t", false, true)})}}),
       g0.Attr("database_pattern")},
  };
  for (const auto& c : cases) {
    auto diags = core_.ValidateResourceConfig(kType, c.config);
    EXPECT_TRUE(HasErrorAt(diags, c.path))
        << c.name << ": no error at " << c.path.ToString() << "; got:\n"
        << Describe(diags);
  }
  // Two blocks for one target (spelled differently): one of them is reported.
  auto diags = core_.ValidateResourceConfig(
      kType,
      Config("u", {{"grant", Grants({Grant({"SELECT"}, "db.*"), Grant({"INSERT"}, "`db`.*")})}}));
  EXPECT_TRUE(HasErrorAt(diags, g0.Attr("on")) ||
              HasErrorAt(diags, AttributePath::Root("grant").Index(1).Attr("on")))
      << Describe(diags);
  // A valid configuration has no diagnostics.
  Value ok = Config("app", {{"grant", Grants({Grant({"select", "all privileges"}, "*.*")})},
                            {"require", Value::String("specified")},
                            {"require_subject", Value::String("/CN=app")}});
  EXPECT_TRUE(core_.ValidateResourceConfig(kType, ok).empty())
      << Describe(core_.ValidateResourceConfig(kType, ok));
}

TEST_F(SslUserCoreTest, BadMysqlEndpointHasPath) {
  Type mysql_type = type_.attributes().at("mysql");
  Value m = Obj(mysql_type, {{"endpoint", Value::String("db:99999")}});
  auto diags = core_.ValidateResourceConfig(kType, Config("u", {{"mysql", m}}));
  EXPECT_TRUE(HasErrorAt(diags, AttributePath::Root("mysql").Attr("endpoint"))) << Describe(diags);
}

TEST(MysqlSettings, ParsesEndpoints) {
  using resources::mysql_settings::ParseEndpoint;
  auto a = ParseEndpoint("10.77.0.10:3307");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "10.77.0.10");
  EXPECT_EQ(a->port, 3307);
  auto b = ParseEndpoint("db.example");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->port, 3306);
  auto c = ParseEndpoint("[::1]:3306");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->host, "::1");
  auto d = ParseEndpoint("unix:/run/mysqld/mysqld.sock");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->socket, "/run/mysqld/mysqld.sock");
  for (const char* bad : {"", ":3306", "h:0", "h:x", "::1", "unix:rel", "[::1"}) {
    EXPECT_EQ(ParseEndpoint(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST_F(SslUserCoreTest, CreatePlanDefaultsAndRenameReplaces) {
  Value config = Config("app");
  auto plan = Plan(Value::Null(type_), config);
  ASSERT_FALSE(plan.diags.HasError()) << Describe(plan.diags);
  EXPECT_EQ(*plan.planned.GetString("host"), "%");
  EXPECT_EQ(*plan.planned.GetString("require"), "ssl");
  EXPECT_EQ(*plan.planned.GetString("id"), "app@%");
  // A state as if created; renaming replaces, a host change too.
  Value state = plan.planned;
  auto rename = Plan(state, Config("app2"));
  ASSERT_FALSE(rename.diags.HasError()) << Describe(rename.diags);
  EXPECT_EQ(rename.requires_replace, std::vector<AttributePath>{AttributePath::Root("name")});
  auto rehost = Plan(state, Config("app", {{"host", Value::String("10.%")}}));
  ASSERT_FALSE(rehost.diags.HasError());
  EXPECT_EQ(rehost.requires_replace, std::vector<AttributePath>{AttributePath::Root("host")});
  // Grants and require change in place.
  auto regrant = Plan(state, Config("app", {{"require", Value::String("x509")},
                                            {"grant", Grants({Grant({"SELECT"}, "*.*")})}}));
  ASSERT_FALSE(regrant.diags.HasError());
  EXPECT_TRUE(regrant.requires_replace.empty());
}

TEST_F(SslUserCoreTest, NoEndpointIsAClearError) {
  // No provider mysql block and no environment: apply fails with a message
  // saying where to configure it (and no SQL is attempted while planning).
  unsetenv("PXC_MYSQL_ENDPOINT");
  Value config = Config("app");
  auto plan = Plan(Value::Null(type_), config);
  ASSERT_FALSE(plan.diags.HasError());
  auto applied = core_.ApplyResourceChange(kType, Value::Null(type_), plan.planned, config, "");
  ASSERT_TRUE(applied.diags.HasError());
  EXPECT_EQ(applied.diags.items()[0].summary, "No MySQL Endpoint");
}

// ---------------------------------------------------------------------------
// Against a real mariadbd.

class SslUserServerTest : public SslUserCoreTest {
 protected:
  static void SetUpTestSuite() {
    auto s = MariaDbServer::Start(&skip_reason_);
    if (!s.ok()) {
      start_error_ = s.status().ToString();
    } else {
      server_ = std::move(s).value();
    }
  }
  static void TearDownTestSuite() {
    resources::mysql_settings::Pool().Clear();
    server_.reset();
  }
  void SetUp() override {
    if (!start_error_.empty()) FAIL() << "MariaDB fixture: " << start_error_;
    if (!server_) GTEST_SKIP() << skip_reason_;
    SqlEndpoint admin = server_->AdminTcp();
    Type ptype = core_.definition().GetSchema().ImpliedType();
    Type mtype = ptype.attributes().at("mysql");
    Value mysql =
        Obj(mtype, {{"endpoint", Value::String("127.0.0.1:" + std::to_string(admin.port))},
                    {"username", Value::String(admin.user)},
                    {"password", Value::String(admin.password)}});
    auto diags = core_.ConfigureProvider("1.9.0", Obj(ptype, {{"mysql", mysql}}));
    ASSERT_FALSE(diags.HasError()) << Describe(diags);
  }
  static SqlConnection Root() {
    auto c = SqlConnection::Connect(server_->RootSocket());
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return std::move(c).value();
  }
  static void Sql(const std::string& stmt) {
    SqlConnection root = Root();
    Status st = root.Execute(stmt);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  static Status ConnectAs(const std::string& user, const std::string& password,
                          std::optional<SqlTls> tls) {
    SqlEndpoint ep = server_->Tcp(user, password);
    ep.tls = std::move(tls);
    return SqlConnection::Connect(ep).status();
  }
  static SqlTls CaOnly() {
    SqlTls t;
    t.ca_pem = server_->tls().ca_pem;
    t.required = true;
    return t;
  }
  // Apply, then the refresh + plan Terraform would do next: Read returns the
  // state unchanged and the plan is empty.
  Value ApplyAndExpectEmptyPlan(const Value& prior, const Value& config) {
    Value state = Apply(prior, config);
    Value read = Read(state);
    EXPECT_EQ(read, state) << "read:  " << read.DebugString() << "\nstate: " << state.DebugString();
    auto plan = Plan(read, config);
    EXPECT_FALSE(plan.diags.HasError()) << Describe(plan.diags);
    EXPECT_EQ(plan.planned, read) << plan.planned.DebugString();
    EXPECT_TRUE(plan.requires_replace.empty());
    return state;
  }

  static inline std::unique_ptr<MariaDbServer> server_;
  static inline std::string skip_reason_, start_error_;
};

TEST_F(SslUserServerTest, WriteOnlyPasswordAppliedAtCreateAndOnVersionChangeOnly) {
  auto wo = [&](const std::string& pw, int version) {
    return Config("wouser", {{"password_wo", Value::String(pw)},
                             {"password_wo_version", Value::Num(version)},
                             {"grant", Grants({Grant({"SELECT"}, "*.*")})}});
  };
  Value state = ApplyAndExpectEmptyPlan(Value::Null(type_), wo("first-pw", 1));
  EXPECT_TRUE(state.GetAttr("password_wo").IsNull());
  EXPECT_TRUE(state.GetAttr("password").IsNull());
  EXPECT_EQ(state.GetAttr("password_wo_version"), Value::Num(1));
  Status first = ConnectAs("wouser", "first-pw", CaOnly());
  EXPECT_TRUE(first.ok()) << first.ToString();

  // A new value without a new version: nothing to do (the core cannot see
  // a change of a value it never stores).
  auto same = Plan(Read(state), wo("second-pw", 1));
  ASSERT_FALSE(same.diags.HasError()) << Describe(same.diags);
  EXPECT_EQ(same.planned, state);

  // Bumping the version applies it: the old password is refused.
  state = ApplyAndExpectEmptyPlan(state, wo("second-pw", 2));
  EXPECT_EQ(ConnectAs("wouser", "first-pw", CaOnly()).code(), StatusCode::kPermissionDenied);
  Status second = ConnectAs("wouser", "second-pw", CaOnly());
  EXPECT_TRUE(second.ok()) << second.ToString();

  // Back to a stored password: applied, as any password change.
  state = ApplyAndExpectEmptyPlan(
      state, Config("wouser", {{"password", Value::String("third-pw")},
                               {"grant", Grants({Grant({"SELECT"}, "*.*")})}}));
  EXPECT_TRUE(ConnectAs("wouser", "third-pw", CaOnly()).ok());
  EXPECT_EQ(ConnectAs("wouser", "second-pw", CaOnly()).code(), StatusCode::kPermissionDenied);
  // And to a write-only one again (version from null to 1: applied).
  state = ApplyAndExpectEmptyPlan(state, wo("fourth-pw", 1));
  EXPECT_TRUE(ConnectAs("wouser", "fourth-pw", CaOnly()).ok());
  EXPECT_TRUE(state.GetAttr("password").IsNull());
  Sql("DROP USER 'wouser'@'%'");
}

TEST_F(SslUserServerTest, CreateReadUpdateDriftDelete) {
  Value config = Config("ssluser", {{"password", Value::String("ssluserpass")},
                                    {"grant", Grants({Grant({"all privileges"}, "*.*")})}});
  Value state = ApplyAndExpectEmptyPlan(Value::Null(type_), config);
  EXPECT_EQ(*state.GetString("id"), "ssluser@%");
  EXPECT_EQ(*state.GetString("require"), "ssl");

  // The server enforces REQUIRE SSL: plain text refused, TLS accepted.
  EXPECT_EQ(ConnectAs("ssluser", "ssluserpass", std::nullopt).code(),
            StatusCode::kPermissionDenied);
  Status tls = ConnectAs("ssluser", "ssluserpass", CaOnly());
  EXPECT_TRUE(tls.ok()) << tls.ToString();

  // Change grants, require and password in place.
  Value changed = Config(
      "ssluser",
      {{"password", Value::String("n3w'pass\\")},
       {"require", Value::String("x509")},
       {"grant", Grants({Grant({"SELECT", "insert"}, "app.*"), Grant({"PROCESS"}, "*.*", true)})}});
  auto plan = Plan(Read(state), changed);
  ASSERT_FALSE(plan.diags.HasError());
  EXPECT_TRUE(plan.requires_replace.empty());
  state = ApplyAndExpectEmptyPlan(state, changed);
  SqlTls cert = CaOnly();
  cert.cert_pem = server_->tls().client_cert_pem;
  cert.key_pem = server_->tls().client_key_pem;
  EXPECT_EQ(ConnectAs("ssluser", "n3w'pass\\", CaOnly()).code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(ConnectAs("ssluser", "n3w'pass\\", cert).ok());

  // Drift by hand: a REVOKE and REQUIRE NONE show in the next read and plan,
  // and apply repairs them.
  Sql("REVOKE INSERT ON app.* FROM 'ssluser'@'%'");
  Sql("ALTER USER 'ssluser'@'%' REQUIRE NONE");
  Value drifted = Read(state);
  EXPECT_EQ(*drifted.GetString("require"), "none");
  EXPECT_NE(drifted.GetAttr("grant"), state.GetAttr("grant"));
  auto repair = Plan(drifted, changed);
  ASSERT_FALSE(repair.diags.HasError());
  EXPECT_NE(repair.planned, drifted);
  state = ApplyAndExpectEmptyPlan(drifted, changed);
  EXPECT_EQ(*Read(state).GetString("require"), "x509");

  // Removing all grants revokes them.
  Value no_grants = Config(
      "ssluser", {{"password", Value::String("n3w'pass\\")}, {"require", Value::String("x509")}});
  state = ApplyAndExpectEmptyPlan(state, no_grants);

  // Dropped by hand: removed from state (Terraform then plans a create).
  Sql("DROP USER 'ssluser'@'%'");
  EXPECT_TRUE(Read(state).IsNull());
  state = ApplyAndExpectEmptyPlan(Value::Null(type_), no_grants);

  // Delete drops it; deleting again is not an error.
  auto del = core_.ApplyResourceChange(kType, state, Value::Null(type_), Value::Null(type_), "");
  EXPECT_FALSE(del.diags.HasError()) << Describe(del.diags);
  EXPECT_TRUE(Read(state).IsNull());
  del = core_.ApplyResourceChange(kType, state, Value::Null(type_), Value::Null(type_), "");
  EXPECT_FALSE(del.diags.HasError()) << Describe(del.diags);
}

// A database name with `_` is that database (the plan after apply is empty,
// the server holds the escaped grant); database_pattern keeps a pattern.
TEST_F(SslUserServerTest, UnderscoreInDatabaseNameIsLiteralUnlessAPattern) {
  Value config = Config(
      "wilduser",
      {{"password", Value::String("pw")},
       {"grant", Grants({Grant({"SELECT"}, "shop_db.*"), Grant({"INSERT"}, "`log_%`.*", false,
                                                               /*pattern=*/true)})}});
  Value state = ApplyAndExpectEmptyPlan(Value::Null(type_), config);
  SqlConnection root = Root();
  auto grants = root.Query("SHOW GRANTS FOR 'wilduser'@'%'");
  ASSERT_TRUE(grants.ok()) << grants.status().ToString();
  std::string all;
  for (const auto& row : grants->rows) all += row[0].value_or("") + "\n";
  EXPECT_NE(all.find("GRANT SELECT ON `shop\\_db`.*"), std::string::npos) << all;
  EXPECT_NE(all.find("GRANT INSERT ON `log_%`.*"), std::string::npos) << all;
  // Import reads the same back as written.
  auto imported = core_.ImportResourceState(kType, "wilduser@%");
  ASSERT_FALSE(imported.diags.HasError()) << Describe(imported.diags);
  Value read = Read(imported.objects[0].state);
  EXPECT_EQ(read.GetAttr("grant"), state.GetAttr("grant")) << read.DebugString();
}

TEST_F(SslUserServerTest, ImportMatchesCreatedState) {
  Value config = Config(
      "imported",
      {{"password", Value::String("pw")},
       {"grant", Grants({Grant({"SELECT", "UPDATE"}, "shop.*"), Grant({"ALL"}, "*.*", true)})}});
  Value created = ApplyAndExpectEmptyPlan(Value::Null(type_), config);
  auto imported = core_.ImportResourceState(kType, "imported@%");
  ASSERT_FALSE(imported.diags.HasError()) << Describe(imported.diags);
  ASSERT_EQ(imported.objects.size(), 1u);
  Value state = Read(imported.objects[0].state);
  // Everything but the (unreadable) password is the same.
  EXPECT_EQ(state.WithAttr("password", created.GetAttr("password")), created)
      << state.DebugString() << "\n"
      << created.DebugString();
  // With the password in the configuration the plan only sets it.
  auto plan = Plan(state, config);
  ASSERT_FALSE(plan.diags.HasError());
  EXPECT_TRUE(plan.requires_replace.empty());
  auto bad = core_.ImportResourceState(kType, "@%");
  EXPECT_TRUE(bad.diags.HasError());
}

TEST_F(SslUserServerTest, HostileNamesAndPasswordsAreQuoted) {
  const std::string name = "o'k`\\%\"é名";
  const std::string password = "p'w`\\\"%;-- é";
  Value config = Config(name, {{"password", Value::String(password)},
                               {"host", Value::String("127.0.0.1")},
                               {"grant", Grants({Grant({"SELECT"}, "`we``ird db`.*")})}});
  Value state = ApplyAndExpectEmptyPlan(Value::Null(type_), config);
  EXPECT_EQ(*state.GetString("id"), name + "@127.0.0.1");
  Status st = ConnectAs(name, password, CaOnly());
  EXPECT_TRUE(st.ok()) << st.ToString();
  auto imported = core_.ImportResourceState(kType, name + "@127.0.0.1");
  ASSERT_FALSE(imported.diags.HasError());
  EXPECT_EQ(Read(imported.objects[0].state).GetAttr("grant"), state.GetAttr("grant"));
  auto del = core_.ApplyResourceChange(kType, state, Value::Null(type_), Value::Null(type_), "");
  EXPECT_FALSE(del.diags.HasError()) << Describe(del.diags);
  EXPECT_TRUE(Read(state).IsNull());
}

TEST_F(SslUserServerTest, SubjectAndIssuerRoundTripAndAreEnforced) {
  const auto& tls = server_->tls();
  Value config = Config("x509user", {{"password", Value::String("pw")},
                                     {"require", Value::String("specified")},
                                     {"require_subject", Value::String(tls.client_subject)},
                                     {"require_issuer", Value::String(tls.ca_subject)}});
  ApplyAndExpectEmptyPlan(Value::Null(type_), config);
  SqlTls good = CaOnly();
  good.cert_pem = tls.client_cert_pem;
  good.key_pem = tls.client_key_pem;
  EXPECT_TRUE(ConnectAs("x509user", "pw", good).ok());
  EXPECT_EQ(ConnectAs("x509user", "pw", CaOnly()).code(), StatusCode::kPermissionDenied);
  SqlTls other = CaOnly();
  other.cert_pem = tls.other_client_cert_pem;
  other.key_pem = tls.other_client_key_pem;
  EXPECT_NE(ConnectAs("x509user", "pw", other).code(), StatusCode::kOk);
}

// MariaDB prints REQUIRE ISSUER '/O=O'Reilly/CN=CA' unescaped on the SHOW
// GRANTS line that also carries the password hash. The account is read back
// (REQUIRE comes from mysql.global_priv) and no diagnostic of any step
// carries the hash or the password.
TEST_F(SslUserServerTest, QuoteInIssuerReadsBackAndNoHashInAnyDiagnostic) {
  const std::string password = "pw-O'Reilly-7c1e";
  Value config = Config("oreilly", {{"password", Value::String(password)},
                                    {"require", Value::String("specified")},
                                    {"require_issuer", Value::String("/O=O'Reilly/CN=CA")},
                                    {"grant", Grants({Grant({"SELECT"}, "shop.*")})}});
  std::string hash;
  {
    SqlConnection root = Root();
    auto r = root.Query("SELECT PASSWORD(" + root.Quote(password) + ")");
    ASSERT_TRUE(r.ok() && r->rows.size() == 1 && r->rows[0][0]) << r.status().ToString();
    hash = *r->rows[0][0];
  }
  ASSERT_EQ(hash.size(), 41u);
  const std::string bare = hash.substr(1);  // without the leading '*'
  std::string all;
  auto collect = [&](const schema::Diagnostics& d) { all += Describe(d); };

  auto plan = Plan(Value::Null(type_), config);
  collect(plan.diags);
  auto applied = core_.ApplyResourceChange(kType, Value::Null(type_), plan.planned, config, "");
  collect(applied.diags);
  ASSERT_FALSE(applied.diags.HasError()) << Describe(applied.diags);
  auto read = core_.ReadResource(kType, applied.new_state, "");
  collect(read.diags);
  EXPECT_FALSE(read.diags.HasError()) << Describe(read.diags);
  EXPECT_EQ(read.new_state.GetString("require_issuer").value_or(""), "/O=O'Reilly/CN=CA");
  auto again = Plan(read.new_state, config);
  collect(again.diags);
  EXPECT_EQ(again.planned, read.new_state);
  auto destroyed =
      core_.ApplyResourceChange(kType, read.new_state, Value::Null(type_), Value::Null(type_), "");
  collect(destroyed.diags);
  EXPECT_EQ(all.find(bare), std::string::npos) << all;
  EXPECT_EQ(all.find(password), std::string::npos) << all;
}

TEST_F(SslUserServerTest, ClusterStatusReportsTlsSession) {
  Type dtype = core_.FindDataSource("pxc_cluster_status")->GetSchema().ImpliedType();
  Type mtype = dtype.attributes().at("mysql");
  Type ttype = mtype.attributes().at("tls");
  // Over TLS with the CA: the cipher is reported.
  Value with_tls = Obj(
      dtype,
      {{"require_tls", Value::Bool(true)},
       {"mysql",
        Obj(mtype, {{"tls", Obj(ttype, {{"ca_pem", Value::String(server_->tls().ca_pem)}})}})}});
  EXPECT_FALSE(core_.ValidateDataResourceConfig("pxc_cluster_status", with_tls).HasError());
  auto r = core_.ReadDataSource("pxc_cluster_status", with_tls);
  ASSERT_FALSE(r.diags.HasError()) << Describe(r.diags);
  EXPECT_FALSE(r.new_state.GetString("ssl_cipher").value_or("").empty());
  EXPECT_FALSE(r.new_state.GetString("ssl_version").value_or("").empty());
  EXPECT_NE(r.new_state.GetString("version").value_or("").find("MariaDB"), std::string::npos);
  EXPECT_TRUE(r.new_state.GetAttr("wsrep").IsKnown());
  // Without TLS, require_tls fails the read.
  Value plain = Obj(dtype, {{"require_tls", Value::Bool(true)}});
  auto p = core_.ReadDataSource("pxc_cluster_status", plain);
  ASSERT_TRUE(p.diags.HasError());
  std::vector<std::string> summaries;
  for (const auto& i : p.diags.items()) summaries.push_back(i.summary);
  // The plain connection is also warned about.
  EXPECT_EQ(summaries,
            (std::vector<std::string>{"MySQL Connection Without TLS", "Connection Not Encrypted"}));
}

// With only ca_pem, the server's name is verified: a certificate from the
// right CA that does not name the endpoint (the fixture's names 127.0.0.1
// and localhost, not 127.0.0.2) is refused with a diagnostic that says so;
// an explicit verify_server_cert = false connects, with a warning.
TEST_F(SslUserServerTest, CaPemAloneVerifiesTheServerName) {
  Type dtype = core_.FindDataSource("pxc_cluster_status")->GetSchema().ImpliedType();
  Type mtype = dtype.attributes().at("mysql");
  Type ttype = mtype.attributes().at("tls");
  auto read = [&](const std::string& host, std::optional<bool> verify) {
    std::map<std::string, Value> tls = {{"ca_pem", Value::String(server_->tls().ca_pem)}};
    if (verify) tls["verify_server_cert"] = Value::Bool(*verify);
    Value config =
        Obj(dtype,
            {{"mysql",
              Obj(mtype, {{"endpoint", Value::String(host + ":" + std::to_string(server_->port()))},
                          {"tls", Obj(ttype, tls)}})}});
    return core_.ReadDataSource("pxc_cluster_status", config);
  };
  auto warnings = [](const schema::Diagnostics& d) {
    std::string out;
    for (const auto& i : d.items()) {
      if (i.severity == schema::Severity::kWarning) out += i.summary + ": " + i.detail + "\n";
    }
    return out;
  };

  auto wrong_name = read("127.0.0.2", std::nullopt);
  ASSERT_TRUE(wrong_name.diags.HasError()) << "a certificate for another name was accepted";
  const auto& e = wrong_name.diags.items()[0];
  EXPECT_NE(e.detail.find("127.0.0.2"), std::string::npos) << e.detail;
  EXPECT_NE(e.detail.find("does not name"), std::string::npos) << e.detail;
  EXPECT_NE(e.detail.find("verify_server_cert"), std::string::npos) << e.detail;

  auto opted_out = read("127.0.0.2", false);
  EXPECT_FALSE(opted_out.diags.HasError()) << Describe(opted_out.diags);
  EXPECT_FALSE(opted_out.new_state.GetString("ssl_cipher").value_or("").empty());
  EXPECT_NE(warnings(opted_out.diags).find("MySQL Server Name Not Verified"), std::string::npos)
      << Describe(opted_out.diags);

  auto right_name = read("127.0.0.1", std::nullopt);
  EXPECT_FALSE(right_name.diags.HasError()) << Describe(right_name.diags);
  EXPECT_EQ(warnings(right_name.diags), "");
}

// Without TLS the plan says that credentials travel in clear.
TEST_F(SslUserServerTest, PlainConnectionsAreWarnedAboutAtPlan) {
  Value config = Config("plainwarn", {{"password", Value::String("pw")}});
  auto plan = Plan(Value::Null(type_), config);
  ASSERT_FALSE(plan.diags.HasError()) << Describe(plan.diags);
  bool warned = false;
  for (const auto& i : plan.diags.items()) {
    warned |= i.severity == schema::Severity::kWarning &&
              i.summary == "MySQL Connection Without TLS" &&
              i.detail.find("in clear") != std::string::npos;
  }
  EXPECT_TRUE(warned) << Describe(plan.diags);
}

}  // namespace
}  // namespace pxc::provider
