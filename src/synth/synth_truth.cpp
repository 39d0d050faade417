// The ground-truth function of the synthetic database and its noise model. Every coefficient
// here appears in data/SYNTH.md ("Ground truth", "Noise"); change both together.
#include <algorithm>
#include <cmath>
#include <string>

#include "synth_internal.hpp"
#include "thermex/error.hpp"

namespace thermex::synth {
namespace {

// Onset contribution of each TM element (°C per unit site fraction): the fraction-weighted
// mean is the onset of a 4.3 V electrode without electrolyte at 10 °C/min. Ni-rich lattices
// release oxygen earliest; Co is intermediate; Mn4+ and Al3+ (and Mg, Ti, Zr) stabilise.
struct ElementOnset {
  int z;
  double onset_C;
};
constexpr std::array<ElementOnset, 7> kElementOnset{{
    {28, 175.0},  // Ni
    {27, 215.0},  // Co
    {25, 300.0},  // Mn
    {13, 320.0},  // Al
    {12, 290.0},  // Mg
    {22, 290.0},  // Ti
    {40, 290.0},  // Zr
}};

constexpr double kOnsetPerSeverity = -45.0;   // °C per V of charge severity s
constexpr double kOnsetNiSeverity = -35.0;    // °C per (Ni fraction x V): Ni-rich suffer more
constexpr double kOnsetPerLiExcess = -50.0;   // °C per Li beyond 1 (Li-rich oxygen redox)
constexpr double kOnsetPerRadiusStd = 500.0;  // °C per Å of tm_radius_std
constexpr double kOnsetElectrolyte = -12.0;   // °C with electrolyte present
constexpr double kOnsetPerLnRate = 7.0;       // °C per e-fold of scan rate
constexpr double kOnsetTangent = 6.0;         // tangent onset above first deviation, °C
constexpr double kOnsetUnspecified = 3.0;     // unstated definition: halfway, °C
constexpr double kGap0 = 30.0;                // peak - onset at Mn = 0 and 10 °C/min, °C
constexpr double kGapPerMn = 0.9;             // ln gap per unit Mn fraction
constexpr double kGapPerLnRate = 0.2;         // ln gap per e-fold of scan rate

constexpr double kPower0 = 0.10;  // log10 W/g
constexpr double kPowerNi = 0.55, kPowerMn = -0.35;
constexpr double kPowerElectrolyte = 0.35, kPowerPerRatio = 0.25;
constexpr double kPowerPerLog10Rate = 0.85;  // power grows almost in proportion to rate
constexpr double kPowerPerSeverity = 0.40;

constexpr double kHeat0 = 520.0;  // J/g
constexpr double kHeatNi = 650.0, kHeatMn = -250.0;
constexpr double kHeatElectrolyte = 380.0, kHeatPerRatio = 220.0;
constexpr double kHeatPerSeverity = 450.0;

// Returns the first missing input of the ground truth, or nullptr when all are present.
const char* missing_input(const DscRecord& r) noexcept {
  if (r.composition.count <= 0) return "composition";
  if (r.electrolyte_present == Tristate::kUnknown) return "electrolyte_present";
  if (r.electrolyte_present == Tristate::kYes && !r.electrolyte_ratio) return "electrolyte_ratio";
  if (!r.scan_rate_C_per_min || !(*r.scan_rate_C_per_min > 0)) return "scan_rate_C_per_min";
  switch (r.charge_method) {
    case ChargeMethod::kElectrochemical:
      if (!r.cutoff_voltage_V) return "cutoff_voltage_V";
      break;
    case ChargeMethod::kChemical:
      if (!r.li_charged) return "li_charged";
      break;
    case ChargeMethod::kUnknown:
      return "charge_method";
  }
  return nullptr;
}

void require_inputs(const DscRecord& r) {
  if (const char* field = missing_input(r)) {
    throw Error("synth ground truth of record '" + r.record_id + "': missing " + field);
  }
}

// Charge severity s, in volts: cutoff - 4.3 V, or for chemical delithiation 0.5 - x (one
// volt per unit of Li removed beyond Li0.5, so Li0.2 ranks like a 4.6 V charge).
double severity_V(const DscRecord& r) {
  return r.charge_method == ChargeMethod::kChemical ? 0.5 - *r.li_charged
                                                    : *r.cutoff_voltage_V - 4.3;
}

double crucible_noise_factor(Crucible c) {
  switch (c) {
    case Crucible::kOpen:
      return 1.5;  // electrolyte evaporates unevenly from open pans
    case Crucible::kUnknown:
      return 1.25;
    case Crucible::kSealed:
      return 1.0;
  }
  return 1.0;
}

}  // namespace

namespace detail {

TruthParts truth_parts(const DscRecord& r) {
  require_inputs(r);
  const auto& c = r.composition;
  double mix_C = 0;
  for (int k = 0; k < c.count; ++k) {
    const auto* e = std::find_if(kElementOnset.begin(), kElementOnset.end(),
                                 [&](const ElementOnset& x) { return x.z == c.z[k]; });
    if (e == kElementOnset.end()) {
      throw Error("synth ground truth of record '" + r.record_id + "': element Z=" +
                  std::to_string(c.z[k]) + " is not in the synthetic element set");
    }
    mix_C += c.fraction[k] * e->onset_C;
  }
  const double ni = math::site_fraction(c, 28), mn = math::site_fraction(c, 25);
  const double s = severity_V(r);
  const double e = r.electrolyte_present == Tristate::kYes ? 1.0 : 0.0;
  const double ratio = e > 0 ? *r.electrolyte_ratio : 0.0;
  const double ln_rate = std::log(*r.scan_rate_C_per_min / 10.0);

  TruthParts t;
  t.base_onset_C = mix_C + kOnsetPerSeverity * s + kOnsetNiSeverity * ni * s +
                   kOnsetPerLiExcess * (c.li - 1.0) + kOnsetPerRadiusStd * tm_radius_std(c) +
                   kOnsetElectrolyte * e + kOnsetPerLnRate * ln_rate;
  t.onset_shift_C = r.onset_definition == OnsetDefinition::kTangent       ? kOnsetTangent
                    : r.onset_definition == OnsetDefinition::kUnspecified ? kOnsetUnspecified
                                                                          : 0.0;
  t.gap_C = kGap0 * std::exp(kGapPerMn * mn + kGapPerLnRate * ln_rate);
  t.log10_power = kPower0 + kPowerNi * ni + kPowerMn * mn + kPowerElectrolyte * e +
                  kPowerPerRatio * ratio + kPowerPerLog10Rate * ln_rate / std::log(10.0) +
                  kPowerPerSeverity * s;
  // Heats are generated on the oxide basis whatever heat_basis says (SYNTH.md): the feature
  // table has no heat_basis column, so a basis effect would be unexplainable variance.
  t.total_heat = kHeat0 + kHeatNi * ni + kHeatMn * mn + kHeatElectrolyte * e +
                 kHeatPerRatio * ratio + kHeatPerSeverity * s;
  return t;
}

NoiseParts noise_parts(const DscRecord& r, double noise_scale) {
  require_inputs(r);
  const double ni = math::site_fraction(r.composition, 28);
  const double f = noise_scale * crucible_noise_factor(r.crucible);
  NoiseParts n;
  n.onset_row_C = f * (5.0 + 7.0 * ni);
  n.onset_lab_C = noise_scale * 4.0;
  n.gap_ln = noise_scale * 0.15;
  n.power_row = f * (0.08 + 0.06 * ni);
  n.power_lab = noise_scale * 0.04;
  n.heat_row = f * (0.06 + 0.05 * ni);
  n.heat_lab = noise_scale * 0.03;
  return n;
}

}  // namespace detail

bool has_ground_truth_inputs(const DscRecord& record) noexcept {
  return missing_input(record) == nullptr;
}

GroundTruth ground_truth(const DscRecord& record) {
  const detail::TruthParts t = detail::truth_parts(record);
  return {.onset_C = t.base_onset_C + t.onset_shift_C,
          .peak_C = t.base_onset_C + t.gap_C,
          .log10_max_heat_flow = t.log10_power,
          .total_heat_J_per_g = t.total_heat};
}

NoiseSd noise_sd(const DscRecord& record, double noise_scale) {
  const detail::TruthParts t = detail::truth_parts(record);
  const detail::NoiseParts n = detail::noise_parts(record, noise_scale);
  const double onset = std::hypot(n.onset_row_C, n.onset_lab_C);
  // exp(eta) - 1 ~ eta for the small gap noise: the peak sd adds gap * sd(eta).
  return {.onset_C = onset,
          .peak_C = std::hypot(onset, t.gap_C * n.gap_ln),
          .log10_max_heat_flow = std::hypot(n.power_row, n.power_lab),
          .ln_total_heat = std::hypot(n.heat_row, n.heat_lab)};
}

}  // namespace thermex::synth
