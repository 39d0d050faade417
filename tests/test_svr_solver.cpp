// The SMO solver's internals (src/cpu/svr_smo.cpp, src/cpu/svr_smo_scan.cpp): the AVX2 and
// scalar forms of the per-iteration scans return the same bits (so solutions do not depend on
// the CPU), ties go to the lowest index, and libsvm's shrinking reaches the same optimum as the
// plain solver while really narrowing the active set.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "../src/svr_internal.hpp"
#include "thermex/context.hpp"
#include "thermex/math/philox.hpp"
#include "thermex/rbf_kernel.hpp"
#include "thermex/svr.hpp"

namespace thermex {
namespace {

std::vector<double> uniform(std::size_t count, std::uint64_t id, double lo, double hi) {
  math::PhiloxStream rng(99, math::RngPurpose::kTest, id);
  std::vector<double> v(count);
  for (double& e : v) e = lo + (hi - lo) * rng.uniform();
  return v;
}

// A scan state of l samples: alphas at 0, at C and free; gradients with repeated values so
// that ties occur inside and across the SIMD lanes.
struct ScanCase {
  std::size_t l;
  double c = 2.0;
  std::vector<double> g, a, ki, kj;
  explicit ScanCase(std::size_t n) : l(n), g(uniform(2 * n, 1, -3.0, 3.0)), a(2 * n) {
    const std::vector<double> u = uniform(2 * n, 2, 0.0, 1.0);
    for (std::size_t t = 0; t < 2 * n; ++t) {
      a[t] = u[t] < 0.3 ? 0.0 : (u[t] < 0.5 ? c : u[t] * c);
      if (t % 5 == 3) g[t] = 1.25;  // ties
    }
    ki = uniform(n, 3, 0.0, 1.0);
    kj = uniform(n, 4, 0.0, 1.0);
    ki[n / 2] = 1.0;  // zero curvature: replaced by tau
  }
  detail::SmoScanState state() { return {g.data(), g.data() + l, a.data(), a.data() + l, l, c}; }
};

// The vector forms this CPU runs (the scalar form is the reference).
std::vector<detail::SmoIsa> vector_isas() {
  std::vector<detail::SmoIsa> isas;
  for (detail::SmoIsa isa : {detail::SmoIsa::kAvx2, detail::SmoIsa::kAvx512}) {
    if (detail::smo_isa_supported(isa)) isas.push_back(isa);
  }
  return isas;
}

TEST(SvrSolver, ScanFormsReturnTheSameBits) {
  if (vector_isas().empty()) GTEST_SKIP() << "CPU without AVX2: only the scalar form runs";
  for (detail::SmoIsa isa : vector_isas()) {
    for (std::size_t l : {1u, 7u, 8u, 9u, 15u, 16u, 17u, 37u, 64u, 203u}) {
      const std::string where =
          "isa " + std::to_string(static_cast<int>(isa)) + ", l = " + std::to_string(l);
      ScanCase s1(l), s2(l);
      const detail::SmoArg u1 = detail::smo_update_and_max_up(
          s1.state(), s1.ki.data(), s1.kj.data(), 0.3, -0.7, detail::SmoIsa::kScalar);
      const detail::SmoArg u2 =
          detail::smo_update_and_max_up(s2.state(), s2.ki.data(), s2.kj.data(), 0.3, -0.7, isa);
      EXPECT_EQ(u1.index, u2.index) << where;
      EXPECT_EQ(std::memcmp(&u1.value, &u2.value, sizeof(double)), 0) << where;
      ASSERT_EQ(std::memcmp(s1.g.data(), s2.g.data(), s1.g.size() * sizeof(double)), 0)
          << "gradients differ, " << where;
      // The selection with the divisions done per element, and with a precomputed row of
      // inverse curvatures (the solver's cache), in both forms.
      std::vector<double> inv(l);
      detail::smo_inverse_curvature_row(s2.ki.data(), l, inv.data(), isa);
      double g1 = 0.0;
      const detail::SmoArg j1 =
          detail::smo_select_low(s1.state(), s1.ki.data(), u1.value, g1, detail::SmoIsa::kScalar);
      for (const double* kinv :
           {static_cast<const double*>(nullptr), static_cast<const double*>(inv.data())}) {
        for (detail::SmoIsa form : {detail::SmoIsa::kScalar, isa}) {
          double g2 = 0.0;
          const detail::SmoArg j2 =
              detail::smo_select_low(s2.state(), s2.ki.data(), u2.value, g2, form, kinv);
          const std::string how = where + (kinv ? ", precomputed" : ", divided") +
                                  (form == detail::SmoIsa::kScalar ? ", scalar" : ", vector");
          EXPECT_EQ(j1.index, j2.index) << how;
          EXPECT_EQ(std::memcmp(&j1.value, &j2.value, sizeof(double)), 0) << how;
          EXPECT_EQ(std::memcmp(&g1, &g2, sizeof(double)), 0) << how;
        }
      }
    }
  }
}

TEST(SvrSolver, TiesGoToTheLowestIndex) {
  for (detail::SmoIsa isa :
       {detail::SmoIsa::kScalar, detail::SmoIsa::kAvx2, detail::SmoIsa::kAvx512}) {
    if (!detail::smo_isa_supported(isa)) continue;
    const std::size_t l = 21;
    std::vector<double> g(2 * l, 0.0), a(2 * l, 0.5);
    // -G of the alpha half and G of the alpha* half are 4 at t = 5, 13, l + 2, l + 17.
    g[5] = g[13] = -4.0;
    g[l + 2] = g[l + 17] = 4.0;
    const detail::SmoScanState s{g.data(), g.data() + l, a.data(), a.data() + l, l, 1.0};
    const detail::SmoArg up = detail::smo_update_and_max_up(s, nullptr, nullptr, 0.0, 0.0, isa);
    EXPECT_EQ(up.index, 5) << "isa " << static_cast<int>(isa);
    EXPECT_EQ(up.value, 4.0) << "isa " << static_cast<int>(isa);
  }
}

TEST(SvrSolver, SelectionTiesGoToTheLowestIndex) {
  // Equal best gains at t = 5, 21 and l + 5 (the same SIMD lane of every vector form, so a lane
  // that took a later equal value would lose the lower index).
  const std::size_t l = 40;
  std::vector<double> g(2 * l, 0.0), a(2 * l, 0.5), ki(l, 0.5);
  g[5] = g[21] = 2.0;  // alpha half: value G
  g[l + 5] = -2.0;     // alpha* half: value -G
  const detail::SmoScanState s{g.data(), g.data() + l, a.data(), a.data() + l, l, 1.0};
  std::vector<double> inv(l);
  for (detail::SmoIsa isa :
       {detail::SmoIsa::kScalar, detail::SmoIsa::kAvx2, detail::SmoIsa::kAvx512}) {
    if (!detail::smo_isa_supported(isa)) continue;
    detail::smo_inverse_curvature_row(ki.data(), l, inv.data(), isa);
    for (const double* kinv :
         {static_cast<const double*>(nullptr), static_cast<const double*>(inv.data())}) {
      double gmax2 = 0.0;
      const detail::SmoArg j = detail::smo_select_low(s, ki.data(), 1.0, gmax2, isa, kinv);
      EXPECT_EQ(j.index, 5) << "isa " << static_cast<int>(isa) << (kinv ? " precomputed" : "");
      EXPECT_EQ(gmax2, 2.0) << "isa " << static_cast<int>(isa);
    }
  }
}

struct Problem {
  std::size_t n = 300, d = 4;
  std::vector<double> kernel, t;
};

// Few support vectors (a wide tube), the case shrinking is for.
Problem make_problem() {
  Problem p;
  const std::vector<double> x = uniform(p.n * p.d, 5, -1.0, 1.0);
  const std::vector<double> noise = uniform(p.n, 6, -0.05, 0.05);
  p.t.resize(p.n);
  for (std::size_t i = 0; i < p.n; ++i) {
    p.t[i] = std::sin(2.0 * x[i * p.d]) + x[i * p.d + 1] * x[i * p.d + 2] + noise[i];
  }
  const Context ctx = Context::create({.device = DeviceRequest::kCpu, .threads = 1, .quiet = true});
  p.kernel = rbf_kernel_matrix(ctx, x, p.n, x, p.n, p.d, 0.5);
  return p;
}

std::vector<double> beta_of(const detail::SmoResult& r, std::size_t n) {
  std::vector<double> b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = r.alpha[i] - r.alpha[i + n];
  return b;
}

TEST(SvrSolver, WholeSolveIsTheSameOnEveryIsa) {
  if (vector_isas().empty()) GTEST_SKIP() << "CPU without AVX2: only the scalar form runs";
  const Problem p = make_problem();
  for (detail::SmoIsa isa : vector_isas()) {
    for (bool shrinking : {false, true}) {
      detail::FullKernelRows k1(p.kernel, p.n), k2(p.kernel, p.n);
      const detail::SmoResult a = detail::solve_svr_smo(k1, p.t, 3.0, 0.05, 1e-6, 1'000'000,
                                                        shrinking, detail::SmoIsa::kScalar);
      const detail::SmoResult b =
          detail::solve_svr_smo(k2, p.t, 3.0, 0.05, 1e-6, 1'000'000, shrinking, isa);
      const std::string where = "isa " + std::to_string(static_cast<int>(isa)) + ", shrinking " +
                                std::to_string(shrinking);
      EXPECT_EQ(a.n_iter, b.n_iter) << where;
      ASSERT_EQ(a.alpha.size(), b.alpha.size());
      EXPECT_EQ(std::memcmp(a.alpha.data(), b.alpha.data(), a.alpha.size() * sizeof(double)), 0)
          << where;
      EXPECT_EQ(std::memcmp(&a.rho, &b.rho, sizeof(double)), 0) << where;
    }
  }
}

TEST(SvrSolver, ShrinkingReachesTheSameOptimum) {
  const Problem p = make_problem();
  for (double tol : {1e-3, 1e-8}) {
    detail::FullKernelRows k1(p.kernel, p.n), k2(p.kernel, p.n);
    const detail::SmoResult plain =
        detail::solve_svr_smo(k1, p.t, 3.0, 0.15, tol, 10'000'000, false);
    const detail::SmoResult shrunk =
        detail::solve_svr_smo(k2, p.t, 3.0, 0.15, tol, 10'000'000, true);
    ASSERT_TRUE(plain.converged && shrunk.converged) << "tol " << tol;
    EXPECT_EQ(plain.active_min, p.n) << "tol " << tol;
    EXPECT_LT(shrunk.active_min, p.n / 2) << "tol " << tol << ": shrinking never packed";
    // Both satisfy the stopping rule on all 2n variables, recomputed from scratch.
    const SvrDualCheck c1 = svr_dual_check(p.kernel, p.t, beta_of(plain, p.n), 3.0, 0.15);
    const SvrDualCheck c2 = svr_dual_check(p.kernel, p.t, beta_of(shrunk, p.n), 3.0, 0.15);
    EXPECT_LT(c1.kkt_gap, tol) << "tol " << tol;
    EXPECT_LT(c2.kkt_gap, tol) << "tol " << tol << ": shrinking stopped early";
    EXPECT_NEAR(c2.objective, c1.objective, 1e-6 * std::abs(c1.objective)) << "tol " << tol;
    EXPECT_NEAR(shrunk.objective, c2.objective, 1e-9 * std::abs(c2.objective)) << "tol " << tol;
    if (tol < 1e-6) {
      EXPECT_NEAR(shrunk.rho, plain.rho, 1e-6) << "tol " << tol;
    }
  }
}

}  // namespace
}  // namespace thermex
