#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "thermex/math/philox.hpp"

namespace thermex::math {
namespace {

// Known-answer vectors of Random123 (tests/kat_vectors, "philox4x32 10").
TEST(Philox, KnownAnswerZero) {
  const auto out = philox4x32_10({{0, 0, 0, 0}}, 0, 0);
  EXPECT_EQ(out.v[0], 0x6627e8d5u);
  EXPECT_EQ(out.v[1], 0xe169c58du);
  EXPECT_EQ(out.v[2], 0xbc57ac4cu);
  EXPECT_EQ(out.v[3], 0x9b00dbd8u);
}

TEST(Philox, KnownAnswerOnes) {
  const auto out = philox4x32_10({{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}},
                                 0xffffffffu, 0xffffffffu);
  EXPECT_EQ(out.v[0], 0x408f276du);
  EXPECT_EQ(out.v[1], 0x41c83b0eu);
  EXPECT_EQ(out.v[2], 0xa20bc7c6u);
  EXPECT_EQ(out.v[3], 0x6d5451fdu);
}

TEST(Philox, KnownAnswerPi) {
  const auto out = philox4x32_10({{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}},
                                 0xa4093822u, 0x299f31d0u);
  EXPECT_EQ(out.v[0], 0xd16cfe09u);
  EXPECT_EQ(out.v[1], 0x94fdccebu);
  EXPECT_EQ(out.v[2], 0x5001e420u);
  EXPECT_EQ(out.v[3], 0x24126ea1u);
}

TEST(Philox, StreamsDependOnlyOnSeedPurposeAndId) {
  PhiloxStream a(42, RngPurpose::kShuffle, 7), b(42, RngPurpose::kShuffle, 7);
  PhiloxStream c(42, RngPurpose::kShuffle, 8), d(42, RngPurpose::kBootstrap, 7);
  bool differs_c = false, differs_d = false;
  for (int i = 0; i < 16; ++i) {
    const auto x = a.next_u32();
    EXPECT_EQ(x, b.next_u32()) << "draw " << i;
    differs_c |= (x != c.next_u32());
    differs_d |= (x != d.next_u32());
  }
  EXPECT_TRUE(differs_c);
  EXPECT_TRUE(differs_d);
}

TEST(Philox, UniformIsInRangeWithPlausibleMoments) {
  PhiloxStream s(1, RngPurpose::kTest, 0);
  const int n = 200000;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    const double u = s.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    sum2 += u * u;
  }
  const double mean = sum / n, var = sum2 / n - mean * mean;
  // 5 standard errors: sd(mean) = sqrt(1/12/n) ~ 6.5e-4.
  EXPECT_NEAR(mean, 0.5, 5 * std::sqrt(1.0 / 12 / n));
  EXPECT_NEAR(var, 1.0 / 12, 2e-3);
}

TEST(Philox, BelowIsUnbiasedOverSmallRange) {
  PhiloxStream s(3, RngPurpose::kTest, 1);
  std::vector<int> counts(7, 0);
  const int n = 70000;
  for (int i = 0; i < n; ++i) {
    const auto k = s.below(7);
    ASSERT_LT(k, 7u);
    ++counts[k];
  }
  // Each count ~ Binomial(n, 1/7): sd ~ 92; allow 5 sd.
  for (int k = 0; k < 7; ++k) EXPECT_NEAR(counts[k], n / 7.0, 5 * 92.6) << "value " << k;
}

}  // namespace
}  // namespace thermex::math
