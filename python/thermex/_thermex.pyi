"""Type stubs of thermex._thermex, the pybind11 engine module (use the `thermex` package).

Array arguments are C-contiguous float64 objects with the buffer protocol (numpy arrays); the
_F64Array / _I64Array results wrap with numpy.asarray() without a copy.
"""

from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

__version__: str
git_commit: str

class ThermexError(RuntimeError): ...
class InputError(ThermexError, ValueError): ...
class ConfigError(ThermexError, ValueError): ...

class _F64Array:
    def __buffer__(self, flags: int) -> memoryview: ...

class _I64Array:
    def __buffer__(self, flags: int) -> memoryview: ...

def cuda_device_count() -> int: ...

class SvrSpec:
    c: float
    epsilon: float
    gamma: Union[str, float]
    tol: float
    standardize: bool
    log10_target: bool
    max_iter: int
    kernel_budget_bytes: int
    def __init__(self) -> None: ...

class SvrModel:
    n_features: int
    feature_names: List[str]
    feature_means: _F64Array
    feature_scales: _F64Array
    support_vectors: _F64Array
    support_indices: _I64Array
    dual_coef: _F64Array
    intercept: float
    spec: SvrSpec
    gamma_value: float
    n_iter: int
    dual_objective: float
    kkt_gap: float
    converged: bool
    n_train: int
    data_sha256: str
    thermex_version: str
    git_commit: str
    device: str
    n_support: int

def svr_fit(
    x: np.ndarray, y: np.ndarray, spec: SvrSpec, feature_names: List[str],
    device: str = ..., threads: int = ...,
) -> SvrModel: ...
def svr_fit_batch(
    x: np.ndarray, y: np.ndarray, problems: List[Tuple[np.ndarray, SvrSpec]],
    feature_names: List[str] = ..., device: str = ..., threads: int = ...,
    chunk_problems: int = ...,
) -> List[SvrModel]: ...
def svr_predict(
    model: SvrModel, x: np.ndarray, device: str = ..., threads: int = ...
) -> _F64Array: ...
def save_svr_model(model: SvrModel, path: str) -> None: ...
def load_svr_model(path: str) -> SvrModel: ...
def svr_shap(
    model: SvrModel, x: np.ndarray, background: np.ndarray, method: str = ...,
    samples: int = ..., seed: Optional[int] = ..., target_se: float = ...,
    player_columns: Sequence[Sequence[int]] = ..., player_names: Sequence[str] = ...,
    background_weights: Sequence[float] = ..., device: str = ..., threads: int = ...,
    chunk_rows: int = ...,
) -> Dict[str, Any]: ...
def select_features(
    columns: np.ndarray, y: np.ndarray, names: List[str], kinds: List[str], groups: List[str],
    target: str, spearman_threshold: float, priority: List[str], compare_within_group: bool,
    shuffles: int, quantile: float, forest: Dict[str, Any], seed: int, threads: int = ...,
) -> Dict[str, Any]: ...
def sweep_grid(
    sets: List[Tuple[str, SvrModel, List[SvrModel], Optional[bool]]], elements: List[str],
    step: float, li: float, fixed: Dict[str, float], levels: Dict[str, str],
    defaults: Dict[str, float], oxidation: str, ci: float, chunk: int, device: str = ...,
    threads: int = ...,
) -> Dict[str, Any]: ...
def composition_column_names() -> List[str]: ...
def composition_features_formula(formula: str, oxidation: str = ...) -> List[float]: ...
def composition_features_fractions(
    elements: List[str], fractions: np.ndarray, li: float = ..., oxidation: str = ...
) -> _F64Array: ...
