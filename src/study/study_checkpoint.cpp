// Stage checkpoints (written atomically, trusted only with a matching input_hash) and the
// assembly of results files from them by HDF5 object copies.
#include <fmt/format.h>
#include <hdf5.h>

#include <algorithm>
#include <filesystem>

#include "study_internal.hpp"
#include "thermex/atomic_file.hpp"
#include "thermex/error.hpp"

namespace thermex::study {
namespace {

constexpr const char* kStageAttr = "thermex_study_stage";
constexpr const char* kHashAttr = "input_hash";

std::string join(const std::string& parent, const std::string& child) {
  return parent == "/" ? "/" + child : parent + "/" + child;
}

// A group or dataset, with the handle kind that closes it.
H5Handle open_object(const H5File& f, const std::string& path) {
  if (f.is_group(path)) {
    return H5Handle(static_cast<hid_t>(h5_check(H5Gopen2(f.id(), path.c_str(), H5P_DEFAULT),
                                                "H5Gopen2", f.path(), path)),
                    H5Kind::kGroup);
  }
  return H5Handle(static_cast<hid_t>(h5_check(H5Dopen2(f.id(), path.c_str(), H5P_DEFAULT),
                                              "H5Dopen2", f.path(), path)),
                  H5Kind::kDataset);
}

// Copies the attributes of `path` one by one. H5Ocopy cannot be trusted with them: HDF5 1.10
// crashes copying densely stored variable-length string attributes (our groups store
// attributes densely, h5.hpp), so objects are copied without attributes and these follow.
void copy_attributes(const H5File& src, H5File& dst, const std::string& path) {
  const H5Handle s_obj = open_object(src, path);
  const H5Handle d_obj = open_object(dst, path);
  H5O_info_t info;
  h5_check(H5Oget_info2(s_obj.get(), &info, H5O_INFO_NUM_ATTRS), "H5Oget_info", src.path(), path);
  for (hsize_t i = 0; i < info.num_attrs; ++i) {
    H5Handle a(static_cast<hid_t>(h5_check(H5Aopen_by_idx(s_obj.get(), ".", H5_INDEX_NAME,
                                                          H5_ITER_INC, i, H5P_DEFAULT, H5P_DEFAULT),
                                           "H5Aopen_by_idx", src.path(), path)),
               H5Kind::kAttribute);
    const ssize_t name_len = H5Aget_name(a.get(), 0, nullptr);
    std::string name(static_cast<std::size_t>(std::max<ssize_t>(name_len, 0)), '\0');
    H5Aget_name(a.get(), name.size() + 1, name.data());
    H5Handle type(
        static_cast<hid_t>(h5_check(H5Aget_type(a.get()), "H5Aget_type", src.path(), path)),
        H5Kind::kDatatype);
    H5Handle space(
        static_cast<hid_t>(h5_check(H5Aget_space(a.get()), "H5Aget_space", src.path(), path)),
        H5Kind::kDataspace);
    const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get()));
    H5Handle out(static_cast<hid_t>(h5_check(H5Acreate2(d_obj.get(), name.c_str(), type.get(),
                                                        space.get(), H5P_DEFAULT, H5P_DEFAULT),
                                             "H5Acreate2", dst.path(), path + "@" + name)),
                 H5Kind::kAttribute);
    if (H5Tis_variable_str(type.get()) > 0) {
      std::vector<char*> strings(n, nullptr);
      h5_check(H5Aread(a.get(), type.get(), strings.data()), "H5Aread", src.path(), path);
      const herr_t rc = H5Awrite(out.get(), type.get(), strings.data());
      H5Dvlen_reclaim(type.get(), space.get(), H5P_DEFAULT, strings.data());
      h5_check(rc, "H5Awrite", dst.path(), path + "@" + name);
    } else {
      std::vector<unsigned char> bytes(n * H5Tget_size(type.get()));
      h5_check(H5Aread(a.get(), type.get(), bytes.data()), "H5Aread", src.path(), path);
      h5_check(H5Awrite(out.get(), type.get(), bytes.data()), "H5Awrite", dst.path(),
               path + "@" + name);
    }
  }
}

void copy_object(const H5File& src, H5File& dst, const std::string& path) {
  if (src.is_group(path)) {
    const bool fresh = !dst.exists(path);
    if (!fresh && !dst.is_group(path)) {
      throw Error(
          fmt::format("{}: {} is not a group (copying from {})", dst.path(), path, src.path()));
    }
    if (fresh) {
      dst.create_group(path);
      copy_attributes(src, dst, path);
    }
    for (const std::string& child : src.list(path)) copy_object(src, dst, join(path, child));
    return;
  }
  if (dst.exists(path)) {
    throw Error(fmt::format("{}: {} already written by an earlier stage (copying from {})",
                            dst.path(), path, src.path()));
  }
  H5Handle plist(
      static_cast<hid_t>(h5_check(H5Pcreate(H5P_OBJECT_COPY), "H5Pcreate", dst.path(), path)),
      H5Kind::kPropertyList);
  h5_check(H5Pset_copy_object(plist.get(), H5O_COPY_WITHOUT_ATTR_FLAG), "H5Pset_copy_object",
           dst.path(), path);
  h5_check(H5Ocopy(src.id(), path.c_str(), dst.id(), path.c_str(), plist.get(), H5P_DEFAULT),
           "H5Ocopy", dst.path(), path);
  copy_attributes(src, dst, path);
}

}  // namespace

bool checkpoint_matches(const std::string& path, std::string_view stage, std::string_view hash) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return false;
  try {
    const H5File f = H5File::open_read_only(path);
    return f.has_attribute("/", kStageAttr) && f.has_attribute("/", kHashAttr) &&
           f.string_attribute("/", kStageAttr) == stage &&
           f.string_attribute("/", kHashAttr) == hash;
  } catch (const Error&) {
    return false;  // unreadable or foreign: recompute rather than fail
  }
}

void write_checkpoint(const std::string& path, std::string_view stage, std::string_view hash,
                      const std::function<void(H5File&)>& body) {
  AtomicFile out(path);
  {
    H5File f = H5File::create(out.path());
    body(f);
    f.set_attribute("/", kStageAttr, stage);
    f.set_attribute("/", kHashAttr, hash);
    f.close();
  }
  out.commit();
}

void copy_groups(const H5File& src, H5File& dst, std::span<const std::string> skip) {
  for (const std::string& child : src.list("/")) {
    if (std::find(skip.begin(), skip.end(), child) != skip.end()) continue;
    copy_object(src, dst, "/" + child);
  }
}

}  // namespace thermex::study
