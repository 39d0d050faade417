#!/usr/bin/env python3
"""Side-by-side timing of the thermex RBF kernel matrix and scikit-learn's.

Times sklearn.metrics.pairwise.rbf_kernel(X, Z, gamma=1/d) on the sizes of
bench/bm_rbf_kernel.cpp (n x n kernel, n in {256, 1024, 4096}, d in {16, 64}, U(-1, 1) data),
runs `thermex_bench --benchmark_filter=^BM_RbfKernel/<device>/ --benchmark_format=json`, prints
the ratios and writes bench/results/<date>-rbf-<device>.json (date, device, commit, numbers).

Both sides run twice: single-threaded (sklearn under threadpoolctl's limit of 1 BLAS/OpenMP
thread, thermex with OMP_NUM_THREADS=1) and with default threads (every logical CPU). With
--device cuda thermex runs BM_RbfKernel/cuda (device-resident, cudaEvent timing) instead; its
thread setting then only affects the host side.

--isa forces one of the CPU twin's instruction-set variants (THERMEX_CPU_ISA: baseline,
avx2, avx512); without it the best one the CPU supports runs, and the file name carries
no suffix. With --isa the name gets `-isa-<variant>`.

Usage (from the repository root, after tools/peers/install.sh and a Release build):
  .venv-peers/bin/python bench/rbf_vs_sklearn.py --bench build/rbf/bench/thermex_bench
"""

import argparse
import datetime
import json
import os
import pathlib
import re
import statistics
import subprocess
import sys
import time

import numpy as np
import sklearn
from sklearn.metrics.pairwise import rbf_kernel
from threadpoolctl import threadpool_info, threadpool_limits

ROOT = pathlib.Path(__file__).resolve().parent.parent
NS = (256, 1024, 4096)
DS = (16, 64)


def cpu_model():
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown CPU"


def cpu_simd():
    """The SIMD extensions that pick the CPU twin's variant (and numpy's), from /proc/cpuinfo."""
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                return [f for f in ("sse2", "avx2", "fma", "avx512f") if f in flags]
    return []


def gpu_model():
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
                             capture_output=True, text=True, check=True).stdout
        return out.strip().splitlines()[0]
    except (OSError, subprocess.CalledProcessError, IndexError):
        return "unknown GPU"


def git_commit():
    def git(*args):
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              check=False).stdout.strip()
    commit = git("rev-parse", "--short=12", "HEAD") or "unknown"
    dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    return commit, dirty


def slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def peer_parser(doc):
    """The options the peer scripts that drive both thermex_bench and the CLI share: --bench,
    --cli, --repetitions, --out-dir (each script adds its own)."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--bench", type=pathlib.Path,
                        default=ROOT / "build" / "bench" / "bench" / "thermex_bench")
    parser.add_argument("--cli", type=pathlib.Path, default=ROOT / "build" / "bench" / "thermex")
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--out-dir", type=pathlib.Path, default=ROOT / "bench" / "results")
    return parser


def require_built(*paths):
    """Exits with a clear message when a binary the script drives has not been built."""
    for path in paths:
        if not path.exists():
            sys.exit(f"{path} not found; build thermex_bench and thermex first")


def build_info(bench):
    """Build type and flags of the thermex_bench build, read from its CMakeCache.txt."""
    keys = ("CMAKE_BUILD_TYPE", "THERMEX_NATIVE", "THERMEX_CUDA", "CMAKE_CXX_COMPILER",
            "CMAKE_CXX_FLAGS")
    for parent in pathlib.Path(bench).resolve().parents:
        cache = parent / "CMakeCache.txt"
        if cache.exists():
            info = {"build_dir": str(parent)}
            for line in cache.read_text(encoding="utf-8", errors="replace").splitlines():
                name, sep, value = line.partition("=")
                if sep and name.split(":")[0] in keys:
                    info[name.split(":")[0]] = value
            return info
    return {}


def time_sklearn(n, d, min_time_s, min_repeats):
    """Per-call seconds of rbf_kernel (after one warm-up call) as (median, min, calls)."""
    rng = np.random.default_rng(7)
    x = rng.uniform(-1.0, 1.0, size=(n, d))
    z = rng.uniform(-1.0, 1.0, size=(n, d))
    gamma = 1.0 / d
    rbf_kernel(x, z, gamma=gamma)
    times = []
    start = time.perf_counter()
    while len(times) < min_repeats or time.perf_counter() - start < min_time_s:
        t0 = time.perf_counter()
        rbf_kernel(x, z, gamma=gamma)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times), len(times)


def run_thermex(bench, device, threads, repetitions, isa):
    """{(n, d): {median_s, min_s, items_per_second, threads}} over thermex_bench repetitions."""
    env = dict(os.environ)
    env.pop("THERMEX_CPU_ISA", None)
    if isa:
        env["THERMEX_CPU_ISA"] = isa
    if threads is not None:
        env["OMP_NUM_THREADS"] = str(threads)
    cmd = [str(bench), f"--benchmark_filter=^BM_RbfKernel/{device}/", "--benchmark_format=json",
           f"--benchmark_repetitions={repetitions}"]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    runs = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("error_occurred"):
            sys.exit(f"thermex_bench: {b['name']}: {b.get('error_message')}")
        if b.get("run_type") != "iteration":
            continue
        n, d = (int(v) for v in b["run_name"].split("/")[2:4])
        runs.setdefault((n, d), []).append(
            (b["real_time"] * scale[b["time_unit"]], int(b["omp_threads"])))
    results = {}
    for key, samples in runs.items():
        seconds = [t for t, _ in samples]
        median = statistics.median(seconds)
        results[key] = {"median_s": median, "min_s": min(seconds),
                        "items_per_second": key[0] * key[0] / median,
                        "threads": samples[0][1], "repetitions": len(seconds)}
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bench", type=pathlib.Path,
                        default=ROOT / "build" / "bench" / "bench" / "thermex_bench")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--repetitions", type=int, default=3,
                        help="thermex_bench repetitions (the median is kept)")
    parser.add_argument("--min-time", type=float, default=0.5,
                        help="seconds of sklearn calls per size and thread setting")
    parser.add_argument("--isa", choices=("baseline", "avx2", "avx512"),
                        help="force this CPU-twin variant (THERMEX_CPU_ISA); default: the best")
    parser.add_argument("--out-dir", type=pathlib.Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()
    if not args.bench.exists():
        sys.exit(f"{args.bench} not found; build the thermex_bench target first")

    logical_cpus = os.cpu_count() or 1
    load_before = os.getloadavg()
    settings = {"single_thread": 1, "default_threads": None}
    thermex = {k: run_thermex(args.bench, args.device, t, args.repetitions, args.isa)
               for k, t in settings.items()}
    sklearn_times = {}
    for key, threads in settings.items():
        limit = threadpool_limits(limits=threads) if threads else None
        sklearn_times[key] = {(n, d): time_sklearn(n, d, args.min_time, 3) for d in DS for n in NS}
        if limit:
            limit.restore_original_limits()

    rows = []
    print(f"{'n':>5} {'d':>3} {'threads':>16} {'sklearn ms':>11} {'thermex ms':>11} "
          f"{'thermex thr':>11} {'ratio median':>13} {'ratio best':>11}")
    for d in DS:
        for n in NS:
            row = {"n": n, "d": d, "m": n, "gamma": 1.0 / d}
            for key in settings:
                sk_median, sk_min, sk_calls = sklearn_times[key][(n, d)]
                th = thermex[key][(n, d)]
                row[key] = {"sklearn_median_s": sk_median, "sklearn_min_s": sk_min,
                            "sklearn_calls": sk_calls,
                            "sklearn_items_per_second": n * n / sk_median,
                            "thermex_median_s": th["median_s"], "thermex_min_s": th["min_s"],
                            "thermex_repetitions": th["repetitions"],
                            "thermex_items_per_second": th["items_per_second"],
                            "thermex_threads": th["threads"],
                            "sklearn_over_thermex_median": sk_median / th["median_s"],
                            "sklearn_over_thermex_best": sk_min / th["min_s"]}
                print(f"{n:>5} {d:>3} {key:>16} {sk_median * 1e3:>11.3f} "
                      f"{th['median_s'] * 1e3:>11.3f} {th['threads']:>11} "
                      f"{sk_median / th['median_s']:>13.2f} {sk_min / th['min_s']:>11.2f}")
            rows.append(row)

    commit, dirty = git_commit()
    today = datetime.date.today().isoformat()
    device = cpu_model() if args.device == "cpu" else gpu_model()
    record = {
        "date": today,
        "benchmark": "rbf_kernel_matrix vs sklearn.metrics.pairwise.rbf_kernel",
        "device": device,
        "thermex_backend": args.device,
        "host": {"cpu_model": cpu_model(), "cpu_simd": cpu_simd(), "logical_cpus": logical_cpus,
                 "load_average_before": load_before, "load_average_after": os.getloadavg()},
        "environment": {k: os.environ.get(k) for k in ("OMP_WAIT_POLICY", "OMP_PROC_BIND",
                                                         "GOMP_SPINCOUNT")},
        "commit": commit,
        "working_tree_dirty": dirty,
        "software": {"python": sys.version.split()[0], "numpy": np.__version__,
                     "scikit_learn": sklearn.__version__,
                     "thermex_build": build_info(args.bench),
                     "thermex_cpu_isa": args.isa or "auto (best supported)",
                     "blas": [{k: i.get(k) for k in ("internal_api", "version", "num_threads")}
                              for i in threadpool_info()]},
        "method": ("n x n kernel, X and Z U(-1, 1) (different draws per side), gamma = 1/d; "
                   "sklearn: per-call times of >= 3 calls and >= min-time s after a warm-up; "
                   "thermex: per-repetition real time of thermex_bench (each the mean over its "
                   "iterations); median and best (min) of each; single_thread = threadpoolctl "
                   "limit 1 / OMP_NUM_THREADS=1, default_threads = all logical CPUs; ratio = "
                   "sklearn time / thermex time, > 1 means thermex is faster. On a shared host "
                   "the best times are the better estimate of uncontended speed"),
        "results": rows,
    }
    args.out_dir.mkdir(parents=True, exist_ok=True)
    native = "-native" if record["software"]["thermex_build"].get("THERMEX_NATIVE") == "ON" else ""
    isa = f"-isa-{args.isa}" if args.isa else ""
    path = args.out_dir / f"{today}-rbf-{args.device}-{slug(device)}{native}{isa}.json"
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


if __name__ == "__main__":
    main()
