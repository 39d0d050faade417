#!/usr/bin/env python3
"""Side-by-side throughput of thermex's null-importance forests and LightGBM's rf.

The data is bench/bm_null_importance.cpp's: the synthetic database (600 records, seed 2025,
i.e. data/synthetic_dsc.csv) featurized by the thermex CLI, the rows with an onset_C value and
the features that survive the Spearman filter at 0.8 (the step-2 input of `thermex select`;
544 rows x 31 features). One "fit" is a 100-tree forest with the screening defaults
(bagging 0.8 per tree, feature fraction 0.8, depth 8, min leaf 5, 64 bins).

  thermex   thermex_bench BM_ForestFit/cpu (one fit_forest call, trees in parallel) and
            BM_NullImportance/cpu (K = 100: 101 fits per call, parallel over fits), with
            OMP_NUM_THREADS=1 and with every logical CPU;
  LightGBM  lightgbm.train(boosting='rf', tools/peers/compare_lightgbm.py's parameters) on a
            Dataset binned once, the label swapped per fit (as thermex bins once), for the same
            101 fits (the real target, then 100 permutations): num_threads=1; num_threads = all
            logical CPUs (LightGBM parallelizes inside a fit); and a process pool with one
            single-threaded LightGBM per logical CPU sharing out the fits (LightGBM's best use
            of the cores for an embarrassingly parallel loop).

Prints fits per second and the ratios (thermex fits/s over LightGBM fits/s; > 1: thermex
faster) and writes bench/results/<date>-null-cpu-<cpu>.json (date, device, commit, threads,
numbers). With --cli-shuffles N (default 1000) it also times `thermex select` end to end for
N shuffles x 3 targets with every logical CPU (issue 4: "1,000 shuffles x 3 targets on the CPU
in minutes").

Usage (from the repository root, after tools/peers/install.sh and a Release build):
  OMP_WAIT_POLICY=passive .venv-peers/bin/python bench/null_vs_lightgbm.py \\
      --bench build/screenpeers/bench/thermex_bench --cli build/screenpeers/thermex
"""

import datetime
import json
import multiprocessing
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import lightgbm as lgb
import numpy as np
import pandas as pd

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tools" / "peers"))
from compare_lightgbm import lgb_dataset, lgb_params  # noqa: E402
from rbf_vs_sklearn import (build_info, cpu_model, cpu_simd, git_commit, peer_parser,  # noqa: E402
                            require_built, slug)

SYNTH_SEED = 2025
TARGET = "onset_C"
SHUFFLES = 100
TREES = 100
FIT_SEED = 5
CLI_TARGETS = ("onset_C", "log10_max_heat_flow", "total_heat_J_per_g")


def run(cmd, **kw):
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, check=True, **kw)


def screen_data(cli, workdir):
    """(x, y, names, features.csv) of the benchmark table, built with the thermex CLI."""
    db, features = workdir / "db.h5", workdir / "features.csv"
    run([cli, "-q", "--seed", SYNTH_SEED, "synth", "--rows", 600, "-o", db])
    run([cli, "-q", "features", db, "-o", features])
    # Step 1 only matters here: one shuffle of one tree is the cheapest full `select` run.
    out = run([cli, "-q", "select", "--data", features, "--target", TARGET, "--json",
               "--shuffles", 1, "--trees", 1]).stdout
    names = [f["name"] for f in json.loads(out)["selections"][0]["importance"]]
    df = pd.read_csv(features)
    d = df[df[TARGET].notna()]
    return d[names].to_numpy(float), d[TARGET].to_numpy(float), names, features


def labels(y, shuffles):
    """The real target, then `shuffles` permutations (numpy, seeded)."""
    rng = np.random.default_rng(FIT_SEED)
    return [y] + [rng.permutation(y) for _ in range(shuffles)]


def lgb_fits(ds, ys, threads, first_seed):
    for k, y in enumerate(ys):
        ds.set_label(y)
        booster = lgb.train(lgb_params(threads, first_seed + k), ds, num_boost_round=TREES)
        booster.feature_importance(importance_type="gain")


_WORKER = {}


def _pool_init(x, y):
    _WORKER["ds"] = lgb_dataset(x, y)


def _pool_fit(task):
    k, y = task
    lgb_fits(_WORKER["ds"], [y], 1, FIT_SEED + k)
    return k


def time_lightgbm(x, y, repetitions):
    """Seconds per 101 fits, per setting: 1 thread, all threads, process pool."""
    ys = labels(y, SHUFFLES)
    cpus = os.cpu_count() or 1
    ds = lgb_dataset(x, y)
    results = {}
    for name, threads in (("single_thread", 1), ("all_threads", cpus)):
        lgb_fits(ds, ys[:2], threads, FIT_SEED)  # warm-up
        times = []
        for _ in range(repetitions):
            t0 = time.perf_counter()
            lgb_fits(ds, ys, threads, FIT_SEED)
            times.append(time.perf_counter() - t0)
        results[name] = summarize(times, len(ys), threads)
    # spawn, not fork: a child forked after LightGBM's OpenMP team exists hangs in libgomp.
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(cpus, initializer=_pool_init, initargs=(x, y)) as pool:
        pool.map(_pool_fit, list(enumerate(ys[:cpus])))  # warm-up: every worker has its Dataset
        times = []
        for _ in range(repetitions):
            t0 = time.perf_counter()
            pool.map(_pool_fit, list(enumerate(ys)), chunksize=1)
            times.append(time.perf_counter() - t0)
    results["process_pool"] = summarize(times, len(ys), cpus)
    results["process_pool"]["processes"] = cpus
    return results


def summarize(times, fits, threads):
    return {"fits": fits, "threads": threads, "median_s": statistics.median(times),
            "min_s": min(times), "repetitions": len(times),
            "fits_per_s_median": fits / statistics.median(times),
            "fits_per_s_best": fits / min(times)}


def run_bench(bench, threads, repetitions):
    """{benchmark name: numbers} of BM_ForestFit/cpu and BM_NullImportance/cpu."""
    env = dict(os.environ)
    env.pop("OMP_NUM_THREADS", None)
    if threads is not None:
        env["OMP_NUM_THREADS"] = str(threads)
    out = run([bench, "--benchmark_filter=^BM_(ForestFit|NullImportance)/cpu",
               "--benchmark_format=json", f"--benchmark_repetitions={repetitions}"],
              env=env).stdout
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    runs = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("error_occurred"):
            sys.exit(f"thermex_bench: {b['name']}: {b.get('error_message')}")
        if b.get("run_type") == "iteration":
            runs.setdefault(b["run_name"], []).append(b)
    results = {}
    for name, samples in runs.items():
        key = name.split("/real_time")[0]
        fits = SHUFFLES + 1 if key.startswith("BM_NullImportance") else 1
        seconds = [s["real_time"] * scale[s["time_unit"]] for s in samples]
        results[key] = summarize(seconds, fits, int(samples[0]["omp_threads"]))
        results[key].update(rows=int(samples[0]["rows"]), features=int(samples[0]["features"]),
                            items_per_second=[s["items_per_second"] for s in samples])
    return results


def time_cli(cli, features, shuffles):
    """Wall seconds of `thermex select` for CLI_TARGETS with `shuffles` shuffles each."""
    cmd = [cli, "-q", "--seed", FIT_SEED, "select", "--data", features, "--shuffles", shuffles,
           "--json"]
    for t in CLI_TARGETS:
        cmd += ["--target", t]
    t0 = time.perf_counter()
    run(cmd)
    seconds = time.perf_counter() - t0
    return {"targets": list(CLI_TARGETS), "shuffles": shuffles, "seconds": seconds,
            "fits": len(CLI_TARGETS) * (shuffles + 1),
            "fits_per_s": len(CLI_TARGETS) * (shuffles + 1) / seconds}


def main():
    parser = peer_parser(__doc__)
    parser.add_argument("--cli-shuffles", type=int, default=1000,
                        help="shuffles of the end-to-end `thermex select` run (0: skip)")
    args = parser.parse_args()
    require_built(args.bench, args.cli)

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        x, y, names, features = screen_data(args.cli, pathlib.Path(tmp))
        print(f"data: {x.shape[0]} rows x {x.shape[1]} features ({TARGET}), {TREES} trees per "
              f"fit, {SHUFFLES + 1} fits per null-importance run")
        settings = {"single_thread": 1, "default_threads": None}
        thermex = {k: run_bench(args.bench, t, args.repetitions) for k, t in settings.items()}
        for k, r in thermex.items():
            for name, v in r.items():
                if (v["rows"], v["features"]) != x.shape:
                    sys.exit(f"{name} ({k}) ran on {v['rows']} x {v['features']}, not {x.shape}")
        lightgbm = time_lightgbm(x, y, args.repetitions)
        cli = time_cli(args.cli, features, args.cli_shuffles) if args.cli_shuffles else None

    def ratio(th, lg):
        return {"median": th["fits_per_s_median"] / lg["fits_per_s_median"],
                "best": th["fits_per_s_best"] / lg["fits_per_s_best"]}

    null1 = thermex["single_thread"]["BM_NullImportance/cpu"]
    nulln = thermex["default_threads"]["BM_NullImportance/cpu"]
    fit1 = thermex["single_thread"]["BM_ForestFit/cpu"]
    fitn = thermex["default_threads"]["BM_ForestFit/cpu"]
    best_lgb_n = max(lightgbm["all_threads"], lightgbm["process_pool"],
                     key=lambda v: v["fits_per_s_median"])
    ratios = {
        "null_importance_1_thread": ratio(null1, lightgbm["single_thread"]),
        "null_importance_all_threads_vs_lightgbm_all_threads": ratio(nulln,
                                                                     lightgbm["all_threads"]),
        "null_importance_all_threads_vs_lightgbm_process_pool": ratio(nulln,
                                                                      lightgbm["process_pool"]),
        "null_importance_all_threads_vs_best_lightgbm": ratio(nulln, best_lgb_n),
        "forest_fit_1_thread": ratio(fit1, lightgbm["single_thread"]),
        "forest_fit_all_threads_vs_lightgbm_all_threads": ratio(fitn, lightgbm["all_threads"]),
    }
    rows = [("thermex BM_ForestFit/cpu", fit1, fitn),
            ("thermex BM_NullImportance/cpu", null1, nulln),
            ("LightGBM rf (threads in a fit)", lightgbm["single_thread"],
             lightgbm["all_threads"]),
            ("LightGBM rf (process pool)", lightgbm["single_thread"], lightgbm["process_pool"])]
    print(f"{'':32} {'1 thread fits/s':>18} {'all threads fits/s':>20}  (median, best)")
    for label, a, b in rows:
        print(f"{label:32} {a['fits_per_s_median']:8.1f} {a['fits_per_s_best']:8.1f}   "
              f"{b['fits_per_s_median']:8.1f} {b['fits_per_s_best']:8.1f}  ({b['threads']} thr)")
    for k, v in ratios.items():
        print(f"ratio thermex / LightGBM, {k}: {v['median']:.2f}x (best {v['best']:.2f}x)")
    if cli:
        print(f"thermex select, {cli['shuffles']} shuffles x {len(cli['targets'])} targets, all "
              f"threads: {cli['seconds']:.1f} s ({cli['fits_per_s']:.1f} fits/s)")

    commit, dirty = git_commit()
    today = datetime.date.today().isoformat()
    record = {
        "date": today,
        "benchmark": "null-importance forest fits: thermex vs LightGBM rf",
        "device": cpu_model(),
        "host": {"cpu_model": cpu_model(), "cpu_simd": cpu_simd(),
                 "logical_cpus": os.cpu_count(), "load_average_before": load_before,
                 "load_average_after": os.getloadavg()},
        "environment": {k: os.environ.get(k) for k in ("OMP_WAIT_POLICY", "OMP_PROC_BIND")},
        "commit": commit,
        "working_tree_dirty": dirty,
        "data": {"synth_seed": SYNTH_SEED, "target": TARGET, "rows": int(x.shape[0]),
                 "features": names, "trees": TREES, "shuffles": SHUFFLES},
        "threads": {"thermex_single": 1,
                    "thermex_default": nulln["threads"],
                    "lightgbm": {k: v["threads"] for k, v in lightgbm.items()}},
        "software": {"python": sys.version.split()[0], "numpy": np.__version__,
                     "lightgbm": lgb.__version__, "thermex_build": build_info(args.bench)},
        "method": ("thermex: thermex_bench real time per repetition; LightGBM: wall time of the "
                   "101 fits after a warm-up, Dataset binned once outside the timing; "
                   "ratio = thermex fits/s / LightGBM fits/s, > 1 means thermex faster"),
        "thermex_bench": thermex,
        "lightgbm": lightgbm,
        "ratios": ratios,
        "thermex_select_cli": cli,
    }
    args.out_dir.mkdir(parents=True, exist_ok=True)
    path = args.out_dir / f"{today}-null-cpu-{slug(cpu_model())}.json"
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


if __name__ == "__main__":
    main()
