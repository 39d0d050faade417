// Study config: the [[sweeps]] and [[validation]] sections. Sweep elements are checked against
// the element tables (a TM-site cation with a Shannon VI radius under both oxidation
// conventions), fixed values and levels against the feature table's column names.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "study_config_internal.hpp"
#include "thermex/dsc_enums.hpp"
#include "thermex/elements.hpp"
#include "thermex/error.hpp"

namespace thermex::detail {
namespace {

bool contains(std::span<const std::string_view> names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string joined(std::span<const std::string_view> names) {
  std::string out;
  for (std::string_view n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

/// A name used as an HDF5 group: non-empty, no '/'.
void check_group_name(TomlSection& t, const std::string& name) {
  if (name.empty()) t.fail("name", t.node("name"), "a non-empty name is required");
  if (name.find('/') != std::string::npos || name == "." || name == "..") {
    t.fail("name", t.node("name"), fmt::format("'{}' cannot be an HDF5 group name", name));
  }
}

/// True when `symbol` is an element the featurizer can put on the TM site under both
/// conventions (Li, O, F, S and elements without a Shannon VI radius are refused).
bool is_tm_site_element(std::string_view symbol) {
  const ElementTable& table = ElementTable::instance();
  const ElementInfo* e = table.find(symbol);
  if (e == nullptr) return false;
  for (const OxidationConvention c :
       {OxidationConvention::kCharged, OxidationConvention::kPristine}) {
    try {
      const IonState ion = tm_ion_state(e->z, c);
      if (!table.shannon_entry(e->z, ion.oxidation_state, "VI", ion.spin)) return false;
    } catch (const Error&) {
      return false;
    }
  }
  return true;
}

void parse_elements(TomlSection& t, StudySweep& s) {
  if (!t.get("elements", s.elements)) t.fail("elements", nullptr, "an element list is required");
  if (s.elements.size() < 2 || s.elements.size() > math::kMaxSiteElements) {
    t.fail(
        "elements", t.node("elements"),
        fmt::format("expected 2..{} elements, got {}", math::kMaxSiteElements, s.elements.size()));
  }
  for (std::size_t i = 0; i < s.elements.size(); ++i) {
    const std::string key = fmt::format("elements[{}]", i);
    if (!is_tm_site_element(s.elements[i])) {
      t.fail(key, t.node("elements"),
             fmt::format("'{}' is not a TM-site element symbol (case-sensitive, e.g. Ni)",
                         s.elements[i]));
    }
    if (std::find(s.elements.begin(), s.elements.begin() + static_cast<std::ptrdiff_t>(i),
                  s.elements[i]) != s.elements.begin() + static_cast<std::ptrdiff_t>(i)) {
      t.fail(key, t.node("elements"), fmt::format("duplicated element '{}'", s.elements[i]));
    }
  }
}

void parse_step(TomlSection& t, StudySweep& s) {
  if (!t.get("step", s.step)) return;
  check_range(t, "step", s.step, {0.0, 1.0, true, false});
  // The grid holds the points whose fractions are multiples of step; 1/step must count them.
  const double inverse = 1.0 / s.step;
  if (std::abs(inverse - std::round(inverse)) > 1e-9 * std::max(1.0, inverse)) {
    t.fail("step", t.node("step"),
           fmt::format("1/step = {} is not an integer", toml_number_text(inverse)));
  }
}

/// Numeric columns a sweep may fix: conditions, decoys and their missing indicators.
bool is_fixable_column(std::string_view name) {
  if (contains(condition_column_names(), name)) return true;
  constexpr std::string_view kMissing = "_missing";
  if (name.size() > kMissing.size() && name.substr(name.size() - kMissing.size()) == kMissing) {
    name = name.substr(0, name.size() - kMissing.size());
    if (contains(condition_column_names(), name)) return true;
  }
  constexpr std::string_view kDecoy = "decoy_";
  if (name.size() <= kDecoy.size() || name.substr(0, kDecoy.size()) != kDecoy) return false;
  const std::string_view digits = name.substr(kDecoy.size());
  return digits.front() != '0' &&
         std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void parse_fixed(TomlSection& t, StudySweep& s) {
  std::optional<TomlSection> f = t.table("fixed");
  if (!f) return;
  s.fixed.clear();
  for (auto&& [k, v] : f->raw()) {
    const std::string column(k.str());
    double value = 0.0;
    f->get(column, value);
    if (!is_fixable_column(column)) {
      f->fail(column, f->node(column),
              fmt::format("not a numeric condition column (one of: {}; decoy_<n>; "
                          "<condition>_missing)",
                          joined(condition_column_names())));
    }
    s.fixed.emplace(column, value);
  }
  f->finish();
}

/// Canonical level names of a one-hot group (enum order, "unknown" is missing, not a level).
template <typename Enum>
std::vector<std::string_view> level_names() {
  std::vector<std::string_view> out;
  for (const Enum e : enum_values<Enum>()) {
    if (to_string(e) != "unknown") out.push_back(to_string(e));
  }
  return out;
}

void parse_levels(TomlSection& t, StudySweep& s) {
  std::optional<TomlSection> l = t.table("levels");
  if (!l) return;
  s.levels.clear();
  for (auto&& [k, v] : l->raw()) {
    const std::string group(k.str());
    std::string level;
    l->get(group, level);
    std::vector<std::string_view> levels;
    if (group == "electrolyte_class") {
      levels = level_names<ElectrolyteClass>();
    } else if (group == "crucible") {
      levels = level_names<Crucible>();
    } else {
      l->fail(
          group, l->node(group),
          fmt::format("not a categorical column (one of: {})", joined(categorical_column_names())));
    }
    if (!contains(levels, level)) {
      l->fail(group, l->node(group),
              fmt::format("unknown level '{}' (one of: {})", level, joined(levels)));
    }
    s.levels.emplace(group, level);
  }
  l->finish();
}

StudySweep parse_sweep(TomlSection& t) {
  StudySweep s;
  t.get("name", s.name);
  check_group_name(t, s.name);
  parse_elements(t, s);
  parse_step(t, s);
  // Li per formula unit, within the formula parser's bounds (data/FEATURES.md); > 0 because a
  // sweep describes lithiated oxides (make_sweep_plan refuses li <= 0 too).
  if (t.get("li", s.li)) check_range(t, "li", s.li, {0.0, 1.5, true, false});
  parse_fixed(t, s);
  parse_levels(t, s);
  if (t.get("chunk", s.chunk) && s.chunk == 0) t.fail("chunk", t.node("chunk"), "expected >= 1");
  if (t.get("neighbourhood", s.neighbourhood)) {
    check_range(t, "neighbourhood", s.neighbourhood, {0.0, 1.0});
  }
  t.finish();
  return s;
}

}  // namespace

void parse_sweeps(TomlSection& root, std::vector<StudySweep>& out) {
  std::vector<TomlSection> tables = root.array_of_tables("sweeps");
  out.clear();
  for (TomlSection& t : tables) {
    StudySweep s = parse_sweep(t);
    for (const StudySweep& other : out) {
      if (other.name == s.name) {
        t.fail("name", t.node("name"), fmt::format("duplicated sweep name '{}'", s.name));
      }
    }
    out.push_back(std::move(s));
  }
}

void parse_validation(TomlSection& root, std::vector<StudyValidationSeries>& out) {
  std::vector<TomlSection> tables = root.array_of_tables("validation");
  out.clear();
  for (TomlSection& t : tables) {
    StudyValidationSeries v;
    t.get("name", v.name);
    check_group_name(t, v.name);
    for (const StudyValidationSeries& other : out) {
      if (other.name == v.name) {
        t.fail("name", t.node("name"), fmt::format("duplicated validation series '{}'", v.name));
      }
    }
    t.get("sources", v.sources);
    t.get("record_ids", v.record_ids);
    if (v.sources.empty() && v.record_ids.empty()) {
      t.fail("sources", t.node("sources"), "a series needs sources or record_ids");
    }
    if (t.get("x_column", v.x_column) && !contains(composition_column_names(), v.x_column) &&
        !is_fixable_column(v.x_column)) {
      t.fail("x_column", t.node("x_column"),
             fmt::format("'{}' is not a composition or condition column", v.x_column));
    }
    t.finish();
    out.push_back(std::move(v));
  }
}

}  // namespace thermex::detail
