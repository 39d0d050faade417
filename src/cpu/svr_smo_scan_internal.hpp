#pragma once
/// \file
/// Internal to the SMO scans (src/cpu/svr_smo_scan.cpp and its AVX-512 form in
/// src/cpu/svr_smo_scan_avx512.cpp): the running best of a scan and the vector forms' entry
/// points. Each vector form returns the index it stopped at; the scalar form finishes the tail.

#include <cstddef>

#include "../svr_internal.hpp"

namespace thermex::detail::scan {

/// Running best of a scan in index order; `better` is strict, so equal values keep the lower
/// index seen first.
struct Best {
  double value;
  std::ptrdiff_t index = -1;
};

/// Folds `count` per-lane bests (values `v`, indices `ix`; -1: the lane took nothing) into
/// `best`: the better value (`max`: larger), the lowest index among equal values. Lanes hold
/// disjoint index sets and each lane's index is the lowest of its own ties, so this reproduces
/// the scalar scan's "strictly better, in index order" rule.
inline void merge_lanes(const double* v, const long long* ix, int count, bool max, Best& best) {
  for (int lane = 0; lane < count; ++lane) {
    if (ix[lane] < 0) continue;
    const bool better = max ? v[lane] > best.value : v[lane] < best.value;
    if (better || best.index < 0 || (v[lane] == best.value && ix[lane] < best.index)) {
      best = {v[lane], static_cast<std::ptrdiff_t>(ix[lane])};
    }
  }
}

/// True when this CPU runs the AVX-512 forms (AVX-512 F and DQ). Cheap (cached CPUID).
bool avx512_supported();

/// The I_up pass (with the gradient update when ki is set) over the first multiple of 16
/// elements, eight lanes at a time; returns where it stopped. Bit-identical to the scalar form.
std::size_t up_avx512(const SmoScanState& s, const double* ki, const double* kj, double si,
                      double sj, Best& a, Best& b);

/// The I_low pass and WSS 2 gains over the first multiple of 16 elements; `kinv` (may be null)
/// holds precomputed inverse curvatures. Returns where it stopped. Bit-identical to the scalar
/// form.
std::size_t low_avx512(const SmoScanState& s, const double* ki, const double* kinv, double gmax,
                       Best& a, Best& b, double& gmax2);

}  // namespace thermex::detail::scan
