// Validation and the one backend switch of the SVR engine (STYLE.md section 1), the gamma
// parsing and the "scale" rule, and chunked prediction (CPU here; CUDA in kernels/svr_predict.cu).
#include "thermex/svr.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <numeric>
#include <string>
#include <tuple>
#include <vector>

#include "rbf_kernel_impl.hpp"
#include "svr_internal.hpp"
#include "svr_predict_impl.hpp"
#include "thermex/error.hpp"
#include "thermex/rbf_kernel.hpp"

namespace thermex {
namespace {

// Query rows per prediction chunk (their standardized copy: 64 Ki rows x d doubles), so memory
// stays bounded for any n; the kernel values themselves are never stored.
constexpr std::size_t kPredictChunkRows = std::size_t{1} << 16;

// The one backend switch of the fits (STYLE.md section 1): both drivers take validated,
// prepared problems and return models in problem order.
std::vector<SvrModel> fit_prepared(const Context& ctx, std::span<const detail::SvrPrepared> preps,
                                   std::span<const SvrProblem> problems,
                                   std::span<const std::string> feature_names) {
  switch (ctx.device()) {
    case Device::kCuda:
      return cuda::svr_fit_batch(ctx, preps, problems, feature_names);
    case Device::kCpu:
      break;
  }
  return cpu::svr_fit_batch(ctx, preps, problems, feature_names);
}

void validate_names(const std::vector<std::string>& names, std::size_t d) {
  if (!names.empty() && names.size() != d) {
    throw Error(fmt::format("svr_fit: {} feature names for {} feature columns", names.size(), d));
  }
}

}  // namespace

SvrGamma parse_svr_gamma(std::string_view text, std::string_view key) {
  if (text == "scale") return SvrGamma::scale_rule();
  double v = 0.0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v) || !(v > 0.0)) {
    throw ConfigError(std::string(key),
                      fmt::format("expected \"scale\" or a positive number, got \"{}\"", text));
  }
  return SvrGamma::fixed(v);
}

std::string to_string(const SvrGamma& gamma) {
  return gamma.scale ? std::string("scale") : fmt::format("{:.17g}", gamma.value);
}

double svr_scale_gamma(std::span<const double> x, std::size_t n, std::size_t d) {
  THERMEX_EXPECTS(
      n >= 1 && d >= 1 && x.size() == n * d,
      fmt::format("svr_scale_gamma: x has {} values for n = {}, d = {}", x.size(), n, d));
  // Two passes (mean, then mean squared deviation) as numpy's var.
  const double mean = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
  double ss = 0.0;
  for (double v : x) ss += (v - mean) * (v - mean);
  const double var = ss / static_cast<double>(x.size());
  return var > 0.0 ? 1.0 / (static_cast<double>(d) * var) : 1.0;
}

SvrModel svr_fit(const Context& ctx, std::span<const double> x_rowmajor, std::size_t n,
                 std::size_t d, std::span<const double> y, const SvrSpec& spec,
                 std::vector<std::string> feature_names) {
  SvrProblem problem;
  problem.rows.resize(n);
  std::iota(problem.rows.begin(), problem.rows.end(), std::size_t{0});
  problem.spec = spec;
  validate_names(feature_names, d);
  detail::validate_svr_spec(spec, "svr_fit");
  detail::validate_svr_data(x_rowmajor, n, d, y, "svr_fit");
  const detail::SvrPrepared prep =
      detail::prepare_svr_problem(x_rowmajor, d, y, problem.rows, spec, "svr_fit");
  std::vector<SvrModel> models =
      fit_prepared(ctx, std::span(&prep, 1), std::span(&problem, 1), feature_names);
  return std::move(models.front());
}

std::vector<SvrModel> svr_fit_batch(const Context& ctx, std::span<const double> x_rowmajor,
                                    std::size_t n, std::size_t d, std::span<const double> y,
                                    std::span<const SvrProblem> problems) {
  detail::validate_svr_data(x_rowmajor, n, d, y, "svr_fit_batch");
  for (std::size_t p = 0; p < problems.size(); ++p) {
    const std::string where = fmt::format("svr_fit_batch: problem {}", p);
    detail::validate_svr_spec(problems[p].spec, where);
    if (problems[p].rows.empty()) throw Error(where + ": no rows");
    for (std::size_t r : problems[p].rows) {
      if (r >= n) throw Error(fmt::format("{}: row index {} >= n = {}", where, r, n));
    }
  }
  // Problems over the same rows with the same target transform and standardization (a grid's
  // configurations on one fold) share one preparation: gathering, hashing (SHA-256 was ~5 % of
  // a 600-row fit) and standardizing run once per distinct row set; only gamma is per problem.
  std::vector<detail::SvrPrepared> preps;
  preps.reserve(problems.size());
  std::map<std::tuple<bool, bool, std::vector<std::size_t>>, std::size_t> prepared;
  for (std::size_t p = 0; p < problems.size(); ++p) {
    const SvrSpec& spec = problems[p].spec;
    const auto [it, inserted] =
        prepared.try_emplace({spec.log10_target, spec.standardize, problems[p].rows}, p);
    if (inserted) {
      preps.push_back(detail::prepare_svr_problem(x_rowmajor, d, y, problems[p].rows, spec,
                                                  fmt::format("svr_fit_batch: problem {}", p)));
    } else {
      detail::SvrPrepared copy = preps[it->second];
      copy.gamma = detail::resolved_gamma(spec, copy.x_std, copy.n, d);
      preps.push_back(std::move(copy));
    }
  }
  return fit_prepared(ctx, preps, problems, {});
}

std::vector<double> svr_predict(const Context& ctx, const SvrModel& model,
                                std::span<const double> x_rowmajor, std::size_t n) {
  const std::size_t d = model.n_features;
  THERMEX_EXPECTS(d >= 1 && model.support_vectors.size() == model.n_support() * d &&
                      model.feature_means.size() == d && model.feature_scales.size() == d,
                  "svr_predict: inconsistent model");
  if (x_rowmajor.size() != n * d) {
    throw Error(fmt::format("svr_predict: x has {} values, expected n * d = {} * {}",
                            x_rowmajor.size(), n, d));
  }
  for (std::size_t e = 0; e < x_rowmajor.size(); ++e) {
    if (!std::isfinite(x_rowmajor[e])) {
      const std::size_t k = e % d;
      const std::string& name = k < model.feature_names.size() ? model.feature_names[k] : "";
      throw Error(fmt::format("svr_predict: row {}, feature {} ('{}') is {}; inputs must be finite",
                              e / d, k, name, x_rowmajor[e]));
    }
  }
  if (ctx.device() == Device::kCuda) {
    std::vector<double> out(n);
    cuda::svr_predict(ctx, model, x_rowmajor, n, out);
    return out;
  }
  const std::size_t n_sv = model.n_support();
  std::vector<double> out(n);
  if (n_sv == 0) {  // a model without support vectors predicts its intercept
    for (double& f : out)
      f = model.spec.log10_target ? std::pow(10.0, model.intercept) : model.intercept;
    return out;
  }
  std::vector<double> xs;
  for (std::size_t r0 = 0; r0 < n; r0 += kPredictChunkRows) {
    const std::size_t rows = std::min(kPredictChunkRows, n - r0);
    xs.assign(x_rowmajor.begin() + static_cast<std::ptrdiff_t>(r0 * d),
              x_rowmajor.begin() + static_cast<std::ptrdiff_t>((r0 + rows) * d));
    detail::apply_scaler(xs, d, model.feature_means, model.feature_scales);
    const std::span<double> f(out.data() + r0, rows);
    // sum_k dual_coef_k K(x, sv_k) without storing K; each row's sum runs in a fixed order
    // whatever the thread count or chunk (src/rbf_kernel_impl.hpp).
    cpu::rbf_kernel_weighted_sum(ctx, xs, rows, model.support_vectors, n_sv, d, model.gamma_value,
                                 model.dual_coef, f);
    // The sum first, then the intercept, then 10^f.
    for (double& v : f) {
      v += model.intercept;
      if (model.spec.log10_target) v = std::pow(10.0, v);
    }
  }
  return out;
}

}  // namespace thermex
