// Implementation of resources/mysql/user_sql.h: reading an account back
// from the server (SHOW GRANTS, mysql.user, MariaDB's mysql.global_priv JSON
// through nlohmann-json) into the normal form.
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <utility>

#include "resources/mysql/user_sql.h"
#include "resources/mysql/user_sql_internal.h"

namespace pxc::resources {

using namespace user_sql_internal;

// ---------------------------------------------------------------------------
// Reading back.

namespace {

// A SHOW GRANTS line as it may appear in messages: everything from
// IDENTIFIED on is withheld (MariaDB prints the password hash there).
std::string SafeGrantLine(std::string_view line) {
  std::string upper = AsciiUpper(line);
  size_t cut = upper.find("IDENTIFIED");
  if (cut == std::string::npos) return std::string(line);
  return std::string(line.substr(0, cut)) + "[rest withheld: it may hold a password hash]";
}

// Parses one SHOW GRANTS line into `result` and `raw` (only on success).
// `safe` is the line as messages may show it.
Status ParseGrantLine(const std::string& line, const std::string& safe, ParsedGrants& result,
                      std::vector<UserSpec::Grant>& raw) {
  auto bad = [&](std::string_view what) {
    return InvalidArgumentError("cannot parse SHOW GRANTS line \"" + safe +
                                "\": " + std::string(what));
  };
  auto toks_or = Tokenize(line);
  if (!toks_or.ok()) return bad(toks_or.status().message());
  const std::vector<Token>& t = *toks_or;
  if (t.empty()) return OkStatus();
  if (!IsWord(t[0], "GRANT")) {
    result.ignored.push_back(safe);  // REVOKE (partial revokes), SET DEFAULT ROLE, ...
    return OkStatus();
  }
  size_t i = 1;
  // Privilege list.
  std::vector<std::string> privs;
  std::vector<std::string> words;
  bool role_grant = false;
  bool column_level = false;
  auto flush = [&] {
    if (!words.empty()) privs.push_back(Join(words, " "));
    words.clear();
  };
  for (; i < t.size(); ++i) {
    const Token& tok = t[i];
    if (tok.kind == Token::kWord && (IsWord(tok, "ON") || IsWord(tok, "TO"))) break;
    if (tok.kind == Token::kIdent || tok.kind == Token::kString) {
      role_grant = true;
      break;
    }
    if (IsPunct(tok, ',')) {
      flush();
    } else if (IsPunct(tok, '(')) {
      // Column list: the privilege before it is column-level.
      column_level = true;
      words.clear();
      while (i < t.size() && !IsPunct(t[i], ')')) ++i;
      if (i >= t.size()) return bad("unterminated column list");
    } else if (tok.kind == Token::kWord) {
      words.push_back(AsciiUpper(tok.text));
    } else {
      return bad("unexpected '" + tok.text + "' in the privilege list");
    }
  }
  flush();
  if (role_grant || i >= t.size() || IsWord(t[i], "TO")) {
    result.ignored.push_back(safe);  // GRANT `role` TO ...
    return OkStatus();
  }
  ++i;  // ON
  if (i < t.size() &&
      (IsWord(t[i], "PROCEDURE") || IsWord(t[i], "FUNCTION") || IsWord(t[i], "PACKAGE"))) {
    result.ignored.push_back(safe);
    return OkStatus();
  }
  if (std::find(privs.begin(), privs.end(), "PROXY") != privs.end()) {
    result.ignored.push_back(safe);
    return OkStatus();
  }
  if (i < t.size() && IsWord(t[i], "TABLE")) ++i;
  // Target: part [. part]
  auto read_part = [&](std::optional<std::string>* out) -> bool {
    if (i >= t.size()) return false;
    if (IsPunct(t[i], '*')) {
      *out = std::nullopt;
    } else if (t[i].kind == Token::kIdent || t[i].kind == Token::kWord) {
      *out = t[i].text;
    } else {
      return false;
    }
    ++i;
    return true;
  };
  GrantTarget target;
  if (!read_part(&target.db)) return bad("expected a database after ON");
  if (i < t.size() && IsPunct(t[i], '.')) {
    ++i;
    if (!read_part(&target.table)) return bad("expected a table after '.'");
  } else {
    return bad("expected db.table after ON");
  }
  if (i >= t.size() || !IsWord(t[i], "TO")) return bad("expected TO after the target");
  ++i;
  // Account: name@host.
  if (i < t.size()) ++i;
  if (i < t.size() && IsPunct(t[i], '@')) i += 2;
  // Options.
  bool wgo = false;
  while (i < t.size()) {
    if (IsWord(t[i], "REQUIRE")) {
      ++i;
      UserSpec::Require r;
      if (i < t.size() && IsWord(t[i], "NONE")) {
        r.kind = UserSpec::Require::kNone;
        ++i;
      } else if (i < t.size() && IsWord(t[i], "SSL")) {
        r.kind = UserSpec::Require::kSsl;
        ++i;
      } else if (i < t.size() && IsWord(t[i], "X509")) {
        r.kind = UserSpec::Require::kX509;
        ++i;
      } else {
        r.kind = UserSpec::Require::kSpecified;
        while (i + 1 < t.size() && t[i].kind == Token::kWord && t[i + 1].kind == Token::kString) {
          std::string key = AsciiUpper(t[i].text);
          if (key == "SUBJECT") {
            r.subject = t[i + 1].text;
          } else if (key == "ISSUER") {
            r.issuer = t[i + 1].text;
          } else if (key == "CIPHER") {
            r.cipher = t[i + 1].text;
          } else {
            return bad("unknown REQUIRE option " + t[i].text);
          }
          i += 2;
          if (i < t.size() && IsWord(t[i], "AND")) ++i;
        }
        if (r.subject.empty() && r.issuer.empty() && r.cipher.empty()) {
          return bad("empty REQUIRE clause");
        }
      }
      result.require = r;
    } else if (IsWord(t[i], "WITH")) {
      ++i;
      while (i < t.size()) {
        if (IsWord(t[i], "GRANT") && i + 1 < t.size() && IsWord(t[i + 1], "OPTION")) {
          wgo = true;
          i += 2;
        } else if (t[i].kind == Token::kWord && AsciiUpper(t[i].text).rfind("MAX_", 0) == 0) {
          i += 2;  // MAX_xxx N
        } else {
          break;
        }
      }
    } else {
      ++i;  // IDENTIFIED BY PASSWORD '...', VIA ... USING ..., AS ..., etc.
    }
  }
  if (column_level) result.ignored.push_back(safe + " (column-level privileges)");
  UserSpec::Grant g;
  g.on = FormatGrantTarget(target);
  g.with_grant_option = wgo;
  for (const std::string& p : privs) {
    if (auto c = LenientPrivilege(p)) {
      g.privileges.push_back(*c);
    } else {
      result.ignored.push_back(safe + " (privilege " + p + ")");
    }
  }
  raw.push_back(std::move(g));
  return OkStatus();
}

// MariaDB prints REQUIRE SUBJECT/ISSUER/CIPHER values without escaping their
// quotes ('/O=O'Reilly/CN=CA'). The line without its REQUIRE clause (and
// with any WITH clause after it kept), cut at the first and at the last
// " REQUIRE " whose clause holds a quote; empty when there is none. REQUIRE
// itself is read from mysql.global_priv.
std::vector<std::string> WithoutRequireClause(const std::string& line) {
  std::vector<std::string> out;
  size_t first = line.find(" REQUIRE ");
  size_t last = line.rfind(" REQUIRE ");
  for (size_t at : {first, last}) {
    if (at == std::string::npos) continue;
    std::string tail = line.substr(at);
    if (tail.find('\'') == std::string::npos) continue;
    std::string with;
    static const std::regex kWith("( WITH( GRANT OPTION| MAX_[A-Z_]+ [0-9]+)+)$");
    std::smatch m;
    if (std::regex_search(tail, m, kWith)) with = m[1].str();
    std::string candidate = line.substr(0, at) + with;
    if (std::find(out.begin(), out.end(), candidate) == out.end()) out.push_back(candidate);
  }
  return out;
}

}  // namespace

StatusOr<ParsedGrants> ParseShowGrants(const std::vector<std::string>& lines,
                                       const SqlDialect& dialect) {
  ParsedGrants result;
  std::vector<UserSpec::Grant> raw;
  for (const std::string& line : lines) {
    const std::string safe = SafeGrantLine(line);
    ParsedGrants one;
    std::vector<UserSpec::Grant> one_raw;
    Status st = ParseGrantLine(line, safe, one, one_raw);
    if (!st.ok() && dialect.IsMariaDB()) {
      for (const std::string& stripped : WithoutRequireClause(line)) {
        ParsedGrants retry;
        std::vector<UserSpec::Grant> retry_raw;
        if (ParseGrantLine(stripped, safe, retry, retry_raw).ok()) {
          one = std::move(retry);
          one_raw = std::move(retry_raw);
          one.require.reset();
          one.ignored.push_back(safe + " (REQUIRE clause with unescaped quotes, not read)");
          st = OkStatus();
          break;
        }
      }
    }
    if (!st.ok()) return st;
    if (!dialect.db_wildcards) {
      // The server's names are literal: give them the escaped normal form.
      for (auto& g : one_raw) {
        auto target = ParseGrantTarget(g.on);
        if (target.ok() && target->db && !target->table) {
          target->db = EscapeDatabaseWildcards(*target->db);
          g.on = FormatGrantTarget(*target);
        }
      }
    }
    if (one.require) result.require = one.require;
    for (auto& i : one.ignored) result.ignored.push_back(std::move(i));
    for (auto& g : one_raw) raw.push_back(std::move(g));
  }
  PXC_ASSIGN_OR_RETURN(result.grants, NormalizeGrants(raw, /*strict=*/false));

  CollapseMySqlGlobalAll(&result.grants, dialect);
  return result;
}

StatusOr<UserSpec::Require> RequireFromUserRow(std::string_view ssl_type,
                                               std::string_view ssl_cipher,
                                               std::string_view x509_issuer,
                                               std::string_view x509_subject) {
  UserSpec::Require r;
  std::string type = AsciiUpper(ssl_type);
  if (type.empty()) {
    r.kind = UserSpec::Require::kNone;
    return r;
  }
  if (type == "ANY") {
    r.kind = UserSpec::Require::kSsl;
  } else if (type == "X509") {
    r.kind = UserSpec::Require::kX509;
  } else if (type == "SPECIFIED") {
    r.kind = UserSpec::Require::kSpecified;
    r.cipher = std::string(ssl_cipher);
    r.issuer = std::string(x509_issuer);
    r.subject = std::string(x509_subject);
  } else {
    return InvalidArgumentError("unknown mysql.user ssl_type \"" + std::string(ssl_type) + "\"");
  }
  return r;
}

StatusOr<GlobalPriv> ParseGlobalPrivJson(std::string_view json) {
  // The top-level members that are scalars, as text (strings decoded,
  // numbers as written); null and nested values are left out.
  const nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return InvalidArgumentError("mysql.global_priv JSON: malformed");
  if (!doc.is_object()) return InvalidArgumentError("mysql.global_priv JSON: expected an object");
  std::map<std::string, std::string> members;
  for (const auto& [key, value] : doc.items()) {
    if (value.is_string()) {
      members[key] = value.get<std::string>();
    } else if (value.is_number() || value.is_boolean()) {
      members[key] = value.dump();
    }
  }
  GlobalPriv out;
  auto get = [&](const char* key) -> std::string {
    auto it = members.find(key);
    return it == members.end() ? std::string() : it->second;
  };
  std::string type = get("ssl_type");
  std::string name;
  if (type.empty() || type == "0") {
    name = "";
  } else if (type == "1") {
    name = "ANY";
  } else if (type == "2") {
    name = "X509";
  } else if (type == "3") {
    name = "SPECIFIED";
  } else {
    return InvalidArgumentError("mysql.global_priv JSON: unknown ssl_type " + type);
  }
  PXC_ASSIGN_OR_RETURN(out.require, RequireFromUserRow(name, get("ssl_cipher"), get("x509_issuer"),
                                                       get("x509_subject")));
  out.plugin = get("plugin");
  return out;
}

StatusOr<std::optional<UserSpec>> ReadUser(SqlExecutor& sql, std::string_view name,
                                           std::string_view host, const SqlDialect& dialect) {
  UserSpec user;
  user.name = std::string(name);
  user.host = NormalizeHost(host);
  PXC_ASSIGN_OR_RETURN(std::string qname, QuoteString(user.name, dialect));
  PXC_ASSIGN_OR_RETURN(std::string qhost, QuoteString(user.host, dialect));
  PXC_ASSIGN_OR_RETURN(std::string account, QuoteAccount(user.name, user.host, dialect));
  const std::string where = " WHERE User = " + qname + " AND Host = " + qhost;

  bool global_priv =
      dialect.IsMariaDB() && (dialect.major > 10 || (dialect.major == 10 && dialect.minor >= 4));
  if (global_priv) {
    PXC_ASSIGN_OR_RETURN(SqlResult r, sql.Query("SELECT Priv FROM mysql.global_priv" + where));
    if (r.rows.empty()) return std::optional<UserSpec>();
    if (r.rows[0].empty()) return InternalError("mysql.global_priv: unexpected result shape");
    PXC_ASSIGN_OR_RETURN(GlobalPriv gp, ParseGlobalPrivJson(r.rows[0][0].value_or("{}")));
    user.require = gp.require;
    user.auth_plugin = AsciiLower(gp.plugin);
  } else {
    PXC_ASSIGN_OR_RETURN(
        SqlResult r,
        sql.Query("SELECT ssl_type, ssl_cipher, x509_issuer, x509_subject, plugin FROM mysql.user" +
                  where));
    if (r.rows.empty()) return std::optional<UserSpec>();
    const auto& row = r.rows[0];
    if (row.size() != 5) return InternalError("mysql.user: unexpected result shape");
    PXC_ASSIGN_OR_RETURN(user.require,
                         RequireFromUserRow(row[0].value_or(""), row[1].value_or(""),
                                            row[2].value_or(""), row[3].value_or("")));
    user.auth_plugin = AsciiLower(row[4].value_or(""));
  }

  auto grants = sql.Query("SHOW GRANTS FOR " + account);
  if (!grants.ok()) {
    if (grants.status().code() == StatusCode::kNotFound) return std::optional<UserSpec>();
    return grants.status();
  }
  std::vector<std::string> lines;
  for (const auto& row : grants->rows) {
    if (!row.empty() && row[0]) lines.push_back(*row[0]);
  }

  PXC_ASSIGN_OR_RETURN(ParsedGrants parsed, ParseShowGrants(lines, dialect));
  user.grants = std::move(parsed.grants);
  return std::optional<UserSpec>(std::move(user));
}

}  // namespace pxc::resources
