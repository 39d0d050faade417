"""Feature-significance dynamics (as Sun et al. 2025, Fig. 6): normalized mean |SHAP| per player
across the ordered targets, lines coloured by trend, confidence as line opacity."""

import numpy as np

from . import figure as fg
from . import h5util as hu

SECTION = "Feature-significance dynamics"
TREND_COLOURS = {"increasing": "#1e8449", "decreasing": "#c0392b", "non-monotone": "#7f8c8d"}


def render(h5, report):
    """The dynamics plot from /dynamics."""
    g = "/dynamics"
    stages = hu.strings(h5, g + "/stage_names")
    players = hu.strings(h5, g + "/player_names")
    norm = hu.array(h5, g + "/normalized")
    if not stages or not players or norm is None or norm.shape != (len(stages), len(players)):
        why = hu.attr(hu.group(h5, g), "skipped")  # the study says why (e.g. one target)
        report.note(SECTION, "no complete /dynamics group (stage_names, player_names, "
                             "normalized): dynamics plot skipped" + (f" ({why})" if why else ""))
        return
    trend = hu.strings(h5, g + "/trend") or _classify(norm)
    conf = hu.array(h5, g + "/confidence")
    if conf is None or len(conf) != len(players):
        conf = np.ones(len(players))
    top = hu.array(h5, g + "/top", dtype=np.int64)
    shown = _shown_players(norm, top)
    fig = fg.new_figure("dynamics")
    ax = fig.add_subplot()
    xs = np.arange(len(stages))
    for p in range(len(players)):
        if p in shown:
            continue  # background context: thin, faint, unlabelled
        ax.plot(xs, norm[:, p], color=TREND_COLOURS.get(trend[p], "#7f8c8d"), lw=0.6, alpha=0.2)
    ends = []
    for p in shown:
        colour = TREND_COLOURS.get(trend[p], "#7f8c8d")
        alpha = 0.25 + 0.75 * float(np.clip(conf[p], 0, 1))
        ax.plot(xs, norm[:, p], color=colour, lw=2.2, alpha=alpha, marker="o", ms=5)
        ends.append([norm[-1, p], p])
    ax.set_ylim(-0.05 * norm.max(), 1.08 * norm.max())  # room for labels of lines at 0
    _label_ends(ax, ends, players, trend, conf, xs[-1])
    labels = [hu.target_label(h5, s)[0] for s in stages]
    ax.set_xticks(xs, labels)
    ax.set_xlim(-0.2, xs[-1] + 0.9)  # room for the line labels on the right
    ax.set_ylabel("normalized mean |SHAP| (share of the stage's total)")
    ax.grid(alpha=0.3)
    handles = [fg.plt.Line2D([], [], color=c, lw=2.2, label=k) for k, c in TREND_COLOURS.items()]
    handles.append(fg.plt.Line2D([], [], color="black", alpha=0.3, lw=2.2,
                                 label="faint = low trend confidence"))
    ax.legend(handles=handles, loc="upper left", fontsize=8, framealpha=0.9)
    ax.set_title("Feature-significance dynamics across the ordered targets "
                 f"({len(shown)} top players labelled, {len(players) - len(shown)} faint)",
                 fontsize=10)
    counts = {k: sum(trend[p] == k for p in range(len(players))) for k in TREND_COLOURS}
    report.save(fig, "dynamics", "dynamics", SECTION, "SHAP dynamics",
                f"Normalized mean |SHAP| of {len(players)} players across {' → '.join(stages)}; "
                f"{counts['increasing']} increasing (green), {counts['decreasing']} decreasing "
                f"(red), {counts['non-monotone']} non-monotone (grey); opacity and the "
                "percentage = fraction of bootstrap replicas with the same trend.")


def _classify(norm):
    """Trends when the file stores none: strictly rising, strictly falling, else non-monotone."""
    d = np.diff(norm, axis=0)
    return ["increasing" if (c > 0).all() else "decreasing" if (c < 0).all()
            else "non-monotone" for c in d.T]


def _shown_players(norm, top, limit=10):
    """Players labelled in the plot: the union of the per-stage top lists (file's `top`, else
    the 5 largest per stage), at most `limit`, by their largest share."""
    if top is None or top.ndim != 2:
        top = np.argsort(-norm, axis=1, kind="stable")[:, :5]
    union = sorted({int(p) for p in top.ravel() if 0 <= p < norm.shape[1]},
                   key=lambda p: -norm[:, p].max())
    return union[:limit]


def _label_ends(ax, ends, players, trend, conf, x_end):
    """Names at the right end of the lines, pushed apart vertically so they do not overlap."""
    if not ends:
        return
    ends.sort()
    ymin, ymax = ax.get_ylim()
    gap = 0.045 * max(ymax - ymin, max(e[0] for e in ends))
    ys = [e[0] for e in ends]
    # relax: push every too-close neighbour pair apart symmetrically until none overlaps
    for _ in range(200):
        moved = False
        for i in range(1, len(ys)):
            overlap = ys[i - 1] + gap - ys[i]
            if overlap > 1e-12:
                ys[i - 1] -= overlap / 2
                ys[i] += overlap / 2
                moved = True
        if not moved:
            break
    shift = max(0.0, ymin + gap / 2 - ys[0])  # keep the lowest label inside the axes
    ys = [y + shift for y in ys]
    for (y0, p), y in zip(ends, ys):
        colour = TREND_COLOURS.get(trend[p], "#7f8c8d")
        ax.annotate(f"{players[p]} ({100 * conf[p]:.0f}%)", (x_end, y0), (x_end + 0.08, y),
                    fontsize=8, color=colour, va="center",
                    arrowprops=dict(arrowstyle="-", color=colour, lw=0.5, alpha=0.6))
