// SVR model files: round trip (bitwise identical predictions and fields), atomic replacement,
// and clear errors for missing, truncated and foreign files.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "h5_test_support.hpp"
#include "svr_test_support.hpp"
#include "thermex/context.hpp"
#include "thermex/error.hpp"
#include "thermex/h5.hpp"
#include "thermex/svr.hpp"
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

}  // namespace
}  // namespace thermex
