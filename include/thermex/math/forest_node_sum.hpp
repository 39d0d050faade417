#pragma once
/// \file
/// The summation order of a random-forest node's target sum, shared by the CPU forest
/// (src/cpu/forest_tree.cpp) and the CUDA null-importance kernel (src/cuda/
/// null_forest_device.cuh). Floating-point addition is not associative, so both backends must
/// add in one fixed order to agree bit for bit; this order suits a 128-thread block: part p
/// sums the node's values k = p, p + 128, p + 256, ... from 0.0 in increasing k (thread p of
/// the block does exactly that), and the 128 parts are then combined by a fixed pairwise tree
/// (the block's shared-memory reduction). It is also more accurate than one running sum.

#include <cstddef>

#include "thermex/math/hd.hpp"

namespace thermex::math {

/// Number of partial sums of a node sum; the CUDA forest kernel's block size. A power of two.
inline constexpr std::size_t kForestSumParts = 128;

/// Combines parts[0..kForestSumParts) by the fixed pairwise tree: for stride = 64, 32, ..., 1,
/// parts[i] += parts[i + stride] for every i < stride; returns parts[0]. Overwrites `parts`.
/// Preconditions: `parts` holds kForestSumParts finite values. O(kForestSumParts).
THERMEX_HD inline double forest_sum_tree(double* parts) {
  for (std::size_t stride = kForestSumParts / 2; stride > 0; stride /= 2) {
    for (std::size_t i = 0; i < stride; ++i) parts[i] += parts[i + stride];
  }
  return parts[0];
}

/// Sum of value_at(k) over k in [0, n) in the forest's node-sum order (see the file comment):
/// parts[k % kForestSumParts] += value_at(k) in increasing k, each part from 0.0, then
/// forest_sum_tree. value_at is called exactly once per k, in increasing k, so a caller may
/// also track the minimum and maximum in it. Preconditions: value_at returns finite doubles.
/// O(n + kForestSumParts).
template <class ValueAt>
THERMEX_HD inline double forest_node_sum(std::size_t n, ValueAt&& value_at) {
  double parts[kForestSumParts] = {};
  for (std::size_t k = 0; k < n; ++k) parts[k % kForestSumParts] += value_at(k);
  return forest_sum_tree(parts);
}

}  // namespace thermex::math
