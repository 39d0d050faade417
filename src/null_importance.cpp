#include "thermex/null_importance.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "null_importance_impl.hpp"
#include "thermex/error.hpp"
#include "thermex/math/philox.hpp"

namespace thermex {
namespace {

void validate(const NullImportanceOptions& o) {
  if (o.shuffles < 1) throw ConfigError("shuffles", "must be >= 1");
  if (!(o.quantile >= 0.0 && o.quantile <= 1.0)) {
    throw ConfigError("quantile", "must be in [0, 1], got " + std::to_string(o.quantile));
  }
  validate(o.forest);
}

// Per feature: the null quantile, the p-value and the decision from the filled importances.
void decide(NullImportanceResult& r) {
  const std::size_t d = r.features.size();
  r.null_quantile.assign(d, 0.0);
  r.p_value.assign(d, 0.0);
  r.keep.assign(d, 0);
  std::vector<double> column(r.shuffles);
  for (std::size_t f = 0; f < d; ++f) {
    std::size_t at_least = 0;
    for (std::size_t s = 0; s < r.shuffles; ++s) {
      column[s] = r.null_at(s, f);
      if (column[s] >= r.actual[f]) ++at_least;
    }
    r.null_quantile[f] = quantile_linear(column, r.quantile);
    r.p_value[f] = static_cast<double>(1 + at_least) / static_cast<double>(r.shuffles + 1);
    r.keep[f] = r.actual[f] >= r.null_quantile[f] && r.actual[f] > 0 ? 1 : 0;
  }
}

// The K + 1 forests on the GPU (one launch): the permutations are drawn here with the CPU's
// shuffle_permutation, so both backends fit the same targets.
void fit_all_cuda(const Context& ctx, const BinnedFeatures& features, std::span<const double> y,
                  const NullImportanceOptions& options, NullImportanceResult& r) {
  const std::size_t n = y.size(), d = features.cols, fits = r.shuffles + 1;
  std::vector<std::uint32_t> perms(r.shuffles * n);
#pragma omp parallel for schedule(static)
  for (std::int64_t s = 0; s < static_cast<std::int64_t>(r.shuffles); ++s) {
    const auto perm = shuffle_permutation(n, ctx.seed(), static_cast<std::uint64_t>(s));
    for (std::size_t i = 0; i < n; ++i) {
      perms[static_cast<std::size_t>(s) * n + i] = static_cast<std::uint32_t>(perm[i]);
    }
  }
  std::vector<double> importance(fits * d);
  cuda::null_forest_importances(ctx, features, y, perms, fits, options.forest, ctx.seed(),
                                importance);
  r.actual.assign(importance.begin(), importance.begin() + static_cast<std::ptrdiff_t>(d));
  std::copy(importance.begin() + static_cast<std::ptrdiff_t>(d), importance.end(), r.null.begin());
  if (options.progress) options.progress(fits, fits);
}

// The K + 1 forests on the CPU, parallel over fits.
void fit_all_cpu(const Context& ctx, const BinnedFeatures& features, std::span<const double> y,
                 const NullImportanceOptions& options, NullImportanceResult& r) {
  const std::size_t d = features.cols;
  const auto items = static_cast<std::int64_t>(r.shuffles + 1);
  // Item 0 is the real target (fit 0); item s + 1 is shuffle s (fit s + 1). Exceptions may not
  // leave an OpenMP region, so the first message is kept and rethrown after it.
  std::string failure;
  std::size_t done = 0;
#pragma omp parallel for schedule(dynamic, 1)
  for (std::int64_t item = 0; item < items; ++item) {
    try {
      const auto fit = static_cast<std::uint64_t>(item);
      std::vector<double> target(y.begin(), y.end());
      if (fit > 0) {
        const auto perm = shuffle_permutation(y.size(), ctx.seed(), fit - 1);
        for (std::size_t i = 0; i < y.size(); ++i) target[i] = y[perm[i]];
      }
      auto importance = forest_gain_importance(features, target, options.forest, ctx.seed(), fit);
      if (fit == 0) {
        r.actual = std::move(importance);
      } else {
        std::copy(importance.begin(), importance.end(),
                  r.null.begin() + (item - 1) * static_cast<std::int64_t>(d));
      }
      if (options.progress) {
#pragma omp critical(thermex_null_importance_progress)
        options.progress(++done, r.shuffles + 1);
      }
    } catch (const std::exception& e) {
#pragma omp critical(thermex_null_importance_failure)
      if (failure.empty()) failure = e.what();
    }
  }
  if (!failure.empty()) throw Error("null importance: " + failure);
}

}  // namespace

double quantile_linear(std::span<const double> values, double q) {
  THERMEX_EXPECTS(!values.empty(), "quantile of an empty set");
  THERMEX_EXPECTS(q >= 0.0 && q <= 1.0, "quantile level outside [0, 1]");
  std::vector<double> v(values.begin(), values.end());
  std::sort(v.begin(), v.end());
  const double h = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  if (lo + 1 >= v.size()) return v.back();
  return v[lo] + (h - static_cast<double>(lo)) * (v[lo + 1] - v[lo]);
}

std::vector<std::size_t> shuffle_permutation(std::size_t n, std::uint64_t seed, std::uint64_t s) {
  std::vector<std::size_t> p(n);
  for (std::size_t i = 0; i < n; ++i) p[i] = i;
  math::PhiloxStream rng(seed, math::RngPurpose::kShuffle, s);
  for (std::size_t i = n; i-- > 1;) {
    const auto j = static_cast<std::size_t>(rng.below(i + 1));
    std::swap(p[i], p[j]);
  }
  return p;
}

NullImportanceResult null_importance(const Context& ctx, const BinnedFeatures& features,
                                     std::span<const double> y,
                                     const NullImportanceOptions& options) {
  validate(options);
  THERMEX_EXPECTS(y.size() == features.rows, "null importance: target length differs");
  THERMEX_EXPECTS(features.rows >= 1 && features.cols >= 1, "null importance: no rows or features");
  // Checked here once rather than K + 1 times inside the parallel region.
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y[i]))
      throw Error("null importance: target not finite at row " + std::to_string(i));
  }
  NullImportanceResult r;
  r.features = features.names;
  r.shuffles = static_cast<std::size_t>(options.shuffles);
  r.quantile = options.quantile;
  r.null.assign(r.shuffles * features.cols, 0.0);
  if (ctx.device() == Device::kCuda) {
    fit_all_cuda(ctx, features, y, options, r);
  } else {
    fit_all_cpu(ctx, features, y, options, r);
  }
  decide(r);
  return r;
}

}  // namespace thermex
