#include "thermex/dsc_enums.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace thermex {
namespace {

// An empty cell ("not stated") parses to the value listing this alias.
constexpr std::string_view kEmpty = "<empty>";

// One entry per value: the canonical name first, then accepted aliases (unused slots are "").
template <typename Enum>
struct EnumName {
  Enum value;
  std::array<std::string_view, 4> names;
};

constexpr std::array<EnumName<MaterialClass>, 6> kMaterialClass{{
    {MaterialClass::kLco, {"LCO", "LiCoO2"}},
    {MaterialClass::kNcm, {"NCM", "NMC"}},
    {MaterialClass::kNca, {"NCA"}},
    {MaterialClass::kLiRich, {"LR", "Li-rich", "LMR", "OLO"}},
    {MaterialClass::kLno, {"LNO", "LiNiO2"}},
    {MaterialClass::kOther, {"other"}},
}};
constexpr std::array<EnumName<Tristate>, 3> kTristate{{
    {Tristate::kUnknown, {"unknown", kEmpty, "na", "not stated"}},
    {Tristate::kNo, {"no", "n", "false", "0"}},
    {Tristate::kYes, {"yes", "y", "true", "1"}},
}};
constexpr std::array<EnumName<Crucible>, 3> kCrucible{{
    {Crucible::kUnknown, {"unknown", kEmpty}},
    {Crucible::kSealed, {"sealed", "hermetic", "closed", "high-pressure"}},
    {Crucible::kOpen, {"open", "pierced", "vented"}},
}};
constexpr std::array<EnumName<ChargeMethod>, 3> kChargeMethod{{
    {ChargeMethod::kUnknown, {"unknown", kEmpty}},
    {ChargeMethod::kElectrochemical, {"electrochemical", "echem"}},
    {ChargeMethod::kChemical, {"chemical", "chemical delithiation"}},
}};
constexpr std::array<EnumName<ThermalMethod>, 4> kThermalMethod{{
    {ThermalMethod::kDsc, {"DSC", kEmpty}},
    {ThermalMethod::kC80, {"C80", "Calvet"}},
    {ThermalMethod::kArc, {"ARC"}},
    {ThermalMethod::kOther, {"other"}},
}};
constexpr std::array<EnumName<OnsetDefinition>, 3> kOnsetDefinition{{
    {OnsetDefinition::kUnspecified, {"unspecified", kEmpty}},
    {OnsetDefinition::kBaseline, {"baseline", "first deviation"}},
    {OnsetDefinition::kTangent, {"tangent", "extrapolated"}},
}};
constexpr std::array<EnumName<PeakDefinition>, 3> kPeakDefinition{{
    {PeakDefinition::kUnspecified, {"unspecified", kEmpty}},
    {PeakDefinition::kFirst, {"first", "first exotherm"}},
    {PeakDefinition::kStrongest, {"strongest", "main"}},
}};
constexpr std::array<EnumName<HeatBasis>, 4> kHeatBasis{{
    {HeatBasis::kUnspecified, {"unspecified", kEmpty}},
    {HeatBasis::kOxide, {"oxide", "cathode", "active"}},
    {HeatBasis::kElectrode, {"electrode"}},
    {HeatBasis::kSample, {"sample", "total"}},
}};
constexpr std::array<EnumName<ElectrolyteClass>, 6> kElectrolyteClass{{
    {ElectrolyteClass::kUnknown, {"unknown", kEmpty}},
    {ElectrolyteClass::kNone, {"none"}},
    {ElectrolyteClass::kCarbonateLiPF6, {"carbonate_lipf6", "lipf6"}},
    {ElectrolyteClass::kSolventOnly, {"solvent_only", "solvent"}},
    {ElectrolyteClass::kSaltOnly, {"salt_only", "salt"}},
    {ElectrolyteClass::kOther, {"other"}},
}};
constexpr std::array<EnumName<DataOrigin>, 2> kDataOrigin{{
    {DataOrigin::kLiterature, {"literature"}},
    {DataOrigin::kSynthetic, {"synthetic"}},
}};

template <typename Enum>
constexpr const auto& table_of() noexcept {
  if constexpr (std::is_same_v<Enum, MaterialClass>)
    return kMaterialClass;
  else if constexpr (std::is_same_v<Enum, Tristate>)
    return kTristate;
  else if constexpr (std::is_same_v<Enum, Crucible>)
    return kCrucible;
  else if constexpr (std::is_same_v<Enum, ChargeMethod>)
    return kChargeMethod;
  else if constexpr (std::is_same_v<Enum, ThermalMethod>)
    return kThermalMethod;
  else if constexpr (std::is_same_v<Enum, OnsetDefinition>)
    return kOnsetDefinition;
  else if constexpr (std::is_same_v<Enum, PeakDefinition>)
    return kPeakDefinition;
  else if constexpr (std::is_same_v<Enum, HeatBasis>)
    return kHeatBasis;
  else if constexpr (std::is_same_v<Enum, ElectrolyteClass>)
    return kElectrolyteClass;
  else
    return kDataOrigin;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

template <typename Enum>
std::string_view name_of(Enum v) noexcept {
  for (const auto& e : table_of<Enum>()) {
    if (e.value == v) return e.names[0];
  }
  return "unknown";
}

}  // namespace

template <typename Enum>
std::optional<Enum> parse_enum(std::string_view text) noexcept {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  for (const auto& e : table_of<Enum>()) {
    for (const auto name : e.names) {
      if (name.empty()) continue;
      if (name == kEmpty ? text.empty() : iequals(name, text)) return e.value;
    }
  }
  return std::nullopt;
}

template <typename Enum>
std::span<const Enum> enum_values() noexcept {
  static const auto values = [] {
    const auto& t = table_of<Enum>();
    std::array<Enum, std::tuple_size_v<std::remove_cvref_t<decltype(t)>>> v{};
    for (std::size_t i = 0; i < t.size(); ++i) v[i] = t[i].value;
    return v;
  }();
  return values;
}

#define THERMEX_ENUM_NAMES(Enum)                                            \
  std::string_view to_string(Enum v) noexcept { return name_of(v); }        \
  template std::optional<Enum> parse_enum<Enum>(std::string_view) noexcept; \
  template std::span<const Enum> enum_values<Enum>() noexcept;

THERMEX_ENUM_NAMES(MaterialClass)
THERMEX_ENUM_NAMES(Tristate)
THERMEX_ENUM_NAMES(Crucible)
THERMEX_ENUM_NAMES(ChargeMethod)
THERMEX_ENUM_NAMES(ThermalMethod)
THERMEX_ENUM_NAMES(OnsetDefinition)
THERMEX_ENUM_NAMES(PeakDefinition)
THERMEX_ENUM_NAMES(HeatBasis)
THERMEX_ENUM_NAMES(ElectrolyteClass)
THERMEX_ENUM_NAMES(DataOrigin)
#undef THERMEX_ENUM_NAMES

}  // namespace thermex
