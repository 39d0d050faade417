"""thermex: explainable ML for cathode thermal-safety (DSC) data, from Python.

The C++ engine (the same library as the ``thermex`` command line) exposed to notebooks:

- ``SVR``: epsilon-SVR with the RBF kernel as a scikit-learn regressor (GridSearchCV,
  cross_val_score, pipelines), ``save`` / ``load`` in the CLI's model file format;
- ``fit_many``: many fits (grids, bootstraps) in one batched engine call;
- ``shap_values`` / ``shap_result`` / ``explain``: exact and Monte Carlo SHAP values of an SVR
  (``explain`` returns a ``shap.Explanation`` when the shap package is installed);
- ``select``: Spearman redundancy filter plus null-importance screening;
- ``sweep``: composition grids (simplex sweeps of TM-site fractions) predicted by fitted SVRs
  and their bootstrap replicas, as arrays; ``composition_features``: the engine's featurization
  of a composition.

Inputs are numpy arrays or pandas DataFrames; C-contiguous float64 arrays are passed without a
copy. Errors in the data or options raise ValueError (``InputError`` / ``ConfigError``, both
also ``ThermexError``); other engine failures raise ``ThermexError`` (a RuntimeError).
"""

from . import _thermex
from ._batch import fit_many
from ._select import DroppedFeature, Selection, select
from ._shap import ShapResult, explain, shap_result, shap_values
from ._svr import SVR, load
from ._sweep import (
    SweepFeature,
    SweepOptimum,
    SweepResult,
    SweepTarget,
    composition_feature_names,
    composition_features,
    sweep,
)
from ._thermex import ConfigError, InputError, ThermexError, cuda_device_count

__version__: str = _thermex.__version__

__all__ = [
    "SVR",
    "fit_many",
    "load",
    "shap_values",
    "shap_result",
    "explain",
    "ShapResult",
    "select",
    "Selection",
    "DroppedFeature",
    "sweep",
    "SweepResult",
    "SweepTarget",
    "SweepOptimum",
    "SweepFeature",
    "composition_features",
    "composition_feature_names",
    "ThermexError",
    "InputError",
    "ConfigError",
    "cuda_device_count",
    "__version__",
]
