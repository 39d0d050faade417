#pragma once
/// \file
/// Internal: the CUDA backend of the Monte Carlo SHAP estimators (kernels/shap_mc.cu; without
/// CUDA, src/no_cuda/shap_mc_stub.cpp throws). Only the coalition values run on the device:
/// the host drivers of src/shap_internal.hpp (thermex::detail::shap_permutation_with,
/// thermex::detail::shap_kernel_with) draw the coalitions with the same Philox streams as the CPU,
/// keep Welford's statistics and apply the stop rule, so the CPU and CUDA backends sample the
/// same coalitions and stop after the same number of pairs (up to knife-edge cases in which a
/// standard error lies within rounding of target_se).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "shap_internal.hpp"
#include "thermex/context.hpp"
#include "thermex/shap.hpp"

namespace thermex::cuda {

/// Options of the CUDA Monte Carlo estimators; the defaults are what svr_shap uses.
struct ShapMcCudaOptions {
  /// Device memory for one round of a chunk of rows: each row's player distances
  /// (m n_sv doubles) and its kShapCheckEvery (m - 1) coalitions with their per-tile partial
  /// sums. 256 MiB holds ~900 rows of a round at 15 players, 450 support vectors and 600
  /// background rows (132 tiles), i.e. ~100,000 coalitions x 132 tiles of blocks.
  std::size_t chunk_budget_bytes = std::size_t{256} << 20;
};

/// (background row, support vector) pairs q = b n_sv + k one block of the coalition kernel
/// sums: 128 threads x 16 pairs. Fixed (not derived from the device), so the summation order,
/// and with it the bytes, are the same on every GPU.
constexpr std::size_t kShapMcPairsPerTile = 2048;

/// Coalitions (each with its complement) one row adds to a round: kShapCheckEvery pairs of
/// max(m - 1, 1) prefixes (permutation; KernelSHAP needs one per pair).
constexpr std::size_t shap_mc_coalitions_per_row(std::size_t m) noexcept {
  return kShapCheckEvery * std::max<std::size_t>(m, 2) - kShapCheckEvery;
}

/// Rows per chunk for m players, n_sv support vectors and nb background rows under
/// `budget_bytes`: the budget over the bytes of one row, 8 m n_sv (distances) plus, per
/// coalition of shap_mc_coalitions_per_row(m), 16 tiles + 16 (two partials per tile, two
/// values) + 8 words + 4 (mask, slot), with tiles = ceil(nb n_sv / kShapMcPairsPerTile);
/// at least 1. O(1), never throws.
inline std::size_t shap_mc_chunk_rows(std::size_t m, std::size_t n_sv, std::size_t nb,
                                      std::size_t budget_bytes) noexcept {
  const std::size_t tiles = (nb * n_sv + kShapMcPairsPerTile - 1) / kShapMcPairsPerTile;
  const std::size_t words = (m + 63) / 64;
  const std::size_t per_coalition = 16 * tiles + 16 + 8 * words + 4;
  const std::size_t row_bytes =
      sizeof(double) * m * n_sv + shap_mc_coalitions_per_row(m) * per_coalition;
  return std::max<std::size_t>(budget_bytes / std::max<std::size_t>(row_bytes, 1), 1);
}

/// The background as the coalition kernel reads it: distances player-major,
/// bg_dist[p q_count + q] = D_kp(b) at q = b n_sv + k (consecutive threads, consecutive q, read
/// consecutive addresses), and coef[q] = game.bg_scale(b) beta_k (the CPU's product).
struct ShapMcBackground {
  std::vector<double> bg_dist;  ///< m x q_count, q_count = nb n_sv
  std::vector<double> coef;     ///< q_count
};

/// Builds ShapMcBackground from the game. O(nb n_sv m) time and memory.
inline ShapMcBackground shap_mc_background(const thermex::detail::ShapGame& game) {
  const std::size_t q_count = game.nb * game.n_sv;
  ShapMcBackground out{std::vector<double>(q_count * game.m), std::vector<double>(q_count)};
  for (std::size_t q = 0; q < q_count; ++q) {
    for (std::size_t p = 0; p < game.m; ++p) {
      out.bg_dist[p * q_count + q] = game.bg_dist[q * game.m + p];
    }
    out.coef[q] = game.bg_scale(q / game.n_sv) * game.beta[q % game.n_sv];
  }
  return out;
}

/// The player distances of explained rows r0 .. r0 + count - 1 as the coalition kernel reads
/// them: out[(i m + p) n_sv + k] = D_kp(x_{r0 + i}) (player-major within a row), from
/// game.player_dist. O(count n_sv d) time, count n_sv m doubles.
inline std::vector<double> shap_mc_row_distances(const thermex::detail::ShapGame& game,
                                                 std::span<const double> x_std, std::size_t r0,
                                                 std::size_t count) {
  const std::size_t m = game.m, n_sv = game.n_sv;
  std::vector<double> dist(n_sv * m), out(count * m * n_sv);
  for (std::size_t i = 0; i < count; ++i) {
    game.player_dist(x_std.data() + (r0 + i) * game.d, dist.data());
    for (std::size_t k = 0; k < n_sv; ++k) {
      for (std::size_t p = 0; p < m; ++p) out[(i * m + p) * n_sv + k] = dist[k * m + p];
    }
  }
  return out;
}

/// The device coalition evaluator of the n standardized rows `x_std` (n x game.d) on ctx's
/// device and stream: uploads the background distances (player-major, nb n_sv m doubles) and
/// the coefficients w_b beta_k once (shap_mc_background); load_rows uploads the rows' player
/// distances (shap_mc_row_distances); evaluate runs one block per (coalition, tile of
/// kShapMcPairsPerTile (b, k) pairs) through math::coalition_exponent_pair and a CUB block sum
/// of both the coalition's and its complement's terms, then adds each coalition's tiles in
/// order (no atomics: the same bytes on every run) and divides by game.bg_divisor() on the
/// host. evaluate blocks until the values are on the host. `game` and `x_std` must outlive
/// it. Throws Error when nb n_sv needs more than 65535 tiles, CudaError when a CUDA call fails.
std::unique_ptr<thermex::detail::CoalitionEvaluator> make_coalition_evaluator(
    const Context& ctx, const thermex::detail::ShapGame& game, std::span<const double> x_std,
    const ShapMcCudaOptions& options = {});

/// Permutation-sampling SHAP of the n rows on the device: thermex::detail::shap_permutation_with
/// over make_coalition_evaluator; writes out.values, out.std_errors and out.samples_used like
/// cpu::shap_permutation. Cost O(n pairs 2 m nb n_sv m) device flops (each coalition is summed
/// from scratch), host O(n pairs m).
void shap_permutation(const Context& ctx, const thermex::detail::ShapGame& game,
                      std::span<const double> x_std, std::size_t n, std::uint64_t seed,
                      std::size_t pairs, double target_se, ShapResult& out,
                      const ShapMcCudaOptions& options = {});

/// KernelSHAP of the n rows on the device: thermex::detail::shap_kernel_with over
/// make_coalition_evaluator (m == 1 needs no coalitions: f(x) - base on the host). Cost
/// O(n pairs 2 nb n_sv m) device flops.
void shap_kernel(const Context& ctx, const thermex::detail::ShapGame& game,
                 std::span<const double> x_std, std::size_t n, std::uint64_t seed,
                 std::size_t pairs, double target_se, ShapResult& out,
                 const ShapMcCudaOptions& options = {});

}  // namespace thermex::cuda
