// Device code of the CUDA null-importance forests, included only by kernels/null_importance.cu
// (one translation unit: the kernels call these __device__ functions without relocatable device
// code). Split out of that file to keep each part near the house size limit; the design comment
// is at the top of kernels/null_importance.cu.
// tests/test_null_forest_emulation.cpp compiles these functions with the host compiler (it
// supplies __device__, threadIdx, __syncthreads, atomics, min and max), hence the guard.
#pragma once

#if defined(__CUDACC__)
#include <cuda_runtime.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "../null_importance_impl.hpp"
#include "thermex/math/forest_draws.hpp"
#include "thermex/math/forest_node_sum.hpp"
#include "thermex/math/philox.hpp"
#include "thermex/math/split_gain.hpp"

namespace thermex::cuda {
namespace {

constexpr int kForestBlock = 128;             // 32 features x 4 lanes per histogram pass
constexpr int kLanes = 4;                     // src/cpu/forest_histogram.cpp kLanes
constexpr std::uint32_t kLaneRowsPerBin = 2;  // src/cpu/forest_histogram.cpp kLaneRowsPerBin
constexpr int kBlocksPerSm = 4;
constexpr int kSumBlock = 256;
constexpr std::uint32_t kNoPosition = 0xFFFFFFFFu;
constexpr int kStatusBadBin = 1;
constexpr std::uint32_t kStackWords = 4;  // begin, end, depth, side
static_assert(kForestBlock == math::kForestSumParts, "thread t of a block is node-sum part t");
static_assert((kForestBlock & (kForestBlock - 1)) == 0, "the reductions halve the block");

struct ForestArgs {
  const std::uint8_t* bins;     // cols x rows, column-major
  const std::uint32_t* n_bins;  // per feature
  const double* y;              // rows
  const std::uint32_t* perm;    // (fits - 1) x rows
  std::uint32_t rows, cols, fits, trees;
  std::uint32_t bag, tree_k;  // in-bag rows and tree features (forest_fraction_count)
  int max_depth;
  std::uint32_t min_leaf;
  bool bootstrap;
  double feature_fraction_split;
  std::uint64_t seed;
  std::size_t total_max;  // bins of all features: bounds any tree's histogram layout
  std::uint32_t* scratch_u32;
  double* scratch_f64;
  std::size_t u32_per_block, f64_per_block;
  bool lanes_in_shared;
  double* per_tree;  // fits x trees x cols
  int* status;
};

// Per-block views into the scratch and shared memory.
struct Work {
  std::uint32_t *rows, *buffer, *pool, *tree_features, *position, *offset, *bins_of, *split,
      *best_bin, *slot_count, *lane_count, *stack;
  double *slot_sum, *lane_sum, *best_gain;
};

__device__ Work carve(const ForestArgs& a, double* shared) {
  Work w;
  std::uint32_t* u = a.scratch_u32 + blockIdx.x * a.u32_per_block;
  double* d = a.scratch_f64 + blockIdx.x * a.f64_per_block;
  const std::size_t slots = 2 * (static_cast<std::size_t>(a.max_depth) + 1) * a.total_max;
  const std::size_t lanes = kLanes * a.total_max;
  w.rows = u, u += a.rows;
  w.buffer = u, u += a.rows;
  w.pool = u, u += max(a.rows, a.cols);
  w.tree_features = u, u += a.cols;
  w.position = u, u += a.cols;
  w.offset = u, u += a.cols;
  w.bins_of = u, u += a.cols;
  w.split = u, u += a.cols;
  w.best_bin = u, u += a.cols;
  w.stack = u, u += kStackWords * (static_cast<std::size_t>(a.max_depth) + 2);
  w.slot_count = u, u += slots;
  w.slot_sum = d, d += slots;
  w.best_gain = d, d += a.cols;
  if (a.lanes_in_shared) {
    w.lane_sum = shared;
    w.lane_count = reinterpret_cast<std::uint32_t*>(shared + lanes);
  } else {
    w.lane_sum = d;
    w.lane_count = u;
  }
  return w;
}

// The launch's scalar fields (sizes, options, seed, total_max) for `fits` forests; the caller
// sets the pointers, the scratch sizes and lanes_in_shared. Host only. Preconditions: the
// inputs passed check_inputs (kernels/null_importance.cu). O(cols).
ForestArgs forest_args(const BinnedFeatures& features, std::size_t fits,
                       const ForestOptions& options, std::uint64_t seed) {
  ForestArgs a{};
  a.rows = static_cast<std::uint32_t>(features.rows);
  a.cols = static_cast<std::uint32_t>(features.cols);
  a.fits = static_cast<std::uint32_t>(fits);
  a.trees = static_cast<std::uint32_t>(options.n_trees);
  a.bag = static_cast<std::uint32_t>(
      math::forest_fraction_count(options.bagging_fraction, features.rows));
  a.tree_k = static_cast<std::uint32_t>(
      math::forest_fraction_count(options.feature_fraction_tree, features.cols));
  a.max_depth = options.max_depth;
  a.min_leaf = static_cast<std::uint32_t>(options.min_leaf);
  a.bootstrap = options.bootstrap;
  a.feature_fraction_split = options.feature_fraction_split;
  a.seed = seed;
  for (const int b : features.bin_counts) a.total_max += static_cast<std::size_t>(b);
  return a;
}

// Scratch words per block for the u32 and f64 arrays carve() hands out.
std::size_t u32_words(const ForestArgs& a, bool lanes_global) {
  const std::size_t slots = 2 * (static_cast<std::size_t>(a.max_depth) + 1) * a.total_max;
  return 2 * std::size_t{a.rows} + std::max(a.rows, a.cols) + 6 * std::size_t{a.cols} +
         kStackWords * (static_cast<std::size_t>(a.max_depth) + 2) + slots +
         (lanes_global ? kLanes * a.total_max : 0);
}

std::size_t f64_words(const ForestArgs& a, bool lanes_global) {
  const std::size_t slots = 2 * (static_cast<std::size_t>(a.max_depth) + 1) * a.total_max;
  return slots + a.cols + (lanes_global ? kLanes * a.total_max : 0);
}

// Target of fit `fit` at row r: the real target for fit 0, y[perm] for shuffle fit - 1.
__device__ double target(const ForestArgs& a, std::uint32_t fit, std::uint32_t r) {
  return fit == 0 ? a.y[r] : a.y[a.perm[static_cast<std::size_t>(fit - 1) * a.rows + r]];
}

__device__ bool can_split(const ForestArgs& a, std::uint32_t n, int depth) {
  return depth < a.max_depth && n >= 2 * a.min_leaf;
}

// Histograms over rows[begin, begin + n) into (sum, count) (the tree's layout of `total` bins),
// as src/cpu/forest_histogram.cpp builds them: thread (p, l) accumulates lane l of tree feature
// p over rows k = l, l + 4, ... when the node has >= 2 rows per bin of p, otherwise lane 0 takes
// every row; the lanes are merged ((l0 + l1) + l2) + l3. Called by every thread of the block.
__device__ void build_histogram(const ForestArgs& a, const Work& w, std::uint32_t fit,
                                double centre, std::uint32_t begin, std::uint32_t n,
                                std::size_t total, double* sum, std::uint32_t* count) {
  const int lane = static_cast<int>(threadIdx.x) % kLanes;
  for (std::uint32_t p = threadIdx.x / kLanes; p < a.tree_k; p += kForestBlock / kLanes) {
    const std::uint32_t nb = w.bins_of[p];
    const bool lanes = n >= kLaneRowsPerBin * nb;
    if (!lanes && lane != 0) continue;
    double* ls = w.lane_sum + lane * total + w.offset[p];
    std::uint32_t* lc = w.lane_count + lane * total + w.offset[p];
    for (std::uint32_t b = 0; b < nb; ++b) ls[b] = 0.0, lc[b] = 0;
    const std::uint8_t* col = a.bins + static_cast<std::size_t>(w.tree_features[p]) * a.rows;
    const std::uint32_t step = lanes ? kLanes : 1;
    for (std::uint32_t k = static_cast<std::uint32_t>(lanes ? lane : 0); k < n; k += step) {
      const std::uint32_t r = w.rows[begin + k];
      const std::uint32_t b = col[r];
      if (b >= nb) {
        atomicExch(a.status, kStatusBadBin);
        continue;
      }
      ls[b] += target(a, fit, r) - centre;
      ++lc[b];
    }
  }
  __syncthreads();
  for (std::uint32_t p = threadIdx.x; p < a.tree_k; p += kForestBlock) {
    const std::uint32_t nb = w.bins_of[p], off = w.offset[p];
    const bool lanes = n >= kLaneRowsPerBin * nb;
    for (std::uint32_t b = off; b < off + nb; ++b) {
      if (lanes) {
        sum[b] = ((w.lane_sum[b] + w.lane_sum[total + b]) + w.lane_sum[2 * total + b]) +
                 w.lane_sum[3 * total + b];
        count[b] = w.lane_count[b] + w.lane_count[total + b] + w.lane_count[2 * total + b] +
                   w.lane_count[3 * total + b];
      } else {
        sum[b] = w.lane_sum[b];
        count[b] = w.lane_count[b];
      }
    }
  }
  __syncthreads();
}

// Every thread: exclusive prefix sum of one value per thread (Hillis-Steele over `scan`, one
// word per thread); sets `total` to the sum of all values. Integer, so exact in any order.
__device__ std::uint32_t block_exclusive_scan(std::uint32_t* scan, std::uint32_t value,
                                              std::uint32_t& total) {
  const std::uint32_t t = threadIdx.x;
  scan[t] = value;
  __syncthreads();
  for (std::uint32_t offset = 1; offset < kForestBlock; offset *= 2) {
    const std::uint32_t add = t >= offset ? scan[t - offset] : 0;
    __syncthreads();
    scan[t] += add;
    __syncthreads();
  }
  total = scan[kForestBlock - 1];
  const std::uint32_t exclusive = scan[t] - value;
  __syncthreads();  // `scan` may be reused as soon as this returns
  return exclusive;
}

// Thread 0: bag (unsorted, into w.rows), tree features (sorted) and the layout; returns the
// layout's bin total.
__device__ std::size_t draw_tree(const ForestArgs& a, const Work& w, math::PhiloxStream& rng) {
  math::forest_draw_bag(a.rows, a.bag, a.bootstrap, w.pool, w.rows, rng);
  math::forest_draw_tree_features(a.cols, a.tree_k, w.pool, rng);
  for (std::uint32_t i = 0; i < a.tree_k; ++i) {  // insertion sort of a few features
    const std::uint32_t v = w.pool[i];
    std::uint32_t j = i;
    for (; j > 0 && w.tree_features[j - 1] > v; --j) w.tree_features[j] = w.tree_features[j - 1];
    w.tree_features[j] = v;
  }
  for (std::uint32_t f = 0; f < a.cols; ++f) w.position[f] = kNoPosition;
  std::size_t total = 0;
  for (std::uint32_t p = 0; p < a.tree_k; ++p) {
    w.position[w.tree_features[p]] = p;
    w.offset[p] = static_cast<std::uint32_t>(total);
    w.bins_of[p] = a.n_bins[w.tree_features[p]];
    total += w.bins_of[p];
  }
  return total;
}

// Every thread: sorts the bag w.rows[0, bag) by counting (the sorted multiset the CPU's
// std::sort gives). Row counts go to w.buffer (integer atomics: exact in any order), then
// thread t expands a contiguous chunk of row ids at the position a block scan gives it.
// Preconditions: w.buffer[0, rows) is zero and visible to the block.
__device__ void sort_bag(const ForestArgs& a, const Work& w, std::uint32_t* scan) {
  for (std::uint32_t i = threadIdx.x; i < a.bag; i += kForestBlock)
    atomicAdd(&w.buffer[w.rows[i]], 1u);
  __syncthreads();
  const std::uint32_t chunk = (a.rows + kForestBlock - 1) / kForestBlock;
  const std::uint32_t lo = min(a.rows, threadIdx.x * chunk), hi = min(a.rows, lo + chunk);
  std::uint32_t mine = 0;
  for (std::uint32_t i = lo; i < hi; ++i) mine += w.buffer[i];
  std::uint32_t bag = 0;
  std::uint32_t k = block_exclusive_scan(scan, mine, bag);
  for (std::uint32_t i = lo; i < hi; ++i) {
    for (std::uint32_t c = 0; c < w.buffer[i]; ++c) w.rows[k++] = i;
  }
  __syncthreads();
}

// Thread 0: the positions of the node's features in w.split (sorted), returns their number.
__device__ std::uint32_t node_features(const ForestArgs& a, const Work& w,
                                       math::PhiloxStream& rng) {
  if (a.feature_fraction_split >= 1.0) {
    for (std::uint32_t p = 0; p < a.tree_k; ++p) w.split[p] = p;
    return a.tree_k;
  }
  const auto k =
      static_cast<std::uint32_t>(math::forest_fraction_count(a.feature_fraction_split, a.tree_k));
  math::forest_draw_split_features(a.tree_k, k, w.pool, rng);
  // Positions sort like features: tree_features is increasing.
  for (std::uint32_t i = 0; i < k; ++i) {
    const std::uint32_t v = w.pool[i];
    std::uint32_t j = i;
    for (; j > 0 && w.split[j - 1] > v; --j) w.split[j] = w.split[j - 1];
    w.split[j] = v;
  }
  return k;
}

// Every thread: per node feature, the first bin of highest gain (strict >, from 0), as the CPU's
// scan does within one feature; thread 0 then keeps the first feature of highest gain, which is
// the CPU's single strict-> scan over (feature, bin) split in two.
__device__ void best_split(const ForestArgs& a, const Work& w, std::uint32_t node_k,
                           std::uint32_t n, double node_sum, const double* sum,
                           const std::uint32_t* count) {
  for (std::uint32_t j = threadIdx.x; j < node_k; j += kForestBlock) {
    const std::uint32_t p = w.split[j];
    const double* bin_sum = sum + w.offset[p];
    const std::uint32_t* bin_count = count + w.offset[p];
    double best = 0, sum_left = 0;
    std::uint32_t best_bin = 0, count_left = 0;
    for (std::uint32_t b = 0; b + 1 < w.bins_of[p]; ++b) {
      if (bin_count[b] == 0) continue;
      count_left += bin_count[b];
      sum_left += bin_sum[b];
      if (n - count_left < a.min_leaf) break;
      if (count_left < a.min_leaf) continue;
      const double gain = math::split_gain(sum_left, count_left, node_sum, n);
      if (gain > best) best = gain, best_bin = b;
    }
    w.best_gain[j] = best;
    w.best_bin[j] = best_bin;
  }
  __syncthreads();
}

// Every thread: the node's target sum in math/forest_node_sum.hpp's order (thread t sums part
// t, then the pairwise tree in shared memory) and its min and max (order-free), all in red_*[0].
// Preconditions: n >= 1.
__device__ void node_stats(const ForestArgs& a, const Work& w, std::uint32_t fit, double centre,
                           std::uint32_t begin, std::uint32_t n, double* red_sum, double* red_lo,
                           double* red_hi) {
  const std::uint32_t t = threadIdx.x;
  double s = 0, lo = target(a, fit, w.rows[begin]) - centre, hi = lo;
  for (std::uint32_t k = t; k < n; k += kForestBlock) {
    const double v = target(a, fit, w.rows[begin + k]) - centre;
    s += v;
    lo = min(lo, v);
    hi = max(hi, v);
  }
  red_sum[t] = s, red_lo[t] = lo, red_hi[t] = hi;
  __syncthreads();
  for (std::uint32_t stride = kForestBlock / 2; stride > 0; stride /= 2) {  // forest_sum_tree
    if (t < stride) {
      red_sum[t] += red_sum[t + stride];
      red_lo[t] = min(red_lo[t], red_lo[t + stride]);
      red_hi[t] = max(red_hi[t], red_hi[t + stride]);
    }
    __syncthreads();
  }
}

// Every thread: stable partition of rows[begin, end) by bin <= split bin, the CPU's serial
// loop's result. Thread t owns a contiguous chunk of the node's rows; a block scan of the
// chunks' left counts places each chunk's left rows (from 0) and right rows (after all left
// rows) in the buffer, which is copied back. Returns the first right row.
__device__ std::uint32_t partition(const ForestArgs& a, const Work& w, std::uint32_t begin,
                                   std::uint32_t end, std::uint32_t feature, std::uint32_t bin,
                                   std::uint32_t* scan) {
  const std::uint8_t* col = a.bins + static_cast<std::size_t>(feature) * a.rows;
  const std::uint32_t n = end - begin, chunk = (n + kForestBlock - 1) / kForestBlock;
  const std::uint32_t lo = min(n, threadIdx.x * chunk), hi = min(n, lo + chunk);
  std::uint32_t left = 0;
  for (std::uint32_t k = lo; k < hi; ++k) left += col[w.rows[begin + k]] <= bin ? 1u : 0u;
  std::uint32_t total_left = 0;
  std::uint32_t l = block_exclusive_scan(scan, left, total_left);
  std::uint32_t r = total_left + (lo - l);  // right rows before the chunk follow all left rows
  for (std::uint32_t k = lo; k < hi; ++k) {
    const std::uint32_t row = w.rows[begin + k];
    w.buffer[col[row] <= bin ? l++ : r++] = row;
  }
  __syncthreads();
  for (std::uint32_t k = threadIdx.x; k < n; k += kForestBlock) w.rows[begin + k] = w.buffer[k];
  __syncthreads();
  return begin + total_left;
}

// The node thread 0 popped, shared with the block. Stack entries are 4 words: begin, end,
// depth, slot side (0 left, 1 right: the histogram slot of that level it reads).
struct Node {
  std::uint32_t begin, end, depth, side, node_k, feature, bin;
  double sum;
  bool split;
};

// One tree of one fit; every thread of the block calls it.
__device__ void grow_tree(const ForestArgs& a, const Work& w, std::uint32_t fit, std::uint32_t tree,
                          double* importance) {
  __shared__ double centre;
  __shared__ std::size_t total;
  __shared__ Node node;
  __shared__ int top;
  __shared__ double red_sum[kForestBlock], red_lo[kForestBlock], red_hi[kForestBlock];
  __shared__ std::uint32_t scan[kForestBlock];
  math::PhiloxStream rng(a.seed, math::RngPurpose::kForest,
                         (static_cast<std::uint64_t>(fit) << 32) | tree);
  if (threadIdx.x == 0) total = draw_tree(a, w, rng);  // touches neither buffer nor importance
  for (std::uint32_t i = threadIdx.x; i < a.rows; i += kForestBlock) w.buffer[i] = 0;
  for (std::uint32_t f = threadIdx.x; f < a.cols; f += kForestBlock) importance[f] = 0.0;
  __syncthreads();
  sort_bag(a, w, scan);
  if (threadIdx.x == 0) {
    // The centre in sorted row order, as the CPU's grow_tree sums it (one running sum: it is
    // one pass per tree, not per node).
    double c = 0;
    for (std::uint32_t i = 0; i < a.bag; ++i) c += target(a, fit, w.rows[i]);
    centre = c / static_cast<double>(a.bag);
    top = 0;
    if (can_split(a, a.bag, 0)) {
      w.stack[0] = 0, w.stack[1] = a.bag, w.stack[2] = 0, w.stack[3] = 0;
      top = 1;
    }
  }
  __syncthreads();
  if (top == 1) build_histogram(a, w, fit, centre, 0, a.bag, total, w.slot_sum, w.slot_count);
  while (top > 0) {
    __syncthreads();
    if (threadIdx.x == 0) {
      --top;
      const std::uint32_t* entry = w.stack + kStackWords * top;
      node.begin = entry[0];
      node.end = entry[1];
      node.depth = entry[2];
      node.side = entry[3];
      node.split = false;
    }
    __syncthreads();
    node_stats(a, w, fit, centre, node.begin, node.end - node.begin, red_sum, red_lo, red_hi);
    if (threadIdx.x == 0) {
      node.sum = red_sum[0];
      // A constant target cannot be split (and draws no features, as on the CPU).
      node.node_k = red_lo[0] == red_hi[0] ? 0 : node_features(a, w, rng);
    }
    __syncthreads();
    if (node.node_k == 0) continue;
    const std::uint32_t n = node.end - node.begin;
    const std::size_t parent_slot = (2 * static_cast<std::size_t>(node.depth) + node.side) * total;
    const double* hist_sum = w.slot_sum + parent_slot;
    const std::uint32_t* hist_count = w.slot_count + parent_slot;
    best_split(a, w, node.node_k, n, node.sum, hist_sum, hist_count);
    if (threadIdx.x == 0) {
      double best = 0;
      std::uint32_t best_j = kNoPosition;
      for (std::uint32_t j = 0; j < node.node_k; ++j) {
        if (w.best_gain[j] > best) best = w.best_gain[j], best_j = j;
      }
      if (best_j != kNoPosition) {
        const std::uint32_t feature = w.tree_features[w.split[best_j]];
        importance[feature] += best;
        node.split = true;
        node.feature = feature;
        node.bin = w.best_bin[best_j];
      }
    }
    __syncthreads();
    if (!node.split) continue;
    const std::uint32_t level = node.depth + 1, begin = node.begin, end = node.end;
    const std::uint32_t mid = partition(a, w, begin, end, node.feature, node.bin, scan);
    const bool need_left = can_split(a, mid - begin, static_cast<int>(level));
    const bool need_right = can_split(a, end - mid, static_cast<int>(level));
    // Children's histograms, as TreeGrower::child_histograms chooses them. Level l uses slots
    // 2 l (left) and 2 l + 1 (right); a pending right sibling's slot survives its left
    // sibling's subtree, which writes only deeper levels.
    double* const child_sum = w.slot_sum + 2 * static_cast<std::size_t>(level) * total;
    std::uint32_t* const child_count = w.slot_count + 2 * static_cast<std::size_t>(level) * total;
    if (need_left && need_right) {
      const bool left_small = mid - begin <= end - mid;
      const std::uint32_t small_side = left_small ? 0 : 1;
      const std::uint32_t small_begin = left_small ? begin : mid;
      const std::uint32_t small_n = left_small ? mid - begin : end - mid;
      const std::uint32_t large_begin = left_small ? mid : begin;
      const std::uint32_t large_n = left_small ? end - mid : mid - begin;
      build_histogram(a, w, fit, centre, small_begin, small_n, total,
                      child_sum + small_side * total, child_count + small_side * total);
      if (static_cast<std::size_t>(large_n) * a.tree_k < total) {
        build_histogram(a, w, fit, centre, large_begin, large_n, total,
                        child_sum + (1 - small_side) * total,
                        child_count + (1 - small_side) * total);
      } else {
        double* ls = child_sum + (1 - small_side) * total;
        std::uint32_t* lc = child_count + (1 - small_side) * total;
        const double* ss = child_sum + small_side * total;
        const std::uint32_t* sc = child_count + small_side * total;
        for (std::size_t b = threadIdx.x; b < total; b += kForestBlock) {
          ls[b] = hist_sum[b] - ss[b];
          lc[b] = hist_count[b] - sc[b];
        }
      }
    } else if (need_left) {
      build_histogram(a, w, fit, centre, begin, mid - begin, total, child_sum, child_count);
    } else if (need_right) {
      build_histogram(a, w, fit, centre, mid, end - mid, total, child_sum + total,
                      child_count + total);
    }
    // Depth first, left subtree first (the CPU's recursion order, which fixes the order of the
    // per-split draws and of the importance sums): push right, then left. Children that cannot
    // split are leaves and leave no trace in the importances, so they are not pushed.
    if (threadIdx.x == 0) {
      if (need_right) {
        std::uint32_t* entry = w.stack + kStackWords * top++;
        entry[0] = mid, entry[1] = end, entry[2] = level, entry[3] = 1;
      }
      if (need_left) {
        std::uint32_t* entry = w.stack + kStackWords * top++;
        entry[0] = begin, entry[1] = mid, entry[2] = level, entry[3] = 0;
      }
    }
    __syncthreads();
  }
  __syncthreads();
}

}  // namespace
}  // namespace thermex::cuda
