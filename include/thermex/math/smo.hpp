#pragma once
/// \file
/// Per-element math of the SMO solver for the epsilon-SVR dual, shared by the CPU solver
/// (src/cpu/svr_smo.cpp, src/cpu/svr_smo_scan.cpp) and the CUDA batched solver
/// (kernels/svr_smo.cu), so both take the very same steps: the set tests, the WSS 2 gain, the
/// pair update, and (used by the GPU, equal to the CPU scans' per-element arithmetic) the
/// candidates of the two scans, their merge rule, the gradient delta and libsvm's rho.
///
/// The algorithm is libsvm's Solver: "An SMO algorithm in Fan et al., JMLR 6 (2005), p.
/// 1889--1918" (R.-E. Fan, P.-H. Chen, C.-J. Lin, "Working set selection using second order
/// information for training support vector machines"). The epsilon-SVR dual is written with 2l
/// variables a = (alpha, alpha*), labels s_t = +1 (t < l) and -1 (t >= l), and
///   min_a 0.5 a^T Q a + p^T a,  0 <= a_t <= C,  sum_t s_t a_t = 0,
/// with Q_tu = s_t s_u K(x_{t mod l}, x_{u mod l}), p_t = epsilon - y_t (t < l) and
/// p_t = epsilon + y_{t-l} (t >= l). G = Q a + p is the gradient.

#include <limits>

#include "thermex/math/hd.hpp"

namespace thermex::math {

/// +infinity, the empty value of the scans (a constexpr scalar, usable in device code).
inline constexpr double kSmoInf = std::numeric_limits<double>::infinity();

/// Curvature used when the two-variable quadratic is not strictly convex (a <= 0), as libsvm's
/// TAU; see Fan, Chen & Lin (2005), section 4 ("non-PSD kernels").
inline constexpr double kSmoTau = 1e-12;

/// True when variable `alpha` sits at its upper bound `c` (libsvm's is_upper_bound).
THERMEX_HD inline bool smo_at_upper(double alpha, double c) { return alpha >= c; }
/// True when variable `alpha` sits at its lower bound 0 (libsvm's is_lower_bound).
THERMEX_HD inline bool smo_at_lower(double alpha) { return alpha <= 0.0; }

/// True when a_t may move in the direction that increases -s_t G_t, i.e. t is in I_up(a) of
/// Fan, Chen & Lin (2005), eq. (10): s_t = +1 and a_t < C, or s_t = -1 and a_t > 0.
THERMEX_HD inline bool smo_in_up(double sign, double alpha, double c) {
  return sign > 0.0 ? !smo_at_upper(alpha, c) : !smo_at_lower(alpha);
}
/// True when t is in I_low(a): s_t = +1 and a_t > 0, or s_t = -1 and a_t < C.
THERMEX_HD inline bool smo_in_low(double sign, double alpha, double c) {
  return sign > 0.0 ? !smo_at_lower(alpha) : !smo_at_upper(alpha, c);
}

/// The second-order objective decrease of WSS 2 (Fan, Chen & Lin 2005, eq. (12) and Theorem 3):
/// -b^2 / a with b = -s_i G_i + s_j G_j > 0 (`grad_diff`) and a = K_ii + K_jj - 2 K_ij
/// (`quad_coef`), replaced by kSmoTau when a <= 0. Smaller (more negative) is better.
THERMEX_HD inline double smo_gain(double grad_diff, double quad_coef) {
  const double a = quad_coef > 0.0 ? quad_coef : kSmoTau;
  return -(grad_diff * grad_diff) / a;
}

/// 1 / a for the curvature a = K_ii + K_jj - 2 K_ij of WSS 2, with a <= 0 replaced by kSmoTau
/// as in smo_gain. One division per candidate row entry serves both halves of the eps-SVR dual.
THERMEX_HD inline double smo_inverse_curvature(double quad_coef) {
  return 1.0 / (quad_coef > 0.0 ? quad_coef : kSmoTau);
}

/// smo_gain with a precomputed inverse curvature: -b^2 * (1 / a). Equals smo_gain up to one
/// rounding of the quotient; the CPU solver selects with this form (a multiplication instead
/// of a division per candidate), which changes the path only on near-ties and not the optimum.
THERMEX_HD inline double smo_gain_inv(double grad_diff, double inverse_curvature) {
  return -(grad_diff * grad_diff) * inverse_curvature;
}

/// The two variables of one SMO step after the update.
struct SmoPair {
  double alpha_i;  ///< new a_i
  double alpha_j;  ///< new a_j
};

/// libsvm's two-variable update of (a_i, a_j) with box clipping to [0, c_i] x [0, c_j], keeping
/// s_i a_i + s_j a_j constant. `q_ii`, `q_jj` are the diagonal entries Q_ii, Q_jj and `q_ij`
/// the entry Q_ij (already multiplied by s_i s_j); `g_i`, `g_j` the gradient entries. Returns
/// the new pair. Cost: O(1). The branches are libsvm's, line by line, so that rounding matches.
THERMEX_HD inline SmoPair smo_update_pair(bool same_sign, double alpha_i, double alpha_j,
                                          double g_i, double g_j, double q_ii, double q_jj,
                                          double q_ij, double c_i, double c_j) {
  double ai = alpha_i;
  double aj = alpha_j;
  if (!same_sign) {
    double quad_coef = q_ii + q_jj + 2.0 * q_ij;
    if (quad_coef <= 0.0) quad_coef = kSmoTau;
    const double delta = (-g_i - g_j) / quad_coef;
    const double diff = ai - aj;
    ai += delta;
    aj += delta;
    if (diff > 0.0) {
      if (aj < 0.0) {
        aj = 0.0;
        ai = diff;
      }
    } else if (ai < 0.0) {
      ai = 0.0;
      aj = -diff;
    }
    if (diff > c_i - c_j) {
      if (ai > c_i) {
        ai = c_i;
        aj = c_i - diff;
      }
    } else if (aj > c_j) {
      aj = c_j;
      ai = c_j + diff;
    }
  } else {
    double quad_coef = q_ii + q_jj - 2.0 * q_ij;
    if (quad_coef <= 0.0) quad_coef = kSmoTau;
    const double delta = (g_i - g_j) / quad_coef;
    const double sum = ai + aj;
    ai -= delta;
    aj += delta;
    if (sum > c_i) {
      if (ai > c_i) {
        ai = c_i;
        aj = sum - c_i;
      }
    } else if (aj < 0.0) {
      aj = 0.0;
      ai = sum;
    }
    if (sum > c_j) {
      if (aj > c_j) {
        aj = c_j;
        ai = sum - c_j;
      }
    } else if (ai < 0.0) {
      ai = 0.0;
      aj = sum;
    }
  }
  return SmoPair{ai, aj};
}

/// An extreme found by a scan over the 2l variables: its value and variable index t in [0, 2l)
/// (-1: none yet; the value is then the scan's empty value, -inf for a maximum, +inf for a
/// minimum). `long long` so host and device agree on the layout and shuffles take it whole.
struct SmoBest {
  double value;     ///< the extreme value
  long long index;  ///< its index t, lowest among equal values; -1 when none
};

/// The better of two maxima: the larger value, the lower index among equal values; a side with
/// index -1 loses. Values offered to a scan are never NaN (smo_offer_up admits only values
/// above -inf), so this is a total order: any merge tree gives the exact argmax with the lowest
/// index, the result of the CPU's sequential "strictly better" scan.
THERMEX_HD inline SmoBest smo_max_merge(SmoBest a, SmoBest b) {
  if (b.index < 0) return a;
  if (a.index < 0) return b;
  if (b.value > a.value || (b.value == a.value && b.index < a.index)) return b;
  return a;
}

/// The better of two minima (smaller value, lower index on ties; index -1 loses).
THERMEX_HD inline SmoBest smo_min_merge(SmoBest a, SmoBest b) {
  if (b.index < 0) return a;
  if (a.index < 0) return b;
  if (b.value < a.value || (b.value == a.value && b.index < a.index)) return b;
  return a;
}

/// ki * step_i + kj * step_j, the gradient change of sample k in one SMO step
/// (G_k += delta, G_{l+k} -= delta; step = s da), rounded after each operation as the CPU
/// scans compute it: no fused multiply-add on the device (the intrinsics forbid contraction),
/// so equal inputs give equal bits on both backends.
THERMEX_HD inline double smo_gradient_delta(double ki, double step_i, double kj, double step_j) {
#if defined(__CUDA_ARCH__)
  return __dadd_rn(__dmul_rn(ki, step_i), __dmul_rn(kj, step_j));
#else
  return ki * step_i + kj * step_j;
#endif
}

/// Offers sample k's two variables to the I_up maximum of WSS 2 (Fan, Chen & Lin 2005, eq.
/// (10)): t = k with value -G_k when alpha_k < C, t = l + k with value G_{l+k} when
/// alpha*_k > 0. A value is admitted only above -inf, as the CPU scan's strict comparison with
/// its empty value. `alpha_a`, `g_a` belong to alpha_k, `alpha_s`, `g_s` to alpha*_k.
THERMEX_HD inline void smo_offer_up(double alpha_a, double alpha_s, double g_a, double g_s,
                                    double c, long long k, long long l, SmoBest& best) {
  if (smo_in_up(1.0, alpha_a, c) && -g_a > -kSmoInf) best = smo_max_merge(best, {-g_a, k});
  if (smo_in_up(-1.0, alpha_s, c) && g_s > -kSmoInf) best = smo_max_merge(best, {g_s, k + l});
}

/// Offers sample k to the second half of WSS 2: over t in I_low (alpha_k > 0 with value G_k,
/// alpha*_k < C with value -G_{l+k}) raises `gmax2` to the largest value (NaN ignored, as the
/// CPU), and when `have_i` offers t to the minimum of the gain -b^2 / a
/// (smo_gain_inv, b = gmax + value > 0, a = 2 - 2 K_ik with `k_ik` = K(x_i, x_k), the RBF
/// diagonal being 1). The per-element arithmetic of the CPU scan, operation for operation.
THERMEX_HD inline void smo_offer_low(double alpha_a, double alpha_s, double g_a, double g_s,
                                     double c, bool have_i, double k_ik, double gmax, long long k,
                                     long long l, SmoBest& best, double& gmax2) {
  const double inv = have_i ? smo_inverse_curvature(2.0 - 2.0 * k_ik) : 0.0;
  if (smo_in_low(1.0, alpha_a, c)) {
    if (g_a > gmax2) gmax2 = g_a;
    const double b = gmax + g_a;
    if (have_i && b > 0.0) {
      const double gain = smo_gain_inv(b, inv);
      if (gain < kSmoInf) best = smo_min_merge(best, {gain, k});
    }
  }
  if (smo_in_low(-1.0, alpha_s, c)) {
    const double v = -g_s;
    if (v > gmax2) gmax2 = v;
    const double b = gmax + v;
    if (have_i && b > 0.0) {
      const double gain = smo_gain_inv(b, inv);
      if (gain < kSmoInf) best = smo_min_merge(best, {gain, k + l});
    }
  }
}

/// Partial sums of libsvm's Solver::calculate_rho over some variables: the smallest upper and
/// largest lower bound that bounded variables put on rho, and the sum and count of s_t G_t over
/// free variables. Merged by min, max and addition; the count and the bounds are exact in any
/// order, the sum is rounded in the merge order. Trivial (no member initializers) so that the
/// GPU can keep it in shared memory; start from smo_rho_empty().
struct SmoRhoSums {
  double ub;         ///< min of the upper bounds
  double lb;         ///< max of the lower bounds
  double sum_free;   ///< sum of s_t G_t over free t
  long long n_free;  ///< number of free t
};

/// The sums of no variable: ub = +inf, lb = -inf, nothing free.
THERMEX_HD inline SmoRhoSums smo_rho_empty() { return SmoRhoSums{kSmoInf, -kSmoInf, 0.0, 0}; }

/// Adds variable t (sign s_t = `sign`, value `alpha`, gradient `grad`) to `sums` as libsvm's
/// calculate_rho: at the upper bound C it bounds rho from above (s = -1) or below (s = +1), at 0
/// the other way round; otherwise it is free.
THERMEX_HD inline void smo_rho_add(SmoRhoSums& sums, double sign, double alpha, double grad,
                                   double c) {
  const double yg = sign * grad;
  const bool to_ub = smo_at_upper(alpha, c) ? sign < 0.0 : sign > 0.0;
  if (smo_at_upper(alpha, c) || smo_at_lower(alpha)) {
    if (to_ub) {
      sums.ub = yg < sums.ub ? yg : sums.ub;
    } else {
      sums.lb = yg > sums.lb ? yg : sums.lb;
    }
  } else {
    ++sums.n_free;
    sums.sum_free += yg;
  }
}

/// Merges two partial sums (bounds exact, sums added a + b).
THERMEX_HD inline SmoRhoSums smo_rho_merge(const SmoRhoSums& a, const SmoRhoSums& b) {
  SmoRhoSums m{};
  m.ub = b.ub < a.ub ? b.ub : a.ub;
  m.lb = b.lb > a.lb ? b.lb : a.lb;
  m.sum_free = a.sum_free + b.sum_free;
  m.n_free = a.n_free + b.n_free;
  return m;
}

/// libsvm's rho: the mean of s_t G_t over free variables, else the midpoint of the bounds.
THERMEX_HD inline double smo_rho_value(const SmoRhoSums& sums) {
  return sums.n_free > 0 ? sums.sum_free / static_cast<double>(sums.n_free)
                         : (sums.ub + sums.lb) / 2.0;
}

}  // namespace thermex::math
