// k-means SHAP backgrounds (background.hpp): weights are cluster fractions summing to 1, the
// result is deterministic (seed, thread count), k >= n returns the rows, well-separated
// clusters are recovered exactly, scales change the metric, rounding snaps to observed values,
// duplicated data yields fewer clusters, and bad input is refused.
#include <gtest/gtest.h>

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "thermex/background.hpp"
#include "thermex/error.hpp"
#include "thermex/math/philox.hpp"

namespace thermex {
namespace {

// Blobs of `per` rows around `centres` (k x d), uniform noise of half-width `spread`.
std::vector<double> blobs(const std::vector<double>& centres, std::size_t k, std::size_t d,
                          std::size_t per, double spread, std::uint64_t id) {
  math::PhiloxStream rng(3, math::RngPurpose::kTest, id);
  std::vector<double> x;
  for (std::size_t i = 0; i < per; ++i) {  // interleaved, so clusters are not contiguous
    for (std::size_t c = 0; c < k; ++c) {
      for (std::size_t j = 0; j < d; ++j) {
        x.push_back(centres[c * d + j] + spread * (2.0 * rng.uniform() - 1.0));
      }
    }
  }
  return x;
}

double weight_sum(const WeightedBackground& bg) {
  double s = 0.0;
  for (double w : bg.weights) s += w;
  return s;
}

bool same_bytes(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

TEST(Background, RecoversWellSeparatedClustersWithTheirSizes) {
  const std::size_t d = 3, k = 4;
  const std::vector<double> centres = {0, 0, 0, 10, 0, 0, 0, 10, 0, 0, 0, 10};
  std::vector<double> x = blobs(centres, k, d, 25, 0.5, 1);
  // Make cluster 3 bigger: 15 more rows near (0, 0, 10), so the weights differ.
  const std::vector<double> extra = blobs({0, 0, 10}, 1, d, 15, 0.5, 2);
  x.insert(x.end(), extra.begin(), extra.end());
  const std::size_t n = x.size() / d;
  const WeightedBackground bg = kmeans_background(x, n, d, k, 7);
  ASSERT_EQ(bg.n, k);
  ASSERT_EQ(bg.d, d);
  ASSERT_EQ(bg.rows.size(), k * d);
  EXPECT_NEAR(weight_sum(bg), 1.0, 1e-15);
  // Each true centre has exactly one centroid within 0.5 (the noise half-width), with the
  // cluster's share of the rows as its weight.
  for (std::size_t c = 0; c < k; ++c) {
    std::size_t matches = 0;
    for (std::size_t r = 0; r < bg.n; ++r) {
      double dist = 0.0;
      for (std::size_t j = 0; j < d; ++j) {
        dist = std::max(dist, std::fabs(bg.rows[r * d + j] - centres[c * d + j]));
      }
      if (!(dist < 0.5)) continue;
      ++matches;
      const double expected = (c == 3 ? 40.0 : 25.0) / static_cast<double>(n);
      EXPECT_DOUBLE_EQ(bg.weights[r], expected) << "centre " << c;
    }
    EXPECT_EQ(matches, 1u) << "centre " << c;
  }
}

TEST(Background, CentroidsAreTheMeansOfTheirClusters) {
  const std::size_t d = 2, k = 2;
  const std::vector<double> x = {0, 0, 1, 0, 0, 1, 20, 20, 21, 20};
  const WeightedBackground bg = kmeans_background(x, 5, d, k, 1);
  ASSERT_EQ(bg.n, 2u);
  for (std::size_t r = 0; r < 2; ++r) {
    const bool low = bg.rows[r * d] < 10.0;
    const double ex = low ? 1.0 / 3.0 : 20.5, ey = low ? 1.0 / 3.0 : 20.0;
    EXPECT_NEAR(bg.rows[r * d], ex, 1e-15) << "centroid " << r;
    EXPECT_NEAR(bg.rows[r * d + 1], ey, 1e-15) << "centroid " << r;
    EXPECT_DOUBLE_EQ(bg.weights[r], low ? 0.6 : 0.4) << "centroid " << r;
  }
}

TEST(Background, DeterministicForSeedAndThreadCount) {
  math::PhiloxStream rng(9, math::RngPurpose::kTest, 0);
  const std::size_t n = 300, d = 4, k = 12;
  std::vector<double> x(n * d);
  for (double& v : x) v = rng.uniform();
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const WeightedBackground one = kmeans_background(x, n, d, k, 42);
  omp_set_num_threads(4);
  const WeightedBackground four = kmeans_background(x, n, d, k, 42);
  omp_set_num_threads(saved);
  EXPECT_TRUE(same_bytes(one.rows, four.rows));
  EXPECT_TRUE(same_bytes(one.weights, four.weights));
  EXPECT_EQ(one.n, k);
  EXPECT_NEAR(weight_sum(one), 1.0, 1e-14);
  for (std::size_t r = 0; r < one.n; ++r) EXPECT_GT(one.weights[r], 0.0) << "centroid " << r;
  const WeightedBackground again = kmeans_background(x, n, d, k, 42);
  EXPECT_TRUE(same_bytes(one.rows, again.rows));
  // Another seed starts elsewhere: on uniform data the local optimum differs.
  const WeightedBackground other = kmeans_background(x, n, d, k, 43);
  EXPECT_FALSE(same_bytes(one.rows, other.rows));
}

TEST(Background, KAtLeastNReturnsTheRowsWithUniformWeights) {
  const std::vector<double> x = {1, 2, 3, 4, 5, 6};
  for (std::size_t k : {3u, 4u, 100u}) {
    const WeightedBackground bg = kmeans_background(x, 3, 2, k, 0);
    EXPECT_EQ(bg.n, 3u) << "k = " << k;
    EXPECT_EQ(bg.rows, x) << "k = " << k;
    EXPECT_EQ(bg.weights, std::vector<double>(3, 1.0 / 3.0)) << "k = " << k;
  }
  const WeightedBackground u = uniform_background(x, 2, 3);
  EXPECT_EQ(u.n, 2u);
  EXPECT_EQ(u.d, 3u);
  EXPECT_EQ(u.weights, std::vector<double>(2, 0.5));
}

TEST(Background, FewerDistinctRowsThanKGiveFewerClusters) {
  // Two distinct rows, repeated: k = 4 can only find 2 non-empty clusters.
  const std::vector<double> x = {1, 1, 5, 5, 1, 1, 1, 1, 5, 5};
  const WeightedBackground bg = kmeans_background(x, 5, 2, 4, 3);
  ASSERT_EQ(bg.n, 2u);
  EXPECT_NEAR(weight_sum(bg), 1.0, 1e-15);
  for (std::size_t r = 0; r < 2; ++r) {
    const bool ones = bg.rows[r * 2] == 1.0;
    EXPECT_EQ(bg.rows[r * 2 + 1], ones ? 1.0 : 5.0) << "centroid " << r;
    EXPECT_DOUBLE_EQ(bg.weights[r], ones ? 0.6 : 0.4) << "centroid " << r;
  }
}

// One start can stop in a local optimum; the best of several finds the global one. Four points
// A (0, 0), B (1, 1000), C (100, 0), D (101, 1000): {A, C}, {B, D} has SSE 10^4, {A, B},
// {C, D} has SSE 10^6 and is a fixed point of Lloyd's iteration.
TEST(Background, SeveralStartsEscapeALocalOptimum) {
  const std::vector<double> x = {0, 0, 1, 1000, 100, 0, 101, 1000};
  KmeansOptions one;
  one.n_init = 1;
  bool stuck = false;  // some seed's single start lands in the local optimum
  for (std::uint64_t seed = 0; seed < 64 && !stuck; ++seed) {
    const WeightedBackground bg = kmeans_background(x, 4, 2, 2, seed, one);
    stuck = std::fabs(bg.rows[1] - 500.0) < 1e-9;
  }
  EXPECT_TRUE(stuck);
  for (std::uint64_t seed = 0; seed < 64; ++seed) {
    const WeightedBackground bg = kmeans_background(x, 4, 2, 2, seed);  // n_init = 10
    std::vector<double> ys = {bg.rows[1], bg.rows[3]};
    std::sort(ys.begin(), ys.end());
    EXPECT_EQ(ys, (std::vector<double>{0.0, 1000.0})) << "seed " << seed;
  }
}

TEST(Background, ScalesChangeTheMetric) {
  // Column 0 separates {0, 1} from {100, 101} in raw units; column 1 separates the rows
  // {0, 100} from {1, 101} by 1000. Unscaled, column 1 dominates; dividing it by 1e6 makes
  // column 0 decide.
  const std::vector<double> x = {0, 0, 1, 1000, 100, 0, 101, 1000};
  const WeightedBackground raw = kmeans_background(x, 4, 2, 2, 5);
  KmeansOptions opt;
  opt.scales = {1.0, 1e6};
  const WeightedBackground scaled = kmeans_background(x, 4, 2, 2, 5, opt);
  ASSERT_EQ(raw.n, 2u);
  ASSERT_EQ(scaled.n, 2u);
  std::vector<double> raw_x = {raw.rows[0], raw.rows[2]},
                      scaled_x = {scaled.rows[0], scaled.rows[2]};
  std::sort(raw_x.begin(), raw_x.end());
  std::sort(scaled_x.begin(), scaled_x.end());
  EXPECT_EQ(raw_x, (std::vector<double>{50.0, 51.0}));     // split by column 1
  EXPECT_EQ(scaled_x, (std::vector<double>{0.5, 100.5}));  // split by column 0
}

TEST(Background, RoundValuesSnapsToObservedValues) {
  const std::vector<double> x = {0, 0, 0, 1, 1, 0, 10, 10, 10, 11, 11, 10};
  KmeansOptions opt;
  opt.round_values = true;
  const WeightedBackground bg = kmeans_background(x, 6, 2, 2, 2, opt);
  ASSERT_EQ(bg.n, 2u);
  for (std::size_t r = 0; r < 2; ++r) {
    // Means are 1/3 (-> 0) and 31/3 (-> 10) in both columns.
    const double expected = bg.rows[r * 2] < 5.0 ? 0.0 : 10.0;
    EXPECT_EQ(bg.rows[r * 2], expected) << "centroid " << r;
    EXPECT_EQ(bg.rows[r * 2 + 1], expected) << "centroid " << r;
  }
}

TEST(Background, RejectsBadInput) {
  const std::vector<double> x = {1, 2, 3, 4};
  EXPECT_THROW(kmeans_background(x, 0, 2, 1, 0), Error);
  EXPECT_THROW(kmeans_background(x, 2, 2, 0, 0), Error);
  EXPECT_THROW(kmeans_background(x, 3, 2, 1, 0), Error);  // size mismatch
  std::vector<double> bad = x;
  bad[3] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(kmeans_background(bad, 2, 2, 1, 0), Error);
  KmeansOptions opt;
  opt.scales = {1.0};
  EXPECT_THROW(kmeans_background(x, 2, 2, 1, 0, opt), Error);
  opt.scales = {1.0, 0.0};
  EXPECT_THROW(kmeans_background(x, 2, 2, 1, 0, opt), Error);
  opt.scales.clear();
  opt.max_iter = 0;
  EXPECT_THROW(kmeans_background(x, 2, 2, 1, 0, opt), Error);
  opt.max_iter = 10;
  opt.n_init = 0;
  EXPECT_THROW(kmeans_background(x, 2, 2, 1, 0, opt), Error);
  EXPECT_THROW(uniform_background(x, 3, 2), Error);
}

}  // namespace
}  // namespace thermex
