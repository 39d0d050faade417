#pragma once
// The tiny study of the study tests: tests/data/study_tiny.toml next to a 120-row synthetic
// database written at test time, and a comparison of results files dataset by dataset.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <string>

#include "h5_test_support.hpp"
#include "thermex/dsc_csv.hpp"
#include "thermex/h5.hpp"
#include "thermex/study.hpp"
#include "thermex/study_config.hpp"
#include "thermex/synth.hpp"

namespace thermex::testing {

/// A scratch directory holding synth.csv (120 synthetic rows, seed 0) and study_tiny.toml.
class TinyStudy {
 public:
  TinyStudy() {
    synth::SynthOptions options;
    options.rows = 120;
    write_dsc_csv(synth::synthesize(options), dir_.file("synth.csv"));
    const std::string src = std::string(THERMEX_SOURCE_DIR) + "/tests/data/study_tiny.toml";
    write_bytes(config_path(), read_bytes(src));
  }
  std::string config_path() const { return dir_.file("study_tiny.toml"); }
  /// The config, with `edit` applied to its text first (e.g. a changed sweep step).
  StudyConfig config(const std::string& replace_from = "", const std::string& replace_to = "") {
    std::string text = read_bytes(config_path());
    if (!replace_from.empty()) {
      const std::size_t at = text.find(replace_from);
      EXPECT_NE(at, std::string::npos) << replace_from;
      if (at != std::string::npos) text.replace(at, replace_from.size(), replace_to);
    }
    return parse_study_config(text, config_path(), dir_.path().string());
  }
  std::string file(const std::string& name) const { return dir_.file(name); }

 private:
  ScratchDir dir_;
};

/// Run options writing `output` (no progress display).
inline StudyRunOptions run_to(const std::string& output, bool force = false, Shard shard = {}) {
  StudyRunOptions o;
  o.output = output;
  o.force = force;
  o.shard = shard;
  return o;
}

/// Every dataset of an HDF5 file outside `skip` (path prefix), its shape and values serialized
/// exactly (doubles by bit pattern, so NaN equals NaN and -0 differs from 0).
inline std::map<std::string, std::string> dataset_contents(
    const std::string& path, const std::string& skip = "/provenance") {
  const H5File f = H5File::open_read_only(path);
  std::map<std::string, std::string> out;
  std::vector<std::string> todo{"/"};
  while (!todo.empty()) {
    const std::string g = todo.back();
    todo.pop_back();
    for (const std::string& child : f.list(g)) {
      const std::string p = g == "/" ? "/" + child : g + "/" + child;
      if (p.rfind(skip, 0) == 0) continue;
      if (f.is_group(p)) {
        todo.push_back(p);
        continue;
      }
      const hid_t ds = H5Dopen2(f.id(), p.c_str(), H5P_DEFAULT);
      const hid_t type = H5Dget_type(ds);
      const hid_t space = H5Dget_space(ds);
      const int rank = H5Sget_simple_extent_ndims(space);
      const H5T_class_t cls = H5Tget_class(type);
      H5Sclose(space);
      H5Tclose(type);
      H5Dclose(ds);
      std::string text = "rank " + std::to_string(rank) + ":";
      if (cls == H5T_STRING) {
        for (const std::string& s : f.read_strings(p)) text += s + '\x1f';
      } else if (rank == 2 && cls == H5T_INTEGER) {
        const auto m = f.read_int64_matrix(p);
        text += std::to_string(m.rows) + "x" + std::to_string(m.cols) + ":";
        for (auto v : m.values) text += std::to_string(v) + ",";
      } else if (rank == 2) {
        const auto m = f.read_double_matrix(p);
        text += std::to_string(m.rows) + "x" + std::to_string(m.cols) + ":";
        for (double v : m.values) {
          std::uint64_t bits = 0;
          std::memcpy(&bits, &v, sizeof bits);
          text += std::to_string(bits) + ",";
        }
      } else if (cls == H5T_INTEGER) {
        for (auto v : f.read_int64s(p)) text += std::to_string(v) + ",";
      } else {
        for (double v : f.read_doubles(p)) {
          std::uint64_t bits = 0;
          std::memcpy(&bits, &v, sizeof bits);
          text += std::to_string(bits) + ",";
        }
      }
      out.emplace(p, std::move(text));
    }
  }
  return out;
}

/// Expects the same dataset paths with the same contents, naming each difference.
inline void expect_same_datasets(const std::string& a, const std::string& b) {
  const auto ca = dataset_contents(a), cb = dataset_contents(b);
  EXPECT_GT(ca.size(), 50u) << a << " has suspiciously few datasets";
  for (const auto& [path, text] : ca) {
    const auto it = cb.find(path);
    if (it == cb.end()) {
      ADD_FAILURE() << path << " is in " << a << " but not in " << b;
    } else {
      EXPECT_TRUE(it->second == text)
          << "dataset " << path << " differs between " << a << " and " << b;
    }
  }
  for (const auto& [path, text] : cb) {
    EXPECT_TRUE(ca.count(path) == 1) << path << " is in " << b << " but not in " << a;
  }
}

/// stage_reused of a results file, by stage name.
inline std::map<std::string, std::int64_t> stage_reused(const std::string& path) {
  const H5File f = H5File::open_read_only(path);
  const auto names = f.read_strings("/provenance/stage_names");
  const auto reused = f.read_int64s("/provenance/stage_reused");
  std::map<std::string, std::int64_t> out;
  for (std::size_t i = 0; i < names.size(); ++i) out[names[i]] = reused.at(i);
  return out;
}

}  // namespace thermex::testing
