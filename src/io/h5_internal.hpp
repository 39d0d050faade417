#pragma once
// Helpers shared by the h5_*.cpp files; not part of the public API.

#include <hdf5.h>

#include <string>
#include <string_view>

#include "thermex/h5.hpp"

namespace thermex::h5detail {

/// A variable-length UTF-8 string datatype (owned).
H5Handle vlen_utf8_type(std::string_view file, std::string_view object);

/// True when `path` (normalised) names an existing link whose every parent exists.
bool link_exists(hid_t file, const std::string& path, std::string_view file_name);

/// Splits a normalised path "/a/b/c" into parent "/a/b" and name "c".
std::pair<std::string, std::string> split_parent(const std::string& path);

/// Reads a string-typed object (dataset or attribute) with `n` elements into `out`.
/// `is_attribute` picks H5Aread vs H5Dread; `space` is needed for vlen reclaim.
std::vector<std::string> read_string_data(hid_t obj, bool is_attribute, hid_t space, std::size_t n,
                                          std::string_view file, std::string_view object);

}  // namespace thermex::h5detail
