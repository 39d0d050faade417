// Study config: the [screening], [svr], [shap] and [bootstrap] sections. Ranges follow the
// library's own validation (forest.hpp, null_importance.hpp, svr.hpp) so a bad value is reported
// with its config key before any stage runs.

#include <fmt/format.h>

#include "study_config_internal.hpp"
#include "thermex/error.hpp"

namespace thermex::detail {
namespace {

/// An integer option that must be at least `lo`.
template <typename Int>
void get_at_least(TomlSection& s, std::string_view key, Int& out, Int lo) {
  if (s.get(key, out) && out < lo) {
    s.fail(key, s.node(key), fmt::format("expected an integer >= {}, got {}", lo, out));
  }
}

/// A number option inside `range`.
void get_in(TomlSection& s, std::string_view key, double& out, const Range& range) {
  if (s.get(key, out)) check_range(s, key, out, range);
}

void parse_forest(TomlSection& s, ForestOptions& f) {
  get_at_least(s, "trees", f.n_trees, 1);
  get_at_least(s, "max_depth", f.max_depth, 1);
  get_at_least(s, "min_leaf", f.min_leaf, 1);
  if (s.get("max_bins", f.max_bins) && (f.max_bins < 2 || f.max_bins > kForestMaxBins)) {
    s.fail("max_bins", s.node("max_bins"),
           fmt::format("expected 2..{}, got {}", kForestMaxBins, f.max_bins));
  }
  get_in(s, "bagging_fraction", f.bagging_fraction, {0.0, 1.0, true, false});
  s.get("bootstrap", f.bootstrap);
  get_in(s, "feature_fraction_tree", f.feature_fraction_tree, {0.0, 1.0, true, false});
  get_in(s, "feature_fraction_split", f.feature_fraction_split, {0.0, 1.0, true, false});
}

/// The gamma list: numbers (> 0) or "scale", item errors name "svr.grid.gamma[i]".
std::vector<SvrGamma> parse_gamma_list(TomlSection& g) {
  const toml::node* n = g.node("gamma");
  const auto* a = n->as_array();
  if (a == nullptr) {
    g.fail("gamma", n,
           fmt::format("expected an array of numbers or \"scale\", got {}", toml_type_name(*n)));
  }
  std::vector<SvrGamma> out;
  for (std::size_t i = 0; i < a->size(); ++i) {
    const toml::node& e = *a->get(i);
    const std::string item = fmt::format("gamma[{}]", i);
    if (const auto* s = e.as_string()) {
      if (s->get() != "scale") {
        g.fail(item, &e, fmt::format("expected a number or \"scale\", got '{}'", s->get()));
      }
      out.push_back(SvrGamma::scale_rule());
      continue;
    }
    const std::optional<double> v = toml_number(e);
    if (!v) {
      g.fail(item, &e, fmt::format("expected a number or \"scale\", got {}", toml_type_name(e)));
    }
    check_range(g, item, *v, {0.0, 1e300, true, false});
    out.push_back(SvrGamma::fixed(*v));
  }
  return out;
}

void parse_grid(TomlSection& svr, SvrGrid& grid) {
  std::optional<TomlSection> g = svr.table("grid");
  if (!g) return;
  if (g->get("C", grid.c)) {
    for (std::size_t i = 0; i < grid.c.size(); ++i) {
      check_range(*g, fmt::format("C[{}]", i), grid.c[i], {0.0, 1e300, true, false});
    }
  }
  if (g->node("gamma") != nullptr) grid.gamma = parse_gamma_list(*g);
  if (g->get("epsilon", grid.epsilon)) {
    for (std::size_t i = 0; i < grid.epsilon.size(); ++i) {
      check_range(*g, fmt::format("epsilon[{}]", i), grid.epsilon[i], {0.0, 1e300});
    }
  }
  for (const auto& [key, size] : {std::pair<std::string_view, std::size_t>{"C", grid.c.size()},
                                  {"gamma", grid.gamma.size()},
                                  {"epsilon", grid.epsilon.size()}}) {
    if (size == 0) g->fail(key, g->node(key), "the grid list must not be empty");
  }
  g->finish();
}

}  // namespace

void parse_screening(TomlSection& root, StudyScreening& out) {
  std::optional<TomlSection> s = root.table("screening");
  if (!s) return;
  SelectionOptions& o = out.options;
  s->get("enabled", out.enabled);
  get_in(*s, "spearman_threshold", o.spearman_threshold, {0.0, 1.0});
  s->get("features", o.features);
  s->get("priority", o.priority);
  s->get("compare_within_group", o.compare_within_group);
  get_at_least(*s, "shuffles", o.null.shuffles, 1);
  get_in(*s, "quantile", o.null.quantile, {0.0, 1.0});
  parse_forest(*s, o.null.forest);
  s->finish();
}

void parse_svr(TomlSection& root, StudySvr& out) {
  std::optional<TomlSection> s = root.table("svr");
  if (!s) return;
  get_in(*s, "tol", out.base.tol, {0.0, 1e300, true, false});
  s->get("standardize", out.base.standardize);
  get_at_least(*s, "max_iter", out.base.max_iter, std::int64_t{0});
  s->get("shrinking", out.base.shrinking);
  s->get("warm_start", out.base.warm_start_c);
  if (s->get("kernel_budget_bytes", out.base.kernel_budget_bytes) &&
      out.base.kernel_budget_bytes == 0) {
    s->fail("kernel_budget_bytes", s->node("kernel_budget_bytes"), "expected > 0");
  }
  get_at_least(*s, "folds", out.folds, std::size_t{2});
  get_in(*s, "test_fraction", out.test_fraction, {0.0, 1.0, false, true});
  parse_grid(*s, out.grid);
  s->finish();
}

void parse_shap(TomlSection& root, StudyShap& out) {
  std::optional<TomlSection> s = root.table("shap");
  if (!s) return;
  std::string method;
  if (s->get("method", method)) out.method = parse_shap_method(method, s->key_path("method"));
  s->get("background", out.background);
  s->get("max_rows", out.max_rows);
  get_at_least(*s, "samples", out.samples, std::size_t{1});
  get_at_least(*s, "top_k", out.top_k, std::size_t{1});
  s->finish();
}

void parse_bootstrap(TomlSection& root, StudyBootstrap& out) {
  std::optional<TomlSection> s = root.table("bootstrap");
  if (!s) return;
  s->get("replicas", out.replicas);
  s->get("shap_rows", out.shap_rows);
  s->get("screen_replicas", out.screen_replicas);
  get_at_least(*s, "screen_shuffles", out.screen_shuffles, std::size_t{1});
  get_in(*s, "ci", out.ci, {0.0, 1.0, true, true});
  s->finish();
}

}  // namespace thermex::detail
