// CPU twin of the RBF kernel matrix: a register-blocked GEMM X Z^T per tile, then the shared
// epilogue math::rbf_from_norms_and_dot on the tile while it is still in cache.
//
// Why not Eigen's GEMM, and why three variants: the default build targets generic x86-64 (SSE2),
// where both the GEMM and the exponential run two lanes wide, and glibc's scalar exp alone cost
// two thirds of the time (bench/README.md). Eigen picks its SIMD width with the preprocessor, so
// an AVX-512 Eigen GEMM would need a translation unit compiled with -mavx512f, whose inline Eigen
// templates would clash (ODR) with the SSE2 instantiations elsewhere in the library. Instead the
// tile code below is written once with GCC vector types and compiled three times with
// `target` attributes (baseline x86-64 = SSE2, AVX2 + FMA, AVX-512); the CPU is asked once per
// call which one to run.
#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "../rbf_kernel_impl.hpp"
#include "thermex/error.hpp"
#include "thermex/math/rbf.hpp"
#include "thermex/rbf_kernel.hpp"

namespace thermex::cpu {
namespace {

// Columns of Z per packed panel: one or two AVX-512 vectors, four AVX2, eight SSE2.
constexpr std::size_t kPanel = 16;
// Tiles are the logical work items: fixed sizes, independent of the thread count, each computed
// by one thread. Every entry of K is the same sequential sum over the d features whatever tile or
// micro-kernel computes it, so the bytes of K never depend on the thread count or tiling.
// 48 rows is a multiple of every micro-kernel's row count (12, 2, 1); 48 x 512 doubles = 192 KiB
// stays in L2 between the GEMM and the exp epilogue.
constexpr std::size_t kRowBlock = 48;
constexpr std::size_t kColBlock = 512;  // a multiple of kPanel

// Vector types of 2, 4 and 8 doubles (SSE2, AVX2, AVX-512 registers). `Unaligned` loads and
// stores at any double boundary (rows of K and panels of Z need not be vector-aligned) and may
// alias double. Members of plain structs, not template arguments: GCC drops the aligned and
// may_alias attributes of a typedef passed as a template argument.
struct Simd2 {
  typedef double Vec __attribute__((vector_size(16)));
  typedef double Unaligned __attribute__((vector_size(16), aligned(8), may_alias));
  static constexpr std::size_t kLanes = 2;
};
struct Simd4 {
  typedef double Vec __attribute__((vector_size(32)));
  typedef double Unaligned __attribute__((vector_size(32), aligned(8), may_alias));
  static constexpr std::size_t kLanes = 4;
};
struct Simd8 {
  typedef double Vec __attribute__((vector_size(64)));
  typedef double Unaligned __attribute__((vector_size(64), aligned(8), may_alias));
  static constexpr std::size_t kLanes = 8;
};

// One tile: rows [i0, i0 + rows) of X against columns [j0, j0 + cols) of K.
struct TileJob {
  const double* x;        // row i0 of X (row-major, d columns)
  const double* panels;   // packed panel j0 / kPanel of Z
  const double* norm_x2;  // ||x_i||^2 from row i0
  const double* norm_z2;  // ||z_j||^2 from column j0
  double* out;            // K[i0, j0]; rows ldo apart
  std::size_t ldo, rows, cols, d;
  double gamma;
};

// kRows x kPanel block of X Z^T: accumulators in registers, one broadcast of x per row and
// feature. Every entry is the sum over k = 0 .. d-1 in order (an FMA per term where the target
// has FMA). Writes `cols` <= kPanel columns of `out` (a partial last panel goes through `spill`).
template <class S, std::size_t kRows>
[[gnu::always_inline]] inline void micro_tile(const double* x, std::size_t d, const double* panel,
                                              double* out, std::size_t ldo, std::size_t cols) {
  using V = typename S::Vec;
  using VU = typename S::Unaligned;
  constexpr std::size_t kVecs = kPanel / S::kLanes;
  V acc[kRows][kVecs];
#pragma GCC unroll 16
  for (std::size_t r = 0; r < kRows; ++r) {
#pragma GCC unroll 16
    for (std::size_t v = 0; v < kVecs; ++v) acc[r][v] = V{};
  }
  for (std::size_t k = 0; k < d; ++k) {
    const double* zk = panel + k * kPanel;
#pragma GCC unroll 16
    for (std::size_t r = 0; r < kRows; ++r) {
      const double xv = x[r * d + k];
#pragma GCC unroll 16
      for (std::size_t v = 0; v < kVecs; ++v) {
        acc[r][v] += xv * *reinterpret_cast<const VU*>(zk + v * S::kLanes);
      }
    }
  }
  double spill[kRows * kPanel];
  double* dst = cols == kPanel ? out : spill;
  const std::size_t ldd = cols == kPanel ? ldo : kPanel;
#pragma GCC unroll 16
  for (std::size_t r = 0; r < kRows; ++r) {
#pragma GCC unroll 16
    for (std::size_t v = 0; v < kVecs; ++v) {
      *reinterpret_cast<VU*>(dst + r * ldd + v * S::kLanes) = acc[r][v];
    }
  }
  if (cols == kPanel) return;
  for (std::size_t r = 0; r < kRows; ++r) {
    std::copy_n(spill + r * kPanel, cols, out + r * ldo);
  }
}

// The GEMM of one tile, panel by panel (the panel stays in L1 while the tile's rows of X stream
// past it): the dot products x.z into job.out.
template <class S, std::size_t kRows>
[[gnu::always_inline]] inline void gemm_tile(const TileJob& job) {
  for (std::size_t c0 = 0; c0 < job.cols; c0 += kPanel) {
    const double* panel = job.panels + (c0 / kPanel) * job.d * kPanel;
    const std::size_t cols = std::min(kPanel, job.cols - c0);
    std::size_t i = 0;
    for (; i + kRows <= job.rows; i += kRows) {
      micro_tile<S, kRows>(job.x + i * job.d, job.d, panel, job.out + i * job.ldo + c0, job.ldo,
                           cols);
    }
    for (; i < job.rows; ++i) {
      micro_tile<S, 1>(job.x + i * job.d, job.d, panel, job.out + i * job.ldo + c0, job.ldo, cols);
    }
  }
}

// The GEMM of one tile, then the epilogue over the tile while it is in cache, which the compiler
// vectorizes for the same target.
template <class S, std::size_t kRows>
[[gnu::always_inline]] inline void compute_tile(const TileJob& job) {
  gemm_tile<S, kRows>(job);
  for (std::size_t i = 0; i < job.rows; ++i) {
    const double nx = job.norm_x2[i];
    double* row = job.out + i * job.ldo;
    for (std::size_t c = 0; c < job.cols; ++c) {
      row[c] = math::rbf_from_norms_and_dot(nx, job.norm_z2[c], row[c], job.gamma);
    }
  }
}

// Running sums per row of a weighted kernel sum (rbf_kernel_weighted_sum): column c feeds sum
// c % kSumLanes (tiles start at multiples of kColBlock, itself a multiple of kSumLanes), so a
// row's sum is the same sequence of operations whatever thread or chunk computes it, and the
// sums are independent chains a SIMD unit keeps in one or two registers (a single running sum
// would be a chain of dependent additions, ~4 cycles each).
constexpr std::size_t kSumLanes = 8;

// One tile of a weighted kernel sum: the GEMM and the epilogue into job.out (the caller's
// scratch tile), then acc[i][c % kSumLanes] += w_c K_ic for the tile's rows i and columns c.
template <class S, std::size_t kRows>
[[gnu::always_inline]] inline void compute_weighted_tile(const TileJob& job, const double* w,
                                                         double* acc) {
  gemm_tile<S, kRows>(job);
  for (std::size_t i = 0; i < job.rows; ++i) {
    const double nx = job.norm_x2[i];
    const double* row = job.out + i * job.ldo;
    double* sums = acc + i * kSumLanes;
    std::size_t c = 0;
    for (; c + kSumLanes <= job.cols; c += kSumLanes) {
#pragma omp simd
      for (std::size_t l = 0; l < kSumLanes; ++l) {
        sums[l] +=
            w[c + l] * math::rbf_from_norms_and_dot(nx, job.norm_z2[c + l], row[c + l], job.gamma);
      }
    }
    for (; c < job.cols; ++c) {
      sums[c % kSumLanes] +=
          w[c] * math::rbf_from_norms_and_dot(nx, job.norm_z2[c], row[c], job.gamma);
    }
  }
}

// The instruction-set variants. Register budgets: AVX-512 has 32 vector registers, so 12 rows x
// 2 vectors = 24 accumulators; AVX2 has 16, so 2 x 4 = 8 (3 rows would spill); SSE2 1 x 8.
// Feature lists rather than `arch=x86-64-v3/v4`, so that the run-time check below names exactly
// what the compiler may use, in words both GCC and Clang know.
void tile_baseline(const TileJob& job) { compute_tile<Simd2, 1>(job); }
void weighted_baseline(const TileJob& job, const double* w, double* acc) {
  compute_weighted_tile<Simd2, 1>(job, w, acc);
}
#if defined(__x86_64__) && defined(__GNUC__)
[[gnu::target("avx2,fma")]] void tile_avx2(const TileJob& job) { compute_tile<Simd4, 2>(job); }
[[gnu::target("avx2,fma")]] void weighted_avx2(const TileJob& job, const double* w, double* acc) {
  compute_weighted_tile<Simd4, 2>(job, w, acc);
}
[[gnu::target("avx512f,avx512dq,avx512vl,avx512bw,avx2,fma")]] void tile_avx512(
    const TileJob& job) {
  compute_tile<Simd8, 12>(job);
}
[[gnu::target("avx512f,avx512dq,avx512vl,avx512bw,avx2,fma")]] void weighted_avx512(
    const TileJob& job, const double* w, double* acc) {
  compute_weighted_tile<Simd8, 12>(job, w, acc);
}
#endif

using TileFunction = void (*)(const TileJob&);
using WeightedTileFunction = void (*)(const TileJob&, const double*, double*);

struct Variant {
  std::string_view name;
  TileFunction run;
  WeightedTileFunction run_weighted;
  bool supported;
};

// Best first. __builtin_cpu_supports reads CPUID results cached at start-up: cheap.
std::vector<Variant> variants() {
  std::vector<Variant> all;
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  const bool avx512 = avx2 && __builtin_cpu_supports("avx512f") &&
                      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
                      __builtin_cpu_supports("avx512bw");
  all.push_back({"avx512", tile_avx512, weighted_avx512, avx512});
  all.push_back({"avx2", tile_avx2, weighted_avx2, avx2});
#endif
  all.push_back({"baseline", tile_baseline, weighted_baseline, true});
  return all;
}

// The best variant this CPU runs, or the one named by THERMEX_CPU_ISA (for tests and benchmarks
// of the slower variants on a fast machine). Read per call so a test can switch it.
Variant select_variant() {
  const std::vector<Variant> all = variants();
  const char* requested = std::getenv("THERMEX_CPU_ISA");
  if (requested == nullptr || *requested == '\0') {
    return *std::find_if(all.begin(), all.end(), [](const Variant& v) { return v.supported; });
  }
  const auto it =
      std::find_if(all.begin(), all.end(), [&](const Variant& v) { return v.name == requested; });
  if (it == all.end()) {
    throw ConfigError("THERMEX_CPU_ISA", "unknown value '" + std::string(requested) +
                                             "' (baseline, avx2 or avx512 on x86-64)");
  }
  if (!it->supported) {
    throw ConfigError("THERMEX_CPU_ISA", std::string(requested) + " is not supported by this CPU");
  }
  return *it;
}

// Panel p of Z (m x d, row-major): d x kPanel doubles, feature-major, zero-padded past column m,
// so the micro-kernel reads each feature's kPanel values contiguously. Feature-major loop order:
// contiguous stores, and the loads walk kPanel rows of Z in step, each reading the next double of a
// cache line it already holds.
void pack_panel(std::span<const double> z, std::size_t m, std::size_t d, std::size_t p,
                double* panel) {
  const double* z0 = z.data() + p * kPanel * d;
  const std::size_t cols = std::min(kPanel, m - p * kPanel);
  for (std::size_t k = 0; k < d; ++k) {
    for (std::size_t c = 0; c < cols; ++c) panel[k * kPanel + c] = z0[c * d + k];
    for (std::size_t c = cols; c < kPanel; ++c) panel[k * kPanel + c] = 0.0;
  }
}

// Up to this many doubles (8 MiB) the packed panels live in a buffer the calling thread keeps
// between calls. A fresh multi-megabyte vector per call is mmap'd and page-faulted every time,
// which cost more than the packing itself for the 1 x m rows of SVR's kernel-row cache. Larger
// problems allocate per call; their O(n m d) work hides the faults.
constexpr std::size_t kReusedPanelDoubles = std::size_t{1} << 20;

std::span<double> panel_buffer(std::size_t size, std::vector<double>& fallback) {
  thread_local std::vector<double> reused;
  std::vector<double>& buffer = size <= kReusedPanelDoubles ? reused : fallback;
  if (buffer.size() < size) buffer.resize(size);
  return {buffer.data(), size};
}

// All panels of Z, packed by the calling thread before the parallel region: O(m d), about 1% of
// the GEMM's time at n = 256, and it saves a barrier, which costs a scheduler time slice whenever
// another process holds the core a team member needs (bench/README.md, "Threads on a shared
// host"). The span lives in a thread-local buffer or in `fallback`.
std::span<const double> pack_panels(std::span<const double> z, std::size_t m, std::size_t d,
                                    std::vector<double>& fallback) {
  const std::size_t panels = (m + kPanel - 1) / kPanel;
  const std::span<double> packed = panel_buffer(panels * d * kPanel, fallback);
  for (std::size_t p = 0; p < panels; ++p) {
    pack_panel(z, m, d, p, packed.data() + p * d * kPanel);
  }
  return packed;
}

// What every tile of K(x, z) reads: the squared row norms (O((n + m) d), negligible next to the
// O(n m d) GEMM; summed in column order) and the packed panels of z.
class KernelOperands {
 public:
  KernelOperands(std::span<const double> x, std::size_t n, std::span<const double> z, std::size_t m,
                 std::size_t d, double gamma)
      : x_(x),
        n_(n),
        m_(m),
        d_(d),
        gamma_(gamma),
        norm_x2_(squared_row_norms(x, n, d)),
        norm_z2_(squared_row_norms(z, m, d)),
        packed_(pack_panels(z, m, d, large_panels_)) {}

  std::size_t row_tiles() const { return (n_ + kRowBlock - 1) / kRowBlock; }
  std::size_t col_tiles() const { return (m_ + kColBlock - 1) / kColBlock; }

  // The tile at rows i0.. and columns j0.. written to `out` (rows `ldo` apart).
  TileJob tile(std::size_t i0, std::size_t j0, double* out, std::size_t ldo) const {
    return {.x = x_.data() + i0 * d_,
            .panels = packed_.data() + (j0 / kPanel) * d_ * kPanel,
            .norm_x2 = norm_x2_.data() + i0,
            .norm_z2 = norm_z2_.data() + j0,
            .out = out,
            .ldo = ldo,
            .rows = std::min(kRowBlock, n_ - i0),
            .cols = std::min(kColBlock, m_ - j0),
            .d = d_,
            .gamma = gamma_};
  }

 private:
  std::span<const double> x_;
  std::size_t n_, m_, d_;
  double gamma_;
  std::vector<double> norm_x2_, norm_z2_, large_panels_;
  std::span<const double> packed_;
};

// ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)): a fixed order for the running sums.
double sum_lanes(const double* s) {
  static_assert(kSumLanes == 8);
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

}  // namespace

void rbf_kernel_matrix(const Context& ctx, std::span<const double> x, std::size_t n,
                       std::span<const double> z, std::size_t m, std::size_t d, double gamma,
                       std::span<double> out) {
  const TileFunction tile_function = select_variant().run;
  const KernelOperands ops(x, n, z, m, d, gamma);
  const std::size_t tiles = ops.row_tiles() * ops.col_tiles();
  // Static schedule over tile ids; the order in which threads take tiles does not matter because
  // no tile reads another tile's output and nothing is reduced across tiles.
#pragma omp parallel for schedule(static) num_threads(ctx.threads())
  for (std::size_t t = 0; t < tiles; ++t) {
    const std::size_t i0 = (t / ops.col_tiles()) * kRowBlock;
    const std::size_t j0 = (t % ops.col_tiles()) * kColBlock;
    tile_function(ops.tile(i0, j0, out.data() + i0 * m + j0, m));
  }
}

void rbf_kernel_weighted_sum(const Context& ctx, std::span<const double> x, std::size_t n,
                             std::span<const double> z, std::size_t m, std::size_t d, double gamma,
                             std::span<const double> w, std::span<double> out) {
  const WeightedTileFunction weighted = select_variant().run_weighted;
  const KernelOperands ops(x, n, z, m, d, gamma);
  const std::size_t row_tiles = ops.row_tiles();
  // A row tile is one thread's work item: its column tiles run in order into the row's running
  // sums, so no sum is split across threads. One row tile alone stays on the calling thread.
#pragma omp parallel num_threads(ctx.threads()) if (row_tiles > 1)
  {
    // Scratch tile (192 KiB) kept by the thread between calls: a fresh one per call would be
    // mmap'd and page-faulted each time (see kReusedPanelDoubles).
    thread_local std::vector<double> scratch;
    scratch.resize(kRowBlock * kColBlock);
    alignas(64) double sums[kRowBlock * kSumLanes];
#pragma omp for schedule(static)
    for (std::size_t t = 0; t < row_tiles; ++t) {
      const std::size_t i0 = t * kRowBlock;
      const std::size_t rows = std::min(kRowBlock, n - i0);
      std::fill(sums, sums + rows * kSumLanes, 0.0);
      for (std::size_t ct = 0; ct < ops.col_tiles(); ++ct) {
        const std::size_t j0 = ct * kColBlock;
        weighted(ops.tile(i0, j0, scratch.data(), kColBlock), w.data() + j0, sums);
      }
      for (std::size_t r = 0; r < rows; ++r) out[i0 + r] = sum_lanes(sums + r * kSumLanes);
    }
  }
}

}  // namespace thermex::cpu
