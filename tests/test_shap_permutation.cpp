// Monte Carlo SHAP tests, one body for permutation sampling and KernelSHAP: agreement with the
// exact values within 4 standard errors, the 1/sqrt(samples) law of the error and of the reported
// standard errors, exact efficiency of every estimate, seeding, and the stop at a target
// standard error.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "test_shap_support.hpp"
#include "thermex/shap.hpp"

namespace thermex {
namespace {

using testing::random_rows;
using testing::random_svr_model;
using testing::shap_context;
using testing::value_scale;

struct McCase {
  SvrModel model;
  std::vector<double> x, bg;
  std::size_t d = 6, n = 8, nb = 6;
  ShapResult exact;
};

McCase make_case() {
  McCase c;
  const Context ctx = shap_context();
  c.model = random_svr_model(ctx, 81, 40, c.d);
  c.x = random_rows(21, c.n, c.d);
  c.bg = random_rows(22, c.nb, c.d);
  c.exact = svr_shap(ctx, c.model, c.x, c.n, c.bg, c.nb);
  return c;
}

class ShapMonteCarlo : public ::testing::TestWithParam<ShapMethod> {};

ShapResult sample(const McCase& c, std::size_t pairs, std::uint64_t seed) {
  ShapOptions opt;
  opt.method = ShapMonteCarlo::GetParam();
  opt.samples = pairs;
  opt.seed = seed;
  return svr_shap(shap_context(), c.model, c.x, c.n, c.bg, c.nb, opt);
}

double rms_error(const ShapResult& mc, const ShapResult& exact) {
  double ss = 0.0;
  for (std::size_t e = 0; e < mc.values.size(); ++e) {
    ss += (mc.values[e] - exact.values[e]) * (mc.values[e] - exact.values[e]);
  }
  return std::sqrt(ss / static_cast<double>(mc.values.size()));
}

TEST_P(ShapMonteCarlo, WithinFourStandardErrorsOfExactAndEfficient) {
  const McCase c = make_case();
  const ShapResult mc = sample(c, 64, 1);
  ASSERT_EQ(mc.values.size(), c.exact.values.size());
  for (std::size_t e = 0; e < mc.values.size(); ++e) {
    // STYLE.md section 6: MC SHAP within 4 sigma / sqrt(samples) of exact, i.e. 4 standard
    // errors (a dummy-free random model: every SE is > 0).
    EXPECT_GT(mc.std_errors[e], 0.0) << "value " << e;
    EXPECT_LE(std::fabs(mc.values[e] - c.exact.values[e]), 4.0 * mc.std_errors[e])
        << "value " << e << ": mc " << mc.values[e] << ", exact " << c.exact.values[e];
  }
  for (std::size_t i = 0; i < c.n; ++i) {
    EXPECT_EQ(mc.samples_used[i], 64u) << "row " << i;
    double sum = 0.0;
    for (std::size_t p = 0; p < c.d; ++p) sum += mc.values[i * c.d + p];
    // Each permutation's contributions telescope: efficiency as tight as the exact method's.
    EXPECT_NEAR(sum, mc.fx[i] - mc.base_value, 1e-10 * value_scale(mc.fx)) << "row " << i;
  }
}

TEST_P(ShapMonteCarlo, ErrorShrinksLikeOneOverSqrtSamples) {
  const McCase c = make_case();
  // Average over several seeds so that the ratio is not at the mercy of one draw.
  double err_small = 0.0, err_large = 0.0, se_small = 0.0, se_large = 0.0;
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    const ShapResult small = sample(c, 16, seed);
    const ShapResult large = sample(c, 64, seed + 100);
    err_small += rms_error(small, c.exact);
    err_large += rms_error(large, c.exact);
    for (std::size_t e = 0; e < small.std_errors.size(); ++e) {
      se_small += small.std_errors[e];
      se_large += large.std_errors[e];
    }
  }
  // 4x samples: error about half (loosely, [0.3, 0.75]); the mean reported SE tighter.
  EXPECT_GT(err_large / err_small, 0.3);
  EXPECT_LT(err_large / err_small, 0.75);
  EXPECT_GT(se_large / se_small, 0.4);
  EXPECT_LT(se_large / se_small, 0.6);
}

TEST_P(ShapMonteCarlo, SeedDeterminesTheBytes) {
  const McCase c = make_case();
  const ShapResult a = sample(c, 8, 5), b = sample(c, 8, 5), other = sample(c, 8, 6);
  const std::size_t bytes = a.values.size() * sizeof(double);
  EXPECT_EQ(std::memcmp(a.values.data(), b.values.data(), bytes), 0);
  EXPECT_NE(std::memcmp(a.values.data(), other.values.data(), bytes), 0);
}

TEST_P(ShapMonteCarlo, StopsAtTargetStandardError) {
  const McCase c = make_case();
  const ShapResult loose = sample(c, 64, 1);
  double max_se = 0.0;  // every row reaches it near 64 pairs
  for (double v : loose.std_errors) max_se = std::fmax(max_se, v);
  ShapOptions opt;
  opt.method = GetParam();
  opt.samples = 4096;
  opt.seed = 1;
  opt.target_se = max_se;
  const ShapResult r = svr_shap(shap_context(), c.model, c.x, c.n, c.bg, c.nb, opt);
  for (std::size_t i = 0; i < c.n; ++i) {
    EXPECT_LT(r.samples_used[i], 4096u) << "row " << i;
    EXPECT_EQ(r.samples_used[i] % kShapCheckEvery, 0u) << "row " << i;
    for (std::size_t p = 0; p < c.d; ++p) {
      EXPECT_LE(r.std_errors[i * c.d + p], opt.target_se) << "row " << i << ", player " << p;
    }
  }
}

TEST_P(ShapMonteCarlo, SinglePlayerTakesTheWholeDifference) {
  const Context ctx = shap_context();
  const SvrModel model = random_svr_model(ctx, 91, 20, 1);
  const std::vector<double> x = random_rows(31, 3, 1), bg = random_rows(32, 4, 1);
  ShapOptions opt;
  opt.method = GetParam();
  opt.samples = 4;
  const ShapResult r = svr_shap(ctx, model, x, 3, bg, 4, opt);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_NEAR(r.values[i], r.fx[i] - r.base_value, 1e-12 * value_scale(r.fx)) << "row " << i;
    EXPECT_EQ(r.std_errors[i], 0.0) << "row " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Methods, ShapMonteCarlo,
                         ::testing::Values(ShapMethod::kPermutation, ShapMethod::kKernel),
                         [](const ::testing::TestParamInfo<ShapMethod>& param) {
                           return std::string(to_string(param.param));
                         });

}  // namespace
}  // namespace thermex
