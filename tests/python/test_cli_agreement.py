"""The Python package and the `thermex` CLI give the same results on the same data: the same
engine behind both, so models, predictions and SHAP values agree bit for bit."""

import csv
import subprocess

import numpy as np
import pytest

import thermex
from conftest import SVR_DATA

# The CLI-fitted model carries the CSV's column names; predicting from plain arrays warns.
pytestmark = pytest.mark.filterwarnings("ignore:X does not have valid feature names")


def _run(cli, *args):
    proc = subprocess.run([cli, "--quiet", "--seed", "5", *args], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc


def _read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], np.array(rows[1:], dtype=np.float64)


@pytest.fixture(scope="module")
def cli_model(tmp_path_factory, cli_path):
    """The CLI's fit of the Friedman fixture on all rows (no held-out part)."""
    out = tmp_path_factory.mktemp("cli") / "cli_model.h5"
    data = SVR_DATA / "friedman200_data.csv"
    _run(cli_path, "svr", "fit", "--data", str(data), "--target", "y",
         "--features", "f0,f1,f2,f3,f4", "--C", "10", "--epsilon", "0.1", "--gamma", "0.2",
         "--test-fraction", "0", "-o", str(out))
    return out


def test_cli_fit_equals_python_fit(friedman, cli_model):
    x, y, names = friedman
    ours = thermex.SVR(C=10.0, epsilon=0.1, gamma=0.2).fit(x, y)
    cli = thermex.load(cli_model)
    assert cli.model_.data_sha256 == ours.model_.data_sha256  # the same training bytes
    np.testing.assert_array_equal(cli.support_, ours.support_)
    np.testing.assert_array_equal(cli.dual_coef_, ours.dual_coef_)
    np.testing.assert_array_equal(cli.predict(x), ours.predict(x))
    assert list(cli.feature_names_in_) == names


def test_cli_predict_equals_python_predict(tmp_path, friedman, cli_model, cli_path):
    x, y, _ = friedman
    out = tmp_path / "pred.csv"
    _run(cli_path, "svr", "predict", "--model", str(cli_model),
         "--data", str(SVR_DATA / "friedman200_data.csv"), "-o", str(out))
    header, pred = _read_csv(out)
    assert header == ["prediction"]
    np.testing.assert_array_equal(pred[:, 0], thermex.load(cli_model).predict(x))


@pytest.mark.parametrize("method", ["exact", "permutation"])
def test_cli_shap_equals_python_shap(tmp_path, friedman, cli_model, cli_path, method):
    # The first 40 rows keep the exact method's O(n nb n_SV M^2) cost small.
    x, _, names = friedman
    x = x[:40]
    lines = (SVR_DATA / "friedman200_data.csv").read_text().splitlines()[:41]
    data = tmp_path / "rows40.csv"
    data.write_text("\n".join(lines) + "\n")
    out = tmp_path / "shap.csv"
    _run(cli_path, "shap", "--model", str(cli_model), "--data", str(data), "--method", method,
         "--samples", "16", "-o", str(out))
    header, table = _read_csv(out)
    model = thermex.load(cli_model)
    r = thermex.shap_result(model, x, method=method, samples=16, seed=5)
    assert header[:5] == names == r.feature_names
    np.testing.assert_array_equal(table[:, :5], r.values)
    np.testing.assert_array_equal(table[:, 6], r.fx)
    assert table[0, 5] == r.base_value
