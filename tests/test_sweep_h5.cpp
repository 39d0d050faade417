// Composition sweeps in the results file: extendible datasets, the streamed writer (round trip
// of every chunk), the optimum and its neighbourhood against brute force, the feature table.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <vector>

#include "../src/sweep_internal.hpp"
#include "h5_test_support.hpp"
#include "test_sweep_support.hpp"
#include "thermex/error.hpp"
#include "thermex/h5_extendible.hpp"
#include "thermex/sweep.hpp"

namespace thermex {
namespace {

TEST(SweepH5, ExtendibleDatasetRoundTrip) {
  testing::ScratchDir dir;
  H5File f = H5File::create(dir.file("x.h5"));
  {
    auto a = H5ExtendibleDoubles::create(f, "/g/a", 3, 4);
    auto v = H5ExtendibleDoubles::create(f, "/g/v", 0, 5);
    a.append(std::vector<double>{1, 2, 3, 4, 5, 6});
    a.append(std::vector<double>{7, 8, 9});
    v.append(std::vector<double>{1.5});
    v.append(std::vector<double>{2.5, 3.5, 4.5, 5.5, 6.5, 7.5});
    EXPECT_EQ(a.rows(), 3u);
    EXPECT_EQ(v.rows(), 7u);
    EXPECT_THROW(a.append(std::vector<double>{1, 2}), Error);
    EXPECT_EQ(a.read_rows(1, 2), (std::vector<double>{4, 5, 6, 7, 8, 9}));
    EXPECT_THROW(v.read_rows(5, 3), Error);
    EXPECT_THROW(H5ExtendibleDoubles::create(f, "/g/a", 3, 4), H5Error);
  }
  const auto m = f.read_double_matrix("/g/a");
  EXPECT_EQ(m.rows, 3u);
  EXPECT_EQ(m.cols, 3u);
  EXPECT_EQ(f.read_doubles("/g/v"), (std::vector<double>{1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5}));
  const auto reopened = H5ExtendibleDoubles::open(f, "/g/v");
  EXPECT_EQ(reopened.rows(), 7u);
  EXPECT_EQ(reopened.cols(), 0u);
}

TEST(SweepH5, NeighbourhoodRunsMatchBruteForce) {
  for (const std::size_t k : {2u, 3u, 4u}) {
    const std::size_t m = 9;
    const std::size_t n = simplex_point_count(k, m);
    std::vector<std::uint32_t> center(k), p(k);
    for (std::size_t ci = 0; ci < n; ci += 5) {
      simplex_point(k, m, ci, center);
      for (const std::uint32_t r : {0u, 1u, 3u}) {
        std::vector<std::size_t> got;
        for (const auto& run : detail::neighbourhood_runs(m, center, r)) {
          for (std::size_t i = 0; i < run.count; ++i) got.push_back(run.first + i);
        }
        std::vector<std::size_t> want;
        for (std::size_t i = 0; i < n; ++i) {
          simplex_point(k, m, i, p);
          bool in = true;
          for (std::size_t j = 0; j < k; ++j) {
            in = in && std::abs(static_cast<int>(p[j]) - static_cast<int>(center[j])) <=
                           static_cast<int>(r);
          }
          if (in) want.push_back(i);
        }
        EXPECT_EQ(got, want) << "k " << k << " center " << ci << " r " << r;
      }
    }
  }
}

TEST(SweepH5, WriterRoundTripOptimumAndNeighbourhood) {
  const auto onset = testing::onset_models(5);
  const auto power = testing::power_models(3);
  const auto sets = testing::model_sets(onset, power);
  const SweepPlan plan = make_sweep_plan(
      testing::ncm_sweep(0.05, 40), OxidationConvention::kCharged, sets, testing::sweep_defaults());
  const Context ctx = Context::create({.device = DeviceRequest::kCpu, .quiet = true});
  testing::ScratchDir dir;
  H5File f = H5File::create(dir.file("sweep.h5"));
  const SweepSummary summary = run_sweep(ctx, plan, f);
  EXPECT_EQ(summary.points, plan.points);

  // Reference: all chunks in memory.
  std::vector<double> fractions;
  std::vector<std::vector<double>> pred(2), lo(2), hi(2);
  for (std::size_t c = 0; c < sweep_chunk_count(plan); ++c) {
    const SweepChunk chunk = compute_sweep_chunk(ctx, plan, c);
    fractions.insert(fractions.end(), chunk.fractions.begin(), chunk.fractions.end());
    for (std::size_t t = 0; t < 2; ++t) {
      const auto& tc = chunk.targets[t];
      pred[t].insert(pred[t].end(), tc.prediction.begin(), tc.prediction.end());
      lo[t].insert(lo[t].end(), tc.boot_lo.begin(), tc.boot_lo.end());
      hi[t].insert(hi[t].end(), tc.boot_hi.begin(), tc.boot_hi.end());
    }
  }
  const auto fm = f.read_double_matrix("/sweeps/ncm/fractions");
  EXPECT_EQ(fm.rows, plan.points);
  EXPECT_EQ(fm.cols, 3u);
  EXPECT_EQ(fm.values, fractions);
  EXPECT_EQ(f.string_list_attribute("/sweeps/ncm", "elements"),
            (std::vector<std::string>{"Ni", "Co", "Mn"}));
  EXPECT_EQ(f.int64_attribute("/sweeps/ncm", "points_written"),
            static_cast<std::int64_t>(plan.points));

  for (std::size_t t = 0; t < 2; ++t) {
    const std::string tp = "/sweeps/ncm/" + plan.targets[t].target;
    EXPECT_EQ(f.read_doubles(tp + "/prediction"), pred[t]) << tp;
    EXPECT_EQ(f.read_doubles(tp + "/boot_p025"), lo[t]) << tp;
    EXPECT_EQ(f.read_doubles(tp + "/boot_p975"), hi[t]) << tp;
    for (const char* ds : {"prediction", "boot_mean", "boot_std", "boot_p025", "boot_p975"}) {
      EXPECT_TRUE(f.has_attribute(tp + "/" + ds, "unit")) << tp << "/" << ds;
      EXPECT_TRUE(f.has_attribute(tp + "/" + ds, "label")) << tp << "/" << ds;
    }
    EXPECT_EQ(f.string_attribute(tp + "/prediction", "unit"), t == 0 ? "°C" : "W/g");
    // Brute-force optimum: max for onset, min for heat flow; ties to the lowest index.
    const bool maximize = t == 0;
    std::size_t best = 0;
    for (std::size_t i = 1; i < pred[t].size(); ++i) {
      if (maximize ? pred[t][i] > pred[t][best] : pred[t][i] < pred[t][best]) best = i;
    }
    const SweepOptimum& o = summary.optima[t];
    EXPECT_EQ(o.index, best) << tp;
    EXPECT_EQ(o.value, pred[t][best]) << tp;
    EXPECT_EQ(o.boot_lo, lo[t][best]) << tp;
    EXPECT_EQ(o.boot_hi, hi[t][best]) << tp;
    EXPECT_EQ(f.int64_attribute(tp, "optimum_index"), static_cast<std::int64_t>(best));
    EXPECT_EQ(f.read_doubles(tp + "/optimum_fractions"),
              std::vector<double>(fractions.begin() + static_cast<std::ptrdiff_t>(3 * best),
                                  fractions.begin() + static_cast<std::ptrdiff_t>(3 * best + 3)));
    // Brute-force neighbourhood: max |fraction difference| <= 0.1.
    std::size_t count = 0;
    double mn = std::numeric_limits<double>::infinity(), mx = -mn, sum = 0.0;
    for (std::size_t i = 0; i < pred[t].size(); ++i) {
      double dist = 0.0;
      for (std::size_t j = 0; j < 3; ++j) {
        dist = std::max(dist, std::fabs(fractions[3 * i + j] - fractions[3 * best + j]));
      }
      if (dist > 0.1 + 1e-12) continue;
      ++count;
      mn = std::min(mn, pred[t][i]);
      mx = std::max(mx, pred[t][i]);
      sum += pred[t][i];
    }
    EXPECT_GT(count, 1u) << tp;
    EXPECT_EQ(o.neighbourhood_count, count) << tp;
    EXPECT_EQ(o.neighbourhood_min, mn) << tp;
    EXPECT_EQ(o.neighbourhood_max, mx) << tp;
    EXPECT_NEAR(o.neighbourhood_mean, sum / static_cast<double>(count), 1e-12 * std::fabs(mx))
        << tp;
    EXPECT_EQ(f.double_attribute(tp, "neighbourhood_max"), mx) << tp;
    EXPECT_EQ(f.string_attribute(tp, "optimum_direction"), maximize ? "max" : "min");
  }
  // Feature-source table.
  const auto names = f.read_strings("/sweeps/ncm/features/name");
  const auto sources = f.read_strings("/sweeps/ncm/features/source");
  const auto values = f.read_doubles("/sweeps/ncm/features/value");
  ASSERT_EQ(names.size(), plan.features.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(names[i], plan.features[i].name) << "feature " << i;
    EXPECT_EQ(sources[i], to_string(plan.features[i].source)) << "feature " << i;
    if (plan.features[i].source != SweepFeatureSource::kComposition) {
      EXPECT_EQ(values[i], plan.features[i].value) << "feature " << i;
    }
  }
  f.close();
}

TEST(SweepH5, OptimumIsSearchedInTheTrainingDomain) {
  const auto onset = testing::onset_models(0);
  const auto power = testing::power_models(0);
  const auto sets = testing::model_sets(onset, power);
  SweepPlan plan = make_sweep_plan(testing::ncm_sweep(0.05, 40), OxidationConvention::kCharged,
                                   sets, testing::sweep_defaults());
  const Context ctx = Context::create({.device = DeviceRequest::kCpu, .quiet = true});
  std::vector<double> fractions, pred;
  for (std::size_t c = 0; c < sweep_chunk_count(plan); ++c) {
    const SweepChunk chunk = compute_sweep_chunk(ctx, plan, c);
    fractions.insert(fractions.end(), chunk.fractions.begin(), chunk.fractions.end());
    pred.insert(pred.end(), chunk.targets[0].prediction.begin(), chunk.targets[0].prediction.end());
  }
  // A domain that excludes the grid optimum of onset: Ni within 0.05 of the other side.
  std::size_t grid_best = 0;
  for (std::size_t i = 1; i < pred.size(); ++i)
    grid_best = pred[i] > pred[grid_best] ? i : grid_best;
  const double ni_best = fractions[3 * grid_best];
  plan.domain_lo = {ni_best > 0.5 ? 0.0 : ni_best + 0.1, 0.0, 0.0};
  plan.domain_hi = {ni_best > 0.5 ? ni_best - 0.1 : 1.0, 1.0, 1.0};
  std::size_t best = pred.size();
  for (std::size_t i = 0; i < pred.size(); ++i) {
    const double ni = fractions[3 * i];
    if (ni < plan.domain_lo[0] - 1e-9 || ni > plan.domain_hi[0] + 1e-9) continue;
    if (best == pred.size() || pred[i] > pred[best]) best = i;
  }
  ASSERT_LT(best, pred.size());
  testing::ScratchDir dir;
  H5File f = H5File::create(dir.file("sweep.h5"));
  const SweepSummary summary = run_sweep(ctx, plan, f);
  const std::string tp = "/sweeps/ncm/" + plan.targets[0].target;
  EXPECT_NE(best, grid_best);
  EXPECT_EQ(summary.optima[0].index, best);
  EXPECT_TRUE(summary.optima[0].in_domain);
  EXPECT_EQ(summary.optima[0].grid_index, grid_best);
  EXPECT_EQ(f.int64_attribute(tp, "optimum_index"), static_cast<std::int64_t>(best));
  EXPECT_EQ(f.string_attribute(tp, "optimum_scope"), "training domain");
  EXPECT_EQ(f.int64_attribute(tp, "grid_optimum_index"), static_cast<std::int64_t>(grid_best));
  EXPECT_EQ(f.read_doubles("/sweeps/ncm/domain_max"), plan.domain_hi);
  f.close();

  // A domain no grid point lies in falls back to the whole grid.
  plan.domain_lo = {0.31, 0.31, 0.31};
  plan.domain_hi = {0.32, 0.32, 0.32};
  H5File g = H5File::create(dir.file("sweep2.h5"));
  const SweepSummary fallback = run_sweep(ctx, plan, g);
  EXPECT_EQ(fallback.optima[0].index, grid_best);
  EXPECT_FALSE(fallback.optima[0].in_domain);
  EXPECT_EQ(g.string_attribute(tp, "optimum_scope"), "grid");
  g.close();
}

TEST(SweepH5, WriterChecksOrderAndGroup) {
  const auto onset = testing::onset_models(0);
  const auto power = testing::power_models(0);
  const auto sets = testing::model_sets(onset, power);
  const SweepPlan plan = make_sweep_plan(testing::ncm_sweep(0.1, 10), OxidationConvention::kCharged,
                                         sets, testing::sweep_defaults());
  const Context ctx = Context::create({.device = DeviceRequest::kCpu, .quiet = true});
  testing::ScratchDir dir;
  H5File f = H5File::create(dir.file("w.h5"));
  {
    SweepH5Writer w(f, plan, "/results/sweeps");
    EXPECT_THROW(w.finish(), Error);  // nothing written
  }
  EXPECT_THROW(SweepH5Writer(f, plan, "/results/sweeps"), H5Error);  // group exists
  SweepH5Writer w(f, plan, "/other");
  EXPECT_THROW(w.append(compute_sweep_chunk(ctx, plan, 1)), Error);  // chunk 0 must come first
  w.append(compute_sweep_chunk(ctx, plan, 0));
  EXPECT_THROW(w.append(compute_sweep_chunk(ctx, plan, 0)), Error);  // repeated
  w.append(compute_sweep_chunk(ctx, plan, 1));
  const SweepSummary s = w.finish();
  EXPECT_EQ(s.points, 20u);
  EXPECT_LT(s.optima[0].index, 20u);
  // Without replicas, only the point prediction is written and the interval is NaN.
  EXPECT_FALSE(f.exists("/other/ncm/onset_C/boot_mean"));
  EXPECT_TRUE(std::isnan(s.optima[0].boot_lo));
  EXPECT_EQ(f.dataset_length("/other/ncm/onset_C/prediction"), 20u);
}

TEST(SweepH5, ShardRangeCoversOnlyItsPoints) {
  // A shard writes chunks [2, 4): the optimum and the neighbourhood cover only those points.
  const auto onset = testing::onset_models(2);
  const auto power = testing::power_models(0);
  const auto sets = testing::model_sets(onset, power);
  const SweepPlan plan = make_sweep_plan(
      testing::ncm_sweep(0.05, 30), OxidationConvention::kCharged, sets, testing::sweep_defaults());
  const Context ctx = Context::create({.device = DeviceRequest::kCpu, .quiet = true});
  testing::ScratchDir dir;
  H5File f = H5File::create(dir.file("shard.h5"));
  const SweepSummary s = run_sweep(ctx, plan, f, "/sweeps", 2, 4);
  EXPECT_EQ(s.points, 60u);
  EXPECT_EQ(f.int64_attribute("/sweeps/ncm", "first_point"), 60);
  std::vector<double> pred;
  for (std::size_t c = 2; c < 4; ++c) {
    const auto chunk = compute_sweep_chunk(ctx, plan, c);
    pred.insert(pred.end(), chunk.targets[0].prediction.begin(), chunk.targets[0].prediction.end());
  }
  EXPECT_EQ(f.read_doubles("/sweeps/ncm/onset_C/prediction"), pred);
  const auto best =
      static_cast<std::size_t>(std::max_element(pred.begin(), pred.end()) - pred.begin());
  EXPECT_EQ(s.optima[0].index, 60 + best);
  EXPECT_GE(s.optima[0].neighbourhood_count, 1u);
  EXPECT_LE(s.optima[0].neighbourhood_count, 60u);
  EXPECT_LE(s.optima[0].neighbourhood_max, s.optima[0].value);
  // run_sweep(begin, end) with end past the last chunk is clamped.
  H5File g = H5File::create(dir.file("all.h5"));
  EXPECT_EQ(run_sweep(ctx, plan, g, "/sweeps", 0, 1000).points, plan.points);
}

}  // namespace
}  // namespace thermex
