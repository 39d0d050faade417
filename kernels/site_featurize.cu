// CUDA twin of featurize_sites: one thread per composition running math::featurize_site, the
// same header function the CPU twin and the feature table builder call.
#include <cuda_runtime.h>

#include <cstdint>

#include "thermex/cuda/check.hpp"
#include "thermex/cuda/device_buffer.hpp"
#include "thermex/cuda/device_guard.hpp"
#include "thermex/site_featurize.hpp"

namespace thermex::cuda {
namespace {

constexpr int kFeaturizeBlock = 128;  // one small struct per thread; occupancy is not the limit

__global__ void featurize_sites_kernel(const math::SiteComposition* sites,
                                       const math::SiteProperties* props, std::int64_t n,
                                       double* out) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    math::featurize_site(sites[i], props[i], out + i * math::kCompositionFeatureCount);
  }
}

void launch_featurize_sites(const Context& ctx, const math::SiteComposition* sites,
                            const math::SiteProperties* props, std::int64_t n, double* out) {
  if (n == 0) return;
  const auto stream = static_cast<cudaStream_t>(ctx.cuda_stream());
  const std::int64_t blocks_needed = (n + kFeaturizeBlock - 1) / kFeaturizeBlock;
  const int blocks = static_cast<int>(blocks_needed < 65535 ? blocks_needed : 65535);
  featurize_sites_kernel<<<blocks, kFeaturizeBlock, 0, stream>>>(sites, props, n, out);
  THERMEX_CUDA_CHECK(cudaGetLastError());
}

}  // namespace

void featurize_sites(const Context& ctx, std::span<const math::SiteComposition> sites,
                     std::span<const math::SiteProperties> props, std::span<double> out) {
  const DeviceGuard guard(ctx.cuda_device());
  const auto stream = static_cast<cudaStream_t>(ctx.cuda_stream());
  DeviceBuffer<math::SiteComposition> sites_dev(sites.size(), stream);
  DeviceBuffer<math::SiteProperties> props_dev(props.size(), stream);
  DeviceBuffer<double> out_dev(out.size(), stream);
  sites_dev.copy_from_host(sites);
  props_dev.copy_from_host(props);
  launch_featurize_sites(ctx, sites_dev.data(), props_dev.data(),
                         static_cast<std::int64_t>(sites.size()), out_dev.data());
  out_dev.copy_to_host(out);  // blocks: the caller reads `out` next
}

}  // namespace thermex::cuda
