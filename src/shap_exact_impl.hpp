#pragma once
/// \file
/// Internal: the CUDA backend of exact interventional SHAP (kernels/shap_exact.cu; without CUDA,
/// src/no_cuda/shap_stub.cpp throws). src/shap.cpp validates and standardizes the inputs, builds
/// the CPU game (base value, efficiency check) and dispatches the Owen sums here when
/// ctx.device() is Device::kCuda; the tests call the backend directly to force small chunks.

#include <algorithm>
#include <cstddef>
#include <span>
#include <vector>

#include "thermex/context.hpp"

namespace thermex::cuda {

/// What the exact estimator needs, all in standardized feature units (the model's scaler
/// already applied), as host memory.
struct ShapExactInputs {
  std::span<const double> x_std;               ///< n x d explained rows
  std::size_t n = 0;                           ///< explained rows
  std::span<const double> background_std;      ///< nb x d background rows
  std::size_t nb = 0;                          ///< background rows (>= 1)
  std::span<const double> background_weights;  ///< nb weights >= 0 with a sum > 0; empty: uniform
  std::span<const double> support_vectors;     ///< n_sv x d (the model's)
  std::span<const double> beta;                ///< n_sv dual coefficients (the model's)
  std::size_t d = 0;                           ///< feature columns (>= 1)
  double gamma = 0.0;                          ///< RBF gamma (finite, > 0 when n_sv > 0)
  /// player -> its columns; the players must partition the d columns (at most 64 players).
  const std::vector<std::vector<std::size_t>>* players = nullptr;
};

/// Options of the CUDA exact estimator; the defaults are what svr_shap uses.
struct ShapExactCudaOptions {
  /// Device memory per chunk of explained rows: each row's factors (m x n_sv doubles), its
  /// per-tile partial sums and its standardized inputs. 256 MiB holds ~4900 rows at 15 players
  /// and 450 support vectors, enough to fill the GPU with (row, tile) blocks.
  std::size_t chunk_budget_bytes = std::size_t{256} << 20;
};

/// Support-vector-major pairs (b, k) one block of the Owen kernel sums: 128 threads x 16 pairs.
/// Fixed (not derived from the device), so the summation order, and with it the bytes, are the
/// same on every GPU.
constexpr std::size_t kShapExactPairsPerTile = 2048;

/// Explained rows per chunk for m players, n_sv support vectors, nb background rows and d
/// columns under `budget_bytes`: the budget over 8 (m n_sv + tiles m + d + m) bytes per row
/// (factors, per-tile partials, inputs, values), where tiles = ceil(nb n_sv /
/// kShapExactPairsPerTile); at least 1 and at most 65535 (the grid's y limit). O(1), never
/// throws.
inline std::size_t shap_exact_chunk_rows(std::size_t m, std::size_t n_sv, std::size_t nb,
                                         std::size_t d, std::size_t budget_bytes) noexcept {
  const std::size_t tiles = (nb * n_sv + kShapExactPairsPerTile - 1) / kShapExactPairsPerTile;
  const std::size_t row_bytes = sizeof(double) * (m * n_sv + tiles * m + d + m);
  return std::clamp<std::size_t>(budget_bytes / std::max<std::size_t>(row_bytes, 1), 1, 65535);
}

/// Exact interventional SHAP values of the n rows into `values` (n x m row-major, every entry
/// overwritten), in the model's transformed target units: phi_i = sum_b omega_b sum_k beta_k
/// (a_ki - c_ki) integral_0^1 prod_{j != i} ((1 - u) c_kj + u a_kj) du with omega_b = w_b / sum w
/// (1 / nb when the weights are empty), on ctx's device and stream. The background factors
/// c_bkj = exp(-D_kj(b)) are computed once on the device (nb x m x n_sv doubles); per chunk of
/// shap_exact_chunk_rows(...) rows, the rows' factors, then one block per (tile of 2048 (b, k)
/// pairs, row) runs Owen's formula per pair through math::owen_shapley_add_lanes<1> and a CUB
/// block sum, and a last kernel adds each row's tiles in tile order. Every sum runs in a fixed
/// order (no atomics), so the bytes are the same on every run. Blocks until the values are on
/// the host. Returns at once when n == 0; all-zero values when there are no support vectors.
/// Throws Error on inconsistent sizes, players that are not a partition of the d columns or
/// more than 64 of them, weights that are negative, non-finite or sum to 0, or a bad gamma;
/// CudaError when a CUDA call fails (e.g. the background factors do not fit in device memory).
/// Cost: O(n nb n_sv m^2 / 2) flops, memory O(nb n_sv m) doubles plus the chunk budget.
void shap_exact(const Context& ctx, const ShapExactInputs& in, std::span<double> values,
                const ShapExactCudaOptions& options = {});

}  // namespace thermex::cuda
