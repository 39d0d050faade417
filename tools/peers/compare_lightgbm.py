#!/usr/bin/env python3
"""Compare thermex's screening forest and null importance with LightGBM's random forest.

On the bundled synthetic database (data/synthetic_dsc.csv, imported and featurized by the
thermex CLI; or `--synth-seed S` for `thermex synth --rows 600`), for each target:

  ours      `thermex select --json`: the step-2 features (the Spearman survivors), their actual
            gain importances, null q-quantiles, p-values and kept/dropped decisions;
  LightGBM  lightgbm.train(boosting='rf') with the same forest on the same rows and features:
            bagging_fraction 0.8 with bagging_freq 1, feature_fraction 0.8, max_depth 8,
            min_data_in_leaf 5, max_bin 64, the same number of trees, no regularisation,
            deterministic, force_col_wise, a fixed thread count; gain importance
            (feature_importance('gain')). The null loop is the same rule as thermex's
            (data/SCREENING.md): K refits on targets permuted by numpy, keep unless
            actual < q-quantile (numpy 'linear') of the null or actual == 0,
            p = (1 + #{null >= actual}) / (K + 1).

Reports per target the Spearman correlation of the two actual-importance vectors (issue 4
expects > 0.9), the top-10 overlap, the ratio of the total gains, the Spearman correlation of
the null quantiles and the agreement of the kept/dropped decisions (with Cohen's kappa and the
features decided differently), for each Spearman threshold given (default: 0.8, the screening
workflow, and 1, all candidates). Writes bench/results/<date>-screen-lightgbm-<cpu>.json.

Usage (from the repository root, after tools/peers/install.sh and a build of the CLI):
  .venv-peers/bin/python tools/peers/compare_lightgbm.py --thermex build/screenpeers/thermex
"""

import argparse
import datetime
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import lightgbm as lgb
import numpy as np
import pandas as pd
from scipy.stats import spearmanr

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from rbf_vs_sklearn import build_info, cpu_model, git_commit, slug  # noqa: E402

TARGETS = ("onset_C", "peak_C", "log10_max_heat_flow", "total_heat_J_per_g")
# thermex's ForestOptions defaults (include/thermex/forest.hpp, data/SCREENING.md).
MAX_DEPTH = 8
MIN_LEAF = 5
MAX_BIN = 64
BAGGING_FRACTION = 0.8
FEATURE_FRACTION = 0.8


def lgb_params(threads, seed):
    """LightGBM rf parameters equivalent to thermex's forest (gain = SSE decrease)."""
    return dict(
        objective="regression", boosting="rf", bagging_fraction=BAGGING_FRACTION,
        bagging_freq=1, feature_fraction=FEATURE_FRACTION, feature_fraction_bynode=1.0,
        max_depth=MAX_DEPTH, num_leaves=2 ** MAX_DEPTH, min_data_in_leaf=MIN_LEAF,
        min_sum_hessian_in_leaf=1e-3, min_gain_to_split=0.0, lambda_l1=0.0, lambda_l2=0.0,
        max_bin=MAX_BIN, deterministic=True, force_col_wise=True, num_threads=threads,
        seed=seed, verbose=-1)


def lgb_dataset(x, y):
    """A LightGBM Dataset binned once (as thermex bins once); labels are swapped per fit."""
    params = {"max_bin": MAX_BIN, "min_data_in_leaf": MIN_LEAF, "feature_pre_filter": False,
              "verbose": -1}
    return lgb.Dataset(x, y, params=params, free_raw_data=False).construct()


def lgb_gain(ds, y, params, trees):
    """Gain importance per feature of one rf fit of `ds` with label `y`."""
    ds.set_label(y)
    booster = lgb.train(params, ds, num_boost_round=trees)
    return booster.feature_importance(importance_type="gain")


def quantile_linear(values, q):
    return float(np.quantile(values, q, method="linear"))


def lgb_null_importance(x, y, shuffles, quantile, trees, threads, seed):
    """LightGBM's actual and null importances and thermex's decision rule applied to them."""
    ds = lgb_dataset(x, y)
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    actual = lgb_gain(ds, y, lgb_params(threads, seed), trees)
    null = np.empty((shuffles, x.shape[1]))
    for s in range(shuffles):
        # Fit s + 1 gets its own bagging/feature seeds, as thermex's fit s + 1 its own streams.
        null[s] = lgb_gain(ds, rng.permutation(y), lgb_params(threads, seed + s + 1), trees)
    seconds = time.perf_counter() - start
    null_q = np.array([quantile_linear(null[:, f], quantile) for f in range(x.shape[1])])
    p = (1.0 + (null >= actual[None, :]).sum(axis=0)) / (shuffles + 1.0)
    keep = (actual >= null_q) & (actual > 0)
    return {"actual": actual, "null_quantile": null_q, "p_value": p, "keep": keep,
            "seconds": seconds}


def run(cmd):
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, check=True)


def prepare_features(thermex, workdir, synth_seed):
    """features.csv (+ sidecar) of the bundled CSV, or of `thermex synth --rows 600`."""
    db = workdir / "db.h5"
    if synth_seed is None:
        run([thermex, "-q", "import", ROOT / "data" / "synthetic_dsc.csv", "-o", db])
        source = "data/synthetic_dsc.csv (thermex import, thermex features)"
    else:
        run([thermex, "-q", "--seed", synth_seed, "synth", "--rows", 600, "-o", db])
        source = f"thermex --seed {synth_seed} synth --rows 600, thermex features"
    features = workdir / "features.csv"
    run([thermex, "-q", "features", db, "-o", features])
    return features, source


def thermex_select(thermex, features, targets, args, spearman):
    """{target: selection} from `thermex select --json`, and the wall seconds of the call."""
    cmd = [thermex, "-q", "--seed", args.seed, "--threads", args.threads, "select", "--data",
           features, "--json", "--spearman", spearman, "--shuffles", args.shuffles, "--quantile",
           args.quantile, "--trees", args.trees]
    for t in targets:
        cmd += ["--target", t]
    start = time.perf_counter()
    out = run(cmd).stdout
    seconds = time.perf_counter() - start
    return {s["target"]: s for s in json.loads(out)["selections"]}, seconds


def cohen_kappa(a, b):
    a, b = np.asarray(a, bool), np.asarray(b, bool)
    po = float(np.mean(a == b))
    pe = float(a.mean() * b.mean() + (1 - a.mean()) * (1 - b.mean()))
    return None if pe == 1.0 else (po - pe) / (1.0 - pe)


def compare_target(ours, lg, names):
    """Agreement metrics of thermex's selection `ours` and LightGBM's result `lg`."""
    a = np.array([f["actual"] for f in ours["importance"]], float)
    keep_o = np.array([f["kept"] for f in ours["importance"]], bool)
    nq_o = np.array([f["null_quantile"] for f in ours["importance"]], float)
    top = min(10, len(names))
    top_o = set(np.argsort(-a, kind="stable")[:top])
    top_l = set(np.argsort(-lg["actual"], kind="stable")[:top])
    differ = [{"feature": names[f], "thermex_kept": bool(keep_o[f]),
               "lightgbm_kept": bool(lg["keep"][f]),
               "thermex_p": ours["importance"][f]["p_value"],
               "lightgbm_p": float(lg["p_value"][f])}
              for f in range(len(names)) if keep_o[f] != lg["keep"][f]]
    return {
        "features": len(names),
        "spearman_actual": float(spearmanr(a, lg["actual"]).statistic),
        "spearman_null_quantile": float(spearmanr(nq_o, lg["null_quantile"]).statistic),
        "top10_overlap": len(top_o & top_l),
        "top_n": top,
        "total_gain_ratio": float(a.sum() / lg["actual"].sum()),
        "kept_thermex": int(keep_o.sum()),
        "kept_lightgbm": int(lg["keep"].sum()),
        "decision_agreement": float(np.mean(keep_o == lg["keep"])),
        "decisions_agreeing": int(np.sum(keep_o == lg["keep"])),
        "cohen_kappa": cohen_kappa(keep_o, lg["keep"]),
        "decided_differently": differ,
    }


def fmt_kappa(kappa):
    return "n/a" if kappa is None else f"{kappa:.3f}"


def self_agreement(a, b):
    """Decision agreement of two runs of one implementation with different seeds."""
    a, b = np.asarray(a, bool), np.asarray(b, bool)
    return {"agreeing": int(np.sum(a == b)), "agreement": float(np.mean(a == b)),
            "cohen_kappa": cohen_kappa(a, b)}


def compare_threshold(thermex, features_csv, targets, args, spearman):
    ours, our_seconds = thermex_select(thermex, features_csv, targets, args, spearman)
    if args.baseline_seed_offset:
        # The same screening with other seeds on each side: how often each implementation
        # agrees with itself is the yardstick for the cross-implementation agreement.
        seeded = argparse.Namespace(**vars(args))
        seeded.seed = args.seed + args.baseline_seed_offset
        ours2, _ = thermex_select(thermex, features_csv, targets, seeded, spearman)
    df = pd.read_csv(features_csv)
    rows = []
    for t in targets:
        names = [f["name"] for f in ours[t]["importance"]]
        d = df[df[t].notna()]
        if len(d) != ours[t]["rows"]:
            sys.exit(f"{t}: {len(d)} rows here, {ours[t]['rows']} in thermex select")
        x, y = d[names].to_numpy(float), d[t].to_numpy(float)
        lg = lgb_null_importance(x, y, args.shuffles, args.quantile, args.trees, args.threads,
                                 args.lgb_seed)
        m = compare_target(ours[t], lg, names)
        if args.baseline_seed_offset:
            lg2 = lgb_null_importance(x, y, args.shuffles, args.quantile, args.trees,
                                      args.threads, args.lgb_seed + args.baseline_seed_offset)
            m["thermex_vs_thermex_other_seed"] = self_agreement(
                [f["kept"] for f in ours[t]["importance"]],
                [f["kept"] for f in ours2[t]["importance"]])
            m["lightgbm_vs_lightgbm_other_seed"] = self_agreement(lg["keep"], lg2["keep"])
            m["spearman_actual_lightgbm_vs_lightgbm_other_seed"] = float(
                spearmanr(lg["actual"], lg2["actual"]).statistic)
            m["spearman_actual_thermex_vs_thermex_other_seed"] = float(spearmanr(
                [f["actual"] for f in ours[t]["importance"]],
                [f["actual"] for f in ours2[t]["importance"]]).statistic)
        m.update(target=t, rows=len(d), lightgbm_seconds=lg["seconds"],
                 importance=[{"feature": n, "thermex": ours[t]["importance"][k]["actual"],
                              "lightgbm": float(lg["actual"][k]),
                              "thermex_kept": ours[t]["importance"][k]["kept"],
                              "lightgbm_kept": bool(lg["keep"][k])}
                             for k, n in enumerate(names)])
        rows.append(m)
        print(f"  {t:>22}: {m['features']:2d} features, Spearman(actual) "
              f"{m['spearman_actual']:.3f}, top-{m['top_n']} overlap {m['top10_overlap']}, "
              f"gain ratio {m['total_gain_ratio']:.3f}, decisions agree "
              f"{m['decisions_agreeing']}/{m['features']} (kept {m['kept_thermex']} vs "
              f"{m['kept_lightgbm']}, kappa {fmt_kappa(m['cohen_kappa'])})")
        if args.baseline_seed_offset:
            st, sl = m["thermex_vs_thermex_other_seed"], m["lightgbm_vs_lightgbm_other_seed"]
            print(f"  {'':>22}  other seed: thermex agrees with itself {st['agreeing']}/"
                  f"{m['features']}, LightGBM {sl['agreeing']}/{m['features']}; Spearman(actual) "
                  f"thermex {m['spearman_actual_thermex_vs_thermex_other_seed']:.3f}, LightGBM "
                  f"{m['spearman_actual_lightgbm_vs_lightgbm_other_seed']:.3f}")
        for dd in m["decided_differently"]:
            print(f"  {'':>22}  differs: {dd['feature']} thermex "
                  f"{'kept' if dd['thermex_kept'] else 'dropped'} (p {dd['thermex_p']:.3f}), "
                  f"LightGBM {'kept' if dd['lightgbm_kept'] else 'dropped'} "
                  f"(p {dd['lightgbm_p']:.3f})")
    return {"spearman_threshold": spearman, "thermex_select_seconds": our_seconds,
            "targets": rows}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--thermex", type=pathlib.Path,
                        default=ROOT / "build" / "bench" / "thermex")
    parser.add_argument("--features", type=pathlib.Path,
                        help="an existing feature CSV (with its .meta.csv) instead of the "
                             "bundled data")
    parser.add_argument("--synth-seed", type=int,
                        help="featurize `thermex synth --rows 600` with this seed instead")
    parser.add_argument("--targets", nargs="+", default=list(TARGETS))
    parser.add_argument("--spearman", nargs="+", type=float, default=[0.8, 1.0])
    parser.add_argument("--shuffles", type=int, default=100)
    parser.add_argument("--quantile", type=float, default=0.25)
    parser.add_argument("--trees", type=int, default=100)
    parser.add_argument("--seed", type=int, default=5, help="thermex --seed")
    parser.add_argument("--lgb-seed", type=int, default=5, help="LightGBM and numpy seed")
    parser.add_argument("--threads", type=int, default=1, help="threads on both sides")
    parser.add_argument("--baseline-seed-offset", type=int, default=1000,
                        help="also run both sides with seeds + this offset and report each "
                             "side's agreement with itself (0: skip)")
    parser.add_argument("--out-dir", type=pathlib.Path, default=ROOT / "bench" / "results")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    if not args.thermex.exists():
        sys.exit(f"{args.thermex} not found; build the thermex CLI first")

    with tempfile.TemporaryDirectory() as tmp:
        if args.features is not None:
            features_csv, source = args.features, str(args.features)
        else:
            features_csv, source = prepare_features(args.thermex, pathlib.Path(tmp),
                                                    args.synth_seed)
        runs = []
        for spearman in args.spearman:
            print(f"Spearman threshold {spearman}:")
            runs.append(compare_threshold(args.thermex, features_csv, args.targets, args,
                                          spearman))

    commit, dirty = git_commit()
    today = datetime.date.today().isoformat()
    record = {
        "date": today,
        "benchmark": "thermex select (gain importance, null importance) vs LightGBM rf",
        "device": cpu_model(),
        "commit": commit,
        "working_tree_dirty": dirty,
        "data": source,
        "threads": args.threads,
        "settings": {"shuffles": args.shuffles, "quantile": args.quantile, "trees": args.trees,
                     "thermex_seed": args.seed, "lightgbm_seed": args.lgb_seed,
                     "baseline_seed_offset": args.baseline_seed_offset,
                     "lightgbm_params": lgb_params(args.threads, args.lgb_seed)},
        "software": {"python": sys.version.split()[0], "numpy": np.__version__,
                     "pandas": pd.__version__, "lightgbm": lgb.__version__,
                     "thermex_build": build_info(args.thermex)},
        "runs": runs,
    }
    if args.no_write:
        return
    args.out_dir.mkdir(parents=True, exist_ok=True)
    path = args.out_dir / f"{today}-screen-lightgbm-{slug(cpu_model())}.json"
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


if __name__ == "__main__":
    main()
