// `thermex merge CONFIG.toml SHARD.h5... -o results.h5`: combines the shard files of a
// `thermex study --shard i/n` job array into the results file a single run would write.
#include <fmt/format.h>

#include <memory>

#include "commands.hpp"
#include "thermex/study.hpp"

namespace thermex::cli {
namespace {

struct MergeCli {
  std::string config;
  std::vector<std::string> shards;
  std::string output;
};

}  // namespace

void add_merge_command(CLI::App& app, const GlobalOptions& global) {
  auto cli = std::make_shared<MergeCli>();
  auto* cmd = app.add_subcommand("merge", "merge the shard files of a study into one results file");
  cmd->add_option("config", cli->config, "the study config the shards ran")->required();
  cmd->add_option("shards", cli->shards, "shard files (<stem>.shard-i-of-n.h5), any order")
      ->required();
  cmd->add_option("-o,--output", cli->output, "results file to write")->required();
  cmd->callback([cli, &app, &global] {
    const StudyConfig config = load_study_config(cli->config);
    const Context ctx = study_context(config, app, global);
    Progress progress(detect_progress_mode(global.quiet));
    const StudyResult r = merge_study_shards(ctx, config, cli->shards, cli->output, &progress);
    for (const StudyStageRecord& s : r.stages) {
      fmt::print("{:<12} {:>10.2f}  {}\n", s.name, s.seconds,
                 s.reused ? "from shards" : "computed");
    }
    fmt::print("merge: {} shard files; results written to {} ({:.1f} s)\n", cli->shards.size(),
               r.results_path, r.total_seconds);
  });
}

}  // namespace thermex::cli
