#pragma once
/// \file
/// Shared pieces of the thermex._thermex bindings: zero-copy input views over the Python buffer
/// protocol, owned result arrays that export the buffer protocol (numpy wraps them without a
/// copy), the Context factory and signal checks.
///
/// The bindings use the buffer protocol instead of pybind11's numpy API on purpose: the module
/// then depends on no numpy ABI, and one build works with numpy 1.x (Debian) and 2.x (a venv).
/// The Python layer (thermex/_validation.py) converts inputs to C-contiguous float64 first.

#include <pybind11/pybind11.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "thermex/context.hpp"
#include "thermex/error.hpp"

namespace thermex::python {

namespace py = pybind11;

/// A read-only view of a C-contiguous float64 buffer with its shape. Holds the Py_buffer (the
/// exporter cannot be freed or resized while the view lives). Destroy with the GIL held.
struct DoubleView {
  py::buffer_info info;          ///< the acquired buffer
  std::span<const double> data;  ///< all elements, row-major
  std::size_t rows = 0;          ///< first dimension (1-D: the length)
  std::size_t cols = 1;          ///< second dimension (1 for a 1-D buffer)
};

/// Acquires `object`'s buffer as C-contiguous float64 with `ndim` (1 or 2) dimensions. Throws
/// py::value_error naming `what` for another format, dimension count or a non-contiguous layout.
/// No copy. Requires the GIL.
DoubleView double_view(const py::handle& object, int ndim, const char* what);

/// The same for int64 indices (1-D).
std::vector<std::size_t> index_vector(const py::handle& object, const char* what);

/// An owned n-dimensional array that exports the buffer protocol, so numpy.asarray() wraps it
/// without copying and keeps it alive.
template <typename T>
struct OwnedArray {
  std::vector<T> data;             ///< row-major elements
  std::vector<py::ssize_t> shape;  ///< dimensions (product = data.size())
};

/// Wraps `data` with `shape` as an OwnedArray<T> Python object.
template <typename T>
py::object owned_array(std::vector<T> data, std::vector<py::ssize_t> shape) {
  return py::cast(OwnedArray<T>{std::move(data), std::move(shape)});
}

/// Registers OwnedArray<double> and OwnedArray<int64_t> (Python names _F64Array, _I64Array).
void bind_arrays(py::module_& m);

/// A Context for one call: `device` is "cpu", "cuda" or "auto", `threads` 0 = all, quiet logs
/// (warnings only). Throws ConfigError / Error as Context::create.
Context make_context(const std::string& device, int threads, std::uint64_t seed);

/// Raises the pending Python exception (KeyboardInterrupt on Ctrl-C) if a signal handler set
/// one; called between independent pieces of long work. Requires the GIL.
void check_signals();

/// The Python exception type for `error`: thermex.InputError, thermex.ConfigError (both also
/// ValueError) or thermex.ThermexError (a RuntimeError). Valid after the module's import.
PyObject* error_type(const Error& error);

/// Raises `error`'s Python exception type with `message` instead of error.what() (used to
/// renumber a batch's problems). Requires the GIL; always throws py::error_already_set.
[[noreturn]] void raise_as(const Error& error, const std::string& message);

/// Registers the SVR bindings (spec, model, fit, batch fit, predict, model files).
void bind_svr(py::module_& m);
/// Registers svr_shap.
void bind_shap(py::module_& m);
/// Registers select_features.
void bind_select(py::module_& m);

}  // namespace thermex::python
