#pragma once
// Synthetic sweeps and models for the Sweep* tests: an NCM grid with fixed conditions and SVR
// models whose support vectors sit near the grid's standardized features (so kernel values are
// not all zero), each with its own feature subset and scaler, as bootstrap replicas have.
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "thermex/features.hpp"
#include "thermex/math/philox.hpp"
#include "thermex/svr.hpp"
#include "thermex/sweep.hpp"

namespace thermex::testing {

/// An NCM sweep at `step`: cutoff 4.3 V fixed, carbonate LiPF6 electrolyte, sealed crucible.
inline StudySweep ncm_sweep(double step, std::size_t chunk = 97) {
  StudySweep s;
  s.name = "ncm";
  s.elements = {"Ni", "Co", "Mn"};
  s.step = step;
  s.fixed = {{"cutoff_voltage_V", 4.3}};
  s.levels = {{"electrolyte_class", "carbonate_lipf6"}, {"crucible", "sealed"}};
  s.chunk = chunk;
  s.neighbourhood = 0.1;
  return s;
}

/// Training medians the driver would pass for the remaining features.
inline std::map<std::string, double, std::less<>> sweep_defaults() {
  return {{"active_frac", 0.8}, {"scan_rate_C_per_min", 10.0}, {"electrolyte_ratio", 0.5}};
}

/// A model over `names` (raw-unit features of the sweep) with `n_sv` support vectors. Its scaler
/// (means, scales) is drawn around the features' spread over the grid, so every model
/// standardizes differently; support vectors are standardized grid-like points plus noise.
inline SvrModel synthetic_sweep_model(const std::vector<std::string>& names, std::uint64_t id,
                                      std::size_t n_sv, bool log10_target) {
  math::PhiloxStream rng(20261125, math::RngPurpose::kTest, 7000 + id);
  const auto comp_names = composition_column_names();
  // Feature values of a random NCM composition (raw units) or a fixed-condition value.
  const auto raw_value = [&](const std::string& name, double ni, double co) {
    math::SiteComposition c;
    c.count = 3;
    c.z[0] = 28;
    c.z[1] = 27;
    c.z[2] = 25;
    c.fraction[0] = ni;
    c.fraction[1] = co;
    c.fraction[2] = 1.0 - ni - co;
    const auto f = composition_features(c, OxidationConvention::kCharged);
    for (std::size_t j = 0; j < comp_names.size(); ++j) {
      if (comp_names[j] == name) return f[j];
    }
    return name == "cutoff_voltage_V" ? 4.3 : (name.find('=') != std::string::npos ? 1.0 : 0.5);
  };
  const std::size_t d = names.size();
  SvrModel m;
  m.n_features = d;
  m.feature_names = names;
  m.feature_means.resize(d);
  m.feature_scales.resize(d);
  for (std::size_t j = 0; j < d; ++j) {
    const double a = raw_value(names[j], 0.2, 0.3);
    const double b = raw_value(names[j], 0.7, 0.1);
    const double spread = std::fabs(a - b) > 1e-6 ? std::fabs(a - b) : 0.3;
    m.feature_means[j] = 0.5 * (a + b) + 0.2 * spread * (rng.uniform() - 0.5);
    m.feature_scales[j] = spread * (0.5 + rng.uniform());
  }
  m.support_vectors.resize(n_sv * d);
  m.dual_coef.resize(n_sv);
  m.support_indices.resize(n_sv);
  for (std::size_t k = 0; k < n_sv; ++k) {
    const double ni = 0.05 + 0.9 * rng.uniform();
    const double co = (1.0 - ni) * rng.uniform();
    for (std::size_t j = 0; j < d; ++j) {
      const double z = (raw_value(names[j], ni, co) - m.feature_means[j]) / m.feature_scales[j];
      m.support_vectors[k * d + j] = z + 0.3 * (rng.uniform() - 0.5);
    }
    m.dual_coef[k] = (log10_target ? 0.3 : 20.0) * (rng.uniform() - 0.5);
    m.support_indices[k] = static_cast<std::int64_t>(k);
  }
  m.intercept = log10_target ? -0.2 : 220.0;
  m.spec.log10_target = log10_target;
  m.gamma_value = 0.5 / static_cast<double>(d);
  m.n_train = n_sv;
  return m;
}

/// Onset-like models: a point model and `b` replicas; replica r drops feature r % 3 of the
/// point model's subset and uses its own scaler.
struct SweepModels {
  SvrModel point;
  std::vector<SvrModel> replicas;
};

inline SweepModels onset_models(std::size_t b, std::size_t n_sv = 40) {
  const std::vector<std::string> full{"ni",
                                      "co",
                                      "en_tm_wmean",
                                      "radius_tm_wstd",
                                      "cutoff_voltage_V",
                                      "electrolyte_class=carbonate_lipf6",
                                      "crucible=open",
                                      "active_frac",
                                      "scan_rate_C_per_min_missing"};
  SweepModels out;
  out.point = synthetic_sweep_model(full, 0, n_sv, false);
  for (std::size_t r = 0; r < b; ++r) {
    std::vector<std::string> names = full;
    names.erase(names.begin() + static_cast<std::ptrdiff_t>(r % 3));
    out.replicas.push_back(synthetic_sweep_model(names, 1 + r, n_sv, false));
  }
  return out;
}

/// Power-like log10 models over a different subset (phi statistics, mn, li).
inline SweepModels power_models(std::size_t b, std::size_t n_sv = 30) {
  const std::vector<std::string> names{"mn", "phi_tm_wmean",     "phi_tm_range",
                                       "li", "cutoff_voltage_V", "electrolyte_ratio"};
  SweepModels out;
  out.point = synthetic_sweep_model(names, 100, n_sv, true);
  for (std::size_t r = 0; r < b; ++r) {
    out.replicas.push_back(synthetic_sweep_model(names, 101 + r, n_sv, true));
  }
  return out;
}

/// The model sets of onset (maximize) and power (minimize) over `models`.
inline std::vector<SweepModelSet> model_sets(const SweepModels& onset, const SweepModels& power) {
  std::vector<SweepModelSet> sets(2);
  sets[0].target = "onset_C";
  sets[0].point = &onset.point;
  sets[0].replicas = onset.replicas;
  sets[0].unit = "°C";
  sets[1].target = "max_heat_flow_W_per_g";
  sets[1].point = &power.point;
  sets[1].replicas = power.replicas;
  sets[1].unit = "W/g";
  return sets;
}

}  // namespace thermex::testing
