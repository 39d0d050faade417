#include "thermex/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "thermex/error.hpp"
#include "thermex/log.hpp"

namespace thermex {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

// Directory part of a path ("." when it has none) and the base name.
std::pair<std::string, std::string> split_path(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return {".", path};
  if (slash == 0) return {"/", path.substr(1)};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

// Makes a rename inside `dir` durable: POSIX only promises that after an fsync of the directory.
void fsync_directory(const std::string& dir) {
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) {
    throw Error(fmt::format("{}: cannot open directory to sync: {}", dir, errno_text(errno)));
  }
  const int rc = ::fsync(dfd);
  const int err = errno;
  ::close(dfd);
  // Some file systems (tmpfs on old kernels, some FUSE) refuse fsync on directories with
  // EINVAL; the rename itself has happened, so that is not worth failing the write for.
  if (rc != 0 && err != EINVAL) {
    throw Error(fmt::format("{}: fsync of directory failed: {}", dir, errno_text(err)));
  }
}

}  // namespace

AtomicFile::AtomicFile(std::string final_path) : final_path_(std::move(final_path)) {
  if (final_path_.empty()) throw Error("AtomicFile: empty output path");
  const auto [dir, base] = split_path(final_path_);
  if (base.empty()) throw Error(fmt::format("{}: output path names a directory", final_path_));
  std::string pattern = (dir == "." && final_path_.find('/') == std::string::npos)
                            ? fmt::format(".{}.tmp.XXXXXX", base)
                            : fmt::format("{}/.{}.tmp.XXXXXX", dir == "/" ? "" : dir, base);
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  fd_ = ::mkstemp(buf.data());
  if (fd_ < 0) {
    throw Error(fmt::format("{}: cannot create a temporary file in '{}': {}", final_path_, dir,
                            errno_text(errno)));
  }
  temp_path_.assign(buf.data());
  // mkstemp creates mode 0600; an output file should be readable like any other file.
  if (::fchmod(fd_, 0644) != 0) {
    const int err = errno;
    discard();
    throw Error(fmt::format("{}: chmod failed: {}", temp_path_, errno_text(err)));
  }
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : final_path_(std::move(other.final_path_)),
      temp_path_(std::exchange(other.temp_path_, std::string())),
      fd_(std::exchange(other.fd_, -1)),
      stream_(std::move(other.stream_)),
      committed_(std::exchange(other.committed_, false)) {}

AtomicFile& AtomicFile::operator=(AtomicFile&& other) noexcept {
  if (this != &other) {
    discard();
    final_path_ = std::move(other.final_path_);
    temp_path_ = std::exchange(other.temp_path_, std::string());
    fd_ = std::exchange(other.fd_, -1);
    stream_ = std::move(other.stream_);
    committed_ = std::exchange(other.committed_, false);
  }
  return *this;
}

AtomicFile::~AtomicFile() { discard(); }

void AtomicFile::discard() noexcept {
  if (stream_) {
    stream_->close();
    stream_.reset();
  }
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (!committed_ && !temp_path_.empty()) {
    if (::unlink(temp_path_.c_str()) != 0 && errno != ENOENT) {
      log_warning(
          fmt::format("{}: cannot remove temporary file: {}", temp_path_, errno_text(errno)));
    }
  }
  temp_path_.clear();
}

std::ostream& AtomicFile::stream() {
  if (committed_ || temp_path_.empty()) {
    throw Error(fmt::format("{}: stream() after commit", final_path_));
  }
  if (!stream_) {
    stream_ = std::make_unique<std::ofstream>(temp_path_,
                                              std::ios::out | std::ios::binary | std::ios::trunc);
    if (!stream_->is_open()) {
      throw Error(fmt::format("{}: cannot open for writing: {}", temp_path_, errno_text(errno)));
    }
  }
  return *stream_;
}

void AtomicFile::commit() {
  if (committed_ || temp_path_.empty()) {
    throw Error(fmt::format("{}: commit() called twice", final_path_));
  }
  if (stream_) {
    stream_->flush();
    const bool ok = stream_->good();
    stream_->close();
    if (!ok || stream_->fail()) {
      throw Error(fmt::format("{}: write failed: {}", temp_path_, errno_text(errno)));
    }
    stream_.reset();
  }
  // fsync works on the file, not the descriptor, so it also covers data written through the
  // stream's or another library's own descriptors on the same path.
  if (::fsync(fd_) != 0) {
    throw Error(fmt::format("{}: fsync failed: {}", temp_path_, errno_text(errno)));
  }
  const int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0) throw Error(fmt::format("{}: close failed: {}", temp_path_, errno_text(errno)));
  if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
    throw Error(fmt::format("{}: cannot rename '{}' over it: {}", final_path_, temp_path_,
                            errno_text(errno)));
  }
  committed_ = true;
  temp_path_.clear();
  fsync_directory(split_path(final_path_).first);
}

void write_file_atomically(const std::string& path, std::string_view contents) {
  AtomicFile file(path);
  std::ostream& out = file.stream();
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  if (!out) throw Error(fmt::format("{}: write failed: {}", file.path(), errno_text(errno)));
  file.commit();
}

}  // namespace thermex
