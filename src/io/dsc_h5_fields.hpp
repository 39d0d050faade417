#pragma once
// The DscRecord <-> /records dataset mapping, shared by the writer and the reader so the two
// cannot drift apart. The layout is documented in include/thermex/dsc_h5.hpp.

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "thermex/dsc_record.hpp"

namespace thermex::dsc_h5_detail {

inline constexpr std::string_view kFormat = "thermex.dsc_database";
inline constexpr std::string_view kRecords = "/records";
inline constexpr std::string_view kRejects = "/rejects";

/// A free-text field stored as a string dataset.
struct TextField {
  std::string_view name;
  std::string_view label;
  std::string DscRecord::*member;
};

/// An optional number stored as float64 with NaN for "absent".
struct NumberField {
  std::string_view name;
  std::string_view label;
  std::string_view unit;
  std::optional<double> DscRecord::*member;
};

inline constexpr std::array<TextField, 11> kTextFields{{
    {"record_id", "record id", &DscRecord::record_id},
    {"source_doi", "source DOI or URL", &DscRecord::source_doi},
    {"where_in_source", "location in source", &DscRecord::where_in_source},
    {"read_from", "address read from", &DscRecord::read_from},
    {"formula", "formula as written", &DscRecord::formula},
    {"dopants", "dopants", &DscRecord::dopants},
    {"coating", "coating", &DscRecord::coating},
    {"electrolyte_amount_note", "electrolyte amount as stated",
     &DscRecord::electrolyte_amount_note},
    {"electrolyte_composition", "electrolyte composition", &DscRecord::electrolyte_composition},
    {"additive", "additive", &DscRecord::additive},
    {"notes", "notes", &DscRecord::notes},
}};

inline constexpr std::array<NumberField, 11> kNumberFields{{
    {"li_charged", "Li content x of charged phase", "", &DscRecord::li_charged},
    {"cutoff_voltage_V", "charge cutoff voltage vs Li/Li+", "V", &DscRecord::cutoff_voltage_V},
    {"electrolyte_ratio", "electrolyte : cathode mass ratio", "g/g", &DscRecord::electrolyte_ratio},
    {"scan_rate_C_per_min", "DSC scan rate", "°C/min", &DscRecord::scan_rate_C_per_min},
    {"active_frac", "active mass fraction", "", &DscRecord::active_frac},
    {"carbon_frac", "carbon mass fraction", "", &DscRecord::carbon_frac},
    {"binder_frac", "binder mass fraction", "", &DscRecord::binder_frac},
    {"onset_C", "onset temperature", "°C", &DscRecord::onset_C},
    {"peak_C", "exothermic peak temperature", "°C", &DscRecord::peak_C},
    {"max_heat_flow_W_per_g", "maximum heat flow", "W/g", &DscRecord::max_heat_flow_W_per_g},
    {"total_heat_J_per_g", "total exothermic heat", "J/g", &DscRecord::total_heat_J_per_g},
}};

/// Calls f(name, label, member) for every enumeration field; `member` is a pointer to member
/// of the field's own enum type, so f is a generic lambda.
template <typename F>
void for_each_enum_field(F&& f) {
  f("origin", "data origin", &DscRecord::origin);
  f("material_class", "material class", &DscRecord::material_class);
  f("charge_method", "charging method", &DscRecord::charge_method);
  f("washed", "electrode washed", &DscRecord::washed);
  f("electrolyte_present", "electrolyte present", &DscRecord::electrolyte_present);
  f("electrolyte_class", "electrolyte class", &DscRecord::electrolyte_class);
  f("method", "calorimetric method", &DscRecord::method);
  f("crucible", "crucible", &DscRecord::crucible);
  f("onset_definition", "onset definition", &DscRecord::onset_definition);
  f("peak_definition", "peak definition", &DscRecord::peak_definition);
  f("heat_basis", "heat normalisation basis", &DscRecord::heat_basis);
}

/// "/records/<name>".
inline std::string record_path(std::string_view name) {
  return std::string(kRecords) + "/" + std::string(name);
}

}  // namespace thermex::dsc_h5_detail
