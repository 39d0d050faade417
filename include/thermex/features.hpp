#pragma once
/// \file
/// The feature table builder: DscDatabase -> model-ready Table (composition contents and
/// statistics, measurement conditions, one-hot categoricals, missing-value indicators, targets),
/// with an explicit, reportable missing-value policy. data/FEATURES.md documents every column.
///
/// Missing values are handled in two steps so that a later train/test split can fit the
/// statistics on the training rows only: fit_imputation() learns medians, modes and one-hot
/// levels from some rows; featurize(db, options, model) applies them to any rows.

#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "thermex/dsc_record.hpp"
#include "thermex/elements.hpp"
#include "thermex/math/featurize.hpp"
#include "thermex/table.hpp"

namespace thermex {

/// What to do with a record whose value of a column is missing.
enum class MissingPolicy {
  kImputeMedian,  ///< numeric only: the median of the present values (+ `<name>_missing`)
  kImputeMode,    ///< the most frequent present value (ties: smallest value / first level)
  kDropRow,       ///< leave the record out of the table (listed in the report)
  kReject,        ///< refuse the database: featurize throws InputError naming the records
  kKeepNan,       ///< targets only: keep NaN (modelling drops rows per target later)
};

/// "median", "mode", "drop", "reject" or "keep".
std::string_view to_string(MissingPolicy p) noexcept;
/// Inverse of to_string; std::nullopt for any other text.
std::optional<MissingPolicy> parse_missing_policy(std::string_view text) noexcept;

/// Names of the numeric condition columns, in table order.
std::span<const std::string_view> condition_column_names() noexcept;
/// Names of the categorical columns (one-hot groups): "electrolyte_class", "crucible".
std::span<const std::string_view> categorical_column_names() noexcept;
/// Names of every target the builder can produce, in table order.
std::span<const std::string_view> target_column_names() noexcept;
/// Names of the composition columns (contents, then en/radius/phi statistics), in
/// math::kFeat* order.
std::span<const std::string_view> composition_column_names() noexcept;

/// Options of the feature builder.
struct FeatureOptions {
  /// Oxidation states used for radii and ionic potentials (the paper's default is charged).
  OxidationConvention oxidation = OxidationConvention::kCharged;
  /// Per-column policy overrides, keyed by a condition name, a decoy name (decoy_<n>),
  /// "electrolyte_class", "crucible" or a target name. Unknown keys and policies a column cannot
  /// take throw ConfigError.
  std::map<std::string, MissingPolicy, std::less<>> missing;
  /// Default for numeric conditions (kImputeMedian, kImputeMode, kDropRow or kReject).
  MissingPolicy numeric_default = MissingPolicy::kImputeMedian;
  /// Default for categoricals (kImputeMode, kDropRow or kReject).
  MissingPolicy categorical_default = MissingPolicy::kImputeMode;
  /// Add `<name>_missing` (1 = imputed) for each numeric column that had imputed values when
  /// the model was fitted.
  bool missing_indicators = true;
  /// Targets to include, from target_column_names(); table order is kept whatever the order
  /// here. Targets default to kKeepNan and are never imputed.
  std::vector<std::string> targets{"onset_C", "peak_C", "max_heat_flow_W_per_g",
                                   "log10_max_heat_flow", "total_heat_J_per_g"};
};

/// What fit_imputation() learned for one numeric column.
struct NumericImputation {
  std::string column;
  MissingPolicy policy = MissingPolicy::kImputeMedian;
  double value = 0.0;      ///< median or mode of the fitted rows (NaN when not imputing)
  bool indicator = false;  ///< whether `<column>_missing` is emitted
  bool no_values = false;  ///< no fitted row had a value: the column is left out of the table
};

/// What fit_imputation() learned for one categorical column.
struct CategoricalImputation {
  std::string column;  ///< "electrolyte_class" or "crucible"
  MissingPolicy policy = MissingPolicy::kImputeMode;
  std::string mode;  ///< level imputed for missing values ("" when not imputing)
  /// One-hot levels (canonical enum names, in enum order) seen in the fitted rows after
  /// imputation; a level not in this list gets all zeros in its group.
  std::vector<std::string> levels;
};

/// Imputation statistics and one-hot levels learned from some rows of a database.
struct ImputationModel {
  /// condition_column_names() in order, then decoy_1..decoy_k (k = the longest
  /// DscRecord::decoys list among the fitted rows; synthetic data only)
  std::vector<NumericImputation> numeric;
  std::vector<CategoricalImputation> categorical;  ///< in categorical_column_names() order
  std::size_t fitted_rows = 0;  ///< rows the statistics came from (after kDropRow)
};

/// Missing-value handling of one column, as applied.
struct ColumnMissing {
  std::string column;
  std::size_t missing = 0;  ///< records (of those featurized) lacking a value
  MissingPolicy policy = MissingPolicy::kKeepNan;
  std::string imputed;           ///< imputed value or level as text ("" when nothing was imputed)
  bool indicator = false;        ///< `<column>_missing` emitted
  bool column_left_out = false;  ///< no value in the fitted rows: column not in the table
  std::vector<std::string> record_ids;  ///< ids of the records missing it (dropped, imputed...)
};

/// Per-column report of missing values and what was done about them.
struct MissingReport {
  std::vector<ColumnMissing> columns;           ///< conditions, categoricals, then targets
  std::vector<std::string> dropped_record_ids;  ///< records left out (kDropRow), in db order
  std::size_t input_rows = 0;                   ///< records considered
};

/// A model-ready table with its row ids and the missing-value report.
struct FeatureResult {
  Table table;  ///< features then targets (ColumnKind::kTarget); one row per kept record
  std::vector<std::string> record_ids;  ///< record_id of each table row
  MissingReport missing;
  ImputationModel model;  ///< the imputation model that was applied
};

/// Per-slot properties of a composition's TM-site ions under a convention (element tables on
/// the host, see tm_ion_properties()). Throws Error for an element without a TM-site ion.
math::SiteProperties resolve_site_properties(const math::SiteComposition& c,
                                             OxidationConvention convention);

/// All math::kCompositionFeatureCount composition features of `c`, in
/// composition_column_names() order; the host twin of what the sweep kernels compute.
std::vector<double> composition_features(const math::SiteComposition& c,
                                         OxidationConvention convention);

/// Learns medians/modes and one-hot levels from `rows` of `db` (all rows when empty), after
/// leaving out the rows a kDropRow column drops. Throws ConfigError for a bad option and
/// InputError for a kReject column missing in one of `rows`. Cost O(rows log rows).
ImputationModel fit_imputation(const DscDatabase& db, const FeatureOptions& options,
                               std::span<const std::size_t> rows = {});

/// Builds the feature table of every record of `db` with a fitted model (for a test split:
/// the model fitted on the training rows). Condition and categorical policies, imputed values,
/// indicators and one-hot levels come from `model`; the oxidation convention, the targets and
/// the target policies from `options`. Deterministic: the same inputs give the same bytes.
/// Throws InputError for a record without a composition or a kReject column missing, and
/// ConfigError for bad options. Cost O(records x columns).
FeatureResult featurize(const DscDatabase& db, const FeatureOptions& options,
                        const ImputationModel& model);

/// featurize(db, options, fit_imputation(db, options)): statistics from all records.
FeatureResult featurize(const DscDatabase& db, const FeatureOptions& options = {});

/// The report as readable text, one line per column with missing values plus a summary.
std::string format_missing_report(const MissingReport& report);

/// Writes the model-ready CSV (header = `record_id` then the table's column names; numbers in
/// shortest round-trip form, NaN as an empty cell) to `csv_path` and the sidecar metadata CSV
/// (`name,label,unit,kind,group`, one row per CSV column, record_id first with kind "other")
/// to `meta_path`. Both are written through AtomicFile and committed only after both are
/// complete. Throws Error naming the path on I/O failure. Cost O(rows x cols).
void write_features_csv(const FeatureResult& result, const std::string& csv_path,
                        const std::string& meta_path);

}  // namespace thermex
