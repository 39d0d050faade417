// Built when thermex is configured without the CUDA toolkit: the CUDA backend of SVR prediction
// exists and says clearly why it cannot run.
#include "../svr_predict_impl.hpp"
#include "thermex/error.hpp"

namespace thermex::cuda {
void svr_predict(const Context& /*ctx*/, const SvrModel& /*model*/,
                 std::span<const double> /*x_rowmajor*/, std::size_t /*n*/,
                 std::span<double> /*out*/, const SvrPredictOptions& /*options*/) {
  throw Error(
      "svr_predict: thermex was built without CUDA; reconfigure with -DTHERMEX_CUDA=ON or use "
      "--device cpu");
}
}  // namespace thermex::cuda
