// Run by ctest under `mpirun -np 2` (test Mpi.Comm): the MPI transport's collectives and the
// id-ordered item gather with real ranks. Exits non-zero on the first failed check.
#include <cstdio>
#include <string>
#include <vector>

#include "thermex/comm.hpp"

namespace {

int failures = 0;

void check(bool ok, const char* what, int rank) {
  if (!ok) {
    std::fprintf(stderr, "rank %d: check failed: %s\n", rank, what);
    ++failures;
  }
}

}  // namespace

int main() {
  using namespace thermex;
  const auto comm = make_default_comm();
  const int rank = comm->rank();
  const int size = comm->size();
  check(size == 2, "two ranks", rank);
  // Rank r contributes r + 1 values equal to r: variable lengths in rank order.
  const std::vector<double> mine(static_cast<std::size_t>(rank + 1), double(rank));
  const auto all = comm->allgather(mine);
  std::vector<double> expected;
  for (int r = 0; r < size; ++r) expected.insert(expected.end(), std::size_t(r + 1), double(r));
  check(all == expected, "allgather concatenates in rank order", rank);
  check(comm->broadcast(rank == 0 ? "from rank 0" : "") == "from rank 0", "broadcast", rank);
  check(comm->any(rank == 1), "any is true when one rank says so", rank);
  check(!comm->any(false), "any is false when none says so", rank);
  // Items: item i holds i copies of i; each rank computes its block.
  const std::size_t n = 7;
  const auto block = partition_block(n, std::size_t(size), std::size_t(rank));
  std::vector<std::vector<double>> local;
  for (std::size_t i = block.begin; i < block.end; ++i) local.emplace_back(i, double(i));
  const auto items = gather_items(*comm, n, local);
  bool ok = items.size() == n;
  for (std::size_t i = 0; ok && i < n; ++i) ok = items[i] == std::vector<double>(i, double(i));
  check(ok, "gather_items returns all items in id order", rank);
  comm->barrier();
  if (failures == 0 && rank == 0) std::printf("Mpi.Comm: all checks passed on %d ranks\n", size);
  return failures == 0 ? 0 : 1;
}
