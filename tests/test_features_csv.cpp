// Writing the feature CSV and its metadata sidecar, and `thermex features` end to end.
#include <gtest/gtest.h>

#include "cli_test_support.hpp"

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "h5_test_support.hpp"
#include "thermex/composition.hpp"
#include "thermex/csv.hpp"
#include "thermex/dsc_h5.hpp"
#include "thermex/features.hpp"

namespace thermex {
namespace {

DscDatabase small_db() {
  DscDatabase db;
  db.source_file = "small.csv";
  const char* formulas[] = {"LiNi0.8Co0.1Mn0.1O2", "LiNi0.6Co0.2Mn0.2O2", "LiCoO2"};
  for (int i = 0; i < 3; ++i) {
    DscRecord r;
    r.record_id = "rec-" + std::to_string(i);
    r.formula = formulas[i];
    r.composition = parse_formula(formulas[i]);
    r.cutoff_voltage_V = 4.3 + 0.1 * i;
    r.li_charged = 0.3;
    r.crucible = i == 2 ? Crucible::kOpen : Crucible::kSealed;
    r.electrolyte_class = ElectrolyteClass::kCarbonateLiPF6;
    r.electrolyte_ratio = 0.5;
    r.scan_rate_C_per_min = 10.0;
    r.active_frac = 0.9;
    r.carbon_frac = 0.05;
    r.binder_frac = 0.05;
    r.onset_C = 190.0 + i;
    r.max_heat_flow_W_per_g = 3.0;
    db.records.push_back(r);
  }
  db.records[1].scan_rate_C_per_min.reset();
  return db;
}

TEST(FeaturesCsv, WritesRoundTrippingCsvAndMeta) {
  testing::ScratchDir dir;
  const FeatureResult f = featurize(small_db());
  write_features_csv(f, dir.file("f.csv"), dir.file("f.meta.csv"));
  const CsvTable csv = read_csv_file(dir.file("f.csv"));
  ASSERT_EQ(csv.header.size(), f.table.cols() + 1);
  EXPECT_EQ(csv.header[0], "record_id");
  ASSERT_EQ(csv.rows.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(csv.rows[i][0], f.record_ids[i]) << "row " << i;
    for (std::size_t j = 0; j < f.table.cols(); ++j) {
      EXPECT_EQ(csv.header[j + 1], f.table.meta(j).name) << "column " << j;
      const std::string& text = csv.rows[i][j + 1];
      const double v = f.table.at(i, j);
      if (std::isnan(v)) {
        EXPECT_EQ(text, "") << "row " << i << " column " << j;
      } else {
        EXPECT_EQ(std::stod(text), v) << "row " << i << " column " << j;  // exact round trip
      }
    }
  }
  // peak_C was never given: empty cells.
  EXPECT_EQ(csv.rows[0][f.table.index_of("peak_C") + 1], "");
  const CsvTable meta = read_csv_file(dir.file("f.meta.csv"));
  EXPECT_EQ(meta.header, (std::vector<std::string>{"name", "label", "unit", "kind", "group"}));
  ASSERT_EQ(meta.rows.size(), csv.header.size());
  EXPECT_EQ(meta.rows[0][0], "record_id");
  for (std::size_t j = 0; j < f.table.cols(); ++j) {
    const ColumnMeta& m = f.table.meta(j);
    EXPECT_EQ(meta.rows[j + 1], (std::vector<std::string>{m.name, m.label, m.unit,
                                                          std::string(to_string(m.kind)), m.group}))
        << "column " << j;
  }
  // Nothing but the two files: the temporaries were renamed.
  EXPECT_EQ(dir.entries().size(), 2u);
}

using testing_support::run_cli;
using testing_support::RunResult;

TEST(FeaturesCli, WritesFilesAndPrintsReport) {
  testing::ScratchDir dir;
  write_database_h5(small_db(), {}, dir.file("db.h5"));
  const RunResult r =
      run_cli("features '" + dir.file("db.h5") + "' -o '" + dir.file("features.csv") +
              "' --oxidation pristine " + "--missing li_charged=reject --missing numeric=median");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("oxidation pristine"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("scan_rate_C_per_min"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("median -> 10"), std::string::npos) << r.output;
  const CsvTable csv = read_csv_file(dir.file("features.csv"));
  ASSERT_EQ(csv.rows.size(), 3u);
  const CsvTable meta = read_csv_file(dir.file("features.meta.csv"));
  EXPECT_EQ(meta.rows.size(), csv.header.size());
  // The pristine convention reached the library: LCO radius_tm_wmean is Co3+ LS 0.545.
  std::size_t col = 0;
  while (col < csv.header.size() && csv.header[col] != "radius_tm_wmean") ++col;
  ASSERT_LT(col, csv.header.size());
  EXPECT_EQ(std::stod(csv.rows[2][col]), 0.545);
}

TEST(FeaturesCli, BadOptionsFailCleanly) {
  testing::ScratchDir dir;
  write_database_h5(small_db(), {}, dir.file("db.h5"));
  const std::string base =
      "features '" + dir.file("db.h5") + "' -o '" + dir.file("features.csv") + "' ";
  RunResult r = run_cli(base + "--missing li_charged");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("COLUMN=POLICY"), std::string::npos) << r.output;
  r = run_cli(base + "--missing scan_rate_C_per_min=reject");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("rec-1"), std::string::npos) << r.output;
  r = run_cli(base + "--missing colour=drop");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("missing.colour"), std::string::npos) << r.output;
  r = run_cli(base + "--oxidation reduced");
  EXPECT_NE(r.exit_code, 0) << r.output;
  r = run_cli("features '" + dir.file("none.h5") + "' -o '" + dir.file("f.csv") + "'");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("features.csv")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("f.csv")));
}

}  // namespace
}  // namespace thermex
