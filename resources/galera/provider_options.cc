// Implementation of the wsrep_provider_options layer of
// resources/galera/mycnf.h: "name=value; ..." lists split, merged and
// written back so that no provider option of the user's is lost.
#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <utility>

#include "resources/galera/mycnf.h"
#include "resources/galera/mycnf_internal.h"

namespace pxc::resources {
namespace mycnf_internal {

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

Status DisableLine(Document* doc, const OptionRef& ref) {
  return doc->ReplaceLine(ref.line, std::string(kMycnfDisabledPrefix) + ref.text);
}

}  // namespace mycnf_internal

using namespace mycnf_internal;

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

}  // namespace pxc::resources
