// Warm starts along C (SvrSpec::warm_start_c): the chains of the batch plan, the feasible start
// of svr_warm_start_alpha, warm solutions against cold ones at issue 3's tolerances (predictions
// within 2e-3 std(y), objective 1e-5 relative, KKT gap below tol recomputed from scratch) on the
// precomputed-kernel and the row-cache paths, determinism for 1 vs 2 threads, and problems
// without the option staying byte-identical to single fits.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include "../src/svr_internal.hpp"
#include "svr_test_support.hpp"
#include "thermex/context.hpp"
#include "thermex/svr.hpp"
#include "thermex/svr_cv.hpp"

namespace thermex {
namespace {

constexpr std::size_t kRows = 150, kDims = 4, kFolds = 5;
const std::vector<double> kGridC = {0.1, 1.0, 10.0, 100.0, 1000.0};

Context cpu_context(int threads = 1) {
  return Context::create({.device = DeviceRequest::kCpu, .threads = threads, .quiet = true});
}

// The test data: synthetic_svr_problem's targets times 4 (std(y) about 3, the scale of the
// benchmark data). tol is absolute in target units, so issue 3's 2e-3 std(y) bound between two
// tol-1e-3 solutions presumes std(y) of order 1 or more; at the raw scale (std(y) 0.8, epsilon
// 0.05) warm and cold solutions, both within tol, differ by up to 2.3e-3 std(y) and 1.4e-5 in
// the objective (measured on the row-cache path).
void warm_test_data(std::uint64_t id, std::vector<double>& x, std::vector<double>& y) {
  testing::synthetic_svr_problem(id, kRows, kDims, x, y);
  for (double& v : y) v *= 4.0;
}

// 5 folds x C grid, C-major as svr_grid_search_cv orders them; gamma "scale", epsilon 0.2.
std::vector<SvrProblem> grid_problems(bool warm, std::size_t budget) {
  const std::vector<std::size_t> fold = svr_kfold_assignment(kRows, kFolds, 7);
  std::vector<SvrProblem> problems;
  for (double c : kGridC) {
    for (std::size_t f = 0; f < kFolds; ++f) {
      SvrProblem p;
      for (std::size_t i = 0; i < kRows; ++i) {
        if (fold[i] != f) p.rows.push_back(i);
      }
      p.spec.c = c;
      p.spec.epsilon = 0.2;
      p.spec.warm_start_c = warm;
      p.spec.kernel_budget_bytes = budget;
      problems.push_back(std::move(p));
    }
  }
  return problems;
}

bool same_bytes(const SvrModel& a, const SvrModel& b) {
  return a.dual_coef.size() == b.dual_coef.size() && a.support_indices == b.support_indices &&
         std::memcmp(a.dual_coef.data(), b.dual_coef.data(), a.dual_coef.size() * sizeof(double)) ==
             0 &&
         std::memcmp(&a.intercept, &b.intercept, sizeof(double)) == 0 && a.n_iter == b.n_iter;
}

TEST(SvrWarmStart, ChainsJoinOnlyProblemsThatDifferInC) {
  std::vector<SvrProblem> problems(6);
  const double cs[6] = {10.0, 1.0, 5.0, 1.0, 0.5, 2.0};
  for (std::size_t p = 0; p < 6; ++p) {
    problems[p].rows = {0, 1, 2};
    problems[p].spec.c = cs[p];
    problems[p].spec.warm_start_c = true;
  }
  problems[2].spec.epsilon = 0.2;         // another tube: its own chain
  problems[4].spec.warm_start_c = false;  // not opted in: alone
  detail::SvrKernelGroup group;
  group.members = {0, 1, 2, 3, 4, 5};
  const auto chains = detail::svr_warm_chains(group, problems);
  ASSERT_EQ(chains.size(), 3u);
  EXPECT_EQ(chains[0], (std::vector<std::size_t>{1, 3, 5, 0}));  // increasing C, ties by index
  EXPECT_EQ(chains[1], (std::vector<std::size_t>{2}));
  EXPECT_EQ(chains[2], (std::vector<std::size_t>{4}));
}

TEST(SvrWarmStart, StartIsFeasible) {
  // A solution for C = 0.3: bounded, free and zero variables, sum(alpha - alpha*) = 0.
  const std::vector<double> alpha = {0.3, 0.0, 0.1, 0.0, 0.0, 0.3, 0.0, 0.1};
  // A larger box keeps the solution as it is (bit for bit).
  for (const double c_new : {0.3, 3.0, 1000.0}) {
    EXPECT_EQ(detail::svr_warm_start_alpha(alpha, 0.3, c_new), alpha) << "C = " << c_new;
  }
  // A smaller box scales it.
  for (const double c_new : {0.2, 0.07, 1e-3}) {
    const std::vector<double> s = detail::svr_warm_start_alpha(alpha, 0.3, c_new);
    ASSERT_EQ(s.size(), alpha.size());
    double sum = 0.0;
    for (std::size_t t = 0; t < s.size(); ++t) {
      EXPECT_GE(s[t], 0.0) << "variable " << t;
      EXPECT_LE(s[t], c_new) << "variable " << t;
      sum += t < 4 ? s[t] : -s[t];
    }
    EXPECT_EQ(s[0], c_new);  // at the old bound: exactly at the new one
    EXPECT_EQ(s[5], c_new);
    EXPECT_EQ(s[1], 0.0);
    EXPECT_NEAR(s[2], 0.1 * c_new / 0.3, 1e-15 * c_new);
    EXPECT_NEAR(sum, 0.0, 1e-14 * c_new) << "C = " << c_new;
  }
}

class SvrWarmStartPaths : public ::testing::TestWithParam<std::size_t> {};

TEST_P(SvrWarmStartPaths, WarmSolutionsMatchColdOnesToTheTolerance) {
  std::vector<double> x, y;
  warm_test_data(31, x, y);
  const Context ctx = cpu_context(2);
  const std::vector<SvrProblem> cold_p = grid_problems(false, GetParam());
  const std::vector<SvrProblem> warm_p = grid_problems(true, GetParam());
  const std::vector<SvrModel> cold = svr_fit_batch(ctx, x, kRows, kDims, y, cold_p);
  const std::vector<SvrModel> warm = svr_fit_batch(ctx, x, kRows, kDims, y, warm_p);
  const double scale = testing::population_std(y);
  std::int64_t iters_cold = 0, iters_warm = 0;
  double worst_dev = 0.0, worst_rel = 0.0;
  for (std::size_t p = 0; p < warm.size(); ++p) {
    iters_cold += cold[p].n_iter;
    iters_warm += warm[p].n_iter;
    EXPECT_TRUE(warm[p].converged) << "problem " << p;
    EXPECT_LT(warm[p].kkt_gap, warm_p[p].spec.tol) << "problem " << p;
    const std::vector<double> pc = svr_predict(ctx, cold[p], x, kRows);
    const std::vector<double> pw = svr_predict(ctx, warm[p], x, kRows);
    double dev = 0.0;
    for (std::size_t i = 0; i < kRows; ++i) dev = std::max(dev, std::abs(pw[i] - pc[i]));
    EXPECT_LE(dev, 2e-3 * scale) << "problem " << p << " (C = " << warm_p[p].spec.c << ")";
    worst_dev = std::max(worst_dev, dev / scale);
    const double rel = std::abs(warm[p].dual_objective - cold[p].dual_objective) /
                       std::abs(cold[p].dual_objective);
    EXPECT_LE(rel, 1e-5) << "problem " << p << ": " << warm[p].dual_objective << " vs "
                         << cold[p].dual_objective;
    worst_rel = std::max(worst_rel, rel);
    // Optimality recomputed from scratch on the problem's training rows.
    std::vector<double> xs, ys;
    for (std::size_t r : warm_p[p].rows) {
      xs.insert(xs.end(), x.begin() + static_cast<std::ptrdiff_t>(r * kDims),
                x.begin() + static_cast<std::ptrdiff_t>((r + 1) * kDims));
      ys.push_back(y[r]);
    }
    const SvrDualCheck check = svr_training_check(ctx, warm[p], xs, ys.size(), ys);
    EXPECT_LT(check.kkt_gap, warm_p[p].spec.tol) << "problem " << p;
    EXPECT_NEAR(check.objective, warm[p].dual_objective, 1e-9 * std::abs(warm[p].dual_objective))
        << "problem " << p;
  }
  std::printf(
      "[svr warm vs cold] max |dpred|/std(y) %.3g, objective rel %.3g, iterations %lld "
      "warm vs %lld cold\n",
      worst_dev, worst_rel, static_cast<long long>(iters_warm), static_cast<long long>(iters_cold));
  // The first C of each chain starts cold: the same solve, the same bytes.
  for (std::size_t f = 0; f < kFolds; ++f)
    EXPECT_TRUE(same_bytes(warm[f], cold[f])) << "fold " << f;
  // Deterministic counts: the warm chains need fewer iterations on this grid (measured
  // 7,507 vs 13,354 with the precomputed kernel).
  EXPECT_LT(iters_warm, iters_cold);
}

TEST_P(SvrWarmStartPaths, WarmBatchIsTheSameForOneAndTwoThreads) {
  std::vector<double> x, y;
  warm_test_data(32, x, y);
  const std::vector<SvrProblem> problems = grid_problems(true, GetParam());
  const std::vector<SvrModel> a = svr_fit_batch(cpu_context(1), x, kRows, kDims, y, problems);
  const std::vector<SvrModel> b = svr_fit_batch(cpu_context(2), x, kRows, kDims, y, problems);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t p = 0; p < a.size(); ++p) EXPECT_TRUE(same_bytes(a[p], b[p])) << "problem " << p;
}

// 1 GiB: the kernel matrix is precomputed; 12 kB: a cache of 10 kernel rows.
INSTANTIATE_TEST_SUITE_P(KernelPaths, SvrWarmStartPaths,
                         ::testing::Values(std::size_t{1} << 30, std::size_t{12000}),
                         [](const ::testing::TestParamInfo<std::size_t>& p) {
                           return p.param > 100000 ? std::string("full") : std::string("cache");
                         });

TEST(SvrWarmStart, ProblemsWithoutTheOptionStayByteIdenticalToSingleFits) {
  std::vector<double> x, y;
  warm_test_data(33, x, y);
  std::vector<SvrProblem> problems = grid_problems(true, std::size_t{1} << 30);
  for (std::size_t p = 0; p < problems.size(); p += 2) problems[p].spec.warm_start_c = false;
  const Context ctx = cpu_context(2);
  const std::vector<SvrModel> batch = svr_fit_batch(ctx, x, kRows, kDims, y, problems);
  for (std::size_t p = 0; p < problems.size(); p += 2) {
    std::vector<double> xs, ys;
    for (std::size_t r : problems[p].rows) {
      xs.insert(xs.end(), x.begin() + static_cast<std::ptrdiff_t>(r * kDims),
                x.begin() + static_cast<std::ptrdiff_t>((r + 1) * kDims));
      ys.push_back(y[r]);
    }
    const SvrModel single = svr_fit(ctx, xs, ys.size(), kDims, ys, problems[p].spec);
    EXPECT_TRUE(same_bytes(batch[p], single)) << "problem " << p;
  }
}

}  // namespace
}  // namespace thermex
