// CUDA backend of the composition sweeps (src/sweep_internal.hpp): per sub-batch of a chunk's
// points,
//   1. featurize_kernel: one thread per point unranks its grid index and featurizes it with
//      math::sweep_site_composition + math::featurize_site (the CPU twin's calls), writing the
//      per-point feature columns (feature-major) and the fractions;
//   2. predict_kernel: a block of kPredictBlock points x one model; the model's support vectors
//      stream through shared memory in tiles, each thread sums beta_k exp(-gamma d2) over them in
//      support-vector order with d2 = c_k + sum_v (z_v - s_kv)^2 (the CPU's operations and order,
//      so the backends differ only by FMA contraction), and stores f + b (10^ for log10 models);
//   3. cub::DeviceSegmentedSort sorts each point's replica values, and stats_kernel writes the
//      point prediction, mean and std (replica order, math::sweep_moments) and the percentiles
//      (math::sweep_sorted_quantile).
// The direct distance is used instead of a GEMM: the per-point features are few (<= 26), so the
// exponential dominates, and a GEMM's (points x all support vectors) intermediate would not fit
// for 200 replicas; the direct form also has no cancellation.
#include <cuda_runtime.h>
#include <cub/device/device_segmented_sort.cuh>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "../src/sweep_internal.hpp"
#include "thermex/cuda/check.hpp"
#include "thermex/cuda/device_buffer.hpp"
#include "thermex/cuda/device_guard.hpp"
#include "thermex/error.hpp"
#include "thermex/math/featurize.hpp"
#include "thermex/math/rbf.hpp"
#include "thermex/math/sweep_site.hpp"

namespace thermex::cuda {
namespace {

constexpr int kBlock = 256;         // featurize and stats kernels
constexpr int kPredictBlock = 128;  // points per predict block
constexpr int kTile = 64;           // support vectors per shared-memory tile
constexpr int kMaxVar = math::kCompositionFeatureCount;
constexpr unsigned kMaxGridY = 65535;
// Device memory for one sub-batch's model values (unsorted + sorted), features and results.
constexpr std::size_t kBudgetBytes = std::size_t{512} << 20;

cudaStream_t stream_of(const Context& ctx) { return static_cast<cudaStream_t>(ctx.cuda_stream()); }

// One model of the flattened plan.
struct DevModel {
  std::uint64_t sv_begin;     // into sv_const / coef
  std::uint64_t var_begin;    // into var_cols / var_means / var_scales
  std::uint64_t svvar_begin;  // into sv_var (nv x n_sv, feature-major)
  std::uint64_t out_base;     // per point: values[out_base * n + p * n_models + local]
  std::uint32_t n_sv;
  std::uint32_t nv;
  std::uint32_t local;     // 0 = point model, b = replica b - 1
  std::uint32_t n_models;  // models of its target
  double gamma;
  double intercept;
  int log10_target;
};

struct DevPlan {
  DeviceBuffer<DevModel> models;
  DeviceBuffer<std::uint32_t> var_cols;
  DeviceBuffer<double> var_means, var_scales, sv_const, coef, sv_var;
  DeviceBuffer<int> composition;
  std::size_t n_models = 0;
  std::size_t models_total = 0;  // sum over targets of their model counts (values per point)
};

template <typename T>
DeviceBuffer<T> upload(const std::vector<T>& host, cudaStream_t stream) {
  DeviceBuffer<T> d(host.size(), stream);
  d.copy_from_host(host);
  return d;
}

DevPlan upload_plan(const SweepPlan& plan, cudaStream_t stream) {
  std::vector<DevModel> models;
  std::vector<std::uint32_t> var_cols;
  std::vector<double> means, scales, sv_const, coef, sv_var;
  std::uint64_t base = 0;
  for (const auto& t : plan.targets) {
    for (std::size_t b = 0; b < t.models.size(); ++b) {
      const SweepModelPack& m = t.models[b];
      models.push_back(DevModel{
          sv_const.size(), var_cols.size(), sv_var.size(), base, static_cast<std::uint32_t>(m.n_sv),
          static_cast<std::uint32_t>(m.var_columns.size()), static_cast<std::uint32_t>(b),
          static_cast<std::uint32_t>(t.models.size()), m.gamma, m.intercept,
          m.log10_target ? 1 : 0});
      var_cols.insert(var_cols.end(), m.var_columns.begin(), m.var_columns.end());
      means.insert(means.end(), m.var_means.begin(), m.var_means.end());
      scales.insert(scales.end(), m.var_scales.begin(), m.var_scales.end());
      sv_const.insert(sv_const.end(), m.sv_const.begin(), m.sv_const.end());
      coef.insert(coef.end(), m.dual_coef.begin(), m.dual_coef.end());
      sv_var.insert(sv_var.end(), m.sv_var.begin(), m.sv_var.end());
    }
    base += t.models.size();
  }
  DevPlan d;
  d.n_models = models.size();
  d.models_total = static_cast<std::size_t>(base);
  d.models = upload(models, stream);
  d.var_cols = upload(var_cols, stream);
  d.var_means = upload(means, stream);
  d.var_scales = upload(scales, stream);
  d.sv_const = upload(sv_const, stream);
  d.coef = upload(coef, stream);
  d.sv_var = upload(sv_var, stream);
  d.composition = upload(plan.composition, stream);
  return d;
}

__global__ void __launch_bounds__(kBlock)
    featurize_kernel(math::SweepSiteTable site, std::uint64_t first, std::size_t n,
                     const int* __restrict__ composition, int ncomp, double* __restrict__ u,
                     double* __restrict__ fractions) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t p = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; p < n;
       p += stride) {
    std::uint32_t counts[math::kMaxSiteElements];
    math::simplex_unrank(site.k, site.m, first + p, counts);
    math::SiteProperties props;
    const math::SiteComposition c =
        math::sweep_site_composition(site, counts, props.en, props.radius_A, props.phi_per_A);
    double all[math::kCompositionFeatureCount];
    math::featurize_site(c, props, all);
    for (int v = 0; v < ncomp; ++v) u[static_cast<std::size_t>(v) * n + p] = all[composition[v]];
    for (int e = 0; e < site.k; ++e) {
      fractions[p * static_cast<std::size_t>(site.k) + e] =
          static_cast<double>(counts[e]) / static_cast<double>(site.m);
    }
  }
}

__global__ void __launch_bounds__(kPredictBlock)
    predict_kernel(const DevModel* __restrict__ models, std::size_t n_models,
                   const std::uint32_t* __restrict__ var_cols, const double* __restrict__ means,
                   const double* __restrict__ scales, const double* __restrict__ sv_const,
                   const double* __restrict__ coef, const double* __restrict__ sv_var,
                   const double* __restrict__ u, std::size_t n, double* __restrict__ values) {
  __shared__ double z_sh[kMaxVar * kPredictBlock];
  __shared__ double sv_sh[kMaxVar * kTile];
  __shared__ double const_sh[kTile];
  __shared__ double coef_sh[kTile];
  const std::size_t p = static_cast<std::size_t>(blockIdx.x) * kPredictBlock + threadIdx.x;
  const bool live = p < n;
  for (std::size_t g = blockIdx.y; g < n_models; g += gridDim.y) {
    const DevModel m = models[g];
    for (std::uint32_t v = 0; v < m.nv; ++v) {
      const std::uint64_t q = m.var_begin + v;
      // (x - mean) / scale: the CPU scaler's division.
      z_sh[v * kPredictBlock + threadIdx.x] =
          live ? (u[static_cast<std::size_t>(var_cols[q]) * n + p] - means[q]) / scales[q] : 0.0;
    }
    double acc = 0.0;
    for (std::uint32_t k0 = 0; k0 < m.n_sv; k0 += kTile) {
      const std::uint32_t tile = min(static_cast<std::uint32_t>(kTile), m.n_sv - k0);
      __syncthreads();  // the previous tile (and z) is no longer read / now written
      for (std::uint32_t e = threadIdx.x; e < tile * m.nv; e += kPredictBlock) {
        const std::uint32_t v = e / tile, i = e % tile;
        sv_sh[v * kTile + i] =
            sv_var[m.svvar_begin + static_cast<std::uint64_t>(v) * m.n_sv + k0 + i];
      }
      for (std::uint32_t i = threadIdx.x; i < tile; i += kPredictBlock) {
        const_sh[i] = sv_const[m.sv_begin + k0 + i];
        coef_sh[i] = coef[m.sv_begin + k0 + i];
      }
      __syncthreads();
      for (std::uint32_t i = 0; i < tile; ++i) {
        double d2 = const_sh[i];
        for (std::uint32_t v = 0; v < m.nv; ++v) {
          const double t = z_sh[v * kPredictBlock + threadIdx.x] - sv_sh[v * kTile + i];
          d2 += t * t;
        }
        acc += coef_sh[i] * math::rbf_from_sqdist(d2, m.gamma);
      }
    }
    __syncthreads();  // z_sh is rewritten by the next model
    if (live) {
      const double f = acc + m.intercept;  // the sum first, then the intercept (CPU order)
      values[m.out_base * n + p * m.n_models + m.local] = m.log10_target ? pow(10.0, f) : f;
    }
  }
}

// Point prediction and replica statistics of target block `base` (models per point n_models).
__global__ void __launch_bounds__(kBlock)
    stats_kernel(const double* __restrict__ values, const double* __restrict__ sorted,
                 std::size_t n, std::uint32_t n_models, double q_lo, double q_hi,
                 double* __restrict__ out) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  const std::size_t nrep = n_models - 1;
  for (std::size_t p = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; p < n;
       p += stride) {
    const double* v = values + p * n_models;
    out[p] = v[0];
    if (nrep == 0) continue;
    math::sweep_moments(v + 1, nrep, out + n + p, out + 2 * n + p);
    const double* s = sorted + p * n_models + 1;
    out[3 * n + p] = math::sweep_sorted_quantile(s, nrep, q_lo);
    out[4 * n + p] = math::sweep_sorted_quantile(s, nrep, q_hi);
  }
}

unsigned grid_for(std::size_t items, int block) {
  return static_cast<unsigned>(std::clamp<std::size_t>((items + block - 1) / block, 1, 65535));
}

// Sorts each point's replica values of one target (segments [p M + 1, (p + 1) M) of `values`).
void sort_replicas(const double* values, double* sorted, std::size_t n, std::size_t n_models,
                   cudaStream_t stream) {
  std::vector<std::int64_t> begins(n), ends(n);
  for (std::size_t p = 0; p < n; ++p) {
    begins[p] = static_cast<std::int64_t>(p * n_models + 1);
    ends[p] = static_cast<std::int64_t>((p + 1) * n_models);
  }
  const DeviceBuffer<std::int64_t> d_begin = upload(begins, stream);
  const DeviceBuffer<std::int64_t> d_end = upload(ends, stream);
  const auto items = static_cast<std::int64_t>(n * n_models);
  std::size_t temp_bytes = 0;
  THERMEX_CUDA_CHECK(cub::DeviceSegmentedSort::SortKeys(nullptr, temp_bytes, values, sorted, items,
                                                        static_cast<std::int64_t>(n),
                                                        d_begin.data(), d_end.data(), stream));
  DeviceBuffer<unsigned char> temp(std::max<std::size_t>(temp_bytes, 1), stream);
  THERMEX_CUDA_CHECK(cub::DeviceSegmentedSort::SortKeys(temp.data(), temp_bytes, values, sorted,
                                                        items, static_cast<std::int64_t>(n),
                                                        d_begin.data(), d_end.data(), stream));
}

// Runs the pipeline on points [off, off + n) of the chunk and copies the results back.
void compute_batch(const Context& ctx, const SweepPlan& plan, const DevPlan& dp, std::size_t off,
                   std::size_t n, SweepChunk& chunk) {
  const cudaStream_t stream = stream_of(ctx);
  const std::size_t ncomp = plan.composition.size();
  DeviceBuffer<double> u(std::max<std::size_t>(ncomp, 1) * n, stream);
  DeviceBuffer<double> fractions(n * plan.k, stream);
  featurize_kernel<<<grid_for(n, kBlock), kBlock, 0, stream>>>(
      plan.site, chunk.begin + off, n, dp.composition.data(), static_cast<int>(ncomp), u.data(),
      fractions.data());
  THERMEX_CUDA_CHECK(cudaGetLastError());
  DeviceBuffer<double> values(n * dp.models_total, stream);
  values.fill_bytes(0xFF);  // NaN: an entry never written fails the finiteness check
  const dim3 grid(static_cast<unsigned>((n + kPredictBlock - 1) / kPredictBlock),
                  static_cast<unsigned>(std::min<std::size_t>(dp.n_models, kMaxGridY)));
  predict_kernel<<<grid, kPredictBlock, 0, stream>>>(
      dp.models.data(), dp.n_models, dp.var_cols.data(), dp.var_means.data(), dp.var_scales.data(),
      dp.sv_const.data(), dp.coef.data(), dp.sv_var.data(), u.data(), n, values.data());
  THERMEX_CUDA_CHECK(cudaGetLastError());
  DeviceBuffer<double> sorted(n * dp.models_total, stream);
  DeviceBuffer<double> stats(5 * n, stream);
  std::vector<double> host(5 * n);
  std::size_t base = 0;
  for (std::size_t t = 0; t < plan.targets.size(); ++t) {
    const std::size_t nm = plan.targets[t].models.size();
    const double* tv = values.data() + base * n;
    double* ts = sorted.data() + base * n;
    if (nm > 1) sort_replicas(tv, ts, n, nm, stream);
    stats_kernel<<<grid_for(n, kBlock), kBlock, 0, stream>>>(
        tv, ts, n, static_cast<std::uint32_t>(nm), plan.quantile_lo, plan.quantile_hi,
        stats.data());
    THERMEX_CUDA_CHECK(cudaGetLastError());
    stats.copy_to_host(host);  // blocks: `host` is read next
    SweepTargetChunk& out = chunk.targets[t];
    std::copy_n(host.begin(), n, out.prediction.begin() + static_cast<std::ptrdiff_t>(off));
    if (nm > 1) {
      for (std::size_t s = 1; s < 5; ++s) {
        std::vector<double>& dst = s == 1   ? out.boot_mean
                                   : s == 2 ? out.boot_std
                                   : s == 3 ? out.boot_lo
                                            : out.boot_hi;
        std::copy_n(host.begin() + static_cast<std::ptrdiff_t>(s * n), n,
                    dst.begin() + static_cast<std::ptrdiff_t>(off));
      }
    }
    base += nm;
  }
  fractions.copy_to_host(std::span<double>(chunk.fractions).subspan(off * plan.k, n * plan.k));
}

}  // namespace

void sweep_compute(const Context& ctx, const SweepPlan& plan, SweepChunk& chunk) {
  THERMEX_EXPECTS(
      chunk.fractions.size() == chunk.count * plan.k && chunk.targets.size() == plan.targets.size(),
      "cuda::sweep_compute: chunk not sized for the plan");
  if (chunk.count == 0) return;
  const DeviceGuard guard(ctx.cuda_device());
  const cudaStream_t stream = stream_of(ctx);
  const DevPlan dp = upload_plan(plan, stream);
  // Per point: unsorted and sorted model values, features, fractions, five statistics.
  const std::size_t per_point =
      sizeof(double) * (2 * dp.models_total + plan.composition.size() + plan.k + 5);
  const std::size_t batch = std::max<std::size_t>(1, kBudgetBytes / per_point);
  for (std::size_t off = 0; off < chunk.count; off += batch) {
    compute_batch(ctx, plan, dp, off, std::min(batch, chunk.count - off), chunk);
  }
}

}  // namespace thermex::cuda
