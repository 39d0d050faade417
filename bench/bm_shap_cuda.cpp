// BM_ShapExact/cuda: exact interventional SHAP (Owen integral); BM_ShapPermutation/cuda and
// BM_ShapKernel/cuda: the Monte Carlo estimators at 64 antithetic pairs per row (no target
// standard error; counter mean_std_error), all through the public svr_shap on the CUDA backend,
// over explained rows in {200, 600} x features in {8, 15}, against a background of all 600 training
// rows (the target case: 600 x 600 x ~450 support vectors x 15 features). The model is
// fitted on the CPU with bm_shap.cpp's recipe (C = 10, epsilon = 0.1, gamma = "scale",
// standardized); the explained rows are a fresh draw of the same recipe. The time covers the whole
// call: the CPU-side validation, standardization and game (base value), the uploads, the device
// factors and Owen sums (or the Monte Carlo coalition values and the host driver), the copy back
// and the CPU efficiency check. cudaEvents on the context's stream bracket each call
// (UseManualTime) after a warm-up call. items_per_second counts explained rows. See bench/README.md
// ("SHAP").
#include <benchmark/benchmark.h>

#include "bench_data.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

#include "thermex/context.hpp"
#include "thermex/shap.hpp"
#include "thermex/svr.hpp"
#if defined(THERMEX_HAVE_CUDA)
#include "thermex/cuda/event.hpp"
#endif

namespace {

#if defined(THERMEX_HAVE_CUDA)
constexpr std::uint64_t kBenchSeed = 23;  // bm_shap.cpp's seed: the same training rows
constexpr std::size_t kTrainRows = 600;
constexpr std::size_t kMonteCarloPairs = 64;  // svr_shap's default samples, no target SE

// Times svr_shap on the CUDA backend with `options` (see the file comment).
void run_shap_cuda(benchmark::State& state, const thermex::ShapOptions& options) {
  if (thermex::cuda_device_count() == 0) {
    state.SkipWithError("no CUDA device");
    return;
  }
  const auto rows = static_cast<std::size_t>(state.range(0));
  const auto d = static_cast<std::size_t>(state.range(1));
  const auto train = thermex::bench::make_regression_data(kTrainRows, d, kBenchSeed, d);
  const auto explained = thermex::bench::make_regression_data(rows, d, kBenchSeed, 1000 + d);
  thermex::SvrSpec spec;
  spec.c = 10.0;
  spec.epsilon = 0.1;
  spec.gamma = thermex::SvrGamma::scale_rule();
  const auto cpu =
      thermex::Context::create({.device = thermex::DeviceRequest::kCpu, .quiet = true});
  const thermex::SvrModel model = thermex::svr_fit(cpu, train.x, kTrainRows, d, train.y, spec);
  const auto ctx =
      thermex::Context::create({.device = thermex::DeviceRequest::kCuda, .quiet = true});
  const auto stream = static_cast<cudaStream_t>(ctx.cuda_stream());
  // Warm-up: loads the kernels and grows the stream-ordered memory pool.
  thermex::ShapResult result =
      thermex::svr_shap(ctx, model, explained.x, rows, train.x, kTrainRows, options);
  thermex::cuda::Event start;
  thermex::cuda::Event stop;
  for (auto _ : state) {
    start.record(stream);
    result = thermex::svr_shap(ctx, model, explained.x, rows, train.x, kTrainRows, options);
    stop.record(stream);
    state.SetIterationTime(static_cast<double>(thermex::cuda::elapsed_ms(start, stop)) * 1e-3);
    benchmark::DoNotOptimize(result.values.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(rows));
  state.counters["n_sv"] = static_cast<double>(model.n_support());
  state.counters["background"] = static_cast<double>(kTrainRows);
  state.counters["max_efficiency_gap"] = result.max_efficiency_violation;
  if (options.method != thermex::ShapMethod::kExact) {
    double mean_se = 0.0;  // the accuracy bought by the time
    for (double se : result.std_errors) mean_se += se;
    state.counters["mean_std_error"] = mean_se / static_cast<double>(result.std_errors.size());
  }
}

thermex::ShapOptions monte_carlo(thermex::ShapMethod method) {
  thermex::ShapOptions options;
  options.method = method;
  options.samples = kMonteCarloPairs;
  options.seed = kBenchSeed;
  return options;
}

void BM_ShapExactCuda(benchmark::State& state) { run_shap_cuda(state, {}); }
void BM_ShapPermutationCuda(benchmark::State& state) {
  run_shap_cuda(state, monte_carlo(thermex::ShapMethod::kPermutation));
}
void BM_ShapKernelCuda(benchmark::State& state) {
  run_shap_cuda(state, monte_carlo(thermex::ShapMethod::kKernel));
}
#else
void skip_without_cuda(benchmark::State& state) {
  state.SkipWithError("no CUDA device (thermex built without CUDA)");
}
void BM_ShapExactCuda(benchmark::State& state) { skip_without_cuda(state); }
void BM_ShapPermutationCuda(benchmark::State& state) { skip_without_cuda(state); }
void BM_ShapKernelCuda(benchmark::State& state) { skip_without_cuda(state); }
#endif

}  // namespace

BENCHMARK(BM_ShapExactCuda)
    ->Name("BM_ShapExact/cuda")
    ->ArgsProduct({{200, 600}, {8, 15}})
    ->ArgNames({"rows", "features"})
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime();

BENCHMARK(BM_ShapPermutationCuda)
    ->Name("BM_ShapPermutation/cuda")
    ->ArgsProduct({{200, 600}, {8, 15}})
    ->ArgNames({"rows", "features"})
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime();

BENCHMARK(BM_ShapKernelCuda)
    ->Name("BM_ShapKernel/cuda")
    ->ArgsProduct({{200, 600}, {8, 15}})
    ->ArgNames({"rows", "features"})
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime();
