// Validation series (validation.hpp): Pearson, Spearman (average ranks) and MAE against hand
// values, exclusion of missing observations, the undefined cases (n < 2, constant sides), and
// picking a series' records by source DOI or record id with ConfigErrors naming the key.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "thermex/error.hpp"
#include "thermex/validation.hpp"

namespace thermex {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

TEST(Validation, MetricsMatchHandValues) {
  // observed 1, 2, 3, 4; predicted 1, 3, 2, 5.
  // Pearson: means 2.5 and 2.75; deviations (-1.5, -0.5, 0.5, 1.5) and (-1.75, 0.25, -0.75,
  // 2.25); sxy = 2.625 - 0.125 - 0.375 + 3.375 = 5.5, sxx = 5, syy = 8.75, r = 5.5 /
  // sqrt(43.75). Spearman: ranks of predicted (1, 3, 2, 4): rho = 1 - 6 * 2 / (4 * 15) = 0.8.
  // MAE: (0 + 1 + 1 + 1) / 4 = 0.75.
  const ValidationResult v =
      validate_series("ni", "onset_C", {"a", "b", "c", "d"}, {0.5, 0.6, 0.7, 0.8},
                      {1.0, 2.0, 3.0, 4.0}, {1.0, 3.0, 2.0, 5.0});
  EXPECT_EQ(v.n, 4u);
  EXPECT_EQ(v.excluded, 0u);
  EXPECT_NEAR(v.pearson, 5.5 / std::sqrt(43.75), 1e-15);
  EXPECT_NEAR(v.spearman, 0.8, 1e-15);
  EXPECT_NEAR(v.mae, 0.75, 1e-15);
  EXPECT_EQ(v.name, "ni");
  EXPECT_EQ(v.target, "onset_C");
  EXPECT_EQ(v.record_ids, (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(v.x, (std::vector<double>{0.5, 0.6, 0.7, 0.8}));
}

TEST(Validation, TiesGetAverageRanks) {
  // observed 1, 2, 2, 3 -> ranks 1, 2.5, 2.5, 4; predicted 10, 20, 30, 40 -> 1, 2, 3, 4.
  // Pearson of the ranks: deviations (-1.5, 0, 0, 1.5) and (-1.5, -0.5, 0.5, 1.5): sxy = 4.5,
  // sxx = 4.5, syy = 5, rho = 4.5 / sqrt(22.5).
  const ValidationResult v = validate_series("s", "t", {"a", "b", "c", "d"}, {0, 0, 0, 0},
                                             {1.0, 2.0, 2.0, 3.0}, {10.0, 20.0, 30.0, 40.0});
  EXPECT_NEAR(v.spearman, 4.5 / std::sqrt(22.5), 1e-15);
}

TEST(Validation, MissingObservationsAreExcludedAndCounted) {
  const ValidationResult v =
      validate_series("s", "t", {"a", "b", "c", "d", "e"}, {1, 2, 3, 4, 5},
                      {1.0, kNan, 3.0, 4.0, 2.0}, {2.0, 9.0, 4.0, kNan, 2.5});
  EXPECT_EQ(v.n, 3u);  // rows a, c, e
  EXPECT_EQ(v.excluded, 2u);
  EXPECT_EQ(v.observed.size(), 5u);  // every record is kept for reporting
  EXPECT_NEAR(v.mae, (1.0 + 1.0 + 0.5) / 3.0, 1e-15);
  // Pairs (1, 2), (3, 4), (2, 2.5): observed ranks 1, 3, 2 and predicted ranks 1, 3, 2.
  EXPECT_NEAR(v.spearman, 1.0, 1e-15);
  EXPECT_TRUE(std::isfinite(v.pearson));
}

TEST(Validation, UndefinedCorrelationsAreNan) {
  const ValidationResult one = validate_series("s", "t", {"a"}, {1}, {1.0}, {2.0});
  EXPECT_EQ(one.n, 1u);
  EXPECT_TRUE(std::isnan(one.pearson));
  EXPECT_TRUE(std::isnan(one.spearman));
  EXPECT_NEAR(one.mae, 1.0, 0.0);
  const ValidationResult none = validate_series("s", "t", {"a"}, {1}, {kNan}, {2.0});
  EXPECT_EQ(none.n, 0u);
  EXPECT_TRUE(std::isnan(none.mae));
  EXPECT_TRUE(std::isnan(none.pearson));
  const ValidationResult flat =
      validate_series("s", "t", {"a", "b", "c"}, {1, 2, 3}, {1.0, 2.0, 3.0}, {5.0, 5.0, 5.0});
  EXPECT_TRUE(std::isnan(flat.pearson));
  EXPECT_TRUE(std::isnan(flat.spearman));
  EXPECT_NEAR(flat.mae, (4.0 + 3.0 + 2.0) / 3.0, 1e-15);
  EXPECT_THROW(validate_series("s", "t", {"a", "b"}, {1}, {1.0, 2.0}, {1.0, 2.0}), Error);
}

TEST(Validation, PearsonOfAPerfectLineIsOne) {
  const std::vector<double> x = {0.1, 0.2, 0.3, 0.7}, y = {3.0, 5.0, 7.0, 15.0};
  EXPECT_DOUBLE_EQ(pearson_r(x, y), 1.0);
  const std::vector<double> neg = {-3.0, -5.0, -7.0, -15.0};
  EXPECT_DOUBLE_EQ(pearson_r(x, neg), -1.0);
  EXPECT_TRUE(std::isnan(pearson_r(std::vector<double>{1.0}, std::vector<double>{2.0})));
}

std::vector<DscRecord> records() {
  std::vector<DscRecord> r(5);
  const char* ids[] = {"lit-1", "lit-2", "lit-3", "lit-4", "syn-1"};
  const char* dois[] = {"10.1/a", "10.1/b", "10.1/a", "10.1/c", ""};
  for (std::size_t i = 0; i < r.size(); ++i) {
    r[i].record_id = ids[i];
    r[i].source_doi = dois[i];
  }
  return r;
}

TEST(Validation, SeriesRowsBySourceAndRecordId) {
  const std::vector<DscRecord> recs = records();
  StudyValidationSeries s;
  s.name = "ni_series";
  s.sources = {"10.1/a"};
  EXPECT_EQ(series_rows(recs, s), (std::vector<std::size_t>{0, 2}));
  s.record_ids = {"lit-4", "lit-1"};  // a record named twice is listed once
  EXPECT_EQ(series_rows(recs, s), (std::vector<std::size_t>{0, 2, 3}));
  s.sources.clear();
  EXPECT_EQ(series_rows(recs, s), (std::vector<std::size_t>{0, 3}));
}

TEST(Validation, SeriesRowsErrorsNameTheKey) {
  const std::vector<DscRecord> recs = records();
  StudyValidationSeries s;
  s.name = "ni_series";
  s.sources = {"10.9/none"};
  try {
    series_rows(recs, s);
    FAIL() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("validation.ni_series"), std::string::npos) << e.what();
  }
  s.record_ids = {"lit-1", "lit-9"};
  try {
    series_rows(recs, s);
    FAIL() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("validation.ni_series.record_ids[1]"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace thermex
