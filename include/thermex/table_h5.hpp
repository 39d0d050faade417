#pragma once
/// \file
/// Table <-> HDF5 group. Layout of a table stored at group G:
///   G@format        string  "thermex.table"
///   G@rows          int64   number of rows (kept even when the table has no columns)
///   G@columns       string[] column names in table order (the order is not the link order)
///   G/<name>        float64[rows] one dataset per column; NaN marks a missing value
///     @name @label @unit @kind @group   strings, ColumnMeta (kind as to_string(ColumnKind))
/// Column names must be valid HDF5 link names: non-empty, no '/', not "." or "..".

#include <string_view>

#include "thermex/h5.hpp"
#include "thermex/table.hpp"

namespace thermex {

/// Writes `table` into the new group `group_path` of `file` (parents are created). Throws
/// Error for a column name that cannot be a link name, H5Error when the group already holds
/// one of the datasets or on an HDF5 failure. Cost: one dataset per column.
void write_table_h5(H5File& file, std::string_view group_path, const Table& table);

/// Reads the table stored at `group_path`: the same column order, bitwise-equal values and
/// metadata. Throws InputError(file, 0, "<group>/<column>", reason) when the group, a column
/// dataset or an attribute is missing, a length disagrees with `rows`, or a kind is unknown.
Table read_table_h5(const H5File& file, std::string_view group_path);

}  // namespace thermex
