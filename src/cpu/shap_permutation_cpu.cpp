// CPU backend of permutation-sampling SHAP with antithetic pairs (a permutation and its reverse;
// Mitchell, Cooper, Frank & Holmes, "Sampling permutations for Shapley value estimation", JMLR
// 23 (2022) 43). Walking a permutation adds one player at a time; the hybrid row's kernel
// exponents e_bk = sum_{p in S} D_kp(x) + sum_{p not in S} D_kp(b) are updated in place, so each
// step costs nb n_sv exponentials. Every permutation's contributions telescope to
// f(x) - v(empty), so the estimate is efficient by construction.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>
#include <vector>

#include "../shap_internal.hpp"
#include "thermex/math/philox.hpp"

namespace thermex::cpu {
namespace {

// Per-row workspace.
struct Walk {
  std::vector<double> xdist;  // n_sv x m
  std::vector<double> e0;     // nb x n_sv exponents of the empty coalition
  std::vector<double> e;      // current exponents
  std::vector<std::size_t> perm;
  std::vector<double> phi_fwd, phi_rev;
};

// v(S) - intercept for the current exponents: (weighted) mean over b of
// sum_k beta_k exp(-e_bk).
double walk_value(const detail::ShapGame& game, const std::vector<double>& e) {
  double acc = 0.0;
  for (std::size_t b = 0; b < game.nb; ++b) {
    const double* eb = e.data() + b * game.n_sv;
    const double wb = game.bg_scale(b);  // 1 when uniform: wb * beta is then beta exactly
    for (std::size_t k = 0; k < game.n_sv; ++k) acc += (wb * game.beta[k]) * std::exp(-eb[k]);
  }
  return acc / game.bg_divisor();
}

// Marginal contributions along `order` (m players, forward or reversed) into phi.
template <typename Order>
void walk(const detail::ShapGame& game, Walk& ws, double v_empty, Order order, double* phi) {
  const std::size_t m = game.m;
  ws.e = ws.e0;
  double prev = v_empty;
  for (std::size_t t = 0; t < m; ++t) {
    const std::size_t p = order(t);
    for (std::size_t b = 0; b < game.nb; ++b) {
      const double* bd = game.bg_dist.data() + b * game.n_sv * m;
      double* eb = ws.e.data() + b * game.n_sv;
      for (std::size_t k = 0; k < game.n_sv; ++k) eb[k] += ws.xdist[k * m + p] - bd[k * m + p];
    }
    const double cur = walk_value(game, ws.e);
    phi[p] = cur - prev;
    prev = cur;
  }
}

// One row: pairs until `max_pairs` or every standard error <= target_se (checked every
// kShapCheckEvery pairs). Welford's running mean and sum of squares of the pair averages.
void explain_row(const detail::ShapGame& game, const double* z, std::uint64_t seed,
                 std::uint64_t row, std::size_t max_pairs, double target_se, Walk& ws, double* mean,
                 double* se, std::size_t& used) {
  const std::size_t m = game.m;
  game.player_dist(z, ws.xdist.data());
  for (std::size_t b = 0; b < game.nb; ++b) {
    for (std::size_t k = 0; k < game.n_sv; ++k) {
      const double* bd = game.bg_dist.data() + (b * game.n_sv + k) * m;
      double s = 0.0;
      for (std::size_t p = 0; p < m; ++p) s += bd[p];
      ws.e0[b * game.n_sv + k] = s;
    }
  }
  const double v_empty = walk_value(game, ws.e0);
  std::vector<double> m2(m, 0.0);
  std::fill(mean, mean + m, 0.0);
  std::size_t pairs = 0;
  while (pairs < max_pairs) {
    math::PhiloxStream rng(seed, math::RngPurpose::kShapSample, (row << 32) | pairs);
    std::iota(ws.perm.begin(), ws.perm.end(), std::size_t{0});
    for (std::size_t i = m; i > 1; --i) {  // Fisher-Yates
      std::swap(ws.perm[i - 1], ws.perm[static_cast<std::size_t>(rng.below(i))]);
    }
    walk(
        game, ws, v_empty, [&](std::size_t t) { return ws.perm[t]; }, ws.phi_fwd.data());
    walk(
        game, ws, v_empty, [&](std::size_t t) { return ws.perm[m - 1 - t]; }, ws.phi_rev.data());
    ++pairs;
    for (std::size_t p = 0; p < m; ++p) {
      const double sample = 0.5 * (ws.phi_fwd[p] + ws.phi_rev[p]);
      const double delta = sample - mean[p];
      mean[p] += delta / static_cast<double>(pairs);
      m2[p] += delta * (sample - mean[p]);
    }
    if (target_se > 0.0 && pairs >= 2 && pairs % kShapCheckEvery == 0) {
      bool done = true;
      for (std::size_t p = 0; p < m && done; ++p) {
        const double var = m2[p] / static_cast<double>(pairs - 1);
        done = std::sqrt(var / static_cast<double>(pairs)) <= target_se;
      }
      if (done) break;
    }
  }
  for (std::size_t p = 0; p < m; ++p) {
    const double var = pairs > 1 ? m2[p] / static_cast<double>(pairs - 1) : 0.0;
    se[p] = std::sqrt(var / static_cast<double>(pairs));
  }
  used = pairs;
}

}  // namespace

void shap_permutation(const Context& ctx, const detail::ShapGame& game,
                      std::span<const double> x_std, std::size_t n, std::uint64_t seed,
                      std::size_t pairs, double target_se, ShapResult& out) {
  const std::size_t m = game.m;
  const auto count = static_cast<std::ptrdiff_t>(n);
#pragma omp parallel num_threads(ctx.threads())
  {
    Walk ws;
    ws.xdist.resize(game.n_sv * m);
    ws.e0.resize(game.nb * game.n_sv);
    ws.perm.resize(m);
    ws.phi_fwd.resize(m);
    ws.phi_rev.resize(m);
#pragma omp for schedule(dynamic, 1)
    for (std::ptrdiff_t r = 0; r < count; ++r) {
      const auto ri = static_cast<std::size_t>(r);
      explain_row(game, x_std.data() + ri * game.d, seed, ri, pairs, target_se, ws,
                  out.values.data() + ri * m, out.std_errors.data() + ri * m, out.samples_used[ri]);
    }
  }
}

}  // namespace thermex::cpu
