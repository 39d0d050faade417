// RBF kernel matrix: the CPU twin against brute force (direct differences), CUDA against the CPU
// twin, input validation, determinism, and the clamp of the GEMM expansion.
#include <gtest/gtest.h>

#include <omp.h>
#include "backend_test_support.hpp"
#include "scoped_env.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "thermex/context.hpp"
#include "thermex/error.hpp"
#include "thermex/math/philox.hpp"
#include "thermex/math/rbf.hpp"
#include "thermex/rbf_kernel.hpp"
#if defined(THERMEX_HAVE_CUDA)
#include "thermex/cuda/check.hpp"
#include "thermex/cuda/device_buffer.hpp"
#include "thermex/cuda/rbf_kernel.hpp"
#include "thermex/cuda/stream.hpp"
#endif

namespace thermex {
namespace {

constexpr std::uint64_t kSeed = 20240611;
constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Tolerance for well-scaled data (entries in [-1, 1], gamma <= 4 / d), CPU vs brute force and
// CUDA vs CPU alike. The GEMM expansion d2 = |x|^2 + |z|^2 - 2 x.z has an absolute error of at
// most ~(d + 2) eps (|x|^2 + |z|^2) (dot-product error bound, Higham sec. 3.1), and an absolute
// error e in d2 is a relative error gamma * e in K = exp(-gamma d2). Here that is at most
// 4/d * (d + 2) * eps * 2d ~ 16 (d + 2) eps = 2.3e-13 at d = 64; typical errors are far smaller.
// CUDA differs from the CPU only in rounding inside the same bound (FMA contraction, cuBLAS's
// summation order), so 1e-12 holds for it too (STYLE.md section 6: header math in double).
constexpr double kRtol = 1e-12;

struct Shape {
  std::size_t n, m, d;
};

std::string describe(const Shape& s, double gamma) {
  return "n=" + std::to_string(s.n) + " m=" + std::to_string(s.m) + " d=" + std::to_string(s.d) +
         " gamma=" + std::to_string(gamma);
}

std::vector<double> uniform_matrix(std::uint64_t id, std::size_t rows, std::size_t d, double lo,
                                   double hi) {
  math::PhiloxStream rng(kSeed, math::RngPurpose::kTest, id);
  std::vector<double> a(rows * d);
  for (double& v : a) v = lo + (hi - lo) * rng.uniform();
  return a;
}

// The textbook definition with direct differences: no cancellation, error ~ d eps relative.
std::vector<double> brute_force(const std::vector<double>& x, std::size_t n,
                                const std::vector<double>& z, std::size_t m, std::size_t d,
                                double gamma) {
  std::vector<double> k(n * m);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < m; ++j) {
      double d2 = 0.0;
      for (std::size_t c = 0; c < d; ++c) {
        const double diff = x[i * d + c] - z[j * d + c];
        d2 += diff * diff;
      }
      k[i * m + j] = std::exp(-gamma * d2);
    }
  }
  return k;
}

// Per-entry relative check |a - e| <= rtol_ij |e|; written so that a NaN in either fails (every
// comparison with NaN is false). Reports the first few failures by (row, column).
void expect_close(const std::vector<double>& actual, const std::vector<double>& expected,
                  std::size_t m, const std::vector<double>& rtol, const std::string& config) {
  ASSERT_EQ(actual.size(), expected.size()) << config;
  int reported = 0;
  for (std::size_t e = 0; e < actual.size(); ++e) {
    const bool ok = std::abs(actual[e] - expected[e]) <= rtol[e] * std::abs(expected[e]);
    if (!ok && reported++ < 8) {
      ADD_FAILURE() << config << ": K[" << e / m << ", " << e % m << "] = " << actual[e]
                    << ", expected " << expected[e] << " (rtol " << rtol[e] << ")";
    }
  }
  EXPECT_EQ(reported, 0) << config << ": mismatching entries";
}

void expect_close(const std::vector<double>& actual, const std::vector<double>& expected,
                  std::size_t m, double rtol, const std::string& config) {
  expect_close(actual, expected, m, std::vector<double>(expected.size(), rtol), config);
}

bool same_bytes(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

Context cpu_context() { return Context::create({.device = DeviceRequest::kCpu, .quiet = true}); }

using testing_support::Backend;
using testing_support::ScopedEnv;

// One body per property, run for {cpu, cuda}. The reference is brute force for the CPU twin and
// the CPU twin for CUDA (STYLE.md section 6).
class RbfKernel : public testing_support::BackendTest {
 protected:
  std::vector<double> reference(const std::vector<double>& x, std::size_t n,
                                const std::vector<double>& z, std::size_t m, std::size_t d,
                                double gamma) const {
    if (GetParam().device == Device::kCpu) return brute_force(x, n, z, m, d, gamma);
    return rbf_kernel_matrix(cpu_context(), x, n, z, m, d, gamma);
  }

  // Runs the backend into a NaN-filled output, so an entry it never writes fails the comparison.
  std::vector<double> run(const std::vector<double>& x, std::size_t n, const std::vector<double>& z,
                          std::size_t m, std::size_t d, double gamma) const {
    std::vector<double> out(n * m, kNaN);
    rbf_kernel_matrix(ctx(), x, n, z, m, d, gamma, out);
    return out;
  }
};

TEST_P(RbfKernel, MatchesReferenceOnFixedAndRandomShapes) {
  // Edge shapes (n, m or d = 1), shapes crossing the CPU's 48-row and 512-column tiles and its
  // 16-column panels, even and odd m (the CUDA epilogue's 16-byte and scalar paths), then random
  // shapes.
  std::vector<Shape> shapes = {{1, 1, 1},   {1, 7, 3},     {9, 1, 5},     {5, 6, 1},
                               {33, 17, 4}, {70, 513, 12}, {64, 258, 64}, {45, 257, 40}};
  math::PhiloxStream shape_rng(kSeed, math::RngPurpose::kTest, 1);
  for (int t = 0; t < 6; ++t) {
    shapes.push_back({1 + shape_rng.below(200), 1 + shape_rng.below(200), 1 + shape_rng.below(64)});
  }
  for (std::size_t s = 0; s < shapes.size(); ++s) {
    const Shape& shape = shapes[s];
    const double gamma = (0.1 + 3.9 * shape_rng.uniform()) / static_cast<double>(shape.d);
    const auto x = uniform_matrix(100 + 2 * s, shape.n, shape.d, -1.0, 1.0);
    const auto z = uniform_matrix(101 + 2 * s, shape.m, shape.d, -1.0, 1.0);
    const auto actual = run(x, shape.n, z, shape.m, shape.d, gamma);
    expect_close(actual, reference(x, shape.n, z, shape.m, shape.d, gamma), shape.m, kRtol,
                 describe(shape, gamma));
    // The allocating overload is the same computation, byte for byte.
    EXPECT_TRUE(
        same_bytes(rbf_kernel_matrix(ctx(), x, shape.n, z, shape.m, shape.d, gamma), actual))
        << describe(shape, gamma);
  }
}

TEST_P(RbfKernel, EmptyInputsGiveEmptyOutput) {
  const auto z = uniform_matrix(3, 4, 2, -1.0, 1.0);
  EXPECT_TRUE(rbf_kernel_matrix(ctx(), {}, 0, z, 4, 2, 0.5).empty());
  EXPECT_TRUE(rbf_kernel_matrix(ctx(), z, 4, {}, 0, 2, 0.5).empty());
  EXPECT_TRUE(rbf_kernel_matrix(ctx(), {}, 0, {}, 0, 2, 0.5).empty());
  std::vector<double> out;
  EXPECT_NO_THROW(rbf_kernel_matrix(ctx(), {}, 0, z, 4, 2, 0.5, out));
}

TEST_P(RbfKernel, RejectsInvalidArguments) {
  const auto x = uniform_matrix(5, 3, 2, -1.0, 1.0);
  const auto z = uniform_matrix(6, 4, 2, -1.0, 1.0);
  EXPECT_THROW((void)rbf_kernel_matrix(ctx(), x, 4, z, 4, 2, 0.5), Error) << "x size";
  EXPECT_THROW((void)rbf_kernel_matrix(ctx(), x, 3, z, 3, 2, 0.5), Error) << "z size";
  EXPECT_THROW((void)rbf_kernel_matrix(ctx(), {}, 0, {}, 0, 0, 0.5), Error) << "d = 0";
  for (const double gamma : {0.0, -1.0, kNaN, kInf}) {
    try {
      (void)rbf_kernel_matrix(ctx(), x, 3, z, 4, 2, gamma);
      ADD_FAILURE() << "gamma " << gamma << " accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("gamma"), std::string::npos) << e.what();
    }
  }
  auto bad_x = x;
  bad_x[1 * 2 + 1] = kNaN;
  try {
    (void)rbf_kernel_matrix(ctx(), bad_x, 3, z, 4, 2, 0.5);
    ADD_FAILURE() << "NaN in x accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("x[row 1, column 1]"), std::string::npos) << e.what();
  }
  auto bad_z = z;
  bad_z[3 * 2] = -kInf;
  EXPECT_THROW((void)rbf_kernel_matrix(ctx(), x, 3, bad_z, 4, 2, 0.5), Error) << "inf in z";
  // Finite entries whose squared norm overflows: the expansion would give inf - inf = NaN.
  const std::vector<double> huge = {1e154, 1e154};
  EXPECT_THROW((void)rbf_kernel_matrix(ctx(), huge, 1, z, 4, 2, 0.5), Error) << "norm overflow";

  std::vector<double> out(3 * 4 + 1);
  EXPECT_THROW(rbf_kernel_matrix(ctx(), x, 3, z, 4, 2, 0.5, out), Error) << "out size";
  std::vector<double> shared(3 * 4 + x.size());
  std::copy(x.begin(), x.end(), shared.begin());
  const std::span<const double> x_in_shared(shared.data(), x.size());
  const std::span<double> out_over_x(shared.data() + 2, 3 * 4);
  EXPECT_THROW(rbf_kernel_matrix(ctx(), x_in_shared, 3, z, 4, 2, 0.5, out_over_x), Error)
      << "out overlaps x";
}

TEST_P(RbfKernel, NearDuplicatePointsStayWithinZeroAndOne) {
  // Entries ~30 make |x|^2 ~ 1e4, so the expansion's rounding (~1e-12 absolute) exceeds the
  // true squared distance of duplicates (0) and near-duplicates (~1e-16): without the clamp in
  // math::rbf_from_sqdist some K_ij come out above 1.
  constexpr std::size_t kN = 40;
  constexpr std::size_t kD = 16;
  const double gamma = 1.0 / static_cast<double>(kD);
  const auto x = uniform_matrix(7, kN, kD, -30.0, 30.0);
  auto z = x;
  const auto jitter = uniform_matrix(8, kN, kD, -1e-8, 1e-8);
  for (std::size_t e = kD * kN / 2; e < z.size(); ++e) z[e] += jitter[e];  // half exact copies
  const auto k = run(x, kN, z, kN, kD, gamma);
  const auto norms = squared_row_norms(x, kN, kD);
  for (std::size_t i = 0; i < kN; ++i) {
    for (std::size_t j = 0; j < kN; ++j) {
      const double v = k[i * kN + j];
      EXPECT_TRUE(v >= 0.0 && v <= 1.0) << "K[" << i << ", " << j << "] = " << v;
    }
    // The diagonal is 1 up to the expansion's error, gamma (d + 2) eps 2 |x_i|^2 (see kRtol).
    const double bound = gamma * static_cast<double>(kD + 2) * kEps * 4.0 * norms[i];
    EXPECT_NEAR(k[i * kN + i], 1.0, bound) << "K[" << i << ", " << i << "]";
  }
}

TEST_P(RbfKernel, FarFromOriginWithinTheExpansionBound) {
  // Points at 1e3 + U(-1, 1): |x|^2 ~ d 1e6 while d2 ~ d. rtol 1e-12 is NOT attainable here:
  // the expansion's cancellation costs up to gamma (d + 2) eps (|x_i|^2 + |z_j|^2) relative to
  // K_ij, ~4e-9 at d = 8 (measured: ~1e-9). We check that bound per entry (times 4 for slack, and
  // times 2 for CUDA vs CPU, which both carry it); brute force has no such error. NaN still
  // fails: the comparison in expect_close is false for NaN.
  const Shape shape{30, 21, 8};
  const double gamma = 1.0 / static_cast<double>(shape.d);
  const auto x = uniform_matrix(9, shape.n, shape.d, 999.0, 1001.0);
  const auto z = uniform_matrix(10, shape.m, shape.d, 999.0, 1001.0);
  const auto nx = squared_row_norms(x, shape.n, shape.d);
  const auto nz = squared_row_norms(z, shape.m, shape.d);
  const double backends = GetParam().device == Device::kCpu ? 1.0 : 2.0;
  std::vector<double> rtol(shape.n * shape.m);
  for (std::size_t i = 0; i < shape.n; ++i) {
    for (std::size_t j = 0; j < shape.m; ++j) {
      rtol[i * shape.m + j] = kRtol + backends * 4.0 * gamma * static_cast<double>(shape.d + 2) *
                                          kEps * (nx[i] + nz[j]);
    }
  }
  expect_close(run(x, shape.n, z, shape.m, shape.d, gamma),
               reference(x, shape.n, z, shape.m, shape.d, gamma), shape.m, rtol,
               describe(shape, gamma) + " far from origin");
}

TEST_P(RbfKernel, SameBytesForAnyThreadCountAndRun) {
  // 100 x 1100 spans 4 row tiles and 3 column tiles of the CPU twin.
  const Shape shape{100, 1100, 24};
  const double gamma = 0.05;
  const auto x = uniform_matrix(11, shape.n, shape.d, -1.0, 1.0);
  const auto z = uniform_matrix(12, shape.m, shape.d, -1.0, 1.0);
  const auto first = run(x, shape.n, z, shape.m, shape.d, gamma);
  EXPECT_TRUE(same_bytes(run(x, shape.n, z, shape.m, shape.d, gamma), first)) << "second run";
  if (GetParam().device != Device::kCpu) return;
  // Context::create sets the process-wide OpenMP default; restore it for the other tests.
  const int saved = omp_get_max_threads();
  for (const int threads : {1, 2, 3}) {
    const auto ctx = Context::create({.device = DeviceRequest::kCpu, .threads = threads});
    std::vector<double> out(shape.n * shape.m, kNaN);
    rbf_kernel_matrix(ctx, x, shape.n, z, shape.m, shape.d, gamma, out);
    EXPECT_TRUE(same_bytes(out, first)) << threads << " threads";
  }
  omp_set_num_threads(saved);
}

INSTANTIATE_TEST_SUITE_P(Backends, RbfKernel, testing_support::both_backends(),
                         testing_support::backend_name);

TEST(RbfKernelCpu, EveryInstructionSetVariantMatchesBruteForceAndIsDeterministic) {
  // The CPU twin's variants (src/cpu/rbf_kernel_cpu.cpp: baseline SSE2, avx2 = AVX2 + FMA,
  // avx512 = AVX-512), forced through THERMEX_CPU_ISA, so a machine with AVX-512 tests all
  // three. Shapes leave partial micro-tiles (12 and 2 rows), 16-column panels and 48 x 512 tiles.
  // Within a variant every entry is the same sequential sum over the features, so the bytes do
  // not depend on the thread count nor on which rows are computed together.
  const std::vector<Shape> shapes = {
      {1, 1, 1}, {13, 17, 3}, {49, 529, 16}, {97, 1030, 64}, {25, 15, 7}};
  const int saved = omp_get_max_threads();
  int variants_run = 0;
  for (const char* isa : {"baseline", "avx2", "avx512"}) {
    const ScopedEnv env("THERMEX_CPU_ISA", isa);
    bool supported = true;
    for (std::size_t s = 0; s < shapes.size() && supported; ++s) {
      const Shape& shape = shapes[s];
      const double gamma = 2.0 / static_cast<double>(shape.d);
      const auto x = uniform_matrix(300 + 2 * s, shape.n, shape.d, -1.0, 1.0);
      const auto z = uniform_matrix(301 + 2 * s, shape.m, shape.d, -1.0, 1.0);
      std::vector<double> first;
      try {
        first = rbf_kernel_matrix(cpu_context(), x, shape.n, z, shape.m, shape.d, gamma);
      } catch (const ConfigError& e) {
        // Only the vector variants may be missing (another CPU, or not x86-64).
        EXPECT_NE(std::string(isa), "baseline") << e.what();
        supported = false;
        break;
      }
      const std::string config = describe(shape, gamma) + " isa=" + isa;
      expect_close(first, brute_force(x, shape.n, z, shape.m, shape.d, gamma), shape.m, kRtol,
                   config);
      // A 1 x m call (SVR's kernel-row cache) gives the very bytes of the full matrix's row.
      for (const std::size_t i : {std::size_t{0}, shape.n / 2, shape.n - 1}) {
        const std::span<const double> xi(x.data() + i * shape.d, shape.d);
        const auto row = rbf_kernel_matrix(cpu_context(), xi, 1, z, shape.m, shape.d, gamma);
        const std::vector<double> expected(
            first.begin() + static_cast<std::ptrdiff_t>(i * shape.m),
            first.begin() + static_cast<std::ptrdiff_t>((i + 1) * shape.m));
        EXPECT_TRUE(same_bytes(row, expected)) << config << ", row " << i << " alone";
      }
      for (const int threads : {2, 3}) {
        const auto ctx = Context::create({.device = DeviceRequest::kCpu, .threads = threads});
        std::vector<double> out(shape.n * shape.m, kNaN);
        rbf_kernel_matrix(ctx, x, shape.n, z, shape.m, shape.d, gamma, out);
        EXPECT_TRUE(same_bytes(out, first)) << config << ", " << threads << " threads";
      }
    }
    variants_run += supported ? 1 : 0;
  }
  omp_set_num_threads(saved);
  EXPECT_GE(variants_run, 1);
  const ScopedEnv env("THERMEX_CPU_ISA", "avx9000");
  const std::vector<double> one = {0.5};
  EXPECT_THROW((void)rbf_kernel_matrix(cpu_context(), one, 1, one, 1, 1, 1.0), ConfigError);
}

TEST(RbfKernelMath, ClampsAndPropagatesNaN) {
  EXPECT_EQ(math::rbf_from_sqdist(0.0, 3.0), 1.0);
  EXPECT_EQ(math::rbf_from_sqdist(-1e-13, 3.0), 1.0) << "negative d2 from cancellation";
  EXPECT_DOUBLE_EQ(math::rbf_from_sqdist(2.0, 0.25), std::exp(-0.5));
  EXPECT_EQ(math::rbf_from_sqdist(kInf, 1.0), 0.0);
  EXPECT_TRUE(std::isnan(math::rbf_from_sqdist(kNaN, 1.0))) << "NaN must not become K = 1";
  // |x|^2 = 5, |z|^2 = 2, x.z = 3: d2 = 1.
  EXPECT_DOUBLE_EQ(math::rbf_from_norms_and_dot(5.0, 2.0, 3.0, 0.5), std::exp(-0.5));
}

TEST(RbfKernelMath, SquaredRowNorms) {
  const std::vector<double> x = {3.0, 4.0, -1.0, 0.5, 0.0, 0.0};
  const auto norms = squared_row_norms(x, 3, 2);
  ASSERT_EQ(norms.size(), 3u);
  EXPECT_EQ(norms[0], 25.0);
  EXPECT_EQ(norms[1], 1.25);
  EXPECT_EQ(norms[2], 0.0);
  EXPECT_TRUE(squared_row_norms({}, 0, 4).empty());
  EXPECT_THROW((void)squared_row_norms(x, 4, 2), Error);
}

#if defined(THERMEX_HAVE_CUDA)
// Error names are looked up without a driver, so this runs on every CUDA build.
TEST(CudaCheck, ThrowsCudaErrorWithCallFileAndName) {
  try {
    THERMEX_CUDA_CHECK(cudaErrorInvalidValue);
    ADD_FAILURE() << "no throw";
  } catch (const CudaError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("cudaErrorInvalidValue"), std::string::npos) << what;
    EXPECT_NE(what.find("test_rbf_kernel.cpp"), std::string::npos) << what;
  }
  try {
    THERMEX_CUDA_CHECK(CUBLAS_STATUS_NOT_INITIALIZED);
    ADD_FAILURE() << "no throw";
  } catch (const CudaError& e) {
    EXPECT_NE(std::string(e.what()).find("CUBLAS_STATUS_NOT_INITIALIZED"), std::string::npos)
        << e.what();
  }
  EXPECT_NO_THROW(THERMEX_CUDA_CHECK(cudaSuccess));
  EXPECT_NO_THROW(THERMEX_CUDA_CHECK(CUBLAS_STATUS_SUCCESS));
}

TEST(CudaRaiiGpu, StreamAndBufferRoundTrip) {
  if (cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device";
  cuda::Stream stream;
  ASSERT_NE(stream.get(), nullptr);
  const std::vector<double> host = {1.5, -2.0, 3.25};
  cuda::DeviceBuffer<double> buffer(host.size(), stream.get());
  buffer.copy_from_host(host);
  cuda::DeviceBuffer<double> moved = std::move(buffer);
  EXPECT_TRUE(buffer.empty());  // NOLINT(bugprone-use-after-move): moved-from state is specified
  EXPECT_EQ(buffer.data(), nullptr);
  std::vector<double> back(host.size(), kNaN);
  moved.copy_to_host(back);
  EXPECT_EQ(back, host);
  cuda::Stream other = std::move(stream);
  EXPECT_EQ(stream.get(), nullptr);
  EXPECT_NO_THROW(other.synchronize());
}

// The device-resident entry point, which the SVR tiles use, into a NaN-filled device buffer: a
// 16-byte aligned output (vectorized epilogue) and one shifted by a double (scalar epilogue).
// One extra NaN slot after K must survive, proving nothing is written past n * m.
TEST(RbfKernelGpu, DeviceEntryWritesEveryEntryAndNothingElse) {
  if (cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device";
  const auto ctx = Context::create({.device = DeviceRequest::kCuda, .quiet = true});
  const Shape shape{37, 130, 20};
  const double gamma = 0.07;
  const auto x = uniform_matrix(13, shape.n, shape.d, -1.0, 1.0);
  const auto z = uniform_matrix(14, shape.m, shape.d, -1.0, 1.0);
  const auto expected = rbf_kernel_matrix(cpu_context(), x, shape.n, z, shape.m, shape.d, gamma);
  const auto stream = static_cast<cudaStream_t>(ctx.cuda_stream());
  cuda::DeviceBuffer<double> x_dev(x.size(), stream);
  cuda::DeviceBuffer<double> z_dev(z.size(), stream);
  x_dev.copy_from_host(x);
  z_dev.copy_from_host(z);
  for (const std::size_t shift : {std::size_t{0}, std::size_t{1}}) {
    const std::size_t nm = shape.n * shape.m;
    cuda::DeviceBuffer<double> k_dev(nm + 1 + shift, stream);
    k_dev.fill_bytes(0xFF);  // every double becomes a NaN
    cuda::rbf_kernel_matrix_device(ctx, x_dev.data(), shape.n, z_dev.data(), shape.m, shape.d,
                                   gamma, k_dev.data() + shift);
    std::vector<double> all(k_dev.size());
    k_dev.copy_to_host(all);
    const std::vector<double> k(all.begin() + static_cast<std::ptrdiff_t>(shift),
                                all.begin() + static_cast<std::ptrdiff_t>(shift + nm));
    expect_close(k, expected, shape.m, kRtol,
                 describe(shape, gamma) + " shift " + std::to_string(shift));
    EXPECT_TRUE(std::isnan(all.back())) << "written past n * m, shift " << shift;
  }
}

TEST(RbfKernelGpu, DeviceNormsMatchHostNorms) {
  if (cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device";
  const auto ctx = Context::create({.device = DeviceRequest::kCuda, .quiet = true});
  // d = 70 > 32: each lane sums several columns before the shuffle tree.
  constexpr std::size_t kN = 300;
  constexpr std::size_t kD = 70;
  const auto x = uniform_matrix(15, kN, kD, -2.0, 2.0);
  const auto stream = static_cast<cudaStream_t>(ctx.cuda_stream());
  cuda::DeviceBuffer<double> x_dev(x.size(), stream);
  cuda::DeviceBuffer<double> norms_dev(kN, stream);
  x_dev.copy_from_host(x);
  norms_dev.fill_bytes(0xFF);
  cuda::launch_squared_row_norms(ctx, x_dev.data(), kN, kD, norms_dev.data());
  std::vector<double> norms(kN);
  norms_dev.copy_to_host(norms);
  // Sums of non-negative terms in a different order: relative error <= d eps.
  expect_close(norms, squared_row_norms(x, kN, kD), 1, kRtol, "norms");
  EXPECT_THROW(norms_dev.copy_to_host(std::span<double>(norms.data(), kN - 1)), Error);
}
#endif

}  // namespace
}  // namespace thermex
