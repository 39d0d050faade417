// Study stage validation: each held-out series predicted by every target's model (with the
// bootstrap refits' percentile band when the bootstrap ran) and compared with its observations:
// Pearson and Spearman of the trend, MAE (validation.hpp).
#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <unordered_map>

#include "study_internal.hpp"
#include "thermex/error.hpp"
#include "thermex/null_importance.hpp"
#include "thermex/validation.hpp"

namespace thermex::study {
namespace {

// Percentile band of the refits' predictions per row (NaN without refits).
void bootstrap_band(const StudyState& s, std::size_t t, std::span<const double> x, std::size_t n,
                    std::vector<double>& low, std::vector<double>& high) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  low.assign(n, nan);
  high.assign(n, nan);
  if (t >= s.boot_models.size() || s.boot_models[t].empty() || n == 0) return;
  const std::size_t b = s.boot_models[t].size();
  std::vector<double> pred(b * n);
  for (std::size_t k = 0; k < b; ++k) {
    const std::vector<double> p = svr_predict(*s.ctx, s.boot_models[t][k], x, n);
    std::copy(p.begin(), p.end(), pred.begin() + static_cast<std::ptrdiff_t>(k * n));
  }
  const double ci = s.config->bootstrap.ci;
  std::vector<double> col(b);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < b; ++k) col[k] = pred[k * n + i];
    low[i] = quantile_linear(col, 0.5 * (1.0 - ci));
    high[i] = quantile_linear(col, 0.5 * (1.0 + ci));
  }
}

void validate_one(const StudyState& s, const StudyValidationSeries& v, H5File& out) {
  std::unordered_map<std::string, std::size_t> row_of;
  for (std::size_t r = 0; r < s.record_ids.size(); ++r) row_of.emplace(s.record_ids[r], r);
  // Records featurize dropped (a kDropRow policy) have no features and are left out.
  std::vector<std::size_t> rows;
  std::vector<std::string> ids;
  for (std::size_t i : series_rows(s.db.records, v)) {
    const auto it = row_of.find(s.db.records[i].record_id);
    if (it == row_of.end()) continue;
    rows.push_back(it->second);
    ids.push_back(it->first);
  }
  const auto x_col = s.features.find(v.x_column);
  if (!x_col) {
    throw ConfigError(fmt::format("validation.{}.x_column", v.name),
                      fmt::format("'{}' is not a feature-table column", v.x_column));
  }
  const std::vector<double> x = column_at(s.features, rows, v.x_column);
  const std::string g = "/validation/" + v.name;
  out.create_group(g);
  out.set_attribute(g, "x_column", v.x_column);
  write_doc_strings(out, g + "/record_id", ids, "series records");
  write_doc_doubles(out, g + "/x", x, s.features.meta(*x_col).unit,
                    "series variable (" + v.x_column + ")");
  for (std::size_t t = 0; t < s.config->targets.size(); ++t) {
    const std::string& target = target_name(s, t);
    const std::string& unit = s.features.meta(s.features.index_of(target)).unit;
    const std::vector<double> xm = row_major(s.features, rows, s.kept[t]);
    const std::vector<double> pred = svr_predict(*s.ctx, s.models[t], xm, rows.size());
    std::vector<double> low, high;
    bootstrap_band(s, t, xm, rows.size(), low, high);
    const ValidationResult r =
        validate_series(v.name, target, ids, x, column_at(s.features, rows, target), pred);
    const std::string tg = g + "/" + target;
    out.create_group(tg);
    out.set_attribute(tg, "pearson", r.pearson);
    out.set_attribute(tg, "spearman", r.spearman);
    out.set_attribute(tg, "mae", r.mae);
    out.set_attribute(tg, "n", static_cast<std::int64_t>(r.n));
    out.set_attribute(tg, "excluded", static_cast<std::int64_t>(r.excluded));
    write_doc_doubles(out, tg + "/observed", r.observed, unit, "observed " + target);
    write_doc_doubles(out, tg + "/predicted", r.predicted, unit, "predicted " + target);
    write_doc_doubles(out, tg + "/boot_low", low, unit, "bootstrap lower percentile (ci)");
    write_doc_doubles(out, tg + "/boot_high", high, unit, "bootstrap upper percentile (ci)");
  }
}

}  // namespace

void compute_validation(StudyState& s, H5File& out) {
  out.create_group("/validation");
  progress_begin(s, "[validation] series", s.config->validation.size());
  for (const StudyValidationSeries& v : s.config->validation) {
    validate_one(s, v, out);
    progress_add(s);
  }
  progress_end(s);
}

void load_validation(StudyState&, const H5File&) {
  // Nothing downstream reads the validation.
}

}  // namespace thermex::study
