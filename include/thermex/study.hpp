#pragma once
/// \file
/// The study driver: one call from DSC databases to the results file (data/RESULTS.md) through
/// the stages import -> featurize -> split -> screening -> svr -> metrics -> shap -> bootstrap
/// -> dynamics -> sweeps -> validation (data/STUDY.md documents the config).
///
/// Every stage writes a checkpoint `<results>.stages/NN-<stage>.h5` atomically, tagged with
/// `input_hash` = SHA-256 of the stage name, the canonical config sections it reads, its
/// upstream stages' hashes, the datasets' SHA-256, the seed, the resolved device and the thermex
/// version. A rerun loads a checkpoint whose hash matches instead of recomputing it (resume
/// after a kill; `force` recomputes). The results file is assembled from the checkpoints (HDF5
/// object copies) into a temporary file that is renamed into place, so a killed run never
/// leaves a partial results file.
///
/// Determinism: every random draw is keyed by (seed, purpose, logical id), so the datasets of the
/// results file are the same for any thread count, rank count and shard split.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "thermex/comm.hpp"
#include "thermex/context.hpp"
#include "thermex/progress.hpp"
#include "thermex/study_config.hpp"

namespace thermex {

/// Stage names in run order ("import", "featurize", ..., "validation").
std::span<const std::string_view> study_stage_names() noexcept;

/// How run_study runs (not part of the config, so not part of any stage hash).
struct StudyRunOptions {
  /// Results file; empty = config.output.
  std::string output;
  /// Recompute every stage even when its checkpoint matches.
  bool force = false;
  /// Progress display; null = none.
  Progress* progress = nullptr;
  /// Job-array member: the cheap stages run fully, the bootstrap replicas and sweep chunks only
  /// for block `shard.index` of `shard.count` (partition_block), and the output is the shard
  /// file shard_results_path(output, shard) for merge_study_shards. count 1 = a whole study.
  Shard shard;
  /// Ranks that share the replicas and sweep chunks (rank 0 writes files); null = one process.
  const Comm* comm = nullptr;
};

/// What one stage did.
struct StudyStageRecord {
  std::string name;        ///< study_stage_names() entry
  std::string input_hash;  ///< 64 hex characters
  double seconds = 0.0;    ///< wall time of computing or loading it
  bool reused = false;     ///< loaded from a matching checkpoint
  std::string checkpoint;  ///< checkpoint file path
};

/// What run_study / merge_study_shards produced.
struct StudyResult {
  std::string results_path;              ///< the results (or shard) file written
  std::vector<StudyStageRecord> stages;  ///< in run order
  std::size_t records = 0;               ///< rows of the feature table
  std::vector<std::string> rejected;     ///< "file:line: column 'c': reason" per rejected row
  double total_seconds = 0.0;            ///< wall time of the whole call
};

/// `<results>.stages`: the checkpoint directory of a results file.
std::string study_checkpoint_dir(const std::string& results_path);

/// `<stem>.shard-i-of-n.h5` next to `results_path` (i 0-based); results_path itself for n = 1.
std::string shard_results_path(const std::string& results_path, const Shard& shard);

/// Runs the study of `config` with ctx's seed, device and threads (the caller applies the
/// config's seed/device/threads or the command line's overrides when it builds ctx). Reads the
/// datasets, writes the checkpoints and the results file (or the shard file). Throws InputError
/// for unreadable or invalid datasets, ConfigError for config values that do not fit the data
/// (an unknown target column, a sweep element the models cannot use), Error otherwise; the
/// results file is then left as it was. Cost: dominated by the screening forests, the SVR grid
/// search, SHAP and the bootstrap refits (data/RESULTS.md lists typical timings).
StudyResult run_study(const Context& ctx, const StudyConfig& config,
                      const StudyRunOptions& options = {});

/// Merges the shard files of one study (every member of the job array of `config`, in any
/// order) into the results file `output`: checks that they come from the same canonical config
/// and seed and that together they cover each shard once, takes the cheap stages from the
/// first, gathers bootstrap replicas and sweep chunks in id order and runs the aggregation
/// (bootstrap statistics, dynamics, sweeps, validation), giving the same datasets as a single
/// run. Throws InputError naming a file that does not fit. Cost: the aggregation stages.
StudyResult merge_study_shards(const Context& ctx, const StudyConfig& config,
                               std::span<const std::string> shard_files, const std::string& output,
                               Progress* progress = nullptr);

}  // namespace thermex
