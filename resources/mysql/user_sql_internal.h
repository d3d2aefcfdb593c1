// Helpers shared by the files that implement resources/mysql/user_sql.h:
// user_sql.cc (quoting, targets, normal form, statements) and
// user_sql_read.cc (SHOW GRANTS, mysql.user and mysql.global_priv read back).
// Not for other callers.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "resources/mysql/user_sql.h"
#include "schema/text.h"

namespace pxc::resources::user_sql_internal {

// ---------------------------------------------------------------------------
// Text checks.

Status CheckText(std::string_view s, std::string_view what);

bool IsIdentChar(unsigned char c);

// ---------------------------------------------------------------------------
// Privileges.

// Canonical names accepted from users. Multi-word names use single spaces.
const std::set<std::string>& PrivilegeSet();

const std::map<std::string, std::string>& PrivilegeAliases();

// The global privileges MySQL 8.0 lists instead of ALL PRIVILEGES on *.*.
const std::set<std::string>& MySql8StaticGlobal();

// Upper case, runs of whitespace collapsed to one space, trimmed.
std::string SquashPrivilege(std::string_view p);

std::string ApplyAlias(std::string p);

// Letters, digits and '_' in words separated by single spaces: cannot carry
// SQL syntax, so it is safe to emit even when not on the allow-list.
bool IsSafePrivilegeToken(std::string_view p);

// For names read back from the server: canonical if known, else kept when
// safe. nullopt when neither.
std::optional<std::string> LenientPrivilege(std::string_view p);

// Sorts, deduplicates, drops USAGE, reduces to ALL when ALL is present.
std::vector<std::string> FinishPrivileges(std::set<std::string> privs);

// MySQL 8.0 prints GRANT ALL ON *.* as the list of static privileges plus a
// line of dynamic ones (BACKUP_ADMIN, ...). A global grant read back with
// every static privilege and at least one dynamic one is therefore ALL, and
// the dynamic privileges ALL implies fold into it. (Every static privilege
// without any dynamic one is left as listed: that is what granting exactly
// those gives.)
void CollapseMySqlGlobalAll(std::vector<UserSpec::Grant>* grants, const SqlDialect& dialect);

std::string PrivilegeSql(const std::string& p);

// ---------------------------------------------------------------------------
// Accounts.

std::string NormalizeHost(std::string_view host);

// ---------------------------------------------------------------------------
// SHOW GRANTS tokenizer.

struct Token {
  enum Kind { kWord, kIdent, kString, kPunct } kind;
  std::string text;
};

bool IsWordByte(unsigned char c);

StatusOr<std::vector<Token>> Tokenize(std::string_view s);

bool IsWord(const Token& t, std::string_view upper);
bool IsPunct(const Token& t, char c);

// Merges grants per target (normal form), sorted by target; privilege names
// are checked strictly (a user's) or leniently (the server's).
StatusOr<std::vector<UserSpec::Grant>> NormalizeGrants(const std::vector<UserSpec::Grant>& grants,
                                                       bool strict);

}  // namespace pxc::resources::user_sql_internal
