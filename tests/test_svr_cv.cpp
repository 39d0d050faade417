// SVR model selection: k-fold assignment (partition, sizes, seeding) and grid search by CV
// RMSE (against fits done by hand, best point, thread independence).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "svr_test_support.hpp"
#include "thermex/context.hpp"
#include "thermex/error.hpp"
#include "thermex/svr.hpp"
#include "thermex/svr_cv.hpp"

namespace thermex {
namespace {

Context cpu_context(int threads = 0, std::uint64_t seed = 42) {
  return Context::create(
      {.device = DeviceRequest::kCpu, .threads = threads, .seed = seed, .quiet = true});
}

TEST(SvrCv, KFoldIsASeededPartitionWithKFoldSizes) {
  const std::vector<std::size_t> a = svr_kfold_assignment(23, 5, 7);
  std::vector<std::size_t> sizes(5, 0);
  for (std::size_t f : a) {
    ASSERT_LT(f, 5u);
    ++sizes[f];
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{5, 5, 5, 4, 4}));  // first n % k folds get one more
  EXPECT_EQ(svr_kfold_assignment(23, 5, 7), a);                 // deterministic
  EXPECT_NE(svr_kfold_assignment(23, 5, 8), a);                 // the seed matters
  std::vector<std::size_t> identity(23);
  for (std::size_t i = 0; i < 23; ++i) identity[i] = i * 5 / 23;
  EXPECT_NE(a, identity);  // shuffled, not contiguous blocks of rows
  EXPECT_THROW(svr_kfold_assignment(23, 1, 7), Error);
  EXPECT_THROW(svr_kfold_assignment(3, 4, 7), Error);
}

TEST(SvrCv, GridSearchMatchesFitsByHand) {
  std::vector<double> x, y;
  testing::synthetic_svr_problem(21, 70, 3, x, y);
  SvrGrid grid;
  grid.c = {0.3, 3.0};
  grid.gamma = {SvrGamma::scale_rule(), SvrGamma::fixed(0.05)};
  grid.epsilon = {0.01, 0.2};
  const Context ctx = cpu_context();
  const SvrCvResult res = svr_grid_search_cv(ctx, x, 70, 3, y, SvrSpec{}, grid, 4);
  ASSERT_EQ(res.specs.size(), 8u);
  ASSERT_EQ(res.fold_rmse.size(), 32u);
  // C-major order.
  EXPECT_EQ(res.specs[5].c, 3.0);
  EXPECT_TRUE(res.specs[5].gamma.scale);
  EXPECT_EQ(res.specs[5].epsilon, 0.2);
  const std::vector<std::size_t> fold = svr_kfold_assignment(70, 4, ctx.seed());
  for (std::size_t g : {std::size_t{2}, std::size_t{7}}) {
    double mean = 0.0;
    for (std::size_t f = 0; f < 4; ++f) {
      std::vector<double> xtr, ytr, xte, yte;
      for (std::size_t i = 0; i < 70; ++i) {
        auto& xs = fold[i] == f ? xte : xtr;
        xs.insert(xs.end(), x.begin() + static_cast<std::ptrdiff_t>(3 * i),
                  x.begin() + static_cast<std::ptrdiff_t>(3 * i + 3));
        (fold[i] == f ? yte : ytr).push_back(y[i]);
      }
      const SvrModel m = svr_fit(ctx, xtr, ytr.size(), 3, ytr, res.specs[g]);
      const std::vector<double> p = svr_predict(ctx, m, xte, yte.size());
      double ss = 0.0;
      for (std::size_t k = 0; k < yte.size(); ++k) ss += (p[k] - yte[k]) * (p[k] - yte[k]);
      const double rmse = std::sqrt(ss / static_cast<double>(yte.size()));
      EXPECT_EQ(res.fold_rmse[g * 4 + f], rmse) << "point " << g << " fold " << f;
      mean += rmse / 4.0;
    }
    EXPECT_EQ(res.cv_rmse[g], mean) << "point " << g;
  }
  for (std::size_t g = 0; g < res.cv_rmse.size(); ++g) {
    EXPECT_LE(res.cv_rmse[res.best], res.cv_rmse[g]) << "point " << g;
  }
  // The smooth target is learnable: the best CV RMSE is well below std(y).
  EXPECT_LT(res.cv_rmse[res.best], 0.5 * testing::population_std(y));
}

TEST(SvrCv, GridSearchDoesNotDependOnThreads) {
  std::vector<double> x, y;
  testing::synthetic_svr_problem(22, 60, 2, x, y);
  SvrGrid grid{{1.0, 10.0}, {SvrGamma::scale_rule()}, {0.05, 0.1}};
  const SvrCvResult a = svr_grid_search_cv(cpu_context(1), x, 60, 2, y, SvrSpec{}, grid, 3);
  const SvrCvResult b = svr_grid_search_cv(cpu_context(4), x, 60, 2, y, SvrSpec{}, grid, 3);
  ASSERT_EQ(a.fold_rmse.size(), b.fold_rmse.size());
  EXPECT_EQ(std::memcmp(a.fold_rmse.data(), b.fold_rmse.data(), a.fold_rmse.size() * 8), 0);
  EXPECT_EQ(a.best, b.best);
  EXPECT_THROW(svr_grid_search_cv(cpu_context(), x, 60, 2, y, SvrSpec{}, SvrGrid{}, 3), Error);
}

}  // namespace
}  // namespace thermex
