#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include "h5_test_support.hpp"
#include "thermex/dsc_enums.hpp"
#include "thermex/dsc_h5.hpp"
#include "thermex/h5.hpp"
#include "thermex/version.hpp"

namespace thermex {
namespace {

using testing::ScratchDir;

DscRecord full_record() {
  DscRecord r;
  r.record_id = "lit-0001";
  r.origin = DataOrigin::kLiterature;
  r.source_doi = "10.1016/j.jpowsour.2013.01.001";
  r.where_in_source = "Table 2";
  r.read_from = "https://doi.org/10.1016/j.jpowsour.2013.01.001";
  r.material_class = MaterialClass::kNcm;
  r.formula = "LiNi0.8Co0.1Mn0.1O2";
  r.composition.li = 1.0;
  r.composition.site_total = 1.0;
  r.composition.count = 3;
  r.composition.z[0] = 28;
  r.composition.z[1] = 27;
  r.composition.z[2] = 25;
  r.composition.fraction[0] = 0.8;
  r.composition.fraction[1] = 0.1;
  r.composition.fraction[2] = 0.1;
  r.dopants = "Sn (level not stated)";
  r.coating = "Al2O3 1 wt%";
  r.charge_method = ChargeMethod::kElectrochemical;
  r.li_charged = 0.3;
  r.cutoff_voltage_V = 4.3;
  r.washed = Tristate::kYes;
  r.electrolyte_present = Tristate::kYes;
  r.electrolyte_ratio = 1.0 / 3.0;
  r.electrolyte_amount_note = "≈2 µL";
  r.electrolyte_class = ElectrolyteClass::kCarbonateLiPF6;
  r.electrolyte_composition = "1 M LiPF6 in EC:DMC 1:1";
  r.additive = "2% VC";
  r.method = ThermalMethod::kC80;
  r.crucible = Crucible::kSealed;
  r.scan_rate_C_per_min = 10.0;
  r.active_frac = 0.9;
  r.carbon_frac = 0.05;
  r.binder_frac = 0.05;
  r.onset_definition = OnsetDefinition::kTangent;
  r.peak_definition = PeakDefinition::kFirst;
  r.heat_basis = HeatBasis::kElectrode;
  r.onset_C = 210.5;
  r.peak_C = 245.25;
  r.max_heat_flow_W_per_g = 3.7;
  r.total_heat_J_per_g = 1234.5;
  r.notes = "onset 210 °C; d-spacing 4.7 Å, \"quoted\", comma, newline\nsecond line";
  return r;
}

// A synthetic record: all optionals absent, empty strings, decoys present.
DscRecord sparse_record() {
  DscRecord r;
  r.record_id = "syn-000042";
  r.origin = DataOrigin::kSynthetic;
  r.material_class = MaterialClass::kLiRich;
  r.composition.li = 1.2;
  r.composition.site_total = 0.8;
  r.composition.count = 8;
  for (int k = 0; k < 8; ++k) {
    r.composition.z[k] = static_cast<std::uint8_t>(20 + k);
    r.composition.fraction[k] = 0.125;
  }
  r.decoys = {0.5, -1.25, 3.0};
  return r;
}

void expect_optional_eq(const std::optional<double>& a, const std::optional<double>& b,
                        const char* name, std::size_t i) {
  ASSERT_EQ(a.has_value(), b.has_value()) << name << " of record " << i;
  if (a) {
    EXPECT_EQ(std::bit_cast<std::uint64_t>(*a), std::bit_cast<std::uint64_t>(*b))
        << name << " of record " << i << ": " << *a << " vs " << *b;
  }
}

void expect_record_eq(const DscRecord& a, const DscRecord& b, std::size_t i) {
  for (const auto& [x, y, name] : std::vector<std::tuple<std::string, std::string, const char*>>{
           {a.record_id, b.record_id, "record_id"},
           {a.source_doi, b.source_doi, "source_doi"},
           {a.where_in_source, b.where_in_source, "where_in_source"},
           {a.read_from, b.read_from, "read_from"},
           {a.formula, b.formula, "formula"},
           {a.dopants, b.dopants, "dopants"},
           {a.coating, b.coating, "coating"},
           {a.electrolyte_amount_note, b.electrolyte_amount_note, "electrolyte_amount_note"},
           {a.electrolyte_composition, b.electrolyte_composition, "electrolyte_composition"},
           {a.additive, b.additive, "additive"},
           {a.notes, b.notes, "notes"}}) {
    EXPECT_EQ(x, y) << name << " of record " << i;
  }
  EXPECT_EQ(a.origin, b.origin) << i;
  EXPECT_EQ(a.material_class, b.material_class) << i;
  EXPECT_EQ(a.charge_method, b.charge_method) << i;
  EXPECT_EQ(a.washed, b.washed) << i;
  EXPECT_EQ(a.electrolyte_present, b.electrolyte_present) << i;
  EXPECT_EQ(a.electrolyte_class, b.electrolyte_class) << i;
  EXPECT_EQ(a.method, b.method) << i;
  EXPECT_EQ(a.crucible, b.crucible) << i;
  EXPECT_EQ(a.onset_definition, b.onset_definition) << i;
  EXPECT_EQ(a.peak_definition, b.peak_definition) << i;
  EXPECT_EQ(a.heat_basis, b.heat_basis) << i;
  expect_optional_eq(a.li_charged, b.li_charged, "li_charged", i);
  expect_optional_eq(a.cutoff_voltage_V, b.cutoff_voltage_V, "cutoff_voltage_V", i);
  expect_optional_eq(a.electrolyte_ratio, b.electrolyte_ratio, "electrolyte_ratio", i);
  expect_optional_eq(a.scan_rate_C_per_min, b.scan_rate_C_per_min, "scan_rate", i);
  expect_optional_eq(a.active_frac, b.active_frac, "active_frac", i);
  expect_optional_eq(a.carbon_frac, b.carbon_frac, "carbon_frac", i);
  expect_optional_eq(a.binder_frac, b.binder_frac, "binder_frac", i);
  expect_optional_eq(a.onset_C, b.onset_C, "onset_C", i);
  expect_optional_eq(a.peak_C, b.peak_C, "peak_C", i);
  expect_optional_eq(a.max_heat_flow_W_per_g, b.max_heat_flow_W_per_g, "max_heat_flow", i);
  expect_optional_eq(a.total_heat_J_per_g, b.total_heat_J_per_g, "total_heat", i);
  EXPECT_EQ(a.composition.li, b.composition.li) << i;
  EXPECT_EQ(a.composition.site_total, b.composition.site_total) << i;
  ASSERT_EQ(a.composition.count, b.composition.count) << i;
  for (int k = 0; k < math::kMaxSiteElements; ++k) {
    EXPECT_EQ(a.composition.z[k], b.composition.z[k]) << "record " << i << " slot " << k;
    EXPECT_EQ(a.composition.fraction[k], b.composition.fraction[k])
        << "record " << i << " slot " << k;
  }
  EXPECT_EQ(a.decoys, b.decoys) << i;
}

DscDatabase sample_database() {
  DscDatabase db;
  db.source_file = "data/dsc_°C.csv";
  db.source_sha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  db.records = {full_record(), sparse_record(), DscRecord{}};
  return db;
}

TEST(DscH5, RoundTripEveryField) {
  ScratchDir dir;
  const std::string path = dir.file("db.h5");
  const DscDatabase db = sample_database();
  const std::vector<RejectedRow> rejects{{12, "onset_C", "not a number: 'abc'", "lit-9,10.1/x,abc"},
                                         {40, "", "row has 3 fields, header has 40", "a,b,c"},
                                         {41, "formula", "", ""}};
  write_database_h5(db, rejects, path);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"db.h5"});  // no temp file left behind

  const LoadedDatabase loaded = read_database_h5(path);
  EXPECT_EQ(loaded.schema_version, 1);
  EXPECT_EQ(loaded.thermex_version, kVersion);
  EXPECT_EQ(loaded.git_commit, kGitCommit);
  EXPECT_EQ(loaded.created_utc.size(), 20u) << loaded.created_utc;  // 2025-01-31T12:00:00Z
  EXPECT_EQ(loaded.db.source_file, db.source_file);
  EXPECT_EQ(loaded.db.source_sha256, db.source_sha256);
  ASSERT_EQ(loaded.db.records.size(), db.records.size());
  for (std::size_t i = 0; i < db.records.size(); ++i) {
    expect_record_eq(db.records[i], loaded.db.records[i], i);
  }
  ASSERT_EQ(loaded.rejected.size(), rejects.size());
  for (std::size_t i = 0; i < rejects.size(); ++i) {
    EXPECT_EQ(loaded.rejected[i].line, rejects[i].line) << i;
    EXPECT_EQ(loaded.rejected[i].column, rejects[i].column) << i;
    EXPECT_EQ(loaded.rejected[i].reason, rejects[i].reason) << i;
    EXPECT_EQ(loaded.rejected[i].raw, rejects[i].raw) << i;
  }
}

TEST(DscH5, DatasetsCarryUnitsAndLabels) {
  ScratchDir dir;
  const std::string path = dir.file("db.h5");
  write_database_h5(sample_database(), {}, path);
  const auto f = H5File::open_read_only(path);
  EXPECT_EQ(f.string_attribute("/records/onset_C", "unit"), "°C");
  EXPECT_EQ(f.string_attribute("/records/cutoff_voltage_V", "unit"), "V");
  EXPECT_EQ(f.string_attribute("/records/total_heat_J_per_g", "unit"), "J/g");
  for (const std::string group : {"/records", "/records/composition", "/rejects"}) {
    for (const auto& name : f.list(group)) {
      const std::string ds = group + "/" + name;
      if (!f.is_dataset(ds)) continue;
      EXPECT_TRUE(f.has_attribute(ds, "unit")) << ds;
      EXPECT_FALSE(f.string_attribute(ds, "label").empty()) << ds;
    }
  }
  EXPECT_EQ(f.read_strings("/records/crucible")[0], "sealed");
  EXPECT_EQ(f.read_int64_matrix("/records/composition/z").cols, 8u);
}

TEST(DscH5, EmptyDatabaseRoundTrips) {
  ScratchDir dir;
  const std::string path = dir.file("empty.h5");
  write_database_h5(DscDatabase{}, {}, path);
  const LoadedDatabase loaded = read_database_h5(path);
  EXPECT_TRUE(loaded.db.records.empty());
  EXPECT_TRUE(loaded.rejected.empty());
  EXPECT_EQ(loaded.db.source_file, "");
}

TEST(DscH5, RewriteReplacesAtomicallyAndFailedWriteKeepsOldFile) {
  ScratchDir dir;
  const std::string path = dir.file("db.h5");
  write_database_h5(sample_database(), {}, path);
  DscDatabase one;
  one.records = {full_record()};
  write_database_h5(one, {}, path);
  EXPECT_EQ(read_database_h5(path).db.records.size(), 1u);
  DscDatabase bad;
  bad.records = {full_record()};
  bad.records[0].composition.count = 9;  // cannot be stored
  EXPECT_THROW(write_database_h5(bad, {}, path), Error);
  EXPECT_EQ(read_database_h5(path).db.records.size(), 1u);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"db.h5"});
  EXPECT_THROW(write_database_h5(one, {}, dir.file("no/such/dir/db.h5")), Error);
}

void expect_input_error(const std::string& path, const std::string& column,
                        const std::string& fragment) {
  try {
    (void)read_database_h5(path);
    ADD_FAILURE() << "expected InputError for " << path;
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), path) << e.what();
    EXPECT_EQ(e.column(), column) << e.what();
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(DscH5, BadFilesAreInputErrors) {
  ScratchDir dir;
  expect_input_error(dir.file("missing.h5"), "", "No such file");
  const std::string garbage = dir.file("garbage.h5");
  testing::write_bytes(garbage, "record_id,onset_C\nlit-1,200\n");
  expect_input_error(garbage, "", "not an HDF5 file");

  const std::string other = dir.file("other.h5");
  {
    auto f = H5File::create(other);
    f.set_attribute("/", "schema_version", std::int64_t{2});
    f.close();
  }
  expect_input_error(other, "/@schema_version", "schema version 2");
  const std::string plain = dir.file("plain.h5");
  H5File::create(plain).close();
  expect_input_error(plain, "/@schema_version", "not a thermex database");
}

TEST(DscH5, MissingOrBadDatasetsAreInputErrors) {
  ScratchDir dir;
  const std::string path = dir.file("db.h5");
  write_database_h5(sample_database(), {}, path);
  {
    auto f = H5File::open_read_write(path);
    ASSERT_GE(H5Ldelete(f.id(), "/records/peak_C", H5P_DEFAULT), 0);
    f.close();
  }
  expect_input_error(path, "/records/peak_C", "missing dataset");

  write_database_h5(sample_database(), {}, path);
  {
    auto f = H5File::open_read_write(path);
    ASSERT_GE(H5Ldelete(f.id(), "/records/crucible", H5P_DEFAULT), 0);
    f.write_strings("/records/crucible", std::vector<std::string>{"sealed", "glass", ""});
    ASSERT_GE(H5Ldelete(f.id(), "/records/onset_C", H5P_DEFAULT), 0);
    f.write_doubles("/records/onset_C", std::vector<double>{1.0, 2.0});  // too short
    f.close();
  }
  // Enums are read before numbers: the bad name is reported first.
  expect_input_error(path, "/records/crucible", "record 1: unknown value 'glass'");

  write_database_h5(sample_database(), {}, path);
  {
    auto f = H5File::open_read_write(path);
    ASSERT_GE(H5Ldelete(f.id(), "/records/onset_C", H5P_DEFAULT), 0);
    f.write_strings("/records/onset_C", std::vector<std::string>{"a", "b", "c"});  // wrong type
    f.close();
  }
  expect_input_error(path, "/records/onset_C", "expected a numeric dataset");
}

}  // namespace
}  // namespace thermex
