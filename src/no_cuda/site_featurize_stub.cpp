// Built without the CUDA toolkit: the CUDA twin of featurize_sites says why it cannot run.
#include "thermex/error.hpp"
#include "thermex/site_featurize.hpp"

namespace thermex::cuda {
void featurize_sites(const Context& /*ctx*/, std::span<const math::SiteComposition> /*sites*/,
                     std::span<const math::SiteProperties> /*props*/, std::span<double> /*out*/) {
  throw Error(
      "featurize_sites: thermex was built without CUDA; reconfigure with -DTHERMEX_CUDA=ON or use "
      "--device cpu");
}
}  // namespace thermex::cuda
