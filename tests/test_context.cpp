#include <gtest/gtest.h>

#include "thermex/context.hpp"
#include "thermex/error.hpp"

namespace thermex {
namespace {

TEST(Context, ParsesDeviceRequests) {
  EXPECT_EQ(parse_device_request("cpu"), DeviceRequest::kCpu);
  EXPECT_EQ(parse_device_request("cuda"), DeviceRequest::kCuda);
  EXPECT_EQ(parse_device_request("auto"), DeviceRequest::kAuto);
  EXPECT_THROW(parse_device_request("tpu"), ConfigError);
}

TEST(Context, AutoPicksCudaOnlyWithADevice) {
  const auto ctx = Context::create({.device = DeviceRequest::kAuto});
  EXPECT_EQ(ctx.device(), cuda_device_count() > 0 ? Device::kCuda : Device::kCpu);
}

TEST(Context, CudaWithoutDeviceIsAClearError) {
  if (cuda_device_count() > 0) GTEST_SKIP() << "a CUDA device is present";
  try {
    (void)Context::create({.device = DeviceRequest::kCuda});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "--device");
    EXPECT_NE(std::string(e.what()).find("no CUDA device"), std::string::npos) << e.what();
  }
}

TEST(Context, ThreadsAndSeedAreKept) {
  const auto ctx = Context::create({.device = DeviceRequest::kCpu, .threads = 2, .seed = 9});
  EXPECT_EQ(ctx.threads(), 2);
  EXPECT_EQ(ctx.seed(), 9u);
  EXPECT_EQ(ctx.device(), Device::kCpu);
  EXPECT_THROW((void)Context::create({.threads = -1}), ConfigError);
}

}  // namespace
}  // namespace thermex
