#include "thermex/log.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>

namespace thermex {

void log_warning(const std::string& message) noexcept {
  try {
    if (auto logger = spdlog::get("thermex")) {
      logger->warn("{}", message);
      return;
    }
    std::fprintf(stderr, "thermex: warning: %s\n", message.c_str());
  } catch (...) {
    // Logging itself failed (out of memory); nothing sensible is left to do.
  }
}

}  // namespace thermex
