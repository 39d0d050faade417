// The LRU kernel-row cache of the SMO solver, used when the full kernel matrix does not fit the
// memory budget. A row is computed here, single-threaded, with the same expansion as
// rbf_kernel_matrix (squared_row_norms + dot product + the shared epilogue
// math::rbf_from_norms_and_dot), so values agree with the precomputed matrix to a few ulps (the
// dot product's summation order differs from the GEMM's). Not through rbf_kernel_matrix on a
// 1 x n tile: that call opens an OpenMP parallel region, and waking a thread team for every row
// cost 100-400 us per 1 x 200 row on a loaded 2-core machine (5 us without the team), i.e.
// seconds per solve.
#include <algorithm>
#include <cstddef>
#include <limits>
#include <vector>

#include "../svr_internal.hpp"
#include "thermex/math/rbf.hpp"
#include "thermex/rbf_kernel.hpp"

namespace thermex::detail {
namespace {
constexpr std::size_t kAbsent = std::numeric_limits<std::size_t>::max();
}  // namespace

void round_kernel_to_float(std::span<double> values) {
  for (double& v : values) v = static_cast<double>(static_cast<float>(v));
}

CachedKernelRows::CachedKernelRows(std::span<const double> x, std::size_t n, std::size_t d,
                                   double gamma, std::size_t capacity, bool round_to_float)
    : x_(x),
      n_(n),
      d_(d),
      gamma_(gamma),
      // Two rows are needed at once (the pair i, j of one step); more than n is useless.
      capacity_(std::min(std::max<std::size_t>(capacity, 2), std::max<std::size_t>(n, 2))),
      round_to_float_(round_to_float),
      where_(n),
      slot_of_(n, kAbsent),
      norms_(squared_row_norms(x, n, d)) {
  rows_.reserve(capacity_);
}

const double* CachedKernelRows::row(std::size_t i) {
  if (slot_of_[i] != kAbsent) {
    // Hit: move to the front of the recency list (O(1) splice).
    lru_.splice(lru_.begin(), lru_, where_[i]);
    return rows_[slot_of_[i]].data();
  }
  ++misses_;
  std::size_t slot = rows_.size();
  if (rows_.size() < capacity_) {
    rows_.emplace_back(n_);
  } else {
    // Evict the least recently used row; it is never the one fetched just before (capacity
    // >= 2), so the pointer of the step's other row stays valid.
    const std::size_t victim = lru_.back();
    lru_.pop_back();
    slot = slot_of_[victim];
    slot_of_[victim] = kAbsent;
  }
  const double* xi = x_.data() + i * d_;
  double* out = rows_[slot].data();
  for (std::size_t j = 0; j < n_; ++j) {
    const double* xj = x_.data() + j * d_;
    double dot = 0.0;
    for (std::size_t k = 0; k < d_; ++k) dot += xi[k] * xj[k];
    out[j] = math::rbf_from_norms_and_dot(norms_[i], norms_[j], dot, gamma_);
  }
  if (round_to_float_) round_kernel_to_float(rows_[slot]);
  lru_.push_front(i);
  where_[i] = lru_.begin();
  slot_of_[i] = slot;
  return rows_[slot].data();
}

}  // namespace thermex::detail
