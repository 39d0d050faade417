// SVR bindings: SvrSpec, SvrModel (read-only, picklable), fit, batched fit, predict, model files.
#include <pybind11/stl.h>

#include <algorithm>
#include <map>
#include <regex>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "py_common.hpp"
#include "thermex/svr.hpp"
#include "thermex/svr_model_h5.hpp"

namespace thermex::python {
namespace {

py::object array_of(const std::vector<double>& v, std::vector<py::ssize_t> shape) {
  return owned_array<double>(v, std::move(shape));
}

py::ssize_t ssize(std::size_t n) { return static_cast<py::ssize_t>(n); }

// "scale" or a positive number (a Python float or str).
SvrGamma gamma_from_python(const py::handle& value) {
  if (py::isinstance<py::str>(value)) return parse_svr_gamma(value.cast<std::string>(), "gamma");
  return SvrGamma::fixed(value.cast<double>());
}

py::object gamma_to_python(const SvrGamma& gamma) {
  if (gamma.scale) return py::str("scale");
  return py::float_(gamma.value);
}

void bind_spec(py::module_& m) {
  py::class_<SvrSpec>(m, "SvrSpec", "Hyperparameters and solver options of one SVR fit.")
      .def(py::init<>())
      .def_readwrite("c", &SvrSpec::c, "box constraint C > 0")
      .def_readwrite("epsilon", &SvrSpec::epsilon, "tube half-width >= 0 (fitted-target units)")
      .def_property(
          "gamma", [](const SvrSpec& s) { return gamma_to_python(s.gamma); },
          [](SvrSpec& s, const py::object& v) { s.gamma = gamma_from_python(v); },
          "'scale' or a positive float (1 / squared standardized feature units)")
      .def_readwrite("tol", &SvrSpec::tol, "SMO stopping tolerance > 0")
      .def_readwrite("standardize", &SvrSpec::standardize, "z-score the features")
      .def_readwrite("log10_target", &SvrSpec::log10_target, "fit log10(y)")
      .def_readwrite("max_iter", &SvrSpec::max_iter, "iteration cap (0 = libsvm's default)")
      .def_readwrite("kernel_budget_bytes", &SvrSpec::kernel_budget_bytes,
                     "memory for the kernel matrix or its row cache")
      .def_readwrite("shrinking", &SvrSpec::shrinking, "libsvm's shrinking heuristic")
      .def_readwrite("warm_start_c", &SvrSpec::warm_start_c,
                     "batches: solve problems differing only in C in increasing C, each from "
                     "the previous solution");
}

// Everything of a model, as a dict (pickling); model_from_state is its inverse.
py::dict model_state(const SvrModel& m) {
  py::dict s;
  s["n_features"] = m.n_features;
  s["feature_names"] = m.feature_names;
  s["feature_means"] = m.feature_means;
  s["feature_scales"] = m.feature_scales;
  s["support_vectors"] = m.support_vectors;
  s["support_indices"] = m.support_indices;
  s["dual_coef"] = m.dual_coef;
  s["intercept"] = m.intercept;
  s["spec"] =
      py::make_tuple(m.spec.c, m.spec.epsilon, gamma_to_python(m.spec.gamma), m.spec.tol,
                     m.spec.standardize, m.spec.log10_target, m.spec.max_iter,
                     m.spec.kernel_budget_bytes, m.spec.libsvm_float_kernel, m.spec.shrinking);
  s["gamma_value"] = m.gamma_value;
  s["n_iter"] = m.n_iter;
  s["dual_objective"] = m.dual_objective;
  s["kkt_gap"] = m.kkt_gap;
  s["converged"] = m.converged;
  s["n_train"] = m.n_train;
  s["provenance"] = py::make_tuple(m.data_sha256, m.thermex_version, m.git_commit, m.device);
  return s;
}

SvrModel model_from_state(const py::dict& s) {
  SvrModel m;
  m.n_features = s["n_features"].cast<std::size_t>();
  m.feature_names = s["feature_names"].cast<std::vector<std::string>>();
  m.feature_means = s["feature_means"].cast<std::vector<double>>();
  m.feature_scales = s["feature_scales"].cast<std::vector<double>>();
  m.support_vectors = s["support_vectors"].cast<std::vector<double>>();
  m.support_indices = s["support_indices"].cast<std::vector<std::int64_t>>();
  m.dual_coef = s["dual_coef"].cast<std::vector<double>>();
  m.intercept = s["intercept"].cast<double>();
  const auto spec = s["spec"].cast<py::tuple>();
  m.spec.c = spec[0].cast<double>();
  m.spec.epsilon = spec[1].cast<double>();
  m.spec.gamma = gamma_from_python(spec[2]);
  m.spec.tol = spec[3].cast<double>();
  m.spec.standardize = spec[4].cast<bool>();
  m.spec.log10_target = spec[5].cast<bool>();
  m.spec.max_iter = spec[6].cast<std::int64_t>();
  m.spec.kernel_budget_bytes = spec[7].cast<std::size_t>();
  m.spec.libsvm_float_kernel = spec[8].cast<bool>();
  m.spec.shrinking = spec[9].cast<bool>();
  m.gamma_value = s["gamma_value"].cast<double>();
  m.n_iter = s["n_iter"].cast<std::int64_t>();
  m.dual_objective = s["dual_objective"].cast<double>();
  m.kkt_gap = s["kkt_gap"].cast<double>();
  m.converged = s["converged"].cast<bool>();
  m.n_train = s["n_train"].cast<std::size_t>();
  const auto prov = s["provenance"].cast<py::tuple>();
  m.data_sha256 = prov[0].cast<std::string>();
  m.thermex_version = prov[1].cast<std::string>();
  m.git_commit = prov[2].cast<std::string>();
  m.device = prov[3].cast<std::string>();
  const std::size_t nsv = m.dual_coef.size();
  if (m.feature_means.size() != m.n_features || m.feature_scales.size() != m.n_features ||
      m.support_vectors.size() != nsv * m.n_features || m.support_indices.size() != nsv) {
    throw py::value_error("SvrModel state: inconsistent sizes");
  }
  return m;
}

void bind_model(py::module_& m) {
  py::class_<SvrModel>(m, "SvrModel", "A fitted epsilon-SVR (read-only).")
      .def_readonly("n_features", &SvrModel::n_features)
      .def_readonly("feature_names", &SvrModel::feature_names)
      .def_property_readonly(
          "feature_means",
          [](const SvrModel& s) { return array_of(s.feature_means, {ssize(s.n_features)}); })
      .def_property_readonly(
          "feature_scales",
          [](const SvrModel& s) { return array_of(s.feature_scales, {ssize(s.n_features)}); })
      .def_property_readonly(
          "support_vectors",
          [](const SvrModel& s) {
            return array_of(s.support_vectors, {ssize(s.n_support()), ssize(s.n_features)});
          })
      .def_property_readonly("support_indices",
                             [](const SvrModel& s) {
                               return owned_array<std::int64_t>(s.support_indices,
                                                                {ssize(s.n_support())});
                             })
      .def_property_readonly(
          "dual_coef",
          [](const SvrModel& s) { return array_of(s.dual_coef, {ssize(s.n_support())}); })
      .def_readonly("intercept", &SvrModel::intercept)
      .def_readonly("spec", &SvrModel::spec)
      .def_readonly("gamma_value", &SvrModel::gamma_value)
      .def_readonly("n_iter", &SvrModel::n_iter)
      .def_readonly("dual_objective", &SvrModel::dual_objective)
      .def_readonly("kkt_gap", &SvrModel::kkt_gap)
      .def_readonly("converged", &SvrModel::converged)
      .def_readonly("n_train", &SvrModel::n_train)
      .def_readonly("data_sha256", &SvrModel::data_sha256)
      .def_readonly("thermex_version", &SvrModel::thermex_version)
      .def_readonly("git_commit", &SvrModel::git_commit)
      .def_readonly("device", &SvrModel::device)
      .def_property_readonly("n_support", &SvrModel::n_support)
      .def(py::pickle(&model_state, &model_from_state));
}

// The chunks of a batch: problems with the same (rows, standardize, gamma) stay in one chunk so
// they still share their kernel matrix; chunks close at a group boundary once they hold at
// least `chunk_problems` problems. Returns problem indices per chunk.
std::vector<std::vector<std::size_t>> batch_chunks(const std::vector<SvrProblem>& problems,
                                                   std::size_t chunk_problems) {
  using Key = std::tuple<std::vector<std::size_t>, bool, bool, double>;
  std::map<Key, std::size_t> group_of;
  std::vector<std::vector<std::size_t>> groups;
  for (std::size_t p = 0; p < problems.size(); ++p) {
    const SvrSpec& s = problems[p].spec;
    const Key key{problems[p].rows, s.standardize, s.gamma.scale, s.gamma.value};
    const auto [it, fresh] = group_of.emplace(key, groups.size());
    if (fresh) groups.emplace_back();
    groups[it->second].push_back(p);
  }
  std::vector<std::vector<std::size_t>> chunks(1);
  for (const auto& g : groups) {
    if (chunks.back().size() >= chunk_problems) chunks.emplace_back();
    chunks.back().insert(chunks.back().end(), g.begin(), g.end());
  }
  return chunks;
}

std::vector<SvrModel> fit_batch(const DoubleView& x, const DoubleView& y,
                                std::vector<SvrProblem> problems, const Context& ctx,
                                std::size_t chunk_problems) {
  std::vector<SvrModel> out(problems.size());
  static const std::regex kProblem("svr_fit_batch: problem ([0-9]+)");
  for (const auto& chunk : batch_chunks(problems, std::max<std::size_t>(chunk_problems, 1))) {
    std::vector<SvrProblem> part;
    for (std::size_t p : chunk) part.push_back(std::move(problems[p]));
    try {
      std::vector<SvrModel> fitted;
      {
        py::gil_scoped_release release;
        fitted = svr_fit_batch(ctx, x.data, x.rows, x.cols, y.data, part);
      }
      for (std::size_t k = 0; k < chunk.size(); ++k) out[chunk[k]] = std::move(fitted[k]);
    } catch (const Error& e) {
      // Renumber the chunk-local problem index to the caller's.
      std::string text = e.what();
      std::smatch match;
      if (std::regex_search(text, match, kProblem)) {
        const std::size_t local = std::stoul(match[1].str());
        const std::size_t global = local < chunk.size() ? chunk[local] : local;
        text = match.prefix().str() + "fit_many: problem " + std::to_string(global) +
               match.suffix().str();
      }
      raise_as(e, text);
    }
    check_signals();  // Ctrl-C lands between chunks
  }
  return out;
}

}  // namespace

void bind_svr(py::module_& m) {
  bind_spec(m);
  bind_model(m);
  m.def(
      "svr_fit",
      [](const py::object& x, const py::object& y, const SvrSpec& spec,
         std::vector<std::string> names, const std::string& device, int threads) {
        const DoubleView xv = double_view(x, 2, "X");
        const DoubleView yv = double_view(y, 1, "y");
        const Context ctx = make_context(device, threads, 0);
        py::gil_scoped_release release;
        return svr_fit(ctx, xv.data, xv.rows, xv.cols, yv.data, spec, std::move(names));
      },
      py::arg("x"), py::arg("y"), py::arg("spec"), py::arg("feature_names"),
      py::arg("device") = "auto", py::arg("threads") = 0,
      "svr_fit on C-contiguous float64 x (n, d) and y (n,); the GIL is released.");
  m.def(
      "svr_fit_batch",
      [](const py::object& x, const py::object& y, const py::list& problems,
         const std::vector<std::string>& names, const std::string& device, int threads,
         std::size_t chunk_problems) {
        const DoubleView xv = double_view(x, 2, "X");
        const DoubleView yv = double_view(y, 1, "y");
        std::vector<SvrProblem> ps;
        for (std::size_t p = 0; p < problems.size(); ++p) {
          const auto item = problems[p].cast<py::tuple>();
          ps.push_back(SvrProblem{index_vector(item[0], "rows"), item[1].cast<SvrSpec>()});
        }
        const Context ctx = make_context(device, threads, 0);
        std::vector<SvrModel> models = fit_batch(xv, yv, std::move(ps), ctx, chunk_problems);
        // svr_fit_batch takes no names; they only label the model (files, SHAP players).
        if (!names.empty()) {
          if (names.size() != xv.cols) throw py::value_error("feature_names: one per column");
          for (SvrModel& model : models) model.feature_names = names;
        }
        return models;
      },
      py::arg("x"), py::arg("y"), py::arg("problems"),
      py::arg("feature_names") = std::vector<std::string>{}, py::arg("device") = "auto",
      py::arg("threads") = 0, py::arg("chunk_problems") = 64,
      "svr_fit_batch over [(rows int64 array, SvrSpec), ...] in chunks (Ctrl-C between them).");
  m.def(
      "svr_predict",
      [](const SvrModel& model, const py::object& x, const std::string& device, int threads) {
        const DoubleView xv = double_view(x, 2, "X");
        const Context ctx = make_context(device, threads, 0);
        std::vector<double> pred;
        {
          py::gil_scoped_release release;
          pred = svr_predict(ctx, model, xv.data, xv.rows);
        }
        return owned_array<double>(std::move(pred), {ssize(xv.rows)});
      },
      py::arg("model"), py::arg("x"), py::arg("device") = "auto", py::arg("threads") = 0,
      "svr_predict on C-contiguous float64 x (n, d); returns (n,) float64.");
  m.def(
      "save_svr_model",
      [](const SvrModel& model, const std::string& path) {
        py::gil_scoped_release release;
        save_svr_model(model, path);
      },
      py::arg("model"), py::arg("path"), "Writes the model file (the CLI's HDF5 format).");
  m.def(
      "load_svr_model",
      [](const std::string& path) {
        py::gil_scoped_release release;
        return load_svr_model(path);
      },
      py::arg("path"), "Reads a model file written by the CLI or save_svr_model.");
}

}  // namespace thermex::python
