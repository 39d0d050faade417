// Node histograms of the CPU forest (src/cpu/forest_internal.hpp).
#include <algorithm>

#include "forest_internal.hpp"

namespace thermex::detail {
namespace {

// Histogram copies, used when a node has at least kLaneRowsPerBin rows per bin of a feature:
// row k accumulates into copy k % kLanes and the copies are summed in lane order. Consecutive
// rows in one bin (one-hot columns) would otherwise serialise on one memory location's
// load-add-store chain; below that density zeroing and merging the copies costs more than it
// saves. The choice depends only on the node, so results are deterministic.
constexpr std::size_t kLanes = 4;  // the merge below is written for 4
constexpr std::size_t kLaneRowsPerBin = 2;

void feature_histogram(const std::uint8_t* col, std::span<const std::uint32_t> rows,
                       const double* ys, std::size_t n_bins, TreeScratch& s, double* sum,
                       std::uint32_t* count) {
  const std::size_t n = rows.size();
  if (n >= kLaneRowsPerBin * n_bins) {
    double* lane_sum = s.lane_sum.data();
    std::uint32_t* lane_count = s.lane_count.data();
    std::fill_n(lane_sum, kLanes * n_bins, 0.0);
    std::fill_n(lane_count, kLanes * n_bins, 0u);
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t slot = (k % kLanes) * n_bins + col[rows[k]];
      lane_sum[slot] += ys[k];
      ++lane_count[slot];
    }
    for (std::size_t b = 0; b < n_bins; ++b) {
      sum[b] = ((lane_sum[b] + lane_sum[n_bins + b]) + lane_sum[2 * n_bins + b]) +
               lane_sum[3 * n_bins + b];
      count[b] = lane_count[b] + lane_count[n_bins + b] + lane_count[2 * n_bins + b] +
                 lane_count[3 * n_bins + b];
    }
    return;
  }
  std::fill_n(sum, n_bins, 0.0);
  std::fill_n(count, n_bins, 0u);
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t b = col[rows[k]];
    sum[b] += ys[k];
    ++count[b];
  }
}

}  // namespace

void build_histogram(const BinnedFeatures& features, std::span<const std::uint32_t> rows,
                     TreeScratch& s, NodeHistogram out) {
  s.node_y.resize(rows.size());
  for (std::size_t k = 0; k < rows.size(); ++k) s.node_y[k] = s.y[rows[k]];
  s.lane_sum.resize(kLanes * kForestMaxBins);
  s.lane_count.resize(kLanes * kForestMaxBins);
  for (std::size_t p = 0; p < s.tree_features.size(); ++p) {
    const auto f = static_cast<std::size_t>(s.tree_features[p]);
    const std::size_t offset = s.layout.offset[p];
    feature_histogram(features.bins.data() + f * features.rows, rows, s.node_y.data(),
                      s.layout.bins[p], s, out.sum + offset, out.count + offset);
  }
}

void subtract_histogram(std::size_t total, NodeHistogram parent, NodeHistogram child,
                        NodeHistogram out) {
  for (std::size_t b = 0; b < total; ++b) {
    out.sum[b] = parent.sum[b] - child.sum[b];
    out.count[b] = parent.count[b] - child.count[b];
  }
}

}  // namespace thermex::detail
