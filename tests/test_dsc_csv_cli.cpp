// `thermex import` end to end: runs the built binary (THERMEX_CLI_PATH) and checks exit codes,
// messages, the rejects file and the database it writes.
#include <gtest/gtest.h>

#include "cli_test_support.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "thermex/csv.hpp"
#include "thermex/dsc_h5.hpp"

namespace thermex {
namespace {

namespace fs = std::filesystem;

using testing_support::run_cli;
using testing_support::RunResult;

class DscCsvCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("thermex_import_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) const {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }

  fs::path dir_;
};

constexpr const char* kOneBadRow =
    "source_doi,material_class,formula,onset_C\n"
    "d,NCM,LiNi0.8Co0.1Mn0.1O2,190\n"
    "d,NCM,LiNi0.8Co0.1Mn0.1O2,\"12,5\"\n";

TEST_F(DscCsvCli, BadHeaderFailsWithFileLineAndReason) {
  const std::string in =
      write("bad.csv", "source_doi,material_class,formula,colour\nd,NCM,LiCoO2,red\n");
  const RunResult r = run_cli("import '" + in + "' -o '" + (dir_ / "db.h5").string() + "'");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find(in + ":1: unknown column(s) 'colour'"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir_ / "db.h5"));
}

TEST_F(DscCsvCli, MissingFileFails) {
  const RunResult r = run_cli("import '" + (dir_ / "none.csv").string() + "' -o '" +
                              (dir_ / "db.h5").string() + "'");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("cannot open"), std::string::npos) << r.output;
}

TEST_F(DscCsvCli, RejectedRowsAreReportedAndWrittenButImportSucceeds) {
  const std::string in = write("one_bad.csv", kOneBadRow);
  const std::string db = (dir_ / "db.h5").string();
  const RunResult r = run_cli("import '" + in + "' -o '" + db + "'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("rows read: 2, accepted: 1, rejected: 1"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(in + ":3: column 'onset_C': '12,5' is not a number"), std::string::npos)
      << r.output;
  const fs::path rejects = dir_ / "db.rejects.csv";
  ASSERT_TRUE(fs::exists(rejects)) << r.output;
  const CsvTable t = read_csv_file(rejects.string());
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0][1], "3");
  EXPECT_EQ(t.rows[0][2], "onset_C");
  const LoadedDatabase loaded = read_database_h5(db);
  ASSERT_EQ(loaded.db.records.size(), 1u);
  EXPECT_EQ(loaded.db.records[0].onset_C, 190.0);
  EXPECT_EQ(loaded.rejected.size(), 1u);
}

TEST_F(DscCsvCli, StrictTurnsRejectsIntoAnError) {
  const std::string in = write("one_bad.csv", kOneBadRow);
  const std::string rejects = (dir_ / "r.csv").string();
  const RunResult r = run_cli("import '" + in + "' -o '" + (dir_ / "db.h5").string() +
                              "' --strict --rejects '" + rejects + "'");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("--strict: 1 row(s) rejected"), std::string::npos) << r.output;
  EXPECT_TRUE(fs::exists(rejects));
  EXPECT_FALSE(fs::exists(dir_ / "db.h5"));
}

TEST_F(DscCsvCli, NoAcceptedRowIsAnError) {
  const std::string in =
      write("all_bad.csv", "source_doi,material_class,formula\nd,NCM,LiXx0.5O2\n");
  const RunResult r = run_cli("import '" + in + "' -o '" + (dir_ / "db.h5").string() + "'");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("was accepted"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("unknown element 'Xx'"), std::string::npos) << r.output;
  EXPECT_TRUE(fs::exists(dir_ / "db.rejects.csv"));
  EXPECT_FALSE(fs::exists(dir_ / "db.h5"));
}

TEST_F(DscCsvCli, BundledDataImportsWithoutRejectsFile) {
  const std::string db = (dir_ / "lit.h5").string();
  const RunResult r = run_cli(std::string("import '") + THERMEX_SOURCE_DIR +
                              "/data/literature_dsc.csv' -o '" + db + "'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("accepted: 11, rejected: 0"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("no rejected rows"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir_ / "lit.rejects.csv"));
  EXPECT_EQ(read_database_h5(db).db.records.size(), 11u);
}

}  // namespace
}  // namespace thermex
