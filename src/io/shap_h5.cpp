// SHAP results in HDF5: see include/thermex/shap_h5.hpp for the layout.
#include "thermex/shap_h5.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <vector>

#include "thermex/error.hpp"

namespace thermex {
namespace {

constexpr std::string_view kFormat = "thermex-shap";
constexpr std::int64_t kFormatVersion = 1;

std::string child(const std::string& group, std::string_view name) {
  return group == "/" ? "/" + std::string(name) : group + "/" + std::string(name);
}

std::string units_of(const ShapResult& r) { return r.log10_target ? "log10(target)" : "target"; }

void check_shape(const ShapResult& r) {
  const std::size_t cells = r.rows * r.players;
  if (r.values.size() != cells || r.std_errors.size() != cells || r.fx.size() != r.rows ||
      r.samples_used.size() != r.rows || r.player_sets.names.size() != r.players ||
      r.player_sets.columns.size() != r.players) {
    throw Error(fmt::format(
        "write_shap_h5: result arrays do not match {} rows x {} players (values {}, std_errors "
        "{}, fx {}, samples_used {}, names {}, player columns {})",
        r.rows, r.players, r.values.size(), r.std_errors.size(), r.fx.size(), r.samples_used.size(),
        r.player_sets.names.size(), r.player_sets.columns.size()));
  }
}

}  // namespace

void write_shap_h5(H5File& file, std::string_view group, const ShapResult& result) {
  check_shape(result);
  const std::string g = h5_normalize_path(group);
  file.create_group(g);
  file.set_attribute(g, "format", kFormat);
  file.set_attribute(g, "format_version", kFormatVersion);
  file.set_attribute(g, "method", to_string(result.method));
  file.set_attribute(g, "base_value", result.base_value);
  file.set_attribute(g, "rows", static_cast<std::int64_t>(result.rows));
  file.set_attribute(g, "players", static_cast<std::int64_t>(result.players));
  file.set_attribute(g, "log10_target", static_cast<std::int64_t>(result.log10_target ? 1 : 0));
  file.set_attribute(g, "units", units_of(result));
  file.set_attribute(g, "max_efficiency_violation", result.max_efficiency_violation);

  const std::string values = child(g, "values");
  file.write_double_matrix(values, result.rows, result.players, result.values);
  file.set_attribute(values, "units", units_of(result));
  file.set_attribute(values, "labels", "row x player");
  const std::string se = child(g, "std_errors");
  file.write_double_matrix(se, result.rows, result.players, result.std_errors);
  file.set_attribute(se, "units", units_of(result));
  file.set_attribute(se, "labels", "row x player");
  const std::string fx = child(g, "fx");
  file.write_doubles(fx, result.fx);
  file.set_attribute(fx, "units", units_of(result));

  std::vector<std::int64_t> used(result.samples_used.begin(), result.samples_used.end());
  file.write_int64s(child(g, "samples_used"), used);
  const std::string mean_abs = child(g, "mean_abs");
  file.write_doubles(mean_abs, shap_mean_abs(result));
  file.set_attribute(mean_abs, "units", units_of(result));
  file.write_strings(child(g, "player_names"), result.player_sets.names);

  std::vector<std::int64_t> columns, offsets{0};
  for (const std::vector<std::size_t>& player : result.player_sets.columns) {
    for (std::size_t c : player) columns.push_back(static_cast<std::int64_t>(c));
    offsets.push_back(static_cast<std::int64_t>(columns.size()));
  }
  file.write_int64s(child(g, "player_columns"), columns);
  file.write_int64s(child(g, "player_offsets"), offsets);
}

ShapResult read_shap_h5(const H5File& file, std::string_view group) {
  const std::string g = h5_normalize_path(group);
  const auto bad = [&](const std::string& reason) {
    return InputError(file.path(), 0, g, "not a thermex SHAP result: " + reason);
  };
  if (!file.is_group(g)) throw bad("no such group");
  if (!file.has_attribute(g, "format") || file.string_attribute(g, "format") != kFormat) {
    throw bad("format attribute is not \"thermex-shap\"");
  }
  const std::int64_t version = file.int64_attribute(g, "format_version");
  if (version != kFormatVersion) throw bad(fmt::format("unknown format_version {}", version));
  ShapResult r;
  try {
    r.method = parse_shap_method(file.string_attribute(g, "method"), "method");
  } catch (const ConfigError& e) {
    throw bad(e.what());
  }
  const std::int64_t rows = file.int64_attribute(g, "rows");
  const std::int64_t players = file.int64_attribute(g, "players");
  if (rows < 0 || players < 0) throw bad("negative rows or players");
  r.rows = static_cast<std::size_t>(rows);
  r.players = static_cast<std::size_t>(players);
  r.base_value = file.double_attribute(g, "base_value");
  r.log10_target = file.int64_attribute(g, "log10_target") != 0;
  r.max_efficiency_violation = file.double_attribute(g, "max_efficiency_violation");

  H5Matrix<double> values = file.read_double_matrix(child(g, "values"));
  H5Matrix<double> se = file.read_double_matrix(child(g, "std_errors"));
  r.fx = file.read_doubles(child(g, "fx"));
  const std::vector<std::int64_t> used = file.read_int64s(child(g, "samples_used"));
  r.player_sets.names = file.read_strings(child(g, "player_names"));
  const std::vector<std::int64_t> columns = file.read_int64s(child(g, "player_columns"));
  const std::vector<std::int64_t> offsets = file.read_int64s(child(g, "player_offsets"));
  if (values.rows != r.rows || values.cols != r.players || se.rows != r.rows ||
      se.cols != r.players || r.fx.size() != r.rows || used.size() != r.rows ||
      r.player_sets.names.size() != r.players || offsets.size() != r.players + 1) {
    throw bad(fmt::format("dataset sizes do not match {} rows x {} players", r.rows, r.players));
  }
  r.values = std::move(values.values);
  r.std_errors = std::move(se.values);
  for (std::int64_t u : used) {
    if (u < 0) throw bad("negative samples_used");
    r.samples_used.push_back(static_cast<std::size_t>(u));
  }
  for (std::size_t p = 0; p < r.players; ++p) {
    const std::int64_t lo = offsets[p], hi = offsets[p + 1];
    if (lo < 0 || hi < lo || static_cast<std::size_t>(hi) > columns.size()) {
      throw bad(fmt::format("player_offsets[{}..{}] out of range", p, p + 1));
    }
    std::vector<std::size_t>& cols = r.player_sets.columns.emplace_back();
    for (std::int64_t k = lo; k < hi; ++k) {
      const std::int64_t c = columns[static_cast<std::size_t>(k)];
      if (c < 0) throw bad(fmt::format("negative column index for player {}", p));
      cols.push_back(static_cast<std::size_t>(c));
    }
  }
  return r;
}

}  // namespace thermex
