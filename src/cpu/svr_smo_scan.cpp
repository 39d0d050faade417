// The two O(l) passes of every SMO iteration (src/cpu/svr_smo.cpp), in a portable scalar form
// and an AVX2 form picked at run time (an AVX-512 form lives in svr_smo_scan_avx512.cpp). They are
// the bulk of a solve once the kernel matrix is precomputed (thousands of iterations of O(l) each),
// and both are branchy in scalar form (set membership, argmax/argmin with ties): the AVX2 form
// evaluates every element with masks instead, four at a time, keeping a best value and index per
// lane, and merges the lanes by (value, lowest index). Every element's arithmetic is the scalar
// form's, operation for operation (no FMA, IEEE division; one division 1/a per K element serves
// both halves, math::smo_gain_inv), and the merge reproduces the scalar scan's "strictly better, so
// ties go to the lowest index", so both forms return bit-identical results: the solution does not
// depend on the CPU.
#include <immintrin.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "../svr_internal.hpp"
#include "svr_smo_scan_internal.hpp"
#include "thermex/error.hpp"
#include "thermex/math/smo.hpp"

namespace thermex::detail {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

using scan::Best;

void up_scalar(const SmoScanState& s, const double* ki, const double* kj, double si, double sj,
               std::size_t k0, Best& a, Best& b) {
  for (std::size_t k = k0; k < s.l; ++k) {
    if (ki != nullptr) {
      // Signed steps: Q_tk da = s_t (s_k K) da: the alpha half adds, the alpha* half subtracts.
      const double v = ki[k] * si + kj[k] * sj;
      s.g_a[k] += v;
      s.g_s[k] -= v;
    }
    if (math::smo_in_up(1.0, s.a_a[k], s.c) && -s.g_a[k] > a.value) {
      a = {-s.g_a[k], static_cast<std::ptrdiff_t>(k)};
    }
    if (math::smo_in_up(-1.0, s.a_s[k], s.c) && s.g_s[k] > b.value) {
      b = {s.g_s[k], static_cast<std::ptrdiff_t>(k)};
    }
  }
}

void low_scalar(const SmoScanState& s, const double* ki, const double* kinv, double gmax,
                std::size_t k0, Best& a, Best& b, double& gmax2) {
  auto take = [&](double v, double inv, std::size_t k, Best& best) {
    if (v > gmax2) gmax2 = v;
    const double grad_diff = gmax + v;
    if (ki == nullptr || !(grad_diff > 0.0)) return;
    const double gain = math::smo_gain_inv(grad_diff, inv);
    if (gain < best.value) best = {gain, static_cast<std::ptrdiff_t>(k)};
  };
  for (std::size_t k = k0; k < s.l; ++k) {
    // a = K_ii + K_tt - 2 K_it whatever the signs; the RBF diagonal is exactly 1.
    const double inv = kinv != nullptr ? kinv[k]
                       : ki != nullptr ? math::smo_inverse_curvature(2.0 - 2.0 * ki[k])
                                       : 0.0;
    if (math::smo_in_low(1.0, s.a_a[k], s.c)) take(s.g_a[k], inv, k, a);
    if (math::smo_in_low(-1.0, s.a_s[k], s.c)) take(-s.g_s[k], inv, k, b);
  }
}

// Per-lane running best of an AVX2 scan: four values and their indices (-1: none yet).
struct Lanes {
  __m256d value;
  __m256i index;
};

// Folds the lanes into `best` (scan::merge_lanes).
[[gnu::target("avx2")]] void merge_lanes(const Lanes& lanes, bool max, Best& best) {
  alignas(32) double v[4];
  alignas(32) long long ix[4];
  _mm256_store_pd(v, lanes.value);
  _mm256_store_si256(reinterpret_cast<__m256i*>(ix), lanes.index);
  scan::merge_lanes(v, ix, 4, max, best);
}

// Takes `cand` where it is strictly better (`cmp` _CMP_GT_OQ for a maximum, _CMP_LT_OQ for a
// minimum), so each lane keeps its first (lowest) index on ties.
template <int kCmp>
[[gnu::target("avx2"), gnu::always_inline]] inline void lanes_take(Lanes& l, __m256d cand,
                                                                   __m256i index) {
  const __m256d take = _mm256_cmp_pd(cand, l.value, kCmp);
  l.value = _mm256_blendv_pd(l.value, cand, take);
  l.index = _mm256_castpd_si256(
      _mm256_blendv_pd(_mm256_castsi256_pd(l.index), _mm256_castsi256_pd(index), take));
}

// One block of four for the I_up scan (with the gradient update when ki is set).
[[gnu::target("avx2"), gnu::always_inline]] inline void up_block(const SmoScanState& s,
                                                                 const double* ki, const double* kj,
                                                                 __m256d siv, __m256d sjv,
                                                                 std::size_t k, __m256i kidx,
                                                                 Lanes& la, Lanes& ls) {
  const __m256d c = _mm256_set1_pd(s.c), zero = _mm256_setzero_pd();
  const __m256d ninf = _mm256_set1_pd(-kInf), sign = _mm256_set1_pd(-0.0);
  __m256d ga = _mm256_loadu_pd(s.g_a + k), gs = _mm256_loadu_pd(s.g_s + k);
  if (ki != nullptr) {
    const __m256d v = _mm256_add_pd(_mm256_mul_pd(_mm256_loadu_pd(ki + k), siv),
                                    _mm256_mul_pd(_mm256_loadu_pd(kj + k), sjv));
    ga = _mm256_add_pd(ga, v);
    gs = _mm256_sub_pd(gs, v);
    _mm256_storeu_pd(s.g_a + k, ga);
    _mm256_storeu_pd(s.g_s + k, gs);
  }
  // I_up: alpha < C (not at upper) for the alpha half, alpha* > 0 for the alpha* half.
  const __m256d up_a = _mm256_cmp_pd(_mm256_loadu_pd(s.a_a + k), c, _CMP_LT_OQ);
  const __m256d up_s = _mm256_cmp_pd(_mm256_loadu_pd(s.a_s + k), zero, _CMP_GT_OQ);
  lanes_take<_CMP_GT_OQ>(la, _mm256_blendv_pd(ninf, _mm256_xor_pd(ga, sign), up_a), kidx);
  lanes_take<_CMP_GT_OQ>(ls, _mm256_blendv_pd(ninf, gs, up_s), kidx);
}

// Two blocks per iteration with separate lanes, so the compare-and-blend chains of the running
// maxima overlap (they, not the loads, bound the loop otherwise).
[[gnu::target("avx2")]] std::size_t up_avx2(const SmoScanState& s, const double* ki,
                                            const double* kj, double si, double sj, Best& a,
                                            Best& b) {
  const __m256d siv = _mm256_set1_pd(si), sjv = _mm256_set1_pd(sj);
  const Lanes none{_mm256_set1_pd(-kInf), _mm256_set1_epi64x(-1)};
  Lanes a0 = none, a1 = none, s0 = none, s1 = none;
  __m256i kidx = _mm256_setr_epi64x(0, 1, 2, 3);
  const __m256i four = _mm256_set1_epi64x(4), eight = _mm256_set1_epi64x(8);
  std::size_t k = 0;
  for (; k + 8 <= s.l; k += 8) {
    up_block(s, ki, kj, siv, sjv, k, kidx, a0, s0);
    up_block(s, ki, kj, siv, sjv, k + 4, _mm256_add_epi64(kidx, four), a1, s1);
    kidx = _mm256_add_epi64(kidx, eight);
  }
  merge_lanes(a0, true, a);
  merge_lanes(a1, true, a);
  merge_lanes(s0, true, b);
  merge_lanes(s1, true, b);
  return k;
}

// 1 / (2 - 2 K_ik) for four elements, tau replacing a curvature that is not > 0
// (math::smo_inverse_curvature), operation for operation.
[[gnu::target("avx2"), gnu::always_inline]] inline __m256d inverse_curvature4(const double* ki) {
  const __m256d zero = _mm256_setzero_pd(), two = _mm256_set1_pd(2.0);
  const __m256d one = _mm256_set1_pd(1.0), tau = _mm256_set1_pd(math::kSmoTau);
  const __m256d quad = _mm256_sub_pd(two, _mm256_mul_pd(two, _mm256_loadu_pd(ki)));
  return _mm256_div_pd(one, _mm256_blendv_pd(tau, quad, _mm256_cmp_pd(quad, zero, _CMP_GT_OQ)));
}

// One block of four for the I_low scan and the WSS 2 gains; `g2` collects max s_t G_t. With
// kPrecomputed the inverse curvatures are read from `kinv` (smo_inverse_curvature_row) instead
// of divided out of `ki`: a division per element was the most expensive part of the pass.
template <bool kPrecomputed>
[[gnu::target("avx2"), gnu::always_inline]] inline void low_block(
    const SmoScanState& s, const double* ki, const double* kinv, __m256d gm, std::size_t k,
    __m256i kidx, Lanes& la, Lanes& ls, __m256d& g2) {
  const __m256d c = _mm256_set1_pd(s.c), zero = _mm256_setzero_pd();
  const __m256d ninf = _mm256_set1_pd(-kInf), pinf = _mm256_set1_pd(kInf);
  const __m256d sign = _mm256_set1_pd(-0.0);
  const __m256d inv = kPrecomputed ? _mm256_loadu_pd(kinv + k) : inverse_curvature4(ki + k);
  // I_low: alpha > 0 for the alpha half (value G), alpha* < C for the alpha* half (-G).
  const __m256d low_a = _mm256_cmp_pd(_mm256_loadu_pd(s.a_a + k), zero, _CMP_GT_OQ);
  const __m256d low_s = _mm256_cmp_pd(_mm256_loadu_pd(s.a_s + k), c, _CMP_LT_OQ);
  const __m256d va = _mm256_loadu_pd(s.g_a + k);
  const __m256d vs = _mm256_xor_pd(_mm256_loadu_pd(s.g_s + k), sign);
  g2 = _mm256_max_pd(g2, _mm256_blendv_pd(ninf, va, low_a));
  g2 = _mm256_max_pd(g2, _mm256_blendv_pd(ninf, vs, low_s));
  const __m256d ba = _mm256_add_pd(gm, va), bs = _mm256_add_pd(gm, vs);
  const __m256d ok_a = _mm256_and_pd(low_a, _mm256_cmp_pd(ba, zero, _CMP_GT_OQ));
  const __m256d ok_s = _mm256_and_pd(low_s, _mm256_cmp_pd(bs, zero, _CMP_GT_OQ));
  // math::smo_gain_inv: -(b * b) * inv.
  const __m256d gain_a = _mm256_mul_pd(_mm256_xor_pd(_mm256_mul_pd(ba, ba), sign), inv);
  const __m256d gain_s = _mm256_mul_pd(_mm256_xor_pd(_mm256_mul_pd(bs, bs), sign), inv);
  lanes_take<_CMP_LT_OQ>(la, _mm256_blendv_pd(pinf, gain_a, ok_a), kidx);
  lanes_take<_CMP_LT_OQ>(ls, _mm256_blendv_pd(pinf, gain_s, ok_s), kidx);
}

template <bool kPrecomputed>
[[gnu::target("avx2")]] std::size_t low_avx2(const SmoScanState& s, const double* ki,
                                             const double* kinv, double gmax, Best& a, Best& b,
                                             double& gmax2) {
  const __m256d gm = _mm256_set1_pd(gmax);
  const Lanes none{_mm256_set1_pd(kInf), _mm256_set1_epi64x(-1)};
  Lanes a0 = none, a1 = none, s0 = none, s1 = none;
  __m256d g2a = _mm256_set1_pd(-kInf), g2b = g2a;
  __m256i kidx = _mm256_setr_epi64x(0, 1, 2, 3);
  const __m256i four = _mm256_set1_epi64x(4), eight = _mm256_set1_epi64x(8);
  std::size_t k = 0;
  for (; k + 8 <= s.l; k += 8) {
    low_block<kPrecomputed>(s, ki, kinv, gm, k, kidx, a0, s0, g2a);
    low_block<kPrecomputed>(s, ki, kinv, gm, k + 4, _mm256_add_epi64(kidx, four), a1, s1, g2b);
    kidx = _mm256_add_epi64(kidx, eight);
  }
  merge_lanes(a0, false, a);
  merge_lanes(a1, false, a);
  merge_lanes(s0, false, b);
  merge_lanes(s1, false, b);
  alignas(32) double g[4];
  _mm256_store_pd(g, _mm256_max_pd(g2a, g2b));
  for (double v : g) gmax2 = v > gmax2 ? v : gmax2;
  return k;
}

[[gnu::target("avx2")]] std::size_t inverse_curvature_avx2(const double* ki, std::size_t l,
                                                           double* out) {
  std::size_t k = 0;
  for (; k + 4 <= l; k += 4) _mm256_storeu_pd(out + k, inverse_curvature4(ki + k));
  return k;
}

// Combines the halves: an alpha* index t = k + l is larger than every alpha index, so it wins
// only when strictly better.
SmoArg combine(const Best& a, const Best& b, std::size_t l, bool max) {
  const bool star = b.index >= 0 && (a.index < 0 || (max ? b.value > a.value : b.value < a.value));
  if (star) return {b.value, static_cast<std::ptrdiff_t>(b.index + static_cast<std::ptrdiff_t>(l))};
  return {a.value, a.index};
}

}  // namespace

bool smo_isa_supported(SmoIsa isa) {
  switch (isa) {
    case SmoIsa::kScalar:
      return true;
    case SmoIsa::kAvx2:
      return __builtin_cpu_supports("avx2");
    case SmoIsa::kAvx512:
      return scan::avx512_supported();
  }
  return false;
}

SmoIsa smo_scan_isa() {
  static const SmoIsa isa = [] {
    const char* forced = std::getenv("THERMEX_SVR_ISA");
    if (forced != nullptr && std::strcmp(forced, "scalar") == 0) return SmoIsa::kScalar;
    const bool cap_avx2 = forced != nullptr && std::strcmp(forced, "avx2") == 0;
    if (!cap_avx2 && smo_isa_supported(SmoIsa::kAvx512)) return SmoIsa::kAvx512;
    return smo_isa_supported(SmoIsa::kAvx2) ? SmoIsa::kAvx2 : SmoIsa::kScalar;
  }();
  return isa;
}

SmoArg smo_update_and_max_up(const SmoScanState& s, const double* ki, const double* kj, double si,
                             double sj, SmoIsa isa) {
  Best a{-kInf}, b{-kInf};
  std::size_t k0 = 0;
  if (isa == SmoIsa::kAvx512) k0 = scan::up_avx512(s, ki, kj, si, sj, a, b);
  if (isa == SmoIsa::kAvx2) k0 = up_avx2(s, ki, kj, si, sj, a, b);
  up_scalar(s, ki, kj, si, sj, k0, a, b);
  return combine(a, b, s.l, true);
}

SmoArg smo_select_low(const SmoScanState& s, const double* ki, double gmax, double& gmax2,
                      SmoIsa isa, const double* inv_i) {
  Best a{kInf}, b{kInf};
  gmax2 = -kInf;
  if (ki == nullptr) inv_i = nullptr;  // no row i: no candidates, nothing to divide
  std::size_t k0 = 0;
  if (isa == SmoIsa::kAvx512 && ki != nullptr) {
    k0 = scan::low_avx512(s, ki, inv_i, gmax, a, b, gmax2);
  } else if (isa == SmoIsa::kAvx2 && ki != nullptr) {
    k0 = inv_i != nullptr ? low_avx2<true>(s, ki, inv_i, gmax, a, b, gmax2)
                          : low_avx2<false>(s, ki, nullptr, gmax, a, b, gmax2);
  }
  low_scalar(s, ki, inv_i, gmax, k0, a, b, gmax2);
  return combine(a, b, s.l, false);
}

void smo_inverse_curvature_row(const double* ki, std::size_t l, double* out, SmoIsa isa) {
  std::size_t k = 0;
  if (isa != SmoIsa::kScalar) k = inverse_curvature_avx2(ki, l, out);  // AVX-512 CPUs have AVX2
  for (; k < l; ++k) out[k] = math::smo_inverse_curvature(2.0 - 2.0 * ki[k]);
}

}  // namespace thermex::detail
