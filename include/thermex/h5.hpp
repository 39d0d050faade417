#pragma once
/// \file
/// A small RAII layer over the HDF5 C API (serial, 1.10+): owned handles, a file object with a
/// path-based group/dataset/attribute API, and checked calls whose errors name the file and the
/// object ("db.h5:/records/onset_C: H5Dread failed: <innermost HDF5 message>").
///
/// Storage rules (chosen so files read naturally in h5py):
/// - Datasets are 1-D (or 2-D row-major for fixed-width per-row data). Missing doubles are NaN.
/// - Strings are variable-length UTF-8 (H5T_VARIABLE, H5T_CSET_UTF8); reading also accepts
///   fixed-length strings as written by other tools.
/// - Numeric datasets with more than kH5ChunkThreshold elements are chunked (up to
///   kH5ChunkElements elements per chunk) and compressed with shuffle + deflate level 4; smaller
///   ones are contiguous, where compression would only add overhead.
/// - Groups track link creation order, so list() returns children in the order they were made.
/// - Attributes are stored densely on groups we create, so long string-list attributes (a wide
///   table's column names) are not limited by the 64 KiB object-header limit.
/// Not thread-safe: the Debian HDF5 build is not thread-safe, use one thread per process.

#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "thermex/error.hpp"

namespace thermex {

/// Numeric datasets above this many elements are chunked and deflate-compressed.
inline constexpr std::size_t kH5ChunkThreshold = 4096;
/// Elements per chunk of a compressed dataset (128 KiB of doubles), within HDF5's advice.
inline constexpr std::size_t kH5ChunkElements = 16384;

/// A failed HDF5 call. what() reads "<file>:<object>: <call> failed: <HDF5 message>".
class H5Error : public Error {
 public:
  H5Error(std::string file, std::string object, const std::string& message);
  const std::string& file() const noexcept { return file_; }
  /// Object path inside the file ("/records/onset_C"; "/" for the file itself).
  const std::string& object() const noexcept { return object_; }
  /// The message without the "<file>:<object>: " prefix.
  const std::string& message() const noexcept { return message_; }

 private:
  std::string file_;
  std::string object_;
  std::string message_;
};

/// What an H5Handle owns; selects the close function.
enum class H5Kind { kFile, kGroup, kDataset, kDataspace, kDatatype, kAttribute, kPropertyList };

/// Owns one HDF5 identifier and closes it with the function of its kind. Movable, not copyable.
class H5Handle {
 public:
  H5Handle() = default;
  /// Takes ownership of `id` (which must be valid, i.e. >= 0).
  H5Handle(hid_t id, H5Kind kind) noexcept : id_(id), kind_(kind) {}
  H5Handle(H5Handle&& other) noexcept;
  H5Handle& operator=(H5Handle&& other) noexcept;
  H5Handle(const H5Handle&) = delete;
  H5Handle& operator=(const H5Handle&) = delete;
  /// Closes the identifier; a failure is logged, never thrown.
  ~H5Handle() { reset(); }

  hid_t get() const noexcept { return id_; }
  bool valid() const noexcept { return id_ >= 0; }
  H5Kind kind() const noexcept { return kind_; }
  /// Closes now (logging a failure) and leaves the handle empty.
  void reset() noexcept;
  /// Closes now and throws H5Error naming `file`/`object` on failure (a file close flushes
  /// data, so its failure must not be silent).
  void close(std::string_view file, std::string_view object);

 private:
  hid_t id_ = H5I_INVALID_HID;
  H5Kind kind_ = H5Kind::kPropertyList;
};

/// Turns off HDF5's automatic printing of its error stack (once per process); our exceptions
/// carry the innermost message instead. Called by every H5File constructor.
void h5_silence_errors() noexcept;

/// Returns `status` when >= 0; otherwise throws H5Error("<file>:<object>: <call> failed: <msg>")
/// with the innermost message of HDF5's error stack, then clears the stack.
std::int64_t h5_check(std::int64_t status, std::string_view call, std::string_view file,
                      std::string_view object);

/// Row-major 2-D numeric data read from a dataset.
template <typename T>
struct H5Matrix {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<T> values;  ///< rows * cols values, row after row
};

/// An open HDF5 file with a path-based API. Paths are absolute ("/records/onset_C") or relative
/// to the root. Movable, not copyable. Costs are those of the HDF5 calls (no caching).
class H5File {
 public:
  /// Creates (truncating) `path` for writing. Throws H5Error on failure.
  static H5File create(const std::string& path);
  /// Opens an existing file read-only. Throws InputError(path, 0, "", reason) when the file is
  /// missing or is not an HDF5 file, H5Error on other failures.
  static H5File open_read_only(const std::string& path);
  /// Opens an existing file for reading and writing (adding groups to a results file). Same
  /// errors as open_read_only. Not atomic: prefer writing a new file through AtomicFile.
  static H5File open_read_write(const std::string& path);

  H5File(H5File&&) noexcept = default;
  H5File& operator=(H5File&&) noexcept = default;
  /// Closes the file if still open (errors logged; call close() to see them).
  ~H5File() = default;

  /// File name as given when opened (used in error messages).
  const std::string& path() const noexcept { return path_; }
  /// True when opened by create() or open_read_write().
  bool writable() const noexcept { return writable_; }
  /// Flushes and closes the file; throws H5Error on failure (e.g. a full disk, or objects of
  /// this file still open). Further calls on this object throw.
  void close();

  /// Creates group `path` and any missing intermediate groups; an existing group is fine.
  void create_group(std::string_view path);
  /// True when every component of `path` exists ("/" always exists).
  bool exists(std::string_view path) const;
  /// True when `path` exists and is a group / a dataset.
  bool is_group(std::string_view path) const;
  bool is_dataset(std::string_view path) const;
  /// Names of the children of group `path`, in creation order when the group tracks it (ours
  /// do), else in name order.
  std::vector<std::string> list(std::string_view path) const;

  /// Writes a new 1-D dataset (parent groups are created). Throws H5Error when it exists.
  void write_doubles(std::string_view path, std::span<const double> values);
  void write_int64s(std::string_view path, std::span<const std::int64_t> values);
  void write_strings(std::string_view path, std::span<const std::string> values);
  /// Writes a new 2-D dataset of shape rows x cols from row-major `values`.
  void write_double_matrix(std::string_view path, std::size_t rows, std::size_t cols,
                           std::span<const double> values);
  void write_int64_matrix(std::string_view path, std::size_t rows, std::size_t cols,
                          std::span<const std::int64_t> values);

  /// Reads a 1-D numeric dataset (any integer or float type; converted). Throws H5Error when
  /// missing, not 1-D or not numeric.
  std::vector<double> read_doubles(std::string_view path) const;
  std::vector<std::int64_t> read_int64s(std::string_view path) const;
  /// Reads a 1-D string dataset (variable- or fixed-length).
  std::vector<std::string> read_strings(std::string_view path) const;
  /// Reads a 2-D numeric dataset.
  H5Matrix<double> read_double_matrix(std::string_view path) const;
  H5Matrix<std::int64_t> read_int64_matrix(std::string_view path) const;
  /// Number of elements along the first dimension of a dataset.
  std::size_t dataset_length(std::string_view path) const;

  /// Sets (replacing) an attribute on the group or dataset at `object`.
  void set_attribute(std::string_view object, std::string_view name, std::string_view value);
  void set_attribute(std::string_view object, std::string_view name, double value);
  void set_attribute(std::string_view object, std::string_view name, std::int64_t value);
  void set_attribute(std::string_view object, std::string_view name,
                     std::span<const std::string> values);
  /// True when the object has the attribute.
  bool has_attribute(std::string_view object, std::string_view name) const;
  /// Reads a scalar attribute; throws H5Error when missing or of the wrong class.
  std::string string_attribute(std::string_view object, std::string_view name) const;
  double double_attribute(std::string_view object, std::string_view name) const;
  std::int64_t int64_attribute(std::string_view object, std::string_view name) const;
  /// Reads a 1-D string attribute (a scalar string reads as one element).
  std::vector<std::string> string_list_attribute(std::string_view object,
                                                 std::string_view name) const;

  /// The raw file identifier, for calls this API does not cover.
  hid_t id() const noexcept { return file_.get(); }

 private:
  H5File(std::string path, H5Handle file, bool writable)
      : path_(std::move(path)), file_(std::move(file)), writable_(writable) {}
  /// Throws H5Error(object, "<call> failed: <message>") unless the file is open.
  void require_open(std::string_view object) const;
  /// Creates the parent group of dataset `path` and returns the normalised absolute path.
  std::string prepare_dataset(std::string_view path);

  std::string path_;
  H5Handle file_;
  bool writable_ = false;
};

/// Normalises an object path: ensures a leading '/', drops a trailing '/' and empty components.
std::string h5_normalize_path(std::string_view path);

}  // namespace thermex
