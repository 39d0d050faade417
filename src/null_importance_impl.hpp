#pragma once
/// \file
/// Internal: the CUDA backend of null importance (kernels/null_importance.cu; without CUDA,
/// src/no_cuda/null_importance_stub.cpp throws). src/null_importance.cpp validates the inputs,
/// computes the target permutations on the host (shuffle_permutation) and dispatches the K + 1
/// forests here when ctx.device() is Device::kCuda; the tests call the backend directly to force
/// small grids and global-memory histograms.

#include <cstddef>
#include <cstdint>
#include <span>

#include "thermex/context.hpp"
#include "thermex/forest.hpp"

namespace thermex::cuda {

/// Launch knobs of the CUDA forests; the defaults are what null_importance() uses. None of them
/// changes the result (every (fit, tree) pair is computed the same way wherever it runs).
struct NullForestCudaOptions {
  /// Thread blocks of the persistent grid; 0 = derived from the device (multiprocessors x 4,
  /// capped by `scratch_budget_bytes`).
  std::size_t max_blocks = 0;
  /// Device memory for the blocks' scratch (rows, node histograms per level, stack).
  std::size_t scratch_budget_bytes = std::size_t{1} << 30;
  /// Keep the per-lane accumulation histograms in global scratch even when they fit in shared
  /// memory (tests the fallback path).
  bool force_global_histograms = false;
};

/// Gain importances of `fits` forests into `importance` (fits x features.cols, row-major, every
/// entry overwritten): fit 0 on `y`, fit s + 1 on y[permutations[s * rows + i]] (row i), each
/// exactly as forest_gain_importance(features, target, options, seed, fit) computes it: the
/// same draws (math/forest_draws.hpp), the same histogram summation order (including the
/// 4-lane copies and the parent-minus-sibling subtraction), the same split gain and tie rule,
/// per-tree importances summed in tree order. All (fit, tree) pairs run in one launch, one
/// thread block per pair at a time. Blocks until the importances are on the host.
/// Preconditions (checked, Error): options valid, y finite of size rows, permutations of size
/// (fits - 1) x rows with entries < rows, bin counts in 1..kForestMaxBins, fits >= 1. Throws
/// CudaError when a CUDA call fails. Cost: the CPU's work spread over the blocks, plus
/// O(fits x n_trees x cols) device memory for the per-tree importances.
void null_forest_importances(const Context& ctx, const BinnedFeatures& features,
                             std::span<const double> y, std::span<const std::uint32_t> permutations,
                             std::size_t fits, const ForestOptions& options, std::uint64_t seed,
                             std::span<double> importance,
                             const NullForestCudaOptions& cuda_options = {});

}  // namespace thermex::cuda
