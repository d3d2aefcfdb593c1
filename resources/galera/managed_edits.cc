// Implementation of the managed-edits layer of resources/galera/mycnf.h:
// ApplyManaged records what pxc changed, the records travel as JSON in
// Terraform's private state, UndoManaged puts the original bytes back and
// CheckManaged reports drift.
#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <utility>

#include "resources/galera/mycnf.h"
#include "resources/galera/mycnf_internal.h"
#include "schema/text.h"

namespace pxc::resources {
namespace {

using namespace mycnf_internal;

// ---------------------------------------------------------------------------
// JSON helpers.

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

using namespace mycnf_internal;

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

}  // namespace pxc::resources
