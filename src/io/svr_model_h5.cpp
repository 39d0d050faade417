// SVR model files: one /model group with datasets and attributes (layout in
// include/thermex/svr_model_h5.hpp), written through AtomicFile.
#include "thermex/svr_model_h5.hpp"

#include <fmt/format.h>

#include <cstdint>
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
constexpr std::int64_t kFormatVersion = 1;

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

SvrModel read_svr_model_h5(const H5File& f, std::string_view group) {
  const std::string g = h5_normalize_path(group);
  const std::string& path = f.path();
  if (!f.is_group(g) || !f.has_attribute(g, "format") ||
      f.string_attribute(g, "format") != kFormat) {
    foreign(path, g, fmt::format("no {} group of format \"thermex-svr-model\"", g));
  }
  SvrModel m;
  try {
    const std::int64_t version = f.int64_attribute(g, "format_version");
    if (version != kFormatVersion) {
      foreign(path, g,
              fmt::format("format_version {} (this build reads {})", version, kFormatVersion));
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

void save_svr_model(const SvrModel& model, const std::string& path) {
  AtomicFile out(path);
  {
    H5File f = H5File::create(out.path());
    write_svr_model_h5(f, kModelGroup, model);
    f.close();
  }
  out.commit();
}

SvrModel load_svr_model(const std::string& path) {
  const H5File f = open_model_file(path);
  return read_svr_model_h5(f, kModelGroup);
}

}  // namespace thermex
