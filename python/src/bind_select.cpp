// Feature-screening binding: builds a Table from column-major arrays plus metadata and runs
// select_features (Spearman filter, then null importance).
#include <pybind11/stl.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "py_common.hpp"
#include "thermex/selection.hpp"

namespace thermex::python {
namespace {

// A Table of the d feature columns (rows of `columns`, shape (d, n)) and the target column.
Table make_table(const DoubleView& columns, const DoubleView& y,
                 const std::vector<std::string>& names, const std::vector<std::string>& kinds,
                 const std::vector<std::string>& groups, const std::string& target) {
  const std::size_t d = columns.rows, n = columns.cols;
  if (names.size() != d || kinds.size() != d || groups.size() != d || y.rows != n) {
    throw py::value_error("select: names, kinds and groups need one entry per column");
  }
  Table table(n);
  for (std::size_t j = 0; j < d; ++j) {
    ColumnMeta meta;
    meta.name = names[j];
    const auto kind = parse_column_kind(kinds[j]);
    if (!kind || *kind == ColumnKind::kTarget) {
      throw py::value_error("select: column '" + names[j] + "': kind '" + kinds[j] +
                            "' is not content, condition, derived, onehot, indicator or other");
    }
    meta.kind = *kind;
    meta.group = groups[j];
    const auto col = columns.data.subspan(j * n, n);
    table.add_column(std::move(meta), std::vector<double>(col.begin(), col.end()));
  }
  ColumnMeta target_meta;
  target_meta.name = target;
  target_meta.kind = ColumnKind::kTarget;
  table.add_column(std::move(target_meta), std::vector<double>(y.data.begin(), y.data.end()));
  return table;
}

py::dict selection_dict(Selection&& s) {
  py::dict out;
  out["target"] = s.target;
  out["rows"] = s.rows;
  out["seed"] = s.seed;
  out["candidates"] = s.candidates;
  const auto nc = static_cast<py::ssize_t>(s.spearman.n);
  out["spearman_rho"] = owned_array<double>(std::move(s.spearman.rho), {nc, nc});
  out["spearman_counts"] = owned_array<std::int64_t>(std::move(s.spearman.counts), {nc, nc});
  out["kept"] = s.kept;
  py::list dropped;
  for (const DroppedFeature& f : s.dropped) {
    py::dict item;
    item["name"] = f.name;
    item["reason"] = std::string(to_string(f.reason));
    item["partner"] = f.partner;
    item["rho"] = f.rho;
    item["actual"] = f.actual;
    item["null_quantile"] = f.null_quantile;
    item["p_value"] = f.p_value;
    dropped.append(std::move(item));
  }
  out["dropped"] = std::move(dropped);
  py::list uncompared;
  for (const UncomparedPair& p : s.redundancy.uncompared) {
    uncompared.append(py::make_tuple(p.first, p.second, p.count));
  }
  out["uncompared"] = std::move(uncompared);
  NullImportanceResult& ni = s.null;
  const auto nf = static_cast<py::ssize_t>(ni.features.size());
  out["importance_features"] = ni.features;
  out["shuffles"] = ni.shuffles;
  out["quantile"] = ni.quantile;
  out["actual"] = owned_array<double>(std::move(ni.actual), {nf});
  out["null"] =
      owned_array<double>(std::move(ni.null), {static_cast<py::ssize_t>(ni.shuffles), nf});
  out["null_quantile"] = owned_array<double>(std::move(ni.null_quantile), {nf});
  out["p_value"] = owned_array<double>(std::move(ni.p_value), {nf});
  std::vector<std::int64_t> keep(ni.keep.begin(), ni.keep.end());
  out["keep"] = owned_array<std::int64_t>(std::move(keep), {nf});
  return out;
}

void set_forest_option(ForestOptions& f, const std::string& key, const py::handle& value) {
  if (key == "n_trees") {
    f.n_trees = value.cast<int>();
  } else if (key == "max_depth") {
    f.max_depth = value.cast<int>();
  } else if (key == "min_leaf") {
    f.min_leaf = value.cast<int>();
  } else if (key == "max_bins") {
    f.max_bins = value.cast<int>();
  } else if (key == "bagging_fraction") {
    f.bagging_fraction = value.cast<double>();
  } else if (key == "bootstrap") {
    f.bootstrap = value.cast<bool>();
  } else if (key == "feature_fraction_tree") {
    f.feature_fraction_tree = value.cast<double>();
  } else if (key == "feature_fraction_split") {
    f.feature_fraction_split = value.cast<double>();
  } else {
    throw ConfigError("forest." + key, "unknown forest option");
  }
}

}  // namespace

void bind_select(py::module_& m) {
  m.def(
      "select_features",
      [](const py::object& columns, const py::object& y, const std::vector<std::string>& names,
         const std::vector<std::string>& kinds, const std::vector<std::string>& groups,
         const std::string& target, double spearman_threshold,
         const std::vector<std::string>& priority, bool compare_within_group, int shuffles,
         double quantile, const py::dict& forest, std::uint64_t seed, int threads) {
        const DoubleView cv = double_view(columns, 2, "X (column-major)");
        const DoubleView yv = double_view(y, 1, "y");
        const Table table = make_table(cv, yv, names, kinds, groups, target);
        SelectionOptions options;
        options.spearman_threshold = spearman_threshold;
        options.features = names;
        options.priority = priority;
        options.compare_within_group = compare_within_group;
        options.null.shuffles = shuffles;
        options.null.quantile = quantile;
        for (const auto& [key, value] : forest) {
          set_forest_option(options.null.forest, key.cast<std::string>(), value);
        }
        const Context ctx = make_context("cpu", threads, seed);
        Selection selection;
        {
          py::gil_scoped_release release;
          selection = select_features(ctx, table, target, options);
        }
        return selection_dict(std::move(selection));
      },
      py::arg("columns"), py::arg("y"), py::arg("names"), py::arg("kinds"), py::arg("groups"),
      py::arg("target"), py::arg("spearman_threshold"), py::arg("priority"),
      py::arg("compare_within_group"), py::arg("shuffles"), py::arg("quantile"), py::arg("forest"),
      py::arg("seed"), py::arg("threads") = 0,
      "select_features on the feature columns (d, n) C-contiguous float64 and y (n,); one call "
      "(the GIL is released; Ctrl-C is seen when it returns).");
}

}  // namespace thermex::python
