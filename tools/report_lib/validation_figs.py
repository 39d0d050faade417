"""Validation series (records held out of training): predicted and observed along the series
variable, one panel per target, with the trend agreement (Pearson, Spearman) and MAE."""

import numpy as np

from . import figure as fg
from . import h5util as hu

SECTION = "Validation"


def render(h5, report):
    """One figure per series under /validation."""
    series = hu.children(h5, "/validation")
    if not series:
        report.note(SECTION, "no /validation group: validation plots skipped")
        return
    for s in series:
        series_plot(h5, report, s)


def _per_target(h5, g):
    """[(target, observed, predicted, stats dict)] in either layout: subgroups <t>/observed, or
    datasets observed_<t> / predicted_<t>; stats from attributes (pearson, spearman, mae)."""
    out = []
    for t in hu.children(h5, g):
        obs, pred = hu.array(h5, f"{g}/{t}/observed"), hu.array(h5, f"{g}/{t}/predicted")
        if obs is not None and pred is not None:
            st = _stats(hu.group(h5, f"{g}/{t}"), "")
            st["low"] = hu.array(h5, f"{g}/{t}/boot_low")
            st["high"] = hu.array(h5, f"{g}/{t}/boot_high")
            out.append((t, obs, pred, st))
    grp = hu.group(h5, g)
    for name in grp.keys():
        if name.startswith("observed_"):
            t = name[len("observed_"):]
            pred = hu.array(h5, f"{g}/predicted_{t}")
            if pred is not None:
                out.append((t, hu.array(h5, f"{g}/{name}"), pred, _stats(grp, "_" + t)))
    return out


def _stats(obj, suffix):
    """pearson / spearman / mae attributes (with an optional '_<target>' suffix)."""
    return {k: hu.attr(obj, k + suffix) for k in ("pearson", "spearman", "mae")}


def _fmt(v):
    return f"{v:.3f}" if isinstance(v, (int, float)) and np.isfinite(v) else "n/a"


def series_plot(h5, report, series):
    """Observed (circles) and predicted (squares, bootstrap interval bars) vs the series
    variable, one panel per target."""
    g = f"/validation/{series}"
    x = hu.array(h5, g + "/x")
    items = _per_target(h5, g)
    if x is None or not items:
        report.note(SECTION, f"series {series}: no x or observed/predicted data: skipped")
        return
    x_name = hu.attr(hu.group(h5, g), "x_column") or "x"
    feature = hu.node(h5, f"/features/{x_name}")  # the column's own label and unit
    x_label = hu.attr(feature, "label") or hu.attr(hu.node(h5, g + "/x"), "label") or x_name
    x_unit = hu.attr(feature, "unit") or hu.attr(hu.node(h5, g + "/x"), "unit") or ""
    ids = hu.strings(h5, g + "/record_id")
    constant = np.ptp(x[np.isfinite(x)]) == 0 if np.isfinite(x).any() else True
    if constant:  # no trend axis: one position per record, named by its id
        pos = np.arange(len(x), dtype=float)
        order = np.arange(len(x))
        x_text = f"record (all at {x_label} = {x[0]:g} {x_unit})".replace(" )", ")")
    else:
        pos, order = x, np.argsort(x, kind="stable")
        x_text = hu.axis_label(x_label, x_unit)
    fig = fg.new_figure("validation")
    axes = fig.subplots(1, len(items), squeeze=False)[0]
    lines = []
    for ax, (t, obs, pred, st) in zip(axes, items):
        ok = order[np.isfinite(obs[order]) & np.isfinite(pred[order])]
        _panel(ax, pos, ok, obs, pred, st, hu.target_label(h5, t))
        ax.set_xlabel(x_text)
        if constant and ids and len(ids) == len(x) and len(ids) <= 20:
            ax.set_xticks(pos, ids, rotation=60, ha="right", fontsize=6)
        lines.append(f"{t}: {len(ok)} records, Pearson {_fmt(st['pearson'])}, "
                     f"MAE {_fmt(st['mae'])}")
    fig.suptitle(f"Validation series {series}: held-out records along {x_label}", fontsize=10)
    report.save(fig, f"validation_{series}", "validation", SECTION, f"Validation — {series}",
                f"Predicted vs observed along {x_name} for the held-out series {series} "
                f"({'; '.join(lines)})" + (f"; every record has the same {x_name}, so records "
                                           "are shown side by side." if constant else "."))


def _panel(ax, pos, ok, obs, pred, st, target_label):
    """One target: bootstrap bars, observed and predicted markers (joined by a line only when
    every position is distinct, so repeated x values do not draw a zigzag)."""
    label, unit = target_label
    lo, hi = st.get("low"), st.get("high")
    if lo is not None and hi is not None and lo.shape == pred.shape \
            and np.isfinite(lo[ok]).any():
        # clipped at 0: the point model may lie outside its refits' percentile band
        err = np.maximum([pred[ok] - lo[ok], hi[ok] - pred[ok]], 0.0)
        ax.errorbar(pos[ok], pred[ok], yerr=np.nan_to_num(err), fmt="none", ecolor="#e6a19a",
                    elinewidth=3, alpha=0.8, label="bootstrap interval")
    ax.plot(pos[ok], obs[ok], "o", color="black", ms=6, label="observed")
    style = "-s" if len(np.unique(pos[ok])) == len(ok) else "s"
    ax.plot(pos[ok], pred[ok], style, color="#c0392b", ms=5, lw=1.5, label="predicted")
    ax.set_ylabel(hu.axis_label(label, unit))
    ax.set_title(f"{label}\nPearson {_fmt(st['pearson'])}, Spearman {_fmt(st['spearman'])}, "
                 f"MAE {_fmt(st['mae'])}", fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
