// Built when thermex is configured without the CUDA toolkit: the CUDA backend of exact SHAP
// exists and says clearly why it cannot run.
#include "../shap_exact_impl.hpp"
#include "thermex/error.hpp"

namespace thermex::cuda {
void shap_exact(const Context& /*ctx*/, const ShapExactInputs& /*in*/, std::span<double> /*values*/,
                const ShapExactCudaOptions& /*options*/) {
  throw Error(
      "svr_shap: thermex was built without CUDA; reconfigure with -DTHERMEX_CUDA=ON or use "
      "--device cpu");
}
}  // namespace thermex::cuda
