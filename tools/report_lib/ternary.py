"""A ternary (3-component simplex) projection drawn with plain matplotlib: barycentric fractions
-> Cartesian coordinates, a triangular frame with a 0.2 grid, and filled contours through
tricontourf on a Delaunay triangulation of the grid points."""

import math

import matplotlib.tri as mtri
from matplotlib.ticker import MaxNLocator
import numpy as np

H = math.sqrt(3) / 2  # triangle height for unit sides


def to_xy(fr):
    """(x, y) of rows of fractions (top, bottom-left, bottom-right), each row normalized to sum
    1 first (so a slice of a larger simplex projects onto the same triangle)."""
    fr = np.asarray(fr, dtype=float)
    fr = fr / fr.sum(axis=1, keepdims=True)
    return 0.5 * fr[:, 0] + fr[:, 2], H * fr[:, 0]


def frame(ax, names, fontsize=10):
    """Draws the triangle, a 0.2 grid with edge labels and the vertex names (top, bottom-left,
    bottom-right); hides the axes."""
    ax.plot([0, 1, 0.5, 0], [0, 0, H, 0], color="black", lw=1)
    for t in np.arange(0.2, 1.0, 0.2):
        # top-component constant: horizontal line
        ax.plot([t / 2, 1 - t / 2], [H * t, H * t], color="white", lw=0.5, alpha=0.7)
        # bottom-left constant (x = 0.5 a + c with b = t fixed)
        ax.plot([1 - t, 0.5 * (1 - t)], [0, H * (1 - t)], color="white", lw=0.5, alpha=0.7)
        # bottom-right constant
        ax.plot([t, 0.5 + 0.5 * t], [0, H * (1 - t)], color="white", lw=0.5, alpha=0.7)
        # each component is labelled on one edge: top on the right, bottom-right on the
        # bottom, bottom-left on the left edge
        ax.text(1 - t / 2 + 0.02, H * t, f"{t:.1f}", fontsize=fontsize - 3, va="center")
        ax.text(t, -0.03, f"{t:.1f}", fontsize=fontsize - 3, ha="center", va="top")
        ax.text(0.5 * t - 0.02, H * t, f"{1 - t:.1f}", fontsize=fontsize - 3, ha="right",
                va="center")
    small = fontsize - 2
    ax.text(0.83, H / 2 + 0.06, f"← {names[0]}", rotation=-60, fontsize=small, ha="center",
            va="center", color="#444444")
    ax.text(0.5, -0.11, f"{names[2]} →", fontsize=small, ha="center", va="center",
            color="#444444")
    ax.text(0.13, H / 2 + 0.06, f"← {names[1]}", rotation=60, fontsize=small, ha="center",
            va="center", color="#444444")
    ax.text(0.5, H + 0.04, names[0], ha="center", va="bottom", fontsize=fontsize,
            fontweight="bold")
    ax.text(-0.03, -0.03, names[1], ha="right", va="top", fontsize=fontsize, fontweight="bold")
    ax.text(1.03, -0.03, names[2], ha="left", va="top", fontsize=fontsize, fontweight="bold")
    ax.set_xlim(-0.14, 1.14)
    ax.set_ylim(-0.16, H + 0.1)
    ax.set_aspect("equal")
    ax.set_axis_off()


def contour(ax, fr, z, levels=14, cmap="viridis", vmin=None, vmax=None):
    """Filled contours of z over the ternary points `fr` (N x 3). Returns the mappable."""
    x, y = to_xy(fr)
    ok = np.isfinite(z)
    tri = mtri.Triangulation(x[ok], y[ok])
    vmin = np.nanmin(z) if vmin is None else vmin
    vmax = np.nanmax(z) if vmax is None else vmax
    if not vmax > vmin:
        vmax = vmin + 1e-9 * max(1.0, abs(vmin))
    lv = MaxNLocator(levels).tick_values(vmin, vmax)  # round numbers on the colour bar
    return ax.tricontourf(tri, z[ok], levels=lv, cmap=cmap, extend="neither")


def thin_rows(fractions, step, max_per_edge=150, block=1 << 20):
    """Sorted row indices of a coarser sub-grid of a simplex grid dataset (h5py dataset or
    array, rows of fractions on the grid 1/step): the rows whose fraction counts
    (fraction / step) are all multiples of k, the smallest divisor of 1/step that leaves at most
    `max_per_edge` steps per edge (about 11,000 points per ternary). A 0.001 grid (500k points,
    or 1e8 in four dimensions) draws as well at 0.01. Read in blocks of `block` rows so memory
    stays bounded for any grid size."""
    n = fractions.shape[0]
    if not step or step <= 0:
        return np.arange(n)
    total = round(1 / step)
    k = next((d for d in range(1, total + 1) if total % d == 0 and total / d <= max_per_edge),
             total)
    if k == 1:
        return np.arange(n)
    kept = []
    for b in range(0, n, block):
        counts = np.rint(np.asarray(fractions[b:b + block], dtype=float) / step).astype(np.int64)
        kept.append(b + np.flatnonzero((counts % k == 0).all(axis=1)))
    return np.concatenate(kept) if kept else np.zeros(0, dtype=np.int64)


def read_rows(dataset, rows, block=1 << 20):
    """dataset[rows] for sorted `rows`, read block by block (h5py's point selection is slow for
    many indices, and a whole read could exceed memory)."""
    n = dataset.shape[0]
    if len(rows) == n:
        return np.asarray(dataset[()], dtype=float)
    parts = []
    for b in range(0, n, block):
        lo, hi = np.searchsorted(rows, [b, b + block])
        if hi > lo:
            parts.append(np.asarray(dataset[b:b + block], dtype=float)[rows[lo:hi] - b])
    shape = (0,) + tuple(dataset.shape[1:])
    return np.concatenate(parts) if parts else np.zeros(shape)
