// Oxidation-state conventions: which ion each TM-site element is, and the charge-balancing
// pristine Ni state (data/FEATURES.md, "Oxidation-state conventions").
#include <string>

#include "thermex/elements.hpp"
#include "thermex/error.hpp"

namespace thermex {
namespace {
constexpr int kNickelZ = 28;
constexpr std::string_view kOctahedral = "VI";

// (Z, charged state, pristine state). The redox-active TM (Mn, Fe, Co, Ni) differ between the
// conventions; every other cation keeps its common oxide state in both. Spins follow the paper:
// Ni4+ low spin and Co4+ high spin (the only VI entries), pristine Co3+ and Ni3+ low spin,
// Fe3+ high spin (as in LiFeO2).
struct IonRule {
  int z;
  IonState charged;
  IonState pristine;
};
constexpr IonRule kIonRules[] = {
    {5, {3, SpinState::kNone}, {3, SpinState::kNone}},   // B3+
    {11, {1, SpinState::kNone}, {1, SpinState::kNone}},  // Na+
    {12, {2, SpinState::kNone}, {2, SpinState::kNone}},  // Mg2+
    {13, {3, SpinState::kNone}, {3, SpinState::kNone}},  // Al3+
    {14, {4, SpinState::kNone}, {4, SpinState::kNone}},  // Si4+
    {15, {5, SpinState::kNone}, {5, SpinState::kNone}},  // P5+
    {19, {1, SpinState::kNone}, {1, SpinState::kNone}},  // K+
    {20, {2, SpinState::kNone}, {2, SpinState::kNone}},  // Ca2+
    {22, {4, SpinState::kNone}, {4, SpinState::kNone}},  // Ti4+
    {23, {5, SpinState::kNone}, {5, SpinState::kNone}},  // V5+
    {24, {3, SpinState::kNone}, {3, SpinState::kNone}},  // Cr3+
    {25, {4, SpinState::kNone}, {4, SpinState::kNone}},  // Mn4+
    {26, {4, SpinState::kNone}, {3, SpinState::kHigh}},  // Fe4+ / Fe3+ HS
    {27, {4, SpinState::kHigh}, {3, SpinState::kLow}},   // Co4+ HS / Co3+ LS
    {28, {4, SpinState::kLow}, {3, SpinState::kLow}},    // Ni4+ LS / nominal Ni3+ LS
    {29, {2, SpinState::kNone}, {2, SpinState::kNone}},  // Cu2+
    {30, {2, SpinState::kNone}, {2, SpinState::kNone}},  // Zn2+
    {31, {3, SpinState::kNone}, {3, SpinState::kNone}},  // Ga3+
    {38, {2, SpinState::kNone}, {2, SpinState::kNone}},  // Sr2+
    {39, {3, SpinState::kNone}, {3, SpinState::kNone}},  // Y3+
    {40, {4, SpinState::kNone}, {4, SpinState::kNone}},  // Zr4+
    {41, {5, SpinState::kNone}, {5, SpinState::kNone}},  // Nb5+
    {42, {6, SpinState::kNone}, {6, SpinState::kNone}},  // Mo6+
    {44, {4, SpinState::kNone}, {4, SpinState::kNone}},  // Ru4+
    {50, {4, SpinState::kNone}, {4, SpinState::kNone}},  // Sn4+
    {51, {5, SpinState::kNone}, {5, SpinState::kNone}},  // Sb5+
    {57, {3, SpinState::kNone}, {3, SpinState::kNone}},  // La3+
    {58, {4, SpinState::kNone}, {4, SpinState::kNone}},  // Ce4+
    {73, {5, SpinState::kNone}, {5, SpinState::kNone}},  // Ta5+
    {74, {6, SpinState::kNone}, {6, SpinState::kNone}},  // W6+
};
}  // namespace

IonState tm_ion_state(int z, OxidationConvention convention) {
  for (const auto& r : kIonRules) {
    if (r.z == z) return convention == OxidationConvention::kCharged ? r.charged : r.pristine;
  }
  const auto* e = ElementTable::instance().find(z);
  throw Error("no TM-site ion defined for " + (e ? e->symbol : "Z=" + std::to_string(z)) +
              " (Li, O and anions are not TM-site cations)");
}

double pristine_nickel_state(const math::SiteComposition& c) {
  const double ni = math::site_fraction(c, kNickelZ);
  if (!(ni > 0.0)) return 3.0;
  // Li_a M_b O2 is neutral when the TM carry 4 - a charges in total, (4 - a)/b per TM site.
  const double per_site = (4.0 - c.li) / c.site_total;
  double others = 0.0;
  for (int k = 0; k < c.count; ++k) {
    if (c.z[k] == kNickelZ) continue;
    others += c.fraction[k] * tm_ion_state(c.z[k], OxidationConvention::kPristine).oxidation_state;
  }
  const double s = (per_site - others) / ni;
  return s < 2.0 ? 2.0 : (s > 3.0 ? 3.0 : s);
}

IonProperties tm_ion_properties(const math::SiteComposition& c, int z,
                                OxidationConvention convention) {
  const ElementTable& table = ElementTable::instance();
  IonProperties p;
  p.pauling_en = table.at(z).pauling_en;
  if (z == kNickelZ && convention == OxidationConvention::kPristine) {
    // Mixed valence: split Ni into Ni2+ and Ni3+ LS and average their radius and phi with the
    // weights of the two species, so fraction-weighted means match the split description.
    const double s = pristine_nickel_state(c);
    const double w3 = s - 2.0;
    const double w2 = 1.0 - w3;
    const double r2 = table.ionic_radius_A(kNickelZ, 2, kOctahedral, SpinState::kNone);
    const double r3 = table.ionic_radius_A(kNickelZ, 3, kOctahedral, SpinState::kLow);
    p.charge = s;
    p.radius_A = w2 * r2 + w3 * r3;
    p.phi_per_A = w2 * (2.0 / r2) + w3 * (3.0 / r3);
    return p;
  }
  const IonState ion = tm_ion_state(z, convention);
  p.charge = ion.oxidation_state;
  p.radius_A = table.ionic_radius_A(z, ion.oxidation_state, kOctahedral, ion.spin);
  p.phi_per_A = p.charge / p.radius_A;
  return p;
}

}  // namespace thermex
