// Composition sweeps: the fused featurize -> scale -> predict over many models against
// svr_predict on explicitly built feature rows, the replica statistics against a direct
// computation, independence of chunk size and thread count, and the NaN checks. One body per
// backend {cpu, cuda}; the CUDA case is compared with the CPU.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "backend_test_support.hpp"
#include "test_sweep_support.hpp"
#include "thermex/error.hpp"
#include "thermex/sweep.hpp"

namespace thermex {
namespace {

using testing_support::BackendTest;

// Relative difference with NaN failing.
bool close(double a, double b, double rtol) {
  return std::fabs(a - b) <= rtol * std::max(std::fabs(b), 1.0);
}

// Linear-interpolation quantile of an unsorted copy: the definition, written out.
double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double h = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (h - std::floor(h)) * (v[hi] - v[lo]);
}

struct Fixture {
  testing::SweepModels onset = testing::onset_models(9);
  testing::SweepModels power = testing::power_models(4);
  std::vector<SweepModelSet> sets = testing::model_sets(onset, power);
  SweepPlan plan(double step, std::size_t chunk,
                 OxidationConvention conv = OxidationConvention::kCharged,
                 bool with_al = false) const {
    StudySweep spec = testing::ncm_sweep(step, chunk);
    if (with_al) spec.elements.push_back("Al");
    return make_sweep_plan(spec, conv, sets, testing::sweep_defaults());
  }
  const SvrModel& model(std::size_t t, std::size_t b) const {
    const auto& m = t == 0 ? onset : power;
    return b == 0 ? m.point : m.replicas[b - 1];
  }
};

class SweepPredict : public BackendTest {};

TEST_P(SweepPredict, MatchesSvrPredictOnFeatureRows) {
  const Fixture fx;
  const Context cpu = Context::create({.device = DeviceRequest::kCpu, .quiet = true});
  // Ternary NCM in both oxidation conventions, and quaternary NCM + Al (pristine: the Ni state
  // depends on the Al fraction).
  for (const auto& [conv, with_al] : {std::pair{OxidationConvention::kCharged, false},
                                      std::pair{OxidationConvention::kPristine, false},
                                      std::pair{OxidationConvention::kPristine, true}}) {
    const SweepPlan plan = fx.plan(with_al ? 0.125 : 0.05, 50, conv, with_al);
    for (std::size_t c = 0; c < sweep_chunk_count(plan); ++c) {
      const SweepChunk chunk = compute_sweep_chunk(ctx(), plan, c);
      ASSERT_EQ(chunk.begin, c * 50);
      for (std::size_t t = 0; t < plan.targets.size(); ++t) {
        const std::size_t nm = plan.targets[t].models.size();
        // Every model's predictions on the explicit rows, then the statistics by definition.
        std::vector<std::vector<double>> ref(nm);
        for (std::size_t b = 0; b < nm; ++b) {
          const SvrModel& m = fx.model(t, b);
          std::vector<double> rows;
          for (std::size_t i = 0; i < chunk.count; ++i) {
            const auto r = sweep_feature_row(plan, m, chunk.begin + i);
            rows.insert(rows.end(), r.begin(), r.end());
          }
          ref[b] = svr_predict(cpu, m, rows, chunk.count);
        }
        const SweepTargetChunk& tc = chunk.targets[t];
        // The models are not flat over the grid (the comparison would be vacuous otherwise).
        const auto [lo, hi] = std::minmax_element(tc.prediction.begin(), tc.prediction.end());
        EXPECT_GT(*hi - *lo, 1e-3 * std::fabs(*hi)) << "target " << t << " chunk " << c;
        for (std::size_t i = 0; i < chunk.count; ++i) {
          const std::size_t g = chunk.begin + i;
          // rtol 1e-10: sums of <= 40 kernel terms, distances computed directly here and by the
          // GEMM expansion in svr_predict.
          EXPECT_TRUE(close(tc.prediction[i], ref[0][i], 1e-10))
              << "target " << t << " point " << g << ": " << tc.prediction[i] << " vs "
              << ref[0][i];
          std::vector<double> reps;
          for (std::size_t b = 1; b < nm; ++b) reps.push_back(ref[b][i]);
          double mean = 0.0;
          for (double v : reps) mean += v;
          mean /= static_cast<double>(reps.size());
          double ss = 0.0;
          for (double v : reps) ss += (v - mean) * (v - mean);
          const double sd = std::sqrt(ss / static_cast<double>(reps.size()));
          EXPECT_TRUE(close(tc.boot_mean[i], mean, 1e-10))
              << "mean, target " << t << " point " << g;
          EXPECT_NEAR(tc.boot_std[i], sd, 1e-9 * std::max(1.0, std::fabs(mean)))
              << "std, target " << t << " point " << g;
          EXPECT_TRUE(close(tc.boot_lo[i], quantile(reps, 0.025), 1e-10))
              << "p2.5, target " << t << " point " << g;
          EXPECT_TRUE(close(tc.boot_hi[i], quantile(reps, 0.975), 1e-10))
              << "p97.5, target " << t << " point " << g;
        }
      }
    }
  }
}

TEST_P(SweepPredict, FractionsAreTheGridPoints) {
  const Fixture fx;
  const SweepPlan plan = fx.plan(0.1, 13);
  std::vector<std::uint32_t> counts(plan.k);
  for (std::size_t c = 0; c < sweep_chunk_count(plan); ++c) {
    const SweepChunk chunk = compute_sweep_chunk(ctx(), plan, c);
    for (std::size_t i = 0; i < chunk.count; ++i) {
      simplex_point(plan.k, plan.m, chunk.begin + i, counts);
      for (std::size_t j = 0; j < plan.k; ++j) {
        EXPECT_EQ(chunk.fractions[i * plan.k + j], counts[j] / 10.0)
            << "point " << chunk.begin + i << " element " << j;
      }
    }
  }
}

// All chunks of a plan, packed and concatenated.
std::vector<double> all_values(const Context& ctx, const SweepPlan& plan) {
  std::vector<double> out;
  for (std::size_t c = 0; c < sweep_chunk_count(plan); ++c) {
    SweepChunk chunk = compute_sweep_chunk(ctx, plan, c);
    out.insert(out.end(), chunk.fractions.begin(), chunk.fractions.end());
    for (const auto& t : chunk.targets) {
      for (const auto* v : {&t.prediction, &t.boot_mean, &t.boot_std, &t.boot_lo, &t.boot_hi}) {
        out.insert(out.end(), v->begin(), v->end());
      }
    }
  }
  return out;
}

// Values regrouped per point, independent of the chunking: fractions and every statistic.
std::vector<double> per_point(const Context& ctx, const SweepPlan& plan) {
  std::vector<double> out;
  for (std::size_t c = 0; c < sweep_chunk_count(plan); ++c) {
    SweepChunk chunk = compute_sweep_chunk(ctx, plan, c);
    for (std::size_t i = 0; i < chunk.count; ++i) {
      for (std::size_t j = 0; j < plan.k; ++j) out.push_back(chunk.fractions[i * plan.k + j]);
      for (const auto& t : chunk.targets) {
        for (const auto* v : {&t.prediction, &t.boot_mean, &t.boot_std, &t.boot_lo, &t.boot_hi}) {
          out.push_back((*v)[i]);
        }
      }
    }
  }
  return out;
}

TEST_P(SweepPredict, BytesIndependentOfChunkSizeAndThreads) {
  const Fixture fx;
  const std::vector<double> ref = per_point(ctx(), fx.plan(0.04, 1000));
  for (const std::size_t chunk :
       {std::size_t{1}, std::size_t{7}, std::size_t{64}, std::size_t{65}, std::size_t{200}}) {
    const std::vector<double> got = per_point(ctx(), fx.plan(0.04, chunk));
    ASSERT_EQ(got.size(), ref.size());
    EXPECT_EQ(std::memcmp(got.data(), ref.data(), ref.size() * sizeof(double)), 0)
        << "chunk " << chunk;
  }
  if (cuda()) return;
  const int saved = omp_get_max_threads();
  for (const int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    const std::vector<double> got = per_point(ctx(), fx.plan(0.04, 77));
    EXPECT_EQ(std::memcmp(got.data(), ref.data(), ref.size() * sizeof(double)), 0)
        << "threads " << threads;
  }
  omp_set_num_threads(saved);
}

TEST_P(SweepPredict, PackUnpackRoundTrip) {
  const Fixture fx;
  const SweepPlan plan = fx.plan(0.1, 20);
  const SweepChunk chunk = compute_sweep_chunk(ctx(), plan, 2);
  const SweepChunk back = sweep_chunk_unpack(plan, 2, sweep_chunk_pack(chunk));
  EXPECT_EQ(back.begin, chunk.begin);
  EXPECT_EQ(back.fractions, chunk.fractions);
  for (std::size_t t = 0; t < chunk.targets.size(); ++t) {
    EXPECT_EQ(back.targets[t].prediction, chunk.targets[t].prediction) << "target " << t;
    EXPECT_EQ(back.targets[t].boot_hi, chunk.targets[t].boot_hi) << "target " << t;
  }
  EXPECT_THROW(sweep_chunk_unpack(plan, 3, sweep_chunk_pack(chunk)), Error);  // last is shorter
  EXPECT_THROW(compute_sweep_chunk(ctx(), plan, sweep_chunk_count(plan)), Error);
}

TEST_P(SweepPredict, NonFinitePredictionIsAnError) {
  // A log10 model whose predictions overflow (10^400 = inf, finite parameters) must not leave
  // inf in the results silently: compute_sweep_chunk names the point and the target.
  Fixture fx;
  fx.power.point.intercept = 400.0;
  const SweepPlan plan = fx.plan(0.1, 100);
  try {
    compute_sweep_chunk(ctx(), plan, 0);
    FAIL() << "expected Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("max_heat_flow_W_per_g"), std::string::npos) << e.what();
  }
  fx.power.point.dual_coef[0] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(fx.plan(0.1, 100), Error);  // NaN parameters are refused by the plan
}

TEST(SweepPredictGpu, CudaMatchesCpu) {
  if (cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device";
  const Fixture fx;
  const Context cpu = Context::create({.device = DeviceRequest::kCpu, .quiet = true});
  const Context gpu = Context::create({.device = DeviceRequest::kCuda, .quiet = true});
  const SweepPlan plan = fx.plan(0.02, 333);
  const auto a = all_values(cpu, plan);
  const auto b = all_values(gpu, plan);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    // FMA contraction on the device: a few ulps per term of <= 40-term sums.
    EXPECT_TRUE(close(b[i], a[i], 1e-11)) << "value " << i << ": " << b[i] << " vs " << a[i];
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, SweepPredict, testing_support::both_backends(),
                         testing_support::backend_name);

}  // namespace
}  // namespace thermex
