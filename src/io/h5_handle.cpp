// H5Handle, H5Error and the checked-call machinery of the HDF5 layer.
#include <algorithm>
#include <cstdio>
#include <mutex>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "h5_internal.hpp"
#include "thermex/h5.hpp"
#include "thermex/log.hpp"

namespace thermex {
namespace {

// Collects the innermost (most specific) message of the default error stack. H5Ewalk2 walking
// upward visits the function that detected the error first.
herr_t innermost_message(unsigned n, const H5E_error2_t* err, void* data) {
  if (n == 0 && err != nullptr && err->desc != nullptr) {
    *static_cast<std::string*>(data) = err->desc;
  }
  return 0;
}

herr_t close_of(H5Kind kind, hid_t id) {
  switch (kind) {
    case H5Kind::kFile:
      return H5Fclose(id);
    case H5Kind::kGroup:
      return H5Gclose(id);
    case H5Kind::kDataset:
      return H5Dclose(id);
    case H5Kind::kDataspace:
      return H5Sclose(id);
    case H5Kind::kDatatype:
      return H5Tclose(id);
    case H5Kind::kAttribute:
      return H5Aclose(id);
    case H5Kind::kPropertyList:
      return H5Pclose(id);
  }
  return -1;
}

std::string take_error_message() {
  std::string message;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost_message, &message);
  H5Eclear2(H5E_DEFAULT);
  return message.empty() ? std::string("no HDF5 error message") : message;
}

}  // namespace

H5Error::H5Error(std::string file, std::string object, const std::string& message)
    : Error(fmt::format("{}:{}: {}", file, object, message)),
      file_(std::move(file)),
      object_(std::move(object)),
      message_(message) {}

H5Handle::H5Handle(H5Handle&& other) noexcept
    : id_(std::exchange(other.id_, H5I_INVALID_HID)), kind_(other.kind_) {}

H5Handle& H5Handle::operator=(H5Handle&& other) noexcept {
  if (this != &other) {
    reset();
    id_ = std::exchange(other.id_, H5I_INVALID_HID);
    kind_ = other.kind_;
  }
  return *this;
}

void H5Handle::reset() noexcept {
  if (id_ < 0) return;
  const hid_t id = std::exchange(id_, H5I_INVALID_HID);
  if (close_of(kind_, id) < 0) {
    std::string message;
    try {
      message = take_error_message();
    } catch (...) {
      message = "(message unavailable)";
    }
    log_warning("closing an HDF5 handle failed: " + message);
  }
}

void H5Handle::close(std::string_view file, std::string_view object) {
  if (id_ < 0) return;
  const hid_t id = std::exchange(id_, H5I_INVALID_HID);
  h5_check(close_of(kind_, id), "close", file, object);
}

void h5_silence_errors() noexcept {
  static std::once_flag once;
  std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

std::int64_t h5_check(std::int64_t status, std::string_view call, std::string_view file,
                      std::string_view object) {
  if (status >= 0) return status;
  throw H5Error(std::string(file), std::string(object),
                fmt::format("{} failed: {}", call, take_error_message()));
}

std::string h5_normalize_path(std::string_view path) {
  std::string out;
  std::size_t i = 0;
  while (i < path.size()) {
    const std::size_t j = std::min(path.find('/', i), path.size());
    if (j > i) {
      out += '/';
      out.append(path.substr(i, j - i));
    }
    i = j + 1;
  }
  return out.empty() ? std::string("/") : out;
}

namespace h5detail {

H5Handle vlen_utf8_type(std::string_view file, std::string_view object) {
  H5Handle type(static_cast<hid_t>(h5_check(H5Tcopy(H5T_C_S1), "H5Tcopy", file, object)),
                H5Kind::kDatatype);
  h5_check(H5Tset_size(type.get(), H5T_VARIABLE), "H5Tset_size", file, object);
  h5_check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "H5Tset_cset", file, object);
  return type;
}

bool link_exists(hid_t file, const std::string& path, std::string_view file_name) {
  if (path == "/") return true;
  // H5Lexists fails (rather than returning false) when an intermediate group is missing, so
  // every prefix is checked in turn.
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    const std::string prefix = path.substr(0, pos);
    const htri_t rc = H5Lexists(file, prefix.c_str(), H5P_DEFAULT);
    if (h5_check(rc, "H5Lexists", file_name, prefix) == 0) return false;
  }
  return true;
}

std::pair<std::string, std::string> split_parent(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == 0) return {"/", path.substr(1)};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

}  // namespace h5detail
}  // namespace thermex
