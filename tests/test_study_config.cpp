// Study config (include/thermex/study_config.hpp): the bundled configs load, every error class
// names its dotted key, relative paths resolve against the config's directory, and to_toml()
// round-trips field by field and is stable.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "thermex/error.hpp"
#include "thermex/study_config.hpp"

namespace thermex {
namespace {

const std::string kSourceDir = THERMEX_SOURCE_DIR;

// The smallest valid config: one training dataset, everything else default.
constexpr std::string_view kMinimal = R"(
[[datasets]]
path = "db.csv"
)";

std::string with_minimal(std::string_view extra) {
  return std::string(kMinimal) + std::string(extra);
}

// Parses `text` and expects a ConfigError whose key is `key` (and whose message names it).
void expect_config_error(std::string_view text, const std::string& key) {
  try {
    (void)parse_study_config(text, "test.toml");
    ADD_FAILURE() << "no ConfigError for key " << key << " in:\n" << text;
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), key) << e.what();
    EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected ConfigError for " << key << ", got: " << e.what();
  }
}

void expect_same_gamma(const std::vector<SvrGamma>& a, const std::vector<SvrGamma>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].scale, b[i].scale) << "gamma[" << i << "]";
    if (!a[i].scale) {
      EXPECT_EQ(a[i].value, b[i].value) << "gamma[" << i << "]";
    }
  }
}

// Every field that to_toml() writes, compared exactly.
void expect_same(const StudyConfig& a, const StudyConfig& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.seed, b.seed);
  EXPECT_EQ(a.device, b.device);
  EXPECT_EQ(a.threads, b.threads);
  EXPECT_EQ(a.output, b.output);
  ASSERT_EQ(a.datasets.size(), b.datasets.size());
  for (std::size_t i = 0; i < a.datasets.size(); ++i) {
    EXPECT_EQ(a.datasets[i].path, b.datasets[i].path) << "datasets[" << i << "]";
    EXPECT_EQ(a.datasets[i].label, b.datasets[i].label) << "datasets[" << i << "]";
    EXPECT_EQ(a.datasets[i].train, b.datasets[i].train) << "datasets[" << i << "]";
  }
  EXPECT_EQ(a.features.oxidation, b.features.oxidation);
  EXPECT_EQ(a.features.missing, b.features.missing);
  EXPECT_EQ(a.features.numeric_default, b.features.numeric_default);
  EXPECT_EQ(a.features.categorical_default, b.features.categorical_default);
  EXPECT_EQ(a.features.missing_indicators, b.features.missing_indicators);
  EXPECT_EQ(a.features.targets, b.features.targets);
  ASSERT_EQ(a.targets.size(), b.targets.size());
  for (std::size_t i = 0; i < a.targets.size(); ++i) {
    EXPECT_EQ(a.targets[i].column, b.targets[i].column) << "targets[" << i << "]";
    EXPECT_EQ(a.targets[i].log10, b.targets[i].log10) << "targets[" << i << "]";
    EXPECT_EQ(a.targets[i].label, b.targets[i].label) << "targets[" << i << "]";
  }
  const SelectionOptions& sa = a.screening.options;
  const SelectionOptions& sb = b.screening.options;
  EXPECT_EQ(a.screening.enabled, b.screening.enabled);
  EXPECT_EQ(sa.spearman_threshold, sb.spearman_threshold);
  EXPECT_EQ(sa.features, sb.features);
  EXPECT_EQ(sa.priority, sb.priority);
  EXPECT_EQ(sa.compare_within_group, sb.compare_within_group);
  EXPECT_EQ(sa.null.shuffles, sb.null.shuffles);
  EXPECT_EQ(sa.null.quantile, sb.null.quantile);
  const ForestOptions& fa = sa.null.forest;
  const ForestOptions& fb = sb.null.forest;
  EXPECT_EQ(fa.n_trees, fb.n_trees);
  EXPECT_EQ(fa.max_depth, fb.max_depth);
  EXPECT_EQ(fa.min_leaf, fb.min_leaf);
  EXPECT_EQ(fa.max_bins, fb.max_bins);
  EXPECT_EQ(fa.bagging_fraction, fb.bagging_fraction);
  EXPECT_EQ(fa.bootstrap, fb.bootstrap);
  EXPECT_EQ(fa.feature_fraction_tree, fb.feature_fraction_tree);
  EXPECT_EQ(fa.feature_fraction_split, fb.feature_fraction_split);
  EXPECT_EQ(a.svr.base.tol, b.svr.base.tol);
  EXPECT_EQ(a.svr.base.standardize, b.svr.base.standardize);
  EXPECT_EQ(a.svr.base.max_iter, b.svr.base.max_iter);
  EXPECT_EQ(a.svr.base.shrinking, b.svr.base.shrinking);
  EXPECT_EQ(a.svr.base.warm_start_c, b.svr.base.warm_start_c);
  EXPECT_EQ(a.svr.base.kernel_budget_bytes, b.svr.base.kernel_budget_bytes);
  EXPECT_EQ(a.svr.folds, b.svr.folds);
  EXPECT_EQ(a.svr.test_fraction, b.svr.test_fraction);
  EXPECT_EQ(a.svr.grid.c, b.svr.grid.c);
  expect_same_gamma(a.svr.grid.gamma, b.svr.grid.gamma);
  EXPECT_EQ(a.svr.grid.epsilon, b.svr.grid.epsilon);
  EXPECT_EQ(a.shap.method, b.shap.method);
  EXPECT_EQ(a.shap.background, b.shap.background);
  EXPECT_EQ(a.shap.max_rows, b.shap.max_rows);
  EXPECT_EQ(a.shap.samples, b.shap.samples);
  EXPECT_EQ(a.shap.top_k, b.shap.top_k);
  EXPECT_EQ(a.bootstrap.replicas, b.bootstrap.replicas);
  EXPECT_EQ(a.bootstrap.shap_rows, b.bootstrap.shap_rows);
  EXPECT_EQ(a.bootstrap.screen_replicas, b.bootstrap.screen_replicas);
  EXPECT_EQ(a.bootstrap.screen_shuffles, b.bootstrap.screen_shuffles);
  EXPECT_EQ(a.bootstrap.ci, b.bootstrap.ci);
  ASSERT_EQ(a.sweeps.size(), b.sweeps.size());
  for (std::size_t i = 0; i < a.sweeps.size(); ++i) {
    const StudySweep& x = a.sweeps[i];
    const StudySweep& y = b.sweeps[i];
    EXPECT_EQ(x.name, y.name) << "sweeps[" << i << "]";
    EXPECT_EQ(x.elements, y.elements) << "sweeps[" << i << "]";
    EXPECT_EQ(x.step, y.step) << "sweeps[" << i << "]";
    EXPECT_EQ(x.li, y.li) << "sweeps[" << i << "]";
    EXPECT_EQ(x.fixed, y.fixed) << "sweeps[" << i << "]";
    EXPECT_EQ(x.levels, y.levels) << "sweeps[" << i << "]";
    EXPECT_EQ(x.chunk, y.chunk) << "sweeps[" << i << "]";
    EXPECT_EQ(x.neighbourhood, y.neighbourhood) << "sweeps[" << i << "]";
  }
  ASSERT_EQ(a.validation.size(), b.validation.size());
  for (std::size_t i = 0; i < a.validation.size(); ++i) {
    EXPECT_EQ(a.validation[i].name, b.validation[i].name) << "validation[" << i << "]";
    EXPECT_EQ(a.validation[i].sources, b.validation[i].sources) << "validation[" << i << "]";
    EXPECT_EQ(a.validation[i].record_ids, b.validation[i].record_ids) << "validation[" << i << "]";
    EXPECT_EQ(a.validation[i].x_column, b.validation[i].x_column) << "validation[" << i << "]";
  }
}

TEST(StudyConfig, PaperConfigLoads) {
  const StudyConfig c = load_study_config(kSourceDir + "/data/configs/paper.toml");
  ASSERT_EQ(c.datasets.size(), 2u);
  EXPECT_EQ(c.datasets[0].label, "synthetic");
  EXPECT_TRUE(c.datasets[0].train);
  EXPECT_EQ(c.datasets[1].label, "literature");
  EXPECT_FALSE(c.datasets[1].train);
  // Relative paths resolve against data/configs/, so they name the bundled files.
  EXPECT_TRUE(std::filesystem::exists(c.datasets[0].path)) << c.datasets[0].path;
  EXPECT_TRUE(std::filesystem::exists(c.datasets[1].path)) << c.datasets[1].path;
  EXPECT_EQ(std::filesystem::path(c.datasets[0].path).filename(), "synthetic_dsc.csv");
  ASSERT_EQ(c.targets.size(), 3u);
  EXPECT_EQ(c.targets[0].column, "onset_C");
  EXPECT_EQ(c.targets[1].column, "peak_C");
  EXPECT_EQ(c.targets[2].column, "max_heat_flow_W_per_g");
  EXPECT_TRUE(c.targets[2].log10);
  EXPECT_EQ(c.features.targets,
            (std::vector<std::string>{"onset_C", "peak_C", "max_heat_flow_W_per_g"}));
  EXPECT_EQ(c.screening.options.spearman_threshold, 0.8);
  EXPECT_EQ(c.screening.options.null.quantile, 0.25);
  EXPECT_EQ(c.screening.options.null.shuffles, 100);
  EXPECT_EQ(c.svr.folds, 5u);
  EXPECT_EQ(c.svr.test_fraction, 0.2);
  ASSERT_EQ(c.svr.grid.gamma.size(), 4u);
  EXPECT_TRUE(c.svr.grid.gamma[0].scale);
  EXPECT_EQ(c.svr.grid.gamma[1].value, 0.01);
  EXPECT_EQ(c.shap.method, ShapMethod::kExact);
  EXPECT_EQ(c.bootstrap.replicas, 200u);
  ASSERT_EQ(c.sweeps.size(), 2u);
  EXPECT_EQ(c.sweeps[0].name, "ncm_4.3V");
  EXPECT_EQ(c.sweeps[0].elements, (std::vector<std::string>{"Ni", "Co", "Mn"}));
  EXPECT_EQ(c.sweeps[0].fixed.at("cutoff_voltage_V"), 4.3);
  EXPECT_EQ(c.sweeps[0].levels.at("crucible"), "sealed");
  EXPECT_EQ(c.sweeps[1].elements.size(), 4u);
  EXPECT_EQ(c.sweeps[1].step, 0.05);
  ASSERT_EQ(c.validation.size(), 1u);
  EXPECT_EQ(c.validation[0].x_column, "ni");
  EXPECT_FALSE(c.source_text.empty());
  EXPECT_EQ(c.source_path, kSourceDir + "/data/configs/paper.toml");
}

TEST(StudyConfig, ExampleConfigLoads) {
  const StudyConfig c = load_study_config(kSourceDir + "/data/configs/example.toml");
  EXPECT_FALSE(c.datasets.empty());
  EXPECT_FALSE(c.targets.empty());
  EXPECT_TRUE(std::filesystem::exists(c.datasets[0].path)) << c.datasets[0].path;
}

// Omitted sections and keys take the paper's defaults (the struct initializers).
TEST(StudyConfig, Defaults) {
  const StudyConfig c = parse_study_config(kMinimal, "minimal.toml");
  const StudyConfig d;
  EXPECT_EQ(c.name, d.name);
  EXPECT_EQ(c.seed, 2025u);
  EXPECT_EQ(c.device, DeviceRequest::kAuto);
  EXPECT_EQ(c.output, "out/study.h5");
  ASSERT_EQ(c.datasets.size(), 1u);
  EXPECT_EQ(c.datasets[0].path, "db.csv");
  EXPECT_EQ(c.datasets[0].label, "db");  // the file stem
  EXPECT_TRUE(c.datasets[0].train);
  ASSERT_EQ(c.targets.size(), 3u);
  EXPECT_TRUE(c.targets[2].log10);
  EXPECT_EQ(c.svr.grid.c, (std::vector<double>{1, 10, 100, 1000}));
  EXPECT_EQ(c.svr.grid.epsilon, (std::vector<double>{0.01, 0.1}));
  EXPECT_TRUE(c.sweeps.empty());
  EXPECT_TRUE(c.validation.empty());
  // A default-constructed config and the minimal text agree everywhere but the dataset list
  // and features.targets, which the parser sets from [[targets]].
  StudyConfig e = d;
  e.datasets = c.datasets;
  e.features.targets = c.features.targets;
  expect_same(c, e);
}

TEST(StudyConfig, TargetLabelDefaultsToColumnLabel) {
  const StudyConfig c =
      parse_study_config(with_minimal("[[targets]]\ncolumn = \"total_heat_J_per_g\"\n"), "t.toml");
  ASSERT_EQ(c.targets.size(), 1u);
  EXPECT_EQ(c.targets[0].label, "total heat");
  EXPECT_FALSE(c.targets[0].log10);
  EXPECT_EQ(c.features.targets, (std::vector<std::string>{"total_heat_J_per_g"}));
}

TEST(StudyConfig, UnknownKeysNameTheDottedKey) {
  expect_config_error(with_minimal("[svr]\ngrd = 1\n"), "svr.grd");
  expect_config_error(with_minimal("[svr.grid]\nCC = [1]\n"), "svr.grid.CC");
  expect_config_error(with_minimal("[studyy]\n"), "studyy");
  expect_config_error(with_minimal("[study]\nsed = 1\n"), "study.sed");
  expect_config_error("[[datasets]]\npath = \"a\"\nfoo = 1\n", "datasets[0].foo");
  expect_config_error(with_minimal("[[sweeps]]\nname = \"s\"\nelements = [\"Ni\", \"Co\"]\n"
                                   "stepp = 0.1\n"),
                      "sweeps[0].stepp");
  expect_config_error(with_minimal("[[validation]]\nname = \"v\"\nsources = [\"x\"]\nxx = 1\n"),
                      "validation[0].xx");
  expect_config_error(with_minimal("[shap]\nmethodd = \"exact\"\n"), "shap.methodd");
  expect_config_error(with_minimal("[bootstrap]\nreplica = 2\n"), "bootstrap.replica");
  expect_config_error(with_minimal("[screening]\ntree = 2\n"), "screening.tree");
  expect_config_error(with_minimal("[features]\noxidations = \"charged\"\n"),
                      "features.oxidations");
}

TEST(StudyConfig, WrongTypesNameTheKey) {
  expect_config_error(with_minimal("[svr.grid]\nC = [1, 10, \"x\"]\n"), "svr.grid.C[2]");
  expect_config_error(with_minimal("[svr.grid]\ngamma = [\"scale\", true]\n"), "svr.grid.gamma[1]");
  expect_config_error(with_minimal("[svr.grid]\ngamma = [\"auto\"]\n"), "svr.grid.gamma[0]");
  expect_config_error(with_minimal("[svr.grid]\nepsilon = 0.1\n"), "svr.grid.epsilon");
  expect_config_error(with_minimal("[study]\nseed = \"2025\"\n"), "study.seed");
  expect_config_error(with_minimal("[study]\nthreads = 1.5\n"), "study.threads");
  expect_config_error(with_minimal("[screening]\nenabled = 1\n"), "screening.enabled");
  expect_config_error(with_minimal("[screening]\nfeatures = [\"ni\", 3]\n"),
                      "screening.features[1]");
  // Root keys must come before the first table header (TOML), so these lead the text.
  expect_config_error("svr = 3\n" + std::string(kMinimal), "svr");
  expect_config_error("sweeps = [1]\n" + std::string(kMinimal), "sweeps[0]");
  expect_config_error(with_minimal("[study]\ndevice = \"tpu\"\n"), "study.device");
  expect_config_error(with_minimal("[shap]\nmethod = \"magic\"\n"), "shap.method");
  expect_config_error(with_minimal("[features]\noxidation = \"neutral\"\n"), "features.oxidation");
  expect_config_error(with_minimal("[features]\nmissing = { crucible = \"median\" }\n"),
                      "features.missing.crucible");
  expect_config_error(with_minimal("[features]\nmissing = { colour = \"drop\" }\n"),
                      "features.missing.colour");
  expect_config_error(with_minimal("[features]\nmissing = { onset_C = \"median\" }\n"),
                      "features.missing.onset_C");
  expect_config_error(with_minimal("[features]\nnumeric_default = \"keep\"\n"),
                      "features.numeric_default");
  expect_config_error("datasets = 1\n", "datasets");
}

TEST(StudyConfig, OutOfRangeValuesNameTheKey) {
  const std::string sweep = "[[sweeps]]\nname = \"s\"\nelements = [\"Ni\", \"Co\", \"Mn\"]\n";
  expect_config_error(with_minimal(sweep + "step = -0.1\n"), "sweeps[0].step");
  expect_config_error(with_minimal(sweep + "step = 0.03\n"), "sweeps[0].step");
  expect_config_error(with_minimal(sweep + "li = 2\n"), "sweeps[0].li");
  expect_config_error(with_minimal(sweep + "li = 0\n"), "sweeps[0].li");
  expect_config_error(with_minimal(sweep + "chunk = 0\n"), "sweeps[0].chunk");
  expect_config_error(with_minimal(sweep + "fixed = { ni = 0.5 }\n"), "sweeps[0].fixed.ni");
  expect_config_error(with_minimal(sweep + "fixed = { cutoff_voltage_V = \"high\" }\n"),
                      "sweeps[0].fixed.cutoff_voltage_V");
  expect_config_error(with_minimal(sweep + "levels = { crucible = \"glass\" }\n"),
                      "sweeps[0].levels.crucible");
  expect_config_error(with_minimal(sweep + "levels = { colour = \"red\" }\n"),
                      "sweeps[0].levels.colour");
  expect_config_error(with_minimal("[[sweeps]]\nname = \"s\"\nelements = [\"Ni\", \"Xx\"]\n"),
                      "sweeps[0].elements[1]");
  expect_config_error(with_minimal("[[sweeps]]\nname = \"s\"\nelements = [\"Ni\", \"Li\"]\n"),
                      "sweeps[0].elements[1]");
  expect_config_error(with_minimal("[[sweeps]]\nname = \"s\"\nelements = [\"Ni\", \"ni\"]\n"),
                      "sweeps[0].elements[1]");
  expect_config_error(with_minimal("[[sweeps]]\nname = \"s\"\nelements = [\"Ni\", \"Ni\"]\n"),
                      "sweeps[0].elements[1]");
  expect_config_error(with_minimal("[[sweeps]]\nname = \"s\"\nelements = [\"Ni\"]\n"),
                      "sweeps[0].elements");
  expect_config_error(with_minimal(sweep + "\n" + sweep), "sweeps[1].name");
  expect_config_error(with_minimal("[[sweeps]]\nname = \"a/b\"\nelements = [\"Ni\", \"Co\"]\n"),
                      "sweeps[0].name");
  const std::string series = "[[validation]]\nname = \"v\"\nsources = [\"x\"]\n";
  expect_config_error(with_minimal(series + "\n" + series), "validation[1].name");
  expect_config_error(with_minimal("[[validation]]\nname = \"v\"\n"), "validation[0].sources");
  expect_config_error(with_minimal(series + "x_column = \"colour\"\n"), "validation[0].x_column");
  expect_config_error(with_minimal("[svr]\nfolds = 1\n"), "svr.folds");
  expect_config_error(with_minimal("[svr]\ntest_fraction = 1.0\n"), "svr.test_fraction");
  expect_config_error(with_minimal("[svr]\ntest_fraction = -0.1\n"), "svr.test_fraction");
  expect_config_error(with_minimal("[svr]\ntol = 0\n"), "svr.tol");
  expect_config_error(with_minimal("[svr.grid]\nC = [1, -1]\n"), "svr.grid.C[1]");
  expect_config_error(with_minimal("[svr.grid]\ngamma = [0]\n"), "svr.grid.gamma[0]");
  expect_config_error(with_minimal("[svr.grid]\nepsilon = []\n"), "svr.grid.epsilon");
  expect_config_error(with_minimal("[svr.grid]\nC = [nan]\n"), "svr.grid.C[0]");
  expect_config_error(with_minimal("[bootstrap]\nci = 1.0\n"), "bootstrap.ci");
  expect_config_error(with_minimal("[bootstrap]\nci = 0\n"), "bootstrap.ci");
  expect_config_error(with_minimal("[bootstrap]\nreplicas = -1\n"), "bootstrap.replicas");
  expect_config_error(with_minimal("[screening]\nspearman_threshold = 1.5\n"),
                      "screening.spearman_threshold");
  expect_config_error(with_minimal("[screening]\nquantile = -0.5\n"), "screening.quantile");
  expect_config_error(with_minimal("[screening]\nshuffles = 0\n"), "screening.shuffles");
  expect_config_error(with_minimal("[screening]\nmax_bins = 1000\n"), "screening.max_bins");
  expect_config_error(with_minimal("[screening]\nbagging_fraction = 0\n"),
                      "screening.bagging_fraction");
  expect_config_error(with_minimal("[study]\nthreads = -2\n"), "study.threads");
  expect_config_error(with_minimal("[study]\nseed = -1\n"), "study.seed");
  expect_config_error(with_minimal("[shap]\ntop_k = 0\n"), "shap.top_k");
  expect_config_error(with_minimal("[[targets]]\ncolumn = \"onset\"\n"), "targets[0].column");
  expect_config_error(
      with_minimal("[[targets]]\ncolumn = \"onset_C\"\n[[targets]]\ncolumn = \"onset_C\"\n"),
      "targets[1].column");
  expect_config_error(with_minimal("[[targets]]\ncolumn = \"log10_max_heat_flow\"\nlog10 = true\n"),
                      "targets[0].log10");
  expect_config_error("[study]\nname = \"x\"\n", "datasets");
  expect_config_error("[[datasets]]\npath = \"a\"\ntrain = false\n", "datasets");
  expect_config_error("[[datasets]]\npath = \"a\"\n[[datasets]]\npath = \"b/a\"\n",
                      "datasets[1].label");
}

// Accepted edge values: the boundaries that are inside the ranges.
TEST(StudyConfig, AcceptsBoundaryValues) {
  const StudyConfig c = parse_study_config(
      with_minimal("[svr]\ntest_fraction = 0\nfolds = 2\n[bootstrap]\nreplicas = 0\n"
                   "[[sweeps]]\nname = \"s\"\nelements = [\"Ni\", \"Co\", \"Mn\"]\n"
                   "step = 0.001\nfixed = { decoy_1 = 0, cutoff_voltage_V_missing = 0 }\n"),
      "edge.toml");
  EXPECT_EQ(c.svr.test_fraction, 0.0);
  EXPECT_EQ(c.svr.folds, 2u);
  ASSERT_EQ(c.sweeps.size(), 1u);
  EXPECT_EQ(c.sweeps[0].step, 0.001);
  EXPECT_EQ(c.sweeps[0].fixed.size(), 2u);
}

TEST(StudyConfig, SyntaxErrorIsInputErrorWithPosition) {
  try {
    (void)parse_study_config("[study]\nname = \"x\"\nseed = = 3\n", "broken.toml");
    ADD_FAILURE() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "broken.toml");
    EXPECT_EQ(e.line(), 3);
    EXPECT_FALSE(e.column().empty());
    EXPECT_FALSE(e.reason().empty());
  }
}

TEST(StudyConfig, MissingFileIsInputError) {
  EXPECT_THROW((void)load_study_config(kSourceDir + "/data/configs/does_not_exist.toml"),
               InputError);
}

TEST(StudyConfig, RelativePathsResolveAgainstTheConfigDirectory) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / "thermex_study_config_test" / "configs";
  std::filesystem::create_directories(dir);
  const std::filesystem::path file = dir / "c.toml";
  {
    std::ofstream out(file);
    out << "[study]\noutput = \"../results/s.h5\"\n"
           "[[datasets]]\npath = \"../db.csv\"\n"
           "[[datasets]]\npath = \"/abs/other.csv\"\nlabel = \"other\"\ntrain = false\n";
  }
  const StudyConfig c = load_study_config(file.string());
  EXPECT_EQ(c.datasets[0].path, (dir.parent_path() / "db.csv").string());
  EXPECT_EQ(c.datasets[1].path, "/abs/other.csv");
  EXPECT_EQ(c.output, (dir.parent_path() / "results" / "s.h5").string());
  // parse_study_config resolves against base_dir.
  const StudyConfig d = parse_study_config("[[datasets]]\npath = \"x.csv\"\n", "t", "some/dir");
  EXPECT_EQ(d.datasets[0].path, "some/dir/x.csv");
  EXPECT_EQ(d.output, "some/dir/out/study.h5");
  std::filesystem::remove_all(dir.parent_path());
}

TEST(StudyConfig, RoundTripPaper) {
  const StudyConfig c = load_study_config(kSourceDir + "/data/configs/paper.toml");
  const std::string text = to_toml(c);
  const StudyConfig back = parse_study_config(text, "canonical.toml");
  expect_same(c, back);
  EXPECT_EQ(to_toml(back), text);
}

// A config with every field away from its default, awkward strings and numbers that need all
// 17 digits.
TEST(StudyConfig, RoundTripNonDefault) {
  const std::string text = R"(
[study]
name = "quote \" backslash \\ tab \t unicode é"
seed = 9223372036854775807
device = "cuda"
threads = 3
output = "/tmp/x y/out.h5"
[[datasets]]
path = "/data/a.h5"
label = "a"
train = true
[[datasets]]
path = "/data/b.csv"
label = "b b"
train = false
[features]
oxidation = "pristine"
missing = { crucible = "drop", cutoff_voltage_V = "reject", decoy_2 = "mode", onset_C = "drop" }
numeric_default = "mode"
categorical_default = "reject"
missing_indicators = false
[[targets]]
column = "total_heat_J_per_g"
log10 = true
label = "Q"
[[targets]]
column = "log10_max_heat_flow"
[screening]
enabled = false
spearman_threshold = 0.30000000000000004
features = ["ni", "co"]
priority = ["co"]
compare_within_group = true
shuffles = 7
quantile = 0.1
trees = 9
max_depth = 3
min_leaf = 2
max_bins = 17
bagging_fraction = 0.5
bootstrap = true
feature_fraction_tree = 0.25
feature_fraction_split = 0.75
[svr]
tol = 1e-7
standardize = false
max_iter = 12345
shrinking = true
warm_start = true
kernel_budget_bytes = 1000000
folds = 3
test_fraction = 0.123456789012345678
[svr.grid]
C = [0.1, 3.3333333333333335]
gamma = [1e-5, "scale"]
epsilon = [0]
[shap]
method = "kernel"
background = 0
max_rows = 10
samples = 3
top_k = 2
[bootstrap]
replicas = 1000
shap_rows = 0
screen_replicas = 0
screen_shuffles = 4
ci = 0.9
[[sweeps]]
name = "q"
elements = ["Ni", "Co", "Mn", "Mg"]
step = 0.125
li = 1.2
fixed = { cutoff_voltage_V = 4.45, "li_charged" = 0.3 }
levels = { electrolyte_class = "none", crucible = "open" }
chunk = 7
neighbourhood = 0.2
[[validation]]
name = "v1"
record_ids = ["syn-000001", "syn-000002"]
x_column = "cutoff_voltage_V"
[[validation]]
name = "v2"
sources = ["s1", "s2"]
)";
  const StudyConfig c = parse_study_config(text, "nondefault.toml");
  EXPECT_EQ(c.seed, 9223372036854775807u);
  EXPECT_EQ(c.svr.grid.c[1], 10.0 / 3.0);
  const std::string canonical = to_toml(c);
  const StudyConfig back = parse_study_config(canonical, "canonical.toml");
  expect_same(c, back);
  EXPECT_EQ(to_toml(back), canonical);
}

}  // namespace
}  // namespace thermex
