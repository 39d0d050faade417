#pragma once
/// \file
/// Spearman's rank correlation for all pairs of columns, the first step of feature screening
/// (data/SCREENING.md). Ties get average ranks; missing values (NaN) are handled pairwise: each
/// pair uses exactly the rows where both columns have a value, and those rows are re-ranked,
/// as pandas' DataFrame.corr(method="spearman") does.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "thermex/table.hpp"

namespace thermex {

/// Pairs with fewer complete observations than this get rho = NaN (not compared).
inline constexpr std::size_t kSpearmanMinPairs = 3;

/// Rho and complete-pair counts of every column pair of a table.
struct SpearmanMatrix {
  std::size_t n = 0;                 ///< number of columns
  std::vector<double> rho;           ///< n x n, row-major, symmetric; diagonal 1 (NaN if constant)
  std::vector<std::int64_t> counts;  ///< n x n complete-pair counts; diagonal = non-NaN values
  /// Rho of columns i and j (NaN when not comparable). O(1).
  double at(std::size_t i, std::size_t j) const { return rho[i * n + j]; }
  /// Complete-pair count of columns i and j. O(1).
  std::int64_t count(std::size_t i, std::size_t j) const { return counts[i * n + j]; }
};

/// Average ranks (1-based) of `values`; tied values share the mean of their positions
/// (1, 2.5, 2.5, 4). NaN values get NaN ranks and are ignored when ranking the rest.
/// Cost O(n log n).
std::vector<double> average_ranks(std::span<const double> values);

/// Spearman's rho of x and y over the rows where both are non-NaN (x.size() == y.size()).
/// Returns NaN when fewer than kSpearmanMinPairs such rows exist or when either column is
/// constant on them; `*pair_count` (if given) receives the number of complete rows.
/// Cost O(n log n).
double spearman_rho(std::span<const double> x, std::span<const double> y,
                    std::size_t* pair_count = nullptr);

/// Spearman's rho of every pair of columns of `table` (ColumnKind is ignored). Columns without
/// NaN are ranked once; pairs involving a column with NaN are re-ranked on their complete rows.
/// Parallel over pairs with OpenMP; each entry is computed by one thread in a fixed order, so
/// the result is the same bytes for any thread count. Cost O(cols^2 x rows) (plus
/// O(rows log rows) per pair that involves NaN).
SpearmanMatrix spearman_matrix(const Table& table);

}  // namespace thermex
