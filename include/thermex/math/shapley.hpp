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
/// The CPU backend (src/cpu/shap_exact_cpu.cpp) runs owen_shapley_add_tiled instead: the same
/// sums reordered so that a SIMD register of games keeps its node products in registers.

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

// Asks for complete unrolling of the short fixed-count loops over a tile's nodes, so that the
// node chains (small arrays indexed by the loop counter) become registers on the host as on the
// device. nvcc's front end rejects "GCC unroll" and hands "unroll" on to the host compiler,
// which rejects it: its host pass (never the CPU backend's build) gets nothing.
#if defined(__CUDA_ARCH__) || (defined(__clang__) && !defined(__CUDACC__))
#define THERMEX_UNROLL_NODES _Pragma("unroll")
#elif defined(__GNUC__) && !defined(__CUDACC__)
#define THERMEX_UNROLL_NODES _Pragma("GCC unroll 8")
#else
#define THERMEX_UNROLL_NODES
#endif

/// Node pairs (u, 1 - u) per register tile of owen_shapley_add_tiled: 8 node chains (9 with the
/// middle node of an odd count) leave registers for the factors and the node constants.
constexpr int kOwenPairTile = 4;

/// Elements of scratch owen_shapley_add_tiled needs for m players: (2 kOwenPairTile + 1) m
/// suffix products of one tile, each of the lane type V.
THERMEX_HD constexpr int owen_tiled_work_size(int m) { return (2 * kOwenPairTile + 1) * m; }

/// One batch of games (one lane group) for owen_shapley_add_stream: player i's factors a[i *
/// stride] and c[i * stride], the scale *scale, the accumulators phi[i].
template <typename V>
struct OwenBatch {
  const V* a;
  const V* c;
  const V* scale;
  V* phi;
};

namespace detail {

// The tiles below hold Q = 2 P + H node chains: chains 2p and 2p + 1 the pair p (nodes u_lo[p]
// and 1 - u_lo[p]), chain 2P the middle node u_mid when H = 1. The factor of a pair's upper
// node is g_i(1 - u) = (a_i + c_i) - g_i(u), an addition instead of a second multiply-add.
// Values are set as V{} (zero in every lane) plus a double, and V travels by reference: V may
// be a SIMD type, and host code compiled without its ISA must not pass one by value (ABI).

/// Node weights of a tile into the prefix chains (pair p's upper weight is w_hi[-p]).
template <int P, int H, typename V>
THERMEX_HD inline void owen_prefix_init(const double* w_lo, const double* w_hi, double w_mid,
                                        V* pre) {
  THERMEX_UNROLL_NODES
  for (int p = 0; p < P; ++p) {
    pre[2 * p] = V{} + w_lo[p];
    pre[2 * p + 1] = V{} + w_hi[-p];
  }
  if constexpr (H == 1) pre[2 * P] = V{} + w_mid;
}

/// Suffix pass, player i (factors ai, ci): stores the chains s = prod_{j > i} g_j to si, then
/// multiplies g_i in.
template <int P, int H, typename V>
THERMEX_HD inline void owen_suffix_step(const V& ai, const V& ci, const double* u_lo, double u_mid,
                                        V* s, V* si) {
  const V di = ai - ci;
  const V ei = ai + ci;
  THERMEX_UNROLL_NODES
  for (int p = 0; p < P; ++p) {
    const V g_lo = ci + u_lo[p] * di;
    si[2 * p] = s[2 * p];
    si[2 * p + 1] = s[2 * p + 1];
    s[2 * p] *= g_lo;
    s[2 * p + 1] *= ei - g_lo;
  }
  if constexpr (H == 1) {
    si[2 * P] = s[2 * P];
    s[2 * P] *= ci + u_mid * di;
  }
}

/// Prefix pass, player i: adds scale (a_i - c_i) sum_q pre_q si_q to phi_i (pre_q = w_q
/// prod_{j < i} g_j), then multiplies g_i into pre. Two accumulators halve the dependent chain.
template <int P, int H, typename V>
THERMEX_HD inline void owen_prefix_step(const V& ai, const V& ci, const V& scale,
                                        const double* u_lo, double u_mid, V* pre, const V* si,
                                        V& phi_i) {
  const V di = ai - ci;
  const V ei = ai + ci;
  V sum_lo = V{}, sum_hi = V{};
  THERMEX_UNROLL_NODES
  for (int p = 0; p < P; ++p) {
    sum_lo += pre[2 * p] * si[2 * p];
    sum_hi += pre[2 * p + 1] * si[2 * p + 1];
    const V g_lo = ci + u_lo[p] * di;
    pre[2 * p] *= g_lo;
    pre[2 * p + 1] *= ei - g_lo;
  }
  if constexpr (H == 1) {
    sum_lo += pre[2 * P] * si[2 * P];
    pre[2 * P] *= ci + u_mid * di;
  }
  phi_i += scale * di * (sum_lo + sum_hi);
}

/// The nodes of one tile (see owen_shapley_add_tiled).
struct OwenTileNodes {
  const double* u_lo;
  const double* w_lo;
  const double* w_hi;  // pair p's upper weight is w_hi[-p]
  double u_mid, w_mid;
};

/// One tile of owen_shapley_add_tiled: the Q suffix (then prefix) products stay in registers
/// while the players stream past, so only the suffix products go through memory (`suffix`:
/// m Q elements), and g is recomputed in the prefix pass rather than stored. Adds
/// scale (a_i - c_i) sum_{tile's nodes q} w_q prod_{j != i} g_j(u_q) to phi[i].
template <int P, int H, typename V>
THERMEX_HD inline void owen_pair_tile(const V* __restrict__ a, const V* __restrict__ c, int stride,
                                      int m, const V* __restrict__ scale, const OwenTileNodes& nd,
                                      V* __restrict__ suffix, V* __restrict__ phi) {
  constexpr int Q = 2 * P + H;
  V s[Q];  // prod_{j > i} g_j(u_q)
  THERMEX_UNROLL_NODES
  for (int q = 0; q < Q; ++q) s[q] = V{} + 1.0;
  for (int i = m - 1; i >= 0; --i) {
    owen_suffix_step<P, H>(a[i * stride], c[i * stride], nd.u_lo, nd.u_mid, s, suffix + i * Q);
  }
  V pre[Q];  // w_q prod_{j < i} g_j(u_q): the prefix product carries the node weight
  owen_prefix_init<P, H>(nd.w_lo, nd.w_hi, nd.w_mid, pre);
  for (int i = 0; i < m; ++i) {
    owen_prefix_step<P, H>(a[i * stride], c[i * stride], *scale, nd.u_lo, nd.u_mid, pre,
                           suffix + i * Q, phi[i]);
  }
}

/// owen_shapley_add_stream's step for one tile holding all the nodes: the prefix pass of batch
/// x (whose suffix products are in sx) interleaved, player by player, with the suffix pass of
/// batch y (into sy), so that the suffix pass's stores overlap the prefix pass's multiplies.
/// With y = nullptr only x's prefix pass runs. The arithmetic of each batch is that of
/// owen_pair_tile, and x's updates of phi precede y's.
template <int P, int H, typename V>
THERMEX_HD inline void owen_pair_tile_fused(const OwenBatch<V>& x, const OwenBatch<V>* y,
                                            int stride, int m, const OwenTileNodes& nd,
                                            const V* __restrict__ sx, V* __restrict__ sy) {
  constexpr int Q = 2 * P + H;
  const V scale = *x.scale;  // once: the stores below might alias it for all the compiler knows
  V pre[Q], s[Q];
  owen_prefix_init<P, H>(nd.w_lo, nd.w_hi, nd.w_mid, pre);
  THERMEX_UNROLL_NODES
  for (int q = 0; q < Q; ++q) s[q] = V{} + 1.0;
  for (int t = 0; t < m; ++t) {
    owen_prefix_step<P, H>(x.a[t * stride], x.c[t * stride], scale, nd.u_lo, nd.u_mid, pre,
                           sx + t * Q, x.phi[t]);
    if (y != nullptr) {
      const int i = m - 1 - t;
      owen_suffix_step<P, H>(y->a[i * stride], y->c[i * stride], nd.u_lo, nd.u_mid, s, sy + i * Q);
    }
  }
}

/// The suffix pass alone (owen_shapley_add_stream's first batch).
template <int P, int H, typename V>
THERMEX_HD inline void owen_pair_tile_suffix(const OwenBatch<V>& y, int stride, int m,
                                             const OwenTileNodes& nd, V* __restrict__ sy) {
  V s[2 * P + H];
  THERMEX_UNROLL_NODES
  for (int q = 0; q < 2 * P + H; ++q) s[q] = V{} + 1.0;
  for (int i = m - 1; i >= 0; --i) {
    owen_suffix_step<P, H>(y.a[i * stride], y.c[i * stride], nd.u_lo, nd.u_mid, s,
                           sy + i * (2 * P + H));
  }
}

/// Tiles for n_nodes nodes: ceil((n_nodes / 2) / kOwenPairTile), at least 1.
THERMEX_HD constexpr int owen_tile_count(int n_nodes) {
  return n_nodes / 2 == 0 ? 1 : (n_nodes / 2 + kOwenPairTile - 1) / kOwenPairTile;
}

/// The nodes of tile t of the n_nodes nodes (pairs q and n_nodes - 1 - q, kOwenPairTile per
/// tile; an odd count's middle node joins the last tile). Returns the tile's node count 2 P + H.
THERMEX_HD inline int owen_tile_nodes(const double* u, const double* w, int n_nodes, int t,
                                      OwenTileNodes& nd) {
  const int pairs = n_nodes / 2;
  const int middle = n_nodes % 2;
  const int p0 = t * kOwenPairTile;
  const int np = pairs - p0 < kOwenPairTile ? pairs - p0 : kOwenPairTile;
  const int h = t == owen_tile_count(n_nodes) - 1 ? middle : 0;
  nd.u_lo = u + p0;
  nd.w_lo = w + p0;
  nd.w_hi = w + (n_nodes - 1 - p0);
  nd.u_mid = middle == 1 ? u[pairs] : 0.0;
  nd.w_mid = middle == 1 ? w[pairs] : 0.0;
  return 2 * np + h;
}

/// A tile shape as a type, for owen_with_tile_shape's callback.
template <int P, int H>
struct OwenTileShape {
  static constexpr int kPairs = P;
  static constexpr int kMiddle = H;
};

/// Calls f(OwenTileShape<P, H>{}) for shape = 2 P + H in 1..2 kOwenPairTile + 1: the switch
/// that turns a run-time node count into compile-time chain counts.
template <typename F>
THERMEX_HD inline void owen_with_tile_shape(int shape, F&& f) {
  static_assert(kOwenPairTile == 4, "the switch below covers tiles of 0..4 pairs");
  // clang-format off
  switch (shape) {
    case 1: f(OwenTileShape<0, 1>{}); break;
    case 2: f(OwenTileShape<1, 0>{}); break;
    case 3: f(OwenTileShape<1, 1>{}); break;
    case 4: f(OwenTileShape<2, 0>{}); break;
    case 5: f(OwenTileShape<2, 1>{}); break;
    case 6: f(OwenTileShape<3, 0>{}); break;
    case 7: f(OwenTileShape<3, 1>{}); break;
    case 8: f(OwenTileShape<4, 0>{}); break;
    default: f(OwenTileShape<4, 1>{}); break;
  }
  // clang-format on
}

}  // namespace detail

/// The sums of owen_shapley_add_lanes (see there), reordered for a CPU's registers, for games of
/// one lane type V: V = double is one game (as owen_shapley_add); a host SIMD type (a GCC
/// vector of doubles) is one game per lane. Player i's factors are a[i * stride] and
/// c[i * stride] (stride in V units); adds *scale * phi_i to phi[i] for i < m. The n_nodes >= 1
/// nodes must be symmetric about 1/2 (u[n_nodes - 1 - q] = 1 - u[q]), as gauss_legendre_01's
/// are: node q < n_nodes / 2 and its mirror form a pair, whose upper factor
/// g(1 - u) = a + c - g(u) costs an addition instead of a multiply-add. The pairs go in tiles
/// of at most kOwenPairTile (a switch picks the compile-time tile size; an odd count's middle
/// node joins the last tile), and within a tile each node's running products stay in registers
/// while the players stream past (detail::owen_pair_tile). Agrees with owen_shapley_add_lanes
/// up to rounding (the upper factor is a difference; the unit tests see < 1e-16 |scale| for
/// factors in [0, 1]). `work`: owen_tiled_work_size(m) elements; no array may overlap another;
/// every V must lie on a multiple of sizeof(V) (GCC assumes it in code built for an ISA with
/// that vector width). Cost per lane and (node, player): 4 multiplies or multiply-adds, one
/// addition and one store (owen_shapley_add_lanes: 5 and three stores).
template <typename V>
THERMEX_HD inline void owen_shapley_add_tiled(const V* __restrict__ a, const V* __restrict__ c,
                                              int m, int stride, const V* __restrict__ scale,
                                              const double* __restrict__ u,
                                              const double* __restrict__ w, int n_nodes,
                                              V* __restrict__ work, V* __restrict__ phi) {
  for (int t = 0; t < detail::owen_tile_count(n_nodes); ++t) {
    detail::OwenTileNodes nd;
    const int shape = detail::owen_tile_nodes(u, w, n_nodes, t, nd);
    detail::owen_with_tile_shape(shape, [&](auto tile) {
      using Tile = decltype(tile);
      detail::owen_pair_tile<Tile::kPairs, Tile::kMiddle>(a, c, stride, m, scale, nd, work, phi);
    });
  }
}

/// Scratch owen_shapley_add_stream needs for m players: two tiles of suffix products,
/// 2 owen_tiled_work_size(m) elements of V.
THERMEX_HD constexpr int owen_stream_work_size(int m) { return 2 * owen_tiled_work_size(m); }

/// owen_shapley_add_tiled on the batches batch_at(0), ..., batch_at(n_batches - 1) (a callable
/// int -> OwenBatch<V>; every batch has m players of `stride`, all share the nodes), with the
/// same arithmetic per batch and the batches' updates of phi in that order, so the result is
/// that of the calls one by one. When all the nodes fit one tile (n_nodes <= 2 kOwenPairTile +
/// 1, i.e. m <= 18) the prefix pass of batch j runs interleaved with the suffix pass of batch
/// j + 1 (detail::owen_pair_tile_fused): the suffix pass is bound by its stores, the prefix
/// pass by its multiplies, and together they keep both busy (measured ~14% faster than the
/// calls one by one on Zen 4). More nodes: the calls one by one. `work`:
/// owen_stream_work_size(m) elements; the batches' arrays must not overlap `work`, and a
/// batch's phi must not overlap the factors or scales of the next one.
template <typename V, typename BatchAt>
THERMEX_HD inline void owen_shapley_add_stream(int n_batches, BatchAt&& batch_at, int m, int stride,
                                               const double* __restrict__ u,
                                               const double* __restrict__ w, int n_nodes,
                                               V* __restrict__ work) {
  if (n_batches <= 0) return;
  if (detail::owen_tile_count(n_nodes) > 1) {
    for (int j = 0; j < n_batches; ++j) {
      const OwenBatch<V> x = batch_at(j);
      owen_shapley_add_tiled<V>(x.a, x.c, m, stride, x.scale, u, w, n_nodes, work, x.phi);
    }
    return;
  }
  detail::OwenTileNodes nd;
  const int shape = detail::owen_tile_nodes(u, w, n_nodes, 0, nd);
  V* suffix[2] = {work, work + m * shape};  // batch j's suffix products in suffix[j % 2]
  detail::owen_with_tile_shape(shape, [&](auto tile) {
    using Tile = decltype(tile);
    constexpr int P = Tile::kPairs, H = Tile::kMiddle;
    OwenBatch<V> x = batch_at(0);
    detail::owen_pair_tile_suffix<P, H>(x, stride, m, nd, suffix[0]);
    for (int j = 0; j + 1 < n_batches; ++j) {
      const OwenBatch<V> y = batch_at(j + 1);
      detail::owen_pair_tile_fused<P, H>(x, &y, stride, m, nd, suffix[j % 2], suffix[(j + 1) % 2]);
      x = y;
    }
    detail::owen_pair_tile_fused<P, H, V>(x, nullptr, stride, m, nd, suffix[(n_batches - 1) % 2],
                                          nullptr);
  });
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
