// libFuzzer target: arbitrary bytes through the CSV splitter and the DSC CSV reader. Besides
// "no crash, no sanitizer report, only InputError escapes", it checks the reader's contract:
// every row is either accepted or rejected, and whatever was accepted survives the canonical
// writer unchanged (write -> read -> write is a fixed point).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "thermex/csv.hpp"
#include "thermex/dsc_csv.hpp"
#include "thermex/error.hpp"

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_csv invariant violated: %s\n", what);
  std::abort();
}

void check_dsc_reader(std::string_view text) {
  thermex::ImportResult result;
  try {
    result = thermex::parse_dsc_csv(text, "fuzz.csv");
  } catch (const thermex::InputError&) {
    return;  // a file-level error is a valid answer to bad bytes
  }
  const auto accounted =
      static_cast<std::int64_t>(result.db.records.size() + result.rejected.size());
  if (accounted != result.rows_read) fail("rows read != accepted + rejected");
  for (const auto& r : result.rejected) {
    if (r.line < 2) fail("rejected row before the first data line");
    if (r.reason.empty()) fail("rejected row without a reason");
    if (thermex::find_invalid_utf8(r.raw) || r.raw.find('\0') != std::string::npos) {
      fail("rejected row text is not storable UTF-8");
    }
  }
  if (result.db.records.empty()) return;
  const std::string canonical = thermex::format_dsc_csv(result.db);
  const thermex::ImportResult back = thermex::parse_dsc_csv(canonical, "canonical.csv");
  if (!back.rejected.empty()) {
    std::fprintf(stderr, "re-read rejected line %lld column '%s': %s\n",
                 static_cast<long long>(back.rejected[0].line), back.rejected[0].column.c_str(),
                 back.rejected[0].reason.c_str());
    fail("canonical output of accepted records was rejected on re-read");
  }
  if (back.db.records.size() != result.db.records.size()) fail("record count changed on re-read");
  if (thermex::format_dsc_csv(back.db) != canonical)
    fail("write -> read -> write is not a fixed point");
}

void check_csv_layer(std::string_view text) {
  try {
    const thermex::CsvTable table = thermex::parse_csv(text, "fuzz.csv");
    if (table.rows.size() != table.row_lines.size()) fail("row_lines out of step with rows");
    // Rewriting a strictly valid table and reading it again gives the same cells.
    std::string out;
    thermex::append_csv_row(out, table.header);
    for (const auto& row : table.rows) thermex::append_csv_row(out, row);
    const thermex::CsvTable again = thermex::parse_csv(out, "rewritten.csv");
    if (again.header != table.header || again.rows != table.rows) fail("CSV writer round trip");
  } catch (const thermex::InputError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_csv_layer(text);
  check_dsc_reader(text);
  return 0;
}
