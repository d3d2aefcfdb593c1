// Implementation of resources/galera/mycnf.h: a lossless my.cnf line model, the
// wsrep_provider_options helpers and managed (undoable) edits.
#include "resources/galera/mycnf.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <utility>

namespace pxc::resources {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr std::size_t kMaxNameBytes = 1024;

// my_isspace with latin1 for the ASCII range: space, \t, \n, \v, \f, \r.
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

bool IsControl(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7F;
}

std::string_view TrimView(std::string_view s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && IsSpace(s[b])) ++b;
  while (e > b && IsSpace(s[e - 1])) --e;
  return s.substr(b, e - b);
}

std::string LinePrefix(int line) { return "my.cnf line " + std::to_string(line) + ": "; }

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string SectionKey(std::string_view section, std::string_view key) {
  return "[" + std::string(section) + "] " + std::string(key);
}

// mysys remove_end_comment: the position of the first '#' outside quotes (or
// the end of the line) and whether a quote is still open at the end.
struct CommentScan {
  std::size_t content_end;
  bool unterminated;
};

CommentScan ScanForComment(std::string_view t, std::size_t from) {
  char quote = 0;
  bool escape = false;
  for (std::size_t i = from; i < t.size(); ++i) {
    const char c = t[i];
    if ((c == '\'' || c == '"') && !escape) {
      if (quote == 0) {
        quote = c;
      } else if (quote == c) {
        quote = 0;
      }
    }
    if (quote == 0 && c == '#') return {i, false};
    escape = quote != 0 && c == '\\' && !escape;
  }
  return {t.size(), quote != 0};
}

bool IsQuotedRaw(std::string_view raw) {
  return raw.size() >= 2 && (raw[0] == '"' || raw[0] == '\'') && raw.back() == raw[0];
}

// Classifies `l->text` and fills the parse fields. Keeps text and eol.
void ParseLine(Document::Line* l) {
  l->kind = LineKind::kBlank;
  l->name.clear();
  l->key_begin = l->key_end = l->value_begin = l->value_end = 0;
  l->eq = std::string::npos;
  l->unterminated_quote = false;
  l->warning.clear();
  const std::string_view t = l->text;

  if (t.size() + l->eol.size() > kMycnfMaxLineBytes) {
    l->kind = LineKind::kInvalid;
    l->warning = "line is " + std::to_string(t.size() + l->eol.size()) +
                 " bytes long; mysqld reads at most " + std::to_string(kMycnfMaxLineBytes) +
                 " bytes per line and would split it";
    return;
  }
  if (t.find('\0') != std::string_view::npos) {
    l->kind = LineKind::kInvalid;
    l->warning = "line contains a NUL byte, where mysqld stops reading the line";
    return;
  }
  std::size_t i = 0;
  while (i < t.size() && IsSpace(t[i])) ++i;
  if (i == t.size()) {
    l->kind = LineKind::kBlank;
    return;
  }
  const char first = t[i];
  if (first == '#' || first == ';') {
    l->kind = LineKind::kComment;
    return;
  }
  if (first == '!') {
    std::size_t j = i + 1;
    while (j < t.size() && IsSpace(t[j])) ++j;
    std::size_t w = j;
    while (w < t.size() && !IsSpace(t[w])) ++w;
    const std::string_view word = t.substr(j, w - j);
    if (word == "include" || word == "includedir") {
      const std::string_view path = TrimView(t.substr(w));
      if (path.empty()) {
        l->kind = LineKind::kInvalid;
        l->warning = "'!" + std::string(word) + "' without a path (mysqld refuses to start)";
        return;
      }
      l->kind = word == "include" ? LineKind::kInclude : LineKind::kIncludeDir;
      l->name = std::string(path);
      return;
    }
    l->kind = LineKind::kInvalid;
    l->warning = "unknown '!' directive (mysqld ignores it)";
    return;
  }
  if (first == '[') {
    const std::size_t close = t.find(']', i + 1);
    if (close == std::string_view::npos) {
      l->kind = LineKind::kInvalid;
      l->warning = "section header without ']' (mysqld refuses to start)";
      return;
    }
    std::size_t e = close;
    while (e > i + 1 && IsSpace(t[e - 1])) --e;
    l->kind = LineKind::kSection;
    l->name = std::string(t.substr(i + 1, e - i - 1));
    const std::string_view rest = TrimView(t.substr(close + 1));
    if (l->name.empty()) {
      l->warning = "empty section name";
    } else if (IsSpace(l->name[0])) {
      l->warning = "section name starts with whitespace, which mysqld keeps as part of the name";
    } else if (!rest.empty() && rest[0] != '#' && rest[0] != ';') {
      l->warning = "text after ']' is ignored by mysqld";
    }
    return;
  }

  const CommentScan scan = ScanForComment(t, i);
  const std::size_t content_end = scan.content_end;
  std::size_t eq = t.substr(0, content_end).find('=', i);
  std::size_t key_end = eq == std::string_view::npos ? content_end : eq;
  while (key_end > i && IsSpace(t[key_end - 1])) --key_end;
  if (key_end == i) {
    l->kind = LineKind::kInvalid;
    l->warning = "option without a name";
    return;
  }
  for (std::size_t k = i; k < key_end; ++k) {
    const char c = t[k];
    if (IsSpace(c) || IsControl(c) || c == '"' || c == '\'') {
      l->kind = LineKind::kInvalid;
      l->warning = "not an option line: the name contains whitespace, quotes or control bytes";
      return;
    }
  }
  l->kind = LineKind::kOption;
  l->key_begin = i;
  l->key_end = key_end;
  l->name = NormalizeOptionName(t.substr(i, key_end - i));
  l->unterminated_quote = scan.unterminated;
  if (eq == std::string_view::npos) {
    l->eq = std::string::npos;
    l->value_begin = l->value_end = key_end;
  } else {
    l->eq = eq;
    std::size_t vb = eq + 1;
    while (vb < content_end && IsSpace(t[vb])) ++vb;
    std::size_t ve = content_end;
    while (ve > vb && IsSpace(t[ve - 1])) --ve;
    l->value_begin = vb;
    l->value_end = ve;
  }
  if (l->unterminated_quote) {
    l->warning =
        "unterminated quote: mysqld reads the rest of the line, '#' included, as the value";
  } else if (l->eq != std::string::npos) {
    const std::string_view raw = t.substr(l->value_begin, l->value_end - l->value_begin);
    if (!raw.empty() && (raw[0] == '"' || raw[0] == '\'') && !IsQuotedRaw(raw)) {
      l->warning = "text after the closing quote: mysqld keeps the quotes as part of the value";
    }
  }
}

Document::Line MakeLine(std::string text, std::string eol) {
  Document::Line l;
  l.text = std::move(text);
  l.eol = std::move(eol);
  ParseLine(&l);
  return l;
}

// The decoded value of an option line given as text; "" if it has none.
std::string ValueOfLineText(std::string_view text) {
  const Document::Line l = MakeLine(std::string(text), "");
  if (l.kind != LineKind::kOption || l.eq == std::string::npos) return "";
  return DecodeOptionValue(
      std::string_view(l.text).substr(l.value_begin, l.value_end - l.value_begin));
}

bool NeedsQuoting(std::string_view v) {
  for (const char c : v) {
    if (IsControl(c) || c == ' ' || c == '#' || c == ';' || c == '"' || c == '\'' || c == '\\') {
      return true;
    }
  }
  return false;
}

Status ValidateSectionName(std::string_view s) {
  const auto bad = [&](const std::string& why) {
    return InvalidArgumentError("section name " + Quoted(s) + " is not valid: " + why);
  };
  if (s.empty()) return InvalidArgumentError("section name is empty");
  if (s.size() > kMaxNameBytes) return bad("it is too long");
  if (IsSpace(s.front()) || IsSpace(s.back())) return bad("it has surrounding whitespace");
  for (const char c : s) {
    if (IsControl(c) || c == '[' || c == ']') return bad("it contains brackets or control bytes");
  }
  return OkStatus();
}

Status ValidateKey(std::string_view k) {
  const auto bad = [&](const std::string& why) {
    return InvalidArgumentError("option name " + Quoted(k) + " is not valid: " + why);
  };
  if (k.empty() || NormalizeOptionName(k).empty()) return bad("it is empty");
  if (k.size() > kMaxNameBytes) return bad("it is too long");
  if (k.front() == '[' || k.front() == '!') return bad("it starts with '[' or '!'");
  for (const char c : k) {
    if (IsSpace(c) || IsControl(c) || c == '=' || c == '#' || c == ';' || c == '"' || c == '\'') {
      return bad("it contains whitespace, '=', '#', ';', quotes or control bytes");
    }
  }
  return OkStatus();
}

// ---------------------------------------------------------------------------
// Provider option internals.

std::vector<std::string_view> SplitUnescaped(std::string_view v, char sep, bool first_only) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  std::size_t i = 0;
  while (i < v.size()) {
    if (v[i] == '\\') {
      i += 2;
      continue;
    }
    if (v[i] == sep) {
      out.push_back(v.substr(start, i - start));
      start = i + 1;
      if (first_only) break;
    }
    ++i;
  }
  out.push_back(v.substr(std::min(start, v.size())));
  return out;
}

void SetProviderOptionValue(ProviderOptions* options, std::string_view name,
                            const std::optional<std::string>& value) {
  auto it = std::find_if(options->begin(), options->end(),
                         [&](const ProviderOption& o) { return o.name == name; });
  if (it == options->end()) {
    options->push_back(ProviderOption{std::string(name), value});
    return;
  }
  it->value = value;
  const auto first = static_cast<std::size_t>(it - options->begin());
  std::size_t w = first + 1;
  for (std::size_t r = first + 1; r < options->size(); ++r) {
    if ((*options)[r].name == name) continue;
    if (w != r) (*options)[w] = std::move((*options)[r]);
    ++w;
  }
  options->resize(w);
}

// name -> effective value ("" for a segment without '='), as Galera sees it.
std::map<std::string, std::string> Effective(const ProviderOptions& options) {
  std::map<std::string, std::string> m;
  for (const ProviderOption& o : options) m[o.name] = o.value.value_or("");
  return m;
}

// The canonical text of `options`, or kInvalidArgument if it would not read
// back as the same list (a value ending in a dangling backslash would escape
// the "; " that follows it).
StatusOr<std::string> FormatChecked(const ProviderOptions& options, const OptionRef* ref) {
  std::string text = FormatProviderOptions(options);
  if (ParseProviderOptions(text) != options) {
    const std::string where = ref != nullptr ? LinePrefix(ref->line) : std::string();
    return InvalidArgumentError(where +
                                "the provider options do not split cleanly into name=value "
                                "pairs (a dangling backslash?); fix the line by hand");
  }
  return text;
}

// ---------------------------------------------------------------------------
// JSON helpers.

bool IsValidUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64Encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const std::uint32_t v = (static_cast<unsigned char>(in[i]) << 16) |
                            (static_cast<unsigned char>(in[i + 1]) << 8) |
                            static_cast<unsigned char>(in[i + 2]);
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  if (i + 1 == in.size()) {
    const std::uint32_t v = static_cast<unsigned char>(in[i]) << 16;
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const std::uint32_t v =
        (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view in) {
  if (in.size() % 4 != 0) return std::nullopt;
  const auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  out.reserve(in.size() / 4 * 3);
  for (std::size_t i = 0; i < in.size(); i += 4) {
    const bool last = i + 4 == in.size();
    int pad = 0;
    if (last && in[i + 3] == '=') pad = in[i + 2] == '=' ? 2 : 1;
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      int d = 0;
      if (k >= 4 - static_cast<std::size_t>(pad)) {
        if (in[i + k] != '=') return std::nullopt;
      } else {
        d = value(in[i + k]);
        if (d < 0) return std::nullopt;
      }
      v = (v << 6) | static_cast<std::uint32_t>(d);
    }
    out += static_cast<char>((v >> 16) & 0xFF);
    if (pad < 2) out += static_cast<char>((v >> 8) & 0xFF);
    if (pad < 1) out += static_cast<char>(v & 0xFF);
  }
  return out;
}

nlohmann::json TextToJson(const std::string& s) {
  if (IsValidUtf8(s)) return s;
  return nlohmann::json{{"base64", Base64Encode(s)}};
}

nlohmann::json OptTextToJson(const std::optional<std::string>& s) {
  if (!s) return nullptr;
  return TextToJson(*s);
}

StatusOr<std::string> TextFromJson(const nlohmann::json& j, const std::string& field) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_object() && j.size() == 1 && j.contains("base64") && j["base64"].is_string()) {
    std::optional<std::string> d = Base64Decode(j["base64"].get<std::string>());
    if (d) return *std::move(d);
    return InvalidArgumentError("field \"" + field + "\" has invalid base64");
  }
  return InvalidArgumentError("field \"" + field + "\" is not a string");
}

StatusOr<std::optional<std::string>> OptTextFromJson(const nlohmann::json& obj,
                                                     const std::string& field) {
  if (!obj.contains(field) || obj[field].is_null()) return std::optional<std::string>();
  PXC_ASSIGN_OR_RETURN(std::string s, TextFromJson(obj[field], field));
  return std::optional<std::string>(std::move(s));
}

StatusOr<std::string> RequiredTextFromJson(const nlohmann::json& obj, const std::string& field) {
  if (!obj.contains(field)) return InvalidArgumentError("field \"" + field + "\" is missing");
  return TextFromJson(obj[field], field);
}

// A JSON integer from 0 to kMycnfMaxLines.
bool IsLineCount(const nlohmann::json& n) {
  if (n.is_number_unsigned()) return n.get<uint64_t>() <= kMycnfMaxLines;
  return n.is_number_integer() && n.get<int64_t>() >= 0 &&
         n.get<int64_t>() <= static_cast<int64_t>(kMycnfMaxLines);
}

StatusOr<bool> BoolFromJson(const nlohmann::json& obj, const std::string& field) {
  if (!obj.contains(field)) return false;
  if (!obj[field].is_boolean()) {
    return InvalidArgumentError("field \"" + field + "\" is not a boolean");
  }
  return obj[field].get<bool>();
}

// ---------------------------------------------------------------------------
// Managed edit internals.

std::string Describe(const std::optional<std::string>& v) {
  return v ? Quoted(*v) : std::string("absent");
}

ManagedIssue Issue(const ManagedEdit& e, std::string sub_option, int line,
                   std::optional<std::string> expected, std::optional<std::string> actual,
                   std::string message) {
  ManagedIssue i;
  i.section = e.section;
  i.key = e.key;
  i.sub_option = std::move(sub_option);
  i.line = line;
  i.expected = std::move(expected);
  i.actual = std::move(actual);
  i.message = std::move(message);
  return i;
}

Status DisableLine(Document* doc, const OptionRef& ref) {
  return doc->ReplaceLine(ref.line, std::string(kMycnfDisabledPrefix) + ref.text);
}

// The numbers of the lines of `section` (every instance of it) whose text is
// exactly `text`, in document order.
std::vector<int> LinesWithText(const Document& doc, std::string_view section,
                               std::string_view text) {
  std::vector<int> lines;
  for (int n = 1; n <= doc.LineCount(); ++n) {
    if (doc.LineText(n) != text) continue;
    const std::optional<std::string> sec = doc.SectionOfLine(n);
    if (sec && *sec == section) lines.push_back(n);
  }
  return lines;
}

// Disables `refs` (lines of e->section, in document order) and records them
// in `e`. A line that already reads as one of them disabled (the user's own
// "# [pxc] ..." text) is counted in disabled_skip, so that undo re-enables
// pxc's line and not that one.
Status DisableLines(Document* doc, std::span<const OptionRef> refs, ManagedEdit* e) {
  std::vector<int> skips;
  for (const OptionRef& r : refs) {  // before any is disabled: the others are still options
    int before = 0;
    for (int n : LinesWithText(*doc, e->section, std::string(kMycnfDisabledPrefix) + r.text)) {
      if (n < r.line) ++before;
    }
    skips.push_back(before);
  }
  for (std::size_t k = 0; k < refs.size(); ++k) {
    PXC_RETURN_IF_ERROR(DisableLine(doc, refs[k]));
    e->disabled_lines.push_back(refs[k].text);
    e->disabled_skip.push_back(skips[k]);
  }
  return OkStatus();
}

// Re-enables the lines `e` disabled, in document order: each is the line of
// e.section with its disabled text that comes after disabled_skip[i] others
// (the last such line if the user removed some since).
void ReenableLines(Document* doc, const ManagedEdit& e, UndoReport* rep) {
  for (std::size_t i = 0; i < e.disabled_lines.size(); ++i) {
    const std::string& original = e.disabled_lines[i];
    const std::vector<int> lines =
        LinesWithText(*doc, e.section, std::string(kMycnfDisabledPrefix) + original);
    const std::size_t skip =
        i < e.disabled_skip.size() ? static_cast<std::size_t>(e.disabled_skip[i]) : 0;
    const int found = lines.empty() ? 0 : lines[std::min(skip, lines.size() - 1)];
    if (found == 0) {
      rep->conflicts.push_back(Issue(e, "", 0, std::nullopt, std::nullopt,
                                     "A line of " + SectionKey(e.section, e.key) +
                                         " that pxc disabled is no longer in the file; it was "
                                         "not restored."));
      continue;
    }
    const Status st = doc->ReplaceLine(found, original);
    if (!st.ok()) {
      rep->conflicts.push_back(Issue(
          e, "", found, std::nullopt, std::nullopt,
          "Could not re-enable a line of " + SectionKey(e.section, e.key) + ": " + st.message()));
      continue;
    }
    ++rep->restored;
  }
}

// Removes the section pxc created for `e` once it is empty.
void CleanupCreatedSection(Document* doc, const ManagedEdit& e, UndoReport* rep) {
  if (!e.created_section) return;
  int header = 0;
  for (const SectionRef& s : doc->Sections()) {
    if (s.name == e.section) header = s.line;
  }
  if (header == 0) return;
  const bool empty = header == doc->LineCount() || doc->KindOf(header + 1) == LineKind::kSection;
  if (!empty) {
    rep->conflicts.push_back(Issue(e, "", header, std::nullopt, std::nullopt,
                                   "Section [" + e.section +
                                       "], which pxc created, still has lines; it was left in "
                                       "place."));
    return;
  }
  (void)doc->RemoveLine(header);
  if (e.added_blank_line && header > 1 && doc->KindOf(header - 1) == LineKind::kBlank) {
    (void)doc->RemoveLine(header - 1);
  }
}

void UndoValue(Document* doc, const ManagedEdit& e, UndoReport* rep) {
  if (!e.managed_value) {
    ReenableLines(doc, e, rep);
    return;
  }
  const std::optional<OptionRef> ref = doc->Lookup(e.section, e.key);
  if (!ref) {
    rep->conflicts.push_back(Issue(e, "", 0, e.managed_value, std::nullopt,
                                   SectionKey(e.section, e.key) +
                                       ", which pxc set, is no longer in the file; nothing was "
                                       "restored."));
    return;
  }
  const std::string actual = ref->value.value_or("");
  if (!ref->value || ref->unterminated_quote || *ref->value != *e.managed_value) {
    rep->conflicts.push_back(
        Issue(e, "", ref->line, e.managed_value, actual,
              SectionKey(e.section, e.key) + " was changed after pxc set it (" +
                  Describe(e.managed_value) + " -> " + Quoted(actual) + "); it was left as is."));
    return;
  }
  const Status st =
      e.original_line ? doc->ReplaceLine(ref->line, *e.original_line) : doc->RemoveLine(ref->line);
  if (!st.ok()) {
    rep->conflicts.push_back(
        Issue(e, "", ref->line, e.managed_value, actual,
              "Could not restore " + SectionKey(e.section, e.key) + ": " + st.message()));
    return;
  }
  ++rep->restored;
  if (!e.original_line) CleanupCreatedSection(doc, e, rep);
}

void UndoProviderOptions(Document* doc, const ManagedEdit& e, UndoReport* rep) {
  const std::optional<OptionRef> ref = doc->Lookup(e.section, e.key);
  if (!ref) {
    const bool owned = e.original_line.has_value() ||
                       std::any_of(e.sub_options.begin(), e.sub_options.end(),
                                   [](const SubOptionEdit& s) { return s.managed.has_value(); });
    if (owned) {
      rep->conflicts.push_back(Issue(e, "", 0, std::nullopt, std::nullopt,
                                     SectionKey(e.section, e.key) +
                                         ", which pxc edited, is no longer in the file; nothing "
                                         "was restored."));
    }
    return;
  }
  if (ref->unterminated_quote) {
    rep->conflicts.push_back(Issue(e, "", ref->line, std::nullopt, std::nullopt,
                                   LinePrefix(ref->line) + SectionKey(e.section, e.key) +
                                       " now has an unterminated quote; it was left as is."));
    return;
  }
  ProviderOptions cur = ParseProviderOptions(ref->value.value_or(""));
  bool modified = false;
  for (const SubOptionEdit& s : e.sub_options) {
    const std::optional<std::string> now = GetProviderOption(cur, s.name);
    if (now == s.managed) {
      if (s.original) {
        SetProviderOption(&cur, s.name, *s.original);
      } else {
        RemoveProviderOption(&cur, s.name);
      }
      modified = true;
      ++rep->restored;
    } else if (!s.from_duplicate) {
      rep->conflicts.push_back(Issue(e, s.name, ref->line, s.managed, now,
                                     SectionKey(e.section, e.key) + " option " + s.name +
                                         " was changed after pxc set it (" + Describe(s.managed) +
                                         " -> " + Describe(now) + "); it was left as is."));
    }
  }
  bool removed_line = false;
  Status st;
  if (e.original_line &&
      Effective(cur) == Effective(ParseProviderOptions(ValueOfLineText(*e.original_line)))) {
    st = doc->ReplaceLine(ref->line, *e.original_line);
  } else if (!e.original_line && cur.empty()) {
    st = doc->RemoveLine(ref->line);
    removed_line = st.ok();
  } else if (modified) {
    StatusOr<std::string> text = FormatChecked(cur, &*ref);
    st = text.ok() ? doc->Set(e.section, e.key, *text, QuoteMode::kDouble).status() : text.status();
  }
  if (!st.ok()) {
    rep->conflicts.push_back(
        Issue(e, "", ref->line, std::nullopt, std::nullopt,
              "Could not restore " + SectionKey(e.section, e.key) + ": " + st.message()));
    return;
  }
  ReenableLines(doc, e, rep);
  if (removed_line) CleanupCreatedSection(doc, e, rep);
}

StatusOr<ManagedEdit> ApplyProviderOptions(Document* work, const DesiredOption& d,
                                           const std::vector<OptionRef>& refs, ManagedEdit e) {
  std::set<std::string> names;
  for (const ProviderOptionChange& c : d.sub_options) {
    PXC_RETURN_IF_ERROR(ValidateProviderOption(c.name, c.value.value_or(""))
                            .WithContext(SectionKey(d.section, d.key)));
    if (!names.insert(c.name).second) {
      return InvalidArgumentError(SectionKey(d.section, d.key) + ": sub-option " + c.name +
                                  " is listed twice");
    }
  }
  for (const OptionRef& r : refs) {
    if (r.unterminated_quote) {
      return InvalidArgumentError(LinePrefix(r.line) + "unterminated quote in " + r.key +
                                  "; fix the line by hand");
    }
  }
  const ProviderOptions base =
      refs.empty() ? ProviderOptions{} : ParseProviderOptions(refs.back().value.value_or(""));
  ProviderOptions merged;
  for (const OptionRef& r : refs) {
    merged = UnionProviderOptions(merged, ParseProviderOptions(r.value.value_or("")));
  }
  ProviderOptions result = merged;
  for (const ProviderOptionChange& c : d.sub_options) {
    if (c.value) {
      SetProviderOption(&result, c.name, *c.value);
    } else {
      RemoveProviderOption(&result, c.name);
    }
  }
  for (const ProviderOptionChange& c : d.sub_options) {
    e.sub_options.push_back(SubOptionEdit{c.name, GetProviderOption(base, c.name),
                                          GetProviderOption(result, c.name), false});
  }
  for (const ProviderOption& o : merged) {
    if (names.count(o.name) != 0 || GetProviderOption(base, o.name)) continue;
    e.sub_options.push_back(SubOptionEdit{o.name, std::nullopt, GetProviderOption(result, o.name),
                                          /*from_duplicate=*/true});
  }
  const bool write = refs.size() > 1 || (refs.empty() ? !result.empty() : result != base);
  if (!write) return e;
  PXC_ASSIGN_OR_RETURN(std::string text,
                       FormatChecked(result, refs.empty() ? nullptr : &refs.back()));
  if (!refs.empty()) {  // every line but the last, which gets the result
    PXC_RETURN_IF_ERROR(DisableLines(work, std::span(refs).first(refs.size() - 1), &e));
  }
  PXC_ASSIGN_OR_RETURN(SetResult sr, work->Set(d.section, d.key, text, QuoteMode::kDouble));
  e.created_section = sr.created_section;
  e.added_blank_line = sr.added_blank_line;
  return e;
}

}  // namespace

// ---------------------------------------------------------------------------
// Free functions.

std::string NormalizeOptionName(std::string_view name) {
  if (name.size() > 5 && name.substr(0, 5) == "loose" && (name[5] == '-' || name[5] == '_')) {
    name.remove_prefix(6);
  }
  std::string out(name);
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

std::string DecodeOptionValue(std::string_view raw) {
  if (IsQuotedRaw(raw)) raw = raw.substr(1, raw.size() - 2);
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c != '\\' || i + 1 == raw.size()) {
      out += c;
      continue;
    }
    const char n = raw[++i];
    switch (n) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'b':
        out += '\b';
        break;
      case 's':
        out += ' ';
        break;
      case '"':
      case '\'':
      case '\\':
        out += n;
        break;
      default:
        out += '\\';
        out += n;
        break;
    }
  }
  return out;
}

StatusOr<std::string> EncodeOptionValue(std::string_view value, QuoteMode mode, char quote) {
  if (value.find('\0') != std::string_view::npos) {
    return InvalidArgumentError("value contains a NUL byte, which mysqld cannot read");
  }
  if (quote != '"' && quote != '\'') quote = 0;
  if (quote == 0 && mode == QuoteMode::kAuto && !NeedsQuoting(value)) return std::string(value);
  const char q = quote != 0 ? quote : '"';
  std::string out;
  out.reserve(value.size() + 2);
  out += q;
  for (const char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      default:
        if (c == q) out += '\\';
        out += c;
        break;
    }
  }
  out += q;
  return out;
}

std::string ParseWarning::ToString() const { return LinePrefix(line) + message; }

// ---------------------------------------------------------------------------
// Document.

StatusOr<Document> Document::Parse(std::string_view text) {
  if (text.size() > kMycnfMaxBytes) {
    return InvalidArgumentError("my.cnf is " + std::to_string(text.size()) +
                                " bytes long; pxc reads at most " + std::to_string(kMycnfMaxBytes) +
                                " bytes");
  }
  Document d;
  if (text.substr(0, kBom.size()) == kBom) {
    d.bom_ = std::string(kBom);
    text.remove_prefix(kBom.size());
  }
  const std::size_t lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) +
                            (text.empty() || text.back() == '\n' ? 0 : 1);
  if (lines > kMycnfMaxLines) {
    return InvalidArgumentError("my.cnf has " + std::to_string(lines) +
                                " lines; pxc reads at most " + std::to_string(kMycnfMaxLines));
  }
  d.lines_.reserve(lines);
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      d.lines_.push_back(MakeLine(std::string(text.substr(pos)), ""));
      break;
    }
    std::size_t end = nl;
    std::string eol = "\n";
    if (end > pos && text[end - 1] == '\r') {
      --end;
      eol = "\r\n";
    }
    d.lines_.push_back(MakeLine(std::string(text.substr(pos, end - pos)), std::move(eol)));
    pos = nl + 1;
  }
  return d;
}

std::string Document::Serialize() const {
  std::size_t n = bom_.size();
  for (const Line& l : lines_) n += l.text.size() + l.eol.size();
  std::string out;
  out.reserve(n);
  out += bom_;
  for (const Line& l : lines_) {
    out += l.text;
    out += l.eol;
  }
  return out;
}

std::vector<ParseWarning> Document::Warnings() const {
  std::vector<ParseWarning> out;
  bool in_section = false;
  for (std::size_t i = 0; i < lines_.size(); ++i) {
    const Line& l = lines_[i];
    const int n = static_cast<int>(i) + 1;
    if (l.kind == LineKind::kSection) in_section = true;
    if (!l.warning.empty()) out.push_back(ParseWarning{n, l.warning});
    if (l.kind == LineKind::kOption && !in_section) {
      out.push_back(ParseWarning{n, "option outside any [section] (mysqld refuses to start)"});
    }
  }
  return out;
}

std::string_view Document::LineText(int line) const {
  if (line < 1 || line > LineCount()) return {};
  return lines_[line - 1].text;
}

LineKind Document::KindOf(int line) const {
  if (line < 1 || line > LineCount()) return LineKind::kInvalid;
  return lines_[line - 1].kind;
}

std::optional<std::string> Document::SectionOfLine(int line) const {
  if (line < 1 || line > LineCount()) return std::nullopt;
  for (int i = line - 1; i >= 0; --i) {
    if (lines_[i].kind == LineKind::kSection) return lines_[i].name;
  }
  return std::nullopt;
}

bool Document::HasSection(std::string_view section) const {
  return std::any_of(lines_.begin(), lines_.end(), [&](const Line& l) {
    return l.kind == LineKind::kSection && l.name == section;
  });
}

std::vector<SectionRef> Document::Sections() const {
  std::vector<SectionRef> out;
  for (std::size_t i = 0; i < lines_.size(); ++i) {
    if (lines_[i].kind == LineKind::kSection) {
      out.push_back(SectionRef{static_cast<int>(i) + 1, lines_[i].name});
    }
  }
  return out;
}

std::vector<IncludeRef> Document::Includes() const {
  std::vector<IncludeRef> out;
  std::string section;
  for (std::size_t i = 0; i < lines_.size(); ++i) {
    const Line& l = lines_[i];
    if (l.kind == LineKind::kSection) section = l.name;
    if (l.kind == LineKind::kInclude || l.kind == LineKind::kIncludeDir) {
      out.push_back(
          IncludeRef{static_cast<int>(i) + 1, l.kind == LineKind::kIncludeDir, l.name, section});
    }
  }
  return out;
}

OptionRef Document::MakeRef(int index, const std::string& section) const {
  const Line& l = lines_[index];
  OptionRef r;
  r.line = index + 1;
  r.section = section;
  r.key = l.text.substr(l.key_begin, l.key_end - l.key_begin);
  if (l.eq != std::string::npos) {
    r.raw_value = l.text.substr(l.value_begin, l.value_end - l.value_begin);
    r.value = DecodeOptionValue(r.raw_value);
    r.quoted = IsQuotedRaw(r.raw_value);
  }
  r.unterminated_quote = l.unterminated_quote;
  r.text = l.text;
  return r;
}

std::vector<OptionRef> Document::FindAcross(const std::vector<std::string>& sections,
                                            std::string_view key) const {
  std::vector<OptionRef> out;
  const std::string nk = NormalizeOptionName(key);
  if (nk.empty()) return out;
  const std::string* current = nullptr;
  for (std::size_t i = 0; i < lines_.size(); ++i) {
    const Line& l = lines_[i];
    if (l.kind == LineKind::kSection) {
      current = &l.name;
      continue;
    }
    if (l.kind != LineKind::kOption || current == nullptr || l.name != nk) continue;
    if (std::find(sections.begin(), sections.end(), *current) == sections.end()) continue;
    out.push_back(MakeRef(static_cast<int>(i), *current));
  }
  return out;
}

std::vector<OptionRef> Document::FindAll(std::string_view section, std::string_view key) const {
  return FindAcross(std::vector<std::string>{std::string(section)}, key);
}

std::optional<OptionRef> Document::Lookup(std::string_view section, std::string_view key) const {
  std::vector<OptionRef> all = FindAll(section, key);
  if (all.empty()) return std::nullopt;
  return std::move(all.back());
}

std::optional<OptionRef> Document::OptionAt(int line) const {
  if (line < 1 || line > LineCount() || lines_[line - 1].kind != LineKind::kOption) {
    return std::nullopt;
  }
  return MakeRef(line - 1, SectionOfLine(line).value_or(""));
}

std::optional<std::string> Document::Get(std::string_view section, std::string_view key) const {
  std::optional<OptionRef> r = Lookup(section, key);
  if (!r) return std::nullopt;
  return r->value.value_or("");
}

std::string Document::PrevailingEol() const {
  std::size_t crlf = 0;
  std::size_t lf = 0;
  for (const Line& l : lines_) {
    if (l.eol == "\r\n") {
      ++crlf;
    } else if (l.eol == "\n") {
      ++lf;
    }
  }
  return crlf > lf ? "\r\n" : "\n";
}

std::string Document::PrevailingSeparator() const {
  std::size_t spaced = 0;
  std::size_t tight = 0;
  for (const Line& l : lines_) {
    if (l.kind != LineKind::kOption || l.eq == std::string::npos) continue;
    const bool before = l.eq > 0 && IsSpace(l.text[l.eq - 1]);
    const bool after = l.eq + 1 < l.text.size() && IsSpace(l.text[l.eq + 1]);
    if (before || after) {
      ++spaced;
    } else {
      ++tight;
    }
  }
  return spaced > tight ? " = " : "=";
}

void Document::InsertAfter(int index, std::string text) {
  const std::string eol = PrevailingEol();
  std::string new_eol = eol;
  const int last = LineCount() - 1;
  if (!lines_.empty() && index == last && lines_.back().eol.empty()) {
    // Keep "no final newline": the new last line takes over the missing one.
    // A text ending in '\r' gets "\r\n" so that its own '\r' still belongs to
    // the text when the file is read back, and EraseAt restores it exactly.
    const std::string& t = lines_.back().text;
    lines_.back().eol = !t.empty() && t.back() == '\r' ? "\r\n" : eol;
    ParseLine(&lines_.back());
    new_eol.clear();
  }
  lines_.insert(lines_.begin() + (index + 1), MakeLine(std::move(text), std::move(new_eol)));
}

void Document::EraseAt(int index) {
  const int last = LineCount() - 1;
  if (index == last && index > 0 && lines_[index].eol.empty()) {
    lines_[index - 1].eol.clear();
    ParseLine(&lines_[index - 1]);
  }
  lines_.erase(lines_.begin() + index);
}

StatusOr<SetResult> Document::Set(std::string_view section, std::string_view key,
                                  std::string_view value, QuoteMode mode) {
  PXC_RETURN_IF_ERROR(ValidateSectionName(section));
  PXC_RETURN_IF_ERROR(ValidateKey(key));
  const auto check = [&](const std::string& text, std::size_t eol_size, int line) -> Status {
    if (text.size() + eol_size > kMycnfMaxLineBytes) {
      return InvalidArgumentError(LinePrefix(line) + "setting " + std::string(key) +
                                  " would make the line " + std::to_string(text.size() + eol_size) +
                                  " bytes long; mysqld reads at most " +
                                  std::to_string(kMycnfMaxLineBytes));
    }
    const Line l = MakeLine(text, "");
    if (l.kind != LineKind::kOption || l.eq == std::string::npos ||
        l.name != NormalizeOptionName(key) ||
        DecodeOptionValue(
            std::string_view(l.text).substr(l.value_begin, l.value_end - l.value_begin)) != value) {
      return InternalError(LinePrefix(line) + "setting " + std::string(key) +
                           " produced a line that does not read back as the value");
    }
    return OkStatus();
  };

  SetResult res;
  const std::vector<OptionRef> refs = FindAll(section, key);
  if (!refs.empty()) {
    const OptionRef& r = refs.back();
    const int idx = r.line - 1;
    const Line& l = lines_[idx];
    const bool double_quoted = r.quoted && r.raw_value[0] == '"';
    res.line = r.line;
    if (l.eq != std::string::npos && !l.unterminated_quote && r.value == value &&
        (mode == QuoteMode::kAuto || double_quoted)) {
      return res;
    }
    const char quote = mode == QuoteMode::kDouble ? '"' : (r.quoted ? r.raw_value[0] : 0);
    PXC_ASSIGN_OR_RETURN(std::string enc, EncodeOptionValue(value, mode, quote));
    const std::string& t = l.text;
    std::string nt;
    if (l.eq == std::string::npos) {
      nt = t.substr(0, l.key_end) + PrevailingSeparator() + enc + t.substr(l.key_end);
    } else if (l.value_begin == l.value_end) {
      nt = t.substr(0, l.value_begin) + enc;
      if (l.value_begin < t.size()) {
        if (!IsSpace(t[l.value_begin])) nt += ' ';
        nt += t.substr(l.value_begin);
      }
    } else {
      nt = t.substr(0, l.value_begin) + enc + t.substr(l.value_end);
    }
    PXC_RETURN_IF_ERROR(check(nt, l.eol.size(), r.line));
    lines_[idx].text = std::move(nt);
    ParseLine(&lines_[idx]);
    res.changed = true;
    return res;
  }

  PXC_ASSIGN_OR_RETURN(std::string enc, EncodeOptionValue(value, mode));
  const std::string sep = PrevailingSeparator();
  const std::size_t eol_size = PrevailingEol().size();
  int header = -1;
  for (std::size_t i = 0; i < lines_.size(); ++i) {
    if (lines_[i].kind == LineKind::kSection && lines_[i].name == section) {
      header = static_cast<int>(i);
    }
  }
  res.changed = true;
  res.inserted = true;
  if (header >= 0) {
    int anchor = header;
    for (int j = header + 1; j < LineCount() && lines_[j].kind != LineKind::kSection; ++j) {
      if (lines_[j].kind == LineKind::kOption) anchor = j;
    }
    const std::string indent =
        anchor != header ? lines_[anchor].text.substr(0, lines_[anchor].key_begin) : "";
    std::string nt = indent + std::string(key) + sep + enc;
    PXC_RETURN_IF_ERROR(check(nt, eol_size, anchor + 2));
    InsertAfter(anchor, std::move(nt));
    res.line = anchor + 2;
    return res;
  }
  std::string nt = std::string(key) + sep + enc;
  PXC_RETURN_IF_ERROR(check(nt, eol_size, LineCount() + 1));
  if (!lines_.empty() && lines_.back().kind != LineKind::kBlank) {
    InsertAfter(LineCount() - 1, "");
    res.added_blank_line = true;
  }
  InsertAfter(LineCount() - 1, "[" + std::string(section) + "]");
  InsertAfter(LineCount() - 1, std::move(nt));
  res.created_section = true;
  res.line = LineCount();
  return res;
}

int Document::Remove(std::string_view section, std::string_view key) {
  const std::vector<OptionRef> refs = FindAll(section, key);
  for (auto it = refs.rbegin(); it != refs.rend(); ++it) EraseAt(it->line - 1);
  return static_cast<int>(refs.size());
}

Status Document::ReplaceLine(int line, std::string_view text) {
  if (line < 1 || line > LineCount()) {
    return InvalidArgumentError("line " + std::to_string(line) + " is out of range (1.." +
                                std::to_string(LineCount()) + ")");
  }
  if (text.find('\n') != std::string_view::npos) {
    return InvalidArgumentError(LinePrefix(line) + "replacement text contains a newline");
  }
  Line& l = lines_[line - 1];
  if (text.size() + l.eol.size() > kMycnfMaxLineBytes) {
    return InvalidArgumentError(
        LinePrefix(line) + "the line would be " + std::to_string(text.size() + l.eol.size()) +
        " bytes long; mysqld reads at most " + std::to_string(kMycnfMaxLineBytes));
  }
  l.text = std::string(text);
  ParseLine(&l);
  return OkStatus();
}

Status Document::RemoveLine(int line) {
  if (line < 1 || line > LineCount()) {
    return InvalidArgumentError("line " + std::to_string(line) + " is out of range (1.." +
                                std::to_string(LineCount()) + ")");
  }
  EraseAt(line - 1);
  return OkStatus();
}

// ---------------------------------------------------------------------------
// Provider options.

ProviderOptions ParseProviderOptions(std::string_view value) {
  ProviderOptions out;
  for (const std::string_view seg : SplitUnescaped(value, ';', false)) {
    const std::string_view s = TrimView(seg);
    if (s.empty()) continue;
    const std::vector<std::string_view> kv = SplitUnescaped(s, '=', true);
    ProviderOption o;
    if (kv.size() == 1) {
      o.name = std::string(s);
    } else {
      o.name = std::string(TrimView(kv[0]));
      o.value = std::string(TrimView(s.substr(kv[0].size() + 1)));
    }
    out.push_back(std::move(o));
  }
  return out;
}

std::string FormatProviderOptions(const ProviderOptions& options) {
  std::string out;
  for (const ProviderOption& o : options) {
    if (!out.empty()) out += "; ";
    out += o.name;
    if (o.value) {
      out += '=';
      out += *o.value;
    }
  }
  return out;
}

std::optional<std::string> GetProviderOption(const ProviderOptions& options,
                                             std::string_view name) {
  for (auto it = options.rbegin(); it != options.rend(); ++it) {
    if (it->name == name) return it->value.value_or("");
  }
  return std::nullopt;
}

void SetProviderOption(ProviderOptions* options, std::string_view name, std::string_view value) {
  SetProviderOptionValue(options, name, std::string(value));
}

bool RemoveProviderOption(ProviderOptions* options, std::string_view name) {
  const auto it = std::remove_if(options->begin(), options->end(),
                                 [&](const ProviderOption& o) { return o.name == name; });
  const bool found = it != options->end();
  options->erase(it, options->end());
  return found;
}

ProviderOptions UnionProviderOptions(const ProviderOptions& earlier, const ProviderOptions& later) {
  ProviderOptions out;
  for (const ProviderOption& o : earlier) SetProviderOptionValue(&out, o.name, o.value);
  for (const ProviderOption& o : later) SetProviderOptionValue(&out, o.name, o.value);
  return out;
}

Status ValidateProviderOption(std::string_view name, std::string_view value) {
  if (name.empty()) return InvalidArgumentError("provider option name is empty");
  for (const char c : name) {
    if (IsSpace(c) || IsControl(c) || c == '=' || c == ';' || c == '"' || c == '\'' || c == '\\') {
      return InvalidArgumentError("provider option name " + Quoted(name) +
                                  " is not valid: it contains whitespace, '=', ';', quotes, "
                                  "backslashes or control bytes");
    }
  }
  for (const char c : value) {
    if (IsControl(c) || c == ';' || c == '\\') {
      return InvalidArgumentError("value of provider option " + std::string(name) +
                                  " is not valid: it contains ';', backslashes or control bytes");
    }
  }
  if (!value.empty() && (IsSpace(value.front()) || IsSpace(value.back()))) {
    return InvalidArgumentError("value of provider option " + std::string(name) +
                                " has surrounding whitespace");
  }
  return OkStatus();
}

StatusOr<int> ConsolidateProviderOptions(Document* doc, std::string_view section,
                                         std::string_view key) {
  const std::vector<OptionRef> refs = doc->FindAll(section, key);
  if (refs.size() <= 1) return 0;
  ProviderOptions merged;
  for (const OptionRef& r : refs) {
    if (r.unterminated_quote) {
      return InvalidArgumentError(LinePrefix(r.line) + "unterminated quote in " + r.key +
                                  "; fix the line by hand");
    }
    merged = UnionProviderOptions(merged, ParseProviderOptions(r.value.value_or("")));
  }
  PXC_ASSIGN_OR_RETURN(std::string text, FormatChecked(merged, &refs.back()));
  Document work = *doc;
  for (std::size_t k = 0; k + 1 < refs.size(); ++k) {
    PXC_RETURN_IF_ERROR(DisableLine(&work, refs[k]));
  }
  PXC_RETURN_IF_ERROR(work.Set(section, key, text, QuoteMode::kDouble).status());
  *doc = std::move(work);
  return static_cast<int>(refs.size()) - 1;
}

// ---------------------------------------------------------------------------
// Managed edits.

nlohmann::json ManagedEdit::ToJson() const {
  nlohmann::json j;
  j["kind"] = kind == ManagedKind::kValue ? "value" : "provider_options";
  j["section"] = TextToJson(section);
  j["key"] = TextToJson(key);
  j["original_line"] = OptTextToJson(original_line);
  j["managed_value"] = OptTextToJson(managed_value);
  nlohmann::json subs = nlohmann::json::array();
  for (const SubOptionEdit& s : sub_options) {
    subs.push_back(nlohmann::json{{"name", TextToJson(s.name)},
                                  {"original", OptTextToJson(s.original)},
                                  {"managed", OptTextToJson(s.managed)},
                                  {"from_duplicate", s.from_duplicate}});
  }
  j["sub_options"] = std::move(subs);
  nlohmann::json disabled = nlohmann::json::array();
  for (const std::string& d : disabled_lines) disabled.push_back(TextToJson(d));
  j["disabled_lines"] = std::move(disabled);
  j["disabled_skip"] = disabled_skip;
  j["created_section"] = created_section;
  j["added_blank_line"] = added_blank_line;
  return j;
}

StatusOr<ManagedEdit> ManagedEdit::FromJson(const nlohmann::json& j) {
  if (!j.is_object()) return InvalidArgumentError("managed edit is not a JSON object");
  ManagedEdit e;
  if (!j.contains("kind") || !j["kind"].is_string()) {
    return InvalidArgumentError("field \"kind\" is missing or not a string");
  }
  const std::string kind = j["kind"].get<std::string>();
  if (kind == "value") {
    e.kind = ManagedKind::kValue;
  } else if (kind == "provider_options") {
    e.kind = ManagedKind::kProviderOptions;
  } else {
    return InvalidArgumentError("field \"kind\" must be \"value\" or \"provider_options\"");
  }
  PXC_ASSIGN_OR_RETURN(e.section, RequiredTextFromJson(j, "section"));
  PXC_ASSIGN_OR_RETURN(e.key, RequiredTextFromJson(j, "key"));
  PXC_ASSIGN_OR_RETURN(e.original_line, OptTextFromJson(j, "original_line"));
  PXC_ASSIGN_OR_RETURN(e.managed_value, OptTextFromJson(j, "managed_value"));
  if (j.contains("sub_options")) {
    if (!j["sub_options"].is_array()) {
      return InvalidArgumentError("field \"sub_options\" is not an array");
    }
    for (const nlohmann::json& s : j["sub_options"]) {
      if (!s.is_object()) return InvalidArgumentError("a sub_options entry is not an object");
      SubOptionEdit se;
      PXC_ASSIGN_OR_RETURN(se.name, RequiredTextFromJson(s, "name"));
      PXC_ASSIGN_OR_RETURN(se.original, OptTextFromJson(s, "original"));
      PXC_ASSIGN_OR_RETURN(se.managed, OptTextFromJson(s, "managed"));
      PXC_ASSIGN_OR_RETURN(se.from_duplicate, BoolFromJson(s, "from_duplicate"));
      e.sub_options.push_back(std::move(se));
    }
  }
  if (j.contains("disabled_lines")) {
    if (!j["disabled_lines"].is_array()) {
      return InvalidArgumentError("field \"disabled_lines\" is not an array");
    }
    for (const nlohmann::json& d : j["disabled_lines"]) {
      PXC_ASSIGN_OR_RETURN(std::string text, TextFromJson(d, "disabled_lines"));
      e.disabled_lines.push_back(std::move(text));
    }
  }
  // Absent in state written before it existed: no line is skipped.
  e.disabled_skip.assign(e.disabled_lines.size(), 0);
  if (j.contains("disabled_skip")) {
    const nlohmann::json& skips = j["disabled_skip"];
    if (!skips.is_array() || skips.size() != e.disabled_lines.size()) {
      return InvalidArgumentError(
          "field \"disabled_skip\" is not an array as long as \"disabled_lines\"");
    }
    for (std::size_t i = 0; i < skips.size(); ++i) {
      const nlohmann::json& n = skips[i];
      if (!IsLineCount(n)) {
        return InvalidArgumentError("field \"disabled_skip\" has an entry that is not a count");
      }
      e.disabled_skip[i] = n.get<int>();
    }
  }
  PXC_ASSIGN_OR_RETURN(e.created_section, BoolFromJson(j, "created_section"));
  PXC_ASSIGN_OR_RETURN(e.added_blank_line, BoolFromJson(j, "added_blank_line"));
  return e;
}

nlohmann::json ManagedEditsToJson(const std::vector<ManagedEdit>& edits) {
  nlohmann::json arr = nlohmann::json::array();
  for (const ManagedEdit& e : edits) arr.push_back(e.ToJson());
  return nlohmann::json{{"version", 1}, {"edits", std::move(arr)}};
}

StatusOr<std::vector<ManagedEdit>> ManagedEditsFromJson(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("version") || !j["version"].is_number_integer() ||
      j["version"].get<std::int64_t>() != 1 || !j.contains("edits") || !j["edits"].is_array()) {
    return InvalidArgumentError("managed my.cnf edits must be {\"version\": 1, \"edits\": [...]}");
  }
  std::vector<ManagedEdit> out;
  std::size_t n = 0;
  for (const nlohmann::json& e : j["edits"]) {
    StatusOr<ManagedEdit> me = ManagedEdit::FromJson(e);
    if (!me.ok()) return me.status().WithContext("managed edit " + std::to_string(n));
    out.push_back(std::move(me).value());
    ++n;
  }
  return out;
}

DesiredOption DesiredOption::Value(std::string section, std::string key, std::string value) {
  DesiredOption d;
  d.kind = ManagedKind::kValue;
  d.section = std::move(section);
  d.key = std::move(key);
  d.value = std::move(value);
  return d;
}

DesiredOption DesiredOption::Absent(std::string section, std::string key) {
  DesiredOption d;
  d.kind = ManagedKind::kValue;
  d.section = std::move(section);
  d.key = std::move(key);
  return d;
}

DesiredOption DesiredOption::SubOptions(std::string section, std::string key,
                                        std::vector<ProviderOptionChange> changes) {
  DesiredOption d;
  d.kind = ManagedKind::kProviderOptions;
  d.section = std::move(section);
  d.key = std::move(key);
  d.sub_options = std::move(changes);
  return d;
}

StatusOr<std::vector<ManagedEdit>> ApplyManaged(Document* doc,
                                                const std::vector<DesiredOption>& desired) {
  Document work = *doc;
  std::set<std::pair<std::string, std::string>> seen;
  std::vector<ManagedEdit> records;
  for (const DesiredOption& d : desired) {
    PXC_RETURN_IF_ERROR(ValidateSectionName(d.section));
    PXC_RETURN_IF_ERROR(ValidateKey(d.key));
    if (!seen.insert({d.section, NormalizeOptionName(d.key)}).second) {
      return InvalidArgumentError(SectionKey(d.section, d.key) + " is listed twice");
    }
    ManagedEdit e;
    e.kind = d.kind;
    e.section = d.section;
    e.key = d.key;
    const std::vector<OptionRef> refs = work.FindAll(d.section, d.key);
    if (!refs.empty()) e.original_line = refs.back().text;
    if (d.kind == ManagedKind::kProviderOptions) {
      PXC_ASSIGN_OR_RETURN(e, ApplyProviderOptions(&work, d, refs, std::move(e)));
    } else if (d.value) {
      e.managed_value = d.value;
      PXC_ASSIGN_OR_RETURN(SetResult r, work.Set(d.section, d.key, *d.value));
      e.created_section = r.created_section;
      e.added_blank_line = r.added_blank_line;
    } else {
      PXC_RETURN_IF_ERROR(DisableLines(&work, refs, &e));
    }
    records.push_back(std::move(e));
  }
  *doc = std::move(work);
  return records;
}

UndoReport UndoManaged(Document* doc, const std::vector<ManagedEdit>& records) {
  UndoReport rep;
  for (auto it = records.rbegin(); it != records.rend(); ++it) {
    if (it->kind == ManagedKind::kProviderOptions) {
      UndoProviderOptions(doc, *it, &rep);
    } else {
      UndoValue(doc, *it, &rep);
    }
  }
  return rep;
}

std::vector<ManagedIssue> CheckManaged(const Document& doc,
                                       const std::vector<ManagedEdit>& records) {
  std::vector<ManagedIssue> out;
  for (const ManagedEdit& e : records) {
    const std::optional<OptionRef> ref = doc.Lookup(e.section, e.key);
    const std::string what = SectionKey(e.section, e.key);
    if (e.kind == ManagedKind::kValue) {
      if (e.managed_value) {
        if (!ref) {
          out.push_back(Issue(e, "", 0, e.managed_value, std::nullopt,
                              what + ", which pxc manages, was removed."));
        } else if (!ref->value || ref->unterminated_quote || *ref->value != *e.managed_value) {
          const std::string actual = ref->value.value_or("");
          out.push_back(Issue(e, "", ref->line, e.managed_value, actual,
                              what + " was changed (" + Describe(e.managed_value) + " -> " +
                                  Quoted(actual) + ")."));
        }
      } else if (ref) {
        out.push_back(Issue(e, "", ref->line, std::nullopt, ref->value.value_or(""),
                            what + ", which pxc disabled, is set again."));
      }
      continue;
    }
    if (ref && ref->unterminated_quote) {
      out.push_back(Issue(e, "", ref->line, std::nullopt, std::nullopt,
                          LinePrefix(ref->line) + what + " has an unterminated quote."));
      continue;
    }
    const ProviderOptions cur =
        ref ? ParseProviderOptions(ref->value.value_or("")) : ProviderOptions{};
    for (const SubOptionEdit& s : e.sub_options) {
      if (s.from_duplicate) continue;
      const std::optional<std::string> now = GetProviderOption(cur, s.name);
      if (now == s.managed) continue;
      std::string msg = what + " option " + s.name + " was changed (" + Describe(s.managed) +
                        " -> " + Describe(now) + ")";
      if (!ref) msg += ": the line was removed";
      out.push_back(Issue(e, s.name, ref ? ref->line : 0, s.managed, now, msg + "."));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Option trees.

namespace {

Status ReadTreeInto(const std::string& path, const Document& doc, const OptionFileSource& source,
                    int depth, bool root, std::vector<TreeOption>* out) {
  std::map<int, IncludeRef> includes;
  for (IncludeRef& inc : doc.Includes()) includes.emplace(inc.line, std::move(inc));
  bool in_section = false;
  for (int line = 1; line <= doc.LineCount(); ++line) {
    const LineKind kind = doc.KindOf(line);
    if (kind == LineKind::kSection) {
      in_section = true;
    } else if (kind == LineKind::kOption) {
      // The top file's options before any header are reported by Warnings();
      // an included file's are never read.
      if (!in_section && !root) continue;
      if (auto ref = doc.OptionAt(line)) out->push_back(TreeOption{path, *std::move(ref)});
    } else if (kind == LineKind::kInclude || kind == LineKind::kIncludeDir) {
      if (depth >= kMycnfMaxIncludeDepth) continue;
      const IncludeRef& inc = includes.at(line);
      std::vector<std::string> files;
      if (inc.is_dir) {
        if (!source.list_dir) continue;
        auto names = source.list_dir(inc.path);
        if (!names.ok()) return names.status().WithContext("listing " + inc.path);
        std::vector<std::string> sorted = *names;
        std::sort(sorted.begin(), sorted.end());
        for (const std::string& name : sorted) {
          // fn_ext: the extension is what follows the last '.'.
          const auto dot = name.rfind('.');
          if (dot == std::string::npos || name.substr(dot) != ".cnf") continue;
          files.push_back(inc.path + (inc.path.ends_with('/') ? "" : "/") + name);
        }
      } else {
        files.push_back(inc.path);
      }
      for (const std::string& f : files) {
        if (!source.read_file) continue;
        auto text = source.read_file(f);
        if (!text.ok()) return text.status().WithContext("reading " + f);
        if (!text->has_value()) continue;
        auto sub = Document::Parse(**text);
        if (!sub.ok()) return sub.status().WithContext(f);
        PXC_RETURN_IF_ERROR(ReadTreeInto(f, *sub, source, depth + 1, false, out));
      }
    }
  }
  return OkStatus();
}

}  // namespace

StatusOr<std::vector<TreeOption>> ReadOptionTree(const std::string& root_path, const Document& root,
                                                 const OptionFileSource& source) {
  std::vector<TreeOption> out;
  PXC_RETURN_IF_ERROR(ReadTreeInto(root_path, root, source, 0, true, &out));
  return out;
}

std::optional<TreeOption> EffectiveOption(const std::vector<TreeOption>& tree,
                                          const std::vector<std::string>& sections,
                                          std::string_view key) {
  const std::string nk = NormalizeOptionName(key);
  for (auto it = tree.rbegin(); it != tree.rend(); ++it) {
    if (NormalizeOptionName(it->ref.key) != nk) continue;
    if (std::find(sections.begin(), sections.end(), it->ref.section) == sections.end()) continue;
    return *it;
  }
  return std::nullopt;
}

}  // namespace pxc::resources
