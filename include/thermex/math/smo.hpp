#pragma once
/// \file
/// Per-element math of the SMO solver for the epsilon-SVR dual, shared by the CPU solver
/// (src/cpu/svr_smo.cpp) and, later, the CUDA batched solver, so both take the very same steps.
///
/// The algorithm is libsvm's Solver: "An SMO algorithm in Fan et al., JMLR 6 (2005), p.
/// 1889--1918" (R.-E. Fan, P.-H. Chen, C.-J. Lin, "Working set selection using second order
/// information for training support vector machines"). The epsilon-SVR dual is written with 2l
/// variables a = (alpha, alpha*), labels s_t = +1 (t < l) and -1 (t >= l), and
///   min_a 0.5 a^T Q a + p^T a,  0 <= a_t <= C,  sum_t s_t a_t = 0,
/// with Q_tu = s_t s_u K(x_{t mod l}, x_{u mod l}), p_t = epsilon - y_t (t < l) and
/// p_t = epsilon + y_{t-l} (t >= l). G = Q a + p is the gradient.

#include "thermex/math/hd.hpp"

namespace thermex::math {

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

}  // namespace thermex::math
