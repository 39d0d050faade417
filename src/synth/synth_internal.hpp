#pragma once
// Private to src/synth: random helpers, the simulated-study plan and the per-row draws shared
// by the generator's translation units. The equations and distributions are documented in
// data/SYNTH.md; keep the two in step.

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <optional>
#include <string>
#include <vector>

#include "thermex/dsc_record.hpp"
#include "thermex/math/philox.hpp"
#include "thermex/synth.hpp"

namespace thermex::synth::detail {

// Sub-streams: the Philox id is (tag << 40) | index, so the streams of different roles never
// overlap for up to 2^40 rows or studies, and each role can change (e.g. more decoys) without
// shifting the draws of the others.
enum class StreamTag : std::uint64_t {
  kStudySize = 1,      // index = study
  kStudyPlan = 2,      // index = study
  kStudyNoise = 3,     // index = study: the "lab" random effects
  kRowConditions = 4,  // index = row
  kRowNoise = 5,       // index = row
  kRowMask = 6,        // index = row
  kRowDecoys = 7,      // index = row
};

inline math::PhiloxStream make_stream(std::uint64_t seed, StreamTag tag, std::uint64_t index) {
  return {seed, math::RngPurpose::kSynth, (static_cast<std::uint64_t>(tag) << 40) | index};
}

// Standard normal by Box–Muller (one normal per two uniforms; the sine half is discarded so
// the stream position never depends on earlier calls' parity).
inline double normal(math::PhiloxStream& s) {
  const double u1 = s.uniform_open0();
  const double u2 = s.uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

// Standard normal truncated to [-3, 3] by rejection, so a rare draw cannot leave the
// schema's physical ranges.
inline double truncated_normal(math::PhiloxStream& s) {
  for (;;) {
    const double z = normal(s);
    if (std::abs(z) <= 3.0) return z;
  }
}

// Index drawn with probability proportional to weights[k] (weights sum to > 0).
template <std::size_t N>
std::size_t pick(math::PhiloxStream& s, const std::array<double, N>& weights) {
  double total = 0;
  for (double w : weights) total += w;
  const double u = s.uniform() * total;
  double acc = 0;
  for (std::size_t k = 0; k < N; ++k) {
    acc += weights[k];
    if (u < acc) return k;
  }
  return N - 1;  // u rounds up to the total only through floating point
}

// x rounded to `decimals` decimal places as the nearest double to the decimal text, so the
// value survives a shortest-round-trip CSV write and read unchanged (0 <= decimals <= 15).
inline double round_decimals(double x, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(x * scale) / scale;
}

// --- compositions (synth_composition.cpp)

// Literature composition families (data/SYNTH.md, "Compositions").
enum class Family {
  kLco,
  kNcm111,
  kNcm523,
  kNcm532,
  kNcm622,
  kNcm811,
  kNcm955,
  kNca,
  kLiRich,
  kLno,
  kNm
};

// One composition: parsed SiteComposition, the formula text and free-text dopants.
struct CompositionDraw {
  math::SiteComposition composition;
  std::string formula;
  std::string dopants;  // text-only dopant ("Zr (level not stated)"), not in the formula
};

Family draw_family(math::PhiloxStream& s);
// Families of a Ni-content series paper (NCM111 ... NCM955, NCA, LNO).
Family draw_nickel_series_family(math::PhiloxStream& s);
// A composition of `family`: optional jitter, optional dopant, formula via format_formula and
// parse_formula so the record's composition is exactly what import would parse.
CompositionDraw draw_composition(math::PhiloxStream& s, Family family);
// `family` doped with `level` (atoms per formula unit) of element `z` (0 or level 0: undoped).
CompositionDraw doped_composition(Family family, int z, double level);
// A dopant for doping-series studies (Al, Mg, Ti or Zr atomic number).
int draw_dopant(math::PhiloxStream& s);

// --- conditions (synth_conditions.cpp)

// How a simulated study varies its samples.
enum class Design { kSingle, kComposition, kVoltage, kScanRate, kElectrolyte, kIndependent };

// The measurement conditions of one sample (everything but composition and targets).
struct Conditions {
  ChargeMethod charge_method = ChargeMethod::kElectrochemical;
  std::optional<double> cutoff_voltage_V;
  std::optional<double> li_charged;
  Tristate washed = Tristate::kUnknown;
  bool electrolyte = false;
  std::optional<double> electrolyte_ratio;
  ElectrolyteClass electrolyte_class = ElectrolyteClass::kNone;
  std::string electrolyte_composition;
  std::string additive;
  Crucible crucible = Crucible::kUnknown;
  double scan_rate_C_per_min = 10;
  double active_frac = 1, carbon_frac = 0, binder_frac = 0;
  OnsetDefinition onset_definition = OnsetDefinition::kUnspecified;
  PeakDefinition peak_definition = PeakDefinition::kUnspecified;
  HeatBasis heat_basis = HeatBasis::kUnspecified;
  std::string coating;
};

// A simulated paper: rows [first_row, first_row + size) share its composition family,
// conditions and lab effects, except what its design varies.
struct StudyPlan {
  std::uint64_t id = 0;  // 0-based study index
  std::size_t first_row = 0;
  int size = 1;  // drawn size; the last study may be cut short by `rows`
  Design design = Design::kSingle;
  Family family = Family::kNcm111;
  CompositionDraw composition;
  int series_dopant_z = 0;  // doping-series studies
  Conditions conditions;
  double lab_onset = 0, lab_log10_power = 0, lab_ln_heat = 0;  // standard normals
};

// Studies covering rows [0, rows): sizes come from per-study streams, so the plan of the first
// studies does not depend on `rows`.
std::vector<StudyPlan> plan_studies(std::uint64_t seed, std::size_t rows);

// The complete (unmasked) record of row `row` of `study`: provenance, composition, class and
// conditions; targets and decoys left empty.
DscRecord draw_row(std::uint64_t seed, const StudyPlan& study, std::size_t row);

// Conditions drawn afresh for material class `cls` (used by plans and independent rows).
// `force_electrolyte`: electrolyte present (electrolyte-comparison studies).
Conditions draw_conditions(math::PhiloxStream& s, MaterialClass cls, bool force_electrolyte);
// Makes `c` a dry sample (electrolyte absent), keeping the rest.
void remove_electrolyte(Conditions& c);
// Cutoff voltage for a class (Li-rich higher), V.
double draw_cutoff_V(math::PhiloxStream& s, MaterialClass cls);
// "single sample", "composition series", ... for where_in_source.
const char* design_name(Design d) noexcept;

// --- ground truth internals (synth_truth.cpp)

// The pieces of the ground truth the generator adds noise to (data/SYNTH.md equations).
struct TruthParts {
  double base_onset_C = 0;   // T_b: baseline-definition onset
  double onset_shift_C = 0;  // delta_def: onset-definition offset
  double gap_C = 0;          // peak - T_b, > 0
  double log10_power = 0;    // L
  double total_heat = 0;     // H, J/g
};
TruthParts truth_parts(const DscRecord& record);

// Noise sds before truncation: row parts and per-study "lab" parts.
struct NoiseParts {
  double onset_row_C = 0, onset_lab_C = 0;
  double gap_ln = 0;                    // sd of the log of the peak-gap factor
  double power_row = 0, power_lab = 0;  // decades
  double heat_row = 0, heat_lab = 0;    // natural-log units
};
NoiseParts noise_parts(const DscRecord& record, double noise_scale);

}  // namespace thermex::synth::detail
