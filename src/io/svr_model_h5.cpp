// SVR model files: one /model group with datasets and attributes (layout in
// include/thermex/svr_model_h5.hpp), written through AtomicFile, and the optional fit report
// (metrics and cv subgroups) next to it.
#include "thermex/svr_model_h5.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "thermex/atomic_file.hpp"
#include "thermex/error.hpp"
#include "thermex/h5.hpp"
#include "thermex/version.hpp"

namespace thermex {
namespace {

constexpr const char* kModelGroup = "/model";
constexpr const char* kFormat = "thermex-svr-model";
// Version 2 added the optional fit report (metrics, cv); version 1 files read the same way.
constexpr std::int64_t kFormatVersion = 2;
constexpr std::int64_t kOldestFormatVersion = 1;
constexpr const char* kMetricUnits =
    "n: rows; r2: dimensionless; rmse, mae: original target units (10^f against y when "
    "log10_target)";
constexpr const char* kFittedUnits = "fitted-target units (log10 of the target when log10_target)";

void write_attributes(H5File& f, const std::string& g, const SvrModel& m) {
  const SvrSpec& s = m.spec;
  f.set_attribute(g, "format", kFormat);
  f.set_attribute(g, "format_version", kFormatVersion);
  f.set_attribute(g, "C", s.c);
  f.set_attribute(g, "epsilon", s.epsilon);
  f.set_attribute(g, "gamma", to_string(s.gamma));
  f.set_attribute(g, "gamma_value", m.gamma_value);
  f.set_attribute(g, "tol", s.tol);
  f.set_attribute(g, "standardize", std::int64_t{s.standardize ? 1 : 0});
  f.set_attribute(g, "log10_target", std::int64_t{s.log10_target ? 1 : 0});
  f.set_attribute(g, "target_transform", s.log10_target ? "log10" : "identity");
  f.set_attribute(g, "max_iter", s.max_iter);
  f.set_attribute(g, "kernel_budget_bytes", static_cast<std::int64_t>(s.kernel_budget_bytes));
  f.set_attribute(g, "libsvm_float_kernel", std::int64_t{s.libsvm_float_kernel ? 1 : 0});
  f.set_attribute(g, "intercept", m.intercept);
  f.set_attribute(g, "n_iter", m.n_iter);
  f.set_attribute(g, "dual_objective", m.dual_objective);
  f.set_attribute(g, "kkt_gap", m.kkt_gap);
  f.set_attribute(g, "converged", std::int64_t{m.converged ? 1 : 0});
  f.set_attribute(g, "n_train", static_cast<std::int64_t>(m.n_train));
  f.set_attribute(g, "n_features", static_cast<std::int64_t>(m.n_features));
  f.set_attribute(g, "data_sha256", m.data_sha256);
  f.set_attribute(g, "fitted_by_version", m.thermex_version);
  f.set_attribute(g, "fitted_by_commit", m.git_commit);
  f.set_attribute(g, "device", m.device);
  f.set_attribute(g, "written_by_version", kVersion);
  f.set_attribute(g, "written_by_commit", kGitCommit);
}

[[noreturn]] void foreign(const std::string& path, const std::string& group,
                          const std::string& reason) {
  throw InputError(path, 0, group, "not a usable thermex SVR model file: " + reason);
}

void read_attributes(const H5File& f, const std::string& g, SvrModel& m) {
  SvrSpec& s = m.spec;
  s.c = f.double_attribute(g, "C");
  s.epsilon = f.double_attribute(g, "epsilon");
  s.gamma = parse_svr_gamma(f.string_attribute(g, "gamma"), g + "@gamma");
  m.gamma_value = f.double_attribute(g, "gamma_value");
  s.tol = f.double_attribute(g, "tol");
  s.standardize = f.int64_attribute(g, "standardize") != 0;
  s.log10_target = f.int64_attribute(g, "log10_target") != 0;
  s.max_iter = f.int64_attribute(g, "max_iter");
  s.kernel_budget_bytes = static_cast<std::size_t>(f.int64_attribute(g, "kernel_budget_bytes"));
  s.libsvm_float_kernel = f.int64_attribute(g, "libsvm_float_kernel") != 0;
  m.intercept = f.double_attribute(g, "intercept");
  m.n_iter = f.int64_attribute(g, "n_iter");
  m.dual_objective = f.double_attribute(g, "dual_objective");
  m.kkt_gap = f.double_attribute(g, "kkt_gap");
  m.converged = f.int64_attribute(g, "converged") != 0;
  m.n_train = static_cast<std::size_t>(f.int64_attribute(g, "n_train"));
  m.n_features = static_cast<std::size_t>(f.int64_attribute(g, "n_features"));
  m.data_sha256 = f.string_attribute(g, "data_sha256");
  m.thermex_version = f.string_attribute(g, "fitted_by_version");
  m.git_commit = f.string_attribute(g, "fitted_by_commit");
  m.device = f.string_attribute(g, "device");
}

void check_consistent(const std::string& path, const std::string& group, const SvrModel& m) {
  const std::size_t d = m.n_features, n_sv = m.dual_coef.size();
  if (d == 0) foreign(path, group, "n_features = 0");
  if (m.feature_names.size() != d || m.feature_means.size() != d || m.feature_scales.size() != d) {
    foreign(path, group,
            fmt::format("feature names/means/scales do not have n_features = {} entries", d));
  }
  if (m.support_vectors.size() != n_sv * d || m.support_indices.size() != n_sv) {
    foreign(path, group, fmt::format("support vectors/indices do not match {} coefficients", n_sv));
  }
  if (!(m.gamma_value > 0.0)) foreign(path, group, "gamma_value must be > 0");
}

// The group must be a thermex SVR model group: InputError otherwise.
void check_format(const H5File& f, const std::string& g) {
  if (!f.is_group(g) || !f.has_attribute(g, "format") ||
      f.string_attribute(g, "format") != kFormat) {
    foreign(f.path(), g, fmt::format("no {} group of format \"thermex-svr-model\"", g));
  }
}

void write_seed(H5File& f, const std::string& g, std::uint64_t seed) {
  // No unsigned 64-bit attribute in our API: the bit pattern as int64, and the exact decimal.
  f.set_attribute(g, "seed", static_cast<std::int64_t>(seed));
  f.set_attribute(g, "seed_text", std::to_string(seed));
}

void write_metrics(H5File& f, const std::string& g, const RegressionMetrics& m) {
  f.create_group(g);
  f.set_attribute(g, "n", static_cast<std::int64_t>(m.n));
  f.set_attribute(g, "r2", m.r2);
  f.set_attribute(g, "rmse", m.rmse);
  f.set_attribute(g, "mae", m.mae);
  f.set_attribute(g, "units", kMetricUnits);
}

RegressionMetrics read_metrics(const H5File& f, const std::string& g) {
  RegressionMetrics m;
  m.n = static_cast<std::size_t>(f.int64_attribute(g, "n"));
  m.r2 = f.double_attribute(g, "r2");
  m.rmse = f.double_attribute(g, "rmse");
  m.mae = f.double_attribute(g, "mae");
  return m;
}

// Empty when the grid-search result is consistent, else the reason.
std::string cv_problem(const SvrCvResult& cv) {
  const std::size_t points = cv.specs.size();
  if (points == 0) return "no grid points";
  if (cv.folds < 2) return fmt::format("folds = {} (need >= 2)", cv.folds);
  if (cv.cv_rmse.size() != points) {
    return fmt::format("{} cv_rmse values for {} points", cv.cv_rmse.size(), points);
  }
  if (cv.fold_rmse.size() != points * cv.folds) {
    return fmt::format("{} fold_rmse values for {} points x {} folds", cv.fold_rmse.size(), points,
                       cv.folds);
  }
  if (cv.best >= points) return fmt::format("best = {} for {} points", cv.best, points);
  return {};
}

void write_cv(H5File& f, const std::string& g, const SvrCvResult& cv, std::uint64_t seed) {
  const std::size_t points = cv.specs.size();
  std::vector<double> c, epsilon;
  std::vector<std::string> gamma;
  for (const SvrSpec& s : cv.specs) {
    c.push_back(s.c);
    gamma.push_back(to_string(s.gamma));
    epsilon.push_back(s.epsilon);
  }
  f.create_group(g);
  f.set_attribute(g, "folds", static_cast<std::int64_t>(cv.folds));
  f.set_attribute(g, "best", static_cast<std::int64_t>(cv.best));
  f.set_attribute(g, "points", static_cast<std::int64_t>(points));
  f.set_attribute(g, "selection", "min cv_rmse");
  write_seed(f, g, seed);
  f.write_doubles(g + "/C", c);
  f.set_attribute(g + "/C", "units", "target units per kernel unit (box constraint)");
  f.write_strings(g + "/gamma", gamma);
  f.set_attribute(g + "/gamma", "units",
                  "1 / squared standardized feature units (raw units without standardization); "
                  "\"scale\" resolves per fold");
  f.write_doubles(g + "/epsilon", epsilon);
  f.set_attribute(g + "/epsilon", "units", kFittedUnits);
  f.write_doubles(g + "/cv_rmse", cv.cv_rmse);
  f.set_attribute(g + "/cv_rmse", "units", kFittedUnits);
  f.write_double_matrix(g + "/fold_rmse", points, cv.folds, cv.fold_rmse);
  f.set_attribute(g + "/fold_rmse", "units", kFittedUnits);
}

// The grid search of a cv group; each spec is `base` with the point's C, gamma and epsilon.
SvrCvResult read_cv(const H5File& f, const std::string& g, const SvrSpec& base) {
  SvrCvResult cv;
  cv.folds = static_cast<std::size_t>(f.int64_attribute(g, "folds"));
  cv.best = static_cast<std::size_t>(f.int64_attribute(g, "best"));
  const std::vector<double> c = f.read_doubles(g + "/C");
  const std::vector<std::string> gamma = f.read_strings(g + "/gamma");
  const std::vector<double> epsilon = f.read_doubles(g + "/epsilon");
  if (gamma.size() != c.size() || epsilon.size() != c.size()) {
    foreign(f.path(), g,
            fmt::format("{} C, {} gamma and {} epsilon values", c.size(), gamma.size(),
                        epsilon.size()));
  }
  for (std::size_t k = 0; k < c.size(); ++k) {
    SvrSpec s = base;
    s.c = c[k];
    s.gamma = parse_svr_gamma(gamma[k], fmt::format("{}/gamma[{}]", g, k));
    s.epsilon = epsilon[k];
    cv.specs.push_back(s);
  }
  cv.cv_rmse = f.read_doubles(g + "/cv_rmse");
  const H5Matrix<double> folds = f.read_double_matrix(g + "/fold_rmse");
  if (folds.rows != c.size() || folds.cols != cv.folds) {
    foreign(f.path(), g,
            fmt::format("fold_rmse is {} x {}, expected points x folds = {} x {}", folds.rows,
                        folds.cols, c.size(), cv.folds));
  }
  cv.fold_rmse = folds.values;
  const std::string problem = cv_problem(cv);
  if (!problem.empty()) foreign(f.path(), g, problem);
  return cv;
}

// Opens the file; a truncated or damaged HDF5 file (H5Error from H5Fopen) is bad input too.
H5File open_model_file(const std::string& path) {
  try {
    return H5File::open_read_only(path);
  } catch (const H5Error& e) {
    foreign(path, "", e.what());
  }
}

}  // namespace

void write_svr_model_h5(H5File& f, std::string_view group, const SvrModel& model) {
  const std::string g = h5_normalize_path(group);
  f.create_group(g);
  write_attributes(f, g, model);
  f.write_strings(g + "/feature_names", model.feature_names);
  f.write_doubles(g + "/feature_means", model.feature_means);
  f.write_doubles(g + "/feature_scales", model.feature_scales);
  f.write_double_matrix(g + "/support_vectors", model.n_support(), model.n_features,
                        model.support_vectors);
  f.write_int64s(g + "/support_indices", model.support_indices);
  f.write_doubles(g + "/dual_coef", model.dual_coef);
}

void write_svr_fit_report_h5(H5File& f, std::string_view group, const SvrFitReport& report) {
  const std::string g = h5_normalize_path(group);
  if (report.cv) {
    const std::string problem = cv_problem(*report.cv);
    if (!problem.empty()) throw Error("svr fit report: inconsistent grid search: " + problem);
  }
  const std::string mg = g + "/metrics";
  f.create_group(mg);
  f.set_attribute(mg, "target", report.target);
  f.set_attribute(mg, "test_fraction", report.test_fraction);
  write_seed(f, mg, report.seed);
  f.set_attribute(mg, "units", kMetricUnits);
  if (report.train) write_metrics(f, mg + "/train", *report.train);
  if (report.test) write_metrics(f, mg + "/test", *report.test);
  if (report.cv) write_cv(f, g + "/cv", *report.cv, report.seed);
}

SvrModel read_svr_model_h5(const H5File& f, std::string_view group) {
  const std::string g = h5_normalize_path(group);
  const std::string& path = f.path();
  check_format(f, g);
  SvrModel m;
  try {
    const std::int64_t version = f.int64_attribute(g, "format_version");
    if (version < kOldestFormatVersion || version > kFormatVersion) {
      foreign(path, g,
              fmt::format("format_version {} (this build reads {} to {})", version,
                          kOldestFormatVersion, kFormatVersion));
    }
    read_attributes(f, g, m);
    m.feature_names = f.read_strings(g + "/feature_names");
    m.feature_means = f.read_doubles(g + "/feature_means");
    m.feature_scales = f.read_doubles(g + "/feature_scales");
    H5Matrix<double> sv = f.read_double_matrix(g + "/support_vectors");
    m.support_vectors = std::move(sv.values);
    m.support_indices = f.read_int64s(g + "/support_indices");
    m.dual_coef = f.read_doubles(g + "/dual_coef");
  } catch (const H5Error& e) {
    foreign(path, g, e.what());
  } catch (const ConfigError& e) {
    foreign(path, g, e.what());
  }
  check_consistent(path, g, m);
  return m;
}

std::optional<SvrFitReport> read_svr_fit_report_h5(const H5File& f, std::string_view group) {
  const std::string g = h5_normalize_path(group);
  check_format(f, g);
  const std::string mg = g + "/metrics", cg = g + "/cv";
  const bool has_metrics = f.is_group(mg), has_cv = f.is_group(cg);
  if (!has_metrics && !has_cv) return std::nullopt;
  SvrFitReport r;
  try {
    if (has_metrics) {
      r.target = f.string_attribute(mg, "target");
      r.test_fraction = f.double_attribute(mg, "test_fraction");
      r.seed = static_cast<std::uint64_t>(f.int64_attribute(mg, "seed"));
      if (f.is_group(mg + "/train")) r.train = read_metrics(f, mg + "/train");
      if (f.is_group(mg + "/test")) r.test = read_metrics(f, mg + "/test");
    }
    if (has_cv) {
      SvrModel base;
      read_attributes(f, g, base);
      r.cv = read_cv(f, cg, base.spec);
      if (!has_metrics) r.seed = static_cast<std::uint64_t>(f.int64_attribute(cg, "seed"));
    }
  } catch (const H5Error& e) {
    foreign(f.path(), g, e.what());
  } catch (const ConfigError& e) {
    foreign(f.path(), g, e.what());
  }
  return r;
}

namespace {

void save_model_file(const SvrModel& model, const SvrFitReport* report, const std::string& path) {
  AtomicFile out(path);
  {
    H5File f = H5File::create(out.path());
    write_svr_model_h5(f, kModelGroup, model);
    if (report != nullptr) write_svr_fit_report_h5(f, kModelGroup, *report);
    f.close();
  }
  out.commit();
}

}  // namespace

void save_svr_model(const SvrModel& model, const std::string& path) {
  save_model_file(model, nullptr, path);
}

void save_svr_model(const SvrModel& model, const SvrFitReport& report, const std::string& path) {
  save_model_file(model, &report, path);
}

SvrModel load_svr_model(const std::string& path) {
  const H5File f = open_model_file(path);
  return read_svr_model_h5(f, kModelGroup);
}

std::optional<SvrFitReport> load_svr_fit_report(const std::string& path) {
  const H5File f = open_model_file(path);
  return read_svr_fit_report_h5(f, kModelGroup);
}

}  // namespace thermex
