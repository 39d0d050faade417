// Feature-significance dynamics across stages: normalized mean |SHAP|, top players per stage and
// the increasing / decreasing / non-monotone classification with replica confidence.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "thermex/error.hpp"
#include "thermex/shap.hpp"

namespace thermex {
namespace {

// Each stage's row divided by its sum; `what` names the matrix in errors.
std::vector<double> normalize_stages(std::span<const double> m, std::size_t stages,
                                     std::size_t players, const std::string& what) {
  std::vector<double> out(m.begin(), m.end());
  for (std::size_t s = 0; s < stages; ++s) {
    double sum = 0.0;
    for (std::size_t p = 0; p < players; ++p) {
      const double v = m[s * players + p];
      if (!std::isfinite(v) || v < 0.0) {
        throw Error(
            fmt::format("shap_dynamics: {} stage {}, player {} is {}; mean |SHAP| must "
                        "be finite and >= 0",
                        what, s, p, v));
      }
      sum += v;
    }
    if (!(sum > 0.0)) throw Error(fmt::format("shap_dynamics: {} stage {} sums to 0", what, s));
    for (std::size_t p = 0; p < players; ++p) out[s * players + p] /= sum;
  }
  return out;
}

ShapTrend classify(const std::vector<double>& norm, std::size_t stages, std::size_t players,
                   std::size_t p) {
  bool up = true, down = true;
  for (std::size_t s = 1; s < stages; ++s) {
    const double prev = norm[(s - 1) * players + p], cur = norm[s * players + p];
    up = up && cur > prev;
    down = down && cur < prev;
  }
  return up ? ShapTrend::kIncreasing : down ? ShapTrend::kDecreasing : ShapTrend::kNonMonotone;
}

}  // namespace

std::string_view to_string(ShapTrend trend) noexcept {
  switch (trend) {
    case ShapTrend::kIncreasing:
      return "increasing";
    case ShapTrend::kDecreasing:
      return "decreasing";
    case ShapTrend::kNonMonotone:
      return "non-monotone";
  }
  return "non-monotone";
}

ShapDynamics shap_dynamics(std::span<const double> mean_abs, std::size_t stages,
                           std::size_t players, std::size_t top_k, std::span<const double> replicas,
                           std::size_t n_replicas) {
  if (stages < 2) throw Error("shap_dynamics: need at least 2 stages");
  if (players == 0) throw Error("shap_dynamics: no players");
  if (mean_abs.size() != stages * players) {
    throw Error(fmt::format("shap_dynamics: {} values for {} stages x {} players", mean_abs.size(),
                            stages, players));
  }
  if (replicas.size() != n_replicas * stages * players) {
    throw Error(fmt::format("shap_dynamics: {} replica values for {} replicas of {} x {}",
                            replicas.size(), n_replicas, stages, players));
  }
  ShapDynamics d;
  d.stages = stages;
  d.players = players;
  d.normalized = normalize_stages(mean_abs, stages, players, "mean_abs");
  d.top_k = std::min(top_k, players);
  std::vector<std::size_t> order(players);
  for (std::size_t s = 0; s < stages; ++s) {
    std::iota(order.begin(), order.end(), std::size_t{0});
    const double* row = d.normalized.data() + s * players;
    std::stable_sort(order.begin(), order.end(),
                     [row](std::size_t a, std::size_t b) { return row[a] > row[b]; });
    d.top.insert(d.top.end(), order.begin(), order.begin() + static_cast<std::ptrdiff_t>(d.top_k));
  }
  for (std::size_t p = 0; p < players; ++p)
    d.trend.push_back(classify(d.normalized, stages, players, p));
  d.confidence.assign(players, 1.0);
  if (n_replicas > 0) {
    std::vector<std::size_t> agree(players, 0);
    const std::size_t size = stages * players;
    for (std::size_t r = 0; r < n_replicas; ++r) {
      const std::vector<double> norm = normalize_stages(replicas.subspan(r * size, size), stages,
                                                        players, fmt::format("replica {}", r));
      for (std::size_t p = 0; p < players; ++p) {
        if (classify(norm, stages, players, p) == d.trend[p]) ++agree[p];
      }
    }
    for (std::size_t p = 0; p < players; ++p) {
      d.confidence[p] = static_cast<double>(agree[p]) / static_cast<double>(n_replicas);
    }
  }
  return d;
}

}  // namespace thermex
