// Implementation of resources/mysql/user_sql.h: quoting, grant targets,
// privileges and the normal form, statements and diffs. What the server
// reports is read back in user_sql_read.cc.
#include "resources/mysql/user_sql.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <regex>
#include <set>
#include <utility>

#include "resources/mysql/user_sql_internal.h"

namespace pxc::resources {
using namespace user_sql_internal;

// ---------------------------------------------------------------------------
// Dialect.

SqlDialect SqlDialect::From(const SqlConnection::ServerInfo& info, bool no_backslash_escapes) {
  SqlDialect d;
  if (info.flavor == "mariadb") {
    d.flavor = SqlFlavor::kMariaDB;
  } else if (info.flavor == "percona") {
    d.flavor = SqlFlavor::kPercona;
  } else {
    d.flavor = SqlFlavor::kMySQL;
  }
  d.major = info.major;
  d.minor = info.minor;
  d.no_backslash_escapes = no_backslash_escapes;
  return d;
}

// ---------------------------------------------------------------------------
// Quoting.

StatusOr<std::string> QuoteString(std::string_view s, const SqlDialect& dialect) {
  PXC_RETURN_IF_ERROR(CheckText(s, "a string value"));
  std::string out;
  out.reserve(s.size() + 2);
  out += '\'';
  for (char c : s) {
    if (c == '\'') {
      out += "''";
    } else if (c == '\\' && !dialect.no_backslash_escapes) {
      out += "\\\\";
    } else {
      out += c;
    }
  }
  out += '\'';
  return out;
}

StatusOr<std::string> QuoteIdentifier(std::string_view s) {
  if (s.empty()) return InvalidArgumentError("an identifier is empty");
  PXC_RETURN_IF_ERROR(CheckText(s, "an identifier"));
  std::string out = "`";
  for (char c : s) {
    if (c == '`') out += '`';
    out += c;
  }
  out += '`';
  return out;
}

StatusOr<std::string> QuoteAccount(std::string_view name, std::string_view host,
                                   const SqlDialect& dialect) {
  if (name.empty()) return InvalidArgumentError("the user name is empty");
  auto n = QuoteString(name, dialect);
  if (!n.ok()) return n.status().WithContext("user name");
  auto h = QuoteString(host, dialect);
  if (!h.ok()) return h.status().WithContext("user host");
  return *n + "@" + *h;
}

// ---------------------------------------------------------------------------
// Targets.

StatusOr<GrantTarget> ParseGrantTarget(std::string_view on) {
  const std::string quoted = "\"" + std::string(on) + "\"";
  PXC_RETURN_IF_ERROR(CheckText(on, "grant target " + quoted));
  size_t i = 0;
  auto ws = [&] {
    while (i < on.size() && (on[i] == ' ' || on[i] == '\t')) ++i;
  };
  // A part: '*' (nullopt), `quoted` or bare.
  auto part = [&]() -> StatusOr<std::optional<std::string>> {
    ws();
    if (i >= on.size()) {
      return InvalidArgumentError("grant target " + quoted + " is incomplete");
    }
    if (on[i] == '*') {
      ++i;
      return std::optional<std::string>();
    }
    if (on[i] == '`') {
      std::string name;
      ++i;
      for (;;) {
        if (i >= on.size()) {
          return InvalidArgumentError("grant target " + quoted + " has an unterminated `name`");
        }
        if (on[i] == '`') {
          if (i + 1 < on.size() && on[i + 1] == '`') {
            name += '`';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        name += on[i++];
      }
      if (name.empty()) {
        return InvalidArgumentError("grant target " + quoted + " has an empty `` name");
      }
      return std::optional<std::string>(std::move(name));
    }
    size_t start = i;
    while (i < on.size() && (IsIdentChar(static_cast<unsigned char>(on[i])) ||
                             static_cast<unsigned char>(on[i]) >= 0x80))
      ++i;
    if (i == start) {
      return InvalidArgumentError("grant target " + quoted + ": unexpected '" +
                                  std::string(1, on[i]) +
                                  "'; put database or table names with such characters in "
                                  "backticks, e.g. `my db`.*");
    }
    return std::optional<std::string>(std::string(on.substr(start, i - start)));
  };

  PXC_ASSIGN_OR_RETURN(std::optional<std::string> db, part());
  ws();
  if (i >= on.size()) {
    if (!db) {
      return InvalidArgumentError("grant target " + quoted +
                                  " is ambiguous (it means the current database); use *.* for "
                                  "all databases or db.* for one database");
    }
    return InvalidArgumentError("grant target " + quoted + " names no table; write " +
                                FormatGrantTarget({db, std::nullopt}) +
                                " for all tables of the database");
  }
  if (on[i] != '.') {
    return InvalidArgumentError("grant target " + quoted + ": expected '.' after the database");
  }
  ++i;
  PXC_ASSIGN_OR_RETURN(std::optional<std::string> table, part());
  ws();
  if (i != on.size()) {
    return InvalidArgumentError("grant target " + quoted +
                                ": unexpected text after the table; use db.table, db.* or *.*");
  }
  if (!db && table) {
    return InvalidArgumentError("grant target " + quoted +
                                ": a table needs a database (db.table), not *");
  }
  return GrantTarget{std::move(db), std::move(table)};
}

namespace {
std::string FormatPart(const std::optional<std::string>& p) {
  if (!p) return "*";
  bool plain = !p->empty();
  bool all_digits = true;
  for (char c : *p) {
    if (!IsIdentChar(static_cast<unsigned char>(c))) plain = false;
    if (c < '0' || c > '9') all_digits = false;
  }
  if (plain && !all_digits) return *p;
  std::string out = "`";
  for (char c : *p) {
    if (c == '`') out += '`';
    out += c;
  }
  return out + "`";
}
std::string SqlPart(const std::optional<std::string>& p) {
  if (!p) return "*";
  std::string out = "`";
  for (char c : *p) {
    if (c == '`') out += '`';
    out += c;
  }
  return out + "`";
}
}  // namespace

std::string FormatGrantTarget(const GrantTarget& t) {
  return FormatPart(t.db) + "." + FormatPart(t.table);
}

std::string GrantTargetSql(const GrantTarget& t) { return SqlPart(t.db) + "." + SqlPart(t.table); }

std::string EscapeDatabaseWildcards(std::string_view db) {
  std::string out;
  for (size_t i = 0; i < db.size(); ++i) {
    char c = db[i];
    if (c == '\\' && i + 1 < db.size()) {  // an escape the user wrote: keep it
      out += c;
      out += db[++i];
      continue;
    }
    if (c == '_' || c == '%') out += '\\';
    out += c;
  }
  return out;
}

std::string UnescapeDatabaseWildcards(std::string_view db) {
  std::string out;
  for (size_t i = 0; i < db.size(); ++i) {
    if (db[i] == '\\' && i + 1 < db.size() && (db[i + 1] == '_' || db[i + 1] == '%')) continue;
    out += db[i];
  }
  return out;
}

bool HasDatabaseWildcard(std::string_view db) {
  for (size_t i = 0; i < db.size(); ++i) {
    if (db[i] == '\\') {
      ++i;
    } else if (db[i] == '_' || db[i] == '%') {
      return true;
    }
  }
  return false;
}

UserSpec::Grant GrantAsWritten(const UserSpec::Grant& normal) {
  UserSpec::Grant g = normal;
  auto target = ParseGrantTarget(normal.on);
  if (!target.ok() || !target->db || target->table) return g;
  if (HasDatabaseWildcard(*target->db)) {
    g.database_pattern = true;
  } else {
    target->db = UnescapeDatabaseWildcards(*target->db);
    g.on = FormatGrantTarget(*target);
  }
  return g;
}

namespace {

// The target as the server must read it in `dialect`.
std::string TargetSql(GrantTarget t, const SqlDialect& dialect) {
  if (!dialect.db_wildcards && t.db && !t.table) t.db = UnescapeDatabaseWildcards(*t.db);
  return GrantTargetSql(t);
}

}  // namespace

// ---------------------------------------------------------------------------
// Privileges and normalisation.

StatusOr<std::string> CanonicalPrivilege(std::string_view privilege) {
  std::string s = ApplyAlias(SquashPrivilege(privilege));
  if (PrivilegeSet().count(s)) return s;
  std::string shown(privilege);
  if (shown.find('(') != std::string::npos) {
    return InvalidArgumentError("privilege \"" + shown +
                                "\" has a column list; column-level privileges are not "
                                "supported, grant on the table instead");
  }
  return InvalidArgumentError("unknown privilege \"" + shown +
                              "\"; use privilege names such as SELECT, INSERT, ALL, "
                              "REPLICATION CLIENT (see the documentation for the full list)");
}

const std::vector<std::string>& AllowedPrivileges() {
  static const std::vector<std::string> kList = [] {
    std::set<std::string> all = PrivilegeSet();
    for (const auto& [alias, canonical] : PrivilegeAliases()) all.insert(alias);
    return std::vector<std::string>(all.begin(), all.end());
  }();
  return kList;
}

namespace {

Status CheckRequire(const UserSpec::Require& r) {
  PXC_RETURN_IF_ERROR(CheckText(r.subject, "require subject"));
  PXC_RETURN_IF_ERROR(CheckText(r.issuer, "require issuer"));
  PXC_RETURN_IF_ERROR(CheckText(r.cipher, "require cipher"));
  bool any = !r.subject.empty() || !r.issuer.empty() || !r.cipher.empty();
  if (r.kind == UserSpec::Require::kSpecified && !any) {
    return InvalidArgumentError(
        "require: a specified requirement needs a subject, an issuer or a cipher");
  }
  if (r.kind != UserSpec::Require::kSpecified && any) {
    return InvalidArgumentError(
        "require: subject, issuer and cipher can only be given with the specified kind "
        "(they imply a client certificate, like X509)");
  }
  return OkStatus();
}

Status CheckPlugin(std::string_view plugin) {
  for (char c : plugin) {
    if (!IsIdentChar(static_cast<unsigned char>(c)) || c == '$') {
      return InvalidArgumentError("auth_plugin \"" + std::string(plugin) +
                                  "\" is not a plugin name (letters, digits and _ only)");
    }
  }
  return OkStatus();
}

// Lower-cases host and plugin; no privilege validation.
StatusOr<UserSpec> NormalizeAccount(const UserSpec& spec) {
  UserSpec out = spec;
  if (out.name.empty()) return InvalidArgumentError("the user name is empty");
  PXC_RETURN_IF_ERROR(CheckText(out.name, "the user name"));
  PXC_RETURN_IF_ERROR(CheckText(out.host, "the user host"));
  if (out.password) PXC_RETURN_IF_ERROR(CheckText(*out.password, "the password"));
  PXC_RETURN_IF_ERROR(CheckPlugin(out.auth_plugin));
  out.host = NormalizeHost(out.host);
  out.auth_plugin = AsciiLower(out.auth_plugin);
  PXC_RETURN_IF_ERROR(CheckRequire(out.require));
  return out;
}

}  // namespace

StatusOr<UserSpec> NormalizeUserSpec(const UserSpec& spec) {
  PXC_ASSIGN_OR_RETURN(UserSpec out, NormalizeAccount(spec));
  PXC_ASSIGN_OR_RETURN(out.grants, NormalizeGrants(spec.grants, /*strict=*/true));
  return out;
}

// ---------------------------------------------------------------------------
// Statements.

namespace {

bool PluginHashesPassword(std::string_view plugin) {
  return plugin == "mysql_native_password" || plugin == "ed25519" || plugin == "parsec";
}

// " IDENTIFIED ..." or "" and the secret literal.
StatusOr<SqlStatement> IdentifiedClause(const UserSpec& spec, const SqlDialect& dialect) {
  SqlStatement out;
  std::string pw;
  if (spec.password) {
    PXC_ASSIGN_OR_RETURN(pw, QuoteString(*spec.password, dialect));
    out.secrets.push_back(pw);
  }
  if (spec.auth_plugin.empty()) {
    if (spec.password) out.sql = " IDENTIFIED BY " + pw;
    return out;
  }
  if (dialect.IsMariaDB()) {
    out.sql = " IDENTIFIED VIA " + spec.auth_plugin;
    if (spec.password) {
      if (!PluginHashesPassword(spec.auth_plugin)) {
        return InvalidArgumentError(
            "auth_plugin \"" + spec.auth_plugin +
            "\" does not take a password on MariaDB; leave the password unset or use "
            "mysql_native_password or ed25519");
      }
      out.sql += " USING PASSWORD(" + pw + ")";
    }
  } else {
    out.sql = " IDENTIFIED WITH " + spec.auth_plugin;
    if (spec.password) out.sql += " BY " + pw;
  }
  return out;
}

StatusOr<std::string> PrivilegeListSql(const std::vector<std::string>& privileges, bool strict) {
  std::vector<std::string> parts;
  for (const std::string& p : privileges) {
    std::string c;
    if (strict) {
      PXC_ASSIGN_OR_RETURN(c, CanonicalPrivilege(p));
    } else {
      c = ApplyAlias(SquashPrivilege(p));
      if (!PrivilegeSet().count(c) && c != "GRANT OPTION" && !IsSafePrivilegeToken(c)) {
        return InvalidArgumentError("privilege \"" + p + "\" cannot be revoked: not a name");
      }
    }
    if (std::find(parts.begin(), parts.end(), PrivilegeSql(c)) == parts.end()) {
      parts.push_back(PrivilegeSql(c));
    }
  }
  return Join(parts, ", ");
}

StatusOr<SqlStatement> GrantStatementNormalized(const std::string& account,
                                                const UserSpec::Grant& g,
                                                const SqlDialect& dialect) {
  PXC_ASSIGN_OR_RETURN(GrantTarget target, ParseGrantTarget(g.on));
  std::vector<std::string> privs;
  for (const std::string& p : g.privileges) {
    PXC_ASSIGN_OR_RETURN(std::string c, CanonicalPrivilege(p));
    if (c != "USAGE") privs.push_back(c);
  }
  std::string list;
  if (privs.empty()) {
    if (!g.with_grant_option) {
      return InvalidArgumentError("grant on " + g.on + " has no privileges");
    }
    list = "USAGE";
  } else {
    PXC_ASSIGN_OR_RETURN(list, PrivilegeListSql(privs, true));
  }
  std::string sql = "GRANT " + list + " ON " + TargetSql(target, dialect) + " TO " + account;
  if (g.with_grant_option) sql += " WITH GRANT OPTION";
  return SqlStatement{std::move(sql), {}};
}

}  // namespace

StatusOr<std::string> RequireClause(const UserSpec::Require& r, const SqlDialect& dialect) {
  PXC_RETURN_IF_ERROR(CheckRequire(r));
  switch (r.kind) {
    case UserSpec::Require::kNone:
      return std::string("REQUIRE NONE");
    case UserSpec::Require::kSsl:
      return std::string("REQUIRE SSL");
    case UserSpec::Require::kX509:
      return std::string("REQUIRE X509");
    case UserSpec::Require::kSpecified:
      break;
  }
  std::vector<std::string> parts;
  if (!r.subject.empty()) {
    PXC_ASSIGN_OR_RETURN(std::string q, QuoteString(r.subject, dialect));
    parts.push_back("SUBJECT " + q);
  }
  if (!r.issuer.empty()) {
    PXC_ASSIGN_OR_RETURN(std::string q, QuoteString(r.issuer, dialect));
    parts.push_back("ISSUER " + q);
  }
  if (!r.cipher.empty()) {
    PXC_ASSIGN_OR_RETURN(std::string q, QuoteString(r.cipher, dialect));
    parts.push_back("CIPHER " + q);
  }
  return "REQUIRE " + Join(parts, " AND ");
}

StatusOr<std::vector<SqlStatement>> CreateUserStatements(const UserSpec& spec,
                                                         const SqlDialect& dialect) {
  PXC_ASSIGN_OR_RETURN(UserSpec s, NormalizeUserSpec(spec));
  PXC_ASSIGN_OR_RETURN(std::string account, QuoteAccount(s.name, s.host, dialect));
  PXC_ASSIGN_OR_RETURN(SqlStatement identified, IdentifiedClause(s, dialect));
  PXC_ASSIGN_OR_RETURN(std::string require, RequireClause(s.require, dialect));
  std::vector<SqlStatement> out;
  out.push_back(
      SqlStatement{"CREATE USER " + account + identified.sql + " " + require, identified.secrets});
  for (const UserSpec::Grant& g : s.grants) {
    PXC_ASSIGN_OR_RETURN(SqlStatement st, GrantStatementNormalized(account, g, dialect));
    out.push_back(std::move(st));
  }
  return out;
}

StatusOr<SqlStatement> AlterRequireStatement(const UserSpec& spec, const SqlDialect& dialect) {
  PXC_ASSIGN_OR_RETURN(UserSpec s, NormalizeAccount(spec));
  PXC_ASSIGN_OR_RETURN(std::string account, QuoteAccount(s.name, s.host, dialect));
  PXC_ASSIGN_OR_RETURN(std::string require, RequireClause(s.require, dialect));
  return SqlStatement{"ALTER USER " + account + " " + require, {}};
}

StatusOr<SqlStatement> AlterIdentifiedStatement(const UserSpec& spec, const SqlDialect& dialect) {
  PXC_ASSIGN_OR_RETURN(UserSpec s, NormalizeAccount(spec));
  if (!s.password && s.auth_plugin.empty()) {
    return InvalidArgumentError("changing authentication needs a password or an auth_plugin");
  }
  PXC_ASSIGN_OR_RETURN(std::string account, QuoteAccount(s.name, s.host, dialect));
  PXC_ASSIGN_OR_RETURN(SqlStatement identified, IdentifiedClause(s, dialect));
  return SqlStatement{"ALTER USER " + account + identified.sql, identified.secrets};
}

StatusOr<SqlStatement> GrantStatement(std::string_view name, std::string_view host,
                                      const UserSpec::Grant& grant, const SqlDialect& dialect) {
  PXC_ASSIGN_OR_RETURN(std::string account, QuoteAccount(name, NormalizeHost(host), dialect));
  UserSpec::Grant g = grant;
  PXC_ASSIGN_OR_RETURN(GrantTarget target, ParseGrantTarget(g.on));
  if (!g.database_pattern && target.db && !target.table) {
    target.db = EscapeDatabaseWildcards(*target.db);  // idempotent on escaped names
    g.on = FormatGrantTarget(target);
  }
  g.database_pattern = false;
  return GrantStatementNormalized(account, g, dialect);
}

StatusOr<SqlStatement> RevokeStatement(std::string_view name, std::string_view host,
                                       const std::vector<std::string>& privileges,
                                       std::string_view on, const SqlDialect& dialect) {
  PXC_ASSIGN_OR_RETURN(std::string account, QuoteAccount(name, NormalizeHost(host), dialect));
  PXC_ASSIGN_OR_RETURN(GrantTarget target, ParseGrantTarget(on));
  if (privileges.empty()) return InvalidArgumentError("REVOKE needs at least one privilege");
  PXC_ASSIGN_OR_RETURN(std::string list, PrivilegeListSql(privileges, false));
  return SqlStatement{"REVOKE " + list + " ON " + TargetSql(target, dialect) + " FROM " + account,
                      {}};
}

StatusOr<SqlStatement> DropUserStatement(std::string_view name, std::string_view host,
                                         const SqlDialect& dialect) {
  PXC_ASSIGN_OR_RETURN(std::string account, QuoteAccount(name, NormalizeHost(host), dialect));
  return SqlStatement{"DROP USER IF EXISTS " + account, {}};
}

StatusOr<std::vector<SqlStatement>> DiffUserStatements(const UserSpec& current_in,
                                                       const UserSpec& desired_in,
                                                       const SqlDialect& dialect) {
  // `current` comes from the server: its privilege names are checked
  // leniently; `desired` comes from the user: strictly.
  PXC_ASSIGN_OR_RETURN(UserSpec current, NormalizeAccount(current_in));
  PXC_ASSIGN_OR_RETURN(current.grants, NormalizeGrants(current_in.grants, /*strict=*/false));
  PXC_ASSIGN_OR_RETURN(UserSpec desired, NormalizeUserSpec(desired_in));
  CollapseMySqlGlobalAll(&current.grants, dialect);

  std::vector<SqlStatement> out;
  PXC_ASSIGN_OR_RETURN(std::string account, QuoteAccount(desired.name, desired.host, dialect));
  if (current.name != desired.name || current.host != desired.host) {
    PXC_ASSIGN_OR_RETURN(std::string old_account,
                         QuoteAccount(current.name, current.host, dialect));
    out.push_back(SqlStatement{"RENAME USER " + old_account + " TO " + account, {}});
  }

  bool plugin_changed = !desired.auth_plugin.empty() && desired.auth_plugin != current.auth_plugin;
  bool password_changed = desired.password.has_value() && desired.password != current.password;
  if (plugin_changed || password_changed) {
    PXC_ASSIGN_OR_RETURN(SqlStatement st, AlterIdentifiedStatement(desired, dialect));
    out.push_back(std::move(st));
  }
  if (!(desired.require == current.require)) {
    PXC_ASSIGN_OR_RETURN(SqlStatement st, AlterRequireStatement(desired, dialect));
    out.push_back(std::move(st));
  }

  std::map<std::string, const UserSpec::Grant*> cur, want;
  for (const auto& g : current.grants) cur[g.on] = &g;
  for (const auto& g : desired.grants) want[g.on] = &g;
  std::set<std::string> targets;
  for (const auto& [on, g] : cur) targets.insert(on);
  for (const auto& [on, g] : want) targets.insert(on);

  static const UserSpec::Grant kNothing{};
  for (const std::string& on : targets) {
    const UserSpec::Grant& c = cur.count(on) ? *cur[on] : kNothing;
    const UserSpec::Grant& d = want.count(on) ? *want[on] : kNothing;
    std::set<std::string> cs(c.privileges.begin(), c.privileges.end());
    std::set<std::string> ds(d.privileges.begin(), d.privileges.end());
    std::vector<std::string> revoke, grant;
    if (ds.count("ALL")) {
      if (!cs.count("ALL")) grant.push_back("ALL");
    } else if (cs.count("ALL")) {
      revoke.push_back("ALL");
      grant.assign(ds.begin(), ds.end());
    } else {
      for (const auto& p : cs)
        if (!ds.count(p)) revoke.push_back(p);
      for (const auto& p : ds)
        if (!cs.count(p)) grant.push_back(p);
    }
    if (!revoke.empty()) {
      PXC_ASSIGN_OR_RETURN(SqlStatement st,
                           RevokeStatement(desired.name, desired.host, revoke, on, dialect));
      out.push_back(std::move(st));
    }
    if (c.with_grant_option && !d.with_grant_option) {
      PXC_ASSIGN_OR_RETURN(SqlStatement st, RevokeStatement(desired.name, desired.host,
                                                            {"GRANT OPTION"}, on, dialect));
      out.push_back(std::move(st));
    }
    bool add_option = d.with_grant_option && !c.with_grant_option;
    if (!grant.empty() || add_option) {
      UserSpec::Grant g{grant, on, add_option};
      PXC_ASSIGN_OR_RETURN(SqlStatement st, GrantStatementNormalized(account, g, dialect));
      out.push_back(std::move(st));
    }
  }
  return out;
}

Status ApplyStatements(SqlExecutor& sql, const std::vector<SqlStatement>& statements) {
  for (const SqlStatement& st : statements) {
    Status s = sql.Execute(st);
    if (!s.ok()) return s.WithContext(st.Redacted());
  }
  return OkStatus();
}

}  // namespace pxc::resources
