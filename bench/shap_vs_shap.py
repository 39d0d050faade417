#!/usr/bin/env python3
"""Time per explained row: thermex's exact SHAP vs the `shap` library, on one fitted model.

Model and data: tools/peers/compare_shap.py (an RBF SVR fitted by `thermex svr fit` on n = 600
rows of d = 15 features; `shap` calls a numpy re-implementation of that very model's
prediction, vectorized over all masked rows of a call). Timings, wall clock per explained row:
  thermex exact         `thermex shap --method exact` (whole process: start-up, CSV, model file)
                        on 200 rows against the 100-row background, and on the same rows against
                        the 20-row background;
  shap KernelExplainer  nsamples='auto', l1_reg=False, 100-row background, 3 rows (approximate:
                        its error against thermex exact is reported too);
  shap ExactExplainer   20-row background (2^15 coalitions x 20 rows per explained row), 2 rows.
Ratios are shap time / thermex time (> 1: thermex faster) at equal backgrounds. Writes
bench/results/<date>-shap-cpu-<cpu>.json. Takes about 2 minutes on 2 vCPUs.

Usage (after tools/peers/install.sh and a Release build): .venv-peers/bin/python
  bench/shap_vs_shap.py [--cli build/bench/thermex]
"""

import argparse
import datetime
import json
import os
import pathlib
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tools" / "peers"))
import shap  # noqa: E402
from compare_shap import (BACKGROUND, SMALL_BACKGROUND, Setup, accuracy, shap_exact,  # noqa: E402
                          shap_kernel)
from rbf_vs_sklearn import ROOT, build_info, cpu_model, git_commit, slug  # noqa: E402

THERMEX_ROWS = 200
KERNEL_ROWS = 3
EXACT_ROWS = 2


def per_row(fn, rows):
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) / rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cli", default=str(ROOT / "build" / "bench" / "thermex"),
                    help="thermex binary (default: the bench preset's build)")
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="thermex threads")
    args = ap.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        s = Setup(args.cli, tmp)
        x, bg, small = s.x, s.x[:BACKGROUND], s.x[:SMALL_BACKGROUND]
        rows = x[BACKGROUND:BACKGROUND + THERMEX_ROWS]
        _, dt = s.thermex(rows, bg, threads=args.threads)
        t_ours = dt / THERMEX_ROWS
        _, dt = s.thermex(rows, small, threads=args.threads)
        t_ours_small = dt / THERMEX_ROWS
        t_kernel = per_row(lambda: shap_kernel(s, rows[:KERNEL_ROWS], bg), KERNEL_ROWS)
        t_exact = per_row(lambda: shap_exact(s, rows[:EXACT_ROWS], small), EXACT_ROWS)
        acc = accuracy(s)
    numbers = {
        "thermex_exact_s_per_row_bg100": t_ours,
        "thermex_exact_s_per_row_bg20": t_ours_small,
        "shap_kernel_s_per_row_bg100": t_kernel,
        "shap_exact_s_per_row_bg20": t_exact,
        "ratio_kernel_over_thermex_exact_bg100": t_kernel / t_ours,
        "ratio_shap_exact_over_thermex_exact_bg20": t_exact / t_ours_small,
    }
    commit, dirty = git_commit()
    device = " ".join(cpu_model().split()[:2])
    out = {
        "date": datetime.date.today().isoformat(),
        "benchmark": "thermex shap (exact) vs shap.KernelExplainer / shap.ExactExplainer",
        "device": device,
        "host": {"cpu_model": cpu_model(), "logical_cpus": os.cpu_count(),
                 "load_average_before": list(load_before),
                 "load_average_after": list(os.getloadavg())},
        "commit": commit, "dirty": dirty, "build": build_info(args.cli),
        "thermex_threads": args.threads, "shap_version": shap.__version__,
        "model": {"n_train": 600, "features": 15, "C": 10.0, "epsilon": 0.1, "gamma": "scale",
                  "n_support": acc["n_support"]},
        "rows_timed": {"thermex": THERMEX_ROWS, "kernel": KERNEL_ROWS, "exact": EXACT_ROWS},
        "times": numbers, "accuracy": acc,
    }
    for k, v in {**numbers, **acc}.items():
        print(f"{k}: {v:.4g}" if isinstance(v, float) else f"{k}: {v}")
    path = ROOT / "bench" / "results" / f"{out['date']}-shap-cpu-{slug(device)}.json"
    path.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
