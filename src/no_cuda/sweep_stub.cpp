// Built when thermex is configured without the CUDA toolkit: the CUDA backend of the composition
// sweeps exists and says clearly why it cannot run.
#include "../sweep_internal.hpp"
#include "thermex/error.hpp"

namespace thermex::cuda {
void sweep_compute(const Context& /*ctx*/, const SweepPlan& /*plan*/, SweepChunk& /*chunk*/) {
  throw Error(
      "composition sweep: thermex was built without CUDA; reconfigure with -DTHERMEX_CUDA=ON or "
      "use --device cpu");
}
}  // namespace thermex::cuda
