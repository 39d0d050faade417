#pragma once
/// \file
/// Context: the resolved execution environment passed by const reference to every algorithm.
/// `--device auto` is resolved once, here, and nowhere else.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace spdlog {
class logger;
}

namespace thermex {

/// The backend an algorithm runs on.
enum class Device { kCpu, kCuda };

/// What the user asked for; kAuto picks CUDA only when a device is present.
enum class DeviceRequest { kCpu, kCuda, kAuto };

/// Parses "cpu", "cuda" or "auto"; throws ConfigError naming `key` otherwise.
DeviceRequest parse_device_request(std::string_view text, std::string_view key = "--device");

/// "cpu" or "cuda".
std::string_view to_string(Device device) noexcept;

/// Number of usable CUDA devices; 0 when built without CUDA or when no driver/device exists.
/// Never throws.
int cuda_device_count() noexcept;

/// Options the Context factory resolves.
struct ContextOptions {
  DeviceRequest device = DeviceRequest::kAuto;  ///< requested backend
  int threads = 0;                              ///< OpenMP threads; 0 = all available
  std::uint64_t seed = 0;                       ///< master seed for every Philox stream
  int cuda_device = 0;                          ///< ordinal used when the backend is CUDA
  bool quiet = false;                           ///< log warnings and errors only
};

/// Resolved device, thread count, seed and logger. Cheap to copy (shares the logger).
class Context {
 public:
  /// Resolves the options: kCuda without a device throws Error("--device cuda: ..."); kAuto
  /// falls back to the CPU. Sets the OpenMP thread count when `threads > 0`.
  static Context create(const ContextOptions& options = {});

  Device device() const noexcept { return device_; }
  int threads() const noexcept { return threads_; }
  std::uint64_t seed() const noexcept { return seed_; }
  int cuda_device() const noexcept { return cuda_device_; }
  /// The CUDA stream work is launched on (cudaStream_t as an opaque pointer; null = default).
  void* cuda_stream() const noexcept { return cuda_stream_; }
  spdlog::logger& logger() const noexcept { return *logger_; }
  /// One line describing the context, for logs and provenance ("cpu, 16 threads, seed 42").
  std::string describe() const;
  /// A copy with master seed `seed` (same device, threads, stream and logger): for work items
  /// whose draws are keyed by a derived seed, e.g. one screening per bootstrap replica. O(1).
  Context with_seed(std::uint64_t seed) const;

 private:
  Context() = default;
  Device device_ = Device::kCpu;
  int threads_ = 1;
  std::uint64_t seed_ = 0;
  int cuda_device_ = 0;
  void* cuda_stream_ = nullptr;
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace thermex
