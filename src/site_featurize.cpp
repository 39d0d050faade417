// Validation and the one backend switch of featurize_sites.
#include "thermex/site_featurize.hpp"

#include <string>

#include "thermex/error.hpp"

namespace thermex {

void featurize_sites(const Context& ctx, std::span<const math::SiteComposition> sites,
                     std::span<const math::SiteProperties> props, std::span<double> out) {
  constexpr auto kWidth = static_cast<std::size_t>(math::kCompositionFeatureCount);
  THERMEX_EXPECTS(props.size() == sites.size(), "featurize_sites: one SiteProperties per site");
  THERMEX_EXPECTS(out.size() == sites.size() * kWidth,
                  "featurize_sites: out must hold sites.size() * kCompositionFeatureCount values");
  for (std::size_t i = 0; i < sites.size(); ++i) {
    if (sites[i].count < 1 || sites[i].count > math::kMaxSiteElements) {
      throw Error("featurize_sites: site " + std::to_string(i) + " has " +
                  std::to_string(sites[i].count) + " TM-site elements (expected 1..8)");
    }
  }
  if (sites.empty()) return;
  switch (ctx.device()) {
    case Device::kCpu:
      cpu::featurize_sites(ctx, sites, props, out);
      return;
    case Device::kCuda:
      cuda::featurize_sites(ctx, sites, props, out);
      return;
  }
}

}  // namespace thermex
