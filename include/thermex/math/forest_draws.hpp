#pragma once
/// \file
/// The random draws of one random-forest tree (include/thermex/forest.hpp), shared by the CPU
/// forest (src/cpu/forest_tree.cpp) and the CUDA null-importance kernel
/// (kernels/null_importance.cu). Both call these functions in the same order on the same
/// PhiloxStream(seed, kForest, (fit << 32) | tree), so they draw the same bag, the same tree
/// features and the same per-split features, bit for bit.

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "thermex/math/hd.hpp"
#include "thermex/math/philox.hpp"

namespace thermex::math {

/// round(fraction x n) (halves away from zero, as std::llround) clamped to [1, n]: the number
/// of rows or features a fraction keeps. Preconditions: n >= 1, fraction in (0, 1]. O(1).
THERMEX_HD inline std::size_t forest_fraction_count(double fraction, std::size_t n) {
#if defined(__CUDA_ARCH__)
  const long long rounded = ::llround(fraction * static_cast<double>(n));
#else
  const long long rounded = std::llround(fraction * static_cast<double>(n));
#endif
  const auto k = static_cast<std::size_t>(rounded < 1 ? 1 : rounded);
  return k > n ? n : k;
}

/// pool[i] = i for i < n. O(n).
THERMEX_HD inline void forest_iota(std::uint32_t* pool, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) pool[i] = static_cast<std::uint32_t>(i);
}

/// Partial Fisher-Yates: afterwards pool[0..k) is a uniform k-subset of pool[0..n) (in draw
/// order, not sorted). Draws exactly k numbers from `rng` (plus Lemire rejections).
/// Preconditions: k <= n. O(k).
THERMEX_HD inline void forest_draw_subset(std::uint32_t* pool, std::size_t n, std::size_t k,
                                          PhiloxStream& rng) {
  for (std::size_t i = 0; i < k; ++i) {
    const auto j = i + static_cast<std::size_t>(rng.below(n - i));
    const std::uint32_t t = pool[i];
    pool[i] = pool[j];
    pool[j] = t;
  }
}

/// The in-bag rows of a tree over `rows` rows, the first draws of its stream: `m` rows with
/// replacement (`bootstrap`) or, without, pool[0..m) after forest_draw_subset on 0..rows-1
/// (no draws at all when m == rows). Writes the m rows, unsorted, to `out` (callers sort them:
/// the order of the sorted multiset does not depend on the sorting algorithm). `pool` holds
/// `rows` entries of scratch. Preconditions: 1 <= m <= rows. O(rows).
THERMEX_HD inline void forest_draw_bag(std::size_t rows, std::size_t m, bool bootstrap,
                                       std::uint32_t* pool, std::uint32_t* out, PhiloxStream& rng) {
  if (bootstrap) {
    for (std::size_t i = 0; i < m; ++i) out[i] = static_cast<std::uint32_t>(rng.below(rows));
    return;
  }
  forest_iota(pool, rows);
  if (m < rows) forest_draw_subset(pool, rows, m, rng);
  for (std::size_t i = 0; i < m; ++i) out[i] = pool[i];
}

/// The tree's features, drawn right after the bag: pool[0..k) after forest_draw_subset on
/// 0..cols-1 (no draws when k == cols), unsorted. `pool` holds `cols` entries. Preconditions:
/// 1 <= k <= cols. O(cols).
THERMEX_HD inline void forest_draw_tree_features(std::size_t cols, std::size_t k,
                                                 std::uint32_t* pool, PhiloxStream& rng) {
  forest_iota(pool, cols);
  if (k < cols) forest_draw_subset(pool, cols, k, rng);
}

/// Positions (into the tree's sorted feature list of `tree_k` entries) of the features tried at
/// one split: pool[0..k) after forest_draw_subset on 0..tree_k-1, unsorted. Called only when
/// feature_fraction_split < 1, at each node whose split is searched, in depth-first order
/// (left subtree first). `pool` holds `tree_k` entries. Preconditions: 1 <= k <= tree_k. O(tree_k).
THERMEX_HD inline void forest_draw_split_features(std::size_t tree_k, std::size_t k,
                                                  std::uint32_t* pool, PhiloxStream& rng) {
  forest_iota(pool, tree_k);
  forest_draw_subset(pool, tree_k, k, rng);
}

}  // namespace thermex::math
