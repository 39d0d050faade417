// CUDA backend of null importance (src/null_importance_impl.hpp): every (fit, tree) pair of the
// K + 1 forests in one persistent launch. A thread block grows one tree at a time depth-first
// with an explicit stack, exactly as src/cpu/forest_tree.cpp does. Thread 0 alone makes the
// draws (math/forest_draws.hpp, the same Philox stream: inherently sequential), the per-tree
// centre (one running sum in sorted row order, as the CPU) and the O(features) choices; all
// O(rows) work per node is spread over the block's 128 threads:
// - the bag is sorted by counting (integer atomics, then a block scan places each thread's
//   contiguous chunk of row ids);
// - the node's target sum uses the fixed order of math/forest_node_sum.hpp, which the CPU uses
//   too (thread t sums rows t, t + 128, ...; then a pairwise tree in shared memory), and min
//   and max (the "constant target cannot be split" rule) are order-free block reductions;
// - the stable partition: each thread counts the left rows of a contiguous chunk, a block
//   exclusive scan places the chunk's left rows and right rows in a buffer, which is copied
//   back: the serial stable partition's result;
// - histograms are accumulated per (feature, lane) by one thread each in the CPU's row order
//   (4-lane copies in shared memory when they fit, otherwise in global scratch), and the split
//   is chosen with math::split_gain and the CPU's tie rule.
// Each tree writes its per-feature gains to its own slot; a second kernel sums them in tree
// order. No atomics on floating-point values (integer ones only: bag counts and the error
// status word) and no FMA-contractible expressions, so the result equals the CPU's bit for bit
// (checked on the host by tests/test_null_forest_emulation.cpp, which runs these device
// functions with 128 std::threads and a barrier per __syncthreads).
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "../src/cuda/null_forest_device.cuh"
#include "../src/null_importance_impl.hpp"
#include "thermex/cuda/check.hpp"
#include "thermex/cuda/device_buffer.hpp"
#include "thermex/cuda/device_guard.hpp"
#include "thermex/error.hpp"
#include "thermex/math/forest_draws.hpp"
#include "thermex/math/philox.hpp"
#include "thermex/math/split_gain.hpp"

namespace thermex::cuda {
namespace {

__global__ void __launch_bounds__(kForestBlock) forest_kernel(ForestArgs a) {
  extern __shared__ double shared_lanes[];
  const Work w = carve(a, shared_lanes);
  const std::size_t items = static_cast<std::size_t>(a.fits) * a.trees;
  for (std::size_t item = blockIdx.x; item < items; item += gridDim.x) {
    const auto fit = static_cast<std::uint32_t>(item / a.trees);
    const auto tree = static_cast<std::uint32_t>(item % a.trees);
    grow_tree(a, w, fit, tree, a.per_tree + item * a.cols);
  }
}

// out[fit * cols + f] = sum over trees in tree order of per_tree[(fit * trees + t) * cols + f],
// from 0.0 as forest_gain_importance adds them.
__global__ void __launch_bounds__(kSumBlock)
    sum_trees_kernel(const double* __restrict__ per_tree, std::size_t fits, std::size_t trees,
                     std::size_t cols, double* __restrict__ out) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t e = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       e < fits * cols; e += stride) {
    const std::size_t fit = e / cols, f = e % cols;
    double total = 0.0;
    for (std::size_t t = 0; t < trees; ++t) total += per_tree[(fit * trees + t) * cols + f];
    out[e] = total;
  }
}

void check_inputs(const BinnedFeatures& features, std::span<const double> y,
                  std::span<const std::uint32_t> permutations, std::size_t fits,
                  std::span<double> importance) {
  THERMEX_EXPECTS(fits >= 1, "null_forest_importances: no fits");
  THERMEX_EXPECTS(features.rows >= 1 && features.cols >= 1, "null_forest_importances: empty");
  THERMEX_EXPECTS(
      features.rows <= 0x7FFFFFFFu && features.cols <= 0x7FFFFFFFu && fits <= 0xFFFFFFFFu,
      "null_forest_importances: too many rows, features or fits");
  THERMEX_EXPECTS(y.size() == features.rows, "null_forest_importances: target length differs");
  THERMEX_EXPECTS(features.bins.size() == features.rows * features.cols &&
                      features.bin_counts.size() == features.cols,
                  "null_forest_importances: inconsistent BinnedFeatures");
  THERMEX_EXPECTS(permutations.size() == (fits - 1) * features.rows,
                  "null_forest_importances: permutations must be (fits - 1) x rows");
  THERMEX_EXPECTS(importance.size() == fits * features.cols,
                  "null_forest_importances: importance must be fits x cols");
  for (std::size_t i = 0; i < y.size(); ++i) {
    THERMEX_EXPECTS(std::isfinite(y[i]), "null_forest_importances: target not finite");
  }
  for (const std::uint32_t p : permutations) {
    THERMEX_EXPECTS(p < features.rows, "null_forest_importances: permutation entry out of range");
  }
  for (const int b : features.bin_counts) {
    THERMEX_EXPECTS(b >= 1 && b <= kForestMaxBins,
                    "null_forest_importances: bin count out of range");
  }
}

}  // namespace

void null_forest_importances(const Context& ctx, const BinnedFeatures& features,
                             std::span<const double> y, std::span<const std::uint32_t> permutations,
                             std::size_t fits, const ForestOptions& options, std::uint64_t seed,
                             std::span<double> importance,
                             const NullForestCudaOptions& cuda_options) {
  validate(options);
  check_inputs(features, y, permutations, fits, importance);
  const DeviceGuard guard(ctx.cuda_device());
  const auto stream = static_cast<cudaStream_t>(ctx.cuda_stream());
  ForestArgs a = forest_args(features, fits, options, seed);
  std::vector<std::uint32_t> n_bins(features.cols);
  for (std::size_t f = 0; f < features.cols; ++f) {
    n_bins[f] = static_cast<std::uint32_t>(features.bin_counts[f]);
  }
  // The 4 lane histograms in shared memory when they fit the block's opt-in limit.
  const std::size_t lane_bytes = kLanes * a.total_max * (sizeof(double) + sizeof(std::uint32_t));
  int optin = 0;
  THERMEX_CUDA_CHECK(
      cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, ctx.cuda_device()));
  // grow_tree's static shared variables (node, reduction and scan arrays: about 4 KiB) come
  // out of the same per-block limit.
  cudaFuncAttributes attributes{};
  THERMEX_CUDA_CHECK(cudaFuncGetAttributes(&attributes, forest_kernel));
  a.lanes_in_shared = !cuda_options.force_global_histograms &&
                      lane_bytes + attributes.sharedSizeBytes <= static_cast<std::size_t>(optin);
  const std::size_t shared_bytes = a.lanes_in_shared ? lane_bytes : 0;
  if (a.lanes_in_shared) {
    THERMEX_CUDA_CHECK(cudaFuncSetAttribute(forest_kernel,
                                            cudaFuncAttributeMaxDynamicSharedMemorySize,
                                            static_cast<int>(shared_bytes)));
  }
  a.u32_per_block = u32_words(a, !a.lanes_in_shared);
  a.f64_per_block = f64_words(a, !a.lanes_in_shared);
  const std::size_t items = fits * a.trees;
  std::size_t blocks = cuda_options.max_blocks;
  if (blocks == 0) {
    int sms = 0;
    THERMEX_CUDA_CHECK(
        cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, ctx.cuda_device()));
    blocks = static_cast<std::size_t>(std::max(sms, 1)) * kBlocksPerSm;
    const std::size_t block_bytes = 4 * a.u32_per_block + 8 * a.f64_per_block;
    blocks =
        std::min(blocks, std::max<std::size_t>(cuda_options.scratch_budget_bytes / block_bytes, 1));
  }
  blocks = std::clamp<std::size_t>(blocks, 1, std::min<std::size_t>(items, 65535));

  DeviceBuffer<std::uint8_t> d_bins(features.bins.size(), stream);
  d_bins.copy_from_host(features.bins);
  DeviceBuffer<std::uint32_t> d_n_bins(n_bins.size(), stream);
  d_n_bins.copy_from_host(n_bins);
  DeviceBuffer<double> d_y(y.size(), stream);
  d_y.copy_from_host(y);
  DeviceBuffer<std::uint32_t> d_perm(permutations.size(), stream);
  d_perm.copy_from_host(permutations);
  DeviceBuffer<std::uint32_t> d_u32(blocks * a.u32_per_block, stream);
  DeviceBuffer<double> d_f64(blocks * a.f64_per_block, stream);
  DeviceBuffer<double> d_per_tree(items * a.cols, stream);
  DeviceBuffer<double> d_out(importance.size(), stream);
  DeviceBuffer<int> d_status(1, stream);
  d_status.fill_bytes(0);
  a.bins = d_bins.data();
  a.n_bins = d_n_bins.data();
  a.y = d_y.data();
  a.perm = d_perm.data();
  a.scratch_u32 = d_u32.data();
  a.scratch_f64 = d_f64.data();
  a.per_tree = d_per_tree.data();
  a.status = d_status.data();
  forest_kernel<<<static_cast<unsigned>(blocks), kForestBlock, shared_bytes, stream>>>(a);
  THERMEX_CUDA_CHECK(cudaGetLastError());
  const std::size_t sum_blocks =
      std::min<std::size_t>((importance.size() + kSumBlock - 1) / kSumBlock, 1024);
  sum_trees_kernel<<<static_cast<unsigned>(sum_blocks), kSumBlock, 0, stream>>>(
      d_per_tree.data(), fits, a.trees, a.cols, d_out.data());
  THERMEX_CUDA_CHECK(cudaGetLastError());
  int status = 0;
  d_status.copy_to_host(std::span<int>(&status, 1));
  if (status == kStatusBadBin)
    throw Error("null_forest_importances: a bin index exceeds its feature's bin count");
  d_out.copy_to_host(importance);
}

}  // namespace thermex::cuda
