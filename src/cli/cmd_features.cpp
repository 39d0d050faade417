// `thermex features db.h5 -o features.csv [--oxidation charged|pristine] [--missing COL=POLICY]`:
// builds the model-ready feature table (data/FEATURES.md) from an HDF5 database, writes it with
// its metadata sidecar, and prints how missing values were handled.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "thermex/dsc_h5.hpp"
#include "thermex/error.hpp"
#include "thermex/features.hpp"

namespace thermex::cli {
namespace {

struct FeaturesCliOptions {
  std::string input;
  std::string output;
  std::string meta;
  std::string oxidation = "charged";
  std::vector<std::string> missing;
  std::vector<std::string> targets;
  bool no_indicators = false;
};

// features.csv -> features.meta.csv, next to the output.
std::string default_meta_path(const std::string& output) {
  std::filesystem::path p(output);
  p.replace_extension(".meta.csv");
  return p.string();
}

// Applies one `COL=POLICY` entry; `numeric=` and `categorical=` set the defaults.
void apply_missing_entry(const std::string& entry, FeatureOptions& options) {
  const auto eq = entry.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw ConfigError("--missing", "expected COLUMN=POLICY, got '" + entry + "'");
  }
  const std::string column = entry.substr(0, eq);
  const std::string text = entry.substr(eq + 1);
  const auto policy = parse_missing_policy(text);
  if (!policy) {
    throw ConfigError("--missing",
                      "unknown policy '" + text + "' (median, mode, drop, reject, keep)");
  }
  if (column == "numeric") {
    options.numeric_default = *policy;
  } else if (column == "categorical") {
    options.categorical_default = *policy;
  } else {
    options.missing[column] = *policy;
  }
}

FeatureOptions to_feature_options(const FeaturesCliOptions& cli) {
  FeatureOptions options;
  const auto oxidation = parse_oxidation_convention(cli.oxidation);
  if (!oxidation) {
    throw ConfigError("--oxidation", "expected charged or pristine, got '" + cli.oxidation + "'");
  }
  options.oxidation = *oxidation;
  for (const auto& entry : cli.missing) apply_missing_entry(entry, options);
  if (!cli.targets.empty()) options.targets = cli.targets;
  options.missing_indicators = !cli.no_indicators;
  return options;
}

void run_features(const FeaturesCliOptions& cli, bool quiet) {
  const FeatureOptions options = to_feature_options(cli);
  const LoadedDatabase loaded = read_database_h5(cli.input);
  const FeatureResult result = featurize(loaded.db, options);
  const std::string meta = cli.meta.empty() ? default_meta_path(cli.output) : cli.meta;
  write_features_csv(result, cli.output, meta);
  std::size_t targets = 0;
  for (const auto& m : result.table.metas()) targets += m.kind == ColumnKind::kTarget ? 1 : 0;
  fmt::print("features {} ({} records, oxidation {})\n", cli.input, loaded.db.records.size(),
             to_string(options.oxidation));
  fmt::print("  {} rows x {} features + {} targets written to {} (metadata {})\n",
             result.table.rows(), result.table.cols() - targets, targets, cli.output, meta);
  if (!quiet || !result.missing.dropped_record_ids.empty()) {
    fmt::print("{}", format_missing_report(result.missing));
  }
}

}  // namespace

void add_features_command(CLI::App& app, const GlobalOptions& global) {
  auto cli = std::make_shared<FeaturesCliOptions>();
  auto* cmd = app.add_subcommand(
      "features", "build the model-ready feature table (data/FEATURES.md) from a database");
  cmd->add_option("input", cli->input, "HDF5 database (thermex import / synth)")->required();
  cmd->add_option("-o,--output", cli->output, "feature CSV to write")->required();
  cmd->add_option("--meta", cli->meta,
                  "metadata CSV (name,label,unit,kind,group; default <output stem>.meta.csv)");
  cmd->add_option("--oxidation", cli->oxidation,
                  "oxidation states for radii and ionic potentials: charged | pristine")
      ->check(CLI::IsMember({"charged", "pristine"}));
  cmd->add_option("--missing", cli->missing,
                  "missing-value policy COLUMN=POLICY (median, mode, drop, reject, keep); "
                  "numeric=POLICY and categorical=POLICY set the defaults; repeatable");
  cmd->add_option("--targets", cli->targets,
                  "targets to include (default: onset_C peak_C max_heat_flow_W_per_g "
                  "log10_max_heat_flow total_heat_J_per_g)");
  cmd->add_flag("--no-indicators", cli->no_indicators,
                "do not add <column>_missing indicator columns for imputed values");
  cmd->callback([cli, &global] { run_features(*cli, global.quiet); });
}

}  // namespace thermex::cli
