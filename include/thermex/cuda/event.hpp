#pragma once
/// \file
/// Event: a move-only owner of a CUDA event, for timing device work (bench/). CUDA-only header.

#include <cuda_runtime_api.h>

#include <utility>

#include "thermex/cuda/check.hpp"

namespace thermex::cuda {

/// An owned CUDA event with timing enabled.
class Event {
 public:
  /// Creates the event; throws CudaError on failure.
  Event() { THERMEX_CUDA_CHECK(cudaEventCreate(&event_)); }
  /// Destroys the event; logs (never throws) on failure.
  ~Event() {
    if (event_ != nullptr) THERMEX_CUDA_LOG_ON_ERROR(cudaEventDestroy(event_));
  }
  /// Move-only: exactly one owner releases the resource; a moved-from object is null.
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  Event(Event&& other) noexcept : event_(std::exchange(other.event_, nullptr)) {}
  Event& operator=(Event&& other) noexcept {
    if (this != &other) {
      if (event_ != nullptr) THERMEX_CUDA_LOG_ON_ERROR(cudaEventDestroy(event_));
      event_ = std::exchange(other.event_, nullptr);
    }
    return *this;
  }

  /// Records the event on `stream` (after all work queued there so far).
  void record(cudaStream_t stream) { THERMEX_CUDA_CHECK(cudaEventRecord(event_, stream)); }
  /// Blocks until the recorded work has finished.
  void synchronize() const { THERMEX_CUDA_CHECK(cudaEventSynchronize(event_)); }
  /// The raw handle (null after a move).
  cudaEvent_t get() const noexcept { return event_; }

 private:
  cudaEvent_t event_ = nullptr;
};

/// Milliseconds of device time between two recorded events (resolution about 0.5 us); waits for
/// `stop` first. Throws CudaError when either was not recorded.
inline float elapsed_ms(const Event& start, const Event& stop) {
  stop.synchronize();
  float ms = 0.0f;
  THERMEX_CUDA_CHECK(cudaEventElapsedTime(&ms, start.get(), stop.get()));
  return ms;
}

}  // namespace thermex::cuda
