#pragma once
/// \file
/// Per-element math of the RBF (Gaussian) kernel K(x, z) = exp(-gamma ||x - z||^2), shared by the
/// CPU twin (src/cpu/rbf_kernel_cpu.cpp) and the CUDA epilogue (kernels/rbf_kernel.cu) so both
/// backends evaluate the very same expression (STYLE.md section 1).

#include <cmath>

#include "thermex/math/hd.hpp"

namespace thermex::math {

/// exp(-gamma * max(d2, 0)): the RBF kernel value for a squared distance `d2` (squared feature
/// units) and `gamma` (1 / squared feature units, > 0). Returns a value in [0, 1]; a NaN `d2`
/// gives NaN. Cost: one exp (libm's on the host, CUDA's on the device).
///
/// The clamp is needed because d2 is computed by the GEMM expansion
/// ||x||^2 + ||z||^2 - 2 x.z, whose cancellation can leave a tiny negative number for (nearly)
/// identical points; the true distance is >= 0, so K must not exceed 1. Written as `d2 < 0`
/// (not `d2 > 0 ? d2 : 0`) so that a NaN passes through instead of turning into K = 1.
THERMEX_HD inline double rbf_from_sqdist(double d2, double gamma) {
  const double clamped = d2 < 0.0 ? 0.0 : d2;
  return exp(-gamma * clamped);
}

/// The fused GEMM epilogue: the RBF kernel value from the squared norms `norm_x2` = ||x||^2,
/// `norm_z2` = ||z||^2 and the dot product `dot` = x.z. Same units, range and cost as
/// rbf_from_sqdist. The device compiler may contract `-2 * dot + (...)` into one FMA, which the
/// host compiler (x86-64 without -mfma) does not: the two backends agree to a few ulps of the
/// norms, not bit for bit.
THERMEX_HD inline double rbf_from_norms_and_dot(double norm_x2, double norm_z2, double dot,
                                                double gamma) {
  return rbf_from_sqdist(norm_x2 + norm_z2 - 2.0 * dot, gamma);
}

}  // namespace thermex::math
