// Partitions of work items, shard parsing and the single-process Comm (comm.hpp). The MPI
// transport is tested with two real ranks by tests/mpi/comm_mpi_check.cpp (ctest Mpi.Comm).
#include <gtest/gtest.h>

#include <cstdlib>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "thermex/comm.hpp"
#include "thermex/error.hpp"

namespace thermex {
namespace {

TEST(CommPartition, BlocksCoverEveryItemOnceInOrder) {
  for (std::size_t n : {0U, 1U, 7U, 64U, 1001U}) {
    for (std::size_t parts : {1U, 2U, 3U, 8U, 13U}) {
      std::size_t next = 0;
      for (std::size_t p = 0; p < parts; ++p) {
        const ItemRange r = partition_block(n, parts, p);
        EXPECT_EQ(r.begin, next) << "n " << n << " parts " << parts << " part " << p;
        EXPECT_LE(r.begin, r.end);
        // Balanced: sizes differ by at most one, larger blocks first.
        EXPECT_TRUE(r.size() == n / parts || r.size() == n / parts + 1) << "part " << p;
        EXPECT_EQ(r.size(), n / parts + (p < n % parts ? 1 : 0)) << "part " << p;
        next = r.end;
      }
      EXPECT_EQ(next, n) << "n " << n << " parts " << parts;
    }
  }
}

TEST(CommPartition, RejectsPartOutOfRange) {
  EXPECT_THROW(partition_block(10, 0, 0), Error);
  EXPECT_THROW(partition_block(10, 3, 3), Error);
}

TEST(CommShard, ParsesZeroBasedIndex) {
  EXPECT_EQ(parse_shard("0/1"), (Shard{0, 1}));
  EXPECT_EQ(parse_shard("3/8"), (Shard{3, 8}));
  EXPECT_EQ(to_string(Shard{3, 8}), "3/8");
}

TEST(CommShard, RejectsMalformedTextNamingTheKey) {
  for (const char* bad : {"", "1", "8/8", "1/0", "-1/4", "a/4", "1/4x", "1//4", "/4", "1/"}) {
    try {
      parse_shard(bad, "--shard");
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("--shard"), std::string::npos) << e.what();
    }
  }
}

TEST(CommSelf, CollectivesAreLocal) {
  const auto comm = make_self_comm();
  EXPECT_EQ(comm->rank(), 0);
  EXPECT_EQ(comm->size(), 1);
  const std::vector<double> v{1.5, -2.0};
  EXPECT_EQ(comm->allgather(v), v);
  EXPECT_EQ(comm->broadcast("config"), "config");
  EXPECT_TRUE(comm->any(true));
  EXPECT_FALSE(comm->any(false));
  comm->barrier();
}

TEST(CommSelf, GatherItemsKeepsIdOrderAndLengths) {
  const auto comm = make_self_comm();
  const std::vector<std::vector<double>> items{{1.0, 2.0}, {}, {3.0}, {4.0, 5.0, 6.0}};
  EXPECT_EQ(gather_items(*comm, items.size(), items), items);
  EXPECT_THROW(gather_items(*comm, 5, items), Error);
}

TEST(CommDefault, SingleProcessWithoutLauncher) {
  // ctest does not run this binary under mpirun, so the default is the lone process.
  if (launched_by_mpi()) GTEST_SKIP() << "running under mpirun";
  EXPECT_EQ(make_default_comm()->size(), 1);
}

}  // namespace
}  // namespace thermex

namespace thermex {
namespace {

TEST(CommLocalRank, ReadsTheLauncherEnvironment) {
  // Scoped environment edits: restore whatever the test runner had.
  const char* names[] = {"OMPI_COMM_WORLD_LOCAL_RANK", "SLURM_LOCALID", "MPI_LOCALRANKID",
                         "PMI_LOCAL_RANK"};
  std::vector<std::pair<std::string, std::string>> saved;
  for (const char* n : names) {
    if (const char* v = std::getenv(n)) saved.emplace_back(n, v);
    unsetenv(n);
  }
  EXPECT_EQ(local_rank(), 0);
  setenv("SLURM_LOCALID", "3", 1);
  EXPECT_EQ(local_rank(), 3);
  setenv("OMPI_COMM_WORLD_LOCAL_RANK", "1", 1);  // OpenMPI's variable wins
  EXPECT_EQ(local_rank(), 1);
  setenv("OMPI_COMM_WORLD_LOCAL_RANK", "x", 1);  // unparsable: the next one
  EXPECT_EQ(local_rank(), 3);
  for (const char* n : names) unsetenv(n);
  for (const auto& [n, v] : saved) setenv(n.c_str(), v.c_str(), 1);
}

}  // namespace
}  // namespace thermex
