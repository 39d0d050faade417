// `thermex select` end to end: runs the built binary (THERMEX_CLI_PATH) on a featurized
// synthetic database and checks the text, the JSON, the HDF5 output against the library, and
// the exit code on a bad target.
#include <gtest/gtest.h>

#include "cli_test_support.hpp"

#include <cstdio>
#include <filesystem>
#include <string>

#include "thermex/features.hpp"
#include "thermex/selection.hpp"
#include "thermex/synth.hpp"

namespace thermex {
namespace {

namespace fs = std::filesystem;

using testing_support::run_cli;
using testing_support::RunResult;

class SelectionCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("thermex_select_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    features_ = featurize(synth::synthesize({.rows = 200, .seed = 4}));
    csv_ = (dir_ / "features.csv").string();
    write_features_csv(features_, csv_, (dir_ / "features.meta.csv").string());
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  FeatureResult features_;
  std::string csv_;
};

TEST_F(SelectionCli, WritesTheLibraryResult) {
  const std::string out = (dir_ / "sel.h5").string();
  const RunResult r = run_cli("--seed 3 --threads 2 select --data '" + csv_ +
                              "' --target onset_C --shuffles 8 --trees 10 -o '" + out + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  SelectionOptions o;
  o.null.shuffles = 8;
  o.null.forest.n_trees = 10;
  const Context ctx = Context::create({.device = DeviceRequest::kCpu, .seed = 3, .quiet = true});
  const Selection expected = select_features(ctx, features_.table, "onset_C", o);
  const std::string summary = "target onset_C: " + std::to_string(expected.rows) + " rows, " +
                              std::to_string(expected.candidates.size()) + " candidates";
  EXPECT_NE(r.output.find(summary), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("spearman: redundant with"), std::string::npos) << r.output;
  const H5File f = H5File::open_read_only(out);
  const Selection got = read_selection_h5(f, "/selection/onset_C");
  // The CSV holds shortest round-trip numbers, so the CLI sees the very same table.
  EXPECT_EQ(got.kept, expected.kept);
  EXPECT_EQ(got.null.actual, expected.null.actual);
  EXPECT_EQ(got.null.null, expected.null.null);
  EXPECT_EQ(got.spearman.rho, expected.spearman.rho);
}

TEST_F(SelectionCli, PrintsJsonAndRejectsAnUnknownTarget) {
  const RunResult r =
      run_cli("select --data '" + csv_ + "' --target peak_C --shuffles 3 --trees 5 --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.rfind(R"({"selections": [{"target": "peak_C")", 0), 0u) << r.output;
  EXPECT_NE(r.output.find(R"("reason": "spearman")"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(R"("importance": [)"), std::string::npos) << r.output;
  const RunResult bad = run_cli("select --data '" + csv_ + "' --target nope --shuffles 3");
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find("nope"), std::string::npos) << bad.output;
}

}  // namespace
}  // namespace thermex
