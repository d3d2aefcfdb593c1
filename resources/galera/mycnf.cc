// Implementation of the document layer of resources/galera/mycnf.h: the
// lossless line model of an option file, mysqld's reading rules and the
// encoding of option values. The other layers are in provider_options.cc,
// managed_edits.cc and option_tree.cc.
#include "resources/galera/mycnf.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <utility>

#include "resources/galera/mycnf_internal.h"

namespace pxc::resources {
namespace mycnf_internal {

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

}  // namespace mycnf_internal

using namespace mycnf_internal;

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

}  // namespace pxc::resources
