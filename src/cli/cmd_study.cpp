// `thermex study CONFIG.toml [-o results.h5] [--force] [--shard i/n]` runs the whole study
// (include/thermex/study.hpp). The global --device, --threads and --seed override the config's
// values only when they appear on the command line (CLI11 counts them), so the defaults shown by
// --help never silently replace a config value. --quiet (global) turns the progress display off.
#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "commands.hpp"
#include "thermex/comm.hpp"
#include "thermex/error.hpp"
#include "thermex/study.hpp"

namespace thermex::cli {
namespace {

// Rejected rows listed before "... N more" (as `thermex import`).
constexpr std::size_t kListed = 15;

struct StudyCli {
  std::string config;
  std::string output;
  std::string shard;
  bool force = false;
};

void print_summary(const StudyResult& r, bool quiet) {
  const std::size_t shown = std::min(r.rejected.size(), kListed);
  if (shown > 0) fmt::print("rejected rows ({}):\n", r.rejected.size());
  for (std::size_t i = 0; i < shown; ++i) fmt::print("  {}\n", r.rejected[i]);
  if (r.rejected.size() > shown) fmt::print("  ... {} more\n", r.rejected.size() - shown);
  if (!quiet) {  // --quiet: the rejects and the one result line only
    fmt::print("{:<12} {:>10}  {}\n", "stage", "seconds", "");
    for (const StudyStageRecord& s : r.stages) {
      fmt::print("{:<12} {:>10.2f}  {}\n", s.name, s.seconds, s.reused ? "reused" : "computed");
    }
  }
  fmt::print("study: {} records; results written to {} ({:.1f} s)\n", r.records, r.results_path,
             r.total_seconds);
}

void run_study_command(const StudyCli& cli, const CLI::App& app, const GlobalOptions& global) {
  const StudyConfig config = load_study_config(cli.config);
  const std::unique_ptr<Comm> comm = make_default_comm();
  const Context ctx = study_context(config, app, global, comm->size() > 1 ? local_rank() : 0);
  StudyRunOptions options;
  options.output = cli.output;
  options.force = cli.force;
  if (!cli.shard.empty()) options.shard = parse_shard(cli.shard);
  options.comm = comm.get();
  const bool root = comm->rank() == 0;
  Progress progress(root ? detect_progress_mode(global.quiet) : ProgressMode::kSilent);
  options.progress = &progress;
  const StudyResult result = run_study(ctx, config, options);
  if (root) print_summary(result, global.quiet);
}

}  // namespace

Context study_context(const StudyConfig& config, const CLI::App& app, const GlobalOptions& global,
                      int local_rank) {
  const auto given = [&app](const char* name) { return app.get_option(name)->count() > 0; };
  // One GPU per rank: the ranks of a node take its devices in turn.
  const int devices = cuda_device_count();
  return Context::create(
      {.device = given("--device") ? parse_device_request(global.device) : config.device,
       .threads = given("--threads") ? global.threads : config.threads,
       .seed = given("--seed") ? global.seed : config.seed,
       .cuda_device = devices > 0 ? local_rank % devices : 0,
       .quiet = global.quiet});
}

void add_study_command(CLI::App& app, const GlobalOptions& global) {
  auto cli = std::make_shared<StudyCli>();
  auto* cmd = app.add_subcommand(
      "study", "run the whole study of a config (data/STUDY.md) into one results file");
  cmd->add_option("config", cli->config, "study config (TOML)")->required();
  cmd->add_option("-o,--output", cli->output, "results file (default: the config's output)");
  cmd->add_flag("--force", cli->force, "recompute every stage, ignoring checkpoints");
  cmd->add_option("--shard", cli->shard,
                  "i/n: run block i (0-based) of n of the bootstrap replicas and sweep chunks "
                  "into <results stem>.shard-i-of-n.h5, for `thermex merge`");
  cmd->callback([cli, &app, &global] { run_study_command(*cli, app, global); });
}

}  // namespace thermex::cli
