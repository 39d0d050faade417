// `thermex import DATA.csv -o db.h5 [--rejects PATH] [--strict]`: validates a DSC CSV
// (data/SCHEMA.md), prints a one-screen report, writes rejected rows to a CSV and the accepted
// records to the HDF5 database. Rejected rows do not fail the import unless --strict is given,
// because literature files are expected to carry a few unusable rows.
#include <algorithm>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "commands.hpp"
#include "thermex/dsc_csv.hpp"
#include "thermex/dsc_h5.hpp"
#include "thermex/error.hpp"

namespace thermex::cli {
namespace {

// Lines of rejects and warnings listed before "... N more": keeps the report on one screen.
constexpr std::size_t kListed = 15;

struct ImportOptions {
  std::string input;
  std::string output;
  std::string rejects;
  bool strict = false;
};

// <output stem>.rejects.csv next to the output: db.h5 -> db.rejects.csv.
std::string default_rejects_path(const std::string& output) {
  std::filesystem::path p(output);
  p.replace_extension(".rejects.csv");
  return p.string();
}

void print_report(const ImportResult& result, const std::string& rejects_path, bool quiet) {
  const DscDatabase& db = result.db;
  fmt::print("import {} (sha256 {})\n", db.source_file, db.source_sha256.substr(0, 16));
  fmt::print("  rows read: {}, accepted: {}, rejected: {}, warnings: {}\n", result.rows_read,
             db.records.size(), result.rejected.size(), result.warnings.size());
  if (quiet) return;
  const std::size_t shown = std::min(result.rejected.size(), kListed);
  if (shown > 0) fmt::print("rejected rows:\n");
  for (std::size_t i = 0; i < shown; ++i) {
    const RejectedRow& r = result.rejected[i];
    fmt::print("  {}\n", InputError(db.source_file, r.line, r.column, r.reason).what());
  }
  if (result.rejected.size() > shown) {
    fmt::print("  ... {} more in {}\n", result.rejected.size() - shown, rejects_path);
  }
  const std::size_t warned = std::min(result.warnings.size(), kListed);
  if (warned > 0) fmt::print("warnings:\n");
  for (std::size_t i = 0; i < warned; ++i) fmt::print("  {}\n", result.warnings[i]);
  if (result.warnings.size() > warned) {
    fmt::print("  ... {} more warnings\n", result.warnings.size() - warned);
  }
}

void write_rejects(const ImportResult& result, const std::string& path) {
  if (result.rejected.empty()) {
    std::error_code ec;
    const bool stale = std::filesystem::exists(path, ec);
    fmt::print("no rejected rows: {} not written{}\n", path,
               stale ? " (an older file at that path was left as it is)" : "");
    return;
  }
  write_rejects_csv(result.rejected, result.db.source_file, path);
  fmt::print("rejected rows written to {} ({} rows)\n", path, result.rejected.size());
}

void run_import(const ImportOptions& options, bool quiet) {
  const ImportResult result = read_dsc_csv(options.input);
  const std::string rejects_path =
      options.rejects.empty() ? default_rejects_path(options.output) : options.rejects;
  print_report(result, rejects_path, quiet);
  write_rejects(result, rejects_path);
  if (options.strict && !result.rejected.empty()) {
    throw Error(fmt::format("--strict: {} row(s) rejected; database {} not written",
                            result.rejected.size(), options.output));
  }
  if (result.db.records.empty()) {
    throw Error(fmt::format("no row of {} was accepted; database {} not written", options.input,
                            options.output));
  }
  write_database_h5(result.db, result.rejected, options.output);
  fmt::print("database written to {} ({} records)\n", options.output, result.db.records.size());
}

}  // namespace

void add_import_command(CLI::App& app, const GlobalOptions& global) {
  auto options = std::make_shared<ImportOptions>();
  auto* cmd = app.add_subcommand("import",
                                 "validate a DSC CSV (data/SCHEMA.md) and write the HDF5 database");
  cmd->add_option("input", options->input, "DSC CSV file")->required();
  cmd->add_option("-o,--output", options->output, "HDF5 database to write")->required();
  cmd->add_option("--rejects", options->rejects,
                  "CSV of rejected rows (default: <output stem>.rejects.csv; written only when "
                  "rows are rejected)");
  cmd->add_flag("--strict", options->strict, "treat any rejected row as an error (exit 1)");
  cmd->callback([options, &global] { run_import(*options, global.quiet); });
}

}  // namespace thermex::cli
