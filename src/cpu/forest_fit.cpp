// Forest fitting, gain importance and prediction (include/thermex/forest.hpp).
#include <cmath>
#include <string>

#include "forest_internal.hpp"
#include "thermex/error.hpp"

namespace thermex {
namespace {

void check_fraction(double value, const char* key) {
  if (!(value > 0.0 && value <= 1.0)) {
    throw ConfigError(key, "must be in (0, 1], got " + std::to_string(value));
  }
}

void check_inputs(const BinnedFeatures& features, std::span<const double> y,
                  const ForestOptions& options) {
  validate(options);
  THERMEX_EXPECTS(features.cols >= 1 && features.rows >= 1, "forest needs rows and features");
  THERMEX_EXPECTS(y.size() == features.rows, "forest target length differs from the rows");
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y[i])) {
      throw Error("forest target is not finite at row " + std::to_string(i) +
                  " (drop rows with a missing target before binning)");
    }
  }
  for (std::size_t f = 0; f < features.cols; ++f) {
    // Bins are bytes; guards BinnedFeatures built by hand with too many bins.
    THERMEX_EXPECTS(features.bin_counts[f] >= 1 && features.bin_counts[f] <= kForestMaxBins,
                    "bin count out of range for feature " + std::to_string(f));
  }
}

// Stream id of tree t of fit `fit_id` (fit 0 = the real target, s + 1 = shuffle s).
std::uint64_t tree_stream_id(std::uint64_t fit_id, std::size_t tree) {
  return (fit_id << 32) | static_cast<std::uint64_t>(tree);
}

}  // namespace

void validate(const ForestOptions& o) {
  if (o.n_trees < 1) throw ConfigError("n_trees", "must be >= 1");
  if (o.max_depth < 1) throw ConfigError("max_depth", "must be >= 1");
  if (o.min_leaf < 1) throw ConfigError("min_leaf", "must be >= 1");
  if (o.max_bins < 2 || o.max_bins > kForestMaxBins) {
    throw ConfigError("max_bins", "must be in 2.." + std::to_string(kForestMaxBins));
  }
  check_fraction(o.bagging_fraction, "bagging_fraction");
  check_fraction(o.feature_fraction_tree, "feature_fraction_tree");
  check_fraction(o.feature_fraction_split, "feature_fraction_split");
}

Forest fit_forest(const Context& ctx, const BinnedFeatures& features, std::span<const double> y,
                  const ForestOptions& options, std::uint64_t fit_id) {
  check_inputs(features, y, options);
  const auto n_trees = static_cast<std::size_t>(options.n_trees);
  Forest forest;
  forest.feature_names = features.names;
  forest.trees.resize(n_trees);
  // One importance row per tree, summed in tree order below: the sum does not depend on which
  // thread built which tree.
  std::vector<double> per_tree(n_trees * features.cols, 0.0);
#pragma omp parallel
  {
    detail::TreeScratch scratch;
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t t = 0; t < static_cast<std::int64_t>(n_trees); ++t) {
      const auto ti = static_cast<std::size_t>(t);
      std::span<double> importance(per_tree.data() + ti * features.cols, features.cols);
      forest.trees[ti] = detail::grow_tree(features, y, options, ctx.seed(),
                                           tree_stream_id(fit_id, ti), importance, scratch);
    }
  }
  forest.importance.assign(features.cols, 0.0);
  for (std::size_t t = 0; t < n_trees; ++t) {
    for (std::size_t f = 0; f < features.cols; ++f) {
      forest.importance[f] += per_tree[t * features.cols + f];
    }
  }
  return forest;
}

std::vector<double> forest_gain_importance(const BinnedFeatures& features,
                                           std::span<const double> y, const ForestOptions& options,
                                           std::uint64_t seed, std::uint64_t fit_id) {
  check_inputs(features, y, options);
  detail::TreeScratch scratch;
  std::vector<double> total(features.cols, 0.0), tree(features.cols);
  for (std::size_t t = 0; t < static_cast<std::size_t>(options.n_trees); ++t) {
    // Per-tree accumulation then a sum in tree order, exactly as fit_forest does.
    std::fill(tree.begin(), tree.end(), 0.0);
    detail::grow_tree(features, y, options, seed, tree_stream_id(fit_id, t), tree, scratch);
    for (std::size_t f = 0; f < features.cols; ++f) total[f] += tree[f];
  }
  return total;
}

std::vector<double> predict(const Forest& forest, const Table& features) {
  std::vector<std::span<const double>> cols;
  for (const auto& name : forest.feature_names)
    cols.push_back(features.column(features.index_of(name)));
  std::vector<double> out(features.rows(), 0.0);
  for (const Tree& tree : forest.trees) {
    if (tree.nodes.empty()) continue;
    for (std::size_t i = 0; i < out.size(); ++i) {
      std::size_t node = 0;
      while (tree.nodes[node].feature >= 0) {
        const TreeNode& n = tree.nodes[node];
        const double x = cols[static_cast<std::size_t>(n.feature)][i];
        node = static_cast<std::size_t>(x <= n.threshold ? n.left : n.right);
      }
      out[i] += tree.nodes[node].value;
    }
  }
  const auto n_trees = static_cast<double>(forest.trees.size());
  for (double& v : out) v /= n_trees;
  return out;
}

}  // namespace thermex
