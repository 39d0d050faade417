#pragma once
/// \file
/// DeviceGuard: makes a device current for a scope and restores the previous one. CUDA-only.

#include <cuda_runtime_api.h>

#include "thermex/cuda/check.hpp"

namespace thermex::cuda {

/// Makes `device` (an ordinal, e.g. Context::cuda_device()) the calling thread's current device
/// until the guard goes out of scope, then restores the previous one. Neither copyable nor
/// movable, so the restore happens exactly once, in the scope that switched.
class DeviceGuard {
 public:
  /// Switches only when `device` is not already current; throws CudaError on failure.
  explicit DeviceGuard(int device) {
    THERMEX_CUDA_CHECK(cudaGetDevice(&previous_));
    if (previous_ != device) {
      THERMEX_CUDA_CHECK(cudaSetDevice(device));
      switched_ = true;
    }
  }
  /// Restores the previous device; logs (never throws) on failure.
  ~DeviceGuard() {
    if (switched_) THERMEX_CUDA_LOG_ON_ERROR(cudaSetDevice(previous_));
  }
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int previous_ = 0;
  bool switched_ = false;
};

}  // namespace thermex::cuda
