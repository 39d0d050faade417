#pragma once
/// \file
/// Logging from places that must not throw (destructors, cleanup paths).

#include <string>

namespace thermex {

/// Logs a warning through the CLI's stderr logger ("thermex") when it exists, else prints
/// "thermex: warning: ..." to stderr. Never throws; for destructors and cleanup paths.
void log_warning(const std::string& message) noexcept;

}  // namespace thermex
