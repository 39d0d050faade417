#pragma once
/// \file
/// A histogram-binned random-forest regressor with gain importance, the model behind null
/// importance screening (data/SCREENING.md). It follows LightGBM's `boosting='rf'` as used by
/// Sun et al. (2025): every tree is fitted to the raw target on a row subsample drawn without
/// replacement (bagging_fraction 0.8, a new bag per tree) and a per-tree feature subsample
/// (feature_fraction 0.8); splits are searched over quantile bins; a leaf predicts the mean of
/// its rows; importance is the total decrease of the sum of squared errors per feature.
///
/// Determinism: tree t of fit f draws everything from PhiloxStream(seed, kForest,
/// (f << 32) | t); per-tree importances are summed in tree order. The result is the same bytes
/// for any thread count.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "thermex/context.hpp"
#include "thermex/table.hpp"

namespace thermex {

/// Most bins a feature can have (bins are stored as bytes).
inline constexpr int kForestMaxBins = 256;

/// Options of the forest. Validated by every entry point (ConfigError naming the option).
struct ForestOptions {
  int n_trees = 100;  ///< trees per forest, >= 1
  int max_depth = 8;  ///< a root-only tree has depth 0; >= 1
  int min_leaf = 5;   ///< minimum rows (counting bootstrap duplicates) in a leaf, >= 1
  int max_bins = 64;  ///< quantile bins per feature, 2..kForestMaxBins
  /// Rows per tree as a fraction of the rows, in (0, 1]; drawn without replacement unless
  /// `bootstrap` (LightGBM bagging_fraction with bagging_freq = 1).
  double bagging_fraction = 0.8;
  /// Draw round(bagging_fraction x rows) rows with replacement instead (classic bagging).
  bool bootstrap = false;
  /// Features each tree may use, as a fraction of all features, in (0, 1] (LightGBM
  /// feature_fraction); at least one feature.
  double feature_fraction_tree = 0.8;
  /// Features tried at each split, as a fraction of the tree's features, in (0, 1] (LightGBM
  /// feature_fraction_bynode; 1 = all, as in the paper).
  double feature_fraction_split = 1.0;
};

/// Throws ConfigError naming the first invalid option.
void validate(const ForestOptions& options);

/// Features quantized to bins once, shared by every tree and every refit.
struct BinnedFeatures {
  std::size_t rows = 0;            ///< rows of the binned table
  std::size_t cols = 0;            ///< features
  std::vector<std::string> names;  ///< feature names (the table's column names)
  std::vector<std::uint8_t> bins;  ///< rows x cols, column-major: bins[f * rows + i]
  std::vector<int> bin_counts;     ///< bins of each feature (1 for a constant column)
  /// Upper edges: value x is in bin b of feature f iff thresholds[f][b-1] < x <= thresholds[f][b]
  /// (bin_counts[f] - 1 edges, increasing; the last bin is unbounded above).
  std::vector<std::vector<double>> thresholds;
};

/// Bins every column of `features` into at most `max_bins` quantile bins: with at most max_bins
/// distinct values each value gets its own bin; otherwise the edges are the midpoints between
/// the distinct values found at the quantile positions k/max_bins of the sorted column. NaN or
/// infinite values are refused (features from featurize() are imputed): throws InputError
/// naming the column and row. Cost O(cols x rows log rows).
BinnedFeatures bin_features(const Table& features, int max_bins = 64);

/// One node of a tree; a leaf has feature == -1.
struct TreeNode {
  int feature = -1;      ///< split feature (column of BinnedFeatures), -1 for a leaf
  int bin = 0;           ///< rows with bin <= this go left
  double threshold = 0;  ///< the same split on raw values: x <= threshold goes left
  int left = -1;         ///< child indices into Tree::nodes
  int right = -1;
  double value = 0;  ///< mean target of the in-bag rows reaching the node
};

/// One regression tree; nodes[0] is the root.
struct Tree {
  std::vector<TreeNode> nodes;
};

/// A fitted forest.
struct Forest {
  std::vector<Tree> trees;  ///< in tree order (tree t used stream id (fit << 32) | t)
  std::vector<std::string> feature_names;  ///< BinnedFeatures::names, in column order
  /// Gain importance per feature: SSE decrease summed over all splits of all trees, in target
  /// units squared (not normalised).
  std::vector<double> importance;
};

/// Fits a forest to `y` (size features.rows, finite: rows with a NaN target must be removed
/// before binning) with ctx.seed() as the seed. `fit_id` separates the streams of repeated fits
/// on one seed (null importance: 0 for the real target, s + 1 for shuffle s). Parallel over
/// trees with OpenMP. Throws ConfigError for bad options, Error for a size mismatch or a
/// non-finite target. Cost O(n_trees x max_depth x rows x features).
Forest fit_forest(const Context& ctx, const BinnedFeatures& features, std::span<const double> y,
                  const ForestOptions& options, std::uint64_t fit_id = 0);

/// Gain importances of the forest fit_forest() would build, computed on the calling thread
/// without keeping the trees (the unit of work of a null-importance shuffle). Same bytes as
/// fit_forest(...).importance for the same seed and fit_id. Preconditions as fit_forest.
std::vector<double> forest_gain_importance(const BinnedFeatures& features,
                                           std::span<const double> y, const ForestOptions& options,
                                           std::uint64_t seed, std::uint64_t fit_id);

/// Predictions for each row of `features`, whose columns must be the forest's features by name
/// (extra columns are ignored; throws Error when one is missing). The mean of the trees'
/// leaf values. Cost O(rows x n_trees x depth).
std::vector<double> predict(const Forest& forest, const Table& features);

}  // namespace thermex
