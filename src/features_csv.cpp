// Writing a feature table as a model-ready CSV plus its metadata sidecar.
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "thermex/atomic_file.hpp"
#include "thermex/csv.hpp"
#include "thermex/error.hpp"
#include "thermex/features.hpp"

namespace thermex {

void write_features_csv(const FeatureResult& result, const std::string& csv_path,
                        const std::string& meta_path) {
  const Table& t = result.table;
  THERMEX_EXPECTS(result.record_ids.size() == t.rows(), "one record id per table row");
  AtomicFile csv(csv_path);
  AtomicFile meta(meta_path);
  {
    CsvWriter out(csv.stream());
    std::vector<std::string> row{"record_id"};
    for (const auto& m : t.metas()) row.push_back(m.name);
    out.write_row(row);
    for (std::size_t i = 0; i < t.rows(); ++i) {
      row.assign(1, result.record_ids[i]);
      for (std::size_t j = 0; j < t.cols(); ++j) {
        const double v = t.at(i, j);
        // fmt's "{}" is the shortest text that reads back to the same double.
        row.push_back(std::isnan(v) ? std::string() : fmt::format("{}", v));
      }
      out.write_row(row);
    }
  }
  {
    CsvWriter out(meta.stream());
    out.write_row({"name", "label", "unit", "kind", "group"});
    out.write_row({"record_id", "record id", "", to_string(ColumnKind::kOther), ""});
    for (const auto& m : t.metas()) {
      out.write_row({m.name, m.label, m.unit, to_string(m.kind), m.group});
    }
  }
  csv.commit();
  meta.commit();
}

}  // namespace thermex
