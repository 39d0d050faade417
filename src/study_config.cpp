// Study config: reading the file, the [study], [[datasets]], [features] and [[targets]]
// sections, path resolution. The other sections are in study_config_sections.cpp and
// study_config_sweeps.cpp, the writer in study_config_toml.cpp. data/STUDY.md documents the keys.

#include "thermex/study_config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "study_config_internal.hpp"
#include "thermex/error.hpp"

namespace thermex {
namespace {

using detail::TomlSection;

/// `path` against `base_dir` when relative, lexically normalised ("data/configs/../x.csv" ->
/// "data/x.csv"), so the canonical text does not carry the detour.
std::string resolve_path(const std::string& path, const std::string& base_dir) {
  const std::filesystem::path p(path);
  if (p.is_absolute()) return p.lexically_normal().string();
  const std::filesystem::path base(base_dir.empty() ? "." : base_dir);
  return (base / p).lexically_normal().string();
}

bool contains(std::span<const std::string_view> names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

/// "decoy_<n>" with n >= 1 (synthetic noise columns; as many as the database has).
bool is_decoy_name(std::string_view name) {
  constexpr std::string_view kPrefix = "decoy_";
  if (name.size() <= kPrefix.size() || name.substr(0, kPrefix.size()) != kPrefix) return false;
  const std::string_view digits = name.substr(kPrefix.size());
  return digits.front() != '0' &&
         std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void parse_study_section(TomlSection& root, StudyConfig& c) {
  std::optional<TomlSection> s = root.table("study");
  if (!s) return;
  s->get("name", c.name);
  // TOML integers are signed 64-bit: seeds are 0 .. 2^63 - 1 in a config file.
  std::int64_t seed = 0;
  if (s->get("seed", seed)) {
    if (seed < 0) s->fail("seed", s->node("seed"), "expected an integer >= 0");
    c.seed = static_cast<std::uint64_t>(seed);
  }
  std::string device;
  if (s->get("device", device)) c.device = parse_device_request(device, s->key_path("device"));
  if (s->get("threads", c.threads) && c.threads < 0) {
    s->fail("threads", s->node("threads"), "expected an integer >= 0 (0 = all cores)");
  }
  if (s->get("output", c.output) && c.output.empty()) {
    s->fail("output", s->node("output"), "must not be empty");
  }
  s->finish();
}

void parse_datasets(TomlSection& root, StudyConfig& c) {
  std::vector<TomlSection> tables = root.array_of_tables("datasets");
  if (tables.empty()) {
    throw ConfigError("datasets", fmt::format("at least one [[datasets]] table is required ({})",
                                              root.display_name()));
  }
  c.datasets.clear();
  for (TomlSection& t : tables) {
    StudyDataset d;
    if (!t.get("path", d.path) || d.path.empty()) {
      t.fail("path", t.node("path"), "a non-empty dataset path is required");
    }
    t.get("label", d.label);
    if (d.label.empty()) d.label = std::filesystem::path(d.path).stem().string();
    for (const StudyDataset& other : c.datasets) {
      if (other.label == d.label) {
        t.fail("label", t.node("label"), fmt::format("duplicated dataset label '{}'", d.label));
      }
    }
    t.get("train", d.train);
    t.finish();
    c.datasets.push_back(std::move(d));
  }
  if (std::none_of(c.datasets.begin(), c.datasets.end(),
                   [](const StudyDataset& d) { return d.train; })) {
    throw ConfigError("datasets",
                      fmt::format("no dataset has train = true ({})", root.display_name()));
  }
}

/// Which policies a column may take; mirrors fit_imputation()'s checks so the error names the
/// config key instead of a featurize option.
void check_missing_policy(TomlSection& s, std::string_view column, MissingPolicy p) {
  const toml::node* n = s.node(column);
  const bool is_target = contains(target_column_names(), column);
  const bool is_categorical = contains(categorical_column_names(), column);
  const bool is_numeric = contains(condition_column_names(), column) || is_decoy_name(column);
  if (!is_target && !is_categorical && !is_numeric) {
    s.fail(column, n, "not a condition, decoy_<n>, categorical or target column");
  }
  bool ok = p == MissingPolicy::kDropRow || p == MissingPolicy::kReject;
  if (is_numeric) ok = ok || p == MissingPolicy::kImputeMedian || p == MissingPolicy::kImputeMode;
  if (is_categorical) ok = ok || p == MissingPolicy::kImputeMode;
  if (is_target) ok = ok || p == MissingPolicy::kKeepNan;
  if (!ok) {
    s.fail(column, n, fmt::format("policy '{}' does not apply to this column", to_string(p)));
  }
}

MissingPolicy policy_of(TomlSection& s, std::string_view key, const std::string& text) {
  const std::optional<MissingPolicy> p = parse_missing_policy(text);
  if (!p) {
    s.fail(key, s.node(key),
           fmt::format("expected median, mode, drop, reject or keep, got '{}'", text));
  }
  return *p;
}

void parse_features(TomlSection& root, StudyConfig& c) {
  std::optional<TomlSection> s = root.table("features");
  if (!s) return;
  FeatureOptions& f = c.features;
  std::string text;
  if (s->get("oxidation", text)) {
    const std::optional<OxidationConvention> o = parse_oxidation_convention(text);
    if (!o) {
      s->fail("oxidation", s->node("oxidation"),
              fmt::format("expected charged or pristine, got '{}'", text));
    }
    f.oxidation = *o;
  }
  if (std::optional<TomlSection> m = s->table("missing")) {
    f.missing.clear();
    for (auto&& [k, v] : m->raw()) {
      const std::string column(k.str());
      std::string policy;
      m->get(column, policy);  // marks the key as known; throws on a non-string
      const MissingPolicy p = policy_of(*m, column, policy);
      check_missing_policy(*m, column, p);
      f.missing.emplace(column, p);
    }
    m->finish();
  }
  if (s->get("numeric_default", text)) {
    f.numeric_default = policy_of(*s, "numeric_default", text);
    if (f.numeric_default == MissingPolicy::kKeepNan) {
      s->fail("numeric_default", s->node("numeric_default"), "keep applies to targets only");
    }
  }
  if (s->get("categorical_default", text)) {
    f.categorical_default = policy_of(*s, "categorical_default", text);
    if (f.categorical_default == MissingPolicy::kKeepNan ||
        f.categorical_default == MissingPolicy::kImputeMedian) {
      s->fail("categorical_default", s->node("categorical_default"),
              "expected mode, drop or reject");
    }
  }
  s->get("missing_indicators", f.missing_indicators);
  s->finish();
}

/// Plot label of a target column (the feature table's label, data/FEATURES.md).
std::string default_target_label(std::string_view column) {
  if (column == "onset_C") return "onset temperature";
  if (column == "peak_C") return "peak temperature";
  if (column == "max_heat_flow_W_per_g") return "max heat flow";
  if (column == "log10_max_heat_flow") return "log10 max heat flow";
  if (column == "total_heat_J_per_g") return "total heat";
  return std::string(column);
}

void parse_targets(TomlSection& root, StudyConfig& c) {
  std::vector<TomlSection> tables = root.array_of_tables("targets");
  if (!tables.empty()) c.targets.clear();
  for (TomlSection& t : tables) {
    StudyTarget target;
    if (!t.get("column", target.column)) {
      t.fail("column", nullptr, "a target column is required");
    }
    if (!contains(target_column_names(), target.column)) {
      std::string names;
      for (std::string_view n : target_column_names())
        names += (names.empty() ? "" : ", ") + std::string(n);
      t.fail("column", t.node("column"),
             fmt::format("unknown target column '{}' (one of: {})", target.column, names));
    }
    for (const StudyTarget& other : c.targets) {
      if (other.column == target.column) {
        t.fail("column", t.node("column"), fmt::format("duplicated target '{}'", target.column));
      }
    }
    t.get("log10", target.log10);
    if (target.log10 && target.column == "log10_max_heat_flow") {
      t.fail("log10", t.node("log10"), "the column is already log10; use max_heat_flow_W_per_g");
    }
    t.get("label", target.label);
    if (target.label.empty()) target.label = default_target_label(target.column);
    t.finish();
    c.targets.push_back(std::move(target));
  }
  c.features.targets.clear();
  for (const StudyTarget& t : c.targets) c.features.targets.push_back(t.column);
}

}  // namespace

StudyConfig parse_study_config(std::string_view text, const std::string& display_name,
                               const std::string& base_dir) {
  toml::table doc;
  try {
    doc = toml::parse(text, display_name);
  } catch (const toml::parse_error& e) {
    const auto& begin = e.source().begin;
    // InputError's "column" is the text column of the TOML source here.
    throw InputError(display_name, static_cast<std::int64_t>(begin.line),
                     std::to_string(begin.column),
                     fmt::format("TOML syntax error: {}", e.description()));
  }
  StudyConfig c;
  TomlSection root(doc, "", display_name);
  parse_study_section(root, c);
  parse_datasets(root, c);
  parse_features(root, c);
  parse_targets(root, c);
  detail::parse_screening(root, c.screening);
  detail::parse_svr(root, c.svr);
  detail::parse_shap(root, c.shap);
  detail::parse_bootstrap(root, c.bootstrap);
  detail::parse_sweeps(root, c.sweeps);
  detail::parse_validation(root, c.validation);
  root.finish();

  for (StudyDataset& d : c.datasets) d.path = resolve_path(d.path, base_dir);
  c.output = resolve_path(c.output, base_dir);
  c.source_text = std::string(text);
  return c;
}

StudyConfig load_study_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, "", "cannot open the study config");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw InputError(path, 0, "", "cannot read the study config");
  const std::string base = std::filesystem::path(path).parent_path().string();
  StudyConfig c = parse_study_config(buffer.str(), path, base.empty() ? "." : base);
  c.source_path = path;
  return c;
}

}  // namespace thermex
