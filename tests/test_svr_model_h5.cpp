// SVR model files: round trip (bitwise identical predictions and fields), atomic replacement,
// clear errors for missing, truncated and foreign files, and the optional fit report (metrics
// and grid search; format_version 2, version 1 files still read).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "h5_test_support.hpp"
#include "svr_test_support.hpp"
#include "thermex/context.hpp"
#include "thermex/error.hpp"
#include "thermex/h5.hpp"
#include "thermex/svr.hpp"
#include "thermex/svr_cv.hpp"
#include "thermex/svr_metrics.hpp"
#include "thermex/svr_model_h5.hpp"
#include "thermex/version.hpp"

namespace thermex {
namespace {

Context cpu_context() { return Context::create({.device = DeviceRequest::kCpu, .quiet = true}); }

SvrModel fitted_model(bool log_target) {
  std::vector<double> x, y;
  testing::synthetic_svr_problem(11, 60, 3, x, y);
  if (log_target) {
    for (double& v : y) v = std::pow(10.0, v);
  }
  SvrSpec spec;
  spec.c = 4.0;
  spec.epsilon = 0.05;
  spec.gamma = log_target ? SvrGamma::fixed(0.3) : SvrGamma::scale_rule();
  spec.log10_target = log_target;
  return svr_fit(cpu_context(), x, 60, 3, y, spec, {"a", "b", "c"});
}

TEST(SvrModelH5, RoundTripGivesBitwiseIdenticalPredictions) {
  testing::ScratchDir dir;
  for (bool log_target : {false, true}) {
    const SvrModel m = fitted_model(log_target);
    const std::string path = dir.file(log_target ? "log.h5" : "id.h5");
    save_svr_model(m, path);
    const SvrModel r = load_svr_model(path);
    std::vector<double> q, unused;
    testing::synthetic_svr_problem(12, 40, 3, q, unused);
    const std::vector<double> p0 = svr_predict(cpu_context(), m, q, 40);
    const std::vector<double> p1 = svr_predict(cpu_context(), r, q, 40);
    EXPECT_EQ(std::memcmp(p0.data(), p1.data(), p0.size() * sizeof(double)), 0) << path;
    EXPECT_EQ(r.feature_names, m.feature_names);
    EXPECT_EQ(r.support_indices, m.support_indices);
    EXPECT_EQ(r.n_support(), m.n_support());
    EXPECT_EQ(r.spec.gamma.scale, m.spec.gamma.scale);
    EXPECT_EQ(r.spec.gamma.value, m.spec.gamma.value);
    EXPECT_EQ(r.spec.c, m.spec.c);
    EXPECT_EQ(r.spec.epsilon, m.spec.epsilon);
    EXPECT_EQ(r.spec.tol, m.spec.tol);
    EXPECT_EQ(r.spec.log10_target, log_target);
    EXPECT_EQ(r.gamma_value, m.gamma_value);
    EXPECT_EQ(r.intercept, m.intercept);
    EXPECT_EQ(r.dual_objective, m.dual_objective);
    EXPECT_EQ(r.n_iter, m.n_iter);
    EXPECT_EQ(r.n_train, m.n_train);
    EXPECT_EQ(r.data_sha256, m.data_sha256);
    EXPECT_EQ(r.thermex_version, kVersion);
    EXPECT_EQ(r.git_commit, kGitCommit);
    const H5File f = H5File::open_read_only(path);
    EXPECT_EQ(f.string_attribute("/model", "target_transform"), log_target ? "log10" : "identity");
    EXPECT_EQ(f.string_attribute("/model", "written_by_version"), kVersion);
  }
}

TEST(SvrModelH5, ModelWithoutSupportVectorsRoundTrips) {
  testing::ScratchDir dir;
  const std::vector<double> x = {0.0, 1.0, 2.0}, y = {1.0, 1.2, 1.1};
  SvrSpec spec;
  spec.epsilon = 0.5;
  const SvrModel m = svr_fit(cpu_context(), x, 3, 1, y, spec);
  ASSERT_EQ(m.n_support(), 0u);
  save_svr_model(m, dir.file("empty.h5"));
  const SvrModel r = load_svr_model(dir.file("empty.h5"));
  EXPECT_EQ(r.n_support(), 0u);
  EXPECT_EQ(svr_predict(cpu_context(), r, x, 3), svr_predict(cpu_context(), m, x, 3));
}

TEST(SvrModelH5, RejectsMissingTruncatedAndForeignFiles) {
  testing::ScratchDir dir;
  EXPECT_THROW(load_svr_model(dir.file("missing.h5")), InputError);
  const SvrModel m = fitted_model(false);
  save_svr_model(m, dir.file("good.h5"));
  const std::string bytes = testing::read_bytes(dir.file("good.h5"));
  testing::write_bytes(dir.file("truncated.h5"), bytes.substr(0, bytes.size() / 2));
  EXPECT_THROW(load_svr_model(dir.file("truncated.h5")), InputError);
  testing::write_bytes(dir.file("text.h5"), "not hdf5 at all\n");
  EXPECT_THROW(load_svr_model(dir.file("text.h5")), InputError);
  {
    H5File f = H5File::create(dir.file("foreign.h5"));
    f.write_doubles("/model/dual_coef", std::vector<double>{1.0});
    f.close();
  }
  try {
    load_svr_model(dir.file("foreign.h5"));
    ADD_FAILURE() << "foreign file accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("thermex-svr-model"), std::string::npos) << e.what();
  }
  // Right format tag, but an attribute missing and a future version: both InputError.
  for (const bool future : {false, true}) {
    const std::string path = dir.file(future ? "future.h5" : "partial.h5");
    {
      H5File f = H5File::create(path);
      f.create_group("/model");
      f.set_attribute("/model", "format", "thermex-svr-model");
      if (future) f.set_attribute("/model", "format_version", std::int64_t{99});
      f.close();
    }
    EXPECT_THROW(load_svr_model(path), InputError) << path;
  }
}

TEST(SvrModelH5, SaveReplacesAtomically) {
  testing::ScratchDir dir;
  const std::string path = dir.file("m.h5");
  save_svr_model(fitted_model(false), path);
  save_svr_model(fitted_model(true), path);
  EXPECT_TRUE(load_svr_model(path).spec.log10_target);
  EXPECT_EQ(dir.entries().size(), 1u);  // no temporary file left behind
}

// A report with every part: 3 grid points (one "scale" gamma) x 2 folds.
SvrFitReport full_report(const SvrModel& m) {
  SvrFitReport r;
  r.target = "heat";
  r.train = RegressionMetrics{0.91, 0.25, 0.125, 48};
  r.test = RegressionMetrics{0.75, 0.5, 0.375, 12};
  r.test_fraction = 0.2;
  r.seed = 0xFEDCBA9876543210ULL;  // above INT64_MAX: the bit pattern must survive
  SvrCvResult cv;
  for (int k = 0; k < 3; ++k) {
    SvrSpec s = m.spec;
    s.c = std::pow(10.0, k);
    s.gamma = k == 1 ? SvrGamma::scale_rule() : SvrGamma::fixed(0.1 + k);
    s.epsilon = 0.05 * (k + 1);
    cv.specs.push_back(s);
  }
  cv.folds = 2;
  cv.fold_rmse = {0.5, 0.7, 0.25, 0.35, 0.4, 0.6};
  cv.cv_rmse = {0.6, 0.3, 0.5};
  cv.best = 1;
  r.cv = cv;
  return r;
}

TEST(SvrModelH5, FitReportRoundTrips) {
  testing::ScratchDir dir;
  const SvrModel m = fitted_model(false);
  const SvrFitReport r = full_report(m);
  const std::string path = dir.file("report.h5");
  save_svr_model(m, r, path);
  const SvrModel back_model = load_svr_model(path);
  EXPECT_EQ(back_model.dual_coef, m.dual_coef);
  const std::optional<SvrFitReport> back = load_svr_fit_report(path);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->target, "heat");
  EXPECT_EQ(back->test_fraction, 0.2);
  EXPECT_EQ(back->seed, r.seed);
  ASSERT_TRUE(back->train.has_value() && back->test.has_value());
  for (const bool test : {false, true}) {
    const RegressionMetrics& a = test ? *r.test : *r.train;
    const RegressionMetrics& b = test ? *back->test : *back->train;
    EXPECT_EQ(b.r2, a.r2) << "test " << test;
    EXPECT_EQ(b.rmse, a.rmse) << "test " << test;
    EXPECT_EQ(b.mae, a.mae) << "test " << test;
    EXPECT_EQ(b.n, a.n) << "test " << test;
  }
  ASSERT_TRUE(back->cv.has_value());
  const SvrCvResult& cv = *back->cv;
  EXPECT_EQ(cv.folds, 2u);
  EXPECT_EQ(cv.best, 1u);
  EXPECT_EQ(cv.cv_rmse, r.cv->cv_rmse);
  EXPECT_EQ(cv.fold_rmse, r.cv->fold_rmse);
  ASSERT_EQ(cv.specs.size(), 3u);
  for (std::size_t k = 0; k < 3; ++k) {
    const SvrSpec& want = r.cv->specs[k];
    EXPECT_EQ(cv.specs[k].c, want.c) << "point " << k;
    EXPECT_EQ(cv.specs[k].epsilon, want.epsilon) << "point " << k;
    EXPECT_EQ(cv.specs[k].gamma.scale, want.gamma.scale) << "point " << k;
    EXPECT_EQ(cv.specs[k].gamma.value, want.gamma.value) << "point " << k;
    EXPECT_EQ(cv.specs[k].tol, m.spec.tol) << "point " << k;  // the rest is the model's spec
  }
  const H5File f = H5File::open_read_only(path);
  EXPECT_EQ(f.int64_attribute("/model", "format_version"), 2);
  EXPECT_EQ(f.string_attribute("/model/metrics", "seed_text"), "18364758544493064720");
  EXPECT_EQ(f.read_strings("/model/cv/gamma")[1], "scale");
  for (const char* ds : {"C", "gamma", "epsilon", "cv_rmse", "fold_rmse"}) {
    EXPECT_TRUE(f.has_attribute(std::string("/model/cv/") + ds, "units")) << ds;
  }
  EXPECT_TRUE(f.has_attribute("/model/metrics/test", "units"));
}

TEST(SvrModelH5, ReportPartsAreOptionalAndOldFilesRead) {
  testing::ScratchDir dir;
  const SvrModel m = fitted_model(false);
  save_svr_model(m, dir.file("plain.h5"));
  EXPECT_FALSE(load_svr_fit_report(dir.file("plain.h5")).has_value());
  // A format_version 1 file (no report) still loads, with the same predictions.
  {
    H5File f = H5File::open_read_write(dir.file("plain.h5"));
    f.set_attribute("/model", "format_version", std::int64_t{1});
    f.close();
  }
  const SvrModel old = load_svr_model(dir.file("plain.h5"));
  EXPECT_EQ(old.dual_coef, m.dual_coef);
  EXPECT_EQ(old.intercept, m.intercept);
  EXPECT_FALSE(load_svr_fit_report(dir.file("plain.h5")).has_value());
  // Metrics without a test part and without a grid search.
  SvrFitReport r;
  r.train = RegressionMetrics{1.0, 0.0, 0.0, 60};
  save_svr_model(m, r, dir.file("train_only.h5"));
  const std::optional<SvrFitReport> back = load_svr_fit_report(dir.file("train_only.h5"));
  ASSERT_TRUE(back.has_value());
  EXPECT_TRUE(back->train.has_value());
  EXPECT_FALSE(back->test.has_value());
  EXPECT_FALSE(back->cv.has_value());
}

TEST(SvrModelH5, InconsistentReportsAreRejected) {
  testing::ScratchDir dir;
  const SvrModel m = fitted_model(false);
  SvrFitReport r = full_report(m);
  r.cv->best = 3;  // only 3 points
  EXPECT_THROW(save_svr_model(m, r, dir.file("bad.h5")), Error);
  r = full_report(m);
  r.cv->fold_rmse.pop_back();
  EXPECT_THROW(save_svr_model(m, r, dir.file("bad.h5")), Error);
  EXPECT_TRUE(dir.entries().empty());  // nothing written, no temporary left
  // A damaged file: cv_rmse of the wrong length is InputError on reading.
  save_svr_model(m, full_report(m), dir.file("damaged.h5"));
  {
    H5File f = H5File::open_read_write(dir.file("damaged.h5"));
    f.set_attribute("/model/cv", "best", std::int64_t{7});
    f.close();
  }
  EXPECT_NO_THROW(load_svr_model(dir.file("damaged.h5")));  // the model itself is fine
  EXPECT_THROW(load_svr_fit_report(dir.file("damaged.h5")), InputError);
}

}  // namespace
}  // namespace thermex
