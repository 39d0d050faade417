// Regression metrics (R^2, RMSE, MAE) and the seeded train/test split.
#include "thermex/svr_metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "thermex/error.hpp"
#include "thermex/math/philox.hpp"

namespace thermex {

RegressionMetrics regression_metrics(std::span<const double> observed,
                                     std::span<const double> predicted) {
  if (observed.size() != predicted.size() || observed.empty()) {
    throw Error(
        fmt::format("regression_metrics: {} observations and {} predictions (need equal, "
                    ">= 1)",
                    observed.size(), predicted.size()));
  }
  const auto n = static_cast<double>(observed.size());
  const double mean = std::accumulate(observed.begin(), observed.end(), 0.0) / n;
  double ss_res = 0.0, ss_tot = 0.0, abs_sum = 0.0;
  for (std::size_t i = 0; i < observed.size(); ++i) {
    const double e = predicted[i] - observed[i];
    ss_res += e * e;
    abs_sum += std::abs(e);
    ss_tot += (observed[i] - mean) * (observed[i] - mean);
  }
  RegressionMetrics m;
  m.n = observed.size();
  m.rmse = std::sqrt(ss_res / n);
  m.mae = abs_sum / n;
  // scikit-learn's convention for constant observations: perfect fit 1, otherwise 0.
  m.r2 = ss_tot > 0.0 ? 1.0 - ss_res / ss_tot : (ss_res == 0.0 ? 1.0 : 0.0);
  if (std::isnan(ss_res) || std::isnan(ss_tot)) m.r2 = ss_res + ss_tot;  // NaN stays NaN
  return m;
}

std::vector<bool> svr_train_test_split(std::size_t n, double test_fraction, std::uint64_t seed) {
  if (!(test_fraction >= 0.0 && test_fraction < 1.0)) {
    throw Error(fmt::format("train/test split: test fraction {} must be in [0, 1)", test_fraction));
  }
  std::vector<bool> is_test(n, false);
  if (test_fraction == 0.0) return is_test;
  if (n < 2) throw Error("train/test split: need at least 2 rows");
  auto n_test = static_cast<std::size_t>(std::llround(test_fraction * static_cast<double>(n)));
  n_test = std::min(std::max<std::size_t>(n_test, 1), n - 1);
  // Partial Fisher-Yates: the first n_test entries of a Philox permutation are the test rows.
  std::vector<std::size_t> perm(n);
  std::iota(perm.begin(), perm.end(), std::size_t{0});
  math::PhiloxStream rng(seed, math::RngPurpose::kSplit, 1);
  for (std::size_t i = 0; i < n_test; ++i) {
    const std::size_t j = i + static_cast<std::size_t>(rng.below(n - i));
    std::swap(perm[i], perm[j]);
    is_test[perm[i]] = true;
  }
  return is_test;
}

}  // namespace thermex
