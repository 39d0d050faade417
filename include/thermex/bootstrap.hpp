#pragma once
/// \file
/// Bootstrap uncertainty (issue 6): B resamples of a training set with replacement, refits of
/// the SVR on each (one batched call), SHAP importances per refit with percentile intervals, and
/// how often each feature survives screening.
///
/// Replicas are identified by their id b = 0, 1, ..., B - 1. Every random draw of replica b is a
/// function of (seed, b) only, so any block of ids [first, first + count) (an MPI rank's or a
/// job-array shard's) computes exactly the replicas a single run computes, and results merged in
/// id order are the same bytes for any split, thread count or rank count.
///
/// Percentiles are numpy's default definition ("linear", R type 7; quantile_linear() of
/// null_importance.hpp): with B sorted values v and h = q (B - 1), v[floor h] + (h - floor h)
/// (v[floor h + 1] - v[floor h]). A central interval at level ci is the pair of quantiles
/// q = (1 - ci) / 2 and (1 + ci) / 2 (2.5 % and 97.5 % for ci = 0.95).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "thermex/background.hpp"
#include "thermex/context.hpp"
#include "thermex/selection.hpp"
#include "thermex/shap.hpp"
#include "thermex/svr.hpp"
#include "thermex/svr_metrics.hpp"
#include "thermex/table.hpp"

namespace thermex {

/// Rows of bootstrap replica `replica` of an n-row set: n draws with replacement, uniform on
/// [0, n), in draw order, from PhiloxStream(seed, RngPurpose::kBootstrap, replica). Throws Error
/// for n == 0. Cost O(n).
std::vector<std::size_t> bootstrap_sample(std::size_t n, std::uint64_t seed, std::size_t replica);

/// Rows of [0, n) that `sample` never draws (the out-of-bag rows), ascending. Throws Error when
/// a sample entry is >= n. Cost O(n + sample size).
std::vector<std::size_t> out_of_bag_rows(std::span<const std::size_t> sample, std::size_t n);

/// Per-column summary of a replicas x columns matrix.
struct BootstrapSummary {
  std::size_t replicas = 0;  ///< B (rows of the matrix)
  std::size_t columns = 0;   ///< C
  double ci = 0.95;          ///< central interval level
  std::vector<double> mean;  ///< C means over replicas
  std::vector<double> std;   ///< C sample standard deviations (divisor B - 1; NaN when B < 2)
  std::vector<double> low;   ///< C quantiles at (1 - ci) / 2 (numpy linear)
  std::vector<double> high;  ///< C quantiles at (1 + ci) / 2
};

/// Mean, std and percentile interval of every column of `matrix` (replicas x columns,
/// row-major). NaN entries propagate to their column's statistics. Throws Error for replicas ==
/// 0, columns == 0, a size mismatch or ci outside (0, 1). Cost O(C B log B), summed in replica
/// order.
BootstrapSummary bootstrap_summary(std::span<const double> matrix, std::size_t replicas,
                                   std::size_t columns, double ci);

/// SVR refits of a block of replicas.
struct BootstrapFits {
  std::size_t first_replica = 0;  ///< id of models[0]
  std::vector<SvrModel> models;   ///< count models, replica first_replica + i at i
  /// Out-of-bag metrics per replica, in original target units (10^f for log10 models): the
  /// model's predictions on the rows its sample never drew. A replica without out-of-bag rows
  /// (tiny n) gets n = 0 and NaN metrics.
  std::vector<RegressionMetrics> oob;
};

/// Fits the SVR `spec` to bootstrap replicas first_replica .. first_replica + count - 1 of the n
/// rows of `x_rowmajor` (n x d, raw units) and `y` (n values, original units), with the samples
/// of bootstrap_sample(n, ctx.seed(), b), in one svr_fit_batch call (replicas share no kernel
/// matrix; OpenMP over replicas). Model i equals, byte for byte, svr_fit on the gathered rows of
/// sample i. Then predicts each model's out-of-bag rows. Throws as svr_fit_batch, and Error for
/// count == 0. Cost: count SVR fits of n rows plus the out-of-bag predictions; memory: one wave
/// of n x n kernel matrices (SvrSpec::kernel_budget_bytes each).
BootstrapFits bootstrap_svr(const Context& ctx, std::span<const double> x_rowmajor, std::size_t n,
                            std::size_t d, std::span<const double> y, const SvrSpec& spec,
                            std::size_t first_replica, std::size_t count,
                            std::vector<std::string> feature_names = {});

/// SHAP importances of bootstrap refits.
struct ShapBootstrap {
  std::size_t replicas = 0;               ///< B
  std::size_t players = 0;                ///< P
  std::vector<std::string> player_names;  ///< P names
  /// B x P row-major: mean |SHAP| of each replica's model over the explained rows (transformed
  /// target units, as shap_mean_abs).
  std::vector<double> mean_abs;
  BootstrapSummary summary;  ///< per player: mean, std, percentile interval at ci
};

/// Explains the n rows of `x_explain` (n x d, raw units) with every model of `models` (same
/// features, e.g. BootstrapFits::models) against the weighted `background` (its weights replace
/// options.background_weights), and summarizes mean |SHAP| per player over the models at level
/// `ci`. Players are options.players, or one per column named after models[0]'s features.
/// Throws as svr_shap, and Error for an empty `models` or models with different features.
/// Cost: models.size() svr_shap calls.
ShapBootstrap bootstrap_shap(const Context& ctx, std::span<const SvrModel> models,
                             std::span<const double> x_explain, std::size_t n,
                             const WeightedBackground& background, const ShapOptions& options,
                             double ci);

/// The ShapBootstrap of precomputed mean |SHAP| rows (replicas x players, e.g. the
/// concatenation, in replica order, of the mean_abs of shards): for merging blocks computed on
/// different ranks or shards. Throws Error on size mismatches, replicas == 0 or a bad ci.
ShapBootstrap summarize_shap_bootstrap(std::vector<double> mean_abs, std::size_t replicas,
                                       std::vector<std::string> player_names, double ci);

/// How often each screening candidate survives screening over bootstrap replicas.
struct ScreeningSurvival {
  std::string target;                   ///< the screened target column
  std::vector<std::string> features;    ///< candidates, in the table's candidate order
  std::vector<std::size_t> kept_count;  ///< per candidate: replicas whose selection kept it
  std::size_t first_replica = 0;        ///< first replica id of the block
  std::size_t replicas = 0;             ///< replicas counted

  /// kept_count / replicas per candidate (NaN when replicas == 0).
  std::vector<double> frequency() const;
};

/// Seed of the null-importance forests of screening replica `replica`: the first 64 bits of
/// PhiloxStream(seed, RngPurpose::kBootstrap, 2^63 + replica) (an id range that row samples,
/// which use ids < 2^63, never reach). A function of (seed, replica) only.
std::uint64_t screening_replica_seed(std::uint64_t seed, std::size_t replica);

/// Re-runs select_features(options) on bootstrap replicas first_replica .. first_replica +
/// count - 1 of `training_rows` (row indices into `table`; replica b takes the rows
/// training_rows[s] for s in bootstrap_sample(training_rows.size(), ctx.seed(), b)), each with
/// ctx.with_seed(screening_replica_seed(ctx.seed(), b)), and counts the survivors. The study
/// passes fewer shuffles (options.null.shuffles) than the main screening. Replicas run one after
/// another (each select_features is parallel inside). Throws as select_features, and Error for
/// count == 0, empty training_rows or a row index out of range. Cost: count screenings.
ScreeningSurvival bootstrap_screening(const Context& ctx, const Table& table,
                                      std::string_view target, const SelectionOptions& options,
                                      std::span<const std::size_t> training_rows,
                                      std::size_t first_replica, std::size_t count);

/// Sums the counts of blocks of the same target and candidates (any order of blocks; the result
/// has the smallest first_replica). Throws Error when targets or candidates differ, or when
/// `parts` is empty. Cost O(parts x candidates).
ScreeningSurvival merge_screening_survival(std::span<const ScreeningSurvival> parts);

}  // namespace thermex
