// Built without MPI: the MPI transport is absent and says so.
#include "thermex/comm.hpp"
#include "thermex/error.hpp"

namespace thermex {

bool mpi_compiled() noexcept { return false; }

std::unique_ptr<Comm> make_mpi_comm() {
  throw Error("MPI: thermex was built without MPI (install libopenmpi-dev and rebuild)");
}

}  // namespace thermex
