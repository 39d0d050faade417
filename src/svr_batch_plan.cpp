// The batch plan both SVR backends follow (src/cpu/svr_fit_cpu.cpp, kernels/svr_fit.cu):
// problems that share rows, standardization, float rounding and the resolved gamma see the very
// same standardized matrix and so the same kernel matrix, which is computed once per group;
// groups are processed in memory waves whose full matrices fit the smallest kernel budget.
// Within a group, problems that opted into warm starts and differ only in C form chains solved
// in increasing C (CPU only; the CUDA backend solves every problem cold).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

#include "svr_internal.hpp"

namespace thermex::detail {
namespace {

bool same_kernel(const SvrPrepared& a, const SvrProblem& pa, const SvrPrepared& b,
                 const SvrProblem& pb) {
  // Same rows and standardization give the same standardized matrix; compare gamma by bits.
  return pa.rows == pb.rows && pa.spec.standardize == pb.spec.standardize && a.d == b.d &&
         pa.spec.libsvm_float_kernel == pb.spec.libsvm_float_kernel &&
         std::memcmp(&a.gamma, &b.gamma, sizeof(double)) == 0;
}

}  // namespace

std::vector<SvrKernelGroup> group_svr_problems(std::span<const SvrPrepared> preps,
                                               std::span<const SvrProblem> problems) {
  std::vector<SvrKernelGroup> groups;
  for (std::size_t p = 0; p < problems.size(); ++p) {
    auto it = std::find_if(groups.begin(), groups.end(), [&](const SvrKernelGroup& g) {
      return same_kernel(preps[g.first], problems[g.first], preps[p], problems[p]);
    });
    if (it == groups.end()) {
      groups.push_back(SvrKernelGroup{p, {}, problems[p].spec.kernel_budget_bytes, false});
      it = groups.end() - 1;
    }
    it->members.push_back(p);
    it->budget = std::min(it->budget, problems[p].spec.kernel_budget_bytes);
  }
  for (SvrKernelGroup& g : groups) {
    const std::size_t n = preps[g.first].n;
    g.full = n <= g.budget / sizeof(double) / n;  // n * n * 8 <= budget without overflow
  }
  return groups;
}

namespace {

// Problems that may share a warm-start chain: both opted in and equal in all but C.
bool same_but_c(const SvrSpec& a, const SvrSpec& b) {
  return a.warm_start_c && b.warm_start_c && a.epsilon == b.epsilon && a.tol == b.tol &&
         a.log10_target == b.log10_target && a.shrinking == b.shrinking && a.max_iter == b.max_iter;
}

}  // namespace

std::vector<std::vector<std::size_t>> svr_warm_chains(const SvrKernelGroup& group,
                                                      std::span<const SvrProblem> problems) {
  std::vector<std::vector<std::size_t>> chains;
  for (std::size_t p : group.members) {  // ascending, so chains start at their lowest index
    auto it = std::find_if(chains.begin(), chains.end(), [&](const std::vector<std::size_t>& c) {
      return same_but_c(problems[c.front()].spec, problems[p].spec);
    });
    if (it == chains.end()) {
      chains.push_back({p});
    } else {
      it->push_back(p);
    }
  }
  for (std::vector<std::size_t>& c : chains) {
    std::stable_sort(c.begin(), c.end(), [&](std::size_t a, std::size_t b) {
      return problems[a].spec.c < problems[b].spec.c;
    });
  }
  return chains;
}

std::size_t svr_wave_end(std::span<const SvrKernelGroup> groups, std::span<const SvrPrepared> preps,
                         std::size_t g0) {
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

std::int64_t svr_max_iter(const SvrSpec& spec, std::size_t n) {
  // libsvm: max(10^7, 100 l) unless the caller gives a cap.
  if (spec.max_iter > 0) return spec.max_iter;
  return std::max<std::int64_t>(10'000'000, 100 * static_cast<std::int64_t>(n));
}

void warn_unconverged(const Context& ctx, std::span<const SvrModel> models,
                      std::span<const SvrProblem> problems) {
  for (std::size_t p = 0; p < models.size(); ++p) {
    if (!models[p].converged) {
      ctx.logger().warn("svr: problem {} stopped at max_iter = {} with KKT gap {} > tol {}", p,
                        models[p].n_iter, models[p].kkt_gap, problems[p].spec.tol);
    }
  }
}

}  // namespace thermex::detail
