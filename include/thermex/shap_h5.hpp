#pragma once
/// \file
/// SHAP results in HDF5 (readable with h5py). Layout of one result under group G
/// (e.g. /shap/onset_C or /shap/model):
///   G                  attributes: format = "thermex-shap", format_version, method,
///                      base_value, rows, players, log10_target, units ("log10(target)" or
///                      "target": the model's fitted-target units), max_efficiency_violation
///   G/values           rows x players doubles: SHAP values (attribute units, labels = "row x
///                      player")
///   G/std_errors       rows x players doubles: Monte Carlo standard errors (zeros for exact)
///   G/fx               rows doubles: model output f(x) in the same units
///   G/samples_used     rows int64: antithetic pairs used per row (0 for exact methods)
///   G/mean_abs         players doubles: mean |SHAP| per player
///   G/player_names     players strings
///   G/player_columns   flattened column indices (int64) of every player, in player order
///   G/player_offsets   players + 1 int64: player p owns player_columns[off[p], off[p+1])

#include <string_view>

#include "thermex/h5.hpp"
#include "thermex/shap.hpp"

namespace thermex {

/// Writes `result` as a new group `group` of `file` (parents created; the group must not hold
/// these datasets yet, else H5Error). Throws Error when the result's arrays do not match its
/// rows x players shape. Cost O(rows x players).
void write_shap_h5(H5File& file, std::string_view group, const ShapResult& result);

/// Reads a result written by write_shap_h5. Throws InputError(file, 0, group, reason) for a
/// missing group, a foreign format or version, an unknown method or inconsistent sizes; H5Error
/// for HDF5 failures. mean |SHAP| is not part of ShapResult: recompute it with shap_mean_abs.
/// Cost O(rows x players).
ShapResult read_shap_h5(const H5File& file, std::string_view group);

}  // namespace thermex
