// The SMO solver of the epsilon-SVR dual: libsvm's Solver with WSS 2 and optional shrinking.
// "An SMO algorithm in Fan et al., JMLR 6 (2005), p. 1889--1918" (R.-E. Fan, P.-H. Chen and
// C.-J. Lin, "Working set selection using second order information for training support vector
// machines"), in the 2l-variable form of libsvm's SVR_Q: variables a_t, t < l, are alpha_t with
// sign s_t = +1 and linear term epsilon - y_t; t >= l are alpha*_{t-l} with s_t = -1 and
// epsilon + y_{t-l}. Kernel rows are length l; Q_tu = s_t s_u K_{t mod l, u mod l}, never
// formed: the two O(l) passes per iteration (src/cpu/svr_smo_scan.cpp) read K rows directly.
//
// Shrinking (libsvm's heuristic, Chang & Lin's LIBSVM paper, section 5.1), by samples: every
// min(l, 1000) iterations a sample whose two variables both satisfy libsvm's be_shrunk test
// leaves the active set, and the active samples' state and kernel submatrix are packed into
// contiguous arrays so the passes stay dense. Before stopping (and once when the gap first
// falls below 10 tol, as libsvm) the inactive gradients are rebuilt exactly from the full
// kernel matrix, G = p + s (K beta), and the stopping test is repeated on all 2l variables,
// so the result meets the tolerance on the whole problem. Only with a precomputed kernel
// matrix (the row cache has no cheap submatrix).
// Warm starts (SvrSpec::warm_start_c): the solver may start from any feasible point instead of
// a = 0; its gradient is then computed from the kernel rows of the nonzero beta = alpha - alpha*,
// G = p + s (K beta), summed in ascending row order (deterministic). The stopping rule is the
// same, so a warm solution meets `tol` as a cold one does, on another path.
// Differences from libsvm on purpose: Q is kept in double (libsvm stores it as float), and ties
// in the working-set selection go to the lowest index (libsvm's `>=` takes the last one).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <vector>

#include "../svr_internal.hpp"
#include "thermex/error.hpp"
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
  // `alpha0`: empty (start at a = 0) or a feasible start of 2l variables.
  SvrSmo(KernelRows& kernel, std::span<const double> t, double c, double epsilon, SmoIsa isa,
         bool shrinking, std::span<const double> alpha0)
      : isa_(isa),
        kernel_(kernel),
        full_(kernel.matrix()),
        shrinking_(shrinking && full_ != nullptr),
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
    if (!alpha0.empty()) start_from(alpha0);
    use_full();
  }

  // G = p + s (K beta) for the start `alpha0`: one kernel row per nonzero beta_u (K is
  // symmetric, so row u serves as column u), rows in ascending order.
  void start_from(std::span<const double> alpha0) {
    std::copy(alpha0.begin(), alpha0.end(), alpha_.begin());
    std::vector<double> kb(l_, 0.0);
    for (std::size_t u = 0; u < l_; ++u) {
      const double b = alpha_[u] - alpha_[u + l_];
      if (b == 0.0) continue;
      const double* kr = kernel_.row(u);
      for (std::size_t k = 0; k < l_; ++k) kb[k] += kr[k] * b;
    }
    for (std::size_t k = 0; k < l_; ++k) {
      grad_[k] = p_[k] + kb[k];
      grad_[k + l_] = p_[k + l_] - kb[k];
    }
  }

  bool shrinking() const { return shrinking_; }
  bool shrunk() const { return m_ < l_; }
  std::size_t active() const { return m_; }

  // WSS 2 of Fan, Chen & Lin (2005), as libsvm's Solver::select_working_set, over the active
  // variables: i maximizes -s_t G_t over I_up; j minimizes the second-order gain -b^2/a over t
  // in I_low with b = -s_i G_i + s_t G_t > 0. Ties go to the lowest index (the packed order
  // keeps the original one). The i half comes from the previous step's fused pass when valid.
  WorkingSet select() {
    WorkingSet ws;
    if (!up_valid_) up_ = smo_update_and_max_up(state(), nullptr, nullptr, 0.0, 0.0, isa_);
    up_valid_ = true;
    ws.i = up_.index;
    const std::size_t pi = ws.i >= 0 ? static_cast<std::size_t>(ws.i) % m_ : 0;
    const double* ki = ws.i >= 0 ? row(pi) : nullptr;
    const double* inv = ki != nullptr && !shrunk() ? inverse_row(pi, ki) : nullptr;
    double gmax2 = -kInf;
    ws.j = smo_select_low(state(), ki, up_.value, gmax2, isa_, inv).index;
    ws.gap = up_.value + gmax2;
    return ws;
  }

  // One SMO step on active (i, j) and the O(m) gradient update G += Q_i da_i + Q_j da_j, fused
  // with the I_up scan of the next selection.
  void step(std::size_t i, std::size_t j) {
    const double* ki = row(i % m_);
    const double* kj = row(j % m_);
    const double old_i = a_[i];
    const double old_j = a_[j];
    const math::SmoPair next =
        math::smo_update_pair(sign(i) == sign(j), old_i, old_j, g_[i], g_[j], kDiag, kDiag,
                              sign(i) * sign(j) * ki[j % m_], c_, c_);
    a_[i] = next.alpha_i;
    a_[j] = next.alpha_j;
    // Signed steps: Q_tk da = s_t (s_k K) da, so the first half adds and the second subtracts.
    up_ = smo_update_and_max_up(state(), ki, kj, sign(i) * (next.alpha_i - old_i),
                                sign(j) * (next.alpha_j - old_j), isa_);
  }

  // libsvm's do_shrinking, by samples. Gmax1 = max over I_up of -s G, Gmax2 = max over I_low
  // of s G on the active set; once, when Gmax1 + Gmax2 <= 10 tol, everything is unshrunk first.
  // `period`: steps until the next call.
  void shrink(double tol, std::size_t period) {
    double gmax1 = -kInf, gmax2 = -kInf;
    for (std::size_t t = 0; t < 2 * m_; ++t) {
      const double sg = sign(t) * g_[t];
      if (math::smo_in_up(sign(t), a_[t], c_)) gmax1 = std::max(gmax1, -sg);
      if (math::smo_in_low(sign(t), a_[t], c_)) gmax2 = std::max(gmax2, sg);
    }
    if (!unshrunk_ && gmax1 + gmax2 <= tol * 10.0) {
      unshrunk_ = true;
      unshrink();
    }
    std::vector<std::size_t> keep;  // active positions that stay
    for (std::size_t k = 0; k < m_; ++k) {
      if (!(be_shrunk(k, gmax1, gmax2) && be_shrunk(k + m_, gmax1, gmax2))) keep.push_back(k);
    }
    // Packing copies an m x m submatrix; it pays only when the narrower scans of the next
    // `period` steps save more (about 2 (m_ - m) period element visits against m^2 copies).
    const std::size_t m = keep.size();
    if (m < 2 || (m_ - m) * period * 2 < m * m) return;
    pack(keep);
  }

  // Back to all 2l variables: the packed state goes home, inactive gradients are rebuilt.
  void unshrink() {
    if (!shrunk()) return;
    std::vector<char> active(l_, 0);
    for (std::size_t p = 0; p < m_; ++p) {
      const std::size_t k = act_[p];
      active[k] = 1;
      alpha_[k] = pa_[p];
      alpha_[k + l_] = pa_[p + m_];
      grad_[k] = pg_[p];
      grad_[k + l_] = pg_[p + m_];
    }
    // (K beta)_k over the nonzero beta_u = alpha_u - alpha*_u, for inactive k only.
    std::vector<std::size_t> nz;
    std::vector<double> beta;
    for (std::size_t u = 0; u < l_; ++u) {
      const double b = alpha_[u] - alpha_[u + l_];
      if (b != 0.0) {
        nz.push_back(u);
        beta.push_back(b);
      }
    }
    for (std::size_t k = 0; k < l_; ++k) {
      if (active[k] != 0) continue;
      const double* kr = full_ + k * l_;
      double kb = 0.0;
      for (std::size_t e = 0; e < nz.size(); ++e) kb += kr[nz[e]] * beta[e];
      grad_[k] = p_[k] + kb;
      grad_[k + l_] = p_[k + l_] - kb;
    }
    use_full();
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
  double sign(std::size_t t) const { return t < m_ ? 1.0 : -1.0; }
  const double* row(std::size_t p) { return shrunk() ? ksub_.data() + p * m_ : kernel_.row(p); }
  SmoScanState state() { return {g_, g_ + m_, a_, a_ + m_, m_, c_}; }

  // The inverse curvatures of kernel row i (smo_inverse_curvature_row) from a direct-mapped
  // cache (slot i mod slots): the same i is selected again and again (a 600-row solve takes
  // ~3500 iterations with a few hundred distinct i), and the l divisions per iteration were the
  // most expensive part of the selection. Unpacked rows only (packed positions change).
  const double* inverse_row(std::size_t i, const double* ki) {
    if (inv_rows_.empty()) {
      inv_rows_.resize(std::clamp<std::size_t>(kInverseCacheBytes / (sizeof(double) * l_), 1, l_));
      inv_tag_.assign(inv_rows_.size(), l_);  // l_: empty
    }
    // Rows are allocated when first used (one small block each, from the heap's free lists):
    // one l x l block per solve came from mmap and page-faulted on every fit of a batch.
    const std::size_t slot = i % inv_rows_.size();
    std::vector<double>& r = inv_rows_[slot];
    if (inv_tag_[slot] != i) {
      r.resize(l_);
      smo_inverse_curvature_row(ki, l_, r.data(), isa_);
      inv_tag_[slot] = i;
    }
    return r.data();
  }

  void use_full() {
    m_ = l_;
    a_ = alpha_.data();
    g_ = grad_.data();
    up_valid_ = false;
  }

  // libsvm's be_shrunk for active variable t (packed index).
  bool be_shrunk(std::size_t t, double gmax1, double gmax2) const {
    if (math::smo_at_upper(a_[t], c_)) return -g_[t] > (sign(t) > 0 ? gmax1 : gmax2);
    if (math::smo_at_lower(a_[t])) return g_[t] > (sign(t) > 0 ? gmax2 : gmax1);
    return false;
  }

  // Keeps the active positions `keep` (ascending): new packed state and kernel submatrix.
  void pack(const std::vector<std::size_t>& keep) {
    // Samples leaving a packed set keep their variables only in alpha_: write them home.
    if (shrunk()) {
      for (std::size_t p = 0; p < m_; ++p) {
        alpha_[act_[p]] = pa_[p];
        alpha_[act_[p] + l_] = pa_[p + m_];
      }
    }
    const std::size_t m = keep.size();
    std::vector<double> pa(2 * m), pg(2 * m), ksub(m * m);
    std::vector<std::size_t> act(m);
    for (std::size_t p = 0; p < m; ++p) {
      const std::size_t q = keep[p];
      pa[p] = a_[q];
      pa[p + m] = a_[q + m_];
      pg[p] = g_[q];
      pg[p + m] = g_[q + m_];
      act[p] = shrunk() ? act_[q] : q;
      const double* src = row(q);
      for (std::size_t r = 0; r < m; ++r) ksub[p * m + r] = src[keep[r]];
    }
    pa_ = std::move(pa);
    pg_ = std::move(pg);
    ksub_ = std::move(ksub);
    act_ = std::move(act);
    m_ = m;
    a_ = pa_.data();
    g_ = pg_.data();
    up_valid_ = false;
  }

  static constexpr double kDiag = 1.0;  // exp(-gamma * 0): K(x, x) of the RBF kernel
  // Memory for cached inverse-curvature rows per solve: all rows up to l ~ 1400.
  static constexpr std::size_t kInverseCacheBytes = std::size_t{16} << 20;
  SmoIsa isa_;
  KernelRows& kernel_;
  const double* full_;  // the l x l matrix when precomputed, else null (no shrinking)
  bool shrinking_;
  std::size_t l_;
  double c_;
  std::vector<double> alpha_, grad_, p_;  // all 2l variables (current when not shrunk)
  // Active set: m_ samples act_ (ascending); their variables in pa_/pg_ as [alpha | alpha*],
  // and the m_ x m_ kernel submatrix ksub_. a_/g_ point at the arrays in use.
  std::size_t m_ = 0;
  std::vector<std::size_t> act_;
  std::vector<double> pa_, pg_, ksub_;
  double* a_ = nullptr;
  double* g_ = nullptr;
  std::vector<std::vector<double>> inv_rows_;  // inverse_row's cache: slots of l_ doubles
  std::vector<std::size_t> inv_tag_;           // row held by each slot, l_ when empty
  bool unshrunk_ = false;  // libsvm's `unshrink`: the 10 tol unshrink has happened
  bool up_valid_ = false;  // up_ describes the current state
  SmoArg up_{-kInf, -1};   // max over I_up of -s_t G_t and its index
};

}  // namespace

std::vector<double> svr_warm_start_alpha(std::span<const double> alpha, double c_old,
                                         double c_new) {
  // A larger box holds the old solution as it is: feasible, and the equality constraint is
  // untouched. Measured on 5 folds x C = 0.1..1000 (600 x 15, bench/README.md) this start
  // saves 59 % of the SMO iterations, while libsvm-style seeding (every variable scaled by
  // C_new / C_old) took 25 % more than cold starts: the free variables do not grow with C.
  if (c_new >= c_old) return std::vector<double>(alpha.begin(), alpha.end());
  // A smaller box: scaling by r = C_new / C_old keeps sum(alpha - alpha*) = 0 (clipping to
  // [0, C_new] would not). Variables at the old bound go to the new bound exactly (C_old * r
  // can miss C_new by an ulp), and the product is capped at C_new for the same reason.
  const double r = c_new / c_old;
  std::vector<double> out(alpha.size());
  for (std::size_t t = 0; t < alpha.size(); ++t) {
    out[t] = math::smo_at_upper(alpha[t], c_old) ? c_new : std::min(alpha[t] * r, c_new);
  }
  return out;
}

SmoResult solve_svr_smo(KernelRows& kernel, std::span<const double> t, double c, double epsilon,
                        double tol, std::int64_t max_iter, bool shrinking, SmoIsa isa) {
  return solve_svr_smo_from(kernel, t, {}, c, epsilon, tol, max_iter, shrinking, isa);
}

SmoResult solve_svr_smo_from(KernelRows& kernel, std::span<const double> t,
                             std::span<const double> alpha0, double c, double epsilon, double tol,
                             std::int64_t max_iter, bool shrinking, SmoIsa isa) {
  THERMEX_EXPECTS(alpha0.empty() || alpha0.size() == 2 * t.size(),
                  "solve_svr_smo_from: the start needs 2 n variables");
  SvrSmo smo(kernel, t, c, epsilon, isa, shrinking, alpha0);
  SmoResult res;
  res.converged = false;
  res.active_min = t.size();
  const std::int64_t period = std::min<std::int64_t>(static_cast<std::int64_t>(t.size()), 1000);
  std::int64_t counter = period + 1;  // libsvm's schedule: shrink every min(l, 1000) steps
  for (;;) {
    if (smo.shrinking() && --counter == 0) {
      counter = period;
      smo.shrink(tol, static_cast<std::size_t>(period));
    }
    WorkingSet ws = smo.select();
    // Stop when m(a) - M(a) < tol (Fan, Chen & Lin 2005, eq. (13)) or when no j improves,
    // judged on all variables: a shrunk problem is unshrunk and checked again.
    if ((ws.gap < tol || ws.j < 0) && smo.shrunk()) {
      smo.unshrink();
      ws = smo.select();
      counter = 1;  // shrink again at the next step, as libsvm
    }
    res.kkt_gap = ws.gap;
    if (ws.gap < tol || ws.j < 0) {
      res.converged = true;
      break;
    }
    if (res.n_iter >= max_iter) break;
    res.active_min = std::min(res.active_min, smo.active());
    smo.step(static_cast<std::size_t>(ws.i), static_cast<std::size_t>(ws.j));
    ++res.n_iter;
  }
  smo.unshrink();
  res.rho = smo.rho();
  res.objective = smo.objective();
  res.alpha = std::move(smo.alpha());
  return res;
}

}  // namespace thermex::detail
