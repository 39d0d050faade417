// run_study: computes or reuses each stage in order, then assembles the results file.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <map>

#include "study_results.hpp"
#include "study_stages.hpp"
#include "thermex/atomic_file.hpp"
#include "thermex/error.hpp"
#include "thermex/sha256.hpp"
#include "thermex/study.hpp"

namespace thermex {
namespace study {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

bool try_load(const StageDef& def, StudyState& s, const std::string& path) {
  try {
    const H5File in = H5File::open_read_only(path);
    def.load(s, in);
    return true;
  } catch (const Error& e) {
    // A checkpoint with the right hash that does not load (a side file replaced, a layout from
    // another build) is recomputed rather than trusted.
    if (s.progress != nullptr) {
      s.progress->message(
          fmt::format("[{}] checkpoint not reusable ({}): recomputing", def.name, e.what()));
    }
    return false;
  }
}

// Computes a stage. Rank 0 commits the checkpoint; other ranks compute into a scratch file that
// is discarded (their collectives must still run, and the stage code always writes).
void compute_stage(const StageDef& def, StudyState& s, const std::string& path,
                   const std::string& hash) {
  const int rank = s.comm != nullptr ? s.comm->rank() : 0;
  if (rank == 0) {
    write_checkpoint(path, def.name, hash, [&](H5File& f) { def.compute(s, f); });
    return;
  }
  AtomicFile scratch(path + fmt::format(".rank-{}", rank));
  H5File f = H5File::create(scratch.path());
  def.compute(s, f);
  f.close();
}

StudyStageRecord run_stage(const StageDef& def, std::size_t index, StudyState& s,
                           const std::map<std::string, std::string, std::less<>>& sections,
                           const std::vector<std::string>& dataset_sha256,
                           const std::map<std::string, std::string, std::less<>>& hashes,
                           bool force) {
  StageInputs inputs;
  inputs.stage = def.name;
  inputs.sections = def.sections;
  inputs.extra = stage_extra(def, s);
  for (std::string_view up : def.upstream)
    inputs.upstream_hashes.push_back(hashes.find(up)->second);
  StudyStageRecord record;
  record.name = std::string(def.name);
  record.input_hash = stage_input_hash(inputs, sections, dataset_sha256);
  record.checkpoint =
      s.checkpoint_dir + "/" + checkpoint_name(index, def.name, s.shard, def.sharded);
  const auto start = Clock::now();
  // Rank 0 decides whether the checkpoint is reused, so every rank takes the same path.
  const bool single = s.comm == nullptr || s.comm->size() == 1;
  bool reuse = !force && checkpoint_matches(record.checkpoint, def.name, record.input_hash);
  if (!single) reuse = s.comm->broadcast(reuse ? "1" : "0") == "1";
  if (reuse) reuse = try_load(def, s, record.checkpoint);
  if (!single) reuse = !s.comm->any(!reuse);
  if (!reuse) compute_stage(def, s, record.checkpoint, record.input_hash);
  if (!single) s.comm->barrier();
  record.reused = reuse;
  record.seconds = seconds_since(start);
  if (s.progress != nullptr) {
    s.progress->message(fmt::format("[{}] {} in {:.2f} s", def.name,
                                    reuse ? "reused checkpoint" : "computed", record.seconds));
  }
  return record;
}

}  // namespace
}  // namespace study

std::string study_checkpoint_dir(const std::string& results_path) {
  return results_path + ".stages";
}

std::string shard_results_path(const std::string& results_path, const Shard& shard) {
  if (shard.count <= 1) return results_path;
  std::filesystem::path p(results_path);
  const std::string ext = p.extension().string();
  p.replace_extension();
  return p.string() + fmt::format(".shard-{}-of-{}", shard.index, shard.count) + ext;
}

StudyResult run_study(const Context& ctx, const StudyConfig& config,
                      const StudyRunOptions& options) {
  const auto start = study::Clock::now();
  if (config.targets.empty()) throw ConfigError("targets", "at least one target is needed");
  if (config.datasets.empty()) throw ConfigError("datasets", "at least one dataset is needed");
  const std::string results = options.output.empty() ? config.output : options.output;
  const std::string out_path = shard_results_path(results, options.shard);
  study::StudyState s;
  s.ctx = &ctx;
  s.config = &config;
  s.progress = options.progress;
  s.shard = options.shard;
  s.comm = options.comm;
  s.checkpoint_dir = study_checkpoint_dir(out_path);
  std::filesystem::create_directories(s.checkpoint_dir);

  std::vector<std::string> dataset_sha256;
  for (const StudyDataset& d : config.datasets) dataset_sha256.push_back(sha256_file(d.path));
  const auto sections = study::config_sections(config);
  std::map<std::string, std::string, std::less<>> hashes;
  StudyResult result;
  const auto stages = study::stage_table();
  for (std::size_t i = 0; i < stages.size(); ++i) {
    result.stages.push_back(
        study::run_stage(stages[i], i, s, sections, dataset_sha256, hashes, options.force));
    hashes.emplace(std::string(stages[i].name), result.stages.back().input_hash);
  }
  result.records = s.features.rows();
  for (const study::DatasetInfo& d : s.datasets) {
    for (const RejectedRow& r : d.rejected) {
      result.rejected.emplace_back(InputError(d.path, r.line, r.column, r.reason).what());
    }
  }
  result.total_seconds = study::seconds_since(start);
  result.results_path = out_path;
  if (s.comm == nullptr || s.comm->rank() == 0) {
    study::assemble_results(s, result, dataset_sha256, out_path);
  }
  if (s.comm != nullptr) s.comm->barrier();
  return result;
}

}  // namespace thermex
