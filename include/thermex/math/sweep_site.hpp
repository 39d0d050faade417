#pragma once
/// \file
/// Per-point math of the composition sweeps, shared by the CPU twin (src/cpu/sweep_cpu.cpp) and
/// the CUDA featurize kernel (kernels/sweep_predict.cu): the simplex grid in lexicographic order
/// (unrank, rank, successor) and the TM-site composition and ion properties of a grid point.
///
/// Grid: k non-negative integer counts summing to m, fraction j = c_j / m, ordered
/// lexicographically ascending (index 0 = (0, ..., 0, m)). The number of points with a given
/// prefix is a binomial coefficient, so a point is unranked by a binary search per coordinate
/// and a whole chunk can start anywhere.

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "thermex/math/hd.hpp"
#include "thermex/math/site_composition.hpp"

namespace thermex::math {

/// Per-element TM-site ion properties of a sweep's elements (in sweep order), resolved once on
/// the host (make_sweep_plan). Under the pristine convention Ni is mixed-valence: its radius and
/// ionic potential depend on the composition and are recomputed per point from the Ni2+ and
/// Ni3+ (low spin) radii here, as thermex::tm_ion_properties does.
struct SweepSiteTable {
  int k = 0;                                      ///< elements (2..kMaxSiteElements)
  std::uint8_t z[kMaxSiteElements] = {};          ///< atomic numbers, sweep order
  double en[kMaxSiteElements] = {};               ///< Pauling electronegativity
  double radius_A[kMaxSiteElements] = {};         ///< Shannon radius (VI), Å
  double phi_per_A[kMaxSiteElements] = {};        ///< ionic potential charge / radius, Å^-1
  double pristine_charge[kMaxSiteElements] = {};  ///< oxidation state under kPristine
  bool pristine = false;      ///< the pristine convention (Ni mixed valence applies)
  double ni2_radius_A = 0.0;  ///< Ni2+ (VI) radius, Å (pristine only)
  double ni3_radius_A = 0.0;  ///< Ni3+ low-spin (VI) radius, Å (pristine only)
  double li = 1.0;            ///< Li per formula unit of every point
  std::uint32_t m = 1;        ///< grid divisions (fraction = count / m)
};

/// C(n, r) for 0 <= r <= 7 (0 when r > n). Exact when the result is below 2^60: every
/// intermediate res * (n - r + i) equals i * C(n - r + i, i) <= r * C(n, r) < 2^63. O(r).
THERMEX_HD inline std::uint64_t simplex_binomial(std::uint64_t n, std::uint32_t r) {
  if (r > n) return 0;
  std::uint64_t res = 1;
  for (std::uint32_t i = 1; i <= r; ++i) res = res * (n - r + i) / i;
  return res;
}

/// Unranks grid point `index` (< C(m + k - 1, k - 1)) into counts[0..k). For coordinate i with
/// `rem` left and r = k - 1 - i coordinates after it, the points with c_i < t number
/// C(rem + r, r) - C(rem - t + r, r) (hockey stick), so c_i is the largest t whose prefix count
/// does not exceed the index: a binary search over t. O(k^2 log m).
THERMEX_HD inline void simplex_unrank(int k, std::uint32_t m, std::uint64_t index,
                                      std::uint32_t* counts) {
  std::uint32_t rem = m;
  for (int i = 0; i + 1 < k; ++i) {
    const auto r = static_cast<std::uint32_t>(k - 1 - i);
    const std::uint64_t total = simplex_binomial(std::uint64_t{rem} + r, r);
    const std::uint64_t need = total - index;  // >= 1 while index is in range
    std::uint32_t lo = 0, hi = rem;            // invariant: C(rem - lo + r, r) >= need
    while (lo < hi) {
      const std::uint32_t mid = lo + (hi - lo + 1) / 2;
      if (simplex_binomial(std::uint64_t{rem - mid} + r, r) >= need) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    index -= total - simplex_binomial(std::uint64_t{rem - lo} + r, r);
    counts[i] = lo;
    rem -= lo;
  }
  counts[k - 1] = rem;
}

/// The index of counts[0..k) (sum m): the inverse of simplex_unrank. O(k^2).
THERMEX_HD inline std::uint64_t simplex_rank(int k, std::uint32_t m, const std::uint32_t* counts) {
  std::uint64_t index = 0;
  std::uint32_t rem = m;
  for (int i = 0; i + 1 < k; ++i) {
    const auto r = static_cast<std::uint32_t>(k - 1 - i);
    index += simplex_binomial(std::uint64_t{rem} + r, r) -
             simplex_binomial(std::uint64_t{rem - counts[i]} + r, r);
    rem -= counts[i];
  }
  return index;
}

/// Advances counts[0..k) to the next grid point in lexicographic order: the rightmost
/// coordinate i < k - 1 with a non-zero tail sum gains one, the coordinates between are
/// cleared and the last takes the rest. Returns false (counts unchanged) at the last point.
/// Amortized O(1).
THERMEX_HD inline bool simplex_next(int k, std::uint32_t* counts) {
  std::uint32_t tail = counts[k - 1];
  for (int i = k - 2; i >= 0; --i) {
    if (tail > 0) {
      counts[i] += 1;
      for (int j = i + 1; j + 1 < k; ++j) counts[j] = 0;
      counts[k - 1] = tail - 1;
      return true;
    }
    tail += counts[i];
  }
  return false;
}

/// The composition of grid point `counts` and its per-slot ion properties: elements with a
/// non-zero count in sweep order (a zero fraction is no element, as in parse_formula),
/// fraction = count / m, li = t.li, site_total = 1. Pristine Ni takes the charge-balancing
/// state s = ((4 - li) / site_total - sum_other f_k q_k) / f_Ni clamped to [2, 3] and the
/// (3 - s, s - 2) mixture of the Ni2+ and Ni3+ radius and ionic potential, the operations of
/// thermex::pristine_nickel_state and tm_ion_properties in the same order. O(k).
THERMEX_HD inline SiteComposition sweep_site_composition(const SweepSiteTable& t,
                                                         const std::uint32_t* counts, double* en,
                                                         double* radius_A, double* phi_per_A) {
  constexpr int kNickelZ = 28;
  SiteComposition c;
  c.li = t.li;
  c.site_total = 1.0;
  int src[kMaxSiteElements] = {};
  for (int e = 0; e < t.k; ++e) {
    if (counts[e] == 0) continue;
    c.z[c.count] = t.z[e];
    c.fraction[c.count] = static_cast<double>(counts[e]) / static_cast<double>(t.m);
    src[c.count] = e;
    ++c.count;
  }
  for (int s = 0; s < c.count; ++s) {
    const int e = src[s];
    en[s] = t.en[e];
    radius_A[s] = t.radius_A[e];
    phi_per_A[s] = t.phi_per_A[e];
    if (!t.pristine || c.z[s] != kNickelZ) continue;
    const double per_site = (4.0 - c.li) / c.site_total;
    double others = 0.0;
    for (int q = 0; q < c.count; ++q) {
      if (c.z[q] == kNickelZ) continue;
      others += c.fraction[q] * t.pristine_charge[src[q]];
    }
    double state = (per_site - others) / c.fraction[s];
    state = state < 2.0 ? 2.0 : (state > 3.0 ? 3.0 : state);
    const double w3 = state - 2.0;
    const double w2 = 1.0 - w3;
    radius_A[s] = w2 * t.ni2_radius_A + w3 * t.ni3_radius_A;
    phi_per_A[s] = w2 * (2.0 / t.ni2_radius_A) + w3 * (3.0 / t.ni3_radius_A);
  }
  return c;
}

/// The q-quantile (0 <= q <= 1) of `sorted[0..n)` (ascending, n >= 1) by linear interpolation
/// between order statistics at position q (n - 1): numpy's default ("linear") method. O(1).
THERMEX_HD inline double sweep_sorted_quantile(const double* sorted, std::size_t n, double q) {
  const double h = q * static_cast<double>(n - 1);
  const double below = floor(h);
  const auto lo = static_cast<std::size_t>(below);
  const std::size_t hi = lo + 1 < n ? lo + 1 : lo;
  return sorted[lo] + (h - below) * (sorted[hi] - sorted[lo]);
}

/// Mean and population standard deviation of v[0..n) (n >= 1), summed in index order (two
/// passes, so equal values give std exactly 0). Both backends call this, so the statistics do
/// not depend on the backend beyond FMA contraction. O(n).
THERMEX_HD inline void sweep_moments(const double* v, std::size_t n, double* mean,
                                     double* std_out) {
  double sum = 0.0;
  for (std::size_t b = 0; b < n; ++b) sum += v[b];
  const double mu = sum / static_cast<double>(n);
  double ss = 0.0;
  for (std::size_t b = 0; b < n; ++b) {
    const double dv = v[b] - mu;
    ss += dv * dv;
  }
  *mean = mu;
  *std_out = sqrt(ss / static_cast<double>(n));
}

}  // namespace thermex::math
