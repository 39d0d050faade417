#pragma once
/// \file
/// Composition sweeps: every point of a simplex grid of TM-site fractions is featurized
/// (math::featurize_site: the TM statistics change with composition), completed with the fixed
/// conditions of the sweep, standardized with each model's own scaler and predicted by the point
/// model of each target and its bootstrap replicas, fused and streamed in chunks, so that memory
/// stays bounded for 1e8 points.
///
/// Grid: k elements, fractions that are multiples of 1/m (m = 1/step) and sum to 1, ordered
/// lexicographically by their integer counts (index 0 = (0, ..., 0, m), the last index =
/// (m, 0, ..., 0)). Any point, chunk or shard is computed from its index alone.
///
/// Backends: CPU (src/cpu/sweep_cpu.cpp: OpenMP over blocks of points, vectorized over the
/// points of a block) and CUDA (kernels/sweep_predict.cu: featurize kernel, fused
/// distance+exp+reduce kernel per (point, model), CUB segmented sort for percentiles). Every
/// point's result depends only on that point: the bytes do not change with the thread count or
/// the chunk size.
///
/// Results file layout (under /sweeps/<name>, see SweepH5Writer): data/RESULTS.md.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "thermex/context.hpp"
#include "thermex/elements.hpp"
#include "thermex/h5.hpp"
#include "thermex/math/site_composition.hpp"
#include "thermex/math/sweep_site.hpp"
#include "thermex/study_config.hpp"
#include "thermex/svr.hpp"

namespace thermex {

// ---------------------------------------------------------------------------------------------
// The simplex grid
// ---------------------------------------------------------------------------------------------

/// Number of grid points with k fractions that are multiples of 1/m summing to 1:
/// C(m + k - 1, k - 1). Preconditions: 1 <= k <= math::kMaxSiteElements, m >= 1; throws Error
/// when the count does not fit 63 bits. O(k).
std::size_t simplex_point_count(std::size_t k, std::size_t m);

/// Writes the integer counts (c_0..c_{k-1}, sum m; fraction j = c_j / m) of grid point `index`
/// in the lexicographic order above into `counts` (size k). Throws Error when
/// index >= simplex_point_count(k, m) or counts.size() != k. O(k^2 log m).
void simplex_point(std::size_t k, std::size_t m, std::size_t index,
                   std::span<std::uint32_t> counts);

/// The inverse of simplex_point: the index of the grid point with `counts` (size k, sum m).
/// Throws Error when the counts do not sum to m. O(k^2).
std::size_t simplex_index(std::size_t m, std::span<const std::uint32_t> counts);

/// m = 1/step as an integer; throws ConfigError(key) unless step is in (0, 1] and 1/step is an
/// integer within 1e-9 relative.
std::size_t simplex_divisions(double step, std::string_view key = "step");

// ---------------------------------------------------------------------------------------------
// The plan: models and the feature map
// ---------------------------------------------------------------------------------------------

/// The models of one target: the point estimate and its bootstrap replicas (possibly none).
/// Models may use different feature subsets and different scalers (each replica standardizes
/// with its own means and stds). The plan copies what it needs; the models may go afterwards.
struct SweepModelSet {
  std::string target;                  ///< target column ("onset_C"); names the results group
  const SvrModel* point = nullptr;     ///< point-estimate model (required)
  std::span<const SvrModel> replicas;  ///< bootstrap replicas
  std::string label;                   ///< plot label ("onset temperature"); "" = the target
  std::string unit;                    ///< unit of the predictions in original units ("°C")
  /// Which extreme is the optimum; std::nullopt = sweep_default_maximize(target).
  std::optional<bool> maximize;
};

/// The optimum direction of a target column: false (minimize) for the heat-release targets
/// ("max_heat_flow_W_per_g", "log10_max_heat_flow", "total_heat_J_per_g"), true (maximize) for
/// everything else (onset and peak temperatures: a later onset is safer).
bool sweep_default_maximize(std::string_view target) noexcept;

/// Where the value of a model feature comes from at every sweep point.
enum class SweepFeatureSource {
  kComposition,  ///< computed per point by math::featurize_site (composition_column_names())
  kLevel,        ///< a one-hot column "<group>=<level>": 1 for StudySweep::levels[group], else 0
  kFixed,        ///< StudySweep::fixed[name]
  kIndicator,    ///< a missing-value indicator "<name>_missing": 0 (the value is known)
  kDefault,      ///< the `defaults` map of make_sweep_plan (the driver passes training medians)
};

/// "composition", "level", "fixed", "indicator" or "default".
std::string_view to_string(SweepFeatureSource source) noexcept;

/// One feature used by at least one model of the plan.
struct SweepFeature {
  std::string name;  ///< feature column name
  SweepFeatureSource source = SweepFeatureSource::kDefault;
  /// Value at every point (NaN for kComposition, whose value varies per point).
  double value = 0.0;
  /// math::kFeat* index for kComposition, -1 otherwise.
  int composition_index = -1;
};

/// One model prepared for the fused predictor. Feature values split into the per-point
/// (composition) ones and the constant ones, whose contribution to every support vector's
/// squared distance is computed once here, in the model's standardized space.
struct SweepModelPack {
  double gamma = 0.0;         ///< RBF gamma (1 / squared standardized units)
  double intercept = 0.0;     ///< transformed target units
  bool log10_target = false;  ///< predictions are 10^f
  std::size_t n_sv = 0;       ///< support vectors
  /// Positions in SweepPlan::composition (the per-point feature columns) of the model's varying
  /// features, in the model's feature order.
  std::vector<std::uint32_t> var_columns;
  std::vector<double> var_means;  ///< per varying feature: the model's mean
  std::vector<double>
      var_scales;  ///< per varying feature: the model's scale (z = (x - mean) / scale)
  /// Support vectors restricted to the varying features, feature-major (var x n_sv), so the
  /// CPU loop over points and the GPU loop over support vectors read consecutive values.
  std::vector<double> sv_var;
  /// Per support vector: sum over the constant features of ((v - mean)/scale - sv)^2.
  std::vector<double> sv_const;
  std::vector<double> dual_coef;  ///< n_sv coefficients
};

/// The prepared models of one target.
struct SweepTargetPlan {
  std::string target;  ///< target column
  std::string label;   ///< plot label
  std::string unit;    ///< unit of the predictions
  bool maximize = true;
  /// models[0] is the point model, models[1..] the replicas in the given order.
  std::vector<SweepModelPack> models;
  /// Number of bootstrap replicas (models.size() - 1).
  std::size_t replicas() const noexcept { return models.empty() ? 0 : models.size() - 1; }
};

/// Per-element TM-site ion properties of the sweep's elements (math/sweep_site.hpp), resolved
/// once on the host for the oxidation convention by make_sweep_plan.
using SweepSiteTable = math::SweepSiteTable;

/// Everything compute_sweep_chunk needs: the grid, the feature map and the prepared models.
/// Self-contained (owns copies), cheap to copy relative to the sweep.
struct SweepPlan {
  StudySweep spec;  ///< the sweep as configured
  OxidationConvention oxidation = OxidationConvention::kCharged;
  std::size_t k = 0;           ///< elements
  std::size_t m = 0;           ///< divisions (1/step)
  std::size_t points = 0;      ///< simplex_point_count(k, m)
  std::size_t chunk = 0;       ///< points per chunk (spec.chunk)
  double ci = 0.95;            ///< central interval of the bootstrap percentiles
  double quantile_lo = 0.025;  ///< (1 - ci) / 2
  double quantile_hi = 0.975;  ///< 1 - (1 - ci) / 2
  SweepSiteTable site;         ///< element properties
  /// math::kFeat* indices of the per-point features any model uses, ascending.
  std::vector<int> composition;
  /// Every feature used by any model, in first-use order (targets, then models, then features).
  std::vector<SweepFeature> features;
  std::vector<SweepTargetPlan> targets;  ///< in the order of the model sets
  /// The training data's range of each element's TM-site fraction (k values each; empty = no
  /// restriction). The writer searches the optimum among grid points inside it (1e-9 slack):
  /// a model's extreme far outside its data (e.g. pure LiAlO2 on an NCMA simplex) is an
  /// extrapolation, not an optimum. Set by the caller after make_sweep_plan; predictions are
  /// written for every point either way.
  std::vector<double> domain_lo, domain_hi;
};

/// Validates a sweep and prepares its models. Checks: at least two distinct elements, each with
/// a TM-site ion (tm_ion_state) and at most math::kMaxSiteElements; step with an integer 1/step;
/// li > 0 and finite; chunk >= 1; neighbourhood >= 0; every levels key a categorical group
/// (categorical_column_names()) with a known level; every fixed value finite and its key a
/// feature of some model or a known condition column; 0 < ci < 1; every model set with a point
/// model and a non-empty target, models with named features. Each model feature is resolved in
/// this order: composition feature; one-hot column of a group in `levels`; a key of `fixed`;
/// a "<name>_missing" indicator (0); `defaults`. A feature found nowhere, or a non-finite
/// default, throws ConfigError with key "sweeps.<name>" naming the feature. Cost: O(total
/// support vectors x features).
SweepPlan make_sweep_plan(const StudySweep& spec, OxidationConvention oxidation,
                          std::span<const SweepModelSet> models,
                          const std::map<std::string, double, std::less<>>& defaults,
                          double ci = 0.95);

/// The feature row (in `model`'s feature order, raw units) that the sweep uses for grid point
/// `index` — the reference the fused predictor is tested against (svr_predict on these rows).
/// Throws Error when the model's features are not all in the plan. O(features).
std::vector<double> sweep_feature_row(const SweepPlan& plan, const SvrModel& model,
                                      std::size_t index);

/// The SiteComposition of grid point `counts` (size k): the elements with a non-zero count in
/// sweep order (zero fractions are left out, as parse_formula would), li = plan li,
/// site_total = 1.
math::SiteComposition sweep_composition(const SweepSiteTable& site,
                                        std::span<const std::uint32_t> counts);

// ---------------------------------------------------------------------------------------------
// Computing chunks
// ---------------------------------------------------------------------------------------------

/// Results of one target over the points of a chunk, in original target units (10^f for log10
/// models; statistics are those of the replicas' original-unit predictions).
struct SweepTargetChunk {
  std::vector<double> prediction;  ///< point model, one per point
  /// Over the replicas (empty when the target has none): mean, population std, and the
  /// quantile_lo / quantile_hi percentiles (linear interpolation between order statistics,
  /// numpy's default: position q (B - 1)).
  std::vector<double> boot_mean;
  std::vector<double> boot_std;
  std::vector<double> boot_lo;
  std::vector<double> boot_hi;
};

/// The results of one chunk of points.
struct SweepChunk {
  std::size_t id = 0;                     ///< chunk id
  std::size_t begin = 0;                  ///< index of the first point
  std::size_t count = 0;                  ///< points in the chunk
  std::vector<double> fractions;          ///< count x k, row-major
  std::vector<SweepTargetChunk> targets;  ///< in plan order
};

/// Number of chunks: ceil(points / chunk).
std::size_t sweep_chunk_count(const SweepPlan& plan) noexcept;

/// Computes chunk `chunk` (points [chunk * plan.chunk, min(points, (chunk + 1) * plan.chunk)))
/// on ctx.device(). Throws Error for chunk >= sweep_chunk_count(plan) and when a prediction is
/// not finite (naming the point and the target). Cost: O(points x total support vectors x
/// varying features) plus O(points x B log B) for the percentiles; memory O(points x models).
SweepChunk compute_sweep_chunk(const Context& ctx, const SweepPlan& plan, std::size_t chunk);

/// A chunk as one vector of doubles (fractions, then per target prediction and the four
/// statistics), for gather_items across ranks. O(size).
std::vector<double> sweep_chunk_pack(const SweepChunk& chunk);

/// The inverse of sweep_chunk_pack for chunk `id` of `plan`; throws Error on a size mismatch.
SweepChunk sweep_chunk_unpack(const SweepPlan& plan, std::size_t id,
                              std::span<const double> packed);

// ---------------------------------------------------------------------------------------------
// Writing and summarizing
// ---------------------------------------------------------------------------------------------

/// The optimum of one target over the points written.
struct SweepOptimum {
  std::string target;
  bool maximize = true;
  std::size_t index = 0;          ///< grid index (ties: lowest index)
  std::vector<double> fractions;  ///< k fractions
  double value = 0.0;             ///< point-model prediction there
  double boot_lo = 0.0;           ///< bootstrap interval there (NaN without replicas)
  double boot_hi = 0.0;
  std::size_t neighbourhood_count = 0;  ///< points within spec.neighbourhood (max-norm)
  double neighbourhood_min = 0.0;       ///< of the point prediction over those points
  double neighbourhood_max = 0.0;
  double neighbourhood_mean = 0.0;
  /// True when the optimum was searched within plan.domain_lo/hi; false when the plan has no
  /// domain or no written point lies inside it (then the whole grid was searched).
  bool in_domain = false;
  std::size_t grid_index = 0;  ///< the unrestricted optimum over the points written
  double grid_value = 0.0;     ///< its prediction
};

/// What a sweep produced.
struct SweepSummary {
  std::string name;
  std::size_t points = 0;            ///< points written
  std::vector<SweepOptimum> optima;  ///< per target, plan order
};

/// Streams chunks into /sweeps/<name> (under `group`, default "/sweeps") of an open, writable
/// file: chunked, extendible datasets fractions (N x k) and per target <target>/prediction,
/// boot_mean, boot_std, boot_p<lo>, boot_p<hi> (e.g. boot_p025, boot_p975; omitted without
/// replicas), each with `unit` and `label` attributes. Chunks must come in id order (each
/// `append` checks it), so memory stays bounded by one chunk. finish() writes the optimum
/// attributes and the neighbourhood statistics (read back from the file) and the feature-source
/// table (features/name, source, value). Not thread-safe (HDF5).
class SweepH5Writer {
 public:
  /// Creates the group and empty datasets. `first_chunk` is the id of the first chunk that will
  /// be appended (0 for a whole sweep; a shard's first chunk otherwise: the optimum and the
  /// neighbourhood then cover only the points written, and the group records the attribute
  /// first_point). `file` and `plan` must outlive the writer. Throws H5Error when
  /// `group`/<name> exists.
  SweepH5Writer(H5File& file, const SweepPlan& plan, std::string_view group = "/sweeps",
                std::size_t first_chunk = 0);
  /// Appends the next chunk (its begin must equal the points written so far).
  void append(const SweepChunk& chunk);
  /// Writes optima, neighbourhoods and the feature table; returns the summary. Call once, after
  /// the last chunk. Throws Error when no point was written.
  SweepSummary finish();
  /// Points written so far.
  std::size_t points_written() const noexcept { return written_; }
  /// The results group path ("/sweeps/<name>").
  const std::string& path() const noexcept { return path_; }

 private:
  H5File* file_;
  const SweepPlan* plan_;
  std::string path_;
  std::size_t first_point_ = 0;
  std::size_t written_ = 0;
  std::size_t next_chunk_ = 0;
  std::vector<SweepOptimum> optima_;       ///< within plan.domain (when set)
  std::vector<SweepOptimum> grid_optima_;  ///< over every point
  bool finished_ = false;
};

/// The dataset name of a bootstrap percentile: "boot_p" + round(1000 q) in three digits
/// (0.025 -> "boot_p025", 0.975 -> "boot_p975").
std::string sweep_quantile_name(double q);

/// Single-process driver: computes chunks [begin, end) in order (end clamped to the chunk count;
/// the defaults compute all) and writes them with a SweepH5Writer(file, plan, group, begin),
/// then finishes.
/// Logs progress at info level. Same errors as compute_sweep_chunk and SweepH5Writer.
SweepSummary run_sweep(const Context& ctx, const SweepPlan& plan, H5File& file,
                       std::string_view group = "/sweeps", std::size_t begin = 0,
                       std::size_t end = static_cast<std::size_t>(-1));

}  // namespace thermex
