#pragma once
/// \file
/// A summary of a DSC database for `thermex summary`: what is in it, how complete the
/// conditions are, and which records carry known pitfalls (non-DSC calorimetry, unstated onset
/// or peak definitions, heats not normalised to the oxide).

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "thermex/dsc_record.hpp"

namespace thermex {

/// A named count.
struct NamedCount {
  std::string name;
  std::size_t count = 0;
};

/// Distribution of one target column over the records where it is present.
struct TargetStats {
  std::string name;  ///< DscRecord field name ("onset_C")
  std::string unit;  ///< "°C", "W/g", "J/g"
  std::size_t present = 0;
  double min = 0.0;     ///< NaN when present == 0
  double median = 0.0;  ///< mean of the two middle values for an even count; NaN when none
  double max = 0.0;     ///< NaN when present == 0
};

/// How many records state a condition.
struct Coverage {
  std::string name;         ///< field name ("cutoff_voltage_V", "crucible", ...)
  std::size_t present = 0;  ///< records with a value (an enum counts when not unknown/unspecified)
  double percent = 0.0;     ///< 100 * present / records; 0 for an empty database
};

/// Counts of one categorical pitfall field, and how many records are flagged by it:
///   method            flagged when not DSC (C80/ARC heats and onsets are not comparable)
///   onset_definition  flagged when onset_C is present but its definition unspecified
///   peak_definition   flagged when peak_C is present but which peak is unspecified
///   heat_basis        flagged when a heat (total or max flow) is present and not per oxide mass
struct PitfallCounts {
  std::string name;                ///< "method", "onset_definition", ...
  std::string flag;                ///< what a flagged record is, in words
  std::size_t flagged = 0;         ///< records the flag applies to
  std::vector<NamedCount> values;  ///< every enum value with its count, declaration order
};

/// Everything `thermex summary` prints.
struct DbSummary {
  std::string source_file;
  std::string source_sha256;
  std::size_t records = 0;
  std::vector<NamedCount> by_origin;          ///< every DataOrigin, declaration order
  std::vector<NamedCount> by_material_class;  ///< every MaterialClass, declaration order
  std::size_t distinct_sources = 0;  ///< distinct non-empty source_doi, compared case-folded
  std::size_t missing_source = 0;    ///< records with an empty source_doi
  std::vector<TargetStats> targets;  ///< onset_C, peak_C, max_heat_flow_W_per_g, total_heat_J_per_g
  std::vector<Coverage> conditions;  ///< condition columns, in DscRecord order
  std::vector<PitfallCounts> pitfalls;  ///< method, onset_definition, peak_definition, heat_basis
  std::size_t rejects = 0;
  std::vector<RejectedRow> first_rejects;  ///< the first max_reasons rejected rows (raw text
                                           ///< dropped: it can be long)
};

/// Summarises `db` and its rejected rows. `max_reasons` caps first_rejects. Cost O(n log n).
DbSummary summarize_database(const DscDatabase& db, std::span<const RejectedRow> rejected,
                             std::size_t max_reasons = 5);

/// Human-readable multi-line report of `s` (UTF-8, ends with a newline).
std::string format_summary_text(const DbSummary& s);

/// `s` as one JSON object (keys as the DbSummary fields; NaN written as null), with a newline.
std::string format_summary_json(const DbSummary& s);

/// `text` as a JSON string literal, quotes included: escapes '"', '\\' and control characters;
/// other bytes (UTF-8) pass through.
std::string json_quote(std::string_view text);

}  // namespace thermex
