// `thermex summary db.h5 [--json]`: what a DSC database holds, how complete it is, and which
// records carry known pitfalls. Text on stdout by default, one JSON object with --json.
#include <cstdio>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "commands.hpp"
#include "thermex/db_summary.hpp"
#include "thermex/dsc_h5.hpp"

namespace thermex::cli {

namespace {
struct SummaryOptions {
  std::string database;
  bool json = false;
  std::size_t max_reasons = 5;
};
}  // namespace

void add_summary_command(CLI::App& app, const GlobalOptions&) {
  auto* cmd = app.add_subcommand("summary", "summarise a DSC database (HDF5)");
  // Owned by the callback, which outlives parsing (CLI11 keeps the callback in the App).
  auto opts = std::make_shared<SummaryOptions>();
  cmd->add_option("database", opts->database, "database file written by `thermex import`")
      ->required();
  cmd->add_flag("--json", opts->json, "print one JSON object instead of text");
  cmd->add_option("--reasons", opts->max_reasons, "how many rejected rows to show")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([opts] {
    const LoadedDatabase loaded = read_database_h5(opts->database);
    const DbSummary summary = summarize_database(loaded.db, loaded.rejected, opts->max_reasons);
    if (opts->json) {
      fmt::print("{}", format_summary_json(summary));
    } else {
      fmt::print("database: {} (schema {}, written by thermex {} at {})\n", opts->database,
                 loaded.schema_version, loaded.thermex_version, loaded.created_utc);
      fmt::print("{}", format_summary_text(summary));
    }
    std::fflush(stdout);
  });
}

}  // namespace thermex::cli
