#pragma once
/// \file
/// A weighted SHAP background summarized by k-means, as `shap.kmeans` does for the `shap`
/// library's explainers: the centroids of k clusters, each weighted by the fraction of rows in
/// its cluster. svr_shap takes the weights through ShapOptions::background_weights, so the base
/// value and every coalition value are weighted means over the centroids.
///
/// Differences from `shap.kmeans` (scikit-learn KMeans, random_state 0, on the raw columns):
/// distances may be measured in a scaled space (KmeansOptions::scales; the study passes the
/// model's feature_scales so that clustering happens in the standardized space the RBF kernel
/// sees), initialization is k-means++ keyed by Philox, and rounding the centroids to observed
/// values (`round_values=True` in shap) is optional and off by default (a mean over one-hot
/// columns is a valid input for the product kernel, and rounding can break a one-hot group).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace thermex {

/// Background rows with weights (a probability distribution over the rows).
struct WeightedBackground {
  std::vector<double> rows;     ///< n x d, row-major, the units of the input rows
  std::size_t n = 0;            ///< rows (<= k requested; see kmeans_background)
  std::size_t d = 0;            ///< columns
  std::vector<double> weights;  ///< n weights > 0 summing to 1 (to rounding)
};

/// Options of kmeans_background().
struct KmeansOptions {
  /// Per-column divisors for the distance (d positive finite values): rows are compared as
  /// x_j / scales[j]. Empty = 1 for every column. Centroids are returned in the input units.
  std::vector<double> scales;
  /// Lloyd iterations at most per start; a start stops earlier when no assignment changes. >= 1.
  std::size_t max_iter = 300;
  /// Independent k-means++ starts; the one with the smallest within-cluster sum of squares
  /// (scaled space; ties to the earlier start) wins, as scikit-learn's n_init (whose historic
  /// default is 10). One start can stop in a poor local optimum. >= 1.
  std::size_t n_init = 10;
  /// Round every centroid coordinate to the nearest observed value of its column (ties to the
  /// smaller value), as `shap.kmeans(round_values=True)`.
  bool round_values = false;
};

/// k-means summary of the n x d row-major `x_rowmajor`, best of options.n_init starts. Each
/// start: k-means++ initialization (first centre uniform, each next one drawn with probability
/// proportional to the squared scaled distance to the nearest chosen centre; the starts read
/// one after another from the single stream PhiloxStream(seed, RngPurpose::kBackground, 0)),
/// then Lloyd iterations (assignment to the nearest centroid, ties to the lower cluster index;
/// an emptied cluster is moved to the row farthest from its centroid, ties to the lower row)
/// until no assignment changes or max_iter. Centroids are the means of their rows; weights are
/// cluster sizes / n. Clusters that end empty are dropped (only when the data has fewer than k
/// distinct rows), so the result may have fewer than k rows. k >= n returns the rows themselves,
/// in order, with weight 1/n each. Throws Error for n == 0, d == 0, k == 0, a size mismatch,
/// non-finite values (naming row and column) or bad options. Deterministic for any thread count
/// (sums run serially in row order). Cost O(n_init max_iter n k d) time, O(k d + n) memory.
WeightedBackground kmeans_background(std::span<const double> x_rowmajor, std::size_t n,
                                     std::size_t d, std::size_t k, std::uint64_t seed,
                                     const KmeansOptions& options = {});

/// The n x d rows with uniform weights 1/n (the unsummarized background). Throws Error on a
/// size mismatch or n == 0. Cost O(n d).
WeightedBackground uniform_background(std::span<const double> x_rowmajor, std::size_t n,
                                      std::size_t d);

}  // namespace thermex
