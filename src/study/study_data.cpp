// Study stages import, featurize and split: the datasets become one database, one feature table
// (imputation fitted on the training pool) and one split per target.
#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <set>
#include <unordered_map>

#include "study_internal.hpp"
#include "thermex/dsc_csv.hpp"
#include "thermex/dsc_enums.hpp"
#include "thermex/dsc_h5.hpp"
#include "thermex/error.hpp"
#include "thermex/features.hpp"
#include "thermex/log.hpp"
#include "thermex/sha256.hpp"
#include "thermex/svr_metrics.hpp"
#include "thermex/table_h5.hpp"

namespace thermex::study {
namespace {

// The merged database of every dataset, kept next to the import checkpoint (the checkpoint
// records its sha256, so a replaced file is never trusted).
std::string database_path(const StudyState& s) { return s.checkpoint_dir + "/01-import.db.h5"; }

bool is_hdf5_path(const std::string& path) {
  const std::string ext = std::filesystem::path(path).extension().string();
  return ext == ".h5" || ext == ".hdf5";
}

DatasetInfo read_dataset(const StudyDataset& d, DscDatabase& db) {
  DatasetInfo info;
  info.label = d.label;
  info.path = d.path;
  info.train = d.train;
  if (is_hdf5_path(d.path)) {
    LoadedDatabase loaded = read_database_h5(d.path);
    db = std::move(loaded.db);
    info.rejected = std::move(loaded.rejected);
    info.sha256 = sha256_file(d.path);
    info.rows_read = static_cast<std::int64_t>(db.records.size() + info.rejected.size());
  } else {
    ImportResult r = read_dsc_csv(d.path);
    for (const std::string& w : r.warnings) log_warning(fmt::format("{}: {}", d.path, w));
    db = std::move(r.db);
    info.rejected = std::move(r.rejected);
    info.sha256 = db.source_sha256;
    info.rows_read = r.rows_read;
  }
  info.accepted = static_cast<std::int64_t>(db.records.size());
  return info;
}

void write_import_group(H5File& out, const DatasetInfo& info) {
  const std::string g = "/import/" + info.label;
  out.create_group(g);
  out.set_attribute(g, "path", info.path);
  out.set_attribute(g, "sha256", info.sha256);
  out.set_attribute(g, "train", std::int64_t{info.train ? 1 : 0});
  out.set_attribute(g, "rows_read", info.rows_read);
  out.set_attribute(g, "accepted", info.accepted);
  out.set_attribute(g, "rejected", static_cast<std::int64_t>(info.rejected.size()));
  std::vector<std::int64_t> line;
  std::vector<std::string> column, reason;
  for (const RejectedRow& r : info.rejected) {
    line.push_back(r.line);
    column.push_back(r.column);
    reason.push_back(r.reason);
  }
  write_doc_int64s(out, g + "/rejected_line", line, "", "line of the rejected row (1-based)");
  write_doc_strings(out, g + "/rejected_column", column, "offending column");
  write_doc_strings(out, g + "/rejected_reason", reason, "why the row was rejected");
}

}  // namespace

void compute_import(StudyState& s, H5File& out) {
  s.datasets.clear();
  s.db = DscDatabase{};
  s.record_dataset.clear();
  std::unordered_map<std::string, std::size_t> seen;  // record_id -> dataset
  std::vector<RejectedRow> all_rejected;
  progress_begin(s, "[import] datasets", s.config->datasets.size());
  for (std::size_t i = 0; i < s.config->datasets.size(); ++i) {
    const StudyDataset& d = s.config->datasets[i];
    DscDatabase db;
    DatasetInfo info = read_dataset(d, db);
    for (DscRecord& r : db.records) {
      const auto [it, fresh] = seen.emplace(r.record_id, i);
      if (!fresh) {
        throw InputError(d.path, 0, "record_id",
                         fmt::format("record_id '{}' is also in dataset '{}'", r.record_id,
                                     s.config->datasets[it->second].label));
      }
      s.db.records.push_back(std::move(r));
      s.record_dataset.push_back(static_cast<std::int64_t>(i));
    }
    all_rejected.insert(all_rejected.end(), info.rejected.begin(), info.rejected.end());
    s.datasets.push_back(std::move(info));
    progress_add(s);
  }
  progress_end(s);
  if (s.db.records.empty()) throw Error("study: no record of any dataset was accepted");
  s.db.source_file = "study";
  s.db.source_sha256.clear();
  for (const DatasetInfo& info : s.datasets) s.db.source_sha256 += info.sha256;
  s.db.source_sha256 = sha256_hex(s.db.source_sha256);
  write_database_h5(s.db, all_rejected, database_path(s));
  for (const DatasetInfo& info : s.datasets) write_import_group(out, info);
  out.write_int64s("/_import/record_dataset", s.record_dataset);
  out.set_attribute("/_import", "database_sha256", sha256_file(database_path(s)));
}

void load_import(StudyState& s, const H5File& in) {
  const std::string expected = in.string_attribute("/_import", "database_sha256");
  if (sha256_file(database_path(s)) != expected) {
    throw Error(fmt::format("{}: changed since the import stage", database_path(s)));
  }
  LoadedDatabase loaded = read_database_h5(database_path(s));
  s.db = std::move(loaded.db);
  s.record_dataset = in.read_int64s("/_import/record_dataset");
  s.datasets.clear();
  for (const StudyDataset& d : s.config->datasets) {
    const std::string g = "/import/" + d.label;
    DatasetInfo info;
    info.label = d.label;
    info.path = d.path;
    info.train = d.train;
    info.sha256 = in.string_attribute(g, "sha256");
    info.rows_read = in.int64_attribute(g, "rows_read");
    info.accepted = in.int64_attribute(g, "accepted");
    const std::vector<std::int64_t> line = in.read_int64s(g + "/rejected_line");
    const std::vector<std::string> column = in.read_strings(g + "/rejected_column");
    const std::vector<std::string> reason = in.read_strings(g + "/rejected_reason");
    for (std::size_t i = 0; i < line.size(); ++i) {
      RejectedRow row;
      row.line = line[i];
      row.column = column[i];
      row.reason = reason[i];
      info.rejected.push_back(std::move(row));
    }
    s.datasets.push_back(std::move(info));
  }
}

}  // namespace thermex::study
