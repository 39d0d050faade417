// featurize_sites on {cpu, cuda} against the single-site host featurizer. CPU: exact (the same
// header function on the same inputs). CUDA: rtol 1e-12 (header math in double; nvcc may
// contract a*b+c into FMA where the host compiler does not).
#include <gtest/gtest.h>

#include "backend_test_support.hpp"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "thermex/composition.hpp"
#include "thermex/elements.hpp"
#include "thermex/features.hpp"
#include "thermex/math/philox.hpp"
#include "thermex/site_featurize.hpp"

namespace thermex {
namespace {

// Random NCM(+Al) compositions on the simplex plus fixed formulas of every family.
std::vector<math::SiteComposition> sample_sites(std::size_t n) {
  std::vector<math::SiteComposition> sites;
  for (const char* f : {"LiCoO2", "LiNi0.8Co0.1Mn0.1O2", "Li1.2Ni0.13Co0.13Mn0.54O2",
                        "Li[Ni0.8Co0.15Al0.05]O2", "LiNi0.9Co0.05Mn0.03Mg0.01Ti0.01O2"}) {
    sites.push_back(parse_formula(f));
  }
  math::PhiloxStream rng(11, math::RngPurpose::kTest, 0);
  while (sites.size() < n) {
    const double a = rng.uniform(), b = rng.uniform(), c = rng.uniform(), al = 0.05 * rng.uniform();
    const double s = (a + b + c) / (1.0 - al);
    const std::string formula = "LiNi" + std::to_string(a / s) + "Co" + std::to_string(b / s) +
                                "Mn" + std::to_string(c / s) + "Al" + std::to_string(al) + "O2";
    sites.push_back(parse_formula(formula));
  }
  return sites;
}

class SiteFeaturize : public testing_support::BackendTest {};

TEST_P(SiteFeaturize, MatchesSingleSiteHostFeaturizer) {
  constexpr auto kWidth = static_cast<std::size_t>(math::kCompositionFeatureCount);
  for (const auto convention : {OxidationConvention::kCharged, OxidationConvention::kPristine}) {
    const auto sites = sample_sites(1000);
    std::vector<math::SiteProperties> props;
    for (const auto& s : sites) props.push_back(resolve_site_properties(s, convention));
    std::vector<double> out(sites.size() * kWidth, std::numeric_limits<double>::quiet_NaN());
    featurize_sites(ctx(), sites, props, out);
    for (std::size_t i = 0; i < sites.size(); ++i) {
      const auto expected = composition_features(sites[i], convention);
      for (std::size_t f = 0; f < kWidth; ++f) {
        const double got = out[i * kWidth + f];
        ASSERT_FALSE(std::isnan(got)) << "site " << i << " feature " << f;
        if (!cuda()) {
          ASSERT_EQ(got, expected[f]) << "site " << i << " feature " << f;
        } else {
          ASSERT_NEAR(got, expected[f], 1e-12 * std::abs(expected[f]) + 1e-15)
              << "site " << i << " feature " << f;
        }
      }
    }
  }
}

TEST_P(SiteFeaturize, ValidatesShapesAndEmptyInput) {
  std::vector<math::SiteComposition> none;
  std::vector<math::SiteProperties> no_props;
  std::vector<double> no_out;
  EXPECT_NO_THROW(featurize_sites(ctx(), none, no_props, no_out));
  const auto sites = sample_sites(6);
  std::vector<math::SiteProperties> props(5);
  std::vector<double> out(6 * math::kCompositionFeatureCount);
  EXPECT_THROW(featurize_sites(ctx(), sites, props, out), Error);
  props.resize(6);
  out.pop_back();
  EXPECT_THROW(featurize_sites(ctx(), sites, props, out), Error);
  std::vector<math::SiteComposition> empty_site(1);
  empty_site[0].count = 0;
  std::vector<double> out1(math::kCompositionFeatureCount);
  EXPECT_THROW(featurize_sites(ctx(), empty_site, std::span(props).first(1), out1), Error);
}

INSTANTIATE_TEST_SUITE_P(Backends, SiteFeaturize, testing_support::both_backends(),
                         testing_support::backend_name);

}  // namespace
}  // namespace thermex
