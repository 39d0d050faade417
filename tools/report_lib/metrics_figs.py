"""Parity plots (predicted vs observed) per target from /metrics/<target>."""

import numpy as np

from . import figure as fg
from . import h5util as hu

SECTION = "Model accuracy"
# Split codes of /data/split_<target> and the parity data (3: rows of datasets that do not train
# and are in no validation series).
SPLITS = {0: ("train", "#2471a3"), 1: ("test", "#e67e22"), 2: ("validation", "#27ae60"),
          3: ("other", "#8e44ad")}


def render(h5, report):
    """One parity plot per target with a /metrics group."""
    targets = hu.children(h5, "/metrics")
    if not targets:
        report.note(SECTION, "no /metrics group: parity plots skipped")
        return
    for t in targets:
        parity(h5, report, t)


def _parity_data(h5, target):
    """(observed, predicted, split) arrays, from /metrics/<t>/parity or /metrics/<t>."""
    for base in (f"/metrics/{target}/parity", f"/metrics/{target}"):
        obs = hu.array(h5, base + "/observed")
        pred = hu.array(h5, base + "/predicted")
        if obs is not None and pred is not None and obs.shape == pred.shape:
            split = hu.array(h5, base + "/split")
            if split is None or split.shape != obs.shape:
                split = np.zeros(obs.shape)
            return obs, pred, split.astype(int)
    return None


def _metric(h5, target, split_name, metric, obs, pred):
    """A split's metric from the file's attributes (/metrics/<t>/<split>@r2 as the study writes
    it, or train_r2 / r2_train on /metrics/<t>), else computed from the parity data in the
    plotted units; (value, unit or None when computed)."""
    g = hu.group(h5, f"/metrics/{target}")
    sub = hu.node(h5, f"/metrics/{target}/{split_name}")
    for obj, key in ((sub, metric), (g, f"{split_name}_{metric}"), (g, f"{metric}_{split_name}")):
        v = hu.attr(obj, key)
        if isinstance(v, (int, float)):
            return float(v), hu.attr(obj if obj is sub else g, "unit")
    res = pred - obs
    if metric == "rmse":
        return float(np.sqrt(np.mean(res ** 2))), None
    if metric == "mae":
        return float(np.mean(np.abs(res))), None
    ss = np.sum((obs - obs.mean()) ** 2)
    return (float(1 - np.sum(res ** 2) / ss) if ss > 0 else float("nan")), None


def parity(h5, report, target):
    """Predicted vs observed, coloured by split, with the y = x line and R²/RMSE per split."""
    data = _parity_data(h5, target)
    if data is None:
        report.note(SECTION, f"{target}: no parity data (observed/predicted) in "
                             f"/metrics/{target}: parity plot skipped")
        return
    obs, pred, split = data
    label, unit = hu.target_label(h5, target)
    unit = hu.attr(hu.node(h5, f"/metrics/{target}/parity/observed"), "unit") or unit
    fig = fg.new_figure("parity")
    ax = fig.add_subplot()
    counts, log_fit = [], False
    for s, (name, colour) in SPLITS.items():
        m = (split == s) & np.isfinite(obs) & np.isfinite(pred)
        if not m.any():
            continue
        r2, _ = _metric(h5, target, name, "r2", obs[m], pred[m])
        rmse, rmse_unit = _metric(h5, target, name, "rmse", obs[m], pred[m])
        rmse_unit = unit if rmse_unit is None else rmse_unit
        # a log10 model is fitted and scored in log10 units: show it on log axes
        log_fit |= rmse_unit.startswith("log10") and not unit.startswith("log10")
        # few held-out points must stay visible on top of hundreds of training points
        big = s >= 2
        ax.scatter(obs[m], pred[m], s=34 if big else 14, alpha=0.9 if big else 0.7,
                   color=colour, edgecolor="black" if big else "none", linewidth=0.5,
                   zorder=3 if big else 2,
                   label=f"{name} (n={m.sum()}): R²={r2:.3f}, RMSE={rmse:.3g} {rmse_unit}"
                   .rstrip())
        counts.append(f"{m.sum()} {name}")
    finite = np.concatenate([obs[np.isfinite(obs)], pred[np.isfinite(pred)]])
    log_fit = log_fit and bool((finite > 0).all())
    if log_fit:
        ax.set_xscale("log")
        ax.set_yscale("log")
        finite = np.log10(finite)
    lo, hi = finite.min(), finite.max()
    pad = 0.05 * (hi - lo if hi > lo else 1.0)
    lo, hi = lo - pad, hi + pad
    if log_fit:
        lo, hi = 10 ** lo, 10 ** hi
    ax.plot([lo, hi], [lo, hi], color="black", lw=1, label="y = x")
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_aspect("equal")
    ax.set_xlabel("observed " + hu.axis_label(label, unit))
    ax.set_ylabel("predicted " + hu.axis_label(label, unit))
    ax.set_title(f"Parity — {label}")
    ax.legend(loc="upper left", fontsize=8, framealpha=0.9)
    ax.grid(alpha=0.3)
    report.save(fig, f"parity_{target}", "parity", SECTION, f"Parity — {target}",
                f"SVR predictions vs observations for {target} ({', '.join(counts)} rows); "
                f"R² and RMSE per split in the legend"
                + (" (fitted and scored in log10, log axes)." if log_fit else "."))
