// Fitting the missing-value model: which rows are dropped or refused, and the medians, modes and
// one-hot levels learned from the remaining rows.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "features_internal.hpp"
#include "thermex/error.hpp"

namespace thermex {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

// Median of a non-empty set; the mean of the two middle values for an even count.
double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Most frequent value of a non-empty set; ties go to the smallest value, so the result does
// not depend on row order.
double mode_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  double best = v[0];
  std::size_t best_count = 0;
  for (std::size_t i = 0; i < v.size();) {
    std::size_t j = i;
    while (j < v.size() && v[j] == v[i]) ++j;
    if (j - i > best_count) {
      best_count = j - i;
      best = v[i];
    }
    i = j;
  }
  return best;
}

bool imputes(MissingPolicy p) {
  return p == MissingPolicy::kImputeMedian || p == MissingPolicy::kImputeMode;
}

NumericImputation fit_numeric(const DscDatabase& db, std::size_t j, MissingPolicy policy,
                              const std::vector<std::size_t>& fitted, bool indicators) {
  NumericImputation m;
  m.column = detail::numeric_column_name(j);
  m.policy = policy;
  m.value = kNan;
  if (!imputes(policy)) return m;
  std::vector<double> present;
  for (const auto i : fitted) {
    const double v = detail::numeric_value(db.records[i], j);
    if (!std::isnan(v)) present.push_back(v);
  }
  if (present.empty()) {
    m.no_values = true;
    return m;
  }
  m.value = policy == MissingPolicy::kImputeMedian ? median_of(present) : mode_of(present);
  m.indicator = indicators && present.size() < fitted.size();
  return m;
}

CategoricalImputation fit_categorical(const DscDatabase& db, std::size_t j, MissingPolicy policy,
                                      const std::vector<std::size_t>& fitted) {
  CategoricalImputation m;
  m.column = std::string(categorical_column_names()[j]);
  m.policy = policy;
  const auto levels = detail::categorical_all_levels(j);
  std::vector<std::size_t> counts(levels.size(), 0);
  std::size_t missing = 0;
  for (const auto i : fitted) {
    const auto level = detail::categorical_level(db.records[i], j);
    if (level.empty()) {
      ++missing;
      continue;
    }
    const auto it = std::find(levels.begin(), levels.end(), level);
    if (it != levels.end()) ++counts[static_cast<std::size_t>(it - levels.begin())];
  }
  std::size_t mode = levels.size();  // none yet
  for (std::size_t k = 0; k < levels.size(); ++k) {
    // Strictly greater: ties go to the first level in enum order.
    if (counts[k] > 0 && (mode == levels.size() || counts[k] > counts[mode])) mode = k;
  }
  if (policy == MissingPolicy::kImputeMode && mode < levels.size()) {
    m.mode = std::string(levels[mode]);
  }
  for (std::size_t k = 0; k < levels.size(); ++k) {
    const bool imputed_here = missing > 0 && !m.mode.empty() && k == mode;
    if (counts[k] > 0 || imputed_here) m.levels.emplace_back(levels[k]);
  }
  return m;
}

}  // namespace

namespace detail {

ColumnPolicies policies_from_options(const FeatureOptions& options, std::size_t numeric_count) {
  ColumnPolicies p;
  for (std::size_t j = 0; j < numeric_count; ++j) {
    p.numeric.push_back(policy_for(options, numeric_column_name(j), true));
  }
  for (std::size_t j = 0; j < kCategoricalCount; ++j) {
    p.categorical[j] = policy_for(options, categorical_column_names()[j], false);
  }
  for (std::size_t j = 0; j < kTargetCount; ++j) {
    p.target[j] = target_policy(options, target_column_names()[j]);
    p.target_selected[j] = target_selected(options, j);
  }
  return p;
}

MissingScan scan_missing(const DscDatabase& db, const ColumnPolicies& policies,
                         const std::vector<std::size_t>& rows) {
  MissingScan s;
  s.dropped.assign(db.records.size(), false);
  s.numeric.resize(policies.numeric.size());
  for (const auto i : rows) {
    const DscRecord& r = db.records.at(i);
    for (std::size_t j = 0; j < s.numeric.size(); ++j) {
      if (std::isnan(numeric_value(r, j))) s.numeric[j].push_back(i);
    }
    for (std::size_t j = 0; j < kCategoricalCount; ++j) {
      if (categorical_level(r, j).empty()) s.categorical[j].push_back(i);
    }
    for (std::size_t j = 0; j < kTargetCount; ++j) {
      if (policies.target_selected[j] && std::isnan(target_value(r, j))) s.target[j].push_back(i);
    }
  }
  const auto apply = [&](MissingPolicy p, std::string_view column,
                         const std::vector<std::size_t>& missing) {
    if (p == MissingPolicy::kReject) throw_rejected(db, column, missing);
    if (p == MissingPolicy::kDropRow) {
      for (const auto i : missing) s.dropped[i] = true;
    }
  };
  for (std::size_t j = 0; j < s.numeric.size(); ++j) {
    apply(policies.numeric[j], numeric_column_name(j), s.numeric[j]);
  }
  for (std::size_t j = 0; j < kCategoricalCount; ++j) {
    apply(policies.categorical[j], categorical_column_names()[j], s.categorical[j]);
  }
  for (std::size_t j = 0; j < kTargetCount; ++j) {
    if (policies.target_selected[j]) {
      apply(policies.target[j], target_column_names()[j], s.target[j]);
    }
  }
  return s;
}

}  // namespace detail

ImputationModel fit_imputation(const DscDatabase& db, const FeatureOptions& options,
                               std::span<const std::size_t> rows) {
  detail::validate_options(options);
  std::vector<std::size_t> scanned;
  if (rows.empty()) {
    for (std::size_t i = 0; i < db.records.size(); ++i) scanned.push_back(i);
  } else {
    for (const auto i : rows) {
      THERMEX_EXPECTS(i < db.records.size(), "fit_imputation: row index out of range");
      scanned.push_back(i);
    }
  }
  const std::size_t numeric_count = detail::kConditionCount + detail::decoy_count(db, scanned);
  const detail::ColumnPolicies policies = detail::policies_from_options(options, numeric_count);
  const detail::MissingScan scan = detail::scan_missing(db, policies, scanned);
  std::vector<std::size_t> fitted;
  for (const auto i : scanned) {
    if (!scan.dropped[i]) fitted.push_back(i);
  }
  ImputationModel model;
  model.fitted_rows = fitted.size();
  for (std::size_t j = 0; j < numeric_count; ++j) {
    model.numeric.push_back(
        fit_numeric(db, j, policies.numeric[j], fitted, options.missing_indicators));
  }
  for (std::size_t j = 0; j < detail::kCategoricalCount; ++j) {
    model.categorical.push_back(fit_categorical(db, j, policies.categorical[j], fitted));
  }
  return model;
}

}  // namespace thermex
