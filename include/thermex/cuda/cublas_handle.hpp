#pragma once
/// \file
/// CublasHandle: a move-only owner of a cuBLAS handle, and the per-thread handle cache that the
/// cuBLAS-based algorithms use. CUDA-only header.

#include <cublas_v2.h>

#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include "thermex/cuda/check.hpp"
#include "thermex/error.hpp"

namespace thermex::cuda {

/// An owned cuBLAS handle, bound to the device current at construction.
class CublasHandle {
 public:
  /// Creates the handle (milliseconds: it allocates cuBLAS's workspace); throws CudaError.
  CublasHandle() { THERMEX_CUDA_CHECK(cublasCreate(&handle_)); }
  /// Destroys the handle; logs (never throws) on failure.
  ~CublasHandle() {
    if (handle_ != nullptr) THERMEX_CUDA_LOG_ON_ERROR(cublasDestroy(handle_));
  }
  /// Move-only: exactly one owner releases the resource; a moved-from object is null.
  CublasHandle(const CublasHandle&) = delete;
  CublasHandle& operator=(const CublasHandle&) = delete;
  CublasHandle(CublasHandle&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  CublasHandle& operator=(CublasHandle&& other) noexcept {
    if (this != &other) {
      if (handle_ != nullptr) THERMEX_CUDA_LOG_ON_ERROR(cublasDestroy(handle_));
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }

  /// The raw handle (null after a move).
  cublasHandle_t get() const noexcept { return handle_; }
  /// Makes the handle's subsequent calls run on `stream`; throws CudaError on failure.
  void set_stream(cudaStream_t stream) { THERMEX_CUDA_CHECK(cublasSetStream(handle_, stream)); }

 private:
  cublasHandle_t handle_ = nullptr;
};

/// The calling thread's handle for `device` (>= 0), created on first use with `device` made
/// current by the caller (DeviceGuard), and destroyed when the thread exits. A cache because
/// creating a handle costs far more than a small GEMM, and per thread because one handle must not
/// be used by two host threads at once. Set its stream before each use: the handle is shared by
/// every algorithm on this thread.
inline CublasHandle& thread_cublas_handle(int device) {
  THERMEX_EXPECTS(device >= 0, "thread_cublas_handle: negative device ordinal");
  thread_local std::vector<std::optional<CublasHandle>> handles;
  const auto slot = static_cast<std::size_t>(device);
  if (handles.size() <= slot) handles.resize(slot + 1);
  if (!handles[slot]) handles[slot].emplace();
  return *handles[slot];
}

}  // namespace thermex::cuda
