// CPU twin of featurize_sites: the shared header math, one composition per loop iteration.
#include <cstddef>
#include <cstdint>

#include "thermex/site_featurize.hpp"

namespace thermex::cpu {

void featurize_sites(const Context& /*ctx*/, std::span<const math::SiteComposition> sites,
                     std::span<const math::SiteProperties> props, std::span<double> out) {
  const auto n = static_cast<std::int64_t>(sites.size());
  constexpr auto kWidth = static_cast<std::size_t>(math::kCompositionFeatureCount);
  // Every site writes only its own row: the result is independent of the thread count.
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) {
    const auto row = static_cast<std::size_t>(i);
    math::featurize_site(sites[row], props[row], out.data() + row * kWidth);
  }
}

}  // namespace thermex::cpu
