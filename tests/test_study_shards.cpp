// `--shard i/n` + merge give the datasets of a single run; merge refuses mismatched shards.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "cli_test_support.hpp"
#include "test_study_support.hpp"
#include "thermex/error.hpp"

namespace thermex {
namespace {

using testing::TinyStudy;

Context cpu_context(std::uint64_t seed) {
  return Context::create(
      {.device = DeviceRequest::kCpu, .threads = 2, .seed = seed, .quiet = true});
}

TEST(StudyShards, TwoShardsMergeToTheSingleRun) {
  TinyStudy tiny;
  const StudyConfig config = tiny.config();
  const Context ctx = cpu_context(config.seed);
  run_study(ctx, config, testing::run_to(tiny.file("single.h5")));
  std::vector<std::string> shards;
  for (std::size_t i : {1u, 0u}) {  // any order
    const StudyResult r =
        run_study(ctx, config, testing::run_to(tiny.file("out.h5"), false, Shard{i, 2}));
    EXPECT_EQ(r.results_path, tiny.file(fmt::format("out.shard-{}-of-2.h5", i)));
    shards.push_back(r.results_path);
  }
  // A shard holds only its block: 2 of the 4 replicas' SHAP rows.
  const H5File s0 = H5File::open_read_only(shards[1]);
  EXPECT_EQ(s0.read_double_matrix("/bootstrap/onset_C/shap_mean_abs").rows, 2u);
  EXPECT_LT(s0.read_double_matrix("/sweeps/ncm/fractions").rows, 66u);
  merge_study_shards(ctx, config, shards, tiny.file("merged.h5"));
  testing::expect_same_datasets(tiny.file("single.h5"), tiny.file("merged.h5"));
}

TEST(StudyShards, MergeRefusesIncompleteOrForeignShards) {
  TinyStudy tiny;
  const StudyConfig config = tiny.config();
  const Context ctx = cpu_context(config.seed);
  const std::string s0 =
      run_study(ctx, config, testing::run_to(tiny.file("out.h5"), false, Shard{0, 2})).results_path;
  const std::vector<std::string> one{s0};
  EXPECT_THROW(merge_study_shards(ctx, config, one, tiny.file("m.h5")), InputError);
  const StudyConfig other = tiny.config("replicas = 4", "replicas = 6");
  EXPECT_THROW(merge_study_shards(ctx, other, one, tiny.file("m.h5")), InputError);
  EXPECT_THROW(merge_study_shards(cpu_context(99), config, one, tiny.file("m.h5")), InputError);
  EXPECT_FALSE(std::filesystem::exists(tiny.file("m.h5")));
}

TEST(StudyCli, StudyAndMergeCommands) {
  TinyStudy tiny;
  const std::string cfg = "'" + tiny.config_path() + "'";
  const std::string out = tiny.file("cli.h5");
  auto r = testing_support::run_cli("study " + cfg + " -o '" + out + "' --seed 5 --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("results written to"), std::string::npos) << r.output;
  {
    // --seed given on the command line overrides the config's seed 11.
    const H5File f = H5File::open_read_only(out);
    EXPECT_EQ(f.string_attribute("/provenance", "seed_text"), "5");
  }
  for (int i = 0; i < 2; ++i) {
    r = testing_support::run_cli(
        fmt::format("study {} -o '{}' --shard {}/2 --quiet", cfg, tiny.file("s.h5"), i));
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  r = testing_support::run_cli(fmt::format("merge {} '{}' '{}' -o '{}' --quiet", cfg,
                                           tiny.file("s.shard-0-of-2.h5"),
                                           tiny.file("s.shard-1-of-2.h5"), tiny.file("m.h5")));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // Without --seed both use the config's seed 11, which differs from cli.h5's seed 5.
  r = testing_support::run_cli("study " + cfg + " -o '" + tiny.file("s11.h5") + "' --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  testing::expect_same_datasets(tiny.file("s11.h5"), tiny.file("m.h5"));
  r = testing_support::run_cli("study " + cfg + " --shard 2/2 --quiet");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("--shard"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace thermex
