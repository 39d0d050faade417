// Screening of one target: the Spearman step, then null importance on the survivors
// (include/thermex/selection.hpp).
#include "thermex/selection.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "thermex/error.hpp"
#include "thermex/forest.hpp"

namespace thermex {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void validate(const SelectionOptions& o) {
  if (!(o.spearman_threshold >= 0.0 && o.spearman_threshold <= 1.0)) {
    throw ConfigError("spearman", "must be in [0, 1], got " + std::to_string(o.spearman_threshold));
  }
}

std::vector<std::string> candidate_names(const Table& table, std::size_t target,
                                         const SelectionOptions& o) {
  std::vector<std::string> names;
  if (o.features.empty()) {
    for (std::size_t j = 0; j < table.cols(); ++j) {
      const ColumnKind kind = table.meta(j).kind;
      if (j != target && kind != ColumnKind::kTarget && kind != ColumnKind::kOther) {
        names.push_back(table.meta(j).name);
      }
    }
    return names;
  }
  for (const auto& name : o.features) {
    const auto j = table.find(name);
    if (!j) throw ConfigError("features", "no column '" + name + "' in the feature table");
    if (*j == target) throw ConfigError("features", "'" + name + "' is the target itself");
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      throw ConfigError("features", "'" + name + "' is listed twice");
    }
    names.push_back(name);
  }
  return names;
}

// Fills kept/dropped from the two steps, in the documented order.
void collect_decisions(Selection& s) {
  for (const auto& d : s.redundancy.dropped) {
    s.dropped.push_back({d.dropped, DropReason::kSpearman, d.kept, d.rho, kNaN, kNaN, kNaN});
  }
  std::vector<std::string> survivors;
  for (std::size_t f = 0; f < s.null.features.size(); ++f) {
    if (s.null.keep[f]) {
      survivors.push_back(s.null.features[f]);
    } else {
      s.dropped.push_back({s.null.features[f], DropReason::kNullImportance, "", kNaN,
                           s.null.actual[f], s.null.null_quantile[f], s.null.p_value[f]});
    }
  }
  for (const auto& name : s.candidates) {
    if (std::find(survivors.begin(), survivors.end(), name) != survivors.end()) {
      s.kept.push_back(name);
    }
  }
}

}  // namespace

std::string_view to_string(DropReason reason) noexcept {
  return reason == DropReason::kSpearman ? "spearman" : "null_importance";
}

Selection select_features(const Context& ctx, const Table& table, std::string_view target,
                          const SelectionOptions& options) {
  validate(options);
  const std::size_t target_col = table.index_of(target);
  Selection s;
  s.target = std::string(target);
  s.seed = ctx.seed();
  s.spearman_threshold = options.spearman_threshold;
  s.candidates = candidate_names(table, target_col, options);
  std::vector<std::size_t> rows;
  std::vector<double> y;
  for (std::size_t i = 0; i < table.rows(); ++i) {
    const double v = table.at(i, target_col);
    if (std::isnan(v)) continue;
    if (!std::isfinite(v))
      throw Error("target '" + s.target + "' is infinite in row " + std::to_string(i));
    rows.push_back(i);
    y.push_back(v);
  }
  s.rows = rows.size();
  const Table x = table.select_rows(rows).select_columns(s.candidates);
  s.spearman = spearman_matrix(x);
  s.redundancy = redundancy_filter(x.metas(), s.spearman, options.spearman_threshold,
                                   options.priority, options.compare_within_group);
  if (!s.redundancy.kept.empty() && s.rows > 0) {
    const BinnedFeatures bins =
        bin_features(x.select_columns(s.redundancy.kept), options.null.forest.max_bins);
    s.null = null_importance(ctx, bins, y, options.null);
  }
  collect_decisions(s);
  return s;
}

}  // namespace thermex
