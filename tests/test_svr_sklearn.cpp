// SVR against scikit-learn (libsvm) on the committed fixtures of tests/data/svr/ (made by
// tools/peers/make_svr_fixtures.py), with issue 3's tolerances:
// - tol 1e-3 on both sides: predictions within 2e-3 std(y), dual objective within 1e-5 relative.
//   Those numbers are calibrated on a problem where scikit-learn itself moves by 6.6e-4 std(y)
//   and 8.8e-7 between tol 1e-3 and 1e-8. No solver stopped at tol 1e-3 can be closer to
//   another than to the optimum, so where scikit-learn's own 1e-3 -> 1e-8 drift is larger
//   (raw120: C = 100 on unstandardized features, objective drift 8.4e-5) the bound is 1.5 x
//   that drift instead; the test prints which bound applies.
// - tol 1e-8 on both sides: predictions within 1e-6 std(y). libsvm stores Q in float (Qfloat),
//   so it solves a float-rounded problem; with libsvm_float_kernel = true we solve that very
//   problem and meet 1e-6 (measured <= 1.2e-8). With the default double kernel we reach the
//   exact problem's optimum: its objective is at least as low as libsvm's, and predictions
//   differ from libsvm's by the effect of the float rounding (measured 3.6e-5 std(y) on raw120,
//   <= 1.5e-6 elsewhere; bound 1e-4).
// With log10_target the comparison is on log10 of the predictions and std(log10 y), the units
// the model is fitted in.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include "svr_test_support.hpp"
#include "thermex/context.hpp"
#include "thermex/svr.hpp"

namespace thermex {
namespace {

using testing::SvrFixture;

Context cpu_context() { return Context::create({.device = DeviceRequest::kCpu, .quiet = true}); }

// Largest |ours - sklearn| over all rows (training and query), in fitted-target units, divided
// by std of the fitted training target. NaN anywhere gives NaN, which fails every comparison.
double max_scaled_deviation(const SvrFixture& f, const std::vector<double>& ours,
                            const std::string& column) {
  const std::vector<double>& ref = f.pred.at(column);
  std::vector<double> t = f.train_y();
  if (f.spec.log10_target) {
    for (double& v : t) v = std::log10(v);
  }
  const double scale = testing::population_std(t);
  double worst = 0.0;
  for (std::size_t i = 0; i < f.n; ++i) {
    const double a = f.spec.log10_target ? std::log10(ours[i]) : ours[i];
    const double b = f.spec.log10_target ? std::log10(ref[i]) : ref[i];
    const double dev = std::abs(a - b) / scale;
    if (!(dev <= worst)) worst = dev;  // NaN sticks
  }
  return worst;
}

SvrModel fit_fixture(const SvrFixture& f, double tol, std::size_t budget, bool float_kernel = false,
                     bool shrinking = false) {
  SvrSpec spec = f.spec;
  spec.libsvm_float_kernel = float_kernel;
  spec.shrinking = shrinking;
  spec.tol = tol;
  spec.kernel_budget_bytes = budget;
  const std::vector<double> x = f.train_x(), y = f.train_y();
  return svr_fit(cpu_context(), x, f.n_train, f.d, y, spec);
}

struct Case {
  std::string name;
  std::size_t budget;  // kernel memory budget: the default (full matrix) or 64 KiB (row cache)
};

class SvrSklearn : public ::testing::TestWithParam<Case> {};
// The LRU row-cache path on a subset of the fixtures (tol 1e-3 checks only: a cached solve
// recomputes rows, which is slow at the ~20k iterations of tol 1e-8).
class SvrSklearnRowCache : public ::testing::TestWithParam<Case> {};

void check_tol1e3(const Case& c, bool shrinking = false) {
  const SvrFixture f = testing::load_svr_fixture(c.name);
  const SvrModel m = fit_fixture(f, 1e-3, c.budget, false, shrinking);
  ASSERT_TRUE(m.converged);
  const std::vector<double> pred = svr_predict(cpu_context(), m, f.x, f.n);
  const double dev = max_scaled_deviation(f, pred, "pred_tol1e-3");
  const double dev_shrink = max_scaled_deviation(f, pred, "pred_shrink_tol1e-3");
  const double ref_obj = f.param("objective_1e-3");
  const double obj_rel = std::abs(m.dual_objective - ref_obj) / std::abs(ref_obj);
  // scikit-learn's own drift between its tol 1e-3 and tol 1e-8 solutions.
  const double drift_pred = max_scaled_deviation(f, f.pred.at("pred_tol1e-3"), "pred_tol1e-8");
  const double drift_obj =
      std::abs(ref_obj - f.param("objective_1e-8")) / std::abs(f.param("objective_1e-8"));
  const double tol_pred = std::max(2e-3, 1.5 * drift_pred);
  const double tol_obj = std::max(1e-5, 1.5 * drift_obj);
  std::cout << "[svr vs sklearn] " << f.name << (shrinking ? " shrinking" : "")
            << " tol 1e-3: max |dpred|/std(y) = " << dev << " (vs shrinking sklearn " << dev_shrink
            << "; bound " << tol_pred << "), objective rel diff = " << obj_rel << " (bound "
            << tol_obj << "); sklearn's own drift: pred " << drift_pred << ", objective "
            << drift_obj << "; n_sv " << m.n_support() << " vs " << f.params.at("n_support_1e-3")
            << ", iters " << m.n_iter << " vs " << f.params.at("n_iter_1e-3") << "\n";
  EXPECT_LE(dev, tol_pred) << f.name;
  EXPECT_LE(dev_shrink, tol_pred) << f.name;
  EXPECT_LE(obj_rel, tol_obj) << f.name << ": ours " << m.dual_objective << " sklearn " << ref_obj;
}

TEST_P(SvrSklearn, Tol1e8ReachesTheExactOptimum) {
  const SvrFixture f = testing::load_svr_fixture(GetParam().name);
  const SvrModel m = fit_fixture(f, 1e-8, GetParam().budget);
  ASSERT_TRUE(m.converged);
  const std::vector<double> pred = svr_predict(cpu_context(), m, f.x, f.n);
  const double dev = max_scaled_deviation(f, pred, "pred_tol1e-8");
  const double ref_obj = f.param("objective_1e-8");
  const double obj_rel = std::abs(m.dual_objective - ref_obj) / std::abs(ref_obj);
  std::cout << "[svr vs sklearn] " << f.name << " tol 1e-8: max |dpred|/std(y) = " << dev
            << ", objective rel diff = " << obj_rel << ", intercept " << m.intercept << " vs "
            << f.params.at("intercept_1e-8") << "\n";
  EXPECT_LE(dev, 1e-4) << f.name;
  // We minimize the exact problem: never worse than libsvm's float-kernel solution, up to the
  // rounding of the two objective evaluations (O(n^2) sums, 1e-12 relative).
  EXPECT_LE(m.dual_objective, ref_obj + 1e-12 * std::abs(ref_obj))
      << f.name << ": ours " << m.dual_objective << " sklearn " << ref_obj;
  EXPECT_LE(obj_rel, 1e-8) << f.name;
}

TEST_P(SvrSklearn, Tol1e8FloatKernelMatchesPredictions) {
  const SvrFixture f = testing::load_svr_fixture(GetParam().name);
  const SvrModel m = fit_fixture(f, 1e-8, GetParam().budget, true);
  ASSERT_TRUE(m.converged);
  const std::vector<double> pred = svr_predict(cpu_context(), m, f.x, f.n);
  const double dev = max_scaled_deviation(f, pred, "pred_tol1e-8");
  std::cout << "[svr vs sklearn] " << f.name
            << " tol 1e-8 float kernel: max |dpred|/std(y) = " << dev << ", intercept "
            << m.intercept << " vs " << f.params.at("intercept_1e-8") << "\n";
  EXPECT_LE(dev, 1e-6) << f.name;
}

void check_kkt(const Case& c) {
  const SvrFixture f = testing::load_svr_fixture(c.name);
  const SvrModel m = fit_fixture(f, 1e-3, c.budget);
  const std::vector<double> x = f.train_x(), y = f.train_y();
  const SvrDualCheck check = svr_training_check(cpu_context(), m, x, f.n_train, y);
  // Recomputed from scratch (fresh kernel, fresh gradient): the gap is below tol and the
  // objective is the solver's up to the rounding of O(n^2) sums (rtol 1e-10).
  EXPECT_LT(check.kkt_gap, 1e-3) << f.name;
  EXPECT_LE(std::abs(check.kkt_gap - m.kkt_gap), 1e-9) << f.name;
  EXPECT_NEAR(check.objective, m.dual_objective, 1e-10 * std::abs(m.dual_objective)) << f.name;
}

TEST_P(SvrSklearn, Tol1e3MatchesPredictionsAndObjective) { check_tol1e3(GetParam()); }
TEST_P(SvrSklearn, Tol1e3WithShrinkingMatches) { check_tol1e3(GetParam(), true); }
TEST_P(SvrSklearn, Tol1e8WithShrinkingReachesTheOptimum) {
  const SvrFixture f = testing::load_svr_fixture(GetParam().name);
  const SvrModel m = fit_fixture(f, 1e-8, GetParam().budget, false, true);
  ASSERT_TRUE(m.converged);
  const std::vector<double> pred = svr_predict(cpu_context(), m, f.x, f.n);
  const double ref_obj = f.param("objective_1e-8");
  EXPECT_LE(max_scaled_deviation(f, pred, "pred_tol1e-8"), 1e-4) << f.name;
  EXPECT_LE(std::abs(m.dual_objective - ref_obj) / std::abs(ref_obj), 1e-8) << f.name;
}
TEST_P(SvrSklearn, KktConditionsHoldAtTheSolution) { check_kkt(GetParam()); }
TEST_P(SvrSklearnRowCache, Tol1e3MatchesPredictionsAndObjective) { check_tol1e3(GetParam()); }
TEST_P(SvrSklearnRowCache, KktConditionsHoldAtTheSolution) { check_kkt(GetParam()); }

TEST_P(SvrSklearn, GammaEqualsSklearns) {
  const SvrFixture f = testing::load_svr_fixture(GetParam().name);
  const SvrModel m = fit_fixture(f, 1e-3, GetParam().budget);
  const double ref = f.param("gamma_value");
  if (!f.spec.gamma.scale) {
    EXPECT_EQ(m.gamma_value, ref) << f.name << ": a fixed gamma is used as given";
    return;
  }
  // var over the standardized entries: sums of O(n d) terms in another order (rtol 1e-12).
  EXPECT_NEAR(m.gamma_value, ref, 1e-12 * ref) << f.name;
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  return info.param.name + (info.param.budget == SvrSpec{}.kernel_budget_bytes ? "" : "_cache");
}

INSTANTIATE_TEST_SUITE_P(Fixtures, SvrSklearn,
                         ::testing::Values(Case{"friedman200", SvrSpec{}.kernel_budget_bytes},
                                           Case{"scale600", SvrSpec{}.kernel_budget_bytes},
                                           Case{"log150", SvrSpec{}.kernel_budget_bytes},
                                           Case{"raw120", SvrSpec{}.kernel_budget_bytes}),
                         case_name);
// Budgets below the full matrix (600^2 and 200^2 doubles): 1 MiB caches 218 of 600 rows,
// 96 KiB caches 61 of 200 rows.
INSTANTIATE_TEST_SUITE_P(Fixtures, SvrSklearnRowCache,
                         ::testing::Values(Case{"scale600", std::size_t{1} << 20},
                                           Case{"friedman200", std::size_t{96} << 10}),
                         case_name);

}  // namespace
}  // namespace thermex
