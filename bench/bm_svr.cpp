// Benchmarks of the epsilon-SVR engine on the CPU: BM_SvrFit/cpu (one fit, n x d, C = 10,
// epsilon = 0.1, gamma = "scale", standardized, tol 1e-3, shrinking on: scikit-learn's SVR(C=10)
// on StandardScaler'd data; BM_SvrFitNoShrink/cpu: the same without shrinking, thermex's
// default), BM_SvrFitBatch/cpu (5
// folds x 12 grid points of n = 600 = 60 problems in one svr_fit_batch call), BM_SvrGridSearch/cpu
// (the same grid through svr_grid_search_cv, held-out predictions included, as GridSearchCV) and
// BM_SvrPredict/cpu (1e5 queries of a model fitted on 600 rows), BM_SvrIssueGrid/cpu (issue 3's
// grid below through svr_grid_search_cv, cold and with warm starts along C). On the GPU:
// BM_SvrFitBatch/cuda (the same 60 problems through the CUDA backend) and BM_SvrGridFits/cuda
// (issue 3's grid: C = logspace(-1, 3, 8) x gamma = logspace(-3, 0, 8) x epsilon in {0.01,
// 0.05, 0.1, 0.2}, 5 folds of 600 rows = 1,280 fits of 480 rows in one call), timed with
// cudaEvents on the context's stream (UseManualTime) after a warm-up; host data in and models
// out, so the time includes the copies and the model assembly. The data recipe is
// bench/svr_vs_sklearn.py's (with Philox draws instead of numpy's), so both sides solve problems of
// the same kind and size. items_per_second counts fits (fit benchmarks) or predicted rows
// (predict). See bench/README.md.
#include <benchmark/benchmark.h>

#include "bench_data.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "thermex/context.hpp"
#include "thermex/math/philox.hpp"
#include "thermex/svr.hpp"
#include "thermex/svr_cv.hpp"
#if defined(THERMEX_HAVE_CUDA)
#include "thermex/cuda/event.hpp"
#endif

namespace {

using thermex::Context;
using thermex::DeviceRequest;

constexpr std::uint64_t kBenchSeed = 11;

using Data = thermex::bench::RegressionData;

Data make_data(std::size_t n, std::size_t d, std::uint64_t id) {
  return thermex::bench::make_regression_data(n, d, kBenchSeed, id);
}

thermex::SvrSpec bench_spec() {
  thermex::SvrSpec spec;
  spec.c = 10.0;
  spec.epsilon = 0.1;
  spec.gamma = thermex::SvrGamma::scale_rule();
  return spec;
}

Context bench_context() { return Context::create({.device = DeviceRequest::kCpu, .quiet = true}); }

void fit_benchmark(benchmark::State& state, bool shrinking) {
  const Data data = make_data(static_cast<std::size_t>(state.range(0)),
                              static_cast<std::size_t>(state.range(1)), 1);
  const Context ctx = bench_context();
  thermex::SvrSpec spec = bench_spec();
  spec.shrinking = shrinking;
  thermex::SvrModel model;
  for (auto _ : state) {
    model = thermex::svr_fit(ctx, data.x, data.n, data.d, data.y, spec);
    benchmark::DoNotOptimize(model.intercept);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["omp_threads"] = ctx.threads();
  state.counters["n_sv"] = static_cast<double>(model.n_support());
  state.counters["smo_iter"] = static_cast<double>(model.n_iter);
}

void BM_SvrFitCpu(benchmark::State& state) { fit_benchmark(state, true); }
// The same fits with libsvm's shrinking off (SvrSpec::shrinking = false).
void BM_SvrFitNoShrinkCpu(benchmark::State& state) { fit_benchmark(state, false); }

// The 12-point grid: C in {0.1, 1, 10, 100} x gamma in {0.02, scale, 0.2}, epsilon 0.1.
thermex::SvrGrid bench_grid() {
  thermex::SvrGrid grid;
  grid.c = {0.1, 1.0, 10.0, 100.0};
  grid.gamma = {thermex::SvrGamma::fixed(0.02), thermex::SvrGamma::scale_rule(),
                thermex::SvrGamma::fixed(0.2)};
  grid.epsilon = {0.1};
  return grid;
}

constexpr std::size_t kFolds = 5;
constexpr std::size_t kGridRows = 600;

// Every (grid point, fold) problem of a k-fold grid over `data`: the training rows of the fold
// and the point's C, gamma and epsilon.
std::vector<thermex::SvrProblem> grid_problems(const Data& data, const thermex::SvrGrid& grid) {
  const std::vector<std::size_t> fold = thermex::svr_kfold_assignment(data.n, kFolds, 3);
  std::vector<thermex::SvrProblem> problems;
  for (double c : grid.c) {
    for (const thermex::SvrGamma& g : grid.gamma) {
      for (double eps : grid.epsilon) {
        for (std::size_t f = 0; f < kFolds; ++f) {
          thermex::SvrProblem p;
          for (std::size_t i = 0; i < data.n; ++i) {
            if (fold[i] != f) p.rows.push_back(i);
          }
          p.spec = bench_spec();
          p.spec.c = c;
          p.spec.gamma = g;
          p.spec.epsilon = eps;
          problems.push_back(std::move(p));
        }
      }
    }
  }
  return problems;
}

void BM_SvrFitBatchCpu(benchmark::State& state) {
  const Data data = make_data(kGridRows, 15, 2);
  const Context ctx = bench_context();
  const std::vector<thermex::SvrProblem> problems = grid_problems(data, bench_grid());
  for (auto _ : state) {
    auto models = thermex::svr_fit_batch(ctx, data.x, data.n, data.d, data.y, problems);
    benchmark::DoNotOptimize(models.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(problems.size()));
  state.counters["omp_threads"] = ctx.threads();
  state.counters["problems"] = static_cast<double>(problems.size());
}

// issue 3's 256-point grid: C = logspace(-1, 3, 8), gamma = logspace(-3, 0, 8), epsilon in
// {0.01, 0.05, 0.1, 0.2}.
thermex::SvrGrid issue_grid() {
  thermex::SvrGrid grid;
  for (int e = 0; e < 8; ++e) {
    grid.c.push_back(std::pow(10.0, -1.0 + 4.0 * e / 7.0));
    grid.gamma.push_back(thermex::SvrGamma::fixed(std::pow(10.0, -3.0 + 3.0 * e / 7.0)));
  }
  grid.epsilon = {0.01, 0.05, 0.1, 0.2};
  return grid;
}

#if defined(THERMEX_HAVE_CUDA)
// One svr_fit_batch call on the CUDA backend per iteration, bracketed by cudaEvents.
void cuda_batch_benchmark(benchmark::State& state, const thermex::SvrGrid& grid) {
  if (thermex::cuda_device_count() == 0) {
    state.SkipWithError("no CUDA device");
    return;
  }
  const Data data = make_data(kGridRows, 15, 2);
  const Context ctx = Context::create({.device = DeviceRequest::kCuda, .quiet = true});
  const auto stream = static_cast<cudaStream_t>(ctx.cuda_stream());
  const std::vector<thermex::SvrProblem> problems = grid_problems(data, grid);
  // Warm-up: creates the cuBLAS handle, loads the kernels and grows the stream-ordered pool.
  auto models = thermex::svr_fit_batch(ctx, data.x, data.n, data.d, data.y, problems);
  thermex::cuda::Event start;
  thermex::cuda::Event stop;
  for (auto _ : state) {
    start.record(stream);
    models = thermex::svr_fit_batch(ctx, data.x, data.n, data.d, data.y, problems);
    stop.record(stream);
    state.SetIterationTime(static_cast<double>(thermex::cuda::elapsed_ms(start, stop)) * 1e-3);
    benchmark::DoNotOptimize(models.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(problems.size()));
  state.counters["problems"] = static_cast<double>(problems.size());
  std::int64_t iters = 0;
  for (const thermex::SvrModel& m : models) iters += m.n_iter;
  state.counters["smo_iter_per_fit"] =
      static_cast<double>(iters) / static_cast<double>(problems.size());
}
#else
void cuda_batch_benchmark(benchmark::State& state, const thermex::SvrGrid& /*grid*/) {
  state.SkipWithError("no CUDA device (thermex built without CUDA)");
}
#endif

void BM_SvrFitBatchCuda(benchmark::State& state) { cuda_batch_benchmark(state, bench_grid()); }
void BM_SvrGridFitsCuda(benchmark::State& state) { cuda_batch_benchmark(state, issue_grid()); }

void BM_SvrGridSearchCpu(benchmark::State& state) {
  const Data data = make_data(kGridRows, 15, 2);
  const Context ctx = bench_context();
  const thermex::SvrGrid grid = bench_grid();
  std::size_t points = 0;
  for (auto _ : state) {
    const auto res = thermex::svr_grid_search_cv(ctx, data.x, data.n, data.d, data.y, bench_spec(),
                                                 grid, kFolds);
    points = res.specs.size();
    benchmark::DoNotOptimize(res.best);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(points * kFolds));
  state.counters["omp_threads"] = ctx.threads();
}

// Issue 3's grid (256 configurations x 5 folds = 1,280 fits of 480 rows, held-out predictions
// and RMSEs included) through svr_grid_search_cv, as GridSearchCV times it; argument 1 turns on
// warm starts along C (SvrSpec::warm_start_c).
void BM_SvrIssueGridCpu(benchmark::State& state) {
  const Data data = make_data(kGridRows, 15, 2);
  const Context ctx = bench_context();
  thermex::SvrSpec spec = bench_spec();
  spec.warm_start_c = state.range(0) != 0;
  std::size_t points = 0;
  for (auto _ : state) {
    const auto res = thermex::svr_grid_search_cv(ctx, data.x, data.n, data.d, data.y, spec,
                                                 issue_grid(), kFolds);
    points = res.specs.size();
    benchmark::DoNotOptimize(res.best);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(points * kFolds));
  state.counters["omp_threads"] = ctx.threads();
  state.counters["problems"] = static_cast<double>(points * kFolds);
}

void BM_SvrPredictCpu(benchmark::State& state) {
  const Data train = make_data(600, 15, 1);
  const auto queries = static_cast<std::size_t>(state.range(0));
  const Data q = make_data(queries, 15, 4);
  const Context ctx = bench_context();
  const thermex::SvrModel model =
      thermex::svr_fit(ctx, train.x, train.n, train.d, train.y, bench_spec());
  for (auto _ : state) {
    auto pred = thermex::svr_predict(ctx, model, q.x, q.n);
    benchmark::DoNotOptimize(pred.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(queries));
  state.counters["omp_threads"] = ctx.threads();
  state.counters["n_sv"] = static_cast<double>(model.n_support());
}

}  // namespace

BENCHMARK(BM_SvrFitCpu)
    ->Name("BM_SvrFit/cpu")
    ->ArgsProduct({{300, 600, 2000, 5000}, {15}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_SvrFitNoShrinkCpu)
    ->Name("BM_SvrFitNoShrink/cpu")
    ->ArgsProduct({{300, 600, 2000, 5000}, {15}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_SvrFitBatchCpu)
    ->Name("BM_SvrFitBatch/cpu")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_SvrFitBatchCuda)
    ->Name("BM_SvrFitBatch/cuda")
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime();
BENCHMARK(BM_SvrGridFitsCuda)
    ->Name("BM_SvrGridFits/cuda")
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime();
BENCHMARK(BM_SvrGridSearchCpu)
    ->Name("BM_SvrGridSearch/cpu")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_SvrIssueGridCpu)
    ->Name("BM_SvrIssueGrid/cpu")
    ->ArgName("warm")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_SvrPredictCpu)
    ->Name("BM_SvrPredict/cpu")
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Warm starts along C (SvrSpec::warm_start_c): 5 folds x C in {0.1, 1, 10, 100, 1000} at
// gamma = "scale", epsilon = 0.1 on the 600 x 15 grid data = 25 problems in one svr_fit_batch
// call; argument 0 solves every problem cold, 1 in chains of increasing C per fold.
// smo_iter_total sums the SMO iterations of the 25 fits.
namespace {

void BM_SvrGridWarmStartCpu(benchmark::State& state) {
  const Data data = make_data(kGridRows, 15, 2);
  const Context ctx = bench_context();
  thermex::SvrGrid grid;
  grid.c = {0.1, 1.0, 10.0, 100.0, 1000.0};
  grid.gamma = {thermex::SvrGamma::scale_rule()};
  grid.epsilon = {0.1};
  std::vector<thermex::SvrProblem> problems = grid_problems(data, grid);
  for (thermex::SvrProblem& p : problems) p.spec.warm_start_c = state.range(0) != 0;
  std::vector<thermex::SvrModel> models;
  for (auto _ : state) {
    models = thermex::svr_fit_batch(ctx, data.x, data.n, data.d, data.y, problems);
    benchmark::DoNotOptimize(models.data());
  }
  std::int64_t iters = 0;
  for (const thermex::SvrModel& m : models) iters += m.n_iter;
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(problems.size()));
  state.counters["omp_threads"] = ctx.threads();
  state.counters["problems"] = static_cast<double>(problems.size());
  state.counters["smo_iter_total"] = static_cast<double>(iters);
}

}  // namespace

BENCHMARK(BM_SvrGridWarmStartCpu)
    ->Name("BM_SvrGridWarmStart/cpu")
    ->ArgName("warm")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
