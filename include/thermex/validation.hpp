#pragma once
/// \file
/// Validation on series held out of training (issue 6): the records the config names are
/// predicted by the fitted model and compared with their observations, as the paper compares
/// its predictions with two independent Ni-content studies. The trend is what matters (does the
/// model rank the series right?), so Pearson and Spearman of observed vs predicted are reported
/// beside the mean absolute error.

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "thermex/dsc_record.hpp"
#include "thermex/study_config.hpp"

namespace thermex {

/// Predicted vs observed along one held-out series for one target.
struct ValidationResult {
  std::string name;                     ///< series name (StudyValidationSeries::name)
  std::string target;                   ///< target column
  std::vector<std::string> record_ids;  ///< every series record, in the order given
  std::vector<double> x;                ///< series variable per record (e.g. Ni fraction)
  std::vector<double> observed;         ///< observation per record (NaN = not measured)
  std::vector<double> predicted;        ///< model prediction per record
  std::size_t n = 0;                    ///< pairs used: observed and predicted both finite
  std::size_t excluded = 0;             ///< records left out (a non-finite observed/predicted)
  double pearson = 0.0;                 ///< Pearson r of observed vs predicted over the n pairs
  double spearman = 0.0;                ///< Spearman rho (Pearson of average ranks, ties averaged)
  double mae = 0.0;  ///< mean |observed - predicted| over the n pairs, target units
};

/// Compares `predicted` with `observed` (same length as record_ids and x). Records whose
/// observed or predicted value is not finite are kept in the vectors but excluded from the
/// statistics and counted in `excluded`. With n < 2 pairs, or a side constant over the pairs,
/// the correlations are NaN (undefined); with n == 0 the MAE is NaN too. Throws Error on a
/// length mismatch. Cost O(n log n).
ValidationResult validate_series(std::string name, std::string target,
                                 std::vector<std::string> record_ids, std::vector<double> x,
                                 std::vector<double> observed, std::vector<double> predicted);

/// Pearson's r of x and y (same length), summed in index order; NaN when the length is < 2 or
/// either side has zero variance. No NaN handling: a NaN input gives NaN. Cost O(n).
double pearson_r(std::span<const double> x, std::span<const double> y);

/// Indices (ascending) of the records of `series`: those whose source_doi is one of
/// series.sources or whose record_id is one of series.record_ids. Throws ConfigError naming
/// "validation.<name>" when no record matches, and ConfigError naming
/// "validation.<name>.record_ids[i]" for a listed record id that does not exist. Cost
/// O(records x (sources + ids)).
std::vector<std::size_t> series_rows(std::span<const DscRecord> records,
                                     const StudyValidationSeries& series);

}  // namespace thermex
