// Small helpers shared by the study stages: row selections, matrices, documented datasets.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "study_internal.hpp"
#include "thermex/error.hpp"
#include "thermex/math/philox.hpp"

namespace thermex::study {

std::string_view split_name(std::int64_t code) {
  switch (code) {
    case kTrain:
      return "train";
    case kTest:
      return "test";
    case kValidation:
      return "validation";
    case kOther:
      return "other";
    default:
      return "unused";
  }
}

std::vector<std::size_t> rows_with_code(const StudyState& s, std::size_t t, std::int64_t code) {
  std::vector<std::size_t> rows;
  const std::vector<std::int64_t>& split = s.split.at(t);
  for (std::size_t r = 0; r < split.size(); ++r) {
    if (split[r] == code) rows.push_back(r);
  }
  return rows;
}

Table screening_table(const StudyState& s, std::size_t t) {
  Table table = s.features;
  if (s.config->targets[t].log10) {
    for (double& y : table.column(table.index_of(target_name(s, t)))) {
      y = y > 0.0 ? std::log10(y) : std::numeric_limits<double>::quiet_NaN();
    }
  }
  return table;
}

std::vector<double> row_major(const Table& table, std::span<const std::size_t> rows,
                              std::span<const std::string> columns) {
  const std::size_t d = columns.size();
  std::vector<double> x(rows.size() * d);
  for (std::size_t j = 0; j < d; ++j) {
    const std::span<const double> col = table.column(table.index_of(columns[j]));
    for (std::size_t i = 0; i < rows.size(); ++i) x[i * d + j] = col[rows[i]];
  }
  return x;
}

std::vector<double> column_at(const Table& table, std::span<const std::size_t> rows,
                              std::string_view column) {
  const std::span<const double> col = table.column(table.index_of(column));
  std::vector<double> out(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) out[i] = col[rows[i]];
  return out;
}

void describe(H5File& file, std::string_view path, std::string_view unit, std::string_view label) {
  file.set_attribute(path, "unit", unit);
  file.set_attribute(path, "label", label);
}

void write_doc_doubles(H5File& file, std::string_view path, std::span<const double> values,
                       std::string_view unit, std::string_view label) {
  file.write_doubles(path, values);
  describe(file, path, unit, label);
}

void write_doc_int64s(H5File& file, std::string_view path, std::span<const std::int64_t> values,
                      std::string_view unit, std::string_view label) {
  file.write_int64s(path, values);
  describe(file, path, unit, label);
}

void write_doc_strings(H5File& file, std::string_view path, std::span<const std::string> values,
                       std::string_view label) {
  file.write_strings(path, values);
  describe(file, path, "", label);
}

void write_doc_matrix(H5File& file, std::string_view path, std::size_t rows, std::size_t cols,
                      std::span<const double> values, std::string_view unit,
                      std::string_view label) {
  file.write_double_matrix(path, rows, cols, values);
  describe(file, path, unit, label);
}

std::vector<std::size_t> sample_ids(std::size_t n, std::size_t count, std::uint64_t seed,
                                    std::uint64_t id) {
  std::vector<std::size_t> ids(n);
  std::iota(ids.begin(), ids.end(), std::size_t{0});
  if (count >= n) return ids;
  math::PhiloxStream rng(seed, math::RngPurpose::kBackground, id);
  for (std::size_t i = 0; i < count; ++i) {
    std::swap(ids[i], ids[i + static_cast<std::size_t>(rng.below(n - i))]);
  }
  ids.resize(count);
  std::sort(ids.begin(), ids.end());
  return ids;
}

ShapPlayers study_players(const StudyState& s, std::size_t t) {
  std::vector<ColumnMeta> metas;
  for (const std::string& name : s.kept[t])
    metas.push_back(s.features.meta(s.features.index_of(name)));
  return shap_players_from_metas(metas);
}

void progress_begin(const StudyState& s, std::string task, std::size_t total) {
  if (s.progress != nullptr) s.progress->begin(std::move(task), total);
}

void progress_add(const StudyState& s, std::size_t items) {
  if (s.progress != nullptr) s.progress->add(items);
}

void progress_end(const StudyState& s) {
  if (s.progress != nullptr) s.progress->end();
}

}  // namespace thermex::study
