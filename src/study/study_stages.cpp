// The stage table of the study: names, the config sections each stage reads, its upstream
// stages, and its compute/load functions. The input hash of a stage covers exactly these, so a
// changed sweep never invalidates the screening, and a changed SVR grid never the split.
#include "study_stages.hpp"

#include <fmt/format.h>

#include <array>

namespace thermex::study {
namespace {

const std::array<StageDef, 11> kStages = {{
    {"import", {"datasets"}, {}, false, false, false, compute_import, load_import},
    {"featurize",
     {"datasets", "features", "targets", "validation"},
     {"import"},
     false,
     false,
     false,
     compute_featurize,
     load_featurize},
    {"split", {}, {"featurize"}, true, false, false, compute_split, load_split},
    {"screening", {"screening"}, {"split"}, true, false, false, compute_screening, load_screening},
    {"svr", {"svr"}, {"screening"}, true, true, false, compute_svr, load_svr},
    {"metrics", {}, {"svr"}, true, true, false, compute_metrics, load_metrics},
    {"shap", {"shap"}, {"svr"}, true, true, false, compute_shap, load_shap},
    {"bootstrap",
     {"bootstrap", "screening", "shap"},
     {"svr", "shap"},
     true,
     true,
     true,
     compute_bootstrap,
     load_bootstrap},
    {"dynamics",
     {"shap"},
     {"shap", "bootstrap"},
     true,
     true,
     false,
     compute_dynamics,
     load_dynamics},
    {"sweeps",
     {"sweeps", "bootstrap"},
     {"featurize", "svr", "bootstrap"},
     true,
     true,
     true,
     compute_sweeps,
     load_sweeps},
    {"validation",
     {"validation"},
     {"featurize", "svr", "bootstrap"},
     true,
     true,
     false,
     compute_validation,
     load_validation},
}};

const std::array<std::string_view, 11> kNames = {"import",   "featurize", "split",     "screening",
                                                 "svr",      "metrics",   "shap",      "bootstrap",
                                                 "dynamics", "sweeps",    "validation"};

}  // namespace

std::span<const StageDef> stage_table() noexcept { return kStages; }

std::string stage_extra(const StageDef& def, const StudyState& s) {
  std::string extra;
  if (def.name == "split") {
    // The split reads one key of [svr]; hashing the whole section would redo the screening
    // whenever the SVR grid changes.
    extra += fmt::format("test_fraction={:.17g};", s.config->svr.test_fraction);
  }
  if (def.seeded) extra += fmt::format("seed={};", s.ctx->seed());
  if (def.device) extra += fmt::format("device={};", to_string(s.ctx->device()));
  if (def.sharded && s.shard.count > 1) extra += fmt::format("shard={};", to_string(s.shard));
  return extra;
}

std::string checkpoint_name(std::size_t index, std::string_view stage, const Shard& shard,
                            bool sharded) {
  if (sharded && shard.count > 1) {
    return fmt::format("{:02}-{}.shard-{}-of-{}.h5", index + 1, stage, shard.index, shard.count);
  }
  return fmt::format("{:02}-{}.h5", index + 1, stage);
}

}  // namespace thermex::study

namespace thermex {

std::span<const std::string_view> study_stage_names() noexcept { return study::kNames; }

}  // namespace thermex
