#pragma once
/// \file
/// The synthetic DSC literature database: a seeded generator of records in the DscRecord schema
/// whose targets follow a documented ground-truth function (data/SYNTH.md), so the later stages
/// (screening, SVR, SHAP) can be checked for recovering known physics. Every row is SYNTHETIC:
/// origin = kSynthetic, record_id "syn-000001"..., source_doi "synthetic:thermex-synth/...".
///
/// Determinism: all draws come from PhiloxStream(seed, RngPurpose::kSynth, id) where id names a
/// row or a source (a simulated paper) plus a sub-stream tag, never a thread. Hence row i is the
/// same for every `rows` >= i+1 and every thread count, and changing `missing_rate`,
/// `noise_scale` or `decoys` changes only the masks, the noise or the decoy columns.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "thermex/dsc_record.hpp"

namespace thermex::synth {

/// Options of the generator. Validated by synthesize() (ConfigError naming the option).
struct SynthOptions {
  std::size_t rows = 600;             ///< number of records (the Sun et al. 2025 database size)
  std::uint64_t seed = 0;             ///< master seed of every Philox stream
  int decoys = 3;                     ///< pure-noise columns decoy_1..decoy_K, 0 <= K <= 64
  double missing_rate = 0.10;         ///< MCAR probability per condition field, in [0, 0.5]
  double target_missing_rate = 0.08;  ///< MCAR probability per target, in [0, 0.5]
  double noise_scale = 1.0;           ///< multiplies every noise sd (0 = noise-free), in [0, 3]
};

/// Noise-free values of the four targets for one record (data/SYNTH.md, "Ground truth").
struct GroundTruth {
  double onset_C = 0;              ///< onset temperature, °C, in the record's onset definition
  double peak_C = 0;               ///< first exothermic peak, °C
  double log10_max_heat_flow = 0;  ///< log10 of the maximum heat flow in W/g
  double total_heat_J_per_g = 0;   ///< total heat, J/g (median of the multiplicative noise)
};

/// Standard deviations of the noise the generator adds to one record's targets (row noise and
/// the per-source "lab" effect combined, before the ±3 sd truncation of each part).
struct NoiseSd {
  double onset_C = 0;              ///< °C
  double peak_C = 0;               ///< °C (onset noise plus the peak-gap noise, propagated)
  double log10_max_heat_flow = 0;  ///< decades
  double ln_total_heat = 0;        ///< natural-log units (the noise is multiplicative)
};

/// Generates `options.rows` records. Cost O(rows), parallel over rows with OpenMP for large
/// inputs; the result does not depend on the thread count. Throws ConfigError on bad options.
DscDatabase synthesize(const SynthOptions& options);

/// Ground truth of every row of synthesize(options), in row order, evaluated on the complete
/// (unmasked) rows: the same as synthesize() with both missing rates 0 followed by
/// ground_truth() on each record. Cost O(rows).
std::vector<GroundTruth> synthesize_truth(const SynthOptions& options);

/// Whether `record` carries every input ground_truth() reads (composition, electrolyte
/// presence, scan rate, cutoff voltage or Li content for its charge method, electrolyte ratio
/// when electrolyte is present).
bool has_ground_truth_inputs(const DscRecord& record) noexcept;

/// The noise-free targets of `record` by the equations of data/SYNTH.md. Depends only on the
/// record's fields, so it also applies to a record read back from CSV. Throws Error naming the
/// missing field when has_ground_truth_inputs() is false. Cost O(composition size).
GroundTruth ground_truth(const DscRecord& record);

/// Noise sd the generator uses for `record` at `noise_scale` (data/SYNTH.md, "Noise"); needs the
/// record's true crucible (an unmasked record). Throws like ground_truth().
NoiseSd noise_sd(const DscRecord& record, double noise_scale);

/// Fraction-weighted standard deviation of the Shannon ionic radius (Å) over the TM sublattice,
/// with charged-state radii (coordination VI): Ni4+ 0.48, Co4+ 0.53, Mn4+ 0.53, Al3+ 0.535,
/// Mg2+ 0.72, Ti4+ 0.605, Zr4+ 0.72. sqrt(sum_k f_k (r_k - r_mean)^2), r_mean = sum_k f_k r_k.
/// Throws Error for a TM element outside that list.
double tm_radius_std(const math::SiteComposition& composition);

/// Material class a composition belongs to (the rule the generator labels rows with):
/// Li-rich when Li >= 1.1 and Mn >= 0.4; LCO when Co >= 0.9; LNO when Ni >= 0.95; NCA when Ni,
/// Co, Al >= 0.02 and Mn < 0.02; NCM when Ni, Co, Mn >= 0.02; otherwise other.
MaterialClass material_class_of(const math::SiteComposition& composition) noexcept;

/// Strength of a ground-truth effect: the change of the noise-free target when the feature
/// moves over its 5–95 % range in the default population (the rest held at a reference
/// sample), divided by the target's noise sd there: strong >= 2, moderate >= 0.75, weak > 0,
/// none = exactly 0 (data/SYNTH.md, "Recovery expectations").
enum class EffectStrength { kNone, kWeak, kModerate, kStrong };

/// One (feature, target) entry of the ground truth. `sign` is +1 when the target rises with the
/// feature, -1 when it falls, 0 for no effect (a feature that screening or SHAP must drop).
/// Composition signs mean "replacing Ni by this element" (fractions sum to 1; for `ni`,
/// replacing equal parts of Co and Mn); the `electrolyte_class` sign is for "electrolyte
/// present" against "none".
struct GroundTruthEffect {
  /// A column name of the feature table (data/FEATURES.md: ni co mn al li radius_tm_wstd,
  /// the condition columns, the one-hot groups electrolyte_class and crucible), or "decoy_*"
  /// for every decoy column.
  std::string_view feature;
  std::string_view target;  ///< "onset_C", "peak_C", "max_heat_flow_W_per_g", "total_heat_J_per_g"
  int sign;                 ///< +1, -1 or 0
  EffectStrength strength;  ///< kNone exactly when sign == 0
};

/// The machine-readable list of which features matter for which target, mirrored in the
/// table of data/SYNTH.md. Static storage; O(1).
std::span<const GroundTruthEffect> ground_truth_effects() noexcept;

/// "none", "weak", "moderate" or "strong".
std::string_view to_string(EffectStrength strength) noexcept;

}  // namespace thermex::synth
