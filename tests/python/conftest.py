"""Shared fixtures of the thermex Python tests (run by ctest as Python.Package, or by hand:
PYTHONPATH=build/<dir>/python THERMEX_CLI=build/<dir>/thermex python3 -m pytest tests/python)."""

import csv
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
SVR_DATA = REPO / "tests" / "data" / "svr"


def read_fixture(name):
    """(X, y, feature names) of a bundled SVR fixture CSV (features, y, is_train)."""
    with open(SVR_DATA / f"{name}_data.csv", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], np.array(rows[1:], dtype=np.float64)
    feats = [h for h in header if h not in ("y", "is_train")]
    cols = [header.index(h) for h in feats]
    return np.ascontiguousarray(body[:, cols]), body[:, header.index("y")].copy(), feats


@pytest.fixture(scope="session")
def friedman():
    """The bundled Friedman #1 fixture: 200 rows, 5 features."""
    return read_fixture("friedman200")


@pytest.fixture(scope="session")
def small_regression():
    """A seeded smooth regression problem: 120 rows, 4 features."""
    rng = np.random.default_rng(7)
    x = rng.normal(size=(120, 4))
    y = np.sin(x[:, 0]) + 0.5 * x[:, 1] ** 2 - 0.3 * x[:, 2] + 0.05 * rng.normal(size=120)
    return x, y


@pytest.fixture(scope="session")
def cli_path():
    """The `thermex` executable: $THERMEX_CLI (set by ctest), else `thermex` on PATH."""
    path = os.environ.get("THERMEX_CLI") or shutil.which("thermex")
    if not path or not os.path.exists(path):
        pytest.skip("the thermex CLI is not available (set THERMEX_CLI)")
    return path
