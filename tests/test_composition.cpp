// Formula parsing: good formulas against hand-written compositions, bad ones against the reason
// they must be refused, canonical formatting and round trips.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "thermex/composition.hpp"

namespace thermex {
namespace {

struct Expected {
  const char* symbol;
  double fraction;  // normalised TM-site fraction
};

struct GoodCase {
  const char* formula;
  double li;
  double site_total;
  std::vector<Expected> site;  // in the order written
};

const std::vector<GoodCase>& good_cases() {
  static const std::vector<GoodCase> cases = {
      {"LiNi0.8Co0.1Mn0.1O2", 1.0, 1.0, {{"Ni", 0.8}, {"Co", 0.1}, {"Mn", 0.1}}},
      // Li-rich: raw TM sum 0.8, normalised by it (0.13/0.8 = 0.1625, 0.54/0.8 = 0.675).
      {"Li1.2Ni0.13Co0.13Mn0.54O2", 1.2, 0.8, {{"Ni", 0.1625}, {"Co", 0.1625}, {"Mn", 0.675}}},
      {"LiNi1/3Co1/3Mn1/3O2", 1.0, 1.0, {{"Ni", 1.0 / 3}, {"Co", 1.0 / 3}, {"Mn", 1.0 / 3}}},
      {"Li[Ni0.8Co0.15Al0.05]O2", 1.0, 1.0, {{"Ni", 0.8}, {"Co", 0.15}, {"Al", 0.05}}},
      {"LiCoO2", 1.0, 1.0, {{"Co", 1.0}}},
      {"LiNiO2", 1.0, 1.0, {{"Ni", 1.0}}},
      {"LiNi0.8Co0.1Mn0.08Al0.02O2",
       1.0,
       1.0,
       {{"Ni", 0.8}, {"Co", 0.1}, {"Mn", 0.08}, {"Al", 0.02}}},
      {"Li(Ni0.6Co0.2Mn0.2)O2", 1.0, 1.0, {{"Ni", 0.6}, {"Co", 0.2}, {"Mn", 0.2}}},
      {"  Li Ni0.5 Co0.2 Mn0.3 O2 ", 1.0, 1.0, {{"Ni", 0.5}, {"Co", 0.2}, {"Mn", 0.3}}},
      {"LiNi 1 / 3 Co1/3Mn1/3O2", 1.0, 1.0, {{"Ni", 1.0 / 3}, {"Co", 1.0 / 3}, {"Mn", 1.0 / 3}}},
      // Li on the TM site in bracket notation adds to the Li content.
      {"Li[Li0.2Ni0.13Co0.13Mn0.54]O2", 1.2, 0.8, {{"Ni", 0.1625}, {"Co", 0.1625}, {"Mn", 0.675}}},
      // A bracket multiplier scales the group.
      {"Li(Ni0.4Co0.1)2O2", 1.0, 1.0, {{"Ni", 0.8}, {"Co", 0.2}}},
      {"LiNi0.9Co0.05Mn0.05O1.95", 1.0, 1.0, {{"Ni", 0.9}, {"Co", 0.05}, {"Mn", 0.05}}},
      {"NiO2", 0.0, 1.0, {{"Ni", 1.0}}},
      {"O2LiCo", 1.0, 1.0, {{"Co", 1.0}}},
      // Off-stoichiometric TM sum is normalised, site_total keeps it.
      {"LiNi0.5Mn0.45O2", 1.0, 0.95, {{"Ni", 0.5 / 0.95}, {"Mn", 0.45 / 0.95}}},
      {"LiNi0.7Co0.1Mn0.1Ti0.05Zr0.03Mg0.02O2",
       1.0,
       1.0,
       {{"Ni", 0.7}, {"Co", 0.1}, {"Mn", 0.1}, {"Ti", 0.05}, {"Zr", 0.03}, {"Mg", 0.02}}},
  };
  return cases;
}

TEST(CompositionParse, GoodFormulas) {
  for (std::size_t i = 0; i < good_cases().size(); ++i) {
    const auto& g = good_cases()[i];
    SCOPED_TRACE(std::string("case ") + std::to_string(i) + ": " + g.formula);
    SiteComposition c;
    ASSERT_NO_THROW(c = parse_formula(g.formula));
    EXPECT_NEAR(c.li, g.li, 1e-12);
    EXPECT_NEAR(c.site_total, g.site_total, 1e-12);
    ASSERT_EQ(c.count, static_cast<int>(g.site.size()));
    double sum = 0.0;
    for (int k = 0; k < c.count; ++k) {
      EXPECT_EQ(element_symbol(c.z[k]), g.site[static_cast<std::size_t>(k)].symbol) << "slot " << k;
      EXPECT_NEAR(c.fraction[k], g.site[static_cast<std::size_t>(k)].fraction, 1e-12)
          << "slot " << k;
      sum += c.fraction[k];
    }
    EXPECT_NEAR(sum, 1.0, 1e-12);
  }
}

struct BadCase {
  const char* formula;
  const char* reason_part;  // must appear in FormulaError::reason()
};

TEST(CompositionParse, BadFormulasAreRefusedWithReason) {
  const std::vector<BadCase> cases = {
      {"", "no oxygen"},
      {"LiXxO2", "unknown element 'Xx'"},
      {"LiNi0.8Co0.1Mn0.1", "no oxygen"},
      {"LiCoO", "O amount 1 is not ~2"},
      {"LiCoO3", "O amount 3"},
      {"LiCoO1.8", "O amount 1.8"},
      {"LiNi-0.8Co0.2O2", "negative amount"},
      {"LiNi0Co1O2", "zero amount for Ni"},
      {"LiNi1/0Co0.5O2", "division by zero"},
      {"LiNi1/Co0.5O2", "fraction without a denominator"},
      {"Li[]O2", "empty brackets"},
      {"LiO2", "empty TM site"},
      {"LiNi0.2Co0.1Mn0.1Al0.1Mg0.1Ti0.1Zr0.1W0.1Nb0.1O2", "more than 8 elements"},
      {"LiNi0.5Ni0.5O2", "duplicated element Ni"},
      {"LiCoO2O0", "zero amount for O"},
      {"LiCoO1O1", "duplicated element O"},
      {"LiLi0.2CoO2", "duplicated element Li"},
      {"Li1.6Ni0.8Co0.2O2", "Li amount 1.6 outside"},
      {"LiNi0.3Co0.1O2", "sum to 0.4"},
      {"LiNi0.8Co0.4O2", "sum to 1.2"},
      {"LiNi0.8Co0.1Mn0.1O2#", "unexpected character '#'"},
      {"LiNi1.2.3O2", "malformed number '1.2.3'"},
      {"LiNi.5Mn.5O2", "malformed number '.5'"},
      {"LiNi0.5Mn0.5.O2", "malformed number '0.5.'"},
      {"Li2(Ni0.5Mn0.5O2", "unclosed bracket"},
      {"LiNi0.5Mn0.5)O2", "unbalanced bracket"},
      {"Li[Ni0.5(Mn0.5)]O2", "nested brackets"},
      {"Li[Ni0.5Mn0.5)O2", "unbalanced bracket"},
      {"0.5LiCoO2", "number without an element"},
      {"LiCoO2F0.1", "anion F"},
      {"licoo2", "unexpected character 'l'"},
      {"LiNi0.8Co0.1Mn0.1e3O2", "unexpected character 'e'"},
      {"LiCo\x01O2", "byte 0x01"},
      {"LiNi0.00000000000000000000000001Co1O2", "number too long"},
      {"Li1/31333333333333Co0.3Mn0.4O2", "of Li is below 1e-6"},
      {"LiCo[Ni0.001]0.0001O2", "of Ni is below 1e-6"},
      {"LiNi1e400O2", "unexpected character 'e'"},
      // Fuzzer findings: a zero multiplier after a group must not leave zero fractions.
      {"LiNi0.8Co0.2[Al]0O2", "zero multiplier after brackets"},
      {"B[Mn]0O2", "zero multiplier after brackets"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& b = cases[i];
    SCOPED_TRACE(std::string("case ") + std::to_string(i) + ": " + b.formula);
    try {
      parse_formula(b.formula);
      ADD_FAILURE() << "accepted a bad formula";
    } catch (const FormulaError& e) {
      EXPECT_NE(e.reason().find(b.reason_part), std::string::npos) << "reason: " << e.reason();
      EXPECT_EQ(e.formula(), b.formula);
      EXPECT_NE(std::string(e.what()).find(e.reason()), std::string::npos);
    }
  }
}

TEST(CompositionParse, HugeAmountIsRefusedBySum) {
  EXPECT_THROW(parse_formula("LiNi99999999999999999999O2"), FormulaError);
  EXPECT_THROW(parse_formula("LiNi1/0.0000001O2"), FormulaError);
}

// Every input either parses into a composition that satisfies the SiteComposition invariants or
// throws FormulaError; anything else (another exception, a crash) fails the test.
void expect_parses_sanely_or_throws(const std::string& s, int* parsed) {
  try {
    const SiteComposition c = parse_formula(s);
    ++*parsed;
    ASSERT_GE(c.count, 1) << s;
    ASSERT_LE(c.count, math::kMaxSiteElements) << s;
    double sum = 0.0;
    for (int k = 0; k < c.count; ++k) {
      ASSERT_GT(c.fraction[k], 0.0) << s;
      for (int j = 0; j < k; ++j) ASSERT_NE(c.z[j], c.z[k]) << s;
      sum += c.fraction[k];
    }
    ASSERT_NEAR(sum, 1.0, 1e-9) << s;
  } catch (const FormulaError&) {
  }
}

TEST(CompositionParse, MutatedAndRandomBytesNeverCrash) {
  std::string alphabet = "LiNiCoMnAlO0123456789./[]() -\t\xffXxZr";
  alphabet += '\0';
  int parsed = 0;
  // Every single-byte substitution of every good formula.
  for (const auto& g : good_cases()) {
    const std::string base = g.formula;
    for (std::size_t pos = 0; pos < base.size(); ++pos) {
      for (const char ch : alphabet) {
        std::string s = base;
        s[pos] = ch;
        expect_parses_sanely_or_throws(s, &parsed);
      }
    }
  }
  // Substitutions such as a digit for a digit keep many formulas valid; if none parsed, the
  // parser would be refusing good input.
  EXPECT_GT(parsed, 100);
  // Random strings over the same alphabet (a fixed LCG, so the test is deterministic).
  std::uint64_t state = 12345;
  for (int n = 0; n < 20000; ++n) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    const auto len = static_cast<std::size_t>((state >> 33) % 24);
    std::string s;
    for (std::size_t k = 0; k < len; ++k) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      s += alphabet[static_cast<std::size_t>((state >> 33) % alphabet.size())];
    }
    expect_parses_sanely_or_throws(s, &parsed);
  }
}

TEST(CompositionFormat, CanonicalFormulas) {
  EXPECT_EQ(format_formula(parse_formula("LiNi0.8Co0.1Mn0.1O2")), "LiNi0.8Co0.1Mn0.1O2");
  EXPECT_EQ(format_formula(parse_formula("Li(Mn0.1Co0.1Ni0.8)O2")), "LiNi0.8Co0.1Mn0.1O2");
  EXPECT_EQ(format_formula(parse_formula("Li[Ni0.8Co0.15Al0.05]O2")), "LiNi0.8Co0.15Al0.05O2");
  EXPECT_EQ(format_formula(parse_formula("LiCoO2")), "LiCoO2");
  EXPECT_EQ(format_formula(parse_formula("Li1.2Ni0.13Co0.13Mn0.54O2")),
            "Li1.2Ni0.13Co0.13Mn0.54O2");
  EXPECT_EQ(format_formula(parse_formula("LiNi1/3Co1/3Mn1/3O2")),
            "LiNi0.333333333333Co0.333333333333Mn0.333333333333O2");
  EXPECT_EQ(format_formula(parse_formula("LiMg0.02Ni0.98O2")), "LiNi0.98Mg0.02O2");
  EXPECT_EQ(format_formula(parse_formula("NiO2")), "NiO2");
  // Fuzzer finding: tiny amounts must print in fixed notation, which the parser reads back.
  EXPECT_NE(format_formula(parse_formula("CrCo0.00008O2")).find("0.00008"), std::string::npos);
  for (const char* f :
       {"CrCo0.00008O2", "Li1/33113CoO2", "Li[La0.000002Mo0.4Co0.1]O2", "Li1/999999Co0.3Mn0.7O2"}) {
    const SiteComposition a = parse_formula(f);
    const SiteComposition b = parse_formula(format_formula(a));
    ASSERT_EQ(a.count, b.count) << f;
    for (int k = 0; k < a.count; ++k) {
      EXPECT_NEAR(a.fraction[k], math::site_fraction(b, a.z[k]), 1e-12) << f << " slot " << k;
    }
    EXPECT_NEAR(a.li, b.li, 1e-12 * (1 + a.li)) << f;
  }
}

TEST(CompositionFormat, RoundTrips) {
  for (std::size_t i = 0; i < good_cases().size(); ++i) {
    const SiteComposition a = parse_formula(good_cases()[i].formula);
    const SiteComposition b = parse_formula(format_formula(a));
    EXPECT_NEAR(a.li, b.li, 1e-11) << "case " << i;
    EXPECT_NEAR(a.site_total, b.site_total, 1e-11) << "case " << i;
    ASSERT_EQ(a.count, b.count) << "case " << i;
    for (int k = 0; k < a.count; ++k) {
      EXPECT_NEAR(math::site_fraction(b, a.z[k]), a.fraction[k], 1e-11)
          << "case " << i << " slot " << k;
    }
  }
}

TEST(CompositionElements, SymbolsAndNumbers) {
  EXPECT_EQ(atomic_number("Ni"), 28);
  EXPECT_EQ(atomic_number("Li"), 3);
  EXPECT_EQ(atomic_number("Al"), 13);
  EXPECT_EQ(atomic_number("Xx"), 0);
  EXPECT_EQ(atomic_number(""), 0);
  EXPECT_EQ(atomic_number("ni"), 0);
  EXPECT_EQ(element_symbol(27), "Co");
  EXPECT_EQ(element_symbol(0), "");
  EXPECT_EQ(element_symbol(-4), "");
  EXPECT_EQ(element_symbol(200), "");
}

}  // namespace
}  // namespace thermex
