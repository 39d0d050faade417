// Built when thermex is configured without the CUDA toolkit: the CUDA backend of null
// importance exists and says clearly why it cannot run.
#include "../null_importance_impl.hpp"
#include "thermex/error.hpp"

namespace thermex::cuda {
void null_forest_importances(const Context& /*ctx*/, const BinnedFeatures& /*features*/,
                             std::span<const double> /*y*/,
                             std::span<const std::uint32_t> /*permutations*/, std::size_t /*fits*/,
                             const ForestOptions& /*options*/, std::uint64_t /*seed*/,
                             std::span<double> /*importance*/,
                             const NullForestCudaOptions& /*cuda_options*/) {
  throw Error(
      "null importance: thermex was built without CUDA; reconfigure with -DTHERMEX_CUDA=ON or "
      "use --device cpu");
}
}  // namespace thermex::cuda
