// Players (one per column, or one-hot groups as one player) and the interventional game of an
// RBF SVR in per-player distance form (shap_internal.hpp).
#include <fmt/format.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "shap_internal.hpp"
#include "thermex/error.hpp"
#include "thermex/shap.hpp"

namespace thermex {

ShapPlayers shap_players_per_column(std::size_t d, std::span<const std::string> feature_names) {
  ShapPlayers p;
  for (std::size_t j = 0; j < d; ++j) {
    p.columns.push_back({j});
    const bool named = j < feature_names.size() && !feature_names[j].empty();
    p.names.push_back(named ? feature_names[j] : fmt::format("x{}", j));
  }
  return p;
}

ShapPlayers shap_players_from_metas(std::span<const ColumnMeta> metas) {
  ShapPlayers p;
  std::map<std::string, std::size_t> group_player;  // group name -> player index
  for (std::size_t j = 0; j < metas.size(); ++j) {
    const std::string& group = metas[j].group;
    if (group.empty()) {
      p.columns.push_back({j});
      p.names.push_back(metas[j].name.empty() ? fmt::format("x{}", j) : metas[j].name);
      continue;
    }
    const auto [it, inserted] = group_player.try_emplace(group, p.columns.size());
    if (inserted) {
      p.columns.emplace_back();
      p.names.push_back(group);
    }
    p.columns[it->second].push_back(j);
  }
  return p;
}

namespace detail {

void ShapGame::player_dist(const double* z, double* out) const {
  for (std::size_t k = 0; k < n_sv; ++k) {
    const double* s = sv.data() + k * d;
    double* o = out + k * m;
    for (std::size_t p = 0; p < m; ++p) {
      double acc = 0.0;
      for (std::size_t c : (*players)[p]) acc += (z[c] - s[c]) * (z[c] - s[c]);
      o[p] = gamma * acc;
    }
  }
}

double ShapGame::value_from_dist(const double* dist) const {
  double f = 0.0;
  for (std::size_t k = 0; k < n_sv; ++k) {
    double e = 0.0;
    for (std::size_t p = 0; p < m; ++p) e += dist[k * m + p];
    f += beta[k] * std::exp(-e);
  }
  return intercept + f;
}

ShapGame make_shap_game(const Context& ctx, const SvrModel& model, const ShapPlayers& players,
                        std::span<const double> background_std, std::size_t nb,
                        std::span<const double> weights) {
  ShapGame g;
  g.d = model.n_features;
  g.m = players.columns.size();
  g.n_sv = model.n_support();
  g.nb = nb;
  g.intercept = model.intercept;
  g.gamma = model.gamma_value;
  g.beta = model.dual_coef;
  g.sv = model.support_vectors;
  g.players = &players.columns;
  const std::size_t stride = g.n_sv * g.m;
  g.bg_dist.resize(nb * stride);
  std::vector<double> fb(nb);
  const auto count = static_cast<std::ptrdiff_t>(nb);
#pragma omp parallel for schedule(static) num_threads(ctx.threads())
  for (std::ptrdiff_t b = 0; b < count; ++b) {
    const auto bi = static_cast<std::size_t>(b);
    g.player_dist(background_std.data() + bi * g.d, g.bg_dist.data() + bi * stride);
    fb[bi] = g.value_from_dist(g.bg_dist.data() + bi * stride);
  }
  if (!weights.empty()) {
    double total = 0.0;  // fixed order over b
    for (double w : weights) total += w;
    g.bg_weight.resize(nb);
    for (std::size_t b = 0; b < nb; ++b) g.bg_weight[b] = weights[b] / total;
  }
  double sum = 0.0;  // fixed order over b
  for (std::size_t b = 0; b < nb; ++b) sum += g.bg_scale(b) * fb[b];
  g.base_value = sum / g.bg_divisor();
  return g;
}

}  // namespace detail
}  // namespace thermex
