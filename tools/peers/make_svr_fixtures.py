#!/usr/bin/env python3
"""Generates the scikit-learn (libsvm) reference fixtures for the thermex SVR tests.

Re-runnable: `.venv-peers/bin/python tools/peers/make_svr_fixtures.py` (create the venv with
tools/peers/install.sh) rewrites tests/data/svr/. Every problem is deterministic (fixed numpy
seeds), and the feature values are rounded to 6 significant digits *before* fitting, so the CSV
holds exactly the numbers scikit-learn was fitted on.

Per problem <name>, four CSV files:
  <name>_data.csv    features f0..f{d-1}, target y, is_train (1 = training row, 0 = query row)
  <name>_params.csv  key,value: C, epsilon, gamma (the spec: a number or "scale"), gamma_value
                     (resolved), standardize, log10_target, and per tolerance t in {1e-3, 1e-8}:
                     intercept_t, objective_t (dual objective, see below), n_support_t, n_iter_t
  <name>_pred.csv    sklearn predictions for every row of <name>_data.csv (original target units):
                     pred_tol1e-3, pred_tol1e-8 (shrinking=False, libsvm's Solver without
                     shrinking, the algorithm thermex implements) and pred_shrink_tol1e-3
                     (scikit-learn's default shrinking=True)
  <name>_dual.csv    tol, support (0-based training-row index), dual_coef (alpha - alpha*)

Dual objective (the function libsvm minimises), computed here from dual_coef_ and the kernel in
double precision on the (standardized) training features:
  obj = 0.5 beta^T K beta + epsilon * sum|beta| - y^T beta,   beta = alpha - alpha*.
With StandardScaler when standardize is true, as thermex standardizes, so both see the same
inputs; with log10_target the model is fitted to log10(y) and predictions are 10**f(x).
"""
import csv
import os
import sys

import numpy as np
import sklearn
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVR

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "data", "svr")
TOLS = (("1e-3", 1e-3), ("1e-8", 1e-8))


def round6(a):
    return np.array([float(f"{v:.6g}") for v in a.ravel()]).reshape(a.shape)


def friedman(rng, n, d, noise):
    x = rng.uniform(0.0, 1.0, size=(n, d))
    y = (10 * np.sin(np.pi * x[:, 0] * x[:, 1]) + 20 * (x[:, 2] - 0.5) ** 2 + 10 * x[:, 3]
         + 5 * x[:, 4] + noise * rng.standard_normal(n))
    return x, y


def problems():
    rng = np.random.default_rng(20240611)
    x, y = friedman(rng, 230, 5, 1.0)
    yield "friedman200", x, y, 200, dict(C=10.0, epsilon=0.1, gamma=0.2, standardize=True,
                                         log10_target=False)
    rng = np.random.default_rng(7)
    x = rng.standard_normal((650, 15)) * rng.uniform(0.5, 3.0, 15) + rng.uniform(-2, 2, 15)
    w = rng.standard_normal(15)
    y = np.tanh(x @ w / 4.0) * 3.0 + 0.3 * np.sin(x[:, 0] * x[:, 1]) + 0.1 * rng.standard_normal(650)
    yield "scale600", x, y, 600, dict(C=10.0, epsilon=0.1, gamma="scale", standardize=True,
                                      log10_target=False)
    rng = np.random.default_rng(11)
    x = rng.uniform(-1.0, 1.0, size=(180, 4))
    y = 10 ** (1.0 + 0.8 * x[:, 0] - 0.5 * x[:, 1] ** 2 + 0.3 * x[:, 2] * x[:, 3]
               + 0.05 * rng.standard_normal(180))
    yield "log150", x, y, 150, dict(C=3.0, epsilon=0.02, gamma="scale", standardize=True,
                                    log10_target=True)
    rng = np.random.default_rng(3)
    x = rng.uniform(0.0, 2.0, size=(140, 3))
    y = np.sin(2 * x[:, 0]) + x[:, 1] * x[:, 2] + 0.1 * rng.standard_normal(140)
    yield "raw120", x, y, 120, dict(C=100.0, epsilon=0.05, gamma=0.7, standardize=False,
                                    log10_target=False)


def fit(xs, t, p, tol, shrinking):
    m = SVR(kernel="rbf", C=p["C"], epsilon=p["epsilon"], gamma=p["gamma"], tol=tol,
            shrinking=shrinking, cache_size=1000, max_iter=-1)
    return m.fit(xs, t)


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, x, y, n_train, p in problems():
        x = round6(x)
        y = round6(y)
        d = x.shape[1]
        xtr, ytr = x[:n_train], y[:n_train]
        scaler = StandardScaler().fit(xtr) if p["standardize"] else None
        tf = (lambda a: scaler.transform(a)) if scaler else (lambda a: a)
        t = np.log10(ytr) if p["log10_target"] else ytr
        inv = (lambda f: 10.0 ** f) if p["log10_target"] else (lambda f: f)
        xs = tf(xtr)
        gamma_value = (1.0 / (d * xs.var())) if p["gamma"] == "scale" else p["gamma"]
        params = [("C", p["C"]), ("epsilon", p["epsilon"]), ("gamma", p["gamma"]),
                  ("gamma_value", repr(float(gamma_value))),
                  ("standardize", int(p["standardize"])),
                  ("log10_target", int(p["log10_target"])), ("n_train", n_train),
                  ("sklearn_version", sklearn.__version__)]
        preds, dual_rows = {}, []
        sq = (xs ** 2).sum(1)
        kern = np.exp(-gamma_value * np.maximum(sq[:, None] + sq[None, :] - 2 * xs @ xs.T, 0))
        for label, tol in TOLS:
            m = fit(xs, t, p, tol, False)
            preds[label] = inv(m.predict(tf(x)))
            beta = np.zeros(n_train)
            beta[m.support_] = m.dual_coef_[0]
            obj = 0.5 * beta @ kern @ beta + p["epsilon"] * np.abs(beta).sum() - t @ beta
            params += [(f"intercept_{label}", repr(float(m.intercept_[0]))),
                       (f"objective_{label}", repr(float(obj))),
                       (f"n_support_{label}", len(m.support_)),
                       (f"n_iter_{label}", int(np.ravel(m.n_iter_)[0]))]
            dual_rows += [(label, int(s), repr(float(c))) for s, c in
                          zip(m.support_, m.dual_coef_[0])]
        preds["shrink"] = inv(fit(xs, t, p, 1e-3, True).predict(tf(x)))
        is_train = [1] * n_train + [0] * (len(y) - n_train)
        write_csv(os.path.join(OUT, f"{name}_data.csv"),
                  [f"f{k}" for k in range(d)] + ["y", "is_train"],
                  [[f"{v:.6g}" for v in x[i]] + [f"{y[i]:.6g}", is_train[i]]
                   for i in range(len(y))])
        write_csv(os.path.join(OUT, f"{name}_params.csv"), ["key", "value"], params)
        write_csv(os.path.join(OUT, f"{name}_pred.csv"),
                  ["pred_tol1e-3", "pred_tol1e-8", "pred_shrink_tol1e-3"],
                  [[repr(float(preds["1e-3"][i])), repr(float(preds["1e-8"][i])),
                    repr(float(preds["shrink"][i]))] for i in range(len(y))])
        write_csv(os.path.join(OUT, f"{name}_dual.csv"), ["tol", "support", "dual_coef"],
                  dual_rows)
        print(f"{name}: n_train={n_train} d={d} gamma={gamma_value:.6g} "
              f"n_sv={dict((k, v) for k, v in params if k.startswith('n_support'))}",
              file=sys.stderr)


if __name__ == "__main__":
    main()
