#pragma once
// Runs the built thermex binary (THERMEX_CLI_PATH, defined for the test binary) for the CLI
// end-to-end tests.
#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace thermex::testing_support {

/// Exit code and output of one CLI run.
struct RunResult {
  int exit_code = -1;
  std::string output;  ///< stdout and stderr together
};

/// Runs `thermex <args>` through the shell (quote paths in `args`); -1 exit code when the
/// process could not be started or did not exit normally.
inline RunResult run_cli(const std::string& args) {
  const std::string command = std::string("'") + THERMEX_CLI_PATH + "' " + args + " 2>&1";
  RunResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace thermex::testing_support
