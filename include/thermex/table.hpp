#pragma once
/// \file
/// Table: column-major doubles plus per-column metadata. Features, sweeps and SHAP outputs are
/// all Tables, so every stage reads and writes the same thing. Missing values are NaN.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace thermex {

/// What a column means; drives the Spearman "fundamental first" priority and plot labels.
enum class ColumnKind {
  kContent,    ///< element content (Ni, Co, Mn, Al, Li)
  kCondition,  ///< raw sample/test condition (cutoff voltage, scan rate, ...)
  kDerived,    ///< statistic derived from compositions (radius_tm_wstd, ...)
  kOneHot,     ///< one level of a one-hot encoded categorical; `group` names the categorical
  kIndicator,  ///< 1 when the named column was missing and imputed, else 0
  kTarget,     ///< a modelled quantity (onset_C, ...)
  kOther       ///< anything else (ids, row numbers)
};

/// "content", "condition", "derived", "onehot", "indicator", "target" or "other".
std::string_view to_string(ColumnKind kind) noexcept;
/// Inverse of to_string; std::nullopt for an unknown name.
std::optional<ColumnKind> parse_column_kind(std::string_view text) noexcept;

/// Metadata of one column.
struct ColumnMeta {
  std::string name;   ///< machine name, snake_case with unit suffix (`cutoff_voltage_V`)
  std::string label;  ///< human label for plots ("radii-TM std (wt.)")
  std::string unit;   ///< unit text ("V", "°C", "Å", "" for dimensionless)
  ColumnKind kind = ColumnKind::kOther;
  std::string group;  ///< categorical a one-hot column belongs to ("" otherwise); SHAP treats
                      ///< all columns of one group as one player
};

/// A dense column-major table of doubles with named columns.
class Table {
 public:
  Table() = default;
  /// An empty table with `rows` rows and no columns.
  explicit Table(std::size_t rows) : rows_(rows) {}

  std::size_t rows() const noexcept { return rows_; }
  std::size_t cols() const noexcept { return meta_.size(); }

  /// Appends a column; `values.size()` must equal rows() (or set rows() when the table has no
  /// columns yet). Throws Error on a size mismatch or a duplicated name.
  void add_column(ColumnMeta meta, std::vector<double> values);

  const ColumnMeta& meta(std::size_t col) const { return meta_.at(col); }
  const std::vector<ColumnMeta>& metas() const noexcept { return meta_; }
  /// Column `col` as a contiguous span of rows() values.
  std::span<const double> column(std::size_t col) const;
  std::span<double> column(std::size_t col);
  double at(std::size_t row, std::size_t col) const { return data_[col * rows_ + row]; }
  /// Index of the column called `name`, if any.
  std::optional<std::size_t> find(std::string_view name) const noexcept;
  /// Index of the column called `name`; throws Error naming it when absent.
  std::size_t index_of(std::string_view name) const;
  /// All values, column after column (size rows() * cols()).
  const std::vector<double>& data() const noexcept { return data_; }

  /// The rows whose indices are given, in that order, with all columns.
  Table select_rows(std::span<const std::size_t> rows) const;
  /// The named columns, in that order.
  Table select_columns(std::span<const std::string> names) const;

 private:
  std::size_t rows_ = 0;
  std::vector<double> data_;
  std::vector<ColumnMeta> meta_;
};

}  // namespace thermex
