// Reads a DSC CSV (data/SCHEMA.md) into DscRecords. The header is checked strictly (a misspelt
// column would otherwise silently drop a measurement); rows are checked one by one and a bad
// row is rejected with its line, column and reason while the rest of the file imports.
#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "dsc_csv_columns.hpp"
#include "thermex/csv.hpp"
#include "thermex/dsc_csv.hpp"
#include "thermex/dsc_enums.hpp"
#include "thermex/error.hpp"
#include "thermex/sha256.hpp"

namespace thermex {
namespace {

using detail::ColumnSpec;
using detail::DscRowDraft;

constexpr std::string_view kIgnoredPrefix = "x_";
constexpr std::string_view kDecoyPrefix = "decoy_";
// More decoy columns than this is no synthetic design but a malformed header.
constexpr int kMaxDecoyColumns = 1000;

// Which schema column each field of the file feeds (nullptr: an ignored x_ column or a decoy).
struct HeaderMap {
  std::vector<const ColumnSpec*> specs;
  std::vector<std::string> names;
  std::vector<std::size_t> decoy_fields;  ///< field index of decoy_1, decoy_2, ...
};

// k for a column named decoy_k (1 <= k <= kMaxDecoyColumns, no leading zero), else 0.
int decoy_number(std::string_view name) noexcept {
  if (!name.starts_with(kDecoyPrefix)) return 0;
  const std::string_view digits = name.substr(kDecoyPrefix.size());
  if (digits.empty() || digits.front() == '0') return 0;
  int k = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), k);
  if (ec != std::errc() || ptr != digits.data() + digits.size() || k > kMaxDecoyColumns) return 0;
  return k;
}

// Decoy columns hold a list, so decoy_1..decoy_k must all be there; returns the field indices
// in list order.
std::vector<std::size_t> order_decoys(const std::map<int, std::size_t>& decoys,
                                      const std::string& file, std::int64_t line) {
  std::vector<std::size_t> fields;
  for (const auto& [k, field] : decoys) {
    if (k != static_cast<int>(fields.size()) + 1) {
      throw InputError(file, line, fmt::format("decoy_{}", k),
                       fmt::format("decoy columns must be decoy_1..decoy_k without gaps "
                                   "(decoy_{} is missing)",
                                   fields.size() + 1));
    }
    fields.push_back(field);
  }
  return fields;
}

bool iequal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string describe_unknown(std::string_view name) {
  for (const auto column : dsc_csv_columns()) {
    if (iequal(column, name)) return fmt::format("'{}' (did you mean '{}'?)", name, column);
  }
  return fmt::format("'{}'", name);
}

void check_required_columns(const CsvRecord& rec, const std::string& file,
                            const std::set<std::string, std::less<>>& present) {
  std::vector<std::string> missing;
  for (const std::string_view name : {"source_doi", "material_class"}) {
    if (!present.contains(name)) missing.emplace_back(name);
  }
  if (!present.contains("formula")) {
    for (const std::string_view name : {"ni", "co", "mn"}) {
      if (!present.contains(name)) missing.emplace_back(name);
    }
    if (!missing.empty() && missing.back() != "material_class" && missing.back() != "source_doi") {
      missing.emplace_back("(or formula instead of ni, co, mn)");
    }
  }
  if (!missing.empty()) {
    throw InputError(file, rec.line, "",
                     fmt::format("missing required column(s): {}", fmt::join(missing, ", ")));
  }
}

HeaderMap read_header(const CsvRecord& rec, const std::string& file,
                      std::vector<std::string>& warnings) {
  if (rec.issue) {
    throw InputError(file, rec.issue->line, rec.issue->column, "header: " + rec.issue->reason);
  }
  HeaderMap header;
  std::set<std::string, std::less<>> present;
  std::vector<std::string> unknown;
  std::map<int, std::size_t> decoys;
  for (std::size_t j = 0; j < rec.fields.size(); ++j) {
    const std::string name(detail::trim_blanks(rec.fields[j].text));
    if (name.empty()) {
      throw InputError(file, rec.line, fmt::format("field {}", j + 1),
                       "empty column name in the header");
    }
    if (!present.insert(name).second) {
      throw InputError(file, rec.line, name, "column appears twice in the header");
    }
    const ColumnSpec* spec = nullptr;
    if (const int k = decoy_number(name); k > 0) {
      decoys.emplace(k, j);
    } else if (name.starts_with(kIgnoredPrefix)) {
      warnings.push_back(
          fmt::format("{}:{}: column '{}' ignored (x_ columns are not part of the schema)", file,
                      rec.line, name));
    } else if (spec = detail::find_dsc_column(name); spec == nullptr) {
      unknown.push_back(describe_unknown(name));
    }
    header.specs.push_back(spec);
    header.names.push_back(name);
  }
  if (!unknown.empty()) {
    throw InputError(file, rec.line, "",
                     fmt::format("unknown column(s) {} (see data/SCHEMA.md; prefix a column with "
                                 "x_ to keep it in the file but ignore it)",
                                 fmt::join(unknown, ", ")));
  }
  check_required_columns(rec, file, present);
  header.decoy_fields = order_decoys(decoys, file, rec.line);
  return header;
}

bool is_blank_row(const CsvRecord& rec) {
  for (const auto& f : rec.fields) {
    if (!detail::trim_blanks(f.text).empty()) return false;
  }
  return true;
}

// Decoy cells: any finite numbers, written as a list without gaps (trailing empty cells end a
// shorter list, which happens when records with different decoy counts share a file).
std::string parse_decoys(const CsvRecord& rec, const HeaderMap& header, DscRecord& out,
                         std::string& column) {
  std::optional<std::size_t> first_empty;
  for (std::size_t k = 0; k < header.decoy_fields.size(); ++k) {
    column = fmt::format("decoy_{}", k + 1);
    std::string error;
    const std::optional<double> v =
        detail::parse_decimal(rec.fields[header.decoy_fields[k]].text, error);
    if (!error.empty()) return error;
    if (!v) {
      if (!first_empty) first_empty = k;
      continue;
    }
    if (first_empty) {
      return fmt::format("decoy_{} is empty but decoy_{} is not (decoys are a list without gaps)",
                         *first_empty + 1, k + 1);
    }
    out.decoys.push_back(*v);
  }
  return {};
}

// Parses and validates one data record; returns "" when `draft` holds an acceptable record,
// else the reason, with `column` naming the offending column ("" for the whole row).
std::string parse_row(const CsvRecord& rec, const HeaderMap& header, DscRowDraft& draft,
                      std::string& column) {
  if (rec.issue) {
    column = rec.issue->column;
    if (rec.issue->line != rec.line) {
      return fmt::format("{} (at line {})", rec.issue->reason, rec.issue->line);
    }
    return rec.issue->reason;
  }
  if (rec.fields.size() != header.specs.size()) {
    return fmt::format("expected {} fields as in the header, found {}", header.specs.size(),
                       rec.fields.size());
  }
  for (std::size_t j = 0; j < rec.fields.size(); ++j) {
    const ColumnSpec* spec = header.specs[j];
    if (spec == nullptr) continue;
    const CsvField& field = rec.fields[j];
    // A quoted text cell is meant verbatim; everything else forgives stray blanks.
    const std::string_view cell = (spec->kind == detail::CellKind::kText && field.quoted)
                                      ? std::string_view(field.text)
                                      : detail::trim_blanks(field.text);
    column = spec->name;
    if (spec->required && detail::trim_blanks(cell).empty()) return "missing required value";
    if (std::string reason = spec->parse(*spec, cell, draft); !reason.empty()) return reason;
  }
  if (std::string reason = parse_decoys(rec, header, draft.rec, column); !reason.empty()) {
    return reason;
  }
  column.clear();
  if (std::string reason = detail::resolve_composition(draft, column); !reason.empty()) {
    return reason;
  }
  return detail::check_row_consistency(draft.rec, column);
}

// Identity of a row's content for duplicate detection: every canonical cell but the id, so
// "190" and "190.0" or "ncm" and "NCM" count as the same. Length-prefixed, so no separator
// byte inside a cell can make two different rows collide.
std::string content_key(const DscRecord& rec) {
  std::string key;
  for (const auto& spec : detail::dsc_column_specs()) {
    if (spec.name == "record_id") continue;
    const std::string cell = spec.format(rec);
    key += fmt::format("{}:", cell.size());
    key += cell;
  }
  for (const double d : rec.decoys) key += fmt::format("|{}", detail::format_decimal(d));
  return key;
}

// Ids for rows without one: "lit-0007" for the 7th data row (stable when other rows are
// rejected), with a "-2", "-3", ... suffix when the file already uses that id explicitly.
void assign_generated_ids(std::vector<DscRecord>& records,
                          const std::vector<std::pair<std::size_t, std::int64_t>>& pending,
                          std::unordered_set<std::string>& used) {
  for (const auto& [index, data_row] : pending) {
    DscRecord& rec = records[index];
    const std::string_view prefix = rec.origin == DataOrigin::kSynthetic ? "syn" : "lit";
    std::string id = fmt::format("{}-{:04}", prefix, data_row);
    for (int k = 2; used.contains(id); ++k) id = fmt::format("{}-{:04}-{}", prefix, data_row, k);
    used.insert(id);
    rec.record_id = std::move(id);
  }
}

// Collects the data rows of one file: rejects, duplicate detection, generated ids, warnings.
class RowCollector {
 public:
  RowCollector(const std::string& file, const HeaderMap& header, ImportResult& out)
      : file_(file), header_(header), out_(out) {}

  void add(const CsvRecord& rec) {
    if (!rec.issue && is_blank_row(rec)) {
      blank_lines_.push_back(rec.line);
      return;
    }
    ++out_.rows_read;
    DscRowDraft draft;
    std::string column;
    std::string reason = parse_row(rec, header_, draft, column);
    if (reason.empty()) reason = check_unique(draft.rec, rec.line, column);
    if (!reason.empty()) {
      out_.rejected.push_back(
          {rec.line, std::move(column), std::move(reason), escape_invalid_bytes(rec.raw)});
      return;
    }
    if (draft.rec.record_id.empty()) {
      pending_ids_.emplace_back(out_.db.records.size(), out_.rows_read);
    } else {
      used_ids_.insert(draft.rec.record_id);
    }
    if (draft.rec.method != ThermalMethod::kDsc) {
      out_.warnings.push_back(
          fmt::format("{}:{}: method is {}, not DSC (kept; filter on 'method' to exclude)", file_,
                      rec.line, to_string(draft.rec.method)));
    }
    out_.db.records.push_back(std::move(draft.rec));
  }

  void finish() {
    if (out_.rows_read == 0) throw InputError(file_, 0, "", "no data rows after the header");
    assign_generated_ids(out_.db.records, pending_ids_, used_ids_);
    if (blank_lines_.empty()) return;
    constexpr std::size_t kListed = 10;  // keep the report one screen long
    const std::size_t listed = std::min(blank_lines_.size(), kListed);
    const auto first = blank_lines_.begin();
    out_.warnings.push_back(fmt::format(
        "{}: {} row(s) with only empty cells skipped (line {}{})", file_, blank_lines_.size(),
        fmt::join(first, first + static_cast<std::ptrdiff_t>(listed), ", "),
        blank_lines_.size() > listed ? ", ..." : ""));
  }

 private:
  // "" when the row is new content with an unused id; else the reason it is refused.
  std::string check_unique(const DscRecord& rec, std::int64_t line, std::string& column) {
    const auto [it, fresh] = line_of_content_.try_emplace(content_key(rec), line);
    if (!fresh) {
      column.clear();
      return fmt::format("duplicate of line {}", it->second);
    }
    if (rec.record_id.empty()) return {};
    const auto [id_it, new_id] = line_of_id_.try_emplace(rec.record_id, line);
    if (new_id) return {};
    line_of_content_.erase(it);  // the row is not kept, so it is no duplicate target
    column = "record_id";
    return fmt::format("record_id '{}' already used at line {}", rec.record_id, id_it->second);
  }

  const std::string& file_;
  const HeaderMap& header_;
  ImportResult& out_;
  std::unordered_map<std::string, std::int64_t> line_of_content_;
  std::unordered_map<std::string, std::int64_t> line_of_id_;
  std::unordered_set<std::string> used_ids_;
  std::vector<std::pair<std::size_t, std::int64_t>> pending_ids_;  // (record index, data row)
  std::vector<std::int64_t> blank_lines_;
};

}  // namespace

ImportResult parse_dsc_csv(std::string_view text, const std::string& display_name) {
  ImportResult out;
  out.db.source_file = display_name;
  out.db.source_sha256 = sha256_hex(text);  // of the bytes parsed, so it cannot race the file
  CsvParser parser(text, display_name);
  CsvRecord rec;
  if (!parser.next(rec)) throw InputError(display_name, 0, "", "empty file (no header line)");
  const HeaderMap header = read_header(rec, display_name, out.warnings);
  parser.set_column_names(header.names);
  RowCollector rows(display_name, header, out);
  while (parser.next(rec)) rows.add(rec);
  rows.finish();
  return out;
}

ImportResult read_dsc_csv(const std::string& path) {
  const std::string bytes = read_text_file(path);
  return parse_dsc_csv(bytes, path);
}

}  // namespace thermex
