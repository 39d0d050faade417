// CPU backend of KernelSHAP with paired sampling and the exact Shapley-kernel Gram matrix
// ("unbiased KernelSHAP", Covert & Lee, AISTATS 2021, section 3.2).
//
// KernelSHAP solves min_phi E_z[(v(z) - v(0) - z^T phi)^2] subject to 1^T phi = v(1) - v(0),
// z drawn from the Shapley kernel: |z| = s with probability proportional to 1 / (s (M - s)),
// s = 1 .. M-1, uniform within a size. The solution is phi = A^{-1} (b - 1 nu) with
// A = E[z z^T], b = E[z (v(z) - v(0))] and nu fixing the constraint. A is known in closed form:
// A = alpha I + q 1 1^T (A_ii = P(i in S), q = P(i, j in S)), and then
//   phi = (b - mean_i(b_i) 1) / alpha + (v(1) - v(0)) / M,
// linear in b. Estimating b by a sample mean makes phi a sample mean of per-sample vectors
// t_n = (b_n - mean(b_n) 1) / alpha + Delta / M, so it is unbiased, efficient by construction,
// and its standard error is sd(t) / sqrt(samples). A sample is a pair (z, 1 - z) (antithetic),
// b_n the average of the two. (The original KernelSHAP estimates A from the same samples: biased
// for finite samples, and without a simple standard error.)
#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>
#include <vector>

#include "../shap_internal.hpp"
#include "thermex/math/philox.hpp"

namespace thermex::cpu {
namespace {

// Sampling distribution of coalition sizes and the Gram matrix constants alpha and q.
struct KernelDesign {
  std::vector<double> size_cdf;  // P(|z| <= s), s = 1 .. M-1 at index s - 1
  double alpha = 0.0;            // A_ii - A_ij
};

KernelDesign make_design(std::size_t m) {
  KernelDesign k;
  const auto md = static_cast<double>(m);
  std::vector<double> p(m - 1);
  double total = 0.0;
  for (std::size_t s = 1; s < m; ++s) {
    const auto sd = static_cast<double>(s);
    p[s - 1] = 1.0 / (sd * (md - sd));
    total += p[s - 1];
  }
  double cum = 0.0, a_ii = 0.0, a_ij = 0.0;
  for (std::size_t s = 1; s < m; ++s) {
    const auto sd = static_cast<double>(s);
    const double ps = p[s - 1] / total;
    cum += ps;
    k.size_cdf.push_back(cum);
    a_ii += ps * sd / md;
    a_ij += ps * sd * (sd - 1.0) / (md * (md - 1.0));
  }
  k.size_cdf.back() = 1.0;  // guard against rounding in the last bin
  k.alpha = a_ii - a_ij;
  return k;
}

struct KernelRow {
  std::vector<double> xdist;  // n_sv x m
  std::vector<std::size_t> perm;
  std::vector<unsigned char> in_s;
  std::vector<double> b_sample, mean, m2;
};

// v(S) - intercept: (weighted) mean over b of sum_k beta_k exp(-e_bk), e built from scratch
// for S.
double coalition_value(const detail::ShapGame& game, const KernelRow& ws, bool complement) {
  const std::size_t m = game.m;
  double acc = 0.0;
  for (std::size_t b = 0; b < game.nb; ++b) {
    const double wb = game.bg_scale(b);  // 1 when uniform: wb * beta is then beta exactly
    for (std::size_t k = 0; k < game.n_sv; ++k) {
      const double* bd = game.bg_dist.data() + (b * game.n_sv + k) * m;
      const double* xd = ws.xdist.data() + k * m;
      double e = 0.0;
      for (std::size_t p = 0; p < m; ++p) e += ((ws.in_s[p] != 0) != complement) ? xd[p] : bd[p];
      acc += (wb * game.beta[k]) * std::exp(-e);
    }
  }
  return acc / game.bg_divisor();
}

// Draws the coalition of pair `pair` of `row` into ws.in_s (its size from the Shapley kernel,
// then a uniform subset of that size by a partial Fisher-Yates shuffle).
void draw_coalition(const KernelDesign& design, std::uint64_t seed, std::uint64_t row,
                    std::uint64_t pair, std::size_t m, KernelRow& ws) {
  // Bit 31 of the low word separates these streams from the permutation method's.
  math::PhiloxStream rng(seed, math::RngPurpose::kShapSample, (row << 32) | (1ULL << 31) | pair);
  const double r = rng.uniform();
  std::size_t size = 1;
  while (design.size_cdf[size - 1] <= r) ++size;
  std::iota(ws.perm.begin(), ws.perm.end(), std::size_t{0});
  std::fill(ws.in_s.begin(), ws.in_s.end(), static_cast<unsigned char>(0));
  for (std::size_t t = 0; t < size; ++t) {
    const std::size_t j = t + static_cast<std::size_t>(rng.below(m - t));
    std::swap(ws.perm[t], ws.perm[j]);
    ws.in_s[ws.perm[t]] = 1;
  }
}

void kernel_row(const detail::ShapGame& game, const KernelDesign& design, const double* z,
                std::uint64_t seed, std::uint64_t row, std::size_t max_pairs, double target_se,
                KernelRow& ws, double* mean, double* se, std::size_t& used) {
  const std::size_t m = game.m;
  game.player_dist(z, ws.xdist.data());
  std::fill(ws.in_s.begin(), ws.in_s.end(), static_cast<unsigned char>(0));
  const double v_empty = coalition_value(game, ws, false);
  const double v_full = coalition_value(game, ws, true);
  const double share = (v_full - v_empty) / static_cast<double>(m);
  std::fill(ws.mean.begin(), ws.mean.end(), 0.0);
  std::fill(ws.m2.begin(), ws.m2.end(), 0.0);
  std::size_t pairs = 0;
  while (pairs < max_pairs) {
    draw_coalition(design, seed, row, pairs, m, ws);
    const double d_s = coalition_value(game, ws, false) - v_empty;
    const double d_c = coalition_value(game, ws, true) - v_empty;
    double avg = 0.0;
    for (std::size_t p = 0; p < m; ++p) {
      ws.b_sample[p] = 0.5 * (ws.in_s[p] != 0 ? d_s : d_c);
      avg += ws.b_sample[p];
    }
    avg /= static_cast<double>(m);
    ++pairs;
    for (std::size_t p = 0; p < m; ++p) {  // Welford on t = (b - mean(b)) / alpha + share
      const double t = (ws.b_sample[p] - avg) / design.alpha + share;
      const double delta = t - ws.mean[p];
      ws.mean[p] += delta / static_cast<double>(pairs);
      ws.m2[p] += delta * (t - ws.mean[p]);
    }
    if (target_se > 0.0 && pairs % kShapCheckEvery == 0) {
      bool done = true;
      for (std::size_t p = 0; p < m && done; ++p) {
        done = std::sqrt(ws.m2[p] / static_cast<double>(pairs - 1) / static_cast<double>(pairs)) <=
               target_se;
      }
      if (done) break;
    }
  }
  for (std::size_t p = 0; p < m; ++p) {
    mean[p] = ws.mean[p];
    const double var = pairs > 1 ? ws.m2[p] / static_cast<double>(pairs - 1) : 0.0;
    se[p] = std::sqrt(var / static_cast<double>(pairs));
  }
  used = pairs;
}

}  // namespace

void shap_kernel(const Context& ctx, const detail::ShapGame& game, std::span<const double> x_std,
                 std::size_t n, std::uint64_t seed, std::size_t pairs, double target_se,
                 ShapResult& out) {
  const std::size_t m = game.m;
  if (m == 1) {  // one player takes all of f(x) - base: no sampling, no error
    std::vector<double> dist(game.n_sv);
    for (std::size_t i = 0; i < n; ++i) {
      game.player_dist(x_std.data() + i * game.d, dist.data());
      out.values[i] = game.value_from_dist(dist.data()) - game.base_value;
    }
    return;
  }
  const KernelDesign design = make_design(m);
  const auto count = static_cast<std::ptrdiff_t>(n);
#pragma omp parallel num_threads(ctx.threads())
  {
    KernelRow ws;
    ws.xdist.resize(game.n_sv * m);
    ws.perm.resize(m);
    ws.in_s.resize(m);
    ws.b_sample.resize(m);
    ws.mean.resize(m);
    ws.m2.resize(m);
#pragma omp for schedule(dynamic, 1)
    for (std::ptrdiff_t r = 0; r < count; ++r) {
      const auto ri = static_cast<std::size_t>(r);
      kernel_row(game, design, x_std.data() + ri * game.d, seed, ri, pairs, target_se, ws,
                 out.values.data() + ri * m, out.std_errors.data() + ri * m, out.samples_used[ri]);
    }
  }
}

}  // namespace thermex::cpu
