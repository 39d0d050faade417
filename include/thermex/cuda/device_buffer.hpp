#pragma once
/// \file
/// DeviceBuffer<T>: a move-only owner of device memory allocated in stream order
/// (cudaMallocAsync / cudaFreeAsync), with explicit host copies. CUDA-only header.

#include <cuda_runtime_api.h>

#include <cstddef>
#include <limits>
#include <span>
#include <type_traits>
#include <utility>

#include "thermex/cuda/check.hpp"
#include "thermex/error.hpp"

namespace thermex::cuda {

/// `size` elements of T on the current device, owned, allocated and freed on `stream`. The memory
/// is uninitialized. Work that uses the buffer must be ordered after the allocation on `stream`
/// (or synchronized with it), and the buffer must outlive that work's use of it in stream order,
/// which holds automatically for work on the same stream.
template <typename T>
class DeviceBuffer {
  static_assert(std::is_trivially_copyable_v<T>, "device memory holds trivially copyable types");

 public:
  /// An empty buffer; allocates nothing.
  DeviceBuffer() noexcept = default;

  /// Allocates `size` elements on `stream` (nothing for size 0). Throws CudaError when the
  /// allocation fails, Error when size * sizeof(T) overflows.
  DeviceBuffer(std::size_t size, cudaStream_t stream) : size_(size), stream_(stream) {
    THERMEX_EXPECTS(size <= std::numeric_limits<std::size_t>::max() / sizeof(T),
                    "DeviceBuffer: size * sizeof(T) overflows size_t");
    if (size_ == 0) return;
    void* ptr = nullptr;
    THERMEX_CUDA_CHECK(cudaMallocAsync(&ptr, bytes(), stream_));
    data_ = static_cast<T*>(ptr);
  }

  /// Frees in stream order on the allocation stream; logs (never throws) on failure.
  ~DeviceBuffer() { release(); }

  /// Move-only: exactly one owner releases the resource; a moved-from object is empty.
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)),
        size_(std::exchange(other.size_, 0)),
        stream_(other.stream_) {}
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept {
    if (this != &other) {
      release();
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
      stream_ = other.stream_;
    }
    return *this;
  }

  /// Device pointer (null when empty); at least 256-byte aligned (cudaMallocAsync).
  T* data() noexcept { return data_; }
  /// Device pointer (null when empty).
  const T* data() const noexcept { return data_; }
  /// Number of elements.
  std::size_t size() const noexcept { return size_; }
  /// Number of bytes.
  std::size_t bytes() const noexcept { return size_ * sizeof(T); }
  /// True when the buffer holds no elements.
  bool empty() const noexcept { return size_ == 0; }
  /// The stream the buffer was allocated on and all its copies run on.
  cudaStream_t stream() const noexcept { return stream_; }

  /// Copies host.size() == size() elements to the device, enqueued on stream(). For pageable
  /// host memory the data has been staged when this returns; for pinned memory keep `host`
  /// alive until the stream has passed the copy. Throws Error on a size mismatch.
  void copy_from_host(std::span<const T> host) {
    THERMEX_EXPECTS(host.size() == size_, "DeviceBuffer::copy_from_host: size mismatch");
    if (size_ == 0) return;
    THERMEX_CUDA_CHECK(
        cudaMemcpyAsync(data_, host.data(), bytes(), cudaMemcpyHostToDevice, stream_));
  }

  /// Copies all size() elements into `host` (host.size() == size()) and blocks until they have
  /// arrived: the stream is synchronized because the caller reads `host` next. Throws Error on a
  /// size mismatch, CudaError when the copy or any earlier work on the stream failed.
  void copy_to_host(std::span<T> host) const {
    THERMEX_EXPECTS(host.size() == size_, "DeviceBuffer::copy_to_host: size mismatch");
    if (size_ == 0) return;
    THERMEX_CUDA_CHECK(
        cudaMemcpyAsync(host.data(), data_, bytes(), cudaMemcpyDeviceToHost, stream_));
    THERMEX_CUDA_CHECK(cudaStreamSynchronize(stream_));
  }

  /// Sets every byte to `value`, enqueued on stream(). fill_bytes(0xFF) makes every double a
  /// NaN, which tests use to catch entries a kernel never wrote.
  void fill_bytes(unsigned char value) {
    if (size_ == 0) return;
    THERMEX_CUDA_CHECK(cudaMemsetAsync(data_, value, bytes(), stream_));
  }

 private:
  void release() noexcept {
    if (data_ != nullptr) THERMEX_CUDA_LOG_ON_ERROR(cudaFreeAsync(data_, stream_));
    data_ = nullptr;
    size_ = 0;
  }

  T* data_ = nullptr;
  std::size_t size_ = 0;
  cudaStream_t stream_ = nullptr;
};

}  // namespace thermex::cuda
