#pragma once
// Subcommands of the thermex CLI. Each cmd_<name>.cpp defines one add_<name>_command that
// registers its options and callback; main.cpp lists them.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "thermex/context.hpp"
#include "thermex/study_config.hpp"

namespace thermex::cli {

/// Options every subcommand accepts (given before or after the subcommand name).
struct GlobalOptions {
  std::string device = "auto";
  int threads = 0;
  std::uint64_t seed = 0;
  bool quiet = false;
  /// The Context these options describe (resolves --device once).
  Context make_context() const;
};

void add_version_command(CLI::App& app, const GlobalOptions& global);
void add_import_command(CLI::App& app, const GlobalOptions& global);
void add_features_command(CLI::App& app, const GlobalOptions& global);
void add_synth_command(CLI::App& app, const GlobalOptions& global);
void add_summary_command(CLI::App& app, const GlobalOptions& global);
void add_select_command(CLI::App& app, const GlobalOptions& global);
void add_svr_command(CLI::App& app, const GlobalOptions& global);
void add_shap_command(CLI::App& app, const GlobalOptions& global);
void add_study_command(CLI::App& app, const GlobalOptions& global);
void add_merge_command(CLI::App& app, const GlobalOptions& global);

/// The Context of a study: the config's device, threads and seed, each replaced by the global
/// option of `app` when that option was given on the command line. `local_rank` (the process's
/// rank on its node) picks the CUDA device: local_rank mod the devices present.
Context study_context(const StudyConfig& config, const CLI::App& app, const GlobalOptions& global,
                      int local_rank = 0);

}  // namespace thermex::cli
