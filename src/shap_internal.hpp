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
#include <functional>
#include <memory>
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

/// Coalitions of the Monte Carlo estimators, each evaluated together with its complement
/// (a permutation prefix and the reverse permutation's prefix, or a KernelSHAP antithetic pair).
struct CoalitionBatch {
  std::size_t words = 0;             ///< mask words per coalition: math::coalition_words(m)
  std::vector<std::uint32_t> slot;   ///< per coalition: its row among the loaded rows
  std::vector<std::uint64_t> masks;  ///< size() x words coalition masks
  /// Coalitions in the batch.
  std::size_t size() const { return slot.size(); }
  /// Appends an empty coalition of loaded row `row_slot`; returns its mask (valid until the
  /// next add). Amortized O(words).
  std::uint64_t* add(std::uint32_t row_slot) {
    slot.push_back(row_slot);
    masks.resize(masks.size() + words, 0);
    return masks.data() + masks.size() - words;
  }
  /// Empties the batch (keeps the capacity and `words`).
  void clear() {
    slot.clear();
    masks.clear();
  }
};

/// Evaluates coalition values of explained rows: the pluggable part of the Monte Carlo
/// drivers (CPU: cpu::make_coalition_evaluator; CUDA: cuda::make_coalition_evaluator).
class CoalitionEvaluator {
 public:
  virtual ~CoalitionEvaluator() = default;
  /// Most rows one load_rows call accepts (>= 1), so that a round of kShapCheckEvery pairs of
  /// every loaded row fits the evaluator's memory budget.
  virtual std::size_t max_rows() const = 0;
  /// Makes explained rows r0 .. r0 + count - 1 the slots 0 .. count - 1 of later batches
  /// (computes their player distances). count <= max_rows().
  virtual void load_rows(std::size_t r0, std::size_t count) = 0;
  /// values[2c] = v(S_c) - intercept and values[2c + 1] = v(~S_c) - intercept for every
  /// coalition c of `batch` (values holds 2 batch.size() entries, all overwritten), where
  /// v(S) - intercept = (weighted) mean over b of sum_k beta_k exp(-E) (math/shap_coalition.hpp).
  /// Cost O(batch.size() nb n_sv m).
  virtual void evaluate(const CoalitionBatch& batch, std::span<double> values) = 0;
  /// v(empty) - intercept and v(all) - intercept of the `count` loaded rows into ends[2 i] and
  /// ends[2 i + 1] (the empty coalition of each slot and its complement); `batch` is scratch.
  void evaluate_ends(std::size_t count, CoalitionBatch& batch, std::vector<double>& ends) {
    batch.clear();
    for (std::size_t i = 0; i < count; ++i) batch.add(static_cast<std::uint32_t>(i));
    ends.resize(2 * count);
    evaluate(batch, ends);
  }
};

/// Fills the per-pair samples of one round: samples[(i count + j) m + p] is player p's sample
/// of pair pair0 + j of loaded row active[i] (a slot), for j < count.
using McRoundFill = std::function<void(std::span<const std::size_t> active, std::size_t pair0,
                                       std::size_t count, std::span<double> samples)>;

/// The one Monte Carlo driver of both estimators and both backends: rows r0 .. r0 + rows - 1
/// run in rounds of kShapCheckEvery pairs (the last round shorter when max_pairs is not a
/// multiple); after each round every still-active row adds its samples to Welford's running
/// mean and sum of squares in pair order, and a row stops once pairs % kShapCheckEvery == 0
/// and every player's standard error sqrt(m2 / (pairs - 1) / pairs) is <= target_se (never
/// when target_se == 0). Writes out.values, out.std_errors (n x m) and out.samples_used for
/// those rows. O(rows m) memory besides one round's samples.
void run_mc_rounds(std::size_t r0, std::size_t rows, std::size_t m, std::size_t max_pairs,
                   double target_se, const McRoundFill& fill, ShapResult& out);

/// Permutation sampling through a coalition evaluator (the CUDA path; the CPU walks the
/// permutations incrementally instead): the same permutations as cpu::shap_permutation, each
/// pair's m - 1 proper prefixes and their complements evaluated in one batch per round, the
/// samples from math::permutation_pair_sample, rows in chunks of evaluator.max_rows().
/// Results agree with cpu::shap_permutation up to the rounding of the coalition values. Cost:
/// 2 (m - 1) coalition values per pair (O(m^2 nb n_sv) evaluator work), O(m^2) host work.
void shap_permutation_with(const ShapGame& game, std::size_t n, std::uint64_t seed,
                           std::size_t pairs, double target_se, CoalitionEvaluator& evaluator,
                           ShapResult& out);

/// KernelSHAP through a coalition evaluator, the driver of both backends: per chunk of rows
/// v(empty) and v(all), then rounds of coalitions drawn by math::draw_kernel_coalition
/// (stream math::kernel_stream_id(row, pair)), samples by math::kernel_pair_sample. With one
/// player (m == 1) the value is f(x) - base from the n standardized rows `x_std`, computed
/// here without sampling (zero standard error, no pairs). Cost: 2 coalition values per pair
/// (O(m nb n_sv) evaluator work), O(m) host work.
void shap_kernel_with(const ShapGame& game, std::span<const double> x_std, std::size_t n,
                      std::uint64_t seed, std::size_t pairs, double target_se,
                      CoalitionEvaluator& evaluator, ShapResult& out);

}  // namespace thermex::detail

namespace thermex::cpu {

/// The CPU coalition evaluator of the n standardized rows `x_std`: coalitions in parallel
/// (OpenMP), each value summed over b, then k, in order (the bytes of cpu::shap_kernel);
/// max_rows() is the number of rows whose distances (n_sv m doubles each) fit `budget_bytes`
/// (at least 1). `game` and `x_std` must outlive it.
std::unique_ptr<detail::CoalitionEvaluator> make_coalition_evaluator(
    const Context& ctx, const detail::ShapGame& game, std::span<const double> x_std,
    std::size_t budget_bytes = std::size_t{64} << 20);

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
