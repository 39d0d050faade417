#pragma once
/// \file
/// Extendible (unlimited first dimension), chunked, compressed numeric datasets for results that
/// are streamed: a sweep appends blocks of rows to /sweeps/<name>/... as chunks finish, so memory
/// stays bounded by one block whatever the total. Complements the whole-dataset API of h5.hpp.
/// Not thread-safe (HDF5).

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "thermex/h5.hpp"

namespace thermex {

/// A 1-D (cols == 0) or 2-D (rows x cols, row-major) double dataset that grows along its first
/// dimension. Holds an open dataset handle: release it (destroy the object) before
/// H5File::close(). Movable, not copyable.
class H5ExtendibleDoubles {
 public:
  /// Creates dataset `path` of `file` (parent groups are created) with 0 rows, unlimited
  /// maximum rows, chunks of `chunk_rows` rows (>= 1) and shuffle + deflate when available.
  /// Throws H5Error when it exists or the file is not writable.
  static H5ExtendibleDoubles create(H5File& file, std::string_view path, std::size_t cols,
                                    std::size_t chunk_rows);
  /// Opens an existing 1-D or 2-D double dataset (cols() == 0 for 1-D). Throws H5Error when it
  /// is missing or has another rank.
  static H5ExtendibleDoubles open(const H5File& file, std::string_view path);

  /// Appends values.size() / max(cols, 1) rows at the end; values.size() must be a multiple of
  /// the row width (Error otherwise). Cost: one extend and one hyperslab write.
  void append(std::span<const double> values);
  /// Reads rows [begin, begin + count) (row-major). Throws Error when out of range.
  std::vector<double> read_rows(std::size_t begin, std::size_t count) const;
  /// Current number of rows.
  std::size_t rows() const noexcept { return rows_; }
  /// Row width (0 for a 1-D dataset).
  std::size_t cols() const noexcept { return cols_; }

 private:
  H5ExtendibleDoubles(H5Handle ds, std::string file, std::string path, std::size_t rows,
                      std::size_t cols)
      : ds_(std::move(ds)),
        file_(std::move(file)),
        path_(std::move(path)),
        rows_(rows),
        cols_(cols) {}
  /// The dataspace of rows [begin, begin + count) in the file, and the matching memory space.
  std::pair<H5Handle, H5Handle> slab(std::size_t begin, std::size_t count) const;

  H5Handle ds_;
  std::string file_;
  std::string path_;
  std::size_t rows_ = 0;
  std::size_t cols_ = 0;
};

}  // namespace thermex
