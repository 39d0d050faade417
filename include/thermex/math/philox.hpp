#pragma once
/// \file
/// Philox4x32-10, the one random number generator of thermex (Salmon et al., "Parallel random
/// numbers: as easy as 1, 2, 3", SC'11). Counter-based: the numbers depend only on
/// (key, counter), never on which thread or GPU block draws them. Checked against the Random123
/// known-answer vectors in tests/test_philox.cpp.
///
/// Convention (STYLE.md section 5): key = the 64-bit seed; counter = (block, purpose tag,
/// logical id low, logical id high). Same seed + purpose + id = same stream on CPU and CUDA.

#include <cstdint>

#include "thermex/math/hd.hpp"

namespace thermex::math {

/// Four 32-bit words: a counter or one block of output.
struct Philox4x32Block {
  std::uint32_t v[4];
};

namespace detail {
constexpr std::uint32_t kPhiloxM0 = 0xD2511F53u;
constexpr std::uint32_t kPhiloxM1 = 0xCD9E8D57u;
constexpr std::uint32_t kPhiloxW0 = 0x9E3779B9u;  // golden ratio
constexpr std::uint32_t kPhiloxW1 = 0xBB67AE85u;  // sqrt(3) - 1

THERMEX_HD inline Philox4x32Block philox_round(Philox4x32Block ctr, std::uint32_t k0,
                                               std::uint32_t k1) {
  const std::uint64_t p0 = static_cast<std::uint64_t>(kPhiloxM0) * ctr.v[0];
  const std::uint64_t p1 = static_cast<std::uint64_t>(kPhiloxM1) * ctr.v[2];
  const auto hi0 = static_cast<std::uint32_t>(p0 >> 32);
  const auto lo0 = static_cast<std::uint32_t>(p0);
  const auto hi1 = static_cast<std::uint32_t>(p1 >> 32);
  const auto lo1 = static_cast<std::uint32_t>(p1);
  return {{hi1 ^ ctr.v[1] ^ k0, lo1, hi0 ^ ctr.v[3] ^ k1, lo0}};
}
}  // namespace detail

/// Philox4x32 with 10 rounds: one block of four 32-bit random words for (counter, key).
THERMEX_HD inline Philox4x32Block philox4x32_10(Philox4x32Block ctr, std::uint32_t k0,
                                                std::uint32_t k1) {
  ctr = detail::philox_round(ctr, k0, k1);
  for (int r = 1; r < 10; ++r) {
    k0 += detail::kPhiloxW0;
    k1 += detail::kPhiloxW1;
    ctr = detail::philox_round(ctr, k0, k1);
  }
  return ctr;
}

/// Purpose tags keep the streams of different algorithm stages independent.
enum class RngPurpose : std::uint32_t {
  kTest = 0,
  kSynth = 1,
  kSplit = 2,
  kShuffle = 3,
  kBootstrap = 4,
  kForest = 5,
  kShapSample = 6,
  kBackground = 7,
};

/// A stream of random numbers for one logical work item: the counter's first word walks through
/// blocks, so a stream yields 2^32 blocks before it would repeat.
class PhiloxStream {
 public:
  THERMEX_HD PhiloxStream(std::uint64_t seed, RngPurpose purpose, std::uint64_t id)
      : k0_(static_cast<std::uint32_t>(seed)),
        k1_(static_cast<std::uint32_t>(seed >> 32)),
        purpose_(static_cast<std::uint32_t>(purpose)),
        id_(id) {}

  /// Next 32 random bits.
  THERMEX_HD std::uint32_t next_u32() {
    if (used_ == 4) refill();
    return block_.v[used_++];
  }
  /// Next 64 random bits.
  THERMEX_HD std::uint64_t next_u64() {
    const std::uint64_t hi = next_u32();
    return (hi << 32) | next_u32();
  }
  /// Uniform double in [0, 1) with 53 random bits.
  THERMEX_HD double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  /// Uniform double in (0, 1]; safe to take the log of.
  THERMEX_HD double uniform_open0() { return 1.0 - uniform(); }
  /// Uniform integer in [0, n) without modulo bias (Lemire's multiply-and-reject); n > 0.
  THERMEX_HD std::uint64_t below(std::uint64_t n) {
    // 32-bit path covers every n this project sees; 64-bit n falls back to rejection on u64.
    if (n <= 0xFFFFFFFFull) {
      const auto n32 = static_cast<std::uint32_t>(n);
      std::uint64_t m = static_cast<std::uint64_t>(next_u32()) * n32;
      auto low = static_cast<std::uint32_t>(m);
      if (low < n32) {
        const std::uint32_t threshold = (0u - n32) % n32;
        while (low < threshold) {
          m = static_cast<std::uint64_t>(next_u32()) * n32;
          low = static_cast<std::uint32_t>(m);
        }
      }
      return m >> 32;
    }
    const std::uint64_t limit = ~0ull - (~0ull % n);
    std::uint64_t x = next_u64();
    while (x >= limit) x = next_u64();
    return x % n;
  }

 private:
  THERMEX_HD void refill() {
    block_ = philox4x32_10({{block_index_++, purpose_, static_cast<std::uint32_t>(id_),
                             static_cast<std::uint32_t>(id_ >> 32)}},
                           k0_, k1_);
    used_ = 0;
  }

  std::uint32_t k0_, k1_, purpose_;
  std::uint64_t id_;
  std::uint32_t block_index_ = 0;
  std::uint32_t used_ = 4;
  Philox4x32Block block_{};
};

}  // namespace thermex::math
