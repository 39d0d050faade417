// RFC 4180 reader and writer: dialect, physical line numbers, every malformation class, and
// writer -> reader round trips.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "thermex/csv.hpp"
#include "thermex/error.hpp"

namespace thermex {
namespace {

using namespace std::string_literals;

std::vector<CsvRecord> all_records(std::string_view text) {
  CsvParser parser(text, "t.csv");
  std::vector<CsvRecord> out;
  CsvRecord rec;
  while (parser.next(rec)) out.push_back(rec);
  return out;
}

std::vector<std::string> texts(const CsvRecord& rec) {
  std::vector<std::string> out;
  for (const auto& f : rec.fields) out.push_back(f.text);
  return out;
}

TEST(Csv, SplitsQuotedFieldsAndCountsPhysicalLines) {
  const std::string text =
      "a,b,c\n"
      "1,\"x, y\",\"say \"\"hi\"\"\"\n"
      "2,\"two\nlines\",z\n"
      "\n"
      "3,,\n";
  const auto recs = all_records(text);
  ASSERT_EQ(recs.size(), 4u);
  EXPECT_EQ(texts(recs[1]), (std::vector<std::string>{"1", "x, y", "say \"hi\""}));
  EXPECT_TRUE(recs[1].fields[1].quoted);
  EXPECT_FALSE(recs[1].fields[0].quoted);
  EXPECT_EQ(recs[2].line, 3);
  EXPECT_EQ(recs[2].last_line, 4);
  EXPECT_EQ(texts(recs[2])[1], "two\nlines");
  // The blank line 5 is skipped but still counted.
  EXPECT_EQ(recs[3].line, 6);
  EXPECT_EQ(texts(recs[3]), (std::vector<std::string>{"3", "", ""}));
  for (const auto& r : recs) EXPECT_FALSE(r.issue.has_value()) << "line " << r.line;
  EXPECT_EQ(recs[1].raw, "1,\"x, y\",\"say \"\"hi\"\"\"");
}

TEST(Csv, CrlfBomLoneCrAndMissingFinalNewline) {
  const std::string text = "\xEF\xBB\xBFh1,h2\r\n1,\"a\r\nb\"\r\n2,c\r3,d";
  const auto recs = all_records(text);
  ASSERT_EQ(recs.size(), 4u);
  EXPECT_EQ(texts(recs[0]), (std::vector<std::string>{"h1", "h2"}));  // BOM dropped
  EXPECT_EQ(texts(recs[1])[1], "a\r\nb");  // quoted line breaks are kept byte for byte
  EXPECT_EQ(recs[2].line, 4);
  EXPECT_EQ(texts(recs[2]), (std::vector<std::string>{"2", "c"}));
  EXPECT_EQ(recs[3].line, 5);
  EXPECT_EQ(texts(recs[3]), (std::vector<std::string>{"3", "d"}));
}

TEST(Csv, TrailingCommaAtEndOfInputIsAnEmptyField) {
  const auto recs = all_records("a,b,");
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(texts(recs[0]), (std::vector<std::string>{"a", "b", ""}));
}

TEST(Csv, StrayQuoteInUnquotedFieldIsReportedWithColumnName) {
  CsvParser parser("a,b\n1,x\"y\n2,ok\n", "t.csv");
  parser.set_column_names({"a", "b"});
  CsvRecord rec;
  ASSERT_TRUE(parser.next(rec));
  ASSERT_TRUE(parser.next(rec));
  ASSERT_TRUE(rec.issue.has_value());
  EXPECT_EQ(rec.issue->line, 2);
  EXPECT_EQ(rec.issue->field, 1u);
  EXPECT_EQ(rec.issue->column, "b");
  EXPECT_NE(rec.issue->reason.find("stray"), std::string::npos) << rec.issue->reason;
  // The parser recovers: the next record is clean.
  ASSERT_TRUE(parser.next(rec));
  EXPECT_FALSE(rec.issue.has_value());
  EXPECT_EQ(rec.line, 3);
}

TEST(Csv, TextAfterClosingQuoteIsReported) {
  const auto recs = all_records("\"ab\"c,d\n");
  ASSERT_EQ(recs.size(), 1u);
  ASSERT_TRUE(recs[0].issue.has_value());
  EXPECT_EQ(recs[0].issue->column, "field 1");
  EXPECT_NE(recs[0].issue->reason.find("after a closing quote"), std::string::npos);
}

TEST(Csv, NulByteAndInvalidUtf8AreReported) {
  const auto nul = all_records("a,b\n1,x\0y\n"s);
  ASSERT_EQ(nul.size(), 2u);
  ASSERT_TRUE(nul[1].issue.has_value());
  EXPECT_EQ(nul[1].issue->field, 1u);
  EXPECT_NE(nul[1].issue->reason.find("NUL"), std::string::npos);

  const auto bad = all_records("a,b\n\xFF,1\n");
  ASSERT_EQ(bad.size(), 2u);
  ASSERT_TRUE(bad[1].issue.has_value());
  EXPECT_EQ(bad[1].issue->field, 0u);
  EXPECT_NE(bad[1].issue->reason.find("UTF-8"), std::string::npos) << bad[1].issue->reason;
}

TEST(Csv, Utf8Validation) {
  EXPECT_EQ(find_invalid_utf8("plain"), std::nullopt);
  EXPECT_EQ(find_invalid_utf8("25 \xC2\xB0"
                              "C \xE2\x82\xAC \xF0\x9F\x94\xA5"),
            std::nullopt);
  EXPECT_EQ(find_invalid_utf8("ab\xC0\x80"), 2u);        // overlong NUL
  EXPECT_EQ(find_invalid_utf8("\xE0\x80\xAF"), 0u);      // overlong '/'
  EXPECT_EQ(find_invalid_utf8("x\xED\xA0\x80"), 1u);     // UTF-16 surrogate
  EXPECT_EQ(find_invalid_utf8("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(find_invalid_utf8("\xF5\x80\x80\x80"), 0u);  // invalid lead byte
  EXPECT_EQ(find_invalid_utf8("ok\xE2\x82"), 2u);        // truncated at end
  EXPECT_EQ(find_invalid_utf8("\x80"), 0u);              // lone continuation byte
}

TEST(Csv, EscapeInvalidBytes) {
  EXPECT_EQ(escape_invalid_bytes("ok \xC2\xB0"
                                 "C"),
            "ok \xC2\xB0"
            "C");
  EXPECT_EQ(escape_invalid_bytes("a\0b"s), "a\\x00b");
  EXPECT_EQ(escape_invalid_bytes("x\xFFy\xE2\x82"), "x\\xFFy\\xE2\\x82");
  EXPECT_EQ(escape_invalid_bytes(""), "");
}

TEST(Csv, UnterminatedQuoteThrowsWithOpeningLineAndColumn) {
  CsvParser parser("a,b\n1,2\n3,\"never\nclosed\n", "t.csv");
  parser.set_column_names({"a", "b"});
  CsvRecord rec;
  ASSERT_TRUE(parser.next(rec));
  ASSERT_TRUE(parser.next(rec));
  try {
    parser.next(rec);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "t.csv");
    EXPECT_EQ(e.line(), 3);
    EXPECT_EQ(e.column(), "b");
    EXPECT_NE(e.reason().find("unterminated"), std::string::npos);
  }
}

TEST(Csv, StrictTableReader) {
  const CsvTable t = parse_csv("x,y\n1,2\n\n3,4\n", "t.csv");
  EXPECT_EQ(t.header, (std::vector<std::string>{"x", "y"}));
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.row_lines, (std::vector<std::int64_t>{2, 4}));
  EXPECT_EQ(t.rows[1], (std::vector<std::string>{"3", "4"}));

  const auto expect_error = [](std::string_view text, std::int64_t line, std::string_view what) {
    try {
      parse_csv(text, "t.csv");
      ADD_FAILURE() << "expected InputError for: " << text;
    } catch (const InputError& e) {
      EXPECT_EQ(e.line(), line) << text;
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  expect_error("", 0, "empty file");
  expect_error("x,y\n1,2,3\n", 2, "expected 2 fields");
  expect_error("x,x\n", 1, "duplicated column");
  expect_error("x,\n1,2\n", 1, "empty column name");
  expect_error("x,y\n1,\"2\n", 2, "unterminated");
}

TEST(Csv, EscapeQuotesOnlyWhenNeeded) {
  EXPECT_EQ(csv_escape("plain"), "plain");
  EXPECT_EQ(csv_escape(""), "");
  EXPECT_EQ(csv_escape("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_escape("say \"x\""), "\"say \"\"x\"\"\"");
  EXPECT_EQ(csv_escape("two\nlines"), "\"two\nlines\"");
  // Fuzzer finding: a field starting with a BOM is quoted, so a file starting with it keeps it.
  EXPECT_EQ(csv_escape("\xEF\xBB\xBF"
                       "2"),
            "\"\xEF\xBB\xBF"
            "2\"");
  {
    const CsvTable t = parse_csv(
        "\r\xEF\xBB\xBF"
        "2\n\x05\n",
        "bom.csv");
    std::string out;
    append_csv_row(out, t.header);
    for (const auto& row : t.rows) append_csv_row(out, row);
    const CsvTable again = parse_csv(out, "rewritten.csv");
    EXPECT_EQ(again.header, t.header);
    EXPECT_EQ(again.rows, t.rows);
  }
  EXPECT_EQ(csv_escape("cr\r"), "\"cr\r\"");
  EXPECT_EQ(csv_escape(" lead"), "\" lead\"");
  EXPECT_EQ(csv_escape("trail\t"), "\"trail\t\"");
  std::string out;
  const std::vector<std::string> one_empty{""};
  append_csv_row(out, one_empty);
  EXPECT_EQ(out, "\"\"\n");
}

TEST(Csv, WriterOutputReadsBackExactly) {
  const std::vector<std::vector<std::string>> rows = {
      {"id", "text", "num"},
      {"1", "comma, inside", "1.5"},
      {"2", "quote \" and \"\"", "-0"},
      {"3", "multi\nline\r\nwith CRLF", ""},
      {"4", "  padded  ", "1e-07"},
      {"5", "",
       "\xC2\xB0"
       "C"},
  };
  std::ostringstream stream;
  CsvWriter writer(stream);
  for (const auto& r : rows) writer.write_row(r);
  writer.write_row({"6", "view", "x"});
  const std::string text = stream.str();
  const auto recs = all_records(text);
  ASSERT_EQ(recs.size(), rows.size() + 1);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(texts(recs[i]), rows[i]) << "row " << i;
    EXPECT_FALSE(recs[i].issue.has_value()) << "row " << i;
  }
  EXPECT_EQ(texts(recs.back()), (std::vector<std::string>{"6", "view", "x"}));
  EXPECT_TRUE(recs[4].fields[1].quoted);  // leading blanks force quotes
}

TEST(Csv, ReadTextFileErrorsNameThePath) {
  const std::string missing = ::testing::TempDir() + "/thermex_no_such_file.csv";
  try {
    read_text_file(missing);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), missing);
    EXPECT_NE(e.reason().find("cannot open"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_text_file(::testing::TempDir()), InputError);
}

}  // namespace
}  // namespace thermex
