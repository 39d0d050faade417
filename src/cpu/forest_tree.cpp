// Growing one histogram regression tree (include/thermex/forest.hpp). Depth-first; the in-bag
// rows of a node are a contiguous range of scratch.rows, partitioned in place at each split.
#include <algorithm>
#include <cmath>
#include <utility>

#include "forest_internal.hpp"
#include "thermex/math/forest_draws.hpp"
#include "thermex/math/forest_node_sum.hpp"
#include "thermex/math/philox.hpp"
#include "thermex/math/split_gain.hpp"

namespace thermex::detail {
namespace {

using math::PhiloxStream;

struct SplitChoice {
  int feature = -1;
  int bin = 0;
  double gain = 0;
};

class TreeGrower {
 public:
  TreeGrower(const BinnedFeatures& f, const ForestOptions& o, std::span<double> importance,
             TreeScratch& s, PhiloxStream& rng, double centre)
      : f_(f), o_(o), importance_(importance), s_(s), rng_(rng), centre_(centre) {}

  // Grows the whole tree from the root, whose histograms are built directly.
  void grow_root() {
    const std::size_t n = s_.rows.size();
    const NodeHistogram root = slot(0, 0);
    if (can_split(n, 0)) build_histogram(f_, rows(0, n), s_, root);
    grow(0, n, 0, root);
  }

  // Node over rows [begin, end) with its histograms `hist` (valid when can_split()).
  int grow(std::size_t begin, std::size_t end, int depth, NodeHistogram hist) {
    const int index = static_cast<int>(tree_.nodes.size());
    tree_.nodes.emplace_back();
    const std::size_t n = end - begin;
    // The node sum in the order the CUDA kernel adds it (math/forest_node_sum.hpp), so both
    // backends grow the same trees bit for bit; min and max do not depend on the order.
    double lo = s_.y[s_.rows[begin]], hi = lo;
    const double sum = math::forest_node_sum(n, [&](std::size_t k) {
      const double v = s_.y[s_.rows[begin + k]];
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      return v;
    });
    tree_.nodes[static_cast<std::size_t>(index)].value = sum / static_cast<double>(n) + centre_;
    if (!can_split(n, depth) || lo == hi) return index;
    const SplitChoice best = best_split(n, sum, hist);
    if (best.feature < 0) return index;
    importance_[static_cast<std::size_t>(best.feature)] += best.gain;
    const std::size_t mid = partition(begin, end, best);
    const auto [left_hist, right_hist] = child_histograms(begin, mid, end, depth + 1, hist);
    const int left = grow(begin, mid, depth + 1, left_hist);
    const int right = grow(mid, end, depth + 1, right_hist);
    TreeNode& node = tree_.nodes[static_cast<std::size_t>(index)];
    node.feature = best.feature;
    node.bin = best.bin;
    node.threshold =
        f_.thresholds[static_cast<std::size_t>(best.feature)][static_cast<std::size_t>(best.bin)];
    node.left = left;
    node.right = right;
    return index;
  }

  Tree take() { return std::move(tree_); }

 private:
  bool can_split(std::size_t n, int depth) const {
    return depth < o_.max_depth && n >= 2 * static_cast<std::size_t>(o_.min_leaf);
  }

  // Histogram slot `side` (0 left, 1 right) of tree level `level`. A node at level d reads its
  // slot while its children fill level d + 1, so one pair per level suffices depth-first.
  NodeHistogram slot(int level, int side) {
    const auto k = static_cast<std::size_t>(2 * level + side) * s_.layout.total;
    return {s_.pool_sum.data() + k, s_.pool_count.data() + k};
  }

  std::span<const std::uint32_t> rows(std::size_t begin, std::size_t end) const {
    return {s_.rows.data() + begin, end - begin};
  }

  // Histograms of the children that may split: the smaller child is built from its rows and
  // the larger one is the parent minus it (LightGBM's subtraction trick), unless the larger
  // child has so few rows that building it costs less than subtracting every bin.
  std::pair<NodeHistogram, NodeHistogram> child_histograms(std::size_t begin, std::size_t mid,
                                                           std::size_t end, int level,
                                                           NodeHistogram parent) {
    const NodeHistogram left = slot(level, 0), right = slot(level, 1);
    const bool need_left = can_split(mid - begin, level), need_right = can_split(end - mid, level);
    if (need_left && need_right) {
      const bool left_small = mid - begin <= end - mid;
      const NodeHistogram small = left_small ? left : right, large = left_small ? right : left;
      const auto small_rows = left_small ? rows(begin, mid) : rows(mid, end);
      const auto large_rows = left_small ? rows(mid, end) : rows(begin, mid);
      build_histogram(f_, small_rows, s_, small);
      if (large_rows.size() * s_.tree_features.size() < s_.layout.total) {
        build_histogram(f_, large_rows, s_, large);
      } else {
        subtract_histogram(s_.layout.total, parent, small, large);
      }
    } else if (need_left) {
      build_histogram(f_, rows(begin, mid), s_, left);
    } else if (need_right) {
      build_histogram(f_, rows(mid, end), s_, right);
    }
    return {left, right};
  }

  // Features tried at this node: the tree's features, or a fresh subset of them.
  const std::vector<int>& node_features() {
    if (o_.feature_fraction_split >= 1.0) return s_.tree_features;
    const std::size_t k =
        math::forest_fraction_count(o_.feature_fraction_split, s_.tree_features.size());
    s_.pool.resize(s_.tree_features.size());
    math::forest_draw_split_features(s_.pool.size(), k, s_.pool.data(), rng_);
    s_.split_features.clear();
    for (std::size_t i = 0; i < k; ++i) s_.split_features.push_back(s_.tree_features[s_.pool[i]]);
    std::sort(s_.split_features.begin(), s_.split_features.end());
    return s_.split_features;
  }

  // Best split over the node's features; ties keep the lowest feature, then the lowest bin
  // (strict comparison in a fixed scan order), so the choice is deterministic.
  SplitChoice best_split(std::size_t rows_in_node, double sum, NodeHistogram hist) {
    SplitChoice best;
    const auto n = static_cast<double>(rows_in_node);
    const auto min_leaf = static_cast<std::uint32_t>(o_.min_leaf);
    const auto total = static_cast<std::uint32_t>(rows_in_node);
    for (const int feature : node_features()) {
      const auto p = static_cast<std::size_t>(s_.tree_position[static_cast<std::size_t>(feature)]);
      const std::size_t n_bins = s_.layout.bins[p];
      const double* bin_sum = hist.sum + s_.layout.offset[p];
      const std::uint32_t* bin_count = hist.count + s_.layout.offset[p];
      std::uint32_t count_left = 0;
      double sum_left = 0;
      for (std::size_t b = 0; b + 1 < n_bins; ++b) {
        if (bin_count[b] == 0) continue;  // same partition as the previous bin
        count_left += bin_count[b];
        sum_left += bin_sum[b];
        if (total - count_left < min_leaf) break;  // also ends at the last occupied bin
        if (count_left < min_leaf) continue;
        const double gain = math::split_gain(sum_left, count_left, sum, n);
        if (gain > best.gain) best = {feature, static_cast<int>(b), gain};
      }
    }
    return best;
  }

  // Stable partition: rows with bin <= split bin first. Returns the first right row.
  std::size_t partition(std::size_t begin, std::size_t end, const SplitChoice& split) {
    const std::uint8_t* col = f_.bins.data() + static_cast<std::size_t>(split.feature) * f_.rows;
    std::size_t mid = begin;
    s_.buffer.clear();
    for (std::size_t k = begin; k < end; ++k) {
      const std::uint32_t r = s_.rows[k];
      if (col[r] <= split.bin) {
        s_.rows[mid++] = r;
      } else {
        s_.buffer.push_back(r);
      }
    }
    std::copy(s_.buffer.begin(), s_.buffer.end(), s_.rows.begin() + static_cast<long>(mid));
    return mid;
  }

  const BinnedFeatures& f_;
  const ForestOptions& o_;
  std::span<double> importance_;
  TreeScratch& s_;
  PhiloxStream& rng_;
  double centre_;
  Tree tree_;
};

// In-bag rows (sorted) drawn first from the tree's stream, then the tree's features.
void draw_bag_and_features(const BinnedFeatures& f, const ForestOptions& o, TreeScratch& s,
                           PhiloxStream& rng) {
  const std::size_t n = f.rows;
  const std::size_t m = math::forest_fraction_count(o.bagging_fraction, n);
  s.pool.resize(n);
  s.rows.resize(m);
  math::forest_draw_bag(n, m, o.bootstrap, s.pool.data(), s.rows.data(), rng);
  std::sort(s.rows.begin(), s.rows.end());
  const std::size_t k = math::forest_fraction_count(o.feature_fraction_tree, f.cols);
  s.pool.resize(f.cols);
  math::forest_draw_tree_features(f.cols, k, s.pool.data(), rng);
  s.tree_features.assign(s.pool.begin(), s.pool.begin() + static_cast<long>(k));
  std::sort(s.tree_features.begin(), s.tree_features.end());
}

// Histogram offsets of the tree's features and a histogram pair per level.
void set_layout(const BinnedFeatures& f, const ForestOptions& o, TreeScratch& s) {
  s.tree_position.assign(f.cols, -1);
  s.layout.offset.clear();
  s.layout.bins.clear();
  s.layout.total = 0;
  for (std::size_t p = 0; p < s.tree_features.size(); ++p) {
    const auto feature = static_cast<std::size_t>(s.tree_features[p]);
    s.tree_position[feature] = static_cast<int>(p);
    s.layout.offset.push_back(s.layout.total);
    s.layout.bins.push_back(static_cast<std::size_t>(f.bin_counts[feature]));
    s.layout.total += s.layout.bins.back();
  }
  const std::size_t slots = 2 * (static_cast<std::size_t>(o.max_depth) + 1);
  s.pool_sum.resize(slots * s.layout.total);
  s.pool_count.resize(slots * s.layout.total);
}

}  // namespace

Tree grow_tree(const BinnedFeatures& features, std::span<const double> y,
               const ForestOptions& options, std::uint64_t seed, std::uint64_t stream_id,
               std::span<double> importance, TreeScratch& scratch) {
  PhiloxStream rng(seed, math::RngPurpose::kForest, stream_id);
  draw_bag_and_features(features, options, scratch, rng);
  // Centre the target on the in-bag mean: gains are shift-invariant, and S^2/n terms of a
  // centred target do not cancel catastrophically (onset temperatures sit near 200 °C).
  double centre = 0;
  for (const std::uint32_t r : scratch.rows) centre += y[r];
  centre /= static_cast<double>(scratch.rows.size());
  scratch.y.resize(features.rows);
  for (std::size_t i = 0; i < features.rows; ++i) scratch.y[i] = y[i] - centre;
  set_layout(features, options, scratch);
  TreeGrower grower(features, options, importance, scratch, rng, centre);
  grower.grow_root();
  return grower.take();
}

}  // namespace thermex::detail
