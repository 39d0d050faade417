#include "thermex/error.hpp"

#include <fmt/format.h>

namespace thermex {
namespace {
std::string format_input_error(const std::string& file, std::int64_t line,
                               const std::string& column, const std::string& reason) {
  std::string where = file.empty() ? std::string("<input>") : file;
  if (line > 0) where += fmt::format(":{}", line);
  if (!column.empty()) return fmt::format("{}: column '{}': {}", where, column, reason);
  return fmt::format("{}: {}", where, reason);
}
}  // namespace

InputError::InputError(std::string file, std::int64_t line, std::string column, std::string reason)
    : Error(format_input_error(file, line, column, reason)),
      file_(std::move(file)),
      line_(line),
      column_(std::move(column)),
      reason_(std::move(reason)) {}

ConfigError::ConfigError(std::string key, const std::string& reason)
    : Error(fmt::format("config '{}': {}", key, reason)), key_(std::move(key)) {}

CudaError::CudaError(const std::string& call, const char* file, int line,
                     const std::string& error_name, const std::string& error_text)
    : Error(fmt::format("CUDA call '{}' failed at {}:{}: {} ({})", call, file, line, error_name,
                        error_text)) {}

namespace detail {
void throw_expects(const char* condition, const char* file, int line, const std::string& message) {
  throw Error(fmt::format("{}:{}: expected {}: {}", file, line, condition, message));
}
}  // namespace detail

}  // namespace thermex
