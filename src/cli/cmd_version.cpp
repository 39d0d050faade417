// `thermex version`: version, commit, build options and the devices this machine offers.
#include <fmt/format.h>

#include "commands.hpp"
#include "thermex/version.hpp"

namespace thermex::cli {

void add_version_command(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand("version", "print version, commit and available devices");
  cmd->callback([&global] {
    fmt::print("thermex {} (commit {})\n", kVersion, kGitCommit);
#ifdef THERMEX_HAVE_CUDA
    fmt::print("CUDA backend: built; devices visible: {}\n", cuda_device_count());
#else
    fmt::print("CUDA backend: not built\n");
#endif
    fmt::print("context: {}\n", global.make_context().describe());
  });
}

}  // namespace thermex::cli
