#pragma once
/// \file
/// SVR model files (HDF5): everything svr_predict needs, plus the spec, diagnostics and
/// provenance. Layout (readable with h5py):
///   /model                      group; attributes: format = "thermex-svr-model",
///                               format_version, C, epsilon, gamma ("scale" or the number),
///                               gamma_value, tol, standardize, log10_target, target_transform
///                               ("identity" | "log10"), max_iter, kernel_budget_bytes,
///                               libsvm_float_kernel,
///                               intercept, n_iter, dual_objective, kkt_gap, converged, n_train,
///                               n_features, data_sha256, fitted_by_version, fitted_by_commit,
///                               device, written_by_version, written_by_commit
///   /model/feature_names        d strings
///   /model/feature_means        d doubles (raw feature units)
///   /model/feature_scales       d doubles
///   /model/support_vectors      n_sv x d doubles, standardized units
///   /model/support_indices      n_sv int64, positions in the training rows
///   /model/dual_coef            n_sv doubles (alpha - alpha*)

#include <string>
#include <string_view>

#include "thermex/h5.hpp"
#include "thermex/svr.hpp"

namespace thermex {

/// Writes `model` as the new group `group` of an open file (parents created), in the layout
/// above with `group` in place of /model (the study stores /models/<target> this way). Throws
/// H5Error when the group already holds these datasets or on I/O failure. Cost: O(n_sv d).
void write_svr_model_h5(H5File& file, std::string_view group, const SvrModel& model);

/// Reads a model written by write_svr_model_h5 (or the /model group of a model file); bitwise the
/// same predictions. Throws InputError(file, 0, group, reason) for a missing or foreign group, an
/// unknown format_version or inconsistent sizes. Cost: O(n_sv d).
SvrModel read_svr_model_h5(const H5File& file, std::string_view group);

/// Writes `model` to `path` atomically (temporary file + rename; an existing file is replaced
/// only when the write succeeded). Throws H5Error / Error on I/O failure. Cost: O(n_sv d).
void save_svr_model(const SvrModel& model, const std::string& path);

/// Reads a model written by save_svr_model. Predictions of the loaded model are bitwise those of
/// the saved one. Throws InputError(path, 0, "", reason) for a missing, truncated or foreign
/// file (no /model group of format "thermex-svr-model", unknown format_version, inconsistent
/// sizes). Cost: O(n_sv d).
SvrModel load_svr_model(const std::string& path);

}  // namespace thermex
