// The feature table builder: composition features through the shared THERMEX_HD featurizer,
// conditions with the fitted missing-value model, one-hot categoricals and targets.
#include "thermex/features.hpp"

#include <array>
#include <cmath>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "features_internal.hpp"
#include "thermex/composition.hpp"
#include "thermex/error.hpp"

namespace thermex {
namespace {

using detail::kCategoricalCount;
using detail::kConditionCount;
using detail::kTargetCount;

constexpr std::array<std::string_view, kCategoricalCount> kGroupLabels{"electrolyte", "crucible"};

void check_model(const ImputationModel& model) {
  bool ok =
      model.numeric.size() >= kConditionCount && model.categorical.size() == kCategoricalCount;
  for (std::size_t j = 0; ok && j < model.numeric.size(); ++j) {
    ok = model.numeric[j].column == detail::numeric_column_name(j);
  }
  for (std::size_t j = 0; ok && j < kCategoricalCount; ++j) {
    ok = model.categorical[j].column == categorical_column_names()[j];
  }
  if (!ok) throw Error("featurize: the imputation model does not match the feature columns");
}

void add_composition_columns(const DscDatabase& db, const std::vector<std::size_t>& kept,
                             OxidationConvention convention, Table& table) {
  constexpr auto kCount = static_cast<std::size_t>(math::kCompositionFeatureCount);
  std::vector<std::vector<double>> cols(kCount, std::vector<double>(kept.size()));
  for (std::size_t r = 0; r < kept.size(); ++r) {
    const DscRecord& rec = db.records[kept[r]];
    if (rec.composition.count <= 0) {
      throw InputError(db.source_file, 0, "formula",
                       "record '" + rec.record_id + "' has no composition");
    }
    const std::vector<double> f = composition_features(rec.composition, convention);
    for (std::size_t j = 0; j < kCount; ++j) cols[j][r] = f[j];
  }
  for (std::size_t j = 0; j < kCount; ++j) {
    table.add_column(detail::composition_meta(j), std::move(cols[j]));
  }
}

void add_condition_columns(const DscDatabase& db, const std::vector<std::size_t>& kept,
                           const ImputationModel& model, Table& table) {
  std::vector<std::pair<ColumnMeta, std::vector<double>>> indicators;
  for (std::size_t j = 0; j < model.numeric.size(); ++j) {
    const NumericImputation& m = model.numeric[j];
    if (m.no_values) continue;
    std::vector<double> values(kept.size());
    std::vector<double> flag(kept.size(), 0.0);
    for (std::size_t r = 0; r < kept.size(); ++r) {
      values[r] = detail::numeric_value(db.records[kept[r]], j);
      if (std::isnan(values[r])) {
        values[r] = m.value;  // kDropRow and kReject leave no missing value among kept rows
        flag[r] = 1.0;
      }
    }
    ColumnMeta meta = detail::numeric_meta(j);
    if (m.indicator) {
      indicators.emplace_back(ColumnMeta{meta.name + "_missing", meta.label + " missing", "",
                                         ColumnKind::kIndicator, ""},
                              std::move(flag));
    }
    table.add_column(std::move(meta), std::move(values));
  }
  for (auto& [meta, values] : indicators) table.add_column(std::move(meta), std::move(values));
}

void add_onehot_columns(const DscDatabase& db, const std::vector<std::size_t>& kept,
                        const ImputationModel& model, Table& table) {
  for (std::size_t j = 0; j < kCategoricalCount; ++j) {
    const CategoricalImputation& m = model.categorical[j];
    for (const auto& level : m.levels) {
      std::vector<double> values(kept.size());
      for (std::size_t r = 0; r < kept.size(); ++r) {
        std::string_view v = detail::categorical_level(db.records[kept[r]], j);
        if (v.empty()) v = m.mode;
        values[r] = v == level ? 1.0 : 0.0;
      }
      table.add_column({m.column + "=" + level, std::string(kGroupLabels[j]) + ": " + level, "",
                        ColumnKind::kOneHot, m.column},
                       std::move(values));
    }
  }
}

void add_target_columns(const DscDatabase& db, const std::vector<std::size_t>& kept,
                        const FeatureOptions& options, Table& table) {
  for (std::size_t j = 0; j < kTargetCount; ++j) {
    if (!detail::target_selected(options, j)) continue;
    std::vector<double> values(kept.size());
    for (std::size_t r = 0; r < kept.size(); ++r) {
      values[r] = detail::target_value(db.records[kept[r]], j);
    }
    table.add_column(detail::target_meta(j), std::move(values));
  }
}

MissingReport build_report(const DscDatabase& db, const detail::MissingScan& scan,
                           const detail::ColumnPolicies& policies, const ImputationModel& model) {
  MissingReport rep;
  rep.input_rows = db.records.size();
  for (std::size_t j = 0; j < model.numeric.size(); ++j) {
    const NumericImputation& m = model.numeric[j];
    ColumnMissing c{m.column,
                    scan.numeric[j].size(),
                    m.policy,
                    "",
                    m.indicator,
                    m.no_values,
                    detail::ids_of(db, scan.numeric[j])};
    if (!c.record_ids.empty() && !std::isnan(m.value)) c.imputed = fmt::format("{}", m.value);
    rep.columns.push_back(std::move(c));
  }
  for (std::size_t j = 0; j < kCategoricalCount; ++j) {
    const CategoricalImputation& m = model.categorical[j];
    ColumnMissing c{m.column,
                    scan.categorical[j].size(),
                    m.policy,
                    "",
                    false,
                    m.levels.empty(),
                    detail::ids_of(db, scan.categorical[j])};
    if (!c.record_ids.empty()) c.imputed = m.mode;
    rep.columns.push_back(std::move(c));
  }
  for (std::size_t j = 0; j < kTargetCount; ++j) {
    if (!policies.target_selected[j]) continue;
    rep.columns.push_back({std::string(target_column_names()[j]), scan.target[j].size(),
                           policies.target[j], "", false, false,
                           detail::ids_of(db, scan.target[j])});
  }
  for (std::size_t i = 0; i < db.records.size(); ++i) {
    if (scan.dropped[i]) rep.dropped_record_ids.push_back(db.records[i].record_id);
  }
  return rep;
}

}  // namespace

math::SiteProperties resolve_site_properties(const math::SiteComposition& c,
                                             OxidationConvention convention) {
  math::SiteProperties p;
  for (int k = 0; k < c.count && k < math::kMaxSiteElements; ++k) {
    const IonProperties ion = tm_ion_properties(c, c.z[k], convention);
    p.en[k] = ion.pauling_en;
    p.radius_A[k] = ion.radius_A;
    p.phi_per_A[k] = ion.phi_per_A;
  }
  return p;
}

std::vector<double> composition_features(const math::SiteComposition& c,
                                         OxidationConvention convention) {
  const math::SiteProperties p = resolve_site_properties(c, convention);
  std::vector<double> out(static_cast<std::size_t>(math::kCompositionFeatureCount));
  math::featurize_site(c, p, out.data());
  return out;
}

FeatureResult featurize(const DscDatabase& db, const FeatureOptions& options,
                        const ImputationModel& model) {
  detail::validate_options(options);
  check_model(model);
  detail::ColumnPolicies policies = detail::policies_from_options(options, model.numeric.size());
  for (std::size_t j = 0; j < model.numeric.size(); ++j) {
    policies.numeric[j] = model.numeric[j].policy;
  }
  for (std::size_t j = 0; j < kCategoricalCount; ++j) {
    policies.categorical[j] = model.categorical[j].policy;
  }
  std::vector<std::size_t> all(db.records.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  const detail::MissingScan scan = detail::scan_missing(db, policies, all);
  std::vector<std::size_t> kept;
  for (const auto i : all) {
    if (!scan.dropped[i]) kept.push_back(i);
  }

  FeatureResult result;
  result.table = Table(kept.size());
  add_composition_columns(db, kept, options.oxidation, result.table);
  add_condition_columns(db, kept, model, result.table);
  add_onehot_columns(db, kept, model, result.table);
  add_target_columns(db, kept, options, result.table);
  result.record_ids = detail::ids_of(db, kept);
  result.missing = build_report(db, scan, policies, model);
  result.model = model;
  return result;
}

FeatureResult featurize(const DscDatabase& db, const FeatureOptions& options) {
  return featurize(db, options, fit_imputation(db, options));
}

std::string format_missing_report(const MissingReport& report) {
  std::string out = fmt::format("missing values: {} record(s) in, {} dropped\n", report.input_rows,
                                report.dropped_record_ids.size());
  std::size_t shown = 0;
  for (const auto& c : report.columns) {
    if (c.missing == 0 && !c.column_left_out) continue;
    ++shown;
    std::string action;
    if (c.column_left_out) {
      action = "no values: column left out";
    } else if (c.policy == MissingPolicy::kImputeMedian || c.policy == MissingPolicy::kImputeMode) {
      action = fmt::format("{} -> {}", to_string(c.policy), c.imputed);
      if (c.indicator) action += fmt::format(" (indicator {}_missing)", c.column);
    } else if (c.policy == MissingPolicy::kDropRow) {
      action = "rows dropped";
    } else {
      action = "kept as NaN (target)";
    }
    out += fmt::format("  {:<24} {:>6} missing  {}\n", c.column, c.missing, action);
  }
  if (shown == 0) out += "  no missing values\n";
  if (!report.dropped_record_ids.empty()) {
    out += "  dropped records:";
    for (const auto& id : report.dropped_record_ids) out += " " + id;
    out += "\n";
  }
  return out;
}

}  // namespace thermex
