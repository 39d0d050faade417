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
//
// shap_kernel_with is the driver of both backends; only the coalition values are pluggable
// (CPU: the evaluator below; CUDA: kernels/shap_mc.cu).
#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "../shap_internal.hpp"
#include "thermex/error.hpp"
#include "thermex/math/philox.hpp"
#include "thermex/math/shap_coalition.hpp"

namespace thermex {
namespace detail {
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

}  // namespace

void shap_kernel_with(const ShapGame& game, std::span<const double> x_std, std::size_t n,
                      std::uint64_t seed, std::size_t pairs, double target_se,
                      CoalitionEvaluator& evaluator, ShapResult& out) {
  const std::size_t m = game.m;
  if (m == 1) {  // one player takes all of f(x) - base: no sampling, no error
    std::vector<double> dist(game.n_sv);
    for (std::size_t i = 0; i < n; ++i) {
      game.player_dist(x_std.data() + i * game.d, dist.data());
      out.values[i] = game.value_from_dist(dist.data()) - game.base_value;
    }
    return;
  }
  const int mi = static_cast<int>(m);
  const KernelDesign design = make_design(m);
  CoalitionBatch batch;
  batch.words = static_cast<std::size_t>(math::coalition_words(mi));
  std::vector<double> values, ends, b_scratch(m);
  std::vector<std::uint32_t> perm(m);
  for (std::size_t r0 = 0; r0 < n; r0 += evaluator.max_rows()) {
    const std::size_t rows = std::min(evaluator.max_rows(), n - r0);
    evaluator.load_rows(r0, rows);
    evaluator.evaluate_ends(rows, batch, ends);
    auto fill = [&](std::span<const std::size_t> active, std::size_t pair0, std::size_t count,
                    std::span<double> samples) {
      batch.clear();
      for (std::size_t a = 0; a < active.size(); ++a) {
        for (std::size_t j = 0; j < count; ++j) {
          math::PhiloxStream rng(seed, math::RngPurpose::kShapSample,
                                 math::kernel_stream_id(r0 + active[a], pair0 + j));
          math::draw_kernel_coalition(rng, design.size_cdf.data(), mi, perm.data(),
                                      batch.add(static_cast<std::uint32_t>(active[a])));
        }
      }
      values.resize(2 * batch.size());
      evaluator.evaluate(batch, values);
      for (std::size_t a = 0; a < active.size(); ++a) {
        const double v_empty = ends[2 * active[a]];
        const double share = (ends[2 * active[a] + 1] - v_empty) / static_cast<double>(m);
        for (std::size_t j = 0; j < count; ++j) {
          const std::size_t c = a * count + j;
          math::kernel_pair_sample(batch.masks.data() + c * batch.words, mi,
                                   values[2 * c] - v_empty, values[2 * c + 1] - v_empty,
                                   design.alpha, share, b_scratch.data(), samples.data() + c * m);
        }
      }
    };
    run_mc_rounds(r0, rows, m, pairs, target_se, fill, out);
  }
}

}  // namespace detail

namespace cpu {
namespace {

// Evaluates coalitions in parallel, each summed over b, then k, in order: the summation of the
// original CPU KernelSHAP, so its bytes are unchanged.
class CpuCoalitionEvaluator final : public detail::CoalitionEvaluator {
 public:
  CpuCoalitionEvaluator(const Context& ctx, const detail::ShapGame& game,
                        std::span<const double> x_std, std::size_t budget_bytes)
      : ctx_(ctx), game_(game), x_std_(x_std), budget_bytes_(budget_bytes) {}

  // The rows whose distances fit the budget (at least one).
  std::size_t max_rows() const override {
    const std::size_t row_bytes = sizeof(double) * std::max<std::size_t>(game_.n_sv * game_.m, 1);
    return std::max<std::size_t>(budget_bytes_ / row_bytes, 1);
  }

  void load_rows(std::size_t r0, std::size_t count) override {
    THERMEX_EXPECTS(count <= max_rows() && (r0 + count) * game_.d <= x_std_.size(),
                    "cpu coalition evaluator: rows out of range");
    const std::size_t stride = game_.n_sv * game_.m;
    xdist_.resize(count * stride);
    for (std::size_t i = 0; i < count; ++i) {
      game_.player_dist(x_std_.data() + (r0 + i) * game_.d, xdist_.data() + i * stride);
    }
    loaded_ = count;
  }

  void evaluate(const detail::CoalitionBatch& batch, std::span<double> values) override {
    THERMEX_EXPECTS(
        values.size() == 2 * batch.size() && batch.masks.size() == batch.size() * batch.words &&
            batch.words ==
                static_cast<std::size_t>(math::coalition_words(static_cast<int>(game_.m))),
        "cpu coalition evaluator: inconsistent coalition batch");
    for (std::uint32_t s : batch.slot) {
      THERMEX_EXPECTS(s < loaded_, "cpu coalition evaluator: coalition of a row not loaded");
    }
    const auto count = static_cast<std::ptrdiff_t>(batch.size());
#pragma omp parallel for schedule(dynamic, 4) num_threads(ctx_.threads())
    for (std::ptrdiff_t c = 0; c < count; ++c) {
      const auto ci = static_cast<std::size_t>(c);
      value_pair(batch.slot[ci], batch.masks.data() + ci * batch.words, values.data() + 2 * ci);
    }
  }

 private:
  // out[0] = v(S) - intercept, out[1] = v(~S) - intercept.
  void value_pair(std::size_t slot, const std::uint64_t* mask, double* out) const {
    const std::size_t m = game_.m, n_sv = game_.n_sv;
    const double* xd = xdist_.data() + slot * n_sv * m;
    const int mi = static_cast<int>(m);
    double acc_s = 0.0, acc_c = 0.0;
    for (std::size_t b = 0; b < game_.nb; ++b) {
      const double wb = game_.bg_scale(b);  // 1 when uniform: wb * beta is then beta exactly
      for (std::size_t k = 0; k < n_sv; ++k) {
        const double* bd = game_.bg_dist.data() + (b * n_sv + k) * m;
        double e_s = 0.0, e_c = 0.0;
        math::coalition_exponent_pair(xd + k * m, 1, bd, 1, mask, mi, e_s, e_c);
        const double coef = wb * game_.beta[k];
        acc_s += coef * std::exp(-e_s);
        acc_c += coef * std::exp(-e_c);
      }
    }
    out[0] = acc_s / game_.bg_divisor();
    out[1] = acc_c / game_.bg_divisor();
  }

  const Context& ctx_;
  const detail::ShapGame& game_;
  std::span<const double> x_std_;
  std::size_t budget_bytes_;
  std::vector<double> xdist_;
  std::size_t loaded_ = 0;
};

}  // namespace

std::unique_ptr<detail::CoalitionEvaluator> make_coalition_evaluator(const Context& ctx,
                                                                     const detail::ShapGame& game,
                                                                     std::span<const double> x_std,
                                                                     std::size_t budget_bytes) {
  return std::make_unique<CpuCoalitionEvaluator>(ctx, game, x_std, budget_bytes);
}

void shap_kernel(const Context& ctx, const detail::ShapGame& game, std::span<const double> x_std,
                 std::size_t n, std::uint64_t seed, std::size_t pairs, double target_se,
                 ShapResult& out) {
  // 64 MiB of row distances per chunk: far more rows than the threads need to stay busy.
  CpuCoalitionEvaluator evaluator(ctx, game, x_std, std::size_t{64} << 20);
  detail::shap_kernel_with(game, x_std, n, seed, pairs, target_se, evaluator, out);
}

}  // namespace cpu
}  // namespace thermex
