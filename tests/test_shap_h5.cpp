// SHAP results in HDF5: write_shap_h5 / read_shap_h5 round-trip every field bit for bit (a Monte
// Carlo result with a grouped player, and an exact result from svr_shap), store mean |SHAP| and
// units, reject foreign groups and inconsistent results; `thermex shap --h5` writes the same
// result under /shap/<target>.
#include <gtest/gtest.h>

#include "cli_test_support.hpp"

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "h5_test_support.hpp"
#include "test_shap_support.hpp"
#include "thermex/error.hpp"
#include "thermex/h5.hpp"
#include "thermex/shap.hpp"
#include "thermex/shap_h5.hpp"
#include "thermex/svr_model_h5.hpp"

namespace thermex {
namespace {

// A Monte Carlo-like result: 3 rows, players {0}, {1, 3} (a group), {2}; log10 units.
ShapResult handmade_result() {
  ShapResult r;
  r.rows = 3;
  r.players = 3;
  r.player_sets.columns = {{0}, {1, 3}, {2}};
  r.player_sets.names = {"f0", "pair", "f2"};
  r.method = ShapMethod::kPermutation;
  r.values = {0.1, -0.25, 1.0 / 3.0, 2.5e-9, 0.0, -7.0, 1e300, -1e-300, 0.5};
  r.std_errors = {0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09};
  r.samples_used = {64, 16, 8};
  r.base_value = -1.2345678901234567;
  r.fx = {0.5, -0.5, 2.0};
  r.max_efficiency_violation = 3.5e-15;
  r.log10_target = true;
  return r;
}

void expect_same(const ShapResult& a, const ShapResult& b) {
  EXPECT_EQ(a.rows, b.rows);
  EXPECT_EQ(a.players, b.players);
  EXPECT_EQ(a.method, b.method);
  EXPECT_EQ(a.player_sets.names, b.player_sets.names);
  EXPECT_EQ(a.player_sets.columns, b.player_sets.columns);
  ASSERT_EQ(a.values.size(), b.values.size());
  ASSERT_EQ(a.std_errors.size(), b.std_errors.size());
  for (std::size_t k = 0; k < a.values.size(); ++k) {
    EXPECT_EQ(a.values[k], b.values[k]) << "value " << k;
    EXPECT_EQ(a.std_errors[k], b.std_errors[k]) << "std error " << k;
  }
  EXPECT_EQ(a.samples_used, b.samples_used);
  EXPECT_EQ(a.fx, b.fx);
  EXPECT_EQ(a.base_value, b.base_value);
  EXPECT_EQ(a.max_efficiency_violation, b.max_efficiency_violation);
  EXPECT_EQ(a.log10_target, b.log10_target);
}

TEST(ShapH5, HandmadeResultRoundTripsWithMeanAbsAndUnits) {
  testing::ScratchDir dir;
  const ShapResult r = handmade_result();
  {
    H5File f = H5File::create(dir.file("s.h5"));
    write_shap_h5(f, "/shap/onset_C", r);
    f.close();
  }
  const H5File f = H5File::open_read_only(dir.file("s.h5"));
  expect_same(read_shap_h5(f, "shap/onset_C"), r);
  const std::vector<double> mean_abs = f.read_doubles("/shap/onset_C/mean_abs");
  const std::vector<double> want = shap_mean_abs(r);
  ASSERT_EQ(mean_abs.size(), 3u);
  for (std::size_t p = 0; p < 3; ++p) EXPECT_EQ(mean_abs[p], want[p]) << "player " << p;
  EXPECT_DOUBLE_EQ(mean_abs[1], (0.25 + 0.0 + 1e-300) / 3.0);
  EXPECT_EQ(f.string_attribute("/shap/onset_C", "units"), "log10(target)");
  EXPECT_EQ(f.string_attribute("/shap/onset_C", "method"), "permutation");
  EXPECT_EQ(f.string_attribute("/shap/onset_C/values", "labels"), "row x player");
  EXPECT_EQ(f.read_int64s("/shap/onset_C/player_offsets"), (std::vector<std::int64_t>{0, 1, 3, 4}));
}

TEST(ShapH5, ExactResultFromSvrShapRoundTrips) {
  testing::ScratchDir dir;
  const Context ctx = testing::shap_context();
  const SvrModel model = testing::random_svr_model(ctx, 7, 25, 4);
  const std::vector<double> x = testing::random_rows(8, 6, 4);
  const std::vector<double> bg = testing::random_rows(9, 5, 4);
  const ShapResult r = svr_shap(ctx, model, x, 6, bg, 5);
  {
    H5File f = H5File::create(dir.file("s.h5"));
    write_shap_h5(f, "/shap/model", r);
    f.close();
  }
  const H5File f = H5File::open_read_only(dir.file("s.h5"));
  expect_same(read_shap_h5(f, "/shap/model"), r);
  EXPECT_EQ(f.string_attribute("/shap/model", "units"), "target");
}

TEST(ShapH5, RejectsForeignGroupsAndInconsistentResults) {
  testing::ScratchDir dir;
  ShapResult bad = handmade_result();
  bad.fx.pop_back();
  H5File f = H5File::create(dir.file("s.h5"));
  EXPECT_THROW(write_shap_h5(f, "/shap/bad", bad), Error);
  f.create_group("/other");
  f.set_attribute("/other", "format", std::string_view("thermex-svr-model"));
  write_shap_h5(f, "/shap/ok", handmade_result());
  f.set_attribute("/shap/ok", "method", std::string_view("magic"));
  EXPECT_THROW(read_shap_h5(f, "/missing"), InputError);
  EXPECT_THROW(read_shap_h5(f, "/other"), InputError);
  EXPECT_THROW(read_shap_h5(f, "/shap/ok"), InputError);
}

TEST(ShapH5, CliWritesTheResultUnderShapTarget) {
  testing::ScratchDir dir;
  const Context ctx = testing::shap_context();
  const std::size_t d = 3, n = 4;
  std::vector<double> xt, yt;
  testing::synthetic_svr_problem(301, 30, d, xt, yt);
  const SvrModel model = svr_fit(ctx, xt, 30, d, yt, SvrSpec{}, {"a", "b", "c"});
  save_svr_model(model, dir.file("m.h5"));
  const std::vector<double> x = testing::random_rows(302, n, d);
  std::string csv = "a,b,c\n";
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t c = 0; c < d; ++c) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", x[i * d + c]);
      csv += std::string(buf) + (c + 1 == d ? "\n" : ",");
    }
  }
  testing::write_bytes(dir.file("x.csv"), csv);
  const std::string base = "--device cpu shap --model '" + dir.file("m.h5") + "' --data '" +
                           dir.file("x.csv") + "' -o '" + dir.file("s.csv") + "' --h5 '" +
                           dir.file("s.h5") + "'";
  const testing_support::RunResult run = testing_support::run_cli(base + " --target peak_C");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const ShapResult want = svr_shap(ctx, model, x, n, x, n);
  const H5File f = H5File::open_read_only(dir.file("s.h5"));
  expect_same(read_shap_h5(f, "/shap/peak_C"), want);
  const testing_support::RunResult slash = testing_support::run_cli(base + " --target a/b");
  EXPECT_NE(slash.exit_code, 0);
  EXPECT_NE(slash.output.find("--target"), std::string::npos) << slash.output;
}

}  // namespace
}  // namespace thermex
