// CUDA backend of the Monte Carlo SHAP estimators (src/shap_mc_impl.hpp): the coalition values
// v(S) and v(~S) of a batch of coalitions, one block per (coalition, tile of (b, k) pairs),
// each pair's exponents from math::coalition_exponent_pair (the function the CPU twin calls),
// then fixed-order sums: a CUB block sum per block, then the tiles in order. No atomics, so the
// bytes do not depend on scheduling.
//
// The coalitions are drawn on the host by the shared drivers (src/cpu/shap_*_cpu.cpp) with
// thermex's counter-based Philox4x32-10 stream (math/philox.hpp, the generator cuRAND calls
// Philox4_32_10), keyed (seed, kShapSample, row << 32 | pair) exactly as on the CPU. No cuRAND
// state is needed: the CPU and the GPU see the same permutations and coalitions, and a draw
// costs O(m) against the O(m nb n_sv) of evaluating it.
#include <cuda_runtime.h>

#include <cub/block/block_reduce.cuh>

#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "../src/shap_mc_impl.hpp"
#include "thermex/cuda/check.hpp"
#include "thermex/cuda/device_buffer.hpp"
#include "thermex/cuda/device_guard.hpp"
#include "thermex/error.hpp"
#include "thermex/math/shap_coalition.hpp"

namespace thermex::cuda {
namespace {

// Coalition kernel: 128 threads, each summing kPairsPerThread (b, k) pairs of its tile.
constexpr int kCoalitionBlock = 128;
constexpr int kPairsPerThread = 16;
static_assert(static_cast<std::size_t>(kCoalitionBlock) * kPairsPerThread == kShapMcPairsPerTile,
              "a tile is one block's threads times their pairs");
constexpr int kTileSumBlock = 256;
constexpr int kBlocksPerSm = 8;
constexpr std::size_t kMaxTiles = 65535;  // the grid's y limit

cudaStream_t stream_of(const Context& ctx) { return static_cast<cudaStream_t>(ctx.cuda_stream()); }

// One block per (coalition blockIdx.x, tile blockIdx.y). x_dist is slots x m x n_sv (D_kp(x),
// player-major per row), bg_dist m x q_count (D_kp(b) at q = b n_sv + k), coef q_count values
// w_b beta_k. Thread t sums the pairs q = tile start + t, + kCoalitionBlock, ... in that order
// for the coalition and its complement; CUB block sums (fixed trees) then write
// partial[(c tiles + tile) 2 + {0: S, 1: ~S}].
__global__ void __launch_bounds__(kCoalitionBlock)
    coalition_tiles_kernel(const double* __restrict__ x_dist, const double* __restrict__ bg_dist,
                           const double* __restrict__ coef, std::size_t q_count, std::size_t n_sv,
                           int m, int words, const std::uint32_t* __restrict__ slot,
                           const std::uint64_t* __restrict__ masks, double* __restrict__ partial) {
  using BlockReduce = cub::BlockReduce<double, kCoalitionBlock>;
  __shared__ typename BlockReduce::TempStorage temp;
  extern __shared__ std::uint64_t mask[];  // `words` words of this block's coalition
  const std::size_t c = blockIdx.x;
  const std::size_t tile = blockIdx.y;
  const int tid = static_cast<int>(threadIdx.x);
  for (int w = tid; w < words; w += kCoalitionBlock) {
    mask[w] = masks[c * static_cast<std::size_t>(words) + static_cast<std::size_t>(w)];
  }
  __syncthreads();
  const double* xr =
      x_dist + static_cast<std::size_t>(slot[c]) * static_cast<std::size_t>(m) * n_sv;
  const std::size_t begin = tile * kShapMcPairsPerTile;
  const std::size_t end =
      begin + kShapMcPairsPerTile < q_count ? begin + kShapMcPairsPerTile : q_count;
  double acc_s = 0.0, acc_c = 0.0;
  for (std::size_t q = begin + threadIdx.x; q < end; q += kCoalitionBlock) {
    const std::size_t k = q % n_sv;
    double e_s = 0.0, e_c = 0.0;
    math::coalition_exponent_pair(xr + k, n_sv, bg_dist + q, q_count, mask, m, e_s, e_c);
    acc_s += coef[q] * exp(-e_s);
    acc_c += coef[q] * exp(-e_c);
  }
  const double total_s = BlockReduce(temp).Sum(acc_s);
  __syncthreads();  // temp is reused by the complement's sum
  const double total_c = BlockReduce(temp).Sum(acc_c);
  if (tid == 0) {
    const std::size_t at = (c * gridDim.y + tile) * 2;
    partial[at] = total_s;
    partial[at + 1] = total_c;
  }
}

// out[e] = sum over tiles t in order of partial[(c tiles + t) 2 + h] for e = 2 c + h.
__global__ void __launch_bounds__(kTileSumBlock)
    sum_tiles_kernel(const double* __restrict__ partial, std::size_t count, std::size_t tiles,
                     double* __restrict__ out) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t e = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < count;
       e += stride) {
    const std::size_t c = e / 2;
    const std::size_t h = e - 2 * c;
    double sum = 0.0;
    for (std::size_t t = 0; t < tiles; ++t) sum += partial[(c * tiles + t) * 2 + h];
    out[e] = sum;
  }
}

// Grows `buf` to at least `size` elements (contents are not kept).
template <typename T>
void ensure(DeviceBuffer<T>& buf, std::size_t size, cudaStream_t stream) {
  if (buf.size() < size) buf = DeviceBuffer<T>(size, stream);
}

template <typename T>
void upload(DeviceBuffer<T>& dst, std::span<const T> src, cudaStream_t stream) {
  if (src.empty()) return;
  THERMEX_CUDA_CHECK(
      cudaMemcpyAsync(dst.data(), src.data(), src.size_bytes(), cudaMemcpyHostToDevice, stream));
}

class CudaCoalitionEvaluator final : public thermex::detail::CoalitionEvaluator {
 public:
  CudaCoalitionEvaluator(const Context& ctx, const thermex::detail::ShapGame& game,
                         std::span<const double> x_std, const ShapMcCudaOptions& options)
      : ctx_(ctx), game_(game), x_std_(x_std), stream_(stream_of(ctx)), guard_(ctx.cuda_device()) {
    const std::size_t q_count = game.nb * game.n_sv;
    tiles_ = (q_count + kShapMcPairsPerTile - 1) / kShapMcPairsPerTile;
    THERMEX_EXPECTS(tiles_ <= kMaxTiles,
                    "cuda::shap (Monte Carlo): background rows x support vectors exceeds "
                    "65535 tiles of 2048");
    THERMEX_EXPECTS(game.m >= 1 && game.m <= static_cast<std::size_t>(INT_MAX / 64),
                    "cuda::shap (Monte Carlo): bad player count");
    max_rows_ = shap_mc_chunk_rows(game.m, game.n_sv, game.nb, options.chunk_budget_bytes);
    if (q_count == 0) return;  // no support vectors: every value is 0, nothing on the device
    const ShapMcBackground bg = shap_mc_background(game);
    bg_ = DeviceBuffer<double>(bg.bg_dist.size(), stream_);
    coef_ = DeviceBuffer<double>(bg.coef.size(), stream_);
    bg_.copy_from_host(bg.bg_dist);
    coef_.copy_from_host(bg.coef);
  }

  std::size_t max_rows() const override { return max_rows_; }

  void load_rows(std::size_t r0, std::size_t count) override {
    THERMEX_EXPECTS(count <= max_rows_ && (r0 + count) * game_.d <= x_std_.size(),
                    "cuda::shap (Monte Carlo): rows out of range");
    loaded_ = count;
    if (game_.n_sv == 0 || count == 0) return;
    const std::vector<double> rows = shap_mc_row_distances(game_, x_std_, r0, count);
    ensure(x_dist_, rows.size(), stream_);
    upload<double>(x_dist_, rows, stream_);
  }

  void evaluate(const thermex::detail::CoalitionBatch& batch, std::span<double> values) override {
    const std::size_t count = batch.size();
    THERMEX_EXPECTS(values.size() == 2 * count && batch.masks.size() == count * batch.words &&
                        batch.words == static_cast<std::size_t>(
                                           math::coalition_words(static_cast<int>(game_.m))),
                    "cuda::shap (Monte Carlo): inconsistent coalition batch");
    for (std::uint32_t s : batch.slot) {
      THERMEX_EXPECTS(s < loaded_, "cuda::shap (Monte Carlo): coalition of a row not loaded");
    }
    if (count == 0) return;
    if (game_.n_sv == 0) {
      std::fill(values.begin(), values.end(), 0.0);
      return;
    }
    THERMEX_EXPECTS(count <= static_cast<std::size_t>(INT_MAX),
                    "cuda::shap (Monte Carlo): too many coalitions in one batch");
    ensure(slot_, count, stream_);
    ensure(masks_, batch.masks.size(), stream_);
    ensure(partial_, count * tiles_ * 2, stream_);
    ensure(out_, 2 * count, stream_);
    upload<std::uint32_t>(slot_, batch.slot, stream_);
    upload<std::uint64_t>(masks_, batch.masks, stream_);
    // NaN: a value no kernel wrote cannot pass for one.
    THERMEX_CUDA_CHECK(cudaMemsetAsync(out_.data(), 0xFF, 2 * count * sizeof(double), stream_));
    launch(count, batch.words);
    THERMEX_CUDA_CHECK(cudaMemcpyAsync(values.data(), out_.data(), 2 * count * sizeof(double),
                                       cudaMemcpyDeviceToHost, stream_));
    // The host needs the values now: the driver forms the samples and the stop decisions.
    THERMEX_CUDA_CHECK(cudaStreamSynchronize(stream_));
    const double divisor = game_.bg_divisor();
    for (double& v : values) v /= divisor;
  }

 private:
  void launch(std::size_t count, std::size_t words) {
    const dim3 grid(static_cast<unsigned>(count), static_cast<unsigned>(tiles_));
    coalition_tiles_kernel<<<grid, kCoalitionBlock, words * sizeof(std::uint64_t), stream_>>>(
        x_dist_.data(), bg_.data(), coef_.data(), game_.nb * game_.n_sv, game_.n_sv,
        static_cast<int>(game_.m), static_cast<int>(words), slot_.data(), masks_.data(),
        partial_.data());
    THERMEX_CUDA_CHECK(cudaGetLastError());
    int sms = 0;
    THERMEX_CUDA_CHECK(
        cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, ctx_.cuda_device()));
    const std::size_t items = 2 * count;
    const auto blocks =
        std::clamp<std::size_t>((items + kTileSumBlock - 1) / kTileSumBlock, 1,
                                static_cast<std::size_t>(std::max(sms, 1)) * kBlocksPerSm);
    sum_tiles_kernel<<<static_cast<unsigned>(blocks), kTileSumBlock, 0, stream_>>>(
        partial_.data(), items, tiles_, out_.data());
    THERMEX_CUDA_CHECK(cudaGetLastError());
  }

  const Context& ctx_;
  const thermex::detail::ShapGame& game_;
  std::span<const double> x_std_;
  cudaStream_t stream_;
  // The context's device is current for the evaluator's lifetime, its buffers' frees included
  // (members are destroyed in reverse order, the buffers before the guard).
  DeviceGuard guard_;
  std::size_t tiles_ = 0, max_rows_ = 1, loaded_ = 0;
  DeviceBuffer<double> bg_, coef_, x_dist_, partial_, out_;
  DeviceBuffer<std::uint32_t> slot_;
  DeviceBuffer<std::uint64_t> masks_;
};

}  // namespace

std::unique_ptr<thermex::detail::CoalitionEvaluator> make_coalition_evaluator(
    const Context& ctx, const thermex::detail::ShapGame& game, std::span<const double> x_std,
    const ShapMcCudaOptions& options) {
  return std::make_unique<CudaCoalitionEvaluator>(ctx, game, x_std, options);
}

void shap_permutation(const Context& ctx, const thermex::detail::ShapGame& game,
                      std::span<const double> x_std, std::size_t n, std::uint64_t seed,
                      std::size_t pairs, double target_se, ShapResult& out,
                      const ShapMcCudaOptions& options) {
  THERMEX_EXPECTS(x_std.size() == n * game.d, "cuda::shap_permutation: x must hold n x d values");
  if (n == 0) return;
  const auto evaluator = make_coalition_evaluator(ctx, game, x_std, options);
  thermex::detail::shap_permutation_with(game, n, seed, pairs, target_se, *evaluator, out);
}

void shap_kernel(const Context& ctx, const thermex::detail::ShapGame& game,
                 std::span<const double> x_std, std::size_t n, std::uint64_t seed,
                 std::size_t pairs, double target_se, ShapResult& out,
                 const ShapMcCudaOptions& options) {
  THERMEX_EXPECTS(x_std.size() == n * game.d, "cuda::shap_kernel: x must hold n x d values");
  if (n == 0) return;
  const auto evaluator = make_coalition_evaluator(ctx, game, x_std, options);
  thermex::detail::shap_kernel_with(game, x_std, n, seed, pairs, target_se, *evaluator, out);
}

}  // namespace thermex::cuda
