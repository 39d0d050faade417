#pragma once
/// \file
/// Epsilon-SVR with the RBF kernel K(x, z) = exp(-gamma ||x - z||^2): exact fits of the dual by
/// libsvm's SMO algorithm (second-order working-set selection, Fan, Chen & Lin, JMLR 6 (2005)
/// 1889-1918), single and batched, and chunked prediction. The solution is libsvm's (and so
/// scikit-learn's `SVR`) to the stopping tolerance; tests/test_svr_sklearn.cpp checks it against
/// fixtures made by tools/peers/make_svr_fixtures.py.
///
/// Warm starts along C (SvrSpec::warm_start_c, opt-in): in svr_fit_batch on the CPU, problems
/// that share a kernel and differ only in C are solved in increasing C, each from the previous
/// solution (feasible in the larger box). The CUDA backend ignores the option (solves cold).
///
/// Backends, picked by ctx.device(): CPU (OpenMP over problems; the RBF kernel matrices of
/// rbf_kernel.hpp) and CUDA. On Device::kCuda the fits build each kernel matrix on the GPU
/// (cuBLAS GEMM + fused exp epilogue) and solve a batch with one thread block per problem, the
/// whole SMO loop on the device (kernels/svr_smo.cu, kernels/svr_fit.cu), with the CPU's
/// per-element math (math/smo.hpp), selections and tie rules; kernel values differ from the
/// CPU's in the last bits, so CUDA and CPU models agree to the solver tolerance (predictions,
/// objective, KKT gap), not bit for bit. The GPU ignores `shrinking` (it changes the path, not
/// the optimum), and a problem over its kernel budget gets its kernel entries computed inside
/// the solver (O(n d) per row). A problem's result does not depend on the batch it is in
/// (except with warm_start_c on the CPU, where it starts from its chain predecessor).
/// svr_predict runs on the GPU too (kernels/svr_predict.cu: cuBLAS kernel tiles and GEMV,
/// chunked). A build without CUDA throws Error("SVR: built without CUDA ...") on kCuda.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "thermex/context.hpp"

namespace thermex {

/// The RBF width: a fixed value, or scikit-learn's "scale" rule 1 / (d * var(X)), var over all
/// n * d entries of the (standardized, when enabled) training features; 1 when var(X) == 0.
struct SvrGamma {
  bool scale = true;   ///< resolve by the "scale" rule at fit time
  double value = 0.0;  ///< gamma in 1 / squared (standardized) feature units, used when !scale

  /// A fixed gamma (validated at fit time: finite and > 0).
  static SvrGamma fixed(double gamma) { return SvrGamma{false, gamma}; }
  /// The "scale" rule.
  static SvrGamma scale_rule() { return SvrGamma{true, 0.0}; }
};

/// Parses "scale" or a positive finite number; throws ConfigError naming `key` otherwise.
SvrGamma parse_svr_gamma(std::string_view text, std::string_view key = "--gamma");

/// "scale" or the number with 17 significant digits (round-trips through parse_svr_gamma).
std::string to_string(const SvrGamma& gamma);

/// Hyperparameters and solver options of one epsilon-SVR fit. Defaults are scikit-learn's
/// `SVR()` (C = 1, epsilon = 0.1, gamma = "scale", tol = 1e-3) plus thermex's standardization.
struct SvrSpec {
  double c = 1.0;  ///< box constraint C > 0 (target units per kernel unit)
  double epsilon =
      0.1;            ///< half-width of the insensitive tube, >= 0, in (transformed) target units
  SvrGamma gamma;     ///< RBF width
  double tol = 1e-3;  ///< stopping tolerance on m(a) - M(a) (libsvm's eps), > 0
  bool standardize = true;    ///< z-score features with training mean and population std
  bool log10_target = false;  ///< fit log10(y) (y must be > 0); predictions are 10^f(x)
  /// Iteration cap; 0 selects libsvm's max(10^7, 100 n). Reaching it logs a warning and the
  /// model records converged = false.
  std::int64_t max_iter = 0;
  /// The full n x n kernel matrix is precomputed when n * n * 8 bytes fit this budget; otherwise
  /// an LRU cache of kernel rows of this total size (at least two rows) is used.
  std::size_t kernel_budget_bytes = std::size_t{1} << 30;
  /// Round every kernel value the solver sees to float, as libsvm stores Q (`Qfloat`). Off by
  /// default (double is more accurate); on, the solver takes libsvm's path and reaches libsvm's
  /// optimum of the float-rounded problem, which differs from the exact one by O(float eps * C)
  /// on ill-conditioned problems. Prediction always uses double kernels, as libsvm.
  bool libsvm_float_kernel = false;
  /// libsvm's shrinking heuristic (scikit-learn's default `shrinking=True`), by samples: the
  /// solver scans only the samples still in play and checks the stopping rule on all of them
  /// at the end. Changes the path and speed, not the optimum (both meet `tol`). Off by
  /// default: it repacks the kernel submatrix and pays only when most samples leave the
  /// problem (few support vectors); on the benchmark problems (80-90 % support vectors) it
  /// saved nothing (bench/README.md). Applies when the kernel matrix is precomputed; the
  /// row-cache path never shrinks. Not stored in model files.
  bool shrinking = false;
  /// Warm starts along C in svr_fit_batch (CPU only; svr_fit and the CUDA backend solve
  /// cold). Problems of a batch that all set it and differ only in C (same rows,
  /// standardization, resolved gamma, epsilon, tol, target transform, shrinking, max_iter) are
  /// solved one after another in increasing C, each starting from the previous solution's
  /// alphas as they are (in [0, C_old], so inside the larger box, with sum(alpha - alpha*) = 0
  /// untouched) and the gradient recomputed from the kernel. Results equal the cold solutions
  /// to the tolerance (both meet `tol`), not bit for bit; n_iter counts the warm solve's own
  /// iterations. Deterministic for any thread count (the chain order depends only on the
  /// problems). Off by default; off, results are byte-identical to before. Not stored in model
  /// files. Measured: 59 % fewer SMO iterations on a 5-fold x 5-C grid (bench/README.md).
  bool warm_start_c = false;
};

/// A fitted model: everything needed to predict, plus diagnostics and provenance.
/// Prediction: f(x) = sum_k dual_coef[k] K(s_k, (x - mean) / scale) + intercept, then 10^f when
/// log10_target.
struct SvrModel {
  std::size_t n_features = 0;                 ///< d
  std::vector<std::string> feature_names;     ///< d names (empty strings allowed when unnamed)
  std::vector<double> feature_means;          ///< d training means (0 when !standardize)
  std::vector<double> feature_scales;         ///< d population stds (1 for constant columns / off)
  std::vector<double> support_vectors;        ///< n_sv x d, row-major, standardized units
  std::vector<std::int64_t> support_indices;  ///< n_sv positions in the training rows, ascending
  std::vector<double> dual_coef;              ///< n_sv coefficients alpha - alpha*
  double intercept = 0.0;                     ///< -rho of libsvm, transformed target units
  SvrSpec spec;                               ///< the spec it was fitted with
  double gamma_value = 0.0;                   ///< gamma actually used (resolved "scale")
  std::int64_t n_iter = 0;                    ///< SMO iterations
  double dual_objective = 0.0;                ///< 0.5 a^T Q a + p^T a at the solution
  double kkt_gap = 0.0;                       ///< m(a) - M(a) at the solution (< tol if converged)
  bool converged = true;                      ///< false when max_iter stopped the solver
  std::size_t n_train = 0;                    ///< training rows
  std::string data_sha256;  ///< SHA-256 of the training rows' raw x then y (little-endian doubles)
  std::string thermex_version;  ///< kVersion of the build that fitted it
  std::string git_commit;       ///< kGitCommit of that build
  std::string device;           ///< backend that fitted it ("cpu" or "cuda")

  /// Number of support vectors.
  std::size_t n_support() const noexcept { return dual_coef.size(); }
};

/// One problem of a batch: a subset of the rows of the shared x (indices into x, any order,
/// duplicates allowed, at least one) and its spec.
struct SvrProblem {
  std::vector<std::size_t> rows;  ///< training rows (0-based indices into x)
  SvrSpec spec;                   ///< hyperparameters and options
};

/// Fits one epsilon-SVR on the n x d row-major `x_rowmajor` and targets `y` (n values).
/// `feature_names` is empty or has d entries. Throws Error for NaN/inf inputs (naming row and
/// column), size mismatches, n == 0, C <= 0, epsilon < 0, tol <= 0, a bad gamma, or y <= 0 with
/// log10_target; CudaError when a CUDA call fails. Cost: O(n^2 d) for the kernel matrix
/// plus O(n) per SMO iteration (O(n d) more per iteration with the row cache); O(n^2) memory
/// within kernel_budget_bytes. Deterministic for any thread count.
SvrModel svr_fit(const Context& ctx, std::span<const double> x_rowmajor, std::size_t n,
                 std::size_t d, std::span<const double> y, const SvrSpec& spec,
                 std::vector<std::string> feature_names = {});

/// Fits every problem over the shared data (x: n x d row-major, y: n values); results in problem
/// order. Problems with the same rows, standardization and resolved gamma share one kernel
/// matrix. CPU: OpenMP over problems (each solve single-threaded), so the bytes of every model do
/// not depend on the thread count. With SvrSpec::warm_start_c, problems differing only in C
/// are solved as chains of increasing C (one thread per chain, still thread-count independent).
/// Errors as svr_fit (the message names the problem index).
/// Memory: the kernel matrices of one wave of groups, within the smallest kernel budget.
std::vector<SvrModel> svr_fit_batch(const Context& ctx, std::span<const double> x_rowmajor,
                                    std::size_t n, std::size_t d, std::span<const double> y,
                                    std::span<const SvrProblem> problems);

/// Predictions for the n rows of `x_rowmajor` (n x model.n_features, row-major, raw feature
/// units), in original target units (10^f with log10_target). Throws Error naming row and
/// feature for a non-finite input, Error on a size mismatch. Runs on ctx.device() (CPU or
/// CUDA). Cost: O(n n_sv d); memory bounded by chunks of kernel values (~32 MiB on the CPU,
/// 256 MiB on the GPU).
std::vector<double> svr_predict(const Context& ctx, const SvrModel& model,
                                std::span<const double> x_rowmajor, std::size_t n);

/// The "scale" gamma 1 / (d * var(x)) over all n * d entries of `x` (population variance), or
/// 1 when that variance is 0, as scikit-learn. Precondition: x.size() == n * d, n, d >= 1.
double svr_scale_gamma(std::span<const double> x_rowmajor, std::size_t n, std::size_t d);

/// Optimality measures of a dual solution.
struct SvrDualCheck {
  double objective = 0.0;  ///< 0.5 b^T K b + epsilon sum|b| - t^T b (b = alpha - alpha*)
  double kkt_gap = 0.0;    ///< m(a) - M(a) of Fan, Chen & Lin (2005) eq. (13); <= tol at the end
};

/// Objective and KKT gap of coefficients `beta` (n) for kernel matrix `kernel` (n x n,
/// row-major), targets `t` (n, transformed units), `c` and `epsilon`, with
/// alpha = max(beta, 0), alpha* = max(-beta, 0). Cost O(n^2). Throws Error on size mismatch.
SvrDualCheck svr_dual_check(std::span<const double> kernel, std::span<const double> t,
                            std::span<const double> beta, double c, double epsilon);

/// The same check for a fitted `model` on its training data (x: n x d raw rows, y: n raw
/// targets, the very rows it was fitted on): standardizes with the model's scaler, transforms y,
/// builds the kernel matrix and scatters dual_coef to support_indices. Cost O(n^2 d).
SvrDualCheck svr_training_check(const Context& ctx, const SvrModel& model,
                                std::span<const double> x_rowmajor, std::size_t n,
                                std::span<const double> y);

}  // namespace thermex
