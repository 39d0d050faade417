// CUDA backend of exact interventional SHAP for the RBF SVR (src/shap_exact_impl.hpp): the
// player factors exp(-D) of the background and of the explained rows (math::player_distance,
// math::player_factor), Owen's formula per (row, background row, support vector) game through
// the same math::owen_shapley_add_lanes the CPU twin runs (with one lane per thread), and
// fixed-order sums: a CUB block sum per (tile, row) block, then the tiles in order. No atomics,
// so the bytes do not depend on scheduling.
#include <cuda_runtime.h>

#include <cub/block/block_reduce.cuh>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "../src/shap_exact_impl.hpp"
#include "thermex/cuda/check.hpp"
#include "thermex/cuda/device_buffer.hpp"
#include "thermex/cuda/device_guard.hpp"
#include "thermex/error.hpp"
#include "thermex/math/shapley.hpp"

namespace thermex::cuda {
namespace {

// Elementwise factor kernel: 256 threads, at most 8 resident blocks per SM, grid-stride beyond.
constexpr int kFactorBlock = 256;
constexpr int kBlocksPerSm = 8;
// Owen kernel: 128 threads, each summing kPairsPerThread games of its tile in a fixed order.
constexpr int kOwenBlock = 128;
constexpr int kPairsPerThread = 16;
static_assert(static_cast<std::size_t>(kOwenBlock) * kPairsPerThread == kShapExactPairsPerTile,
              "a tile is one block's threads times their pairs");
constexpr int kTileSumBlock = 256;
constexpr std::size_t kMaxPlayers = 64;  // kShapExactMaxPlayers; the largest kernel instance

// Gauss-Legendre nodes and weights, passed by value (kernel parameter space) and copied to
// shared memory by each block.
struct Nodes {
  double u[math::kMaxGaussNodes];
  double w[math::kMaxGaussNodes];
  int count;
};

cudaStream_t stream_of(const Context& ctx) { return static_cast<cudaStream_t>(ctx.cuda_stream()); }

unsigned grid_for(const Context& ctx, std::size_t items, int block) {
  int sms = 0;
  THERMEX_CUDA_CHECK(
      cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, ctx.cuda_device()));
  const std::size_t budget = static_cast<std::size_t>(std::max(sms, 1)) * kBlocksPerSm;
  const auto per_block = static_cast<std::size_t>(block);
  return static_cast<unsigned>(
      std::clamp<std::size_t>((items + per_block - 1) / per_block, 1, budget));
}

// out[(r m + p) n_sv + k] = exp(-D_kp(z_r)) for the rows x d standardized rows z: player-major
// within a row, so that consecutive threads of the Owen kernel (consecutive k) read consecutive
// addresses. `offsets` (m + 1) and `cols` (d) are the players in CSR form.
__global__ void __launch_bounds__(kFactorBlock)
    player_factors_kernel(const double* __restrict__ z, std::size_t rows,
                          const double* __restrict__ sv, std::size_t n_sv, std::size_t d,
                          const std::uint32_t* __restrict__ offsets,
                          const std::uint32_t* __restrict__ cols, std::size_t m, double gamma,
                          double* __restrict__ out) {
  const std::size_t count = rows * m * n_sv;
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t e = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < count;
       e += stride) {
    const std::size_t k = e % n_sv;
    const std::size_t rp = e / n_sv;
    const std::size_t p = rp % m;
    const std::size_t r = rp / m;
    const std::uint32_t begin = offsets[p];
    const auto n_cols = static_cast<int>(offsets[p + 1] - begin);
    out[e] = math::player_factor(
        math::player_distance(z + r * d, sv + k * d, cols + begin, n_cols, gamma));
  }
}

// One block per (tile, row): blockIdx.x is the tile of kShapExactPairsPerTile pairs
// q = b n_sv + k, blockIdx.y the row within the chunk. Thread t sums the games q = tile start +
// t, + kOwenBlock, ... in that order into acc (local memory, MaxM >= m players), then each
// player's total over the block goes through a CUB block sum (a fixed tree) into
// partial[(row tiles + tile) m + player]. `weight` holds the normalized background weights.
template <int MaxM>
__global__ void __launch_bounds__(kOwenBlock)
    owen_tiles_kernel(const double* __restrict__ x_fac, const double* __restrict__ bg_fac,
                      const double* __restrict__ beta, const double* __restrict__ weight,
                      std::size_t nb, std::size_t n_sv, int m, Nodes nodes,
                      double* __restrict__ partial) {
  using BlockReduce = cub::BlockReduce<double, kOwenBlock>;
  __shared__ typename BlockReduce::TempStorage temp;
  __shared__ double su[math::kMaxGaussNodes];
  __shared__ double sw[math::kMaxGaussNodes];
  const int tid = static_cast<int>(threadIdx.x);
  if (tid < nodes.count) {
    su[tid] = nodes.u[tid];
    sw[tid] = nodes.w[tid];
  }
  __syncthreads();
  const std::size_t tile = blockIdx.x;
  const std::size_t row = blockIdx.y;
  const std::size_t plane = static_cast<std::size_t>(m) * n_sv;
  const std::size_t begin = tile * kShapExactPairsPerTile;
  const std::size_t pairs = nb * n_sv;
  const std::size_t end =
      begin + kShapExactPairsPerTile < pairs ? begin + kShapExactPairsPerTile : pairs;
  const double* a_row = x_fac + row * plane;
  double acc[MaxM];
  double work[3 * MaxM];
  for (int i = 0; i < m; ++i) acc[i] = 0.0;
  for (std::size_t q = begin + threadIdx.x; q < end; q += kOwenBlock) {
    const std::size_t b = q / n_sv;
    const std::size_t k = q - b * n_sv;
    const double scale = beta[k] * weight[b];
    math::owen_shapley_add_lanes<1>(a_row + k, bg_fac + b * plane + k, m, static_cast<int>(n_sv),
                                    &scale, su, sw, nodes.count, work, acc);
  }
  for (int i = 0; i < m; ++i) {
    const double total = BlockReduce(temp).Sum(acc[i]);
    if (tid == 0) partial[(row * gridDim.x + tile) * static_cast<std::size_t>(m) + i] = total;
    __syncthreads();  // temp is reused by the next player's sum
  }
}

// out[r m + p] = sum over tiles t in order of partial[(r tiles + t) m + p].
__global__ void __launch_bounds__(kTileSumBlock)
    sum_tiles_kernel(const double* __restrict__ partial, std::size_t rows, std::size_t tiles,
                     std::size_t m, double* __restrict__ out) {
  const std::size_t count = rows * m;
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t e = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < count;
       e += stride) {
    const std::size_t r = e / m;
    const std::size_t p = e - r * m;
    double sum = 0.0;
    for (std::size_t t = 0; t < tiles; ++t) sum += partial[(r * tiles + t) * m + p];
    out[e] = sum;
  }
}

// The players in CSR form with 32-bit column indices, after checking they partition [0, d).
struct PlayerCsr {
  std::vector<std::uint32_t> offsets, cols;
};

PlayerCsr player_csr(const std::vector<std::vector<std::size_t>>& players, std::size_t d) {
  PlayerCsr csr;
  std::vector<int> seen(d, 0);
  csr.offsets.push_back(0);
  for (const auto& cols : players) {
    THERMEX_EXPECTS(!cols.empty(), "cuda::shap_exact: every player needs a column");
    for (std::size_t c : cols) {
      THERMEX_EXPECTS(c < d && seen[c]++ == 0,
                      "cuda::shap_exact: players must partition the d columns");
      csr.cols.push_back(static_cast<std::uint32_t>(c));
    }
    csr.offsets.push_back(static_cast<std::uint32_t>(csr.cols.size()));
  }
  THERMEX_EXPECTS(csr.cols.size() == d, "cuda::shap_exact: players must partition the d columns");
  return csr;
}

// omega_b = w_b / sum w (summed in order b = 0, 1, ...), or 1 / nb without weights.
std::vector<double> normalized_weights(std::span<const double> w, std::size_t nb) {
  if (w.empty()) return std::vector<double>(nb, 1.0 / static_cast<double>(nb));
  THERMEX_EXPECTS(w.size() == nb, "cuda::shap_exact: one background weight per background row");
  double total = 0.0;
  for (double v : w) {
    THERMEX_EXPECTS(std::isfinite(v) && v >= 0.0,
                    "cuda::shap_exact: background weights must be finite and >= 0");
    total += v;
  }
  THERMEX_EXPECTS(total > 0.0 && std::isfinite(total),
                  "cuda::shap_exact: background weights must have a finite sum > 0");
  std::vector<double> omega(w.begin(), w.end());
  for (double& v : omega) v /= total;
  return omega;
}

void validate(const ShapExactInputs& in, std::span<const double> values, std::size_t m) {
  const std::size_t n_sv = in.beta.size();
  THERMEX_EXPECTS(in.d >= 1 && in.nb >= 1, "cuda::shap_exact: need d >= 1 and nb >= 1");
  THERMEX_EXPECTS(in.x_std.size() == in.n * in.d && in.background_std.size() == in.nb * in.d,
                  "cuda::shap_exact: x must hold n x d and the background nb x d values");
  THERMEX_EXPECTS(in.support_vectors.size() == n_sv * in.d,
                  "cuda::shap_exact: support vectors must hold n_sv x d values");
  THERMEX_EXPECTS(m >= 1 && m <= kMaxPlayers, "cuda::shap_exact: need 1 to 64 players");
  THERMEX_EXPECTS(values.size() == in.n * m, "cuda::shap_exact: values must hold n x m entries");
  THERMEX_EXPECTS(n_sv == 0 || (std::isfinite(in.gamma) && in.gamma > 0.0),
                  "cuda::shap_exact: gamma must be finite and > 0");
  // owen_shapley_add_lanes indexes a player's factors with int strides (i * n_sv).
  THERMEX_EXPECTS(m * n_sv <= static_cast<std::size_t>(INT_MAX),
                  "cuda::shap_exact: players x support vectors exceeds INT_MAX");
}

// Device copies of everything that does not change between row chunks.
struct DeviceGame {
  DeviceBuffer<double> sv, beta, weight, bg_fac;
  DeviceBuffer<std::uint32_t> offsets, cols;
};

void launch_factors(const Context& ctx, const double* z, std::size_t rows, const DeviceGame& g,
                    std::size_t n_sv, std::size_t d, std::size_t m, double gamma, double* out) {
  if (rows == 0 || n_sv == 0) return;
  THERMEX_EXPECTS(z != nullptr && out != nullptr, "cuda::shap_exact: null factor buffers");
  player_factors_kernel<<<grid_for(ctx, rows * m * n_sv, kFactorBlock), kFactorBlock, 0,
                          stream_of(ctx)>>>(z, rows, g.sv.data(), n_sv, d, g.offsets.data(),
                                            g.cols.data(), m, gamma, out);
  THERMEX_CUDA_CHECK(cudaGetLastError());
}

DeviceGame upload_game(const Context& ctx, const ShapExactInputs& in, const PlayerCsr& csr) {
  const cudaStream_t stream = stream_of(ctx);
  const std::size_t n_sv = in.beta.size();
  const std::size_t m = csr.offsets.size() - 1;
  const std::vector<double> omega = normalized_weights(in.background_weights, in.nb);
  DeviceGame g{DeviceBuffer<double>(in.support_vectors.size(), stream),
               DeviceBuffer<double>(n_sv, stream),
               DeviceBuffer<double>(in.nb, stream),
               DeviceBuffer<double>(in.nb * m * n_sv, stream),
               DeviceBuffer<std::uint32_t>(csr.offsets.size(), stream),
               DeviceBuffer<std::uint32_t>(csr.cols.size(), stream)};
  g.sv.copy_from_host(in.support_vectors);
  g.beta.copy_from_host(in.beta);
  g.weight.copy_from_host(omega);
  g.offsets.copy_from_host(csr.offsets);
  g.cols.copy_from_host(csr.cols);
  // The background factors once for all rows; the standardized background is freed (in stream
  // order) as soon as they exist.
  DeviceBuffer<double> b_std(in.background_std.size(), stream);
  b_std.copy_from_host(in.background_std);
  launch_factors(ctx, b_std.data(), in.nb, g, n_sv, in.d, m, in.gamma, g.bg_fac.data());
  return g;
}

void launch_owen(const Context& ctx, const DeviceGame& g, const double* x_fac, std::size_t rows,
                 std::size_t nb, std::size_t n_sv, std::size_t m, const Nodes& nodes,
                 std::size_t tiles, double* partial) {
  THERMEX_EXPECTS(rows <= 65535 && tiles <= static_cast<std::size_t>(INT_MAX),
                  "cuda::shap_exact: grid too large");
  const dim3 grid(static_cast<unsigned>(tiles), static_cast<unsigned>(rows));
  const auto mi = static_cast<int>(m);
  const cudaStream_t stream = stream_of(ctx);
  // The smallest instance that holds m players keeps the per-thread scratch (4 MaxM doubles of
  // local memory) small for the common m <= 16.
  if (m <= 16) {
    owen_tiles_kernel<16><<<grid, kOwenBlock, 0, stream>>>(
        x_fac, g.bg_fac.data(), g.beta.data(), g.weight.data(), nb, n_sv, mi, nodes, partial);
  } else if (m <= 32) {
    owen_tiles_kernel<32><<<grid, kOwenBlock, 0, stream>>>(
        x_fac, g.bg_fac.data(), g.beta.data(), g.weight.data(), nb, n_sv, mi, nodes, partial);
  } else {
    owen_tiles_kernel<64><<<grid, kOwenBlock, 0, stream>>>(
        x_fac, g.bg_fac.data(), g.beta.data(), g.weight.data(), nb, n_sv, mi, nodes, partial);
  }
  THERMEX_CUDA_CHECK(cudaGetLastError());
}

void launch_sum_tiles(const Context& ctx, const double* partial, std::size_t rows,
                      std::size_t tiles, std::size_t m, double* out) {
  if (rows == 0) return;
  sum_tiles_kernel<<<grid_for(ctx, rows * m, kTileSumBlock), kTileSumBlock, 0, stream_of(ctx)>>>(
      partial, rows, tiles, m, out);
  THERMEX_CUDA_CHECK(cudaGetLastError());
}

Nodes gauss_nodes(std::size_t m) {
  Nodes nodes{};
  nodes.count = math::owen_node_count(static_cast<int>(m));
  THERMEX_EXPECTS(math::gauss_legendre_01(nodes.count, nodes.u, nodes.w),
                  "cuda::shap_exact: too many quadrature nodes");
  return nodes;
}

// Per-chunk device buffers, reallocated only when the chunk length changes (the first chunk
// and a shorter last one), so every copy covers a whole buffer.
struct ChunkBuffers {
  std::size_t rows = 0;
  DeviceBuffer<double> x, x_fac, partial, values;
};

void resize(ChunkBuffers& b, std::size_t rows, std::size_t d, std::size_t m, std::size_t n_sv,
            std::size_t tiles, cudaStream_t stream) {
  if (b.rows == rows) return;
  b.rows = rows;
  b.x = DeviceBuffer<double>(rows * d, stream);
  b.x_fac = DeviceBuffer<double>(rows * m * n_sv, stream);
  b.partial = DeviceBuffer<double>(rows * tiles * m, stream);
  b.values = DeviceBuffer<double>(rows * m, stream);
}

}  // namespace

void shap_exact(const Context& ctx, const ShapExactInputs& in, std::span<double> values,
                const ShapExactCudaOptions& options) {
  THERMEX_EXPECTS(in.players != nullptr, "cuda::shap_exact: no players");
  const std::size_t m = in.players->size();
  validate(in, values, m);
  const PlayerCsr csr = player_csr(*in.players, in.d);
  if (in.n == 0) return;
  const std::size_t n_sv = in.beta.size();
  if (n_sv == 0) {  // f is the constant intercept: every player's value is 0
    std::fill(values.begin(), values.end(), 0.0);
    return;
  }
  const DeviceGuard guard(ctx.cuda_device());
  const cudaStream_t stream = stream_of(ctx);
  const DeviceGame g = upload_game(ctx, in, csr);
  const Nodes nodes = gauss_nodes(m);
  const std::size_t tiles = (in.nb * n_sv + kShapExactPairsPerTile - 1) / kShapExactPairsPerTile;
  const std::size_t chunk = shap_exact_chunk_rows(m, n_sv, in.nb, in.d, options.chunk_budget_bytes);
  ChunkBuffers b;
  for (std::size_t r0 = 0; r0 < in.n; r0 += chunk) {
    const std::size_t rows = std::min(chunk, in.n - r0);
    resize(b, rows, in.d, m, n_sv, tiles, stream);
    b.x.copy_from_host(in.x_std.subspan(r0 * in.d, rows * in.d));
    b.values.fill_bytes(0xFF);  // NaN: an entry no kernel wrote cannot pass for a value
    launch_factors(ctx, b.x.data(), rows, g, n_sv, in.d, m, in.gamma, b.x_fac.data());
    launch_owen(ctx, g, b.x_fac.data(), rows, in.nb, n_sv, m, nodes, tiles, b.partial.data());
    launch_sum_tiles(ctx, b.partial.data(), rows, tiles, m, b.values.data());
    // Blocks until the chunk is back: `values` is host memory the caller reads, and the next
    // chunk's copy into b.x must not overwrite rows still being read.
    b.values.copy_to_host(values.subspan(r0 * m, rows * m));
  }
}

}  // namespace thermex::cuda
