"""Input checks and conversions shared by the estimators and functions of thermex.

Arrays reach the engine as C-contiguous float64 (the engine computes in double and reads rows).
Such input is passed through without a copy; float32, integer or Fortran-ordered input, and
DataFrames, are converted once. Messages follow scikit-learn's wording where its conformance
checks look for it, and name the row and column of a bad value.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any, Optional, Sequence

import numpy as np

__all__ = ["as_matrix", "as_vector", "as_int", "feature_names_of", "check_finite", "column_label"]


def _is_sparse(x: Any) -> bool:
    # scipy.sparse matrices and arrays, without importing scipy.
    return hasattr(x, "tocsr") and hasattr(x, "nnz")


def feature_names_of(x: Any) -> Optional[np.ndarray]:
    """Column names of a DataFrame-like `x` as an object array, or None.

    As scikit-learn: names are used only when every column name is a str.
    """
    columns = getattr(x, "columns", None)
    if columns is None or not hasattr(x, "iloc"):
        return None
    names = list(columns)
    if not names or not all(isinstance(n, str) for n in names):
        return None
    return np.asarray(names, dtype=object)


def column_label(j: int, names: Optional[Sequence[str]]) -> str:
    """'name' (index j) when names are known, else 'x<j>'."""
    if names is not None and j < len(names):
        return f"'{names[j]}' (index {j})"
    return f"x{j} (index {j})"


def check_finite(a: np.ndarray, what: str, names: Optional[Sequence[str]] = None) -> None:
    """Raises ValueError naming the first row and column of a NaN or infinite value.

    Cost: one pass over `a`; the position search runs only when a bad value exists.
    """
    if np.isfinite(a).all():
        return
    bad = np.argwhere(~np.isfinite(a))[0]
    value = a[tuple(bad)]
    kind = "NaN" if np.isnan(value) else "inf"
    if a.ndim == 1:
        raise ValueError(f"{what} contains {kind} at row {int(bad[0])}")
    raise ValueError(
        f"{what} contains {kind} at row {int(bad[0])}, column {column_label(int(bad[1]), names)}"
    )


def _to_float_array(x: Any, what: str) -> np.ndarray:
    if _is_sparse(x):
        raise TypeError(f"{what}: sparse input is not supported; pass a dense array (x.toarray())")
    if hasattr(x, "iloc") and hasattr(x, "to_numpy"):
        a = x.to_numpy()
    else:
        a = np.asarray(x)
    if np.iscomplexobj(a):
        raise ValueError(f"{what}: Complex data not supported")
    if a.dtype.kind in "OUS":
        # Object arrays holding numbers convert; anything else raises numpy's own error.
        a = a.astype(np.float64)
    if a.dtype.kind not in "fiub":
        raise ValueError(f"{what}: dtype {a.dtype} is not numeric")
    if a.dtype.kind == "f" and a.dtype.itemsize == 8:
        return a
    return a.astype(np.float64)


def as_matrix(x: Any, what: str = "X", names: Optional[Sequence[str]] = None) -> np.ndarray:
    """`x` as a 2-D C-contiguous float64 array with at least one row and one column.

    Raises ValueError for other shapes, complex or non-numeric data and NaN or infinite values
    (naming row and column); TypeError for sparse input. No copy when `x` already
    is a C-contiguous float64 ndarray.
    """
    if x is None:
        raise ValueError(f"{what} is None")
    a = _to_float_array(x, what)
    if a.ndim != 2:
        raise ValueError(
            f"Expected 2D array, got {a.ndim}D array instead: {what} with shape {a.shape}. "
            "Reshape your data either using array.reshape(-1, 1) if your data has a single "
            "feature or array.reshape(1, -1) if it contains a single sample."
        )
    if a.shape[0] < 1:
        raise ValueError(
            f"Found array with 0 sample(s) (shape={a.shape}) while a minimum of 1 is required."
        )
    if a.shape[1] < 1:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={a.shape}) while a minimum of 1 is required."
        )
    a = np.ascontiguousarray(a)
    check_finite(a, what, names)
    return a


def as_vector(y: Any, n: int, what: str = "y") -> np.ndarray:
    """`y` as a 1-D C-contiguous float64 array of length `n` with finite values.

    A column vector (n, 1) is accepted with a warning (scikit-learn's DataConversionWarning when
    scikit-learn is installed). Raises ValueError for None, other shapes, a length other than
    `n`, or NaN/inf (naming the row).
    """
    if y is None:
        raise ValueError(
            "This estimator requires y to be passed, but the target y is None."
        )
    a = _to_float_array(y, what)
    if a.ndim == 2 and a.shape[1] == 1:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected. Please change the shape "
            "of y to (n_samples, ), for example using ravel().",
            _conversion_warning(),
            stacklevel=3,
        )
        a = a[:, 0]
    if a.ndim != 1:
        raise ValueError(f"{what} should be a 1d array, got an array of shape {a.shape} instead.")
    if a.shape[0] != n:
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: [{n}, {a.shape[0]}] "
            f"(X has {n} rows, {what} has {a.shape[0]})"
        )
    a = np.ascontiguousarray(a)
    check_finite(a, what)
    return a


def _conversion_warning() -> type:
    try:
        from sklearn.exceptions import DataConversionWarning

        return DataConversionWarning
    except ImportError:  # scikit-learn is optional
        return UserWarning


def as_int(value: Any, what: str, minimum: int = 0) -> int:
    """`value` as an int >= minimum; ValueError naming `what` otherwise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{what} must be an integer >= {minimum}, got {value!r}")
    return int(value)
