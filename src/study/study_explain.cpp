// Study stages shap and dynamics: interventional SHAP of each target's model on its training
// rows against a weighted k-means background, then the feature-significance dynamics across the
// targets (in config order), with bootstrap replicas when the bootstrap ran.
#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "study_internal.hpp"
#include "thermex/error.hpp"
#include "thermex/shap_h5.hpp"

namespace thermex::study {
namespace {

// Stream ids of PhiloxStream(seed, kBackground, id) for the explained-row samples; id 0 is the
// k-means initialization (background.hpp).
constexpr std::uint64_t kExplainStreamId = 1;

WeightedBackground make_background(const StudyState& s, std::size_t t, std::span<const double> x,
                                   std::size_t n) {
  const std::size_t d = s.kept[t].size();
  const std::size_t k = s.config->shap.background;
  if (k == 0 || k >= n) return uniform_background(x, n, d);
  // Clustering in the model's standardized space: the distances the RBF kernel sees.
  KmeansOptions options;
  options.scales = s.models[t].feature_scales;
  return kmeans_background(x, n, d, k, s.ctx->seed(), options);
}

void write_feature_values(H5File& out, const std::string& g, const StudyState& s, std::size_t t,
                          std::span<const double> x, std::size_t n) {
  const SvrModel& model = s.models[t];
  const std::size_t d = model.n_features;
  std::vector<double> z(x.size());
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < d; ++j) {
      z[i * d + j] = (x[i * d + j] - model.feature_means[j]) / model.feature_scales[j];
    }
  }
  std::vector<std::string> ids;
  for (std::size_t r : s.explained[t]) ids.push_back(s.record_ids[r]);
  write_doc_strings(out, g + "/feature_names", model.feature_names, "model features (columns)");
  write_doc_matrix(out, g + "/feature_values", n, d, x, "feature units",
                   "feature values of the explained rows (row x feature)");
  write_doc_matrix(out, g + "/feature_values_std", n, d, z, "training std",
                   "z-scored feature values (training mean and std), for beeswarm colours");
  write_doc_strings(out, g + "/record_id", ids, "record id of each explained row");
  const WeightedBackground& bg = s.backgrounds[t];
  write_doc_matrix(out, g + "/background", bg.n, bg.d, bg.rows, "feature units",
                   "weighted k-means background (centroid x feature)");
  write_doc_doubles(out, g + "/background_weights", bg.weights, "",
                    "background weights (cluster size / training rows)");
}

}  // namespace

void compute_shap(StudyState& s, H5File& out) {
  const std::size_t targets = s.config->targets.size();
  s.shap.assign(targets, ShapResult{});
  s.backgrounds.assign(targets, WeightedBackground{});
  s.explained.assign(targets, {});
  progress_begin(s, "[shap] targets", targets);
  for (std::size_t t = 0; t < targets; ++t) {
    const std::vector<std::size_t> train = rows_with_code(s, t, kTrain);
    const std::vector<double> x = row_major(s.features, train, s.kept[t]);
    s.backgrounds[t] = make_background(s, t, x, train.size());
    const std::size_t rows = s.config->shap.max_rows == 0 ? train.size() : s.config->shap.max_rows;
    for (std::size_t i : sample_ids(train.size(), rows, s.ctx->seed(), kExplainStreamId + t)) {
      s.explained[t].push_back(train[i]);
    }
    const std::vector<double> xe = row_major(s.features, s.explained[t], s.kept[t]);
    ShapOptions options;
    options.method = s.config->shap.method;
    options.samples = s.config->shap.samples;
    options.players = study_players(s, t);
    options.background_weights = s.backgrounds[t].weights;
    const WeightedBackground& bg = s.backgrounds[t];
    s.shap[t] = svr_shap(*s.ctx, s.models[t], xe, s.explained[t].size(), bg.rows, bg.n, options);
    const std::string g = "/shap/" + target_name(s, t);
    write_shap_h5(out, g, s.shap[t]);
    write_feature_values(out, g, s, t, xe, s.explained[t].size());
    progress_add(s);
  }
  progress_end(s);
}

void load_shap(StudyState& s, const H5File& in) {
  const std::size_t targets = s.config->targets.size();
  s.shap.clear();
  s.backgrounds.assign(targets, WeightedBackground{});
  s.explained.assign(targets, {});
  std::unordered_map<std::string, std::size_t> row_of;
  for (std::size_t r = 0; r < s.record_ids.size(); ++r) row_of.emplace(s.record_ids[r], r);
  for (std::size_t t = 0; t < targets; ++t) {
    const std::string g = "/shap/" + target_name(s, t);
    s.shap.push_back(read_shap_h5(in, g));
    H5Matrix<double> bg = in.read_double_matrix(g + "/background");
    WeightedBackground& w = s.backgrounds[t];
    w.rows = std::move(bg.values);
    w.n = bg.rows;
    w.d = bg.cols;
    w.weights = in.read_doubles(g + "/background_weights");
    for (const std::string& id : in.read_strings(g + "/record_id")) {
      s.explained[t].push_back(row_of.at(id));
    }
  }
}

void compute_dynamics(StudyState& s, H5File& out) {
  const std::size_t stages = s.config->targets.size();
  out.create_group("/dynamics");
  if (stages < 2) {
    out.set_attribute("/dynamics", "skipped", "fewer than two targets");
    return;
  }
  // Players: the union over targets in order of first appearance; a target whose model lacks a
  // player contributes 0 for it.
  std::vector<std::string> players;
  std::vector<std::vector<std::size_t>> column;  // [stage][player of that stage] -> union index
  for (const ShapResult& r : s.shap) {
    column.emplace_back();
    for (const std::string& name : r.player_sets.names) {
      auto it = std::find(players.begin(), players.end(), name);
      if (it == players.end()) it = players.insert(players.end(), name);
      column.back().push_back(static_cast<std::size_t>(it - players.begin()));
    }
  }
  const std::size_t p = players.size();
  std::vector<double> mean_abs(stages * p, 0.0);
  for (std::size_t t = 0; t < stages; ++t) {
    const std::vector<double> m = shap_mean_abs(s.shap[t]);
    for (std::size_t j = 0; j < m.size(); ++j) mean_abs[t * p + column[t][j]] = m[j];
  }
  const std::size_t reps = s.boot_replicas;
  std::vector<double> replicas(reps * stages * p, 0.0);
  for (std::size_t t = 0; t < stages && reps > 0; ++t) {
    const std::size_t pt = column[t].size();
    for (std::size_t b = 0; b < reps; ++b) {
      for (std::size_t j = 0; j < pt; ++j) {
        replicas[(b * stages + t) * p + column[t][j]] = s.boot_shap_mean_abs[t][b * pt + j];
      }
    }
  }
  const ShapDynamics dyn = shap_dynamics(mean_abs, stages, p, s.config->shap.top_k, replicas, reps);
  std::vector<std::string> stage_names, trend;
  for (std::size_t t = 0; t < stages; ++t) stage_names.push_back(target_name(s, t));
  for (ShapTrend tr : dyn.trend) trend.emplace_back(to_string(tr));
  std::vector<std::int64_t> top(dyn.top.begin(), dyn.top.end());
  out.set_attribute("/dynamics", "top_k", static_cast<std::int64_t>(dyn.top_k));
  out.set_attribute("/dynamics", "replicas", static_cast<std::int64_t>(reps));
  write_doc_strings(out, "/dynamics/stage_names", stage_names, "stages (targets, config order)");
  write_doc_strings(out, "/dynamics/player_names", players, "players (union over targets)");
  write_doc_matrix(out, "/dynamics/mean_abs", stages, p, mean_abs, "fitted target units",
                   "mean |SHAP| (stage x player; 0 where the model lacks the player)");
  write_doc_matrix(out, "/dynamics/normalized", stages, p, dyn.normalized, "",
                   "mean |SHAP| / its sum over players (stage x player)");
  out.write_int64_matrix("/dynamics/top", stages, dyn.top_k, top);
  describe(out, "/dynamics/top", "", "player indices of the top_k players per stage");
  write_doc_strings(out, "/dynamics/trend", trend, "increasing, decreasing or non-monotone");
  write_doc_doubles(out, "/dynamics/confidence", dyn.confidence, "",
                    "fraction of bootstrap replicas with the same trend (1 without replicas)");
}

void load_dynamics(StudyState&, const H5File&) {
  // Nothing downstream reads the dynamics.
}

}  // namespace thermex::study
