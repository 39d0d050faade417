// Built when thermex is configured without the CUDA toolkit: the CUDA backend of the RBF kernel
// matrix exists and says clearly why it cannot run.
#include "../rbf_kernel_impl.hpp"
#include "thermex/error.hpp"

namespace thermex::cuda {
void rbf_kernel_matrix(const Context& /*ctx*/, std::span<const double> /*x*/, std::size_t /*n*/,
                       std::span<const double> /*z*/, std::size_t /*m*/, std::size_t /*d*/,
                       double /*gamma*/, std::span<double> /*out*/) {
  throw Error(
      "rbf_kernel_matrix: thermex was built without CUDA; reconfigure with -DTHERMEX_CUDA=ON or "
      "use --device cpu");
}
}  // namespace thermex::cuda
