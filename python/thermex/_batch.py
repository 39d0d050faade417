"""thermex.fit_many: many SVR fits (grids, bootstraps) in one batched engine call."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Sequence, Union

import numpy as np

from . import _thermex
from ._svr import SVR, _check_log_target, _fit_device, _make_spec
from ._validation import as_matrix, as_vector, feature_names_of

__all__ = ["fit_many"]

_PROBLEM_KEYS = {"C", "epsilon", "gamma", "tol", "standardize", "log_target", "rows"}


def _problem(item: Union[Mapping[str, Any], SVR], n: int, index: int, base: Dict[str, Any]):
    """(rows int64 array, spec, params) of one fit_many problem."""
    if isinstance(item, SVR):
        params = {k: v for k, v in item.get_params().items() if k in _PROBLEM_KEYS}
        rows = None
    else:
        unknown = set(item) - _PROBLEM_KEYS
        if unknown:
            raise ValueError(f"problems[{index}]: unknown keys {sorted(unknown)}")
        params = {k: v for k, v in item.items() if k != "rows"}
        rows = item.get("rows")
    merged = {**base, **params}
    try:
        spec = _make_spec(
            merged["C"], merged["epsilon"], merged["gamma"], merged["tol"],
            merged["standardize"], merged["log_target"],
        )
    except ValueError as e:
        raise ValueError(f"problems[{index}]: {e}") from None
    if rows is None:
        r = np.arange(n, dtype=np.int64)
    else:
        r = np.ascontiguousarray(np.asarray(rows), dtype=np.int64)
        if r.ndim != 1 or r.size == 0:
            raise ValueError(f"problems[{index}]: rows must be a non-empty 1-D index array")
        if r.min() < 0 or r.max() >= n:
            raise ValueError(f"problems[{index}]: rows must lie in [0, {n})")
    return r, spec, merged


def fit_many(
    X: Any,
    y: Any,
    problems: Sequence[Union[Mapping[str, Any], SVR]],
    device: str = "auto",
    chunk_problems: int = 64,
    warm_start: bool = False,
) -> List[SVR]:
    """Fits many SVRs on (subsets of) one data set in one engine batch; returns fitted SVRs.

    Each problem is a dict of SVR parameters (C, epsilon, gamma, tol, standardize,
    log_target; missing ones take SVR's defaults) with an optional ``rows`` index array (the
    training rows, duplicates allowed: bootstraps; default all rows), or an unfitted SVR whose
    parameters are used on all rows. Problems with the same rows, standardization and gamma
    share one kernel matrix (a C x epsilon grid costs one kernel). Models are the same bytes as
    single fits. ``support_`` of a result indexes its problem's ``rows``.

    The engine runs the problems in chunks of about ``chunk_problems`` (whole kernel groups);
    Ctrl-C is honoured between chunks. Errors name the problem index.

    ``warm_start=True`` (CPU): problems that share a kernel and differ only in C are solved in
    increasing C, each starting from the previous solution: the same stopping tolerance, about
    half the SMO iterations on a C grid; the models then differ from cold fits within the
    tolerance (and depend on the other problems of their chunk).
    """
    names = feature_names_of(X)
    x = as_matrix(X, "X", names)
    yv = as_vector(y, x.shape[0])
    base = {k: v for k, v in SVR().get_params().items() if k in _PROBLEM_KEYS}
    batch, params = [], []
    for i, item in enumerate(problems):
        rows, spec, merged = _problem(item, x.shape[0], i, base)
        _check_log_target(yv[rows], spec.log10_target)
        spec.warm_start_c = bool(warm_start)
        batch.append((rows, spec))
        params.append((rows, merged))
    if not batch:
        return []
    models = _thermex.svr_fit_batch(
        x, yv, batch, [] if names is None else list(names), _fit_device(device), 0,
        max(int(chunk_problems), 1),
    )
    out = []
    for model, (rows, merged) in zip(models, params):
        est = SVR(**merged, device=device)
        est._set_fitted(model, names, x[rows])
        out.append(est)
    return out
