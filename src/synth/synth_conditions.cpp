// Measurement conditions and simulated studies (data/SYNTH.md, "Conditions" and "Studies").
#include <array>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "synth_internal.hpp"

namespace thermex::synth::detail {
namespace {

constexpr std::array<double, 6> kStudySizeWeights{0.30, 0.15, 0.20, 0.15, 0.10, 0.10};
// Scan rates of a Kissinger study, in the order its samples use them.
constexpr std::array<double, 6> kKissingerRates{2, 5, 10, 20, 1, 15};

void draw_electrolyte(math::PhiloxStream& s, Conditions& c) {
  static constexpr std::array<const char*, 5> kCarbonate{
      "1 M LiPF6 in EC:DMC 1:1 (v/v)", "1 M LiPF6 in EC:DEC 1:1 (v/v)",
      "1.2 M LiPF6 in EC:EMC 3:7 (w/w)", "1 M LiPF6 in EC:DMC:DEC 1:1:1 (v/v)",
      "1 M LiPF6 in EC:EMC:DMC 1:1:1 (v/v)"};
  static constexpr std::array<const char*, 2> kSolvent{"EC:DMC 1:1 (v/v), no salt",
                                                       "EC only (no salt)"};
  static constexpr std::array<const char*, 2> kOther{"1 M LiTFSI in EC:DMC 1:1 (v/v)",
                                                     "1 M LiBOB in EC:EMC 3:7 (w/w)"};
  static constexpr std::array<const char*, 5> kAdditive{"", "none", "2 wt% VC", "10 wt% FEC",
                                                        "1 wt% VC + 1 wt% FEC"};
  c.electrolyte = true;
  switch (pick(s, std::array<double, 4>{0.85, 0.08, 0.02, 0.05})) {
    case 0:
      c.electrolyte_class = ElectrolyteClass::kCarbonateLiPF6;
      c.electrolyte_composition =
          kCarbonate[pick(s, std::array<double, 5>{0.35, 0.2, 0.25, 0.1, 0.1})];
      break;
    case 1:
      c.electrolyte_class = ElectrolyteClass::kSolventOnly;
      c.electrolyte_composition = kSolvent[s.below(kSolvent.size())];
      break;
    case 2:
      c.electrolyte_class = ElectrolyteClass::kSaltOnly;
      c.electrolyte_composition = "LiPF6 (solid salt, no solvent)";
      break;
    default:
      c.electrolyte_class = ElectrolyteClass::kOther;
      c.electrolyte_composition = kOther[s.below(kOther.size())];
      break;
  }
  const std::size_t additive = pick(s, std::array<double, 5>{0.40, 0.25, 0.15, 0.12, 0.08});
  if (c.electrolyte_class != ElectrolyteClass::kSaltOnly) c.additive = kAdditive[additive];
  // Ratios: round values as often stated, else log-uniform over 0.1 .. 1.5 g/g.
  static constexpr std::array<double, 4> kRoundRatios{0.2, 0.3, 0.5, 1.0};
  if (s.uniform() < 0.4) {
    c.electrolyte_ratio = kRoundRatios[s.below(kRoundRatios.size())];
  } else {
    c.electrolyte_ratio = round_decimals(0.1 * std::pow(15.0, s.uniform()), 2);
  }
}

// Electrode recipes (active/carbon/binder mass fractions, each summing to 1).
void draw_recipe(math::PhiloxStream& s, Conditions& c) {
  struct Recipe {
    double active, carbon, binder;
  };
  static constexpr std::array<Recipe, 7> kRecipes{{{1.0, 0.0, 0.0},
                                                   {0.8, 0.1, 0.1},
                                                   {0.9, 0.05, 0.05},
                                                   {0.94, 0.03, 0.03},
                                                   {0.92, 0.04, 0.04},
                                                   {0.85, 0.075, 0.075},
                                                   {0.96, 0.02, 0.02}}};
  static constexpr std::array<double, 7> kWeights{0.10, 0.25, 0.20, 0.15, 0.10, 0.10, 0.10};
  const Recipe r = kRecipes[pick(s, kWeights)];
  // Chemically delithiated samples are powders without carbon or binder.
  const bool powder = c.charge_method == ChargeMethod::kChemical;
  c.active_frac = powder ? 1.0 : r.active;
  c.carbon_frac = powder ? 0.0 : r.carbon;
  c.binder_frac = powder ? 0.0 : r.binder;
}

// Rows of a study depend on the study plan and on their own stream only.
StudyPlan draw_plan(std::uint64_t seed, std::uint64_t id, std::size_t first_row, int size) {
  StudyPlan p;
  p.id = id;
  p.first_row = first_row;
  p.size = size;
  auto s = make_stream(seed, StreamTag::kStudyPlan, id);
  p.family = draw_family(s);
  p.composition = draw_composition(s, p.family);
  p.series_dopant_z = draw_dopant(s);
  if (size > 1) {
    p.design =
        static_cast<Design>(1 + pick(s, std::array<double, 5>{0.30, 0.25, 0.20, 0.15, 0.10}));
  }
  const MaterialClass cls = material_class_of(p.composition.composition);
  p.conditions = draw_conditions(s, cls, p.design == Design::kElectrolyte);
  auto noise = make_stream(seed, StreamTag::kStudyNoise, id);
  p.lab_onset = truncated_normal(noise);
  p.lab_log10_power = truncated_normal(noise);
  p.lab_ln_heat = truncated_normal(noise);
  return p;
}

// The complete record of one sample: provenance marks it SYNTHETIC, the study is the "paper".
DscRecord make_record(std::uint64_t seed, const StudyPlan& study, std::size_t row,
                      CompositionDraw comp, Conditions c) {
  DscRecord r;
  r.record_id = fmt::format("syn-{:06d}", row + 1);
  r.origin = DataOrigin::kSynthetic;
  r.source_doi = fmt::format("synthetic:thermex-synth/seed={}/study={}", seed, study.id + 1);
  r.where_in_source = fmt::format("sample {} of synthetic study {} ({})", row - study.first_row + 1,
                                  study.id + 1, design_name(study.design));
  r.read_from = "generated by thermex synth; not read from any source";
  r.material_class = material_class_of(comp.composition);
  r.formula = std::move(comp.formula);
  r.composition = comp.composition;
  r.dopants = std::move(comp.dopants);
  r.coating = std::move(c.coating);
  r.charge_method = c.charge_method;
  r.li_charged = c.li_charged;
  r.cutoff_voltage_V = c.cutoff_voltage_V;
  r.washed = c.washed;
  r.electrolyte_present = c.electrolyte ? Tristate::kYes : Tristate::kNo;
  r.electrolyte_ratio = c.electrolyte_ratio;
  r.electrolyte_class = c.electrolyte_class;
  r.electrolyte_composition = std::move(c.electrolyte_composition);
  r.additive = std::move(c.additive);
  r.method = ThermalMethod::kDsc;
  r.crucible = c.crucible;
  r.scan_rate_C_per_min = c.scan_rate_C_per_min;
  r.active_frac = c.active_frac;
  r.carbon_frac = c.carbon_frac;
  r.binder_frac = c.binder_frac;
  r.onset_definition = c.onset_definition;
  r.peak_definition = c.peak_definition;
  r.heat_basis = c.heat_basis;
  r.notes = "SYNTHETIC record (thermex synth); targets follow the ground truth in data/SYNTH.md";
  return r;
}

}  // namespace

double draw_cutoff_V(math::PhiloxStream& s, MaterialClass cls) {
  if (cls == MaterialClass::kLiRich) {
    static constexpr std::array<double, 3> kV{4.6, 4.7, 4.8};
    return kV[pick(s, std::array<double, 3>{0.3, 0.3, 0.4})];
  }
  static constexpr std::array<double, 7> kV{4.2, 4.25, 4.3, 4.35, 4.4, 4.5, 4.6};
  if (cls == MaterialClass::kLco) {
    return kV[pick(s, std::array<double, 7>{0.35, 0.0, 0.2, 0.0, 0.2, 0.15, 0.1})];
  }
  return kV[pick(s, std::array<double, 7>{0.15, 0.05, 0.35, 0.05, 0.15, 0.15, 0.1})];
}

void remove_electrolyte(Conditions& c) {
  c.electrolyte = false;
  c.electrolyte_ratio.reset();
  c.electrolyte_class = ElectrolyteClass::kNone;
  c.electrolyte_composition.clear();
  c.additive.clear();
  if (c.washed == Tristate::kNo) c.washed = Tristate::kYes;
}

Conditions draw_conditions(math::PhiloxStream& s, MaterialClass cls, bool force_electrolyte) {
  Conditions c;
  const bool chemical = cls != MaterialClass::kLiRich && s.uniform() < 0.10;
  if (chemical) {
    c.charge_method = ChargeMethod::kChemical;
    c.li_charged = round_decimals(0.2 + 0.4 * s.uniform(), 2);
  } else {
    c.charge_method = ChargeMethod::kElectrochemical;
    c.cutoff_voltage_V = draw_cutoff_V(s, cls);
  }
  if (force_electrolyte || s.uniform() < 0.65) {
    draw_electrolyte(s, c);
    c.washed = std::array{Tristate::kYes, Tristate::kNo,
                          Tristate::kUnknown}[pick(s, std::array<double, 3>{0.35, 0.45, 0.20})];
    // Sealed pans are the norm with liquid electrolyte (it would evaporate from open pans).
    c.crucible = std::array{Crucible::kSealed, Crucible::kOpen,
                            Crucible::kUnknown}[pick(s, std::array<double, 3>{0.75, 0.10, 0.15})];
  } else {
    remove_electrolyte(c);
    c.washed = s.uniform() < 0.75 ? Tristate::kYes : Tristate::kUnknown;
    c.crucible = std::array{Crucible::kSealed, Crucible::kOpen,
                            Crucible::kUnknown}[pick(s, std::array<double, 3>{0.30, 0.50, 0.20})];
  }
  static constexpr std::array<double, 5> kRates{10, 5, 2, 20, 1};
  c.scan_rate_C_per_min = kRates[pick(s, std::array<double, 5>{0.45, 0.30, 0.10, 0.10, 0.05})];
  draw_recipe(s, c);
  c.onset_definition =
      std::array{OnsetDefinition::kBaseline, OnsetDefinition::kTangent,
                 OnsetDefinition::kUnspecified}[pick(s, std::array<double, 3>{0.35, 0.40, 0.25})];
  c.peak_definition =
      std::array{PeakDefinition::kFirst, PeakDefinition::kStrongest,
                 PeakDefinition::kUnspecified}[pick(s, std::array<double, 3>{0.55, 0.15, 0.30})];
  c.heat_basis =
      std::array{HeatBasis::kOxide, HeatBasis::kElectrode,
                 HeatBasis::kUnspecified}[pick(s, std::array<double, 3>{0.55, 0.30, 0.15})];
  static constexpr std::array<const char*, 4> kCoatings{"Al2O3 (1 wt%)", "Li3PO4 (2 wt%)", "ZrO2",
                                                        "Li2ZrO3 (1 wt%)"};
  if (s.uniform() < 0.08) c.coating = kCoatings[s.below(kCoatings.size())];
  return c;
}

std::vector<StudyPlan> plan_studies(std::uint64_t seed, std::size_t rows) {
  std::vector<StudyPlan> plans;
  std::size_t next = 0;
  for (std::uint64_t id = 0; next < rows; ++id) {
    auto s = make_stream(seed, StreamTag::kStudySize, id);
    const int size = 1 + static_cast<int>(pick(s, kStudySizeWeights));
    plans.push_back(draw_plan(seed, id, next, size));
    next += static_cast<std::size_t>(size);
  }
  return plans;
}

const char* design_name(Design d) noexcept {
  switch (d) {
    case Design::kSingle:
      return "single sample";
    case Design::kComposition:
      return "composition series";
    case Design::kVoltage:
      return "cutoff-voltage series";
    case Design::kScanRate:
      return "scan-rate (Kissinger) series";
    case Design::kElectrolyte:
      return "with/without electrolyte";
    case Design::kIndependent:
      return "compiled conditions";
  }
  return "";
}

DscRecord draw_row(std::uint64_t seed, const StudyPlan& study, std::size_t row) {
  const auto position = static_cast<int>(row - study.first_row);
  auto s = make_stream(seed, StreamTag::kRowConditions, row);
  CompositionDraw comp = study.composition;
  Conditions c = study.conditions;
  switch (study.design) {
    case Design::kSingle:
      break;
    case Design::kComposition:
      // Ni-series papers compare families; LCO / Li-rich / NM papers compare doping levels.
      if (study.family == Family::kLco || study.family == Family::kLiRich ||
          study.family == Family::kNm) {
        comp = doped_composition(study.family, study.series_dopant_z, 0.01 * position);
      } else {
        comp = draw_composition(s, draw_nickel_series_family(s));
      }
      break;
    case Design::kVoltage:
      if (c.charge_method == ChargeMethod::kChemical) {
        c.li_charged = round_decimals(0.2 + 0.4 * s.uniform(), 2);
      } else {
        c.cutoff_voltage_V = draw_cutoff_V(s, material_class_of(comp.composition));
      }
      break;
    case Design::kScanRate:
      c.scan_rate_C_per_min =
          kKissingerRates[static_cast<std::size_t>(position) % kKissingerRates.size()];
      break;
    case Design::kElectrolyte:
      if (position % 2 == 1) remove_electrolyte(c);
      break;
    case Design::kIndependent:
      comp = draw_composition(s, draw_family(s));
      c = draw_conditions(s, material_class_of(comp.composition), false);
      break;
  }
  return make_record(seed, study, row, std::move(comp), std::move(c));
}

}  // namespace thermex::synth::detail
