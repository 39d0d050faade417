#pragma once
/// \file
/// Text names of the DscRecord enumerations, as written in CSV files, HDF5 string datasets and
/// one-hot column names (data/SCHEMA.md lists them). Parsing is case-insensitive and accepts the
/// aliases listed beside each name; the names written are always the first.

#include <optional>
#include <span>
#include <string_view>

#include "thermex/dsc_record.hpp"

namespace thermex {

std::string_view to_string(MaterialClass v) noexcept;
std::string_view to_string(Tristate v) noexcept;
std::string_view to_string(Crucible v) noexcept;
std::string_view to_string(ChargeMethod v) noexcept;
std::string_view to_string(ThermalMethod v) noexcept;
std::string_view to_string(OnsetDefinition v) noexcept;
std::string_view to_string(PeakDefinition v) noexcept;
std::string_view to_string(HeatBasis v) noexcept;
std::string_view to_string(ElectrolyteClass v) noexcept;
std::string_view to_string(DataOrigin v) noexcept;

/// Parses an enumeration's text; std::nullopt when `text` is no name or alias of it.
/// Empty text parses to the "unknown"/"unspecified" value where the enum has one.
template <typename Enum>
std::optional<Enum> parse_enum(std::string_view text) noexcept;

/// All values of an enumeration in declaration order (for one-hot encoding and docs).
template <typename Enum>
std::span<const Enum> enum_values() noexcept;

}  // namespace thermex
