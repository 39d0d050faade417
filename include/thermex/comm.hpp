#pragma once
/// \file
/// Spreading embarrassingly parallel work items over processes: MPI ranks (`mpirun -np N thermex
/// study ...`) or the members of a scheduler's job array (`--shard i/n` + `thermex merge`).
///
/// Work items have logical ids 0..n-1 (bootstrap replica b, sweep chunk c). A Partition gives
/// each of P parts a contiguous block of ids; every random draw is keyed by the logical id, never
/// by the part, and results are gathered in id order, so any part count gives the same bytes
/// (DESIGN.md, "Work items with logical ids").

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace thermex {

/// A half-open range of item ids [begin, end).
struct ItemRange {
  std::size_t begin = 0;
  std::size_t end = 0;
  /// Number of items in the range.
  std::size_t size() const noexcept { return end - begin; }
  bool operator==(const ItemRange&) const = default;
};

/// Block `part` of `n` items split into `parts` contiguous blocks; the first n % parts blocks get
/// one item more. Precondition: part < parts (Error otherwise). O(1).
ItemRange partition_block(std::size_t n, std::size_t parts, std::size_t part);

/// Which member of a job array this process is: index in [0, count).
struct Shard {
  std::size_t index = 0;  ///< 0-based member index
  std::size_t count = 1;  ///< members in the array (1 = no sharding)
  bool operator==(const Shard&) const = default;
};

/// Parses "i/n" with 0 <= i < n (0-based, e.g. "${SLURM_ARRAY_TASK_ID}/8" for --array=0-7).
/// Throws ConfigError naming `key` otherwise.
Shard parse_shard(std::string_view text, std::string_view key = "--shard");

/// "i/n".
std::string to_string(const Shard& shard);

/// A group of cooperating processes. All collective calls must be made by every rank in the same
/// order (as in MPI). The single-process Comm makes every call a local no-op.
class Comm {
 public:
  virtual ~Comm() = default;
  /// This process's rank in [0, size()).
  virtual int rank() const noexcept = 0;
  /// Number of processes.
  virtual int size() const noexcept = 0;
  /// Every rank's `local` values concatenated in rank order, on every rank (variable lengths).
  /// Throws Error when the transport fails. Cost: O(total) communication.
  virtual std::vector<double> allgather(std::span<const double> local) const = 0;
  /// Rank 0's `text` on every rank.
  virtual std::string broadcast(std::string text) const = 0;
  /// True on every rank when `flag` is true on any rank (used to stop all ranks together when
  /// one of them failed, instead of leaving the others waiting in a collective).
  virtual bool any(bool flag) const = 0;
  /// Waits until every rank arrives.
  virtual void barrier() const = 0;
  /// "single process" or "MPI, 4 ranks".
  virtual std::string describe() const = 0;
};

/// The Comm of a lone process (rank 0 of 1).
std::unique_ptr<Comm> make_self_comm();

/// True when this build has MPI support (THERMEX_MPI found OpenMPI at configure time).
bool mpi_compiled() noexcept;

/// True when the process was started by mpirun/srun with more than one rank (reads the launcher's
/// environment: OMPI_COMM_WORLD_SIZE, PMI_SIZE, PMIX_RANK); never initialises MPI.
bool launched_by_mpi() noexcept;

/// This process's rank among the ranks on its node, from the launcher's environment
/// (OMPI_COMM_WORLD_LOCAL_RANK, SLURM_LOCALID, MPI_LOCALRANKID, PMI_LOCAL_RANK); 0 when none is
/// set. A multi-rank study on a GPU node gives rank r the device r mod (devices on the node).
int local_rank() noexcept;

/// The Comm of MPI_COMM_WORLD. Initialises MPI on first use (MPI_THREAD_FUNNELED: only the main
/// thread calls MPI; OpenMP threads compute) and finalises it at process exit. Throws Error when
/// built without MPI.
std::unique_ptr<Comm> make_mpi_comm();

/// make_mpi_comm() when launched_by_mpi() and MPI is compiled in, make_self_comm() otherwise.
/// Launched by mpirun on a build without MPI it throws Error (every rank would silently do the
/// whole study and race on the output file).
std::unique_ptr<Comm> make_default_comm();

/// Gathers variable-length item results in id order. The caller computed items
/// partition_block(n_items, comm.size(), comm.rank()) in order into `local` (one vector per
/// item); every rank receives all n_items vectors. Throws Error when `local` has the wrong number
/// of items. Cost: one allgather of the packed items.
std::vector<std::vector<double>> gather_items(const Comm& comm, std::size_t n_items,
                                              const std::vector<std::vector<double>>& local);

}  // namespace thermex
