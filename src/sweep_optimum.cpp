// The neighbourhood of a grid point as runs of consecutive indices, so the writer can read the
// predictions around the optimum back from the results file with a few hyperslab reads.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "sweep_internal.hpp"
#include "thermex/error.hpp"
#include "thermex/math/sweep_site.hpp"

namespace thermex::detail {
namespace {

std::int64_t clamp_lo(std::int64_t v) { return v < 0 ? 0 : v; }

}  // namespace

std::vector<IndexRun> neighbourhood_runs(std::size_t m, std::span<const std::uint32_t> center,
                                         std::uint32_t radius) {
  const std::size_t k = center.size();
  THERMEX_EXPECTS(k >= 2 && k <= static_cast<std::size_t>(math::kMaxSiteElements),
                  "neighbourhood_runs: 2..8 coordinates");
  const auto r = static_cast<std::int64_t>(radius);
  const auto mm = static_cast<std::int64_t>(m);
  // Prefix coordinates 0..k-3 run over their boxes like an odometer (last prefix coordinate
  // fastest: increasing index order); for each prefix the coordinate k-2 takes an interval
  // (coordinate k-1 is the rest) whose points have consecutive indices.
  const std::size_t np = k - 2;
  std::vector<std::int64_t> lo(np), hi(np), cur(np);
  for (std::size_t j = 0; j < np; ++j) {
    lo[j] = clamp_lo(static_cast<std::int64_t>(center[j]) - r);
    hi[j] = std::min(mm, static_cast<std::int64_t>(center[j]) + r);
    cur[j] = lo[j];
  }
  std::vector<IndexRun> runs;
  std::vector<std::uint32_t> counts(k);
  const auto ca = static_cast<std::int64_t>(center[k - 2]);
  const auto cb = static_cast<std::int64_t>(center[k - 1]);
  while (true) {
    std::int64_t used = 0;
    for (std::size_t j = 0; j < np; ++j) used += cur[j];
    const std::int64_t rem = mm - used;
    if (rem >= 0) {
      // c_{k-2} = a with |a - ca| <= r, |rem - a - cb| <= r, 0 <= a <= rem.
      const std::int64_t a_lo = std::max({std::int64_t{0}, ca - r, rem - cb - r});
      const std::int64_t a_hi = std::min({rem, ca + r, rem - cb + r});
      if (a_lo <= a_hi) {
        for (std::size_t j = 0; j < np; ++j) counts[j] = static_cast<std::uint32_t>(cur[j]);
        counts[k - 2] = static_cast<std::uint32_t>(a_lo);
        counts[k - 1] = static_cast<std::uint32_t>(rem - a_lo);
        const std::uint64_t first =
            math::simplex_rank(static_cast<int>(k), static_cast<std::uint32_t>(m), counts.data());
        runs.push_back(
            {static_cast<std::size_t>(first), static_cast<std::size_t>(a_hi - a_lo + 1)});
      }
    }
    // Next prefix.
    std::size_t j = np;
    while (j > 0) {
      --j;
      if (cur[j] < hi[j]) {
        ++cur[j];
        for (std::size_t q = j + 1; q < np; ++q) cur[q] = lo[q];
        break;
      }
      if (j == 0) return runs;
    }
    if (np == 0) return runs;
  }
}

}  // namespace thermex::detail
