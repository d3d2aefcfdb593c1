#include "resources/ssl_user.h"

#include <set>

#include "resources/mysql/mysql_settings.h"
#include "resources/mysql/user_sql.h"
#include "resources/schema_names.h"
#include "schema/model.h"

namespace pxc::resources {

namespace {

constexpr char kGrant[] = "grant";

const char* KindName(UserSpec::Require::Kind k) {
  switch (k) {
    case UserSpec::Require::kNone:
      return "none";
    case UserSpec::Require::kSsl:
      return "ssl";
    case UserSpec::Require::kX509:
      return "x509";
    case UserSpec::Require::kSpecified:
      return "specified";
  }
  return "none";
}

UserSpec::Require::Kind KindFrom(const std::string& s) {
  if (s == "none") return UserSpec::Require::kNone;
  if (s == "x509") return UserSpec::Require::kX509;
  if (s == "specified") return UserSpec::Require::kSpecified;
  return UserSpec::Require::kSsl;
}

Value NullableString(const std::string& s) {
  return s.empty() ? Value::Null(Type::String()) : Value::String(s);
}

UserSpec::Grant GrantFrom(const Value& e) {
  UserSpec::Grant g;
  Value privs = e.GetAttr("privileges");
  if (privs.IsKnown()) {
    for (const auto& p : privs.Elements()) {
      if (p.IsKnown()) g.privileges.push_back(p.AsString());
    }
  }
  g.on = e.GetString("on").value_or("");
  g.with_grant_option = e.GetBool("with_grant_option").value_or(false);
  g.database_pattern = e.GetBool("database_pattern").value_or(false);
  return g;
}

// The spec a plan or state describes (not normalised). `password` only when
// set: `password`, else the write-only `password_wo` (present in
// configurations and, from the core, in plans being applied).
UserSpec SpecFrom(const Value& v, const schema::Block& block) {
  schema::ModelReader r(v, block);
  UserSpec s;
  s.name = r.String("name");
  s.host = r.String("host");
  s.password = r.OptString("password");
  if (!s.password) s.password = r.OptString("password_wo");
  s.auth_plugin = r.String("auth_plugin");
  s.require.kind = KindFrom(r.String("require"));
  s.require.subject = r.String("require_subject");
  s.require.issuer = r.String("require_issuer");
  s.require.cipher = r.String("require_cipher");
  Value grants = v.GetAttr(kGrant);
  if (grants.IsKnown()) {
    for (const auto& e : grants.Elements()) s.grants.push_back(GrantFrom(e));
  }
  return s;
}

// The normal form of one grant (nullopt when it normalises to nothing or is
// invalid).
std::optional<UserSpec::Grant> NormalGrant(const UserSpec::Grant& g) {
  UserSpec s;
  s.name = "x";
  s.grants = {g};
  auto n = NormalizeUserSpec(s);
  if (!n.ok() || n->grants.size() != 1) return std::nullopt;
  return n->grants[0];
}

std::string AccountId(const std::string& name, const std::string& host) {
  return name + "@" + host;
}

}  // namespace

SslUserResource::SslUserResource() {
  schema_.version = 0;
  schema_.block.description =
      "A MySQL / MariaDB / Percona XtraDB Cluster account that must connect with TLS, with its "
      "grants: `CREATE USER ... REQUIRE ...` then `GRANT` (never the removed `GRANT ... "
      "IDENTIFIED BY`). The TLS requirement and the grants are read back from the server "
      "(`mysql.global_priv` / `mysql.user` and `SHOW GRANTS`), so changes made by hand show as "
      "drift and a user dropped by hand is planned for re-creation. Renaming (`name`, `host`) "
      "replaces the account. Import with the ID `name@host`.\n\n"
      "Privileges are compared in normal form (case, `ALL PRIVILEGES` = `ALL`, aliases) but "
      "kept in state as written; an imported account reports them as the server spells them "
      "(upper case, `ALL`), so write them that way to get an empty plan after an import. Omit "
      "`with_grant_option` rather than setting it to `false`.\n\n"
      "To keep the password out of state and plan, give it as `password_wo` (write-only, "
      "Terraform 1.11 or later) with `password_wo_version`, e.g. from an `ephemeral = true` "
      "variable; bump `password_wo_version` to apply a new one.";
  auto& a = schema_.block.attributes;
  a.push_back(RequiredAttr("name", Type::String())
                  .RequiresReplace()
                  .Validate(schema::StringNotEmpty())
                  .Describe("User name. Any characters (quotes, backticks, `%`, non-ASCII) are "
                            "quoted safely. Changing it replaces the account."));
  a.push_back(OptionalComputedAttr("host", Type::String())
                  .Default(Value::String("%"))
                  .RequiresReplace()
                  .Describe("Host part of the account. Default `%`. Changing it replaces the "
                            "account."));
  a.push_back(OptionalAttr("password", Type::String())
                  .Sensitive()
                  .Describe("Password. Changed in place with `ALTER USER`. The server cannot "
                            "report it, so a password changed by hand is not detected. Stored "
                            "in state (sensitive); see `password_wo` to avoid that. Conflicts "
                            "with `password_wo`."));
  a.push_back(OptionalAttr("password_wo", Type::String())
                  .Sensitive()
                  .WriteOnly()
                  .Describe("Write-only password (Terraform 1.11 or later): used to create the "
                            "account and whenever `password_wo_version` changes, never stored in "
                            "state or plan. It may come from an ephemeral value. Changing only "
                            "this value changes nothing: bump `password_wo_version` with it. "
                            "Conflicts with `password`; requires `password_wo_version`."));
  a.push_back(OptionalAttr("password_wo_version", Type::Number())
                  .Describe("Version of `password_wo`, any number you choose (e.g. 1, 2, ...): "
                            "a change sets the account's password to the current "
                            "`password_wo` with `ALTER USER`. Required with `password_wo`."));
  a.push_back(OptionalAttr("auth_plugin", Type::String())
                  .Describe("Authentication plugin, e.g. `mysql_native_password`, "
                            "`caching_sha2_password` (MySQL 8) or `ed25519` (MariaDB). Unset: "
                            "the server's default, not tracked."));
  a.push_back(OptionalComputedAttr("require", Type::String())
                  .Default(Value::String("ssl"))
                  .Validate(schema::OneOf({"none", "ssl", "x509", "specified"}))
                  .Describe("The TLS requirement: `ssl` (default: TLS, no client certificate), "
                            "`x509` (a client certificate signed by a CA the server trusts), "
                            "`specified` (the `require_subject` / `require_issuer` / "
                            "`require_cipher` given) or `none`."));
  a.push_back(OptionalAttr("require_subject", Type::String())
                  .Describe("With `require = \"specified\"`: the exact client certificate "
                            "subject, e.g. `/O=Example/CN=app`."));
  a.push_back(OptionalAttr("require_issuer", Type::String())
                  .Describe("With `require = \"specified\"`: the exact issuer of the client "
                            "certificate, e.g. `/CN=PXC-CA`."));
  a.push_back(OptionalAttr("require_cipher", Type::String())
                  .Describe("With `require = \"specified\"`: the cipher the connection must use."));
  a.push_back(ComputedAttr("id", Type::String())
                  .UseStateForUnknown()
                  .Describe("`name@host`, the import ID."));

  schema::NestedBlock grant;
  grant.type_name = kGrant;
  grant.nesting = schema::Nesting::kSet;
  grant.block.description =
      "Privileges on one target. At most one block per target; privileges not listed are "
      "revoked.";
  grant.block.attributes.push_back(
      RequiredAttr("privileges", Type::Set(Type::String()))
          .Describe("Privilege names, e.g. `[\"SELECT\", \"INSERT\"]` or `[\"ALL\"]`. Checked "
                    "against an allow-list; column lists are not supported."));
  grant.block.attributes.push_back(
      RequiredAttr("on", Type::String())
          .Describe("Target: `*.*`, `db.*`, `db.table`; backticks for other names "
                    "(`` `my db`.* ``)."));
  grant.block.attributes.push_back(OptionalAttr("with_grant_option", Type::Bool())
                                       .Describe("Also grant GRANT OPTION on the target."));
  grant.block.attributes.push_back(
      OptionalAttr("database_pattern", Type::Bool())
          .Describe("For a `db.*` target: treat `_` and `%` in the database name as the "
                    "server's wildcards, so that the grant covers every database the pattern "
                    "matches (`` `app_%`.* ``). By default they are escaped (`app\\_db`): "
                    "`app_db.*` then means the database `app_db` only, not also `appXdb`. "
                    "Needs a `_` or `%` in the name. (MySQL 8 with `partial_revokes = ON` "
                    "has no patterns.)"));
  schema_.block.blocks.push_back(std::move(grant));
  schema_.block.blocks.push_back(mysql_settings::MysqlBlock(/*for_provider=*/false));
}

void SslUserResource::ValidateConfig(const Value& config, Diagnostics& diags) const {
  if (!config.IsKnown()) return;
  mysql_settings::Validate(config, AttributePath(), diags);
  schema::ValidateWriteOnlyVersioned(
      config, "password", "password_wo", "password_wo_version", "the password",
      "so a change of password_wo_version is how a new password is applied.", diags);
  const Value require = schema::ModelReader(config, schema_.block).Get("require");
  const bool require_known = require.IsKnown();
  const std::string kind = require_known ? require.AsString() : "";
  bool any_specified = false;
  for (const char* n : {"require_subject", "require_issuer", "require_cipher"}) {
    Value v = config.GetAttr(n);
    if (v.IsUnknown()) {
      any_specified = true;
      continue;
    }
    if (!v.IsKnown()) continue;
    any_specified = true;
    if (v.AsString().empty()) {
      diags.AddError("Invalid Attribute Value",
                     std::string(n) + " must not be empty; leave it unset instead.",
                     AttributePath::Root(n));
    } else if (require_known && kind != "specified") {
      diags.AddError("Conflicting Attributes",
                     std::string(n) + " needs require = \"specified\" (got \"" + kind +
                         "\"). The server stores SUBJECT, ISSUER and CIPHER only as a "
                         "specified requirement.",
                     AttributePath::Root(n));
    }
  }
  if (require_known && kind == "specified" && !any_specified) {
    diags.AddError("Missing Requirement",
                   "require = \"specified\" needs at least one of require_subject, "
                   "require_issuer or require_cipher.",
                   AttributePath::Root("require"));
  }
  if (auto plugin = config.GetString("auth_plugin")) {
    bool ok = !plugin->empty();
    for (char c : *plugin) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    if (!ok) {
      diags.AddError("Invalid Attribute Value",
                     "auth_plugin must be a plugin name made of letters, digits and '_', got \"" +
                         *plugin + "\".",
                     AttributePath::Root("auth_plugin"));
    }
  }
  Value grants = config.GetAttr(kGrant);
  if (grants.IsKnown()) {
    std::set<std::string> targets;
    int64_t i = 0;
    for (const auto& e : grants.Elements()) {
      const AttributePath gp = AttributePath::Root(kGrant).Index(i++);
      if (!e.IsKnown()) continue;
      bool privs_ok = true;
      Value privs = e.GetAttr("privileges");
      if (privs.IsKnown()) {
        for (const auto& p : privs.Elements()) {
          if (!p.IsKnown()) continue;
          auto c = CanonicalPrivilege(p.AsString());
          if (!c.ok()) {
            privs_ok = false;
            diags.AddStatus(c.status(), "Invalid Privilege",
                            "Use privilege names such as SELECT, INSERT, ALL; see the "
                            "documentation of pxc_ssl_user.",
                            gp.Attr("privileges"));
          }
        }
      }
      bool on_ok = true;
      if (auto on = e.GetString("on")) {
        auto t = ParseGrantTarget(*on);
        if (!t.ok()) {
          on_ok = false;
          diags.AddStatus(t.status(), "Invalid Grant Target", "", gp.Attr("on"));
        } else if (e.GetBool("database_pattern").value_or(false) &&
                   (!t->db || t->table || !HasDatabaseWildcard(*t->db))) {
          diags.AddError("Not a Database Pattern",
                         "database_pattern applies to a `db.*` target whose database name has "
                         "a `_` or `%` wildcard; \"" +
                             *on + "\" has none. Remove database_pattern.",
                         gp.Attr("database_pattern"));
        } else if (!targets.insert(FormatGrantTarget(*t)).second) {
          diags.AddError("Duplicate Grant Target",
                         "Another grant block already names " + FormatGrantTarget(*t) +
                             ". Put all privileges on one target into one block.",
                         gp.Attr("on"));
        }
      } else {
        on_ok = false;
      }
      if (privs_ok && on_ok && e.IsWhollyKnown()) {
        if (!NormalGrant(GrantFrom(e))) {
          diags.AddError("Empty Grant",
                         "This grant block grants nothing (no privilege other than USAGE and no "
                         "grant option). Remove it or list privileges.",
                         gp.Attr("privileges"));
        }
      }
    }
  }
  // Everything else NormalizeUserSpec checks (NUL bytes, invalid UTF-8).
  if (!diags.HasError() && config.IsWhollyKnown()) {
    auto n = NormalizeUserSpec(SpecFrom(config, schema_.block));
    if (!n.ok()) diags.AddStatus(n.status(), "Invalid User", "", AttributePath::Root("name"));
  }
}

void SslUserResource::ModifyPlan(schema::PlanContext& ctx) const {
  mysql_settings::AddTransportWarnings(ctx.planned, ctx.provider, ctx.diags);
  Value name = ctx.planned.GetAttr("name");
  Value host = ctx.planned.GetAttr("host");
  if (name.IsKnown() && host.IsKnown()) {
    ctx.planned =
        ctx.planned.WithAttr("id", Value::String(AccountId(name.AsString(), host.AsString())));
  }
}

void SslUserResource::Create(schema::ApplyContext& ctx) const {
  const Value& plan = ctx.planned;
  UserSpec spec = SpecFrom(plan, schema_.block);
  const std::string account = AccountId(spec.name, spec.host);
  auto session =
      mysql_settings::Connect(plan, ctx.provider, "Unable to Create User " + account, ctx.diags);
  if (!session) return;
  auto stmts = CreateUserStatements(spec, session->dialect);
  if (!stmts.ok()) {
    return ctx.diags.AddStatus(stmts.status(), "Invalid User " + account);
  }
  SqlConnection& conn = *session->conn;
  for (size_t i = 0; i < stmts->size(); ++i) {
    Status st = conn.Execute((*stmts)[i]);
    if (st.ok()) continue;
    if (i == 0) {
      std::string hint =
          st.code() == StatusCode::kFailedPrecondition
              ? "If the account already exists, import it (ID \"" + account + "\") instead."
              : "";
      return ctx.diags.AddStatus(st, "Unable to Create User " + account, hint);
    }
    // Do not leave a half-made account behind.
    auto drop = DropUserStatement(spec.name, spec.host, session->dialect);
    if (drop.ok()) (void)conn.Execute(*drop);
    return mysql_settings::AddSqlError(st, "Unable to Grant Privileges to " + account, ctx.diags,
                                       AttributePath::Root(kGrant));
  }
  ctx.new_state = plan.WithAttr("id", Value::String(account));
}

void SslUserResource::Read(schema::ReadContext& ctx) const {
  const Value& cur = ctx.current;
  ctx.new_state = cur;
  UserSpec prior = SpecFrom(cur, schema_.block);
  const std::string account = AccountId(prior.name, prior.host);
  auto session =
      mysql_settings::Connect(cur, ctx.provider, "Unable to Read User " + account, ctx.diags);
  if (!session) return;
  auto got = ReadUser(*session->conn, prior.name, prior.host, session->dialect);
  if (!got.ok()) {
    return mysql_settings::AddSqlError(got.status(), "Unable to Read User " + account, ctx.diags);
  }
  if (!got->has_value()) {  // dropped outside Terraform
    ctx.new_state = Value::Null(cur.type());
    return;
  }
  const UserSpec& server = **got;
  Value next = cur;
  next = next.WithAttr("id", Value::String(account));
  if (next.GetAttr("host").IsNull()) next = next.WithAttr("host", Value::String(prior.host));
  next = next.WithAttr("require", Value::String(KindName(server.require.kind)));
  next = next.WithAttr("require_subject", NullableString(server.require.subject));
  next = next.WithAttr("require_issuer", NullableString(server.require.issuer));
  next = next.WithAttr("require_cipher", NullableString(server.require.cipher));
  if (!prior.auth_plugin.empty()) {
    std::string lower = prior.auth_plugin;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower != server.auth_plugin && !server.auth_plugin.empty()) {
      next = next.WithAttr("auth_plugin", Value::String(server.auth_plugin));
    }
  }
  // Grants: keep the state's element (the user's spelling) where it means
  // the same as what the server reports; otherwise the server's normal form.
  Value grants = cur.GetAttr(kGrant);
  const Type elem_type = grants.type().element();
  std::vector<Value> elems;
  for (const auto& g : server.grants) {
    std::optional<Value> keep;
    if (grants.IsKnown()) {
      for (const auto& e : grants.Elements()) {
        auto n = NormalGrant(GrantFrom(e));
        if (n && *n == g) {
          keep = e;
          break;
        }
      }
    }
    if (keep) {
      elems.push_back(*keep);
      continue;
    }
    std::vector<Value> privs;
    for (const auto& p : g.privileges) privs.push_back(Value::String(p));
    UserSpec::Grant written = GrantAsWritten(g);
    auto obj = Value::ObjectOf(
        elem_type,
        {{"privileges", Value::Set(Type::String(), std::move(privs))},
         {"on", Value::String(written.on)},
         {"with_grant_option", g.with_grant_option ? Value::Bool(true) : Value::Null(Type::Bool())},
         {"database_pattern",
          written.database_pattern ? Value::Bool(true) : Value::Null(Type::Bool())}});
    if (!obj.ok()) return ctx.diags.AddStatus(obj.status(), "Internal Provider Error");
    elems.push_back(*obj);
  }
  if (elems.empty() && grants.IsNull()) {
    next = next.WithAttr(kGrant, Value::Null(grants.type()));
  } else {
    next = next.WithAttr(kGrant, Value::Set(elem_type, std::move(elems)));
  }
  ctx.new_state = next;
}

void SslUserResource::Update(schema::ApplyContext& ctx) const {
  const Value& plan = ctx.planned;
  UserSpec desired = SpecFrom(plan, schema_.block);
  const std::string account = AccountId(desired.name, desired.host);
  auto session =
      mysql_settings::Connect(plan, ctx.provider, "Unable to Update User " + account, ctx.diags);
  if (!session) return;
  // Diff against the server itself (the state may be stale with
  // -refresh=false); the password is the one last applied.
  auto got = ReadUser(*session->conn, desired.name, desired.host, session->dialect);
  if (!got.ok()) {
    return mysql_settings::AddSqlError(got.status(), "Unable to Read User " + account, ctx.diags);
  }
  StatusOr<std::vector<SqlStatement>> stmts = std::vector<SqlStatement>{};
  if (!got->has_value()) {
    stmts = CreateUserStatements(desired, session->dialect);
  } else {
    UserSpec current = **got;
    current.password = ctx.prior.GetString("password");
    // password_wo is applied only when its version changes (the core cannot
    // compare a value it never stores).
    if (!plan.GetString("password") &&
        plan.GetAttr("password_wo_version") == ctx.prior.GetAttr("password_wo_version")) {
      desired.password.reset();
    }
    stmts = DiffUserStatements(current, desired, session->dialect);
  }
  if (!stmts.ok()) return ctx.diags.AddStatus(stmts.status(), "Invalid User " + account);
  Status st = ApplyStatements(*session->conn, *stmts);
  if (!st.ok()) {
    return mysql_settings::AddSqlError(st, "Unable to Update User " + account, ctx.diags);
  }
  ctx.new_state = plan.WithAttr("id", Value::String(account));
}

void SslUserResource::Delete(schema::ApplyContext& ctx) const {
  UserSpec spec = SpecFrom(ctx.prior, schema_.block);
  const std::string account = AccountId(spec.name, spec.host);
  auto session =
      mysql_settings::Connect(ctx.prior, ctx.provider, "Unable to Drop User " + account, ctx.diags);
  if (!session) return;
  auto drop = DropUserStatement(spec.name, spec.host, session->dialect);
  if (!drop.ok()) return ctx.diags.AddStatus(drop.status(), "Invalid User " + account);
  Status st = session->conn->Execute(*drop);
  if (!st.ok()) mysql_settings::AddSqlError(st, "Unable to Drop User " + account, ctx.diags);
}

void SslUserResource::ImportState(schema::ImportContext& ctx) const {
  std::string name = ctx.id, host = "%";
  auto at = ctx.id.rfind('@');
  if (at != std::string::npos) {
    name = ctx.id.substr(0, at);
    host = ctx.id.substr(at + 1);
  }
  if (name.empty() || host.empty()) {
    ctx.diags.AddError("Invalid Import ID",
                       "Import a user with the ID \"name@host\", for example \"ssluser@%\", got "
                       "\"" +
                           ctx.id + "\".");
    return;
  }
  const Type grant_type = schema_.ImpliedType().attributes().at(kGrant).element();
  auto obj = Value::ObjectOf(schema_.ImpliedType(), {{"name", Value::String(name)},
                                                     {"host", Value::String(host)},
                                                     {"id", Value::String(AccountId(name, host))},
                                                     {"require", Value::String("none")},
                                                     {kGrant, Value::Set(grant_type, {})}});
  if (!obj.ok()) return ctx.diags.AddStatus(obj.status(), "Internal Provider Error");
  ctx.state = *obj;
}

}  // namespace pxc::resources
