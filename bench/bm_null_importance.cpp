// Benchmarks of the screening forest on the CPU (issue 4, "Performance"): BM_ForestFit/cpu (one
// fit_forest call, its trees in parallel) and BM_NullImportance/cpu (null_importance with
// K = 100 shuffles, i.e. 101 fits in parallel over fits), 100 trees each, on the step-2 input
// of the screening workflow: the synthetic database (synth::synthesize, 600 records, seed 2025
// = data/synthetic_dsc.csv) featurized, rows with an onset_C value, and the features that
// survive the Spearman filter at 0.8 for onset_C (31 of 50 candidates). items_per_second counts
// forest fits. bench/null_vs_lightgbm.py times LightGBM's rf on the very same table. See
// bench/README.md ("Screening").
// BM_NullImportance/cuda: the same call on Device::kCuda (all (fit, tree) pairs in one launch)
// for K in {100, 1000}; cudaEvents on the context's stream bracket each whole call (host
// permutations, uploads, kernels, copy back, decision) after a warm-up call (UseManualTime).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "thermex/context.hpp"
#include "thermex/features.hpp"
#include "thermex/forest.hpp"
#include "thermex/null_importance.hpp"
#include "thermex/selection.hpp"
#include "thermex/synth.hpp"
#if defined(THERMEX_HAVE_CUDA)
#include "thermex/cuda/event.hpp"
#endif

namespace {

using thermex::Context;
using thermex::DeviceRequest;

constexpr std::uint64_t kSynthSeed = 2025;  // the seed of data/synthetic_dsc.csv
constexpr std::uint64_t kFitSeed = 5;
constexpr char kTarget[] = "onset_C";
constexpr int kShuffles = 100;
constexpr int kTrees = 100;

// The binned step-2 features and the target, built once for all benchmarks.
struct ScreenData {
  thermex::BinnedFeatures features;
  std::vector<double> y;
};

const ScreenData& screen_data() {
  static const ScreenData data = [] {
    const thermex::FeatureResult f =
        thermex::featurize(thermex::synth::synthesize({.rows = 600, .seed = kSynthSeed}));
    const thermex::Table& table = f.table;
    // Rows with a target value, as select_features() uses them.
    const std::size_t target_col = table.index_of(kTarget);
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < table.rows(); ++i) {
      if (!std::isnan(table.column(target_col)[i])) rows.push_back(i);
    }
    const thermex::Table used = table.select_rows(rows);
    // The Spearman survivors, from the library itself (a one-shuffle, one-tree null step is
    // the cheapest way to run step 1 exactly as `thermex select` does).
    thermex::SelectionOptions options;
    options.null.shuffles = 1;
    options.null.forest.n_trees = 1;
    const Context ctx = Context::create({.device = DeviceRequest::kCpu, .quiet = true});
    const thermex::Selection s = thermex::select_features(ctx, used, kTarget, options);
    ScreenData out;
    out.features = thermex::bin_features(used.select_columns(s.redundancy.kept), 64);
    const auto y = used.column(used.index_of(kTarget));
    out.y.assign(y.begin(), y.end());
    return out;
  }();
  return data;
}

thermex::ForestOptions bench_forest() {
  thermex::ForestOptions o;
  o.n_trees = kTrees;
  return o;  // the documented defaults otherwise (data/SCREENING.md)
}

Context bench_context() {
  return Context::create({.device = DeviceRequest::kCpu, .seed = kFitSeed, .quiet = true});
}

void set_counters(benchmark::State& state, const Context& ctx, const ScreenData& data) {
  state.counters["omp_threads"] = ctx.threads();
  state.counters["rows"] = static_cast<double>(data.features.rows);
  state.counters["features"] = static_cast<double>(data.features.cols);
  state.counters["trees"] = kTrees;
}

void BM_ForestFitCpu(benchmark::State& state) {
  const ScreenData& data = screen_data();
  const Context ctx = bench_context();
  const thermex::ForestOptions options = bench_forest();
  std::uint64_t fit_id = 0;
  for (auto _ : state) {
    // A new fit id per call: every iteration grows different trees, as the shuffles do.
    const thermex::Forest forest =
        thermex::fit_forest(ctx, data.features, data.y, options, fit_id++);
    benchmark::DoNotOptimize(forest.importance.data());
  }
  state.SetItemsProcessed(state.iterations());
  set_counters(state, ctx, data);
}

void BM_NullImportanceCpu(benchmark::State& state) {
  const ScreenData& data = screen_data();
  const Context ctx = bench_context();
  thermex::NullImportanceOptions options;
  options.shuffles = kShuffles;
  options.forest = bench_forest();
  std::size_t kept = 0;
  for (auto _ : state) {
    const thermex::NullImportanceResult r =
        thermex::null_importance(ctx, data.features, data.y, options);
    kept = 0;
    for (const auto k : r.keep) kept += k;
    benchmark::DoNotOptimize(r.null.data());
  }
  // K shuffled fits plus the real-target fit per call.
  state.SetItemsProcessed(state.iterations() * (kShuffles + 1));
  set_counters(state, ctx, data);
  state.counters["shuffles"] = kShuffles;
  state.counters["kept"] = static_cast<double>(kept);
}

#if defined(THERMEX_HAVE_CUDA)
void BM_NullImportanceCuda(benchmark::State& state) {
  if (thermex::cuda_device_count() == 0) {
    state.SkipWithError("no CUDA device");
    return;
  }
  const ScreenData& data = screen_data();
  const Context ctx =
      Context::create({.device = DeviceRequest::kCuda, .seed = kFitSeed, .quiet = true});
  const auto stream = static_cast<cudaStream_t>(ctx.cuda_stream());
  const auto shuffles = static_cast<int>(state.range(0));
  thermex::NullImportanceOptions options;
  options.shuffles = shuffles;
  options.forest = bench_forest();
  // Warm-up: loads the kernels and grows the stream-ordered memory pool.
  thermex::NullImportanceResult r = thermex::null_importance(ctx, data.features, data.y, options);
  thermex::cuda::Event start;
  thermex::cuda::Event stop;
  for (auto _ : state) {
    start.record(stream);
    r = thermex::null_importance(ctx, data.features, data.y, options);
    stop.record(stream);
    state.SetIterationTime(static_cast<double>(thermex::cuda::elapsed_ms(start, stop)) * 1e-3);
    benchmark::DoNotOptimize(r.null.data());
  }
  std::size_t kept = 0;
  for (const auto k : r.keep) kept += k;
  state.SetItemsProcessed(state.iterations() * (shuffles + 1));
  set_counters(state, ctx, data);
  state.counters["shuffles"] = shuffles;
  state.counters["kept"] = static_cast<double>(kept);
}
#else
void BM_NullImportanceCuda(benchmark::State& state) {
  state.SkipWithError("no CUDA device (thermex built without CUDA)");
}
#endif

}  // namespace

BENCHMARK(BM_ForestFitCpu)->Name("BM_ForestFit/cpu")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_NullImportanceCpu)
    ->Name("BM_NullImportance/cpu")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_NullImportanceCuda)
    ->Name("BM_NullImportance/cuda")
    ->Arg(kShuffles)
    ->Arg(1000)
    ->ArgName("shuffles")
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime();
