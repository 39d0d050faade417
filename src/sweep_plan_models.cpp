// Preparing the models of a sweep for the fused predictor: each model's features are split into
// the per-point (composition) ones and the constant ones, whose share of every support vector's
// squared distance is computed once, in the model's own standardized space. Also the reference
// feature rows the tests check the fused predictor against.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>

#include <fmt/format.h>

#include "sweep_plan_internal.hpp"
#include "thermex/error.hpp"
#include "thermex/features.hpp"
#include "thermex/sweep.hpp"

namespace thermex {
namespace {

std::string model_name(const SweepModelSet& set, std::size_t b) {
  return b == 0 ? fmt::format("the {} model", set.target)
                : fmt::format("{} bootstrap replica {}", set.target, b - 1);
}

const SvrModel& model_at(const SweepModelSet& set, std::size_t b) {
  return b == 0 ? *set.point : set.replicas[b - 1];
}

void check_model(const SvrModel& m, const std::string& name) {
  const std::size_t d = m.n_features;
  const std::size_t n_sv = m.n_support();
  const bool shapes = d >= 1 && m.feature_names.size() == d && m.feature_means.size() == d &&
                      m.feature_scales.size() == d && m.support_vectors.size() == n_sv * d;
  if (!shapes) throw Error("sweep: " + name + " is inconsistent (feature or support-vector sizes)");
  const auto finite = [](const std::vector<double>& v) {
    return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
  };
  const bool scales_ok = std::all_of(m.feature_scales.begin(), m.feature_scales.end(),
                                     [](double s) { return std::isfinite(s) && s > 0.0; });
  if (!finite(m.feature_means) || !scales_ok || !finite(m.support_vectors) ||
      !finite(m.dual_coef) || !std::isfinite(m.intercept) ||
      (n_sv > 0 && !(std::isfinite(m.gamma_value) && m.gamma_value > 0.0))) {
    throw Error("sweep: " + name + " has non-finite parameters, a scale <= 0 or gamma <= 0");
  }
  for (std::size_t j = 0; j < d; ++j) {
    if (m.feature_names[j].empty()) {
      throw Error(fmt::format("sweep: {} has an unnamed feature {}", name, j));
    }
  }
}

std::size_t feature_position(const SweepPlan& plan, const std::string& name) {
  for (std::size_t f = 0; f < plan.features.size(); ++f) {
    if (plan.features[f].name == name) return f;
  }
  throw Error("sweep: feature '" + name + "' is not in the plan");
}

SweepModelPack pack_model(const SweepPlan& plan, const SvrModel& m) {
  const std::size_t d = m.n_features;
  SweepModelPack p;
  p.gamma = m.gamma_value;
  p.intercept = m.intercept;
  p.log10_target = m.spec.log10_target;
  p.n_sv = m.n_support();
  p.dual_coef = m.dual_coef;
  std::vector<std::size_t> var_features;
  std::vector<std::pair<std::size_t, double>> constant;  // (feature, standardized value)
  for (std::size_t j = 0; j < d; ++j) {
    const SweepFeature& f = plan.features[feature_position(plan, m.feature_names[j])];
    if (f.source == SweepFeatureSource::kComposition) {
      const auto it =
          std::find(plan.composition.begin(), plan.composition.end(), f.composition_index);
      p.var_columns.push_back(static_cast<std::uint32_t>(it - plan.composition.begin()));
      p.var_means.push_back(m.feature_means[j]);
      p.var_scales.push_back(m.feature_scales[j]);
      var_features.push_back(j);
    } else {
      // (x - mean) / scale, the division svr_predict's scaler does.
      constant.emplace_back(j, (f.value - m.feature_means[j]) / m.feature_scales[j]);
    }
  }
  p.sv_var.resize(var_features.size() * p.n_sv);
  p.sv_const.assign(p.n_sv, 0.0);
  for (std::size_t k = 0; k < p.n_sv; ++k) {
    const double* sv = m.support_vectors.data() + k * d;
    for (std::size_t v = 0; v < var_features.size(); ++v) {
      p.sv_var[v * p.n_sv + k] = sv[var_features[v]];
    }
    double sum = 0.0;
    for (const auto& [j, z] : constant) {
      const double diff = z - sv[j];
      sum += diff * diff;
    }
    p.sv_const[k] = sum;
  }
  return p;
}

}  // namespace

namespace detail {

void build_feature_map(SweepPlan& plan, std::span<const SweepModelSet> models,
                       const std::map<std::string, double, std::less<>>& defaults) {
  std::set<std::string, std::less<>> targets;
  std::map<std::string, std::size_t, std::less<>> seen;
  std::set<int> composition;
  for (const auto& set : models) {
    if (set.target.empty() || set.point == nullptr) {
      throw ConfigError("sweeps." + plan.spec.name,
                        "every model set needs a target name and a point model");
    }
    if (set.target.find('/') != std::string::npos || !targets.insert(set.target).second) {
      throw ConfigError(
          "sweeps." + plan.spec.name,
          fmt::format("target '{}' is repeated or not a valid group name", set.target));
    }
    for (std::size_t b = 0; b <= set.replicas.size(); ++b) {
      const SvrModel& m = model_at(set, b);
      const std::string name = model_name(set, b);
      check_model(m, name);
      for (const auto& feature : m.feature_names) {
        if (seen.contains(feature)) continue;
        seen.emplace(feature, plan.features.size());
        plan.features.push_back(resolve_feature(plan.spec, feature, defaults, name));
        if (plan.features.back().composition_index >= 0) {
          composition.insert(plan.features.back().composition_index);
        }
      }
    }
  }
  plan.composition.assign(composition.begin(), composition.end());
}

SweepTargetPlan pack_target(const SweepPlan& plan, const SweepModelSet& set) {
  SweepTargetPlan t;
  t.target = set.target;
  t.label = set.label.empty() ? set.target : set.label;
  t.unit = set.unit;
  t.maximize = set.maximize.value_or(sweep_default_maximize(set.target));
  t.models.reserve(set.replicas.size() + 1);
  for (std::size_t b = 0; b <= set.replicas.size(); ++b) {
    t.models.push_back(pack_model(plan, model_at(set, b)));
  }
  return t;
}

}  // namespace detail

std::vector<double> sweep_feature_row(const SweepPlan& plan, const SvrModel& model,
                                      std::size_t index) {
  std::vector<std::uint32_t> counts(plan.k);
  simplex_point(plan.k, plan.m, index, counts);
  // The host featurizer (resolve_site_properties + featurize_site), independent of the per-point
  // ion math the backends share, so the tests compare two routes to the same features.
  const math::SiteComposition c = sweep_composition(plan.site, counts);
  const std::vector<double> comp = composition_features(c, plan.oxidation);
  std::vector<double> row(model.n_features);
  for (std::size_t j = 0; j < model.n_features; ++j) {
    const SweepFeature& f = plan.features[feature_position(plan, model.feature_names.at(j))];
    row[j] = f.source == SweepFeatureSource::kComposition
                 ? comp[static_cast<std::size_t>(f.composition_index)]
                 : f.value;
  }
  return row;
}

}  // namespace thermex
