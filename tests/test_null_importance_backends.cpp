// Null importance on {cpu, cuda} (STYLE.md section 6): the CPU is the reference (each fit equals
// forest_gain_importance on the permuted target, exactly), the CUDA forests are checked against
// it on the same shuffles, and neither depends on threads or on the launch shape. Also checks
// that the shared draw functions (math/forest_draws.hpp) reproduce the CPU forest's former
// private draws bit for bit.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "../src/null_importance_impl.hpp"
#include "backend_test_support.hpp"
#include "thermex/error.hpp"
#include "thermex/math/forest_draws.hpp"
#include "thermex/math/philox.hpp"
#include "thermex/null_importance.hpp"

namespace thermex {
namespace {

using testing_support::backend_name;
using testing_support::BackendTest;
using testing_support::both_backends;

// x0, x1 drive y; x2, x3 are noise; x4 is 0/1 (few bins: the lane-free histogram path and
// many tied gains); x5 is constant (one bin). Extra noise columns make the table wide.
struct Problem {
  BinnedFeatures bins;
  std::vector<double> y;
};

Problem make_problem(std::size_t rows, std::size_t extra, int max_bins, std::uint64_t seed) {
  Table x;
  for (std::size_t j = 0; j < 6 + extra; ++j) {
    math::PhiloxStream rng(seed, math::RngPurpose::kTest, j);
    std::vector<double> v(rows);
    for (double& e : v)
      e = j == 4 ? static_cast<double>(rng.below(2)) : j == 5 ? 1.0 : rng.uniform();
    ColumnMeta meta;
    meta.name = "x" + std::to_string(j);
    x.add_column(meta, std::move(v));
  }
  Problem p;
  math::PhiloxStream noise(seed, math::RngPurpose::kTest, 1000);
  for (std::size_t i = 0; i < rows; ++i) {
    // Offset 200 as onset temperatures: the centring must keep the gains exact.
    p.y.push_back(200 + 4 * x.at(i, 0) + 3 * std::sin(6 * x.at(i, 1)) + x.at(i, 4) +
                  0.5 * noise.uniform());
  }
  p.bins = bin_features(x, max_bins);
  return p;
}

// A named forest configuration; together they reach every branch of the tree grower.
struct Config {
  const char* name;
  ForestOptions forest;
  std::size_t rows, extra;
};

std::vector<Config> configs() {
  std::vector<Config> c;
  ForestOptions base;
  base.n_trees = 12;
  base.max_depth = 6;
  c.push_back({"default-fractions", base, 300, 0});
  ForestOptions boot = base;
  boot.bootstrap = true;
  boot.bagging_fraction = 0.9;
  c.push_back({"bootstrap", boot, 257, 2});
  ForestOptions by_node = base;
  by_node.feature_fraction_split = 0.5;
  c.push_back({"feature-fraction-split", by_node, 200, 4});
  ForestOptions deep = base;
  deep.max_depth = 12;
  deep.min_leaf = 1;
  deep.max_bins = 8;
  deep.bagging_fraction = 1.0;
  deep.feature_fraction_tree = 1.0;
  c.push_back({"deep-small-bins", deep, 150, 0});
  ForestOptions stump = base;
  stump.min_leaf = 70;
  c.push_back({"large-min-leaf", stump, 400, 0});
  // 40 features x 255 bins: the 4 lane histograms (~480 KiB) exceed shared memory, so the CUDA
  // kernel takes its global-memory fallback.
  ForestOptions wide = base;
  wide.max_bins = 255;
  wide.n_trees = 4;
  c.push_back({"wide-many-bins", wide, 600, 34});
  return c;
}

// Reference: fit s + 1 is forest_gain_importance on y permuted by shuffle s.
std::vector<double> reference_fit(const Problem& p, const ForestOptions& o, std::uint64_t seed,
                                  std::uint64_t fit) {
  std::vector<double> target = p.y;
  if (fit > 0) {
    const auto perm = shuffle_permutation(p.y.size(), seed, fit - 1);
    for (std::size_t i = 0; i < target.size(); ++i) target[i] = p.y[perm[i]];
  }
  return forest_gain_importance(p.bins, target, o, seed, fit);
}

// |a - b| <= rtol |b| (+ a tiny absolute floor for zero importances); NaN fails.
void expect_close(double a, double b, double rtol, const std::string& where) {
  EXPECT_TRUE(std::isfinite(a)) << where << ": " << a;
  EXPECT_LE(std::abs(a - b), rtol * std::abs(b) + 1e-300) << where << ": " << a << " vs " << b;
}

// The CPU forest's private draws before they moved to math/forest_draws.hpp (src/cpu/
// forest_tree.cpp at commit b8ecfa4), kept verbatim as the reference for the shared functions.
namespace before {
void draw_subset(std::vector<std::uint32_t>& pool, std::size_t k, math::PhiloxStream& rng) {
  for (std::size_t i = 0; i < k; ++i) {
    const auto j = i + static_cast<std::size_t>(rng.below(pool.size() - i));
    std::swap(pool[i], pool[j]);
  }
}
std::size_t fraction_count(double fraction, std::size_t n) {
  const auto k = static_cast<std::size_t>(std::llround(fraction * static_cast<double>(n)));
  return std::clamp<std::size_t>(k, 1, n);
}
// Bag (sorted), tree features (sorted), then `nodes` per-split subsets, all from one stream.
std::vector<std::uint32_t> draws(std::size_t n, std::size_t cols, const ForestOptions& o,
                                 std::size_t nodes, math::PhiloxStream& rng) {
  std::vector<std::uint32_t> out, pool, rows;
  const std::size_t m = fraction_count(o.bagging_fraction, n);
  if (o.bootstrap) {
    for (std::size_t i = 0; i < m; ++i) rows.push_back(static_cast<std::uint32_t>(rng.below(n)));
  } else {
    pool.resize(n);
    for (std::size_t i = 0; i < n; ++i) pool[i] = static_cast<std::uint32_t>(i);
    if (m < n) draw_subset(pool, m, rng);
    rows.assign(pool.begin(), pool.begin() + static_cast<long>(m));
  }
  std::sort(rows.begin(), rows.end());
  out = rows;
  const std::size_t k = fraction_count(o.feature_fraction_tree, cols);
  pool.resize(cols);
  for (std::size_t i = 0; i < cols; ++i) pool[i] = static_cast<std::uint32_t>(i);
  if (k < cols) draw_subset(pool, k, rng);
  std::vector<std::uint32_t> tree(pool.begin(), pool.begin() + static_cast<long>(k));
  std::sort(tree.begin(), tree.end());
  out.insert(out.end(), tree.begin(), tree.end());
  for (std::size_t node = 0; node < nodes; ++node) {
    const std::size_t ks = fraction_count(o.feature_fraction_split, tree.size());
    pool.resize(tree.size());
    for (std::size_t i = 0; i < pool.size(); ++i) pool[i] = static_cast<std::uint32_t>(i);
    draw_subset(pool, ks, rng);
    std::vector<std::uint32_t> split;
    for (std::size_t i = 0; i < ks; ++i) split.push_back(tree[pool[i]]);
    std::sort(split.begin(), split.end());
    out.insert(out.end(), split.begin(), split.end());
  }
  return out;
}
}  // namespace before

// The same sequence through math/forest_draws.hpp, as forest_tree.cpp and the kernel call it.
std::vector<std::uint32_t> shared_draws(std::size_t n, std::size_t cols, const ForestOptions& o,
                                        std::size_t nodes, math::PhiloxStream& rng) {
  const std::size_t m = math::forest_fraction_count(o.bagging_fraction, n);
  std::vector<std::uint32_t> pool(std::max(n, cols)), rows(m);
  math::forest_draw_bag(n, m, o.bootstrap, pool.data(), rows.data(), rng);
  std::sort(rows.begin(), rows.end());
  std::vector<std::uint32_t> out = rows;
  const std::size_t k = math::forest_fraction_count(o.feature_fraction_tree, cols);
  math::forest_draw_tree_features(cols, k, pool.data(), rng);
  std::vector<std::uint32_t> tree(pool.begin(), pool.begin() + static_cast<long>(k));
  std::sort(tree.begin(), tree.end());
  out.insert(out.end(), tree.begin(), tree.end());
  for (std::size_t node = 0; node < nodes; ++node) {
    const std::size_t ks = math::forest_fraction_count(o.feature_fraction_split, tree.size());
    math::forest_draw_split_features(tree.size(), ks, pool.data(), rng);
    std::vector<std::uint32_t> split;
    for (std::size_t i = 0; i < ks; ++i) split.push_back(tree[pool[i]]);
    std::sort(split.begin(), split.end());
    out.insert(out.end(), split.begin(), split.end());
  }
  return out;
}

// Exact (STYLE.md section 6: RNG draws): same subsets and the stream left at the same place.
TEST(ForestDraws, SharedFunctionsReproduceTheFormerCpuDraws) {
  const double fractions[] = {0.05, 0.5, 0.8, 0.8333333333333334, 1.0};
  int cases = 0;
  for (std::size_t n : {1u, 2u, 7u, 100u, 601u}) {
    for (std::size_t cols : {1u, 3u, 30u}) {
      for (const double frac : fractions) {
        for (const bool bootstrap : {false, true}) {
          ForestOptions o;
          o.bagging_fraction = frac;
          o.feature_fraction_tree = fractions[(cases + 2) % 5];
          o.feature_fraction_split = fractions[(cases + 1) % 5];
          o.bootstrap = bootstrap;
          const std::uint64_t id = static_cast<std::uint64_t>(cases);
          math::PhiloxStream a(9, math::RngPurpose::kForest, id),
              b(9, math::RngPurpose::kForest, id);
          const auto old_draws = before::draws(n, cols, o, 5, a);
          const auto new_draws = shared_draws(n, cols, o, 5, b);
          ASSERT_EQ(old_draws, new_draws) << "case " << cases << " n " << n << " cols " << cols;
          EXPECT_EQ(a.next_u32(), b.next_u32()) << "stream position, case " << cases;
          ++cases;
        }
      }
    }
  }
  EXPECT_EQ(before::fraction_count(0.5, 5), math::forest_fraction_count(0.5, 5));  // half: 3
  EXPECT_EQ(math::forest_fraction_count(0.5, 5), 3u);
  EXPECT_EQ(math::forest_fraction_count(0.01, 10), 1u);
}

class NullImportanceBackends : public BackendTest {};

// CPU: exact equality with the per-fit reference (the CPU path is unchanged by the CUDA twin).
// CUDA: the kernel replays the CPU's draws, summation orders and split rule, so it should be
// exact too; the check is rtol 1e-10 (STYLE.md section 6, RF importances on the same shuffles),
// and the keep decisions must be identical.
TEST_P(NullImportanceBackends, MatchesPerFitCpuForests) {
  const std::uint64_t seed = 77;
  const std::size_t shuffles = 5;
  for (const Config& c : configs()) {
    SCOPED_TRACE(c.name);
    const Problem p = make_problem(c.rows, c.extra, c.forest.max_bins, seed);
    NullImportanceOptions o;
    o.shuffles = static_cast<int>(shuffles);
    o.forest = c.forest;
    const Context ctx =
        Context::create({.device = cuda() ? DeviceRequest::kCuda : DeviceRequest::kCpu,
                         .seed = seed,
                         .quiet = true});
    const NullImportanceResult r = null_importance(ctx, p.bins, p.y, o);
    const std::size_t d = p.bins.cols;
    ASSERT_EQ(r.actual.size(), d);
    ASSERT_EQ(r.null.size(), shuffles * d);
    const double rtol = cuda() ? 1e-10 : 0.0;
    bool any_split = false;
    for (std::size_t fit = 0; fit <= shuffles; ++fit) {
      const auto ref = reference_fit(p, c.forest, seed, fit);
      for (std::size_t f = 0; f < d; ++f) {
        const double got = fit == 0 ? r.actual[f] : r.null_at(fit - 1, f);
        expect_close(got, ref[f], rtol,
                     "fit " + std::to_string(fit) + " feature " + std::to_string(f));
        any_split = any_split || ref[f] > 0;
      }
    }
    EXPECT_TRUE(any_split) << "the configuration never splits";
    EXPECT_EQ(r.actual[5], 0.0) << "the constant feature was split";
    if (cuda()) {
      const Context cpu =
          Context::create({.device = DeviceRequest::kCpu, .seed = seed, .quiet = true});
      const NullImportanceResult ref = null_importance(cpu, p.bins, p.y, o);
      for (std::size_t f = 0; f < d; ++f) EXPECT_EQ(r.keep[f], ref.keep[f]) << "feature " << f;
    }
  }
}

// The same bytes for any thread count (cpu) or any grid size and histogram placement (cuda).
TEST_P(NullImportanceBackends, IndependentOfThreadsAndLaunchShape) {
  const std::uint64_t seed = 5;
  const Problem p = make_problem(240, 3, 64, seed);
  NullImportanceOptions o;
  o.shuffles = 6;
  o.forest.n_trees = 9;
  o.forest.feature_fraction_split = 0.7;
  if (!cuda()) {
    const auto run = [&](int threads) {
      const Context ctx = Context::create(
          {.device = DeviceRequest::kCpu, .threads = threads, .seed = seed, .quiet = true});
      return null_importance(ctx, p.bins, p.y, o);
    };
    const auto one = run(1), three = run(3);
    ASSERT_EQ(one.null.size(), three.null.size());
    EXPECT_EQ(0, std::memcmp(one.null.data(), three.null.data(), one.null.size() * sizeof(double)));
    EXPECT_EQ(
        0, std::memcmp(one.actual.data(), three.actual.data(), one.actual.size() * sizeof(double)));
    return;
  }
  const std::size_t fits = 7, n = p.y.size(), d = p.bins.cols;
  std::vector<std::uint32_t> perms((fits - 1) * n);
  for (std::size_t s = 0; s + 1 < fits; ++s) {
    const auto perm = shuffle_permutation(n, seed, s);
    for (std::size_t i = 0; i < n; ++i) perms[s * n + i] = static_cast<std::uint32_t>(perm[i]);
  }
  const auto run = [&](std::size_t blocks, bool global) {
    cuda::NullForestCudaOptions co;
    co.max_blocks = blocks;
    co.force_global_histograms = global;
    std::vector<double> out(fits * d, std::numeric_limits<double>::quiet_NaN());
    cuda::null_forest_importances(ctx(), p.bins, p.y, perms, fits, o.forest, seed, out, co);
    return out;
  };
  const auto base = run(0, false);
  for (std::size_t e = 0; e < base.size(); ++e)
    EXPECT_TRUE(std::isfinite(base[e])) << "entry " << e;
  for (const auto& [blocks, global] :
       {std::pair<std::size_t, bool>{1, false}, {7, false}, {0, true}, {3, true}}) {
    const auto other = run(blocks, global);
    EXPECT_EQ(0, std::memcmp(base.data(), other.data(), base.size() * sizeof(double)))
        << "blocks " << blocks << " global " << global;
  }
}

// The CUDA entry point refuses inconsistent inputs before it touches the device, so this runs
// without a GPU (and, in a build without CUDA, the stub's Error is the expected outcome too).
TEST(NullImportanceCudaEntry, RejectsBadShapesBeforeTouchingTheDevice) {
  const Problem p = make_problem(50, 0, 16, 1);
  const Context ctx = Context::create({.device = DeviceRequest::kCpu, .quiet = true});
  std::vector<double> out(2 * p.bins.cols);
  std::vector<std::uint32_t> short_perm(p.y.size() - 1, 0);
  EXPECT_THROW(
      cuda::null_forest_importances(ctx, p.bins, p.y, short_perm, 2, ForestOptions{}, 1, out),
      Error);
  std::vector<std::uint32_t> bad_perm(p.y.size(), static_cast<std::uint32_t>(p.y.size()));
  EXPECT_THROW(
      cuda::null_forest_importances(ctx, p.bins, p.y, bad_perm, 2, ForestOptions{}, 1, out), Error);
  std::vector<double> short_out(p.bins.cols);
  std::vector<std::uint32_t> perm(p.y.size(), 0);
  EXPECT_THROW(
      cuda::null_forest_importances(ctx, p.bins, p.y, perm, 2, ForestOptions{}, 1, short_out),
      Error);
  ForestOptions bad;
  bad.n_trees = 0;
  EXPECT_THROW(cuda::null_forest_importances(ctx, p.bins, p.y, perm, 2, bad, 1, out), Error);
}

INSTANTIATE_TEST_SUITE_P(Backends, NullImportanceBackends, both_backends(), backend_name);

#if !defined(THERMEX_HAVE_CUDA)
// Without the toolkit the CUDA backend exists and throws a clear Error.
TEST(NullImportanceBackendsStub, ThrowsWithoutCuda) {
  const Problem p = make_problem(20, 0, 8, 1);
  std::vector<double> out(p.bins.cols);
  const Context ctx = Context::create({.device = DeviceRequest::kCpu, .quiet = true});
  EXPECT_THROW(cuda::null_forest_importances(ctx, p.bins, p.y, {}, 1, ForestOptions{}, 1, out),
               Error);
}
#endif

}  // namespace
}  // namespace thermex
