// CPU backend of the exact SHAP estimators: Owen's formula with Gauss-Legendre quadrature
// (math/shapley.hpp) and brute-force enumeration of all coalitions (the reference).
// OpenMP over explained rows; within a row every sum runs over (background, SV) in order, so the
// bytes do not depend on the thread count or the schedule.
#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <vector>

#include "../shap_internal.hpp"
#include "thermex/math/shapley.hpp"

namespace thermex::cpu {

namespace {

// Support vectors per game batch of the widest variant (one AVX-512 register of doubles, see
// sweep_row_avx512): the SV rows are padded to a multiple of it, which also keeps every batch of
// every variant inside one 64-byte line.
constexpr std::size_t kMaxLanes = 8;

// Factors exp(-D) transposed to player-major [p][k] rows of `stride` (n_sv padded to a multiple
// of kMaxLanes) so that a batch of support vectors is contiguous. Padding lanes get a = c = 1
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
  AlignedDoubles beta;
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
  double* work;   // owen_stream_work_size(m) x kMaxLanes scratch
  double* lanes;  // m x (the variant's lanes) accumulators
  std::size_t nb, m, stride, beta_step;
  int n_nodes;
};

// GCC vector types of 2, 4 and 8 doubles (one SSE2, AVX2 or AVX-512 register), the lane types of
// math::owen_shapley_add_stream. Code built for AVX2 or AVX-512 assumes such a vector aligned to
// its size: the double arrays the sweeps read as vectors (fac, bg_fac, beta, work, lanes) are
// AlignedDoubles with strides of kMaxLanes, so every vector is. Only the sweep functions, which
// exact_row calls through a pointer, access them as vectors: no access as double can be
// reordered across one as a vector.
using Lanes2 = double __attribute__((vector_size(16)));
using Lanes4 = double __attribute__((vector_size(32)));
using Lanes8 = double __attribute__((vector_size(64)));

// The hot loop: every (b, batch of one vector V of SVs) in a fixed order, b-major, into the
// per-lane accumulators (lane l of phi[p] sums the SVs k = l mod the width).
template <typename V>
inline void sweep_row(const RowSweep& a) {
  constexpr std::size_t kWidth = sizeof(V) / sizeof(double);
  const std::size_t batches = a.stride / kWidth;  // per background row
  const std::size_t plane = a.m * batches;
  const std::size_t beta_step = a.beta_step / kWidth;
  const auto* fac = reinterpret_cast<const V*>(a.fac);
  const auto* bg = reinterpret_cast<const V*>(a.bg_fac);
  const auto* beta = reinterpret_cast<const V*>(a.beta);
  auto* lanes = reinterpret_cast<V*>(a.lanes);
  if (batches == 0) return;  // a model without support vectors: every value is 0
  // Streams of at most INT_MAX batches (the kernel counts in int), each b-major from b0.
  const std::size_t rows_per_stream = std::max<std::size_t>(1, INT_MAX / batches);
  for (std::size_t b0 = 0; b0 < a.nb; b0 += rows_per_stream) {
    const std::size_t rows = std::min(rows_per_stream, a.nb - b0);
    const auto batch_at = [&](int j) {
      const auto b = b0 + static_cast<std::size_t>(j) / batches;
      const auto k = static_cast<std::size_t>(j) % batches;
      return math::OwenBatch<V>{fac + k, bg + b * plane + k, beta + b * beta_step + k, lanes};
    };
    math::owen_shapley_add_stream<V>(static_cast<int>(rows * batches), batch_at,
                                     static_cast<int>(a.m), static_cast<int>(batches), a.u, a.w,
                                     a.n_nodes, reinterpret_cast<V*>(a.work));
  }
}

// The same loop compiled for wider SIMD (flatten inlines the Owen kernel into each variant), one
// register of SVs per game batch: the kernel keeps 8 node chains of that register in registers
// (16 with the fused passes of two batches), enough independent products to hide the multiply
// latency. Measured on a Zen 4 EPYC at M = 15, one thread, kernel alone: 45 ns per game for
// the former owen_shapley_add_lanes<32>, 20 ns for owen_shapley_add_tiled with 8 lanes
// (AVX-512) or 4 (AVX2), 100 ns with 16 lanes (the chains spill), 18 ns for the stream.
// The compiler contracts multiply-adds into FMAs where the target has them, so the AVX2 and
// AVX-512 variants may differ from the baseline in the last bits (as the RBF kernel's variants
// do); on one machine the variant is fixed, so the bytes do not depend on the thread count.
void sweep_row_baseline(const RowSweep& a) { sweep_row<Lanes2>(a); }
#if defined(__x86_64__)
[[gnu::target("avx2,fma"), gnu::flatten]] void sweep_row_avx2(const RowSweep& a) {
  sweep_row<Lanes4>(a);
}
[[gnu::target("avx512f,avx512dq,avx512vl,avx2,fma"), gnu::flatten]] void sweep_row_avx512(
    const RowSweep& a) {
  sweep_row<Lanes8>(a);
}
#endif

// A sweep variant and the lanes (accumulators per player) it fills.
struct Sweep {
  void (*fn)(const RowSweep&);
  std::size_t lanes;
};

// Best variant this CPU runs (CPUID results are cached at start-up: cheap).
Sweep pick_sweep() {
#if defined(__x86_64__)
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512vl")) {
    return {sweep_row_avx512, sizeof(Lanes8) / sizeof(double)};
  }
  if (avx2) return {sweep_row_avx2, sizeof(Lanes4) / sizeof(double)};
#endif
  return {sweep_row_baseline, sizeof(Lanes2) / sizeof(double)};
}

// One row: sum over background rows and SV batches into per-lane accumulators (fixed order),
// then over lanes. `fac` is scratch of m x stride, `work` owen_stream_work_size(m) x kMaxLanes,
// `lanes` m x kMaxLanes.
void exact_row(const detail::ShapGame& game, const ExactSetup& st, Sweep sweep, const double* z,
               std::vector<double>& dist, AlignedDoubles& fac, AlignedDoubles& work,
               AlignedDoubles& lanes, double* phi) {
  const std::size_t m = game.m;
  game.player_dist(z, dist.data());
  transpose_factors(dist.data(), game.n_sv, m, st.stride, fac.data());
  std::fill(lanes.data(), lanes.data() + lanes.size(), 0.0);
  sweep.fn({fac.data(), st.bg_fac.data(), st.beta.data(), st.u, st.w, work.data(), lanes.data(),
            game.nb, m, st.stride, st.beta_step, st.n_nodes});
  for (std::size_t p = 0; p < m; ++p) {
    double sum = 0.0;
    for (std::size_t l = 0; l < sweep.lanes; ++l) sum += lanes[p * sweep.lanes + l];
    phi[p] = sum / game.bg_divisor();
  }
}

}  // namespace

void shap_exact(const Context& ctx, const detail::ShapGame& game, std::span<const double> x_std,
                std::size_t n, ShapResult& out) {
  const std::size_t m = game.m;
  ExactSetup st;
  st.stride = (game.n_sv + kMaxLanes - 1) / kMaxLanes * kMaxLanes;
  st.n_nodes = math::owen_node_count(static_cast<int>(m));
  math::gauss_legendre_01(st.n_nodes, st.u, st.w);
  if (game.bg_weight.empty()) {
    st.beta.resize(st.stride);  // zero-filled
    std::copy(game.beta.begin(), game.beta.end(), st.beta.data());
  } else {
    st.beta_step = st.stride;
    st.beta.resize(game.nb * st.stride);
    for (std::size_t b = 0; b < game.nb; ++b) {
      for (std::size_t k = 0; k < game.n_sv; ++k) {
        st.beta[b * st.stride + k] = game.bg_weight[b] * game.beta[k];
      }
    }
  }
  // Background factors c_kp = exp(-D_kp(b)) once for all rows: as many exps as nb explained rows
  // need, so in parallel (each b writes its own plane: the bytes do not depend on the threads).
  st.bg_fac.resize(game.nb * m * st.stride);
  const auto nb = static_cast<std::ptrdiff_t>(game.nb);
#pragma omp parallel for num_threads(ctx.threads()) schedule(static)
  for (std::ptrdiff_t bi = 0; bi < nb; ++bi) {
    const auto b = static_cast<std::size_t>(bi);
    transpose_factors(game.bg_dist.data() + b * game.n_sv * m, game.n_sv, m, st.stride,
                      st.bg_fac.data() + b * m * st.stride);
  }
  const Sweep sweep = pick_sweep();
  const auto count = static_cast<std::ptrdiff_t>(n);
#pragma omp parallel num_threads(ctx.threads())
  {
    std::vector<double> dist(game.n_sv * m);
    const auto work_size =
        static_cast<std::size_t>(math::owen_stream_work_size(static_cast<int>(m))) * kMaxLanes;
    AlignedDoubles fac(m * st.stride), work(work_size), lanes(m * kMaxLanes);
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
