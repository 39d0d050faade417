// The synthetic data follow the documented physics: signs in aggregate, residuals of the size
// the noise model states, heteroscedasticity, pure-noise decoys, MCAR rates, and a ground-truth
// effects table that agrees with the equations (data/SYNTH.md).
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "thermex/composition.hpp"
#include "thermex/synth.hpp"

namespace thermex::synth {
namespace {

constexpr int kNi = 28, kCo = 27, kMn = 25, kAl = 13;

SynthOptions population_options(double missing = 0.10) {
  SynthOptions o;
  o.rows = 5000;
  o.seed = 11;
  o.missing_rate = missing;
  o.target_missing_rate = missing;
  return o;
}

// Least squares with an intercept; returns the coefficients (intercept first).
Eigen::VectorXd regress(const std::vector<std::vector<double>>& x, const std::vector<double>& y) {
  const auto n = static_cast<Eigen::Index>(y.size());
  const auto p = static_cast<Eigen::Index>(x.empty() ? 0 : x[0].size());
  Eigen::MatrixXd a(n, p + 1);
  Eigen::VectorXd b(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    a(i, 0) = 1.0;
    for (Eigen::Index j = 0; j < p; ++j) {
      a(i, j + 1) = x[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)];
    }
    b(i) = y[static_cast<std::size_t>(i)];
  }
  return a.colPivHouseholderQr().solve(b);
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = static_cast<double>(a.size());
  double ma = 0, mb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) ma += a[i] / n, mb += b[i] / n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

std::vector<double> ranks(const std::vector<double>& v) {
  std::vector<std::size_t> order(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return v[a] < v[b]; });
  std::vector<double> r(v.size());
  for (std::size_t k = 0; k < order.size(); ++k) r[order[k]] = static_cast<double>(k);
  return r;
}

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
}

TEST(SynthPhysics, SignsHoldInAggregate) {
  const auto db = synthesize(population_options());
  // Features: ni, mn, al, li, cutoff, electrolyte, ln scan rate (electrochemical rows).
  std::vector<std::vector<double>> x_onset, x_peak, x_power, x_heat;
  std::vector<double> onset, peak, power, heat;
  for (const DscRecord& r : db.records) {
    if (!r.cutoff_voltage_V || !r.scan_rate_C_per_min) continue;
    const double e = r.electrolyte_present == Tristate::kYes ? 1.0 : 0.0;
    const std::vector<double> x{math::site_fraction(r.composition, kNi),
                                math::site_fraction(r.composition, kMn),
                                math::site_fraction(r.composition, kAl),
                                r.composition.li,
                                *r.cutoff_voltage_V,
                                e,
                                std::log(*r.scan_rate_C_per_min)};
    if (r.onset_C) x_onset.push_back(x), onset.push_back(*r.onset_C);
    if (r.peak_C) x_peak.push_back(x), peak.push_back(*r.peak_C);
    if (r.max_heat_flow_W_per_g) {
      x_power.push_back(x), power.push_back(std::log10(*r.max_heat_flow_W_per_g));
    }
    if (r.total_heat_J_per_g) x_heat.push_back(x), heat.push_back(std::log(*r.total_heat_J_per_g));
  }
  ASSERT_GT(onset.size(), 3000u);
  const auto bo = regress(x_onset, onset);
  EXPECT_LT(bo(1), -15.0) << "onset vs Ni (relative to Co, the omitted element)";
  EXPECT_GT(bo(2), 40.0) << "onset vs Mn";
  EXPECT_GT(bo(3), 0.0) << "onset vs Al";
  EXPECT_LT(bo(5), -20.0) << "onset vs cutoff";
  EXPECT_LT(bo(6), 0.0) << "onset vs electrolyte";
  EXPECT_GT(bo(7), 3.0) << "onset vs ln scan rate";
  const auto bp = regress(x_peak, peak);
  EXPECT_LT(bp(1), -15.0) << "peak vs Ni";
  EXPECT_LT(bp(5), -20.0) << "peak vs cutoff";
  // Kissinger: the peak moves up with ln(rate) more than the onset does.
  EXPECT_GT(bp(7), bo(7) + 3.0) << "peak vs ln scan rate";
  const auto bw = regress(x_power, power);
  EXPECT_NEAR(bw(7) * std::log(10.0), 0.85, 0.1) << "log10 power per log10 scan rate";
  EXPECT_GT(bw(6), 0.3) << "log10 power vs electrolyte";
  EXPECT_GT(bw(1), 0.0) << "log10 power vs Ni";
  const auto bh = regress(x_heat, heat);
  EXPECT_NEAR(bh(7), 0.0, 0.02) << "total heat does not depend on scan rate";
  EXPECT_GT(bh(6), 0.2) << "ln heat vs electrolyte";
  EXPECT_GT(bh(5), 0.0) << "ln heat vs cutoff";
}

TEST(SynthPhysics, ObservedTargetsAreTruthPlusDocumentedNoise) {
  const SynthOptions o = population_options();
  const auto observed = synthesize(o);
  const auto complete = synthesize(population_options(0.0));
  const auto truth = synthesize_truth(o);
  double z2[4] = {}, z1[4] = {};
  std::size_t n[4] = {};
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const DscRecord& r = observed.records[i];
    const NoiseSd sd = noise_sd(complete.records[i], 1.0);
    const auto add = [&](int t, bool present, double residual, double s) {
      if (!present) return;
      const double z = residual / s;
      ASSERT_TRUE(std::isfinite(z)) << "row " << i << " target " << t;
      z1[t] += z, z2[t] += z * z, ++n[t];
    };
    add(0, r.onset_C.has_value(), r.onset_C.value_or(0) - truth[i].onset_C, sd.onset_C);
    add(1, r.peak_C.has_value(), r.peak_C.value_or(0) - truth[i].peak_C, sd.peak_C);
    add(2, r.max_heat_flow_W_per_g.has_value(),
        std::log10(r.max_heat_flow_W_per_g.value_or(1)) - truth[i].log10_max_heat_flow,
        sd.log10_max_heat_flow);
    add(3, r.total_heat_J_per_g.has_value(),
        std::log(r.total_heat_J_per_g.value_or(1) / truth[i].total_heat_J_per_g), sd.ln_total_heat);
  }
  for (int t = 0; t < 4; ++t) {
    ASSERT_GT(n[t], 4000u);
    const double mean = z1[t] / static_cast<double>(n[t]);
    const double ms = z2[t] / static_cast<double>(n[t]);
    EXPECT_NEAR(mean, 0.0, 0.08) << "target " << t;
    // Truncation at 3 sd removes ~1.5 % of the variance; the study effect is shared by rows.
    EXPECT_NEAR(ms, 1.0, 0.12) << "target " << t;
  }
}

TEST(SynthPhysics, NoiseFreeOptionReproducesTheTruth) {
  SynthOptions o = population_options(0.0);
  o.rows = 1000;
  o.noise_scale = 0;
  const auto db = synthesize(o);
  const auto truth = synthesize_truth(o);
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const DscRecord& r = db.records[i];
    ASSERT_TRUE(r.onset_C && r.peak_C && r.max_heat_flow_W_per_g && r.total_heat_J_per_g);
    // Only the reporting precision remains: 0.1 °C, 3 significant digits, 1 J/g.
    EXPECT_NEAR(*r.onset_C, truth[i].onset_C, 0.05 + 1e-9) << "row " << i;
    EXPECT_NEAR(*r.peak_C, truth[i].peak_C, 0.05 + 1e-9) << "row " << i;
    EXPECT_NEAR(std::log10(*r.max_heat_flow_W_per_g), truth[i].log10_max_heat_flow, 0.0025)
        << "row " << i;
    EXPECT_NEAR(*r.total_heat_J_per_g, truth[i].total_heat_J_per_g, 0.5 + 1e-9) << "row " << i;
    EXPECT_GT(truth[i].peak_C, truth[i].onset_C) << "row " << i;
  }
}

TEST(SynthPhysics, NoiseGrowsWithNickelAndOpenCrucibles) {
  const auto complete = synthesize(population_options(0.0));
  const auto truth = synthesize_truth(population_options(0.0));
  double ss[2][2] = {}, count[2][2] = {};
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const DscRecord& r = complete.records[i];
    const double ni = math::site_fraction(r.composition, kNi);
    if (r.crucible == Crucible::kUnknown || (ni > 0.4 && ni < 0.75)) continue;
    const int hi_ni = ni >= 0.75 ? 1 : 0, open = r.crucible == Crucible::kOpen ? 1 : 0;
    const double e = *r.onset_C - truth[i].onset_C;
    ss[hi_ni][open] += e * e, count[hi_ni][open] += 1;
  }
  const auto sd = [&](int a, int b) { return std::sqrt(ss[a][b] / count[a][b]); };
  EXPECT_GT(sd(1, 0), 1.2 * sd(0, 0)) << "Ni-rich vs Ni-poor, sealed";
  EXPECT_GT(sd(0, 1), 1.2 * sd(0, 0)) << "open vs sealed, Ni-poor";
}

TEST(SynthPhysics, DecoysAreUncorrelatedWithTargets) {
  const auto db = synthesize(population_options(0.0));
  std::vector<double> onset, power, heat;
  std::vector<std::vector<double>> decoys(3);
  for (const DscRecord& r : db.records) {
    onset.push_back(*r.onset_C);
    power.push_back(std::log10(*r.max_heat_flow_W_per_g));
    heat.push_back(*r.total_heat_J_per_g);
    for (std::size_t k = 0; k < 3; ++k) decoys[k].push_back(r.decoys[k]);
  }
  for (std::size_t k = 0; k < 3; ++k) {
    for (const auto* target : {&onset, &power, &heat}) {
      const double p = pearson(decoys[k], *target);
      const double s = pearson(ranks(decoys[k]), ranks(*target));
      EXPECT_LT(std::abs(p), 0.1) << "decoy_" << k + 1;
      EXPECT_LT(std::abs(s), 0.1) << "decoy_" << k + 1;
    }
  }
  // decoy_1 ~ N(0,1), decoy_2 ~ U(0,1), decoy_3 log-normal.
  EXPECT_NEAR(quantile(decoys[0], 0.5), 0.0, 0.05);
  EXPECT_GE(*std::min_element(decoys[1].begin(), decoys[1].end()), 0.0);
  EXPECT_LT(*std::max_element(decoys[1].begin(), decoys[1].end()), 1.0);
  EXPECT_GT(*std::min_element(decoys[2].begin(), decoys[2].end()), 0.0);
}

TEST(SynthPhysics, MissingRatesMatchTheOptions) {
  for (const double rate : {0.0, 0.1, 0.3}) {
    const auto db = synthesize(population_options(rate));
    double echem = 0, cutoff_missing = 0, rate_missing = 0, onset_missing = 0, heat_missing = 0;
    for (const DscRecord& r : db.records) {
      if (r.charge_method == ChargeMethod::kElectrochemical) {
        echem += 1;
        cutoff_missing += r.cutoff_voltage_V ? 0 : 1;
      }
      rate_missing += r.scan_rate_C_per_min ? 0 : 1;
      onset_missing += r.onset_C ? 0 : 1;
      heat_missing += r.total_heat_J_per_g ? 0 : 1;
    }
    const double n = static_cast<double>(db.records.size());
    EXPECT_NEAR(cutoff_missing / echem, rate, 0.025) << "rate " << rate;
    EXPECT_NEAR(rate_missing / n, rate, 0.025) << "rate " << rate;
    EXPECT_NEAR(onset_missing / n, rate, 0.025) << "rate " << rate;
    EXPECT_NEAR(heat_missing / n, rate, 0.025) << "rate " << rate;
  }
}

TEST(SynthPhysics, SealedCruciblesGoWithElectrolyte) {
  const auto db = synthesize(population_options(0.0));
  double sealed[2] = {}, total[2] = {};
  for (const DscRecord& r : db.records) {
    const int e = r.electrolyte_present == Tristate::kYes ? 1 : 0;
    sealed[e] += r.crucible == Crucible::kSealed ? 1 : 0;
    total[e] += 1;
  }
  EXPECT_GT(total[1], 0.55 * (total[0] + total[1]));
  EXPECT_GT(sealed[1] / total[1], sealed[0] / total[0] + 0.3);
}

// --- the effects table against the equations

// A reference sample: NCM622, 4.3 V, carbonate electrolyte at 0.5 g/g, sealed, 10 °C/min.
DscRecord reference_record() {
  DscRecord r;
  r.record_id = "reference";
  r.formula = "LiNi0.6Co0.2Mn0.2O2";
  r.composition = parse_formula(r.formula);
  r.charge_method = ChargeMethod::kElectrochemical;
  r.cutoff_voltage_V = 4.3;
  r.electrolyte_present = Tristate::kYes;
  r.electrolyte_class = ElectrolyteClass::kCarbonateLiPF6;
  r.electrolyte_ratio = 0.5;
  r.crucible = Crucible::kSealed;
  r.scan_rate_C_per_min = 10;
  r.active_frac = 0.9, r.carbon_frac = 0.05, r.binder_frac = 0.05;
  r.onset_definition = OnsetDefinition::kBaseline;
  r.decoys = {0.0, 0.5, 1.0};
  return r;
}

math::SiteComposition composition(std::vector<std::pair<int, double>> parts, double li = 1.0) {
  math::SiteComposition c;
  c.li = li;
  c.site_total = li > 1.0 ? 2.0 - li : 1.0;
  for (const auto& [z, f] : parts) {
    if (f <= 0) continue;
    c.z[c.count] = static_cast<std::uint8_t>(z);
    c.fraction[c.count++] = f;
  }
  return c;
}

double target_value(const GroundTruth& t, std::string_view target) {
  if (target == "onset_C") return t.onset_C;
  if (target == "peak_C") return t.peak_C;
  if (target == "max_heat_flow_W_per_g") return t.log10_max_heat_flow;
  return t.total_heat_J_per_g;
}

double target_sd(std::string_view target) {
  const DscRecord ref = reference_record();
  const NoiseSd sd = noise_sd(ref, 1.0);
  if (target == "onset_C") return sd.onset_C;
  if (target == "peak_C") return sd.peak_C;
  if (target == "max_heat_flow_W_per_g") return sd.log10_max_heat_flow;
  return sd.ln_total_heat * ground_truth(ref).total_heat_J_per_g;  // J/g at the reference
}

// Population 5 % and 95 % quantiles of a feature over the complete default population.
std::pair<double, double> feature_range(
    const DscDatabase& db, const std::function<std::optional<double>(const DscRecord&)>& value) {
  std::vector<double> v;
  for (const DscRecord& r : db.records) {
    if (const auto x = value(r)) v.push_back(*x);
  }
  return {quantile(v, 0.05), quantile(v, 0.95)};
}

GroundTruth difference(const DscRecord& lo, const DscRecord& hi, double scale = 1.0) {
  const GroundTruth a = ground_truth(lo), b = ground_truth(hi);
  return {scale * (b.onset_C - a.onset_C), scale * (b.peak_C - a.peak_C),
          scale * (b.log10_max_heat_flow - a.log10_max_heat_flow),
          scale * (b.total_heat_J_per_g - a.total_heat_J_per_g)};
}

// Sets `r` to `v` of `feature`; the composition moves exchange with Ni (for `ni`: with equal
// parts Co and Mn; for `li`: the Li-rich TM fractions at Li = v). False for other features.
bool set_composition(const std::string& feature, DscRecord& r, double v) {
  if (feature == "ni") {
    r.composition = composition({{kNi, v}, {kCo, (1 - v) / 2}, {kMn, (1 - v) / 2}});
  } else if (feature == "co" || feature == "mn" || feature == "al") {
    const int z = feature == "co" ? kCo : feature == "mn" ? kMn : kAl;
    r.composition = composition({{kNi, 1 - v}, {z, v}});
  } else if (feature == "li") {
    r.composition = composition({{kNi, 0.1625}, {kCo, 0.1625}, {kMn, 0.675}}, v);
  } else {
    return false;
  }
  return true;
}

std::optional<double> composition_value(const std::string& feature, const DscRecord& r) {
  if (feature == "li") return r.composition.li;
  const int z = feature == "ni" ? kNi : feature == "co" ? kCo : feature == "mn" ? kMn : kAl;
  return math::site_fraction(r.composition, z);
}

// Sets a numeric condition of `r` to `v`; false when `feature` is none.
bool set_condition(const std::string& feature, DscRecord& r, double v) {
  if (feature == "cutoff_voltage_V") {
    r.cutoff_voltage_V = v;
  } else if (feature == "li_charged") {
    r.charge_method = ChargeMethod::kChemical;
    r.cutoff_voltage_V.reset();
    r.li_charged = v;
  } else if (feature == "electrolyte_ratio") {
    r.electrolyte_ratio = v;
  } else if (feature == "scan_rate_C_per_min") {
    r.scan_rate_C_per_min = v;
  } else {
    return false;
  }
  return true;
}

std::optional<double> condition_value(const std::string& feature, const DscRecord& r) {
  if (feature == "cutoff_voltage_V") return r.cutoff_voltage_V;
  if (feature == "li_charged") return r.li_charged;
  if (feature == "electrolyte_ratio") return r.electrolyte_ratio;
  return r.scan_rate_C_per_min;
}

// Mg and Ti have the same onset weight but different radii: the pair isolates the radius
// term; its slope is scaled to the population 5-95 % range of the statistic.
GroundTruth radius_effect(const DscDatabase& pop) {
  DscRecord mg = reference_record(), ti = reference_record();
  mg.composition = parse_formula("LiNi0.6Co0.2Mn0.18Mg0.02O2");
  ti.composition = parse_formula("LiNi0.6Co0.2Mn0.18Ti0.02O2");
  const auto range = feature_range(
      pop, [](const DscRecord& r) { return std::optional(tm_radius_std(r.composition)); });
  return difference(ti, mg,
                    (range.second - range.first) /
                        (tm_radius_std(mg.composition) - tm_radius_std(ti.composition)));
}

// Change of every target when `feature` moves over its population 5-95 % range with the rest
// of the reference sample fixed (data/SYNTH.md, "Recovery expectations", defines each move).
GroundTruth effect_of(const std::string& feature, const DscDatabase& pop) {
  if (feature == "radius_tm_wstd") return radius_effect(pop);
  DscRecord lo = reference_record(), hi = reference_record();
  DscRecord probe = reference_record();
  if (set_composition(feature, probe, 0.5)) {
    const auto range =
        feature_range(pop, [&](const DscRecord& r) { return composition_value(feature, r); });
    set_composition(feature, lo, range.first);
    set_composition(feature, hi, range.second);
  } else if (set_condition(feature, probe, 0.5)) {
    const auto range =
        feature_range(pop, [&](const DscRecord& r) { return condition_value(feature, r); });
    set_condition(feature, lo, range.first);
    set_condition(feature, hi, range.second);
  } else if (feature == "electrolyte_class") {
    // Dry versus electrolyte present, the ratio term held at 0.
    lo.electrolyte_present = Tristate::kNo;
    lo.electrolyte_class = ElectrolyteClass::kNone;
    lo.electrolyte_ratio.reset();
    hi.electrolyte_ratio = 0.0;
  } else if (feature == "crucible") {
    hi.crucible = Crucible::kOpen;
  } else if (feature == "active_frac" || feature == "carbon_frac" || feature == "binder_frac") {
    hi.active_frac = 0.8, hi.carbon_frac = 0.1, hi.binder_frac = 0.1;
    hi.heat_basis = HeatBasis::kElectrode;
  } else if (feature == "decoy_*") {
    hi.decoys = {3.0, 0.9, 20.0};
  } else {
    ADD_FAILURE() << "no move defined for feature " << feature;
  }
  return difference(lo, hi);
}

EffectStrength strength_of(double ratio) {
  if (ratio == 0.0) return EffectStrength::kNone;
  if (ratio >= 2.0) return EffectStrength::kStrong;
  if (ratio >= 0.75) return EffectStrength::kModerate;
  return EffectStrength::kWeak;
}

TEST(SynthPhysics, EffectsTableMatchesTheEquations) {
  const auto pop = synthesize(population_options(0.0));
  const auto effects = ground_truth_effects();
  ASSERT_GT(effects.size(), 40u);
  for (const GroundTruthEffect& e : effects) {
    const std::string where = std::string(e.feature) + " -> " + std::string(e.target);
    EXPECT_EQ(e.sign == 0, e.strength == EffectStrength::kNone) << where;
    const double delta = target_value(effect_of(std::string(e.feature), pop), e.target);
    ASSERT_TRUE(std::isfinite(delta)) << where;
    const double ratio = std::abs(delta) / target_sd(e.target);
    const int sign = delta > 0 ? 1 : delta < 0 ? -1 : 0;
    EXPECT_EQ(sign, e.sign) << where << ": change " << delta;
    EXPECT_EQ(to_string(strength_of(ratio)), to_string(e.strength))
        << where << ": change / noise sd = " << ratio;
  }
}

}  // namespace
}  // namespace thermex::synth
