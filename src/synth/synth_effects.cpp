// Which features drive which target in the synthetic ground truth, with sign and strength:
// the recovery expectations of data/SYNTH.md ("Recovery expectations") as data, for tests of
// screening, SVR and SHAP. Strength = change of the noise-free target when the feature moves
// over its 5-95 % range in the default population (the rest at the reference sample of
// data/SYNTH.md), divided by the target's noise sd there: strong >= 2, moderate >= 0.75,
// weak > 0. tests/test_synth_physics.cpp re-derives every sign and strength.
#include "thermex/synth.hpp"

namespace thermex::synth {
namespace {

using S = EffectStrength;
constexpr std::string_view kOnset = "onset_C", kPeak = "peak_C";
constexpr std::string_view kPower = "max_heat_flow_W_per_g", kHeat = "total_heat_J_per_g";

constexpr GroundTruthEffect kEffects[] = {
    // --- onset_C
    {"ni", kOnset, -1, S::kStrong},
    {"co", kOnset, +1, S::kStrong},
    {"mn", kOnset, +1, S::kStrong},
    {"al", kOnset, +1, S::kModerate},
    {"li", kOnset, -1, S::kModerate},
    {"radius_tm_wstd", kOnset, +1, S::kModerate},
    {"cutoff_voltage_V", kOnset, -1, S::kStrong},
    {"li_charged", kOnset, +1, S::kStrong},
    {"electrolyte_class", kOnset, -1, S::kModerate},
    {"scan_rate_C_per_min", kOnset, +1, S::kStrong},
    {"electrolyte_ratio", kOnset, 0, S::kNone},
    // --- peak_C
    {"ni", kPeak, -1, S::kStrong},
    {"co", kPeak, +1, S::kStrong},
    {"mn", kPeak, +1, S::kStrong},
    {"al", kPeak, +1, S::kModerate},
    {"li", kPeak, -1, S::kModerate},
    {"radius_tm_wstd", kPeak, +1, S::kModerate},
    {"cutoff_voltage_V", kPeak, -1, S::kStrong},
    {"li_charged", kPeak, +1, S::kStrong},
    {"electrolyte_class", kPeak, -1, S::kModerate},
    {"scan_rate_C_per_min", kPeak, +1, S::kStrong},
    {"electrolyte_ratio", kPeak, 0, S::kNone},
    // --- max_heat_flow_W_per_g (log10)
    {"ni", kPower, +1, S::kStrong},
    {"co", kPower, -1, S::kStrong},
    {"mn", kPower, -1, S::kStrong},
    {"al", kPower, -1, S::kWeak},
    {"cutoff_voltage_V", kPower, +1, S::kModerate},
    {"li_charged", kPower, -1, S::kModerate},
    {"electrolyte_class", kPower, +1, S::kStrong},
    {"electrolyte_ratio", kPower, +1, S::kStrong},
    {"scan_rate_C_per_min", kPower, +1, S::kStrong},
    {"li", kPower, 0, S::kNone},
    {"radius_tm_wstd", kPower, 0, S::kNone},
    // --- total_heat_J_per_g
    {"ni", kHeat, +1, S::kStrong},
    {"co", kHeat, -1, S::kStrong},
    {"mn", kHeat, -1, S::kStrong},
    {"al", kHeat, -1, S::kWeak},
    {"cutoff_voltage_V", kHeat, +1, S::kModerate},
    {"li_charged", kHeat, -1, S::kModerate},
    {"electrolyte_class", kHeat, +1, S::kStrong},
    {"electrolyte_ratio", kHeat, +1, S::kModerate},
    {"scan_rate_C_per_min", kHeat, 0, S::kNone},
    {"li", kHeat, 0, S::kNone},
    {"radius_tm_wstd", kHeat, 0, S::kNone},
    // --- no effect on any target: decoys, crucible (a proxy of electrolyte), the recipe
    {"decoy_*", kOnset, 0, S::kNone},
    {"decoy_*", kPeak, 0, S::kNone},
    {"decoy_*", kPower, 0, S::kNone},
    {"decoy_*", kHeat, 0, S::kNone},
    {"crucible", kOnset, 0, S::kNone},
    {"crucible", kPeak, 0, S::kNone},
    {"crucible", kPower, 0, S::kNone},
    {"crucible", kHeat, 0, S::kNone},
    {"active_frac", kOnset, 0, S::kNone},
    {"active_frac", kPeak, 0, S::kNone},
    {"active_frac", kPower, 0, S::kNone},
    {"active_frac", kHeat, 0, S::kNone},
    {"carbon_frac", kOnset, 0, S::kNone},
    {"carbon_frac", kPeak, 0, S::kNone},
    {"carbon_frac", kPower, 0, S::kNone},
    {"carbon_frac", kHeat, 0, S::kNone},
    {"binder_frac", kOnset, 0, S::kNone},
    {"binder_frac", kPeak, 0, S::kNone},
    {"binder_frac", kPower, 0, S::kNone},
    {"binder_frac", kHeat, 0, S::kNone},
};

}  // namespace

std::span<const GroundTruthEffect> ground_truth_effects() noexcept { return kEffects; }

std::string_view to_string(EffectStrength strength) noexcept {
  switch (strength) {
    case EffectStrength::kNone:
      return "none";
    case EffectStrength::kWeak:
      return "weak";
    case EffectStrength::kModerate:
      return "moderate";
    case EffectStrength::kStrong:
      return "strong";
  }
  return "";
}

}  // namespace thermex::synth
