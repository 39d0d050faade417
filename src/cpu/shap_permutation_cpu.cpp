// Permutation-sampling SHAP with antithetic pairs (a permutation and its reverse; Mitchell,
// Cooper, Frank & Holmes, "Sampling permutations for Shapley value estimation", JMLR 23 (2022)
// 43), and the Monte Carlo round driver both estimators and both backends share.
//
// CPU backend: walking a permutation adds one player at a time; the hybrid row's kernel
// exponents e_bk = sum_{p in S} D_kp(x) + sum_{p not in S} D_kp(b) are updated in place, so each
// step costs nb n_sv exponentials. Every permutation's contributions telescope to
// f(x) - v(empty), so the estimate is efficient by construction. The CUDA backend evaluates the
// same prefixes from scratch through a coalition evaluator (shap_permutation_with).
#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "../shap_internal.hpp"
#include "thermex/math/philox.hpp"
#include "thermex/math/shap_coalition.hpp"

namespace thermex {
namespace detail {
namespace {

// Welford's running mean and sum of squared deviations of one row's pair samples.
struct RowStats {
  std::vector<double> mean, m2;
  std::size_t pairs = 0;
};

bool below_target(const RowStats& s, double target_se) {
  for (std::size_t p = 0; p < s.mean.size(); ++p) {
    const double var = s.m2[p] / static_cast<double>(s.pairs - 1);
    if (!(std::sqrt(var / static_cast<double>(s.pairs)) <= target_se)) return false;
  }
  return true;
}

}  // namespace

void run_mc_rounds(std::size_t r0, std::size_t rows, std::size_t m, std::size_t max_pairs,
                   double target_se, const McRoundFill& fill, ShapResult& out) {
  static_assert(kShapCheckEvery >= 2, "a standard error needs two pairs");
  std::vector<RowStats> stats(
      rows, RowStats{std::vector<double>(m, 0.0), std::vector<double>(m, 0.0), 0});
  std::vector<std::size_t> active(rows);
  for (std::size_t i = 0; i < rows; ++i) active[i] = i;
  std::vector<double> samples;
  for (std::size_t pair0 = 0; pair0 < max_pairs && !active.empty(); pair0 += kShapCheckEvery) {
    const std::size_t count = std::min(kShapCheckEvery, max_pairs - pair0);
    samples.assign(active.size() * count * m, 0.0);
    fill(active, pair0, count, samples);
    std::size_t kept = 0;
    for (std::size_t a = 0; a < active.size(); ++a) {
      RowStats& s = stats[active[a]];
      for (std::size_t j = 0; j < count; ++j) {
        const double* x = samples.data() + (a * count + j) * m;
        ++s.pairs;
        for (std::size_t p = 0; p < m; ++p) {
          const double delta = x[p] - s.mean[p];
          s.mean[p] += delta / static_cast<double>(s.pairs);
          s.m2[p] += delta * (x[p] - s.mean[p]);
        }
      }
      const bool check = target_se > 0.0 && s.pairs % kShapCheckEvery == 0;
      if (!(check && below_target(s, target_se))) active[kept++] = active[a];
    }
    active.resize(kept);
  }
  for (std::size_t i = 0; i < rows; ++i) {
    const RowStats& s = stats[i];
    for (std::size_t p = 0; p < m; ++p) {
      const double var = s.pairs > 1 ? s.m2[p] / static_cast<double>(s.pairs - 1) : 0.0;
      out.values[(r0 + i) * m + p] = s.mean[p];
      out.std_errors[(r0 + i) * m + p] = std::sqrt(var / static_cast<double>(s.pairs));
    }
    out.samples_used[r0 + i] = s.pairs;
  }
}

void shap_permutation_with(const ShapGame& game, std::size_t n, std::uint64_t seed,
                           std::size_t pairs, double target_se, CoalitionEvaluator& evaluator,
                           ShapResult& out) {
  const std::size_t m = game.m;
  const int mi = static_cast<int>(m);
  CoalitionBatch batch;
  batch.words = static_cast<std::size_t>(math::coalition_words(mi));
  std::vector<double> values, ends, prefix(m + 1), suffix(m + 1);
  std::vector<std::uint32_t> perms;
  for (std::size_t r0 = 0; r0 < n; r0 += evaluator.max_rows()) {
    const std::size_t rows = std::min(evaluator.max_rows(), n - r0);
    evaluator.load_rows(r0, rows);
    evaluator.evaluate_ends(rows, batch, ends);
    auto fill = [&](std::span<const std::size_t> active, std::size_t pair0, std::size_t count,
                    std::span<double> samples) {
      batch.clear();  // per pair: the proper prefixes P_1 .. P_{m-1} of its permutation
      perms.resize(active.size() * count * m);
      for (std::size_t a = 0; a < active.size(); ++a) {
        for (std::size_t j = 0; j < count; ++j) {
          std::uint32_t* perm = perms.data() + (a * count + j) * m;
          math::PhiloxStream rng(seed, math::RngPurpose::kShapSample,
                                 math::permutation_stream_id(r0 + active[a], pair0 + j));
          math::draw_permutation(rng, perm, mi);
          for (std::size_t t = 1; t < m; ++t) {
            std::uint64_t* mask = batch.add(static_cast<std::uint32_t>(active[a]));
            for (std::size_t u = 0; u < t; ++u)
              math::coalition_add(mask, static_cast<int>(perm[u]));
          }
        }
      }
      values.resize(2 * batch.size());
      evaluator.evaluate(batch, values);
      for (std::size_t a = 0; a < active.size(); ++a) {
        const double v_empty = ends[2 * active[a]], v_full = ends[2 * active[a] + 1];
        for (std::size_t j = 0; j < count; ++j) {
          const std::size_t c0 = (a * count + j) * (m - 1);
          prefix[0] = suffix[m] = v_empty;
          prefix[m] = suffix[0] = v_full;
          for (std::size_t t = 1; t < m; ++t) {
            prefix[t] = values[2 * (c0 + t - 1)];
            suffix[t] = values[2 * (c0 + t - 1) + 1];
          }
          math::permutation_pair_sample(perms.data() + (a * count + j) * m, mi, prefix.data(),
                                        suffix.data(), samples.data() + (a * count + j) * m);
        }
      }
    };
    run_mc_rounds(r0, rows, m, pairs, target_se, fill, out);
  }
}

}  // namespace detail

namespace cpu {
namespace {

// Per-row workspace.
struct Walk {
  std::vector<double> xdist;  // n_sv x m
  std::vector<double> e0;     // nb x n_sv exponents of the empty coalition
  std::vector<double> e;      // current exponents
  std::vector<std::uint32_t> perm;
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

// Pairs pair0 .. pair0 + count - 1 of one row into samples (count x m): the row's distances and
// empty-coalition exponents, then each pair's permutation walked forward and reversed.
void walk_pairs(const detail::ShapGame& game, const double* z, std::uint64_t seed,
                std::uint64_t row, std::size_t pair0, std::size_t count, Walk& ws,
                double* samples) {
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
  for (std::size_t j = 0; j < count; ++j) {
    math::PhiloxStream rng(seed, math::RngPurpose::kShapSample,
                           math::permutation_stream_id(row, pair0 + j));
    math::draw_permutation(rng, ws.perm.data(), static_cast<int>(m));
    walk(
        game, ws, v_empty, [&](std::size_t t) { return std::size_t{ws.perm[t]}; },
        ws.phi_fwd.data());
    walk(
        game, ws, v_empty, [&](std::size_t t) { return std::size_t{ws.perm[m - 1 - t]}; },
        ws.phi_rev.data());
    for (std::size_t p = 0; p < m; ++p) samples[j * m + p] = 0.5 * (ws.phi_fwd[p] + ws.phi_rev[p]);
  }
}

}  // namespace

void shap_permutation(const Context& ctx, const detail::ShapGame& game,
                      std::span<const double> x_std, std::size_t n, std::uint64_t seed,
                      std::size_t pairs, double target_se, ShapResult& out) {
  const std::size_t m = game.m;
  // Rows in parallel within a round; each row's samples depend only on its own draws, so the
  // bytes do not depend on the thread count or schedule.
  auto fill = [&](std::span<const std::size_t> active, std::size_t pair0, std::size_t count,
                  std::span<double> samples) {
    const auto rows = static_cast<std::ptrdiff_t>(active.size());
#pragma omp parallel num_threads(ctx.threads())
    {
      Walk ws;
      ws.xdist.resize(game.n_sv * m);
      ws.e0.resize(game.nb * game.n_sv);
      ws.perm.resize(m);
      ws.phi_fwd.resize(m);
      ws.phi_rev.resize(m);
#pragma omp for schedule(dynamic, 1)
      for (std::ptrdiff_t a = 0; a < rows; ++a) {
        const auto ai = static_cast<std::size_t>(a);
        const std::size_t row = active[ai];
        walk_pairs(game, x_std.data() + row * game.d, seed, row, pair0, count, ws,
                   samples.data() + ai * count * m);
      }
    }
  };
  detail::run_mc_rounds(0, n, m, pairs, target_se, fill, out);
}

}  // namespace cpu
}  // namespace thermex
