// Monte Carlo SHAP (permutation sampling, KernelSHAP) on both backends ({cpu, cuda}, STYLE.md
// section 6), plus the CUDA path's host side tested on the CPU: the coalition-evaluator drivers
// run with the CPU evaluator (the CUDA path minus the device), the device layouts read the way
// the coalition kernel reads them, and the chunk sizes. The shared per-element math and the
// round driver are tested in tests/test_shap_mc_math.cpp.
//
// Tolerance (CUDA vs CPU, evaluator driver vs CPU walk): 1e-10 * max(1, max |value|). Both see
// the same coalitions; a coalition value sum_b omega_b sum_k beta_k exp(-E) differs only by the
// order of its nb n_sv terms (CPU: b, then k; CUDA: 128 threads per 2048-pair tile, a CUB tree,
// then the tiles) and by how E is summed (the CPU permutation walk updates E in place over m
// steps). With |E| <= ~50 and sum |beta| <= 600 that is < 1e-11 per value; a sample is a
// difference of two values, and means and standard errors inherit the bound. 1e-10 leaves room
// while a wrong coalition, player or weight moves values by O(0.01 - 1). Pair counts are exact:
// a row's stop differs only if a standard error lies within ~1e-12 of target_se.
#include <gtest/gtest.h>

#include "backend_test_support.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "../src/shap_internal.hpp"
#include "../src/shap_mc_impl.hpp"
#include "test_shap_support.hpp"
#include "thermex/error.hpp"
#include "thermex/math/philox.hpp"
#include "thermex/math/shap_coalition.hpp"
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
constexpr ShapMethod kMethods[] = {ShapMethod::kPermutation, ShapMethod::kKernel};

void expect_close(const std::vector<double>& a, const std::vector<double>& b,
                  const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  const double tol = kRtol * value_scale(b);
  for (std::size_t e = 0; e < a.size(); ++e) {
    EXPECT_NEAR(a[e], b[e], tol) << what << ", value " << e;  // NaN fails EXPECT_NEAR
  }
}

bool same_bytes(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

ShapOptions mc_options(ShapMethod method, std::size_t pairs, double target_se = 0.0,
                       std::uint64_t seed = 1) {
  ShapOptions o;
  o.method = method;
  o.samples = pairs;
  o.seed = seed;
  o.target_se = target_se;
  return o;
}

class ShapMcBackendTest : public BackendTest {
 protected:
  const Context cpu_ = shap_context();  // the reference backend
};

TEST_P(ShapMcBackendTest, MatchesTheCpuAndTheExactValues) {
  const std::size_t d = 6, n = 8, nb = 6;
  const SvrModel model = random_svr_model(cpu_, 81, 40, d);
  const std::vector<double> x = random_rows(21, n, d), bg = random_rows(22, nb, d);
  const ShapResult exact = svr_shap(cpu_, model, x, n, bg, nb);
  for (ShapMethod method : kMethods) {
    const std::string what(to_string(method));
    const ShapResult r = svr_shap(ctx(), model, x, n, bg, nb, mc_options(method, 64));
    const ShapResult ref = svr_shap(cpu_, model, x, n, bg, nb, mc_options(method, 64));
    expect_close(r.values, ref.values, what + " values vs CPU");
    expect_close(r.std_errors, ref.std_errors, what + " standard errors vs CPU");
    EXPECT_EQ(r.samples_used, ref.samples_used) << what;
    for (std::size_t e = 0; e < r.values.size(); ++e) {  // STYLE.md: within 4 sigma / sqrt(M)
      EXPECT_LE(std::fabs(r.values[e] - exact.values[e]), 4.0 * r.std_errors[e])
          << what << ", value " << e;
    }
  }
}

// The stop rule sees (to rounding) the CPU's standard errors, so it stops after the same pairs.
TEST_P(ShapMcBackendTest, StopsAfterTheSamePairsAsTheCpu) {
  const std::size_t d = 5, n = 9, nb = 7;
  const SvrModel model = random_svr_model(cpu_, 82, 40, d);
  const std::vector<double> x = random_rows(23, n, d), bg = random_rows(24, nb, d);
  for (ShapMethod method : kMethods) {
    const std::string what(to_string(method));
    // A target some rows reach early and some never do: the median standard error of another
    // seed's run (with the same seed one row would sit exactly on the target, a knife edge).
    const ShapResult loose = svr_shap(cpu_, model, x, n, bg, nb, mc_options(method, 48, 0.0, 2));
    std::vector<double> se = loose.std_errors;
    std::nth_element(se.begin(), se.begin() + static_cast<std::ptrdiff_t>(se.size() / 2), se.end());
    const double median_se = se[se.size() / 2];
    const ShapOptions opt = mc_options(method, 120, median_se);
    const ShapResult r = svr_shap(ctx(), model, x, n, bg, nb, opt);
    const ShapResult ref = svr_shap(cpu_, model, x, n, bg, nb, opt);
    EXPECT_EQ(r.samples_used, ref.samples_used) << what;
    expect_close(r.values, ref.values, what + " values vs CPU");
    std::size_t stopped = 0;
    for (std::size_t i = 0; i < n; ++i) stopped += r.samples_used[i] < 120 ? 1 : 0;
    EXPECT_GT(stopped, 0u) << what << ": no row reached the target";
  }
}

// Weighted background and a two-column group; 70 players need two mask words.
TEST_P(ShapMcBackendTest, WeightsGroupsAndManyPlayers) {
  const std::size_t d = 5, n = 4, nb = 5;
  const SvrModel model = random_svr_model(cpu_, 83, 30, d);
  const std::vector<double> x = random_rows(25, n, d), bg = random_rows(26, nb, d);
  std::vector<ColumnMeta> metas(d);
  for (std::size_t c = 0; c < d; ++c) metas[c].name = model.feature_names[c];
  metas[1].group = metas[3].group = "pair";
  for (ShapMethod method : kMethods) {
    const std::string what(to_string(method));
    ShapOptions opt = mc_options(method, 24);
    opt.players = shap_players_from_metas(metas);
    opt.background_weights = {1.0, 3.0, 0.0, 2.5, 1.0};
    const ShapResult r = svr_shap(ctx(), model, x, n, bg, nb, opt);
    const ShapResult ref = svr_shap(cpu_, model, x, n, bg, nb, opt);
    ASSERT_EQ(r.players, 4u) << what;
    expect_close(r.values, ref.values, what + " weighted, grouped");
  }
  const std::size_t wide = 70;
  const SvrModel big = random_svr_model(cpu_, 84, 30, wide);
  const std::vector<double> xw = random_rows(27, 2, wide), bw = random_rows(28, 3, wide);
  for (ShapMethod method : kMethods) {
    const ShapResult r = svr_shap(ctx(), big, xw, 2, bw, 3, mc_options(method, 8));
    const ShapResult ref = svr_shap(cpu_, big, xw, 2, bw, 3, mc_options(method, 8));
    expect_close(r.values, ref.values, std::string(to_string(method)) + ", 70 players");
  }
}

TEST_P(ShapMcBackendTest, OneAndTwoPlayers) {
  for (std::size_t d : {1u, 2u}) {
    const SvrModel model = random_svr_model(cpu_, 85 + d, 20, d);
    const std::vector<double> x = random_rows(29, 3, d), bg = random_rows(30, 4, d);
    for (ShapMethod method : kMethods) {
      const std::string what = std::string(to_string(method)) + ", d = " + std::to_string(d);
      const ShapResult r = svr_shap(ctx(), model, x, 3, bg, 4, mc_options(method, 10));
      const ShapResult ref = svr_shap(cpu_, model, x, 3, bg, 4, mc_options(method, 10));
      expect_close(r.values, ref.values, what);  // d = 1: f(x) - base (svr_shap checks it)
      EXPECT_EQ(r.samples_used, ref.samples_used) << what;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, ShapMcBackendTest, both_backends(), backend_name);

// ---- the drivers the CUDA path runs, exercised with the CPU evaluator ----

struct GameCase {
  SvrModel model;
  ShapPlayers players;
  std::vector<double> x, bg;
  std::size_t n = 7, nb = 6;
};

GameCase game_case(std::size_t d) {
  const Context cpu = shap_context();
  GameCase c;
  c.model = random_svr_model(cpu, 86, 40, d);
  // Identity scaler: the raw rows are the standardized rows the game and backends take.
  std::fill(c.model.feature_means.begin(), c.model.feature_means.end(), 0.0);
  std::fill(c.model.feature_scales.begin(), c.model.feature_scales.end(), 1.0);
  c.players = shap_players_per_column(d, c.model.feature_names);
  c.x = random_rows(44, c.n, d);
  c.bg = random_rows(45, c.nb, d);
  return c;
}

ShapResult empty_result(std::size_t n, std::size_t m) {
  ShapResult r;
  r.values.assign(n * m, std::numeric_limits<double>::quiet_NaN());
  r.std_errors.assign(n * m, std::numeric_limits<double>::quiet_NaN());
  r.samples_used.assign(n, 0);
  return r;
}

// The CUDA path's driver with the CPU evaluator: the walk's permutations (values to rounding,
// same pair counts); KernelSHAP's driver is the CPU backend itself, so chunks keep its bytes.
TEST(ShapMcDriver, EvaluatorDriversMatchTheCpuBackend) {
  const Context cpu = shap_context();
  for (std::size_t d : {3u, 6u}) {
    const GameCase c = game_case(d);
    const detail::ShapGame game = detail::make_shap_game(cpu, c.model, c.players, c.bg, c.nb);
    const auto evaluator = cpu::make_coalition_evaluator(cpu, game, c.x);
    // Two rows a chunk: 2 n_sv m doubles.
    const auto chunks = cpu::make_coalition_evaluator(cpu, game, c.x, 16 * game.n_sv * d);
    ASSERT_EQ(chunks->max_rows(), 2u);
    for (double target : {0.0, 0.02}) {
      const std::string what = "d = " + std::to_string(d) + ", target " + std::to_string(target);
      ShapResult walk = empty_result(c.n, d), driven = empty_result(c.n, d);
      ShapResult chunked = empty_result(c.n, d);
      cpu::shap_permutation(cpu, game, c.x, c.n, 3, 40, target, walk);
      detail::shap_permutation_with(game, c.n, 3, 40, target, *evaluator, driven);
      detail::shap_permutation_with(game, c.n, 3, 40, target, *chunks, chunked);
      expect_close(driven.values, walk.values, "permutation values, " + what);
      expect_close(driven.std_errors, walk.std_errors, "permutation SEs, " + what);
      EXPECT_EQ(driven.samples_used, walk.samples_used) << what;
      EXPECT_TRUE(same_bytes(chunked.values, driven.values)) << "permutation chunks, " << what;
      ShapResult kernel = empty_result(c.n, d), kernel_chunked = empty_result(c.n, d);
      cpu::shap_kernel(cpu, game, c.x, c.n, 3, 40, target, kernel);
      detail::shap_kernel_with(game, c.x, c.n, 3, 40, target, *chunks, kernel_chunked);
      EXPECT_TRUE(same_bytes(kernel_chunked.values, kernel.values)) << "kernel chunks, " << what;
      EXPECT_TRUE(same_bytes(kernel_chunked.std_errors, kernel.std_errors)) << what;
      EXPECT_EQ(kernel_chunked.samples_used, kernel.samples_used) << what;
    }
  }
}

// The coalition kernel's reads emulated on the host: its layouts (shap_mc_background,
// shap_mc_row_distances), indices and strides give the CPU evaluator's values (weighted
// background; 70 players use two mask words).
TEST(ShapMcDriver, DeviceLayoutsGiveTheCpuValues) {
  const Context cpu = shap_context();
  for (std::size_t m : {5u, 70u}) {
    const GameCase c = game_case(m);
    const std::vector<double> weights = {1.0, 2.0, 0.5, 0.0, 3.0, 1.0};
    const detail::ShapGame game =
        detail::make_shap_game(cpu, c.model, c.players, c.bg, c.nb, weights);
    const cuda::ShapMcBackground bg = cuda::shap_mc_background(game);
    const std::vector<double> rows = cuda::shap_mc_row_distances(game, c.x, 2, 3);
    detail::CoalitionBatch batch;
    batch.words = static_cast<std::size_t>(math::coalition_words(static_cast<int>(m)));
    math::PhiloxStream rng(8, math::RngPurpose::kTest, m);
    for (std::uint32_t i = 0; i < 9; ++i) {
      std::uint64_t* mask = batch.add(i % 3);
      for (int p = 0; p < static_cast<int>(m); ++p) {
        if (rng.below(2) == 1) math::coalition_add(mask, p);
      }
    }
    const auto evaluator = cpu::make_coalition_evaluator(cpu, game, c.x);
    evaluator->load_rows(2, 3);
    std::vector<double> values(2 * batch.size());
    evaluator->evaluate(batch, values);
    const std::size_t q_count = c.nb * game.n_sv;
    double scale = 0.0;  // sum |coef|: bounds every value and its rounding
    for (double v : bg.coef) scale += std::fabs(v);
    for (std::size_t k = 0; k < batch.size(); ++k) {
      const double* xr = rows.data() + batch.slot[k] * m * game.n_sv;
      double acc_s = 0.0, acc_c = 0.0;
      for (std::size_t q = 0; q < q_count; ++q) {
        double e_s = 0.0, e_c = 0.0;
        math::coalition_exponent_pair(xr + q % game.n_sv, game.n_sv, bg.bg_dist.data() + q, q_count,
                                      batch.masks.data() + k * batch.words, static_cast<int>(m),
                                      e_s, e_c);
        acc_s += bg.coef[q] * std::exp(-e_s);
        acc_c += bg.coef[q] * std::exp(-e_c);
      }
      EXPECT_NEAR(acc_s, values[2 * k], 1e-13 * scale) << "m = " << m << ", coalition " << k;
      EXPECT_NEAR(acc_c, values[2 * k + 1], 1e-13 * scale) << "m = " << m << ", complement " << k;
    }
  }
}

TEST(ShapMcDriver, ChunkRowsFitTheBudget) {
  EXPECT_EQ(cuda::shap_mc_coalitions_per_row(1), kShapCheckEvery);
  EXPECT_EQ(cuda::shap_mc_coalitions_per_row(15), 14 * kShapCheckEvery);
  const std::size_t budget = std::size_t{256} << 20;
  const std::size_t rows = cuda::shap_mc_chunk_rows(15, 450, 600, budget);
  // 132 tiles: 8 * 15 * 450 + 112 * (16 * 132 + 16 + 8 + 4) bytes a row.
  EXPECT_EQ(rows, budget / (8 * 15 * 450 + 112 * (16 * 132 + 28)));
  EXPECT_GT(rows, 800u);
  EXPECT_EQ(cuda::shap_mc_chunk_rows(15, 450, 600, 1), 1u);
  EXPECT_GE(cuda::shap_mc_chunk_rows(3, 0, 5, budget), 1u);
}

#if !defined(THERMEX_HAVE_CUDA)
TEST(ShapMcDriver, BuildWithoutCudaThrows) {
  const Context cpu = shap_context();
  const GameCase c = game_case(3);
  const detail::ShapGame game = detail::make_shap_game(cpu, c.model, c.players, c.bg, c.nb);
  ShapResult r = empty_result(c.n, 3);
  EXPECT_THROW(cuda::shap_permutation(cpu, game, c.x, c.n, 1, 8, 0.0, r), Error);
  EXPECT_THROW(cuda::shap_kernel(cpu, game, c.x, c.n, 1, 8, 0.0, r), Error);
  EXPECT_THROW((void)cuda::make_coalition_evaluator(cpu, game, c.x), Error);
}
#endif

// ---- the CUDA backend called directly (named Gpu: skipped without a device) ----

// `method` on the CPU backend (budget 0) or on the CUDA backend with `budget` bytes per chunk.
ShapResult run_backend(const Context& ctx, ShapMethod method, const detail::ShapGame& game,
                       const GameCase& c, std::size_t budget) {
  ShapResult r = empty_result(c.n, game.m);
  const bool perm = method == ShapMethod::kPermutation;
  if (budget == 0) {
    perm ? cpu::shap_permutation(ctx, game, c.x, c.n, 2, 16, 0.0, r)
         : cpu::shap_kernel(ctx, game, c.x, c.n, 2, 16, 0.0, r);
  } else {
    perm ? cuda::shap_permutation(ctx, game, c.x, c.n, 2, 16, 0.0, r, {budget})
         : cuda::shap_kernel(ctx, game, c.x, c.n, 2, 16, 0.0, r, {budget});
  }
  return r;
}

// nb n_sv > 2048: several (b, k) tiles. One-row chunks (a 1-byte budget) give the bytes of one
// chunk, a second run the same bytes again, and the values agree with the CPU backend.
TEST(ShapMcGpu, ChunksTilesAndRepeatsKeepTheBytes) {
  if (cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device";
  const Context cpu = shap_context();
  const Context gpu = Context::create({.device = DeviceRequest::kCuda, .quiet = true});
  GameCase c = game_case(6);
  c.nb = 97;
  c.bg = random_rows(46, c.nb, 6);
  const detail::ShapGame game = detail::make_shap_game(cpu, c.model, c.players, c.bg, c.nb);
  ASSERT_GT(c.nb * game.n_sv, 2 * cuda::kShapMcPairsPerTile) << "needs several tiles";
  const std::size_t budget = std::size_t{256} << 20;
  for (ShapMethod method : kMethods) {
    const std::string what(to_string(method));
    const ShapResult one = run_backend(gpu, method, game, c, budget);
    EXPECT_TRUE(same_bytes(one.values, run_backend(gpu, method, game, c, 1).values)) << what;
    EXPECT_TRUE(same_bytes(one.values, run_backend(gpu, method, game, c, budget).values)) << what;
    expect_close(one.values, run_backend(cpu, method, game, c, 0).values, what + " vs CPU");
  }
}

}  // namespace
}  // namespace thermex
