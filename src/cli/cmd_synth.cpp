// `thermex synth [--rows N] [--seed S] [--decoys K] [--missing-rate R] [--target-missing-rate R]
// [--noise-scale X] -o synth.csv`: writes the SYNTHETIC DSC database of data/SYNTH.md as CSV
// (data/SCHEMA.md), or as the HDF5 database when the output ends in .h5, and prints a short
// summary. --seed is the global option, so `thermex synth --seed 7` and `thermex --seed 7
// synth` are the same.
#include <array>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "commands.hpp"
#include "thermex/dsc_csv.hpp"
#include "thermex/dsc_enums.hpp"
#include "thermex/dsc_h5.hpp"
#include "thermex/sha256.hpp"
#include "thermex/synth.hpp"

namespace thermex::cli {
namespace {

struct SynthCommandOptions {
  synth::SynthOptions synth;
  std::string output;
};

// Share of missing cells over the condition fields that MCAR masks, and over the targets.
struct MissingShares {
  double conditions_percent = 0;
  double targets_percent = 0;
};

MissingShares missing_shares(const DscDatabase& db) {
  std::size_t cond_missing = 0, cond_total = 0, target_missing = 0;
  for (const DscRecord& r : db.records) {
    // A cutoff is expected for electrochemical rows, a Li content for chemical ones, a ratio
    // when electrolyte is present; the rest always.
    const bool echem = r.charge_method == ChargeMethod::kElectrochemical;
    const std::array<std::pair<bool, bool>, 5> expected_present{{
        {true, echem ? r.cutoff_voltage_V.has_value() : r.li_charged.has_value()},
        {r.electrolyte_present == Tristate::kYes, r.electrolyte_ratio.has_value()},
        {true, r.scan_rate_C_per_min.has_value()},
        {true, r.crucible != Crucible::kUnknown},
        {true, r.active_frac.has_value()},
    }};
    for (const auto& [expected, present] : expected_present) {
      if (!expected) continue;
      ++cond_total;
      if (!present) ++cond_missing;
    }
    for (const bool present :
         {r.onset_C.has_value(), r.peak_C.has_value(), r.max_heat_flow_W_per_g.has_value(),
          r.total_heat_J_per_g.has_value()}) {
      if (!present) ++target_missing;
    }
  }
  const auto n = static_cast<double>(db.records.size());
  MissingShares out;
  if (cond_total > 0) {
    out.conditions_percent =
        100.0 * static_cast<double>(cond_missing) / static_cast<double>(cond_total);
  }
  if (n > 0) out.targets_percent = 100.0 * static_cast<double>(target_missing) / (4.0 * n);
  return out;
}

void print_summary(const DscDatabase& db, const SynthCommandOptions& o) {
  fmt::print("synthetic DSC database (SYNTHETIC data, ground truth in data/SYNTH.md)\n");
  fmt::print("  rows: {}, seed: {}, decoys: {}, noise scale: {}\n", db.records.size(), o.synth.seed,
             o.synth.decoys, o.synth.noise_scale);
  std::string classes;
  for (const MaterialClass c : enum_values<MaterialClass>()) {
    std::size_t count = 0;
    for (const DscRecord& r : db.records) count += r.material_class == c ? 1 : 0;
    if (count == 0) continue;
    classes += fmt::format("{}{} {}", classes.empty() ? "" : ", ", to_string(c), count);
  }
  fmt::print("  classes: {}\n", classes.empty() ? "(none)" : classes);
  const MissingShares m = missing_shares(db);
  // Conditions also come as drawn "unknown" (crucible), so their share exceeds the MCAR rate.
  fmt::print(
      "  missing: conditions {:.1f}% (MCAR rate {:.1f}% plus unstated crucibles), targets "
      "{:.1f}% (MCAR rate {:.1f}%)\n",
      m.conditions_percent, 100.0 * o.synth.missing_rate, m.targets_percent,
      100.0 * o.synth.target_missing_rate);
}

void run_synth(SynthCommandOptions o, std::uint64_t seed) {
  o.synth.seed = seed;
  DscDatabase db = synth::synthesize(o.synth);
  print_summary(db, o);
  const bool h5 = o.output.size() >= 3 && o.output.ends_with(".h5");
  if (h5) {
    // The HDF5 file names its source; for synthetic data that is the generator call, and the
    // hash is that of the canonical CSV text of the same records.
    db.source_file = fmt::format("synthetic:thermex-synth/seed={}/rows={}/decoys={}", seed,
                                 o.synth.rows, o.synth.decoys);
    db.source_sha256 = sha256_hex(format_dsc_csv(db));
    write_database_h5(db, {}, o.output);
  } else {
    write_dsc_csv(db, o.output);
  }
  fmt::print("written to {}\n", o.output);
}

}  // namespace

void add_synth_command(CLI::App& app, const GlobalOptions& global) {
  auto options = std::make_shared<SynthCommandOptions>();
  auto* cmd = app.add_subcommand(
      "synth", "write a SYNTHETIC DSC database with a documented ground truth (data/SYNTH.md)");
  cmd->add_option("--rows", options->synth.rows, "number of records")->capture_default_str();
  cmd->add_option("--decoys", options->synth.decoys, "pure-noise columns decoy_1..decoy_K")
      ->capture_default_str();
  cmd->add_option("--missing-rate", options->synth.missing_rate,
                  "MCAR probability per condition field, 0..0.5")
      ->capture_default_str();
  cmd->add_option("--target-missing-rate", options->synth.target_missing_rate,
                  "MCAR probability per target, 0..0.5")
      ->capture_default_str();
  cmd->add_option("--noise-scale", options->synth.noise_scale,
                  "multiplies every noise sd (0 = noise-free targets), 0..3")
      ->capture_default_str();
  cmd->add_option("-o,--output", options->output, "CSV to write (.h5: HDF5 database)")->required();
  cmd->callback([options, &global] { run_synth(*options, global.seed); });
}

}  // namespace thermex::cli
