#pragma once
/// \file
/// SVR model files (HDF5): everything svr_predict needs, plus the spec, diagnostics and
/// provenance, and optionally the fit report of `thermex svr fit` (train/test metrics and the
/// grid search). Layout (readable with h5py):
///   /model                      group; attributes: format = "thermex-svr-model",
///                               format_version (2; 1 = files without metrics/cv, still read),
///                               C, epsilon, gamma ("scale" or the number),
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
/// Fit report (format_version 2, optional; absent in files of the study and of version 1):
///   /model/metrics              group; attributes: target (column name), test_fraction,
///                               seed (int64 bit pattern of the uint64 seed), seed_text
///                               (decimal), units
///   /model/metrics/train        group; attributes n (int64 rows), r2 (dimensionless), rmse,
///   /model/metrics/test           mae (original target units: 10^f is compared with y when
///                               log10_target), units; `test` absent when no row was held out
///   /model/cv                   group; attributes: folds, best (0-based point index), points,
///                               selection ("min cv_rmse"), seed, seed_text (k-fold seed)
///   /model/cv/C                 points doubles, units attribute on every dataset
///   /model/cv/gamma             points strings ("scale" or the number, as to_string(SvrGamma))
///   /model/cv/epsilon           points doubles (fitted-target units)
///   /model/cv/cv_rmse           points doubles, mean held-out RMSE (fitted-target units:
///                               log10 units with log10_target)
///   /model/cv/fold_rmse         points x folds doubles (fitted-target units)
/// Grid points are in SvrCvResult's C-major order.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "thermex/h5.hpp"
#include "thermex/svr.hpp"
#include "thermex/svr_cv.hpp"
#include "thermex/svr_metrics.hpp"

namespace thermex {

/// How a fitted model did, as `thermex svr fit` measured it; stored next to the model in the
/// same group (layout above). Every part is optional.
struct SvrFitReport {
  std::string target;                      ///< target column name ("" when unnamed)
  std::optional<RegressionMetrics> train;  ///< on the training rows, original target units
  std::optional<RegressionMetrics> test;   ///< on the held-out rows (absent: none held out)
  double test_fraction = 0.0;              ///< requested held-out fraction
  std::uint64_t seed = 0;                  ///< seed of the train/test split and the folds
  /// The grid search that chose the model's C, gamma and epsilon (absent without one). Read
  /// back, each spec is the model's spec with the point's C, gamma and epsilon (the other
  /// fields of the search's base spec are the model's by construction in `thermex svr fit`).
  std::optional<SvrCvResult> cv;
};

/// Writes `model` as the new group `group` of an open file (parents created), in the layout
/// above with `group` in place of /model (the study stores /models/<target> this way). Throws
/// H5Error when the group already holds these datasets or on I/O failure. Cost: O(n_sv d).
void write_svr_model_h5(H5File& file, std::string_view group, const SvrModel& model);

/// Writes `report` into the model group `group` (written by write_svr_model_h5): the metrics
/// and cv subgroups of the parts present. Throws Error for an inconsistent cv (sizes, best out
/// of range), H5Error when the subgroups exist or on I/O failure. Cost: O(points x folds).
void write_svr_fit_report_h5(H5File& file, std::string_view group, const SvrFitReport& report);

/// Reads a model written by write_svr_model_h5 (or the /model group of a model file); bitwise the
/// same predictions. Throws InputError(file, 0, group, reason) for a missing or foreign group, an
/// unknown format_version or inconsistent sizes. Cost: O(n_sv d).
SvrModel read_svr_model_h5(const H5File& file, std::string_view group);

/// Reads the fit report of the model group `group`, or nullopt when it has neither metrics nor
/// cv (format_version 1 files, study models). Throws InputError as read_svr_model_h5 for a
/// foreign group, missing attributes or inconsistent cv sizes. Cost: O(points x folds).
std::optional<SvrFitReport> read_svr_fit_report_h5(const H5File& file, std::string_view group);

/// Writes `model` to `path` atomically (temporary file + rename; an existing file is replaced
/// only when the write succeeded). Throws H5Error / Error on I/O failure. Cost: O(n_sv d).
void save_svr_model(const SvrModel& model, const std::string& path);

/// The same, with `report` stored next to the model (write_svr_fit_report_h5).
/// Cost: O(n_sv d + points x folds).
void save_svr_model(const SvrModel& model, const SvrFitReport& report, const std::string& path);

/// Reads a model written by save_svr_model. Predictions of the loaded model are bitwise those of
/// the saved one. Throws InputError(path, 0, "", reason) for a missing, truncated or foreign
/// file (no /model group of format "thermex-svr-model", unknown format_version, inconsistent
/// sizes). Cost: O(n_sv d).
SvrModel load_svr_model(const std::string& path);

/// The fit report of a model file, or nullopt when it holds none. Errors as load_svr_model.
std::optional<SvrFitReport> load_svr_fit_report(const std::string& path);

}  // namespace thermex
