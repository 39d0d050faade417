#pragma once
/// \file
/// Feature screening per target, as in Sun et al. (2025): (1) a Spearman redundancy filter that
/// keeps the more "fundamental" feature of every strongly correlated pair, then (2) null
/// importance on the survivors. data/SCREENING.md documents the priority and the defaults.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "thermex/context.hpp"
#include "thermex/h5.hpp"
#include "thermex/null_importance.hpp"
#include "thermex/spearman.hpp"
#include "thermex/table.hpp"

namespace thermex {

/// Options of select_features(). Validated there (ConfigError naming the option).
struct SelectionOptions {
  /// Pairs with |rho| strictly above this are redundant; in [0, 1] (1 disables the filter).
  double spearman_threshold = 0.8;
  /// Candidate features by name; empty = every column that is not a target or kOther.
  std::vector<std::string> features;
  /// User priority: features named here are more fundamental than all others, in this order;
  /// the rest follow the built-in priority (fundamental_key()).
  std::vector<std::string> priority;
  /// Compare one-hot levels of the same group with each other. Off by default: the levels of
  /// one categorical are dependent by construction (two levels give rho = -1), and dropping a
  /// level would break the group that SHAP treats as one player.
  bool compare_within_group = false;
  NullImportanceOptions null;  ///< step 2 (shuffles, quantile, forest)
};

/// Sort key of the built-in "fundamental first" priority: lower = more fundamental. Kind order
/// content < condition < one-hot < indicator < derived < other < target; among derived
/// statistics the name suffix orders wmean < wstd < mean < std < min < max < range < others.
/// `user_rank` is the position in SelectionOptions::priority (SIZE_MAX when absent) and leads.
struct FundamentalKey {
  std::size_t user_rank = SIZE_MAX;
  int kind_rank = 0;
  int stat_rank = 0;
  std::size_t column = 0;  ///< final tie-break: earlier column is more fundamental
  auto operator<=>(const FundamentalKey&) const = default;
};

/// The priority key of column `column` with metadata `meta`. O(priority size).
FundamentalKey fundamental_key(const ColumnMeta& meta, std::size_t column,
                               std::span<const std::string> priority);

/// One redundancy elimination: `dropped` lost to the more fundamental `kept` at Spearman rho.
struct RedundancyDrop {
  std::string dropped;
  std::string kept;
  double rho = 0;
};

/// A pair that was not compared: fewer than kSpearmanMinPairs complete rows, or a column that is
/// constant on them (rho undefined).
struct UncomparedPair {
  std::string first;
  std::string second;
  std::int64_t count = 0;  ///< complete rows of the pair
};

/// Outcome of the Spearman step.
struct RedundancyResult {
  std::vector<std::string> kept;           ///< survivors, in column order
  std::vector<RedundancyDrop> dropped;     ///< in elimination order
  std::vector<UncomparedPair> uncompared;  ///< in (first, second) column order
};

/// Greedy redundancy filter over the columns described by `metas` with their rho matrix `m`:
/// pairs with |rho| > threshold are visited by decreasing |rho| (ties: by first, then second
/// column index); a pair with a side already dropped is skipped; otherwise the side with the
/// larger fundamental_key() is dropped. One-hot levels of one group are skipped unless
/// `compare_within_group`. O(n^2 log n).
RedundancyResult redundancy_filter(const std::vector<ColumnMeta>& metas, const SpearmanMatrix& m,
                                   double threshold, std::span<const std::string> priority,
                                   bool compare_within_group);

/// Why a feature was dropped.
enum class DropReason { kSpearman, kNullImportance };

/// "spearman" or "null_importance".
std::string_view to_string(DropReason reason) noexcept;

/// A dropped feature with the evidence.
struct DroppedFeature {
  std::string name;
  DropReason reason = DropReason::kSpearman;
  std::string partner;       ///< kSpearman: the kept feature it duplicated ("" otherwise)
  double rho = 0;            ///< kSpearman: their rho (NaN otherwise)
  double actual = 0;         ///< kNullImportance: real-target importance (NaN otherwise)
  double null_quantile = 0;  ///< kNullImportance: the q-quantile of its null (NaN otherwise)
  double p_value = 0;        ///< kNullImportance: empirical p-value (NaN otherwise)
};

/// The screening result of one target.
struct Selection {
  std::string target;
  std::size_t rows = 0;    ///< rows with a finite target (the ones used)
  std::uint64_t seed = 0;  ///< Context seed of the null-importance fits
  double spearman_threshold = 0.8;
  std::vector<std::string> candidates;  ///< features screened; order of the rho matrix
  SpearmanMatrix spearman;              ///< rho and pair counts over `rows`, candidate order
  RedundancyResult redundancy;          ///< step 1
  NullImportanceResult null;            ///< step 2, over redundancy.kept (empty when none)
  std::vector<std::string> kept;        ///< final features, in candidate order
  /// Every dropped candidate: Spearman drops in elimination order, then null-importance drops
  /// in candidate order.
  std::vector<DroppedFeature> dropped;
};

/// Screens the candidate features of `table` for `target`: rows whose target is NaN are left
/// out; the Spearman step runs on the remaining rows; null importance (ctx.seed()) runs on the
/// survivors, whose values must be finite (featurize() output is). Throws ConfigError for bad
/// options or an unknown/target feature name, Error when `target` is not a column.
/// The Spearman step runs on the CPU; the null-importance forests run on ctx.device() (all
/// (fit, tree) pairs in one CUDA launch on Device::kCuda, with the CPU's importances).
/// Cost: the Spearman matrix plus (K + 1) forests.
Selection select_features(const Context& ctx, const Table& table, std::string_view target,
                          const SelectionOptions& options);

/// Human-readable report: a summary line, then one line per kept feature (importance, null
/// quantile, p-value) and per dropped feature with its reason. Ends with a newline.
std::string format_selection_text(const Selection& selection);

/// One JSON object {"selections": [...]}, per target: target, rows, seed, spearman_threshold,
/// shuffles, quantile, kept (names), dropped (name, reason and its evidence: partner and rho,
/// or actual, null_quantile and p_value), importance (per step-2 feature: actual,
/// null_quantile, p_value, kept). Non-finite numbers are null. Ends with a newline.
std::string format_selection_json(std::span<const Selection> selections);

/// Writes `selection` into the new group `group` of `file` (layout in data/SCREENING.md).
/// Throws H5Error on failure. Cost O(candidates^2 + K x features).
void write_selection_h5(H5File& file, std::string_view group, const Selection& selection);

/// Reads a selection written by write_selection_h5(); the same values bit for bit. Throws
/// InputError naming the group when it is not a thermex selection. Cost as writing.
Selection read_selection_h5(const H5File& file, std::string_view group);

}  // namespace thermex
