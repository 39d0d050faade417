// Built when thermex is configured without the CUDA toolkit: the CUDA backend of the Monte
// Carlo SHAP estimators exists and says clearly why it cannot run.
#include "../shap_mc_impl.hpp"
#include "thermex/error.hpp"

namespace thermex::cuda {
namespace {
[[noreturn]] void no_cuda() {
  throw Error(
      "svr_shap: thermex was built without CUDA; reconfigure with -DTHERMEX_CUDA=ON or use "
      "--device cpu");
}
}  // namespace

std::unique_ptr<thermex::detail::CoalitionEvaluator> make_coalition_evaluator(
    const Context& /*ctx*/, const thermex::detail::ShapGame& /*game*/,
    std::span<const double> /*x_std*/, const ShapMcCudaOptions& /*options*/) {
  no_cuda();
}

void shap_permutation(const Context& /*ctx*/, const thermex::detail::ShapGame& /*game*/,
                      std::span<const double> /*x_std*/, std::size_t /*n*/, std::uint64_t /*seed*/,
                      std::size_t /*pairs*/, double /*target_se*/, ShapResult& /*out*/,
                      const ShapMcCudaOptions& /*options*/) {
  no_cuda();
}

void shap_kernel(const Context& /*ctx*/, const thermex::detail::ShapGame& /*game*/,
                 std::span<const double> /*x_std*/, std::size_t /*n*/, std::uint64_t /*seed*/,
                 std::size_t /*pairs*/, double /*target_se*/, ShapResult& /*out*/,
                 const ShapMcCudaOptions& /*options*/) {
  no_cuda();
}
}  // namespace thermex::cuda
