// SVR prediction on both backends against a direct reference (explicit differences, no GEMM
// expansion): many queries, chunk boundaries of the CUDA backend (forced tiny chunks), empty
// input, log10 models, models without support vectors, and the chunk-size rule.
#include <gtest/gtest.h>

#include "backend_test_support.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "../src/svr_predict_impl.hpp"
#include "thermex/context.hpp"
#include "thermex/error.hpp"
#include "thermex/math/philox.hpp"
#include "thermex/svr.hpp"

namespace thermex {
namespace {

constexpr std::uint64_t kSeed = 20251125;
constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Tolerance on f = b + sum_k beta_k K_k: rtol * (|b| + sum_k |beta_k|). Each kernel value from
// the GEMM expansion (both backends) has a relative error of at most ~gamma (d + 2) eps
// (|x|^2 + |z|^2) against the direct differences of the reference (test_rbf_kernel.cpp), here
// 0.3 * 7 * eps * 31 ~ 1.5e-14, and |K| <= 1; the sum over n_sv terms adds at most n_sv eps
// sum|beta_k K_k| (Higham sec. 3.1), ~8e-15 at n_sv = 37. So the error in f is below
// ~3e-14 (|b| + sum|beta|); 1e-12 leaves room for cuBLAS's summation order and FMAs while a
// wrong support vector, coefficient or chunk offset moves f by O(0.1 sum|beta| / n_sv).
constexpr double kRtol = 1e-12;
// 10^f has relative error ln(10) * (error in f) plus a few ulps of pow.
constexpr double kLn10 = 2.302585092994046;

std::vector<double> uniform(std::uint64_t id, std::size_t count, double lo, double hi) {
  math::PhiloxStream rng(kSeed, math::RngPurpose::kTest, id);
  std::vector<double> v(count);
  for (double& e : v) e = lo + (hi - lo) * rng.uniform();
  return v;
}

// A model with mixed-sign coefficients, a non-trivial scaler and gamma = 0.3 (d = 5).
SvrModel make_model(std::size_t n_sv, bool log10_target) {
  constexpr std::size_t kD = 5;
  SvrModel m;
  m.n_features = kD;
  m.feature_names = {"a", "b", "c", "d", "e"};
  m.feature_means = uniform(1, kD, -50.0, 50.0);
  m.feature_scales = uniform(2, kD, 0.5, 5.0);
  m.support_vectors = uniform(3, n_sv * kD, -1.5, 1.5);
  m.dual_coef = uniform(4, n_sv, -2.0, 2.0);
  m.intercept = log10_target ? 0.4 : 1.7;
  m.gamma_value = 0.3;
  m.spec.log10_target = log10_target;
  // log10 models: keep f in a few decades so 10^f stays well inside double range.
  if (log10_target) {
    for (double& c : m.dual_coef) c *= 0.05;
  }
  return m;
}

// Raw queries: mean + scale * U(-2, 2) per feature.
std::vector<double> make_queries(const SvrModel& m, std::size_t n) {
  const std::size_t d = m.n_features;
  std::vector<double> x = uniform(5, n * d, -2.0, 2.0);
  for (std::size_t e = 0; e < x.size(); ++e) {
    x[e] = m.feature_means[e % d] + m.feature_scales[e % d] * x[e];
  }
  return x;
}

// f before the inverse transform, with explicit differences (no cancellation).
double reference_f(const SvrModel& m, const double* x) {
  const std::size_t d = m.n_features;
  double f = 0.0;
  for (std::size_t s = 0; s < m.n_support(); ++s) {
    double d2 = 0.0;
    for (std::size_t k = 0; k < d; ++k) {
      const double diff =
          (x[k] - m.feature_means[k]) / m.feature_scales[k] - m.support_vectors[s * d + k];
      d2 += diff * diff;
    }
    f += m.dual_coef[s] * std::exp(-m.gamma_value * d2);
  }
  return f + m.intercept;
}

double f_tolerance(const SvrModel& m) {
  double sum = std::abs(m.intercept);
  for (double c : m.dual_coef) sum += std::abs(c);
  return kRtol * sum;
}

// Every prediction finite and within tolerance of the reference (NaN fails the comparison).
void expect_matches_reference(const SvrModel& m, const std::vector<double>& x,
                              const std::vector<double>& got, const std::string& what) {
  const std::size_t n = x.size() / m.n_features;
  ASSERT_EQ(got.size(), n) << what;
  const double tol_f = f_tolerance(m);
  for (std::size_t i = 0; i < n; ++i) {
    const double f = reference_f(m, x.data() + i * m.n_features);
    const double want = m.spec.log10_target ? std::pow(10.0, f) : f;
    const double tol = m.spec.log10_target ? std::abs(want) * (kLn10 * tol_f + 8.0 * kEps) : tol_f;
    EXPECT_TRUE(std::abs(got[i] - want) <= tol)
        << what << ": query " << i << " got " << got[i] << " want " << want << " tol " << tol;
  }
}

using testing_support::Backend;

class SvrPredictBackends : public testing_support::BackendTest {
 protected:
  // The backend itself: on CUDA the internal entry point with `budget` bytes per chunk and an
  // output pre-filled with NaN (an entry it never writes fails the comparison); on the CPU the
  // public entry point (its chunking is fixed).
  std::vector<double> predict(const SvrModel& m, const std::vector<double>& x,
                              std::size_t budget = cuda::SvrPredictOptions{}.tile_budget_bytes) {
    const std::size_t n = x.size() / m.n_features;
    if (!cuda()) return svr_predict(ctx(), m, x, n);
    std::vector<double> out(n, kNaN);
    cuda::svr_predict(ctx(), m, x, n, out, {.tile_budget_bytes = budget});
    return out;
  }
};

TEST_P(SvrPredictBackends, PublicEntryMatchesDirectReference) {
  const SvrModel m = make_model(37, false);
  const std::vector<double> x = make_queries(m, 2000);
  expect_matches_reference(m, x, svr_predict(ctx(), m, x, 2000), "public svr_predict");
}

TEST_P(SvrPredictBackends, ChunkBoundaries) {
  const SvrModel m = make_model(37, false);
  constexpr std::size_t kN = 103;  // a prime: no chunk length below divides it
  const std::vector<double> x = make_queries(m, kN);
  const std::size_t row_bytes = sizeof(double) * (m.n_support() + m.n_features + 3);
  for (std::size_t rows :
       {std::size_t{1}, std::size_t{8}, std::size_t{102}, kN, std::size_t{500}}) {
    const std::size_t budget = rows * row_bytes;
    ASSERT_EQ(cuda::svr_predict_chunk_rows(m.n_support(), m.n_features, budget), rows);
    expect_matches_reference(m, x, predict(m, x, budget),
                             "chunk of " + std::to_string(rows) + " rows");
  }
}

TEST_P(SvrPredictBackends, EmptyInputReturnsEmpty) {
  const SvrModel m = make_model(37, false);
  EXPECT_TRUE(predict(m, {}).empty());
  EXPECT_TRUE(svr_predict(ctx(), m, {}, 0).empty());
}

TEST_P(SvrPredictBackends, Log10ModelAppliesInverseTransform) {
  const SvrModel m = make_model(29, true);
  const std::vector<double> x = make_queries(m, 301);
  expect_matches_reference(m, x, predict(m, x, 40 * 8 * (29 + 5 + 3)), "log10, chunks of 40");
  expect_matches_reference(m, x, svr_predict(ctx(), m, x, 301), "log10, public entry");
}

TEST_P(SvrPredictBackends, NoSupportVectorsPredictsIntercept) {
  const SvrModel m = make_model(0, false);
  const std::vector<double> x = make_queries(m, 17);
  const std::vector<double> got = predict(m, x, 5 * 8 * (0 + 5 + 3));
  ASSERT_EQ(got.size(), 17u);
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], m.intercept) << "query " << i;
}

TEST_P(SvrPredictBackends, RejectsSizeMismatch) {
  const SvrModel m = make_model(7, false);
  const std::vector<double> x = make_queries(m, 4);
  EXPECT_THROW((void)svr_predict(ctx(), m, x, 5), Error);
  if (cuda()) {
    std::vector<double> out(3);
    EXPECT_THROW(cuda::svr_predict(ctx(), m, x, 4, out), Error);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, SvrPredictBackends, testing_support::both_backends(),
                         testing_support::backend_name);

TEST(SvrPredictChunkRows, FollowsTheBudget) {
  // 450 support vectors, 15 features: 8 * 468 = 3744 bytes per row.
  EXPECT_EQ(cuda::svr_predict_chunk_rows(450, 15, std::size_t{256} << 20),
            (std::size_t{256} << 20) / 3744);
  EXPECT_EQ(cuda::svr_predict_chunk_rows(450, 15, 3744 * 7 + 3743), 7u);
  // A budget below one row still makes progress, one row per chunk.
  EXPECT_EQ(cuda::svr_predict_chunk_rows(450, 15, 0), 1u);
  EXPECT_EQ(cuda::svr_predict_chunk_rows(0, 1, 32), 1u);
}

#if !defined(THERMEX_HAVE_CUDA)
TEST(SvrPredictCudaStub, ThrowsWithoutCuda) {
  const auto ctx = Context::create({.device = DeviceRequest::kCpu, .quiet = true});
  const SvrModel m = make_model(3, false);
  const std::vector<double> x = make_queries(m, 2);
  std::vector<double> out(2);
  EXPECT_THROW(cuda::svr_predict(ctx, m, x, 2, out), Error);
}
#endif

}  // namespace
}  // namespace thermex
