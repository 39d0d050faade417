#pragma once
/// \file
/// The study configuration: one TOML file names the datasets, targets and their transforms, the
/// screening, SVR grid, SHAP, bootstrap, sweep and validation settings, seeds and the device.
/// data/STUDY.md documents every key; data/configs/paper.toml holds the published workflow's
/// defaults and data/configs/example.toml is a commented example. Unknown keys, wrong types and
/// out-of-range values are ConfigErrors naming the full dotted key ("svr.grid.C[2]").

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "thermex/context.hpp"
#include "thermex/features.hpp"
#include "thermex/selection.hpp"
#include "thermex/shap.hpp"
#include "thermex/svr.hpp"
#include "thermex/svr_cv.hpp"

namespace thermex {

/// One DSC database the study reads (CSV in the data/SCHEMA.md format, or an imported .h5).
struct StudyDataset {
  std::string path;   ///< resolved against the config file's directory when relative
  std::string label;  ///< short name used in the results ("synthetic", "literature")
  /// Records of this dataset are used for training (false: only for validation/reporting).
  bool train = true;
};

/// One modelled quantity.
struct StudyTarget {
  std::string column;  ///< a feature-table target column ("onset_C", "max_heat_flow_W_per_g")
  /// Fit log10(y) (SvrSpec::log10_target); the paper models max power so.
  bool log10 = false;
  std::string label;  ///< plot label ("onset temperature"); defaults to the column's label
};

/// Screening settings (step 1 and 2 of the paper), applied to every target.
struct StudyScreening {
  SelectionOptions options;  ///< threshold, candidate features, priority, null importance
  bool enabled = true;       ///< false: every candidate feature is kept
};

/// SVR model selection.
struct StudySvr {
  /// tol, standardize, max_iter, shrinking, kernel budget (C, gamma, epsilon come from the
  /// grid; log10_target from StudyTarget::log10).
  SvrSpec base;
  /// C x gamma x epsilon; the default is paper.toml's log grid (32 points).
  SvrGrid grid{
      {1.0, 10.0, 100.0, 1000.0},
      {SvrGamma::scale_rule(), SvrGamma::fixed(0.01), SvrGamma::fixed(0.03), SvrGamma::fixed(0.1)},
      {0.01, 0.1}};
  std::size_t folds = 5;       ///< k of k-fold CV, >= 2
  double test_fraction = 0.2;  ///< seeded train/test split per target, in [0, 1)
};

/// SHAP settings.
struct StudyShap {
  ShapMethod method = ShapMethod::kExact;
  std::size_t background = 50;  ///< k-means background size (weighted centroids); 0 = all rows
  std::size_t max_rows = 0;     ///< rows explained per target; 0 = all training rows
  std::size_t samples = 64;     ///< permutation / kernel: antithetic pairs per row
  std::size_t top_k = 5;        ///< dynamics: top features per stage
};

/// Bootstrap uncertainty.
struct StudyBootstrap {
  std::size_t replicas = 200;        ///< B refits per target (0 disables the stage)
  std::size_t shap_rows = 50;        ///< rows explained per replica for SHAP intervals
  std::size_t screen_replicas = 50;  ///< replicas that re-run screening (survival counts)
  std::size_t screen_shuffles = 30;  ///< null-importance shuffles per screening replica
  double ci = 0.95;                  ///< central interval reported (percentiles 2.5 / 97.5)
};

/// One composition sweep over a simplex of TM-site fractions.
struct StudySweep {
  std::string name;                   ///< group name under /sweeps
  std::vector<std::string> elements;  ///< element symbols spanning the simplex ({"Ni","Co","Mn"})
  double step = 0.01;                 ///< grid step of each fraction; 1/step must be an integer
  double li = 1.0;                    ///< pristine Li per formula unit of every point
  /// Fixed values of numeric feature columns by name ("cutoff_voltage_V" = 4.3). Features a
  /// model needs that are neither composition features nor named here take the training median
  /// (reported in the results).
  std::map<std::string, double, std::less<>> fixed;
  /// Fixed categorical levels by one-hot group ("electrolyte_class" = "carbonate_lipf6").
  std::map<std::string, std::string, std::less<>> levels;
  std::size_t chunk = 65536;    ///< points per streamed chunk (does not change results)
  double neighbourhood = 0.05;  ///< radius (max |fraction difference|) reported around the optimum
};

/// One validation series: records held out of training and predicted.
struct StudyValidationSeries {
  std::string name;                     ///< group name under /validation
  std::vector<std::string> sources;     ///< records whose source_doi is one of these...
  std::vector<std::string> record_ids;  ///< ...or whose record_id is one of these
  std::string x_column = "ni";          ///< feature column the series varies (trend axis)
};

/// The whole study.
struct StudyConfig {
  std::string name = "study";  ///< free text, stored in the results
  /// Master seed of every random draw; a config file holds 0 .. 2^63 - 1 (TOML integers are
  /// signed 64-bit), so to_toml() of a larger seed does not parse back.
  std::uint64_t seed = 2025;
  DeviceRequest device = DeviceRequest::kAuto;  ///< requested backend ("cpu", "cuda", "auto")
  int threads = 0;                              ///< 0 = all cores
  std::string output = "out/study.h5";          ///< results file (resolved like dataset paths)
  std::vector<StudyDataset> datasets;           ///< at least one, at least one with train = true
  /// Oxidation convention, missing-value policies; `features.targets` is set by the parser to
  /// the `targets` columns (a default-constructed config keeps FeatureOptions' list).
  FeatureOptions features;
  /// Ordered stages of the dynamics; default the paper's onset -> peak -> log10 max power.
  /// The parser also sets features.targets to these columns.
  std::vector<StudyTarget> targets{{"onset_C", false, "onset temperature"},
                                   {"peak_C", false, "peak temperature"},
                                   {"max_heat_flow_W_per_g", true, "max heat flow"}};
  StudyScreening screening;
  StudySvr svr;
  StudyShap shap;
  StudyBootstrap bootstrap;
  std::vector<StudySweep> sweeps;
  std::vector<StudyValidationSeries> validation;
  std::string source_text;  ///< the TOML text as read (stored as provenance)
  std::string source_path;  ///< the file it was read from ("" for text)
};

/// Reads and validates a study config file (keys: data/STUDY.md). Relative paths in it are
/// resolved against the file's directory and lexically normalised. Throws InputError when the
/// file cannot be read or is not TOML (line, and the text column as InputError::column()),
/// ConfigError naming the dotted key ("svr.grid.C[2]", "sweeps[0].step") for unknown keys,
/// wrong types and bad values. Sets source_text and source_path. Cost O(file size).
StudyConfig load_study_config(const std::string& path);

/// Parses config text; `display_name` appears in errors; relative paths resolve against
/// `base_dir`. Same errors as load_study_config. Sets source_text (source_path stays "").
StudyConfig parse_study_config(std::string_view text, const std::string& display_name,
                               const std::string& base_dir = ".");

/// The canonical TOML of a config (every key, defaults included, the order of data/STUDY.md,
/// numbers in shortest round-trip form, paths as resolved): hashed for the stage cache and
/// stored in the results. parse_study_config(to_toml(c)) reproduces every field of a parsed c
/// (not source_text/source_path), and to_toml of that is the same text. Cost O(config size).
std::string to_toml(const StudyConfig& config);

}  // namespace thermex
