// DSC CSV at file level: header errors, decoy columns, write -> read round trips, the rejects
// file, the bundled literature data and the schema document.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "thermex/composition.hpp"
#include "thermex/csv.hpp"
#include "thermex/dsc_csv.hpp"
#include "thermex/dsc_enums.hpp"
#include "thermex/error.hpp"
#include "thermex/sha256.hpp"
#include "thermex/synth.hpp"

namespace thermex {
namespace {

// Runs parse_dsc_csv on `text`, expecting an InputError whose what() holds `fragment`.
void expect_file_error(const std::string& text, std::int64_t line, const std::string& fragment) {
  try {
    parse_dsc_csv(text, "f.csv");
    ADD_FAILURE() << "expected InputError '" << fragment << "' for:\n" << text;
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "f.csv");
    EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(DscCsvFile, FileLevelErrors) {
  expect_file_error("", 0, "empty file");
  expect_file_error("\xEF\xBB\xBF\n\n", 0, "empty file");
  expect_file_error("source_doi,material_class,formula\n", 0, "no data rows");
  expect_file_error("source_doi,material_class,formula,onset_c\nd,NCM,LiCoO2,1\n", 1,
                    "unknown column(s) 'onset_c' (did you mean 'onset_C'?)");
  expect_file_error("formula,onset_C\nLiCoO2,1\n", 1,
                    "missing required column(s): source_doi, material_class");
  expect_file_error("source_doi,material_class,ni\nd,NCM,1\n", 1, "co, mn");
  expect_file_error("source_doi,material_class,formula,formula\n", 1, "appears twice");
  expect_file_error("source_doi,material_class,,formula\n", 1, "empty column name");
  expect_file_error("source_doi,material\"class,formula\n", 1, "header: stray");
  expect_file_error("source_doi,material_class,formula,notes\nd,NCM,LiCoO2,\"open\n", 2,
                    "unterminated");
  expect_file_error("source_doi,material_class,formula,decoy_1,decoy_3\n", 1, "decoy_2 is missing");
}

TEST(DscCsvFile, ExtraXColumnsAreIgnoredWithAWarning) {
  const ImportResult r = parse_dsc_csv(
      "source_doi,x_digitised_by,material_class,formula\nd,\"any, thing\",LCO,LiCoO2\n", "f.csv");
  ASSERT_TRUE(r.rejected.empty());
  ASSERT_EQ(r.db.records.size(), 1u);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("x_digitised_by"), std::string::npos) << r.warnings[0];
}

TEST(DscCsvFile, DecoyColumnsAreAListWithoutGaps) {
  const ImportResult r = parse_dsc_csv(
      "source_doi,material_class,formula,decoy_2,decoy_1\n"
      "a,NCM,LiCoO2,2.5,-1\n"
      "b,NCM,LiCoO2,,0.5\n"
      "c,NCM,LiCoO2,,\n"
      "d,NCM,LiCoO2,7,\n"
      "e,NCM,LiCoO2,x,1\n",
      "f.csv");
  ASSERT_EQ(r.db.records.size(), 3u);
  EXPECT_EQ(r.db.records[0].decoys, (std::vector<double>{-1.0, 2.5}));
  EXPECT_EQ(r.db.records[1].decoys, (std::vector<double>{0.5}));
  EXPECT_TRUE(r.db.records[2].decoys.empty());
  ASSERT_EQ(r.rejected.size(), 2u);
  EXPECT_EQ(r.rejected[0].line, 5);
  EXPECT_EQ(r.rejected[0].column, "decoy_2");
  EXPECT_NE(r.rejected[0].reason.find("decoy_1 is empty but decoy_2 is not"), std::string::npos);
  EXPECT_EQ(r.rejected[1].column, "decoy_2");
  EXPECT_NE(r.rejected[1].reason.find("not a number"), std::string::npos);
}

// A record exercising every column: enum values cycled by `i`, awkward doubles, hostile text.
DscRecord rich_record(std::size_t i) {
  static const char* kFormulas[] = {"LiNi0.8Co0.1Mn0.1O2", "Li1.2Ni0.13Co0.13Mn0.54O2",
                                    "Li[Ni0.8Co0.15Al0.05]O2", "LiNi1/3Co1/3Mn1/3O2",
                                    "LiNi0.9Co0.05Mn0.03Mg0.02O2"};
  const auto pick = [i](auto values) { return values[i % values.size()]; };
  DscRecord r;
  r.record_id = "rt-" + std::to_string(i);
  r.origin = pick(enum_values<DataOrigin>());
  r.source_doi = "10.1000/xyz" + std::to_string(i);
  r.where_in_source = "Table 2, row \"b\"";
  r.read_from = "https://example.org/a,b?c=1";
  r.material_class = pick(enum_values<MaterialClass>());
  r.formula = kFormulas[i % 5];
  r.composition = parse_formula(r.formula);
  r.dopants = i % 2 ? "" : "Zr 0.5 mol%";
  r.coating = " Al2O3, 1 wt% ";
  r.charge_method = pick(enum_values<ChargeMethod>());
  r.li_charged = i % 3 ? std::optional<double>(0.1 + 0.2) : std::nullopt;
  if (r.charge_method != ChargeMethod::kChemical) r.cutoff_voltage_V = 4.3 + 1e-15 * double(i);
  r.washed = pick(enum_values<Tristate>());
  r.electrolyte_class = pick(enum_values<ElectrolyteClass>());
  r.electrolyte_ratio = i % 2 ? std::optional<double>(1.0 / 3.0) : std::nullopt;
  r.electrolyte_amount_note = "3 \xC2\xB5L";
  r.electrolyte_composition = "1 M LiPF6 in EC:DMC 1:1\n(v/v)";
  r.additive = "\"VC\" 2%";
  r.method = pick(enum_values<ThermalMethod>());
  r.crucible = pick(enum_values<Crucible>());
  r.scan_rate_C_per_min = 1e-7 + double(i);
  r.active_frac = 0.8;
  r.carbon_frac = 0.1;
  r.binder_frac = 0.1;
  r.onset_definition = pick(enum_values<OnsetDefinition>());
  r.peak_definition = pick(enum_values<PeakDefinition>());
  r.heat_basis = pick(enum_values<HeatBasis>());
  r.onset_C = -0.0 + 123.456789012345678 + double(i);
  r.peak_C = i % 4 ? std::optional<double>(599.999999999) : std::nullopt;
  r.max_heat_flow_W_per_g = 5e-324 + 1e-300;
  r.total_heat_J_per_g = 9999.999999999998;
  r.notes = i % 2 ? "" : "  leading, \"quoted\",\r\nCRLF inside; \xE2\x82\xAC ";
  for (std::size_t k = 0; k < i % 4; ++k) r.decoys.push_back(double(k) - 0.1 * double(i));
  return r;
}

void expect_same_record(const DscRecord& a, const DscRecord& b, std::size_t i) {
  DscDatabase da, db;
  da.records = {a};
  db.records = {b};
  // Canonical text equal <=> every column equal (shortest round-trip doubles are unique).
  EXPECT_EQ(format_dsc_csv(da), format_dsc_csv(db)) << "record " << i;
  EXPECT_EQ(a.formula, b.formula) << "record " << i;
  EXPECT_EQ(a.notes, b.notes) << "record " << i;
  EXPECT_EQ(a.onset_C, b.onset_C) << "record " << i;
  EXPECT_EQ(a.decoys, b.decoys) << "record " << i;
  EXPECT_EQ(a.composition.li, b.composition.li) << "record " << i;
  EXPECT_EQ(a.composition.site_total, b.composition.site_total) << "record " << i;
  ASSERT_EQ(a.composition.count, b.composition.count) << "record " << i;
  for (int k = 0; k < a.composition.count; ++k) {
    EXPECT_EQ(a.composition.z[k], b.composition.z[k]) << "record " << i << " slot " << k;
    EXPECT_EQ(a.composition.fraction[k], b.composition.fraction[k])
        << "record " << i << " slot " << k;
  }
}

TEST(DscCsvFile, WriteThenReadReproducesRecordsExactly) {
  DscDatabase db;
  for (std::size_t i = 0; i < 24; ++i) db.records.push_back(rich_record(i));
  const std::string path = ::testing::TempDir() + "/thermex_dsc_roundtrip.csv";
  write_dsc_csv(db, path);
  const ImportResult back = read_dsc_csv(path);
  ASSERT_TRUE(back.rejected.empty()) << back.rejected[0].line << ": " << back.rejected[0].column
                                     << ": " << back.rejected[0].reason;
  ASSERT_EQ(back.db.records.size(), db.records.size());
  for (std::size_t i = 0; i < db.records.size(); ++i) {
    expect_same_record(db.records[i], back.db.records[i], i);
  }
  EXPECT_EQ(back.db.source_file, path);
  EXPECT_EQ(back.db.source_sha256, sha256_hex(read_text_file(path)));
  EXPECT_EQ(format_dsc_csv(back.db), read_text_file(path));  // the writer is a fixed point
  std::filesystem::remove(path);
}

TEST(DscCsvFile, SyntheticDatabaseRoundTrips) {
  // The generator hands its rows to import through this CSV; every one must survive exactly.
  synth::SynthOptions options;
  options.rows = 300;
  options.seed = 7;
  const DscDatabase db = synth::synthesize(options);
  const ImportResult back = parse_dsc_csv(format_dsc_csv(db), "synth.csv");
  for (const auto& rej : back.rejected) {
    ADD_FAILURE() << rej.line << ": " << rej.column << ": " << rej.reason;
  }
  ASSERT_EQ(back.db.records.size(), db.records.size());
  for (std::size_t i = 0; i < db.records.size(); ++i) {
    expect_same_record(db.records[i], back.db.records[i], i);
  }
}

TEST(DscCsvFile, RejectsFileReadsBack) {
  const std::vector<RejectedRow> rows = {
      {12, "onset_C", "'abc' is not a number", "d,NCM,LiCoO2,abc"},
      {14, "", "expected 4 fields, found 2", "x,\"multi\nline\""},
  };
  const std::string path = ::testing::TempDir() + "/thermex_rejects.csv";
  write_rejects_csv(rows, "in.csv", path);
  const CsvTable t = read_csv_file(path);
  EXPECT_EQ(t.header, (std::vector<std::string>{"source_file", "line", "column", "reason", "raw"}));
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0], (std::vector<std::string>{"in.csv", "12", "onset_C", "'abc' is not a number",
                                                 "d,NCM,LiCoO2,abc"}));
  EXPECT_EQ(t.rows[1][4], "x,\"multi\nline\"");
  std::filesystem::remove(path);
}

TEST(DscCsvFile, BundledLiteratureDataImportsEveryRow) {
  const ImportResult r = read_dsc_csv(THERMEX_SOURCE_DIR "/data/literature_dsc.csv");
  for (const auto& rej : r.rejected)
    ADD_FAILURE() << rej.line << ": " << rej.column << ": " << rej.reason;
  ASSERT_EQ(r.db.records.size(), 11u);
  const auto& recs = r.db.records;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    EXPECT_EQ(recs[i].origin, DataOrigin::kLiterature) << "record " << i;
    EXPECT_FALSE(recs[i].source_doi.empty()) << "record " << i;
    EXPECT_FALSE(recs[i].notes.empty()) << "record " << i;
  }
  // Baba et al.: chemically delithiated Li0.49CoO2, onset = first deviation, heat per g oxide.
  EXPECT_EQ(recs[0].charge_method, ChargeMethod::kChemical);
  EXPECT_EQ(recs[0].li_charged, 0.49);
  EXPECT_EQ(recs[0].onset_definition, OnsetDefinition::kBaseline);
  EXPECT_EQ(recs[1].heat_basis, HeatBasis::kOxide);
  EXPECT_EQ(recs[1].electrolyte_class, ElectrolyteClass::kCarbonateLiPF6);
  // Duh et al.: EC solvent only; the LCO value is the strongest peak.
  EXPECT_EQ(recs[2].electrolyte_class, ElectrolyteClass::kSolventOnly);
  EXPECT_EQ(recs[3].peak_definition, PeakDefinition::kStrongest);
  EXPECT_EQ(recs[3].peak_C, 222.2);
  // Belharouak et al.: "the exothermic reaction" temperature, kept in peak_C, type unspecified.
  EXPECT_EQ(recs[4].peak_C, 170.0);
  EXPECT_FALSE(recs[4].onset_C.has_value());
  EXPECT_EQ(recs[4].peak_definition, PeakDefinition::kUnspecified);
  EXPECT_EQ(recs[6].electrolyte_class, ElectrolyteClass::kSaltOnly);
  // Overcharged NCM111: washed electrode, 4.6 V.
  EXPECT_EQ(recs[8].cutoff_voltage_V, 4.6);
  EXPECT_EQ(recs[8].washed, Tristate::kYes);
  EXPECT_NEAR(math::site_fraction(recs[8].composition, 28), 1.0 / 3.0, 1e-12);
  // Maleki: unwashed electrode, total heat only.
  EXPECT_EQ(recs[9].washed, Tristate::kNo);
  EXPECT_EQ(recs[9].total_heat_J_per_g, 407.0);
  // Zhong: C80, not DSC; exotherm stored as a positive magnitude.
  EXPECT_EQ(recs[10].method, ThermalMethod::kC80);
  EXPECT_EQ(recs[10].total_heat_J_per_g, 88.0);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("C80"), std::string::npos);
}

TEST(DscCsvFile, GoodFixturesImportTheSameWithLfOrCrlfAndBom) {
  const ImportResult lf = read_dsc_csv(THERMEX_SOURCE_DIR "/tests/data/dsc_good.csv");
  ImportResult crlf = read_dsc_csv(THERMEX_SOURCE_DIR "/tests/data/dsc_crlf_bom.csv");
  EXPECT_TRUE(lf.rejected.empty());
  EXPECT_TRUE(crlf.rejected.empty());
  ASSERT_EQ(lf.db.records.size(), 6u);
  ASSERT_EQ(crlf.db.records.size(), 6u);
  // Quoted line breaks are kept byte for byte, so the CRLF file's multi-line note has CRLF.
  EXPECT_EQ(crlf.db.records[2].notes, "two\r\nlines, with \"quotes\"");
  crlf.db.records[2].notes = lf.db.records[2].notes;
  EXPECT_EQ(format_dsc_csv(lf.db), format_dsc_csv(crlf.db));
  EXPECT_EQ(lf.db.records[4].formula, "Li1.2Ni0.13Co0.13Mn0.54O2");
  EXPECT_EQ(lf.db.records[5].washed, Tristate::kUnknown);
  EXPECT_EQ(lf.db.records[5].electrolyte_present, Tristate::kYes);
  ASSERT_EQ(lf.warnings.size(), 2u);  // the x_ column and the C80 row
}

TEST(DscCsvFile, BadRowsFixtureRejectsEachClass) {
  const ImportResult r = read_dsc_csv(THERMEX_SOURCE_DIR "/tests/data/dsc_bad_rows.csv");
  ASSERT_EQ(r.db.records.size(), 1u);
  const std::vector<std::pair<std::int64_t, std::string>> expected = {
      {3, "onset_C"},         {4, "onset_C"}, {5, "formula"},          {6, "ni"},
      {7, "onset_C"},         {8, "onset_C"}, {9, "cutoff_voltage_V"}, {10, "total_heat_J_per_g"},
      {11, "material_class"}, {12, ""},       {13, "onset_C"},         {14, ""},
  };
  ASSERT_EQ(r.rejected.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(r.rejected[i].line, expected[i].first) << "reject " << i;
    EXPECT_EQ(r.rejected[i].column, expected[i].second)
        << "reject " << i << ": " << r.rejected[i].reason;
  }
  EXPECT_EQ(r.rejected.back().reason, "duplicate of line 2");
}

TEST(DscCsvFile, SchemaDocumentListsEveryColumn) {
  const std::string doc = read_text_file(THERMEX_SOURCE_DIR "/data/SCHEMA.md");
  for (const std::string_view name : dsc_csv_columns()) {
    EXPECT_NE(doc.find("| `" + std::string(name) + "` |"), std::string::npos)
        << "data/SCHEMA.md does not document column " << name;
  }
  EXPECT_NE(doc.find("decoy_"), std::string::npos);
}

}  // namespace
}  // namespace thermex
