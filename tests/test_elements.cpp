// Element tables: the embedded CSVs load, the README's verification values come back, the spin
// column is handled as the README warns, and the oxidation-state conventions resolve.
#include <gtest/gtest.h>

#include <string>

#include "thermex/composition.hpp"
#include "thermex/elements.hpp"
#include "thermex/error.hpp"

namespace thermex {
namespace {

constexpr int kLi = 3, kO = 8, kF = 9, kAl = 13, kS = 16, kMn = 25, kCo = 27, kNi = 28;

TEST(ElementTable, LoadsEmbeddedTables) {
  const ElementTable& t = ElementTable::instance();
  EXPECT_EQ(t.elements().size(), 34u);  // data/elements/README.md: 34 elements
  EXPECT_EQ(t.shannon().size(), 206u);  // and 206 Shannon rows
  EXPECT_EQ(&t, &ElementTable::instance());
  const ElementInfo* ni = t.find("Ni");
  ASSERT_NE(ni, nullptr);
  EXPECT_EQ(ni->z, kNi);
  EXPECT_EQ(ni->name, "Nickel");
  EXPECT_DOUBLE_EQ(ni->pauling_en, 1.91);
  EXPECT_DOUBLE_EQ(t.at(kCo).pauling_en, 1.88);
  EXPECT_DOUBLE_EQ(t.at(kMn).pauling_en, 1.55);
  EXPECT_DOUBLE_EQ(t.at(kAl).pauling_en, 1.61);
  EXPECT_DOUBLE_EQ(t.at(kLi).atomic_mass, 6.941);
  ASSERT_EQ(t.at(kMn).common_oxidation_states.size(), 3u);
  EXPECT_EQ(t.at(kMn).common_oxidation_states[2], 7);
  EXPECT_EQ(t.find("Xx"), nullptr);
  EXPECT_EQ(t.find(1), nullptr);
  EXPECT_THROW(t.at(1), Error);
  for (std::size_t i = 1; i < t.elements().size(); ++i) {
    EXPECT_LT(t.elements()[i - 1].z, t.elements()[i].z) << "index " << i;
  }
}

TEST(ElementTable, ReadmeVerificationRadii) {
  const ElementTable& t = ElementTable::instance();
  struct Case {
    int z, ox;
    SpinState spin;
    double radius;
  };
  const Case cases[] = {
      {kNi, 4, SpinState::kNone, 0.48},  // only "Low Spin" exists
      {kNi, 4, SpinState::kLow, 0.48},   {kCo, 4, SpinState::kNone, 0.53},  // only "High Spin"
      {kCo, 4, SpinState::kHigh, 0.53},  {kMn, 4, SpinState::kNone, 0.53},
      {kMn, 4, SpinState::kLow, 0.53},  // no spin alternative: the unlabelled entry
      {kNi, 2, SpinState::kNone, 0.69},  {kNi, 3, SpinState::kLow, 0.56},
      {kNi, 3, SpinState::kHigh, 0.60},  {kCo, 3, SpinState::kLow, 0.545},
      {kCo, 3, SpinState::kHigh, 0.61},  {kLi, 1, SpinState::kNone, 0.76},
      {kAl, 3, SpinState::kNone, 0.535},
  };
  for (std::size_t i = 0; i < std::size(cases); ++i) {
    const auto& c = cases[i];
    EXPECT_DOUBLE_EQ(t.ionic_radius_A(c.z, c.ox, "VI", c.spin), c.radius) << "case " << i;
  }
  const auto o = t.shannon_entry(kO, -2, "VI", SpinState::kNone);
  ASSERT_TRUE(o.has_value());
  EXPECT_DOUBLE_EQ(o->crystal_radius_A, 1.26);
  EXPECT_DOUBLE_EQ(o->ionic_radius_A, 1.40);
}

TEST(ElementTable, AmbiguousOrMissingSpinIsRefused) {
  const ElementTable& t = ElementTable::instance();
  // Two spin entries and no unlabelled one: the request must name the spin.
  EXPECT_FALSE(t.shannon_entry(kNi, 3, "VI", SpinState::kNone).has_value());
  EXPECT_FALSE(t.shannon_entry(kCo, 3, "VI", SpinState::kNone).has_value());
  EXPECT_THROW(t.ionic_radius_A(kNi, 3, "VI", SpinState::kNone), Error);
  // Co4+ VI has only a high-spin entry: low spin does not exist.
  EXPECT_FALSE(t.shannon_entry(kCo, 4, "VI", SpinState::kLow).has_value());
  EXPECT_FALSE(t.shannon_entry(kNi, 5, "VI", SpinState::kNone).has_value());
  EXPECT_FALSE(t.shannon_entry(kNi, 2, "XII", SpinState::kNone).has_value());
}

TEST(ElementTable, MalformedCsvIsInputError) {
  const std::string eh = "element,Z,atomic_mass,pauling_en,common_oxidation_states,name\n";
  const std::string sh =
      "element,oxidation_state,coordination,spin,crystal_radius_A,ionic_radius_A\n";
  EXPECT_NO_THROW(
      ElementTable::from_csv(eh + "Ni,28,58.69,1.91,2,Nickel\n", sh + "Ni,2,VI,,0.83,0.69\n"));
  EXPECT_THROW(ElementTable::from_csv(eh + "Ni,x,58.69,1.91,2,Nickel\n", sh), InputError);
  EXPECT_THROW(ElementTable::from_csv(eh + "Ni,28,58.69,1.91,2\n", sh), InputError);
  EXPECT_THROW(ElementTable::from_csv("element,Z\nNi,28\n", sh), InputError);
  EXPECT_THROW(
      ElementTable::from_csv(eh + "Ni,28,58.69,1.91,2,Nickel\n", sh + "Co,2,VI,,0.83,0.69\n"),
      InputError);
  EXPECT_THROW(ElementTable::from_csv(eh + "Ni,28,58.69,1.91,2,Nickel\n",
                                      sh + "Ni,2,VI,Medium Spin,0.83,0.69\n"),
               InputError);
  EXPECT_THROW(ElementTable::from_csv(eh + "Ni,28,58.69,1.91,2,Nickel\nNi,28,1,1,2,Nickel\n", sh),
               InputError);
}

TEST(OxidationConvention, NamesRoundTrip) {
  EXPECT_EQ(to_string(OxidationConvention::kCharged), "charged");
  EXPECT_EQ(to_string(OxidationConvention::kPristine), "pristine");
  EXPECT_EQ(parse_oxidation_convention("pristine"), OxidationConvention::kPristine);
  EXPECT_EQ(parse_oxidation_convention("charged"), OxidationConvention::kCharged);
  EXPECT_FALSE(parse_oxidation_convention("Charged").has_value());
}

TEST(OxidationConvention, ChargedIonsAreTheReadmeValues) {
  const SiteComposition c = parse_formula("LiNi0.8Co0.1Mn0.1O2");
  const auto ni = tm_ion_properties(c, kNi, OxidationConvention::kCharged);
  EXPECT_DOUBLE_EQ(ni.radius_A, 0.48);
  EXPECT_DOUBLE_EQ(ni.charge, 4.0);
  EXPECT_NEAR(ni.phi_per_A, 8.3333, 5e-5);  // README: 4/0.48 = 8.3333 Å^-1
  EXPECT_DOUBLE_EQ(ni.pauling_en, 1.91);
  const auto co = tm_ion_properties(c, kCo, OxidationConvention::kCharged);
  EXPECT_DOUBLE_EQ(co.radius_A, 0.53);
  EXPECT_NEAR(co.phi_per_A, 7.5472, 5e-5);
  const auto mn = tm_ion_properties(c, kMn, OxidationConvention::kCharged);
  EXPECT_DOUBLE_EQ(mn.radius_A, 0.53);
  EXPECT_NEAR(mn.phi_per_A, 7.5472, 5e-5);
  const auto al =
      tm_ion_properties(parse_formula("LiNi0.95Al0.05O2"), kAl, OxidationConvention::kCharged);
  EXPECT_DOUBLE_EQ(al.radius_A, 0.535);
  EXPECT_DOUBLE_EQ(al.charge, 3.0);
}

TEST(OxidationConvention, PristineNickelBalancesCharge) {
  // LiNiO2: Ni3+ LS.
  const SiteComposition lno = parse_formula("LiNiO2");
  EXPECT_DOUBLE_EQ(pristine_nickel_state(lno), 3.0);
  auto ni = tm_ion_properties(lno, kNi, OxidationConvention::kPristine);
  EXPECT_DOUBLE_EQ(ni.radius_A, 0.56);
  EXPECT_DOUBLE_EQ(ni.phi_per_A, 3.0 / 0.56);
  // NCM111: Mn4+ 1/3 and Co3+ 1/3 leave 3 - 4/3 - 1 = 2/3 for Ni 1/3: Ni2+.
  const SiteComposition ncm111 = parse_formula("LiNi1/3Co1/3Mn1/3O2");
  EXPECT_NEAR(pristine_nickel_state(ncm111), 2.0, 1e-12);
  ni = tm_ion_properties(ncm111, kNi, OxidationConvention::kPristine);
  EXPECT_NEAR(ni.radius_A, 0.69, 1e-12);
  // NCM811: (3 - 0.1*3 - 0.1*4)/0.8 = 2.875, so 12.5 % Ni2+ and 87.5 % Ni3+ LS:
  // radius 0.125*0.69 + 0.875*0.56 = 0.57625; phi 0.125*2/0.69 + 0.875*3/0.56 = 5.04984...
  const SiteComposition ncm811 = parse_formula("LiNi0.8Co0.1Mn0.1O2");
  EXPECT_NEAR(pristine_nickel_state(ncm811), 2.875, 1e-12);
  ni = tm_ion_properties(ncm811, kNi, OxidationConvention::kPristine);
  EXPECT_NEAR(ni.radius_A, 0.57625, 1e-12);
  EXPECT_NEAR(ni.charge, 2.875, 1e-12);
  EXPECT_NEAR(ni.phi_per_A, 0.125 * 2.0 / 0.69 + 0.875 * 3.0 / 0.56, 1e-12);
  const auto co = tm_ion_properties(ncm811, kCo, OxidationConvention::kPristine);
  EXPECT_DOUBLE_EQ(co.radius_A, 0.545);
  const auto mn = tm_ion_properties(ncm811, kMn, OxidationConvention::kPristine);
  EXPECT_DOUBLE_EQ(mn.radius_A, 0.53);
  // Li-rich Li1.2Ni0.13Co0.13Mn0.54O2: (2.8/0.8 - 0.1625*3 - 0.675*4)/0.1625 = 1.923 -> Ni2+.
  EXPECT_DOUBLE_EQ(pristine_nickel_state(parse_formula("Li1.2Ni0.13Co0.13Mn0.54O2")), 2.0);
  // No Ni: 3 by definition.
  EXPECT_DOUBLE_EQ(pristine_nickel_state(parse_formula("LiCoO2")), 3.0);
}

TEST(OxidationConvention, EveryTmSiteElementResolvesInBothConventions) {
  const ElementTable& t = ElementTable::instance();
  for (const auto& e : t.elements()) {
    if (e.z == kLi || e.z == kO || e.z == kF || e.z == kS) {
      EXPECT_THROW(tm_ion_state(e.z, OxidationConvention::kCharged), Error) << e.symbol;
      continue;
    }
    SiteComposition c;
    c.count = 1;
    c.z[0] = static_cast<std::uint8_t>(e.z);
    c.fraction[0] = 1.0;
    for (const auto conv : {OxidationConvention::kCharged, OxidationConvention::kPristine}) {
      IonProperties p;
      ASSERT_NO_THROW(p = tm_ion_properties(c, e.z, conv)) << e.symbol;
      EXPECT_GT(p.radius_A, 0.0) << e.symbol;
      EXPECT_GT(p.charge, 0.0) << e.symbol;
      EXPECT_NEAR(p.phi_per_A, p.charge / p.radius_A, 1e-12) << e.symbol;
    }
  }
}

}  // namespace
}  // namespace thermex
