// The CUDA batch of SVR fits: the host orchestration of kernels/svr_smo.cu. It follows the
// CPU's plan (src/svr_batch_plan.cpp): problems grouped by kernel, groups in memory waves.
// Per wave: each group's standardized rows go to the device once and its kernel matrix is built
// there by rbf_kernel_matrix_device (norms, one cuBLAS DGEMM, the fused exp epilogue), rounded
// to float when libsvm_float_kernel asks; a group over its kernel budget keeps only the rows and
// their norms, and the solver computes the entries it needs. Then every problem of the wave is
// solved by one launch, a thread block per problem, and the variables and results come back in
// two copies (the only synchronization of the wave: the host needs the solutions). Models are
// assembled by the CPU's thermex::detail::make_svr_model, so both backends build them alike.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "../src/svr_internal.hpp"
#include "../src/svr_smo_launch.hpp"
#include "thermex/cuda/check.hpp"
#include "thermex/cuda/device_buffer.hpp"
#include "thermex/cuda/device_guard.hpp"
#include "thermex/cuda/rbf_kernel.hpp"
#include "thermex/error.hpp"

namespace thermex::cuda {
namespace {

cudaStream_t stream_of(const Context& ctx) { return static_cast<cudaStream_t>(ctx.cuda_stream()); }

// One kernel group's device data for a wave: its standardized rows, and either the n x n kernel
// matrix (full) or the rows' squared norms (entries computed by the solver).
struct GroupData {
  DeviceBuffer<double> x, norms, kernel;
};

GroupData upload_group(const Context& ctx, const thermex::detail::SvrPrepared& prep, bool full,
                       bool round_to_float) {
  const cudaStream_t stream = stream_of(ctx);
  GroupData g;
  g.x = DeviceBuffer<double>(prep.n * prep.d, stream);
  g.x.copy_from_host(prep.x_std);
  if (full) {
    g.kernel = DeviceBuffer<double>(prep.n * prep.n, stream);
    rbf_kernel_matrix_device(ctx, g.x.data(), prep.n, g.x.data(), prep.n, prep.d, prep.gamma,
                             g.kernel.data());
    if (round_to_float) launch_round_to_float(ctx, g.kernel.data(), g.kernel.size());
  } else {
    g.norms = DeviceBuffer<double>(prep.n, stream);
    launch_squared_row_norms(ctx, g.x.data(), prep.n, prep.d, g.norms.data());
  }
  return g;
}

// The wave's problems, their groups, and where each one's rows start in the packed state
// arrays (targets: l values per problem; alpha, grad: 2l).
struct WaveLayout {
  std::vector<std::size_t> problems;  // problem indices
  std::vector<std::size_t> group;     // index into the wave's GroupData
  std::vector<std::size_t> offset;    // first row of each problem in the packed arrays
  std::size_t rows = 0;               // total rows of the wave
};

WaveLayout layout_wave(std::span<const thermex::detail::SvrKernelGroup> groups,
                       std::span<const thermex::detail::SvrPrepared> preps, std::size_t g0,
                       std::size_t g1) {
  WaveLayout w;
  for (std::size_t g = g0; g < g1; ++g) {
    for (std::size_t p : groups[g].members) {
      w.problems.push_back(p);
      w.group.push_back(g - g0);
      w.offset.push_back(w.rows);
      w.rows += preps[p].n;
    }
  }
  return w;
}

SmoTask make_task(const thermex::detail::SvrPrepared& prep, const SvrProblem& prob,
                  const GroupData& g, const double* target, double* alpha, double* grad) {
  SmoTask t{};
  t.kernel = g.kernel.empty() ? nullptr : g.kernel.data();
  t.x = g.x.data();
  t.norms = g.norms.empty() ? nullptr : g.norms.data();
  t.target = target;
  t.alpha = alpha;
  t.grad = grad;
  t.l = static_cast<long long>(prep.n);
  t.d = static_cast<long long>(prep.d);
  t.gamma = prep.gamma;
  t.c = prob.spec.c;
  t.epsilon = prob.spec.epsilon;
  t.tol = prob.spec.tol;
  t.max_iter = static_cast<long long>(thermex::detail::svr_max_iter(prob.spec, prep.n));
  t.round_to_float = prob.spec.libsvm_float_kernel ? 1 : 0;
  return t;
}

// The solver's result for one problem as the CPU's SmoResult (the GPU never shrinks).
thermex::detail::SmoResult to_smo_result(const SmoTaskResult& r, std::span<const double> alpha,
                                         std::size_t problem) {
  if (r.status != kSmoStatusOk) {
    throw Error("svr_fit_batch (cuda): problem " + std::to_string(problem) +
                ": the solver's rho or objective is not finite (status " +
                std::to_string(r.status) + ")");
  }
  thermex::detail::SmoResult sol;
  sol.alpha.assign(alpha.begin(), alpha.end());
  sol.rho = r.rho;
  sol.objective = r.objective;
  sol.kkt_gap = r.kkt_gap;
  sol.n_iter = static_cast<std::int64_t>(r.n_iter);
  sol.converged = r.converged != 0;
  sol.active_min = alpha.size() / 2;
  return sol;
}

// Solves the problems of groups [g0, g1) and stores their models.
void solve_wave(const Context& ctx, std::span<const thermex::detail::SvrPrepared> preps,
                std::span<const SvrProblem> problems,
                std::span<const thermex::detail::SvrKernelGroup> groups, std::size_t g0,
                std::size_t g1, std::span<const std::string> names, std::vector<SvrModel>& models) {
  const cudaStream_t stream = stream_of(ctx);
  std::vector<GroupData> data;
  for (std::size_t g = g0; g < g1; ++g) {
    const thermex::detail::SvrKernelGroup& group = groups[g];
    data.push_back(upload_group(ctx, preps[group.first], group.full,
                                problems[group.first].spec.libsvm_float_kernel));
  }
  const WaveLayout w = layout_wave(groups, preps, g0, g1);
  const std::size_t count = w.problems.size();
  std::vector<double> targets_host(w.rows);
  for (std::size_t q = 0; q < count; ++q) {
    const thermex::detail::SvrPrepared& prep = preps[w.problems[q]];
    std::copy(prep.target.begin(), prep.target.end(),
              targets_host.begin() + static_cast<std::ptrdiff_t>(w.offset[q]));
  }
  DeviceBuffer<double> targets(w.rows, stream), alpha(2 * w.rows, stream), grad(2 * w.rows, stream);
  targets.copy_from_host(targets_host);
  std::vector<SmoTask> tasks_host(count);
  for (std::size_t q = 0; q < count; ++q) {
    const std::size_t p = w.problems[q];
    tasks_host[q] = make_task(preps[p], problems[p], data[w.group[q]], targets.data() + w.offset[q],
                              alpha.data() + 2 * w.offset[q], grad.data() + 2 * w.offset[q]);
  }
  DeviceBuffer<SmoTask> tasks(count, stream);
  tasks.copy_from_host(tasks_host);
  DeviceBuffer<SmoTaskResult> results(count, stream);
  results.fill_bytes(0xFF);  // a block that never writes shows as status -1
  launch_svr_smo(ctx, tasks.data(), results.data(), count);
  std::vector<SmoTaskResult> results_host(count);
  results.copy_to_host(results_host);  // blocks: the host assembles the models next
  std::vector<double> alpha_host(2 * w.rows);
  alpha.copy_to_host(alpha_host);
  for (std::size_t q = 0; q < count; ++q) {
    const std::size_t p = w.problems[q];
    const std::span<const double> a(alpha_host.data() + 2 * w.offset[q], 2 * preps[p].n);
    const thermex::detail::SmoResult sol = to_smo_result(results_host[q], a, p);
    models[p] = thermex::detail::make_svr_model(
        preps[p], sol, problems[p].spec, std::vector<std::string>(names.begin(), names.end()));
    models[p].device = "cuda";
  }
}

}  // namespace

std::vector<SvrModel> svr_fit_batch(const Context& ctx,
                                    std::span<const thermex::detail::SvrPrepared> preps,
                                    std::span<const SvrProblem> problems,
                                    std::span<const std::string> feature_names) {
  THERMEX_EXPECTS(preps.size() == problems.size(),
                  "cuda::svr_fit_batch: preps and problems must be parallel arrays");
  std::vector<SvrModel> models(problems.size());
  if (problems.empty()) return models;
  const DeviceGuard guard(ctx.cuda_device());
  const std::vector<thermex::detail::SvrKernelGroup> groups =
      thermex::detail::group_svr_problems(preps, problems);
  std::size_t g0 = 0;
  while (g0 < groups.size()) {
    const std::size_t g1 = thermex::detail::svr_wave_end(groups, preps, g0);
    solve_wave(ctx, preps, problems, groups, g0, g1, feature_names, models);
    g0 = g1;
  }
  thermex::detail::warn_unconverged(ctx, models, problems);
  return models;
}

}  // namespace thermex::cuda
