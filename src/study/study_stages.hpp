#pragma once
// The study's stage table (study_stages.cpp) and the runner that computes or reuses a stage.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "study_internal.hpp"

namespace thermex::study {

/// One stage of the study.
struct StageDef {
  std::string_view name;
  std::vector<std::string> sections;       ///< config sections it reads
  std::vector<std::string_view> upstream;  ///< stages whose results it reads
  bool seeded = false;                     ///< draws random numbers (seed in the hash)
  bool device = false;                     ///< runs on ctx.device() (device in the hash)
  bool sharded = false;                    ///< computes only the shard's block of items
  void (*compute)(StudyState&, H5File&) = nullptr;
  void (*load)(StudyState&, const H5File&) = nullptr;
};

/// The stages in run order (names as study_stage_names()).
std::span<const StageDef> stage_table() noexcept;

/// The non-config inputs of a stage's hash: seed, device, shard, single keys it reads.
std::string stage_extra(const StageDef& def, const StudyState& s);

/// "NN-<stage>.h5", or "NN-<stage>.shard-i-of-n.h5" for a sharded stage of a shard run.
std::string checkpoint_name(std::size_t index, std::string_view stage, const Shard& shard,
                            bool sharded);

}  // namespace thermex::study
