// `thermex shap` end to end: runs the built binary (THERMEX_CLI_PATH) on a saved model and
// compares the CSV with svr_shap called directly (same values to the 17 printed digits), for the
// exact method with a group, and a Monte Carlo method with its standard-error columns; bad
// options exit non-zero with a clear message.
#include <gtest/gtest.h>

#include "cli_test_support.hpp"

#include <cstdio>
#include <string>
#include <vector>

#include "h5_test_support.hpp"
#include "test_shap_support.hpp"
#include "thermex/csv.hpp"
#include "thermex/shap.hpp"
#include "thermex/svr_model_h5.hpp"

namespace thermex {
namespace {

using testing_support::run_cli;
using testing_support::RunResult;

// Rows as CSV with the columns in reverse order (the CLI must select them by name).
std::string rows_csv(const std::vector<double>& x, std::size_t n, std::size_t d) {
  std::string s;
  for (std::size_t c = d; c-- > 0;) s += "f" + std::to_string(c) + (c == 0 ? "\n" : ",");
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t c = d; c-- > 0;) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", x[i * d + c]);
      s += std::string(buf) + (c == 0 ? "\n" : ",");
    }
  }
  return s;
}

struct CliCase {
  testing::ScratchDir dir;
  SvrModel model;
  std::vector<double> x, bg;
  std::size_t d = 4, n = 5, nb = 6;
};

void setup(CliCase& c) {
  const Context ctx = testing::shap_context();
  std::vector<double> xt, yt;
  testing::synthetic_svr_problem(201, 30, c.d, xt, yt);
  SvrSpec spec;
  spec.c = 10.0;
  c.model = svr_fit(ctx, xt, 30, c.d, yt, spec, {"f0", "f1", "f2", "f3"});
  save_svr_model(c.model, c.dir.file("m.h5"));
  c.x = testing::random_rows(41, c.n, c.d);
  c.bg = testing::random_rows(42, c.nb, c.d);
  testing::write_bytes(c.dir.file("x.csv"), rows_csv(c.x, c.n, c.d));
  testing::write_bytes(c.dir.file("b.csv"), rows_csv(c.bg, c.nb, c.d));
}

void expect_matches(const CsvTable& t, const ShapResult& r, bool with_se) {
  std::vector<std::string> header = r.player_sets.names;
  header.push_back("base_value");
  header.push_back("f_x");
  if (with_se) {
    for (const std::string& name : r.player_sets.names) header.push_back("se_" + name);
  }
  ASSERT_EQ(t.header, header);
  ASSERT_EQ(t.rows.size(), r.rows);
  for (std::size_t i = 0; i < r.rows; ++i) {
    for (std::size_t p = 0; p < r.players; ++p) {
      // %.17g round-trips doubles: the CLI computes the very same bytes.
      EXPECT_EQ(std::stod(t.rows[i][p]), r.values[i * r.players + p]) << "row " << i << ", " << p;
      if (with_se) {
        EXPECT_EQ(std::stod(t.rows[i][r.players + 2 + p]), r.std_errors[i * r.players + p])
            << "row " << i << ", se " << p;
      }
    }
    EXPECT_EQ(std::stod(t.rows[i][r.players]), r.base_value) << "row " << i;
    EXPECT_EQ(std::stod(t.rows[i][r.players + 1]), r.fx[i]) << "row " << i;
  }
}

TEST(ShapCli, ExactWithAGroupMatchesTheLibrary) {
  CliCase c;
  setup(c);
  const RunResult run = run_cli("--device cpu shap --model '" + c.dir.file("m.h5") + "' --data '" +
                                c.dir.file("x.csv") + "' --background '" + c.dir.file("b.csv") +
                                "' --group pair=f1,f3 -o '" + c.dir.file("s.csv") + "'");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  ShapOptions opt;
  opt.players.columns = {{0}, {1, 3}, {2}};
  opt.players.names = {"f0", "pair", "f2"};
  const ShapResult r = svr_shap(testing::shap_context(), c.model, c.x, c.n, c.bg, c.nb, opt);
  expect_matches(read_csv_file(c.dir.file("s.csv")), r, false);
}

TEST(ShapCli, KernelWithSeedWritesStandardErrors) {
  CliCase c;
  setup(c);
  const RunResult run =
      run_cli("--device cpu --seed 9 shap --model '" + c.dir.file("m.h5") + "' --data '" +
              c.dir.file("x.csv") + "' --background '" + c.dir.file("b.csv") +
              "' --method kernel --samples 16 -o '" + c.dir.file("s.csv") + "'");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  ShapOptions opt;
  opt.method = ShapMethod::kKernel;
  opt.samples = 16;
  opt.seed = 9;
  const ShapResult r = svr_shap(testing::shap_context(), c.model, c.x, c.n, c.bg, c.nb, opt);
  expect_matches(read_csv_file(c.dir.file("s.csv")), r, true);
}

TEST(ShapCli, BadOptionsFailClearly) {
  CliCase c;
  setup(c);
  const std::string base = "--device cpu shap --model '" + c.dir.file("m.h5") + "' --data '" +
                           c.dir.file("x.csv") + "' -o '" + c.dir.file("s.csv") + "'";
  const RunResult method = run_cli(base + " --method magic");
  EXPECT_NE(method.exit_code, 0);
  EXPECT_NE(method.output.find("magic"), std::string::npos) << method.output;
  const RunResult group = run_cli(base + " --group g=f1,nope");
  EXPECT_NE(group.exit_code, 0);
  EXPECT_NE(group.output.find("nope"), std::string::npos) << group.output;
}

}  // namespace
}  // namespace thermex
