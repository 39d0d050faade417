// Validation and the one backend switch of the RBF kernel matrix (STYLE.md section 1).
#include "thermex/rbf_kernel.hpp"

#include <fmt/format.h>

#include <cmath>
#include <functional>
#include <limits>

#include "rbf_kernel_impl.hpp"
#include "thermex/error.hpp"

namespace thermex {
namespace {

constexpr const char* kWhere = "rbf_kernel_matrix";
constexpr double kMaxSquaredNorm = std::numeric_limits<double>::max() / 4.0;

std::size_t checked_product(std::size_t a, std::size_t b, const char* what) {
  if (a != 0 && b > std::numeric_limits<std::size_t>::max() / a) {
    throw Error(fmt::format("{}: {} = {} x {} overflows size_t", kWhere, what, a, b));
  }
  return a * b;
}

// One pass per matrix: every entry finite, and every squared row norm at most DBL_MAX / 4. The
// second check matters because the GEMM expansion ||x||^2 + ||z||^2 - 2 x.z turns an
// overflowing norm (|x| > ~1e154) into inf - inf = NaN, where direct differences would not; with
// both norms <= DBL_MAX / 4, their sum and |2 x.z| <= ||x||^2 + ||z||^2 stay finite.
void expect_finite_rows(std::span<const double> a, std::size_t rows, std::size_t d,
                        const char* name) {
  for (std::size_t i = 0; i < rows; ++i) {
    double norm2 = 0.0;
    for (std::size_t k = 0; k < d; ++k) {
      const double v = a[i * d + k];
      if (!std::isfinite(v)) {
        throw Error(fmt::format("{}: {}[row {}, column {}] is {}; inputs must be finite", kWhere,
                                name, i, k, v));
      }
      norm2 += v * v;
    }
    if (!(norm2 <= kMaxSquaredNorm)) {
      throw Error(fmt::format(
          "{}: squared norm of {} row {} exceeds DBL_MAX / 4 (row lengths up to ~6e153 are "
          "supported); rescale the features",
          kWhere, name, i));
    }
  }
}

bool overlaps(std::span<const double> a, std::span<double> b) {
  if (a.empty() || b.empty()) return false;
  // std::less gives a total order on unrelated pointers, where operator< would not.
  const std::less<const double*> before;
  return before(a.data(), b.data() + b.size()) && before(b.data(), a.data() + a.size());
}

// Checks everything but the output; returns n * m.
std::size_t validate_inputs(std::span<const double> x, std::size_t n, std::span<const double> z,
                            std::size_t m, std::size_t d, double gamma) {
  THERMEX_EXPECTS(d >= 1, fmt::format("{}: need at least one feature column (d = 0)", kWhere));
  THERMEX_EXPECTS(std::isfinite(gamma) && gamma > 0.0,
                  fmt::format("{}: gamma must be finite and > 0, got {}", kWhere, gamma));
  const std::size_t nd = checked_product(n, d, "n * d");
  const std::size_t md = checked_product(m, d, "m * d");
  const std::size_t nm = checked_product(n, m, "n * m");
  THERMEX_EXPECTS(x.size() == nd, fmt::format("{}: x has {} values, expected n * d = {} * {} = {}",
                                              kWhere, x.size(), n, d, nd));
  THERMEX_EXPECTS(z.size() == md, fmt::format("{}: z has {} values, expected m * d = {} * {} = {}",
                                              kWhere, z.size(), m, d, md));
  expect_finite_rows(x, n, d, "x");
  expect_finite_rows(z, m, d, "z");
  return nm;
}

// The one switch on the device; input already validated.
void dispatch(const Context& ctx, std::span<const double> x, std::size_t n,
              std::span<const double> z, std::size_t m, std::size_t d, double gamma,
              std::span<double> out) {
  if (n == 0 || m == 0) return;
  switch (ctx.device()) {
    case Device::kCpu:
      cpu::rbf_kernel_matrix(ctx, x, n, z, m, d, gamma, out);
      return;
    case Device::kCuda:
      cuda::rbf_kernel_matrix(ctx, x, n, z, m, d, gamma, out);
      return;
  }
  throw Error(fmt::format("{}: unknown device", kWhere));
}

}  // namespace

void rbf_kernel_matrix(const Context& ctx, std::span<const double> x, std::size_t n,
                       std::span<const double> z, std::size_t m, std::size_t d, double gamma,
                       std::span<double> out) {
  const std::size_t nm = validate_inputs(x, n, z, m, d, gamma);
  THERMEX_EXPECTS(out.size() == nm,
                  fmt::format("{}: out has {} values, expected n * m = {} * {} = {}", kWhere,
                              out.size(), n, m, nm));
  THERMEX_EXPECTS(!overlaps(x, out) && !overlaps(z, out),
                  fmt::format("{}: out must not overlap x or z", kWhere));
  dispatch(ctx, x, n, z, m, d, gamma, out);
}

std::vector<double> rbf_kernel_matrix(const Context& ctx, std::span<const double> x, std::size_t n,
                                      std::span<const double> z, std::size_t m, std::size_t d,
                                      double gamma) {
  // Validated before allocating, so a bad n * m throws a clear error instead of bad_alloc.
  std::vector<double> out(validate_inputs(x, n, z, m, d, gamma));
  dispatch(ctx, x, n, z, m, d, gamma, out);
  return out;
}

std::vector<double> squared_row_norms(std::span<const double> x, std::size_t n, std::size_t d) {
  THERMEX_EXPECTS(
      x.size() == checked_product(n, d, "n * d"),
      fmt::format("squared_row_norms: x has {} values, expected n * d = {} * {}", x.size(), n, d));
  std::vector<double> norms(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    double sum = 0.0;
    for (std::size_t k = 0; k < d; ++k) sum += x[i * d + k] * x[i * d + k];
    norms[i] = sum;
  }
  return norms;
}

}  // namespace thermex
