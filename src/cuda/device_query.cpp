// Built with the CUDA toolkit; runs on machines with or without a driver and a device.
#include <cuda_runtime_api.h>

#include "thermex/context.hpp"

namespace thermex {
int cuda_device_count() noexcept {
  int count = 0;
  // Without a driver this returns cudaErrorInsufficientDriver or cudaErrorNoDevice: that
  // means "no device", never an exception.
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    (void)cudaGetLastError();  // clear the sticky-free error so later calls start clean
    return 0;
  }
  return count;
}
}  // namespace thermex
