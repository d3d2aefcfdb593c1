// Implementation of tests/driver/scenario.h: running data-driven scenarios
// (tests/scenarios/*.json) through the protocol driver. About 1500 lines in
// one file: the step interpreter, its expectation matchers and the
// placeholder substitution work on one scenario state; the file is
// sectioned by step kind.
#include "tests/driver/scenario.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "schema/json_codec.h"
#include "tests/driver/objchange.h"
#include "tests/driver/plugin_capture.h"
#include "tests/driver/plugin_client.h"
#include "tests/driver/process.h"
#include "tests/driver/terraform.h"

namespace pxc::tfdriver {

namespace {

namespace fs = std::filesystem;
// Scenario files keep the order they are written in (resources are planned
// in that order).
using json = nlohmann::ordered_json;
using schema::Block;
using schema::Nesting;
using schema::TypeKind;

constexpr char kMarker[] = ".pxc-tfdriver";
constexpr char kStateFile[] = "terraform.tfstate";

// One `resource` or `data` block of a configuration.
struct ResourceSpec {
  std::string address;
  std::string type;
  bool data = false;  // a data source ("data.<type>.<name>")
  json config = json::object();
  std::vector<std::string> depends_on;
};
using Config = std::vector<ResourceSpec>;

ResourceSpec SpecFrom(const std::string& address, const json& r) {
  ResourceSpec spec;
  spec.address = address;
  spec.data = IsDataAddress(address);
  const std::string rest = spec.data ? address.substr(5) : address;
  spec.type = r.value("type", rest.substr(0, rest.find('.')));
  spec.config = r.contains("config") ? r["config"] : json::object();
  for (const auto& d : r.value("depends_on", json::array())) {
    spec.depends_on.push_back(d.get<std::string>());
  }
  return spec;
}

// How references are resolved while building a value.
enum class RefMode {
  kValidate,  // every reference is unknown
  kPlan,      // planned values of this step
  kApply,     // values applied so far in this walk
  kState,     // the state (files, run commands, import IDs)
};

struct ExpectedError {
  std::string summary_contains;
  std::string detail_contains;
  std::string attribute;
  std::string address;
  std::string during;
  bool evaluated = false;
  bool matched = false;

  // "expect": {"error"|"warning": {...}}; `during` defaults to
  // `default_during`.
  static ExpectedError FromJson(const json& e, const char* default_during) {
    ExpectedError x;
    x.summary_contains = e.value("summary_contains", "");
    x.detail_contains = e.value("detail_contains", "");
    x.attribute = e.value("attribute", "");
    x.address = e.value("address", "");
    x.during = e.value("during", default_during);
    return x;
  }

  // `item`, reported for `address`, is the diagnostic this expects.
  bool Matches(const std::string& at_address, const schema::Diagnostic& item) const {
    return (address.empty() || address == at_address) &&
           item.summary.find(summary_contains) != std::string::npos &&
           item.detail.find(detail_contains) != std::string::npos &&
           (attribute.empty() || (item.path && item.path->ToString() == attribute));
  }
};

// A piece of a template: literal text or an expression inside ${...}.
struct Piece {
  bool literal = true;
  std::string text;
};

StatusOr<std::vector<Piece>> ParseTemplate(const std::string& s) {
  std::vector<Piece> out;
  std::string lit;
  for (size_t i = 0; i < s.size();) {
    if (s.compare(i, 3, "$${") == 0) {
      lit += "${";
      i += 3;
    } else if (s.compare(i, 2, "${") == 0) {
      size_t end = s.find('}', i + 2);
      if (end == std::string::npos) {
        return InvalidArgumentError("unterminated template sequence in \"" + s + "\"");
      }
      if (!lit.empty()) out.push_back({true, lit});
      lit.clear();
      out.push_back({false, s.substr(i + 2, end - i - 2)});
      i = end + 1;
    } else {
      lit += s[i++];
    }
  }
  if (!lit.empty() || out.empty()) out.push_back({true, lit});
  return out;
}

// "attr.sub[0]" -> path steps.
StatusOr<AttributePath> ParseRefPath(const std::string& text) {
  AttributePath p;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '.') {
      ++i;
      continue;
    }
    if (text[i] == '[') {
      size_t end = text.find(']', i);
      if (end == std::string::npos) return InvalidArgumentError("unterminated [ in " + text);
      std::string key = text.substr(i + 1, end - i - 1);
      if (!key.empty() && key.front() == '"' && key.back() == '"' && key.size() >= 2) {
        p = p.Key(key.substr(1, key.size() - 2));
      } else {
        try {
          p = p.Index(std::stoll(key));
        } catch (...) {
          return InvalidArgumentError("invalid index [" + key + "] in " + text);
        }
      }
      i = end + 1;
      continue;
    }
    size_t end = text.find_first_of(".[", i);
    p = p.Attr(text.substr(i, end == std::string::npos ? std::string::npos : end - i));
    i = end == std::string::npos ? text.size() : end;
  }
  return p;
}

std::string ReadFileText(const std::string& path, bool* ok) {
  std::ifstream in(path, std::ios::binary);
  *ok = static_cast<bool>(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> StringOrList(const json& j) {
  std::vector<std::string> out;
  if (j.is_string()) out.push_back(j.get<std::string>());
  if (j.is_array()) {
    for (const auto& e : j) out.push_back(e.get<std::string>());
  }
  return out;
}

std::string OneLine(std::string s, size_t max = 70) {
  for (char& c : s) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  if (s.size() > max) s = s.substr(0, max - 3) + "...";
  return s;
}

std::string Indent(const std::string& text, const std::string& prefix = "#   ") {
  std::string out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out += prefix + line + "\n";
  return out;
}

// The first attribute path where two values of the same type differ.
std::string FirstDifference(const Value& a, const Value& b) {
  if (a.type() != b.type()) return "(type)";
  if (a.IsKnown() && b.IsKnown() && a.type().kind() == TypeKind::kObject) {
    for (const auto& [k, av] : a.Entries()) {
      const Value& bv = b.Entries().at(k);
      if (av != bv) {
        std::string sub = FirstDifference(av, bv);
        return sub.empty() ? k : k + "." + sub;
      }
    }
  }
  return "";
}

std::string FirstUnknown(const Value& v) {
  std::string found;
  v.Transform([&](const AttributePath& p, const Value& x) -> std::optional<Value> {
    if (found.empty() && x.IsUnknown()) found = p.empty() ? "(root)" : p.ToString();
    return std::nullopt;
  });
  return found;
}

class Runner {
 public:
  explicit Runner(const ScenarioOptions& o) : opt_(o), out_(o.out ? *o.out : std::cout) {}

  ScenarioResult Run();

 private:
  // ---- output
  void Ok(const std::string& what) {
    ++passed_;
    out_ << "ok - " << step_name_ << ": " << what << "\n" << std::flush;
  }
  void NotOk(const std::string& what, const std::string& detail) {
    ++failed_;
    out_ << "not ok - " << step_name_ << ": " << what;
    if (!detail.empty()) {
      size_t nl = detail.find('\n');
      out_ << ": " << (nl == std::string::npos ? detail : detail.substr(0, nl)) << "\n";
      if (nl != std::string::npos) out_ << Indent(detail.substr(nl + 1));
    } else {
      out_ << "\n";
    }
    out_ << std::flush;
  }
  void Note(const std::string& text) { out_ << Indent(text, "# ") << std::flush; }

  // ---- setup
  bool PrepareWorkdir();
  void RunStep(const json& step);

  // ---- walks: a provider process with schemas, state and (optionally) a
  // configured provider.
  struct Walk {
    std::string name;
    std::unique_ptr<PluginClient> client;
    std::unique_ptr<Terraform> tf;
    State state;
    int failed_before = 0;
  };
  bool OpenWalk(const std::string& name, Walk& w);
  bool ConfigureWalk(Walk& w, RefMode mode, const std::string& phase);
  void CloseWalk(Walk& w);

  // ---- values
  StatusOr<Value> Eval(const std::string& expr, RefMode mode, const Walk* w);
  Value BuildAttr(const Type& t, const json& j, RefMode mode, const Walk* w,
                  const AttributePath& path, Diagnostics& diags);
  Value BuildObject(const Block& b, const json& j, RefMode mode, const Walk* w,
                    const AttributePath& path, Diagnostics& diags);
  StatusOr<std::string> RenderTemplate(const std::string& tmpl, const Walk* w);
  void CheckMatchers(const std::string& what, const json& spec,
                     const std::map<std::string, Value>& values, const Walk& w);

  // ---- error expectations; true when the step must stop here.
  bool PhaseDone(const std::string& phase,
                 const std::vector<std::pair<std::string, Diagnostics>>& results);

  // ---- step parts
  bool ResolveConfig(const json& step, Config* cfg);
  void PlanAndApply(const json& step, const Config& cfg, bool destroy);
  // Plans one data source as core's planDataSource does: read now when its
  // configuration is wholly known and nothing it depends_on has a change,
  // else plan a "read" (PlannedDataResourceObject) for the apply walk.
  void PlanDataSource(Walk& w, const ResourceSpec& r, std::vector<PlannedChange>& changes,
                      std::vector<std::pair<std::string, Diagnostics>>& results);
  // A deferred read during apply, with the configuration now known.
  Diagnostics ReadDeferred(Walk& w, const PlannedChange& ch, const Config& cfg);
  // The step's "outputs" (string templates) with the values of `mode`,
  // printed and checked against "expect": { "outputs": ... }.
  void CheckOutputs(const json& step, RefMode mode);
  void ImportStep(const json& step);
  void RefreshCheck();
  void FilesAndRun(const json& step);

  ScenarioOptions opt_;
  std::ostream& out_;
  std::string workdir_;
  std::string state_path_;
  json provider_json_ = json::object();
  ClientOptions client_;
  Config prev_config_;
  Config current_config_;
  std::string step_name_;
  std::optional<ExpectedError> expected_error_;
  std::optional<ExpectedError> expected_warning_;  // "expect": {"warning": ...}
  bool schema_reported_ = false;
  bool step_completed_ = false;             // the current step ran to its end
  std::optional<ProviderSchemas> schemas_;  // from the first walk
  // Data sources read while planning this step (stored by its apply).
  std::map<std::string, ResourceObject> data_read_;
  // Values references resolve to, by address.
  std::map<std::string, Value> planned_;
  std::map<std::string, Value> applied_;
  std::unique_ptr<PluginCapture> capture_;  // --capture-plugin-proc
  int passed_ = 0;
  int failed_ = 0;
};

// ---------------------------------------------------------------- setup

bool Runner::PrepareWorkdir() {
  std::error_code ec;
  if (opt_.workdir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/pxc-tfdriver-XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (!mkdtemp(buf.data())) {
      NotOk("work directory", "cannot create a temporary directory under " + tmpl);
      return false;
    }
    workdir_ = buf.data();
  } else {
    workdir_ = fs::absolute(opt_.workdir, ec).lexically_normal().string();
    if (fs::exists(workdir_, ec) && !fs::is_empty(workdir_, ec)) {
      if (!fs::exists(fs::path(workdir_) / kMarker, ec)) {
        NotOk("work directory", workdir_ +
                                    " exists, is not empty and was not created by pxc-tfdriver; "
                                    "give an empty or new directory");
        return false;
      }
      if (!opt_.keep_state) {
        for (const auto& e : fs::directory_iterator(workdir_, ec)) fs::remove_all(e.path(), ec);
      }
    }
    fs::create_directories(workdir_, ec);
    if (ec) {
      NotOk("work directory", "cannot create " + workdir_ + ": " + ec.message());
      return false;
    }
  }
  std::ofstream(fs::path(workdir_) / kMarker) << "created by pxc-tfdriver\n";
  state_path_ = (fs::path(workdir_) / kStateFile).string();
  out_ << "# work directory: " << workdir_ << "\n";
  if (opt_.capture_plugin_proc) capture_ = std::make_unique<PluginCapture>(workdir_);
  return true;
}

ScenarioResult Runner::Run() {
  step_name_ = "scenario";
  bool ok = false;
  std::string text = ReadFileText(opt_.scenario_path, &ok);
  json doc;
  if (!ok) {
    NotOk("read scenario", "cannot read " + opt_.scenario_path);
  } else {
    doc = json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("steps") ||
        !doc["steps"].is_array()) {
      NotOk("parse scenario", opt_.scenario_path + " is not a JSON object with a \"steps\" array");
    } else if (PrepareWorkdir()) {
      if (doc.contains("provider")) provider_json_ = doc["provider"];
      if (doc.contains("client") && doc["client"].is_object()) {
        client_.terraform_version = doc["client"].value("terraform_version", kTerraformVersion);
        client_.write_only_attributes_allowed =
            doc["client"].value("write_only_attributes_allowed", false);
      }
      int i = 0;
      for (const auto& step : doc["steps"]) {
        ++i;
        step_name_ = step.value("name", "step " + std::to_string(i));
        try {
          RunStep(step);
        } catch (const std::exception& e) {
          NotOk("step", std::string("pxc-tfdriver failed: ") + e.what());
        }
      }
    }
  }
  if (capture_ && !capture_->error().empty()) NotOk("capture plugin evidence", capture_->error());
  out_ << passed_ << " passed, " << failed_ << " failed\n" << std::flush;
  return ScenarioResult{passed_, failed_};
}

// ---------------------------------------------------------------- walks

bool Runner::OpenWalk(const std::string& name, Walk& w) {
  w.name = name;
  w.failed_before = failed_;
  LaunchOptions lo;
  lo.working_dir = workdir_;
  if (!opt_.plugin_log_level.empty()) lo.env["TF_LOG_PROVIDER"] = opt_.plugin_log_level;
  auto c = PluginClient::Launch(opt_.provider_binary, lo);
  if (!c.ok()) {
    NotOk(name + " walk: start the provider", c.status().message());
    return false;
  }
  w.client = *std::move(c);
  if (capture_) capture_->Started(w.client->process().pid(), name);
  w.tf = std::make_unique<Terraform>(*w.client);
  w.tf->set_client(client_);
  Diagnostics d = w.tf->LoadSchemas();
  if (d.HasError()) {
    NotOk(name + " walk: GetProviderSchema", FormatDiagnostics(d));
    CloseWalk(w);
    return false;
  }
  if (!schemas_) schemas_ = w.tf->schemas();
  if (!schema_reported_) {
    schema_reported_ = true;
    Ok("provider schema is valid (" + std::to_string(w.tf->schemas().resources.size()) +
       " resource types, plan_destroy=" + (w.tf->schemas().plan_destroy ? "true" : "false") + ")");
  }
  d = State::Load(state_path_, *w.tf, &w.state);
  if (d.HasError()) {
    NotOk(name + " walk: load state (UpgradeResourceState)", FormatDiagnostics(d));
    CloseWalk(w);
    return false;
  }
  return true;
}

bool Runner::ConfigureWalk(Walk& w, RefMode mode, const std::string& phase) {
  Diagnostics d;
  Value cfg =
      BuildObject(w.tf->schemas().provider.block, provider_json_, mode, &w, AttributePath(), d);
  if (!d.HasError()) d.Append(w.tf->ValidateProviderConfig(cfg));
  if (!d.HasError()) d.Append(w.tf->ConfigureProvider(cfg));
  // Only failures end the phase here; its other checks follow.
  if (!d.HasError()) return true;
  return !PhaseDone(phase, {{"provider", d}});
}

void Runner::CloseWalk(Walk& w) {
  if (!w.client) return;
  if (capture_) capture_->BeforeClose(w.client->process().pid());
  CloseResult r = w.client->Close();
  if (capture_) capture_->AfterClose(w.client->process().pid(), w.client->Stderr(), state_path_);
  if (r.graceful && r.shutdown_rpc_ok && r.status.exited && r.status.code == 0) {
    Ok(w.name + " walk: provider shut down gracefully (" + std::to_string(r.took.count()) + " ms)");
  } else if (!r.status.exited && r.status.signal == SIGKILL && expected_error_ &&
             expected_error_->during == w.name && expected_error_->matched) {
    // A fault scenario killed the plugin on purpose, and the step expected
    // the error Terraform reports for that.
    Ok(w.name + " walk: provider was killed (" + r.ToString() + "), as the step expected");
  } else {
    NotOk(w.name + " walk: provider shutdown", r.ToString());
  }
  if (failed_ > w.failed_before) {
    std::string tail = w.client->StderrTail(4000);
    if (!tail.empty()) Note("provider stderr (tail) of the " + w.name + " walk:\n" + tail);
  }
  w.tf.reset();
  w.client.reset();
}

// ---------------------------------------------------------------- values

StatusOr<Value> Runner::Eval(const std::string& expr, RefMode mode, const Walk* w) {
  if (expr == "unknown") return Value::Unknown(Type::String());
  if (expr == "workdir") return Value::String(workdir_);
  if (expr.rfind("file:", 0) == 0) {
    bool ok = false;
    std::string text = ReadFileText((fs::path(workdir_) / expr.substr(5)).string(), &ok);
    if (!ok) return NotFoundError("${" + expr + "}: no such file in the work directory");
    return Value::String(text);
  }
  // data.<type>.<name>.<attribute> or <type>.<name>.<attribute>
  const size_t skip = IsDataAddress(expr) ? 5 : 0;
  size_t dot1 = expr.find('.', skip);
  size_t dot2 = dot1 == std::string::npos ? std::string::npos : expr.find('.', dot1 + 1);
  if (dot2 == std::string::npos) {
    return InvalidArgumentError("${" + expr +
                                "}: expected <type>.<name>.<attribute>, "
                                "data.<type>.<name>.<attribute>, unknown, workdir or file:<name>");
  }
  const std::string address = expr.substr(0, dot2);
  auto path = ParseRefPath(expr.substr(dot2 + 1));
  if (!path.ok()) return path.status();
  if (mode == RefMode::kValidate) return Value::Unknown(Type::Dynamic());
  const std::map<std::string, Value>* src = nullptr;
  Value v;
  if (mode == RefMode::kPlan) src = &planned_;
  if (mode == RefMode::kApply) src = &applied_;
  if (src) {
    auto it = src->find(address);
    if (it == src->end()) {
      bool declared = false;
      for (const auto& r : current_config_) declared |= r.address == address;
      return InvalidArgumentError(
          declared ? "${" + expr + "}: " + address +
                         " must be listed before the resources that refer to it"
                   : std::string(IsDataAddress(address) ? "Reference to undeclared data source"
                                                        : "Reference to undeclared resource") +
                         ": ${" + expr + "}: " + address + " is not in this step's configuration");
    }
    v = it->second;
  } else {
    const ResourceObject* o = w ? w->state.Find(address) : nullptr;
    if (!o) return NotFoundError("${" + expr + "}: " + address + " is not in the state");
    v = o->value;
  }
  auto at = v.At(*path);
  if (!at) {
    return InvalidArgumentError("Unsupported attribute: ${" + expr + "}: " + address +
                                " has no attribute " + path->ToString());
  }
  return *at;
}

StatusOr<std::string> Runner::RenderTemplate(const std::string& tmpl, const Walk* w) {
  auto pieces = ParseTemplate(tmpl);
  if (!pieces.ok()) return pieces.status();
  std::string out;
  for (const auto& p : *pieces) {
    if (p.literal) {
      out += p.text;
      continue;
    }
    auto v = Eval(p.text, RefMode::kState, w);
    if (!v.ok()) return v.status();
    if (!v->IsKnown()) return InvalidArgumentError("${" + p.text + "} is null or unknown");
    switch (v->type().kind()) {
      case TypeKind::kString:
        out += v->AsString();
        break;
      case TypeKind::kNumber:
        out += v->AsNumber().ToString();
        break;
      case TypeKind::kBool:
        out += v->AsBool() ? "true" : "false";
        break;
      default:
        return InvalidArgumentError("${" + p.text + "} is not a string, number or bool");
    }
  }
  return out;
}

Value Runner::BuildAttr(const Type& t, const json& j, RefMode mode, const Walk* w,
                        const AttributePath& path, Diagnostics& diags) {
  auto fail = [&](const std::string& summary, const std::string& detail) {
    diags.AddError(summary, detail,
                   path.empty() ? std::nullopt : std::optional<AttributePath>(path));
    return Value::Null(t);
  };
  auto from_json = [&](const std::string& text) {
    auto v = schema::DecodeJson(text, t);
    if (!v.ok()) {
      return fail("Incorrect attribute value type", "Inappropriate value for attribute \"" +
                                                        path.ToString() +
                                                        "\": " + v.status().message() + ".");
    }
    return *v;
  };
  if (j.is_string()) {
    const std::string s = j.get<std::string>();
    auto pieces = ParseTemplate(s);
    if (!pieces.ok()) return fail("Invalid template", pieces.status().message());
    if (pieces->size() == 1 && !(*pieces)[0].literal) {
      const std::string& expr = (*pieces)[0].text;
      if (expr == "unknown") return Value::Unknown(t);
      auto v = Eval(expr, mode, w);
      if (!v.ok()) return fail("Invalid reference", v.status().message());
      if (v->IsUnknown()) return Value::Unknown(t);
      if (v->IsNull()) return Value::Null(t);
      auto c = schema::Conform(*v, t);
      if (!c.ok()) {
        // A string (e.g. from a file) may still convert, as in cty.
        if (v->type().kind() == TypeKind::kString) return from_json(json(v->AsString()).dump());
        return fail("Incorrect attribute value type", c.status().message());
      }
      return *c;
    }
    bool any_expr = false;
    for (const auto& p : *pieces) any_expr |= !p.literal;
    if (!any_expr) return from_json(json((*pieces)[0].text).dump());
    std::string text;
    for (const auto& p : *pieces) {
      if (p.literal) {
        text += p.text;
        continue;
      }
      auto v = Eval(p.text, mode, w);
      if (!v.ok()) return fail("Invalid reference", v.status().message());
      if (v->IsUnknown()) return Value::Unknown(t);
      if (v->IsNull()) {
        return fail("Invalid template interpolation value",
                    "The expression ${" + p.text + "} is null.");
      }
      switch (v->type().kind()) {
        case TypeKind::kString:
          text += v->AsString();
          break;
        case TypeKind::kNumber:
          text += v->AsNumber().ToString();
          break;
        case TypeKind::kBool:
          text += v->AsBool() ? "true" : "false";
          break;
        default:
          return fail("Invalid template interpolation value",
                      "Cannot include ${" + p.text + "} in a string template.");
      }
    }
    return from_json(json(text).dump());
  }
  if (j.is_array() && (t.kind() == TypeKind::kList || t.kind() == TypeKind::kSet)) {
    std::vector<Value> elems;
    int64_t i = 0;
    for (const auto& e : j)
      elems.push_back(BuildAttr(t.element(), e, mode, w, path.Index(i++), diags));
    return t.kind() == TypeKind::kList ? Value::List(t.element(), std::move(elems))
                                       : Value::Set(t.element(), std::move(elems));
  }
  if (j.is_array() && t.kind() == TypeKind::kTuple) {
    if (j.size() != t.elements().size()) {
      return fail("Incorrect attribute value type", "tuple of the wrong length");
    }
    std::vector<Value> elems;
    for (size_t i = 0; i < j.size(); ++i) {
      elems.push_back(
          BuildAttr(t.elements()[i], j[i], mode, w, path.Index(static_cast<int64_t>(i)), diags));
    }
    return Value::Tuple(std::move(elems));
  }
  if (j.is_object() && t.kind() == TypeKind::kMap) {
    std::map<std::string, Value> m;
    for (const auto& [k, e] : j.items())
      m[k] = BuildAttr(t.element(), e, mode, w, path.Key(k), diags);
    return Value::Map(t.element(), std::move(m));
  }
  if (j.is_object() && t.kind() == TypeKind::kObject) {
    std::map<std::string, Value> attrs;
    for (const auto& [k, e] : j.items()) {
      auto it = t.attributes().find(k);
      if (it == t.attributes().end()) {
        return fail("Incorrect attribute value type", "object has no attribute \"" + k + "\"");
      }
      attrs[k] = BuildAttr(it->second, e, mode, w, path.Attr(k), diags);
    }
    auto v = Value::ObjectOf(t, std::move(attrs));
    if (!v.ok()) return fail("Incorrect attribute value type", v.status().message());
    return *v;
  }
  return from_json(j.dump());
}

Value Runner::BuildObject(const Block& b, const json& j_in, RefMode mode, const Walk* w,
                          const AttributePath& path, Diagnostics& diags) {
  const json j = j_in.is_null() ? json::object() : j_in;
  auto at = [&](const std::string& name) { return path.Attr(name); };
  if (!j.is_object()) {
    diags.AddError("Invalid block", "A block must be given as a JSON object.",
                   path.empty() ? std::nullopt : std::optional<AttributePath>(path));
    return Value::Null(ImpliedType(b));
  }
  for (const auto& [k, _] : j.items()) {
    if (!b.FindAttribute(k) && !b.FindBlock(k)) {
      diags.AddError("Unsupported argument",
                     "An argument named \"" + k + "\" is not expected here.", at(k));
    }
  }
  std::map<std::string, Value> attrs;
  for (const auto& a : b.attributes) {
    if (!j.contains(a.name) || j[a.name].is_null()) {
      if (a.required()) {
        diags.AddError("Missing required argument",
                       "The argument \"" + a.name + "\" is required, but no definition was found.",
                       at(a.name));
      }
      attrs[a.name] = Value::Null(a.type);
      continue;
    }
    if (a.computed() && !a.optional()) {
      diags.AddError("Value for unconfigurable attribute",
                     "Can't configure a value for \"" + a.name +
                         "\": its value will be decided automatically based on the result of "
                         "applying this configuration.",
                     at(a.name));
      attrs[a.name] = Value::Null(a.type);
      continue;
    }
    attrs[a.name] = BuildAttr(a.type, j[a.name], mode, w, at(a.name), diags);
  }
  for (const auto& nb : b.blocks) {
    const json bj = j.contains(nb.type_name) ? j[nb.type_name] : json();
    const Type et = ImpliedType(nb.block);
    const AttributePath bp = at(nb.type_name);
    size_t count = 0;
    switch (nb.nesting) {
      case Nesting::kSingle:
        attrs[nb.type_name] =
            bj.is_null() ? Value::Null(et) : BuildObject(nb.block, bj, mode, w, bp, diags);
        count = bj.is_null() ? 0 : 1;
        break;
      case Nesting::kGroup:
        attrs[nb.type_name] = BuildObject(nb.block, bj, mode, w, bp, diags);
        break;
      case Nesting::kList:
      case Nesting::kSet: {
        std::vector<Value> elems;
        if (bj.is_array()) {
          int64_t i = 0;
          for (const auto& e : bj)
            elems.push_back(BuildObject(nb.block, e, mode, w, bp.Index(i++), diags));
        } else if (!bj.is_null()) {
          diags.AddError("Invalid block",
                         "Blocks of type \"" + nb.type_name + "\" must be given as a JSON array.",
                         bp);
        }
        count = elems.size();
        attrs[nb.type_name] = nb.nesting == Nesting::kList ? Value::List(et, std::move(elems))
                                                           : Value::Set(et, std::move(elems));
        break;
      }
      case Nesting::kMap: {
        std::map<std::string, Value> m;
        if (bj.is_object()) {
          for (const auto& [k, e] : bj.items())
            m[k] = BuildObject(nb.block, e, mode, w, bp.Key(k), diags);
        }
        count = m.size();
        attrs[nb.type_name] = Value::Map(et, std::move(m));
        break;
      }
    }
    if (nb.nesting != Nesting::kGroup && nb.nesting != Nesting::kMap) {
      if (nb.min_items > 0 && static_cast<int64_t>(count) < nb.min_items) {
        diags.AddError("Insufficient " + nb.type_name + " blocks",
                       "At least " + std::to_string(nb.min_items) + " \"" + nb.type_name +
                           "\" blocks are required.",
                       bp);
      }
      if (nb.max_items > 0 && static_cast<int64_t>(count) > nb.max_items) {
        diags.AddError("Too many " + nb.type_name + " blocks",
                       "No more than " + std::to_string(nb.max_items) + " \"" + nb.type_name +
                           "\" blocks are allowed.",
                       bp);
      }
    }
  }
  auto v = Value::ObjectOf(ImpliedType(b), std::move(attrs));
  if (!v.ok()) {
    diags.AddError("Invalid configuration", v.status().message());
    return Value::Null(ImpliedType(b));
  }
  return *v;
}

void Runner::CheckMatchers(const std::string& what, const json& spec,
                           const std::map<std::string, Value>& values, const Walk& w) {
  if (!spec.is_object()) return;
  for (const auto& [address, attrs] : spec.items()) {
    auto it = values.find(address);
    if (it == values.end()) {
      NotOk(what + " " + address, "no such resource");
      continue;
    }
    const Value& obj = it->second;
    for (const auto& [attr, m] : attrs.items()) {
      auto path = ParseRefPath(attr);
      std::optional<Value> v = path.ok() ? obj.At(*path) : std::nullopt;
      const std::string label = what + " " + address + "." + attr;
      if (!v) {
        NotOk(label, "no such attribute");
        continue;
      }
      if (m.is_string() && m.get<std::string>() == "${unknown}") {
        if (v->IsUnknown()) {
          Ok(label + " is unknown");
        } else {
          NotOk(label + " is unknown", "it is " + ShortValue(*v));
        }
        continue;
      }
      if (m.is_string() && m.get<std::string>() == "${known}") {
        if (v->IsWhollyKnown() && !v->IsNull()) {
          Ok(label + " is known");
        } else {
          NotOk(label + " is known", "it is " + ShortValue(*v));
        }
        continue;
      }
      Diagnostics d;
      Value want = m.is_null() ? Value::Null(v->type())
                               : BuildAttr(v->type(), m, RefMode::kState, &w, *path, d);
      if (d.HasError()) {
        NotOk(label, "bad matcher: " + FormatDiagnostics(d));
      } else if (want == *v) {
        Ok(label + " = " + ShortValue(want));
      } else {
        NotOk(label + " = " + ShortValue(want), "it is " + ShortValue(*v));
      }
    }
  }
}

// ---------------------------------------------------------------- errors

bool Runner::PhaseDone(const std::string& phase,
                       const std::vector<std::pair<std::string, Diagnostics>>& results) {
  bool any_error = false;
  for (const auto& [address, d] : results) {
    for (const auto& item : d.items()) {
      if (item.severity == schema::Severity::kWarning) {
        Note("warning during " + phase + " of " + address + ": " + item.summary +
             (item.path ? " (at " + item.path->ToString() + ")" : "") + ": " + item.detail);
        ExpectedError* w = expected_warning_ ? &*expected_warning_ : nullptr;
        if (w && !w->matched && w->during == phase && w->Matches(address, item)) {
          w->matched = true;
          Ok("warning during " + phase + " as expected: " + address + ": \"" + item.summary + "\"");
        }
      }
    }
    any_error |= d.HasError();
  }
  const bool expected_here = expected_error_ && expected_error_->during == phase;
  if (!any_error) {
    if (expected_here) {
      expected_error_->evaluated = true;
      NotOk("expected an error during " + phase, "none occurred");
      return true;
    }
    return false;
  }
  if (!expected_here) {
    for (const auto& [address, d] : results) {
      if (d.HasError()) NotOk(phase + " " + address, FormatDiagnostics(d));
    }
    if (expected_error_) expected_error_->evaluated = true;
    return true;
  }
  expected_error_->evaluated = true;
  const ExpectedError& e = *expected_error_;
  std::string all;
  for (const auto& [address, d] : results) {
    for (const auto& item : d.items()) {
      if (item.severity != schema::Severity::kError) continue;
      std::string path = item.path ? item.path->ToString() : "";
      if (e.Matches(address, item)) {
        Ok("error during " + phase + " as expected: " + address + ": \"" + item.summary + "\"" +
           (path.empty() ? "" : " at " + path));
        expected_error_->matched = true;
        return true;
      }
    }
  }
  for (const auto& [address, d] : results) {
    if (d.HasError()) all += address + ": " + FormatDiagnostics(d) + "\n";
  }
  NotOk("error during " + phase + " matching summary \"" + e.summary_contains + "\"" +
            (e.attribute.empty() ? "" : " at " + e.attribute),
        "the errors were:\n" + all);
  return true;
}

// ---------------------------------------------------------------- steps

bool Runner::ResolveConfig(const json& step, Config* cfg) {
  if (step.contains("resources") && step["resources"].is_string()) {
    if (step["resources"] != "same") {
      NotOk("resources", "\"resources\" must be an object or \"same\"");
      return false;
    }
    *cfg = prev_config_;
  } else if (step.contains("resources")) {
    if (!step["resources"].is_object()) {
      NotOk("resources", "\"resources\" must be an object or \"same\"");
      return false;
    }
    cfg->clear();
    for (const auto& [address, r] : step["resources"].items()) {
      cfg->push_back(SpecFrom(address, r));
    }
  } else {
    *cfg = prev_config_;
  }
  if (step.contains("add_resources")) {
    for (const auto& [address, r] : step["add_resources"].items()) {
      ResourceSpec spec = SpecFrom(address, r);
      bool replaced = false;
      for (auto& existing : *cfg) {
        if (existing.address == address) {
          existing = spec;
          replaced = true;
        }
      }
      if (!replaced) cfg->push_back(std::move(spec));
    }
  }
  if (step.contains("remove_resources")) {
    for (const auto& address : step["remove_resources"]) {
      auto it = std::find_if(cfg->begin(), cfg->end(),
                             [&](const ResourceSpec& r) { return r.address == address; });
      if (it == cfg->end()) {
        NotOk("remove_resources", address.get<std::string>() + " is not in the configuration");
        return false;
      }
      cfg->erase(it);
    }
  }
  if (step.contains("patch")) {
    for (const auto& [address, attrs] : step["patch"].items()) {
      bool found = false;
      for (auto& spec : *cfg) {
        if (spec.address != address) continue;
        found = true;
        for (const auto& [k, v] : attrs.items()) {
          if (v.is_null()) {
            spec.config.erase(k);
          } else {
            spec.config[k] = v;
          }
        }
      }
      if (!found) {
        NotOk("patch", address + " is not in the configuration");
        return false;
      }
    }
  }
  return true;
}

void Runner::RunStep(const json& step) {
  expected_error_.reset();
  expected_warning_.reset();
  planned_.clear();
  applied_.clear();
  data_read_.clear();
  const json expect = step.value("expect", json::object());
  if (expect.contains("error")) expected_error_ = ExpectedError::FromJson(expect["error"], "plan");
  if (expect.contains("warning")) {
    expected_warning_ = ExpectedError::FromJson(expect["warning"], "apply");
  }
  const bool destroy = step.value("destroy", false);
  step_completed_ = false;
  if (step.contains("import")) {
    ImportStep(step);
  } else if (destroy || step.contains("resources") || step.contains("patch") ||
             step.contains("add_resources") || step.contains("remove_resources")) {
    Config cfg;
    if (!destroy && !ResolveConfig(step, &cfg)) return;
    PlanAndApply(step, cfg, destroy);
  } else {
    step_completed_ = true;
  }
  // Files and commands follow a completed step, or the error it expected
  // (they may check that the failure changed nothing).
  if (step_completed_ || (expected_error_ && expected_error_->matched)) FilesAndRun(step);
  if (expected_error_ && !expected_error_->evaluated) {
    NotOk("expected an error during " + expected_error_->during,
          "the step ended before that phase");
  }
  if (expected_warning_ && !expected_warning_->matched) {
    NotOk("warning during " + expected_warning_->during + " matching summary \"" +
              expected_warning_->summary_contains + "\"",
          "no such warning");
  }
}

void Runner::PlanAndApply(const json& step, const Config& cfg, bool destroy) {
  const json expect = step.value("expect", json::object());
  const bool plan_only = step.value("plan_only", false);
  current_config_ = cfg;
  std::vector<PlannedChange> changes;
  bool had_data = false;            // the state had data source results
  std::optional<State> plan_state;  // the refreshed state, with data read

  // ---- walk 1: validate, refresh, plan.
  {
    Walk w;
    if (!OpenWalk("plan", w)) return;
    // Validate (references unknown, as in Terraform's validate walk).
    std::vector<std::pair<std::string, Diagnostics>> results;
    {
      Diagnostics d;
      Value pc = BuildObject(w.tf->schemas().provider.block, provider_json_, RefMode::kValidate, &w,
                             AttributePath(), d);
      if (!d.HasError()) d.Append(w.tf->ValidateProviderConfig(pc));
      results.emplace_back("provider", d);
    }
    for (const auto& r : cfg) {
      Diagnostics d;
      const auto* s = r.data ? w.tf->DataSourceSchema(r.type) : w.tf->ResourceSchema(r.type);
      if (!s) {
        d.AddError(r.data ? "Invalid data source" : "Invalid resource type",
                   std::string("The provider does not support ") +
                       (r.data ? "data source" : "resource type") + " \"" + r.type + "\".");
      } else {
        Value c = BuildObject(s->block, r.config, RefMode::kValidate, &w, AttributePath(), d);
        if (!d.HasError()) {
          d.Append(r.data ? w.tf->ValidateDataResourceConfig(r.type, c)
                          : w.tf->ValidateResourceConfig(r.type, c));
        }
      }
      results.emplace_back(r.address, d);
    }
    if (PhaseDone("validate", results)) return CloseWalk(w);
    if (!cfg.empty()) Ok("validate: " + std::to_string(cfg.size()) + " resource(s) valid");
    if (!ConfigureWalk(w, RefMode::kPlan, "plan")) return CloseWalk(w);

    // Refresh. Data sources in state are not refreshed: core drops them and
    // reads them again while planning.
    results.clear();
    for (const auto& [address, obj] : std::vector(w.state.objects())) {
      if (IsDataAddress(address)) {
        had_data = true;
        w.state.Remove(address);
        continue;
      }
      ReadOutcome r = w.tf->ReadResource(address, obj.type, obj.value, obj.private_data);
      results.emplace_back(address, r.diags);
      if (r.diags.HasError()) continue;
      if (r.value.IsNull()) {
        Note("refresh: " + address + " no longer exists");
        w.state.Remove(address);
      } else {
        w.state.Set(address, ResourceObject{obj.type, r.value, r.private_data});
      }
    }
    if (PhaseDone("refresh", results)) return CloseWalk(w);

    // Plan.
    results.clear();
    std::set<std::string> configured;
    for (const auto& r : cfg) {
      configured.insert(r.address);
      if (r.data) {
        PlanDataSource(w, r, changes, results);
        continue;
      }
      Diagnostics d;
      const auto* s = w.tf->ResourceSchema(r.type);
      const ResourceObject* prior = w.state.Find(r.address);
      Value config = BuildObject(s->block, r.config, RefMode::kPlan, &w, AttributePath(), d);
      if (d.HasError()) {
        results.emplace_back(r.address, d);
        continue;
      }
      if (prior && prior->type != r.type) {
        d.AddError("Resource type changed", r.address + " is a " + prior->type +
                                                " in state but a " + r.type + " in config.");
        results.emplace_back(r.address, d);
        continue;
      }
      const Type t = ImpliedType(s->block);
      PlanOutcome p = w.tf->Plan(r.address, r.type, prior ? prior->value : Value::Null(t),
                                 prior ? prior->private_data : "", config);
      results.emplace_back(r.address, p.diags);
      if (p.diags.HasError()) continue;
      planned_[r.address] = p.change.planned;
      changes.push_back(p.change);
    }
    // Orphans: in state, not in configuration.
    for (auto it = w.state.objects().rbegin(); it != w.state.objects().rend(); ++it) {
      if (configured.count(it->first) || IsDataAddress(it->first)) continue;
      PlanOutcome p = w.tf->Plan(it->first, it->second.type, it->second.value,
                                 it->second.private_data, std::nullopt);
      results.emplace_back(it->first, p.diags);
      if (!p.diags.HasError()) changes.push_back(p.change);
    }
    if (PhaseDone("plan", results)) return CloseWalk(w);

    // Expectations on the plan.
    std::map<std::string, std::string> actions;
    std::map<std::string, std::string> why;  // what makes a change
    // A data source read while planning has no change (core records a
    // no-op); a deferred one is planned as "read".
    for (const auto& [address, obj] : data_read_) actions[address] = ActionName(Action::kNoOp);
    for (const auto& ch : changes) {
      actions[ch.address] = ActionName(ch.action);
      std::string w;
      if (ch.action == Action::kUpdate || ch.action == Action::kReplace) {
        const Value& first = ch.action == Action::kReplace ? ch.replaced_plan : ch.planned;
        std::vector<std::string> changed;
        if (ch.prior.IsKnown() && first.IsKnown()) {
          for (const auto& [k, v] : ch.prior.Entries()) {
            const Value& nv = first.Entries().at(k);
            if (!KnownEqual(v, nv))
              changed.push_back(k + " " + ShortValue(v) + " -> " + ShortValue(nv));
          }
        }
        for (size_t i = 0; i < changed.size(); ++i) w += (i ? ", " : "changes ") + changed[i];
        for (size_t i = 0; i < ch.requires_replace.size(); ++i) {
          w += (i ? ", " : "; requires replacement: ") + ch.requires_replace[i].ToString();
        }
      }
      why[ch.address] = w;
    }
    json want_actions = expect.value("actions", json::object());
    bool plan_as_expected = true;
    if (destroy && want_actions.empty()) {
      for (const auto& ch : changes) want_actions[ch.address] = "delete";
    }
    for (const auto& [address, a] : want_actions.items()) {
      auto it = actions.find(address);
      std::string got = it == actions.end() ? "(not planned)" : it->second;
      if (got == a.get<std::string>()) {
        Ok("plan " + address + ": " + got);
      } else {
        plan_as_expected = false;
        NotOk("plan " + address + ": " + a.get<std::string>(),
              "planned " + got + (why[address].empty() ? "" : " (" + why[address] + ")"));
      }
    }
    for (const auto& ch : changes) {
      if (!want_actions.contains(ch.address)) {
        Note("plan " + ch.address + ": " + ActionName(ch.action) +
             (why[ch.address].empty() ? "" : " (" + why[ch.address] + ")"));
      }
    }
    if (expect.contains("planned")) CheckMatchers("planned", expect["planned"], planned_, w);
    if (!plan_as_expected) {
      // Applying an unexpected plan would only muddle the later steps.
      if (!plan_only) Note("apply skipped: the plan is not the expected one");
      CloseWalk(w);
      return;
    }
    for (const auto& address : expect.value("wholly_known", json::array())) {
      auto it = planned_.find(address.get<std::string>());
      if (it == planned_.end()) {
        NotOk("plan of " + address.get<std::string>() + " is wholly known", "not planned");
      } else if (it->second.IsWhollyKnown()) {
        Ok("plan of " + address.get<std::string>() + " is wholly known");
      } else {
        NotOk("plan of " + address.get<std::string>() + " is wholly known",
              "unknown at " + FirstUnknown(it->second));
      }
    }
    if (plan_only) CheckOutputs(step, RefMode::kPlan);
    plan_state = w.state;
    CloseWalk(w);
  }

  bool any_change = false;
  for (const auto& ch : changes) any_change |= ch.action != Action::kNoOp;
  if (!plan_only && any_change) {
    // ---- walk 2: apply, in a new process, from the state file.
    Walk w;
    if (!OpenWalk("apply", w)) return;
    if (!ConfigureWalk(w, RefMode::kApply, "apply")) return CloseWalk(w);
    // Data sources: what was read while planning replaces what was stored.
    for (const auto& [address, obj] : std::vector(w.state.objects())) {
      if (IsDataAddress(address)) w.state.Remove(address);
    }
    for (const auto& [address, obj] : data_read_) {
      w.state.Set(address, obj);
      applied_[address] = obj.value;
    }
    if (Status st = w.state.Save(state_path_, w.tf->schemas()); !st.ok()) {
      NotOk("save state", st.message());
    }
    for (const auto& ch : changes) {
      if (ch.action == Action::kRead) continue;
      const ResourceObject* stored = w.state.Find(ch.address);
      Value stored_v = stored ? stored->value : Value::Null(ch.prior.type());
      if (stored_v != ch.prior) {
        Note("apply: " + ch.address + " in the state file differs from the refreshed prior at " +
             FirstDifference(stored_v, ch.prior));
      }
      if (ch.action == Action::kNoOp && !ch.prior.IsNull()) applied_[ch.address] = ch.prior;
    }
    std::vector<std::pair<std::string, Diagnostics>> results;
    // Deletions of removed resources first, then the configuration in order.
    std::vector<const PlannedChange*> order;
    for (const auto& ch : changes) {
      if (ch.action == Action::kDelete) order.push_back(&ch);
    }
    for (const auto& ch : changes) {
      if (ch.action != Action::kDelete && ch.action != Action::kNoOp) order.push_back(&ch);
    }
    for (const PlannedChange* ch : order) {
      if (ch->action == Action::kRead) {
        Diagnostics d = ReadDeferred(w, *ch, cfg);
        results.emplace_back(ch->address, d);
        if (d.HasError()) break;
        continue;
      }
      Diagnostics d;
      Value final_config = ch->config;
      if (ch->action != Action::kDelete) {
        const auto* s = w.tf->ResourceSchema(ch->type);
        for (const auto& r : cfg) {
          if (r.address == ch->address) {
            final_config = BuildObject(s->block, r.config, RefMode::kApply, &w, AttributePath(), d);
          }
        }
        if (!final_config.IsWhollyKnown()) {
          d.AddError("Invalid configuration", "The configuration of " + ch->address +
                                                  " still has unknown values at apply "
                                                  "time.");
        }
      }
      if (d.HasError()) {
        results.emplace_back(ch->address, d);
        break;
      }
      ApplyOutcome a = w.tf->Apply(*ch, final_config);
      if (a.new_object) {
        if (a.new_object->value.IsNull()) {
          w.state.Remove(ch->address);
          applied_.erase(ch->address);
        } else {
          w.state.Set(ch->address, *a.new_object);
          applied_[ch->address] = a.new_object->value;
        }
        Status st = w.state.Save(state_path_, w.tf->schemas());
        if (!st.ok()) NotOk("save state", st.message());
      }
      results.emplace_back(ch->address, a.diags);
      if (a.diags.HasError()) break;
      Ok("apply " + ch->address + ": " + ActionName(a.final_action) +
         (a.final_action != ch->action ? std::string(" (planned ") + ActionName(ch->action) + ")"
                                       : ""));
    }
    bool stop = PhaseDone("apply", results);
    if (!stop) CheckOutputs(step, RefMode::kApply);
    if (!stop && expect.contains("state")) {
      std::map<std::string, Value> values;
      for (const auto& [a, o] : w.state.objects()) values[a] = o.value;
      CheckMatchers("state", expect["state"], values, w);
    }
    if (!stop && destroy) {
      if (w.state.empty()) {
        Ok("state is empty");
      } else {
        NotOk("state is empty", std::to_string(w.state.objects().size()) + " resource(s) left");
      }
    }
    CloseWalk(w);
    if (stop) return;
    // ---- walk 3: refresh check.
    RefreshCheck();
  } else if (!plan_only) {
    if (!changes.empty() || !data_read_.empty()) Ok("no changes to apply");
    if (plan_state && (had_data || !data_read_.empty())) {
      // As `terraform apply` with nothing to change still saves the
      // refreshed state, with the data sources just read.
      Status st = plan_state->Save(state_path_, *schemas_);
      if (!st.ok()) NotOk("save state", st.message());
    }
    CheckOutputs(step, RefMode::kPlan);
  }
  if (!expected_error_ && !plan_only) prev_config_ = destroy ? Config() : cfg;
  step_completed_ = true;
}

void Runner::PlanDataSource(Walk& w, const ResourceSpec& r, std::vector<PlannedChange>& changes,
                            std::vector<std::pair<std::string, Diagnostics>>& results) {
  Diagnostics d;
  const auto* s = w.tf->DataSourceSchema(r.type);
  if (!s) {
    d.AddError("Invalid data source",
               "The provider does not support data source \"" + r.type + "\".");
    results.emplace_back(r.address, d);
    return;
  }
  Value config = BuildObject(s->block, r.config, RefMode::kPlan, &w, AttributePath(), d);
  if (d.HasError()) {
    results.emplace_back(r.address, d);
    return;
  }
  std::string pending;
  for (const auto& dep : r.depends_on) {
    for (const auto& ch : changes) {
      if (ch.address == dep && ch.action != Action::kNoOp) pending = dep;
    }
  }
  if (!config.IsWhollyKnown() || !pending.empty()) {
    PlannedChange ch;
    ch.address = r.address;
    ch.type = r.type;
    ch.action = Action::kRead;
    ch.prior = Value::Null(ImpliedType(s->block));
    ch.config = config;
    ch.planned = PlannedDataResourceObject(s->block, config);
    planned_[r.address] = ch.planned;
    Note("plan " + r.address + ": read deferred to apply (" +
         (pending.empty() ? "configuration unknown at " + FirstUnknown(config)
                          : "depends on " + pending + ", which has changes planned") +
         ")");
    changes.push_back(std::move(ch));
    results.emplace_back(r.address, d);
    return;
  }
  ReadOutcome out = w.tf->ReadDataSource(r.address, r.type, config);
  results.emplace_back(r.address, out.diags);
  if (out.diags.HasError()) return;
  Ok("read " + r.address + " while planning");
  planned_[r.address] = out.value;
  ResourceObject obj{r.type, out.value, ""};
  data_read_[r.address] = obj;
  w.state.Set(r.address, std::move(obj));
}

Diagnostics Runner::ReadDeferred(Walk& w, const PlannedChange& ch, const Config& cfg) {
  Diagnostics d;
  const auto* s = w.tf->DataSourceSchema(ch.type);
  if (!s) {
    d.AddError("Invalid data source",
               "The provider does not support data source \"" + ch.type + "\".");
    return d;
  }
  Value config = ch.config;
  for (const auto& r : cfg) {
    if (r.address == ch.address) {
      config = BuildObject(s->block, r.config, RefMode::kApply, &w, AttributePath(), d);
    }
  }
  if (d.HasError()) return d;
  if (!config.IsWhollyKnown()) {
    d.AddError("Invalid configuration", "The configuration of " + ch.address +
                                            " still has unknown values at apply time (at " +
                                            FirstUnknown(config) + ").");
    return d;
  }
  ReadOutcome out = w.tf->ReadDataSource(ch.address, ch.type, config);
  d.Append(out.diags);
  if (d.HasError()) return d;
  w.state.Set(ch.address, ResourceObject{ch.type, out.value, ""});
  applied_[ch.address] = out.value;
  Status st = w.state.Save(state_path_, w.tf->schemas());
  if (!st.ok()) NotOk("save state", st.message());
  Ok("apply " + ch.address + ": read");
  return d;
}

void Runner::CheckOutputs(const json& step, RefMode mode) {
  if (!step.contains("outputs") || !step["outputs"].is_object()) return;
  std::map<std::string, Type> types;
  std::map<std::string, Value> values;
  for (const auto& [name, expr] : step["outputs"].items()) {
    Value v = Value::Null(Type::String());
    std::string error;
    auto pieces = ParseTemplate(expr.is_string() ? expr.get<std::string>() : expr.dump());
    if (!pieces.ok()) {
      error = pieces.status().message();
    } else if (pieces->size() == 1 && !(*pieces)[0].literal) {
      // A whole reference keeps the referenced value's type.
      auto e = Eval((*pieces)[0].text, mode, nullptr);
      if (e.ok()) v = *e;
      if (!e.ok()) error = e.status().message();
    } else {
      std::string text;
      bool unknown = false;
      for (const auto& p : *pieces) {
        if (p.literal) {
          text += p.text;
          continue;
        }
        auto e = Eval(p.text, mode, nullptr);
        if (!e.ok()) {
          error = e.status().message();
          break;
        }
        if (e->IsUnknown()) {
          unknown = true;
        } else if (e->IsNull()) {
          error = "${" + p.text + "} is null";
          break;
        } else if (e->type().kind() == TypeKind::kString) {
          text += e->AsString();
        } else if (e->type().kind() == TypeKind::kNumber) {
          text += e->AsNumber().ToString();
        } else if (e->type().kind() == TypeKind::kBool) {
          text += e->AsBool() ? "true" : "false";
        } else {
          error = "Cannot include ${" + p.text + "} in a string template.";
          break;
        }
      }
      v = unknown ? Value::Unknown(Type::String()) : Value::String(text);
    }
    if (!error.empty()) {
      NotOk("output " + name, error);
      continue;
    }
    Note("output " + name + " = " + (v.IsWhollyKnown() ? ShortValue(v) : "(known after apply)"));
    types[name] = v.type();
    values[name] = v;
  }
  const json want = step.value("expect", json::object()).value("outputs", json::object());
  if (want.empty()) return;
  auto obj = Value::ObjectOf(Type::Object(types), values);
  if (!obj.ok()) {
    NotOk("outputs", obj.status().message());
    return;
  }
  Walk none;
  json spec = json::object();
  spec["outputs"] = want;
  CheckMatchers("output", spec, {{"outputs", *obj}}, none);
}

void Runner::RefreshCheck() {
  Walk w;
  if (!OpenWalk("refresh", w)) return;
  if (!ConfigureWalk(w, RefMode::kState, "refresh")) return CloseWalk(w);
  std::vector<std::pair<std::string, Diagnostics>> results;
  for (const auto& [address, obj] : w.state.objects()) {
    if (IsDataAddress(address)) continue;  // read again by the next plan, never refreshed
    ReadOutcome r = w.tf->ReadResource(address, obj.type, obj.value, obj.private_data);
    results.emplace_back(address, r.diags);
    if (r.diags.HasError()) continue;
    if (r.value == obj.value) {
      Ok("refresh " + address + ": state unchanged");
    } else if (r.value.IsNull()) {
      NotOk("refresh " + address + ": state unchanged", "ReadResource says the object is gone");
    } else {
      NotOk("refresh " + address + ": state unchanged",
            "ReadResource changed " + FirstDifference(obj.value, r.value));
    }
  }
  PhaseDone("refresh", results);
  CloseWalk(w);
}

void Runner::ImportStep(const json& step) {
  const json& imp = step["import"];
  const std::string address = imp.value("address", "");
  const std::string type = imp.value("type", address.substr(0, address.find('.')));
  {
    Walk w;
    if (!OpenWalk("import", w)) return;
    if (!ConfigureWalk(w, RefMode::kState, "import")) return CloseWalk(w);
    Diagnostics d;
    auto id = RenderTemplate(imp.value("id", ""), &w);
    if (!id.ok()) d.AddError("Invalid import ID", id.status().message());
    if (w.state.Find(address)) {
      d.AddError("Resource already managed by Terraform",
                 "Terraform is already managing a remote object for " + address + ".");
    }
    std::vector<ResourceObject> objs;
    if (!d.HasError()) d.Append(w.tf->Import(address, type, *id, &objs));
    if (PhaseDone("import", {{address, d}})) return CloseWalk(w);
    w.state.Set(address, objs.front());
    Status st = w.state.Save(state_path_, w.tf->schemas());
    if (!st.ok()) {
      NotOk("save state", st.message());
    } else {
      Ok("import " + address + " (" + std::to_string(objs.size()) + " object)");
    }
    std::map<std::string, Value> values;
    for (const auto& [a, o] : w.state.objects()) values[a] = o.value;
    if (step.contains("expect") && step["expect"].contains("state")) {
      CheckMatchers("state", step["expect"]["state"], values, w);
    }
    CloseWalk(w);
  }
  RefreshCheck();
  step_completed_ = true;
}

void Runner::FilesAndRun(const json& step) {
  const bool need_state =
      step.contains("files") ||
      (step.contains("run") && step["run"].dump().find("${") != std::string::npos);
  // Templates read the state file (no provider process needed), decoded
  // with the schemas the provider declared in an earlier walk.
  Walk w;
  if (need_state && schemas_) {
    auto stored = State::LoadFile(state_path_);
    if (!stored.ok()) {
      NotOk("read state", stored.status().message());
      return;
    }
    for (const auto& s : *stored) {
      const auto& by_type = IsDataAddress(s.address) ? schemas_->data_sources : schemas_->resources;
      auto it = by_type.find(s.type);
      if (it == by_type.end()) continue;
      auto v = schema::DecodeJson(s.attributes_json, ImpliedType(it->second.block));
      if (!v.ok()) {
        NotOk("read state", s.address + ": " + v.status().message());
        continue;
      }
      w.state.Set(s.address, ResourceObject{s.type, *v, s.private_data});
    }
  }
  if (step.contains("files")) {
    for (const auto& [name, tmpl] : step["files"].items()) {
      auto text = RenderTemplate(tmpl.get<std::string>(), &w);
      if (!text.ok()) {
        NotOk("file " + name, text.status().message());
        continue;
      }
      std::ofstream out(fs::path(workdir_) / name, std::ios::binary | std::ios::trunc);
      out << *text;
      if (!out) {
        NotOk("file " + name, "cannot write it");
      } else {
        Ok("file " + name + " written (" + std::to_string(text->size()) + " bytes)");
      }
    }
  }
  if (step.contains("run")) {
    for (const auto& r : step["run"]) {
      auto cmd = RenderTemplate(r.value("cmd", ""), &w);
      const std::string label = "run `" + OneLine(r.value("cmd", "")) + "`";
      if (!cmd.ok()) {
        NotOk(label, cmd.status().message());
        continue;
      }
      SpawnOptions so;
      so.argv = {"/bin/sh", "-c", *cmd};
      so.working_dir = workdir_;
      so.new_process_group = true;
      auto res = RunProcess(so, std::chrono::seconds(r.value("timeout_seconds", 300)));
      if (!res.ok()) {
        NotOk(label, res.status().message());
        continue;
      }
      std::vector<std::string> problems;
      const int want_exit = r.value("expect_exit", 0);
      if (res->timed_out) problems.push_back("timed out");
      if (!res->status.exited || res->status.code != want_exit) {
        problems.push_back(res->status.ToString() + ", expected exit status " +
                           std::to_string(want_exit));
      }
      for (const auto& s : StringOrList(r.value("expect_stdout_contains", json()))) {
        if (res->stdout_text.find(s) == std::string::npos) {
          problems.push_back("stdout lacks \"" + s + "\"");
        }
      }
      for (const auto& s : StringOrList(r.value("expect_stdout_not_contains", json()))) {
        if (res->stdout_text.find(s) != std::string::npos) {
          problems.push_back("stdout contains \"" + s + "\"");
        }
      }
      for (const auto& s : StringOrList(r.value("expect_stderr_contains", json()))) {
        if (res->stderr_text.find(s) == std::string::npos) {
          problems.push_back("stderr lacks \"" + s + "\"");
        }
      }
      if (problems.empty()) {
        Ok(label);
      } else {
        std::string detail;
        for (const auto& p : problems) detail += (detail.empty() ? "" : "; ") + p;
        detail += "\nstdout:\n" + res->stdout_text.substr(0, 3000) + "\nstderr:\n" +
                  res->stderr_text.substr(0, 3000);
        NotOk(label, detail);
      }
    }
  }
}

}  // namespace

ScenarioResult RunScenario(const ScenarioOptions& options) {
  Runner r(options);
  return r.Run();
}

}  // namespace pxc::tfdriver
