"""Composition-sweep maps from /sweeps/<sweep>/<target>: the predicted value and its bootstrap
standard deviation over the simplex, the optimum marked. Ternary sweeps give one figure per
target; quaternary sweeps a row of ternary slices at fixed values of the fourth element (Al)."""

import numpy as np

from . import figure as fg
from . import h5util as hu
from . import ternary

SECTION = "Composition sweeps"
SLICE_TARGETS = (0.0, 0.05, 0.10)  # fixed fractions of the 4th element for quaternary slices
NOT_TARGETS = {"features"}  # subgroups of a sweep that are not per-target results


def render(h5, report):
    """All sweep figures."""
    sweeps = hu.children(h5, "/sweeps")
    if not sweeps:
        report.note(SECTION, "no /sweeps group: ternary maps skipped")
        return
    for s in sweeps:
        g = f"/sweeps/{s}"
        elements = hu.strings(h5, g + "/elements") or hu.attr(hu.group(h5, g), "elements")
        if isinstance(elements, str):
            elements = [elements]
        ds = hu.node(h5, g + "/fractions")
        if not elements or ds is None or len(ds.shape) != 2 or ds.shape[1] != len(elements):
            report.note(SECTION, f"sweep {s}: no elements/fractions: skipped")
            continue
        if len(elements) not in (3, 4):
            report.note(SECTION, f"sweep {s}: {len(elements)} elements; only ternary and "
                                 "quaternary sweeps are drawn")
            continue
        step = hu.attr(hu.group(h5, g), "step", None)
        rows = ternary.thin_rows(ds, step)  # the drawn points; the file may hold 1e8
        grid = {"fr": ternary.read_rows(ds, rows), "rows": rows, "n": ds.shape[0],
                "step": step, "elements": elements, "fixed": _fixed_text(h5, g)}
        for t in hu.children(h5, g):
            if t in NOT_TARGETS:
                continue
            values = _values(h5, f"{g}/{t}", grid, ds)
            if values is None:
                report.note(SECTION, f"sweep {s}/{t}: no prediction or boot_mean: skipped")
                continue
            draw = _ternary if len(elements) == 3 else _quaternary
            draw(report, s, t, grid, values)


def _values(h5, g, grid, fractions):
    """dict with 'mean' and 'std' at the drawn points (point prediction, else bootstrap mean;
    std None when absent), the optimum ('opt_fr' fractions, 'opt_value', 'goal', 'source'),
    label, unit and kind; None when no prediction of the grid's length exists. The optimum comes
    from the file (optimum_index over the whole grid); only without it is it computed, over the
    drawn points."""
    n, rows = grid["n"], grid["rows"]
    pred = hu.first_present(h5, [g + "/prediction", g + "/boot_mean"], reader=hu.node)
    if pred is None or pred.shape != (n,):
        return None
    mean = ternary.read_rows(pred, rows)
    std = hu.node(h5, g + "/boot_std")
    std = ternary.read_rows(std, rows) if std is not None and std.shape == (n,) else None
    grp = hu.group(h5, g)
    target = g.rsplit("/", 1)[-1]
    goal = (hu.attr(grp, "optimum_direction") or hu.attr(grp, "optimum_goal")
            or ("min" if "heat" in target else "max"))
    idx = hu.attr(grp, "optimum_index")
    v = {"mean": mean, "std": std, "goal": goal, "opt_fr": None, "opt_value": None}
    if isinstance(idx, int) and 0 <= idx < n:
        v.update(opt_fr=np.asarray(fractions[idx], dtype=float), opt_value=float(pred[idx]),
                 source="file")
    elif np.isfinite(mean).any():
        i = int(np.nanargmin(mean) if goal == "min" else np.nanargmax(mean))
        v.update(opt_fr=grid["fr"][i], opt_value=float(mean[i]), source="computed")
    label, unit = hu.target_label(h5, target)
    v.update(label=hu.attr(grp, "label") or label,
             unit=hu.attr(grp, "unit") if hu.attr(grp, "unit") is not None else unit,
             kind="point model" if hu.node(h5, g + "/prediction") is not None
             else "bootstrap mean")
    return v


def _fixed_text(h5, g):
    """'cutoff_voltage_V = 4.3, ...' for the features a sweep holds fixed (its features table:
    sources fixed, level, default), '' when the table is absent."""
    names = hu.strings(h5, g + "/features/name")
    sources = hu.strings(h5, g + "/features/source")
    values = hu.array(h5, g + "/features/value")
    if not names or not sources or values is None:
        return ""
    parts = [f"{n} = {v:g}" + (" (median)" if src == "default" else "")
             for n, src, v in zip(names, sources, values)
             if src in ("fixed", "default") or (src == "level" and v > 0.5)]
    return "; held fixed: " + ", ".join(parts) if parts else ""


def _opt_text(names, v):
    """'Ni 0.82 Co 0.06 Mn 0.12: 245.1 °C (max, file)' for the optimum, 'none' without one."""
    if v["opt_fr"] is None:
        return "none"
    comp = " ".join(f"{e} {f:.3g}" for e, f in zip(names, v["opt_fr"]))
    return f"{comp}: {v['opt_value']:.4g} {v['unit']} ({v['goal']}, {v['source']})"


def _ternary(report, sweep, target, grid, v):
    """Two panels: prediction and bootstrap std, optimum marked on both."""
    label, unit, fr, elements = v["label"], v["unit"], grid["fr"], grid["elements"]
    fig = fg.new_figure("ternary")
    axes = fig.subplots(1, 2)
    panels = [(v["mean"], f"{label} ({v['kind']})", "viridis", hu.axis_label(label, unit))]
    panels.append((v["std"], "bootstrap std", "magma", f"std ({unit})" if unit else "std"))
    for ax, (z, title, cmap, cb_label) in zip(axes, panels):
        ternary.frame(ax, elements)
        if z is None:
            ax.text(0.5, 0.4, "no bootstrap std in the file", ha="center", color="#777777")
            continue
        m = ternary.contour(ax, fr, z, cmap=cmap)
        fig.colorbar(m, ax=ax, shrink=0.75).set_label(cb_label)
        _mark_optimum(ax, v["opt_fr"])
        ax.set_title(title, fontsize=10)
    opt = _opt_text(elements, v)
    fig.suptitle(f"Sweep {sweep}: {label} over {'-'.join(elements)} (★ optimum: {opt})",
                 fontsize=10)
    report.save(fig, f"sweep_{sweep}_{target}", "ternary", SECTION,
                f"Ternary map — {sweep}, {target}",
                f"Predicted {target} over the {'-'.join(elements)} simplex ({grid['n']} grid "
                f"points, step {grid['step']}; {len(fr)} drawn) and the bootstrap standard "
                f"deviation; optimum ★ {opt}{grid['fixed']}.")


def _mark_optimum(ax, opt_fr):
    """A star at the optimum's composition (fractions of the drawn triangle's 3 elements)."""
    if opt_fr is None:
        return
    x, y = ternary.to_xy(np.asarray(opt_fr, dtype=float)[None, :3])
    ax.plot(x, y, marker="*", ms=16, color="white", mec="black", mew=1.0, zorder=5,
            clip_on=False)


def _slices(fourth):
    """Fractions of the 4th element to draw: the grid values nearest SLICE_TARGETS."""
    levels = np.unique(np.round(fourth, 9))
    out = []
    for t in SLICE_TARGETS:
        lv = levels[np.argmin(np.abs(levels - t))]
        if lv not in out and lv < 1 - 1e-9:
            out.append(lv)
    return out


def _quaternary(report, sweep, target, grid, v):
    """Rows: prediction and std; columns: slices at fixed fraction of Al (or the 4th element),
    plus one through the optimum when it lies in none of them."""
    label, unit, fr, elements = v["label"], v["unit"], grid["fr"], grid["elements"]
    k = elements.index("Al") if "Al" in elements else 3
    rest = [i for i in range(4) if i != k]
    names = [elements[i] for i in rest]
    cuts = _slices(fr[:, k])
    opt = v["opt_fr"]
    if opt is not None and not any(abs(opt[k] - c) < 1e-9 for c in cuts) and opt[k] < 1 - 1e-9 \
            and (np.abs(fr[:, k] - opt[k]) < 1e-9).sum() >= 3:
        cuts.append(float(opt[k]))
    masks = [np.abs(fr[:, k] - cut) < 1e-9 for cut in cuts]
    drawn = np.logical_or.reduce(masks)
    fig = fg.new_figure("ternary4")
    axes = fig.subplots(2, len(cuts), squeeze=False)
    rows = [(v["mean"], "viridis", hu.axis_label(label, unit)),
            (v["std"], "magma", f"bootstrap std ({unit})" if unit else "bootstrap std")]
    for r, (z, cmap, cb_label) in enumerate(rows):
        # one colour scale per row, over the drawn slices only (not the whole simplex)
        lo, hi = (np.nanmin(z[drawn]), np.nanmax(z[drawn])) if z is not None else (0, 1)
        mappable = None
        for c, (cut, mask) in enumerate(zip(cuts, masks)):
            ax = axes[r, c]
            ternary.frame(ax, names, fontsize=9)
            if z is None or mask.sum() < 3:
                ax.text(0.5, 0.4, "no data", ha="center", color="#777777")
                continue
            mappable = ternary.contour(ax, fr[mask][:, rest], z[mask], cmap=cmap, vmin=lo,
                                       vmax=hi)
            if opt is not None and abs(opt[k] - cut) < 1e-9:
                _mark_optimum(ax, opt[rest])
            ax.set_title(f"{elements[k]} = {cut:g} ({int(mask.sum())} points)", fontsize=9)
        if mappable is not None:
            fig.colorbar(mappable, ax=axes[r, :].tolist(), shrink=0.8).set_label(cb_label)
    opt_text = _opt_text(elements, v)
    fig.suptitle(f"Sweep {sweep}: {label}, slices at fixed {elements[k]}; fractions of "
                 f"{'/'.join(names)} renormalized to sum 1 (★ optimum: {opt_text})", fontsize=10)
    report.save(fig, f"sweep_{sweep}_{target}", "ternary4", SECTION,
                f"Quaternary slices — {sweep}, {target}",
                f"Predicted {target} (top) and bootstrap std (bottom) over {'-'.join(elements)} "
                f"({grid['n']} grid points, step {grid['step']}) at {elements[k]} = "
                f"{', '.join(f'{c:g}' for c in cuts)}; shared colour scale per row; "
                f"optimum ★ {opt_text} (drawn only in its own slice){grid['fixed']}.")
