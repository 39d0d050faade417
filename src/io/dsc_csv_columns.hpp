#pragma once
// Internal to the DSC CSV reader and writer: one ColumnSpec per schema column, saying how a
// cell is parsed into a row draft, range-checked, and formatted back from a DscRecord. The table
// is the single source of the column list, so reader, writer and SCHEMA.md cannot drift apart
// (a test compares SCHEMA.md's column names with it).

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "thermex/dsc_record.hpp"

namespace thermex::detail {

/// A DscRecord being assembled from one CSV row, plus the composition cells that have no field
/// of their own in DscRecord (they are cross-checked against the formula and then dropped).
struct DscRowDraft {
  DscRecord rec;
  std::optional<double> ni;
  std::optional<double> co;
  std::optional<double> mn;
  std::optional<double> al;
  std::optional<double> li_pristine;
};

/// How a cell's text is read.
enum class CellKind { kText, kNumber, kEnum };

/// One schema column.
struct ColumnSpec {
  std::string_view name;
  CellKind kind;
  bool required = false;  ///< an empty cell rejects the row
  double lo = 0.0;        ///< numbers: smallest allowed value
  double hi = 0.0;        ///< numbers: largest allowed value
  bool lo_open = false;   ///< numbers: lo itself is not allowed (scan rate, heat flow)
  std::string_view unit;  ///< numbers: unit text for messages ("°C", "V", "" when none)
  std::string_view hint;  ///< appended to out-of-range messages ("" when none)
  /// Parses `cell` (already trimmed unless it is a quoted text cell) into the draft. Returns ""
  /// on success, else the reason the cell is refused.
  std::string (*parse)(const ColumnSpec& spec, std::string_view cell, DscRowDraft& row);
  /// The cell text of this column for `rec` (canonical: enum names, shortest doubles).
  std::string (*format)(const DscRecord& rec);
};

/// Every column in canonical (written) order.
std::span<const ColumnSpec> dsc_column_specs() noexcept;

/// The spec named `name` exactly; nullptr when there is none.
const ColumnSpec* find_dsc_column(std::string_view name) noexcept;

/// Parses a decimal number strictly (std::from_chars, '.' decimal separator, optional exponent,
/// optional leading '+', surrounding blanks ignored). Empty/blank text -> absent (std::nullopt
/// with an empty `error`). Anything else that is not a finite number -> std::nullopt and
/// `error` says why ("'12,5' is not a number (the decimal separator is '.')").
std::optional<double> parse_decimal(std::string_view text, std::string& error);

/// Shortest text that reads back as exactly `v` (fmt "{}").
std::string format_decimal(double v);

/// `text` without leading and trailing spaces and tabs.
std::string_view trim_blanks(std::string_view text) noexcept;

/// Resolves the composition of a parsed row: parses `formula` (FormulaError -> reason), or
/// builds the formula from ni/co/mn/al (+ li_pristine) when no formula is given, and checks
/// explicit fractions against the formula within 0.005. Fills rec.formula and rec.composition.
/// Returns "" on success, else sets `column` and returns the reason.
std::string resolve_composition(DscRowDraft& row, std::string& column);

/// Cross-field checks of a parsed row (onset <= peak, recipe sum, charge method vs cutoff,
/// electrolyte presence vs class and ratio, charged vs pristine Li). Returns "" when consistent,
/// else sets `column` to the column to blame and returns the reason.
std::string check_row_consistency(const DscRecord& rec, std::string& column);

}  // namespace thermex::detail
