// thermex._thermex: the pybind11 module behind the `thermex` Python package. The Python layer
// (python/thermex/*.py) validates and converts inputs and builds the user-facing objects; this
// module only exposes the C++ library.
//
// Exceptions: thermex::InputError and thermex::ConfigError become thermex.InputError /
// thermex.ConfigError, which derive from both thermex.ThermexError and ValueError (bad data or a
// bad option: `except ValueError` catches them, as scikit-learn users expect); any other
// thermex::Error becomes thermex.ThermexError, a RuntimeError.
#include <pybind11/stl.h>

#include <string>

#include "py_common.hpp"
#include "thermex/error.hpp"
#include "thermex/version.hpp"

namespace thermex::python {
namespace {

// A new exception type `thermex.<name>` with the given bases (a tuple of classes).
py::object new_exception(py::module_& m, const char* name, const py::tuple& bases,
                         const char* doc) {
  const std::string qualified = std::string("thermex.") + name;
  PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(), nullptr);
  if (type == nullptr) throw py::error_already_set();
  py::object object = py::reinterpret_steal<py::object>(type);
  m.attr(name) = object;
  return object;
}

// The three exception types, created once at import. Leaked on purpose: the translator may run
// during interpreter shutdown, after the module dict is cleared.
py::object* g_base = nullptr;
py::object* g_input = nullptr;
py::object* g_config = nullptr;

py::handle base_error_type() { return *g_base; }
py::handle input_error_type() { return *g_input; }
py::handle config_error_type() { return *g_config; }

void register_exceptions(py::module_& m) {
  g_base = new py::object(new_exception(m, "ThermexError",
                                        py::make_tuple(py::handle(PyExc_RuntimeError)),
                                        "Base class of the errors the thermex engine raises."));
  g_input = new py::object(new_exception(m, "InputError",
                                         py::make_tuple(*g_base, py::handle(PyExc_ValueError)),
                                         "Bad input data (names the file or row and the column)."));
  g_config = new py::object(new_exception(m, "ConfigError",
                                          py::make_tuple(*g_base, py::handle(PyExc_ValueError)),
                                          "A bad option value (names the option)."));
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      PyErr_SetString(error_type(e), e.what());
    }
  });
}

}  // namespace

void raise_as(const Error& error, const std::string& message) {
  PyObject* type = error_type(error);
  PyErr_SetString(type, message.c_str());
  throw py::error_already_set();
}

PyObject* error_type(const Error& error) {
  if (dynamic_cast<const InputError*>(&error) != nullptr) return input_error_type().ptr();
  if (dynamic_cast<const ConfigError*>(&error) != nullptr) return config_error_type().ptr();
  return base_error_type().ptr();
}

// Registers the composition sweep and composition_features (bind_sweep.cpp).
void bind_sweep(py::module_& m);

}  // namespace thermex::python

PYBIND11_MODULE(_thermex, m) {
  using namespace thermex;
  using namespace thermex::python;
  m.doc() = "C++ engine of the thermex package (pybind11); use the `thermex` package instead.";
  register_exceptions(m);
  bind_arrays(m);
  m.attr("__version__") = kVersion;
  m.attr("git_commit") = kGitCommit;
  m.def("cuda_device_count", &cuda_device_count,
        "Number of usable CUDA devices (0 in a build without CUDA or without a driver).");
  bind_svr(m);
  bind_shap(m);
  bind_select(m);
  bind_sweep(m);
}
