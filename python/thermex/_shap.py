"""SHAP values of thermex SVR models: numpy arrays, a full result object, and shap.Explanation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Mapping, Optional, Sequence, Union

import numpy as np

from . import _thermex
from ._svr import SVR
from ._validation import as_int, as_matrix, as_vector, feature_names_of

__all__ = ["ShapResult", "shap_result", "shap_values", "explain"]

_METHODS = ("exact", "permutation", "kernel", "bruteforce")


@dataclass
class ShapResult:
    """SHAP values of n explained rows over M players, in fitted-target units (log10 units for
    a ``log_target`` model: SHAP explains f, not 10**f).

    ``values[r].sum() == fx[r] - base_value`` (to 1e-8 relative for the exact methods; the
    Monte Carlo methods are unbiased with ``std_errors``).
    """

    values: np.ndarray  #: (n, M)
    std_errors: np.ndarray  #: (n, M); zeros for exact methods
    base_value: float  #: mean model output over the background rows
    fx: np.ndarray  #: (n,) model outputs f(x)
    feature_names: List[str]  #: M player names
    player_columns: List[List[int]]  #: columns of each player
    method: str  #: 'exact', 'permutation', 'kernel' or 'bruteforce'
    samples_used: np.ndarray  #: (n,) antithetic pairs per row (0 for exact methods)
    max_efficiency_violation: float  #: max_r |sum_i values[r, i] - (fx[r] - base_value)|
    log10_target: bool  #: the values are in log10 units


def _engine_model(model: Any) -> Any:
    if isinstance(model, SVR):
        model._check_fitted()
        return model.model_
    if isinstance(model, _thermex.SvrModel):
        return model
    raise TypeError(f"model must be a fitted thermex.SVR or SvrModel, got {type(model).__name__}")


def _players(players: Optional[Mapping[str, Sequence[Union[int, str]]]], names: List[str]):
    """(columns, names) of the players; a mapping name -> columns (indices or feature names)."""
    if players is None:
        return [], []
    columns, out_names = [], []
    for name, cols in players.items():
        idx = []
        for c in cols:
            if isinstance(c, str):
                if c not in names:
                    raise ValueError(f"players[{name!r}]: unknown feature {c!r}")
                idx.append(names.index(c))
            else:
                idx.append(as_int(c, f"players[{name!r}] column"))
        columns.append(idx)
        out_names.append(str(name))
    return columns, out_names


def shap_result(
    model: Any,
    X: Any,
    background: Any = None,
    method: str = "exact",
    samples: int = 64,
    seed: Optional[int] = None,
    target_se: float = 0.0,
    players: Optional[Mapping[str, Sequence[Union[int, str]]]] = None,
    background_weights: Any = None,
    device: str = "cpu",
    threads: int = 0,
) -> ShapResult:
    """Interventional SHAP values of a fitted SVR for the rows of X against a background.

    model: a fitted ``thermex.SVR`` (or its ``model_``). X: (n, d) raw feature units (array or
    DataFrame). background: (nb, d); None uses X itself (as the CLI without --background).
    method: 'exact' (Owen's formula, polynomial time), 'bruteforce' (all 2**M coalitions,
    M <= 16), 'permutation' or 'kernel' (Monte Carlo with ``samples`` antithetic pairs per row,
    seeded by ``seed``, optional early stop at ``target_se``). players: optional mapping
    name -> columns (indices or feature names) whose columns enter coalitions together; the
    columns of all players must partition the features. Default: one player per column.

    Cost: exact O(n nb n_SV M^2); runs on the CPU with the GIL released. Ctrl-C is honoured
    between chunks of 256 rows for the exact methods; a Monte Carlo call is one engine call
    (its streams are keyed by row position, so the values equal the CLI's for the same seed).
    """
    m = _engine_model(model)
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    fitted_names = [str(n) for n in m.feature_names]
    if not all(fitted_names):  # fitted on plain arrays: the engine stores empty names
        fitted_names = []
    x_names = feature_names_of(X)
    names_for_msgs = list(x_names) if x_names is not None else (fitted_names or None)
    x = as_matrix(X, "X", names_for_msgs)
    if x.shape[1] != m.n_features:
        raise ValueError(f"X has {x.shape[1]} features, but the model expects {m.n_features}")
    if background is None:
        bg = x
    else:
        bg = as_matrix(background, "background", names_for_msgs)
        if bg.shape[1] != m.n_features:
            raise ValueError(
                f"background has {bg.shape[1]} features, but the model expects {m.n_features}"
            )
    if seed is not None:
        seed = as_int(seed, "seed")
    weights = [] if background_weights is None else list(
        as_vector(background_weights, bg.shape[0], "background_weights"))
    label_names = fitted_names or (
        [str(n) for n in x_names] if x_names is not None else [f"x{j}" for j in range(x.shape[1])]
    )
    columns, player_names = _players(players, label_names)
    if not columns:
        columns = [[j] for j in range(x.shape[1])]
        player_names = label_names
    if sorted(c for cols in columns for c in cols) != list(range(x.shape[1])):
        raise ValueError(f"players must partition the {x.shape[1]} columns (each exactly once)")
    r = _thermex.svr_shap(
        m, x, bg, method, as_int(samples, "samples", 2), seed, float(target_se), columns,
        player_names, weights, device, as_int(threads, "threads"),
    )
    return ShapResult(
        values=np.asarray(r["values"]),
        std_errors=np.asarray(r["std_errors"]),
        base_value=float(r["base_value"]),
        fx=np.asarray(r["fx"]),
        feature_names=list(r["player_names"]),
        player_columns=[list(c) for c in r["player_columns"]],
        method=str(r["method"]),
        samples_used=np.asarray(r["samples_used"]),
        max_efficiency_violation=float(r["max_efficiency_violation"]),
        log10_target=bool(r["log10_target"]),
    )


def shap_values(model: Any, X: Any, background: Any = None, method: str = "exact",
                **kwargs: Any) -> np.ndarray:
    """SHAP values as a numpy array (n, M); see ``shap_result`` for the arguments."""
    return shap_result(model, X, background, method, **kwargs).values


def explain(model: Any, X: Any, background: Any = None, method: str = "exact",
            **kwargs: Any) -> Any:
    """A ``shap.Explanation`` (needs the ``shap`` package), so ``shap.plots.beeswarm(...)``
    and friends work unchanged. ``data`` holds X's feature values when every player is one
    column (the usual case), else None."""
    try:
        import shap
    except ImportError as e:
        raise ImportError("thermex.explain needs the 'shap' package (pip install shap)") from e
    r = shap_result(model, X, background, method, **kwargs)
    x = as_matrix(X, "X")
    single = all(len(c) == 1 for c in r.player_columns)
    data = x[:, [c[0] for c in r.player_columns]] if single else None
    return shap.Explanation(
        values=r.values,
        base_values=np.full(r.values.shape[0], r.base_value),
        data=data,
        feature_names=r.feature_names,
    )
