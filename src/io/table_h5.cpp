#include "thermex/table_h5.hpp"

#include <string>
#include <vector>

#include <fmt/format.h>

namespace thermex {
namespace {

constexpr std::string_view kFormat = "thermex.table";

void check_link_name(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
    throw Error(fmt::format("table column name '{}' cannot be an HDF5 dataset name", name));
  }
}

std::string required_string(const H5File& file, const std::string& object, const char* name) {
  if (!file.has_attribute(object, name)) {
    throw InputError(file.path(), 0, object, fmt::format("missing attribute '{}'", name));
  }
  return file.string_attribute(object, name);
}

}  // namespace

void write_table_h5(H5File& file, std::string_view group_path, const Table& table) {
  const std::string group = h5_normalize_path(group_path);
  std::vector<std::string> names;
  names.reserve(table.cols());
  for (const auto& meta : table.metas()) {
    check_link_name(meta.name);
    names.push_back(meta.name);
  }
  file.create_group(group);
  file.set_attribute(group, "format", kFormat);
  file.set_attribute(group, "rows", static_cast<std::int64_t>(table.rows()));
  file.set_attribute(group, "columns", std::span<const std::string>(names));
  for (std::size_t j = 0; j < table.cols(); ++j) {
    const ColumnMeta& meta = table.meta(j);
    const std::string ds = group == "/" ? "/" + meta.name : group + "/" + meta.name;
    file.write_doubles(ds, table.column(j));
    file.set_attribute(ds, "name", meta.name);
    file.set_attribute(ds, "label", meta.label);
    file.set_attribute(ds, "unit", meta.unit);
    file.set_attribute(ds, "kind", to_string(meta.kind));
    file.set_attribute(ds, "group", meta.group);
  }
}

Table read_table_h5(const H5File& file, std::string_view group_path) {
  const std::string group = h5_normalize_path(group_path);
  if (!file.is_group(group)) throw InputError(file.path(), 0, group, "no such table group");
  if (required_string(file, group, "format") != kFormat) {
    throw InputError(file.path(), 0, group, "group does not hold a thermex table");
  }
  if (!file.has_attribute(group, "rows") || !file.has_attribute(group, "columns")) {
    throw InputError(file.path(), 0, group, "missing attribute 'rows' or 'columns'");
  }
  const std::int64_t rows = file.int64_attribute(group, "rows");
  if (rows < 0) throw InputError(file.path(), 0, group, "negative row count");
  Table table(static_cast<std::size_t>(rows));
  for (const auto& name : file.string_list_attribute(group, "columns")) {
    const std::string ds = group == "/" ? "/" + name : group + "/" + name;
    if (!file.is_dataset(ds)) throw InputError(file.path(), 0, ds, "missing column dataset");
    std::vector<double> values = file.read_doubles(ds);
    if (values.size() != table.rows()) {
      throw InputError(file.path(), 0, ds,
                       fmt::format("column has {} rows, table has {}", values.size(), rows));
    }
    ColumnMeta meta;
    meta.name = required_string(file, ds, "name");
    if (meta.name != name) {
      throw InputError(file.path(), 0, ds, fmt::format("attribute name is '{}'", meta.name));
    }
    meta.label = required_string(file, ds, "label");
    meta.unit = required_string(file, ds, "unit");
    const std::string kind = required_string(file, ds, "kind");
    const auto parsed = parse_column_kind(kind);
    if (!parsed) throw InputError(file.path(), 0, ds, fmt::format("unknown kind '{}'", kind));
    meta.kind = *parsed;
    meta.group = required_string(file, ds, "group");
    table.add_column(std::move(meta), std::move(values));
  }
  return table;
}

}  // namespace thermex
