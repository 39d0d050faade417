// Partitions of work items, shard parsing, the single-process Comm and the id-ordered gather
// shared by every transport (comm.hpp).
#include "thermex/comm.hpp"

#include <fmt/format.h>
#include <charconv>
#include <cstdlib>

#include "thermex/error.hpp"

namespace thermex {
namespace {

class SelfComm final : public Comm {
 public:
  int rank() const noexcept override { return 0; }
  int size() const noexcept override { return 1; }
  std::vector<double> allgather(std::span<const double> local) const override {
    return {local.begin(), local.end()};
  }
  std::string broadcast(std::string text) const override { return text; }
  bool any(bool flag) const override { return flag; }
  void barrier() const override {}
  std::string describe() const override { return "single process"; }
};

bool parse_size(std::string_view text, std::size_t& out) {
  if (text.empty()) return false;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc{} && ptr == end;
}

bool env_above_one(const char* name) {
  const char* value = std::getenv(name);
  std::size_t n = 0;
  return value != nullptr && parse_size(value, n) && n > 1;
}

}  // namespace

ItemRange partition_block(std::size_t n, std::size_t parts, std::size_t part) {
  THERMEX_EXPECTS(parts > 0 && part < parts, "partition_block: part must be < parts");
  const std::size_t base = n / parts;
  const std::size_t extra = n % parts;
  // The first `extra` blocks carry base + 1 items, the rest base.
  const std::size_t begin = part * base + (part < extra ? part : extra);
  return {begin, begin + base + (part < extra ? 1 : 0)};
}

Shard parse_shard(std::string_view text, std::string_view key) {
  const auto slash = text.find('/');
  Shard shard;
  if (slash == std::string_view::npos || !parse_size(text.substr(0, slash), shard.index) ||
      !parse_size(text.substr(slash + 1), shard.count) || shard.count == 0 ||
      shard.index >= shard.count) {
    throw ConfigError(std::string(key),
                      fmt::format("expected i/n with 0 <= i < n (0-based), got '{}'", text));
  }
  return shard;
}

std::string to_string(const Shard& shard) { return fmt::format("{}/{}", shard.index, shard.count); }

std::unique_ptr<Comm> make_self_comm() { return std::make_unique<SelfComm>(); }

bool launched_by_mpi() noexcept {
  return env_above_one("OMPI_COMM_WORLD_SIZE") || env_above_one("PMI_SIZE") ||
         env_above_one("PMIX_SIZE");
}

int local_rank() noexcept {
  for (const char* name :
       {"OMPI_COMM_WORLD_LOCAL_RANK", "SLURM_LOCALID", "MPI_LOCALRANKID", "PMI_LOCAL_RANK"}) {
    const char* value = std::getenv(name);
    std::size_t rank = 0;
    if (value != nullptr && parse_size(value, rank) && rank < 1u << 20) {
      return static_cast<int>(rank);
    }
  }
  return 0;
}

std::unique_ptr<Comm> make_default_comm() {
  if (!launched_by_mpi()) return make_self_comm();
  if (!mpi_compiled()) {
    throw Error(
        "started by mpirun, but this thermex was built without MPI: every rank would run the "
        "whole study alone (install libopenmpi-dev and rebuild, or run without mpirun)");
  }
  return make_mpi_comm();
}

std::vector<std::vector<double>> gather_items(const Comm& comm, std::size_t n_items,
                                              const std::vector<std::vector<double>>& local) {
  const auto mine = partition_block(n_items, static_cast<std::size_t>(comm.size()),
                                    static_cast<std::size_t>(comm.rank()));
  if (local.size() != mine.size()) {
    throw Error(fmt::format("gather_items: rank {} holds {} items, its block [{}, {}) has {}",
                            comm.rank(), local.size(), mine.begin, mine.end, mine.size()));
  }
  // Pack [count, len_0, values_0..., len_1, ...]; counts and lengths are exact as doubles (< 2^53).
  std::vector<double> packed{static_cast<double>(local.size())};
  for (const auto& item : local) {
    packed.push_back(static_cast<double>(item.size()));
    packed.insert(packed.end(), item.begin(), item.end());
  }
  const std::vector<double> all = comm.allgather(packed);
  std::vector<std::vector<double>> items;
  items.reserve(n_items);
  std::size_t pos = 0;
  for (int r = 0; r < comm.size(); ++r) {
    THERMEX_EXPECTS(pos < all.size(), "gather_items: truncated message");
    const auto count = static_cast<std::size_t>(all[pos++]);
    for (std::size_t i = 0; i < count; ++i) {
      THERMEX_EXPECTS(pos < all.size(), "gather_items: truncated message");
      const auto len = static_cast<std::size_t>(all[pos++]);
      THERMEX_EXPECTS(pos + len <= all.size(), "gather_items: truncated message");
      items.emplace_back(all.begin() + static_cast<std::ptrdiff_t>(pos),
                         all.begin() + static_cast<std::ptrdiff_t>(pos + len));
      pos += len;
    }
  }
  if (items.size() != n_items) {
    throw Error(fmt::format("gather_items: gathered {} items, expected {}", items.size(), n_items));
  }
  return items;
}

}  // namespace thermex
