// Implementation of resources/mysql/user_sql_internal.h: text checks,
// privilege names and the SHOW GRANTS tokenizer.
#include "resources/mysql/user_sql_internal.h"

#include <algorithm>
#include <map>
#include <set>

namespace pxc::resources {
namespace user_sql_internal {

Status CheckText(std::string_view s, std::string_view what) {
  if (s.find('\0') != std::string_view::npos) {
    return InvalidArgumentError(std::string(what) + " contains a NUL byte");
  }
  if (!IsValidUtf8(s)) return InvalidArgumentError(std::string(what) + " is not valid UTF-8");
  return OkStatus();
}

bool IsIdentChar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$';
}

std::string SquashPrivilege(std::string_view p) {
  std::string out;
  bool space = false;
  for (char c : p) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return AsciiUpper(out);
}

std::string ApplyAlias(std::string p) {
  auto it = PrivilegeAliases().find(p);
  return it == PrivilegeAliases().end() ? p : it->second;
}

bool IsSafePrivilegeToken(std::string_view p) {
  if (p.empty() || p.front() == ' ' || p.back() == ' ') return false;
  char prev = 0;
  for (char c : p) {
    bool ok =
        (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || (c == ' ' && prev != ' ');
    if (!ok) return false;
    prev = c;
  }
  return true;
}

std::optional<std::string> LenientPrivilege(std::string_view p) {
  std::string s = ApplyAlias(SquashPrivilege(p));
  if (PrivilegeSet().count(s) || IsSafePrivilegeToken(s)) return s;
  return std::nullopt;
}

std::vector<std::string> FinishPrivileges(std::set<std::string> privs) {
  privs.erase("USAGE");
  if (privs.count("ALL")) return {"ALL"};
  return std::vector<std::string>(privs.begin(), privs.end());
}

void CollapseMySqlGlobalAll(std::vector<UserSpec::Grant>* grants, const SqlDialect& dialect) {
  if (dialect.IsMariaDB()) return;
  for (UserSpec::Grant& g : *grants) {
    if (g.on != "*.*") continue;
    const auto& all = MySql8StaticGlobal();
    size_t have = 0;
    bool dynamic = false;
    for (const auto& p : g.privileges) {
      have += all.count(p);
      if (p.find('_') != std::string::npos && p.find(' ') == std::string::npos) dynamic = true;
    }
    if (have == all.size() && dynamic) g.privileges = {"ALL"};
  }
}

std::string PrivilegeSql(const std::string& p) { return p == "ALL" ? "ALL PRIVILEGES" : p; }

std::string NormalizeHost(std::string_view host) {
  return host.empty() ? std::string("%") : AsciiLower(host);
}

bool IsWordByte(unsigned char c) { return IsIdentChar(c) || c >= 0x80; }

StatusOr<std::vector<Token>> Tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
    } else if (c == '`') {
      std::string text;
      ++i;
      bool closed = false;
      while (i < s.size()) {
        if (s[i] == '`') {
          if (i + 1 < s.size() && s[i + 1] == '`') {
            text += '`';
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        text += s[i++];
      }
      if (!closed) return InvalidArgumentError("unterminated `identifier`");
      out.push_back({Token::kIdent, std::move(text)});
    } else if (c == '\'' || c == '"') {
      char q = static_cast<char>(c);
      std::string text;
      ++i;
      bool closed = false;
      while (i < s.size()) {
        char d = s[i];
        if (d == '\\' && i + 1 < s.size()) {
          char e = s[i + 1];
          switch (e) {
            case '0':
              text += '\0';
              break;
            case 'b':
              text += '\b';
              break;
            case 'n':
              text += '\n';
              break;
            case 'r':
              text += '\r';
              break;
            case 't':
              text += '\t';
              break;
            case 'Z':
              text += '\x1a';
              break;
            case '%':
              text += "\\%";
              break;
            case '_':
              text += "\\_";
              break;
            default:
              text += e;
              break;
          }
          i += 2;
          continue;
        }
        if (d == q) {
          if (i + 1 < s.size() && s[i + 1] == q) {
            text += q;
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        text += d;
        ++i;
      }
      if (!closed) return InvalidArgumentError("unterminated string literal");
      out.push_back({Token::kString, std::move(text)});
    } else if (IsWordByte(c)) {
      size_t start = i;
      while (i < s.size() && IsWordByte(static_cast<unsigned char>(s[i]))) ++i;
      out.push_back({Token::kWord, std::string(s.substr(start, i - start))});
    } else {
      out.push_back({Token::kPunct, std::string(1, static_cast<char>(c))});
      ++i;
    }
  }
  return out;
}

bool IsWord(const Token& t, std::string_view upper) {
  return t.kind == Token::kWord && AsciiUpper(t.text) == upper;
}

bool IsPunct(const Token& t, char c) { return t.kind == Token::kPunct && t.text[0] == c; }

StatusOr<std::vector<UserSpec::Grant>> NormalizeGrants(const std::vector<UserSpec::Grant>& grants,
                                                       bool strict) {
  std::map<std::string, std::pair<std::set<std::string>, bool>> by_target;
  for (size_t gi = 0; gi < grants.size(); ++gi) {
    const UserSpec::Grant& g = grants[gi];
    PXC_ASSIGN_OR_RETURN(GrantTarget target, ParseGrantTarget(g.on));
    // A user's database name means that database unless it is a pattern;
    // what the server reports is already in its own (escaped) form.
    if (strict && !g.database_pattern && target.db && !target.table) {
      target.db = EscapeDatabaseWildcards(*target.db);
    }
    auto& [privs, wgo] = by_target[FormatGrantTarget(target)];
    for (const std::string& p : g.privileges) {
      if (strict) {
        auto c = CanonicalPrivilege(p);
        if (!c.ok()) return c.status().WithContext("grant on " + FormatGrantTarget(target));
        privs.insert(*c);
      } else if (auto c = LenientPrivilege(p)) {
        privs.insert(*c);
      }
    }
    wgo = wgo || g.with_grant_option;
  }
  std::vector<UserSpec::Grant> out;
  for (auto& [on, entry] : by_target) {
    std::vector<std::string> privs = FinishPrivileges(std::move(entry.first));
    if (privs.empty() && !entry.second) continue;
    out.push_back(UserSpec::Grant{std::move(privs), on, entry.second});
  }
  return out;
}

const std::set<std::string>& PrivilegeSet() {
  static const std::set<std::string> kSet = {
      // Static privileges common to MySQL and MariaDB.
      "ALL", "ALTER", "ALTER ROUTINE", "CREATE", "CREATE ROUTINE", "CREATE TABLESPACE",
      "CREATE TEMPORARY TABLES", "CREATE USER", "CREATE VIEW", "DELETE", "DROP", "EVENT", "EXECUTE",
      "FILE", "INDEX", "INSERT", "LOCK TABLES", "PROCESS", "REFERENCES", "RELOAD",
      "REPLICATION CLIENT", "REPLICATION SLAVE", "SELECT", "SHOW DATABASES", "SHOW VIEW",
      "SHUTDOWN", "SUPER", "TRIGGER", "UPDATE", "USAGE",
      // MySQL 8.0 static.
      "CREATE ROLE", "DROP ROLE",
      // MariaDB 10.3+ (10.5 split SUPER).
      "BINLOG ADMIN", "BINLOG REPLAY", "CONNECTION ADMIN", "DELETE HISTORY", "FEDERATED ADMIN",
      "READ_ONLY ADMIN", "REPLICATION MASTER ADMIN", "REPLICATION SLAVE ADMIN", "SET USER",
      "SLAVE MONITOR", "SHOW CREATE ROUTINE",
      // MySQL 8.0 / Percona 8.0 dynamic privileges.
      "APPLICATION_PASSWORD_ADMIN", "AUDIT_ABORT_EXEMPT", "AUDIT_ADMIN",
      "AUTHENTICATION_POLICY_ADMIN", "BACKUP_ADMIN", "BINLOG_ADMIN", "BINLOG_ENCRYPTION_ADMIN",
      "CLONE_ADMIN", "CONNECTION_ADMIN", "ENCRYPTION_KEY_ADMIN", "FIREWALL_ADMIN",
      "FIREWALL_EXEMPT", "FIREWALL_USER", "FLUSH_OPTIMIZER_COSTS", "FLUSH_STATUS", "FLUSH_TABLES",
      "FLUSH_USER_RESOURCES", "GROUP_REPLICATION_ADMIN", "GROUP_REPLICATION_STREAM",
      "INNODB_REDO_LOG_ARCHIVE", "INNODB_REDO_LOG_ENABLE", "NDB_STORED_USER",
      "PASSWORDLESS_USER_ADMIN", "PERSIST_RO_VARIABLES_ADMIN", "REPLICATION_APPLIER",
      "REPLICATION_SLAVE_ADMIN", "RESOURCE_GROUP_ADMIN", "RESOURCE_GROUP_USER", "ROLE_ADMIN",
      "SENSITIVE_VARIABLES_OBSERVER", "SERVICE_CONNECTION_ADMIN", "SESSION_VARIABLES_ADMIN",
      "SET_USER_ID", "SHOW_ROUTINE", "SKIP_QUERY_REWRITE", "SYSTEM_USER", "SYSTEM_VARIABLES_ADMIN",
      "TABLE_ENCRYPTION_ADMIN", "TELEMETRY_LOG_ADMIN", "VERSION_TOKEN_ADMIN", "XA_RECOVER_ADMIN"};
  return kSet;
}

const std::map<std::string, std::string>& PrivilegeAliases() {
  static const std::map<std::string, std::string> kAliases = {
      {"ALL PRIVILEGES", "ALL"},
      {"BINLOG MONITOR", "REPLICATION CLIENT"},  // MariaDB 10.5+ prints BINLOG MONITOR
      {"REPLICA MONITOR", "SLAVE MONITOR"},
      {"REPLICATION REPLICA", "REPLICATION SLAVE"},
  };
  return kAliases;
}

const std::set<std::string>& MySql8StaticGlobal() {
  static const std::set<std::string> kSet = {"SELECT",
                                             "INSERT",
                                             "UPDATE",
                                             "DELETE",
                                             "CREATE",
                                             "DROP",
                                             "RELOAD",
                                             "SHUTDOWN",
                                             "PROCESS",
                                             "FILE",
                                             "REFERENCES",
                                             "INDEX",
                                             "ALTER",
                                             "SHOW DATABASES",
                                             "SUPER",
                                             "CREATE TEMPORARY TABLES",
                                             "LOCK TABLES",
                                             "EXECUTE",
                                             "REPLICATION SLAVE",
                                             "REPLICATION CLIENT",
                                             "CREATE VIEW",
                                             "SHOW VIEW",
                                             "CREATE ROUTINE",
                                             "ALTER ROUTINE",
                                             "CREATE USER",
                                             "EVENT",
                                             "TRIGGER",
                                             "CREATE TABLESPACE",
                                             "CREATE ROLE",
                                             "DROP ROLE"};
  return kSet;
}

}  // namespace user_sql_internal

}  // namespace pxc::resources
