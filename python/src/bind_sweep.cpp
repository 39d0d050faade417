// Composition-sweep bindings: make_sweep_plan + compute_sweep_chunk over every chunk of the grid,
// concatenated in index order (the GIL released per chunk, Ctrl-C checked between chunks), and
// the host featurization of single compositions (composition_features) that the sweep's rows
// are built from.
#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "py_common.hpp"
#include "thermex/composition.hpp"
#include "thermex/elements.hpp"
#include "thermex/features.hpp"
#include "thermex/sweep.hpp"

namespace thermex::python {
namespace {

using NumberMap = std::map<std::string, double, std::less<>>;
using LevelMap = std::map<std::string, std::string, std::less<>>;

// The sweep's name inside the engine; it only appears in the ConfigError keys, which
// python_message() rewrites into the Python argument names.
constexpr std::string_view kSweepName = "sweep";
// The Python function named in the messages of the composition_features bindings.
const char* const kFeaturesName = "composition_features";

py::ssize_t ssize(std::size_t n) { return static_cast<py::ssize_t>(n); }

OxidationConvention oxidation_of(const std::string& text) {
  const auto v = parse_oxidation_convention(text);
  if (!v) throw ConfigError("oxidation", "'" + text + "' is not 'charged' or 'pristine'");
  return *v;
}

// "config 'sweeps.sweep.step': ..." -> "<function> argument 'step': ...", "config
// 'sweeps.sweep': ..." -> "<function>: ...", "config 'bootstrap.ci': ..." -> "<function>
// argument 'ci': ...", any other "config '<key>'" -> "<function> argument '<key>'": the engine
// names study-config keys, the Python caller knows only the function's arguments.
std::string python_message(const std::string& text, const std::string& function) {
  const std::string scoped = "config 'sweeps." + std::string(kSweepName);
  if (text.starts_with(scoped + ".")) {
    return function + " argument '" + text.substr(scoped.size() + 1);
  }
  if (text.starts_with(scoped + "'")) return function + text.substr(scoped.size() + 1);
  const std::string ci = "config 'bootstrap.ci'";
  if (text.starts_with(ci)) return function + " argument 'ci'" + text.substr(ci.size());
  const std::string config = "config '";
  if (text.starts_with(config)) return function + " argument '" + text.substr(config.size());
  return text;
}

// One target's models as handed over from Python: (target, point model, replicas, maximize).
struct TargetModels {
  std::string target;
  SvrModel point;
  std::vector<SvrModel> replicas;
  std::optional<bool> maximize;
};

std::vector<TargetModels> target_models(const py::list& sets) {
  std::vector<TargetModels> out;
  for (const auto& item : sets) {
    const auto t = item.cast<py::tuple>();
    if (t.size() != 4)
      throw py::value_error(
          "sweep: model sets are (target, model, replicas, "
          "maximize) tuples");
    out.push_back(TargetModels{t[0].cast<std::string>(), t[1].cast<SvrModel>(),
                               t[2].cast<std::vector<SvrModel>>(),
                               t[3].cast<std::optional<bool>>()});
  }
  return out;
}

// The whole grid: every chunk of `plan` computed in order and concatenated.
struct GridResult {
  std::vector<double> fractions;
  std::vector<SweepTargetChunk> targets;
};

GridResult compute_grid(const Context& ctx, const SweepPlan& plan) {
  GridResult all;
  all.fractions.reserve(plan.points * plan.k);
  all.targets.resize(plan.targets.size());
  for (std::size_t t = 0; t < plan.targets.size(); ++t) {
    all.targets[t].prediction.reserve(plan.points);
    if (plan.targets[t].replicas() > 0) {
      for (auto* v : {&all.targets[t].boot_mean, &all.targets[t].boot_std, &all.targets[t].boot_lo,
                      &all.targets[t].boot_hi}) {
        v->reserve(plan.points);
      }
    }
  }
  const auto append = [](std::vector<double>& to, const std::vector<double>& from) {
    to.insert(to.end(), from.begin(), from.end());
  };
  const std::size_t chunks = sweep_chunk_count(plan);
  for (std::size_t c = 0; c < chunks; ++c) {
    SweepChunk chunk;
    {
      py::gil_scoped_release release;
      chunk = compute_sweep_chunk(ctx, plan, c);
    }
    append(all.fractions, chunk.fractions);
    for (std::size_t t = 0; t < chunk.targets.size(); ++t) {
      append(all.targets[t].prediction, chunk.targets[t].prediction);
      append(all.targets[t].boot_mean, chunk.targets[t].boot_mean);
      append(all.targets[t].boot_std, chunk.targets[t].boot_std);
      append(all.targets[t].boot_lo, chunk.targets[t].boot_lo);
      append(all.targets[t].boot_hi, chunk.targets[t].boot_hi);
    }
    if (c + 1 < chunks) check_signals();  // Ctrl-C lands between chunks
  }
  return all;
}

py::dict result_dict(const SweepPlan& plan, GridResult&& grid) {
  const py::ssize_t n = ssize(plan.points);
  py::dict out;
  out["points"] = plan.points;
  out["divisions"] = plan.m;
  out["quantile_lo"] = plan.quantile_lo;
  out["quantile_hi"] = plan.quantile_hi;
  out["fractions"] = owned_array<double>(std::move(grid.fractions), {n, ssize(plan.k)});
  py::list targets;
  for (std::size_t t = 0; t < plan.targets.size(); ++t) {
    SweepTargetChunk& r = grid.targets[t];
    py::dict item;
    item["target"] = plan.targets[t].target;
    item["maximize"] = plan.targets[t].maximize;
    item["replicas"] = plan.targets[t].replicas();
    item["prediction"] = owned_array<double>(std::move(r.prediction), {n});
    if (plan.targets[t].replicas() > 0) {
      item["boot_mean"] = owned_array<double>(std::move(r.boot_mean), {n});
      item["boot_std"] = owned_array<double>(std::move(r.boot_std), {n});
      item["boot_lo"] = owned_array<double>(std::move(r.boot_lo), {n});
      item["boot_hi"] = owned_array<double>(std::move(r.boot_hi), {n});
    }
    targets.append(std::move(item));
  }
  out["targets"] = std::move(targets);
  py::list features;
  for (const SweepFeature& f : plan.features) {
    features.append(py::make_tuple(f.name, std::string(to_string(f.source)), f.value));
  }
  out["features"] = std::move(features);
  return out;
}

py::dict run_sweep_grid(const py::list& sets, const std::vector<std::string>& elements, double step,
                        double li, const NumberMap& fixed, const LevelMap& levels,
                        const NumberMap& defaults, const std::string& oxidation, double ci,
                        std::size_t chunk, const std::string& device, int threads) {
  const std::vector<TargetModels> models = target_models(sets);
  StudySweep spec;
  spec.name = std::string(kSweepName);
  spec.elements = elements;
  spec.step = step;
  spec.li = li;
  spec.fixed = fixed;
  spec.levels = levels;
  spec.chunk = chunk;
  std::vector<SweepModelSet> model_sets;
  for (const TargetModels& m : models) {
    SweepModelSet set;
    set.target = m.target;
    set.point = &m.point;
    set.replicas = m.replicas;
    set.maximize = m.maximize;
    model_sets.push_back(std::move(set));
  }
  SweepPlan plan;
  try {
    plan = make_sweep_plan(spec, oxidation_of(oxidation), model_sets, defaults, ci);
  } catch (const ConfigError& e) {
    raise_as(e, python_message(e.what(), "sweep"));
  }
  const Context ctx = make_context(device, threads, 0);
  return result_dict(plan, compute_grid(ctx, plan));
}

// The SiteComposition of `fractions` over `elements` (zero fractions left out, as the sweep's
// points): fractions normalised to sum 1, site_total = their sum, li as given.
math::SiteComposition composition_of(const std::vector<std::string>& elements,
                                     const std::vector<double>& fractions, double li) {
  if (elements.size() != fractions.size()) {
    throw ConfigError("fractions", "one fraction per element");
  }
  if (!(std::isfinite(li) && li >= 0.0)) throw ConfigError("li", "li must be finite and >= 0");
  math::SiteComposition c;
  c.li = li;
  std::set<int> seen;
  double total = 0.0;
  for (std::size_t e = 0; e < elements.size(); ++e) {
    const int z = atomic_number(elements[e]);
    if (z == 0) throw ConfigError("elements", "unknown element '" + elements[e] + "'");
    if (!seen.insert(z).second) {
      throw ConfigError("elements", "element '" + elements[e] + "' listed twice");
    }
    const double f = fractions[e];
    if (!(std::isfinite(f) && f >= 0.0)) {
      throw ConfigError("fractions", "fraction of '" + elements[e] + "' must be finite and >= 0");
    }
    if (f == 0.0) continue;
    if (c.count == math::kMaxSiteElements) {
      throw ConfigError("elements", "more than 8 elements with a non-zero fraction");
    }
    c.z[c.count] = static_cast<std::uint8_t>(z);
    c.fraction[c.count] = f;
    ++c.count;
    total += f;
  }
  if (c.count == 0) throw ConfigError("fractions", "every fraction is zero");
  for (int k = 0; k < c.count; ++k) c.fraction[k] /= total;
  c.site_total = total;
  return c;
}

std::vector<double> features_of(const math::SiteComposition& c, const std::string& oxidation) {
  const OxidationConvention convention = oxidation_of(oxidation);
  try {
    return composition_features(c, convention);
  } catch (const ConfigError&) {
    throw;
  } catch (const Error& e) {
    // An element without a TM-site ion is bad input, not an engine failure.
    throw ConfigError("composition", e.what());
  }
}

}  // namespace

void bind_sweep(py::module_& m) {
  m.def("sweep_grid", &run_sweep_grid, py::arg("sets"), py::arg("elements"), py::arg("step"),
        py::arg("li"), py::arg("fixed"), py::arg("levels"), py::arg("defaults"),
        py::arg("oxidation"), py::arg("ci"), py::arg("chunk"), py::arg("device") = "cpu",
        py::arg("threads") = 0,
        "make_sweep_plan + compute_sweep_chunk over every chunk, concatenated in index order. "
        "sets: [(target, SvrModel, [replica SvrModel...], maximize or None), ...]. Returns a "
        "dict: points, divisions, quantile_lo/hi, fractions (N, k), targets (list of dicts with "
        "prediction and, with replicas, boot_mean/std/lo/hi), features [(name, source, value)]. "
        "The GIL is released per chunk; Ctrl-C is seen between chunks.");
  m.def(
      "composition_column_names",
      [] {
        std::vector<std::string> names;
        for (const auto name : composition_column_names()) names.emplace_back(name);
        return names;
      },
      "Names of the composition features, in the order composition_features returns them.");
  m.def(
      "composition_features_formula",
      [](const std::string& formula, const std::string& oxidation) {
        try {
          return features_of(parse_formula(formula), oxidation);
        } catch (const FormulaError& e) {
          const ConfigError error("formula", e.what());
          raise_as(error, python_message(error.what(), kFeaturesName));
        } catch (const ConfigError& e) {
          raise_as(e, python_message(e.what(), kFeaturesName));
        }
      },
      py::arg("formula"), py::arg("oxidation") = "charged",
      "composition_features of a parsed layered-oxide formula ('LiNi0.8Co0.1Mn0.1O2').");
  m.def(
      "composition_features_fractions",
      [](const std::vector<std::string>& elements, const py::object& fractions, double li,
         const std::string& oxidation) {
        const DoubleView fv = double_view(fractions, 2, "fractions");
        if (fv.cols != elements.size()) {
          throw py::value_error("fractions: " + std::to_string(fv.cols) + " columns for " +
                                std::to_string(elements.size()) + " elements");
        }
        const auto nf = static_cast<std::size_t>(math::kCompositionFeatureCount);
        std::vector<double> out(fv.rows * nf);
        for (std::size_t r = 0; r < fv.rows; ++r) {
          const auto row = fv.data.subspan(r * fv.cols, fv.cols);
          std::vector<double> f;
          try {
            f = features_of(composition_of(elements, {row.begin(), row.end()}, li), oxidation);
          } catch (const ConfigError& e) {
            raise_as(e,
                     "row " + std::to_string(r) + ": " + python_message(e.what(), kFeaturesName));
          }
          std::copy(f.begin(), f.end(), out.begin() + static_cast<std::ptrdiff_t>(r * nf));
        }
        return owned_array<double>(std::move(out), {ssize(fv.rows), ssize(nf)});
      },
      py::arg("elements"), py::arg("fractions"), py::arg("li") = 1.0,
      py::arg("oxidation") = "charged",
      "composition_features of each row of fractions (n, k) over `elements` (zero fractions "
      "left out; normalised to sum 1, site_total = the row sum); returns (n, F).");
}

}  // namespace thermex::python
