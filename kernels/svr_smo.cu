// The batched SMO solver of the epsilon-SVR dual: one thread block per problem, the whole solve
// inside the kernel. libsvm's Solver ("An SMO algorithm in Fan et al., JMLR 6(2005), p.
// 1889--1918"), in the 2l-variable form of src/cpu/svr_smo.cpp: t < l is alpha_t (sign +1),
// t >= l is alpha*_{t-l} (sign -1), G = Q a + p with p_t = epsilon - y_t, epsilon + y_{t-l}.
//
// Per iteration, as the CPU solver: pass A applies the previous step's gradient update and finds
// i = argmax over I_up of -s_t G_t; pass B finds j = argmin over I_low of the second-order gain
// and m(a) = max over I_low of s_t G_t; stop when m - M < tol or no j improves; else thread 0
// updates the pair with math::smo_update_pair. The block's threads stride over the samples
// (coalesced accesses of alpha, G and the kernel rows), and each pass ends in a block reduction
// (warp shuffles, then one warp over the warps' results) in a fixed tree. The selections use the
// total order of math::smo_max_merge / smo_min_merge (value, then lowest index), so they are the
// exact argmax/argmin whatever the tree: the CPU's choices when the inputs are equal. The
// per-element arithmetic is the CPU scans' (math::smo_offer_up, smo_offer_low,
// smo_gradient_delta without FMA), so equal kernel values give the CPU's path; cuBLAS kernel
// values differ from the CPU's in the last bits, so in practice the two agree to the solver
// tolerance, not bit for bit. No shrinking on the GPU (it changes the path, not the optimum).
#include <cuda_runtime.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstddef>

#include "../src/svr_smo_launch.hpp"
#include "thermex/cuda/check.hpp"
#include "thermex/error.hpp"
#include "thermex/math/rbf.hpp"
#include "thermex/math/smo.hpp"

namespace thermex::cuda {
namespace {

using math::kSmoInf;
using math::SmoBest;
using math::SmoRhoSums;

constexpr int kWarpSize = 32;
constexpr unsigned kFullWarpMask = 0xffffffffu;
// 256 threads (8 warps) per problem: a CV problem of ~500 rows gives each thread two samples
// per pass, and a batch of hundreds of problems fills every SM several times over.
constexpr int kSmoBlock = 256;
constexpr int kSmoWarps = kSmoBlock / kWarpSize;
static_assert(kSmoBlock % kWarpSize == 0 && kSmoWarps <= kWarpSize &&
                  (kSmoWarps & (kSmoWarps - 1)) == 0,
              "the second reduction stage needs a power-of-two number of warps <= 32");
constexpr int kRoundBlock = 256;
constexpr int kRoundBlocksMax = 1024;

cudaStream_t stream_of(const Context& ctx) { return static_cast<cudaStream_t>(ctx.cuda_stream()); }

// Pass B's partial result: the best j so far and m(a) = max over I_low of s_t G_t.
struct LowPartial {
  SmoBest best;
  double gmax2;
};

// The final pass's partial result: libsvm's rho sums and sum_t a_t (G_t + p_t).
struct FinalPartial {
  SmoRhoSums rho;
  double objective;
};

__device__ double shfl_down(double v, int offset) {
  return __shfl_down_sync(kFullWarpMask, v, offset);
}
__device__ long long shfl_down(long long v, int offset) {
  return __shfl_down_sync(kFullWarpMask, v, offset);
}
__device__ SmoBest shfl_down(const SmoBest& v, int offset) {
  return SmoBest{shfl_down(v.value, offset), shfl_down(v.index, offset)};
}
__device__ LowPartial shfl_down(const LowPartial& v, int offset) {
  return LowPartial{shfl_down(v.best, offset), shfl_down(v.gmax2, offset)};
}
__device__ FinalPartial shfl_down(const FinalPartial& v, int offset) {
  const SmoRhoSums r{shfl_down(v.rho.ub, offset), shfl_down(v.rho.lb, offset),
                     shfl_down(v.rho.sum_free, offset), shfl_down(v.rho.n_free, offset)};
  return FinalPartial{r, shfl_down(v.objective, offset)};
}

struct MaxMerge {
  __device__ SmoBest operator()(const SmoBest& a, const SmoBest& b) const {
    return math::smo_max_merge(a, b);
  }
};
struct LowMerge {
  __device__ LowPartial operator()(const LowPartial& a, const LowPartial& b) const {
    return LowPartial{math::smo_min_merge(a.best, b.best), b.gmax2 > a.gmax2 ? b.gmax2 : a.gmax2};
  }
};
struct FinalMerge {
  __device__ FinalPartial operator()(const FinalPartial& a, const FinalPartial& b) const {
    return FinalPartial{math::smo_rho_merge(a.rho, b.rho), a.objective + b.objective};
  }
};

// Block-wide reduction in a fixed tree: shuffles within each warp, the warps' results through
// `slots`, a second shuffle tree in warp 0, and the result broadcast through `result`. Every
// thread of the block must call it (the callers' control flow is block-uniform). Two barriers:
// the slots are rewritten only after the previous call's warp 0 has read them, and the result
// only after every thread has read the previous one, so calls may follow each other directly.
template <typename T, typename Merge>
__device__ T block_reduce(T v, Merge merge, T* slots, T* result) {
  const int lane = static_cast<int>(threadIdx.x) % kWarpSize;
  const int warp = static_cast<int>(threadIdx.x) / kWarpSize;
  for (int offset = kWarpSize / 2; offset > 0; offset /= 2) v = merge(v, shfl_down(v, offset));
  if (lane == 0) slots[warp] = v;
  __syncthreads();
  if (warp == 0) {
    // Lanes >= kSmoWarps feed only lanes >= 1 of the tree below, never lane 0.
    T w = slots[lane < kSmoWarps ? lane : 0];
    for (int offset = kSmoWarps / 2; offset > 0; offset /= 2) w = merge(w, shfl_down(w, offset));
    if (lane == 0) *result = w;
  }
  __syncthreads();
  return *result;
}

// K(x_i, x_k): the precomputed matrix, or the entry computed here from the rows and their norms
// (the expansion of the matrix path, so both stay within a few ulps of each other).
__device__ double kernel_entry(const SmoTask& t, long long i, long long k) {
  if (t.kernel != nullptr) return t.kernel[i * t.l + k];
  const double* xi = t.x + i * t.d;
  const double* xk = t.x + k * t.d;
  double dot = 0.0;
  for (long long e = 0; e < t.d; ++e) dot += xi[e] * xk[e];
  const double v = math::rbf_from_norms_and_dot(t.norms[i], t.norms[k], dot, t.gamma);
  return t.round_to_float != 0 ? static_cast<double>(static_cast<float>(v)) : v;
}

// Pass A (this thread's samples): G += the step of pair (i, j) when i >= 0 (rows i mod l and
// j mod l, signed steps), fused with the I_up candidates, as smo_update_and_max_up on the CPU.
__device__ SmoBest scan_up(const SmoTask& t, long long i, long long j, double step_i,
                           double step_j) {
  const long long l = t.l;
  SmoBest best{-kSmoInf, -1};
  for (long long k = threadIdx.x; k < l; k += kSmoBlock) {
    double ga = t.grad[k];
    double gs = t.grad[k + l];
    if (i >= 0) {
      const double v = math::smo_gradient_delta(kernel_entry(t, i % l, k), step_i,
                                                kernel_entry(t, j % l, k), step_j);
      ga += v;
      gs -= v;
      t.grad[k] = ga;
      t.grad[k + l] = gs;
    }
    math::smo_offer_up(t.alpha[k], t.alpha[k + l], ga, gs, t.c, k, l, best);
  }
  return best;
}

// Pass B (this thread's samples): the I_low candidates of WSS 2 for the selected i.
__device__ LowPartial scan_low(const SmoTask& t, const SmoBest& up) {
  const long long l = t.l;
  const bool have_i = up.index >= 0;
  const long long ri = have_i ? up.index % l : 0;
  LowPartial p{SmoBest{kSmoInf, -1}, -kSmoInf};
  for (long long k = threadIdx.x; k < l; k += kSmoBlock) {
    const double k_ik = have_i ? kernel_entry(t, ri, k) : 0.0;
    math::smo_offer_low(t.alpha[k], t.alpha[k + l], t.grad[k], t.grad[k + l], t.c, have_i, k_ik,
                        up.value, k, l, p.best, p.gmax2);
  }
  return p;
}

// One SMO step on (i, j), by a single thread: libsvm's pair update with Q_ii = Q_jj = 1 (the
// RBF diagonal) and Q_ij = s_i s_j K_ij. Returns the signed steps s (a_new - a_old) through
// `steps`, which pass A of the next iteration applies to the gradient.
__device__ void take_step(const SmoTask& t, long long i, long long j, double* steps) {
  const double si = i < t.l ? 1.0 : -1.0;
  const double sj = j < t.l ? 1.0 : -1.0;
  const double old_i = t.alpha[i];
  const double old_j = t.alpha[j];
  const double k_ij = kernel_entry(t, i % t.l, j % t.l);
  const math::SmoPair next = math::smo_update_pair(si == sj, old_i, old_j, t.grad[i], t.grad[j],
                                                   1.0, 1.0, si * sj * k_ij, t.c, t.c);
  t.alpha[i] = next.alpha_i;
  t.alpha[j] = next.alpha_j;
  steps[0] = si * (next.alpha_i - old_i);
  steps[1] = sj * (next.alpha_j - old_j);
}

// libsvm's rho and the objective 0.5 sum_t a_t (G_t + p_t) over this thread's samples.
__device__ FinalPartial scan_final(const SmoTask& t) {
  const long long l = t.l;
  FinalPartial f{math::smo_rho_empty(), 0.0};
  for (long long k = threadIdx.x; k < l; k += kSmoBlock) {
    const double aa = t.alpha[k], as = t.alpha[k + l];
    const double ga = t.grad[k], gs = t.grad[k + l];
    math::smo_rho_add(f.rho, 1.0, aa, ga, t.c);
    math::smo_rho_add(f.rho, -1.0, as, gs, t.c);
    f.objective += aa * (ga + (t.epsilon - t.target[k]));
    f.objective += as * (gs + (t.epsilon + t.target[k]));
  }
  return f;
}

// One block per task. Every branch that reaches a barrier depends only on block-wide values
// (reduction results and the task), so all threads take it together.
__global__ void __launch_bounds__(kSmoBlock)
    svr_smo_kernel(const SmoTask* __restrict__ tasks, SmoTaskResult* __restrict__ results) {
  __shared__ SmoBest up_slots[kSmoWarps];
  __shared__ SmoBest up_result;
  __shared__ LowPartial low_slots[kSmoWarps];
  __shared__ LowPartial low_result;
  __shared__ FinalPartial final_slots[kSmoWarps];
  __shared__ FinalPartial final_result;
  __shared__ double steps[2];
  const SmoTask t = tasks[blockIdx.x];
  const long long l = t.l;
  // a = 0, so G = Q a + p = p.
  for (long long k = threadIdx.x; k < l; k += kSmoBlock) {
    t.alpha[k] = 0.0;
    t.alpha[k + l] = 0.0;
    t.grad[k] = t.epsilon - t.target[k];
    t.grad[k + l] = t.epsilon + t.target[k];
  }
  __syncthreads();
  long long n_iter = 0;
  int converged = 0;
  double gap = 0.0;
  long long i = -1, j = -1;
  double step_i = 0.0, step_j = 0.0;
  for (;;) {
    const SmoBest up =
        block_reduce(scan_up(t, i, j, step_i, step_j), MaxMerge{}, up_slots, &up_result);
    const LowPartial low = block_reduce(scan_low(t, up), LowMerge{}, low_slots, &low_result);
    // Stop when m(a) - M(a) < tol (Fan, Chen & Lin 2005, eq. (13)) or when no j improves.
    gap = up.value + low.gmax2;
    if (gap < t.tol || low.best.index < 0) {
      converged = 1;
      break;
    }
    if (n_iter >= t.max_iter) break;
    if (threadIdx.x == 0) take_step(t, up.index, low.best.index, steps);
    __syncthreads();  // the new pair and the steps are visible to every thread
    i = up.index;
    j = low.best.index;
    step_i = steps[0];
    step_j = steps[1];
    ++n_iter;
  }
  const FinalPartial f = block_reduce(scan_final(t), FinalMerge{}, final_slots, &final_result);
  if (threadIdx.x == 0) {
    SmoTaskResult r;
    r.rho = math::smo_rho_value(f.rho);
    r.objective = f.objective / 2.0;
    r.kkt_gap = gap;
    r.n_iter = n_iter;
    r.converged = converged;
    r.status = isfinite(r.rho) && isfinite(r.objective) ? kSmoStatusOk : kSmoStatusNonFinite;
    results[blockIdx.x] = r;
  }
}

__global__ void __launch_bounds__(kRoundBlock)
    round_to_float_kernel(double* __restrict__ values, std::size_t count) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t e = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < count;
       e += stride) {
    values[e] = static_cast<double>(static_cast<float>(values[e]));
  }
}

}  // namespace

void launch_svr_smo(const Context& ctx, const SmoTask* tasks, SmoTaskResult* results,
                    std::size_t count) {
  if (count == 0) return;
  THERMEX_EXPECTS(tasks != nullptr && results != nullptr, "launch_svr_smo: null pointer");
  THERMEX_EXPECTS(count <= static_cast<std::size_t>(INT_MAX),
                  "launch_svr_smo: more problems than grid blocks");
  svr_smo_kernel<<<static_cast<unsigned>(count), kSmoBlock, 0, stream_of(ctx)>>>(tasks, results);
  THERMEX_CUDA_CHECK(cudaGetLastError());
}

void launch_round_to_float(const Context& ctx, double* values, std::size_t count) {
  if (count == 0) return;
  THERMEX_EXPECTS(values != nullptr, "launch_round_to_float: null pointer");
  const std::size_t blocks =
      std::min<std::size_t>((count + kRoundBlock - 1) / kRoundBlock, kRoundBlocksMax);
  round_to_float_kernel<<<static_cast<unsigned>(blocks), kRoundBlock, 0, stream_of(ctx)>>>(values,
                                                                                           count);
  THERMEX_CUDA_CHECK(cudaGetLastError());
}

}  // namespace thermex::cuda
