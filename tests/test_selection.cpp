// Screening: the "fundamental first" priority, the greedy Spearman filter on hand-made matrices,
// select_features() end to end, and the HDF5 round trip.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <vector>

#include "thermex/error.hpp"
#include "thermex/math/philox.hpp"
#include "thermex/selection.hpp"

namespace thermex {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

ColumnMeta meta(std::string name, ColumnKind kind, std::string group = "") {
  ColumnMeta m;
  m.name = std::move(name);
  m.kind = kind;
  m.group = std::move(group);
  return m;
}

TEST(Selection, FundamentalPriorityOrder) {
  const std::vector<ColumnMeta> ordered{
      meta("ni", ColumnKind::kContent),           meta("cutoff_voltage_V", ColumnKind::kCondition),
      meta("crucible=open", ColumnKind::kOneHot), meta("ratio_missing", ColumnKind::kIndicator),
      meta("en_tm_wmean", ColumnKind::kDerived),  meta("en_tm_wstd", ColumnKind::kDerived),
      meta("en_tm_mean", ColumnKind::kDerived),   meta("en_tm_std", ColumnKind::kDerived),
      meta("en_tm_min", ColumnKind::kDerived),    meta("en_tm_max", ColumnKind::kDerived),
      meta("en_tm_range", ColumnKind::kDerived)};
  // Column indices deliberately reversed so that only the priority can give this order.
  const std::size_t n = ordered.size();
  for (std::size_t k = 0; k + 1 < n; ++k) {
    EXPECT_LT(fundamental_key(ordered[k], n - k, {}),
              fundamental_key(ordered[k + 1], n - k - 1, {}))
        << ordered[k].name << " before " << ordered[k + 1].name;
  }
  // Same priority: the earlier column wins.
  EXPECT_LT(fundamental_key(meta("co", ColumnKind::kContent), 1, {}),
            fundamental_key(meta("ni", ColumnKind::kContent), 2, {}));
  // A user order overrides everything, in its own order.
  const std::vector<std::string> user{"en_tm_range", "cutoff_voltage_V"};
  EXPECT_LT(fundamental_key(ordered[10], 10, user), fundamental_key(ordered[0], 0, user));
  EXPECT_LT(fundamental_key(ordered[10], 10, user), fundamental_key(ordered[1], 1, user));
}

// Columns: 0 a=x_std (derived), 1 b (content), 2 c=x_wmean (derived), 3 d (condition),
// 4 e and 5 f (one-hot levels of group g).
SpearmanMatrix hand_matrix() {
  SpearmanMatrix m;
  m.n = 6;
  m.rho.assign(36, 0.1);
  m.counts.assign(36, 50);
  auto set = [&](std::size_t i, std::size_t j, double rho, std::int64_t count = 50) {
    m.rho[i * 6 + j] = m.rho[j * 6 + i] = rho;
    m.counts[i * 6 + j] = m.counts[j * 6 + i] = count;
  };
  for (std::size_t i = 0; i < 6; ++i) set(i, i, 1.0);
  set(0, 1, 0.9);
  set(0, 2, -0.95);
  set(1, 2, 0.85);
  set(3, 1, 0.8);   // exactly at the threshold: not redundant
  set(4, 5, -1.0);  // levels of one group: not compared by default
  set(3, 4, kNaN, 2);
  set(2, 5, kNaN);  // constant column on the complete rows
  return m;
}

std::vector<ColumnMeta> hand_metas() {
  return {meta("x_std", ColumnKind::kDerived),   meta("b", ColumnKind::kContent),
          meta("x_wmean", ColumnKind::kDerived), meta("d", ColumnKind::kCondition),
          meta("g=e", ColumnKind::kOneHot, "g"), meta("g=f", ColumnKind::kOneHot, "g")};
}

TEST(Selection, GreedyFilterKeepsTheFundamentalSide) {
  const RedundancyResult r = redundancy_filter(hand_metas(), hand_matrix(), 0.8, {}, false);
  // |rho| order: (a,c) 0.95 drops x_std for x_wmean; (a,b) 0.9 is skipped (a gone);
  // (b,c) 0.85 drops x_wmean for b.
  ASSERT_EQ(r.dropped.size(), 2u);
  EXPECT_EQ(r.dropped[0].dropped, "x_std");
  EXPECT_EQ(r.dropped[0].kept, "x_wmean");
  EXPECT_EQ(r.dropped[0].rho, -0.95);
  EXPECT_EQ(r.dropped[1].dropped, "x_wmean");
  EXPECT_EQ(r.dropped[1].kept, "b");
  EXPECT_EQ(r.dropped[1].rho, 0.85);
  EXPECT_EQ(r.kept, (std::vector<std::string>{"b", "d", "g=e", "g=f"}));
  ASSERT_EQ(r.uncompared.size(), 2u);
  EXPECT_EQ(r.uncompared[0].first, "x_wmean");
  EXPECT_EQ(r.uncompared[0].second, "g=f");
  EXPECT_EQ(r.uncompared[1].first, "d");
  EXPECT_EQ(r.uncompared[1].second, "g=e");
  EXPECT_EQ(r.uncompared[1].count, 2);
}

TEST(Selection, GroupComparisonAndUserPriorityAreOptions) {
  const std::vector<std::string> user{"x_std"};
  const RedundancyResult r = redundancy_filter(hand_metas(), hand_matrix(), 0.8, user, true);
  // x_std now outranks everything: it drops x_wmean (0.95) and b (0.9); the group pair is
  // compared and the later level goes.
  ASSERT_EQ(r.dropped.size(), 3u);
  EXPECT_EQ(r.dropped[0].dropped, "g=f");  // |rho| = 1 comes first
  EXPECT_EQ(r.dropped[0].kept, "g=e");
  EXPECT_EQ(r.dropped[1].dropped, "x_wmean");
  EXPECT_EQ(r.dropped[2].dropped, "b");
  EXPECT_EQ(r.dropped[2].kept, "x_std");
  EXPECT_EQ(r.kept, (std::vector<std::string>{"x_std", "d", "g=e"}));
}

// y depends on a (content) and c (condition); a2 is a monotone copy of a (derived), n1..n3 are
// noise; the target is missing in every 10th row.
Table end_to_end_table() {
  const std::size_t rows = 300;
  std::vector<std::vector<double>> v(6, std::vector<double>(rows));
  for (std::size_t j = 0; j < 6; ++j) {
    math::PhiloxStream rng(77, math::RngPurpose::kTest, j);
    for (auto& x : v[j]) x = rng.uniform();
  }
  std::vector<double> a2(rows), y(rows);
  math::PhiloxStream noise(77, math::RngPurpose::kTest, 50);
  for (std::size_t i = 0; i < rows; ++i) {
    a2[i] = std::exp(2 * v[0][i]);
    y[i] = i % 10 == 3 ? kNaN : 5 * v[0][i] + 3 * v[1][i] * v[1][i] + 0.3 * noise.uniform();
  }
  Table t;
  t.add_column(meta("a2_wmean", ColumnKind::kDerived), a2);
  t.add_column(meta("a", ColumnKind::kContent), v[0]);
  t.add_column(meta("c", ColumnKind::kCondition), v[1]);
  t.add_column(meta("n1", ColumnKind::kCondition), v[2]);
  t.add_column(meta("n2", ColumnKind::kCondition), v[3]);
  t.add_column(meta("n3", ColumnKind::kCondition), v[4]);
  t.add_column(meta("y", ColumnKind::kTarget), y);
  t.add_column(meta("other_target", ColumnKind::kTarget), v[5]);
  return t;
}

SelectionOptions small_options() {
  SelectionOptions o;
  o.null.shuffles = 30;
  o.null.forest.n_trees = 30;
  return o;
}

TEST(Selection, EndToEndKeepsDriversWithReasons) {
  const Table t = end_to_end_table();
  const Context ctx = Context::create({.device = DeviceRequest::kCpu, .seed = 12, .quiet = true});
  const Selection s = select_features(ctx, t, "y", small_options());
  EXPECT_EQ(s.rows, 270u);
  EXPECT_EQ(s.candidates, (std::vector<std::string>{"a2_wmean", "a", "c", "n1", "n2", "n3"}));
  EXPECT_EQ(s.spearman.count(0, 1), 270);
  EXPECT_EQ(s.kept, (std::vector<std::string>{"a", "c"}));
  ASSERT_EQ(s.dropped.size(), 4u);
  EXPECT_EQ(s.dropped[0].name, "a2_wmean");
  EXPECT_EQ(s.dropped[0].reason, DropReason::kSpearman);
  EXPECT_EQ(s.dropped[0].partner, "a");
  EXPECT_EQ(s.dropped[0].rho, 1.0);  // a monotone transform has rho exactly 1
  for (std::size_t k = 1; k < 4; ++k) {
    const auto& d = s.dropped[k];
    EXPECT_EQ(d.name, "n" + std::to_string(k)) << "drop " << k;
    EXPECT_EQ(d.reason, DropReason::kNullImportance) << "drop " << k;
    EXPECT_LT(d.actual, d.null_quantile) << "drop " << k;
    EXPECT_GT(d.p_value, 0.0) << "drop " << k;
    EXPECT_LE(d.p_value, 1.0) << "drop " << k;
    EXPECT_TRUE(std::isnan(d.rho)) << "drop " << k;
  }
  EXPECT_EQ(s.null.features, (std::vector<std::string>{"a", "c", "n1", "n2", "n3"}));
}

TEST(Selection, RejectsBadNamesAndOptions) {
  const Table t = end_to_end_table();
  const Context ctx = Context::create({.device = DeviceRequest::kCpu, .seed = 1, .quiet = true});
  SelectionOptions o = small_options();
  o.features = {"a", "nope"};
  EXPECT_THROW(select_features(ctx, t, "y", o), ConfigError);
  o.features = {"a", "y"};
  EXPECT_THROW(select_features(ctx, t, "y", o), ConfigError);
  o.features = {};
  o.spearman_threshold = 1.2;
  EXPECT_THROW(select_features(ctx, t, "y", o), ConfigError);
  EXPECT_THROW(select_features(ctx, t, "missing_target", small_options()), Error);
}

TEST(Selection, Hdf5RoundTripIsExact) {
  const Table t = end_to_end_table();
  const Context ctx = Context::create({.device = DeviceRequest::kCpu, .seed = 3, .quiet = true});
  const Selection s = select_features(ctx, t, "y", small_options());
  const auto path = std::filesystem::temp_directory_path() /
                    ("thermex_test_selection_" + std::to_string(::getpid()) + ".h5");
  {
    H5File f = H5File::create(path.string());
    write_selection_h5(f, "/selection/y", s);
    f.close();
  }
  const H5File f = H5File::open_read_only(path.string());
  const Selection r = read_selection_h5(f, "/selection/y");
  EXPECT_EQ(r.target, "y");
  EXPECT_EQ(r.rows, s.rows);
  EXPECT_EQ(r.seed, s.seed);
  EXPECT_EQ(r.candidates, s.candidates);
  EXPECT_EQ(r.spearman.rho, s.spearman.rho);
  EXPECT_EQ(r.spearman.counts, s.spearman.counts);
  EXPECT_EQ(r.redundancy.kept, s.redundancy.kept);
  ASSERT_EQ(r.redundancy.dropped.size(), s.redundancy.dropped.size());
  EXPECT_EQ(r.null.actual, s.null.actual);
  EXPECT_EQ(r.null.null, s.null.null);
  EXPECT_EQ(r.null.p_value, s.null.p_value);
  EXPECT_EQ(r.null.keep, s.null.keep);
  EXPECT_EQ(r.kept, s.kept);
  ASSERT_EQ(r.dropped.size(), s.dropped.size());
  for (std::size_t k = 0; k < r.dropped.size(); ++k) {
    EXPECT_EQ(r.dropped[k].name, s.dropped[k].name) << "drop " << k;
    EXPECT_EQ(r.dropped[k].reason, s.dropped[k].reason) << "drop " << k;
    EXPECT_EQ(r.dropped[k].partner, s.dropped[k].partner) << "drop " << k;
  }
  EXPECT_THROW(read_selection_h5(f, "/selection"), InputError);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace thermex
