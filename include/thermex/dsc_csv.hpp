#pragma once
/// \file
/// The DSC CSV format of data/SCHEMA.md: reading with row-level validation (bad rows are
/// rejected with a reason, not fatal), and canonical writing that reads back to the same
/// records.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "thermex/dsc_record.hpp"

namespace thermex {

/// What read_dsc_csv() made of a file.
struct ImportResult {
  DscDatabase db;                     ///< accepted records in file order
  std::vector<RejectedRow> rejected;  ///< refused rows in file order, each with its reason
  /// Non-fatal remarks: ignored x_ columns, non-DSC methods, skipped empty rows.
  std::vector<std::string> warnings;
  std::int64_t rows_read = 0;  ///< data records read (blank lines and empty rows excluded)
};

/// The schema's fixed columns in canonical order (the order write_dsc_csv() writes). Files may
/// also carry the synthetic list columns decoy_1..decoy_k (DscRecord::decoys), written after
/// these, and `x_...` columns, which readers ignore.
std::span<const std::string_view> dsc_csv_columns() noexcept;

/// Reads and validates a DSC CSV file (data/SCHEMA.md). Row-level problems (a malformed CSV
/// record, a wrong field count, an unparsable number, an unknown enum text, a bad formula, a
/// value out of its physical range, inconsistent cells, a repeated row or record_id) become
/// RejectedRow entries naming the line, column and reason; RejectedRow::raw is the record's
/// text with NUL bytes and invalid UTF-8 escaped (escape_invalid_bytes()). File-level problems
/// throw InputError(path, line, column, reason): an unreadable file, an empty file or one with
/// no data rows, a quote that never closes, a malformed header, unknown columns (other than
/// `x_...`, which are ignored with a warning) or missing required columns. Sets db.source_file
/// to `path` and db.source_sha256 to the SHA-256 (lower-case hex) of the bytes read.
/// Cost: linear in the file size (plus one formula parse per row).
ImportResult read_dsc_csv(const std::string& path);

/// Same as read_dsc_csv() on text already in memory; `display_name` stands in for the path in
/// messages and in db.source_file; db.source_sha256 is the SHA-256 of `text`. Used by tests and
/// the fuzzer; never touches the file system.
ImportResult parse_dsc_csv(std::string_view text, const std::string& display_name);

/// The canonical CSV text of `db`: a header with every column of dsc_csv_columns(), then one
/// row per record. Doubles are written in shortest round-trip form, absent values as empty
/// cells, enums by their canonical names, the composition both as `formula` and as the `ni`,
/// `co`, `mn`, `al` site fractions plus `li_pristine`. When any record has decoys, columns
/// decoy_1..decoy_k (k = the longest list) follow, shorter lists ending in empty cells.
/// parse_dsc_csv() of the result reproduces every record exactly when each record's composition is
/// what parse_formula() gives for its formula (true for everything read_dsc_csv() returns) and its
/// text fields hold valid UTF-8 without NUL bytes.
std::string format_dsc_csv(const DscDatabase& db);

/// Writes format_dsc_csv(db) to `path` atomically (AtomicFile): readers see the old file or the
/// complete new one. Throws Error naming the path when the directory is not writable.
void write_dsc_csv(const DscDatabase& db, const std::string& path);

/// Writes rejected rows as CSV with the columns source_file, line, column, reason, raw, one row
/// each, atomically. `source_file` is repeated on every row so rejects of several imports can be
/// concatenated. Throws Error naming the path on failure.
void write_rejects_csv(std::span<const RejectedRow> rejected, const std::string& source_file,
                       const std::string& path);

}  // namespace thermex
