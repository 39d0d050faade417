// Built when thermex is configured without the CUDA toolkit.
#include "thermex/context.hpp"

namespace thermex {
int cuda_device_count() noexcept { return 0; }
}  // namespace thermex
