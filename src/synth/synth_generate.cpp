// synthesize(): studies -> complete rows -> noisy targets -> MCAR masks -> decoys. Rows are
// independent given the study plan, so the row loop runs in parallel with identical results
// for any thread count (data/SYNTH.md, "Determinism").
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "synth_internal.hpp"
#include "thermex/error.hpp"

namespace thermex::synth {
namespace {

constexpr std::size_t kParallelRows = 512;  // below this, threads cost more than they save

void validate(const SynthOptions& o) {
  if (o.rows >= (std::size_t{1} << 40)) {
    throw ConfigError("synth.rows", "must be below 2^40 (the sub-stream id width)");
  }
  if (o.decoys < 0 || o.decoys > 64) throw ConfigError("synth.decoys", "must be in [0, 64]");
  if (!(o.missing_rate >= 0 && o.missing_rate <= 0.5)) {
    throw ConfigError("synth.missing_rate", "must be in [0, 0.5]");
  }
  if (!(o.target_missing_rate >= 0 && o.target_missing_rate <= 0.5)) {
    throw ConfigError("synth.target_missing_rate", "must be in [0, 0.5]");
  }
  if (!(o.noise_scale >= 0 && o.noise_scale <= 3)) {
    throw ConfigError("synth.noise_scale", "must be in [0, 3]");
  }
}

// Three significant digits, as heat-flow maxima are read off DSC curves.
double round_significant3(double x) {
  const int decimals = 2 - static_cast<int>(std::floor(std::log10(x)));
  if (decimals >= 0) return detail::round_decimals(x, decimals);
  const double scale = std::pow(10.0, -decimals);
  return std::round(x / scale) * scale;
}

// Observed targets: truth + study ("lab") effect + row noise, each truncated at 3 sd.
void add_targets(DscRecord& r, const detail::StudyPlan& study, std::uint64_t seed, std::size_t row,
                 double noise_scale) {
  const detail::TruthParts t = detail::truth_parts(r);
  const detail::NoiseParts n = detail::noise_parts(r, noise_scale);
  auto s = detail::make_stream(seed, detail::StreamTag::kRowNoise, row);
  const double e_onset = detail::truncated_normal(s);
  const double e_gap = detail::truncated_normal(s);
  const double e_power = detail::truncated_normal(s);
  const double e_heat = detail::truncated_normal(s);
  const double temp_noise = n.onset_lab_C * study.lab_onset + n.onset_row_C * e_onset;
  const double onset = t.base_onset_C + t.onset_shift_C + temp_noise;
  double peak = t.base_onset_C + t.gap_C * std::exp(n.gap_ln * e_gap) + temp_noise;
  // The gap model keeps peak > onset up to noise_scale 1 (SYNTH.md); larger noise could
  // invert them, which no DSC curve does.
  peak = std::max(peak, onset + 1.0);
  r.onset_C = detail::round_decimals(onset, 1);
  r.peak_C = detail::round_decimals(peak, 1);
  const double log10_power =
      t.log10_power + n.power_lab * study.lab_log10_power + n.power_row * e_power;
  r.max_heat_flow_W_per_g = round_significant3(std::pow(10.0, log10_power));
  r.total_heat_J_per_g = detail::round_decimals(
      t.total_heat * std::exp(n.heat_lab * study.lab_ln_heat + n.heat_row * e_heat), 0);
}

// MCAR: one uniform per maskable field, always drawn in the same order.
void apply_masks(DscRecord& r, std::uint64_t seed, std::size_t row, const SynthOptions& o) {
  auto s = detail::make_stream(seed, detail::StreamTag::kRowMask, row);
  const double m = o.missing_rate, mt = o.target_missing_rate;
  if (s.uniform() < m) r.cutoff_voltage_V.reset();
  if (s.uniform() < m) r.li_charged.reset();
  if (s.uniform() < m) r.electrolyte_ratio.reset();
  if (s.uniform() < m) r.scan_rate_C_per_min.reset();
  if (s.uniform() < m) r.crucible = Crucible::kUnknown;
  if (s.uniform() < m) {
    r.active_frac.reset();
    r.carbon_frac.reset();
    r.binder_frac.reset();
  }
  const bool onset = s.uniform() < mt, peak = s.uniform() < mt;
  const bool power = s.uniform() < mt, heat = s.uniform() < mt;
  if (onset) r.onset_C.reset();
  // A row must report something: when all four are masked the peak stays.
  if (peak && !(onset && power && heat)) r.peak_C.reset();
  if (power) r.max_heat_flow_W_per_g.reset();
  if (heat) r.total_heat_J_per_g.reset();
}

void add_decoys(DscRecord& r, std::uint64_t seed, std::size_t row, int count) {
  auto s = detail::make_stream(seed, detail::StreamTag::kRowDecoys, row);
  r.decoys.resize(static_cast<std::size_t>(count));
  for (int k = 0; k < count; ++k) {
    double v = 0;
    switch (k % 3) {
      case 0:
        v = detail::normal(s);
        break;
      case 1:
        v = s.uniform();
        break;
      default:
        v = std::exp(detail::normal(s));
        break;
    }
    r.decoys[static_cast<std::size_t>(k)] = v;
  }
}

// Runs body(row, study) for every row, in parallel for large inputs; rethrows the first
// exception a row raised (exceptions must not cross the OpenMP region).
template <typename Body>
void for_each_row(const SynthOptions& o, Body body) {
  const std::vector<detail::StudyPlan> plans = detail::plan_studies(o.seed, o.rows);
  std::vector<std::size_t> study_of(o.rows);
  for (std::size_t p = 0; p < plans.size(); ++p) {
    const std::size_t end = std::min(o.rows, plans[p].first_row + std::size_t(plans[p].size));
    for (std::size_t i = plans[p].first_row; i < end; ++i) study_of[i] = p;
  }
  std::exception_ptr error;
  const auto n = static_cast<std::int64_t>(o.rows);
#pragma omp parallel for schedule(static) if (o.rows >= kParallelRows)
  for (std::int64_t i = 0; i < n; ++i) {
    const auto row = static_cast<std::size_t>(i);
    try {
      body(row, plans[study_of[row]]);
    } catch (...) {
#pragma omp critical(thermex_synth_error)
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace

DscDatabase synthesize(const SynthOptions& options) {
  validate(options);
  DscDatabase db;
  db.records.resize(options.rows);
  for_each_row(options, [&](std::size_t row, const detail::StudyPlan& study) {
    DscRecord r = detail::draw_row(options.seed, study, row);
    add_targets(r, study, options.seed, row, options.noise_scale);
    apply_masks(r, options.seed, row, options);
    add_decoys(r, options.seed, row, options.decoys);
    db.records[row] = std::move(r);
  });
  return db;
}

std::vector<GroundTruth> synthesize_truth(const SynthOptions& options) {
  validate(options);
  std::vector<GroundTruth> truth(options.rows);
  for_each_row(options, [&](std::size_t row, const detail::StudyPlan& study) {
    truth[row] = ground_truth(detail::draw_row(options.seed, study, row));
  });
  return truth;
}

}  // namespace thermex::synth
