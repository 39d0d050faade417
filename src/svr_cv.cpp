// k-fold assignment and grid search by cross-validated RMSE for the epsilon-SVR. All
// (point, fold) fits go to one svr_fit_batch call, whose grouping shares each fold's kernel
// matrix among the points with the same resolved gamma.
#include "thermex/svr_cv.hpp"

#include <fmt/format.h>

#include <cmath>
#include <exception>
#include <numeric>
#include <vector>

#include "thermex/error.hpp"
#include "thermex/math/philox.hpp"

namespace thermex {

std::vector<std::size_t> svr_kfold_assignment(std::size_t n, std::size_t folds,
                                              std::uint64_t seed) {
  if (folds < 2 || folds > n) {
    throw Error(fmt::format("k-fold: need 2 <= folds <= rows, got {} folds for {} rows", folds, n));
  }
  // Fisher-Yates on 0..n-1 with one Philox stream (logical id 0 of the kSplit purpose).
  std::vector<std::size_t> perm(n);
  std::iota(perm.begin(), perm.end(), std::size_t{0});
  math::PhiloxStream rng(seed, math::RngPurpose::kSplit, 0);
  for (std::size_t i = n - 1; i > 0; --i) {
    std::swap(perm[i], perm[static_cast<std::size_t>(rng.below(i + 1))]);
  }
  std::vector<std::size_t> fold(n);
  std::size_t pos = 0;
  for (std::size_t f = 0; f < folds; ++f) {
    const std::size_t size = n / folds + (f < n % folds ? 1 : 0);
    for (std::size_t k = 0; k < size; ++k) fold[perm[pos++]] = f;
  }
  return fold;
}

namespace {

std::vector<SvrSpec> grid_specs(const SvrSpec& base, const SvrGrid& grid) {
  if (grid.c.empty() || grid.gamma.empty() || grid.epsilon.empty()) {
    throw Error("svr grid search: C, gamma and epsilon lists must each have a value");
  }
  std::vector<SvrSpec> specs;
  for (double c : grid.c) {
    for (const SvrGamma& g : grid.gamma) {
      for (double e : grid.epsilon) {
        SvrSpec s = base;
        s.c = c;
        s.gamma = g;
        s.epsilon = e;
        specs.push_back(s);
      }
    }
  }
  return specs;
}

// RMSE of the model on `rows`, in fitted-target units.
double held_out_rmse(const Context& ctx, const SvrModel& m, std::span<const double> x,
                     std::size_t d, std::span<const double> y,
                     const std::vector<std::size_t>& rows) {
  std::vector<double> xs;
  xs.reserve(rows.size() * d);
  for (std::size_t r : rows)
    xs.insert(xs.end(), x.begin() + static_cast<std::ptrdiff_t>(r * d),
              x.begin() + static_cast<std::ptrdiff_t>((r + 1) * d));
  const std::vector<double> pred = svr_predict(ctx, m, xs, rows.size());
  double ss = 0.0;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const double t = m.spec.log10_target ? std::log10(y[rows[k]]) : y[rows[k]];
    const double p = m.spec.log10_target ? std::log10(pred[k]) : pred[k];
    ss += (p - t) * (p - t);
  }
  return std::sqrt(ss / static_cast<double>(rows.size()));
}

}  // namespace

SvrCvResult svr_grid_search_cv(const Context& ctx, std::span<const double> x_rowmajor,
                               std::size_t n, std::size_t d, std::span<const double> y,
                               const SvrSpec& base, const SvrGrid& grid, std::size_t folds) {
  SvrCvResult res;
  res.specs = grid_specs(base, grid);
  res.folds = folds;
  const std::vector<std::size_t> fold = svr_kfold_assignment(n, folds, ctx.seed());
  std::vector<std::vector<std::size_t>> train(folds), test(folds);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t f = 0; f < folds; ++f) (fold[i] == f ? test[f] : train[f]).push_back(i);
  }
  std::vector<SvrProblem> problems;
  problems.reserve(res.specs.size() * folds);
  for (const SvrSpec& s : res.specs) {
    for (std::size_t f = 0; f < folds; ++f) problems.push_back(SvrProblem{train[f], s});
  }
  const std::vector<SvrModel> models = svr_fit_batch(ctx, x_rowmajor, n, d, y, problems);
  res.fold_rmse.resize(problems.size());
  res.cv_rmse.assign(res.specs.size(), 0.0);
  // The held-out predictions are small (a fold x the support vectors): one per thread, each
  // single-threaded (svr_predict's own parallel regions are nested, so they get one thread),
  // instead of one thread team per prediction. Each RMSE is computed the same way on any
  // thread, so the result does not depend on the thread count.
  std::vector<std::exception_ptr> errors(problems.size());
  const auto count = static_cast<std::ptrdiff_t>(problems.size());
#pragma omp parallel for schedule(dynamic, 1) num_threads(ctx.threads()) if (ctx.threads() > 1)
  for (std::ptrdiff_t q = 0; q < count; ++q) {
    const auto p = static_cast<std::size_t>(q);
    try {
      res.fold_rmse[p] = held_out_rmse(ctx, models[p], x_rowmajor, d, y, test[p % folds]);
    } catch (...) {
      errors[p] = std::current_exception();  // exceptions must not leave an OpenMP region
    }
  }
  for (std::size_t p = 0; p < problems.size(); ++p) {
    if (errors[p]) std::rethrow_exception(errors[p]);
    res.cv_rmse[p / folds] += res.fold_rmse[p] / static_cast<double>(folds);
  }
  for (std::size_t g = 1; g < res.cv_rmse.size(); ++g) {
    if (res.cv_rmse[g] < res.cv_rmse[res.best]) res.best = g;  // strict: ties keep the lower
  }
  return res;
}

}  // namespace thermex
