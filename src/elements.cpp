// Element tables parsed from the CSVs compiled into the library (cmake/EmbedData.cmake). The
// oxidation-state conventions built on them live in composition_oxidation.cpp.
#include "thermex/elements.hpp"

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "thermex/error.hpp"

namespace thermex::embedded {
extern const std::string_view kElementsCsv;
extern const std::string_view kShannonRadiiCsv;
}  // namespace thermex::embedded

namespace thermex {
namespace {

// The embedded files are plain comma-separated text without quoting (checked by the tests), so
// a split on ',' is a complete parser for them.
std::vector<std::string_view> split(std::string_view line, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t pos = line.find(sep, start);
    if (pos == std::string_view::npos) {
      out.push_back(line.substr(start));
      return out;
    }
    out.push_back(line.substr(start, pos - start));
    start = pos + 1;
  }
}

// Lines without their '\n' (and '\r'), skipping empty ones; each paired with its 1-based number.
std::vector<std::pair<std::int64_t, std::string_view>> lines_of(std::string_view text) {
  std::vector<std::pair<std::int64_t, std::string_view>> out;
  std::int64_t number = 0;
  while (!text.empty()) {
    ++number;
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) out.emplace_back(number, line);
  }
  return out;
}

struct CsvCursor {
  std::string_view file;
  std::int64_t line;
  const std::vector<std::string_view>& header;
  const std::vector<std::string_view>& cells;

  [[noreturn]] void fail(std::size_t col, const std::string& reason) const {
    throw InputError(std::string(file), line, std::string(header.at(col)), reason);
  }
  double number(std::size_t col) const {
    double v = 0.0;
    const auto cell = cells.at(col);
    const auto [p, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
    if (ec != std::errc{} || p != cell.data() + cell.size()) {
      fail(col, "not a number: '" + std::string(cell) + "'");
    }
    return v;
  }
  int integer(std::string_view cell, std::size_t col) const {
    int v = 0;
    const auto [p, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
    if (ec != std::errc{} || p != cell.data() + cell.size()) {
      fail(col, "not an integer: '" + std::string(cell) + "'");
    }
    return v;
  }
};

// Finds each wanted column in the header; throws when one is missing.
std::vector<std::size_t> column_positions(std::string_view file,
                                          const std::vector<std::string_view>& header,
                                          std::initializer_list<std::string_view> wanted) {
  std::vector<std::size_t> pos;
  for (const auto name : wanted) {
    std::size_t j = 0;
    while (j < header.size() && header[j] != name) ++j;
    if (j == header.size())
      throw InputError(std::string(file), 1, std::string(name), "no such column");
    pos.push_back(j);
  }
  return pos;
}

SpinState parse_spin(const CsvCursor& cur, std::size_t col) {
  const auto cell = cur.cells.at(col);
  if (cell.empty()) return SpinState::kNone;
  if (cell == "High Spin") return SpinState::kHigh;
  if (cell == "Low Spin") return SpinState::kLow;
  cur.fail(col, "unknown spin label '" + std::string(cell) + "'");
}

}  // namespace

std::string_view to_string(OxidationConvention v) noexcept {
  return v == OxidationConvention::kPristine ? "pristine" : "charged";
}

std::optional<OxidationConvention> parse_oxidation_convention(std::string_view text) noexcept {
  if (text == "charged") return OxidationConvention::kCharged;
  if (text == "pristine") return OxidationConvention::kPristine;
  return std::nullopt;
}

const ElementTable& ElementTable::instance() {
  static const ElementTable table = from_csv(embedded::kElementsCsv, embedded::kShannonRadiiCsv);
  return table;
}

ElementTable ElementTable::from_csv(std::string_view elements_csv, std::string_view shannon_csv) {
  ElementTable t;
  t.load_elements(elements_csv);
  t.load_shannon(shannon_csv);
  return t;
}

void ElementTable::load_elements(std::string_view elements_csv) {
  constexpr std::string_view kElementsFile = "elements.csv";
  const auto elines = lines_of(elements_csv);
  if (elines.empty()) throw InputError(std::string(kElementsFile), 0, "", "empty table");
  const auto eheader = split(elines[0].second, ',');
  const auto ec = column_positions(
      kElementsFile, eheader,
      {"element", "Z", "atomic_mass", "pauling_en", "common_oxidation_states", "name"});
  for (std::size_t i = 1; i < elines.size(); ++i) {
    const auto cells = split(elines[i].second, ',');
    const CsvCursor cur{kElementsFile, elines[i].first, eheader, cells};
    if (cells.size() != eheader.size()) cur.fail(0, "wrong number of cells");
    ElementInfo e;
    e.symbol = std::string(cells[ec[0]]);
    e.z = cur.integer(cells[ec[1]], ec[1]);
    if (e.z <= 0 || e.z > 118) cur.fail(ec[1], "atomic number out of range");
    e.atomic_mass = cur.number(ec[2]);
    e.pauling_en = cur.number(ec[3]);
    for (const auto s : split(cells[ec[4]], ' ')) {
      if (!s.empty()) e.common_oxidation_states.push_back(cur.integer(s, ec[4]));
    }
    e.name = std::string(cells[ec[5]]);
    if (find(e.symbol) != nullptr || find(e.z) != nullptr) cur.fail(0, "duplicated element");
    if (index_by_z_.size() <= static_cast<std::size_t>(e.z)) {
      index_by_z_.resize(static_cast<std::size_t>(e.z) + 1, -1);
    }
    index_by_z_[static_cast<std::size_t>(e.z)] = static_cast<int>(elements_.size());
    elements_.push_back(std::move(e));
  }
}

void ElementTable::load_shannon(std::string_view shannon_csv) {
  constexpr std::string_view kShannonFile = "shannon_radii.csv";
  const auto slines = lines_of(shannon_csv);
  if (slines.empty()) throw InputError(std::string(kShannonFile), 0, "", "empty table");
  const auto sheader = split(slines[0].second, ',');
  const auto sc = column_positions(
      kShannonFile, sheader,
      {"element", "oxidation_state", "coordination", "spin", "crystal_radius_A", "ionic_radius_A"});
  for (std::size_t i = 1; i < slines.size(); ++i) {
    const auto cells = split(slines[i].second, ',');
    const CsvCursor cur{kShannonFile, slines[i].first, sheader, cells};
    if (cells.size() != sheader.size()) cur.fail(0, "wrong number of cells");
    const ElementInfo* e = find(cells[sc[0]]);
    if (e == nullptr) cur.fail(sc[0], "element not in elements.csv");
    ShannonEntry s;
    s.z = e->z;
    s.oxidation_state = cur.integer(cells[sc[1]], sc[1]);
    s.coordination = std::string(cells[sc[2]]);
    s.spin = parse_spin(cur, sc[3]);
    s.crystal_radius_A = cur.number(sc[4]);
    s.ionic_radius_A = cur.number(sc[5]);
    if (!(s.ionic_radius_A > 0.0)) cur.fail(sc[5], "ionic radius must be positive");
    shannon_.push_back(std::move(s));
  }
}

const ElementInfo* ElementTable::find(std::string_view symbol) const noexcept {
  for (const auto& e : elements_) {
    if (e.symbol == symbol) return &e;
  }
  return nullptr;
}

const ElementInfo* ElementTable::find(int z) const noexcept {
  if (z < 0 || static_cast<std::size_t>(z) >= index_by_z_.size()) return nullptr;
  const int i = index_by_z_[static_cast<std::size_t>(z)];
  return i < 0 ? nullptr : &elements_[static_cast<std::size_t>(i)];
}

const ElementInfo& ElementTable::at(int z) const {
  if (const auto* e = find(z)) return *e;
  throw Error("element table has no element with Z = " + std::to_string(z));
}

std::optional<ShannonEntry> ElementTable::shannon_entry(int z, int oxidation_state,
                                                        std::string_view coordination,
                                                        SpinState spin) const noexcept {
  const ShannonEntry* unlabelled = nullptr;
  const ShannonEntry* exact = nullptr;
  const ShannonEntry* labelled = nullptr;
  int labelled_count = 0;
  for (const auto& s : shannon_) {
    if (s.z != z || s.oxidation_state != oxidation_state || s.coordination != coordination) {
      continue;
    }
    if (s.spin == SpinState::kNone) {
      unlabelled = &s;
    } else {
      ++labelled_count;
      labelled = &s;
      if (s.spin == spin) exact = &s;
    }
  }
  if (spin != SpinState::kNone) {
    if (exact != nullptr) return *exact;
    if (unlabelled != nullptr) return *unlabelled;
    return std::nullopt;
  }
  if (unlabelled != nullptr) return *unlabelled;
  if (labelled_count == 1) return *labelled;
  return std::nullopt;
}

double ElementTable::ionic_radius_A(int z, int oxidation_state, std::string_view coordination,
                                    SpinState spin) const {
  if (auto s = shannon_entry(z, oxidation_state, coordination, spin)) return s->ionic_radius_A;
  const auto* e = find(z);
  const std::string spin_text = spin == SpinState::kHigh  ? " high spin"
                                : spin == SpinState::kLow ? " low spin"
                                                          : "";
  throw Error("no unambiguous Shannon radius for " + (e ? e->symbol : "Z=" + std::to_string(z)) +
              std::to_string(oxidation_state) + "+ " + std::string(coordination) + spin_text);
}

}  // namespace thermex
