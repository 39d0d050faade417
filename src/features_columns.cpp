// Column definitions of the feature table: names, labels, units, how each reads a DscRecord,
// and validation of the missing-value options. data/FEATURES.md mirrors these tables.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>

#include "features_internal.hpp"
#include "thermex/dsc_enums.hpp"
#include "thermex/error.hpp"

namespace thermex {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

constexpr std::array<std::string_view, detail::kConditionCount> kConditionNames{
    "cutoff_voltage_V", "li_charged",  "electrolyte_ratio", "scan_rate_C_per_min",
    "active_frac",      "carbon_frac", "binder_frac"};
constexpr std::array<std::string_view, detail::kConditionCount> kConditionLabels{
    "cutoff voltage",  "Li content (charged)", "electrolyte ratio", "scan rate",
    "active fraction", "carbon fraction",      "binder fraction"};
constexpr std::array<std::string_view, detail::kConditionCount> kConditionUnits{
    "V", "", "g/g", "°C/min", "g/g", "g/g", "g/g"};

constexpr std::array<std::string_view, detail::kCategoricalCount> kCategoricalNames{
    "electrolyte_class", "crucible"};

constexpr std::array<std::string_view, detail::kTargetCount> kTargetNames{
    "onset_C", "peak_C", "max_heat_flow_W_per_g", "log10_max_heat_flow", "total_heat_J_per_g"};
constexpr std::array<std::string_view, detail::kTargetCount> kTargetLabels{
    "onset temperature", "peak temperature", "max heat flow", "log10 max heat flow", "total heat"};
constexpr std::array<std::string_view, detail::kTargetCount> kTargetUnits{"°C", "°C", "W/g",
                                                                          "log10(W/g)", "J/g"};

constexpr std::array<std::string_view, math::kCompositionFeatureCount> kCompositionNames{
    "ni",
    "co",
    "mn",
    "al",
    "li",
    "en_tm_wmean",
    "en_tm_wstd",
    "en_tm_mean",
    "en_tm_std",
    "en_tm_min",
    "en_tm_max",
    "en_tm_range",
    "radius_tm_wmean",
    "radius_tm_wstd",
    "radius_tm_mean",
    "radius_tm_std",
    "radius_tm_min",
    "radius_tm_max",
    "radius_tm_range",
    "phi_tm_wmean",
    "phi_tm_wstd",
    "phi_tm_mean",
    "phi_tm_std",
    "phi_tm_min",
    "phi_tm_max",
    "phi_tm_range"};
constexpr std::array<std::string_view, math::kSiteStatCount> kStatLabels{
    "mean (wt.)", "std (wt.)", "mean", "std", "min", "max", "range"};

double value_or_nan(const std::optional<double>& v) { return v && std::isfinite(*v) ? *v : kNan; }

bool electrolyte_absent(const DscRecord& r) {
  return r.electrolyte_class == ElectrolyteClass::kNone ||
         (r.electrolyte_class == ElectrolyteClass::kUnknown &&
          r.electrolyte_present == Tristate::kNo);
}

}  // namespace

std::string_view to_string(MissingPolicy p) noexcept {
  switch (p) {
    case MissingPolicy::kImputeMedian:
      return "median";
    case MissingPolicy::kImputeMode:
      return "mode";
    case MissingPolicy::kDropRow:
      return "drop";
    case MissingPolicy::kReject:
      return "reject";
    case MissingPolicy::kKeepNan:
      return "keep";
  }
  return "keep";
}

std::optional<MissingPolicy> parse_missing_policy(std::string_view text) noexcept {
  for (const auto p : {MissingPolicy::kImputeMedian, MissingPolicy::kImputeMode,
                       MissingPolicy::kDropRow, MissingPolicy::kReject, MissingPolicy::kKeepNan}) {
    if (to_string(p) == text) return p;
  }
  return std::nullopt;
}

std::span<const std::string_view> condition_column_names() noexcept { return kConditionNames; }
std::span<const std::string_view> categorical_column_names() noexcept { return kCategoricalNames; }
std::span<const std::string_view> target_column_names() noexcept { return kTargetNames; }
std::span<const std::string_view> composition_column_names() noexcept { return kCompositionNames; }

namespace detail {

std::string numeric_column_name(std::size_t j) {
  if (j < kConditionCount) return std::string(kConditionNames[j]);
  return "decoy_" + std::to_string(j - kConditionCount + 1);
}

bool is_decoy_name(std::string_view name) {
  constexpr std::string_view kPrefix = "decoy_";
  if (name.size() <= kPrefix.size() || name.substr(0, kPrefix.size()) != kPrefix) return false;
  const std::string_view digits = name.substr(kPrefix.size());
  if (digits.size() > 6 || digits.front() == '0') return false;
  for (const char c : digits) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::size_t decoy_count(const DscDatabase& db, const std::vector<std::size_t>& rows) {
  std::size_t k = 0;
  for (const auto i : rows) k = std::max(k, db.records.at(i).decoys.size());
  return k;
}

double numeric_value(const DscRecord& r, std::size_t j) {
  if (j >= kConditionCount) {
    const std::size_t d = j - kConditionCount;
    return d < r.decoys.size() && std::isfinite(r.decoys[d]) ? r.decoys[d] : kNan;
  }
  switch (j) {
    case 0:
      return value_or_nan(r.cutoff_voltage_V);
    case 1:
      return value_or_nan(r.li_charged);
    case 2: {
      const double v = value_or_nan(r.electrolyte_ratio);
      // No electrolyte added means a ratio of 0, a known value rather than a missing one.
      return std::isnan(v) && electrolyte_absent(r) ? 0.0 : v;
    }
    case 3:
      return value_or_nan(r.scan_rate_C_per_min);
    case 4:
      return value_or_nan(r.active_frac);
    case 5:
      return value_or_nan(r.carbon_frac);
    case 6:
      return value_or_nan(r.binder_frac);
    default:
      return kNan;  // unreachable: j < kConditionCount
  }
}

std::string_view categorical_level(const DscRecord& r, std::size_t j) {
  if (j == 0) {
    if (electrolyte_absent(r)) return to_string(ElectrolyteClass::kNone);
    return r.electrolyte_class == ElectrolyteClass::kUnknown ? std::string_view{}
                                                             : to_string(r.electrolyte_class);
  }
  if (j == 1) return r.crucible == Crucible::kUnknown ? std::string_view{} : to_string(r.crucible);
  throw Error("categorical column index out of range");
}

std::vector<std::string_view> categorical_all_levels(std::size_t j) {
  std::vector<std::string_view> out;
  if (j == 0) {
    for (const auto v : enum_values<ElectrolyteClass>()) {
      if (v != ElectrolyteClass::kUnknown) out.push_back(to_string(v));
    }
  } else if (j == 1) {
    for (const auto v : enum_values<Crucible>()) {
      if (v != Crucible::kUnknown) out.push_back(to_string(v));
    }
  } else {
    throw Error("categorical column index out of range");
  }
  return out;
}

double target_value(const DscRecord& r, std::size_t j) {
  switch (j) {
    case 0:
      return value_or_nan(r.onset_C);
    case 1:
      return value_or_nan(r.peak_C);
    case 2:
      return value_or_nan(r.max_heat_flow_W_per_g);
    case 3: {
      const double v = value_or_nan(r.max_heat_flow_W_per_g);
      return v > 0.0 ? std::log10(v) : kNan;  // NaN stays NaN; <= 0 has no logarithm
    }
    case 4:
      return value_or_nan(r.total_heat_J_per_g);
    default:
      throw Error("target column index out of range");
  }
}

ColumnMeta numeric_meta(std::size_t j) {
  if (j >= kConditionCount) {
    // Synthetic pure-noise columns: conditions as far as screening can tell, which is the point.
    const std::string n = std::to_string(j - kConditionCount + 1);
    return {"decoy_" + n, "decoy " + n + " (noise)", "", ColumnKind::kCondition, ""};
  }
  return {std::string(kConditionNames[j]), std::string(kConditionLabels[j]),
          std::string(kConditionUnits[j]), ColumnKind::kCondition, ""};
}

ColumnMeta target_meta(std::size_t j) {
  return {std::string(kTargetNames.at(j)), std::string(kTargetLabels.at(j)),
          std::string(kTargetUnits.at(j)), ColumnKind::kTarget, ""};
}

ColumnMeta composition_meta(std::size_t j) {
  ColumnMeta m;
  m.name = std::string(kCompositionNames.at(j));
  if (j < static_cast<std::size_t>(math::kFeatEnFirst)) {
    constexpr std::array<std::string_view, 5> kSymbols{"Ni", "Co", "Mn", "Al", "Li"};
    m.label = std::string(kSymbols[j]) + " content";
    if (j == static_cast<std::size_t>(math::kFeatLi)) m.label += " (pristine)";
    m.kind = ColumnKind::kContent;
    return m;
  }
  const std::size_t block = (j - math::kFeatEnFirst) / math::kSiteStatCount;
  const std::size_t stat = (j - math::kFeatEnFirst) % math::kSiteStatCount;
  constexpr std::array<std::string_view, 3> kProperty{"EN-TM", "radii-TM", "phi-TM"};
  constexpr std::array<std::string_view, 3> kUnit{"", "Å", "Å^-1"};
  m.label = std::string(kProperty[block]) + " " + std::string(kStatLabels[stat]);
  m.unit = std::string(kUnit[block]);
  m.kind = ColumnKind::kDerived;
  return m;
}

namespace {
bool is_condition(std::string_view name) {
  for (const auto n : kConditionNames) {
    if (n == name) return true;
  }
  return false;
}
bool is_categorical(std::string_view name) {
  return name == kCategoricalNames[0] || name == kCategoricalNames[1];
}
bool is_target(std::string_view name) {
  for (const auto n : kTargetNames) {
    if (n == name) return true;
  }
  return false;
}
std::string policy_key(std::string_view column) { return "missing." + std::string(column); }
}  // namespace

void validate_options(const FeatureOptions& options) {
  const auto numeric_ok = [](MissingPolicy p) { return p != MissingPolicy::kKeepNan; };
  const auto categorical_ok = [](MissingPolicy p) {
    return p != MissingPolicy::kKeepNan && p != MissingPolicy::kImputeMedian;
  };
  const auto target_ok = [](MissingPolicy p) {
    return p == MissingPolicy::kKeepNan || p == MissingPolicy::kDropRow ||
           p == MissingPolicy::kReject;
  };
  if (!numeric_ok(options.numeric_default)) {
    throw ConfigError("missing.numeric_default", "a feature column cannot keep NaN");
  }
  if (!categorical_ok(options.categorical_default)) {
    throw ConfigError("missing.categorical_default", "categoricals take mode, drop or reject");
  }
  for (const auto& [column, policy] : options.missing) {
    const std::string text(to_string(policy));
    if (is_condition(column) || is_decoy_name(column)) {
      if (!numeric_ok(policy)) throw ConfigError(policy_key(column), "a feature cannot keep NaN");
    } else if (is_categorical(column)) {
      if (!categorical_ok(policy)) {
        throw ConfigError(policy_key(column),
                          "categoricals take mode, drop or reject, not " + text);
      }
    } else if (is_target(column)) {
      if (!target_ok(policy)) {
        throw ConfigError(policy_key(column), "targets are never imputed (keep, drop or reject)");
      }
    } else {
      throw ConfigError(policy_key(column), "no such column");
    }
  }
  for (const auto& t : options.targets) {
    if (!is_target(t)) throw ConfigError("targets", "unknown target '" + t + "'");
  }
}

MissingPolicy policy_for(const FeatureOptions& options, std::string_view column, bool numeric) {
  if (const auto it = options.missing.find(column); it != options.missing.end()) {
    return it->second;
  }
  return numeric ? options.numeric_default : options.categorical_default;
}

MissingPolicy target_policy(const FeatureOptions& options, std::string_view column) {
  const auto it = options.missing.find(column);
  return it == options.missing.end() ? MissingPolicy::kKeepNan : it->second;
}

bool target_selected(const FeatureOptions& options, std::size_t j) {
  for (const auto& t : options.targets) {
    if (t == kTargetNames.at(j)) return true;
  }
  return false;
}

std::vector<std::string> ids_of(const DscDatabase& db, const std::vector<std::size_t>& rows) {
  std::vector<std::string> out;
  out.reserve(rows.size());
  for (const auto i : rows) out.push_back(db.records.at(i).record_id);
  return out;
}

void throw_rejected(const DscDatabase& db, std::string_view column,
                    const std::vector<std::size_t>& missing_rows) {
  if (missing_rows.empty()) return;
  std::string ids;
  constexpr std::size_t kListed = 10;  // keeps the message one readable line
  for (std::size_t k = 0; k < missing_rows.size() && k < kListed; ++k) {
    ids += (k ? ", " : "") + db.records.at(missing_rows[k]).record_id;
  }
  if (missing_rows.size() > kListed) ids += ", ...";
  throw InputError(db.source_file, 0, std::string(column),
                   "missing in " + std::to_string(missing_rows.size()) +
                       " record(s) and the policy is reject: " + ids);
}

}  // namespace detail
}  // namespace thermex
