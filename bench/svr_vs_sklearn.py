#!/usr/bin/env python3
"""Side-by-side timing of thermex's epsilon-SVR and scikit-learn's SVR (libsvm).

Cases (the sizes of bench/bm_svr.cpp):
  fit      n x 15, n in {300, 600, 2000, 5000}: SVR(C=10, epsilon=0.1, gamma='scale'), defaults
           otherwise (shrinking=True, tol=1e-3), on StandardScaler'd X.
  grid     5 folds x 12 points on n = 600: C in {0.1, 1, 10, 100} x gamma in {0.02, scale, 0.2},
           epsilon 0.1; GridSearchCV(Pipeline(StandardScaler, SVR), KFold(5, shuffle),
           scoring RMSE, refit=False) with n_jobs=1 and n_jobs=-1.
  issue grid  issue 3's grid: C = logspace(-1, 3, 8) x gamma = logspace(-3, 0, 8) x epsilon in
           {0.01, 0.05, 0.1, 0.2}, 5 folds of n = 600 (1,280 fits of 480 rows), GridSearchCV as
           above with n_jobs=-1 (once: ~25 s); thermex BM_SvrIssueGrid/cpu cold and with warm
           starts along C.
  predict  1e5 x 15 queries of the model fitted on n = 600.
thermex is timed two ways and both are reported:
  bench    thermex_bench (--benchmark_format=json) on its own data of the same recipe and size
           (Philox draws instead of numpy's; bm_svr.cpp), single-threaded (OMP_NUM_THREADS=1)
           and with default threads;
  cli      `thermex svr fit --test-fraction 0` on the very CSV scikit-learn was fitted on
           (wall time of the process: start-up, CSV parsing, the fit, predictions for the
           training metrics and the HDF5 model file), default threads.
Prints the ratios (sklearn time / thermex time; > 1: thermex faster) and writes
bench/results/<date>-svr-cpu-<cpu>.json (date, device, commit, thread counts, numbers).

Usage (from the repository root, after tools/peers/install.sh and a Release build):
  .venv-peers/bin/python bench/svr_vs_sklearn.py --bench build/svrperf/bench/thermex_bench \
      --cli build/svrperf/thermex
"""

import datetime
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import sklearn
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVR
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from rbf_vs_sklearn import (ROOT, build_info, cpu_model, cpu_simd, git_commit, peer_parser,  # noqa: E402
                            require_built, slug)

FIT_NS = (300, 600, 2000, 5000)
D = 15
GRID = {"svr__C": [0.1, 1.0, 10.0, 100.0], "svr__gamma": [0.02, "scale", 0.2]}
ISSUE_GRID = {"svr__C": list(np.logspace(-1, 3, 8)), "svr__gamma": list(np.logspace(-3, 0, 8)),
              "svr__epsilon": [0.01, 0.05, 0.1, 0.2]}
FOLDS = 5
GRID_ROWS = 600
PREDICT_ROWS = 100_000


def make_data(n, d, seed):
    """bm_svr.cpp's recipe: columns of different scale/offset, a smooth target plus noise."""
    rng = np.random.default_rng(seed)
    j = np.arange(d, dtype=float)
    x = rng.uniform(-1.0, 1.0, size=(n, d)) * (1.0 + j / 4.0) + j / 10.0
    noise = rng.uniform(-1.0, 1.0, size=n) * np.sqrt(3.0)
    y = 3.0 * np.tanh(x @ np.cos(j + 1.0) / 4.0) + 0.3 * np.sin(np.pi * x[:, 0] * x[:, 1])
    return x, y + 0.1 * noise


def repeat(fn, min_time_s, min_repeats):
    """(median, min, calls) of fn's wall time in seconds, after one warm-up call."""
    fn()
    times = []
    start = time.perf_counter()
    while len(times) < min_repeats or time.perf_counter() - start < min_time_s:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return {"median_s": statistics.median(times), "min_s": min(times), "calls": len(times)}


def sklearn_fit(x, y):
    xs = StandardScaler().fit_transform(x)
    return SVR(C=10.0, epsilon=0.1, gamma="scale").fit(xs, y)


def sklearn_grid(x, y, n_jobs, grid=GRID):
    pipe = Pipeline([("scale", StandardScaler()), ("svr", SVR(epsilon=0.1))])
    search = GridSearchCV(pipe, grid, cv=KFold(FOLDS, shuffle=True, random_state=3),
                          scoring="neg_root_mean_squared_error", n_jobs=n_jobs, refit=False)
    return search.fit(x, y)


def run_bench(bench, threads, repetitions):
    """{benchmark name: {median_s, min_s, threads, counters}} from thermex_bench."""
    env = dict(os.environ)
    env.pop("OMP_NUM_THREADS", None)
    if threads is not None:
        env["OMP_NUM_THREADS"] = str(threads)
    cmd = [str(bench), "--benchmark_filter=^BM_Svr[A-Za-z]*/cpu/", "--benchmark_format=json",
           f"--benchmark_repetitions={repetitions}"]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    runs = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("error_occurred"):
            sys.exit(f"thermex_bench: {b['name']}: {b.get('error_message')}")
        if b.get("run_type") != "iteration":
            continue
        runs.setdefault(b["run_name"].removesuffix("/real_time"), []).append(b)
    results = {}
    for name, samples in runs.items():
        seconds = [s["real_time"] * scale[s["time_unit"]] for s in samples]
        extra = {k: samples[0][k] for k in ("n_sv", "smo_iter", "problems") if k in samples[0]}
        results[name] = {"median_s": statistics.median(seconds), "min_s": min(seconds),
                         "threads": int(samples[0]["omp_threads"]),
                         "repetitions": len(seconds), **extra}
    return results


def time_cli(cli, x, y, repeats):
    """Wall seconds of `thermex svr fit` on a CSV of (x, y): (median, min, calls)."""
    with tempfile.TemporaryDirectory() as tmp:
        csv = pathlib.Path(tmp) / "data.csv"
        header = ",".join([f"f{k}" for k in range(x.shape[1])] + ["y"])
        np.savetxt(csv, np.column_stack([x, y]), delimiter=",", header=header, comments="",
                   fmt="%.17g")
        cmd = [str(cli), "svr", "fit", "--data", str(csv), "--target", "y", "--C", "10",
               "--epsilon", "0.1", "--gamma", "scale", "--test-fraction", "0", "-o",
               str(pathlib.Path(tmp) / "model.h5")]

        def once():
            subprocess.run(cmd, capture_output=True, text=True, check=True)
        return repeat(once, 0.0, repeats)


def ratio(sk, th):
    return {"median": sk["median_s"] / th["median_s"], "best": sk["min_s"] / th["min_s"]}


def main():
    parser = peer_parser(__doc__)
    parser.add_argument("--min-time", type=float, default=1.0,
                        help="seconds of sklearn calls per fit/predict case")
    args = parser.parse_args()
    require_built(args.bench, args.cli)

    load_before = os.getloadavg()
    settings = {"single_thread": 1, "default_threads": None}
    bench = {k: run_bench(args.bench, t, args.repetitions) for k, t in settings.items()}
    rows = []

    def report(case, sk, key, extra):
        th = {k: bench[k][key] for k in settings}
        row = {"case": case, "sklearn": sk, **extra,
               "thermex_bench": th,
               "sklearn_over_thermex": {k: ratio(sk, th[k]) for k in settings}}
        rows.append(row)
        r1, rn = row["sklearn_over_thermex"]["single_thread"], \
            row["sklearn_over_thermex"]["default_threads"]
        print(f"{case:>24} sklearn {sk['median_s'] * 1e3:9.2f} ms | thermex 1 thr "
              f"{th['single_thread']['median_s'] * 1e3:9.2f} ms ({r1['median']:6.2f}x, best "
              f"{r1['best']:6.2f}x) | {th['default_threads']['threads']} thr "
              f"{th['default_threads']['median_s'] * 1e3:9.2f} ms ({rn['median']:6.2f}x)")
        return row

    for n in FIT_NS:
        x, y = make_data(n, D, n)
        model = sklearn_fit(x, y)
        sk = repeat(lambda x=x, y=y: sklearn_fit(x, y), args.min_time, 3)
        row = report(f"fit {n}x{D}", sk, f"BM_SvrFit/cpu/{n}/{D}",
                     {"n": n, "d": D, "sklearn_n_sv": int(model.support_.size),
                      "sklearn_n_iter": int(np.sum(model.n_iter_))})
        row["thermex_cli"] = time_cli(args.cli, x, y, 3)
        row["sklearn_over_thermex_cli"] = ratio(sk, row["thermex_cli"])
        print(f"{'':>24} thermex CLI (process, same CSV) "
              f"{row['thermex_cli']['median_s'] * 1e3:9.2f} ms "
              f"({row['sklearn_over_thermex_cli']['median']:6.2f}x)")

    x, y = make_data(GRID_ROWS, D, 1)
    for n_jobs in (1, -1):
        sk = repeat(lambda: sklearn_grid(x, y, n_jobs), 0.0, 2)
        key = "BM_SvrGridSearch/cpu"
        report(f"grid 5x12 n_jobs={n_jobs}", sk, key,
               {"n": GRID_ROWS, "d": D, "problems": FOLDS * 12, "sklearn_n_jobs": n_jobs})
    report("batch fit 5x12 (n_jobs=1)", repeat(lambda: sklearn_grid(x, y, 1), 0.0, 2),
           "BM_SvrFitBatch/cpu", {"n": GRID_ROWS, "d": D, "problems": FOLDS * 12,
                                  "note": "thermex fits only; sklearn GridSearchCV incl. scoring"})

    sk = repeat(lambda: sklearn_grid(x, y, -1, ISSUE_GRID), 0.0, 1)
    for warm in (0, 1):
        report(f"issue grid 256x5 warm={warm}", sk, f"BM_SvrIssueGrid/cpu/warm:{warm}",
               {"n": GRID_ROWS, "d": D, "problems": FOLDS * 256, "sklearn_n_jobs": -1})

    xq, _ = make_data(PREDICT_ROWS, D, 4)
    x6, y6 = make_data(600, D, 600)
    scaler = StandardScaler().fit(x6)
    model = SVR(C=10.0, epsilon=0.1, gamma="scale").fit(scaler.transform(x6), y6)
    with threadpool_limits(limits=1):
        sk = repeat(lambda: model.predict(scaler.transform(xq)), args.min_time, 2)
    report(f"predict {PREDICT_ROWS}", sk, f"BM_SvrPredict/cpu/{PREDICT_ROWS}",
           {"queries": PREDICT_ROWS, "sklearn_n_sv": int(model.support_.size)})

    commit, dirty = git_commit()
    today = datetime.date.today().isoformat()
    record = {
        "date": today,
        "benchmark": "thermex svr vs sklearn.svm.SVR / GridSearchCV",
        "device": cpu_model(),
        "host": {"cpu_model": cpu_model(), "cpu_simd": cpu_simd(),
                 "logical_cpus": os.cpu_count(), "load_average_before": load_before,
                 "load_average_after": os.getloadavg()},
        "environment": {k: os.environ.get(k) for k in ("OMP_WAIT_POLICY", "OMP_PROC_BIND",
                                                         "GOMP_SPINCOUNT")},
        "commit": commit,
        "working_tree_dirty": dirty,
        "threads": {"thermex_bench": {k: sorted({v["threads"] for v in bench[k].values()})
                                      for k in settings},
                    "sklearn_fit": 1, "sklearn_grid_n_jobs": [1, -1],
                    "thermex_cli": "default (all logical CPUs)"},
        "software": {"python": sys.version.split()[0], "numpy": np.__version__,
                     "scikit_learn": sklearn.__version__,
                     "thermex_build": build_info(args.bench)},
        "method": ("same recipe and sizes on both sides; sklearn and the thermex CLI on the "
                   "same numpy data, thermex_bench on its own Philox data; sklearn: wall time "
                   "per call after a warm-up (median and min); thermex_bench: per-repetition "
                   "real time; ratio = sklearn time / thermex time, > 1 means thermex faster"),
        "results": rows,
    }
    args.out_dir.mkdir(parents=True, exist_ok=True)
    path = args.out_dir / f"{today}-svr-cpu-{slug(cpu_model())}.json"
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


if __name__ == "__main__":
    main()
