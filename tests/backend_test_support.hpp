#pragma once
// One parameterized fixture for tests that run the same body on {cpu, cuda} (STYLE.md section
// 6): the CUDA case skips without a device, and instances are named `.../cpu` and `.../cuda` so
// ctest labels the CUDA ones `gpu`.
#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>

#include "thermex/context.hpp"

namespace thermex::testing_support {

/// The test parameter; PrintTo makes ctest show "cpu"/"cuda" instead of raw bytes.
struct Backend {
  Device device;
};
inline void PrintTo(const Backend& backend, std::ostream* os) { *os << to_string(backend.device); }

/// Base fixture: SetUp skips the CUDA case without a device and builds the Context.
class BackendTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (cuda() && cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device";
    ctx_.emplace(Context::create(
        {.device = cuda() ? DeviceRequest::kCuda : DeviceRequest::kCpu, .quiet = true}));
  }
  bool cuda() const { return GetParam().device == Device::kCuda; }
  const Context& ctx() const { return *ctx_; }

 private:
  std::optional<Context> ctx_;
};

/// Both backends, in the order cpu, cuda.
inline auto both_backends() {
  return ::testing::Values(Backend{Device::kCpu}, Backend{Device::kCuda});
}

/// Instance name "cpu" or "cuda".
inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return std::string(to_string(info.param.device));
}

}  // namespace thermex::testing_support
