// Device code of the CUDA null-importance forests, included only by kernels/null_importance.cu
// (one translation unit: the kernels call these __device__ functions without relocatable device
// code). Split out of that file to keep each part near the house size limit; the design comment
// is at the top of kernels/null_importance.cu.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "../null_importance_impl.hpp"
#include "thermex/math/forest_draws.hpp"
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

// Thread 0: bag (sorted by counting), tree features (sorted), the layout and the centre.
__device__ double draw_tree(const ForestArgs& a, const Work& w, math::PhiloxStream& rng,
                            std::uint32_t fit, std::size_t& total) {
  math::forest_draw_bag(a.rows, a.bag, a.bootstrap, w.pool, w.rows, rng);
  // Sorting by counting gives the sorted multiset the CPU's std::sort gives.
  for (std::uint32_t i = 0; i < a.rows; ++i) w.buffer[i] = 0;
  for (std::uint32_t i = 0; i < a.bag; ++i) ++w.buffer[w.rows[i]];
  for (std::uint32_t i = 0, k = 0; i < a.rows; ++i) {
    for (std::uint32_t c = 0; c < w.buffer[i]; ++c) w.rows[k++] = i;
  }
  math::forest_draw_tree_features(a.cols, a.tree_k, w.pool, rng);
  for (std::uint32_t i = 0; i < a.tree_k; ++i) {  // insertion sort of a few features
    const std::uint32_t v = w.pool[i];
    std::uint32_t j = i;
    for (; j > 0 && w.tree_features[j - 1] > v; --j) w.tree_features[j] = w.tree_features[j - 1];
    w.tree_features[j] = v;
  }
  for (std::uint32_t f = 0; f < a.cols; ++f) w.position[f] = kNoPosition;
  total = 0;
  for (std::uint32_t p = 0; p < a.tree_k; ++p) {
    w.position[w.tree_features[p]] = p;
    w.offset[p] = static_cast<std::uint32_t>(total);
    w.bins_of[p] = a.n_bins[w.tree_features[p]];
    total += w.bins_of[p];
  }
  double centre = 0;  // in sorted row order, as grow_tree sums it
  for (std::uint32_t i = 0; i < a.bag; ++i) centre += target(a, fit, w.rows[i]);
  return centre / static_cast<double>(a.bag);
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

// Thread 0: stable partition of rows[begin, end) by bin <= split bin; returns the first right.
__device__ std::uint32_t partition(const ForestArgs& a, const Work& w, std::uint32_t begin,
                                   std::uint32_t end, std::uint32_t feature, std::uint32_t bin) {
  const std::uint8_t* col = a.bins + static_cast<std::size_t>(feature) * a.rows;
  std::uint32_t mid = begin, right = 0;
  for (std::uint32_t k = begin; k < end; ++k) {
    const std::uint32_t r = w.rows[k];
    if (col[r] <= bin) {
      w.rows[mid++] = r;
    } else {
      w.buffer[right++] = r;
    }
  }
  for (std::uint32_t k = 0; k < right; ++k) w.rows[mid + k] = w.buffer[k];
  return mid;
}

// The node thread 0 popped, shared with the block. Stack entries are 4 words: begin, end,
// depth, slot side (0 left, 1 right: the histogram slot of that level it reads).
struct Node {
  std::uint32_t begin, end, depth, side, node_k, mid;
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
  math::PhiloxStream rng(a.seed, math::RngPurpose::kForest,
                         (static_cast<std::uint64_t>(fit) << 32) | tree);
  if (threadIdx.x == 0) {
    std::size_t t = 0;
    centre = draw_tree(a, w, rng, fit, t);
    total = t;
    top = 0;
    if (can_split(a, a.bag, 0)) {
      w.stack[0] = 0, w.stack[1] = a.bag, w.stack[2] = 0, w.stack[3] = 0;
      top = 1;
    }
  }
  for (std::uint32_t f = threadIdx.x; f < a.cols; f += kForestBlock) importance[f] = 0.0;
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
      double s = 0, lo = target(a, fit, w.rows[node.begin]) - centre, hi = lo;
      for (std::uint32_t k = node.begin; k < node.end; ++k) {
        const double v = target(a, fit, w.rows[k]) - centre;
        s += v;
        lo = min(lo, v);
        hi = max(hi, v);
      }
      node.sum = s;
      // A constant target cannot be split (and draws no features, as on the CPU).
      node.node_k = lo == hi ? 0 : node_features(a, w, rng);
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
        node.mid = partition(a, w, node.begin, node.end, feature, w.best_bin[best_j]);
      }
    }
    __syncthreads();
    if (!node.split) continue;
    const std::uint32_t level = node.depth + 1, begin = node.begin, mid = node.mid, end = node.end;
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
