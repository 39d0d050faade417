#pragma once
/// \file
/// Stream: a move-only owner of a CUDA stream. CUDA-only header.

#include <cuda_runtime_api.h>

#include <utility>

#include "thermex/cuda/check.hpp"

namespace thermex::cuda {

/// An owned, non-blocking CUDA stream on the device current at construction (it does not
/// synchronize with the legacy default stream). Destroying it lets queued work finish first.
class Stream {
 public:
  /// Creates the stream; throws CudaError on failure.
  Stream() { THERMEX_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking)); }
  /// Destroys the stream; logs (never throws) on failure.
  ~Stream() {
    if (stream_ != nullptr) THERMEX_CUDA_LOG_ON_ERROR(cudaStreamDestroy(stream_));
  }
  /// Move-only: exactly one owner releases the resource; a moved-from object is null.
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  Stream(Stream&& other) noexcept : stream_(std::exchange(other.stream_, nullptr)) {}
  Stream& operator=(Stream&& other) noexcept {
    if (this != &other) {
      if (stream_ != nullptr) THERMEX_CUDA_LOG_ON_ERROR(cudaStreamDestroy(stream_));
      stream_ = std::exchange(other.stream_, nullptr);
    }
    return *this;
  }

  /// The raw handle (null after a move); what Context::cuda_stream() carries as void*.
  cudaStream_t get() const noexcept { return stream_; }
  /// Blocks until all work queued so far has finished; throws CudaError if any of it failed.
  void synchronize() const { THERMEX_CUDA_CHECK(cudaStreamSynchronize(stream_)); }

 private:
  cudaStream_t stream_ = nullptr;
};

}  // namespace thermex::cuda
