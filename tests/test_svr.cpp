// SVR unit tests: a hand-solved two-point problem, the SMO step math, KKT conditions, batched
// fits (sharing, subsets, 1 vs N threads bytes), the row cache against the full matrix, the
// log10 target, and input validation.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "svr_test_support.hpp"
#include "thermex/context.hpp"
#include "thermex/error.hpp"
#include "thermex/math/smo.hpp"
#include "thermex/rbf_kernel.hpp"
#include "thermex/svr.hpp"

namespace thermex {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Context cpu_context(int threads = 0) {
  return Context::create({.device = DeviceRequest::kCpu, .threads = threads, .quiet = true});
}

// Bytes of everything a fit produces (not provenance strings, which are equal by construction).
bool same_bytes(const SvrModel& a, const SvrModel& b) {
  auto eq = [](const std::vector<double>& u, const std::vector<double>& v) {
    return u.size() == v.size() && std::memcmp(u.data(), v.data(), u.size() * sizeof(double)) == 0;
  };
  return eq(a.dual_coef, b.dual_coef) && eq(a.support_vectors, b.support_vectors) &&
         a.support_indices == b.support_indices && eq(a.feature_means, b.feature_means) &&
         eq(a.feature_scales, b.feature_scales) &&
         std::memcmp(&a.intercept, &b.intercept, sizeof(double)) == 0 &&
         std::memcmp(&a.dual_objective, &b.dual_objective, sizeof(double)) == 0 &&
         std::memcmp(&a.gamma_value, &b.gamma_value, sizeof(double)) == 0 && a.n_iter == b.n_iter;
}

// Two points x = 0, 1 with y = 0, 1, gamma = 1, epsilon = 0.1, C = 10, no scaling. By symmetry
// beta = (-b, b) and f(0) = 0.1, f(1) = 0.9 (both on the tube, both free): with k = exp(-1),
// f(1) - f(0) = 2 b (1 - k) = 0.8, so b = 0.4 / (1 - k) < C, intercept 0.5, and the objective
// 0.5 beta^T K beta + eps |beta|_1 - y^T beta = b^2 (1 - k) + 0.2 b - b = -0.4 b. One SMO step
// (i = alpha_1, j = alpha*_0, Fan et al. WSS 2) lands on it exactly.
TEST(Svr, TwoPointProblemMatchesTheHandSolution) {
  const std::vector<double> x = {0.0, 1.0}, y = {0.0, 1.0};
  SvrSpec spec;
  spec.c = 10.0;
  spec.epsilon = 0.1;
  spec.gamma = SvrGamma::fixed(1.0);
  spec.standardize = false;
  const SvrModel m = svr_fit(cpu_context(), x, 2, 1, y, spec, {"x"});
  const double b = 0.4 / (1.0 - std::exp(-1.0));
  ASSERT_EQ(m.n_support(), 2u);
  // rtol 1e-12: a handful of double operations (STYLE.md section 6, header math).
  EXPECT_NEAR(m.dual_coef[0], -b, 1e-12 * b);
  EXPECT_NEAR(m.dual_coef[1], b, 1e-12 * b);
  EXPECT_NEAR(m.intercept, 0.5, 1e-12);
  EXPECT_NEAR(m.dual_objective, -0.4 * b, 1e-12 * b);
  EXPECT_EQ(m.n_iter, 1);
  EXPECT_TRUE(m.converged);
  const std::vector<double> q = {0.0, 1.0, 0.5};
  const std::vector<double> pred = svr_predict(cpu_context(), m, q, 3);
  EXPECT_NEAR(pred[0], 0.1, 1e-12);
  EXPECT_NEAR(pred[1], 0.9, 1e-12);
  EXPECT_NEAR(pred[2], 0.5, 1e-12);  // symmetric midpoint
}

// With epsilon larger than half the range of y, beta = 0 is optimal: no support vectors and a
// constant prediction inside the tube.
TEST(Svr, WideTubeGivesNoSupportVectors) {
  const std::vector<double> x = {0.0, 1.0, 2.0}, y = {1.0, 1.2, 1.1};
  SvrSpec spec;
  spec.epsilon = 0.5;
  const SvrModel m = svr_fit(cpu_context(), x, 3, 1, y, spec);
  EXPECT_EQ(m.n_support(), 0u);
  const std::vector<double> pred = svr_predict(cpu_context(), m, x, 3);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_NEAR(pred[i], y[i], 0.5 + 1e-12) << "row " << i;
    EXPECT_EQ(pred[i], m.intercept) << "row " << i;
  }
}

// The two-variable update keeps s_i a_i + s_j a_j and the box [0, C]^2 (libsvm's clipping).
TEST(SvrSmoMath, PairUpdateKeepsTheEqualityAndTheBox) {
  const double c = 2.0;
  for (int same = 0; same < 2; ++same) {
    for (double gi : {-3.0, -0.5, 0.4, 5.0}) {
      for (double gj : {-2.0, 0.1, 3.0}) {
        const double ai = 0.7, aj = 1.9;
        const math::SmoPair p =
            math::smo_update_pair(same == 1, ai, aj, gi, gj, 1.0, 1.0, 0.3, c, c);
        const double before = same == 1 ? ai + aj : ai - aj;
        const double after = same == 1 ? p.alpha_i + p.alpha_j : p.alpha_i - p.alpha_j;
        EXPECT_NEAR(after, before, 1e-15) << "same " << same << " gi " << gi << " gj " << gj;
        EXPECT_GE(p.alpha_i, 0.0);
        EXPECT_LE(p.alpha_i, c);
        EXPECT_GE(p.alpha_j, 0.0);
        EXPECT_LE(p.alpha_j, c);
      }
    }
  }
  // Non-PSD curvature falls back to tau (Fan et al. 2005, section 4).
  EXPECT_EQ(math::smo_gain(2.0, 0.0), -4.0 / math::kSmoTau);
  EXPECT_EQ(math::smo_gain(2.0, 0.5), -8.0);
}

TEST(Svr, KktConditionsHoldAndTighterTolLowersTheObjective) {
  std::vector<double> x, y;
  testing::synthetic_svr_problem(1, 150, 3, x, y);
  SvrSpec spec;
  spec.c = 5.0;
  spec.epsilon = 0.05;
  const SvrModel loose = svr_fit(cpu_context(), x, 150, 3, y, spec);
  spec.tol = 1e-7;
  const SvrModel tight = svr_fit(cpu_context(), x, 150, 3, y, spec);
  for (const SvrModel* m : {&loose, &tight}) {
    const SvrDualCheck check = svr_training_check(cpu_context(), *m, x, 150, y);
    EXPECT_LT(check.kkt_gap, m->spec.tol);
    EXPECT_NEAR(check.objective, m->dual_objective, 1e-10 * std::abs(m->dual_objective));
    // Box constraints of beta = alpha - alpha*.
    for (std::size_t s = 0; s < m->n_support(); ++s) {
      EXPECT_LE(std::abs(m->dual_coef[s]), spec.c) << "support vector " << s;
    }
    // sum beta = 0 (the equality constraint), up to rounding of the SMO steps.
    const double sum = std::accumulate(m->dual_coef.begin(), m->dual_coef.end(), 0.0);
    EXPECT_NEAR(sum, 0.0, 1e-10);
  }
  EXPECT_LE(tight.dual_objective, loose.dual_objective);
}

TEST(Svr, MaxIterStopsTheSolverAndIsReported) {
  std::vector<double> x, y;
  testing::synthetic_svr_problem(6, 80, 2, x, y);
  SvrSpec spec;
  spec.c = 10.0;
  spec.epsilon = 0.01;
  spec.max_iter = 5;
  const SvrModel m = svr_fit(cpu_context(), x, 80, 2, y, spec);
  EXPECT_FALSE(m.converged);
  EXPECT_EQ(m.n_iter, 5);
  EXPECT_GT(m.kkt_gap, spec.tol);
  spec.max_iter = 0;  // libsvm's default cap, far away
  const SvrModel full = svr_fit(cpu_context(), x, 80, 2, y, spec);
  EXPECT_TRUE(full.converged);
  EXPECT_GT(full.n_iter, 5);
  EXPECT_LT(full.dual_objective, m.dual_objective);
}

TEST(Svr, Log10TargetIsTheIdentityModelOfLog10Y) {
  std::vector<double> x, y;
  testing::synthetic_svr_problem(2, 80, 2, x, y);
  std::vector<double> pos(y.size()), logy(y.size());
  for (std::size_t i = 0; i < y.size(); ++i) {
    pos[i] = std::pow(10.0, y[i]);
    logy[i] = std::log10(pos[i]);
  }
  SvrSpec spec;
  spec.log10_target = true;
  const SvrModel lm = svr_fit(cpu_context(), x, 80, 2, pos, spec);
  spec.log10_target = false;
  const SvrModel im = svr_fit(cpu_context(), x, 80, 2, logy, spec);
  const std::vector<double> pl = svr_predict(cpu_context(), lm, x, 80);
  const std::vector<double> pi = svr_predict(cpu_context(), im, x, 80);
  for (std::size_t i = 0; i < 80; ++i) {
    EXPECT_EQ(pl[i], std::pow(10.0, pi[i])) << "row " << i;  // same fit, exact inverse
    // Round trip: the fit is within epsilon (0.1 in log10 units) plus slack at most rows.
    EXPECT_NEAR(std::log10(pl[i]), logy[i], 0.3) << "row " << i;
  }
}

TEST(Svr, RowCacheGivesTheFullMatrixSolution) {
  std::vector<double> x, y;
  testing::synthetic_svr_problem(3, 120, 4, x, y);
  SvrSpec spec;
  spec.c = 3.0;
  spec.tol = 1e-10;
  const SvrModel full = svr_fit(cpu_context(), x, 120, 4, y, spec);
  spec.kernel_budget_bytes = 10 * 120 * sizeof(double);  // 10 cached rows of 120
  const SvrModel cached = svr_fit(cpu_context(), x, 120, 4, y, spec);
  EXPECT_GT(cached.n_iter, 0);
  const std::vector<double> pf = svr_predict(cpu_context(), full, x, 120);
  const std::vector<double> pc = svr_predict(cpu_context(), cached, x, 120);
  // Cached rows sum the dot product in another order than the GEMM (a few ulps of K), so the
  // SMO paths differ; at tol 1e-10 both are at the optimum: predictions agree far below the
  // target scale (~1) and objectives to ~1e-12 relative.
  for (std::size_t i = 0; i < 120; ++i) EXPECT_NEAR(pc[i], pf[i], 1e-7) << "row " << i;
  EXPECT_NEAR(cached.dual_objective, full.dual_objective, 1e-12 * std::abs(full.dual_objective));
  const SvrDualCheck check = svr_training_check(cpu_context(), cached, x, 120, y);
  EXPECT_LT(check.kkt_gap, 1e-9);
}

TEST(Svr, BatchEqualsSingleFitsAndSharesKernels) {
  std::vector<double> x, y;
  testing::synthetic_svr_problem(4, 100, 3, x, y);
  std::vector<SvrProblem> problems;
  std::vector<std::size_t> all(100), half;
  std::iota(all.begin(), all.end(), std::size_t{0});
  for (std::size_t i = 0; i < 100; i += 2) half.push_back(i);
  for (double c : {0.5, 5.0}) {
    for (const auto* rows : {&all, &half}) {
      SvrProblem p;
      p.rows = *rows;
      p.spec.c = c;
      problems.push_back(p);
    }
  }
  problems.back().spec.gamma = SvrGamma::fixed(0.7);
  const std::vector<SvrModel> batch = svr_fit_batch(cpu_context(), x, 100, 3, y, problems);
  ASSERT_EQ(batch.size(), problems.size());
  for (std::size_t p = 0; p < problems.size(); ++p) {
    std::vector<double> xs, ys;
    for (std::size_t r : problems[p].rows) {
      xs.insert(xs.end(), x.begin() + static_cast<std::ptrdiff_t>(3 * r),
                x.begin() + static_cast<std::ptrdiff_t>(3 * r + 3));
      ys.push_back(y[r]);
    }
    const SvrModel single = svr_fit(cpu_context(), xs, ys.size(), 3, ys, problems[p].spec);
    EXPECT_TRUE(same_bytes(batch[p], single)) << "problem " << p;
    EXPECT_EQ(batch[p].data_sha256, single.data_sha256) << "problem " << p;
  }
  // A budget of exactly one 100 x 100 kernel: every group still gets its full matrix, but the
  // groups are computed and solved one wave at a time. Same bytes.
  for (SvrProblem& p : problems) p.spec.kernel_budget_bytes = 100 * 100 * sizeof(double);
  const std::vector<SvrModel> waves = svr_fit_batch(cpu_context(), x, 100, 3, y, problems);
  for (std::size_t p = 0; p < problems.size(); ++p) {
    EXPECT_TRUE(same_bytes(waves[p], batch[p])) << "problem " << p;
  }
}

TEST(Svr, BatchBytesDoNotDependOnThreads) {
  std::vector<double> x, y;
  testing::synthetic_svr_problem(5, 90, 4, x, y);
  std::vector<SvrProblem> problems;
  for (std::size_t k = 0; k < 6; ++k) {
    SvrProblem p;
    for (std::size_t i = 0; i < 90; ++i) {
      if (i % 3 != k % 3) p.rows.push_back(i);  // three "folds"
    }
    p.spec.c = k < 3 ? 1.0 : 10.0;
    p.spec.kernel_budget_bytes = k == 5 ? 4096 : p.spec.kernel_budget_bytes;  // one cached
    problems.push_back(p);
  }
  const std::vector<SvrModel> one = svr_fit_batch(cpu_context(1), x, 90, 4, y, problems);
  const std::vector<SvrModel> many = svr_fit_batch(cpu_context(4), x, 90, 4, y, problems);
  for (std::size_t p = 0; p < problems.size(); ++p) {
    EXPECT_TRUE(same_bytes(one[p], many[p])) << "problem " << p;
  }
  const std::vector<double> q1 = svr_predict(cpu_context(1), one[0], x, 90);
  const std::vector<double> q4 = svr_predict(cpu_context(4), one[0], x, 90);
  EXPECT_EQ(std::memcmp(q1.data(), q4.data(), q1.size() * sizeof(double)), 0);
}

TEST(Svr, StandardizationUsesTrainingRowsOnly) {
  // Column 1 is constant: scale 1 (not NaN), as StandardScaler.
  const std::vector<double> x = {1.0, 5.0, 2.0, 5.0, 3.0, 5.0, 6.0, 5.0};
  const std::vector<double> y = {0.0, 1.0, 2.0, 3.0};
  const SvrModel m = svr_fit(cpu_context(), x, 4, 2, y, SvrSpec{});
  EXPECT_DOUBLE_EQ(m.feature_means[0], 3.0);
  EXPECT_DOUBLE_EQ(m.feature_scales[0], std::sqrt(3.5));  // population std of 1, 2, 3, 6
  EXPECT_DOUBLE_EQ(m.feature_means[1], 5.0);
  EXPECT_EQ(m.feature_scales[1], 1.0);
  // "scale" gamma over the standardized entries: column 0 has var 1, column 1 is all 0.
  EXPECT_NEAR(m.gamma_value, 1.0 / (2.0 * 0.5), 1e-12);
  EXPECT_EQ(svr_scale_gamma(std::vector<double>{2.0, 2.0}, 2, 1), 1.0);  // var 0 -> 1
}

TEST(Svr, RejectsBadInput) {
  const Context ctx = cpu_context();
  std::vector<double> x = {0.0, 1.0, 2.0, 3.0}, y = {0.0, 1.0};
  const SvrSpec ok;
  EXPECT_NO_THROW(svr_fit(ctx, x, 2, 2, y, ok));
  auto nan_x = x;
  nan_x[3] = kNaN;
  EXPECT_THROW(svr_fit(ctx, nan_x, 2, 2, y, ok), Error);
  try {
    svr_fit(ctx, nan_x, 2, 2, y, ok);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("row 1, column 1"), std::string::npos) << e.what();
  }
  EXPECT_THROW(svr_fit(ctx, x, 2, 2, std::vector<double>{0.0, kNaN}, ok), Error);
  EXPECT_THROW(svr_fit(ctx, x, 3, 2, y, ok), Error);                         // size mismatch
  EXPECT_THROW(svr_fit(ctx, x, 2, 2, std::vector<double>{1.0}, ok), Error);  // y too short
  EXPECT_THROW(svr_fit(ctx, {}, 0, 2, {}, ok), Error);                       // no rows
  EXPECT_THROW(svr_fit(ctx, x, 2, 2, y, ok, {"a"}), Error);                  // 1 name, d = 2
  SvrSpec bad = ok;
  bad.c = 0.0;
  EXPECT_THROW(svr_fit(ctx, x, 2, 2, y, bad), Error);
  bad = ok;
  bad.c = kNaN;
  EXPECT_THROW(svr_fit(ctx, x, 2, 2, y, bad), Error);
  bad = ok;
  bad.epsilon = -0.1;
  EXPECT_THROW(svr_fit(ctx, x, 2, 2, y, bad), Error);
  bad = ok;
  bad.tol = 0.0;
  EXPECT_THROW(svr_fit(ctx, x, 2, 2, y, bad), Error);
  bad = ok;
  bad.gamma = SvrGamma::fixed(-1.0);
  EXPECT_THROW(svr_fit(ctx, x, 2, 2, y, bad), Error);
  bad = ok;
  bad.log10_target = true;  // y[0] = 0
  EXPECT_THROW(svr_fit(ctx, x, 2, 2, y, bad), Error);
  std::vector<SvrProblem> problems(1);
  problems[0].rows = {0, 2};  // row 2 out of range
  EXPECT_THROW(svr_fit_batch(ctx, x, 2, 2, y, problems), Error);
  problems[0].rows = {};
  EXPECT_THROW(svr_fit_batch(ctx, x, 2, 2, y, problems), Error);
  const SvrModel m = svr_fit(ctx, x, 2, 2, y, ok);
  EXPECT_THROW(svr_predict(ctx, m, std::vector<double>{0.0, kNaN}, 1), Error);
  EXPECT_THROW(svr_predict(ctx, m, std::vector<double>{0.0, 1.0, 2.0}, 1), Error);
}

TEST(Svr, ParsesGamma) {
  EXPECT_TRUE(parse_svr_gamma("scale").scale);
  EXPECT_EQ(parse_svr_gamma("0.25").value, 0.25);
  EXPECT_EQ(to_string(parse_svr_gamma("0.1")), "0.10000000000000001");
  EXPECT_EQ(parse_svr_gamma(to_string(SvrGamma::fixed(0.1))).value, 0.1);
  EXPECT_THROW(parse_svr_gamma("auto"), ConfigError);
  EXPECT_THROW(parse_svr_gamma("0"), ConfigError);
  EXPECT_THROW(parse_svr_gamma("-1"), ConfigError);
  EXPECT_THROW(parse_svr_gamma("1e400"), ConfigError);
  EXPECT_THROW(parse_svr_gamma("0.5x"), ConfigError);
}

}  // namespace
}  // namespace thermex
