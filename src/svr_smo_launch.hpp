#pragma once
/// \file
/// Internal: the batched SMO solver of the epsilon-SVR dual on the GPU (kernels/svr_smo.cu),
/// driven by kernels/svr_fit.cu. One thread block solves one problem end to end: libsvm's
/// Solver with WSS 2 (Fan, Chen & Lin, JMLR 6 (2005) 1889-1918), the same per-element math as
/// the CPU (thermex/math/smo.hpp), the loop inside the kernel (no host round trip per
/// iteration), then libsvm's rho and the dual objective. CUDA-only header.

#include <cstddef>

#include "thermex/context.hpp"

namespace thermex::cuda {

/// One problem for the solver; every pointer is device memory on ctx's device.
struct SmoTask {
  /// l x l row-major kernel matrix, or null: then each entry K(x_i, x_k) is computed when needed
  /// from `x` and `norms` (math::rbf_from_norms_and_dot), for problems whose matrix exceeds the
  /// kernel budget. O(d) per entry, 3 rows per iteration.
  const double* kernel;
  const double* x;       ///< l x d standardized rows (read only when kernel is null)
  const double* norms;   ///< l squared row norms of x (read only when kernel is null)
  const double* target;  ///< l transformed targets
  double* alpha;         ///< 2l variables (alpha | alpha*), written
  double* grad;          ///< 2l gradient entries, written (scratch)
  long long l;           ///< rows, >= 1
  long long d;           ///< features, >= 1
  double gamma;          ///< RBF width (used when kernel is null)
  double c;              ///< box bound C > 0
  double epsilon;        ///< tube half-width >= 0
  double tol;            ///< stopping tolerance on m(a) - M(a), > 0
  long long max_iter;    ///< iteration cap, > 0
  int round_to_float;    ///< nonzero: on-the-fly entries are rounded to float (libsvm's Qfloat)
};

/// Status words of SmoTaskResult::status.
inline constexpr int kSmoStatusOk = 0;
/// rho or the objective came out NaN or infinite (inputs are finite, so this is a fault).
inline constexpr int kSmoStatusNonFinite = 1;

/// What the solver reports per problem (the variables are in SmoTask::alpha).
struct SmoTaskResult {
  double rho;        ///< libsvm's rho; the intercept is -rho
  double objective;  ///< 0.5 a^T Q a + p^T a
  double kkt_gap;    ///< m(a) - M(a) at the last selection
  long long n_iter;  ///< SMO steps taken
  int converged;     ///< 1 when the gap fell below tol (or no pair improved), 0 at max_iter
  int status;        ///< kSmoStatusOk or an error code
};

/// Solves `count` problems (device arrays `tasks`, `results`), one thread block each, on
/// ctx.cuda_stream(); nothing synchronizes. Each block's result depends only on its task: a
/// fixed block size, reductions in a fixed tree, and selections that are exact argmax/argmin
/// with the lowest index on ties. Returns at once when count == 0. Throws Error on null
/// pointers, CudaError when the launch fails. Cost per problem: O(l) per iteration (O(l d)
/// without a kernel matrix) for up to max_iter iterations. Large l is correct but runs on one
/// SM per problem (a later issue: split big problems over several blocks).
void launch_svr_smo(const Context& ctx, const SmoTask* tasks, SmoTaskResult* results,
                    std::size_t count);

/// Rounds each of the `count` doubles at device pointer `values` to the nearest float, in place
/// (libsvm_float_kernel on a precomputed matrix). Returns at once when count == 0.
void launch_round_to_float(const Context& ctx, double* values, std::size_t count);

}  // namespace thermex::cuda
