// Study stages screening, svr and metrics: per target, feature screening on the training rows,
// the SVR grid search and refit on the kept features, and train/test/validation/other metrics
// with parity data.
#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "study_internal.hpp"
#include "thermex/error.hpp"
#include "thermex/svr_metrics.hpp"
#include "thermex/svr_model_h5.hpp"

namespace thermex::study {
namespace {

// Candidates of a disabled screening: the configured list, else every feature column.
std::vector<std::string> all_candidates(const StudyState& s) {
  const SelectionOptions& o = s.config->screening.options;
  if (!o.features.empty()) return o.features;
  std::vector<std::string> names;
  for (const ColumnMeta& m : s.features.metas()) {
    if (m.kind != ColumnKind::kTarget && m.kind != ColumnKind::kOther) names.push_back(m.name);
  }
  return names;
}

// What the metrics are computed in: the fitted target's units (log10 for a log10 target, as
// the model is fitted and selected there).
double fitted_units(double y, bool log10) { return log10 ? std::log10(y) : y; }

void write_split_metrics(H5File& out, const std::string& group, std::span<const double> obs,
                         std::span<const double> pred, bool log10, const std::string& unit) {
  out.create_group(group);
  RegressionMetrics m;
  m.r2 = m.rmse = m.mae = std::numeric_limits<double>::quiet_NaN();
  if (!obs.empty()) {
    std::vector<double> o(obs.size()), p(obs.size());
    for (std::size_t i = 0; i < obs.size(); ++i) {
      o[i] = fitted_units(obs[i], log10);
      p[i] = fitted_units(pred[i], log10);
    }
    m = regression_metrics(o, p);
  }
  out.set_attribute(group, "r2", m.r2);
  out.set_attribute(group, "rmse", m.rmse);
  out.set_attribute(group, "mae", m.mae);
  out.set_attribute(group, "n", static_cast<std::int64_t>(obs.size()));
  out.set_attribute(group, "unit", log10 ? "log10(" + unit + ")" : unit);
}

// The grid search of one target: grid points, fold and mean CV RMSE.
void write_cv(H5File& out, const std::string& g, const SvrCvResult& cv,
              const std::string& fitted_unit) {
  std::vector<double> c, gamma, epsilon;
  std::vector<std::string> gamma_text;
  for (const SvrSpec& spec : cv.specs) {
    c.push_back(spec.c);
    gamma.push_back(spec.gamma.scale ? std::numeric_limits<double>::quiet_NaN() : spec.gamma.value);
    gamma_text.push_back(to_string(spec.gamma));
    epsilon.push_back(spec.epsilon);
  }
  out.create_group(g);
  out.set_attribute(g, "best", static_cast<std::int64_t>(cv.best));
  out.set_attribute(g, "folds", static_cast<std::int64_t>(cv.folds));
  write_doc_doubles(out, g + "/C", c, "", "box constraint C of each grid point");
  write_doc_doubles(out, g + "/gamma", gamma, "1/standardized unit^2",
                    "RBF gamma of each grid point (NaN = \"scale\")");
  write_doc_strings(out, g + "/gamma_text", gamma_text, "RBF gamma as configured");
  write_doc_doubles(out, g + "/epsilon", epsilon, fitted_unit, "epsilon of each grid point");
  write_doc_doubles(out, g + "/cv_rmse", cv.cv_rmse, fitted_unit, "mean k-fold CV RMSE");
  write_doc_matrix(out, g + "/fold_rmse", cv.specs.size(), cv.folds, cv.fold_rmse, fitted_unit,
                   "held-out fold RMSE (grid point x fold)");
}

}  // namespace

void compute_screening(StudyState& s, H5File& out) {
  s.selections.assign(s.config->targets.size(), Selection{});
  s.kept.assign(s.config->targets.size(), {});
  for (std::size_t t = 0; t < s.config->targets.size(); ++t) {
    const std::string& target = target_name(s, t);
    const std::string group = "/selection/" + target;
    if (!s.config->screening.enabled) {
      s.kept[t] = all_candidates(s);
      s.selections[t].target = target;
      s.selections[t].kept = s.kept[t];
      out.create_group(group);
      out.set_attribute(group, "screening", "disabled");
      write_doc_strings(out, group + "/kept", s.kept[t], "features kept (screening disabled)");
      continue;
    }
    const std::vector<std::size_t> train = rows_with_code(s, t, kTrain);
    const Table sub = screening_table(s, t).select_rows(train);
    SelectionOptions options = s.config->screening.options;
    const auto fits = static_cast<std::size_t>(options.null.shuffles) + 1;
    progress_begin(s, "[screening] " + target + " forests", fits);
    Progress* progress = s.progress;
    options.null.progress = [progress](std::size_t done, std::size_t) {
      if (progress != nullptr) progress->set_done(done);
    };
    s.selections[t] = select_features(*s.ctx, sub, target, options);
    progress_end(s);
    s.kept[t] = s.selections[t].kept;
    write_selection_h5(out, group, s.selections[t]);
    if (s.kept[t].empty()) {
      throw Error(fmt::format("study: screening kept no feature for target {}", target));
    }
  }
}

void load_screening(StudyState& s, const H5File& in) {
  s.selections.assign(s.config->targets.size(), Selection{});
  s.kept.assign(s.config->targets.size(), {});
  for (std::size_t t = 0; t < s.config->targets.size(); ++t) {
    const std::string group = "/selection/" + target_name(s, t);
    if (in.has_attribute(group, "screening")) {
      s.kept[t] = in.read_strings(group + "/kept");
      s.selections[t].target = target_name(s, t);
      s.selections[t].kept = s.kept[t];
    } else {
      s.selections[t] = read_selection_h5(in, group);
      s.kept[t] = s.selections[t].kept;
    }
  }
}

void compute_svr(StudyState& s, H5File& out) {
  const std::size_t targets = s.config->targets.size();
  s.models.assign(targets, SvrModel{});
  progress_begin(s, "[svr] grid search + refit", targets);
  for (std::size_t t = 0; t < targets; ++t) {
    const std::string& target = target_name(s, t);
    const std::vector<std::size_t> train = rows_with_code(s, t, kTrain);
    const std::vector<double> x = row_major(s.features, train, s.kept[t]);
    const std::vector<double> y = column_at(s.features, train, target);
    const std::size_t n = train.size(), d = s.kept[t].size();
    SvrSpec base = s.config->svr.base;
    base.log10_target = s.config->targets[t].log10;
    const SvrCvResult cv =
        svr_grid_search_cv(*s.ctx, x, n, d, y, base, s.config->svr.grid, s.config->svr.folds);
    s.models[t] = svr_fit(*s.ctx, x, n, d, y, cv.specs[cv.best], s.kept[t]);
    write_svr_model_h5(out, "/models/" + target, s.models[t]);

    const std::string unit = s.features.meta(s.features.index_of(target)).unit;
    write_cv(out, "/metrics/" + target + "/cv", cv,
             base.log10_target ? "log10(" + unit + ")" : unit);
    progress_add(s);
  }
  progress_end(s);
}

void load_svr(StudyState& s, const H5File& in) {
  s.models.clear();
  for (std::size_t t = 0; t < s.config->targets.size(); ++t) {
    s.models.push_back(read_svr_model_h5(in, "/models/" + target_name(s, t)));
  }
}

void compute_metrics(StudyState& s, H5File& out) {
  for (std::size_t t = 0; t < s.config->targets.size(); ++t) {
    const std::string& target = target_name(s, t);
    const bool log10 = s.config->targets[t].log10;
    const std::string& unit = s.features.meta(s.features.index_of(target)).unit;
    std::vector<std::size_t> rows;
    for (std::size_t r = 0; r < s.split[t].size(); ++r) {
      if (s.split[t][r] >= 0) rows.push_back(r);
    }
    const std::vector<double> x = row_major(s.features, rows, s.kept[t]);
    const std::vector<double> pred = svr_predict(*s.ctx, s.models[t], x, rows.size());
    const std::vector<double> obs = column_at(s.features, rows, target);
    std::vector<std::int64_t> code(rows.size());
    std::vector<std::string> ids(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      code[i] = s.split[t][rows[i]];
      ids[i] = s.record_ids[rows[i]];
    }
    const std::string g = "/metrics/" + target;
    for (std::int64_t c = kTrain; c <= kOther; ++c) {
      std::vector<double> o, p;
      for (std::size_t i = 0; i < rows.size(); ++i) {
        if (code[i] == c) {
          o.push_back(obs[i]);
          p.push_back(pred[i]);
        }
      }
      write_split_metrics(out, g + "/" + std::string(split_name(c)), o, p, log10, unit);
    }
    write_doc_strings(out, g + "/parity/record_id", ids, "record id");
    write_doc_doubles(out, g + "/parity/observed", obs, unit, "observed " + target);
    write_doc_doubles(out, g + "/parity/predicted", pred, unit, "predicted " + target);
    write_doc_int64s(out, g + "/parity/split", code, "", "0 train, 1 test, 2 validation, 3 other");
  }
}

void load_metrics(StudyState&, const H5File&) {
  // Later stages need nothing from the metrics: they live only in the results file.
}

}  // namespace thermex::study
