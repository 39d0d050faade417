// Benchmarks of the RBF kernel matrix K (n x n, features d): BM_RbfKernel/cpu (the public entry
// point on the CPU twin), BM_RbfKernel/cuda (device-resident, what SVR tiles use) and
// BM_RbfKernelWithTransfers/cuda (the public entry point: copies in, K back). items_per_second
// counts kernel entries (n * n per iteration). The CPU benchmark's label names the CPU twin's
// instruction-set variant when THERMEX_CPU_ISA forces one ("auto": the best this CPU runs).
// See bench/README.md.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "thermex/context.hpp"
#include "thermex/math/philox.hpp"
#include "thermex/rbf_kernel.hpp"
#if defined(THERMEX_HAVE_CUDA)
#include "thermex/cuda/device_buffer.hpp"
#include "thermex/cuda/event.hpp"
#include "thermex/cuda/rbf_kernel.hpp"
#endif

namespace {

using thermex::Context;
using thermex::DeviceRequest;

constexpr std::uint64_t kBenchSeed = 7;

// Standardized-looking features: U(-1, 1), with gamma = 1 / d so K spans a useful range.
std::vector<double> bench_matrix(std::uint64_t id, std::size_t rows, std::size_t d) {
  thermex::math::PhiloxStream rng(kBenchSeed, thermex::math::RngPurpose::kTest, id);
  std::vector<double> a(rows * d);
  for (double& v : a) v = 2.0 * rng.uniform() - 1.0;
  return a;
}

struct Problem {
  std::size_t n, d;
  double gamma;
  std::vector<double> x, z;
};

Problem make_problem(const benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto d = static_cast<std::size_t>(state.range(1));
  return {n, d, 1.0 / static_cast<double>(d), bench_matrix(1, n, d), bench_matrix(2, n, d)};
}

void set_counters(benchmark::State& state, const Problem& p, const Context& ctx) {
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(p.n * p.n));
  state.counters["omp_threads"] = ctx.threads();
}

void BM_RbfKernelCpu(benchmark::State& state) {
  const Problem p = make_problem(state);
  const auto ctx = Context::create({.device = DeviceRequest::kCpu, .quiet = true});
  std::vector<double> out(p.n * p.n);
  for (auto _ : state) {
    thermex::rbf_kernel_matrix(ctx, p.x, p.n, p.z, p.n, p.d, p.gamma, out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, p, ctx);
  const char* isa = std::getenv("THERMEX_CPU_ISA");
  state.SetLabel(std::string("isa=") + (isa != nullptr && *isa != '\0' ? isa : "auto"));
}

// One row of K against m points (1 x m), as the SVR kernel-row cache computes it
// (src/cpu/svr_kernel_rows.cpp); items_per_second counts the m entries.
void BM_RbfKernelRowCpu(benchmark::State& state) {
  const auto m = static_cast<std::size_t>(state.range(0));
  const auto d = static_cast<std::size_t>(state.range(1));
  const auto x = bench_matrix(1, 1, d);
  const auto z = bench_matrix(2, m, d);
  const auto ctx = Context::create({.device = DeviceRequest::kCpu, .quiet = true});
  std::vector<double> out(m);
  for (auto _ : state) {
    thermex::rbf_kernel_matrix(ctx, x, 1, z, m, d, 1.0 / static_cast<double>(d), out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(m));
  state.counters["omp_threads"] = ctx.threads();
}

#if defined(THERMEX_HAVE_CUDA)
// Device-resident: x, z and K stay on the GPU; cudaEvents bracket the work on the context's
// stream. The warm-up call creates the cuBLAS handle and loads the kernels.
void BM_RbfKernelCuda(benchmark::State& state) {
  if (thermex::cuda_device_count() == 0) {
    state.SkipWithError("no CUDA device");
    return;
  }
  const Problem p = make_problem(state);
  const auto ctx = Context::create({.device = DeviceRequest::kCuda, .quiet = true});
  const auto stream = static_cast<cudaStream_t>(ctx.cuda_stream());
  thermex::cuda::DeviceBuffer<double> x(p.x.size(), stream);
  thermex::cuda::DeviceBuffer<double> z(p.z.size(), stream);
  thermex::cuda::DeviceBuffer<double> k(p.n * p.n, stream);
  x.copy_from_host(p.x);
  z.copy_from_host(p.z);
  auto run = [&] {
    thermex::cuda::rbf_kernel_matrix_device(ctx, x.data(), p.n, z.data(), p.n, p.d, p.gamma,
                                            k.data());
  };
  run();
  thermex::cuda::Event start;
  thermex::cuda::Event stop;
  for (auto _ : state) {
    start.record(stream);
    run();
    stop.record(stream);
    state.SetIterationTime(static_cast<double>(thermex::cuda::elapsed_ms(start, stop)) * 1e-3);
  }
  set_counters(state, p, ctx);
}

// The public host entry point: allocation, host-to-device copies, compute, and K back to the
// host (pageable memory), as a CPU caller sees it.
void BM_RbfKernelWithTransfersCuda(benchmark::State& state) {
  if (thermex::cuda_device_count() == 0) {
    state.SkipWithError("no CUDA device");
    return;
  }
  const Problem p = make_problem(state);
  const auto ctx = Context::create({.device = DeviceRequest::kCuda, .quiet = true});
  const auto stream = static_cast<cudaStream_t>(ctx.cuda_stream());
  std::vector<double> out(p.n * p.n);
  thermex::rbf_kernel_matrix(ctx, p.x, p.n, p.z, p.n, p.d, p.gamma, out);
  thermex::cuda::Event start;
  thermex::cuda::Event stop;
  for (auto _ : state) {
    start.record(stream);
    thermex::rbf_kernel_matrix(ctx, p.x, p.n, p.z, p.n, p.d, p.gamma, out);
    stop.record(stream);
    state.SetIterationTime(static_cast<double>(thermex::cuda::elapsed_ms(start, stop)) * 1e-3);
    benchmark::DoNotOptimize(out.data());
  }
  set_counters(state, p, ctx);
}
#else
void BM_RbfKernelCuda(benchmark::State& state) {
  state.SkipWithError("no CUDA device (thermex built without CUDA)");
}
void BM_RbfKernelWithTransfersCuda(benchmark::State& state) {
  state.SkipWithError("no CUDA device (thermex built without CUDA)");
}
#endif

const std::vector<std::vector<std::int64_t>> kSizes = {{256, 1024, 4096}, {16, 64}};

BENCHMARK(BM_RbfKernelCpu)
    ->Name("BM_RbfKernel/cpu")
    ->ArgsProduct(kSizes)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_RbfKernelRowCpu)
    ->Name("BM_RbfKernelRow/cpu")
    ->ArgsProduct({{1024, 4096}, {16, 64}})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK(BM_RbfKernelCuda)
    ->Name("BM_RbfKernel/cuda")
    ->ArgsProduct(kSizes)
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime();
BENCHMARK(BM_RbfKernelWithTransfersCuda)
    ->Name("BM_RbfKernelWithTransfers/cuda")
    ->ArgsProduct(kSizes)
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime();

}  // namespace
