// `thermex summary`: placeholder registration until the command lands.
#include "commands.hpp"

namespace thermex::cli {
void add_summary_command(CLI::App&, const GlobalOptions&) {}
}  // namespace thermex::cli
