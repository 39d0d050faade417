#pragma once
/// \file
/// SiteComposition: a fixed-size, allocation-free description of one cathode composition that
/// host and device code share (the composition sweeps featurize millions of these on the GPU).

#include <cstdint>

#include "thermex/math/hd.hpp"

namespace thermex::math {

/// Most distinct elements on the transition-metal (TM) sublattice we represent.
inline constexpr int kMaxSiteElements = 8;

/// Elements on the TM sublattice of a layered oxide Li_a M_b O2 and their fractions.
/// Invariants (established by thermex::parse_formula): 0 <= count <= kMaxSiteElements,
/// fraction[k] > 0, sum of fraction[k] == 1 within 1e-9, atomic numbers distinct.
struct SiteComposition {
  double li = 1.0;  ///< Li per formula unit as written (pristine Li content; 1.2 for Li-rich)
  double site_total = 1.0;  ///< sum of the TM amounts before normalisation (0.8 for Li1.2M0.8O2)
  int count = 0;            ///< number of elements on the TM sublattice
  std::uint8_t z[kMaxSiteElements] = {};   ///< atomic numbers
  double fraction[kMaxSiteElements] = {};  ///< normalised TM-site fractions, sum 1
};

/// Fraction of the element with atomic number `z` on the TM sublattice (0 when absent).
THERMEX_HD inline double site_fraction(const SiteComposition& c, int z) {
  for (int k = 0; k < c.count; ++k) {
    if (c.z[k] == z) return c.fraction[k];
  }
  return 0.0;
}

}  // namespace thermex::math
