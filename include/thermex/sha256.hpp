#pragma once
/// \file
/// SHA-256 (FIPS 180-4) for provenance: the hash of an imported CSV is stored in the database
/// and in results files so a stage can tell whether its input changed.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace thermex {

/// Incremental SHA-256. update() any number of times, then hex_digest() once.
class Sha256 {
 public:
  Sha256() noexcept { reset(); }
  /// Starts a new message.
  void reset() noexcept;
  /// Appends bytes to the message. Cost O(size).
  void update(std::span<const std::byte> data) noexcept;
  void update(std::string_view data) noexcept;
  /// Pads, finishes and returns the 32-byte digest; the object must be reset() before reuse.
  std::array<std::uint8_t, 32> digest() noexcept;
  /// digest() as 64 lower-case hex characters.
  std::string hex_digest();

 private:
  void compress(const std::uint8_t* block) noexcept;

  std::array<std::uint32_t, 8> state_{};
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
};

/// SHA-256 of `data` as 64 lower-case hex characters.
std::string sha256_hex(std::string_view data);

/// SHA-256 of the file's bytes as 64 lower-case hex characters, read in 64 KiB blocks.
/// Throws InputError(path, 0, "", strerror) when the file cannot be opened or read.
std::string sha256_file(const std::string& path);

}  // namespace thermex
