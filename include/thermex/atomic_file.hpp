#pragma once
/// \file
/// Atomic replacement of an output file: write everything to a temporary file in the same
/// directory, then rename() it over the final path. Readers see either the old file or the
/// complete new one, never a half-written file, even if the process is killed mid-write.

#include <fstream>
#include <memory>
#include <string>
#include <string_view>

namespace thermex {

/// A temporary file that becomes `final_path` on commit(). Move-only.
///
/// Usage: construct with the final path, write to path() (for libraries that need a file name,
/// such as HDF5) or to stream() (text), then call commit(). A destructor run without commit()
/// (an exception, an early return) removes the temporary file and leaves any existing file at
/// the final path untouched. If the process dies before commit(), a `.name.tmp.XXXXXX` file may
/// be left behind in the directory, but the final path still holds the old content.
class AtomicFile {
 public:
  /// Creates a unique temporary file `.<basename>.tmp.XXXXXX` next to `final_path` (mkstemp,
  /// mode 0600 widened to 0644 before rename). Throws Error naming the directory and strerror
  /// when the directory does not exist or is not writable.
  explicit AtomicFile(std::string final_path);
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&& other) noexcept;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  /// Removes the temporary file unless committed. Never throws; failures are logged.
  ~AtomicFile();

  /// Path of the temporary file to write to. Valid until commit() or destruction.
  const std::string& path() const noexcept { return temp_path_; }
  /// The path the file will have after commit().
  const std::string& final_path() const noexcept { return final_path_; }
  /// A text/binary stream on the temporary file, opened (truncating) on first use. Do not mix
  /// with writes through path() by another library.
  std::ostream& stream();
  /// True once commit() succeeded.
  bool committed() const noexcept { return committed_; }

  /// Flushes and closes stream() if open, fsyncs the temporary file, renames it over the final
  /// path and fsyncs the directory so the rename is durable. Throws Error naming the path and
  /// strerror on any failure (the temporary file is then removed by the destructor). Calling it
  /// twice throws.
  void commit();

 private:
  void discard() noexcept;

  std::string final_path_;
  std::string temp_path_;
  int fd_ = -1;  // descriptor from mkstemp, kept open until commit so fsync is possible
  std::unique_ptr<std::ofstream> stream_;
  bool committed_ = false;
};

/// Writes `contents` to `path` atomically (temporary file + fsync + rename). Throws Error
/// naming the path and strerror on failure; the old file, if any, is then left unchanged.
void write_file_atomically(const std::string& path, std::string_view contents);

}  // namespace thermex
