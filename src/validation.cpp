// Held-out validation series (validation.hpp): which records a series names, and the trend
// statistics (Pearson, Spearman with average ranks) and MAE of predicted vs observed.
#include "thermex/validation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "thermex/error.hpp"
#include "thermex/spearman.hpp"

namespace thermex {

double pearson_r(std::span<const double> x, std::span<const double> y) {
  if (x.size() != y.size()) {
    throw Error(fmt::format("pearson_r: {} x values for {} y values", x.size(), y.size()));
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::size_t n = x.size();
  if (n < 2) return nan;
  double mx = 0.0, my = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= static_cast<double>(n);
  my /= static_cast<double>(n);
  double sxy = 0.0, sxx = 0.0, syy = 0.0;  // centred second pass: no cancellation
  for (std::size_t i = 0; i < n; ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  if (!(sxx > 0.0) || !(syy > 0.0)) return nan;  // a constant side (or NaN input)
  // Clamp the rounding of |r| = 1 + ulp back into [-1, 1].
  return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
}

ValidationResult validate_series(std::string name, std::string target,
                                 std::vector<std::string> record_ids, std::vector<double> x,
                                 std::vector<double> observed, std::vector<double> predicted) {
  const std::size_t n = record_ids.size();
  if (x.size() != n || observed.size() != n || predicted.size() != n) {
    throw Error(
        fmt::format("validate_series '{}': {} record ids, {} x, {} observed, {} predicted values",
                    name, n, x.size(), observed.size(), predicted.size()));
  }
  ValidationResult v;
  std::vector<double> obs, pred;
  for (std::size_t i = 0; i < n; ++i) {
    if (std::isfinite(observed[i]) && std::isfinite(predicted[i])) {
      obs.push_back(observed[i]);
      pred.push_back(predicted[i]);
    }
  }
  v.n = obs.size();
  v.excluded = n - v.n;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  v.pearson = pearson_r(obs, pred);
  v.spearman = v.n < 2 ? nan : pearson_r(average_ranks(obs), average_ranks(pred));
  if (v.n == 0) {
    v.mae = nan;
  } else {
    double sum = 0.0;
    for (std::size_t i = 0; i < v.n; ++i) sum += std::fabs(obs[i] - pred[i]);
    v.mae = sum / static_cast<double>(v.n);
  }
  v.name = std::move(name);
  v.target = std::move(target);
  v.record_ids = std::move(record_ids);
  v.x = std::move(x);
  v.observed = std::move(observed);
  v.predicted = std::move(predicted);
  return v;
}

std::vector<std::size_t> series_rows(std::span<const DscRecord> records,
                                     const StudyValidationSeries& series) {
  const std::string key = "validation." + series.name;
  for (std::size_t i = 0; i < series.record_ids.size(); ++i) {
    const std::string& id = series.record_ids[i];
    const bool exists = std::any_of(records.begin(), records.end(),
                                    [&](const DscRecord& r) { return r.record_id == id; });
    if (!exists) {
      throw ConfigError(fmt::format("{}.record_ids[{}]", key, i),
                        fmt::format("no record has record_id '{}'", id));
    }
  }
  std::vector<std::size_t> rows;
  for (std::size_t r = 0; r < records.size(); ++r) {
    const DscRecord& rec = records[r];
    const bool by_source = std::find(series.sources.begin(), series.sources.end(),
                                     rec.source_doi) != series.sources.end();
    const bool by_id = std::find(series.record_ids.begin(), series.record_ids.end(),
                                 rec.record_id) != series.record_ids.end();
    if (by_source || by_id) rows.push_back(r);
  }
  if (rows.empty()) {
    throw ConfigError(key, fmt::format("no record matches the series ({} sources, {} record ids)",
                                       series.sources.size(), series.record_ids.size()));
  }
  return rows;
}

}  // namespace thermex
