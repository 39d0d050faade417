#!/usr/bin/env python3
"""Accuracy of thermex's SHAP against the `shap` library on one fitted model.

The model is fitted once by `thermex svr fit` on a CSV this script writes (bench/bm_shap.cpp's
data recipe with numpy draws: n = 600, d = 15, C = 10, epsilon = 0.1, gamma = 'scale'). Its
support vectors, dual coefficients, intercept, gamma and standardization are read from the model
file, so `shap` explains exactly the function thermex explains (numpy re-implementation of the
RBF SVR prediction), not a refit. Checks:
  exact   shap.ExactExplainer (all 2^15 coalitions) against a small background (Independent
          masker with every background row) vs `thermex shap --method exact` with the same
          background: max |diff|, relative to max |SHAP| (issue 5: <= 1e-6);
  kernel  shap.KernelExplainer(nsamples='auto', l1_reg=False) against the 100-row background vs
          thermex exact with that background: rms error (KernelExplainer is approximate).
Used by bench/shap_vs_shap.py, which adds the timings.

Usage (after tools/peers/install.sh and a build): .venv-peers/bin/python
  tools/peers/compare_shap.py [--cli build/bench/thermex]
"""

import argparse
import pathlib
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np
import shap

ROOT = pathlib.Path(__file__).resolve().parents[2]
N_TRAIN, D = 600, 15
BACKGROUND = 100  # background rows: the first 100 training rows (as bm_shap.cpp)
SMALL_BACKGROUND = 20  # ExactExplainer enumerates 2^15 coalitions per background row
C, EPSILON = 10.0, 0.1


def make_data(n, d, seed):
    """bm_shap.cpp's recipe: columns of different scale/offset, a smooth target plus noise."""
    rng = np.random.default_rng(seed)
    j = np.arange(d, dtype=float)
    x = rng.uniform(-1.0, 1.0, size=(n, d)) * (1.0 + j / 4.0) + j / 10.0
    noise = rng.uniform(-1.0, 1.0, size=n) * np.sqrt(3.0)
    y = 3.0 * np.tanh(x @ np.cos(j + 1.0) / 4.0) + 0.3 * np.sin(np.pi * x[:, 0] * x[:, 1])
    return x, y + 0.1 * noise


def write_csv(path, x, names, y=None):
    cols = x if y is None else np.column_stack([x, y])
    header = ",".join(names + ([] if y is None else ["y"]))
    np.savetxt(path, cols, delimiter=",", header=header, comments="", fmt="%.17g")


class Setup:
    """Data, the thermex model file and the numpy prediction of that model, in `tmp`."""

    def __init__(self, cli, tmp):
        self.cli, self.tmp = cli, pathlib.Path(tmp)
        self.x, y = make_data(N_TRAIN, D, 5)
        self.names = [f"f{j}" for j in range(D)]
        write_csv(self.tmp / "train.csv", self.x, self.names, y)
        subprocess.run([cli, "--device", "cpu", "-q", "svr", "fit", "--data",
                        str(self.tmp / "train.csv"), "--target", "y", "--C", str(C), "--epsilon",
                        str(EPSILON), "--test-fraction", "0", "-o", str(self.tmp / "m.h5")],
                       check=True, capture_output=True)
        with h5py.File(self.tmp / "m.h5") as f:
            g = f["model"]
            self.sv, self.beta = g["support_vectors"][()], g["dual_coef"][()]
            self.mu, self.scale = g["feature_means"][()], g["feature_scales"][()]
            self.b0, self.gamma = float(g.attrs["intercept"]), float(g.attrs["gamma_value"])

    def predict(self, z):
        """The model's output f(z) (rows of raw features), in chunks to bound memory."""
        z = np.asarray(z, dtype=float)
        out = np.empty(len(z))
        for i in range(0, len(z), 20000):
            s = (z[i:i + 20000] - self.mu) / self.scale
            d2 = (s**2).sum(1)[:, None] + (self.sv**2).sum(1)[None, :] - 2.0 * s @ self.sv.T
            out[i:i + 20000] = self.b0 + np.exp(-self.gamma * np.maximum(d2, 0.0)) @ self.beta
        return out

    def thermex(self, rows, background, method="exact", threads=None):
        """SHAP values of `rows` (n x D) from the CLI, and the wall time of the process."""
        write_csv(self.tmp / "x.csv", rows, self.names)
        write_csv(self.tmp / "b.csv", background, self.names)
        cmd = [self.cli, "--device", "cpu", "-q"]
        if threads:
            cmd += ["--threads", str(threads)]
        cmd += ["shap", "--model", str(self.tmp / "m.h5"), "--data", str(self.tmp / "x.csv"),
                "--background", str(self.tmp / "b.csv"), "--method", method, "-o",
                str(self.tmp / "s.csv")]
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        dt = time.perf_counter() - t0
        vals = np.loadtxt(self.tmp / "s.csv", delimiter=",", skiprows=1, ndmin=2)
        return vals[:, :D], dt


def shap_exact(setup, rows, background):
    masker = shap.maskers.Independent(background, max_samples=len(background))
    return shap.ExactExplainer(setup.predict, masker)(rows).values


def shap_kernel(setup, rows, background):
    ke = shap.KernelExplainer(setup.predict, background)
    return np.asarray(ke.shap_values(rows, nsamples="auto", l1_reg=False, silent=True))


def accuracy(setup, n_rows=3):
    """Agreement of thermex exact with shap's ExactExplainer and KernelExplainer."""
    rows = setup.x[BACKGROUND:BACKGROUND + n_rows]
    small, bg = setup.x[:SMALL_BACKGROUND], setup.x[:BACKGROUND]
    ours_small, _ = setup.thermex(rows, small)
    theirs = shap_exact(setup, rows, small)
    ours, _ = setup.thermex(rows, bg)
    kernel = shap_kernel(setup, rows, bg)
    spread = float(np.abs(ours_small).max())
    return {
        "rows": n_rows,
        "exact_background_rows": SMALL_BACKGROUND,
        "exact_max_abs_diff": float(np.abs(theirs - ours_small).max()),
        "exact_max_abs_shap": spread,
        "exact_max_abs_diff_relative": float(np.abs(theirs - ours_small).max()) / spread,
        "kernel_background_rows": BACKGROUND,
        "kernel_rms_error_vs_thermex_exact": float(np.sqrt(np.mean((kernel - ours) ** 2))),
        "kernel_max_abs_error_vs_thermex_exact": float(np.abs(kernel - ours).max()),
        "kernel_max_abs_shap": float(np.abs(ours).max()),
        "n_support": int(len(setup.beta)),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cli", default=str(ROOT / "build" / "bench" / "thermex"),
                    help="thermex binary (default: the bench preset's build)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        acc = accuracy(Setup(args.cli, tmp))
    for k, v in acc.items():
        print(f"{k}: {v:.3g}" if isinstance(v, float) else f"{k}: {v}")
    return 0 if acc["exact_max_abs_diff_relative"] <= 1e-6 else 1


if __name__ == "__main__":
    sys.exit(main())
