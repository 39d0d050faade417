"""thermex.sweep: composition grids (simplex sweeps of TM-site fractions) predicted by fitted SVRs
and their bootstrap replicas, as numpy arrays; thermex.composition_features: the featurization
of single compositions that the sweep's rows are built from."""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from . import _thermex
from ._shap import _engine_model
from ._validation import as_int

__all__ = [
    "SweepFeature",
    "SweepOptimum",
    "SweepTarget",
    "SweepResult",
    "sweep",
    "composition_features",
    "composition_feature_names",
]

_DEVICES = ("auto", "cpu", "cuda")


@dataclass
class SweepFeature:
    """Where one model feature's value came from at every sweep point."""

    name: str
    source: str  #: 'composition', 'level', 'fixed', 'indicator' or 'default'
    value: float  #: the value at every point (NaN for 'composition': it varies per point)


@dataclass
class SweepOptimum:
    """The optimum of one target's point prediction over the grid (ties: lowest index)."""

    target: str
    maximize: bool
    index: int  #: grid index (within ``domain`` when some point lies inside it)
    fractions: np.ndarray  #: (k,) TM-site fractions there
    value: float  #: point prediction there
    boot_lo: float  #: bootstrap interval there (NaN without replicas)
    boot_hi: float
    neighbourhood_count: int  #: points within ``neighbourhood`` (max-norm on the fractions)
    neighbourhood_min: float  #: of the point prediction over those points
    neighbourhood_max: float
    neighbourhood_mean: float
    in_domain: bool  #: True when the search was restricted to ``domain``
    grid_index: int  #: the unrestricted optimum
    grid_value: float


@dataclass
class SweepTarget:
    """The predictions of one target at every grid point, in original target units."""

    name: str
    maximize: bool
    replicas: int  #: bootstrap replicas (0: the boot_* arrays are None)
    prediction: np.ndarray  #: (N,) point model
    boot_mean: Optional[np.ndarray]  #: (N,) mean over the replicas
    boot_std: Optional[np.ndarray]  #: (N,) population std over the replicas
    boot_lo: Optional[np.ndarray]  #: (N,) percentile quantile_lo (numpy's linear rule)
    boot_hi: Optional[np.ndarray]  #: (N,) percentile quantile_hi
    optimum: SweepOptimum


@dataclass
class SweepResult:
    """A composition sweep: grid fractions, per-target predictions, optima and the feature table.

    ``fractions[i]`` is grid point i (k fractions, multiples of ``step``, summing to 1, in the
    engine's lexicographic order: index 0 is (0, ..., 0, 1), the last (1, 0, ..., 0)).
    """

    elements: List[str]
    step: float
    divisions: int  #: m = 1 / step
    li: float
    oxidation: str
    ci: float
    quantile_lo: float  #: (1 - ci) / 2
    quantile_hi: float  #: 1 - (1 - ci) / 2
    fractions: np.ndarray  #: (N, k)
    targets: Dict[str, SweepTarget]  #: by target name, in the order given
    features: List[SweepFeature]  #: every model feature, first-use order
    neighbourhood: float = 0.05
    domain: Optional[Tuple[np.ndarray, np.ndarray]] = field(default=None)  #: (lo, hi) per element

    def __getitem__(self, target: str) -> SweepTarget:
        return self.targets[target]

    @property
    def prediction(self) -> Dict[str, np.ndarray]:
        """Target name -> point prediction (N,)."""
        return {n: t.prediction for n, t in self.targets.items()}

    def _boot(self, what: str) -> Dict[str, np.ndarray]:
        return {n: getattr(t, what) for n, t in self.targets.items() if t.replicas > 0}

    @property
    def boot_mean(self) -> Dict[str, np.ndarray]:
        """Target name -> bootstrap mean (targets with replicas only)."""
        return self._boot("boot_mean")

    @property
    def boot_std(self) -> Dict[str, np.ndarray]:
        """Target name -> bootstrap population std (targets with replicas only)."""
        return self._boot("boot_std")

    @property
    def boot_lo(self) -> Dict[str, np.ndarray]:
        """Target name -> lower percentile (targets with replicas only)."""
        return self._boot("boot_lo")

    @property
    def boot_hi(self) -> Dict[str, np.ndarray]:
        """Target name -> upper percentile (targets with replicas only)."""
        return self._boot("boot_hi")

    @property
    def optimum(self) -> Dict[str, SweepOptimum]:
        """Target name -> its optimum."""
        return {n: t.optimum for n, t in self.targets.items()}

    def to_frame(self) -> Any:
        """A pandas DataFrame: one column per element (fractions), then per target ``<target>``
        (prediction) and, with replicas, ``<target>_boot_mean``, ``_boot_std``, ``_boot_lo``,
        ``_boot_hi``. Needs pandas."""
        import pandas as pd

        columns: Dict[str, np.ndarray] = {
            e: self.fractions[:, j] for j, e in enumerate(self.elements)
        }
        for name, t in self.targets.items():
            columns[name] = t.prediction
            if t.replicas > 0:
                for what in ("boot_mean", "boot_std", "boot_lo", "boot_hi"):
                    columns[f"{name}_{what}"] = getattr(t, what)
        return pd.DataFrame(columns)

    def feature_frame(self) -> Any:
        """The feature-source table as a pandas DataFrame (name, source, value)."""
        import pandas as pd

        return pd.DataFrame(
            {
                "name": [f.name for f in self.features],
                "source": [f.source for f in self.features],
                "value": [f.value for f in self.features],
            }
        )


# ---- argument handling ------------------------------------------------------------------------


def _real(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{what} must be a real number, got {value!r}")
    return float(value)


def _elements(elements: Any) -> List[str]:
    if isinstance(elements, str) or not all(isinstance(e, str) for e in elements):
        raise ValueError(f"elements must be a sequence of element symbols, got {elements!r}")
    return list(elements)


def _number_map(values: Optional[Mapping[str, Any]], what: str) -> Dict[str, float]:
    if values is None:
        return {}
    if hasattr(values, "columns") and hasattr(values, "median"):
        # A training DataFrame: the medians of its numeric columns, as the study driver uses.
        medians = values.select_dtypes("number").median()
        return {str(k): float(v) for k, v in medians.items() if np.isfinite(v)}
    if not isinstance(values, Mapping):
        raise ValueError(f"{what} must be a mapping of feature name -> number")
    return {str(k): _real(v, f"{what}[{k!r}]") for k, v in values.items()}


def _model_sets(models: Any, replicas: Any, maximize: Any) -> List[tuple]:
    """[(target, engine model, [replica engine models], maximize or None), ...]."""
    if isinstance(models, Mapping):
        named = [(str(k), m) for k, m in models.items()]
        if replicas is not None and not isinstance(replicas, Mapping):
            raise ValueError("replicas must be a mapping target -> list of SVR when models is one")
        reps = {str(k): v for k, v in (replicas or {}).items()}
        unknown = set(reps) - {n for n, _ in named}
        if unknown:
            raise ValueError(f"replicas: no model for targets {sorted(unknown)}")
        rep_of = {n: reps.get(n, ()) for n, _ in named}
    elif isinstance(models, (list, tuple)):
        named = [(f"target_{i}", m) for i, m in enumerate(models)]
        reps_list = list(replicas) if replicas is not None else [()] * len(named)
        if len(reps_list) != len(named):
            raise ValueError(f"replicas: {len(reps_list)} lists for {len(named)} models")
        rep_of = {n: r for (n, _), r in zip(named, reps_list)}
    else:
        named = [("target", models)]
        rep_of = {"target": replicas if replicas is not None else ()}
    if isinstance(maximize, Mapping):
        unknown = set(map(str, maximize)) - {n for n, _ in named}
        if unknown:
            raise ValueError(f"maximize: no model for targets {sorted(unknown)}")
        direction = {n: maximize.get(n) for n, _ in named}
    else:
        direction = {n: maximize for n, _ in named}
    sets = []
    for name, model in named:
        point = _named_model(model, f"model of target {name!r}")
        boot = [
            _named_model(r, f"replica {b} of target {name!r}")
            for b, r in enumerate(rep_of[name] or ())
        ]
        d = direction[name]
        sets.append((name, point, boot, None if d is None else bool(d)))
    return sets


def _named_model(model: Any, what: str) -> Any:
    engine = _engine_model(model)
    names = list(engine.feature_names)
    if not names or not all(names):
        raise ValueError(
            f"{what} has no feature names: fit it on a DataFrame whose columns are feature-table "
            "names (ni, co, mn, en_tm_wmean, cutoff_voltage_V, ...)"
        )
    return engine


def _optimum(
    name: str, t: Dict[str, Any], counts: np.ndarray, fractions: np.ndarray, radius: int,
    inside: Optional[np.ndarray],
) -> SweepOptimum:
    """The extreme of the point prediction (first index on ties) and its neighbourhood."""
    pred = np.asarray(t["prediction"])
    pick = np.argmax if t["maximize"] else np.argmin
    grid_index = int(pick(pred))
    index, in_domain = grid_index, False
    if inside is not None and inside.any():
        candidates = np.flatnonzero(inside)
        index, in_domain = int(candidates[pick(pred[candidates])]), True
    near = np.abs(counts - counts[index]).max(axis=1) <= radius
    has_boot = t["replicas"] > 0
    return SweepOptimum(
        target=name,
        maximize=bool(t["maximize"]),
        index=index,
        fractions=fractions[index].copy(),
        value=float(pred[index]),
        boot_lo=float(np.asarray(t["boot_lo"])[index]) if has_boot else float("nan"),
        boot_hi=float(np.asarray(t["boot_hi"])[index]) if has_boot else float("nan"),
        neighbourhood_count=int(near.sum()),
        neighbourhood_min=float(pred[near].min()),
        neighbourhood_max=float(pred[near].max()),
        neighbourhood_mean=float(pred[near].mean()),
        in_domain=in_domain,
        grid_index=grid_index,
        grid_value=float(pred[grid_index]),
    )


def _domain(domain: Any, elements: List[str]) -> Optional[Tuple[np.ndarray, np.ndarray]]:
    if domain is None:
        return None
    if not isinstance(domain, Mapping) or set(domain) != set(elements):
        raise ValueError(f"domain must map every element of {elements} to (lo, hi)")
    lo = np.array([_real(domain[e][0], f"domain[{e!r}][0]") for e in elements])
    hi = np.array([_real(domain[e][1], f"domain[{e!r}][1]") for e in elements])
    return lo, hi


# ---- the public functions ---------------------------------------------------------------------


def sweep(
    models: Any,
    elements: Sequence[str] = ("Ni", "Co", "Mn"),
    step: float = 0.01,
    *,
    fixed: Optional[Mapping[str, float]] = None,
    levels: Optional[Mapping[str, str]] = None,
    li: float = 1.0,
    defaults: Any = None,
    oxidation: str = "charged",
    replicas: Any = None,
    ci: float = 0.95,
    maximize: Union[None, bool, Mapping[str, bool]] = None,
    neighbourhood: float = 0.05,
    domain: Optional[Mapping[str, Tuple[float, float]]] = None,
    device: str = "cpu",
    threads: int = 0,
    chunk: int = 65536,
) -> SweepResult:
    """Predicts every point of a simplex grid of TM-site fractions with fitted SVRs.

    Every grid point (k fractions of ``elements``, multiples of ``step``, summing to 1; there are
    C(1/step + k - 1, k - 1) of them, 66 for k = 3 and step 0.1) is featurized by the engine
    (the composition features of ``composition_features``, Li per formula unit ``li``), completed
    with constant values for every other model feature and predicted by each model; with
    ``replicas`` the bootstrap mean, population std and the central ``ci`` percentile interval
    (numpy's linear rule) of the replicas' predictions come too. This is the engine's sweep
    (the study's ``[[sweeps]]``), not a re-implementation: the same bytes as the CLI.

    models: a fitted ``thermex.SVR`` (target name 'target'), a dict target -> SVR, or a list
        (targets 'target_0', ...), each fitted on a DataFrame whose columns are feature-table
        names (composition features such as ni, co, mn, en_tm_wmean, ...; conditions such as
        cutoff_voltage_V; one-hot columns such as 'electrolyte_class=carbonate_lipf6').
        Models may use different feature subsets.
    replicas: bootstrap refits: a list of SVR (single model), a dict target -> list, or a list
        of lists (list of models).
    Each non-composition feature takes, in this order: the level of its one-hot group in
    ``levels`` (1 for the named level, 0 for the others); ``fixed[name]``; 0 for a
    '<name>_missing' indicator; ``defaults[name]`` (a dict, or a training DataFrame whose
    numeric medians are used, as the study does). The source of each is in
    ``result.features``.
    maximize: the optimum direction (bool for all, or per target); default: minimize the heat
        targets (max_heat_flow_W_per_g, log10_max_heat_flow, total_heat_J_per_g), maximize
        everything else. ``domain`` (element -> (lo, hi)) restricts the optimum search (not the
        predictions) to fractions inside it (1e-9 slack); ``neighbourhood`` is the radius (max
        |fraction difference|) of the statistics reported around the optimum.
    device: 'cpu', 'cuda' or 'auto'; threads: OpenMP threads (0 = all); chunk: points per engine
        call (results do not depend on it).

    Raises ValueError (``thermex.ConfigError``) naming the argument or feature: a feature with
    no source ("feature 'scan_rate_K_min' of ... has no default value"), an unknown or repeated
    element, a step whose inverse is not an integer, an unknown level, a fixed name that is no
    feature. Memory: the whole grid is returned, (k + 5 x targets) x 8 bytes per point. The GIL
    is released per chunk; Ctrl-C stops between chunks.
    """
    names = _elements(elements)
    if device not in _DEVICES:
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda', got {device!r}")
    if levels is not None and not isinstance(levels, Mapping):
        raise ValueError("levels must be a mapping of categorical group -> level")
    level_map = {str(k): str(v) for k, v in (levels or {}).items()}
    sets = _model_sets(models, replicas, maximize)
    step_v, li_v, ci_v = _real(step, "step"), _real(li, "li"), _real(ci, "ci")
    radius_v = _real(neighbourhood, "neighbourhood")
    if not (np.isfinite(radius_v) and radius_v >= 0):
        raise ValueError(f"neighbourhood must be finite and >= 0, got {neighbourhood!r}")
    box = _domain(domain, names)
    r = _thermex.sweep_grid(
        sets, names, step_v, li_v, _number_map(fixed, "fixed"), level_map,
        _number_map(defaults, "defaults"), str(oxidation), ci_v, as_int(chunk, "chunk", 1),
        device, as_int(threads, "threads"),
    )
    m = int(r["divisions"])
    fractions = np.asarray(r["fractions"])
    counts = np.rint(fractions * m).astype(np.int64)
    radius = int(np.floor(radius_v * m + 1e-9))
    inside = None
    if box is not None:
        inside = ((fractions >= box[0] - 1e-9) & (fractions <= box[1] + 1e-9)).all(axis=1)
    targets: Dict[str, SweepTarget] = {}
    for t in r["targets"]:
        boot = t["replicas"] > 0
        targets[t["target"]] = SweepTarget(
            name=t["target"],
            maximize=bool(t["maximize"]),
            replicas=int(t["replicas"]),
            prediction=np.asarray(t["prediction"]),
            boot_mean=np.asarray(t["boot_mean"]) if boot else None,
            boot_std=np.asarray(t["boot_std"]) if boot else None,
            boot_lo=np.asarray(t["boot_lo"]) if boot else None,
            boot_hi=np.asarray(t["boot_hi"]) if boot else None,
            optimum=_optimum(t["target"], t, counts, fractions, radius, inside),
        )
    return SweepResult(
        elements=names,
        step=step_v,
        divisions=m,
        li=li_v,
        oxidation=str(oxidation),
        ci=ci_v,
        quantile_lo=float(r["quantile_lo"]),
        quantile_hi=float(r["quantile_hi"]),
        fractions=fractions,
        targets=targets,
        features=[SweepFeature(n, s, float(v)) for n, s, v in r["features"]],
        neighbourhood=radius_v,
        domain=box,
    )


def composition_feature_names() -> List[str]:
    """Names of the composition features (ni, co, mn, al, li, en_tm_*, radius_*, phi_*), in the
    order ``composition_features`` returns them."""
    return list(_thermex.composition_column_names())


def composition_features(
    composition: Any,
    elements: Optional[Sequence[str]] = None,
    *,
    li: float = 1.0,
    oxidation: str = "charged",
) -> Any:
    """The engine's composition features (the feature table's and the sweep's).

    - a formula str ('LiNi0.8Co0.1Mn0.1O2', 'Li1.2Ni0.13Co0.13Mn0.54O2'; Li from the formula):
      a dict name -> value in ``composition_feature_names()`` order;
    - a dict element -> TM-site amount ({'Ni': 0.8, 'Co': 0.1, 'Mn': 0.1}): the same dict;
    - an (n, k) array of amounts with ``elements`` (k symbols): an (n, F) float64 array (a
      1-D array is one row).

    Amounts are normalised to TM-site fractions summing to 1 (their sum is the site total, as a
    formula's); zero amounts leave the element out, as at the sweep's grid points. ``li``: Li
    per formula unit (not used for a formula). ``oxidation``: 'charged' or 'pristine' (the
    radii and ionic potentials). Raises ValueError for an unknown element, a negative or
    non-finite amount, an element without a TM-site ion, or a bad formula.
    """
    ox = str(oxidation)
    feature_names = composition_feature_names()
    if isinstance(composition, str):
        values = _thermex.composition_features_formula(composition, ox)
        return dict(zip(feature_names, values))
    li_v = _real(li, "li")
    if isinstance(composition, Mapping):
        syms = [str(e) for e in composition]
        amounts = np.array([[_real(v, f"composition[{e!r}]") for e, v in composition.items()]])
        try:
            rows = _thermex.composition_features_fractions(syms, amounts, li_v, ox)
        except _thermex.ConfigError as e:  # one composition: the row number says nothing
            raise _thermex.ConfigError(str(e).removeprefix("row 0: ")) from None
        return dict(zip(feature_names, np.asarray(rows)[0].tolist()))
    if elements is None:
        raise ValueError("composition_features: an array of amounts needs `elements`")
    syms = _elements(elements)
    a = np.ascontiguousarray(np.asarray(composition, dtype=np.float64))
    if a.ndim == 1:
        a = a.reshape(1, -1)
    return np.asarray(_thermex.composition_features_fractions(syms, a, li_v, ox))
