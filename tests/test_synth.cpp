// The synthetic generator's contract: determinism (seed, prefix, thread count), provenance,
// schema validity, the CSV round trip and the CLI. Physics checks: test_synth_physics.cpp.
#include <gtest/gtest.h>

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <set>
#include <string>

#include "cli_test_support.hpp"
#include "thermex/composition.hpp"
#include "thermex/dsc_csv.hpp"
#include "thermex/dsc_enums.hpp"
#include "thermex/dsc_h5.hpp"
#include "thermex/error.hpp"
#include "thermex/features.hpp"
#include "thermex/synth.hpp"

namespace thermex::synth {
namespace {

namespace fs = std::filesystem;

void expect_same_composition(const math::SiteComposition& a, const math::SiteComposition& b,
                             std::size_t i) {
  EXPECT_EQ(a.li, b.li) << "row " << i;
  EXPECT_EQ(a.site_total, b.site_total) << "row " << i;
  ASSERT_EQ(a.count, b.count) << "row " << i;
  for (int k = 0; k < a.count; ++k) {
    EXPECT_EQ(a.z[k], b.z[k]) << "row " << i << " slot " << k;
    EXPECT_EQ(a.fraction[k], b.fraction[k]) << "row " << i << " slot " << k;
  }
}

// Every field, compared exactly (optionals compare presence and value).
void expect_same_record(const DscRecord& a, const DscRecord& b, std::size_t i) {
  EXPECT_EQ(a.record_id, b.record_id) << "row " << i;
  EXPECT_EQ(a.origin, b.origin) << "row " << i;
  EXPECT_EQ(a.source_doi, b.source_doi) << "row " << i;
  EXPECT_EQ(a.where_in_source, b.where_in_source) << "row " << i;
  EXPECT_EQ(a.read_from, b.read_from) << "row " << i;
  EXPECT_EQ(a.material_class, b.material_class) << "row " << i;
  EXPECT_EQ(a.formula, b.formula) << "row " << i;
  expect_same_composition(a.composition, b.composition, i);
  EXPECT_EQ(a.dopants, b.dopants) << "row " << i;
  EXPECT_EQ(a.coating, b.coating) << "row " << i;
  EXPECT_EQ(a.charge_method, b.charge_method) << "row " << i;
  EXPECT_EQ(a.li_charged, b.li_charged) << "row " << i;
  EXPECT_EQ(a.cutoff_voltage_V, b.cutoff_voltage_V) << "row " << i;
  EXPECT_EQ(a.washed, b.washed) << "row " << i;
  EXPECT_EQ(a.electrolyte_present, b.electrolyte_present) << "row " << i;
  EXPECT_EQ(a.electrolyte_ratio, b.electrolyte_ratio) << "row " << i;
  EXPECT_EQ(a.electrolyte_amount_note, b.electrolyte_amount_note) << "row " << i;
  EXPECT_EQ(a.electrolyte_class, b.electrolyte_class) << "row " << i;
  EXPECT_EQ(a.electrolyte_composition, b.electrolyte_composition) << "row " << i;
  EXPECT_EQ(a.additive, b.additive) << "row " << i;
  EXPECT_EQ(a.method, b.method) << "row " << i;
  EXPECT_EQ(a.crucible, b.crucible) << "row " << i;
  EXPECT_EQ(a.scan_rate_C_per_min, b.scan_rate_C_per_min) << "row " << i;
  EXPECT_EQ(a.active_frac, b.active_frac) << "row " << i;
  EXPECT_EQ(a.carbon_frac, b.carbon_frac) << "row " << i;
  EXPECT_EQ(a.binder_frac, b.binder_frac) << "row " << i;
  EXPECT_EQ(a.onset_definition, b.onset_definition) << "row " << i;
  EXPECT_EQ(a.peak_definition, b.peak_definition) << "row " << i;
  EXPECT_EQ(a.heat_basis, b.heat_basis) << "row " << i;
  EXPECT_EQ(a.onset_C, b.onset_C) << "row " << i;
  EXPECT_EQ(a.peak_C, b.peak_C) << "row " << i;
  EXPECT_EQ(a.max_heat_flow_W_per_g, b.max_heat_flow_W_per_g) << "row " << i;
  EXPECT_EQ(a.total_heat_J_per_g, b.total_heat_J_per_g) << "row " << i;
  EXPECT_EQ(a.notes, b.notes) << "row " << i;
  EXPECT_EQ(a.decoys, b.decoys) << "row " << i;
}

void expect_same_records(const DscDatabase& a, const DscDatabase& b, std::size_t n) {
  ASSERT_GE(a.records.size(), n);
  ASSERT_GE(b.records.size(), n);
  for (std::size_t i = 0; i < n; ++i) expect_same_record(a.records[i], b.records[i], i);
}

SynthOptions options(std::size_t rows, std::uint64_t seed) {
  SynthOptions o;
  o.rows = rows;
  o.seed = seed;
  return o;
}

TEST(Synth, SameSeedGivesIdenticalRecords) {
  const auto a = synthesize(options(400, 5));
  const auto b = synthesize(options(400, 5));
  ASSERT_EQ(a.records.size(), 400u);
  expect_same_records(a, b, 400);
}

TEST(Synth, DifferentSeedsDiffer) {
  const auto a = synthesize(options(400, 5));
  const auto b = synthesize(options(400, 6));
  std::size_t same_decoys = 0, same_formula_and_onset = 0;
  for (std::size_t i = 0; i < 400; ++i) {
    same_decoys += a.records[i].decoys == b.records[i].decoys ? 1 : 0;
    same_formula_and_onset += (a.records[i].formula == b.records[i].formula &&
                               a.records[i].onset_C == b.records[i].onset_C)
                                  ? 1
                                  : 0;
  }
  EXPECT_EQ(same_decoys, 0u);
  EXPECT_LT(same_formula_and_onset, 20u);
  EXPECT_NE(a.records[0].source_doi, b.records[0].source_doi);
}

TEST(Synth, RowsArePrefixesOfLargerDatabases) {
  const auto small = synthesize(options(50, 3));
  const auto large = synthesize(options(200, 3));
  ASSERT_EQ(small.records.size(), 50u);
  expect_same_records(small, large, 50);
  const auto hundred = synthesize(options(100, 0));
  const auto six_hundred = synthesize(options(600, 0));
  expect_same_records(hundred, six_hundred, 100);
  EXPECT_TRUE(synthesize(options(0, 3)).records.empty());
}

TEST(Synth, ThreadCountDoesNotChangeRecords) {
  const int before = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto one = synthesize(options(3000, 17));
  const auto truth_one = synthesize_truth(options(3000, 17));
  omp_set_num_threads(4);
  const auto four = synthesize(options(3000, 17));
  const auto truth_four = synthesize_truth(options(3000, 17));
  omp_set_num_threads(before);
  expect_same_records(one, four, 3000);
  for (std::size_t i = 0; i < truth_one.size(); ++i) {
    EXPECT_EQ(truth_one[i].onset_C, truth_four[i].onset_C) << "row " << i;
    EXPECT_EQ(truth_one[i].total_heat_J_per_g, truth_four[i].total_heat_J_per_g) << "row " << i;
  }
}

TEST(Synth, EachOptionChangesOnlyItsOwnPart) {
  SynthOptions base = options(500, 8);
  SynthOptions complete = base;
  complete.missing_rate = 0;
  complete.target_missing_rate = 0;
  SynthOptions more_decoys = base;
  more_decoys.decoys = 5;
  SynthOptions quiet = base;
  quiet.noise_scale = 0.5;
  const auto a = synthesize(base), c = synthesize(complete);
  const auto d = synthesize(more_decoys), q = synthesize(quiet);
  for (std::size_t i = 0; i < 500; ++i) {
    const DscRecord &ra = a.records[i], &rc = c.records[i];
    EXPECT_EQ(ra.formula, rc.formula) << "row " << i;
    // A masked value is absent; an unmasked one is the complete record's value.
    if (ra.cutoff_voltage_V) {
      EXPECT_EQ(ra.cutoff_voltage_V, rc.cutoff_voltage_V) << "row " << i;
    }
    if (ra.onset_C) {
      EXPECT_EQ(ra.onset_C, rc.onset_C) << "row " << i;
    }
    if (ra.total_heat_J_per_g) {
      EXPECT_EQ(ra.total_heat_J_per_g, rc.total_heat_J_per_g) << "row " << i;
    }
    ASSERT_EQ(d.records[i].decoys.size(), 5u);
    EXPECT_TRUE(std::equal(ra.decoys.begin(), ra.decoys.end(), d.records[i].decoys.begin()))
        << "row " << i;
    EXPECT_EQ(ra.scan_rate_C_per_min, q.records[i].scan_rate_C_per_min) << "row " << i;
    EXPECT_EQ(ra.onset_C.has_value(), q.records[i].onset_C.has_value()) << "row " << i;
  }
}

TEST(Synth, ProvenanceMarksEveryRowSynthetic) {
  const auto db = synthesize(options(30, 42));
  EXPECT_EQ(db.records[0].record_id, "syn-000001");
  EXPECT_EQ(db.records[29].record_id, "syn-000030");
  for (std::size_t i = 0; i < db.records.size(); ++i) {
    const DscRecord& r = db.records[i];
    EXPECT_EQ(r.origin, DataOrigin::kSynthetic) << "row " << i;
    EXPECT_EQ(r.source_doi.rfind("synthetic:thermex-synth/seed=42/study=", 0), 0u) << "row " << i;
    EXPECT_EQ(r.method, ThermalMethod::kDsc) << "row " << i;
    EXPECT_NE(r.notes.find("SYNTHETIC"), std::string::npos) << "row " << i;
  }
}

TEST(Synth, ValuesLieWithinPhysicalRanges) {
  const auto db = synthesize(options(5000, 21));
  for (std::size_t i = 0; i < db.records.size(); ++i) {
    const DscRecord& r = db.records[i];
    double sum = 0;
    for (int k = 0; k < r.composition.count; ++k) sum += r.composition.fraction[k];
    EXPECT_NEAR(sum, 1.0, 1e-9) << "row " << i;
    EXPECT_EQ(r.material_class, material_class_of(r.composition)) << "row " << i;
    if (r.onset_C) {
      EXPECT_TRUE(*r.onset_C > 80 && *r.onset_C < 350) << "row " << i;
    }
    if (r.peak_C) {
      EXPECT_TRUE(*r.peak_C > 100 && *r.peak_C < 400) << "row " << i;
    }
    if (r.onset_C && r.peak_C) {
      EXPECT_GE(*r.peak_C, *r.onset_C + 1.0) << "row " << i;
    }
    if (r.max_heat_flow_W_per_g) {
      const double l = std::log10(*r.max_heat_flow_W_per_g);
      EXPECT_TRUE(l > -1.6 && l < 2.3) << "row " << i << " log10 power " << l;
    }
    if (r.total_heat_J_per_g) {
      EXPECT_TRUE(*r.total_heat_J_per_g > 250 && *r.total_heat_J_per_g < 3500) << "row " << i;
    }
    if (r.cutoff_voltage_V) {
      EXPECT_TRUE(*r.cutoff_voltage_V >= 4.2 && *r.cutoff_voltage_V <= 4.8) << "row " << i;
      if (r.material_class == MaterialClass::kLiRich) {
        EXPECT_GE(*r.cutoff_voltage_V, 4.6);
      }
    }
    if (r.charge_method == ChargeMethod::kChemical) {
      EXPECT_FALSE(r.cutoff_voltage_V) << "row " << i;
      if (r.li_charged) {
        EXPECT_TRUE(*r.li_charged >= 0.2 && *r.li_charged <= 0.6) << "row " << i;
      }
      if (r.active_frac) {
        EXPECT_EQ(*r.active_frac, 1.0) << "row " << i;
      }
    } else {
      EXPECT_EQ(r.charge_method, ChargeMethod::kElectrochemical) << "row " << i;
      EXPECT_FALSE(r.li_charged) << "row " << i;
    }
    if (r.active_frac) {
      ASSERT_TRUE(r.carbon_frac && r.binder_frac) << "row " << i;
      EXPECT_NEAR(*r.active_frac + *r.carbon_frac + *r.binder_frac, 1.0, 1e-9) << "row " << i;
      EXPECT_TRUE(*r.active_frac >= 0.8 && *r.carbon_frac >= 0 && *r.binder_frac >= 0);
    }
    if (r.scan_rate_C_per_min) {
      static const std::set<double> kRates{1, 2, 5, 10, 15, 20};
      EXPECT_EQ(kRates.count(*r.scan_rate_C_per_min), 1u) << "row " << i;
    }
    if (r.electrolyte_present == Tristate::kYes) {
      EXPECT_NE(r.electrolyte_class, ElectrolyteClass::kNone) << "row " << i;
      if (r.electrolyte_ratio) {
        EXPECT_TRUE(*r.electrolyte_ratio >= 0.1 && *r.electrolyte_ratio <= 1.5) << "row " << i;
      }
    } else {
      EXPECT_EQ(r.electrolyte_present, Tristate::kNo) << "row " << i;
      EXPECT_EQ(r.electrolyte_class, ElectrolyteClass::kNone) << "row " << i;
      EXPECT_FALSE(r.electrolyte_ratio) << "row " << i;
    }
    EXPECT_EQ(r.decoys.size(), 3u) << "row " << i;
    EXPECT_TRUE(r.onset_C || r.peak_C || r.max_heat_flow_W_per_g || r.total_heat_J_per_g);
  }
}

TEST(Synth, CompositionsCoverTheLiteratureFamilies) {
  const auto db = synthesize(options(5000, 2));
  std::map<MaterialClass, std::size_t> classes;
  std::set<std::string> formulas;
  std::size_t doped = 0, chemical = 0;
  for (const DscRecord& r : db.records) {
    ++classes[r.material_class];
    formulas.insert(r.formula);
    for (int k = 0; k < r.composition.count; ++k) {
      const int z = r.composition.z[k];
      doped += (z == 12 || z == 22 || z == 40 || (z == 13 && r.composition.count != 3)) ? 1 : 0;
    }
    chemical += r.charge_method == ChargeMethod::kChemical ? 1 : 0;
    // The record's composition is exactly what import parses from its formula.
    const auto parsed = parse_formula(r.formula);
    EXPECT_EQ(parsed.count, r.composition.count) << r.record_id;
  }
  for (const MaterialClass c : enum_values<MaterialClass>()) {
    EXPECT_GT(classes[c], 50u) << to_string(c);
  }
  EXPECT_GT(classes[MaterialClass::kNcm], db.records.size() / 3);
  for (const char* f :
       {"LiCoO2", "LiNi1/3Co1/3Mn1/3O2", "LiNi0.5Co0.2Mn0.3O2", "LiNi0.5Co0.3Mn0.2O2",
        "LiNi0.6Co0.2Mn0.2O2", "LiNi0.8Co0.1Mn0.1O2", "LiNi0.9Co0.05Mn0.05O2",
        "LiNi0.8Co0.15Al0.05O2", "Li1.2Ni0.13Co0.13Mn0.54O2", "LiNiO2"}) {
    EXPECT_EQ(formulas.count(f), 1u) << f;
  }
  EXPECT_GT(doped, 300u);
  EXPECT_GT(chemical, 250u);
  EXPECT_LT(chemical, 750u);
}

TEST(Synth, CsvRoundTripReproducesEveryRecord) {
  const auto db = synthesize(options(400, 13));
  const ImportResult back = parse_dsc_csv(format_dsc_csv(db), "synth.csv");
  EXPECT_TRUE(back.rejected.empty())
      << back.rejected.size()
      << " rejected, first: " << (back.rejected.empty() ? "" : back.rejected[0].reason);
  ASSERT_EQ(back.db.records.size(), db.records.size());
  expect_same_records(db, back.db, db.records.size());

  const fs::path path = fs::path(::testing::TempDir()) / "thermex_synth_roundtrip.csv";
  write_dsc_csv(db, path.string());
  const ImportResult file = read_dsc_csv(path.string());
  EXPECT_TRUE(file.rejected.empty());
  ASSERT_EQ(file.db.records.size(), db.records.size());
  expect_same_records(db, file.db, db.records.size());
  fs::remove(path);
}

TEST(Synth, GroundTruthOfReadBackRecordsIsTheGeneratorsTruth) {
  SynthOptions o = options(300, 4);
  o.missing_rate = 0;
  o.target_missing_rate = 0;
  const auto truth = synthesize_truth(o);
  const ImportResult back = parse_dsc_csv(format_dsc_csv(synthesize(o)), "synth.csv");
  ASSERT_EQ(back.db.records.size(), truth.size());
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const GroundTruth t = ground_truth(back.db.records[i]);
    EXPECT_EQ(t.onset_C, truth[i].onset_C) << "row " << i;
    EXPECT_EQ(t.peak_C, truth[i].peak_C) << "row " << i;
    EXPECT_EQ(t.log10_max_heat_flow, truth[i].log10_max_heat_flow) << "row " << i;
    EXPECT_EQ(t.total_heat_J_per_g, truth[i].total_heat_J_per_g) << "row " << i;
  }
}

// Output of `thermex <args>`; its exit code goes to `exit_code`.
std::string run_cli(const std::string& args, int& exit_code) {
  const auto r = testing_support::run_cli(args);
  exit_code = r.exit_code;
  return r.output;
}

TEST(Synth, CliWritesTheGeneratedDatabase) {
  const fs::path dir = fs::path(::testing::TempDir()) / "thermex_synth_cli";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string csv = (dir / "synth.csv").string();
  int rc = -1;
  const std::string out = run_cli("synth --rows 60 --seed 9 --decoys 2 -o '" + csv + "'", rc);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("rows: 60"), std::string::npos) << out;
  EXPECT_NE(out.find("classes:"), std::string::npos) << out;
  EXPECT_NE(out.find("missing:"), std::string::npos) << out;
  SynthOptions o = options(60, 9);
  o.decoys = 2;
  const ImportResult back = read_dsc_csv(csv);
  EXPECT_TRUE(back.rejected.empty());
  expect_same_records(synthesize(o), back.db, 60);
  // The global --seed before the subcommand means the same.
  const std::string csv2 = (dir / "synth2.csv").string();
  run_cli("--seed 9 synth --rows 60 --decoys 2 -o '" + csv2 + "'", rc);
  ASSERT_EQ(rc, 0);
  expect_same_records(back.db, read_dsc_csv(csv2).db, 60);
  // An .h5 output is the HDF5 database of the same records, its source naming the generator.
  const std::string h5 = (dir / "synth.h5").string();
  run_cli("synth --rows 60 --seed 9 --decoys 2 -o '" + h5 + "'", rc);
  ASSERT_EQ(rc, 0);
  const LoadedDatabase loaded = read_database_h5(h5);
  EXPECT_EQ(loaded.db.source_file, "synthetic:thermex-synth/seed=9/rows=60/decoys=2");
  EXPECT_EQ(loaded.db.source_sha256.size(), 64u);
  expect_same_records(back.db, loaded.db, 60);
  run_cli("synth --rows 10 --missing-rate 0.9 -o '" + csv2 + "'", rc);
  EXPECT_EQ(rc, 1);
  fs::remove_all(dir);
}

TEST(Synth, RejectsBadOptions) {
  const auto bad = [](auto mutate) {
    SynthOptions o = options(10, 0);
    mutate(o);
    return o;
  };
  EXPECT_THROW(synthesize(bad([](SynthOptions& o) { o.decoys = -1; })), ConfigError);
  EXPECT_THROW(synthesize(bad([](SynthOptions& o) { o.decoys = 65; })), ConfigError);
  EXPECT_THROW(synthesize(bad([](SynthOptions& o) { o.missing_rate = 0.6; })), ConfigError);
  EXPECT_THROW(synthesize(bad([](SynthOptions& o) {
                 o.target_missing_rate = std::numeric_limits<double>::quiet_NaN();
               })),
               ConfigError);
  EXPECT_THROW(synthesize(bad([](SynthOptions& o) { o.noise_scale = -0.1; })), ConfigError);
  EXPECT_THROW(synthesize_truth(bad([](SynthOptions& o) { o.noise_scale = 4; })), ConfigError);
}

TEST(Synth, RadiusStdFollowsItsDefinitionAndTheFeatureTable) {
  // NCM811: mean 0.8*0.48 + 0.2*0.53 = 0.49; var 0.8*0.01^2 + 0.2*0.04^2 = 0.0004.
  EXPECT_NEAR(tm_radius_std(parse_formula("LiNi0.8Co0.1Mn0.1O2")), 0.02, 1e-12);
  EXPECT_EQ(tm_radius_std(parse_formula("LiCoO2")), 0.0);
  EXPECT_THROW(tm_radius_std(parse_formula("LiNi0.5Fe0.5O2")), Error);
  // The featurizer's charged-state radius_tm_wstd is the same statistic.
  const auto names = composition_column_names();
  const auto column = static_cast<std::size_t>(
      std::find(names.begin(), names.end(), "radius_tm_wstd") - names.begin());
  ASSERT_LT(column, names.size());
  for (const char* f :
       {"LiNi1/3Co1/3Mn1/3O2", "LiNi0.8Co0.15Al0.05O2", "Li1.2Ni0.13Co0.13Mn0.54O2",
        "LiNi0.784Co0.098Mn0.098Mg0.02O2", "LiCo0.98Zr0.02O2", "LiNi0.33Co0.33Mn0.33Ti0.01O2"}) {
    const auto c = parse_formula(f);
    EXPECT_NEAR(tm_radius_std(c), composition_features(c, OxidationConvention::kCharged)[column],
                1e-12)
        << f;
  }
}

TEST(Synth, MaterialClassRule) {
  EXPECT_EQ(material_class_of(parse_formula("LiCoO2")), MaterialClass::kLco);
  EXPECT_EQ(material_class_of(parse_formula("LiCo0.98Mg0.02O2")), MaterialClass::kLco);
  EXPECT_EQ(material_class_of(parse_formula("LiNiO2")), MaterialClass::kLno);
  EXPECT_EQ(material_class_of(parse_formula("LiNi0.9Co0.05Mn0.05O2")), MaterialClass::kNcm);
  EXPECT_EQ(material_class_of(parse_formula("LiNi0.8Co0.15Al0.05O2")), MaterialClass::kNca);
  EXPECT_EQ(material_class_of(parse_formula("LiNi0.792Co0.099Mn0.099Al0.01O2")),
            MaterialClass::kNcm);
  EXPECT_EQ(material_class_of(parse_formula("Li1.2Ni0.2Mn0.6O2")), MaterialClass::kLiRich);
  EXPECT_EQ(material_class_of(parse_formula("LiNi0.5Mn0.5O2")), MaterialClass::kOther);
}

TEST(Synth, GroundTruthNeedsItsInputs) {
  SynthOptions o = options(200, 1);
  o.missing_rate = 0;
  const auto db = synthesize(o);
  const auto it = std::find_if(db.records.begin(), db.records.end(), [](const DscRecord& r) {
    return r.charge_method == ChargeMethod::kElectrochemical &&
           r.electrolyte_present == Tristate::kYes;
  });
  ASSERT_NE(it, db.records.end());
  DscRecord r = *it;
  EXPECT_TRUE(has_ground_truth_inputs(r));
  EXPECT_NO_THROW(ground_truth(r));
  const auto expect_missing = [](DscRecord rec, const std::string& field) {
    EXPECT_FALSE(has_ground_truth_inputs(rec)) << field;
    try {
      ground_truth(rec);
      ADD_FAILURE() << "no error for missing " << field;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
  };
  DscRecord m = r;
  m.cutoff_voltage_V.reset();
  expect_missing(m, "cutoff_voltage_V");
  m = r;
  m.electrolyte_ratio.reset();
  expect_missing(m, "electrolyte_ratio");
  m = r;
  m.scan_rate_C_per_min.reset();
  expect_missing(m, "scan_rate_C_per_min");
  m = r;
  m.electrolyte_present = Tristate::kUnknown;
  expect_missing(m, "electrolyte_present");
  m = r;
  m.charge_method = ChargeMethod::kChemical;
  m.cutoff_voltage_V.reset();
  expect_missing(m, "li_charged");
  m = r;
  m.composition = {};
  expect_missing(m, "composition");
  EXPECT_THROW(noise_sd(m, 1.0), Error);
}

}  // namespace
}  // namespace thermex::synth
