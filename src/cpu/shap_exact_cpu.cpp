// CPU backend of the exact SHAP estimators: Owen's formula with Gauss-Legendre quadrature
// (math/shapley.hpp) and brute-force enumeration of all coalitions (the reference).
// OpenMP over explained rows; within a row every sum runs over (background, SV) in order, so the
// bytes do not depend on the thread count or the schedule.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "../shap_internal.hpp"
#include "thermex/math/shapley.hpp"

namespace thermex::cpu {

namespace {

// Support vectors per SIMD batch of owen_shapley_add_lanes: two AVX-512 vectors, four AVX2 or
// eight SSE2 ones. Several independent vectors per batch hide the latency of the serial prefix
// and suffix multiplications (measured: 16 lanes ~1.8x faster than 8 unaligned lanes at M = 15).
constexpr int kLanes = 16;

// Factors exp(-D) transposed to player-major [p][k] rows of `stride` (n_sv padded to a multiple
// of kLanes) so that a batch of kLanes support vectors is contiguous. Padding lanes get a = c = 1
// and beta = 0: finite, and a - c = 0 makes them contribute nothing.
void transpose_factors(const double* dist, std::size_t n_sv, std::size_t m, std::size_t stride,
                       double* out) {
  for (std::size_t p = 0; p < m; ++p) {
    double* row = out + p * stride;
    for (std::size_t k = 0; k < n_sv; ++k) row[k] = std::exp(-dist[k * m + p]);
    for (std::size_t k = n_sv; k < stride; ++k) row[k] = 1.0;
  }
}

// A zero-filled array of doubles whose first element sits on a 64-byte boundary: with a stride
// that is a multiple of 8 doubles, every SIMD batch is then one aligned cache line (a load that
// straddles two lines costs about twice as much).
class AlignedDoubles {
 public:
  explicit AlignedDoubles(std::size_t n = 0) { resize(n); }
  void resize(std::size_t n) {
    storage_.assign(n + kAlignDoubles, 0.0);
    const auto addr = reinterpret_cast<std::uintptr_t>(storage_.data());
    const std::size_t misalign = (addr / sizeof(double)) % kAlignDoubles;
    offset_ = misalign == 0 ? 0 : kAlignDoubles - misalign;
    size_ = n;
  }
  double* data() { return storage_.data() + offset_; }
  const double* data() const { return storage_.data() + offset_; }
  std::size_t size() const { return size_; }
  double& operator[](std::size_t i) { return data()[i]; }

 private:
  static constexpr std::size_t kAlignDoubles = 8;  // 64 bytes
  std::vector<double> storage_;
  std::size_t offset_ = 0, size_ = 0;
};

struct ExactSetup {
  std::size_t stride = 0;  // padded n_sv
  AlignedDoubles bg_fac;   // nb x m x stride
  // stride coefficients (zeros in the padding); weighted backgrounds: nb x stride, row b
  // holding w_b beta, so the hot loop needs no extra multiply.
  std::vector<double> beta;
  std::size_t beta_step = 0;  // 0 (one row shared by every b) or stride
  double u[math::kMaxGaussNodes] = {}, w[math::kMaxGaussNodes] = {};
  int n_nodes = 0;
};

// Arguments of one row's sweep over (background row, SV batch).
struct RowSweep {
  const double* fac;     // m x stride factors of the explained row
  const double* bg_fac;  // nb x m x stride
  const double* beta;    // stride, or nb x stride when beta_step = stride
  const double* u;
  const double* w;
  double* work;   // 3 m kLanes scratch
  double* lanes;  // m x kLanes accumulators
  std::size_t nb, m, stride, beta_step;
  int n_nodes;
};

// The hot loop: every (b, batch) in a fixed order into the per-lane accumulators.
inline void sweep_row(const RowSweep& a) {
  for (std::size_t b = 0; b < a.nb; ++b) {
    const double* c = a.bg_fac + b * a.m * a.stride;
    const double* beta = a.beta + b * a.beta_step;
    for (std::size_t k0 = 0; k0 < a.stride; k0 += kLanes) {
      math::owen_shapley_add_lanes<kLanes>(a.fac + k0, c + k0, static_cast<int>(a.m),
                                           static_cast<int>(a.stride), beta + k0, a.u, a.w,
                                           a.n_nodes, a.work, a.lanes);
    }
  }
}

// The same loop compiled for wider SIMD (flatten inlines the lanes kernel into each variant).
// The compiler contracts multiply-adds into FMAs where the target has them, so the AVX2 and
// AVX-512 variants may differ from the baseline in the last bits (as the RBF kernel's variants
// do); on one machine the variant is fixed, so the bytes do not depend on the thread count.
void sweep_row_baseline(const RowSweep& a) { sweep_row(a); }
#if defined(__x86_64__)
[[gnu::target("avx2,fma"), gnu::flatten]] void sweep_row_avx2(const RowSweep& a) { sweep_row(a); }
[[gnu::target("avx512f,avx512dq,avx512vl,avx2,fma"), gnu::flatten]] void sweep_row_avx512(
    const RowSweep& a) {
  sweep_row(a);
}
#endif

using SweepFn = void (*)(const RowSweep&);

// Best variant this CPU runs (CPUID results are cached at start-up: cheap).
SweepFn pick_sweep() {
#if defined(__x86_64__)
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512vl")) {
    return sweep_row_avx512;
  }
  if (avx2) return sweep_row_avx2;
#endif
  return sweep_row_baseline;
}

// One row: sum over background rows and SV batches into per-lane accumulators (fixed order),
// then over lanes. `fac` is scratch of m x stride, `work` 3 m kLanes, `lanes` m x kLanes.
void exact_row(const detail::ShapGame& game, const ExactSetup& st, SweepFn sweep, const double* z,
               std::vector<double>& dist, AlignedDoubles& fac, AlignedDoubles& work,
               AlignedDoubles& lanes, double* phi) {
  const std::size_t m = game.m;
  game.player_dist(z, dist.data());
  transpose_factors(dist.data(), game.n_sv, m, st.stride, fac.data());
  std::fill(lanes.data(), lanes.data() + lanes.size(), 0.0);
  sweep({fac.data(), st.bg_fac.data(), st.beta.data(), st.u, st.w, work.data(), lanes.data(),
         game.nb, m, st.stride, st.beta_step, st.n_nodes});
  for (std::size_t p = 0; p < m; ++p) {
    double sum = 0.0;
    for (std::size_t l = 0; l < kLanes; ++l) sum += lanes[p * kLanes + l];
    phi[p] = sum / game.bg_divisor();
  }
}

}  // namespace

void shap_exact(const Context& ctx, const detail::ShapGame& game, std::span<const double> x_std,
                std::size_t n, ShapResult& out) {
  const std::size_t m = game.m;
  ExactSetup st;
  st.stride = (game.n_sv + kLanes - 1) / kLanes * kLanes;
  st.n_nodes = math::owen_node_count(static_cast<int>(m));
  math::gauss_legendre_01(st.n_nodes, st.u, st.w);
  if (game.bg_weight.empty()) {
    st.beta.assign(st.stride, 0.0);
    std::copy(game.beta.begin(), game.beta.end(), st.beta.begin());
  } else {
    st.beta_step = st.stride;
    st.beta.assign(game.nb * st.stride, 0.0);
    for (std::size_t b = 0; b < game.nb; ++b) {
      for (std::size_t k = 0; k < game.n_sv; ++k) {
        st.beta[b * st.stride + k] = game.bg_weight[b] * game.beta[k];
      }
    }
  }
  // Background factors c_kp = exp(-D_kp(b)) once for all rows.
  st.bg_fac.resize(game.nb * m * st.stride);
  for (std::size_t b = 0; b < game.nb; ++b) {
    transpose_factors(game.bg_dist.data() + b * game.n_sv * m, game.n_sv, m, st.stride,
                      st.bg_fac.data() + b * m * st.stride);
  }
  const SweepFn sweep = pick_sweep();
  const auto count = static_cast<std::ptrdiff_t>(n);
#pragma omp parallel num_threads(ctx.threads())
  {
    std::vector<double> dist(game.n_sv * m);
    AlignedDoubles fac(m * st.stride), work(3 * m * kLanes), lanes(m * kLanes);
#pragma omp for schedule(dynamic, 1)
    for (std::ptrdiff_t r = 0; r < count; ++r) {
      const auto ri = static_cast<std::size_t>(r);
      exact_row(game, st, sweep, x_std.data() + ri * game.d, dist, fac, work, lanes,
                out.values.data() + ri * m);
    }
  }
}

namespace {

// v(S) - intercept for every coalition S (bit p = player p) of one row, summed over (b, k) and
// averaged over b (weighted when the game is): the kernel of the hybrid row is exp(-e(S)), e(S) =
// e(S minus its lowest player) + D_kp(x) - D_kp(b), a direct evaluation of f at the hybrid point.
void coalition_values(const detail::ShapGame& game, const double* xdist, std::vector<double>& e,
                      std::vector<double>& v) {
  const std::size_t m = game.m;
  const std::size_t n_masks = std::size_t{1} << m;
  std::fill(v.begin(), v.end(), 0.0);
  for (std::size_t b = 0; b < game.nb; ++b) {
    const double wb = game.bg_scale(b);  // 1 when uniform: wb * beta is then beta exactly
    for (std::size_t k = 0; k < game.n_sv; ++k) {
      const double beta = wb * game.beta[k];
      const double* bd = game.bg_dist.data() + (b * game.n_sv + k) * m;
      const double* xd = xdist + k * m;
      double e0 = 0.0;
      for (std::size_t p = 0; p < m; ++p) e0 += bd[p];
      e[0] = e0;
      v[0] += beta * std::exp(-e0);
      for (std::size_t s = 1; s < n_masks; ++s) {
        const auto low = static_cast<std::size_t>(__builtin_ctzll(s));
        e[s] = e[s & (s - 1)] + (xd[low] - bd[low]);
        v[s] += beta * std::exp(-e[s]);
      }
    }
  }
  for (double& a : v) a /= game.bg_divisor();
}

}  // namespace

void shap_bruteforce(const Context& ctx, const detail::ShapGame& game,
                     std::span<const double> x_std, std::size_t n, ShapResult& out) {
  const std::size_t m = game.m;
  const std::size_t n_masks = std::size_t{1} << m;
  std::vector<double> weight(m);
  for (std::size_t s = 0; s < m; ++s) {
    weight[s] = math::shapley_weight(static_cast<int>(s), static_cast<int>(m));
  }
  const auto count = static_cast<std::ptrdiff_t>(n);
#pragma omp parallel num_threads(ctx.threads())
  {
    std::vector<double> xdist(game.n_sv * m), e(n_masks), v(n_masks);
#pragma omp for schedule(dynamic, 1)
    for (std::ptrdiff_t r = 0; r < count; ++r) {
      const auto ri = static_cast<std::size_t>(r);
      game.player_dist(x_std.data() + ri * game.d, xdist.data());
      coalition_values(game, xdist.data(), e, v);
      // phi_i = sum over S without i of w(|S|) (v(S + i) - v(S)).
      for (std::size_t i = 0; i < m; ++i) {
        const std::size_t bit = std::size_t{1} << i;
        double phi = 0.0;
        for (std::size_t s = 0; s < n_masks; ++s) {
          if ((s & bit) != 0) continue;
          const auto size = static_cast<std::size_t>(__builtin_popcountll(s));
          phi += weight[size] * (v[s | bit] - v[s]);
        }
        out.values[ri * m + i] = phi;
      }
    }
  }
}

}  // namespace thermex::cpu
