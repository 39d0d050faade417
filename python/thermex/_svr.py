"""thermex.SVR: the engine's epsilon-SVR (RBF kernel, libsvm's SMO) as a scikit-learn regressor,
plus model files (the CLI's HDF5 format)."""

from __future__ import annotations

import numbers
import os
import warnings
from typing import Any, List, Optional, Union

import numpy as np

from . import _thermex
from ._base import EstimatorBases, not_fitted_error
from ._validation import as_matrix, as_vector, feature_names_of

__all__ = ["SVR", "load"]

_DEVICES = ("auto", "cpu", "cuda")


def _fit_device(device: str) -> str:
    """The validated device of a fit ('auto' resolves to CUDA only when a device is present)."""
    if device not in _DEVICES:
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda', got {device!r}")
    return device


def _make_spec(
    C: Any, epsilon: Any, gamma: Any, tol: Any, standardize: Any, log_target: Any
) -> "_thermex.SvrSpec":
    """Validated engine spec; ValueError naming the parameter."""

    def positive(name: str, value: Any, allow_zero: bool = False) -> float:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"{name} must be a real number, got {value!r}")
        v = float(value)
        if not np.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
            bound = ">= 0" if allow_zero else "> 0"
            raise ValueError(f"{name} must be finite and {bound}, got {value!r}")
        return v

    spec = _thermex.SvrSpec()
    spec.c = positive("C", C)
    spec.epsilon = positive("epsilon", epsilon, allow_zero=True)
    spec.tol = positive("tol", tol)
    if isinstance(gamma, str):
        if gamma != "scale":
            raise ValueError(f"gamma must be 'scale' or a positive float, got {gamma!r}")
        spec.gamma = "scale"
    else:
        spec.gamma = positive("gamma", gamma)
    spec.standardize = bool(standardize)
    spec.log10_target = bool(log_target)
    return spec


def _check_log_target(y: np.ndarray, log_target: bool) -> None:
    if log_target and (y <= 0).any():
        row = int(np.argmax(y <= 0))
        raise ValueError(f"log_target=True needs y > 0; y[{row}] = {y[row]!r}")


class SVR(*EstimatorBases):  # type: ignore[misc]
    """Epsilon-support vector regression with the RBF kernel, fitted by the thermex engine.

    The solution is libsvm's (scikit-learn's ``sklearn.svm.SVR``) to the stopping tolerance:
    exact SMO with second-order working-set selection, in double precision.

    Parameters
    ----------
    C : float, default 1.0
        Box constraint, > 0.
    epsilon : float, default 0.1
        Half-width of the insensitive tube, >= 0, in fitted-target units (log10 units when
        ``log_target``).
    gamma : 'scale' or float, default 'scale'
        RBF width. 'scale' is scikit-learn's rule 1 / (d var(X)) computed on the
        (standardized, when ``standardize``) training features.
    tol : float, default 1e-3
        SMO stopping tolerance (libsvm's eps).
    standardize : bool, default True
        z-score every feature with the training mean and population std before the kernel.
        ``False`` gives scikit-learn's ``SVR`` on the raw features.
    log_target : bool, default False
        Fit log10(y) (y must be > 0); predictions are 10**f(x).
    device : {'auto', 'cpu', 'cuda'}, default 'auto'
        Backend of fit and predict: 'auto' uses a GPU when one is present (as the CLI's
        --device auto). CUDA models agree with CPU ones to the solver tolerance, not bit for
        bit; 'cpu' gives the CPU's bytes everywhere.

    Attributes
    ----------
    model_ : thermex._thermex.SvrModel
        The engine's model (what ``save`` writes).
    support_ : ndarray of shape (n_SV,)
        Indices of the support vectors in the training rows.
    support_vectors_ : ndarray of shape (n_SV, n_features)
        The training rows ``X[support_]`` in raw feature units, as scikit-learn. The engine
        keeps them standardized; those are ``support_vectors_standardized_``. For a model read
        by ``thermex.load`` they are recovered from the standardized ones (to rounding).
    support_vectors_standardized_ : ndarray of shape (n_SV, n_features)
        (x - mean) / scale of each support vector, the kernel's inputs.
    dual_coef_ : ndarray of shape (1, n_SV)
        alpha - alpha* of each support vector, as scikit-learn.
    intercept_ : ndarray of shape (1,)
        The constant of the decision function (-rho), fitted-target units.
    gamma_ : float
        The gamma used (the resolved 'scale').
    n_iter_ : int
        SMO iterations.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when fitted on a DataFrame whose column names are all strings.
    """

    def __init__(
        self,
        C: float = 1.0,
        epsilon: float = 0.1,
        gamma: Union[str, float] = "scale",
        tol: float = 1e-3,
        standardize: bool = True,
        log_target: bool = False,
        device: str = "auto",
    ) -> None:
        self.C = C
        self.epsilon = epsilon
        self.gamma = gamma
        self.tol = tol
        self.standardize = standardize
        self.log_target = log_target
        self.device = device

    # ---- fitting -------------------------------------------------------------------------
    def fit(self, X: Any, y: Any) -> "SVR":
        """Fits on X (n_samples, n_features) and y (n_samples,). Returns self.

        Raises ValueError for NaN/inf (naming row and column), shape mismatches, bad
        parameters, or y <= 0 with ``log_target``. The GIL is released while the engine fits;
        Ctrl-C is seen only when the fit returns (one fit is one engine call).
        """
        spec = self._spec()
        device = _fit_device(self.device)
        names = feature_names_of(X)
        x = as_matrix(X, "X", names)
        yv = as_vector(y, x.shape[0])
        _check_log_target(yv, spec.log10_target)
        model = _thermex.svr_fit(x, yv, spec, [] if names is None else list(names), device)
        self._set_fitted(model, names, x)
        return self

    def _spec(self) -> "_thermex.SvrSpec":
        return _make_spec(
            self.C, self.epsilon, self.gamma, self.tol, self.standardize, self.log_target
        )

    def _set_fitted(
        self, model: Any, names: Optional[np.ndarray], train_rows: Optional[np.ndarray]
    ) -> None:
        """Sets the fitted attributes from an engine model; `train_rows` are the rows the
        support indices point into (None: recover raw support vectors from the scaler)."""
        self.model_ = model
        self.n_features_in_ = int(model.n_features)
        if names is not None:
            self.feature_names_in_ = np.asarray(names, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self.support_ = np.asarray(model.support_indices).copy()
        sv_std = np.asarray(model.support_vectors)
        self.support_vectors_standardized_ = sv_std
        if train_rows is not None:
            self.support_vectors_ = train_rows[self.support_]
        else:
            means = np.asarray(model.feature_means)
            scales = np.asarray(model.feature_scales)
            self.support_vectors_ = sv_std * scales + means
        self.dual_coef_ = np.asarray(model.dual_coef).reshape(1, -1)
        self.intercept_ = np.array([model.intercept])
        self.gamma_ = float(model.gamma_value)
        self.n_iter_ = int(model.n_iter)
        self.converged_ = bool(model.converged)

    # ---- prediction ----------------------------------------------------------------------
    def predict(self, X: Any) -> np.ndarray:
        """Predictions (n_samples,) in original target units (10**f with ``log_target``)."""
        self._check_fitted()
        self._check_names(X)
        x = as_matrix(X, "X", getattr(self, "feature_names_in_", None))
        if x.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {x.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input."
            )
        if self.device not in _DEVICES:
            raise ValueError(f"device must be 'auto', 'cpu' or 'cuda', got {self.device!r}")
        return np.asarray(_thermex.svr_predict(self.model_, x, self.device))

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise not_fitted_error(self)

    def _check_names(self, X: Any) -> None:
        """scikit-learn's feature-name consistency rules (warnings and messages)."""
        names = feature_names_of(X)
        fitted = getattr(self, "feature_names_in_", None)
        cls = type(self).__name__
        if fitted is None and names is None:
            return
        if fitted is None:
            warnings.warn(f"X has feature names, but {cls} was fitted without feature names")
            return
        if names is None:
            warnings.warn(
                f"X does not have valid feature names, but {cls} was fitted with feature names"
            )
            return
        if len(fitted) == len(names) and (fitted == names).all():
            return
        message = "The feature names should match those that were passed during fit.\n"
        unexpected = sorted(set(names) - set(fitted))
        missing = sorted(set(fitted) - set(names))

        def listing(items: List[str]) -> str:
            shown = "".join(f"- {n}\n" for n in items[:5])
            return shown + ("- ...\n" if len(items) > 5 else "")

        if unexpected:
            message += "Feature names unseen at fit time:\n" + listing(unexpected)
        if missing:
            message += "Feature names seen at fit time, yet now missing:\n" + listing(missing)
        if not unexpected and not missing:
            message += "Feature names must be in the same order as they were in fit.\n"
        raise ValueError(message)

    # ---- files ---------------------------------------------------------------------------
    def save(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes the model file (HDF5, the format of ``thermex svr fit -o``), atomically."""
        self._check_fitted()
        _thermex.save_svr_model(self.model_, os.fspath(path))

    @classmethod
    def from_model(cls, model: Any, device: str = "auto") -> "SVR":
        """A fitted SVR around an engine model (parameters taken from its spec)."""
        spec = model.spec
        est = cls(
            C=spec.c,
            epsilon=spec.epsilon,
            gamma=spec.gamma,
            tol=spec.tol,
            standardize=spec.standardize,
            log_target=spec.log10_target,
            device=device,
        )
        names = list(model.feature_names)
        named = bool(names) and all(names)
        est._set_fitted(model, np.asarray(names, dtype=object) if named else None, None)
        return est


def load(path: Union[str, "os.PathLike[str]"], device: str = "auto") -> SVR:
    """Reads a model file written by ``SVR.save`` or ``thermex svr fit`` as a fitted SVR.

    Predictions are bitwise those of the saved model. Raises thermex.InputError (a ValueError)
    for a missing, truncated or foreign file.
    """
    return SVR.from_model(_thermex.load_svr_model(os.fspath(path)), device=device)
