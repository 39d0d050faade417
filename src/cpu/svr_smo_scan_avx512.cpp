// The AVX-512 form of the SMO scans (src/cpu/svr_smo_scan.cpp has the scalar and AVX2 forms and
// the reasoning): eight elements per instruction, set membership as mask registers, so taking
// a candidate is a masked move instead of AVX2's variable blends. Every element's arithmetic is
// the scalar form's, operation for operation: separate multiplies and adds written as
// intrinsics (this translation unit is compiled without floating-point contraction, see the
// pragma), IEEE division, sign flips by XOR; lanes keep their first index on ties and are merged
// by (value, lowest index), so the results are bit-identical to the scalar and AVX2 forms.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#endif
#include <immintrin.h>

#include <limits>

#include "svr_smo_scan_internal.hpp"
#include "thermex/math/smo.hpp"

namespace thermex::detail::scan {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

#define THERMEX_AVX512 gnu::target("avx512f,avx512dq")

// Per-lane running best: eight values and their indices (-1: none yet).
struct Lanes8 {
  __m512d value;
  __m512i index;
};

// Folds the lanes into `best` (scan::merge_lanes).
[[THERMEX_AVX512]] void merge8(const Lanes8& lanes, bool max, Best& best) {
  alignas(64) double v[8];
  alignas(64) long long ix[8];
  _mm512_store_pd(v, lanes.value);
  _mm512_store_si512(ix, lanes.index);
  merge_lanes(v, ix, 8, max, best);
}

// Takes `cand` where it is strictly better (kCmp: _CMP_GT_OQ for a maximum, _CMP_LT_OQ for a
// minimum); lanes in `valid` only.
template <int kCmp>
[[THERMEX_AVX512, gnu::always_inline]] inline void take8(Lanes8& l, __mmask8 valid, __m512d cand,
                                                         __m512i index) {
  const __mmask8 take = _mm512_mask_cmp_pd_mask(valid, cand, l.value, kCmp);
  l.value = _mm512_mask_mov_pd(l.value, take, cand);
  l.index = _mm512_mask_mov_epi64(l.index, take, index);
}

template <bool kUpdate>
[[THERMEX_AVX512, gnu::always_inline]] inline void up_block(const SmoScanState& s, const double* ki,
                                                            const double* kj, __m512d siv,
                                                            __m512d sjv, std::size_t k,
                                                            __m512i kidx, Lanes8& la, Lanes8& ls) {
  const __m512d c = _mm512_set1_pd(s.c), zero = _mm512_setzero_pd();
  const __m512d sign = _mm512_set1_pd(-0.0);
  __m512d ga = _mm512_loadu_pd(s.g_a + k), gs = _mm512_loadu_pd(s.g_s + k);
  if constexpr (kUpdate) {
    const __m512d v = _mm512_add_pd(_mm512_mul_pd(_mm512_loadu_pd(ki + k), siv),
                                    _mm512_mul_pd(_mm512_loadu_pd(kj + k), sjv));
    ga = _mm512_add_pd(ga, v);
    gs = _mm512_sub_pd(gs, v);
    _mm512_storeu_pd(s.g_a + k, ga);
    _mm512_storeu_pd(s.g_s + k, gs);
  }
  // I_up: alpha < C for the alpha half (value -G), alpha* > 0 for the alpha* half (value G).
  const __mmask8 up_a = _mm512_cmp_pd_mask(_mm512_loadu_pd(s.a_a + k), c, _CMP_LT_OQ);
  const __mmask8 up_s = _mm512_cmp_pd_mask(_mm512_loadu_pd(s.a_s + k), zero, _CMP_GT_OQ);
  take8<_CMP_GT_OQ>(la, up_a, _mm512_xor_pd(ga, sign), kidx);
  take8<_CMP_GT_OQ>(ls, up_s, gs, kidx);
}

template <bool kUpdate>
[[THERMEX_AVX512]] std::size_t up_loop(const SmoScanState& s, const double* ki, const double* kj,
                                       double si, double sj, Best& a, Best& b) {
  const __m512d siv = _mm512_set1_pd(si), sjv = _mm512_set1_pd(sj);
  const Lanes8 none{_mm512_set1_pd(-kInf), _mm512_set1_epi64(-1)};
  Lanes8 a0 = none, a1 = none, s0 = none, s1 = none;
  __m512i kidx = _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7);
  const __m512i eight = _mm512_set1_epi64(8), sixteen = _mm512_set1_epi64(16);
  std::size_t k = 0;
  // Two blocks per iteration with separate lanes, so the compare-and-move chains overlap.
  for (; k + 16 <= s.l; k += 16) {
    up_block<kUpdate>(s, ki, kj, siv, sjv, k, kidx, a0, s0);
    up_block<kUpdate>(s, ki, kj, siv, sjv, k + 8, _mm512_add_epi64(kidx, eight), a1, s1);
    kidx = _mm512_add_epi64(kidx, sixteen);
  }
  merge8(a0, true, a);
  merge8(a1, true, a);
  merge8(s0, true, b);
  merge8(s1, true, b);
  return k;
}

template <bool kPrecomputed>
[[THERMEX_AVX512, gnu::always_inline]] inline void low_block(const SmoScanState& s,
                                                             const double* ki, const double* kinv,
                                                             __m512d gm, std::size_t k,
                                                             __m512i kidx, Lanes8& la, Lanes8& ls,
                                                             __m512d& g2) {
  const __m512d c = _mm512_set1_pd(s.c), zero = _mm512_setzero_pd();
  const __m512d sign = _mm512_set1_pd(-0.0);
  __m512d inv;
  if constexpr (kPrecomputed) {
    inv = _mm512_loadu_pd(kinv + k);
  } else {
    // 1 / (2 - 2 K_ik), tau where the curvature is not > 0 (math::smo_inverse_curvature).
    const __m512d two = _mm512_set1_pd(2.0);
    const __m512d quad = _mm512_sub_pd(two, _mm512_mul_pd(two, _mm512_loadu_pd(ki + k)));
    const __mmask8 pos = _mm512_cmp_pd_mask(quad, zero, _CMP_GT_OQ);
    inv = _mm512_div_pd(_mm512_set1_pd(1.0),
                        _mm512_mask_mov_pd(_mm512_set1_pd(math::kSmoTau), pos, quad));
  }
  // I_low: alpha > 0 for the alpha half (value G), alpha* < C for the alpha* half (value -G).
  const __mmask8 low_a = _mm512_cmp_pd_mask(_mm512_loadu_pd(s.a_a + k), zero, _CMP_GT_OQ);
  const __mmask8 low_s = _mm512_cmp_pd_mask(_mm512_loadu_pd(s.a_s + k), c, _CMP_LT_OQ);
  const __m512d va = _mm512_loadu_pd(s.g_a + k);
  const __m512d vs = _mm512_xor_pd(_mm512_loadu_pd(s.g_s + k), sign);
  g2 = _mm512_mask_max_pd(g2, low_a, g2, va);
  g2 = _mm512_mask_max_pd(g2, low_s, g2, vs);
  const __m512d ba = _mm512_add_pd(gm, va), bs = _mm512_add_pd(gm, vs);
  const __mmask8 ok_a = _mm512_mask_cmp_pd_mask(low_a, ba, zero, _CMP_GT_OQ);
  const __mmask8 ok_s = _mm512_mask_cmp_pd_mask(low_s, bs, zero, _CMP_GT_OQ);
  // math::smo_gain_inv: -(b * b) * inv.
  const __m512d gain_a = _mm512_mul_pd(_mm512_xor_pd(_mm512_mul_pd(ba, ba), sign), inv);
  const __m512d gain_s = _mm512_mul_pd(_mm512_xor_pd(_mm512_mul_pd(bs, bs), sign), inv);
  take8<_CMP_LT_OQ>(la, ok_a, gain_a, kidx);
  take8<_CMP_LT_OQ>(ls, ok_s, gain_s, kidx);
}

template <bool kPrecomputed>
[[THERMEX_AVX512]] std::size_t low_loop(const SmoScanState& s, const double* ki, const double* kinv,
                                        double gmax, Best& a, Best& b, double& gmax2) {
  const __m512d gm = _mm512_set1_pd(gmax);
  const Lanes8 none{_mm512_set1_pd(kInf), _mm512_set1_epi64(-1)};
  Lanes8 a0 = none, a1 = none, s0 = none, s1 = none;
  __m512d g2a = _mm512_set1_pd(-kInf), g2b = g2a;
  __m512i kidx = _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7);
  const __m512i eight = _mm512_set1_epi64(8), sixteen = _mm512_set1_epi64(16);
  std::size_t k = 0;
  for (; k + 16 <= s.l; k += 16) {
    low_block<kPrecomputed>(s, ki, kinv, gm, k, kidx, a0, s0, g2a);
    low_block<kPrecomputed>(s, ki, kinv, gm, k + 8, _mm512_add_epi64(kidx, eight), a1, s1, g2b);
    kidx = _mm512_add_epi64(kidx, sixteen);
  }
  merge8(a0, false, a);
  merge8(a1, false, a);
  merge8(s0, false, b);
  merge8(s1, false, b);
  alignas(64) double g[8];
  // All lanes through the masked form: GCC 12's plain _mm512_max_pd trips -Wuninitialized
  // on its internal _mm512_undefined_pd.
  _mm512_store_pd(g, _mm512_mask_max_pd(g2b, 0xFF, g2a, g2b));
  for (double v : g) gmax2 = v > gmax2 ? v : gmax2;
  return k;
}

}  // namespace

bool avx512_supported() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
}

std::size_t up_avx512(const SmoScanState& s, const double* ki, const double* kj, double si,
                      double sj, Best& a, Best& b) {
  return ki != nullptr ? up_loop<true>(s, ki, kj, si, sj, a, b)
                       : up_loop<false>(s, nullptr, nullptr, si, sj, a, b);
}

std::size_t low_avx512(const SmoScanState& s, const double* ki, const double* kinv, double gmax,
                       Best& a, Best& b, double& gmax2) {
  return kinv != nullptr ? low_loop<true>(s, ki, kinv, gmax, a, b, gmax2)
                         : low_loop<false>(s, ki, nullptr, gmax, a, b, gmax2);
}

}  // namespace thermex::detail::scan
