"""Estimator base classes: scikit-learn's when it is installed, a minimal stand-in otherwise.

With scikit-learn, thermex estimators are real `BaseEstimator` + `RegressorMixin` subclasses
(clone, GridSearchCV, cross_val_score, pipelines, HTML repr). Without it they keep the same
`get_params` / `set_params` / `score` (R^2) behaviour so notebooks that do not use scikit-learn
still work.
"""

from __future__ import annotations

import inspect
from typing import Any, Dict

import numpy as np

__all__ = ["EstimatorBases", "HAVE_SKLEARN", "not_fitted_error", "r2_score"]


def r2_score(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Coefficient of determination 1 - SS_res / SS_tot (1.0 for a perfect fit of constant y)."""
    y_true = np.asarray(y_true, dtype=np.float64).ravel()
    y_pred = np.asarray(y_pred, dtype=np.float64).ravel()
    ss_res = float(np.sum((y_true - y_pred) ** 2))
    ss_tot = float(np.sum((y_true - y_true.mean()) ** 2))
    if ss_tot == 0.0:
        return 1.0 if ss_res == 0.0 else 0.0
    return 1.0 - ss_res / ss_tot


class _MinimalEstimator:
    """get_params / set_params / score for use without scikit-learn."""

    @classmethod
    def _get_param_names(cls) -> list:
        sig = inspect.signature(cls.__init__)
        return sorted(p.name for p in sig.parameters.values() if p.name != "self")

    def get_params(self, deep: bool = True) -> Dict[str, Any]:
        """The constructor arguments as a dict."""
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params: Any) -> "_MinimalEstimator":
        """Sets constructor arguments; ValueError for an unknown name. Returns self."""
        valid = set(self._get_param_names())
        for key, value in params.items():
            if key not in valid:
                raise ValueError(f"Invalid parameter {key!r} for estimator {self!r}")
            setattr(self, key, value)
        return self

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """R^2 of predict(X) against y (sample weights are not supported without scikit-learn)."""
        if sample_weight is not None:
            raise ValueError("sample_weight needs scikit-learn")
        return r2_score(y, self.predict(X))  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"


try:
    from sklearn.base import BaseEstimator, RegressorMixin
    from sklearn.exceptions import NotFittedError as _NotFittedError

    HAVE_SKLEARN = True
    EstimatorBases: tuple = (RegressorMixin, BaseEstimator)
except ImportError:  # scikit-learn is optional
    HAVE_SKLEARN = False
    EstimatorBases = (_MinimalEstimator,)

    class _NotFittedError(ValueError, AttributeError):  # type: ignore[no-redef]
        """Raised when predict is called before fit (scikit-learn's NotFittedError)."""


def not_fitted_error(estimator: Any) -> Exception:
    """scikit-learn's NotFittedError (or a stand-in) with its usual message."""
    return _NotFittedError(
        f"This {type(estimator).__name__} instance is not fitted yet. Call 'fit' with "
        "appropriate arguments before using this estimator."
    )
