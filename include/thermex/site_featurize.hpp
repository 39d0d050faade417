#pragma once
/// \file
/// Batched composition featurization: math::featurize_site over many compositions at once, on
/// the CPU (OpenMP) or the GPU (one thread per composition). The composition sweeps stream
/// millions of simplex points through this; the feature table builder uses the single-site
/// host call in features.hpp, which runs the very same header function.

#include <span>

#include "thermex/context.hpp"
#include "thermex/math/featurize.hpp"

namespace thermex {

/// Writes math::kCompositionFeatureCount features of sites[i] with properties props[i] to
/// out[i * kCompositionFeatureCount ...] (row-major, kFeat* order) on ctx.device().
/// Preconditions: props.size() == sites.size(), out.size() == sites.size() *
/// kCompositionFeatureCount, each site satisfying the SiteComposition invariants (count in
/// [1, kMaxSiteElements]); throws Error otherwise. Cost O(n * count); empty input is a no-op.
void featurize_sites(const Context& ctx, std::span<const math::SiteComposition> sites,
                     std::span<const math::SiteProperties> props, std::span<double> out);

namespace cpu {
/// CPU twin (src/cpu/site_featurize_cpu.cpp); arguments already validated.
void featurize_sites(const Context& ctx, std::span<const math::SiteComposition> sites,
                     std::span<const math::SiteProperties> props, std::span<double> out);
}  // namespace cpu

namespace cuda {
/// CUDA twin (kernels/site_featurize.cu): copies in, one thread per site, copies out and
/// blocks until `out` is filled. Built without CUDA it throws Error.
void featurize_sites(const Context& ctx, std::span<const math::SiteComposition> sites,
                     std::span<const math::SiteProperties> props, std::span<double> out);
}  // namespace cuda

}  // namespace thermex
