// Bootstrap uncertainty (bootstrap.hpp): resamples (range, determinism, uniform counts,
// out-of-bag rows), per-column summaries against hand-computed percentiles, batched refits equal
// to single fits on the resampled rows with out-of-bag metrics, SHAP intervals against a direct
// computation, screening survival on a synthetic table, and independence of how replicas are
// split into blocks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "svr_test_support.hpp"
#include "thermex/bootstrap.hpp"
#include "thermex/error.hpp"
#include "thermex/math/philox.hpp"
#include "thermex/null_importance.hpp"

namespace thermex {
namespace {

Context boot_context(std::uint64_t seed) {
  return Context::create({.device = DeviceRequest::kCpu, .seed = seed, .quiet = true});
}

bool same_bytes(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

// Every field of two models that a fit determines (not the build provenance, which is equal
// anyway), bytes for doubles.
void expect_same_model(const SvrModel& a, const SvrModel& b, const std::string& where) {
  EXPECT_EQ(a.n_features, b.n_features) << where;
  EXPECT_EQ(a.feature_names, b.feature_names) << where;
  EXPECT_TRUE(same_bytes(a.feature_means, b.feature_means)) << where;
  EXPECT_TRUE(same_bytes(a.feature_scales, b.feature_scales)) << where;
  EXPECT_TRUE(same_bytes(a.support_vectors, b.support_vectors)) << where;
  EXPECT_EQ(a.support_indices, b.support_indices) << where;
  EXPECT_TRUE(same_bytes(a.dual_coef, b.dual_coef)) << where;
  EXPECT_EQ(std::memcmp(&a.intercept, &b.intercept, sizeof(double)), 0) << where;
  EXPECT_EQ(std::memcmp(&a.gamma_value, &b.gamma_value, sizeof(double)), 0) << where;
  EXPECT_EQ(a.n_iter, b.n_iter) << where;
  EXPECT_EQ(a.n_train, b.n_train) << where;
  EXPECT_EQ(a.data_sha256, b.data_sha256) << where;
  EXPECT_EQ(a.converged, b.converged) << where;
}

TEST(Bootstrap, SampleIsInRangeDeterministicAndUniform) {
  const std::size_t n = 10, replicas = 4000;
  std::vector<std::size_t> counts(n, 0);
  for (std::size_t b = 0; b < replicas; ++b) {
    const std::vector<std::size_t> s = bootstrap_sample(n, 11, b);
    ASSERT_EQ(s.size(), n) << "replica " << b;
    EXPECT_EQ(s, bootstrap_sample(n, 11, b)) << "replica " << b;
    for (std::size_t r : s) {
      ASSERT_LT(r, n) << "replica " << b;
      ++counts[r];
    }
  }
  // 40000 draws, 4000 expected per row, binomial sd ~ 60: 5 sd bounds never fail for a fair
  // generator (and the draws are fixed, so the check is deterministic).
  for (std::size_t r = 0; r < n; ++r) {
    EXPECT_NEAR(static_cast<double>(counts[r]), 4000.0, 300.0) << "row " << r;
  }
  EXPECT_NE(bootstrap_sample(n, 11, 0), bootstrap_sample(n, 11, 1));
  EXPECT_NE(bootstrap_sample(n, 11, 0), bootstrap_sample(n, 12, 0));
  // Replica b is the Philox stream (seed, kBootstrap, b) read by below(n).
  math::PhiloxStream rng(11, math::RngPurpose::kBootstrap, 3);
  for (std::size_t r : bootstrap_sample(n, 11, 3)) EXPECT_EQ(r, rng.below(n));
  EXPECT_THROW(bootstrap_sample(0, 1, 0), Error);
}

TEST(Bootstrap, OutOfBagRowsAreTheRowsNeverDrawn) {
  const std::vector<std::size_t> sample = {3, 0, 3, 5, 0, 1};
  EXPECT_EQ(out_of_bag_rows(sample, 6), (std::vector<std::size_t>{2, 4}));
  EXPECT_EQ(out_of_bag_rows(std::vector<std::size_t>{}, 2), (std::vector<std::size_t>{0, 1}));
  EXPECT_THROW(out_of_bag_rows(sample, 5), Error);
}

TEST(Bootstrap, SummaryMatchesHandPercentiles) {
  // Column 0: 0..10 shuffled (B = 11). numpy linear: q = 0.025 -> h = 0.25 -> 0.25;
  // q = 0.975 -> h = 9.75 -> 9.75. Mean 5, sample std sqrt(110 / 10) = sqrt(11).
  // Column 1: 2 x column 0 + 1.
  const std::vector<double> col0 = {7, 3, 10, 0, 5, 1, 9, 2, 8, 4, 6};
  std::vector<double> m;
  for (double v : col0) {
    m.push_back(v);
    m.push_back(2.0 * v + 1.0);
  }
  const BootstrapSummary s = bootstrap_summary(m, 11, 2, 0.95);
  EXPECT_EQ(s.replicas, 11u);
  EXPECT_EQ(s.columns, 2u);
  EXPECT_NEAR(s.mean[0], 5.0, 1e-15);
  EXPECT_NEAR(s.std[0], std::sqrt(11.0), 1e-14);
  EXPECT_NEAR(s.low[0], 0.25, 1e-15);
  EXPECT_NEAR(s.high[0], 9.75, 1e-15);
  EXPECT_NEAR(s.mean[1], 11.0, 1e-14);
  EXPECT_NEAR(s.std[1], 2.0 * std::sqrt(11.0), 1e-14);
  EXPECT_NEAR(s.low[1], 1.5, 1e-15);
  EXPECT_NEAR(s.high[1], 20.5, 1e-14);
  // ci = 0.5: quartiles h = 2.5 and 7.5.
  const BootstrapSummary q = bootstrap_summary(m, 11, 2, 0.5);
  EXPECT_NEAR(q.low[0], 2.5, 1e-15);
  EXPECT_NEAR(q.high[0], 7.5, 1e-15);
  // One replica: std undefined; a NaN entry poisons its column only.
  const BootstrapSummary one = bootstrap_summary(std::vector<double>{1.0, 2.0}, 1, 2, 0.95);
  EXPECT_TRUE(std::isnan(one.std[0]));
  EXPECT_EQ(one.low[1], 2.0);
  const BootstrapSummary nan = bootstrap_summary(
      std::vector<double>{1.0, std::numeric_limits<double>::quiet_NaN(), 3.0, 4.0}, 2, 2, 0.9);
  EXPECT_TRUE(std::isnan(nan.mean[1]) && std::isnan(nan.low[1]) && std::isnan(nan.high[1]));
  EXPECT_NEAR(nan.mean[0], 2.0, 1e-15);
  EXPECT_THROW(bootstrap_summary(m, 11, 2, 1.0), Error);
  EXPECT_THROW(bootstrap_summary(m, 10, 2, 0.9), Error);
}

struct SvrData {
  std::size_t n = 40, d = 3;
  std::vector<double> x, y;
  SvrSpec spec;
  std::vector<std::string> names = {"a", "b", "c"};
};

SvrData svr_data(bool log10_target) {
  SvrData s;
  testing::synthetic_svr_problem(5, s.n, s.d, s.x, s.y);
  if (log10_target) {
    for (double& v : s.y) v = std::pow(10.0, v);
  }
  s.spec.c = 10.0;
  s.spec.epsilon = 0.05;
  s.spec.log10_target = log10_target;
  return s;
}

TEST(Bootstrap, RefitsEqualSingleFitsAndOutOfBagMetricsAreDirect) {
  for (bool log10_target : {false, true}) {
    const SvrData s = svr_data(log10_target);
    const Context ctx = boot_context(99);
    const BootstrapFits fits = bootstrap_svr(ctx, s.x, s.n, s.d, s.y, s.spec, 3, 4, s.names);
    ASSERT_EQ(fits.models.size(), 4u);
    ASSERT_EQ(fits.oob.size(), 4u);
    EXPECT_EQ(fits.first_replica, 3u);
    for (std::size_t i = 0; i < 4; ++i) {
      const std::string where =
          "log10 " + std::to_string(log10_target) + ", replica " + std::to_string(3 + i);
      const std::vector<std::size_t> rows = bootstrap_sample(s.n, 99, 3 + i);
      std::vector<double> xb, yb;
      for (std::size_t r : rows) {
        xb.insert(xb.end(), s.x.begin() + static_cast<std::ptrdiff_t>(r * s.d),
                  s.x.begin() + static_cast<std::ptrdiff_t>((r + 1) * s.d));
        yb.push_back(s.y[r]);
      }
      const SvrModel direct = svr_fit(ctx, xb, s.n, s.d, yb, s.spec, s.names);
      expect_same_model(fits.models[i], direct, where);
      // Out-of-bag metrics: predictions (original units) on the rows never drawn.
      const std::vector<std::size_t> oob = out_of_bag_rows(rows, s.n);
      ASSERT_FALSE(oob.empty()) << where;
      std::vector<double> xo, yo;
      for (std::size_t r : oob) {
        xo.insert(xo.end(), s.x.begin() + static_cast<std::ptrdiff_t>(r * s.d),
                  s.x.begin() + static_cast<std::ptrdiff_t>((r + 1) * s.d));
        yo.push_back(s.y[r]);
      }
      const RegressionMetrics m = regression_metrics(yo, svr_predict(ctx, direct, xo, oob.size()));
      EXPECT_EQ(fits.oob[i].n, oob.size()) << where;
      EXPECT_EQ(fits.oob[i].rmse, m.rmse) << where;
      EXPECT_EQ(fits.oob[i].mae, m.mae) << where;
      EXPECT_EQ(fits.oob[i].r2, m.r2) << where;
      EXPECT_TRUE(std::isfinite(m.rmse) && m.rmse > 0.0) << where;
    }
  }
}

TEST(Bootstrap, BlocksOfReplicasGiveTheSameModels) {
  const SvrData s = svr_data(false);
  const Context ctx = boot_context(7);
  const BootstrapFits all = bootstrap_svr(ctx, s.x, s.n, s.d, s.y, s.spec, 0, 10, s.names);
  const BootstrapFits first = bootstrap_svr(ctx, s.x, s.n, s.d, s.y, s.spec, 0, 4, s.names);
  const BootstrapFits rest = bootstrap_svr(ctx, s.x, s.n, s.d, s.y, s.spec, 4, 6, s.names);
  for (std::size_t b = 0; b < 10; ++b) {
    const SvrModel& part = b < 4 ? first.models[b] : rest.models[b - 4];
    const RegressionMetrics& oob = b < 4 ? first.oob[b] : rest.oob[b - 4];
    expect_same_model(all.models[b], part, "replica " + std::to_string(b));
    EXPECT_EQ(all.oob[b].rmse, oob.rmse) << "replica " << b;
  }
  EXPECT_THROW(bootstrap_svr(ctx, s.x, s.n, s.d, s.y, s.spec, 0, 0, s.names), Error);
  EXPECT_THROW(bootstrap_svr(ctx, s.x, s.n, s.d, s.y, s.spec, 0, 1, {"a"}), Error);
}

TEST(Bootstrap, ShapIntervalsMatchADirectComputation) {
  const SvrData s = svr_data(false);
  const Context ctx = boot_context(21);
  const BootstrapFits fits = bootstrap_svr(ctx, s.x, s.n, s.d, s.y, s.spec, 0, 9, s.names);
  const WeightedBackground bg = kmeans_background(s.x, s.n, s.d, 6, 21);
  const std::size_t rows = 8;
  const std::vector<double> xe(s.x.begin(), s.x.begin() + static_cast<std::ptrdiff_t>(rows * s.d));
  const ShapBootstrap boot = bootstrap_shap(ctx, fits.models, xe, rows, bg, ShapOptions{}, 0.9);
  ASSERT_EQ(boot.replicas, 9u);
  ASSERT_EQ(boot.players, s.d);
  EXPECT_EQ(boot.player_names, s.names);
  ASSERT_EQ(boot.mean_abs.size(), 9 * s.d);
  ShapOptions weighted;
  weighted.background_weights = bg.weights;
  std::vector<std::vector<double>> per_player(s.d);
  for (std::size_t b = 0; b < 9; ++b) {
    const std::vector<double> m =
        shap_mean_abs(svr_shap(ctx, fits.models[b], xe, rows, bg.rows, bg.n, weighted));
    for (std::size_t p = 0; p < s.d; ++p) {
      EXPECT_EQ(boot.mean_abs[b * s.d + p], m[p]) << "replica " << b << ", player " << p;
      per_player[p].push_back(m[p]);
    }
  }
  for (std::size_t p = 0; p < s.d; ++p) {
    // The levels as the header defines them, (1 -+ ci) / 2 (0.05 and 0.95 up to rounding).
    EXPECT_EQ(boot.summary.low[p], quantile_linear(per_player[p], (1.0 - 0.9) / 2.0))
        << "player " << p;
    EXPECT_EQ(boot.summary.high[p], quantile_linear(per_player[p], (1.0 + 0.9) / 2.0))
        << "player " << p;
    EXPECT_LT(boot.summary.low[p], boot.summary.high[p]) << "player " << p;
  }
  // Shards: the mean_abs rows of two blocks, concatenated, summarize to the same intervals.
  const ShapBootstrap a = bootstrap_shap(ctx, std::span<const SvrModel>(fits.models).first(4), xe,
                                         rows, bg, ShapOptions{}, 0.9);
  const ShapBootstrap c = bootstrap_shap(ctx, std::span<const SvrModel>(fits.models).subspan(4), xe,
                                         rows, bg, ShapOptions{}, 0.9);
  std::vector<double> joined = a.mean_abs;
  joined.insert(joined.end(), c.mean_abs.begin(), c.mean_abs.end());
  const ShapBootstrap merged = summarize_shap_bootstrap(joined, 9, a.player_names, 0.9);
  EXPECT_TRUE(same_bytes(merged.mean_abs, boot.mean_abs));
  EXPECT_TRUE(same_bytes(merged.summary.low, boot.summary.low));
  EXPECT_TRUE(same_bytes(merged.summary.high, boot.summary.high));
  EXPECT_TRUE(same_bytes(merged.summary.mean, boot.summary.mean));
  EXPECT_THROW(bootstrap_shap(ctx, {}, xe, rows, bg, ShapOptions{}, 0.9), Error);
}

// y = 10 driver + small noise; "noise" is independent of y.
Table screening_table(std::size_t n) {
  math::PhiloxStream rng(4, math::RngPurpose::kTest, 0);
  std::vector<double> driver(n), noise(n), y(n);
  for (std::size_t i = 0; i < n; ++i) {
    driver[i] = rng.uniform();
    noise[i] = rng.uniform();
    y[i] = 10.0 * driver[i] + 0.2 * (rng.uniform() - 0.5);
  }
  Table t;
  t.add_column({"driver", "driver", "", ColumnKind::kCondition, ""}, driver);
  t.add_column({"noise", "noise", "", ColumnKind::kCondition, ""}, noise);
  t.add_column({"y", "y", "", ColumnKind::kTarget, ""}, y);
  return t;
}

SelectionOptions screening_options() {
  SelectionOptions o;
  o.null.shuffles = 10;
  o.null.forest.n_trees = 10;
  return o;
}

TEST(Bootstrap, ScreeningKeepsTheDriverAndRarelyTheNoise) {
  const Table t = screening_table(150);
  std::vector<std::size_t> training;
  for (std::size_t i = 0; i < 150; i += 3) training.push_back(i);  // a subset: 50 rows
  for (std::size_t i = 1; i < 150; i += 3) training.push_back(i);  // ... 100 rows, any order
  const Context ctx = boot_context(5);
  const ScreeningSurvival all =
      bootstrap_screening(ctx, t, "y", screening_options(), training, 0, 10);
  ASSERT_EQ(all.features, (std::vector<std::string>{"driver", "noise"}));
  EXPECT_EQ(all.target, "y");
  EXPECT_EQ(all.replicas, 10u);
  EXPECT_EQ(all.kept_count[0], 10u);
  EXPECT_LE(all.kept_count[1], 2u);
  const std::vector<double> f = all.frequency();
  EXPECT_EQ(f[0], 1.0);
  // Blocks [0, 4) and [4, 10), merged in either order, count the same.
  const std::vector<ScreeningSurvival> parts = {
      bootstrap_screening(ctx, t, "y", screening_options(), training, 4, 6),
      bootstrap_screening(ctx, t, "y", screening_options(), training, 0, 4)};
  const ScreeningSurvival merged = merge_screening_survival(parts);
  EXPECT_EQ(merged.kept_count, all.kept_count);
  EXPECT_EQ(merged.replicas, 10u);
  EXPECT_EQ(merged.first_replica, 0u);
  // Replica b's forests are seeded by screening_replica_seed(seed, b), its rows by the same
  // bootstrap_sample as the SVR refits: one replica by hand.
  const std::vector<std::size_t> sample = bootstrap_sample(training.size(), 5, 7);
  std::vector<std::size_t> rows;
  for (std::size_t s : sample) rows.push_back(training[s]);
  const Selection sel = select_features(ctx.with_seed(screening_replica_seed(5, 7)),
                                        t.select_rows(rows), "y", screening_options());
  const ScreeningSurvival one =
      bootstrap_screening(ctx, t, "y", screening_options(), training, 7, 1);
  for (std::size_t c = 0; c < 2; ++c) {
    const bool kept =
        std::find(sel.kept.begin(), sel.kept.end(), one.features[c]) != sel.kept.end();
    EXPECT_EQ(one.kept_count[c], kept ? 1u : 0u) << "candidate " << c;
  }
  EXPECT_NE(screening_replica_seed(5, 7), screening_replica_seed(5, 8));
  EXPECT_NE(screening_replica_seed(5, 7), screening_replica_seed(6, 7));
}

TEST(Bootstrap, ScreeningRejectsBadInput) {
  const Table t = screening_table(30);
  const Context ctx = boot_context(1);
  const std::vector<std::size_t> rows = {0, 1, 2, 40};
  EXPECT_THROW(bootstrap_screening(ctx, t, "y", screening_options(), rows, 0, 1), Error);
  EXPECT_THROW(
      bootstrap_screening(ctx, t, "y", screening_options(), std::vector<std::size_t>{}, 0, 1),
      Error);
  const std::vector<std::size_t> ok = {0, 1, 2, 3};
  EXPECT_THROW(bootstrap_screening(ctx, t, "y", screening_options(), ok, 0, 0), Error);
  ScreeningSurvival a, b;
  a.target = "y";
  b.target = "z";
  EXPECT_THROW(merge_screening_survival(std::vector<ScreeningSurvival>{a, b}), Error);
  EXPECT_THROW(merge_screening_survival(std::vector<ScreeningSurvival>{}), Error);
}

}  // namespace
}  // namespace thermex
