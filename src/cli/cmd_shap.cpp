// `thermex shap`: SHAP values of a saved SVR model for the rows of a CSV.
//   thermex shap --model model.h5 --data X.csv [--background B.csv] [--background-rows N]
//       [--method exact|permutation|kernel|bruteforce] [--samples N] [--target-se SE]
//       [--group name=col1,col2,...]... [--seed S] [--device cpu] -o shap.csv
//       [--h5 shap.h5 [--target NAME]]
// Output: one column per player named after it (rows in input order), then base_value and f_x
// (model output in fitted-target units: log10 for a --log-target model), then se_<player> for the
// Monte Carlo methods. Background: --background rows, else the --data rows; --background-rows N
// keeps a seeded sample of N of them. --h5 also writes the full result (values, standard errors,
// f(x), mean |SHAP|, players; include/thermex/shap_h5.hpp) to /shap/<NAME> of a new HDF5 file,
// NAME = --target (default "model"), atomically.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "commands.hpp"
#include "thermex/atomic_file.hpp"
#include "thermex/csv.hpp"
#include "thermex/error.hpp"
#include "thermex/math/philox.hpp"
#include "thermex/shap.hpp"
#include "thermex/shap_h5.hpp"
#include "thermex/svr_model_h5.hpp"

namespace thermex::cli {
namespace {

struct ShapCli {
  std::string model, data, background, output, method = "exact", h5, target = "model";
  std::size_t samples = 64, background_rows = 0;
  double target_se = 0.0;
  std::vector<std::string> groups;
};

// The model's feature columns of a CSV as finite numbers (n x d row-major).
std::vector<double> read_features(const SvrModel& m, const std::string& file, std::size_t& n) {
  const CsvTable t = read_csv_file(file);
  std::vector<std::size_t> cols;
  for (const std::string& name : m.feature_names) {
    const auto it = std::find(t.header.begin(), t.header.end(), name);
    if (it == t.header.end()) throw InputError(file, 1, name, "model feature not in the header");
    cols.push_back(static_cast<std::size_t>(it - t.header.begin()));
  }
  std::vector<double> x;
  x.reserve(t.rows.size() * cols.size());
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    for (std::size_t c : cols) {
      const std::string& cell = t.rows[r][c];
      double v = 0.0;
      const auto [ptr, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
      if (cell.empty() || ec != std::errc() || ptr != cell.data() + cell.size() ||
          !std::isfinite(v)) {
        throw InputError(file, t.row_lines[r], t.header[c],
                         fmt::format("'{}' is not a finite number", cell));
      }
      x.push_back(v);
    }
  }
  n = t.rows.size();
  return x;
}

// Players from "--group name=a,b,c" options; every other feature is its own player.
ShapPlayers players_from_groups(const SvrModel& m, const std::vector<std::string>& groups) {
  std::vector<ColumnMeta> metas(m.n_features);
  for (std::size_t j = 0; j < m.n_features; ++j) metas[j].name = m.feature_names[j];
  for (const std::string& g : groups) {
    const std::size_t eq = g.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == g.size()) {
      throw ConfigError("--group", fmt::format("expected name=col1,col2,..., got \"{}\"", g));
    }
    const std::string name = g.substr(0, eq);
    std::size_t start = eq + 1;
    for (;;) {
      const std::size_t end = g.find(',', start);
      const std::string col = g.substr(start, end == std::string::npos ? end : end - start);
      const auto it = std::find(m.feature_names.begin(), m.feature_names.end(), col);
      if (it == m.feature_names.end()) {
        throw ConfigError("--group", fmt::format("'{}' is not a model feature", col));
      }
      ColumnMeta& meta = metas[static_cast<std::size_t>(it - m.feature_names.begin())];
      if (!meta.group.empty()) {
        throw ConfigError("--group", fmt::format("'{}' is in two groups", col));
      }
      meta.group = name;
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  return shap_players_from_metas(metas);
}

// A seeded sample of `keep` of the nb rows (partial Fisher-Yates; kept in their input order).
std::vector<double> sample_rows(const std::vector<double>& rows, std::size_t nb, std::size_t d,
                                std::size_t keep, std::uint64_t seed) {
  std::vector<std::size_t> idx(nb);
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  math::PhiloxStream rng(seed, math::RngPurpose::kBackground, 0);
  for (std::size_t t = 0; t < keep; ++t) {
    std::swap(idx[t], idx[t + static_cast<std::size_t>(rng.below(nb - t))]);
  }
  std::sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(keep));
  std::vector<double> out;
  for (std::size_t t = 0; t < keep; ++t) {
    out.insert(out.end(), rows.begin() + static_cast<std::ptrdiff_t>(idx[t] * d),
               rows.begin() + static_cast<std::ptrdiff_t>((idx[t] + 1) * d));
  }
  return out;
}

void write_result(const ShapResult& r, const std::string& path) {
  const bool mc = r.method == ShapMethod::kPermutation || r.method == ShapMethod::kKernel;
  std::vector<std::string> row = r.player_sets.names;
  row.push_back("base_value");
  row.push_back("f_x");
  if (mc) {
    for (const std::string& name : r.player_sets.names) row.push_back("se_" + name);
  }
  AtomicFile out(path);
  CsvWriter writer(out.stream());
  writer.write_row(row);
  for (std::size_t i = 0; i < r.rows; ++i) {
    row.clear();
    for (std::size_t p = 0; p < r.players; ++p) {
      row.push_back(fmt::format("{:.17g}", r.values[i * r.players + p]));
    }
    row.push_back(fmt::format("{:.17g}", r.base_value));
    row.push_back(fmt::format("{:.17g}", r.fx[i]));
    if (mc) {
      for (std::size_t p = 0; p < r.players; ++p) {
        row.push_back(fmt::format("{:.17g}", r.std_errors[i * r.players + p]));
      }
    }
    writer.write_row(row);
  }
  out.commit();
}

// The result as /shap/<target> of a new HDF5 file, written to a temporary file and renamed.
void write_result_h5(const ShapResult& r, const std::string& path, const std::string& target) {
  AtomicFile out(path);
  H5File file = H5File::create(out.path());
  write_shap_h5(file, "/shap/" + target, r);
  file.close();
  out.commit();
}

void run_shap(const ShapCli& cli, const GlobalOptions& global) {
  // Checked before the (possibly long) computation.
  if (!cli.h5.empty() && (cli.target.empty() || cli.target.find('/') != std::string::npos)) {
    throw ConfigError("--target", fmt::format("\"{}\" is not a valid group name", cli.target));
  }
  const Context ctx = global.make_context();
  const SvrModel model = load_svr_model(cli.model);
  const std::size_t d = model.n_features;
  std::size_t n = 0, nb = 0;
  const std::vector<double> x = read_features(model, cli.data, n);
  std::vector<double> bg = cli.background.empty() ? x : read_features(model, cli.background, nb);
  if (cli.background.empty()) nb = n;
  if (cli.background_rows > 0 && cli.background_rows < nb) {
    bg = sample_rows(bg, nb, d, cli.background_rows, ctx.seed());
    nb = cli.background_rows;
  }
  ShapOptions opt;
  opt.method = parse_shap_method(cli.method);
  opt.samples = cli.samples;
  opt.target_se = cli.target_se;
  opt.players = players_from_groups(model, cli.groups);
  const ShapResult r = svr_shap(ctx, model, x, n, bg, nb, opt);
  write_result(r, cli.output);
  if (!cli.h5.empty()) write_result_h5(r, cli.h5, cli.target);
  fmt::print(
      "shap ({}): {} rows x {} players against {} background rows written to {}; "
      "base value {:.6g}{}, max efficiency gap {:.3g}\n",
      to_string(r.method), r.rows, r.players, nb, cli.output, r.base_value,
      r.log10_target ? " (log10 units)" : "", r.max_efficiency_violation);
}

}  // namespace

void add_shap_command(CLI::App& app, const GlobalOptions& global) {
  auto cli = std::make_shared<ShapCli>();
  auto* s = app.add_subcommand("shap", "SHAP values of a saved SVR model (interventional)");
  s->add_option("--model", cli->model, "model file from `thermex svr fit`")->required();
  s->add_option("--data", cli->data, "CSV of the rows to explain (model feature columns)")
      ->required();
  s->add_option("--background", cli->background, "CSV of background rows (default: --data)");
  s->add_option("--background-rows", cli->background_rows,
                "keep a seeded sample of this many background rows (0 = all)")
      ->capture_default_str();
  s->add_option("--method", cli->method, "exact | permutation | kernel | bruteforce")
      ->capture_default_str();
  s->add_option("--samples", cli->samples, "Monte Carlo: antithetic pairs per row (cap)")
      ->capture_default_str();
  s->add_option("--target-se", cli->target_se,
                "Monte Carlo: stop a row when every standard error is below this (0 = off)")
      ->capture_default_str();
  s->add_option("--group", cli->groups,
                "one player made of several features, name=col1,col2 (repeatable)");
  s->add_option("-o,--output", cli->output, "CSV to write")->required();
  s->add_option("--h5", cli->h5, "also write the full result to this HDF5 file (/shap/<target>)");
  s->add_option("--target", cli->target, "group name under /shap in the --h5 file")
      ->capture_default_str();
  s->callback([cli, &global] { run_shap(*cli, global); });
}

}  // namespace thermex::cli
