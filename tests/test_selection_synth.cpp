// Screening recovers the documented ground truth of the synthetic database (issue 4,
// "Correctness beyond unit tests"; data/SYNTH.md "Recovery expectations"): over 10 seeds the
// decoys are dropped and the strong main-effect drivers are kept, for each target. The rates
// are printed; data/SCREENING.md records the measured values.
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "thermex/features.hpp"
#include "thermex/selection.hpp"
#include "thermex/synth.hpp"

namespace thermex {
namespace {

// Ground-truth target name -> feature-table target. Power is screened on its log10, the scale
// on which the ground truth is defined (data/SYNTH.md).
const std::map<std::string, std::string, std::less<>> kTargets{
    {"onset_C", "onset_C"},
    {"peak_C", "peak_C"},
    {"max_heat_flow_W_per_g", "log10_max_heat_flow"},
    {"total_heat_J_per_g", "total_heat_J_per_g"}};

// A ground-truth feature is a column name or a one-hot group; it is kept when any of its
// columns is.
bool feature_kept(const Table& table, const Selection& s, std::string_view feature) {
  for (const auto& name : s.kept) {
    const ColumnMeta& m = table.meta(table.index_of(name));
    if (m.name == feature || (!m.group.empty() && m.group == feature)) return true;
  }
  return false;
}

// data/SYNTH.md "Must be found": the electrolyte counts as found through the group and/or
// electrolyte_ratio (the ratio is 0 for dry samples, so it carries the presence too; the
// Spearman priority keeps the condition over a correlated one-hot level).
bool must_find_kept(const Table& table, const Selection& s, std::string_view feature) {
  if (feature == "electrolyte_class") {
    return feature_kept(table, s, feature) || feature_kept(table, s, "electrolyte_ratio");
  }
  return feature_kept(table, s, feature);
}

std::vector<std::string_view> must_find(std::string_view target) {
  std::vector<std::string_view> f{"ni", "mn", "electrolyte_class"};
  if (target == "onset_C" || target == "peak_C") {
    f.insert(f.end(), {"cutoff_voltage_V", "scan_rate_C_per_min"});
  }
  if (target == "max_heat_flow_W_per_g") f.push_back("scan_rate_C_per_min");
  return f;
}

struct Tally {
  int hits = 0;
  int trials = 0;
  void add(bool hit) {
    hits += hit ? 1 : 0;
    ++trials;
  }
  double rate() const { return trials ? static_cast<double>(hits) / trials : 0.0; }
};

std::ostream& operator<<(std::ostream& os, const Tally& t) {
  return os << t.hits << "/" << t.trials;
}

TEST(SelectionSynth, RecoversDriversAndDropsDecoysOverTenSeeds) {
  SelectionOptions options;
  options.null.shuffles = 30;  // the default is 100; 30 keeps the test short
  options.null.forest.n_trees = 50;
  std::map<std::string, Tally> decoys, drivers, must;  // per ground-truth target
  std::map<std::string, Tally> per_driver;             // per "target/feature"
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    const FeatureResult f = featurize(synth::synthesize({.rows = 600, .seed = seed}));
    const Context ctx =
        Context::create({.device = DeviceRequest::kCpu, .seed = seed, .quiet = true});
    for (const auto& [truth, column] : kTargets) {
      const Selection s = select_features(ctx, f.table, column, options);
      for (int k = 1; k <= 3; ++k) {
        decoys[truth].add(!feature_kept(f.table, s, "decoy_" + std::to_string(k)));
      }
      for (const auto& e : synth::ground_truth_effects()) {
        if (e.target != truth || e.strength != synth::EffectStrength::kStrong) continue;
        const bool kept = feature_kept(f.table, s, e.feature);
        per_driver[truth + "/" + std::string(e.feature)].add(kept);
        // li_charged is reported but not pooled: only the ~10 % chemically delithiated rows
        // carry it (the rest are median-imputed), so its population-level signal is small
        // although its per-record effect is strong. Measured: kept 2/10 (onset), 4/10 (peak).
        if (e.feature != "li_charged") drivers[truth].add(kept);
      }
      for (const auto feature : must_find(truth))
        must[truth].add(must_find_kept(f.table, s, feature));
    }
  }
  for (const auto& [target, t] : decoys) {
    std::cout << "[ recovery ] " << target << ": decoys dropped " << t
              << ", strong drivers kept (without li_charged) " << drivers[target]
              << ", SYNTH.md must-find kept " << must[target] << "\n";
  }
  for (const auto& [key, t] : per_driver)
    std::cout << "[ recovery ]   " << key << " kept " << t << "\n";
  // Thresholds below the measured rates (seeds 1..10, 30 shuffles x 50 trees): decoys 30/30
  // dropped for every target; pooled strong drivers 57/60, 50/50, 49/50, 39/40; must-find
  // 40/40, 50/50, 50/50, 30/30; the weakest single driver is co for power (7/10: ni and mn
  // carry most of its information since the fractions sum to 1).
  for (const auto& [target, t] : decoys) {
    EXPECT_GE(t.rate(), 0.9) << target << ": decoys dropped " << t;
    EXPECT_GE(drivers[target].rate(), 0.85)
        << target << ": strong drivers kept " << drivers[target];
    EXPECT_GE(must[target].rate(), 0.95) << target << ": must-find kept " << must[target];
  }
  for (const auto& [key, t] : per_driver) {
    if (key.ends_with("/li_charged")) continue;
    EXPECT_GE(t.rate(), 0.6) << key << " kept " << t;
  }
}

}  // namespace
}  // namespace thermex
