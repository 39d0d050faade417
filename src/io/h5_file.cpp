// H5File: opening and closing, groups, links and attributes.
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "h5_internal.hpp"
#include "thermex/h5.hpp"

namespace thermex {
namespace {

using h5detail::vlen_utf8_type;

// Group creation properties for every group we make: creation order tracked and indexed (so
// list() and h5py with track_order see the write order) and dense attribute storage (so long
// string-list attributes are not capped by the 64 KiB object header).
void set_group_properties(hid_t plist, std::string_view file, std::string_view object) {
  h5_check(H5Pset_link_creation_order(plist, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
           "H5Pset_link_creation_order", file, object);
  h5_check(H5Pset_attr_phase_change(plist, 0, 0), "H5Pset_attr_phase_change", file, object);
}

herr_t collect_name(hid_t, const char* name, const H5L_info_t*, void* data) {
  static_cast<std::vector<std::string>*>(data)->emplace_back(name);
  return 0;
}

// Opens attribute `name` of `object` for reading.
H5Handle open_attribute(hid_t file, const std::string& object, std::string_view name,
                        std::string_view file_name) {
  const std::string attr(name);
  const std::string where = object + "@" + attr;
  if (!h5detail::link_exists(file, object, file_name)) {
    throw H5Error(std::string(file_name), object, "object does not exist");
  }
  if (h5_check(H5Aexists_by_name(file, object.c_str(), attr.c_str(), H5P_DEFAULT),
               "H5Aexists_by_name", file_name, where) == 0) {
    throw H5Error(std::string(file_name), where, "attribute does not exist");
  }
  return {static_cast<hid_t>(h5_check(
              H5Aopen_by_name(file, object.c_str(), attr.c_str(), H5P_DEFAULT, H5P_DEFAULT),
              "H5Aopen_by_name", file_name, where)),
          H5Kind::kAttribute};
}

// Creates attribute `name` on `object` (deleting an old one) with the given type and space,
// and writes `data` in memory type `mem_type`.
void write_attribute(hid_t file, const std::string& object, std::string_view name, hid_t file_type,
                     hid_t space, hid_t mem_type, const void* data, std::string_view file_name) {
  const std::string attr(name);
  const std::string where = object + "@" + attr;
  if (!h5detail::link_exists(file, object, file_name)) {
    throw H5Error(std::string(file_name), object, "object does not exist");
  }
  if (h5_check(H5Aexists_by_name(file, object.c_str(), attr.c_str(), H5P_DEFAULT),
               "H5Aexists_by_name", file_name, where) > 0) {
    h5_check(H5Adelete_by_name(file, object.c_str(), attr.c_str(), H5P_DEFAULT),
             "H5Adelete_by_name", file_name, where);
  }
  H5Handle a(
      static_cast<hid_t>(h5_check(H5Acreate_by_name(file, object.c_str(), attr.c_str(), file_type,
                                                    space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                  "H5Acreate_by_name", file_name, where)),
      H5Kind::kAttribute);
  // An empty list has a null dataspace and nothing to write (H5Awrite refuses a null buffer).
  if (H5Sget_simple_extent_type(space) != H5S_NULL) {
    h5_check(H5Awrite(a.get(), mem_type, data), "H5Awrite", file_name, where);
  }
}

H5Handle scalar_space(std::string_view file, std::string_view object) {
  return {static_cast<hid_t>(h5_check(H5Screate(H5S_SCALAR), "H5Screate", file, object)),
          H5Kind::kDataspace};
}

}  // namespace

H5File H5File::create(const std::string& path) {
  h5_silence_errors();
  H5Handle fcpl(static_cast<hid_t>(h5_check(H5Pcreate(H5P_FILE_CREATE), "H5Pcreate", path, "/")),
                H5Kind::kPropertyList);
  set_group_properties(fcpl.get(), path, "/");  // the root group takes them from the fcpl
  H5Handle fapl(static_cast<hid_t>(h5_check(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate", path, "/")),
                H5Kind::kPropertyList);
  // SEMI: closing the file fails while objects are still open, instead of silently keeping it
  // open (WEAK) and writing after an AtomicFile has renamed it.
  h5_check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_SEMI), "H5Pset_fclose_degree", path, "/");
  // The 1.8 file format stores attributes over 64 KiB densely (a wide table's column list);
  // any HDF5 >= 1.8 (every h5py of the last decade) reads it.
  h5_check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V18, H5F_LIBVER_V18), "H5Pset_libver_bounds",
           path, "/");
  const hid_t id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get());
  H5Handle file(static_cast<hid_t>(h5_check(id, "H5Fcreate", path, "/")), H5Kind::kFile);
  return H5File(path, std::move(file), true);
}

namespace {
// Opens an existing file, first telling a missing file and a non-HDF5 file apart (input errors
// the user can fix) from HDF5 failures.
H5Handle open_existing(const std::string& path, unsigned flags) {
  h5_silence_errors();
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw InputError(path, 0, "", fmt::format("cannot open: {}", std::strerror(errno)));
  }
  if (S_ISDIR(st.st_mode)) throw InputError(path, 0, "", "is a directory, not an HDF5 file");
  if (h5_check(H5Fis_hdf5(path.c_str()), "H5Fis_hdf5", path, "/") == 0) {
    throw InputError(path, 0, "", "not an HDF5 file");
  }
  H5Handle fapl(static_cast<hid_t>(h5_check(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate", path, "/")),
                H5Kind::kPropertyList);
  h5_check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_SEMI), "H5Pset_fclose_degree", path, "/");
  const hid_t id = H5Fopen(path.c_str(), flags, fapl.get());
  return {static_cast<hid_t>(h5_check(id, "H5Fopen", path, "/")), H5Kind::kFile};
}
}  // namespace

H5File H5File::open_read_only(const std::string& path) {
  return H5File(path, open_existing(path, H5F_ACC_RDONLY), false);
}

H5File H5File::open_read_write(const std::string& path) {
  return H5File(path, open_existing(path, H5F_ACC_RDWR), true);
}

void H5File::close() {
  require_open("/");
  if (writable_) h5_check(H5Fflush(file_.get(), H5F_SCOPE_LOCAL), "H5Fflush", path_, "/");
  file_.close(path_, "/");
}

void H5File::require_open(std::string_view object) const {
  if (!file_.valid()) throw H5Error(path_, std::string(object), "file is closed");
}

void H5File::create_group(std::string_view path) {
  const std::string norm = h5_normalize_path(path);
  require_open(norm);
  if (!writable_) throw H5Error(path_, norm, "file is open read-only");
  if (norm == "/") return;
  H5Handle gcpl(static_cast<hid_t>(h5_check(H5Pcreate(H5P_GROUP_CREATE), "H5Pcreate", path_, norm)),
                H5Kind::kPropertyList);
  set_group_properties(gcpl.get(), path_, norm);
  // One component at a time so intermediate groups get our properties too.
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = norm.find('/', pos + 1);
    const std::string prefix = norm.substr(0, pos);
    if (h5detail::link_exists(file_.get(), prefix, path_)) {
      if (!is_group(prefix)) throw H5Error(path_, prefix, "exists and is not a group");
      continue;
    }
    H5Handle g(static_cast<hid_t>(h5_check(
                   H5Gcreate2(file_.get(), prefix.c_str(), H5P_DEFAULT, gcpl.get(), H5P_DEFAULT),
                   "H5Gcreate2", path_, prefix)),
               H5Kind::kGroup);
  }
}

bool H5File::exists(std::string_view path) const {
  const std::string norm = h5_normalize_path(path);
  require_open(norm);
  return h5detail::link_exists(file_.get(), norm, path_);
}

namespace {
H5I_type_t object_type(hid_t file, const std::string& path, std::string_view file_name) {
  if (!h5detail::link_exists(file, path, file_name)) return H5I_BADID;
  const hid_t obj = H5Oopen(file, path.c_str(), H5P_DEFAULT);
  h5_check(obj, "H5Oopen", file_name, path);
  const H5I_type_t type = H5Iget_type(obj);
  h5_check(H5Oclose(obj), "H5Oclose", file_name, path);
  return type;
}
}  // namespace

bool H5File::is_group(std::string_view path) const {
  const std::string norm = h5_normalize_path(path);
  require_open(norm);
  return object_type(file_.get(), norm, path_) == H5I_GROUP;
}

bool H5File::is_dataset(std::string_view path) const {
  const std::string norm = h5_normalize_path(path);
  require_open(norm);
  return object_type(file_.get(), norm, path_) == H5I_DATASET;
}

std::vector<std::string> H5File::list(std::string_view path) const {
  const std::string norm = h5_normalize_path(path);
  require_open(norm);
  if (!is_group(norm)) throw H5Error(path_, norm, "not a group");
  H5Handle g(static_cast<hid_t>(h5_check(H5Gopen2(file_.get(), norm.c_str(), H5P_DEFAULT),
                                         "H5Gopen2", path_, norm)),
             H5Kind::kGroup);
  H5Handle gcpl(static_cast<hid_t>(
                    h5_check(H5Gget_create_plist(g.get()), "H5Gget_create_plist", path_, norm)),
                H5Kind::kPropertyList);
  unsigned order = 0;
  h5_check(H5Pget_link_creation_order(gcpl.get(), &order), "H5Pget_link_creation_order", path_,
           norm);
  const H5_index_t index =
      (order & H5P_CRT_ORDER_INDEXED) != 0 ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME;
  std::vector<std::string> names;
  hsize_t idx = 0;
  h5_check(H5Literate(g.get(), index, H5_ITER_INC, &idx, collect_name, &names), "H5Literate", path_,
           norm);
  return names;
}

void H5File::set_attribute(std::string_view object, std::string_view name, std::string_view value) {
  const std::string norm = h5_normalize_path(object);
  require_open(norm);
  H5Handle type = vlen_utf8_type(path_, norm);
  H5Handle space = scalar_space(path_, norm);
  const std::string text(value);
  const char* ptr = text.c_str();
  write_attribute(file_.get(), norm, name, type.get(), space.get(), type.get(), &ptr, path_);
}

void H5File::set_attribute(std::string_view object, std::string_view name, double value) {
  const std::string norm = h5_normalize_path(object);
  require_open(norm);
  H5Handle space = scalar_space(path_, norm);
  write_attribute(file_.get(), norm, name, H5T_IEEE_F64LE, space.get(), H5T_NATIVE_DOUBLE, &value,
                  path_);
}

void H5File::set_attribute(std::string_view object, std::string_view name, std::int64_t value) {
  const std::string norm = h5_normalize_path(object);
  require_open(norm);
  H5Handle space = scalar_space(path_, norm);
  write_attribute(file_.get(), norm, name, H5T_STD_I64LE, space.get(), H5T_NATIVE_INT64, &value,
                  path_);
}

void H5File::set_attribute(std::string_view object, std::string_view name,
                           std::span<const std::string> values) {
  const std::string norm = h5_normalize_path(object);
  require_open(norm);
  H5Handle type = vlen_utf8_type(path_, norm);
  const hsize_t dims[1] = {values.size()};
  H5Handle space(static_cast<hid_t>(h5_check(
                     values.empty() ? H5Screate(H5S_NULL) : H5Screate_simple(1, dims, nullptr),
                     "H5Screate", path_, norm)),
                 H5Kind::kDataspace);
  std::vector<const char*> ptrs;
  ptrs.reserve(values.size());
  for (const auto& v : values) ptrs.push_back(v.c_str());
  write_attribute(file_.get(), norm, name, type.get(), space.get(), type.get(), ptrs.data(), path_);
}

bool H5File::has_attribute(std::string_view object, std::string_view name) const {
  const std::string norm = h5_normalize_path(object);
  require_open(norm);
  if (!h5detail::link_exists(file_.get(), norm, path_)) return false;
  const std::string attr(name);
  return h5_check(H5Aexists_by_name(file_.get(), norm.c_str(), attr.c_str(), H5P_DEFAULT),
                  "H5Aexists_by_name", path_, norm + "@" + attr) > 0;
}

std::vector<std::string> H5File::string_list_attribute(std::string_view object,
                                                       std::string_view name) const {
  const std::string norm = h5_normalize_path(object);
  require_open(norm);
  const std::string where = norm + "@" + std::string(name);
  H5Handle a = open_attribute(file_.get(), norm, name, path_);
  H5Handle space(static_cast<hid_t>(h5_check(H5Aget_space(a.get()), "H5Aget_space", path_, where)),
                 H5Kind::kDataspace);
  const auto n = h5_check(H5Sget_simple_extent_npoints(space.get()), "H5Sget_simple_extent_npoints",
                          path_, where);
  return h5detail::read_string_data(a.get(), true, space.get(), static_cast<std::size_t>(n), path_,
                                    where);
}

std::string H5File::string_attribute(std::string_view object, std::string_view name) const {
  auto values = string_list_attribute(object, name);
  if (values.size() != 1) {
    throw H5Error(path_, h5_normalize_path(object) + "@" + std::string(name),
                  fmt::format("expected one string, found {}", values.size()));
  }
  return std::move(values.front());
}

namespace {
// Reads a scalar numeric attribute converted to `mem_type`.
template <typename T>
T numeric_attribute(hid_t file, const std::string& object, std::string_view name, hid_t mem_type,
                    H5T_class_t want, std::string_view file_name) {
  const std::string where = object + "@" + std::string(name);
  H5Handle a = open_attribute(file, object, name, file_name);
  H5Handle type(static_cast<hid_t>(h5_check(H5Aget_type(a.get()), "H5Aget_type", file_name, where)),
                H5Kind::kDatatype);
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls != want && !(want == H5T_FLOAT && cls == H5T_INTEGER)) {
    throw H5Error(std::string(file_name), where, "attribute has the wrong type");
  }
  H5Handle space(
      static_cast<hid_t>(h5_check(H5Aget_space(a.get()), "H5Aget_space", file_name, where)),
      H5Kind::kDataspace);
  if (h5_check(H5Sget_simple_extent_npoints(space.get()), "H5Sget_simple_extent_npoints", file_name,
               where) != 1) {
    throw H5Error(std::string(file_name), where, "attribute is not a scalar");
  }
  T value{};
  h5_check(H5Aread(a.get(), mem_type, &value), "H5Aread", file_name, where);
  return value;
}
}  // namespace

double H5File::double_attribute(std::string_view object, std::string_view name) const {
  const std::string norm = h5_normalize_path(object);
  require_open(norm);
  return numeric_attribute<double>(file_.get(), norm, name, H5T_NATIVE_DOUBLE, H5T_FLOAT, path_);
}

std::int64_t H5File::int64_attribute(std::string_view object, std::string_view name) const {
  const std::string norm = h5_normalize_path(object);
  require_open(norm);
  return numeric_attribute<std::int64_t>(file_.get(), norm, name, H5T_NATIVE_INT64, H5T_INTEGER,
                                         path_);
}

}  // namespace thermex
