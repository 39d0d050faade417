#pragma once
// Shared helpers of the SHAP tests: small random SVR models and a reference that enumerates all
// coalitions by predicting hybrid rows with svr_predict (independent of the SHAP engine).

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "svr_test_support.hpp"
#include "thermex/context.hpp"
#include "thermex/math/philox.hpp"
#include "thermex/math/shapley.hpp"
#include "thermex/shap.hpp"
#include "thermex/svr.hpp"

namespace thermex::testing {

inline Context shap_context(int threads = 0) {
  return Context::create({.device = DeviceRequest::kCpu, .threads = threads, .quiet = true});
}

/// A model fitted on n random rows of d features (problem `id`), with C = 10 and a small
/// epsilon so that most rows become support vectors.
inline SvrModel random_svr_model(const Context& ctx, std::uint64_t id, std::size_t n, std::size_t d,
                                 bool log10_target = false) {
  std::vector<double> x, y;
  synthetic_svr_problem(id, n, d, x, y);
  if (log10_target) {
    for (double& v : y) v = std::pow(10.0, v);
  }
  SvrSpec spec;
  spec.c = 10.0;
  spec.epsilon = 0.01;
  spec.log10_target = log10_target;
  return svr_fit(ctx, x, n, d, y, spec);
}

/// n x d rows uniform in [-2.5, 2.5] from Philox stream `id`.
inline std::vector<double> random_rows(std::uint64_t id, std::size_t n, std::size_t d) {
  math::PhiloxStream rng(77, math::RngPurpose::kTest, id);
  std::vector<double> x(n * d);
  for (double& v : x) v = -2.5 + 5.0 * rng.uniform();
  return x;
}

/// Interventional Shapley values of row `x` by definition: v(S) = mean_b f(x_S, b_~S) with f
/// from svr_predict (log10 of it for a log10 model), all 2^M coalitions, Shapley weights.
inline std::vector<double> reference_shap(const Context& ctx, const SvrModel& model,
                                          const double* x, const std::vector<double>& background,
                                          std::size_t nb, const ShapPlayers& players) {
  const std::size_t d = model.n_features, m = players.columns.size();
  std::vector<double> v(std::size_t{1} << m);
  std::vector<double> hybrid(nb * d);
  for (std::size_t s = 0; s < v.size(); ++s) {
    hybrid = background;
    for (std::size_t p = 0; p < m; ++p) {
      if (((s >> p) & 1U) == 0) continue;
      for (std::size_t c : players.columns[p]) {
        for (std::size_t b = 0; b < nb; ++b) hybrid[b * d + c] = x[c];
      }
    }
    const std::vector<double> f = svr_predict(ctx, model, hybrid, nb);
    double sum = 0.0;
    for (double a : f) sum += model.spec.log10_target ? std::log10(a) : a;
    v[s] = sum / static_cast<double>(nb);
  }
  std::vector<double> phi(m, 0.0);
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t s = 0; s < v.size(); ++s) {
      if (((s >> i) & 1U) != 0) continue;
      const int size = __builtin_popcountll(s);
      phi[i] +=
          math::shapley_weight(size, static_cast<int>(m)) * (v[s | (std::size_t{1} << i)] - v[s]);
    }
  }
  return phi;
}

/// Largest |value| of a vector, at least 1: the scale of an absolute tolerance.
inline double value_scale(const std::vector<double>& v) {
  double s = 1.0;
  for (double a : v) s = std::fmax(s, std::fabs(a));
  return s;
}

}  // namespace thermex::testing
