#pragma once
/// \file
/// Internal: the two backends of rbf_kernel_matrix. src/rbf_kernel.cpp validates the arguments
/// and dispatches once on ctx.device(); the backends assume validated, non-empty input
/// (n, m, d >= 1, sizes consistent, gamma > 0, finite data) and an `out` of n * m doubles.

#include <cstddef>
#include <span>

#include "thermex/context.hpp"

namespace thermex::cpu {
/// Register-blocked GEMM X Z^T per tile (SSE2/AVX2/AVX-512 variant chosen at run time), the
/// shared epilogue on each tile while in cache, OpenMP over tiles (src/cpu/rbf_kernel_cpu.cpp).
void rbf_kernel_matrix(const Context& ctx, std::span<const double> x, std::size_t n,
                       std::span<const double> z, std::size_t m, std::size_t d, double gamma,
                       std::span<double> out);
/// out[i] = sum_j w[j] K(x_i, z_j) for the n rows of x against the m rows of z (the RBF kernel
/// times a vector, e.g. an SVR's dual coefficients), without storing K: per tile of rows the
/// GEMM and epilogue of rbf_kernel_matrix (same variants, same K values), then the weighted
/// sum in eight running sums (column j feeds sum j % 8, added in a fixed pairwise order), so the
/// result does not depend on the thread count or on how a caller chunks the rows. `w` holds m
/// weights, `out` n values (overwritten). OpenMP over tiles of 48 rows. Cost: O(n m d) flops
/// plus n m exps, memory O(m d) plus a 192 KiB tile per thread.
void rbf_kernel_weighted_sum(const Context& ctx, std::span<const double> x, std::size_t n,
                             std::span<const double> z, std::size_t m, std::size_t d, double gamma,
                             std::span<const double> w, std::span<double> out);
}  // namespace thermex::cpu

namespace thermex::cuda {
/// cuBLAS DGEMM + fused epilogue on ctx's device and stream; copies in and out and blocks until
/// `out` holds K (kernels/rbf_kernel.cu). Without CUDA it throws Error("built without CUDA").
void rbf_kernel_matrix(const Context& ctx, std::span<const double> x, std::size_t n,
                       std::span<const double> z, std::size_t m, std::size_t d, double gamma,
                       std::span<double> out);
}  // namespace thermex::cuda
