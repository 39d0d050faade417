// `thermex svr fit` and `thermex svr predict`: epsilon-SVR on any numeric CSV.
//   thermex svr fit --data X.csv --target COL [--features a,b,c] [--C 10 --epsilon 0.1
//       --gamma 0.05|scale] [--no-standardize] [--log-target] [--grid "C=..;gamma=..;epsilon=.."]
//       [--folds 5] [--warm-start] [--tol 1e-3] [--shrinking] [--test-fraction 0.2]
//       [--parity parity.csv] -o model.h5
// The fit holds out a seeded test part (default 20 %), grid-searches and fits on the rest, and
// prints R^2, RMSE and MAE (original target units) on both parts; the model file stores those
// metrics and the grid search next to the model (/model/metrics, /model/cv).
//   thermex svr predict --model model.h5 --data X.csv -o predictions.csv
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "thermex/atomic_file.hpp"
#include "thermex/csv.hpp"
#include "thermex/error.hpp"
#include "thermex/svr.hpp"
#include "thermex/svr_cv.hpp"
#include "thermex/svr_metrics.hpp"
#include "thermex/svr_model_h5.hpp"

namespace thermex::cli {
namespace {

struct SvrFitCli {
  std::string data, target, features, grid, output, gamma = "scale";
  double c = 1.0, epsilon = 0.1, tol = 1e-3;
  bool no_standardize = false, log_target = false, warm_start = false, shrinking = false;
  std::size_t folds = 5;
  double test_fraction = 0.2;
  std::string parity;
};

struct SvrPredictCli {
  std::string model, data, output;
};

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = text.find(sep, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string::npos) return parts;
    start = end + 1;
  }
}

bool parse_double(const std::string& text, double& out) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size() && !text.empty();
}

std::size_t column_index(const CsvTable& t, const std::string& name, const std::string& file) {
  for (std::size_t c = 0; c < t.header.size(); ++c) {
    if (t.header[c] == name) return c;
  }
  throw InputError(file, 1, name, "column not found in the header");
}

// Reads the named columns as finite numbers; a bad cell names its line and column.
std::vector<double> numeric_columns(const CsvTable& t, const std::vector<std::size_t>& cols,
                                    const std::string& file) {
  std::vector<double> out;
  out.reserve(t.rows.size() * cols.size());
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    for (std::size_t c : cols) {
      double v = 0.0;
      if (!parse_double(t.rows[r][c], v) || !std::isfinite(v)) {
        throw InputError(file, t.row_lines[r], t.header[c],
                         fmt::format("'{}' is not a finite number", t.rows[r][c]));
      }
      out.push_back(v);
    }
  }
  return out;
}

bool column_is_numeric(const CsvTable& t, std::size_t c) {
  double v = 0.0;
  for (const auto& row : t.rows) {
    if (!parse_double(row[c], v)) return false;
  }
  return !t.rows.empty();
}

std::vector<double> parse_list(const std::string& key, const std::string& text) {
  std::vector<double> values;
  for (const std::string& item : split(text, ',')) {
    double v = 0.0;
    if (!parse_double(item, v)) throw ConfigError("--grid", key + ": bad number '" + item + "'");
    values.push_back(v);
  }
  return values;
}

SvrGrid parse_grid(const std::string& text, const SvrFitCli& cli) {
  SvrGrid grid{{cli.c}, {parse_svr_gamma(cli.gamma)}, {cli.epsilon}};
  for (const std::string& part : split(text, ';')) {
    const std::size_t eq = part.find('=');
    if (eq == std::string::npos) throw ConfigError("--grid", "expected KEY=v1,v2,..: " + part);
    const std::string key = part.substr(0, eq), values = part.substr(eq + 1);
    if (key == "C") {
      grid.c = parse_list(key, values);
    } else if (key == "epsilon") {
      grid.epsilon = parse_list(key, values);
    } else if (key == "gamma") {
      grid.gamma.clear();
      for (const std::string& g : split(values, ',')) grid.gamma.push_back(parse_svr_gamma(g));
    } else {
      throw ConfigError("--grid", "unknown key '" + key + "' (C, gamma, epsilon)");
    }
  }
  return grid;
}

// The feature matrix and target of a fit, read from the CSV.
struct FitData {
  std::vector<double> x, y;
  std::vector<std::string> names;
  std::size_t n = 0, d = 0;
};

FitData read_fit_data(const SvrFitCli& cli) {
  const CsvTable t = read_csv_file(cli.data);
  const std::size_t target = column_index(t, cli.target, cli.data);
  std::vector<std::size_t> cols;
  if (!cli.features.empty()) {
    for (const std::string& f : split(cli.features, ',')) {
      cols.push_back(column_index(t, f, cli.data));
    }
  } else {
    for (std::size_t c = 0; c < t.header.size(); ++c) {
      if (c != target && column_is_numeric(t, c)) cols.push_back(c);
    }
  }
  if (cols.empty()) throw InputError(cli.data, 0, "", "no numeric feature columns");
  FitData data;
  for (std::size_t c : cols) data.names.push_back(t.header[c]);
  data.x = numeric_columns(t, cols, cli.data);
  data.y = numeric_columns(t, {target}, cli.data);
  data.n = data.y.size();
  data.d = cols.size();
  return data;
}

SvrSpec spec_from_cli(const SvrFitCli& cli) {
  SvrSpec spec;
  spec.c = cli.c;
  spec.epsilon = cli.epsilon;
  spec.gamma = parse_svr_gamma(cli.gamma);
  spec.tol = cli.tol;
  spec.standardize = !cli.no_standardize;
  spec.log10_target = cli.log_target;
  spec.warm_start_c = cli.warm_start;
  spec.shrinking = cli.shrinking;
  return spec;
}

// Rows of `data` whose flag equals `want`, gathered into a new FitData.
FitData gather(const FitData& data, const std::vector<bool>& is_test, bool want) {
  FitData part;
  part.names = data.names;
  part.d = data.d;
  for (std::size_t i = 0; i < data.n; ++i) {
    if (is_test[i] != want) continue;
    part.x.insert(part.x.end(), data.x.begin() + static_cast<std::ptrdiff_t>(i * data.d),
                  data.x.begin() + static_cast<std::ptrdiff_t>((i + 1) * data.d));
    part.y.push_back(data.y[i]);
  }
  part.n = part.y.size();
  return part;
}

void print_metrics(const char* label, const RegressionMetrics& m) {
  fmt::print("  {:5} n={:<6} R2 {:.6g}  RMSE {:.6g}  MAE {:.6g}\n", label, m.n, m.r2, m.rmse,
             m.mae);
}

void run_fit(const SvrFitCli& cli, const GlobalOptions& global) {
  const Context ctx = global.make_context();
  const FitData all = read_fit_data(cli);
  const std::vector<bool> is_test = svr_train_test_split(all.n, cli.test_fraction, ctx.seed());
  const FitData train = gather(all, is_test, false);
  SvrSpec spec = spec_from_cli(cli);
  SvrFitReport report;
  report.target = cli.target;
  report.test_fraction = cli.test_fraction;
  report.seed = ctx.seed();
  if (!cli.grid.empty()) {
    report.cv = svr_grid_search_cv(ctx, train.x, train.n, train.d, train.y, spec,
                                   parse_grid(cli.grid, cli), cli.folds);
    const SvrCvResult& cv = *report.cv;
    spec = cv.specs[cv.best];
    fmt::print(
        "grid search: {} points x {} folds; best C={} gamma={} epsilon={} (CV RMSE {:.6g})\n",
        cv.specs.size(), cv.folds, spec.c, to_string(spec.gamma), spec.epsilon,
        cv.cv_rmse[cv.best]);
  }
  const SvrModel m = svr_fit(ctx, train.x, train.n, train.d, train.y, spec, train.names);
  // Metrics first: the model file stores them next to the model.
  const std::vector<double> pred = svr_predict(ctx, m, all.x, all.n);
  std::vector<double> obs[2], fit[2];
  for (std::size_t i = 0; i < all.n; ++i) {
    obs[is_test[i] ? 1 : 0].push_back(all.y[i]);
    fit[is_test[i] ? 1 : 0].push_back(pred[i]);
  }
  report.train = regression_metrics(obs[0], fit[0]);
  if (!obs[1].empty()) report.test = regression_metrics(obs[1], fit[1]);
  save_svr_model(m, report, cli.output);
  fmt::print(
      "svr fit {}: target {}, {} features; {} training rows, {} support vectors, {} "
      "iterations, gamma {:.6g}; model written to {}\n",
      cli.data, cli.target, all.d, train.n, m.n_support(), m.n_iter, m.gamma_value, cli.output);
  print_metrics("train", *report.train);
  if (report.test) print_metrics("test", *report.test);
  if (!cli.parity.empty()) {
    AtomicFile out(cli.parity);
    CsvWriter writer(out.stream());
    writer.write_row({"observed", "predicted", "split"});
    for (std::size_t i = 0; i < all.n; ++i) {
      writer.write_row({fmt::format("{:.17g}", all.y[i]), fmt::format("{:.17g}", pred[i]),
                        is_test[i] ? "test" : "train"});
    }
    out.commit();
  }
}

void run_predict(const SvrPredictCli& cli, const GlobalOptions& global) {
  const Context ctx = global.make_context();
  const SvrModel m = load_svr_model(cli.model);
  const CsvTable t = read_csv_file(cli.data);
  std::vector<std::size_t> cols;
  for (const std::string& name : m.feature_names) cols.push_back(column_index(t, name, cli.data));
  const std::vector<double> x = numeric_columns(t, cols, cli.data);
  const std::vector<double> pred = svr_predict(ctx, m, x, t.rows.size());
  AtomicFile out(cli.output);
  CsvWriter writer(out.stream());
  writer.write_row({"prediction"});
  for (double p : pred) writer.write_row({fmt::format("{:.17g}", p)});
  out.commit();
  fmt::print("svr predict: {} rows written to {}\n", pred.size(), cli.output);
}

}  // namespace

void add_svr_command(CLI::App& app, const GlobalOptions& global) {
  auto* svr = app.add_subcommand("svr", "epsilon-SVR with the RBF kernel: fit and predict");
  svr->require_subcommand(1);
  auto fit = std::make_shared<SvrFitCli>();
  auto* f = svr->add_subcommand("fit", "fit an SVR on a numeric CSV and write the model (HDF5)");
  f->add_option("--data", fit->data, "CSV with a header")->required();
  f->add_option("--target", fit->target, "target column")->required();
  f->add_option("--features", fit->features,
                "comma-separated feature columns (default: every "
                "numeric column but the target)");
  f->add_option("--C", fit->c, "box constraint C > 0")->capture_default_str();
  f->add_option("--epsilon", fit->epsilon, "tube half-width >= 0 (fitted-target units)")
      ->capture_default_str();
  f->add_option("--gamma", fit->gamma, "RBF gamma > 0 or 'scale' (1 / (d var(X)))")
      ->capture_default_str();
  f->add_option("--tol", fit->tol, "SMO stopping tolerance")->capture_default_str();
  f->add_flag("--no-standardize", fit->no_standardize, "do not z-score the features");
  f->add_flag("--log-target", fit->log_target, "fit log10(target); predictions are 10^f");
  f->add_option("--grid", fit->grid, "grid search, e.g. 'C=1,10,100;gamma=scale,0.1;epsilon=0.1'");
  f->add_flag("--warm-start", fit->warm_start,
              "grid search: solve each fold's C values in increasing order, each from the "
              "previous solution (same tolerance, fewer iterations; the final refit is cold)");
  f->add_flag("--shrinking", fit->shrinking, "libsvm's shrinking heuristic (same optimum)");
  f->add_option("--folds", fit->folds, "folds of the grid search's cross-validation")
      ->capture_default_str();
  f->add_option("--test-fraction", fit->test_fraction,
                "held-out fraction of rows (seeded by --seed; 0 = fit on all rows)")
      ->capture_default_str();
  f->add_option("--parity", fit->parity, "CSV of observed, predicted, split for every row");
  f->add_option("-o,--output", fit->output, "model file to write (HDF5)")->required();
  f->callback([fit, &global] { run_fit(*fit, global); });
  auto pred = std::make_shared<SvrPredictCli>();
  auto* p = svr->add_subcommand("predict", "predict with a saved SVR model");
  p->add_option("--model", pred->model, "model file from `thermex svr fit`")->required();
  p->add_option("--data", pred->data, "CSV holding the model's feature columns")->required();
  p->add_option("-o,--output", pred->output, "CSV to write (one column 'prediction')")->required();
  p->callback([pred, &global] { run_predict(*pred, global); });
}

}  // namespace thermex::cli
