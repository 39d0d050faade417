#pragma once
/// \file
/// The DSC database file (HDF5), written by `thermex import` / `thermex synth` and read by every
/// later stage. Also documented in data/SCHEMA.md, section "HDF5 database file".
///
/// Layout, schema_version 1 (n = number of records, m = number of rejected rows):
///
///   /                      attributes:
///     @format              string  "thermex.dsc_database"
///     @schema_version      int64   1 (kDscSchemaVersion)
///     @thermex_version     string  version of the writer (thermex/version.hpp kVersion)
///     @git_commit          string  commit of the writer (kGitCommit)
///     @source_file         string  DscDatabase::source_file
///     @source_sha256       string  DscDatabase::source_sha256
///     @created_utc         string  ISO 8601, "2025-01-31T12:00:00Z"
///   /records               one dataset per DscRecord field, all of length n, in record order;
///                          every dataset carries string attributes @unit ("" when
///                          dimensionless or text) and @label (human-readable).
///     <text field>         string[n]  variable-length UTF-8; "" when empty
///         record_id source_doi where_in_source read_from formula dopants coating
///         electrolyte_amount_note electrolyte_composition additive notes
///     <enum field>         string[n]  canonical name, to_string() of dsc_enums.hpp
///         origin material_class charge_method washed electrolyte_present electrolyte_class
///         method crucible onset_definition peak_definition heat_basis
///     <optional number>    float64[n] NaN where the value is absent (a present NaN is not
///                          representable and reads back as absent)
///         li_charged cutoff_voltage_V electrolyte_ratio scan_rate_C_per_min active_frac
///         carbon_frac binder_frac onset_C peak_C max_heat_flow_W_per_g total_heat_J_per_g
///     composition/li         float64[n]   SiteComposition::li
///     composition/site_total float64[n]   SiteComposition::site_total
///     composition/count      int64[n]     elements on the TM sublattice (0..8)
///     composition/z          int64[n, 8]  atomic numbers, slots >= count hold 0
///     composition/fraction   float64[n, 8] TM-site fractions, slots >= count hold 0
///     decoy_count          int64[n]      length of DscRecord::decoys (0 for literature rows)
///     decoys               float64[n, k] k = longest decoy list; NaN beyond decoy_count
///   /rejects               RejectedRow, all of length m
///     line int64[m]; column, reason, raw string[m]
///
/// Numeric datasets above 4096 elements are chunked and deflate-compressed (h5.hpp). The file
/// is written through AtomicFile: readers never see a partial database.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "thermex/dsc_record.hpp"

namespace thermex {

/// Version of the layout above; bumped on any incompatible change.
inline constexpr std::int64_t kDscSchemaVersion = 1;

/// A database read back from HDF5, with the provenance the writer recorded.
struct LoadedDatabase {
  DscDatabase db;
  std::vector<RejectedRow> rejected;
  int schema_version = 0;
  std::string thermex_version;  ///< version of the thermex that wrote the file
  std::string git_commit;       ///< its commit
  std::string created_utc;      ///< when it was written, ISO 8601 UTC
};

/// Writes `db` and the rejected rows to `path` atomically (temporary file in the same
/// directory, then rename), replacing any existing file. Throws Error for a record that cannot
/// be stored (a composition with more than 8 elements) and H5Error/Error on I/O failure; the
/// old file is then untouched. Cost: O(n) plus ~45 dataset creations.
void write_database_h5(const DscDatabase& db, std::span<const RejectedRow> rejected,
                       const std::string& path);

/// Reads a database written by write_database_h5. Throws InputError naming the file (and the
/// dataset or attribute, as the error's column) when the file is missing, is not HDF5, has
/// another schema_version, lacks a dataset, has datasets of different lengths, or holds an
/// enum name that does not parse.
LoadedDatabase read_database_h5(const std::string& path);

}  // namespace thermex
