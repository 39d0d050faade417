// Optimality checks of an epsilon-SVR dual solution, independent of the solver's own state: the
// dual objective from beta and the KKT gap m(a) - M(a) of Fan, Chen & Lin (2005), recomputed
// from scratch. Used by tests (KKT conditions at the solution) and available to callers.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "svr_internal.hpp"
#include "thermex/error.hpp"
#include "thermex/math/smo.hpp"
#include "thermex/rbf_kernel.hpp"

namespace thermex {

SvrDualCheck svr_dual_check(std::span<const double> kernel, std::span<const double> t,
                            std::span<const double> beta, double c, double epsilon) {
  const std::size_t n = t.size();
  THERMEX_EXPECTS(beta.size() == n && kernel.size() == n * n,
                  fmt::format("svr_dual_check: sizes kernel {}, t {}, beta {} (need n*n, n, n)",
                              kernel.size(), n, beta.size()));
  // Kb, then the objective 0.5 b^T K b + eps |b|_1 - t^T b.
  std::vector<double> kb(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) kb[i] += kernel[i * n + j] * beta[j];
  }
  SvrDualCheck out;
  for (std::size_t i = 0; i < n; ++i) {
    out.objective += 0.5 * beta[i] * kb[i] + epsilon * std::abs(beta[i]) - t[i] * beta[i];
  }
  // 2n-variable form: G_t = s_t (K b)_t + p_t for alpha (s = +1, p = eps - t) and alpha*
  // (s = -1, p = eps + t); gap = max_{I_up} -s G - min_{I_low} -s G.
  constexpr double kInf = std::numeric_limits<double>::infinity();
  double up = -kInf, low = -kInf;
  for (std::size_t i = 0; i < n; ++i) {
    const double a = std::max(beta[i], 0.0), as = std::max(-beta[i], 0.0);
    const double g = kb[i] + epsilon - t[i];
    const double gs = -kb[i] + epsilon + t[i];
    if (math::smo_in_up(1.0, a, c)) up = std::max(up, -g);
    if (math::smo_in_up(-1.0, as, c)) up = std::max(up, gs);
    if (math::smo_in_low(1.0, a, c)) low = std::max(low, g);
    if (math::smo_in_low(-1.0, as, c)) low = std::max(low, -gs);
  }
  out.kkt_gap = up + low;
  return out;
}

SvrDualCheck svr_training_check(const Context& ctx, const SvrModel& model,
                                std::span<const double> x_rowmajor, std::size_t n,
                                std::span<const double> y) {
  const std::size_t d = model.n_features;
  THERMEX_EXPECTS(x_rowmajor.size() == n * d && y.size() == n && n == model.n_train,
                  "svr_training_check: x and y must be the model's n_train training rows");
  std::vector<double> xs(x_rowmajor.begin(), x_rowmajor.end());
  detail::apply_scaler(xs, d, model.feature_means, model.feature_scales);
  std::vector<double> t(y.begin(), y.end());
  if (model.spec.log10_target) {
    for (double& v : t) v = std::log10(v);
  }
  std::vector<double> beta(n, 0.0);
  for (std::size_t s = 0; s < model.n_support(); ++s) {
    beta[static_cast<std::size_t>(model.support_indices[s])] = model.dual_coef[s];
  }
  const std::vector<double> kern = rbf_kernel_matrix(ctx, xs, n, xs, n, d, model.gamma_value);
  return svr_dual_check(kern, t, beta, model.spec.c, model.spec.epsilon);
}

}  // namespace thermex
