// make_sweep_plan: validation of a sweep, the element table of its grid and the feature map
// (where each model feature's value comes from at every point). Model packing is in
// sweep_plan_models.cpp.
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <string>

#include <fmt/format.h>

#include "sweep_plan_internal.hpp"
#include "thermex/dsc_enums.hpp"
#include "thermex/dsc_record.hpp"
#include "thermex/elements.hpp"
#include "thermex/error.hpp"
#include "thermex/features.hpp"
#include "thermex/sweep.hpp"

namespace thermex {
namespace {

constexpr int kNickelZ = 28;
constexpr std::string_view kOctahedral = "VI";

std::string sweep_key(const StudySweep& spec) { return "sweeps." + spec.name; }

// The canonical name of `level` in categorical group `group`; ConfigError when unknown.
std::string canonical_level(const StudySweep& spec, const std::string& group,
                            const std::string& level) {
  const std::string key = sweep_key(spec) + ".levels." + group;
  if (level.empty()) throw ConfigError(key, "empty level");
  if (group == "electrolyte_class") {
    if (const auto v = parse_enum<ElectrolyteClass>(level)) return std::string(to_string(*v));
  } else if (group == "crucible") {
    if (const auto v = parse_enum<Crucible>(level)) return std::string(to_string(*v));
  } else {
    throw ConfigError(key, fmt::format("'{}' is not a categorical feature group (expected one of "
                                       "{})",
                                       group, fmt::join(categorical_column_names(), ", ")));
  }
  throw ConfigError(key, fmt::format("unknown level '{}'", level));
}

int composition_index(std::string_view name) {
  const auto names = composition_column_names();
  for (std::size_t j = 0; j < names.size(); ++j) {
    if (names[j] == name) return static_cast<int>(j);
  }
  return -1;
}

bool is_condition_name(std::string_view name) {
  const auto names = condition_column_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

std::string_view to_string(SweepFeatureSource source) noexcept {
  switch (source) {
    case SweepFeatureSource::kComposition:
      return "composition";
    case SweepFeatureSource::kLevel:
      return "level";
    case SweepFeatureSource::kFixed:
      return "fixed";
    case SweepFeatureSource::kIndicator:
      return "indicator";
    case SweepFeatureSource::kDefault:
      return "default";
  }
  return "default";
}

bool sweep_default_maximize(std::string_view target) noexcept {
  // Less heat released, and released more slowly, is safer; a later onset or peak is safer.
  return !(target == "max_heat_flow_W_per_g" || target == "log10_max_heat_flow" ||
           target == "total_heat_J_per_g");
}

namespace detail {

void validate_sweep_spec(const StudySweep& spec) {
  const std::string key = sweep_key(spec);
  if (spec.name.empty() || spec.name.find('/') != std::string::npos) {
    throw ConfigError("sweeps.name", fmt::format("'{}' is not a valid group name", spec.name));
  }
  if (spec.elements.size() < 2 ||
      spec.elements.size() > static_cast<std::size_t>(math::kMaxSiteElements)) {
    throw ConfigError(key + ".elements", fmt::format("{} elements (expected 2..{})",
                                                     spec.elements.size(), math::kMaxSiteElements));
  }
  simplex_divisions(spec.step, key + ".step");
  if (!(std::isfinite(spec.li) && spec.li > 0.0)) {
    throw ConfigError(key + ".li", fmt::format("li = {} must be finite and > 0", spec.li));
  }
  if (spec.chunk < 1) throw ConfigError(key + ".chunk", "chunk must be >= 1");
  if (!(std::isfinite(spec.neighbourhood) && spec.neighbourhood >= 0.0)) {
    throw ConfigError(key + ".neighbourhood", "neighbourhood must be finite and >= 0");
  }
  for (const auto& [name, value] : spec.fixed) {
    if (!std::isfinite(value)) {
      throw ConfigError(key + ".fixed." + name, fmt::format("value {} is not finite", value));
    }
    if (composition_index(name) >= 0) {
      throw ConfigError(key + ".fixed." + name,
                        "composition features vary over the grid and cannot be fixed (Li per "
                        "formula unit is the sweep's `li`)");
    }
  }
}

SweepSiteTable make_site_table(const StudySweep& spec, OxidationConvention oxidation,
                               std::size_t m) {
  const std::string key = sweep_key(spec) + ".elements";
  const ElementTable& table = ElementTable::instance();
  SweepSiteTable site;
  site.k = static_cast<int>(spec.elements.size());
  site.li = spec.li;
  site.m = static_cast<std::uint32_t>(m);
  site.pristine = oxidation == OxidationConvention::kPristine;
  std::set<int> seen;
  for (std::size_t e = 0; e < spec.elements.size(); ++e) {
    const ElementInfo* info = table.find(spec.elements[e]);
    if (info == nullptr) {
      throw ConfigError(key, fmt::format("unknown element '{}'", spec.elements[e]));
    }
    if (!seen.insert(info->z).second) {
      throw ConfigError(key, fmt::format("element '{}' listed twice", spec.elements[e]));
    }
    // A one-element composition resolves the ion: only pristine Ni depends on the composition,
    // and that case is recomputed per point by math::sweep_site_composition.
    math::SiteComposition single;
    single.count = 1;
    single.z[0] = static_cast<std::uint8_t>(info->z);
    single.fraction[0] = 1.0;
    single.li = spec.li;
    IonProperties ion;
    try {
      ion = tm_ion_properties(single, info->z, oxidation);
      site.pristine_charge[e] =
          tm_ion_state(info->z, OxidationConvention::kPristine).oxidation_state;
    } catch (const ConfigError&) {
      throw;
    } catch (const Error& err) {
      throw ConfigError(key, fmt::format("'{}': {}", spec.elements[e], err.what()));
    }
    site.z[e] = static_cast<std::uint8_t>(info->z);
    site.en[e] = ion.pauling_en;
    site.radius_A[e] = ion.radius_A;
    site.phi_per_A[e] = ion.phi_per_A;
  }
  if (site.pristine && seen.count(kNickelZ) != 0) {
    site.ni2_radius_A = table.ionic_radius_A(kNickelZ, 2, kOctahedral, SpinState::kNone);
    site.ni3_radius_A = table.ionic_radius_A(kNickelZ, 3, kOctahedral, SpinState::kLow);
  }
  return site;
}

SweepFeature resolve_feature(const StudySweep& spec, const std::string& name,
                             const std::map<std::string, double, std::less<>>& defaults,
                             std::string_view user) {
  SweepFeature f;
  f.name = name;
  if (const int c = composition_index(name); c >= 0) {
    f.source = SweepFeatureSource::kComposition;
    f.value = std::numeric_limits<double>::quiet_NaN();
    f.composition_index = c;
    return f;
  }
  if (const auto eq = name.find('='); eq != std::string::npos) {
    const std::string group = name.substr(0, eq);
    if (const auto it = spec.levels.find(group); it != spec.levels.end()) {
      f.source = SweepFeatureSource::kLevel;
      f.value = name.substr(eq + 1) == canonical_level(spec, group, it->second) ? 1.0 : 0.0;
      return f;
    }
  }
  if (const auto it = spec.fixed.find(name); it != spec.fixed.end()) {
    f.source = SweepFeatureSource::kFixed;
    f.value = it->second;
    return f;
  }
  constexpr std::string_view kMissing = "_missing";
  if (name.size() > kMissing.size() && name.ends_with(kMissing)) {
    f.source = SweepFeatureSource::kIndicator;
    f.value = 0.0;
    return f;
  }
  if (const auto it = defaults.find(name); it != defaults.end()) {
    if (!std::isfinite(it->second)) {
      throw ConfigError(sweep_key(spec),
                        fmt::format("default of feature '{}' is not finite", name));
    }
    f.source = SweepFeatureSource::kDefault;
    f.value = it->second;
    return f;
  }
  throw ConfigError(sweep_key(spec),
                    fmt::format("feature '{}' of {} is not a composition feature, not fixed by "
                                "the sweep and has no default value",
                                name, user));
}

void check_levels_and_fixed(const StudySweep& spec, const std::vector<SweepFeature>& features) {
  for (const auto& [group, level] : spec.levels) canonical_level(spec, group, level);
  for (const auto& [name, value] : spec.fixed) {
    const bool used = std::any_of(features.begin(), features.end(),
                                  [&](const SweepFeature& f) { return f.name == name; });
    // `<condition>_missing` may be fixed too (a 4.3 V sweep describes electrochemically charged
    // samples, whose li_charged is missing: indicator 1) even when screening dropped it.
    constexpr std::string_view kMissing = "_missing";
    const bool indicator = name.ends_with(kMissing) &&
                           is_condition_name(name.substr(0, name.size() - kMissing.size()));
    if (!used && !is_condition_name(name) && !indicator && !name.starts_with("decoy_")) {
      throw ConfigError(sweep_key(spec) + ".fixed." + name,
                        "not a feature of any model nor a condition column");
    }
  }
}

}  // namespace detail

SweepPlan make_sweep_plan(const StudySweep& spec, OxidationConvention oxidation,
                          std::span<const SweepModelSet> models,
                          const std::map<std::string, double, std::less<>>& defaults, double ci) {
  detail::validate_sweep_spec(spec);
  if (!(ci > 0.0 && ci < 1.0)) {
    throw ConfigError("bootstrap.ci", fmt::format("ci = {} must be in (0, 1)", ci));
  }
  if (models.empty()) throw ConfigError(sweep_key(spec), "no models to sweep");
  SweepPlan plan;
  plan.spec = spec;
  plan.oxidation = oxidation;
  plan.k = spec.elements.size();
  plan.m = simplex_divisions(spec.step, sweep_key(spec) + ".step");
  plan.points = simplex_point_count(plan.k, plan.m);
  plan.chunk = spec.chunk;
  plan.ci = ci;
  plan.quantile_lo = (1.0 - ci) / 2.0;
  plan.quantile_hi = 1.0 - plan.quantile_lo;
  plan.site = detail::make_site_table(spec, oxidation, plan.m);
  detail::build_feature_map(plan, models, defaults);
  detail::check_levels_and_fixed(spec, plan.features);
  for (const auto& set : models) plan.targets.push_back(detail::pack_target(plan, set));
  return plan;
}

}  // namespace thermex
