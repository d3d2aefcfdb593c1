#include "resources/galera/tls_deploy.h"

#include <nlohmann/json.hpp>

#include "resources/remote/path_safety.h"
#include "resources/remote/ssh_settings.h"

namespace pxc::resources {

using schema::AttributePath;
using schema::Diagnostics;

namespace {

nlohmann::json StatToJson(const FileStat& st) {
  return {{"owner", st.owner}, {"group", st.group}, {"mode", FormatFileMode(st.mode)}};
}

std::optional<FileStat> StatFromJson(const nlohmann::json& j) {
  if (!j.is_object()) return std::nullopt;
  FileStat st;
  st.type = FileType::kDirectory;
  if (j.contains("owner") && j["owner"].is_string()) st.owner = j["owner"].get<std::string>();
  if (j.contains("group") && j["group"].is_string()) st.group = j["group"].get<std::string>();
  if (j.contains("mode") && j["mode"].is_string()) {
    st.mode = ParseFileMode(j["mode"].get<std::string>()).value_or(0);
  }
  return st;
}

}  // namespace

StatusOr<std::vector<TreeOption>> ReadTree(NodeHost& session, const std::string& path,
                                           const Document& root) {
  OptionFileSource src;
  src.read_file = [&](const std::string& p) { return session.ReadFile(p); };
  src.list_dir = [&](const std::string& dir) { return session.ListDirectory(dir); };
  return ReadOptionTree(path, root, src);
}

// Parses my_print_defaults output ("--key=value" per line) into the last
// value of each normalised key.

std::vector<std::string> CheckWithPrintDefaults(NodeHost& session, const TlsLayout& layout) {
  std::vector<std::string> wrong;
  std::map<std::string, std::map<std::string, std::string>> by_section;
  for (const auto& d : layout.Desired()) {
    if (by_section.count(d.section)) continue;
    auto r = session.Exec(
        "command -v my_print_defaults >/dev/null 2>&1 || exit 127; "
        "my_print_defaults --defaults-file=" +
        ShellQuote(layout.config_file) + " " + layout.PrintDefaultsGroups(d.section));
    if (!r.ok() || r->exit_status == 127) return {};
    if (r->exit_status != 0) {
      wrong.push_back("my_print_defaults failed (exit status " + std::to_string(r->exit_status) +
                      ")");
      return wrong;
    }
    by_section[d.section] = ParsePrintDefaults(r->stdout_text);
  }
  for (const auto& d : layout.Desired()) {
    const auto& m = by_section[d.section];
    auto it = m.find(NormalizeOptionName(d.key));
    std::optional<std::string> got;
    if (it != m.end()) got = it->second;
    if (d.kind == ManagedKind::kValue) {
      if (got != d.value) {
        wrong.push_back("[" + d.section + "] " + d.key + " is " +
                        (got ? "\"" + *got + "\"" : std::string("not set")) + ", pxc wrote \"" +
                        d.value.value_or("") + "\"");
      }
      continue;
    }
    ProviderOptions opts = got ? ParseProviderOptions(*got) : ProviderOptions{};
    for (const auto& so : d.sub_options) {
      auto v = GetProviderOption(opts, so.name);
      if (v != so.value) {
        wrong.push_back("[" + d.section + "] " + d.key + ": " + so.name + " is " +
                        (v ? "\"" + *v + "\"" : std::string("not set")) + ", pxc wants " +
                        (so.value ? "\"" + *so.value + "\"" : std::string("it removed")));
      }
    }
  }
  return wrong;
}

std::string EncodePrivate(const PrivateData& p) {
  nlohmann::json j;
  j["config_edits"] = ManagedEditsToJson(p.edits);
  j["files"] = p.files;
  j["backup"] = p.backup;
  if (p.cert_dir) {
    nlohmann::json d = {{"path", p.cert_dir->path}, {"created", p.cert_dir->created}};
    if (p.cert_dir->found) d["found"] = StatToJson(*p.cert_dir->found);
    if (p.cert_dir->repaired) d["repaired"] = true;
    j["cert_dir"] = d;
  }
  return j.dump();
}

StatusOr<PrivateData> DecodePrivate(const std::string& bytes) {
  PrivateData p;
  if (bytes.empty()) return p;
  auto j = nlohmann::json::parse(bytes, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgumentError("private state is not JSON");
  if (j.contains("cert_dir") && j["cert_dir"].is_object()) {
    const auto& d = j["cert_dir"];
    CertDirRecord r;
    if (d.contains("path") && d["path"].is_string()) r.path = d["path"].get<std::string>();
    r.created = d.contains("created") && d["created"].is_boolean() && d["created"].get<bool>();
    if (d.contains("found")) r.found = StatFromJson(d["found"]);
    r.repaired = d.contains("repaired") && d["repaired"].is_boolean() && d["repaired"].get<bool>();
    p.cert_dir = r;
  } else {
    p.legacy = true;
  }
  if (j.contains("config_edits")) {
    PXC_ASSIGN_OR_RETURN(p.edits, ManagedEditsFromJson(j["config_edits"]));
  }
  if (j.contains("files") && j["files"].is_array()) {
    for (const auto& f : j["files"]) {
      if (f.is_string()) p.files.push_back(f.get<std::string>());
    }
  }
  if (j.contains("backup") && j["backup"].is_string()) p.backup = j["backup"].get<std::string>();
  return p;
}

// cert_dir's entry in `files`: kSafeDirectory, or what is wrong with it.
std::string DirectoryVerdict(const DirectoryReport& r) {
  if (!r.exists) return kAbsent;
  if (r.symlink) return "symbolic link (pxc does not follow it)";
  if (r.stat && r.stat->type != FileType::kDirectory) return "not a directory";
  if (r.problem) return "unsafe: " + *r.problem;
  return kSafeDirectory;
}

std::optional<CertDirRecord> PrepareCertDir(NodeHost& session, const TlsLayout& l,
                                            const SshTarget& target, const PrivateData& prior,
                                            bool creating, bool* made, Diagnostics& diags) {
  *made = false;
  const auto at = AttributePath::Root("cert_dir");
  const std::string dir = l.Dir();
  const std::string where = l.name + " (" + target.host + ")";
  auto report = session.InspectDirectory(dir);
  if (!report.ok()) {
    ssh_settings::AddSshError(report.status(), "Cannot Inspect " + dir, target, at, diags);
    return std::nullopt;
  }
  if (report->symlink) {
    diags.AddError("cert_dir Is a Symbolic Link",
                   dir + " on " + where +
                       " is a symbolic link. pxc does not follow it: whoever can change the link "
                       "would decide where the keys go and which directory pxc changes. Set "
                       "cert_dir to the directory itself. Nothing was changed on the node.",
                   at);
    return std::nullopt;
  }
  if (report->exists && report->stat->type != FileType::kDirectory) {
    diags.AddError(
        "cert_dir Is Not a Directory",
        dir + " on " + where + " exists and is not a directory. Nothing was changed on the node.",
        at);
    return std::nullopt;
  }
  auto refuse = [&](const std::string& refusal) {
    diags.AddError("cert_dir Can Be Changed by Other Accounts",
                   refusal + ". Nothing was changed on the node.", at);
    return std::nullopt;
  };  // Gives cert_dir to root:<group> 0750, if its parents are safe. False
  // after adding an error.
  auto make_root_owned = [&]() {
    auto parent = session.InspectDirectory(ParentDirectory(dir));
    if (!parent.ok()) {
      ssh_settings::AddSshError(parent.status(), "Cannot Inspect " + dir, target, at, diags);
      return false;
    }
    if (parent->problem) {
      refuse(parent->refusal);
      return false;
    }
    Status st = session.SetDirectoryOwnerAndMode(dir, kCertDirMode, "root", l.group);
    if (!st.ok()) {
      ssh_settings::AddSshError(st, "Cannot Repair " + dir, target, at, diags);
      return false;
    }
    return true;
  };

  CertDirRecord record;
  record.path = dir;
  const bool ours = prior.cert_dir && prior.cert_dir->path == dir;
  if (!report->exists) {
    // Its parents must be safe before pxc creates anything below them.
    if (report->problem) return refuse(report->refusal);
    auto created = session.MakeDirectory(dir, kCertDirMode, "root", l.group);
    if (!created.ok()) {
      ssh_settings::AddSshError(created.status(), "Cannot Create " + dir, target, at, diags);
      return std::nullopt;
    }
    *made = *created;
    record.created = *created;
  } else if (ours && prior.cert_dir->created) {
    record = *prior.cert_dir;
    const auto& st = *report->stat;
    if (st.owner != "root" || st.group != l.group || st.mode != kCertDirMode) {
      // pxc's own directory drifted: put it back, if its parents are safe.
      if (!make_root_owned()) return std::nullopt;
    }
  } else if (!creating && prior.legacy && report->stat->owner == l.owner &&
             report->stat->group == l.group && report->stat->mode == kCertDirMode &&
             l.owner != "root") {
    // What earlier builds of pxc made of cert_dir: owner:group 0750.
    if (!make_root_owned()) return std::nullopt;
    record.found = report->stat;
    record.repaired = true;
    diags.AddWarning(
        "cert_dir Made Root-Owned",
        "An earlier version of pxc made " + dir + " on " + where + " owned by " + l.owner + ":" +
            l.group +
            ", so that account could replace the files pxc writes there with symbolic links and "
            "have pxc (as root) hand it any file of the node. pxc changed it to root:" +
            l.group + " " + FormatFileMode(kCertDirMode) +
            "; mysqld still reads the files through "
            "the group. Destroy leaves it so.",
        at);
  } else {
    record = ours ? *prior.cert_dir : record;
    if (!ours) record.found = report->stat;
  }
  // Whatever was there or was done: refuse a directory another account can
  // change (pxc never re-owns one it did not make).
  auto now = session.InspectDirectory(dir);
  if (!now.ok()) {
    ssh_settings::AddSshError(now.status(), "Cannot Inspect " + dir, target, at, diags);
    return std::nullopt;
  }
  if (now->problem) {
    if (*made) (void)session.RemoveDirectory(dir);
    std::string why = now->refusal;
    if (!record.created) {
      why += ". pxc changes the owner and mode only of a directory it created itself";
    }
    return refuse(why);
  }
  return record;
}

}  // namespace pxc::resources
