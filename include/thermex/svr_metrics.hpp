#pragma once
/// \file
/// Regression metrics and the seeded train/test split used with the SVR (issue 3, "Model
/// selection and metrics"). Metrics are in the units of the values given (the caller chooses
/// original or log10 target units).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace thermex {

/// Goodness of fit of predictions against observations.
struct RegressionMetrics {
  double r2 = 0.0;    ///< 1 - SS_res / SS_tot (scikit-learn's r2_score; 1 when SS_tot = 0 and
                      ///< the fit is exact, 0 when SS_tot = 0 otherwise)
  double rmse = 0.0;  ///< sqrt(mean squared error), units of the values
  double mae = 0.0;   ///< mean absolute error, units of the values
  std::size_t n = 0;  ///< number of pairs
};

/// Metrics of `predicted` against `observed` (same length >= 1). Throws Error on a length
/// mismatch or empty input. NaN inputs give NaN metrics. Cost O(n), summed in index order.
RegressionMetrics regression_metrics(std::span<const double> observed,
                                     std::span<const double> predicted);

/// A seeded train/test split of `n` rows: exactly round(test_fraction * n) rows (at least 1 and
/// at most n - 1 when 0 < test_fraction < 1) are marked test, chosen by a Philox permutation
/// keyed by (seed, RngPurpose::kSplit, id 1) (id 0 is the k-fold permutation). Returns one flag
/// per row (true = test). test_fraction == 0 marks nothing. Throws Error unless
/// 0 <= test_fraction < 1 and n >= 2 when test_fraction > 0. Cost O(n).
std::vector<bool> svr_train_test_split(std::size_t n, double test_fraction, std::uint64_t seed);

}  // namespace thermex
