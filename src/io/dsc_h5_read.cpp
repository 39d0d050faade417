// read_database_h5: HDF5 file -> DscDatabase (layout in include/thermex/dsc_h5.hpp).
#include <cmath>

#include <fmt/format.h>

#include "dsc_h5_fields.hpp"
#include "thermex/dsc_enums.hpp"
#include "thermex/dsc_h5.hpp"
#include "thermex/h5.hpp"

namespace thermex {
namespace {

using namespace dsc_h5_detail;
using math::kMaxSiteElements;

// Reads with every missing piece reported as InputError(file, 0, <object>, reason).
class Reader {
 public:
  explicit Reader(const H5File& f) : f_(f) {}

  [[noreturn]] void fail(const std::string& object, const std::string& reason) const {
    throw InputError(f_.path(), 0, object, reason);
  }
  void require_dataset(const std::string& path) const {
    if (!f_.is_dataset(path)) fail(path, "missing dataset");
  }
  template <typename T>
  void check_length(const std::string& path, const std::vector<T>& v, std::size_t n) const {
    if (v.size() != n) fail(path, fmt::format("has {} entries, expected {}", v.size(), n));
  }
  std::vector<std::string> strings(const std::string& path, std::size_t n) const {
    require_dataset(path);
    auto v = f_.read_strings(path);
    check_length(path, v, n);
    return v;
  }
  std::vector<double> doubles(const std::string& path, std::size_t n) const {
    require_dataset(path);
    auto v = f_.read_doubles(path);
    check_length(path, v, n);
    return v;
  }
  std::vector<std::int64_t> int64s(const std::string& path, std::size_t n) const {
    require_dataset(path);
    auto v = f_.read_int64s(path);
    check_length(path, v, n);
    return v;
  }
  template <typename T>
  H5Matrix<T> matrix(const std::string& path, std::size_t n,
                     std::optional<std::size_t> cols) const {
    require_dataset(path);
    H5Matrix<T> m;
    if constexpr (std::is_same_v<T, double>) {
      m = f_.read_double_matrix(path);
    } else {
      m = f_.read_int64_matrix(path);
    }
    if (m.rows != n || (cols && m.cols != *cols)) {
      fail(path, fmt::format("has shape {} x {}, expected {} x {}", m.rows, m.cols, n,
                             cols ? std::to_string(*cols) : std::string("k")));
    }
    return m;
  }
  std::string string_attribute(const std::string& name) const {
    if (!f_.has_attribute("/", name)) fail("/@" + name, "missing attribute");
    return f_.string_attribute("/", name);
  }

 private:
  const H5File& f_;
};

void read_scalar_fields(const Reader& in, std::vector<DscRecord>& records) {
  const std::size_t n = records.size();
  for (const auto& field : kTextFields) {
    auto v = in.strings(record_path(field.name), n);
    for (std::size_t i = 0; i < n; ++i) records[i].*field.member = std::move(v[i]);
  }
  for_each_enum_field([&](std::string_view name, std::string_view, auto member) {
    using Enum = std::remove_cvref_t<decltype(records[0].*member)>;
    const std::string path = record_path(name);
    const auto v = in.strings(path, n);
    for (std::size_t i = 0; i < n; ++i) {
      const auto parsed = parse_enum<Enum>(v[i]);
      if (!parsed) in.fail(path, fmt::format("record {}: unknown value '{}'", i, v[i]));
      records[i].*member = *parsed;
    }
  });
  for (const auto& field : kNumberFields) {
    const auto v = in.doubles(record_path(field.name), n);
    for (std::size_t i = 0; i < n; ++i) {
      if (!std::isnan(v[i])) records[i].*field.member = v[i];
    }
  }
}

void read_composition(const Reader& in, std::vector<DscRecord>& records) {
  const std::size_t n = records.size();
  constexpr auto kSlots = static_cast<std::size_t>(kMaxSiteElements);
  const std::string g = record_path("composition");
  const auto li = in.doubles(g + "/li", n);
  const auto site_total = in.doubles(g + "/site_total", n);
  const auto count = in.int64s(g + "/count", n);
  const auto z = in.matrix<std::int64_t>(g + "/z", n, kSlots);
  const auto fraction = in.matrix<double>(g + "/fraction", n, kSlots);
  for (std::size_t i = 0; i < n; ++i) {
    auto& c = records[i].composition;
    if (count[i] < 0 || count[i] > kMaxSiteElements) {
      in.fail(g + "/count", fmt::format("record {}: {} elements", i, count[i]));
    }
    c.li = li[i];
    c.site_total = site_total[i];
    c.count = static_cast<int>(count[i]);
    for (std::size_t k = 0; k < kSlots; ++k) {
      const std::int64_t zk = z.values[i * kSlots + k];
      if (zk < 0 || zk > 255) in.fail(g + "/z", fmt::format("record {}: atomic number {}", i, zk));
      c.z[k] = static_cast<std::uint8_t>(zk);
      c.fraction[k] = fraction.values[i * kSlots + k];
    }
  }
}

void read_decoys(const Reader& in, std::vector<DscRecord>& records) {
  const std::size_t n = records.size();
  const auto count = in.int64s(record_path("decoy_count"), n);
  const auto m = in.matrix<double>(record_path("decoys"), n, std::nullopt);
  for (std::size_t i = 0; i < n; ++i) {
    if (count[i] < 0 || static_cast<std::size_t>(count[i]) > m.cols) {
      in.fail(record_path("decoy_count"), fmt::format("record {}: {} decoys", i, count[i]));
    }
    const auto begin = m.values.begin() + static_cast<std::ptrdiff_t>(i * m.cols);
    records[i].decoys.assign(begin, begin + count[i]);
  }
}

std::vector<RejectedRow> read_rejects(const H5File& f, const Reader& in) {
  const std::string g(kRejects);
  in.require_dataset(g + "/line");
  const std::size_t m = f.dataset_length(g + "/line");
  const auto line = in.int64s(g + "/line", m);
  auto column = in.strings(g + "/column", m);
  auto reason = in.strings(g + "/reason", m);
  auto raw = in.strings(g + "/raw", m);
  std::vector<RejectedRow> out(m);
  for (std::size_t i = 0; i < m; ++i) {
    out[i] = {line[i], std::move(column[i]), std::move(reason[i]), std::move(raw[i])};
  }
  return out;
}

LoadedDatabase read_open_file(const H5File& f) {
  const Reader in(f);
  LoadedDatabase out;
  if (!f.has_attribute("/", "schema_version")) {
    in.fail("/@schema_version", "missing attribute: not a thermex database");
  }
  const std::int64_t version = f.int64_attribute("/", "schema_version");
  if (version != kDscSchemaVersion) {
    in.fail("/@schema_version", fmt::format("schema version {} is not supported (this thermex "
                                            "reads version {})",
                                            version, kDscSchemaVersion));
  }
  out.schema_version = static_cast<int>(version);
  out.thermex_version = in.string_attribute("thermex_version");
  out.git_commit = in.string_attribute("git_commit");
  out.created_utc = in.string_attribute("created_utc");
  out.db.source_file = in.string_attribute("source_file");
  out.db.source_sha256 = in.string_attribute("source_sha256");
  const std::string ids = record_path("record_id");
  in.require_dataset(ids);
  out.db.records.resize(f.dataset_length(ids));
  read_scalar_fields(in, out.db.records);
  read_composition(in, out.db.records);
  read_decoys(in, out.db.records);
  out.rejected = read_rejects(f, in);
  return out;
}

}  // namespace

LoadedDatabase read_database_h5(const std::string& path) {
  const H5File f = H5File::open_read_only(path);  // InputError when missing or not HDF5
  try {
    return read_open_file(f);
  } catch (const H5Error& e) {
    // A dataset of the wrong type or shape is bad input, not an internal failure.
    throw InputError(path, 0, e.object(), e.message());
  }
}

}  // namespace thermex
