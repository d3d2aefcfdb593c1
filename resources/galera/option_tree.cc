// Implementation of the option-tree layer of resources/galera/mycnf.h: the
// files a my.cnf makes the server read through !include and !includedir, in
// the server's reading order.
#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <utility>

#include "resources/galera/mycnf.h"

namespace pxc::resources {

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
