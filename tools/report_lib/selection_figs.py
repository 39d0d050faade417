"""Screening figures from /selection/<target> (layout: data/SCREENING.md, src/selection_h5.cpp):
the Spearman heatmap of the candidates and the null-importance histograms."""

import math

import numpy as np
from matplotlib.ticker import MaxNLocator

from . import figure as fg
from . import h5util as hu

SECTION = "Feature screening"
# Tick-label colours: why a candidate left (kept candidates stay black).
DROP_COLOURS = {"spearman": "#c0392b", "null_importance": "#7f8c8d"}


def render(h5, report):
    """Draws both screening figures for every target with a /selection group."""
    targets = hu.children(h5, "/selection")
    if not targets:
        report.note(SECTION, "no /selection group: screening figures skipped")
        return
    for t in targets:
        spearman_heatmap(h5, report, t)
        null_histograms(h5, report, t)


def _drop_reasons(h5, g):
    """name -> drop reason of every dropped candidate."""
    names = hu.strings(h5, g + "/dropped/name") or []
    reasons = hu.strings(h5, g + "/dropped/reason") or [""] * len(names)
    return dict(zip(names, reasons))


def spearman_heatmap(h5, report, target):
    """Candidates x candidates Spearman rho; tick labels coloured by drop reason."""
    g = f"/selection/{target}"
    names = hu.strings(h5, g + "/candidates")
    rho = hu.array(h5, g + "/spearman/rho")
    if names is None or rho is None or rho.shape != (len(names), len(names)):
        report.note(SECTION, f"{target}: no Spearman matrix in {g}: heatmap skipped")
        return
    threshold = hu.attr(hu.group(h5, g), "spearman_threshold", 0.8)
    rows = hu.attr(hu.group(h5, g), "rows", "?")
    reasons = _drop_reasons(h5, g)
    fig = fg.new_figure("spearman")
    ax = fig.add_subplot()
    cmap = fg.plt.get_cmap("RdBu_r").copy()
    cmap.set_bad("#dddddd")  # NaN: pair not compared
    im = ax.imshow(np.ma.masked_invalid(rho), cmap=cmap, vmin=-1, vmax=1, interpolation="nearest")
    n = len(names)
    fontsize = max(4.0, min(9.0, 500.0 / max(n, 1)))
    ax.set_xticks(range(n), names, rotation=90, fontsize=fontsize)
    ax.set_yticks(range(n), names, fontsize=fontsize)
    for tick_set in (ax.get_xticklabels(), ax.get_yticklabels()):
        for lab in tick_set:
            lab.set_color(DROP_COLOURS.get(reasons.get(lab.get_text()), "black"))
    if n <= 30:  # annotate the redundant pairs only; the numbers would be unreadable beyond
        for i in range(n):
            for j in range(n):
                if i != j and np.isfinite(rho[i, j]) and abs(rho[i, j]) > threshold:
                    ax.text(j, i, f"{rho[i, j]:.2f}", ha="center", va="center",
                            fontsize=fontsize * 0.8, color="white")
    cb = fig.colorbar(im, ax=ax, shrink=0.8)
    cb.set_label("Spearman ρ")
    label, _ = hu.target_label(h5, target)
    ax.set_title(f"Spearman correlation of the candidates — {label}\n"
                 f"labels: black kept, red dropped as redundant (|ρ| > {threshold:g}), "
                 f"grey dropped by null importance", fontsize=10)
    n_sp = sum(r == "spearman" for r in reasons.values())
    report.save(fig, f"spearman_{target}", "spearman", SECTION,
                f"Spearman heatmap — {target}",
                f"Spearman ρ between the {n} screening candidates for {target} on {rows} "
                f"training rows; {n_sp} dropped as redundant at |ρ| > {threshold:g}. "
                f"Grey cells: pairs not compared.")


def _grid(n):
    """(rows, cols) of a grid for n small multiples, wider than tall."""
    cols = max(1, math.ceil(math.sqrt(n * 1.4)))
    return math.ceil(n / cols), cols


def null_histograms(h5, report, target):
    """One histogram of the K null importances per step-2 feature, the actual value marked."""
    g = f"/selection/{target}/null"
    feats = hu.strings(h5, g + "/features")
    null = hu.array(h5, g + "/null")
    actual = hu.array(h5, g + "/actual")
    if not feats or null is None or actual is None or null.ndim != 2 \
            or null.shape[1] != len(feats):
        report.note(SECTION, f"{target}: no null importances in {g}: histograms skipped")
        return
    keep = hu.array(h5, g + "/keep")
    q = hu.array(h5, g + "/null_quantile")
    p_val = hu.array(h5, g + "/p_value")
    quantile = hu.attr(hu.group(h5, g), "quantile", 0.25)
    survival = _survival(h5, target)
    nrows, ncols = _grid(len(feats))
    fig = fg.new_figure("null", constrained=False)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    fig.subplots_adjust(left=0.05, right=0.99, bottom=0.07, top=0.93, wspace=0.28, hspace=0.42)
    for k, ax in enumerate(axes.flat):
        if k >= len(feats):
            ax.set_axis_off()
            continue
        kept = bool(keep[k]) if keep is not None else True
        colour = "#2471a3" if kept else "#999999"
        ax.hist(null[:, k], bins=15, color=colour, alpha=0.7)
        ax.axvline(actual[k], color="#c0392b", lw=2)
        if q is not None:
            ax.axvline(q[k], color="black", lw=0.8, ls="--")
        title = feats[k] if len(feats[k]) <= 28 else feats[k][:26] + "…"
        pv = f", p={p_val[k]:.2g}" if p_val is not None else ""
        if feats[k] in survival:
            pv += f", kept {100 * survival[feats[k]]:.0f}%"
        ax.set_title(f"{title}{pv}", fontsize=7, color="black" if kept else "#777777")
        ax.tick_params(labelsize=6)
        ax.xaxis.set_major_locator(MaxNLocator(4))  # gains reach 1e5: few, short tick labels
        ax.ticklabel_format(axis="x", style="sci", scilimits=(-3, 4))
        ax.xaxis.get_offset_text().set_fontsize(6)
    _, unit = hu.target_label(h5, target)
    # gain = decrease of the sum of squared errors of the screened target column
    sq = (f"({unit})²" if "/" in unit else f"{unit}²") if unit else "target unit²"
    fig.supxlabel(f"gain importance (SSE decrease, {sq})", fontsize=9)
    fig.supylabel("shuffles", fontsize=9)
    label, _ = hu.target_label(h5, target)
    fig.suptitle(f"Null importance — {label}: histogram of {null.shape[0]} shuffled-target "
                 f"importances, red line = actual, dashed = {quantile:g}-quantile; "
                 f"grey panels = dropped", fontsize=10)
    n_keep = int(np.sum(keep)) if keep is not None else len(feats)
    surv_text = (" \"kept x%\": share of the bootstrap screening replicas that kept the "
                 "feature." if survival else "")
    report.save(fig, f"null_{target}", "null", SECTION, f"Null importance — {target}",
                f"Gain importance of {len(feats)} features for {target} against "
                f"{null.shape[0]} target permutations; {n_keep} kept (actual ≥ the "
                f"{quantile:g}-quantile of the null and > 0).{surv_text}")


def _survival(h5, target):
    """feature -> fraction of bootstrap screening replicas that kept it ({} without)."""
    g = f"/bootstrap/{target}"
    names = hu.strings(h5, g + "/survival_features") or []
    freq = hu.array(h5, g + "/survival_frequency")
    if freq is None or len(freq) != len(names):
        return {}
    return dict(zip(names, freq))
