// Study stages featurize and split: one feature table for every record (imputation fitted on
// the training pool only), then per target the seeded train/test split of the training pool.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "study_internal.hpp"
#include "thermex/dsc_enums.hpp"
#include "thermex/error.hpp"
#include "thermex/features.hpp"
#include "thermex/svr_metrics.hpp"
#include "thermex/table_h5.hpp"
#include "thermex/validation.hpp"

namespace thermex::study {
namespace {

// The validation series holding each database record out of training ("" for none); the first
// series that lists a record wins.
std::vector<std::string> record_series(const StudyState& s) {
  std::vector<std::string> series(s.db.records.size());
  for (const StudyValidationSeries& v : s.config->validation) {
    for (std::size_t i : series_rows(s.db.records, v)) {
      if (series[i].empty()) series[i] = v.name;
    }
  }
  return series;
}

// The config's feature options with every target column requested.
FeatureOptions feature_options(const StudyConfig& config) {
  FeatureOptions options = config.features;
  const auto known = target_column_names();
  for (std::size_t t = 0; t < config.targets.size(); ++t) {
    const std::string& column = config.targets[t].column;
    if (std::find(known.begin(), known.end(), column) == known.end()) {
      throw ConfigError(fmt::format("targets[{}].column", t),
                        fmt::format("'{}' is not a target column of the feature table", column));
    }
    if (std::find(options.targets.begin(), options.targets.end(), column) ==
        options.targets.end()) {
      options.targets.push_back(column);
    }
  }
  return options;
}

bool usable_target(double y, bool log10) { return std::isfinite(y) && (!log10 || y > 0.0); }

}  // namespace

void compute_featurize(StudyState& s, H5File& out) {
  progress_begin(s, "[featurize] records", s.db.records.size());
  const std::vector<std::string> series = record_series(s);
  std::vector<std::size_t> pool;  // records that may train: train datasets, not held out
  for (std::size_t i = 0; i < s.db.records.size(); ++i) {
    const auto d = static_cast<std::size_t>(s.record_dataset[i]);
    if (s.config->datasets[d].train && series[i].empty()) pool.push_back(i);
  }
  if (pool.empty()) throw ConfigError("datasets", "no record is available for training");
  const FeatureOptions options = feature_options(*s.config);
  const ImputationModel model = fit_imputation(s.db, options, pool);
  FeatureResult fr = featurize(s.db, options, model);

  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < s.db.records.size(); ++i) index.emplace(s.db.records[i].record_id, i);
  const std::size_t n = fr.record_ids.size();
  std::vector<std::string> dataset(n), origin(n), source(n);
  std::vector<std::int64_t> in_pool(n);
  s.row_dataset.assign(n, 0);
  s.row_series.assign(n, "");
  for (std::size_t r = 0; r < n; ++r) {
    const std::size_t i = index.at(fr.record_ids[r]);
    const DscRecord& rec = s.db.records[i];
    s.row_dataset[r] = s.record_dataset[i];
    s.row_series[r] = series[i];
    dataset[r] = s.config->datasets[static_cast<std::size_t>(s.record_dataset[i])].label;
    origin[r] = std::string(to_string(rec.origin));
    source[r] = rec.source_doi;
    in_pool[r] = std::binary_search(pool.begin(), pool.end(), i) ? 1 : 0;
  }
  s.features = std::move(fr.table);
  s.record_ids = std::move(fr.record_ids);
  write_table_h5(out, "/features", s.features);
  out.create_group("/data");
  out.set_attribute("/data", "missing_report", format_missing_report(fr.missing));
  write_doc_strings(out, "/data/record_id", s.record_ids, "record id");
  write_doc_strings(out, "/data/dataset", dataset, "dataset label (config datasets[].label)");
  write_doc_strings(out, "/data/origin", origin, "origin: literature or synthetic");
  write_doc_strings(out, "/data/source", source, "source DOI or URL");
  write_doc_strings(out, "/data/validation_series", s.row_series,
                    "validation series holding the record out of training (empty: none)");
  write_doc_int64s(out, "/data/training_pool", in_pool, "",
                   "1 = may train (train dataset, not held out; fitted the imputation)");
  write_doc_int64s(out, "/data/dataset_index", s.row_dataset, "", "index into config datasets");
  progress_add(s, s.db.records.size());
  progress_end(s);
}

void load_featurize(StudyState& s, const H5File& in) {
  s.features = read_table_h5(in, "/features");
  s.record_ids = in.read_strings("/data/record_id");
  s.row_dataset = in.read_int64s("/data/dataset_index");
  s.row_series = in.read_strings("/data/validation_series");
}

void compute_split(StudyState& s, H5File& out) {
  const std::size_t n = s.features.rows();
  s.split.assign(s.config->targets.size(), std::vector<std::int64_t>(n, kUnused));
  for (std::size_t t = 0; t < s.config->targets.size(); ++t) {
    const StudyTarget& target = s.config->targets[t];
    const std::span<const double> y = s.features.column(s.features.index_of(target.column));
    std::vector<std::size_t> pool;
    for (std::size_t r = 0; r < n; ++r) {
      if (!usable_target(y[r], target.log10)) continue;
      if (!s.row_series[r].empty()) {
        s.split[t][r] = kValidation;
      } else if (!s.config->datasets[static_cast<std::size_t>(s.row_dataset[r])].train) {
        s.split[t][r] = kOther;
      } else {
        pool.push_back(r);
      }
    }
    if (pool.size() < 2) {
      throw InputError(
          "study", 0, target.column,
          fmt::format("{} training rows with a usable target; at least 2 needed", pool.size()));
    }
    const std::vector<bool> test =
        svr_train_test_split(pool.size(), s.config->svr.test_fraction, s.ctx->seed());
    for (std::size_t i = 0; i < pool.size(); ++i) s.split[t][pool[i]] = test[i] ? kTest : kTrain;
    write_doc_int64s(
        out, "/data/split_" + target.column, s.split[t], "",
        "split of " + target.column + ": 0 train, 1 test, 2 validation, 3 other, -1 unused");
  }
}

void load_split(StudyState& s, const H5File& in) {
  s.split.clear();
  for (const StudyTarget& target : s.config->targets) {
    s.split.push_back(in.read_int64s("/data/split_" + target.column));
  }
}

}  // namespace thermex::study
