// DSC CSV reader: accepted inputs (every composition style, quoting, CRLF, BOM, ids) and one
// case per row-rejection class, each checked for line, column and reason.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "thermex/composition.hpp"
#include "thermex/dsc_csv.hpp"
#include "thermex/dsc_enums.hpp"

namespace thermex {
namespace {

using namespace std::string_literals;

constexpr double kExact = 0.0;

// A file with one header and the given data lines (each line a full record text).
ImportResult parse(const std::string& header, const std::vector<std::string>& lines) {
  std::string text = header + "\n";
  for (const auto& l : lines) text += l + "\n";
  return parse_dsc_csv(text, "t.csv");
}

const std::string kHeader = "source_doi,material_class,formula,onset_C,peak_C,notes";

// Expects exactly one rejected row and checks its line, column and a reason fragment.
void expect_reject(const ImportResult& r, std::int64_t line, const std::string& column,
                   const std::string& fragment) {
  ASSERT_EQ(r.rejected.size(), 1u) << "expected one reject with '" << fragment << "'";
  const RejectedRow& row = r.rejected[0];
  EXPECT_EQ(row.line, line) << row.reason;
  EXPECT_EQ(row.column, column) << row.reason;
  EXPECT_NE(row.reason.find(fragment), std::string::npos)
      << "reason '" << row.reason << "' lacks '" << fragment << "'";
  EXPECT_FALSE(row.raw.empty());
}

TEST(DscCsv, EveryFormulaStyleParses) {
  const auto r = parse(kHeader, {
                                    "d1,NCM,LiNi0.8Co0.1Mn0.1O2,200,,",
                                    "d2,NCM,LiNi1/3Co1/3Mn1/3O2,210,,",
                                    "d3,NCA,Li[Ni0.8Co0.15Al0.05]O2,190,,",
                                    "d4,LCO,LiCoO2,180,,",
                                    "d5,LR,Li1.2Ni0.13Co0.13Mn0.54O2,220,,",
                                });
  ASSERT_TRUE(r.rejected.empty()) << r.rejected[0].reason;
  ASSERT_EQ(r.db.records.size(), 5u);
  EXPECT_NEAR(math::site_fraction(r.db.records[0].composition, 28), 0.8, 1e-12);
  EXPECT_NEAR(math::site_fraction(r.db.records[1].composition, 25), 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(math::site_fraction(r.db.records[2].composition, 13), 0.05, 1e-12);
  EXPECT_EQ(r.db.records[3].composition.count, 1);
  EXPECT_NEAR(r.db.records[4].composition.li, 1.2, 1e-12);
  EXPECT_EQ(r.db.records[4].material_class, MaterialClass::kLiRich);
  EXPECT_EQ(r.db.records[0].formula, "LiNi0.8Co0.1Mn0.1O2");  // kept as written
}

TEST(DscCsv, FractionsOnlyRowsBuildTheFormula) {
  const auto r = parse("source_doi,material_class,li_pristine,ni,co,mn,al,onset_C",
                       {
                           "d1,NCM,,0.6,0.2,0.2,,200",
                           "d2,NCA,,0.8,0.15,0,0.05,190",
                           "d3,LR,1.2,0.1625,0.1625,0.675,0,220",
                           "d4,NCM,,0.3333,0.3333,0.3333,,230",
                       });
  ASSERT_TRUE(r.rejected.empty()) << r.rejected[0].reason;
  ASSERT_EQ(r.db.records.size(), 4u);
  EXPECT_EQ(r.db.records[0].formula, "LiNi0.6Co0.2Mn0.2O2");
  EXPECT_EQ(r.db.records[1].formula, "LiNi0.8Co0.15Al0.05O2");
  // Li-rich: TM amounts are the site fractions times 2 - 1.2.
  EXPECT_EQ(r.db.records[2].formula, "Li1.2Ni0.13Co0.13Mn0.54O2");
  EXPECT_NEAR(r.db.records[2].composition.site_total, 0.8, 1e-12);
  EXPECT_NEAR(math::site_fraction(r.db.records[2].composition, 25), 0.675, 1e-12);
  EXPECT_NEAR(math::site_fraction(r.db.records[3].composition, 28), 1.0 / 3.0, 1e-12);
}

TEST(DscCsv, FormulaAndFractionsMustAgree) {
  const std::string header = "source_doi,material_class,formula,ni,co,mn,al,li_pristine";
  const auto ok = parse(header, {"d,NCM,LiNi1/3Co1/3Mn1/3O2,0.3333,0.3333,0.3333,0,1"});
  EXPECT_TRUE(ok.rejected.empty());
  expect_reject(parse(header, {"d,NCM,LiNi0.8Co0.1Mn0.1O2,0.6,0.1,0.1,,"}), 2, "ni",
                "disagrees with formula");
  expect_reject(parse(header, {"d,NCM,LiNi0.8Co0.1Mn0.1O2,,,0.11,,"}), 2, "mn", "disagrees");
  expect_reject(parse(header, {"d,NCM,LiNi0.8Co0.1Mn0.1O2,0.8,,,,1.1"}), 2, "li_pristine",
                "disagrees");
  expect_reject(parse(header, {"d,NCM,,0.6,0.2,0.1,,"}), 2, "ni", "sum to 1");
  expect_reject(parse(header, {"d,NCM,,,,,,"}), 2, "formula", "no composition");
}

TEST(DscCsv, QuotedNotesWithCommasAndNewlinesKeepLineNumbers) {
  const auto r = parse(
      kHeader,
      {
          "d1,NCM,LiNi0.8Co0.1Mn0.1O2,200,,\"peaks at 239, 313 C;\nsecond line \"\"quoted\"\"\"",
          "d2,NCM,LiNi0.8Co0.1Mn0.1O2,abc,,",
      });
  ASSERT_EQ(r.db.records.size(), 1u);
  EXPECT_EQ(r.db.records[0].notes, "peaks at 239, 313 C;\nsecond line \"quoted\"");
  expect_reject(r, 4, "onset_C", "is not a number");  // record 2 starts on physical line 4
}

TEST(DscCsv, CrlfBomAndBlanksAreAccepted) {
  const std::string text =
      "\xEF\xBB\xBF"
      "source_doi , material_class,formula,onset_C\r\n"
      "d1, NCM ,LiNi0.8Co0.1Mn0.1O2,\t 190.5 \r\n"
      ",,,\r\n"
      "d2,nmc,\" LiCoO2 \",\"180\"\r\n";
  const ImportResult r = parse_dsc_csv(text, "t.csv");
  ASSERT_TRUE(r.rejected.empty()) << r.rejected[0].reason;
  ASSERT_EQ(r.db.records.size(), 2u);
  EXPECT_EQ(r.rows_read, 2);
  EXPECT_EQ(r.db.records[0].onset_C, 190.5);
  EXPECT_EQ(r.db.records[0].material_class, MaterialClass::kNcm);
  EXPECT_EQ(r.db.records[1].material_class, MaterialClass::kNcm);  // alias, any case
  EXPECT_EQ(r.db.records[1].onset_C, 180.0);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("line 3"), std::string::npos) << r.warnings[0];
}

TEST(DscCsv, RecordIdsAndOriginDefaults) {
  const auto r = parse("record_id,origin,source_doi,material_class,formula,onset_C",
                       {
                           ",,d,NCM,LiNi0.8Co0.1Mn0.1O2,200",
                           "lit-0003,,d,NCM,LiNi0.8Co0.1Mn0.1O2,201",
                           ",,d,NCM,LiNi0.8Co0.1Mn0.1O2,202",
                           ",synthetic,d,NCM,LiNi0.8Co0.1Mn0.1O2,203",
                       });
  ASSERT_TRUE(r.rejected.empty());
  ASSERT_EQ(r.db.records.size(), 4u);
  EXPECT_EQ(r.db.records[0].record_id, "lit-0001");
  EXPECT_EQ(r.db.records[0].origin, DataOrigin::kLiterature);
  EXPECT_EQ(r.db.records[1].record_id, "lit-0003");
  EXPECT_EQ(r.db.records[2].record_id, "lit-0003-2");  // the file already uses lit-0003
  EXPECT_EQ(r.db.records[3].record_id, "syn-0004");
  EXPECT_EQ(r.db.source_file, "t.csv");
  EXPECT_EQ(r.db.source_sha256.size(), 64u);
}

TEST(DscCsv, BadNumbersAreRejected) {
  const std::string h = "source_doi,material_class,formula,onset_C";
  const std::string f = "d,NCM,LiNi0.8Co0.1Mn0.1O2,";
  expect_reject(parse(h, {f + "\"12,5\""}), 2, "onset_C", "decimal separator is '.'");
  expect_reject(parse(h, {f + "abc"}), 2, "onset_C", "'abc' is not a number");
  expect_reject(parse(h, {f + "nan"}), 2, "onset_C", "not a finite number");
  expect_reject(parse(h, {f + "-inf"}), 2, "onset_C", "not a finite number");
  expect_reject(parse(h, {f + "12.5.1"}), 2, "onset_C", "not a number");
  expect_reject(parse(h, {f + "1e999"}), 2, "onset_C", "out of the range of a double");
  expect_reject(parse(h, {f + "+-5"}), 2, "onset_C", "not a number");
  const auto ok = parse(h, {f + "+1.9e2", f + ".5e1", f + "  "});
  ASSERT_TRUE(ok.rejected.empty()) << ok.rejected[0].reason;
  EXPECT_EQ(ok.db.records[0].onset_C, 190.0);
  EXPECT_EQ(ok.db.records[1].onset_C, 5.0);
  EXPECT_FALSE(ok.db.records[2].onset_C.has_value());  // a blank cell means absent
}

TEST(DscCsv, OutOfRangeValuesAreRejected) {
  const std::string h =
      "source_doi,material_class,formula,onset_C,cutoff_voltage_V,scan_rate_C_per_min,"
      "max_heat_flow_W_per_g,total_heat_J_per_g,li_charged,electrolyte_ratio,active_frac";
  const std::string f = "d,NCM,LiNi0.8Co0.1Mn0.1O2,";
  expect_reject(parse(h, {f + "650,,,,,,,"}), 2, "onset_C", "outside [-50, 600] °C");
  expect_reject(parse(h, {f + "-60,,,,,,,"}), 2, "onset_C", "outside");
  expect_reject(parse(h, {f + ",5.6,,,,,,"}), 2, "cutoff_voltage_V", "outside [2.5, 5.2] V");
  expect_reject(parse(h, {f + ",,0,,,,,"}), 2, "scan_rate_C_per_min", "outside (0, 100]");
  expect_reject(parse(h, {f + ",,,1500,,,,"}), 2, "max_heat_flow_W_per_g", "outside (0, 1000]");
  expect_reject(parse(h, {f + ",,,,-88,,,"}), 2, "total_heat_J_per_g", "positive magnitude");
  expect_reject(parse(h, {f + ",,,,,1.6,,"}), 2, "li_charged", "outside [0, 1.5]");
  expect_reject(parse(h, {f + ",,,,,,101,"}), 2, "electrolyte_ratio", "outside [0, 100]");
  expect_reject(parse(h, {f + ",,,,,,,1.2"}), 2, "active_frac", "outside [0, 1]");
  const auto edges =
      parse(h, {f + "600,5.2,100,1000,0,0,100,1", f + "-50,2.5,0.1,0.5,10000,1,0,0"});
  EXPECT_TRUE(edges.rejected.empty()) << edges.rejected[0].reason;
}

TEST(DscCsv, InconsistentRowsAreRejected) {
  const std::string h =
      "source_doi,material_class,formula,onset_C,peak_C,active_frac,carbon_frac,binder_frac,"
      "charge_method,cutoff_voltage_V,li_charged,electrolyte_present,electrolyte_class,"
      "electrolyte_ratio";
  const std::string f = "d,NCM,LiNi0.8Co0.1Mn0.1O2,";
  expect_reject(parse(h, {f + "250,240,,,,,,,,,"}), 2, "onset_C", "above peak_C");
  expect_reject(parse(h, {f + ",,0.9,0.08,0.05,,,,,,"}), 2, "active_frac", "exceeds 1");
  expect_reject(parse(h, {f + ",,,,,chemical,4.3,,,,"}), 2, "cutoff_voltage_V", "chemically");
  expect_reject(parse(h, {f + ",,,,,,,1.2,,,"}), 2, "li_charged", "exceeds the pristine Li");
  expect_reject(parse(h, {f + ",,,,,,,,no,carbonate_lipf6,"}), 2, "electrolyte_class", "'no'");
  expect_reject(parse(h, {f + ",,,,,,,,yes,none,"}), 2, "electrolyte_class", "'none'");
  expect_reject(parse(h, {f + ",,,,,,,,no,,0.5"}), 2, "electrolyte_ratio", "positive");
  const auto ok = parse(h, {f + "200,200,0.9,0.05,0.05,chemical,,0.5,no,salt_only,0"});
  EXPECT_TRUE(ok.rejected.empty()) << ok.rejected[0].reason;
}

TEST(DscCsv, EnumsAndRequiredValues) {
  const std::string h = "source_doi,material_class,formula,method,heat_basis";
  expect_reject(parse(h, {"d,NCX,LiCoO2,,"}), 2, "material_class",
                "unknown value 'NCX'; allowed: LCO, NCM, NCA, LR, LNO, other");
  expect_reject(parse(h, {"d,LCO,LiCoO2,TGA,"}), 2, "method", "allowed: DSC, C80, ARC, other");
  expect_reject(parse(h, {"d,,LiCoO2,,"}), 2, "material_class", "missing required value");
  expect_reject(parse(h, {" ,LCO,LiCoO2,,"}), 2, "source_doi", "missing required value");
  const auto ok = parse(h, {"d,LCO,LiCoO2,calvet,cathode"});
  ASSERT_TRUE(ok.rejected.empty());
  EXPECT_EQ(ok.db.records[0].method, ThermalMethod::kC80);
  EXPECT_EQ(ok.db.records[0].heat_basis, HeatBasis::kOxide);
  ASSERT_EQ(ok.warnings.size(), 1u);  // non-DSC methods are flagged
  EXPECT_NE(ok.warnings[0].find("C80"), std::string::npos);
}

TEST(DscCsv, BadFormulasCarryTheFormulaErrorReason) {
  const std::string h = "source_doi,material_class,formula";
  expect_reject(parse(h, {"d,NCM,LiXx0.5O2"}), 2, "formula", "unknown element 'Xx'");
  expect_reject(parse(h, {"d,NCM,LiNi0.8Co0.1Mn0.1"}), 2, "formula", "no oxygen");
  expect_reject(parse(h, {"d,NCM,LiNi1.7O2"}), 2, "formula", "bad formula 'LiNi1.7O2'");
}

TEST(DscCsv, MalformedRecordsAreRejectedNotFatal) {
  const auto r = parse(kHeader, {
                                    "d,NCM,LiCoO2,200,,x\"y",
                                    "d,NCM,LiCoO2,201,",
                                    "d,NCM,LiCoO2,202,,\xFF",
                                    "d,NCM,LiCoO2,203,,ok",
                                });
  ASSERT_EQ(r.rejected.size(), 3u);
  EXPECT_EQ(r.rejected[0].line, 2);
  EXPECT_EQ(r.rejected[0].column, "notes");
  EXPECT_NE(r.rejected[0].reason.find("stray"), std::string::npos);
  EXPECT_EQ(r.rejected[1].line, 3);
  EXPECT_EQ(r.rejected[1].column, "");
  EXPECT_NE(r.rejected[1].reason.find("expected 6 fields as in the header, found 5"),
            std::string::npos)
      << r.rejected[1].reason;
  EXPECT_EQ(r.rejected[2].line, 4);
  EXPECT_EQ(r.rejected[2].column, "notes");
  EXPECT_NE(r.rejected[2].reason.find("UTF-8"), std::string::npos);
  // The raw text is kept storable: bad bytes are escaped, not copied.
  EXPECT_EQ(r.rejected[2].raw, "d,NCM,LiCoO2,202,,\\xFF");
  ASSERT_EQ(r.db.records.size(), 1u);
  EXPECT_EQ(r.db.records[0].notes, "ok");

  const auto nul = parse(kHeader, {"d,NCM,LiCoO2,200,,a\0b"s});
  expect_reject(nul, 2, "notes", "NUL");
  EXPECT_EQ(nul.rejected[0].raw, "d,NCM,LiCoO2,200,,a\\x00b");
}

TEST(DscCsv, DuplicateRowsAndIdsAreRejected) {
  const auto dup =
      parse(kHeader, {
                         "d,NCM,LiCoO2,190,,same", "d,NCM,LiCoO2,200,,other",
                         "d,ncm,LiCoO2,190.0,,same",  // same content in another spelling
                     });
  expect_reject(dup, 4, "", "duplicate of line 2");

  const auto ids =
      parse("record_id,source_doi,material_class,formula,onset_C", {
                                                                       "a1,d,NCM,LiCoO2,190",
                                                                       "a1,d,NCM,LiCoO2,200",
                                                                   });
  expect_reject(ids, 3, "record_id", "record_id 'a1' already used at line 2");
}

}  // namespace
}  // namespace thermex
