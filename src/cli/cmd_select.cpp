// `thermex select --data features.csv --target COL [--target COL2 ...] [--features a,b,c]
//  [--spearman 0.8] [--shuffles 100] [--quantile 0.25] [--trees 100] [--json] [-o sel.h5]`:
// screens the features of a model-ready table per target (data/SCREENING.md), prints kept and
// dropped features with reasons (or one JSON object), and writes /selection/<target> groups.
#include <unistd.h>
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "thermex/atomic_file.hpp"
#include "thermex/csv.hpp"
#include "thermex/error.hpp"
#include "thermex/selection.hpp"

namespace thermex::cli {
namespace {

struct SelectCliOptions {
  std::string data;
  std::string meta;
  std::vector<std::string> targets;
  std::vector<std::string> features;
  std::vector<std::string> priority;
  double spearman = 0.8;
  int shuffles = 100;
  double quantile = 0.25;
  int trees = 100;
  bool json = false;
  std::string output;
};

// features.csv -> features.meta.csv (the sidecar `thermex features` writes).
std::string default_meta_path(const std::string& data) {
  std::filesystem::path p(data);
  p.replace_extension(".meta.csv");
  return p.string();
}

// name -> metadata from the sidecar (name,label,unit,kind,group).
std::map<std::string, ColumnMeta> read_meta(const std::string& path) {
  const CsvTable t = read_csv_file(path);
  const std::vector<std::string> expected{"name", "label", "unit", "kind", "group"};
  if (t.header != expected) {
    throw InputError(path, 1, "", "expected the header name,label,unit,kind,group");
  }
  std::map<std::string, ColumnMeta> out;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const auto& row = t.rows[r];
    const auto kind = parse_column_kind(row[3]);
    if (!kind) throw InputError(path, t.row_lines[r], "kind", "unknown kind '" + row[3] + "'");
    out[row[0]] = ColumnMeta{row[0], row[1], row[2], *kind, row[4]};
  }
  return out;
}

// Numeric cell: empty = NaN; anything else must parse completely.
bool parse_cell(const std::string& text, double& value) {
  if (text.empty()) {
    value = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

// The feature CSV as a Table. Kinds come from the sidecar when it exists; without one every
// column is a condition (no "fundamental" information) and the targets are targets.
Table read_feature_table(const SelectCliOptions& cli) {
  const CsvTable t = read_csv_file(cli.data);
  const std::string meta_path = cli.meta.empty() ? default_meta_path(cli.data) : cli.meta;
  std::map<std::string, ColumnMeta> meta;
  if (!cli.meta.empty() || std::filesystem::exists(meta_path)) meta = read_meta(meta_path);
  Table table(t.rows.size());
  for (std::size_t c = 0; c < t.header.size(); ++c) {
    const std::string& name = t.header[c];
    ColumnMeta m{name, name, "", ColumnKind::kCondition, ""};
    if (auto it = meta.find(name); it != meta.end()) m = it->second;
    if (meta.empty() &&
        std::find(cli.targets.begin(), cli.targets.end(), name) != cli.targets.end()) {
      m.kind = ColumnKind::kTarget;
    }
    if (name == "record_id" || m.kind == ColumnKind::kOther) continue;  // ids are not features
    std::vector<double> values(t.rows.size());
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      if (!parse_cell(t.rows[r][c], values[r])) {
        throw InputError(cli.data, t.row_lines[r], name, "not a number: '" + t.rows[r][c] + "'");
      }
    }
    table.add_column(std::move(m), std::move(values));
  }
  return table;
}

SelectionOptions to_selection_options(const SelectCliOptions& cli) {
  SelectionOptions o;
  o.spearman_threshold = cli.spearman;
  o.features = cli.features;
  o.priority = cli.priority;
  o.null.shuffles = cli.shuffles;
  o.null.quantile = cli.quantile;
  o.null.forest.n_trees = cli.trees;
  return o;
}

void write_output(const std::string& path, const std::vector<Selection>& selections) {
  AtomicFile out(path);
  {
    H5File f = H5File::create(out.path());
    f.set_attribute("/", "format", "thermex.selection_file");
    for (const auto& s : selections) write_selection_h5(f, "/selection/" + s.target, s);
    f.close();  // must succeed before the rename makes the file visible
  }
  out.commit();
}

void run_select(const SelectCliOptions& cli, const GlobalOptions& global) {
  const Context ctx = global.make_context();
  const Table table = read_feature_table(cli);
  SelectionOptions options = to_selection_options(cli);
  // A progress line on a terminal only: logs and pipes get the final report alone.
  const bool show_progress = !global.quiet && ::isatty(::fileno(stderr)) != 0;
  std::vector<Selection> selections;
  for (const auto& target : cli.targets) {
    if (show_progress) {
      options.null.progress = [&target](std::size_t done, std::size_t total) {
        fmt::print(stderr, "\r{}: forest fits {}/{}", target, done, total);
        if (done == total) fmt::print(stderr, "\n");
      };
    }
    selections.push_back(select_features(ctx, table, target, options));
    if (!cli.json) fmt::print("{}", format_selection_text(selections.back()));
  }
  if (cli.json) fmt::print("{}", format_selection_json(selections));
  if (!cli.output.empty()) {
    write_output(cli.output, selections);
    if (!cli.json && !global.quiet) fmt::print("selection written to {}\n", cli.output);
  }
  std::fflush(stdout);
}

}  // namespace

void add_select_command(CLI::App& app, const GlobalOptions& global) {
  auto cli = std::make_shared<SelectCliOptions>();
  auto* cmd = app.add_subcommand(
      "select", "screen features per target: Spearman redundancy, then null importance");
  cmd->add_option("--data", cli->data, "feature CSV (thermex features)")->required();
  cmd->add_option("--meta", cli->meta, "metadata CSV (default <data stem>.meta.csv if present)");
  cmd->add_option("--target", cli->targets, "target column; repeatable")->required();
  cmd->add_option("--features", cli->features,
                  "candidate features (default: all non-target columns)")
      ->delimiter(',');
  cmd->add_option("--priority", cli->priority,
                  "features to keep first in redundant pairs, most fundamental first")
      ->delimiter(',');
  cmd->add_option("--spearman", cli->spearman, "redundancy threshold on |rho|")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--shuffles", cli->shuffles, "null-importance shuffles K")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--quantile", cli->quantile, "drop when importance < this null quantile")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--trees", cli->trees, "trees per forest")->check(CLI::PositiveNumber);
  cmd->add_flag("--json", cli->json, "print one JSON object instead of text");
  cmd->add_option("-o,--output", cli->output, "HDF5 file to write (/selection/<target>)");
  cmd->callback([cli, &global] { run_select(*cli, global); });
}

}  // namespace thermex::cli
