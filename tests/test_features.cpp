// The feature table builder: column layout and metadata, one-hot groups, every missing-value
// policy, train-only imputation statistics, decoys, the report, and determinism.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "thermex/composition.hpp"
#include "thermex/error.hpp"
#include "thermex/features.hpp"

namespace thermex {
namespace {

DscRecord make_record(std::string id, const char* formula) {
  DscRecord r;
  r.record_id = std::move(id);
  r.formula = formula;
  r.composition = parse_formula(formula);
  r.cutoff_voltage_V = 4.3;
  r.li_charged = 0.3;
  r.electrolyte_ratio = 0.5;
  r.electrolyte_class = ElectrolyteClass::kCarbonateLiPF6;
  r.crucible = Crucible::kSealed;
  r.scan_rate_C_per_min = 10.0;
  r.active_frac = 0.9;
  r.carbon_frac = 0.05;
  r.binder_frac = 0.05;
  r.onset_C = 200.0;
  r.peak_C = 230.0;
  r.max_heat_flow_W_per_g = 10.0;
  r.total_heat_J_per_g = 1000.0;
  return r;
}

// Four complete records; tests knock values out.
DscDatabase make_db() {
  DscDatabase db;
  db.source_file = "test.csv";
  db.records.push_back(make_record("r0", "LiNi0.8Co0.1Mn0.1O2"));
  db.records.push_back(make_record("r1", "LiNi1/3Co1/3Mn1/3O2"));
  db.records.push_back(make_record("r2", "Li[Ni0.8Co0.15Al0.05]O2"));
  db.records.push_back(make_record("r3", "LiCoO2"));
  db.records[1].cutoff_voltage_V = 4.5;
  db.records[2].cutoff_voltage_V = 4.4;
  db.records[3].cutoff_voltage_V = 4.6;
  return db;
}

double cell(const FeatureResult& f, std::size_t row, std::string_view col) {
  return f.table.at(row, f.table.index_of(col));
}

const ColumnMissing& report_of(const FeatureResult& f, std::string_view col) {
  for (const auto& c : f.missing.columns) {
    if (c.column == col) return c;
  }
  throw Error("no report for " + std::string(col));
}

TEST(Features, ColumnLayoutAndMetadata) {
  const FeatureResult f = featurize(make_db());
  ASSERT_EQ(f.table.rows(), 4u);
  EXPECT_EQ(f.record_ids, (std::vector<std::string>{"r0", "r1", "r2", "r3"}));
  std::vector<std::string> expected;
  for (const auto n : composition_column_names()) expected.emplace_back(n);
  for (const auto n : condition_column_names()) expected.emplace_back(n);
  expected.insert(expected.end(),
                  {"electrolyte_class=carbonate_lipf6", "crucible=sealed", "onset_C", "peak_C",
                   "max_heat_flow_W_per_g", "log10_max_heat_flow", "total_heat_J_per_g"});
  ASSERT_EQ(f.table.cols(), expected.size());
  for (std::size_t j = 0; j < expected.size(); ++j) {
    EXPECT_EQ(f.table.meta(j).name, expected[j]) << "column " << j;
  }
  const auto& m = [&](std::string_view n) -> const ColumnMeta& {
    return f.table.meta(f.table.index_of(n));
  };
  EXPECT_EQ(m("radius_tm_wstd").label, "radii-TM std (wt.)");
  EXPECT_EQ(m("radius_tm_wstd").unit, "Å");
  EXPECT_EQ(m("radius_tm_wstd").kind, ColumnKind::kDerived);
  EXPECT_EQ(m("en_tm_wmean").label, "EN-TM mean (wt.)");
  EXPECT_EQ(m("phi_tm_range").unit, "Å^-1");
  EXPECT_EQ(m("ni").kind, ColumnKind::kContent);
  EXPECT_EQ(m("li").kind, ColumnKind::kContent);
  EXPECT_EQ(m("cutoff_voltage_V").unit, "V");
  EXPECT_EQ(m("scan_rate_C_per_min").unit, "°C/min");
  EXPECT_EQ(m("scan_rate_C_per_min").kind, ColumnKind::kCondition);
  EXPECT_EQ(m("onset_C").kind, ColumnKind::kTarget);
  EXPECT_EQ(m("max_heat_flow_W_per_g").unit, "W/g");
  EXPECT_EQ(m("crucible=sealed").kind, ColumnKind::kOneHot);
  EXPECT_EQ(m("crucible=sealed").group, "crucible");
  EXPECT_EQ(m("electrolyte_class=carbonate_lipf6").group, "electrolyte_class");
  // Values: NCM811 charged wmean radius 0.49 (test_featurize.cpp has the hand computation).
  EXPECT_NEAR(cell(f, 0, "radius_tm_wmean"), 0.49, 1e-12);
  EXPECT_NEAR(cell(f, 3, "radius_tm_std"), 0.0, 0.0);
  EXPECT_NEAR(cell(f, 2, "al"), 0.05, 1e-12);
  EXPECT_EQ(cell(f, 1, "cutoff_voltage_V"), 4.5);
  EXPECT_NEAR(cell(f, 0, "log10_max_heat_flow"), 1.0, 1e-15);
  for (const auto& c : f.missing.columns) EXPECT_EQ(c.missing, 0u) << c.column;
}

TEST(Features, OneHotGroupsFollowLevelsSeen) {
  DscDatabase db = make_db();
  db.records[1].crucible = Crucible::kOpen;
  db.records[2].electrolyte_class = ElectrolyteClass::kNone;
  db.records[2].electrolyte_ratio.reset();  // no electrolyte: ratio is 0, not missing
  const FeatureResult f = featurize(db);
  EXPECT_EQ(cell(f, 1, "crucible=open"), 1.0);
  EXPECT_EQ(cell(f, 1, "crucible=sealed"), 0.0);
  EXPECT_EQ(cell(f, 0, "crucible=open"), 0.0);
  // Levels in enum order: none before carbonate_lipf6; sealed before open.
  EXPECT_LT(f.table.index_of("electrolyte_class=none"),
            f.table.index_of("electrolyte_class=carbonate_lipf6"));
  EXPECT_LT(f.table.index_of("crucible=sealed"), f.table.index_of("crucible=open"));
  EXPECT_EQ(cell(f, 2, "electrolyte_class=none"), 1.0);
  EXPECT_EQ(cell(f, 2, "electrolyte_ratio"), 0.0);
  EXPECT_EQ(report_of(f, "electrolyte_ratio").missing, 0u);
  EXPECT_FALSE(f.table.find("crucible=unknown").has_value());
  // Each row has exactly one level per group.
  for (std::size_t r = 0; r < f.table.rows(); ++r) {
    double sum = 0.0;
    for (std::size_t j = 0; j < f.table.cols(); ++j) {
      if (f.table.meta(j).group == "crucible") sum += f.table.at(r, j);
    }
    EXPECT_EQ(sum, 1.0) << "row " << r;
  }
}

TEST(Features, ElectrolytePresentNoMeansLevelNone) {
  DscDatabase db = make_db();
  db.records[0].electrolyte_class = ElectrolyteClass::kUnknown;
  db.records[0].electrolyte_present = Tristate::kNo;
  db.records[0].electrolyte_ratio.reset();
  const FeatureResult f = featurize(db);
  EXPECT_EQ(cell(f, 0, "electrolyte_class=none"), 1.0);
  EXPECT_EQ(cell(f, 0, "electrolyte_ratio"), 0.0);
  EXPECT_EQ(report_of(f, "electrolyte_class").missing, 0u);
}

TEST(Features, MedianImputationWithIndicator) {
  DscDatabase db = make_db();
  db.records[3].cutoff_voltage_V.reset();  // present: 4.3, 4.5, 4.4 -> median 4.4
  db.records[0].scan_rate_C_per_min.reset();
  db.records[1].scan_rate_C_per_min = 5.0;
  db.records[2].scan_rate_C_per_min = 2.0;
  db.records[3].scan_rate_C_per_min = std::nan("");  // a stored NaN counts as missing
  // scan rate present: 5, 2 -> median 3.5
  const FeatureResult f = featurize(db);
  EXPECT_EQ(cell(f, 3, "cutoff_voltage_V"), 4.4);
  EXPECT_EQ(cell(f, 3, "cutoff_voltage_V_missing"), 1.0);
  EXPECT_EQ(cell(f, 0, "cutoff_voltage_V_missing"), 0.0);
  EXPECT_EQ(cell(f, 0, "scan_rate_C_per_min"), 3.5);
  EXPECT_EQ(cell(f, 3, "scan_rate_C_per_min"), 3.5);
  EXPECT_EQ(cell(f, 1, "scan_rate_C_per_min"), 5.0);
  const ColumnMeta& ind = f.table.meta(f.table.index_of("cutoff_voltage_V_missing"));
  EXPECT_EQ(ind.kind, ColumnKind::kIndicator);
  EXPECT_FALSE(f.table.find("li_charged_missing").has_value());  // nothing missing there
  const ColumnMissing& rep = report_of(f, "cutoff_voltage_V");
  EXPECT_EQ(rep.missing, 1u);
  EXPECT_EQ(rep.policy, MissingPolicy::kImputeMedian);
  EXPECT_EQ(rep.imputed, "4.4");
  EXPECT_TRUE(rep.indicator);
  EXPECT_EQ(rep.record_ids, std::vector<std::string>{"r3"});
  EXPECT_EQ(report_of(f, "scan_rate_C_per_min").missing, 2u);
  // Even count: the mean of the two middle values.
  db.records[3].cutoff_voltage_V = 4.6;
  db.records[2].cutoff_voltage_V.reset();  // present 4.3, 4.5, 4.6 -> 4.5
  db.records[1].cutoff_voltage_V.reset();  // present 4.3, 4.6 -> 4.45
  const FeatureResult g = featurize(db);
  EXPECT_NEAR(cell(g, 1, "cutoff_voltage_V"), 4.45, 1e-15);
  // No indicators when switched off.
  FeatureOptions no_ind;
  no_ind.missing_indicators = false;
  EXPECT_FALSE(featurize(db, no_ind).table.find("cutoff_voltage_V_missing").has_value());
}

TEST(Features, ModeImputationForCategoricalsAndNumbers) {
  DscDatabase db = make_db();
  db.records[0].crucible = Crucible::kOpen;
  db.records[1].crucible = Crucible::kOpen;
  db.records[3].crucible = Crucible::kUnknown;  // open x2, sealed x1 -> open
  const FeatureResult f = featurize(db);
  EXPECT_EQ(cell(f, 3, "crucible=open"), 1.0);
  EXPECT_EQ(cell(f, 3, "crucible=sealed"), 0.0);
  EXPECT_EQ(report_of(f, "crucible").imputed, "open");
  EXPECT_EQ(report_of(f, "crucible").policy, MissingPolicy::kImputeMode);
  // Tie (r0 open, r2 sealed; r1 and r3 unknown): the first level in enum order, sealed.
  db.records[1].crucible = Crucible::kUnknown;
  EXPECT_EQ(report_of(featurize(db), "crucible").imputed, "sealed");
  // Numeric mode: 4.3 twice beats 4.5 and 4.4; ties would go to the smallest value.
  DscDatabase n = make_db();
  n.records[3].cutoff_voltage_V = 4.3;
  n.records[1].cutoff_voltage_V.reset();
  FeatureOptions opt;
  opt.missing["cutoff_voltage_V"] = MissingPolicy::kImputeMode;
  EXPECT_EQ(cell(featurize(n, opt), 1, "cutoff_voltage_V"), 4.3);
  n.records[3].cutoff_voltage_V = 4.6;  // 4.3, 4.4, 4.6 all once -> 4.3
  EXPECT_EQ(cell(featurize(n, opt), 1, "cutoff_voltage_V"), 4.3);
}

TEST(Features, DropRowPolicy) {
  DscDatabase db = make_db();
  db.records[1].li_charged.reset();
  db.records[2].cutoff_voltage_V.reset();
  FeatureOptions opt;
  opt.missing["li_charged"] = MissingPolicy::kDropRow;
  const FeatureResult f = featurize(db, opt);
  EXPECT_EQ(f.record_ids, (std::vector<std::string>{"r0", "r2", "r3"}));
  EXPECT_EQ(f.missing.dropped_record_ids, std::vector<std::string>{"r1"});
  EXPECT_EQ(report_of(f, "li_charged").record_ids, std::vector<std::string>{"r1"});
  // The median comes from the kept rows only: 4.3 (r0) and 4.6 (r3), not r1's 4.5.
  EXPECT_NEAR(cell(f, 1, "cutoff_voltage_V"), 4.45, 1e-15);
  EXPECT_EQ(f.model.fitted_rows, 3u);
  EXPECT_FALSE(f.table.find("li_charged_missing").has_value());
  // A target with a drop policy drops rows too; by default targets stay NaN.
  db.records[0].onset_C.reset();
  const FeatureResult keep = featurize(db);
  EXPECT_TRUE(std::isnan(cell(keep, 0, "onset_C")));
  EXPECT_EQ(report_of(keep, "onset_C").policy, MissingPolicy::kKeepNan);
  opt.missing["onset_C"] = MissingPolicy::kDropRow;
  EXPECT_EQ(featurize(db, opt).record_ids, (std::vector<std::string>{"r2", "r3"}));
}

TEST(Features, RejectPolicyThrowsNamingRecords) {
  DscDatabase db = make_db();
  db.records[2].binder_frac.reset();
  FeatureOptions opt;
  opt.missing["binder_frac"] = MissingPolicy::kReject;
  try {
    featurize(db, opt);
    ADD_FAILURE() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.column(), "binder_frac");
    EXPECT_NE(e.reason().find("r2"), std::string::npos) << e.reason();
  }
  opt.numeric_default = MissingPolicy::kReject;
  opt.missing.clear();
  EXPECT_THROW(featurize(db, opt), InputError);
  db.records[2].binder_frac = 0.1;
  EXPECT_NO_THROW(featurize(db, opt));
}

TEST(Features, TargetsAreNeverImputed) {
  DscDatabase db = make_db();
  db.records[1].peak_C.reset();
  db.records[2].max_heat_flow_W_per_g = 0.0;  // no logarithm
  const FeatureResult f = featurize(db);
  EXPECT_TRUE(std::isnan(cell(f, 1, "peak_C")));
  EXPECT_EQ(cell(f, 2, "max_heat_flow_W_per_g"), 0.0);
  EXPECT_TRUE(std::isnan(cell(f, 2, "log10_max_heat_flow")));
  EXPECT_EQ(report_of(f, "log10_max_heat_flow").record_ids, std::vector<std::string>{"r2"});
  FeatureOptions opt;
  opt.missing["peak_C"] = MissingPolicy::kImputeMedian;
  EXPECT_THROW(featurize(db, opt), ConfigError);
  FeatureOptions few;
  few.targets = {"total_heat_J_per_g", "onset_C"};
  const FeatureResult g = featurize(db, few);
  EXPECT_FALSE(g.table.find("peak_C").has_value());
  EXPECT_LT(g.table.index_of("onset_C"), g.table.index_of("total_heat_J_per_g"));
}

TEST(Features, BadOptionsAreConfigErrors) {
  const DscDatabase db = make_db();
  FeatureOptions a;
  a.missing["no_such_column"] = MissingPolicy::kDropRow;
  EXPECT_THROW(featurize(db, a), ConfigError);
  FeatureOptions b;
  b.missing["crucible"] = MissingPolicy::kImputeMedian;
  EXPECT_THROW(featurize(db, b), ConfigError);
  FeatureOptions c;
  c.targets = {"onset_K"};
  EXPECT_THROW(featurize(db, c), ConfigError);
  FeatureOptions d;
  d.missing["li_charged"] = MissingPolicy::kKeepNan;
  EXPECT_THROW(featurize(db, d), ConfigError);
  FeatureOptions e;
  e.categorical_default = MissingPolicy::kImputeMedian;
  EXPECT_THROW(featurize(db, e), ConfigError);
}

TEST(Features, AllMissingColumnIsLeftOut) {
  DscDatabase db = make_db();
  for (auto& r : db.records) r.li_charged.reset();
  const FeatureResult f = featurize(db);
  EXPECT_FALSE(f.table.find("li_charged").has_value());
  EXPECT_FALSE(f.table.find("li_charged_missing").has_value());
  EXPECT_TRUE(report_of(f, "li_charged").column_left_out);
  EXPECT_EQ(report_of(f, "li_charged").missing, 4u);
  for (auto& r : db.records) r.crucible = Crucible::kUnknown;
  const FeatureResult g = featurize(db);
  EXPECT_FALSE(g.table.find("crucible=sealed").has_value());
  EXPECT_TRUE(report_of(g, "crucible").column_left_out);
}

TEST(Features, ImputationFittedOnTrainingRowsOnly) {
  DscDatabase db = make_db();
  db.records[3].cutoff_voltage_V.reset();
  db.records[2].cutoff_voltage_V = 9.0;        // would move the median if it were used
  const std::vector<std::size_t> train{0, 1};  // 4.3, 4.5 -> 4.4
  const FeatureOptions opt;
  const ImputationModel model = fit_imputation(db, opt, train);
  EXPECT_EQ(model.fitted_rows, 2u);
  EXPECT_NEAR(model.numeric[0].value, 4.4, 1e-15);
  EXPECT_FALSE(model.numeric[0].indicator);  // nothing was missing in the training rows
  const FeatureResult f = featurize(db, opt, model);
  EXPECT_NEAR(cell(f, 3, "cutoff_voltage_V"), 4.4, 1e-15);
  EXPECT_FALSE(f.table.find("cutoff_voltage_V_missing").has_value());
  const ImputationModel full = fit_imputation(db, opt);
  EXPECT_EQ(full.numeric[0].value, 4.5);  // 4.3, 4.5, 9.0
  EXPECT_THROW(fit_imputation(db, opt, std::vector<std::size_t>{7}), Error);
  ImputationModel broken = model;
  broken.numeric.pop_back();
  EXPECT_THROW(featurize(db, opt, broken), Error);
}

TEST(Features, DecoyColumnsAreNumericFeatures) {
  DscDatabase db = make_db();
  db.records[0].decoys = {0.1, 0.2};
  db.records[1].decoys = {0.3, 0.4};
  db.records[2].decoys = {0.5};  // shorter list: decoy_2 missing -> median of 0.2, 0.4
  const FeatureResult f = featurize(db);
  EXPECT_EQ(cell(f, 1, "decoy_1"), 0.3);
  EXPECT_NEAR(cell(f, 2, "decoy_2"), 0.3, 1e-15);
  EXPECT_EQ(f.table.meta(f.table.index_of("decoy_2")).kind, ColumnKind::kCondition);
  EXPECT_EQ(report_of(f, "decoy_2").missing, 2u);  // r2 and r3
  EXPECT_EQ(report_of(f, "decoy_1").missing, 1u);
  FeatureOptions opt;
  opt.missing["decoy_2"] = MissingPolicy::kDropRow;
  EXPECT_EQ(featurize(db, opt).record_ids, (std::vector<std::string>{"r0", "r1"}));
  opt.missing.clear();
  opt.missing["decoy_02"] = MissingPolicy::kDropRow;
  EXPECT_THROW(featurize(db, opt), ConfigError);
}

TEST(Features, MissingCompositionIsInputError) {
  DscDatabase db = make_db();
  db.records[1].composition = SiteComposition{};
  db.records[1].composition.count = 0;
  EXPECT_THROW(featurize(db), InputError);
}

TEST(Features, PristineConventionChangesRadii) {
  const DscDatabase db = make_db();
  FeatureOptions opt;
  opt.oxidation = OxidationConvention::kPristine;
  const FeatureResult f = featurize(db, opt);
  // LCO pristine: Co3+ LS 0.545 (charged: Co4+ 0.53).
  EXPECT_NEAR(cell(f, 3, "radius_tm_wmean"), 0.545, 1e-12);
  // NCM811 pristine: Ni 2.875+ -> 0.57625, Co3+ LS 0.545, Mn4+ 0.53.
  EXPECT_NEAR(cell(f, 0, "radius_tm_wmean"), 0.8 * 0.57625 + 0.1 * 0.545 + 0.1 * 0.53, 1e-12);
}

TEST(Features, Deterministic) {
  DscDatabase db = make_db();
  db.records[3].cutoff_voltage_V.reset();
  db.records[0].crucible = Crucible::kUnknown;
  const FeatureResult a = featurize(db);
  const FeatureResult b = featurize(db);
  ASSERT_EQ(a.table.data().size(), b.table.data().size());
  EXPECT_EQ(std::memcmp(a.table.data().data(), b.table.data().data(),
                        a.table.data().size() * sizeof(double)),
            0);
  ASSERT_EQ(a.table.cols(), b.table.cols());
  for (std::size_t j = 0; j < a.table.cols(); ++j) {
    EXPECT_EQ(a.table.meta(j).name, b.table.meta(j).name) << "column " << j;
  }
  EXPECT_EQ(format_missing_report(a.missing), format_missing_report(b.missing));
}

TEST(Features, ReportText) {
  DscDatabase db = make_db();
  db.records[3].cutoff_voltage_V.reset();
  db.records[1].li_charged.reset();
  db.records[0].peak_C.reset();
  FeatureOptions opt;
  opt.missing["li_charged"] = MissingPolicy::kDropRow;
  const std::string text = format_missing_report(featurize(db, opt).missing);
  EXPECT_NE(text.find("4 record(s) in, 1 dropped"), std::string::npos) << text;
  EXPECT_NE(text.find("cutoff_voltage_V"), std::string::npos) << text;
  // Kept rows r0 (4.3), r2 (4.4), r3 (missing): median 4.35.
  EXPECT_NE(text.find("median -> 4.35 (indicator cutoff_voltage_V_missing)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("rows dropped"), std::string::npos) << text;
  EXPECT_NE(text.find("kept as NaN (target)"), std::string::npos) << text;
  EXPECT_NE(text.find("dropped records: r1"), std::string::npos) << text;
  EXPECT_NE(format_missing_report(featurize(make_db()).missing).find("no missing values"),
            std::string::npos);
}

TEST(Features, PolicyNamesRoundTrip) {
  for (const auto p : {MissingPolicy::kImputeMedian, MissingPolicy::kImputeMode,
                       MissingPolicy::kDropRow, MissingPolicy::kReject, MissingPolicy::kKeepNan}) {
    EXPECT_EQ(parse_missing_policy(to_string(p)), p) << to_string(p);
  }
  EXPECT_FALSE(parse_missing_policy("Median").has_value());
}

}  // namespace
}  // namespace thermex
