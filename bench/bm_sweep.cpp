// BM_Sweep/{cpu,cuda}: a ternary NCM composition sweep through compute_sweep_chunk (featurize ->
// scale -> predict with every model -> replica statistics), all chunks, without the HDF5 writer.
// Arguments: {1/step} x {models}: step 0.01 (5,151 points) or 0.001 (501,501 points) and 1 model
// or 201 (a point model and 200 bootstrap replicas, as the benchmark). Models are
// synthetic SVRs with kSv support vectors over 6 features (4 composition, cutoff voltage, a
// one-hot), each with its own scaler, the size a fit on the bundled 600-row data gives.
// items_per_second counts grid points; kernel_evals counts point x support-vector pairs.
// Timed by wall clock around all chunks after a one-chunk warm-up (UseManualTime): every chunk's
// results are copied back to the host synchronously, so on CUDA the wall time is the device time
// plus the transfers.
// bench/README.md ("Composition sweeps") tells how to time the benchmark.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "thermex/context.hpp"
#include "thermex/features.hpp"
#include "thermex/math/philox.hpp"
#include "thermex/svr.hpp"
#include "thermex/sweep.hpp"

namespace {

using thermex::Context;
using thermex::DeviceRequest;

constexpr std::size_t kSv = 400;

// A model over `names`: scaler around the NCM grid's feature spread, support vectors at
// standardized random compositions plus noise (so kernel values are not all zero).
thermex::SvrModel make_model(const std::vector<std::string>& names, std::uint64_t id) {
  thermex::math::PhiloxStream rng(31, thermex::math::RngPurpose::kTest, id);
  const auto comp = thermex::composition_column_names();
  const auto features = [&](double ni, double co) {
    thermex::math::SiteComposition c;
    c.count = 3;
    c.z[0] = 28;
    c.z[1] = 27;
    c.z[2] = 25;
    c.fraction[0] = ni;
    c.fraction[1] = co;
    c.fraction[2] = 1.0 - ni - co;
    const auto all = thermex::composition_features(c, thermex::OxidationConvention::kCharged);
    std::vector<double> out;
    for (const auto& n : names) {
      double v = n == "cutoff_voltage_V" ? 4.3 : 1.0;
      for (std::size_t j = 0; j < comp.size(); ++j) {
        if (comp[j] == n) v = all[j];
      }
      out.push_back(v);
    }
    return out;
  };
  const std::size_t d = names.size();
  thermex::SvrModel m;
  m.n_features = d;
  m.feature_names = names;
  const auto a = features(0.2, 0.3), b = features(0.8, 0.1);
  for (std::size_t j = 0; j < d; ++j) {
    const double spread = std::abs(a[j] - b[j]) > 1e-6 ? std::abs(a[j] - b[j]) : 0.2;
    m.feature_means.push_back(0.5 * (a[j] + b[j]) + 0.1 * spread * (rng.uniform() - 0.5));
    m.feature_scales.push_back(spread * (0.7 + 0.6 * rng.uniform()));
  }
  for (std::size_t k = 0; k < kSv; ++k) {
    const double ni = rng.uniform();
    const auto x = features(ni, (1.0 - ni) * rng.uniform());
    for (std::size_t j = 0; j < d; ++j) {
      m.support_vectors.push_back((x[j] - m.feature_means[j]) / m.feature_scales[j] +
                                  0.2 * (rng.uniform() - 0.5));
    }
    m.dual_coef.push_back(10.0 * (rng.uniform() - 0.5));
    m.support_indices.push_back(static_cast<std::int64_t>(k));
  }
  m.intercept = 210.0;
  m.gamma_value = 1.0 / static_cast<double>(d);
  return m;
}

void BM_Sweep(benchmark::State& state, DeviceRequest device) {
  if (device == DeviceRequest::kCuda && thermex::cuda_device_count() == 0) {
    state.SkipWithError("no CUDA device");
    return;
  }
  const auto divisions = static_cast<std::size_t>(state.range(0));
  const auto models = static_cast<std::size_t>(state.range(1));
  const std::vector<std::string> names{"ni",
                                       "co",
                                       "en_tm_wmean",
                                       "radius_tm_wstd",
                                       "cutoff_voltage_V",
                                       "electrolyte_class=carbonate_lipf6"};
  const thermex::SvrModel point = make_model(names, 0);
  std::vector<thermex::SvrModel> replicas;
  for (std::size_t b = 1; b < models; ++b) replicas.push_back(make_model(names, b));
  thermex::SweepModelSet set{"onset_C", &point, replicas, "onset", "°C", std::nullopt};
  thermex::StudySweep spec;
  spec.name = "bench";
  spec.elements = {"Ni", "Co", "Mn"};
  spec.step = 1.0 / static_cast<double>(divisions);
  spec.fixed = {{"cutoff_voltage_V", 4.3}};
  spec.levels = {{"electrolyte_class", "carbonate_lipf6"}};
  const auto plan = thermex::make_sweep_plan(spec, thermex::OxidationConvention::kCharged,
                                             std::span(&set, 1), {});
  const auto ctx = Context::create({.device = device, .quiet = true});
  const std::size_t chunks = thermex::sweep_chunk_count(plan);
  // Warm-up (one chunk): CUDA context, kernels, memory pool; page faults on the CPU.
  benchmark::DoNotOptimize(thermex::compute_sweep_chunk(ctx, plan, 0));
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t c = 0; c < chunks; ++c) {
      auto chunk = thermex::compute_sweep_chunk(ctx, plan, c);
      benchmark::DoNotOptimize(chunk.targets[0].prediction.data());
    }
    // The chunk results are copied back synchronously, so wall time is the device time too.
    state.SetIterationTime(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  const auto points = static_cast<double>(plan.points);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * plan.points));
  state.counters["points"] = points;
  state.counters["models"] = static_cast<double>(models);
  state.counters["kernel_evals_per_second"] = benchmark::Counter(
      points * static_cast<double>(models * kSv) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
}

void sweep_args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"divisions", "models"})
      ->ArgsProduct({{100, 1000}, {1, 201}})
      ->Iterations(1)
      ->UseManualTime()
      ->Unit(benchmark::kSecond);
}

BENCHMARK_CAPTURE(BM_Sweep, cpu, DeviceRequest::kCpu)->Apply(sweep_args);
BENCHMARK_CAPTURE(BM_Sweep, cuda, DeviceRequest::kCuda)->Apply(sweep_args);

}  // namespace
