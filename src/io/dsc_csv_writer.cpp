// Canonical DSC CSV writing: every schema column, canonical enum names and shortest round-trip
// doubles, so reading the file back gives the same records (the synthetic generator relies on
// this to hand its data to the same import path as literature data).
#include <algorithm>

#include <fmt/format.h>

#include "dsc_csv_columns.hpp"
#include "thermex/atomic_file.hpp"
#include "thermex/csv.hpp"
#include "thermex/dsc_csv.hpp"

namespace thermex {

std::string format_dsc_csv(const DscDatabase& db) {
  std::size_t decoys = 0;
  for (const DscRecord& rec : db.records) decoys = std::max(decoys, rec.decoys.size());
  const auto specs = detail::dsc_column_specs();
  std::vector<std::string> cells(dsc_csv_columns().begin(), dsc_csv_columns().end());
  for (std::size_t k = 0; k < decoys; ++k) cells.push_back(fmt::format("decoy_{}", k + 1));
  std::string out;
  append_csv_row(out, cells);
  for (const DscRecord& rec : db.records) {
    for (std::size_t j = 0; j < specs.size(); ++j) cells[j] = specs[j].format(rec);
    for (std::size_t k = 0; k < decoys; ++k) {
      // A shorter list ends in empty cells (the reader's rule for mixed decoy counts).
      cells[specs.size() + k] =
          k < rec.decoys.size() ? detail::format_decimal(rec.decoys[k]) : std::string();
    }
    append_csv_row(out, cells);
  }
  return out;
}

void write_dsc_csv(const DscDatabase& db, const std::string& path) {
  write_file_atomically(path, format_dsc_csv(db));
}

void write_rejects_csv(std::span<const RejectedRow> rejected, const std::string& source_file,
                       const std::string& path) {
  std::string out;
  constexpr std::string_view kHeader[] = {"source_file", "line", "column", "reason", "raw"};
  append_csv_row(out, std::span<const std::string_view>(kHeader));
  for (const RejectedRow& row : rejected) {
    const std::string cells[] = {source_file, fmt::format("{}", row.line), row.column, row.reason,
                                 row.raw};
    append_csv_row(out, std::span<const std::string>(cells));
  }
  write_file_atomically(path, out);
}

}  // namespace thermex
