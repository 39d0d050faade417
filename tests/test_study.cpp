// The study driver on a tiny config: the results layout, resume from checkpoints, determinism
// across thread counts, and failure atomicity.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "test_study_support.hpp"
#include "thermex/error.hpp"
#include "thermex/svr_model_h5.hpp"

namespace thermex {
namespace {

using testing::TinyStudy;

Context cpu_context(const StudyConfig& config, int threads) {
  return Context::create(
      {.device = DeviceRequest::kCpu, .threads = threads, .seed = config.seed, .quiet = true});
}

TEST(Study, TinyStudyWritesEveryGroup) {
  TinyStudy tiny;
  const StudyConfig config = tiny.config();
  const std::string out = tiny.file("out.h5");
  const StudyResult r = run_study(cpu_context(config, 1), config, testing::run_to(out));
  EXPECT_EQ(r.results_path, out);
  EXPECT_EQ(r.records, 120u);
  ASSERT_EQ(r.stages.size(), study_stage_names().size());
  const H5File f = H5File::open_read_only(out);
  for (const char* g : {"/provenance", "/data", "/features", "/import/synthetic", "/dynamics",
                        "/sweeps/ncm", "/validation/study29"}) {
    EXPECT_TRUE(f.is_group(g)) << g;
  }
  for (const StudyTarget& t : config.targets) {
    const std::string c = t.column;
    for (const std::string g : {"/selection/", "/models/", "/metrics/", "/shap/", "/bootstrap/"}) {
      EXPECT_TRUE(f.is_group(g + c)) << g << c;
    }
    EXPECT_EQ(f.dataset_length("/data/split_" + c), 120u) << c;
    const double r2 = f.double_attribute("/metrics/" + c + "/train", "r2");
    EXPECT_TRUE(std::isfinite(r2) && r2 > 0.0) << c << " train r2 " << r2;
    EXPECT_TRUE(std::isfinite(f.double_attribute("/metrics/" + c + "/test", "rmse"))) << c;
    EXPECT_EQ(f.dataset_length("/shap/" + c + "/record_id"), 30u) << c;  // max_rows
    EXPECT_EQ(f.read_double_matrix("/bootstrap/" + c + "/shap_mean_abs").rows, 4u) << c;
    EXPECT_TRUE(f.is_dataset("/bootstrap/" + c + "/survival_frequency")) << c;
    EXPECT_EQ(f.string_attribute("/metrics/" + c + "/parity/observed", "unit"),
              f.string_attribute("/features/" + c, "unit"))
        << c;
    // 4 refits: the sweep carries bootstrap statistics, the validation a band.
    EXPECT_TRUE(f.is_dataset("/sweeps/ncm/" + c + "/boot_p975")) << c;
    EXPECT_TRUE(f.is_dataset("/validation/study29/" + c + "/boot_high")) << c;
  }
  // Step 0.1 over three elements: C(12, 2) = 66 points.
  EXPECT_EQ(f.read_double_matrix("/sweeps/ncm/fractions").rows, 66u);
  EXPECT_EQ(f.read_strings("/dynamics/stage_names").size(), 3u);
  EXPECT_EQ(f.int64_attribute("/dynamics", "replicas"), 4);
  EXPECT_EQ(f.string_attribute("/provenance", "seed_text"), "11");
  EXPECT_EQ(f.string_attribute("/provenance", "config_sha256").size(), 64u);
  EXPECT_FALSE(f.string_attribute("/provenance", "git_commit").empty());
  const auto names = f.read_strings("/provenance/stage_names");
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(names[i], study_stage_names()[i]) << i;
  }
  for (const auto& [stage, reused] : testing::stage_reused(out)) EXPECT_EQ(reused, 0) << stage;
  // Side data for reloading stays in the checkpoints.
  EXPECT_FALSE(f.exists("/_import"));
}

TEST(Study, ResumeRecomputesOnlyTheMissingStage) {
  TinyStudy tiny;
  const StudyConfig config = tiny.config();
  const Context ctx = cpu_context(config, 2);
  const std::string out = tiny.file("out.h5"), first = tiny.file("first.h5");
  run_study(ctx, config, testing::run_to(out));
  std::filesystem::rename(out, first);
  // A "killed" run: the results file and the late sweeps checkpoint never got written.
  ASSERT_TRUE(std::filesystem::remove(study_checkpoint_dir(out) + "/10-sweeps.h5"));
  const StudyResult r = run_study(ctx, config, testing::run_to(out));
  for (const StudyStageRecord& s : r.stages) {
    EXPECT_EQ(s.reused, s.name != "sweeps") << s.name;
  }
  for (const auto& [stage, reused] : testing::stage_reused(out)) {
    EXPECT_EQ(reused, stage == "sweeps" ? 0 : 1) << stage;
  }
  testing::expect_same_datasets(first, out);

  // A changed sweep invalidates the sweeps only; --force recomputes everything.
  const StudyConfig changed = tiny.config("step = 0.1", "step = 0.25");
  for (const StudyStageRecord& s : run_study(ctx, changed, testing::run_to(out)).stages) {
    EXPECT_EQ(s.reused, s.name != "sweeps") << s.name;
  }
  for (const StudyStageRecord& s : run_study(ctx, config, testing::run_to(out, true)).stages) {
    EXPECT_FALSE(s.reused) << s.name;
  }
  testing::expect_same_datasets(first, out);
}

TEST(Study, ChangedSeedInvalidatesTheSeededStages) {
  TinyStudy tiny;
  const StudyConfig config = tiny.config();
  const std::string out = tiny.file("out.h5");
  run_study(cpu_context(config, 1), config, testing::run_to(out));
  const Context other =
      Context::create({.device = DeviceRequest::kCpu, .threads = 1, .seed = 12, .quiet = true});
  for (const StudyStageRecord& s : run_study(other, config, testing::run_to(out)).stages) {
    const bool unseeded = s.name == "import" || s.name == "featurize";
    EXPECT_EQ(s.reused, unseeded) << s.name;
  }
  // Threads, name and output are not inputs of any stage.
  const StudyConfig renamed =
      tiny.config("name = \"tiny test study\"\nseed = 11\ndevice = \"cpu\"\nthreads = 0",
                  "name = \"renamed\"\nseed = 11\ndevice = \"cpu\"\nthreads = 2");
  for (const StudyStageRecord& s : run_study(other, renamed, testing::run_to(out)).stages) {
    EXPECT_TRUE(s.reused) << s.name;
  }
}

TEST(Study, ThreadCountDoesNotChangeResults) {
  TinyStudy tiny;
  const StudyConfig config = tiny.config();
  run_study(cpu_context(config, 1), config, testing::run_to(tiny.file("t1.h5")));
  run_study(cpu_context(config, 2), config, testing::run_to(tiny.file("t2.h5")));
  testing::expect_same_datasets(tiny.file("t1.h5"), tiny.file("t2.h5"));
}

TEST(Study, TamperedCheckpointIsRecomputed) {
  TinyStudy tiny;
  const StudyConfig config = tiny.config();
  const Context ctx = cpu_context(config, 1);
  const std::string out = tiny.file("out.h5");
  run_study(ctx, config, testing::run_to(out));
  {
    H5File f = H5File::open_read_write(study_checkpoint_dir(out) + "/06-metrics.h5");
    f.set_attribute("/", "input_hash", "0000");
    f.close();
  }
  for (const StudyStageRecord& s : run_study(ctx, config, testing::run_to(out)).stages) {
    EXPECT_EQ(s.reused, s.name != "metrics") << s.name;
  }
}

TEST(Study, FailingStageLeavesNoResultsFile) {
  TinyStudy tiny;
  // A validation series that matches no record fails the featurize stage.
  const StudyConfig config = tiny.config("sources = [\"synthetic:thermex-synth/seed=0/study=29\"]",
                                         "sources = [\"nope\"]");
  const std::string out = tiny.file("out.h5");
  EXPECT_THROW(run_study(cpu_context(config, 1), config, testing::run_to(out)), ConfigError);
  EXPECT_FALSE(std::filesystem::exists(out));
  // The import before the failure is a complete checkpoint that the fixed config reuses.
  const StudyConfig fixed = tiny.config();
  for (const StudyStageRecord& s :
       run_study(cpu_context(fixed, 1), fixed, testing::run_to(out)).stages) {
    EXPECT_EQ(s.reused, s.name == "import") << s.name;
  }
  EXPECT_TRUE(std::filesystem::exists(out));
}

TEST(Study, UnknownTargetColumnIsAConfigError) {
  TinyStudy tiny;
  StudyConfig config = tiny.config();
  config.targets[1].column = "peak_K";  // past the loader's check: the driver checks again
  try {
    run_study(cpu_context(config, 1), config, testing::run_to(tiny.file("out.h5")));
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "targets[1].column") << e.what();
  }
}

TEST(Study, ModelGroupRoundTrip) {
  // The study stores its models with the group form of the model file writer.
  const Context ctx =
      Context::create({.device = DeviceRequest::kCpu, .threads = 1, .seed = 3, .quiet = true});
  std::vector<double> x, y;
  for (int i = 0; i < 40; ++i) {
    const double a = 0.1 * i, b = std::sin(0.3 * i);
    x.insert(x.end(), {a, b});
    y.push_back(2.0 + a * a + b);
  }
  SvrSpec spec;
  spec.log10_target = true;
  const SvrModel m = svr_fit(ctx, x, 40, 2, y, spec, {"a", "b"});
  testing::ScratchDir dir;
  {
    H5File f = H5File::create(dir.file("m.h5"));
    write_svr_model_h5(f, "/models/y", m);
    f.close();
  }
  const H5File f = H5File::open_read_only(dir.file("m.h5"));
  const SvrModel back = read_svr_model_h5(f, "/models/y");
  EXPECT_EQ(back.feature_names, m.feature_names);
  EXPECT_EQ(back.dual_coef, m.dual_coef);
  EXPECT_EQ(back.support_vectors, m.support_vectors);
  EXPECT_EQ(back.intercept, m.intercept);
  EXPECT_TRUE(back.spec.log10_target);
  const auto p0 = svr_predict(ctx, m, x, 40), p1 = svr_predict(ctx, back, x, 40);
  for (std::size_t i = 0; i < p0.size(); ++i) EXPECT_EQ(p0[i], p1[i]) << "row " << i;
  EXPECT_THROW(read_svr_model_h5(f, "/models/none"), InputError);
}

}  // namespace
}  // namespace thermex
