#pragma once
/// \file
/// Model selection for the epsilon-SVR: seeded k-fold assignment and grid search by k-fold
/// cross-validated RMSE over C x gamma x epsilon. Every (grid point, fold) fit is one problem of
/// a single svr_fit_batch call, so the folds' kernel matrices are shared across C and epsilon
/// (and across gamma = "scale", which resolves per fold).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "thermex/context.hpp"
#include "thermex/svr.hpp"

namespace thermex {

/// Fold of each of `n` rows (values 0..folds-1) for k-fold cross-validation: a Philox
/// permutation keyed by (seed, RngPurpose::kSplit, id 0), cut into `folds` contiguous pieces as
/// scikit-learn's KFold(shuffle=True) cuts its permutation (the first n % folds folds get one
/// row more). Deterministic in (n, folds, seed). Throws Error unless 2 <= folds <= n. Cost O(n).
std::vector<std::size_t> svr_kfold_assignment(std::size_t n, std::size_t folds, std::uint64_t seed);

/// The hyperparameter grid; each list must be non-empty.
struct SvrGrid {
  std::vector<double> c;        ///< box constraints C
  std::vector<SvrGamma> gamma;  ///< RBF widths (numbers or "scale")
  std::vector<double> epsilon;  ///< tube half-widths
};

/// Result of a grid search.
struct SvrCvResult {
  /// Grid points in C-major order: index = (ic * n_gamma + ig) * n_epsilon + ie; each is the
  /// base spec with that C, gamma and epsilon.
  std::vector<SvrSpec> specs;
  /// points x folds RMSE on the held-out fold, in fitted-target units (log10 units with
  /// log10_target), row-major.
  std::vector<double> fold_rmse;
  /// Mean over folds of fold_rmse per point (scikit-learn's mean_test_score of RMSE).
  std::vector<double> cv_rmse;
  std::size_t folds = 0;  ///< k
  std::size_t best = 0;   ///< the point with the smallest cv_rmse (lowest index on ties)
};

/// k-fold grid search on the n x d row-major `x` and targets `y`: folds from
/// svr_kfold_assignment(n, folds, ctx.seed()); for every grid point and fold, fits `base` with
/// the point's C, gamma, epsilon on the other folds' rows and scores the held-out fold.
/// Deterministic for any thread count. Throws Error for an empty grid list, a bad spec or data
/// (as svr_fit). Cost: points x folds SVR fits (one batch) plus their predictions.
SvrCvResult svr_grid_search_cv(const Context& ctx, std::span<const double> x_rowmajor,
                               std::size_t n, std::size_t d, std::span<const double> y,
                               const SvrSpec& base, const SvrGrid& grid, std::size_t folds);

}  // namespace thermex
