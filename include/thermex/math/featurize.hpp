#pragma once
/// \file
/// Composition features of one SiteComposition: element contents and statistics of per-ion
/// properties (electronegativity, ionic radius, ionic potential) over the TM sublattice.
/// Compiled for host and device: the CPU feature builder and the CUDA composition sweeps call
/// exactly these functions. No allocation, no std containers, no exceptions.
///
/// Per-slot properties are resolved on the host (thermex::resolve_site_properties in
/// features.hpp), because they depend on the element tables and the oxidation convention.
/// data/FEATURES.md defines every output.

#include <cmath>
#include <limits>

#include "thermex/math/hd.hpp"
#include "thermex/math/site_composition.hpp"

namespace thermex::math {

/// Properties of the ion in each TM-site slot of a SiteComposition (slot k <-> c.z[k]).
struct SiteProperties {
  double en[kMaxSiteElements] = {};         ///< Pauling electronegativity
  double radius_A[kMaxSiteElements] = {};   ///< Shannon ionic radius (VI), Å
  double phi_per_A[kMaxSiteElements] = {};  ///< ionic potential charge/radius, Å^-1
};

// Index of each statistic in the output of site_property_stats(). Plain int constants (not an
// enum) so that block offsets and statistic indices add without casts.
inline constexpr int kStatWmean = 0;  ///< fraction-weighted mean, sum_k w_k p_k
inline constexpr int kStatWstd =
    1;  ///< fraction-weighted population std, sqrt(sum_k w_k (p_k - wmean)^2)
inline constexpr int kStatMean = 2;   ///< unweighted mean over the elements present
inline constexpr int kStatStd = 3;    ///< unweighted population std over the elements present (/n)
inline constexpr int kStatMin = 4;    ///< smallest p_k
inline constexpr int kStatMax = 5;    ///< largest p_k
inline constexpr int kStatRange = 6;  ///< max - min
inline constexpr int kSiteStatCount = 7;  ///< number of statistics per property

// Index of each output of featurize_site(). Contents are amounts per formula unit; the three
// property blocks hold the kSiteStatCount statistics in the order above.
inline constexpr int kFeatNi = 0;       ///< Ni per formula unit (TM fraction x site_total)
inline constexpr int kFeatCo = 1;       ///< Co per formula unit
inline constexpr int kFeatMn = 2;       ///< Mn per formula unit
inline constexpr int kFeatAl = 3;       ///< Al per formula unit
inline constexpr int kFeatLi = 4;       ///< pristine Li per formula unit (SiteComposition::li)
inline constexpr int kFeatEnFirst = 5;  ///< first electronegativity statistic
inline constexpr int kFeatRadiusFirst = kFeatEnFirst + kSiteStatCount;   ///< first radius statistic
inline constexpr int kFeatPhiFirst = kFeatRadiusFirst + kSiteStatCount;  ///< first phi statistic
inline constexpr int kCompositionFeatureCount = kFeatPhiFirst + kSiteStatCount;  ///< outputs

/// Statistics of `prop[0..c.count)` over the TM sublattice with the site fractions as weights,
/// written to out[0..kSiteStatCount) in kStat* order. Weights are divided by their sum (1 by
/// the SiteComposition invariant) so a sweep that perturbs fractions stays a weighted mean. Two
/// passes (mean, then squared deviations) so a single element gives std exactly 0. All outputs
/// are NaN when c.count <= 0. Cost O(count).
THERMEX_HD inline void site_property_stats(const SiteComposition& c, const double* prop,
                                           double* out) {
  const int n = c.count < kMaxSiteElements ? c.count : kMaxSiteElements;
  if (n <= 0) {
    for (int s = 0; s < kSiteStatCount; ++s) out[s] = std::numeric_limits<double>::quiet_NaN();
    return;
  }
  double wsum = 0.0, wmean = 0.0, mean = 0.0;
  double lo = prop[0], hi = prop[0];
  for (int k = 0; k < n; ++k) {
    wsum += c.fraction[k];
    wmean += c.fraction[k] * prop[k];
    mean += prop[k];
    lo = prop[k] < lo ? prop[k] : lo;
    hi = prop[k] > hi ? prop[k] : hi;
  }
  wmean /= wsum;
  mean /= static_cast<double>(n);
  double wvar = 0.0, var = 0.0;
  for (int k = 0; k < n; ++k) {
    const double dw = prop[k] - wmean;
    const double du = prop[k] - mean;
    wvar += c.fraction[k] * dw * dw;
    var += du * du;
  }
  out[kStatWmean] = wmean;
  out[kStatWstd] = sqrt(wvar / wsum);
  out[kStatMean] = mean;
  out[kStatStd] = sqrt(var / static_cast<double>(n));
  out[kStatMin] = lo;
  out[kStatMax] = hi;
  out[kStatRange] = hi - lo;
}

/// All composition features of `c` with the per-slot properties `p`, written to
/// out[0..kCompositionFeatureCount) in kFeat* order. Contents are branch-free sums
/// over the slots (an absent element gives 0). Cost O(count).
THERMEX_HD inline void featurize_site(const SiteComposition& c, const SiteProperties& p,
                                      double* out) {
  constexpr int kNi = 28, kCo = 27, kMn = 25, kAl = 13;
  const int n = c.count < kMaxSiteElements ? c.count : kMaxSiteElements;
  double ni = 0.0, co = 0.0, mn = 0.0, al = 0.0;
  for (int k = 0; k < n; ++k) {
    const double amount = c.fraction[k] * c.site_total;
    ni += (c.z[k] == kNi) ? amount : 0.0;
    co += (c.z[k] == kCo) ? amount : 0.0;
    mn += (c.z[k] == kMn) ? amount : 0.0;
    al += (c.z[k] == kAl) ? amount : 0.0;
  }
  out[kFeatNi] = ni;
  out[kFeatCo] = co;
  out[kFeatMn] = mn;
  out[kFeatAl] = al;
  out[kFeatLi] = c.li;
  site_property_stats(c, p.en, out + kFeatEnFirst);
  site_property_stats(c, p.radius_A, out + kFeatRadiusFirst);
  site_property_stats(c, p.phi_per_A, out + kFeatPhiFirst);
}

}  // namespace thermex::math
