// CUDA backend of the RBF kernel matrix: squared norms, one cuBLAS DGEMM for x z^T, and a fused
// epilogue that turns each dot product into exp(-gamma * d2) through the same
// math::rbf_from_norms_and_dot the CPU twin calls. No Eigen here (STYLE.md section 1).
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>

#include "../src/rbf_kernel_impl.hpp"
#include "thermex/cuda/check.hpp"
#include "thermex/cuda/cublas_handle.hpp"
#include "thermex/cuda/device_buffer.hpp"
#include "thermex/cuda/device_guard.hpp"
#include "thermex/cuda/rbf_kernel.hpp"
#include "thermex/error.hpp"
#include "thermex/math/rbf.hpp"

namespace thermex::cuda {
namespace {

constexpr int kWarpSize = 32;
constexpr unsigned kFullWarpMask = 0xffffffffu;
// 8 warps per block, one row per warp.
constexpr int kNormsBlock = 256;
constexpr int kNormsRowsPerBlock = kNormsBlock / kWarpSize;
// 256 threads x 8 resident blocks fills an H100 SM (2048 threads); the grid is sized to that
// many blocks per SM and grid-strides over the rest.
constexpr int kEpilogueBlock = 256;
constexpr int kBlocksPerSm = 8;
constexpr unsigned kMaxGridY = 65535;  // hardware limit of gridDim.y
constexpr std::size_t kVectorBytes = 16;

cudaStream_t stream_of(const Context& ctx) { return static_cast<cudaStream_t>(ctx.cuda_stream()); }

int sm_count(const Context& ctx) {
  int sms = 0;
  THERMEX_CUDA_CHECK(
      cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, ctx.cuda_device()));
  return sms;
}

bool aligned16(const void* p) { return reinterpret_cast<std::uintptr_t>(p) % kVectorBytes == 0; }

// One warp per row: lanes stride over the columns (coalesced reads of the row-major row), then a
// butterfly shuffle sum in a fixed order, so every run gives the same bits. Every lane of a warp
// shares `row`, so the loop is warp-uniform and the full mask is valid.
__global__ void __launch_bounds__(kNormsBlock)
    squared_row_norms_kernel(const double* __restrict__ x, std::size_t n, std::size_t d,
                             double* __restrict__ norms) {
  const std::size_t lane = threadIdx.x % kWarpSize;
  const std::size_t warp =
      (static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarpSize;
  const std::size_t warps = static_cast<std::size_t>(gridDim.x) * kNormsRowsPerBlock;
  for (std::size_t row = warp; row < n; row += warps) {
    const double* r = x + row * d;
    double sum = 0.0;
    for (std::size_t k = lane; k < d; k += kWarpSize) sum += r[k] * r[k];
    for (int offset = kWarpSize / 2; offset > 0; offset /= 2) {
      sum += __shfl_xor_sync(kFullWarpMask, sum, offset);
    }
    if (lane == 0) norms[row] = sum;
  }
}

// Rows stride over gridDim.y, columns over gridDim.x * blockDim.x; 64-bit offsets because
// i * m exceeds 2^31 for n = m = 46341. Reads and writes of k are coalesced along the row;
// norm_z2 stays in L1/L2 across rows.
__global__ void __launch_bounds__(kEpilogueBlock)
    rbf_epilogue_kernel(const double* __restrict__ norm_x2, std::size_t n,
                        const double* __restrict__ norm_z2, std::size_t m, double gamma,
                        double* __restrict__ k) {
  const std::size_t col_stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  const std::size_t col0 = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  for (std::size_t i = blockIdx.y; i < n; i += gridDim.y) {
    const double nx = norm_x2[i];
    double* row = k + i * m;
    for (std::size_t j = col0; j < m; j += col_stride) {
      row[j] = math::rbf_from_norms_and_dot(nx, norm_z2[j], row[j], gamma);
    }
  }
}

// The same with one 16-byte access per thread per array (two entries), which Hopper rewards for
// streaming kernels. Needs m even and k, norm_z2 16-byte aligned (checked by the launcher).
__global__ void __launch_bounds__(kEpilogueBlock)
    rbf_epilogue_kernel_vec2(const double* __restrict__ norm_x2, std::size_t n,
                             const double2* __restrict__ norm_z2, std::size_t m, double gamma,
                             double2* __restrict__ k) {
  const std::size_t pairs = m / 2;
  const std::size_t col_stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  const std::size_t col0 = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  for (std::size_t i = blockIdx.y; i < n; i += gridDim.y) {
    const double nx = norm_x2[i];
    double2* row = k + i * pairs;
    for (std::size_t p = col0; p < pairs; p += col_stride) {
      const double2 nz = norm_z2[p];
      double2 v = row[p];
      v.x = math::rbf_from_norms_and_dot(nx, nz.x, v.x, gamma);
      v.y = math::rbf_from_norms_and_dot(nx, nz.y, v.y, gamma);
      row[p] = v;
    }
  }
}

// Grid for the epilogue: enough column blocks to cover one row (capped by the SM budget), and
// rows spread over gridDim.y so that about kBlocksPerSm blocks land on each SM.
dim3 epilogue_grid(const Context& ctx, std::size_t n, std::size_t row_items) {
  const std::size_t budget = static_cast<std::size_t>(sm_count(ctx)) * kBlocksPerSm;
  const std::size_t per_row = (row_items + kEpilogueBlock - 1) / kEpilogueBlock;
  const std::size_t gx = std::clamp<std::size_t>(per_row, 1, budget);
  const std::size_t gy =
      std::clamp<std::size_t>(budget / gx, 1, std::min<std::size_t>(n, kMaxGridY));
  return dim3(static_cast<unsigned>(gx), static_cast<unsigned>(gy));
}

}  // namespace

void launch_squared_row_norms(const Context& ctx, const double* x, std::size_t n, std::size_t d,
                              double* norms) {
  if (n == 0) return;
  THERMEX_EXPECTS(d >= 1, "launch_squared_row_norms: d must be >= 1");
  THERMEX_EXPECTS(x != nullptr && norms != nullptr, "launch_squared_row_norms: null pointer");
  const std::size_t budget = static_cast<std::size_t>(sm_count(ctx)) * kBlocksPerSm;
  const std::size_t blocks = std::min((n + kNormsRowsPerBlock - 1) / kNormsRowsPerBlock, budget);
  squared_row_norms_kernel<<<static_cast<unsigned>(blocks), kNormsBlock, 0, stream_of(ctx)>>>(
      x, n, d, norms);
  THERMEX_CUDA_CHECK(cudaGetLastError());
}

void launch_rbf_epilogue(const Context& ctx, const double* norm_x2, std::size_t n,
                         const double* norm_z2, std::size_t m, double gamma, double* k) {
  if (n == 0 || m == 0) return;
  THERMEX_EXPECTS(norm_x2 != nullptr && norm_z2 != nullptr && k != nullptr,
                  "launch_rbf_epilogue: null pointer");
  THERMEX_EXPECTS(std::isfinite(gamma) && gamma > 0.0,
                  "launch_rbf_epilogue: gamma must be finite and > 0");
  if (m % 2 == 0 && aligned16(k) && aligned16(norm_z2)) {
    const dim3 grid = epilogue_grid(ctx, n, m / 2);
    rbf_epilogue_kernel_vec2<<<grid, kEpilogueBlock, 0, stream_of(ctx)>>>(
        norm_x2, n, reinterpret_cast<const double2*>(norm_z2), m, gamma,
        reinterpret_cast<double2*>(k));
  } else {
    const dim3 grid = epilogue_grid(ctx, n, m);
    rbf_epilogue_kernel<<<grid, kEpilogueBlock, 0, stream_of(ctx)>>>(norm_x2, n, norm_z2, m, gamma,
                                                                     k);
  }
  THERMEX_CUDA_CHECK(cudaGetLastError());
}

void rbf_kernel_matrix_device(const Context& ctx, const double* x, std::size_t n, const double* z,
                              std::size_t m, std::size_t d, double gamma, double* k) {
  if (n == 0 || m == 0) return;
  THERMEX_EXPECTS(d >= 1, "rbf_kernel_matrix_device: d must be >= 1");
  THERMEX_EXPECTS(x != nullptr && z != nullptr && k != nullptr,
                  "rbf_kernel_matrix_device: null pointer");
  THERMEX_EXPECTS(std::isfinite(gamma) && gamma > 0.0,
                  "rbf_kernel_matrix_device: gamma must be finite and > 0");
  const DeviceGuard guard(ctx.cuda_device());
  const cudaStream_t stream = stream_of(ctx);
  DeviceBuffer<double> norm_x2(n, stream);
  DeviceBuffer<double> norm_z2(m, stream);
  launch_squared_row_norms(ctx, x, n, d, norm_x2.data());
  launch_squared_row_norms(ctx, z, m, d, norm_z2.data());

  // cuBLAS is column-major. Row-major x (n x d) is, read column-major, the d x n matrix x^T with
  // leading dimension d; likewise z is z^T (d x m, ld d). Row-major K (n x m) is column-major
  // K^T (m x n, ld m), and K^T = z x^T: A = z^T stored, used transposed (CUBLAS_OP_T, lda = d);
  // B = x^T stored, used as is (CUBLAS_OP_N, ldb = d). The _64 API takes 64-bit sizes, so no
  // dimension has to fit in int. beta = 0: k is write-only (cuBLAS does not read C then).
  CublasHandle& cublas = thread_cublas_handle(ctx.cuda_device());
  cublas.set_stream(stream);
  const double one = 1.0;
  const double zero = 0.0;
  const auto rows_k = static_cast<std::int64_t>(m);
  const auto cols_k = static_cast<std::int64_t>(n);
  const auto depth = static_cast<std::int64_t>(d);
  THERMEX_CUDA_CHECK(cublasDgemm_64(cublas.get(), CUBLAS_OP_T, CUBLAS_OP_N, rows_k, cols_k, depth,
                                    &one, z, depth, x, depth, &zero, k, rows_k));
  launch_rbf_epilogue(ctx, norm_x2.data(), n, norm_z2.data(), m, gamma, k);
  // norm_x2 and norm_z2 are freed in stream order, after the epilogue has read them.
}

void rbf_kernel_matrix(const Context& ctx, std::span<const double> x, std::size_t n,
                       std::span<const double> z, std::size_t m, std::size_t d, double gamma,
                       std::span<double> out) {
  const DeviceGuard guard(ctx.cuda_device());
  const cudaStream_t stream = stream_of(ctx);
  DeviceBuffer<double> x_dev(n * d, stream);
  DeviceBuffer<double> z_dev(m * d, stream);
  DeviceBuffer<double> k_dev(n * m, stream);
  x_dev.copy_from_host(x);
  z_dev.copy_from_host(z);
  rbf_kernel_matrix_device(ctx, x_dev.data(), n, z_dev.data(), m, d, gamma, k_dev.data());
  k_dev.copy_to_host(out);  // blocks: the caller reads `out` next
}

}  // namespace thermex::cuda
