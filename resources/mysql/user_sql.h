// SQL for the pxc_ssl_user resource: the account model, quoting, the
// statements that create / change / drop an account, and reading an account
// back from the server (SHOW GRANTS, mysql.user, mysql.global_priv) into the
// same model, so that a plan right after an apply is empty.
//
// Everything here except ReadUser/ApplyStatements is pure (no I/O) and
// thread-safe.
//
// Wildcards: `_` and `%` in the database name of a database-level target
// (`db.*`) are patterns to the server. pxc escapes them (`my\_db`.*) unless
// the grant says database_pattern; on MySQL with partial_revokes = ON, where
// they are literal anyway, the escaping is left out of the statements and
// added when reading back, so the normal form is the same on every server.
//
// Quoting (one approach for MySQL and MariaDB):
//  - String literals ('...'): a single quote is doubled ('') in every mode;
//    a backslash is doubled (\\) unless the session has NO_BACKSLASH_ESCAPES
//    (SqlDialect::no_backslash_escapes, from SqlConnection::NoBackslashEscapes),
//    in which case it is left as is. The result is read back as the exact
//    input under the session's sql_mode on both servers. NUL bytes and invalid
//    UTF-8 are rejected (statements are sent over a utf8mb4 connection, where
//    byte-wise escaping is safe because no UTF-8 sequence contains an ASCII
//    byte).
//  - Accounts are emitted as 'name'@'host' with the string rules above.
//  - Database and table names are emitted in backticks with ` doubled (no
//    escapes apply inside backticks in any mode); * is kept bare.
//  - Privileges are never quoted: they are checked against an allow-list of
//    privilege names (column lists and anything else are rejected).
//
// Normal form (NormalizeUserSpec; ReadUser returns it): host lower-cased
// ("" becomes "%", as the server stores it); auth_plugin lower-cased;
// privileges upper-cased with single spaces, aliases mapped ("ALL PRIVILEGES"
// -> "ALL", "BINLOG MONITOR" -> "REPLICATION CLIENT", "REPLICA MONITOR" ->
// "SLAVE MONITOR", "REPLICATION REPLICA" -> "REPLICATION SLAVE"), sorted,
// deduplicated, USAGE dropped, and ALL alone when present; grants merged per
// target and sorted by target; a grant with no privilege and no grant option
// dropped; `on` written as db.table with backticks only where needed
// (`my db`.*, db.*, *.*).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "resources/mysql/sql_client.h"
#include "schema/status.h"

namespace pxc::resources {

struct UserSpec {
  std::string name;
  std::string host = "%";
  // Write-only: the server cannot report it. In DiffUserStatements,
  // current.password is the password last applied (from state).
  std::optional<std::string> password;
  // "" = the server's default; otherwise e.g. "mysql_native_password",
  // "ed25519" (MariaDB), "caching_sha2_password" (MySQL 8).
  std::string auth_plugin;

  struct Require {
    enum Kind { kNone, kSsl, kX509, kSpecified };
    Kind kind = kNone;
    // Only with kSpecified; at least one is non-empty. Subject and issuer in
    // the server's "/O=org/CN=name" form.
    std::string subject, issuer, cipher;
    bool operator==(const Require&) const = default;
  } require;

  struct Grant {
    std::vector<std::string> privileges;
    std::string on;  // "db.table", "db.*", "*.*", "`my db`.*"
    bool with_grant_option = false;
    // For a `db.*` target: `_` and `%` in the database name are the server's
    // wildcards (a pattern). Otherwise (the default) they are escaped
    // (`my\_db`), so that "my_db.*" means the database my_db only. The
    // normal form carries the escaping in `on` and has this false.
    bool database_pattern = false;
    bool operator==(const Grant&) const = default;
  };
  std::vector<Grant> grants;

  bool operator==(const UserSpec&) const = default;
};

enum class SqlFlavor { kMariaDB, kMySQL, kPercona };

// What statement generation and read-back need to know about the server.
struct SqlDialect {
  SqlFlavor flavor = SqlFlavor::kMariaDB;
  int major = 10;
  int minor = 11;
  bool no_backslash_escapes = false;
  // `_` and `%` in database names of GRANT are wildcards (false on MySQL
  // 8.0.16+ with partial_revokes = ON, where they are literal).
  bool db_wildcards = true;

  bool IsMariaDB() const { return flavor == SqlFlavor::kMariaDB; }
  // From SqlConnection::Info() and SqlConnection::NoBackslashEscapes().
  static SqlDialect From(const SqlConnection::ServerInfo& info, bool no_backslash_escapes);
};

// ---------------------------------------------------------------------------
// Quoting. kInvalidArgument for NUL bytes or invalid UTF-8.

// 'text' (see the file comment for the rules).
StatusOr<std::string> QuoteString(std::string_view s, const SqlDialect& dialect);
// `text` with ` doubled. Also rejects an empty identifier.
StatusOr<std::string> QuoteIdentifier(std::string_view s);
// 'name'@'host'. The name may not be empty.
StatusOr<std::string> QuoteAccount(std::string_view name, std::string_view host,
                                   const SqlDialect& dialect);

// ---------------------------------------------------------------------------
// Grant targets and privileges.

struct GrantTarget {
  std::optional<std::string> db;     // nullopt = *
  std::optional<std::string> table;  // nullopt = *
  bool operator==(const GrantTarget&) const = default;
};

// Parses "*.*", "db.*", "db.table", "`my db`.*", "`we``ird`.`t`" (spaces
// around parts allowed). Bare parts are [A-Za-z0-9_$] and non-ASCII UTF-8;
// anything else needs backticks. "*" alone, "db" alone and "*.table" are
// kInvalidArgument with a message saying what to write instead.
StatusOr<GrantTarget> ParseGrantTarget(std::string_view on);
// The normal-form `on` text (backticks only where a part is not a plain
// ASCII identifier or is all digits).
std::string FormatGrantTarget(const GrantTarget& target);
// The SQL form: *.*, `db`.*, `db`.`table`.
std::string GrantTargetSql(const GrantTarget& target);

// `_` and `%` in a database name: escaped with a backslash unless already
// escaped ("my_db" -> "my\_db"), and back. Names are otherwise unchanged.
std::string EscapeDatabaseWildcards(std::string_view db);
std::string UnescapeDatabaseWildcards(std::string_view db);
// Whether a database name has an unescaped `_` or `%`.
bool HasDatabaseWildcard(std::string_view db);

// A normal-form grant as a user would write it: `on` without the escaping
// of wildcards, and database_pattern set when the database name is a
// pattern (has an unescaped wildcard). For showing what the server has.
UserSpec::Grant GrantAsWritten(const UserSpec::Grant& normal);

// The canonical name of a privilege given by a user ("select" -> "SELECT",
// "all privileges" -> "ALL", "binlog monitor" -> "REPLICATION CLIENT"), or
// kInvalidArgument if it is not on the allow-list (column lists such as
// "SELECT (a)", punctuation, unknown words).
StatusOr<std::string> CanonicalPrivilege(std::string_view privilege);
// All canonical privilege names accepted (sorted).
const std::vector<std::string>& AllowedPrivileges();

// Validates `spec` and returns its normal form (see the file comment).
// kInvalidArgument for an empty name, NUL bytes or invalid UTF-8 anywhere, an
// auth_plugin that is not [A-Za-z0-9_]+, a REQUIRE with subject/issuer/cipher
// but a kind other than kSpecified (or kSpecified with none), a privilege not
// on the allow-list or an invalid target.
StatusOr<UserSpec> NormalizeUserSpec(const UserSpec& spec);

// ---------------------------------------------------------------------------
// Statements. All take a spec (normalised internally) and return statements
// whose `secrets` list the quoted password literal, if any.

// CREATE USER 'n'@'h' [IDENTIFIED ...] REQUIRE ..., then one GRANT per grant.
// IDENTIFIED: BY '<pw>' when no plugin is given; with a plugin,
// MySQL/Percona use IDENTIFIED WITH <plugin> [BY '<pw>'] and MariaDB
// IDENTIFIED VIA <plugin> [USING PASSWORD('<pw>')] (MariaDB only for
// password-hashing plugins: mysql_native_password, ed25519, parsec;
// kInvalidArgument for a password with another MariaDB plugin). Never the
// removed GRANT ... IDENTIFIED BY.
StatusOr<std::vector<SqlStatement>> CreateUserStatements(const UserSpec& spec,
                                                         const SqlDialect& dialect);
// The REQUIRE clause: "REQUIRE NONE", "REQUIRE SSL", "REQUIRE X509",
// "REQUIRE SUBJECT '..' AND ISSUER '..' AND CIPHER '..'" (given parts only).
StatusOr<std::string> RequireClause(const UserSpec::Require& require, const SqlDialect& dialect);
// ALTER USER 'n'@'h' REQUIRE ...
StatusOr<SqlStatement> AlterRequireStatement(const UserSpec& spec, const SqlDialect& dialect);
// ALTER USER 'n'@'h' IDENTIFIED ... (as in CREATE USER). kInvalidArgument when
// the spec has neither a password nor a plugin.
StatusOr<SqlStatement> AlterIdentifiedStatement(const UserSpec& spec, const SqlDialect& dialect);
// GRANT p1, p2 ON target TO 'n'@'h' [WITH GRANT OPTION]; "GRANT USAGE ..."
// when only the grant option is given. ALL is written ALL PRIVILEGES.
StatusOr<SqlStatement> GrantStatement(std::string_view name, std::string_view host,
                                      const UserSpec::Grant& grant, const SqlDialect& dialect);
// REVOKE p1, p2 ON target FROM 'n'@'h'. (REVOKE GRANT OPTION is a privilege
// name here: pass {"GRANT OPTION"}.)
StatusOr<SqlStatement> RevokeStatement(std::string_view name, std::string_view host,
                                       const std::vector<std::string>& privileges,
                                       std::string_view on, const SqlDialect& dialect);
// DROP USER IF EXISTS 'n'@'h' (idempotent, as Delete must be).
StatusOr<SqlStatement> DropUserStatement(std::string_view name, std::string_view host,
                                         const SqlDialect& dialect);

// The statements that turn `current` into `desired` (both normalised first),
// in order: RENAME USER (name/host changed), ALTER USER ... IDENTIFIED (the
// password differs from current.password, which must be the password last
// applied, or a non-empty auth_plugin differs), ALTER USER ... REQUIRE, then
// per target REVOKE before GRANT. Only grants that exist are revoked (the
// server rejects revoking a grant that does not exist). Empty when nothing
// differs. An empty desired.auth_plugin means "keep whatever the server has".
StatusOr<std::vector<SqlStatement>> DiffUserStatements(const UserSpec& current,
                                                       const UserSpec& desired,
                                                       const SqlDialect& dialect);

// ---------------------------------------------------------------------------
// Reading back.

struct ParsedGrants {
  // Normal form (sorted by target, privileges canonical).
  std::vector<UserSpec::Grant> grants;
  // The REQUIRE clause when a line carries one (MariaDB prints it on the
  // global line; MySQL 5.7+/8.0 never do: read mysql.user instead).
  std::optional<UserSpec::Require> require;
  // Lines or parts the model does not cover and that are left alone: role
  // grants, PROXY, routine (PROCEDURE/FUNCTION/PACKAGE) grants, column-level
  // privileges, MySQL partial revokes, SET DEFAULT ROLE.
  std::vector<std::string> ignored;
};

// Parses the rows of SHOW GRANTS FOR (MariaDB 10.x/11.x, MySQL 5.7 and 8.0,
// Percona). Accounts may be quoted with ` or '. On MySQL/Percona, a global
// grant listing every static privilege and some dynamic ones (how 8.0 prints
// GRANT ALL ON *.*) becomes ALL, the dynamic privileges folded into it.
// Privilege names not on the allow-list but made only of letters, digits,
// '_' and single spaces (newer dynamic privileges) are kept as they are.
// kInvalidArgument for a GRANT line that cannot be parsed.
StatusOr<ParsedGrants> ParseShowGrants(const std::vector<std::string>& lines,
                                       const SqlDialect& dialect);

// REQUIRE from mysql.user columns: ssl_type ('', 'ANY', 'X509',
// 'SPECIFIED'), ssl_cipher, x509_issuer, x509_subject.
StatusOr<UserSpec::Require> RequireFromUserRow(std::string_view ssl_type,
                                               std::string_view ssl_cipher,
                                               std::string_view x509_issuer,
                                               std::string_view x509_subject);

// What mysql.global_priv.Priv (MariaDB 10.4+ JSON) says about TLS and the
// plugin: "ssl_type" 0 none / 1 ANY / 2 X509 / 3 SPECIFIED (absent = none),
// "ssl_cipher", "x509_issuer", "x509_subject", "plugin".
struct GlobalPriv {
  UserSpec::Require require;
  std::string plugin;
};
StatusOr<GlobalPriv> ParseGlobalPrivJson(std::string_view json);

// Reads an account: REQUIRE and plugin from mysql.global_priv (MariaDB
// 10.4+) or mysql.user (MySQL, Percona, older MariaDB), grants from SHOW
// GRANTS. Returns nullopt when the account does not exist. The password is
// never set. Errors from `sql` are passed on.
StatusOr<std::optional<UserSpec>> ReadUser(SqlExecutor& sql, std::string_view name,
                                           std::string_view host, const SqlDialect& dialect);

// Executes `statements` in order, stopping at the first error (returned with
// the redacted statement as context).
Status ApplyStatements(SqlExecutor& sql, const std::vector<SqlStatement>& statements);

}  // namespace pxc::resources
