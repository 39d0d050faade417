// CUDA backend of SVR prediction: f(x) = b + sum_k beta_k exp(-gamma ||s(x) - sv_k||^2), chunked
// over queries so device memory stays within a budget for any number of queries. Per chunk: the
// raw queries are copied in and standardized on the device (the same (x - mean) / scale as the
// CPU's apply_scaler, so both backends see the same standardized bits), the kernel tile comes
// from rbf_kernel_matrix_device, cublasDgemv reduces it against the dual coefficients, and an
// epilogue adds the intercept and applies 10^f for log10 models.
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>

#include "../src/svr_predict_impl.hpp"
#include "thermex/cuda/check.hpp"
#include "thermex/cuda/cublas_handle.hpp"
#include "thermex/cuda/device_buffer.hpp"
#include "thermex/cuda/device_guard.hpp"
#include "thermex/cuda/rbf_kernel.hpp"
#include "thermex/error.hpp"

namespace thermex::cuda {
namespace {

// Elementwise kernels: 256 threads, at most 8 resident blocks per SM, grid-stride beyond that.
constexpr int kBlock = 256;
constexpr int kBlocksPerSm = 8;

cudaStream_t stream_of(const Context& ctx) { return static_cast<cudaStream_t>(ctx.cuda_stream()); }

unsigned grid_for(const Context& ctx, std::size_t items) {
  int sms = 0;
  THERMEX_CUDA_CHECK(
      cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, ctx.cuda_device()));
  const std::size_t budget = static_cast<std::size_t>(std::max(sms, 1)) * kBlocksPerSm;
  return static_cast<unsigned>(std::clamp<std::size_t>((items + kBlock - 1) / kBlock, 1, budget));
}

// In place x[e] = (x[e] - means[e % d]) / scales[e % d] over the rows x d row-major chunk: a
// subtraction and a true division, as the CPU scaler, so no contraction changes the bits.
__global__ void __launch_bounds__(kBlock)
    standardize_kernel(double* __restrict__ x, std::size_t count, std::size_t d,
                       const double* __restrict__ means, const double* __restrict__ scales) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t e = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < count;
       e += stride) {
    const std::size_t k = e % d;
    x[e] = (x[e] - means[k]) / scales[k];
  }
}

// f[i] = sum + b, then 10^f for log10 models: the CPU's order (sum first, then the intercept).
__global__ void __launch_bounds__(kBlock)
    intercept_epilogue_kernel(double* __restrict__ f, std::size_t n, double intercept,
                              bool log10_target) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    const double v = f[i] + intercept;
    f[i] = log10_target ? pow(10.0, v) : v;
  }
}

void launch_standardize(const Context& ctx, double* x, std::size_t rows, std::size_t d,
                        const double* means, const double* scales) {
  if (rows == 0) return;
  THERMEX_EXPECTS(d >= 1, "launch_standardize: d must be >= 1");
  THERMEX_EXPECTS(x != nullptr && means != nullptr && scales != nullptr,
                  "launch_standardize: null pointer");
  const std::size_t count = rows * d;
  standardize_kernel<<<grid_for(ctx, count), kBlock, 0, stream_of(ctx)>>>(x, count, d, means,
                                                                          scales);
  THERMEX_CUDA_CHECK(cudaGetLastError());
}

void launch_intercept_epilogue(const Context& ctx, double* f, std::size_t n, double intercept,
                               bool log10_target) {
  if (n == 0) return;
  THERMEX_EXPECTS(f != nullptr, "launch_intercept_epilogue: null pointer");
  intercept_epilogue_kernel<<<grid_for(ctx, n), kBlock, 0, stream_of(ctx)>>>(f, n, intercept,
                                                                             log10_target);
  THERMEX_CUDA_CHECK(cudaGetLastError());
}

// The model's arrays on the device, uploaded once per call.
struct DeviceModel {
  DeviceBuffer<double> sv, coef, means, scales;
};

DeviceModel upload(const SvrModel& model, cudaStream_t stream) {
  DeviceModel m{DeviceBuffer<double>(model.support_vectors.size(), stream),
                DeviceBuffer<double>(model.dual_coef.size(), stream),
                DeviceBuffer<double>(model.feature_means.size(), stream),
                DeviceBuffer<double>(model.feature_scales.size(), stream)};
  m.sv.copy_from_host(model.support_vectors);
  m.coef.copy_from_host(model.dual_coef);
  m.means.copy_from_host(model.feature_means);
  m.scales.copy_from_host(model.feature_scales);
  return m;
}

// Per-chunk device buffers, reallocated only when the chunk length changes (the first chunk
// and a shorter last one), so every copy covers a whole buffer.
struct ChunkBuffers {
  std::size_t rows = 0;
  DeviceBuffer<double> x, tile, f;
};

void resize(ChunkBuffers& b, std::size_t rows, std::size_t d, std::size_t n_sv,
            cudaStream_t stream) {
  if (b.rows == rows) return;
  b.rows = rows;
  b.x = DeviceBuffer<double>(rows * d, stream);
  b.tile = DeviceBuffer<double>(rows * n_sv, stream);
  b.f = DeviceBuffer<double>(rows, stream);
}

// f = tile * coef for the row-major rows x n_sv tile. Column-major, the tile is the n_sv x rows
// matrix T^T with leading dimension n_sv, so f = (T^T)^T coef: CUBLAS_OP_T. beta = 0: f is
// write-only. The _64 API takes 64-bit sizes.
void tile_times_coef(const Context& ctx, const double* tile, std::size_t rows, std::size_t n_sv,
                     const double* coef, double* f) {
  CublasHandle& cublas = thread_cublas_handle(ctx.cuda_device());
  cublas.set_stream(stream_of(ctx));
  const double one = 1.0;
  const double zero = 0.0;
  const auto m = static_cast<std::int64_t>(n_sv);
  THERMEX_CUDA_CHECK(cublasDgemv_64(cublas.get(), CUBLAS_OP_T, m, static_cast<std::int64_t>(rows),
                                    &one, tile, m, coef, 1, &zero, f, 1));
}

}  // namespace

void svr_predict(const Context& ctx, const SvrModel& model, std::span<const double> x_rowmajor,
                 std::size_t n, std::span<double> out, const SvrPredictOptions& options) {
  const std::size_t d = model.n_features;
  const std::size_t n_sv = model.n_support();
  THERMEX_EXPECTS(d >= 1 && model.support_vectors.size() == n_sv * d &&
                      model.feature_means.size() == d && model.feature_scales.size() == d,
                  "cuda::svr_predict: inconsistent model");
  THERMEX_EXPECTS(x_rowmajor.size() == n * d && out.size() == n,
                  "cuda::svr_predict: x must hold n * d values and out n values");
  THERMEX_EXPECTS(n_sv == 0 || (std::isfinite(model.gamma_value) && model.gamma_value > 0.0),
                  "cuda::svr_predict: gamma must be finite and > 0");
  if (n == 0) return;
  const DeviceGuard guard(ctx.cuda_device());
  const cudaStream_t stream = stream_of(ctx);
  const DeviceModel dm = upload(model, stream);
  const std::size_t chunk = svr_predict_chunk_rows(n_sv, d, options.tile_budget_bytes);
  ChunkBuffers b;
  for (std::size_t r0 = 0; r0 < n; r0 += chunk) {
    const std::size_t rows = std::min(chunk, n - r0);
    resize(b, rows, d, n_sv, stream);
    b.x.copy_from_host(x_rowmajor.subspan(r0 * d, rows * d));
    launch_standardize(ctx, b.x.data(), rows, d, dm.means.data(), dm.scales.data());
    if (n_sv == 0) {
      b.f.fill_bytes(0);  // the empty sum: all-zero bytes are +0.0
    } else {
      rbf_kernel_matrix_device(ctx, b.x.data(), rows, dm.sv.data(), n_sv, d, model.gamma_value,
                               b.tile.data());
      tile_times_coef(ctx, b.tile.data(), rows, n_sv, dm.coef.data(), b.f.data());
    }
    launch_intercept_epilogue(ctx, b.f.data(), rows, model.intercept, model.spec.log10_target);
    // Blocks until the chunk is back: `out` is host memory the caller reads, and the next
    // chunk's copy into b.x must not overwrite queries still being read.
    b.f.copy_to_host(out.subspan(r0, rows));
  }
}

}  // namespace thermex::cuda
