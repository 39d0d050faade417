// RFC 4180 record splitter. It never indexes past the end of the text and reports the first
// malformation of each record instead of giving up, so one bad row in a literature file costs
// one row, not the import. The only file-level error is a quote that never closes, because it
// swallows every record after it.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>

#include <fmt/format.h>

#include "thermex/csv.hpp"
#include "thermex/error.hpp"

namespace thermex {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// Length of the UTF-8 sequence a lead byte announces, with the smallest code point it may
// encode (anything smaller is an overlong form); 0 for a byte that cannot start a sequence.
struct Utf8Lead {
  std::size_t length;
  std::uint32_t min_code_point;
  std::uint32_t payload;
};

Utf8Lead utf8_lead(unsigned char b) noexcept {
  if ((b & 0xE0u) == 0xC0u) return {2, 0x80u, b & 0x1Fu};
  if ((b & 0xF0u) == 0xE0u) return {3, 0x800u, b & 0x0Fu};
  if ((b & 0xF8u) == 0xF0u) return {4, 0x10000u, b & 0x07u};
  return {0, 0, 0};
}

// Length of the valid UTF-8 sequence starting at text[i] (1 for ASCII), or 0 when the bytes
// there are no valid sequence.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) noexcept {
  const auto b = static_cast<unsigned char>(text[i]);
  if (b < 0x80u) return 1;
  const Utf8Lead lead = utf8_lead(b);
  if (lead.length == 0 || text.size() - i < lead.length) return 0;
  std::uint32_t cp = lead.payload;
  for (std::size_t k = 1; k < lead.length; ++k) {
    const auto c = static_cast<unsigned char>(text[i + k]);
    if ((c & 0xC0u) != 0x80u) return 0;
    cp = (cp << 6) | (c & 0x3Fu);
  }
  if (cp < lead.min_code_point || cp > 0x10FFFFu || (cp >= 0xD800u && cp <= 0xDFFFu)) return 0;
  return lead.length;
}

}  // namespace

std::optional<std::size_t> find_invalid_utf8(std::string_view text) noexcept {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_sequence_length(text, i);
    if (n == 0) return i;
    i += n;
  }
  return std::nullopt;
}

std::string escape_invalid_bytes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = text[i] == '\0' ? 0 : utf8_sequence_length(text, i);
    if (n == 0) {
      out += fmt::format("\\x{:02X}", static_cast<unsigned char>(text[i]));
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

CsvParser::CsvParser(std::string_view text, std::string display_name)
    : text_(text), display_name_(std::move(display_name)) {
  if (text_.starts_with(kUtf8Bom)) text_.remove_prefix(kUtf8Bom.size());
}

void CsvParser::set_column_names(std::vector<std::string> names) {
  column_names_ = std::move(names);
}

std::string CsvParser::column_name(std::size_t field) const {
  if (field < column_names_.size()) return column_names_[field];
  return fmt::format("field {}", field + 1);
}

bool CsvParser::at_terminator() const noexcept {
  return pos_ >= text_.size() || text_[pos_] == '\n' || text_[pos_] == '\r';
}

void CsvParser::note_issue(CsvRecord& rec, std::size_t field, std::string reason) const {
  if (rec.issue) return;  // the first problem is the one worth reporting
  rec.issue = CsvIssue{line_, field, column_name(field), std::move(reason)};
}

void CsvParser::read_unquoted(std::string& text, std::size_t field, CsvRecord& rec) {
  while (pos_ < text_.size()) {
    const std::size_t stop = text_.find_first_of(",\r\n\"", pos_);
    const std::size_t end = stop == std::string_view::npos ? text_.size() : stop;
    text.append(text_.substr(pos_, end - pos_));
    pos_ = end;
    if (pos_ >= text_.size() || text_[pos_] != '"') return;
    // RFC 4180 allows quotes only around a whole field; keep the byte so `raw` and the field
    // agree, but the row is malformed.
    note_issue(
        rec, field,
        "stray '\"' inside an unquoted field (quote the whole field and double inner quotes)");
    text.push_back('"');
    ++pos_;
  }
}

void CsvParser::read_quoted(std::string& text, std::size_t field, CsvRecord& rec) {
  const std::int64_t open_line = line_;
  ++pos_;  // opening quote
  while (true) {
    if (pos_ >= text_.size()) {
      throw InputError(display_name_, open_line, column_name(field),
                       "unterminated quoted field: the '\"' opened here never closes");
    }
    const char c = text_[pos_];
    if (c == '"') {
      if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
        text.push_back('"');
        pos_ += 2;
        continue;
      }
      ++pos_;  // closing quote
      break;
    }
    text.push_back(c);
    ++pos_;
    if (c == '\n' || (c == '\r' && (pos_ >= text_.size() || text_[pos_] != '\n'))) ++line_;
  }
  if (!at_terminator() && text_[pos_] != ',') {
    note_issue(rec, field, "unexpected text after a closing quote");
    read_unquoted(text, field, rec);
  }
}

bool CsvParser::next(CsvRecord& out) {
  // Skip blank lines: they are formatting, not records.
  while (pos_ < text_.size() && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
    if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
  }
  if (pos_ >= text_.size()) return false;

  out.line = line_;
  out.fields.clear();
  out.issue.reset();
  const std::size_t start = pos_;
  for (std::size_t field = 0;; ++field) {
    CsvField f;
    if (text_[pos_] == '"') {
      f.quoted = true;
      read_quoted(f.text, field, out);
    } else {
      read_unquoted(f.text, field, out);
    }
    if (f.text.find('\0') != std::string::npos) {
      note_issue(out, field, "NUL byte in field");
    } else if (const auto bad = find_invalid_utf8(f.text)) {
      note_issue(out, field,
                 fmt::format("invalid UTF-8 (byte 0x{:02X} at offset {} of the field)",
                             static_cast<unsigned char>(f.text[*bad]), *bad));
    }
    out.fields.push_back(std::move(f));
    if (pos_ < text_.size() && text_[pos_] == ',') {
      ++pos_;
      if (pos_ < text_.size()) continue;
      out.fields.emplace_back();  // "a,b," at end of input: the last field is empty
    }
    break;
  }
  out.raw = text_.substr(start, pos_ - start);
  out.last_line = line_;
  if (pos_ < text_.size()) {  // consume the terminator
    if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
  }
  return true;
}

CsvTable parse_csv(std::string_view text, const std::string& display_name) {
  CsvParser parser(text, display_name);
  CsvRecord rec;
  if (!parser.next(rec)) throw InputError(display_name, 0, "", "empty file (no header line)");
  if (rec.issue)
    throw InputError(display_name, rec.issue->line, rec.issue->column, rec.issue->reason);
  CsvTable table;
  std::set<std::string> seen;
  for (std::size_t j = 0; j < rec.fields.size(); ++j) {
    const std::string& name = rec.fields[j].text;
    if (name.empty()) {
      throw InputError(display_name, rec.line, fmt::format("field {}", j + 1), "empty column name");
    }
    if (!seen.insert(name).second) {
      throw InputError(display_name, rec.line, name, "duplicated column name");
    }
    table.header.push_back(name);
  }
  parser.set_column_names(table.header);
  while (parser.next(rec)) {
    if (rec.issue) {
      throw InputError(display_name, rec.issue->line, rec.issue->column, rec.issue->reason);
    }
    if (rec.fields.size() != table.header.size()) {
      throw InputError(display_name, rec.line, "",
                       fmt::format("expected {} fields as in the header, found {}",
                                   table.header.size(), rec.fields.size()));
    }
    std::vector<std::string> row;
    row.reserve(rec.fields.size());
    for (auto& f : rec.fields) row.push_back(std::move(f.text));
    table.rows.push_back(std::move(row));
    table.row_lines.push_back(rec.line);
  }
  return table;
}

CsvTable read_csv_file(const std::string& path) { return parse_csv(read_text_file(path), path); }

std::string read_text_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw InputError(path, 0, "", "is a directory, not a file");
  }
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                             &std::fclose);
  if (!file) throw InputError(path, 0, "", fmt::format("cannot open: {}", std::strerror(errno)));
  std::string bytes;
  char buffer[1 << 16];
  while (true) {
    const std::size_t n = std::fread(buffer, 1, sizeof buffer, file.get());
    bytes.append(buffer, n);
    if (n < sizeof buffer) break;
  }
  if (std::ferror(file.get())) {
    throw InputError(path, 0, "", fmt::format("read failed: {}", std::strerror(errno)));
  }
  return bytes;
}

}  // namespace thermex
