// The THERMEX_HD composition featurizer against hand-computed statistics. Tolerance 1e-12
// (STYLE.md section 6: header math in double) unless a value is quoted to fewer digits.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "thermex/composition.hpp"
#include "thermex/elements.hpp"
#include "thermex/features.hpp"
#include "thermex/math/featurize.hpp"

namespace thermex {
namespace {

using math::kCompositionFeatureCount;
using math::kSiteStatCount;

constexpr double kTol = 1e-12;

void expect_stats(const double* got, const double (&want)[kSiteStatCount], const char* what) {
  for (int s = 0; s < kSiteStatCount; ++s) {
    EXPECT_FALSE(std::isnan(got[s])) << what << " stat " << s;
    EXPECT_NEAR(got[s], want[s], kTol) << what << " stat " << s;
  }
}

std::vector<double> features_of(const char* formula, OxidationConvention conv) {
  return composition_features(parse_formula(formula), conv);
}

TEST(FeaturizeMath, Ncm811ChargedByHand) {
  const auto f = features_of("LiNi0.8Co0.1Mn0.1O2", OxidationConvention::kCharged);
  ASSERT_EQ(f.size(), static_cast<std::size_t>(kCompositionFeatureCount));
  EXPECT_NEAR(f[math::kFeatNi], 0.8, kTol);
  EXPECT_NEAR(f[math::kFeatCo], 0.1, kTol);
  EXPECT_NEAR(f[math::kFeatMn], 0.1, kTol);
  EXPECT_EQ(f[math::kFeatAl], 0.0);
  EXPECT_EQ(f[math::kFeatLi], 1.0);
  // Radii Ni4+ 0.48, Co4+ 0.53, Mn4+ 0.53 with weights 0.8, 0.1, 0.1:
  //  wmean = 0.8*0.48 + 0.1*0.53 + 0.1*0.53 = 0.49
  //  wstd  = sqrt(0.8*(-0.01)^2 + 0.1*0.04^2 + 0.1*0.04^2) = sqrt(0.0004) = 0.02
  //  mean  = 1.54/3; deviations -1/30, 1/60, 1/60 -> var = (1/900 + 2/3600)/3 = 1/1800
  const double radius[kSiteStatCount] = {0.49, 0.02, 1.54 / 3, std::sqrt(1.0 / 1800),
                                         0.48, 0.53, 0.05};
  expect_stats(f.data() + math::kFeatRadiusFirst, radius, "radius");
  // EN Ni 1.91, Co 1.88, Mn 1.55: wmean = 1.528 + 0.188 + 0.155 = 1.871;
  //  wvar = 0.8*0.039^2 + 0.1*0.009^2 + 0.1*0.321^2 = 0.0012168 + 0.0000081 + 0.0103041
  //  mean = 1.78; var = (0.13^2 + 0.1^2 + 0.23^2)/3 = 0.0798/3
  const double en[kSiteStatCount] = {
      1.871, std::sqrt(0.011529), 1.78, std::sqrt(0.0798 / 3), 1.55, 1.91, 0.36};
  expect_stats(f.data() + math::kFeatEnFirst, en, "en");
  // phi = 4/r: Ni 8.3333.., Co = Mn = 7.5471..; two distinct values a (w 0.8) and b (w 0.2):
  //  wmean = 0.8a + 0.2b, wstd = sqrt(0.8*0.2)*|a - b| = 0.4|a - b|
  //  mean = (a + 2b)/3, std = sqrt(2)/3 |a - b|
  const double a = 4 / 0.48, b = 4 / 0.53;
  const double phi[kSiteStatCount] = {
      0.8 * a + 0.2 * b, 0.4 * (a - b), (a + 2 * b) / 3, std::sqrt(2.0) / 3 * (a - b), b, a, a - b};
  expect_stats(f.data() + math::kFeatPhiFirst, phi, "phi");
}

TEST(FeaturizeMath, LcoSingleElementHasZeroSpread) {
  const auto f = features_of("LiCoO2", OxidationConvention::kCharged);
  EXPECT_EQ(f[math::kFeatCo], 1.0);
  EXPECT_EQ(f[math::kFeatNi], 0.0);
  const double radius[kSiteStatCount] = {0.53, 0.0, 0.53, 0.0, 0.53, 0.53, 0.0};
  expect_stats(f.data() + math::kFeatRadiusFirst, radius, "radius");
  // Exactly zero, not merely small: two-pass statistics on one value.
  EXPECT_EQ(f[math::kFeatRadiusFirst + math::kStatWstd], 0.0);
  EXPECT_EQ(f[math::kFeatEnFirst + math::kStatStd], 0.0);
  const auto pristine = features_of("LiCoO2", OxidationConvention::kPristine);
  EXPECT_NEAR(pristine[math::kFeatRadiusFirst], 0.545, kTol);  // Co3+ LS
  EXPECT_NEAR(pristine[math::kFeatPhiFirst], 3 / 0.545, kTol);
}

TEST(FeaturizeMath, NcaCharged) {
  const auto f = features_of("Li[Ni0.8Co0.15Al0.05]O2", OxidationConvention::kCharged);
  EXPECT_NEAR(f[math::kFeatAl], 0.05, kTol);
  // 0.8*0.48 + 0.15*0.53 + 0.05*0.535 = 0.384 + 0.0795 + 0.02675
  const double wmean = 0.49025;
  const double wvar = 0.8 * std::pow(0.48 - wmean, 2) + 0.15 * std::pow(0.53 - wmean, 2) +
                      0.05 * std::pow(0.535 - wmean, 2);
  const double mean = (0.48 + 0.53 + 0.535) / 3;
  const double var =
      (std::pow(0.48 - mean, 2) + std::pow(0.53 - mean, 2) + std::pow(0.535 - mean, 2)) / 3;
  const double radius[kSiteStatCount] = {wmean, std::sqrt(wvar), mean, std::sqrt(var),
                                         0.48,  0.535,           0.055};
  expect_stats(f.data() + math::kFeatRadiusFirst, radius, "radius");
  // Al3+: phi = 3/0.535 is the minimum of the three ionic potentials.
  EXPECT_NEAR(f[math::kFeatPhiFirst + math::kStatMin], 3 / 0.535, kTol);
}

TEST(FeaturizeMath, LiRichUsesNormalisedWeightsAndRawContents) {
  const auto f = features_of("Li1.2Ni0.13Co0.13Mn0.54O2", OxidationConvention::kCharged);
  // Contents are per formula unit (raw amounts), weights are the normalised site fractions
  // 0.1625, 0.1625, 0.675.
  EXPECT_NEAR(f[math::kFeatNi], 0.13, kTol);
  EXPECT_NEAR(f[math::kFeatCo], 0.13, kTol);
  EXPECT_NEAR(f[math::kFeatMn], 0.54, kTol);
  EXPECT_NEAR(f[math::kFeatLi], 1.2, kTol);
  // 0.1625*0.48 + 0.1625*0.53 + 0.675*0.53 = 0.078 + 0.086125 + 0.35775
  EXPECT_NEAR(f[math::kFeatRadiusFirst + math::kStatWmean], 0.521875, kTol);
  // Two distinct radii 0.48 (w 0.1625) and 0.53 (w 0.8375): wstd = sqrt(w(1-w)) * 0.05.
  EXPECT_NEAR(f[math::kFeatRadiusFirst + math::kStatWstd], std::sqrt(0.1625 * 0.8375) * 0.05, kTol);
}

TEST(FeaturizeMath, DirectCallWithHandMadeProperties) {
  // Independent of the element tables: three slots with properties 1, 2, 4 and weights
  // 0.5, 0.25, 0.25 given unnormalised (sum 2) to check the weight normalisation.
  math::SiteComposition c;
  c.count = 3;
  c.li = 0.9;
  c.site_total = 1.0;
  c.z[0] = 28;
  c.z[1] = 13;
  c.z[2] = 22;
  c.fraction[0] = 1.0;
  c.fraction[1] = 0.5;
  c.fraction[2] = 0.5;
  const double prop[] = {1.0, 2.0, 4.0};
  double out[kSiteStatCount];
  math::site_property_stats(c, prop, out);
  // wmean = 0.5*1 + 0.25*2 + 0.25*4 = 2; wvar = 0.5*1 + 0.25*0 + 0.25*4 = 1.5
  // mean = 7/3; var = ((4/3)^2 + (1/3)^2 + (5/3)^2)/3 = 42/27
  const double want[kSiteStatCount] = {2.0, std::sqrt(1.5), 7.0 / 3, std::sqrt(42.0 / 27), 1.0, 4.0,
                                       3.0};
  expect_stats(out, want, "direct");

  math::SiteProperties p;
  for (int k = 0; k < 3; ++k) p.en[k] = p.radius_A[k] = p.phi_per_A[k] = prop[k];
  double all[kCompositionFeatureCount];
  math::featurize_site(c, p, all);
  EXPECT_EQ(all[math::kFeatNi], 1.0);  // fraction x site_total, as stored
  EXPECT_EQ(all[math::kFeatAl], 0.5);
  EXPECT_EQ(all[math::kFeatCo], 0.0);
  EXPECT_EQ(all[math::kFeatLi], 0.9);
  for (int s = 0; s < kSiteStatCount; ++s) {
    EXPECT_EQ(all[math::kFeatEnFirst + s], out[s]) << "stat " << s;
    EXPECT_EQ(all[math::kFeatRadiusFirst + s], out[s]) << "stat " << s;
    EXPECT_EQ(all[math::kFeatPhiFirst + s], out[s]) << "stat " << s;
  }
}

TEST(FeaturizeMath, EmptySiteGivesNan) {
  math::SiteComposition c;
  c.count = 0;
  const double prop[1] = {1.0};
  double out[kSiteStatCount];
  math::site_property_stats(c, prop, out);
  for (int s = 0; s < kSiteStatCount; ++s) EXPECT_TRUE(std::isnan(out[s])) << "stat " << s;
}

TEST(FeaturizeMath, ColumnNamesFollowFeatureOrder) {
  const auto names = composition_column_names();
  ASSERT_EQ(names.size(), static_cast<std::size_t>(kCompositionFeatureCount));
  EXPECT_EQ(names[math::kFeatNi], "ni");
  EXPECT_EQ(names[math::kFeatLi], "li");
  EXPECT_EQ(names[math::kFeatEnFirst + math::kStatWmean], "en_tm_wmean");
  EXPECT_EQ(names[math::kFeatRadiusFirst + math::kStatWstd], "radius_tm_wstd");
  EXPECT_EQ(names[math::kFeatRadiusFirst + math::kStatStd], "radius_tm_std");
  EXPECT_EQ(names[math::kFeatPhiFirst + math::kStatRange], "phi_tm_range");
}

}  // namespace
}  // namespace thermex
