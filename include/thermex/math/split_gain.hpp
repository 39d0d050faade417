#pragma once
/// \file
/// Variance-reduction gain of a regression-tree split, shared by the CPU forest
/// (src/cpu/forest_tree.cpp) and the CUDA histogram kernels. Host and device compile the same
/// expression, so both backends rank candidate splits identically.

#include "thermex/math/hd.hpp"

namespace thermex::math {

/// Decrease of the sum of squared errors (SSE) around the node mean when a node with
/// `count_total` rows and target sum `sum_total` is split into a left part (`count_left` rows,
/// sum `sum_left`) and the rest, each predicted by its own mean:
///   gain = S_L^2 / n_L + S_R^2 / n_R - S^2 / n,
/// which equals SSE(node) - SSE(left) - SSE(right) (so it is in target units squared and never
/// negative in exact arithmetic). Preconditions: 0 < count_left < count_total. O(1).
THERMEX_HD inline double split_gain(double sum_left, double count_left, double sum_total,
                                    double count_total) {
  const double sum_right = sum_total - sum_left;
  const double count_right = count_total - count_left;
  return sum_left * sum_left / count_left + sum_right * sum_right / count_right -
         sum_total * sum_total / count_total;
}

}  // namespace thermex::math
