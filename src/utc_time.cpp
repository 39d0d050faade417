// ISO 8601 UTC time stamps for provenance attributes (utc_time.hpp).
#include "thermex/utc_time.hpp"

#include <ctime>

namespace thermex {

std::string utc_now_iso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);  // thread-safe, unlike std::gmtime
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace thermex
