#pragma once
/// \file
/// Interventional SHAP values of an RBF epsilon-SVR (data/SHAP.md): exact values in polynomial
/// time by Owen's multilinear-extension formula for product kernels, brute-force enumeration of
/// all coalitions (the reference, M <= 16 players), and permutation sampling with antithetic
/// pairs and KernelSHAP with paired samples (Monte Carlo, with standard errors and an optional
/// stop at a target standard error).
///
/// The game explained for a row x is v(S) = mean_b f(x_S, b_~S) over the background rows b
/// (a weighted mean when ShapOptions::background_weights is given),
/// where f is the model's output in the transformed target space (log10 when the model was
/// fitted with log10_target: 10^f is not additive in its inputs, so SHAP explains f itself).
/// Inputs are in original feature units; the model's standardization is applied inside.
///
/// Backends: CPU (OpenMP over explained rows; each row's sums run in a fixed order, so the bytes
/// do not depend on the thread count). On Device::kCuda the exact method runs on the GPU
/// (kernels/shap_exact.cu: the same THERMEX_HD Owen/Gauss-Legendre math, tiles summed in a fixed
/// order) and is checked against the CPU game's efficiency; the permutation and kernel methods
/// evaluate their coalition values on the GPU (kernels/shap_mc.cu) with the CPU's Philox draws
/// and host driver (the same coalitions, values within ~1e-12 of the CPU's); brute force runs
/// on the CPU (logged). The CUDA paths have not run on a GPU yet.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "thermex/context.hpp"
#include "thermex/svr.hpp"
#include "thermex/table.hpp"

namespace thermex {

/// How Shapley values are computed.
enum class ShapMethod {
  kExact,        ///< Owen integral by Gauss-Legendre quadrature; exact, O(n nb n_sv M^2)
  kPermutation,  ///< antithetic permutation sampling; unbiased, with standard errors
  kKernel,       ///< KernelSHAP, paired samples, exact Gram matrix; unbiased, standard errors
  kBruteForce,   ///< all 2^M coalitions with Shapley weights; M <= kShapBruteForceMaxPlayers
};

/// Most players brute force accepts (2^16 coalitions per (row, background, SV) triple).
constexpr std::size_t kShapBruteForceMaxPlayers = 16;

/// Most players the exact method accepts (Gauss-Legendre nodes are tabulated up to 32).
constexpr std::size_t kShapExactMaxPlayers = 64;

/// "exact", "permutation", "kernel" or "bruteforce".
std::string_view to_string(ShapMethod method) noexcept;

/// Parses "exact", "permutation", "kernel" or "bruteforce"; throws ConfigError naming `key`
/// otherwise.
ShapMethod parse_shap_method(std::string_view text, std::string_view key = "--method");

/// Players: each is a set of feature columns that enter and leave coalitions together.
struct ShapPlayers {
  std::vector<std::vector<std::size_t>> columns;  ///< player -> column indices (a partition)
  std::vector<std::string> names;                 ///< one name per player
};

/// One player per column, named after `feature_names` (or "x<j>" where a name is empty/absent).
ShapPlayers shap_players_per_column(std::size_t d, std::span<const std::string> feature_names);

/// Players from column metadata: columns sharing a non-empty ColumnMeta::group form one player
/// named after the group (placed where its first column is); every other column is its own
/// player named after the column. Cost O(d log d).
ShapPlayers shap_players_from_metas(std::span<const ColumnMeta> metas);

/// Options of svr_shap.
struct ShapOptions {
  ShapMethod method = ShapMethod::kExact;  ///< estimator
  /// Permutation and kernel: antithetic pairs per row (a permutation and its reverse, or a
  /// coalition and its complement); the cap when target_se > 0. Must be >= 2 (a standard error
  /// needs two pairs).
  std::size_t samples = 64;
  std::optional<std::uint64_t> seed;  ///< Philox key for the permutations; ctx.seed() when unset
  /// Permutation and kernel: stop a row as soon as every player's standard error is <= target_se
  /// (checked after every kShapCheckEvery pairs); 0 runs all `samples` pairs.
  double target_se = 0.0;
  /// Players; empty means one player per column, named after the model's features.
  ShapPlayers players;
  /// Exact and brute force: relative efficiency tolerance; Error when
  /// |sum_i phi_i - (f(x) - base)| > efficiency_rtol * max(1, |f(x)|, |base|) for some row.
  double efficiency_rtol = 1e-8;
  /// Weights of the background rows (e.g. k-means cluster sizes, background.hpp): empty =
  /// uniform; otherwise nb finite non-negative values with a positive sum, normalized
  /// internally. The base value and every coalition value become weighted means over the
  /// background, so integer weights give the values of a background with repeated rows.
  std::vector<double> background_weights;
};

/// Pairs between two target-SE checks of the Monte Carlo methods.
constexpr std::size_t kShapCheckEvery = 8;

/// SHAP values of n explained rows.
struct ShapResult {
  std::size_t rows = 0;                    ///< explained rows n
  std::size_t players = 0;                 ///< players M
  ShapPlayers player_sets;                 ///< the players (columns and names)
  ShapMethod method = ShapMethod::kExact;  ///< estimator used
  std::vector<double> values;              ///< n x M row-major, transformed target units
  std::vector<double> std_errors;          ///< n x M (Monte Carlo; zeros for exact methods)
  std::vector<std::size_t> samples_used;   ///< n: antithetic pairs per row (0 for exact)
  double base_value = 0.0;                 ///< (weighted) mean_b f(b), transformed target units
  std::vector<double> fx;                  ///< n model outputs f(x), transformed target units
  double max_efficiency_violation = 0.0;   ///< max_r |sum_i phi_ri - (f(x_r) - base)|
  bool log10_target = false;               ///< the model's target transform (values are in log10)
};

/// SHAP values of the n rows of `x_rowmajor` (n x d, raw feature units, d = model.n_features)
/// against the nb rows of `background` (nb x d). Throws Error for size mismatches, non-finite
/// inputs (naming row and column), n == 0 or nb == 0, players that are not a partition of the
/// d columns, M beyond the method's limit, samples < 2, background weights of the wrong count,
/// negative, non-finite or summing to 0, or an efficiency violation (exact, brute force). Cost:
/// exact O(n nb n_sv M^2 / 2); brute force O(n nb n_sv 2^M); permutation and kernel O(n samples nb
/// n_sv M) exponentials. Memory: O(nb n_sv M) for the background factors. Deterministic for any
/// thread count.
ShapResult svr_shap(const Context& ctx, const SvrModel& model, std::span<const double> x_rowmajor,
                    std::size_t n, std::span<const double> background, std::size_t nb,
                    const ShapOptions& options = {});

/// Mean |SHAP| per player (M values, transformed target units). Cost O(n M).
std::vector<double> shap_mean_abs(const ShapResult& result);

/// How a player's normalized importance moves across ordered stages (targets).
enum class ShapTrend {
  kIncreasing,   ///< rises at every step (the paper's green)
  kDecreasing,   ///< falls at every step (red)
  kNonMonotone,  ///< anything else, including a flat step (grey)
};

/// "increasing", "decreasing" or "non-monotone".
std::string_view to_string(ShapTrend trend) noexcept;

/// Feature-significance dynamics across S ordered stages (e.g. onset -> peak -> max power).
struct ShapDynamics {
  std::size_t stages = 0;          ///< S
  std::size_t players = 0;         ///< P
  std::vector<double> normalized;  ///< S x P: mean |SHAP| / its sum over players (sums to 1)
  std::vector<std::size_t> top;    ///< S x top_k player indices, most important first
  std::size_t top_k = 0;           ///< min(requested k, P)
  std::vector<ShapTrend> trend;    ///< P trends of the normalized values
  std::vector<double> confidence;  ///< P: fraction of replicas with the same trend (1 if none)
};

/// Normalizes `mean_abs` (S x P row-major, e.g. shap_mean_abs of each stage's result; each
/// stage's sum must be > 0), ranks the top `top_k` players per stage (ties to the lower index)
/// and classifies each player's trend. `replicas` holds n_replicas further S x P matrices (e.g.
/// bootstrap refits), each normalized and classified the same way; a player's confidence is the
/// fraction whose trend equals the point estimate's. Throws Error for S < 2, P == 0, size
/// mismatches, negative or non-finite values, or a stage whose sum is 0. Cost O(R S P + S P log P).
ShapDynamics shap_dynamics(std::span<const double> mean_abs, std::size_t stages,
                           std::size_t players, std::size_t top_k = 5,
                           std::span<const double> replicas = {}, std::size_t n_replicas = 0);

}  // namespace thermex
