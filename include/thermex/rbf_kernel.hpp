#pragma once
/// \file
/// The RBF (Gaussian) kernel matrix K_ij = exp(-gamma ||x_i - z_j||^2) between the rows of two
/// row-major matrices, on the CPU (register-blocked SIMD GEMM + OpenMP) or on a CUDA device (cuBLAS
/// DGEMM + a fused exp epilogue). Both compute d2 = ||x||^2 + ||z||^2 - 2 x.z and then the shared
/// math::rbf_from_norms_and_dot (include/thermex/math/rbf.hpp).
///
/// Accuracy: the GEMM expansion loses accuracy through cancellation when the points are far from
/// the origin compared with their distances. The error of K_ij relative to K_ij is about
/// gamma * d * eps * (||x_i||^2 + ||z_j||^2) (eps = 2^-52); for standardized features and
/// gamma ~ 1/d that is ~1e-15. Center the data first when it sits far from the origin.

#include <cstddef>
#include <span>
#include <vector>

#include "thermex/context.hpp"

namespace thermex {

/// The n x m RBF kernel matrix, row-major: K[i * m + j] = exp(-gamma ||x_i - z_j||^2).
/// `x` is n x d and `z` is m x d, both row-major; `gamma` is in 1 / squared feature units.
/// Preconditions (Error otherwise): x.size() == n * d, z.size() == m * d, d >= 1, gamma > 0 and
/// finite, every input finite, every squared row norm <= DBL_MAX / 4 (row length < ~6e153).
/// n == 0 or m == 0 returns an empty vector. Deterministic for any thread count.
/// Cost: O(n m d) flops (a GEMM) plus n m exps; O(n m) memory. On CUDA it also copies x, z to
/// the device and K back (blocking on ctx's stream).
std::vector<double> rbf_kernel_matrix(const Context& ctx, std::span<const double> x, std::size_t n,
                                      std::span<const double> z, std::size_t m, std::size_t d,
                                      double gamma);

/// As above, but writes K into the caller's `out` (n * m doubles, row-major), so a caller that
/// computes many tiles (SVR) reuses one buffer. `out` must not overlap `x` or `z` (Error
/// otherwise). Every entry of `out` is overwritten; nothing is read from it.
void rbf_kernel_matrix(const Context& ctx, std::span<const double> x, std::size_t n,
                       std::span<const double> z, std::size_t m, std::size_t d, double gamma,
                       std::span<double> out);

/// Squared Euclidean norms of the n rows of the row-major n x d matrix `x` (squared feature
/// units), summed in column order, so the result does not depend on threads. Host only.
/// Preconditions (Error otherwise): x.size() == n * d. Cost: O(n d).
std::vector<double> squared_row_norms(std::span<const double> x, std::size_t n, std::size_t d);

}  // namespace thermex
