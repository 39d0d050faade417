// Feature-significance dynamics: normalization, top-k ranking with ties, trend classification
// (increasing / decreasing / non-monotone, a flat step counts as non-monotone), replica
// confidence, and input validation.
#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "thermex/error.hpp"
#include "thermex/shap.hpp"

namespace thermex {
namespace {

TEST(ShapDynamics, NormalizesRanksAndClassifies) {
  // 3 stages x 4 players. Stage sums 10, 20, 40.
  const std::vector<double> m = {1,  5, 2, 2,   //
                                 4,  8, 4, 4,   //
                                 16, 8, 8, 8};  //
  const ShapDynamics d = shap_dynamics(m, 3, 4, 2);
  const std::vector<double> expected = {0.1, 0.5, 0.2, 0.2, 0.2, 0.4, 0.2, 0.2, 0.4, 0.2, 0.2, 0.2};
  ASSERT_EQ(d.normalized.size(), expected.size());
  for (std::size_t e = 0; e < expected.size(); ++e) {
    EXPECT_NEAR(d.normalized[e], expected[e], 1e-15) << "value " << e;
  }
  EXPECT_EQ(d.top_k, 2u);
  // Stage 0: player 1, then the tie 2 = 3 goes to the lower index.
  EXPECT_EQ(d.top, (std::vector<std::size_t>{1, 2, 1, 0, 0, 1}));
  EXPECT_EQ(d.trend[0], ShapTrend::kIncreasing);
  EXPECT_EQ(d.trend[1], ShapTrend::kDecreasing);
  EXPECT_EQ(d.trend[2], ShapTrend::kNonMonotone);  // flat
  EXPECT_EQ(d.confidence, std::vector<double>(4, 1.0));
  EXPECT_EQ(to_string(d.trend[2]), "non-monotone");
}

TEST(ShapDynamics, ReplicaConfidenceIsTheAgreeingFraction) {
  const std::vector<double> m = {1, 3, 2, 2, 3, 1};  // 3 stages x 2 players: up, down
  // Replica 0 agrees; replica 1 flips both players at the last stage; replica 2 agrees.
  const std::vector<double> reps = {1, 3, 2, 2, 3, 1,  //
                                    1, 3, 2, 2, 1, 3,  //
                                    1, 4, 2, 3, 5, 1};
  const ShapDynamics d = shap_dynamics(m, 3, 2, 5, reps, 3);
  EXPECT_EQ(d.top_k, 2u);
  EXPECT_NEAR(d.confidence[0], 2.0 / 3.0, 1e-15);
  EXPECT_NEAR(d.confidence[1], 2.0 / 3.0, 1e-15);
}

TEST(ShapDynamics, RejectsBadInput) {
  const std::vector<double> ok = {1, 2, 3, 4};
  EXPECT_THROW(shap_dynamics(ok, 1, 4), Error);
  EXPECT_THROW(shap_dynamics(ok, 2, 3), Error);
  EXPECT_THROW(shap_dynamics(std::vector<double>{0, 0, 1, 1}, 2, 2), Error);
  EXPECT_THROW(shap_dynamics(std::vector<double>{1, -1, 1, 1}, 2, 2), Error);
  EXPECT_THROW(
      shap_dynamics(std::vector<double>{1, std::numeric_limits<double>::quiet_NaN(), 1, 1}, 2, 2),
      Error);
  EXPECT_THROW(shap_dynamics(ok, 2, 2, 5, std::vector<double>{1, 2, 3}, 1), Error);
}

}  // namespace
}  // namespace thermex
