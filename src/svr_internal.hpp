#pragma once
/// \file
/// Internal pieces of the SVR engine shared by src/svr*.cpp, the CPU backend (src/cpu/svr_*.cpp)
/// and the CUDA backend (kernels/svr_fit.cu): a prepared problem (gathered, standardized,
/// transformed), the batch plan both backends follow (kernel groups and memory waves), the
/// kernel-row sources of the CPU SMO solver, the solver itself, model assembly, and the two
/// batched drivers.

#include <cstddef>
#include <cstdint>
#include <list>
#include <span>
#include <string>
#include <vector>

#include "thermex/context.hpp"
#include "thermex/svr.hpp"

namespace thermex::detail {

/// One problem made ready for the solver: rows gathered, features standardized, target
/// transformed, gamma resolved. Cost to build: O(n d).
struct SvrPrepared {
  std::size_t n = 0;           ///< training rows
  std::size_t d = 0;           ///< features
  std::vector<double> x_std;   ///< n x d row-major, standardized when spec.standardize
  std::vector<double> target;  ///< n transformed targets (log10 when spec.log10_target)
  std::vector<double> means;   ///< d scaler means
  std::vector<double> scales;  ///< d scaler scales
  double gamma = 0.0;          ///< resolved gamma
  std::string data_sha256;     ///< hash of the raw rows and targets
};

/// Validates `spec` (Error naming `where` and the field) without looking at data.
void validate_svr_spec(const SvrSpec& spec, const std::string& where);

/// Validates x (n x d) and y: sizes, n, d >= 1, every value finite (Error naming row/column).
void validate_svr_data(std::span<const double> x, std::size_t n, std::size_t d,
                       std::span<const double> y, const std::string& where);

/// The gamma `spec` asks for on the prepared (standardized) rows: its number, or "scale"
/// (svr_scale_gamma) of x_std (n x d). O(n d) for "scale".
double resolved_gamma(const SvrSpec& spec, std::span<const double> x_std, std::size_t n,
                      std::size_t d);

/// Gathers `rows` of x and y and prepares them under `spec` (validated already; rows in range).
/// Throws Error when log10_target and a target is <= 0.
SvrPrepared prepare_svr_problem(std::span<const double> x, std::size_t d, std::span<const double> y,
                                std::span<const std::size_t> rows, const SvrSpec& spec,
                                const std::string& where);

/// Standardizes the n x d row-major `x` in place with `means` and `scales`.
void apply_scaler(std::span<double> x, std::size_t d, std::span<const double> means,
                  std::span<const double> scales);

/// Source of kernel rows K(x_i, .) (length n) for the solver. Implementations: a view of a
/// precomputed matrix and an LRU row cache. row() pointers stay valid until the second-next
/// call (the cache holds at least two rows), enough for the pair (i, j) of one SMO step.
class KernelRows {
 public:
  virtual ~KernelRows() = default;
  /// Row i of K (n values).
  virtual const double* row(std::size_t i) = 0;
  /// The whole row-major n x n matrix when it is precomputed, else null. The solver shrinks
  /// only when it has the matrix (it rebuilds gradients and packs submatrices from it).
  virtual const double* matrix() const { return nullptr; }
};

/// A view of a precomputed row-major n x n kernel matrix (not owned).
class FullKernelRows final : public KernelRows {
 public:
  FullKernelRows(std::span<const double> kernel, std::size_t n) : kernel_(kernel), n_(n) {}
  const double* row(std::size_t i) override { return kernel_.data() + i * n_; }
  const double* matrix() const override { return kernel_.data(); }

 private:
  std::span<const double> kernel_;
  std::size_t n_;
};

/// Kernel rows computed on demand (single-threaded, the expansion of rbf_kernel_matrix) and kept
/// in a least recently used cache of `capacity` rows (>= 2). `x` (n x d standardized) must
/// outlive the object. Cost per miss: O(n d).
class CachedKernelRows final : public KernelRows {
 public:
  CachedKernelRows(std::span<const double> x, std::size_t n, std::size_t d, double gamma,
                   std::size_t capacity, bool round_to_float);
  const double* row(std::size_t i) override;
  /// Rows computed so far (cache misses), for tests of the cache path.
  std::int64_t misses() const noexcept { return misses_; }

 private:
  std::span<const double> x_;
  std::size_t n_, d_;
  double gamma_;
  std::size_t capacity_;
  bool round_to_float_;
  std::vector<std::vector<double>> rows_;                // slot -> row values
  std::vector<std::list<std::size_t>::iterator> where_;  // row index -> position in lru_
  std::vector<std::size_t> slot_of_;                     // row index -> slot (npos when absent)
  std::list<std::size_t> lru_;                           // row indices, most recent first
  std::vector<double> norms_;                            // squared row norms of x
  std::int64_t misses_ = 0;
};

/// Rounds every value to the nearest float (libsvm's Qfloat), in place.
void round_kernel_to_float(std::span<double> values);

/// The solver state the per-iteration scans read and write: gradient and variables of the
/// alpha half (t < l, sign +1) and the alpha* half (t >= l, sign -1) as separate l-arrays.
struct SmoScanState {
  double* g_a;        ///< G_t, t < l
  double* g_s;        ///< G_{l+k}
  const double* a_a;  ///< alpha_k
  const double* a_s;  ///< alpha*_k
  std::size_t l;      ///< rows
  double c;           ///< box bound C
};

/// An extreme of a scan and its variable index t in [0, 2l) (-1 when the set was empty).
struct SmoArg {
  double value;          ///< the extreme value
  std::ptrdiff_t index;  ///< its index t, lowest on ties
};

/// Instruction-set form of the scans. All return bit-identical results (same per-element
/// arithmetic, same tie rule), so the choice changes speed only.
enum class SmoIsa { kScalar, kAvx2, kAvx512 };

/// Whether this CPU runs `isa` (AVX-512 needs its F and DQ subsets). Cheap.
bool smo_isa_supported(SmoIsa isa);

/// The best form this CPU runs (AVX-512, else AVX2, else scalar); the environment variable
/// THERMEX_SVR_ISA = "scalar" or "avx2" caps it (for tests and benchmarks). Read once per
/// process.
SmoIsa smo_scan_isa();

/// One O(l) pass: when `ki` is not null applies the gradient update of an SMO step,
/// G_k += K_ik si + K_jk sj and G_{l+k} -= the same (si = s_i da_i, sj = s_j da_j; `kj` the
/// row of j), then returns the maximum of -s_t G_t over I_up(a) (Fan, Chen & Lin 2005, eq.
/// (10)), lowest index on ties. Rows have l values.
SmoArg smo_update_and_max_up(const SmoScanState& s, const double* ki, const double* kj, double si,
                             double sj, SmoIsa isa);

/// The second half of WSS 2: over t in I_low(a), sets `gmax2` to the maximum of s_t G_t and
/// returns the t minimising -b^2 (1/a) (math::smo_gain_inv) with
/// b = gmax + s_t G_t > 0 and a = 2 - 2 K_it (`ki`, row of i; null: no candidates), lowest
/// index on ties; index -1 when none. One O(l) pass. `inv_i` (optional): the row's inverse
/// curvatures 1 / a_t = math::smo_inverse_curvature(2 - 2 K_it), precomputed by
/// smo_inverse_curvature_row (same values, so the same result without a division per element).
SmoArg smo_select_low(const SmoScanState& s, const double* ki, double gmax, double& gmax2,
                      SmoIsa isa, const double* inv_i = nullptr);

/// out[t] = math::smo_inverse_curvature(2 - 2 ki[t]) for t < l: the per-element divisions of
/// smo_select_low, done once per kernel row instead of once per iteration. O(l).
void smo_inverse_curvature_row(const double* ki, std::size_t l, double* out, SmoIsa isa);

/// Result of one SMO solve on the 2n-variable epsilon-SVR dual.
struct SmoResult {
  std::vector<double> alpha;   ///< 2n variables (alpha_0..n-1, alpha*_0..n-1)
  double rho = 0.0;            ///< libsvm's rho; the intercept is -rho
  double objective = 0.0;      ///< 0.5 a^T Q a + p^T a
  double kkt_gap = 0.0;        ///< m(a) - M(a) at the end
  std::int64_t n_iter = 0;     ///< iterations taken
  bool converged = true;       ///< false when max_iter stopped it
  std::size_t active_min = 0;  ///< fewest samples in the active set (n when never shrunk)
};

/// libsvm's Solver on the epsilon-SVR dual of targets `t` with kernel rows from `kernel`;
/// `max_iter` > 0. With `shrinking` (and kernel.matrix() set) libsvm's shrinking heuristic
/// narrows the scans to the samples still in play; the stopping test always holds on all 2n
/// variables at the end. Deterministic; single-threaded; the result does not depend on `isa`.
/// Cost O(n) per iteration (O(active) when shrunk) plus the kernel rows it fetches.
SmoResult solve_svr_smo(KernelRows& kernel, std::span<const double> t, double c, double epsilon,
                        double tol, std::int64_t max_iter, bool shrinking,
                        SmoIsa isa = smo_scan_isa());

/// solve_svr_smo started from `alpha0` (2n variables, empty: from 0, the cold start) instead
/// of 0. `alpha0` must be feasible: every variable in [0, c] and sum(alpha - alpha*) = 0 up to
/// rounding (svr_warm_start_alpha gives such a point). The gradient at the start costs one
/// kernel row per nonzero alpha - alpha*. Meets `tol` as the cold solve does, on another path.
SmoResult solve_svr_smo_from(KernelRows& kernel, std::span<const double> t,
                             std::span<const double> alpha0, double c, double epsilon, double tol,
                             std::int64_t max_iter, bool shrinking, SmoIsa isa = smo_scan_isa());

/// A feasible start for C = `c_new` from a solution `alpha` (2n variables) for C = `c_old`:
/// `alpha` itself when c_new >= c_old (the larger box holds it; the chains of svr_warm_chains
/// only grow C); otherwise every variable scaled by c_new / c_old (which keeps
/// sum(alpha - alpha*) = 0), variables at the old bound set to c_new exactly. O(n).
std::vector<double> svr_warm_start_alpha(std::span<const double> alpha, double c_old, double c_new);

/// Builds the model of a solved problem (device "cpu"; the CUDA driver overwrites it): support
/// vectors are the rows with nonzero alpha - alpha*, ascending, in standardized units.
SvrModel make_svr_model(const SvrPrepared& prep, const SmoResult& sol, const SvrSpec& spec,
                        std::vector<std::string> feature_names);

/// A set of problems of a batch that share one kernel matrix (src/svr_batch_plan.cpp).
struct SvrKernelGroup {
  std::size_t first = 0;             ///< the problem whose prepared data defines the group
  std::vector<std::size_t> members;  ///< problem indices, ascending
  std::size_t budget = 0;            ///< smallest kernel_budget_bytes of the members
  bool full = false;                 ///< the n x n matrix fits `budget`: precompute it
};

/// Groups the problems (parallel arrays `preps`, `problems`) by kernel: the same rows,
/// standardization, float rounding and resolved gamma (compared by bits) give the very same
/// kernel matrix. Groups in order of their first problem. Cost O(problems x groups x rows).
std::vector<SvrKernelGroup> group_svr_problems(std::span<const SvrPrepared> preps,
                                               std::span<const SvrProblem> problems);

/// One past the last group of the memory wave that starts at group `g0`: consecutive groups
/// whose full kernel matrices (8 n^2 bytes each) fit together within the smallest budget among
/// them; always at least one group. Both backends hold one wave's matrices at a time.
std::size_t svr_wave_end(std::span<const SvrKernelGroup> groups, std::span<const SvrPrepared> preps,
                         std::size_t g0);

/// The solve order of a kernel group's `members` (SvrSpec::warm_start_c): members with
/// warm_start_c whose specs agree in everything but C (epsilon, tol, log10_target, shrinking,
/// max_iter; rows, standardization and gamma agree within a group) form one chain in
/// increasing C (ties: lower problem index first), each solve warm-started from the previous
/// one; every other member is a chain of its own. Chains are in order of their first problem
/// index. The order depends on the problems only, never on threads. Cost O(members^2).
std::vector<std::vector<std::size_t>> svr_warm_chains(const SvrKernelGroup& group,
                                                      std::span<const SvrProblem> problems);

/// The iteration cap of a solve: spec.max_iter when > 0, else libsvm's max(10^7, 100 n).
std::int64_t svr_max_iter(const SvrSpec& spec, std::size_t n);

/// Logs a warning for every model that stopped at max_iter (names the problem index).
void warn_unconverged(const Context& ctx, std::span<const SvrModel> models,
                      std::span<const SvrProblem> problems);

}  // namespace thermex::detail

namespace thermex::cpu {
/// The CPU batch: groups problems sharing a kernel, computes kernels wave by wave within the
/// budget, and solves the problems of a wave in parallel (src/cpu/svr_fit_cpu.cpp). `preps`
/// and `problems` are parallel arrays; results in problem order.
std::vector<SvrModel> svr_fit_batch(const Context& ctx, std::span<const detail::SvrPrepared> preps,
                                    std::span<const SvrProblem> problems,
                                    std::span<const std::string> feature_names);
}  // namespace thermex::cpu

// thermex::detail is spelled out below: thermex::cuda::detail is the CUDA error helpers'.
namespace thermex::cuda {
/// The CUDA batch (kernels/svr_fit.cu): the CPU's groups and waves; per wave, each group's
/// kernel matrix on the device through cuBLAS (or, over budget, kernel entries computed inside
/// the solver), then one launch of the batched SMO kernel with a thread block per problem;
/// models assembled by detail::make_svr_model (device "cuda"). Same contract as
/// cpu::svr_fit_batch. Without CUDA (src/no_cuda/svr_fit_stub.cpp) it throws
/// Error("SVR: built without CUDA").
std::vector<SvrModel> svr_fit_batch(const Context& ctx,
                                    std::span<const thermex::detail::SvrPrepared> preps,
                                    std::span<const SvrProblem> problems,
                                    std::span<const std::string> feature_names);
}  // namespace thermex::cuda
