// The SMO solver of the epsilon-SVR dual: libsvm's Solver with WSS 2 and without shrinking.
// "An SMO algorithm in Fan et al., JMLR 6 (2005), p. 1889--1918" (R.-E. Fan, P.-H. Chen and
// C.-J. Lin, "Working set selection using second order information for training support vector
// machines"), in the 2l-variable form of libsvm's SVR_Q: variables a_t, t < l, are alpha_t with
// sign s_t = +1 and linear term epsilon - y_t; t >= l are alpha*_{t-l} with s_t = -1 and
// epsilon + y_{t-l}. Kernel rows are length l; Q_tu = s_t s_u K_{t mod l, u mod l}.
//
// Shrinking (libsvm's default) is not implemented: it only changes which variables are scanned,
// not the optimum, and the fixtures were made with shrinking=False to compare paths.
// Differences from libsvm on purpose: Q is kept in double (libsvm stores it as float), and ties
// in the working-set selection go to the lowest index (libsvm's `>=` takes the last one).
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "../svr_internal.hpp"
#include "thermex/math/rbf.hpp"
#include "thermex/math/smo.hpp"

namespace thermex::detail {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct WorkingSet {
  std::ptrdiff_t i = -1;
  std::ptrdiff_t j = -1;
  double gap = 0.0;  // m(a) - M(a) = Gmax + Gmax2
};

class SvrSmo {
 public:
  SvrSmo(KernelRows& kernel, std::span<const double> t, double c, double epsilon)
      : kernel_(kernel),
        l_(t.size()),
        c_(c),
        alpha_(2 * t.size(), 0.0),
        grad_(2 * t.size()),
        p_(2 * t.size()) {
    for (std::size_t k = 0; k < l_; ++k) {
      p_[k] = epsilon - t[k];
      p_[k + l_] = epsilon + t[k];
    }
    grad_ = p_;  // a = 0, so G = Q a + p = p
  }

  double sign(std::size_t t) const { return t < l_ ? 1.0 : -1.0; }
  // Q_tu = s_t s_u K: a row of K and the signs give any entry of Q.
  double q(const double* krow, std::size_t t, std::size_t u) const {
    return sign(t) * sign(u) * krow[u % l_];
  }

  // WSS 2 of Fan, Chen & Lin (2005), as libsvm's Solver::select_working_set: i maximizes
  // -s_t G_t over I_up; j minimizes the second-order gain -b^2/a over t in I_low with
  // b = -s_i G_i + s_t G_t > 0. Each pass walks the alpha half (s = +1) and then the alpha*
  // half (s = -1), so t ascends and no index needs a modulo; strict comparisons give ties to
  // the lowest index.
  // The i half comes from the gradient update of the previous step (fused pass), or from a
  // scan before the first step.
  WorkingSet select() {
    WorkingSet ws;
    if (!up_valid_) scan_up(0.0, 0.0, nullptr, nullptr);
    double gmax = up_value_;
    ws.i = up_index_;
    double gmax2 = -kInf;
    double best = kInf;
    const double* ki = ws.i >= 0 ? kernel_.row(static_cast<std::size_t>(ws.i) % l_) : nullptr;
    auto take_low = [&](double v, std::size_t t, std::size_t k) {
      if (v > gmax2) gmax2 = v;
      const double grad_diff = gmax + v;
      if (ki == nullptr || !(grad_diff > 0.0)) return;
      // a = d^T Q d for the direction d_i = s_i, d_t = -s_t: K_ii + K_tt - 2 K_it whatever
      // the signs (libsvm's QD[i] + QD[j] -+ 2 y_i Q_ij); the RBF diagonal is exactly 1.
      const double gain = math::smo_gain(grad_diff, 2.0 * kDiag - 2.0 * ki[k]);
      if (gain < best) {
        best = gain;
        ws.j = static_cast<std::ptrdiff_t>(t);
      }
    };
    for (std::size_t k = 0; k < l_; ++k) {
      if (math::smo_in_low(1.0, alpha_[k], c_)) take_low(grad_[k], k, k);
    }
    for (std::size_t k = 0; k < l_; ++k) {
      if (math::smo_in_low(-1.0, alpha_[k + l_], c_)) take_low(-grad_[k + l_], k + l_, k);
    }
    ws.gap = gmax + gmax2;
    return ws;
  }

  // One SMO step on (i, j) and the O(l) gradient update G += Q_i da_i + Q_j da_j.
  void step(std::size_t i, std::size_t j) {
    const double* ki = kernel_.row(i % l_);
    const double* kj = kernel_.row(j % l_);
    const double old_i = alpha_[i];
    const double old_j = alpha_[j];
    const math::SmoPair next = math::smo_update_pair(sign(i) == sign(j), old_i, old_j, grad_[i],
                                                     grad_[j], kDiag, kDiag, q(ki, i, j), c_, c_);
    alpha_[i] = next.alpha_i;
    alpha_[j] = next.alpha_j;
    // Signed steps: Q_tk da = s_t (s_k K) da, so the first half adds and the second subtracts.
    scan_up(sign(i) * (next.alpha_i - old_i), sign(j) * (next.alpha_j - old_j), ki, kj);
  }

  // One pass over the variables: applies the gradient update G += Q_i da_i + Q_j da_j (when
  // the rows are given) and finds the I_up maximum of -s_t G_t for the next selection. The
  // halves keep separate maxima so that, combined, ties still go to the lowest index t.
  void scan_up(double si, double sj, const double* ki, const double* kj) {
    double best_a = -kInf, best_s = -kInf;
    std::ptrdiff_t idx_a = -1, idx_s = -1;
    for (std::size_t k = 0; k < l_; ++k) {
      if (ki != nullptr) {
        // Signed steps: Q_tk da = s_t (s_k K) da: the alpha half adds, the alpha* half subtracts.
        const double v = ki[k] * si + kj[k] * sj;
        grad_[k] += v;
        grad_[k + l_] -= v;
      }
      if (math::smo_in_up(1.0, alpha_[k], c_) && -grad_[k] > best_a) {
        best_a = -grad_[k];
        idx_a = static_cast<std::ptrdiff_t>(k);
      }
      if (math::smo_in_up(-1.0, alpha_[k + l_], c_) && grad_[k + l_] > best_s) {
        best_s = grad_[k + l_];
        idx_s = static_cast<std::ptrdiff_t>(k + l_);
      }
    }
    const bool star = best_s > best_a;  // alpha* indices are larger: they win only strictly
    up_value_ = star ? best_s : best_a;
    up_index_ = star ? idx_s : idx_a;
    up_valid_ = true;
  }

  // libsvm's Solver::calculate_rho: the average of s_t G_t over free variables, else the
  // midpoint of the bounds the bounded variables give.
  double rho() const {
    double ub = kInf, lb = -kInf, sum_free = 0.0;
    std::size_t n_free = 0;
    for (std::size_t t = 0; t < 2 * l_; ++t) {
      const double yg = sign(t) * grad_[t];
      if (math::smo_at_upper(alpha_[t], c_)) {
        if (sign(t) < 0)
          ub = std::min(ub, yg);
        else
          lb = std::max(lb, yg);
      } else if (math::smo_at_lower(alpha_[t])) {
        if (sign(t) > 0)
          ub = std::min(ub, yg);
        else
          lb = std::max(lb, yg);
      } else {
        ++n_free;
        sum_free += yg;
      }
    }
    return n_free > 0 ? sum_free / static_cast<double>(n_free) : (ub + lb) / 2.0;
  }

  // libsvm: f(a) = 0.5 a^T Q a + p^T a = 0.5 sum_t a_t (G_t + p_t).
  double objective() const {
    double v = 0.0;
    for (std::size_t t = 0; t < 2 * l_; ++t) v += alpha_[t] * (grad_[t] + p_[t]);
    return v / 2.0;
  }

  std::vector<double>& alpha() { return alpha_; }

 private:
  static constexpr double kDiag = 1.0;  // exp(-gamma * 0): K(x, x) of the RBF kernel
  KernelRows& kernel_;
  std::size_t l_;
  double c_;
  std::vector<double> alpha_, grad_, p_;
  bool up_valid_ = false;         // up_value_/up_index_ describe the current state
  double up_value_ = -kInf;       // max over I_up of -s_t G_t
  std::ptrdiff_t up_index_ = -1;  // its index (lowest on ties), -1 when I_up is empty
};

}  // namespace

SmoResult solve_svr_smo(KernelRows& kernel, std::span<const double> t, double c, double epsilon,
                        double tol, std::int64_t max_iter) {
  SvrSmo smo(kernel, t, c, epsilon);
  SmoResult res;
  res.converged = false;
  for (;;) {
    const WorkingSet ws = smo.select();
    res.kkt_gap = ws.gap;
    // Stop when m(a) - M(a) < tol (Fan, Chen & Lin 2005, eq. (13)) or when no j improves.
    if (ws.gap < tol || ws.j < 0) {
      res.converged = true;
      break;
    }
    if (res.n_iter >= max_iter) break;
    smo.step(static_cast<std::size_t>(ws.i), static_cast<std::size_t>(ws.j));
    ++res.n_iter;
  }
  res.rho = smo.rho();
  res.objective = smo.objective();
  res.alpha = std::move(smo.alpha());
  return res;
}

}  // namespace thermex::detail
