#pragma once
// Synthetic regression data shared by the benchmarks; bench/svr_vs_sklearn.py and
// bench/shap_vs_shap.py generate the same recipe for the peers.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "thermex/math/philox.hpp"

namespace thermex::bench {

/// n rows of d features (row-major) and their targets.
struct RegressionData {
  std::size_t n = 0, d = 0;
  std::vector<double> x, y;
};

/// x_ij ~ U(-1, 1) * (1 + j / 4) + j / 10 (columns of different scale and offset, undone by the
/// standardization); y = 3 tanh(x w / 4) + 0.3 sin(pi x_0 x_1) + 0.1 u with w_j = cos(j + 1)
/// and u ~ U(-sqrt 3, sqrt 3) (unit variance). Draws from PhiloxStream(seed, kTest, id).
inline RegressionData make_regression_data(std::size_t n, std::size_t d, std::uint64_t seed,
                                           std::uint64_t id) {
  constexpr double kPi = 3.14159265358979323846;
  math::PhiloxStream rng(seed, math::RngPurpose::kTest, id);
  RegressionData data{n, d, std::vector<double>(n * d), std::vector<double>(n)};
  for (std::size_t i = 0; i < n; ++i) {
    double dot = 0.0;
    for (std::size_t j = 0; j < d; ++j) {
      const double jd = static_cast<double>(j);
      const double v = (2.0 * rng.uniform() - 1.0) * (1.0 + jd / 4.0) + jd / 10.0;
      data.x[i * d + j] = v;
      dot += v * std::cos(jd + 1.0);
    }
    const double noise = (2.0 * rng.uniform() - 1.0) * std::sqrt(3.0);
    const double x1 = d > 1 ? data.x[i * d + 1] : 0.0;
    data.y[i] = 3.0 * std::tanh(dot / 4.0) + 0.3 * std::sin(kPi * data.x[i * d] * x1) + 0.1 * noise;
  }
  return data;
}

}  // namespace thermex::bench
