"""SHAP beeswarm per target (our own beeswarm layout; no `shap` package)."""

import numpy as np

from . import figure as fg
from . import h5util as hu
from .shap_data import ShapData

SECTION = "SHAP"
MAX_PLAYERS = 20  # rows of the beeswarm; the rest are summed up in the caption
CMAP = "coolwarm"  # blue = low feature value, red = high, as shap's summary plot


def render(h5, report):
    """One beeswarm per target with a /shap group."""
    targets = hu.children(h5, "/shap")
    if not targets:
        report.note(SECTION, "no /shap group: beeswarm plots skipped")
        return
    for t in targets:
        beeswarm(h5, report, t)


def swarm_offsets(x, width=0.4, nbins=80, min_layers=6):
    """Vertical offsets that stack points of similar x side by side (a beeswarm).

    x is binned into `nbins` bins over its range; within a bin points alternate above and below
    the centre line, so the row's thickness shows the density. Deterministic: ties in a bin are
    ordered by row index. Offsets are scaled so the widest bin spans +-width, but a layer never
    takes more than width / min_layers, so sparse rows stay compact instead of stretched."""
    x = np.asarray(x, dtype=float)
    out = np.zeros(len(x))
    if len(x) == 0:
        return out
    span = x.max() - x.min()
    q = np.zeros(len(x), dtype=int) if span <= 0 else \
        np.round((nbins - 1) * (x - x.min()) / span).astype(int)
    order = np.lexsort((np.arange(len(x)), q))
    layer, last = 0, None
    for i in order:
        if q[i] != last:
            layer, last = 0, q[i]
        out[i] = np.ceil(layer / 2) * (1 if layer % 2 else -1)
        layer += 1
    peak = np.abs(out).max()
    return out * (width / max(peak, min_layers))


def beeswarm(h5, report, target):
    """SHAP value per row and player, players sorted by mean |SHAP|, coloured by the z-scored
    feature value (one-hot groups in grey: their level is not an ordered value)."""
    sd = ShapData(h5, target)
    if not sd.ok():
        report.note(SECTION, f"{target}: /shap/{target} lacks values or player names: "
                             "beeswarm skipped")
        return
    mean_abs = np.nanmean(np.abs(sd.values), axis=0)
    order = np.argsort(-mean_abs, kind="stable")[:MAX_PLAYERS]
    fig = fg.new_figure("beeswarm")
    ax = fig.add_subplot()
    sc = None
    n = len(order)
    for row, p in enumerate(order):
        y = n - 1 - row  # most important at the top
        x = sd.values[:, p]
        off = swarm_offsets(x)
        c = sd.colour_values(p)
        if c is None:
            ax.scatter(x, y + off, s=8, color="#888888", alpha=0.8, edgecolor="none")
        else:
            sc = ax.scatter(x, y + off, s=8, c=np.clip(c, -2, 2), cmap=CMAP, vmin=-2, vmax=2,
                            alpha=0.85, edgecolor="none")
    ax.axvline(0, color="black", lw=0.8)
    ci = _bootstrap_ci(h5, target)
    names = [f"{sd.players[p]}  {mean_abs[p]:.3g}" + (
        f" [{ci[sd.players[p]][0]:.3g}, {ci[sd.players[p]][1]:.3g}]"
        if sd.players[p] in ci else "") for p in order]
    ax.set_yticks(range(n), names[::-1], fontsize=8)
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlabel(f"SHAP value ({sd.unit})" if sd.unit else "SHAP value")
    ax.set_title(f"SHAP values — {sd.target_label} ({sd.rows} rows, method {sd.method}); "
                 "y labels: player, mean |SHAP|" + (" [bootstrap CI]" if ci else ""),
                 fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    if sc is not None:
        cb = fig.colorbar(sc, ax=ax, shrink=0.7, pad=0.01)
        cb.set_label("feature value (z-score, clipped at ±2): low → high")
    more = len(sd.players) - n
    report.save(fig, f"beeswarm_{target}", "beeswarm", SECTION, f"SHAP beeswarm — {target}",
                f"SHAP value of each of {sd.rows} explained rows for the {n} most important "
                f"players of the {target} model" + (f" ({more} more not shown)" if more > 0
                                                    else "") +
                "; colour = the row's feature value (z-score), grey = one-hot group"
                + ("; brackets: bootstrap percentile interval of each player's mean |SHAP| "
                   "over the refits." if ci else "."))


def _bootstrap_ci(h5, target):
    """player -> (low, high) of the bootstrap interval of mean |SHAP| (/bootstrap/<t>), {}
    when the bootstrap did not run."""
    g = f"/bootstrap/{target}"
    names = hu.strings(h5, g + "/shap_player_names") or []
    lo, hi = hu.array(h5, g + "/shap_ci_low"), hu.array(h5, g + "/shap_ci_high")
    if lo is None or hi is None or len(lo) != len(names) or len(hi) != len(names):
        return {}
    return {n: (a, b) for n, a, b in zip(names, lo, hi) if np.isfinite(a) and np.isfinite(b)}
