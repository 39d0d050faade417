// SHAP bindings: svr_shap with the explained rows split into chunks for the exact methods, so
// Ctrl-C is honoured between chunks.
#include <pybind11/stl.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "py_common.hpp"
#include "thermex/shap.hpp"

namespace thermex::python {
namespace {

// Appends `part` (rows of the same explanation) to `all`.
void append_rows(ShapResult& all, ShapResult&& part) {
  if (all.rows == 0) {
    all = std::move(part);
    return;
  }
  all.rows += part.rows;
  all.values.insert(all.values.end(), part.values.begin(), part.values.end());
  all.std_errors.insert(all.std_errors.end(), part.std_errors.begin(), part.std_errors.end());
  all.samples_used.insert(all.samples_used.end(), part.samples_used.begin(),
                          part.samples_used.end());
  all.fx.insert(all.fx.end(), part.fx.begin(), part.fx.end());
  all.max_efficiency_violation =
      std::max(all.max_efficiency_violation, part.max_efficiency_violation);
}

// The rows are explained independently, so splitting them changes no value for the exact
// methods. The Monte Carlo methods key their streams by the row's position in the call, so they
// run as one call (no Ctrl-C until it returns) to give the CLI's values for the same seed.
ShapResult shap_in_chunks(const Context& ctx, const SvrModel& model, const DoubleView& x,
                          const DoubleView& bg, const ShapOptions& options,
                          std::size_t chunk_rows) {
  const bool exact =
      options.method == ShapMethod::kExact || options.method == ShapMethod::kBruteForce;
  const std::size_t step = exact ? std::max<std::size_t>(chunk_rows, 1) : x.rows;
  const std::size_t d = x.cols;
  ShapResult all;
  for (std::size_t start = 0; start < x.rows; start += step) {
    const std::size_t count = std::min(step, x.rows - start);
    ShapResult part;
    {
      py::gil_scoped_release release;
      part = svr_shap(ctx, model, x.data.subspan(start * d, count * d), count, bg.data, bg.rows,
                      options);
    }
    append_rows(all, std::move(part));
    if (start + count < x.rows) check_signals();
  }
  return all;
}

py::dict result_dict(ShapResult&& r) {
  const auto n = static_cast<py::ssize_t>(r.rows);
  const auto players = static_cast<py::ssize_t>(r.players);
  py::dict out;
  out["values"] = owned_array<double>(std::move(r.values), {n, players});
  out["std_errors"] = owned_array<double>(std::move(r.std_errors), {n, players});
  std::vector<std::int64_t> used(r.samples_used.begin(), r.samples_used.end());
  out["samples_used"] = owned_array<std::int64_t>(std::move(used), {n});
  out["fx"] = owned_array<double>(std::move(r.fx), {n});
  out["base_value"] = r.base_value;
  out["player_names"] = r.player_sets.names;
  out["player_columns"] = r.player_sets.columns;
  out["method"] = std::string(to_string(r.method));
  out["max_efficiency_violation"] = r.max_efficiency_violation;
  out["log10_target"] = r.log10_target;
  return out;
}

}  // namespace

void bind_shap(py::module_& m) {
  m.def(
      "svr_shap",
      [](const SvrModel& model, const py::object& x, const py::object& background,
         const std::string& method, std::size_t samples, std::optional<std::uint64_t> seed,
         double target_se, const std::vector<std::vector<std::size_t>>& player_columns,
         const std::vector<std::string>& player_names, std::vector<double> weights,
         const std::string& device, int threads, std::size_t chunk_rows) {
        const DoubleView xv = double_view(x, 2, "X");
        const DoubleView bv = double_view(background, 2, "background");
        ShapOptions options;
        options.method = parse_shap_method(method, "method");
        options.samples = samples;
        options.seed = seed;
        options.target_se = target_se;
        options.players.columns = player_columns;
        options.players.names = player_names;
        options.background_weights = std::move(weights);
        const Context ctx = make_context(device, threads, 0);
        return result_dict(shap_in_chunks(ctx, model, xv, bv, options, chunk_rows));
      },
      py::arg("model"), py::arg("x"), py::arg("background"), py::arg("method") = "exact",
      py::arg("samples") = 64, py::arg("seed") = py::none(), py::arg("target_se") = 0.0,
      py::arg("player_columns") = std::vector<std::vector<std::size_t>>{},
      py::arg("player_names") = std::vector<std::string>{},
      py::arg("background_weights") = std::vector<double>{}, py::arg("device") = "auto",
      py::arg("threads") = 0, py::arg("chunk_rows") = 256,
      "svr_shap on C-contiguous float64 X (n, d) and background (nb, d); returns a dict of "
      "values (n, M), std_errors, samples_used, fx, base_value, player names and columns.");
}

}  // namespace thermex::python
