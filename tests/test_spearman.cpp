// Spearman's rho: average ranks, known values with ties and NaN (pandas), a brute-force
// reference on random data, and thread-count independence.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "thermex/math/philox.hpp"
#include "thermex/spearman.hpp"

namespace thermex {
namespace {

ColumnMeta named(std::string name) {
  ColumnMeta m;
  m.name = std::move(name);
  return m;
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Table make_table(const std::vector<std::vector<double>>& cols) {
  Table t;
  for (std::size_t j = 0; j < cols.size(); ++j) {
    t.add_column(named("c" + std::to_string(j)), cols[j]);
  }
  return t;
}

TEST(Spearman, AverageRanksShareTiedPositions) {
  const std::vector<double> v{10, 20, 20, 5, kNaN, 20};
  const auto r = average_ranks(v);
  const std::vector<double> expected{2, 4, 4, 1, kNaN, 4};  // 20 takes positions 3, 4, 5
  ASSERT_EQ(r.size(), expected.size());
  for (std::size_t i = 0; i < r.size(); ++i) {
    if (std::isnan(expected[i])) {
      EXPECT_TRUE(std::isnan(r[i])) << "index " << i;
    } else {
      EXPECT_EQ(r[i], expected[i]) << "index " << i;
    }
  }
}

// Expected values from pandas 2 (.venv-peers):
//   df = pd.DataFrame({'a':[1,2,2,3,5,4], 'b':[2,1,4,4,6,6], 'c':[3,nan,1,2,nan,5],
//                      'd':[6,5,4,3,2,1]}); df.corr(method='spearman')
// printed with '%.17g'; pandas uses average ranks and pairwise-complete observations.
TEST(Spearman, MatchesPandasWithTiesAndNaN) {
  const Table t = make_table(
      {{1, 2, 2, 3, 5, 4}, {2, 1, 4, 4, 6, 6}, {3, kNaN, 1, 2, kNaN, 5}, {6, 5, 4, 3, 2, 1}});
  const SpearmanMatrix m = spearman_matrix(t);
  const double expected[4][4] = {
      {1, 0.85084104348780831, 0.40000000000000002, -0.92763365704391754},
      {0.85084104348780831, 1, 0.31622776601683794, -0.9121593238215745},
      {0.40000000000000002, 0.31622776601683794, 1, -0.40000000000000002},
      {-0.92763365704391754, -0.9121593238215745, -0.40000000000000002, 1}};
  const std::int64_t counts[4][4] = {{6, 6, 4, 6}, {6, 6, 4, 6}, {4, 4, 4, 4}, {6, 6, 4, 6}};
  ASSERT_EQ(m.n, 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    for (std::size_t j = 0; j < 4; ++j) {
      EXPECT_NEAR(m.at(i, j), expected[i][j], 1e-14) << "pair " << i << "," << j;
      EXPECT_EQ(m.count(i, j), counts[i][j]) << "pair " << i << "," << j;
    }
  }
}

TEST(Spearman, FewPairsAndConstantColumnsGiveNaN) {
  std::size_t count = 99;
  const std::vector<double> x{1, 2, kNaN, 4}, y{kNaN, 1, 2, 3};
  EXPECT_TRUE(std::isnan(spearman_rho(x, y, &count)));
  EXPECT_EQ(count, 2u);  // rows 1 and 3 only
  const std::vector<double> c{7, 7, 7, 7}, z{1, 2, 3, 4};
  EXPECT_TRUE(std::isnan(spearman_rho(c, z, &count)));
  EXPECT_EQ(count, 4u);
  EXPECT_DOUBLE_EQ(spearman_rho(z, z), 1.0);
  // An all-NaN column: no complete pairs with anything, not even itself.
  const Table t = make_table({{1, 2, 3, 4}, {kNaN, kNaN, kNaN, kNaN}});
  const SpearmanMatrix m = spearman_matrix(t);
  EXPECT_EQ(m.count(0, 1), 0);
  EXPECT_EQ(m.count(1, 1), 0);
  EXPECT_TRUE(std::isnan(m.at(0, 1)));
  EXPECT_TRUE(std::isnan(m.at(1, 1)));
  EXPECT_EQ(m.at(0, 0), 1.0);
}

// Reference: rank_i = #{x_j < x_i} + (#{x_j == x_i} + 1) / 2 (the average-rank definition,
// O(n^2)), then Pearson's r of the ranks over the complete rows.
double brute_force_rho(const std::vector<double>& x, const std::vector<double>& y) {
  std::vector<double> xs, ys;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isnan(x[i]) && !std::isnan(y[i])) {
      xs.push_back(x[i]);
      ys.push_back(y[i]);
    }
  }
  auto rank = [](const std::vector<double>& v) {
    std::vector<double> r(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
      double less = 0, equal = 0;
      for (double w : v) {
        less += w < v[i] ? 1 : 0;
        equal += w == v[i] ? 1 : 0;
      }
      r[i] = less + (equal + 1) / 2;
    }
    return r;
  };
  const auto rx = rank(xs), ry = rank(ys);
  const double n = static_cast<double>(rx.size());
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < rx.size(); ++i) {
    mx += rx[i] / n;
    my += ry[i] / n;
  }
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < rx.size(); ++i) {
    sxy += (rx[i] - mx) * (ry[i] - my);
    sxx += (rx[i] - mx) * (rx[i] - mx);
    syy += (ry[i] - my) * (ry[i] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

Table random_table(std::size_t rows, std::size_t cols, std::uint64_t seed) {
  std::vector<std::vector<double>> data(cols, std::vector<double>(rows));
  for (std::size_t j = 0; j < cols; ++j) {
    math::PhiloxStream rng(seed, math::RngPurpose::kTest, j);
    for (std::size_t i = 0; i < rows; ++i) {
      // Few distinct values (many ties), some NaN, and columns built from earlier ones so
      // that strong correlations of both signs occur.
      double v = static_cast<double>(rng.below(7));
      if (j >= 2) v += (j % 2 ? -1.0 : 1.0) * data[j - 2][i];
      if (j % 3 == 2 && rng.below(10) == 0) v = kNaN;
      data[j][i] = v;
    }
  }
  return make_table(data);
}

TEST(Spearman, MatchesBruteForceOnRandomTiedData) {
  const Table t = random_table(57, 9, 123);
  const SpearmanMatrix m = spearman_matrix(t);
  for (std::size_t i = 0; i < t.cols(); ++i) {
    const std::vector<double> x(t.column(i).begin(), t.column(i).end());
    for (std::size_t j = 0; j < t.cols(); ++j) {
      const std::vector<double> y(t.column(j).begin(), t.column(j).end());
      EXPECT_NEAR(m.at(i, j), brute_force_rho(x, y), 1e-12) << "pair " << i << "," << j;
      EXPECT_EQ(m.at(i, j), m.at(j, i)) << "pair " << i << "," << j;
    }
  }
}

TEST(Spearman, SameBytesForAnyThreadCount) {
  const Table t = random_table(200, 40, 7);
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const SpearmanMatrix a = spearman_matrix(t);
  omp_set_num_threads(4);
  const SpearmanMatrix b = spearman_matrix(t);
  omp_set_num_threads(saved);
  ASSERT_EQ(a.rho.size(), b.rho.size());
  EXPECT_EQ(std::memcmp(a.rho.data(), b.rho.data(), a.rho.size() * sizeof(double)), 0);
  EXPECT_EQ(a.counts, b.counts);
}

}  // namespace
}  // namespace thermex
