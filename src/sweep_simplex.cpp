// The simplex grid of the composition sweeps: point counts, unranking and ranking in
// lexicographic order (the per-point math lives in math/sweep_site.hpp, shared with CUDA), and
// the composition of a grid point.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include <fmt/format.h>

#include "thermex/error.hpp"
#include "thermex/math/sweep_site.hpp"
#include "thermex/sweep.hpp"

namespace thermex {
namespace {

// Grids stay below 2^60 points so that math::simplex_binomial never overflows (its intermediates
// are at most (k - 1) times the count); 1e18 points are far beyond any sweep anyway.
constexpr std::uint64_t kMaxPoints = std::uint64_t{1} << 60;

void check_shape(std::size_t k, std::size_t m) {
  if (k < 1 || k > static_cast<std::size_t>(math::kMaxSiteElements)) {
    throw Error(
        fmt::format("simplex grid: {} elements (expected 1..{})", k, math::kMaxSiteElements));
  }
  if (m < 1 || m > std::numeric_limits<std::uint32_t>::max() / 2) {
    throw Error(fmt::format("simplex grid: {} divisions (expected 1..2^31)", m));
  }
}

}  // namespace

std::size_t simplex_point_count(std::size_t k, std::size_t m) {
  check_shape(k, m);
  // C(m + k - 1, k - 1) with an overflow check at every step: res * (n - r + i) is exact before
  // the division by i (it is i * C(n - r + i, i)).
  const std::uint64_t r = k - 1;
  const std::uint64_t n = m + k - 1;
  std::uint64_t res = 1;
  for (std::uint64_t i = 1; i <= r; ++i) {
    const std::uint64_t factor = n - r + i;
    if (res > (kMaxPoints - 1) * 8 / factor) {
      throw Error(
          fmt::format("simplex grid: {} elements at {} divisions exceed 2^60 points", k, m));
    }
    res = res * factor / i;
  }
  if (res >= kMaxPoints) {
    throw Error(fmt::format("simplex grid: {} elements at {} divisions exceed 2^60 points", k, m));
  }
  return static_cast<std::size_t>(res);
}

void simplex_point(std::size_t k, std::size_t m, std::size_t index,
                   std::span<std::uint32_t> counts) {
  const std::size_t n = simplex_point_count(k, m);
  THERMEX_EXPECTS(counts.size() == k, "simplex_point: counts must hold k values");
  if (index >= n) {
    throw Error(fmt::format("simplex_point: index {} out of range ({} points)", index, n));
  }
  math::simplex_unrank(static_cast<int>(k), static_cast<std::uint32_t>(m), index, counts.data());
}

std::size_t simplex_index(std::size_t m, std::span<const std::uint32_t> counts) {
  const std::size_t k = counts.size();
  simplex_point_count(k, m);  // validates k and m
  std::uint64_t sum = 0;
  for (const auto c : counts) sum += c;
  if (sum != m) {
    throw Error(fmt::format("simplex_index: counts sum to {}, expected {}", sum, m));
  }
  return static_cast<std::size_t>(
      math::simplex_rank(static_cast<int>(k), static_cast<std::uint32_t>(m), counts.data()));
}

std::size_t simplex_divisions(double step, std::string_view key) {
  if (!(std::isfinite(step) && step > 0.0 && step <= 1.0)) {
    throw ConfigError(std::string(key), fmt::format("step {} must be in (0, 1]", step));
  }
  const double inv = 1.0 / step;
  const double m = std::round(inv);
  if (std::fabs(inv - m) > 1e-9 * m || m > 1e9) {
    throw ConfigError(std::string(key),
                      fmt::format("1/step must be an integer (step {} gives {})", step, inv));
  }
  return static_cast<std::size_t>(m);
}

math::SiteComposition sweep_composition(const SweepSiteTable& site,
                                        std::span<const std::uint32_t> counts) {
  THERMEX_EXPECTS(counts.size() == static_cast<std::size_t>(site.k),
                  "sweep_composition: counts must hold k values");
  double en[math::kMaxSiteElements];
  double radius[math::kMaxSiteElements];
  double phi[math::kMaxSiteElements];
  return math::sweep_site_composition(site, counts.data(), en, radius, phi);
}

}  // namespace thermex
