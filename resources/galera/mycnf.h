// MySQL / MariaDB option files ("my.cnf") as an editable document that keeps
// every byte it did not change, plus the bookkeeping pxc needs to undo its own
// edits byte for byte on destroy.
//
// Three layers:
//   1. Document: a lossless line model of an option file. Serialize(Parse(x))
//      == x for every input within kMycnfMaxBytes and kMycnfMaxLines (CRLF, a missing
//      final newline, a UTF-8 byte order mark, NUL bytes and lines that are not
//      option syntax included: those are kept verbatim and reported by
//      Warnings()). Lookups follow mysqld's reading rules; edits touch as few
//      bytes as possible.
//   2. wsrep_provider_options helpers: Galera resets every provider option that
//      is not listed, so TLS options must be merged into the existing value
//      rather than replaced.
//   3. Managed edits: ApplyManaged records what pxc changed (original line
//      text or absence, value pxc wrote, sub-option originals), the records
//      travel as JSON in Terraform private state, and UndoManaged puts the
//      original bytes back for every part pxc still owns, even after a human
//      edited unrelated lines. CheckManaged reports drift for plans.
//
// Parsing rules (mysys/my_default.cc, search_default_file_with_ext):
//   - Lines end at '\n'; a '\r' before it belongs to the terminator (CRLF).
//     A leading UTF-8 byte order mark is kept and skipped.
//   - A line whose first non-blank byte is '#' or ';' is a comment.
//   - "[name]" opens a section. Whitespace before '[' and anything after ']'
//     is ignored; whitespace before ']' is stripped from the name, whitespace
//     after '[' is part of the name (as in mysqld). Names are case-sensitive.
//   - "!include PATH" and "!includedir DIR" (whitespace allowed after '!';
//     PATH is the rest of the line, trimmed, a '#' in it is not a comment).
//   - Otherwise "key", "key=value" or "key = value". A '#' outside quotes ends
//     the line (a trailing comment); ';' is a comment only at line start, so an
//     unquoted value such as wsrep_provider_options=a=1;b=2 keeps its ';'.
//     Quote state is tracked from the start of the line; a backslash escapes
//     the next byte inside quotes.
//   - The value is trimmed; if it starts and ends with the same quote
//     character (' or ") those are removed; then the escapes \n \t \r \b \s
//     \" \' \\ are decoded (anywhere in the value, quoted or not; other
//     backslashes are kept).
//   - Option names: '-' and '_' are the same and a "loose-"/"loose_" prefix is
//     ignored ("loose-ssl-cert" == "ssl_cert"). Names stay case-sensitive.
//   - A section given several times is one section: the last occurrence of an
//     option in any of them wins (mysqld's last-wins).
//   - mysqld reads at most kMycnfMaxLineBytes bytes per line (a 4096-byte
//     fgets buffer) and would split a longer line; such lines are reported and
//     never interpreted or edited.
//
// Errors: Status with canonical codes. Messages that concern a line start with
// "my.cnf line N: " (1-based, numbering of the document at the time of the
// call); callers add the file path with Status::WithContext. No message quotes
// the content of a line that pxc does not manage (a [client] password stays
// out of logs).
//
// Thread safety: Document is a value type without shared state. Const methods
// may be called concurrently; mutation needs external synchronisation. All free
// functions are pure and reentrant. Nothing here does I/O.
//
// Robustness: every public function accepts arbitrary bytes (this code is
// fuzzed) and never crashes; limits are kMycnfMaxBytes and kMycnfMaxLines per
// document and kMycnfMaxLineBytes per line.
#pragma once

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schema/status.h"

namespace pxc::resources {

// Largest document Parse accepts (4 MiB). A node's my.cnf is a few KiB.
inline constexpr std::size_t kMycnfMaxBytes = std::size_t{4} << 20;
// Most lines Parse accepts. A node's my.cnf has at most a few hundred; the cap
// bounds memory (about 200 bytes per line) for hostile input.
inline constexpr std::size_t kMycnfMaxLines = 100000;
// Longest line, terminator included, that mysqld reads whole: it reads option
// files with fgets(buf, 4095) into a 4096-byte buffer.
inline constexpr std::size_t kMycnfMaxLineBytes = 4094;
// Prefix pxc puts in front of an option line it disables (comments out). The
// original text follows the prefix unchanged, so the line can be restored.
inline constexpr std::string_view kMycnfDisabledPrefix = "# [pxc] ";

// The name mysqld matches options by: a leading "loose-" or "loose_" removed,
// every '-' replaced by '_'. "loose-ssl-cert" -> "ssl_cert". Case is kept.
std::string NormalizeOptionName(std::string_view name);

// Decodes the raw text of a value as mysqld does (see the file comment): strips
// one pair of matching surrounding quotes, then decodes backslash escapes.
// `raw` is the value as it stands in the file, already trimmed and without the
// trailing comment. Accepts any bytes.
std::string DecodeOptionValue(std::string_view raw);

enum class QuoteMode {
  // Quote only when needed: empty values are written bare; values with
  // whitespace, control bytes, '#', ';', quotes or backslashes are quoted.
  kAuto,
  // Always double-quote (pxc writes wsrep_provider_options this way).
  kDouble,
};

// Encodes `value` for the right-hand side of "key=value" so that
// DecodeOptionValue of the result (as mysqld reads it back) equals `value`.
// `quote` is the quote character to use, or 0 to choose by `mode` (double
// quotes when quoting). Inside quotes, '\\', the quote character, newline,
// carriage return, tab and backspace are escaped. kInvalidArgument if `value`
// contains a NUL byte (mysqld cannot read it).
StatusOr<std::string> EncodeOptionValue(std::string_view value, QuoteMode mode, char quote = 0);

enum class LineKind {
  kBlank,       // empty or whitespace only
  kComment,     // first non-blank byte '#' or ';'
  kSection,     // [name]
  kOption,      // key, key=value
  kInclude,     // !include PATH
  kIncludeDir,  // !includedir DIR
  kInvalid,     // kept verbatim, never interpreted (see Warnings())
};

// A problem found in a line. Lines with problems are kept verbatim.
struct ParseWarning {
  int line = 0;         // 1-based
  std::string message;  // without the "my.cnf line N: " prefix
  // "my.cnf line N: message".
  std::string ToString() const;
};

// One option line as mysqld reads it.
struct OptionRef {
  int line = 0;                      // 1-based line number
  std::string section;               // enclosing section name
  std::string key;                   // as spelled in the file, e.g. "loose-ssl-cert"
  std::optional<std::string> value;  // decoded; nullopt for a bare "key"
  std::string raw_value;             // value text as written (trimmed, quotes kept)
  bool quoted = false;               // raw_value is wrapped in matching quotes
  bool unterminated_quote = false;   // a quote opened in the line never closes
  std::string text;                  // the whole line, without its terminator
};

struct SectionRef {
  int line = 0;
  std::string name;
};

struct IncludeRef {
  int line = 0;
  bool is_dir = false;  // !includedir (true) or !include (false)
  std::string path;     // as written, trimmed
  std::string section;  // section the directive appears in, "" before any
};

// What Document::Set did.
struct SetResult {
  int line = 0;                   // 1-based number of the line now holding the option
  bool changed = false;           // the document was modified
  bool inserted = false;          // a new option line was added
  bool created_section = false;   // a new "[section]" header was appended
  bool added_blank_line = false;  // a blank line was appended before that header
};

// A my.cnf file. Copyable value type.
class Document {
 public:
  // An empty document (zero lines).
  Document() = default;

  // Parses `text`. Never fails on content: lines that are not option syntax
  // are kept verbatim and reported by Warnings(). kInvalidArgument only when
  // `text` is longer than kMycnfMaxBytes or has more than kMycnfMaxLines lines.
  static StatusOr<Document> Parse(std::string_view text);

  // The document's bytes. Serialize(Parse(x)) == x.
  std::string Serialize() const;

  // Problems mysqld would have with the current lines (unterminated quotes,
  // '[' without ']', options before any section, unknown '!' directives,
  // over-long lines, NUL bytes, ...), in line order.
  std::vector<ParseWarning> Warnings() const;

  int LineCount() const { return static_cast<int>(lines_.size()); }
  // Text of line `line` (1-based) without its terminator; "" when out of range.
  std::string_view LineText(int line) const;
  // Kind of line `line`; kInvalid when out of range.
  LineKind KindOf(int line) const;
  // Name of the section line `line` belongs to (its own name for a header);
  // nullopt before the first header or out of range.
  std::optional<std::string> SectionOfLine(int line) const;

  // True if at least one "[section]" header with exactly this name exists.
  // pxc uses it to refuse a my.cnf without [mysqld] with a clear diagnostic
  // instead of letting Set create the section.
  bool HasSection(std::string_view section) const;
  // Every section header in file order (a repeated section appears repeatedly).
  std::vector<SectionRef> Sections() const;
  // Every !include / !includedir directive in file order, so callers can find
  // drop-in directories whose files may override this one.
  std::vector<IncludeRef> Includes() const;

  // Every option line of `key` (normalisation-aware) in any occurrence of
  // `section`, in file order. More than one entry means all but the last are
  // overridden: for wsrep_provider_options that is the tutorial's bug (the
  // earlier lines' provider options are silently reset); callers warn.
  std::vector<OptionRef> FindAll(std::string_view section, std::string_view key) const;
  // Same across several sections (e.g. MariaDB reads [server], [mysqld],
  // [galera], [mariadb]); file order, so the last entry is the effective one
  // when every listed section is read by the server.
  std::vector<OptionRef> FindAcross(const std::vector<std::string>& sections,
                                    std::string_view key) const;
  // The effective (last) occurrence of `key` in `section`, or nullopt.
  std::optional<OptionRef> Lookup(std::string_view section, std::string_view key) const;
  // The option on line `line` (its section "" before any header); nullopt
  // when the line is not an option line or out of range.
  std::optional<OptionRef> OptionAt(int line) const;
  // The effective decoded value of `key` in `section`; "" for a bare key
  // (use Lookup to tell "key" from "key="); nullopt when absent.
  std::optional<std::string> Get(std::string_view section, std::string_view key) const;

  // Sets `key` to `value` in `section`:
  //   - present: rewrites only the value of the LAST occurrence, keeping the
  //     line's indentation, the key's spelling, the spacing around '=', the
  //     trailing comment and the value's quote character if it was quoted
  //     (kDouble always writes double quotes). If
  //     the value already decodes to `value` (and is double-quoted when `mode`
  //     is kDouble) nothing changes. A bare "key" becomes "key=value" with the
  //     file's prevailing separator.
  //   - absent, section present: inserts "key=value" (or "key = value" when
  //     most option lines of the file use spaces around '=') after the last
  //     option line of the LAST occurrence of the section (right after its
  //     header if it has none) with that line's indentation, not at the end of
  //     the file: [mysqld] is often not the last section.
  //   - section absent: appends a blank line (unless the file is empty or
  //     already ends with one), "[section]" and the option.
  // New lines use the file's prevailing terminator (CRLF when most lines end
  // with CRLF). A file without a final newline still has none afterwards.
  // Errors (document unchanged): kInvalidArgument for a section name that is
  // empty, has surrounding whitespace, brackets or control bytes; a key that
  // is empty or contains whitespace, '=', '#', ';', quotes or control bytes,
  // or starts with '[' or '!'; a value with a NUL byte; a resulting line
  // longer than kMycnfMaxLineBytes. kInternal if the written line would not
  // read back as `value` (a self-check; not expected to happen).
  StatusOr<SetResult> Set(std::string_view section, std::string_view key, std::string_view value,
                          QuoteMode mode = QuoteMode::kAuto);

  // Removes every line of `key` in every occurrence of `section` (removing only
  // the last would let an earlier one take effect). Returns how many lines were
  // removed. Removing the last line of a file without a final newline leaves
  // the new last line without one.
  int Remove(std::string_view section, std::string_view key);

  // Low-level line edits, for callers that track lines themselves.
  // Replaces the text of line `line` (its terminator is kept). kInvalidArgument
  // for a line number out of range, text containing '\n', or a line longer than
  // kMycnfMaxLineBytes.
  Status ReplaceLine(int line, std::string_view text);
  // Removes line `line` with the same final-newline rule as Remove.
  // kInvalidArgument for a line number out of range.
  Status RemoveLine(int line);

  // Internal line model; public only so the class can be defined here.
  struct Line {
    std::string text;  // without terminator
    std::string eol;   // "\n", "\r\n", or "" for a last line without newline
    LineKind kind = LineKind::kBlank;
    std::string name;  // kSection: name; kOption: normalised key; kInclude*: path
    std::size_t key_begin = 0;
    std::size_t key_end = 0;
    std::size_t eq = std::string::npos;  // position of '=' or npos (bare key)
    std::size_t value_begin = 0;
    std::size_t value_end = 0;
    bool unterminated_quote = false;
    std::string warning;  // problem with this line alone, "" if none
  };

 private:
  std::string PrevailingEol() const;
  std::string PrevailingSeparator() const;
  void InsertAfter(int index, std::string text);
  void EraseAt(int index);
  OptionRef MakeRef(int index, const std::string& section) const;

  std::string bom_;  // "\xEF\xBB\xBF" when the input started with one
  std::vector<Line> lines_;
};

// ---------------------------------------------------------------------------
// wsrep_provider_options values: "name=value; name=value; ...".

struct ProviderOption {
  std::string name;
  // Everything after the first unescaped '=', trimmed (may contain '=');
  // nullopt for a segment without '=' (Galera rejects it; kept verbatim).
  std::optional<std::string> value;
  bool operator==(const ProviderOption&) const = default;
};
using ProviderOptions = std::vector<ProviderOption>;

// Splits a decoded wsrep_provider_options value on ';', trims every segment,
// drops empty segments and splits each at its first '='. A backslash escapes
// the next byte (Galera's escape); escapes are kept as written, so values
// round-trip. Duplicated names are kept (Galera uses the last). Never fails.
ProviderOptions ParseProviderOptions(std::string_view value);

// Canonical text: "name=value" (or "name") joined by "; ", e.g.
// "gcache.size=32M; socket.ssl_cert=/etc/mysql/certs/pxc1-cert.pem". An empty
// list gives "". Deterministic.
std::string FormatProviderOptions(const ProviderOptions& options);

// The effective value of `name` (its last occurrence; "" for a segment without
// '='), or nullopt when absent.
std::optional<std::string> GetProviderOption(const ProviderOptions& options, std::string_view name);

// Sets `name` to `value`: the first occurrence takes the value and later
// duplicates are dropped; an absent name is appended. Every other option
// keeps its position.
void SetProviderOption(ProviderOptions* options, std::string_view name, std::string_view value);

// Removes every occurrence of `name`. Returns true if one was present.
bool RemoveProviderOption(ProviderOptions* options, std::string_view name);

// The union of `earlier` and `later` with `later` winning: each name appears
// once, at the position where it first appears (in `earlier`, then `later`),
// with the value of its last occurrence. Within one list the last occurrence
// wins too. This is how several wsrep_provider_options lines are consolidated
// so that nothing the user had is lost.
ProviderOptions UnionProviderOptions(const ProviderOptions& earlier, const ProviderOptions& later);

// kInvalidArgument unless `name` is a non-empty provider option name without
// whitespace, control bytes, '=', ';', quotes or backslashes, and `value`
// has no control bytes, ';', backslashes or surrounding whitespace.
Status ValidateProviderOption(std::string_view name, std::string_view value);

// Consolidates every `key` line (default wsrep_provider_options) of `section`
// into the LAST one: that line's value becomes the canonical, double-quoted
// union of all of them (later lines win; see UnionProviderOptions), keeping
// its key spelling, indentation and trailing comment; each earlier line is
// disabled in place by prefixing kMycnfDisabledPrefix (nothing is deleted,
// so the user still sees what was there). Returns the number of lines
// disabled (0 with one or no line: nothing changes). kInvalidArgument with the
// line number if a line has an unterminated quote ("my.cnf line 12:
// unterminated quote in wsrep_provider_options; fix the line by hand") or a
// rewritten line would be too long; the document is then unchanged.
StatusOr<int> ConsolidateProviderOptions(Document* doc, std::string_view section,
                                         std::string_view key = "wsrep_provider_options");

// ---------------------------------------------------------------------------
// Managed edits: byte-exact undo of what pxc changed.
//
// Typical use:
//   Create:  records = ApplyManaged(&doc, desired); store ManagedEditsToJson
//            (records) in private state; write doc.Serialize().
//   Plan:    CheckManaged(doc, records) -> drift (a managed line removed or
//            changed by someone else).
//   Update:  UndoManaged(&doc, old records), then ApplyManaged(&doc, new
//            desired): records always describe changes relative to the
//            user's own text. Do not ApplyManaged twice without an Undo in
//            between: the second records would take pxc's values as originals.
//   Destroy: UndoManaged(&doc, records); report conflicts as warnings.

enum class ManagedKind {
  kValue,            // a whole option value (ssl_cert = ...)
  kProviderOptions,  // sub-options of a "a=b; c=d" list (wsrep_provider_options)
};

// One provider sub-option pxc manages.
struct SubOptionEdit {
  std::string name;
  std::optional<std::string> original;  // in the effective line before Apply; nullopt: absent
  std::optional<std::string> managed;   // what pxc left; nullopt: pxc removed it
  // Carried over from an earlier, overridden line when pxc consolidated
  // several lines. Not reported as drift; undone like the others.
  bool from_duplicate = false;
  bool operator==(const SubOptionEdit&) const = default;
};

// What ApplyManaged changed for one (section, key). Stored as JSON.
struct ManagedEdit {
  ManagedKind kind = ManagedKind::kValue;
  std::string section;
  std::string key;  // as the caller spelled it (lookups normalise)
  // Text (without terminator) of the effective line before Apply; nullopt
  // when the key was absent from the section.
  std::optional<std::string> original_line;
  // kValue: the decoded value pxc set; nullopt when pxc disabled the key.
  std::optional<std::string> managed_value;
  // kProviderOptions: every sub-option pxc set, removed or carried over.
  std::vector<SubOptionEdit> sub_options;
  // Original texts of lines pxc disabled with kMycnfDisabledPrefix (earlier
  // wsrep_provider_options duplicates, or every line of a disabled key), in
  // document order.
  std::vector<std::string> disabled_lines;
  // For each disabled line, how many lines of the section read exactly like
  // it (kMycnfDisabledPrefix + original) before it and are not pxc's: the
  // user's own "# [pxc] ..." text. Undo re-enables, for each in order, the
  // line with that text after this many others (the last one when the user
  // removed some since). Same length as disabled_lines (zeros when read from
  // state written without it).
  std::vector<int> disabled_skip;
  bool created_section = false;   // pxc appended "[section]" for this key
  bool added_blank_line = false;  // ... and a blank line before it
  bool operator==(const ManagedEdit&) const = default;

  // JSON object; every text field is a JSON string when it is valid UTF-8 and
  // {"base64": "..."} otherwise, so the JSON always dumps without throwing and
  // restores arbitrary bytes exactly.
  nlohmann::json ToJson() const;
  // Inverse of ToJson. kInvalidArgument naming the field that is missing or
  // has the wrong type.
  static StatusOr<ManagedEdit> FromJson(const nlohmann::json& j);
};

// {"version": 1, "edits": [ManagedEdit::ToJson()...]}.
nlohmann::json ManagedEditsToJson(const std::vector<ManagedEdit>& edits);
// Inverse of ManagedEditsToJson. kInvalidArgument for another shape or version.
StatusOr<std::vector<ManagedEdit>> ManagedEditsFromJson(const nlohmann::json& j);

struct ProviderOptionChange {
  std::string name;
  std::optional<std::string> value;  // nullopt: remove the sub-option
};

// What pxc wants in the file for one (section, key).
struct DesiredOption {
  ManagedKind kind = ManagedKind::kValue;
  std::string section;
  std::string key;
  // kValue: the value to set, or nullopt to disable every line of the key.
  std::optional<std::string> value;
  // kProviderOptions: sub-options to set or remove; all others are kept.
  std::vector<ProviderOptionChange> sub_options;

  static DesiredOption Value(std::string section, std::string key, std::string value);
  static DesiredOption Absent(std::string section, std::string key);
  static DesiredOption SubOptions(std::string section, std::string key,
                                  std::vector<ProviderOptionChange> changes);
};

// Applies `desired` in order and returns one record per entry.
//   kValue with a value: Document::Set (QuoteMode::kAuto).
//   kValue without a value: every line of the key in the section is disabled
//     with kMycnfDisabledPrefix.
//   kProviderOptions: the union of all lines of the key (later wins, see
//     ConsolidateProviderOptions: earlier lines are disabled, not deleted),
//     with the changes applied, written double-quoted and canonical to the
//     last line (inserted like Set when absent). Nothing is written when the
//     result equals the effective line and there is a single line.
// Errors (document unchanged): kInvalidArgument for two entries with the same
// section and normalised key, an invalid section/key/value (see Set and
// ValidateProviderOption), duplicated sub-option names, a provider options
// line with an unterminated quote or whose options do not split cleanly (a
// dangling backslash), with its line number, a line that would be too long.
StatusOr<std::vector<ManagedEdit>> ApplyManaged(Document* doc,
                                                const std::vector<DesiredOption>& desired);

// A managed part that no longer looks as pxc left it.
struct ManagedIssue {
  std::string section;
  std::string key;
  std::string sub_option;               // "" for the whole option
  int line = 0;                         // current 1-based line, 0 when gone
  std::optional<std::string> expected;  // what pxc left (nullopt: absent)
  std::optional<std::string> actual;    // what is there now (nullopt: absent)
  std::string message;                  // one full sentence
};

struct UndoReport {
  int restored = 0;  // records (or sub-options) put back
  std::vector<ManagedIssue> conflicts;
  bool clean() const { return conflicts.empty(); }
};

// Undoes `records` (newest first). For each record, the effective line of the
// key is compared with what pxc left:
//   kValue: if its decoded value still equals managed_value, the original line
//     text is put back (or the inserted line removed); otherwise it is left
//     alone and reported. A disabled key gets its lines re-enabled.
//   kProviderOptions: each sub-option whose value still equals what pxc left
//     is restored (original value, or removed when pxc added it); the others
//     are left and reported (except carried-over ones, which are just kept).
//     If the line then means the same as the original line (same effective
//     name -> value map), the original text is put back byte for byte;
//     otherwise the line is rewritten canonically, keeping everyone's changes.
//     A line pxc inserted that ends up empty is removed. Lines pxc disabled are
//     re-enabled (only while the managed line still exists, so an earlier line
//     never becomes effective by accident).
//   A section pxc created is removed (with the blank line pxc added) once it
//   is empty; a non-empty one is left and reported.
// Lines nobody changed end up byte-identical to the original; edits by others
// elsewhere are kept. Never fails: everything it cannot do is in `conflicts`.
UndoReport UndoManaged(Document* doc, const std::vector<ManagedEdit>& records);

// Drift: every managed key whose effective line is gone or whose value (or
// managed sub-option) differs from what pxc left, and every key pxc disabled
// that is set again. Carried-over sub-options are not checked. Empty when the
// file is as pxc left it.
std::vector<ManagedIssue> CheckManaged(const Document& doc,
                                       const std::vector<ManagedEdit>& records);

// ---------------------------------------------------------------------------
// Option trees: a file and the files its !include / !includedir directives
// make the server read. A line in an included file overrides pxc's managed
// line when the server reads it later (last wins), so pxc must look at the
// whole tree, not only the file it edits.

// One option line as the server reads it through an option tree.
struct TreeOption {
  std::string file;  // path of the file that holds the line
  OptionRef ref;     // its line number, section (in that file), key and value
};

// How ReadOptionTree reaches the other files (over SSH on a node, a map in
// tests).
struct OptionFileSource {
  // Contents of the file at `path`; nullopt when it does not exist.
  std::function<StatusOr<std::optional<std::string>>(const std::string& path)> read_file;
  // Names (not paths) of the entries of directory `dir`; empty when it does
  // not exist.
  std::function<StatusOr<std::vector<std::string>>(const std::string& dir)> list_dir;
};

// Deepest nesting of includes followed (mysys/my_default.cc:
// max_recursion_level).
inline constexpr int kMycnfMaxIncludeDepth = 10;

// Every option line the server reads from `root` (the text of `root_path`), in
// reading order, as mysys/my_default.cc (search_default_file_with_ext) does:
// "!include FILE" reads FILE at that point, "!includedir DIR" reads every
// entry of DIR whose name ends in ".cnf", in byte order of the names (my_dir
// sorts them); each included file starts outside any section, so its options
// before its first header are not read (mysqld refuses them); a missing file
// or directory is skipped; nesting deeper than kMycnfMaxIncludeDepth is not
// followed. Relative paths are used as written. Errors: those of `source`
// and of Document::Parse for an included file, with the path.
StatusOr<std::vector<TreeOption>> ReadOptionTree(const std::string& root_path, const Document& root,
                                                 const OptionFileSource& source);

// The last entry of `tree` for `key` (names normalised) in one of `sections`:
// the one the server uses. nullopt when there is none.
std::optional<TreeOption> EffectiveOption(const std::vector<TreeOption>& tree,
                                          const std::vector<std::string>& sections,
                                          std::string_view key);

}  // namespace pxc::resources
