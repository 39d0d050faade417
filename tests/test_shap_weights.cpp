// Weighted SHAP backgrounds (ShapOptions::background_weights): exact vs brute force and a
// definition-level reference under weights, efficiency against the weighted base value,
// integer weights = repeated background rows for every method, uniform weights = no weights,
// zero weights = dropped rows, and validation of bad weights.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "test_shap_support.hpp"
#include "thermex/error.hpp"
#include "thermex/math/shapley.hpp"
#include "thermex/shap.hpp"

namespace thermex {
namespace {

using testing::random_rows;
using testing::random_svr_model;
using testing::shap_context;
using testing::value_scale;

// Weighted interventional Shapley values of row x by definition: v(S) = sum_b w_b f(x_S, b_~S)
// / sum_b w_b with f from svr_predict, all 2^d coalitions, one player per column.
std::vector<double> weighted_reference(const Context& ctx, const SvrModel& model, const double* x,
                                       const std::vector<double>& bg, std::size_t nb,
                                       const std::vector<double>& w) {
  const std::size_t d = model.n_features;
  double total = 0.0;
  for (double a : w) total += a;
  std::vector<double> v(std::size_t{1} << d);
  for (std::size_t s = 0; s < v.size(); ++s) {
    std::vector<double> hybrid = bg;
    for (std::size_t c = 0; c < d; ++c) {
      if (((s >> c) & 1U) == 0) continue;
      for (std::size_t b = 0; b < nb; ++b) hybrid[b * d + c] = x[c];
    }
    const std::vector<double> f = svr_predict(ctx, model, hybrid, nb);
    double sum = 0.0;
    for (std::size_t b = 0; b < nb; ++b) sum += w[b] * f[b];
    v[s] = sum / total;
  }
  std::vector<double> phi(d, 0.0);
  for (std::size_t i = 0; i < d; ++i) {
    for (std::size_t s = 0; s < v.size(); ++s) {
      if (((s >> i) & 1U) != 0) continue;
      phi[i] += math::shapley_weight(__builtin_popcountll(s), static_cast<int>(d)) *
                (v[s | (std::size_t{1} << i)] - v[s]);
    }
  }
  return phi;
}

std::vector<double> random_weights(std::uint64_t id, std::size_t nb) {
  math::PhiloxStream rng(91, math::RngPurpose::kTest, id);
  std::vector<double> w(nb);
  for (double& a : w) a = 0.1 + 3.0 * rng.uniform();
  return w;
}

TEST(ShapWeights, ExactMatchesBruteForceAndTheDefinition) {
  const Context ctx = shap_context();
  for (std::size_t d : {1u, 3u, 5u, 8u}) {
    const SvrModel model = random_svr_model(ctx, 300 + d, 30, d);
    const std::size_t n = 4, nb = 6;
    const std::vector<double> x = random_rows(3000 + d, n, d), bg = random_rows(4000 + d, nb, d);
    ShapOptions opt;
    opt.background_weights = random_weights(d, nb);
    const ShapResult exact = svr_shap(ctx, model, x, n, bg, nb, opt);
    opt.method = ShapMethod::kBruteForce;
    const ShapResult brute = svr_shap(ctx, model, x, n, bg, nb, opt);
    ASSERT_EQ(exact.values.size(), n * d);
    const double tol = 1e-10 * value_scale(brute.values);  // brute force at d <= 10: 1e-10
    for (std::size_t e = 0; e < exact.values.size(); ++e) {
      EXPECT_NEAR(exact.values[e], brute.values[e], tol) << "d = " << d << ", value " << e;
    }
    EXPECT_NEAR(exact.base_value, brute.base_value, 1e-12 * value_scale({brute.base_value}))
        << "d = " << d;
    if (d > 5) continue;  // the svr_predict reference costs 2^d predictions per row
    for (std::size_t i = 0; i < n; ++i) {
      const std::vector<double> ref =
          weighted_reference(ctx, model, x.data() + i * d, bg, nb, opt.background_weights);
      for (std::size_t p = 0; p < d; ++p) {
        EXPECT_NEAR(exact.values[i * d + p], ref[p], 1e-10 * value_scale(ref))
            << "d = " << d << ", row " << i << ", player " << p;
      }
    }
  }
}

TEST(ShapWeights, EfficiencyAgainstTheWeightedBaseValue) {
  const Context ctx = shap_context();
  const std::size_t d = 7, n = 10, nb = 9;
  const SvrModel model = random_svr_model(ctx, 17, 40, d);
  const std::vector<double> x = random_rows(31, n, d), bg = random_rows(32, nb, d);
  ShapOptions opt;
  opt.background_weights = random_weights(7, nb);
  const ShapResult r = svr_shap(ctx, model, x, n, bg, nb, opt);
  const std::vector<double> fx = svr_predict(ctx, model, x, n);
  const std::vector<double> fb = svr_predict(ctx, model, bg, nb);
  double base = 0.0, total = 0.0;
  for (std::size_t b = 0; b < nb; ++b) {
    base += opt.background_weights[b] * fb[b];
    total += opt.background_weights[b];
  }
  base /= total;
  EXPECT_NEAR(r.base_value, base, 1e-12 * value_scale(fb));
  for (std::size_t i = 0; i < n; ++i) {
    double sum = 0.0;
    for (std::size_t p = 0; p < d; ++p) sum += r.values[i * d + p];
    EXPECT_NEAR(sum, fx[i] - base, 1e-10 * value_scale(fx)) << "row " << i;
  }
  EXPECT_LE(r.max_efficiency_violation, 1e-10 * value_scale(fx));
}

// Integer weights (3, 1, 0, 2) against the background with row 0 three times, row 1 once,
// row 2 never and row 3 twice: the same game, so the same values for every method (the Monte
// Carlo methods draw the same coalitions: their streams depend on the row and pair only).
TEST(ShapWeights, IntegerWeightsEqualRepeatedRowsForEveryMethod) {
  const Context ctx = shap_context();
  const std::size_t d = 5, n = 3, nb = 4;
  const SvrModel model = random_svr_model(ctx, 23, 30, d);
  const std::vector<double> x = random_rows(41, n, d), bg = random_rows(42, nb, d);
  const std::vector<double> w = {3.0, 1.0, 0.0, 2.0};
  std::vector<double> repeated;
  for (std::size_t b = 0; b < nb; ++b) {
    for (int t = 0; t < static_cast<int>(w[b]); ++t) {
      repeated.insert(repeated.end(), bg.begin() + static_cast<std::ptrdiff_t>(b * d),
                      bg.begin() + static_cast<std::ptrdiff_t>((b + 1) * d));
    }
  }
  const std::size_t nr = repeated.size() / d;
  ASSERT_EQ(nr, 6u);
  for (ShapMethod method : {ShapMethod::kExact, ShapMethod::kBruteForce, ShapMethod::kPermutation,
                            ShapMethod::kKernel}) {
    ShapOptions opt;
    opt.method = method;
    opt.samples = 8;
    opt.seed = 5;
    const ShapResult plain = svr_shap(ctx, model, x, n, repeated, nr, opt);
    opt.background_weights = w;
    const ShapResult weighted = svr_shap(ctx, model, x, n, bg, nb, opt);
    const double tol = 1e-12 * value_scale(plain.values);  // sums of <= 6 x n_sv terms
    EXPECT_NEAR(weighted.base_value, plain.base_value, tol) << to_string(method);
    for (std::size_t e = 0; e < plain.values.size(); ++e) {
      EXPECT_NEAR(weighted.values[e], plain.values[e], tol) << to_string(method) << ", value " << e;
    }
  }
}

TEST(ShapWeights, UniformWeightsGiveTheUnweightedValues) {
  const Context ctx = shap_context();
  const std::size_t d = 4, n = 5, nb = 7;
  const SvrModel model = random_svr_model(ctx, 29, 30, d);
  const std::vector<double> x = random_rows(51, n, d), bg = random_rows(52, nb, d);
  const ShapResult plain = svr_shap(ctx, model, x, n, bg, nb);
  ShapOptions opt;
  opt.background_weights.assign(nb, 2.5);  // any constant: normalized to 1 / nb
  const ShapResult weighted = svr_shap(ctx, model, x, n, bg, nb, opt);
  const double tol = 1e-12 * value_scale(plain.values);
  EXPECT_NEAR(weighted.base_value, plain.base_value, tol);
  for (std::size_t e = 0; e < plain.values.size(); ++e) {
    EXPECT_NEAR(weighted.values[e], plain.values[e], tol) << "value " << e;
  }
}

TEST(ShapWeights, RejectsBadWeights) {
  const Context ctx = shap_context();
  const std::size_t d = 3, nb = 4;
  const SvrModel model = random_svr_model(ctx, 31, 20, d);
  const std::vector<double> x = random_rows(61, 2, d), bg = random_rows(62, nb, d);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const std::vector<double>& w :
       {std::vector<double>{1.0, 1.0, 1.0}, std::vector<double>{1.0, -1.0, 1.0, 1.0},
        std::vector<double>{0.0, 0.0, 0.0, 0.0}, std::vector<double>{1.0, nan, 1.0, 1.0},
        std::vector<double>{1.0, std::numeric_limits<double>::infinity(), 1.0, 1.0}}) {
    ShapOptions opt;
    opt.background_weights = w;
    EXPECT_THROW(svr_shap(ctx, model, x, 2, bg, nb, opt), Error) << "weights " << w.size();
  }
}

}  // namespace
}  // namespace thermex
