// The CPU batch of SVR fits. Problems that share rows, standardization and the resolved gamma
// see the very same standardized matrix and so the same kernel matrix: it is computed once per
// group (Eigen GEMM, all threads), then the problems of a wave of groups are solved in parallel,
// one problem per OpenMP thread at a time. Each solve is single-threaded and reads only shared
// constant data, so every model's bytes are independent of the thread count and schedule.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <memory>
#include <vector>

#include "../svr_internal.hpp"
#include "thermex/error.hpp"
#include "thermex/rbf_kernel.hpp"

namespace thermex::cpu {
namespace {

// A set of problems sharing one kernel.
struct KernelGroup {
  std::size_t first = 0;             // the problem whose prepared data defines the group
  std::vector<std::size_t> members;  // problem indices, ascending
  std::size_t budget = 0;            // smallest kernel budget of the members
  bool full = false;                 // precompute the n x n matrix
  std::vector<double> kernel;        // n x n when full (filled per wave)
};

bool same_kernel(const detail::SvrPrepared& a, const SvrProblem& pa, const detail::SvrPrepared& b,
                 const SvrProblem& pb) {
  // Same rows and standardization give the same standardized matrix; compare gamma by bits.
  return pa.rows == pb.rows && pa.spec.standardize == pb.spec.standardize && a.d == b.d &&
         pa.spec.libsvm_float_kernel == pb.spec.libsvm_float_kernel &&
         std::memcmp(&a.gamma, &b.gamma, sizeof(double)) == 0;
}

std::vector<KernelGroup> group_problems(std::span<const detail::SvrPrepared> preps,
                                        std::span<const SvrProblem> problems) {
  std::vector<KernelGroup> groups;
  for (std::size_t p = 0; p < problems.size(); ++p) {
    auto it = std::find_if(groups.begin(), groups.end(), [&](const KernelGroup& g) {
      return same_kernel(preps[g.first], problems[g.first], preps[p], problems[p]);
    });
    if (it == groups.end()) {
      groups.push_back(KernelGroup{p, {}, problems[p].spec.kernel_budget_bytes, false, {}});
      it = groups.end() - 1;
    }
    it->members.push_back(p);
    it->budget = std::min(it->budget, problems[p].spec.kernel_budget_bytes);
  }
  for (KernelGroup& g : groups) {
    const std::size_t n = preps[g.first].n;
    g.full = n <= g.budget / sizeof(double) / n;  // n * n * 8 <= budget without overflow
  }
  return groups;
}

std::int64_t resolved_max_iter(const SvrSpec& spec, std::size_t n) {
  // libsvm: max(10^7, 100 l) unless the caller gives a cap.
  if (spec.max_iter > 0) return spec.max_iter;
  return std::max<std::int64_t>(10'000'000, 100 * static_cast<std::int64_t>(n));
}

SvrModel solve_one(const detail::SvrPrepared& prep, const SvrProblem& prob,
                   const KernelGroup& group, std::span<const std::string> names) {
  std::unique_ptr<detail::KernelRows> rows;
  if (group.full) {
    rows = std::make_unique<detail::FullKernelRows>(group.kernel, prep.n);
  } else {
    const std::size_t capacity = group.budget / sizeof(double) / prep.n;
    rows = std::make_unique<detail::CachedKernelRows>(prep.x_std, prep.n, prep.d, prep.gamma,
                                                      capacity, prob.spec.libsvm_float_kernel);
  }
  const std::int64_t max_iter = resolved_max_iter(prob.spec, prep.n);
  const detail::SmoResult sol =
      detail::solve_svr_smo(*rows, prep.target, prob.spec.c, prob.spec.epsilon, prob.spec.tol,
                            max_iter, prob.spec.shrinking);
  return detail::make_svr_model(prep, sol, prob.spec,
                                std::vector<std::string>(names.begin(), names.end()));
}

// One past the last group of the wave that starts at g0: consecutive groups whose full kernels
// fit together within the smallest budget among them (always at least one group).
std::size_t wave_end(const std::vector<KernelGroup>& groups,
                     std::span<const detail::SvrPrepared> preps, std::size_t g0) {
  std::size_t g1 = g0, bytes = 0, budget = groups[g0].budget;
  while (g1 < groups.size()) {
    const std::size_t n = preps[groups[g1].first].n;
    const std::size_t need = groups[g1].full ? n * n * sizeof(double) : 0;
    budget = std::min(budget, groups[g1].budget);
    if (g1 > g0 && bytes + need > budget) break;
    bytes += need;
    ++g1;
  }
  return g1;
}

}  // namespace

std::vector<SvrModel> svr_fit_batch(const Context& ctx, std::span<const detail::SvrPrepared> preps,
                                    std::span<const SvrProblem> problems,
                                    std::span<const std::string> feature_names) {
  std::vector<KernelGroup> groups = group_problems(preps, problems);
  std::vector<SvrModel> models(problems.size());
  std::vector<std::exception_ptr> errors(problems.size());
  std::size_t g0 = 0;
  while (g0 < groups.size()) {
    // A wave: consecutive groups whose full kernels fit the smallest budget among them
    // (always at least one group).
    const std::size_t g1 = wave_end(groups, preps, g0);
    std::vector<std::size_t> wave;
    for (std::size_t g = g0; g < g1; ++g) {
      const detail::SvrPrepared& prep = preps[groups[g].first];
      if (groups[g].full) {
        groups[g].kernel =
            rbf_kernel_matrix(ctx, prep.x_std, prep.n, prep.x_std, prep.n, prep.d, prep.gamma);
        if (problems[groups[g].first].spec.libsvm_float_kernel) {
          detail::round_kernel_to_float(groups[g].kernel);
        }
      }
      for (std::size_t p : groups[g].members) wave.push_back(p);
    }
    std::vector<std::size_t> group_of(problems.size());
    for (std::size_t g = g0; g < g1; ++g) {
      for (std::size_t p : groups[g].members) group_of[p] = g;
    }
    const auto count = static_cast<std::ptrdiff_t>(wave.size());
    // No more threads than problems, so a single fit wakes no idle team. The dynamic schedule
    // only balances load: which thread solves a problem does not change it.
    const int team = static_cast<int>(std::min<std::ptrdiff_t>(ctx.threads(), count));
#pragma omp parallel for schedule(dynamic, 1) num_threads(team) if (team > 1)
    for (std::ptrdiff_t w = 0; w < count; ++w) {
      const std::size_t p = wave[static_cast<std::size_t>(w)];
      try {
        models[p] = solve_one(preps[p], problems[p], groups[group_of[p]], feature_names);
      } catch (...) {
        errors[p] = std::current_exception();  // exceptions must not leave an OpenMP region
      }
    }
    for (std::size_t g = g0; g < g1; ++g) std::vector<double>().swap(groups[g].kernel);
    g0 = g1;
  }
  for (std::size_t p = 0; p < problems.size(); ++p) {
    if (errors[p]) std::rethrow_exception(errors[p]);
    if (!models[p].converged) {
      ctx.logger().warn("svr: problem {} stopped at max_iter = {} with KKT gap {} > tol {}", p,
                        models[p].n_iter, models[p].kkt_gap, problems[p].spec.tol);
    }
  }
  return models;
}

}  // namespace thermex::cpu
