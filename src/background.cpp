// k-means summary of a SHAP background (background.hpp): the best of n_init k-means++ starts
// drawn from one Philox stream, Lloyd iterations with serial, row-ordered sums (so no thread count
// can change the bytes), weights = cluster sizes / n.
#include "thermex/background.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "thermex/error.hpp"
#include "thermex/math/philox.hpp"

namespace thermex {
namespace {

void check_rows(std::span<const double> x, std::size_t n, std::size_t d, const char* who) {
  if (n == 0 || d == 0)
    throw Error(fmt::format("{}: need n >= 1 and d >= 1 (got {} x {})", who, n, d));
  if (x.size() != n * d) {
    throw Error(fmt::format("{}: {} values for {} x {} rows", who, x.size(), n, d));
  }
  for (std::size_t e = 0; e < x.size(); ++e) {
    if (!std::isfinite(x[e])) {
      throw Error(fmt::format("{}: row {}, column {} is {}; values must be finite", who, e / d,
                              e % d, x[e]));
    }
  }
}

// Rows divided by the per-column scales (the space distances are measured in).
std::vector<double> scaled_rows(std::span<const double> x, std::size_t n, std::size_t d,
                                const std::vector<double>& scales) {
  std::vector<double> z(x.begin(), x.end());
  if (scales.empty()) return z;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < d; ++j) z[i * d + j] /= scales[j];
  }
  return z;
}

double sq_dist(const double* a, const double* b, std::size_t d) {
  double s = 0.0;
  for (std::size_t j = 0; j < d; ++j) s += (a[j] - b[j]) * (a[j] - b[j]);
  return s;
}

// k-means++: the first centre uniform, each next one with probability proportional to the
// squared distance to the nearest chosen centre. When every row coincides with a chosen centre
// (fewer distinct rows than k) the remaining centres repeat row 0's nearest; those clusters end
// empty and are dropped.
std::vector<double> kmeanspp(const std::vector<double>& z, std::size_t n, std::size_t d,
                             std::size_t k, math::PhiloxStream& rng) {
  std::vector<double> centres;
  centres.reserve(k * d);
  std::size_t first = static_cast<std::size_t>(rng.below(n));
  centres.insert(centres.end(), z.begin() + static_cast<std::ptrdiff_t>(first * d),
                 z.begin() + static_cast<std::ptrdiff_t>((first + 1) * d));
  std::vector<double> nearest(n);
  for (std::size_t i = 0; i < n; ++i) nearest[i] = sq_dist(&z[i * d], &centres[0], d);
  for (std::size_t c = 1; c < k; ++c) {
    double total = 0.0;
    for (double v : nearest) total += v;
    std::size_t pick = 0;
    const double r = rng.uniform() * total;  // draw even when total == 0: fixed stream layout
    if (total > 0.0) {
      double cum = 0.0;
      pick = n;  // rounding guard below
      for (std::size_t i = 0; i < n; ++i) {
        cum += nearest[i];
        if (nearest[i] > 0.0 && r < cum) {
          pick = i;
          break;
        }
      }
      if (pick == n) {  // r landed on the rounding tail: take the last row with mass
        for (std::size_t i = n; i-- > 0;) {
          if (nearest[i] > 0.0) {
            pick = i;
            break;
          }
        }
      }
    }
    const double* row = &z[pick * d];
    centres.insert(centres.end(), row, row + d);
    for (std::size_t i = 0; i < n; ++i) {
      nearest[i] = std::min(nearest[i], sq_dist(&z[i * d], row, d));
    }
  }
  return centres;
}

// Nearest centroid of every row (ties to the lower index); returns whether any label changed.
bool assign(const std::vector<double>& z, std::size_t n, std::size_t d,
            const std::vector<double>& centres, std::size_t k, std::vector<std::size_t>& label) {
  bool changed = false;
  const auto count = static_cast<std::ptrdiff_t>(n);
  // Rows are independent and each writes its own slot: any schedule gives the same labels.
#pragma omp parallel for schedule(static) reduction(|| : changed)
  for (std::ptrdiff_t r = 0; r < count; ++r) {
    const auto i = static_cast<std::size_t>(r);
    std::size_t best = 0;
    double best_d = sq_dist(&z[i * d], &centres[0], d);
    for (std::size_t c = 1; c < k; ++c) {
      const double dc = sq_dist(&z[i * d], &centres[c * d], d);
      if (dc < best_d) {
        best_d = dc;
        best = c;
      }
    }
    if (label[i] != best) {
      label[i] = best;
      changed = true;
    }
  }
  return changed;
}

// Centroids as the means of their rows (serial, row order). An empty cluster takes the row
// farthest from its own centroid (ties to the lower row) so that k clusters stay in play.
void update(const std::vector<double>& z, std::size_t n, std::size_t d, std::size_t k,
            std::vector<std::size_t>& label, std::vector<double>& centres,
            std::vector<std::size_t>& size) {
  std::fill(centres.begin(), centres.end(), 0.0);
  std::fill(size.begin(), size.end(), 0);
  for (std::size_t i = 0; i < n; ++i) {
    ++size[label[i]];
    for (std::size_t j = 0; j < d; ++j) centres[label[i] * d + j] += z[i * d + j];
  }
  for (std::size_t c = 0; c < k; ++c) {
    if (size[c] == 0) continue;
    for (std::size_t j = 0; j < d; ++j) centres[c * d + j] /= static_cast<double>(size[c]);
  }
  for (std::size_t c = 0; c < k; ++c) {
    if (size[c] != 0) continue;
    std::size_t far = n;
    double far_d = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      if (size[label[i]] < 2) continue;  // do not empty another cluster
      const double di = sq_dist(&z[i * d], &centres[label[i] * d], d);
      if (di > far_d) {
        far_d = di;
        far = i;
      }
    }
    if (far == n) continue;  // every row sits on its centroid: nothing to split
    const std::size_t old = label[far];
    for (std::size_t j = 0; j < d; ++j) {  // remove the row from its old mean
      const double v = z[far * d + j];
      const auto s = static_cast<double>(size[old]);
      centres[old * d + j] = (centres[old * d + j] * s - v) / (s - 1.0);
      centres[c * d + j] = v;
    }
    --size[old];
    size[c] = 1;
    label[far] = c;
  }
}

// Lloyd iterations from `centres` until no label changes or max_iter; returns the labels.
std::vector<std::size_t> lloyd(const std::vector<double>& z, std::size_t n, std::size_t d,
                               std::size_t k, std::vector<double> centres, std::size_t max_iter) {
  std::vector<std::size_t> label(n, k), size(k, 0);  // label k: not yet assigned
  for (std::size_t it = 0; it < max_iter; ++it) {
    if (!assign(z, n, d, centres, k, label)) break;
    update(z, n, d, k, label, centres, size);
  }
  return label;
}

// Within-cluster sum of squares of `label` (centroids recomputed; serial, row order).
double inertia(const std::vector<double>& z, std::size_t n, std::size_t d, std::size_t k,
               const std::vector<std::size_t>& label) {
  std::vector<double> mean(k * d, 0.0);
  std::vector<std::size_t> size(k, 0);
  for (std::size_t i = 0; i < n; ++i) {
    ++size[label[i]];
    for (std::size_t j = 0; j < d; ++j) mean[label[i] * d + j] += z[i * d + j];
  }
  for (std::size_t c = 0; c < k; ++c) {
    for (std::size_t j = 0; j < d && size[c] > 0; ++j) {
      mean[c * d + j] /= static_cast<double>(size[c]);
    }
  }
  double sse = 0.0;
  for (std::size_t i = 0; i < n; ++i) sse += sq_dist(&z[i * d], &mean[label[i] * d], d);
  return sse;
}

// Each coordinate to the nearest observed value of its column (ties to the smaller value).
void round_to_data(std::span<const double> x, std::size_t n, std::size_t d,
                   std::vector<double>& rows, std::size_t k_out) {
  std::vector<double> col(n);
  for (std::size_t j = 0; j < d; ++j) {
    for (std::size_t i = 0; i < n; ++i) col[i] = x[i * d + j];
    std::sort(col.begin(), col.end());
    for (std::size_t c = 0; c < k_out; ++c) {
      double& v = rows[c * d + j];
      const auto it = std::lower_bound(col.begin(), col.end(), v);
      if (it == col.end()) {
        v = col.back();
      } else if (it != col.begin() && (v - *(it - 1)) <= (*it - v)) {
        v = *(it - 1);
      } else {
        v = *it;
      }
    }
  }
}

}  // namespace

WeightedBackground uniform_background(std::span<const double> x_rowmajor, std::size_t n,
                                      std::size_t d) {
  if (n == 0 || x_rowmajor.size() != n * d) {
    throw Error(
        fmt::format("uniform_background: {} values for {} x {} rows", x_rowmajor.size(), n, d));
  }
  WeightedBackground bg;
  bg.rows.assign(x_rowmajor.begin(), x_rowmajor.end());
  bg.n = n;
  bg.d = d;
  bg.weights.assign(n, 1.0 / static_cast<double>(n));
  return bg;
}

WeightedBackground kmeans_background(std::span<const double> x_rowmajor, std::size_t n,
                                     std::size_t d, std::size_t k, std::uint64_t seed,
                                     const KmeansOptions& options) {
  check_rows(x_rowmajor, n, d, "kmeans_background");
  if (k == 0) throw Error("kmeans_background: k must be >= 1");
  if (options.max_iter == 0) throw Error("kmeans_background: max_iter must be >= 1");
  if (options.n_init == 0) throw Error("kmeans_background: n_init must be >= 1");
  if (!options.scales.empty()) {
    if (options.scales.size() != d) {
      throw Error(
          fmt::format("kmeans_background: {} scales for {} columns", options.scales.size(), d));
    }
    for (std::size_t j = 0; j < d; ++j) {
      if (!(options.scales[j] > 0.0) || !std::isfinite(options.scales[j])) {
        throw Error(fmt::format("kmeans_background: scale of column {} is {}; need finite > 0", j,
                                options.scales[j]));
      }
    }
  }
  if (k >= n) return uniform_background(x_rowmajor, n, d);

  const std::vector<double> z = scaled_rows(x_rowmajor, n, d, options.scales);
  math::PhiloxStream rng(seed, math::RngPurpose::kBackground, 0);
  std::vector<std::size_t> label;
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t start = 0; start < options.n_init; ++start) {
    std::vector<std::size_t> start_label =
        lloyd(z, n, d, k, kmeanspp(z, n, d, k, rng), options.max_iter);
    const double sse = inertia(z, n, d, k, start_label);
    if (sse < best || label.empty()) {  // strict: ties keep the earlier start
      best = sse;
      label = std::move(start_label);
    }
  }
  // Means in the input units from the final labels (serial, row order).
  WeightedBackground bg;
  bg.d = d;
  std::vector<double> sums(k * d, 0.0);
  std::vector<std::size_t> size(k, 0);
  for (std::size_t i = 0; i < n; ++i) {
    ++size[label[i]];
    for (std::size_t j = 0; j < d; ++j) sums[label[i] * d + j] += x_rowmajor[i * d + j];
  }
  for (std::size_t c = 0; c < k; ++c) {
    if (size[c] == 0) continue;
    for (std::size_t j = 0; j < d; ++j) {
      bg.rows.push_back(sums[c * d + j] / static_cast<double>(size[c]));
    }
    bg.weights.push_back(static_cast<double>(size[c]) / static_cast<double>(n));
    ++bg.n;
  }
  if (options.round_values) round_to_data(x_rowmajor, n, d, bg.rows, bg.n);
  return bg;
}

}  // namespace thermex
