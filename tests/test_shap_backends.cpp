// Exact SHAP on both backends ({cpu, cuda}, STYLE.md section 6): against brute force over all
// coalitions (CPU) at d <= 10, CUDA against the CPU's exact values, efficiency, one-hot groups
// as one player, weighted backgrounds against repeated rows, dummy players at 17 and 40 players
// (the larger CUDA kernel instances), and the log10 target. The GPU-only tests call the CUDA
// backend directly: forced one-row chunks and several (b, k) tiles give the same bytes as one
// chunk, runs repeat bit for bit, empty input and bad weights. Plus the per-element factor math
// both backends share.
//
// Tolerance (CUDA vs CPU, and either vs brute force): 1e-10 * max(1, max |phi|). Both backends
// add the same terms beta_k omega_b (a_ki - c_ki) I_ki, only in another order (CPU: 16 lanes
// per background row, then the lanes; CUDA: 128 threads per 2048-pair tile, a CUB tree, then
// the tiles) and with FMA contraction on the device. Each term is below |beta_k| omega_b in
// size (factors in (0, 1], the integral of a product of convex combinations of them too), so
// the difference is bounded by ~(log2 terms + 10) eps sum_k |beta_k| (Higham sec. 4.2, pairwise
// sums): with C = 10 and <= 60 support vectors sum |beta| <= 600, i.e. < 2e-12 here. 1e-10 leaves
// room while a wrong factor, weight, tile or player offset moves values by O(0.01 - 1).
#include <gtest/gtest.h>

#include "backend_test_support.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "../src/shap_exact_impl.hpp"
#include "test_shap_support.hpp"
#include "thermex/error.hpp"
#include "thermex/math/philox.hpp"
#include "thermex/math/shapley.hpp"
#include "thermex/shap.hpp"

namespace thermex {
namespace {

using testing::random_rows;
using testing::random_svr_model;
using testing::shap_context;
using testing::value_scale;
using testing_support::backend_name;
using testing_support::BackendTest;
using testing_support::both_backends;

constexpr double kRtol = 1e-10;  // see the file comment

class ShapBackendTest : public BackendTest {
 protected:
  // The CPU context the references (models, brute force, CPU exact values) run on.
  const Context cpu_ = shap_context();
};

// Expects a == b entrywise within kRtol * value_scale(b), naming `what` and the index.
void expect_close(const std::vector<double>& a, const std::vector<double>& b, const char* what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  const double tol = kRtol * value_scale(b);
  for (std::size_t e = 0; e < a.size(); ++e) {
    EXPECT_NEAR(a[e], b[e], tol) << what << ", value " << e;  // NaN fails EXPECT_NEAR
  }
}

TEST_P(ShapBackendTest, ExactMatchesBruteForceAndTheCpu) {
  for (std::size_t d : {1u, 2u, 4u, 7u, 10u}) {
    const SvrModel model = random_svr_model(cpu_, 300 + d, 40, d);
    const std::size_t n = 5, nb = 11;
    const std::vector<double> x = random_rows(3000 + d, n, d), bg = random_rows(4000 + d, nb, d);
    ShapOptions opt;
    const ShapResult r = svr_shap(ctx(), model, x, n, bg, nb, opt);
    const ShapResult cpu_exact = svr_shap(cpu_, model, x, n, bg, nb, opt);
    opt.method = ShapMethod::kBruteForce;
    const ShapResult brute = svr_shap(cpu_, model, x, n, bg, nb, opt);
    ASSERT_EQ(r.values.size(), n * d) << "d = " << d;
    expect_close(r.values, brute.values, ("brute force, d = " + std::to_string(d)).c_str());
    expect_close(r.values, cpu_exact.values, ("CPU exact, d = " + std::to_string(d)).c_str());
    EXPECT_EQ(r.base_value, cpu_exact.base_value) << "the base value is the CPU game's";
  }
}

TEST_P(ShapBackendTest, EfficiencyHolds) {
  const std::size_t d = 8, n = 16, nb = 13;
  const SvrModel model = random_svr_model(cpu_, 21, 50, d);
  const std::vector<double> x = random_rows(22, n, d), bg = random_rows(23, nb, d);
  const ShapResult r = svr_shap(ctx(), model, x, n, bg, nb);
  const std::vector<double> fx = svr_predict(cpu_, model, x, n);
  for (std::size_t i = 0; i < n; ++i) {
    double sum = 0.0;
    for (std::size_t p = 0; p < d; ++p) sum += r.values[i * d + p];
    EXPECT_NEAR(sum, r.fx[i] - r.base_value, kRtol * value_scale(fx)) << "row " << i;
  }
  EXPECT_LE(r.max_efficiency_violation, kRtol * value_scale(fx));
}

// Columns 1, 2, 3 form a one-hot categorical ("kind"): one player whose factor is the product
// over its three columns; checked against brute force over the four players.
TEST_P(ShapBackendTest, OneHotGroupIsOnePlayer) {
  const std::size_t d = 6, n = 5, nb = 9, nt = 40;
  std::vector<double> xt, yt;
  testing::synthetic_svr_problem(61, nt, d, xt, yt);
  auto one_hot = [&](std::vector<double>& rows, std::size_t count, std::uint64_t id) {
    math::PhiloxStream rng(19, math::RngPurpose::kTest, id);
    for (std::size_t i = 0; i < count; ++i) {
      const std::uint64_t level = rng.below(3);
      for (std::size_t c = 0; c < 3; ++c) rows[i * d + 1 + c] = c == level ? 1.0 : 0.0;
    }
  };
  one_hot(xt, nt, 0);
  for (std::size_t i = 0; i < nt; ++i) yt[i] += 0.7 * xt[i * d + 2];
  SvrSpec spec;
  spec.c = 10.0;
  spec.epsilon = 0.01;
  const SvrModel model = svr_fit(cpu_, xt, nt, d, yt, spec, {"a", "k_x", "k_y", "k_z", "b", "c"});
  std::vector<ColumnMeta> metas(d);
  for (std::size_t c = 0; c < d; ++c) metas[c].name = model.feature_names[c];
  for (std::size_t c = 1; c <= 3; ++c) metas[c].group = "kind";
  ShapOptions opt;
  opt.players = shap_players_from_metas(metas);
  ASSERT_EQ(opt.players.columns.size(), 4u);
  std::vector<double> x = random_rows(62, n, d), bg = random_rows(63, nb, d);
  one_hot(x, n, 1);
  one_hot(bg, nb, 2);
  const ShapResult r = svr_shap(ctx(), model, x, n, bg, nb, opt);
  opt.method = ShapMethod::kBruteForce;
  const ShapResult brute = svr_shap(cpu_, model, x, n, bg, nb, opt);
  EXPECT_EQ(r.players, 4u);
  expect_close(r.values, brute.values, "one-hot group vs brute force");
}

// Integer weights w_b give the values of a background in which row b appears w_b times.
TEST_P(ShapBackendTest, WeightedBackgroundEqualsRepeatedRows) {
  const std::size_t d = 5, n = 6, nb = 7;
  const SvrModel model = random_svr_model(cpu_, 71, 40, d);
  const std::vector<double> x = random_rows(72, n, d), bg = random_rows(73, nb, d);
  const std::vector<double> weights = {1.0, 3.0, 0.0, 2.0, 1.0, 4.0, 2.0};
  std::vector<double> repeated;
  for (std::size_t b = 0; b < nb; ++b) {
    for (int t = 0; t < static_cast<int>(weights[b]); ++t) {
      repeated.insert(repeated.end(), bg.begin() + static_cast<std::ptrdiff_t>(b * d),
                      bg.begin() + static_cast<std::ptrdiff_t>((b + 1) * d));
    }
  }
  ShapOptions weighted;
  weighted.background_weights = weights;
  const ShapResult r = svr_shap(ctx(), model, x, n, bg, nb, weighted);
  const ShapResult rep = svr_shap(cpu_, model, x, n, repeated, repeated.size() / d);
  const ShapResult cpu_weighted = svr_shap(cpu_, model, x, n, bg, nb, weighted);
  expect_close(r.values, rep.values, "weighted vs repeated rows");
  expect_close(r.values, cpu_weighted.values, "weighted vs CPU weighted");
  EXPECT_NEAR(r.base_value, rep.base_value, kRtol * std::fmax(1.0, std::fabs(rep.base_value)));
  // Doubling every weight changes nothing but rounding (the weights are normalized).
  for (double& w : weighted.background_weights) w *= 2.0;
  const ShapResult doubled = svr_shap(ctx(), model, x, n, bg, nb, weighted);
  expect_close(doubled.values, r.values, "doubled weights");
}

// 17 and 40 players use the 32- and 64-player instances of the CUDA kernel. Column 0 is the
// same in every row (a dummy player: a = c for every game, so its value is exactly 0); the
// rest must agree with the CPU, and efficiency is checked by svr_shap itself.
TEST_P(ShapBackendTest, ManyPlayersAndADummy) {
  for (std::size_t d : {17u, 40u}) {
    const SvrModel model = random_svr_model(cpu_, 80 + d, 60, d);
    const std::size_t n = 3, nb = 6;
    std::vector<double> x = random_rows(90 + d, n, d), bg = random_rows(95 + d, nb, d);
    for (std::size_t i = 0; i < n; ++i) x[i * d] = 0.25;
    for (std::size_t b = 0; b < nb; ++b) bg[b * d] = 0.25;
    const ShapResult r = svr_shap(ctx(), model, x, n, bg, nb);
    const ShapResult cpu_exact = svr_shap(cpu_, model, x, n, bg, nb);
    for (std::size_t i = 0; i < n; ++i) {
      EXPECT_EQ(r.values[i * d], 0.0) << "dummy player, d = " << d << ", row " << i;
    }
    expect_close(r.values, cpu_exact.values, ("CPU exact, d = " + std::to_string(d)).c_str());
    const double scale = value_scale(r.fx);
    EXPECT_LE(r.max_efficiency_violation, kRtol * scale) << "d = " << d;
  }
}

TEST_P(ShapBackendTest, Log10ModelMatchesTheCpu) {
  const std::size_t d = 4, n = 5, nb = 8;
  const SvrModel model = random_svr_model(cpu_, 101, 30, d, /*log10_target=*/true);
  const std::vector<double> x = random_rows(102, n, d), bg = random_rows(103, nb, d);
  ShapOptions opt;
  const ShapResult r = svr_shap(ctx(), model, x, n, bg, nb, opt);
  opt.method = ShapMethod::kBruteForce;
  const ShapResult brute = svr_shap(cpu_, model, x, n, bg, nb, opt);
  EXPECT_TRUE(r.log10_target);
  expect_close(r.values, brute.values, "log10 model vs brute force");
}

INSTANTIATE_TEST_SUITE_P(Backends, ShapBackendTest, both_backends(), backend_name);

// ---- the CUDA backend called directly (named Gpu: skipped without a device) ----

// A model whose scaler is the identity, so that raw rows are their own standardized rows and
// cuda::shap_exact can be compared with svr_shap on the same numbers.
SvrModel identity_scaled(SvrModel model) {
  std::fill(model.feature_means.begin(), model.feature_means.end(), 0.0);
  std::fill(model.feature_scales.begin(), model.feature_scales.end(), 1.0);
  return model;
}

cuda::ShapExactInputs inputs_for(const SvrModel& model, const std::vector<double>& x, std::size_t n,
                                 const std::vector<double>& bg, std::size_t nb,
                                 const ShapPlayers& players) {
  cuda::ShapExactInputs in;
  in.x_std = x;
  in.n = n;
  in.background_std = bg;
  in.nb = nb;
  in.support_vectors = model.support_vectors;
  in.beta = model.dual_coef;
  in.d = model.n_features;
  in.gamma = model.gamma_value;
  in.players = &players.columns;
  return in;
}

Context cuda_context() { return Context::create({.device = DeviceRequest::kCuda, .quiet = true}); }

// nb n_sv > 2048 pairs: several tiles per row, the last one partial; one-row chunks (a budget
// of 1 byte) must give the bytes of a single chunk, and a second run the same bytes again.
TEST(ShapExactGpu, ChunksAndTilesDoNotChangeTheBytes) {
  if (cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device";
  const Context cpu = shap_context();
  const Context gpu = cuda_context();
  const std::size_t d = 6, n = 7, nb = 97;
  const SvrModel model = identity_scaled(random_svr_model(cpu, 111, 60, d));
  ASSERT_GT(nb * model.n_support(), 2 * cuda::kShapExactPairsPerTile) << "needs several tiles";
  const std::vector<double> x = random_rows(112, n, d), bg = random_rows(113, nb, d);
  const ShapPlayers players = shap_players_per_column(d, model.feature_names);
  const cuda::ShapExactInputs in = inputs_for(model, x, n, bg, nb, players);
  const double kNaN = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> one(n * d, kNaN), chunked(n * d, kNaN), again(n * d, kNaN);
  cuda::shap_exact(gpu, in, one);
  cuda::shap_exact(gpu, in, chunked, {.chunk_budget_bytes = 1});
  cuda::shap_exact(gpu, in, again);
  EXPECT_EQ(std::memcmp(one.data(), chunked.data(), one.size() * sizeof(double)), 0);
  EXPECT_EQ(std::memcmp(one.data(), again.data(), one.size() * sizeof(double)), 0);
  const ShapResult ref = svr_shap(cpu, model, x, n, bg, nb);
  expect_close(one, ref.values, "direct CUDA call vs CPU");
}

TEST(ShapExactGpu, EmptyInputAndBadWeights) {
  if (cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device";
  const Context cpu = shap_context();
  const Context gpu = cuda_context();
  const std::size_t d = 3, nb = 4;
  const SvrModel model = identity_scaled(random_svr_model(cpu, 121, 20, d));
  const std::vector<double> bg = random_rows(122, nb, d);
  const ShapPlayers players = shap_players_per_column(d, model.feature_names);
  const std::vector<double> none;
  cuda::ShapExactInputs in = inputs_for(model, none, 0, bg, nb, players);
  std::vector<double> values;
  EXPECT_NO_THROW(cuda::shap_exact(gpu, in, values));  // n == 0: nothing to do
  const std::vector<double> x = random_rows(123, 1, d);
  in = inputs_for(model, x, 1, bg, nb, players);
  values.assign(d, 0.0);
  const std::vector<double> negative = {1.0, -1.0, 1.0, 1.0}, zero(nb, 0.0), short_w = {1.0};
  for (const std::vector<double>* w : {&negative, &zero, &short_w}) {
    in.background_weights = *w;
    EXPECT_THROW(cuda::shap_exact(gpu, in, values), Error) << "weights " << w->size();
  }
}

// Monte Carlo methods run on the CPU when the context asks for CUDA: the same bytes.
// ---- the per-element math both backends share ----

TEST(ShapMath, PlayerFactorsMultiplyToTheRbfKernel) {
  const std::size_t d = 7;
  const std::vector<double> z = random_rows(141, 1, d), s = random_rows(142, 1, d);
  const double gamma = 0.37;
  // Players {0, 3}, {1}, {2, 4, 6}, {5} (columns deliberately not in order).
  const std::vector<std::uint32_t> cols = {3, 0, 1, 6, 2, 4, 5};
  const int offsets[] = {0, 2, 3, 6, 7};
  double product = 1.0, distance = 0.0;
  for (int p = 0; p < 4; ++p) {
    const double dp = math::player_distance(z.data(), s.data(), cols.data() + offsets[p],
                                            offsets[p + 1] - offsets[p], gamma);
    double acc = 0.0;  // the same squares in the same order
    for (int t = offsets[p]; t < offsets[p + 1]; ++t) {
      const double diff =
          z[cols[static_cast<std::size_t>(t)]] - s[cols[static_cast<std::size_t>(t)]];
      acc += diff * diff;
    }
    EXPECT_EQ(dp, gamma * acc) << "player " << p;
    product *= math::player_factor(dp);
    distance += dp;
  }
  double d2 = 0.0;
  for (std::size_t c = 0; c < d; ++c) d2 += (z[c] - s[c]) * (z[c] - s[c]);
  const double kernel = std::exp(-gamma * d2);
  EXPECT_NEAR(product, kernel, 1e-14 * kernel);
  EXPECT_NEAR(distance, gamma * d2, 1e-14 * gamma * d2);
}

}  // namespace
}  // namespace thermex
