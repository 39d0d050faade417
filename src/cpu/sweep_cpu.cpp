// CPU backend of the composition sweeps: OpenMP over blocks of kBlock points; per block the
// points are featurized (math::sweep_site_composition + math::featurize_site, the functions the
// CUDA kernel calls), then every model of every target is evaluated with the loops running over
// the block's points, so they vectorize: for support vector k, d2 = c_k + sum_v (z_v - s_kv)^2
// in the model's standardized space (c_k: the constant features' share, precomputed by the
// plan), then acc += beta_k exp(-gamma d2). Each point's value is the same sequence of
// operations whatever block, chunk or thread holds it; blocks are padded to full width so there
// is no scalar remainder loop with different code.
//
// -fno-trapping-math lets GCC turn the clamps of math::exp_nonpositive into vector selects (see
// cmake/ThermexCpuFlags.cmake, which sets it for the RBF kernel; here the pragma does it, as this
// file is not listed there); values are unchanged, only floating-point exception flags, which
// thermex never reads, may differ. Without it the exponential loop stays scalar.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "../sweep_internal.hpp"
#include "thermex/math/featurize.hpp"
#include "thermex/math/rbf.hpp"
#include "thermex/math/sweep_site.hpp"

namespace thermex::cpu {
namespace {

// Points per block: a multiple of every SIMD width, small enough that the block's features,
// distances and accumulators stay in L1.
constexpr std::size_t kBlock = 64;

struct BlockJob {
  const SweepPlan* plan;
  std::size_t first;  // grid index of the block's first point
  std::size_t n;      // real points in the block (<= kBlock; the rest are padding)
  double* fractions;  // n x k output (row-major)
  double* u;          // composition.size() x kBlock features, feature-major
};

// Featurizes the block's points into job.u (padding lanes repeat the last real point, so they
// stay finite) and writes their fractions.
void featurize_block(const BlockJob& job) {
  const SweepPlan& plan = *job.plan;
  const int k = static_cast<int>(plan.k);
  std::uint32_t counts[math::kMaxSiteElements] = {};
  math::simplex_unrank(k, plan.site.m, job.first, counts);
  double all[math::kCompositionFeatureCount];
  const std::size_t ncomp = plan.composition.size();
  for (std::size_t p = 0; p < kBlock; ++p) {
    if (p < job.n) {
      if (p > 0) math::simplex_next(k, counts);
      math::SiteProperties props;
      const math::SiteComposition c = math::sweep_site_composition(plan.site, counts, props.en,
                                                                   props.radius_A, props.phi_per_A);
      math::featurize_site(c, props, all);
      for (int e = 0; e < k; ++e) {
        job.fractions[p * plan.k + static_cast<std::size_t>(e)] =
            static_cast<double>(counts[e]) / static_cast<double>(plan.site.m);
      }
    }
    for (std::size_t v = 0; v < ncomp; ++v) {
      job.u[v * kBlock + p] = all[plan.composition[v]];
    }
  }
}

// acc[p] += beta_k exp(-gamma d2) over the support vectors in order, d2 = c_k + sum_v
// (z_v[p] - s_kv)^2 summed in feature order, in separate passes over the block's points (each pass
// vectorizes; fusing them with the feature count as a template constant measured no faster).
inline void accumulate(const SweepModelPack& mp, const double* z, double* acc) {
  const std::size_t nv = mp.var_columns.size();
  alignas(64) double d2[kBlock];
  for (std::size_t s = 0; s < mp.n_sv; ++s) {
    const double c0 = mp.sv_const[s];
    for (std::size_t p = 0; p < kBlock; ++p) d2[p] = c0;
    for (std::size_t v = 0; v < nv; ++v) {
      const double sv = mp.sv_var[v * mp.n_sv + s];
      const double* zv = z + v * kBlock;
      for (std::size_t p = 0; p < kBlock; ++p) {
        const double t = zv[p] - sv;
        d2[p] += t * t;
      }
    }
    const double beta = mp.dual_coef[s];
    for (std::size_t p = 0; p < kBlock; ++p)
      acc[p] += beta * math::rbf_from_sqdist(d2[p], mp.gamma);
  }
}

// Predictions of one model for the kBlock points of `u` in original target units into out.
// `z` is scratch of (varying features) x kBlock.
inline void predict_block(const SweepModelPack& mp, const double* u, double* z, double* out) {
  const std::size_t nv = mp.var_columns.size();
  for (std::size_t v = 0; v < nv; ++v) {
    const double* uv = u + mp.var_columns[v] * kBlock;
    const double mean = mp.var_means[v];
    const double scale = mp.var_scales[v];
    double* zv = z + v * kBlock;
    for (std::size_t p = 0; p < kBlock; ++p) zv[p] = (uv[p] - mean) / scale;
  }
  alignas(64) double acc[kBlock] = {};
  accumulate(mp, z, acc);
  // The sum first, then the intercept, then 10^f: svr_predict's order.
  for (std::size_t p = 0; p < kBlock; ++p) {
    const double f = acc[p] + mp.intercept;
    out[p] = mp.log10_target ? std::pow(10.0, f) : f;
  }
}

// All models of a target for one block: out is models x kBlock.
void predict_target(const SweepTargetPlan& t, const double* u, double* z, double* out) {
  for (std::size_t b = 0; b < t.models.size(); ++b)
    predict_block(t.models[b], u, z, out + b * kBlock);
}

// The same loop compiled for wider SIMD; on one machine the variant is fixed, so the bytes do
// not depend on the thread count or the chunk size.
void predict_baseline(const SweepTargetPlan& t, const double* u, double* z, double* out) {
  predict_target(t, u, z, out);
}
#if defined(__x86_64__)
[[gnu::target("avx2,fma"), gnu::flatten]] void predict_avx2(const SweepTargetPlan& t,
                                                            const double* u, double* z,
                                                            double* out) {
  predict_target(t, u, z, out);
}
[[gnu::target("avx512f,avx512dq,avx512vl,avx2,fma"), gnu::flatten]] void predict_avx512(
    const SweepTargetPlan& t, const double* u, double* z, double* out) {
  predict_target(t, u, z, out);
}
#endif

using PredictFn = void (*)(const SweepTargetPlan&, const double*, double*, double*);

PredictFn pick_predict() {
#if defined(__x86_64__)
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512vl")) {
    return predict_avx512;
  }
  if (avx2) return predict_avx2;
#endif
  return predict_baseline;
}

// Writes the point prediction and the replica statistics of the block's real points.
void block_stats(const SweepPlan& plan, const SweepTargetPlan& t, const double* preds,
                 std::size_t offset, std::size_t n, SweepTargetChunk& out,
                 std::vector<double>& reps) {
  const std::size_t nrep = t.replicas();
  for (std::size_t p = 0; p < n; ++p) {
    out.prediction[offset + p] = preds[p];
    if (nrep == 0) continue;
    for (std::size_t b = 0; b < nrep; ++b) reps[b] = preds[(b + 1) * kBlock + p];
    math::sweep_moments(reps.data(), nrep, &out.boot_mean[offset + p], &out.boot_std[offset + p]);
    std::sort(reps.begin(), reps.begin() + static_cast<std::ptrdiff_t>(nrep));
    out.boot_lo[offset + p] = math::sweep_sorted_quantile(reps.data(), nrep, plan.quantile_lo);
    out.boot_hi[offset + p] = math::sweep_sorted_quantile(reps.data(), nrep, plan.quantile_hi);
  }
}

}  // namespace

void sweep_compute(const Context& /*ctx*/, const SweepPlan& plan, SweepChunk& chunk) {
  const std::size_t n_blocks = (chunk.count + kBlock - 1) / kBlock;
  std::size_t max_models = 0, max_var = 1;
  for (const auto& t : plan.targets) {
    max_models = std::max(max_models, t.models.size());
    for (const auto& m : t.models) max_var = std::max(max_var, m.var_columns.size());
  }
  const PredictFn predict = pick_predict();
  // Fixed blocks, any schedule: which thread computes a block does not matter, since no value is
  // reduced across points.
#pragma omp parallel
  {
    std::vector<double> u(std::max<std::size_t>(plan.composition.size(), 1) * kBlock);
    std::vector<double> z(max_var * kBlock);
    std::vector<double> preds(max_models * kBlock);
    std::vector<double> reps(max_models);
#pragma omp for schedule(dynamic, 4)
    for (std::size_t blk = 0; blk < n_blocks; ++blk) {
      const std::size_t offset = blk * kBlock;
      const std::size_t n = std::min(kBlock, chunk.count - offset);
      const BlockJob job{&plan, chunk.begin + offset, n, chunk.fractions.data() + offset * plan.k,
                         u.data()};
      featurize_block(job);
      for (std::size_t t = 0; t < plan.targets.size(); ++t) {
        predict(plan.targets[t], u.data(), z.data(), preds.data());
        block_stats(plan, plan.targets[t], preds.data(), offset, n, chunk.targets[t], reps);
      }
    }
  }
}

}  // namespace thermex::cpu
