#pragma once
/// \file
/// RFC 4180 CSV: a tolerant record splitter that reports malformed records instead of crashing,
/// a strict whole-table reader, and a writer that quotes only when needed.
///
/// Dialect read: fields separated by `,`; records end at LF, CRLF or a lone CR; a field that
/// starts with `"` is quoted and may hold commas, line breaks and `""` (one literal quote); a
/// UTF-8 byte-order mark at the very start is dropped; lines that are completely empty are
/// skipped. Quoted fields are kept byte for byte (a CRLF inside quotes stays CRLF). Every field
/// must be valid UTF-8 and hold no NUL byte.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace thermex {

/// The first thing wrong with one CSV record. The record's fields are still filled as well as
/// they could be read, so the caller can report the row and carry on with the next one.
struct CsvIssue {
  std::int64_t line = 0;  ///< 1-based physical line where the problem is
  std::size_t field = 0;  ///< 0-based index of the offending field in the record
  std::string
      column;  ///< the column's name when known (CsvParser::set_column_names), else "field N"
  std::string reason;  ///< what is wrong, e.g. "stray '\"' inside an unquoted field"
};

/// One field of a record: its text (quotes removed, `""` unescaped) and whether it was quoted.
/// Callers trim unquoted fields when they want to; a quoted field is meant verbatim.
struct CsvField {
  std::string text;
  bool quoted = false;
};

/// One logical CSV record, which may span several physical lines when quoted fields hold line
/// breaks.
struct CsvRecord {
  std::int64_t line = 0;       ///< 1-based physical line where the record starts
  std::int64_t last_line = 0;  ///< 1-based physical line where it ends
  std::vector<CsvField> fields;
  std::string_view raw;  ///< the record's bytes without the terminator (view into the text)
  std::optional<CsvIssue> issue;
};

/// Splits CSV text into records, one at a time, never reading past the end of the text. The
/// text must outlive the parser and every CsvRecord::raw it hands out.
class CsvParser {
 public:
  /// `display_name` names the input in errors (usually the file path). Drops a leading BOM.
  CsvParser(std::string_view text, std::string display_name);

  /// Names the fields by position for messages (normally the header's names). Fields beyond
  /// the list are named "field N" (1-based).
  void set_column_names(std::vector<std::string> names);

  /// Reads the next record into `out`; returns false at the end of the text. Empty lines are
  /// skipped. Malformed records come back with `out.issue` set (the first problem found). A
  /// quoted field that never closes swallows the rest of the input, so that one is a file-level
  /// error: throws InputError naming the line and column where the quote opened. Cost: linear
  /// in the record's length.
  bool next(CsvRecord& out);

  /// The name given at construction.
  const std::string& display_name() const noexcept { return display_name_; }

 private:
  std::string column_name(std::size_t field) const;
  void read_quoted(std::string& text, std::size_t field, CsvRecord& rec);
  void read_unquoted(std::string& text, std::size_t field, CsvRecord& rec);
  bool at_terminator() const noexcept;
  void note_issue(CsvRecord& rec, std::size_t field, std::string reason) const;

  std::string_view text_;
  std::string display_name_;
  std::vector<std::string> column_names_;
  std::size_t pos_ = 0;
  std::int64_t line_ = 1;
};

/// Byte offset of the first invalid UTF-8 sequence in `text` (overlong forms, surrogates and
/// code points above U+10FFFF count as invalid); std::nullopt when the text is valid UTF-8.
std::optional<std::size_t> find_invalid_utf8(std::string_view text) noexcept;

/// `text` with every NUL byte and every byte of an invalid UTF-8 sequence replaced by the four
/// characters `\xHH`, so it can be stored as UTF-8 text (rejects files, HDF5 strings) and still
/// show what was there. Valid text is returned unchanged. Cost: linear.
std::string escape_invalid_bytes(std::string_view text);

/// A CSV table read strictly: a header and rows of exactly as many fields.
struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::int64_t> row_lines;  ///< 1-based physical line where each row starts
};

/// Reads a whole CSV text with a header line. Strict: the first malformed record, a row whose
/// field count differs from the header's, an empty or duplicated header name, or an empty text
/// throws InputError(display_name, line, column, reason). Fields are returned as read
/// (untrimmed). Cost: linear in the text.
CsvTable parse_csv(std::string_view text, const std::string& display_name);

/// read_text_file() then parse_csv() with the path as display name.
CsvTable read_csv_file(const std::string& path);

/// The bytes of a file. Throws InputError(path, 0, "", reason) when it cannot be opened or read
/// (the reason carries strerror), or when it is a directory.
std::string read_text_file(const std::string& path);

/// `field` as one CSV field: unchanged when it is safe, otherwise wrapped in quotes with inner
/// quotes doubled. Quoted when it holds `,` `"` CR or LF, or starts or ends with a space or tab
/// (readers that trim would otherwise lose them).
std::string csv_escape(std::string_view field);

/// Appends `fields` as one record terminated by LF. A record of one empty field is written as
/// `""` so it does not read back as a skipped blank line.
void append_csv_row(std::string& out, std::span<const std::string> fields);
/// Same for string views (header rows written from constants).
void append_csv_row(std::string& out, std::span<const std::string_view> fields);

/// Writes CSV records to a stream (for instance AtomicFile::stream()). Holds a reference: the
/// stream must outlive the writer. Does not flush; the stream's owner does.
class CsvWriter {
 public:
  /// A writer appending records to `out`.
  explicit CsvWriter(std::ostream& out) : out_(out) {}
  /// Writes one record (see append_csv_row).
  void write_row(std::span<const std::string> fields);
  /// Writes one record given as string views.
  void write_row(std::initializer_list<std::string_view> fields);

 private:
  std::ostream& out_;
  std::string buffer_;
};

}  // namespace thermex
