#include "thermex/context.hpp"

#include <omp.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "thermex/error.hpp"

namespace thermex {

DeviceRequest parse_device_request(std::string_view text, std::string_view key) {
  if (text == "cpu") return DeviceRequest::kCpu;
  if (text == "cuda" || text == "gpu") return DeviceRequest::kCuda;
  if (text == "auto") return DeviceRequest::kAuto;
  throw ConfigError(std::string(key),
                    "expected cpu, cuda or auto, got '" + std::string(text) + "'");
}

std::string_view to_string(Device device) noexcept {
  return device == Device::kCuda ? "cuda" : "cpu";
}

namespace {
std::shared_ptr<spdlog::logger> shared_logger(bool quiet) {
  // One stderr logger per process: stdout stays free for results and --json output.
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = spdlog::stderr_color_mt("thermex");
    l->set_pattern("[%H:%M:%S] %^%l%$ %v");
    return l;
  }();
  logger->set_level(quiet ? spdlog::level::warn : spdlog::level::info);
  return logger;
}
}  // namespace

Context Context::create(const ContextOptions& options) {
  Context ctx;
  ctx.seed_ = options.seed;
  ctx.logger_ = shared_logger(options.quiet);
  if (options.threads < 0) throw ConfigError("--threads", "must be >= 0 (0 = all cores)");
  if (options.threads > 0) omp_set_num_threads(options.threads);
  ctx.threads_ = options.threads > 0 ? options.threads : omp_get_max_threads();
  const int devices = cuda_device_count();
  switch (options.device) {
    case DeviceRequest::kCpu:
      ctx.device_ = Device::kCpu;
      break;
    case DeviceRequest::kCuda:
      if (devices == 0) {
        throw ConfigError("--device", "cuda requested but no CUDA device is available");
      }
      ctx.device_ = Device::kCuda;
      break;
    case DeviceRequest::kAuto:
      ctx.device_ = devices > 0 ? Device::kCuda : Device::kCpu;
      break;
  }
  if (ctx.device_ == Device::kCuda) {
    if (options.cuda_device < 0 || options.cuda_device >= devices) {
      throw ConfigError("--cuda-device",
                        "ordinal out of range (have " + std::to_string(devices) + " device(s))");
    }
    ctx.cuda_device_ = options.cuda_device;
  }
  return ctx;
}

Context Context::with_seed(std::uint64_t seed) const {
  Context copy = *this;
  copy.seed_ = seed;
  return copy;
}

std::string Context::describe() const {
  std::string s(to_string(device_));
  if (device_ == Device::kCuda) s += " " + std::to_string(cuda_device_);
  return s + ", " + std::to_string(threads_) + " threads, seed " + std::to_string(seed_);
}

}  // namespace thermex
