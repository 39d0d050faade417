// Buffer views, owned result arrays, the per-call Context and signal checks of the bindings.
#include "py_common.hpp"

#include <string>

namespace thermex::python {
namespace {

// True when `info` is C-contiguous: each stride is the product of the later dimensions.
bool c_contiguous(const py::buffer_info& info) {
  py::ssize_t expected = info.itemsize;
  for (py::ssize_t k = info.ndim - 1; k >= 0; --k) {
    const auto ku = static_cast<std::size_t>(k);
    if (info.shape[ku] > 1 && info.strides[ku] != expected) return false;
    expected *= info.shape[ku];
  }
  return true;
}

template <typename T>
py::buffer_info export_buffer(OwnedArray<T>& a) {
  std::vector<py::ssize_t> strides(a.shape.size());
  py::ssize_t stride = static_cast<py::ssize_t>(sizeof(T));
  for (std::size_t k = a.shape.size(); k-- > 0;) {
    strides[k] = stride;
    stride *= a.shape[k];
  }
  return py::buffer_info(a.data.data(), static_cast<py::ssize_t>(sizeof(T)),
                         py::format_descriptor<T>::format(),
                         static_cast<py::ssize_t>(a.shape.size()), a.shape, strides);
}

}  // namespace

DoubleView double_view(const py::handle& object, int ndim, const char* what) {
  DoubleView view;
  view.info = py::reinterpret_borrow<py::buffer>(object).request();
  const py::buffer_info& info = view.info;
  if (info.ndim != ndim) {
    throw py::value_error(std::string(what) + ": expected a " + std::to_string(ndim) +
                          "-D array, got " + std::to_string(info.ndim) + "-D");
  }
  if (info.itemsize != static_cast<py::ssize_t>(sizeof(double)) ||
      (info.format != "d" && info.format != "<d" && info.format != "=d")) {
    throw py::value_error(std::string(what) + ": expected float64 data, got format '" +
                          info.format + "'");
  }
  if (!c_contiguous(info)) throw py::value_error(std::string(what) + ": not C-contiguous");
  view.rows = static_cast<std::size_t>(info.shape[0]);
  view.cols = ndim == 2 ? static_cast<std::size_t>(info.shape[1]) : 1;
  view.data = std::span<const double>(static_cast<const double*>(info.ptr), view.rows * view.cols);
  return view;
}

std::vector<std::size_t> index_vector(const py::handle& object, const char* what) {
  const py::buffer_info info = py::reinterpret_borrow<py::buffer>(object).request();
  if (info.ndim != 1 || info.itemsize != 8 || !c_contiguous(info) ||
      (info.format != "q" && info.format != "l" && info.format != "<q" && info.format != "<l")) {
    throw py::value_error(std::string(what) + ": expected a contiguous 1-D int64 array");
  }
  const auto* p = static_cast<const std::int64_t*>(info.ptr);
  std::vector<std::size_t> out(static_cast<std::size_t>(info.shape[0]));
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (p[i] < 0) {
      throw py::value_error(std::string(what) + ": negative index at position " +
                            std::to_string(i));
    }
    out[i] = static_cast<std::size_t>(p[i]);
  }
  return out;
}

void bind_arrays(py::module_& m) {
  py::class_<OwnedArray<double>>(m, "_F64Array", py::buffer_protocol(),
                                 "float64 result owned by the engine (wrap with numpy.asarray)")
      .def_buffer(&export_buffer<double>);
  py::class_<OwnedArray<std::int64_t>>(m, "_I64Array", py::buffer_protocol(),
                                       "int64 result owned by the engine (numpy.asarray)")
      .def_buffer(&export_buffer<std::int64_t>);
}

Context make_context(const std::string& device, int threads, std::uint64_t seed) {
  ContextOptions options;
  options.device = parse_device_request(device, "device");
  options.threads = threads;
  options.seed = seed;
  options.quiet = true;
  return Context::create(options);
}

void check_signals() {
  if (PyErr_CheckSignals() != 0) throw py::error_already_set();
}

}  // namespace thermex::python
