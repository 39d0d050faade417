// Compositions of the synthetic database: literature families, jitter, dopants, the material
// class rule and the TM radius statistic the ground truth uses (data/SYNTH.md, "Compositions").
#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "synth_internal.hpp"
#include "thermex/composition.hpp"
#include "thermex/error.hpp"

namespace thermex::synth {
namespace {

constexpr int kNi = 28, kCo = 27, kMn = 25, kAl = 13, kMg = 12, kTi = 22, kZr = 40;

// Shannon effective ionic radii (Å, coordination VI) of the charged-state ions, from
// data/elements/shannon_radii.csv (Shannon 1976); tests/test_synth.cpp cross-checks them.
struct IonRadius {
  int z;
  double radius_A;
};
constexpr std::array<IonRadius, 7> kChargedRadii{{
    {kNi, 0.48},   // Ni4+ VI, low spin
    {kCo, 0.53},   // Co4+ VI, high spin
    {kMn, 0.53},   // Mn4+ VI
    {kAl, 0.535},  // Al3+ VI
    {kMg, 0.72},   // Mg2+ VI
    {kTi, 0.605},  // Ti4+ VI
    {kZr, 0.72},   // Zr4+ VI
}};

// Amounts per formula unit on the TM sublattice (sum = site total), before normalisation.
struct TmMix {
  TmMix() = default;
  TmMix(double li_amount, std::vector<std::pair<int, double>> tm_amounts,
        std::string as_written = {})
      : li(li_amount), amounts(std::move(tm_amounts)), written(std::move(as_written)) {}
  double li = 1.0;
  std::vector<std::pair<int, double>> amounts;
  std::string written;  // formula as papers write it ("" = format_formula's canonical text)
  double total() const {
    double t = 0;
    for (const auto& [z, a] : amounts) t += a;
    return t;
  }
};

TmMix base_mix(detail::Family family, std::size_t li_rich_variant) {
  using detail::Family;
  constexpr double kThird = 1.0 / 3.0;
  switch (family) {
    case Family::kLco:
      return {1.0, {{kCo, 1.0}}};
    case Family::kNcm111:
      return {1.0, {{kNi, kThird}, {kCo, kThird}, {kMn, kThird}}, "LiNi1/3Co1/3Mn1/3O2"};
    case Family::kNcm523:
      return {1.0, {{kNi, 0.5}, {kCo, 0.2}, {kMn, 0.3}}};
    case Family::kNcm532:
      return {1.0, {{kNi, 0.5}, {kCo, 0.3}, {kMn, 0.2}}};
    case Family::kNcm622:
      return {1.0, {{kNi, 0.6}, {kCo, 0.2}, {kMn, 0.2}}};
    case Family::kNcm811:
      return {1.0, {{kNi, 0.8}, {kCo, 0.1}, {kMn, 0.1}}};
    case Family::kNcm955:
      return {1.0, {{kNi, 0.9}, {kCo, 0.05}, {kMn, 0.05}}};
    case Family::kNca:
      return {1.0, {{kNi, 0.8}, {kCo, 0.15}, {kAl, 0.05}}};
    case Family::kLno:
      return {1.0, {{kNi, 1.0}}};
    case Family::kNm:
      return {1.0, {{kNi, 0.5}, {kMn, 0.5}}};
    case Family::kLiRich:
      if (li_rich_variant == 1) return {1.2, {{kNi, 0.2}, {kMn, 0.6}}};
      if (li_rich_variant == 2) return {1.2, {{kNi, 0.16}, {kCo, 0.08}, {kMn, 0.56}}};
      return {1.2, {{kNi, 0.13}, {kCo, 0.13}, {kMn, 0.54}}};
  }
  return {};
}

// Amounts rounded to `decimals`, the largest absorbing the rounding so the total is kept.
void round_amounts(TmMix& mix, int decimals) {
  const double total = mix.total();
  double rounded = 0;
  for (auto& [z, a] : mix.amounts) {
    a = detail::round_decimals(a, decimals);
    rounded += a;
  }
  auto largest = std::max_element(mix.amounts.begin(), mix.amounts.end(),
                                  [](const auto& x, const auto& y) { return x.second < y.second; });
  largest->second = detail::round_decimals(largest->second + (total - rounded), decimals);
}

// Small off-stoichiometry as papers report it (LiNi0.83Co0.11Mn0.06O2): each amount moves by
// N(0, 0.02), stays >= 0.02 so the family keeps its elements, and is rounded to 0.01 with the
// largest amount absorbing the rounding so the site total is unchanged.
void jitter(TmMix& mix, math::PhiloxStream& s) {
  mix.written.clear();
  const double total = mix.total();
  double moved = 0;
  for (auto& [z, a] : mix.amounts) {
    a = std::max(0.02, a + 0.02 * detail::normal(s));
    moved += a;
  }
  for (auto& [z, a] : mix.amounts) a *= total / moved;
  round_amounts(mix, 2);
}

// Replaces `level` atoms of the site by element z, taken from the others in proportion; amounts
// are then written with three decimals (LiNi0.792Co0.099Mn0.099Al0.01O2).
void dope(TmMix& mix, int z, double level) {
  mix.written.clear();
  const double total = mix.total();
  for (auto& [zz, a] : mix.amounts) a *= (total - level) / total;
  bool merged = false;
  for (auto& [zz, a] : mix.amounts) {
    if (zz == z) {
      a += level;
      merged = true;
    }
  }
  if (!merged) mix.amounts.emplace_back(z, level);
  round_amounts(mix, 3);
}

detail::CompositionDraw finish(const TmMix& mix, std::string dopants) {
  math::SiteComposition c;
  c.li = mix.li;
  c.site_total = mix.total();
  c.count = static_cast<int>(mix.amounts.size());
  for (int k = 0; k < c.count; ++k) {
    const auto& [z, a] = mix.amounts[static_cast<std::size_t>(k)];
    c.z[k] = static_cast<std::uint8_t>(z);
    c.fraction[k] = a / c.site_total;
  }
  // The record holds what import would parse from the formula text, so a CSV round trip and
  // ground_truth() see the same composition.
  detail::CompositionDraw out;
  out.formula = mix.written.empty() ? format_formula(c) : mix.written;
  out.composition = parse_formula(out.formula);
  out.dopants = std::move(dopants);
  return out;
}

const char* symbol_of(int z) {
  switch (z) {
    case kAl:
      return "Al";
    case kMg:
      return "Mg";
    case kTi:
      return "Ti";
    case kZr:
      return "Zr";
    default:
      return "?";
  }
}

}  // namespace

double tm_radius_std(const math::SiteComposition& composition) {
  double radius[math::kMaxSiteElements] = {};
  double mean = 0;
  for (int k = 0; k < composition.count; ++k) {
    const auto* ion = std::find_if(kChargedRadii.begin(), kChargedRadii.end(),
                                   [&](const IonRadius& r) { return r.z == composition.z[k]; });
    if (ion == kChargedRadii.end()) {
      throw Error("tm_radius_std: no charged-state radius for element Z=" +
                  std::to_string(composition.z[k]) + " (synthetic data uses Ni Co Mn Al Mg Ti Zr)");
    }
    radius[k] = ion->radius_A;
    mean += composition.fraction[k] * radius[k];
  }
  double var = 0;
  for (int k = 0; k < composition.count; ++k) {
    var += composition.fraction[k] * (radius[k] - mean) * (radius[k] - mean);
  }
  return std::sqrt(var);
}

MaterialClass material_class_of(const math::SiteComposition& c) noexcept {
  const double ni = math::site_fraction(c, kNi), co = math::site_fraction(c, kCo);
  const double mn = math::site_fraction(c, kMn), al = math::site_fraction(c, kAl);
  if (c.li >= 1.1 && mn >= 0.4) return MaterialClass::kLiRich;
  if (co >= 0.9) return MaterialClass::kLco;
  if (ni >= 0.95) return MaterialClass::kLno;
  if (ni >= 0.02 && co >= 0.02 && al >= 0.02 && mn < 0.02) return MaterialClass::kNca;
  if (ni >= 0.02 && co >= 0.02 && mn >= 0.02) return MaterialClass::kNcm;
  return MaterialClass::kOther;
}

namespace detail {

Family draw_family(math::PhiloxStream& s) {
  // LCO 111 523 532 622 811 955 NCA Li-rich LNO NM: shares of a literature DSC database
  // around 2025 (Ni-rich over-represented, as in recent thermal-safety work).
  static constexpr std::array<double, 11> kWeights{0.10, 0.12, 0.07, 0.05, 0.11, 0.18,
                                                   0.06, 0.12, 0.10, 0.05, 0.04};
  return static_cast<Family>(pick(s, kWeights));
}

Family draw_nickel_series_family(math::PhiloxStream& s) {
  static constexpr std::array<Family, 8> kSeries{Family::kNcm111, Family::kNcm523, Family::kNcm532,
                                                 Family::kNcm622, Family::kNcm811, Family::kNcm955,
                                                 Family::kNca,    Family::kLno};
  return kSeries[s.below(kSeries.size())];
}

int draw_dopant(math::PhiloxStream& s) {
  static constexpr std::array<int, 4> kDopants{kAl, kMg, kTi, kZr};
  return kDopants[pick(s, std::array<double, 4>{0.35, 0.25, 0.20, 0.20})];
}

CompositionDraw draw_composition(math::PhiloxStream& s, Family family) {
  const std::size_t variant = pick(s, std::array<double, 3>{0.6, 0.2, 0.2});
  TmMix mix = base_mix(family, family == Family::kLiRich ? variant : 0);
  if (mix.amounts.size() > 1 && s.uniform() < 0.3) jitter(mix, s);
  std::string dopants;
  if (s.uniform() < 0.2) {
    const int z = draw_dopant(s);
    const double level =
        0.01 * static_cast<double>(1 + pick(s, std::array<double, 3>{0.4, 0.35, 0.25}));
    // A fifth of doped samples state the dopant only in words: invisible to the features, and
    // (by design) without effect in the ground truth.
    if (s.uniform() < 0.2) {
      dopants = std::string(symbol_of(z)) + " (level not stated)";
    } else {
      dope(mix, z, level);
    }
  }
  return finish(mix, std::move(dopants));
}

CompositionDraw doped_composition(Family family, int z, double level) {
  TmMix mix = base_mix(family, 0);
  if (z != 0 && level > 0) dope(mix, z, level);
  return finish(mix, "");
}

}  // namespace detail
}  // namespace thermex::synth
