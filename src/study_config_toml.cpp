// to_toml(): the canonical text of a study config. Every key is written, defaults included, in
// a fixed order (the order of data/STUDY.md), numbers in shortest round-trip form, so the text
// can be hashed for the stage cache and parses back to the same config.

#include <fmt/format.h>

#include "study_config_internal.hpp"
#include "thermex/study_config.hpp"

namespace thermex {
namespace {

using detail::toml_key;
using detail::toml_number_text;
using detail::toml_quote;

std::string strings_text(const std::vector<std::string>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + toml_quote(values[i]);
  return out + "]";
}

std::string numbers_text(const std::vector<double>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    out += (i ? ", " : "") + toml_number_text(values[i]);
  }
  return out + "]";
}

std::string gamma_text(const std::vector<SvrGamma>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    out += i ? ", " : "";
    out += values[i].scale ? std::string("\"scale\"") : toml_number_text(values[i].value);
  }
  return out + "]";
}

std::string_view bool_text(bool b) { return b ? "true" : "false"; }

std::string_view device_text(DeviceRequest d) {
  switch (d) {
    case DeviceRequest::kCpu:
      return "cpu";
    case DeviceRequest::kCuda:
      return "cuda";
    case DeviceRequest::kAuto:
      break;
  }
  return "auto";
}

void write_head(std::string& o, const StudyConfig& c) {
  o += "[study]\n";
  o += fmt::format("name = {}\n", toml_quote(c.name));
  o += fmt::format("seed = {}\n", c.seed);
  o += fmt::format("device = \"{}\"\n", device_text(c.device));
  o += fmt::format("threads = {}\n", c.threads);
  o += fmt::format("output = {}\n", toml_quote(c.output));
  for (const StudyDataset& d : c.datasets) {
    o += "\n[[datasets]]\n";
    o += fmt::format("path = {}\nlabel = {}\ntrain = {}\n", toml_quote(d.path), toml_quote(d.label),
                     bool_text(d.train));
  }
  const FeatureOptions& f = c.features;
  o += "\n[features]\n";
  o += fmt::format("oxidation = \"{}\"\n", to_string(f.oxidation));
  std::string missing;
  for (const auto& [column, policy] : f.missing) {
    missing += fmt::format("{}{} = \"{}\"", missing.empty() ? "" : ", ", toml_key(column),
                           to_string(policy));
  }
  o += fmt::format("missing = {{{}}}\n", missing.empty() ? "" : " " + missing + " ");
  o += fmt::format("numeric_default = \"{}\"\n", to_string(f.numeric_default));
  o += fmt::format("categorical_default = \"{}\"\n", to_string(f.categorical_default));
  o += fmt::format("missing_indicators = {}\n", bool_text(f.missing_indicators));
  for (const StudyTarget& t : c.targets) {
    o += "\n[[targets]]\n";
    o += fmt::format("column = {}\nlog10 = {}\nlabel = {}\n", toml_quote(t.column),
                     bool_text(t.log10), toml_quote(t.label));
  }
}

void write_models(std::string& o, const StudyConfig& c) {
  const SelectionOptions& s = c.screening.options;
  const ForestOptions& f = s.null.forest;
  o += "\n[screening]\n";
  o += fmt::format("enabled = {}\n", bool_text(c.screening.enabled));
  o += fmt::format("spearman_threshold = {}\n", toml_number_text(s.spearman_threshold));
  o += fmt::format("features = {}\n", strings_text(s.features));
  o += fmt::format("priority = {}\n", strings_text(s.priority));
  o += fmt::format("compare_within_group = {}\n", bool_text(s.compare_within_group));
  o += fmt::format("shuffles = {}\n", s.null.shuffles);
  o += fmt::format("quantile = {}\n", toml_number_text(s.null.quantile));
  o += fmt::format("trees = {}\nmax_depth = {}\nmin_leaf = {}\nmax_bins = {}\n", f.n_trees,
                   f.max_depth, f.min_leaf, f.max_bins);
  o += fmt::format("bagging_fraction = {}\n", toml_number_text(f.bagging_fraction));
  o += fmt::format("bootstrap = {}\n", bool_text(f.bootstrap));
  o += fmt::format("feature_fraction_tree = {}\n", toml_number_text(f.feature_fraction_tree));
  o += fmt::format("feature_fraction_split = {}\n", toml_number_text(f.feature_fraction_split));

  const StudySvr& v = c.svr;
  o += "\n[svr]\n";
  o += fmt::format("tol = {}\n", toml_number_text(v.base.tol));
  o += fmt::format("standardize = {}\n", bool_text(v.base.standardize));
  o += fmt::format("max_iter = {}\n", v.base.max_iter);
  o += fmt::format("shrinking = {}\n", bool_text(v.base.shrinking));
  o += fmt::format("warm_start = {}\n", bool_text(v.base.warm_start_c));
  o += fmt::format("kernel_budget_bytes = {}\n", v.base.kernel_budget_bytes);
  o += fmt::format("folds = {}\n", v.folds);
  o += fmt::format("test_fraction = {}\n", toml_number_text(v.test_fraction));
  o += "\n[svr.grid]\n";
  o += fmt::format("C = {}\n", numbers_text(v.grid.c));
  o += fmt::format("gamma = {}\n", gamma_text(v.grid.gamma));
  o += fmt::format("epsilon = {}\n", numbers_text(v.grid.epsilon));

  const StudyShap& h = c.shap;
  o += "\n[shap]\n";
  o += fmt::format("method = \"{}\"\n", to_string(h.method));
  o += fmt::format("background = {}\nmax_rows = {}\nsamples = {}\ntop_k = {}\n", h.background,
                   h.max_rows, h.samples, h.top_k);

  const StudyBootstrap& b = c.bootstrap;
  o += "\n[bootstrap]\n";
  o += fmt::format("replicas = {}\nshap_rows = {}\nscreen_replicas = {}\nscreen_shuffles = {}\n",
                   b.replicas, b.shap_rows, b.screen_replicas, b.screen_shuffles);
  o += fmt::format("ci = {}\n", toml_number_text(b.ci));
}

void write_sweeps(std::string& o, const StudyConfig& c) {
  for (const StudySweep& s : c.sweeps) {
    o += "\n[[sweeps]]\n";
    o += fmt::format("name = {}\n", toml_quote(s.name));
    o += fmt::format("elements = {}\n", strings_text(s.elements));
    o += fmt::format("step = {}\n", toml_number_text(s.step));
    o += fmt::format("li = {}\n", toml_number_text(s.li));
    std::string fixed;
    for (const auto& [column, value] : s.fixed) {
      fixed += fmt::format("{}{} = {}", fixed.empty() ? "" : ", ", toml_key(column),
                           toml_number_text(value));
    }
    o += fmt::format("fixed = {{{}}}\n", fixed.empty() ? "" : " " + fixed + " ");
    std::string levels;
    for (const auto& [group, level] : s.levels) {
      levels +=
          fmt::format("{}{} = {}", levels.empty() ? "" : ", ", toml_key(group), toml_quote(level));
    }
    o += fmt::format("levels = {{{}}}\n", levels.empty() ? "" : " " + levels + " ");
    o += fmt::format("chunk = {}\n", s.chunk);
    o += fmt::format("neighbourhood = {}\n", toml_number_text(s.neighbourhood));
  }
  for (const StudyValidationSeries& v : c.validation) {
    o += "\n[[validation]]\n";
    o += fmt::format("name = {}\n", toml_quote(v.name));
    o += fmt::format("sources = {}\n", strings_text(v.sources));
    o += fmt::format("record_ids = {}\n", strings_text(v.record_ids));
    o += fmt::format("x_column = {}\n", toml_quote(v.x_column));
  }
}

}  // namespace

std::string to_toml(const StudyConfig& config) {
  std::string out = "# thermex study config (canonical form written by thermex::to_toml)\n";
  write_head(out, config);
  write_models(out, config);
  write_sweeps(out, config);
  return out;
}

}  // namespace thermex
