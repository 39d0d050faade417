#pragma once
/// \file
/// Internal: the steps of make_sweep_plan (src/sweep_plan.cpp, src/sweep_plan_models.cpp).

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "thermex/sweep.hpp"

namespace thermex::detail {

/// Checks the sweep's own settings (name, element count, step, li, chunk, neighbourhood, fixed
/// values finite and not composition features). Throws ConfigError naming the key.
void validate_sweep_spec(const StudySweep& spec);

/// The element table of the grid: each element's TM-site ion under `oxidation`, the pristine
/// charges and (pristine with Ni) the Ni2+ / Ni3+ radii. Throws ConfigError for an unknown or
/// repeated element or one without a TM-site ion.
SweepSiteTable make_site_table(const StudySweep& spec, OxidationConvention oxidation,
                               std::size_t m);

/// Where feature `name` comes from (see make_sweep_plan); `user` names the model for the error.
SweepFeature resolve_feature(const StudySweep& spec, const std::string& name,
                             const std::map<std::string, double, std::less<>>& defaults,
                             std::string_view user);

/// Every levels entry names a known group and level; every fixed key is a model feature or a
/// condition column. Throws ConfigError.
void check_levels_and_fixed(const StudySweep& spec, const std::vector<SweepFeature>& features);

/// Fills plan.features (first-use order) and plan.composition from the models' feature names,
/// after checking each model set has a point model and a unique, non-empty target.
void build_feature_map(SweepPlan& plan, std::span<const SweepModelSet> models,
                       const std::map<std::string, double, std::less<>>& defaults);

/// The prepared models of one target (plan.features and plan.composition must be complete).
/// Throws Error for an inconsistent model (sizes, gamma, non-finite parameters).
SweepTargetPlan pack_target(const SweepPlan& plan, const SweepModelSet& set);

}  // namespace thermex::detail
