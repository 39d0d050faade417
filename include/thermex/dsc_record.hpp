#pragma once
/// \file
/// One DSC measurement of a charged layered-oxide cathode, as described in data/SCHEMA.md.
/// Import (CSV -> HDF5), the synthetic generator and the featurizer all speak DscRecord.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "thermex/math/site_composition.hpp"

namespace thermex {

/// Material family of the cathode.
enum class MaterialClass { kLco, kNcm, kNca, kLiRich, kLno, kOther };
/// Yes / no / not stated.
enum class Tristate { kUnknown, kNo, kYes };
/// Crucible used in the DSC.
enum class Crucible { kUnknown, kSealed, kOpen };
/// How the charged state was made: electrochemically (cutoff voltage) or chemically (Li content).
enum class ChargeMethod { kUnknown, kElectrochemical, kChemical };
/// Calorimetric method; the engine models DSC, others are kept and flagged.
enum class ThermalMethod { kDsc, kC80, kArc, kOther };
/// How the onset was defined: first departure from the baseline or extrapolated tangent.
enum class OnsetDefinition { kUnspecified, kBaseline, kTangent };
/// Which exotherm `peak_C` is: the first one, the strongest one, or not said.
enum class PeakDefinition { kUnspecified, kFirst, kStrongest };
/// What mass a heat value is normalised to.
enum class HeatBasis { kUnspecified, kOxide, kElectrode, kSample };
/// Electrolyte class, one-hot encoded as a categorical feature.
enum class ElectrolyteClass { kUnknown, kNone, kCarbonateLiPF6, kSolventOnly, kSaltOnly, kOther };
/// Where a record comes from.
enum class DataOrigin { kLiterature, kSynthetic };

/// One row of the DSC database. Optional numbers are absent (not zero) when a source is silent.
struct DscRecord {
  // --- provenance
  std::string record_id;  ///< unique id within the database ("lit-0001", "syn-000042")
  DataOrigin origin = DataOrigin::kLiterature;
  std::string source_doi;       ///< DOI, or the URL read when no DOI is shown
  std::string where_in_source;  ///< "abstract", "Table 2", "Fig. 5a", ...
  std::string read_from;        ///< address the value was read from
  // --- material
  MaterialClass material_class = MaterialClass::kOther;
  std::string formula;                ///< as written in the source, e.g. LiNi0.8Co0.1Mn0.1O2
  math::SiteComposition composition;  ///< parsed and cross-checked against explicit fractions
  std::string dopants;  ///< dopants not in the formula, free text ("Sn (level not stated)")
  std::string coating;  ///< surface coating, free text ("Al2O3 1 wt%")
  // --- charged state
  ChargeMethod charge_method = ChargeMethod::kUnknown;
  std::optional<double> li_charged;        ///< Li content x of the charged Li_x phase
  std::optional<double> cutoff_voltage_V;  ///< charge cutoff vs Li/Li+, V
  Tristate washed = Tristate::kUnknown;    ///< electrode rinsed before the DSC
  // --- electrolyte
  Tristate electrolyte_present = Tristate::kUnknown;
  std::optional<double> electrolyte_ratio;  ///< electrolyte : cathode mass ratio, g/g
  std::string electrolyte_amount_note;      ///< amount as stated when not a ratio
  ElectrolyteClass electrolyte_class = ElectrolyteClass::kUnknown;
  std::string electrolyte_composition;  ///< free text ("1 M LiPF6 in EC:DMC 1:1")
  std::string additive;                 ///< free text
  // --- measurement
  ThermalMethod method = ThermalMethod::kDsc;
  Crucible crucible = Crucible::kUnknown;
  std::optional<double> scan_rate_C_per_min;
  std::optional<double> active_frac;  ///< electrode recipe, mass fractions in [0, 1]
  std::optional<double> carbon_frac;
  std::optional<double> binder_frac;
  OnsetDefinition onset_definition = OnsetDefinition::kUnspecified;
  PeakDefinition peak_definition = PeakDefinition::kUnspecified;
  HeatBasis heat_basis = HeatBasis::kUnspecified;
  // --- targets
  std::optional<double> onset_C;                ///< onset temperature, °C
  std::optional<double> peak_C;                 ///< (first) exothermic peak temperature, °C
  std::optional<double> max_heat_flow_W_per_g;  ///< maximum heat-release power, W/g
  std::optional<double> total_heat_J_per_g;     ///< total exothermic heat, J/g (positive)
  std::string notes;
  // --- synthetic only
  /// Synthetic pure-noise columns decoy_1..decoy_k, in order (empty for literature rows).
  std::vector<double> decoys;
};

/// A CSV row that import refused, with the reason; written to the rejects file and reported.
struct RejectedRow {
  std::int64_t line = 0;  ///< 1-based physical line in the source file where the row starts
  std::string column;     ///< offending column ("" when the row as a whole is wrong)
  std::string reason;     ///< why it was refused
  std::string raw;        ///< the row's text as read
};

/// A DSC database: records in file order, plus where they came from.
struct DscDatabase {
  std::vector<DscRecord> records;
  std::string source_file;    ///< path the records were imported from
  std::string source_sha256;  ///< hash of that file's bytes, for provenance and caching
};

}  // namespace thermex
