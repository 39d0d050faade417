#pragma once
/// \file
/// Per-element math of the RBF (Gaussian) kernel K(x, z) = exp(-gamma ||x - z||^2), shared by the
/// CPU twin (src/cpu/rbf_kernel_cpu.cpp) and the CUDA epilogue (kernels/rbf_kernel.cu) so both
/// backends evaluate the very same expression (STYLE.md section 1), including the exponential:
/// exp_nonpositive below is ours, not libm's, so that the CPU loop over a tile vectorizes (a call
/// to glibc's scalar exp cannot, and it was two thirds of the CPU time).

#include <cstdint>
#if !defined(__CUDA_ARCH__)
#include <bit>
#endif

#include "thermex/math/hd.hpp"

namespace thermex::math {

namespace rbf_detail {

/// The bits of `v`; host and device spell the reinterpretation differently.
THERMEX_HD inline std::uint64_t to_bits(double v) {
#if defined(__CUDA_ARCH__)
  return static_cast<std::uint64_t>(__double_as_longlong(v));
#else
  return std::bit_cast<std::uint64_t>(v);
#endif
}

/// The double whose bits are `b`.
THERMEX_HD inline double from_bits(std::uint64_t b) {
#if defined(__CUDA_ARCH__)
  return __longlong_as_double(static_cast<long long>(b));
#else
  return std::bit_cast<double>(b);
#endif
}

/// 1.5 * 2^52: adding it to a double of magnitude < 2^51 rounds that double to an integer
/// (round to nearest even), and the integer then sits in the low mantissa bits of the sum.
constexpr double kRoundShift = 0x1.8p52;

/// 2^k for the integer-valued `k_shifted` = k + kRoundShift, k in [-1022, 1023]: the integer is
/// read from the mantissa bits and moved into the exponent field. Exact; integer ops only.
THERMEX_HD inline double pow2_from_shifted(double k_shifted) {
  constexpr std::uint64_t kShiftBits = 0x4338000000000000ULL;  // to_bits(kRoundShift)
  return from_bits((to_bits(k_shifted) - kShiftBits + 1023U) << 52);
}

}  // namespace rbf_detail

/// e^x for x <= 0 (also correct up to x ~ 709; larger x is outside the contract), written so that
/// a compiler vectorizes a loop over it: no branches, no libm call, no table. Returns a value in
/// [0, 1] for x <= 0; x = -inf or x < -746 gives 0 (e^x < 2^-1075 rounds to 0); NaN gives NaN.
/// Accuracy: at most 1 ulp from glibc's exp over a dense grid of [-745, 0] (relative error
/// <= 2.3e-16 where the result is a normal double; tests/test_rbf_kernel.cpp checks it), and
/// results in the subnormal range are rounded once, like libm's. Cost: ~30 flops.
///
/// Method: x = q ln2 + r with q = rint(x / ln2) and |r| <= ln2 / 2 (Cody-Waite: ln2 split into a
/// 32-bit head, so q * head is exact for |q| < 2^21, and a tail); e^r = 1 + r + r^2 P(r) with P
/// the Taylor series to r^11 / 13! (the truncation error r^14 / 14! < 5e-18 is far below half an
/// ulp); then e^x = e^r 2^q1 2^q2 with q1 + q2 = q, two exact scalings by normal powers of two,
/// so the only rounding below 2^-1022 is the last multiplication. A device compiler may fuse the
/// multiply-adds (FMA); that only removes roundings.
THERMEX_HD inline double exp_nonpositive(double x) {
  constexpr double kLog2e = 0x1.71547652b82fep0;
  constexpr double kLn2Hi = 0x1.62e42fee00000p-1;
  constexpr double kLn2Lo = 0x1.a39ef35793c76p-33;
  constexpr double kShift = rbf_detail::kRoundShift;
  // Below -746 the result is 0 anyway; the clamp keeps q in range and lets -inf through as 0.
  // Written as `x < c ? c : x` so that NaN passes through (the comparison is false).
  const double xc = x < -746.0 ? -746.0 : x;
  const double q_shifted = xc * kLog2e + kShift;
  const double q = q_shifted - kShift;
  const double r = (xc - q * kLn2Hi) - q * kLn2Lo;
  double p = 1.0 / 6227020800.0;  // 1 / 13!
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  const double e_r = 1.0 + (r + (r * r) * p);
  // q in [-1077, 1024]: both halves stay within the normal exponents [-1022, 1023].
  const double q1_shifted = q * 0.5 + kShift;
  const double q2_shifted = (q - (q1_shifted - kShift)) + kShift;
  return (e_r * rbf_detail::pow2_from_shifted(q1_shifted)) *
         rbf_detail::pow2_from_shifted(q2_shifted);
}

/// exp(-gamma * max(d2, 0)): the RBF kernel value for a squared distance `d2` (squared feature
/// units) and `gamma` (1 / squared feature units, > 0). Returns a value in [0, 1]; a NaN `d2`
/// gives NaN. Cost: one exp_nonpositive (~30 flops, vectorizable).
///
/// The clamp is needed because d2 is computed by the GEMM expansion
/// ||x||^2 + ||z||^2 - 2 x.z, whose cancellation can leave a tiny negative number for (nearly)
/// identical points; the true distance is >= 0, so K must not exceed 1. Written as `d2 < 0`
/// (not `d2 > 0 ? d2 : 0`) so that a NaN passes through instead of turning into K = 1.
THERMEX_HD inline double rbf_from_sqdist(double d2, double gamma) {
  const double clamped = d2 < 0.0 ? 0.0 : d2;
  return exp_nonpositive(-gamma * clamped);
}

/// The fused GEMM epilogue: the RBF kernel value from the squared norms `norm_x2` = ||x||^2,
/// `norm_z2` = ||z||^2 and the dot product `dot` = x.z. Same units, range and cost as
/// rbf_from_sqdist. A compiler that targets FMA hardware (the device compiler; the CPU twin's
/// AVX2/AVX-512 variants) may contract `-2 * dot + (...)` and the multiply-adds of the
/// exponential into FMAs, which the baseline x86-64 code does not: the backends agree to a few
/// ulps, not bit for bit.
THERMEX_HD inline double rbf_from_norms_and_dot(double norm_x2, double norm_z2, double dot,
                                                double gamma) {
  return rbf_from_sqdist(norm_x2 + norm_z2 - 2.0 * dot, gamma);
}

}  // namespace thermex::math
