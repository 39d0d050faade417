// BM_SvrPredict/cuda: SVR prediction through the public entry point on the CUDA backend, host
// queries in and host predictions out (pageable memory), so the time includes the host-to-device
// copies of the queries and the model, every chunk's kernel tile, GEMV and epilogue, and the
// copies back. The model is fitted on the CPU on 600 x 15 rows of bench/bm_svr.cpp's data recipe
// (C = 10, epsilon = 0.1, gamma = "scale", standardized: ~450 support vectors), and the queries
// follow the same recipe. cudaEvents on the context's stream bracket each call (UseManualTime).
// items_per_second counts predicted rows. See bench/README.md.
#include <benchmark/benchmark.h>

#include "bench_data.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "thermex/context.hpp"
#include "thermex/math/philox.hpp"
#include "thermex/svr.hpp"
#if defined(THERMEX_HAVE_CUDA)
#include "thermex/cuda/event.hpp"
#endif

namespace {

using thermex::Context;
using thermex::DeviceRequest;

#if defined(THERMEX_HAVE_CUDA)
constexpr std::uint64_t kBenchSeed = 11;  // bench/bm_svr.cpp's seed: the same training rows

// bench/bm_svr.cpp's data recipe.
void make_data(std::size_t n, std::size_t d, std::uint64_t id, std::vector<double>& x,
               std::vector<double>& y) {
  auto data = thermex::bench::make_regression_data(n, d, kBenchSeed, id);
  x = std::move(data.x);
  y = std::move(data.y);
}

void BM_SvrPredictCuda(benchmark::State& state) {
  if (thermex::cuda_device_count() == 0) {
    state.SkipWithError("no CUDA device");
    return;
  }
  constexpr std::size_t kTrain = 600;
  constexpr std::size_t kD = 15;
  const auto queries = static_cast<std::size_t>(state.range(0));
  std::vector<double> x, y, xq, yq;
  make_data(kTrain, kD, 1, x, y);
  make_data(queries, kD, 4, xq, yq);
  thermex::SvrSpec spec;
  spec.c = 10.0;
  spec.epsilon = 0.1;
  const auto cpu = Context::create({.device = DeviceRequest::kCpu, .quiet = true});
  const thermex::SvrModel model = thermex::svr_fit(cpu, x, kTrain, kD, y, spec);
  const auto ctx = Context::create({.device = DeviceRequest::kCuda, .quiet = true});
  const auto stream = static_cast<cudaStream_t>(ctx.cuda_stream());
  // Warm-up: creates the cuBLAS handle, loads the kernels and grows the stream-ordered pool.
  std::vector<double> pred = thermex::svr_predict(ctx, model, xq, queries);
  thermex::cuda::Event start;
  thermex::cuda::Event stop;
  for (auto _ : state) {
    start.record(stream);
    pred = thermex::svr_predict(ctx, model, xq, queries);
    stop.record(stream);
    state.SetIterationTime(static_cast<double>(thermex::cuda::elapsed_ms(start, stop)) * 1e-3);
    benchmark::DoNotOptimize(pred.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(queries));
  state.counters["n_sv"] = static_cast<double>(model.n_support());
}
#else
void BM_SvrPredictCuda(benchmark::State& state) {
  state.SkipWithError("no CUDA device (thermex built without CUDA)");
}
#endif

BENCHMARK(BM_SvrPredictCuda)
    ->Name("BM_SvrPredict/cuda")
    ->Arg(1000000)
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime();

}  // namespace
