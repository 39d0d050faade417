#pragma once
/// \file
/// Internal: the CUDA backend of svr_predict (kernels/svr_predict.cu; without CUDA,
/// src/no_cuda/svr_predict_stub.cpp throws). src/svr.cpp validates the queries (size, finite
/// values) and dispatches once on ctx.device(); the tests call the backend directly to force
/// small chunks.

#include <algorithm>
#include <cstddef>
#include <span>

#include "thermex/context.hpp"
#include "thermex/svr.hpp"

namespace thermex::cuda {

/// Options of the CUDA prediction; the defaults are what svr_predict uses.
struct SvrPredictOptions {
  /// Device memory per query chunk: the kernel tile (rows x n_sv doubles) plus the chunk's
  /// queries, predictions and norms. 256 MiB keeps 1e8 queries streaming through bounded memory
  /// while each tile is large enough (~75k rows at 450 support vectors) to fill the GPU.
  std::size_t tile_budget_bytes = std::size_t{256} << 20;
};

/// Query rows per chunk for a model with `n_sv` support vectors and `d` features under
/// `budget_bytes`: floor(budget / (8 (n_sv + d + 3))) (tile row, query row, prediction and
/// its norm), at least 1, so a chunk never exceeds the budget unless one row alone does.
/// Host-only arithmetic, O(1); never throws.
inline std::size_t svr_predict_chunk_rows(std::size_t n_sv, std::size_t d,
                                          std::size_t budget_bytes) noexcept {
  const std::size_t row_bytes = sizeof(double) * (n_sv + d + 3);
  return std::max<std::size_t>(1, budget_bytes / row_bytes);
}

/// Predictions of `model` for the n rows of `x_rowmajor` (n x model.n_features, raw units) into
/// `out` (n values, every one overwritten), in original target units (10^f with log10_target),
/// on ctx's device and stream. Per chunk of svr_predict_chunk_rows(...) queries: copy the raw
/// queries in, standardize them on the device, one kernel tile through
/// rbf_kernel_matrix_device, one cublasDgemv with dual_coef, then an epilogue adding the
/// intercept (and 10^f), and copy the chunk back (blocking: `out` is host memory). Returns at
/// once when n == 0. Precondition: the inputs are finite (svr_predict checks). Throws Error on
/// an inconsistent model or size mismatch, CudaError on a failed CUDA/cuBLAS call, Error when
/// thermex was built without CUDA. Cost: 2 n n_sv d flops (GEMM) + n n_sv exps + 2 n n_sv
/// flops (GEMV); device memory within options.tile_budget_bytes plus the model.
void svr_predict(const Context& ctx, const SvrModel& model, std::span<const double> x_rowmajor,
                 std::size_t n, std::span<double> out, const SvrPredictOptions& options = {});

}  // namespace thermex::cuda
