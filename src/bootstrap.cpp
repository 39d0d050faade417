// Bootstrap resamples, per-column summaries and batched SVR refits with out-of-bag metrics
// (bootstrap.hpp). Every draw of replica b comes from PhiloxStream(seed, kBootstrap, b), so a
// block of replicas computes what a single run computes for those ids.
#include "thermex/bootstrap.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "thermex/error.hpp"
#include "thermex/math/philox.hpp"
#include "thermex/null_importance.hpp"

namespace thermex {

std::vector<std::size_t> bootstrap_sample(std::size_t n, std::uint64_t seed, std::size_t replica) {
  if (n == 0) throw Error("bootstrap_sample: n must be >= 1");
  math::PhiloxStream rng(seed, math::RngPurpose::kBootstrap, replica);
  std::vector<std::size_t> rows(n);
  for (std::size_t& r : rows) r = static_cast<std::size_t>(rng.below(n));
  return rows;
}

std::vector<std::size_t> out_of_bag_rows(std::span<const std::size_t> sample, std::size_t n) {
  std::vector<char> drawn(n, 0);
  for (std::size_t r : sample) {
    if (r >= n) throw Error(fmt::format("out_of_bag_rows: sample entry {} >= n = {}", r, n));
    drawn[r] = 1;
  }
  std::vector<std::size_t> oob;
  for (std::size_t i = 0; i < n; ++i) {
    if (drawn[i] == 0) oob.push_back(i);
  }
  return oob;
}

BootstrapSummary bootstrap_summary(std::span<const double> matrix, std::size_t replicas,
                                   std::size_t columns, double ci) {
  if (replicas == 0 || columns == 0) {
    throw Error(fmt::format("bootstrap_summary: need replicas, columns >= 1 (got {} x {})",
                            replicas, columns));
  }
  if (matrix.size() != replicas * columns) {
    throw Error(
        fmt::format("bootstrap_summary: {} values for {} x {}", matrix.size(), replicas, columns));
  }
  if (!(ci > 0.0 && ci < 1.0)) {
    throw Error(fmt::format("bootstrap_summary: ci must be in (0, 1), got {}", ci));
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  BootstrapSummary s;
  s.replicas = replicas;
  s.columns = columns;
  s.ci = ci;
  s.mean.assign(columns, nan);
  s.std.assign(columns, nan);
  s.low.assign(columns, nan);
  s.high.assign(columns, nan);
  std::vector<double> col(replicas);
  const auto b = static_cast<double>(replicas);
  for (std::size_t c = 0; c < columns; ++c) {
    bool has_nan = false;
    double sum = 0.0;
    for (std::size_t r = 0; r < replicas; ++r) {
      col[r] = matrix[r * columns + c];
      has_nan = has_nan || std::isnan(col[r]);
      sum += col[r];
    }
    s.mean[c] = sum / b;
    if (replicas >= 2) {
      double ss = 0.0;  // two passes: no cancellation
      for (double v : col) ss += (v - s.mean[c]) * (v - s.mean[c]);
      s.std[c] = std::sqrt(ss / (b - 1.0));
    }
    if (has_nan) continue;  // quantiles of a column with NaN are undefined: keep NaN
    s.low[c] = quantile_linear(col, (1.0 - ci) / 2.0);
    s.high[c] = quantile_linear(col, (1.0 + ci) / 2.0);
  }
  return s;
}

BootstrapFits bootstrap_svr(const Context& ctx, std::span<const double> x_rowmajor, std::size_t n,
                            std::size_t d, std::span<const double> y, const SvrSpec& spec,
                            std::size_t first_replica, std::size_t count,
                            std::vector<std::string> feature_names) {
  if (count == 0) throw Error("bootstrap_svr: count must be >= 1");
  if (n == 0) throw Error("bootstrap_svr: no training rows");
  if (!feature_names.empty() && feature_names.size() != d) {
    throw Error(fmt::format("bootstrap_svr: {} feature names for d = {}", feature_names.size(), d));
  }
  std::vector<SvrProblem> problems(count);
  for (std::size_t i = 0; i < count; ++i) {
    problems[i].rows = bootstrap_sample(n, ctx.seed(), first_replica + i);
    problems[i].spec = spec;
  }
  BootstrapFits fits;
  fits.first_replica = first_replica;
  fits.models = svr_fit_batch(ctx, x_rowmajor, n, d, y, problems);
  fits.oob.resize(count);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> xo, yo;
  for (std::size_t i = 0; i < count; ++i) {
    // svr_fit_batch leaves the names empty; svr_fit would have set them.
    fits.models[i].feature_names =
        feature_names.empty() ? std::vector<std::string>(d) : feature_names;
    const std::vector<std::size_t> oob = out_of_bag_rows(problems[i].rows, n);
    if (oob.empty()) {
      fits.oob[i] = RegressionMetrics{nan, nan, nan, 0};
      continue;
    }
    xo.resize(oob.size() * d);
    yo.resize(oob.size());
    for (std::size_t r = 0; r < oob.size(); ++r) {
      for (std::size_t j = 0; j < d; ++j) xo[r * d + j] = x_rowmajor[oob[r] * d + j];
      yo[r] = y[oob[r]];
    }
    const std::vector<double> pred = svr_predict(ctx, fits.models[i], xo, oob.size());
    fits.oob[i] = regression_metrics(yo, pred);
  }
  return fits;
}

}  // namespace thermex
