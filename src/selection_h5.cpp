// Selection <-> HDF5 group (layout in data/SCREENING.md).
#include <string>
#include <vector>

#include "thermex/error.hpp"
#include "thermex/selection.hpp"

namespace thermex {
namespace {

constexpr std::string_view kFormat = "thermex.selection";

std::vector<std::int64_t> to_int64(const std::vector<std::uint8_t>& v) {
  return {v.begin(), v.end()};
}

void write_matrix(H5File& f, const std::string& path, std::size_t rows, std::size_t cols,
                  std::span<const double> values) {
  f.write_double_matrix(path, rows, cols, values);
}

void write_redundancy(H5File& f, const std::string& g, const RedundancyResult& r) {
  std::vector<std::string> dropped, partner, first, second;
  std::vector<double> rho;
  std::vector<std::int64_t> count;
  for (const auto& d : r.dropped) {
    dropped.push_back(d.dropped);
    partner.push_back(d.kept);
    rho.push_back(d.rho);
  }
  for (const auto& u : r.uncompared) {
    first.push_back(u.first);
    second.push_back(u.second);
    count.push_back(u.count);
  }
  f.write_strings(g + "/kept", r.kept);
  f.write_strings(g + "/dropped", dropped);
  f.write_strings(g + "/partner", partner);
  f.write_doubles(g + "/rho", rho);
  f.write_strings(g + "/uncompared_first", first);
  f.write_strings(g + "/uncompared_second", second);
  f.write_int64s(g + "/uncompared_count", count);
}

void write_null(H5File& f, const std::string& g, const NullImportanceResult& n) {
  f.create_group(g);
  f.set_attribute(g, "shuffles", static_cast<std::int64_t>(n.shuffles));
  f.set_attribute(g, "quantile", n.quantile);
  f.set_attribute(g, "unit", "target unit squared (SSE decrease)");
  f.write_strings(g + "/features", n.features);
  f.write_doubles(g + "/actual", n.actual);
  write_matrix(f, g + "/null", n.shuffles, n.features.size(), n.null);
  f.write_doubles(g + "/null_quantile", n.null_quantile);
  f.write_doubles(g + "/p_value", n.p_value);
  f.write_int64s(g + "/keep", to_int64(n.keep));
}

void write_dropped(H5File& f, const std::string& g, const std::vector<DroppedFeature>& d) {
  std::vector<std::string> name, reason, partner;
  std::vector<double> rho, actual, quantile, p;
  for (const auto& x : d) {
    name.push_back(x.name);
    reason.emplace_back(to_string(x.reason));
    partner.push_back(x.partner);
    rho.push_back(x.rho);
    actual.push_back(x.actual);
    quantile.push_back(x.null_quantile);
    p.push_back(x.p_value);
  }
  f.write_strings(g + "/name", name);
  f.write_strings(g + "/reason", reason);
  f.write_strings(g + "/partner", partner);
  f.write_doubles(g + "/rho", rho);
  f.write_doubles(g + "/actual", actual);
  f.write_doubles(g + "/null_quantile", quantile);
  f.write_doubles(g + "/p_value", p);
}

}  // namespace

void write_selection_h5(H5File& file, std::string_view group, const Selection& s) {
  const std::string g = h5_normalize_path(group);
  file.create_group(g);
  file.set_attribute(g, "format", kFormat);
  file.set_attribute(g, "target", s.target);
  file.set_attribute(g, "rows", static_cast<std::int64_t>(s.rows));
  // The seed's 64 bits, stored in a signed attribute (h5py shows it as int64).
  file.set_attribute(g, "seed", static_cast<std::int64_t>(s.seed));
  file.set_attribute(g, "spearman_threshold", s.spearman_threshold);
  file.write_strings(g + "/candidates", s.candidates);
  const std::size_t n = s.spearman.n;
  write_matrix(file, g + "/spearman/rho", n, n, s.spearman.rho);
  file.write_int64_matrix(g + "/spearman/counts", n, n, s.spearman.counts);
  write_redundancy(file, g + "/redundancy", s.redundancy);
  write_null(file, g + "/null", s.null);
  file.write_strings(g + "/kept", s.kept);
  write_dropped(file, g + "/dropped", s.dropped);
}

namespace {

RedundancyResult read_redundancy(const H5File& f, const std::string& g) {
  RedundancyResult r;
  r.kept = f.read_strings(g + "/kept");
  const auto dropped = f.read_strings(g + "/dropped");
  const auto partner = f.read_strings(g + "/partner");
  const auto rho = f.read_doubles(g + "/rho");
  THERMEX_EXPECTS(partner.size() == dropped.size() && rho.size() == dropped.size(),
                  "selection " + g + ": redundancy lists of different lengths");
  for (std::size_t k = 0; k < dropped.size(); ++k)
    r.dropped.push_back({dropped[k], partner[k], rho[k]});
  const auto first = f.read_strings(g + "/uncompared_first");
  const auto second = f.read_strings(g + "/uncompared_second");
  const auto count = f.read_int64s(g + "/uncompared_count");
  THERMEX_EXPECTS(second.size() == first.size() && count.size() == first.size(),
                  "selection " + g + ": uncompared lists of different lengths");
  for (std::size_t k = 0; k < first.size(); ++k)
    r.uncompared.push_back({first[k], second[k], count[k]});
  return r;
}

NullImportanceResult read_null(const H5File& f, const std::string& g) {
  NullImportanceResult n;
  n.shuffles = static_cast<std::size_t>(f.int64_attribute(g, "shuffles"));
  n.quantile = f.double_attribute(g, "quantile");
  n.features = f.read_strings(g + "/features");
  n.actual = f.read_doubles(g + "/actual");
  n.null = f.read_double_matrix(g + "/null").values;
  n.null_quantile = f.read_doubles(g + "/null_quantile");
  n.p_value = f.read_doubles(g + "/p_value");
  for (const auto k : f.read_int64s(g + "/keep")) n.keep.push_back(k ? 1 : 0);
  THERMEX_EXPECTS(n.null.size() == n.shuffles * n.features.size(),
                  "selection " + g + ": null matrix shape disagrees with the features");
  return n;
}

std::vector<DroppedFeature> read_dropped(const H5File& f, const std::string& g) {
  const auto name = f.read_strings(g + "/name");
  const auto reason = f.read_strings(g + "/reason");
  const auto partner = f.read_strings(g + "/partner");
  const auto rho = f.read_doubles(g + "/rho");
  const auto actual = f.read_doubles(g + "/actual");
  const auto quantile = f.read_doubles(g + "/null_quantile");
  const auto p = f.read_doubles(g + "/p_value");
  const std::size_t n = name.size();
  THERMEX_EXPECTS(reason.size() == n && partner.size() == n && rho.size() == n &&
                      actual.size() == n && quantile.size() == n && p.size() == n,
                  "selection " + g + ": dropped lists of different lengths");
  std::vector<DroppedFeature> out;
  for (std::size_t k = 0; k < n; ++k) {
    if (reason[k] != "spearman" && reason[k] != "null_importance") {
      throw InputError(f.path(), 0, g + "/reason", "unknown drop reason '" + reason[k] + "'");
    }
    const DropReason r =
        reason[k] == "spearman" ? DropReason::kSpearman : DropReason::kNullImportance;
    out.push_back({name[k], r, partner[k], rho[k], actual[k], quantile[k], p[k]});
  }
  return out;
}

}  // namespace

Selection read_selection_h5(const H5File& file, std::string_view group) {
  const std::string g = h5_normalize_path(group);
  if (!file.is_group(g) || !file.has_attribute(g, "format") ||
      file.string_attribute(g, "format") != kFormat) {
    throw InputError(file.path(), 0, g, "not a thermex selection group");
  }
  Selection s;
  s.target = file.string_attribute(g, "target");
  s.rows = static_cast<std::size_t>(file.int64_attribute(g, "rows"));
  s.seed = static_cast<std::uint64_t>(file.int64_attribute(g, "seed"));
  s.spearman_threshold = file.double_attribute(g, "spearman_threshold");
  s.candidates = file.read_strings(g + "/candidates");
  const auto rho = file.read_double_matrix(g + "/spearman/rho");
  const auto counts = file.read_int64_matrix(g + "/spearman/counts");
  s.spearman.n = rho.rows;
  s.spearman.rho = rho.values;
  s.spearman.counts = counts.values;
  THERMEX_EXPECTS(rho.rows == rho.cols && counts.values.size() == rho.values.size() &&
                      rho.rows == s.candidates.size(),
                  "selection " + g + ": Spearman matrix shape disagrees with the candidates");
  s.redundancy = read_redundancy(file, g + "/redundancy");
  s.null = read_null(file, g + "/null");
  s.kept = file.read_strings(g + "/kept");
  s.dropped = read_dropped(file, g + "/dropped");
  return s;
}

}  // namespace thermex
