// SHAP importances over bootstrap refits and screening survival over bootstrap replicas
// (bootstrap.hpp). Both take blocks of replica ids and have merge functions, so MPI ranks and
// job-array shards can split the replicas without changing the merged result.
#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <utility>
#include <vector>

#include "thermex/bootstrap.hpp"
#include "thermex/error.hpp"
#include "thermex/math/philox.hpp"

namespace thermex {

ShapBootstrap summarize_shap_bootstrap(std::vector<double> mean_abs, std::size_t replicas,
                                       std::vector<std::string> player_names, double ci) {
  if (replicas == 0 || player_names.empty()) {
    throw Error(fmt::format("summarize_shap_bootstrap: need replicas, players >= 1 (got {}, {})",
                            replicas, player_names.size()));
  }
  ShapBootstrap out;
  out.replicas = replicas;
  out.players = player_names.size();
  out.summary = bootstrap_summary(mean_abs, replicas, out.players, ci);
  out.mean_abs = std::move(mean_abs);
  out.player_names = std::move(player_names);
  return out;
}

ShapBootstrap bootstrap_shap(const Context& ctx, std::span<const SvrModel> models,
                             std::span<const double> x_explain, std::size_t n,
                             const WeightedBackground& background, const ShapOptions& options,
                             double ci) {
  if (models.empty()) throw Error("bootstrap_shap: no models");
  for (std::size_t b = 1; b < models.size(); ++b) {
    if (models[b].n_features != models[0].n_features ||
        models[b].feature_names != models[0].feature_names) {
      throw Error(fmt::format("bootstrap_shap: model {} has other features than model 0", b));
    }
  }
  if (background.d != models[0].n_features) {
    throw Error(fmt::format("bootstrap_shap: background has {} columns, the models {}",
                            background.d, models[0].n_features));
  }
  ShapOptions opt = options;
  opt.background_weights = background.weights;
  std::vector<double> mean_abs;
  mean_abs.reserve(models.size() * 8);
  std::vector<std::string> names;
  for (const SvrModel& model : models) {
    const ShapResult r = svr_shap(ctx, model, x_explain, n, background.rows, background.n, opt);
    const std::vector<double> m = shap_mean_abs(r);
    mean_abs.insert(mean_abs.end(), m.begin(), m.end());
    if (names.empty()) names = r.player_sets.names;
  }
  return summarize_shap_bootstrap(std::move(mean_abs), models.size(), std::move(names), ci);
}

std::vector<double> ScreeningSurvival::frequency() const {
  std::vector<double> f(kept_count.size(), std::numeric_limits<double>::quiet_NaN());
  if (replicas == 0) return f;
  for (std::size_t i = 0; i < f.size(); ++i) {
    f[i] = static_cast<double>(kept_count[i]) / static_cast<double>(replicas);
  }
  return f;
}

std::uint64_t screening_replica_seed(std::uint64_t seed, std::size_t replica) {
  math::PhiloxStream rng(seed, math::RngPurpose::kBootstrap,
                         (std::uint64_t{1} << 63) | static_cast<std::uint64_t>(replica));
  return rng.next_u64();
}

ScreeningSurvival bootstrap_screening(const Context& ctx, const Table& table,
                                      std::string_view target, const SelectionOptions& options,
                                      std::span<const std::size_t> training_rows,
                                      std::size_t first_replica, std::size_t count) {
  if (count == 0) throw Error("bootstrap_screening: count must be >= 1");
  if (training_rows.empty()) throw Error("bootstrap_screening: no training rows");
  for (std::size_t r : training_rows) {
    if (r >= table.rows()) {
      throw Error(
          fmt::format("bootstrap_screening: training row {} >= table rows {}", r, table.rows()));
    }
  }
  ScreeningSurvival out;
  out.target = std::string(target);
  out.first_replica = first_replica;
  std::vector<std::size_t> rows(training_rows.size());
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t b = first_replica + i;
    const std::vector<std::size_t> sample = bootstrap_sample(training_rows.size(), ctx.seed(), b);
    for (std::size_t s = 0; s < sample.size(); ++s) rows[s] = training_rows[sample[s]];
    const Table resampled = table.select_rows(rows);
    const Context replica_ctx = ctx.with_seed(screening_replica_seed(ctx.seed(), b));
    const Selection sel = select_features(replica_ctx, resampled, target, options);
    if (i == 0) {
      out.features = sel.candidates;
      out.kept_count.assign(out.features.size(), 0);
    } else if (sel.candidates != out.features) {  // candidates depend on columns and options only
      throw Error(fmt::format("bootstrap_screening: replica {} screened other candidates", b));
    }
    for (const std::string& kept : sel.kept) {
      const auto it = std::find(out.features.begin(), out.features.end(), kept);
      if (it == out.features.end()) {
        throw Error(fmt::format("bootstrap_screening: kept feature '{}' is no candidate", kept));
      }
      ++out.kept_count[static_cast<std::size_t>(it - out.features.begin())];
    }
    ++out.replicas;
  }
  return out;
}

ScreeningSurvival merge_screening_survival(std::span<const ScreeningSurvival> parts) {
  if (parts.empty()) throw Error("merge_screening_survival: no parts");
  ScreeningSurvival out;
  out.target = parts[0].target;
  out.features = parts[0].features;
  out.kept_count.assign(out.features.size(), 0);
  out.first_replica = parts[0].first_replica;
  for (std::size_t p = 0; p < parts.size(); ++p) {
    const ScreeningSurvival& part = parts[p];
    if (part.target != out.target || part.features != out.features ||
        part.kept_count.size() != out.features.size()) {
      throw Error(fmt::format(
          "merge_screening_survival: part {} has another target or other candidates", p));
    }
    for (std::size_t f = 0; f < out.features.size(); ++f) out.kept_count[f] += part.kept_count[f];
    out.replicas += part.replicas;
    out.first_replica = std::min(out.first_replica, part.first_replica);
  }
  return out;
}

}  // namespace thermex
