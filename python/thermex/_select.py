"""thermex.select: Spearman redundancy filter + null-importance screening (Sun et al. 2025)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

import numpy as np

from . import _thermex
from ._validation import as_int, as_matrix, as_vector, feature_names_of

__all__ = ["DroppedFeature", "Selection", "select"]

_KINDS = ("content", "condition", "derived", "onehot", "indicator", "other")


@dataclass
class DroppedFeature:
    """A dropped feature and the evidence (NaN where a field does not apply)."""

    name: str
    reason: str  #: 'spearman' or 'null_importance'
    partner: str  #: spearman: the kept feature it duplicated
    rho: float  #: spearman: their rho
    actual: float  #: null_importance: importance on the real target
    null_quantile: float  #: null_importance: the q-quantile of its null importances
    p_value: float  #: null_importance: empirical p-value


@dataclass
class Selection:
    """The screening result of one target."""

    target: str
    rows: int  #: rows used
    seed: int  #: seed of the null-importance fits
    candidates: List[str]  #: features screened (order of spearman_rho)
    spearman_rho: np.ndarray  #: (c, c) Spearman rho among candidates
    kept: List[str]  #: final features, candidate order
    dropped: List[DroppedFeature]  #: Spearman drops (elimination order), then null drops
    importance_features: List[str]  #: features that reached step 2
    actual: np.ndarray  #: (f,) gain importance on the real target (target units^2)
    null: np.ndarray  #: (shuffles, f) importances on permuted targets
    null_quantile: np.ndarray  #: (f,) the q-quantile of each null
    p_value: np.ndarray  #: (f,) (1 + #{null >= actual}) / (shuffles + 1)
    quantile: float  #: q
    uncompared: List[tuple] = field(default_factory=list)  #: (first, second, complete rows)

    @property
    def reasons(self) -> Dict[str, str]:
        """Dropped feature name -> reason."""
        return {d.name: d.reason for d in self.dropped}

    def importance_frame(self) -> Any:
        """A pandas DataFrame of step 2 (actual, null_quantile, p_value, kept) per feature."""
        import pandas as pd

        return pd.DataFrame(
            {
                "actual": self.actual,
                "null_quantile": self.null_quantile,
                "p_value": self.p_value,
                "kept": [f in set(self.kept) for f in self.importance_features],
            },
            index=pd.Index(self.importance_features, name="feature"),
        )


def _kinds_of(kinds: Any, names: List[str]) -> List[str]:
    if kinds is None:
        out = ["condition"] * len(names)
    elif isinstance(kinds, str):
        out = [kinds] * len(names)
    elif isinstance(kinds, Mapping):
        unknown = set(kinds) - set(names)
        if unknown:
            raise ValueError(f"kinds: unknown features {sorted(unknown)}")
        out = [str(kinds.get(n, "condition")) for n in names]
    else:
        out = [str(k) for k in kinds]
        if len(out) != len(names):
            raise ValueError(f"kinds: {len(out)} entries for {len(names)} features")
    for n, k in zip(names, out):
        if k not in _KINDS:
            raise ValueError(f"kinds[{n!r}] = {k!r}; expected one of {_KINDS}")
    return out


def select(
    X: Any,
    y: Any,
    feature_names: Optional[Sequence[str]] = None,
    *,
    kinds: Union[None, str, Sequence[str], Mapping[str, str]] = None,
    groups: Optional[Mapping[str, str]] = None,
    target: str = "target",
    spearman_threshold: float = 0.8,
    priority: Sequence[str] = (),
    compare_within_group: bool = False,
    shuffles: int = 100,
    quantile: float = 0.25,
    forest: Optional[Mapping[str, Any]] = None,
    seed: int = 0,
    threads: int = 0,
) -> Selection:
    """Screens the features of X for target y: Spearman redundancy filter, then null importance.

    X: (n, d) array or DataFrame (names from its columns unless ``feature_names`` is given);
    y: (n,) finite. ``kinds`` drives the "fundamental first" priority of the Spearman step:
    per feature one of 'content', 'condition', 'derived', 'onehot', 'indicator', 'other'
    (a single str for all, a list, or a dict by name; default 'condition' for every feature,
    since plain arrays do not say what a column is). ``groups`` maps one-hot feature names to
    their categorical. ``priority`` lists features more fundamental than all others, in order.
    ``forest``: n_trees, max_depth, min_leaf, max_bins, bagging_fraction, bootstrap,
    feature_fraction_tree, feature_fraction_split. Deterministic in ``seed``.

    Cost: the Spearman matrix plus (shuffles + 1) forests; one engine call with the GIL
    released (Ctrl-C is seen when it returns).
    """
    frame_names = feature_names_of(X)
    names = (
        [str(n) for n in feature_names]
        if feature_names is not None
        else ([str(n) for n in frame_names] if frame_names is not None else None)
    )
    x = as_matrix(X, "X", names)
    if names is None:
        names = [f"x{j}" for j in range(x.shape[1])]
    if len(names) != x.shape[1]:
        raise ValueError(f"feature_names has {len(names)} entries for {x.shape[1]} columns")
    if len(set(names)) != len(names) or target in names:
        raise ValueError("feature names must be unique and differ from the target name")
    yv = as_vector(y, x.shape[0])
    group_list = [str((groups or {}).get(n, "")) for n in names]
    columns = np.ascontiguousarray(x.T)  # the engine's Table is column-major
    r = _thermex.select_features(
        columns, yv, names, _kinds_of(kinds, names), group_list, str(target),
        float(spearman_threshold), [str(p) for p in priority], bool(compare_within_group),
        as_int(shuffles, "shuffles", 1), float(quantile), dict(forest or {}),
        as_int(seed, "seed"), as_int(threads, "threads"),
    )
    return Selection(
        target=r["target"],
        rows=int(r["rows"]),
        seed=int(r["seed"]),
        candidates=list(r["candidates"]),
        spearman_rho=np.asarray(r["spearman_rho"]),
        kept=list(r["kept"]),
        dropped=[DroppedFeature(**d) for d in r["dropped"]],
        importance_features=list(r["importance_features"]),
        actual=np.asarray(r["actual"]),
        null=np.asarray(r["null"]),
        null_quantile=np.asarray(r["null_quantile"]),
        p_value=np.asarray(r["p_value"]),
        quantile=float(r["quantile"]),
        uncompared=[tuple(u) for u in r["uncompared"]],
    )
