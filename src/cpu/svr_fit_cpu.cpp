// The CPU batch of SVR fits. Problems that share rows, standardization and the resolved gamma
// see the very same standardized matrix and so the same kernel matrix (the plan of
// src/svr_batch_plan.cpp, shared with the CUDA backend): it is computed once per group
// (rbf_kernel_matrix, all threads), then the problems of a wave of groups are solved in parallel,
// one problem per OpenMP thread at a time. Each solve is single-threaded and reads only shared
// constant data, so every model's bytes are independent of the thread count and schedule.
// With SvrSpec::warm_start_c the unit of work is a chain (detail::svr_warm_chains): problems
// that differ only in C, solved in increasing C by one thread, each from the previous
// solution; the chains are fixed by the problems, so the results still do not depend on the
// threads.
#include <algorithm>
#include <exception>
#include <memory>
#include <vector>

#include "../svr_internal.hpp"
#include "thermex/error.hpp"
#include "thermex/rbf_kernel.hpp"

namespace thermex::cpu {
namespace {

// Solves one problem, from `alpha0` when it is not empty (a warm start, feasible for the
// problem's C); the solution's variables go to `alpha_out` when it is not null.
SvrModel solve_one(const detail::SvrPrepared& prep, const SvrProblem& prob,
                   const detail::SvrKernelGroup& group, std::span<const double> kernel,
                   std::span<const std::string> names, std::span<const double> alpha0,
                   std::vector<double>* alpha_out) {
  std::unique_ptr<detail::KernelRows> rows;
  if (group.full) {
    rows = std::make_unique<detail::FullKernelRows>(kernel, prep.n);
  } else {
    const std::size_t capacity = group.budget / sizeof(double) / prep.n;
    rows = std::make_unique<detail::CachedKernelRows>(prep.x_std, prep.n, prep.d, prep.gamma,
                                                      capacity, prob.spec.libsvm_float_kernel);
  }
  const std::int64_t max_iter = detail::svr_max_iter(prob.spec, prep.n);
  detail::SmoResult sol =
      detail::solve_svr_smo_from(*rows, prep.target, alpha0, prob.spec.c, prob.spec.epsilon,
                                 prob.spec.tol, max_iter, prob.spec.shrinking);
  SvrModel model = detail::make_svr_model(prep, sol, prob.spec,
                                          std::vector<std::string>(names.begin(), names.end()));
  if (alpha_out != nullptr) *alpha_out = std::move(sol.alpha);
  return model;
}

// Solves the problems of `chain` in order, each after the first warm-started from its
// predecessor's solution (a chain of one is a cold solve). A failed solve is recorded in
// `errors` and the next one starts cold.
void solve_chain(std::span<const std::size_t> chain, std::span<const detail::SvrPrepared> preps,
                 std::span<const SvrProblem> problems, const detail::SvrKernelGroup& group,
                 std::span<const double> kernel, std::span<const std::string> names,
                 std::span<SvrModel> models, std::span<std::exception_ptr> errors) {
  std::vector<double> alpha, start;
  double c_prev = 0.0;
  for (std::size_t k = 0; k < chain.size(); ++k) {
    const std::size_t p = chain[k];
    try {
      start.clear();
      if (!alpha.empty()) start = detail::svr_warm_start_alpha(alpha, c_prev, problems[p].spec.c);
      alpha.clear();
      models[p] = solve_one(preps[p], problems[p], group, kernel, names, start,
                            k + 1 < chain.size() ? &alpha : nullptr);
      c_prev = problems[p].spec.c;
    } catch (...) {
      errors[p] = std::current_exception();  // exceptions must not leave an OpenMP region
      alpha.clear();
    }
  }
}

// A unit of parallel work: problems of one kernel group solved in order by one thread.
struct Chain {
  std::size_t group = 0;
  std::vector<std::size_t> problems;
};

}  // namespace

std::vector<SvrModel> svr_fit_batch(const Context& ctx, std::span<const detail::SvrPrepared> preps,
                                    std::span<const SvrProblem> problems,
                                    std::span<const std::string> feature_names) {
  const std::vector<detail::SvrKernelGroup> groups = detail::group_svr_problems(preps, problems);
  std::vector<std::vector<double>> kernels(groups.size());  // n x n per full group, per wave
  std::vector<SvrModel> models(problems.size());
  std::vector<std::exception_ptr> errors(problems.size());
  std::size_t g0 = 0;
  while (g0 < groups.size()) {
    // A wave: consecutive groups whose full kernels fit the smallest budget among them
    // (always at least one group).
    const std::size_t g1 = detail::svr_wave_end(groups, preps, g0);
    std::vector<Chain> wave;
    for (std::size_t g = g0; g < g1; ++g) {
      const detail::SvrPrepared& prep = preps[groups[g].first];
      if (groups[g].full) {
        kernels[g] =
            rbf_kernel_matrix(ctx, prep.x_std, prep.n, prep.x_std, prep.n, prep.d, prep.gamma);
        if (problems[groups[g].first].spec.libsvm_float_kernel) {
          detail::round_kernel_to_float(kernels[g]);
        }
      }
      for (std::vector<std::size_t>& chain : detail::svr_warm_chains(groups[g], problems)) {
        wave.push_back(Chain{g, std::move(chain)});
      }
    }
    const auto count = static_cast<std::ptrdiff_t>(wave.size());
    // No more threads than chains, so a single fit wakes no idle team. The dynamic schedule
    // only balances load: which thread solves a chain does not change it.
    const int team = static_cast<int>(std::min<std::ptrdiff_t>(ctx.threads(), count));
#pragma omp parallel for schedule(dynamic, 1) num_threads(team) if (team > 1)
    for (std::ptrdiff_t w = 0; w < count; ++w) {
      const Chain& c = wave[static_cast<std::size_t>(w)];
      solve_chain(c.problems, preps, problems, groups[c.group], kernels[c.group], feature_names,
                  models, errors);
    }
    for (std::size_t g = g0; g < g1; ++g) std::vector<double>().swap(kernels[g]);
    g0 = g1;
  }
  for (std::size_t p = 0; p < problems.size(); ++p) {
    if (errors[p]) std::rethrow_exception(errors[p]);
  }
  detail::warn_unconverged(ctx, models, problems);
  return models;
}

}  // namespace thermex::cpu
