// Extendible double datasets (unlimited first dimension) for streamed results.
#include "thermex/h5_extendible.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include <fmt/format.h>

#include "h5_internal.hpp"

namespace thermex {
namespace {

H5Handle make_space(int rank, const hsize_t* dims, const hsize_t* max_dims, std::string_view file,
                    std::string_view object) {
  return {static_cast<hid_t>(
              h5_check(H5Screate_simple(rank, dims, max_dims), "H5Screate_simple", file, object)),
          H5Kind::kDataspace};
}

}  // namespace

H5ExtendibleDoubles H5ExtendibleDoubles::create(H5File& file, std::string_view path,
                                                std::size_t cols, std::size_t chunk_rows) {
  const std::string norm = h5_normalize_path(path);
  if (!file.writable()) throw H5Error(file.path(), norm, "file is open read-only");
  THERMEX_EXPECTS(chunk_rows >= 1, "H5ExtendibleDoubles: chunk_rows must be >= 1");
  if (file.exists(norm)) throw H5Error(file.path(), norm, "dataset already exists");
  file.create_group(h5detail::split_parent(norm).first);
  const int rank = cols == 0 ? 1 : 2;
  const std::array<hsize_t, 2> dims{0, static_cast<hsize_t>(cols)};
  const std::array<hsize_t, 2> max_dims{H5S_UNLIMITED, static_cast<hsize_t>(cols)};
  const std::array<hsize_t, 2> chunk{static_cast<hsize_t>(chunk_rows),
                                     static_cast<hsize_t>(std::max<std::size_t>(cols, 1))};
  H5Handle space = make_space(rank, dims.data(), max_dims.data(), file.path(), norm);
  H5Handle dcpl(
      static_cast<hid_t>(h5_check(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate", file.path(), norm)),
      H5Kind::kPropertyList);
  h5_check(H5Pset_chunk(dcpl.get(), rank, chunk.data()), "H5Pset_chunk", file.path(), norm);
  if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0) {
    h5_check(H5Pset_shuffle(dcpl.get()), "H5Pset_shuffle", file.path(), norm);
    h5_check(H5Pset_deflate(dcpl.get(), 4), "H5Pset_deflate", file.path(), norm);
  }
  H5Handle ds(
      static_cast<hid_t>(h5_check(H5Dcreate2(file.id(), norm.c_str(), H5T_IEEE_F64LE, space.get(),
                                             H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                                  "H5Dcreate2", file.path(), norm)),
      H5Kind::kDataset);
  return H5ExtendibleDoubles(std::move(ds), file.path(), norm, 0, cols);
}

H5ExtendibleDoubles H5ExtendibleDoubles::open(const H5File& file, std::string_view path) {
  const std::string norm = h5_normalize_path(path);
  if (!file.is_dataset(norm)) throw H5Error(file.path(), norm, "dataset does not exist");
  H5Handle ds(static_cast<hid_t>(h5_check(H5Dopen2(file.id(), norm.c_str(), H5P_DEFAULT),
                                          "H5Dopen2", file.path(), norm)),
              H5Kind::kDataset);
  H5Handle space(
      static_cast<hid_t>(h5_check(H5Dget_space(ds.get()), "H5Dget_space", file.path(), norm)),
      H5Kind::kDataspace);
  const int rank = static_cast<int>(h5_check(H5Sget_simple_extent_ndims(space.get()),
                                             "H5Sget_simple_extent_ndims", file.path(), norm));
  if (rank != 1 && rank != 2) {
    throw H5Error(file.path(), norm,
                  fmt::format("expected a 1-D or 2-D dataset, found {}-D", rank));
  }
  std::array<hsize_t, 2> dims{0, 0};
  h5_check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr),
           "H5Sget_simple_extent_dims", file.path(), norm);
  return H5ExtendibleDoubles(std::move(ds), file.path(), norm, static_cast<std::size_t>(dims[0]),
                             rank == 2 ? static_cast<std::size_t>(dims[1]) : 0);
}

std::pair<H5Handle, H5Handle> H5ExtendibleDoubles::slab(std::size_t begin,
                                                        std::size_t count) const {
  const int rank = cols_ == 0 ? 1 : 2;
  const std::array<hsize_t, 2> start{static_cast<hsize_t>(begin), 0};
  const std::array<hsize_t, 2> extent{static_cast<hsize_t>(count), static_cast<hsize_t>(cols_)};
  H5Handle file_space(
      static_cast<hid_t>(h5_check(H5Dget_space(ds_.get()), "H5Dget_space", file_, path_)),
      H5Kind::kDataspace);
  h5_check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr,
                               extent.data(), nullptr),
           "H5Sselect_hyperslab", file_, path_);
  H5Handle mem_space = make_space(rank, extent.data(), nullptr, file_, path_);
  return {std::move(file_space), std::move(mem_space)};
}

void H5ExtendibleDoubles::append(std::span<const double> values) {
  const std::size_t width = std::max<std::size_t>(cols_, 1);
  if (values.size() % width != 0) {
    throw Error(fmt::format("{}:{}: {} values are not whole rows of {}", file_, path_,
                            values.size(), width));
  }
  const std::size_t count = values.size() / width;
  if (count == 0) return;
  const std::array<hsize_t, 2> new_dims{static_cast<hsize_t>(rows_ + count),
                                        static_cast<hsize_t>(cols_)};
  h5_check(H5Dset_extent(ds_.get(), new_dims.data()), "H5Dset_extent", file_, path_);
  auto [file_space, mem_space] = slab(rows_, count);
  h5_check(H5Dwrite(ds_.get(), H5T_NATIVE_DOUBLE, mem_space.get(), file_space.get(), H5P_DEFAULT,
                    values.data()),
           "H5Dwrite", file_, path_);
  rows_ += count;
}

std::vector<double> H5ExtendibleDoubles::read_rows(std::size_t begin, std::size_t count) const {
  if (begin > rows_ || count > rows_ - begin) {
    throw Error(fmt::format("{}:{}: rows [{}, {}) out of range ({} rows)", file_, path_, begin,
                            begin + count, rows_));
  }
  std::vector<double> out(count * std::max<std::size_t>(cols_, 1));
  if (count == 0) return out;
  auto [file_space, mem_space] = slab(begin, count);
  h5_check(H5Dread(ds_.get(), H5T_NATIVE_DOUBLE, mem_space.get(), file_space.get(), H5P_DEFAULT,
                   out.data()),
           "H5Dread", file_, path_);
  return out;
}

}  // namespace thermex
