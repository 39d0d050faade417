#!/usr/bin/env python3
"""Builds a small study results file with h5py for the report tests.

It follows the layout of data/RESULTS.md: /selection groups as src/selection_h5.cpp writes
them, /shap groups as src/io/shap_h5.cpp writes them (plus feature_values, feature_values_std,
feature_names, record_id), /provenance, /data, /features, /metrics, /bootstrap, /dynamics,
/sweeps and /validation as the study driver writes them. The numbers are
plausible, not fitted: a seeded generator makes features, targets that depend on a few of them,
and SHAP values that are the linear contributions of those drivers. Deliberate gaps exercise
the report's skipping: peak_C's model has no crucible player, max_heat_flow_W_per_g's (fitted
in log10, as the paper models power) has no cutoff voltage; there is one ternary and one
quaternary sweep.

Usage: make_fixture.py OUT.h5 [--rows N] [--seed S]
"""

import argparse
import itertools

import h5py
import numpy as np

TARGETS = ["onset_C", "peak_C", "max_heat_flow_W_per_g"]
NUMERIC = ["ni", "co", "mn", "al", "li", "en_tm_wmean", "radius_tm_wmean", "radius_tm_wstd",
           "phi_tm_wmean", "cutoff_voltage_V", "electrolyte_ratio", "scan_rate_C_per_min",
           "decoy_1", "decoy_2"]
ELECTROLYTES = ["none", "carbonate_lipf6", "solvent_only"]
CRUCIBLES = ["sealed", "open"]
STR = h5py.string_dtype("utf-8")

# Driver coefficients per target (per unit of feature); players left out of a model by design.
COEF = {
    "onset_C": {"ni": -120.0, "mn": 30.0, "cutoff_voltage_V": -40.0, "electrolyte_ratio": -10.0},
    "peak_C": {"ni": -70.0, "co": -20.0, "cutoff_voltage_V": -15.0, "electrolyte_ratio": -20.0},
    "max_heat_flow_W_per_g": {"ni": 0.5, "mn": -0.4, "electrolyte_ratio": 0.9, "decoy_1": 0.0},
}
# (label, unit, intercept, fitted in log10) per target
META = {"onset_C": ("onset temperature", "°C", 230.0, False),
        "peak_C": ("peak temperature", "°C", 260.0, False),
        "max_heat_flow_W_per_g": ("max heat flow", "W/g", 0.3, True)}
LEVEL_EFFECT = {"onset_C": 12.0, "peak_C": 8.0, "max_heat_flow_W_per_g": -0.15}
EXCLUDED = {"peak_C": {"crucible"}, "max_heat_flow_W_per_g": {"cutoff_voltage_V"}}


def write(g, name, data, label="", unit=""):
    """Writes a dataset with the `label` and `unit` attributes every dataset carries."""
    if isinstance(data, list) and data and isinstance(data[0], str):
        d = g.create_dataset(name, data=np.array(data, dtype=object), dtype=STR)
    elif isinstance(data, list) and not data:
        d = g.create_dataset(name, shape=(0,), dtype=STR)
    else:
        d = g.create_dataset(name, data=np.asarray(data))
    d.attrs["label"] = label or name
    d.attrs["unit"] = unit
    return d


def make_records(rng, n):
    """Feature table: dict name -> column, and the one-hot columns."""
    raw = rng.dirichlet([4.0, 1.5, 1.5], size=n)
    al = np.where(rng.random(n) < 0.3, rng.uniform(0, 0.05, n), 0.0)
    x = {"ni": raw[:, 0] * (1 - al), "co": raw[:, 1] * (1 - al), "mn": raw[:, 2] * (1 - al),
         "al": al, "li": rng.choice([1.0, 1.02, 1.05], n)}
    x["en_tm_wmean"] = 1.91 * x["ni"] + 1.88 * x["co"] + 1.55 * x["mn"] + 1.61 * al
    x["radius_tm_wmean"] = 0.48 * x["ni"] + 0.53 * (x["co"] + x["mn"]) + 0.535 * al
    x["radius_tm_wstd"] = np.abs(x["radius_tm_wmean"] - 0.5) + rng.normal(0, 0.002, n)
    x["phi_tm_wmean"] = 4.0 / x["radius_tm_wmean"] + rng.normal(0, 0.01, n)
    x["cutoff_voltage_V"] = rng.choice([4.2, 4.3, 4.4, 4.5], n)
    x["electrolyte_ratio"] = rng.choice([0.0, 0.5, 1.0, 1.5], n)
    x["scan_rate_C_per_min"] = rng.choice([2.0, 5.0, 10.0], n)
    x["decoy_1"], x["decoy_2"] = rng.normal(size=n), rng.normal(size=n)
    ele = np.where(x["electrolyte_ratio"] == 0, 0, rng.integers(1, 3, n))
    cru = rng.integers(0, 2, n)
    for k, lev in enumerate(ELECTROLYTES):
        x[f"electrolyte_class={lev}"] = (ele == k).astype(float)
    for k, lev in enumerate(CRUCIBLES):
        x[f"crucible={lev}"] = (cru == k).astype(float)
    return x, ele, cru


def make_targets(rng, x, ele, cru):
    """Targets from the drivers plus noise."""
    y = {}
    for t, coef in COEF.items():
        base = META[t][2]
        v = base + sum(c * (x[f] - x[f].mean()) for f, c in coef.items())
        v = v + LEVEL_EFFECT[t] * (ele == 1) + 0.5 * LEVEL_EFFECT[t] * cru
        v = v + rng.normal(0, 0.05 * abs(LEVEL_EFFECT[t]) + 1e-3, len(v))
        y[t] = 10 ** v if META[t][3] else v  # a log10 target is modelled in log10
    return y


def column_meta(name):
    """(kind, group, label, unit) of a feature column as data/FEATURES.md defines them."""
    if "=" in name:
        grp, lev = name.split("=")
        return "onehot", grp, f"{grp.split('_')[0]}: {lev}", ""
    units = {"cutoff_voltage_V": "V", "electrolyte_ratio": "g/g", "scan_rate_C_per_min": "°C/min",
             "radius_tm_wmean": "Å", "radius_tm_wstd": "Å", "phi_tm_wmean": "Å^-1"}
    kind = "content" if name in ("ni", "co", "mn", "al", "li") else (
        "derived" if "_tm_" in name else "condition")
    return kind, "", name.replace("_", " "), units.get(name, "")


def spearman(cols):
    """Spearman rho matrix of the columns (average ranks, as data/SCREENING.md)."""
    def rank(v):
        order = np.argsort(v, kind="mergesort")
        r = np.empty(len(v))
        r[order] = np.arange(len(v), dtype=float)
        for val in np.unique(v):  # ties share the mean rank
            m = v == val
            r[m] = r[m].mean()
        return r
    ranks = np.array([rank(c) for c in cols])
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = np.corrcoef(ranks)
    return rho


def write_selection(f, t, x, y, names, rng, shuffles=20):
    """/selection/<t> in write_selection_h5's layout; returns the kept features."""
    g = f.create_group(f"/selection/{t}")
    g.attrs.update({"format": "thermex.selection", "target": t, "rows": len(y),
                    "seed": np.int64(2025), "spearman_threshold": 0.8})
    rho = spearman([x[c] for c in names])
    write(g, "candidates", names)
    write(g, "spearman/rho", rho, "Spearman rho")
    write(g, "spearman/counts", np.full(rho.shape, len(y), dtype=np.int64), "pair counts")
    dropped, partner, drho = [], [], []
    order = sorted(((abs(rho[i, j]), i, j) for i, j in itertools.combinations(range(len(names)), 2)
                    if abs(rho[i, j]) > 0.8 and names[i].split("=")[0] != names[j].split("=")[0]),
                   reverse=True)
    for _, i, j in order:
        if names[i] in dropped or names[j] in dropped:
            continue
        dropped.append(names[j]); partner.append(names[i]); drho.append(rho[i, j])
    survivors = [c for c in names if c not in dropped]
    r = g.create_group("redundancy")
    write(r, "kept", survivors); write(r, "dropped", dropped)
    write(r, "partner", partner); write(r, "rho", np.array(drho, dtype=float))
    write(r, "uncompared_first", []); write(r, "uncompared_second", [])
    write(r, "uncompared_count", np.zeros(0, dtype=np.int64))
    drivers = set(COEF[t]) | {"electrolyte_class", "crucible"}
    actual = np.array([rng.uniform(50, 100) if c.split("=")[0] in drivers else rng.uniform(0, 8)
                       for c in survivors])
    null = rng.gamma(2.0, 2.5, size=(shuffles, len(survivors)))
    q = np.quantile(null, 0.25, axis=0)
    keep = (actual >= q) & (actual > 0)
    for k, c in enumerate(survivors):  # the design's exclusions are null-importance drops
        if c.split("=")[0] in EXCLUDED.get(t, set()):
            keep[k] = False
    n = g.create_group("null")
    n.attrs.update({"shuffles": np.int64(shuffles), "quantile": 0.25,
                    "unit": "target unit squared (SSE decrease)"})
    write(n, "features", survivors); write(n, "actual", actual); write(n, "null", null)
    write(n, "null_quantile", q); write(n, "keep", keep.astype(np.int64))
    write(n, "p_value", (1 + (null >= actual).sum(axis=0)) / (shuffles + 1.0))
    kept = [c for c, k in zip(survivors, keep) if k]
    write(g, "kept", kept)
    null_drop = [c for c, k in zip(survivors, keep) if not k]
    d = g.create_group("dropped")
    write(d, "name", dropped + null_drop)
    write(d, "reason", ["spearman"] * len(dropped) + ["null_importance"] * len(null_drop))
    write(d, "partner", partner + [""] * len(null_drop))
    nan = [float("nan")] * len(null_drop)
    write(d, "rho", np.array(drho + nan, dtype=float))
    for key in ("actual", "null_quantile", "p_value"):
        write(d, key, np.full(len(dropped) + len(null_drop), np.nan))
    return kept


def players_of(kept):
    """Players (one-hot groups merged) and their column indices into `kept`."""
    names, cols = [], []
    for i, c in enumerate(kept):
        p = c.split("=")[0]
        if p in names:
            cols[names.index(p)].append(i)
        else:
            names.append(p); cols.append([i])
    return names, cols


def write_shap(f, t, x, rows, record_ids, kept, rng):
    """/shap/<t> in write_shap_h5's layout plus the study's extra datasets; returns mean |SHAP|
    per player name."""
    players, cols = players_of(kept)
    fv = np.column_stack([x[c][rows] for c in kept])
    mu, sd = fv.mean(axis=0), fv.std(axis=0)
    fv_std = (fv - mu) / np.where(sd > 0, sd, 1.0)
    values = np.zeros((len(rows), len(players)))
    for p, (name, cs) in enumerate(zip(players, cols)):
        if len(cs) == 1:
            coef = COEF[t].get(name, 0.0) or rng.normal(0, 0.02 * abs(LEVEL_EFFECT[t]))
            values[:, p] = coef * (fv[:, cs[0]] - mu[cs[0]])
        else:
            eff = LEVEL_EFFECT[t] * (np.arange(len(cs)) == 1 if name == "electrolyte_class"
                                     else 0.5 * np.arange(len(cs)))
            lev = fv[:, cs] @ eff
            values[:, p] = lev - lev.mean()
    values += rng.normal(0, 0.02 * abs(LEVEL_EFFECT[t]), values.shape)
    g = f.create_group(f"/shap/{t}")
    units = "log10(target)" if META[t][3] else "target"
    base = float(rng.normal(META[t][2], 1))
    g.attrs.update({"format": "thermex-shap", "format_version": np.int64(1), "method": "exact",
                    "base_value": base, "rows": np.int64(len(rows)),
                    "players": np.int64(len(players)), "log10_target": np.int64(units != "target"),
                    "units": units, "max_efficiency_violation": 1e-12})
    write(g, "values", values, "SHAP value", units)
    write(g, "std_errors", np.zeros_like(values), "standard error", units)
    write(g, "fx", base + values.sum(axis=1), "model output", units)
    write(g, "samples_used", np.zeros(len(rows), dtype=np.int64))
    write(g, "mean_abs", np.abs(values).mean(axis=0), "mean |SHAP|", units)
    write(g, "player_names", players)
    write(g, "player_columns", np.array([c for cs in cols for c in cs], dtype=np.int64))
    write(g, "player_offsets", np.cumsum([0] + [len(cs) for cs in cols]).astype(np.int64))
    write(g, "feature_names", kept)
    write(g, "feature_values", fv, "feature value (raw)")
    write(g, "feature_values_std", fv_std, "feature value (z-score)")
    write(g, "record_id", [record_ids[r] for r in rows])
    return dict(zip(players, np.abs(values).mean(axis=0)))


def write_bootstrap(f, t, mean_abs, names, rng, replicas=20):
    """/bootstrap/<t>: the SHAP interval of each player's mean |SHAP| and screening survival."""
    g = f.create_group(f"/bootstrap/{t}")
    g.attrs.update({"survival_replicas": np.int64(10), "shap_first_replica": np.int64(0)})
    players = list(mean_abs)
    m = np.array([mean_abs[p] for p in players])
    reps = m * rng.lognormal(0, 0.2, size=(replicas, len(m)))
    write(g, "shap_player_names", players)
    write(g, "shap_mean_abs", reps, "mean |SHAP| per refit")
    write(g, "shap_mean", reps.mean(axis=0)); write(g, "shap_std", reps.std(axis=0))
    write(g, "shap_ci_low", np.quantile(reps, 0.025, axis=0))
    write(g, "shap_ci_high", np.quantile(reps, 0.975, axis=0))
    write(g, "survival_features", names)
    write(g, "survival_frequency", rng.integers(0, 11, len(names)) / 10.0)


def write_metrics(f, t, y, split, record_ids, rng):
    """/metrics/<t> as the study writes it: cv/ (grid, cv_rmse), one subgroup per split with
    r2/rmse/mae/n/unit attributes (in fitted units: log10 for a log10 target) and parity/
    (observed and predicted in target units)."""
    g = f.create_group(f"/metrics/{t}")
    label, unit, _, log10 = META[t]
    fitted = f"log10({unit})" if log10 else unit
    c, gam, eps = np.meshgrid([1, 10, 100], [0.01, 0.1], [0.1], indexing="ij")
    cv = g.create_group("cv")
    cv.attrs.update({"best": np.int64(2), "folds": np.int64(5)})
    write(cv, "C", c.ravel().astype(float))
    write(cv, "gamma", gam.ravel().astype(float))
    write(cv, "epsilon", eps.ravel().astype(float), "", fitted)
    write(cv, "cv_rmse", rng.uniform(3, 9, c.size), "CV RMSE", fitted)
    use = split >= 0
    fit = np.log10(y) if log10 else y
    scale = np.std(fit[use])
    pred = fit.copy()
    for s, e in {0: 0.03, 1: 0.08, 2: 0.1}.items():
        m = split == s
        pred[m] = fit[m] + rng.normal(0, e * scale, m.sum())
    nan = float("nan")
    for s, name in ((0, "train"), (1, "test"), (2, "validation"), (3, "other")):
        m = split == s
        res = pred[m] - fit[m]
        ss = np.sum((fit[m] - fit[m].mean()) ** 2) if m.any() else 0.0
        g.create_group(name).attrs.update({
            "rmse": float(np.sqrt(np.mean(res ** 2))) if m.any() else nan,
            "mae": float(np.mean(np.abs(res))) if m.any() else nan,
            "r2": float(1 - np.sum(res ** 2) / ss) if ss > 0 else nan,
            "n": np.int64(m.sum()), "unit": fitted})
    pred = 10 ** pred if log10 else pred
    p = g.create_group("parity")
    write(p, "record_id", [r for r, u in zip(record_ids, use) if u])
    write(p, "observed", y[use], "observed " + t, unit)
    write(p, "predicted", pred[use], "predicted " + t, unit)
    write(p, "split", split[use].astype(np.int64))
    return pred


def write_provenance(f):
    """/provenance: the attributes and stage table of study_design.md."""
    p = f.create_group("provenance")
    toml = ('[study]\nname = "fixture"\nseed = 2025\n\n[[datasets]]\n'
            'path = "synthetic_dsc.csv"\nlabel = "synthetic"\n')
    p.attrs.update({"thermex_version": "0.6.0-fixture", "git_commit": "0123456789abcdef0123",
                    "config_toml": toml, "config_sha256": "00" * 32, "seed": np.int64(2025),
                    "device": "cpu", "threads": np.int64(2), "ranks": np.int64(1),
                    "created_utc": "2026-11-25T12:00:00Z", "study_name": "fixture",
                    "seed_text": "2025", "config_path": "fixture.toml"})
    write(p, "dataset_labels", ["synthetic"])
    write(p, "dataset_paths", ["synthetic_dsc.csv"])
    stages = ["import", "featurize", "split", "screening", "svr", "metrics", "shap", "dynamics",
              "bootstrap", "sweeps", "validation"]
    write(p, "stage_names", stages)
    write(p, "stage_input_hash", ["ab" * 32] * len(stages))
    write(p, "stage_seconds", np.linspace(0.1, 2.0, len(stages)), "wall time", "s")
    write(p, "stage_reused", np.zeros(len(stages), dtype=np.int64))


def write_dynamics(f, targets, mean_abs, rng):
    """/dynamics from the per-target mean |SHAP| (0 for players a target's model lacks)."""
    players = []
    for t in targets:
        players += [p for p in mean_abs[t] if p not in players]
    m = np.array([[mean_abs[t].get(p, 0.0) for p in players] for t in targets])
    norm = m / m.sum(axis=1, keepdims=True)
    diff = np.diff(norm, axis=0)
    trend = ["increasing" if (c > 0).all() else "decreasing" if (c < 0).all() else "non-monotone"
             for c in diff.T]
    g = f.create_group("dynamics")
    write(g, "stage_names", targets); write(g, "player_names", players)
    write(g, "normalized", norm, "normalized mean |SHAP|")
    write(g, "top", np.argsort(-norm, axis=1, kind="stable")[:, :5].astype(np.int64))
    write(g, "trend", trend)
    write(g, "confidence", rng.uniform(0.4, 1.0, len(players)), "trend confidence")


def simplex(k, step):
    """All points of the (k-1)-simplex grid with the given step (fractions sum to 1)."""
    n = round(1 / step)
    pts = [c for c in itertools.product(range(n + 1), repeat=k - 1) if sum(c) <= n]
    return np.array([list(c) + [n - sum(c)] for c in pts], dtype=float) / n


def write_sweeps(f, targets, rng):
    """/sweeps/ncm (ternary) and /sweeps/ncma (quaternary) with bootstrap statistics."""
    for name, elements, step in (("ncm", ["Ni", "Co", "Mn"], 0.02),
                                 ("ncma", ["Ni", "Co", "Mn", "Al"], 0.05)):
        fr = simplex(len(elements), step)
        g = f.create_group(f"/sweeps/{name}")
        g.attrs["elements"] = np.array(elements, dtype=object).astype(STR)
        g.attrs.update({"step": step, "grid_points": np.int64(len(fr))})
        write(g, "fractions", fr, "TM-site fractions")
        ft = g.create_group("features")  # which value each model feature took
        write(ft, "name", ["ni", "cutoff_voltage_V", "electrolyte_ratio", "scan_rate_C_per_min",
                           "crucible=sealed", "crucible=open"])
        write(ft, "source", ["composition", "fixed", "fixed", "default", "level", "level"])
        write(ft, "value", np.array([np.nan, 4.3, 1.0, 5.0, 1.0, 0.0]))
        al = fr[:, 3] if len(elements) == 4 else 0.0
        for t in targets:
            coef = COEF[t]
            label, unit, base, log10 = META[t]
            pred = base + coef.get("ni", 0) * fr[:, 0] + coef.get("co", 0) * fr[:, 1] + \
                coef.get("mn", 0) * fr[:, 2] - 0.1 * abs(base) * (fr[:, 0] - 0.6) ** 2 + \
                0.2 * base * al
            std = 0.01 * abs(base) * (1 + 3 * (fr[:, 1] - 0.2) ** 2 + 2 * al)
            mean = pred + rng.normal(0, 0.1, len(fr)) * std
            if log10:  # predictions are reported in target units
                pred, mean, std = 10 ** pred, 10 ** mean, std * np.log(10) * 10 ** mean
            tg = g.create_group(t)
            tg.attrs.update({"label": label, "unit": unit})
            write(tg, "prediction", pred, t, unit); write(tg, "boot_mean", mean, t, unit)
            write(tg, "boot_std", std, t, unit)
            write(tg, "boot_p025", mean - 1.96 * std, t, unit)
            write(tg, "boot_p975", mean + 1.96 * std, t, unit)
            goal = "min" if log10 else "max"
            idx = int(np.argmin(pred) if goal == "min" else np.argmax(pred))
            tg.attrs.update({"optimum_index": np.int64(idx), "optimum_value": float(pred[idx]),
                             "optimum_direction": goal})
            write(tg, "optimum_fractions", fr[idx])


def write_validation(f, targets, x, y, split, ids):
    """/validation/ni_series: the rows with split 2, sorted by Ni content."""
    rows = np.flatnonzero(split == 2)
    rows = rows[np.argsort(x["ni"][rows])]
    g = f.create_group("/validation/ni_series")
    write(g, "record_id", [ids[r] for r in rows])
    write(g, "x", x["ni"][rows], "Ni content", "")
    g.attrs["x_column"] = "ni"
    for t in targets:
        obs, pred = y[t][rows], y[t + ":pred"][rows]
        tg = g.create_group(t)
        write(tg, "observed", obs, t, META[t][1]); write(tg, "predicted", pred, t, META[t][1])
        band = 0.04 * np.abs(pred)
        write(tg, "boot_low", pred - band, t, META[t][1])
        write(tg, "boot_high", pred + band, t, META[t][1])
        tg.attrs.update({"pearson": float(np.corrcoef(obs, pred)[0, 1]),
                         "spearman": float(np.corrcoef(np.argsort(np.argsort(obs)),
                                                       np.argsort(np.argsort(pred)))[0, 1]),
                         "mae": float(np.mean(np.abs(obs - pred)))})


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out"); ap.add_argument("--rows", type=int, default=160)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    build(a.out, a.rows, a.seed)


def build(out, rows=160, seed=7):
    """Writes the fixture to `out` (overwritten)."""
    rng = np.random.default_rng(seed)
    x, ele, cru = make_records(rng, rows)
    y = make_targets(rng, x, ele, cru)
    ids = [f"syn-{i:06d}" for i in range(rows)]
    names = NUMERIC + [f"electrolyte_class={e}" for e in ELECTROLYTES] + \
        [f"crucible={c}" for c in CRUCIBLES]
    with h5py.File(out, "w") as f:
        write_provenance(f)
        d = f.create_group("data")
        write(d, "record_id", ids); write(d, "origin", ["synthetic"] * rows)
        write(d, "source", ["thermex synth"] * rows)
        write(d, "dataset", ["synthetic"] * rows)
        split = rng.choice([0, 0, 0, 1], rows)
        split[-12:] = 2  # the validation series
        feats = f.create_group("features")
        cols = names + TARGETS
        feats.attrs.update({"format": "thermex.table", "rows": np.int64(rows)})
        feats.attrs["columns"] = np.array(cols, dtype=object).astype(STR)
        for c in names:
            kind, grp, label, unit = column_meta(c)
            ds = write(feats, c, x[c], label, unit)
            ds.attrs.update({"name": c, "kind": kind, "group": grp})
        mean_abs = {}
        for t in TARGETS:
            write(feats, t, y[t], *META[t][:2])
            write(d, f"split_{t}", split.astype(np.int64))
            kept = write_selection(f, t, x, y[t][split == 0], names, rng)
            pred = write_metrics(f, t, y[t], split, ids, rng)
            y[t + ":pred"] = pred
            mean_abs[t] = write_shap(f, t, x, np.flatnonzero(split == 0), ids, kept, rng)
            write_bootstrap(f, t, mean_abs[t], names, rng)
        write_dynamics(f, TARGETS, mean_abs, rng)
        write_sweeps(f, TARGETS, rng)
        write_validation(f, TARGETS, x, y, split, ids)


if __name__ == "__main__":
    main()
