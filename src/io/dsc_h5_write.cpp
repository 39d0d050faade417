// write_database_h5: DscDatabase -> HDF5 file (layout in include/thermex/dsc_h5.hpp).
#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "dsc_h5_fields.hpp"
#include "thermex/atomic_file.hpp"
#include "thermex/dsc_enums.hpp"
#include "thermex/dsc_h5.hpp"
#include "thermex/h5.hpp"
#include "thermex/utc_time.hpp"
#include "thermex/version.hpp"

namespace thermex {
namespace {

using namespace dsc_h5_detail;
using math::kMaxSiteElements;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void describe(H5File& f, const std::string& path, std::string_view unit, std::string_view label) {
  f.set_attribute(path, "unit", unit);
  f.set_attribute(path, "label", label);
}

template <typename Get>
std::vector<std::string> strings_of(std::span<const DscRecord> records, Get get) {
  std::vector<std::string> out;
  out.reserve(records.size());
  for (const auto& r : records) out.emplace_back(get(r));
  return out;
}

void write_scalar_fields(H5File& f, std::span<const DscRecord> records) {
  for (const auto& field : kTextFields) {
    const std::string path = record_path(field.name);
    f.write_strings(path, strings_of(records, [&](const DscRecord& r) { return r.*field.member; }));
    describe(f, path, "", field.label);
  }
  for_each_enum_field([&](std::string_view name, std::string_view label, auto member) {
    const std::string path = record_path(name);
    f.write_strings(path, strings_of(records, [&](const DscRecord& r) {
                      return std::string(to_string(r.*member));
                    }));
    describe(f, path, "", label);
  });
  for (const auto& field : kNumberFields) {
    std::vector<double> v;
    v.reserve(records.size());
    for (const auto& r : records) v.push_back((r.*field.member).value_or(kNaN));
    const std::string path = record_path(field.name);
    f.write_doubles(path, v);
    describe(f, path, field.unit, field.label);
  }
}

void write_composition(H5File& f, std::span<const DscRecord> records) {
  const std::size_t n = records.size();
  constexpr auto kSlots = static_cast<std::size_t>(kMaxSiteElements);
  std::vector<double> li(n), site_total(n), fraction(n * kSlots, 0.0);
  std::vector<std::int64_t> count(n), z(n * kSlots, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& c = records[i].composition;
    if (c.count < 0 || c.count > kMaxSiteElements) {
      throw Error(fmt::format("record {} ('{}'): composition has {} elements, at most {} fit", i,
                              records[i].record_id, c.count, kMaxSiteElements));
    }
    li[i] = c.li;
    site_total[i] = c.site_total;
    count[i] = c.count;
    for (std::size_t k = 0; k < static_cast<std::size_t>(c.count); ++k) {
      z[i * kSlots + k] = c.z[k];
      fraction[i * kSlots + k] = c.fraction[k];
    }
  }
  const std::string g = record_path("composition");
  f.write_doubles(g + "/li", li);
  describe(f, g + "/li", "", "Li per formula unit (pristine)");
  f.write_doubles(g + "/site_total", site_total);
  describe(f, g + "/site_total", "", "TM-site amount before normalisation");
  f.write_int64s(g + "/count", count);
  describe(f, g + "/count", "", "elements on the TM sublattice");
  f.write_int64_matrix(g + "/z", n, kSlots, z);
  describe(f, g + "/z", "", "atomic numbers of TM-site elements (0 = unused slot)");
  f.write_double_matrix(g + "/fraction", n, kSlots, fraction);
  describe(f, g + "/fraction", "", "TM-site fractions (0 = unused slot)");
}

void write_decoys(H5File& f, std::span<const DscRecord> records) {
  const std::size_t n = records.size();
  std::size_t k = 0;
  for (const auto& r : records) k = std::max(k, r.decoys.size());
  std::vector<std::int64_t> count(n);
  std::vector<double> values(n * k, kNaN);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& d = records[i].decoys;
    count[i] = static_cast<std::int64_t>(d.size());
    std::copy(d.begin(), d.end(), values.begin() + static_cast<std::ptrdiff_t>(i * k));
  }
  f.write_int64s(record_path("decoy_count"), count);
  describe(f, record_path("decoy_count"), "", "number of synthetic decoy columns");
  f.write_double_matrix(record_path("decoys"), n, k, values);
  describe(f, record_path("decoys"), "", "synthetic pure-noise decoy columns");
}

void write_rejects(H5File& f, std::span<const RejectedRow> rejected) {
  const std::string g(kRejects);
  std::vector<std::int64_t> line;
  std::vector<std::string> column, reason, raw;
  for (const auto& r : rejected) {
    line.push_back(r.line);
    column.push_back(r.column);
    reason.push_back(r.reason);
    raw.push_back(r.raw);
  }
  f.write_int64s(g + "/line", line);
  describe(f, g + "/line", "", "1-based line in the source file");
  f.write_strings(g + "/column", column);
  describe(f, g + "/column", "", "offending column");
  f.write_strings(g + "/reason", reason);
  describe(f, g + "/reason", "", "why the row was refused");
  f.write_strings(g + "/raw", raw);
  describe(f, g + "/raw", "", "row text as read");
}

}  // namespace

void write_database_h5(const DscDatabase& db, std::span<const RejectedRow> rejected,
                       const std::string& path) {
  AtomicFile out(path);
  {
    H5File f = H5File::create(out.path());
    f.set_attribute("/", "format", kFormat);
    f.set_attribute("/", "schema_version", kDscSchemaVersion);
    f.set_attribute("/", "thermex_version", kVersion);
    f.set_attribute("/", "git_commit", kGitCommit);
    f.set_attribute("/", "source_file", db.source_file);
    f.set_attribute("/", "source_sha256", db.source_sha256);
    f.set_attribute("/", "created_utc", utc_now_iso8601());
    f.create_group(kRecords);
    write_scalar_fields(f, db.records);
    write_composition(f, db.records);
    write_decoys(f, db.records);
    f.create_group(kRejects);
    write_rejects(f, rejected);
    f.close();  // must succeed before the rename makes the file visible
  }
  out.commit();
}

}  // namespace thermex
