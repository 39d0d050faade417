// The per-element math of the Monte Carlo SHAP estimators (math/shap_coalition.hpp: masks,
// draws, exponents, per-pair samples) and their round driver (detail::run_mc_rounds: Welford,
// the stop rule), which the CPU and CUDA backends share; tested on the CPU against the original
// draws, hand-walked games and two-pass statistics. The backends themselves are compared in
// tests/test_shap_mc_backends.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "../src/shap_internal.hpp"
#include "test_shap_support.hpp"
#include "thermex/math/philox.hpp"
#include "thermex/math/shap_coalition.hpp"
#include "thermex/shap.hpp"

namespace thermex {
namespace {

using testing::random_rows;
using testing::value_scale;

// ---- the per-element math both backends share ----

TEST(ShapMcMath, MasksAddAndTestPlayers) {
  EXPECT_EQ(math::coalition_words(64) + 1, math::coalition_words(65));
  std::uint64_t mask[2] = {0, 0};
  for (int p : {0, 5, 63, 64, 100}) math::coalition_add(mask, p);
  EXPECT_EQ(mask[1], (std::uint64_t{1} << 0) | (std::uint64_t{1} << 36));
  for (int p = 0; p < 128; ++p) {
    const bool in = p == 0 || p == 5 || p == 63 || p == 64 || p == 100;
    EXPECT_EQ(math::coalition_has(mask, p), in) << "player " << p;
  }
}

// The draws are the CPU estimators' original ones (std::size_t indices, std::swap): exact.
TEST(ShapMcMath, DrawsAreTheOriginalFisherYates) {
  for (int m : {1, 2, 5, 17, 70}) {
    const auto mu = static_cast<std::size_t>(m);
    for (std::uint64_t pair = 0; pair < 20; ++pair) {
      math::PhiloxStream a(3, math::RngPurpose::kShapSample, math::permutation_stream_id(9, pair));
      math::PhiloxStream b(3, math::RngPurpose::kShapSample, (std::uint64_t{9} << 32) | pair);
      std::vector<std::uint32_t> perm(mu);
      math::draw_permutation(a, perm.data(), m);
      std::vector<std::size_t> ref(mu);
      for (std::size_t i = 0; i < mu; ++i) ref[i] = i;
      for (std::size_t i = mu; i > 1; --i) std::swap(ref[i - 1], ref[b.below(i)]);
      for (std::size_t i = 0; i < mu; ++i) {  // ref is a permutation by construction
        EXPECT_EQ(perm[i], ref[i]) << "m = " << m << ", pair " << pair << ", position " << i;
      }
    }
  }
}

TEST(ShapMcMath, KernelCoalitionsFollowTheSizeCdf) {
  const int m = 6;
  const double cdf[] = {0.3, 0.5, 0.6, 0.8, 1.0};
  std::vector<int> size_count(m, 0);
  for (std::uint64_t pair = 0; pair < 4000; ++pair) {
    const std::uint64_t id = math::kernel_stream_id(4, pair);
    EXPECT_EQ(id, (std::uint64_t{4} << 32) | (std::uint64_t{1} << 31) | pair);
    math::PhiloxStream a(5, math::RngPurpose::kShapSample, id), b = a;
    std::uint32_t perm[m];
    std::uint64_t mask = ~std::uint64_t{0};  // overwritten by the draw
    const int size = math::draw_kernel_coalition(a, cdf, m, perm, &mask);
    // Reference: the original byte-array draw.
    const double r = b.uniform();
    int ref_size = 1;
    while (cdf[ref_size - 1] <= r) ++ref_size;
    ASSERT_EQ(size, ref_size) << "pair " << pair;
    std::size_t ref_perm[m] = {0, 1, 2, 3, 4, 5};
    std::uint64_t ref_mask = 0;
    for (int t = 0; t < size; ++t) {
      const auto tu = static_cast<std::size_t>(t);
      std::swap(ref_perm[tu], ref_perm[tu + b.below(static_cast<std::uint64_t>(m - t))]);
      ref_mask |= std::uint64_t{1} << ref_perm[tu];
    }
    EXPECT_EQ(mask, ref_mask) << "pair " << pair;
    EXPECT_EQ(__builtin_popcountll(mask), size) << "pair " << pair;
    ++size_count[static_cast<std::size_t>(size)];
  }
  // Sizes 1 .. 5 with probabilities 0.3, 0.2, 0.1, 0.2, 0.2: each count within 5 sigma.
  const double prob[] = {0.0, 0.3, 0.2, 0.1, 0.2, 0.2};
  EXPECT_EQ(size_count[0], 0);
  for (std::size_t s = 1; s < 6; ++s) {
    const double expected = 4000.0 * prob[s], sigma = std::sqrt(expected * (1.0 - prob[s]));
    EXPECT_NEAR(size_count[s], expected, 5.0 * sigma) << "size " << s;
  }
}

TEST(ShapMcMath, ExponentsSumTheRightSide) {
  const int m = 67;  // two mask words
  const std::vector<double> xd = random_rows(41, 1, 3 * m), bd = random_rows(42, 1, 2 * m);
  std::uint64_t mask[2] = {0, 0};
  for (int p = 0; p < m; p += 3) math::coalition_add(mask, p);
  for (int p = 64; p < m; ++p) math::coalition_add(mask, p);
  double ref_s = 0.0, ref_c = 0.0;  // x strided by 3, b by 2, in player order
  for (std::size_t p = 0; p < static_cast<std::size_t>(m); ++p) {
    const bool in = math::coalition_has(mask, static_cast<int>(p));
    ref_s += in ? xd[3 * p] : bd[2 * p];
    ref_c += in ? bd[2 * p] : xd[3 * p];
  }
  double e_s = 0.0, e_c = 0.0;
  math::coalition_exponent_pair(xd.data(), 3, bd.data(), 2, mask, m, e_s, e_c);
  EXPECT_EQ(e_s, ref_s);
  EXPECT_EQ(e_c, ref_c);
  EXPECT_EQ(math::coalition_exponent(xd.data(), 3, bd.data(), 2, mask, m, false), ref_s);
  EXPECT_EQ(math::coalition_exponent(xd.data(), 3, bd.data(), 2, mask, m, true), ref_c);
}

// Samples from coalition values against marginal contributions walked by hand on a random game.
TEST(ShapMcMath, PairSamplesFromCoalitionValues) {
  const int m = 5;
  const std::vector<double> v = random_rows(43, 1, 32);  // v[S] for every bit set S
  const std::uint32_t perm[m] = {3, 0, 4, 1, 2};
  double prefix[m + 1], suffix[m + 1];
  unsigned set = 0;
  for (int t = 0; t <= m; ++t) {
    prefix[t] = v[set];
    suffix[t] = v[31u & ~set];
    if (t < m) set |= 1u << perm[t];
  }
  double sample[m];
  math::permutation_pair_sample(perm, m, prefix, suffix, sample);
  double fwd[m], rev[m];
  set = 0;
  for (int t = 0; t < m; ++t) {  // forward walk
    fwd[perm[t]] = v[set | (1u << perm[t])] - v[set];
    set |= 1u << perm[t];
  }
  set = 0;
  for (int t = m - 1; t >= 0; --t) {  // reverse walk
    rev[perm[t]] = v[set | (1u << perm[t])] - v[set];
    set |= 1u << perm[t];
  }
  double sum = 0.0;
  for (int p = 0; p < m; ++p) {
    EXPECT_NEAR(sample[p], 0.5 * (fwd[p] + rev[p]), 1e-15) << "player " << p;
    sum += sample[p];
  }
  EXPECT_NEAR(sum, v[31] - v[0], 1e-14);
  // KernelSHAP: t sums to v(all) - v(empty) for any pair (efficiency by construction).
  const std::uint64_t mask = 0b01101;
  const double alpha = 0.21, share = (v[31] - v[0]) / m;
  double b[m], t[m], tsum = 0.0;
  math::kernel_pair_sample(&mask, m, v[13] - v[0], v[18] - v[0], alpha, share, b, t);
  for (int p = 0; p < m; ++p) {
    const double bp = 0.5 * (((mask >> p) & 1u) != 0 ? v[13] - v[0] : v[18] - v[0]);
    EXPECT_EQ(b[p], bp) << "player " << p;
    tsum += t[p];
  }
  EXPECT_NEAR(tsum, v[31] - v[0], 1e-13);
}

// ---- the round driver both estimators and both backends share ----

// Two-pass mean and standard error of samples value(row, j, p), j < pairs.
template <typename Value>
std::pair<double, double> two_pass(const Value& value, std::size_t row, std::size_t p,
                                   std::size_t pairs) {
  double mean = 0.0, ss = 0.0;
  for (std::size_t j = 0; j < pairs; ++j) mean += value(row, j, p);
  mean /= static_cast<double>(pairs);
  for (std::size_t j = 0; j < pairs; ++j) ss += std::pow(value(row, j, p) - mean, 2);
  const auto k = static_cast<double>(pairs);
  return {mean, std::sqrt(ss / (k - 1.0) / k)};
}

TEST(ShapMcDriver, RoundsWelfordAndStopRule) {
  const std::size_t m = 2, rows = 3, max_pairs = 21;
  const double target = 1e-3;
  // Row 0: constant samples (standard error 0: stops at the first check); row 1: small noise
  // (stops at a later check); row 2: far too noisy to reach the target.
  auto value = [](std::size_t row, std::size_t pair, std::size_t p) {
    if (row == 0) return 1.5 + static_cast<double>(p);
    const double noise = std::sin(static_cast<double>(7 * pair + 3 * p + 1));
    return row == 1 ? 0.25 + 4.5e-3 * noise : 100.0 * noise;
  };
  // Reference stop: the first multiple of kShapCheckEvery whose two-pass errors are all within
  // the target, else max_pairs.
  std::vector<std::size_t> used(rows, max_pairs);
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t k = kShapCheckEvery; k <= max_pairs && used[i] == max_pairs;
         k += kShapCheckEvery) {
      if (two_pass(value, i, 0, k).second <= target && two_pass(value, i, 1, k).second <= target) {
        used[i] = k;
      }
    }
  }
  ASSERT_EQ(used[0], 8u);
  ASSERT_GT(used[1], 8u) << "row 1 must outlive the first check";
  ASSERT_LT(used[1], max_pairs) << "row 1 must stop";
  ASSERT_EQ(used[2], max_pairs);
  std::vector<std::pair<std::size_t, std::size_t>> calls;  // (active rows, count)
  auto fill = [&](std::span<const std::size_t> active, std::size_t pair0, std::size_t count,
                  std::span<double> samples) {
    calls.emplace_back(active.size(), count);
    for (std::size_t a = 0; a < active.size(); ++a) {
      for (std::size_t j = 0; j < count; ++j) {
        for (std::size_t p = 0; p < m; ++p) {
          samples[(a * count + j) * m + p] = value(active[a], pair0 + j, p);
        }
      }
    }
  };
  ShapResult out;
  out.values.assign((rows + 1) * m, -1.0);  // row 0 of `out` is not the driver's: r0 = 1
  out.std_errors.assign((rows + 1) * m, -1.0);
  out.samples_used.assign(rows + 1, 99);
  detail::run_mc_rounds(1, rows, m, max_pairs, target, fill, out);
  std::vector<std::pair<std::size_t, std::size_t>> expected_calls;
  for (std::size_t pair0 = 0; pair0 < max_pairs; pair0 += kShapCheckEvery) {
    std::size_t active = 0;
    for (std::size_t u : used) active += u > pair0 ? 1 : 0;
    expected_calls.emplace_back(active, std::min(kShapCheckEvery, max_pairs - pair0));
  }
  EXPECT_EQ(calls, expected_calls);
  for (std::size_t i = 0; i < rows; ++i) {
    EXPECT_EQ(out.samples_used[1 + i], used[i]) << "row " << i;
    for (std::size_t p = 0; p < m; ++p) {
      const auto [mean, se] = two_pass(value, i, p, used[i]);
      EXPECT_NEAR(out.values[(1 + i) * m + p], mean, 1e-12 * value_scale({mean}))
          << "row " << i << ", player " << p;
      EXPECT_NEAR(out.std_errors[(1 + i) * m + p], se, 1e-12 * value_scale({se}))
          << "row " << i << ", player " << p;
    }
  }
  EXPECT_EQ(out.samples_used[0], 99u) << "a row outside the range was written";
  EXPECT_EQ(out.values[0], -1.0);
}

}  // namespace
}  // namespace thermex
