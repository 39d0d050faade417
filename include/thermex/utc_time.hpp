#pragma once
/// \file
/// The wall-clock time stamp written into results and database files as provenance.

#include <string>

namespace thermex {

/// The current UTC time as ISO 8601 with a Z suffix, to the second ("2026-11-25T12:00:00Z").
std::string utc_now_iso8601();

}  // namespace thermex
