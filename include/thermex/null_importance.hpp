#pragma once
/// \file
/// Null-importance screening (Altmann et al., Bioinformatics 26 (2010) 1340; the second step of
/// Sun et al. 2025): the forest's gain importance of each feature on the real target is compared
/// with its importances on K refits to randomly permuted targets. A feature whose real
/// importance falls below the q-quantile of its null distribution carries no more signal than
/// noise and is dropped. data/SCREENING.md documents the defaults.
///
/// Determinism: shuffle s permutes the target by Fisher-Yates with PhiloxStream(seed, kShuffle,
/// s); its forest is fit number s + 1 (tree t draws from PhiloxStream(seed, kForest,
/// ((s + 1) << 32) | t)), the real-target forest is fit 0. Work items are independent and
/// written to fixed slots, so any thread count gives the same bytes.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "thermex/context.hpp"
#include "thermex/forest.hpp"

namespace thermex {

/// Options of null-importance screening. Validated by null_importance() (ConfigError).
struct NullImportanceOptions {
  int shuffles = 100;      ///< K, number of permuted-target refits, >= 1
  double quantile = 0.25;  ///< q in [0, 1]: drop when actual < q-quantile of the null
  ForestOptions forest;    ///< the forest used for every fit (real and null)
  /// Called after each finished fit with (fits done, K + 1), from one thread at a time (inside
  /// an OpenMP critical section; keep it cheap). Empty = no reports. For progress displays.
  std::function<void(std::size_t, std::size_t)> progress;
};

/// Real and null importances of every feature, and the decision.
struct NullImportanceResult {
  std::vector<std::string> features;  ///< feature names, in BinnedFeatures order
  std::size_t shuffles = 0;           ///< K
  double quantile = 0.25;             ///< q used for the decision
  std::vector<double> actual;         ///< gain importance on the real target (target units^2)
  std::vector<double> null;           ///< K x features, row-major: null[s * features + f]
  std::vector<double> null_quantile;  ///< per feature, q-quantile of its K null importances
  /// Per feature, (1 + #{s : null >= actual}) / (K + 1), the empirical p-value with the
  /// real fit counted as one draw of the null (never 0).
  std::vector<double> p_value;
  /// Per feature, 1 = kept: actual >= null_quantile and actual > 0 (a feature the real-target
  /// forest never split on carries no signal even when its null is all zeros too).
  std::vector<std::uint8_t> keep;
  /// Null importance of feature f in shuffle s.
  double null_at(std::size_t s, std::size_t f) const { return null[s * features.size() + f]; }
};

/// The q-quantile of `values` by linear interpolation between order statistics, numpy's
/// default ("linear", R type 7): with v sorted, h = q (n - 1), v[floor h] + (h - floor h)
/// (v[floor h + 1] - v[floor h]). Precondition: values non-empty, q in [0, 1]. O(n log n).
double quantile_linear(std::span<const double> values, double q);

/// Permutation of 0..n-1 used for shuffle `s`: Fisher-Yates (i from n-1 down to 1 swaps i with
/// a uniform j in [0, i]) driven by PhiloxStream(seed, kShuffle, s). O(n).
std::vector<std::size_t> shuffle_permutation(std::size_t n, std::uint64_t seed, std::uint64_t s);

/// Real and null importances of `features` for target `y` (finite, size features.rows), with
/// ctx.seed(). On Device::kCpu: parallel over the K + 1 fits with OpenMP (each fit's trees are
/// grown serially); progress is reported after each fit. On Device::kCuda: the permutations are
/// drawn on the host, then all (fit, tree) pairs are grown in one kernel launch (one thread
/// block per pair, histograms in shared memory; kernels/null_importance.cu) with the CPU's
/// draws, summation orders and split rule, so the importances equal the CPU's; progress is
/// reported once, (K + 1, K + 1), when the launch has finished. The decision (quantiles,
/// p-values) runs on the host for both. Throws ConfigError for bad options, Error for bad
/// inputs (and on kCuda in a build without CUDA), CudaError when a CUDA call fails.
/// Cost (K + 1) x forest cost, about (K + 1) x n_trees x depth x rows x features.
NullImportanceResult null_importance(const Context& ctx, const BinnedFeatures& features,
                                     std::span<const double> y,
                                     const NullImportanceOptions& options);

}  // namespace thermex
