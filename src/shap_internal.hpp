#pragma once
/// \file
/// Internal pieces of the SHAP engine shared by src/shap*.cpp and the CPU backend
/// (src/cpu/shap_*.cpp): the interventional game of an RBF SVR in "player distance" form.
///
/// For a standardized row z and support vector k, the kernel is exp(-sum_p D_kp(z)) with
/// D_kp(z) = gamma * sum_{columns c of player p} (z_c - sv_kc)^2. A hybrid row (x on the players
/// of S, b elsewhere) therefore has kernel exp(-(sum_{p in S} D_kp(x) + sum_{p not in S} D_kp(b))):
/// every estimator works on these per-player distances.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "thermex/context.hpp"
#include "thermex/shap.hpp"
#include "thermex/svr.hpp"

namespace thermex::detail {

/// The model and background reduced to what the estimators need.
struct ShapGame {
  std::size_t d = 0;     ///< feature columns
  std::size_t m = 0;     ///< players
  std::size_t n_sv = 0;  ///< support vectors
  std::size_t nb = 0;    ///< background rows
  double intercept = 0.0;
  double gamma = 0.0;
  std::span<const double> beta;  ///< n_sv dual coefficients (the model's)
  std::span<const double> sv;    ///< n_sv x d standardized support vectors (the model's)
  const std::vector<std::vector<std::size_t>>* players = nullptr;  ///< player -> columns
  std::vector<double> bg_dist;  ///< nb x n_sv x m: D_kp(b) of every background row
  /// nb normalized weights (sum 1) of the background rows; empty = uniform. Every mean over b
  /// is written sum_b bg_scale(b) * term_b / bg_divisor(): uniform games keep the plain
  /// sum / nb (1.0 * term is exact, so their bytes are those of an unweighted mean).
  std::vector<double> bg_weight;
  double base_value = 0.0;  ///< (weighted) mean_b f(b), transformed units

  /// Factor of background row b in a mean over b: its normalized weight, or 1 when uniform.
  double bg_scale(std::size_t b) const { return bg_weight.empty() ? 1.0 : bg_weight[b]; }
  /// Divisor of a mean over b: nb when uniform, 1 when weighted (the weights sum to 1).
  double bg_divisor() const { return bg_weight.empty() ? static_cast<double>(nb) : 1.0; }

  /// D_kp(z) for the standardized row `z` (d values) into `out` (n_sv x m). Cost O(n_sv d).
  void player_dist(const double* z, double* out) const;
  /// f(z) = intercept + sum_k beta_k exp(-sum_p dist[k m + p]) from player_dist output.
  double value_from_dist(const double* dist) const;
};

/// Builds the game; `background_std` is nb x d, standardized with the model's scaler;
/// `weights` is empty (uniform) or nb validated raw weights (normalized here). Cost
/// O(nb n_sv d), memory nb n_sv m doubles. OpenMP over background rows (fixed-order sums).
ShapGame make_shap_game(const Context& ctx, const SvrModel& model, const ShapPlayers& players,
                        std::span<const double> background_std, std::size_t nb,
                        std::span<const double> weights = {});

}  // namespace thermex::detail

namespace thermex::cpu {

/// Exact values (Owen + Gauss-Legendre) of the n standardized rows `x_std` into out.values
/// (n x m, zero-initialized by the caller). OpenMP over rows.
void shap_exact(const Context& ctx, const detail::ShapGame& game, std::span<const double> x_std,
                std::size_t n, ShapResult& out);

/// Brute force over all 2^m coalitions (m <= kShapBruteForceMaxPlayers) into out.values.
void shap_bruteforce(const Context& ctx, const detail::ShapGame& game,
                     std::span<const double> x_std, std::size_t n, ShapResult& out);

/// Antithetic permutation sampling keyed by (seed, kShapSample, row << 32 | pair) into
/// out.values, out.std_errors and out.samples_used.
void shap_permutation(const Context& ctx, const detail::ShapGame& game,
                      std::span<const double> x_std, std::size_t n, std::uint64_t seed,
                      std::size_t pairs, double target_se, ShapResult& out);

/// KernelSHAP with paired samples and the exact Shapley-kernel Gram matrix, keyed by
/// (seed, kShapSample, row << 32 | 2^31 | pair), into out.values, std_errors and samples_used.
void shap_kernel(const Context& ctx, const detail::ShapGame& game, std::span<const double> x_std,
                 std::size_t n, std::uint64_t seed, std::size_t pairs, double target_se,
                 ShapResult& out);

}  // namespace thermex::cpu
