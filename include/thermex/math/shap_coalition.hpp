#pragma once
/// \file
/// Per-element math of the Monte Carlo SHAP estimators (permutation sampling and KernelSHAP),
/// shared by the CPU backend (src/cpu/shap_permutation_cpu.cpp, src/cpu/shap_kernel_cpu.cpp)
/// and the CUDA twin (kernels/shap_mc.cu): the Philox stream ids of the draws, the draws
/// themselves (Fisher-Yates permutations, Shapley-kernel coalitions), coalitions as bit masks,
/// the kernel exponent of a hybrid row, and the per-pair sample vectors built from coalition
/// values. Both backends therefore see the same coalitions and form the same samples; only the
/// order of the sums over (background row, support vector) differs.
///
/// The game (src/shap_internal.hpp): for an explained row x, a background row b and support
/// vector k, the hybrid row (x on the players of S, b elsewhere) has kernel exp(-E) with
/// E = sum_{p in S} D_kp(x) + sum_{p not in S} D_kp(b).

#include <cstddef>
#include <cstdint>

#include "thermex/math/hd.hpp"
#include "thermex/math/philox.hpp"

namespace thermex::math {

/// 64-bit words of a coalition mask over m players (bit p of word p / 64 is player p).
THERMEX_HD constexpr int coalition_words(int m) { return (m + 63) / 64; }

/// Whether player p is in the coalition `mask`.
THERMEX_HD inline bool coalition_has(const std::uint64_t* mask, int p) {
  return ((mask[p >> 6] >> (p & 63)) & 1u) != 0;
}

/// Adds player p to the coalition `mask`.
THERMEX_HD inline void coalition_add(std::uint64_t* mask, int p) {
  mask[p >> 6] |= std::uint64_t{1} << (p & 63);
}

/// Philox stream id (counter words 2 and 3, purpose kShapSample) of permutation pair `pair` of
/// explained row `row`: row << 32 | pair (pair < 2^31).
THERMEX_HD inline std::uint64_t permutation_stream_id(std::uint64_t row, std::uint64_t pair) {
  return (row << 32) | pair;
}

/// Philox stream id of KernelSHAP pair `pair` of row `row`: bit 31 of the low word separates
/// these streams from the permutation method's (pair < 2^31).
THERMEX_HD inline std::uint64_t kernel_stream_id(std::uint64_t row, std::uint64_t pair) {
  return (row << 32) | (std::uint64_t{1} << 31) | pair;
}

/// A uniform permutation of 0 .. m-1 into perm (Fisher-Yates, from the last position down:
/// swap(perm[i - 1], perm[below(i)]) for i = m .. 2). Draws m - 1 bounded integers.
THERMEX_HD inline void draw_permutation(PhiloxStream& rng, std::uint32_t* perm, int m) {
  for (int i = 0; i < m; ++i) perm[i] = static_cast<std::uint32_t>(i);
  for (int i = m; i > 1; --i) {
    const auto j = static_cast<int>(rng.below(static_cast<std::uint64_t>(i)));
    const std::uint32_t t = perm[i - 1];
    perm[i - 1] = perm[j];
    perm[j] = t;
  }
}

/// A coalition from the Shapley kernel into `mask` (coalition_words(m) words, overwritten):
/// the size s is the first with size_cdf[s - 1] > one uniform draw (size_cdf holds
/// P(|S| <= s) for s = 1 .. m-1, the last entry exactly 1), then a uniform subset of that size
/// by a partial Fisher-Yates shuffle of `perm` (m scratch entries). Returns s; m >= 2.
THERMEX_HD inline int draw_kernel_coalition(PhiloxStream& rng, const double* size_cdf, int m,
                                            std::uint32_t* perm, std::uint64_t* mask) {
  const double r = rng.uniform();
  int size = 1;
  while (size_cdf[size - 1] <= r) ++size;
  for (int i = 0; i < m; ++i) perm[i] = static_cast<std::uint32_t>(i);
  for (int w = 0; w < coalition_words(m); ++w) mask[w] = 0;
  for (int t = 0; t < size; ++t) {
    const int j = t + static_cast<int>(rng.below(static_cast<std::uint64_t>(m - t)));
    const std::uint32_t tmp = perm[t];
    perm[t] = perm[j];
    perm[j] = tmp;
    coalition_add(mask, static_cast<int>(perm[t]));
  }
  return size;
}

/// The kernel exponent E of one (background row, support vector) game for the coalition `mask`
/// (its complement when `complement`): sum over p = 0 .. m-1, in that order, of xd[p x_stride]
/// (D_kp(x)) for the players on x's side and bd[p b_stride] (D_kp(b)) for the others.
THERMEX_HD inline double coalition_exponent(const double* xd, std::size_t x_stride,
                                            const double* bd, std::size_t b_stride,
                                            const std::uint64_t* mask, int m, bool complement) {
  double e = 0.0;
  for (int p = 0; p < m; ++p) {
    const auto pu = static_cast<std::size_t>(p);
    e += coalition_has(mask, p) != complement ? xd[pu * x_stride] : bd[pu * b_stride];
  }
  return e;
}

/// Both exponents of coalition_exponent at once, from one read of each distance: e_s for the
/// coalition and e_c for its complement (the same sums in the same order, so the bytes equal
/// two coalition_exponent calls).
THERMEX_HD inline void coalition_exponent_pair(const double* xd, std::size_t x_stride,
                                               const double* bd, std::size_t b_stride,
                                               const std::uint64_t* mask, int m, double& e_s,
                                               double& e_c) {
  double s = 0.0, c = 0.0;
  for (int p = 0; p < m; ++p) {
    const auto pu = static_cast<std::size_t>(p);
    const double x = xd[pu * x_stride];
    const double b = bd[pu * b_stride];
    const bool in = coalition_has(mask, p);
    s += in ? x : b;
    c += in ? b : x;
  }
  e_s = s;
  e_c = c;
}

/// The antithetic sample of one permutation pair from coalition values: prefix[t] = v(P_t)
/// and suffix[t] = v(complement of P_t) for t = 0 .. m, where P_t = {perm[0], ..., perm[t-1]}
/// (so prefix[0] = suffix[m] = v(empty), prefix[m] = suffix[0] = v(all)). The reverse
/// permutation's prefixes are the complements of the forward ones, so
/// sample[perm[u]] = 0.5 ((prefix[u+1] - prefix[u]) + (suffix[u] - suffix[u+1])): the mean of
/// the player's marginal contributions along the permutation and along its reverse.
THERMEX_HD inline void permutation_pair_sample(const std::uint32_t* perm, int m,
                                               const double* prefix, const double* suffix,
                                               double* sample) {
  for (int u = 0; u < m; ++u) {
    const double fwd = prefix[u + 1] - prefix[u];
    const double rev = suffix[u] - suffix[u + 1];
    sample[perm[u]] = 0.5 * (fwd + rev);
  }
}

/// The KernelSHAP sample of one antithetic pair (S, complement of S), unbiased KernelSHAP
/// (Covert & Lee, AISTATS 2021): with d_s = v(S) - v(empty), d_c = v(~S) - v(empty),
/// b_p = 0.5 (p in S ? d_s : d_c) (into the m scratch values `b`) and their mean over p,
/// t_p = (b_p - mean(b)) / alpha + share, where alpha = A_ii - A_ij of the Shapley-kernel Gram
/// matrix and share = (v(all) - v(empty)) / m. Writes t into `t` (m values).
THERMEX_HD inline void kernel_pair_sample(const std::uint64_t* mask, int m, double d_s, double d_c,
                                          double alpha, double share, double* b, double* t) {
  double avg = 0.0;
  for (int p = 0; p < m; ++p) {
    b[p] = 0.5 * (coalition_has(mask, p) ? d_s : d_c);
    avg += b[p];
  }
  avg /= static_cast<double>(m);
  for (int p = 0; p < m; ++p) t[p] = (b[p] - avg) / alpha + share;
}

}  // namespace thermex::math
