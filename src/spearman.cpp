#include "thermex/spearman.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "thermex/error.hpp"

namespace thermex {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Centred ranks of one column and their sum of squares, so that a pair's rho is one dot
// product: rho = <a, b> / sqrt(|a|^2 |b|^2) (Pearson's r of the ranks).
struct CentredRanks {
  std::vector<double> values;
  double sum_sq = 0;
};

CentredRanks centre(std::vector<double> ranks) {
  CentredRanks c;
  // Two passes (mean, then deviations): the ranks are exact small numbers, so this is exact
  // up to the rounding of the mean.
  const double mean =
      std::accumulate(ranks.begin(), ranks.end(), 0.0) / static_cast<double>(ranks.size());
  for (double& r : ranks) {
    r -= mean;
    c.sum_sq += r * r;
  }
  c.values = std::move(ranks);
  return c;
}

double correlation(const CentredRanks& a, const CentredRanks& b) {
  if (!(a.sum_sq > 0) || !(b.sum_sq > 0)) return kNaN;  // a constant column has no ranking
  double dot = 0;
  for (std::size_t i = 0; i < a.values.size(); ++i) dot += a.values[i] * b.values[i];
  const double r = dot / std::sqrt(a.sum_sq * b.sum_sq);
  return std::clamp(r, -1.0, 1.0);  // rounding may step just outside [-1, 1]
}

bool has_nan(std::span<const double> v) {
  return std::any_of(v.begin(), v.end(), [](double x) { return std::isnan(x); });
}

}  // namespace

std::vector<double> average_ranks(std::span<const double> values) {
  std::vector<std::size_t> order;
  order.reserve(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isnan(values[i])) order.push_back(i);
  }
  // Stable so that equal values keep row order; their ranks are averaged anyway.
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size(), kNaN);
  std::size_t i = 0;
  while (i < order.size()) {
    std::size_t j = i + 1;
    while (j < order.size() && values[order[j]] == values[order[i]]) ++j;
    // Positions i..j-1 (0-based) share the mean 1-based rank (i + 1 + j) / 2.
    const double rank = 0.5 * static_cast<double>(i + 1 + j);
    for (std::size_t k = i; k < j; ++k) ranks[order[k]] = rank;
    i = j;
  }
  return ranks;
}

double spearman_rho(std::span<const double> x, std::span<const double> y, std::size_t* pair_count) {
  THERMEX_EXPECTS(x.size() == y.size(), "spearman_rho: columns of different lengths");
  std::vector<double> xs, ys;
  xs.reserve(x.size());
  ys.reserve(y.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (std::isnan(x[i]) || std::isnan(y[i])) continue;
    xs.push_back(x[i]);
    ys.push_back(y[i]);
  }
  if (pair_count) *pair_count = xs.size();
  if (xs.size() < kSpearmanMinPairs) return kNaN;
  return correlation(centre(average_ranks(xs)), centre(average_ranks(ys)));
}

SpearmanMatrix spearman_matrix(const Table& table) {
  const std::size_t n = table.cols();
  SpearmanMatrix m;
  m.n = n;
  m.rho.assign(n * n, kNaN);
  m.counts.assign(n * n, 0);
  // Columns without NaN are ranked once; the rest are ranked per pair (pairwise-complete).
  std::vector<char> complete(n);
  std::vector<CentredRanks> ranked(n);
  for (std::size_t j = 0; j < n; ++j) {
    complete[j] = has_nan(table.column(j)) ? 0 : 1;
    if (complete[j] && table.rows() > 0) ranked[j] = centre(average_ranks(table.column(j)));
  }
  const auto pairs = static_cast<std::int64_t>(n * n);
#pragma omp parallel for schedule(dynamic, 16)
  for (std::int64_t p = 0; p < pairs; ++p) {
    const auto i = static_cast<std::size_t>(p) / n;
    const auto j = static_cast<std::size_t>(p) % n;
    if (j < i) continue;  // the upper triangle is mirrored below
    std::size_t count = 0;
    double rho = kNaN;
    if (complete[i] && complete[j]) {
      count = table.rows();
      if (count >= kSpearmanMinPairs) rho = correlation(ranked[i], ranked[j]);
    } else {
      rho = spearman_rho(table.column(i), table.column(j), &count);
    }
    m.rho[i * n + j] = rho;
    m.counts[i * n + j] = static_cast<std::int64_t>(count);
  }
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      m.rho[i * n + j] = m.rho[j * n + i];
      m.counts[i * n + j] = m.counts[j * n + i];
    }
  }
  return m;
}

}  // namespace thermex
