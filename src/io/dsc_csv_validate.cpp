// Row-level checks of the DSC CSV reader that involve more than one cell: the composition
// (formula vs explicit site fractions) and cross-field consistency. Each check names the column
// a user should look at, so the rejects file points at the cell to fix.
#include <array>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "dsc_csv_columns.hpp"
#include "thermex/composition.hpp"

namespace thermex::detail {
namespace {

// Explicit fractions and the formula describe the same material if they agree this closely;
// 0.005 absorbs the usual 0.3333-for-1/3 rounding of tables.
constexpr double kFractionTolerance = 0.005;
// Mass fractions of a recipe are often printed rounded; allow a sum of 1 up to rounding noise.
constexpr double kRecipeTolerance = 1e-6;

struct FractionCell {
  std::string_view column;
  std::string_view symbol;
  int z;
  std::optional<double> DscRowDraft::*value;
};
constexpr std::array<FractionCell, 4> kFractions{{
    {"ni", "Ni", 28, &DscRowDraft::ni},
    {"co", "Co", 27, &DscRowDraft::co},
    {"mn", "Mn", 25, &DscRowDraft::mn},
    {"al", "Al", 13, &DscRowDraft::al},
}};

// Amount in a formula: "" for exactly 1, else at most six decimals without trailing zeros.
std::string formula_amount(double x) {
  if (std::abs(x - 1.0) < 1e-12) return {};
  std::string s = fmt::format("{:.6f}", x);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

// Formula of a row that gives only site fractions. Li-rich layered oxides are Li_a M_(2-a) O2
// (Li1.2M0.8O2 puts 0.2 Li on the TM layer), so for a > 1 the TM amounts are the site fractions
// scaled by 2 - a; parse_formula normalises them back and records site_total = 2 - a. For a <= 1
// (stoichiometric or Li-deficient) the TM site is full: amounts = fractions.
std::string formula_from_fractions(const DscRowDraft& row) {
  const double li = row.li_pristine.value_or(1.0);
  const double site_total = li > 1.0 ? 2.0 - li : 1.0;
  std::string formula = li > 0.0 ? "Li" + formula_amount(li) : std::string();
  for (const auto& f : kFractions) {
    const double x = (row.*f.value).value_or(0.0) * site_total;
    const std::string amount = formula_amount(x);
    if (amount == "0") continue;
    formula += std::string(f.symbol) + amount;
  }
  return formula + "O2";
}

std::string check_fractions_agree(const DscRowDraft& row, std::string& column) {
  const SiteComposition& c = row.rec.composition;
  for (const auto& f : kFractions) {
    const auto& given = row.*f.value;
    if (!given) continue;
    const double parsed = math::site_fraction(c, f.z);
    if (std::abs(parsed - *given) > kFractionTolerance) {
      column = f.column;
      return fmt::format(
          "{} = {} disagrees with formula '{}' ({} site fraction {:.4f}; allowed difference {})",
          f.column, format_decimal(*given), row.rec.formula, f.symbol, parsed, kFractionTolerance);
    }
  }
  if (row.li_pristine && std::abs(c.li - *row.li_pristine) > kFractionTolerance) {
    column = "li_pristine";
    return fmt::format("li_pristine = {} disagrees with formula '{}' (Li {})",
                       format_decimal(*row.li_pristine), row.rec.formula, format_decimal(c.li));
  }
  return {};
}

}  // namespace

std::string resolve_composition(DscRowDraft& row, std::string& column) {
  bool any_fraction = false;
  double sum = 0.0;
  for (const auto& f : kFractions) {
    any_fraction = any_fraction || (row.*f.value).has_value();
    sum += (row.*f.value).value_or(0.0);
  }
  if (row.rec.formula.empty()) {
    if (!any_fraction) {
      column = "formula";
      return "no composition: give a formula or the ni/co/mn(/al) site fractions";
    }
    if (std::abs(sum - 1.0) > kFractionTolerance) {
      column = "ni";
      return fmt::format(
          "ni + co + mn + al = {:.4f}; without a formula the site fractions must sum to 1 "
          "(within {})",
          sum, kFractionTolerance);
    }
    row.rec.formula = formula_from_fractions(row);
  }
  try {
    row.rec.composition = parse_formula(row.rec.formula);
  } catch (const FormulaError& e) {
    column = "formula";
    return fmt::format("bad formula '{}': {}", row.rec.formula, e.reason());
  }
  return check_fractions_agree(row, column);
}

std::string check_row_consistency(const DscRecord& rec, std::string& column) {
  if (rec.onset_C && rec.peak_C && *rec.onset_C > *rec.peak_C) {
    column = "onset_C";
    return fmt::format("onset_C {} °C is above peak_C {} °C", format_decimal(*rec.onset_C),
                       format_decimal(*rec.peak_C));
  }
  const double recipe =
      rec.active_frac.value_or(0.0) + rec.carbon_frac.value_or(0.0) + rec.binder_frac.value_or(0.0);
  if (recipe > 1.0 + kRecipeTolerance) {
    column = "active_frac";
    return fmt::format("active_frac + carbon_frac + binder_frac = {} exceeds 1",
                       format_decimal(recipe));
  }
  if (rec.charge_method == ChargeMethod::kChemical && rec.cutoff_voltage_V) {
    column = "cutoff_voltage_V";
    return "a chemically delithiated sample has no charge cutoff voltage (give li_charged)";
  }
  if (rec.li_charged && rec.composition.count > 0 &&
      *rec.li_charged > rec.composition.li + kFractionTolerance) {
    column = "li_charged";
    return fmt::format("li_charged {} exceeds the pristine Li content {} of '{}'",
                       format_decimal(*rec.li_charged), format_decimal(rec.composition.li),
                       rec.formula);
  }
  const bool liquid = rec.electrolyte_class == ElectrolyteClass::kCarbonateLiPF6 ||
                      rec.electrolyte_class == ElectrolyteClass::kSolventOnly;
  if (rec.electrolyte_present == Tristate::kNo && liquid) {
    column = "electrolyte_class";
    return "electrolyte_present is 'no' but electrolyte_class names a liquid electrolyte";
  }
  if (rec.electrolyte_present == Tristate::kYes &&
      rec.electrolyte_class == ElectrolyteClass::kNone) {
    column = "electrolyte_class";
    return "electrolyte_present is 'yes' but electrolyte_class is 'none'";
  }
  if (rec.electrolyte_present == Tristate::kNo && rec.electrolyte_ratio &&
      *rec.electrolyte_ratio > 0.0) {
    column = "electrolyte_ratio";
    return "electrolyte_present is 'no' but electrolyte_ratio is positive";
  }
  return {};
}

}  // namespace thermex::detail
