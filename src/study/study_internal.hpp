#pragma once
// Shared state and helpers of the study driver (src/study/*.cpp). Each stage has a compute
// function that fills its part of StudyState and writes its checkpoint groups, and a load
// function that fills the same part from a checkpoint written earlier; later stages read only
// StudyState, so computing and loading a stage are interchangeable.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "thermex/background.hpp"
#include "thermex/comm.hpp"
#include "thermex/context.hpp"
#include "thermex/dsc_record.hpp"
#include "thermex/h5.hpp"
#include "thermex/progress.hpp"
#include "thermex/selection.hpp"
#include "thermex/shap.hpp"
#include "thermex/study_config.hpp"
#include "thermex/svr.hpp"
#include "thermex/svr_cv.hpp"
#include "thermex/sweep.hpp"
#include "thermex/table.hpp"

namespace thermex::study {

/// Split codes of /data/split_<target>.
enum SplitCode : std::int64_t {
  kUnused = -1,     ///< target missing, or the row is not modelled
  kTrain = 0,       ///< training row
  kTest = 1,        ///< held-out test row of the seeded split
  kValidation = 2,  ///< held out by a validation series
  kOther = 3,       ///< row of a dataset with train = false (e.g. literature for reporting)
};

/// Names of the split codes 0..3 as stored in the results ("train", "test", ...).
std::string_view split_name(std::int64_t code);

/// One dataset as read by the import stage.
struct DatasetInfo {
  std::string label;
  std::string path;
  std::string sha256;
  bool train = true;
  std::int64_t rows_read = 0;
  std::int64_t accepted = 0;
  std::vector<RejectedRow> rejected;
};

/// Everything the stages pass on, filled by compute or load.
struct StudyState {
  const Context* ctx = nullptr;
  const StudyConfig* config = nullptr;
  Progress* progress = nullptr;
  Shard shard;
  const Comm* comm = nullptr;
  std::string checkpoint_dir;  ///< where stages keep side files (the imported database)

  // import
  std::vector<DatasetInfo> datasets;
  DscDatabase db;                            ///< all datasets' records, in dataset order
  std::vector<std::int64_t> record_dataset;  ///< dataset index of each db record

  // featurize (one entry per feature-table row)
  Table features;
  std::vector<std::string> record_ids;
  std::vector<std::int64_t> row_dataset;
  std::vector<std::string> row_series;  ///< validation series holding the row out ("" none)

  // split: [target][row] SplitCode
  std::vector<std::vector<std::int64_t>> split;

  // screening: [target]
  std::vector<Selection> selections;
  std::vector<std::vector<std::string>> kept;

  // svr: [target]
  std::vector<SvrModel> models;

  // shap: [target]
  std::vector<ShapResult> shap;
  std::vector<WeightedBackground> backgrounds;      ///< the weighted k-means background
  std::vector<std::vector<std::size_t>> explained;  ///< feature-table rows explained

  // bootstrap: [target] replicas x players mean |SHAP| (player names of shap[t]) of every
  // replica (empty in a shard run, which holds only its block, and when disabled)
  std::vector<std::vector<double>> boot_shap_mean_abs;
  std::size_t boot_replicas = 0;                   ///< rows of boot_shap_mean_abs (0: none)
  std::vector<std::vector<SvrModel>> boot_models;  ///< [target] every replica's refit
};

/// Items [range.begin, range.end) of a list of n work items, in id order.
struct BlockItems {
  ItemRange range;
  std::vector<std::vector<double>> items;
};

/// Computes this process's items of n: the shard's block (partition_block(n, shard.count,
/// shard.index); all n when `sharded` is false), split again over the ranks of s.comm, each
/// rank calling `fn(first, count)` on sub-blocks of at most `step` ids (for progress), then
/// gathered in id order on every rank. `fn` returns one vector per id.
BlockItems compute_block(
    const StudyState& s, std::size_t n, bool sharded, std::size_t step,
    const std::function<std::vector<std::vector<double>>(std::size_t, std::size_t)>& fn);

/// An SVR refit as doubles (what prediction needs: scaler, support vectors, coefficients,
/// intercept, gamma) and back; `like` supplies the spec, feature names and provenance.
std::vector<double> pack_model(const SvrModel& m);
SvrModel unpack_model(std::span<const double> packed, const SvrModel& like);

/// Short alias used in messages and group names: the target's column.
inline const std::string& target_name(const StudyState& s, std::size_t t) {
  return s.config->targets[t].column;
}

/// Rows of target `t` whose split code is `code`, ascending.
std::vector<std::size_t> rows_with_code(const StudyState& s, std::size_t t, std::int64_t code);

/// The feature table as screening sees target `t`: a copy of s.features whose target column is
/// in the units the SVR is fitted in (log10 for a log10 target; non-positive values become NaN
/// and are left out like missing ones). Spearman ranks do not change, but the null-importance
/// forests' squared-error gains do: screening and model then judge features on one scale.
Table screening_table(const StudyState& s, std::size_t t);

/// Row-major n x d matrix of the named columns of `table` at `rows`.
std::vector<double> row_major(const Table& table, std::span<const std::size_t> rows,
                              std::span<const std::string> columns);

/// Values of column `column` at `rows`.
std::vector<double> column_at(const Table& table, std::span<const std::size_t> rows,
                              std::string_view column);

/// Sets the `unit` and `label` attributes every results dataset carries.
void describe(H5File& file, std::string_view path, std::string_view unit, std::string_view label);

/// Writes a 1-D dataset with its unit and label.
void write_doc_doubles(H5File& file, std::string_view path, std::span<const double> values,
                       std::string_view unit, std::string_view label);
void write_doc_int64s(H5File& file, std::string_view path, std::span<const std::int64_t> values,
                      std::string_view unit, std::string_view label);
void write_doc_strings(H5File& file, std::string_view path, std::span<const std::string> values,
                       std::string_view label);
void write_doc_matrix(H5File& file, std::string_view path, std::size_t rows, std::size_t cols,
                      std::span<const double> values, std::string_view unit,
                      std::string_view label);

/// `count` of the `n` ids 0..n-1, drawn without replacement by a partial Fisher-Yates shuffle
/// of PhiloxStream(seed, kBackground, id), returned ascending; all of them when count >= n.
std::vector<std::size_t> sample_ids(std::size_t n, std::size_t count, std::uint64_t seed,
                                    std::uint64_t id);

/// The SHAP players of target t's kept features (one-hot groups are one player).
ShapPlayers study_players(const StudyState& s, std::size_t t);

/// Starts a progress task when a display is attached.
void progress_begin(const StudyState& s, std::string task, std::size_t total);
void progress_add(const StudyState& s, std::size_t items = 1);
void progress_end(const StudyState& s);

// Stage bodies (study_data.cpp, study_model.cpp, study_explain.cpp, ...).
void compute_import(StudyState& s, H5File& out);
void load_import(StudyState& s, const H5File& in);
void compute_featurize(StudyState& s, H5File& out);
void load_featurize(StudyState& s, const H5File& in);
void compute_split(StudyState& s, H5File& out);
void load_split(StudyState& s, const H5File& in);
void compute_screening(StudyState& s, H5File& out);
void load_screening(StudyState& s, const H5File& in);
void compute_svr(StudyState& s, H5File& out);
void load_svr(StudyState& s, const H5File& in);
void compute_metrics(StudyState& s, H5File& out);
void load_metrics(StudyState& s, const H5File& in);
void compute_shap(StudyState& s, H5File& out);
void load_shap(StudyState& s, const H5File& in);
void compute_bootstrap(StudyState& s, H5File& out);
void load_bootstrap(StudyState& s, const H5File& in);
void compute_dynamics(StudyState& s, H5File& out);
void load_dynamics(StudyState& s, const H5File& in);
void compute_sweeps(StudyState& s, H5File& out);
void load_sweeps(StudyState& s, const H5File& in);
void compute_validation(StudyState& s, H5File& out);
void load_validation(StudyState& s, const H5File& in);

/// Training medians of every numeric feature column (the values sweeps give unfixed features).
std::map<std::string, double, std::less<>> training_medians(const StudyState& s);

/// The plan of one configured sweep over the targets' model sets (the config's oxidation
/// convention and bootstrap interval).
SweepPlan study_sweep_plan(const StudyState& s, const StudySweep& sweep,
                           std::span<const SweepModelSet> sets,
                           const std::map<std::string, double, std::less<>>& defaults);

/// Sets plan.domain_lo/hi to the range of each sweep element's TM-site fraction over the
/// training pool's records (the sweep's optimum is searched there; SweepPlan).
void set_training_domain(const StudyState& s, SweepPlan& plan);

/// The sweep model sets of every target (point model, bootstrap refits, label, unit).
std::vector<SweepModelSet> sweep_model_sets(const StudyState& s);

/// Writes the bootstrap SHAP datasets of target group `g`: the replicas' mean |SHAP| rows
/// (first .. first + rows - 1), and their summary at level `ci` when the rows are all `total`.
void write_bootstrap_shap(H5File& out, const std::string& g, std::span<const std::string> ids,
                          std::span<const std::string> players, std::span<const double> mean_abs,
                          std::size_t first, std::size_t total, double ci);

/// Writes the screening survival datasets of target group `g` (counts over `replicas`).
void write_survival(H5File& out, const std::string& g, std::span<const std::string> candidates,
                    std::span<const std::int64_t> kept, std::size_t first, std::size_t replicas);

// Hashing (study_hash.cpp).

/// Top-level sections of the canonical TOML (to_toml): "" holds the keys before the first
/// table header; "[a.b]" and "[[a]]" headers belong to section "a".
std::map<std::string, std::string, std::less<>> config_sections(const StudyConfig& config);

/// What a stage's input hash covers.
struct StageInputs {
  std::string_view stage;
  std::vector<std::string> sections;         ///< config sections it reads
  std::vector<std::string> upstream_hashes;  ///< hashes of the stages it reads
  std::string extra;                         ///< anything else (seed, device, shard)
};

/// SHA-256 hex of the stage name, the named sections' text, the upstream hashes, `extra`, the
/// datasets' sha256 (in config order) and kVersion. Throws Error for an unknown section.
std::string stage_input_hash(const StageInputs& inputs,
                             const std::map<std::string, std::string, std::less<>>& sections,
                             std::span<const std::string> dataset_sha256);

// Checkpoints and assembly (study_checkpoint.cpp).

/// True when `path` is a readable checkpoint of `stage` whose input_hash is `hash`.
bool checkpoint_matches(const std::string& path, std::string_view stage, std::string_view hash);

/// Writes a checkpoint atomically: `body` writes the stage's groups into the open file, then the
/// stage and input_hash attributes are set (last, so a file without them is never trusted) and
/// the file is renamed into place.
void write_checkpoint(const std::string& path, std::string_view stage, std::string_view hash,
                      const std::function<void(H5File&)>& body);

/// Copies every root child of `src` (except names in `skip`) into `dst`, descending into groups
/// that exist in both (a group's attributes come from the file that created it first). Throws
/// Error when a dataset exists in both. Cost: the copied bytes.
void copy_groups(const H5File& src, H5File& dst, std::span<const std::string> skip);

}  // namespace thermex::study
