#pragma once
/// \file
/// Device-resident building blocks of the RBF kernel matrix (kernels/rbf_kernel.cu), for callers
/// that keep their data on the GPU (SVR kernel tiles). All pointers are device memory on
/// ctx.cuda_device(); all work is enqueued on ctx.cuda_stream() and nothing synchronizes.
/// The inputs are not checked for finiteness here (they are on the device): the host entry point
/// thermex::rbf_kernel_matrix does that. CUDA-only header.

#include <cstddef>

#include "thermex/context.hpp"

namespace thermex::cuda {

/// norms[i] = ||x_i||^2 for the n rows of the row-major n x d device matrix `x`; one warp per
/// row, a fixed shuffle-tree sum, so the result is the same on every run. Returns at once when
/// n == 0. Throws Error on null pointers or d == 0, CudaError when the launch fails.
/// Cost: O(n d) reads.
void launch_squared_row_norms(const Context& ctx, const double* x, std::size_t n, std::size_t d,
                              double* norms);

/// The fused epilogue, in place: on entry k[i * m + j] holds x_i . z_j; on exit it holds
/// math::rbf_from_norms_and_dot(norm_x2[i], norm_z2[j], x_i . z_j, gamma). Uses 16-byte accesses
/// when m is even and k, norm_z2 are 16-byte aligned. Returns at once when n or m is 0. Throws
/// Error on null pointers or a gamma that is not finite and > 0. Cost: O(n m), memory-bound
/// (16 bytes moved per entry).
void launch_rbf_epilogue(const Context& ctx, const double* norm_x2, std::size_t n,
                         const double* norm_z2, std::size_t m, double gamma, double* k);

/// K (n x m, row-major, into device memory `k`) with K_ij = exp(-gamma ||x_i - z_j||^2), from the
/// row-major device matrices x (n x d) and z (m x d): two norm kernels, one cuBLAS DGEMM for
/// x z^T into k, then the epilogue. `k` must not overlap x or z; every entry is overwritten.
/// Uses this thread's cached cuBLAS handle for ctx's device. Returns at once when n or m is 0.
/// Throws Error on bad arguments (null pointers, d == 0, gamma not finite and > 0),
/// CudaError on a failed CUDA or cuBLAS call. Cost: 2 n m d flops + n m exps, 24 n m bytes of
/// device traffic plus the GEMM's reads; (n + m) doubles of temporary device memory.
void rbf_kernel_matrix_device(const Context& ctx, const double* x, std::size_t n, const double* z,
                              std::size_t m, std::size_t d, double gamma, double* k);

}  // namespace thermex::cuda
