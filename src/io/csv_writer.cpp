// CSV writing: quote a field only when a reader could misread it, so plain numeric tables stay
// plain.
#include <ostream>

#include "thermex/csv.hpp"

namespace thermex {
namespace {

bool needs_quotes(std::string_view field) noexcept {
  if (field.find_first_of(",\"\r\n") != std::string_view::npos) return true;
  if (field.empty()) return false;
  // A leading UTF-8 byte-order mark would be stripped by the reader if the field ended up at
  // the start of a file (fuzzer finding); quoted, it is kept as data.
  if (field.starts_with("\xEF\xBB\xBF")) return true;
  const auto edge_space = [](char c) { return c == ' ' || c == '\t'; };
  return edge_space(field.front()) || edge_space(field.back());
}

template <typename String>
void append_row(std::string& out, std::span<const String> fields) {
  if (fields.size() == 1 && std::string_view(fields[0]).empty()) {
    out += "\"\"\n";  // an empty line would read back as no record at all
    return;
  }
  for (std::size_t j = 0; j < fields.size(); ++j) {
    if (j > 0) out.push_back(',');
    const std::string_view field(fields[j]);
    if (needs_quotes(field)) {
      out += csv_escape(field);
    } else {
      out += field;
    }
  }
  out.push_back('\n');
}

}  // namespace

std::string csv_escape(std::string_view field) {
  if (!needs_quotes(field)) return std::string(field);
  std::string out;
  out.reserve(field.size() + 2);
  out.push_back('"');
  for (const char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

void append_csv_row(std::string& out, std::span<const std::string> fields) {
  append_row(out, fields);
}

void append_csv_row(std::string& out, std::span<const std::string_view> fields) {
  append_row(out, fields);
}

void CsvWriter::write_row(std::span<const std::string> fields) {
  buffer_.clear();
  append_csv_row(buffer_, fields);
  out_ << buffer_;
}

void CsvWriter::write_row(std::initializer_list<std::string_view> fields) {
  buffer_.clear();
  append_csv_row(buffer_, std::span<const std::string_view>(fields.begin(), fields.size()));
  out_ << buffer_;
}

}  // namespace thermex
