// Exact SHAP tests: the quadrature and Owen formula of math/shapley.hpp against enumeration,
// exact vs brute force vs a definition-level reference (svr_predict on hybrid rows) on random SVR
// models, efficiency, player groups, dummy and symmetric players, the log10 target, determinism
// and input validation.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "test_shap_support.hpp"
#include "thermex/error.hpp"
#include "thermex/math/shapley.hpp"
#include "thermex/shap.hpp"

namespace thermex {
namespace {

using testing::random_rows;
using testing::random_svr_model;
using testing::reference_shap;
using testing::shap_context;
using testing::value_scale;

TEST(ShapMath, GaussLegendreIntegratesPolynomialsExactly) {
  for (int n = 1; n <= math::kMaxGaussNodes; ++n) {
    double u[math::kMaxGaussNodes], w[math::kMaxGaussNodes];
    ASSERT_TRUE(math::gauss_legendre_01(n, u, w)) << "n = " << n;
    for (int q = 0; q < n; ++q) {
      EXPECT_TRUE(u[q] > 0.0 && u[q] < 1.0 && w[q] > 0.0) << "n = " << n << ", node " << q;
      if (q > 0) {
        EXPECT_LT(u[q - 1], u[q]) << "n = " << n << ", node " << q;
      }
    }
    // Monomials u^k, k <= 2n - 1, integrate to 1 / (k + 1); rtol 1e-13 for n-term sums.
    for (int k = 0; k <= 2 * n - 1; ++k) {
      double sum = 0.0;
      for (int q = 0; q < n; ++q) sum += w[q] * std::pow(u[q], k);
      EXPECT_NEAR(sum, 1.0 / (k + 1), 1e-13) << "n = " << n << ", degree " << k;
    }
  }
  double u[1], w[1];
  EXPECT_FALSE(math::gauss_legendre_01(0, u, w));
  EXPECT_FALSE(math::gauss_legendre_01(math::kMaxGaussNodes + 1, u, w));
}

TEST(ShapMath, OwenFormulaMatchesEnumerationOfAMultilinearGame) {
  math::PhiloxStream rng(5, math::RngPurpose::kTest, 0);
  for (int m = 1; m <= 10; ++m) {
    std::vector<double> a(static_cast<std::size_t>(m)), c(a.size());
    for (std::size_t j = 0; j < a.size(); ++j) {
      a[j] = rng.uniform();
      c[j] = j == 2 ? 0.0 : rng.uniform();  // a zero factor must not break the products
    }
    const int nodes = math::owen_node_count(m);
    double u[math::kMaxGaussNodes], w[math::kMaxGaussNodes];
    math::gauss_legendre_01(nodes, u, w);
    std::vector<double> work(3 * a.size()), phi(a.size(), 0.0);
    math::owen_shapley_add(a.data(), c.data(), m, 2.5, u, w, nodes, work.data(), phi.data());
    for (int i = 0; i < m; ++i) {
      double ref = 0.0;
      for (unsigned s = 0; s < (1U << m); ++s) {
        if (((s >> i) & 1U) != 0) continue;
        double without = 1.0, with_i = 1.0;
        for (int j = 0; j < m; ++j) {
          const bool in_s = ((s >> j) & 1U) != 0;
          without *= in_s ? a[j] : c[j];
          with_i *= (in_s || j == i) ? a[j] : c[j];
        }
        ref += math::shapley_weight(__builtin_popcount(s), m) * (with_i - without);
      }
      // rtol 1e-12: header math in double, 2^m terms of magnitude <= 1.
      EXPECT_NEAR(phi[static_cast<std::size_t>(i)], 2.5 * ref, 1e-12)
          << "m = " << m << ", i = " << i;
    }
  }
}

TEST(ShapMath, ShapleyWeightsSumToOneOverCoalitions) {
  for (int m = 1; m <= 20; ++m) {
    double total = 0.0;  // sum over S without i of w(|S|) = sum_s binom(m-1, s) w(s) = 1
    double binom = 1.0;
    for (int s = 0; s < m; ++s) {
      total += binom * math::shapley_weight(s, m);
      binom = binom * (m - 1 - s) / (s + 1);
    }
    EXPECT_NEAR(total, 1.0, 1e-13) << "m = " << m;
  }
}

TEST(Shap, ExactMatchesBruteForceAndTheDefinitionOnRandomModels) {
  const Context ctx = shap_context();
  for (std::size_t d : {1u, 2u, 3u, 5u, 8u, 10u}) {
    const SvrModel model = random_svr_model(ctx, 100 + d, 30, d);
    const std::size_t n = 4, nb = 5;
    const std::vector<double> x = random_rows(1000 + d, n, d), bg = random_rows(2000 + d, nb, d);
    ShapOptions opt;
    const ShapResult exact = svr_shap(ctx, model, x, n, bg, nb, opt);
    opt.method = ShapMethod::kBruteForce;
    const ShapResult brute = svr_shap(ctx, model, x, n, bg, nb, opt);
    ASSERT_EQ(exact.values.size(), n * d);
    const double tol = 1e-10 * value_scale(brute.values);  // brute force at d <= 10: 1e-10
    for (std::size_t e = 0; e < exact.values.size(); ++e) {
      EXPECT_NEAR(exact.values[e], brute.values[e], tol) << "d = " << d << ", value " << e;
    }
    if (d > 5) continue;  // the svr_predict reference costs 2^d predictions per row
    for (std::size_t i = 0; i < n; ++i) {
      const std::vector<double> ref =
          reference_shap(ctx, model, x.data() + i * d, bg, nb, exact.player_sets);
      for (std::size_t p = 0; p < d; ++p) {
        // Kernel values from the GEMM expansion of svr_predict: agree to ~1e-13 per term.
        EXPECT_NEAR(exact.values[i * d + p], ref[p], 1e-10 * value_scale(ref))
            << "d = " << d << ", row " << i << ", player " << p;
      }
    }
  }
}

TEST(Shap, EfficiencyHoldsAndFxIsThePrediction) {
  const Context ctx = shap_context();
  const std::size_t d = 7, n = 12, nb = 9;
  const SvrModel model = random_svr_model(ctx, 7, 40, d);
  const std::vector<double> x = random_rows(1, n, d), bg = random_rows(2, nb, d);
  const ShapResult r = svr_shap(ctx, model, x, n, bg, nb);
  const std::vector<double> fx = svr_predict(ctx, model, x, n);
  const std::vector<double> fb = svr_predict(ctx, model, bg, nb);
  double base = 0.0;
  for (double v : fb) base += v / static_cast<double>(nb);
  EXPECT_NEAR(r.base_value, base, 1e-12 * value_scale(fb));
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_NEAR(r.fx[i], fx[i], 1e-12 * value_scale(fx)) << "row " << i;
    double sum = 0.0;
    for (std::size_t p = 0; p < d; ++p) sum += r.values[i * d + p];
    EXPECT_NEAR(sum, fx[i] - base, 1e-10 * value_scale(fx)) << "row " << i;
  }
  EXPECT_LE(r.max_efficiency_violation, 1e-10 * value_scale(fx));
  EXPECT_EQ(r.std_errors, std::vector<double>(n * d, 0.0));
}

TEST(Shap, OneHotGroupIsOnePlayerAndMatchesBruteForceOverGroups) {
  const Context ctx = shap_context();
  const std::size_t d = 6, n = 5, nb = 6;
  // Columns 1, 2, 3 are a one-hot categorical: exactly one of them is 1 in every row.
  std::vector<double> xt, yt;
  testing::synthetic_svr_problem(31, 40, d, xt, yt);
  auto one_hot = [&](std::vector<double>& rows, std::size_t count, std::uint64_t id) {
    math::PhiloxStream rng(9, math::RngPurpose::kTest, id);
    for (std::size_t i = 0; i < count; ++i) {
      const std::uint64_t level = rng.below(3);
      for (std::size_t c = 0; c < 3; ++c) rows[i * d + 1 + c] = c == level ? 1.0 : 0.0;
    }
  };
  one_hot(xt, 40, 0);
  for (std::size_t i = 0; i < 40; ++i) yt[i] += 0.7 * xt[i * d + 2];
  SvrSpec spec;
  spec.c = 10.0;
  spec.epsilon = 0.01;
  const SvrModel model = svr_fit(ctx, xt, 40, d, yt, spec, {"a", "k_x", "k_y", "k_z", "b", "c"});
  std::vector<ColumnMeta> metas(d);
  for (std::size_t c = 0; c < d; ++c) metas[c].name = model.feature_names[c];
  for (std::size_t c = 1; c <= 3; ++c) metas[c].group = "kind";
  ShapOptions opt;
  opt.players = shap_players_from_metas(metas);
  ASSERT_EQ(opt.players.names, (std::vector<std::string>{"a", "kind", "b", "c"}));
  ASSERT_EQ(opt.players.columns[1], (std::vector<std::size_t>{1, 2, 3}));
  std::vector<double> x = random_rows(3, n, d), bg = random_rows(4, nb, d);
  one_hot(x, n, 1);
  one_hot(bg, nb, 2);
  const ShapResult exact = svr_shap(ctx, model, x, n, bg, nb, opt);
  opt.method = ShapMethod::kBruteForce;
  const ShapResult brute = svr_shap(ctx, model, x, n, bg, nb, opt);
  ASSERT_EQ(exact.players, 4u);
  for (std::size_t e = 0; e < exact.values.size(); ++e) {
    EXPECT_NEAR(exact.values[e], brute.values[e], 1e-10 * value_scale(brute.values)) << e;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::vector<double> ref =
        reference_shap(ctx, model, x.data() + i * d, bg, nb, opt.players);
    for (std::size_t p = 0; p < 4; ++p) {
      EXPECT_NEAR(exact.values[i * 4 + p], ref[p], 1e-10 * value_scale(ref))
          << "row " << i << ", player " << p;
    }
  }
}

TEST(Shap, DummyAndSymmetricPlayers) {
  const Context ctx = shap_context();
  const std::size_t d = 4, n = 6, nb = 7, nt = 40;
  // Column 3 is constant (a feature the model cannot use); column 1 duplicates column 0.
  std::vector<double> xt, yt;
  testing::synthetic_svr_problem(41, nt, d, xt, yt);
  for (std::size_t i = 0; i < nt; ++i) {
    xt[i * d + 1] = xt[i * d];
    xt[i * d + 3] = 2.0;
  }
  SvrSpec spec;
  spec.c = 10.0;
  spec.epsilon = 0.01;
  const SvrModel model = svr_fit(ctx, xt, nt, d, yt, spec);
  std::vector<double> x = random_rows(5, n, d), bg = random_rows(6, nb, d);
  for (std::vector<double>* rows : {&x, &bg}) {
    for (std::size_t i = 0; i < rows->size() / d; ++i) {
      (*rows)[i * d + 1] = (*rows)[i * d];
      (*rows)[i * d + 3] = 2.0;
    }
  }
  const ShapResult r = svr_shap(ctx, model, x, n, bg, nb);
  const double scale = value_scale(r.values);
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_EQ(r.values[i * d + 3], 0.0) << "dummy player, row " << i;
    // Symmetric players: equal up to the rounding of a permuted product.
    EXPECT_NEAR(r.values[i * d + 0], r.values[i * d + 1], 1e-12 * scale) << "row " << i;
  }
}

TEST(Shap, Log10ModelIsExplainedInLogSpace) {
  const Context ctx = shap_context();
  const std::size_t d = 3, n = 4, nb = 5;
  const SvrModel model = random_svr_model(ctx, 51, 30, d, /*log10_target=*/true);
  const std::vector<double> x = random_rows(7, n, d), bg = random_rows(8, nb, d);
  const ShapResult r = svr_shap(ctx, model, x, n, bg, nb);
  EXPECT_TRUE(r.log10_target);
  const std::vector<double> fx = svr_predict(ctx, model, x, n);
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_NEAR(r.fx[i], std::log10(fx[i]), 1e-12) << "row " << i;
    const std::vector<double> ref =
        reference_shap(ctx, model, x.data() + i * d, bg, nb, r.player_sets);
    for (std::size_t p = 0; p < d; ++p) {
      EXPECT_NEAR(r.values[i * d + p], ref[p], 1e-10 * value_scale(ref))
          << "row " << i << ", " << p;
    }
  }
}

TEST(Shap, OneAndTwoThreadsGiveTheSameBytes) {
  const std::size_t d = 6, n = 9, nb = 8;
  const SvrModel model = random_svr_model(shap_context(), 61, 40, d);
  const std::vector<double> x = random_rows(9, n, d), bg = random_rows(10, nb, d);
  for (ShapMethod method : {ShapMethod::kExact, ShapMethod::kBruteForce, ShapMethod::kPermutation,
                            ShapMethod::kKernel}) {
    ShapOptions opt;
    opt.method = method;
    opt.samples = 4;
    opt.seed = 3;
    const ShapResult one = svr_shap(shap_context(1), model, x, n, bg, nb, opt);
    const ShapResult two = svr_shap(shap_context(2), model, x, n, bg, nb, opt);
    const ShapResult again = svr_shap(shap_context(2), model, x, n, bg, nb, opt);
    const std::size_t bytes = one.values.size() * sizeof(double);
    EXPECT_EQ(std::memcmp(one.values.data(), two.values.data(), bytes), 0) << to_string(method);
    EXPECT_EQ(std::memcmp(two.values.data(), again.values.data(), bytes), 0) << to_string(method);
    EXPECT_EQ(std::memcmp(one.std_errors.data(), two.std_errors.data(), bytes), 0)
        << to_string(method);
  }
}

TEST(Shap, RejectsBadInput) {
  const Context ctx = shap_context();
  const std::size_t d = 3;
  const SvrModel model = random_svr_model(ctx, 71, 20, d);
  std::vector<double> x = random_rows(11, 2, d), bg = random_rows(12, 2, d);
  EXPECT_THROW(svr_shap(ctx, model, x, 2, bg, 0), Error);
  EXPECT_THROW(svr_shap(ctx, model, x, 0, bg, 2), Error);
  EXPECT_THROW(svr_shap(ctx, model, x, 3, bg, 2), Error);  // size mismatch
  std::vector<double> bad = x;
  bad[4] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(svr_shap(ctx, model, bad, 2, bg, 2), Error);
  ShapOptions opt;
  opt.players.columns = {{0, 1}, {1, 2}};  // column 1 twice
  opt.players.names = {"p", "q"};
  EXPECT_THROW(svr_shap(ctx, model, x, 2, bg, 2, opt), Error);
  opt.players.columns = {{0}, {1}};  // column 2 in no player
  EXPECT_THROW(svr_shap(ctx, model, x, 2, bg, 2, opt), Error);
  opt.players = {};
  opt.method = ShapMethod::kPermutation;
  opt.samples = 1;
  EXPECT_THROW(svr_shap(ctx, model, x, 2, bg, 2, opt), ConfigError);
  const SvrModel wide = random_svr_model(ctx, 72, 20, 17);
  const std::vector<double> xw = random_rows(13, 1, 17);
  opt.method = ShapMethod::kBruteForce;
  EXPECT_THROW(svr_shap(ctx, wide, xw, 1, xw, 1, opt), ConfigError);
}

TEST(Shap, MethodNamesRoundTrip) {
  for (ShapMethod m : {ShapMethod::kExact, ShapMethod::kPermutation, ShapMethod::kKernel,
                       ShapMethod::kBruteForce}) {
    EXPECT_EQ(parse_shap_method(to_string(m)), m);
  }
  EXPECT_THROW(parse_shap_method("kernel-ish"), ConfigError);
}

}  // namespace
}  // namespace thermex
