// Benchmarks of SHAP on the CPU: BM_ShapExact/cpu (exact interventional values by the Owen
// integral) over rows in {50, 200} x features in {8, 15}, and BM_ShapPermutation/cpu (antithetic
// permutation sampling, 64 pairs per row; 10 rows) on the same models. Each model is an RBF
// epsilon-SVR fitted by svr_fit on n = 600 Philox-drawn training rows (bm_svr.cpp's recipe: C = 10,
// epsilon = 0.1, gamma = "scale", standardized); the background is the first 100 training rows
// and the explained rows are the next ones. items_per_second counts explained rows. See
// bench/README.md ("SHAP") and bench/shap_vs_shap.py for the comparison with the shap library.
#include <benchmark/benchmark.h>

#include "bench_data.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "thermex/context.hpp"
#include "thermex/math/philox.hpp"
#include "thermex/shap.hpp"
#include "thermex/svr.hpp"

namespace {

constexpr std::uint64_t kBenchSeed = 23;
constexpr std::size_t kTrainRows = 600;
constexpr std::size_t kBackgroundRows = 100;

// bm_svr.cpp's recipe (and bench/shap_vs_shap.py's), keyed by d.
void make_data(std::size_t n, std::size_t d, std::vector<double>& x, std::vector<double>& y) {
  auto data = thermex::bench::make_regression_data(n, d, kBenchSeed, d);
  x = std::move(data.x);
  y = std::move(data.y);
}

// A fitted model, the training rows, and the context, built once per (d) and reused.
struct Case {
  thermex::Context ctx;
  thermex::SvrModel model;
  std::vector<double> x;
};

Case make_case(std::size_t d) {
  Case c{thermex::Context::create({.device = thermex::DeviceRequest::kCpu, .quiet = true}), {}, {}};
  std::vector<double> y;
  make_data(kTrainRows, d, c.x, y);
  thermex::SvrSpec spec;
  spec.c = 10.0;
  spec.epsilon = 0.1;
  spec.gamma = thermex::SvrGamma::scale_rule();
  c.model = thermex::svr_fit(c.ctx, c.x, kTrainRows, d, y, spec);
  return c;
}

void shap_benchmark(benchmark::State& state, thermex::ShapMethod method) {
  const auto rows = static_cast<std::size_t>(state.range(0));
  const auto d = static_cast<std::size_t>(state.range(1));
  const Case c = make_case(d);
  const std::span<const double> all(c.x);
  const auto background = all.subspan(0, kBackgroundRows * d);
  const auto explained = all.subspan(kBackgroundRows * d, rows * d);
  thermex::ShapOptions options;
  options.method = method;
  options.samples = 64;
  thermex::ShapResult result;
  for (auto _ : state) {
    result =
        thermex::svr_shap(c.ctx, c.model, explained, rows, background, kBackgroundRows, options);
    benchmark::DoNotOptimize(result.values.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(rows));
  state.counters["omp_threads"] = c.ctx.threads();
  state.counters["n_sv"] = static_cast<double>(c.model.n_support());
  state.counters["max_efficiency_gap"] = result.max_efficiency_violation;
}

void BM_ShapExact(benchmark::State& state) { shap_benchmark(state, thermex::ShapMethod::kExact); }

void BM_ShapPermutation(benchmark::State& state) {
  shap_benchmark(state, thermex::ShapMethod::kPermutation);
}

}  // namespace

BENCHMARK(BM_ShapExact)
    ->Name("BM_ShapExact/cpu")
    ->ArgsProduct({{50, 200}, {8, 15}})
    ->ArgNames({"rows", "features"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
// Permutation sampling costs ~0.3-1 s per row here (64 pairs x 2 orders x M coalitions, each a
// full pass over background x support vectors), so fewer rows keep the run short.
BENCHMARK(BM_ShapPermutation)
    ->Name("BM_ShapPermutation/cpu")
    ->ArgsProduct({{10}, {8, 15}})
    ->ArgNames({"rows", "features"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
