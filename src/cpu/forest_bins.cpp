// Quantile binning of the forest's features (include/thermex/forest.hpp).
#include <algorithm>
#include <cmath>

#include "thermex/error.hpp"
#include "thermex/forest.hpp"

namespace thermex {
namespace {

// An edge between two neighbouring distinct values a < b: x <= edge exactly when x <= a.
double edge_between(double a, double b) {
  const double mid = a + 0.5 * (b - a);
  return mid < b ? mid : a;  // adjacent doubles: the midpoint may round up to b
}

std::vector<double> bin_edges(std::vector<double> sorted, int max_bins) {
  std::sort(sorted.begin(), sorted.end());
  std::vector<double> distinct = sorted;
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  std::vector<double> edges;
  if (distinct.size() <= static_cast<std::size_t>(max_bins)) {
    for (std::size_t k = 1; k < distinct.size(); ++k) {
      edges.push_back(edge_between(distinct[k - 1], distinct[k]));
    }
    return edges;
  }
  // Cut after the value at each quantile position k/max_bins, at the gap to the next distinct
  // value; repeated cuts (long runs of ties) collapse, so there may be fewer bins.
  const std::size_t n = sorted.size();
  const auto bins = static_cast<std::size_t>(max_bins);
  for (std::size_t k = 1; k < bins; ++k) {
    const double below = sorted[k * n / bins - 1];
    const auto next = std::upper_bound(distinct.begin(), distinct.end(), below);
    if (next == distinct.end()) break;
    const double edge = edge_between(below, *next);
    if (edges.empty() || edge > edges.back()) edges.push_back(edge);
  }
  return edges;
}

}  // namespace

BinnedFeatures bin_features(const Table& features, int max_bins) {
  if (max_bins < 2 || max_bins > kForestMaxBins) {
    throw ConfigError("max_bins", "must be in 2.." + std::to_string(kForestMaxBins) + ", got " +
                                      std::to_string(max_bins));
  }
  BinnedFeatures b;
  b.rows = features.rows();
  b.cols = features.cols();
  b.bins.resize(b.rows * b.cols);
  for (std::size_t f = 0; f < b.cols; ++f) {
    const auto col = features.column(f);
    for (std::size_t i = 0; i < b.rows; ++i) {
      if (!std::isfinite(col[i])) {
        throw InputError("features", static_cast<std::int64_t>(i + 1), features.meta(f).name,
                         "forest features must be finite (impute missing values first)");
      }
    }
    b.names.push_back(features.meta(f).name);
    b.thresholds.push_back(bin_edges(std::vector<double>(col.begin(), col.end()), max_bins));
    const auto& edges = b.thresholds.back();
    b.bin_counts.push_back(static_cast<int>(edges.size()) + 1);
    for (std::size_t i = 0; i < b.rows; ++i) {
      const auto bin = std::lower_bound(edges.begin(), edges.end(), col[i]) - edges.begin();
      b.bins[f * b.rows + i] = static_cast<std::uint8_t>(bin);
    }
  }
  return b;
}

}  // namespace thermex
