// Regression metrics against hand-computed values, and the seeded train/test split.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "thermex/error.hpp"
#include "thermex/svr_metrics.hpp"

namespace thermex {
namespace {

TEST(SvrMetrics, MatchHandComputedValues) {
  const std::vector<double> obs = {1.0, 2.0, 3.0, 4.0}, pred = {1.5, 2.0, 2.0, 4.0};
  const RegressionMetrics m = regression_metrics(obs, pred);
  // residuals 0.5, 0, -1, 0: SS_res = 1.25, SS_tot = 5 (mean 2.5), |e| sum 1.5.
  EXPECT_DOUBLE_EQ(m.rmse, std::sqrt(1.25 / 4.0));
  EXPECT_DOUBLE_EQ(m.mae, 1.5 / 4.0);
  EXPECT_DOUBLE_EQ(m.r2, 1.0 - 1.25 / 5.0);
  EXPECT_EQ(m.n, 4u);
  const std::vector<double> constant = {2.0, 2.0};
  EXPECT_EQ(regression_metrics(constant, constant).r2, 1.0);
  EXPECT_EQ(regression_metrics(constant, std::vector<double>{2.0, 3.0}).r2, 0.0);
  const std::vector<double> with_nan = {1.0, std::numeric_limits<double>::quiet_NaN()};
  const RegressionMetrics bad = regression_metrics(constant, with_nan);
  EXPECT_TRUE(std::isnan(bad.rmse));
  EXPECT_TRUE(std::isnan(bad.r2));
  EXPECT_THROW(regression_metrics(obs, constant), Error);
  EXPECT_THROW(regression_metrics({}, {}), Error);
}

TEST(SvrMetrics, SplitIsSeededAndSized) {
  const std::vector<bool> a = svr_train_test_split(101, 0.2, 5);
  std::size_t n_test = 0;
  for (bool t : a) n_test += t ? 1 : 0;
  EXPECT_EQ(n_test, 20u);  // round(20.2)
  EXPECT_EQ(svr_train_test_split(101, 0.2, 5), a);
  EXPECT_NE(svr_train_test_split(101, 0.2, 6), a);
  std::vector<bool> first_rows(101, false);
  for (std::size_t i = 0; i < 20; ++i) first_rows[i] = true;
  EXPECT_NE(a, first_rows);  // shuffled
  EXPECT_EQ(svr_train_test_split(10, 0.0, 5), std::vector<bool>(10, false));
  const std::vector<bool> tiny = svr_train_test_split(2, 0.01, 5);  // at least one test row
  EXPECT_EQ(static_cast<int>(tiny[0]) + static_cast<int>(tiny[1]), 1);
  EXPECT_THROW(svr_train_test_split(10, 1.0, 5), Error);
  EXPECT_THROW(svr_train_test_split(10, -0.1, 5), Error);
  EXPECT_THROW(svr_train_test_split(1, 0.5, 5), Error);
}

}  // namespace
}  // namespace thermex
