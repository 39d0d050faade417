// summarize_database: counts, target statistics, coverage and pitfalls of a DSC database.
#include "thermex/db_summary.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <optional>
#include <set>

#include "thermex/dsc_enums.hpp"

namespace thermex {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

template <typename Enum, typename Get>
std::vector<NamedCount> count_by(std::span<const DscRecord> records, Get get) {
  std::vector<NamedCount> out;
  for (Enum v : enum_values<Enum>()) {
    const auto n = std::count_if(records.begin(), records.end(),
                                 [&](const DscRecord& r) { return get(r) == v; });
    out.push_back({std::string(to_string(v)), static_cast<std::size_t>(n)});
  }
  return out;
}

TargetStats target_stats(std::span<const DscRecord> records, std::string name, std::string unit,
                         std::optional<double> DscRecord::*member) {
  std::vector<double> v;
  for (const auto& r : records) {
    if (r.*member) v.push_back(*(r.*member));
  }
  TargetStats s{std::move(name), std::move(unit), v.size(), kNaN, kNaN, kNaN};
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  s.min = v.front();
  s.max = v.back();
  const std::size_t mid = v.size() / 2;
  s.median = v.size() % 2 == 1 ? v[mid] : 0.5 * (v[mid - 1] + v[mid]);
  return s;
}

Coverage coverage(std::span<const DscRecord> records, std::string name,
                  bool (*present)(const DscRecord&)) {
  const auto n = static_cast<std::size_t>(std::count_if(records.begin(), records.end(), present));
  const double pct =
      records.empty() ? 0.0 : 100.0 * static_cast<double>(n) / static_cast<double>(records.size());
  return {std::move(name), n, pct};
}

std::vector<Coverage> condition_coverage(std::span<const DscRecord> rs) {
  // Captureless lambdas so each entry is one line; an enum counts when it is not "unknown".
  return {
      coverage(rs, "composition", [](const DscRecord& r) { return r.composition.count > 0; }),
      coverage(rs, "charge_method",
               [](const DscRecord& r) { return r.charge_method != ChargeMethod::kUnknown; }),
      coverage(rs, "li_charged", [](const DscRecord& r) { return r.li_charged.has_value(); }),
      coverage(rs, "cutoff_voltage_V",
               [](const DscRecord& r) { return r.cutoff_voltage_V.has_value(); }),
      coverage(rs, "washed", [](const DscRecord& r) { return r.washed != Tristate::kUnknown; }),
      coverage(rs, "electrolyte_present",
               [](const DscRecord& r) { return r.electrolyte_present != Tristate::kUnknown; }),
      coverage(rs, "electrolyte_ratio",
               [](const DscRecord& r) { return r.electrolyte_ratio.has_value(); }),
      coverage(
          rs, "electrolyte_class",
          [](const DscRecord& r) { return r.electrolyte_class != ElectrolyteClass::kUnknown; }),
      coverage(rs, "crucible", [](const DscRecord& r) { return r.crucible != Crucible::kUnknown; }),
      coverage(rs, "scan_rate_C_per_min",
               [](const DscRecord& r) { return r.scan_rate_C_per_min.has_value(); }),
      coverage(rs, "active_frac", [](const DscRecord& r) { return r.active_frac.has_value(); }),
      coverage(rs, "carbon_frac", [](const DscRecord& r) { return r.carbon_frac.has_value(); }),
      coverage(rs, "binder_frac", [](const DscRecord& r) { return r.binder_frac.has_value(); }),
  };
}

template <typename Enum, typename Get, typename Flag>
PitfallCounts pitfall(std::span<const DscRecord> records, std::string name, std::string flag,
                      Get get, Flag flagged) {
  PitfallCounts p{std::move(name), std::move(flag), 0, count_by<Enum>(records, get)};
  p.flagged = static_cast<std::size_t>(std::count_if(records.begin(), records.end(), flagged));
  return p;
}

std::vector<PitfallCounts> pitfalls(std::span<const DscRecord> rs) {
  return {
      pitfall<ThermalMethod>(
          rs, "method", "not DSC", [](const DscRecord& r) { return r.method; },
          [](const DscRecord& r) { return r.method != ThermalMethod::kDsc; }),
      pitfall<OnsetDefinition>(
          rs, "onset_definition", "onset_C given, definition unspecified",
          [](const DscRecord& r) { return r.onset_definition; },
          [](const DscRecord& r) {
            return r.onset_C && r.onset_definition == OnsetDefinition::kUnspecified;
          }),
      pitfall<PeakDefinition>(
          rs, "peak_definition", "peak_C given, which peak unspecified",
          [](const DscRecord& r) { return r.peak_definition; },
          [](const DscRecord& r) {
            return r.peak_C && r.peak_definition == PeakDefinition::kUnspecified;
          }),
      pitfall<HeatBasis>(
          rs, "heat_basis", "heat given, not per oxide mass",
          [](const DscRecord& r) { return r.heat_basis; },
          [](const DscRecord& r) {
            return (r.total_heat_J_per_g || r.max_heat_flow_W_per_g) &&
                   r.heat_basis != HeatBasis::kOxide;
          }),
  };
}

// DOIs are case-insensitive (DOI Handbook 2.4); URLs used instead of a DOI are rarely written
// twice with different case, so folding everything is the simple, conservative choice.
std::string fold_source(std::string_view doi) {
  const auto b = doi.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  const auto e = doi.find_last_not_of(" \t");
  std::string out(doi.substr(b, e - b + 1));
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

DbSummary summarize_database(const DscDatabase& db, std::span<const RejectedRow> rejected,
                             std::size_t max_reasons) {
  const std::span<const DscRecord> rs(db.records);
  DbSummary s;
  s.source_file = db.source_file;
  s.source_sha256 = db.source_sha256;
  s.records = rs.size();
  s.by_origin = count_by<DataOrigin>(rs, [](const DscRecord& r) { return r.origin; });
  s.by_material_class =
      count_by<MaterialClass>(rs, [](const DscRecord& r) { return r.material_class; });
  std::set<std::string> sources;
  for (const auto& r : rs) {
    std::string key = fold_source(r.source_doi);
    if (key.empty()) {
      ++s.missing_source;
    } else {
      sources.insert(std::move(key));
    }
  }
  s.distinct_sources = sources.size();
  s.targets = {target_stats(rs, "onset_C", "°C", &DscRecord::onset_C),
               target_stats(rs, "peak_C", "°C", &DscRecord::peak_C),
               target_stats(rs, "max_heat_flow_W_per_g", "W/g", &DscRecord::max_heat_flow_W_per_g),
               target_stats(rs, "total_heat_J_per_g", "J/g", &DscRecord::total_heat_J_per_g)};
  s.conditions = condition_coverage(rs);
  s.pitfalls = pitfalls(rs);
  s.rejects = rejected.size();
  for (std::size_t i = 0; i < std::min(max_reasons, rejected.size()); ++i) {
    s.first_rejects.push_back({rejected[i].line, rejected[i].column, rejected[i].reason, ""});
  }
  return s;
}

}  // namespace thermex
