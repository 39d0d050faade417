// Validation, the one backend switch of the SHAP engine (STYLE.md section 1), the method names
// and the efficiency check every run ends with.
#include "thermex/shap.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "shap_exact_impl.hpp"
#include "shap_internal.hpp"
#include "shap_mc_impl.hpp"
#include "svr_internal.hpp"
#include "thermex/error.hpp"

namespace thermex {
namespace {

void validate_players(const ShapPlayers& players, std::size_t d) {
  if (players.names.size() != players.columns.size()) {
    throw Error(fmt::format("svr_shap: {} player names for {} players", players.names.size(),
                            players.columns.size()));
  }
  std::vector<int> seen(d, 0);
  for (std::size_t p = 0; p < players.columns.size(); ++p) {
    if (players.columns[p].empty()) throw Error(fmt::format("svr_shap: player {} is empty", p));
    for (std::size_t c : players.columns[p]) {
      if (c >= d) throw Error(fmt::format("svr_shap: player {} has column {} >= d = {}", p, c, d));
      if (seen[c]++ != 0) throw Error(fmt::format("svr_shap: column {} is in two players", c));
    }
  }
  for (std::size_t c = 0; c < d; ++c) {
    if (seen[c] == 0) throw Error(fmt::format("svr_shap: column {} belongs to no player", c));
  }
}

// Copies and standardizes n x d rows, refusing non-finite values (naming `what`, row, column).
std::vector<double> standardized(const SvrModel& model, std::span<const double> x, std::size_t n,
                                 const char* what) {
  const std::size_t d = model.n_features;
  if (x.size() != n * d) {
    throw Error(fmt::format("svr_shap: {} has {} values, expected {} x {}", what, x.size(), n, d));
  }
  for (std::size_t e = 0; e < x.size(); ++e) {
    if (!std::isfinite(x[e])) {
      const std::size_t c = e % d;
      const std::string name = c < model.feature_names.size() ? model.feature_names[c] : "";
      throw Error(fmt::format("svr_shap: {} row {}, feature {} ('{}') is {}; inputs must be finite",
                              what, e / d, c, name, x[e]));
    }
  }
  std::vector<double> out(x.begin(), x.end());
  detail::apply_scaler(out, d, model.feature_means, model.feature_scales);
  return out;
}

void validate_options(const ShapOptions& o, std::size_t m) {
  if (o.method == ShapMethod::kBruteForce && m > kShapBruteForceMaxPlayers) {
    throw ConfigError("--method", fmt::format("bruteforce supports at most {} players, got {}",
                                              kShapBruteForceMaxPlayers, m));
  }
  if (o.method == ShapMethod::kExact && m > kShapExactMaxPlayers) {
    throw ConfigError("--method", fmt::format("exact supports at most {} players, got {}",
                                              kShapExactMaxPlayers, m));
  }
  const bool monte_carlo = o.method == ShapMethod::kPermutation || o.method == ShapMethod::kKernel;
  if (monte_carlo && o.samples < 2) {
    throw ConfigError("--samples",
                      fmt::format("need at least 2 antithetic pairs, got {}", o.samples));
  }
  if (!(o.target_se >= 0.0) || !std::isfinite(o.target_se)) {
    throw ConfigError("--target-se", fmt::format("must be finite and >= 0, got {}", o.target_se));
  }
  if (!(o.efficiency_rtol > 0.0)) {
    throw ConfigError("efficiency_rtol", fmt::format("must be > 0, got {}", o.efficiency_rtol));
  }
}

// Background weights: empty, or nb finite non-negative values with a positive sum.
void validate_weights(std::span<const double> w, std::size_t nb) {
  if (w.empty()) return;
  if (w.size() != nb) {
    throw Error(
        fmt::format("svr_shap: {} background weights for {} background rows", w.size(), nb));
  }
  double total = 0.0;
  for (std::size_t b = 0; b < nb; ++b) {
    if (!std::isfinite(w[b]) || w[b] < 0.0) {
      throw Error(
          fmt::format("svr_shap: background weight {} is {}; weights must be finite and "
                      ">= 0",
                      b, w[b]));
    }
    total += w[b];
  }
  if (!(total > 0.0) || !std::isfinite(total)) {
    throw Error(
        fmt::format("svr_shap: background weights sum to {}; need a finite sum > 0", total));
  }
}

// fx per row and the efficiency check sum_i phi_i = f(x) - base (exact for every estimator
// here: Owen's formula and brute force are exact, a permutation's marginal contributions
// telescope, and KernelSHAP enforces the constraint). Throws naming the worst row when the
// violation exceeds the tolerance.
void check_efficiency(const detail::ShapGame& game, std::span<const double> x_std, double rtol,
                      ShapResult& r) {
  std::vector<double> dist(game.n_sv * game.m);
  double worst = 0.0;
  std::size_t worst_row = 0;
  bool failed = false;
  for (std::size_t i = 0; i < r.rows; ++i) {
    game.player_dist(x_std.data() + i * game.d, dist.data());
    r.fx[i] = game.value_from_dist(dist.data());
    double sum = 0.0;
    for (std::size_t p = 0; p < r.players; ++p) sum += r.values[i * r.players + p];
    const double gap = std::fabs(sum - (r.fx[i] - r.base_value));
    const double scale = std::max({1.0, std::fabs(r.fx[i]), std::fabs(r.base_value)});
    if (!(gap <= worst)) {  // NaN counts as the worst
      worst = gap;
      worst_row = i;
    }
    if (!(gap <= rtol * scale)) failed = true;
  }
  r.max_efficiency_violation = worst;
  if (failed) {
    throw Error(fmt::format(
        "svr_shap ({}): efficiency violated: row {} sum of SHAP values differs from f(x) - base "
        "by {:.3g} (tolerance {:.3g} relative)",
        to_string(r.method), worst_row, worst, rtol));
  }
}

// Exact values on the CUDA backend (kernels/shap_exact.cu) into r.values, from the same
// standardized rows the CPU game was built from.
void exact_on_cuda(const Context& ctx, const SvrModel& model, std::span<const double> x_std,
                   std::size_t n, std::span<const double> b_std, std::size_t nb,
                   const ShapOptions& options, ShapResult& r) {
  cuda::ShapExactInputs in;
  in.x_std = x_std;
  in.n = n;
  in.background_std = b_std;
  in.nb = nb;
  in.background_weights = options.background_weights;
  in.support_vectors = model.support_vectors;
  in.beta = model.dual_coef;
  in.d = model.n_features;
  in.gamma = model.gamma_value;
  in.players = &r.player_sets.columns;
  cuda::shap_exact(ctx, in, r.values);
}

}  // namespace

std::string_view to_string(ShapMethod method) noexcept {
  switch (method) {
    case ShapMethod::kExact:
      return "exact";
    case ShapMethod::kPermutation:
      return "permutation";
    case ShapMethod::kKernel:
      return "kernel";
    case ShapMethod::kBruteForce:
      return "bruteforce";
  }
  return "exact";
}

ShapMethod parse_shap_method(std::string_view text, std::string_view key) {
  for (ShapMethod m : {ShapMethod::kExact, ShapMethod::kPermutation, ShapMethod::kKernel,
                       ShapMethod::kBruteForce}) {
    if (text == to_string(m)) return m;
  }
  throw ConfigError(
      std::string(key),
      fmt::format("expected exact, permutation, kernel or bruteforce, got \"{}\"", text));
}

ShapResult svr_shap(const Context& ctx, const SvrModel& model, std::span<const double> x_rowmajor,
                    std::size_t n, std::span<const double> background, std::size_t nb,
                    const ShapOptions& options) {
  const std::size_t d = model.n_features;
  THERMEX_EXPECTS(d >= 1 && model.support_vectors.size() == model.n_support() * d &&
                      model.feature_means.size() == d && model.feature_scales.size() == d,
                  "svr_shap: inconsistent model");
  if (n == 0) throw Error("svr_shap: no rows to explain");
  if (nb == 0) throw Error("svr_shap: empty background");
  ShapResult r;
  r.player_sets = options.players.columns.empty() ? shap_players_per_column(d, model.feature_names)
                                                  : options.players;
  validate_players(r.player_sets, d);
  r.rows = n;
  r.players = r.player_sets.columns.size();
  r.method = options.method;
  r.log10_target = model.spec.log10_target;
  validate_options(options, r.players);
  validate_weights(options.background_weights, nb);
  const std::vector<double> x_std = standardized(model, x_rowmajor, n, "x");
  const std::vector<double> b_std = standardized(model, background, nb, "background");
  // CUDA runs exact, permutation and kernel; brute force (a reference) runs on the CPU.
  const bool on_cuda = ctx.device() == Device::kCuda;
  if (on_cuda && options.method == ShapMethod::kBruteForce) {
    ctx.logger().info("svr_shap: method {} has no CUDA backend; running it on the CPU",
                      to_string(options.method));
  }

  const detail::ShapGame game =
      detail::make_shap_game(ctx, model, r.player_sets, b_std, nb, options.background_weights);
  r.base_value = game.base_value;
  r.values.assign(n * r.players, 0.0);
  r.std_errors.assign(n * r.players, 0.0);
  r.samples_used.assign(n, 0);
  r.fx.assign(n, 0.0);
  switch (options.method) {
    case ShapMethod::kExact:
      if (on_cuda) {
        exact_on_cuda(ctx, model, x_std, n, b_std, nb, options, r);
      } else {
        cpu::shap_exact(ctx, game, x_std, n, r);
      }
      break;
    case ShapMethod::kBruteForce:
      cpu::shap_bruteforce(ctx, game, x_std, n, r);
      break;
    case ShapMethod::kPermutation:
      if (on_cuda) {
        cuda::shap_permutation(ctx, game, x_std, n, options.seed.value_or(ctx.seed()),
                               options.samples, options.target_se, r);
      } else {
        cpu::shap_permutation(ctx, game, x_std, n, options.seed.value_or(ctx.seed()),
                              options.samples, options.target_se, r);
      }
      break;
    case ShapMethod::kKernel:
      if (on_cuda) {
        cuda::shap_kernel(ctx, game, x_std, n, options.seed.value_or(ctx.seed()), options.samples,
                          options.target_se, r);
      } else {
        cpu::shap_kernel(ctx, game, x_std, n, options.seed.value_or(ctx.seed()), options.samples,
                         options.target_se, r);
      }
      break;
  }
  check_efficiency(game, x_std, options.efficiency_rtol, r);
  return r;
}

std::vector<double> shap_mean_abs(const ShapResult& result) {
  std::vector<double> out(result.players, 0.0);
  for (std::size_t i = 0; i < result.rows; ++i) {
    for (std::size_t p = 0; p < result.players; ++p) {
      out[p] += std::fabs(result.values[i * result.players + p]);
    }
  }
  for (double& v : out) v /= static_cast<double>(std::max<std::size_t>(result.rows, 1));
  return out;
}

}  // namespace thermex
