#pragma once
// Shared helpers of the SVR tests: reading the scikit-learn fixtures of tests/data/svr/ (made by
// tools/peers/make_svr_fixtures.py) and small synthetic problems drawn with Philox.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "thermex/csv.hpp"
#include "thermex/math/philox.hpp"
#include "thermex/svr.hpp"

namespace thermex::testing {

/// One fixture problem: data (all rows; the first n_train are the training rows), sklearn's
/// parameters and results.
struct SvrFixture {
  std::string name;
  std::size_t n = 0, d = 0, n_train = 0;
  std::vector<double> x;  ///< n x d row-major
  std::vector<double> y;
  std::map<std::string, std::string> params;
  std::map<std::string, std::vector<double>> pred;  ///< column name -> n predictions
  SvrSpec spec;

  double param(const std::string& key) const { return std::stod(params.at(key)); }
  std::vector<double> train_x() const {
    return std::vector<double>(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(n_train * d));
  }
  std::vector<double> train_y() const {
    return std::vector<double>(y.begin(), y.begin() + static_cast<std::ptrdiff_t>(n_train));
  }
};

inline std::string svr_fixture_path(const std::string& file) {
  return std::string(THERMEX_SOURCE_DIR) + "/tests/data/svr/" + file;
}

inline SvrFixture load_svr_fixture(const std::string& name) {
  SvrFixture f;
  f.name = name;
  const CsvTable data = read_csv_file(svr_fixture_path(name + "_data.csv"));
  f.d = data.header.size() - 2;  // features, then y, is_train
  f.n = data.rows.size();
  for (const auto& row : data.rows) {
    for (std::size_t k = 0; k < f.d; ++k) f.x.push_back(std::stod(row[k]));
    f.y.push_back(std::stod(row[f.d]));
  }
  for (const auto& row : read_csv_file(svr_fixture_path(name + "_params.csv")).rows) {
    f.params[row[0]] = row[1];
  }
  const CsvTable pred = read_csv_file(svr_fixture_path(name + "_pred.csv"));
  for (std::size_t c = 0; c < pred.header.size(); ++c) {
    for (const auto& row : pred.rows) f.pred[pred.header[c]].push_back(std::stod(row[c]));
  }
  f.n_train = static_cast<std::size_t>(f.param("n_train"));
  f.spec.c = f.param("C");
  f.spec.epsilon = f.param("epsilon");
  f.spec.gamma = parse_svr_gamma(f.params.at("gamma"));
  f.spec.standardize = f.param("standardize") != 0.0;
  f.spec.log10_target = f.param("log10_target") != 0.0;
  return f;
}

/// Population standard deviation.
inline double population_std(const std::vector<double>& v) {
  double mean = 0.0;
  for (double a : v) mean += a;
  mean /= static_cast<double>(v.size());
  double ss = 0.0;
  for (double a : v) ss += (a - mean) * (a - mean);
  return std::sqrt(ss / static_cast<double>(v.size()));
}

/// A smooth synthetic regression problem: x uniform in [-2, 2]^d, y = sin(x0) + 0.5 x1^2 / d
/// + noise, drawn from Philox stream `id`.
inline void synthetic_svr_problem(std::uint64_t id, std::size_t n, std::size_t d,
                                  std::vector<double>& x, std::vector<double>& y) {
  math::PhiloxStream rng(20261125, math::RngPurpose::kTest, id);
  x.resize(n * d);
  y.resize(n);
  for (double& v : x) v = -2.0 + 4.0 * rng.uniform();
  for (std::size_t i = 0; i < n; ++i) {
    const double x1 = d > 1 ? x[i * d + 1] : 0.0;
    y[i] =
        std::sin(x[i * d]) + 0.5 * x1 * x1 / static_cast<double>(d) + 0.1 * (rng.uniform() - 0.5);
  }
}

}  // namespace thermex::testing
