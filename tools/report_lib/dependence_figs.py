"""SHAP dependence plots per target for the experimental conditions the paper discusses: cutoff
voltage, electrolyte content, electrolyte composition (one-hot group) and crucible (group)."""

import numpy as np

from . import figure as fg
from . import h5util as hu
from .shap_data import ShapData
from .shap_figs import swarm_offsets

SECTION = "SHAP dependence"
# (player name, axis label, unit); groups are drawn per level.
PANELS = [("cutoff_voltage_V", "cutoff voltage", "V"),
          ("electrolyte_ratio", "electrolyte content", "g/g"),
          ("electrolyte_class", "electrolyte composition", ""),
          ("crucible", "crucible", "")]


def render(h5, report):
    """One 2 x 2 figure per target with a /shap group; missing players get an empty panel and a
    note."""
    targets = hu.children(h5, "/shap")
    if not targets:
        report.note(SECTION, "no /shap group: dependence plots skipped")
        return
    for t in targets:
        dependence(h5, report, t)


def dependence(h5, report, target):
    """The four dependence panels of one target."""
    sd = ShapData(h5, target)
    if not sd.ok():
        report.note(SECTION, f"{target}: /shap/{target} lacks values: dependence skipped")
        return
    fig = fg.new_figure("dependence")
    axes = fig.subplots(2, 2, squeeze=False).flat
    drawn, missing = [], []
    for ax, (name, label, unit) in zip(axes, PANELS):
        p = sd.player_index(name)
        why = None
        if p is None:
            why = "not among the model's players"
        else:
            levels = sd.levels(p) if _is_group(sd, p) else None
            if levels is not None:
                _categorical(ax, sd.values[:, p], *levels)
            elif sd.raw_values(p) is not None:
                _numeric(ax, sd.raw_values(p), sd.values[:, p])
            else:
                why = "no feature values stored for it"
        if why:
            ax.set_axis_off()
            ax.text(0.5, 0.5, f"{label}:\n{why}", ha="center", va="center", fontsize=10,
                    color="#777777", transform=ax.transAxes)
            missing.append(name)
            report.note(SECTION, f"{target}: panel '{name}' skipped: {why}")
            continue
        drawn.append(name)
        ax.set_xlabel(hu.axis_label(label, unit))
        ax.set_ylabel(f"SHAP value ({sd.unit})" if sd.unit else "SHAP value")
        ax.axhline(0, color="black", lw=0.6)
        ax.grid(alpha=0.3)
        ax.set_title(name, fontsize=10)
    fig.suptitle(f"SHAP dependence — {sd.target_label} ({sd.rows} rows)", fontsize=11)
    cap = (f"SHAP value vs feature value for the {target} model on {sd.rows} explained rows: "
           f"drawn {', '.join(drawn) or 'none'}")
    cap += f"; not drawn: {', '.join(missing)}." if missing else "."
    cap += (" Numeric panels with at most 12 distinct values: points spread sideways around "
            "their value, black line = mean SHAP per value. Group panels: one column per level, "
            "bar = mean.")
    report.save(fig, f"dependence_{target}", "dependence", SECTION,
                f"SHAP dependence — {target}", cap)


def _is_group(sd, p):
    """True when player p is a one-hot group (several columns, or 'name=level' columns)."""
    cols = sd.columns[p] if sd.columns else []
    names = sd.feature_names or []
    return len(cols) > 1 or any(c < len(names) and "=" in names[c] for c in cols)


def _numeric(ax, x, phi):
    """Scatter of SHAP vs value; discrete values are jittered and get their mean joined."""
    x = np.asarray(x, dtype=float)
    finite = np.isfinite(x)
    distinct = np.unique(x[finite])
    shift = np.zeros(len(x))
    if 1 < len(distinct) <= 12:  # spread each column of equal x values as a small swarm
        width = 0.12 * np.min(np.diff(distinct))
        for v in distinct:
            m = x == v
            shift[m] = swarm_offsets(phi[m], width=width)
    ax.scatter(x + shift, phi, s=10, alpha=0.6, color="#2471a3", edgecolor="none")
    if len(distinct) <= 12:
        means = [np.mean(phi[x == v]) for v in distinct]
        ax.plot(distinct, means, color="black", lw=1.2, marker="o", ms=4)


def _categorical(ax, phi, levels, idx):
    """One beeswarm column per level, level names with counts as tick labels."""
    ticks = []
    for k, lev in enumerate(levels):
        m = idx == k
        if not m.any():
            ticks.append(f"{lev}\n(n=0)")
            continue
        ax.scatter(k + swarm_offsets(phi[m], width=0.3), phi[m], s=10, alpha=0.6,
                   color=fg.plt.get_cmap("tab10")(k % 10), edgecolor="none")
        ax.plot([k - 0.35, k + 0.35], [phi[m].mean()] * 2, color="black", lw=1.5)
        ticks.append(f"{lev}\n(n={m.sum()})")
    ax.set_xticks(range(len(levels)), ticks, fontsize=8)
    ax.set_xlim(-0.6, len(levels) - 0.4)
