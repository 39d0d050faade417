// Validation of SVR inputs and preparation of one problem: gather its rows, fit the scaler on
// them only (population std, as scikit-learn's StandardScaler), transform the target, resolve
// gamma, hash the training data; and the model built from a solution.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "svr_internal.hpp"
#include "thermex/error.hpp"
#include "thermex/sha256.hpp"
#include "thermex/version.hpp"

namespace thermex::detail {

void validate_svr_spec(const SvrSpec& spec, const std::string& where) {
  auto fail = [&](const char* field, double v, const char* want) {
    throw Error(fmt::format("{}: {} = {} but must be {}", where, field, v, want));
  };
  if (!(std::isfinite(spec.c) && spec.c > 0.0)) fail("C", spec.c, "finite and > 0");
  if (!(std::isfinite(spec.epsilon) && spec.epsilon >= 0.0)) {
    fail("epsilon", spec.epsilon, "finite and >= 0");
  }
  if (!(std::isfinite(spec.tol) && spec.tol > 0.0)) fail("tol", spec.tol, "finite and > 0");
  if (!spec.gamma.scale && !(std::isfinite(spec.gamma.value) && spec.gamma.value > 0.0)) {
    fail("gamma", spec.gamma.value, "finite and > 0 (or \"scale\")");
  }
  if (spec.max_iter < 0) fail("max_iter", static_cast<double>(spec.max_iter), ">= 0");
}

void validate_svr_data(std::span<const double> x, std::size_t n, std::size_t d,
                       std::span<const double> y, const std::string& where) {
  if (n == 0) throw Error(fmt::format("{}: no training rows (n = 0)", where));
  if (d == 0) throw Error(fmt::format("{}: no feature columns (d = 0)", where));
  if (n > x.size() / d || x.size() != n * d) {
    throw Error(
        fmt::format("{}: x has {} values, expected n * d = {} * {}", where, x.size(), n, d));
  }
  if (y.size() != n) {
    throw Error(fmt::format("{}: y has {} values, expected n = {}", where, y.size(), n));
  }
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < d; ++k) {
      if (!std::isfinite(x[i * d + k])) {
        throw Error(fmt::format("{}: x[row {}, column {}] is {}; features must be finite", where, i,
                                k, x[i * d + k]));
      }
    }
    if (!std::isfinite(y[i])) {
      throw Error(fmt::format("{}: y[row {}] is {}; targets must be finite", where, i, y[i]));
    }
  }
}

void apply_scaler(std::span<double> x, std::size_t d, std::span<const double> means,
                  std::span<const double> scales) {
  for (std::size_t e = 0; e < x.size(); ++e) {
    const std::size_t k = e % d;
    x[e] = (x[e] - means[k]) / scales[k];
  }
}

namespace {

// Column means and population standard deviations in row order (two passes, so no
// cancellation of a one-pass sum of squares). A column whose std is 0 (constant) gets scale 1,
// as StandardScaler, so it becomes all zeros instead of NaN.
void fit_scaler(const SvrPrepared& p, std::vector<double>& means, std::vector<double>& scales) {
  means.assign(p.d, 0.0);
  scales.assign(p.d, 0.0);
  for (std::size_t i = 0; i < p.n; ++i) {
    for (std::size_t k = 0; k < p.d; ++k) means[k] += p.x_std[i * p.d + k];
  }
  for (double& m : means) m /= static_cast<double>(p.n);
  for (std::size_t i = 0; i < p.n; ++i) {
    for (std::size_t k = 0; k < p.d; ++k) {
      const double c = p.x_std[i * p.d + k] - means[k];
      scales[k] += c * c;
    }
  }
  for (double& s : scales) {
    s = std::sqrt(s / static_cast<double>(p.n));
    if (!(s > 0.0)) s = 1.0;
  }
}

std::string hash_rows(std::span<const double> x, std::span<const double> y) {
  std::string bytes(sizeof(double) * (x.size() + y.size()), '\0');
  std::memcpy(bytes.data(), x.data(), sizeof(double) * x.size());
  std::memcpy(bytes.data() + sizeof(double) * x.size(), y.data(), sizeof(double) * y.size());
  return sha256_hex(bytes);
}

}  // namespace

double resolved_gamma(const SvrSpec& spec, std::span<const double> x_std, std::size_t n,
                      std::size_t d) {
  return spec.gamma.scale ? svr_scale_gamma(x_std, n, d) : spec.gamma.value;
}

SvrPrepared prepare_svr_problem(std::span<const double> x, std::size_t d, std::span<const double> y,
                                std::span<const std::size_t> rows, const SvrSpec& spec,
                                const std::string& where) {
  SvrPrepared p;
  p.n = rows.size();
  p.d = d;
  p.x_std.resize(p.n * d);
  p.target.resize(p.n);
  for (std::size_t r = 0; r < p.n; ++r) {
    std::copy_n(x.begin() + static_cast<std::ptrdiff_t>(rows[r] * d), d,
                p.x_std.begin() + static_cast<std::ptrdiff_t>(r * d));
    p.target[r] = y[rows[r]];
  }
  p.data_sha256 = hash_rows(p.x_std, p.target);
  if (spec.log10_target) {
    for (std::size_t r = 0; r < p.n; ++r) {
      if (!(p.target[r] > 0.0)) {
        throw Error(fmt::format("{}: log10 target needs y > 0, but y[row {}] = {}", where, rows[r],
                                p.target[r]));
      }
      p.target[r] = std::log10(p.target[r]);
    }
  }
  if (spec.standardize) {
    fit_scaler(p, p.means, p.scales);
    apply_scaler(p.x_std, d, p.means, p.scales);
  } else {
    p.means.assign(d, 0.0);
    p.scales.assign(d, 1.0);
  }
  p.gamma = resolved_gamma(spec, p.x_std, p.n, d);
  return p;
}

SvrModel make_svr_model(const SvrPrepared& prep, const SmoResult& sol, const SvrSpec& spec,
                        std::vector<std::string> feature_names) {
  SvrModel m;
  m.n_features = prep.d;
  m.feature_names =
      feature_names.empty() ? std::vector<std::string>(prep.d) : std::move(feature_names);
  m.feature_means = prep.means;
  m.feature_scales = prep.scales;
  for (std::size_t r = 0; r < prep.n; ++r) {
    // libsvm's sv_coef: alpha - alpha*; a row is a support vector when it is non-zero.
    const double beta = sol.alpha[r] - sol.alpha[r + prep.n];
    if (beta == 0.0) continue;
    m.dual_coef.push_back(beta);
    m.support_indices.push_back(static_cast<std::int64_t>(r));
    m.support_vectors.insert(m.support_vectors.end(),
                             prep.x_std.begin() + static_cast<std::ptrdiff_t>(r * prep.d),
                             prep.x_std.begin() + static_cast<std::ptrdiff_t>((r + 1) * prep.d));
  }
  m.intercept = -sol.rho;
  m.spec = spec;
  m.gamma_value = prep.gamma;
  m.n_iter = sol.n_iter;
  m.dual_objective = sol.objective;
  m.kkt_gap = sol.kkt_gap;
  m.converged = sol.converged;
  m.n_train = prep.n;
  m.data_sha256 = prep.data_sha256;
  m.thermex_version = kVersion;
  m.git_commit = kGitCommit;
  m.device = "cpu";
  return m;
}

}  // namespace thermex::detail
