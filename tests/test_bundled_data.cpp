// The bundled data files are products of this code base: the synthetic database must be exactly
// what `thermex --seed 2025 synth --rows 600` writes, and both bundled files must import whole.
#include <gtest/gtest.h>

#include <string>

#include "thermex/csv.hpp"
#include "thermex/dsc_csv.hpp"
#include "thermex/synth.hpp"

namespace thermex {
namespace {

const std::string kDataDir = std::string(THERMEX_SOURCE_DIR) + "/data/";

TEST(BundledData, SyntheticDatabaseIsReproducibleFromItsSeed) {
  const auto db = synth::synthesize({.rows = 600, .seed = 2025});
  const std::string expected = format_dsc_csv(db);
  const std::string actual = read_text_file(kDataDir + "synthetic_dsc.csv");
  // On a deliberate change of the generator, regenerate the file with
  //   build/auto/thermex --seed 2025 synth --rows 600 -o data/synthetic_dsc.csv
  EXPECT_TRUE(actual == expected) << "data/synthetic_dsc.csv differs from synth(rows=600, "
                                     "seed=2025); regenerate it (see comment)";
}

TEST(BundledData, BothBundledFilesImportWithoutRejects) {
  for (const char* name : {"synthetic_dsc.csv", "literature_dsc.csv"}) {
    const auto result = read_dsc_csv(kDataDir + name);
    EXPECT_TRUE(result.rejected.empty())
        << name << ": first reject: " << (result.rejected.empty() ? "" : result.rejected[0].reason);
    EXPECT_GT(result.db.records.size(), 10u) << name;
  }
}

}  // namespace
}  // namespace thermex
