#include "thermex/table.hpp"

#include <array>
#include <utility>

#include "thermex/error.hpp"

namespace thermex {
namespace {
constexpr std::array<std::pair<ColumnKind, std::string_view>, 7> kKindNames{{
    {ColumnKind::kContent, "content"},
    {ColumnKind::kCondition, "condition"},
    {ColumnKind::kDerived, "derived"},
    {ColumnKind::kOneHot, "onehot"},
    {ColumnKind::kIndicator, "indicator"},
    {ColumnKind::kTarget, "target"},
    {ColumnKind::kOther, "other"},
}};
}  // namespace

std::string_view to_string(ColumnKind kind) noexcept {
  for (const auto& [k, name] : kKindNames) {
    if (k == kind) return name;
  }
  return "other";
}

std::optional<ColumnKind> parse_column_kind(std::string_view text) noexcept {
  for (const auto& [k, name] : kKindNames) {
    if (name == text) return k;
  }
  return std::nullopt;
}

void Table::add_column(ColumnMeta meta, std::vector<double> values) {
  if (meta_.empty() && data_.empty()) rows_ = values.size();
  if (values.size() != rows_) {
    throw Error("Table::add_column: column '" + meta.name + "' has " +
                std::to_string(values.size()) + " rows, table has " + std::to_string(rows_));
  }
  if (find(meta.name)) throw Error("Table::add_column: duplicated column '" + meta.name + "'");
  data_.insert(data_.end(), values.begin(), values.end());
  meta_.push_back(std::move(meta));
}

std::span<const double> Table::column(std::size_t col) const {
  if (col >= cols()) throw Error("Table::column: index " + std::to_string(col) + " out of range");
  return {data_.data() + col * rows_, rows_};
}

std::span<double> Table::column(std::size_t col) {
  if (col >= cols()) throw Error("Table::column: index " + std::to_string(col) + " out of range");
  return {data_.data() + col * rows_, rows_};
}

std::optional<std::size_t> Table::find(std::string_view name) const noexcept {
  for (std::size_t j = 0; j < meta_.size(); ++j) {
    if (meta_[j].name == name) return j;
  }
  return std::nullopt;
}

std::size_t Table::index_of(std::string_view name) const {
  if (auto j = find(name)) return *j;
  throw Error("table has no column '" + std::string(name) + "'");
}

Table Table::select_rows(std::span<const std::size_t> rows) const {
  Table out(rows.size());
  for (std::size_t j = 0; j < cols(); ++j) {
    std::vector<double> v(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      THERMEX_EXPECTS(rows[i] < rows_, "row index out of range");
      v[i] = at(rows[i], j);
    }
    out.add_column(meta_[j], std::move(v));
  }
  return out;
}

Table Table::select_columns(std::span<const std::string> names) const {
  Table out(rows_);
  for (const auto& name : names) {
    auto c = column(index_of(name));
    out.add_column(meta_[index_of(name)], std::vector<double>(c.begin(), c.end()));
  }
  return out;
}

}  // namespace thermex
