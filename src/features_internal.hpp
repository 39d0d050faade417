#pragma once
// Internals shared by the feature builder's translation units (features*.cpp): how each column
// reads its raw value from a DscRecord, column metadata, and option validation.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "thermex/features.hpp"

namespace thermex::detail {

/// Number of numeric condition columns and of categorical columns.
inline constexpr std::size_t kConditionCount = 7;
inline constexpr std::size_t kCategoricalCount = 2;
inline constexpr std::size_t kTargetCount = 5;

/// Numeric columns are the kConditionCount conditions followed by the synthetic decoy columns
/// decoy_1..decoy_k. Name of numeric column j.
std::string numeric_column_name(std::size_t j);
/// Whether `name` is a decoy column name (decoy_<n>, n >= 1 without leading zeros).
bool is_decoy_name(std::string_view name);
/// Longest decoy list among `rows` of `db`.
std::size_t decoy_count(const DscDatabase& db, const std::vector<std::size_t>& rows);

/// Raw value of numeric column j of a record: NaN when missing or non-finite (a decoy list too
/// short to have it counts as missing). An electrolyte ratio is 0 (not missing) when the record
/// says no electrolyte was added.
double numeric_value(const DscRecord& r, std::size_t j);

/// Level name (canonical enum name) of categorical column j; "" when missing. An unknown
/// electrolyte class with electrolyte_present = no is the level "none".
std::string_view categorical_level(const DscRecord& r, std::size_t j);

/// Every level categorical column j can take (enum order, missing value excluded).
std::vector<std::string_view> categorical_all_levels(std::size_t j);

/// Value of target column j: NaN when missing or non-finite; log10_max_heat_flow is NaN for a
/// non-positive heat flow.
double target_value(const DscRecord& r, std::size_t j);

/// Metadata of numeric column j, target column j, and composition column j.
ColumnMeta numeric_meta(std::size_t j);
ColumnMeta target_meta(std::size_t j);
ColumnMeta composition_meta(std::size_t j);

/// Throws ConfigError when an override names no column, a policy does not suit its column,
/// a default is unusable, or a target name is unknown.
void validate_options(const FeatureOptions& options);

/// The policy options give a numeric (condition or decoy) or categorical column.
MissingPolicy policy_for(const FeatureOptions& options, std::string_view column, bool numeric);
/// The policy options give a target column (kKeepNan unless overridden).
MissingPolicy target_policy(const FeatureOptions& options, std::string_view column);

/// Whether the target column j is selected by the options.
bool target_selected(const FeatureOptions& options, std::size_t j);

/// Throws InputError when a kReject column is missing in one of `rows`, listing the record ids.
void throw_rejected(const DscDatabase& db, std::string_view column,
                    const std::vector<std::size_t>& missing_rows);

/// Record ids of rows, in the given order.
std::vector<std::string> ids_of(const DscDatabase& db, const std::vector<std::size_t>& rows);

/// The missing-value policy of every column, resolved from options (when fitting) or from a
/// fitted model plus options (when applying).
struct ColumnPolicies {
  std::vector<MissingPolicy> numeric;  ///< one per numeric column (conditions, then decoys)
  std::array<MissingPolicy, kCategoricalCount> categorical{};
  std::array<MissingPolicy, kTargetCount> target{};
  std::array<bool, kTargetCount> target_selected{};
};
ColumnPolicies policies_from_options(const FeatureOptions& options, std::size_t numeric_count);

/// Which of the scanned rows miss each column, and which rows a kDropRow column drops.
struct MissingScan {
  std::vector<std::vector<std::size_t>> numeric;  ///< per numeric column
  std::array<std::vector<std::size_t>, kCategoricalCount> categorical;
  std::array<std::vector<std::size_t>, kTargetCount> target;
  std::vector<bool> dropped;  ///< per database record
};

/// Scans `rows` of `db` for missing values; throws InputError (throw_rejected) for the first
/// kReject column with a missing value. Unselected targets are not scanned.
MissingScan scan_missing(const DscDatabase& db, const ColumnPolicies& policies,
                         const std::vector<std::size_t>& rows);

}  // namespace thermex::detail
