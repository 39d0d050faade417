// The MPI transport of Comm (comm.hpp): MPI_COMM_WORLD, initialised on first use with
// MPI_THREAD_FUNNELED (only the main thread talks to MPI; OpenMP threads only compute) and
// finalised at process exit.
#include <mpi.h>

#include <fmt/format.h>
#include <climits>
#include <cstdlib>
#include <mutex>
#include <numeric>

#include "thermex/comm.hpp"
#include "thermex/error.hpp"

namespace thermex {
namespace {

void mpi_check(int status, const char* call) {
  if (status == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  MPI_Error_string(status, text, &length);
  throw Error(fmt::format("{} failed: {}", call, std::string_view(text, std::size_t(length))));
}

void finalize_at_exit() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

void ensure_initialized() {
  static std::once_flag once;
  std::call_once(once, [] {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (initialized) return;
    int provided = 0;
    mpi_check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    std::atexit(finalize_at_exit);
  });
}

int checked_count(std::size_t n) {
  if (n > static_cast<std::size_t>(INT_MAX)) {
    throw Error(fmt::format("MPI message of {} values exceeds the int count limit", n));
  }
  return static_cast<int>(n);
}

class MpiComm final : public Comm {
 public:
  MpiComm() {
    ensure_initialized();
    mpi_check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
    mpi_check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
  }
  int rank() const noexcept override { return rank_; }
  int size() const noexcept override { return size_; }

  std::vector<double> allgather(std::span<const double> local) const override {
    const int mine = checked_count(local.size());
    std::vector<int> counts(static_cast<std::size_t>(size_));
    mpi_check(MPI_Allgather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD),
              "MPI_Allgather");
    std::vector<int> displs(counts.size());
    std::size_t total = 0;
    for (std::size_t r = 0; r < counts.size(); ++r) {
      displs[r] = checked_count(total);
      total += static_cast<std::size_t>(counts[r]);
    }
    std::vector<double> all(total);
    mpi_check(MPI_Allgatherv(local.data(), mine, MPI_DOUBLE, all.data(), counts.data(),
                             displs.data(), MPI_DOUBLE, MPI_COMM_WORLD),
              "MPI_Allgatherv");
    return all;
  }

  std::string broadcast(std::string text) const override {
    unsigned long long length = text.size();
    mpi_check(MPI_Bcast(&length, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD), "MPI_Bcast");
    text.resize(static_cast<std::size_t>(length));
    mpi_check(MPI_Bcast(text.data(), checked_count(text.size()), MPI_CHAR, 0, MPI_COMM_WORLD),
              "MPI_Bcast");
    return text;
  }

  bool any(bool flag) const override {
    int mine = flag ? 1 : 0;
    int result = 0;
    mpi_check(MPI_Allreduce(&mine, &result, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD), "MPI_Allreduce");
    return result != 0;
  }

  void barrier() const override { mpi_check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier"); }

  std::string describe() const override { return fmt::format("MPI, {} ranks", size_); }

 private:
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace

bool mpi_compiled() noexcept { return true; }

std::unique_ptr<Comm> make_mpi_comm() { return std::make_unique<MpiComm>(); }

}  // namespace thermex
