// The CPU weighted kernel sum behind svr_predict (cpu::rbf_kernel_weighted_sum): equal to the
// kernel matrix times the weights, for every instruction-set variant, and the same bytes for
// any thread count and any split of the rows into calls.
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "../src/rbf_kernel_impl.hpp"
#include "scoped_env.hpp"
#include "thermex/context.hpp"
#include "thermex/math/philox.hpp"
#include "thermex/rbf_kernel.hpp"

namespace thermex {
namespace {

using testing_support::ScopedEnv;

std::vector<double> uniform(std::uint64_t id, std::size_t count, double lo, double hi) {
  math::PhiloxStream rng(7001, math::RngPurpose::kTest, id);
  std::vector<double> a(count);
  for (double& v : a) v = lo + (hi - lo) * rng.uniform();
  return a;
}

Context cpu_context(int threads) {
  ContextOptions o;
  o.device = DeviceRequest::kCpu;
  o.threads = threads;
  return Context::create(o);
}

struct Case {
  std::size_t n, m, d;
};

// Shapes around the tile edges: one row, a partial row tile (48 rows), several row tiles, a
// column count below 8 (all scalar tail), one partial column tile and several column tiles
// (512 columns) with an 8-lane tail.
const Case kCases[] = {{1, 1, 1},    {3, 5, 2},       {47, 9, 3},    {48, 16, 15},
                       {97, 513, 7}, {130, 1030, 16}, {200, 1024, 4}};

std::vector<double> weighted(const Context& ctx, const std::vector<double>& x, std::size_t n,
                             const std::vector<double>& z, std::size_t m, std::size_t d,
                             double gamma, const std::vector<double>& w) {
  std::vector<double> out(n, -1.0);
  cpu::rbf_kernel_weighted_sum(ctx, x, n, z, m, d, gamma, w, out);
  return out;
}

TEST(RbfWeightedSum, EqualsKernelMatrixTimesWeightsForEveryVariant) {
  for (const char* isa : {"baseline", "avx2", "avx512"}) {
    if (std::string(isa) == "avx2" && !__builtin_cpu_supports("avx2")) continue;
    if (std::string(isa) == "avx512" && !__builtin_cpu_supports("avx512f")) continue;
    const ScopedEnv env("THERMEX_CPU_ISA", isa);
    const Context ctx = cpu_context(2);
    for (std::size_t c = 0; c < std::size(kCases); ++c) {
      const auto [n, m, d] = kCases[c];
      const auto x = uniform(3 * c, n * d, -1.0, 1.0);
      const auto z = uniform(3 * c + 1, m * d, -1.0, 1.0);
      const auto w = uniform(3 * c + 2, m, -2.0, 2.0);
      const double gamma = 1.0 / static_cast<double>(d);
      const std::vector<double> k = rbf_kernel_matrix(ctx, x, n, z, m, d, gamma);
      const std::vector<double> got = weighted(ctx, x, n, z, m, d, gamma, w);
      for (std::size_t i = 0; i < n; ++i) {
        double ref = 0.0, scale = 0.0;
        for (std::size_t j = 0; j < m; ++j) {
          ref += w[j] * k[i * m + j];
          scale += std::fabs(w[j] * k[i * m + j]);
        }
        // Same K values, another summation order: within a few ulps of sum |w K| per term.
        EXPECT_NEAR(got[i], ref, 4e-16 * static_cast<double>(m) * scale + 1e-300)
            << isa << " case " << c << " row " << i;
      }
    }
  }
}

TEST(RbfWeightedSum, SameBytesForAnyThreadCountAndRowSplit) {
  const std::size_t n = 150, m = 700, d = 6;
  const auto x = uniform(100, n * d, -1.5, 1.5);
  const auto z = uniform(101, m * d, -1.5, 1.5);
  const auto w = uniform(102, m, -1.0, 1.0);
  const double gamma = 0.3;
  const std::vector<double> one = weighted(cpu_context(1), x, n, z, m, d, gamma, w);
  const std::vector<double> two = weighted(cpu_context(2), x, n, z, m, d, gamma, w);
  // Rows 0..60 and 61..149 in two calls: row tiles then start at different rows.
  const std::size_t split = 61;
  const std::vector<double> head(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(split * d));
  const std::vector<double> tail(x.begin() + static_cast<std::ptrdiff_t>(split * d), x.end());
  std::vector<double> parts = weighted(cpu_context(2), head, split, z, m, d, gamma, w);
  const std::vector<double> rest = weighted(cpu_context(2), tail, n - split, z, m, d, gamma, w);
  parts.insert(parts.end(), rest.begin(), rest.end());
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_EQ(std::memcmp(&one[i], &two[i], sizeof(double)), 0) << "threads, row " << i;
    EXPECT_EQ(std::memcmp(&one[i], &parts[i], sizeof(double)), 0) << "split, row " << i;
    EXPECT_TRUE(std::isfinite(one[i])) << "row " << i;
  }
}

TEST(RbfWeightedSum, NaNWeightPropagates) {
  const std::size_t n = 2, m = 9, d = 2;
  const auto x = uniform(200, n * d, -1.0, 1.0);
  const auto z = uniform(201, m * d, -1.0, 1.0);
  std::vector<double> w(m, 1.0);
  w[8] = std::nan("");  // the scalar tail
  const std::vector<double> got = weighted(cpu_context(1), x, n, z, m, d, 0.5, w);
  for (std::size_t i = 0; i < n; ++i) EXPECT_TRUE(std::isnan(got[i])) << "row " << i;
}

}  // namespace
}  // namespace thermex
