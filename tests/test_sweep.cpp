// Composition sweeps: the simplex grid (counts, unranking, ranking, coverage) and the plan's
// feature map and its errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "test_sweep_support.hpp"
#include "thermex/error.hpp"
#include "thermex/features.hpp"
#include "thermex/math/sweep_site.hpp"
#include "thermex/sweep.hpp"

namespace thermex {
namespace {

using testing::ncm_sweep;
using testing::sweep_defaults;

TEST(SweepSimplex, PointCounts) {
  EXPECT_EQ(simplex_point_count(3, 1000), 501501u);  // C(1002, 2)
  EXPECT_EQ(simplex_point_count(3, 100), 5151u);
  EXPECT_EQ(simplex_point_count(4, 10), 286u);  // C(13, 3)
  EXPECT_EQ(simplex_point_count(2, 7), 8u);
  EXPECT_EQ(simplex_point_count(1, 5), 1u);
  EXPECT_EQ(simplex_point_count(8, 100), 26075972546u);  // C(107, 7)
  EXPECT_THROW(simplex_point_count(0, 10), Error);
  EXPECT_THROW(simplex_point_count(9, 10), Error);
  EXPECT_THROW(simplex_point_count(8, 1000000000), Error);  // beyond 2^60 points
}

TEST(SweepSimplex, UnrankRankRoundTripAndOrder) {
  for (const auto& [k, m] :
       std::vector<std::pair<std::size_t, std::size_t>>{{2, 9}, {3, 10}, {4, 7}, {5, 4}, {8, 3}}) {
    const std::size_t n = simplex_point_count(k, m);
    std::vector<std::uint32_t> counts(k), prev(k), next(k);
    for (std::size_t i = 0; i < n; ++i) {
      simplex_point(k, m, i, counts);
      EXPECT_EQ(std::accumulate(counts.begin(), counts.end(), 0u), m) << "k " << k << " i " << i;
      EXPECT_EQ(simplex_index(m, counts), i) << "k " << k << " i " << i;
      if (i > 0) {
        EXPECT_TRUE(
            std::lexicographical_compare(prev.begin(), prev.end(), counts.begin(), counts.end()))
            << "k " << k << " i " << i;
        // The successor of the previous point is this one.
        next = prev;
        ASSERT_TRUE(math::simplex_next(static_cast<int>(k), next.data()));
        EXPECT_EQ(next, counts) << "k " << k << " i " << i;
      }
      prev = counts;
    }
    EXPECT_FALSE(math::simplex_next(static_cast<int>(k), counts.data())) << "k " << k;
    EXPECT_EQ(counts.front(), m) << "last point is (m, 0, ..., 0), k " << k;
    EXPECT_THROW(simplex_point(k, m, n, counts), Error);
  }
}

TEST(SweepSimplex, LargeGridRoundTrip) {
  const std::size_t k = 3, m = 1000;
  const std::size_t n = simplex_point_count(k, m);
  std::vector<std::uint32_t> counts(k);
  for (const std::size_t i : {std::size_t{0}, std::size_t{1}, std::size_t{1000}, std::size_t{1001},
                              n / 2, n - 2, n - 1}) {
    simplex_point(k, m, i, counts);
    EXPECT_EQ(simplex_index(m, counts), i) << "index " << i;
  }
  simplex_point(k, m, 0, counts);
  EXPECT_EQ(counts, (std::vector<std::uint32_t>{0, 0, 1000}));
  simplex_point(k, m, n - 1, counts);
  EXPECT_EQ(counts, (std::vector<std::uint32_t>{1000, 0, 0}));
}

TEST(SweepSimplex, GridCoversSimplexExactly) {
  // Every composition with fractions in {0, 1/m, ..., 1} summing to 1 appears exactly once.
  const std::size_t k = 4, m = 6;
  std::set<std::vector<std::uint32_t>> seen;
  std::vector<std::uint32_t> counts(k);
  for (std::size_t i = 0; i < simplex_point_count(k, m); ++i) {
    simplex_point(k, m, i, counts);
    EXPECT_TRUE(seen.insert(counts).second) << "duplicate at " << i;
  }
  std::size_t expected = 0;
  for (std::uint32_t a = 0; a <= m; ++a)
    for (std::uint32_t b = 0; a + b <= m; ++b)
      for (std::uint32_t c = 0; a + b + c <= m; ++c) {
        ++expected;
        EXPECT_TRUE(seen.contains({a, b, c, static_cast<std::uint32_t>(m - a - b - c)}))
            << a << " " << b << " " << c;
      }
  EXPECT_EQ(seen.size(), expected);
}

TEST(SweepSimplex, Divisions) {
  EXPECT_EQ(simplex_divisions(0.001), 1000u);
  EXPECT_EQ(simplex_divisions(0.01), 100u);
  EXPECT_EQ(simplex_divisions(0.05), 20u);
  EXPECT_EQ(simplex_divisions(1.0), 1u);
  EXPECT_THROW(simplex_divisions(0.03), ConfigError);
  EXPECT_THROW(simplex_divisions(0.0), ConfigError);
  EXPECT_THROW(simplex_divisions(std::nan("")), ConfigError);
  EXPECT_THROW(simplex_divisions(1.5), ConfigError);
}

TEST(SweepPlan, FeatureMapSources) {
  const auto onset = testing::onset_models(2);
  const auto power = testing::power_models(1);
  const auto sets = testing::model_sets(onset, power);
  const SweepPlan plan =
      make_sweep_plan(ncm_sweep(0.1), OxidationConvention::kCharged, sets, sweep_defaults());
  EXPECT_EQ(plan.points, 66u);
  const auto source = [&](const std::string& name) {
    for (const auto& f : plan.features) {
      if (f.name == name) return f;
    }
    ADD_FAILURE() << "feature " << name << " not in the plan";
    return SweepFeature{};
  };
  EXPECT_EQ(source("ni").source, SweepFeatureSource::kComposition);
  EXPECT_EQ(source("li").source, SweepFeatureSource::kComposition);
  EXPECT_EQ(source("cutoff_voltage_V").source, SweepFeatureSource::kFixed);
  EXPECT_EQ(source("cutoff_voltage_V").value, 4.3);
  EXPECT_EQ(source("electrolyte_class=carbonate_lipf6").source, SweepFeatureSource::kLevel);
  EXPECT_EQ(source("electrolyte_class=carbonate_lipf6").value, 1.0);
  EXPECT_EQ(source("crucible=open").value, 0.0);
  EXPECT_EQ(source("scan_rate_C_per_min_missing").source, SweepFeatureSource::kIndicator);
  EXPECT_EQ(source("scan_rate_C_per_min_missing").value, 0.0);
  EXPECT_EQ(source("active_frac").source, SweepFeatureSource::kDefault);
  EXPECT_EQ(source("active_frac").value, 0.8);
  EXPECT_TRUE(std::isnan(source("ni").value));
  EXPECT_EQ(to_string(SweepFeatureSource::kIndicator), "indicator");
  // Per-point features: the union of the composition features of all models, ascending.
  EXPECT_TRUE(std::is_sorted(plan.composition.begin(), plan.composition.end()));
  EXPECT_EQ(plan.composition.size(), 8u);  // ni co mn li en_wmean radius_wstd phi_wmean phi_range
  EXPECT_TRUE(plan.targets[0].maximize);
  EXPECT_FALSE(plan.targets[1].maximize);
  EXPECT_EQ(plan.targets[0].replicas(), 2u);
  EXPECT_EQ(sweep_quantile_name(plan.quantile_lo), "boot_p025");
  EXPECT_EQ(sweep_quantile_name(plan.quantile_hi), "boot_p975");
}

TEST(SweepPlan, MissingFeatureIsConfigErrorNamingSweepAndFeature) {
  const auto onset = testing::onset_models(0);
  const auto power = testing::power_models(0);
  const auto sets = testing::model_sets(onset, power);
  auto defaults = sweep_defaults();
  defaults.erase("active_frac");
  try {
    make_sweep_plan(ncm_sweep(0.1), OxidationConvention::kCharged, sets, defaults);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "sweeps.ncm");
    EXPECT_NE(std::string(e.what()).find("active_frac"), std::string::npos) << e.what();
  }
  defaults = sweep_defaults();
  defaults["active_frac"] = std::nan("");
  EXPECT_THROW(make_sweep_plan(ncm_sweep(0.1), OxidationConvention::kCharged, sets, defaults),
               ConfigError);
}

TEST(SweepPlan, SpecErrors) {
  const auto onset = testing::onset_models(0);
  const auto power = testing::power_models(0);
  const auto sets = testing::model_sets(onset, power);
  const auto expect_key = [&](StudySweep s, const std::string& key) {
    try {
      make_sweep_plan(s, OxidationConvention::kCharged, sets, sweep_defaults());
      ADD_FAILURE() << "expected ConfigError with key " << key;
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.key(), key) << e.what();
    }
  };
  StudySweep s = ncm_sweep(0.1);
  s.elements = {"Ni", "Xx", "Mn"};
  expect_key(s, "sweeps.ncm.elements");
  s.elements = {"Ni", "Ni"};
  expect_key(s, "sweeps.ncm.elements");
  s.elements = {"Ni", "O"};  // no TM-site ion
  expect_key(s, "sweeps.ncm.elements");
  s = ncm_sweep(0.03);
  expect_key(s, "sweeps.ncm.step");
  s = ncm_sweep(0.1);
  s.levels["electrolyte_class"] = "seawater";
  expect_key(s, "sweeps.ncm.levels.electrolyte_class");
  s = ncm_sweep(0.1);
  s.levels["colour"] = "blue";
  expect_key(s, "sweeps.ncm.levels.colour");
  s = ncm_sweep(0.1);
  s.fixed["ni"] = 0.5;
  expect_key(s, "sweeps.ncm.fixed.ni");
  s = ncm_sweep(0.1);
  s.fixed["not_a_feature"] = 1.0;
  expect_key(s, "sweeps.ncm.fixed.not_a_feature");
  s = ncm_sweep(0.1);
  s.fixed["cutoff_voltage_V"] = std::nan("");
  expect_key(s, "sweeps.ncm.fixed.cutoff_voltage_V");
  s = ncm_sweep(0.1);
  s.li = 0.0;
  expect_key(s, "sweeps.ncm.li");
  EXPECT_THROW(
      make_sweep_plan(ncm_sweep(0.1), OxidationConvention::kCharged, sets, sweep_defaults(), 1.0),
      ConfigError);
  std::vector<SweepModelSet> none;
  EXPECT_THROW(
      make_sweep_plan(ncm_sweep(0.1), OxidationConvention::kCharged, none, sweep_defaults()),
      ConfigError);
}

TEST(SweepPlan, FeatureRowsMatchHostFeaturizer) {
  // sweep_feature_row builds features with the host featurizer; the per-point math the backends
  // share (math::sweep_site_composition) must give the same properties, in both conventions.
  for (const auto conv : {OxidationConvention::kCharged, OxidationConvention::kPristine}) {
    StudySweep s = ncm_sweep(0.05);
    s.elements = {"Ni", "Co", "Mn", "Al"};
    s.li = 1.05;
    const auto onset = testing::onset_models(0);
    const auto power = testing::power_models(0);
    const auto sets = testing::model_sets(onset, power);
    const SweepPlan plan = make_sweep_plan(s, conv, sets, sweep_defaults());
    std::vector<std::uint32_t> counts(plan.k);
    for (std::size_t i = 0; i < plan.points; i += 7) {
      simplex_point(plan.k, plan.m, i, counts);
      math::SiteProperties p;
      const auto c =
          math::sweep_site_composition(plan.site, counts.data(), p.en, p.radius_A, p.phi_per_A);
      const math::SiteProperties ref = resolve_site_properties(c, conv);
      for (int q = 0; q < c.count; ++q) {
        EXPECT_NEAR(p.radius_A[q], ref.radius_A[q], 1e-14) << "point " << i << " slot " << q;
        EXPECT_NEAR(p.phi_per_A[q], ref.phi_per_A[q], 1e-13) << "point " << i << " slot " << q;
        EXPECT_EQ(p.en[q], ref.en[q]) << "point " << i << " slot " << q;
      }
      const auto row = sweep_feature_row(plan, power.point, i);
      ASSERT_EQ(row.size(), power.point.n_features);
      EXPECT_EQ(row[3], 1.05) << "li at point " << i;
      EXPECT_EQ(row[4], 4.3) << "cutoff at point " << i;
      EXPECT_EQ(row[5], 0.5) << "default electrolyte_ratio at point " << i;
    }
  }
}

}  // namespace
}  // namespace thermex
