// Study stage bootstrap: per target, B refits of the SVR on bootstrap replicas of the training
// rows (every process computes all of them: the sweeps need every replica), SHAP importances of
// the shard's block of replicas, and the screening survival of the shard's block of screening
// replicas. Work items are replica ids (bootstrap.hpp), so any split gives the same bytes.
#include <fmt/format.h>

#include <algorithm>

#include "study_internal.hpp"
#include "thermex/bootstrap.hpp"
#include "thermex/error.hpp"

namespace thermex::study {
namespace {

// Stream id base of the rows explained per replica (PhiloxStream(seed, kBackground, id));
// apart from the point SHAP's ids 1 + t.
constexpr std::uint64_t kBootShapStreamId = 1u << 20;
// Items per progress report; each block is one batched call, parallel inside.
std::size_t block_step(const StudyState& s) {
  return std::max<std::size_t>(8, 2 * static_cast<std::size_t>(s.ctx->threads()));
}

void fit_replicas(StudyState& s, std::size_t t, H5File& out, const std::string& g) {
  const std::size_t b_count = s.config->bootstrap.replicas;
  const std::vector<std::size_t> train = rows_with_code(s, t, kTrain);
  const std::vector<double> x = row_major(s.features, train, s.kept[t]);
  const std::vector<double> y = column_at(s.features, train, target_name(s, t));
  const SvrModel& point = s.models[t];
  progress_begin(s, fmt::format("[bootstrap] {} refits", target_name(s, t)), b_count);
  const BlockItems fits =
      compute_block(s, b_count, false, block_step(s), [&](std::size_t first, std::size_t count) {
        const BootstrapFits f = bootstrap_svr(*s.ctx, x, train.size(), s.kept[t].size(), y,
                                              point.spec, first, count, s.kept[t]);
        std::vector<std::vector<double>> items;
        for (std::size_t i = 0; i < count; ++i) {
          const RegressionMetrics& m = f.oob[i];
          std::vector<double> item{m.r2, m.rmse, m.mae, static_cast<double>(m.n)};
          const std::vector<double> packed = pack_model(f.models[i]);
          item.insert(item.end(), packed.begin(), packed.end());
          items.push_back(std::move(item));
        }
        progress_add(s, count);
        return items;
      });
  progress_end(s);
  std::vector<double> r2, rmse, mae, data;
  std::vector<std::int64_t> n, offsets{0};
  s.boot_models[t].clear();
  for (const std::vector<double>& item : fits.items) {
    r2.push_back(item[0]);
    rmse.push_back(item[1]);
    mae.push_back(item[2]);
    n.push_back(static_cast<std::int64_t>(item[3]));
    const std::span<const double> packed(item.data() + 4, item.size() - 4);
    s.boot_models[t].push_back(unpack_model(packed, point));
    data.insert(data.end(), packed.begin(), packed.end());
    offsets.push_back(static_cast<std::int64_t>(data.size()));
  }
  const std::string unit = s.features.meta(s.features.index_of(target_name(s, t))).unit;
  write_doc_doubles(out, g + "/oob_r2", r2, "", "out-of-bag R^2 per replica (original units)");
  write_doc_doubles(out, g + "/oob_rmse", rmse, unit, "out-of-bag RMSE per replica");
  write_doc_doubles(out, g + "/oob_mae", mae, unit, "out-of-bag MAE per replica");
  write_doc_int64s(out, g + "/oob_n", n, "", "out-of-bag rows per replica");
  write_doc_doubles(out, g + "/models/data", data, "",
                    "packed refits, replica after replica (layout in data/RESULTS.md)");
  write_doc_int64s(out, g + "/models/offsets", offsets, "",
                   "replica b's model is data[offsets[b], offsets[b+1])");
}

void replica_shap(StudyState& s, std::size_t t, H5File& out, const std::string& g) {
  const std::size_t b_count = s.config->bootstrap.replicas;
  const std::vector<std::size_t> train = rows_with_code(s, t, kTrain);
  std::vector<std::size_t> rows;
  for (std::size_t i : sample_ids(train.size(), s.config->bootstrap.shap_rows, s.ctx->seed(),
                                  kBootShapStreamId + t)) {
    rows.push_back(train[i]);
  }
  const std::vector<double> xe = row_major(s.features, rows, s.kept[t]);
  ShapOptions options;
  options.method = s.config->shap.method;
  options.samples = s.config->shap.samples;
  options.players = study_players(s, t);
  const double ci = s.config->bootstrap.ci;
  progress_begin(s, fmt::format("[bootstrap] {} SHAP", target_name(s, t)), b_count);
  const BlockItems block =
      compute_block(s, b_count, true, block_step(s), [&](std::size_t first, std::size_t count) {
        const std::span<const SvrModel> models(s.boot_models[t].data() + first, count);
        const ShapBootstrap r =
            bootstrap_shap(*s.ctx, models, xe, rows.size(), s.backgrounds[t], options, ci);
        std::vector<std::vector<double>> items;
        for (std::size_t i = 0; i < count; ++i) {
          items.emplace_back(r.mean_abs.begin() + static_cast<std::ptrdiff_t>(i * r.players),
                             r.mean_abs.begin() + static_cast<std::ptrdiff_t>((i + 1) * r.players));
        }
        progress_add(s, count);
        return items;
      });
  progress_end(s);
  std::vector<double> mean_abs;
  for (const std::vector<double>& item : block.items) {
    mean_abs.insert(mean_abs.end(), item.begin(), item.end());
  }
  std::vector<std::string> ids;
  for (std::size_t r : rows) ids.push_back(s.record_ids[r]);
  write_bootstrap_shap(out, g, ids, options.players.names, mean_abs, block.range.begin, b_count,
                       ci);
  if (block.range.size() == b_count) s.boot_shap_mean_abs[t] = std::move(mean_abs);
}

void screening_survival(StudyState& s, std::size_t t, H5File& out, const std::string& g) {
  const std::size_t reps = s.config->bootstrap.screen_replicas;
  if (!s.config->screening.enabled || reps == 0) return;
  const std::vector<std::size_t> train = rows_with_code(s, t, kTrain);
  SelectionOptions options = s.config->screening.options;
  options.null.shuffles = static_cast<int>(s.config->bootstrap.screen_shuffles);
  const std::vector<std::string>& candidates = s.selections[t].candidates;
  const Table table = screening_table(s, t);
  progress_begin(s, fmt::format("[bootstrap] {} screening survival", target_name(s, t)), reps);
  const BlockItems block =
      compute_block(s, reps, true, 1, [&](std::size_t first, std::size_t count) {
        const ScreeningSurvival r =
            bootstrap_screening(*s.ctx, table, target_name(s, t), options, train, first, count);
        if (r.features != candidates) {
          throw Error("study: bootstrap screening candidates differ from the screening's");
        }
        progress_add(s, count);
        return std::vector<std::vector<double>>{
            std::vector<double>(r.kept_count.begin(), r.kept_count.end())};
      });
  progress_end(s);
  std::vector<std::int64_t> kept(candidates.size(), 0);
  for (const std::vector<double>& item : block.items) {
    for (std::size_t f = 0; f < kept.size(); ++f) kept[f] += static_cast<std::int64_t>(item[f]);
  }
  write_survival(out, g, candidates, kept, block.range.begin, block.range.size());
}

}  // namespace

void write_bootstrap_shap(H5File& out, const std::string& g, std::span<const std::string> ids,
                          std::span<const std::string> players, std::span<const double> mean_abs,
                          std::size_t first, std::size_t total, double ci) {
  const std::size_t p = players.size();
  const std::size_t rows = p == 0 ? 0 : mean_abs.size() / p;
  out.set_attribute(g, "shap_first_replica", static_cast<std::int64_t>(first));
  write_doc_strings(out, g + "/shap_record_id", ids, "rows explained by every replica");
  write_doc_strings(out, g + "/shap_player_names", players, "players");
  write_doc_matrix(out, g + "/shap_mean_abs", rows, p, mean_abs, "fitted target units",
                   "mean |SHAP| per replica (replica x player)");
  if (rows != total || rows == 0) return;  // a shard's block: summarized by thermex merge
  const ShapBootstrap sum =
      summarize_shap_bootstrap(std::vector<double>(mean_abs.begin(), mean_abs.end()), rows,
                               std::vector<std::string>(players.begin(), players.end()), ci);
  write_doc_doubles(out, g + "/shap_mean", sum.summary.mean, "fitted target units",
                    "mean over replicas of mean |SHAP|");
  write_doc_doubles(out, g + "/shap_std", sum.summary.std, "fitted target units",
                    "std over replicas of mean |SHAP|");
  write_doc_doubles(out, g + "/shap_ci_low", sum.summary.low, "fitted target units",
                    "lower percentile (ci) of mean |SHAP|");
  write_doc_doubles(out, g + "/shap_ci_high", sum.summary.high, "fitted target units",
                    "upper percentile (ci) of mean |SHAP|");
}

void write_survival(H5File& out, const std::string& g, std::span<const std::string> candidates,
                    std::span<const std::int64_t> kept, std::size_t first, std::size_t replicas) {
  std::vector<double> frequency;
  for (std::int64_t k : kept) {
    frequency.push_back(static_cast<double>(k) / static_cast<double>(replicas));
  }
  out.set_attribute(g, "survival_first_replica", static_cast<std::int64_t>(first));
  out.set_attribute(g, "survival_replicas", static_cast<std::int64_t>(replicas));
  write_doc_strings(out, g + "/survival_features", candidates, "screening candidates");
  write_doc_int64s(out, g + "/survival_kept_count", kept, "", "replicas that kept the feature");
  write_doc_doubles(out, g + "/survival_frequency", frequency, "",
                    "fraction of screening replicas that kept the feature");
}

void compute_bootstrap(StudyState& s, H5File& out) {
  const std::size_t targets = s.config->targets.size();
  const std::size_t b_count = s.config->bootstrap.replicas;
  s.boot_models.assign(targets, {});
  s.boot_shap_mean_abs.assign(targets, {});
  s.boot_replicas = 0;
  out.create_group("/bootstrap");
  out.set_attribute("/bootstrap", "replicas", static_cast<std::int64_t>(b_count));
  out.set_attribute("/bootstrap", "ci", s.config->bootstrap.ci);
  out.set_attribute("/bootstrap", "shard", to_string(s.shard));
  if (b_count == 0) return;
  for (std::size_t t = 0; t < targets; ++t) {
    const std::string g = "/bootstrap/" + target_name(s, t);
    out.create_group(g);
    fit_replicas(s, t, out, g);
    replica_shap(s, t, out, g);
    screening_survival(s, t, out, g);
  }
  if (s.shard.count == 1) s.boot_replicas = b_count;
}

void load_bootstrap(StudyState& s, const H5File& in) {
  const std::size_t targets = s.config->targets.size();
  const auto b_count = static_cast<std::size_t>(in.int64_attribute("/bootstrap", "replicas"));
  s.boot_models.assign(targets, {});
  s.boot_shap_mean_abs.assign(targets, {});
  s.boot_replicas = 0;
  if (b_count == 0) return;
  for (std::size_t t = 0; t < targets; ++t) {
    const std::string g = "/bootstrap/" + target_name(s, t);
    const std::vector<double> data = in.read_doubles(g + "/models/data");
    const std::vector<std::int64_t> offsets = in.read_int64s(g + "/models/offsets");
    for (std::size_t b = 0; b + 1 < offsets.size(); ++b) {
      const auto begin = static_cast<std::size_t>(offsets[b]);
      const auto end = static_cast<std::size_t>(offsets[b + 1]);
      s.boot_models[t].push_back(
          unpack_model(std::span<const double>(data).subspan(begin, end - begin), s.models[t]));
    }
    if (in.exists(g + "/shap_mean")) {
      s.boot_shap_mean_abs[t] = in.read_double_matrix(g + "/shap_mean_abs").values;
    }
  }
  if (s.shard.count == 1) s.boot_replicas = b_count;
}

}  // namespace thermex::study
