// Null importance: the quantile and p-value definitions, the permutation stream, the decision on
// data with known informative and noise features, and determinism across thread counts.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "thermex/context.hpp"
#include "thermex/error.hpp"
#include "thermex/math/philox.hpp"
#include "thermex/null_importance.hpp"

namespace thermex {
namespace {

ColumnMeta named(std::string name) {
  ColumnMeta m;
  m.name = std::move(name);
  return m;
}

// x0, x1 drive y (plus noise); x2..x5 are pure noise.
struct Problem {
  Table x;
  std::vector<double> y;
};

Problem make_problem(std::size_t rows, std::uint64_t seed) {
  Problem p;
  for (std::size_t j = 0; j < 6; ++j) {
    math::PhiloxStream rng(seed, math::RngPurpose::kTest, j);
    std::vector<double> v(rows);
    for (double& x : v) x = rng.uniform();
    p.x.add_column(named("x" + std::to_string(j)), std::move(v));
  }
  math::PhiloxStream noise(seed, math::RngPurpose::kTest, 100);
  for (std::size_t i = 0; i < rows; ++i) {
    p.y.push_back(4 * p.x.at(i, 0) + 3 * std::sin(6 * p.x.at(i, 1)) + 0.5 * noise.uniform());
  }
  return p;
}

Context cpu_context(std::uint64_t seed, int threads = 0) {
  return Context::create(
      {.device = DeviceRequest::kCpu, .threads = threads, .seed = seed, .quiet = true});
}

// numpy 1.26 (.venv-peers): np.quantile([3,1,4,1,5,9,2], q) = 1.0, 1.5, 6.600000000000001, 9.0
// for q = 0, 0.25, 0.9, 1 (method="linear", the default).
TEST(NullImportance, QuantileMatchesNumpyLinear) {
  const std::vector<double> v{3, 1, 4, 1, 5, 9, 2};
  EXPECT_EQ(quantile_linear(v, 0.0), 1.0);
  EXPECT_EQ(quantile_linear(v, 0.25), 1.5);
  EXPECT_NEAR(quantile_linear(v, 0.9), 6.6, 1e-14);
  EXPECT_EQ(quantile_linear(v, 1.0), 9.0);
  EXPECT_EQ(quantile_linear(std::vector<double>{2.5}, 0.25), 2.5);
}

TEST(NullImportance, ShufflesArePermutationsKeyedBySeedAndId) {
  const auto p = shuffle_permutation(50, 9, 3);
  std::vector<std::size_t> sorted = p;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < 50; ++i) EXPECT_EQ(sorted[i], i) << "index " << i;
  EXPECT_EQ(p, shuffle_permutation(50, 9, 3));
  EXPECT_NE(p, shuffle_permutation(50, 9, 4));
  EXPECT_NE(p, shuffle_permutation(50, 10, 3));
  // Uniformity: the element landing in slot 0 over 20000 shuffles of 5 items is uniform;
  // each count is 4000 +- 57 (sd), allow 5 sd.
  std::vector<int> counts(5, 0);
  for (std::uint64_t s = 0; s < 20000; ++s) ++counts[shuffle_permutation(5, 1, s)[0]];
  for (std::size_t k = 0; k < 5; ++k) EXPECT_NEAR(counts[k], 4000, 285) << "item " << k;
}

TEST(NullImportance, KeepsDriversDropsNoiseAndRecordsEverything) {
  const Problem p = make_problem(400, 5);
  const BinnedFeatures b = bin_features(p.x, 64);
  NullImportanceOptions o;
  o.shuffles = 40;
  o.forest.n_trees = 30;
  const NullImportanceResult r = null_importance(cpu_context(17), b, p.y, o);
  ASSERT_EQ(r.actual.size(), 6u);
  ASSERT_EQ(r.null.size(), 40u * 6u);
  EXPECT_TRUE(r.keep[0]);
  EXPECT_TRUE(r.keep[1]);
  EXPECT_EQ(r.p_value[0], 1.0 / 41);  // no null fit comes close
  EXPECT_EQ(r.p_value[1], 1.0 / 41);
  for (std::size_t f = 2; f < 6; ++f) EXPECT_FALSE(r.keep[f]) << "noise feature " << f;
  // The stored result is self-consistent: quantile, p-value and decision from the null.
  for (std::size_t f = 0; f < 6; ++f) {
    std::vector<double> col;
    std::size_t at_least = 0;
    for (std::size_t s = 0; s < 40; ++s) {
      col.push_back(r.null_at(s, f));
      at_least += r.null_at(s, f) >= r.actual[f] ? 1 : 0;
    }
    EXPECT_EQ(r.null_quantile[f], quantile_linear(col, 0.25)) << "feature " << f;
    EXPECT_EQ(r.p_value[f], static_cast<double>(1 + at_least) / 41) << "feature " << f;
  }
  // Fit 0 is the real target; null row s is fit s + 1 on the permuted target.
  EXPECT_EQ(r.actual, forest_gain_importance(b, p.y, o.forest, 17, 0));
  const auto perm = shuffle_permutation(400, 17, 6);
  std::vector<double> shuffled(400);
  for (std::size_t i = 0; i < 400; ++i) shuffled[i] = p.y[perm[i]];
  const auto row6 = forest_gain_importance(b, shuffled, o.forest, 17, 7);
  for (std::size_t f = 0; f < 6; ++f) EXPECT_EQ(r.null_at(6, f), row6[f]) << "feature " << f;
}

TEST(NullImportance, SameBytesForAnyThreadCount) {
  const Problem p = make_problem(200, 2);
  const BinnedFeatures b = bin_features(p.x, 32);
  NullImportanceOptions o;
  o.shuffles = 9;
  o.forest.n_trees = 7;
  const int saved = omp_get_max_threads();
  const auto a = null_importance(cpu_context(4, 1), b, p.y, o);
  const auto c = null_importance(cpu_context(4, 3), b, p.y, o);
  omp_set_num_threads(saved);
  ASSERT_EQ(a.null.size(), c.null.size());
  EXPECT_EQ(std::memcmp(a.null.data(), c.null.data(), a.null.size() * sizeof(double)), 0);
  EXPECT_EQ(std::memcmp(a.actual.data(), c.actual.data(), a.actual.size() * sizeof(double)), 0);
  EXPECT_EQ(a.keep, c.keep);
}

TEST(NullImportance, ReportsProgressOncePerFit) {
  const Problem p = make_problem(80, 3);
  NullImportanceOptions o;
  o.shuffles = 6;
  o.forest.n_trees = 3;
  std::vector<std::size_t> seen;
  std::size_t reported_total = 0;
  o.progress = [&](std::size_t done, std::size_t total) {
    seen.push_back(done);
    reported_total = total;
  };
  null_importance(cpu_context(2), bin_features(p.x, 16), p.y, o);
  EXPECT_EQ(reported_total, 7u);
  EXPECT_EQ(seen, (std::vector<std::size_t>{1, 2, 3, 4, 5, 6, 7}));
}

TEST(NullImportance, RejectsBadOptions) {
  const Problem p = make_problem(50, 1);
  const BinnedFeatures b = bin_features(p.x, 16);
  NullImportanceOptions o;
  o.shuffles = 0;
  EXPECT_THROW(null_importance(cpu_context(1), b, p.y, o), ConfigError);
  o.shuffles = 2;
  o.quantile = 1.5;
  EXPECT_THROW(null_importance(cpu_context(1), b, p.y, o), ConfigError);
}

}  // namespace
}  // namespace thermex
