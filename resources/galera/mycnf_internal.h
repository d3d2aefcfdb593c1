// Helpers shared by the files that implement resources/galera/mycnf.h
// (mycnf.cc, provider_options.cc, managed_edits.cc). Not for other callers.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "resources/galera/mycnf.h"

namespace pxc::resources::mycnf_internal {

// my_isspace with latin1 for the ASCII range: space, \t, \n, \v, \f, \r.
bool IsSpace(char c);
// Bytes below 0x20, and 0x7F.
bool IsControl(char c);
std::string_view TrimView(std::string_view s);
// "my.cnf line N: ".
std::string LinePrefix(int line);
// "\"s\"".
std::string Quoted(std::string_view s);
// "[section] key".
std::string SectionKey(std::string_view section, std::string_view key);

// A line with its parse fields filled from `text`.
Document::Line MakeLine(std::string text, std::string eol);
// The decoded value of an option line given as text; "" if it has none.
std::string ValueOfLineText(std::string_view text);
Status ValidateSectionName(std::string_view s);
Status ValidateKey(std::string_view k);
// Comments out the option line `ref` with kMycnfDisabledPrefix.
Status DisableLine(Document* doc, const OptionRef& ref);

// Splits `v` at every `sep` (only the first with `first_only`) that no
// backslash escapes.
std::vector<std::string_view> SplitUnescaped(std::string_view v, char sep, bool first_only);
// SetProviderOption that can also set a segment without '=' (nullopt).
void SetProviderOptionValue(ProviderOptions* options, std::string_view name,
                            const std::optional<std::string>& value);
// name -> effective value ("" for a segment without '='), as Galera sees it.
std::map<std::string, std::string> Effective(const ProviderOptions& options);
// The canonical text of `options`, or kInvalidArgument (naming `ref`'s line
// when given) if it would not read back as the same list.
StatusOr<std::string> FormatChecked(const ProviderOptions& options, const OptionRef* ref);

}  // namespace pxc::resources::mycnf_internal
