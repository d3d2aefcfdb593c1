#include "provider/docs.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace pxc::provider {

namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return "";
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string ShortName(const std::string& type) {
  return type.rfind("pxc_", 0) == 0 ? type.substr(4) : type;
}

std::string Flags(const schema::Attribute& a) {
  std::string f = a.type.FriendlyName();
  if (a.sensitive) f += ", Sensitive";
  if (a.write_only) f += ", [Write-only](#write-only-arguments)";
  if (a.requires_replace) f += ", Forces replacement";
  if (a.default_value && a.default_value->IsKnown()) {
    f += ", Default: `" + a.default_value->DebugString() + "`";
  }
  return f;
}

void RenderBlock(const schema::Block& block, const std::string& prefix, std::ostringstream& out) {
  struct Group {
    const char* title;
    bool (*match)(const schema::Attribute&);
  };
  const Group groups[] = {
      {"Required", [](const schema::Attribute& a) { return a.required(); }},
      {"Optional", [](const schema::Attribute& a) { return a.optional(); }},
      {"Read-Only", [](const schema::Attribute& a) { return !a.optional() && !a.required(); }},
  };
  for (const auto& g : groups) {
    std::vector<const schema::Attribute*> attrs;
    for (const auto& a : block.attributes) {
      if (g.match(a)) attrs.push_back(&a);
    }
    if (attrs.empty()) continue;
    out << "\n### " << prefix << g.title << "\n\n";
    for (const auto* a : attrs) {
      out << "- `" << a->name << "` (" << Flags(*a) << ") " << a->description << "\n";
    }
  }
  for (const auto& nb : block.blocks) {
    out << "\n### Nested Block `" << nb.type_name << "`\n";
    RenderBlock(nb.block, nb.type_name + ": ", out);
  }
}

std::string Page(const std::string& kind, const std::string& type, const schema::Schema& s,
                 const fs::path& examples) {
  std::ostringstream out;
  out << "---\npage_title: \"" << type << " " << kind << " - pxc\"\nsubcategory: \"\"\n"
      << "description: |-\n  " << s.block.description.substr(0, s.block.description.find(". ") + 1)
      << "\n---\n\n";
  out << "# " << type << " (" << kind << ")\n\n" << s.block.description << "\n";
  std::string example = ReadFile(examples / "resource.tf");
  if (example.empty()) example = ReadFile(examples / "data-source.tf");
  if (example.empty()) example = ReadFile(examples / "ephemeral-resource.tf");
  if (!example.empty()) out << "\n## Example Usage\n\n```terraform\n" << example << "```\n";
  out << "\n## Schema\n";
  RenderBlock(s.block, "", out);
  if (schema::HasWriteOnly(s.block)) {
    out << "\n## Write-only Arguments\n\n"
           "Write-only arguments are used during apply and never stored in Terraform state or "
           "plan files; they can take ephemeral values (an `ephemeral = true` variable, an "
           "ephemeral resource). They need Terraform 1.11 or later: an older Terraform gets an "
           "error naming the attribute. Terraform cannot see a change of a value it never "
           "stores, so change the matching `*_wo_version` argument to apply a new value.\n";
  }
  if (kind == "Ephemeral Resource") {
    out << "\n## Ephemeral Resource\n\n"
           "Terraform (1.10 or later) opens this ephemeral resource in every plan and apply that "
           "needs it and closes it at the end; its values are never written to state or plan "
           "files and may be used only in ephemeral contexts: provider configuration blocks, "
           "write-only arguments, other ephemeral resources, locals and ephemeral outputs.\n";
  }
  std::string import = ReadFile(examples / "import.sh");
  if (!import.empty())
    out << "\n## Import\n\nImport is supported using the following syntax:\n\n```shell\n"
        << import << "```\n";
  return out.str();
}

}  // namespace

std::map<std::string, std::string> GenerateDocs(const schema::ProviderDefinition& def,
                                                const std::string& repo_root) {
  std::map<std::string, std::string> docs;
  fs::path root(repo_root);
  std::ostringstream index;
  index << "---\npage_title: \"Provider: pxc\"\ndescription: |-\n  TLS for Percona XtraDB Cluster "
           "and Galera clusters.\n---\n\n# pxc Provider\n\n"
        << def.GetSchema().block.description << "\n";
  std::string example = ReadFile(root / "examples/provider/provider.tf");
  if (!example.empty()) index << "\n## Example Usage\n\n```terraform\n" << example << "```\n";
  index << "\n## Schema\n";
  std::ostringstream provider_schema;
  RenderBlock(def.GetSchema().block, "", provider_schema);
  index << (provider_schema.str().empty()
                ? std::string("\nThe provider block takes no arguments.\n")
                : provider_schema.str());
  index << "\n## Resources, data sources and ephemeral resources\n\n";
  for (const auto& r : def.Resources()) {
    index << "- [" << r->TypeName() << "](resources/" << ShortName(r->TypeName()) << ".md)\n";
    docs["docs/resources/" + ShortName(r->TypeName()) + ".md"] = Page(
        "Resource", r->TypeName(), r->GetSchema(), root / "examples/resources" / r->TypeName());
  }
  for (const auto& d : def.DataSources()) {
    index << "- [" << d->TypeName() << "](data-sources/" << ShortName(d->TypeName()) << ".md)\n";
    docs["docs/data-sources/" + ShortName(d->TypeName()) + ".md"] =
        Page("Data Source", d->TypeName(), d->GetSchema(),
             root / "examples/data-sources" / d->TypeName());
  }
  for (const auto& e : def.EphemeralResources()) {
    index << "- [" << e->TypeName() << "](ephemeral-resources/" << ShortName(e->TypeName())
          << ".md) (ephemeral)\n";
    docs["docs/ephemeral-resources/" + ShortName(e->TypeName()) + ".md"] =
        Page("Ephemeral Resource", e->TypeName(), e->GetSchema(),
             root / "examples/ephemeral-resources" / e->TypeName());
  }
  docs["docs/index.md"] = index.str();
  return docs;
}

int RunDocsCommand(const schema::ProviderDefinition& def, const std::string& repo_root,
                   bool check) {
  auto docs = GenerateDocs(def, repo_root);
  int drift = 0;
  for (const auto& [rel, content] : docs) {
    fs::path p = fs::path(repo_root) / rel;
    if (check) {
      if (ReadFile(p) != content) {
        std::fprintf(stderr,
                     "docs drift: %s differs from the schema; run "
                     "`terraform-provider-pxc docs .` and commit the result\n",
                     rel.c_str());
        ++drift;
      }
      continue;
    }
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    std::printf("wrote %s\n", rel.c_str());
  }
  if (check && drift == 0) std::printf("docs: %zu files match the schema\n", docs.size());
  return drift == 0 ? 0 : 1;
}

}  // namespace pxc::provider
