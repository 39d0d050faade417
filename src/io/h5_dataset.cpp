// H5File datasets: 1-D and 2-D numeric data and variable-length UTF-8 strings.
#include <algorithm>
#include <array>
#include <utility>

#include <fmt/format.h>

#include "h5_internal.hpp"
#include "thermex/h5.hpp"

namespace thermex {
namespace {

H5Handle simple_space(std::span<const hsize_t> dims, std::string_view file,
                      std::string_view object) {
  return {static_cast<hid_t>(
              h5_check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                       "H5Screate_simple", file, object)),
          H5Kind::kDataspace};
}

// Dataset creation properties: contiguous for small data; above kH5ChunkThreshold elements,
// chunks of about kH5ChunkElements elements (whole rows for 2-D data) with shuffle + deflate,
// which packs the exponent bytes of doubles together and compresses them well.
H5Handle numeric_dcpl(std::span<const hsize_t> dims, std::string_view file,
                      std::string_view object) {
  H5Handle dcpl(
      static_cast<hid_t>(h5_check(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate", file, object)),
      H5Kind::kPropertyList);
  hsize_t total = 1;
  for (hsize_t d : dims) total *= d;
  if (total <= kH5ChunkThreshold || H5Zfilter_avail(H5Z_FILTER_DEFLATE) <= 0) return dcpl;
  std::array<hsize_t, 2> chunk{};
  if (dims.size() == 1) {
    chunk[0] = std::min<hsize_t>(dims[0], kH5ChunkElements);
  } else {
    const hsize_t cols = std::max<hsize_t>(dims[1], 1);
    chunk[0] = std::clamp<hsize_t>(kH5ChunkElements / cols, 1, dims[0]);
    chunk[1] = dims[1];
  }
  h5_check(H5Pset_chunk(dcpl.get(), static_cast<int>(dims.size()), chunk.data()), "H5Pset_chunk",
           file, object);
  h5_check(H5Pset_shuffle(dcpl.get()), "H5Pset_shuffle", file, object);
  h5_check(H5Pset_deflate(dcpl.get(), 4), "H5Pset_deflate", file, object);
  return dcpl;
}

void write_numeric(hid_t file, const std::string& path, std::span<const hsize_t> dims,
                   hid_t file_type, hid_t mem_type, const void* data, std::string_view file_name) {
  H5Handle space = simple_space(dims, file_name, path);
  H5Handle dcpl = numeric_dcpl(dims, file_name, path);
  H5Handle ds(static_cast<hid_t>(h5_check(H5Dcreate2(file, path.c_str(), file_type, space.get(),
                                                     H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                                          "H5Dcreate2", file_name, path)),
              H5Kind::kDataset);
  hsize_t total = 1;
  for (hsize_t d : dims) total *= d;
  if (total > 0) {
    h5_check(H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "H5Dwrite",
             file_name, path);
  }
}

H5Handle open_dataset(hid_t file, const std::string& path, std::string_view file_name) {
  if (!h5detail::link_exists(file, path, file_name)) {
    throw H5Error(std::string(file_name), path, "dataset does not exist");
  }
  return {static_cast<hid_t>(
              h5_check(H5Dopen2(file, path.c_str(), H5P_DEFAULT), "H5Dopen2", file_name, path)),
          H5Kind::kDataset};
}

// Dimensions of a dataset, checked to have rank `rank`.
std::vector<hsize_t> dataset_dims(hid_t ds, int rank, const std::string& path,
                                  std::string_view file_name) {
  H5Handle space(static_cast<hid_t>(h5_check(H5Dget_space(ds), "H5Dget_space", file_name, path)),
                 H5Kind::kDataspace);
  const int actual = static_cast<int>(h5_check(H5Sget_simple_extent_ndims(space.get()),
                                               "H5Sget_simple_extent_ndims", file_name, path));
  if (rank > 0 && actual != rank) {
    throw H5Error(std::string(file_name), path,
                  fmt::format("expected a {}-D dataset, found {}-D", rank, actual));
  }
  std::vector<hsize_t> dims(static_cast<std::size_t>(actual));
  h5_check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr),
           "H5Sget_simple_extent_dims", file_name, path);
  return dims;
}

// Reads a whole numeric dataset of rank `rank`, converting to `mem_type`. Integer reads refuse
// float data, where the conversion would truncate silently.
template <typename T>
H5Matrix<T> read_numeric(hid_t file, const std::string& path, int rank, hid_t mem_type,
                         bool integer_only, std::string_view file_name) {
  H5Handle ds = open_dataset(file, path, file_name);
  H5Handle type(static_cast<hid_t>(h5_check(H5Dget_type(ds.get()), "H5Dget_type", file_name, path)),
                H5Kind::kDatatype);
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls != H5T_INTEGER && (integer_only || cls != H5T_FLOAT)) {
    throw H5Error(std::string(file_name), path,
                  integer_only ? "expected an integer dataset" : "expected a numeric dataset");
  }
  const auto dims = dataset_dims(ds.get(), rank, path, file_name);
  H5Matrix<T> out;
  out.rows = static_cast<std::size_t>(dims[0]);
  out.cols = rank == 2 ? static_cast<std::size_t>(dims[1]) : 1;
  out.values.resize(out.rows * out.cols);
  if (!out.values.empty()) {
    h5_check(H5Dread(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.values.data()),
             "H5Dread", file_name, path);
  }
  return out;
}

void check_shape(std::size_t rows, std::size_t cols, std::size_t size, const std::string& path,
                 std::string_view file_name) {
  if (rows * cols != size) {
    throw H5Error(std::string(file_name), path,
                  fmt::format("{} values do not fill {} x {}", size, rows, cols));
  }
}

}  // namespace

std::string H5File::prepare_dataset(std::string_view path) {
  const std::string norm = h5_normalize_path(path);
  require_open(norm);
  if (!writable_) throw H5Error(path_, norm, "file is open read-only");
  if (norm == "/") throw H5Error(path_, norm, "a dataset cannot be the root group");
  if (h5detail::link_exists(file_.get(), norm, path_)) {
    throw H5Error(path_, norm, "already exists");
  }
  create_group(h5detail::split_parent(norm).first);
  return norm;
}

void H5File::write_doubles(std::string_view path, std::span<const double> values) {
  const std::string norm = prepare_dataset(path);
  const std::array<hsize_t, 1> dims{values.size()};
  write_numeric(file_.get(), norm, dims, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, values.data(), path_);
}

void H5File::write_int64s(std::string_view path, std::span<const std::int64_t> values) {
  const std::string norm = prepare_dataset(path);
  const std::array<hsize_t, 1> dims{values.size()};
  write_numeric(file_.get(), norm, dims, H5T_STD_I64LE, H5T_NATIVE_INT64, values.data(), path_);
}

void H5File::write_double_matrix(std::string_view path, std::size_t rows, std::size_t cols,
                                 std::span<const double> values) {
  const std::string norm = prepare_dataset(path);
  check_shape(rows, cols, values.size(), norm, path_);
  const std::array<hsize_t, 2> dims{rows, cols};
  write_numeric(file_.get(), norm, dims, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, values.data(), path_);
}

void H5File::write_int64_matrix(std::string_view path, std::size_t rows, std::size_t cols,
                                std::span<const std::int64_t> values) {
  const std::string norm = prepare_dataset(path);
  check_shape(rows, cols, values.size(), norm, path_);
  const std::array<hsize_t, 2> dims{rows, cols};
  write_numeric(file_.get(), norm, dims, H5T_STD_I64LE, H5T_NATIVE_INT64, values.data(), path_);
}

void H5File::write_strings(std::string_view path, std::span<const std::string> values) {
  const std::string norm = prepare_dataset(path);
  H5Handle type = h5detail::vlen_utf8_type(path_, norm);
  const std::array<hsize_t, 1> dims{values.size()};
  H5Handle space = simple_space(dims, path_, norm);
  H5Handle ds(
      static_cast<hid_t>(h5_check(H5Dcreate2(file_.get(), norm.c_str(), type.get(), space.get(),
                                             H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                  "H5Dcreate2", path_, norm)),
      H5Kind::kDataset);
  if (values.empty()) return;
  std::vector<const char*> ptrs;
  ptrs.reserve(values.size());
  for (const auto& v : values) ptrs.push_back(v.c_str());
  h5_check(H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), "H5Dwrite",
           path_, norm);
}

std::vector<double> H5File::read_doubles(std::string_view path) const {
  const std::string norm = h5_normalize_path(path);
  require_open(norm);
  return read_numeric<double>(file_.get(), norm, 1, H5T_NATIVE_DOUBLE, false, path_).values;
}

std::vector<std::int64_t> H5File::read_int64s(std::string_view path) const {
  const std::string norm = h5_normalize_path(path);
  require_open(norm);
  return read_numeric<std::int64_t>(file_.get(), norm, 1, H5T_NATIVE_INT64, true, path_).values;
}

H5Matrix<double> H5File::read_double_matrix(std::string_view path) const {
  const std::string norm = h5_normalize_path(path);
  require_open(norm);
  return read_numeric<double>(file_.get(), norm, 2, H5T_NATIVE_DOUBLE, false, path_);
}

H5Matrix<std::int64_t> H5File::read_int64_matrix(std::string_view path) const {
  const std::string norm = h5_normalize_path(path);
  require_open(norm);
  return read_numeric<std::int64_t>(file_.get(), norm, 2, H5T_NATIVE_INT64, true, path_);
}

std::vector<std::string> H5File::read_strings(std::string_view path) const {
  const std::string norm = h5_normalize_path(path);
  require_open(norm);
  H5Handle ds = open_dataset(file_.get(), norm, path_);
  const auto dims = dataset_dims(ds.get(), 1, norm, path_);
  H5Handle space(static_cast<hid_t>(h5_check(H5Dget_space(ds.get()), "H5Dget_space", path_, norm)),
                 H5Kind::kDataspace);
  return h5detail::read_string_data(ds.get(), false, space.get(), static_cast<std::size_t>(dims[0]),
                                    path_, norm);
}

std::size_t H5File::dataset_length(std::string_view path) const {
  const std::string norm = h5_normalize_path(path);
  require_open(norm);
  H5Handle ds = open_dataset(file_.get(), norm, path_);
  const auto dims = dataset_dims(ds.get(), 0, norm, path_);
  if (dims.empty()) throw H5Error(path_, norm, "dataset is a scalar");
  return static_cast<std::size_t>(dims[0]);
}

namespace h5detail {

std::vector<std::string> read_string_data(hid_t obj, bool is_attribute, hid_t space, std::size_t n,
                                          std::string_view file, std::string_view object) {
  H5Handle stored(static_cast<hid_t>(h5_check(is_attribute ? H5Aget_type(obj) : H5Dget_type(obj),
                                              "get_type", file, object)),
                  H5Kind::kDatatype);
  if (H5Tget_class(stored.get()) != H5T_STRING) {
    throw H5Error(std::string(file), std::string(object), "expected string data");
  }
  // The memory type copies the stored one, so HDF5 converts nothing (not even the charset).
  H5Handle mem(static_cast<hid_t>(h5_check(H5Tcopy(stored.get()), "H5Tcopy", file, object)),
               H5Kind::kDatatype);
  auto read = [&](void* buf) {
    h5_check(is_attribute ? H5Aread(obj, mem.get(), buf)
                          : H5Dread(obj, mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf),
             is_attribute ? "H5Aread" : "H5Dread", file, object);
  };
  std::vector<std::string> out;
  out.reserve(n);
  if (n == 0) return out;
  if (h5_check(H5Tis_variable_str(stored.get()), "H5Tis_variable_str", file, object) > 0) {
    std::vector<char*> ptrs(n, nullptr);
    read(ptrs.data());
    for (char* p : ptrs) out.emplace_back(p != nullptr ? p : "");
#if H5_VERSION_GE(1, 12, 0)
    h5_check(H5Treclaim(mem.get(), space, H5P_DEFAULT, ptrs.data()), "H5Treclaim", file, object);
#else
    h5_check(H5Dvlen_reclaim(mem.get(), space, H5P_DEFAULT, ptrs.data()), "H5Dvlen_reclaim", file,
             object);
#endif
    return out;
  }
  // Fixed-length strings (h5py's numpy 'S' arrays, other tools): null- or space-padded.
  const std::size_t width = H5Tget_size(stored.get());
  const bool space_padded = H5Tget_strpad(stored.get()) == H5T_STR_SPACEPAD;
  std::vector<char> buf(n * width);
  read(buf.data());
  for (std::size_t i = 0; i < n; ++i) {
    std::string_view s(buf.data() + i * width, width);
    s = s.substr(0, std::min(s.find('\0'), s.size()));
    if (space_padded) s = s.substr(0, s.find_last_not_of(' ') + 1);
    out.emplace_back(s);
  }
  return out;
}

}  // namespace h5detail
}  // namespace thermex
