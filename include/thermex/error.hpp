#pragma once
/// \file
/// The exception hierarchy of thermex. Library code throws; only the CLI turns an exception into
/// one line on stderr and a non-zero exit code.

#include <cstdint>
#include <stdexcept>
#include <string>

namespace thermex {

/// Base class of every error thermex throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Bad input data. Names the file, the 1-based line (0 when the whole file is meant), the
/// column (empty when none applies) and the reason. what() reads
/// "file:line: column 'col': reason".
class InputError : public Error {
 public:
  InputError(std::string file, std::int64_t line, std::string column, std::string reason);
  const std::string& file() const noexcept { return file_; }
  std::int64_t line() const noexcept { return line_; }
  const std::string& column() const noexcept { return column_; }
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::string file_;
  std::int64_t line_;
  std::string column_;
  std::string reason_;
};

/// A bad configuration value or command-line option; names the TOML key or the flag.
class ConfigError : public Error {
 public:
  ConfigError(std::string key, const std::string& reason);
  const std::string& key() const noexcept { return key_; }

 private:
  std::string key_;
};

/// A failed CUDA, cuBLAS or cuRAND call: the call text, where it was made, and the error name.
class CudaError : public Error {
 public:
  CudaError(const std::string& call, const char* file, int line, const std::string& error_name,
            const std::string& error_text);
};

namespace detail {
/// Throws Error("<file>:<line>: expected <condition>: <message>"); used by THERMEX_EXPECTS.
[[noreturn]] void throw_expects(const char* condition, const char* file, int line,
                                const std::string& message);
}  // namespace detail

}  // namespace thermex

/// Guards shapes, finiteness and ranges at library entry points.
#define THERMEX_EXPECTS(cond, message)                                                   \
  do {                                                                                   \
    if (!(cond)) ::thermex::detail::throw_expects(#cond, __FILE__, __LINE__, (message)); \
  } while (0)
