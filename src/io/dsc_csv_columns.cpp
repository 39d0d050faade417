// The DSC CSV column table (data/SCHEMA.md): names in canonical order, how each cell is parsed
// and range-checked, and how it is written back. Ranges are physical plausibility bounds that
// catch unit mix-ups (K for °C, mW for W/g) and typos, not statistical outlier limits.
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <system_error>

#include <fmt/format.h>

#include "dsc_csv_columns.hpp"
#include "thermex/dsc_csv.hpp"
#include "thermex/dsc_enums.hpp"

namespace thermex::detail {
namespace {

using ParseFn = std::string (*)(const ColumnSpec&, std::string_view, DscRowDraft&);
using FormatFn = std::string (*)(const DscRecord&);

// At most 40 bytes of a cell for messages, cut at a UTF-8 character boundary (cells were
// validated as UTF-8 by the CSV layer; a cut inside a character would make the message invalid).
std::string quote_cell(std::string_view cell) {
  constexpr std::size_t kMax = 40;
  if (cell.size() <= kMax) return fmt::format("'{}'", cell);
  std::size_t n = kMax;
  while (n > 0 && (static_cast<unsigned char>(cell[n]) & 0xC0u) == 0x80u) --n;
  return fmt::format("'{}...'", cell.substr(0, n));
}

// --- text
template <std::string DscRecord::*M>
std::string parse_text(const ColumnSpec&, std::string_view cell, DscRowDraft& row) {
  row.rec.*M = std::string(cell);
  return {};
}
template <std::string DscRecord::*M>
std::string format_text(const DscRecord& rec) {
  return rec.*M;
}
template <std::string DscRecord::*M>
constexpr ColumnSpec text_col(std::string_view name, bool required = false) {
  return {name, CellKind::kText, required,       0.0, 0.0, false, "",
          "",   &parse_text<M>,  &format_text<M>};
}

// --- numbers
std::string parse_number_into(const ColumnSpec& spec, std::string_view cell,
                              std::optional<double>& slot) {
  std::string error;
  const std::optional<double> v = parse_decimal(cell, error);
  if (!error.empty()) return error;
  if (v && (*v > spec.hi || *v < spec.lo || (spec.lo_open && *v == spec.lo))) {
    const std::string unit = spec.unit.empty() ? "" : fmt::format(" {}", spec.unit);
    return fmt::format("{}{} is outside {}{}, {}]{}{}", format_decimal(*v), unit,
                       spec.lo_open ? "(" : "[", format_decimal(spec.lo), format_decimal(spec.hi),
                       unit, spec.hint);
  }
  slot = v;
  return {};
}
template <std::optional<double> DscRecord::*M>
std::string parse_record_number(const ColumnSpec& spec, std::string_view cell, DscRowDraft& row) {
  return parse_number_into(spec, cell, row.rec.*M);
}
template <std::optional<double> DscRowDraft::*M>
std::string parse_draft_number(const ColumnSpec& spec, std::string_view cell, DscRowDraft& row) {
  return parse_number_into(spec, cell, row.*M);
}
template <std::optional<double> DscRecord::*M>
std::string format_record_number(const DscRecord& rec) {
  return (rec.*M) ? format_decimal(*(rec.*M)) : std::string();
}
template <std::optional<double> DscRecord::*M>
constexpr ColumnSpec num_col(std::string_view name, double lo, double hi, std::string_view unit,
                             bool lo_open = false, std::string_view hint = "") {
  return {name,
          CellKind::kNumber,
          false,
          lo,
          hi,
          lo_open,
          unit,
          hint,
          &parse_record_number<M>,
          &format_record_number<M>};
}

// Site fractions are written from the parsed composition, so they always agree with `formula`.
template <int Z>
std::string format_fraction(const DscRecord& rec) {
  return rec.composition.count > 0 ? format_decimal(math::site_fraction(rec.composition, Z))
                                   : std::string();
}
std::string format_li_pristine(const DscRecord& rec) {
  return rec.composition.count > 0 ? format_decimal(rec.composition.li) : std::string();
}
template <std::optional<double> DscRowDraft::*M>
constexpr ColumnSpec fraction_col(std::string_view name, FormatFn format, double lo = 0.0,
                                  double hi = 1.0) {
  return {name, CellKind::kNumber, false, lo, hi, false, "", "", &parse_draft_number<M>, format};
}

// --- enumerations
template <typename Enum>
std::string allowed_names() {
  std::string out;
  for (const Enum v : enum_values<Enum>()) {
    if (!out.empty()) out += ", ";
    out += to_string(v);
  }
  return out;
}
template <typename Enum, Enum DscRecord::*M>
std::string parse_enum_cell(const ColumnSpec&, std::string_view cell, DscRowDraft& row) {
  if (const auto v = parse_enum<Enum>(cell)) {
    row.rec.*M = *v;
    return {};
  }
  if (cell.empty()) return {};  // no "not stated" value (origin): keep the record's default
  return fmt::format("unknown value {}; allowed: {}", quote_cell(cell), allowed_names<Enum>());
}
template <typename Enum, Enum DscRecord::*M>
std::string format_enum(const DscRecord& rec) {
  return std::string(to_string(rec.*M));
}
template <typename Enum, Enum DscRecord::*M>
constexpr ColumnSpec enum_col(std::string_view name, bool required = false) {
  return {name,
          CellKind::kEnum,
          required,
          0.0,
          0.0,
          false,
          "",
          "",
          &parse_enum_cell<Enum, M>,
          &format_enum<Enum, M>};
}

constexpr std::string_view kTemperatureUnit = "°C";
constexpr std::string_view kSignHint =
    " (store exothermic heat as a positive magnitude and note the source's sign in notes)";

using R = DscRecord;
using D = DscRowDraft;
constexpr std::array kColumns{
    text_col<&R::record_id>("record_id"),
    enum_col<DataOrigin, &R::origin>("origin"),
    text_col<&R::source_doi>("source_doi", true),
    text_col<&R::where_in_source>("where_in_source"),
    text_col<&R::read_from>("read_from"),
    enum_col<MaterialClass, &R::material_class>("material_class", true),
    text_col<&R::formula>("formula"),
    fraction_col<&D::li_pristine>("li_pristine", &format_li_pristine, 0.0, 1.5),
    fraction_col<&D::ni>("ni", &format_fraction<28>),
    fraction_col<&D::co>("co", &format_fraction<27>),
    fraction_col<&D::mn>("mn", &format_fraction<25>),
    fraction_col<&D::al>("al", &format_fraction<13>),
    text_col<&R::dopants>("dopants"),
    text_col<&R::coating>("coating"),
    enum_col<ChargeMethod, &R::charge_method>("charge_method"),
    num_col<&R::li_charged>("li_charged", 0.0, 1.5, ""),
    num_col<&R::cutoff_voltage_V>("cutoff_voltage_V", 2.5, 5.2, "V"),
    enum_col<Tristate, &R::washed>("washed"),
    enum_col<Tristate, &R::electrolyte_present>("electrolyte_present"),
    num_col<&R::electrolyte_ratio>("electrolyte_ratio", 0.0, 100.0, "g/g"),
    text_col<&R::electrolyte_amount_note>("electrolyte_amount_note"),
    enum_col<ElectrolyteClass, &R::electrolyte_class>("electrolyte_class"),
    text_col<&R::electrolyte_composition>("electrolyte_composition"),
    text_col<&R::additive>("additive"),
    enum_col<ThermalMethod, &R::method>("method"),
    enum_col<Crucible, &R::crucible>("crucible"),
    num_col<&R::scan_rate_C_per_min>("scan_rate_C_per_min", 0.0, 100.0, "°C/min", true),
    num_col<&R::active_frac>("active_frac", 0.0, 1.0, ""),
    num_col<&R::carbon_frac>("carbon_frac", 0.0, 1.0, ""),
    num_col<&R::binder_frac>("binder_frac", 0.0, 1.0, ""),
    enum_col<OnsetDefinition, &R::onset_definition>("onset_definition"),
    enum_col<PeakDefinition, &R::peak_definition>("peak_definition"),
    enum_col<HeatBasis, &R::heat_basis>("heat_basis"),
    num_col<&R::onset_C>("onset_C", -50.0, 600.0, kTemperatureUnit),
    num_col<&R::peak_C>("peak_C", -50.0, 600.0, kTemperatureUnit),
    num_col<&R::max_heat_flow_W_per_g>("max_heat_flow_W_per_g", 0.0, 1000.0, "W/g", true,
                                       " (1 mW/mg = 1 W/g; per-sample mW need the sample mass)"),
    num_col<&R::total_heat_J_per_g>("total_heat_J_per_g", 0.0, 10000.0, "J/g", false, kSignHint),
    text_col<&R::notes>("notes"),
};

constexpr auto kColumnNames = [] {
  std::array<std::string_view, kColumns.size()> names{};
  for (std::size_t j = 0; j < kColumns.size(); ++j) names[j] = kColumns[j].name;
  return names;
}();

}  // namespace

std::span<const ColumnSpec> dsc_column_specs() noexcept { return kColumns; }

const ColumnSpec* find_dsc_column(std::string_view name) noexcept {
  for (const auto& spec : kColumns) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::string_view trim_blanks(std::string_view text) noexcept {
  const auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!text.empty() && blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && blank(text.back())) text.remove_suffix(1);
  return text;
}

std::optional<double> parse_decimal(std::string_view text, std::string& error) {
  error.clear();
  const std::string_view cell = trim_blanks(text);
  if (cell.empty()) return std::nullopt;
  std::string_view digits = cell;
  if (digits.size() > 1 && digits.front() == '+' && digits[1] != '-') digits.remove_prefix(1);
  double v = 0.0;
  const char* end = digits.data() + digits.size();
  const auto [ptr, ec] = std::from_chars(digits.data(), end, v, std::chars_format::general);
  if (ec == std::errc::result_out_of_range) {
    error = fmt::format("{} is out of the range of a double", quote_cell(cell));
    return std::nullopt;
  }
  if (ec != std::errc() || ptr != end) {
    error = cell.find(',') != std::string_view::npos
                ? fmt::format("{} is not a number (the decimal separator is '.')", quote_cell(cell))
                : fmt::format("{} is not a number", quote_cell(cell));
    return std::nullopt;
  }
  // std::from_chars also reads "inf", "nan" and "infinity"; a measured value is never one.
  if (!std::isfinite(v)) {
    error = fmt::format("{} is not a finite number", quote_cell(cell));
    return std::nullopt;
  }
  return v;
}

std::string format_decimal(double v) { return fmt::format("{}", v); }

}  // namespace thermex::detail

namespace thermex {

std::span<const std::string_view> dsc_csv_columns() noexcept { return detail::kColumnNames; }

}  // namespace thermex
