#!/usr/bin/env python3
"""thermex from Python vs its Python peers, side by side in one process on the same data.

  SVR:  thermex.SVR(standardize=False) vs sklearn.svm.SVR (same C, epsilon, gamma, tol 1e-3;
        libsvm's defaults otherwise: shrinking on, 200 MB kernel cache): fit and predict wall
        time per call (median of repeats), and the largest prediction difference / std(y).
  SHAP: thermex.shap_values (exact, and kernel with 64 antithetic pairs) vs
        shap.KernelExplainer(model.predict, background) with nsamples='auto' and l1_reg=False,
        per explained row; the peer's error against thermex exact is reported too.
Data: a seeded smooth regression y = sin(x0) + x1^2 / 2 - 0.3 x2 + noise, d = 8 features.
Ratios are peer time / thermex time (> 1: thermex is faster). libsvm (scikit-learn) and
shap.KernelExplainer's model calls run on one core; OMP_NUM_THREADS=1 gives thermex the same
(on a loaded machine it also keeps a descheduled second OpenMP thread, ~12 ms per parallel
region, out of the small timings). Writes
bench/results/<date>-python-peers-<cpu>.json (or --output).

Usage: tools/peers/install.sh, build the module (cmake --build build/<dir> --target
thermex_python), then
  PYTHONPATH=build/<dir>/python .venv-peers/bin/python bench/python_vs_peers.py [--sizes 200,800]
"""

import argparse
import datetime
import json
import os
import pathlib
import platform
import statistics
import time

import numpy as np
import shap
import sklearn
from sklearn.svm import SVR as SkSVR

import thermex

ROOT = pathlib.Path(__file__).resolve().parent.parent


def cpu_model():
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def slug(cpu):
    """'amd-epyc' for 'AMD EPYC 7B13 ...': the vendor and family, as the other result files."""
    return "-".join(cpu.lower().replace("(r)", "").split()[:2]) or "unknown"


def data(n, d=8, seed=7):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    y = np.sin(x[:, 0]) + 0.5 * x[:, 1] ** 2 - 0.3 * x[:, 2] + 0.05 * rng.normal(size=n)
    return x, y


def timed(fn, repeats, warmup=True):
    """(median seconds, min seconds, last result) over `repeats` calls after one untimed call
    (thread pools, page faults)."""
    if warmup:
        fn()
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times), out


def bench_svr(n, repeats):
    x, y = data(n)
    params = dict(C=10.0, epsilon=0.05, gamma=1.0 / x.shape[1])
    t_fit, t_fit_min, ours = timed(
        lambda: thermex.SVR(**params, standardize=False, device="cpu").fit(x, y), repeats)
    s_fit, s_fit_min, ref = timed(lambda: SkSVR(**params, tol=1e-3).fit(x, y), repeats)
    t_pred, _, p_ours = timed(lambda: ours.predict(x), repeats)
    s_pred, _, p_ref = timed(lambda: ref.predict(x), repeats)
    return {
        "n": n, "d": x.shape[1], **params,
        "thermex_fit_s": t_fit, "sklearn_fit_s": s_fit, "fit_ratio": s_fit / t_fit,
        "thermex_fit_min_s": t_fit_min, "sklearn_fit_min_s": s_fit_min,
        "thermex_predict_s": t_pred, "sklearn_predict_s": s_pred,
        "predict_ratio": s_pred / t_pred,
        "n_support": [int(ours.support_.size), int(ref.support_.size)],
        "max_abs_pred_diff_over_std_y": float(np.abs(p_ours - p_ref).max() / np.std(y)),
    }


def bench_shap(n_train, n_background, n_explain, kernel_rows):
    x, y = data(n_train)
    model = thermex.SVR(C=10.0, epsilon=0.05).fit(x, y)
    bg, rows = x[:n_background], x[n_background:n_background + n_explain]
    thermex.shap_values(model, rows[:1], bg)  # warm-up on one row
    t_exact, _, exact = timed(lambda: thermex.shap_values(model, rows, bg), 1, warmup=False)
    t_kernel, _, _ = timed(
        lambda: thermex.shap_values(model, rows, bg, method="kernel", samples=64, seed=1), 1,
        warmup=False)
    explainer = shap.KernelExplainer(model.predict, bg)
    few = rows[:kernel_rows]
    t_peer, _, peer = timed(
        lambda: explainer.shap_values(few, nsamples="auto", l1_reg=False, silent=True), 1,
        warmup=False)
    exact_row, kernel_row, peer_row = t_exact / n_explain, t_kernel / n_explain, t_peer / len(few)
    return {
        "n_train": n_train, "d": x.shape[1], "n_support": int(model.support_.size),
        "background": n_background, "thermex_rows": n_explain, "peer_rows": len(few),
        "thermex_exact_per_row_s": exact_row, "thermex_kernel64_per_row_s": kernel_row,
        "shap_kernel_explainer_per_row_s": peer_row,
        "ratio_kernel_explainer_vs_thermex_exact": peer_row / exact_row,
        "ratio_kernel_explainer_vs_thermex_kernel": peer_row / kernel_row,
        "peer_max_abs_error_vs_exact": float(np.abs(np.asarray(peer) - exact[:len(few)]).max()),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="200,500,1000", help="SVR training sizes")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--shap-train", type=int, default=300)
    ap.add_argument("--shap-background", type=int, default=50)
    ap.add_argument("--shap-rows", type=int, default=50)
    ap.add_argument("--kernel-rows", type=int, default=5)
    ap.add_argument("--output", default=None)
    args = ap.parse_args()
    load_before = os.getloadavg()
    svr = [bench_svr(int(n), args.repeats) for n in args.sizes.split(",")]
    for r in svr:
        print(f"SVR n={r['n']:5d}: fit thermex {r['thermex_fit_s']:.4f}s sklearn "
              f"{r['sklearn_fit_s']:.4f}s ratio {r['fit_ratio']:.2f}; predict ratio "
              f"{r['predict_ratio']:.2f}; max|dpred|/std(y) "
              f"{r['max_abs_pred_diff_over_std_y']:.1e}")
    sh = bench_shap(args.shap_train, args.shap_background, args.shap_rows, args.kernel_rows)
    print(f"SHAP per row: thermex exact {sh['thermex_exact_per_row_s']:.2e}s, thermex kernel(64) "
          f"{sh['thermex_kernel64_per_row_s']:.2e}s, shap.KernelExplainer "
          f"{sh['shap_kernel_explainer_per_row_s']:.2e}s; ratio vs exact "
          f"{sh['ratio_kernel_explainer_vs_thermex_exact']:.1f}, vs kernel "
          f"{sh['ratio_kernel_explainer_vs_thermex_kernel']:.1f}; peer error vs exact "
          f"{sh['peer_max_abs_error_vs_exact']:.1e}")
    result = {
        "date": datetime.date.today().isoformat(), "cpu": cpu_model(),
        "cpus": os.cpu_count(), "omp_num_threads": os.environ.get("OMP_NUM_THREADS", "unset"),
        "load_before": load_before, "load_after": os.getloadavg(),
        "thermex_version": thermex.__version__, "thermex_commit": thermex._thermex.git_commit,
        "sklearn_version": sklearn.__version__, "shap_version": shap.__version__,
        "numpy_version": np.__version__, "python": platform.python_version(),
        "svr": svr, "shap": sh,
    }
    out = pathlib.Path(args.output) if args.output else (
        ROOT / "bench" / "results" / f"{result['date']}-python-peers-{slug(result['cpu'])}.json")
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"written {out}")


if __name__ == "__main__":
    main()
