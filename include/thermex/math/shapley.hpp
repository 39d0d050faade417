#pragma once
/// \file
/// Per-element math of exact interventional SHAP for product kernels (see data/SHAP.md), shared
/// by the CPU backend (src/cpu/shap_exact_cpu.cpp) and the CUDA backend (kernels/shap_exact.cu).
///
/// For one explained row x, one background row b and one support vector k, let the player
/// factors be a_j = prod_{columns c of player j} exp(-gamma (s(x)_c - sv_kc)^2) and c_j the same
/// with b. The game v(S) = prod_{j in S} a_j prod_{j not in S} c_j is multilinear, and by Owen's
/// multilinear-extension formula (Owen, Management Science 18 (1972) P64-P79) its Shapley values
/// are phi_i = (a_i - c_i) * integral_0^1 prod_{j != i} ((1 - u) c_j + u a_j) du. The integrand is
/// a polynomial of degree m - 1 in u, so Gauss-Legendre quadrature with ceil(m / 2) nodes is
/// exact (up to rounding).
///
/// The CUDA twin (kernels/shap_exact.cu) calls the same functions: player_distance and
/// player_factor for the factors, owen_shapley_add_lanes<1> for each (row, background, SV)
/// game, and gauss_legendre_01 (on the host) for the nodes.

#include <cmath>
#include <cstdint>

#include "thermex/math/hd.hpp"

// Marks a loop over SIMD lanes for the host compiler's vectorizer: GCC otherwise unrolls the
// short fixed-count loops completely before it vectorizes and leaves scalar code. A device
// compiler (one lane per thread) and builds without OpenMP get nothing.
#if defined(_OPENMP) && !defined(__CUDA_ARCH__)
#define THERMEX_LANE_LOOP _Pragma("omp simd")
#else
#define THERMEX_LANE_LOOP
#endif

namespace thermex::math {

/// Most Gauss-Legendre nodes gauss_legendre_01 computes (enough for 64 players).
constexpr int kMaxGaussNodes = 32;

/// Nodes needed for an exact integral of a polynomial of degree m - 1 (m players, m >= 1):
/// ceil(m / 2), since n nodes integrate degree 2 n - 1 exactly.
THERMEX_HD constexpr int owen_node_count(int m) { return m <= 1 ? 1 : (m + 1) / 2; }

/// Gauss-Legendre nodes `u` and weights `w` (n each, 1 <= n <= kMaxGaussNodes) on [0, 1], so that
/// sum_q w[q] p(u[q]) = integral_0^1 p(u) du for every polynomial of degree <= 2 n - 1. Newton's
/// iteration on the Legendre polynomial P_n (three-term recurrence) from Tricomi's initial guess
/// cos(pi (i + 3/4) / (n + 1/2)), as in Numerical Recipes' gauleg; converges to ~1 ulp in a few
/// steps. Nodes ascend. Returns false (and writes nothing) for n out of range. Cost O(n^2).
THERMEX_HD inline bool gauss_legendre_01(int n, double* u, double* w) {
  if (n < 1 || n > kMaxGaussNodes) return false;
  constexpr double kPi = 3.14159265358979323846;
  const int half = (n + 1) / 2;
  for (int i = 0; i < half; ++i) {
    double z = cos(kPi * (i + 0.75) / (n + 0.5));
    double dp = 1.0;
    for (int iter = 0; iter < 100; ++iter) {
      // P_0, P_1, then k P_k = (2k - 1) z P_{k-1} - (k - 1) P_{k-2} up to p1 = P_n, p0 = P_{n-1}.
      double p0 = 1.0, p1 = z;
      for (int k = 2; k <= n; ++k) {
        const double p2 = ((2.0 * k - 1.0) * z * p1 - (k - 1.0) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      dp = n * (z * p1 - p0) / (z * z - 1.0);  // P_n'(z) from P_n and P_{n-1}
      const double dz = p1 / dp;
      z -= dz;
      if (fabs(dz) <= 1e-16) break;
    }
    // Symmetric pair on [-1, 1] mapped to [0, 1]: u = (1 -+ z) / 2, weight halved.
    const double weight = 1.0 / ((1.0 - z * z) * dp * dp);  // = (2 / ((1 - z^2) P'^2)) / 2
    u[i] = 0.5 * (1.0 - z);
    u[n - 1 - i] = 0.5 * (1.0 + z);
    w[i] = weight;
    w[n - 1 - i] = weight;
  }
  return true;
}

/// Owen's formula (owen_shapley_add below) for L games at once ("lanes", e.g. L support
/// vectors): player i's factors of lane l are a[i * stride + l] and c[i * stride + l]; adds
/// scale[l] * phi_il to phi[i * L + l]. `work` is scratch of 3 m L doubles. The loops over lanes
/// have a fixed trip count and the arrays must not overlap (__restrict__), so a CPU compiler
/// turns them into SIMD operations; a GPU thread uses L = 1. Lanes are independent games.
/// The node-independent factor scale (a_i - c_i) is applied once after the quadrature sum, and
/// each node's g_i(u) is computed once (suffix pass) and reused by the prefix pass. Cost:
/// ~7 n_nodes m L flops.
template <int L>
THERMEX_HD inline void owen_shapley_add_lanes(const double* __restrict__ a,
                                              const double* __restrict__ c, int m, int stride,
                                              const double* __restrict__ scale,
                                              const double* __restrict__ u,
                                              const double* __restrict__ w, int n_nodes,
                                              double* __restrict__ work, double* __restrict__ phi) {
  double* __restrict__ suffix = work;         // prod_{j > i} g_j(u_q)
  double* __restrict__ g = work + m * L;      // g_i(u_q) = (1 - u_q) c_i + u_q a_i
  double* __restrict__ integral = g + m * L;  // sum_q w_q prod_{j != i} g_j(u_q)
  for (int e = 0; e < m * L; ++e) integral[e] = 0.0;
  for (int q = 0; q < n_nodes; ++q) {
    const double uq = u[q];
    const double vq = 1.0 - uq;
    double s[L], prefix[L];
    THERMEX_LANE_LOOP
    for (int l = 0; l < L; ++l) {
      s[l] = 1.0;
      prefix[l] = w[q];  // the prefix product carries the node weight
    }
    for (int i = m - 1; i >= 0; --i) {
      const double* ai = a + i * stride;
      const double* ci = c + i * stride;
      THERMEX_LANE_LOOP
      for (int l = 0; l < L; ++l) {
        const double gi = vq * ci[l] + uq * ai[l];
        suffix[i * L + l] = s[l];
        g[i * L + l] = gi;
        s[l] *= gi;
      }
    }
    for (int i = 0; i < m; ++i) {
      THERMEX_LANE_LOOP
      for (int l = 0; l < L; ++l) {
        integral[i * L + l] += prefix[l] * suffix[i * L + l];
        prefix[l] *= g[i * L + l];
      }
    }
  }
  for (int i = 0; i < m; ++i) {
    const double* ai = a + i * stride;
    const double* ci = c + i * stride;
    THERMEX_LANE_LOOP
    for (int l = 0; l < L; ++l) phi[i * L + l] += scale[l] * (ai[l] - ci[l]) * integral[i * L + l];
  }
}

/// Adds `scale` * phi_i of the multilinear game v(S) = prod_{j in S} a[j] prod_{j not in S} c[j]
/// to phi[i] for every player i < m (Owen's formula, see the file comment). `u`, `w`: the
/// n_nodes >= owen_node_count(m) quadrature nodes on [0, 1]; `work`: scratch of 3 m doubles.
/// For each node the leave-one-out products prod_{j != i} g_j(u), g_j(u) = (1 - u) c_j + u a_j,
/// are prefix * suffix products, so no factor is ever divided by (a factor may be 0). Cost:
/// O(n_nodes m) = O(m^2 / 2).
THERMEX_HD inline void owen_shapley_add(const double* a, const double* c, int m, double scale,
                                        const double* u, const double* w, int n_nodes, double* work,
                                        double* phi) {
  owen_shapley_add_lanes<1>(a, c, m, 1, &scale, u, w, n_nodes, work, phi);
}

/// A player's share of the RBF exponent for one row and one support vector:
/// D = gamma * sum_{t < n_cols} (z[cols[t]] - s[cols[t]])^2, the squares summed in the order of
/// `cols` (the order ShapGame::player_dist uses on the CPU). `z` is a standardized row, `s` a
/// standardized support vector (both d values), `cols` the player's column indices (any integer
/// type). Cost O(n_cols).
template <typename Index>
THERMEX_HD inline double player_distance(const double* z, const double* s, const Index* cols,
                                         int n_cols, double gamma) {
  double acc = 0.0;
  for (int t = 0; t < n_cols; ++t) {
    const Index c = cols[t];
    acc += (z[c] - s[c]) * (z[c] - s[c]);
  }
  return gamma * acc;
}

/// The player's kernel factor exp(-D) from player_distance (a_j or c_j in the file comment):
/// in (0, 1] for D >= 0. The product over all players is the RBF kernel value of the row.
THERMEX_HD inline double player_factor(double distance) { return exp(-distance); }

/// The Shapley weight |S|! (m - |S| - 1)! / m! of a coalition of size `s` that player i joins,
/// for 0 <= s < m: 1 / (m * binomial(m - 1, s)). Exact binomials in double for m <= 64 up to
/// rounding of the final division. Cost O(min(s, m - 1 - s)).
THERMEX_HD inline double shapley_weight(int s, int m) {
  const int r = s < m - 1 - s ? s : m - 1 - s;
  double binom = 1.0;  // binomial(m - 1, r), built as a product of exact ratios
  for (int t = 1; t <= r; ++t) binom = binom * (m - r - 1 + t) / t;
  return 1.0 / (m * binom);
}

}  // namespace thermex::math
