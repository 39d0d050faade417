#pragma once
/// \file
/// ScopedEnv: sets an environment variable for one scope (e.g. THERMEX_CPU_ISA to force a CPU
/// variant) and restores the previous value, so tests do not leak settings into each other.

#include <cstdlib>
#include <optional>
#include <string>

namespace thermex::testing_support {

// Sets an environment variable for one scope and restores the previous value.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace thermex::testing_support
