// Built when thermex is configured without the CUDA toolkit: the CUDA backend of the SVR fits
// exists and says clearly why it cannot run.
#include "../svr_internal.hpp"
#include "thermex/error.hpp"

namespace thermex::cuda {
std::vector<SvrModel> svr_fit_batch(const Context& /*ctx*/,
                                    std::span<const thermex::detail::SvrPrepared> /*preps*/,
                                    std::span<const SvrProblem> /*problems*/,
                                    std::span<const std::string> /*feature_names*/) {
  throw Error("SVR: built without CUDA; reconfigure with -DTHERMEX_CUDA=ON or use --device cpu");
}
}  // namespace thermex::cuda
