#pragma once
// Private pieces of the CPU forest shared by forest_tree.cpp, forest_histogram.cpp and
// forest_fit.cpp.
#include <cstdint>
#include <span>
#include <vector>

#include "thermex/forest.hpp"

namespace thermex::detail {

/// Where each feature of the current tree keeps its bins inside one node's histogram block.
struct HistogramLayout {
  std::vector<std::size_t> offset;  ///< per tree feature (in tree_features order)
  std::vector<std::size_t> bins;    ///< per tree feature
  std::size_t total = 0;            ///< bins of all tree features
};

/// A node's histograms: per bin of every tree feature, the row count and the sum of centred
/// targets (views into TreeScratch::pool_sum / pool_count).
struct NodeHistogram {
  double* sum = nullptr;
  std::uint32_t* count = nullptr;
};

/// Buffers one thread reuses for tree after tree (no allocation inside the split search).
struct TreeScratch {
  std::vector<std::uint32_t> rows;    ///< in-bag rows, partitioned in place per node
  std::vector<std::uint32_t> buffer;  ///< partition buffer
  std::vector<std::uint32_t> pool;    ///< 0..n-1 for partial Fisher-Yates draws
  std::vector<double> y;              ///< target minus the in-bag mean (exact gains)
  std::vector<int> tree_features;     ///< features of the tree, increasing
  std::vector<int> tree_position;     ///< feature -> index in tree_features, or -1
  std::vector<int> split_features;    ///< features tried at the current node, increasing
  HistogramLayout layout;             ///< of the current tree
  std::vector<double> pool_sum;       ///< (max_depth + 1) x 2 node histograms
  std::vector<std::uint32_t> pool_count;
  std::vector<double> node_y;    ///< centred targets of one node, in row order
  std::vector<double> lane_sum;  ///< interleaved histogram copies (large nodes)
  std::vector<std::uint32_t> lane_count;
};

/// Fills `out` with the histograms of every tree feature over `rows` (a node's rows). Cost
/// O(rows x tree features + bins).
void build_histogram(const BinnedFeatures& features, std::span<const std::uint32_t> rows,
                     TreeScratch& scratch, NodeHistogram out);

/// out = parent - child, bin by bin (the sibling's histograms; counts exact). O(bins).
void subtract_histogram(std::size_t total, NodeHistogram parent, NodeHistogram child,
                        NodeHistogram out);

/// Grows one tree on `features`/`y` with the stream PhiloxStream(seed, kForest, stream_id),
/// adding each split's gain to importance[feature]. Options must be valid and y finite.
Tree grow_tree(const BinnedFeatures& features, std::span<const double> y,
               const ForestOptions& options, std::uint64_t seed, std::uint64_t stream_id,
               std::span<double> importance, TreeScratch& scratch);

}  // namespace thermex::detail
